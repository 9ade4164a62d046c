/*
 * statistics.c - GET /v1/statistics/clearance: clearance-time statistics
 * over a selection given as query parameters, as JSON or as a CSV table.
 * Reads the request and renders; the figures come from the statistics
 * service, and who may ask is the service's to say. Never writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "domain/stats.h"
#include "service/statistics.h"

/* Every parameter the route takes: the selection (stats_query_parse), and
 * how to answer. */
static const char *const known[] = {
	"from", "to", "direction", "outcome", "total", "flags", "office", "port",
	"transport_mode", "lane", "credit_class", "trade_mode", "chapter", "tz",
	"target_import", "target_export", "outliers", "format", "table", NULL,
};

static const char *get_query(void *arg, const char *name)
{
	return http_query(arg, name);
}

/* Does the client ask for CSV (format=csv, or Accept naming text/csv)? */
static bool wants_csv(const struct http_request *req, const char *format)
{
	if (format)
		return !strcmp(format, "csv");
	const char *accept = http_header(req, "Accept");
	return accept && strstr(accept, "text/csv") != NULL;
}

void api_statistics_clearance(struct api_ctx *ctx)
{
	struct problems p;
	problems_init(&p);
	for (size_t i = 0; i < ctx->req->nquery; i++) {
		bool ok = false;
		for (size_t k = 0; known[k] && !ok; k++)
			ok = !strcmp(known[k], ctx->req->query[i].name);
		if (!ok) {
			char field[PROBLEM_FIELD_MAX];
			snprintf(field, sizeof field, "query:%s", ctx->req->query[i].name);
			problems_add(&p, field,
				     "is not a parameter of this resource (see GET "
				     "/openapi.json: from, to, direction, outcome, total, "
				     "flags, the dimensions, tz, targets, outliers, format, "
				     "table)");
		}
	}
	const char *format = http_query(ctx->req, "format");
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		problems_add(&p, "query:format", "must be json or csv");
	enum stats_table table = STATS_TABLE_STAGES;
	const char *t = http_query(ctx->req, "table");
	if (t && !stats_table_parse(t, &table))
		problems_add(&p, "query:table",
			     "must be stages, hours, weekdays, outliers or targets");
	struct stats_query q;
	bool parsed = stats_query_parse(&q, get_query, (void *)ctx->req, &p);
	if (!parsed || problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the selection is not valid", &p);
		return;
	}
	struct stats_result *r = malloc(sizeof *r);
	if (!r) {
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return;
	}
	struct refusal why;
	refusal_init(&why, &p); /* the codes no reference list or declaration has */
	kerr e = statistics_clearance(&ctx->uow, &ctx->actor, &q, r, &why);
	if (e) {
		api_refused(ctx, e, &why, "the statistics could not be computed");
	} else if (wants_csv(ctx->req, format)) {
		buf_reset(&ctx->resp->body);
		if (stats_result_csv(r, table, &ctx->resp->body)) {
			api_problem(ctx, KERR_NOMEM, NULL, NULL);
		} else {
			ctx->resp->status = 200;
			ctx->resp->content_type = "text/csv; charset=utf-8";
		}
	} else {
		json_t *body = stats_result_json(&q, r);
		if (body)
			api_json(ctx, 200, body);
		else
			api_problem(ctx, KERR_NOMEM, NULL, NULL);
	}
	free(r);
}

void api_declaration_clearance_time(struct api_ctx *ctx)
{
	struct stage_times t;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = statistics_declaration(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"),
					&t, &why);
	if (e) {
		api_refused(ctx, e, &why, "the clearance time could not be measured");
		return;
	}
	json_t *body = stage_times_json(&t);
	if (body && !json_object_set_new(body, "number",
					 json_string(http_param(ctx->req, "number"))))
		api_json(ctx, 200, body);
	else {
		json_decref(body);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
	}
}
