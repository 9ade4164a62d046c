/*
 * joint_inspection.c - a declaration's one joint inspection as its tasks
 * move (see joint_inspection.h). Locks: the declaration is locked by the
 * caller; here the inspection's row, then its bookings, in that order.
 */
#include "service/joint_inspection.h"

#include <string.h>

#include "common/buf.h"
#include "common/clock.h"

kerr joint_inspection_event(struct uow *u, const struct actor *a,
			    const struct inspection_row *in, enum event_type type,
			    const char *agency, const char *at, json_t *data)
{
	if (!data)
		data = json_object();
	if (!data)
		return KERR_NOMEM;
	json_object_set_new(data, "inspection", json_integer((json_int_t)in->id));
	return uow_event(u, a, type, in->declaration_number, in->org_id, agency, at, data);
}

kerr joint_inspection_require(struct uow *u, const char *number, int64_t org_id,
			      const char *agency, const char *now)
{
	struct store_conn *c;
	struct inspection_row in;
	bool added = false;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_open_for(c, number, &in);
	if (e == KERR_NOT_FOUND) {
		int64_t id = 0;
		e = repo_inspection_insert(c, number, org_id, now, &id);
		if (!e)
			e = repo_inspection_get(c, id, &in);
		if (!e)
			e = repo_inspection_agency_add(c, id, agency, now, &added);
		if (!e)
			e = joint_inspection_event(u, &actor_kouan, &in, EVENT_INSPECTION_OPENED,
						   agency, now,
						   json_pack("{s:[s], s:s}", "agencies", agency,
							     "status",
							     inspection_status_name(in.status)));
		return e;
	}
	if (!e)
		e = repo_inspection_lock(c, in.id);
	if (!e)
		e = repo_inspection_agency_add(c, in.id, agency, now, &added);
	if (e)
		return e;
	if (added) {
		e = repo_inspection_set(c, in.id, in.status, NULL, now, NULL);
		if (!e)
			e = joint_inspection_event(u, &actor_kouan, &in,
						   EVENT_INSPECTION_AGENCY_JOINED, agency, now,
						   json_pack("{s:s}", "status",
							     inspection_status_name(in.status)));
		return e;
	}
	/* taking part already: nothing to do, unless its finding is recorded
	 * (a second look needs this inspection completed first) */
	struct finding f;
	e = repo_finding_get(c, in.id, agency, &f);
	if (e == KERR_NOT_FOUND)
		return KERR_OK;
	return e ? e : KERR_CONFLICT;
}

kerr joint_inspection_settle(struct uow *u, int64_t id, bool declaration_ended,
			     const char *now)
{
	struct store_conn *c;
	struct inspection_row in;
	int64_t n = 0, f = 0, p = 0;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_get(c, id, &in);
	if (e || !inspection_under_way(in.status))
		return e;
	e = repo_inspection_progress(c, id, &n, &f, &p);
	if (e)
		return e;
	enum finding_result outcome;
	switch (inspection_settle(n, f, p, declaration_ended, &outcome)) {
	case SETTLE_UNCHANGED:
		return KERR_OK;
	case SETTLE_IN_PROGRESS:
		return repo_inspection_set(c, id, INSPECTION_IN_PROGRESS, NULL, now, NULL);
	case SETTLE_COMPLETED:
		break;
	}
	e = repo_inspection_set(c, id, INSPECTION_COMPLETED, &outcome, now, now);
	if (!e)
		e = joint_inspection_event(u, &actor_kouan, &in, EVENT_INSPECTION_COMPLETED, NULL,
					   now,
					   json_pack("{s:s, s:I, s:I}", "outcome",
						     finding_result_name(outcome), "agencies",
						     (json_int_t)n, "findings", (json_int_t)f));
	return e;
}

/* Close an inspection nobody will finish: give up its booking. */
static kerr close_inspection(struct uow *u, const struct inspection_row *in,
			     const char *now, const char *why)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_booking_release(c, in->id);
	if (e == KERR_NOT_FOUND)
		e = KERR_OK;
	if (!e)
		e = repo_inspection_set(c, in->id, INSPECTION_CANCELLED, NULL, now, now);
	if (!e)
		e = joint_inspection_event(u, &actor_kouan, in, EVENT_INSPECTION_CLOSED, NULL, now,
					   json_pack("{s:s}", "reason", why));
	return e;
}

/* The agency leaves the inspection before writing a finding (`data` says
 * why, in the event); the last one leaving closes it, else it settles. */
static kerr agency_leaves(struct uow *u, const struct inspection_row *in, const char *agency,
			  const char *now, json_t *data, bool declaration_ended)
{
	struct store_conn *c;
	int64_t n = 0, nf = 0, np = 0;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_agency_remove(c, in->id, agency);
	if (!e)
		e = joint_inspection_event(u, &actor_kouan, in, EVENT_INSPECTION_AGENCY_LEFT,
					   agency, now, data);
	else
		json_decref(data);
	if (!e)
		e = repo_inspection_progress(c, in->id, &n, &nf, &np);
	if (e)
		return e;
	if (n == 0)
		return close_inspection(u, in, now, "no agency needs the inspection any more");
	return joint_inspection_settle(u, in->id, declaration_ended, now);
}

kerr joint_inspection_started(struct uow *u, const struct inspection_row *in, bool *started,
			      struct booking_row *b)
{
	*started = in->status == INSPECTION_IN_PROGRESS;
	if (*started || in->status != INSPECTION_BOOKED)
		return KERR_OK;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_booking_get(c, in->id, b);
	int64_t start = 0;
	if (!e && ktime_parse(b->slot_start, &start))
		*started = inspection_started(in->status, start, uow_now_us(u));
	return e;
}

kerr joint_inspection_task_decided(struct uow *u, const struct actor *a, const char *number,
				   bool declaration_ended, const char *agency, enum decision d,
				   const char *reason, const char *now)
{
	struct store_conn *c;
	struct inspection_row in;
	struct finding f;
	if (d == DECISION_INSPECT)
		return KERR_OK;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_open_for(c, number, &in);
	if (!e)
		e = repo_inspection_agency_in(c, in.id, agency);
	if (!e) {
		e = repo_finding_get(c, in.id, agency, &f);
		if (e == KERR_OK)
			return KERR_OK; /* its finding made this decision */
		e = e == KERR_NOT_FOUND ? KERR_OK : e;
	}
	if (e)
		return e == KERR_NOT_FOUND ? KERR_OK : e;
	bool started = false;
	struct booking_row b;
	e = repo_inspection_lock(c, in.id);
	if (!e)
		e = joint_inspection_started(u, &in, &started, &b);
	if (e)
		return e;
	if (started) {
		/* the goods were before the agency: its decision is its finding */
		inspection_finding_from_decision(&f, agency, d, reason);
		str_copy(f.recorded_by, actor_name(a), sizeof f.recorded_by);
		str_copy(f.recorded_at, now, sizeof f.recorded_at);
		e = repo_finding_insert(c, in.id, number, &f);
		if (!e)
			e = joint_inspection_event(
				u, a, &in, EVENT_INSPECTION_FINDING_RECORDED, agency, now,
				json_pack("{s:s, s:o, s:s}", "result", finding_result_name(f.result),
					  "decision",
					  f.has_decision ? json_string(decision_name(f.decision))
							 : json_null(),
					  "via", "decision"));
		return e ? e : joint_inspection_settle(u, in.id, declaration_ended, now);
	}
	/* decided before any inspection took place: the agency leaves it */
	return agency_leaves(u, &in, agency, now,
			     json_pack("{s:s, s:s}", "decision", decision_name(d), "reason",
				       "decided without inspection"),
			     declaration_ended);
}

/* The declaration's inspection under way (KERR_NOT_FOUND: none), locked
 * when asked, with how many agencies take part and how many have a
 * finding. */
static kerr open_progress(struct uow *u, const char *number, bool lock,
			  struct inspection_row *in, int64_t *agencies, int64_t *findings)
{
	struct store_conn *c;
	int64_t problems = 0;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_open_for(c, number, in);
	if (!e && lock)
		e = repo_inspection_lock(c, in->id);
	return e ? e : repo_inspection_progress(c, in->id, agencies, findings, &problems);
}

kerr joint_inspection_declaration_ended(struct uow *u, const char *number, const char *now,
					const char *why)
{
	struct inspection_row in;
	int64_t n = 0, f = 0;
	kerr e = open_progress(u, number, true, &in, &n, &f);
	if (e)
		return e == KERR_NOT_FOUND ? KERR_OK : e;
	if (f > 0) /* what was found is kept: complete with it */
		return joint_inspection_settle(u, in.id, true, now);
	return close_inspection(u, &in, now, why);
}

kerr joint_inspection_awaits_findings(struct uow *u, const char *number, bool *waiting)
{
	struct inspection_row in;
	int64_t n = 0, f = 0;
	kerr e = open_progress(u, number, false, &in, &n, &f);
	*waiting = !e && f < n;
	return e == KERR_NOT_FOUND ? KERR_OK : e;
}

kerr joint_inspection_agency_dropped(struct uow *u, const char *number, const char *agency,
				     const char *now, const char *why)
{
	struct store_conn *c;
	struct inspection_row in;
	struct finding f;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_open_for(c, number, &in);
	if (!e)
		e = repo_inspection_agency_in(c, in.id, agency);
	if (e)
		return e == KERR_NOT_FOUND ? KERR_OK : e;
	e = repo_inspection_lock(c, in.id);
	if (!e)
		e = repo_finding_get(c, in.id, agency, &f);
	if (e != KERR_NOT_FOUND)
		return e; /* its finding is kept */
	return agency_leaves(u, &in, agency, now, json_pack("{s:s}", "reason", why), false);
}
