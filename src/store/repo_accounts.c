/*
 * repo_accounts.c - queries of organisations, users, tokens, settings and
 * reference entries (see repo.h), and of login throttling, users' state and
 * the revocation of a user's tokens (see repo_accounts.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "domain/refdata.h"
#include "store/repo.h"
#include "store/repo_accounts.h"
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
Q(Q_TOKEN_REVOKE, "UPDATE tokens SET revoked_at = ? WHERE token_hash = ?"
		  " AND revoked_at IS NULL");

kerr repo_token_create(struct store_conn *c, const char *hash, int64_t user_id,
		       const char *label, const char *now, const char *expires)
{
	return store_exec(c, &Q_TOKEN_CREATE, "sisss", hash, user_id, label, now,
			  expires);
}

Q(Q_TOKEN_LOOKUP_EXPIRY, "SELECT " USER_COLS ", t.expires_at FROM tokens t"
			 " JOIN users u ON u.id = t.user_id"
			 " JOIN organisations o ON o.id = u.org_id"
			 " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
			 " AND t.expires_at > ? AND u.disabled = 0");

struct user_expiry {
	struct user_row *user;
	char *expires;
};

static kerr read_user_expiry(void *arg, struct store_stmt *st)
{
	struct user_expiry *x = arg;
	user_from(st, x->user);
	col_copy(st, 12, x->expires, TIME_TEXT_SIZE);
	return KERR_OK;
}

kerr repo_token_lookup_expiry(struct store_conn *c, const char *hash, const char *now,
			      struct user_row *out, char expires[TIME_TEXT_SIZE])
{
	struct user_expiry x = {out, expires};
	return store_first(c, &Q_TOKEN_LOOKUP_EXPIRY, read_user_expiry, &x, "ss", hash, now);
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

Q(Q_SETTINGS_TWO, "SELECT name, value FROM settings WHERE name IN (?, ?)");

struct setting_visit {
	setting_fn fn;
	void *arg;
};

static kerr visit_setting(void *arg, struct store_stmt *st)
{
	struct setting_visit *v = arg;
	return v->fn(v->arg, stmt_text(st, 0), stmt_text(st, 1));
}

kerr repo_settings_two(struct store_conn *c, const char *name1, const char *name2,
		       setting_fn fn, void *arg)
{
	struct setting_visit v = {fn, arg};
	return store_each(c, &Q_SETTINGS_TWO, visit_setting, &v, "ss", name1, name2);
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

/* --- login throttling --- */

Q(Q_THROTTLE_GET, "SELECT failures, last_failure_at, locked_until FROM login_throttle"
		  " WHERE scope = ? AND key = ?");
Q(Q_THROTTLE_INSERT, "INSERT INTO login_throttle (scope, key, failures, last_failure_at,"
		     " locked_until) VALUES (?, ?, ?, ?, ?)"
		     " ON CONFLICT (scope, key) DO NOTHING RETURNING failures");
Q(Q_THROTTLE_REPLACE, "UPDATE login_throttle SET failures = ?, last_failure_at = ?,"
		      " locked_until = ? WHERE scope = ? AND key = ? AND failures = ?"
		      " AND last_failure_at = ? RETURNING failures");
Q(Q_THROTTLE_COUNT,
  "INSERT INTO login_throttle (scope, key, failures, last_failure_at)"
  " VALUES (?, ?, 1, ?) ON CONFLICT (scope, key) DO UPDATE SET"
  " failures = CASE WHEN login_throttle.last_failure_at < ? THEN 1"
  " ELSE login_throttle.failures + 1 END,"
  " last_failure_at = excluded.last_failure_at RETURNING failures");
Q(Q_THROTTLE_CLEAR, "DELETE FROM login_throttle WHERE scope = ? AND key = ?");
Q(Q_THROTTLE_PURGE, "DELETE FROM login_throttle WHERE last_failure_at < ?"
		    " AND (locked_until IS NULL OR locked_until <= ?)");

static kerr read_throttle(void *arg, struct store_stmt *st)
{
	struct throttle_row *t = arg;
	t->failures = stmt_int(st, 0);
	col_copy(st, 1, t->last_failure_at, sizeof t->last_failure_at);
	col_copy(st, 2, t->locked_until, sizeof t->locked_until);
	return KERR_OK;
}

kerr repo_throttle_get(struct store_conn *c, const char *scope, const char *key,
		       struct throttle_row *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_THROTTLE_GET, read_throttle, out, "ss", scope, key);
}

kerr repo_throttle_claim(struct store_conn *c, const char *scope, const char *key,
			 const struct throttle_row *seen, const struct throttle_row *next)
{
	kerr e = seen ? store_first(c, &Q_THROTTLE_REPLACE, NULL, NULL, "issssis",
				    next->failures, next->last_failure_at,
				    or_null(next->locked_until), scope, key, seen->failures,
				    seen->last_failure_at)
		      : store_first(c, &Q_THROTTLE_INSERT, NULL, NULL, "ssiss", scope, key,
				    next->failures, next->last_failure_at,
				    or_null(next->locked_until));
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

kerr repo_throttle_count(struct store_conn *c, const char *scope, const char *key,
			 const char *now, const char *lapsed_before, int64_t *failures)
{
	kerr e = store_first(c, &Q_THROTTLE_COUNT, read_id, failures, "ssss", scope, key, now,
			     lapsed_before);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

kerr repo_throttle_clear(struct store_conn *c, const char *scope, const char *key)
{
	return store_exec(c, &Q_THROTTLE_CLEAR, "ss", scope, key);
}

kerr repo_throttle_purge(struct store_conn *c, const char *before, const char *now)
{
	return store_exec(c, &Q_THROTTLE_PURGE, "ss", before, now);
}

/* --- users' state and their tokens --- */

Q(Q_USER_DISABLE, "UPDATE users SET disabled = ? WHERE id = ? AND disabled <> ?"
		  " RETURNING id");
Q(Q_USER_PASSWORD, "UPDATE users SET password_hash = ?, password_changed_at = ?"
		   " WHERE id = ? RETURNING id");
Q(Q_USER_SECURITY, "SELECT u.password_changed_at, (SELECT COUNT(*) FROM tokens t"
		   " WHERE t.user_id = u.id AND t.revoked_at IS NULL AND t.expires_at > ?)"
		   " FROM users u WHERE u.id = ?");
Q(Q_TOKENS_REVOKE_USER, "UPDATE tokens SET revoked_at = ? WHERE user_id = ?"
			" AND revoked_at IS NULL AND expires_at > ?"
			" AND (CAST(? AS TEXT) IS NULL OR token_hash <> ?)"
			" RETURNING token_hash");

kerr repo_user_set_disabled(struct store_conn *c, int64_t user_id, bool disabled)
{
	return store_first(c, &Q_USER_DISABLE, NULL, NULL, "iii", (int64_t)disabled, user_id,
			   (int64_t)disabled);
}

kerr repo_user_set_password(struct store_conn *c, int64_t user_id, const char *hash,
			    const char *now)
{
	return store_first(c, &Q_USER_PASSWORD, NULL, NULL, "ssi", hash, now, user_id);
}

static kerr read_security(void *arg, struct store_stmt *st)
{
	struct user_security *s = arg;
	col_copy(st, 0, s->password_changed_at, sizeof s->password_changed_at);
	s->live_tokens = stmt_int(st, 1);
	return KERR_OK;
}

kerr repo_user_security(struct store_conn *c, int64_t user_id, const char *now,
			struct user_security *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_USER_SECURITY, read_security, out, "si", now, user_id);
}

static kerr count_row(void *arg, struct store_stmt *st)
{
	(void)st;
	(*(int64_t *)arg)++;
	return KERR_OK;
}

kerr repo_tokens_revoke_user(struct store_conn *c, int64_t user_id, const char *now,
			     const char *keep, int64_t *count)
{
	*count = 0;
	return store_each(c, &Q_TOKENS_REVOKE_USER, count_row, count, "sisss", now, user_id,
			  now, keep, keep);
}
