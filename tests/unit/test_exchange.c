/*
 * test_exchange.c - unit tests for src/domain/exchange.c: the demo rates
 * parse and are found by currency and month; CNY is always 1; a month
 * without a rate has none (no neighbouring month is used); every kind of
 * bad entry with its exact field and text; duplicates; the JSON form.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "domain/exchange.h"

static int32_t month(const char *s)
{
	int32_t m;

	assert_true(kmonth_parse(s, &m));
	return m;
}

static struct exchange_table *demo(void)
{
	struct problems p;
	json_t *doc = test_embedded_json("data/tariff/exchange-rates-2026.json");
	struct exchange_table *t;

	problems_init(&p);
	t = exchange_table_parse(doc, NULL, &p);
	json_decref(doc);
	assert_non_null(t);
	return t;
}

static void test_demo_rates(void **state)
{
	struct exchange_table *t = demo();
	int64_t r = 0;

	(void)state;
	assert_int_equal(t->n, 48); /* 4 currencies x 12 months */
	assert_true(exchange_find(t, "USD", month("2026-11"), &r));
	assert_int_equal(r, 710230000);
	assert_true(exchange_find(t, "USD", month("2026-12"), &r));
	assert_int_equal(r, 709610000);
	assert_true(exchange_find(t, "EUR", month("2026-11"), &r));
	assert_int_equal(r, 773450000);
	assert_true(exchange_find(t, "HKD", month("2026-11"), &r));
	assert_int_equal(r, 91210000);
	assert_true(exchange_find(t, "JPY", month("2026-11"), &r));
	assert_int_equal(r, 4735100);
	assert_true(exchange_find(t, "CNY", month("1999-01"), &r));
	assert_int_equal(r, 100000000);
	/* no rate: the month after the table, another currency, bad input */
	r = 42;
	assert_false(exchange_find(t, "USD", month("2027-01"), &r));
	assert_false(exchange_find(t, "USD", month("2025-12"), &r));
	assert_false(exchange_find(t, "GBP", month("2026-11"), &r));
	assert_false(exchange_find(t, "US", month("2026-11"), &r));
	assert_false(exchange_find(t, NULL, month("2026-11"), &r));
	assert_int_equal(r, 42);
	exchange_table_free(t);
}

static void bad(const char *doc, const char *field, const char *text)
{
	struct problems p;
	json_t *j = test_json(doc);

	problems_init(&p);
	assert_null(exchange_table_parse(j, NULL, &p));
	test_expect_problem(&p, field, text);
	json_decref(j);
}

static void test_bad_rates(void **state)
{
	(void)state;
	bad("{'rates': [{'currency': 'usd', 'month': '2026-11', 'cny_per_unit': '7.1'}]}",
	    "/rates/0/currency", "must be an ISO 4217 currency code such as \"USD\"");
	bad("{'rates': [{'currency': 'CNY', 'month': '2026-11', 'cny_per_unit': '1'}]}",
	    "/rates/0/currency", "CNY needs no rate (it is always 1)");
	bad("{'rates': [{'month': '2026-11', 'cny_per_unit': '7.1'}]}",
	    "/rates/0/currency", "is required");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-13', 'cny_per_unit': '7.1'}]}",
	    "/rates/0/month", "must be a month written YYYY-MM, such as \"2026-11\"");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11-01', 'cny_per_unit': '7.1'}]}",
	    "/rates/0/month", "must be a month written YYYY-MM, such as \"2026-11\"");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11', 'cny_per_unit': '0'}]}",
	    "/rates/0/cny_per_unit", "must be greater than zero");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11', 'cny_per_unit': '-7.1'}]}",
	    "/rates/0/cny_per_unit", "must be greater than zero");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11', 'cny_per_unit': 7.1}]}",
	    "/rates/0/cny_per_unit",
	    "must be a decimal string such as \"1234.5\" (numbers are sent as strings so "
	    "they stay exact)");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11',"
	    " 'cny_per_unit': '7.123456789'}]}",
	    "/rates/0/cny_per_unit", "has more than 8 decimal places");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11', 'cny_per_unit': '1000001'}]}",
	    "/rates/0/cny_per_unit", "must be at most 1000000");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11', 'cny_per_unit': '7.1',"
	    " 'source': 'PBOC'}]}",
	    "/rates/0/source", "unknown field; accepted fields are: currency, month, cny_per_unit");
	bad("{'rates': ['USD']}", "/rates/0",
	    "must be an object with currency, month and cny_per_unit");
	bad("{'rates': [{'currency': 'USD', 'month': '2026-11', 'cny_per_unit': '7.1'},"
	    " {'currency': 'EUR', 'month': '2026-11', 'cny_per_unit': '7.7'},"
	    " {'currency': 'USD', 'month': '2026-10', 'cny_per_unit': '7.2'},"
	    " {'currency': 'USD', 'month': '2026-11', 'cny_per_unit': '7.3'}]}",
	    "/rates/3", "repeats the USD rate for 2026-11 (/rates/0)");
	bad("{}", "/rates", "is required");
	bad("{'rates': [], 'from': 'x'}", "/from",
	    "unknown field; accepted fields are: description, rates");
}

static void test_build(void **state)
{
	struct exchange_rate rates[2] = { { "USD", 2026 * 12 + 10, 710230000 },
				    { "USD", 2026 * 12 + 10, 710000000 } };
	struct exchange_table *t;
	json_t *j;
	char *s;

	(void)state;
	assert_null(exchange_table_build(rates, 2));
	t = exchange_table_build(rates, 1);
	assert_non_null(t);
	j = exchange_rate_to_json(&t->rates[0]);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s, "{\"cny_per_unit\":\"7.1023\",\"currency\":\"USD\","
			       "\"month\":\"2026-11\"}");
	free(s);
	json_decref(j);
	exchange_table_free(t);
	t = exchange_table_build(NULL, 0);
	assert_non_null(t);
	exchange_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_rates),
		cmocka_unit_test(test_bad_rates),
		cmocka_unit_test(test_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
