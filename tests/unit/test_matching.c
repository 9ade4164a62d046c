/*
 * test_matching.c - declarations against manifest lines: the split and
 * flow members, packages exactly and weight within the tolerance (at its
 * edges), containers, splits that add up or do not, one claim per bill,
 * and what lodging or a manifest line does to an advance declaration.
 */
#include <string.h>

#include "transport_fixture.h"
#include "manifest_fixture.h"
#include "domain/matching.h"

static json_t *manifest_body;
static struct manifest manifest;
static const struct manifest_bill *apples; /* COSU6291830410: 1800 CT, 19850.000 kg */

static const char apples_bill[] = "COSU6291830410";

static void check_members(json_t *d, struct problems *p)
{
	problems_init(p);
	matching_validate_declaration(d, p);
}

static void split_and_flow_members(void **state)
{
	(void)state;
	struct problems p;
	json_t *d = test_declaration(); /* an advance import by water */
	check_members(d, &p);
	assert_int_equal(p.count, 0);
	struct {
		bool pickup; /* on a declaration choosing direct pickup */
		const char *path, *value, *field, *text;
	} cases[] = {
		{false, "split", "{\"part\": 3, \"of\": 2}", "/split/part",
		 "must be a whole number from 1 to 2"},
		{false, "split", "{\"part\": 1, \"of\": 1}", "/split/of",
		 "must be a whole number from 2 to 99"},
		{false, "split", "{\"part\": 1, \"of\": 100}", "/split/of",
		 "must be a whole number from 2 to 99"},
		{false, "split", "\"1/2\"", "/split",
		 "must be an object with part and of, such as {\"part\": 1, \"of\": 2}"},
		{false, "split", "{\"part\": 1, \"of\": 2, \"total\": 3}", "/split/total",
		 "unknown field; accepted fields are: part, of"},
		{false, "split", "{\"of\": 2}", "/split/part", "is required"},
		{false, "flow", "\"fast\"", "/flow",
		 "must be one of \"normal\", \"direct_pickup\" (船边直提, imports) or "
		 "\"direct_loading\" (抵港直装, exports)"},
		{false, "flow", "\"direct_loading\"", "/flow",
		 "direct loading (抵港直装) is for exports; an import may choose direct_pickup"},
		{true, "advance", "false", "/flow",
		 "direct pickup needs an advance declaration (\"advance\": true), so the goods "
		 "can be released before they are discharged"},
		{true, "advance", NULL, "/flow",
		 "direct pickup needs an advance declaration (\"advance\": true), so the goods "
		 "can be released before they are discharged"},
		{true, "transport_mode", "\"5\"", "/flow",
		 "direct pickup takes the goods at the ship's side: it is for waterway "
		 "transport (\"2\") only"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *c = test_declaration();
		if (cases[i].pickup)
			fixture_set(c, "flow", "\"direct_pickup\"");
		fixture_set(c, cases[i].path, cases[i].value);
		check_members(c, &p);
		assert_one_problem(&p, cases[i].field, cases[i].text);
		json_decref(c);
	}
	/* two at once: a single part, numbered 0 */
	fixture_set(d, "split", "{\"part\": 0, \"of\": 1}");
	check_members(d, &p);
	assert_int_equal(p.count, 2);
	assert_problem(&p, 0, "/split/of", "must be a whole number from 2 to 99");
	assert_problem(&p, 1, "/split/part", "must be a whole number from 1 to 99");
	/* good ones */
	fixture_set(d, "split", "{\"part\": 2, \"of\": 2}");
	fixture_set(d, "flow", "\"direct_pickup\"");
	check_members(d, &p);
	assert_int_equal(p.count, 0);
	fixture_set(d, "flow", "null");
	check_members(d, &p);
	assert_int_equal(p.count, 0);

	/* exports */
	fixture_set(d, "direction", "\"export\"");
	fixture_set(d, "flow", "\"direct_pickup\"");
	check_members(d, &p);
	assert_one_problem(&p, "/flow",
			   "direct pickup (船边直提) is for imports; an export may choose "
			   "direct_loading");
	fixture_set(d, "flow", "\"direct_loading\"");
	check_members(d, &p);
	assert_int_equal(p.count, 0);
	fixture_set(d, "transport_mode", "\"4\"");
	check_members(d, &p);
	assert_one_problem(&p, "/flow",
			   "direct loading puts the goods on the ship as they reach the "
			   "terminal: it is for waterway transport (\"2\") only");
	json_decref(d);
}

static void facts(json_t *d, struct transport_facts *f)
{
	assert_true(matching_declaration_facts(d, f));
}

static void facts_of_a_declaration(void **state)
{
	(void)state;
	json_t *d = test_declaration();
	struct transport_facts f;
	facts(d, &f);
	assert_true(f.import);
	assert_true(f.advance);
	assert_int_equal(f.flow, FLOW_NORMAL);
	assert_string_equal(f.bill_of_lading, apples_bill);
	assert_int_equal(f.packages, 1800);
	assert_int_equal(f.gross_weight_g, 19850000);
	assert_int_equal(f.ncontainers, 2);
	assert_string_equal(f.containers[0], "COSU8001236");
	assert_string_equal(f.containers[1], "CSQU3054383");
	assert_int_equal(f.split_of, 0);
	/* the same call as the manifest's */
	assert_string_equal(f.call_key, "2|9321378|046E|CNNSA");
	assert_string_equal(f.call_key, manifest.key);
	fixture_set(d, "split", "{\"part\": 2, \"of\": 3}");
	fixture_set(d, "flow", "\"direct_pickup\"");
	facts(d, &f);
	assert_int_equal(f.split_part, 2);
	assert_int_equal(f.split_of, 3);
	assert_int_equal(f.flow, FLOW_DIRECT_PICKUP);
	json_decref(d);
}

static void compare_with_the_line(void **state)
{
	(void)state;
	const struct weight_tolerance tol = WEIGHT_TOLERANCE_DEFAULT;
	json_t *d = test_declaration();
	struct transport_facts f;
	struct match_result r;
	facts(d, &f);
	matching_compare(&f, apples, tol, &r);
	assert_true(r.matched);
	assert_int_equal(r.n, 0);

	/* 5 % of 19850.000 kg is 992.500 kg either way */
	static const struct {
		const char *weight;
		bool within;
	} weights[] = {
		{"20842.500", true}, {"20842.501", false},
		{"18857.500", true}, {"18857.499", false},
	};
	for (size_t i = 0; i < 4; i++) {
		json_object_set_new(d, "gross_weight_kg", json_string(weights[i].weight));
		facts(d, &f);
		matching_compare(&f, apples, tol, &r);
		assert_int_equal(r.matched, weights[i].within);
	}
	/* the floor of half a kilogram for small consignments */
	assert_true(matching_weight_within(2500, 2000, tol));
	assert_false(matching_weight_within(2501, 2000, tol));
	assert_true(matching_weight_within(1500, 2000, tol));
	assert_false(matching_weight_within(1499, 2000, tol));
	/* no tolerance at all */
	assert_true(matching_weight_within(2000, 2000, (struct weight_tolerance){0, 0}));
	assert_false(matching_weight_within(2001, 2000, (struct weight_tolerance){0, 0}));

	/* five cartons short and a tonne heavier */
	fixture_set(d, "packages", "1795");
	fixture_set(d, "gross_weight_kg", "\"21000.000\"");
	facts(d, &f);
	matching_compare(&f, apples, tol, &r);
	assert_false(r.matched);
	json_t *j = matching_result_json(&r);
	assert_json_equal(j, "[{\"difference\": \"packages\", \"field\": \"/packages\","
			     "  \"declared\": \"1795\", \"manifested\": \"1800\"},"
			     " {\"difference\": \"gross_weight\", \"field\": \"/gross_weight_kg\","
			     "  \"declared\": \"21000.000\", \"manifested\": \"19850.000\"}]");
	json_decref(j);
	struct problems p;
	problems_init(&p);
	matching_result_problems(&r, f.bill_of_lading, tol, &p);
	assert_int_equal(p.count, 2);
	assert_problem(&p, 0, "/packages",
		       "is 1795 but the manifest line of bill COSU6291830410 has 1800 "
		       "packages; packages must match exactly");
	assert_problem(&p, 1, "/gross_weight_kg",
		       "is 21000.000 kg but the manifest line of bill COSU6291830410 has "
		       "19850.000 kg; a difference of up to 5.0 % of it (at least 0.500 kg) "
		       "is accepted");

	/* another container in place of the second reefer */
	fixture_set(d, "packages", "1800");
	fixture_set(d, "gross_weight_kg", "\"19850.000\"");
	fixture_set(d, "containers/1", "\"MSKU7750147\"");
	facts(d, &f);
	matching_compare(&f, apples, tol, &r);
	problems_init(&p);
	matching_result_problems(&r, f.bill_of_lading, tol, &p);
	assert_int_equal(p.count, 2);
	assert_problem(&p, 0, "/containers/1",
		       "container MSKU7750147 is not on the manifest line of bill "
		       "COSU6291830410");
	assert_problem(&p, 1, "/containers",
		       "leaves out container CSQU3054383, which the manifest line of bill "
		       "COSU6291830410 carries; declare every container of the bill");
	j = matching_result_json(&r);
	assert_json_equal(j, "[{\"difference\": \"container_not_manifested\","
			     "  \"field\": \"/containers/1\", \"declared\": \"MSKU7750147\","
			     "  \"manifested\": null},"
			     " {\"difference\": \"container_not_declared\", \"field\": \"/containers\","
			     "  \"declared\": null, \"manifested\": \"CSQU3054383\"}]");
	json_decref(j);
	json_decref(d);
}

/* The line of an import names its consignee's USCC: a declaration for
 * another company does not match it (and is not told whose it is); a line
 * that names none (a bill "to order") is compared on the goods alone. */
static void the_party_in_china_is_the_manifests(void **state)
{
	(void)state;
	const struct weight_tolerance tol = WEIGHT_TOLERANCE_DEFAULT;
	json_t *d = test_declaration();
	struct transport_facts f;
	struct match_result r;
	assert_string_equal(apples->party_uscc, "91440101MA59TRAD00");
	facts(d, &f);
	assert_string_equal(f.party_uscc, "91440101MA59TRAD00");
	matching_compare(&f, apples, tol, &r);
	assert_true(r.matched);
	fixture_set(d, "consignee_uscc", "\"91440300MA5E0THR7G\"");
	facts(d, &f);
	matching_compare(&f, apples, tol, &r);
	assert_false(r.matched);
	json_t *j = matching_result_json(&r);
	assert_json_equal(j, "[{\"difference\": \"party\", \"field\": \"/consignee_uscc\","
			     "  \"declared\": \"91440300MA5E0THR7G\", \"manifested\": null}]");
	json_decref(j);
	struct problems p;
	problems_init(&p);
	matching_result_problems(&r, f.bill_of_lading, tol, &p);
	assert_int_equal(p.count, 1);
	assert_problem(&p, 0, "/consignee_uscc",
		       "is 91440300MA5E0THR7G but the manifest line of bill COSU6291830410 "
		       "names another company in China for these goods; they are declared by "
		       "that company, or for it by a broker it has mandated");
	/* the machine parts' consignee gives no USCC */
	const struct manifest_bill *parts = manifest_find_bill(&manifest, "COSU6291830422");
	assert_non_null(parts);
	assert_null(parts->party_uscc);
	struct manifest_bill same = *apples;
	same.party_uscc = NULL;
	matching_compare(&f, &same, tol, &r);
	assert_true(r.matched);
	json_decref(d);
}

/* The line gives the goods' HS heading: apples (0808) are not declared as
 * tableware (3924); one item of the heading is enough (a bill may carry
 * more than its main goods); the heading is told only to the party the
 * line names. */
static void the_goods_are_of_the_lines_heading(void **state)
{
	(void)state;
	const struct weight_tolerance tol = WEIGHT_TOLERANCE_DEFAULT;
	json_t *d = test_declaration();
	struct transport_facts f;
	struct match_result r;
	assert_string_equal(apples->hs_heading, "0808");
	/* apples and laptops: the apples are of the heading */
	facts(d, &f);
	assert_int_equal(f.nitems, 2);
	matching_compare(&f, apples, tol, &r);
	assert_true(r.matched);
	/* tableware and laptops: neither is */
	fixture_set(d, "items/0/hs_code", "\"3924100000\"");
	facts(d, &f);
	matching_compare(&f, apples, tol, &r);
	assert_false(r.matched);
	json_t *j = matching_result_json(&r);
	assert_json_equal(j, "[{\"difference\": \"goods\", \"field\": \"/items\","
			     "  \"declared\": \"3924100000\", \"manifested\": \"0808\"}]");
	json_decref(j);
	struct problems p;
	problems_init(&p);
	matching_result_problems(&r, f.bill_of_lading, tol, &p);
	assert_int_equal(p.count, 1);
	assert_problem(&p, 0, "/items",
		       "has no item of the HS heading the manifest line of bill COSU6291830410 "
		       "gives for these goods (0808); declare the goods the carrier carries");
	/* declared by another company: the heading is not told */
	fixture_set(d, "consignee_uscc", "\"91440300MA5E0THR7G\"");
	facts(d, &f);
	matching_compare(&f, apples, tol, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.d[1].kind, DIFF_GOODS);
	assert_string_equal(r.d[1].manifested, "");
	problems_init(&p);
	matching_result_problems(&r, f.bill_of_lading, tol, &p);
	assert_problem(&p, 1, "/items",
		       "has no item of the HS heading the manifest line of bill COSU6291830410 "
		       "gives for these goods; declare the goods the carrier carries");
	/* a line without a heading is compared on the rest */
	struct manifest_bill plain = *apples;
	plain.hs_heading = NULL;
	fixture_set(d, "consignee_uscc", "\"91440101MA59TRAD00\"");
	facts(d, &f);
	matching_compare(&f, &plain, tol, &r);
	assert_true(r.matched);
	json_decref(d);
}

/* Part `part` of `of` of the apples: packages, weight, containers. */
static void part(struct transport_facts *f, int k, int of, int64_t packages,
		 int64_t weight_g, const char *container)
{
	json_t *d = test_declaration();
	facts(d, f);
	json_decref(d);
	f->split_part = k;
	f->split_of = of;
	f->packages = packages;
	f->gross_weight_g = weight_g;
	f->ncontainers = 0;
	if (container)
		snprintf(f->containers[f->ncontainers++], CONTAINER_NUMBER_MAX, "%s", container);
}

static void splits(void **state)
{
	(void)state;
	const struct weight_tolerance tol = WEIGHT_TOLERANCE_DEFAULT;
	struct transport_facts p1, p2;
	struct match_result r;
	part(&p1, 1, 2, 1000, 11000000, "COSU8001236");
	part(&p2, 2, 2, 800, 8850000, "CSQU3054383");
	/* each part fits the line on its own */
	matching_compare(&p1, apples, tol, &r);
	assert_true(r.matched);
	const struct transport_facts *parts[3] = {&p1, &p2, &p1};
	assert_int_equal(matching_splits(apples, parts, 1, tol, &r), SPLIT_WAITING);
	assert_true(r.matched);
	assert_int_equal(matching_splits(apples, parts, 2, tol, &r), SPLIT_COMPLETE);
	assert_int_equal(matching_splits(apples, parts, 0, tol, &r), SPLIT_WAITING);
	/* weights add up within the tolerance: 20000 kg against 19850 */
	p2.gross_weight_g = 9000000;
	assert_int_equal(matching_splits(apples, parts, 2, tol, &r), SPLIT_COMPLETE);

	/* a hundred cartons missing */
	p2.packages = 700;
	assert_int_equal(matching_splits(apples, parts, 2, tol, &r), SPLIT_INCONSISTENT);
	struct problems p;
	problems_init(&p);
	matching_result_problems(&r, apples_bill, tol, &p);
	assert_one_problem(&p, "/packages",
			   "the parts of bill COSU6291830410 declare 1700 packages in all; its "
			   "manifest line has 1800, and the parts must add up to it");
	/* a reefer in no part */
	p2.packages = 800;
	p2.ncontainers = 0;
	assert_int_equal(matching_splits(apples, parts, 2, tol, &r), SPLIT_INCONSISTENT);
	problems_init(&p);
	matching_result_problems(&r, apples_bill, tol, &p);
	assert_one_problem(&p, "/containers",
			   "container CSQU3054383 of bill COSU6291830410 is in none of its "
			   "parts; every container of the bill is declared in one part at least");
	/* the first part alone already passes the line */
	p1.packages = 1900;
	matching_compare(&p1, apples, tol, &r);
	problems_init(&p);
	matching_result_problems(&r, apples_bill, tol, &p);
	assert_one_problem(&p, "/packages",
			   "is 1900 for one part, more than the 1800 packages on the manifest "
			   "line of bill COSU6291830410");
	assert_int_equal(matching_splits(apples, parts, 1, tol, &r), SPLIT_INCONSISTENT);
	p1.packages = 1000;
	p1.gross_weight_g = 20900000; /* over 19850 + 992.5 kg */
	matching_compare(&p1, apples, tol, &r);
	problems_init(&p);
	matching_result_problems(&r, apples_bill, tol, &p);
	assert_one_problem(&p, "/gross_weight_kg",
			   "is 20900.000 kg for one part, more than the 19850.000 kg on the "
			   "manifest line of bill COSU6291830410");
	p1.gross_weight_g = 11000000;
	/* part 1 twice; a part of another split */
	assert_int_equal(matching_splits(apples, (const struct transport_facts *[]){&p1, &p1},
					 2, tol, &r),
			 SPLIT_INCONSISTENT);
	problems_init(&p);
	matching_result_problems(&r, apples_bill, tol, &p);
	assert_one_problem(&p, "/split/part",
			   "the parts of bill COSU6291830410 do not fit together: part 1 of 2 "
			   "twice");
	p2.split_of = 3;
	assert_int_equal(matching_splits(apples, parts, 2, tol, &r), SPLIT_INCONSISTENT);
	assert_string_equal(r.d[0].field, "/split");
	assert_string_equal(r.d[0].declared, "part 2 of 3 among parts of 2");
}

static void one_claim_per_bill(void **state)
{
	(void)state;
	struct transport_facts whole, p1;
	part(&p1, 1, 2, 1000, 11000000, "COSU8001236");
	json_t *d = test_declaration();
	facts(d, &whole);
	json_decref(d);
	const char *n1 = "516720261000000001";
	struct problems p;
	problems_init(&p);
	assert_true(matching_check_claims(&whole, NULL, 0, &p));
	struct bill_claim claimed_whole = {n1, 0, 0};
	struct bill_claim part1_of_2 = {n1, 1, 2};
	struct bill_claim part2_of_2 = {n1, 2, 2};
	struct bill_claim part1_of_3 = {n1, 1, 3};
	/* the case: the same bill on a second declaration */
	assert_false(matching_check_claims(&whole, &claimed_whole, 1, &p));
	assert_one_problem(&p, "/bill_of_lading",
			   "bill of lading COSU6291830410 is already declared on declaration "
			   "516720261000000001; a bill is declared once, or in parts with "
			   "\"split\": {\"part\": k, \"of\": n} on each declaration");
	problems_init(&p);
	assert_false(matching_check_claims(&p1, &claimed_whole, 1, &p));
	assert_one_problem(&p, "/split",
			   "bill of lading COSU6291830410 is declared whole on declaration "
			   "516720261000000001; it cannot also be declared in parts");
	problems_init(&p);
	assert_false(matching_check_claims(&p1, &part1_of_3, 1, &p));
	assert_one_problem(&p, "/split/of",
			   "declaration 516720261000000001 declares bill COSU6291830410 in 3 "
			   "parts; every part must say \"of\": 3");
	problems_init(&p);
	assert_false(matching_check_claims(&p1, &part1_of_2, 1, &p));
	assert_one_problem(&p, "/split/part",
			   "part 1 of bill COSU6291830410 is already declared on declaration "
			   "516720261000000001");
	problems_init(&p);
	assert_true(matching_check_claims(&p1, &part2_of_2, 1, &p));
	assert_int_equal(p.count, 0);
}

static void advance_declarations(void **state)
{
	(void)state;
	const struct weight_tolerance tol = WEIGHT_TOLERANCE_DEFAULT;
	json_t *d = test_declaration();
	struct transport_facts f;
	struct match_result r;
	struct problems p;
	facts(d, &f);
	problems_init(&p);
	/* advance, no manifest yet: accepted, waits */
	assert_int_equal(matching_on_lodging(&f, NULL, tol, &r, &p), MATCH_WAIT);
	assert_int_equal(p.count, 0);
	/* not advance, no manifest: refused */
	f.advance = false;
	assert_int_equal(matching_on_lodging(&f, NULL, tol, &r, &p), MATCH_REFUSE);
	assert_one_problem(&p, "/bill_of_lading",
			   "no manifest of this call has a line for bill COSU6291830410 yet; "
			   "lodge the declaration with \"advance\": true to declare before the "
			   "manifest, or once the carrier has lodged it");
	problems_init(&p);
	assert_int_equal(matching_on_lodging(&f, apples, tol, &r, &p), MATCH_PROCEED);
	assert_true(r.matched);
	assert_int_equal(p.count, 0);
	/* the line is there and differs: refused with the differences */
	f.packages = 1750;
	assert_int_equal(matching_on_lodging(&f, apples, tol, &r, &p), MATCH_REFUSE);
	assert_one_problem(&p, "/packages",
			   "is 1750 but the manifest line of bill COSU6291830410 has 1800 "
			   "packages; packages must match exactly");

	/* the manifest arrives for a waiting declaration */
	assert_int_equal(matching_on_line(&f, apples, true, tol, &r), MATCH_MISMATCH);
	assert_int_equal(r.n, 1);
	f.packages = 1800;
	assert_int_equal(matching_on_line(&f, apples, false, tol, &r), MATCH_MATCHED);
	assert_int_equal(matching_on_line(&f, apples, true, tol, &r), MATCH_RELEASE);
	assert_string_equal(match_action_name(MATCH_RELEASE), "release");
	assert_string_equal(match_action_name(MATCH_MISMATCH), "mismatch");
	assert_string_equal(match_difference_name(DIFF_SPLIT_CONTAINERS), "split_containers");
	assert_string_equal(match_difference_name(DIFF_PARTY), "party");
	json_decref(d);
}

static int setup(void **state)
{
	fixture_setup(state);
	manifest_body = fixture_json(original_manifest);
	struct problems p;
	problems_init(&p);
	if (manifest_validate(manifest_body, ref, &p, &manifest) != KERR_OK)
		return -1;
	apples = manifest_find_bill(&manifest, apples_bill);
	return apples ? 0 : -1;
}

static int teardown(void **state)
{
	manifest_free(&manifest);
	json_decref(manifest_body);
	return fixture_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_and_flow_members),
		cmocka_unit_test(facts_of_a_declaration),
		cmocka_unit_test(compare_with_the_line),
		cmocka_unit_test(the_party_in_china_is_the_manifests),
		cmocka_unit_test(the_goods_are_of_the_lines_heading),
		cmocka_unit_test(splits),
		cmocka_unit_test(one_claim_per_bill),
		cmocka_unit_test(advance_declarations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
