/*
 * decimal.c - exact decimal numbers as int64 scaled by 10^scale.
 *
 * Parsing, formatting and multiplication of money and quantities. Never uses
 * binary floating point, never relies on signed overflow (magnitudes are
 * carried as uint64 or 128-bit integers and range-checked before narrowing),
 * never allocates. The accepted text form is -?(0|[1-9][0-9]*)(\.[0-9]+)?.
 */
#include "common/decimal.h"

#include <stdbool.h>
#include <stdio.h>

#define DECIMAL_MAX_SCALE 9

typedef decimal_wide i128;

static const int64_t pow10_table[] = {
	1LL,
	10LL,
	100LL,
	1000LL,
	10000LL,
	100000LL,
	1000000LL,
	10000000LL,
	100000000LL,
	1000000000LL,
	10000000000LL,
	100000000000LL,
	1000000000000LL,
	10000000000000LL,
	100000000000000LL,
	1000000000000000LL,
	10000000000000000LL,
	100000000000000000LL,
	1000000000000000000LL,
};

static bool scale_ok(int scale)
{
	return scale >= 0 && scale <= DECIMAL_MAX_SCALE;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Append digit d to magnitude *m, failing when the result would exceed
 * limit. limit is 2^63 - 1 for positive numbers and 2^63 for negative ones.
 */
static bool push_digit(uint64_t *m, unsigned d, uint64_t limit)
{
	if (*m > (limit - d) / 10)
		return false;
	*m = *m * 10 + d;
	return true;
}

enum decimal_result decimal_parse(const char *s, int scale, int64_t *out)
{
	const char *p = s;
	const char *int_start, *int_end, *frac_start = NULL, *frac_end = NULL;
	bool negative = false;
	uint64_t limit, m = 0;
	int frac_digits = 0;

	if (!s || !scale_ok(scale))
		return DECIMAL_SYNTAX;

	/* First pass: the grammar only, so that a malformed string is always
	 * SYNTAX whatever its size or precision. */
	if (*p == '-') {
		negative = true;
		p++;
	}
	int_start = p;
	if (*p == '0') {
		p++;
	} else if (is_digit(*p)) {
		while (is_digit(*p))
			p++;
	} else {
		return DECIMAL_SYNTAX;
	}
	int_end = p;
	if (*p == '.') {
		p++;
		frac_start = p;
		while (is_digit(*p))
			p++;
		frac_end = p;
		if (frac_end == frac_start)
			return DECIMAL_SYNTAX;
	}
	if (*p != '\0')
		return DECIMAL_SYNTAX;

	if (frac_start) {
		if (frac_end - frac_start > scale)
			return DECIMAL_PRECISION;
		frac_digits = (int)(frac_end - frac_start);
	}

	/* Second pass: accumulate the scaled magnitude with overflow checks. */
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (p = int_start; p < int_end; p++)
		if (!push_digit(&m, (unsigned)(*p - '0'), limit))
			return DECIMAL_RANGE;
	for (p = frac_start; p && p < frac_end; p++)
		if (!push_digit(&m, (unsigned)(*p - '0'), limit))
			return DECIMAL_RANGE;
	for (int i = frac_digits; i < scale; i++)
		if (!push_digit(&m, 0, limit))
			return DECIMAL_RANGE;

	if (!negative)
		*out = (int64_t)m;
	else if (m == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)m;
	return DECIMAL_OK;
}

int decimal_format(int64_t v, int scale, char *buf, size_t n)
{
	/* 19 digits of magnitude at most; scale + 1 digits at least. */
	char digits[24];
	int nd = 0, len = 0;
	uint64_t m;

	if (!buf || !scale_ok(scale))
		return -1;
	m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		digits[nd++] = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	while (nd < scale + 1)
		digits[nd++] = '0';

	/* sign, digits, point when scale > 0, and the terminating NUL */
	if ((size_t)nd + (v < 0) + (scale > 0) + 1 > n)
		return -1;
	if (v < 0)
		buf[len++] = '-';
	while (nd > 0) {
		if (nd == scale)
			buf[len++] = '.';
		buf[len++] = digits[--nd];
	}
	buf[len] = '\0';
	return len;
}

static bool fits_int64(i128 x)
{
	return x >= INT64_MIN && x <= INT64_MAX;
}

enum decimal_result decimal_mul(int64_t a, int sa, int64_t b, int sb, int so,
				int64_t *out)
{
	i128 p;
	int from;

	if (!scale_ok(sa) || !scale_ok(sb) || !scale_ok(so))
		return DECIMAL_SYNTAX;
	/* |a * b| <= 2^126: no overflow in 128 bits. */
	p = (i128)a * b;
	from = sa + sb;
	if (so > from) {
		/* Scaling up only grows the magnitude, so anything already out
		 * of int64 range stays out; checking first keeps the multiply
		 * below within 128 bits (2^63 * 10^9 < 2^127). */
		if (!fits_int64(p))
			return DECIMAL_RANGE;
		p *= pow10_table[so - from];
	} else if (so < from) {
		return decimal_div_round(p, pow10_table[from - so], out);
	}
	if (!fits_int64(p))
		return DECIMAL_RANGE;
	*out = (int64_t)p;
	return DECIMAL_OK;
}

/* |num / den| rounded half away from zero, with num's sign; den > 0. The
 * remainder test is written so that 2 * r cannot overflow. */
static i128 round_quotient(i128 num, i128 den)
{
	i128 q = num / den, r = num % den;

	/* Truncation is toward zero; round half away from zero. */
	if (r < 0)
		r = -r;
	if (r >= den - r)
		q += num < 0 ? -1 : 1;
	return q;
}

enum decimal_result decimal_div_round(i128 num, i128 den, int64_t *out)
{
	i128 q;

	if (den <= 0)
		return DECIMAL_SYNTAX;
	if (fits_int64(num) && den <= INT64_MAX) {
		/* the common case, in one machine division rather than a
		 * 128-bit library call */
		int64_t n = (int64_t)num, d = (int64_t)den, q64 = n / d, r = n % d;

		if (r < 0)
			r = -r;
		if (r >= d - r)
			q64 += n < 0 ? -1 : 1;
		*out = q64;
		return DECIMAL_OK;
	}
	q = round_quotient(num, den);
	if (!fits_int64(q))
		return DECIMAL_RANGE;
	*out = (int64_t)q;
	return DECIMAL_OK;
}

enum decimal_result decimal_muldiv(int64_t a, int64_t b, int64_t c,
				   int64_t *out)
{
	/* |a * b| <= 2^126: exact in 128 bits */
	return decimal_div_round((i128)a * b, c, out);
}

bool decimal_allocate(int64_t total, const int64_t *weights, size_t n,
		      int64_t *shares)
{
	int64_t sum = 0, left;
	bool equal;

	if (n == 0 || total < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (weights[i] < 0 || __builtin_add_overflow(sum, weights[i], &sum))
			return false;
	equal = sum == 0;
	if (equal)
		sum = (int64_t)n;
	left = total;
	for (size_t i = 0; i < n; i++) {
		int64_t w = equal ? 1 : weights[i], part;

		/* <= total: fits */
		if (!__builtin_mul_overflow(total, w, &part))
			shares[i] = part / sum;
		else
			shares[i] = (int64_t)((i128)total * w / sum);
		left -= shares[i];
	}
	/* Fewer than n units are left; each goes to the largest remainder
	 * total * w - share * sum. A share that has had its unit has a
	 * negative remainder from then on, so it is not served twice. */
	for (int64_t round = 0; round < left; round++) {
		size_t best = 0;
		i128 best_r = -1;

		for (size_t i = 0; i < n; i++) {
			i128 r = (i128)total * (equal ? 1 : weights[i]) - (i128)shares[i] * sum;

			if (r > best_r) {
				best_r = r;
				best = i;
			}
		}
		shares[best]++;
	}
	return true;
}

int decimal_format_trim(int64_t v, int scale, char *buf, size_t n)
{
	int len = decimal_format(v, scale, buf, n);

	if (len <= 0 || scale == 0)
		return len;
	while (buf[len - 1] == '0')
		buf[--len] = '\0';
	if (buf[len - 1] == '.')
		buf[--len] = '\0';
	return len;
}

const char *decimal_result_text(enum decimal_result r, int scale, char *buf,
				size_t n)
{
	if (!buf || n == 0)
		return "";
	switch (r) {
	case DECIMAL_OK:
		snprintf(buf, n, "%s", "is a valid decimal number");
		break;
	case DECIMAL_SYNTAX:
		snprintf(buf, n, "%s",
			 "is not a decimal number (digits with an optional '.' and fraction)");
		break;
	case DECIMAL_PRECISION:
		if (scale == 0)
			snprintf(buf, n, "%s", "must be a whole number");
		else
			snprintf(buf, n, "has more than %d decimal place%s",
				 scale, scale == 1 ? "" : "s");
		break;
	case DECIMAL_RANGE:
		snprintf(buf, n, "%s", "is out of range");
		break;
	default:
		snprintf(buf, n, "%s", "is not valid");
		break;
	}
	return buf;
}
