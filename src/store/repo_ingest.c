/* repo_ingest.c - the generation of the tokens' validity and the purge of
 * expired records (see repo_ingest.h). */
#include "store/repo_ingest.h"

#include "store/repo.h"
#include "store/repo_internal.h"

Q(Q_AUTH_GENERATION, "SELECT generation FROM auth_generation WHERE id = 1");
Q(Q_AUTH_RAISE, "UPDATE auth_generation SET generation = generation + 1 WHERE id = 1");

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

kerr repo_auth_generation(struct store_conn *c, int64_t *out)
{
	*out = 0;
	return store_first(c, &Q_AUTH_GENERATION, read_int, out, "");
}

kerr repo_auth_generation_raise(struct store_conn *c)
{
	return store_exec(c, &Q_AUTH_RAISE, "");
}

Q(Q_SAVEPOINT, "SAVEPOINT kouan_item");
Q(Q_SAVEPOINT_RELEASE, "RELEASE SAVEPOINT kouan_item");
Q(Q_SAVEPOINT_ROLLBACK, "ROLLBACK TO SAVEPOINT kouan_item");

kerr repo_savepoint(struct store_conn *c)
{
	return store_exec(c, &Q_SAVEPOINT, "");
}

kerr repo_savepoint_release(struct store_conn *c)
{
	return store_exec(c, &Q_SAVEPOINT_RELEASE, "");
}

kerr repo_savepoint_rollback(struct store_conn *c)
{
	/* back to the savepoint, which stays (released as on success) */
	kerr e = store_exec(c, &Q_SAVEPOINT_ROLLBACK, "");
	return e ? e : store_exec(c, &Q_SAVEPOINT_RELEASE, "");
}

Q(Q_TOKENS_PURGE, "DELETE FROM tokens WHERE token_hash IN (SELECT token_hash FROM tokens"
		  " WHERE expires_at < ? ORDER BY expires_at LIMIT ?) RETURNING 1");
Q(Q_IDEM_PURGE, "DELETE FROM idempotency_keys WHERE (org_id, key) IN (SELECT org_id, key"
		" FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)"
		" RETURNING 1");

static kerr count_row(void *arg, struct store_stmt *st)
{
	(void)st;
	(*(int64_t *)arg)++;
	return KERR_OK;
}

kerr repo_tokens_purge(struct store_conn *c, const char *before, int64_t limit, int64_t *n)
{
	*n = 0;
	return store_each(c, &Q_TOKENS_PURGE, count_row, n, "si", before, limit);
}

kerr repo_idem_purge(struct store_conn *c, const char *before, int64_t limit, int64_t *n)
{
	*n = 0;
	int64_t us;
	kerr e = repo_time_us(before, &us); /* created_at in microseconds (0017) */
	return e ? e : store_each(c, &Q_IDEM_PURGE, count_row, n, "ii", us, limit);
}
