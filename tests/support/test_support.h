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
void test_env_free(struct test_env *env);

/* A token for a demo user ("trader", "customs", ...), cached per env. */
const char *test_token(struct test_env *env, const char *username);

/* Call the API as `user` (NULL: no token). body NULL: no body. */
int test_call(struct test_env *env, const char *method, const char *path,
	      const char *user, const char *body, const char *idem,
	      struct loopback_result *r);

/* A valid import declaration of the demo trader: apples from the US by sea
 * into Nansha (customs and quarantine act). New reference. */
json_t *test_declaration(void);
/* Same, laptops by air into Baiyun (customs only). */
json_t *test_declaration_customs_only(void);

/* Lodge `decl` as `user` with a fresh idempotency key; asserts 201 and
 * copies the number into out[19]. */
void test_lodge(struct test_env *env, const char *user, json_t *decl, char *out);

/* Does a problem answer list an error for `field` whose text contains
 * `needle` (NULL: any text)? */
int test_has_error(const json_t *problem, const char *field, const char *needle);

/* Count rows of a table (for "no trace" checks). */
int64_t test_count(struct test_env *env, const char *table);

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
