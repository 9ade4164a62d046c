/*
 * admin.c - organisations and users, for admins: create and list them,
 * look at one user, disable and enable it, unlock its name, reset its
 * password and revoke its tokens (and any user's revocation of its own:
 * DELETE /v1/me/tokens). The same use cases serve `kouan admin`
 * offline (src/service/accounts.c), so the rules are the same.
 */
#include <string.h>

#include "api/handlers.h"
#include "api/views.h"
#include "service/accounts.h"

static const char *str_field(const json_t *o, const char *key, struct problems *p,
			     bool required)
{
	json_t *v = json_object_get(o, key);
	char f[64];
	json_pointer_to(f, sizeof f, "", key);
	if (!v) {
		if (required)
			problems_add(p, f, "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		problems_add(p, f, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

void api_organisation_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const ok[] = {"uscc", "name", "kind", "port", NULL};
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", ok, "uscc, name, kind, port");
	struct org_input in = {str_field(body, "uscc", &p, true),
			       str_field(body, "name", &p, true),
			       str_field(body, "kind", &p, true),
			       str_field(body, "port", &p, false)};
	org_input_check(&in, uow_refdata(&ctx->uow), &p);
	int64_t id;
	struct refusal why;
	refusal_init(&why, &p);
	kerr e = problems_any(&p) ? KERR_INVALID
				  : accounts_org_create(&ctx->uow, &ctx->actor, &in, &id, &why);
	if (e == KERR_INVALID && !*why.detail)
		refusal_say(&why, "the organisation is not valid");
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 201, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)id,
					     "uscc", in.uscc, "name", in.name, "kind", in.kind,
					     "port", json_text_or_null(in.port)));
	json_decref(body);
}

static kerr append_org(void *arg, const struct org_row *o)
{
	return json_array_append_new(
		       arg, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)o->id,
				      "uscc", o->uscc, "name", o->name, "kind", o->kind, "port",
				      json_text_or_null(o->port), "created_at", o->created_at))
		       ? KERR_NOMEM
		       : KERR_OK;
}

void api_organisation_list(struct api_ctx *ctx)
{
	json_t *list = json_array();
	if (accounts_org_list(&ctx->uow, append_org, list)) {
		json_decref(list);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "organisations", list));
}

void api_user_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const ok[] = {"username", "display_name", "password", "role",
					 "organisation", "supervisor", NULL};
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", ok,
				"username, display_name, password, role, organisation, "
				"supervisor");
	json_t *sup = json_object_get(body, "supervisor");
	if (sup && !json_is_boolean(sup))
		problems_add(&p, "/supervisor", "must be true or false");
	struct user_input in = {str_field(body, "username", &p, true),
				str_field(body, "display_name", &p, false),
				str_field(body, "password", &p, true),
				str_field(body, "role", &p, true),
				str_field(body, "organisation", &p, true),
				json_is_true(sup)};
	user_input_check(&in, &p);
	int64_t id;
	struct refusal why;
	refusal_init(&why, &p);
	kerr e = problems_any(&p) ? KERR_INVALID
				  : accounts_user_create(&ctx->uow, &ctx->actor, &in, &id, &why);
	if (e == KERR_INVALID && !*why.detail)
		refusal_say(&why, "the user is not valid");
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 201, json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)id,
					     "username", in.username, "role", in.role,
					     "organisation", in.org_uscc, "supervisor",
					     in.supervisor));
	json_decref(body);
}

static kerr append_user(void *arg, const struct user_row *u)
{
	return json_array_append_new(
		       arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b}", "id",
				      (json_int_t)u->id, "username", u->username, "display_name",
				      u->display_name, "role", u->role, "organisation",
				      u->org_uscc, "disabled", u->disabled, "supervisor",
				      u->supervisor))
		       ? KERR_NOMEM
		       : KERR_OK;
}

void api_user_list(struct api_ctx *ctx)
{
	json_t *list = json_array();
	if (accounts_user_list(&ctx->uow, append_user, list)) {
		json_decref(list);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "users", list));
}

static json_t *user_view_json(const struct user_view *v)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:o, s:o, s:I}", "id",
			 (json_int_t)v->user.id, "username", v->user.username, "display_name",
			 v->user.display_name, "role", v->user.role, "organisation",
			 v->user.org_uscc, "supervisor", v->user.supervisor, "disabled",
			 v->user.disabled, "failed_logins",
			 (json_int_t)v->failed_logins, "locked_until",
			 *v->locked_until ? json_string(v->locked_until) : json_null(),
			 "password_changed_at",
			 *v->password_changed_at ? json_string(v->password_changed_at)
						 : json_null(),
			 "live_tokens", (json_int_t)v->live_tokens);
}

/* Answer with the user as it now is (in the request's unit of work). */
static void show_user(struct api_ctx *ctx, const char *username)
{
	struct user_view v;
	kerr e = accounts_user_get(&ctx->uow, username, &v);
	if (e == KERR_NOT_FOUND)
		api_problem(ctx, e, "there is no user with that name", NULL);
	else if (e)
		api_problem(ctx, e == KERR_BUSY ? e : KERR_STORE, NULL, NULL);
	else
		api_json(ctx, 200, user_view_json(&v));
}

void api_user_get(struct api_ctx *ctx)
{
	show_user(ctx, http_param(ctx->req, "username"));
}

/* An optional JSON body holding at most {"reason": "..."}; NULL body when
 * none was sent. False after answering. */
static bool reason_body(struct api_ctx *ctx, bool required, json_t **body, const char **reason)
{
	*body = NULL;
	*reason = NULL;
	if (ctx->req->body_len == 0 && !http_header(ctx->req, "Content-Type")) {
		if (required)
			api_field_problem(ctx, KERR_INVALID, "/reason",
					  "is required: say why the account is stopped");
		return !required;
	}
	if (!(*body = api_read_body(ctx)))
		return false;
	static const char *const ok[] = {"reason", NULL};
	if (!api_only_fields(ctx, *body, ok, "reason") ||
	    !api_reason(ctx, *body, required, REASON_SIZE - 1, reason)) {
		json_decref(*body);
		*body = NULL;
		return false;
	}
	return true;
}

static void set_disabled(struct api_ctx *ctx, bool disabled)
{
	const char *username = http_param(ctx->req, "username");
	json_t *body;
	const char *reason;
	if (!reason_body(ctx, disabled, &body, &reason))
		return;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = accounts_user_set_disabled(&ctx->uow, &ctx->actor, username, disabled, reason,
					    &why);
	if (e)
		api_refused(ctx, e, &why, "the user could not be changed");
	else
		show_user(ctx, username);
	json_decref(body);
}

void api_user_disable(struct api_ctx *ctx)
{
	set_disabled(ctx, true);
}

void api_user_enable(struct api_ctx *ctx)
{
	set_disabled(ctx, false);
}

void api_user_unlock(struct api_ctx *ctx)
{
	const char *username = http_param(ctx->req, "username");
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = accounts_user_unlock(&ctx->uow, &ctx->actor, username, &why);
	if (e)
		api_refused(ctx, e, &why, "the user could not be unlocked");
	else
		show_user(ctx, username);
}

void api_user_password_reset(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const ok[] = {"password", NULL};
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", ok, "password");
	const char *password = str_field(body, "password", &p, true);
	struct refusal why;
	refusal_init(&why, &p);
	kerr e = problems_any(&p) ? KERR_INVALID
				  : accounts_password_reset(&ctx->uow, &ctx->actor,
							    http_param(ctx->req, "username"),
							    password, &why);
	if (e == KERR_INVALID && !*why.detail)
		refusal_say(&why, "the request has fields that are not valid");
	if (e)
		api_refused(ctx, e, &why, "the password could not be set");
	else
		api_no_content(ctx);
	json_decref(body);
}

static void revoke_tokens(struct api_ctx *ctx, const char *username)
{
	struct refusal why;
	int64_t n;
	refusal_init(&why, NULL);
	kerr e = accounts_tokens_revoke(&ctx->uow, &ctx->actor, username, &n, &why);
	if (e)
		api_refused(ctx, e, &why, "the tokens could not be revoked");
	else
		api_json(ctx, 200, json_pack("{s:I}", "revoked", (json_int_t)n));
}

void api_user_tokens_revoke(struct api_ctx *ctx)
{
	revoke_tokens(ctx, http_param(ctx->req, "username"));
}

void api_me_tokens_revoke(struct api_ctx *ctx)
{
	revoke_tokens(ctx, ctx->actor.username);
}
