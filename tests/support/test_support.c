/* test_support.c - shared helpers for the unit and API tests (see test_support.h). */
#include "test_support.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/accounts.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/codes.h"
#include "common/date.h"
#include "common/decimal.h"
#include "common/embedded.h"
#include "common/log.h"
#include "common/problems.h"
#include "domain/credentials.h"
#include "domain/refdata.h"
#include "domain/transport.h"
#include "server/demo.h"
#include "server/money_load.h"
#include "server/reference_load.h"

#define MAX_TOKENS 16

static struct {
	struct test_env *env;
	char user[32];
	char token[TOKEN_TEXT_MAX];
} tokens[MAX_TOKENS];
static size_t ntokens;

/* PostgreSQL runs: KOUAN_TEST_STORE=postgres and KOUAN_TEST_PG_STATE naming
 * the file scripts/pg-cluster.sh wrote (its first line is the URL with a %s
 * for the database name). Each environment gets a database of its own. */
static bool pg_mode(void)
{
	const char *s = getenv("KOUAN_TEST_STORE");
	return s && !strcmp(s, "postgres");
}

static void pg_url(const char *dbname, char *out, size_t n)
{
	const char *state = getenv("KOUAN_TEST_PG_STATE");
	FILE *f = state ? fopen(state, "r") : NULL;
	char fmt[512] = "";
	if (!f || !fgets(fmt, sizeof fmt, f))
		fail_msg("KOUAN_TEST_STORE=postgres needs KOUAN_TEST_PG_STATE from "
			 "scripts/pg-cluster.sh start");
	fclose(f);
	fmt[strcspn(fmt, "\n")] = '\0';
	char *p = strstr(fmt, "%s");
	assert_non_null(p);
	*p = '\0';
	snprintf(out, n, "%s%s%s", fmt, dbname, p + 2);
}

static void pg_admin(const char *sql)
{
	char url[600];
	pg_url("postgres", url, sizeof url);
	PGconn *c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		print_error("%s: %s\n", sql, PQresultErrorMessage(r));
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
}

struct test_env *test_env_new(void)
{
	struct test_env *env = calloc(1, sizeof *env);
	assert_non_null(env);
	log_set_quiet(getenv("KOUAN_TEST_LOG") == NULL);
	snprintf(env->dir, sizeof env->dir, "/tmp/kouan-test-XXXXXX");
	assert_non_null(mkdtemp(env->dir));
	snprintf(env->db, sizeof env->db, "%s/test.db", env->dir);
	if (pg_mode()) {
		static unsigned n;
		snprintf(env->pgname, sizeof env->pgname, "kouan_t_%u_%u", (unsigned)getpid(), ++n);
		char sql[128];
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", env->pgname);
		pg_admin(sql);
		pg_url(env->pgname, env->db, sizeof env->db);
	}
	kclock_manual_init(&env->clock, TEST_EPOCH_US, 1000);
	struct store_options so = {.url = env->db, .sync = STORE_SYNC_PROCESS};
	assert_int_equal(credentials_init(), KERR_OK);
	assert_int_equal(store_open(&so, &env->store), KERR_OK);
	assert_int_equal(store_migrate(env->store, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_maintain(env->store), KERR_OK);
	size_t added;
	assert_int_equal(reference_load(env->store, ISO_CODES_DIR, TEST_EPOCH_US, &added),
			 KERR_OK);
	assert_true(added > 1000);
	struct app_limits l;
	app_limits_default(&l);
	l.service.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
	l.service.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	l.longpoll_max_s = 2;
	char key[320];
	snprintf(key, sizeof key, "%s/release.key", env->dir);
	assert_int_equal(app_init(&env->app, env->store, &env->clock, &l, key, true), KERR_OK);
	/* served as the server serves it */
	const struct embedded_file *doc = embedded_find("docs/openapi.json");
	assert_non_null(doc);
	env->app.openapi = doc->data;
	bool money_loaded; /* the compiled-in tariff, rates and fees, as at start */
	assert_int_equal(money_sync(&env->app.svc, &money_loaded), KERR_OK);
	assert_true(money_loaded);
	bool existed;
	assert_int_equal(demo_seed_accounts(&env->app, &existed), KERR_OK);
	assert_false(existed);
	return env;
}

int test_setup(void **state)
{
	*state = test_env_new();
	return 0;
}

int test_teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

int64_t test_count_of(struct test_env *env, const struct sql_query *q, const char *arg)
{
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct store_stmt *st = arg ? store_query(c, q, "s", arg) : store_query(c, q, "");
	assert_non_null(st);
	assert_int_equal(stmt_step(st), STORE_ROW);
	int64_t n = stmt_int(st, 0);
	stmt_done(st);
	return n;
}

const char *test_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

struct store *test_earlier_store(struct test_env *env, int64_t last)
{
	char url[700];
	if (env->pgname[0]) {
		char sql[128];
		snprintf(sql, sizeof sql, "CREATE DATABASE %s_earlier", env->pgname);
		pg_admin(sql);
		snprintf(sql, sizeof sql, "%s_earlier", env->pgname);
		pg_url(sql, url, sizeof url);
	} else {
		snprintf(url, sizeof url, "%s/earlier.db", env->dir);
	}
	struct store_options so = {.url = url, .sync = STORE_SYNC_PROCESS};
	struct store *s;
	assert_int_equal(store_open(&so, &s), KERR_OK);
	assert_int_equal(store_migrate_upto(s, TEST_EPOCH_US, last), KERR_OK);
	return s;
}

void test_earlier_store_close(struct test_env *env, struct store *s)
{
	store_thread_release();
	store_close(s);
	char path[400];
	if (env->pgname[0]) {
		snprintf(path, sizeof path, "DROP DATABASE %s_earlier WITH (FORCE)", env->pgname);
		pg_admin(path);
		return;
	}
	static const char *const files[] = {"earlier.db", "earlier.db-wal", "earlier.db-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", env->dir, files[i]);
		unlink(path);
	}
}

void test_env_free(struct test_env *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < ntokens; i++)
		if (tokens[i].env == env)
			tokens[i].env = NULL;
	app_free(&env->app);
	store_thread_release();
	store_close(env->store);
	if (env->pgname[0]) {
		char sql[128];
		snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", env->pgname);
		pg_admin(sql);
	}
	/* every file a test made in its directory (test.db, release.key, and
	 * the stores some tests open beside it), then the directory */
	char path[400];
	DIR *dir = opendir(env->dir);
	for (struct dirent *f; dir && (f = readdir(dir));) {
		if (strcmp(f->d_name, ".") && strcmp(f->d_name, "..")) {
			int n = snprintf(path, sizeof path, "%s/%s", env->dir, f->d_name);
			if (n > 0 && (size_t)n < sizeof path)
				unlink(path);
		}
	}
	if (dir)
		closedir(dir);
	rmdir(env->dir);
	free(env);
}

struct token_job {
	const char *user;
	int64_t ttl_s;
	char *token;
};

static kerr make_token(struct uow *u, void *arg)
{
	static const struct actor tester = {.role = ROLE_ADMIN, .username = "test"};
	struct token_job *j = arg;
	char expires[TIME_TEXT_SIZE];
	return accounts_token_create(u, &tester, j->user, "test", j->ttl_s, j->token, expires);
}

void test_new_token(struct test_env *env, const char *username, int64_t ttl_s,
		    char token[TOKEN_TEXT_MAX])
{
	struct token_job j = {username, ttl_s, token};
	assert_int_equal(uow_run(&env->app.svc, true, make_token, &j), KERR_OK);
}

static kerr find_user(struct uow *u, void *arg)
{
	struct actor *a = arg;
	struct user_row row;
	kerr e = accounts_me(u, a, &row);
	return e ? e : actor_from_user(&row, a);
}

void test_actor(struct test_env *env, const char *username, struct actor *out)
{
	memset(out, 0, sizeof *out);
	str_copy(out->username, username, sizeof out->username);
	assert_int_equal(uow_run(&env->app.svc, false, find_user, out), KERR_OK);
}

const char *test_token(struct test_env *env, const char *username)
{
	for (size_t i = 0; i < ntokens; i++)
		if (tokens[i].env == env && !strcmp(tokens[i].user, username))
			return tokens[i].token;
	size_t slot = ntokens < MAX_TOKENS ? ntokens++ : 0;
	for (size_t i = 0; i < ntokens; i++)
		if (!tokens[i].env)
			slot = i;
	test_new_token(env, username, ISSUED_TOKEN_TTL_MAX_S, tokens[slot].token);
	tokens[slot].env = env;
	str_copy(tokens[slot].user, username, sizeof tokens[slot].user);
	return tokens[slot].token;
}

int test_call(struct test_env *env, const char *method, const char *path,
	      const char *user, const char *body, const char *idem,
	      struct loopback_result *r)
{
	struct loopback_call call = {
		.method = method,
		.path = path,
		.token = user ? test_token(env, user) : NULL,
		.body = body,
		.idempotency_key = idem,
	};
	api_loopback(&env->app, &call, r);
	return r->status;
}

void test_dispatch(struct test_env *env, const char *method, const char *path,
		   const char *user, const char *body, const char *key, bool apart,
		   struct http_response *resp)
{
	char auth[128];
	struct http_request req = {.method = method, .path = path, .remote = "test"};
	if (user) {
		snprintf(auth, sizeof auth, "Bearer %s", test_token(env, user));
		req.headers[req.nheaders++] = (struct http_pair){"Authorization", auth};
	}
	if (body) {
		req.headers[req.nheaders++] = (struct http_pair){"Content-Type", "application/json"};
		req.body = body;
		req.body_len = strlen(body);
	}
	if (key)
		req.headers[req.nheaders++] = (struct http_pair){"Idempotency-Key", key};
	req.apart = apart;
	http_response_init(resp);
	api_dispatch(&env->app, &req, resp);
}

json_t *test_expect(struct test_env *env, const char *method, const char *path,
		    const char *user, const char *body, int status)
{
	struct loopback_result r;
	int got = test_call(env, method, path, user, body, NULL, &r);
	if (got != status)
		print_error("%s %s as %s: %d %s\n", method, path, user ? user : "-", got, r.text);
	assert_int_equal(got, status);
	json_t *j = json_incref(r.json);
	loopback_result_free(&r);
	return j;
}

size_t test_count_events(struct test_env *env, const char *number, const char *type,
			 const char *agency)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	json_t *l = test_expect(env, "GET", path, "analyst", NULL, 200);
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(json_object_get(l, "events"), i, e)
	{
		const char *t = json_string_value(json_object_get(e, "type"));
		const char *a = json_string_value(json_object_get(e, "agency"));
		if (t && !strcmp(t, type) && (!agency || (a && !strcmp(a, agency))))
			n++;
	}
	json_decref(l);
	return n;
}

void test_profile(struct test_env *env, const char *office, const char *agency,
		  const char *random_percent, const char *base_lane)
{
	char path[96], body[128];
	snprintf(path, sizeof path, "/v1/risk/profiles/%s/%s", office, agency);
	snprintf(body, sizeof body, "{\"random_percent\":\"%s\",\"base_lane\":\"%s\"}",
		 random_percent, base_lane);
	json_decref(test_expect(env, "PUT", path, "admin", body, 200));
}

/* ISO 6346 check digit of the first ten characters: letters count from
 * A = 10, skipping 11, 22 and 33; position i weighs 2^i. */
static char container_check(const char *s)
{
	unsigned value[26], n = 10, sum = 0;
	for (int k = 0; k < 26; k++, n++) {
		if (n % 11 == 0)
			n++;
		value[k] = n;
	}
	for (int i = 0; i < 10; i++)
		sum += (s[i] >= 'A' && s[i] <= 'Z' ? value[s[i] - 'A'] : (unsigned)(s[i] - '0'))
		       << i;
	return (char)('0' + sum % 11 % 10);
}

void test_fresh_consignment(json_t *decl)
{
	static unsigned serial;
	char bill[24], number[12];
	unsigned n = ++serial;
	snprintf(bill, sizeof bill, "KTBL%010u", n);
	json_object_set_new(decl, "bill_of_lading", json_string(bill));
	json_t *containers = json_object_get(decl, "containers");
	for (size_t i = 0; i < json_array_size(containers); i++) {
		snprintf(number, sizeof number, "KTSU%03u%03zu", n % 1000, i % 1000);
		number[10] = container_check(number);
		number[11] = '\0';
		assert_int_equal(codes_check_container(number), CODES_OK);
		json_array_set_new(containers, i, json_string(number));
	}
}

json_t *test_declaration(void)
{
	json_t *d = json_loads(
		"{\"direction\":\"import\",\"declaration_office\":\"5167\",\"port_office\":\"5167\","
		"\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
		"\"trade_mode\":\"0110\",\"transport_mode\":\"2\","
		"\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\",\"imo\":\"9321378\"},"
		"\"bill_of_lading\":\"COSU6291830410\",\"trading_country\":\"US\","
		"\"departure_country\":\"US\",\"entry_port\":\"CNNSA\",\"incoterm\":\"CIF\","
		"\"currency\":\"USD\",\"freight\":\"0\",\"insurance\":\"0\",\"packages\":1800,"
		"\"gross_weight_kg\":\"19850.000\",\"containers\":[\"COSU8001236\",\"CSQU3054383\"],"
		"\"items\":[{\"hs_code\":\"0808100000\",\"description\":\"Fresh Gala apples\","
		"\"quantity\":\"18000\",\"unit\":\"035\",\"unit_price\":\"1.85\",\"origin_country\":\"US\"},"
		"{\"hs_code\":\"8471300000\",\"description\":\"Notebook computers\","
		"\"quantity\":\"10\",\"unit\":\"001\",\"unit_price\":\"389.5\",\"origin_country\":\"VN\"}],"
		"\"documents\":[{\"type\":\"invoice\",\"number\":\"WA-2026-11873\"}],\"advance\":true}",
		JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(d);
	return d;
}

json_t *test_consignment(void)
{
	json_t *d = test_declaration();
	test_fresh_consignment(d);
	return d;
}

json_t *test_consignment_customs_only(void)
{
	json_t *d = test_declaration_customs_only();
	test_fresh_consignment(d);
	return d;
}

json_t *test_declaration_customs_only(void)
{
	json_t *d = test_declaration();
	json_t *items = json_object_get(d, "items");
	json_array_remove(items, 0);
	return d;
}

/* The carrier who manifests goods of a transport mode in the demo. */
static const char *carrier_of(const char *mode)
{
	if (!strcmp(mode, "5"))
		return "airline";
	return !strcmp(mode, "4") ? "haulier" : "carrier";
}

/* The manifest line a carrier would give the declaration's goods. */
static json_t *line_of(const json_t *decl)
{
	const json_t *item = json_array_get(json_object_get(decl, "items"), 0);
	json_t *containers = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(decl, "containers"), i, c)
	{
		char seal[16];
		snprintf(seal, sizeof seal, "SL-%s", json_string_value(c) + 4);
		json_array_append_new(containers,
				      json_pack("{s:O, s:[s]}", "number", c, "seals", seal));
	}
	return json_pack("{s:O, s:{s:s}, s:{s:s, s:O}, s:O, s:O, s:s, s:O, s:o}",
			 "bill_of_lading", json_object_get(decl, "bill_of_lading"), "consignor",
			 "name", "Shipper of the test goods", "consignee", "name",
			 "Consignee of the test goods", "uscc",
			 json_object_get(decl, "consignee_uscc"), "goods_description",
			 json_object_get(item, "description"), "packages",
			 json_object_get(decl, "packages"), "package_kind", "CT",
			 "gross_weight_kg", json_object_get(decl, "gross_weight_kg"), "containers",
			 containers);
}

void query_escape(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 4 < n; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_')
			out[k++] = (char)ch;
		else
			k += (size_t)snprintf(out + k, n - k, "%%%02X", ch);
	}
	out[k] = '\0';
}

void test_manifest_line(struct test_env *env, const json_t *decl)
{
	const char *mode = json_string_value(json_object_get(decl, "transport_mode"));
	const char *dir = json_string_value(json_object_get(decl, "direction"));
	bool import = !dir || strcmp(dir, "export") != 0;
	if (!mode || (strcmp(mode, "2") && strcmp(mode, "4") && strcmp(mode, "5")))
		return;
	char key[CALL_KEY_MAX], path[1024], esc[3 * CALL_KEY_MAX];
	assert_true(transport_call_key_of_declaration(decl, key));
	const char *carrier = carrier_of(mode);
	const char *kind = import ? "original" : "pre_loading";
	/* the call's manifest of that kind, if any */
	query_escape(key, esc, sizeof esc);
	snprintf(path, sizeof path, "/v1/manifests?call=%s&kind=%s", esc, kind);
	json_t *list = test_expect(env, "GET", path, carrier, NULL, 200);
	json_t *found = json_array_get(json_object_get(list, "manifests"), 0);
	json_t *line = line_of(decl);
	const char *bill = json_string_value(json_object_get(decl, "bill_of_lading"));
	if (!found) {
		json_t *conv = json_deep_copy(json_object_get(decl, "conveyance"));
		json_t *m = json_pack("{s:s, s:s, s:o, s:O, s:s, s:[O]}", "kind", kind,
				      "transport_mode", mode, "conveyance", conv, "port",
				      json_object_get(decl, import ? "entry_port" : "exit_port"),
				      "carrier", "Carrier of the test goods", "bills", line);
		char *text = json_dumps(m, JSON_COMPACT);
		static unsigned n;
		char idem[48];
		snprintf(idem, sizeof idem, "manifest-%u-%u", (unsigned)getpid(), ++n);
		struct loopback_result r;
		int status = test_call(env, "POST", "/v1/manifests", carrier, text, idem, &r);
		if (status != 201)
			print_error("manifest answered %d: %s\n", status, r.text);
		assert_int_equal(status, 201);
		loopback_result_free(&r);
		free(text);
		json_decref(m);
	} else {
		snprintf(path, sizeof path, "/v1/manifests/%lld",
			 (long long)json_integer_value(json_object_get(found, "id")));
		json_t *now = test_expect(env, "GET", path, carrier, NULL, 200);
		json_t *m = json_deep_copy(json_object_get(now, "manifest"));
		json_t *bills = json_object_get(m, "bills");
		bool same = false, replaced = false;
		size_t i;
		json_t *b;
		json_array_foreach(bills, i, b)
		{
			const char *name = json_string_value(json_object_get(b, "bill_of_lading"));
			if (strcmp(name, bill) != 0)
				continue;
			same = json_equal(b, line);
			json_array_set(bills, i, line);
			replaced = true;
		}
		if (!replaced)
			json_array_append(bills, line);
		if (!same) {
			char *text = json_dumps(m, JSON_COMPACT);
			json_decref(test_expect(env, "PUT", path, carrier, text, 200));
			free(text);
		}
		json_decref(m);
		json_decref(now);
	}
	json_decref(line);
	json_decref(list);
}

void test_lodge(struct test_env *env, const char *user, json_t *decl, char *out)
{
	test_manifest_line(env, decl);
	test_lodge_alone(env, user, decl, out);
}

void test_lodge_alone(struct test_env *env, const char *user, json_t *decl, char *out)
{
	static unsigned counter;
	char key[48];
	snprintf(key, sizeof key, "lodge-%u-%u", (unsigned)getpid(), ++counter);
	char *body = json_dumps(decl, JSON_COMPACT);
	struct loopback_result r;
	int status = test_call(env, "POST", "/v1/declarations", user, body, key, &r);
	if (status != 201)
		print_error("lodge answered %d: %s\n", status, r.text);
	assert_int_equal(status, 201);
	str_copy(out, json_string_value(json_object_get(r.json, "number")), 19);
	loopback_result_free(&r);
	free(body);
}

int test_has_error(const json_t *problem, const char *field, const char *needle)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(problem, "errors"), i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *p = json_string_value(json_object_get(e, "problem"));
		if (f && !strcmp(f, field) && (!needle || (p && strstr(p, needle))))
			return 1;
	}
	return 0;
}

int64_t test_count(struct test_env *env, const char *table)
{
	/* table names are fixed strings from the tests: one query each */
	static const struct {
		const char *table;
		struct sql_query q;
	} counts[] = {
		{"declarations", {"SELECT COUNT(*) FROM declarations"}},
		{"tasks", {"SELECT COUNT(*) FROM tasks"}},
		{"events", {"SELECT COUNT(*) FROM events"}},
		{"idempotency_keys", {"SELECT COUNT(*) FROM idempotency_keys"}},
		{"number_sequences", {"SELECT COUNT(*) FROM number_sequences"}},
		{"audit_log", {"SELECT COUNT(*) FROM audit_log"}},
		{"mandates", {"SELECT COUNT(*) FROM mandates"}},
		{"payments", {"SELECT COUNT(*) FROM payments"}},
		{"guarantees", {"SELECT COUNT(*) FROM guarantees"}},
		{"exchange_rates", {"SELECT COUNT(*) FROM exchange_rates"}},
		{"fee_charges", {"SELECT COUNT(*) FROM fee_charges"}},
		{"refund_applications", {"SELECT COUNT(*) FROM refund_applications"}},
		{"cbec_documents", {"SELECT COUNT(*) FROM cbec_documents"}},
		{"cbec_parcels", {"SELECT COUNT(*) FROM cbec_parcels"}},
		{"cbec_quotas", {"SELECT COUNT(*) FROM cbec_quotas"}},
	};
	const struct sql_query *q = NULL;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0] && !q; i++)
		if (!strcmp(counts[i].table, table))
			q = &counts[i].q;
	if (!q)
		fail_msg("test_count: no query for table %s", table);
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	struct store_stmt *st = store_query(c, q, "");
	assert_non_null(st);
	assert_int_equal(stmt_step(st), STORE_ROW);
	int64_t n = stmt_int(st, 0);
	stmt_done(st);
	return n;
}

const char *test_task_status(const json_t *view, const char *agency)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(view, "tasks"), i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "agency")), agency))
			return json_string_value(json_object_get(t, "status"));
	}
	return NULL;
}

void test_expect_problem(const struct problems *p, const char *field,
			 const char *text)
{
	for (size_t i = 0; i < p->count; i++)
		if (!strcmp(p->errors[i].field, field) &&
		    !strcmp(p->errors[i].problem, text))
			return;
	fprintf(stderr, "expected problem %s: %s\nheld (%zu):\n", field, text,
		p->count);
	for (size_t i = 0; i < p->count; i++)
		fprintf(stderr, "  %s: %s\n", p->errors[i].field, p->errors[i].problem);
	fail();
}

json_t *test_embedded_json(const char *path)
{
	const struct embedded_file *f = embedded_find(path);
	json_error_t err;
	json_t *j;

	assert_non_null(f);
	j = json_loadb(f->data, f->size, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
	assert_non_null(j);
	return j;
}

/* Add "list code" pairs for each space-separated code of `codes`. */
static size_t add_codes(char (*store)[8], const char *(*pairs)[2], size_t n, size_t max,
			const char *list, const char *codes)
{
	for (const char *c = codes; c && *c && n < max;) {
		size_t len = strcspn(c, " ");
		if (len && len < sizeof store[n]) {
			memcpy(store[n], c, len);
			store[n][len] = '\0';
			pairs[n][0] = list;
			pairs[n][1] = store[n];
			n++;
		}
		c += len;
		c += strspn(c, " ");
	}
	return n;
}

struct refdata *test_builtin_refdata(const char *countries, const char *currencies)
{
	enum { MAX_EXTRA = 64 };
	char store[MAX_EXTRA][8];
	const char *pairs[MAX_EXTRA][2];
	size_t n = add_codes(store, pairs, 0, MAX_EXTRA, "countries", countries);
	n = add_codes(store, pairs, n, MAX_EXTRA, "currencies", currencies);
	struct refdata *r = refdata_builtin((const char *const(*)[2])pairs, n);
	assert_non_null(r);
	return r;
}

struct refdata *test_reference(void)
{
	return test_builtin_refdata(NULL, NULL);
}

json_t *test_json(const char *single_quoted)
{
	size_t n = strlen(single_quoted);
	char *text = malloc(n + 1);
	json_error_t err;
	json_t *j;

	assert_non_null(text);
	for (size_t i = 0; i <= n; i++)
		text[i] = single_quoted[i] == '\'' ? '"' : single_quoted[i];
	j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		fprintf(stderr, "test_json: %s at %d: %s\n", err.text, err.position, text);
	free(text);
	assert_non_null(j);
	return j;
}

int64_t test_decimal(const char *s, int scale)
{
	int64_t v = 0;

	assert_int_equal(decimal_parse(s, scale, &v), DECIMAL_OK);
	return v;
}

int32_t test_date(const char *s)
{
	int32_t d = 0;

	assert_true(kdate_parse(s, &d));
	return d;
}

char *test_fixture(const char *name, size_t *len)
{
	/* tests/support/test_support.c -> tests/fixtures/<name> */
	char path[1024];
	const char *here = __FILE__;
	const char *slash = strrchr(here, '/');
	size_t dir = slash ? (size_t)(slash - here) : 0;
	snprintf(path, sizeof path, "%.*s/../fixtures/%s", (int)dir, here, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b;
	buf_init(&b, 64u * 1024u * 1024u);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), KERR_OK);
	fclose(f);
	assert_int_equal(buf_append(&b, "", 0), KERR_OK);
	if (len)
		*len = b.len;
	return buf_take(&b);
}

int64_t test_time(const char *rfc3339)
{
	int64_t us = 0;
	assert_true(ktime_parse(rfc3339, &us));
	return us;
}
