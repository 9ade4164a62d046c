/*
 * admin.c - organisations and users, for admins. The same use cases serve
 * `kouan admin` offline (src/service/accounts.c), so the rules are the
 * same.
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
