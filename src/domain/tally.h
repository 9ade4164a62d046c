/*
 * tally.h - the tally report (理货报告): what the tally company or the
 * terminal counted going off a conveyance (discharge, on an import call)
 * or onto it (loading, on an export call), per bill of lading and
 * container, and its differences from the manifest.
 *
 * Differences are facts for customs and the carrier: bills short-landed or
 * over-landed (short-shipped or over-shipped on loading), a package count
 * that differs, containers missing or not on the manifest, seals that do
 * not match, containers found damaged. The carrier answers them with a
 * manifest amendment; customs decides.
 *
 * Pure: no I/O, no clock. A validated report points into its JSON body.
 */
#ifndef KOUAN_TALLY_H
#define KOUAN_TALLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "domain/manifest.h"
#include "domain/refdata.h"

enum tally_kind {
	TALLY_DISCHARGE, /* off the conveyance: compared with the original manifest */
	TALLY_LOADING,   /* onto it: compared with the loading manifest */
};

/* A validated tally report. Its lines take the manifest's shape: each bill
 * with the packages counted and the containers found (their seals, and
 * `damaged`); the weights, parties and goods a manifest has are absent. */
struct tally {
	enum tally_kind kind;
	struct manifest lines; /* transport_mode, port, key, bills, containers */
};

/* Validate a tally report body. KERR_OK and *out filled (tally_free),
 * KERR_INVALID with the problems, or KERR_NOMEM. A bill counted twice, a
 * container twice under one bill, or a container shared by bills with
 * different seals or condition under each is refused (manifest_lines_read). */
KOUAN_MUST_USE kerr tally_validate(const json_t *body, const struct refdata *ref,
				   struct problems *p, struct tally *out);
void tally_free(struct tally *t);

/* The differences between manifest `m` and tally `t` of the same call, as
 * a new JSON array (*out), in bill-of-lading then container order. Each is
 * {"bill_of_lading", "difference", "manifested", "tallied"} with
 * "container" when it is about one, and "field", a JSON pointer into the
 * tally report, when the tally has the thing. "difference" is one of
 * short_landed / over_landed (discharge) or short_shipped / over_shipped
 * (loading), packages, container_missing, container_not_manifested,
 * seals, damaged. KERR_INVALID when the kinds do not go together (a
 * discharge tally against an export manifest, or the reverse), or the
 * calls differ. */
KOUAN_MUST_USE kerr tally_differences(const struct manifest *m, const struct tally *t,
				      json_t **out);

#endif
