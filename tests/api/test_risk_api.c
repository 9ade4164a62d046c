/*
 * test_risk_api.c - risk-based clearance through the router: enterprise
 * credit and its history, rule-set versions (errors with line and column,
 * officers changing only their agency's rules, effect from a time), office
 * profiles, the assessment of each declaration with its explanation,
 * automatic release with no officer involved, red lanes ordering the
 * inspection, deterministic replay, credit scaling, and preview against
 * past declarations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

static int put_rules(struct test_env *env, const char *user, const char *text,
		     const char *effective_from, struct loopback_result *r)
{
	json_t *b = json_pack("{s:s}", "text", text);
	if (effective_from)
		json_object_set_new(b, "effective_from", json_string(effective_from));
	char *body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	int s = test_call(env, "POST", "/v1/risk/rules", user, body, NULL, r);
	free(body);
	return s;
}

static json_t *get(struct test_env *env, const char *path, const char *user)
{
	struct loopback_result r;
	int s = test_call(env, "GET", path, user, NULL, NULL, &r);
	if (s != 200)
		print_error("GET %s: %d %s\n", path, s, r.text);
	assert_int_equal(s, 200);
	json_t *j = json_incref(r.json);
	loopback_result_free(&r);
	return j;
}

static const char *task_status(const json_t *view, const char *agency)
{
	return test_task_status(view, agency);
}

static void credit_classes_change_with_history(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	const char *path = "/v1/organisations/91440300MA5E0THR7G/credit";
	json_t *c = get(env, path, "customs");
	assert_string_equal(json_string_value(json_object_get(c, "credit_class")), "standard");
	assert_int_equal(json_array_size(json_object_get(c, "history")), 0);
	json_decref(c);
	assert_int_equal(test_call(env, "PUT", path, "trader2",
				   "{\"credit_class\":\"advanced\",\"reason\":\"x\"}", NULL, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", path, "quarantine",
				   "{\"credit_class\":\"advanced\",\"reason\":\"x\"}", NULL, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", path, "customs",
				   "{\"credit_class\":\"gold\"}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "/credit_class", "advanced, standard or discredited"));
	assert_true(test_has_error(r.json, "/reason", "required"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/organisations/91350100M000100Y43/credit",
				   "customs", "{\"credit_class\":\"advanced\",\"reason\":\"x\"}",
				   NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", path, "customs",
				   "{\"credit_class\":\"advanced\",\"reason\":\"AEO certificate AEOCN5300012345\"}",
				   NULL, &r), 200);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", path, "customs",
				   "{\"credit_class\":\"advanced\",\"reason\":\"again\"}", NULL, &r), 409);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", path, "admin",
				   "{\"credit_class\":\"discredited\",\"reason\":\"smuggling case 2026-118\"}",
				   NULL, &r), 200);
	loopback_result_free(&r);
	c = get(env, path, "analyst");
	assert_string_equal(json_string_value(json_object_get(c, "credit_class")), "discredited");
	json_t *h = json_object_get(c, "history");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "to")), "advanced");
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "changed_by")),
			    "customs");
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "from")), "advanced");
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "reason")),
			    "smuggling case 2026-118");
	json_decref(c);
	/* back to standard for the other tests */
	assert_int_equal(test_call(env, "PUT", path, "admin",
				   "{\"credit_class\":\"standard\",\"reason\":\"case closed\"}", NULL, &r), 200);
	loopback_result_free(&r);
}

static void rule_sets_are_checked_versioned_and_owned(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(put_rules(env, "customs",
				   "when hs starts \"0808\" then customs red 100%\n"
				   "\n"
				   "when origin = \"US\" then customs purple 10%\n",
				   NULL, &r), 400);
	json_t *re = json_object_get(r.json, "rule_error");
	assert_int_equal(json_integer_value(json_object_get(re, "line")), 3);
	assert_true(json_integer_value(json_object_get(re, "column")) > 1);
	assert_true(test_has_error(r.json, "/text", "line 3, column"));
	loopback_result_free(&r);
	assert_int_equal(put_rules(env, "customs", "when colour = \"red\" then customs red 1%\n",
				   NULL, &r), 400);
	assert_true(test_has_error(r.json, "/text", "line 1, column 6"));
	loopback_result_free(&r);
	/* a declarant may not write rules */
	assert_int_equal(put_rules(env, "trader", "", NULL, &r), 403);
	loopback_result_free(&r);

	assert_int_equal(put_rules(env, "quarantine",
				   "when hs starts \"0808\" and origin = \"US\" then quarantine red 100% reason \"fire blight\"\n",
				   "2026-01-01T00:00:00Z", &r), 201);
	int64_t v1 = json_integer_value(json_object_get(r.json, "version"));
	loopback_result_free(&r);
	/* customs may add its rules but must leave quarantine's as they are */
	assert_int_equal(put_rules(env, "customs", "when trade_mode = \"0110\" then customs yellow 1%\n",
				   "2026-01-01T00:00:00Z", &r), 403);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "only customs rules"));
	loopback_result_free(&r);
	assert_int_equal(put_rules(env, "customs",
				   "when hs starts \"0808\" and origin = \"US\" then quarantine red 100% reason \"fire blight\"\n"
				   "when hs starts \"8471\" and value_cny > 1000000 then customs red 100% reason \"high-value electronics\"\n",
				   "2026-01-01T00:00:00Z", &r), 201);
	int64_t v2 = json_integer_value(json_object_get(r.json, "version"));
	assert_int_equal(v2, v1 + 1);
	loopback_result_free(&r);
	/* a version taking effect next year is stored but not in force */
	assert_int_equal(put_rules(env, "admin", "when trade_mode = \"0110\" then customs red 100%\n",
				   "2027-06-01T00:00:00Z", &r), 201);
	int64_t v3 = json_integer_value(json_object_get(r.json, "version"));
	loopback_result_free(&r);
	json_t *l = get(env, "/v1/risk/rules", "analyst");
	assert_int_equal(json_integer_value(json_object_get(l, "in_force")), v2);
	assert_int_equal(json_array_size(json_object_get(l, "versions")), 3);
	json_decref(l);
	char path[64];
	snprintf(path, sizeof path, "/v1/risk/rules/%lld", (long long)v3);
	l = get(env, path, "customs");
	assert_non_null(strstr(json_string_value(json_object_get(l, "text")), "customs red 100%"));
	assert_string_equal(json_string_value(json_object_get(l, "created_by")), "admin");
	json_decref(l);
}

static void green_lanes_release_with_no_officer(void **state)
{
	struct test_env *env = *state;
	/* Baiyun airport: customs releases low-risk goods automatically */
	test_profile(env, "5141", "customs", "0", "green");
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "declaration_office", json_string("5141"));
	char number[19], path[96];
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	json_t *v = get(env, path, "trader");
	assert_string_equal(json_string_value(json_object_get(v, "status")), "released");
	assert_string_equal(task_status(v, "customs"), "cleared");
	json_decref(v);
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	json_t *ev = json_object_get(v = get(env, path, "analyst"), "events");
	size_t i;
	json_t *e;
	bool released = false, cleared = false;
	json_array_foreach(ev, i, e)
	{
		const char *type = json_string_value(json_object_get(e, "type"));
		if (!strcmp(type, "task.cleared")) {
			cleared = true;
			assert_string_equal(json_string_value(json_object_get(e, "actor")), "kouan");
			assert_string_equal(json_string_value(json_object_get(
						    json_object_get(e, "data"), "lane")), "green");
		}
		if (!strcmp(type, "declaration.released")) {
			released = true;
			assert_string_equal(json_string_value(json_object_get(e, "actor_role")),
					    "system");
		}
		assert_string_not_equal(json_string_value(json_object_get(e, "actor_role")),
					"customs");
	}
	assert_true(released && cleared);
	json_decref(v);
	/* the notice is signed all the same */
	snprintf(path, sizeof path, "/v1/declarations/%s/release-notice", number);
	json_decref(get(env, path, "terminal"));
	json_decref(d);
}

static void red_rules_order_the_inspection_and_explain(void **state)
{
	struct test_env *env = *state;
	/* the rule set in force (from the test above) sends US apples to quarantine red */
	test_profile(env, "5167", "customs", "0", "green");
	json_t *d = test_consignment();
	char number[19], path[96];
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	json_t *v = get(env, path, "trader");
	assert_string_equal(task_status(v, "quarantine"), "inspecting");
	assert_string_equal(task_status(v, "customs"), "cleared");
	assert_string_equal(json_string_value(json_object_get(v, "status")), "accepted");
	json_decref(v);
	snprintf(path, sizeof path, "/v1/declarations/%s/risk", number);
	json_t *a = get(env, path, "quarantine");
	json_t *o = json_object_get(a, "outcome");
	json_t *q = json_object_get(json_object_get(o, "agencies"), "quarantine");
	assert_string_equal(json_string_value(json_object_get(q, "lane")), "red");
	json_t *hits = json_object_get(o, "rules_hit");
	assert_int_equal(json_array_size(hits), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(hits, 0), "line")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 0), "reason")),
			    "fire blight");
	/* 18000 x 1.85 + 10 x 389.5 USD at 7.1023 = 264170.05 CNY: below the electronics rule */
	assert_string_equal(json_string_value(json_object_get(o, "value_cny")), "264170.05");
	/* replay: lodging the same goods again gives the same lanes, and the
	 * explanation is stored, not recomputed differently */
	json_t *again = get(env, path, "analyst");
	assert_true(json_equal(a, again));
	json_decref(again);
	json_decref(a);
	/* declarants do not see risk explanations */
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &r), 403);
	loopback_result_free(&r);
	json_decref(d);
}

static void credit_scaling_and_random_selection(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "PUT", "/v1/risk/credit-scaling", "admin",
				   "{\"advanced_factor_percent\":\"25\",\"discredited_min_percent\":\"80\"}",
				   NULL, &r), 400);
	assert_true(test_has_error(r.json, "/advanced_factor_percent", "below 20"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/risk/credit-scaling", "admin",
				   "{\"advanced_factor_percent\":\"10\",\"discredited_min_percent\":\"70\"}",
				   NULL, &r), 400);
	assert_true(test_has_error(r.json, "/discredited_min_percent", "at least 80"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/risk/credit-scaling", "admin",
				   "{\"advanced_factor_percent\":\"10\",\"discredited_min_percent\":\"90\"}",
				   NULL, &r), 200);
	loopback_result_free(&r);
	/* the office samples 2.4% of standard consignees for customs */
	test_profile(env, "5141", "customs", "2.4", "green");
	assert_int_equal(test_call(env, "PUT", "/v1/organisations/91440101MA59TRAD00/credit",
				   "customs", "{\"credit_class\":\"discredited\",\"reason\":\"case\"}",
				   NULL, &r), 200);
	loopback_result_free(&r);
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "declaration_office", json_string("5141"));
	char number[19], path[96];
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s/risk", number);
	json_t *a = get(env, path, "customs");
	json_t *rnd = json_object_get(json_object_get(json_object_get(json_object_get(a, "outcome"),
								      "agencies"), "customs"), "random");
	assert_int_equal(json_integer_value(json_object_get(rnd, "rate_ppm")), 900000);
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "outcome"),
							      "consignee_credit")), "discredited");
	json_decref(a);
	assert_int_equal(test_call(env, "PUT", "/v1/organisations/91440101MA59TRAD00/credit",
				   "customs", "{\"credit_class\":\"advanced\",\"reason\":\"AEO\"}",
				   NULL, &r), 200);
	loopback_result_free(&r);
	test_fresh_consignment(d); /* the next consignment */
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s/risk", number);
	a = get(env, path, "customs");
	rnd = json_object_get(json_object_get(json_object_get(json_object_get(a, "outcome"),
							      "agencies"), "customs"), "random");
	assert_int_equal(json_integer_value(json_object_get(rnd, "rate_ppm")), 2400); /* 10% of 2.4% */
	json_decref(a);
	assert_int_equal(test_call(env, "PUT", "/v1/organisations/91440101MA59TRAD00/credit",
				   "customs", "{\"credit_class\":\"standard\",\"reason\":\"end\"}",
				   NULL, &r), 200);
	loopback_result_free(&r);
	json_decref(d);
}

static void profiles_are_checked(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "PUT", "/v1/risk/profiles/5141/quarantine", "customs",
				   "{\"random_percent\":\"1\",\"base_lane\":\"green\"}", NULL, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/risk/profiles/9999/customs", "customs",
				   "{\"random_percent\":\"101\",\"base_lane\":\"pink\"}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "path:office", "customs office"));
	assert_true(test_has_error(r.json, "/base_lane", "green, blue, yellow or red"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/risk/profiles/5141/customs", "customs",
				   "{\"random_percent\":\"101\",\"base_lane\":\"green\"}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "/random_percent", "0"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/risk/profiles/5141/customs", "customs",
				   "{\"random_percent\":\"2.4\",\"base_lane\":\"green\"}", NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "random_ppm")), 24000);
	loopback_result_free(&r);
	json_t *l = get(env, "/v1/risk/profiles", "analyst");
	assert_true(json_array_size(json_object_get(l, "profiles")) >= 2);
	json_decref(l);
}

static void preview_against_past_declarations(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	/* every apple import so far would go red for quarantine; nothing else hits */
	assert_int_equal(test_call(env, "POST", "/v1/risk/rules/preview", "quarantine",
				   "{\"text\":\"when hs starts \\\"0808\\\" then quarantine red 100%\\n\","
				   "\"from\":\"2026-01-01T00:00:00Z\"}", NULL, &r), 200);
	assert_true(json_integer_value(json_object_get(r.json, "declarations")) >= 3);
	json_t *q = json_object_get(json_object_get(r.json, "lanes"), "quarantine");
	assert_true(json_integer_value(json_object_get(q, "red")) >= 1);
	json_t *hit = json_array_get(json_object_get(r.json, "rules_hit"), 0);
	assert_int_equal(json_integer_value(json_object_get(hit, "hits")),
			 json_integer_value(json_object_get(q, "red")));
	loopback_result_free(&r);
	int64_t before = test_count(env, "declarations");
	assert_int_equal(test_call(env, "POST", "/v1/risk/rules/preview", "quarantine",
				   "{\"text\":\"when hs starts 0808 then quarantine red 100%\"}",
				   NULL, &r), 400);
	assert_true(test_has_error(r.json, "/text", "line 1"));
	loopback_result_free(&r);
	assert_int_equal(test_count(env, "declarations"), before);
}

/* A rule's effectiveness: how often it hit and selected, and how often the
 * inspection it ordered then found a problem. */
static void rule_effectiveness_counts_inspection_findings(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	/* version in force: line 1 sends US apples to a quarantine inspection */
	json_t *l = get(env, "/v1/risk/rules", "analyst");
	int64_t version = json_integer_value(json_object_get(l, "in_force"));
	json_decref(l);
	char path[96];
	snprintf(path, sizeof path, "/v1/risk/rules/%lld/effectiveness", (long long)version);
	json_t *before = get(env, path, "quarantine");
	json_int_t hits0 = 0, problems0 = 0;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(before, "rules"), i, row)
	{
		if (json_integer_value(json_object_get(row, "line")) == 1) {
			hits0 = json_integer_value(json_object_get(row, "hits"));
			problems0 = json_integer_value(json_object_get(row, "problems_found"));
		}
	}
	json_decref(before);

	assert_int_equal(test_call(env, "POST", "/v1/inspection-sites", "admin",
				   "{\"code\":\"NSA-EFF\",\"name\":\"Nansha test area\","
				   "\"port\":\"CNNSA\",\"slot_minutes\":30,\"capacity\":2}",
				   NULL, &r), 201);
	loopback_result_free(&r);
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	json_decref(d);
	snprintf(path, sizeof path, "/v1/declarations/%s/inspection", number);
	json_t *insp = get(env, path, "trader");
	json_int_t id = json_integer_value(json_object_get(insp, "id"));
	json_decref(insp);
	char bpath[96];
	snprintf(bpath, sizeof bpath, "/v1/inspections/%lld/booking", (long long)id);
	int64_t saved = env->clock.fixed_us;
	int s = test_call(env, "POST", bpath, "trader",
			  "{\"site\":\"NSA-EFF\",\"slot_start\":\"2026-11-24T02:00:00Z\"}", NULL, &r);
	if (s != 201)
		print_error("booking: %d %s\n", s, r.text);
	assert_int_equal(s, 201);
	loopback_result_free(&r);
	/* the slot starts; quarantine finds live larvae */
	int64_t slot;
	assert_true(ktime_parse("2026-11-24T02:05:00Z", &slot));
	__atomic_store_n(&env->clock.fixed_us, slot, __ATOMIC_SEQ_CST);
	char fpath[96];
	snprintf(fpath, sizeof fpath, "/v1/inspections/%lld/findings/quarantine", (long long)id);
	s = test_call(env, "POST", fpath, "quarantine",
		      "{\"result\":\"problem\",\"note\":\"live larvae in cartons 12-40\","
		      "\"decision\":\"return\"}", NULL, &r);
	if (s != 200 && s != 201)
		print_error("finding: %d %s\n", s, r.text);
	assert_true(s == 200 || s == 201);
	loopback_result_free(&r);
	__atomic_store_n(&env->clock.fixed_us, saved, __ATOMIC_SEQ_CST);

	snprintf(path, sizeof path, "/v1/risk/rules/%lld/effectiveness", (long long)version);
	json_t *after = get(env, path, "quarantine");
	bool found = false;
	json_array_foreach(json_object_get(after, "rules"), i, row)
	{
		if (json_integer_value(json_object_get(row, "line")) != 1)
			continue;
		found = true;
		assert_string_equal(json_string_value(json_object_get(row, "agency")), "quarantine");
		assert_int_equal(json_integer_value(json_object_get(row, "hits")), hits0 + 1);
		assert_true(json_integer_value(json_object_get(row, "inspected")) >= 1);
		assert_int_equal(json_integer_value(json_object_get(row, "problems_found")),
				 problems0 + 1);
		/* a 100% rule selects every declaration it hits */
		assert_int_equal(json_integer_value(json_object_get(row, "selected")),
				 json_integer_value(json_object_get(row, "hits")));
	}
	assert_true(found);
	json_decref(after);
	snprintf(path, sizeof path, "/v1/risk/rules/999/effectiveness");
	assert_int_equal(test_call(env, "GET", path, "quarantine", NULL, NULL, &r), 404);
	loopback_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(credit_classes_change_with_history),
		cmocka_unit_test(rule_sets_are_checked_versioned_and_owned),
		cmocka_unit_test(green_lanes_release_with_no_officer),
		cmocka_unit_test(red_rules_order_the_inspection_and_explain),
		cmocka_unit_test(credit_scaling_and_random_selection),
		cmocka_unit_test(profiles_are_checked),
		cmocka_unit_test(preview_against_past_declarations),
		cmocka_unit_test(rule_effectiveness_counts_inspection_findings),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
