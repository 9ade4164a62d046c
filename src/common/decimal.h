/*
 * decimal.h - exact decimal numbers for money and quantities.
 *
 * Amounts travel as decimal strings ("1234.50") and live as signed 64-bit
 * integers scaled by 10^scale (scale 2: fen; scale 4 for unit prices, 5 for
 * quantities). Binary floating point is never used. Parsing is strict: an
 * optional leading '-', digits, and an optional '.' followed by at most
 * `scale` digits. No '+', no exponent, no spaces, no leading '.', no trailing
 * '.', no leading zeros except a single "0" before the point.
 */
#ifndef KOUAN_DECIMAL_H
#define KOUAN_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum decimal_result {
	DECIMAL_OK = 0,
	DECIMAL_SYNTAX,    /* not a decimal number in the accepted form */
	DECIMAL_PRECISION, /* more fractional digits than the scale allows */
	DECIMAL_RANGE,     /* does not fit in int64 once scaled */
};

/* Parse `s` into *out scaled by 10^scale (0 <= scale <= 9). */
enum decimal_result decimal_parse(const char *s, int scale, int64_t *out);

/* Write `v` (scaled by 10^scale) as a decimal string with exactly `scale`
 * fractional digits (none and no point when scale is 0) into buf of size n.
 * Returns the length written, or -1 if buf is too small. */
int decimal_format(int64_t v, int scale, char *buf, size_t n);

/* a * b where a has scale sa and b scale sb, rounded half away from zero to
 * scale `so`. Returns DECIMAL_RANGE on overflow (uses 128-bit arithmetic). */
enum decimal_result decimal_mul(int64_t a, int sa, int64_t b, int sb, int so,
				int64_t *out);

/* The wide integer exact money formulas are evaluated in before their one
 * rounding (GCC and Clang's 128-bit integer). */
__extension__ typedef __int128 decimal_wide;

/* num / den rounded half away from zero (for amounts >= 0: half up) into
 * *out. DECIMAL_SYNTAX when den <= 0, DECIMAL_RANGE when the quotient does
 * not fit in int64. */
enum decimal_result decimal_div_round(decimal_wide num, decimal_wide den,
				      int64_t *out);

/* a * b / c rounded half away from zero, exact (128-bit intermediate).
 * DECIMAL_SYNTAX when c <= 0, DECIMAL_RANGE when out of int64. */
enum decimal_result decimal_muldiv(int64_t a, int64_t b, int64_t c,
				   int64_t *out);

/* Split total (>= 0, in minor units) into n shares in proportion to
 * weights[] (each >= 0) so that the shares add up to total exactly: each
 * share is total * weight / sum rounded down, and the units left over go
 * one each to the shares with the largest remainders (the earlier share on
 * a tie). When every weight is 0 the shares are equal in the same way.
 * Returns false (shares untouched) when n is 0, total or a weight is
 * negative, or the weights' sum overflows. */
bool decimal_allocate(int64_t total, const int64_t *weights, size_t n,
		      int64_t *shares);

/* As decimal_format, but without trailing fractional zeros, and without
 * the point when no fraction is left ("6.5", "13", "0.3"): the canonical
 * short form of a rate. Returns the length, or -1 when buf is too small. */
int decimal_format_trim(int64_t v, int scale, char *buf, size_t n);

/* Short problem text for a result, e.g. "more than 2 decimal places".
 * Writes into buf (size n) since it names the scale; returns buf. */
const char *decimal_result_text(enum decimal_result r, int scale, char *buf,
				size_t n);

#endif
