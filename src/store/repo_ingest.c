/* repo_ingest.c - the generation of the tokens' validity and the purge of
 * expired records (see repo_ingest.h). */
#include "store/repo_ingest.h"

#include <stdlib.h>

#include "store/packed.h"
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
	return store_each(c, &Q_IDEM_PURGE, count_row, n, "si", before, limit);
}

/* the cast: PostgreSQL types a multi-row VALUES list before the columns */
#define EVENT_ROW "(?, CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?)"
Q(Q_EVENTS_APPEND3, "INSERT INTO events (declaration_number, org_id, type, agency, actor,"
		    " actor_role, at, data, call_key) VALUES " EVENT_ROW ", " EVENT_ROW ", "
		    EVENT_ROW);

#define EVENT_ARGS(e, data) (e).number, (e).org_id, (e).type, (e).agency, (e).actor, \
			    (e).actor_role, (e).at, (data), (e).call_key

kerr repo_events_append(struct store_conn *c, const struct event_in *ev, size_t n)
{
	kerr e = KERR_OK;
	size_t i = 0;
	/* three rows: 27 parameters, within what the PostgreSQL store binds;
	 * their data packed as repo_event_append packs it */
	for (; !e && i + 3 <= n; i += 3) {
		char *data[3] = {NULL, NULL, NULL};
		for (size_t k = 0; !e && k < 3; k++)
			e = packed_pack(PACKED_EVENT, ev[i + k].data ? ev[i + k].data : "{}",
					&data[k]);
		if (!e)
			e = store_exec(c, &Q_EVENTS_APPEND3, "sisssssss" "sisssssss" "sisssssss",
				       EVENT_ARGS(ev[i], data[0]), EVENT_ARGS(ev[i + 1], data[1]),
				       EVENT_ARGS(ev[i + 2], data[2]));
		for (size_t k = 0; k < 3; k++)
			free(data[k]);
	}
	for (; !e && i < n; i++)
		e = repo_event_append(c, &ev[i]);
	return e;
}
