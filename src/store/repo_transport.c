/*
 * repo_transport.c - the queries of the transport side (see
 * repo_transport.h). Portable SQL only: '?' placeholders, INSERT ... ON
 * CONFLICT, RETURNING, optional filters as (CAST(? AS TEXT) IS NULL OR
 * column = ?); nothing specific to SQLite or PostgreSQL.
 *
 * Never: insert into a table with a unique key other than with ON CONFLICT
 * (an error would end a PostgreSQL transaction), or shape an answer.
 */
#include "store/repo_transport.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "store/repo_internal.h"

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

/* A row that must exist after an insert with RETURNING: none means the
 * insert met a unique key. */
static kerr inserted(kerr e)
{
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

static char *dup_text(struct store_stmt *st, int i, kerr *e)
{
	if (stmt_is_null(st, i))
		return NULL;
	char *s = strdup(stmt_text(st, i));
	if (!s)
		*e = KERR_NOMEM;
	return s;
}

/* --- calls --- */

#define CALL_COLS                                                              \
	"call_key, transport_mode, port, carrier_org_id, arrived_at, departed_at,"   \
	" entry_permitted_at, departure_permitted_at, created_at"
Q(Q_CALL_LOCK, "INSERT INTO transport_calls (call_key, transport_mode, port,"
	       " carrier_org_id, created_at) VALUES (?, ?, ?, ?, ?)"
	       " ON CONFLICT (call_key) DO UPDATE SET carrier_org_id ="
	       " COALESCE(transport_calls.carrier_org_id, excluded.carrier_org_id)");
Q(Q_CALL_GET, "SELECT " CALL_COLS " FROM transport_calls WHERE call_key = ?");
Q(Q_CALL_SET, "UPDATE transport_calls SET arrived_at = COALESCE(?, arrived_at),"
	      " departed_at = COALESCE(?, departed_at),"
	      " entry_permitted_at = COALESCE(?, entry_permitted_at),"
	      " departure_permitted_at = COALESCE(?, departure_permitted_at)"
	      " WHERE call_key = ?");

kerr repo_call_lock(struct store_conn *c, const char *key, const char *mode,
		    const char *port, int64_t carrier_org_id, const char *now)
{
	if (carrier_org_id > 0)
		return store_exec(c, &Q_CALL_LOCK, "sssis", key, mode, port, carrier_org_id,
				  now);
	return store_exec(c, &Q_CALL_LOCK, "sssns", key, mode, port, now);
}

/* PostgreSQL only (repo_call_lock_claim). The bill and container keys
 * come as one text, a key a line; their hashes are locked in ascending
 * order (two claims never wait for each other in a circle), under the
 * class 72423005 of two-part advisory keys (the store's one-part keys are
 * a space of their own). Two keys of one hash only wait for each other. */
Q(Q_CALL_SHARE, "SELECT 1 FROM transport_calls WHERE call_key = ? FOR SHARE");
Q(Q_CALL_NEW, "INSERT INTO transport_calls (call_key, transport_mode, port, created_at)"
	      " VALUES (?, ?, ?, ?) ON CONFLICT (call_key) DO NOTHING");
Q(Q_CLAIM_LOCKS, "SELECT COUNT(pg_advisory_xact_lock(72423005, h)) FROM (SELECT DISTINCT"
		 " hashtext(k) AS h FROM unnest(string_to_array(?, chr(10))) AS k"
		 " ORDER BY h) s");

kerr repo_call_lock_claim(struct store_conn *c, const char *key, const char *mode,
			  const char *port, const char *now, const char *bill,
			  const char (*containers)[CONTAINER_NUMBER_MAX], size_t ncontainers)
{
	if (!store_row_locks(c))
		return repo_call_lock(c, key, mode, port, 0, now);
	/* sent ahead, nothing waited for: the call made if it is new (or
	 * waited for, while another transaction makes it), then locked by a
	 * statement of its own, which sees it either way */
	kerr e = store_exec_later(c, &Q_CALL_NEW, "ssss", key, mode, port, now);
	if (!e)
		e = store_exec_later(c, &Q_CALL_SHARE, "s", key);
	struct buf keys;
	buf_init(&keys, 64 * 1024);
	if (!e)
		e = buf_printf(&keys, "bill %s %s", key, bill);
	for (size_t i = 0; !e && i < ncontainers; i++)
		e = buf_printf(&keys, "\ncontainer %s %s", key, containers[i]);
	/* sent ahead: the statements after it run once it has its locks, and
	 * the next that waits reads what was committed by then (a deadlock
	 * loses the transaction there, to be run again) */
	if (!e)
		e = store_exec_later(c, &Q_CLAIM_LOCKS, "s", keys.data);
	buf_free(&keys);
	return e;
}

static kerr read_call(void *arg, struct store_stmt *st)
{
	struct call_row *r = arg;
	memset(r, 0, sizeof *r);
	col_copy(st, 0, r->key, sizeof r->key);
	col_copy(st, 1, r->transport_mode, sizeof r->transport_mode);
	col_copy(st, 2, r->port, sizeof r->port);
	r->carrier_org_id = stmt_is_null(st, 3) ? 0 : stmt_int(st, 3);
	col_copy(st, 4, r->arrived_at, sizeof r->arrived_at);
	col_copy(st, 5, r->departed_at, sizeof r->departed_at);
	col_copy(st, 6, r->entry_permitted_at, sizeof r->entry_permitted_at);
	col_copy(st, 7, r->departure_permitted_at, sizeof r->departure_permitted_at);
	col_copy(st, 8, r->created_at, sizeof r->created_at);
	return KERR_OK;
}

kerr repo_call_get(struct store_conn *c, const char *key, struct call_row *out)
{
	return store_first(c, &Q_CALL_GET, read_call, out, "s", key);
}

kerr repo_call_set(struct store_conn *c, const char *key, const char *arrived_at,
		   const char *departed_at, const char *entry_permitted_at,
		   const char *departure_permitted_at)
{
	return store_exec(c, &Q_CALL_SET, "sssss", arrived_at, departed_at,
			  entry_permitted_at, departure_permitted_at, key);
}

/* --- conveyance reports --- */

static const char *const permission_words[PERMISSION_STATE_COUNT] = {
	"pending", "returned", "granted", "refused"};

static bool permission_parse(const char *s, enum permission_state *out)
{
	for (int i = 0; s && i < PERMISSION_STATE_COUNT; i++) {
		if (!strcmp(s, permission_words[i])) {
			*out = (enum permission_state)i;
			return true;
		}
	}
	return false;
}

static bool kind_parse(const char *s, enum conveyance_kind *out)
{
	if (s && !strcmp(s, "arrival"))
		*out = CONVEYANCE_ARRIVAL;
	else if (s && !strcmp(s, "departure"))
		*out = CONVEYANCE_DEPARTURE;
	else
		return false;
	return true;
}

void report_row_free(struct report_row *r)
{
	free(r->body);
	r->body = NULL;
}

#define REPORT_COLS                                                            \
	"id, call_key, kind, transport_mode, port, port_office, org_id, version,"    \
	" permission, lodged_at, updated_at"
Q(Q_REPORT_INSERT, "INSERT INTO conveyance_reports (call_key, kind, transport_mode,"
		   " port, port_office, org_id, version, body, permission, lodged_at,"
		   " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		   " ON CONFLICT DO NOTHING RETURNING id");
Q(Q_REPORT_GET, "SELECT " REPORT_COLS ", body FROM conveyance_reports WHERE id = ?");
Q(Q_REPORT_FIND, "SELECT id FROM conveyance_reports WHERE call_key = ? AND kind = ?");
Q(Q_REPORT_LOCK, "SELECT id FROM conveyance_reports WHERE id = ? FOR UPDATE");
Q(Q_REPORT_UPDATE, "UPDATE conveyance_reports SET version = ?, body = ?, permission = ?,"
		   " updated_at = ? WHERE id = ?");
Q(Q_REPORT_KEEP, "INSERT INTO conveyance_report_versions (report_id, version, body,"
		 " superseded_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
Q(Q_REPORT_LIST,
  "SELECT " REPORT_COLS " FROM conveyance_reports r WHERE r.id > ?"
  " AND (CAST(? AS BIGINT) = 0 OR r.org_id = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR r.port = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR r.permission = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM conveyance_tasks t"
  " WHERE t.report_id = r.id AND t.agency = ?))"
  " ORDER BY r.id LIMIT ?");

static kerr report_from(struct store_stmt *st, struct report_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = stmt_int(st, 0);
	col_copy(st, 1, r->call_key, sizeof r->call_key);
	if (!kind_parse(stmt_text(st, 2), &r->kind))
		return KERR_STORE;
	col_copy(st, 3, r->transport_mode, sizeof r->transport_mode);
	col_copy(st, 4, r->port, sizeof r->port);
	col_copy(st, 5, r->port_office, sizeof r->port_office);
	r->org_id = stmt_int(st, 6);
	r->version = stmt_int(st, 7);
	if (!permission_parse(stmt_text(st, 8), &r->permission))
		return KERR_STORE;
	col_copy(st, 9, r->lodged_at, sizeof r->lodged_at);
	col_copy(st, 10, r->updated_at, sizeof r->updated_at);
	return KERR_OK;
}

static kerr read_report(void *arg, struct store_stmt *st)
{
	struct report_row *r = arg;
	kerr e = report_from(st, r);
	if (!e)
		r->body = dup_text(st, 11, &e);
	return e;
}

kerr repo_report_insert(struct store_conn *c, struct report_row *r)
{
	return inserted(store_first(c, &Q_REPORT_INSERT, read_int, &r->id, "sssssiissss",
				    r->call_key, conveyance_kind_name(r->kind),
				    r->transport_mode, r->port, r->port_office, r->org_id,
				    r->version, r->body,
				    permission_words[r->permission], r->lodged_at,
				    r->updated_at));
}

kerr repo_report_get(struct store_conn *c, int64_t id, struct report_row *out)
{
	memset(out, 0, sizeof *out); /* freed below when no row is found */
	kerr e = store_first(c, &Q_REPORT_GET, read_report, out, "i", id);
	if (e)
		report_row_free(out);
	return e;
}

kerr repo_report_find(struct store_conn *c, const char *call_key, enum conveyance_kind kind,
		      int64_t *id)
{
	return store_first(c, &Q_REPORT_FIND, read_int, id, "ss", call_key,
			   conveyance_kind_name(kind));
}

kerr repo_report_lock(struct store_conn *c, int64_t id)
{
	if (!store_row_locks(c))
		return KERR_OK;
	return store_first(c, &Q_REPORT_LOCK, NULL, NULL, "i", id);
}

kerr repo_report_update(struct store_conn *c, const struct report_row *r)
{
	return store_exec(c, &Q_REPORT_UPDATE, "isssi", r->version, r->body,
			  permission_words[r->permission], r->updated_at, r->id);
}

kerr repo_report_version_keep(struct store_conn *c, int64_t id, int64_t version,
			      const char *body, const char *now)
{
	return store_exec(c, &Q_REPORT_KEEP, "iiss", id, version, body, now);
}

struct report_visit {
	report_row_fn fn;
	void *arg;
};

static kerr visit_report(void *arg, struct store_stmt *st)
{
	struct report_visit *v = arg;
	struct report_row r;
	kerr e = report_from(st, &r);
	return e ? e : v->fn(v->arg, &r);
}

kerr repo_report_list(struct store_conn *c, const struct report_filter *f, report_row_fn fn,
		      void *arg)
{
	struct report_visit v = {fn, arg};
	return store_each(c, &Q_REPORT_LIST, visit_report, &v, "iiissssssi", f->after,
			  f->org_id, f->org_id, f->port, f->port, f->permission, f->permission,
			  f->agency, f->agency, (int64_t)f->limit);
}

Q(Q_CTASK_INSERT, "INSERT INTO conveyance_tasks (report_id, agency, status, opened_at)"
		  " VALUES (?, ?, 'open', ?) ON CONFLICT DO NOTHING");
Q(Q_CTASK_LIST, "SELECT agency, status, opened_at, decided_at, decided_by, decision,"
		" reason FROM conveyance_tasks WHERE report_id = ? ORDER BY agency");
Q(Q_CTASK_SET, "UPDATE conveyance_tasks SET status = ?, opened_at = ?, decided_at = ?,"
	       " decided_by = ?, decision = ?, reason = ? WHERE report_id = ? AND agency = ?");

kerr repo_conveyance_task_insert(struct store_conn *c, int64_t report_id, const char *agency,
				 const char *now)
{
	return store_exec(c, &Q_CTASK_INSERT, "iss", report_id, agency, now);
}

struct ctask_fill {
	struct task_row *out;
	size_t n;
};

static kerr read_ctask(void *arg, struct store_stmt *st)
{
	struct ctask_fill *f = arg;
	if (f->n >= TASKS_MAX)
		return KERR_INTERNAL;
	struct task_row *t = &f->out[f->n];
	memset(t, 0, sizeof *t);
	col_copy(st, 0, t->agency, sizeof t->agency);
	if (!task_status_parse(stmt_text(st, 1), &t->status))
		return KERR_STORE;
	col_copy(st, 2, t->opened_at, sizeof t->opened_at);
	t->decided = !stmt_is_null(st, 5);
	if (t->decided && !decision_parse(stmt_text(st, 5), &t->decision))
		return KERR_STORE;
	col_copy(st, 3, t->decided_at, sizeof t->decided_at);
	col_copy(st, 4, t->decided_by, sizeof t->decided_by);
	col_copy(st, 6, t->reason, sizeof t->reason);
	f->n++;
	return KERR_OK;
}

kerr repo_conveyance_tasks(struct store_conn *c, int64_t report_id, struct task_row *out,
			   size_t *n)
{
	struct ctask_fill f = {out, 0};
	kerr e = store_each(c, &Q_CTASK_LIST, read_ctask, &f, "i", report_id);
	*n = f.n;
	return e;
}

kerr repo_conveyance_task_set(struct store_conn *c, int64_t report_id, const struct task_row *t)
{
	return store_exec(c, &Q_CTASK_SET, "ssssssis", task_status_name(t->status),
			  t->opened_at, t->decided ? t->decided_at : NULL,
			  t->decided ? t->decided_by : NULL,
			  t->decided ? decision_name(t->decision) : NULL, or_null(t->reason),
			  report_id, t->agency);
}

Q(Q_PERMISSION_PUT, "INSERT INTO conveyance_permissions (report_id, permission, signature,"
		    " key_id, issued_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
		    " RETURNING report_id");
Q(Q_PERMISSION_GET, "SELECT permission, signature, key_id, issued_at"
		    " FROM conveyance_permissions WHERE report_id = ?");

kerr repo_permission_put(struct store_conn *c, int64_t report_id, const char *text,
			 const char *signature, const char *key_id, const char *now)
{
	return inserted(store_first(c, &Q_PERMISSION_PUT, NULL, NULL, "issss", report_id, text,
				    signature, key_id, now));
}

static kerr read_permission(void *arg, struct store_stmt *st)
{
	struct notice_row *n = arg;
	memset(n, 0, sizeof *n);
	kerr e = KERR_OK;
	n->notice = dup_text(st, 0, &e);
	col_copy(st, 1, n->signature, sizeof n->signature);
	col_copy(st, 2, n->key_id, sizeof n->key_id);
	col_copy(st, 3, n->issued_at, sizeof n->issued_at);
	return e;
}

kerr repo_permission_get(struct store_conn *c, int64_t report_id, struct notice_row *out)
{
	return store_first(c, &Q_PERMISSION_GET, read_permission, out, "i", report_id);
}

/* --- manifests --- */

#define MANIFEST_COLS                                                          \
	"id, call_key, kind, transport_mode, port, org_id, version, late, bills,"    \
	" lodged_at, updated_at"
Q(Q_MANIFEST_INSERT, "INSERT INTO manifests (call_key, kind, transport_mode, port, org_id,"
		     " version, late, bills, lodged_at, updated_at)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
		     " RETURNING id");
Q(Q_MANIFEST_GET, "SELECT " MANIFEST_COLS " FROM manifests WHERE id = ?");
Q(Q_MANIFEST_FIND, "SELECT " MANIFEST_COLS " FROM manifests WHERE call_key = ? AND kind = ?");
Q(Q_MANIFEST_LOCK, "SELECT id FROM manifests WHERE id = ? FOR UPDATE");
Q(Q_MANIFEST_UPDATE, "UPDATE manifests SET version = ?, bills = ?, updated_at = ?"
		     " WHERE id = ?");
Q(Q_MANIFEST_KINDS, "SELECT kind FROM manifests WHERE call_key = ?");
Q(Q_MANIFEST_LIST,
  "SELECT " MANIFEST_COLS " FROM manifests m WHERE m.id > ?"
  " AND (CAST(? AS BIGINT) = 0 OR m.org_id = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR m.port = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR m.call_key = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR m.kind = ?)"
  " ORDER BY m.id LIMIT ?");
Q(Q_MVERSION_GET, "SELECT body, changes, created_by, created_at FROM manifest_versions"
		  " WHERE manifest_id = ? AND version = ?");
Q(Q_MVERSION_PUT, "INSERT INTO manifest_versions (manifest_id, version, body, changes,"
		  " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"
		  " ON CONFLICT DO NOTHING RETURNING version");
Q(Q_MBILLS_DROP, "DELETE FROM manifest_bills WHERE manifest_id = ?");
Q(Q_MCONTAINERS_DROP, "DELETE FROM manifest_containers WHERE manifest_id = ?");
#define NOTHING_ON_CONFLICT " ON CONFLICT DO NOTHING"
/* A manifest's lines go in statements of up to 8 bills and 16 containers
 * (store_rows, within PostgreSQL's 80 parameters a statement here), sent
 * ahead: the manifest was validated whole, so a bill is there once. */
#define MBILL_INSERT                                                            \
	"INSERT INTO manifest_bills (manifest_id, bill_of_lading, call_key, kind," \
	" line, packages, gross_weight_g, party_uscc, hs_heading) VALUES "
#define MBILL_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
QROWS8(Q_MBILLS_PUT, MBILL_INSERT, MBILL_ROW, "");
#define MCONTAINER_INSERT                                                       \
	"INSERT INTO manifest_containers (manifest_id, bill_of_lading,"        \
	" container, call_key, kind) VALUES "
#define MCONTAINER_ROW "(?, ?, ?, ?, ?)"
QROWS16(Q_MCONTAINERS_PUT, MCONTAINER_INSERT, MCONTAINER_ROW, NOTHING_ON_CONFLICT);
/* a row a container (one with none when the bill has none) */
Q(Q_MLINE_GET, "SELECT b.manifest_id, m.version, b.bill_of_lading, b.packages,"
	       " b.gross_weight_g, b.party_uscc, b.hs_heading, mc.container"
	       " FROM manifest_bills b"
	       " JOIN manifests m"
	       " ON m.id = b.manifest_id LEFT JOIN manifest_containers mc ON mc.manifest_id ="
	       " b.manifest_id AND mc.bill_of_lading = b.bill_of_lading WHERE b.call_key = ?"
	       " AND b.kind = ? AND b.bill_of_lading = ? ORDER BY mc.container");
Q(Q_CONTAINER_LINES, "SELECT mc.call_key, mc.bill_of_lading, mc.manifest_id, k.port,"
		     " k.created_at FROM manifest_containers mc JOIN transport_calls k"
		     " ON k.call_key = mc.call_key WHERE mc.container = ? AND mc.kind = ?"
		     " ORDER BY k.created_at DESC, mc.call_key, mc.bill_of_lading");

static kerr read_manifest(void *arg, struct store_stmt *st)
{
	struct manifest_row *m = arg;
	memset(m, 0, sizeof *m);
	m->id = stmt_int(st, 0);
	col_copy(st, 1, m->call_key, sizeof m->call_key);
	if (!manifest_kind_parse(stmt_text(st, 2), &m->kind))
		return KERR_STORE;
	col_copy(st, 3, m->transport_mode, sizeof m->transport_mode);
	col_copy(st, 4, m->port, sizeof m->port);
	m->org_id = stmt_int(st, 5);
	m->version = stmt_int(st, 6);
	m->late = stmt_int(st, 7) != 0;
	m->bills = stmt_int(st, 8);
	col_copy(st, 9, m->lodged_at, sizeof m->lodged_at);
	col_copy(st, 10, m->updated_at, sizeof m->updated_at);
	return KERR_OK;
}

kerr repo_manifest_insert(struct store_conn *c, struct manifest_row *m)
{
	return inserted(store_first(c, &Q_MANIFEST_INSERT, read_int, &m->id, "ssssiiiiss",
				    m->call_key, manifest_kind_name(m->kind),
				    m->transport_mode, m->port, m->org_id, m->version,
				    (int64_t)m->late, m->bills, m->lodged_at, m->updated_at));
}

kerr repo_manifest_get(struct store_conn *c, int64_t id, struct manifest_row *out)
{
	return store_first(c, &Q_MANIFEST_GET, read_manifest, out, "i", id);
}

kerr repo_manifest_find(struct store_conn *c, const char *call_key, enum manifest_kind kind,
			struct manifest_row *out)
{
	return store_first(c, &Q_MANIFEST_FIND, read_manifest, out, "ss", call_key,
			   manifest_kind_name(kind));
}

kerr repo_manifest_lock(struct store_conn *c, int64_t id)
{
	if (!store_row_locks(c))
		return KERR_OK;
	return store_first(c, &Q_MANIFEST_LOCK, NULL, NULL, "i", id);
}

kerr repo_manifest_update(struct store_conn *c, const struct manifest_row *m)
{
	return store_exec(c, &Q_MANIFEST_UPDATE, "iisi", m->version, m->bills, m->updated_at,
			  m->id);
}

static kerr read_kind(void *arg, struct store_stmt *st)
{
	bool *lodged = arg;
	enum manifest_kind k;
	if (!manifest_kind_parse(stmt_text(st, 0), &k))
		return KERR_STORE;
	lodged[k] = true;
	return KERR_OK;
}

kerr repo_manifest_kinds(struct store_conn *c, const char *call_key,
			 bool lodged[MANIFEST_KIND_COUNT])
{
	memset(lodged, 0, MANIFEST_KIND_COUNT * sizeof lodged[0]);
	return store_each(c, &Q_MANIFEST_KINDS, read_kind, lodged, "s", call_key);
}

struct version_out {
	char **body, **changes;
	char *by, *at;
};

static kerr read_version(void *arg, struct store_stmt *st)
{
	struct version_out *v = arg;
	kerr e = KERR_OK;
	*v->body = dup_text(st, 0, &e);
	*v->changes = dup_text(st, 1, &e);
	str_copy(v->by, stmt_text(st, 2), USERNAME_SIZE);
	str_copy(v->at, stmt_text(st, 3), TIME_TEXT_SIZE);
	return e;
}

kerr repo_manifest_version_get(struct store_conn *c, int64_t id, int64_t version, char **body,
			       char **changes, char created_by[USERNAME_SIZE],
			       char created_at[TIME_TEXT_SIZE])
{
	*body = *changes = NULL;
	struct version_out v = {body, changes, created_by, created_at};
	kerr e = store_first(c, &Q_MVERSION_GET, read_version, &v, "ii", id, version);
	if (e) {
		free(*body);
		free(*changes);
		*body = *changes = NULL;
	}
	return e;
}

kerr repo_manifest_version_put(struct store_conn *c, int64_t id, int64_t version,
			       const char *body, const char *changes, const char *by,
			       const char *now)
{
	return inserted(store_first(c, &Q_MVERSION_PUT, NULL, NULL, "iissss", id, version, body,
				    changes, by, now));
}

/* A manifest's lines, and then its containers bill after bill. */
struct lines_out {
	const struct manifest_row *row;
	const struct manifest *m;
	const char *kind;
	size_t bill, at; /* the next container: m->bills[bill].containers[at] */
};

static kerr add_bill(struct store_rows *rows, void *arg, size_t i)
{
	const struct lines_out *o = arg;
	const struct manifest_bill *b = &o->m->bills[i];
	store_rows_add(rows, "isssiiiss", o->row->id, b->bill_of_lading, o->row->call_key,
		       o->kind, (int64_t)b->index, b->packages, b->gross_weight_g, b->party_uscc,
		       b->hs_heading);
	return KERR_OK;
}

static kerr add_bill_container(struct store_rows *rows, void *arg, size_t i)
{
	(void)i; /* they come in order */
	struct lines_out *o = arg;
	while (o->at == o->m->bills[o->bill].ncontainers) {
		o->bill++;
		o->at = 0;
	}
	const struct manifest_bill *b = &o->m->bills[o->bill];
	store_rows_add(rows, "issss", o->row->id, b->bill_of_lading,
		       b->containers[o->at++].number, o->row->call_key, o->kind);
	return KERR_OK;
}

kerr repo_manifest_lines_put(struct store_conn *c, const struct manifest_row *row,
			     const struct manifest *m)
{
	struct lines_out o = {.row = row, .m = m, .kind = manifest_kind_name(row->kind)};
	size_t containers = 0;
	for (size_t i = 0; i < m->nbills; i++)
		containers += m->bills[i].ncontainers;
	kerr e = store_exec_later(c, &Q_MCONTAINERS_DROP, "i", row->id);
	if (!e)
		e = store_exec_later(c, &Q_MBILLS_DROP, "i", row->id);
	if (!e)
		e = store_rows_insert(c, Q_MBILLS_PUT, STATEMENTS_OF(Q_MBILLS_PUT), m->nbills,
				      add_bill, &o);
	if (!e)
		e = store_rows_insert(c, Q_MCONTAINERS_PUT, STATEMENTS_OF(Q_MCONTAINERS_PUT),
				      containers, add_bill_container, &o);
	return e;
}

void manifest_line_row_free(struct manifest_line_row *l)
{
	free(l->containers);
	l->containers = NULL;
	l->ncontainers = 0;
}

static kerr read_line(void *arg, struct store_stmt *st)
{
	struct manifest_line_row *l = arg;
	if (!l->found) {
		l->found = true;
		l->manifest_id = stmt_int(st, 0);
		l->version = stmt_int(st, 1);
		col_copy(st, 2, l->bill_of_lading, sizeof l->bill_of_lading);
		l->packages = stmt_int(st, 3);
		l->gross_weight_g = stmt_int(st, 4);
		col_copy(st, 5, l->party_uscc, sizeof l->party_uscc); /* "" when NULL */
		col_copy(st, 6, l->hs_heading, sizeof l->hs_heading);
	}
	if (stmt_is_null(st, 7))
		return KERR_OK;
	if (l->ncontainers >= BILL_MAX_CONTAINERS)
		return KERR_STORE;
	if (!l->containers &&
	    !(l->containers = calloc(BILL_MAX_CONTAINERS, sizeof *l->containers)))
		return KERR_NOMEM;
	col_copy(st, 7, l->containers[l->ncontainers++], CONTAINER_NUMBER_MAX);
	return KERR_OK;
}

void repo_manifest_line_send(struct store_conn *c, const char *call_key,
			     enum manifest_kind kind, const char *bill,
			     struct manifest_line_ahead *a)
{
	store_ahead_send(&a->line, c, &Q_MLINE_GET, "sss", call_key, manifest_kind_name(kind),
			 bill);
}

kerr repo_manifest_line_take(struct manifest_line_ahead *a, struct manifest_line_row *out)
{
	memset(out, 0, sizeof *out);
	kerr e = store_ahead_each(&a->line, read_line, out);
	if (!e && !out->found)
		e = KERR_NOT_FOUND;
	if (e)
		manifest_line_row_free(out);
	return e;
}

void repo_manifest_line_drop(struct manifest_line_ahead *a)
{
	store_ahead_drop(&a->line);
}

struct manifest_visit {
	manifest_row_fn fn;
	void *arg;
};

static kerr visit_manifest(void *arg, struct store_stmt *st)
{
	struct manifest_visit *v = arg;
	struct manifest_row m;
	kerr e = read_manifest(&m, st);
	return e ? e : v->fn(v->arg, &m);
}

kerr repo_manifest_list(struct store_conn *c, const struct manifest_filter *f,
			manifest_row_fn fn, void *arg)
{
	struct manifest_visit v = {fn, arg};
	return store_each(c, &Q_MANIFEST_LIST, visit_manifest, &v, "iiissssssi", f->after,
			  f->org_id, f->org_id, f->port, f->port, f->call_key, f->call_key,
			  f->kind, f->kind, (int64_t)f->limit);
}

struct container_line_visit {
	container_line_fn fn;
	void *arg;
};

static kerr visit_container_line(void *arg, struct store_stmt *st)
{
	struct container_line_visit *v = arg;
	struct container_line l = {stmt_text(st, 0), stmt_text(st, 1), stmt_int(st, 2),
				   stmt_text(st, 3), stmt_text(st, 4)};
	return v->fn(v->arg, &l);
}

kerr repo_container_lines(struct store_conn *c, const char *number, enum manifest_kind kind,
			  container_line_fn fn, void *arg)
{
	struct container_line_visit v = {fn, arg};
	return store_each(c, &Q_CONTAINER_LINES, visit_container_line, &v, "ss", number,
			  manifest_kind_name(kind));
}

/* --- tally reports --- */

void tally_row_free(struct tally_row *t)
{
	free(t->body);
	free(t->differences);
	t->body = t->differences = NULL;
}

Q(Q_TALLY_INSERT, "INSERT INTO tally_reports (call_key, kind, port, org_id, manifest_id,"
		  " manifest_version, body, differences, lodged_by, lodged_at)"
		  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
Q(Q_TALLY_GET, "SELECT id, call_key, kind, port, org_id, manifest_id, manifest_version,"
	       " body, differences, lodged_by, lodged_at FROM tally_reports WHERE id = ?");

static const char *tally_kind_word(enum tally_kind k)
{
	return k == TALLY_LOADING ? "loading" : "discharge";
}

kerr repo_tally_insert(struct store_conn *c, struct tally_row *t)
{
	return inserted(store_first(c, &Q_TALLY_INSERT, read_int, &t->id, "sssiiissss",
				    t->call_key, tally_kind_word(t->kind), t->port, t->org_id,
				    t->manifest_id, t->manifest_version, t->body,
				    t->differences, t->lodged_by, t->lodged_at));
}

static kerr read_tally(void *arg, struct store_stmt *st)
{
	struct tally_row *t = arg;
	memset(t, 0, sizeof *t);
	t->id = stmt_int(st, 0);
	col_copy(st, 1, t->call_key, sizeof t->call_key);
	const char *k = stmt_text(st, 2);
	if (!strcmp(k, "discharge"))
		t->kind = TALLY_DISCHARGE;
	else if (!strcmp(k, "loading"))
		t->kind = TALLY_LOADING;
	else
		return KERR_STORE;
	col_copy(st, 3, t->port, sizeof t->port);
	t->org_id = stmt_int(st, 4);
	t->manifest_id = stmt_int(st, 5);
	t->manifest_version = stmt_int(st, 6);
	kerr e = KERR_OK;
	t->body = dup_text(st, 7, &e);
	t->differences = dup_text(st, 8, &e);
	col_copy(st, 9, t->lodged_by, sizeof t->lodged_by);
	col_copy(st, 10, t->lodged_at, sizeof t->lodged_at);
	return e;
}

kerr repo_tally_get(struct store_conn *c, int64_t id, struct tally_row *out)
{
	memset(out, 0, sizeof *out); /* freed below when no row is found */
	kerr e = store_first(c, &Q_TALLY_GET, read_tally, out, "i", id);
	if (e)
		tally_row_free(out);
	return e;
}

/* --- consignments --- */

static const char *const match_words[CONSIGNMENT_STATE_COUNT] = {"not_required", "waiting",
							   "matched", "mismatched"};

const char *match_state_name(enum match_state s)
{
	return (unsigned)s < CONSIGNMENT_STATE_COUNT ? match_words[s] : "waiting";
}

bool match_state_parse(const char *s, enum match_state *out)
{
	for (int i = 0; s && i < CONSIGNMENT_STATE_COUNT; i++) {
		if (!strcmp(s, match_words[i])) {
			*out = (enum match_state)i;
			return true;
		}
	}
	return false;
}

void consignment_row_free(struct consignment_row *r)
{
	free(r->differences);
	r->differences = NULL;
}

/* A claim is kept smaller than shown (migration 0019): the number as its
 * value, the time as microseconds. */
#define CONSIGNMENT_COLS                                                          \
	NUMBER_TEXT("declaration_number") ", call_key, bill_of_lading, direction,"  \
	" split_part, split_of, flow, advance, match_state, manifest_id,"          \
	" manifest_version, live, updated_at"
#define BY_NUMBER " WHERE declaration_number = CAST(? AS BIGINT)"
Q(Q_CLAIM, "INSERT INTO declaration_transport (declaration_number, call_key,"
	   " bill_of_lading, direction, split_part, split_of, flow, advance, match_state,"
	   " live, updated_at) VALUES (CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)");
Q(Q_CLAIM_DROP, "DELETE FROM declaration_transport" BY_NUMBER);
Q(Q_CLAIM_DROP_CONTAINERS, "DELETE FROM declaration_containers WHERE declaration_number = ?");
Q(Q_CLAIM_GET, "SELECT " CONSIGNMENT_COLS ", differences FROM declaration_transport"
	       BY_NUMBER);
Q(Q_CLAIM_MATCH, "UPDATE declaration_transport SET match_state = ?, manifest_id = ?,"
		 " manifest_version = ?, differences = ?, updated_at = ?" BY_NUMBER);
Q(Q_CLAIM_FREE, "UPDATE declaration_transport SET live = 0, updated_at = ?" BY_NUMBER);
Q(Q_CLAIM_FREE_CONTAINERS, "UPDATE declaration_containers SET live = 0"
			   " WHERE declaration_number = ?");
/* A declaration's containers go in statements of 16, 8, 4, 2 and 1 rows
 * (store_rows): at most 16 rows a statement, and a few statements for the
 * rest. */
#define CONTAINER_INSERT                                                        \
	"INSERT INTO declaration_containers (declaration_number, container,"   \
	" call_key, bill_of_lading, live) VALUES "
#define CONTAINER_ROW "(?, ?, ?, ?, 1)"
QROWS16(Q_CLAIM_CONTAINERS, CONTAINER_INSERT, CONTAINER_ROW, NOTHING_ON_CONFLICT);
Q(Q_CLAIMS_OF_BILL, "SELECT " CONSIGNMENT_COLS " FROM declaration_transport"
		    " WHERE call_key = ? AND bill_of_lading = ? AND live = 1"
		    " ORDER BY declaration_number");
Q(Q_CLAIMS_OF_CALL, "SELECT " CONSIGNMENT_COLS " FROM declaration_transport"
		    " WHERE call_key = ? AND direction = ? AND live = 1"
		    " ORDER BY bill_of_lading, declaration_number");
/* A page of a call's live claims, both directions, in the order of the
 * index declaration_transport_claim, after a claim's bill and part. */
Q(Q_CLAIM_KEYS_OF_CALL, "SELECT " NUMBER_TEXT("declaration_number") ", bill_of_lading,"
			" split_part FROM declaration_transport WHERE call_key = ? AND live = 1"
			" AND (bill_of_lading, split_part) > (?, ?)"
			" ORDER BY bill_of_lading, split_part LIMIT ?");
Q(Q_CONTAINER_CLAIMS, "SELECT declaration_number, bill_of_lading FROM"
		      " declaration_containers WHERE call_key = ? AND container = ?"
		      " AND live = 1 ORDER BY declaration_number");
/* A bill's live claims, by the index declaration_transport_claim. A freed
 * claim is one whose declaration ended without release (withdrawn or
 * rejected: consignments_ended), which the gate does not count. */
Q(Q_BILL_DECLARATIONS,
  "SELECT d.number, d.status, t.flow, t.match_state, t.split_part,"
  " t.split_of, d.released_at FROM declaration_transport t JOIN declarations d"
  " ON d.number = " NUMBER_TEXT("t.declaration_number")
  " WHERE t.call_key = ? AND t.bill_of_lading = ?"
  " AND t.live = 1 ORDER BY t.declaration_number");

static kerr consignment_from(struct store_stmt *st, struct consignment_row *r)
{
	memset(r, 0, sizeof *r);
	col_copy(st, 0, r->number, sizeof r->number);
	col_copy(st, 1, r->call_key, sizeof r->call_key);
	col_copy(st, 2, r->bill_of_lading, sizeof r->bill_of_lading);
	r->import = strcmp(stmt_text(st, 3), "export") != 0;
	r->split_part = (int)stmt_int(st, 4);
	r->split_of = (int)stmt_int(st, 5);
	if (!clearance_flow_parse(stmt_text(st, 6), &r->flow) ||
	    !match_state_parse(stmt_text(st, 8), &r->state))
		return KERR_STORE;
	r->advance = stmt_int(st, 7) != 0;
	r->manifest_id = stmt_is_null(st, 9) ? 0 : stmt_int(st, 9);
	r->manifest_version = stmt_is_null(st, 10) ? 0 : stmt_int(st, 10);
	r->live = stmt_int(st, 11) != 0;
	col_time(st, 12, r->updated_at);
	return KERR_OK;
}

static kerr read_consignment(void *arg, struct store_stmt *st)
{
	struct consignment_row *r = arg;
	kerr e = consignment_from(st, r);
	if (!e)
		r->differences = dup_text(st, 13, &e);
	return e;
}

kerr repo_consignment_claim(struct store_conn *c, const struct consignment_row *r)
{
	int64_t at;
	kerr e = repo_time_us(r->updated_at, &at);
	return e ? e
		 : store_exec_later(c, &Q_CLAIM, "ssssiisisi", r->number, r->call_key,
				    r->bill_of_lading, r->import ? "import" : "export",
				    (int64_t)r->split_part, (int64_t)r->split_of,
				    clearance_flow_name(r->flow), (int64_t)r->advance,
				    match_state_name(r->state), at);
}

kerr repo_consignment_drop(struct store_conn *c, const char *number)
{
	kerr e = store_exec(c, &Q_CLAIM_DROP_CONTAINERS, "s", number);
	return e ? e : store_exec(c, &Q_CLAIM_DROP, "s", number);
}

kerr repo_consignment_get(struct store_conn *c, const char *number, struct consignment_row *out)
{
	memset(out, 0, sizeof *out); /* freed below when no row is found */
	kerr e = store_first(c, &Q_CLAIM_GET, read_consignment, out, "s", number);
	if (e)
		consignment_row_free(out);
	return e;
}

kerr repo_consignment_set_match(struct store_conn *c, const char *number,
				enum match_state state, int64_t manifest_id,
				int64_t manifest_version, const char *differences,
				const char *now)
{
	int64_t at;
	kerr e = repo_time_us(now, &at);
	if (e)
		return e;
	if (manifest_id > 0)
		return store_exec(c, &Q_CLAIM_MATCH, "siisis", match_state_name(state),
				  manifest_id, manifest_version, differences, at, number);
	return store_exec(c, &Q_CLAIM_MATCH, "snnsis", match_state_name(state), differences,
			  at, number);
}

kerr repo_consignment_free(struct store_conn *c, const char *number, const char *now)
{
	int64_t at;
	kerr e = repo_time_us(now, &at);
	if (!e)
		e = store_exec(c, &Q_CLAIM_FREE, "is", at, number);
	return e ? e : store_exec(c, &Q_CLAIM_FREE_CONTAINERS, "s", number);
}

struct claim_containers {
	const char *number, *call_key, *bill;
	const char (*containers)[CONTAINER_NUMBER_MAX];
};

static kerr add_claim_container(struct store_rows *rows, void *arg, size_t i)
{
	const struct claim_containers *o = arg;
	store_rows_add(rows, "ssss", o->number, o->containers[i], o->call_key, o->bill);
	return KERR_OK;
}

kerr repo_consignment_containers_add(struct store_conn *c, const char *number,
				     const char *call_key, const char *bill,
				     const char (*containers)[CONTAINER_NUMBER_MAX], size_t n)
{
	struct claim_containers o = {number, call_key, bill, containers};
	return store_rows_insert(c, Q_CLAIM_CONTAINERS, STATEMENTS_OF(Q_CLAIM_CONTAINERS), n,
				 add_claim_container, &o);
}

struct consignment_visit {
	consignment_fn fn;
	void *arg;
};

static kerr visit_consignment(void *arg, struct store_stmt *st)
{
	struct consignment_visit *v = arg;
	struct consignment_row r;
	kerr e = consignment_from(st, &r);
	return e ? e : v->fn(v->arg, &r);
}

void repo_consignment_claims_send(struct store_conn *c, const char *call_key, const char *bill,
				  struct consignment_claims_ahead *a)
{
	store_ahead_send(&a->claims, c, &Q_CLAIMS_OF_BILL, "ss", call_key, bill);
}

kerr repo_consignment_claims_take(struct consignment_claims_ahead *a, consignment_fn fn,
				  void *arg)
{
	struct consignment_visit v = {fn, arg};
	return store_ahead_each(&a->claims, visit_consignment, &v);
}

void repo_consignment_claims_drop(struct consignment_claims_ahead *a)
{
	store_ahead_drop(&a->claims);
}

kerr repo_consignments_of_call(struct store_conn *c, const char *call_key, bool import,
			       consignment_fn fn, void *arg)
{
	struct consignment_visit v = {fn, arg};
	return store_each(c, &Q_CLAIMS_OF_CALL, visit_consignment, &v, "ss", call_key,
			  import ? "import" : "export");
}

struct claim_key_visit {
	claim_key_fn fn;
	void *arg;
};

static kerr visit_claim_key(void *arg, struct store_stmt *st)
{
	struct claim_key_visit *v = arg;
	struct claim_key k = {.number = stmt_text(st, 0), .bill = stmt_text(st, 1),
			      .split_part = (int)stmt_int(st, 2)};
	return v->fn(v->arg, &k);
}

kerr repo_claim_keys_of_call(struct store_conn *c, const char *call_key,
			     const struct claim_key *after, int limit, claim_key_fn fn, void *arg)
{
	struct claim_key_visit v = {fn, arg};
	/* every bill sorts after "" and every part after -1 */
	return store_each(c, &Q_CLAIM_KEYS_OF_CALL, visit_claim_key, &v, "ssii", call_key,
			  after ? after->bill : "", (int64_t)(after ? after->split_part : -1),
			  (int64_t)limit);
}

struct container_claim_visit {
	container_claim_fn fn;
	void *arg;
};

static kerr visit_container_claim(void *arg, struct store_stmt *st)
{
	struct container_claim_visit *v = arg;
	struct container_claim cc = {stmt_text(st, 0), stmt_text(st, 1)};
	return v->fn(v->arg, &cc);
}

kerr repo_container_claims(struct store_conn *c, const char *call_key, const char *container,
			   container_claim_fn fn, void *arg)
{
	struct container_claim_visit v = {fn, arg};
	return store_each(c, &Q_CONTAINER_CLAIMS, visit_container_claim, &v, "ss", call_key,
			  container);
}

struct bill_declaration_visit {
	bill_declaration_fn fn;
	void *arg;
};

static kerr visit_bill_declaration(void *arg, struct store_stmt *st)
{
	struct bill_declaration_visit *v = arg;
	char released[KTIME_TEXT_MAX];
	col_time(st, 6, released);
	struct bill_declaration b = {.number = stmt_text(st, 0),
				     .split_part = (int)stmt_int(st, 4),
				     .split_of = (int)stmt_int(st, 5),
				     .released_at = *released ? released : NULL};
	if (!declaration_status_parse(stmt_text(st, 1), &b.status) ||
	    !clearance_flow_parse(stmt_text(st, 2), &b.flow) ||
	    !match_state_parse(stmt_text(st, 3), &b.state))
		return KERR_STORE;
	return v->fn(v->arg, &b);
}

kerr repo_bill_declarations(struct store_conn *c, const char *call_key, const char *bill,
			    bill_declaration_fn fn, void *arg)
{
	struct bill_declaration_visit v = {fn, arg};
	return store_each(c, &Q_BILL_DECLARATIONS, visit_bill_declaration, &v, "ss", call_key,
			  bill);
}

/* --- the yard --- */

Q(Q_YARD_EVENTS, "SELECT event, at FROM yard_events WHERE container = ? AND call_key = ?"
		 " ORDER BY at, recorded_at");
Q(Q_YARD_PUT, "INSERT INTO yard_events (container, call_key, event, at, ship_side,"
	      " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	      " ON CONFLICT DO NOTHING RETURNING event");
Q(Q_GATE_ATTEMPT, "INSERT INTO gate_attempts (container, call_key, event, missing,"
		  " attempted_by, attempted_at) VALUES (?, ?, ?, ?, ?, ?)");

struct yard_fill {
	struct yard_record *out;
	size_t max, n;
};

static kerr read_yard(void *arg, struct store_stmt *st)
{
	struct yard_fill *f = arg;
	if (f->n >= f->max)
		return KERR_STORE;
	struct yard_record *r = &f->out[f->n];
	if (!yard_event_parse(stmt_text(st, 0), &r->event) ||
	    !ktime_parse(stmt_text(st, 1), &r->at))
		return KERR_STORE;
	f->n++;
	return KERR_OK;
}

kerr repo_yard_events(struct store_conn *c, const char *container, const char *call_key,
		      struct yard_record *out, size_t max, size_t *n)
{
	struct yard_fill f = {out, max, 0};
	kerr e = store_each(c, &Q_YARD_EVENTS, read_yard, &f, "ss", container, call_key);
	*n = f.n;
	return e;
}

kerr repo_yard_event_put(struct store_conn *c, const char *container, const char *call_key,
			 enum yard_event event, const char *at, bool ship_side,
			 const char *by, const char *now)
{
	return inserted(store_first(c, &Q_YARD_PUT, NULL, NULL, "ssssiss", container,
				    call_key, yard_event_name(event), at, (int64_t)ship_side,
				    by, now));
}

kerr repo_gate_attempt_put(struct store_conn *c, const char *container, const char *call_key,
			   enum yard_event event, const char *missing, const char *by,
			   const char *now)
{
	return store_exec(c, &Q_GATE_ATTEMPT, "ssssss", container, call_key,
			  yard_event_name(event), missing, by, now);
}
