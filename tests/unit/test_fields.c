/*
 * test_fields.c - unit tests for the readers src/domain/fields.c gained for
 * the money documents: bounded decimals (absent, valid, wrong, over the
 * limit, and the output left alone unless valid), calendar dates and
 * months, and decimals written back as JSON strings. Each bad input is
 * checked for its exact field and sentence.
 */
#include "test_support.h"

#include <string.h>

#include "domain/fields.h"

static void test_decimal_max(void **state)
{
	struct problems p;
	struct fields f = {.p = &p};
	json_t *doc = test_json("{'a': '12.50', 'b': '1000.01', 'c': 12, 'd': '-1', "
				"'e': '0', 'n': null}");
	int64_t v = 7;

	(void)state;
	problems_init(&p);
	assert_int_equal(fields_decimal_max(&f, doc, "a", "", 2, true, true, 100000, &v),
			 FIELDS_VALID);
	assert_int_equal(v, 1250);
	assert_int_equal(p.count, 0);

	/* absent: no problem unless required; the output is left alone */
	v = 7;
	assert_int_equal(fields_decimal_max(&f, doc, "z", "", 2, false, true, 100000, &v),
			 FIELDS_ABSENT);
	assert_int_equal(fields_decimal_max(&f, doc, "n", "", 2, false, true, 100000, &v),
			 FIELDS_ABSENT);
	assert_int_equal(v, 7);
	assert_int_equal(p.count, 0);
	assert_int_equal(fields_decimal_max(&f, doc, "z", "/x", 2, true, true, 100000, &v),
			 FIELDS_ABSENT);
	test_expect_problem(&p, "/x/z", "is required");

	problems_init(&p);
	assert_int_equal(fields_decimal_max(&f, doc, "b", "", 2, true, true, 100000, &v),
			 FIELDS_WRONG);
	test_expect_problem(&p, "/b", "must be at most 1000");
	assert_int_equal(v, 7);

	problems_init(&p);
	assert_int_equal(fields_decimal_max(&f, doc, "c", "", 2, true, true, 100000, &v),
			 FIELDS_WRONG);
	test_expect_problem(&p, "/c", "must be a decimal string such as \"1234.5\" (numbers "
				      "are sent as strings so they stay exact)");

	problems_init(&p);
	assert_int_equal(fields_decimal_max(&f, doc, "d", "", 2, true, false, 100000, &v),
			 FIELDS_WRONG);
	test_expect_problem(&p, "/d", "must not be negative");

	problems_init(&p);
	assert_int_equal(fields_decimal_max(&f, doc, "e", "", 2, true, true, 100000, &v),
			 FIELDS_WRONG);
	test_expect_problem(&p, "/e", "must be greater than zero");
	assert_int_equal(fields_decimal_max(&f, doc, "e", "", 2, true, false, 100000, &v),
			 FIELDS_VALID);
	assert_int_equal(v, 0);
	json_decref(doc);
}

static void test_dates_and_months(void **state)
{
	struct problems p;
	struct fields f = {.p = &p};
	json_t *doc = test_json("{'d': '2026-11-23', 'm': '2026-11', 'bad': '2026-02-30', "
				"'num': 20261123}");
	int32_t d = -1, m = -1;

	(void)state;
	problems_init(&p);
	assert_int_equal(fields_date(&f, doc, "d", "", true, &d), FIELDS_VALID);
	assert_int_equal(d, test_date("2026-11-23"));
	assert_int_equal(fields_month(&f, doc, "m", "", true, &m), FIELDS_VALID);
	assert_int_equal(fields_date(&f, doc, "none", "", false, &d), FIELDS_ABSENT);
	assert_int_equal(p.count, 0);

	assert_int_equal(fields_date(&f, doc, "bad", "/v", true, &d), FIELDS_WRONG);
	test_expect_problem(&p, "/v/bad",
			    "must be a calendar date written YYYY-MM-DD, such as \"2026-01-01\"");
	problems_init(&p);
	assert_int_equal(fields_date(&f, doc, "num", "", true, &d), FIELDS_WRONG);
	test_expect_problem(&p, "/num",
			    "must be a calendar date written YYYY-MM-DD, such as \"2026-01-01\"");
	problems_init(&p);
	assert_int_equal(fields_month(&f, doc, "d", "", true, &m), FIELDS_WRONG);
	test_expect_problem(&p, "/d", "must be a month written YYYY-MM, such as \"2026-11\"");
	problems_init(&p);
	assert_int_equal(fields_month(&f, doc, "none", "", true, &m), FIELDS_ABSENT);
	test_expect_problem(&p, "/none", "is required");
	json_decref(doc);
}

static void test_decimal_json(void **state)
{
	json_t *a = fields_decimal_json(4706481, 2);
	json_t *b = fields_decimal_json_trim(4735100, 8);
	json_t *c = fields_decimal_json_trim(100000, 4);
	json_t *d = fields_decimal_json(-50, 2);

	(void)state;
	assert_string_equal(json_string_value(a), "47064.81");
	assert_string_equal(json_string_value(b), "0.047351");
	assert_string_equal(json_string_value(c), "10");
	assert_string_equal(json_string_value(d), "-0.50");
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal_max),
		cmocka_unit_test(test_dates_and_months),
		cmocka_unit_test(test_decimal_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
