/*
 * refunds.c - the export tax refund over HTTP: the exporter applies and
 * follows its applications; the tax office reads and decides them; the
 * port operator of the port (or customs) records that the goods of a rail
 * or mail export left, the departure a refund rests on when kouan does not
 * follow the conveyance. The rules live in src/domain/refund.c, the use
 * cases in src/service/refunds.c.
 */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/money_views.h"
#include "domain/fields.h"
#include "service/refunds.h"

/* The application id of the path; answers 404 when it is not one. */
static bool id_param(struct api_ctx *ctx, int64_t *id)
{
	const char *s = http_param(ctx->req, "id");
	char *end;
	long long v = s && *s >= '1' && *s <= '9' && strlen(s) <= 18 ? strtoll(s, &end, 10) : 0;
	if (v > 0 && !*end) {
		*id = v;
		return true;
	}
	api_problem(ctx, KERR_NOT_FOUND, "no refund application has that id", NULL);
	return false;
}

static void answer(struct api_ctx *ctx, kerr e, struct refund_record *r,
		   const struct refusal *why, int status, const char *failure)
{
	if (e) {
		api_refused(ctx, e, why, failure);
		refund_record_free(r);
		return;
	}
	json_t *v = refund_json(r);
	if (v)
		api_json(ctx, status, v);
	else
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
	refund_record_free(r);
}

void api_refund_apply(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct refund_application app;
	struct refund_record r;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	if (!refund_application_parse(body, &app, &p)) {
		api_problem(ctx, KERR_INVALID, "the refund application has fields that are not "
					       "valid",
			    &p);
	} else {
		kerr e = refunds_apply(&ctx->uow, &ctx->actor, &app, &r, &why);
		answer(ctx, e, &r, &why, 201, "the application could not be saved");
	}
	json_decref(body);
}

void api_refunds_list(struct api_ctx *ctx)
{
	int64_t limit;
	const char *status = http_query(ctx->req, "status");
	if (!api_query_int(ctx, "limit", 1, 500, 100, &limit))
		return;
	if (status && strcmp(status, "applied") && strcmp(status, "approved") &&
	    strcmp(status, "rejected")) {
		api_field_problem(ctx, KERR_INVALID, "query:status",
				  "must be one of applied, approved, rejected");
		return;
	}
	json_t *list = json_array();
	kerr e = refunds_list(&ctx->uow, &ctx->actor, status, (int)limit, append_refund, list);
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "applications", list));
}

void api_refund_get(struct api_ctx *ctx)
{
	int64_t id;
	struct refund_record r;
	struct refusal why;
	refusal_init(&why, NULL);
	if (!id_param(ctx, &id))
		return;
	kerr e = refunds_get(&ctx->uow, &ctx->actor, id, &r);
	if (e == KERR_NOT_FOUND)
		refusal_say(&why, "no refund application has that id");
	answer(ctx, e, &r, &why, 200, NULL);
}

void api_refund_decide(struct api_ctx *ctx)
{
	int64_t id;
	if (!id_param(ctx, &id))
		return;
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"decision", "reason", NULL};
	const char *decision, *reason;
	struct refund_record r;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	if (!api_only_fields(ctx, body, fields, "decision, reason") ||
	    !api_reason(ctx, body, false, REASON_SIZE - 1, &reason))
		goto out;
	decision = json_string_value(json_object_get(body, "decision"));
	if (!decision || (strcmp(decision, "approved") && strcmp(decision, "rejected"))) {
		api_field_problem(ctx, KERR_INVALID, "/decision",
				  "must be \"approved\" or \"rejected\"");
		goto out;
	}
	kerr e = refunds_decide(&ctx->uow, &ctx->actor, id, !strcmp(decision, "approved"),
				reason, &r, &why);
	if (e == KERR_NOT_FOUND && !*why.detail)
		refusal_say(&why, "no refund application has that id");
	answer(ctx, e, &r, &why, 200, "the decision could not be saved");
out:
	json_decref(body);
}

/* --- the departure of an export whose conveyance kouan does not follow --- */

static json_t *departure_json(const char *number, const struct departure_row *d)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "declaration_number", number, "departed_at",
			 d->departed_at, "recorded_by", d->source, "recorded_at", d->recorded_at);
}

void api_declaration_departure_get(struct api_ctx *ctx)
{
	const char *number = http_param(ctx->req, "number");
	struct departure_row dep;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = refunds_departure_get(&ctx->uow, &ctx->actor, number, &dep, &why);
	if (e == KERR_NOT_FOUND && !*why.detail)
		refusal_say(&why, "no declaration has that number");
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	json_t *v = departure_json(number, &dep);
	if (v)
		api_json(ctx, 200, v);
	else
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
}

void api_declaration_departure(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"departed_at", NULL};
	const char *number = http_param(ctx->req, "number");
	int64_t departed_at = 0;
	struct problems p;
	struct refusal why;
	struct fields f = {.p = &p};
	problems_init(&p);
	refusal_init(&why, &p);
	if (!api_only_fields(ctx, body, fields, "departed_at"))
		goto out;
	if (!fields_time(&f, body, "departed_at", "", true, &departed_at)) {
		api_problem(ctx, KERR_INVALID, "the departure has fields that are not valid", &p);
		goto out;
	}
	struct departure_row dep;
	bool created = false;
	kerr e = refunds_departure_record(&ctx->uow, &ctx->actor, number, departed_at, &dep,
					  &created, &why);
	if (e == KERR_NOT_FOUND && !*why.detail)
		refusal_say(&why, "no declaration has that number");
	if (e) {
		api_refused(ctx, e, &why, "the departure could not be saved");
		goto out;
	}
	json_t *v = departure_json(number, &dep);
	if (v)
		api_json(ctx, created ? 201 : 200, v);
	else
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
out:
	json_decref(body);
}
