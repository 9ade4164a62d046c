/*
 * repo_events.c - queries of the event log: appending a transaction's
 * events, a declaration's timeline, and the feed, read up to the store's
 * horizon (store_feed_horizon; see repo.h). An event is kept smaller than
 * it is shown (migration 0013): its type as its code, its time as integer
 * microseconds, its actor and role NULL when kouan acted by itself, its
 * declaration by the number's value (migration 0015; NULL for a call's
 * own events).
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "domain/declaration.h"
#include "store/repo.h"
#include "store/packed.h"
#include "store/repo_internal.h"

Q(Q_EVENT_APPEND, "INSERT INTO events (declaration_number, org_id, type, agency,"
		  " actor, actor_role, at, data, call_key)"
		  " VALUES (CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?)");
#define EVENT_NUMBER NUMBER_TEXT("e.declaration_number")
#define EVENT_COLS "e.id, " EVENT_NUMBER ", e.type, e.agency, e.actor," \
		   " e.actor_role, e.at, e.data, e.call_key"
/* The number is cast so that SQLite does not weigh the partial index
 * events_call (declaration_number IS NULL) against each value bound: that
 * made it prepare the statement again at every call (a fifth of the
 * statistics' fill). */
Q(Q_EVENTS_FOR, "SELECT " EVENT_COLS " FROM events e"
		" WHERE e.declaration_number = CAST(? AS BIGINT) ORDER BY e.id");
/* The events of the declarations numbered from one number to another, by
 * declaration and id (the index events_declaration). */
Q(Q_EVENTS_FOR_RANGE, "SELECT " EVENT_COLS " FROM events e WHERE e.declaration_number"
		      " BETWEEN CAST(? AS BIGINT) AND CAST(? AS BIGINT)"
		      " ORDER BY e.declaration_number, e.id");
Q(Q_EVENTS_FOR_CALL, "SELECT " EVENT_COLS " FROM events e WHERE e.call_key = ?"
		     " AND e.declaration_number IS NULL AND e.id > ? AND e.id <= ?"
		     " ORDER BY e.id LIMIT ?");
/* A declaration's events (declaration_number set) by the declaration
 * filters; a call's own events (declaration_number NULL) by the call
 * filters. */
/* Every event: the follower of the statistics and the readers who may see
 * everything. Without the filters' ORs, PostgreSQL plans it once for all
 * (the filtered one is planned again at every run). */
Q(Q_EVENTS_ALL, "SELECT " EVENT_COLS " FROM events e WHERE e.id > ? AND e.id <= ?"
		" ORDER BY e.id LIMIT ?");
Q(Q_EVENTS_FEED,
  "SELECT " EVENT_COLS " FROM events e WHERE e.id > ? AND e.id <= ? AND ("
  "(e.declaration_number IS NOT NULL AND CAST(? AS BIGINT) = 0"
  " AND (CAST(? AS BIGINT) = 0 OR e.org_id = ? OR (CAST(? AS TEXT) IS NOT NULL AND"
  " EXISTS (SELECT 1 FROM declarations d WHERE d.number = " EVENT_NUMBER
  " AND d.consignee_uscc = ?)))"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM declarations d WHERE"
  " d.number = " EVENT_NUMBER " AND d.port = ?))"
  " AND (CAST(? AS BIGINT) = 0 OR e.type = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE"
  " t.declaration_number = e.declaration_number AND t.agency = ?)))"
  " OR (e.declaration_number IS NULL AND CAST(? AS BIGINT) = 1"
  " AND (CAST(? AS BIGINT) = 0 OR e.org_id = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM transport_calls k WHERE"
  " k.call_key = e.call_key AND k.port = ?))))"
  " ORDER BY e.id LIMIT ?");
#define KOUAN_ACTOR "kouan"
#define KOUAN_ROLE "system"

kerr repo_time_us(const char *text, int64_t *us)
{
	if (ktime_parse(text, us))
		return KERR_OK;
	log_error("store: a time that is not RFC 3339: %.40s", text);
	return KERR_INTERNAL;
}

kerr event_stored_form(const struct event_in *e, struct event_stored *out)
{
	out->type = event_type_code(e->type);
	if (!out->type) {
		log_error("events: an event type with no code: %d", (int)e->type);
		return KERR_INTERNAL;
	}
	kerr err = repo_time_us(e->at, &out->at);
	if (err)
		return err;
	bool kouan = !strcmp(e->actor, KOUAN_ACTOR) && !strcmp(e->actor_role, KOUAN_ROLE);
	out->actor = kouan ? NULL : e->actor;
	out->actor_role = kouan ? NULL : e->actor_role;
	/* kept as its value (migration 0015): only 18 digits read back the same */
	out->number = e->number && *e->number ? e->number : NULL;
	if (out->number && !declaration_number_valid(out->number)) {
		log_error("events: not a declaration number: %.40s", out->number);
		return KERR_INTERNAL;
	}
	return KERR_OK;
}

kerr repo_event_append(struct store_conn *c, const struct event_in *e)
{
	char *data = NULL;
	struct event_stored k;
	kerr err = event_stored_form(e, &k);
	if (!err)
		err = packed_pack(PACKED_EVENT, e->data ? e->data : "{}", &data);
	if (!err)
		err = store_exec(c, &Q_EVENT_APPEND, "siisssiss", k.number, e->org_id, k.type,
				 e->agency, k.actor, k.actor_role, k.at, data, e->call_key);
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
	enum event_type type;
	if (!event_type_from_code(stmt_int(st, 2), &type)) {
		free(data);
		return KERR_STORE;
	}
	char at[KTIME_TEXT_MAX];
	col_time(st, 6, at);
	const char *actor = col_opt(st, 4), *role = col_opt(st, 5);
	struct event_row e = {
		.id = stmt_int(st, 0),
		.number = stmt_text(st, 1),
		.type = event_type_name(type),
		.agency = col_opt(st, 3),
		.actor = actor ? actor : KOUAN_ACTOR,
		.actor_role = role ? role : KOUAN_ROLE,
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

kerr repo_events_for_range(struct store_conn *c, const char *first, const char *last,
			   event_row_fn fn, void *arg)
{
	struct event_visit v = {fn, arg};
	return store_each(c, &Q_EVENTS_FOR_RANGE, visit_event, &v, "ss", first, last);
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
	/* only one type: its code (-1, matching none, for a name no type has) */
	int64_t only = 0;
	enum event_type t;
	if (view->only_type)
		only = event_type_parse(view->only_type, &t) ? event_type_code(t) : -1;
	return store_each(c, &Q_EVENTS_FEED, visit_event, &v, "iiiiissssiissiiissi", after, horizon,
			  (int64_t)view->no_declarations, view->org_id, view->org_id,
			  view->consignee_uscc, view->consignee_uscc, view->port, view->port,
			  only, only, view->agency, view->agency,
			  (int64_t)view->calls, view->call_org_id, view->call_org_id,
			  view->call_port, view->call_port, (int64_t)limit);
}
