/*
 * test_lodging.c - lodging declarations through the router: numbering,
 * tasks opened in parallel, timeline, idempotency, and every kind of bad
 * input, each answered with its status and the exact field, leaving no
 * trace in the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "common/buf.h"
#include "domain/declaration.h"
#include "store/store.h"

static void lodge_opens_one_task_per_agency(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char *body = json_dumps(d, JSON_COMPACT);
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body,
				   "k-lodge-1", &r),
			 201);
	const char *number = json_string_value(json_object_get(r.json, "number"));
	assert_non_null(number);
	assert_true(declaration_number_valid(number));
	/* office 5167, year 2026, import flag 1 */
	assert_memory_equal(number, "516720261", 9);
	char location[64];
	snprintf(location, sizeof location, "/v1/declarations/%s", number);
	assert_string_equal(r.location, location);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "accepted");
	assert_string_equal(test_task_status(r.json, "customs"), "open");
	assert_string_equal(test_task_status(r.json, "quarantine"), "open");
	assert_null(test_task_status(r.json, "border"));
	assert_int_equal(json_array_size(json_object_get(r.json, "tasks")), 2);
	/* 18000 x 1.85 + 10 x 389.5 = 33300.00 + 3895.00 */
	json_t *totals = json_object_get(r.json, "totals");
	assert_string_equal(json_string_value(json_object_get(totals, "goods_value")), "37195.00");
	assert_string_equal(json_string_value(json_object_get(totals, "currency")), "USD");

	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	struct loopback_result ev;
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &ev), 200);
	json_t *events = json_object_get(ev.json, "events");
	/* no manifest has its bill yet: accepted, and waiting for the line */
	static const char *const want[] = {"declaration.lodged", "declaration.accepted",
					   "task.opened", "task.opened",
					   "declaration.awaiting_manifest", "duties.assessed",
					   "declaration.assessed"};
	assert_int_equal(json_array_size(events), 7);
	const char *prev = "";
	for (size_t i = 0; i < 7; i++) {
		json_t *e = json_array_get(events, i);
		assert_string_equal(json_string_value(json_object_get(e, "type")), want[i]);
		const char *at = json_string_value(json_object_get(e, "at"));
		int64_t us;
		assert_true(ktime_parse(at, &us));
		assert_true(strcmp(prev, at) <= 0);
		prev = at;
	}
	/* duties are due in yuan, though the invoice is in dollars */
	json_t *duties = json_object_get(json_array_get(events, 5), "data");
	assert_string_equal(json_string_value(json_object_get(duties, "currency")), "CNY");
	assert_non_null(json_string_value(json_object_get(duties, "total_due")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(events, 0), "actor")),
			    "trader");
	assert_string_equal(json_string_value(json_object_get(json_array_get(events, 1), "actor")),
			    "kouan");
	loopback_result_free(&ev);
	loopback_result_free(&r);
	free(body);
	json_decref(d);
}

static int64_t sequence_of(const char *number)
{
	return strtoll(number + 9, NULL, 10);
}

static void numbers_are_sequential_per_office_year_direction(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "declaration_office", json_string("5141"));
	char a[19], b[19], c[19], x[19];
	test_lodge(env, "trader", d, a);
	test_fresh_consignment(d); /* three consignments */
	test_lodge(env, "trader", d, b);
	test_fresh_consignment(d);
	test_lodge(env, "trader", d, c);
	assert_int_equal(sequence_of(b), sequence_of(a) + 1);
	assert_int_equal(sequence_of(c), sequence_of(b) + 1);
	assert_memory_equal(a, "514120261", 9);
	/* an export from the same office has its own sequence, from 1 */
	json_t *e = test_consignment_customs_only();
	json_object_set_new(e, "declaration_office", json_string("5141"));
	json_object_set_new(e, "direction", json_string("export"));
	json_object_del(e, "departure_country");
	json_object_del(e, "entry_port");
	json_object_set_new(e, "destination_country", json_string("US"));
	json_object_set_new(e, "exit_port", json_string("CNNSA"));
	test_lodge(env, "trader", e, x);
	assert_memory_equal(x, "514120260000000001", 18);
	json_decref(d);
	json_decref(e);
}

static void idempotency_replays_and_conflicts(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char *body = json_dumps(d, JSON_COMPACT);
	/* same content, keys in another order and spacing: the same body */
	char *body2 = json_dumps(d, JSON_INDENT(2) | JSON_SORT_KEYS);
	struct loopback_result r1, r2, r3;
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, "idem-1", &r1), 201);
	assert_false(r1.replayed);
	int64_t before = test_count(env, "declarations");
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body2, "idem-1", &r2), 201);
	assert_true(r2.replayed);
	assert_string_equal(r1.text, r2.text);
	assert_int_equal(test_count(env, "declarations"), before);
	/* a replay takes no number: the next declaration gets the next one */
	char next[19];
	json_t *other = test_consignment();
	test_lodge(env, "trader", other, next);
	json_decref(other);
	assert_int_equal(sequence_of(next),
			 sequence_of(json_string_value(json_object_get(r1.json, "number"))) + 1);
	before++;

	json_object_set_new(d, "bill_of_lading", json_string("OTHER-BL-1"));
	char *changed = json_dumps(d, JSON_COMPACT);
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", changed, "idem-1", &r3), 409);
	assert_true(test_has_error(r3.json, "header:Idempotency-Key", "different body"));
	assert_int_equal(test_count(env, "declarations"), before);
	loopback_result_free(&r3);

	/* keys are per organisation: another organisation may use the same key
	 * (for its own consignment) */
	test_fresh_consignment(d);
	json_object_set_new(d, "declarant_uscc", json_string("91440115MA5CBR0K1D"));
	json_object_set_new(d, "consignee_uscc", json_string("91440115MA5CBR0K1D"));
	free(changed);
	changed = json_dumps(d, JSON_COMPACT);
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "broker", changed, "idem-1", &r3), 201);
	assert_int_equal(test_count(env, "declarations"), before + 1);

	loopback_result_free(&r1);
	loopback_result_free(&r2);
	loopback_result_free(&r3);
	free(body);
	free(body2);
	free(changed);
	json_decref(d);
}

/* Reading timelines over and over costs no new parse and plan: SQLite once
 * prepared the timeline's query again at every run, because a partial
 * index's condition (declaration_number = '') was weighed against the
 * number bound. */
static void timelines_do_not_prepare_their_query_again(void **state)
{
	struct test_env *env = *state;
	if (strcmp(env->store->backend, "sqlite") != 0) {
		printf("# %s does not prepare a statement again by itself\n", env->store->backend);
		skip();
	}
	char numbers[3][DECL_NUMBER_SIZE];
	json_t *d = test_consignment();
	for (int i = 0; i < 3; i++) {
		test_fresh_consignment(d);
		test_lodge(env, "trader", d, numbers[i]);
	}
	json_decref(d);
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	int64_t before = 0;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 3; i++) {
			char path[96];
			snprintf(path, sizeof path, "/v1/declarations/%s/events", numbers[i]);
			struct loopback_result ev;
			assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &ev),
					 200);
			assert_true(json_array_size(json_object_get(ev.json, "events")) > 0);
			loopback_result_free(&ev);
		}
		/* the first round prepares what it needs; the others reuse it */
		if (round == 0)
			before = store_prepared_again(c);
	}
	assert_int_equal(store_prepared_again(c), before);
}

/* The stored record of a key: its number and the length of what it keeps. */
static int64_t idem_record(struct test_env *env, const char *key, char number[DECL_NUMBER_SIZE])
{
	/* the number is kept as its value (migration 0017) */
	static const struct sql_query q = {
		"SELECT substr(CAST(1000000000000000000 + number AS TEXT), 2), length(response)"
		" FROM idempotency_keys WHERE key = ?"};
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct store_stmt *st = store_query(c, &q, "s", key);
	assert_non_null(st);
	assert_int_equal(stmt_step(st), STORE_ROW);
	str_copy(number, stmt_is_null(st, 0) ? "" : stmt_text(st, 0), DECL_NUMBER_SIZE);
	int64_t n = stmt_int(st, 1);
	stmt_done(st);
	return n;
}

/* A replay is rebuilt from the declaration and the small record, and is the
 * first answer byte for byte, even after the declaration was corrected and
 * its task decided. */
static void idempotency_replay_rebuilds_the_first_answer(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment_customs_only();
	test_manifest_line(env, d);
	/* keys in the client's order, with spaces: the answer shows the body
	 * as stored (canonical), as every later read does */
	char *body = json_dumps(d, JSON_INDENT(1));
	struct loopback_result r1, r2, g;
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, "idem-rebuilt", &r1), 201);
	const char *number = json_string_value(json_object_get(r1.json, "number"));
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &g), 200);
	assert_true(json_equal(json_object_get(g.json, "declaration"),
			       json_object_get(r1.json, "declaration")));
	char *canonical = json_canonical(json_object_get(g.json, "declaration"));
	assert_non_null(strstr(r1.text, canonical));
	free(canonical);
	loopback_result_free(&g);

	/* the record names the declaration and keeps far less than the answer:
	 * no copy of the body */
	char kept[DECL_NUMBER_SIZE];
	int64_t kept_len = idem_record(env, "idem-rebuilt", kept);
	assert_string_equal(kept, number);
	assert_true(kept_len > 0);
	assert_true((size_t)kept_len * 3 < strlen(r1.text));

	/* the declaration moves on: returned by customs, corrected (version 2) */
	char decide[96];
	snprintf(decide, sizeof decide, "/v1/declarations/%s/tasks/customs/decision", number);
	json_decref(test_expect(env, "POST", decide, "customs",
				"{\"decision\":\"return\",\"reason\":\"remarks missing\"}", 200));
	json_object_set_new(d, "remarks", json_string("corrected after the first answer"));
	char *corrected = json_dumps(d, JSON_COMPACT);
	json_decref(test_expect(env, "PUT", path, "trader", corrected, 200));
	json_t *now = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(now, "version")), 2);
	assert_string_not_equal(json_string_value(json_object_get(now, "updated_at")),
				json_string_value(json_object_get(r1.json, "updated_at")));
	json_decref(now);

	/* the replay is still the first answer, byte for byte */
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, "idem-rebuilt", &r2), 201);
	assert_true(r2.replayed);
	assert_string_equal(r2.text, r1.text);
	assert_string_equal(r2.location, path);
	assert_int_equal(json_integer_value(json_object_get(r2.json, "version")), 1);
	assert_string_equal(test_task_status(r2.json, "customs"), "open");

	loopback_result_free(&r1);
	loopback_result_free(&r2);
	free(corrected);
	free(body);
	json_decref(d);
}

static void idempotency_key_is_required_and_checked(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char *body = json_dumps(d, JSON_COMPACT);
	struct loopback_result r;
	int64_t before = test_count(env, "declarations");
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, NULL, &r), 428);
	assert_true(test_has_error(r.json, "header:Idempotency-Key", "send an Idempotency-Key"));
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body,
				   "has a space", &r), 400);
	assert_true(test_has_error(r.json, "header:Idempotency-Key", "printable"));
	loopback_result_free(&r);
	char longkey[200];
	memset(longkey, 'k', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = '\0';
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, longkey, &r), 400);
	loopback_result_free(&r);
	assert_int_equal(test_count(env, "declarations"), before);
	free(body);
	json_decref(d);
}

/* One bad input: a change to the valid declaration, or a raw body. */
struct bad_case {
	const char *name;
	const char *set_path;  /* "items/0/quantity": object keys and array indexes */
	const char *set_json;  /* the value to put there (JSON), NULL: delete */
	const char *raw;       /* a raw body instead */
	int status;
	const char *field;
	const char *needle;
};

static const struct bad_case bad_cases[] = {
	{"malformed JSON", NULL, NULL, "{\"direction\": \"import\",", 400, "", "malformed JSON"},
	{"duplicate keys", NULL, NULL, "{\"direction\":\"import\",\"direction\":\"export\"}", 400, "",
	 "the same member twice"},
	{"not an object", NULL, NULL, "[1,2,3]", 400, "", "JSON object"},
	{"unknown field", "colour", "\"red\"", NULL, 400, "/colour", "unknown field"},
	{"unknown item field", "items/0/colour", "\"red\"", NULL, 400, "/items/0/colour", "unknown field"},
	{"missing currency", "currency", NULL, NULL, 400, "/currency", "is required"},
	{"missing items", "items", NULL, NULL, 400, "/items", "is required"},
	{"no items", "items", "[]", NULL, 400, "/items", "at least one"},
	{"mistyped packages", "packages", "\"1800\"", NULL, 400, "/packages", "whole number"},
	{"mistyped conveyance", "conveyance", "\"COSCO\"", NULL, 400, "/conveyance", "must be an object"},
	{"mistyped items", "items", "{}", NULL, 400, "/items", "must be an array"},
	{"mistyped advance", "advance", "\"yes\"", NULL, 400, "/advance", "true or false"},
	{"mistyped description", "items/1/description", "42", NULL, 400, "/items/1/description", "must be a string"},
	{"malformed HS", "items/1/hs_code", "\"84713\"", NULL, 400, "/items/1/hs_code", "10 digits"},
	{"HS with letters", "items/1/hs_code", "\"84713000AB\"", NULL, 400, "/items/1/hs_code", "digits"},
	{"HS not in table", "items/1/hs_code", "\"9999999999\"", NULL, 400, "/items/1/hs_code", "not in the commodity table"},
	{"bad USCC check", "consignee_uscc", "\"91440101MA59TRAD01\"", NULL, 400, "/consignee_uscc", "check"},
	{"bad USCC length", "consignee_uscc", "\"9144010\"", NULL, 400, "/consignee_uscc", "18"},
	{"bad IMO check", "conveyance/imo", "\"9321379\"", NULL, 400, "/conveyance/imo", "check"},
	{"IMO missing by water", "conveyance/imo", NULL, NULL, 400, "/conveyance/imo", "is required"},
	{"bad container check", "containers/1", "\"CSQU3054384\"", NULL, 400, "/containers/1", "check"},
	{"bad container category", "containers/0", "\"COSX8001236\"", NULL, 400, "/containers/0", "category"},
	{"repeated container", "containers/1", NULL, NULL, 400, "/containers/1", "repeats"},
	{"unknown country", "trading_country", "\"XX\"", NULL, 400, "/trading_country", "not a known"},
	{"unknown origin", "items/0/origin_country", "\"ZZ\"", NULL, 400, "/items/0/origin_country", "not a known"},
	{"unknown currency", "currency", "\"XYZ\"", NULL, 400, "/currency", "ISO 4217"},
	{"unknown port", "entry_port", "\"CNXXX\"", NULL, 400, "/entry_port", "UN/LOCODE"},
	{"unknown office", "declaration_office", "\"9999\"", NULL, 400, "/declaration_office", "customs office"},
	{"unknown port office", "port_office", "\"0000\"", NULL, 400, "/port_office", "customs office"},
	{"unknown trade mode", "trade_mode", "\"0000\"", NULL, 400, "/trade_mode", "trade mode"},
	{"unknown unit", "items/0/unit", "\"999\"", NULL, 400, "/items/0/unit", "unit"},
	{"unknown document type", "documents/0/type", "\"napkin\"", NULL, 400, "/documents/0/type", "document type"},
	{"zero quantity", "items/0/quantity", "\"0\"", NULL, 400, "/items/0/quantity", "greater than zero"},
	{"negative quantity", "items/0/quantity", "\"-5\"", NULL, 400, "/items/0/quantity", "greater than zero"},
	{"zero price", "items/1/unit_price", "\"0.00\"", NULL, 400, "/items/1/unit_price", "greater than zero"},
	{"negative price", "items/1/unit_price", "\"-389.5\"", NULL, 400, "/items/1/unit_price", "greater than zero"},
	{"price as a number", "items/1/unit_price", "389.5", NULL, 400, "/items/1/unit_price", "decimal string"},
	{"freight as a number", "freight", "12.5", NULL, 400, "/freight", "decimal string"},
	{"negative freight", "freight", "\"-1\"", NULL, 400, "/freight", "negative"},
	{"price too precise", "items/1/unit_price", "\"1.23456\"", NULL, 400, "/items/1/unit_price", "more than 4"},
	{"price in exponent form", "items/1/unit_price", "\"1e3\"", NULL, 400, "/items/1/unit_price", "not a decimal"},
	{"wrong direction", "direction", "\"sideways\"", NULL, 400, "/direction", "import"},
	{"export field on import", "destination_country", "\"US\"", NULL, 400, "/destination_country", "only accepted on export"},
	{"someone else's USCC", "declarant_uscc", "\"91440300MA5E0THR7G\"", NULL, 400, "/declarant_uscc", "your organisation"},
	{"control character", "items/0/description", "\"apples\\u0007\"", NULL, 400, "/items/0/description", "control"},
	{"description too long", "items/0/description", NULL, NULL, 400, "/items/0/description", "at most 255"},
	{"bill of lading with spaces", "bill_of_lading", "\"AB 12\"", NULL, 400, "/bill_of_lading", "letters, digits"},
	/* consistency through the reference data (issue 9) */
	{"port office elsewhere", "port_office", "\"5301\"", NULL, 400, "/port_office",
	 "customs office 5301 (Huanggang Customs) does not serve the entry port CNNSA"},
	{"unit not legal", "items/0/unit", "\"007\"", NULL, 400, "/items/0/unit",
	 "007 (Piece) is not a legal unit of commodity 0808100000 (Apples, fresh); declare the "
	 "quantity in 035 (Kilogram)"},
	{"split without of", "split", "{\"part\":1}", NULL, 400, "/split/of", "is required"},
	{"split of one", "split", "{\"part\":1,\"of\":1}", NULL, 400, "/split/of", "from 2 to 99"},
	{"direct loading of an import", "flow", "\"direct_loading\"", NULL, 400, "/flow",
	 "direct loading (抵港直装) is for exports"},
	{"unknown flow", "flow", "\"express\"", NULL, 400, "/flow", "direct_pickup"},
};

/* Set or delete a value at a slash path in d. */
static void apply(json_t *d, const char *path, json_t *value)
{
	char buf[128];
	str_copy(buf, path, sizeof buf);
	json_t *cur = d;
	char *save = NULL, *tok = strtok_r(buf, "/", &save);
	while (tok) {
		char *next = strtok_r(NULL, "/", &save);
		bool index = tok[0] >= '0' && tok[0] <= '9';
		if (!next) {
			if (index) {
				if (value)
					json_array_set_new(cur, strtoul(tok, NULL, 10), value);
				else
					json_array_remove(cur, strtoul(tok, NULL, 10));
			} else if (value) {
				json_object_set_new(cur, tok, value);
			} else {
				json_object_del(cur, tok);
			}
			return;
		}
		cur = index ? json_array_get(cur, strtoul(tok, NULL, 10)) : json_object_get(cur, tok);
		tok = next;
	}
}

static void every_bad_input_names_its_field_and_leaves_no_trace(void **state)
{
	struct test_env *env = *state;
	int64_t decl = test_count(env, "declarations"), ev = test_count(env, "events"),
		tasks = test_count(env, "tasks"), idem = test_count(env, "idempotency_keys"),
		seq = test_count(env, "number_sequences");
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		char *body;
		if (c->raw) {
			body = strdup(c->raw);
		} else {
			json_t *d = test_consignment();
			json_t *v = NULL;
			if (c->set_json) {
				v = json_loads(c->set_json, JSON_DECODE_ANY, NULL);
				assert_non_null(v);
			} else if (!strcmp(c->name, "repeated container")) {
				v = json_copy(json_array_get(json_object_get(d, "containers"), 0));
			} else if (!strcmp(c->name, "description too long")) {
				char text[300];
				memset(text, 'a', 299);
				text[299] = '\0';
				v = json_string(text);
			}
			apply(d, c->set_path, v);
			body = json_dumps(d, JSON_COMPACT);
			json_decref(d);
		}
		char key[32];
		snprintf(key, sizeof key, "bad-%zu", i);
		struct loopback_result r;
		int status = test_call(env, "POST", "/v1/declarations", "trader", body, key, &r);
		if (status != c->status || !test_has_error(r.json, c->field, c->needle))
			print_error("case '%s': got %d %s\n", c->name, status, r.text);
		assert_int_equal(status, c->status);
		assert_true(test_has_error(r.json, c->field, c->needle));
		assert_string_equal(json_string_value(json_object_get(r.json, "type")),
				    "urn:kouan:problem:invalid-request");
		loopback_result_free(&r);
		free(body);
	}
	assert_int_equal(test_count(env, "declarations"), decl);
	assert_int_equal(test_count(env, "events"), ev);
	assert_int_equal(test_count(env, "tasks"), tasks);
	assert_int_equal(test_count(env, "idempotency_keys"), idem);
	assert_int_equal(test_count(env, "number_sequences"), seq);
}

static void more_than_fifty_items_refused(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	json_t *items = json_object_get(d, "items");
	json_t *one = json_array_get(items, 1);
	while (json_array_size(items) < 51)
		json_array_append(items, one);
	char *body = json_dumps(d, JSON_COMPACT);
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, "many", &r), 400);
	assert_true(test_has_error(r.json, "/items", "at most 50"));
	loopback_result_free(&r);
	/* exactly fifty is fine */
	json_array_remove(items, 50);
	free(body);
	body = json_dumps(d, JSON_COMPACT);
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader", body, "fifty", &r), 201);
	loopback_result_free(&r);
	free(body);
	json_decref(d);
}

static void too_large_and_wrong_media_type(void **state)
{
	struct test_env *env = *state;
	json_t *d = test_consignment();
	char *body = json_dumps(d, JSON_COMPACT);
	struct loopback_call call = {.method = "POST", .path = "/v1/declarations",
				     .token = test_token(env, "trader"), .body = body,
				     .idempotency_key = "media-1",
				     .content_type = "text/plain"};
	struct loopback_result r;
	api_loopback(&env->app, &call, &r);
	assert_int_equal(r.status, 415);
	assert_string_equal(json_string_value(json_object_get(r.json, "type")),
			    "urn:kouan:problem:unsupported-media-type");
	loopback_result_free(&r);
	/* charset parameter accepted */
	call.content_type = "application/json; charset=utf-8";
	api_loopback(&env->app, &call, &r);
	assert_int_equal(r.status, 201);
	loopback_result_free(&r);
	/* a body over the limit */
	call.content_type = NULL;
	call.idempotency_key = "large-1";
	call.body_too_large = true;
	api_loopback(&env->app, &call, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "1048576"));
	loopback_result_free(&r);
	free(body);
	json_decref(d);
}

static void agencies_come_from_reference_data(void **state)
{
	struct test_env *env = *state;
	/* road transport: the border inspection acts too */
	json_t *d = test_consignment_customs_only();
	json_object_set_new(d, "transport_mode", json_string("4"));
	json_object_set_new(json_object_get(d, "conveyance"), "name", json_string("粤Z·H2286港"));
	json_object_del(json_object_get(d, "conveyance"), "imo");
	char number[19], path[64];
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &r), 200);
	assert_string_equal(test_task_status(r.json, "customs"), "open");
	assert_string_equal(test_task_status(r.json, "border"), "open");
	assert_null(test_task_status(r.json, "quarantine"));
	loopback_result_free(&r);
	json_decref(d);

	/* fuel oil by water: the maritime safety administration acts */
	d = test_consignment_customs_only();
	json_object_set_new(json_array_get(json_object_get(d, "items"), 0), "hs_code",
			    json_string("2710192200"));
	/* in its legal unit, the kilogram, which its consumption tax is per */
	json_object_set_new(json_array_get(json_object_get(d, "items"), 0), "unit",
			    json_string("035"));
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &r), 200);
	assert_string_equal(test_task_status(r.json, "maritime"), "open");
	assert_null(test_task_status(r.json, "quarantine"));
	loopback_result_free(&r);

	/* an admin adds quarantine to laptops: the next declaration gets it */
	struct loopback_result p;
	assert_int_equal(test_call(env, "PUT", "/v1/reference/commodities/8471300000", "admin",
				   "{\"name_en\":\"Portable computers\",\"name_zh\":\"便携式电脑\","
				   "\"unit\":\"001\",\"agencies\":[\"customs\",\"quarantine\"]}",
				   NULL, &p),
			 200);
	loopback_result_free(&p);
	json_decref(d);
	d = test_consignment_customs_only();
	test_lodge(env, "trader", d, number);
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	assert_int_equal(test_call(env, "GET", path, "trader", NULL, NULL, &r), 200);
	assert_string_equal(test_task_status(r.json, "quarantine"), "open");
	loopback_result_free(&r);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lodge_opens_one_task_per_agency),
		cmocka_unit_test(timelines_do_not_prepare_their_query_again),
		cmocka_unit_test(numbers_are_sequential_per_office_year_direction),
		cmocka_unit_test(idempotency_replays_and_conflicts),
		cmocka_unit_test(idempotency_replay_rebuilds_the_first_answer),
		cmocka_unit_test(idempotency_key_is_required_and_checked),
		cmocka_unit_test(every_bad_input_names_its_field_and_leaves_no_trace),
		cmocka_unit_test(more_than_fifty_items_refused),
		cmocka_unit_test(too_large_and_wrong_media_type),
		cmocka_unit_test(agencies_come_from_reference_data),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
