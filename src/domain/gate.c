/* gate.c - the terminal gate's decisions and the order of yard events (see
 * gate.h). */
#include "domain/gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"

static const char *const event_names[YARD_EVENT_COUNT] = {
	"discharged", "gated_in", "loaded", "gated_out"};
static const char *const missing_names[MISSING_KIND_COUNT] = {
	"order", "entry_permission", "manifest", "declaration", "split_parts",
	"match", "release"};

const char *yard_event_name(enum yard_event e)
{
	return e < YARD_EVENT_COUNT ? event_names[e] : "discharged";
}

bool yard_event_parse(const char *s, enum yard_event *out)
{
	for (int i = 0; s && i < YARD_EVENT_COUNT; i++) {
		if (strcmp(event_names[i], s) == 0) {
			*out = (enum yard_event)i;
			return true;
		}
	}
	return false;
}

const char *gate_missing_name(enum gate_missing_kind k)
{
	return k < MISSING_KIND_COUNT ? missing_names[k] : "order";
}

static bool happened(const struct yard_record *events, size_t n, enum yard_event e,
		     int64_t *at)
{
	for (size_t i = 0; i < n; i++) {
		if (events[i].event == e) {
			if (at)
				*at = events[i].at;
			return true;
		}
	}
	return false;
}

bool gate_event_order(bool import, const struct yard_record *events, size_t n,
		      enum yard_event next, int64_t at, const char **why)
{
	/* the first and second event of each direction */
	enum yard_event first = import ? YARD_DISCHARGED : YARD_GATED_IN;
	enum yard_event second = import ? YARD_GATED_OUT : YARD_LOADED;
	if (next != first && next != second) {
		*why = import ? "is an import container: it is discharged, then gated out"
			      : "is an export container: it is gated in, then loaded";
		return false;
	}
	if (happened(events, n, next, NULL)) {
		static const char *const again[YARD_EVENT_COUNT] = {
			"was already discharged", "is already in the terminal",
			"is already loaded", "has already gone out of the terminal"};
		*why = again[next];
		return false;
	}
	if (next == second && !happened(events, n, first, NULL)) {
		*why = import ? "has not been discharged: a container goes out of the "
				"terminal after it comes off the ship"
			      : "has not come into the terminal: a container is loaded "
				"after it is gated in";
		return false;
	}
	if (next == first && happened(events, n, second, NULL)) {
		*why = import ? "has already gone out of the terminal"
			      : "is already loaded";
		return false;
	}
	if (at != KTIME_NONE && n && at < events[n - 1].at) {
		*why = "cannot have an event earlier than its last one";
		return false;
	}
	return true;
}

static void add(struct gate_verdict *v, enum gate_missing_kind kind,
		const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct gate_verdict *v, enum gate_missing_kind kind,
		const char *subject, const char *fmt, ...)
{
	v->allowed = false;
	if (v->n >= GATE_MAX_MISSING) {
		v->dropped++;
		return;
	}
	struct gate_missing *m = &v->missing[v->n++];
	m->kind = kind;
	str_copy(m->subject, subject, sizeof m->subject);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof m->text, fmt, ap);
	va_end(ap);
}

static bool live(const struct gate_declaration *d)
{
	return d->status != DECL_WITHDRAWN && d->status != DECL_REJECTED;
}

static void split_parts(const struct gate_bill *b, struct gate_verdict *v)
{
	int of = 0;
	bool seen[100] = {false};
	for (size_t i = 0; i < b->n; i++) {
		const struct gate_declaration *d = &b->declarations[i];
		if (!live(d) || d->split_of < 2 || d->split_of > 99)
			continue;
		of = d->split_of;
		if (d->split_part >= 1 && d->split_part <= 99)
			seen[d->split_part] = true;
	}
	if (!of)
		return;
	char list[200] = "";
	size_t len = 0, missing = 0;
	for (int k = 1; k <= of; k++) {
		if (seen[k])
			continue;
		int w = snprintf(list + len, sizeof list - len, "%s%d", missing ? ", " : "", k);
		if (w > 0 && len + (size_t)w < sizeof list)
			len += (size_t)w;
		missing++;
	}
	if (missing)
		add(v, MISSING_SPLIT_PARTS, b->bill_of_lading,
		    "bill of lading %s is declared in %d parts; part%s %s %s not declared",
		    b->bill_of_lading, of, missing > 1 ? "s" : "", list,
		    missing > 1 ? "are" : "is");
}

static void release_of(const struct gate_declaration *d, const char *bill,
		       struct gate_verdict *v)
{
	if (!d->matched)
		add(v, MISSING_MATCH, d->number,
		    "declaration %s does not match the manifest line of bill %s (yet)",
		    d->number, bill);
	if (d->status == DECL_RELEASED)
		return;
	char waiting[160] = "";
	size_t len = 0;
	for (size_t k = 0; d->waiting && k < d->nwaiting; k++) {
		int w = snprintf(waiting + len, sizeof waiting - len, "%s%s",
				 k ? ", " : "; waiting for ", d->waiting[k]);
		if (w > 0 && len + (size_t)w < sizeof waiting)
			len += (size_t)w;
	}
	add(v, MISSING_RELEASE, d->number, "declaration %s of bill %s is %s, not released%s",
	    d->number, bill, declaration_status_name(d->status), waiting);
}

/* Everything the bills on the container still need before it may go. */
static void bills_ready(const struct gate_container *c, struct gate_verdict *v)
{
	if (!c->nbills)
		add(v, MISSING_MANIFEST, c->number,
		    "container %s is on no manifest line of this call", c->number);
	for (size_t i = 0; i < c->nbills; i++) {
		const struct gate_bill *b = &c->bills[i];
		size_t n = 0;
		for (size_t k = 0; k < b->n; k++)
			n += live(&b->declarations[k]);
		if (!n) {
			add(v, MISSING_DECLARATION, b->bill_of_lading,
			    "bill of lading %s has no declaration in progress",
			    b->bill_of_lading);
			continue;
		}
		split_parts(b, v);
		for (size_t k = 0; k < b->n; k++)
			if (live(&b->declarations[k]))
				release_of(&b->declarations[k], b->bill_of_lading, v);
	}
}

/* Did every live declaration choose `flow` and get released by `by` (or
 * at all, when by is KTIME_NONE)? */
static bool direct(const struct gate_container *c, enum clearance_flow flow,
		   int64_t by)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nbills; i++) {
		for (size_t k = 0; k < c->bills[i].n; k++) {
			const struct gate_declaration *d = &c->bills[i].declarations[k];
			if (!live(d))
				continue;
			if (d->flow != flow || d->status != DECL_RELEASED ||
			    d->released_at == KTIME_NONE ||
			    (by != KTIME_NONE && d->released_at > by))
				return false;
			n++;
		}
	}
	return n > 0;
}

void gate_decide(const struct gate_container *c, enum yard_event action,
		 struct gate_verdict *out)
{
	memset(out, 0, sizeof *out);
	out->allowed = true;
	const char *why;
	if (!gate_event_order(c->import, c->events, c->nevents, action, KTIME_NONE, &why)) {
		add(out, MISSING_ORDER, c->number, "container %s %s", c->number, why);
		return;
	}
	bool first = action == YARD_DISCHARGED || action == YARD_GATED_IN;
	enum clearance_flow flow = c->import ? FLOW_DIRECT_PICKUP : FLOW_DIRECT_LOADING;
	if (action != YARD_GATED_IN && !c->entry_permitted)
		add(out, MISSING_ENTRY_PERMISSION, c->number,
		    "the conveyance carrying container %s has no entry permission yet",
		    c->number);
	if (action == YARD_GATED_IN && !c->nbills)
		add(out, MISSING_MANIFEST, c->number,
		    "container %s is on no pre-loading manifest line; an export "
		    "container enters the terminal once the carrier has manifested it",
		    c->number);
	if (first) {
		/* not required yet; ready now means the direct flow applies */
		struct gate_verdict ready;
		memset(&ready, 0, sizeof ready);
		ready.allowed = true;
		bills_ready(c, &ready);
		out->ship_side = out->allowed && ready.allowed &&
				 direct(c, flow, KTIME_NONE);
		return;
	}
	bills_ready(c, out);
	int64_t since = KTIME_NONE;
	happened(c->events, c->nevents, c->import ? YARD_DISCHARGED : YARD_GATED_IN,
		 &since);
	out->ship_side = out->allowed && direct(c, flow, since);
}

json_t *gate_verdict_json(const struct gate_container *c, enum yard_event action,
			  const struct gate_verdict *v)
{
	json_t *missing = json_array();
	for (size_t i = 0; missing && i < v->n; i++) {
		const struct gate_missing *m = &v->missing[i];
		json_t *o = json_pack("{s:s, s:s, s:s}", "kind", gate_missing_name(m->kind),
				      "subject", m->subject, "text", m->text);
		if (!o || json_array_append_new(missing, o)) {
			json_decref(missing);
			return NULL;
		}
	}
	json_t *r = json_pack("{s:s, s:s, s:b, s:b, s:o}", "container", c->number,
			      "action", yard_event_name(action), "allowed", v->allowed,
			      "ship_side", v->ship_side, "missing", missing);
	if (r && v->dropped &&
	    json_object_set_new(r, "missing_not_shown", json_integer((json_int_t)v->dropped))) {
		json_decref(r);
		return NULL;
	}
	return r;
}
