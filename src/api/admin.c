/*
 * admin.c - organisations and users, for admins. The same operations are
 * available offline through `kouan admin` (src/server/admin_cmd.c); both go
 * through accounts.c so the rules are the same.
 */
#include <string.h>

#include "api/accounts.h"
#include "api/api.h"

void api_organisation_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	problems_init(&p);
	struct org_input in;
	if (!org_input_parse(body, &in, &p)) {
		api_problem(ctx, KERR_INVALID, "the organisation is not valid", &p);
		json_decref(body);
		return;
	}
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	int64_t id;
	if (!api_begin(ctx, true)) {
		json_decref(body);
		return;
	}
	kerr e = accounts_org_create(ctx->conn, &in, ctx->caller.user.username, now, &id);
	if (e) {
		store_rollback(ctx->conn);
		if (e == KERR_CONFLICT)
			api_field_problem(ctx, KERR_CONFLICT, "/uscc",
					  "an organisation with this USCC exists");
		else
			api_problem(ctx, e, NULL, NULL);
	} else if (api_commit(ctx)) {
		api_json(ctx, 201, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id,
					     "uscc", in.uscc, "name", in.name, "kind", in.kind));
	}
	json_decref(body);
}

void api_organisation_list(struct api_ctx *ctx)
{
	json_t *l = repo_org_list(ctx->conn);
	if (!l)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	else
		api_json(ctx, 200, json_pack("{s:o}", "organisations", l));
}

void api_user_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	problems_init(&p);
	struct user_input in;
	if (!user_input_parse(body, &in, &p)) {
		api_problem(ctx, KERR_INVALID, "the user is not valid", &p);
		json_decref(body);
		return;
	}
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	int64_t id;
	if (!api_begin(ctx, true)) {
		json_decref(body);
		return;
	}
	kerr e = accounts_user_create(ctx->conn, &in, &ctx->app->limits,
				      ctx->caller.user.username, now, &id, &p);
	if (e) {
		store_rollback(ctx->conn);
		if (problems_any(&p))
			api_problem(ctx, e, "the user is not valid", &p);
		else
			api_problem(ctx, e, NULL, NULL);
	} else if (api_commit(ctx)) {
		api_json(ctx, 201, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id,
					     "username", in.username, "role", in.role,
					     "organisation", in.org_uscc));
	}
	json_decref(body);
}

void api_user_list(struct api_ctx *ctx)
{
	json_t *l = repo_user_list(ctx->conn);
	if (!l)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	else
		api_json(ctx, 200, json_pack("{s:o}", "users", l));
}
