/*
 * test_fees.c - unit tests for src/domain/fees.c: the demo Nansha
 * catalogue; charges from catalogue items (whole and fractional
 * quantities, rounding half up); refusal of anything outside the
 * catalogue; the inspection waiver for each outcome (the worked example of
 * docs/money.md: one container inspected); every kind of bad catalogue
 * with its exact field and text; the JSON forms.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "domain/fees.h"
#include "domain/refdata.h"

static struct refdata *ref;
static struct fee_catalogue *nansha;

static int setup(void **state)
{
	struct problems p;
	json_t *doc;

	(void)state;
	ref = test_reference();
	doc = test_embedded_json("data/tariff/fees-cnnsa-2026.json");
	problems_init(&p);
	nansha = fee_catalogue_parse(doc, ref, &p);
	for (size_t i = 0; i < p.count; i++)
		fprintf(stderr, "%s: %s\n", p.errors[i].field, p.errors[i].problem);
	json_decref(doc);
	assert_non_null(nansha);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fee_catalogue_free(nansha);
	refdata_release(ref);
	return 0;
}

static struct fee_charge charge(const char *code, const char *qty,
				enum inspection_outcome o)
{
	struct fee_charge ch;
	struct problems p;

	problems_init(&p);
	assert_int_equal(fee_charge(nansha, code, test_decimal(qty, 3), o, &ch, &p), KERR_OK);
	assert_int_equal(p.count, 0);
	return ch;
}

static void test_demo_catalogue(void **state)
{
	const struct fee_item *it;

	(void)state;
	assert_string_equal(nansha->id, "CNNSA-2026");
	assert_string_equal(nansha->port, "CNNSA");
	assert_int_equal(nansha->nitems, 12);
	for (size_t i = 1; i < nansha->nitems; i++)
		assert_true(strcmp(nansha->items[i - 1].code, nansha->items[i].code) < 0);
	it = fee_find(nansha, "INSP-STORE");
	assert_non_null(it);
	assert_int_equal(it->unit, FEE_PER_CONTAINER_DAY);
	assert_int_equal(it->price, 4500);
	assert_int_equal(it->inspection, FEE_INSPECTION_STORAGE);
	assert_int_equal(it->charged_by, FEE_BY_TERMINAL);
	assert_int_equal(fee_find(nansha, "INSP-UNPACK")->charged_by, FEE_BY_INSPECTION_SITE);
	assert_int_equal(fee_find(nansha, "TALLY")->charged_by, FEE_BY_TALLY);
	assert_int_equal(fee_find(nansha, "THC-20")->inspection, FEE_INSPECTION_NONE);
	assert_null(fee_find(nansha, "thc-20"));
	assert_null(fee_find(nansha, NULL));
}

static void test_charges(void **state)
{
	struct fee_charge ch;

	(void)state;
	ch = charge("THC-20", "2", INSPECTION_NONE);
	assert_int_equal(ch.amount, 170000);
	assert_int_equal(ch.payer, FEE_PAYER_TRADER);
	assert_int_equal(ch.trader_amount, 170000);
	assert_int_equal(ch.state_amount, 0);
	assert_string_equal(ch.reason, "charged: not an inspection service");
	/* 1234.567 t x 18.50 = 22839.48895: half up to 22839.49 */
	ch = charge("BULK-TONNE", "1234.567", INSPECTION_NONE);
	assert_int_equal(ch.amount, 2283949);
	/* 0.001 t x 18.50 = 0.0185: 0.02 */
	ch = charge("BULK-TONNE", "0.001", INSPECTION_NONE);
	assert_int_equal(ch.amount, 2);
	ch = charge("STORE-DAY", "3", INSPECTION_NO_PROBLEM);
	assert_int_equal(ch.amount, 7500);
	assert_int_equal(ch.payer, FEE_PAYER_TRADER); /* not an inspection service */
}

/* The worked example: one 20-foot container moved, lifted, stored two
 * days and unpacked for an inspection. */
static void test_inspection_waiver(void **state)
{
	static const char *const codes[] = { "THC-20", "INSP-MOVE", "INSP-LIFT",
					     "INSP-STORE", "INSP-UNPACK" };
	static const char *const qty[] = { "1", "1", "1", "2", "1" };
	int64_t trader = 0, state_borne = 0;
	struct fee_charge ch;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		ch = charge(codes[i], qty[i], INSPECTION_NO_PROBLEM);
		trader += ch.trader_amount;
		state_borne += ch.state_amount;
		assert_int_equal(ch.trader_amount + ch.state_amount, ch.amount);
	}
	assert_int_equal(trader, 130000);     /* 850.00 + 450.00 */
	assert_int_equal(state_borne, 47000); /* 200.00 + 180.00 + 2 x 45.00 */

	ch = charge("INSP-LIFT", "1", INSPECTION_NO_PROBLEM);
	assert_int_equal(ch.payer, FEE_PAYER_STATE);
	assert_int_equal(ch.trader_amount, 0);
	assert_int_equal(ch.state_amount, 18000);
	assert_string_equal(ch.reason, "waived for the trader: lifting for an inspection "
				       "that found no problem is borne by the state");
	ch = charge("INSP-UNPACK", "1", INSPECTION_NO_PROBLEM);
	assert_int_equal(ch.payer, FEE_PAYER_TRADER);
	assert_string_equal(ch.reason, "charged: unpacking is not among the inspection "
				       "services the state bears (lifting, moving, storage)");

	/* a problem found: the trader pays everything */
	trader = 0;
	for (size_t i = 0; i < 5; i++)
		trader += charge(codes[i], qty[i], INSPECTION_PROBLEM).trader_amount;
	assert_int_equal(trader, 177000);
	ch = charge("INSP-MOVE", "1", INSPECTION_PROBLEM);
	assert_string_equal(ch.reason, "charged: the inspection found a problem");
	/* not complete yet: the trader's until it is */
	ch = charge("INSP-STORE", "2", INSPECTION_NONE);
	assert_int_equal(ch.payer, FEE_PAYER_TRADER);
	assert_string_equal(ch.reason, "charged: the inspection is not complete (storage "
				       "is waived if it finds no problem)");
}

static void refused(const char *code, const char *qty, const char *field,
		    const char *text)
{
	struct fee_charge ch;
	struct problems p;

	problems_init(&p);
	assert_int_equal(fee_charge(nansha, code, test_decimal(qty, 3), INSPECTION_NONE, &ch, &p),
			 KERR_INVALID);
	test_expect_problem(&p, field, text);
}

static void test_refused_charges(void **state)
{
	struct fee_charge ch;
	struct problems p;

	(void)state;
	refused("DOC-FEE", "1", "/code",
		"'DOC-FEE' is not in the published fee catalogue CNNSA-2026 of CNNSA; only "
		"catalogue items may be charged");
	refused("THC-20", "0", "/quantity", "must be greater than zero");
	refused("THC-20", "-1", "/quantity", "must be greater than zero");
	refused("THC-20", "1.5", "/quantity", "must be a whole number of containers");
	refused("STORE-DAY", "2.5", "/quantity", "must be a whole number of container-days");
	refused("THC-20", "1000000001", "/quantity", "must be at most 1000000000");
	problems_init(&p);
	assert_int_equal(fee_charge(nansha, NULL, 1000, INSPECTION_NONE, &ch, &p), KERR_INVALID);
	test_expect_problem(&p, "/code",
			    "'' is not in the published fee catalogue CNNSA-2026 of CNNSA; only "
			    "catalogue items may be charged");
}

static void test_outcomes(void **state)
{
	enum inspection_outcome o = INSPECTION_PROBLEM;

	(void)state;
	assert_true(inspection_outcome_parse("no_problem", &o));
	assert_int_equal(o, INSPECTION_NO_PROBLEM);
	assert_true(inspection_outcome_parse("problem", &o));
	assert_int_equal(o, INSPECTION_PROBLEM);
	assert_true(inspection_outcome_parse(NULL, &o));
	assert_int_equal(o, INSPECTION_NONE);
	assert_false(inspection_outcome_parse("fine", &o));
	assert_string_equal(inspection_outcome_name(INSPECTION_NO_PROBLEM), "no_problem");
	assert_string_equal(fee_unit_name(FEE_PER_CONTAINER_DAY), "container_day");
	assert_string_equal(fee_payer_name(FEE_PAYER_STATE), "state");
	assert_string_equal(fee_charger_name((enum fee_charger)99), "?");
}

/* A one-item catalogue in the single-quote shorthand with `item` inside
 * the item object. */
static void bad_item(const char *item, const char *field, const char *text)
{
	char doc[2048];
	struct problems p;
	json_t *j;

	snprintf(doc, sizeof doc,
		 "{'id': 'T', 'port': 'CNNSA', 'effective_from': '2026-01-01',"
		 " 'items': [{%s}]}", item);
	j = test_json(doc);
	problems_init(&p);
	assert_null(fee_catalogue_parse(j, ref, &p));
	test_expect_problem(&p, field, text);
	json_decref(j);
}

#define GOOD_ITEM "'code': 'X-1', 'charged_by': 'terminal', 'service_en': 'x', " \
		  "'unit': 'container', 'price': '10.00', 'legal_basis': 'y'"

static void test_bad_catalogues(void **state)
{
	struct problems p;
	json_t *j;

	(void)state;
	bad_item("'charged_by': 'terminal', 'service_en': 'x', 'unit': 'container',"
		 " 'price': '1', 'legal_basis': 'y'",
		 "/items/0/code", "is required");
	bad_item("'code': 'thc', 'charged_by': 'terminal', 'service_en': 'x',"
		 " 'unit': 'container', 'price': '1', 'legal_basis': 'y'",
		 "/items/0/code", "must be capital letters, digits or '-', such as \"INSP-LIFT\"");
	bad_item("'code': 'X', 'charged_by': 'customs', 'service_en': 'x',"
		 " 'unit': 'container', 'price': '1', 'legal_basis': 'y'",
		 "/items/0/charged_by",
		 "must be one of terminal, port_authority, inspection_site, shipping_agent, tally");
	bad_item("'code': 'X', 'charged_by': 'terminal', 'service_en': 'x',"
		 " 'unit': 'box', 'price': '1', 'legal_basis': 'y'",
		 "/items/0/unit", "must be one of container, teu, container_day, declaration, tonne");
	bad_item("'code': 'X', 'charged_by': 'terminal', 'service_en': 'x',"
		 " 'unit': 'container', 'price': '0', 'legal_basis': 'y'",
		 "/items/0/price", "must be greater than zero");
	bad_item("'code': 'X', 'charged_by': 'terminal', 'service_en': 'x',"
		 " 'unit': 'container', 'price': '1.005', 'legal_basis': 'y'",
		 "/items/0/price", "has more than 2 decimal places");
	bad_item("'code': 'X', 'charged_by': 'terminal', 'service_en': 'x',"
		 " 'unit': 'container', 'price': '1'",
		 "/items/0/legal_basis", "is required");
	bad_item(GOOD_ITEM ", 'inspection_service': 'washing'",
		 "/items/0/inspection_service",
		 "must be one of lifting, moving, storage, unpacking (or null)");
	bad_item(GOOD_ITEM ", 'container_size': 30, 'sized_service': 'THC'",
		 "/items/0/container_size", "must be 20, 40 or 45 (feet)");
	bad_item(GOOD_ITEM ", 'container_size': 40", "/items/0/sized_service",
		 "is required with container_size: the service its sizes share, such as "
		 "\"THC\"");
	bad_item(GOOD_ITEM ", 'sized_service': 'THC'", "/items/0/sized_service",
		 "is only for an item with a container_size");
	bad_item(GOOD_ITEM ", 'container_size': 20, 'sized_service': 'thc'",
		 "/items/0/sized_service", "must be capital letters, digits or '-', such as "
					   "\"THC\"");
	bad_item(GOOD_ITEM ", 'container_size': '20', 'sized_service': 'THC'",
		 "/items/0/container_size", "must be a whole number from 20 to 45");
	bad_item("'code': 'X-1', 'charged_by': 'terminal', 'service_en': 'x', 'unit': 'teu', "
		 "'price': '10.00', 'legal_basis': 'y', 'container_size': 40, "
		 "'sized_service': 'THC'",
		 "/items/0/container_size", "is only for an item charged by the container");
	bad_item(GOOD_ITEM ", 'discount': '5'", "/items/0/discount",
		 "unknown field; accepted fields are: code, charged_by, charger, service_en, "
		 "service_zh, unit, price, legal_basis, inspection_service, container_size, "
		 "sized_service");

	problems_init(&p);
	j = test_json("{'id': 'T', 'port': 'CNNSA', 'effective_from': '2026-01-01',"
		      " 'items': [{" GOOD_ITEM "}, {" GOOD_ITEM "}]}");
	assert_null(fee_catalogue_parse(j, ref, &p));
	test_expect_problem(&p, "/items/1/code", "repeats X-1 (/items/0)");
	json_decref(j);

	problems_init(&p);
	j = test_json("{'id': 'T', 'port': 'CNXXX', 'effective_from': '2026-1-1',"
		      " 'items': []}");
	assert_null(fee_catalogue_parse(j, ref, &p));
	test_expect_problem(&p, "/port",
			    "'CNXXX' is not a known port (see GET /v1/reference/ports)");
	test_expect_problem(&p, "/effective_from",
			    "must be a calendar date written YYYY-MM-DD, such as \"2026-01-01\"");
	test_expect_problem(&p, "/items", "must have at least one item");
	json_decref(j);

	problems_init(&p);
	j = test_json("{'id': 'T', 'port': 'nansha', 'effective_from': '2026-01-01',"
		      " 'items': [{" GOOD_ITEM "}]}");
	assert_null(fee_catalogue_parse(j, ref, &p));
	test_expect_problem(&p, "/port", "must be a UN/LOCODE such as \"CNNSA\"");
	json_decref(j);
}

static void test_json_forms(void **state)
{
	json_t *j = fee_catalogue_to_json(nansha), *j2;
	struct fee_catalogue *again;
	struct problems p;
	struct fee_charge ch;
	char *a, *b;

	(void)state;
	problems_init(&p);
	again = fee_catalogue_parse(j, ref, &p);
	assert_non_null(again);
	j2 = fee_catalogue_to_json(again);
	a = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	b = json_dumps(j2, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(j);
	json_decref(j2);
	fee_catalogue_free(again);

	ch = charge("INSP-STORE", "2", INSPECTION_NO_PROBLEM);
	j = fee_charge_to_json(&ch);
	a = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(
		a, "{\"amount\":\"90.00\",\"catalogue\":\"CNNSA-2026\",\"code\":\"INSP-STORE\","
		   "\"payer\":\"state\",\"price\":\"45.00\",\"quantity\":\"2\","
		   "\"reason\":\"waived for the trader: storage for an inspection that found "
		   "no problem is borne by the state\",\"state_amount\":\"90.00\","
		   "\"trader_amount\":\"0.00\",\"unit\":\"container_day\"}");
	free(a);
	json_decref(j);
}

/* What the goods allow: a container each, two TEU each, the days in the
 * yard, once a declaration, the weight (to the kilogram begun); what is
 * charged already counts. */
static void test_goods_bound(void **state)
{
	(void)state;
	/* the demo catalogue with a TEU item and a declaration item */
	json_t *doc = test_embedded_json("data/tariff/fees-cnnsa-2026.json");
	json_t *items = json_object_get(doc, "items");
	for (size_t i = 2; i < 4; i++) { /* PSF-20 and PSF-40: sized no longer */
		json_object_del(json_array_get(items, i), "container_size");
		json_object_del(json_array_get(items, i), "sized_service");
	}
	json_object_set_new(json_array_get(items, 2), "unit", json_string("teu"));
	json_object_set_new(json_array_get(items, 3), "unit", json_string("declaration"));
	const char *teu = json_string_value(json_object_get(json_array_get(items, 2), "code"));
	const char *once = json_string_value(json_object_get(json_array_get(items, 3), "code"));
	struct problems p;
	problems_init(&p);
	struct fee_catalogue *c = fee_catalogue_parse(doc, ref, &p);
	assert_non_null(c);
	const struct fee_goods g = {.containers = 2, .gross_weight_g = 19850001, .container_days = 3};
	const struct fee_charged none = {0, 0};
	static const struct {
		int item; /* 0: the TEU item, 1: the declaration item, else a code */
		const char *code, *qty, *charged;
		bool within;
	} cases[] = {
		{2, "THC-40", "2", "0", true},        {2, "THC-40", "1", "1", true},
		{2, "THC-40", "1", "2", false},       {2, "THC-40", "3", "0", false},
		{0, NULL, "4", "0", true},            {0, NULL, "1", "4", false},
		{1, NULL, "1", "0", true},            {1, NULL, "1", "1", false},
		{2, "STORE-DAY", "3", "0", true},     {2, "STORE-DAY", "1", "3", false},
		{2, "BULK-TONNE", "19.851", "0", true}, {2, "BULK-TONNE", "19.852", "0", false},
		{2, "BULK-TONNE", "0.001", "19.851", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *code = cases[i].item == 0 ? teu : cases[i].item == 1 ? once : cases[i].code;
		problems_init(&p);
		const struct fee_charged done = {test_decimal(cases[i].charged, 3),
						 test_decimal(cases[i].charged, 3)};
		bool ok = fee_within_goods(c, code, test_decimal(cases[i].qty, 3), &g, &done, &p);
		if (ok != cases[i].within)
			fail_msg("case %zu (%s x %s, %s charged): %s", i, code, cases[i].qty,
				 cases[i].charged, p.count ? p.errors[0].problem : "within");
		assert_int_equal(p.count, ok ? 0 : 1);
	}
	problems_init(&p);
	assert_false(fee_within_goods(c, "THC-40", 3000, &g, &none, &p));
	assert_string_equal(p.errors[0].field, "/quantity");
	assert_string_equal(p.errors[0].problem,
			    "is 3 containers of 'THC-40', more than the goods allow: the declaration "
			    "has 0 40-foot container(s) by its manifest line and 2 of no size "
			    "known, 0 charged already, so at most 2 more");
	problems_init(&p);
	assert_false(fee_within_goods(c, teu, 5000, &g, &none, &p));
	assert_true(strstr(p.errors[0].problem, "the declaration's 2 container(s) are at most 4 "
						 "TEU, 0 charged already, so at most 4 more") != NULL);
	problems_init(&p);
	const struct fee_charged one = {1000, 0};
	assert_false(fee_within_goods(c, once, 1000, &g, &one, &p));
	assert_true(strstr(p.errors[0].problem, "a declaration is charged once, 1 charged "
						 "already, so at most 0 more") != NULL);
	problems_init(&p);
	assert_false(fee_within_goods(c, "BULK-TONNE", 19852, &g, &none, &p));
	assert_true(strstr(p.errors[0].problem, "the declaration's goods weigh 19.851 t, 0 "
						 "charged already, so at most 19.851 more") != NULL);
	/* sized items: a 20-foot and a 40-foot container by the manifest */
	const struct fee_goods sized = {.containers = 2, .sized = {1, 1, 0}};
	const struct fee_charged one_thc = {0, 1000}, two_thc = {0, 2000};
	problems_init(&p);
	assert_true(fee_within_goods(c, "THC-40", 1000, &sized, &none, &p));
	assert_true(fee_within_goods(c, "THC-20", 1000, &sized, &one_thc, &p));
	assert_int_equal(p.count, 0);
	/* not the 40-foot rate on the 20-foot container */
	assert_false(fee_within_goods(c, "THC-40", 2000, &sized, &none, &p));
	assert_string_equal(p.errors[0].problem,
			    "is 2 containers of 'THC-40', more than the goods allow: the declaration "
			    "has 1 40-foot container(s) by its manifest line and 0 of no size "
			    "known, 0 charged already, so at most 1 more");
	/* handling once a container, whatever the size charged */
	problems_init(&p);
	assert_false(fee_within_goods(c, "THC-20", 1000, &sized, &two_thc, &p));
	assert_string_equal(p.errors[0].problem,
			    "is 1 containers of 'THC-20', more than the goods allow: the declaration "
			    "has 2 container(s) and THC is charged once a container, whatever its "
			    "size, 2 charged already, so at most 0 more");
	/* a container of no size known takes either size, once */
	const struct fee_goods unsized = {.containers = 1};
	problems_init(&p);
	assert_true(fee_within_goods(c, "THC-40", 1000, &unsized, &none, &p));
	assert_false(fee_within_goods(c, "THC-40", 1000, &unsized, &one_thc, &p));
	assert_int_equal(p.count, 1);
	/* an item not sized is bounded by its own charges alone */
	problems_init(&p);
	assert_true(fee_within_goods(c, "TALLY", 2000, &sized, &two_thc, &p));
	/* sizes by the ISO 6346 size-type code's first character */
	assert_int_equal(fee_container_size("22G1"), 20);
	assert_int_equal(fee_container_size("45R1"), 40);
	assert_int_equal(fee_container_size("L5G1"), 45);
	assert_int_equal(fee_container_size("12G1"), 0);
	assert_int_equal(fee_container_size(NULL), 0);
	/* an item not in the catalogue is fee_charge's to refuse */
	problems_init(&p);
	assert_false(fee_within_goods(c, "DOC-FEE", 1000, &g, &none, &p));
	assert_int_equal(p.count, 0);
	fee_catalogue_free(c);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_catalogue),
		cmocka_unit_test(test_charges),
		cmocka_unit_test(test_inspection_waiver),
		cmocka_unit_test(test_refused_charges),
		cmocka_unit_test(test_goods_bound),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_bad_catalogues),
		cmocka_unit_test(test_json_forms),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
