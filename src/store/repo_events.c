/*
 * repo_events.c - queries of the event log: appending a transaction's
 * events, a declaration's timeline, and the feed, read up to the store's
 * horizon (store_feed_horizon; see repo.h). An event's time is kept as
 * integer microseconds (migration 0013) and shown as RFC 3339 text.
 */
#include <stdlib.h>

#include "common/clock.h"
#include "common/log.h"
#include "store/repo.h"
#include "store/packed.h"
#include "store/repo_internal.h"

Q(Q_EVENT_APPEND, "INSERT INTO events (declaration_number, org_id, type, agency,"
		  " actor, actor_role, at, data, call_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
#define EVENT_COLS "e.id, e.declaration_number, e.type, e.agency, e.actor," \
		   " e.actor_role, e.at, e.data, e.call_key"
/* The number is cast so that SQLite does not weigh the partial index
 * events_call (declaration_number = '') against each value bound: that
 * made it prepare the statement again at every call (a fifth of the
 * statistics' fill). */
Q(Q_EVENTS_FOR, "SELECT " EVENT_COLS " FROM events e"
		" WHERE e.declaration_number = CAST(? AS TEXT) ORDER BY e.id");
Q(Q_EVENTS_FOR_CALL, "SELECT " EVENT_COLS " FROM events e WHERE e.call_key = ?"
		     " AND e.declaration_number = '' AND e.id > ? AND e.id <= ?"
		     " ORDER BY e.id LIMIT ?");
/* A declaration's events (declaration_number set) by the declaration
 * filters; a call's own events (declaration_number '') by the call
 * filters. */
/* Every event: the follower of the statistics and the readers who may see
 * everything. Without the filters' ORs, PostgreSQL plans it once for all
 * (the filtered one is planned again at every run). */
Q(Q_EVENTS_ALL, "SELECT " EVENT_COLS " FROM events e WHERE e.id > ? AND e.id <= ?"
		" ORDER BY e.id LIMIT ?");
Q(Q_EVENTS_FEED,
  "SELECT " EVENT_COLS " FROM events e WHERE e.id > ? AND e.id <= ? AND ("
  "(e.declaration_number <> '' AND CAST(? AS BIGINT) = 0"
  " AND (CAST(? AS BIGINT) = 0 OR e.org_id = ? OR (CAST(? AS TEXT) IS NOT NULL AND"
  " EXISTS (SELECT 1 FROM declarations d WHERE d.number = e.declaration_number"
  " AND d.consignee_uscc = ?)))"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM declarations d WHERE"
  " d.number = e.declaration_number AND d.port = ?))"
  " AND (CAST(? AS TEXT) IS NULL OR e.type = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE"
  " t.declaration_number = e.declaration_number AND t.agency = ?)))"
  " OR (e.declaration_number = '' AND CAST(? AS BIGINT) = 1"
  " AND (CAST(? AS BIGINT) = 0 OR e.org_id = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM transport_calls k WHERE"
  " k.call_key = e.call_key AND k.port = ?))))"
  " ORDER BY e.id LIMIT ?");
kerr event_time_stored(const char *at, int64_t *us)
{
	if (ktime_parse(at, us))
		return KERR_OK;
	log_error("events: a time that is not RFC 3339: %.40s", at);
	return KERR_INTERNAL;
}

kerr repo_event_append(struct store_conn *c, const struct event_in *e)
{
	char *data = NULL;
	int64_t at;
	kerr err = event_time_stored(e->at, &at);
	if (!err)
		err = packed_pack(PACKED_EVENT, e->data ? e->data : "{}", &data);
	if (!err)
		err = store_exec(c, &Q_EVENT_APPEND, "sissssiss", e->number, e->org_id, e->type,
				 e->agency, e->actor, e->actor_role, at, data, e->call_key);
	free(data);
	return err;
}

struct event_visit {
	event_row_fn fn;
	void *arg;
};

static kerr visit_event(void *arg, struct store_stmt *st)
{
	struct event_visit *v = arg;
	char *data;
	kerr err = packed_unpack(stmt_text(st, 7), &data);
	if (err)
		return err == KERR_INVALID ? KERR_STORE : err;
	char at[KTIME_TEXT_MAX];
	ktime_format(stmt_int(st, 6), at);
	struct event_row e = {
		.id = stmt_int(st, 0),
		.number = stmt_text(st, 1),
		.type = stmt_text(st, 2),
		.agency = col_opt(st, 3),
		.actor = stmt_text(st, 4),
		.actor_role = stmt_text(st, 5),
		.at = at,
		.data = data,
		.call_key = col_opt(st, 8),
	};
	err = v->fn(v->arg, &e);
	free(data);
	return err;
}

kerr repo_events_for(struct store_conn *c, const char *number, event_row_fn fn, void *arg)
{
	struct event_visit v = {fn, arg};
	return store_each(c, &Q_EVENTS_FOR, visit_event, &v, "s", number);
}

kerr repo_events_for_call(struct store_conn *c, const char *call_key, int64_t after,
			  int limit, event_row_fn fn, void *arg)
{
	struct event_visit v = {fn, arg};
	int64_t horizon;
	kerr e = store_feed_horizon(c, after, &horizon);
	return e ? e : store_each(c, &Q_EVENTS_FOR_CALL, visit_event, &v, "siii", call_key,
				  after, horizon, (int64_t)limit);
}

kerr repo_events_feed(struct store_conn *c, int64_t after, int limit,
		      const struct feed_view *view, event_row_fn fn, void *arg)
{
	struct event_visit v = {fn, arg};
	int64_t horizon;
	kerr e = store_feed_horizon(c, after, &horizon);
	if (e)
		return e;
	bool everything = !view->org_id && !view->consignee_uscc && !view->port &&
			  !view->agency && !view->only_type && !view->no_declarations &&
			  view->calls && !view->call_org_id && !view->call_port;
	if (everything)
		return store_each(c, &Q_EVENTS_ALL, visit_event, &v, "iii", after, horizon,
				  (int64_t)limit);
	return store_each(c, &Q_EVENTS_FEED, visit_event, &v, "iiiiissssssssiiissi", after, horizon,
			  (int64_t)view->no_declarations, view->org_id, view->org_id,
			  view->consignee_uscc, view->consignee_uscc, view->port, view->port,
			  view->only_type, view->only_type, view->agency, view->agency,
			  (int64_t)view->calls, view->call_org_id, view->call_org_id,
			  view->call_port, view->call_port, (int64_t)limit);
}
