/* tasks.c - an agency's worklist: GET /v1/tasks?agency=&status=&limit=. */
#include <string.h>

#include "api/api.h"
#include "domain/workflow.h"

void api_task_worklist(struct api_ctx *ctx)
{
	const char *mine = role_agency(ctx->caller.role);
	const char *agency = http_query(ctx->req, "agency");
	if (!agency)
		agency = mine;
	if (!agency) {
		api_field_problem(ctx, KERR_INVALID, "query:agency",
				  "is required: customs, quarantine, border or maritime");
		return;
	}
	struct refdata *ref = app_refdata(ctx->app);
	bool known = refdata_agency_index(ref, agency) >= 0;
	refdata_release(ref);
	if (!known) {
		api_field_problem(ctx, KERR_INVALID, "query:agency",
				  "is not a known agency (see GET /v1/reference/agencies)");
		return;
	}
	if (mine && strcmp(mine, agency) != 0) {
		api_problem(ctx, KERR_FORBIDDEN,
			    "officers may read only their own agency's worklist", NULL);
		return;
	}
	const char *status = http_query(ctx->req, "status");
	enum task_status ts;
	if (!status)
		status = "open";
	else if (!task_status_parse(status, &ts)) {
		api_field_problem(ctx, KERR_INVALID, "query:status",
				  "must be one of open, inspecting, cleared, returned, "
				  "rejected, closed");
		return;
	}
	int64_t limit;
	if (!api_query_int(ctx, "limit", 1, 1000, 100, &limit))
		return;
	if (!api_begin(ctx, false))
		return;
	json_t *list = repo_worklist(ctx->conn, agency, status, (int)limit);
	store_rollback(ctx->conn);
	if (!list)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	else
		api_json(ctx, 200, json_pack("{s:s, s:s, s:o}", "agency", agency,
					     "status", status, "tasks", list));
}
