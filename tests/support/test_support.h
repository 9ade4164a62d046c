/*
 * test_support.h - shared helpers for the cmocka unit and API tests.
 *
 * An API test runs a real application (struct app) over a fresh SQLite
 * database in a temporary directory, with the reference data loaded, the
 * demo organisations and users created (Argon2id at its minimum cost), and a
 * manual clock. Requests go through the router in-process (api_loopback):
 * no socket, but every check a client meets. With KOUAN_TEST_STORE=postgres
 * the same tests run on a fresh PostgreSQL database of a throw-away cluster.
 */
#ifndef KOUAN_TEST_SUPPORT_H
#define KOUAN_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "api/api.h"
#include "domain/credentials.h"
#include "api/loopback.h"

/* 2026-11-23T08:00:00Z */
#define TEST_EPOCH_US 1795420800000000LL

struct test_env {
	char dir[256];
	char db[700];     /* SQLite file, or PostgreSQL URL */
	char pgname[64];  /* the PostgreSQL database, "" with SQLite */
	struct store *store;
	struct app app;
	struct kclock clock;
};

/* Set up / tear down an environment (asserts on failure). */
struct test_env *test_env_new(void);
/* cmocka's group setup and teardown for a suite over one test_env
 * (test_env_new, test_env_free), in *state. */
int test_setup(void **state);
int test_teardown(void **state);
/* The string member `key` of `o`, or NULL. */
const char *test_str(const json_t *o, const char *key);
void test_env_free(struct test_env *env);

/* A second, empty store beside the environment's (a file in its
 * directory, or a database of its own), migrated up to migration `last`
 * only: the tests of a later migration fill it as it was, then migrate
 * it. Closed, and its file or database removed, by
 * test_earlier_store_close. */
struct store *test_earlier_store(struct test_env *env, int64_t last);
void test_earlier_store_close(struct test_env *env, struct store *s);

/* A new token for a user, valid for ttl_s seconds. */
void test_new_token(struct test_env *env, const char *username, int64_t ttl_s,
		    char token[TOKEN_TEXT_MAX]);
/* The actor a user is (role, organisation). */
void test_actor(struct test_env *env, const char *username, struct actor *out);

/* A token for a demo user ("trader", "customs", ...), cached per env. */
const char *test_token(struct test_env *env, const char *username);

/* Call the API as `user` (NULL: no token). body NULL: no body. */
int test_call(struct test_env *env, const char *method, const char *path,
	      const char *user, const char *body, const char *idem,
	      struct loopback_result *r);

/* One run of a request straight through the router, as a server's worker
 * (apart false) or its apart pool (true) would run it: as `user` (NULL: no
 * token), with `body` (JSON; NULL: none) and Idempotency-Key `key` (NULL:
 * none). The response is the caller's to free. */
void test_dispatch(struct test_env *env, const char *method, const char *path,
		   const char *user, const char *body, const char *key, bool apart,
		   struct http_response *resp);
/* Call the API as `user`, assert the answer's status, and return its JSON
 * body (a new reference; NULL for an empty body). */
json_t *test_expect(struct test_env *env, const char *method, const char *path,
		    const char *user, const char *body, int status);
/* How many events of `type` (and of `agency`, unless NULL) the
 * declaration's timeline holds, as the analyst reads it. */
size_t test_count_events(struct test_env *env, const char *number, const char *type,
			 const char *agency);
/* Set an office's risk profile for an agency, as admin (asserts 200). */
void test_profile(struct test_env *env, const char *office, const char *agency,
		  const char *random_percent, const char *base_lane);
/* A valid import declaration of the demo trader: apples from the US by sea
 * into Nansha on COSCO SHIPPING ARIES 046E (customs and quarantine act),
 * bill of lading COSU6291830410, containers COSU8001236 and CSQU3054383.
 * New reference. */
json_t *test_declaration(void);
/* Same, with the apples taken out (customs only). */
json_t *test_declaration_customs_only(void);
/* The same goods as a consignment of their own (test_fresh_consignment):
 * two calls lodge two consignments; lodge the same value again to lodge
 * the same consignment. */
json_t *test_consignment(void);
json_t *test_consignment_customs_only(void);

/* Give a declaration a consignment no other declaration of this test run
 * uses: a new bill of lading, and new containers (valid ISO 6346 numbers,
 * as many as it had). */
void test_fresh_consignment(json_t *decl);

/* Make sure the manifest of the declaration's call (the original manifest
 * for an import, the pre-loading manifest for an export) has a line that
 * matches it, lodging or amending it as the demo carrier of the mode
 * ("carrier", "airline" or "haulier") would. Nothing for modes without
 * manifests. */
void test_manifest_line(struct test_env *env, const json_t *decl);
/* Percent-encode a query value (a call key's '|' and the like). */
void query_escape(const char *s, char *out, size_t n);

/* Lodge `decl` as `user` with a fresh idempotency key, after
 * test_manifest_line (the carrier manifested the goods before they were
 * declared); asserts 201 and copies the number into out[19]. */
void test_lodge(struct test_env *env, const char *user, json_t *decl, char *out);
/* The same without the manifest line (an advance declaration waits). */
void test_lodge_alone(struct test_env *env, const char *user, json_t *decl, char *out);

/* Does a problem answer list an error for `field` whose text contains
 * `needle` (NULL: any text)? */
int test_has_error(const json_t *problem, const char *field, const char *needle);

/* Count rows of a table (for "no trace" checks). */
int64_t test_count(struct test_env *env, const char *table);
/* The single number query q answers, with its one text parameter `arg`
 * (NULL: a query without one). */
int64_t test_count_of(struct test_env *env, const struct sql_query *q, const char *arg);

/* Assert that `p` holds a problem with exactly this field and text (prints
 * every problem held when it does not). */
struct problems;
void test_expect_problem(const struct problems *p, const char *field,
			 const char *text);

/* A reference snapshot of every list compiled in from data/reference (no
 * countries or currencies: those come from iso-codes). Release it with
 * refdata_release. */
struct refdata;
struct refdata *test_reference(void);

/* Parse JSON written with single quotes for double ones (so tests can
 * write {'id': 'CN-2026'}); asserts that it parses. New reference. */
json_t *test_json(const char *single_quoted);

/* An exact decimal scaled by 10^scale, and a date "YYYY-MM-DD" as a day
 * number (common/date.h); both assert that the text is valid. */
int64_t test_decimal(const char *s, int scale);
int32_t test_date(const char *s);

/* A JSON document compiled in (e.g. "data/tariff/tariff-2026.json"); asserts
 * that it exists and parses. New reference. */
json_t *test_embedded_json(const char *path);

/* The status of an agency's task in a declaration view, or NULL. */
const char *test_task_status(const json_t *view, const char *agency);

/* A reference snapshot of the lists compiled in from data/reference/, plus
 * the countries and currencies given (iso-codes is not read), e.g.
 * test_builtin_refdata("JP FR IT CN", "CNY USD"). Asserts on failure;
 * release with refdata_release. */
struct refdata *test_builtin_refdata(const char *countries, const char *currencies);

/* Microseconds of an RFC 3339 time (asserts that it parses). */
int64_t test_time(const char *rfc3339);

/* The text of tests/fixtures/<name> (malloc'ed, NUL-terminated), its length
 * in *len (may be NULL). Asserts when it cannot be read. */
char *test_fixture(const char *name, size_t *len);

#endif
