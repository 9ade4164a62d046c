/*
 * inspections.c - the joint inspection's use cases: reading, findings and
 * recognition, appointments, sites and schedules (see inspections.h).
 *
 * Never: decide a task other than through clearance_decide, or book a slot
 * that is not aligned, not in the future, or full.
 */
#include "service/inspections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "service/clearance.h"
#include "service/joint_inspection.h"
#include "store/repo.h"

bool inspection_id_parse(const char *s, int64_t *id)
{
	int64_t v = 0;
	if (!s || !*s || strlen(s) > 15)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*id = v;
	return v > 0;
}

/* May the actor see this inspection? */
static kerr may_see(struct uow *u, const struct actor *a, const struct inspection_row *in)
{
	if (a->system)
		return KERR_OK;
	switch (a->role) {
	case ROLE_DECLARANT:
		return in->org_id == a->org_id ? KERR_OK : KERR_NOT_FOUND;
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		return KERR_OK;
	default: {
		const char *agency = role_agency(a->role);
		struct store_conn *c;
		kerr e = agency ? uow_conn(u, &c) : KERR_NOT_FOUND;
		return e ? e : repo_inspection_agency_in(c, in->id, agency);
	}
	}
}

/* Load an inspection the actor may see; for a change, lock the
 * declaration's row and then the inspection's and read it again as it now
 * is. */
static kerr load(struct uow *u, const struct actor *a, int64_t id, bool for_change,
		 struct inspection_row *in, struct refusal *why)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_get(c, id, in);
	if (!e && for_change) {
		e = repo_decl_lock(c, in->declaration_number);
		if (!e)
			e = repo_inspection_lock(c, id);
		if (!e)
			e = repo_inspection_get(c, id, in);
	}
	if (!e)
		e = may_see(u, a, in);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no inspection has that id");
	return e;
}

static kerr add_agency(void *arg, const struct inspection_agency_row *row)
{
	struct inspection_state *s = arg;
	if (s->nagencies >= INSPECTION_AGENCIES_MAX)
		return KERR_INTERNAL;
	struct inspection_participant *ag = &s->agencies[s->nagencies++];
	memset(ag, 0, sizeof *ag);
	str_copy(ag->agency, row->agency, sizeof ag->agency);
	str_copy(ag->joined_at, row->joined_at, sizeof ag->joined_at);
	ag->has_finding = row->has_finding;
	if (row->has_finding)
		ag->finding = row->finding;
	return KERR_OK;
}

/* Fill what readers are shown of inspection `in`. */
static kerr state_of(struct uow *u, const struct inspection_row *in,
		     struct inspection_state *s)
{
	struct store_conn *c;
	memset(s, 0, sizeof *s);
	s->row = *in;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_agencies(c, in->id, add_agency, s);
	if (!e) {
		e = repo_booking_get(c, in->id, &s->booking);
		if (!e)
			e = repo_site_get(c, s->booking.site_code, &s->site);
		s->booked = !e;
		if (e == KERR_NOT_FOUND)
			e = KERR_OK;
	}
	if (!e)
		e = repo_decl_status(c, in->declaration_number, &s->declaration_status);
	return e;
}

/* Read the inspection again and fill the state (after a change). */
static kerr state_now(struct uow *u, int64_t id, struct inspection_state *s)
{
	struct store_conn *c;
	struct inspection_row in;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_get(c, id, &in);
	return e ? e : state_of(u, &in, s);
}

kerr inspections_get(struct uow *u, const struct actor *a, int64_t id,
		     struct inspection_state *out)
{
	struct inspection_row in;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = load(u, a, id, false, &in, &why);
	return e ? e : state_of(u, &in, out);
}

kerr inspections_of_declaration(struct uow *u, const struct actor *a, const char *number,
				struct inspection_state *out)
{
	struct store_conn *c;
	struct inspection_row in;
	kerr e = declaration_number_valid(number) ? uow_conn(u, &c) : KERR_NOT_FOUND;
	if (!e)
		e = repo_inspection_latest_for(c, number, &in);
	if (!e)
		e = may_see(u, a, &in);
	return e ? e : state_of(u, &in, out);
}

kerr inspections_may_record(const struct actor *a, const char *agency, struct refusal *why)
{
	const char *mine = actor_agency(a);
	if (mine && strcmp(agency, mine) == 0)
		return KERR_OK;
	refusal_say(why, "a %s officer may record only %s findings on an inspection",
		    role_name(a->role), mine ? mine : "no");
	return KERR_FORBIDDEN;
}

/* Record finding f of f->agency and apply it to the agency's task, then
 * settle the inspection. */
static kerr record_finding(struct uow *u, const struct actor *a,
			   const struct inspection_row *in, struct finding *f,
			   enum event_type type, struct refusal *why)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	str_copy(f->recorded_by, actor_name(a), sizeof f->recorded_by);
	str_copy(f->recorded_at, now, sizeof f->recorded_at);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_finding_insert(c, in->id, in->declaration_number, f);
	if (e == KERR_CONFLICT) {
		refusal_say(why, "%s has already recorded its finding on this inspection; a "
				 "finding cannot be changed", f->agency);
		return e;
	}
	if (!e)
		e = joint_inspection_event(
			u, a, in, type, f->agency, now,
			json_pack("{s:s, s:o, s:o}", "result", finding_result_name(f->result),
				  "decision",
				  f->has_decision ? json_string(decision_name(f->decision))
						  : json_null(),
				  "recognised_from",
				  *f->recognised_from ? json_string(f->recognised_from)
						      : json_null()));
	if (e)
		return e;
	struct declaration d;
	struct refusal refused;
	refusal_init(&refused, NULL);
	e = clearance_load(u, a, in->declaration_number, true, &d);
	if (!e)
		e = clearance_decide(u, a, &d, f->agency, inspection_finding_decision(f),
				     *f->note ? f->note : NULL,
				     json_pack("{s:I, s:s}", "inspection", (json_int_t)in->id,
					       "finding", finding_result_name(f->result)),
				     &refused);
	if (e == KERR_CONFLICT || e == KERR_NOT_FOUND) {
		refusal_say(why, "the finding cannot apply to the %s task: %s", f->agency,
			    *refused.detail ? refused.detail : "it does not allow this decision");
		e = KERR_CONFLICT;
	}
	bool ended = !e && declaration_final(d.row.status);
	if (!e)
		e = joint_inspection_settle(u, in->id, ended, now);
	declaration_free(&d);
	return e;
}

/* KERR_OK when findings can be recorded on the inspection now; otherwise
 * KERR_CONFLICT saying why. */
static kerr findings_open(struct uow *u, const struct inspection_row *in,
			  struct refusal *why)
{
	struct booking_row b;
	memset(&b, 0, sizeof b);
	bool started = false;
	kerr e = KERR_OK;
	if (in->status == INSPECTION_BOOKED)
		e = joint_inspection_started(u, in, &started, &b);
	if (e)
		return e;
	char buf[200];
	const char *closed = inspection_findings_closed(in->status, started, b.slot_start,
							b.site_code, buf, sizeof buf);
	if (!closed)
		return KERR_OK;
	refusal_say(why, "%s", closed);
	return KERR_CONFLICT;
}

kerr inspections_record_finding(struct uow *u, const struct actor *a, int64_t id,
				struct finding *f, struct inspection_state *out,
				struct refusal *why)
{
	struct inspection_row in;
	kerr e = inspections_may_record(a, f->agency, why);
	if (!e)
		e = load(u, a, id, true, &in, why);
	if (!e)
		e = findings_open(u, &in, why);
	if (!e)
		e = record_finding(u, a, &in, f, EVENT_INSPECTION_FINDING_RECORDED, why);
	return e ? e : state_now(u, id, out);
}

kerr inspections_recognise(struct uow *u, const struct actor *a, int64_t id,
			   const char *agency, const char *from, struct inspection_state *out,
			   struct refusal *why)
{
	struct inspection_row in;
	struct store_conn *c;
	struct finding f;
	kerr e = inspections_may_record(a, agency, why);
	if (!e)
		e = load(u, a, id, true, &in, why);
	if (e)
		return e;
	if (!inspection_under_way(in.status)) {
		refusal_say(why, in.status == INSPECTION_COMPLETED
					 ? "the inspection is completed: every agency has recorded "
					   "its finding"
					 : "the inspection was closed without taking place");
		return KERR_CONFLICT;
	}
	e = uow_conn(u, &c);
	if (!e)
		e = repo_finding_get(c, in.id, from, &f);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "%s has recorded no finding on this inspection to recognise",
			    from);
		refusal_field(why, "/from_agency",
			      "%s has recorded no finding on this inspection to recognise", from);
		return KERR_CONFLICT;
	}
	if (e)
		return e;
	/* the same finding, marked as recognised from the other agency */
	str_copy(f.agency, agency, sizeof f.agency);
	str_copy(f.recognised_from, from, sizeof f.recognised_from);
	e = record_finding(u, a, &in, &f, EVENT_INSPECTION_FINDING_RECOGNISED, why);
	return e ? e : state_now(u, id, out);
}

kerr inspections_waive(struct uow *u, const struct actor *a, int64_t id, const char *agency,
			const char *reason, struct inspection_state *out, struct refusal *why)
{
	struct inspection_row in;
	struct finding f;
	struct store_conn *c;
	const char *mine = actor_agency(a);
	if (!mine || strcmp(mine, agency) != 0 || !a->supervisor) {
		refusal_say(why, "only a supervisor of %s may waive its inspection", agency);
		return KERR_FORBIDDEN;
	}
	kerr e = load(u, a, id, true, &in, why);
	if (e)
		return e;
	if (!inspection_under_way(in.status)) {
		refusal_say(why, "the inspection is %s: there is nothing to waive",
			    inspection_status_name(in.status));
		return KERR_CONFLICT;
	}
	e = uow_conn(u, &c);
	if (!e)
		e = repo_finding_get(c, in.id, agency, &f);
	if (e == KERR_OK) {
		refusal_say(why, "%s has recorded its finding: there is nothing to waive", agency);
		return KERR_CONFLICT;
	}
	if (e != KERR_NOT_FOUND)
		return e;
	char now[TIME_TEXT_SIZE], note[REASON_SIZE + 32], target[64];
	uow_now(u, now);
	snprintf(note, sizeof note, "inspection waived: %s", reason);
	snprintf(target, sizeof target, "inspection/%lld/%s", (long long)in.id, agency);
	/* the agency leaves first, so that clearing its task can release the
	 * declaration when the others are done */
	e = joint_inspection_agency_dropped(u, in.declaration_number, agency, now, note);
	if (!e)
		e = joint_inspection_event(u, a, &in, EVENT_INSPECTION_WAIVED, agency, now,
					   json_pack("{s:s}", "reason", reason));
	if (!e)
		e = uow_audit_change(u, a, "inspection.waived", target,
				     json_pack("{s:s, s:s}", "declaration", in.declaration_number,
					       "inspection", inspection_status_name(in.status)),
				     json_pack("{s:s, s:b}", "declaration", in.declaration_number,
					       "waived", true),
				     reason);
	struct declaration d;
	struct refusal refused;
	refusal_init(&refused, NULL);
	memset(&d, 0, sizeof d);
	if (!e)
		e = clearance_load(u, a, in.declaration_number, true, &d);
	if (!e)
		e = clearance_decide(u, a, &d, agency, DECISION_CLEARED, note,
				     json_pack("{s:I, s:b}", "inspection", (json_int_t)in.id,
					       "waived", true),
				     &refused);
	if (e == KERR_CONFLICT || e == KERR_NOT_FOUND)
		refusal_say(why, "the waiver cannot clear the %s task: %s", agency, refused.detail);
	declaration_free(&d);
	return e ? e : state_now(u, id, out);
}

/* The declaration's status and the port of its goods. */
static kerr goods_of(struct uow *u, const char *number, enum declaration_status *status,
		     char *port, size_t n)
{
	struct declaration d;
	kerr e = clearance_load(u, &actor_kouan, number, false, &d);
	if (e)
		return e;
	*status = d.row.status;
	const struct declaration_facts *f = declaration_facts_of(&d);
	str_copy(port, f && f->port ? f->port : "", n);
	declaration_free(&d);
	return KERR_OK;
}

kerr inspections_book(struct uow *u, const struct actor *a, int64_t id, const char *site_code,
		      int64_t slot_us, bool move, struct inspection_state *out,
		      struct refusal *why)
{
	struct store_conn *c;
	struct inspection_row in;
	struct inspection_site site;
	struct booking_row old;
	enum declaration_status ds;
	char port[PORT_CODE_SIZE], buf[200], slot[TIME_TEXT_SIZE], now[TIME_TEXT_SIZE],
		end[TIME_TEXT_SIZE];
	ktime_format(slot_us, slot);
	kerr e = load(u, a, id, true, &in, why);
	if (!e)
		e = goods_of(u, in.declaration_number, &ds, port, sizeof port);
	if (e)
		return e;
	const char *refused = inspection_booking_refused(in.status, ds, move, buf, sizeof buf);
	if (refused) {
		refusal_say(why, "%s", refused);
		return KERR_CONFLICT;
	}
	e = uow_conn(u, &c);
	kerr site_e = e ? e : repo_site_get(c, site_code, &site);
	if (site_e && site_e != KERR_NOT_FOUND)
		return site_e;
	struct problems *p = why->fields;
	size_t before = p ? p->count : 0;
	struct problems local;
	if (!p) {
		problems_init(&local);
		p = &local;
	}
	inspection_slot_check(site_e ? NULL : &site, site_code, port, slot_us, uow_now_us(u), p);
	/* an unknown site is always refused (its problem said), even were the
	 * list of problems already full */
	if (p->count > before || site_e) {
		refusal_say(why, "the booking has fields that are not valid");
		return KERR_INVALID;
	}
	uow_now(u, now);
	if (move) {
		if ((e = repo_booking_get(c, in.id, &old)))
			return e;
		if (!strcmp(old.site_code, site.code) && !strcmp(old.slot_start, slot))
			return state_of(u, &in, out); /* already there: nothing changes */
		if ((e = repo_booking_release(c, in.id)))
			return e;
	}
	int64_t seat = 0;
	e = repo_booking_take(c, site.code, slot, site.capacity, in.id, now, actor_name(a),
			      &seat);
	if (e == KERR_CONFLICT) {
		refusal_say(why, "slot full: all %lld places of %s at %s are booked; choose "
				 "another slot", (long long)site.capacity, site.code, slot);
		if (why->fields)
			problems_add(why->fields, "/slot_start", "%s", why->detail);
		return e;
	}
	if (e)
		return e;
	ktime_format(inspection_slot_end(&site, slot_us), end);
	json_t *data = json_pack("{s:s, s:s, s:s}", "site", site.code, "slot_start", slot,
				 "slot_end", end);
	if (move)
		json_object_set_new(data, "from", json_pack("{s:s, s:s}", "site", old.site_code,
							    "slot_start", old.slot_start));
	e = repo_inspection_set(c, in.id, INSPECTION_BOOKED, NULL, now, NULL);
	if (!e)
		e = joint_inspection_event(u, a, &in,
					   move ? EVENT_INSPECTION_MOVED : EVENT_INSPECTION_BOOKED,
					   NULL, now, data);
	else
		json_decref(data);
	return e ? e : state_now(u, id, out);
}

kerr inspections_cancel(struct uow *u, const struct actor *a, int64_t id,
			struct inspection_state *out, struct refusal *why)
{
	struct store_conn *c;
	struct inspection_row in;
	struct booking_row b;
	enum declaration_status ds;
	char port[PORT_CODE_SIZE], buf[200], now[TIME_TEXT_SIZE];
	kerr e = load(u, a, id, true, &in, why);
	if (!e)
		e = goods_of(u, in.declaration_number, &ds, port, sizeof port);
	if (e)
		return e;
	const char *refused = inspection_booking_refused(in.status, ds, true, buf, sizeof buf);
	if (refused) {
		refusal_say(why, "%s", in.status == INSPECTION_AWAITING_BOOKING
					       ? "the inspection has no appointment to cancel"
					       : refused);
		return KERR_CONFLICT;
	}
	uow_now(u, now);
	e = uow_conn(u, &c);
	if (!e)
		e = repo_booking_get(c, in.id, &b);
	if (!e)
		e = repo_booking_release(c, in.id);
	if (!e)
		e = repo_inspection_set(c, in.id, INSPECTION_AWAITING_BOOKING, NULL, now, NULL);
	if (!e)
		e = joint_inspection_event(u, a, &in, EVENT_INSPECTION_CANCELLED, NULL, now,
					   json_pack("{s:s, s:s}", "site", b.site_code,
						     "slot_start", b.slot_start));
	return e ? e : state_now(u, id, out);
}

kerr inspections_site_create(struct uow *u, const struct actor *a, struct inspection_site *s,
			     struct refusal *why)
{
	struct store_conn *c;
	uow_now(u, s->created_at);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_site_insert(c, s);
	if (e == KERR_CONFLICT) {
		refusal_say(why, "an inspection site with this code exists already");
		refusal_field(why, "/code", "an inspection site with this code exists already");
		return e;
	}
	if (!e)
		e = uow_audit_change(u, a, "inspection_site.created", s->code, NULL,
				     json_pack("{s:s, s:s, s:s, s:I, s:I}", "code", s->code, "name",
					       s->name, "port", s->port, "slot_minutes",
					       (json_int_t)s->slot_minutes, "capacity",
					       (json_int_t)s->capacity),
				     NULL);
	return e;
}

kerr inspections_site_list(struct uow *u, site_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_site_list(c, fn, arg);
}

kerr inspections_site_get(struct uow *u, const char *code, struct inspection_site *out)
{
	struct store_conn *c;
	kerr e = inspection_site_code_valid(code) ? uow_conn(u, &c) : KERR_NOT_FOUND;
	return e ? e : repo_site_get(c, code, out);
}

kerr inspections_schedule(struct uow *u, const struct actor *a, const char *code,
			  int64_t day_us, struct inspection_site *site, bool *details,
			  site_booking_fn fn, void *arg)
{
	/* who booked what is for officers; others see places taken and free */
	*details = actor_agency(a) || a->role == ROLE_ANALYST || a->role == ROLE_ADMIN;
	kerr e = inspections_site_get(u, code, site);
	if (e)
		return e;
	char from[TIME_TEXT_SIZE], to[TIME_TEXT_SIZE];
	ktime_format(day_us, from);
	ktime_format(day_us + US_PER_DAY, to);
	struct store_conn *c;
	e = uow_conn(u, &c);
	return e ? e : repo_site_bookings(c, site->code, from, to, fn, arg);
}
