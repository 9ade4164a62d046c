/*
 * tariff.c - tariff versions: parsing with full validation, lookup of the
 * line in force, and the canonical JSON form (see tariff.h).
 *
 * It must never read anything but its arguments, keep state between calls,
 * or change a version once tariff_version_parse has returned it.
 */
#include "domain/tariff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/fields.h"

#define PERCENT_SCALE 4 /* a percentage with 4 decimals is parts per million */

static bool id_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return false;
	return true;
}

static bool agreement_chars(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > TARIFF_AGREEMENT_MAX - 1)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* The lookup key of an 8- or 10-digit code (see tariff.h). */
static int64_t code_key(const char *code, size_t digits)
{
	int64_t n = 0;

	for (size_t i = 0; i < digits; i++)
		n = n * 10 + (code[i] - '0');
	return digits == 10 ? 2 * n : 200 * n - 1;
}

/* A reference list, or NULL when there is no snapshot or it lacks the list
 * (then that check is skipped). */
static const struct ref_list *ref_list_of(const struct refdata *ref,
					  const char *name)
{
	const struct ref_list *l = ref ? refdata_list(ref, name) : NULL;

	return l && l->n ? l : NULL;
}

/* ------------------------------------------------------------------ */
/* parsing                                                             */

struct parse {
	struct tariff_version *v;
	const struct refdata *ref;
	struct problems *p;
	size_t prefs_used, prefs_cap;
	size_t origins_used, origins_cap;
};

static size_t problem_count(const struct problems *p)
{
	return p->count + p->dropped;
}

static const char *const rate_fields[] = { "percent", "per_unit", "unit", NULL };

/* A rate object at pointer `at`; the ad valorem part at most max_ppm. */
static bool parse_rate(struct parse *ps, const json_t *j, const char *at,
		       int64_t max_ppm, struct tariff_rate *out)
{
	struct problems *p = ps->p;
	struct fields fs = {.p = p};
	size_t before = problem_count(p);
	int64_t ppm = 0, per_unit = 0;
	enum fields_found rp, ra;
	const char *unit;
	char f[PROBLEM_FIELD_MAX];

	memset(out, 0, sizeof *out);
	if (!json_is_object(j)) {
		problems_add(p, at,
			     "must be an object: {\"percent\": P} (ad valorem), "
			     "{\"per_unit\": A, \"unit\": U} (specific) or all three "
			     "(compound)");
		return false;
	}
	problems_unknown_fields(p, j, at, rate_fields, "percent, per_unit, unit");
	rp = fields_decimal_max(&fs, j, "percent", at, PERCENT_SCALE, false, false,
				max_ppm, &ppm);
	ra = fields_decimal_max(&fs, j, "per_unit", at, TARIFF_PER_UNIT_SCALE, false,
				false, TARIFF_PER_UNIT_MAX, &per_unit);
	unit = fields_text(&fs, j, "unit", at, ra != FIELDS_ABSENT, 16);
	json_pointer_to(f, sizeof f, at, "unit");
	if (unit && ra == FIELDS_ABSENT) {
		problems_add(p, f, "is accepted only with per_unit (a specific rate is "
				   "an amount per unit)");
	} else if (unit && !codes_is_digits(unit, 3)) {
		problems_add(p, f, "must be a 3-digit customs unit code such as \"035\" "
				   "(kilogram)");
	} else if (unit && ref_list_of(ps->ref, "units") &&
		   !refdata_has(ps->ref, "units", unit)) {
		problems_add(p, f, "'%s' is not a known unit of measure (see GET "
				   "/v1/reference/units)", unit);
	}
	if (rp == FIELDS_ABSENT && ra == FIELDS_ABSENT &&
	    problem_count(p) == before) {
		problems_add(p, at,
			     "must have percent (ad valorem), per_unit with unit "
			     "(specific), or all three (compound)");
	}
	if (problem_count(p) != before)
		return false;
	out->ppm = (uint32_t)ppm;
	out->per_unit = per_unit;
	if (unit)
		str_copy(out->unit, unit, sizeof out->unit);
	out->kind = rp == FIELDS_VALID && ra == FIELDS_VALID ? TARIFF_RATE_COMPOUND :
		    rp == FIELDS_VALID		     ? TARIFF_RATE_AD_VALOREM :
						       TARIFF_RATE_SPECIFIC;
	return true;
}

/* An optional or required rate member. */
static bool rate_member(struct parse *ps, const json_t *line, const char *key,
			const char *at, bool required, int64_t max_ppm,
			struct tariff_rate *out)
{
	char f[PROBLEM_FIELD_MAX];
	const json_t *j = json_object_get(line, key);

	json_pointer_to(f, sizeof f, at, key);
	memset(out, 0, sizeof *out);
	if (!j || json_is_null(j)) {
		if (required)
			problems_add(ps->p, f, "is required");
		return false;
	}
	return parse_rate(ps, j, f, max_ppm, out);
}

/* A specific rate must be per the legal unit of each known commodity the
 * line covers (the quantity on a declaration is in that unit). */
static void check_legal_unit(struct parse *ps, const char *code,
			     const struct tariff_rate *r, const char *at)
{
	const struct ref_list *l = ref_list_of(ps->ref, "commodities");
	size_t n = strlen(code), lo = 0, hi;
	char f[PROBLEM_FIELD_MAX];

	if (!l || !code[0] ||
	    (r->kind != TARIFF_RATE_SPECIFIC && r->kind != TARIFF_RATE_COMPOUND))
		return;
	hi = l->n;
	while (lo < hi) { /* first entry not below the code */
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(l->entries[mid].code, code, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	json_pointer_to(f, sizeof f, at, "unit");
	for (; lo < l->n && strncmp(l->entries[lo].code, code, n) == 0; lo++) {
		const char *legal = json_string_value(
			json_object_get(l->entries[lo].data, "unit"));

		if (legal && strcmp(legal, r->unit) != 0) {
			problems_add(ps->p, f,
				     "is %s, but commodity %s is declared in %s (its "
				     "legal unit); state the specific rate per %s",
				     r->unit, l->entries[lo].code, legal, legal);
			return;
		}
	}
}

static int origin_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 2);
}

static const char *const preference_fields[] = { "agreement", "origins", "duty",
						  NULL };

static void parse_preferences(struct parse *ps, const json_t *line,
			      const char *at, struct tariff_line *l)
{
	struct problems *p = ps->p;
	struct fields fs = {.p = p};
	const json_t *a = fields_array(&fs, line, "preferential", at, false, false,
				       TARIFF_MAX_PREFERENCES);
	char pat[PROBLEM_FIELD_MAX];
	size_t i;
	json_t *e;
	struct tariff_preference *prefs = ps->v->pref_pool + ps->prefs_used;

	json_pointer_to(pat, sizeof pat, at, "preferential");
	l->preferences = prefs;
	json_array_foreach(a, i, e)
	{
		char f[PROBLEM_FIELD_MAX], of[PROBLEM_FIELD_MAX];
		struct tariff_preference *pr = &prefs[l->npreferences];
		const char *code;
		const json_t *origins;
		size_t k;
		json_t *o;
		char (*list)[3];

		fields_pointer_index(f, sizeof f, pat, i);
		if (!json_is_object(e)) {
			problems_add(p, f, "must be an object with agreement, origins and duty");
			continue;
		}
		if (ps->prefs_used >= ps->prefs_cap)
			return; /* cannot happen: counted before */
		memset(pr, 0, sizeof *pr);
		problems_unknown_fields(p, e, f, preference_fields,
					"agreement, origins, duty");
		code = fields_text(&fs, e, "agreement", f, true, 16);
		if (code) {
			for (size_t g = 0; g < ps->v->nagreements; g++)
				if (!strcmp(ps->v->agreements[g].code, code))
					pr->agreement = &ps->v->agreements[g];
			if (!pr->agreement) {
				char af[PROBLEM_FIELD_MAX];

				json_pointer_to(af, sizeof af, f, "agreement");
				problems_add(p, af, "'%s' is not one of the version's "
						    "agreements (list it under /agreements)",
					     code);
			}
		}
		rate_member(ps, e, "duty", f, true, TARIFF_DUTY_MAX_PPM, &pr->duty);
		if (pr->duty.kind != TARIFF_RATE_NONE) {
			char df[PROBLEM_FIELD_MAX];

			json_pointer_to(df, sizeof df, f, "duty");
			check_legal_unit(ps, l->code, &pr->duty, df);
		}
		origins = fields_array(&fs, e, "origins", f, true, false,
				       TARIFF_MAX_ORIGINS);
		json_pointer_to(of, sizeof of, f, "origins");
		if (origins && json_array_size(origins) == 0)
			problems_add(p, of, "must list at least one origin country");
		list = ps->v->origin_pool + ps->origins_used;
		pr->origins = (const char (*)[3])list;
		json_array_foreach(origins, k, o)
		{
			char cf[PROBLEM_FIELD_MAX];
			const char *c = json_string_value(o);
			bool seen = false;

			fields_pointer_index(cf, sizeof cf, of, k);
			if (!c || !codes_is_capitals(c, 2)) {
				problems_add(p, cf, "must be an ISO 3166-1 alpha-2 country "
						    "code such as \"VN\"");
				continue;
			}
			if (ref_list_of(ps->ref, "countries") &&
			    !refdata_has(ps->ref, "countries", c)) {
				problems_add(p, cf, "'%s' is not a known country (see GET "
						    "/v1/reference/countries)", c);
				continue;
			}
			for (size_t m = 0; m < pr->norigins && !seen; m++)
				seen = !memcmp(list[m], c, 2);
			if (seen) {
				problems_add(p, cf, "repeats %s", c);
				continue;
			}
			for (size_t q = 0; q < l->npreferences && pr->agreement; q++) {
				if (prefs[q].agreement == pr->agreement &&
				    tariff_preference_covers(&prefs[q], c)) {
					problems_add(p, cf, "%s is already covered by %s "
							    "on this line (preferential/%zu)",
						     c, pr->agreement->code, q);
					seen = true;
					break;
				}
			}
			if (seen)
				continue;
			if (ps->origins_used >= ps->origins_cap)
				break; /* cannot happen: counted before */
			memcpy(list[pr->norigins++], c, 3);
			ps->origins_used++;
		}
		qsort(list, pr->norigins, sizeof list[0], origin_cmp);
		l->npreferences++;
		ps->prefs_used++;
	}
}

static const char *const line_fields[] = {
	"code", "description", "mfn", "provisional", "preferential",
	"vat_percent", "consumption_tax", "export_refund_percent", NULL
};
static const char line_accepted[] =
	"code, description, mfn, provisional, preferential, vat_percent, "
	"consumption_tax, export_refund_percent";

static void parse_line(struct parse *ps, const json_t *j, const char *at,
		       struct tariff_line *l)
{
	struct problems *p = ps->p;
	struct fields fs = {.p = p};
	const char *code, *desc;
	int64_t vat = 0, refund = 0;
	char f[PROBLEM_FIELD_MAX];

	if (!json_is_object(j)) {
		problems_add(p, at, "must be an object with %s", line_accepted);
		return;
	}
	problems_unknown_fields(p, j, at, line_fields, line_accepted);
	code = fields_text(&fs, j, "code", at, true, 16);
	json_pointer_to(f, sizeof f, at, "code");
	if (code && !codes_is_digits(code, 10) && !codes_is_digits(code, 8))
		problems_add(p, f,
			     "must be 10 digits (a commodity code) or 8 digits (a "
			     "tariff line covering every commodity code that begins "
			     "with it)");
	else if (code) {
		str_copy(l->code, code, sizeof l->code);
		l->key = code_key(code, strlen(code));
	}
	desc = fields_text(&fs, j, "description", at, false, 255);
	if (desc && !(l->description = strdup(desc)))
		problems_add(p, at, "could not be stored (out of memory)");

	if (rate_member(ps, j, "mfn", at, true, TARIFF_DUTY_MAX_PPM, &l->mfn)) {
		json_pointer_to(f, sizeof f, at, "mfn");
		check_legal_unit(ps, l->code, &l->mfn, f);
	}
	if (rate_member(ps, j, "provisional", at, false, TARIFF_DUTY_MAX_PPM,
			&l->provisional)) {
		l->has_provisional = true;
		json_pointer_to(f, sizeof f, at, "provisional");
		check_legal_unit(ps, l->code, &l->provisional, f);
	}
	if (rate_member(ps, j, "consumption_tax", at, false,
			TARIFF_EXCISE_MAX_PPM, &l->consumption)) {
		json_pointer_to(f, sizeof f, at, "consumption_tax");
		check_legal_unit(ps, l->code, &l->consumption, f);
	}
	parse_preferences(ps, j, at, l);

	if (fields_decimal_max(&fs, j, "vat_percent", at, PERCENT_SCALE, true, false,
			       TARIFF_PPM, &vat) == FIELDS_VALID) {
		if (vat != 130000 && vat != 90000) {
			json_pointer_to(f, sizeof f, at, "vat_percent");
			problems_add(p, f, "must be \"13\" or \"9\" (the import VAT "
					   "rates, in percent)");
		}
		l->vat_ppm = (uint32_t)vat;
	}
	if (fields_decimal_max(&fs, j, "export_refund_percent", at, PERCENT_SCALE, true,
			       false, TARIFF_REFUND_MAX_PPM, &refund) == FIELDS_VALID)
		l->export_refund_ppm = (uint32_t)refund;
}

static const char *const agreement_fields[] = { "code", "name_en", "name_zh", NULL };

static void parse_agreements(struct parse *ps, const json_t *doc)
{
	struct problems *p = ps->p;
	struct fields fs = {.p = p};
	struct tariff_version *v = ps->v;
	const json_t *a = fields_array(&fs, doc, "agreements", "", false, false,
				       TARIFF_MAX_AGREEMENTS);
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e)
	{
		char f[PROBLEM_FIELD_MAX], cf[PROBLEM_FIELD_MAX];
		struct tariff_agreement *g = &v->agreements[v->nagreements];
		const char *code, *en, *zh;
		bool dup = false;

		fields_pointer_index(f, sizeof f, "/agreements", i);
		if (!json_is_object(e)) {
			problems_add(p, f, "must be an object with code, name_en and name_zh");
			continue;
		}
		problems_unknown_fields(p, e, f, agreement_fields, "code, name_en, name_zh");
		code = fields_text(&fs, e, "code", f, true, 16);
		en = fields_text(&fs, e, "name_en", f, true, 100);
		zh = fields_text(&fs, e, "name_zh", f, false, 100);
		json_pointer_to(cf, sizeof cf, f, "code");
		if (code && !agreement_chars(code)) {
			problems_add(p, cf, "must be 2 to 16 capital letters, digits or "
					    "'-', such as \"RCEP\"");
			continue;
		}
		for (size_t k = 0; code && k < v->nagreements && !dup; k++)
			dup = !strcmp(v->agreements[k].code, code);
		if (dup) {
			problems_add(p, cf, "repeats agreement %s", code);
			continue;
		}
		if (!code || !en)
			continue;
		str_copy(g->code, code, sizeof g->code);
		str_copy(g->name_en, en, sizeof g->name_en);
		str_copy(g->name_zh, zh ? zh : "", sizeof g->name_zh);
		v->nagreements++;
	}
}

/* Count what the lines' preferences need, so the pools never move. */
static void count_pools(const json_t *lines, size_t *prefs, size_t *origins)
{
	size_t i, k;
	json_t *l, *e;

	*prefs = 0;
	*origins = 0;
	json_array_foreach(lines, i, l)
	{
		const json_t *a = json_object_get(l, "preferential");

		if (!json_is_array(a) || json_array_size(a) > TARIFF_MAX_PREFERENCES)
			continue;
		json_array_foreach(a, k, e)
		{
			const json_t *o = json_object_get(e, "origins");

			(*prefs)++;
			if (json_is_array(o) && json_array_size(o) <= TARIFF_MAX_ORIGINS)
				*origins += json_array_size(o);
		}
	}
}

struct line_order {
	int64_t key;
	const char *code;
	size_t index;
};

static int line_order_cmp(const void *a, const void *b)
{
	const struct line_order *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Sort the lines by code; a code twice is a problem at the later line. */
static bool sort_lines(struct parse *ps)
{
	struct tariff_version *v = ps->v;
	struct line_order *order = calloc(v->nlines ? v->nlines : 1, sizeof *order);
	struct tariff_line *sorted = calloc(v->nlines ? v->nlines : 1, sizeof *sorted);
	bool ok = order && sorted;

	for (size_t i = 0; ok && i < v->nlines; i++) {
		order[i].key = v->lines[i].key;
		order[i].code = v->lines[i].code;
		order[i].index = i;
	}
	if (ok)
		qsort(order, v->nlines, sizeof *order, line_order_cmp);
	for (size_t i = 1; ok && i < v->nlines; i++) {
		if (order[i].code[0] && order[i].key == order[i - 1].key) {
			char f[PROBLEM_FIELD_MAX];

			snprintf(f, sizeof f, "/lines/%zu/code", order[i].index);
			problems_add(ps->p, f, "repeats %s (/lines/%zu)", order[i].code,
				     order[i - 1].index);
		}
	}
	for (size_t i = 0; ok && i < v->nlines; i++)
		sorted[i] = v->lines[order[i].index];
	if (ok) {
		free(v->lines);
		v->lines = sorted;
		sorted = NULL;
	}
	free(order);
	free(sorted);
	return ok;
}

static const char *const version_fields[] = {
	"id", "description", "effective_from", "kind", "agreements", "lines", NULL
};
static const char version_accepted[] =
	"id, description, effective_from, kind, agreements, lines";

struct tariff_version *tariff_version_parse(const json_t *doc,
					    const struct refdata *ref,
					    struct problems *p)
{
	struct fields fs = {.p = p};
	struct parse ps = { .ref = ref, .p = p };
	struct tariff_version *v = NULL;
	size_t before = problem_count(p), i;
	const json_t *lines;
	const char *id, *kind, *desc;
	json_t *l;

	if (!json_is_object(doc)) {
		problems_add(p, "", "a tariff version must be a JSON object with %s",
			     version_accepted);
		return NULL;
	}
	if (!(v = calloc(1, sizeof *v)))
		goto nomem;
	ps.v = v;
	problems_unknown_fields(p, doc, "", version_fields, version_accepted);
	id = fields_text(&fs, doc, "id", "", true, TARIFF_ID_MAX - 1);
	if (id && !id_chars(id))
		problems_add(p, "/id", "must be letters, digits, '.', '-' or '_', "
				       "such as \"CN-2026\"");
	else if (id)
		str_copy(v->id, id, sizeof v->id);
	desc = fields_text(&fs, doc, "description", "", false, 500);
	if (desc && !(v->description = strdup(desc)))
		goto nomem;
	fields_date(&fs, doc, "effective_from", "", true, &v->effective_from);
	kind = fields_text(&fs, doc, "kind", "", true, 16);
	if (kind && strcmp(kind, "full") && strcmp(kind, "amendment"))
		problems_add(p, "/kind", "must be \"full\" (the whole tariff) or "
					 "\"amendment\" (only the lines it lists change)");
	v->amendment = kind && !strcmp(kind, "amendment");
	parse_agreements(&ps, doc);

	lines = fields_array(&fs, doc, "lines", "", true, false, TARIFF_MAX_LINES);
	if (lines && json_array_size(lines) == 0)
		problems_add(p, "/lines", "must have at least one line");
	if (lines) {
		count_pools(lines, &ps.prefs_cap, &ps.origins_cap);
		v->lines = calloc(json_array_size(lines) + 1, sizeof *v->lines);
		v->pref_pool = calloc(ps.prefs_cap + 1, sizeof *v->pref_pool);
		v->origin_pool = calloc(ps.origins_cap + 1, sizeof *v->origin_pool);
		if (!v->lines || !v->pref_pool || !v->origin_pool)
			goto nomem;
	}
	json_array_foreach(lines, i, l)
	{
		char f[PROBLEM_FIELD_MAX];

		fields_pointer_index(f, sizeof f, "/lines", i);
		parse_line(&ps, l, f, &v->lines[v->nlines++]);
	}
	if (!sort_lines(&ps))
		goto nomem;
	if (problem_count(p) != before)
		goto fail;
	return v;
nomem:
	problems_add(p, "", "the tariff version could not be stored (out of memory)");
fail:
	tariff_version_free(v);
	return NULL;
}

void tariff_version_free(struct tariff_version *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nlines; i++)
		free(v->lines[i].description);
	free(v->lines);
	free(v->pref_pool);
	free(v->origin_pool);
	free(v->description);
	free(v);
}

/* ------------------------------------------------------------------ */
/* lookup                                                              */

static const struct tariff_line *line_by_key(const struct tariff_version *v,
					     int64_t key)
{
	size_t lo = 0, hi = v->nlines;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t k = v->lines[mid].key;

		if (k == key)
			return &v->lines[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct tariff_line *tariff_version_line(const struct tariff_version *v,
					      const char *code)
{
	const struct tariff_line *l;
	int64_t key;

	if (!v || !code || !codes_is_digits(code, 10))
		return NULL;
	key = code_key(code, 10);
	if ((l = line_by_key(v, key)))
		return l;
	/* the 8-digit line of the same first eight digits */
	return line_by_key(v, key - key % 200 - 1);
}

struct tariff *tariff_new(void)
{
	return calloc(1, sizeof(struct tariff));
}

void tariff_free(struct tariff *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nversions; i++)
		tariff_version_free(t->versions[i]);
	free(t->versions);
	free(t);
}

kerr tariff_add(struct tariff *t, struct tariff_version *v, struct problems *p)
{
	struct tariff_version **grown;
	size_t at;
	char day[KDATE_TEXT_MAX];

	if (!t || !v) {
		tariff_version_free(v);
		return KERR_INTERNAL;
	}
	for (size_t i = 0; i < t->nversions; i++) {
		const struct tariff_version *o = t->versions[i];

		if (!strcmp(o->id, v->id)) {
			problems_add(p, "/id", "version %s is already loaded; an amendment "
					       "is a new version with its own id", v->id);
			goto conflict;
		}
		if (o->effective_from == v->effective_from) {
			kdate_format(v->effective_from, day);
			problems_add(p, "/effective_from",
				     "version %s already takes effect on %s; give this "
				     "version another date", o->id, day);
			goto conflict;
		}
	}
	if (t->nversions >= TARIFF_MAX_VERSIONS) {
		problems_add(p, "", "the tariff already holds %d versions",
			     TARIFF_MAX_VERSIONS);
		goto conflict;
	}
	grown = realloc(t->versions, (t->nversions + 1) * sizeof *grown);
	if (!grown) {
		tariff_version_free(v);
		return KERR_NOMEM;
	}
	t->versions = grown;
	for (at = t->nversions; at > 0 &&
				t->versions[at - 1]->effective_from > v->effective_from;
	     at--)
		t->versions[at] = t->versions[at - 1];
	t->versions[at] = v;
	t->nversions++;
	return KERR_OK;
conflict:
	tariff_version_free(v);
	return KERR_CONFLICT;
}

bool tariff_lookup(const struct tariff *t, const char *code, int32_t date,
		   struct tariff_match *out)
{
	for (size_t i = t ? t->nversions : 0; i > 0; i--) {
		const struct tariff_version *v = t->versions[i - 1];
		const struct tariff_line *l;

		if (v->effective_from > date)
			continue;
		if ((l = tariff_version_line(v, code))) {
			out->version = v;
			out->line = l;
			return true;
		}
		if (!v->amendment)
			break;
	}
	return false;
}

bool tariff_preference_covers(const struct tariff_preference *pref,
			      const char *origin)
{
	return origin && codes_is_capitals(origin, 2) &&
	       bsearch(origin, pref->origins, pref->norigins, sizeof pref->origins[0],
		       origin_cmp) != NULL;
}

const struct tariff_preference *tariff_preference_for(
	const struct tariff_line *line, const char *agreement, const char *origin)
{
	for (size_t i = 0; line && agreement && i < line->npreferences; i++) {
		const struct tariff_preference *pr = &line->preferences[i];

		if (!strcmp(pr->agreement->code, agreement) &&
		    tariff_preference_covers(pr, origin))
			return pr;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* text and JSON                                                       */

void tariff_rate_text(const struct tariff_rate *r, char *buf, size_t n)
{
	char pct[32], amount[32];

	decimal_format_trim(r->ppm, PERCENT_SCALE, pct, sizeof pct);
	decimal_format_trim(r->per_unit, TARIFF_PER_UNIT_SCALE, amount, sizeof amount);
	switch (r->kind) {
	case TARIFF_RATE_AD_VALOREM:
		snprintf(buf, n, "%s%%", pct);
		break;
	case TARIFF_RATE_SPECIFIC:
		snprintf(buf, n, "%s CNY per %s", amount, r->unit);
		break;
	case TARIFF_RATE_COMPOUND:
		snprintf(buf, n, "%s%% + %s CNY per %s", pct, amount, r->unit);
		break;
	default:
		snprintf(buf, n, "none");
		break;
	}
}

/* Set obj[key] = v; false (v released) on failure. */
static bool put(json_t *obj, const char *key, json_t *v)
{
	return v && json_object_set_new(obj, key, v) == 0;
}

json_t *tariff_rate_to_json(const struct tariff_rate *r)
{
	json_t *j;
	bool ok = true;

	if (r->kind == TARIFF_RATE_NONE)
		return json_null();
	if (!(j = json_object()))
		return NULL;
	if (r->kind != TARIFF_RATE_SPECIFIC)
		ok = put(j, "percent", fields_decimal_json_trim(r->ppm, PERCENT_SCALE));
	if (ok && r->kind != TARIFF_RATE_AD_VALOREM)
		ok = put(j, "per_unit", fields_decimal_json_trim(r->per_unit,
							  TARIFF_PER_UNIT_SCALE)) &&
		     put(j, "unit", json_string(r->unit));
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *preference_json(const struct tariff_preference *pr)
{
	json_t *origins = json_array();

	for (size_t i = 0; origins && i < pr->norigins; i++) {
		if (json_array_append_new(origins, json_string(pr->origins[i]))) {
			json_decref(origins);
			return NULL;
		}
	}
	return json_pack("{s:s, s:o, s:o}", "agreement", pr->agreement->code,
			 "origins", origins, "duty", tariff_rate_to_json(&pr->duty));
}

json_t *tariff_line_to_json(const struct tariff_line *l)
{
	json_t *j = json_pack("{s:s, s:o, s:o, s:o}", "code", l->code, "mfn",
			      tariff_rate_to_json(&l->mfn), "vat_percent",
			      fields_decimal_json_trim(l->vat_ppm, PERCENT_SCALE),
			      "export_refund_percent",
			      fields_decimal_json_trim(l->export_refund_ppm, PERCENT_SCALE));
	json_t *prefs;

	if (!j)
		return NULL;
	if ((l->description && !put(j, "description", json_string(l->description))) ||
	    (l->has_provisional &&
	     !put(j, "provisional", tariff_rate_to_json(&l->provisional))) ||
	    (l->consumption.kind != TARIFF_RATE_NONE &&
	     !put(j, "consumption_tax", tariff_rate_to_json(&l->consumption))))
		goto fail;
	if (l->npreferences) {
		if (!put(j, "preferential", prefs = json_array()))
			goto fail;
		for (size_t i = 0; i < l->npreferences; i++)
			if (json_array_append_new(prefs,
						  preference_json(&l->preferences[i])))
				goto fail;
	}
	return j;
fail:
	json_decref(j);
	return NULL;
}

json_t *tariff_version_to_json(const struct tariff_version *v)
{
	char day[KDATE_TEXT_MAX];
	json_t *j, *agreements, *lines;

	kdate_format(v->effective_from, day);
	j = json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", v->id, "effective_from",
		      day, "kind", v->amendment ? "amendment" : "full", "agreements",
		      agreements = json_array(), "lines", lines = json_array());
	if (!j)
		return NULL;
	if (v->description && !put(j, "description", json_string(v->description)))
		goto fail;
	for (size_t i = 0; i < v->nagreements; i++) {
		const struct tariff_agreement *g = &v->agreements[i];
		json_t *a = json_pack("{s:s, s:s}", "code", g->code, "name_en", g->name_en);

		if (json_array_append_new(agreements, a) ||
		    (g->name_zh[0] && !put(a, "name_zh", json_string(g->name_zh))))
			goto fail;
	}
	for (size_t i = 0; i < v->nlines; i++)
		if (json_array_append_new(lines, tariff_line_to_json(&v->lines[i])))
			goto fail;
	return j;
fail:
	json_decref(j);
	return NULL;
}
