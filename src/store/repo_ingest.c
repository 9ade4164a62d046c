/* repo_ingest.c - the generation of the tokens' validity and the purge of
 * expired records (see repo_ingest.h). */
#include "store/repo_ingest.h"

#include <stdlib.h>
#include <string.h>

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
	int64_t us;
	kerr e = repo_time_us(before, &us); /* created_at in microseconds (0017) */
	return e ? e : store_each(c, &Q_IDEM_PURGE, count_row, n, "ii", us, limit);
}

/* the casts: PostgreSQL types a multi-row VALUES list before the columns */
#define EVENT_ROW "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS SMALLINT), ?, ?, ?, CAST(? AS BIGINT), ?, ?)"
#define EVENT_INSERT "INSERT INTO events (declaration_number, org_id, type, agency, actor," \
		     " actor_role, at, data, call_key) VALUES "
#define EVENT_FMT "siisssiss"
#define EVENT_ROWS_MAX 8 /* 72 parameters: a lodgement's events in one statement */
#define ROWS1 EVENT_ROW
#define ROWS2 ROWS1 ", " EVENT_ROW
#define ROWS3 ROWS2 ", " EVENT_ROW
#define ROWS4 ROWS3 ", " EVENT_ROW
#define ROWS5 ROWS4 ", " EVENT_ROW
#define ROWS6 ROWS5 ", " EVENT_ROW
#define ROWS7 ROWS6 ", " EVENT_ROW
#define ROWS8 ROWS7 ", " EVENT_ROW
/* Q_EVENTS_APPEND[k - 1] inserts k rows */
static const struct sql_query Q_EVENTS_APPEND[EVENT_ROWS_MAX] = {
	{EVENT_INSERT ROWS1}, {EVENT_INSERT ROWS2}, {EVENT_INSERT ROWS3}, {EVENT_INSERT ROWS4},
	{EVENT_INSERT ROWS5}, {EVENT_INSERT ROWS6}, {EVENT_INSERT ROWS7}, {EVENT_INSERT ROWS8},
};

#define EVENT_ARGS(e, data, kept) (kept).number, (e).org_id, (kept).type, (e).agency, \
				  (kept).actor, (kept).actor_role, (kept).at, (data), (e).call_key

/* The k events at ev (1 to EVENT_ROWS_MAX) in one statement, in their
 * stored form (type, time, actor, packed data) as repo_event_append keeps
 * them. Eight
 * rows of arguments are always passed; the format names the first k, and
 * the rest are never read. */
static kerr append_rows(struct store_conn *c, const struct event_in *ev, size_t k)
{
	char *data[EVENT_ROWS_MAX] = {NULL};
	struct event_stored stored[EVENT_ROWS_MAX] = {{0}};
	const struct event_in *r[EVENT_ROWS_MAX];
	kerr e = KERR_OK;
	for (size_t j = 0; j < EVENT_ROWS_MAX; j++)
		r[j] = &ev[j < k ? j : 0];
	for (size_t j = 0; !e && j < k; j++) {
		e = event_stored_form(&ev[j], &stored[j]);
		if (!e)
			e = packed_pack(PACKED_EVENT, ev[j].data ? ev[j].data : "{}", &data[j]);
	}
	static const char all[] = EVENT_FMT EVENT_FMT EVENT_FMT EVENT_FMT EVENT_FMT EVENT_FMT
		EVENT_FMT EVENT_FMT;
	char fmt[sizeof all];
	memcpy(fmt, all, 9 * k);
	fmt[9 * k] = '\0';
	if (!e)
		e = store_exec_later(c, &Q_EVENTS_APPEND[k - 1], fmt,
			             EVENT_ARGS(*r[0], data[0], stored[0]),
			             EVENT_ARGS(*r[1], data[1], stored[1]),
			             EVENT_ARGS(*r[2], data[2], stored[2]),
			             EVENT_ARGS(*r[3], data[3], stored[3]),
			             EVENT_ARGS(*r[4], data[4], stored[4]),
			             EVENT_ARGS(*r[5], data[5], stored[5]),
			             EVENT_ARGS(*r[6], data[6], stored[6]),
			             EVENT_ARGS(*r[7], data[7], stored[7]));
	for (size_t j = 0; j < k; j++)
		free(data[j]);
	return e;
}

kerr repo_events_append(struct store_conn *c, const struct event_in *ev, size_t n)
{
	kerr e = KERR_OK;
	for (size_t i = 0; !e && i < n;) {
		size_t k = n - i < EVENT_ROWS_MAX ? n - i : EVENT_ROWS_MAX;
		e = append_rows(c, ev + i, k);
		i += k;
	}
	return e;
}
