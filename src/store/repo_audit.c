/* repo_audit.c - the audit log's rows and head (see repo_audit.h). */
#include <string.h>

#include "store/repo_audit.h"
#include "store/repo_internal.h"

Q(Q_HEAD_LOCK, "UPDATE audit_head SET last_id = last_id WHERE id = 1"
	       " RETURNING last_id, hash, signature, key_id");
Q(Q_HEAD_GET, "SELECT last_id, hash, signature, key_id FROM audit_head WHERE id = 1");
Q(Q_HEAD_SET, "UPDATE audit_head SET last_id = ?, hash = ?, signature = ?, key_id = ?"
	      " WHERE id = 1");
Q(Q_AUDIT_INSERT, "INSERT INTO audit_log (id, at, actor, actor_role, source, action,"
		  " target, data, prev_hash, hash, signature, key_id)"
		  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
Q(Q_AUDIT_LIST, "SELECT id, at, actor, actor_role, source, action, target, data,"
		" prev_hash, hash, signature, key_id FROM audit_log WHERE id > ?"
		" AND (CAST(? AS TEXT) IS NULL OR actor = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR action = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR (action >= ? AND action < ?))"
		" AND (CAST(? AS TEXT) IS NULL OR target = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR at >= ?)"
		" AND (CAST(? AS TEXT) IS NULL OR at < ?)"
		" ORDER BY id LIMIT ?");

static kerr read_head(void *arg, struct store_stmt *st)
{
	struct audit_head_row *h = arg;
	h->last_id = stmt_int(st, 0);
	col_copy(st, 1, h->hash, sizeof h->hash);
	col_copy(st, 2, h->signature, sizeof h->signature);
	col_copy(st, 3, h->key_id, sizeof h->key_id);
	return KERR_OK;
}

kerr repo_audit_head_lock(struct store_conn *c, struct audit_head_row *out)
{
	kerr e = store_first(c, &Q_HEAD_LOCK, read_head, out, "");
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

kerr repo_audit_head_get(struct store_conn *c, struct audit_head_row *out)
{
	kerr e = store_first(c, &Q_HEAD_GET, read_head, out, "");
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

kerr repo_audit_head_set(struct store_conn *c, const struct audit_head_row *h)
{
	return store_exec(c, &Q_HEAD_SET, "isss", h->last_id, h->hash, h->signature, h->key_id);
}

kerr repo_audit_insert(struct store_conn *c, const struct audit_row *r)
{
	return store_exec(c, &Q_AUDIT_INSERT, "isssssssssss", r->id, r->at, r->actor,
			  r->actor_role, r->source, r->action, r->target, r->data, r->prev_hash,
			  r->hash, r->signature, r->key_id);
}

struct audit_visit {
	audit_row_fn fn;
	void *arg;
};

static kerr visit(void *arg, struct store_stmt *st)
{
	struct audit_visit *v = arg;
	struct audit_row r = {
		.id = stmt_int(st, 0),
		.at = stmt_text(st, 1),
		.actor = stmt_text(st, 2),
		.actor_role = stmt_text(st, 3),
		.source = stmt_text(st, 4),
		.action = stmt_text(st, 5),
		.target = stmt_text(st, 6),
		.data = stmt_text(st, 7),
		.prev_hash = stmt_text(st, 8),
		.hash = stmt_text(st, 9),
		.signature = stmt_text(st, 10),
		.key_id = stmt_text(st, 11),
	};
	return v->fn(v->arg, &r);
}

kerr repo_audit_list(struct store_conn *c, const struct audit_filter *f, audit_row_fn fn,
		     void *arg)
{
	/* a prefix p matches [p, p with its last byte raised by one) */
	char upper[96] = "";
	const char *prefix = f->action_prefix;
	if (prefix) {
		size_t n = str_copy(upper, prefix, sizeof upper);
		if (!n || n >= sizeof upper || (unsigned char)upper[n - 1] == 0xff)
			return KERR_INVALID;
		upper[n - 1] = (char)(upper[n - 1] + 1);
	}
	struct audit_visit v = {fn, arg};
	return store_each(c, &Q_AUDIT_LIST, visit, &v, "isssssssssssssi", f->after, f->actor,
			  f->actor, f->action, f->action, prefix, prefix,
			  prefix ? upper : NULL, f->target, f->target, f->from, f->from, f->to,
			  f->to, (int64_t)f->limit);
}
