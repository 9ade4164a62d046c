/*
 * test_declaration.c - the declaration domain without a database: numbers,
 * which agencies act (from reference data), and the basis digests that
 * decide which tasks a correction reopens.
 */
#include <string.h>

#include "test_support.h"
#include "domain/declaration.h"

/* A small reference snapshot: just what the test declarations use. */
static struct refdata *small_refdata(void)
{
	static const char *const entries[][2] = {
		{"agencies", "{\"code\":\"customs\",\"scope\":\"declaration\"}"},
		{"agencies", "{\"code\":\"quarantine\",\"scope\":\"goods\"}"},
		{"agencies", "{\"code\":\"border\",\"scope\":\"conveyance\"}"},
		{"agencies", "{\"code\":\"maritime\",\"scope\":\"goods\"}"},
		{"commodities", "{\"code\":\"0808100000\",\"unit\":\"035\",\"agencies\":[\"customs\",\"quarantine\"]}"},
		{"commodities", "{\"code\":\"8471300000\",\"unit\":\"001\",\"agencies\":[\"customs\"]}"},
		{"commodities", "{\"code\":\"2710192200\",\"unit\":\"035\",\"agencies\":[\"customs\"],"
				"\"agencies_if_transport\":{\"2\":[\"maritime\"]}}"},
		{"customs_offices", "{\"code\":\"5167\",\"ports\":[\"CNNSA\"]}"},
		{"ports", "{\"code\":\"CNNSA\"}"},
		{"countries", "{\"code\":\"US\"}"},
		{"countries", "{\"code\":\"VN\"}"},
		{"currencies", "{\"code\":\"USD\"}"},
		{"trade_modes", "{\"code\":\"0110\"}"},
		{"transport_modes", "{\"code\":\"2\",\"agencies\":[]}"},
		{"transport_modes", "{\"code\":\"4\",\"agencies\":[\"border\"]}"},
		{"transport_modes", "{\"code\":\"5\",\"agencies\":[]}"},
		{"units", "{\"code\":\"035\"}"},
		{"units", "{\"code\":\"001\"}"},
		{"incoterms", "{\"code\":\"CIF\"}"},
		{"document_types", "{\"code\":\"invoice\"}"},
	};
	struct refdata_builder *b = refdata_builder_new();
	assert_non_null(b);
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
		json_t *e = json_loads(entries[i][1], 0, NULL);
		assert_non_null(e);
		assert_int_equal(refdata_builder_add(b, entries[i][0], e), KERR_OK);
		json_decref(e);
	}
	json_t *bad = json_pack("{s:s}", "code", "X");
	assert_int_equal(refdata_builder_add(b, "planets", bad), KERR_INVALID);
	json_decref(bad);
	struct refdata *r = refdata_builder_finish(b);
	assert_non_null(r);
	return r;
}

static void numbers(void **state)
{
	(void)state;
	char n[DECL_NUMBER_LEN + 1];
	assert_true(declaration_number_format("5167", 2026, true, 1, n));
	assert_string_equal(n, "516720261000000001");
	assert_true(declaration_number_format("5301", 2026, false, 999999999, n));
	assert_string_equal(n, "530120260999999999");
	assert_false(declaration_number_format("5301", 2026, false, 1000000000, n));
	assert_false(declaration_number_format("5301", 2026, false, 0, n));
	assert_false(declaration_number_format("530", 2026, false, 1, n));
	assert_true(declaration_number_valid("516720261000000001"));
	assert_false(declaration_number_valid("516720262000000001")); /* flag 2 */
	assert_false(declaration_number_valid("51672026100000000"));
	assert_false(declaration_number_valid("51672026100000000X"));
	assert_false(declaration_number_valid(NULL));
}

static void agencies_and_bases(void **state)
{
	(void)state;
	struct refdata *ref = small_refdata();
	json_t *d = test_declaration();
	struct problems p;
	struct declaration_facts f, g;
	problems_init(&p);
	assert_true(declaration_validate(d, ref, &p, &f));
	int customs = refdata_agency_index(ref, "customs");
	int quarantine = refdata_agency_index(ref, "quarantine");
	int border = refdata_agency_index(ref, "border");
	int maritime = refdata_agency_index(ref, "maritime");
	assert_true(customs >= 0 && quarantine >= 0 && border >= 0 && maritime >= 0);
	assert_int_equal(f.agencies, (1u << customs) | (1u << quarantine));
	assert_int_equal(f.goods_value, 3719500); /* 37195.00 in cents */
	assert_string_equal(f.declaration_office, "5167");
	assert_true(f.import);

	/* changing the laptop item leaves quarantine's basis alone */
	json_t *d2 = json_deep_copy(d);
	json_object_set_new(json_array_get(json_object_get(d2, "items"), 1), "quantity",
			    json_string("11"));
	assert_true(declaration_validate(d2, ref, &p, &g));
	declaration_facts_free(&g);
	assert_string_not_equal(f.basis[customs], g.basis[customs]);
	assert_string_equal(f.basis[quarantine], g.basis[quarantine]);
	/* changing the apples changes both */
	json_object_set_new(json_array_get(json_object_get(d2, "items"), 0), "quantity",
			    json_string("1"));
	assert_true(declaration_validate(d2, ref, &p, &g));
	declaration_facts_free(&g);
	assert_string_not_equal(f.basis[quarantine], g.basis[quarantine]);
	json_decref(d2);

	/* by road: border acts, on the conveyance */
	d2 = json_deep_copy(d);
	json_object_set_new(d2, "transport_mode", json_string("4"));
	assert_true(declaration_validate(d2, ref, &p, &g));
	declaration_facts_free(&g);
	assert_true(g.agencies & (1u << border));
	json_t *d3 = json_deep_copy(d2);
	json_object_set_new(d3, "freight", json_string("99.00"));
	struct declaration_facts h;
	assert_true(declaration_validate(d3, ref, &p, &h));
	declaration_facts_free(&h);
	assert_string_equal(g.basis[border], h.basis[border]); /* freight is not its concern */
	json_object_set_new(json_object_get(d3, "conveyance"), "voyage", json_string("047E"));
	assert_true(declaration_validate(d3, ref, &p, &h));
	declaration_facts_free(&h);
	assert_string_not_equal(g.basis[border], h.basis[border]);
	json_decref(d3);
	json_decref(d2);

	/* dangerous goods by water call for maritime; by air they do not */
	d2 = json_deep_copy(d);
	json_array_remove(json_object_get(d2, "items"), 0);
	json_object_set_new(json_array_get(json_object_get(d2, "items"), 0), "hs_code",
			    json_string("2710192200"));
	/* fuel oil is declared in its legal unit, kilograms */
	json_object_set_new(json_array_get(json_object_get(d2, "items"), 0), "unit",
			    json_string("035"));
	assert_true(declaration_validate(d2, ref, &p, &g));
	declaration_facts_free(&g);
	assert_int_equal(g.agencies, (1u << customs) | (1u << maritime));
	json_object_set_new(d2, "transport_mode", json_string("5"));
	json_object_del(json_object_get(d2, "conveyance"), "imo");
	assert_true(declaration_validate(d2, ref, &p, &g));
	declaration_facts_free(&g);
	assert_int_equal(g.agencies, 1u << customs);
	assert_int_equal(p.count, 0);
	json_decref(d2);

	declaration_facts_free(&f);
	json_decref(d);
	refdata_release(ref);
}

/* Item values and their sum are exact 64-bit integers: a value or a total
 * past their range is refused at the item, never wrapped around. */
static void values_out_of_range_are_refused(void **state)
{
	(void)state;
	struct refdata *ref = small_refdata();
	json_t *d = test_declaration();
	json_t *items = json_object_get(d, "items");
	struct problems p;
	struct declaration_facts f;
	/* one item: 9e13 x 100000 = 9e18 currency units, 9e20 in cents */
	json_object_set_new(json_array_get(items, 0), "quantity", json_string("90000000000000"));
	json_object_set_new(json_array_get(items, 0), "unit_price", json_string("100000"));
	problems_init(&p);
	assert_false(declaration_validate(d, ref, &p, &f));
	assert_int_equal(p.count, 1);
	assert_string_equal(p.errors[0].field, "/items/0");
	assert_string_equal(p.errors[0].problem, "quantity times unit_price is too large");
	/* two items that fit alone, 5e16 each, but not together (1e19 > 2^63) */
	for (size_t i = 0; i < 2; i++) {
		json_object_set_new(json_array_get(items, i), "quantity",
				    json_string("50000000000000"));
		json_object_set_new(json_array_get(items, i), "unit_price", json_string("1000"));
	}
	problems_init(&p);
	assert_false(declaration_validate(d, ref, &p, &f));
	assert_int_equal(p.count, 1);
	assert_string_equal(p.errors[0].field, "/items/1");
	assert_string_equal(p.errors[0].problem, "quantity times unit_price is too large");
	/* the largest total that fits is accepted, to the cent */
	json_object_set_new(json_array_get(items, 1), "quantity", json_string("1"));
	json_object_set_new(json_array_get(items, 1), "unit_price", json_string("0.01"));
	problems_init(&p);
	assert_true(declaration_validate(d, ref, &p, &f));
	assert_int_equal(f.goods_value, 5000000000000000001LL);
	declaration_facts_free(&f);
	json_decref(d);
	refdata_release(ref);
}

/* The facts of a declaration body, as stored after validation. */
static void load_facts(const json_t *d, struct declaration_facts *f)
{
	char *text = json_canonical(d);
	assert_non_null(text);
	assert_true(declaration_facts_load(text, f));
	free(text);
}

static void totals_are_exact(void **state)
{
	(void)state;
	json_t *d = test_declaration();
	/* 0.1 + 0.2 style sums stay exact */
	json_t *items = json_object_get(d, "items");
	json_object_set_new(json_array_get(items, 0), "quantity", json_string("3"));
	json_object_set_new(json_array_get(items, 0), "unit_price", json_string("0.1"));
	json_object_set_new(json_array_get(items, 1), "quantity", json_string("3"));
	json_object_set_new(json_array_get(items, 1), "unit_price", json_string("0.2"));
	struct declaration_facts f;
	load_facts(d, &f);
	assert_int_equal(f.nitems, 2);
	assert_int_equal(f.items[0].value, 30); /* 0.30 */
	assert_int_equal(f.items[1].value, 60);
	assert_int_equal(f.goods_value, 90);
	declaration_facts_free(&f);
	/* rounding half away from zero at the cent */
	json_object_set_new(json_array_get(items, 0), "quantity", json_string("1"));
	json_object_set_new(json_array_get(items, 0), "unit_price", json_string("0.005"));
	load_facts(d, &f);
	assert_int_equal(f.items[0].value, 1); /* 0.01 */
	declaration_facts_free(&f);
	json_decref(d);
}

/* Everything the steps after validation need is in the facts, read from
 * the right members for the direction. */
static void facts_carry_what_follows_needs(void **state)
{
	(void)state;
	json_t *d = test_declaration();
	struct declaration_facts f;
	load_facts(d, &f);
	assert_true(f.import);
	assert_string_equal(f.trade_mode, "0110");
	assert_string_equal(f.transport_mode, "2");
	assert_string_equal(f.port, "CNNSA");
	assert_string_equal(f.partner_country, "US");
	assert_string_equal(f.trading_country, "US");
	assert_string_equal(f.incoterm, "CIF");
	assert_string_equal(f.currency, "USD");
	assert_string_equal(f.imo, "9321378");
	assert_int_equal(f.packages, 1800);
	assert_int_equal(f.gross_weight, 19850000); /* 19850.000 kg */
	assert_int_equal(f.ncontainers, 2);
	assert_string_equal(f.containers[1], "CSQU3054383");
	assert_true(f.advance);
	assert_int_equal(f.nitems, 2);
	assert_string_equal(f.items[0].hs_code, "0808100000");
	assert_string_equal(f.items[0].origin, "US");
	assert_string_equal(f.items[0].unit, "035");
	assert_int_equal(f.items[0].quantity, 1800000000LL); /* 18000 at scale 5 */
	assert_int_equal(f.items[0].unit_price, 18500);    /* 1.85 at scale 4 */
	assert_int_equal(f.items[0].value, 3330000);       /* 33300.00 */
	assert_int_equal(f.ndocuments, 1);
	assert_string_equal(f.documents[0].type, "invoice");
	assert_string_equal(f.documents[0].number, "WA-2026-11873");
	assert_true(f.freight_declared);
	assert_int_equal(f.freight, 0);
	assert_string_equal(f.items[1].hs_code, "8471300000");
	assert_int_equal(f.goods_value, 3330000 + 389500);
	declaration_facts_free(&f);
	/* an export reads its exit port and destination */
	json_object_set_new(d, "direction", json_string("export"));
	json_object_del(d, "entry_port");
	json_object_del(d, "departure_country");
	json_object_set_new(d, "exit_port", json_string("CNYTN"));
	json_object_set_new(d, "destination_country", json_string("JP"));
	json_object_set_new(d, "freight", json_string("120.50"));
	json_object_del(d, "insurance");
	load_facts(d, &f);
	assert_false(f.import);
	assert_string_equal(f.port, "CNYTN");
	assert_string_equal(f.partner_country, "JP");
	assert_true(f.freight_declared);
	assert_int_equal(f.freight, 12050);
	assert_false(f.insurance_declared);
	declaration_facts_free(&f);
	assert_false(declaration_facts_load("[1,2]", &f));
	assert_false(declaration_facts_load("not json", &f));
	json_decref(d);
}

static void problems_are_all_reported(void **state)
{
	(void)state;
	struct refdata *ref = small_refdata();
	json_t *d = json_loads("{\"items\":[{}, 5]}", 0, NULL);
	struct problems p;
	struct declaration_facts f;
	problems_init(&p);
	assert_false(declaration_validate(d, ref, &p, &f));
	/* every required top-level field, and each item's */
	assert_true(p.count > 20);
	bool item0 = false, item1 = false;
	for (size_t i = 0; i < p.count; i++) {
		item0 |= !strcmp(p.errors[i].field, "/items/0/hs_code");
		item1 |= !strcmp(p.errors[i].field, "/items/1");
	}
	assert_true(item0 && item1);
	json_decref(d);
	/* field names with / and ~ are escaped in the pointer */
	d = test_declaration();
	json_object_set_new(d, "a/b~c", json_true());
	problems_init(&p);
	assert_false(declaration_validate(d, ref, &p, &f));
	assert_int_equal(p.count, 1);
	assert_string_equal(p.errors[0].field, "/a~1b~0c");
	json_decref(d);
	/* not an object */
	d = json_array();
	problems_init(&p);
	assert_false(declaration_validate(d, ref, &p, &f));
	assert_string_equal(p.errors[0].field, "");
	json_decref(d);
	refdata_release(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers),
		cmocka_unit_test(agencies_and_bases),
		cmocka_unit_test(totals_are_exact),
		cmocka_unit_test(values_out_of_range_are_refused),
		cmocka_unit_test(facts_carry_what_follows_needs),
		cmocka_unit_test(problems_are_all_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
