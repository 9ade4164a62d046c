/*
 * assess.c - the assessment benchmark: how many declarations a second one
 * core assesses with kouan's integer implementation (assessment_compute:
 * 64-bit amounts, 128-bit intermediates, one rounding per tax), beside a
 * baseline doing the same computation with decimal strings: every amount
 * a string of digits, every step exact arbitrary-precision arithmetic on
 * those strings (add, subtract, multiply, long division with rounding half
 * up), written here. Both run in the same process, alternately, in slices.
 *
 * A generated tariff (ad valorem, specific and compound duties, provisional
 * and preferential rates, consumption tax) and a stream of generated
 * declarations (1 to 5 items, imports and exports, every Incoterm basis,
 * certificates of origin, several currencies) come from a fixed seed.
 * Before timing, every declaration is assessed both ways and each item's
 * value in CNY, duty, consumption tax and VAT, and each total due, must be
 * the same to the fen; a difference ends the program with status 1.
 * Figures are printed, never asserted. It must never read or write
 * anything but stdout and stderr.
 *
 *   bench_assess [--lines N] [--decls N] [--rounds N] [--ms MS-PER-SLICE]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/assessment.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static volatile uint64_t sink; /* keeps the timed work from being optimised away */

static uint64_t next_u64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned below(unsigned n)
{
	return (unsigned)(next_u64() % n);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ================================================================== */
/* the baseline: decimal strings                                       */
/*                                                                     */
/* Unsigned integers are NUL-terminated strings of digits without      */
/* leading zeros ("0" for zero); decimals are "123.45" with their      */
/* scale given by the digits after the point.                          */

#define SD 160 /* room for any intermediate here */

static int u_cmp(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na != nb)
		return na < nb ? -1 : 1;
	return strcmp(a, b);
}

static void u_trim(char *s)
{
	size_t z = 0, n = strlen(s);

	while (z + 1 < n && s[z] == '0')
		z++;
	if (z)
		memmove(s, s + z, n - z + 1);
}

static void u_add(char *out, const char *a, const char *b)
{
	char t[SD];
	int i = (int)strlen(a) - 1, j = (int)strlen(b) - 1, k = SD - 1, carry = 0;

	t[k] = '\0';
	while (i >= 0 || j >= 0 || carry) {
		int s = carry + (i >= 0 ? a[i--] - '0' : 0) + (j >= 0 ? b[j--] - '0' : 0);

		t[--k] = (char)('0' + s % 10);
		carry = s / 10;
	}
	memmove(out, t + k, (size_t)(SD - k));
	if (!out[0]) {
		out[0] = '0';
		out[1] = '\0';
	}
}

/* a - b with a >= b */
static void u_sub(char *out, const char *a, const char *b)
{
	char t[SD];
	int i = (int)strlen(a) - 1, j = (int)strlen(b) - 1, k = SD - 1, borrow = 0;

	t[k] = '\0';
	while (i >= 0) {
		int s = (a[i--] - '0') - borrow - (j >= 0 ? b[j--] - '0' : 0);

		borrow = s < 0;
		t[--k] = (char)('0' + (s + 10) % 10);
	}
	memmove(out, t + k, (size_t)(SD - k));
	u_trim(out);
}

static void u_mul(char *out, const char *a, const char *b)
{
	int na = (int)strlen(a), nb = (int)strlen(b), acc[SD] = { 0 };
	int n = na + nb;

	for (int i = na - 1; i >= 0; i--)
		for (int j = nb - 1; j >= 0; j--)
			acc[i + j + 1] += (a[i] - '0') * (b[j] - '0');
	for (int k = n - 1; k > 0; k--) {
		acc[k - 1] += acc[k] / 10;
		acc[k] %= 10;
	}
	for (int k = 0; k < n; k++)
		out[k] = (char)('0' + acc[k]);
	out[n] = '\0';
	u_trim(out);
}

/* Schoolbook long division: q = a / b, r = a % b (b != "0"). */
static void u_divmod(char *q, char *r, const char *a, const char *b)
{
	char rem[SD] = "0", t[SD];
	size_t n = strlen(a), nq = 0;

	for (size_t i = 0; i < n; i++) {
		int digit = 0;
		size_t nr = strlen(rem);

		/* rem = rem * 10 + a[i] */
		if (nr == 1 && rem[0] == '0')
			nr = 0;
		rem[nr] = a[i];
		rem[nr + 1] = '\0';
		u_trim(rem);
		while (u_cmp(rem, b) >= 0) {
			u_sub(t, rem, b);
			memcpy(rem, t, strlen(t) + 1);
			digit++;
		}
		q[nq++] = (char)('0' + digit);
	}
	q[nq] = '\0';
	u_trim(q);
	if (r)
		memcpy(r, rem, strlen(rem) + 1);
}

/* A decimal string split into its digits (point removed) and scale. */
static int d_split(const char *s, char *digits)
{
	const char *dot = strchr(s, '.');
	size_t n = 0;

	for (; *s; s++)
		if (*s != '.')
			digits[n++] = *s;
	digits[n] = '\0';
	u_trim(digits);
	return dot ? (int)strlen(dot + 1) : 0;
}

static void d_join(char *out, const char *digits, int scale)
{
	size_t n = strlen(digits), k = 0;

	if ((int)n <= scale) { /* pad: 5 at scale 2 is 0.05 */
		out[k++] = '0';
		out[k++] = '.';
		for (int i = 0; i < scale - (int)n; i++)
			out[k++] = '0';
		memcpy(out + k, digits, n + 1);
		return;
	}
	memcpy(out, digits, n - (size_t)scale);
	k = n - (size_t)scale;
	if (scale) {
		out[k++] = '.';
		memcpy(out + k, digits + n - (size_t)scale, (size_t)scale);
		k += (size_t)scale;
	}
	out[k] = '\0';
}

static void u_pow10(char *out, const char *a, int k)
{
	size_t n = strlen(a);

	memcpy(out, a, n);
	if (!(n == 1 && a[0] == '0'))
		for (int i = 0; i < k; i++)
			out[n++] = '0';
	out[n] = '\0';
}

/* Two decimals brought to the same scale; returns it. */
static int d_align(const char *a, const char *b, char *da, char *db)
{
	char ta[SD], tb[SD];
	int sa = d_split(a, ta), sb = d_split(b, tb), s = sa > sb ? sa : sb;

	u_pow10(da, ta, s - sa);
	u_pow10(db, tb, s - sb);
	return s;
}

static void d_add(char *out, const char *a, const char *b)
{
	char da[SD], db[SD], t[SD];
	int s = d_align(a, b, da, db);

	u_add(t, da, db);
	d_join(out, t, s);
}

static void d_sub(char *out, const char *a, const char *b)
{
	char da[SD], db[SD], t[SD];
	int s = d_align(a, b, da, db);

	u_sub(t, da, db);
	d_join(out, t, s);
}

static int d_cmp(const char *a, const char *b)
{
	char da[SD], db[SD];

	d_align(a, b, da, db);
	return u_cmp(da, db);
}

static void d_mul(char *out, const char *a, const char *b)
{
	char da[SD], db[SD], t[SD];
	int sa = d_split(a, da), sb = d_split(b, db);

	u_mul(t, da, db);
	d_join(out, t, sa + sb);
}

/* a / b rounded half up to `scale` decimals (a, b >= 0, b > 0). */
static void d_div(char *out, const char *a, const char *b, int scale)
{
	char da[SD], db[SD], num[SD], den[SD], q[SD], r[SD], twice[SD], one[] = "1";
	int sa = d_split(a, da), sb = d_split(b, db);
	int k = sb + scale - sa;

	/* a / b * 10^scale = da * 10^(sb + scale - sa) / db */
	if (k >= 0) {
		u_pow10(num, da, k);
		memcpy(den, db, strlen(db) + 1);
	} else {
		memcpy(num, da, strlen(da) + 1);
		u_pow10(den, db, -k);
	}
	u_divmod(q, r, num, den);
	u_add(twice, r, r);
	if (u_cmp(twice, den) >= 0) {
		u_add(r, q, one);
		memcpy(q, r, strlen(r) + 1);
	}
	d_join(out, q, scale);
}

static void d_round(char *out, const char *a, int scale)
{
	d_div(out, a, "1", scale);
}

/* ------------------------------------------------------------------ */
/* the baseline's assessment                                           */

struct s_item {
	char value[32]; /* currency, 2 decimals */
	char qty[32];   /* 5 decimals */
};

/* A declaration as a string-based system holds it. */
struct s_decl {
	char freight[32]; /* "" when not declared */
	char insurance[32];
	struct s_item items[ASSESS_MAX_ITEMS];
};

/* What both implementations are compared on. */
struct outcome {
	char cny[ASSESS_MAX_ITEMS][40], duty[ASSESS_MAX_ITEMS][40], ct[ASSESS_MAX_ITEMS][40],
		vat[ASSESS_MAX_ITEMS][40];
	char due[40];
};

/* The string form of a rate: "0.13" for 13 %, per_unit "1.3". */
static void pct_string(uint32_t ppm, char *out)
{
	char t[32];

	snprintf(t, sizeof t, "%u", ppm);
	d_join(out, t, 6);
}

static void per_unit_string(int64_t v, char *out)
{
	char t[32];

	snprintf(t, sizeof t, "%" PRId64, v);
	d_join(out, t, TARIFF_PER_UNIT_SCALE);
}

/* value x rate + quantity x per_unit, rounded to the fen */
static void s_duty(char *out, const struct tariff_rate *r, const char *cny,
		   const char *qty)
{
	char rate[40], per[40], a[SD], b[SD], sum[SD];

	pct_string(r->kind == TARIFF_RATE_SPECIFIC ? 0 : r->ppm, rate);
	per_unit_string(r->kind == TARIFF_RATE_AD_VALOREM ? 0 : r->per_unit, per);
	d_mul(a, cny, rate);
	d_mul(b, qty, per);
	d_add(sum, a, b);
	d_round(out, sum, 2);
}

/* ((base + S) x r + S x (1 - r)) / (1 - r), S = quantity x per_unit */
static void s_excise(char *out, const struct tariff_rate *r, const char *base,
		     const char *qty)
{
	char rate[40], per[40], s[SD], rest[SD], a[SD], x[SD], y[SD], num[SD];

	if (r->kind == TARIFF_RATE_NONE) {
		memcpy(out, "0.00", 5);
		return;
	}
	pct_string(r->kind == TARIFF_RATE_SPECIFIC ? 0 : r->ppm, rate);
	per_unit_string(r->kind == TARIFF_RATE_AD_VALOREM ? 0 : r->per_unit, per);
	d_mul(s, qty, per);
	d_sub(rest, "1", rate);
	d_add(a, base, s);
	d_mul(x, a, rate);
	d_mul(y, s, rest);
	d_add(num, x, y);
	d_div(out, num, rest, 2);
}

/* Shares of `total` (a decimal, 2 places) by `weights` (decimals, 2
 * places): floor, then the largest remainders, as decimal_allocate. */
static void s_allocate(const char *total, char weights[][40], size_t n,
		       char shares[][40])
{
	char t[SD], sum[SD] = "0", w[ASSESS_MAX_ITEMS][SD], q[ASSESS_MAX_ITEMS][SD],
		r[ASSESS_MAX_ITEMS][SD], prod[SD], left[SD], acc[SD] = "0", tmp[SD];
	bool served[ASSESS_MAX_ITEMS] = { false };

	d_split(total, t);
	for (size_t i = 0; i < n; i++) {
		d_split(weights[i], w[i]);
		u_add(tmp, sum, w[i]);
		str_copy(sum, tmp, sizeof sum);
	}
	if (!strcmp(sum, "0")) {
		for (size_t i = 0; i < n; i++)
			str_copy(w[i], "1", sizeof w[i]);
		snprintf(sum, sizeof sum, "%zu", n);
	}
	for (size_t i = 0; i < n; i++) {
		u_mul(prod, t, w[i]);
		u_divmod(q[i], r[i], prod, sum);
		u_add(tmp, acc, q[i]);
		str_copy(acc, tmp, sizeof acc);
	}
	u_sub(left, t, acc);
	for (long k = strtol(left, NULL, 10); k > 0; k--) {
		size_t best = 0;
		bool any = false;

		for (size_t i = 0; i < n; i++) {
			if (served[i])
				continue;
			if (!any || u_cmp(r[i], r[best]) > 0) {
				best = i;
				any = true;
			}
		}
		served[best] = true;
		u_add(tmp, q[best], "1");
		str_copy(q[best], tmp, sizeof q[best]);
	}
	for (size_t i = 0; i < n; i++)
		d_join(shares[i], q[i], 2);
}

static const struct assess_document *s_certificate(const struct assess_input *in,
						   const char *agreement)
{
	for (size_t i = 0; i < in->ndocuments; i++)
		if (in->documents[i].agreement &&
		    !strcmp(in->documents[i].agreement, agreement))
			return &in->documents[i];
	return NULL;
}

static bool s_waived(const char *sum)
{
	return d_cmp(sum, "0") > 0 && d_cmp(sum, "50.00") <= 0;
}

/* The whole assessment with decimal strings. The input's strings hold the
 * amounts; tariff lookups and the basis of an Incoterm are the same calls
 * as the integer implementation makes (they are not arithmetic). */
static void assess_strings(const struct assess_input *in, const struct s_decl *sd,
			   const struct tariff *t, const char *rate, int32_t date,
			   struct outcome *o)
{
	enum valuation_basis basis;
	char goods[SD] = "0", f[40] = "0.00", ins[40] = "0.00", tmp[SD], sum[SD];
	char weights[ASSESS_MAX_ITEMS][40], fs[ASSESS_MAX_ITEMS][40], is[ASSESS_MAX_ITEMS][40];
	char value[ASSESS_MAX_ITEMS][40], dsum[SD] = "0", csum[SD] = "0", vsum[SD] = "0";
	const struct tariff_line *lines[ASSESS_MAX_ITEMS];
	size_t n = in->nitems;
	bool dw, cw;

	assessment_incoterm_basis(in->incoterm, &basis);
	for (size_t i = 0; i < n; i++) {
		d_add(tmp, goods, sd->items[i].value);
		str_copy(goods, tmp, sizeof goods);
	}
	if (in->import) {
		if (basis == VALUATION_FOB)
			str_copy(f, sd->freight, sizeof f);
		if (basis != VALUATION_CIF) {
			if (sd->insurance[0] && d_cmp(sd->insurance, "0") > 0) {
				str_copy(ins, sd->insurance, sizeof ins);
			} else {
				d_add(tmp, goods, f);
				d_mul(sum, tmp, "0.003");
				d_round(ins, sum, 2);
			}
		}
	} else {
		if (basis != VALUATION_FOB)
			str_copy(f, sd->freight, sizeof f);
		if (basis == VALUATION_CIF)
			str_copy(ins, sd->insurance, sizeof ins);
	}
	for (size_t i = 0; i < n; i++)
		str_copy(weights[i], sd->items[i].value, sizeof weights[i]);
	s_allocate(f, weights, n, fs);
	for (size_t i = 0; i < n; i++) {
		if (in->import)
			d_add(weights[i], sd->items[i].value, fs[i]);
		else
			d_sub(weights[i], sd->items[i].value, fs[i]);
	}
	s_allocate(ins, weights, n, is);
	for (size_t i = 0; i < n; i++) {
		struct tariff_match m;

		if (in->import) {
			d_add(tmp, sd->items[i].value, fs[i]);
			d_add(value[i], tmp, is[i]);
		} else {
			d_sub(tmp, sd->items[i].value, fs[i]);
			d_sub(value[i], tmp, is[i]);
		}
		d_mul(tmp, value[i], rate);
		d_round(o->cny[i], tmp, 2);
		str_copy(o->duty[i], "0.00", sizeof o->duty[i]);
		str_copy(o->ct[i], "0.00", sizeof o->ct[i]);
		str_copy(o->vat[i], "0.00", sizeof o->vat[i]);
		lines[i] = tariff_lookup(t, in->items[i].hs_code, date, &m) ? m.line : NULL;
	}
	if (!in->import) {
		str_copy(o->due, "0.00", sizeof o->due);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tariff_line *l = lines[i];
		const struct tariff_rate *base = l->has_provisional ? &l->provisional : &l->mfn;
		char best[40], cand[40];

		s_duty(best, base, o->cny[i], sd->items[i].qty);
		for (size_t k = 0; k < l->npreferences; k++) {
			const struct tariff_preference *pr = &l->preferences[k];

			if (!tariff_preference_covers(pr, in->items[i].origin) ||
			    !s_certificate(in, pr->agreement->code))
				continue;
			s_duty(cand, &pr->duty, o->cny[i], sd->items[i].qty);
			if (d_cmp(cand, best) < 0)
				str_copy(best, cand, sizeof best);
		}
		str_copy(o->duty[i], best, sizeof o->duty[i]);
		d_add(tmp, dsum, best);
		str_copy(dsum, tmp, sizeof dsum);
	}
	dw = s_waived(dsum);
	for (size_t i = 0; i < n; i++) {
		d_add(tmp, o->cny[i], dw ? "0" : o->duty[i]);
		s_excise(o->ct[i], &lines[i]->consumption, tmp, sd->items[i].qty);
		d_add(sum, csum, o->ct[i]);
		str_copy(csum, sum, sizeof csum);
	}
	cw = s_waived(csum);
	for (size_t i = 0; i < n; i++) {
		char vat[40];

		d_add(tmp, o->cny[i], dw ? "0" : o->duty[i]);
		d_add(sum, tmp, cw ? "0" : o->ct[i]);
		pct_string(lines[i]->vat_ppm, vat);
		d_mul(tmp, sum, vat);
		d_round(o->vat[i], tmp, 2);
		d_add(sum, vsum, o->vat[i]);
		str_copy(vsum, sum, sizeof vsum);
	}
	str_copy(sum, "0", sizeof sum);
	if (!dw) {
		d_add(tmp, sum, dsum);
		str_copy(sum, tmp, sizeof sum);
	}
	if (!cw) {
		d_add(tmp, sum, csum);
		str_copy(sum, tmp, sizeof sum);
	}
	if (!s_waived(vsum)) {
		d_add(tmp, sum, vsum);
		str_copy(sum, tmp, sizeof sum);
	}
	d_round(o->due, sum, 2);
}

/* ================================================================== */
/* generated tariff and declarations                                   */

static const char *const asean[] = { "MY", "SG", "TH", "VN" };
static const char *const rcep[] = { "AU", "JP", "KR", "NZ", "TH", "VN" };
static const char *const origins[] = { "US", "DE", "JP", "KR", "AU", "NZ", "VN", "TH",
				       "MY", "SG", "BR", "FR" };
static const char *const currencies[] = { "USD", "EUR", "JPY", "HKD", "GBP", "CNY" };
static const char *const rates_2026_11[] = { "7.1023", "7.7345", "0.047351", "0.9121",
					     "9.0128", "1" };
static const char *const incoterms[] = { "FOB", "FCA", "EXW", "CFR", "CPT", "CIF", "CIP",
					 "DAP" };

struct stats {
	unsigned ad_valorem, specific, compound, provisional, preferences, excise;
};

static json_t *rate_json(unsigned kind)
{
	char pct[16], per[16];

	snprintf(pct, sizeof pct, "%u.%u", below(30), below(10));
	snprintf(per, sizeof per, "%u.%02u", below(5), below(100));
	if (kind == 0)
		return json_pack("{s:s}", "percent", pct);
	if (kind == 1)
		return json_pack("{s:s, s:s}", "per_unit", per, "unit", "035");
	return json_pack("{s:s, s:s, s:s}", "percent", pct, "per_unit", per, "unit", "035");
}

static json_t *origin_list(const char *const *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static struct tariff *make_tariff(unsigned nlines, char (*codes)[11], struct stats *st)
{
	json_t *lines = json_array(), *doc;
	struct tariff *t = tariff_new();
	struct tariff_version *v;
	struct problems p;

	for (unsigned i = 0; i < nlines; i++) {
		unsigned roll = below(100), kind = roll < 80 ? 0 : roll < 92 ? 1 : 2;
		json_t *l;

		snprintf(codes[i], 11, "%08u00", 1000000u + i * 37u);
		l = json_pack("{s:s, s:o, s:s, s:s}", "code", codes[i], "mfn", rate_json(kind),
			      "vat_percent", below(3) ? "13" : "9", "export_refund_percent",
			      below(2) ? "13" : "9");
		st->ad_valorem += kind == 0;
		st->specific += kind == 1;
		st->compound += kind == 2;
		if (below(10) == 0) {
			json_object_set_new(l, "provisional", rate_json(0));
			st->provisional++;
		}
		if (below(10) < 3) {
			json_object_set_new(
				l, "preferential",
				json_pack("[{s:s, s:o, s:o}, {s:s, s:o, s:o}]", "agreement",
					  "ASEAN", "origins", origin_list(asean, 4), "duty",
					  rate_json(0), "agreement", "RCEP", "origins",
					  origin_list(rcep, 6), "duty", rate_json(below(3))));
			st->preferences++;
		}
		if (below(10) == 0) {
			json_object_set_new(l, "consumption_tax", rate_json(below(3)));
			st->excise++;
		}
		json_array_append_new(lines, l);
	}
	doc = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:o}", "id", "BENCH",
			"effective_from", "2026-01-01", "kind", "full", "agreements", "code",
			"ASEAN", "name_en", "ASEAN", "code", "RCEP", "name_en", "RCEP", "lines",
			lines);
	problems_init(&p);
	v = tariff_version_parse(doc, NULL, &p);
	json_decref(doc);
	if (!v || tariff_add(t, v, &p)) {
		fprintf(stderr, "bench tariff refused: %s %s\n", p.errors[0].field,
			p.errors[0].problem);
		exit(1);
	}
	return t;
}

struct decl {
	struct assess_input in;
	struct s_decl s;
	const char *rate; /* the baseline's rate string */
};

static void money_text(int64_t fen, char *out)
{
	decimal_format(fen, 2, out, 32);
}

static void make_decl(struct decl *d, char (*codes)[11], unsigned nlines)
{
	unsigned cur = below(6);
	struct assess_input *in = &d->in;

	memset(d, 0, sizeof *d);
	in->import = below(100) < 85;
	in->incoterm = incoterms[below(8)];
	in->currency = currencies[cur];
	d->rate = rates_2026_11[cur];
	in->accepted_at_us = INT64_C(1795420800000000); /* 2026-11-23T08:00:00Z */
	in->nitems = 1 + below(5);
	for (size_t i = 0; i < in->nitems; i++) {
		struct assess_item *it = &in->items[i];

		it->hs_code = codes[below(nlines)];
		it->unit = "035";
		it->origin = origins[below(12)];
		it->quantity = (int64_t)(1 + below(100000)) * 100000 + below(100000);
		it->value = (int64_t)(100000 + below(200000000));
		money_text(it->value, d->s.items[i].value);
		decimal_format(it->quantity, 5, d->s.items[i].qty, 32);
	}
	if (below(4)) {
		in->has_freight = true;
		in->freight = below(500000);
		money_text(in->freight, d->s.freight);
	}
	if (below(2)) {
		in->has_insurance = true;
		in->insurance = below(3) ? below(50000) : 0;
		money_text(in->insurance, d->s.insurance);
	}
	if (!in->import) {
		/* exports under CFR and CIF deduct what they declare: at most
		 * 110.00 of goods worth at least 1000.00 */
		in->has_freight = in->has_insurance = true;
		in->freight = below(10000);
		in->insurance = below(1000);
		money_text(in->freight, d->s.freight);
		money_text(in->insurance, d->s.insurance);
	} else if (!in->has_freight) {
		in->has_freight = true;
		in->freight = 0;
		str_copy(d->s.freight, "0.00", sizeof d->s.freight);
	}
	if (below(10) < 4)
		in->documents[in->ndocuments++] =
			(struct assess_document){ "certificate_of_origin_asean", "E-1", "ASEAN" };
	if (below(10) < 3)
		in->documents[in->ndocuments++] =
			(struct assess_document){ "certificate_of_origin_rcep", "R-1", "RCEP" };
}

/* ================================================================== */

static void outcome_of(const struct assessment *a, struct outcome *o)
{
	for (size_t i = 0; i < a->nitems; i++) {
		money_text(a->items[i].value_cny, o->cny[i]);
		money_text(a->items[i].duty, o->duty[i]);
		money_text(a->items[i].consumption_tax, o->ct[i]);
		money_text(a->items[i].vat, o->vat[i]);
	}
	money_text(a->total_due, o->due);
}

static bool same(const struct outcome *x, const struct outcome *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(x->cny[i], y->cny[i]) || strcmp(x->duty[i], y->duty[i]) ||
		    strcmp(x->ct[i], y->ct[i]) || strcmp(x->vat[i], y->vat[i]))
			return false;
	return !strcmp(x->due, y->due);
}

static unsigned opt(int argc, char **argv, const char *name, unsigned dflt)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return (unsigned)strtoul(argv[i + 1], NULL, 10);
	return dflt;
}

int main(int argc, char **argv)
{
	unsigned nlines = opt(argc, argv, "--lines", 2000);
	unsigned ndecls = opt(argc, argv, "--decls", 20000);
	unsigned rounds = opt(argc, argv, "--rounds", 5);
	unsigned ms = opt(argc, argv, "--ms", 400);
	char (*codes)[11] = calloc(nlines ? nlines : 1, sizeof *codes);
	struct decl *decls = calloc(ndecls ? ndecls : 1, sizeof *decls);
	struct assessment *a = malloc(sizeof *a);
	struct outcome *o1 = malloc(sizeof *o1), *o2 = malloc(sizeof *o2);
	struct exchange_rate fxr[5];
	struct exchange_table *fx;
	struct tariff *t;
	struct stats st = { 0 };
	int32_t date = kdate_of_instant(INT64_C(1795420800000000), KDATE_CHINA_OFFSET_MIN);
	double items = 0, fast_s = 0, slow_s = 0;
	uint64_t fast_n = 0, slow_n = 0;
	size_t cursor_fast = 0, cursor_slow = 0;
	unsigned imports = 0;

	if (!codes || !decls || !a || !o1 || !o2 || !nlines || !ndecls) {
		fprintf(stderr, "bench_assess: --lines and --decls must be above 0\n");
		return 2;
	}
	t = make_tariff(nlines, codes, &st);
	for (size_t i = 0; i < 5; i++) {
		fxr[i] = (struct exchange_rate){ "", 2026 * 12 + 10, 0 };
		snprintf(fxr[i].currency, sizeof fxr[i].currency, "%s", currencies[i]);
		decimal_parse(rates_2026_11[i], EXCHANGE_SCALE, &fxr[i].cny_per_unit);
	}
	fx = exchange_table_build(fxr, 5);
	for (unsigned i = 0; i < ndecls; i++) {
		make_decl(&decls[i], codes, nlines);
		items += (double)decls[i].in.nitems;
		imports += decls[i].in.import;
	}

	/* both implementations must agree on every declaration */
	for (unsigned i = 0; i < ndecls; i++) {
		struct problems p;

		problems_init(&p);
		if (assessment_compute(&decls[i].in, t, fx, a, &p) || a->status != ASSESS_ASSESSED) {
			fprintf(stderr, "declaration %u not assessed: %s %s\n", i,
				p.count ? p.errors[0].field : a->held_field,
				p.count ? p.errors[0].problem : a->held_reason);
			return 1;
		}
		outcome_of(a, o1);
		assess_strings(&decls[i].in, &decls[i].s, t, decls[i].rate, date, o2);
		if (!same(o1, o2, decls[i].in.nitems)) {
			fprintf(stderr, "declaration %u: the implementations differ "
					"(due %s and %s)\n", i, o1->due, o2->due);
			return 1;
		}
	}

	/* alternate slices of each, so both meet the same machine */
	for (unsigned r = 0; r < rounds; r++) {
		double start = now_s(), end = start + ms / 1000.0, t1;
		struct problems p;

		do {
			for (int k = 0; k < 64; k++) {
				problems_init(&p);
				sink += (uint64_t)assessment_compute(&decls[cursor_fast].in, t,
								     fx, a, &p);
				sink += (uint64_t)a->total_due;
				cursor_fast = (cursor_fast + 1) % ndecls;
				fast_n++;
			}
		} while ((t1 = now_s()) < end);
		fast_s += t1 - start;
		start = now_s();
		end = start + ms / 1000.0;
		do {
			assess_strings(&decls[cursor_slow].in, &decls[cursor_slow].s, t,
				       decls[cursor_slow].rate, date, o2);
			sink += (uint64_t)o2->due[0];
			cursor_slow = (cursor_slow + 1) % ndecls;
			slow_n++;
		} while ((t1 = now_s()) < end);
		slow_s += t1 - start;
	}

	printf("kouan assessment benchmark\n");
	printf("  cores                  %ld (one is used)\n", sysconf(_SC_NPROCESSORS_ONLN));
#if defined(__OPTIMIZE__) && defined(NDEBUG)
	printf("  build                  optimised, NDEBUG (Release or RelWithDebInfo)\n");
#else
	printf("  build                  NOT optimised (Debug): build Release to measure\n");
#endif
#if defined(__SANITIZE_ADDRESS__)
	printf("  sanitizers             AddressSanitizer on: figures are not representative\n");
#endif
	printf("  tariff                 %u lines: %u ad valorem, %u specific, %u compound duties;"
	       " %u provisional, %u with preferences, %u with consumption tax\n",
	       nlines, st.ad_valorem, st.specific, st.compound, st.provisional,
	       st.preferences, st.excise);
	printf("  declarations           %u (%.2f items on average, %u%% imports), "
	       "November 2026 rates\n",
	       ndecls, items / ndecls, 100 * imports / ndecls);
	printf("  checked                every declaration: the same amounts to the fen "
	       "both ways\n");
	printf("  slices                 %u rounds of %u ms each way, alternating\n", rounds, ms);
	printf("  integer (assessment_compute)  %12.0f assessments/s  (%.2f us each)\n",
	       fast_n / fast_s, 1e6 * fast_s / (double)fast_n);
	printf("  decimal strings (baseline)    %12.0f assessments/s  (%.2f us each)\n",
	       slow_n / slow_s, 1e6 * slow_s / (double)slow_n);
	printf("  ratio integer / strings       %12.1fx\n",
	       (fast_n / fast_s) / (slow_n / slow_s));
	tariff_free(t);
	exchange_table_free(fx);
	free(codes);
	free(decls);
	free(a);
	free(o1);
	free(o2);
	return 0;
}
