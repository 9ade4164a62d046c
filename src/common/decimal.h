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

/* Short problem text for a result, e.g. "more than 2 decimal places".
 * Writes into buf (size n) since it names the scale; returns buf. */
const char *decimal_result_text(enum decimal_result r, int scale, char *buf,
				size_t n);

#endif
