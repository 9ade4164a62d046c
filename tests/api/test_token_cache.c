/*
 * test_token_cache.c - the bearer-token cache never outlives what stops a
 * token: two servers (two applications with caches of their own) on one
 * database; a token used on both, so that both cache it, is refused on
 * both at once after a logout through one, after its user is disabled
 * through the other, after its user's tokens are revoked, and after it
 * expires by the clock; a token revoked outside both servers (as the
 * offline administration does) is refused too.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "service/accounts.h"
#include "store/repo_ingest.h"

struct two {
	struct test_env *env;
	struct store *store; /* a second server on the same database: */
	struct app other;    /* its own connections, its own cache */
};

static int setup(void **state)
{
	struct two *t = calloc(1, sizeof *t);
	t->env = test_env_new();
	t->env->clock.step_us = 0; /* time moves only when a test moves it */
	struct app_limits l;
	app_limits_default(&l);
	l.service.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
	l.service.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	char key[320];
	snprintf(key, sizeof key, "%s/release.key", t->env->dir);
	struct store_options so = {.url = t->env->db, .sync = STORE_SYNC_PROCESS};
	assert_int_equal(store_open(&so, &t->store), KERR_OK);
	assert_int_equal(app_init(&t->other, t->store, &t->env->clock, &l, key, false),
			 KERR_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct two *t = *state;
	app_free(&t->other);
	store_thread_release(); /* this thread may hold a connection to either */
	store_close(t->store);
	test_env_free(t->env);
	free(t);
	return 0;
}

/* GET /v1/me with `token` on `app`: the status. */
static int me(struct app *app, const char *token)
{
	struct loopback_call call = {.method = "GET", .path = "/v1/me", .token = token};
	struct loopback_result r;
	api_loopback(app, &call, &r);
	int status = r.status;
	loopback_result_free(&r);
	return status;
}

static int call_as(struct app *app, const char *method, const char *path, const char *token,
		   const char *body)
{
	struct loopback_call call = {.method = method, .path = path, .token = token,
				     .body = body};
	struct loopback_result r;
	api_loopback(app, &call, &r);
	int status = r.status;
	if (status >= 300)
		print_message("%s %s: %d %s\n", method, path, status, r.text);
	loopback_result_free(&r);
	return status;
}

static int64_t generation(struct test_env *env)
{
	struct store_conn *c;
	int64_t g;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	assert_int_equal(repo_auth_generation(c, &g), KERR_OK);
	return g;
}

/* Both servers have used the token: both have it cached. */
static void used_on_both(struct two *t, const char *token)
{
	for (int i = 0; i < 2; i++) {
		assert_int_equal(me(&t->env->app, token), 200);
		assert_int_equal(me(&t->other, token), 200);
	}
}

static void logout_on_one_stops_the_token_on_both(void **state)
{
	struct two *t = *state;
	char token[TOKEN_TEXT_MAX], other[TOKEN_TEXT_MAX];
	test_new_token(t->env, "trader", 3600, token);
	test_new_token(t->env, "trader", 3600, other);
	used_on_both(t, token);
	used_on_both(t, other);
	int64_t g = generation(t->env);
	/* reading tokens moves nothing */
	assert_int_equal(generation(t->env), g);
	assert_int_equal(call_as(&t->env->app, "DELETE", "/v1/sessions/current", token, NULL),
			 204);
	assert_int_equal(generation(t->env), g + 1);
	assert_int_equal(me(&t->other, token), 401);
	assert_int_equal(me(&t->env->app, token), 401);
	/* the user's other token is untouched: read again, cached again */
	used_on_both(t, other);
}

static void disabling_on_one_stops_the_token_on_both(void **state)
{
	struct two *t = *state;
	char token[TOKEN_TEXT_MAX];
	test_new_token(t->env, "broker", 3600, token);
	used_on_both(t, token);
	assert_int_equal(call_as(&t->other, "POST", "/v1/users/broker/disable",
				 test_token(t->env, "admin"),
				 "{\"reason\":\"audit of the broker account\"}"),
			 200);
	assert_int_equal(me(&t->env->app, token), 401);
	assert_int_equal(me(&t->other, token), 401);
	/* enabled again, the old token stays revoked everywhere */
	assert_int_equal(call_as(&t->env->app, "POST", "/v1/users/broker/enable",
				 test_token(t->env, "admin"), NULL),
			 200);
	assert_int_equal(me(&t->env->app, token), 401);
	assert_int_equal(me(&t->other, token), 401);
}

static void revoking_a_users_tokens_stops_them_on_both(void **state)
{
	struct two *t = *state;
	char token[TOKEN_TEXT_MAX];
	test_new_token(t->env, "customs", 3600, token);
	used_on_both(t, token);
	assert_int_equal(call_as(&t->env->app, "DELETE", "/v1/users/customs/tokens",
				 test_token(t->env, "admin"), NULL),
			 200);
	assert_int_equal(me(&t->other, token), 401);
	assert_int_equal(me(&t->env->app, token), 401);
}

/* a unit of work outside either server, as `kouan admin tokens-revoke`
 * runs on the database */
static void a_revocation_outside_both_servers_is_seen(void **state)
{
	struct two *t = *state;
	char token[TOKEN_TEXT_MAX];
	test_new_token(t->env, "maritime", 3600, token);
	used_on_both(t, token);
	/* as the offline administration does: the revocation and the
	 * generation in one transaction, on a connection of its own */
	struct uow u;
	struct store_conn *c;
	assert_int_equal(store_thread_conn(t->env->store, &c), KERR_OK);
	uow_init(&u, &t->env->app.svc, c, true);
	struct actor admin;
	test_actor(t->env, "admin", &admin);
	int64_t revoked = 0;
	struct refusal why;
	refusal_init(&why, NULL);
	assert_int_equal(accounts_tokens_revoke(&u, &admin, "maritime", &revoked, &why), KERR_OK);
	assert_int_equal(uow_commit(&u), KERR_OK);
	uow_free(&u);
	assert_int_equal(revoked, 1);
	assert_int_equal(me(&t->env->app, token), 401);
	assert_int_equal(me(&t->other, token), 401);
}

static void an_expired_token_is_refused_though_cached(void **state)
{
	struct two *t = *state;
	char token[TOKEN_TEXT_MAX];
	test_new_token(t->env, "quarantine", 60, token);
	used_on_both(t, token);
	t->env->clock.fixed_us += 59 * 1000000LL;
	used_on_both(t, token);
	t->env->clock.fixed_us += 1000000LL; /* the second it expires */
	assert_int_equal(me(&t->env->app, token), 401);
	assert_int_equal(me(&t->other, token), 401);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(logout_on_one_stops_the_token_on_both, setup,
						teardown),
		cmocka_unit_test_setup_teardown(disabling_on_one_stops_the_token_on_both, setup,
						teardown),
		cmocka_unit_test_setup_teardown(revoking_a_users_tokens_stops_them_on_both,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			a_revocation_outside_both_servers_is_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(an_expired_token_is_refused_though_cached, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
