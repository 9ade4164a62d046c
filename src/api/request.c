/*
 * request.c - the helpers handlers use to read a request and answer it,
 * and the Idempotency-Key replay (see handlers.h).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"
#include "api/views.h"
#include "service/idempotency.h"

#define IDEMPOTENCY_KEY_MAX 128

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

void api_field_problem(struct api_ctx *ctx, kerr e, const char *field, const char *problem)
{
	struct problems p;
	problems_init(&p);
	problems_add(&p, field, "%s", problem);
	api_problem(ctx, e,
		    e == KERR_INVALID ? "the request has a field that is not valid" : problem,
		    &p);
}

void api_refused(struct api_ctx *ctx, kerr e, const struct refusal *why,
		 const char *failure)
{
	switch (e) {
	case KERR_INVALID:
	case KERR_UNAUTHENTICATED:
	case KERR_FORBIDDEN:
	case KERR_NOT_FOUND:
	case KERR_CONFLICT:
	case KERR_PRECONDITION:
		api_problem(ctx, e, *why->detail ? why->detail : NULL,
			    why->fields && problems_any(why->fields) ? why->fields : NULL);
		return;
	case KERR_BUSY:
		api_problem(ctx, e, "the database is busy; retry", NULL);
		return;
	default:
		api_problem(ctx, KERR_STORE, failure, NULL);
		return;
	}
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

void api_no_content(struct api_ctx *ctx)
{
	buf_reset(&ctx->resp->body);
	ctx->resp->status = 204;
}

/* What is wrong with a body the parser refused, in kouan's words where
 * the parser's own would puzzle a client ("... without JSON_ALLOW_NUL"). */
static void json_error_words(const json_error_t *err, char *out, size_t n)
{
	const char *what;
	switch (json_error_code(err)) {
	case json_error_invalid_utf8:
		what = "the body is not UTF-8 text; send it encoded as UTF-8";
		break;
	case json_error_null_character:
	case json_error_null_byte_in_key:
		what = "a string holds the character NUL (\\u0000), which is not accepted";
		break;
	case json_error_duplicate_key:
		what = "an object has the same member twice; send each member once";
		break;
	case json_error_numeric_overflow:
		what = "a number is too large to read exactly; amounts and quantities are sent "
		       "as strings, such as \"47064.81\"";
		break;
	case json_error_stack_overflow:
		what = "the JSON is nested too deeply";
		break;
	default:
		what = err->text;
		break;
	}
	snprintf(out, n, "malformed JSON at line %d, column %d: %s", err->line, err->column, what);
}

json_t *api_read_body(struct api_ctx *ctx)
{
	const struct http_request *r = ctx->req;
	if (r->body_too_large || r->body_len > ctx->app->limits.max_body) {
		char detail[96];
		snprintf(detail, sizeof detail, "the body may be at most %zu bytes",
			 ctx->app->limits.max_body);
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
	/* JSON is UTF-8 (RFC 8259): a charset, if named, must be it */
	const char *cs = strcasestr(ct + n, "charset=");
	if (cs) {
		cs += 8;
		if (*cs == '"')
			cs++;
		if (strncasecmp(cs, "utf-8", 5) != 0 || (cs[5] && !strchr("\"; \t", cs[5]))) {
			api_problem(ctx, KERR_MEDIA_TYPE,
				    "JSON is sent as UTF-8: Content-Type: application/json, with no "
				    "charset or charset=utf-8",
				    NULL);
			return NULL;
		}
	}
	json_error_t err;
	json_t *j = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES,
			       &err);
	if (!j) {
		char problem[320];
		json_error_words(&err, problem, sizeof problem);
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
	bool ok = *v >= '0' && *v <= '9' && strlen(v) <= 19; /* INT64_MAX has 19 */
	if (ok) {
		errno = 0;
		x = strtoll(v, &end, 10);
		ok = *end == '\0' && errno == 0 && x >= lo && x <= hi;
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

bool api_reason(struct api_ctx *ctx, const json_t *body, bool required, size_t max,
		const char **reason)
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

const char *api_idempotency_key(struct api_ctx *ctx)
{
	const char *key = http_header(ctx->req, "Idempotency-Key");
	if (!key) {
		api_field_problem(ctx, KERR_PRECONDITION, "header:Idempotency-Key",
				  "send an Idempotency-Key header (1 to 128 printable "
				  "characters, e.g. a UUID) so that a retry cannot make "
				  "the same change twice");
		return NULL;
	}
	size_t n = strlen(key);
	bool ok = n >= 1 && n <= IDEMPOTENCY_KEY_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = key[i] > 0x20 && key[i] < 0x7f;
	if (!ok) {
		api_field_problem(ctx, KERR_INVALID, "header:Idempotency-Key",
				  "must be 1 to 128 printable ASCII characters without "
				  "spaces");
		return NULL;
	}
	return key;
}

/* Send a stored answer again: kept whole, or rebuilt from the declaration
 * it showed and what it said that the declaration does not keep. */
static void replay(struct api_ctx *ctx, const struct idempotent_answer *prior)
{
	char *rebuilt = NULL;
	if (*prior->number) {
		struct declaration d;
		kerr e = idempotency_declaration(&ctx->uow, &ctx->actor, prior, &d);
		json_t *moment = e ? NULL : json_loads(prior->text, 0, NULL);
		rebuilt = moment ? declaration_answer_text(&d, moment) : NULL;
		json_decref(moment);
		if (!e)
			declaration_free(&d);
		if (!rebuilt) {
			api_problem(ctx, e == KERR_BUSY ? KERR_BUSY : KERR_STORE,
				    "the original answer could not be read again", NULL);
			return;
		}
	}
	const char *answer = rebuilt ? rebuilt : prior->text;
	buf_reset(&ctx->resp->body);
	if (buf_puts(&ctx->resp->body, answer)) {
		free(rebuilt);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return;
	}
	ctx->resp->status = prior->status;
	ctx->resp->content_type = "application/json";
	http_response_header(ctx->resp, "Idempotent-Replayed", "true");
	const char *number = *prior->number ? prior->number : NULL;
	json_t *whole = number ? NULL : json_loads(answer, 0, NULL);
	if (!number)
		number = json_string_value(json_object_get(whole, "number"));
	if (number) {
		char location[64];
		snprintf(location, sizeof location, "/v1/declarations/%s", number);
		http_response_header(ctx->resp, "Location", location);
	}
	json_decref(whole);
	free(rebuilt);
}

bool api_idempotent_replay(struct api_ctx *ctx, const char *key, const char *hash)
{
	bool claimed;
	struct idempotent_answer prior;
	kerr e = idempotency_claim(&ctx->uow, &ctx->actor, key, &claimed, &prior);
	if (!e && claimed)
		return false; /* go on */
	if (e) {
		api_problem(ctx, e == KERR_BUSY ? KERR_BUSY : KERR_STORE,
			    "the request could not be saved", NULL);
	} else if (strcmp(prior.hash, hash) != 0) {
		api_field_problem(ctx, KERR_CONFLICT, "header:Idempotency-Key",
				  "this key was already used with a different body; use a new "
				  "key for a new request");
	} else {
		/* the turn ends through commit: if the original is still in an
		 * open group, the answer waits for its COMMIT and shares its
		 * result */
		ctx->commit_failure = "the original request could not be confirmed; retry "
				      "with the same key";
		replay(ctx, &prior);
	}
	free(prior.text);
	return true;
}

kerr api_idempotent_record(struct api_ctx *ctx, const char *key, const char *hash,
			   int status, const char *answer)
{
	return idempotency_record(&ctx->uow, &ctx->actor, key, hash, status, answer);
}

bool api_decision(struct api_ctx *ctx, const json_t *body, enum decision *d,
		  const char **reason)
{
	static const char *const fields[] = {"decision", "reason", NULL};
	if (!api_only_fields(ctx, body, fields, "decision, reason"))
		return false;
	json_t *dj = json_object_get(body, "decision");
	if (!dj) {
		api_field_problem(ctx, KERR_INVALID, "/decision",
				  "is required: cleared, inspect, return or reject");
		return false;
	}
	if (!json_is_string(dj) || !decision_parse(json_string_value(dj), d)) {
		api_field_problem(ctx, KERR_INVALID, "/decision",
				  "must be one of cleared, inspect, return, reject");
		return false;
	}
	return api_reason(ctx, body, true, 500, reason);
}

bool api_read_bank_answer(struct api_ctx *ctx, struct payment_answer *out)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return false;
	struct problems p;
	problems_init(&p);
	bool ok = payment_answer_parse(body, out, &p);
	if (!ok)
		api_problem(ctx, KERR_INVALID, "the answer has fields that are not valid", &p);
	json_decref(body);
	return ok;
}

bool api_payment_orders_query(struct api_ctx *ctx, const char **status, int64_t *limit)
{
	enum payment_status st;
	*status = http_query(ctx->req, "status");
	if (!api_query_int(ctx, "limit", 1, 500, 100, limit))
		return false;
	if (*status && !payment_status_parse(*status, &st)) {
		api_field_problem(ctx, KERR_INVALID, "query:status",
				  "must be one of reported, paid, refused");
		return false;
	}
	return true;
}
