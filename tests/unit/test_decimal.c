/*
 * test_decimal.c - unit tests for src/common/decimal.c: the strict grammar,
 * precision and range limits (INT64_MAX/MIN at every scale that matters),
 * formatting and buffer limits, parse/format round trips, multiplication
 * with half-away-from-zero rounding, the problem texts, exact division
 * with one rounding, proportional allocation whose shares add up, and the
 * short form of a rate.
 *
 * Expected products were computed independently with Python's decimal
 * module (ROUND_HALF_UP, which is half away from zero).
 */
#include "test_support.h"

#include <string.h>

#include "common/decimal.h"

#define SENTINEL INT64_C(0x5a5a5a5a5a5a5a5a)

static uint64_t lcg_state = 42u;

static uint64_t lcg_next(void)
{
	lcg_state = lcg_state * UINT64_C(6364136223846793005) +
		    UINT64_C(1442695040888963407);
	return lcg_state;
}

/* Parse and return the value; fails the test unless the result is OK. */
static int64_t parse_ok(const char *s, int scale)
{
	int64_t v = SENTINEL;

	assert_int_equal(decimal_parse(s, scale, &v), DECIMAL_OK);
	return v;
}

/* Expect result r and *out left untouched. */
static void parse_fails(const char *s, int scale, enum decimal_result r)
{
	int64_t v = SENTINEL;

	assert_int_equal(decimal_parse(s, scale, &v), r);
	assert_int_equal(v, SENTINEL);
}

static void format_is(int64_t v, int scale, const char *want)
{
	char buf[32];
	int n = decimal_format(v, scale, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
}

static int64_t mul_ok(int64_t a, int sa, int64_t b, int sb, int so)
{
	int64_t v = SENTINEL;

	assert_int_equal(decimal_mul(a, sa, b, sb, so, &v), DECIMAL_OK);
	return v;
}

/* ---- parse --------------------------------------------------------- */

static void test_parse_valid(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0", 2), 0);
	assert_int_equal(parse_ok("0.00", 2), 0);
	assert_int_equal(parse_ok("-0", 2), 0);
	assert_int_equal(parse_ok("-0.00", 2), 0);
	assert_int_equal(parse_ok("0.01", 2), 1);
	assert_int_equal(parse_ok("-0.01", 2), -1);
	assert_int_equal(parse_ok("1234.50", 2), 123450);
	assert_int_equal(parse_ok("1234.5", 2), 123450);
	assert_int_equal(parse_ok("1234", 2), 123400);
	assert_int_equal(parse_ok("-1.25", 2), -125);
	assert_int_equal(parse_ok("10", 0), 10);
	assert_int_equal(parse_ok("-42", 0), -42);
	assert_int_equal(parse_ok("12.3456", 4), 123456);
	assert_int_equal(parse_ok("0.00001", 5), 1);
	assert_int_equal(parse_ok("0.000000001", 9), 1);
	assert_int_equal(parse_ok("1.000000000", 9), 1000000000);
	assert_int_equal(parse_ok("100.10", 3), 100100);
}

static void test_parse_syntax(void **state)
{
	static const char *bad[] = {
		"", "-", ".", "-.", ".5", "-.5", "5.", "-5.", "+5", "1e3",
		"1E3", " 1", "1 ", "01", "-01", "00", "00.5", "--1", "-+1",
		"0x10", "1..2", "1.2.3", "1,5", "1.-5", "12a", "5.a", "a",
		"1\n", "\t1", "NaN", "inf", "1_000", "\xd9\xa1", "1.5 ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_fails(bad[i], 2, DECIMAL_SYNTAX);
	parse_fails(NULL, 2, DECIMAL_SYNTAX);
	/* syntax is decided before precision and range */
	parse_fails("99999999999999999999x", 2, DECIMAL_SYNTAX);
	parse_fails("1.23456x", 2, DECIMAL_SYNTAX);
	parse_fails("1.234.", 2, DECIMAL_SYNTAX);
}

static void test_parse_bad_scale(void **state)
{
	(void)state;
	parse_fails("1", -1, DECIMAL_SYNTAX);
	parse_fails("1", 10, DECIMAL_SYNTAX);
	parse_fails("1", 1000, DECIMAL_SYNTAX);
	assert_int_equal(parse_ok("1", 0), 1);
	assert_int_equal(parse_ok("1", 9), 1000000000);
}

static void test_parse_precision(void **state)
{
	(void)state;
	parse_fails("1.234", 2, DECIMAL_PRECISION);
	/* strict: even a trailing zero beyond the scale is refused */
	parse_fails("1.230", 2, DECIMAL_PRECISION);
	parse_fails("1.0", 0, DECIMAL_PRECISION);
	parse_fails("-0.5", 0, DECIMAL_PRECISION);
	parse_fails("0.0000000001", 9, DECIMAL_PRECISION);
	/* precision is decided before range */
	parse_fails("99999999999999999999.123", 2, DECIMAL_PRECISION);
}

static void test_parse_range(void **state)
{
	(void)state;
	/* scale 0: the full int64 range, both ends */
	assert_int_equal(parse_ok("9223372036854775807", 0), INT64_MAX);
	parse_fails("9223372036854775808", 0, DECIMAL_RANGE);
	assert_true(parse_ok("-9223372036854775808", 0) == INT64_MIN);
	parse_fails("-9223372036854775809", 0, DECIMAL_RANGE);
	parse_fails("18446744073709551616", 0, DECIMAL_RANGE);
	parse_fails("100000000000000000000000000000000000000", 0,
		    DECIMAL_RANGE);

	/* scale 2 */
	assert_int_equal(parse_ok("92233720368547758.07", 2), INT64_MAX);
	parse_fails("92233720368547758.08", 2, DECIMAL_RANGE);
	assert_true(parse_ok("-92233720368547758.08", 2) == INT64_MIN);
	parse_fails("-92233720368547758.09", 2, DECIMAL_RANGE);
	parse_fails("-9223372036854775808", 2, DECIMAL_RANGE);
	parse_fails("9223372036854775807", 2, DECIMAL_RANGE);
	/* overflow that only appears while padding to the scale */
	assert_int_equal(parse_ok("92233720368547758", 2),
			 INT64_C(9223372036854775800));
	parse_fails("92233720368547759", 2, DECIMAL_RANGE);
	parse_fails("92233720368547759.0", 2, DECIMAL_RANGE);

	/* scale 9 */
	assert_int_equal(parse_ok("9223372036.854775807", 9), INT64_MAX);
	assert_true(parse_ok("-9223372036.854775808", 9) == INT64_MIN);
	parse_fails("9223372036.854775808", 9, DECIMAL_RANGE);
	parse_fails("9223372037", 9, DECIMAL_RANGE);
}

/* ---- format -------------------------------------------------------- */

static void test_format(void **state)
{
	(void)state;
	format_is(0, 2, "0.00");
	format_is(0, 0, "0");
	format_is(1, 2, "0.01");
	format_is(-1, 2, "-0.01");
	format_is(10, 2, "0.10");
	format_is(-99, 2, "-0.99");
	format_is(100, 2, "1.00");
	format_is(123450, 2, "1234.50");
	format_is(-123450, 2, "-1234.50");
	format_is(-5, 0, "-5");
	format_is(1, 9, "0.000000001");
	format_is(123456, 4, "12.3456");
	format_is(INT64_MAX, 0, "9223372036854775807");
	format_is(INT64_MIN, 0, "-9223372036854775808");
	format_is(INT64_MAX, 2, "92233720368547758.07");
	format_is(INT64_MIN, 2, "-92233720368547758.08");
	format_is(INT64_MIN, 9, "-9223372036.854775808");
}

static void test_format_limits(void **state)
{
	char buf[32];

	(void)state;
	/* "1234.50" needs 7 characters and the NUL */
	assert_int_equal(decimal_format(123450, 2, buf, 8), 7);
	assert_string_equal(buf, "1234.50");
	assert_int_equal(decimal_format(123450, 2, buf, 7), -1);
	assert_int_equal(decimal_format(-1, 2, buf, 6), 5);
	assert_string_equal(buf, "-0.01");
	assert_int_equal(decimal_format(-1, 2, buf, 5), -1);
	assert_int_equal(decimal_format(7, 0, buf, 2), 1);
	assert_string_equal(buf, "7");
	assert_int_equal(decimal_format(7, 0, buf, 1), -1);
	assert_int_equal(decimal_format(7, 0, buf, 0), -1);
	assert_int_equal(decimal_format(INT64_MIN, 2, buf, 22), 21);
	assert_int_equal(decimal_format(INT64_MIN, 2, buf, 21), -1);
	assert_int_equal(decimal_format(7, 0, NULL, 10), -1);
	assert_int_equal(decimal_format(7, -1, buf, sizeof(buf)), -1);
	assert_int_equal(decimal_format(7, 10, buf, sizeof(buf)), -1);
}

static void test_round_trip(void **state)
{
	static const int64_t edges[] = {
		0, 1, -1, 9, -9, 10, -10, 99, 100, -100, 999999999,
		1000000000, -1000000000, INT64_MAX, INT64_MIN, INT64_MAX - 1,
		INT64_MIN + 1,
	};
	char buf[32];

	(void)state;
	for (int scale = 0; scale <= 9; scale++) {
		for (size_t i = 0; i < 2000; i++) {
			int64_t v = i < sizeof(edges) / sizeof(edges[0]) ?
					    edges[i] :
					    (int64_t)lcg_next();
			char again[32];
			int n;

			/* also cover small magnitudes, not only huge ones */
			if (i % 3 == 1)
				v %= 1000000;
			n = decimal_format(v, scale, buf, sizeof(buf));
			assert_true(n > 0);
			assert_int_equal(parse_ok(buf, scale), v);
			/* canonical text survives parse then format */
			assert_int_equal(decimal_format(parse_ok(buf, scale),
							scale, again,
							sizeof(again)),
					 n);
			assert_string_equal(again, buf);
		}
	}
	/* shorter fractions format with the full scale */
	format_is(parse_ok("1.5", 4), 4, "1.5000");
	format_is(parse_ok("-0", 2), 2, "0.00");
}

/* ---- mul ----------------------------------------------------------- */

static void test_mul_rounding(void **state)
{
	(void)state;
	/* 1.005 * 1 to 2 places: the binary-float trap, exactly 1.01 here */
	assert_int_equal(mul_ok(1005, 3, 1, 0, 2), 101);
	assert_int_equal(mul_ok(-1005, 3, 1, 0, 2), -101);
	assert_int_equal(mul_ok(-1005, 3, -1, 0, 2), 101);
	assert_int_equal(mul_ok(1005, 3, -1, 0, 2), -101);
	assert_int_equal(mul_ok(1004, 3, 1, 0, 2), 100);
	assert_int_equal(mul_ok(-1004, 3, 1, 0, 2), -100);
	assert_int_equal(mul_ok(2675, 3, 1, 0, 2), 268);
	/* 3 * 0.3333 = 0.9999 */
	assert_int_equal(mul_ok(3, 0, 3333, 4, 4), 9999);
	assert_int_equal(mul_ok(3, 0, 3333, 4, 3), 1000);
	assert_int_equal(mul_ok(3, 0, 3333, 4, 2), 100);
	assert_int_equal(mul_ok(3, 0, 3333, 4, 0), 1);
	/* 0.5 * 0.5 = 0.25: a tie at one place */
	assert_int_equal(mul_ok(5, 1, 5, 1, 1), 3);
	assert_int_equal(mul_ok(-5, 1, 5, 1, 1), -3);
	/* below half rounds toward zero, to zero */
	assert_int_equal(mul_ok(-49, 4, 1, 0, 2), 0);
	assert_int_equal(mul_ok(49, 4, 1, 0, 2), 0);
	assert_int_equal(mul_ok(-5, 3, 1, 0, 2), -1);
	/* 12.3456 * 7.891 = 97.4191296 */
	assert_int_equal(mul_ok(123456, 4, 7891, 3, 4), 974191);
	assert_int_equal(mul_ok(123456, 4, 7891, 3, 7), 974191296);
	/* the largest reduction: 18 places down to 0 */
	assert_int_equal(mul_ok(500000000, 9, 1000000000, 9, 0), 1);
	assert_int_equal(mul_ok(499999999, 9, 1000000000, 9, 0), 0);
	assert_int_equal(mul_ok(-500000000, 9, 1000000000, 9, 0), -1);
}

static void test_mul_scale_up(void **state)
{
	(void)state;
	assert_int_equal(mul_ok(3, 0, 2, 0, 4), 60000);
	assert_int_equal(mul_ok(250, 2, 4, 0, 2), 1000);
	assert_int_equal(mul_ok(-250, 2, 4, 0, 5), -1000000);
	assert_int_equal(mul_ok(1, 0, 1, 0, 9), 1000000000);
	assert_int_equal(mul_ok(0, 0, INT64_MAX, 0, 9), 0);
	assert_int_equal(mul_ok(7, 1, 3, 1, 2), 21);
}

static void test_mul_range(void **state)
{
	int64_t v = SENTINEL;

	(void)state;
	assert_int_equal(mul_ok(INT64_MAX, 0, 1, 0, 0), INT64_MAX);
	assert_true(mul_ok(INT64_MIN, 0, 1, 0, 0) == INT64_MIN);
	assert_int_equal(mul_ok(INT64_MIN + 1, 0, -1, 0, 0), INT64_MAX);
	/* 1.000000000 at scale 9 is the identity, even at the edges */
	assert_int_equal(mul_ok(INT64_MAX, 9, 1000000000, 9, 9), INT64_MAX);
	assert_true(mul_ok(INT64_MIN, 9, 1000000000, 9, 9) == INT64_MIN);

	assert_int_equal(decimal_mul(INT64_MAX, 0, 2, 0, 0, &v),
			 DECIMAL_RANGE);
	assert_int_equal(decimal_mul(INT64_MIN, 0, -1, 0, 0, &v),
			 DECIMAL_RANGE);
	assert_int_equal(decimal_mul(INT64_MIN, 0, INT64_MIN, 0, 0, &v),
			 DECIMAL_RANGE);
	assert_int_equal(decimal_mul(INT64_MAX, 9, INT64_MAX, 9, 0, &v),
			 DECIMAL_RANGE);
	/* scaling up past the range, including from a product that is
	 * already beyond int64 (must not overflow 128 bits either) */
	assert_int_equal(decimal_mul(INT64_MAX, 0, 1, 0, 1, &v),
			 DECIMAL_RANGE);
	assert_int_equal(decimal_mul(INT64_MAX, 0, INT64_MAX, 0, 9, &v),
			 DECIMAL_RANGE);
	assert_int_equal(decimal_mul(INT64_MIN, 0, INT64_MIN, 0, 9, &v),
			 DECIMAL_RANGE);
	assert_int_equal(v, SENTINEL);

	/* 368934881474191032.3 * 25 = 9223372036854775807.5: the rounding
	 * itself steps past INT64_MAX; the negative twin lands exactly on
	 * INT64_MIN. */
	assert_int_equal(decimal_mul(INT64_C(3689348814741910323), 1, 25, 0,
				     0, &v),
			 DECIMAL_RANGE);
	assert_int_equal(v, SENTINEL);
	assert_true(mul_ok(INT64_C(-3689348814741910323), 1, 25, 0, 0) ==
		    INT64_MIN);
}

static void test_mul_bad_scale(void **state)
{
	int64_t v = SENTINEL;

	(void)state;
	assert_int_equal(decimal_mul(1, -1, 1, 0, 0, &v), DECIMAL_SYNTAX);
	assert_int_equal(decimal_mul(1, 0, 1, 10, 0, &v), DECIMAL_SYNTAX);
	assert_int_equal(decimal_mul(1, 0, 1, 0, 10, &v), DECIMAL_SYNTAX);
	assert_int_equal(v, SENTINEL);
}

/* ---- texts --------------------------------------------------------- */

static void test_result_text(void **state)
{
	static const char exact[] = "has more than 2 decimal places";
	char buf[96];
	char small[8];

	(void)state;
	assert_string_equal(decimal_result_text(DECIMAL_SYNTAX, 2, buf,
						sizeof(buf)),
			    "is not a decimal number (digits with an optional '.' and fraction)");
	assert_string_equal(decimal_result_text(DECIMAL_PRECISION, 2, buf,
						sizeof(buf)),
			    "has more than 2 decimal places");
	assert_string_equal(decimal_result_text(DECIMAL_PRECISION, 4, buf,
						sizeof(buf)),
			    "has more than 4 decimal places");
	assert_string_equal(decimal_result_text(DECIMAL_PRECISION, 1, buf,
						sizeof(buf)),
			    "has more than 1 decimal place");
	assert_string_equal(decimal_result_text(DECIMAL_PRECISION, 0, buf,
						sizeof(buf)),
			    "must be a whole number");
	assert_string_equal(decimal_result_text(DECIMAL_RANGE, 2, buf,
						sizeof(buf)),
			    "is out of range");
	assert_ptr_equal(decimal_result_text(DECIMAL_RANGE, 2, buf,
					     sizeof(buf)),
			 buf);
	assert_true(strlen(decimal_result_text(DECIMAL_OK, 2, buf,
					       sizeof(buf))) > 0);
	assert_true(strlen(decimal_result_text((enum decimal_result)99, 2, buf,
					       sizeof(buf))) > 0);

	/* an exact fit is not truncated */
	assert_string_equal(decimal_result_text(DECIMAL_PRECISION, 2, buf,
						sizeof(exact)),
			    exact);
	/* a short buffer truncates but stays a string */
	assert_ptr_equal(decimal_result_text(DECIMAL_SYNTAX, 2, small,
					     sizeof(small)),
			 small);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	/* no room at all: a static empty string, never NULL */
	assert_string_equal(decimal_result_text(DECIMAL_SYNTAX, 2, small, 0),
			    "");
	assert_string_equal(decimal_result_text(DECIMAL_SYNTAX, 2, NULL, 10),
			    "");
}


/* ---- rounding helpers, allocation, short form ------------------------ */

static int64_t div_ok(decimal_wide num, decimal_wide den)
{
	int64_t v = SENTINEL;

	assert_int_equal(decimal_div_round(num, den, &v), DECIMAL_OK);
	return v;
}

static void test_div_round(void **state)
{
	int64_t v = SENTINEL;

	(void)state;
	assert_int_equal(div_ok(5, 2), 3);   /* 2.5 rounds up */
	assert_int_equal(div_ok(-5, 2), -3); /* half away from zero */
	assert_int_equal(div_ok(4, 3), 1);   /* 1.33 */
	assert_int_equal(div_ok(5, 3), 2);   /* 1.67 */
	assert_int_equal(div_ok(149, 100), 1);
	assert_int_equal(div_ok(150, 100), 2);
	assert_int_equal(div_ok(0, 7), 0);
	/* half of an odd divisor never ties */
	assert_int_equal(div_ok(3, 7), 0);
	assert_int_equal(div_ok(4, 7), 1);
	/* the largest quotients, and a remainder near the divisor's half */
	assert_int_equal(div_ok((decimal_wide)INT64_MAX * 10 + 4, 10), INT64_MAX);
	assert_int_equal(decimal_div_round((decimal_wide)INT64_MAX * 10 + 5, 10, &v),
			 DECIMAL_RANGE);
	assert_int_equal(div_ok((decimal_wide)INT64_MIN * 10 - 4, 10), INT64_MIN);
	assert_int_equal(v, SENTINEL);
	assert_int_equal(decimal_div_round(1, 0, &v), DECIMAL_SYNTAX);
	assert_int_equal(decimal_div_round(1, -3, &v), DECIMAL_SYNTAX);
	assert_int_equal(v, SENTINEL);
}

static void test_muldiv(void **state)
{
	int64_t v = SENTINEL;

	(void)state;
	/* 10 fen at 15 percent = 1.5 fen, up to 2 */
	assert_int_equal(decimal_muldiv(10, 15, 100, &v), DECIMAL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(decimal_muldiv(7, 1, 2, &v), DECIMAL_OK);
	assert_int_equal(v, 4);
	assert_int_equal(decimal_muldiv(INT64_MAX, INT64_MAX, INT64_MAX, &v), DECIMAL_OK);
	assert_int_equal(v, INT64_MAX);
	v = SENTINEL;
	assert_int_equal(decimal_muldiv(INT64_MAX, 2, 1, &v), DECIMAL_RANGE);
	assert_int_equal(decimal_muldiv(1, 1, 0, &v), DECIMAL_SYNTAX);
	assert_int_equal(v, SENTINEL);
}

static void allocate_is(int64_t total, const int64_t *w, size_t n,
			const int64_t *want)
{
	int64_t got[8];

	assert_true(decimal_allocate(total, w, n, got));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static void test_allocate(void **state)
{
	int64_t out[4] = { 9, 9, 9, 9 };

	(void)state;
	/* exact shares */
	allocate_is(1000, (int64_t[]){ 1, 2, 3, 4 }, 4, (int64_t[]){ 100, 200, 300, 400 });
	/* 33.33 each: the one fen left goes to the first of equal remainders */
	allocate_is(100, (int64_t[]){ 1, 1, 1 }, 3, (int64_t[]){ 34, 33, 33 });
	/* 1.75 each: three fen left, to the first three */
	allocate_is(7, (int64_t[]){ 1, 1, 1, 1 }, 4, (int64_t[]){ 2, 2, 2, 1 });
	/* 3.33 and 6.67: the larger remainder (the second) gets the fen */
	allocate_is(10, (int64_t[]){ 1, 2 }, 2, (int64_t[]){ 3, 7 });
	/* 0.4 and 0.6 of 1: remainders 4 and 6 */
	allocate_is(1, (int64_t[]){ 2, 3 }, 2, (int64_t[]){ 0, 1 });
	/* a zero weight gets nothing */
	allocate_is(5, (int64_t[]){ 10, 0 }, 2, (int64_t[]){ 5, 0 });
	/* all weights zero: equal shares */
	allocate_is(100, (int64_t[]){ 0, 0 }, 2, (int64_t[]){ 50, 50 });
	allocate_is(5, (int64_t[]){ 0, 0 }, 2, (int64_t[]){ 3, 2 });
	allocate_is(0, (int64_t[]){ 3, 4 }, 2, (int64_t[]){ 0, 0 });
	/* refusals leave the shares alone */
	assert_false(decimal_allocate(5, (int64_t[]){ 1, -1 }, 2, out));
	assert_false(decimal_allocate(-5, (int64_t[]){ 1, 1 }, 2, out));
	assert_false(decimal_allocate(5, (int64_t[]){ INT64_MAX, 1 }, 2, out));
	assert_false(decimal_allocate(5, out, 0, out));
	assert_int_equal(out[0], 9);
	assert_int_equal(out[1], 9);
}

/* Random weights: the shares always add up to the total, and each is the
 * exact share rounded down or up. */
static void test_allocate_sums(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t n = 1 + lcg_next() % 8;
		int64_t w[8], s[8], total = (int64_t)(lcg_next() % 100000000), sum = 0,
				    got = 0;

		for (size_t i = 0; i < n; i++)
			sum += w[i] = (int64_t)(lcg_next() % 1000000);
		assert_true(decimal_allocate(total, w, n, s));
		for (size_t i = 0; i < n; i++) {
			decimal_wide exact = (decimal_wide)total * (sum ? w[i] : 1);
			int64_t div = sum ? sum : (int64_t)n;
			int64_t low = (int64_t)(exact / div);

			assert_true(s[i] == low || s[i] == low + 1);
			got += s[i];
		}
		assert_int_equal(got, total);
	}
}

static void trim_is(int64_t v, int scale, const char *want)
{
	char buf[32];

	assert_int_equal(decimal_format_trim(v, scale, buf, sizeof buf),
			 (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_format_trim(void **state)
{
	char small[3];

	(void)state;
	trim_is(130000, 4, "13");
	trim_is(65000, 4, "6.5");
	trim_is(3000, 4, "0.3");
	trim_is(123456, 4, "12.3456");
	trim_is(0, 4, "0");
	trim_is(-50, 2, "-0.5");
	trim_is(100, 2, "1");
	trim_is(12345, 0, "12345");
	trim_is(1000, 0, "1000");
	assert_int_equal(decimal_format_trim(130000, 4, small, sizeof small), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_bad_scale),
		cmocka_unit_test(test_parse_precision),
		cmocka_unit_test(test_parse_range),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_limits),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_mul_rounding),
		cmocka_unit_test(test_mul_scale_up),
		cmocka_unit_test(test_mul_range),
		cmocka_unit_test(test_mul_bad_scale),
		cmocka_unit_test(test_result_text),
		cmocka_unit_test(test_div_round),
		cmocka_unit_test(test_muldiv),
		cmocka_unit_test(test_allocate),
		cmocka_unit_test(test_allocate_sums),
		cmocka_unit_test(test_format_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
