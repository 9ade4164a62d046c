/*
 * router.c - the route table, request authentication and role checks, and
 * the helpers handlers use to read requests and write answers (see api.h).
 *
 * The route table is data: one line per endpoint with the roles allowed.
 * Public endpoints carry ROLES_PUBLIC; every other one needs a bearer token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "common/log.h"
#include "domain/credentials.h"

#define OFFICERS (ROLES_AGENCY | ROLE_BIT(ANALYST) | ROLE_BIT(ADMIN))
#define READERS ROLES_ANY

static const struct route routes[] = {
	{"GET", "/v1/healthz", api_healthz, ROLES_PUBLIC},
	{"GET", "/openapi.json", api_openapi, ROLES_PUBLIC},
	{"GET", "/v1/release-key", api_release_key, ROLES_PUBLIC},
	{"GET", "/v1/ui-settings", api_ui_settings, ROLES_PUBLIC},
	{"POST", "/v1/sessions", api_session_create, ROLES_PUBLIC},
	{"DELETE", "/v1/sessions/current", api_session_delete, ROLES_ANY},
	{"GET", "/v1/me", api_me, ROLES_ANY},
	{"GET", "/v1/reference", api_reference_index, READERS},
	{"GET", "/v1/reference/{list}", api_reference_list, READERS},
	{"GET", "/v1/reference/{list}/{code}", api_reference_get, READERS},
	{"PUT", "/v1/reference/{list}/{code}", api_reference_put, ROLE_BIT(ADMIN)},
	{"DELETE", "/v1/reference/{list}/{code}", api_reference_delete, ROLE_BIT(ADMIN)},
	{"POST", "/v1/declarations", api_declaration_create, ROLE_BIT(DECLARANT)},
	{"GET", "/v1/declarations", api_declaration_list, READERS},
	{"GET", "/v1/declarations/{number}", api_declaration_get, READERS},
	{"PUT", "/v1/declarations/{number}", api_declaration_correct, ROLE_BIT(DECLARANT)},
	{"POST", "/v1/declarations/{number}/withdrawal", api_declaration_withdraw,
	 ROLE_BIT(DECLARANT)},
	{"GET", "/v1/declarations/{number}/events", api_declaration_events, READERS},
	{"GET", "/v1/declarations/{number}/release-notice", api_declaration_notice,
	 READERS},
	{"GET", "/v1/declarations/{number}/versions/{version}", api_declaration_version,
	 READERS},
	{"POST", "/v1/declarations/{number}/tasks/{agency}/decision", api_task_decide,
	 ROLES_AGENCY},
	{"GET", "/v1/tasks", api_task_worklist, OFFICERS},
	{"GET", "/v1/events", api_events_feed, READERS},
	{"POST", "/v1/organisations", api_organisation_create, ROLE_BIT(ADMIN)},
	{"GET", "/v1/organisations", api_organisation_list, ROLE_BIT(ADMIN)},
	{"POST", "/v1/users", api_user_create, ROLE_BIT(ADMIN)},
	{"GET", "/v1/users", api_user_list, ROLE_BIT(ADMIN)},
	/* joint inspection and appointments (inspections.c) */
	{"GET", "/v1/inspections/{id}", api_inspection_get, READERS},
	{"GET", "/v1/declarations/{number}/inspection", api_declaration_inspection, READERS},
	{"POST", "/v1/inspections/{id}/findings/{agency}", api_inspection_finding,
	 ROLES_AGENCY},
	{"POST", "/v1/inspections/{id}/findings/{agency}/recognition",
	 api_inspection_recognition, ROLES_AGENCY},
	{"POST", "/v1/inspections/{id}/booking", api_inspection_book, ROLE_BIT(DECLARANT)},
	{"PUT", "/v1/inspections/{id}/booking", api_inspection_move, ROLE_BIT(DECLARANT)},
	{"DELETE", "/v1/inspections/{id}/booking", api_inspection_cancel, ROLE_BIT(DECLARANT)},
	{"POST", "/v1/inspection-sites", api_inspection_site_create, ROLE_BIT(ADMIN)},
	{"GET", "/v1/inspection-sites", api_inspection_site_list, READERS},
	{"GET", "/v1/inspection-sites/{code}", api_inspection_site_get, READERS},
	{"GET", "/v1/inspection-sites/{code}/schedule", api_inspection_site_schedule,
	 READERS},
	/* end of joint inspection */
	{"GET", "/v1/declarations/{number}/risk", api_declaration_risk, OFFICERS},
	{"GET", "/v1/risk/rules", api_risk_rules_list, OFFICERS},
	{"POST", "/v1/risk/rules", api_risk_rules_add, ROLES_AGENCY | ROLE_BIT(ADMIN)},
	{"POST", "/v1/risk/rules/preview", api_risk_rules_preview, OFFICERS},
	{"GET", "/v1/risk/rules/{version}", api_risk_rules_get, OFFICERS},
	{"GET", "/v1/risk/rules/{version}/effectiveness", api_risk_rules_effectiveness,
	 OFFICERS},
	{"GET", "/v1/risk/profiles", api_risk_profiles_list, OFFICERS},
	{"PUT", "/v1/risk/profiles/{office}/{agency}", api_risk_profile_put,
	 ROLES_AGENCY | ROLE_BIT(ADMIN)},
	{"PUT", "/v1/risk/credit-scaling", api_risk_scaling_put, ROLE_BIT(ADMIN)},
	{"GET", "/v1/organisations/{uscc}/credit", api_credit_get, OFFICERS},
	{"PUT", "/v1/organisations/{uscc}/credit", api_credit_put,
	 ROLE_BIT(CUSTOMS) | ROLE_BIT(ADMIN)},
};

#define NROUTES (sizeof routes / sizeof routes[0])

const struct route *api_routes(size_t *n)
{
	*n = NROUTES;
	return routes;
}

#define MAX_SEGMENTS 8

struct split_path {
	char text[1024];
	char *seg[MAX_SEGMENTS];
	size_t n;
	char names[HTTP_MAX_PARAMS][32];
};

/* Split "/a/b/c" into segments, in place. False when too long or deep. */
static bool split(const char *path, struct split_path *sp)
{
	if (path[0] != '/' || str_copy(sp->text, path + 1, sizeof sp->text) >= sizeof sp->text)
		return false;
	sp->n = 0;
	char *s = sp->text;
	for (;;) {
		if (sp->n == MAX_SEGMENTS)
			return false;
		sp->seg[sp->n++] = s;
		char *slash = strchr(s, '/');
		if (!slash)
			return true;
		*slash = '\0';
		s = slash + 1;
	}
}

/* Does the split path match the pattern? On yes, fill req->params. */
static bool match(const char *pattern, struct split_path *sp,
		  struct http_request *req)
{
	const char *p = pattern + 1;
	size_t np = 0;
	for (size_t i = 0; i < sp->n; i++) {
		size_t plen = strcspn(p, "/");
		const char *seg = sp->seg[i];
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (!*seg || np >= HTTP_MAX_PARAMS)
				return false;
			size_t nl = plen - 2 < 31 ? plen - 2 : 31;
			memcpy(sp->names[np], p + 1, nl);
			sp->names[np][nl] = '\0';
			req->params[np].name = sp->names[np];
			req->params[np].value = seg;
			np++;
		} else if (strlen(seg) != plen || strncmp(p, seg, plen) != 0) {
			return false;
		}
		p += plen;
		if (i + 1 < sp->n) {
			if (*p != '/')
				return false;
			p++;
		}
	}
	if (*p)
		return false;
	req->nparams = np;
	return true;
}

static bool authenticate(struct api_ctx *ctx)
{
	const char *auth = http_header(ctx->req, "Authorization");
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !auth[7]) {
		http_response_header(ctx->resp, "WWW-Authenticate", "Bearer realm=\"kouan\"");
		api_problem(ctx, KERR_UNAUTHENTICATED,
			    "send a bearer token: Authorization: Bearer <token> "
			    "(POST /v1/sessions gives one)",
			    NULL);
		return false;
	}
	const char *token = auth + 7;
	if (strlen(token) >= TOKEN_TEXT_MAX) {
		http_response_header(ctx->resp, "WWW-Authenticate",
				     "Bearer realm=\"kouan\", error=\"invalid_token\"");
		api_problem(ctx, KERR_UNAUTHENTICATED, "the token is not valid", NULL);
		return false;
	}
	token_hash(token, ctx->caller.token_hash);
	char now[KTIME_TEXT_MAX], expires[KTIME_TEXT_MAX];
	api_now(ctx, now);
	kerr e = repo_token_lookup(ctx->conn, ctx->caller.token_hash, now,
				   &ctx->caller.user, expires, sizeof expires);
	if (e == KERR_NOT_FOUND || (!e && !role_parse(ctx->caller.user.role,
						     &ctx->caller.role))) {
		http_response_header(ctx->resp, "WWW-Authenticate",
				     "Bearer realm=\"kouan\", error=\"invalid_token\"");
		api_problem(ctx, KERR_UNAUTHENTICATED,
			    "the token is not valid, has expired or was revoked", NULL);
		return false;
	}
	if (e) {
		api_problem(ctx, e, NULL, NULL);
		return false;
	}
	ctx->caller.authenticated = true;
	return true;
}

static void drop_events(struct api_ctx *ctx);

void api_dispatch(struct app *app, const struct http_request *req_in,
		  struct http_response *resp)
{
	if (web_owns(req_in->path)) { /* the browser interface (web.c) */
		web_serve(req_in, resp);
		return;
	}
	struct http_request req = *req_in;
	struct api_ctx ctx = {.app = app, .req = &req, .resp = resp};
	ctx.received_us = kclock_now(app->clock);

	struct split_path sp;
	if (!split(req.path, &sp)) {
		api_problem(&ctx, KERR_NOT_FOUND, "no such resource", NULL);
		return;
	}
	const struct route *found = NULL;
	struct buf allow;
	buf_init(&allow, 128);
	for (size_t i = 0; i < NROUTES && !found; i++) {
		req.nparams = 0;
		if (!match(routes[i].pattern, &sp, &req))
			continue;
		if (strcmp(routes[i].method, req.method) == 0)
			found = &routes[i];
		else if (buf_printf(&allow, "%s%s", allow.len ? ", " : "", routes[i].method))
			break;
	}
	if (!found) {
		if (allow.len) {
			http_response_header(resp, "Allow", allow.data);
			api_problem(&ctx, KERR_METHOD, "this resource does not accept that method", NULL);
		} else {
			api_problem(&ctx, KERR_NOT_FOUND, "no such resource", NULL);
		}
		buf_free(&allow);
		return;
	}
	buf_free(&allow);
	/* params point into sp, which lives until we return */
	if (store_thread_conn(app->store, &ctx.conn)) {
		api_problem(&ctx, KERR_BUSY, "the database is not available", NULL);
		return;
	}
	if (found->roles != ROLES_PUBLIC) {
		if (!authenticate(&ctx))
			return;
		if (!(found->roles & (1u << ctx.caller.role))) {
			char detail[160];
			snprintf(detail, sizeof detail,
				 "the %s role may not use %s %s", role_name(ctx.caller.role),
				 found->method, found->pattern);
			api_problem(&ctx, KERR_FORBIDDEN, detail, NULL);
			return;
		}
	}
	found->handler(&ctx);
	drop_events(&ctx);
	json_decref(ctx.last_view);
}

void api_problem(struct api_ctx *ctx, kerr e, const char *detail,
		 const struct problems *errors)
{
	problem_respond(ctx->resp, e, ctx->req->path, detail, errors);
}

void api_problem_ext(struct api_ctx *ctx, kerr e, const char *detail,
		     const struct problems *errors, json_t *extra)
{
	problem_respond_ext(ctx->resp, e, ctx->req->path, detail, errors, extra);
}

void api_field_problem(struct api_ctx *ctx, kerr e, const char *field,
		       const char *problem)
{
	struct problems p;
	problems_init(&p);
	problems_add(&p, field, "%s", problem);
	api_problem(ctx, e,
		    e == KERR_INVALID ? "the request has a field that is not valid" : problem,
		    &p);
}

void api_json(struct api_ctx *ctx, int status, json_t *body)
{
	char *s = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(body);
	buf_reset(&ctx->resp->body);
	if (!s || buf_puts(&ctx->resp->body, s)) {
		free(s);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return;
	}
	free(s);
	ctx->resp->status = status;
	ctx->resp->content_type = "application/json";
}

json_t *api_read_body(struct api_ctx *ctx)
{
	const struct http_request *r = ctx->req;
	if (r->body_too_large || r->body_len > ctx->app->limits.max_body) {
		char detail[96];
		snprintf(detail, sizeof detail,
			 "the body may be at most %zu bytes", ctx->app->limits.max_body);
		api_problem(ctx, KERR_TOO_LARGE, detail, NULL);
		return NULL;
	}
	const char *ct = http_header(r, "Content-Type");
	size_t n = ct ? strcspn(ct, "; \t") : 0;
	if (!ct || n != 16 || strncasecmp(ct, "application/json", 16) != 0) {
		api_problem(ctx, KERR_MEDIA_TYPE,
			    "send the body as Content-Type: application/json", NULL);
		return NULL;
	}
	json_error_t err;
	json_t *j = json_loadb(r->body ? r->body : "", r->body_len,
			       JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		char problem[256];
		snprintf(problem, sizeof problem,
			 "malformed JSON at line %d, column %d: %s", err.line,
			 err.column, err.text);
		api_field_problem(ctx, KERR_INVALID, "", problem);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_field_problem(ctx, KERR_INVALID, "", "the body must be a JSON object");
		return NULL;
	}
	return j;
}

bool api_only_fields(struct api_ctx *ctx, const json_t *body, const char *const *ok,
		     const char *accepted)
{
	struct problems p;
	problems_init(&p);
	if (problems_unknown_fields(&p, body, "", ok, accepted))
		return true;
	api_problem(ctx, KERR_INVALID, "the request has fields that are not valid", &p);
	return false;
}

bool api_query_int(struct api_ctx *ctx, const char *name, int64_t lo, int64_t hi,
		   int64_t dflt, int64_t *out)
{
	const char *v = http_query(ctx->req, name);
	*out = dflt;
	if (!v)
		return true;
	char *end;
	long long x = 0;
	bool ok = *v >= '0' && *v <= '9' && strlen(v) <= 18;
	if (ok) {
		x = strtoll(v, &end, 10);
		ok = *end == '\0' && x >= lo && x <= hi;
	}
	if (!ok) {
		char field[64], problem[96];
		snprintf(field, sizeof field, "query:%s", name);
		snprintf(problem, sizeof problem, "must be a whole number from %lld to %lld",
			 (long long)lo, (long long)hi);
		api_field_problem(ctx, KERR_INVALID, field, problem);
		return false;
	}
	*out = x;
	return true;
}

void api_now(struct api_ctx *ctx, char out[KTIME_TEXT_MAX])
{
	ktime_format(kclock_now(ctx->app->clock), out);
}

static void drop_events(struct api_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nevents; i++)
		free(ctx->events[i].data);
	ctx->nevents = 0;
}

bool api_begin(struct api_ctx *ctx, bool write)
{
	drop_events(ctx);
	if (store_begin(ctx->conn, write)) {
		api_problem(ctx, KERR_BUSY, "the database is busy; retry", NULL);
		return false;
	}
	return true;
}

kerr api_event(struct api_ctx *ctx, const struct event_in *e)
{
	if (ctx->nevents >= PENDING_EVENTS_MAX)
		return KERR_INTERNAL;
	struct pending_event *p = &ctx->events[ctx->nevents];
	str_copy(p->number, e->number, sizeof p->number);
	str_copy(p->type, e->type, sizeof p->type);
	str_copy(p->agency, e->agency ? e->agency : "", sizeof p->agency);
	str_copy(p->actor, e->actor, sizeof p->actor);
	str_copy(p->actor_role, e->actor_role, sizeof p->actor_role);
	str_copy(p->at, e->at, sizeof p->at);
	p->data = strdup(e->data ? e->data : "{}");
	if (!p->data)
		return KERR_NOMEM;
	p->in = (struct event_in){
		.number = p->number,
		.org_id = e->org_id,
		.type = p->type,
		.agency = e->agency ? p->agency : NULL,
		.actor = p->actor,
		.actor_role = p->actor_role,
		.at = p->at,
		.data = p->data,
	};
	ctx->nevents++;
	return KERR_OK;
}

bool api_commit(struct api_ctx *ctx)
{
	kerr e = KERR_OK;
	if (ctx->nevents)
		e = repo_feed_tick(ctx->conn);
	for (size_t i = 0; !e && i < ctx->nevents; i++)
		e = repo_event_append(ctx->conn, &ctx->events[i].in);
	if (!e && ctx->nevents)
		e = store_announce(ctx->conn, STORE_TOPIC_FEED);
	bool wrote_events = ctx->nevents > 0;
	drop_events(ctx);
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_STORE, "the change could not be saved", NULL);
		return false;
	}
	if (store_commit(ctx->conn)) {
		api_problem(ctx, KERR_STORE, "the change could not be saved", NULL);
		return false;
	}
	if (wrote_events)
		app_feed_notify(ctx->app);
	return true;
}
