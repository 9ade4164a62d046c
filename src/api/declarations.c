/*
 * declarations.c - the goods declaration resource: lodge (with
 * idempotency), read, list, correct, withdraw, the timeline, earlier
 * versions, the release notice and the risk explanation. Each handler reads
 * the request, calls one service (src/service/lodging.c or
 * declarations.c) and renders the result (views.c).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/views.h"
#include "service/declarations.h"
#include "service/idempotency.h"
#include "service/lodging.h"

/* Validate a body as a declaration against the unit's reference snapshot;
 * answers 400 with every problem when it is not valid. */
static bool validate(struct api_ctx *ctx, json_t *body, struct declaration_facts *f)
{
	struct problems p;
	problems_init(&p);
	if (declaration_validate(body, uow_refdata(&ctx->uow), &p, f))
		return true;
	api_problem(ctx, KERR_INVALID, "the declaration has fields that are not valid", &p);
	return false;
}

/* Answer a declaration just changed (status 200 or 201). */
static void answer(struct api_ctx *ctx, int status, struct declaration *d)
{
	json_t *view = declaration_json(d, view_level_of(&ctx->app->svc, &ctx->actor));
	if (!view)
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
	else
		api_json(ctx, status, view);
}

/* The answer to a declaration just lodged (*text, malloc'd), kept under
 * its key: the record keeps the number and version and what the answer
 * said that the declaration does not keep, and a replay rebuilds the same
 * bytes from them (declaration_answer_text). */
static kerr answer_lodged(struct api_ctx *ctx, const char *key, const char *hash,
			  struct declaration *d, char **text)
{
	enum view_level level = view_level_of(&ctx->app->svc, &ctx->actor);
	*text = NULL;
	if (level == VIEW_NOTICE) { /* no lodger reads at notice level; kept whole */
		json_t *view = declaration_json(d, level);
		*text = view ? json_dumps(view, JSON_COMPACT) : NULL;
		json_decref(view);
		return *text ? api_idempotent_record(ctx, key, hash, 201, *text) : KERR_NOMEM;
	}
	json_t *moment = declaration_moment(d, level);
	char *moment_text = moment ? json_dumps(moment, JSON_COMPACT) : NULL;
	*text = moment ? declaration_answer_text(d, moment) : NULL;
	json_decref(moment);
	kerr e = *text && moment_text
			 ? idempotency_record_declaration(&ctx->uow, &ctx->actor, key, hash, 201,
							  d->row.number, d->row.version,
							  moment_text)
			 : KERR_NOMEM;
	free(moment_text);
	return e;
}

void api_declaration_create(struct api_ctx *ctx)
{
	const char *key = api_idempotency_key(ctx);
	json_t *body = key ? api_read_body(ctx) : NULL;
	if (!body)
		return;
	api_lodge_one(ctx, key, body);
	json_decref(body);
}

void api_lodge_one(struct api_ctx *ctx, const char *key, json_t *body)
{
	struct declaration_facts f;
	struct declaration d;
	memset(&d, 0, sizeof d);
	char hash[DIGEST_HEX];
	char *answer_text = NULL;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	if (!validate(ctx, body, &f))
		return;
	digest_hex(f.canonical, hash);
	/* the number goes with the key's claim; a replay gives it back */
	struct lodging_number number;
	lodging_number_send(&ctx->uow, &f, &number);
	if (api_idempotent_replay(ctx, key, hash)) {
		if (lodging_number_give_back(&ctx->uow, &number))
			api_problem(ctx, KERR_STORE, "the declaration could not be saved", NULL);
		goto out;
	}
	kerr e = lodging_lodge(&ctx->uow, &ctx->actor, &f, ctx->received_us, &number, &d, &why);
	if (!e)
		e = answer_lodged(ctx, key, hash, &d, &answer_text);
	if (e) {
		api_refused(ctx, e, &why, "the declaration could not be saved");
		goto out;
	}
	buf_reset(&ctx->resp->body);
	if (buf_puts(&ctx->resp->body, answer_text)) {
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		goto out;
	}
	ctx->resp->status = 201;
	ctx->resp->content_type = "application/json";
	char location[64];
	snprintf(location, sizeof location, "/v1/declarations/%s", d.row.number);
	http_response_header(ctx->resp, "Location", location);
out:
	free(answer_text);
	declaration_facts_free(&f);
	declaration_free(&d);
}

void api_declaration_get(struct api_ctx *ctx)
{
	struct declaration d;
	kerr e = declarations_get(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), &d);
	if (e) {
		struct refusal why;
		refusal_init(&why, NULL);
		refusal_say(&why, "no declaration has that number");
		api_refused(ctx, e, &why, NULL);
		return;
	}
	answer(ctx, 200, &d);
	declaration_free(&d);
}

void api_declaration_list(struct api_ctx *ctx)
{
	int64_t limit;
	if (!api_query_int(ctx, "limit", 1, 500, 100, &limit))
		return;
	const char *status = http_query(ctx->req, "status");
	enum declaration_status ds;
	if (status && !declaration_status_parse(status, &ds)) {
		api_field_problem(ctx, KERR_INVALID, "query:status",
				  "must be one of accepted, returned, released, "
				  "rejected, withdrawn");
		return;
	}
	struct declaration_query q = {.status = status,
				      .after = http_query(ctx->req, "after"),
				      .limit = (int)limit};
	json_t *list = json_array();
	struct view_list vl = {list, view_level_of(&ctx->app->svc, &ctx->actor), 0};
	kerr e = declarations_list(&ctx->uow, &ctx->actor, &q, append_summary, &vl);
	if (e) {
		json_decref(list);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	size_t n = json_array_size(list);
	json_t *next = n == (size_t)limit
			       ? json_incref(json_object_get(json_array_get(list, n - 1), "number"))
			       : json_null();
	api_json(ctx, 200, json_pack("{s:o, s:o}", "declarations", list, "next", next));
}

/* A visible declaration's part that is missing answers 404 with its
 * sentence; a declaration not visible, "no declaration has that number". */
static void not_there(struct api_ctx *ctx, kerr e, struct refusal *why)
{
	if (e == KERR_NOT_FOUND && !*why->detail)
		refusal_say(why, "no declaration has that number");
	api_refused(ctx, e, why, NULL);
}

void api_declaration_events(struct api_ctx *ctx)
{
	enum declaration_status status;
	struct refusal why;
	refusal_init(&why, NULL);
	json_t *events = json_array();
	struct view_list vl = {events, view_level_of(&ctx->app->svc, &ctx->actor), 0};
	kerr e = declarations_events(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"),
				     &status, append_event, &vl);
	if (e) {
		json_decref(events);
		not_there(ctx, e, &why);
		return;
	}
	api_json(ctx, 200, json_pack("{s:s, s:s, s:o}", "number", http_param(ctx->req, "number"),
				     "status", declaration_status_name(status), "events", events));
}

void api_declaration_version(struct api_ctx *ctx)
{
	int64_t version = 0, current = 0;
	const char *p = http_param(ctx->req, "version");
	for (; *p >= '0' && *p <= '9' && version <= 1000000; p++)
		version = version * 10 + (*p - '0');
	if (*p) /* not all digits, or far too large */
		version = -1;
	struct refusal why;
	refusal_init(&why, NULL);
	char *body = NULL;
	kerr e = declarations_version(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"),
				      version, &body, &current, &why);
	json_t *decl = e ? NULL : json_loads(body, 0, NULL);
	free(body);
	if (e || !decl) {
		not_there(ctx, e ? e : KERR_INTERNAL, &why);
		return;
	}
	api_json(ctx, 200, json_pack("{s:s, s:I, s:I, s:o}", "number",
				     http_param(ctx->req, "number"), "version", (json_int_t)version,
				     "current_version", (json_int_t)current, "declaration", decl));
}

void api_declaration_notice(struct api_ctx *ctx)
{
	struct notice_row n;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = declarations_notice(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), &n,
				     &why);
	if (e) {
		not_there(ctx, e, &why);
		return;
	}
	char pk[64];
	sodium_bin2base64(pk, sizeof pk, ctx->app->svc.sign_pk, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	api_json(ctx, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "notice", n.notice,
				     "signature", n.signature, "key_id", n.key_id, "issued_at",
				     n.issued_at, "algorithm", "Ed25519", "public_key", pk));
	free(n.notice);
}

void api_declaration_risk(struct api_ctx *ctx)
{
	struct assessment_row a;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = declarations_assessment(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"),
					 &a, &why);
	if (e) {
		not_there(ctx, e, &why);
		return;
	}
	json_t *outcome = json_loads(a.outcome, 0, NULL);
	free(a.outcome);
	api_json(ctx, 200, json_pack("{s:I, s:I, s:s, s:o}", "declaration_version",
				     (json_int_t)a.declaration_version, "rules_version",
				     (json_int_t)a.rules_version, "assessed_at", a.assessed_at,
				     "outcome", outcome ? outcome : json_null()));
}

void api_declaration_withdraw(struct api_ctx *ctx)
{
	json_t *body = NULL;
	const char *reason = NULL;
	if (ctx->req->body_len > 0 || ctx->req->body_too_large) {
		static const char *const fields[] = {"reason", NULL};
		if (!(body = api_read_body(ctx)) ||
		    !api_only_fields(ctx, body, fields, "reason") ||
		    !api_reason(ctx, body, false, 500, &reason)) {
			json_decref(body);
			return;
		}
	}
	struct declaration d;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = lodging_withdraw(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), reason,
				  &d, &why);
	if (e)
		not_there(ctx, e, &why);
	else
		answer(ctx, 200, &d);
	declaration_free(&d);
	json_decref(body);
}

void api_declaration_correct(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct declaration_facts f;
	struct declaration d;
	memset(&d, 0, sizeof d);
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	if (validate(ctx, body, &f)) {
		kerr e = lodging_correct(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"),
					 &f, &d, &why);
		if (e)
			not_there(ctx, e, &why);
		else
			answer(ctx, 200, &d);
		declaration_facts_free(&f);
	}
	declaration_free(&d);
	json_decref(body);
}
