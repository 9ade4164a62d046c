/*
 * declarations.c - the goods declaration resource and its agency tasks:
 * lodge (with idempotency), read, list, correct, withdraw, decide, and the
 * single release when every agency has cleared. Each change is one
 * transaction that also writes its events.
 *
 * Access: a declarant sees only its own organisation's declarations; an
 * officer sees those with a task for their agency; a port operator sees
 * released ones; analysts and admins see all. Anything else answers 404, so
 * a number's existence is not revealed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "common/log.h"
#include "domain/declaration.h"
#include "domain/release.h"
#include "domain/workflow.h"
#include "store/repo_risk.h"

#define IDEMPOTENCY_KEY_MAX 128

/* A loaded declaration with its tasks. */
struct loaded {
	struct decl_row row;
	struct task_row tasks[TASKS_MAX];
	size_t ntasks;
	enum declaration_status status;
};

static void loaded_free(struct loaded *l)
{
	decl_row_free(&l->row);
}

static struct task_row *find_task(struct loaded *l, const char *agency)
{
	for (size_t i = 0; i < l->ntasks; i++)
		if (strcmp(l->tasks[i].agency, agency) == 0)
			return &l->tasks[i];
	return NULL;
}

static bool may_see(const struct api_ctx *ctx, struct loaded *l)
{
	const struct caller *c = &ctx->caller;
	switch (c->role) {
	case ROLE_DECLARANT:
		return l->row.org_id == c->user.org_id;
	case ROLE_PORT_OPERATOR:
		return l->status == DECL_RELEASED;
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		return true;
	default: {
		const char *agency = role_agency(c->role);
		return agency && find_task(l, agency) != NULL;
	}
	}
}

/* Load a declaration the caller may see, inside the current transaction
 * (locking its row first when the transaction will change it). Answers 404
 * (or 500) and returns false otherwise. */
static bool load_visible_for(struct api_ctx *ctx, const char *number, struct loaded *l,
			     bool for_update)
{
	memset(l, 0, sizeof *l);
	if (!declaration_number_valid(number)) {
		api_problem(ctx, KERR_NOT_FOUND, "no declaration has that number", NULL);
		return false;
	}
	kerr e = for_update ? repo_decl_lock(ctx->conn, number) : KERR_OK;
	if (!e)
		e = repo_decl_get(ctx->conn, number, &l->row);
	if (!e)
		e = repo_task_list(ctx->conn, number, l->tasks, &l->ntasks);
	if (!e && !declaration_status_parse(l->row.status, &l->status))
		e = KERR_INTERNAL;
	if (e == KERR_NOT_FOUND || (!e && !may_see(ctx, l))) {
		loaded_free(l);
		api_problem(ctx, KERR_NOT_FOUND, "no declaration has that number", NULL);
		return false;
	}
	if (e) {
		loaded_free(l);
		api_problem(ctx, e, NULL, NULL);
		return false;
	}
	return true;
}

static bool load_visible(struct api_ctx *ctx, const char *number, struct loaded *l)
{
	return load_visible_for(ctx, number, l, false);
}

static bool load_for_change(struct api_ctx *ctx, const char *number, struct loaded *l)
{
	return load_visible_for(ctx, number, l, true);
}

/* Read the declaration's status and tasks again (within the transaction),
 * after steps that changed them behind `l`'s back. */
static kerr reload(struct api_ctx *ctx, struct loaded *l)
{
	struct decl_row fresh;
	kerr e = repo_decl_get(ctx->conn, l->row.number, &fresh);
	if (e)
		return e;
	str_copy(l->row.status, fresh.status, sizeof l->row.status);
	str_copy(l->row.updated_at, fresh.updated_at, sizeof l->row.updated_at);
	str_copy(l->row.released_at, fresh.released_at, sizeof l->row.released_at);
	decl_row_free(&fresh);
	if (!declaration_status_parse(l->row.status, &l->status))
		return KERR_INTERNAL;
	return repo_task_list(ctx->conn, l->row.number, l->tasks, &l->ntasks);
}

static json_t *task_json(const struct task_row *t)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "agency", t->agency, "status",
			      t->status, "opened_at", t->opened_at);
	json_object_set_new(o, "decided_at", *t->decided_at ? json_string(t->decided_at) : json_null());
	json_object_set_new(o, "decided_by", *t->decided_by ? json_string(t->decided_by) : json_null());
	json_object_set_new(o, "decision", *t->decision ? json_string(t->decision) : json_null());
	json_object_set_new(o, "reason", *t->reason ? json_string(t->reason) : json_null());
	return o;
}

/* The representation of a declaration served by every endpoint. `parsed`
 * is the body already parsed, or NULL to parse the stored text. */
static json_t *declaration_view(const struct loaded *l, json_t *parsed)
{
	json_t *body = parsed ? json_incref(parsed) : json_loads(l->row.body, 0, NULL);
	if (!body)
		return NULL;
	const char *org_uscc = json_string_value(json_object_get(body, "declarant_uscc"));
	if (!org_uscc)
		org_uscc = "";
	json_t *tasks = json_array();
	for (size_t i = 0; i < l->ntasks; i++)
		json_array_append_new(tasks, task_json(&l->tasks[i]));
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "number",
			      l->row.number, "status", declaration_status_name(l->status),
			      "version", (json_int_t)l->row.version, "direction",
			      l->row.direction, "lodged_at", l->row.lodged_at,
			      "updated_at", l->row.updated_at, "organisation", org_uscc);
	json_object_set_new(o, "released_at", *l->row.released_at
						      ? json_string(l->row.released_at)
						      : json_null());
	json_object_set_new(o, "tasks", tasks);
	json_object_set_new(o, "totals", declaration_totals(body));
	json_object_set_new(o, "declaration", body);
	return o;
}

/* Steps kouan takes itself as a consequence of a person's action. */
static bool system_step(const char *type)
{
	static const char *const steps[] = {"declaration.accepted", "task.opened",
					    "task.reopened", "task.closed",
					    "declaration.released", "declaration.returned",
					    "declaration.rejected", NULL};
	for (size_t i = 0; steps[i]; i++)
		if (!strcmp(steps[i], type))
			return true;
	return false;
}

/* Append an event. Steps kouan takes itself are recorded with actor "kouan"
 * and role "system"; the person's own actions with their name and role. */
static kerr event(struct api_ctx *ctx, const struct loaded *l, const char *type,
		  const char *agency, const char *at, json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(data);
	bool sys = ctx->system_actor || system_step(type);
	struct event_in e = {
		.number = l->row.number,
		.org_id = l->row.org_id,
		.type = type,
		.agency = agency,
		.actor = sys ? "kouan" : ctx->caller.user.username,
		.actor_role = sys ? "system" : role_name(ctx->caller.role),
		.at = at,
		.data = text ? text : "{}",
	};
	kerr r = api_event(ctx, &e);
	free(text);
	return r;
}

static kerr set_task(struct api_ctx *ctx, struct loaded *l, struct task_row *t,
		     enum task_status st)
{
	str_copy(t->status, task_status_name(st), sizeof t->status);
	return repo_task_set(ctx->conn, l->row.number, t);
}

/* Close every task still waiting (the declaration ended without release). */
static kerr close_pending(struct api_ctx *ctx, struct loaded *l, const char *now,
			  const char *why)
{
	for (size_t i = 0; i < l->ntasks; i++) {
		enum task_status ts;
		if (!task_status_parse(l->tasks[i].status, &ts) || !task_pending(ts))
			continue;
		kerr e = set_task(ctx, l, &l->tasks[i], TASK_CLOSED);
		if (!e)
			e = event(ctx, l, "task.closed", l->tasks[i].agency, now,
				  json_pack("{s:s}", "reason", why));
		if (e)
			return e;
	}
	return KERR_OK;
}

/* Bring the declaration's status in line with its tasks; release once when
 * all are cleared. Writes the row and the events. */
static kerr settle(struct api_ctx *ctx, struct loaded *l, const char *now,
		   json_t *body)
{
	enum task_status ts[TASKS_MAX];
	for (size_t i = 0; i < l->ntasks; i++)
		if (!task_status_parse(l->tasks[i].status, &ts[i]))
			return KERR_INTERNAL;
	enum declaration_status next = workflow_status_from_tasks(ts, l->ntasks);
	kerr e = KERR_OK;
	if (next == l->status)
		return repo_decl_update(ctx->conn, l->row.number,
					declaration_status_name(next), l->row.version,
					NULL, now, NULL);
	if (next == DECL_RELEASED) {
		json_t *agencies = json_array();
		for (size_t i = 0; i < l->ntasks; i++)
			if (ts[i] == TASK_CLEARED)
				json_array_append_new(agencies, json_string(l->tasks[i].agency));
		char *notice = release_notice_text(l->row.number, now, body, agencies);
		json_decref(agencies);
		if (!notice)
			return KERR_NOMEM;
		char sig[SIGNATURE_B64_MAX];
		release_sign(notice, ctx->app->sign_sk, sig);
		e = repo_notice_put(ctx->conn, l->row.number, notice, sig,
				    ctx->app->key_id, now);
		free(notice);
		str_copy(l->row.released_at, now, sizeof l->row.released_at);
		if (!e)
			e = event(ctx, l, "declaration.released", NULL, now,
				  json_pack("{s:I, s:s}", "version",
					    (json_int_t)l->row.version, "key_id",
					    ctx->app->key_id));
	} else if (next == DECL_REJECTED) {
		e = close_pending(ctx, l, now, "the declaration was rejected");
		if (!e)
			e = event(ctx, l, "declaration.rejected", NULL, now, NULL);
		if (!e)
			e = inspection_declaration_ended(ctx, l->row.number, now,
							 "the declaration was rejected");
	} else if (next == DECL_RETURNED) {
		e = event(ctx, l, "declaration.returned", NULL, now, NULL);
	}
	if (e)
		return e;
	l->status = next;
	return repo_decl_update(ctx->conn, l->row.number, declaration_status_name(next),
				l->row.version, NULL, now,
				next == DECL_RELEASED ? now : NULL);
}

static bool idempotency_key(struct api_ctx *ctx, const char **key)
{
	*key = http_header(ctx->req, "Idempotency-Key");
	if (!*key) {
		api_field_problem(ctx, KERR_PRECONDITION, "header:Idempotency-Key",
				  "send an Idempotency-Key header (1 to 128 printable "
				  "characters, e.g. a UUID) so that a retry cannot lodge "
				  "the declaration twice");
		return false;
	}
	size_t n = strlen(*key);
	bool ok = n >= 1 && n <= IDEMPOTENCY_KEY_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = (*key)[i] > 0x20 && (*key)[i] < 0x7f;
	if (!ok)
		api_field_problem(ctx, KERR_INVALID, "header:Idempotency-Key",
				  "must be 1 to 128 printable ASCII characters without "
				  "spaces");
	return ok;
}

/* Validate a body as a declaration lodged by the caller, against the
 * reference snapshot the whole request uses. */
static bool validate(struct api_ctx *ctx, json_t *body, const struct refdata *ref,
		     struct declaration_facts *f)
{
	struct problems p;
	problems_init(&p);
	bool ok = declaration_validate(body, ref, &p, f);
	if (ok && strcmp(f->declarant_uscc, ctx->caller.user.org_uscc) != 0) {
		problems_add(&p, "/declarant_uscc",
			     "must be the USCC of your organisation (%s)",
			     ctx->caller.user.org_uscc);
		declaration_facts_free(f);
		ok = false;
	}
	if (!ok)
		api_problem(ctx, KERR_INVALID, "the declaration has fields that are not valid", &p);
	return ok;
}

static json_t *agencies_json(const struct declaration_facts *f, struct refdata *ref)
{
	json_t *a = json_array();
	for (size_t k = 0; k < ref->nagencies; k++)
		if (f->agencies & (1u << k))
			json_array_append_new(a, json_string(ref->agencies[k].code));
	return a;
}

void api_declaration_create(struct api_ctx *ctx)
{
	const char *key;
	if (!idempotency_key(ctx, &key))
		return;
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct declaration_facts f = {0};
	struct loaded l;
	memset(&l, 0, sizeof l);
	char *canonical = NULL, *response = NULL;
	struct refdata *ref = app_refdata(ctx->app);
	if (!validate(ctx, body, ref, &f))
		goto out;
	canonical = f.canonical; /* ours to free from here */
	f.canonical = NULL;
	char hash[DIGEST_HEX];
	digest_hex(canonical, hash);

	if (!api_begin(ctx, true))
		goto out;
	char received[KTIME_TEXT_MAX], now[KTIME_TEXT_MAX];
	ktime_format(ctx->received_us, received);
	int64_t now_us = kclock_now(ctx->app->clock);
	ktime_format(now_us, now);
	char prior_hash[65];
	int prior_status;
	/* Claim the key first: a concurrent request with the same key (on this
	 * or another server) waits here until we commit, then finds it used. */
	kerr e = repo_idem_claim(ctx->conn, ctx->caller.user.org_id, key, now);
	if (e == KERR_CONFLICT)
		e = repo_idem_get(ctx->conn, ctx->caller.user.org_id, key, prior_hash,
				  &prior_status, &response);
	else if (e == KERR_OK)
		e = KERR_NOT_FOUND; /* claimed: go on and lodge */
	if (e == KERR_OK) {
		/* End the turn through commit: if the original is still in an
		 * open group, this waits for its COMMIT and shares its result. */
		if (store_commit(ctx->conn)) {
			api_problem(ctx, KERR_BUSY, "the original request could not be "
						    "confirmed; retry with the same key", NULL);
			goto out;
		}
		if (strcmp(prior_hash, hash) != 0) {
			api_field_problem(ctx, KERR_CONFLICT, "header:Idempotency-Key",
					  "this key was already used with a different "
					  "body; use a new key for a new declaration");
			goto out;
		}
		buf_reset(&ctx->resp->body);
		if (buf_puts(&ctx->resp->body, response)) {
			api_problem(ctx, KERR_NOMEM, NULL, NULL);
			goto out;
		}
		ctx->resp->status = prior_status;
		ctx->resp->content_type = "application/json";
		http_response_header(ctx->resp, "Idempotent-Replayed", "true");
		json_t *prior = json_loads(response, 0, NULL);
		const char *number = json_string_value(json_object_get(prior, "number"));
		if (number) {
			char location[64];
			snprintf(location, sizeof location, "/v1/declarations/%s", number);
			http_response_header(ctx->resp, "Location", location);
		}
		json_decref(prior);
		goto out;
	}
	if (e != KERR_NOT_FOUND)
		goto fail;

	const char *direction = f.import ? "import" : "export";
	int64_t seq;
	e = repo_sequence_next(ctx->conn, f.declaration_office, ktime_year(now_us),
			       direction, &seq);
	if (e)
		goto fail;
	if (!declaration_number_format(f.declaration_office, ktime_year(now_us),
				       f.import, seq, l.row.number)) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT,
			    "the office has used every declaration number for this year",
			    NULL);
		goto out;
	}
	l.row.org_id = ctx->caller.user.org_id;
	l.row.lodged_by = ctx->caller.user.id;
	l.status = DECL_ACCEPTED;
	str_copy(l.row.status, "accepted", sizeof l.row.status);
	str_copy(l.row.direction, direction, sizeof l.row.direction);
	str_copy(l.row.declaration_office, f.declaration_office, sizeof l.row.declaration_office);
	str_copy(l.row.port_office, f.port_office, sizeof l.row.port_office);
	str_copy(l.row.bill_of_lading, f.bill_of_lading, sizeof l.row.bill_of_lading);
	str_copy(l.row.consignee_uscc, f.consignee_uscc, sizeof l.row.consignee_uscc);
	l.row.version = 1;
	l.row.body = canonical;
	canonical = NULL;
	str_copy(l.row.lodged_at, received, sizeof l.row.lodged_at);
	str_copy(l.row.updated_at, now, sizeof l.row.updated_at);
	e = repo_decl_insert(ctx->conn, &l.row);
	if (!e)
		e = event(ctx, &l, "declaration.lodged", NULL, received,
			  json_pack("{s:b}", "advance",
				    json_is_true(json_object_get(body, "advance"))));
	if (!e)
		e = event(ctx, &l, "declaration.accepted", NULL, now,
			  json_pack("{s:I, s:o}", "version", (json_int_t)1, "agencies",
				    agencies_json(&f, ref)));
	for (size_t k = 0; !e && k < ref->nagencies; k++) {
		if (!(f.agencies & (1u << k)))
			continue;
		struct task_row *t = &l.tasks[l.ntasks++];
		memset(t, 0, sizeof *t);
		str_copy(t->agency, ref->agencies[k].code, sizeof t->agency);
		str_copy(t->status, "open", sizeof t->status);
		str_copy(t->opened_at, now, sizeof t->opened_at);
		e = repo_task_insert(ctx->conn, l.row.number, t->agency, f.basis[k], now);
		if (!e)
			e = event(ctx, &l, "task.opened", t->agency, now, NULL);
	}
	/* assess at once: lanes may clear tasks, order the inspection, or
	 * release the declaration without an officer */
	bool applied = false;
	if (!e)
		e = risk_assess_and_apply(ctx, l.row.number, l.row.org_id, 1, body, &f, ref, now,
					  &applied);
	if (!e && applied)
		e = reload(ctx, &l);
	if (e)
		goto fail;
	json_t *view = declaration_view(&l, body);
	response = view ? json_dumps(view, JSON_COMPACT) : NULL;
	json_decref(view);
	if (!response) {
		e = KERR_NOMEM;
		goto fail;
	}
	e = repo_idem_finish(ctx->conn, ctx->caller.user.org_id, key, hash, 201, response);
	if (e)
		goto fail;
	if (!api_commit(ctx))
		goto out;
	buf_reset(&ctx->resp->body);
	if (buf_puts(&ctx->resp->body, response)) {
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		goto out;
	}
	ctx->resp->status = 201;
	ctx->resp->content_type = "application/json";
	char location[64];
	snprintf(location, sizeof location, "/v1/declarations/%s", l.row.number);
	http_response_header(ctx->resp, "Location", location);
	goto out;
fail:
	store_rollback(ctx->conn);
	api_problem(ctx, e == KERR_CONFLICT ? KERR_CONFLICT : KERR_STORE,
		    "the declaration could not be saved", NULL);
out:
	refdata_release(ref);
	free(canonical);
	free(response);
	loaded_free(&l);
	json_decref(body);
}

/* Something of a declaration the caller may see: fetch() runs in a read
 * transaction once the declaration is loaded, and returns the JSON to serve,
 * or NULL with *missing saying why there is nothing (404). */
typedef json_t *(*fetch_fn)(struct api_ctx *ctx, struct loaded *l, const char **missing);

static void serve_visible(struct api_ctx *ctx, fetch_fn fetch)
{
	struct loaded l;
	if (!api_begin(ctx, false))
		return;
	if (!load_visible(ctx, http_param(ctx->req, "number"), &l)) {
		store_rollback(ctx->conn);
		return;
	}
	const char *missing = NULL;
	json_t *out = fetch(ctx, &l, &missing);
	store_rollback(ctx->conn);
	loaded_free(&l);
	if (out)
		api_json(ctx, 200, out);
	else if (missing)
		api_problem(ctx, KERR_NOT_FOUND, missing, NULL);
	else
		api_problem(ctx, KERR_STORE, NULL, NULL);
}

static json_t *fetch_view(struct api_ctx *ctx, struct loaded *l, const char **missing)
{
	(void)ctx;
	(void)missing;
	return declaration_view(l, NULL);
}

void api_declaration_get(struct api_ctx *ctx)
{
	serve_visible(ctx, fetch_view);
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
	const char *after = http_query(ctx->req, "after");
	struct decl_filter f = {.status = status, .after = after, .limit = (int)limit};
	switch (ctx->caller.role) {
	case ROLE_DECLARANT:
		f.org_id = ctx->caller.user.org_id;
		break;
	case ROLE_PORT_OPERATOR:
		if (status && ds != DECL_RELEASED) {
			api_json(ctx, 200, json_pack("{s:[], s:n}", "declarations", "next"));
			return;
		}
		f.status = "released";
		break;
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		break;
	default:
		f.agency = role_agency(ctx->caller.role);
		break;
	}
	if (!api_begin(ctx, false))
		return;
	json_t *list = repo_decl_list(ctx->conn, &f);
	store_rollback(ctx->conn);
	if (!list) {
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	size_t n = json_array_size(list);
	json_t *next = n == (size_t)limit
			       ? json_incref(json_object_get(json_array_get(list, n - 1), "number"))
			       : json_null();
	api_json(ctx, 200, json_pack("{s:o, s:o}", "declarations", list, "next", next));
}

static json_t *fetch_events(struct api_ctx *ctx, struct loaded *l, const char **missing)
{
	(void)missing;
	json_t *events = repo_events_for(ctx->conn, l->row.number);
	return events ? json_pack("{s:s, s:s, s:o}", "number", l->row.number, "status",
				  declaration_status_name(l->status), "events", events)
		      : NULL;
}

void api_declaration_events(struct api_ctx *ctx)
{
	serve_visible(ctx, fetch_events);
}

static json_t *fetch_version(struct api_ctx *ctx, struct loaded *l, const char **missing)
{
	int64_t version = 0;
	const char *p = http_param(ctx->req, "version");
	for (; *p >= '0' && *p <= '9' && version <= 1000000; p++)
		version = version * 10 + (*p - '0');
	if (*p) /* not all digits, or far too large */
		version = -1;
	char *body = version >= 1 && version <= l->row.version
			     ? repo_decl_version_body(ctx->conn, l->row.number, version)
			     : NULL;
	json_t *decl = body ? json_loads(body, 0, NULL) : NULL;
	free(body);
	if (!decl) {
		*missing = "the declaration has no such version";
		return NULL;
	}
	return json_pack("{s:s, s:I, s:I, s:o}", "number", l->row.number, "version",
			 (json_int_t)version, "current_version", (json_int_t)l->row.version,
			 "declaration", decl);
}

void api_declaration_version(struct api_ctx *ctx)
{
	serve_visible(ctx, fetch_version);
}

static json_t *fetch_risk(struct api_ctx *ctx, struct loaded *l, const char **missing)
{
	json_t *a = repo_assessment_get(ctx->conn, l->row.number);
	if (!a)
		*missing = "this declaration has not been assessed";
	return a;
}

void api_declaration_risk(struct api_ctx *ctx)
{
	serve_visible(ctx, fetch_risk);
}

static json_t *fetch_notice(struct api_ctx *ctx, struct loaded *l, const char **missing)
{
	json_t *n = repo_notice_get(ctx->conn, l->row.number);
	if (!n) {
		*missing = "this declaration has no release notice: it is not released";
		return NULL;
	}
	char pk[64];
	sodium_bin2base64(pk, sizeof pk, ctx->app->sign_pk, 32, sodium_base64_VARIANT_ORIGINAL);
	json_object_set_new(n, "algorithm", json_string("Ed25519"));
	json_object_set_new(n, "public_key", json_string(pk));
	return n;
}

void api_declaration_notice(struct api_ctx *ctx)
{
	serve_visible(ctx, fetch_notice);
}

/* Read an optional {"reason": "..."} body for withdrawal. */
static bool read_reason(struct api_ctx *ctx, json_t *body, bool required,
			size_t max, const char **reason)
{
	*reason = NULL;
	json_t *r = body ? json_object_get(body, "reason") : NULL;
	if (!r || json_is_null(r)) {
		if (required) {
			api_field_problem(ctx, KERR_INVALID, "/reason",
					  "is required for this decision");
			return false;
		}
		return true;
	}
	if (!json_is_string(r) || !*json_string_value(r) ||
	    strlen(json_string_value(r)) > max) {
		char problem[96];
		snprintf(problem, sizeof problem,
			 "must be a non-empty string of at most %zu bytes", max);
		api_field_problem(ctx, KERR_INVALID, "/reason", problem);
		return false;
	}
	*reason = json_string_value(r);
	return true;
}

void api_declaration_withdraw(struct api_ctx *ctx)
{
	json_t *body = NULL;
	const char *reason = NULL;
	if (ctx->req->body_len > 0 || ctx->req->body_too_large) {
		static const char *const fields[] = {"reason", NULL};
		if (!(body = api_read_body(ctx)) ||
		    !api_only_fields(ctx, body, fields, "reason") ||
		    !read_reason(ctx, body, false, 500, &reason)) {
			json_decref(body);
			return;
		}
	}
	struct loaded l;
	const char *why;
	if (!api_begin(ctx, true)) {
		json_decref(body);
		return;
	}
	if (!load_for_change(ctx, http_param(ctx->req, "number"), &l)) {
		store_rollback(ctx->conn);
		json_decref(body);
		return;
	}
	if (!workflow_can_withdraw(l.status, &why)) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT, why, NULL);
		goto out;
	}
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	kerr e = close_pending(ctx, &l, now, "the declaration was withdrawn");
	if (!e)
		e = inspection_declaration_ended(ctx, l.row.number, now,
						 "the declaration was withdrawn");
	if (!e)
		e = event(ctx, &l, "declaration.withdrawn", NULL, now,
			  reason ? json_pack("{s:s}", "reason", reason) : NULL);
	l.status = DECL_WITHDRAWN;
	if (!e)
		e = repo_decl_update(ctx->conn, l.row.number, "withdrawn", l.row.version,
				     NULL, now, NULL);
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		goto out;
	}
	str_copy(l.row.updated_at, now, sizeof l.row.updated_at);
	if (!api_commit(ctx))
		goto out;
	api_json(ctx, 200, declaration_view(&l, NULL));
out:
	loaded_free(&l);
	json_decref(body);
}

void api_declaration_correct(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct declaration_facts f = {0};
	struct loaded l;
	memset(&l, 0, sizeof l);
	char *canonical = NULL;
	json_t *old = NULL;
	struct refdata *ref = app_refdata(ctx->app);
	if (!validate(ctx, body, ref, &f))
		goto out;
	if (!api_begin(ctx, true))
		goto out;
	if (!load_for_change(ctx, http_param(ctx->req, "number"), &l)) {
		store_rollback(ctx->conn);
		goto out;
	}
	const char *why;
	if (!workflow_can_correct(l.status, &why)) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_CONFLICT, why, NULL);
		goto out;
	}
	old = json_loads(l.row.body, 0, NULL);
	struct problems p;
	problems_init(&p);
	if (strcmp(f.declaration_office, l.row.declaration_office) != 0)
		problems_add(&p, "/declaration_office",
			     "cannot change on a correction (it is part of the number "
			     "%s); withdraw and lodge anew", l.row.number);
	if (strcmp(f.import ? "import" : "export", l.row.direction) != 0)
		problems_add(&p, "/direction",
			     "cannot change on a correction; withdraw and lodge anew");
	if (problems_any(&p)) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_INVALID, "the correction changes fields that are fixed", &p);
		goto out;
	}
	canonical = f.canonical;
	f.canonical = NULL;
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	kerr e = repo_decl_version_keep(ctx->conn, l.row.number, l.row.version,
					l.row.body, now);
	l.row.version++;
	if (!e)
		e = repo_decl_update(ctx->conn, l.row.number, l.row.status, l.row.version,
				     canonical, now, NULL);
	if (!e)
		e = event(ctx, &l, "declaration.corrected", NULL, now,
			  json_pack("{s:I}", "version", (json_int_t)l.row.version));
	/* Tasks: reopen what the correction affects, open new ones, close
	 * the ones no longer required. */
	for (size_t k = 0; !e && k < ref->nagencies; k++) {
		const char *agency = ref->agencies[k].code;
		struct task_row *t = find_task(&l, agency);
		bool needed = f.agencies & (1u << k);
		enum task_status ts = TASK_CLOSED;
		if (t && !task_status_parse(t->status, &ts))
			e = KERR_INTERNAL;
		if (e)
			break;
		if (needed && !t) {
			t = &l.tasks[l.ntasks++];
			memset(t, 0, sizeof *t);
			str_copy(t->agency, agency, sizeof t->agency);
			str_copy(t->status, "open", sizeof t->status);
			str_copy(t->opened_at, now, sizeof t->opened_at);
			str_copy(t->basis_digest, f.basis[k], sizeof t->basis_digest);
			e = repo_task_insert(ctx->conn, l.row.number, agency, f.basis[k], now);
			if (!e)
				e = event(ctx, &l, "task.opened", agency, now, NULL);
		} else if (needed) {
			bool changed = strcmp(t->basis_digest, f.basis[k]) != 0;
			bool reopen = ts == TASK_RETURNED || ts == TASK_CLOSED ||
				      (ts == TASK_CLEARED && changed);
			str_copy(t->basis_digest, f.basis[k], sizeof t->basis_digest);
			if (reopen) {
				str_copy(t->opened_at, now, sizeof t->opened_at);
				t->decided_at[0] = t->decided_by[0] = t->decision[0] =
					t->reason[0] = '\0';
				e = set_task(ctx, &l, t, TASK_OPEN);
				if (!e)
					e = event(ctx, &l, "task.reopened", agency, now,
						  json_pack("{s:I, s:s}", "version",
							    (json_int_t)l.row.version,
							    "because",
							    ts == TASK_RETURNED
								    ? "returned task corrected"
								    : "the correction changed what this agency acts on"));
			} else if (changed) {
				e = repo_task_set(ctx->conn, l.row.number, t);
			}
		} else if (t && ts != TASK_CLOSED) {
			e = set_task(ctx, &l, t, TASK_CLOSED);
			if (!e)
				e = event(ctx, &l, "task.closed", agency, now,
					  json_pack("{s:s}", "reason",
						    "no longer required after correction"));
		}
	}
	if (!e) {
		free(l.row.body);
		l.row.body = canonical;
		canonical = NULL;
		e = settle(ctx, &l, now, body);
	}
	/* the corrected version is assessed again; lanes apply to open tasks */
	bool applied = false;
	if (!e && l.status == DECL_ACCEPTED)
		e = risk_assess_and_apply(ctx, l.row.number, l.row.org_id, l.row.version, body,
					  &f, ref, now, &applied);
	if (!e && applied)
		e = reload(ctx, &l);
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, KERR_STORE, "the correction could not be saved", NULL);
		goto out;
	}
	str_copy(l.row.updated_at, now, sizeof l.row.updated_at);
	if (!api_commit(ctx))
		goto out;
	api_json(ctx, 200, declaration_view(&l, body));
out:
	declaration_facts_free(&f);
	refdata_release(ref);
	json_decref(old);
	free(canonical);
	loaded_free(&l);
	json_decref(body);
}

static const char *decision_event(enum decision d)
{
	switch (d) {
	case DECISION_CLEARED:
		return "task.cleared";
	case DECISION_INSPECT:
		return "task.inspection_ordered";
	case DECISION_RETURN:
		return "task.returned";
	default:
		return "task.rejected";
	}
}

kerr declaration_decide(struct api_ctx *ctx, const char *number, const char *agency,
			enum decision d, const char *reason, json_t *extra,
			const char **why)
{
	struct loaded l;
	*why = NULL;
	if (!load_for_change(ctx, number, &l)) {
		*why = "no declaration has that number";
		json_decref(extra);
		return KERR_NOT_FOUND;
	}
	struct task_row *t = find_task(&l, agency);
	enum task_status ts, next;
	kerr e = KERR_OK;
	if (!t || !task_status_parse(t->status, &ts)) {
		*why = "this declaration has no task for that agency";
		e = KERR_NOT_FOUND;
		goto out;
	}
	if (!workflow_decide(l.status, ts, d, &next, why)) {
		e = KERR_CONFLICT;
		goto out;
	}
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	str_copy(t->decided_at, now, sizeof t->decided_at);
	str_copy(t->decided_by, ctx->system_actor ? "kouan" : ctx->caller.user.username,
		 sizeof t->decided_by);
	str_copy(t->decision, decision_name(d), sizeof t->decision);
	str_copy(t->reason, reason ? reason : "", sizeof t->reason);
	e = set_task(ctx, &l, t, next);
	if (!e) {
		json_t *data = extra ? json_incref(extra) : json_object();
		json_object_set_new(data, "version", json_integer((json_int_t)l.row.version));
		if (reason)
			json_object_set_new(data, "reason", json_string(reason));
		e = event(ctx, &l, decision_event(d), agency, now, data);
	}
	if (!e && d == DECISION_INSPECT) {
		e = inspection_require(ctx, l.row.number, l.row.org_id, agency, now);
		if (e == KERR_CONFLICT)
			*why = "this agency has already written its finding in the open "
			       "inspection; a new inspection needs that one to complete";
	}
	json_t *decl = e ? NULL : json_loads(l.row.body, 0, NULL);
	if (!e)
		e = decl ? settle(ctx, &l, now, decl) : KERR_INTERNAL;
	json_decref(decl);
	/* an officer deciding an inspecting task directly: the inspection
	 * records it as the agency's finding (or lets the agency leave) */
	if (!e && d != DECISION_INSPECT)
		e = inspection_task_decided(ctx, l.row.number, agency, d, reason, now);
	if (!e) {
		str_copy(l.row.updated_at, now, sizeof l.row.updated_at);
		ctx->last_view = declaration_view(&l, NULL);
	}
out:
	json_decref(extra);
	loaded_free(&l);
	return e;
}

void api_task_decide(struct api_ctx *ctx)
{
	const char *agency = http_param(ctx->req, "agency");
	const char *mine = role_agency(ctx->caller.role);
	if (!mine || strcmp(agency, mine) != 0) {
		char detail[128];
		snprintf(detail, sizeof detail,
			 "a %s officer may decide only %s tasks",
			 role_name(ctx->caller.role), mine ? mine : "no");
		api_problem(ctx, KERR_FORBIDDEN, detail, NULL);
		return;
	}
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"decision", "reason", NULL};
	enum decision d;
	const char *reason, *why;
	if (!api_only_fields(ctx, body, fields, "decision, reason"))
		goto out;
	json_t *dj = json_object_get(body, "decision");
	if (!dj) {
		api_field_problem(ctx, KERR_INVALID, "/decision",
				  "is required: cleared, inspect, return or reject");
		goto out;
	}
	if (!json_is_string(dj) || !decision_parse(json_string_value(dj), &d)) {
		api_field_problem(ctx, KERR_INVALID, "/decision",
				  "must be one of cleared, inspect, return, reject");
		goto out;
	}
	if (!read_reason(ctx, body, d != DECISION_CLEARED, 500, &reason))
		goto out;
	if (!api_begin(ctx, true))
		goto out;
	kerr e = declaration_decide(ctx, http_param(ctx->req, "number"), agency, d, reason,
				    NULL, &why);
	if (e) {
		store_rollback(ctx->conn);
		if (e == KERR_NOT_FOUND || e == KERR_CONFLICT)
			api_problem(ctx, e, why, NULL);
		else
			api_problem(ctx, KERR_STORE, "the decision could not be saved", NULL);
		goto out;
	}
	if (api_commit(ctx)) {
		api_json(ctx, 200, ctx->last_view);
		ctx->last_view = NULL;
	}
out:
	json_decref(body);
}
