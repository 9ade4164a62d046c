/*
 * repo.c - the queries (see repo.h). Portable SQL: '?' placeholders,
 * INSERT ... ON CONFLICT, RETURNING; nothing specific to one backend.
 */
#include "store/repo.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "domain/refdata.h"

#define Q(name, sql) static const struct sql_query name = {sql}

/* Step a query expected to give at most one row. */
static enum store_step one(struct store_stmt *st)
{
	return st ? stmt_step(st) : STORE_ERROR;
}

static kerr step_err(enum store_step r)
{
	return r == STORE_CONSTRAINT ? KERR_CONFLICT : KERR_STORE;
}

/* Read column i as JSON (text stored), or null on a parse failure. */
static json_t *col_json(struct store_stmt *st, int i)
{
	json_t *j = json_loads(stmt_text(st, i), 0, NULL);
	return j ? j : json_null();
}

static json_t *col_str_or_null(struct store_stmt *st, int i)
{
	return stmt_is_null(st, i) ? json_null() : json_string(stmt_text(st, i));
}

/* --- organisations, users, tokens --- */

Q(Q_ORG_CREATE, "INSERT INTO organisations (uscc, name, kind, created_at)"
		" VALUES (?, ?, ?, ?) RETURNING id");
Q(Q_ORG_FIND, "SELECT id, uscc, name, kind FROM organisations WHERE uscc = ?");
Q(Q_ORG_LIST, "SELECT id, uscc, name, kind, created_at FROM organisations ORDER BY id");

kerr repo_org_create(struct store_conn *c, const char *uscc, const char *name,
		     const char *kind, const char *now, int64_t *id)
{
	struct store_stmt *st = store_query(c, &Q_ORG_CREATE, "ssss", uscc, name, kind, now);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		*id = stmt_int(st, 0);
	if (st)
		stmt_done(st);
	return r == STORE_ROW ? KERR_OK : step_err(r);
}

kerr repo_org_find(struct store_conn *c, const char *uscc, struct org_row *out)
{
	struct store_stmt *st = store_query(c, &Q_ORG_FIND, "s", uscc);
	enum store_step r = one(st);
	if (r == STORE_ROW) {
		out->id = stmt_int(st, 0);
		str_copy(out->uscc, stmt_text(st, 1), sizeof out->uscc);
		str_copy(out->name, stmt_text(st, 2), sizeof out->name);
		str_copy(out->kind, stmt_text(st, 3), sizeof out->kind);
	}
	if (st)
		stmt_done(st);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

json_t *repo_org_list(struct store_conn *c)
{
	struct store_stmt *st = store_query(c, &Q_ORG_LIST, "");
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(
			a, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
				     (json_int_t)stmt_int(st, 0), "uscc", stmt_text(st, 1),
				     "name", stmt_text(st, 2), "kind", stmt_text(st, 3),
				     "created_at", stmt_text(st, 4)));
	stmt_done(st);
	return a;
}

Q(Q_USER_CREATE,
  "INSERT INTO users (org_id, username, display_name, password_hash, role,"
  " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
#define USER_COLS                                                              \
	"u.id, u.org_id, u.username, u.display_name, u.role, u.password_hash,"  \
	" u.disabled, o.uscc, o.name"
Q(Q_USER_FIND, "SELECT " USER_COLS " FROM users u JOIN organisations o"
	       " ON o.id = u.org_id WHERE u.username = ?");
Q(Q_USER_LIST, "SELECT " USER_COLS " FROM users u JOIN organisations o"
	       " ON o.id = u.org_id ORDER BY u.id");

static void read_user(struct store_stmt *st, struct user_row *u)
{
	u->id = stmt_int(st, 0);
	u->org_id = stmt_int(st, 1);
	str_copy(u->username, stmt_text(st, 2), sizeof u->username);
	str_copy(u->display_name, stmt_text(st, 3), sizeof u->display_name);
	str_copy(u->role, stmt_text(st, 4), sizeof u->role);
	str_copy(u->password_hash, stmt_text(st, 5), sizeof u->password_hash);
	u->disabled = stmt_int(st, 6) != 0;
	str_copy(u->org_uscc, stmt_text(st, 7), sizeof u->org_uscc);
	str_copy(u->org_name, stmt_text(st, 8), sizeof u->org_name);
}

kerr repo_user_create(struct store_conn *c, int64_t org_id, const char *username,
		      const char *display, const char *hash, const char *role,
		      const char *now, int64_t *id)
{
	struct store_stmt *st = store_query(c, &Q_USER_CREATE, "isssss", org_id,
					    username, display, hash, role, now);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		*id = stmt_int(st, 0);
	if (st)
		stmt_done(st);
	return r == STORE_ROW ? KERR_OK : step_err(r);
}

kerr repo_user_find(struct store_conn *c, const char *username,
		    struct user_row *out)
{
	struct store_stmt *st = store_query(c, &Q_USER_FIND, "s", username);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		read_user(st, out);
	if (st)
		stmt_done(st);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

json_t *repo_user_list(struct store_conn *c)
{
	struct store_stmt *st = store_query(c, &Q_USER_LIST, "");
	if (!st)
		return NULL;
	json_t *a = json_array();
	struct user_row u;
	while (stmt_step(st) == STORE_ROW) {
		read_user(st, &u);
		json_array_append_new(
			a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id",
				     (json_int_t)u.id, "username", u.username,
				     "display_name", u.display_name, "role", u.role,
				     "organisation", u.org_uscc, "disabled", u.disabled));
	}
	stmt_done(st);
	return a;
}

Q(Q_TOKEN_CREATE, "INSERT INTO tokens (token_hash, user_id, label, created_at,"
		  " expires_at) VALUES (?, ?, ?, ?, ?)");
Q(Q_TOKEN_LOOKUP, "SELECT " USER_COLS ", t.expires_at FROM tokens t"
		  " JOIN users u ON u.id = t.user_id"
		  " JOIN organisations o ON o.id = u.org_id"
		  " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
		  " AND t.expires_at > ? AND u.disabled = 0");
Q(Q_TOKEN_REVOKE, "UPDATE tokens SET revoked_at = ? WHERE token_hash = ?"
		  " AND revoked_at IS NULL");

kerr repo_token_create(struct store_conn *c, const char *hash, int64_t user_id,
		       const char *label, const char *now, const char *expires)
{
	return store_exec(c, &Q_TOKEN_CREATE, "sisss", hash, user_id, label, now,
			  expires);
}

kerr repo_token_lookup(struct store_conn *c, const char *hash, const char *now,
		       struct user_row *out, char *expires_at, size_t n)
{
	struct store_stmt *st = store_query(c, &Q_TOKEN_LOOKUP, "ss", hash, now);
	enum store_step r = one(st);
	if (r == STORE_ROW) {
		read_user(st, out);
		str_copy(expires_at, stmt_text(st, 9), n);
	}
	if (st)
		stmt_done(st);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

kerr repo_token_revoke(struct store_conn *c, const char *hash, const char *now)
{
	return store_exec(c, &Q_TOKEN_REVOKE, "ss", now, hash);
}

/* --- settings --- */

Q(Q_SETTING_GET, "SELECT value FROM settings WHERE name = ?");
Q(Q_SETTING_PUT, "INSERT INTO settings (name, value) VALUES (?, ?)"
		 " ON CONFLICT (name) DO UPDATE SET value = excluded.value");

kerr repo_setting_get(struct store_conn *c, const char *name, char *out, size_t n)
{
	struct store_stmt *st = store_query(c, &Q_SETTING_GET, "s", name);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		str_copy(out, stmt_text(st, 0), n);
	if (st)
		stmt_done(st);
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

Q(Q_SETTING_PUT_NEW, "INSERT INTO settings (name, value) VALUES (?, ?)"
		     " ON CONFLICT (name) DO NOTHING");

kerr repo_setting_put_new(struct store_conn *c, const char *name, const char *value)
{
	return store_exec(c, &Q_SETTING_PUT_NEW, "ss", name, value);
}

kerr repo_setting_put(struct store_conn *c, const char *name, const char *value)
{
	return store_exec(c, &Q_SETTING_PUT, "ss", name, value);
}

/* --- reference data --- */

Q(Q_REF_UPSERT, "INSERT INTO reference_entries (list, code, data, updated_at)"
		" VALUES (?, ?, ?, ?) ON CONFLICT (list, code) DO UPDATE"
		" SET data = excluded.data, updated_at = excluded.updated_at");
Q(Q_REF_INSERT, "INSERT INTO reference_entries (list, code, data, updated_at)"
		" VALUES (?, ?, ?, ?) ON CONFLICT (list, code) DO NOTHING");
Q(Q_REF_DELETE, "DELETE FROM reference_entries WHERE list = ? AND code = ?"
		" RETURNING code");
Q(Q_REF_ALL, "SELECT list, data FROM reference_entries");
Q(Q_REF_COUNT, "SELECT COUNT(*) FROM reference_entries WHERE list = ?");

kerr repo_ref_put(struct store_conn *c, const char *list, const char *code,
		  const char *data, const char *now, bool replace)
{
	return store_exec(c, replace ? &Q_REF_UPSERT : &Q_REF_INSERT, "ssss", list,
			  code, data, now);
}

kerr repo_ref_delete(struct store_conn *c, const char *list, const char *code)
{
	struct store_stmt *st = store_query(c, &Q_REF_DELETE, "ss", list, code);
	enum store_step r = one(st);
	if (st) {
		while (r == STORE_ROW && stmt_step(st) == STORE_ROW)
			;
		stmt_done(st);
	}
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

kerr repo_ref_load(struct store_conn *c, struct refdata_builder *b)
{
	struct store_stmt *st = store_query(c, &Q_REF_ALL, "");
	if (!st)
		return KERR_STORE;
	kerr e = KERR_OK;
	enum store_step r;
	while (!e && (r = stmt_step(st)) == STORE_ROW) {
		json_t *data = json_loads(stmt_text(st, 1), 0, NULL);
		if (!data || refdata_builder_add(b, stmt_text(st, 0), data))
			log_warn("reference: skipping a bad entry in list %s",
				 stmt_text(st, 0));
		json_decref(data);
	}
	stmt_done(st);
	return e;
}

int64_t repo_ref_count(struct store_conn *c, const char *list)
{
	struct store_stmt *st = store_query(c, &Q_REF_COUNT, "s", list);
	int64_t n = one(st) == STORE_ROW ? stmt_int(st, 0) : -1;
	if (st)
		stmt_done(st);
	return n;
}

/* --- declarations and tasks --- */

Q(Q_SEQ_NEXT, "INSERT INTO number_sequences (office, year, direction, last_value)"
	      " VALUES (?, ?, ?, 1) ON CONFLICT (office, year, direction)"
	      " DO UPDATE SET last_value = number_sequences.last_value + 1"
	      " RETURNING last_value");

kerr repo_sequence_next(struct store_conn *c, const char *office, int year,
			const char *direction, int64_t *out)
{
	struct store_stmt *st = store_query(c, &Q_SEQ_NEXT, "sis", office,
					    (int64_t)year, direction);
	enum store_step r = one(st);
	if (r == STORE_ROW)
		*out = stmt_int(st, 0);
	if (st) {
		while (r == STORE_ROW && stmt_step(st) == STORE_ROW)
			;
		stmt_done(st);
	}
	return r == STORE_ROW ? KERR_OK : step_err(r);
}

Q(Q_DECL_INSERT,
  "INSERT INTO declarations (number, org_id, lodged_by, status, direction,"
  " declaration_office, port_office, bill_of_lading, version, body, lodged_at,"
  " updated_at, consignee_uscc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
Q(Q_DECL_GET,
  "SELECT number, org_id, lodged_by, status, direction, declaration_office,"
  " port_office, bill_of_lading, version, body, lodged_at, updated_at,"
  " released_at FROM declarations WHERE number = ?");
Q(Q_DECL_UPDATE,
  "UPDATE declarations SET status = ?, version = ?, body = COALESCE(?, body),"
  " updated_at = ?, released_at = COALESCE(?, released_at) WHERE number = ?");

kerr repo_decl_insert(struct store_conn *c, const struct decl_row *d)
{
	return store_exec(c, &Q_DECL_INSERT, "siisssssissss", d->number, d->org_id,
			  d->lodged_by, d->status, d->direction, d->declaration_office,
			  d->port_office, d->bill_of_lading, d->version, d->body,
			  d->lodged_at, d->updated_at, d->consignee_uscc);
}

Q(Q_DECL_LOCK, "SELECT number FROM declarations WHERE number = ? FOR UPDATE");

kerr repo_decl_lock(struct store_conn *c, const char *number)
{
	if (!((struct store_conn_base *)c)->store->row_locks)
		return KERR_OK;
	struct store_stmt *st = store_query(c, &Q_DECL_LOCK, "s", number);
	enum store_step r = one(st);
	if (st) {
		while (r == STORE_ROW && stmt_step(st) == STORE_ROW)
			;
		stmt_done(st);
	}
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

kerr repo_decl_get(struct store_conn *c, const char *number, struct decl_row *d)
{
	memset(d, 0, sizeof *d);
	struct store_stmt *st = store_query(c, &Q_DECL_GET, "s", number);
	enum store_step r = one(st);
	if (r == STORE_ROW) {
		str_copy(d->number, stmt_text(st, 0), sizeof d->number);
		d->org_id = stmt_int(st, 1);
		d->lodged_by = stmt_int(st, 2);
		str_copy(d->status, stmt_text(st, 3), sizeof d->status);
		str_copy(d->direction, stmt_text(st, 4), sizeof d->direction);
		str_copy(d->declaration_office, stmt_text(st, 5), sizeof d->declaration_office);
		str_copy(d->port_office, stmt_text(st, 6), sizeof d->port_office);
		str_copy(d->bill_of_lading, stmt_text(st, 7), sizeof d->bill_of_lading);
		d->version = stmt_int(st, 8);
		d->body = strdup(stmt_text(st, 9));
		str_copy(d->lodged_at, stmt_text(st, 10), sizeof d->lodged_at);
		str_copy(d->updated_at, stmt_text(st, 11), sizeof d->updated_at);
		str_copy(d->released_at, stmt_text(st, 12), sizeof d->released_at);
	}
	if (st)
		stmt_done(st);
	if (r == STORE_ROW && !d->body)
		return KERR_NOMEM;
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
}

void decl_row_free(struct decl_row *d)
{
	free(d->body);
	d->body = NULL;
}

kerr repo_decl_update(struct store_conn *c, const char *number, const char *status,
		      int64_t version, const char *body, const char *now,
		      const char *released_at)
{
	return store_exec(c, &Q_DECL_UPDATE, "sisss" "s", status, version, body, now,
			  released_at && *released_at ? released_at : NULL, number);
}

Q(Q_VERSION_KEEP, "INSERT INTO declaration_versions (declaration_number, version,"
		  " body, superseded_at) VALUES (?, ?, ?, ?)");
Q(Q_VERSION_BODY, "SELECT body FROM declaration_versions WHERE declaration_number = ?"
		  " AND version = ? UNION ALL SELECT body FROM declarations"
		  " WHERE number = ? AND version = ?");

kerr repo_decl_version_keep(struct store_conn *c, const char *number, int64_t version,
			    const char *body, const char *now)
{
	return store_exec(c, &Q_VERSION_KEEP, "siss", number, version, body, now);
}

char *repo_decl_version_body(struct store_conn *c, const char *number, int64_t version)
{
	struct store_stmt *st = store_query(c, &Q_VERSION_BODY, "sisi", number, version,
					    number, version);
	char *body = one(st) == STORE_ROW ? strdup(stmt_text(st, 0)) : NULL;
	if (st)
		stmt_done(st);
	return body;
}

/* One query serves every filter: a NULL parameter switches its test off. */
Q(Q_DECL_LIST,
  "SELECT d.number, d.status, d.direction, d.declaration_office, d.port_office,"
  " d.bill_of_lading, d.version, d.lodged_at, d.updated_at, d.released_at,"
  " o.uscc FROM declarations d JOIN organisations o ON o.id = d.org_id"
  " WHERE (CAST(? AS BIGINT) = 0 OR d.org_id = ?) AND (CAST(? AS TEXT) IS NULL OR d.status = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR d.number > ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE"
  " t.declaration_number = d.number AND t.agency = ?))"
  " ORDER BY d.number LIMIT ?");

json_t *repo_decl_list(struct store_conn *c, const struct decl_filter *f)
{
	struct store_stmt *st = store_query(c, &Q_DECL_LIST, "iissssssi", f->org_id,
					    f->org_id, f->status, f->status, f->after,
					    f->after, f->agency, f->agency,
					    (int64_t)f->limit);
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:s}",
				     "number", stmt_text(st, 0), "status",
				     stmt_text(st, 1), "direction", stmt_text(st, 2),
				     "declaration_office", stmt_text(st, 3),
				     "port_office", stmt_text(st, 4), "bill_of_lading",
				     stmt_text(st, 5), "version",
				     (json_int_t)stmt_int(st, 6), "lodged_at",
				     stmt_text(st, 7), "updated_at", stmt_text(st, 8),
				     "released_at", col_str_or_null(st, 9),
				     "declarant_organisation", stmt_text(st, 10)));
	stmt_done(st);
	return a;
}

Q(Q_TASK_INSERT, "INSERT INTO tasks (declaration_number, agency, status,"
		 " basis_digest, opened_at) VALUES (?, ?, 'open', ?, ?)");
Q(Q_TASK_LIST, "SELECT agency, status, basis_digest, opened_at, decided_at,"
	       " decided_by, decision, reason FROM tasks"
	       " WHERE declaration_number = ? ORDER BY agency");
Q(Q_TASK_SET, "UPDATE tasks SET status = ?, basis_digest = ?, opened_at = ?,"
	      " decided_at = ?, decided_by = ?, decision = ?, reason = ?"
	      " WHERE declaration_number = ? AND agency = ?");
Q(Q_WORKLIST,
  "SELECT t.declaration_number, t.agency, t.status, t.opened_at, t.decided_at,"
  " d.status, d.direction, d.port_office, d.bill_of_lading, d.lodged_at"
  " FROM tasks t JOIN declarations d ON d.number = t.declaration_number"
  " WHERE t.agency = ? AND t.status = ? ORDER BY t.opened_at, t.declaration_number"
  " LIMIT ?");

kerr repo_task_insert(struct store_conn *c, const char *number, const char *agency,
		      const char *digest, const char *now)
{
	return store_exec(c, &Q_TASK_INSERT, "ssss", number, agency, digest, now);
}

kerr repo_task_list(struct store_conn *c, const char *number, struct task_row *out,
		    size_t *n)
{
	struct store_stmt *st = store_query(c, &Q_TASK_LIST, "s", number);
	if (!st)
		return KERR_STORE;
	size_t k = 0;
	enum store_step r;
	while ((r = stmt_step(st)) == STORE_ROW && k < TASKS_MAX) {
		struct task_row *t = &out[k++];
		str_copy(t->agency, stmt_text(st, 0), sizeof t->agency);
		str_copy(t->status, stmt_text(st, 1), sizeof t->status);
		str_copy(t->basis_digest, stmt_text(st, 2), sizeof t->basis_digest);
		str_copy(t->opened_at, stmt_text(st, 3), sizeof t->opened_at);
		str_copy(t->decided_at, stmt_text(st, 4), sizeof t->decided_at);
		str_copy(t->decided_by, stmt_text(st, 5), sizeof t->decided_by);
		str_copy(t->decision, stmt_text(st, 6), sizeof t->decision);
		str_copy(t->reason, stmt_text(st, 7), sizeof t->reason);
	}
	stmt_done(st);
	*n = k;
	return r == STORE_ERROR ? KERR_STORE : KERR_OK;
}

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

kerr repo_task_set(struct store_conn *c, const char *number, const struct task_row *t)
{
	return store_exec(c, &Q_TASK_SET, "sssssssss", t->status, t->basis_digest,
			  t->opened_at, or_null(t->decided_at), or_null(t->decided_by),
			  or_null(t->decision), or_null(t->reason), number, t->agency);
}

json_t *repo_worklist(struct store_conn *c, const char *agency, const char *status,
		      int limit)
{
	struct store_stmt *st =
		store_query(c, &Q_WORKLIST, "ssi", agency, status, (int64_t)limit);
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:s, s:s, s:s}}",
				     "declaration_number", stmt_text(st, 0), "agency",
				     stmt_text(st, 1), "status", stmt_text(st, 2),
				     "opened_at", stmt_text(st, 3), "decided_at",
				     col_str_or_null(st, 4), "declaration", "status",
				     stmt_text(st, 5), "direction", stmt_text(st, 6),
				     "port_office", stmt_text(st, 7), "bill_of_lading",
				     stmt_text(st, 8), "lodged_at", stmt_text(st, 9)));
	stmt_done(st);
	return a;
}

/* --- events --- */

Q(Q_EVENT_APPEND, "INSERT INTO events (declaration_number, org_id, type, agency,"
		  " actor, actor_role, at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
#define EVENT_COLS "e.id, e.declaration_number, e.type, e.agency, e.actor," \
		   " e.actor_role, e.at, e.data"
Q(Q_EVENTS_FOR, "SELECT " EVENT_COLS " FROM events e"
		" WHERE e.declaration_number = ? ORDER BY e.id");
Q(Q_EVENTS_FEED,
  "SELECT " EVENT_COLS " FROM events e WHERE e.id > ?"
  " AND (CAST(? AS BIGINT) = 0 OR e.org_id = ?) AND (CAST(? AS TEXT) IS NULL OR e.type = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE"
  " t.declaration_number = e.declaration_number AND t.agency = ?))"
  " ORDER BY e.id LIMIT ?");

Q(Q_FEED_TICK, "UPDATE feed_clock SET ticks = ticks + 1 WHERE id = 1");

kerr repo_feed_tick(struct store_conn *c)
{
	return store_exec(c, &Q_FEED_TICK, "");
}

kerr repo_event_append(struct store_conn *c, const struct event_in *e)
{
	return store_exec(c, &Q_EVENT_APPEND, "sissssss", e->number, e->org_id,
			  e->type, e->agency, e->actor, e->actor_role, e->at,
			  e->data ? e->data : "{}");
}

static json_t *read_event(struct store_stmt *st)
{
	char cursor[24];
	snprintf(cursor, sizeof cursor, "%lld", (long long)stmt_int(st, 0));
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o}", "cursor", cursor,
			 "declaration_number", stmt_text(st, 1), "type",
			 stmt_text(st, 2), "agency", col_str_or_null(st, 3), "actor",
			 stmt_text(st, 4), "actor_role", stmt_text(st, 5), "at",
			 stmt_text(st, 6), "data", col_json(st, 7));
}

json_t *repo_events_for(struct store_conn *c, const char *number)
{
	struct store_stmt *st = store_query(c, &Q_EVENTS_FOR, "s", number);
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(a, read_event(st));
	stmt_done(st);
	return a;
}

json_t *repo_events_feed(struct store_conn *c, int64_t after, int limit,
			 const struct feed_view *v, int64_t *last)
{
	struct store_stmt *st = store_query(
		c, &Q_EVENTS_FEED, "iiissssi", after, v->org_id, v->org_id,
		v->only_type, v->only_type, v->agency, v->agency, (int64_t)limit);
	if (!st)
		return NULL;
	json_t *a = json_array();
	while (stmt_step(st) == STORE_ROW) {
		*last = stmt_int(st, 0);
		json_array_append_new(a, read_event(st));
	}
	stmt_done(st);
	return a;
}

/* --- idempotency, release notices, audit --- */

Q(Q_IDEM_GET, "SELECT request_hash, status, response FROM idempotency_keys"
	      " WHERE org_id = ? AND key = ?");
Q(Q_IDEM_CLAIM, "INSERT INTO idempotency_keys (org_id, key, request_hash, status,"
		" response, created_at) VALUES (?, ?, '', 0, '', ?)"
		" ON CONFLICT (org_id, key) DO NOTHING RETURNING org_id");
Q(Q_IDEM_FINISH, "UPDATE idempotency_keys SET request_hash = ?, status = ?,"
		 " response = ? WHERE org_id = ? AND key = ?");

kerr repo_idem_get(struct store_conn *c, int64_t org_id, const char *key,
		   char hash[65], int *status, char **response)
{
	struct store_stmt *st = store_query(c, &Q_IDEM_GET, "is", org_id, key);
	enum store_step r = one(st);
	kerr e = r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_NOT_FOUND : KERR_STORE;
	if (r == STORE_ROW) {
		str_copy(hash, stmt_text(st, 0), 65);
		*status = (int)stmt_int(st, 1);
		*response = strdup(stmt_text(st, 2));
		if (!*response)
			e = KERR_NOMEM;
	}
	if (st)
		stmt_done(st);
	return e;
}

kerr repo_idem_claim(struct store_conn *c, int64_t org_id, const char *key,
		     const char *now)
{
	struct store_stmt *st = store_query(c, &Q_IDEM_CLAIM, "iss", org_id, key, now);
	enum store_step r = one(st);
	if (st) {
		while (r == STORE_ROW && stmt_step(st) == STORE_ROW)
			;
		stmt_done(st);
	}
	return r == STORE_ROW ? KERR_OK : r == STORE_DONE ? KERR_CONFLICT : step_err(r);
}

kerr repo_idem_finish(struct store_conn *c, int64_t org_id, const char *key,
		      const char *hash, int status, const char *response)
{
	return store_exec(c, &Q_IDEM_FINISH, "sisis", hash, (int64_t)status, response,
			  org_id, key);
}

Q(Q_NOTICE_PUT, "INSERT INTO release_notices (declaration_number, notice,"
		" signature, key_id, issued_at) VALUES (?, ?, ?, ?, ?)");
Q(Q_NOTICE_GET, "SELECT notice, signature, key_id, issued_at FROM"
		" release_notices WHERE declaration_number = ?");

kerr repo_notice_put(struct store_conn *c, const char *number, const char *notice,
		     const char *signature, const char *key_id, const char *now)
{
	return store_exec(c, &Q_NOTICE_PUT, "sssss", number, notice, signature,
			  key_id, now);
}

json_t *repo_notice_get(struct store_conn *c, const char *number)
{
	struct store_stmt *st = store_query(c, &Q_NOTICE_GET, "s", number);
	json_t *o = NULL;
	if (one(st) == STORE_ROW)
		o = json_pack("{s:s, s:s, s:s, s:s}", "notice", stmt_text(st, 0),
			      "signature", stmt_text(st, 1), "key_id",
			      stmt_text(st, 2), "issued_at", stmt_text(st, 3));
	if (st)
		stmt_done(st);
	return o;
}

Q(Q_AUDIT, "INSERT INTO audit_log (at, actor, action, target, data)"
	   " VALUES (?, ?, ?, ?, ?)");

kerr repo_audit(struct store_conn *c, const char *at, const char *actor,
		const char *action, const char *target, const char *data)
{
	return store_exec(c, &Q_AUDIT, "sssss", at, actor, action, target,
			  data ? data : "{}");
}
