/*
 * repo_ingest.h - the queries that keep ingest cheap at scale: the
 * generation of the tokens' validity (read on every request, raised by
 * every change that stops a token early), and the purge of what has
 * outlived its use (expired tokens, idempotency records past their
 * window), in small chunks. Never deletes anything an audit needs.
 */
#ifndef KOUAN_REPO_INGEST_H
#define KOUAN_REPO_INGEST_H

#include "store/store.h"

/* The generation of the tokens' validity (one row, by primary key). */
KOUAN_MUST_USE kerr repo_auth_generation(struct store_conn *c, int64_t *out);
/* Raise it (in the transaction of the change that stops tokens). */
KOUAN_MUST_USE kerr repo_auth_generation_raise(struct store_conn *c);

/* Delete at most `limit` tokens that expired before `before`; the count
 * deleted into *n. */
KOUAN_MUST_USE kerr repo_tokens_purge(struct store_conn *c, const char *before, int64_t limit,
				      int64_t *n);
/* Delete at most `limit` idempotency records made before `before`, oldest
 * first; the count deleted into *n. */
KOUAN_MUST_USE kerr repo_idem_purge(struct store_conn *c, const char *before, int64_t limit,
				    int64_t *n);

/* Savepoints in the current transaction (one name: they nest as the
 * statements do, innermost first). */
KOUAN_MUST_USE kerr repo_savepoint(struct store_conn *c);
KOUAN_MUST_USE kerr repo_savepoint_release(struct store_conn *c);
KOUAN_MUST_USE kerr repo_savepoint_rollback(struct store_conn *c);

#endif
