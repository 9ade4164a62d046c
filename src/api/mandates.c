/*
 * mandates.c - electronic mandates (委托) over HTTP: a consignee gives an
 * agent a mandate to declare for it, lists the mandates it gave or holds,
 * and revokes one. The rules are in src/service/mandates.c.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/views.h"
#include "common/clock.h"
#include "service/mandates.h"

static json_t *mandate_json(const struct mandate_row *m)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
			 (json_int_t)m->id, "consignee_uscc", m->consignee_uscc,
			 "consignee_name", m->consignee_name, "agent_uscc", m->agent_uscc,
			 "agent_name", m->agent_name, "scope", m->scope, "valid_from",
			 m->valid_from, "valid_to", m->valid_to, "created_by", m->created_by,
			 "created_at", m->created_at, "revoked_at",
			 json_text_or_null(m->revoked_at));
}

/* An RFC 3339 time member; absent: dflt. */
static void time_member(const json_t *body, const char *key, int64_t dflt, int64_t *out,
			struct problems *p)
{
	json_t *v = json_object_get(body, key);
	char field[32];
	*out = dflt;
	if (!v)
		return;
	snprintf(field, sizeof field, "/%s", key);
	if (!json_is_string(v) || !ktime_parse(json_string_value(v), out))
		problems_add(p, field, "must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z");
}

void api_mandate_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"agent_uscc", "scope", "valid_from", "valid_to",
					     NULL};
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	problems_unknown_fields(&p, body, "", fields, "agent_uscc, scope, valid_from, valid_to");
	struct mandate_input in = {
		.agent_uscc = json_string_value(json_object_get(body, "agent_uscc")),
		.scope = json_string_value(json_object_get(body, "scope")),
	};
	time_member(body, "valid_from", uow_now_us(&ctx->uow), &in.valid_from_us, &p);
	if (!json_object_get(body, "valid_to"))
		problems_add(&p, "/valid_to", "is required: when the mandate ends (RFC 3339)");
	time_member(body, "valid_to", 0, &in.valid_to_us, &p);
	struct mandate_row m;
	kerr e = problems_any(&p) ? KERR_INVALID
				  : mandates_create(&ctx->uow, &ctx->actor, &in, &m, &why);
	if (e == KERR_INVALID && !*why.detail)
		refusal_say(&why, "the mandate is not valid");
	if (e) {
		api_refused(ctx, e, &why, "the mandate could not be saved");
	} else {
		char location[64];
		snprintf(location, sizeof location, "/v1/mandates/%lld", (long long)m.id);
		api_json(ctx, 201, mandate_json(&m));
		http_response_header(ctx->resp, "Location", location);
	}
	json_decref(body);
}

static kerr append_mandate(void *arg, const struct mandate_row *m)
{
	json_t *v = mandate_json(m);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
}

void api_mandate_list(struct api_ctx *ctx)
{
	json_t *list = json_array();
	if (mandates_list(&ctx->uow, &ctx->actor, append_mandate, list)) {
		json_decref(list);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "mandates", list));
}

void api_mandate_revoke(struct api_ctx *ctx)
{
	int64_t id = 0;
	const char *text = http_param(ctx->req, "id");
	for (const char *c = text; *c && id >= 0; c++)
		id = *c >= '0' && *c <= '9' && id < 100000000000LL ? id * 10 + (*c - '0') : -1;
	struct mandate_row m;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = id > 0 ? mandates_revoke(&ctx->uow, &ctx->actor, id, &m, &why) : KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND && !*why.detail)
		refusal_say(&why, "your organisation gave no mandate with that id");
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 200, mandate_json(&m));
}
