/*
 * test_batch.c - POST /v1/declarations/batch through the router: each item
 * answered on its own (its number, or its problem with pointers into the
 * batch's body), a refused item undoing only itself (its key, its number,
 * its events), replays per item, the envelope's every bad field, the
 * roles of lodging, and a batch sent to run apart from its connection's
 * worker before anything is done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "domain/declaration.h"

/* A declaration of a consignment of its own, manifested. */
static json_t *fresh(struct test_env *env)
{
	json_t *d = test_consignment_customs_only();
	test_fresh_consignment(d);
	test_manifest_line(env, d);
	return d;
}

static json_t *item(const char *key, json_t *decl)
{
	return json_pack("{s:s, s:O}", "idempotency_key", key, "declaration", decl);
}

/* POST the batch {"declarations": items} (taken) as `user`. */
static int batch(struct test_env *env, const char *user, json_t *items,
		 struct loopback_result *r)
{
	json_t *b = json_pack("{s:o}", "declarations", items);
	char *text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	int status = test_call(env, "POST", "/v1/declarations/batch", user, text, NULL, r);
	free(text);
	return status;
}

static json_t *result(const struct loopback_result *r, size_t i)
{
	return json_array_get(json_object_get(r->json, "results"), i);
}

static int64_t seq(const char *number)
{
	return strtoll(number + 9, NULL, 10);
}

static const char *num(const struct loopback_result *r, size_t i)
{
	return json_string_value(json_object_get(result(r, i), "number"));
}

static void each_item_answered_on_its_own(void **state)
{
	struct test_env *env = *state;
	json_t *a = fresh(env), *c = fresh(env), *bad = fresh(env);
	json_t *first = json_array_get(json_object_get(bad, "items"), 0);
	json_object_set_new(first, "hs_code", json_string("12"));
	int64_t decls = test_count(env, "declarations"), keys = test_count(env, "idempotency_keys");
	int64_t events = test_count(env, "events");

	struct loopback_result r;
	assert_int_equal(batch(env, "trader",
			       json_pack("[o, o, o, o]", item("b-1", a), item("b-2", bad),
					 item("b-3", a), item("b-4", c)),
			       &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "accepted")), 2);
	assert_int_equal(json_integer_value(json_object_get(r.json, "refused")), 2);
	/* 0: lodged */
	assert_int_equal(json_integer_value(json_object_get(result(&r, 0), "index")), 0);
	assert_int_equal(json_integer_value(json_object_get(result(&r, 0), "status")), 201);
	assert_false(json_is_true(json_object_get(result(&r, 0), "replayed")));
	assert_true(declaration_number_valid(num(&r, 0)));
	/* 1: invalid, its field inside the batch's body */
	assert_int_equal(json_integer_value(json_object_get(result(&r, 1), "status")), 400);
	json_t *p1 = json_object_get(result(&r, 1), "problem");
	assert_true(test_has_error(p1, "/declarations/1/declaration/items/0/hs_code", "10 digits"));
	assert_string_equal(json_string_value(json_object_get(p1, "instance")),
			    "/v1/declarations/batch");
	assert_null(json_object_get(result(&r, 1), "number"));
	/* 2: the consignment of item 0 again, under another key: refused after
	 * its key was claimed and its number drawn; both undone */
	assert_int_equal(json_integer_value(json_object_get(result(&r, 2), "status")), 409);
	assert_null(json_object_get(result(&r, 2), "number"));
	/* 3: lodged, with the number after item 0's: item 2 took none */
	assert_int_equal(json_integer_value(json_object_get(result(&r, 3), "status")), 201);
	assert_int_equal(seq(num(&r, 3)), seq(num(&r, 0)) + 1);
	assert_int_equal(test_count(env, "declarations"), decls + 2);
	assert_int_equal(test_count(env, "idempotency_keys"), keys + 2);
	/* the refused items left no event */
	size_t lodged = test_count_events(env, num(&r, 0), "declaration.lodged", NULL);
	assert_int_equal(lodged, 1);
	int64_t after = test_count(env, "events");
	assert_true(after > events);

	/* the same batch again: the accepted items replay their numbers, the
	 * refused ones are checked again; nothing new is written */
	struct loopback_result again;
	assert_int_equal(batch(env, "trader",
			       json_pack("[o, o, o, o]", item("b-1", a), item("b-2", bad),
					 item("b-3", a), item("b-4", c)),
			       &again),
			 200);
	assert_true(json_is_true(json_object_get(result(&again, 0), "replayed")));
	assert_string_equal(num(&again, 0), num(&r, 0));
	assert_int_equal(json_integer_value(json_object_get(result(&again, 1), "status")), 400);
	assert_int_equal(json_integer_value(json_object_get(result(&again, 2), "status")), 409);
	assert_true(json_is_true(json_object_get(result(&again, 3), "replayed")));
	assert_string_equal(num(&again, 3), num(&r, 3));
	assert_int_equal(test_count(env, "declarations"), decls + 2);
	assert_int_equal(test_count(env, "events"), after);

	/* a key used with another declaration: 409 on the item's key */
	struct loopback_result k;
	assert_int_equal(batch(env, "trader", json_pack("[o]", item("b-1", c)), &k), 200);
	assert_int_equal(json_integer_value(json_object_get(result(&k, 0), "status")), 409);
	assert_true(test_has_error(json_object_get(result(&k, 0), "problem"),
				   "/declarations/0/idempotency_key", "different body"));

	/* a single lodgement with an item's key replays the item */
	char *body = json_dumps(a, JSON_COMPACT);
	struct loopback_result one;
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, "b-1", &one),
			 201);
	assert_true(one.replayed);
	assert_string_equal(json_string_value(json_object_get(one.json, "number")), num(&r, 0));
	free(body);

	/* the replays took no number (each drew one ahead of its key's claim
	 * and gave it back): the next declaration gets the one after item 3's */
	json_t *e = fresh(env);
	struct loopback_result next;
	assert_int_equal(batch(env, "trader", json_pack("[o]", item("b-5", e)), &next), 200);
	assert_int_equal(json_integer_value(json_object_get(result(&next, 0), "status")), 201);
	assert_int_equal(seq(num(&next, 0)), seq(num(&r, 3)) + 1);
	loopback_result_free(&next);
	json_decref(e);

	loopback_result_free(&r);
	loopback_result_free(&again);
	loopback_result_free(&k);
	loopback_result_free(&one);
	json_decref(a);
	json_decref(c);
	json_decref(bad);
}

static void a_bad_envelope_lodges_nothing(void **state)
{
	struct test_env *env = *state;
	int64_t decls = test_count(env, "declarations");
	struct loopback_result r;

	assert_int_equal(test_call(env, "POST", "/v1/declarations/batch", "trader", "{}", NULL, &r),
			 400);
	assert_true(test_has_error(r.json, "/declarations", "is required"));
	loopback_result_free(&r);

	assert_int_equal(batch(env, "trader", json_array(), &r), 400);
	assert_true(test_has_error(r.json, "/declarations", "1 to 100 items"));
	loopback_result_free(&r);

	json_t *d = fresh(env);
	json_t *many = json_array();
	for (int i = 0; i < 101; i++) {
		char key[16];
		snprintf(key, sizeof key, "many-%d", i);
		json_array_append_new(many, item(key, d));
	}
	assert_int_equal(batch(env, "trader", many, &r), 400);
	assert_true(test_has_error(r.json, "/declarations", "1 to 100 items"));
	loopback_result_free(&r);

	/* every bad item at once, and the good one is not lodged */
	json_t *extra = item("e-3", d);
	json_object_set_new(extra, "priority", json_string("high"));
	assert_int_equal(batch(env, "trader",
			       json_pack("[o, s, {s:O}, {s:s, s:s}, {s:s, s:O}, o]", item("e-0", d),
					 "not an item", "declaration", d, "idempotency_key",
					 "e 2", "declaration", "text", "idempotency_key", "",
					 "declaration", d, extra),
			       &r),
			 400);
	assert_true(test_has_error(r.json, "/declarations/1", "must be an object"));
	assert_true(test_has_error(r.json, "/declarations/2/idempotency_key", "printable ASCII"));
	assert_true(test_has_error(r.json, "/declarations/3/idempotency_key", "printable ASCII"));
	assert_true(test_has_error(r.json, "/declarations/3/declaration", "is required"));
	assert_true(test_has_error(r.json, "/declarations/4/idempotency_key", "1 to 128"));
	assert_true(test_has_error(r.json, "/declarations/5/priority", "not a field of an item"));
	loopback_result_free(&r);

	assert_int_equal(test_call(env, "POST", "/v1/declarations/batch", "trader",
				   "{\"declarations\":[],\"x\":1}", NULL, &r),
			 400);
	assert_true(test_has_error(r.json, "/x", ""));
	loopback_result_free(&r);
	assert_int_equal(test_count(env, "declarations"), decls);
	json_decref(d);
}

static void roles_as_for_lodging(void **state)
{
	struct test_env *env = *state;
	json_t *d = fresh(env);
	struct loopback_result r;
	assert_int_equal(batch(env, "customs", json_pack("[o]", item("r-1", d)), &r), 403);
	loopback_result_free(&r);
	assert_int_equal(batch(env, NULL, json_pack("[o]", item("r-1", d)), &r), 401);
	loopback_result_free(&r);
	assert_int_equal(batch(env, "broker", json_pack("[o]", item("r-1", d)), &r), 200);
	/* a broker lodges in its own name: the trader's declaration is refused
	 * as a single lodgement would be */
	assert_int_equal(json_integer_value(json_object_get(result(&r, 0), "status")), 400);
	assert_true(test_has_error(json_object_get(result(&r, 0), "problem"),
				   "/declarations/0/declaration/declarant_uscc",
				   "must be the USCC of your organisation"));
	loopback_result_free(&r);
	json_decref(d);
}

/* The router sends a batch to run apart (http.h) before it does anything:
 * nothing answered, nothing lodged; run apart, it lodges. A single
 * lodgement runs where it is. */
static void a_batch_runs_apart(void **state)
{
	struct test_env *env = *state;
	json_t *d = fresh(env);
	json_t *b = json_pack("{s:[o]}", "declarations", item("apart-1", d));
	char *text = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	struct http_response resp;
	test_dispatch(env, "POST", "/v1/declarations/batch", "trader", text, "batch-apart", false,
		      &resp);
	assert_true(resp.run_apart);
	assert_false(resp.apart_if_idle); /* a batch waits for a thread of the pool */
	assert_int_equal(resp.body.len, 0);
	http_response_free(&resp);
	/* run apart: its item is lodged now, not replayed (nothing was before) */
	test_dispatch(env, "POST", "/v1/declarations/batch", "trader", text, "batch-apart", true,
		      &resp);
	assert_false(resp.run_apart);
	assert_int_equal(resp.status, 200);
	char *answer = buf_take(&resp.body);
	json_t *a = json_loads(answer, 0, NULL);
	json_t *first = json_array_get(json_object_get(a, "results"), 0);
	assert_int_equal(json_integer_value(json_object_get(first, "status")), 201);
	assert_false(json_is_true(json_object_get(first, "replayed")));
	json_decref(a);
	free(answer);
	http_response_free(&resp);
	free(text);
	json_t *one = fresh(env);
	text = json_dumps(one, JSON_COMPACT);
	test_dispatch(env, "POST", "/v1/declarations", "trader", text, "single-here", false, &resp);
	assert_false(resp.run_apart);
	assert_int_equal(resp.status, 201);
	http_response_free(&resp);
	free(text);
	json_decref(one);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_item_answered_on_its_own),
		cmocka_unit_test(a_bad_envelope_lodges_nothing),
		cmocka_unit_test(roles_as_for_lodging),
		cmocka_unit_test(a_batch_runs_apart),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
