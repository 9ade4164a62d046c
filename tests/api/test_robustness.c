/*
 * test_robustness.c - no input may crash the server, leak or corrupt data.
 * Thousands of mutated requests (flipped bytes, truncations, swapped JSON
 * types, huge numbers, deep nesting, odd paths and headers) go through the
 * router; every answer must be one of the statuses the API documents, with
 * a well-formed body, and the store must stay consistent. Run under ASan
 * and UBSan, this is where memory errors would show. The mutations are
 * drawn from a fixed seed, so a failure replays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

static uint64_t rng_state = 0x6b6f75616eULL; /* "kouan" */

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static bool documented(int status)
{
	static const int ok[] = {200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 428, 429};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (ok[i] == status)
			return true;
	return false;
}

static void check_answer(const struct loopback_result *r, const char *what)
{
	/* the browser interface answers its page in HTML (tests/api/test_web.c) */
	bool page = r->status == 200 && web_owns(what);
	if (!documented(r->status) || (r->text[0] && !r->json && !page))
		print_error("%s -> %d %s\n", what, r->status, r->text);
	assert_true(documented(r->status));
	if (r->text[0] && !page)
		assert_non_null(r->json);
	if (r->status >= 400)
		assert_non_null(json_object_get(r->json, "type"));
}

/* Replace a random value somewhere in the tree with a value of another kind. */
static void swap_random_value(json_t *v, int depth)
{
	static const char *const odd[] = {
		"null", "true", "-1", "0", "1e308", "-9223372036854775809",
		"18446744073709551616", "\"\"", "\"\\u0000\"", "[]", "{}",
		"\"0808100000\"", "\"-0.00\"", "\"99999999999999999999.9\"",
		"\"\\ud83d\\ude00\"", "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]",
		"\"COSU8001236\"", "\"91440101MA59TRAD00\"", "3.14159"};
	json_t *pick = json_loads(odd[rnd() % (sizeof odd / sizeof odd[0])],
				  JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (json_is_object(v) && json_object_size(v)) {
		size_t k = rnd() % json_object_size(v), i = 0;
		const char *key;
		json_t *child;
		json_object_foreach(v, key, child)
		{
			if (i++ != k)
				continue;
			if (depth < 3 && (json_is_object(child) || json_is_array(child)) && rnd() % 2) {
				swap_random_value(child, depth + 1);
				json_decref(pick);
			} else {
				json_object_set_new(v, key, pick);
			}
			return;
		}
	} else if (json_is_array(v) && json_array_size(v)) {
		size_t k = rnd() % json_array_size(v);
		json_t *child = json_array_get(v, k);
		if (depth < 3 && (json_is_object(child) || json_is_array(child)) && rnd() % 2) {
			swap_random_value(child, depth + 1);
			json_decref(pick);
		} else {
			json_array_set_new(v, k, pick);
		}
		return;
	}
	json_decref(pick);
}

static void mutated_declarations(void **state)
{
	struct test_env *env = *state;
	int64_t before = test_count(env, "declarations");
	int created = 0;
	for (int i = 0; i < 3000; i++) {
		json_t *d = test_consignment();
		int swaps = 1 + (int)(rnd() % 3);
		for (int s = 0; s < swaps; s++)
			swap_random_value(d, 0);
		char *body = json_dumps(d, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(d);
		size_t len = strlen(body);
		/* sometimes damage the bytes too */
		switch (rnd() % 4) {
		case 0:
			if (len)
				body[rnd() % len] = (char)(rnd() % 256 ? rnd() % 256 : 1);
			break;
		case 1:
			len = len ? rnd() % len : 0;
			body[len] = '\0';
			break;
		default:
			break;
		}
		char key[32];
		snprintf(key, sizeof key, "fuzz-%d", i);
		struct loopback_call call = {.method = "POST", .path = "/v1/declarations",
					     .token = test_token(env, "trader"), .body = body,
					     .body_len = len ? len : 1, .idempotency_key = key};
		struct loopback_result r;
		api_loopback(&env->app, &call, &r);
		check_answer(&r, body);
		if (r.status == 201)
			created++;
		loopback_result_free(&r);
		free(body);
	}
	assert_int_equal(test_count(env, "declarations"), before + created);
}

static void odd_paths_queries_and_headers(void **state)
{
	struct test_env *env = *state;
	static const char *const paths[] = {
		"/", "", "//", "/v1", "/v1/", "/v1/declarations/", "/v1/declarations//events",
		"/v1/declarations/%00", "/v1/declarations/516720261000000001/tasks//decision",
		"/v1/declarations/516720261000000001/tasks/customs/decision/extra",
		"/v1/events?after=99999999999999999999", "/v1/events?after=-1",
		"/v1/events?limit=1000000000000000000000", "/v1/declarations?limit=abc",
		"/v1/declarations?status=", "/v1/tasks?agency=", "/v1/reference/ports/",
		"/v1/a/b/c/d/e/f/g/h/i/j/k/l", "/openapi.json?x=1",
	};
	static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"};
	char longpath[2048];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
		for (size_t p = 0; p <= sizeof paths / sizeof paths[0]; p++) {
			const char *path = p < sizeof paths / sizeof paths[0] ? paths[p] : longpath;
			struct loopback_call c = {.method = methods[m], .path = path,
						  .token = test_token(env, "admin"),
						  .body = "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}"};
			struct loopback_result r;
			api_loopback(&env->app, &c, &r);
			check_answer(&r, path);
			loopback_result_free(&r);
		}
	}
	/* odd Authorization headers */
	static const char *const tokens[] = {"", " ", "kt_", "Bearer", "kt_\xff\xfe",
					     "kt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
		struct loopback_call c = {.method = "GET", .path = "/v1/me", .token = tokens[i]};
		struct loopback_result r;
		api_loopback(&env->app, &c, &r);
		assert_int_equal(r.status, 401);
		loopback_result_free(&r);
	}
}

static void mutated_decisions_and_sessions(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char number[19], path[128];
	test_lodge(env, "trader", d, number);
	json_decref(d);
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/customs/decision", number);
	for (int i = 0; i < 500; i++) {
		json_t *b = json_pack("{s:s, s:s}", "decision", "return", "reason", "check the invoice");
		swap_random_value(b, 0);
		char *body = json_dumps(b, JSON_COMPACT);
		json_decref(b);
		struct loopback_result r;
		test_call(env, "POST", path, "customs", body, NULL, &r);
		check_answer(&r, body);
		loopback_result_free(&r);
		b = json_pack("{s:s, s:s}", "username", "trader", "password", "x");
		swap_random_value(b, 0);
		free(body);
		body = json_dumps(b, JSON_COMPACT);
		json_decref(b);
		test_call(env, "POST", "/v1/sessions", NULL, body, NULL, &r);
		check_answer(&r, body);
		/* wrong passwords in a row: throttled after the first five */
		assert_true(r.status == 400 || r.status == 401 || r.status == 429);
		if (r.status == 429)
			assert_true(r.retry_after >= 1);
		loopback_result_free(&r);
		free(body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mutated_declarations),
		cmocka_unit_test(odd_paths_queries_and_headers),
		cmocka_unit_test(mutated_decisions_and_sessions),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
