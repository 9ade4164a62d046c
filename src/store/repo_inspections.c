/*
 * repo_inspections.c - the queries of the joint inspection and its
 * appointments (see repo_inspections.h). Portable SQL only: '?'
 * placeholders, INSERT ... ON CONFLICT, RETURNING, WITH RECURSIVE; nothing
 * specific to SQLite or PostgreSQL. Unique keys are met with ON CONFLICT DO
 * NOTHING rather than a constraint error, because an error ends a
 * PostgreSQL transaction.
 */
#include "store/repo_inspections.h"

#include <string.h>

#include "common/buf.h"
#include "common/log.h"

#define Q(name, sql) static const struct sql_query name = {sql}

/* Step a query expected to give at most one row. */
static enum store_step one(struct store_stmt *st)
{
	return st ? stmt_step(st) : STORE_ERROR;
}

/* Read the remaining rows (RETURNING) and reset. */
static void finish(struct store_stmt *st, enum store_step r)
{
	if (!st)
		return;
	while (r == STORE_ROW && (r = stmt_step(st)) == STORE_ROW)
		;
	stmt_done(st);
}

static kerr found(enum store_step r)
{
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

static json_t *col_str_or_null(struct store_stmt *st, int i)
{
	return stmt_is_null(st, i) ? json_null() : json_string(stmt_text(st, i));
}

/* --- inspections --- */

#define INSPECTION_COLS                                                        \
	"id, declaration_number, org_id, status, outcome, opened_at, updated_at," \
	" completed_at"
Q(Q_INSP_OPEN, "SELECT " INSPECTION_COLS " FROM inspections WHERE declaration_number = ?"
	       " AND status IN ('awaiting_booking', 'booked', 'in_progress')");
Q(Q_INSP_LATEST, "SELECT " INSPECTION_COLS " FROM inspections WHERE"
		 " declaration_number = ? ORDER BY id DESC LIMIT 1");
Q(Q_INSP_GET, "SELECT " INSPECTION_COLS " FROM inspections WHERE id = ?");
Q(Q_INSP_LOCK, "SELECT id FROM inspections WHERE id = ? FOR UPDATE");
Q(Q_INSP_INSERT, "INSERT INTO inspections (declaration_number, org_id, status,"
		 " opened_at, updated_at) VALUES (?, ?, 'awaiting_booking', ?, ?)"
		 " RETURNING id");
Q(Q_INSP_SET, "UPDATE inspections SET status = ?, outcome = COALESCE(?, outcome),"
	      " updated_at = ?, completed_at = COALESCE(?, completed_at) WHERE id = ?");

static kerr read_inspection(struct store_stmt *st, struct inspection_row *out)
{
	enum store_step r = one(st);
	if (r == STORE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = stmt_int(st, 0);
		str_copy(out->declaration_number, stmt_text(st, 1),
			 sizeof out->declaration_number);
		out->org_id = stmt_int(st, 2);
		str_copy(out->status, stmt_text(st, 3), sizeof out->status);
		str_copy(out->outcome, stmt_text(st, 4), sizeof out->outcome);
		str_copy(out->opened_at, stmt_text(st, 5), sizeof out->opened_at);
		str_copy(out->updated_at, stmt_text(st, 6), sizeof out->updated_at);
		str_copy(out->completed_at, stmt_text(st, 7), sizeof out->completed_at);
	}
	finish(st, r);
	return found(r);
}

kerr repo_inspection_open_for(struct store_conn *c, const char *number,
			      struct inspection_row *out)
{
	return read_inspection(store_query(c, &Q_INSP_OPEN, "s", number), out);
}

kerr repo_inspection_latest_for(struct store_conn *c, const char *number,
				struct inspection_row *out)
{
	return read_inspection(store_query(c, &Q_INSP_LATEST, "s", number), out);
}

kerr repo_inspection_get(struct store_conn *c, int64_t id, struct inspection_row *out)
{
	return read_inspection(store_query(c, &Q_INSP_GET, "i", id), out);
}

kerr repo_inspection_lock(struct store_conn *c, int64_t id)
{
	if (!((struct store_conn_base *)c)->store->row_locks)
		return KERR_OK;
	struct store_stmt *st = store_query(c, &Q_INSP_LOCK, "i", id);
	enum store_step r = one(st);
	finish(st, r);
	return found(r);
}

kerr repo_inspection_insert(struct store_conn *c, const char *number, int64_t org_id,
			    const char *now, int64_t *id)
{
	struct store_stmt *st = store_query(c, &Q_INSP_INSERT, "siss", number, org_id,
					    now, now);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		*id = stmt_int(st, 0);
	finish(st, r);
	return r == STORE_ROW ? KERR_OK : r == STORE_CONSTRAINT ? KERR_CONFLICT : KERR_STORE;
}

kerr repo_inspection_set(struct store_conn *c, int64_t id, const char *status,
			 const char *outcome, const char *now, const char *completed_at)
{
	return store_exec(c, &Q_INSP_SET, "ssssi", status, outcome, now, completed_at, id);
}

Q(Q_AGENCY_ADD, "INSERT INTO inspection_agencies (inspection_id, agency, joined_at)"
		" VALUES (?, ?, ?) ON CONFLICT (inspection_id, agency) DO NOTHING"
		" RETURNING agency");
Q(Q_AGENCY_REMOVE, "DELETE FROM inspection_agencies WHERE inspection_id = ?"
		   " AND agency = ?");
Q(Q_AGENCY_IN, "SELECT agency FROM inspection_agencies WHERE inspection_id = ?"
	       " AND agency = ?");
Q(Q_AGENCIES, "SELECT a.agency, a.joined_at, f.result, f.decision, f.note,"
	      " f.recognised_from, f.recorded_by, f.recorded_at"
	      " FROM inspection_agencies a LEFT JOIN inspection_findings f"
	      " ON f.inspection_id = a.inspection_id AND f.agency = a.agency"
	      " WHERE a.inspection_id = ? ORDER BY a.joined_at, a.agency");
Q(Q_PROGRESS, "SELECT (SELECT COUNT(*) FROM inspection_agencies WHERE inspection_id = ?),"
	      " (SELECT COUNT(*) FROM inspection_findings WHERE inspection_id = ?),"
	      " (SELECT COUNT(*) FROM inspection_findings WHERE inspection_id = ?"
	      " AND result = 'problem')");
Q(Q_DECL_STATUS, "SELECT status FROM declarations WHERE number = ?");

kerr repo_inspection_agency_add(struct store_conn *c, int64_t id, const char *agency,
				const char *now, bool *added)
{
	struct store_stmt *st = store_query(c, &Q_AGENCY_ADD, "iss", id, agency, now);
	enum store_step r = one(st);
	finish(st, r);
	*added = r == STORE_ROW;
	return r == STORE_ROW || r == STORE_DONE ? KERR_OK : KERR_STORE;
}

kerr repo_inspection_agency_remove(struct store_conn *c, int64_t id, const char *agency)
{
	return store_exec(c, &Q_AGENCY_REMOVE, "is", id, agency);
}

kerr repo_inspection_agency_in(struct store_conn *c, int64_t id, const char *agency)
{
	struct store_stmt *st = store_query(c, &Q_AGENCY_IN, "is", id, agency);
	enum store_step r = one(st);
	finish(st, r);
	return found(r);
}

json_t *repo_inspection_agencies(struct store_conn *c, int64_t id)
{
	struct store_stmt *st = store_query(c, &Q_AGENCIES, "i", id);
	if (!st)
		return NULL;
	json_t *a = json_array();
	enum store_step r;
	while ((r = stmt_step(st)) == STORE_ROW) {
		json_t *finding = json_null();
		if (!stmt_is_null(st, 2)) {
			finding = json_pack("{s:s, s:o, s:o, s:o, s:s, s:s}", "result",
					    stmt_text(st, 2), "decision", col_str_or_null(st, 3),
					    "note", col_str_or_null(st, 4), "recognised_from",
					    col_str_or_null(st, 5), "recorded_by",
					    stmt_text(st, 6), "recorded_at", stmt_text(st, 7));
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "agency",
						   stmt_text(st, 0), "joined_at",
						   stmt_text(st, 1), "finding", finding));
	}
	stmt_done(st);
	if (r != STORE_DONE) {
		json_decref(a);
		return NULL;
	}
	return a;
}

kerr repo_inspection_progress(struct store_conn *c, int64_t id, int64_t *agencies,
			      int64_t *findings, int64_t *problems)
{
	struct store_stmt *st = store_query(c, &Q_PROGRESS, "iii", id, id, id);
	enum store_step r = one(st);
	if (r == STORE_ROW) {
		*agencies = stmt_int(st, 0);
		*findings = stmt_int(st, 1);
		*problems = stmt_int(st, 2);
	}
	finish(st, r);
	return r == STORE_ROW ? KERR_OK : KERR_STORE;
}

kerr repo_inspection_decl_status(struct store_conn *c, const char *number, char *out,
				 size_t n)
{
	struct store_stmt *st = store_query(c, &Q_DECL_STATUS, "s", number);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		str_copy(out, stmt_text(st, 0), n);
	finish(st, r);
	return found(r);
}

/* --- findings --- */

Q(Q_FINDING_GET, "SELECT agency, result, decision, note, recognised_from, recorded_by,"
		 " recorded_at FROM inspection_findings WHERE inspection_id = ?"
		 " AND agency = ?");
Q(Q_FINDING_INSERT,
  "INSERT INTO inspection_findings (inspection_id, agency, declaration_number,"
  " result, decision, note, recognised_from, recorded_by, recorded_at)"
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id, agency)"
  " DO NOTHING RETURNING agency");

kerr repo_finding_get(struct store_conn *c, int64_t id, const char *agency,
		      struct finding_row *out)
{
	struct store_stmt *st = store_query(c, &Q_FINDING_GET, "is", id, agency);
	enum store_step r = one(st);
	if (r == STORE_ROW) {
		memset(out, 0, sizeof *out);
		str_copy(out->agency, stmt_text(st, 0), sizeof out->agency);
		str_copy(out->result, stmt_text(st, 1), sizeof out->result);
		str_copy(out->decision, stmt_text(st, 2), sizeof out->decision);
		str_copy(out->note, stmt_text(st, 3), sizeof out->note);
		str_copy(out->recognised_from, stmt_text(st, 4), sizeof out->recognised_from);
		str_copy(out->recorded_by, stmt_text(st, 5), sizeof out->recorded_by);
		str_copy(out->recorded_at, stmt_text(st, 6), sizeof out->recorded_at);
	}
	finish(st, r);
	return found(r);
}

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

kerr repo_finding_insert(struct store_conn *c, int64_t id, const char *number,
			 const struct finding_row *f)
{
	struct store_stmt *st = store_query(
		c, &Q_FINDING_INSERT, "issssssss", id, f->agency, number, f->result,
		or_null(f->decision), or_null(f->note), or_null(f->recognised_from),
		f->recorded_by, f->recorded_at);
	enum store_step r = one(st);
	finish(st, r);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_CONFLICT : KERR_STORE;
}

/* --- sites --- */

#define SITE_COLS "code, name, port, slot_minutes, capacity, created_at"
Q(Q_SITE_INSERT, "INSERT INTO inspection_sites (" SITE_COLS ") VALUES (?, ?, ?, ?, ?, ?)"
		 " ON CONFLICT (code) DO NOTHING RETURNING code");
Q(Q_SITE_GET, "SELECT " SITE_COLS " FROM inspection_sites WHERE code = ?");
Q(Q_SITE_LIST, "SELECT " SITE_COLS " FROM inspection_sites ORDER BY code");

kerr repo_site_insert(struct store_conn *c, const struct site_row *s)
{
	struct store_stmt *st = store_query(c, &Q_SITE_INSERT, "sssiis", s->code, s->name,
					    s->port, s->slot_minutes, s->capacity,
					    s->created_at);
	enum store_step r = one(st);
	finish(st, r);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_CONFLICT : KERR_STORE;
}

static void read_site(struct store_stmt *st, struct site_row *out)
{
	memset(out, 0, sizeof *out);
	str_copy(out->code, stmt_text(st, 0), sizeof out->code);
	str_copy(out->name, stmt_text(st, 1), sizeof out->name);
	str_copy(out->port, stmt_text(st, 2), sizeof out->port);
	out->slot_minutes = stmt_int(st, 3);
	out->capacity = stmt_int(st, 4);
	str_copy(out->created_at, stmt_text(st, 5), sizeof out->created_at);
}

kerr repo_site_get(struct store_conn *c, const char *code, struct site_row *out)
{
	struct store_stmt *st = store_query(c, &Q_SITE_GET, "s", code);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		read_site(st, out);
	finish(st, r);
	return found(r);
}

json_t *repo_site_list(struct store_conn *c)
{
	struct store_stmt *st = store_query(c, &Q_SITE_LIST, "");
	if (!st)
		return NULL;
	json_t *a = json_array();
	struct site_row s;
	enum store_step r;
	while ((r = stmt_step(st)) == STORE_ROW) {
		read_site(st, &s);
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "code", s.code,
				     "name", s.name, "port", s.port, "slot_minutes",
				     (json_int_t)s.slot_minutes, "capacity",
				     (json_int_t)s.capacity, "created_at", s.created_at));
	}
	stmt_done(st);
	if (r != STORE_DONE) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* --- bookings --- */

Q(Q_BOOKING_GET, "SELECT site_code, slot_start, seat, booked_at, booked_by"
		 " FROM inspection_bookings WHERE inspection_id = ?");
/* The lowest free place of the slot among 1..capacity, taken in one
 * statement. Two writers that pick the same place at once meet on the
 * primary key: the second waits for the first, then inserts nothing (DO
 * NOTHING) and picks again with a fresh view. */
Q(Q_BOOKING_TAKE,
  "WITH RECURSIVE seats (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seats"
  " WHERE n < CAST(? AS INTEGER))"
  " INSERT INTO inspection_bookings (site_code, slot_start, seat, inspection_id,"
  " booked_at, booked_by)"
  " SELECT CAST(? AS TEXT), CAST(? AS TEXT), s.n, CAST(? AS BIGINT), CAST(? AS TEXT),"
  " CAST(? AS TEXT) FROM seats s WHERE NOT EXISTS (SELECT 1 FROM inspection_bookings b"
  " WHERE b.site_code = ? AND b.slot_start = ? AND b.seat = s.n)"
  " ORDER BY s.n LIMIT 1 ON CONFLICT DO NOTHING RETURNING seat");
Q(Q_SLOT_TAKEN, "SELECT COUNT(*) FROM inspection_bookings WHERE site_code = ?"
		" AND slot_start = ?");
Q(Q_BOOKING_RELEASE, "DELETE FROM inspection_bookings WHERE inspection_id = ?"
		     " RETURNING seat");
Q(Q_SITE_BOOKINGS,
  "SELECT b.slot_start, b.seat, b.inspection_id, i.declaration_number, i.status,"
  " b.booked_at FROM inspection_bookings b JOIN inspections i ON i.id = b.inspection_id"
  " WHERE b.site_code = ? AND b.slot_start >= ? AND b.slot_start < ?"
  " ORDER BY b.slot_start, b.seat");

kerr repo_booking_get(struct store_conn *c, int64_t inspection_id, struct booking_row *out)
{
	struct store_stmt *st = store_query(c, &Q_BOOKING_GET, "i", inspection_id);
	enum store_step r = one(st);
	if (r == STORE_ROW) {
		memset(out, 0, sizeof *out);
		str_copy(out->site_code, stmt_text(st, 0), sizeof out->site_code);
		str_copy(out->slot_start, stmt_text(st, 1), sizeof out->slot_start);
		out->seat = stmt_int(st, 2);
		str_copy(out->booked_at, stmt_text(st, 3), sizeof out->booked_at);
		str_copy(out->booked_by, stmt_text(st, 4), sizeof out->booked_by);
	}
	finish(st, r);
	return found(r);
}

static kerr slot_taken(struct store_conn *c, const char *site, const char *slot_start,
		       int64_t *taken)
{
	struct store_stmt *st = store_query(c, &Q_SLOT_TAKEN, "ss", site, slot_start);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		*taken = stmt_int(st, 0);
	finish(st, r);
	return r == STORE_ROW ? KERR_OK : KERR_STORE;
}

kerr repo_booking_take(struct store_conn *c, const char *site, const char *slot_start,
		       int64_t capacity, int64_t inspection_id, const char *now,
		       const char *by, int64_t *seat)
{
	/* each lost race means a concurrent writer took a place for good, so
	 * at most `capacity` rounds end in a full slot; the margin covers
	 * places freed and retaken meanwhile */
	for (int64_t round = 0; round < capacity + 16; round++) {
		struct store_stmt *st = store_query(c, &Q_BOOKING_TAKE, "ississss", capacity,
						    site, slot_start, inspection_id, now, by,
						    site, slot_start);
		enum store_step r = one(st);
		if (r == STORE_ROW)
			*seat = stmt_int(st, 0);
		finish(st, r);
		if (r == STORE_ROW)
			return KERR_OK;
		if (r != STORE_DONE)
			return KERR_STORE;
		int64_t taken = 0;
		kerr e = slot_taken(c, site, slot_start, &taken);
		if (e)
			return e;
		if (taken >= capacity)
			return KERR_CONFLICT;
	}
	log_warn("inspections: no place settled in slot %s of %s after many rounds",
		 slot_start, site);
	return KERR_BUSY;
}

kerr repo_booking_release(struct store_conn *c, int64_t inspection_id)
{
	struct store_stmt *st = store_query(c, &Q_BOOKING_RELEASE, "i", inspection_id);
	enum store_step r = one(st);
	finish(st, r);
	return found(r);
}

json_t *repo_site_bookings(struct store_conn *c, const char *site, const char *from,
			   const char *to)
{
	struct store_stmt *st = store_query(c, &Q_SITE_BOOKINGS, "sss", site, from, to);
	if (!st)
		return NULL;
	json_t *a = json_array();
	enum store_step r;
	while ((r = stmt_step(st)) == STORE_ROW)
		json_array_append_new(
			a, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "slot_start",
				     stmt_text(st, 0), "seat", (json_int_t)stmt_int(st, 1),
				     "inspection", (json_int_t)stmt_int(st, 2),
				     "declaration_number", stmt_text(st, 3), "status",
				     stmt_text(st, 4), "booked_at", stmt_text(st, 5)));
	stmt_done(st);
	if (r != STORE_DONE) {
		json_decref(a);
		return NULL;
	}
	return a;
}
