/*
 * inspections.c - the joint inspection (联合查验) and 7x24 appointments
 * (预约通关) over HTTP: reading an inspection, findings and recognition,
 * booking, moving and cancelling, inspection sites and their schedules.
 * The rules live in src/domain/inspection.c and src/service/inspections.c.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/views.h"
#include "common/clock.h"
#include "service/inspections.h"

/* The inspection id of the path; answers 404 when it is not one. */
static bool id_param(struct api_ctx *ctx, int64_t *id)
{
	if (inspection_id_parse(http_param(ctx->req, "id"), id))
		return true;
	api_problem(ctx, KERR_NOT_FOUND, "no inspection has that id", NULL);
	return false;
}

/* Answer a service's result: the inspection with `status`, or its refusal. */
static void answer(struct api_ctx *ctx, kerr e, const struct inspection_state *s,
		   const struct refusal *why, int status, const char *failure)
{
	if (e) {
		api_refused(ctx, e, why, failure);
		return;
	}
	json_t *v = inspection_json(s);
	if (v)
		api_json(ctx, status, v);
	else
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
}

void api_inspection_get(struct api_ctx *ctx)
{
	int64_t id;
	struct inspection_state s;
	struct refusal why;
	refusal_init(&why, NULL);
	if (!id_param(ctx, &id))
		return;
	kerr e = inspections_get(&ctx->uow, &ctx->actor, id, &s);
	if (e == KERR_NOT_FOUND)
		refusal_say(&why, "no inspection has that id");
	answer(ctx, e, &s, &why, 200, NULL);
}

void api_declaration_inspection(struct api_ctx *ctx)
{
	struct inspection_state s;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = inspections_of_declaration(&ctx->uow, &ctx->actor,
					    http_param(ctx->req, "number"), &s);
	if (e == KERR_NOT_FOUND)
		refusal_say(&why, "no inspection of that declaration is visible to you");
	answer(ctx, e, &s, &why, 200, NULL);
}

void api_inspection_finding(struct api_ctx *ctx)
{
	const char *agency = http_param(ctx->req, "agency");
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = inspections_may_record(&ctx->actor, agency, &why);
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"result", "note", "decision", NULL};
	struct finding f;
	struct problems p;
	int64_t id;
	problems_init(&p);
	if (!api_only_fields(ctx, body, fields, "result, note, decision"))
		goto out;
	inspection_finding_read(body, &f, &p);
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the finding has fields that are not valid", &p);
		goto out;
	}
	if (!id_param(ctx, &id))
		goto out;
	str_copy(f.agency, agency, sizeof f.agency);
	struct inspection_state s;
	e = inspections_record_finding(&ctx->uow, &ctx->actor, id, &f, &s, &why);
	answer(ctx, e, &s, &why, 201, "the finding could not be saved");
out:
	json_decref(body);
}

void api_inspection_recognition(struct api_ctx *ctx)
{
	const char *agency = http_param(ctx->req, "agency");
	struct refusal why;
	struct problems p;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = inspections_may_record(&ctx->actor, agency, &why);
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"from_agency", NULL};
	int64_t id;
	if (!api_only_fields(ctx, body, fields, "from_agency"))
		goto out;
	json_t *fj = json_object_get(body, "from_agency");
	const char *from = json_string_value(fj);
	if (!fj) {
		api_field_problem(ctx, KERR_INVALID, "/from_agency",
				  "is required: the agency whose finding you recognise");
		goto out;
	}
	if (!from || !*from || strlen(from) >= AGENCY_CODE_SIZE) {
		api_field_problem(ctx, KERR_INVALID, "/from_agency",
				  "must be an agency code, e.g. customs");
		goto out;
	}
	if (!strcmp(from, agency)) {
		api_field_problem(ctx, KERR_INVALID, "/from_agency",
				  "must be another agency than your own");
		goto out;
	}
	if (!id_param(ctx, &id))
		goto out;
	struct inspection_state s;
	e = inspections_recognise(&ctx->uow, &ctx->actor, id, agency, from, &s, &why);
	answer(ctx, e, &s, &why, 201, "the finding could not be saved");
out:
	json_decref(body);
}

void api_inspection_waiver(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"reason", NULL};
	const char *reason;
	int64_t id;
	struct inspection_state s;
	struct refusal why;
	refusal_init(&why, NULL);
	if (api_only_fields(ctx, body, fields, "reason") &&
	    api_reason(ctx, body, true, 500, &reason) && id_param(ctx, &id)) {
		kerr e = inspections_waive(&ctx->uow, &ctx->actor, id,
					   http_param(ctx->req, "agency"), reason, &s, &why);
		answer(ctx, e, &s, &why, 200, "the waiver could not be saved");
	}
	json_decref(body);
}

/* Book (POST) or move (PUT) the appointment of an inspection:
 * {"site", "slot_start"}. */
static void booking_change(struct api_ctx *ctx, bool move)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"site", "slot_start", NULL};
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	problems_unknown_fields(&p, body, "", fields, "site, slot_start");
	json_t *sj = json_object_get(body, "site");
	const char *site = json_string_value(sj);
	if (!sj)
		problems_add(&p, "/site", "is required: the code of an inspection site "
					  "(GET /v1/inspection-sites)");
	else if (!site || !*site || strlen(site) > SITE_CODE_MAX)
		problems_add(&p, "/site", "must be the code of an inspection site (at most %d "
					  "characters)", SITE_CODE_MAX);
	json_t *tj = json_object_get(body, "slot_start");
	const char *t = json_string_value(tj);
	int64_t slot_us = 0, id;
	if (!tj)
		problems_add(&p, "/slot_start",
			     "is required: the start of a slot, e.g. 2026-11-24T02:00:00Z");
	else if (!t || !ktime_parse(t, &slot_us))
		problems_add(&p, "/slot_start",
			     "must be an RFC 3339 time, e.g. 2026-11-24T02:00:00Z");
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the booking has fields that are not valid", &p);
	} else if (id_param(ctx, &id)) {
		struct inspection_state s;
		kerr e = inspections_book(&ctx->uow, &ctx->actor, id, site, slot_us, move, &s,
					  &why);
		answer(ctx, e, &s, &why, move ? 200 : 201, "the appointment could not be saved");
	}
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
	int64_t id;
	struct inspection_state s;
	struct refusal why;
	refusal_init(&why, NULL);
	if (!id_param(ctx, &id))
		return;
	kerr e = inspections_cancel(&ctx->uow, &ctx->actor, id, &s, &why);
	answer(ctx, e, &s, &why, 200, "the appointment could not be cancelled");
}

void api_inspection_site_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct inspection_site s;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	inspection_site_read(body, uow_refdata(&ctx->uow), &s, &p);
	json_decref(body);
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the site has fields that are not valid", &p);
		return;
	}
	kerr e = inspections_site_create(&ctx->uow, &ctx->actor, &s, &why);
	if (e) {
		api_refused(ctx, e, &why, "the site could not be saved");
		return;
	}
	char location[64];
	snprintf(location, sizeof location, "/v1/inspection-sites/%s", s.code);
	api_json(ctx, 201, site_json(&s));
	http_response_header(ctx->resp, "Location", location);
}

static kerr append_site(void *arg, const struct inspection_site *s)
{
	json_t *v = site_json(s);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
}

void api_inspection_site_list(struct api_ctx *ctx)
{
	json_t *list = json_array();
	if (inspections_site_list(&ctx->uow, append_site, list)) {
		json_decref(list);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "sites", list));
}

void api_inspection_site_get(struct api_ctx *ctx)
{
	struct inspection_site s;
	kerr e = inspections_site_get(&ctx->uow, http_param(ctx->req, "code"), &s);
	if (e == KERR_NOT_FOUND)
		api_problem(ctx, e, "no inspection site has that code", NULL);
	else if (e)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	else
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

/* The day's slots with their bookings (taken in order of slot start). */
static json_t *slots_json(const struct inspection_site *s, int64_t day_us, json_t *bookings,
			  bool details, size_t *total)
{
	int64_t len = s->slot_minutes * US_PER_MINUTE;
	size_t nslots = (size_t)(1440 / s->slot_minutes), k = 0;
	json_t *slots = json_array();
	*total = 0;
	for (size_t i = 0; i < nslots; i++) {
		char start[KTIME_TEXT_MAX], end[KTIME_TEXT_MAX];
		ktime_format(day_us + (int64_t)i * len, start);
		ktime_format(day_us + (int64_t)(i + 1) * len, end);
		json_t *list = json_array();
		for (; k < json_array_size(bookings); k++) {
			json_t *b = json_array_get(bookings, k);
			if (strcmp(json_string_value(json_object_get(b, "slot_start")), start))
				break;
			json_object_del(b, "slot_start");
			json_array_append(list, b);
		}
		size_t booked = json_array_size(list);
		*total += booked;
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I}", "start", start, "end", end,
				      "capacity", (json_int_t)s->capacity, "booked",
				      (json_int_t)booked, "free",
				      (json_int_t)(s->capacity > (int64_t)booked
							   ? s->capacity - (int64_t)booked
							   : 0));
		if (details)
			json_object_set_new(o, "bookings", list);
		else
			json_decref(list);
		json_array_append_new(slots, o);
	}
	return slots;
}

static kerr append_booking(void *arg, const struct site_booking_row *b)
{
	json_t *v = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "slot_start", b->slot_start,
			      "seat", (json_int_t)b->seat, "inspection",
			      (json_int_t)b->inspection_id, "declaration_number",
			      b->declaration_number, "status", b->status, "booked_at",
			      b->booked_at);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
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
		day_us = uow_now_us(&ctx->uow) / US_PER_DAY * US_PER_DAY;
	struct inspection_site s;
	bool details;
	json_t *bookings = json_array();
	kerr e = inspections_schedule(&ctx->uow, &ctx->actor, http_param(ctx->req, "code"),
				      day_us, &s, &details, append_booking, bookings);
	if (e) {
		json_decref(bookings);
		if (e == KERR_NOT_FOUND)
			api_problem(ctx, e, "no inspection site has that code", NULL);
		else
			api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	char from[KTIME_TEXT_MAX], day[11];
	ktime_format(day_us, from);
	str_copy(day, from, sizeof day);
	size_t total;
	json_t *slots = slots_json(&s, day_us, bookings, details, &total);
	json_decref(bookings);
	api_json(ctx, 200, json_pack("{s:o, s:s, s:s, s:I, s:o}", "site", site_json(&s),
				     "date", day, "timezone", "UTC", "booked",
				     (json_int_t)total, "slots", slots));
}
