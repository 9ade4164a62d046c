/*
 * test_consistency.c - the rules tying a declaration's codes together
 * through the reference data (port office and port, item unit and
 * commodity), the reference lists they read (checked whole: every link
 * points somewhere real), and that the declarations the demo and the tests
 * lodge still pass.
 */
#include <string.h>

#include "transport_fixture.h"
#include "domain/consistency.h"
#include "domain/declaration.h"

static void ports_served(void **state)
{
	(void)state;
	assert_true(refdata_port_served(ref, "5167", "CNNSA"));
	assert_true(refdata_port_served(ref, "5165", "CNNSA"));
	assert_true(refdata_port_served(ref, "5301", "CNHUG"));
	assert_true(refdata_port_served(ref, "5304", "CNCWN"));
	assert_true(refdata_port_served(ref, "5790", "CNZUH"));
	assert_false(refdata_port_served(ref, "5301", "CNNSA")); /* a road crossing */
	assert_false(refdata_port_served(ref, "5100", "CNNSA")); /* the parent does not */
	assert_false(refdata_port_served(ref, "5167", "HKHKG"));
	assert_false(refdata_port_served(ref, "9999", "CNNSA"));
	assert_false(refdata_port_served(ref, "5167", "CNXXX"));
	assert_false(refdata_port_served(ref, NULL, "CNNSA"));

	char out[200];
	assert_int_equal(refdata_port_offices(ref, "CNZUH", out, sizeof out), 3);
	assert_string_equal(out, "5740 (Zhuhai Port Customs (Gaolan)), 5790 (Hong "
				 "Kong-Zhuhai-Macao Bridge Customs), 5795 (Hengqin Customs)");
	assert_int_equal(refdata_port_offices(ref, "CNZUH", out, 10), 3);
	assert_string_equal(out, "5740 (Zhu");
	assert_int_equal(refdata_port_offices(ref, "CNZUH", NULL, 0), 3);
	assert_int_equal(refdata_port_offices(ref, "HKHKG", out, sizeof out), 0);
	assert_string_equal(out, "");
}

/* Data without "ports" on the offices still knows each port's
 * supervising office. */
static void served_without_office_ports(void **state)
{
	(void)state;
	struct refdata_builder *b = refdata_builder_new();
	static const char *const entries[][2] = {
		{"customs_offices", "{\"code\":\"5167\",\"name_en\":\"Nansha Cargo Port\"}"},
		{"customs_offices", "{\"code\":\"5301\"}"},
		{"ports", "{\"code\":\"CNNSA\",\"customs_office\":\"5167\"}"},
	};
	for (size_t i = 0; i < 3; i++) {
		json_t *e = fixture_json(entries[i][1]);
		assert_int_equal(refdata_builder_add(b, entries[i][0], e), KERR_OK);
		json_decref(e);
	}
	struct refdata *r = refdata_builder_finish(b);
	assert_true(refdata_port_served(r, "5167", "CNNSA"));
	assert_false(refdata_port_served(r, "5301", "CNNSA"));
	char out[64];
	assert_int_equal(refdata_port_offices(r, "CNNSA", out, sizeof out), 1);
	assert_string_equal(out, "5167 (Nansha Cargo Port)");
	refdata_release(r);
}

static void legal_units(void **state)
{
	(void)state;
	const char *first, *second;
	refdata_legal_units(ref, "8507600000", &first, &second);
	assert_string_equal(first, "007");
	assert_string_equal(second, "035");
	refdata_legal_units(ref, "0808100000", &first, &second);
	assert_string_equal(first, "035");
	assert_null(second);
	refdata_legal_units(ref, "0603110000", &first, &second); /* cut roses */
	assert_string_equal(first, "035");
	assert_string_equal(second, "013");
	refdata_legal_units(ref, "2204210000", &first, &second); /* wine */
	assert_string_equal(first, "095");
	assert_string_equal(second, "035");
	refdata_legal_units(ref, "9999999999", &first, &second);
	assert_null(first);
	assert_null(second);

	assert_true(refdata_unit_is_legal(ref, "8507600000", "007"));
	assert_true(refdata_unit_is_legal(ref, "8507600000", "035"));
	assert_false(refdata_unit_is_legal(ref, "8507600000", "095"));
	assert_true(refdata_unit_is_legal(ref, "0808100000", "035"));
	assert_false(refdata_unit_is_legal(ref, "0808100000", "007"));
	assert_false(refdata_unit_is_legal(ref, "9999999999", "035"));
	assert_false(refdata_unit_is_legal(ref, "0808100000", NULL));
}

static void conveyance_agencies(void **state)
{
	(void)state;
	agency_set water = refdata_conveyance_agencies(ref, "2");
	agency_set road = refdata_conveyance_agencies(ref, "4");
	agency_set air = refdata_conveyance_agencies(ref, "5");
	agency_set b = 1u << refdata_agency_index(ref, "border");
	agency_set c = 1u << refdata_agency_index(ref, "customs");
	agency_set m = 1u << refdata_agency_index(ref, "maritime");
	agency_set q = 1u << refdata_agency_index(ref, "quarantine");
	assert_int_equal(water, b | c | m | q);
	assert_int_equal(road, b | c);
	assert_int_equal(air, b | c | q);
	assert_int_equal(refdata_conveyance_agencies(ref, "3"), 0);
	assert_int_equal(refdata_conveyance_agencies(ref, "Q"), 0);
}

/* The consistency rules run inside declaration_validate: its problems are
 * the rules' own (checked against the function called alone). */
static void check(json_t *d, struct problems *p)
{
	struct declaration_facts facts;
	struct problems alone;
	problems_init(p);
	problems_init(&alone);
	if (declaration_validate(d, ref, p, &facts))
		declaration_facts_free(&facts);
	consistency_check_declaration(d, ref, &alone);
	if (alone.count != p->count)
		fixture_print(p);
	assert_int_equal(alone.count, p->count);
	for (size_t i = 0; i < p->count; i++) {
		assert_string_equal(alone.errors[i].field, p->errors[i].field);
		assert_string_equal(alone.errors[i].problem, p->errors[i].problem);
	}
}

static void port_office_must_serve_the_port(void **state)
{
	(void)state;
	struct problems p;
	json_t *d = test_declaration();
	check(d, &p);
	assert_int_equal(p.count, 0);

	/* the case: Nansha with the port office of Huanggang */
	json_object_set_new(d, "port_office", json_string("5301"));
	check(d, &p);
	assert_one_problem(&p, "/port_office",
			   "customs office 5301 (Huanggang Customs) does not serve the entry "
			   "port CNNSA (Nansha); the port office must be one that serves it: "
			   "5165 (Nansha Passenger Inspection), 5167 (Nansha Cargo Port)");
	json_decref(d);

	/* an export leaving through a port no office serves */
	d = test_declaration_customs_only();
	json_object_set_new(d, "direction", json_string("export"));
	json_object_del(d, "departure_country");
	json_object_del(d, "entry_port");
	json_object_set_new(d, "destination_country", json_string("HK"));
	json_object_set_new(d, "exit_port", json_string("HKHKG"));
	check(d, &p);
	assert_one_problem(&p, "/port_office",
			   "customs office 5167 (Nansha Cargo Port) does not serve the exit "
			   "port HKHKG (Hong Kong), and no customs office does: goods cannot "
			   "leave China there");
	json_decref(d);
}

static void units_must_be_legal(void **state)
{
	(void)state;
	struct problems p;
	json_t *d = test_declaration();
	json_t *items = json_object_get(d, "items");
	/* apples in pieces, laptops in pieces */
	json_object_set_new(json_array_get(items, 0), "unit", json_string("007"));
	json_object_set_new(json_array_get(items, 1), "unit", json_string("007"));
	check(d, &p);
	assert_int_equal(p.count, 2);
	assert_problem(&p, 0, "/items/0/unit",
		       "007 (Piece) is not a legal unit of commodity 0808100000 (Apples, "
		       "fresh); declare the quantity in 035 (Kilogram)");
	assert_problem(&p, 1, "/items/1/unit",
		       "007 (Piece) is not a legal unit of commodity 8471300000 (Portable "
		       "computers not over 10 kg); declare the quantity in 001 (Unit "
		       "(machine)) or in its second legal unit 035 (Kilogram)");

	/* battery packs are counted in pieces (or weighed in kilograms) */
	json_object_set_new(json_array_get(items, 0), "unit", json_string("035"));
	json_object_set_new(json_array_get(items, 1), "hs_code", json_string("8507600000"));
	json_object_set_new(json_array_get(items, 1), "unit", json_string("095"));
	check(d, &p);
	assert_one_problem(&p, "/items/1/unit",
			   "095 (Litre) is not a legal unit of commodity 8507600000 "
			   "(Lithium-ion accumulators); declare the quantity in 007 (Piece) or "
			   "in its second legal unit 035 (Kilogram)");
	json_object_set_new(json_array_get(items, 1), "unit", json_string("007"));
	check(d, &p);
	assert_int_equal(p.count, 0);
	json_decref(d);
}

/* The (port office, port) and (commodity, unit) pairs of the demo's
 * declarations (src/server/demo.c), the end-to-end tests' and the bench's,
 * and every shape of the test declarations: all must stay valid. */
static void existing_declarations_stay_valid(void **state)
{
	(void)state;
	static const char *const offices[][2] = {
		{"5167", "CNNSA"}, {"5141", "CNCAN"}, {"5316", "CNYTN"},
		{"5301", "CNHUG"}, {"5338", "CNHUI"},
	};
	for (size_t i = 0; i < sizeof offices / sizeof offices[0]; i++)
		assert_true(refdata_port_served(ref, offices[i][0], offices[i][1]));
	static const char *const units[][2] = {
		{"0808100000", "035"}, {"8471300000", "001"}, {"0303130000", "035"},
		{"6109100000", "011"}, {"2710192200", "035"},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		assert_true(refdata_unit_is_legal(ref, units[i][0], units[i][1]));

	struct problems p;
	json_t *d = test_declaration();
	check(d, &p);
	assert_int_equal(p.count, 0);
	/* by road (tests/api: test_lodging, test_inspections) */
	json_object_set_new(d, "transport_mode", json_string("4"));
	json_object_set_new(json_object_get(d, "conveyance"), "name",
			    json_string("粤Z·H2286港"));
	json_object_del(json_object_get(d, "conveyance"), "imo");
	check(d, &p);
	assert_int_equal(p.count, 0);
	json_decref(d);
	/* fuel oil instead of laptops, as tests/api/test_lodging.c lodges it,
	 * keeps the laptops' unit: that one must change to kilograms */
	d = test_declaration_customs_only();
	json_object_set_new(json_array_get(json_object_get(d, "items"), 0), "hs_code",
			    json_string("2710192200"));
	check(d, &p);
	assert_one_problem(&p, "/items/0/unit",
			   "001 (Unit (machine)) is not a legal unit of commodity 2710192200 "
			   "(Fuel oil); declare the quantity in 035 (Kilogram)");
	json_object_set_new(json_array_get(json_object_get(d, "items"), 0), "unit",
			    json_string("035"));
	check(d, &p);
	assert_int_equal(p.count, 0);
	json_decref(d);
	/* the export of test_lodging: office 5141, leaving through Nansha */
	d = test_declaration_customs_only();
	json_object_set_new(d, "declaration_office", json_string("5141"));
	json_object_set_new(d, "direction", json_string("export"));
	json_object_del(d, "departure_country");
	json_object_del(d, "entry_port");
	json_object_set_new(d, "destination_country", json_string("US"));
	json_object_set_new(d, "exit_port", json_string("CNNSA"));
	check(d, &p);
	assert_int_equal(p.count, 0);
	json_decref(d);
}

static void corrections_must_change_something(void **state)
{
	(void)state;
	struct problems p;
	problems_init(&p);
	assert_true(consistency_check_correction("{\"a\":1}", "{\"a\":2}", &p));
	assert_int_equal(p.count, 0);
	assert_false(consistency_check_correction("{\"a\":1}", "{\"a\":1}", &p));
	assert_one_problem(&p, "",
			   "the correction is identical to the current version; nothing "
			   "changed, so no new version is made");
}

static void admin_edits_of_transport_members(void **state)
{
	(void)state;
	struct {
		const char *list, *entry, *field, *text;
	} cases[] = {
		{"commodities", "{\"code\":\"8507600000\",\"unit\":\"007\",\"unit_2\":\"035\"}",
		 NULL, NULL},
		{"commodities", "{\"code\":\"8507600000\",\"unit\":\"007\",\"unit_2\":\"007\"}",
		 "/unit_2",
		 "must be a code from the units list other than unit: the tariff's second unit "
		 "of quantity"},
		{"commodities", "{\"code\":\"8507600000\",\"unit\":\"007\",\"unit_2\":\"999\"}",
		 "/unit_2",
		 "must be a code from the units list other than unit: the tariff's second unit "
		 "of quantity"},
		{"transport_modes", "{\"code\":\"3\",\"conveyance_agencies\":[\"border\",\"police\"]}",
		 "/conveyance_agencies",
		 "entry 1 is not one of the agencies (see GET /v1/reference/agencies)"},
		{"transport_modes", "{\"code\":\"3\",\"conveyance_agencies\":\"border\"}",
		 "/conveyance_agencies",
		 "must be an array of agencies (see GET /v1/reference/agencies)"},
		{"customs_offices", "{\"code\":\"5345\",\"ports\":[\"CNSZB\"]}", "/ports",
		 "entry 0 is not one of the ports (see GET /v1/reference/ports)"},
		{"customs_offices", "{\"code\":\"5345\",\"ports\":[]}", NULL, NULL},
		{"units", "{\"code\":\"999\",\"ports\":7}", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *e = fixture_json(cases[i].entry);
		struct problems p;
		problems_init(&p);
		bool ok = consistency_check_reference_entry(ref, cases[i].list, e, &p);
		assert_int_equal(ok, cases[i].field == NULL);
		if (cases[i].field)
			assert_one_problem(&p, cases[i].field, cases[i].text);
		json_decref(e);
	}
}

static bool names(const json_t *list, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), code) == 0)
			return true;
	}
	return false;
}

/* Every link in the built-in lists points at an entry that exists. */
static void reference_lists_hold_together(void **state)
{
	(void)state;
	const struct ref_list *ports = refdata_list(ref, "ports");
	const struct ref_list *offices = refdata_list(ref, "customs_offices");
	for (size_t i = 0; i < ports->n; i++) {
		const json_t *e = ports->entries[i].data;
		const char *office = json_string_value(json_object_get(e, "customs_office"));
		const char *country = json_string_value(json_object_get(e, "country"));
		assert_non_null(country);
		if (!office)
			continue;
		const struct ref_entry *o = refdata_find(ref, "customs_offices", office);
		assert_non_null(o);
		/* the supervising office lists the port it supervises */
		if (!names(json_object_get(o->data, "ports"), ports->entries[i].code))
			fprintf(stderr, "%s does not list %s\n", office, ports->entries[i].code);
		assert_true(names(json_object_get(o->data, "ports"), ports->entries[i].code));
	}
	for (size_t i = 0; i < offices->n; i++) {
		const json_t *served = json_object_get(offices->entries[i].data, "ports");
		assert_true(json_is_array(served));
		size_t k;
		json_t *v;
		json_array_foreach(served, k, v)
		{
			const struct ref_entry *p = refdata_find(ref, "ports", json_string_value(v));
			assert_non_null(p);
			assert_string_equal(json_string_value(json_object_get(p->data, "country")),
					    "CN");
		}
	}
	const struct ref_list *commodities = refdata_list(ref, "commodities");
	size_t with_second = 0;
	for (size_t i = 0; i < commodities->n; i++) {
		const json_t *e = commodities->entries[i].data;
		const char *u = json_string_value(json_object_get(e, "unit"));
		const char *u2 = json_string_value(json_object_get(e, "unit_2"));
		assert_true(refdata_has(ref, "units", u));
		if (u2) {
			assert_true(refdata_has(ref, "units", u2));
			assert_string_not_equal(u, u2);
			with_second++;
		}
	}
	assert_int_equal(commodities->n, 380);
	assert_int_equal(with_second, 131);
	const struct ref_list *modes = refdata_list(ref, "transport_modes");
	for (size_t i = 0; i < modes->n; i++) {
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(modes->entries[i].data, "conveyance_agencies"),
				   k, v)
			assert_true(refdata_agency_index(ref, json_string_value(v)) >= 0);
	}
	assert_true(refdata_has(ref, "package_kinds", "CT"));
	assert_true(refdata_has(ref, "package_kinds", "VL"));
	assert_int_equal(refdata_list(ref, "package_kinds")->n, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ports_served),
		cmocka_unit_test(served_without_office_ports),
		cmocka_unit_test(legal_units),
		cmocka_unit_test(conveyance_agencies),
		cmocka_unit_test(port_office_must_serve_the_port),
		cmocka_unit_test(units_must_be_legal),
		cmocka_unit_test(existing_declarations_stay_valid),
		cmocka_unit_test(corrections_must_change_something),
		cmocka_unit_test(admin_edits_of_transport_members),
		cmocka_unit_test(reference_lists_hold_together),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
