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

#include "common/log.h"
#include "store/repo_internal.h"

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

static kerr read_inspection(void *arg, struct store_stmt *st)
{
	struct inspection_row *out = arg;
	memset(out, 0, sizeof *out);
	out->id = stmt_int(st, 0);
	col_copy(st, 1, out->declaration_number, sizeof out->declaration_number);
	out->org_id = stmt_int(st, 2);
	if (!inspection_status_parse(stmt_text(st, 3), &out->status))
		return KERR_STORE;
	out->has_outcome = !stmt_is_null(st, 4) && *stmt_text(st, 4);
	if (out->has_outcome && !finding_result_parse(stmt_text(st, 4), &out->outcome))
		return KERR_STORE;
	col_copy(st, 5, out->opened_at, sizeof out->opened_at);
	col_copy(st, 6, out->updated_at, sizeof out->updated_at);
	col_copy(st, 7, out->completed_at, sizeof out->completed_at);
	return KERR_OK;
}

kerr repo_inspection_open_for(struct store_conn *c, const char *number,
			      struct inspection_row *out)
{
	return store_first(c, &Q_INSP_OPEN, read_inspection, out, "s", number);
}

kerr repo_inspection_latest_for(struct store_conn *c, const char *number,
				struct inspection_row *out)
{
	return store_first(c, &Q_INSP_LATEST, read_inspection, out, "s", number);
}

kerr repo_inspection_get(struct store_conn *c, int64_t id, struct inspection_row *out)
{
	return store_first(c, &Q_INSP_GET, read_inspection, out, "i", id);
}

kerr repo_inspection_lock(struct store_conn *c, int64_t id)
{
	if (!store_row_locks(c))
		return KERR_OK;
	return store_first(c, &Q_INSP_LOCK, NULL, NULL, "i", id);
}

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

kerr repo_inspection_insert(struct store_conn *c, const char *number, int64_t org_id,
			    const char *now, int64_t *id)
{
	kerr e = store_first(c, &Q_INSP_INSERT, read_int, id, "siss", number, org_id, now,
			     now);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

kerr repo_inspection_set(struct store_conn *c, int64_t id, enum inspection_status status,
			 const enum finding_result *outcome, const char *now,
			 const char *completed_at)
{
	return store_exec(c, &Q_INSP_SET, "ssssi", inspection_status_name(status),
			  outcome ? finding_result_name(*outcome) : NULL, now, completed_at,
			  id);
}

Q(Q_AGENCY_ADD, "INSERT INTO inspection_agencies (inspection_id, agency, joined_at)"
		" VALUES (?, ?, ?) ON CONFLICT (inspection_id, agency) DO NOTHING"
		" RETURNING agency");
Q(Q_AGENCY_REMOVE, "DELETE FROM inspection_agencies WHERE inspection_id = ?"
		   " AND agency = ?");
Q(Q_AGENCY_IN, "SELECT agency FROM inspection_agencies WHERE inspection_id = ?"
	       " AND agency = ?");
#define FINDING_COLS "f.agency, f.result, f.decision, f.note, f.recognised_from," \
		     " f.recorded_by, f.recorded_at"
Q(Q_AGENCIES, "SELECT a.agency, a.joined_at, " FINDING_COLS
	      " FROM inspection_agencies a LEFT JOIN inspection_findings f"
	      " ON f.inspection_id = a.inspection_id AND f.agency = a.agency"
	      " WHERE a.inspection_id = ? ORDER BY a.joined_at, a.agency");
Q(Q_PROGRESS, "SELECT (SELECT COUNT(*) FROM inspection_agencies WHERE inspection_id = ?),"
	      " (SELECT COUNT(*) FROM inspection_findings WHERE inspection_id = ?),"
	      " (SELECT COUNT(*) FROM inspection_findings WHERE inspection_id = ?"
	      " AND result = 'problem')");

kerr repo_inspection_agency_add(struct store_conn *c, int64_t id, const char *agency,
				const char *now, bool *added)
{
	kerr e = store_first(c, &Q_AGENCY_ADD, NULL, NULL, "iss", id, agency, now);
	*added = e == KERR_OK;
	return e == KERR_NOT_FOUND ? KERR_OK : e;
}

kerr repo_inspection_agency_remove(struct store_conn *c, int64_t id, const char *agency)
{
	return store_exec(c, &Q_AGENCY_REMOVE, "is", id, agency);
}

kerr repo_inspection_agency_in(struct store_conn *c, int64_t id, const char *agency)
{
	return store_first(c, &Q_AGENCY_IN, NULL, NULL, "is", id, agency);
}

/* A finding from columns first .. first+6 (FINDING_COLS). */
static kerr finding_from(struct store_stmt *st, int first, struct finding *f)
{
	memset(f, 0, sizeof *f);
	col_copy(st, first, f->agency, sizeof f->agency);
	if (!finding_result_parse(stmt_text(st, first + 1), &f->result))
		return KERR_STORE;
	f->has_decision = !stmt_is_null(st, first + 2);
	if (f->has_decision && !decision_parse(stmt_text(st, first + 2), &f->decision))
		return KERR_STORE;
	col_copy(st, first + 3, f->note, sizeof f->note);
	col_copy(st, first + 4, f->recognised_from, sizeof f->recognised_from);
	col_copy(st, first + 5, f->recorded_by, sizeof f->recorded_by);
	col_copy(st, first + 6, f->recorded_at, sizeof f->recorded_at);
	return KERR_OK;
}

struct agency_visit {
	inspection_agency_fn fn;
	void *arg;
};

static kerr visit_agency(void *arg, struct store_stmt *st)
{
	struct agency_visit *v = arg;
	struct inspection_agency_row a = {.agency = stmt_text(st, 0),
					  .joined_at = stmt_text(st, 1),
					  .has_finding = !stmt_is_null(st, 3)};
	if (a.has_finding) {
		kerr e = finding_from(st, 2, &a.finding);
		if (e)
			return e;
	}
	return v->fn(v->arg, &a);
}

kerr repo_inspection_agencies(struct store_conn *c, int64_t id, inspection_agency_fn fn,
			      void *arg)
{
	struct agency_visit v = {fn, arg};
	return store_each(c, &Q_AGENCIES, visit_agency, &v, "i", id);
}

struct progress {
	int64_t *agencies, *findings, *problems;
};

static kerr read_progress(void *arg, struct store_stmt *st)
{
	struct progress *p = arg;
	*p->agencies = stmt_int(st, 0);
	*p->findings = stmt_int(st, 1);
	*p->problems = stmt_int(st, 2);
	return KERR_OK;
}

kerr repo_inspection_progress(struct store_conn *c, int64_t id, int64_t *agencies,
			      int64_t *findings, int64_t *problems)
{
	struct progress p = {agencies, findings, problems};
	kerr e = store_first(c, &Q_PROGRESS, read_progress, &p, "iii", id, id, id);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

/* --- findings --- */

Q(Q_FINDING_GET, "SELECT " FINDING_COLS " FROM inspection_findings f"
		 " WHERE f.inspection_id = ? AND f.agency = ?");
Q(Q_FINDING_INSERT,
  "INSERT INTO inspection_findings (inspection_id, agency, declaration_number,"
  " result, decision, note, recognised_from, recorded_by, recorded_at)"
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id, agency)"
  " DO NOTHING RETURNING agency");

static kerr read_finding(void *arg, struct store_stmt *st)
{
	return finding_from(st, 0, arg);
}

kerr repo_finding_get(struct store_conn *c, int64_t id, const char *agency,
		      struct finding *out)
{
	return store_first(c, &Q_FINDING_GET, read_finding, out, "is", id, agency);
}

kerr repo_finding_insert(struct store_conn *c, int64_t id, const char *number,
			 const struct finding *f)
{
	kerr e = store_first(c, &Q_FINDING_INSERT, NULL, NULL, "issssssss", id, f->agency,
			     number, finding_result_name(f->result),
			     f->has_decision ? decision_name(f->decision) : NULL,
			     or_null(f->note), or_null(f->recognised_from), f->recorded_by,
			     f->recorded_at);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

/* --- sites --- */

#define SITE_COLS "code, name, port, slot_minutes, capacity, created_at"
Q(Q_SITE_INSERT, "INSERT INTO inspection_sites (" SITE_COLS ") VALUES (?, ?, ?, ?, ?, ?)"
		 " ON CONFLICT (code) DO NOTHING RETURNING code");
Q(Q_SITE_GET, "SELECT " SITE_COLS " FROM inspection_sites WHERE code = ?");
Q(Q_SITE_LIST, "SELECT " SITE_COLS " FROM inspection_sites ORDER BY code");

kerr repo_site_insert(struct store_conn *c, const struct inspection_site *s)
{
	kerr e = store_first(c, &Q_SITE_INSERT, NULL, NULL, "sssiis", s->code, s->name,
			     s->port, s->slot_minutes, s->capacity, s->created_at);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

static void site_from(struct store_stmt *st, struct inspection_site *out)
{
	memset(out, 0, sizeof *out);
	col_copy(st, 0, out->code, sizeof out->code);
	col_copy(st, 1, out->name, sizeof out->name);
	col_copy(st, 2, out->port, sizeof out->port);
	out->slot_minutes = stmt_int(st, 3);
	out->capacity = stmt_int(st, 4);
	col_copy(st, 5, out->created_at, sizeof out->created_at);
}

static kerr read_site(void *arg, struct store_stmt *st)
{
	site_from(st, arg);
	return KERR_OK;
}

kerr repo_site_get(struct store_conn *c, const char *code, struct inspection_site *out)
{
	return store_first(c, &Q_SITE_GET, read_site, out, "s", code);
}

struct site_visit {
	site_fn fn;
	void *arg;
};

static kerr visit_site(void *arg, struct store_stmt *st)
{
	struct site_visit *v = arg;
	struct inspection_site s;
	site_from(st, &s);
	return v->fn(v->arg, &s);
}

kerr repo_site_list(struct store_conn *c, site_fn fn, void *arg)
{
	struct site_visit v = {fn, arg};
	return store_each(c, &Q_SITE_LIST, visit_site, &v, "");
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

static kerr read_booking(void *arg, struct store_stmt *st)
{
	struct booking_row *out = arg;
	memset(out, 0, sizeof *out);
	col_copy(st, 0, out->site_code, sizeof out->site_code);
	col_copy(st, 1, out->slot_start, sizeof out->slot_start);
	out->seat = stmt_int(st, 2);
	col_copy(st, 3, out->booked_at, sizeof out->booked_at);
	col_copy(st, 4, out->booked_by, sizeof out->booked_by);
	return KERR_OK;
}

kerr repo_booking_get(struct store_conn *c, int64_t inspection_id, struct booking_row *out)
{
	return store_first(c, &Q_BOOKING_GET, read_booking, out, "i", inspection_id);
}

kerr repo_booking_take(struct store_conn *c, const char *site, const char *slot_start,
		       int64_t capacity, int64_t inspection_id, const char *now,
		       const char *by, int64_t *seat)
{
	/* each lost race means a concurrent writer took a place for good, so
	 * at most `capacity` rounds end in a full slot; the margin covers
	 * places freed and retaken meanwhile */
	for (int64_t round = 0; round < capacity + 16; round++) {
		kerr e = store_first(c, &Q_BOOKING_TAKE, read_int, seat, "ississss", capacity,
				     site, slot_start, inspection_id, now, by, site,
				     slot_start);
		if (e != KERR_NOT_FOUND)
			return e;
		int64_t taken = 0;
		e = store_first(c, &Q_SLOT_TAKEN, read_int, &taken, "ss", site, slot_start);
		if (e)
			return e == KERR_NOT_FOUND ? KERR_STORE : e;
		if (taken >= capacity)
			return KERR_CONFLICT;
	}
	log_warn("inspections: no place settled in slot %s of %s after many rounds",
		 slot_start, site);
	return KERR_BUSY;
}

kerr repo_booking_release(struct store_conn *c, int64_t inspection_id)
{
	return store_first(c, &Q_BOOKING_RELEASE, NULL, NULL, "i", inspection_id);
}

struct booking_visit {
	site_booking_fn fn;
	void *arg;
};

static kerr visit_booking(void *arg, struct store_stmt *st)
{
	struct booking_visit *v = arg;
	struct site_booking_row b = {stmt_text(st, 0), stmt_int(st, 1), stmt_int(st, 2),
				     stmt_text(st, 3), stmt_text(st, 4), stmt_text(st, 5)};
	return v->fn(v->arg, &b);
}

kerr repo_site_bookings(struct store_conn *c, const char *site, const char *from,
			const char *to, site_booking_fn fn, void *arg)
{
	struct booking_visit v = {fn, arg};
	return store_each(c, &Q_SITE_BOOKINGS, visit_booking, &v, "sss", site, from, to);
}
