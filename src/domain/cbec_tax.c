/*
 * cbec_tax.c - the personal quotas, the retail import tax, returns and the
 * monthly summary of taxes withheld (see cbec.h and docs/cbec.md).
 *
 * All arithmetic is on integers: fen, rates scaled by 10^4, quantities by
 * 10^5. Each tax is computed as an exact fraction in 128 bits and rounded
 * half up to the fen once. Days, months and years are those of Beijing
 * time (UTC+8), the calendar the rules are written in. Nothing here may
 * read the clock: every moment is an argument.
 */
#include "domain/cbec.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/decimal.h"

#define RATE_ONE 10000    /* 100 % at scale 4 */
#define QTY_ONE 100000    /* 1 at scale 5 */
#define BEIJING_OFFSET_US (8LL * 3600 * 1000000)
#define DAY_US (86400LL * 1000000)

/* ---- calendar -------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Day number (days since 1970-01-01) of a moment, in Beijing time. */
static int64_t beijing_day(int64_t at_us)
{
	return floor_div(at_us + BEIJING_OFFSET_US, DAY_US);
}

/* Civil date of a day number (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468; /* from 1970-01-01 to 0000-03-01 */
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;                                  /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                /* March = 0 */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int cbec_quota_year(int64_t at_us)
{
	int y, m, d;
	civil_from_days(beijing_day(at_us), &y, &m, &d);
	return y;
}

static void beijing_month(int64_t at_us, int *y, int *m)
{
	int d;
	civil_from_days(beijing_day(at_us), y, m, &d);
}

/* ---- amounts --------------------------------------------------------- */

/* num / den rounded half up, for num >= 0 and den > 0; false if too large. */
static bool round_div(__int128 num, __int128 den, int64_t *out)
{
	__int128 q = (2 * num + den) / (2 * den);
	if (num < 0 || q > INT64_MAX)
		return false;
	*out = (int64_t)q;
	return true;
}

/* "24,500.00" */
static const char *cny(int64_t fen, char *buf, size_t n)
{
	char plain[40];
	if (decimal_format(fen, CBEC_SCALE_MONEY, plain, sizeof plain) < 0) {
		str_copy(buf, "?", n);
		return buf;
	}
	const char *dot = strchr(plain, '.');
	size_t intlen = dot ? (size_t)(dot - plain) : strlen(plain);
	size_t start = plain[0] == '-' ? 1 : 0, k = 0;
	char out[64];
	for (size_t i = 0; i < intlen && k + 2 < sizeof out; i++) {
		if (i > start && (intlen - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = plain[i];
	}
	out[k] = '\0';
	int w = snprintf(buf, n, "%s%s", out, dot ? dot : "");
	if (w < 0 || (size_t)w >= n)
		str_copy(buf, "?", n); /* never a figure cut short */
	return buf;
}

/* ---- taxes on one line ------------------------------------------------ */

static bool rates_ok(const struct cbec_rates *r)
{
	return r->vat >= 0 && r->vat < RATE_ONE && r->ct_rate >= 0 && r->ct_rate < RATE_ONE &&
	       r->mfn_duty >= 0 && r->mfn_duty <= 10 * RATE_ONE && r->ct_specific >= 0 &&
	       r->ct_quantity >= 0 && r->ct_kind >= CBEC_CT_NONE && r->ct_kind <= CBEC_CT_COMPOUND;
}

kerr cbec_line_taxes(int64_t value_fen, const struct cbec_rates *r, bool retail,
		     struct cbec_line_tax *out)
{
	memset(out, 0, sizeof *out);
	if (value_fen < 0 || !rates_ok(r))
		return KERR_INVALID;
	out->value = value_fen;
	__int128 v = value_fen;
	int64_t duty = 0, ct = 0, vat = 0;
	if (!retail && !round_div(v * r->mfn_duty, RATE_ONE, &duty))
		return KERR_INVALID;
	__int128 base = v + duty;
	__int128 specific = (__int128)r->ct_quantity * r->ct_specific; /* fen at scale 5 */
	__int128 keep = RATE_ONE - r->ct_rate;
	bool ok = true;
	switch (r->ct_kind) {
	case CBEC_CT_NONE:
		break;
	case CBEC_CT_AD_VALOREM:
		ok = round_div(base * r->ct_rate, keep, &ct);
		break;
	case CBEC_CT_SPECIFIC:
		ok = round_div(specific, QTY_ONE, &ct);
		break;
	case CBEC_CT_COMPOUND:
		/* (base + S) / (1 - rate) x rate + S, S = specific / 10^5 */
		ok = round_div((base * QTY_ONE + specific) * r->ct_rate + specific * keep,
			       keep * QTY_ONE, &ct);
		break;
	}
	if (!ok || !round_div((base + ct) * r->vat, RATE_ONE, &vat))
		return KERR_INVALID;
	if (retail) {
		/* 70 % of the tax as assessed in full, rounded again */
		if (!round_div((__int128)ct * 7, 10, &ct) || !round_div((__int128)vat * 7, 10, &vat))
			return KERR_INVALID;
	}
	out->duty = duty;
	out->consumption_tax = ct;
	out->vat = vat;
	return KERR_OK;
}

/* ---- assessment ------------------------------------------------------- */

kerr cbec_assess(const struct cbec_list_entry *e, const struct cbec_rates *rates,
		 size_t nrates, int64_t used_fen, int64_t at_us,
		 struct cbec_assessment *out)
{
	const struct cbec_order *o = e->order;
	memset(out, 0, sizeof *out);
	if (!o || nrates != o->nlines || o->nlines == 0 || o->nlines > CBEC_MAX_LINES ||
	    used_fen < 0 || e->customs_value < o->goods_value)
		return KERR_INVALID;
	out->year = cbec_quota_year(at_us);
	out->customs_value = e->customs_value;
	out->used = used_fen;
	out->remaining = used_fen < CBEC_ANNUAL_LIMIT ? CBEC_ANNUAL_LIMIT - used_fen : 0;

	int64_t value = e->customs_value;
	bool one_item = o->nlines == 1 && o->lines[0].quantity == QTY_ONE;
	bool over_year = (__int128)used_fen + value > CBEC_ANNUAL_LIMIT;
	char a[40], b[40], c[40], d[40];
	if (value > CBEC_ORDER_LIMIT && !one_item) {
		out->verdict = CBEC_OVER_ORDER_LIMIT;
		snprintf(out->reason, sizeof out->reason,
			 "the order's value %s CNY is over the %s CNY limit for one "
			 "retail order (only a single indivisible item may pass it); "
			 "import these goods as general trade",
			 cny(value, a, sizeof a), cny(CBEC_ORDER_LIMIT, b, sizeof b));
		return KERR_OK;
	}
	if (over_year) {
		out->verdict = CBEC_OVER_ANNUAL_LIMIT;
		snprintf(out->reason, sizeof out->reason,
			 "the buyer has used %s CNY of the %d retail quota and %s CNY "
			 "remain of the %s CNY annual limit; this order's value %s CNY "
			 "would pass it, so it is refused for retail and may come in "
			 "as general trade",
			 cny(used_fen, a, sizeof a), out->year, cny(out->remaining, b, sizeof b),
			 cny(CBEC_ANNUAL_LIMIT, c, sizeof c), cny(value, d, sizeof d));
		return KERR_OK;
	}
	out->verdict = value > CBEC_ORDER_LIMIT ? CBEC_FULL_TAX : CBEC_RETAIL;
	bool retail = out->verdict == CBEC_RETAIL;

	/* freight and insurance shared by value: rounded running shares */
	int64_t extra = value - o->goods_value, given = 0;
	__int128 running = 0;
	out->nlines = o->nlines;
	for (size_t i = 0; i < o->nlines; i++) {
		int64_t upto;
		running += o->lines[i].total;
		if (o->goods_value == 0)
			upto = i + 1 == o->nlines ? extra : 0;
		else if (!round_div(running * extra, o->goods_value, &upto))
			return KERR_INVALID;
		int64_t share = upto - given;
		given = upto;
		kerr r = cbec_line_taxes(o->lines[i].total + share, &rates[i], retail,
					 &out->lines[i]);
		if (r)
			return r;
		out->duty += out->lines[i].duty;
		out->consumption_tax += out->lines[i].consumption_tax;
		out->vat += out->lines[i].vat;
	}
	out->total = out->duty + out->consumption_tax + out->vat;
	out->withheld_difference = o->tax_withheld - out->total;
	return KERR_OK;
}

/* ---- returns ------------------------------------------------------------ */

bool cbec_return_check(const struct cbec_assessment *a, int64_t released_at_us,
		       int64_t returned_at_us, struct cbec_refund *out)
{
	memset(out, 0, sizeof *out);
	out->year = a->year;
	if (a->verdict != CBEC_RETAIL && a->verdict != CBEC_FULL_TAX) {
		str_copy(out->reason, "the parcel was refused for retail import, so no quota or tax was "
				      "taken and there is nothing to restore",
			 sizeof out->reason);
		return false;
	}
	if (returned_at_us < released_at_us) {
		str_copy(out->reason, "the return is dated before the parcel's release",
			 sizeof out->reason);
		return false;
	}
	int64_t days = beijing_day(returned_at_us) - beijing_day(released_at_us);
	out->days = days > 1000000 ? 1000000 : (int)days;
	if (days > CBEC_RETURN_DAYS) {
		int y, m, d;
		civil_from_days(beijing_day(released_at_us), &y, &m, &d);
		snprintf(out->reason, sizeof out->reason,
			 "the parcel was released on %04d-%02d-%02d (Beijing time) and "
			 "returned %d days later; a return restores quota and tax only "
			 "within %d days of release",
			 y, m, d, out->days, CBEC_RETURN_DAYS);
		return false;
	}
	out->allowed = true;
	out->quota_restored = a->customs_value;
	out->duty = a->duty;
	out->consumption_tax = a->consumption_tax;
	out->vat = a->vat;
	out->total = a->total;
	return true;
}

/* ---- the monthly summary --------------------------------------------------- */

/* The platform's row in the sorted out[*n], inserted when absent. */
static struct cbec_platform_month *row_for(struct cbec_platform_month *out, size_t cap,
					   size_t *n, const char *code)
{
	size_t lo = 0, hi = *n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(out[mid].platform_code, code);
		if (c == 0)
			return &out[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (*n >= cap)
		return NULL;
	memmove(&out[lo + 1], &out[lo], (*n - lo) * sizeof *out);
	memset(&out[lo], 0, sizeof *out);
	str_copy(out[lo].platform_code, code, sizeof out[lo].platform_code);
	(*n)++;
	return &out[lo];
}

kerr cbec_month_summary(const struct cbec_cleared *parcels, size_t n, int year, int month,
			struct cbec_platform_month *out, size_t cap, size_t *nout)
{
	*nout = 0;
	if (month < 1 || month > 12 || year < 1970 || year > 9999)
		return KERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		const struct cbec_cleared *c = &parcels[i];
		int y, m, ry = 0, rm = 0;
		beijing_month(c->released_at_us, &y, &m);
		if (c->returned_at_us)
			beijing_month(c->returned_at_us, &ry, &rm);
		bool released = y == year && m == month;
		bool returned = c->returned_at_us && ry == year && rm == month;
		if (!released && !returned)
			continue;
		struct cbec_platform_month *r = row_for(out, cap, nout, c->platform_code);
		if (!r)
			return KERR_TOO_LARGE;
		if (released) {
			r->parcels++;
			r->duty += c->duty;
			r->consumption_tax += c->consumption_tax;
			r->vat += c->vat;
		}
		if (returned) {
			r->returns++;
			r->refunded += c->duty + c->consumption_tax + c->vat;
		}
	}
	for (size_t i = 0; i < *nout; i++)
		out[i].due = out[i].duty + out[i].consumption_tax + out[i].vat - out[i].refunded;
	return KERR_OK;
}
