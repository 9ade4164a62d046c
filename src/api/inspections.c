/*
 * inspections.c - one joint inspection (联合查验) and 7x24 appointments
 * (预约通关).
 *
 * When agencies want to look at a declaration's goods (an agency drew red,
 * or an officer decided "inspect"), the goods get ONE inspection that all of
 * them share: one appointment, one record. The declarant books a slot at an
 * inspection site (sites offer slots around the clock, each with a capacity);
 * from the start of the booked slot each agency records its own finding, or
 * recognises another agency's (监管互认). A finding moves the agency's task
 * on in the same transaction (no problem: cleared; problem: returned or
 * rejected), so the declaration is released once when all have cleared. When
 * every agency has its finding the inspection is completed with its outcome
 * (no_problem or problem), which is kept: fees depend on it (hoisting,
 * moving and storage fees are waived when nothing was found).
 *
 * Access: an inspection is visible to the declarant's organisation, the
 * agencies taking part, analysts and admins; to anyone else it answers 404.
 * Changes lock the declaration's row, then the inspection's, then touch the
 * bookings, always in that order (as declaration_decide does), so writers on
 * several servers cannot deadlock. Capacity holds under concurrent bookings
 * on every backend: see repo_booking_take.
 *
 * Never: decide a task without declaration_decide, or book a slot that is
 * not aligned, not in the future, or full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/declaration.h"
#include "store/repo_inspections.h"

#define NOTE_MAX 500
#define SITE_NAME_MAX 200
#define CAPACITY_MAX 100
#define SLOT_MINUTES_MIN 5
#define BOOKING_HORIZON_DAYS 90
#define US_PER_MINUTE 60000000LL
#define US_PER_DAY (1440 * US_PER_MINUTE)

/* The demo site (see inspections_seed_demo). */
#define DEMO_SITE_CODE "CNNSA-1"
#define DEMO_SITE_NAME "Nansha terminal inspection area"
#define DEMO_SITE_PORT "CNNSA"

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool under_way(const struct inspection_row *in)
{
	return is(in->status, "awaiting_booking") || is(in->status, "booked") ||
	       is(in->status, "in_progress");
}

static bool declaration_ended(const char *status)
{
	return is(status, "released") || is(status, "rejected") || is(status, "withdrawn");
}

/* Steps kouan takes itself as a consequence of someone's action. */
static bool system_step(const char *type)
{
	return is(type, "inspection.opened") || is(type, "inspection.agency_joined") ||
	       is(type, "inspection.agency_left") || is(type, "inspection.completed") ||
	       is(type, "inspection.closed");
}

/* Queue an event of the inspection (data taken, may be NULL; the
 * inspection's id is added). */
static kerr inspection_event(struct api_ctx *ctx, const struct inspection_row *in,
			     const char *type, const char *agency, const char *at,
			     json_t *data)
{
	if (!data)
		data = json_object();
	if (!data)
		return KERR_NOMEM;
	json_object_set_new(data, "inspection", json_integer((json_int_t)in->id));
	char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(data);
	if (!text)
		return KERR_NOMEM;
	bool sys = ctx->system_actor || system_step(type) || !ctx->caller.authenticated;
	struct event_in e = {
		.number = in->declaration_number,
		.org_id = in->org_id,
		.type = type,
		.agency = agency,
		.actor = sys ? "kouan" : ctx->caller.user.username,
		.actor_role = sys ? "system" : role_name(ctx->caller.role),
		.at = at,
		.data = text,
	};
	kerr r = api_event(ctx, &e);
	free(text);
	return r;
}

static bool parse_id(const char *s, int64_t *id)
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

/* The agency of the caller's role when it is `agency`; answers 403 and
 * returns false otherwise. */
static bool own_agency(struct api_ctx *ctx, const char *agency)
{
	const char *mine = role_agency(ctx->caller.role);
	if (mine && is(agency, mine))
		return true;
	char detail[160];
	snprintf(detail, sizeof detail,
		 "a %s officer may record only %s findings on an inspection",
		 role_name(ctx->caller.role), mine ? mine : "no");
	api_problem(ctx, KERR_FORBIDDEN, detail, NULL);
	return false;
}

/* May the caller see this inspection? (*err set on a storage failure) */
static bool may_see(struct api_ctx *ctx, const struct inspection_row *in, kerr *err)
{
	switch (ctx->caller.role) {
	case ROLE_DECLARANT:
		return in->org_id == ctx->caller.user.org_id;
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		return true;
	default: {
		const char *agency = role_agency(ctx->caller.role);
		if (!agency)
			return false;
		kerr e = repo_inspection_agency_in(ctx->conn, in->id, agency);
		if (e && e != KERR_NOT_FOUND)
			*err = e;
		return e == KERR_OK;
	}
	}
}

/* Load an inspection the caller may see, inside the current transaction;
 * for a change, lock the declaration's row and then the inspection's and
 * read it again as it now is. Answers 404 (or 500) and returns false
 * otherwise; the caller rolls back. */
static bool load(struct api_ctx *ctx, const char *id_text, struct inspection_row *in,
		 bool for_change)
{
	int64_t id = 0;
	kerr e = parse_id(id_text, &id) ? repo_inspection_get(ctx->conn, id, in)
					: KERR_NOT_FOUND;
	if (!e && for_change) {
		e = repo_decl_lock(ctx->conn, in->declaration_number);
		if (!e)
			e = repo_inspection_lock(ctx->conn, id);
		if (!e)
			e = repo_inspection_get(ctx->conn, id, in);
	}
	kerr seen = KERR_OK;
	if (!e && !may_see(ctx, in, &seen))
		e = seen ? seen : KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND) {
		api_problem(ctx, KERR_NOT_FOUND, "no inspection has that id", NULL);
		return false;
	}
	if (e) {
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return false;
	}
	return true;
}

static void slot_end(const char *slot_start, int64_t minutes, char out[KTIME_TEXT_MAX])
{
	int64_t us = 0;
	if (!ktime_parse(slot_start, &us))
		us = 0;
	ktime_format(us + minutes * US_PER_MINUTE, out);
}

static json_t *site_json(const struct site_row *s)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "code", s->code, "name",
			 s->name, "port", s->port, "slot_minutes",
			 (json_int_t)s->slot_minutes, "capacity", (json_int_t)s->capacity,
			 "timezone", "UTC", "created_at", s->created_at);
}

static json_t *appointment_json(const struct booking_row *b, const struct site_row *s)
{
	char end[KTIME_TEXT_MAX];
	slot_end(b->slot_start, s->slot_minutes, end);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "site", s->code,
			 "site_name", s->name, "port", s->port, "slot_start", b->slot_start,
			 "slot_end", end, "seat", (json_int_t)b->seat, "booked_at",
			 b->booked_at, "booked_by", b->booked_by);
}

static json_t *text_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

/* The representation of an inspection served by every endpoint. */
static json_t *inspection_view(struct api_ctx *ctx, const struct inspection_row *in)
{
	json_t *agencies = repo_inspection_agencies(ctx->conn, in->id);
	if (!agencies)
		return NULL;
	json_t *appointment = json_null();
	struct booking_row b;
	struct site_row s;
	char dstatus[16] = "";
	kerr e = repo_booking_get(ctx->conn, in->id, &b);
	if (!e)
		e = repo_site_get(ctx->conn, b.site_code, &s);
	if (!e)
		appointment = appointment_json(&b, &s);
	if (!e || e == KERR_NOT_FOUND)
		e = repo_inspection_decl_status(ctx->conn, in->declaration_number, dstatus,
						sizeof dstatus);
	if (e) {
		json_decref(agencies);
		json_decref(appointment);
		return NULL;
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o}", "id",
			 (json_int_t)in->id, "declaration_number", in->declaration_number,
			 "declaration_status", dstatus, "status", in->status, "outcome",
			 text_or_null(in->outcome), "opened_at", in->opened_at, "updated_at",
			 in->updated_at, "completed_at", text_or_null(in->completed_at),
			 "agencies", agencies, "appointment", appointment);
}

/* Answer the inspection as it now stands (re-read) with `status`. */
static void answer_view(struct api_ctx *ctx, int64_t id, int status)
{
	struct inspection_row in;
	json_t *v = NULL;
	if (!api_begin(ctx, false))
		return;
	if (!repo_inspection_get(ctx->conn, id, &in))
		v = inspection_view(ctx, &in);
	store_rollback(ctx->conn);
	if (!v)
		api_problem(ctx, KERR_STORE, "saved, but the inspection could not be read", NULL);
	else
		api_json(ctx, status, v);
}

/* --- the joint inspection: opening and joining --- */

kerr inspection_require(struct api_ctx *ctx, const char *number, int64_t org_id,
			const char *agency, const char *now)
{
	struct inspection_row in;
	bool added = false;
	kerr e = repo_inspection_open_for(ctx->conn, number, &in);
	if (e == KERR_NOT_FOUND) {
		int64_t id = 0;
		e = repo_inspection_insert(ctx->conn, number, org_id, now, &id);
		if (!e)
			e = repo_inspection_get(ctx->conn, id, &in);
		if (!e)
			e = repo_inspection_agency_add(ctx->conn, id, agency, now, &added);
		if (!e)
			e = inspection_event(ctx, &in, "inspection.opened", agency, now,
					     json_pack("{s:[s], s:s}", "agencies", agency,
						       "status", in.status));
		return e;
	}
	if (!e)
		e = repo_inspection_lock(ctx->conn, in.id);
	if (!e)
		e = repo_inspection_agency_add(ctx->conn, in.id, agency, now, &added);
	if (e)
		return e;
	if (added) {
		e = repo_inspection_set(ctx->conn, in.id, in.status, NULL, now, NULL);
		if (!e)
			e = inspection_event(ctx, &in, "inspection.agency_joined", agency, now,
					     json_pack("{s:s}", "status", in.status));
		return e;
	}
	/* taking part already: nothing to do, unless its finding is recorded
	 * (a second look needs this inspection completed first) */
	struct finding_row f;
	e = repo_finding_get(ctx->conn, in.id, agency, &f);
	if (e == KERR_NOT_FOUND)
		return KERR_OK;
	return e ? e : KERR_CONFLICT;
}

/* Complete the inspection when every agency taking part has its finding,
 * or when the declaration has ended (a rejection closes the other tasks,
 * which can then record nothing): the outcome is "problem" when any finding
 * found one. Otherwise it is in progress. Reads the row again, so it may
 * run twice in one transaction. */
static kerr settle_inspection(struct api_ctx *ctx, int64_t id, const char *now)
{
	struct inspection_row in;
	int64_t n = 0, f = 0, p = 0;
	char ds[16] = "";
	kerr e = repo_inspection_get(ctx->conn, id, &in);
	if (e || !under_way(&in))
		return e;
	e = repo_inspection_progress(ctx->conn, id, &n, &f, &p);
	if (!e)
		e = repo_inspection_decl_status(ctx->conn, in.declaration_number, ds, sizeof ds);
	if (e)
		return e;
	if (f == 0) /* nothing recorded yet */
		return KERR_OK;
	if (f < n && !declaration_ended(ds))
		return repo_inspection_set(ctx->conn, id, "in_progress", NULL, now, NULL);
	const char *outcome = p ? "problem" : "no_problem";
	e = repo_inspection_set(ctx->conn, id, "completed", outcome, now, now);
	if (!e)
		e = inspection_event(ctx, &in, "inspection.completed", NULL, now,
				     json_pack("{s:s, s:I, s:I}", "outcome", outcome,
					       "agencies", (json_int_t)n, "findings",
					       (json_int_t)f));
	return e;
}

/* Close an inspection nobody will finish: give up its booking. */
static kerr close_inspection(struct api_ctx *ctx, const struct inspection_row *in,
			     const char *now, const char *why)
{
	kerr e = repo_booking_release(ctx->conn, in->id);
	if (e == KERR_NOT_FOUND)
		e = KERR_OK;
	if (!e)
		e = repo_inspection_set(ctx->conn, in->id, "cancelled", NULL, now, now);
	if (!e)
		e = inspection_event(ctx, in, "inspection.closed", NULL, now,
				     json_pack("{s:s}", "reason", why));
	return e;
}

/* Has the booked slot begun (or a finding been recorded)? */
static kerr inspection_started(struct api_ctx *ctx, const struct inspection_row *in,
			       bool *started, struct booking_row *b)
{
	*started = is(in->status, "in_progress");
	if (*started || !is(in->status, "booked"))
		return KERR_OK;
	kerr e = repo_booking_get(ctx->conn, in->id, b);
	int64_t start = 0;
	if (!e && ktime_parse(b->slot_start, &start))
		*started = kclock_now(ctx->app->clock) >= start;
	return e;
}

kerr inspection_task_decided(struct api_ctx *ctx, const char *number, const char *agency,
			     enum decision d, const char *reason, const char *now)
{
	struct inspection_row in;
	struct finding_row f;
	if (d == DECISION_INSPECT)
		return KERR_OK;
	kerr e = repo_inspection_open_for(ctx->conn, number, &in);
	if (!e)
		e = repo_inspection_agency_in(ctx->conn, in.id, agency);
	if (!e) {
		e = repo_finding_get(ctx->conn, in.id, agency, &f);
		if (e == KERR_OK)
			return KERR_OK; /* its finding made this decision */
		e = e == KERR_NOT_FOUND ? KERR_OK : e;
	}
	if (e)
		return e == KERR_NOT_FOUND ? KERR_OK : e;
	bool started = false;
	struct booking_row b;
	e = repo_inspection_lock(ctx->conn, in.id);
	if (!e)
		e = inspection_started(ctx, &in, &started, &b);
	if (e)
		return e;
	if (started) {
		/* the goods were before the agency: its decision is its finding */
		memset(&f, 0, sizeof f);
		str_copy(f.agency, agency, sizeof f.agency);
		str_copy(f.result, d == DECISION_CLEARED ? "no_problem" : "problem",
			 sizeof f.result);
		str_copy(f.decision, d == DECISION_CLEARED ? "" : decision_name(d),
			 sizeof f.decision);
		str_copy(f.note, reason ? reason : "", sizeof f.note);
		str_copy(f.recorded_by, ctx->system_actor ? "kouan" : ctx->caller.user.username,
			 sizeof f.recorded_by);
		str_copy(f.recorded_at, now, sizeof f.recorded_at);
		e = repo_finding_insert(ctx->conn, in.id, number, &f);
		if (!e)
			e = inspection_event(ctx, &in, "inspection.finding_recorded", agency, now,
					     json_pack("{s:s, s:o, s:s}", "result", f.result,
						       "decision", text_or_null(f.decision),
						       "via", "decision"));
		return e ? e : settle_inspection(ctx, in.id, now);
	}
	/* decided before any inspection took place: the agency leaves it */
	int64_t n = 0, nf = 0, np = 0;
	e = repo_inspection_agency_remove(ctx->conn, in.id, agency);
	if (!e)
		e = inspection_event(ctx, &in, "inspection.agency_left", agency, now,
				     json_pack("{s:s, s:s}", "decision", decision_name(d),
					       "reason", "decided without inspection"));
	if (!e)
		e = repo_inspection_progress(ctx->conn, in.id, &n, &nf, &np);
	if (e)
		return e;
	if (n == 0)
		return close_inspection(ctx, &in, now,
					"no agency needs the inspection any more");
	return settle_inspection(ctx, in.id, now);
}

kerr inspection_declaration_ended(struct api_ctx *ctx, const char *number, const char *now,
				  const char *why)
{
	struct inspection_row in;
	int64_t n = 0, f = 0, p = 0;
	kerr e = repo_inspection_open_for(ctx->conn, number, &in);
	if (e)
		return e == KERR_NOT_FOUND ? KERR_OK : e;
	e = repo_inspection_lock(ctx->conn, in.id);
	if (!e)
		e = repo_inspection_progress(ctx->conn, in.id, &n, &f, &p);
	if (e)
		return e;
	if (f > 0) /* what was found is kept: complete with it */
		return settle_inspection(ctx, in.id, now);
	return close_inspection(ctx, &in, now, why);
}

/* --- reading --- */

void api_inspection_get(struct api_ctx *ctx)
{
	struct inspection_row in;
	if (!api_begin(ctx, false))
		return;
	if (!load(ctx, http_param(ctx->req, "id"), &in, false)) {
		store_rollback(ctx->conn);
		return;
	}
	json_t *v = inspection_view(ctx, &in);
	store_rollback(ctx->conn);
	if (!v)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	else
		api_json(ctx, 200, v);
}

void api_declaration_inspection(struct api_ctx *ctx)
{
	struct inspection_row in;
	const char *number = http_param(ctx->req, "number");
	if (!api_begin(ctx, false))
		return;
	kerr e = declaration_number_valid(number)
			 ? repo_inspection_latest_for(ctx->conn, number, &in)
			 : KERR_NOT_FOUND;
	kerr seen = KERR_OK;
	if (!e && !may_see(ctx, &in, &seen))
		e = seen ? seen : KERR_NOT_FOUND;
	json_t *v = e ? NULL : inspection_view(ctx, &in);
	store_rollback(ctx->conn);
	if (e == KERR_NOT_FOUND)
		api_problem(ctx, KERR_NOT_FOUND,
			    "no inspection of that declaration is visible to you", NULL);
	else if (!v)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	else
		api_json(ctx, 200, v);
}

/* --- findings and recognition --- */

/* Read {"result", "note", "decision"} into f. Answers 400 and returns
 * false when it is not valid. */
static bool read_finding(struct api_ctx *ctx, json_t *body, struct finding_row *f)
{
	struct problems p;
	problems_init(&p);
	json_t *rj = json_object_get(body, "result");
	const char *result = json_string_value(rj);
	if (!rj || json_is_null(rj))
		problems_add(&p, "/result", "is required: no_problem or problem");
	else if (!result || (!is(result, "no_problem") && !is(result, "problem")))
		problems_add(&p, "/result", "must be no_problem or problem");
	bool problem = result && is(result, "problem");
	json_t *nj = json_object_get(body, "note");
	const char *note = json_string_value(nj);
	if (nj && !json_is_null(nj)) {
		if (!note || !*note || strlen(note) > NOTE_MAX)
			problems_add(&p, "/note", "must be a non-empty string of at most %d bytes",
				     NOTE_MAX);
	} else if (problem) {
		problems_add(&p, "/note",
			     "is required when the result is problem: say what was found");
	}
	json_t *dj = json_object_get(body, "decision");
	const char *decision = json_string_value(dj);
	bool has_decision = dj && !json_is_null(dj);
	if (problem && !has_decision)
		problems_add(&p, "/decision",
			     "is required when the result is problem: return or reject");
	else if (problem && (!decision || (!is(decision, "return") && !is(decision, "reject"))))
		problems_add(&p, "/decision", "must be return or reject");
	else if (!problem && has_decision && result && is(result, "no_problem"))
		problems_add(&p, "/decision",
			     "must be left out when the result is no_problem (the task is "
			     "cleared)");
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the finding has fields that are not valid", &p);
		return false;
	}
	memset(f, 0, sizeof *f);
	str_copy(f->result, result, sizeof f->result);
	str_copy(f->decision, problem ? decision : "", sizeof f->decision);
	str_copy(f->note, note && nj && !json_is_null(nj) ? note : "", sizeof f->note);
	return true;
}

/* Why findings cannot be recorded on this inspection now (NULL: they can).
 * `buf` holds the text when it needs one. */
static const char *findings_closed(struct api_ctx *ctx, const struct inspection_row *in,
				   char *buf, size_t n, kerr *err)
{
	if (is(in->status, "completed"))
		return "the inspection is completed: every agency has recorded its finding";
	if (is(in->status, "cancelled"))
		return "the inspection was closed without taking place";
	if (is(in->status, "awaiting_booking"))
		return "the inspection has no appointment yet: findings are recorded from the "
		       "start of the booked slot (the declarant books it with POST "
		       "/v1/inspections/{id}/booking)";
	bool started = false;
	struct booking_row b;
	*err = inspection_started(ctx, in, &started, &b);
	if (*err || started)
		return NULL;
	snprintf(buf, n,
		 "the inspection is booked for %s at %s; findings can be recorded from then",
		 b.slot_start, b.site_code);
	return buf;
}

/* Record the finding `f` of f->agency and apply it to the agency's task
 * through declaration_decide (cleared on no problem, else the finding's
 * decision), then settle the inspection; commit and answer 201 with the
 * inspection. On refusal rolls back and answers. */
static void record_finding(struct api_ctx *ctx, const struct inspection_row *in,
			   struct finding_row *f, const char *event_type)
{
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	str_copy(f->recorded_by, ctx->caller.user.username, sizeof f->recorded_by);
	str_copy(f->recorded_at, now, sizeof f->recorded_at);
	enum decision d = DECISION_CLEARED;
	if (is(f->result, "problem") && !decision_parse(f->decision, &d)) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_INTERNAL, "the finding has no decision", NULL);
		return;
	}
	kerr e = repo_finding_insert(ctx->conn, in->id, in->declaration_number, f);
	if (e == KERR_CONFLICT) {
		char detail[160];
		snprintf(detail, sizeof detail,
			 "%s has already recorded its finding on this inspection; a finding "
			 "cannot be changed", f->agency);
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT, detail, NULL);
		return;
	}
	if (!e)
		e = inspection_event(ctx, in, event_type, f->agency, now,
				     json_pack("{s:s, s:o, s:o}", "result", f->result,
					       "decision", text_or_null(f->decision),
					       "recognised_from",
					       text_or_null(f->recognised_from)));
	const char *why = NULL;
	if (!e)
		e = declaration_decide(ctx, in->declaration_number, f->agency, d,
				       *f->note ? f->note : NULL,
				       json_pack("{s:I, s:s}", "inspection", (json_int_t)in->id,
						 "finding", f->result),
				       &why);
	if (e == KERR_CONFLICT || e == KERR_NOT_FOUND) {
		char detail[256];
		snprintf(detail, sizeof detail, "the finding cannot apply to the %s task: %s",
			 f->agency, why ? why : "it does not allow this decision");
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT, detail, NULL);
		return;
	}
	if (!e)
		e = settle_inspection(ctx, in->id, now);
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_STORE, "the finding could not be saved", NULL);
		return;
	}
	if (api_commit(ctx))
		answer_view(ctx, in->id, 201);
}

void api_inspection_finding(struct api_ctx *ctx)
{
	const char *agency = http_param(ctx->req, "agency");
	if (!own_agency(ctx, agency))
		return;
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"result", "note", "decision", NULL};
	struct finding_row f;
	struct inspection_row in;
	if (!api_only_fields(ctx, body, fields, "result, note, decision") ||
	    !read_finding(ctx, body, &f))
		goto out;
	str_copy(f.agency, agency, sizeof f.agency);
	if (!api_begin(ctx, true))
		goto out;
	if (!load(ctx, http_param(ctx->req, "id"), &in, true)) {
		store_rollback(ctx->conn);
		goto out;
	}
	char buf[200];
	kerr e = KERR_OK;
	const char *why = findings_closed(ctx, &in, buf, sizeof buf, &e);
	if (e || why) {
		store_rollback(ctx->conn);
		api_problem(ctx, e ? KERR_STORE : KERR_CONFLICT, why, NULL);
		goto out;
	}
	record_finding(ctx, &in, &f, "inspection.finding_recorded");
out:
	json_decref(body);
}

void api_inspection_recognition(struct api_ctx *ctx)
{
	const char *agency = http_param(ctx->req, "agency");
	if (!own_agency(ctx, agency))
		return;
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"from_agency", NULL};
	struct inspection_row in;
	struct finding_row f;
	if (!api_only_fields(ctx, body, fields, "from_agency"))
		goto out;
	json_t *fj = json_object_get(body, "from_agency");
	const char *from = json_string_value(fj);
	if (!fj) {
		api_field_problem(ctx, KERR_INVALID, "/from_agency",
				  "is required: the agency whose finding you recognise");
		goto out;
	}
	if (!from || !*from || strlen(from) >= sizeof f.agency) {
		api_field_problem(ctx, KERR_INVALID, "/from_agency",
				  "must be an agency code, e.g. customs");
		goto out;
	}
	if (is(from, agency)) {
		api_field_problem(ctx, KERR_INVALID, "/from_agency",
				  "must be another agency than your own");
		goto out;
	}
	if (!api_begin(ctx, true))
		goto out;
	if (!load(ctx, http_param(ctx->req, "id"), &in, true)) {
		store_rollback(ctx->conn);
		goto out;
	}
	if (!under_way(&in)) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT,
			    is(in.status, "completed")
				    ? "the inspection is completed: every agency has recorded "
				      "its finding"
				    : "the inspection was closed without taking place",
			    NULL);
		goto out;
	}
	kerr e = repo_finding_get(ctx->conn, in.id, from, &f);
	if (e == KERR_NOT_FOUND) {
		char problem[160];
		snprintf(problem, sizeof problem,
			 "%s has recorded no finding on this inspection to recognise", from);
		store_rollback(ctx->conn);
		api_field_problem(ctx, KERR_CONFLICT, "/from_agency", problem);
		goto out;
	}
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		goto out;
	}
	/* the same finding, marked as recognised from the other agency */
	str_copy(f.agency, agency, sizeof f.agency);
	str_copy(f.recognised_from, from, sizeof f.recognised_from);
	record_finding(ctx, &in, &f, "inspection.finding_recognised");
out:
	json_decref(body);
}

/* --- appointments --- */

/* What a booking needs to know of the declaration. */
struct goods {
	char status[16];
	char port[8];
};

static kerr goods_of(struct api_ctx *ctx, const char *number, struct goods *g)
{
	struct decl_row d;
	memset(g, 0, sizeof *g);
	kerr e = repo_decl_get(ctx->conn, number, &d);
	if (e)
		return e;
	json_t *body = json_loads(d.body, 0, NULL);
	const char *port = json_string_value(
		json_object_get(body, is(d.direction, "import") ? "entry_port" : "exit_port"));
	str_copy(g->status, d.status, sizeof g->status);
	str_copy(g->port, port ? port : "", sizeof g->port);
	json_decref(body);
	decl_row_free(&d);
	return KERR_OK;
}

/* Why the appointment cannot be made or changed (NULL: it can). */
static const char *booking_refused(const struct inspection_row *in, const struct goods *g,
				   bool move, char *buf, size_t n)
{
	if (declaration_ended(g->status)) {
		snprintf(buf, n, "the declaration has been %s: its inspection needs no "
				 "appointment", g->status);
		return buf;
	}
	if (is(in->status, "completed"))
		return "the inspection is completed";
	if (is(in->status, "cancelled"))
		return "the inspection was closed without taking place";
	if (is(in->status, "in_progress"))
		return "the inspection has begun (a finding is recorded): its appointment "
		       "can no longer change";
	if (move && is(in->status, "awaiting_booking"))
		return "the inspection has no appointment yet: book one with POST";
	if (!move && is(in->status, "booked"))
		return "the inspection is booked already: move the appointment with PUT or "
		       "cancel it with DELETE";
	return NULL;
}

/* Read {"site", "slot_start"}. Answers 400 and returns false when not
 * valid. */
static bool read_booking(struct api_ctx *ctx, json_t *body, const char **site,
			 int64_t *slot_us)
{
	static const char *const fields[] = {"site", "slot_start", NULL};
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", fields, "site, slot_start");
	json_t *sj = json_object_get(body, "site");
	*site = json_string_value(sj);
	if (!sj)
		problems_add(&p, "/site", "is required: the code of an inspection site "
					  "(GET /v1/inspection-sites)");
	else if (!*site || !**site || strlen(*site) > SITE_CODE_MAX)
		problems_add(&p, "/site", "must be the code of an inspection site (at most %d "
					  "characters)", SITE_CODE_MAX);
	json_t *tj = json_object_get(body, "slot_start");
	const char *t = json_string_value(tj);
	if (!tj)
		problems_add(&p, "/slot_start",
			     "is required: the start of a slot, e.g. 2026-11-24T02:00:00Z");
	else if (!t || !ktime_parse(t, slot_us))
		problems_add(&p, "/slot_start",
			     "must be an RFC 3339 time, e.g. 2026-11-24T02:00:00Z");
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the booking has fields that are not valid", &p);
		return false;
	}
	return true;
}

/* Check the slot against the site and the clock; adds field problems. */
static void check_slot(struct api_ctx *ctx, const struct site_row *site, kerr site_e,
		       const char *site_code, const struct goods *g, int64_t slot_us,
		       struct problems *p)
{
	if (site_e == KERR_NOT_FOUND) {
		problems_add(p, "/site", "no inspection site has the code %s "
					 "(GET /v1/inspection-sites lists them)", site_code);
	} else if (*g->port && !is(site->port, g->port)) {
		problems_add(p, "/site", "%s is at port %s, but the goods of this declaration "
					 "are at %s", site->code, site->port, g->port);
	}
	int64_t now_us = kclock_now(ctx->app->clock);
	char text[KTIME_TEXT_MAX];
	if (site_e == KERR_OK && slot_us % (site->slot_minutes * US_PER_MINUTE) != 0) {
		int64_t len = site->slot_minutes * US_PER_MINUTE;
		int64_t next = (slot_us / len + 1) * len;
		ktime_format(next, text);
		problems_add(p, "/slot_start",
			     "must be the start of a slot: %s has slots of %lld minutes from "
			     "00:00 UTC (the next one starts at %s)",
			     site->code, (long long)site->slot_minutes, text);
	} else if (slot_us <= now_us) {
		ktime_format(now_us, text);
		problems_add(p, "/slot_start", "must be in the future (it is now %s)", text);
	} else if (slot_us - now_us > BOOKING_HORIZON_DAYS * US_PER_DAY) {
		problems_add(p, "/slot_start", "may be at most %d days ahead",
			     BOOKING_HORIZON_DAYS);
	}
}

/* Book (POST) or move (PUT) the appointment of an inspection. */
static void booking_change(struct api_ctx *ctx, bool move)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	const char *site_code = NULL;
	int64_t slot_us = 0;
	struct inspection_row in;
	struct goods g;
	struct site_row site;
	struct booking_row old;
	struct problems p;
	char buf[200], slot[KTIME_TEXT_MAX], now[KTIME_TEXT_MAX], end[KTIME_TEXT_MAX];
	if (!read_booking(ctx, body, &site_code, &slot_us))
		goto out;
	ktime_format(slot_us, slot);
	if (!api_begin(ctx, true))
		goto out;
	if (!load(ctx, http_param(ctx->req, "id"), &in, true))
		goto rollback;
	kerr e = goods_of(ctx, in.declaration_number, &g);
	if (e)
		goto fail;
	const char *why = booking_refused(&in, &g, move, buf, sizeof buf);
	if (why) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT, why, NULL);
		goto out;
	}
	kerr site_e = repo_site_get(ctx->conn, site_code, &site);
	if (site_e && site_e != KERR_NOT_FOUND) {
		e = site_e;
		goto fail;
	}
	problems_init(&p);
	check_slot(ctx, &site, site_e, site_code, &g, slot_us, &p);
	if (problems_any(&p)) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_INVALID, "the booking has fields that are not valid", &p);
		goto out;
	}
	api_now(ctx, now);
	if (move) {
		if ((e = repo_booking_get(ctx->conn, in.id, &old)))
			goto fail;
		if (is(old.site_code, site.code) && is(old.slot_start, slot)) {
			store_rollback(ctx->conn); /* already there: nothing changes */
			answer_view(ctx, in.id, 200);
			goto out;
		}
		if ((e = repo_booking_release(ctx->conn, in.id)))
			goto fail;
	}
	int64_t seat = 0;
	e = repo_booking_take(ctx->conn, site.code, slot, site.capacity, in.id, now,
			      ctx->caller.user.username, &seat);
	if (e == KERR_CONFLICT) {
		char problem[200];
		snprintf(problem, sizeof problem,
			 "slot full: all %lld places of %s at %s are booked; choose another "
			 "slot", (long long)site.capacity, site.code, slot);
		store_rollback(ctx->conn);
		api_field_problem(ctx, KERR_CONFLICT, "/slot_start", problem);
		goto out;
	}
	if (e)
		goto fail;
	slot_end(slot, site.slot_minutes, end);
	json_t *data = json_pack("{s:s, s:s, s:s}", "site", site.code, "slot_start", slot,
				 "slot_end", end);
	if (move)
		json_object_set_new(data, "from", json_pack("{s:s, s:s}", "site", old.site_code,
							    "slot_start", old.slot_start));
	e = repo_inspection_set(ctx->conn, in.id, "booked", NULL, now, NULL);
	if (!e)
		e = inspection_event(ctx, &in, move ? "inspection.moved" : "inspection.booked",
				     NULL, now, data);
	else
		json_decref(data);
	if (e)
		goto fail;
	if (api_commit(ctx))
		answer_view(ctx, in.id, move ? 200 : 201);
	goto out;
fail:
	store_rollback(ctx->conn);
	api_problem(ctx, e == KERR_BUSY ? KERR_BUSY : KERR_STORE,
		    "the appointment could not be saved", NULL);
	goto out;
rollback:
	store_rollback(ctx->conn);
out:
	json_decref(body);
}

void api_inspection_book(struct api_ctx *ctx)
{
	booking_change(ctx, false);
}

void api_inspection_move(struct api_ctx *ctx)
{
	booking_change(ctx, true);
}

void api_inspection_cancel(struct api_ctx *ctx)
{
	struct inspection_row in;
	struct goods g;
	struct booking_row b;
	char buf[200], now[KTIME_TEXT_MAX];
	if (!api_begin(ctx, true))
		return;
	if (!load(ctx, http_param(ctx->req, "id"), &in, true)) {
		store_rollback(ctx->conn);
		return;
	}
	kerr e = goods_of(ctx, in.declaration_number, &g);
	if (e)
		goto fail;
	const char *why = booking_refused(&in, &g, true, buf, sizeof buf);
	if (why) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT,
			    is(in.status, "awaiting_booking")
				    ? "the inspection has no appointment to cancel"
				    : why,
			    NULL);
		return;
	}
	api_now(ctx, now);
	e = repo_booking_get(ctx->conn, in.id, &b);
	if (!e)
		e = repo_booking_release(ctx->conn, in.id);
	if (!e)
		e = repo_inspection_set(ctx->conn, in.id, "awaiting_booking", NULL, now, NULL);
	if (!e)
		e = inspection_event(ctx, &in, "inspection.cancelled", NULL, now,
				     json_pack("{s:s, s:s}", "site", b.site_code, "slot_start",
					       b.slot_start));
	if (e)
		goto fail;
	if (api_commit(ctx))
		answer_view(ctx, in.id, 200);
	return;
fail:
	store_rollback(ctx->conn);
	api_problem(ctx, KERR_STORE, "the appointment could not be cancelled", NULL);
}

/* --- inspection sites and their schedule --- */

static bool site_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > SITE_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return false;
	return true;
}

/* Read a site from the admin's body into s; field problems into p. */
static void read_site(struct api_ctx *ctx, json_t *body, struct site_row *s,
		      struct problems *p)
{
	static const char *const fields[] = {"code", "name", "port", "slot_minutes",
					     "capacity", NULL};
	problems_unknown_fields(p, body, "", fields,
				"code, name, port, slot_minutes, capacity");
	memset(s, 0, sizeof *s);
	const char *code = json_string_value(json_object_get(body, "code"));
	if (!code || !site_code_valid(code))
		problems_add(p, "/code", "is required: 1 to %d characters of A-Z, 0-9 and "
					 "'-', e.g. CNNSA-1", SITE_CODE_MAX);
	else
		str_copy(s->code, code, sizeof s->code);
	const char *name = json_string_value(json_object_get(body, "name"));
	if (!name || !*name || strlen(name) > SITE_NAME_MAX)
		problems_add(p, "/name", "is required: a non-empty string of at most %d bytes",
			     SITE_NAME_MAX);
	else
		str_copy(s->name, name, sizeof s->name);
	const char *port = json_string_value(json_object_get(body, "port"));
	struct refdata *ref = app_refdata(ctx->app);
	if (!port || strlen(port) >= sizeof s->port || !refdata_has(ref, "ports", port))
		problems_add(p, "/port", "is required: a UN/LOCODE from the ports list, "
					 "e.g. CNNSA");
	else
		str_copy(s->port, port, sizeof s->port);
	refdata_release(ref);
	json_t *mj = json_object_get(body, "slot_minutes");
	json_int_t m = json_is_integer(mj) ? json_integer_value(mj) : 0;
	if (m < SLOT_MINUTES_MIN || m > 1440 || 1440 % m != 0)
		problems_add(p, "/slot_minutes",
			     "is required: a whole number of minutes from %d to 1440 that "
			     "divides a day (e.g. 15, 30, 60)", SLOT_MINUTES_MIN);
	s->slot_minutes = m;
	json_t *cj = json_object_get(body, "capacity");
	json_int_t c = json_is_integer(cj) ? json_integer_value(cj) : 0;
	if (c < 1 || c > CAPACITY_MAX)
		problems_add(p, "/capacity",
			     "is required: inspections per slot, a whole number from 1 to %d",
			     CAPACITY_MAX);
	s->capacity = c;
}

void api_inspection_site_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct site_row s;
	struct problems p;
	problems_init(&p);
	read_site(ctx, body, &s, &p);
	json_decref(body);
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the site has fields that are not valid", &p);
		return;
	}
	api_now(ctx, s.created_at);
	if (!api_begin(ctx, true))
		return;
	json_t *view = site_json(&s);
	char *text = json_dumps(view, JSON_COMPACT | JSON_SORT_KEYS);
	kerr e = text ? repo_site_insert(ctx->conn, &s) : KERR_NOMEM;
	if (!e)
		e = repo_audit(ctx->conn, s.created_at, ctx->caller.user.username,
			       "inspection_site.created", s.code, text);
	free(text);
	if (e) {
		store_rollback(ctx->conn);
		json_decref(view);
		if (e == KERR_CONFLICT)
			api_field_problem(ctx, KERR_CONFLICT, "/code",
					  "an inspection site with this code exists already");
		else
			api_problem(ctx, KERR_STORE, "the site could not be saved", NULL);
		return;
	}
	if (!api_commit(ctx)) {
		json_decref(view);
		return;
	}
	char location[64];
	snprintf(location, sizeof location, "/v1/inspection-sites/%s", s.code);
	api_json(ctx, 201, view);
	http_response_header(ctx->resp, "Location", location);
}

void api_inspection_site_list(struct api_ctx *ctx)
{
	if (!api_begin(ctx, false))
		return;
	json_t *list = repo_site_list(ctx->conn);
	store_rollback(ctx->conn);
	if (!list) {
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s)
		json_object_set_new(s, "timezone", json_string("UTC"));
	api_json(ctx, 200, json_pack("{s:o}", "sites", list));
}

static bool find_site(struct api_ctx *ctx, struct site_row *s)
{
	const char *code = http_param(ctx->req, "code");
	kerr e = site_code_valid(code) ? repo_site_get(ctx->conn, code, s) : KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND)
		api_problem(ctx, KERR_NOT_FOUND, "no inspection site has that code", NULL);
	else if (e)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	return !e;
}

void api_inspection_site_get(struct api_ctx *ctx)
{
	struct site_row s;
	if (!api_begin(ctx, false))
		return;
	bool ok = find_site(ctx, &s);
	store_rollback(ctx->conn);
	if (ok)
		api_json(ctx, 200, site_json(&s));
}

/* Parse ?date=YYYY-MM-DD as the start of that UTC day. */
static bool parse_day(const char *d, int64_t *day_us)
{
	char text[32];
	if (strlen(d) != 10)
		return false;
	snprintf(text, sizeof text, "%sT00:00:00Z", d);
	char back[KTIME_TEXT_MAX];
	if (!ktime_parse(text, day_us))
		return false;
	ktime_format(*day_us, back);
	return strncmp(back, d, 10) == 0; /* no 31 February */
}

void api_inspection_site_schedule(struct api_ctx *ctx)
{
	int64_t day_us = 0;
	const char *date = http_query(ctx->req, "date");
	if (date && !parse_day(date, &day_us)) {
		api_field_problem(ctx, KERR_INVALID, "query:date",
				  "must be a date YYYY-MM-DD (a UTC day)");
		return;
	}
	if (!date)
		day_us = kclock_now(ctx->app->clock) / US_PER_DAY * US_PER_DAY;
	/* who booked what is for officers; others see places taken and free */
	enum role r = ctx->caller.role;
	bool details = role_agency(r) || r == ROLE_ANALYST || r == ROLE_ADMIN;
	struct site_row s;
	if (!api_begin(ctx, false))
		return;
	if (!find_site(ctx, &s)) {
		store_rollback(ctx->conn);
		return;
	}
	char from[KTIME_TEXT_MAX], to[KTIME_TEXT_MAX], day[11];
	ktime_format(day_us, from);
	ktime_format(day_us + US_PER_DAY, to);
	str_copy(day, from, sizeof day);
	json_t *bookings = repo_site_bookings(ctx->conn, s.code, from, to);
	store_rollback(ctx->conn);
	if (!bookings) {
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	int64_t len = s.slot_minutes * US_PER_MINUTE;
	size_t nslots = (size_t)(1440 / s.slot_minutes);
	json_t *slots = json_array();
	size_t k = 0, total = 0;
	for (size_t i = 0; i < nslots; i++) {
		char start[KTIME_TEXT_MAX], end[KTIME_TEXT_MAX];
		ktime_format(day_us + (int64_t)i * len, start);
		ktime_format(day_us + (int64_t)(i + 1) * len, end);
		json_t *list = json_array();
		for (; k < json_array_size(bookings); k++) {
			json_t *b = json_array_get(bookings, k);
			if (!is(json_string_value(json_object_get(b, "slot_start")), start))
				break;
			json_object_del(b, "slot_start");
			json_array_append(list, b);
		}
		size_t booked = json_array_size(list);
		total += booked;
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I}", "start", start, "end", end,
				      "capacity", (json_int_t)s.capacity, "booked",
				      (json_int_t)booked, "free",
				      (json_int_t)(s.capacity > (int64_t)booked
							   ? s.capacity - (int64_t)booked
							   : 0));
		if (details)
			json_object_set_new(o, "bookings", list);
		else
			json_decref(list);
		json_array_append_new(slots, o);
	}
	json_decref(bookings);
	api_json(ctx, 200, json_pack("{s:o, s:s, s:s, s:I, s:o}", "site", site_json(&s),
				     "date", day, "timezone", "UTC", "booked",
				     (json_int_t)total, "slots", slots));
}

/* --- demo data --- */

kerr inspections_seed_demo(struct app *app)
{
	struct store_conn *c;
	struct site_row s = {.slot_minutes = 30, .capacity = 4};
	str_copy(s.code, DEMO_SITE_CODE, sizeof s.code);
	str_copy(s.name, DEMO_SITE_NAME, sizeof s.name);
	str_copy(s.port, DEMO_SITE_PORT, sizeof s.port);
	ktime_format(kclock_now(app->clock), s.created_at);
	kerr e = store_thread_conn(app->store, &c);
	if (!e)
		e = store_begin(c, true);
	if (e)
		return e;
	e = repo_site_insert(c, &s);
	if (e == KERR_CONFLICT) /* seeded before */
		e = KERR_OK;
	if (e) {
		store_rollback(c);
		return e;
	}
	return store_commit(c);
}
