/*
 * test_access.c - who may do and see what, through the router: public
 * endpoints, bearer tokens (log in, expiry, revocation), roles, the
 * declarant's view of its own organisation only (404 for others), agency
 * visibility, the event feed (per-role view, cursor, long-poll) and the
 * reference lists.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_support.h"

static void public_endpoints_answer_without_a_token(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/healthz", NULL, NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/release-key", NULL, NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "algorithm")), "Ed25519");
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/openapi.json", NULL, NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "openapi")), "3.1.0");
	loopback_result_free(&r);
}

static void every_other_endpoint_needs_a_token(void **state)
{
	struct test_env *env = *state;
	static const char *const calls[][2] = {
		{"DELETE", "/v1/sessions/current"},
		{"GET", "/v1/me"},
		{"GET", "/v1/reference"},
		{"GET", "/v1/reference/countries"},
		{"GET", "/v1/reference/countries/CN"},
		{"PUT", "/v1/reference/countries/CN"},
		{"DELETE", "/v1/reference/countries/CN"},
		{"POST", "/v1/declarations"},
		{"GET", "/v1/declarations"},
		{"GET", "/v1/declarations/516720261000000001"},
		{"PUT", "/v1/declarations/516720261000000001"},
		{"POST", "/v1/declarations/516720261000000001/withdrawal"},
		{"GET", "/v1/declarations/516720261000000001/events"},
		{"GET", "/v1/declarations/516720261000000001/release-notice"},
		{"GET", "/v1/declarations/516720261000000001/versions/1"},
		{"POST", "/v1/declarations/516720261000000001/tasks/customs/decision"},
		{"GET", "/v1/tasks"},
		{"GET", "/v1/events"},
		{"POST", "/v1/organisations"},
		{"GET", "/v1/organisations"},
		{"POST", "/v1/users"},
		{"GET", "/v1/users"},
	};
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		struct loopback_call c = {.method = calls[i][0], .path = calls[i][1], .body = "{}"};
		struct loopback_result r;
		api_loopback(&env->app, &c, &r);
		if (r.status != 401)
			print_error("%s %s answered %d without a token\n", calls[i][0], calls[i][1], r.status);
		assert_int_equal(r.status, 401);
		loopback_result_free(&r);
		c.token = "kt_not-a-real-token";
		api_loopback(&env->app, &c, &r);
		assert_int_equal(r.status, 401);
		loopback_result_free(&r);
	}
}

static void unknown_paths_and_methods(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/nothing", "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PATCH", "/v1/declarations", "trader", NULL, NULL, &r), 405);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/declarations/../../etc", "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/declarations/123", "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);
}

static void login_expiry_and_revocation(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/sessions", NULL,
				   "{\"username\":\"trader\",\"password\":\"wrong-password\"}", NULL, &r),
			 401);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/sessions", NULL,
				   "{\"username\":\"nobody\",\"password\":\"trader-demo-2026\"}", NULL, &r),
			 401);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/sessions", NULL,
				   "{\"username\":\"trader\"}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "/password", "required"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/sessions", NULL,
				   "{\"username\":\"trader\",\"password\":\"trader-demo-2026\"}", NULL, &r),
			 201);
	char token[128];
	str_copy(token, json_string_value(json_object_get(r.json, "token")), sizeof token);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "user"), "role")),
			    "declarant");
	loopback_result_free(&r);

	struct loopback_call me = {.method = "GET", .path = "/v1/me", .token = token};
	api_loopback(&env->app, &me, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "organisation")),
			    "91440101MA59TRAD00");
	loopback_result_free(&r);

	/* tokens expire: move the clock past the lifetime */
	int64_t saved = env->clock.fixed_us;
	env->clock.fixed_us += env->app.limits.service.token_ttl_s * 1000000 + 1;
	api_loopback(&env->app, &me, &r);
	assert_int_equal(r.status, 401);
	loopback_result_free(&r);
	env->clock.fixed_us = saved;
	api_loopback(&env->app, &me, &r);
	assert_int_equal(r.status, 200);
	loopback_result_free(&r);

	struct loopback_call out = {.method = "DELETE", .path = "/v1/sessions/current", .token = token};
	api_loopback(&env->app, &out, &r);
	assert_int_equal(r.status, 204);
	loopback_result_free(&r);
	api_loopback(&env->app, &me, &r);
	assert_int_equal(r.status, 401);
	loopback_result_free(&r);
}

static void declarants_see_only_their_organisation(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char mine[19], path[96];
	test_lodge(env, "trader", d, mine);
	struct loopback_result r, missing;
	snprintf(path, sizeof path, "/v1/declarations/%s", mine);
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &r), 200);
	loopback_result_free(&r);
	/* another organisation: 404, the same answer as a number that does not exist */
	assert_int_equal(test_call(env, "GET", path, "trader2", NULL, NULL, &r), 404);
	assert_int_equal(test_call(env, "GET", "/v1/declarations/516720269999999999", "trader2",
				   NULL, NULL, &missing), 404);
	assert_string_equal(json_string_value(json_object_get(r.json, "detail")),
			    json_string_value(json_object_get(missing.json, "detail")));
	loopback_result_free(&r);
	loopback_result_free(&missing);
	snprintf(path, sizeof path, "/v1/declarations/%s/events", mine);
	assert_int_equal(test_call(env, "GET", path, "trader2", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/declarations", "trader2", NULL, NULL, &r), 200);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "declarations"), i, e)
	{
		assert_string_not_equal(json_string_value(json_object_get(e, "number")), mine);
	}
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/declarations?limit=500", "trader", NULL, NULL, &r), 200);
	bool found = false;
	json_array_foreach(json_object_get(r.json, "declarations"), i, e)
	{
		found |= !strcmp(json_string_value(json_object_get(e, "number")), mine);
	}
	assert_true(found);
	loopback_result_free(&r);
	json_decref(d);

	/* released, it is still only its organisation's: another declarant
	 * sees neither it, nor its timeline, nor its notice */
	json_t *laptops = test_consignment_customs_only();
	char released[19];
	test_lodge(env, "trader", laptops, released);
	json_decref(laptops);
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/customs/decision", released);
	assert_int_equal(test_call(env, "POST", path, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}",
				   NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "released");
	loopback_result_free(&r);
	static const char *const parts[] = {"", "/events", "/release-notice",
					    "/versions/1", "/inspection"};
	for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
		snprintf(path, sizeof path, "/v1/declarations/%s%s", released, parts[k]);
		assert_int_equal(test_call(env, "GET", path, "trader2", NULL, NULL, &r), 404);
		loopback_result_free(&r);
	}
	assert_int_equal(test_call(env, "GET", "/v1/declarations?status=released&limit=500",
				   "trader2", NULL, NULL, &r), 200);
	json_array_foreach(json_object_get(r.json, "declarations"), i, e)
	{
		assert_string_not_equal(json_string_value(json_object_get(e, "number")), released);
	}
	loopback_result_free(&r);
	snprintf(path, sizeof path, "/v1/declarations/%s/release-notice", released);
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &r), 200);
	loopback_result_free(&r);
}

static void agencies_see_declarations_with_their_task(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment_customs_only();
	char number[19], path[96];
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", path, "customs", NULL, NULL, &r), 200);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", path, "quarantine", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", path, "analyst", NULL, NULL, &r), 200);
	loopback_result_free(&r);
	/* a terminal sees it only once released */
	assert_int_equal(test_call(env, "GET", path, "terminal", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	char dpath[128];
	snprintf(dpath, sizeof dpath, "%s/tasks/customs/decision", path);
	assert_int_equal(test_call(env, "POST", dpath, "customs", "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}", NULL, &r), 200);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", path, "terminal", NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "released");
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/declarations?status=accepted", "terminal", NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "declarations")), 0);
	loopback_result_free(&r);
	json_decref(d);
}

/* Follow the feed from cursor 0 to the end as `user`; count events of
 * declaration `number`, check cursors grow. */
static size_t feed_count(struct test_env *env, const char *user, const char *number,
			 size_t *total)
{
	char cursor[32] = "0", path[96];
	size_t n = 0, all = 0;
	long long last = 0;
	for (;;) {
		snprintf(path, sizeof path, "/v1/events?after=%s&limit=7", cursor);
		struct loopback_result r;
		assert_int_equal(test_call(env, "GET", path, user, NULL, NULL, &r), 200);
		json_t *events = json_object_get(r.json, "events");
		size_t i;
		json_t *e;
		json_array_foreach(events, i, e)
		{
			long long c = strtoll(json_string_value(json_object_get(e, "cursor")), NULL, 10);
			assert_true(c > last);
			last = c;
			all++;
			const char *of = json_string_value(json_object_get(e, "declaration_number"));
			if (of && !strcmp(of, number)) /* a call's own events have none */
				n++;
		}
		size_t got = json_array_size(events);
		str_copy(cursor, json_string_value(json_object_get(r.json, "cursor")), sizeof cursor);
		loopback_result_free(&r);
		if (got == 0)
			break;
	}
	if (total)
		*total = all;
	return n;
}

static void event_feed_shows_each_caller_what_it_may_see(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment_customs_only();
	char number[19];
	test_lodge(env, "trader", d, number);
	/* lodged, accepted, one task opened, matched with its manifest line,
	 * duties assessed, risk assessed */
	assert_int_equal(feed_count(env, "trader", number, NULL), 6);
	assert_int_equal(feed_count(env, "customs", number, NULL), 6);
	assert_int_equal(feed_count(env, "analyst", number, NULL), 6);
	assert_int_equal(feed_count(env, "trader2", number, NULL), 0);
	assert_int_equal(feed_count(env, "quarantine", number, NULL), 0);
	assert_int_equal(feed_count(env, "terminal", number, NULL), 0);
	size_t all_trader2;
	feed_count(env, "trader2", number, &all_trader2);
	assert_int_equal(all_trader2, 0);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/events?after=abc", "analyst", NULL, NULL, &r), 400);
	assert_true(test_has_error(r.json, "query:after", NULL));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/events?limit=0", "analyst", NULL, NULL, &r), 400);
	assert_true(test_has_error(r.json, "query:limit", "1 to 1000"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/events?wait=9999", "analyst", NULL, NULL, &r), 400);
	assert_true(test_has_error(r.json, "query:wait", "0 to 3600"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/events?wait=-1", "analyst", NULL, NULL, &r), 400);
	assert_true(test_has_error(r.json, "query:wait", NULL));
	loopback_result_free(&r);
	json_decref(d);
}

struct poller {
	struct test_env *env;
	char cursor[32];
	int status;
	size_t events;
	char first_type[48];
};

static void *long_poll(void *p)
{
	struct poller *pl = p;
	char path[96];
	snprintf(path, sizeof path, "/v1/events?after=%s&wait=2", pl->cursor);
	struct loopback_result r;
	pl->status = test_call(pl->env, "GET", path, "analyst", NULL, NULL, &r);
	json_t *events = json_object_get(r.json, "events");
	pl->events = json_array_size(events);
	if (pl->events)
		str_copy(pl->first_type,
			 json_string_value(json_object_get(json_array_get(events, 0), "type")),
			 sizeof pl->first_type);
	loopback_result_free(&r);
	store_thread_release();
	return NULL;
}

static void long_poll_wakes_on_a_new_event(void **state)
{
	struct test_env *env = *state;
	/* the cursor at the end of the feed */
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/events?after=0&limit=1000", "analyst", NULL, NULL, &r), 200);
	struct poller pl = {.env = env};
	/* the goods are manifested before the poll starts: the lodging alone
	 * wakes it */
	json_t *d = test_consignment_customs_only();
	test_manifest_line(env, d);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/events?after=0&limit=1000", "analyst", NULL, NULL, &r), 200);
	str_copy(pl.cursor, json_string_value(json_object_get(r.json, "cursor")), sizeof pl.cursor);
	loopback_result_free(&r);
	/* make sure the feed is drained from that cursor */
	char path[96];
	snprintf(path, sizeof path, "/v1/events?after=%s", pl.cursor);
	assert_int_equal(test_call(env, "GET", path, "analyst", NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "events")), 0);
	loopback_result_free(&r);

	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, long_poll, &pl), 0);
	/* wait until the poller is waiting, then lodge */
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&env->app.feed.lock);
		int w = env->app.feed.waiting;
		pthread_mutex_unlock(&env->app.feed.lock);
		if (w > 0)
			break;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	char number[19];
	test_lodge_alone(env, "trader", d, number);
	pthread_join(t, NULL);
	assert_int_equal(pl.status, 200);
	assert_true(pl.events >= 3);
	assert_string_equal(pl.first_type, "declaration.lodged");
	json_decref(d);
}

static void reference_lists_read_and_admin_edits(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/reference", "trader", NULL, NULL, &r), 200);
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(r.json, "lists"), i, l)
	{
		const char *name = json_string_value(json_object_get(l, "name"));
		json_int_t n = json_integer_value(json_object_get(l, "entries"));
		if (!strcmp(name, "commodities"))
			assert_true(n >= 300);
		if (!strcmp(name, "countries"))
			assert_true(n >= 240);
		if (!strcmp(name, "currencies"))
			assert_true(n >= 150);
	}
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/reference/commodities?prefix=0808", "trader", NULL, NULL, &r), 200);
	json_array_foreach(json_object_get(r.json, "entries"), i, l)
	{
		assert_memory_equal(json_string_value(json_object_get(l, "code")), "0808", 4);
		assert_non_null(json_string_value(json_object_get(l, "name_zh")));
	}
	assert_true(json_array_size(json_object_get(r.json, "entries")) >= 1);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/reference/countries/CN", "trader", NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "alpha_3")), "CHN");
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/reference/planets", "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/reference/countries/QQ", "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);

	/* only admins edit; entries are checked */
	assert_int_equal(test_call(env, "PUT", "/v1/reference/ports/CNXXX", "customs",
				   "{\"name_en\":\"X\"}", NULL, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/reference/commodities/12345", "admin",
				   "{\"name_en\":\"X\",\"unit\":\"035\",\"agencies\":[\"customs\"]}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "/code", "10 digits"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/reference/commodities/0101210010", "admin",
				   "{\"name_en\":\"Horses\",\"unit\":\"035\",\"agencies\":[\"police\"]}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "/agencies", "not a known agency"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/reference/ports/CNZZZ", "admin",
				   "{\"name_en\":\"Test port\",\"country\":\"CN\"}", NULL, &r), 200);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/reference/ports/CNZZZ", "trader", NULL, NULL, &r), 200);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "DELETE", "/v1/reference/ports/CNZZZ", "admin", NULL, NULL, &r), 204);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/reference/ports/CNZZZ", "trader", NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "DELETE", "/v1/reference/ports/CNZZZ", "admin", NULL, NULL, &r), 404);
	loopback_result_free(&r);
}

static void admins_create_organisations_and_users(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/organisations", "trader",
				   "{\"uscc\":\"91350100M000100Y43\",\"name\":\"X\",\"kind\":\"trader\"}", NULL, &r), 403);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/organisations", "admin",
				   "{\"uscc\":\"91350100M000100Y44\",\"name\":\"X\",\"kind\":\"trader\"}", NULL, &r), 400);
	assert_true(test_has_error(r.json, "/uscc", "check"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/organisations", "admin",
				   "{\"uscc\":\"91350100M000100Y43\",\"name\":\"Fuzhou Trading\",\"kind\":\"trader\"}", NULL, &r), 201);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/organisations", "admin",
				   "{\"uscc\":\"91350100M000100Y43\",\"name\":\"Again\",\"kind\":\"trader\"}", NULL, &r), 409);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users", "admin",
				   "{\"username\":\"fz\",\"password\":\"short\",\"role\":\"pilot\",\"organisation\":\"91350100M000100Y43\"}",
				   NULL, &r), 400);
	assert_true(test_has_error(r.json, "/username", NULL));
	assert_true(test_has_error(r.json, "/password", "at least 10"));
	assert_true(test_has_error(r.json, "/role", NULL));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users", "admin",
				   "{\"username\":\"fuzhou.trader\",\"password\":\"long-enough-pw\",\"role\":\"declarant\",\"organisation\":\"91350100M000100Y43\"}",
				   NULL, &r), 201);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/sessions", NULL,
				   "{\"username\":\"fuzhou.trader\",\"password\":\"long-enough-pw\"}", NULL, &r), 201);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users", "admin",
				   "{\"username\":\"fuzhou.trader\",\"password\":\"long-enough-pw\",\"role\":\"declarant\",\"organisation\":\"91350100M000100Y43\"}",
				   NULL, &r), 409);
	assert_true(test_has_error(r.json, "/username", "taken"));
	loopback_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(public_endpoints_answer_without_a_token),
		cmocka_unit_test(every_other_endpoint_needs_a_token),
		cmocka_unit_test(unknown_paths_and_methods),
		cmocka_unit_test(login_expiry_and_revocation),
		cmocka_unit_test(declarants_see_only_their_organisation),
		cmocka_unit_test(agencies_see_declarations_with_their_task),
		cmocka_unit_test(event_feed_shows_each_caller_what_it_may_see),
		cmocka_unit_test(long_poll_wakes_on_a_new_event),
		cmocka_unit_test(reference_lists_read_and_admin_edits),
		cmocka_unit_test(admins_create_organisations_and_users),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
