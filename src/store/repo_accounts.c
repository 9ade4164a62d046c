/*
 * repo_accounts.c - queries of organisations, users, tokens, settings,
 * reference entries and the audit log (see repo.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "domain/refdata.h"
#include "store/repo.h"
#include "store/repo_internal.h"

/* --- organisations --- */

Q(Q_ORG_CREATE, "INSERT INTO organisations (uscc, name, kind, port, created_at)"
		" VALUES (?, ?, ?, ?, ?) RETURNING id");
#define ORG_COLS "id, uscc, name, kind, created_at, port"
Q(Q_ORG_FIND, "SELECT " ORG_COLS " FROM organisations WHERE uscc = ?");
Q(Q_ORG_LIST, "SELECT " ORG_COLS " FROM organisations ORDER BY id");

static kerr read_id(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

static void org_from(struct store_stmt *st, struct org_row *o)
{
	o->id = stmt_int(st, 0);
	col_copy(st, 1, o->uscc, sizeof o->uscc);
	col_copy(st, 2, o->name, sizeof o->name);
	col_copy(st, 3, o->kind, sizeof o->kind);
	col_copy(st, 4, o->created_at, sizeof o->created_at);
	col_copy(st, 5, o->port, sizeof o->port);
}

static kerr read_org(void *arg, struct store_stmt *st)
{
	org_from(st, arg);
	return KERR_OK;
}

kerr repo_org_create(struct store_conn *c, const char *uscc, const char *name,
		     const char *kind, const char *port, const char *now, int64_t *id)
{
	kerr e = store_first(c, &Q_ORG_CREATE, read_id, id, "sssss", uscc, name, kind, port,
			     now);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

kerr repo_org_find(struct store_conn *c, const char *uscc, struct org_row *out)
{
	return store_first(c, &Q_ORG_FIND, read_org, out, "s", uscc);
}

struct org_visit {
	org_row_fn fn;
	void *arg;
};

static kerr visit_org(void *arg, struct store_stmt *st)
{
	struct org_visit *v = arg;
	struct org_row o;
	org_from(st, &o);
	return v->fn(v->arg, &o);
}

kerr repo_org_list(struct store_conn *c, org_row_fn fn, void *arg)
{
	struct org_visit v = {fn, arg};
	return store_each(c, &Q_ORG_LIST, visit_org, &v, "");
}

/* --- users and tokens --- */

Q(Q_USER_CREATE,
  "INSERT INTO users (org_id, username, display_name, password_hash, role,"
  " supervisor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
#define USER_COLS                                                              \
	"u.id, u.org_id, u.username, u.display_name, u.role, u.password_hash,"  \
	" u.disabled, o.uscc, o.name, u.supervisor, o.kind, o.port"
Q(Q_USER_FIND, "SELECT " USER_COLS " FROM users u JOIN organisations o"
	       " ON o.id = u.org_id WHERE u.username = ?");
Q(Q_USER_LIST, "SELECT " USER_COLS " FROM users u JOIN organisations o"
	       " ON o.id = u.org_id ORDER BY u.id");

static void user_from(struct store_stmt *st, struct user_row *u)
{
	u->id = stmt_int(st, 0);
	u->org_id = stmt_int(st, 1);
	col_copy(st, 2, u->username, sizeof u->username);
	col_copy(st, 3, u->display_name, sizeof u->display_name);
	col_copy(st, 4, u->role, sizeof u->role);
	col_copy(st, 5, u->password_hash, sizeof u->password_hash);
	u->disabled = stmt_int(st, 6) != 0;
	col_copy(st, 7, u->org_uscc, sizeof u->org_uscc);
	col_copy(st, 8, u->org_name, sizeof u->org_name);
	u->supervisor = stmt_int(st, 9) != 0;
	col_copy(st, 10, u->org_kind, sizeof u->org_kind);
	col_copy(st, 11, u->org_port, sizeof u->org_port);
}

static kerr read_user(void *arg, struct store_stmt *st)
{
	user_from(st, arg);
	return KERR_OK;
}

kerr repo_user_create(struct store_conn *c, int64_t org_id, const char *username,
		      const char *display, const char *hash, const char *role, bool supervisor,
		      const char *now, int64_t *id)
{
	kerr e = store_first(c, &Q_USER_CREATE, read_id, id, "issssis", org_id, username,
			     display, hash, role, (int64_t)supervisor, now);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

kerr repo_user_find(struct store_conn *c, const char *username, struct user_row *out)
{
	return store_first(c, &Q_USER_FIND, read_user, out, "s", username);
}

struct user_visit {
	user_row_fn fn;
	void *arg;
};

static kerr visit_user(void *arg, struct store_stmt *st)
{
	struct user_visit *v = arg;
	struct user_row u;
	user_from(st, &u);
	return v->fn(v->arg, &u);
}

kerr repo_user_list(struct store_conn *c, user_row_fn fn, void *arg)
{
	struct user_visit v = {fn, arg};
	return store_each(c, &Q_USER_LIST, visit_user, &v, "");
}

Q(Q_TOKEN_CREATE, "INSERT INTO tokens (token_hash, user_id, label, created_at,"
		  " expires_at) VALUES (?, ?, ?, ?, ?)");
Q(Q_TOKEN_LOOKUP, "SELECT " USER_COLS " FROM tokens t"
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
		       struct user_row *out)
{
	return store_first(c, &Q_TOKEN_LOOKUP, read_user, out, "ss", hash, now);
}

kerr repo_token_revoke(struct store_conn *c, const char *hash, const char *now)
{
	return store_exec(c, &Q_TOKEN_REVOKE, "ss", now, hash);
}

/* --- settings --- */

Q(Q_SETTING_GET, "SELECT value FROM settings WHERE name = ?");
Q(Q_SETTING_PUT, "INSERT INTO settings (name, value) VALUES (?, ?)"
		 " ON CONFLICT (name) DO UPDATE SET value = excluded.value");
Q(Q_SETTING_PUT_NEW, "INSERT INTO settings (name, value) VALUES (?, ?)"
		     " ON CONFLICT (name) DO NOTHING");

struct text_out {
	char *out;
	size_t n;
};

static kerr read_text(void *arg, struct store_stmt *st)
{
	struct text_out *t = arg;
	str_copy(t->out, stmt_text(st, 0), t->n);
	return KERR_OK;
}

kerr repo_setting_get(struct store_conn *c, const char *name, char *out, size_t n)
{
	struct text_out t = {out, n};
	return store_first(c, &Q_SETTING_GET, read_text, &t, "s", name);
}

kerr repo_setting_put(struct store_conn *c, const char *name, const char *value)
{
	return store_exec(c, &Q_SETTING_PUT, "ss", name, value);
}

kerr repo_setting_put_new(struct store_conn *c, const char *name, const char *value)
{
	return store_exec(c, &Q_SETTING_PUT_NEW, "ss", name, value);
}

/* --- reference data --- */

Q(Q_REF_UPSERT, "INSERT INTO reference_entries (list, code, data, updated_at)"
		" VALUES (?, ?, ?, ?) ON CONFLICT (list, code) DO UPDATE"
		" SET data = excluded.data, updated_at = excluded.updated_at");
Q(Q_REF_INSERT, "INSERT INTO reference_entries (list, code, data, updated_at)"
		" VALUES (?, ?, ?, ?) ON CONFLICT (list, code) DO NOTHING");
Q(Q_REF_DELETE, "DELETE FROM reference_entries WHERE list = ? AND code = ?"
		" RETURNING code");
Q(Q_REF_ALL, "SELECT list, code, data FROM reference_entries");
Q(Q_REF_COUNT, "SELECT COUNT(*) FROM reference_entries WHERE list = ?");

kerr repo_ref_put(struct store_conn *c, const char *list, const char *code,
		  const char *data, const char *now, bool replace)
{
	return store_exec(c, replace ? &Q_REF_UPSERT : &Q_REF_INSERT, "ssss", list,
			  code, data, now);
}

kerr repo_ref_delete(struct store_conn *c, const char *list, const char *code)
{
	return store_first(c, &Q_REF_DELETE, NULL, NULL, "ss", list, code);
}

static kerr add_entry(void *arg, struct store_stmt *st)
{
	json_t *data = json_loads(stmt_text(st, 2), 0, NULL);
	kerr e = data ? refdata_builder_add(arg, stmt_text(st, 0), data) : KERR_INVALID;
	if (e)
		log_error("reference: entry %s/%s cannot be loaded", stmt_text(st, 0),
			  stmt_text(st, 1));
	json_decref(data);
	return e;
}

kerr repo_ref_load(struct store_conn *c, struct refdata_builder *b)
{
	return store_each(c, &Q_REF_ALL, add_entry, b, "");
}

int64_t repo_ref_count(struct store_conn *c, const char *list)
{
	int64_t n = -1;
	return store_first(c, &Q_REF_COUNT, read_id, &n, "s", list) ? -1 : n;
}

/* --- audit --- */

Q(Q_AUDIT, "INSERT INTO audit_log (at, actor, action, target, data)"
	   " VALUES (?, ?, ?, ?, ?)");

kerr repo_audit(struct store_conn *c, const char *at, const char *actor,
		const char *action, const char *target, const char *data)
{
	return store_exec(c, &Q_AUDIT, "sssss", at, actor, action, target,
			  data ? data : "{}");
}
