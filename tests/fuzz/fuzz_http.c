/*
 * fuzz_http.c - libFuzzer target for the HTTP request path: the fuzzer's
 * bytes become a struct http_request (method, path and query, headers,
 * body) dispatched through the router (api_dispatch) as the server would,
 * on an application over a temporary SQLite database holding the
 * reference data and the demo data, with a fixed manual clock.
 *
 * Input (text, so seeds can be written and read):
 *   line 1   a demo user name, whose token is sent as Authorization; empty:
 *            no token
 *   line 2   METHOD /path?query   (the query split on & and =, and
 *            percent-decoded, as the HTTP library does)
 *   then     Name: value lines, up to an empty line
 *   rest     the body (any bytes)
 *
 * Every answer must be a status from 200 to 599 with a body that parses as
 * JSON when it says it is JSON, and a problem whose "status" is the
 * answer's; anything else aborts. The database is put back to its first
 * state every RESET_EVERY inputs, so what the inputs lodge does not pile up
 * and slow the run. Two things keep inputs from spoiling the ones after
 * them: an Idempotency-Key gets the run's number appended (or every lodging
 * after the first would be a replay or a conflict), and a demo user whose
 * token was refused (logged out, revoked) gets a new one. With
 * KOUAN_FUZZ_TRACE set, each answer's status,
 * method and path go to standard error (to see what the seeds reach).
 *
 * Must never: write outside its temporary directory, or keep state that
 * changes an answer beyond the next reset.
 */
#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz_text.h"
#include "api/api.h"
#include "common/embedded.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "server/demo.h"
#include "server/money_load.h"
#include "server/reference_load.h"
#include "service/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RESET_EVERY 2000
/* 2026-11-23T08:00:00Z, as the tests */
#define FUZZ_EPOCH_US 1795420800000000LL

static const char *const users[] = {"trader", "broker",  "customs", "quarantine", "border",
				    "maritime", "terminal", "analyst", "admin"};
#define NUSERS (sizeof users / sizeof users[0])

static struct {
	bool ready;
	bool trace;
	char dir[256];
	char db[300], pristine[300], key[300];
	struct store *store;
	struct app app;
	struct kclock clock;
	char tokens[NUSERS][TOKEN_TEXT_MAX];
	unsigned runs;
} env;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_http: %s\n", what);
	abort();
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	if (!in || !out)
		die("cannot copy the database");
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			die("cannot copy the database");
	fclose(in);
	if (fclose(out))
		die("cannot copy the database");
}

static void open_app(void)
{
	struct store_options so = {.url = env.db, .sync = STORE_SYNC_PROCESS};
	if (store_open(&so, &env.store))
		die("store_open");
	kclock_manual_init(&env.clock, FUZZ_EPOCH_US, 0);
	struct app_limits l;
	app_limits_default(&l);
	l.service.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
	l.service.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	l.longpoll_max_s = 0; /* never wait for events */
	if (app_init(&env.app, env.store, &env.clock, &l, env.key, true))
		die("app_init");
	const struct embedded_file *doc = embedded_find("docs/openapi.json");
	env.app.openapi = doc ? doc->data : "{}";
}

static void close_app(void)
{
	app_free(&env.app);
	store_thread_release();
	store_close(env.store);
	static const char *const ext[] = {"-wal", "-shm"};
	char path[320];
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s%s", env.db, ext[i]);
		unlink(path);
	}
}

static kerr token_for(struct uow *u, void *arg)
{
	static const struct actor fuzzer = {.role = ROLE_ADMIN, .username = "fuzz"};
	size_t i = *(size_t *)arg;
	char expires[TIME_TEXT_SIZE];
	return accounts_token_create(u, &fuzzer, users[i], "fuzz", 3600 * 24 * 30,
				     env.tokens[i], expires);
}

static void mint_token(size_t i)
{
	if (uow_run(&env.app.svc, true, token_for, &i))
		die("token");
}

/* At exit: the temporary directory goes (the files may still be open). */
static void remove_files(void)
{
	static const char *const names[] = {"fuzz.db", "fuzz.db-wal", "fuzz.db-shm",
					    "pristine.db", "release.key"};
	char path[320];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", env.dir, names[i]);
		unlink(path);
	}
	rmdir(env.dir);
}

/* The first time: a database with the reference and demo data and a token
 * for each demo user, kept as a pristine copy. */
static void setup(void)
{
	log_set_quiet(1);
	/* KOUAN_FUZZ_TMP: where bench/fuzz.sh wants it (it removes what a
	 * run that ends without exit handlers leaves) */
	const char *tmp = getenv("KOUAN_FUZZ_TMP");
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(env.dir, sizeof env.dir, "%s/kouan-fuzz-XXXXXX", tmp);
	if (!mkdtemp(env.dir))
		die("mkdtemp");
	atexit(remove_files);
	snprintf(env.db, sizeof env.db, "%s/fuzz.db", env.dir);
	snprintf(env.pristine, sizeof env.pristine, "%s/pristine.db", env.dir);
	snprintf(env.key, sizeof env.key, "%s/release.key", env.dir);
	if (credentials_init())
		die("credentials_init");
	struct store_options so = {.url = env.db, .sync = STORE_SYNC_PROCESS};
	size_t added;
	if (store_open(&so, &env.store) || store_migrate(env.store, FUZZ_EPOCH_US) ||
	    store_maintain(env.store) ||
	    reference_load(env.store, ISO_CODES_DIR, FUZZ_EPOCH_US, &added))
		die("cannot make the database");
	store_thread_release();
	store_close(env.store);
	open_app();
	/* the compiled-in tariff, exchange rates and fee catalogues, as
	 * `kouan serve` loads them */
	bool loaded;
	if (money_sync(&env.app.svc, &loaded))
		die("money_sync");
	FILE *devnull = fopen("/dev/null", "w");
	if (!devnull || demo_seed(&env.app, devnull))
		die("demo_seed");
	fclose(devnull);
	for (size_t i = 0; i < NUSERS; i++)
		mint_token(i);
	close_app();
	copy_file(env.db, env.pristine);
	open_app();
	env.trace = getenv("KOUAN_FUZZ_TRACE") != NULL;
	env.ready = true;
}

static void reset(void)
{
	close_app();
	copy_file(env.pristine, env.db);
	open_app();
}

/* The value of a hex digit, or -1. */
static int hex_digit(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *d = c ? strchr(digits, tolower((unsigned char)c)) : NULL;
	return d ? (int)(d - digits) : -1;
}

/* Decode %XX and + in place, as the HTTP library does for query text. */
static void query_decode(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		int hi, lo;
		if (*r == '+') {
			*w++ = ' ';
		} else if (*r == '%' && (hi = hex_digit(r[1])) >= 0 && (lo = hex_digit(r[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The next line of text at *p (NUL-terminated in place); NULL at the end. */
static char *next_line(char **p, char *end)
{
	if (*p >= end)
		return NULL;
	char *line = *p;
	char *nl = memchr(line, '\n', (size_t)(end - line));
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = end;
	}
	return line;
}

static void check_answer(const struct http_response *resp)
{
	if (resp->status < 200 || resp->status > 599 || !resp->content_type)
		die("an answer without a valid status or content type");
	bool problem = !strcmp(resp->content_type, "application/problem+json");
	bool json = problem || !strcmp(resp->content_type, "application/json");
	if (!json || resp->body.len == 0)
		return;
	json_error_t err;
	json_t *j = json_loadb(resp->body.data, resp->body.len, 0, &err);
	if (!j)
		die("a JSON answer that does not parse");
	if (problem) {
		json_t *type = json_object_get(j, "type");
		if (!json_is_object(j) ||
		    json_integer_value(json_object_get(j, "status")) != resp->status ||
		    !json_is_string(type) ||
		    strncmp(json_string_value(type), "urn:kouan:problem:", 18) ||
		    !json_is_string(json_object_get(j, "title")))
			die("a problem that does not match its answer");
	}
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!env.ready)
		setup();
	if (++env.runs % RESET_EVERY == 0)
		reset();
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	char *p = text, *end = text + size;
	char *user = next_line(&p, end);
	char *start = next_line(&p, end);
	if (!user || !start)
		goto out;
	struct http_request req;
	memset(&req, 0, sizeof req);
	char *sp = strchr(start, ' ');
	if (!sp)
		goto out;
	*sp = '\0';
	req.method = start;
	char *target = sp + 1;
	char *q = strchr(target, '?');
	if (q) {
		*q++ = '\0';
		for (char *kv = q; kv && req.nquery < HTTP_MAX_PAIRS;) {
			char *amp = strchr(kv, '&');
			if (amp)
				*amp = '\0';
			char *eq = strchr(kv, '=');
			if (eq)
				*eq = '\0';
			query_decode(kv);
			if (eq)
				query_decode(eq + 1);
			req.query[req.nquery].name = kv;
			req.query[req.nquery].value = eq ? eq + 1 : "";
			req.nquery++;
			kv = amp ? amp + 1 : NULL;
		}
	}
	req.path = target;
	char auth[TOKEN_TEXT_MAX + 16];
	size_t who = NUSERS;
	for (size_t i = 0; i < NUSERS; i++)
		if (!strcmp(user, users[i])) {
			who = i;
			snprintf(auth, sizeof auth, "Bearer %s", env.tokens[i]);
			req.headers[req.nheaders++] = (struct http_pair){"Authorization", auth};
		}
	char key[160];
	char *line;
	while ((line = next_line(&p, end)) != NULL && *line && req.nheaders < HTTP_MAX_PAIRS) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *v = colon + 1;
		while (*v == ' ')
			v++;
		if (!strcasecmp(line, "Idempotency-Key")) {
			snprintf(key, sizeof key, "%.120s-%u", v, env.runs);
			v = key;
		}
		req.headers[req.nheaders++] = (struct http_pair){line, v};
	}
	req.body = p;
	req.body_len = (size_t)(end - p);
	req.body_too_large = req.body_len > env.app.limits.max_body;
	req.remote = "127.0.0.1";

	struct http_response resp;
	http_response_init(&resp);
	api_dispatch(&env.app, &req, &resp);
	if (resp.run_apart) { /* as a server without a pool: again, apart */
		http_response_free(&resp);
		http_response_init(&resp);
		req.apart = true;
		api_dispatch(&env.app, &req, &resp);
	}
	if (env.trace)
		fprintf(stderr, "%d %s %s\n", resp.status, req.method, req.path);
	check_answer(&resp);
	if (resp.status == 401 && who < NUSERS)
		mint_token(who);
	http_response_free(&resp);
out:
	free(text);
	return 0;
}
