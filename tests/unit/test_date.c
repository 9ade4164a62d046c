/*
 * test_date.c - unit tests for src/common/date.c: day numbers of known
 * dates (counted by hand from 1970-01-01), leap years, the strict text
 * forms, the China Standard Time date of an instant on both sides of
 * midnight, months, and a walk over every day from 1000 to 9999 checking
 * that consecutive days are consecutive dates.
 */
#include "test_support.h"

#include <string.h>

#include "common/date.h"

static int32_t date_ok(const char *s)
{
	int32_t d = -12345;

	assert_true(kdate_parse(s, &d));
	return d;
}

static void date_bad(const char *s)
{
	int32_t d = -12345;

	assert_false(kdate_parse(s, &d));
	assert_int_equal(d, -12345);
}

static void test_known_days(void **state)
{
	(void)state;
	assert_int_equal(date_ok("1970-01-01"), 0);
	assert_int_equal(date_ok("1970-01-02"), 1);
	assert_int_equal(date_ok("1969-12-31"), -1);
	/* 30 years of 365 days + 7 leap days (1972 ... 1996) + Jan and Feb 2000 */
	assert_int_equal(date_ok("2000-03-01"), 30 * 365 + 7 + 31 + 29);
	/* 56 years, 14 of them leap (1972 ... 2024) */
	assert_int_equal(date_ok("2026-01-01"), 20454);
	/* + 304 days of January to October + 22 */
	assert_int_equal(date_ok("2026-11-23"), 20780);
	assert_int_equal(date_ok("2026-12-01"), 20788);
	assert_int_equal(date_ok("2027-01-01"), 20454 + 365);
}

static void test_leap_years(void **state)
{
	(void)state;
	assert_int_equal(date_ok("2024-03-01") - date_ok("2024-02-28"), 2);
	assert_int_equal(date_ok("2026-03-01") - date_ok("2026-02-28"), 1);
	assert_int_equal(date_ok("2000-03-01") - date_ok("2000-02-28"), 2);
	assert_int_equal(date_ok("2100-03-01") - date_ok("2100-02-28"), 1);
	date_ok("2024-02-29");
	date_ok("2000-02-29");
	date_bad("2026-02-29");
	date_bad("2100-02-29");
	date_bad("1900-02-29");
}

static void test_bad_dates(void **state)
{
	(void)state;
	date_bad("2026-1-01");
	date_bad("2026-01-1");
	date_bad("20260101");
	date_bad("2026-01-01T00:00:00Z");
	date_bad("2026-01-01 ");
	date_bad(" 2026-01-01");
	date_bad("2026/01/01");
	date_bad("2026-13-01");
	date_bad("2026-00-10");
	date_bad("2026-04-31");
	date_bad("2026-01-00");
	date_bad("0999-12-31");
	date_bad("-026-01-01");
	date_bad("");
	date_bad(NULL);
	date_ok("1000-01-01");
	date_ok("9999-12-31");
}

static void test_format(void **state)
{
	char out[KDATE_TEXT_MAX];

	(void)state;
	kdate_format(0, out);
	assert_string_equal(out, "1970-01-01");
	kdate_format(20780, out);
	assert_string_equal(out, "2026-11-23");
	kdate_format(-1, out);
	assert_string_equal(out, "1969-12-31");
	/* 2025-01-01 is 365 days before 2026-01-01; + 31 + 28 days */
	kdate_format(20454 - 365 + 59, out);
	assert_string_equal(out, "2025-03-01");
}

/* Every day from 1000-01-01 to 9999-12-31: consecutive numbers are
 * consecutive calendar days, and text round-trips. */
static void test_every_day(void **state)
{
	int32_t first = date_ok("1000-01-01"), last = date_ok("9999-12-31");
	int py = 1000, pm = 1, pd = 1;

	(void)state;
	for (int32_t d = first + 1; d <= last; d++) {
		int y, m, dd;

		kdate_to_ymd(d, &y, &m, &dd);
		if (dd != pd + 1) { /* a new month starts at day 1 */
			assert_int_equal(dd, 1);
			if (m != pm + 1) { /* a new year starts in January */
				assert_int_equal(m, 1);
				assert_int_equal(pm, 12);
				assert_int_equal(y, py + 1);
			} else {
				assert_int_equal(y, py);
			}
		} else {
			assert_int_equal(m, pm);
			assert_int_equal(y, py);
		}
		if (dd == 1 || d % 97 == 0) {
			char text[KDATE_TEXT_MAX];
			int32_t back;

			kdate_format(d, text);
			assert_true(kdate_parse(text, &back));
			assert_int_equal(back, d);
		}
		py = y;
		pm = m;
		pd = dd;
	}
	assert_int_equal(py, 9999);
	assert_int_equal(pm, 12);
	assert_int_equal(pd, 31);
}

static void test_china_date(void **state)
{
	(void)state;
	/* TEST_EPOCH_US is 2026-11-23T08:00:00Z: 16:00 in Beijing, same day */
	assert_int_equal(kdate_of_instant(TEST_EPOCH_US, KDATE_CHINA_OFFSET_MIN), 20780);
	assert_int_equal(kdate_of_instant(TEST_EPOCH_US, 0), 20780);
	/* 2026-11-23T16:00:00Z is midnight in Beijing: the 24th there */
	assert_int_equal(kdate_of_instant(TEST_EPOCH_US + 8 * 3600000000LL,
					  KDATE_CHINA_OFFSET_MIN),
			 20781);
	assert_int_equal(kdate_of_instant(TEST_EPOCH_US + 8 * 3600000000LL - 1,
					  KDATE_CHINA_OFFSET_MIN),
			 20780);
	assert_int_equal(kdate_of_instant(TEST_EPOCH_US + 8 * 3600000000LL, 0), 20780);
	/* before the epoch, days round down */
	assert_int_equal(kdate_of_instant(-1, 0), -1);
	assert_int_equal(kdate_of_instant(-86400000000LL, 0), -1);
	assert_int_equal(kdate_of_instant(-86400000001LL, 0), -2);
}

static void test_months(void **state)
{
	int32_t m = 0;
	char out[KMONTH_TEXT_MAX];

	(void)state;
	assert_true(kmonth_parse("2026-11", &m));
	assert_int_equal(m, 2026 * 12 + 10);
	assert_true(kmonth_parse("2026-01", &m));
	assert_int_equal(m, 2026 * 12);
	assert_int_equal(kmonth_of_date(20780), 2026 * 12 + 10);
	assert_int_equal(kmonth_of_date(20788), 2026 * 12 + 11);
	assert_int_equal(kmonth_of_date(20454), 2026 * 12);
	assert_int_equal(kmonth_of_date(20453), 2025 * 12 + 11);
	kmonth_format(2026 * 12 + 10, out);
	assert_string_equal(out, "2026-11");
	kmonth_format(2026 * 12 + 11, out);
	assert_string_equal(out, "2026-12");
	assert_false(kmonth_parse("2026-13", &m));
	assert_false(kmonth_parse("2026-00", &m));
	assert_false(kmonth_parse("2026-1", &m));
	assert_false(kmonth_parse("2026-11-01", &m));
	assert_false(kmonth_parse("202611", &m));
	assert_false(kmonth_parse(NULL, &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_days),  cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_bad_dates),   cmocka_unit_test(test_format),
		cmocka_unit_test(test_every_day),   cmocka_unit_test(test_china_date),
		cmocka_unit_test(test_months),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
