/*
 * audit.c - the audit log for the auditor: GET /v1/audit (filtered by
 * actor, action, target and time, paged by id) and GET /v1/audit/head (the
 * signed head of the chain, to keep outside the database). Each record
 * carries its hashes and signature, so that a copy can be checked away
 * from kouan with the public key of GET /v1/release-key.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "service/audit.h"

struct page {
	json_t *records;
	int64_t last;
};

static kerr add(void *arg, const struct audit_row *r)
{
	struct page *p = arg;
	json_t *data = json_loads(r->data, 0, NULL);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s}",
			      "id", (json_int_t)r->id, "at", r->at, "actor", r->actor,
			      "actor_role", r->actor_role, "source", r->source, "action",
			      r->action, "target", r->target, "data",
			      data ? data : json_string(r->data), "prev_hash", r->prev_hash,
			      "hash", r->hash, "signature", r->signature, "key_id", r->key_id);
	p->last = r->id;
	return o && !json_array_append_new(p->records, o) ? KERR_OK : KERR_NOMEM;
}

/* An optional time in the query, normalised to the stored form; false
 * after answering 400. */
static bool query_time(struct api_ctx *ctx, const char *name, char out[TIME_TEXT_SIZE],
		       const char **value)
{
	const char *v = http_query(ctx->req, name);
	int64_t us;
	*value = NULL;
	if (!v)
		return true;
	if (!ktime_parse(v, &us)) {
		char field[32];
		snprintf(field, sizeof field, "query:%s", name);
		api_field_problem(ctx, KERR_INVALID, field,
				  "must be an RFC 3339 time, e.g. 2026-11-23T08:00:00Z");
		return false;
	}
	ktime_format(us, out);
	*value = out;
	return true;
}

/* An optional text filter of at most max bytes; false after answering. */
static bool query_text(struct api_ctx *ctx, const char *name, size_t max, const char **out)
{
	const char *v = http_query(ctx->req, name);
	*out = NULL;
	if (!v)
		return true;
	if (!*v || strlen(v) > max) {
		char field[32], problem[64];
		snprintf(field, sizeof field, "query:%s", name);
		snprintf(problem, sizeof problem, "must be 1 to %zu characters", max);
		api_field_problem(ctx, KERR_INVALID, field, problem);
		return false;
	}
	*out = v;
	return true;
}

void api_audit_list(struct api_ctx *ctx)
{
	struct audit_filter f = {0};
	char from[TIME_TEXT_SIZE], to[TIME_TEXT_SIZE], prefix[96];
	int64_t after, limit;
	const char *action;
	if (!api_query_int(ctx, "after", 0, 999999999999999999LL, 0, &after) ||
	    !api_query_int(ctx, "limit", 1, AUDIT_PAGE_MAX, 100, &limit) ||
	    !query_text(ctx, "actor", 80, &f.actor) || !query_text(ctx, "action", 80, &action) ||
	    !query_text(ctx, "target", 200, &f.target) ||
	    !query_time(ctx, "from", from, &f.from) || !query_time(ctx, "to", to, &f.to))
		return;
	size_t n = action ? strlen(action) : 0;
	if (n > 2 && !strcmp(action + n - 2, ".*")) { /* "session.*": every session action */
		str_copy(prefix, action, sizeof prefix);
		prefix[n - 1] = '\0';
		f.action_prefix = prefix;
	} else {
		f.action = action;
	}
	f.after = after;
	f.limit = (int)limit;
	struct page page = {json_array(), after};
	kerr e = audit_list(&ctx->uow, &f, add, &page);
	if (e) {
		json_decref(page.records);
		api_problem(ctx, e == KERR_BUSY ? e : KERR_STORE, NULL, NULL);
		return;
	}
	char cursor[24];
	snprintf(cursor, sizeof cursor, "%lld", (long long)page.last);
	api_json(ctx, 200, json_pack("{s:o, s:s}", "records", page.records, "cursor", cursor));
}

void api_audit_head(struct api_ctx *ctx)
{
	struct audit_head_row h;
	kerr e = audit_head(&ctx->uow, &h);
	if (e) {
		api_problem(ctx, e == KERR_BUSY ? e : KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:I, s:s, s:s, s:s}", "last_id", (json_int_t)h.last_id,
				     "hash", h.hash, "signature", h.signature, "key_id",
				     h.key_id));
}
