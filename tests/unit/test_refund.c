/*
 * test_refund.c - unit tests for src/domain/refund.c: the worked example
 * of docs/money.md (the demo's T-shirt export), several items at 13 %,
 * 9 % and 0 %, refusal of an import, an export not released or not
 * departed, or refunded already (every reason at once), every mismatch
 * with customs' data with its field and text, the tax office's decision,
 * the application parser and the JSON.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "domain/refund.h"

static struct tariff *demo;

static int setup(void **state)
{
	struct problems p;
	json_t *doc = test_embedded_json("data/tariff/tariff-2026.json");
	struct tariff_version *v;

	(void)state;
	problems_init(&p);
	v = tariff_version_parse(doc, NULL, &p);
	json_decref(doc);
	assert_non_null(v);
	demo = tariff_new();
	assert_int_equal(tariff_add(demo, v, &p), KERR_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tariff_free(demo);
	return 0;
}

/* Customs' data of a released export that has left. */
static struct refund_customs_data departed_export(void)
{
	struct refund_customs_data d;

	memset(&d, 0, sizeof d);
	d.released = true;
	d.departed = true;
	d.accepted_at_us = TEST_EPOCH_US;
	d.departed_at_us = TEST_EPOCH_US + 86400000000LL;
	return d;
}

static void export_item(struct refund_customs_data *d, const char *hs, const char *qty,
			const char *fob)
{
	struct refund_export_item *it = &d->items[d->nitems++];

	it->hs_code = hs;
	it->quantity = test_decimal(qty, 5);
	it->fob_cny = test_decimal(fob, 2);
}

static void claim(struct refund_application *a, const char *hs, const char *qty,
		  const char *fob)
{
	struct refund_claim_item *it = &a->items[a->nitems++];

	snprintf(it->hs_code, sizeof it->hs_code, "%s", hs);
	it->quantity = test_decimal(qty, 5);
	it->fob_cny = test_decimal(fob, 2);
}

static struct refund_application application(void)
{
	struct refund_application a;

	memset(&a, 0, sizeof a);
	snprintf(a.declaration, sizeof a.declaration, "530120260000000007");
	return a;
}

static void test_example_tshirts(void **state)
{
	struct refund_customs_data d = departed_export();
	struct refund_application a = application();
	struct refund_result r;
	struct problems reasons;

	(void)state;
	export_item(&d, "6109100000", "9600", "249550.56");
	claim(&a, "6109100000", "9600", "249550.56");
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_OK);
	assert_int_equal(reasons.count, 0);
	assert_int_equal(r.verdict, REFUND_MATCHES);
	assert_int_equal(r.items[0].rate_ppm, 130000);
	/* 249550.56 x 13 % = 32441.5728 */
	assert_int_equal(r.items[0].refund, test_decimal("32441.57", 2));
	assert_int_equal(r.total, test_decimal("32441.57", 2));
	assert_string_equal(r.items[0].version->id, "CN-2026");
}

static void test_several_rates(void **state)
{
	struct refund_customs_data d = departed_export();
	struct refund_application a = application();
	struct refund_result r;
	struct problems reasons;
	json_t *j;
	char *s;

	(void)state;
	export_item(&d, "6109100000", "1000", "30000.55");
	export_item(&d, "0808100000", "20000", "100000.00");
	export_item(&d, "4407110000", "50", "120000.00");
	claim(&a, "6109100000", "1000", "30000.55");
	claim(&a, "0808100000", "20000", "100000.00");
	claim(&a, "4407110000", "50", "120000.00");
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_OK);
	assert_int_equal(r.verdict, REFUND_MATCHES);
	/* 30000.55 x 13 % = 3900.0715; 100000.00 x 9 %; sawn wood 0 % */
	assert_int_equal(r.items[0].refund, test_decimal("3900.07", 2));
	assert_int_equal(r.items[1].refund, test_decimal("9000.00", 2));
	assert_int_equal(r.items[2].refund, 0);
	assert_int_equal(r.total, test_decimal("12900.07", 2));

	j = refund_result_to_json(&r);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(
		s, "{\"date\":\"2026-11-23\",\"declaration_number\":\"530120260000000007\","
		   "\"departed_at\":\"2026-11-24T08:00:00.000000Z\",\"items\":["
		   "{\"fob_value_cny\":\"30000.55\",\"hs_code\":\"6109100000\","
		   "\"refund\":\"3900.07\",\"refund_percent\":\"13\",\"tariff_version\":\"CN-2026\"},"
		   "{\"fob_value_cny\":\"100000.00\",\"hs_code\":\"0808100000\","
		   "\"refund\":\"9000.00\",\"refund_percent\":\"9\",\"tariff_version\":\"CN-2026\"},"
		   "{\"fob_value_cny\":\"120000.00\",\"hs_code\":\"4407110000\","
		   "\"refund\":\"0.00\",\"refund_percent\":\"0\",\"tariff_version\":\"CN-2026\"}],"
		   "\"total_refund\":\"12900.07\",\"verdict\":\"matches\"}");
	free(s);
	json_decref(j);
}

static void test_cannot_apply(void **state)
{
	struct refund_customs_data d = departed_export();
	struct refund_application a = application();
	struct refund_result r;
	struct problems reasons;

	(void)state;
	export_item(&d, "6109100000", "9600", "249550.56");
	claim(&a, "6109100000", "9600", "249550.56");
	d.import = true;
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_CONFLICT);
	test_expect_problem(&reasons, "/declaration_number",
			    "is an import declaration: refunds are for exports");
	assert_int_equal(reasons.count, 1);

	d.import = false;
	d.released = false;
	d.departed = false;
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_CONFLICT);
	test_expect_problem(&reasons, "/declaration_number",
			    "is not released: a refund follows release");
	test_expect_problem(&reasons, "/declaration_number",
			    "has not left: its conveyance has not departed yet");
	assert_int_equal(reasons.count, 2);

	d.released = true;
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_CONFLICT);
	assert_int_equal(reasons.count, 1);
	test_expect_problem(&reasons, "/declaration_number",
			    "has not left: its conveyance has not departed yet");

	d.departed = true;
	d.refund_approved = true;
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_CONFLICT);
	test_expect_problem(&reasons, "/declaration_number", "already has an approved refund");
}

static void test_mismatches(void **state)
{
	struct refund_customs_data d = departed_export();
	struct refund_application a = application();
	struct refund_result r;
	struct problems reasons, p;

	(void)state;
	export_item(&d, "6109100000", "9600", "249550.56");
	export_item(&d, "6110200000", "1200", "54000.00");
	claim(&a, "6109100000", "9800", "254749.32");
	claim(&a, "6110300000", "1200", "54000.00");
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_OK);
	assert_int_equal(r.verdict, REFUND_MISMATCH);
	test_expect_problem(&reasons, "/items/0/quantity",
			    "is 9800; customs' data for item 0 is 9600");
	test_expect_problem(&reasons, "/items/0/fob_value_cny",
			    "is 254749.32 CNY; customs' data for item 0 is 249550.56 CNY");
	test_expect_problem(&reasons, "/items/1/hs_code",
			    "is 6110300000; customs' data for item 1 is 6110200000");
	/* jerseys have no line in the demo tariff: their rate is unknown */
	test_expect_problem(&reasons, "/items/1/hs_code",
			    "has no tariff line in force on 2026-11-23: its refund rate is unknown");
	assert_int_equal(reasons.count, 4);

	/* a mismatch can only be rejected, and a rejection needs a reason */
	problems_init(&p);
	assert_int_equal(refund_decide(&r, true, NULL, &p), KERR_CONFLICT);
	test_expect_problem(&p, "/decision",
			    "the application does not match customs' electronic data; it can "
			    "only be rejected");
	problems_init(&p);
	assert_int_equal(refund_decide(&r, false, "", &p), KERR_INVALID);
	test_expect_problem(&p, "/reason", "is required to reject a refund application");
	assert_int_equal(refund_decide(&r, false, "quantities differ from customs' data", &p),
			 KERR_OK);

	/* fewer items than the declaration */
	a.nitems = 1;
	a.items[0].quantity = test_decimal("9600", 5);
	a.items[0].fob_cny = test_decimal("249550.56", 2);
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_OK);
	assert_int_equal(r.verdict, REFUND_MISMATCH);
	test_expect_problem(&reasons, "/items", "lists 1 item; the export declaration has 2");
	assert_int_equal(reasons.count, 1);

	/* a match may be approved */
	d.nitems = 1;
	problems_init(&reasons);
	assert_int_equal(refund_check(&a, &d, demo, &r, &reasons), KERR_OK);
	assert_int_equal(r.verdict, REFUND_MATCHES);
	problems_init(&p);
	assert_int_equal(refund_decide(&r, true, NULL, &p), KERR_OK);
}

static void test_parse_application(void **state)
{
	struct refund_application a;
	struct problems p;
	json_t *j;

	(void)state;
	problems_init(&p);
	j = test_json("{'declaration_number': '530120260000000007', 'items': ["
		      " {'hs_code': '6109100000', 'quantity': '9600', 'fob_value_cny': '249550.56'}]}");
	assert_true(refund_application_parse(j, &a, &p));
	json_decref(j);
	assert_string_equal(a.declaration, "530120260000000007");
	assert_int_equal(a.nitems, 1);
	assert_int_equal(a.items[0].quantity, 960000000);
	assert_int_equal(a.items[0].fob_cny, 24955056);

	j = test_json("{'declaration_number': '5301', 'items': ["
		      " {'hs_code': '61091', 'quantity': '0', 'fob_value_cny': '-1', 'rate': '13'}],"
		      " 'bank': 'x'}");
	assert_false(refund_application_parse(j, &a, &p));
	json_decref(j);
	test_expect_problem(&p, "/declaration_number", "must be an 18-digit declaration number");
	test_expect_problem(&p, "/items/0/hs_code", "must be a 10-digit commodity code");
	test_expect_problem(&p, "/items/0/quantity", "must be greater than zero");
	test_expect_problem(&p, "/items/0/fob_value_cny", "must not be negative");
	test_expect_problem(&p, "/items/0/rate",
			    "unknown field; accepted fields are: hs_code, quantity, fob_value_cny");
	test_expect_problem(&p, "/bank",
			    "unknown field; accepted fields are: declaration_number, items");
	problems_init(&p);
	j = test_json("{'declaration_number': '530120260000000007', 'items': []}");
	assert_false(refund_application_parse(j, &a, &p));
	json_decref(j);
	test_expect_problem(&p, "/items", "must list the declaration's items");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_tshirts),
		cmocka_unit_test(test_several_rates),
		cmocka_unit_test(test_cannot_apply),
		cmocka_unit_test(test_mismatches),
		cmocka_unit_test(test_parse_application),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
