/*
 * assessment_basis.h - what an assessment of duties and taxes was computed
 * from, kept instead of its explanation: the tariff versions that gave its
 * items' lines, the exchange rate it used, the trade agreement each of the
 * declaration's documents certified origin for, and the amount due of each
 * tax. With the declaration version it assessed, that is everything needed
 * to compute the same assessment again, to the fen and to the word, however
 * the tables have grown since (docs/money.md, "Storage").
 *
 * The basis is kept as two short texts (the version ids; the certificates)
 * and numbers. Replaying computes the assessment with the named versions
 * only and the stored rate, and checks the result against the stored
 * amounts: a replay that would show other figures is refused, never shown.
 *
 * Pure domain code: no I/O, no allocation on the replay path, never a
 * version or rate other than the ones named.
 */
#ifndef KOUAN_ASSESSMENT_BASIS_H
#define KOUAN_ASSESSMENT_BASIS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "domain/assessment.h"
#include "domain/tariff.h"

/* "CN-2026 CN-2026-07": ids separated by one space, in date order */
#define ASSESS_BASIS_VERSIONS_MAX (ASSESS_MAX_ITEMS * TARIFF_ID_MAX)
/* "0:CN-AU 3:CN-NZ": document index, colon, agreement */
#define ASSESS_BASIS_CERTIFICATES_MAX (ASSESS_MAX_DOCUMENTS * (TARIFF_AGREEMENT_MAX + 4))

struct assessment_certificate {
	size_t document; /* index in the declaration's documents */
	char agreement[TARIFF_AGREEMENT_MAX];
};

struct assessment_basis {
	size_t nversions; /* distinct, in date order */
	char versions[ASSESS_MAX_ITEMS][TARIFF_ID_MAX];
	int32_t rate_month;   /* common/date.h month */
	int64_t cny_per_unit; /* 10^8 scale; 1 CNY for CNY */
	size_t ncertificates;
	struct assessment_certificate certificates[ASSESS_MAX_DOCUMENTS];
	/* what is due of each tax (after waivers), fen; 0 for an export */
	int64_t duty, consumption_tax, vat;
};

/* The basis of an assessed (not held) assessment of `in`. */
void assessment_basis_of(const struct assess_input *in, const struct assessment *a,
			 struct assessment_basis *out);

/* The two texts of a basis. KERR_INVALID when a buffer is too small
 * (ASSESS_BASIS_*_MAX always suffice). */
KOUAN_MUST_USE kerr assessment_basis_format(const struct assessment_basis *b,
					    char *versions, size_t vn,
					    char *certificates, size_t cn);

/* Read the two texts back into out's versions and certificates (the
 * numbers are the caller's). KERR_INVALID when either is not in the form
 * assessment_basis_format writes: an empty or malformed id, a version
 * named twice, more than ASSESS_MAX_ITEMS versions, a bad document index
 * or agreement code. `certificates` may be NULL or "" (none). */
KOUAN_MUST_USE kerr assessment_basis_parse(const char *versions, const char *certificates,
					   struct assessment_basis *out);

/* Compute the assessment of `in` again from its basis: its documents'
 * agreements are taken from the basis (in is changed: they point into b),
 * its lines from the versions the basis names (found in `tariff`, which
 * may hold any others), its rate from the basis. KERR_OK with *out as it
 * was; KERR_NOT_FOUND when a named version is not in `tariff`;
 * KERR_CONFLICT with a problem when the result is held or its amounts due
 * are not the basis's; KERR_INVALID as assessment_compute. */
KOUAN_MUST_USE kerr assessment_replay(struct assess_input *in, const struct tariff *tariff,
				      const struct assessment_basis *b, struct assessment *out,
				      struct problems *p);

#endif
