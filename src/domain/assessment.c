/*
 * assessment.c - valuation, duty, consumption tax and VAT of a declaration
 * (see assessment.h for the rules).
 *
 * Every tax is one exact 128-bit expression rounded once, half up, to the
 * fen. The computation must never allocate, read anything but its
 * arguments, use floating point, or build JSON; only assessment_to_json
 * does, after the fact.
 */
#include "domain/assessment.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/fields.h"

#define PERCENT_SCALE 4
#define QUANTITY_SCALE 5
#define EXCHANGE_ONE INT64_C(100000000) /* 10^EXCHANGE_SCALE */
/* value (fen, 10^-2) x ppm (10^-6) is in 10^-8 CNY, quantity (10^-5) x
 * per_unit (10^-4) in 10^-9 CNY: both are carried in 10^-9 CNY, and one
 * fen is 10^7 of those. */
#define NANO_PER_FEN 10000000

typedef decimal_wide wide;

static const struct {
	char code[4];
	enum valuation_basis basis;
} incoterms[] = {
	{ "EXW", VALUATION_FOB }, { "FCA", VALUATION_FOB }, { "FAS", VALUATION_FOB },
	{ "FOB", VALUATION_FOB }, { "CFR", VALUATION_CFR }, { "CPT", VALUATION_CFR },
	{ "CIF", VALUATION_CIF }, { "CIP", VALUATION_CIF }, { "DAP", VALUATION_CIF },
	{ "DPU", VALUATION_CIF }, { "DDP", VALUATION_CIF },
};

bool assessment_incoterm_basis(const char *incoterm, enum valuation_basis *out)
{
	for (size_t i = 0; incoterm && i < sizeof incoterms / sizeof incoterms[0]; i++) {
		if (!strcmp(incoterms[i].code, incoterm)) {
			*out = incoterms[i].basis;
			return true;
		}
	}
	return false;
}

const char *valuation_basis_name(enum valuation_basis b)
{
	switch (b) {
	case VALUATION_FOB:
		return "FOB";
	case VALUATION_CFR:
		return "CFR";
	case VALUATION_CIF:
		return "CIF";
	}
	return "?";
}

const char *duty_basis_name(enum duty_basis b)
{
	switch (b) {
	case DUTY_BASIS_MFN:
		return "mfn";
	case DUTY_BASIS_PROVISIONAL:
		return "provisional";
	case DUTY_BASIS_PREFERENTIAL:
		return "preferential";
	case DUTY_BASIS_NONE:
		break;
	}
	return "none";
}

static size_t problem_count(const struct problems *p)
{
	return p->count + p->dropped;
}

/* ------------------------------------------------------------------ */
/* the input                                                           */

static void check_amount(struct problems *p, const char *field, int64_t v)
{
	char max[32];

	if (v < 0) {
		problems_add(p, field, "must not be negative");
	} else if (v > ASSESS_AMOUNT_MAX) {
		decimal_format(ASSESS_AMOUNT_MAX, 2, max, sizeof max);
		problems_add(p, field, "must be at most %s", max);
	}
}

static void check_items(const struct assess_input *in, struct problems *p)
{
	char f[PROBLEM_FIELD_MAX], max[32];

	if (in->nitems == 0) {
		problems_add(p, "/items", "must have at least one item");
		return;
	}
	if (in->nitems > ASSESS_MAX_ITEMS) {
		problems_add(p, "/items", "has %zu items; at most %d are accepted",
			     in->nitems, ASSESS_MAX_ITEMS);
		return;
	}
	for (size_t i = 0; i < in->nitems; i++) {
		const struct assess_item *it = &in->items[i];

		if (!codes_is_digits(it->hs_code, 10)) {
			snprintf(f, sizeof f, "/items/%zu/hs_code", i);
			problems_add(p, f, "must be a 10-digit commodity code");
		}
		if (it->quantity <= 0) {
			snprintf(f, sizeof f, "/items/%zu/quantity", i);
			problems_add(p, f, "must be greater than zero");
		} else if (it->quantity > ASSESS_QUANTITY_MAX) {
			snprintf(f, sizeof f, "/items/%zu/quantity", i);
			decimal_format_trim(ASSESS_QUANTITY_MAX, QUANTITY_SCALE, max,
					    sizeof max);
			problems_add(p, f, "must be at most %s", max);
		}
		if (!codes_is_digits(it->unit, 3)) {
			snprintf(f, sizeof f, "/items/%zu/unit", i);
			problems_add(p, f, "must be a 3-digit customs unit code such as \"035\"");
		}
		if (it->value < 0) {
			snprintf(f, sizeof f, "/items/%zu/unit_price", i);
			problems_add(p, f, "must not be negative (the item's value is "
					   "quantity x unit_price)");
		} else if (it->value > ASSESS_AMOUNT_MAX) {
			snprintf(f, sizeof f, "/items/%zu/unit_price", i);
			decimal_format(ASSESS_AMOUNT_MAX, 2, max, sizeof max);
			problems_add(p, f, "gives the item a value above %s", max);
		}
		if (!codes_is_capitals(it->origin, 2)) {
			snprintf(f, sizeof f, "/items/%zu/origin_country", i);
			problems_add(p, f, "must be an ISO 3166-1 alpha-2 country code such as \"VN\"");
		}
	}
}

/* What the Incoterm needs declared, and an export's deductions. */
static void check_freight(const struct assess_input *in, enum valuation_basis b,
			  struct problems *p)
{
	int64_t goods = 0, deducted;
	char a[32], g[32];

	if (in->import && b == VALUATION_FOB && !in->has_freight)
		problems_add(p, "/freight",
			     "is required for an import under %s: the customs value "
			     "(CIF) adds the freight to the price", in->incoterm);
	if (in->import)
		return;
	if (b != VALUATION_FOB && !in->has_freight)
		problems_add(p, "/freight",
			     "is required for an export under %s: the FOB value "
			     "deducts the freight from the price", in->incoterm);
	if (b == VALUATION_CIF && !in->has_insurance)
		problems_add(p, "/insurance",
			     "is required for an export under %s: the FOB value "
			     "deducts the insurance from the price", in->incoterm);
	if (b == VALUATION_FOB || in->nitems == 0 || in->nitems > ASSESS_MAX_ITEMS)
		return;
	for (size_t i = 0; i < in->nitems; i++)
		goods += in->items[i].value > 0 && in->items[i].value <= ASSESS_AMOUNT_MAX
				 ? in->items[i].value : 0;
	deducted = (in->has_freight && in->freight > 0 ? in->freight : 0) +
		   (b == VALUATION_CIF && in->has_insurance && in->insurance > 0
			    ? in->insurance : 0);
	if (deducted > goods) {
		decimal_format(deducted, 2, a, sizeof a);
		decimal_format(goods, 2, g, sizeof g);
		problems_add(p, "/freight",
			     "with insurance comes to %s, more than the goods value %s: "
			     "the FOB value of an export cannot be negative", a, g);
	}
}

kerr assessment_check(const struct assess_input *in, struct problems *p)
{
	size_t before = problem_count(p);
	enum valuation_basis basis = VALUATION_CIF;
	bool basis_ok;
	char f[PROBLEM_FIELD_MAX];

	if (!in->incoterm) {
		problems_add(p, "/incoterm", "is required");
		basis_ok = false;
	} else if (!(basis_ok = assessment_incoterm_basis(in->incoterm, &basis))) {
		problems_add(p, "/incoterm",
			     "'%.8s' is not an Incoterms 2020 rule (EXW, FCA, FAS, FOB, "
			     "CFR, CPT, CIF, CIP, DAP, DPU, DDP)", in->incoterm);
	}
	if (!in->currency)
		problems_add(p, "/currency", "is required");
	else if (!codes_is_capitals(in->currency, 3))
		problems_add(p, "/currency", "must be an ISO 4217 currency code such as \"USD\"");
	if (in->has_freight)
		check_amount(p, "/freight", in->freight);
	if (in->has_insurance)
		check_amount(p, "/insurance", in->insurance);
	check_items(in, p);
	if (basis_ok)
		check_freight(in, basis, p);
	if (in->ndocuments > ASSESS_MAX_DOCUMENTS)
		problems_add(p, "/documents", "has %zu documents; at most %d are accepted",
			     in->ndocuments, ASSESS_MAX_DOCUMENTS);
	for (size_t i = 0; i < in->ndocuments && i < ASSESS_MAX_DOCUMENTS; i++) {
		const struct assess_document *d = &in->documents[i];

		if (d->agreement && (!d->number || !*d->number)) {
			snprintf(f, sizeof f, "/documents/%zu/number", i);
			problems_add(p, f, "is required: a certificate of origin is "
					   "identified by its number");
		}
	}
	if (in->declared.present) {
		check_amount(p, "/declared_taxes/duty", in->declared.duty);
		check_amount(p, "/declared_taxes/consumption_tax",
			     in->declared.consumption_tax);
		check_amount(p, "/declared_taxes/vat", in->declared.vat);
	}
	return problem_count(p) == before ? KERR_OK : KERR_INVALID;
}

/* ------------------------------------------------------------------ */
/* arithmetic                                                          */

/* Duty of a rate: value x ppm + quantity x per_unit, one rounding. */
static bool duty_of(const struct tariff_rate *r, int64_t value, int64_t quantity,
		    int64_t *out)
{
	wide nano = 0;

	if (r->kind == TARIFF_RATE_AD_VALOREM || r->kind == TARIFF_RATE_COMPOUND)
		nano += (wide)value * r->ppm * 10;
	if (r->kind == TARIFF_RATE_SPECIFIC || r->kind == TARIFF_RATE_COMPOUND)
		nano += (wide)quantity * r->per_unit;
	return decimal_div_round(nano, NANO_PER_FEN, out) == DECIMAL_OK;
}

/* Consumption tax on base = value + duty (fen): with S = quantity x
 * per_unit and r the ad valorem rate, (base + S) / (1 - r) x r + S; one
 * rounding of [(base + S) r + S (1 - r)] / (1 - r). */
static bool excise_of(const struct tariff_rate *r, int64_t base, int64_t quantity,
		      int64_t *out)
{
	wide s = 0, a, num, den;
	int64_t ppm = 0;

	if (r->kind == TARIFF_RATE_NONE) {
		*out = 0;
		return true;
	}
	if (r->kind == TARIFF_RATE_SPECIFIC || r->kind == TARIFF_RATE_COMPOUND)
		s = (wide)quantity * r->per_unit;
	if (r->kind == TARIFF_RATE_AD_VALOREM || r->kind == TARIFF_RATE_COMPOUND)
		ppm = r->ppm;
	a = (wide)base * NANO_PER_FEN + s;
	num = a * ppm + s * (TARIFF_PPM - ppm);
	den = (wide)(TARIFF_PPM - ppm) * NANO_PER_FEN;
	return decimal_div_round(num, den, out) == DECIMAL_OK;
}

static bool has_specific(const struct tariff_rate *r)
{
	return r->kind == TARIFF_RATE_SPECIFIC || r->kind == TARIFF_RATE_COMPOUND;
}

/* A specific rate needs the quantity in its unit. */
static bool unit_fits(const struct tariff_rate *r, const struct assess_item *it,
		      const struct tariff_line *l, size_t i, const char *what,
		      struct problems *p)
{
	char f[PROBLEM_FIELD_MAX];

	if (!has_specific(r) || !strcmp(r->unit, it->unit))
		return true;
	snprintf(f, sizeof f, "/items/%zu/unit", i);
	problems_add(p, f,
		     "is %s, but the specific %s of tariff line %s is per %s: "
		     "declare the quantity in %s", it->unit, what, l->code, r->unit,
		     r->unit);
	return false;
}

static void held(struct assessment *a, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void held(struct assessment *a, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (a->status == ASSESS_HELD)
		return; /* the first reason stands */
	a->status = ASSESS_HELD;
	str_copy(a->held_field, field, sizeof a->held_field);
	va_start(ap, fmt);
	vsnprintf(a->held_reason, sizeof a->held_reason, fmt, ap);
	va_end(ap);
}

/* The first certificate of origin for an agreement, or NULL. */
static const struct assess_document *certificate(const struct assess_input *in,
						 const char *agreement)
{
	for (size_t i = 0; i < in->ndocuments; i++)
		if (in->documents[i].agreement &&
		    !strcmp(in->documents[i].agreement, agreement))
			return &in->documents[i];
	return NULL;
}

/* Choose the duty of an import item, and record what the explanation
 * needs (assessment_duty_reason words it later, off this path). */
static bool assess_duty(const struct assess_input *in, size_t i,
			struct assessed_item *it, struct problems *p)
{
	const struct assess_item *src = &in->items[i];
	const struct tariff_line *l = it->line;
	const struct tariff_rate *base = l->has_provisional ? &l->provisional : &l->mfn;
	const struct tariff_preference *won = NULL;
	const struct assess_document *won_doc = NULL;
	int64_t best, amount;
	char f[PROBLEM_FIELD_MAX];

	if (!unit_fits(base, src, l, i, "duty", p))
		return false;
	if (!duty_of(base, it->value_cny, src->quantity, &best))
		goto range;
	it->basis = l->has_provisional ? DUTY_BASIS_PROVISIONAL : DUTY_BASIS_MFN;
	it->duty_rate = base;
	for (size_t k = 0; k < l->npreferences; k++) {
		const struct tariff_preference *pr = &l->preferences[k];
		const struct assess_document *doc;

		if (!tariff_preference_covers(pr, src->origin))
			continue;
		if (!(doc = certificate(in, pr->agreement->code))) {
			if (!it->uncertified)
				it->uncertified = pr;
			continue;
		}
		if (!unit_fits(&pr->duty, src, l, i, "duty", p))
			return false;
		if (!duty_of(&pr->duty, it->value_cny, src->quantity, &amount))
			goto range;
		if (amount < best) {
			if (won && !it->not_lower)
				it->not_lower = won;
			best = amount;
			won = pr;
			won_doc = doc;
		} else if (!it->not_lower) {
			it->not_lower = pr;
		}
	}
	it->duty = best;
	if (won) {
		it->basis = DUTY_BASIS_PREFERENTIAL;
		it->duty_rate = &won->duty;
		it->agreement = won->agreement;
		str_copy(it->certificate, won_doc->number, sizeof it->certificate);
	}
	return true;
range:
	snprintf(f, sizeof f, "/items/%zu", i);
	problems_add(p, f, "the duty is out of range");
	return false;
}

void assessment_duty_reason(const struct assessment *a, size_t i, char *buf,
			    size_t n)
{
	const struct assessed_item *it = &a->items[i];
	const struct tariff_line *l = it->line;
	char base[176], rate[64], mfn[64];
	size_t len;

	if (!n)
		return;
	buf[0] = '\0';
	if (i >= a->nitems || !a->import || !l || !it->duty_rate)
		return;
	tariff_rate_text(l->has_provisional ? &l->provisional : &l->mfn, rate, sizeof rate);
	tariff_rate_text(&l->mfn, mfn, sizeof mfn);
	if (l->has_provisional)
		snprintf(base, sizeof base, "provisional rate %s (replacing MFN %s)", rate, mfn);
	else
		snprintf(base, sizeof base, "MFN rate %s", rate);
	if (it->basis == DUTY_BASIS_PREFERENTIAL) {
		tariff_rate_text(it->duty_rate, rate, sizeof rate);
		snprintf(buf, n, "%s rate %s: %s certificate of origin %s, origin %s; lower "
				 "than the %s", it->agreement->code, rate, it->agreement->code,
			 it->certificate, it->origin, base);
		return;
	}
	len = (size_t)snprintf(buf, n, "%s", base);
	if (it->uncertified && len < n) {
		tariff_rate_text(&it->uncertified->duty, rate, sizeof rate);
		len += (size_t)snprintf(buf + len, n - len,
					": origin %s qualifies for %s %s, but the "
					"declaration carries no %s certificate of origin",
					it->origin, it->uncertified->agreement->code, rate,
					it->uncertified->agreement->code);
	}
	if (it->not_lower && len < n) {
		tariff_rate_text(&it->not_lower->duty, rate, sizeof rate);
		len += (size_t)snprintf(buf + len, n - len,
					"%s the %s rate %s for origin %s is not lower",
					it->uncertified ? ";" : ":",
					it->not_lower->agreement->code, rate, it->origin);
	}
	if (!it->uncertified && !it->not_lower && len < n)
		snprintf(buf + len, n - len,
			 l->npreferences ? ": no preferential rate on this line covers "
					   "origin %s"
					 : ": the line has no preferential rate",
			 it->origin);
}

/* The consumption tax of an import item on value + the duty counted. */
static bool assess_excise(const struct assess_input *in, size_t i,
			  struct assessed_item *it, struct problems *p)
{
	int64_t base;
	char f[PROBLEM_FIELD_MAX];

	if (!__builtin_add_overflow(it->value_cny, it->duty_in_base, &base) &&
	    excise_of(&it->line->consumption, base, in->items[i].quantity,
		      &it->consumption_tax))
		return true;
	snprintf(f, sizeof f, "/items/%zu", i);
	problems_add(p, f, "the consumption tax is out of range");
	return false;
}

/* The VAT of an import item on value + the duty and tax counted. */
static bool assess_vat(size_t i, struct assessed_item *it, struct problems *p)
{
	char f[PROBLEM_FIELD_MAX];

	if (!__builtin_add_overflow(it->value_cny, it->duty_in_base, &it->vat_base) &&
	    !__builtin_add_overflow(it->vat_base, it->consumption_tax_in_base,
				    &it->vat_base) &&
	    decimal_muldiv(it->vat_base, it->line->vat_ppm, TARIFF_PPM, &it->vat) ==
		    DECIMAL_OK)
		return true;
	snprintf(f, sizeof f, "/items/%zu", i);
	problems_add(p, f, "the VAT is out of range");
	return false;
}

/* The declaration's freight and insurance in the currency (see rule 2). */
static bool freight_and_insurance(const struct assess_input *in,
				  struct assessment *a)
{
	int64_t f = in->has_freight ? in->freight : 0;
	int64_t ins = in->has_insurance ? in->insurance : 0;

	a->freight = 0;
	a->insurance = 0;
	if (!in->import) {
		if (a->basis != VALUATION_FOB)
			a->freight = f;
		if (a->basis == VALUATION_CIF)
			a->insurance = ins;
		return true;
	}
	if (a->basis == VALUATION_CIF)
		return true;
	if (a->basis == VALUATION_FOB)
		a->freight = f;
	if (ins > 0) {
		a->insurance = ins;
		return true;
	}
	a->insurance_estimated = true;
	return decimal_muldiv(a->goods + a->freight, ASSESS_INSURANCE_PPM, TARIFF_PPM,
			      &a->insurance) == DECIMAL_OK;
}

static void total_of(struct assessed_total *t)
{
	t->waived = t->computed > 0 && t->computed <= ASSESS_WAIVER_FEN;
	t->due = t->waived ? 0 : t->computed;
}

kerr assessment_compute(const struct assess_input *in, const struct tariff *tariff,
			const struct exchange_table *rates, struct assessment *out,
			struct problems *p)
{
	size_t before = problem_count(p);
	int64_t weights[ASSESS_MAX_ITEMS], fshare[ASSESS_MAX_ITEMS],
		ishare[ASSESS_MAX_ITEMS];
	char f[PROBLEM_FIELD_MAX], day[KDATE_TEXT_MAX], month[KMONTH_TEXT_MAX];
	kerr e;

	if ((e = assessment_check(in, p)))
		return e;
	memset(out, 0, offsetof(struct assessment, items));
	out->status = ASSESS_ASSESSED;
	out->import = in->import;
	str_copy(out->incoterm, in->incoterm, sizeof out->incoterm);
	str_copy(out->currency, in->currency, sizeof out->currency);
	assessment_incoterm_basis(in->incoterm, &out->basis);
	out->date = kdate_of_instant(in->accepted_at_us, KDATE_CHINA_OFFSET_MIN);
	out->rate_month = kmonth_of_date(out->date);
	out->declared = in->declared;
	out->nitems = in->nitems;
	if (!exchange_find(rates, in->currency, out->rate_month, &out->rate)) {
		kmonth_format(out->rate_month, month);
		held(out, "/currency", "no exchange rate for %s in %s", in->currency, month);
		return KERR_OK;
	}

	for (size_t i = 0; i < in->nitems; i++) {
		out->goods += in->items[i].value; /* <= 50 x 10^15: no overflow */
		weights[i] = in->items[i].value;
	}
	if (!freight_and_insurance(in, out) ||
	    !decimal_allocate(out->freight, weights, in->nitems, fshare))
		goto range;
	for (size_t i = 0; i < in->nitems; i++)
		weights[i] = in->import ? in->items[i].value + fshare[i]
					: in->items[i].value - fshare[i];
	if (!decimal_allocate(out->insurance, weights, in->nitems, ishare))
		goto range;

	for (size_t i = 0; i < in->nitems; i++) {
		const struct assess_item *src = &in->items[i];
		struct assessed_item *it = &out->items[i];
		struct tariff_match m;

		memset(it, 0, sizeof *it);
		/* lengths checked by assessment_check: 10, 2 and 3 */
		memcpy(it->hs_code, src->hs_code, 11);
		memcpy(it->origin, src->origin, 3);
		memcpy(it->unit, src->unit, 4);
		it->quantity = src->quantity;
		it->goods = src->value;
		it->freight = fshare[i];
		it->insurance = ishare[i];
		it->value = in->import ? src->value + fshare[i] + ishare[i]
				       : src->value - fshare[i] - ishare[i];
		out->value += it->value;
		if (decimal_muldiv(it->value, out->rate, EXCHANGE_ONE, &it->value_cny) !=
			    DECIMAL_OK ||
		    __builtin_add_overflow(out->value_cny, it->value_cny, &out->value_cny)) {
			snprintf(f, sizeof f, "/items/%zu", i);
			problems_add(p, f, "the customs value in CNY is out of range");
			continue;
		}
		if (tariff_lookup(tariff, src->hs_code, out->date, &m)) {
			it->version = m.version;
			it->line = m.line;
		} else if (in->import) {
			snprintf(f, sizeof f, "/items/%zu/hs_code", i);
			kdate_format(out->date, day);
			held(out, f, "no tariff line for %s is in force on %s", src->hs_code,
			     day);
			continue;
		}
		if (!in->import)
			continue;
		if (!assess_duty(in, i, it, p) ||
		    !unit_fits(&it->line->consumption, src, it->line, i,
			       "consumption tax", p))
			continue;
		if (__builtin_add_overflow(out->duty.computed, it->duty, &out->duty.computed))
			goto range;
	}
	if (problem_count(p) != before)
		return KERR_INVALID;
	if (out->status == ASSESS_HELD || !in->import)
		return KERR_OK;

	/* Each tax is judged against the waiver before the next is computed:
	 * a later tax's base counts what is collected of the earlier ones. */
	total_of(&out->duty);
	for (size_t i = 0; i < in->nitems; i++) {
		struct assessed_item *it = &out->items[i];

		it->duty_in_base = out->duty.waived ? 0 : it->duty;
		if (!assess_excise(in, i, it, p) ||
		    __builtin_add_overflow(out->consumption_tax.computed,
					   it->consumption_tax,
					   &out->consumption_tax.computed))
			goto range;
	}
	total_of(&out->consumption_tax);
	for (size_t i = 0; i < in->nitems; i++) {
		struct assessed_item *it = &out->items[i];

		it->consumption_tax_in_base =
			out->consumption_tax.waived ? 0 : it->consumption_tax;
		if (!assess_vat(i, it, p) ||
		    __builtin_add_overflow(out->vat.computed, it->vat, &out->vat.computed))
			goto range;
	}
	total_of(&out->vat);
	out->total_due = out->duty.due + out->consumption_tax.due + out->vat.due;
	if (in->declared.present) {
		out->diff_duty = in->declared.duty - out->duty.due;
		out->diff_consumption_tax =
			in->declared.consumption_tax - out->consumption_tax.due;
		out->diff_vat = in->declared.vat - out->vat.due;
		out->differs = out->diff_duty || out->diff_consumption_tax || out->diff_vat;
	}
	return KERR_OK;
range:
	if (problem_count(p) == before)
		problems_add(p, "", "the declaration's amounts are out of range");
	return KERR_INVALID;
}

/* ------------------------------------------------------------------ */
/* declared taxes and certificates                                     */

bool assessment_declared_parse(const json_t *obj, const char *at,
			       struct assess_declared *out, struct problems *p)
{
	struct fields fs = {.p = p};
	static const char *const fields[] = { "duty", "consumption_tax", "vat", NULL };
	size_t before = problem_count(p);

	memset(out, 0, sizeof *out);
	if (!json_is_object(obj)) {
		problems_add(p, at, "must be an object with duty, consumption_tax and vat "
				    "(CNY, as decimal strings)");
		return false;
	}
	problems_unknown_fields(p, obj, at, fields, "duty, consumption_tax, vat");
	fields_decimal_max(&fs, obj, "duty", at, 2, true, false, ASSESS_AMOUNT_MAX,
			   &out->duty);
	fields_decimal_max(&fs, obj, "consumption_tax", at, 2, true, false,
			   ASSESS_AMOUNT_MAX, &out->consumption_tax);
	fields_decimal_max(&fs, obj, "vat", at, 2, true, false, ASSESS_AMOUNT_MAX,
			   &out->vat);
	out->present = problem_count(p) == before;
	return out->present;
}

const char *assessment_certificate_agreement(const struct refdata *ref,
					     const char *document_type)
{
	const struct ref_entry *e =
		ref && document_type ? refdata_find(ref, "document_types", document_type)
				     : NULL;

	return e ? json_string_value(json_object_get(e->data, "agreement")) : NULL;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static json_t *money(int64_t fen)
{
	return fields_decimal_json(fen, 2);
}

static json_t *nullable_string(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The computation of a rate on a value, in words and figures. */
static void duty_text(const struct tariff_rate *r, int64_t value,
		      int64_t quantity, const char *unit, int64_t amount, char *buf,
		      size_t n)
{
	char v[32], pct[32], q[32], per[32], a[32];

	decimal_format(value, 2, v, sizeof v);
	decimal_format_trim(r->ppm, PERCENT_SCALE, pct, sizeof pct);
	decimal_format_trim(quantity, QUANTITY_SCALE, q, sizeof q);
	decimal_format_trim(r->per_unit, TARIFF_PER_UNIT_SCALE, per, sizeof per);
	decimal_format(amount, 2, a, sizeof a);
	if (r->kind == TARIFF_RATE_AD_VALOREM)
		snprintf(buf, n, "%s x %s%% = %s", v, pct, a);
	else if (r->kind == TARIFF_RATE_SPECIFIC)
		snprintf(buf, n, "%s (%s) x %s = %s", q, unit, per, a);
	else
		snprintf(buf, n, "%s x %s%% + %s (%s) x %s = %s", v, pct, q, unit, per, a);
}

static void excise_text(const struct tariff_rate *r, int64_t value, int64_t duty,
			int64_t quantity, const char *unit, int64_t amount,
			char *buf, size_t n)
{
	char v[32], d[32], pct[32], q[32], per[32], a[32];

	decimal_format(value, 2, v, sizeof v);
	decimal_format(duty, 2, d, sizeof d);
	decimal_format_trim(r->ppm, PERCENT_SCALE, pct, sizeof pct);
	decimal_format_trim(quantity, QUANTITY_SCALE, q, sizeof q);
	decimal_format_trim(r->per_unit, TARIFF_PER_UNIT_SCALE, per, sizeof per);
	decimal_format(amount, 2, a, sizeof a);
	if (r->kind == TARIFF_RATE_AD_VALOREM)
		snprintf(buf, n, "(%s + %s) / (1 - %s%%) x %s%% = %s", v, d, pct, pct, a);
	else if (r->kind == TARIFF_RATE_SPECIFIC)
		snprintf(buf, n, "%s (%s) x %s = %s", q, unit, per, a);
	else if (r->kind == TARIFF_RATE_COMPOUND)
		snprintf(buf, n,
			 "(%s + %s + %s (%s) x %s) / (1 - %s%%) x %s%% + %s (%s) x %s = %s",
			 v, d, q, unit, per, pct, pct, q, unit, per, a);
	else
		snprintf(buf, n, "none");
}

static json_t *tariff_json(const struct assessed_item *it)
{
	char day[KDATE_TEXT_MAX];

	if (!it->line)
		return json_null();
	kdate_format(it->version->effective_from, day);
	return json_pack("{s:s, s:s, s:s, s:o}", "version", it->version->id,
			 "effective_from", day, "kind",
			 it->version->amendment ? "amendment" : "full", "line",
			 tariff_line_to_json(it->line));
}

static json_t *import_taxes_json(const struct assessment *a, size_t i, json_t *j)
{
	const struct assessed_item *it = &a->items[i];
	const struct tariff_line *l = it->line;
	char text[512], reason[ASSESS_REASON_MAX], rate[64], base[32], pct[32], amount[32];

	tariff_rate_text(it->duty_rate, rate, sizeof rate);
	duty_text(it->duty_rate, it->value_cny, it->quantity, it->unit, it->duty, text,
		  sizeof text);
	assessment_duty_reason(a, i, reason, sizeof reason);
	if (json_object_set_new(
		    j, "duty",
		    json_pack("{s:s, s:o, s:o, s:o, s:s, s:o, s:s, s:s}", "basis",
			      duty_basis_name(it->basis), "agreement",
			      nullable_string(it->agreement ? it->agreement->code : NULL),
			      "certificate", nullable_string(it->certificate), "rate",
			      tariff_rate_to_json(it->duty_rate), "rate_text", rate,
			      "amount", money(it->duty), "computation", text, "reason",
			      reason)))
		return NULL;
	tariff_rate_text(&l->consumption, rate, sizeof rate);
	excise_text(&l->consumption, it->value_cny, it->duty_in_base, it->quantity,
		    it->unit, it->consumption_tax, text, sizeof text);
	if (json_object_set_new(j, "consumption_tax",
				json_pack("{s:o, s:s, s:o, s:s}", "rate",
					  tariff_rate_to_json(&l->consumption),
					  "rate_text", rate, "amount",
					  money(it->consumption_tax), "computation",
					  text)))
		return NULL;
	decimal_format(it->vat_base, 2, base, sizeof base);
	decimal_format_trim(l->vat_ppm, PERCENT_SCALE, pct, sizeof pct);
	decimal_format(it->vat, 2, amount, sizeof amount);
	snprintf(text, sizeof text, "%s x %s%% = %s", base, pct, amount);
	if (json_object_set_new(j, "vat",
				json_pack("{s:s, s:o, s:o, s:s}", "percent", pct, "base",
					  money(it->vat_base), "amount", money(it->vat),
					  "computation", text)))
		return NULL;
	return j;
}

static json_t *item_json(const struct assessment *a, size_t i)
{
	const struct assessed_item *it = &a->items[i];
	json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
			      "item", (json_int_t)i, "hs_code", it->hs_code, "origin",
			      it->origin, "quantity",
			      fields_decimal_json_trim(it->quantity, QUANTITY_SCALE), "unit",
			      it->unit, "goods_value", money(it->goods), "freight",
			      money(it->freight), "insurance", money(it->insurance),
			      "customs_value", money(it->value), "customs_value_cny",
			      money(it->value_cny), "tariff", tariff_json(it));

	if (!j)
		return NULL;
	if (a->import ? !import_taxes_json(a, i, j)
		      : json_object_set_new(j, "export_refund_percent",
					    it->line ? fields_decimal_json_trim(
							       it->line->export_refund_ppm,
							       PERCENT_SCALE)
						     : json_null())) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *total_json(const struct assessed_total *t)
{
	return json_pack("{s:o, s:b, s:o}", "computed", money(t->computed), "waived",
			 t->waived, "due", money(t->due));
}

static json_t *three(int64_t duty, int64_t ct, int64_t vat)
{
	return json_pack("{s:o, s:o, s:o}", "duty", money(duty), "consumption_tax",
			 money(ct), "vat", money(vat));
}

json_t *assessment_to_json(const struct assessment *a)
{
	char day[KDATE_TEXT_MAX], month[KMONTH_TEXT_MAX];
	json_t *j, *items;

	kdate_format(a->date, day);
	kmonth_format(a->rate_month, month);
	if (a->status == ASSESS_HELD)
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "status",
				 "held", "reason", a->held_reason, "field", a->held_field,
				 "direction", a->import ? "import" : "export", "date", day,
				 "rate_month", month, "currency", a->currency, "incoterm",
				 a->incoterm);
	j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:o},"
		" s:o, s:o, s:o, s:b, s:o, s:o, s:o}",
		"status", "assessed", "direction", a->import ? "import" : "export",
		"date", day, "incoterm", a->incoterm, "valuation_basis",
		valuation_basis_name(a->basis), "currency", a->currency,
		"exchange_rate", "currency", a->currency, "month", month,
		"cny_per_unit", fields_decimal_json_trim(a->rate, EXCHANGE_SCALE),
		"goods_value", money(a->goods), "freight", money(a->freight), "insurance",
		money(a->insurance), "insurance_estimated", a->insurance_estimated,
		"customs_value", money(a->value), "customs_value_cny",
		money(a->value_cny), "items", items = json_array());
	if (!j)
		return NULL;
	for (size_t i = 0; i < a->nitems; i++)
		if (json_array_append_new(items, item_json(a, i)))
			goto fail;
	if (a->import &&
	    (json_object_set_new(j, "taxes",
				 json_pack("{s:o, s:o, s:o}", "duty", total_json(&a->duty),
					   "consumption_tax",
					   total_json(&a->consumption_tax), "vat",
					   total_json(&a->vat))) ||
	     json_object_set_new(j, "total_due", money(a->total_due))))
		goto fail;
	if (json_object_set_new(j, "declared_taxes",
				a->declared.present
					? three(a->declared.duty,
						a->declared.consumption_tax,
						a->declared.vat)
					: json_null()) ||
	    json_object_set_new(j, "differences",
				a->declared.present
					? three(a->diff_duty, a->diff_consumption_tax,
						a->diff_vat)
					: json_null()) ||
	    json_object_set_new(j, "differs", json_boolean(a->differs)))
		goto fail;
	return j;
fail:
	json_decref(j);
	return NULL;
}
