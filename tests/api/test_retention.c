/*
 * test_retention.c - the purge of what has outlived its use, on the manual
 * clock: tokens a day after they expired and idempotency records past
 * their seven-day window go, a small chunk per transaction, with
 * lodgements going on between chunks; live tokens, records within their
 * window and every declaration stay; a purged key is a new request again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "service/retention.h"

static int setup(void **state)
{
	struct test_env *env = test_env_new();
	env->clock.step_us = 0; /* time moves only when the test moves it */
	*state = env;
	return 0;
}

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

static int64_t tokens(struct test_env *env)
{
	static const struct sql_query q = {"SELECT COUNT(*) FROM tokens"};
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct store_stmt *st = store_query(c, &q, "");
	assert_non_null(st);
	assert_int_equal(stmt_step(st), STORE_ROW);
	int64_t n = stmt_int(st, 0);
	stmt_done(st);
	return n;
}

/* Lodge a fresh declaration with `token` under `key` (its body into
 * *body_out when asked); the status. */
static int lodge(struct test_env *env, const char *token, const char *key, char **body_out,
		 struct loopback_result *r)
{
	json_t *d = test_consignment_customs_only();
	test_fresh_consignment(d);
	json_object_set_new(d, "advance", json_true());
	char *body = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	struct loopback_call call = {.method = "POST", .path = "/v1/declarations",
				     .token = token, .body = body, .idempotency_key = key};
	api_loopback(&env->app, &call, r);
	if (body_out)
		*body_out = body;
	else
		free(body);
	return r->status;
}

static int me(struct test_env *env, const char *token)
{
	struct loopback_call call = {.method = "GET", .path = "/v1/me", .token = token};
	struct loopback_result r;
	api_loopback(&env->app, &call, &r);
	int status = r.status;
	loopback_result_free(&r);
	return status;
}

static void purged_in_chunks_while_lodging_goes_on(void **state)
{
	struct test_env *env = *state;
	char soon[3][TOKEN_TEXT_MAX], later[TOKEN_TEXT_MAX];
	for (int i = 0; i < 3; i++)
		test_new_token(env, "trader", 3600, soon[i]);
	test_new_token(env, "trader", 30 * 24 * 3600, later);
	/* five lodgements whose keys will pass their window */
	char *old_body = NULL;
	struct loopback_result r;
	for (int i = 0; i < 5; i++) {
		char key[16];
		snprintf(key, sizeof key, "old-%d", i);
		assert_int_equal(lodge(env, later, key, i ? NULL : &old_body, &r), 201);
		loopback_result_free(&r);
	}
	int64_t keys = test_count(env, "idempotency_keys"), toks = tokens(env);
	int64_t decls = test_count(env, "declarations");

	/* a week and a second later */
	env->clock.fixed_us += (int64_t)IDEMPOTENCY_WINDOW_S * 1000000 + 1000000;
	char *new_body = NULL;
	assert_int_equal(lodge(env, later, "new-0", &new_body, &r), 201);
	loopback_result_free(&r);
	/* every token but `later` had expired more than a day ago: the three,
	 * and the demo users' sessions the set-up made */
	struct retention_counts n = {0, 0};
	bool more;
	assert_int_equal(retention_purge_chunk(&env->app.svc, 2, &n, &more), KERR_OK);
	assert_int_equal(n.tokens, 2);
	assert_int_equal(n.idempotency, 2);
	assert_true(more);
	assert_int_equal(tokens(env), toks - 2);
	assert_int_equal(test_count(env, "idempotency_keys"), keys + 1 - 2);
	/* between two chunks a lodgement goes through */
	assert_int_equal(lodge(env, later, "between", NULL, &r), 201);
	loopback_result_free(&r);
	int rounds = 1;
	while (more) {
		assert_int_equal(retention_purge_chunk(&env->app.svc, 2, &n, &more), KERR_OK);
		rounds++;
	}
	assert_int_equal(n.idempotency, 5);
	assert_int_equal(test_count(env, "idempotency_keys"), keys + 2 - 5);
	assert_int_equal(tokens(env), 1); /* `later` alone */
	assert_int_equal(n.tokens, toks - 1);
	assert_true(rounds >= 3);
	assert_int_equal(me(env, later), 200);
	assert_int_equal(me(env, soon[0]), 401);
	/* nothing of the declarations went */
	assert_int_equal(test_count(env, "declarations"), decls + 2);

	/* a key within its window still replays */
	struct loopback_call again = {.method = "POST", .path = "/v1/declarations",
				      .token = later, .body = new_body,
				      .idempotency_key = "new-0"};
	api_loopback(&env->app, &again, &r);
	assert_int_equal(r.status, 201);
	assert_true(r.replayed);
	loopback_result_free(&r);
	/* a purged key is a new request: the same consignment, already
	 * claimed by the first declaration, is not lodged twice */
	struct loopback_call old = {.method = "POST", .path = "/v1/declarations",
				    .token = later, .body = old_body,
				    .idempotency_key = "old-0"};
	api_loopback(&env->app, &old, &r);
	assert_false(r.replayed);
	assert_int_equal(r.status, 409);
	loopback_result_free(&r);
	assert_int_equal(test_count(env, "declarations"), decls + 2);

	/* nothing left to purge */
	struct retention_counts none = {0, 0};
	assert_int_equal(retention_purge_chunk(&env->app.svc, 2, &none, &more), KERR_OK);
	assert_int_equal(none.tokens + none.idempotency, 0);
	assert_false(more);
	free(old_body);
	free(new_body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(purged_in_chunks_while_lodging_goes_on),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
