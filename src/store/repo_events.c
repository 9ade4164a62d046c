/*
 * repo_events.c - queries of the event log: appending a transaction's
 * events, a declaration's timeline, and the feed, read up to the store's
 * horizon (store_feed_horizon; see repo.h). An event is kept smaller than
 * it is shown (migration 0013): its type as its code, its time as integer
 * microseconds, its actor and role NULL when kouan acted by itself, its
 * declaration by the number's value (migration 0015; NULL for a call's
 * own events).
 *
 * A row holds the events one transaction wrote, one after the other, for
 * one declaration (or one call's own events) of one organisation, up to
 * store_event_ids_per_row (migration 0023): the first in its columns, the
 * others in `more`, packed (store/packed.h), as lines (store/event_lines.h:
 * each event's time after the first's, its type, and its agency, actor,
 * role, call and data as length-prefixed texts). A declaration's events
 * may each name a call of their own; a call's own events in one row all
 * name the row's, by which events_call finds them. Its events take the
 * row's id and the ids after it. A reader after event id N asks for rows
 * above N - (STORE_EVENT_ROW_IDS - 1) and passes over the events at or
 * below N; a page of rows may hold more events than it was asked for, and
 * fewer where events are passed over, so the paged readers count events
 * and read on until they have them or the rows run out.
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "domain/declaration.h"
#include "store/event_lines.h"
#include "store/packed.h"
#include "store/repo.h"
#include "store/repo_internal.h"

#define EVENT_NUMBER NUMBER_TEXT("e.declaration_number")
#define EVENT_COLS "e.id, " EVENT_NUMBER ", e.type, e.agency, e.actor," \
		   " e.actor_role, e.at, e.data, e.call_key, e.more"
/* The rows whose events may follow event id N: ids above N - ROW_SLACK. */
#define ROW_SLACK (STORE_EVENT_ROW_IDS - 1)
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
/* Only one type: the rows whose first event is of it, and every row of
 * several events, whose others visit_row looks at. */
Q(Q_EVENTS_FEED,
  "SELECT " EVENT_COLS " FROM events e WHERE e.id > ? AND e.id <= ? AND ("
  "(e.declaration_number IS NOT NULL AND CAST(? AS BIGINT) = 0"
  " AND (CAST(? AS BIGINT) = 0 OR e.org_id = ? OR (CAST(? AS TEXT) IS NOT NULL AND"
  " EXISTS (SELECT 1 FROM declarations d WHERE d.number = " EVENT_NUMBER
  " AND d.consignee_uscc = ?)))"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM declarations d WHERE"
  " d.number = " EVENT_NUMBER " AND d.port = ?))"
  " AND (CAST(? AS BIGINT) = 0 OR e.type = ? OR e.more IS NOT NULL)"
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

/* --- appending --- */

/* the casts: PostgreSQL types a multi-row VALUES list before the columns */
#define EVENT_ROW "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS SMALLINT), ?, ?, ?," \
		  " CAST(? AS BIGINT), ?, ?, ?)"
#define EVENT_INSERT "INSERT INTO events (declaration_number, org_id, type, agency, actor," \
		     " actor_role, at, data, call_key, more) VALUES "
#define EVENT_FMT "siisssisss"
#define EVENT_ROWS_MAX 8 /* 80 parameters: eight lodgements' rows in one statement */
/* Q_EVENTS_APPEND[k - 1] inserts k rows */
STORE_QUERY static const struct sql_query Q_EVENTS_APPEND[EVENT_ROWS_MAX] = {
	{EVENT_INSERT EVENT_ROW},
	{EVENT_INSERT ROWS2(EVENT_ROW)},
	{EVENT_INSERT ROWS2(EVENT_ROW) ", " EVENT_ROW},
	{EVENT_INSERT ROWS4(EVENT_ROW)},
	{EVENT_INSERT ROWS4(EVENT_ROW) ", " EVENT_ROW},
	{EVENT_INSERT ROWS4(EVENT_ROW) ", " ROWS2(EVENT_ROW)},
	{EVENT_INSERT ROWS4(EVENT_ROW) ", " ROWS2(EVENT_ROW) ", " EVENT_ROW},
	{EVENT_INSERT ROWS8(EVENT_ROW)},
};

/* A row to append: its events (1 to store_event_ids_per_row), in their
 * stored form, the first's data and the others' `more` packed. */
struct row_out {
	const struct event_in *ev;
	size_t n;
	struct event_stored first;
	char *data;
	char *more; /* NULL for a row of one event */
};

static bool same_text(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Whether event b may share the row whose first event is a: the same
 * declaration, or for a call's own events the same call. */
static bool same_row(const struct event_in *a, const struct event_in *b)
{
	bool declaration = a->number && *a->number;
	return a->org_id == b->org_id && same_text(a->number, b->number) &&
	       (declaration || same_text(a->call_key, b->call_key));
}

/* Append to b the event e, `at0` the row's time, as a line of `more`. */
static kerr more_line(struct buf *b, const struct event_in *e, int64_t at0)
{
	struct event_stored k;
	kerr err = event_stored_form(e, &k);
	if (err)
		return err;
	struct event_line l = {.dt = k.at - at0, .type = k.type, .agency = e->agency,
			       .actor = k.actor, .role = k.actor_role, .call = e->call_key,
			       .data = e->data ? e->data : "{}"};
	err = event_line_append(b, &l);
	if (err == KERR_INVALID)
		log_error("events: an event kouan cannot keep in a row: %lld us after the first",
			  (long long)l.dt);
	return err == KERR_INVALID ? KERR_INTERNAL : err;
}

static kerr row_prepare(struct row_out *r)
{
	kerr e = event_stored_form(&r->ev[0], &r->first);
	if (!e)
		e = packed_pack(PACKED_EVENT, r->ev[0].data ? r->ev[0].data : "{}", &r->data);
	if (e || r->n == 1)
		return e;
	struct buf b;
	buf_init(&b, PACKED_TEXT_MAX);
	for (size_t i = 1; !e && i < r->n; i++)
		e = more_line(&b, &r->ev[i], r->first.at);
	if (!e)
		e = packed_pack(PACKED_EVENT, b.data, &r->more);
	buf_free(&b);
	return e;
}

/* The k rows at rows (1 to EVENT_ROWS_MAX) in one statement, sent ahead
 * (store_exec_later) or not. */
static kerr append_rows(struct store_conn *c, struct row_out *rows, size_t k, bool later)
{
	kerr e = KERR_OK;
	for (size_t j = 0; !e && j < k; j++)
		e = row_prepare(&rows[j]);
	if (!e) {
		struct store_rows st;
		store_rows_begin(&st, c, &Q_EVENTS_APPEND[k - 1]);
		for (size_t j = 0; j < k; j++) {
			const struct row_out *r = &rows[j];
			store_rows_add(&st, EVENT_FMT, r->first.number, r->ev[0].org_id,
				       r->first.type, r->ev[0].agency, r->first.actor,
				       r->first.actor_role, r->first.at, r->data, r->ev[0].call_key,
				       r->more);
		}
		e = later ? store_rows_exec_later(&st) : store_rows_exec(&st);
	}
	for (size_t j = 0; j < k; j++) {
		free(rows[j].data);
		free(rows[j].more);
	}
	return e;
}

kerr repo_events_append(struct store_conn *c, const struct event_in *ev, size_t n)
{
	size_t per_row = (size_t)store_event_ids_per_row(c);
	struct row_out rows[EVENT_ROWS_MAX];
	size_t k = 0;
	kerr e = KERR_OK;
	for (size_t i = 0; !e && i < n;) {
		size_t m = 1;
		while (m < per_row && i + m < n && same_row(&ev[i], &ev[i + m]))
			m++;
		rows[k++] = (struct row_out){.ev = &ev[i], .n = m};
		i += m;
		if (k == EVENT_ROWS_MAX || i == n) {
			e = append_rows(c, rows, k, true);
			k = 0;
		}
	}
	return e;
}

kerr repo_event_append(struct store_conn *c, const struct event_in *e)
{
	struct row_out row = {.ev = e, .n = 1};
	return append_rows(c, &row, 1, false);
}

/* --- reading --- */

struct event_visit {
	event_row_fn fn;
	void *arg;
	int64_t after;  /* events at or below it are passed over */
	int64_t only;   /* the type of declaration events wanted (0: all) */
	int64_t wanted; /* events still to give (a paged reader's limit) */
	int64_t last_row;
	int64_t rows;
};

/* Whether the event `id` of `type` (its code) is to be given: the type
 * asked for holds for a declaration's events, not for a call's own
 * (number ""), as in Q_EVENTS_FEED. */
static bool wants(const struct event_visit *v, int64_t id, int64_t type, const char *number)
{
	return id > v->after && (!v->only || !*number || type == v->only) && v->wanted > 0;
}

/* Give the event (`id`, `type` code, the rest in e) unless it is passed over. */
static kerr give(struct event_visit *v, int64_t id, int64_t type, struct event_row *e)
{
	if (!wants(v, id, type, e->number))
		return KERR_OK;
	enum event_type t;
	if (!event_type_from_code(type, &t))
		return KERR_STORE;
	e->id = id;
	e->type = event_type_name(t);
	v->wanted--;
	return v->fn(v->arg, e);
}

struct more_visit {
	struct event_visit *v;
	struct event_row *e; /* the row's first event: its number, and what is shared */
	int64_t id0, at0;
	int64_t i;
};

static kerr give_line(void *arg, const struct event_line *l)
{
	struct more_visit *m = arg;
	int64_t id = m->id0 + ++m->i;
	if (!wants(m->v, id, l->type, m->e->number))
		return KERR_OK; /* its time not even written out */
	char at[KTIME_TEXT_MAX];
	ktime_format(m->at0 + l->dt, at);
	struct event_row *e = m->e;
	e->agency = l->agency;
	e->actor = l->actor ? l->actor : KOUAN_ACTOR;
	e->actor_role = l->role ? l->role : KOUAN_ROLE;
	e->at = at;
	e->call_key = l->call;
	e->data = l->data;
	return give(m->v, id, l->type, e);
}

/* The events after the first, from `more`, given one by one. */
static kerr give_more(struct event_visit *v, int64_t id0, int64_t at0, const char *more,
		      struct event_row *e)
{
	if (at0 > INT64_MAX - EVENT_LINE_SPAN_US || at0 < INT64_MIN + EVENT_LINE_SPAN_US)
		return KERR_STORE; /* no time is that far off: at0 + dt could not be */
	char *text;
	kerr err = packed_unpack(more, &text);
	if (err)
		return err == KERR_INVALID ? KERR_STORE : err;
	struct more_visit m = {v, e, id0, at0, 0};
	err = event_lines_each(text, STORE_EVENT_ROW_IDS - 1, give_line, &m);
	free(text);
	return err;
}

static kerr visit_row(void *arg, struct store_stmt *st)
{
	struct event_visit *v = arg;
	int64_t id = stmt_int(st, 0);
	v->rows++;
	v->last_row = id;
	if (v->wanted <= 0)
		return KERR_OK; /* a page's rows past the events it wanted */
	char at[KTIME_TEXT_MAX];
	col_time(st, 6, at);
	const char *actor = col_opt(st, 4), *role = col_opt(st, 5);
	struct event_row e = {
		.number = stmt_text(st, 1),
		.agency = col_opt(st, 3),
		.actor = actor ? actor : KOUAN_ACTOR,
		.actor_role = role ? role : KOUAN_ROLE,
		.at = at,
		.call_key = col_opt(st, 8),
	};
	kerr err = KERR_OK;
	int64_t type = stmt_int(st, 2);
	if (wants(v, id, type, e.number)) { /* its data unpacked only if given */
		char *data;
		err = packed_unpack(stmt_text(st, 7), &data);
		if (err)
			return err == KERR_INVALID ? KERR_STORE : err;
		e.data = data;
		err = give(v, id, type, &e);
		free(data);
		e.data = NULL;
	}
	if (!err && !stmt_is_null(st, 9))
		err = give_more(v, id, stmt_int(st, 6), stmt_text(st, 9), &e);
	return err;
}

/* Every event of the rows, none passed over. */
static kerr each_event(struct store_conn *c, const struct sql_query *q, event_row_fn fn,
		       void *arg, const char *fmt, const char *a, const char *b)
{
	struct event_visit v = {fn, arg, INT64_MIN, 0, INT64_MAX, 0, 0};
	return store_each(c, q, visit_row, &v, fmt, a, b);
}

kerr repo_events_for(struct store_conn *c, const char *number, event_row_fn fn, void *arg)
{
	return each_event(c, &Q_EVENTS_FOR, fn, arg, "s", number, NULL);
}

kerr repo_events_for_range(struct store_conn *c, const char *first, const char *last,
			   event_row_fn fn, void *arg)
{
	return each_event(c, &Q_EVENTS_FOR_RANGE, fn, arg, "ss", first, last);
}

/* A page of a paged reader: at most `rows` rows above row id `from`. */
typedef kerr (*page_fn)(struct store_conn *c, int64_t from, int64_t rows,
			struct event_visit *v, const void *arg);

/* The events after id `after`, at most `limit`, page by page (see the
 * head of this file) until they are given or the rows run out. Where rows
 * hold several events, a page asks for half as many rows as events: a
 * lodgement's row holds six to eleven, a later step's two or three, and
 * the rows past those wanted are passed over unread (visit_row). A page
 * of one type (the port operator's releases) asks for four times as many
 * rows as events instead: SQL can only tell it the rows that may hold one,
 * and most rows hold none. */
static kerr paged(struct store_conn *c, int64_t after, int limit, struct event_visit *v,
		  page_fn page, const void *arg)
{
	v->after = after;
	v->wanted = limit;
	int64_t rows = limit; /* a row an event (SQLite) */
	if (store_event_ids_per_row(c) > 1)
		rows = v->only ? 4 * (int64_t)limit : limit / 2 + 1;
	int64_t from = after > INT64_MIN + ROW_SLACK ? after - ROW_SLACK : INT64_MIN;
	for (;;) {
		v->rows = 0;
		kerr e = page(c, from, rows, v, arg);
		if (e || v->wanted <= 0 || v->rows < rows)
			return e;
		from = v->last_row;
	}
}

struct call_page {
	const char *call_key;
	int64_t horizon;
};

static kerr call_page(struct store_conn *c, int64_t from, int64_t rows, struct event_visit *v,
		      const void *arg)
{
	const struct call_page *p = arg;
	return store_each(c, &Q_EVENTS_FOR_CALL, visit_row, v, "siii", p->call_key, from,
			  p->horizon, rows);
}

kerr repo_events_for_call(struct store_conn *c, const char *call_key, int64_t after,
			  int limit, event_row_fn fn, void *arg)
{
	struct event_visit v = {.fn = fn, .arg = arg};
	struct call_page p = {call_key, 0};
	kerr e = store_feed_horizon(c, after, &p.horizon);
	return e ? e : paged(c, after, limit, &v, call_page, &p);
}

struct feed_page {
	const struct feed_view *view;
	int64_t horizon;
	bool everything;
};

static kerr feed_page(struct store_conn *c, int64_t from, int64_t rows, struct event_visit *v,
		      const void *arg)
{
	const struct feed_page *p = arg;
	const struct feed_view *view = p->view;
	if (p->everything)
		return store_each(c, &Q_EVENTS_ALL, visit_row, v, "iii", from, p->horizon, rows);
	return store_each(c, &Q_EVENTS_FEED, visit_row, v, "iiiiissssiissiiissi", from, p->horizon,
			  (int64_t)view->no_declarations, view->org_id, view->org_id,
			  view->consignee_uscc, view->consignee_uscc, view->port, view->port,
			  v->only, v->only, view->agency, view->agency,
			  (int64_t)view->calls, view->call_org_id, view->call_org_id,
			  view->call_port, view->call_port, rows);
}

kerr repo_events_feed(struct store_conn *c, int64_t after, int limit,
		      const struct feed_view *view, event_row_fn fn, void *arg)
{
	struct event_visit v = {.fn = fn, .arg = arg};
	struct feed_page p = {view, 0, false};
	kerr e = store_feed_horizon(c, after, &p.horizon);
	if (e)
		return e;
	p.everything = !view->org_id && !view->consignee_uscc && !view->port && !view->agency &&
		       !view->only_type && !view->no_declarations && view->calls &&
		       !view->call_org_id && !view->call_port;
	/* only one type: its code (-1, matching none, for a name no type has) */
	enum event_type t;
	if (view->only_type)
		v.only = event_type_parse(view->only_type, &t) ? event_type_code(t) : -1;
	return paged(c, after, limit, &v, feed_page, &p);
}
