/*
 * test_gate.c - the terminal gate without a database: the order of yard
 * events, and for each question (discharge, gate-in, loading, gate-out)
 * exactly what is missing: entry permission, manifest line, declaration,
 * split parts, match, release; how ship-side direct pickup and arrival
 * direct loading change the answer.
 */
#include <string.h>

#include "test_support.h"
#include "domain/gate.h"

#define HOUR 3600000000LL
#define T0 TEST_EPOCH_US

static const char *const n1 = "516720261000000001";
static const char *const n2 = "516720261000000002";
static const char *const n3 = "516720261000000003";
static const char *const bl_apples = "COSU6291830410";
static const char *const bl_parts = "COSU6291830422";
static const char *const bl_toys = "COSU6291830434";

static struct gate_declaration released(const char *number, int64_t at)
{
	return (struct gate_declaration){.number = number, .status = DECL_RELEASED,
					 .flow = FLOW_NORMAL, .matched = true,
					 .released_at = at};
}

static struct gate_declaration open_declaration(const char *number)
{
	static const char *const waiting[] = {"customs", "quarantine"};
	return (struct gate_declaration){.number = number, .status = DECL_ACCEPTED,
					 .flow = FLOW_NORMAL, .matched = true,
					 .released_at = KTIME_NONE, .waiting = waiting,
					 .nwaiting = 2};
}

static void decide(const struct gate_container *c, enum yard_event action,
		   struct gate_verdict *v)
{
	gate_decide(c, action, v);
	assert_int_equal(v->allowed, v->n == 0);
	assert_int_equal(v->dropped, 0);
}

static void assert_missing(const struct gate_verdict *v, size_t i,
			   enum gate_missing_kind kind, const char *subject,
			   const char *text)
{
	assert_true(v->n > i);
	assert_int_equal(v->missing[i].kind, kind);
	assert_string_equal(v->missing[i].subject, subject);
	assert_string_equal(v->missing[i].text, text);
}

static void order_of_events(void **state)
{
	(void)state;
	const struct yard_record d[] = {{YARD_DISCHARGED, T0 + HOUR},
					{YARD_GATED_OUT, T0 + 3 * HOUR}};
	const struct yard_record e[] = {{YARD_GATED_IN, T0}, {YARD_LOADED, T0 + 5 * HOUR}};
	struct {
		bool import;
		const struct yard_record *events;
		size_t n;
		enum yard_event next;
		int64_t at;
		const char *why; /* NULL: allowed */
	} cases[] = {
		{true, NULL, 0, YARD_DISCHARGED, T0, NULL},
		{true, d, 1, YARD_GATED_OUT, T0 + 2 * HOUR, NULL},
		{true, d, 1, YARD_GATED_OUT, KTIME_NONE, NULL},
		{true, NULL, 0, YARD_GATED_OUT, T0,
		 "has not been discharged: a container goes out of the terminal after it comes "
		 "off the ship"},
		{true, d, 1, YARD_DISCHARGED, T0 + 2 * HOUR, "was already discharged"},
		{true, d, 1, YARD_GATED_OUT, T0, "cannot have an event earlier than its last one"},
		{true, d, 2, YARD_GATED_OUT, T0 + 4 * HOUR, "has already gone out of the terminal"},
		{true, NULL, 0, YARD_GATED_IN, T0,
		 "is an import container: it is discharged, then gated out"},
		{true, d, 1, YARD_LOADED, T0 + 2 * HOUR,
		 "is an import container: it is discharged, then gated out"},
		{false, NULL, 0, YARD_GATED_IN, T0, NULL},
		{false, e, 1, YARD_LOADED, T0 + HOUR, NULL},
		{false, NULL, 0, YARD_LOADED, T0,
		 "has not come into the terminal: a container is loaded after it is gated in"},
		{false, e, 1, YARD_GATED_IN, T0 + HOUR, "is already in the terminal"},
		{false, e, 2, YARD_LOADED, T0 + 6 * HOUR, "is already loaded"},
		{false, NULL, 0, YARD_DISCHARGED, T0,
		 "is an export container: it is gated in, then loaded"},
		{false, e, 1, YARD_GATED_OUT, T0 + HOUR,
		 "is an export container: it is gated in, then loaded"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = NULL;
		bool ok = gate_event_order(cases[i].import, cases[i].events, cases[i].n,
					   cases[i].next, cases[i].at, &why);
		if (ok != !cases[i].why)
			fprintf(stderr, "case %zu: %s\n", i, why ? why : "allowed");
		assert_int_equal(ok, !cases[i].why);
		if (cases[i].why)
			assert_string_equal(why, cases[i].why);
	}
	enum yard_event ev;
	assert_true(yard_event_parse("gated_out", &ev));
	assert_int_equal(ev, YARD_GATED_OUT);
	assert_false(yard_event_parse("stuffed", &ev));
	assert_string_equal(yard_event_name(YARD_LOADED), "loaded");
}

static void import_gate_out(void **state)
{
	(void)state;
	const struct yard_record discharged[] = {{YARD_DISCHARGED, T0 + HOUR}};
	struct gate_declaration decl = released(n1, T0 + 2 * HOUR);
	struct gate_bill bill = {bl_apples, &decl, 1};
	struct gate_container c = {"COSU8001236", true, true, &bill, 1, discharged, 1};
	struct gate_verdict v;

	decide(&c, YARD_GATED_OUT, &v);
	assert_true(v.allowed);
	assert_false(v.ship_side);
	assert_int_equal(v.n, 0);

	/* the second container: its declaration is still open */
	decl = open_declaration(n1);
	decide(&c, YARD_GATED_OUT, &v);
	assert_false(v.allowed);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_RELEASE, n1,
		       "declaration 516720261000000001 of bill COSU6291830410 is accepted, not "
		       "released; waiting for customs, quarantine");
	json_t *j = gate_verdict_json(&c, YARD_GATED_OUT, &v);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
		text,
		"{\"action\":\"gated_out\",\"allowed\":false,\"container\":\"COSU8001236\","
		"\"missing\":[{\"kind\":\"release\",\"subject\":\"516720261000000001\","
		"\"text\":\"declaration 516720261000000001 of bill COSU6291830410 is accepted, "
		"not released; waiting for customs, quarantine\"}],\"ship_side\":false}");
	free(text);
	json_decref(j);

	/* returned, without an agency named */
	decl.status = DECL_RETURNED;
	decl.nwaiting = 0;
	decide(&c, YARD_GATED_OUT, &v);
	assert_missing(&v, 0, MISSING_RELEASE, n1,
		       "declaration 516720261000000001 of bill COSU6291830410 is returned, not "
		       "released");

	/* released, but the vessel has no entry permission */
	decl = released(n1, T0 + 2 * HOUR);
	c.entry_permitted = false;
	decide(&c, YARD_GATED_OUT, &v);
	assert_false(v.allowed);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_ENTRY_PERMISSION, "COSU8001236",
		       "the conveyance carrying container COSU8001236 has no entry permission "
		       "yet");
	c.entry_permitted = true;

	/* not discharged yet: the order is all that is said */
	c.nevents = 0;
	decide(&c, YARD_GATED_OUT, &v);
	assert_false(v.allowed);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_ORDER, "COSU8001236",
		       "container COSU8001236 has not been discharged: a container goes out of "
		       "the terminal after it comes off the ship");
	c.nevents = 1;

	/* on no manifest line */
	c.nbills = 0;
	decide(&c, YARD_GATED_OUT, &v);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_MANIFEST, "COSU8001236",
		       "container COSU8001236 is on no manifest line of this call");
	c.nbills = 1;

	/* its only declaration was withdrawn */
	decl.status = DECL_WITHDRAWN;
	decide(&c, YARD_GATED_OUT, &v);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_DECLARATION, bl_apples,
		       "bill of lading COSU6291830410 has no declaration in progress");

	/* an advance declaration whose manifest line has not matched */
	decl = open_declaration(n1);
	decl.matched = false;
	decl.nwaiting = 0;
	decide(&c, YARD_GATED_OUT, &v);
	assert_int_equal(v.n, 2);
	assert_missing(&v, 0, MISSING_MATCH, n1,
		       "declaration 516720261000000001 does not match the manifest line of "
		       "bill COSU6291830410 (yet)");
	assert_missing(&v, 1, MISSING_RELEASE, n1,
		       "declaration 516720261000000001 of bill COSU6291830410 is accepted, not "
		       "released");
}

static void consolidated_and_split_bills(void **state)
{
	(void)state;
	const struct yard_record discharged[] = {{YARD_DISCHARGED, T0 + HOUR}};
	/* two bills in one container: one released, one not */
	struct gate_declaration parts_decl = released(n2, T0);
	struct gate_declaration toys_decl[] = {open_declaration(n3),
					       {.number = "516720261000000004",
						.status = DECL_REJECTED}};
	toys_decl[0].nwaiting = 1;
	struct gate_bill bills[] = {{bl_parts, &parts_decl, 1}, {bl_toys, toys_decl, 2}};
	struct gate_container c = {"TGHU6000010", true, true, bills, 2, discharged, 1};
	struct gate_verdict v;
	decide(&c, YARD_GATED_OUT, &v);
	assert_false(v.allowed);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_RELEASE, n3,
		       "declaration 516720261000000003 of bill COSU6291830434 is accepted, not "
		       "released; waiting for customs");
	toys_decl[0] = released(n3, T0);
	decide(&c, YARD_GATED_OUT, &v);
	assert_true(v.allowed);

	/* a bill declared in three parts, two of them so far */
	struct gate_declaration split[] = {released(n1, T0), released(n2, T0)};
	split[0].split_part = 1;
	split[0].split_of = 3;
	split[1].split_part = 3;
	split[1].split_of = 3;
	struct gate_bill apples = {bl_apples, split, 1};
	struct gate_container r = {"CSQU3054383", true, true, &apples, 1, discharged, 1};
	decide(&r, YARD_GATED_OUT, &v);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_SPLIT_PARTS, bl_apples,
		       "bill of lading COSU6291830410 is declared in 3 parts; parts 2, 3 are "
		       "not declared");
	apples.n = 2;
	decide(&r, YARD_GATED_OUT, &v);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_SPLIT_PARTS, bl_apples,
		       "bill of lading COSU6291830410 is declared in 3 parts; part 2 is not "
		       "declared");
}

static void ship_side_direct_pickup(void **state)
{
	(void)state;
	const struct yard_record discharged[] = {{YARD_DISCHARGED, T0 + HOUR}};
	struct gate_declaration decl = released(n1, T0 + HOUR / 2);
	decl.flow = FLOW_DIRECT_PICKUP;
	struct gate_bill bill = {bl_apples, &decl, 1};
	struct gate_container c = {"COSU8001236", true, true, &bill, 1, discharged, 0};
	struct gate_verdict v;

	/* before discharge: released, so it goes straight to the truck */
	decide(&c, YARD_DISCHARGED, &v);
	assert_true(v.allowed);
	assert_true(v.ship_side);
	/* discharge never waits for release; without it there is no pickup */
	decl = open_declaration(n1);
	decl.flow = FLOW_DIRECT_PICKUP;
	decide(&c, YARD_DISCHARGED, &v);
	assert_true(v.allowed);
	assert_false(v.ship_side);
	/* but it waits for the vessel's entry permission */
	c.entry_permitted = false;
	decide(&c, YARD_DISCHARGED, &v);
	assert_false(v.allowed);
	assert_false(v.ship_side);
	assert_missing(&v, 0, MISSING_ENTRY_PERMISSION, "COSU8001236",
		       "the conveyance carrying container COSU8001236 has no entry permission "
		       "yet");
	c.entry_permitted = true;

	/* gate-out after a discharge that came after release: ship side */
	c.nevents = 1;
	decl = released(n1, T0 + HOUR / 2);
	decl.flow = FLOW_DIRECT_PICKUP;
	decide(&c, YARD_GATED_OUT, &v);
	assert_true(v.allowed);
	assert_true(v.ship_side);
	/* released only after discharge: through the yard */
	decl.released_at = T0 + 2 * HOUR;
	decide(&c, YARD_GATED_OUT, &v);
	assert_true(v.allowed);
	assert_false(v.ship_side);
	/* one declaration on the container chose the normal flow */
	decl.released_at = T0;
	struct gate_declaration two[] = {decl, released(n2, T0)};
	bill.declarations = two;
	bill.n = 2;
	decide(&c, YARD_GATED_OUT, &v);
	assert_true(v.allowed);
	assert_false(v.ship_side);
}

static void export_gate_in_and_loading(void **state)
{
	(void)state;
	const struct yard_record in[] = {{YARD_GATED_IN, T0 + HOUR}};
	struct gate_declaration decl = released(n1, T0);
	decl.flow = FLOW_DIRECT_LOADING;
	struct gate_bill bill = {"COSU6291839001", &decl, 1};
	struct gate_container c = {"CAIU2314569", false, false, &bill, 0, in, 0};
	struct gate_verdict v;

	/* not on a pre-loading manifest line */
	decide(&c, YARD_GATED_IN, &v);
	assert_false(v.allowed);
	assert_int_equal(v.n, 1);
	assert_missing(&v, 0, MISSING_MANIFEST, "CAIU2314569",
		       "container CAIU2314569 is on no pre-loading manifest line; an export "
		       "container enters the terminal once the carrier has manifested it");
	/* manifested and released: in, and straight onto the ship; the vessel
	 * need not be in port yet */
	c.nbills = 1;
	decide(&c, YARD_GATED_IN, &v);
	assert_true(v.allowed);
	assert_true(v.ship_side);
	/* not released yet: in, to wait in the yard */
	decl = open_declaration(n1);
	decl.flow = FLOW_DIRECT_LOADING;
	decide(&c, YARD_GATED_IN, &v);
	assert_true(v.allowed);
	assert_false(v.ship_side);

	/* loading: after gate-in, released, the vessel permitted */
	c.nevents = 1;
	decide(&c, YARD_LOADED, &v);
	assert_false(v.allowed);
	assert_int_equal(v.n, 2);
	assert_missing(&v, 0, MISSING_ENTRY_PERMISSION, "CAIU2314569",
		       "the conveyance carrying container CAIU2314569 has no entry permission "
		       "yet");
	assert_missing(&v, 1, MISSING_RELEASE, n1,
		       "declaration 516720261000000001 of bill COSU6291839001 is accepted, not "
		       "released; waiting for customs, quarantine");
	c.entry_permitted = true;
	decl = released(n1, T0 + 2 * HOUR); /* after gate-in */
	decl.flow = FLOW_DIRECT_LOADING;
	decide(&c, YARD_LOADED, &v);
	assert_true(v.allowed);
	assert_false(v.ship_side);
	decl.released_at = T0; /* before gate-in: loaded on arrival */
	decide(&c, YARD_LOADED, &v);
	assert_true(v.allowed);
	assert_true(v.ship_side);
	/* gate-out is not an export container's event */
	decide(&c, YARD_GATED_OUT, &v);
	assert_false(v.allowed);
	assert_missing(&v, 0, MISSING_ORDER, "CAIU2314569",
		       "container CAIU2314569 is an export container: it is gated in, then "
		       "loaded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_of_events),
		cmocka_unit_test(import_gate_out),
		cmocka_unit_test(consolidated_and_split_bills),
		cmocka_unit_test(ship_side_direct_pickup),
		cmocka_unit_test(export_gate_in_and_loading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
