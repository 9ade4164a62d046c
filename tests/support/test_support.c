/* test_support.c - shared helpers for the unit and API tests (see test_support.h). */
#include "test_support.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/accounts.h"
#include "common/embedded.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "server/demo.h"
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
	bool existed;
	assert_int_equal(demo_seed_accounts(&env->app, &existed), KERR_OK);
	assert_false(existed);
	return env;
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
	char path[400];
	static const char *const files[] = {"test.db", "test.db-wal", "test.db-shm",
					    "release.key"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", env->dir, files[i]);
		unlink(path);
	}
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
	if (!e && !role_parse(row.role, &a->role))
		e = KERR_INTERNAL;
	a->user_id = row.id;
	a->org_id = row.org_id;
	str_copy(a->org_uscc, row.org_uscc, sizeof a->org_uscc);
	return e;
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

json_t *test_declaration_customs_only(void)
{
	json_t *d = test_declaration();
	json_t *items = json_object_get(d, "items");
	json_array_remove(items, 0);
	return d;
}

void test_lodge(struct test_env *env, const char *user, json_t *decl, char *out)
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
	static const struct sql_query qd = {"SELECT COUNT(*) FROM declarations"};
	static const struct sql_query qt = {"SELECT COUNT(*) FROM tasks"};
	static const struct sql_query qe = {"SELECT COUNT(*) FROM events"};
	static const struct sql_query qi = {"SELECT COUNT(*) FROM idempotency_keys"};
	static const struct sql_query qs = {"SELECT COUNT(*) FROM number_sequences"};
	const struct sql_query *q = !strcmp(table, "declarations") ? &qd
				    : !strcmp(table, "tasks")      ? &qt
				    : !strcmp(table, "events")     ? &qe
				    : !strcmp(table, "idempotency_keys") ? &qi
									 : &qs;
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
