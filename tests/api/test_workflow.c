/*
 * test_workflow.c - parallel agency tasks and the single release, through
 * the router: decisions in any order, inspection, return and correction
 * (reopening only what the correction affects), rejection, withdrawal, and
 * the 409 that every transition not allowed answers without changing
 * anything.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "domain/release.h"

static int decide(struct test_env *env, const char *number, const char *agency,
		  const char *user, const char *body, struct loopback_result *r)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", number, agency);
	return test_call(env, "POST", path, user, body, NULL, r);
}

static void expect_decision(struct test_env *env, const char *number,
			    const char *agency, const char *body, int status)
{
	struct loopback_result r;
	int got = decide(env, number, agency, agency, body, &r);
	if (got != status)
		print_error("decision %s on %s: %d %s\n", body, agency, got, r.text);
	assert_int_equal(got, status);
	loopback_result_free(&r);
}

static json_t *get_view(struct test_env *env, const char *number, const char *user)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", path, user, NULL, NULL, &r), 200);
	json_t *v = json_incref(r.json);
	loopback_result_free(&r);
	return v;
}

static json_t *get_events(struct test_env *env, const char *number)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", path, "analyst", NULL, NULL, &r), 200);
	json_t *e = json_incref(json_object_get(r.json, "events"));
	loopback_result_free(&r);
	return e;
}

static size_t count_type(const json_t *events, const char *type)
{
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(events, i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, "type")), type))
			n++;
	}
	return n;
}

static const char *status_of(const json_t *view)
{
	return json_string_value(json_object_get(view, "status"));
}

static void released_once_when_every_agency_has_cleared(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	/* quarantine first, then customs: order does not matter */
	expect_decision(env, number, "quarantine", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	json_t *v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "accepted");
	assert_true(json_is_null(json_object_get(v, "released_at")));
	json_decref(v);
	expect_decision(env, number, "customs",
			"{\"decision\":\"cleared\",\"reason\":\"documents in order\"}", 200);
	v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "released");
	assert_true(json_is_string(json_object_get(v, "released_at")));
	json_decref(v);

	json_t *events = get_events(env, number);
	assert_int_equal(count_type(events, "declaration.released"), 1);
	size_t before = json_array_size(events);
	/* anything more answers 409 and changes nothing */
	expect_decision(env, number, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 409);
	expect_decision(env, number, "quarantine", "{\"decision\":\"reject\",\"reason\":\"late\"}", 409);
	struct loopback_result r;
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", number);
	assert_int_equal(test_call(env, "POST", path, "trader", NULL, NULL, &r), 409);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "released"));
	loopback_result_free(&r);
	json_decref(events);
	events = get_events(env, number);
	assert_int_equal(json_array_size(events), before);
	json_decref(events);

	/* the release notice verifies with the public key, and only unchanged */
	snprintf(path, sizeof path, "/v1/declarations/%s/release-notice", number);
	assert_int_equal(test_call(env, "GET", path, "terminal", NULL, NULL, &r), 200);
	const char *notice = json_string_value(json_object_get(r.json, "notice"));
	const char *sig = json_string_value(json_object_get(r.json, "signature"));
	assert_true(release_verify(notice, sig, env->app.svc.sign_pk));
	json_t *n = json_loads(notice, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(n, "declaration_number")), number);
	assert_int_equal(json_array_size(json_object_get(n, "agencies_cleared")), 2);
	json_decref(n);
	char *forged = strdup(notice);
	/* one character of a container number changed */
	char *p = strstr(forged, json_string_value(json_array_get(json_object_get(d, "containers"), 1)));
	assert_non_null(p);
	p[4] = '9';
	assert_false(release_verify(forged, sig, env->app.svc.sign_pk));
	free(forged);
	loopback_result_free(&r);
	json_decref(d);
}

static void decisions_are_checked(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	struct loopback_result r;
	/* reason required unless cleared */
	assert_int_equal(decide(env, number, "customs", "customs", "{\"decision\":\"return\"}", &r), 400);
	assert_true(test_has_error(r.json, "/reason", "required"));
	loopback_result_free(&r);
	assert_int_equal(decide(env, number, "customs", "customs", "{\"decision\":\"approve\"}", &r), 400);
	assert_true(test_has_error(r.json, "/decision", "cleared, inspect, return, reject"));
	loopback_result_free(&r);
	assert_int_equal(decide(env, number, "customs", "customs", "{\"reason\":\"x\"}", &r), 400);
	assert_true(test_has_error(r.json, "/decision", "required"));
	loopback_result_free(&r);
	assert_int_equal(decide(env, number, "customs", "customs",
				"{\"decision\":\"cleared\",\"stamp\":true}", &r), 400);
	assert_true(test_has_error(r.json, "/stamp", "unknown field"));
	loopback_result_free(&r);
	/* an officer decides only their agency's task; declarants none */
	assert_int_equal(decide(env, number, "quarantine", "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", &r), 403);
	loopback_result_free(&r);
	assert_int_equal(decide(env, number, "customs", "trader", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", &r), 403);
	loopback_result_free(&r);
	/* no task for this agency on this declaration */
	assert_int_equal(decide(env, number, "border", "border", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", &r), 404);
	loopback_result_free(&r);
	/* unknown number */
	assert_int_equal(decide(env, "516720269999999999", "customs", "customs",
				"{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", &r), 404);
	loopback_result_free(&r);
	json_t *v = get_view(env, number, "trader");
	assert_string_equal(test_task_status(v, "customs"), "open");
	json_decref(v);
	json_decref(d);
}

static void inspection_then_outcome(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	expect_decision(env, number, "quarantine",
			"{\"decision\":\"inspect\",\"reason\":\"sampling for codling moth\"}", 200);
	json_t *v = get_view(env, number, "trader");
	assert_string_equal(test_task_status(v, "quarantine"), "inspecting");
	json_decref(v);
	expect_decision(env, number, "quarantine",
			"{\"decision\":\"inspect\",\"reason\":\"again\"}", 409);
	expect_decision(env, number, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "accepted");
	json_decref(v);
	/* an inspecting task is not cleared by a plain decision: the
	 * inspection's finding clears it, or a supervisor's waiver */
	struct loopback_result r;
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/quarantine/decision", number);
	assert_int_equal(test_call(env, "POST", path, "quarantine",
				   "{\"decision\":\"cleared\",\"reason\":\"no pests found\"}", NULL,
				   &r),
			 409);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")),
			       "awaits the joint inspection"));
	loopback_result_free(&r);
	v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "accepted");
	assert_string_equal(test_task_status(v, "quarantine"), "inspecting");
	json_decref(v);
	/* returning it is a decision the officer may take */
	expect_decision(env, number, "quarantine",
			"{\"decision\":\"return\",\"reason\":\"phytosanitary certificate missing\"}",
			200);
	v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "returned");
	json_decref(v);
	json_t *events = get_events(env, number);
	assert_int_equal(count_type(events, "task.inspection_ordered"), 1);
	assert_int_equal(count_type(events, "task.cleared"), 1);
	assert_int_equal(count_type(events, "task.returned"), 1);
	json_decref(events);
	json_decref(d);
}

static int correct(struct test_env *env, const char *number, json_t *d,
		   struct loopback_result *r)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	char *body = json_dumps(d, JSON_COMPACT);
	int s = test_call(env, "PUT", path, "trader", body, NULL, r);
	free(body);
	return s;
}

static void correction_reopens_only_what_it_affects(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	struct loopback_result r;
	/* not returned yet: a correction is refused */
	assert_int_equal(correct(env, number, d, &r), 409);
	loopback_result_free(&r);

	expect_decision(env, number, "quarantine", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	expect_decision(env, number, "customs",
			"{\"decision\":\"return\",\"reason\":\"laptop price looks low\"}", 200);
	json_t *v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "returned");
	json_decref(v);

	/* the office is part of the number: it cannot change */
	json_t *moved = json_deep_copy(d);
	json_object_set_new(moved, "declaration_office", json_string("5141"));
	assert_int_equal(correct(env, number, moved, &r), 400);
	assert_true(test_has_error(r.json, "/declaration_office", "cannot change"));
	loopback_result_free(&r);
	json_decref(moved);
	/* an invalid correction is refused field by field */
	json_t *bad = json_deep_copy(d);
	json_object_set_new(bad, "currency", json_string("QQQ"));
	assert_int_equal(correct(env, number, bad, &r), 400);
	assert_true(test_has_error(r.json, "/currency", NULL));
	loopback_result_free(&r);
	json_decref(bad);

	/* change the laptops' price only: quarantine's apples are untouched */
	json_object_set_new(json_array_get(json_object_get(d, "items"), 1), "unit_price",
			    json_string("512.00"));
	assert_int_equal(correct(env, number, d, &r), 200);
	assert_string_equal(status_of(r.json), "accepted");
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
	assert_string_equal(test_task_status(r.json, "customs"), "open");
	assert_string_equal(test_task_status(r.json, "quarantine"), "cleared");
	loopback_result_free(&r);
	json_t *events = get_events(env, number);
	assert_int_equal(count_type(events, "declaration.corrected"), 1);
	assert_int_equal(count_type(events, "task.reopened"), 1);
	json_decref(events);

	/* both versions stay readable: what was declared at each step */
	char vpath[96];
	snprintf(vpath, sizeof vpath, "/v1/declarations/%s/versions/1", number);
	assert_int_equal(test_call(env, "GET", vpath, "trader", NULL, NULL, &r), 200);
	json_t *items = json_object_get(json_object_get(r.json, "declaration"), "items");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "unit_price")),
			    "389.5");
	assert_int_equal(json_integer_value(json_object_get(r.json, "current_version")), 2);
	loopback_result_free(&r);
	snprintf(vpath, sizeof vpath, "/v1/declarations/%s/versions/2", number);
	assert_int_equal(test_call(env, "GET", vpath, "trader", NULL, NULL, &r), 200);
	items = json_object_get(json_object_get(r.json, "declaration"), "items");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "unit_price")),
			    "512.00");
	loopback_result_free(&r);
	snprintf(vpath, sizeof vpath, "/v1/declarations/%s/versions/3", number);
	assert_int_equal(test_call(env, "GET", vpath, "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	snprintf(vpath, sizeof vpath, "/v1/declarations/%s/versions/x1", number);
	assert_int_equal(test_call(env, "GET", vpath, "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	/* not a number: digits after a non-digit once overflowed (found by
	 * fuzz_http); still a plain 404 */
	static const char *const not_versions[] = {"1x2222222222222222222222", "2x",
						   "99999999999999999999", "0", "-1"};
	for (size_t i = 0; i < sizeof not_versions / sizeof not_versions[0]; i++) {
		snprintf(vpath, sizeof vpath, "/v1/declarations/%s/versions/%s", number,
			 not_versions[i]);
		assert_int_equal(test_call(env, "GET", vpath, "trader", NULL, NULL, &r), 404);
		assert_string_equal(json_string_value(json_object_get(r.json, "detail")),
				    "the declaration has no such version");
		loopback_result_free(&r);
	}
	snprintf(vpath, sizeof vpath, "/v1/declarations/%s/versions/1", number);
	assert_int_equal(test_call(env, "GET", vpath, "trader2", NULL, NULL, &r), 404);
	loopback_result_free(&r);

	/* customs returns again; now the apples change: quarantine reopens */
	expect_decision(env, number, "customs",
			"{\"decision\":\"return\",\"reason\":\"apple quantity\"}", 200);
	json_object_set_new(json_array_get(json_object_get(d, "items"), 0), "quantity",
			    json_string("17500"));
	assert_int_equal(correct(env, number, d, &r), 200);
	assert_string_equal(test_task_status(r.json, "customs"), "open");
	assert_string_equal(test_task_status(r.json, "quarantine"), "open");
	loopback_result_free(&r);

	/* both clear: released once */
	expect_decision(env, number, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	expect_decision(env, number, "quarantine", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "released");
	assert_int_equal(json_integer_value(json_object_get(v, "version")), 3);
	json_decref(v);
	json_decref(d);
}

static void correction_closes_tasks_no_longer_required(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	expect_decision(env, number, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	expect_decision(env, number, "quarantine",
			"{\"decision\":\"return\",\"reason\":\"phytosanitary certificate missing\"}", 200);
	/* the trader drops the apples: quarantine has nothing left to act on */
	json_array_remove(json_object_get(d, "items"), 0);
	struct loopback_result r;
	assert_int_equal(correct(env, number, d, &r), 200);
	assert_string_equal(test_task_status(r.json, "quarantine"), "closed");
	/* customs' basis (the whole declaration) changed: reopened */
	assert_string_equal(test_task_status(r.json, "customs"), "open");
	assert_string_equal(status_of(r.json), "accepted");
	loopback_result_free(&r);
	expect_decision(env, number, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	json_t *v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "released");
	json_decref(v);
	json_decref(d);
}

static void rejection_closes_the_others(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	expect_decision(env, number, "quarantine",
			"{\"decision\":\"reject\",\"reason\":\"prohibited pest found\"}", 200);
	json_t *v = get_view(env, number, "trader");
	assert_string_equal(status_of(v), "rejected");
	assert_string_equal(test_task_status(v, "customs"), "closed");
	json_decref(v);
	expect_decision(env, number, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 409);
	struct loopback_result r;
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/release-notice", number);
	assert_int_equal(test_call(env, "GET", path, "analyst", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	json_decref(d);
}

static void withdrawal_before_release(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19], path[80];
	test_lodge(env, "trader", d, number);
	expect_decision(env, number, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 200);
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", number);
	struct loopback_result r;
	/* another organisation cannot withdraw it: it does not exist for them */
	assert_int_equal(test_call(env, "POST", path, "trader2", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", path, "trader", "{\"reason\":\"order cancelled\"}",
				   NULL, &r), 200);
	assert_string_equal(status_of(r.json), "withdrawn");
	assert_string_equal(test_task_status(r.json, "customs"), "cleared");
	assert_string_equal(test_task_status(r.json, "quarantine"), "closed");
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", path, "trader", NULL, NULL, &r), 409);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", path, "trader", "{\"why\":\"x\"}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "/why", "unknown field"));
	loopback_result_free(&r);
	expect_decision(env, number, "quarantine", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", 409);
	json_t *events = get_events(env, number);
	assert_int_equal(count_type(events, "declaration.withdrawn"), 1);
	assert_int_equal(count_type(events, "declaration.released"), 0);
	json_decref(events);
	json_decref(d);
}

static void worklists_show_each_agency_its_open_tasks(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19];
	test_lodge(env, "trader", d, number);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/tasks?limit=1000", "quarantine", NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "agency")), "quarantine");
	bool found = false;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(r.json, "tasks"), i, t)
	{
		assert_string_equal(json_string_value(json_object_get(t, "status")), "open");
		if (!strcmp(json_string_value(json_object_get(t, "declaration_number")), number))
			found = true;
	}
	assert_true(found);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/tasks?agency=customs", "quarantine", NULL, NULL, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/tasks?agency=police", "analyst", NULL, NULL, &r), 400);
	assert_true(test_has_error(r.json, "query:agency", "not a known agency"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/tasks?status=done", "customs", NULL, NULL, &r), 400);
	assert_true(test_has_error(r.json, "query:status", NULL));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/tasks", "trader", NULL, NULL, &r), 403);
	loopback_result_free(&r);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(released_once_when_every_agency_has_cleared),
		cmocka_unit_test(decisions_are_checked),
		cmocka_unit_test(inspection_then_outcome),
		cmocka_unit_test(correction_reopens_only_what_it_affects),
		cmocka_unit_test(correction_closes_tasks_no_longer_required),
		cmocka_unit_test(rejection_closes_the_others),
		cmocka_unit_test(withdrawal_before_release),
		cmocka_unit_test(worklists_show_each_agency_its_open_tasks),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
