/*
 * sessions.c - log in (credentials for a bearer token), log out (revoke the
 * token), and who am I.
 */
#include <string.h>

#include "api/handlers.h"
#include "service/accounts.h"

void api_session_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	const char *username = NULL, *password = NULL;
	json_error_t err;
	if (json_unpack_ex(body, &err, JSON_STRICT, "{s:s, s:s}", "username", &username,
			   "password", &password) != 0) {
		struct problems p;
		problems_init(&p);
		json_t *u = json_object_get(body, "username"),
		       *pw = json_object_get(body, "password");
		if (!json_is_string(u))
			problems_add(&p, "/username", u ? "must be a string" : "is required");
		if (!json_is_string(pw))
			problems_add(&p, "/password", pw ? "must be a string" : "is required");
		static const char *const fields[] = {"username", "password", NULL};
		problems_unknown_fields(&p, body, "", fields, "username, password");
		api_problem(ctx, KERR_INVALID, "send {\"username\": ..., \"password\": ...}", &p);
		json_decref(body);
		return;
	}
	struct session s;
	kerr e = accounts_login(&ctx->uow, username, password, &s);
	if (e == KERR_UNAUTHENTICATED)
		api_problem(ctx, e,
			    "the user name or password is wrong, or the account is disabled",
			    NULL);
	else if (e)
		api_problem(ctx, e, NULL, NULL);
	else
		api_json(ctx, 201,
			 json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "token", s.token,
				   "token_type", "Bearer", "expires_at", s.expires_at, "user",
				   "username", s.user.username, "role", s.user.role,
				   "organisation", s.user.org_uscc, "organisation_name",
				   s.user.org_name));
	json_decref(body);
}

void api_session_delete(struct api_ctx *ctx)
{
	kerr e = accounts_logout(&ctx->uow, &ctx->actor, ctx->token_hash);
	if (e)
		api_problem(ctx, e, NULL, NULL);
	else
		api_no_content(ctx);
}

void api_me(struct api_ctx *ctx)
{
	struct user_row u;
	kerr e = accounts_me(&ctx->uow, &ctx->actor, &u);
	if (e) {
		api_problem(ctx, e == KERR_NOT_FOUND ? KERR_UNAUTHENTICATED : e, NULL, NULL);
		return;
	}
	const char *agency = actor_agency(&ctx->actor);
	api_json(ctx, 200,
		 json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "username", u.username,
			   "display_name", u.display_name, "role", u.role, "organisation",
			   u.org_uscc, "organisation_name", u.org_name, "agency",
			   agency ? json_string(agency) : json_null()));
}
