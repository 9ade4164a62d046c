/*
 * conveyances.c - conveyance reports, the agencies' parallel clearance and
 * the signed entry or departure permission (see conveyances.h).
 *
 * Never: grant a permission before every agency of the report has cleared
 * it, sign it twice, or change a report once its conveyance has departed.
 * Locks: the call, then the report.
 */
#include "service/conveyances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "domain/declaration.h"
#include "domain/release.h"
#include "service/calls.h"

void conveyance_state_free(struct conveyance_state *s)
{
	report_row_free(&s->report);
}

bool transport_id_parse(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 12 || s[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool may_see(const struct actor *a, const struct report_row *r)
{
	return calls_document_visible(a, false, r->org_id, r->port);
}

/* Load report `id` with its tasks and call; with for_change, the call and
 * the report are locked first. */
static kerr load(struct uow *u, const struct actor *a, int64_t id, bool for_change,
		 struct conveyance_state *s)
{
	memset(s, 0, sizeof *s);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_report_get(c, id, &s->report);
	if (!e && !may_see(a, &s->report))
		e = KERR_NOT_FOUND;
	if (!e && for_change) {
		/* lock in order, then read again what may have changed */
		e = calls_lock(u, s->report.call_key, s->report.transport_mode, s->report.port,
			       0);
		if (!e)
			e = repo_report_lock(c, id);
		report_row_free(&s->report);
		if (!e)
			e = repo_report_get(c, id, &s->report);
	}
	if (!e)
		e = repo_conveyance_tasks(c, id, s->tasks, &s->ntasks);
	if (!e)
		e = repo_call_get(c, s->report.call_key, &s->call);
	if (e)
		conveyance_state_free(s);
	return e;
}

/* Validate a body against the unit's snapshot and clock. */
static kerr validate(struct uow *u, const json_t *body, struct conveyance_report *r,
		     struct refusal *why)
{
	struct problems mine;
	problems_init(&mine);
	struct problems *p = why->fields ? why->fields : &mine;
	if (conveyance_validate(body, uow_refdata(u), uow_now_us(u), p, r))
		return KERR_OK;
	refusal_say(why, "the conveyance report has fields that are not valid");
	if (!why->fields && mine.count)
		refusal_say(why, "%s: %s", mine.errors[0].field, mine.errors[0].problem);
	return KERR_INVALID;
}

static json_t *agency_codes(const struct conveyance_report *r, const struct refdata *ref)
{
	json_t *a = json_array();
	for (size_t k = 0; k < ref->nagencies; k++)
		if (r->agencies & (1u << k))
			json_array_append_new(a, json_string(ref->agencies[k].code));
	return a;
}

static void id_text(int64_t id, char out[24])
{
	snprintf(out, 24, "%lld", (long long)id);
}

/* Record the actual arrival or departure time on the call, with its event. */
static kerr record_time(struct uow *u, const struct actor *a, const struct report_row *r,
			bool arrival, const char *at)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_call_set(c, r->call_key, arrival ? at : NULL, arrival ? NULL : at, NULL,
				  NULL);
	if (!e)
		e = calls_event(u, a, arrival ? EVENT_CONVEYANCE_ARRIVED : EVENT_CONVEYANCE_DEPARTED,
				r->call_key, NULL, at,
				json_pack("{s:I, s:s, s:s}", "report", (json_int_t)r->id, "call",
					  r->call_key, "at", at));
	return e;
}

kerr conveyances_lodge(struct uow *u, const struct actor *a, json_t *body,
		       struct conveyance_state *out, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	struct conveyance_report r;
	kerr e = calls_carrier(a, why);
	if (!e)
		e = validate(u, body, &r, why);
	if (e)
		return e;
	const struct refdata *ref = uow_refdata(u);
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	e = calls_lock(u, r.key, r.transport_mode, r.port, a->org_id);
	if (!e)
		e = uow_conn(u, &c);
	struct call_row call;
	if (!e)
		e = repo_call_get(c, r.key, &call);
	if (e)
		return e;
	if (*call.departed_at) {
		refusal_say(why, "the conveyance has departed from this call (%s); a new "
				 "voyage is a new call",
			    call.departed_at);
		return KERR_CONFLICT;
	}
	struct report_row *row = &out->report;
	str_copy(row->call_key, r.key, sizeof row->call_key);
	row->kind = r.kind;
	str_copy(row->transport_mode, r.transport_mode, sizeof row->transport_mode);
	str_copy(row->port, r.port, sizeof row->port);
	str_copy(row->port_office, r.port_office, sizeof row->port_office);
	row->org_id = a->org_id;
	row->version = 1;
	row->permission = PERMISSION_PENDING;
	row->body = json_canonical(body);
	str_copy(row->lodged_at, now, sizeof row->lodged_at);
	str_copy(row->updated_at, now, sizeof row->updated_at);
	if (!row->body)
		return KERR_NOMEM;
	e = repo_report_insert(c, row);
	if (e == KERR_CONFLICT) {
		int64_t other = 0;
		if (repo_report_find(c, r.key, r.kind, &other) != KERR_OK)
			other = 0;
		refusal_say(why, "the call already has this report");
		refusal_field(why, "/kind",
			      "call %s already has an %s report (%lld); amend it with PUT "
			      "/v1/conveyance-reports/%lld",
			      r.key, conveyance_kind_name(r.kind), (long long)other,
			      (long long)other);
		return e;
	}
	if (!e)
		e = calls_event(u, a, EVENT_CONVEYANCE_REPORTED, r.key, NULL, now,
				json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "report",
					  (json_int_t)row->id, "kind", conveyance_kind_name(r.kind),
					  "transport_mode", r.transport_mode, "call", r.key, "port",
					  r.port, "agencies", agency_codes(&r, ref)));
	for (size_t k = 0; !e && k < ref->nagencies; k++) {
		if (!(r.agencies & (1u << k)))
			continue;
		const char *agency = ref->agencies[k].code;
		e = repo_conveyance_task_insert(c, row->id, agency, now);
		if (!e)
			e = calls_event(u, a, EVENT_CONVEYANCE_TASK_OPENED, r.key, agency, now,
					json_pack("{s:I}", "report", (json_int_t)row->id));
	}
	char at[TIME_TEXT_SIZE];
	int64_t actual = r.kind == CONVEYANCE_ARRIVAL ? r.actual_arrival : r.actual_departure;
	if (!e && actual != KTIME_NONE) {
		ktime_format(actual, at);
		e = record_time(u, a, row, r.kind == CONVEYANCE_ARRIVAL, at);
	}
	if (!e)
		e = repo_conveyance_tasks(c, row->id, out->tasks, &out->ntasks);
	if (!e)
		e = repo_call_get(c, r.key, &out->call);
	return e;
}

static enum event_type decision_event_of(enum decision d)
{
	switch (d) {
	case DECISION_CLEARED:
		return EVENT_CONVEYANCE_TASK_CLEARED;
	case DECISION_INSPECT:
		return EVENT_CONVEYANCE_INSPECTION_ORDERED;
	case DECISION_RETURN:
		return EVENT_CONVEYANCE_TASK_RETURNED;
	case DECISION_REJECT:
		return EVENT_CONVEYANCE_TASK_REJECTED;
	case DECISION_COUNT:
		break;
	}
	return EVENT_CONVEYANCE_TASK_CLEARED;
}

/* The permission that follows from the report's tasks; when it changes,
 * store it, and sign and store the permission once it is granted. */
static kerr settle(struct uow *u, struct conveyance_state *s, const char *now)
{
	const struct refdata *ref = uow_refdata(u);
	enum task_status status[REF_MAX_AGENCIES] = {TASK_OPEN};
	agency_set required = 0;
	for (size_t i = 0; i < s->ntasks; i++) {
		int k = refdata_agency_index(ref, s->tasks[i].agency);
		if (k < 0 || s->tasks[i].status == TASK_CLOSED)
			continue;
		required |= 1u << k;
		status[k] = s->tasks[i].status;
	}
	struct permission p = conveyance_permission(required, status);
	if (p.state == s->report.permission)
		return KERR_OK;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	struct report_row *r = &s->report;
	r->permission = p.state;
	str_copy(r->updated_at, now, sizeof r->updated_at);
	e = repo_report_update(c, r);
	if (e || (p.state != PERMISSION_GRANTED && p.state != PERMISSION_REFUSED))
		return e;
	if (p.state == PERMISSION_REFUSED) {
		const char *by = NULL;
		for (size_t i = 0; i < s->ntasks; i++) {
			struct task_row *t = &s->tasks[i];
			if (t->status == TASK_REJECTED)
				by = t->agency;
			if (!e && task_pending(t->status)) {
				t->status = TASK_CLOSED;
				e = repo_conveyance_task_set(c, r->id, t);
			}
		}
		return e ? e
			 : calls_event(u, &actor_kouan, EVENT_CONVEYANCE_REFUSED, r->call_key, by,
				       now, json_pack("{s:I, s:s}", "report", (json_int_t)r->id,
						      "call", r->call_key));
	}
	/* granted: the permission, signed like a release notice */
	json_t *body = json_loads(r->body, 0, NULL);
	struct conveyance_report cr;
	struct problems ignored;
	problems_init(&ignored);
	if (!body || !conveyance_validate(body, ref, uow_now_us(u), &ignored, &cr)) {
		json_decref(body);
		return KERR_INTERNAL;
	}
	json_t *cleared = json_array();
	for (size_t k = 0; k < ref->nagencies; k++)
		if (p.cleared & (1u << k))
			json_array_append_new(cleared, json_string(ref->agencies[k].code));
	char id[24];
	id_text(r->id, id);
	char *text = conveyance_permission_text(&cr, id, now, cleared);
	json_decref(body);
	if (!text) {
		json_decref(cleared);
		return KERR_NOMEM;
	}
	char sig[SIGNATURE_B64_MAX];
	release_sign(text, u->svc->sign_sk, sig);
	bool arrival = r->kind == CONVEYANCE_ARRIVAL;
	e = repo_permission_put(c, r->id, text, sig, u->svc->key_id, now);
	free(text);
	if (!e)
		e = repo_call_set(c, r->call_key, NULL, NULL, arrival ? now : NULL,
				  arrival ? NULL : now);
	if (!e)
		e = calls_event(u, &actor_kouan,
				arrival ? EVENT_CONVEYANCE_ENTRY_PERMITTED
					: EVENT_CONVEYANCE_DEPARTURE_PERMITTED,
				r->call_key, NULL, now,
				json_pack("{s:I, s:s, s:O, s:s}", "report", (json_int_t)r->id, "call",
					  r->call_key, "agencies", cleared, "key_id", u->svc->key_id));
	json_decref(cleared);
	if (!e)
		e = repo_call_get(c, r->call_key, &s->call);
	return e;
}

kerr conveyances_may_decide(const struct actor *a, const char *agency, struct refusal *why)
{
	const char *own = actor_agency(a);
	if (own && agency && !strcmp(own, agency))
		return KERR_OK;
	refusal_say(why, "an officer decides only for its own agency (%s)", own ? own : "none");
	return KERR_FORBIDDEN;
}

kerr conveyances_decide(struct uow *u, const struct actor *a, int64_t id, const char *agency,
			enum decision d, const char *reason, struct conveyance_state *out,
			struct refusal *why)
{
	kerr e = conveyances_may_decide(a, agency, why);
	if (e)
		return e;
	e = load(u, a, id, true, out);
	if (e)
		return e;
	struct task_row *t = NULL;
	for (size_t i = 0; i < out->ntasks; i++)
		if (!strcmp(out->tasks[i].agency, agency))
			t = &out->tasks[i];
	if (!t) {
		refusal_say(why, "this report has no task for %s", agency);
		return KERR_NOT_FOUND;
	}
	enum task_status next;
	const char *refused;
	if (!conveyance_decide(out->report.permission, t->status, d, &next, &refused)) {
		refusal_say(why, "%s", refused);
		return KERR_CONFLICT;
	}
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	t->status = next;
	t->decided = true;
	t->decision = d;
	str_copy(t->decided_at, now, sizeof t->decided_at);
	str_copy(t->decided_by, actor_name(a), sizeof t->decided_by);
	str_copy(t->reason, reason ? reason : "", sizeof t->reason);
	e = uow_conn(u, &c);
	if (!e)
		e = repo_conveyance_task_set(c, id, t);
	json_t *data = json_pack("{s:I, s:s}", "report", (json_int_t)id, "decision",
				 decision_name(d));
	if (reason)
		json_object_set_new(data, "reason", json_string(reason));
	if (!e)
		e = calls_event(u, a, decision_event_of(d), out->report.call_key, agency, now,
				data);
	else
		json_decref(data);
	return e ? e : settle(u, out, now);
}

kerr conveyances_amend(struct uow *u, const struct actor *a, int64_t id, json_t *body,
		       struct conveyance_state *out, struct refusal *why)
{
	struct conveyance_report before, after;
	kerr e = calls_carrier(a, why);
	if (!e)
		e = load(u, a, id, true, out);
	if (e)
		return e;
	json_t *stored = json_loads(out->report.body, 0, NULL);
	struct problems ignored;
	problems_init(&ignored);
	if (!stored || !conveyance_validate(stored, uow_refdata(u), uow_now_us(u), &ignored,
					    &before)) {
		json_decref(stored);
		return KERR_INTERNAL;
	}
	e = validate(u, body, &after, why);
	struct problems mine;
	problems_init(&mine);
	bool departed = *out->call.departed_at != '\0';
	if (!e && !conveyance_amend_check(&before, &after, departed,
					  why->fields ? why->fields : &mine)) {
		refusal_say(why, departed ? "the conveyance has departed; its report is closed"
					  : "an amendment cannot change the call");
		e = departed ? KERR_CONFLICT : KERR_INVALID;
	}
	char *text = e ? NULL : json_canonical(body);
	if (!e && !text)
		e = KERR_NOMEM;
	if (!e && !strcmp(text, out->report.body)) {
		refusal_say(why, "the amendment changes nothing");
		refusal_field(why, "", "the amendment is identical to the current version; "
				       "nothing changed, so no new version is made");
		e = KERR_CONFLICT;
	}
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = repo_report_version_keep(c, id, out->report.version, out->report.body, now);
	if (!e) {
		free(out->report.body);
		out->report.body = text;
		text = NULL;
		out->report.version++;
		str_copy(out->report.updated_at, now, sizeof out->report.updated_at);
		e = repo_report_update(c, &out->report);
	}
	if (!e)
		e = calls_event(u, a, EVENT_CONVEYANCE_AMENDED, out->report.call_key, NULL, now,
				json_pack("{s:I, s:I}", "report", (json_int_t)id, "version",
					  (json_int_t)out->report.version));
	/* what was returned for correction is looked at again */
	for (size_t i = 0; !e && i < out->ntasks; i++) {
		struct task_row *t = &out->tasks[i];
		if (t->status != TASK_RETURNED)
			continue;
		t->status = TASK_OPEN;
		t->decided = false;
		t->decided_at[0] = t->decided_by[0] = t->reason[0] = '\0';
		str_copy(t->opened_at, now, sizeof t->opened_at);
		e = repo_conveyance_task_set(c, id, t);
		if (!e)
			e = calls_event(u, &actor_kouan, EVENT_CONVEYANCE_TASK_REOPENED,
					out->report.call_key, t->agency, now,
					json_pack("{s:I, s:I}", "report", (json_int_t)id, "version",
						  (json_int_t)out->report.version));
	}
	/* actual times newly given are recorded on the call */
	bool arrival = out->report.kind == CONVEYANCE_ARRIVAL;
	int64_t actual = arrival ? after.actual_arrival : after.actual_departure;
	const char *known = arrival ? out->call.arrived_at : out->call.departed_at;
	if (!e && actual != KTIME_NONE && !*known) {
		char at[TIME_TEXT_SIZE];
		ktime_format(actual, at);
		e = record_time(u, a, &out->report, arrival, at);
	}
	if (!e)
		e = settle(u, out, now);
	if (!e)
		e = repo_call_get(c, out->report.call_key, &out->call);
	free(text);
	json_decref(stored);
	return e;
}

kerr conveyances_record(struct uow *u, const struct actor *a, int64_t id, bool arrival,
			int64_t at_us, struct conveyance_state *out, struct refusal *why)
{
	kerr e = load(u, a, id, true, out);
	if (e)
		return e;
	if (a->role == ROLE_CARRIER && (e = calls_carrier(a, why)))
		return e;
	bool is_arrival = out->report.kind == CONVEYANCE_ARRIVAL;
	if (arrival != is_arrival) {
		refusal_say(why, "this is %s report; record the %s on the call's %s report",
			    is_arrival ? "an arrival" : "a departure",
			    arrival ? "arrival" : "departure", arrival ? "arrival" : "departure");
		return KERR_CONFLICT;
	}
	const char *known = arrival ? out->call.arrived_at : out->call.departed_at;
	if (*known) {
		refusal_say(why, "the %s of this call was recorded already (%s)",
			    arrival ? "arrival" : "departure", known);
		return KERR_CONFLICT;
	}
	int64_t now_us = uow_now_us(u);
	if (at_us == KTIME_NONE)
		at_us = now_us;
	if (at_us > now_us) {
		refusal_say(why, "the time is not valid");
		refusal_field(why, "/at", "is in the future; record the time it happened");
		return KERR_INVALID;
	}
	int64_t arrived_us;
	if (!arrival && *out->call.arrived_at && ktime_parse(out->call.arrived_at, &arrived_us) &&
	    at_us < arrived_us) {
		refusal_say(why, "the time is not valid");
		refusal_field(why, "/at", "is before the conveyance arrived (%s)",
			      out->call.arrived_at);
		return KERR_INVALID;
	}
	if (!arrival && out->report.permission != PERMISSION_GRANTED) {
		refusal_say(why, "the departure permission has not been granted (it is %s); the "
				 "conveyance may not leave yet",
			    permission_state_name(out->report.permission));
		return KERR_CONFLICT;
	}
	char at[TIME_TEXT_SIZE];
	ktime_format(at_us, at);
	struct store_conn *c;
	e = record_time(u, a, &out->report, arrival, at);
	if (!e)
		e = uow_conn(u, &c);
	return e ? e : repo_call_get(c, out->report.call_key, &out->call);
}

kerr conveyances_get(struct uow *u, const struct actor *a, int64_t id,
		     struct conveyance_state *out)
{
	return load(u, a, id, false, out);
}

kerr conveyances_list(struct uow *u, const struct actor *a, struct report_filter *f,
		      report_row_fn fn, void *arg)
{
	bool none;
	struct store_conn *c;
	kerr e = calls_list_scope(a, false, &f->org_id, &f->port, &none);
	if (e || none)
		return e;
	e = uow_conn(u, &c);
	return e ? e : repo_report_list(c, f, fn, arg);
}

kerr conveyances_permission(struct uow *u, const struct actor *a, int64_t id,
			    struct notice_row *out, struct refusal *why)
{
	struct conveyance_state s;
	kerr e = load(u, a, id, false, &s);
	if (e)
		return e;
	conveyance_state_free(&s);
	struct store_conn *c;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_permission_get(c, id, out);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "this report has no permission yet: not every agency has "
				 "cleared it");
	return e;
}
