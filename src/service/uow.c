/*
 * uow.c - the unit of work: one transaction, begun when a service first
 * needs the store, with the events it will write at commit (see
 * service.h).
 *
 * Events are not inserted as they happen: they are queued and written at
 * commit, at its very end, after store_feed_append: on PostgreSQL the
 * transaction then holds the feed lock shared until it ends, and readers of
 * the feed read only up to the horizon that lock lets the store settle
 * (store.h), so a reader that has seen id N never later finds a smaller
 * one, on any backend.
 *
 * Audit records are queued the same way and written after the events,
 * under the audit head's lock (src/store/repo_audit.h): each takes the next
 * id, the previous row's hash, its own hash and a signature of both with
 * the release key, and the head moves to it, so the chain stays one line
 * even with several servers writing. The lock order is always the feed
 * lock, then the audit head.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "domain/audit.h"
#include "service/money_state.h"
#include "service/service.h"
#include "store/repo.h"
#include "store/repo_audit.h"
#include "store/repo_ingest.h"

struct uow_event {
	enum event_type type;
	char number[DECL_NUMBER_SIZE];
	int64_t org_id;
	char agency[AGENCY_CODE_SIZE];
	bool has_agency;
	char actor[USERNAME_SIZE];
	char actor_role[ROLE_NAME_SIZE];
	char at[TIME_TEXT_SIZE];
	char *data;     /* owned JSON text */
	char *call_key; /* owned; NULL when the event names no call */
};

struct uow_audit_record {
	char at[TIME_TEXT_SIZE];
	char actor[USERNAME_SIZE + 8];
	char actor_role[ROLE_NAME_SIZE];
	char source[SOURCE_SIZE];
	char *action; /* owned */
	char *target; /* owned */
	char *data;   /* owned JSON object text */
};

void uow_init(struct uow *u, struct services *svc, struct store_conn *conn, bool write)
{
	memset(u, 0, sizeof *u);
	u->svc = svc;
	u->conn = conn;
	u->write = write;
	str_copy(u->source, "local", sizeof u->source);
}

void uow_set_source(struct uow *u, const char *source)
{
	str_copy(u->source, source && *source ? source : "local", sizeof u->source);
}

kerr uow_conn(struct uow *u, struct store_conn **c)
{
	if (!u->begun) {
		kerr e = store_begin(u->conn, u->write);
		if (e)
			return e == KERR_STORE ? KERR_BUSY : e;
		u->begun = true;
	}
	*c = u->conn;
	return KERR_OK;
}

struct store_conn *uow_peek(struct uow *u)
{
	return u->conn;
}

const struct refdata *uow_refdata(struct uow *u)
{
	if (!u->ref)
		u->ref = services_refdata(u->svc);
	return u->ref;
}

int64_t uow_now_us(struct uow *u)
{
	return kclock_now(u->svc->clock);
}

void uow_now(struct uow *u, char out[TIME_TEXT_SIZE])
{
	ktime_format(uow_now_us(u), out);
}

static void drop_audits(struct uow *u)
{
	for (size_t i = 0; i < u->naudits; i++) {
		free(u->audits[i].action);
		free(u->audits[i].target);
		free(u->audits[i].data);
	}
	u->naudits = 0;
}

/* Forget what the unit queued. */
static void drop_events(struct uow *u)
{
	for (size_t i = 0; i < u->nevents; i++) {
		free(u->events[i].data);
		free(u->events[i].call_key);
	}
	u->nevents = 0;
	drop_audits(u);
}

static kerr queue_event(struct uow *u, const struct actor *a, enum event_type type,
			const char *call_key, const char *number, int64_t org_id,
			const char *agency, const char *at, json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	char *call = call_key ? strdup(call_key) : NULL;
	json_decref(data);
	if (!text || (call_key && !call)) {
		free(text);
		free(call);
		return KERR_NOMEM;
	}
	if (u->nevents == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct uow_event *ev = realloc(u->events, cap * sizeof *ev);
		if (!ev) {
			free(text);
			free(call);
			return KERR_NOMEM;
		}
		u->events = ev;
		u->cap = cap;
	}
	struct uow_event *e = &u->events[u->nevents++];
	bool sys = a->system || event_type_is_system(type);
	e->type = type;
	str_copy(e->number, number ? number : "", sizeof e->number);
	e->org_id = org_id;
	e->has_agency = agency != NULL;
	str_copy(e->agency, agency ? agency : "", sizeof e->agency);
	str_copy(e->actor, sys ? "kouan" : a->username, sizeof e->actor);
	str_copy(e->actor_role, sys ? "system" : role_name(a->role), sizeof e->actor_role);
	str_copy(e->at, at, sizeof e->at);
	e->data = text;
	e->call_key = call;
	return KERR_OK;
}

kerr uow_event(struct uow *u, const struct actor *a, enum event_type type,
	       const char *number, int64_t org_id, const char *agency, const char *at,
	       json_t *data)
{
	return queue_event(u, a, type, NULL, number, org_id, agency, at, data);
}

kerr uow_call_event(struct uow *u, const struct actor *a, enum event_type type,
		    const char *call_key, const char *number, int64_t org_id,
		    const char *agency, const char *at, json_t *data)
{
	return queue_event(u, a, type, call_key, number, org_id, agency, at, data);
}

/* Queue a record; `data` is JSON object text (NULL: {}), copied. */
static kerr queue_audit(struct uow *u, const char *actor, const char *role,
			const char *action, const char *target, const char *data)
{
	if (u->naudits == u->audit_cap) {
		size_t cap = u->audit_cap ? u->audit_cap * 2 : 4;
		struct uow_audit_record *r = realloc(u->audits, cap * sizeof *r);
		if (!r)
			return KERR_NOMEM;
		u->audits = r;
		u->audit_cap = cap;
	}
	struct uow_audit_record *r = &u->audits[u->naudits];
	r->action = strdup(action);
	r->target = strdup(target ? target : "");
	r->data = strdup(data ? data : "{}");
	if (!r->action || !r->target || !r->data) {
		free(r->action);
		free(r->target);
		free(r->data);
		return KERR_NOMEM;
	}
	uow_now(u, r->at);
	str_copy(r->actor, actor, sizeof r->actor);
	str_copy(r->actor_role, role, sizeof r->actor_role);
	str_copy(r->source, u->source, sizeof r->source);
	u->naudits++;
	return KERR_OK;
}

kerr uow_audit(struct uow *u, const struct actor *a, const char *action,
	       const char *target, const char *data)
{
	return queue_audit(u, actor_name(a), actor_role_name(a), action, target, data);
}

/* The compact text of a JSON object with sorted keys (taken; NULL: {}). */
static char *object_text(json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	json_decref(data);
	return text;
}

kerr uow_audit_json(struct uow *u, const struct actor *a, const char *action,
		    const char *target, json_t *data)
{
	char *text = object_text(data);
	kerr e = text ? uow_audit(u, a, action, target, text) : KERR_NOMEM;
	free(text);
	return e;
}

kerr uow_audit_change(struct uow *u, const struct actor *a, const char *action,
		      const char *target, json_t *before, json_t *after, const char *reason)
{
	json_t *data = json_object();
	bool ok = data != NULL;
	if (ok && before)
		ok = json_object_set(data, "before", before) == 0;
	if (ok && after)
		ok = json_object_set(data, "after", after) == 0;
	if (ok && reason)
		ok = json_object_set_new(data, "reason", json_string(reason)) == 0;
	json_decref(before);
	json_decref(after);
	if (!ok) {
		json_decref(data);
		return KERR_NOMEM;
	}
	return uow_audit_json(u, a, action, target, data);
}

kerr uow_audit_anonymous(struct uow *u, const char *action, const char *target,
			 json_t *data)
{
	char *text = object_text(data);
	kerr e = text ? queue_audit(u, "anonymous", "none", action, target, text) : KERR_NOMEM;
	free(text);
	return e;
}

/* Append the queued records to the chain, under the head's lock. */
static kerr write_audits(struct uow *u)
{
	struct audit_head_row head;
	kerr e = repo_audit_head_lock(u->conn, &head);
	bool sign = u->svc->key_id[0] != '\0';
	for (size_t i = 0; !e && i < u->naudits; i++) {
		const struct uow_audit_record *q = &u->audits[i];
		char hash[HASH_HEX_SIZE], sig[SIGNATURE_B64_MAX] = "";
		struct audit_row r = {
			.id = head.last_id + 1,
			.at = q->at,
			.actor = q->actor,
			.actor_role = q->actor_role,
			.source = q->source,
			.action = q->action,
			.target = q->target,
			.data = q->data,
			.prev_hash = head.hash,
			.hash = hash,
			.signature = sig,
			.key_id = sign ? u->svc->key_id : "",
		};
		audit_hash(&r, hash);
		if (sign)
			audit_sign(r.id, hash, u->svc->sign_sk, sig);
		e = repo_audit_insert(u->conn, &r);
		if (!e) {
			head.last_id = r.id;
			str_copy(head.hash, hash, sizeof head.hash);
			str_copy(head.signature, sig, sizeof head.signature);
			str_copy(head.key_id, r.key_id, sizeof head.key_id);
		}
	}
	return e ? e : repo_audit_head_set(u->conn, &head);
}

/* The unit loaded money tables: committed or not, every use from now on
 * reads the stamp anew (money_tables.h). */
static void money_settled(struct uow *u)
{
	if (u->money_changed) {
		u->money_changed = false;
		money_tables_changed(u->svc);
	}
}

kerr uow_commit(struct uow *u)
{
	if (!u->write)
		drop_audits(u); /* a read-only unit writes none */
	if (!u->write && !u->begun) {
		drop_events(u);
		return KERR_OK;
	}
	if (!u->begun && !u->nevents && !u->naudits)
		return KERR_OK;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e) {
		drop_events(u);
		return e;
	}
	bool wrote = u->nevents > 0;
	if (wrote)
		e = store_feed_append(u->conn);
	/* all at once: a declaration's events share a row where the store
	 * allows it, and rows go several to a statement (repo_events_append) */
	struct event_in *in = wrote ? calloc(u->nevents, sizeof *in) : NULL;
	if (!e && wrote && !in)
		e = KERR_NOMEM;
	for (size_t i = 0; !e && i < u->nevents; i++) {
		const struct uow_event *ev = &u->events[i];
		in[i] = (struct event_in){
			.number = ev->number,
			.org_id = ev->org_id,
			.type = ev->type,
			.agency = ev->has_agency ? ev->agency : NULL,
			.actor = ev->actor,
			.actor_role = ev->actor_role,
			.at = ev->at,
			.data = ev->data,
			.call_key = ev->call_key,
		};
	}
	if (!e && wrote)
		e = repo_events_append(u->conn, in, u->nevents);
	free(in);
	if (!e && wrote)
		e = store_announce(u->conn, STORE_TOPIC_FEED);
	if (!e && u->naudits)
		e = write_audits(u);
	drop_events(u);
	u->begun = false;
	if (e) {
		store_rollback(u->conn);
		money_settled(u);
		return e;
	}
	e = store_commit(u->conn);
	money_settled(u);
	if (!e && wrote && u->svc->on_events)
		u->svc->on_events(u->svc->on_events_arg);
	if (!e && u->reload_reference) {
		u->reload_reference = false;
		e = services_reload_refdata(u->svc, u->conn);
		if (e)
			log_error("reference data: saved, but reloading the snapshot failed");
	}
	return e;
}

void uow_rollback(struct uow *u)
{
	money_settled(u);
	drop_events(u);
	if (u->begun)
		store_rollback(u->conn);
	u->begun = false;
}

void uow_end_read(struct uow *u)
{
	uow_rollback(u);
}

void uow_free(struct uow *u)
{
	uow_rollback(u);
	free(u->events);
	u->events = NULL;
	u->cap = 0;
	free(u->audits);
	u->audits = NULL;
	u->audit_cap = 0;
	refdata_release(u->ref);
	u->ref = NULL;
}

kerr uow_run(struct services *s, bool write, kerr (*fn)(struct uow *u, void *arg), void *arg)
{
	struct store_conn *c;
	struct uow u;
	kerr e = store_thread_conn(s->store, &c);
	if (e)
		return e;
	uow_init(&u, s, c, write);
	e = fn(&u, arg);
	if (!e && write)
		e = uow_commit(&u);
	uow_free(&u);
	return e;
}

STORE_QUERY static const struct sql_query Q_PING = {"SELECT 1"};

kerr uow_ping(struct uow *u)
{
	return store_first(uow_peek(u), &Q_PING, NULL, NULL, "");
}

kerr uow_savepoint(struct uow *u, struct uow_savepoint *sp)
{
	struct store_conn *c;
	sp->nevents = u->nevents;
	sp->naudits = u->naudits;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_savepoint(c);
}

kerr uow_savepoint_keep(struct uow *u, const struct uow_savepoint *sp)
{
	(void)sp;
	return repo_savepoint_release(u->conn);
}

kerr uow_savepoint_undo(struct uow *u, const struct uow_savepoint *sp)
{
	for (size_t i = sp->nevents; i < u->nevents; i++) {
		free(u->events[i].data);
		free(u->events[i].call_key);
	}
	if (sp->nevents < u->nevents)
		u->nevents = sp->nevents;
	for (size_t i = sp->naudits; i < u->naudits; i++) {
		free(u->audits[i].action);
		free(u->audits[i].target);
		free(u->audits[i].data);
	}
	if (sp->naudits < u->naudits)
		u->naudits = sp->naudits;
	return repo_savepoint_rollback(u->conn);
}
