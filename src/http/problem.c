/*
 * problem.c - RFC 9457 problem+json responses, and the one place where an
 * error code becomes an HTTP status, a problem type and a title (see
 * problem.h).
 */
#include "http/problem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

/* X(name, status, problem type slug) for each kerr, in enum order. */
#define KERR_HTTP_MAP(X)                                                       \
	X(OK, 200, "ok")                                                       \
	X(INVALID, 400, "invalid-request")                                     \
	X(UNAUTHENTICATED, 401, "unauthenticated")                             \
	X(FORBIDDEN, 403, "forbidden")                                         \
	X(NOT_FOUND, 404, "not-found")                                         \
	X(METHOD, 405, "method-not-allowed")                                   \
	X(CONFLICT, 409, "conflict")                                           \
	X(TOO_LARGE, 413, "too-large")                                         \
	X(MEDIA_TYPE, 415, "unsupported-media-type")                           \
	X(PRECONDITION, 428, "precondition-required")                          \
	X(NOMEM, 500, "internal")                                              \
	X(STORE, 500, "internal")                                              \
	X(INTERNAL, 500, "internal")                                           \
	X(BUSY, 503, "busy")                                                   \
	X(THROTTLED, 429, "too-many-requests")

static const struct {
	kerr code;
	int status;
	const char *slug;
} http_map[] = {
#define KERR_HTTP_ROW(name, status, slug) {KERR_##name, status, slug},
	KERR_HTTP_MAP(KERR_HTTP_ROW)
#undef KERR_HTTP_ROW
};

_Static_assert(sizeof http_map / sizeof http_map[0] == KERR_COUNT_,
	       "every kerr has an HTTP status");

int kerr_http_status(kerr e)
{
	return (size_t)e < KERR_COUNT_ && http_map[e].code == e ? http_map[e].status : 500;
}

const char *kerr_slug(kerr e)
{
	return (size_t)e < KERR_COUNT_ && http_map[e].code == e ? http_map[e].slug : "internal";
}

void problem_respond(struct http_response *resp, kerr e, const char *instance,
		     const char *detail, const struct problems *errors)
{
	problem_respond_ext(resp, e, instance, detail, errors, NULL);
}

/* Statuses only the HTTP edge answers: no kerr stands for them. */
static const struct {
	int status;
	const char *slug;
	const char *title;
} edge_map[] = {
	{408, "request-timeout", "Request timeout"},
	{414, "uri-too-long", "Request target too long"},
	{431, "header-too-large", "Request header fields too large"},
	{501, "not-implemented", "Not implemented"},
	{505, "http-version-not-supported", "HTTP version not supported"},
};

static void respond(struct http_response *resp, int status, const char *slug,
		    const char *title, const char *instance, const char *detail,
		    const struct problems *errors, json_t *extra)
{
	char type[96];
	snprintf(type, sizeof type, "urn:kouan:problem:%s", slug);
	json_t *o = json_pack("{s:s, s:s, s:i}", "type", type, "title", title, "status",
			      status);
	if (o && detail)
		json_object_set_new(o, "detail", json_string(detail));
	if (o && instance)
		json_object_set_new(o, "instance", json_string(instance));
	if (o && errors && errors->count) {
		json_t *arr = json_array();
		for (size_t i = 0; i < errors->count; i++)
			json_array_append_new(
				arr, json_pack("{s:s, s:s}", "field",
					       errors->errors[i].field, "problem",
					       errors->errors[i].problem));
		json_object_set_new(o, "errors", arr);
		if (errors->dropped)
			json_object_set_new(o, "errors_not_shown",
					    json_integer((json_int_t)errors->dropped));
	}
	if (o && extra)
		json_object_update_missing(o, extra);
	json_decref(extra);
	resp->status = status;
	resp->content_type = "application/problem+json";
	buf_reset(&resp->body);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!s || buf_puts(&resp->body, s)) {
		buf_reset(&resp->body);
		if (buf_puts(&resp->body,
			     "{\"type\":\"urn:kouan:problem:internal\","
			     "\"title\":\"Internal error\",\"status\":500}"))
			buf_reset(&resp->body);
		resp->status = 500;
	}
	free(s);
	json_decref(o);
}

void problem_respond_ext(struct http_response *resp, kerr e, const char *instance,
			 const char *detail, const struct problems *errors,
			 json_t *extra)
{
	respond(resp, kerr_http_status(e), kerr_slug(e), kerr_title(e), instance, detail,
		errors, extra);
}

void problem_respond_status(struct http_response *resp, int status,
			    const char *instance, const char *detail,
			    const struct problems *errors)
{
	for (size_t i = 0; i < sizeof edge_map / sizeof edge_map[0]; i++)
		if (edge_map[i].status == status) {
			respond(resp, status, edge_map[i].slug, edge_map[i].title,
				instance, detail, errors, NULL);
			return;
		}
	kerr e = KERR_INTERNAL;
	for (int k = 0; k < KERR_COUNT_ && status != 500; k++)
		if (http_map[k].status == status) {
			e = http_map[k].code;
			break;
		}
	problem_respond(resp, e, instance, detail, errors);
}
