/*
 * terminal.c - the terminal's gate and yard events (see terminal.h).
 *
 * Never: record a yard event the gate refused, or refuse one without
 * recording the attempt; let a terminal see another port's containers.
 */
#include "service/terminal.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"
#include "service/calls.h"
#include "store/repo_transport.h"

#define GATE_MAX_CALLS 16
#define GATE_MAX_BILLS 64
#define GATE_MAX_EVENTS 8

/* The lines carrying the container, by call. */
struct line_ref {
	char call_key[CALL_KEY_MAX];
	char bill[BILL_OF_LADING_MAX];
	char port[PORT_CODE_SIZE];
};

struct lines {
	const char *port_only; /* a terminal sees its port's calls */
	struct line_ref l[GATE_MAX_BILLS];
	size_t n;
	size_t dropped;
};

static kerr add_line(void *arg, const struct container_line *cl)
{
	struct lines *ls = arg;
	if (ls->port_only && strcmp(cl->port, ls->port_only) != 0)
		return KERR_OK;
	if (ls->n >= GATE_MAX_BILLS) {
		ls->dropped++;
		return KERR_OK;
	}
	struct line_ref *r = &ls->l[ls->n++];
	str_copy(r->call_key, cl->call_key, sizeof r->call_key);
	str_copy(r->bill, cl->bill_of_lading, sizeof r->bill);
	str_copy(r->port, cl->port, sizeof r->port);
	return KERR_OK;
}

/* One declaration as the gate sees it, with the strings it points to. */
struct decl_store {
	char number[DECL_NUMBER_SIZE];
	char names[TASKS_MAX][AGENCY_CODE_SIZE];
	const char *waiting[TASKS_MAX];
};

struct facts {
	struct gate_container c;
	struct gate_bill bills[GATE_MAX_BILLS];
	char bill_names[GATE_MAX_BILLS][BILL_OF_LADING_MAX];
	struct gate_declaration *decls;
	struct decl_store *stores;
	size_t ndecls, cap;
	struct yard_record events[GATE_MAX_EVENTS];
	char number[CONTAINER_NUMBER_MAX];
};

static void facts_free(struct facts *f)
{
	free(f->decls);
	free(f->stores);
}

struct bill_fill {
	struct facts *f;
	struct store_conn *c;
	kerr e;
};

static kerr add_decl(void *arg, const struct bill_declaration *b)
{
	struct facts *f = arg;
	if (f->ndecls == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct gate_declaration *d = realloc(f->decls, cap * sizeof *d);
		if (!d)
			return KERR_NOMEM;
		f->decls = d;
		struct decl_store *s = realloc(f->stores, cap * sizeof *s);
		if (!s)
			return KERR_NOMEM;
		f->stores = s;
		f->cap = cap;
	}
	struct decl_store *s = &f->stores[f->ndecls];
	struct gate_declaration *d = &f->decls[f->ndecls++];
	memset(s, 0, sizeof *s);
	str_copy(s->number, b->number, sizeof s->number);
	*d = (struct gate_declaration){
		.status = b->status,
		.flow = b->flow,
		.matched = b->state == CONSIGNMENT_MATCHED || b->state == CONSIGNMENT_NOT_REQUIRED,
		.released_at = KTIME_NONE,
		.split_part = b->split_part,
		.split_of = b->split_of,
	};
	if (b->released_at && !ktime_parse(b->released_at, &d->released_at))
		return KERR_STORE;
	return KERR_OK;
}

/* Gather the facts of container `number` on `call` (bills from `ls`). */
static kerr gather(struct store_conn *c, const char *number, bool import, const char *call,
		   const struct lines *ls, struct facts *f)
{
	memset(f, 0, sizeof *f);
	str_copy(f->number, number, sizeof f->number);
	f->c.number = f->number;
	f->c.import = import;
	f->c.bills = f->bills;
	f->c.events = f->events;
	if (!call)
		return KERR_OK;
	struct call_row row;
	kerr e = repo_call_get(c, call, &row);
	if (e == KERR_NOT_FOUND)
		return KERR_OK;
	if (e)
		return e;
	f->c.entry_permitted = *row.entry_permitted_at != '\0';
	/* the bills on the container, and their declarations (positions
	 * first: the array may move while it grows) */
	size_t first[GATE_MAX_BILLS];
	for (size_t i = 0; !e && i < ls->n; i++) {
		if (strcmp(ls->l[i].call_key, call) != 0)
			continue;
		size_t k = f->c.nbills++;
		str_copy(f->bill_names[k], ls->l[i].bill, sizeof f->bill_names[k]);
		first[k] = f->ndecls;
		e = repo_bill_declarations(c, call, ls->l[i].bill, add_decl, f);
	}
	for (size_t k = 0; !e && k < f->c.nbills; k++) {
		size_t end = k + 1 < f->c.nbills ? first[k + 1] : f->ndecls;
		f->bills[k] = (struct gate_bill){f->bill_names[k], f->decls + first[k],
						 end - first[k]};
	}
	/* who each declaration not yet released waits for */
	for (size_t i = 0; !e && i < f->ndecls; i++) {
		struct gate_declaration *d = &f->decls[i];
		struct decl_store *s = &f->stores[i];
		d->number = s->number;
		if (d->status != DECL_ACCEPTED && d->status != DECL_RETURNED)
			continue;
		struct task_row tasks[TASKS_MAX];
		size_t nt = 0;
		e = repo_task_list(c, s->number, tasks, &nt);
		for (size_t t = 0; !e && t < nt; t++) {
			if (!task_pending(tasks[t].status))
				continue;
			str_copy(s->names[d->nwaiting], tasks[t].agency, AGENCY_CODE_SIZE);
			s->waiting[d->nwaiting] = s->names[d->nwaiting];
			d->nwaiting++;
		}
		d->waiting = s->waiting;
	}
	if (!e)
		e = repo_yard_events(c, number, call, f->events, GATE_MAX_EVENTS, &f->c.nevents);
	return e;
}

static bool import_action(enum yard_event action)
{
	return action == YARD_DISCHARGED || action == YARD_GATED_OUT;
}

/* Is the container's last event of the direction recorded on this call? */
static kerr call_done(struct store_conn *c, const char *number, const char *call, bool import,
		      bool *done)
{
	struct yard_record ev[GATE_MAX_EVENTS];
	size_t n = 0;
	kerr e = repo_yard_events(c, number, call, ev, GATE_MAX_EVENTS, &n);
	*done = false;
	for (size_t i = 0; !e && i < n; i++)
		if (ev[i].event == (import ? YARD_GATED_OUT : YARD_LOADED))
			*done = true;
	return e;
}

/* The call the question is about: the one given, or the one open call
 * whose manifest carries the container (the latest when none is open). */
static kerr pick_call(struct store_conn *c, const struct actor *a, const char *number,
		      bool import, const char *given, struct lines *ls, char out[CALL_KEY_MAX],
		      struct refusal *why)
{
	out[0] = '\0';
	ls->port_only = a->role == ROLE_PORT_OPERATOR ? a->org_port : NULL;
	kerr e = repo_container_lines(c, number, import ? MANIFEST_ORIGINAL : MANIFEST_PRE_LOADING,
				      add_line, ls);
	if (e)
		return e;
	if (given) {
		struct call_row row;
		e = repo_call_get(c, given, &row);
		if (e == KERR_OK && !calls_may_see(a, &row))
			e = KERR_NOT_FOUND;
		if (e == KERR_NOT_FOUND) {
			refusal_say(why, "no call %s is known at your port", given);
			return KERR_NOT_FOUND;
		}
		str_copy(out, given, CALL_KEY_MAX);
		return e;
	}
	const char *open[GATE_MAX_CALLS];
	size_t nopen = 0;
	for (size_t i = 0; !e && i < ls->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(ls->l[k].call_key, ls->l[i].call_key);
		bool done = false;
		if (!seen)
			e = call_done(c, number, ls->l[i].call_key, import, &done);
		if (!seen && !done && nopen < GATE_MAX_CALLS)
			open[nopen++] = ls->l[i].call_key;
	}
	if (e)
		return e;
	if (nopen > 1) {
		struct buf list;
		buf_init(&list, 600);
		for (size_t i = 0; i < nopen; i++)
			if (buf_printf(&list, "%s%s", i ? ", " : "", open[i]))
				break;
		refusal_say(why, "the container is on more than one open call");
		refusal_field(why, "query:call",
			      "container %s is on the manifests of several calls (%s); name "
			      "the call",
			      number, list.len ? list.data : "");
		buf_free(&list);
		return KERR_INVALID;
	}
	if (nopen == 1)
		str_copy(out, open[0], CALL_KEY_MAX);
	else if (ls->n) /* latest first */
		str_copy(out, ls->l[0].call_key, CALL_KEY_MAX);
	return KERR_OK;
}

static kerr ask(struct uow *u, const struct actor *a, const char *number,
		enum yard_event action, const char *call, struct gate_answer *out,
		struct facts *f, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	memset(f, 0, sizeof *f);
	if (codes_check_container(number) != CODES_OK) {
		refusal_say(why, "the container number is not valid");
		refusal_field(why, "path:number", "container number %s",
			      codes_result_text(codes_check_container(number), "container"));
		return KERR_INVALID;
	}
	if (!a->system && a->role == ROLE_PORT_OPERATOR && !*a->org_port) {
		refusal_say(why, "your organisation has no port");
		return KERR_FORBIDDEN;
	}
	struct store_conn *c;
	struct lines *ls = calloc(1, sizeof *ls);
	kerr e = ls ? uow_conn(u, &c) : KERR_NOMEM;
	bool import = import_action(action);
	if (!e)
		e = pick_call(c, a, number, import, call, ls, out->call_key, why);
	if (!e)
		e = gather(c, number, import, *out->call_key ? out->call_key : NULL, ls, f);
	if (!e) {
		str_copy(out->container, number, sizeof out->container);
		out->action = action;
		for (size_t i = 0; i < ls->n; i++)
			if (!strcmp(ls->l[i].call_key, out->call_key))
				str_copy(out->port, ls->l[i].port, sizeof out->port);
		gate_decide(&f->c, action, &out->verdict);
	}
	free(ls);
	return e;
}

kerr terminal_gate(struct uow *u, const struct actor *a, const char *number,
		   enum yard_event action, const char *call, struct gate_answer *out,
		   struct refusal *why)
{
	struct facts f;
	kerr e = ask(u, a, number, action, call, out, &f, why);
	facts_free(&f);
	return e;
}

static const enum event_type yard_event_types[YARD_EVENT_COUNT] = {
	EVENT_CONTAINER_DISCHARGED, EVENT_CONTAINER_GATED_IN, EVENT_CONTAINER_LOADED,
	EVENT_CONTAINER_GATED_OUT};

/* The event on the call's timeline and on each live declaration's. */
static kerr yard_events(struct uow *u, const struct actor *a, enum event_type type,
			const struct gate_answer *out, const struct facts *f, json_t *data)
{
	const char *call = *out->call_key ? out->call_key : NULL;
	json_t *bills = json_array(), *decls = json_array();
	for (size_t i = 0; i < f->c.nbills; i++) {
		json_array_append_new(bills, json_string(f->c.bills[i].bill_of_lading));
		for (size_t k = 0; k < f->c.bills[i].n; k++) {
			const struct gate_declaration *d = &f->c.bills[i].declarations[k];
			if (d->status != DECL_WITHDRAWN && d->status != DECL_REJECTED)
				json_array_append_new(decls, json_string(d->number));
		}
	}
	json_object_set_new(data, "container", json_string(out->container));
	json_object_set_new(data, "call", call ? json_string(call) : json_null());
	json_object_set_new(data, "bills", bills);
	json_object_set(data, "declarations", decls);
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = call ? calls_event(u, a, type, call, NULL, now, json_incref(data))
		      : uow_call_event(u, a, type, NULL, NULL, 0, NULL, now, json_incref(data));
	/* on each declaration's timeline, for its own clearance time */
	struct store_conn *c;
	if (!e)
		e = uow_conn(u, &c);
	size_t i;
	json_t *n;
	json_array_foreach(decls, i, n)
	{
		struct decl_row row;
		memset(&row, 0, sizeof row);
		if (!e)
			e = repo_decl_get(c, json_string_value(n), &row);
		if (!e)
			e = uow_call_event(u, a, type, call, row.number, row.org_id, NULL, now,
					   json_incref(data));
		decl_row_free(&row);
	}
	json_decref(decls);
	json_decref(data);
	return e;
}

static json_t *missing_json(const struct gate_verdict *v)
{
	json_t *m = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(m, json_pack("{s:s, s:s, s:s}", "kind",
						   gate_missing_name(v->missing[i].kind), "subject",
						   v->missing[i].subject, "text", v->missing[i].text));
	return m;
}

kerr terminal_record(struct uow *u, const struct actor *a, const char *number,
		     enum yard_event action, int64_t at_us, const char *call,
		     struct gate_answer *out, struct refusal *why)
{
	struct facts f;
	int64_t now_us = uow_now_us(u);
	kerr e = ask(u, a, number, action, call, out, &f, why);
	if (e)
		goto out;
	if (at_us == KTIME_NONE)
		at_us = now_us;
	if (at_us > now_us) {
		refusal_say(why, "the time is not valid");
		refusal_field(why, "/at", "is in the future; record the time it happened");
		e = KERR_INVALID;
		goto out;
	}
	ktime_format(at_us, out->at);
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	e = uow_conn(u, &c);
	if (e)
		goto out;
	if (!out->verdict.allowed) {
		/* refused, and on the record */
		json_t *missing = missing_json(&out->verdict);
		char *text = json_dumps(missing, JSON_COMPACT);
		e = text ? repo_gate_attempt_put(c, number, *out->call_key ? out->call_key : NULL,
						 action, text, actor_name(a), now)
			 : KERR_NOMEM;
		free(text);
		if (!e)
			e = yard_events(u, a, EVENT_CONTAINER_GATE_REFUSED, out, &f,
					json_pack("{s:s, s:s, s:o}", "action",
						  yard_event_name(action), "at", out->at, "missing",
						  missing));
		else
			json_decref(missing);
		if (!e) {
			out->attempt_recorded = true;
			refusal_say(why, "container %s may not be %s now: %s", number,
				    yard_event_name(action),
				    out->verdict.n ? out->verdict.missing[0].text : "refused");
			e = KERR_CONFLICT;
		}
		goto out;
	}
	const char *order_why;
	if (!gate_event_order(f.c.import, f.c.events, f.c.nevents, action, at_us, &order_why)) {
		refusal_say(why, "the time is not valid");
		refusal_field(why, "/at", "container %s %s", number, order_why);
		e = KERR_INVALID;
		goto out;
	}
	e = repo_yard_event_put(c, number, out->call_key, action, out->at, out->verdict.ship_side,
				actor_name(a), now);
	if (e == KERR_CONFLICT) {
		refusal_say(why, "container %s was recorded %s at the same moment by another "
				 "gate",
			    number, yard_event_name(action));
		goto out;
	}
	if (!e)
		e = yard_events(u, a, yard_event_types[action], out, &f,
				json_pack("{s:b, s:s}", "ship_side", out->verdict.ship_side, "at",
					  out->at));
	out->recorded = !e;
out:
	facts_free(&f);
	return e;
}
