/*
 * transport.c - the transport side over HTTP: conveyance reports and
 * their permissions, manifests and their versions, tally reports, calls, a
 * declaration's match with its manifest line, and the terminal gate. Each
 * handler reads the request, calls one service (src/service/conveyances.c,
 * manifests.c, calls.c, terminal.c) and renders (transport_views.c).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/transport_views.h"
#include "api/views.h"
#include "domain/declaration.h"

/* The id of the path; answers 404 (`what`) when it is not one. */
static bool id_param(struct api_ctx *ctx, const char *what, int64_t *id)
{
	if (transport_id_parse(http_param(ctx->req, "id"), id))
		return true;
	char detail[80];
	snprintf(detail, sizeof detail, "no %s has that id", what);
	api_problem(ctx, KERR_NOT_FOUND, detail, NULL);
	return false;
}

/* Answer a refusal; a 404 without a sentence says `what` is unknown. */
static void refused(struct api_ctx *ctx, kerr e, struct refusal *why, const char *what,
		    const char *failure)
{
	if (e == KERR_NOT_FOUND && !*why->detail)
		refusal_say(why, "no %s has that id", what);
	api_refused(ctx, e, why, failure);
}

static void answer(struct api_ctx *ctx, int status, json_t *view, const char *location)
{
	if (!view) {
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return;
	}
	api_json(ctx, status, view);
	if (location)
		http_response_header(ctx->resp, "Location", location);
}

/* A POST that creates a document under an Idempotency-Key: the key, the
 * body and the replay; NULL when the request is answered already. */
static json_t *idempotent_body(struct api_ctx *ctx, const char **key, char hash[DIGEST_HEX],
			       bool *replayed)
{
	*replayed = false;
	*key = api_idempotency_key(ctx);
	json_t *body = *key ? api_read_body(ctx) : NULL;
	if (!body)
		return NULL;
	char *text = json_canonical(body);
	if (!text) {
		json_decref(body);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return NULL;
	}
	/* the path is part of what the key answered */
	char *both = malloc(strlen(text) + strlen(ctx->req->path) + 2);
	if (both) {
		snprintf(both, strlen(text) + strlen(ctx->req->path) + 2, "%s %s", ctx->req->path,
			 text);
		digest_hex(both, hash);
	}
	free(text);
	free(both);
	if (!both) {
		json_decref(body);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return NULL;
	}
	if (api_idempotent_replay(ctx, *key, hash)) {
		*replayed = true;
		json_decref(body);
		return NULL;
	}
	return body;
}

/* Keep the answer of a created document under its key and send it. */
static void created(struct api_ctx *ctx, const char *key, const char *hash, json_t *view,
		    const char *location)
{
	char *text = view ? json_dumps(view, JSON_COMPACT) : NULL;
	json_decref(view);
	kerr e = text ? api_idempotent_record(ctx, key, hash, 201, text) : KERR_NOMEM;
	if (e) {
		free(text);
		api_problem(ctx, e == KERR_NOMEM ? KERR_NOMEM : KERR_STORE,
			    "the document could not be saved", NULL);
		return;
	}
	buf_reset(&ctx->resp->body);
	if (buf_puts(&ctx->resp->body, text)) {
		free(text);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return;
	}
	free(text);
	ctx->resp->status = 201;
	ctx->resp->content_type = "application/json";
	http_response_header(ctx->resp, "Location", location);
}

/* A list's paging: `after` (an id) and `limit` (1 to 500, 100). */
static bool paging(struct api_ctx *ctx, int64_t *after, int64_t *limit)
{
	return api_query_int(ctx, "limit", 1, 500, 100, limit) &&
	       api_query_int(ctx, "after", 0, INT64_MAX, 0, after);
}

/* Answer a page of `list` as {name: list, next}: next is the last id when
 * the page is full (pass it as `after`), else null. */
static void page(struct api_ctx *ctx, kerr e, json_t *list, int64_t limit, const char *name)
{
	if (e) {
		json_decref(list);
		api_problem(ctx, e == KERR_FORBIDDEN ? e : KERR_STORE, NULL, NULL);
		return;
	}
	size_t n = json_array_size(list);
	json_t *next = n == (size_t)limit
			       ? json_incref(json_object_get(json_array_get(list, n - 1), "id"))
			       : json_null();
	api_json(ctx, 200, json_pack("{s:o, s:o}", name, list, "next", next));
}

/* --- conveyance reports --- */

/* Lodge one document of a carrier (a report, a manifest) with a service
 * that gives its view and its location. */
typedef kerr (*lodge_fn)(struct api_ctx *ctx, json_t *body, struct refusal *why,
			 json_t **view, char location[64]);

static void lodge_document(struct api_ctx *ctx, const char *what, const char *failure,
			   lodge_fn lodge)
{
	const char *key;
	char hash[DIGEST_HEX];
	bool replayed;
	struct refusal why;
	refusal_init(&why, NULL);
	/* a carrier's request, before its body is read */
	kerr e = calls_carrier(&ctx->actor, &why);
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	json_t *body = idempotent_body(ctx, &key, hash, &replayed);
	if (!body)
		return;
	struct problems p;
	problems_init(&p);
	refusal_init(&why, &p);
	json_t *view = NULL;
	char location[64];
	e = lodge(ctx, body, &why, &view, location);
	if (e)
		refused(ctx, e, &why, what, failure);
	else
		created(ctx, key, hash, view, location);
	json_decref(body);
}

static kerr lodge_report(struct api_ctx *ctx, json_t *body, struct refusal *why, json_t **view,
			 char location[64])
{
	struct conveyance_state s;
	kerr e = conveyances_lodge(&ctx->uow, &ctx->actor, body, &s, why);
	if (!e) {
		snprintf(location, 64, "/v1/conveyance-reports/%lld", (long long)s.report.id);
		*view = conveyance_json(&s);
	}
	conveyance_state_free(&s);
	return e;
}

void api_conveyance_create(struct api_ctx *ctx)
{
	lodge_document(ctx, "conveyance report", "the report could not be saved", lodge_report);
}

void api_conveyance_list(struct api_ctx *ctx)
{
	int64_t limit, after;
	if (!paging(ctx, &after, &limit))
		return;
	const char *permission = http_query(ctx->req, "permission");
	if (permission && strcmp(permission, "pending") && strcmp(permission, "returned") &&
	    strcmp(permission, "granted") && strcmp(permission, "refused")) {
		api_field_problem(ctx, KERR_INVALID, "query:permission",
				  "must be one of pending, returned, granted, refused");
		return;
	}
	const char *agency = http_query(ctx->req, "agency");
	enum role officer;
	if (agency && (!role_parse(agency, &officer) || !role_agency(officer))) {
		api_field_problem(ctx, KERR_INVALID, "query:agency",
				  "must be one of customs, quarantine, border, maritime");
		return;
	}
	struct report_filter f = {.port = http_query(ctx->req, "port"),
				  .permission = permission,
				  .agency = agency,
				  .after = after,
				  .limit = (int)limit};
	json_t *list = json_array();
	kerr e = conveyances_list(&ctx->uow, &ctx->actor, &f, append_conveyance, list);
	page(ctx, e, list, limit, "reports");
}

void api_conveyance_get(struct api_ctx *ctx)
{
	int64_t id;
	struct conveyance_state s;
	struct refusal why;
	refusal_init(&why, NULL);
	if (!id_param(ctx, "conveyance report", &id))
		return;
	kerr e = conveyances_get(&ctx->uow, &ctx->actor, id, &s);
	if (e) {
		refused(ctx, e, &why, "conveyance report", NULL);
		return;
	}
	answer(ctx, 200, conveyance_json(&s), NULL);
	conveyance_state_free(&s);
}

void api_conveyance_amend(struct api_ctx *ctx)
{
	int64_t id;
	if (!id_param(ctx, "conveyance report", &id))
		return;
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct conveyance_state s;
	kerr e = conveyances_amend(&ctx->uow, &ctx->actor, id, body, &s, &why);
	if (e)
		refused(ctx, e, &why, "conveyance report", "the amendment could not be saved");
	else
		answer(ctx, 200, conveyance_json(&s), NULL);
	conveyance_state_free(&s);
	json_decref(body);
}

static void record(struct api_ctx *ctx, bool arrival)
{
	int64_t id;
	if (!id_param(ctx, "conveyance report", &id))
		return;
	json_t *body = NULL;
	int64_t at = KTIME_NONE;
	if (ctx->req->body_len > 0 || ctx->req->body_too_large) {
		static const char *const fields[] = {"at", NULL};
		if (!(body = api_read_body(ctx)) || !api_only_fields(ctx, body, fields, "at"))
			goto out;
		json_t *aj = json_object_get(body, "at");
		if (aj && (!json_is_string(aj) || !ktime_parse(json_string_value(aj), &at))) {
			api_field_problem(ctx, KERR_INVALID, "/at",
					  "must be an RFC 3339 time with offset, e.g. "
					  "2026-11-23T06:40:00Z");
			goto out;
		}
	}
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct conveyance_state s;
	kerr e = conveyances_record(&ctx->uow, &ctx->actor, id, arrival, at, &s, &why);
	if (e)
		refused(ctx, e, &why, "conveyance report", "the time could not be saved");
	else
		answer(ctx, 200, conveyance_json(&s), NULL);
	conveyance_state_free(&s);
out:
	json_decref(body);
}

void api_conveyance_arrival(struct api_ctx *ctx)
{
	record(ctx, true);
}

void api_conveyance_departure(struct api_ctx *ctx)
{
	record(ctx, false);
}

void api_conveyance_decide(struct api_ctx *ctx)
{
	const char *agency = http_param(ctx->req, "agency");
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = conveyances_may_decide(&ctx->actor, agency, &why);
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	int64_t id;
	if (!id_param(ctx, "conveyance report", &id))
		return;
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	enum decision d;
	const char *reason;
	struct conveyance_state s;
	memset(&s, 0, sizeof s);
	if (!api_decision(ctx, body, &d, &reason))
		goto out;
	e = conveyances_decide(&ctx->uow, &ctx->actor, id, agency, d, reason, &s, &why);
	if (e)
		refused(ctx, e, &why, "conveyance report", "the decision could not be saved");
	else
		answer(ctx, 200, conveyance_json(&s), NULL);
out:
	conveyance_state_free(&s);
	json_decref(body);
}

void api_conveyance_permission(struct api_ctx *ctx)
{
	int64_t id;
	if (!id_param(ctx, "conveyance report", &id))
		return;
	struct notice_row n;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = conveyances_permission(&ctx->uow, &ctx->actor, id, &n, &why);
	if (e) {
		refused(ctx, e, &why, "conveyance report", NULL);
		return;
	}
	char pk[64];
	sodium_bin2base64(pk, sizeof pk, ctx->app->svc.sign_pk, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	/* the shape of a release notice, so that the same tools check it */
	api_json(ctx, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "notice", n.notice,
				     "signature", n.signature, "key_id", n.key_id, "issued_at",
				     n.issued_at, "algorithm", "Ed25519", "public_key", pk));
	free(n.notice);
}

/* --- manifests --- */

static kerr lodge_manifest(struct api_ctx *ctx, json_t *body, struct refusal *why,
			   json_t **view, char location[64])
{
	struct manifest_state s;
	kerr e = manifests_lodge(&ctx->uow, &ctx->actor, body, &s, why);
	if (!e) {
		snprintf(location, 64, "/v1/manifests/%lld", (long long)s.row.id);
		*view = manifest_json(&s);
	}
	manifest_state_free(&s);
	return e;
}

void api_manifest_create(struct api_ctx *ctx)
{
	lodge_document(ctx, "manifest", "the manifest could not be saved", lodge_manifest);
}

void api_manifest_list(struct api_ctx *ctx)
{
	int64_t limit, after;
	if (!paging(ctx, &after, &limit))
		return;
	const char *kind = http_query(ctx->req, "kind");
	enum manifest_kind k;
	if (kind && !manifest_kind_parse(kind, &k)) {
		api_field_problem(ctx, KERR_INVALID, "query:kind",
				  "must be one of original, pre_loading, loading, departure");
		return;
	}
	struct manifest_filter f = {.call_key = http_query(ctx->req, "call"),
				    .kind = kind,
				    .after = after,
				    .limit = (int)limit};
	json_t *list = json_array();
	kerr e = manifests_list(&ctx->uow, &ctx->actor, &f, append_manifest, list);
	page(ctx, e, list, limit, "manifests");
}

static void manifest_at(struct api_ctx *ctx, int64_t version)
{
	int64_t id;
	if (!id_param(ctx, "manifest", &id))
		return;
	struct manifest_state s;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = manifests_get(&ctx->uow, &ctx->actor, id, version, &s);
	if (e == KERR_NOT_FOUND && version && s.row.id)
		refusal_say(&why, "manifest %lld has no version %lld", (long long)id,
			    (long long)version);
	if (e)
		refused(ctx, e, &why, "manifest", NULL);
	else
		answer(ctx, 200, manifest_json(&s), NULL);
	manifest_state_free(&s);
}

void api_manifest_get(struct api_ctx *ctx)
{
	manifest_at(ctx, 0);
}

void api_manifest_version(struct api_ctx *ctx)
{
	int64_t version;
	if (!transport_id_parse(http_param(ctx->req, "version"), &version)) {
		api_problem(ctx, KERR_NOT_FOUND, "no version has that number", NULL);
		return;
	}
	manifest_at(ctx, version);
}

void api_manifest_amend(struct api_ctx *ctx)
{
	int64_t id;
	if (!id_param(ctx, "manifest", &id))
		return;
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct manifest_state s;
	kerr e = manifests_amend(&ctx->uow, &ctx->actor, id, body, &s, &why);
	if (e)
		refused(ctx, e, &why, "manifest", "the amendment could not be saved");
	else
		answer(ctx, 200, manifest_json(&s), NULL);
	manifest_state_free(&s);
	json_decref(body);
}

/* --- tally reports --- */

void api_tally_create(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct tally_row t;
	kerr e = tally_lodge(&ctx->uow, &ctx->actor, body, &t, &why);
	if (e) {
		refused(ctx, e, &why, "tally report", "the tally report could not be saved");
	} else {
		char location[64];
		snprintf(location, sizeof location, "/v1/tally-reports/%lld", (long long)t.id);
		answer(ctx, 201, tally_json(&t), location);
	}
	tally_row_free(&t);
	json_decref(body);
}

void api_tally_get(struct api_ctx *ctx)
{
	int64_t id;
	if (!id_param(ctx, "tally report", &id))
		return;
	struct tally_row t;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = tally_get(&ctx->uow, &ctx->actor, id, &t);
	if (e) {
		refused(ctx, e, &why, "tally report", NULL);
		return;
	}
	answer(ctx, 200, tally_json(&t), NULL);
	tally_row_free(&t);
}

/* --- calls and matches --- */

static const char *call_query(struct api_ctx *ctx)
{
	const char *call = http_query(ctx->req, "call");
	if (call && *call)
		return call;
	api_field_problem(ctx, KERR_INVALID, "query:call",
			  "is required: the call key, mode|identity|voyage|port, e.g. "
			  "2|9321378|046E|CNNSA");
	return NULL;
}

void api_call_get(struct api_ctx *ctx)
{
	const char *call = call_query(ctx);
	if (!call)
		return;
	struct call_view c;
	kerr e = calls_get(&ctx->uow, &ctx->actor, call, &c);
	if (e) {
		struct refusal why;
		refusal_init(&why, NULL);
		refusal_say(&why, "no call with that key is known to you");
		api_refused(ctx, e, &why, NULL);
		return;
	}
	answer(ctx, 200, call_json(&c), NULL);
}

void api_call_events(struct api_ctx *ctx)
{
	const char *call = call_query(ctx);
	int64_t after, limit;
	if (!call || !api_query_int(ctx, "after", 0, INT64_MAX, 0, &after) ||
	    !api_query_int(ctx, "limit", 1, 1000, 100, &limit))
		return;
	json_t *events = json_array();
	struct view_list vl = {events, VIEW_FULL, after};
	kerr e = calls_events(&ctx->uow, &ctx->actor, call, after, (int)limit, append_event,
			      &vl);
	if (e) {
		json_decref(events);
		struct refusal why;
		refusal_init(&why, NULL);
		refusal_say(&why, "no call with that key is known to you");
		api_refused(ctx, e, &why, NULL);
		return;
	}
	char cursor[24];
	snprintf(cursor, sizeof cursor, "%lld", (long long)vl.last_id);
	api_json(ctx, 200, json_pack("{s:s, s:o, s:s}", "call", call, "events", events,
				     "cursor", cursor));
}

void api_declaration_match(struct api_ctx *ctx)
{
	struct consignment_row r;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = manifests_declaration_match(&ctx->uow, &ctx->actor,
					     http_param(ctx->req, "number"), &r, &why);
	if (e) {
		if (e == KERR_NOT_FOUND && !*why.detail)
			refusal_say(&why, "no declaration has that number");
		api_refused(ctx, e, &why, NULL);
		return;
	}
	answer(ctx, 200, match_json(&r), NULL);
	consignment_row_free(&r);
}

/* --- the gate --- */

static bool action_of(struct api_ctx *ctx, const char *text, const char *field,
		      enum yard_event *out)
{
	if (text && yard_event_parse(text, out))
		return true;
	api_field_problem(ctx, KERR_INVALID, field,
			  text ? "must be one of discharged, gated_in, loaded, gated_out"
			       : "is required: discharged, gated_in, loaded or gated_out");
	return false;
}

void api_gate_get(struct api_ctx *ctx)
{
	enum yard_event action = YARD_GATED_OUT;
	const char *a = http_query(ctx->req, "action");
	if (a && !action_of(ctx, a, "query:action", &action))
		return;
	struct gate_answer g;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = terminal_gate(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), action,
			       http_query(ctx->req, "call"), &g, &why);
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		answer(ctx, 200, gate_answer_json(&g), NULL);
}

void api_gate_event(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"event", "at", "call", NULL};
	enum yard_event action;
	int64_t at = KTIME_NONE;
	if (!api_only_fields(ctx, body, fields, "event, at, call") ||
	    !action_of(ctx, json_string_value(json_object_get(body, "event")), "/event",
		       &action))
		goto out;
	json_t *aj = json_object_get(body, "at"), *cj = json_object_get(body, "call");
	if (aj && (!json_is_string(aj) || !ktime_parse(json_string_value(aj), &at))) {
		api_field_problem(ctx, KERR_INVALID, "/at",
				  "must be an RFC 3339 time with offset, e.g. 2026-11-23T09:15:00Z");
		goto out;
	}
	if (cj && (!json_is_string(cj) || !*json_string_value(cj))) {
		api_field_problem(ctx, KERR_INVALID, "/call",
				  "must be a call key, mode|identity|voyage|port");
		goto out;
	}
	struct gate_answer g;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = terminal_record(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), action,
				 at, json_string_value(cj), &g, &why);
	if (e == KERR_CONFLICT && g.attempt_recorded) {
		/* refused, and the attempt is on the record: answered 409 from
		 * a unit that is committed all the same */
		json_t *v = gate_answer_json(&g);
		api_problem_ext(ctx, KERR_CONFLICT, why.detail, NULL, v);
		ctx->keep_refused = true;
	} else if (e) {
		api_refused(ctx, e, &why, "the event could not be saved");
	} else {
		answer(ctx, 201, gate_answer_json(&g), NULL);
	}
out:
	json_decref(body);
}
