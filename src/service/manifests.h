/*
 * manifests.h - the carrier's manifests (舱单) and the terminal's tally
 * reports (理货报告), and what a manifest line does to the declarations
 * waiting for it.
 *
 * A manifest is lodged once per call and kind (original for imports;
 * pre-loading, loading and departure for exports) and then amended as a
 * whole; every version is kept with what it changed. When the original or
 * pre-loading manifest (or an amendment) brings or changes a line, the
 * declarations of that bill on the call are matched anew: one that now
 * matches, with every agency cleared, is released by kouan; one that
 * differs is held and told the differences (declaration.mismatched).
 */
#ifndef KOUAN_MANIFESTS_H
#define KOUAN_MANIFESTS_H

#include "domain/manifest.h"
#include "service/clearance.h"
#include "store/repo_transport.h"

/* What a lodging or amendment did to one declaration. */
/* What a lodging or amendment did to one declaration of a bill: told to
 * the carrier by bill, never by the declaration's number. */
struct manifest_outcome {
	char bill_of_lading[BILL_OF_LADING_MAX];
	enum match_state state;
	bool released; /* released by this change */
};

/* A manifest version as a reader sees it. */
struct manifest_state {
	struct manifest_row row;
	int64_t version;  /* the version shown */
	char *body;       /* that version's body (owned) */
	char *changes;    /* what it changed (owned; NULL for version 1) */
	char created_by[USERNAME_SIZE];
	char created_at[TIME_TEXT_SIZE];
	bool changed;     /* a lodging or amendment: outcomes say what it did */
	struct manifest_outcome *outcomes; /* owned */
	size_t noutcomes;
};
void manifest_state_free(struct manifest_state *s);

/* Lodge a manifest body for the actor's carrier. Refused: KERR_FORBIDDEN
 * (not a carrier), KERR_INVALID (field problems), KERR_CONFLICT (the call
 * has one of that kind, or it comes out of order, or after departure: at
 * /kind). */
KOUAN_MUST_USE kerr manifests_lodge(struct uow *u, const struct actor *a, json_t *body,
				    struct manifest_state *out, struct refusal *why);

/* Amend manifest `id` (the actor's carrier's) with a whole new body.
 * Refused: KERR_NOT_FOUND, KERR_INVALID (field problems, or the call
 * changed), KERR_CONFLICT (after departure, or nothing changed). */
KOUAN_MUST_USE kerr manifests_amend(struct uow *u, const struct actor *a, int64_t id,
				    json_t *body, struct manifest_state *out,
				    struct refusal *why);

/* Manifest `id` at `version` (0: the current one), as the actor may see
 * it (its carrier, customs, a port operator of its port, analysts and
 * admins); KERR_NOT_FOUND otherwise. */
KOUAN_MUST_USE kerr manifests_get(struct uow *u, const struct actor *a, int64_t id,
				  int64_t version, struct manifest_state *out);

/* Manifests the actor may see, by id. */
KOUAN_MUST_USE kerr manifests_list(struct uow *u, const struct actor *a,
				   struct manifest_filter *f, manifest_row_fn fn, void *arg);

/* The match of a declaration the actor may see (declarant, consignee,
 * officers with a task on it, analysts, admins): its consignment row with
 * differences. KERR_NOT_FOUND when not visible; *why says when it claims
 * nothing. */
KOUAN_MUST_USE kerr manifests_declaration_match(struct uow *u, const struct actor *a,
						const char *number, struct consignment_row *out,
						struct refusal *why);

/* Lodge a tally report (a port operator at its own port): compared with the
 * call's original manifest (discharge) or loading manifest (loading).
 * Refused: KERR_INVALID (field problems, another port), KERR_CONFLICT (no
 * manifest to compare with, at /kind). */
KOUAN_MUST_USE kerr tally_lodge(struct uow *u, const struct actor *a, json_t *body,
				struct tally_row *out, struct refusal *why);

/* A tally report the actor may see (port operators of its port, customs,
 * the call's carrier, analysts, admins). */
KOUAN_MUST_USE kerr tally_get(struct uow *u, const struct actor *a, int64_t id,
			      struct tally_row *out);

#endif
