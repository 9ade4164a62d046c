/*
 * tasks.c - agencies' work: an officer's decision on its agency's task of a
 * declaration, and an agency's worklist (GET /v1/tasks?agency=&status=).
 */
#include <string.h>

#include "api/handlers.h"
#include "api/views.h"
#include "service/declarations.h"

void api_task_decide(struct api_ctx *ctx)
{
	const char *agency = http_param(ctx->req, "agency");
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = declarations_may_decide(&ctx->actor, agency, &why);
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	enum decision d;
	const char *reason;
	struct declaration decl;
	memset(&decl, 0, sizeof decl);
	if (!api_decision(ctx, body, &d, &reason))
		goto out;
	e = declarations_decide(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), agency,
				d, reason, &decl, &why);
	if (e) {
		api_refused(ctx, e, &why, "the decision could not be saved");
		goto out;
	}
	json_t *view = declaration_json(&decl, view_level_of(&ctx->app->svc, &ctx->actor));
	if (view)
		api_json(ctx, 200, view);
	else
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
out:
	declaration_free(&decl);
	json_decref(body);
}

void api_task_worklist(struct api_ctx *ctx)
{
	const char *status = http_query(ctx->req, "status");
	enum task_status ts = TASK_OPEN;
	int64_t limit;
	if (status && !task_status_parse(status, &ts)) {
		api_field_problem(ctx, KERR_INVALID, "query:status",
				  "must be one of open, inspecting, cleared, returned, "
				  "rejected, closed");
		return;
	}
	if (!api_query_int(ctx, "limit", 1, 1000, 100, &limit))
		return;
	const char *agency = http_query(ctx->req, "agency");
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	json_t *list = json_array();
	kerr e = declarations_worklist(&ctx->uow, &ctx->actor, agency, ts, (int)limit,
				       append_worklist, list, &why);
	if (e) {
		json_decref(list);
		api_refused(ctx, e, &why, NULL);
		return;
	}
	if (!agency)
		agency = actor_agency(&ctx->actor);
	api_json(ctx, 200, json_pack("{s:s, s:s, s:o}", "agency", agency, "status",
				     task_status_name(ts), "tasks", list));
}
