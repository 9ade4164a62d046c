/*
 * tariff.h - the customs tariff as data: versions that take effect on a
 * date, each with lines keyed by commodity code, and the line in force for
 * a code on a date.
 *
 * A line holds, for one commodity code:
 *   - the MFN import duty: ad valorem (a percentage of the customs value),
 *     specific (CNY per unit of quantity) or compound (both, added);
 *   - optionally a provisional duty (暂定税率) that replaces the MFN duty
 *     while its version is in force;
 *   - preferential duties by trade agreement (e.g. RCEP, ASEAN), each for a
 *     list of origin countries; they apply only with that agreement's
 *     certificate of origin (see assessment.h);
 *   - the import VAT rate (13 % or 9 %);
 *   - the consumption tax: none, ad valorem, specific or compound;
 *   - the export refund rate (出口退税率), e.g. 13 %, 9 %, 0 %.
 *
 * Rates are exact integers: percentages in parts per million (13 % =
 * 130000), specific amounts in CNY scaled by 10^4 per unit (1.3 CNY/kg =
 * 13000). A line's code is either a 10-digit commodity code or an 8-digit
 * national tariff line; an 8-digit line covers every 10-digit code that
 * begins with it (the last two digits are customs supervision suffixes),
 * and a 10-digit line, where there is one, takes precedence over it.
 *
 * A version is "full" (the whole tariff: codes it does not list have no
 * line while it is in force) or an "amendment" (only the lines it lists
 * change; other codes keep the line of the versions before it). The line in
 * force for a code on a date comes from the latest version whose
 * effective_from is on or before that date and that lists the code, looking
 * no further back than the latest full version. Dates are China Standard
 * Time calendar dates (common/date.h).
 *
 * Pure domain code: no I/O, no clock, no floating point. A version and a
 * tariff are immutable once built and may be read by many threads at once;
 * rebuild the tariff whole when a version is added.
 *
 * The JSON form of a version (all numbers are decimal strings):
 *
 *   {"id": "CN-2026", "effective_from": "2026-01-01", "kind": "full",
 *    "description": "...",
 *    "agreements": [{"code": "RCEP", "name_en": "...", "name_zh": "..."}],
 *    "lines": [{"code": "0808100000", "description": "Fresh apples",
 *               "mfn": {"percent": "10"},
 *               "provisional": {"percent": "5"},
 *               "preferential": [{"agreement": "RCEP", "origins": ["NZ"],
 *                                 "duty": {"percent": "0"}}],
 *               "vat_percent": "9",
 *               "consumption_tax": {"percent": "10"},
 *               "export_refund_percent": "9"}]}
 *
 * A rate object is {"percent": P} (ad valorem), {"per_unit": A, "unit": U}
 * (specific: A CNY per unit U, a customs unit code, at most 4 decimals) or
 * all three (compound). "provisional", "preferential", "consumption_tax"
 * and "description" are optional.
 */
#ifndef KOUAN_TARIFF_H
#define KOUAN_TARIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "domain/refdata.h"

#define TARIFF_ID_MAX 33        /* version id: 1..32 of [A-Za-z0-9._-] */
#define TARIFF_CODE_MAX 11      /* 8 or 10 digits */
#define TARIFF_AGREEMENT_MAX 17 /* agreement code: 2..16 of [A-Z0-9-] */
#define TARIFF_NAME_MAX 400     /* bytes of an agreement name (100 chars) */
#define TARIFF_UNIT_MAX 4       /* customs unit code: 3 digits */
#define TARIFF_MAX_VERSIONS 1000
#define TARIFF_MAX_LINES 20000     /* per version */
#define TARIFF_MAX_AGREEMENTS 32   /* per version */
#define TARIFF_MAX_PREFERENCES 16  /* per line */
#define TARIFF_MAX_ORIGINS 64      /* per preference */

#define TARIFF_PPM 1000000 /* 100 % in parts per million */
#define TARIFF_PER_UNIT_SCALE 4 /* specific amounts: CNY with 4 decimals */
#define TARIFF_DUTY_MAX_PPM 10000000    /* a duty of at most 1000 % */
#define TARIFF_EXCISE_MAX_PPM 999999    /* consumption tax below 100 % */
#define TARIFF_REFUND_MAX_PPM 130000    /* refund at most 13 % */
#define TARIFF_PER_UNIT_MAX INT64_C(100000000000000) /* 10^10 CNY per unit */

enum tariff_rate_kind {
	TARIFF_RATE_NONE,       /* no tax (consumption tax only) */
	TARIFF_RATE_AD_VALOREM, /* ppm of the value */
	TARIFF_RATE_SPECIFIC,   /* per_unit CNY per unit of quantity */
	TARIFF_RATE_COMPOUND,   /* both, added */
};

struct tariff_rate {
	enum tariff_rate_kind kind;
	uint32_t ppm;     /* ad valorem part, parts per million */
	int64_t per_unit; /* specific part, CNY scaled by 10^4, per `unit` */
	char unit[TARIFF_UNIT_MAX]; /* customs unit code of the specific part */
};

struct tariff_agreement {
	char code[TARIFF_AGREEMENT_MAX];
	char name_en[TARIFF_NAME_MAX];
	char name_zh[TARIFF_NAME_MAX];
};

struct tariff_preference {
	const struct tariff_agreement *agreement;
	struct tariff_rate duty;
	size_t norigins;
	const char (*origins)[3]; /* ISO 3166 alpha-2, sorted */
};

struct tariff_line {
	char code[TARIFF_CODE_MAX];
	/* the code as a number in the order of the codes' text, for lookups:
	 * 2 x code for a 10-digit code, 200 x code - 1 for an 8-digit line
	 * (just before the 10-digit codes it covers) */
	int64_t key;
	char *description; /* may be NULL */
	struct tariff_rate mfn;
	bool has_provisional;
	struct tariff_rate provisional;
	size_t npreferences;
	const struct tariff_preference *preferences;
	uint32_t vat_ppm;
	struct tariff_rate consumption; /* kind NONE: no consumption tax */
	uint32_t export_refund_ppm;
};

struct tariff_version {
	char id[TARIFF_ID_MAX];
	int32_t effective_from; /* date (common/date.h) */
	bool amendment;
	char *description; /* may be NULL */
	size_t nagreements;
	struct tariff_agreement agreements[TARIFF_MAX_AGREEMENTS];
	size_t nlines;
	struct tariff_line *lines; /* sorted by code (and key) */
	/* storage the lines point into */
	struct tariff_preference *pref_pool;
	char (*origin_pool)[3];
};

/* Every version loaded, ordered by effective date. */
struct tariff {
	size_t nversions;
	struct tariff_version **versions;
};

/* Where a code's line in force was found. */
struct tariff_match {
	const struct tariff_version *version;
	const struct tariff_line *line;
};

/* Parse and validate one version from its JSON form. Every problem is
 * recorded with its JSON pointer (/lines/3/mfn/percent). With a reference
 * snapshot, specific rates must be per the legal unit of every known
 * commodity the line covers, units and origin countries must be known; a
 * code not (yet) in the commodity list is accepted. Returns the version
 * (free with tariff_version_free) or NULL with at least one problem. */
struct tariff_version *tariff_version_parse(const json_t *doc,
					    const struct refdata *ref,
					    struct problems *p);
void tariff_version_free(struct tariff_version *v);

/* The version's line for a 10-digit code: the 10-digit line, or else the
 * 8-digit line it begins with, or NULL. */
const struct tariff_line *tariff_version_line(const struct tariff_version *v,
					      const char *code);

/* An empty tariff (NULL when out of memory). */
struct tariff *tariff_new(void);
void tariff_free(struct tariff *t);

/* Add a version; the tariff takes it in every case (a refused version is
 * freed). Refused with KERR_CONFLICT and a problem when another version
 * has the same id (/id) or the same effective date (/effective_from), or
 * the tariff already holds TARIFF_MAX_VERSIONS. */
KOUAN_MUST_USE kerr tariff_add(struct tariff *t, struct tariff_version *v,
			       struct problems *p);

/* The line in force for a 10-digit code on a date (see above). false when
 * no version in force lists it. */
bool tariff_lookup(const struct tariff *t, const char *code, int32_t date,
		   struct tariff_match *out);

/* The preferential duty of `line` under `agreement` for `origin`, or NULL. */
const struct tariff_preference *tariff_preference_for(
	const struct tariff_line *line, const char *agreement,
	const char *origin);

/* Does a preference cover `origin`? */
bool tariff_preference_covers(const struct tariff_preference *pref,
			      const char *origin);

/* A rate as text: "10%", "1.3 CNY per 035", "3% + 9728 CNY per 001",
 * "none". */
void tariff_rate_text(const struct tariff_rate *r, char *buf, size_t n);

/* The JSON forms, canonical (members as in the input form, rates in their
 * shortest decimal form, origins sorted, lines sorted by code): dump with
 * JSON_SORT_KEYS | JSON_COMPACT for a stable text. Parsing the output
 * gives the same version back. NULL when out of memory; a rate of kind
 * NONE is JSON null. */
json_t *tariff_rate_to_json(const struct tariff_rate *r);
json_t *tariff_line_to_json(const struct tariff_line *l);
json_t *tariff_version_to_json(const struct tariff_version *v);

#endif
