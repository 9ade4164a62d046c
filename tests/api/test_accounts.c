/*
 * test_accounts.c - accounts and the audit log through the router, with
 * the manual clock: 100 wrong passwords throttled (429 with Retry-After,
 * no password checked) and then locked, unlocked by an admin; the busy
 * answer when every hashing turn is taken; disabling, enabling, password
 * change and reset, token revocation, each with its answer and field;
 * roles that do not fit the organisation refused on /role; who may call
 * what (the auditor reads the audit log and nothing else; nobody else reads
 * it); the audit API's filters and paging; and the client address taken
 * from X-Forwarded-For only through a trusted proxy, from the right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "server/demo.h"
#include "domain/throttle.h"

#define S 1000000LL

static int setup(void **state)
{
	struct test_env *env = test_env_new();
	env->clock.step_us = 0; /* time moves only when a test moves it */
	*state = env;
	return 0;
}

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

static void advance(struct test_env *env, int64_t us)
{
	__atomic_add_fetch(&env->clock.fixed_us, us, __ATOMIC_SEQ_CST);
}

/* POST /v1/sessions from `remote` (through `xff` when not NULL). */
static int login(struct test_env *env, const char *remote, const char *xff, const char *user,
		 const char *password, struct loopback_result *r)
{
	char body[256];
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
	struct loopback_call c = {.method = "POST", .path = "/v1/sessions", .body = body,
				  .remote = remote, .forwarded_for = xff};
	api_loopback(&env->app, &c, r);
	return r->status;
}

static int call_token(struct test_env *env, const char *method, const char *path,
		      const char *token, const char *body, struct loopback_result *r)
{
	struct loopback_call c = {.method = method, .path = path, .token = token, .body = body,
				  .remote = "192.0.2.10"};
	api_loopback(&env->app, &c, r);
	return r->status;
}

/* The audit records with this action, as the auditor reads them. */
static json_t *audit(struct test_env *env, const char *query)
{
	char path[256];
	snprintf(path, sizeof path, "/v1/audit?limit=1000%s%s", *query ? "&" : "", query);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", path, "auditor", NULL, NULL, &r), 200);
	json_t *records = json_incref(json_object_get(r.json, "records"));
	loopback_result_free(&r);
	return records;
}

static void hundred_wrong_passwords_are_throttled_then_locked(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	int unauthorised = 0, waits = 0, locks = 0;
	const char *ip = "203.0.113.50";
	/* 100 wrong passwords, sometimes at once, sometimes after the wait a
	 * 429 asked for (never waiting out a lock) */
	for (int i = 0; i < 100; i++) {
		int s = login(env, ip, NULL, "broker", "not-the-password", &r);
		if (s == 401) {
			unauthorised++;
		} else {
			assert_int_equal(s, 429);
			assert_string_equal(test_str(r.json, "type"), "urn:kouan:problem:too-many-requests");
			assert_true(r.retry_after >= 1);
			assert_int_equal(json_integer_value(json_object_get(r.json, "retry_after_s")),
					 r.retry_after);
			if (json_object_get(r.json, "locked_until"))
				locks++;
			else if (++waits % 2 == 0) /* every other time, wait as asked */
				advance(env, r.retry_after * S);
		}
		loopback_result_free(&r);
	}
	/* 20 were checked; then the name was locked */
	assert_int_equal(unauthorised, 20);
	assert_int_equal(waits, 30); /* 15 waits said, 15 waited */
	assert_int_equal(locks, 50);
	/* locked: the right password is refused, and said so */
	assert_int_equal(login(env, ip, NULL, "broker", "broker-demo-2026", &r), 429);
	assert_non_null(strstr(test_str(r.json, "detail"),
			       "this user name is locked after too many failed logins, until "));
	assert_non_null(strstr(test_str(r.json, "detail"), "; an administrator can unlock it"));
	char until[TIME_TEXT_SIZE];
	str_copy(until, test_str(r.json, "locked_until"), sizeof until);
	loopback_result_free(&r);
	/* from another address too */
	assert_int_equal(login(env, "198.51.100.9", NULL, "broker", "broker-demo-2026", &r), 429);
	loopback_result_free(&r);
	/* the audit log has exactly the 20 checked failures and one lock */
	json_t *failed = audit(env, "action=session.failed&target=broker");
	assert_int_equal(json_array_size(failed), 20);
	json_t *first = json_array_get(failed, 0);
	assert_string_equal(test_str(first, "actor"), "anonymous");
	assert_string_equal(test_str(first, "source"), ip);
	assert_string_equal(test_str(json_object_get(first, "data"), "reason"), "wrong password");
	json_decref(failed);
	json_t *locked = audit(env, "action=account.locked");
	assert_int_equal(json_array_size(locked), 1);
	assert_string_equal(test_str(json_object_get(json_array_get(locked, 0), "data"),
				"locked_until"),
			    until);
	json_decref(locked);
	/* the admin sees it and unlocks */
	assert_int_equal(test_call(env, "GET", "/v1/users/broker", "admin", NULL, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "failed_logins")), 20);
	assert_true(json_is_false(json_object_get(r.json, "supervisor")));
	assert_string_equal(test_str(r.json, "locked_until"), until);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/users/customs.lead", "admin", NULL, NULL, &r),
			 200);
	assert_true(json_is_true(json_object_get(r.json, "supervisor")));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/broker/unlock", "admin", NULL, NULL, &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "failed_logins")), 0);
	assert_true(json_is_null(json_object_get(r.json, "locked_until")));
	loopback_result_free(&r);
	/* the address still waits after its 20 failures; another one logs in */
	assert_int_equal(login(env, ip, NULL, "broker", "broker-demo-2026", &r), 429);
	assert_string_equal(test_str(r.json, "detail"),
			    "too many failed logins from this address; try again in 1 s");
	loopback_result_free(&r);
	assert_int_equal(login(env, "198.51.100.9", NULL, "broker", "broker-demo-2026", &r), 201);
	loopback_result_free(&r);
}

static void the_answers_of_a_throttled_login(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(login(env, "203.0.113.60", NULL, "terminal", "wrong-wrong-wrong", &r),
				 401);
		assert_int_equal(r.retry_after, -1);
		assert_string_equal(test_str(r.json, "detail"), "the user name or password is wrong, "
							   "or the account is disabled");
		loopback_result_free(&r);
	}
	assert_int_equal(login(env, "203.0.113.60", NULL, "terminal", "terminal-demo-2026", &r),
			 429);
	assert_int_equal(r.retry_after, 1);
	assert_string_equal(test_str(r.json, "title"), "Too many attempts, wait before trying again");
	assert_string_equal(test_str(r.json, "detail"),
			    "too many failed logins for this user name; try again in 1 s");
	assert_null(json_object_get(r.json, "locked_until"));
	loopback_result_free(&r);
	/* a name no user can have is refused at once, as any wrong one */
	char name[80];
	memset(name, 'a', 70);
	name[70] = '\0';
	assert_int_equal(login(env, "203.0.113.61", NULL, name, "x", &r), 401);
	loopback_result_free(&r);
	/* every hashing turn taken and no room to wait: 503, Retry-After 1 */
	struct hash_gate *g = &env->app.svc.hashing;
	unsigned saved = g->max_waiting;
	int64_t turns[2];
	g->max_waiting = 0;
	for (unsigned i = 0; i < g->max_running; i++)
		assert_int_equal(services_hash_begin(&env->app.svc, &turns[i]), KERR_OK);
	assert_int_equal(login(env, "203.0.113.62", NULL, "analyst", "analyst-demo-2026", &r), 503);
	assert_int_equal(r.retry_after, 1);
	assert_string_equal(test_str(r.json, "detail"),
			    "too many passwords are being checked at once; retry in a second");
	loopback_result_free(&r);
	for (unsigned i = 0; i < g->max_running; i++)
		services_hash_done(&env->app.svc, turns[i]);
	g->max_waiting = saved;
	assert_int_equal(login(env, "203.0.113.62", NULL, "analyst", "analyst-demo-2026", &r), 201);
	loopback_result_free(&r);
}

static void stopping_an_account(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(login(env, "192.0.2.20", NULL, "trader2", "trader2-demo-2026", &r), 201);
	char token[TOKEN_TEXT_MAX];
	str_copy(token, test_str(r.json, "token"), sizeof token);
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "GET", "/v1/me", token, NULL, &r), 200);
	loopback_result_free(&r);
	/* a reason is required */
	assert_int_equal(test_call(env, "POST", "/v1/users/trader2/disable", "admin", NULL, NULL, &r),
			 400);
	assert_true(test_has_error(r.json, "/reason", "is required: say why the account is stopped"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/trader2/disable", "admin",
				   "{\"reason\":\"contract ended\",\"until\":\"x\"}", NULL, &r),
			 400);
	assert_true(test_has_error(r.json, "/until", NULL));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/trader2/disable", "admin",
				   "{\"reason\":\"contract ended\"}", NULL, &r),
			 200);
	assert_true(json_is_true(json_object_get(r.json, "disabled")));
	assert_int_equal(json_integer_value(json_object_get(r.json, "live_tokens")), 0);
	loopback_result_free(&r);
	/* refused at once */
	assert_int_equal(call_token(env, "GET", "/v1/me", token, NULL, &r), 401);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/trader2/disable", "admin",
				   "{\"reason\":\"again\"}", NULL, &r),
			 409);
	assert_string_equal(test_str(r.json, "detail"), "trader2 is already disabled");
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/admin/disable", "admin",
				   "{\"reason\":\"tired\"}", NULL, &r),
			 409);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/ghost/disable", "admin",
				   "{\"reason\":\"x\"}", NULL, &r),
			 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/trader2/enable", "admin", NULL, NULL, &r),
			 200);
	assert_true(json_is_false(json_object_get(r.json, "disabled")));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users/trader2/unlock", "admin", NULL, NULL, &r),
			 409);
	loopback_result_free(&r);
	/* an admin resets the password: the rules hold; every token goes */
	assert_int_equal(login(env, "192.0.2.20", NULL, "trader2", "trader2-demo-2026", &r), 201);
	str_copy(token, test_str(r.json, "token"), sizeof token);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/users/trader2/password", "admin",
				   "{\"password\":\"qwertyuiop123\"}", NULL, &r),
			 400);
	assert_true(test_has_error(r.json, "/password", "is one of the most common passwords"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "PUT", "/v1/users/trader2/password", "admin",
				   "{\"password\":\"quayside-amber-0419\"}", NULL, &r),
			 204);
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "GET", "/v1/me", token, NULL, &r), 401);
	loopback_result_free(&r);
	/* the user changes it again itself; its other sessions end */
	assert_int_equal(login(env, "192.0.2.20", NULL, "trader2", "quayside-amber-0419", &r), 201);
	str_copy(token, test_str(r.json, "token"), sizeof token);
	loopback_result_free(&r);
	assert_int_equal(login(env, "192.0.2.21", NULL, "trader2", "quayside-amber-0419", &r), 201);
	char other[TOKEN_TEXT_MAX];
	str_copy(other, test_str(r.json, "token"), sizeof other);
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "PUT", "/v1/me/password", token,
				    "{\"current_password\":\"wrong-one-here\","
				    "\"password\":\"lantern-harbour-5512\"}",
				    &r),
			 400);
	assert_true(test_has_error(r.json, "/current_password", "is not your current password"));
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "PUT", "/v1/me/password", token,
				    "{\"current_password\":\"quayside-amber-0419\"}", &r),
			 400);
	assert_true(test_has_error(r.json, "/password", "is required"));
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "PUT", "/v1/me/password", token,
				    "{\"current_password\":\"quayside-amber-0419\","
				    "\"password\":\"lantern-harbour-5512\"}",
				    &r),
			 204);
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "GET", "/v1/me", token, NULL, &r), 200);
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "GET", "/v1/me", other, NULL, &r), 401);
	loopback_result_free(&r);
	/* and logs out everywhere */
	assert_int_equal(call_token(env, "DELETE", "/v1/me/tokens", token, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "revoked")), 1);
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "GET", "/v1/me", token, NULL, &r), 401);
	loopback_result_free(&r);
	/* an admin revokes another user's tokens */
	const char *t = test_token(env, "maritime");
	assert_int_equal(test_call(env, "DELETE", "/v1/users/maritime/tokens", "admin", NULL, NULL,
				   &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "revoked")), 1);
	loopback_result_free(&r);
	assert_int_equal(call_token(env, "GET", "/v1/me", t, NULL, &r), 401);
	loopback_result_free(&r);
	/* all of it is in the audit log, by whom and from where */
	json_t *recs = audit(env, "target=trader2&action=user.*");
	static const struct {
		const char *action, *actor, *source;
	} want[] = {
		{"user.created", "kouan-demo", "local"},
		{"user.disabled", "admin", "loopback"},
		{"user.enabled", "admin", "loopback"},
		{"user.password_reset", "admin", "loopback"},
		{"user.password_changed", "trader2", "192.0.2.10"},
	};
	assert_int_equal(json_array_size(recs), 5);
	for (size_t i = 0; i < 5; i++) {
		json_t *rec = json_array_get(recs, i);
		assert_string_equal(test_str(rec, "action"), want[i].action);
		assert_string_equal(test_str(rec, "actor"), want[i].actor);
		assert_string_equal(test_str(rec, "source"), want[i].source);
	}
	assert_string_equal(test_str(json_object_get(json_array_get(recs, 1), "data"), "reason"),
			    "contract ended");
	json_decref(recs);
}

static void roles_that_do_not_fit_are_refused(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/users", "admin",
				   "{\"username\":\"gz.officer\",\"password\":\"harbour-lantern-7731\","
				   "\"role\":\"customs\",\"organisation\":\"91440101MA59TRAD00\"}",
				   NULL, &r),
			 400);
	assert_string_equal(test_str(r.json, "detail"), "the role does not fit the organisation");
	assert_true(test_has_error(r.json, "/role",
				   "the role customs is for an organisation of kind agency; "
				   "91440101MA59TRAD00 is of kind trader"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users", "admin",
				   "{\"username\":\"gz.officer\",\"password\":\"gz.officer2026\","
				   "\"role\":\"customs\",\"organisation\":\"11440000MB2C7CU516\"}",
				   NULL, &r),
			 400);
	assert_true(test_has_error(r.json, "/password",
				   "must not be the user name with digits or punctuation added"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/users", "admin",
				   "{\"username\":\"gz.officer\",\"password\":\"harbour-lantern-7731\","
				   "\"role\":\"customs\",\"organisation\":\"11440000MB2C7CU516\"}",
				   NULL, &r),
			 201);
	loopback_result_free(&r);
}

static void who_may_call_what(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	/* every route but the public ones wants a token */
	size_t n;
	const struct route *routes = api_routes(&n);
	for (size_t i = 0; i < n; i++) {
		if (routes[i].roles == ROLES_PUBLIC)
			continue;
		char path[160];
		str_copy(path, routes[i].pattern, sizeof path);
		for (char *p = strchr(path, '{'); p; p = strchr(path, '{')) {
			char *end = strchr(p, '}');
			memmove(p + 1, end + 1, strlen(end + 1) + 1);
			*p = '1';
		}
		struct loopback_call c = {.method = routes[i].method, .path = path, .body = "{}"};
		api_loopback(&env->app, &c, &r);
		if (r.status != 401)
			print_error("%s %s: %d\n", routes[i].method, path, r.status);
		assert_int_equal(r.status, 401);
		loopback_result_free(&r);
	}
	/* the auditor reads the audit log and nothing else; nobody else does */
	static const char *const others[] = {"admin",    "analyst", "customs", "trader",
					     "terminal", NULL};
	for (size_t i = 0; others[i]; i++) {
		assert_int_equal(test_call(env, "GET", "/v1/audit", others[i], NULL, NULL, &r), 403);
		loopback_result_free(&r);
		assert_int_equal(test_call(env, "GET", "/v1/audit/head", others[i], NULL, NULL, &r),
				 403);
		loopback_result_free(&r);
	}
	static const char *const closed[][2] = {
		{"GET", "/v1/declarations"},      {"GET", "/v1/events"},
		{"GET", "/v1/reference"},         {"GET", "/v1/users"},
		{"GET", "/v1/inspection-sites"},  {"GET", "/v1/risk/rules"},
		{"POST", "/v1/users/trader/disable"},
	};
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
		assert_int_equal(test_call(env, closed[i][0], closed[i][1], "auditor", NULL, NULL, &r),
				 403);
		loopback_result_free(&r);
	}
	assert_int_equal(test_call(env, "GET", "/v1/me", "auditor", NULL, NULL, &r), 200);
	assert_string_equal(test_str(r.json, "role"), "auditor");
	assert_true(json_is_false(json_object_get(r.json, "supervisor")));
	loopback_result_free(&r);
	/* a supervisor is told so (the interface offers waivers to it alone) */
	assert_int_equal(test_call(env, "GET", "/v1/me", "quarantine.lead", NULL, NULL, &r), 200);
	assert_string_equal(test_str(r.json, "agency"), "quarantine");
	assert_true(json_is_true(json_object_get(r.json, "supervisor")));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/me", "quarantine", NULL, NULL, &r), 200);
	assert_true(json_is_false(json_object_get(r.json, "supervisor")));
	loopback_result_free(&r);
	/* user administration is the admin's */
	static const char *const admin_only[][2] = {
		{"GET", "/v1/users/trader"},
		{"POST", "/v1/users/trader/enable"},
		{"POST", "/v1/users/trader/unlock"},
		{"DELETE", "/v1/users/trader/tokens"},
	};
	for (size_t i = 0; i < sizeof admin_only / sizeof admin_only[0]; i++) {
		assert_int_equal(test_call(env, admin_only[i][0], admin_only[i][1], "analyst", NULL,
					   NULL, &r),
				 403);
		loopback_result_free(&r);
	}
}

static void reading_the_audit_log(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	(void)test_token(env, "auditor"); /* its issue is audited: before ours */
	json_t *before = audit(env, "");
	size_t set_up = json_array_size(before); /* the demo's and the auditor's */
	json_decref(before);
	int64_t t0 = env->clock.fixed_us;
	assert_int_equal(login(env, "192.0.2.70", NULL, "customs", "customs-demo-2026", &r), 201);
	loopback_result_free(&r);
	advance(env, 60 * S);
	assert_int_equal(login(env, "192.0.2.71", NULL, "customs", "wrong-wrong-wrong", &r), 401);
	loopback_result_free(&r);
	advance(env, 60 * S);
	assert_int_equal(login(env, "192.0.2.72", NULL, "quarantine", "quarantine-demo-2026", &r),
			 201);
	loopback_result_free(&r);
	/* everything: the demo's set-up, the auditor's token, then ours */
	json_t *all = audit(env, "");
	assert_int_equal(json_array_size(all), set_up + 3);
	json_t *last = json_array_get(all, json_array_size(all) - 1);
	assert_string_equal(test_str(last, "action"), "session.created");
	assert_string_equal(test_str(last, "actor"), "quarantine");
	assert_string_equal(test_str(last, "actor_role"), "quarantine");
	assert_string_equal(test_str(last, "source"), "192.0.2.72");
	assert_int_equal(strlen(test_str(last, "hash")), 64);
	assert_string_equal(test_str(last, "prev_hash"),
			    test_str(json_array_get(all, json_array_size(all) - 2), "hash"));
	assert_string_equal(test_str(last, "key_id"), env->app.svc.key_id);
	json_int_t last_id = json_integer_value(json_object_get(last, "id"));
	assert_int_equal(last_id, (json_int_t)(set_up + 3));
	/* the head is the last row, signed */
	assert_int_equal(test_call(env, "GET", "/v1/audit/head", "auditor", NULL, NULL, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "last_id")), last_id);
	assert_string_equal(test_str(r.json, "hash"), test_str(last, "hash"));
	assert_string_equal(test_str(r.json, "signature"), test_str(last, "signature"));
	loopback_result_free(&r);
	json_decref(all);
	/* by actor, by exact action and by prefix, by target, by time */
	json_t *l = audit(env, "actor=customs");
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
	l = audit(env, "action=session.*");
	assert_int_equal(json_array_size(l), 3);
	json_decref(l);
	l = audit(env, "action=session.failed");
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(test_str(json_array_get(l, 0), "target"), "customs");
	json_decref(l);
	l = audit(env, "action=organisation.created&target=11440000MB2C7CU516");
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(test_str(json_array_get(l, 0), "actor"), "kouan-demo");
	json_decref(l);
	char q[160], from[TIME_TEXT_SIZE], to[TIME_TEXT_SIZE];
	ktime_format(t0 + 30 * S, from);
	ktime_format(t0 + 90 * S, to);
	snprintf(q, sizeof q, "from=%s&to=%s", from, to);
	l = audit(env, q);
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(test_str(json_array_get(l, 0), "action"), "session.failed");
	json_decref(l);
	/* pages: two at a time from the start, by cursor */
	assert_int_equal(test_call(env, "GET", "/v1/audit?limit=2", "auditor", NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "records")), 2);
	assert_string_equal(test_str(r.json, "cursor"), "2");
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/audit?after=2&limit=2", "auditor", NULL, NULL,
				   &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(r.json, "records"), 0), "id")),
			 3);
	loopback_result_free(&r);
	char past_last[64], last_text[24];
	snprintf(last_text, sizeof last_text, "%lld", (long long)last_id);
	snprintf(past_last, sizeof past_last, "/v1/audit?after=%s", last_text);
	assert_int_equal(test_call(env, "GET", past_last, "auditor", NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "records")), 0);
	assert_string_equal(test_str(r.json, "cursor"), last_text);
	loopback_result_free(&r);
	/* bad filters name their parameter */
	static const char *const bad[][2] = {
		{"/v1/audit?from=yesterday", "query:from"},
		{"/v1/audit?to=2026-13-01T00:00:00Z", "query:to"},
		{"/v1/audit?limit=0", "query:limit"},
		{"/v1/audit?limit=1001", "query:limit"},
		{"/v1/audit?after=-1", "query:after"},
		{"/v1/audit?actor=", "query:actor"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(test_call(env, "GET", bad[i][0], "auditor", NULL, NULL, &r), 400);
		assert_true(test_has_error(r.json, bad[i][1], NULL));
		loopback_result_free(&r);
	}
}

static void client_address_through_trusted_proxies(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	char bad[64];
	assert_true(netaddr_list_parse("10.0.0.0/8, ::1", &env->app.limits.trusted_proxies, bad,
				       sizeof bad));
	static const struct {
		const char *remote, *xff, *source;
	} cases[] = {
		/* a trusted proxy: the nearest address that is not a proxy */
		{"10.1.2.3", "203.0.113.5", "203.0.113.5"},
		{"10.1.2.3", "203.0.113.5, 10.9.9.9", "203.0.113.5"},
		/* what the client wrote itself, on the left, is not believed */
		{"10.1.2.3", "1.2.3.4, 203.0.113.5", "203.0.113.5"},
		{"::1", "2001:db8::7", "2001:db8::7"},
		{"::ffff:10.1.2.3", "203.0.113.6", "203.0.113.6"},
		/* garbage in the header: the last address believed stands */
		{"10.1.2.3", "unknown", "10.1.2.3"},
		{"10.1.2.3", "203.0.113.5, bogus, 10.9.9.9", "10.9.9.9"},
		/* not a trusted proxy: the header is ignored */
		{"198.51.100.1", "203.0.113.5", "198.51.100.1"},
		{"198.51.100.1", NULL, "198.51.100.1"},
		{"10.1.2.3", NULL, "10.1.2.3"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(login(env, cases[i].remote, cases[i].xff, "border",
				       "border-demo-2026", &r),
				 201);
		loopback_result_free(&r);
		json_t *l = audit(env, "action=session.created&actor=border");
		json_t *rec = json_array_get(l, json_array_size(l) - 1);
		if (strcmp(test_str(rec, "source"), cases[i].source) != 0)
			print_error("%s via %s: %s\n", cases[i].xff ? cases[i].xff : "-",
				    cases[i].remote, test_str(rec, "source"));
		assert_string_equal(test_str(rec, "source"), cases[i].source);
		json_decref(l);
	}
}

/* A login asks to run apart only when a thread of the apart pool is idle
 * (its hashes have their own bound, which must not queue behind anything),
 * before it reads the password; run apart, it logs in. */
static void a_login_runs_apart_only_to_an_idle_thread(void **state)
{
	struct test_env *env = *state;
	const char *body = "{\"username\":\"broker\",\"password\":\"broker-demo-2026\"}";
	struct http_response resp;
	test_dispatch(env, "POST", "/v1/sessions", NULL, body, NULL, false, &resp);
	assert_true(resp.run_apart);
	assert_true(resp.apart_if_idle);
	assert_int_equal(resp.body.len, 0);
	http_response_free(&resp);
	test_dispatch(env, "POST", "/v1/sessions", NULL, body, NULL, true, &resp);
	assert_false(resp.run_apart);
	assert_int_equal(resp.status, 201);
	http_response_free(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hundred_wrong_passwords_are_throttled_then_locked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(the_answers_of_a_throttled_login, setup, teardown),
		cmocka_unit_test_setup_teardown(stopping_an_account, setup, teardown),
		cmocka_unit_test_setup_teardown(roles_that_do_not_fit_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(who_may_call_what, setup, teardown),
		cmocka_unit_test_setup_teardown(reading_the_audit_log, setup, teardown),
		cmocka_unit_test_setup_teardown(a_login_runs_apart_only_to_an_idle_thread, setup,
						teardown),
		cmocka_unit_test_setup_teardown(client_address_through_trusted_proxies, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
