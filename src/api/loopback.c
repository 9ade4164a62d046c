/* loopback.c - in-process API calls (see loopback.h). */
#include "api/loopback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode %XX escapes of a query value in place, as the HTTP server does. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
			*o++ = (char)(hex(s[1]) * 16 + hex(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

void api_loopback(struct app *app, const struct loopback_call *call,
		  struct loopback_result *out)
{
	memset(out, 0, sizeof *out);
	struct http_request req;
	memset(&req, 0, sizeof req);
	req.method = call->method;
	char path[1024], query[1024];
	str_copy(path, call->path, sizeof path);
	char *q = strchr(path, '?');
	if (q) {
		*q = '\0';
		str_copy(query, q + 1, sizeof query);
		char *save = NULL;
		for (char *kv = strtok_r(query, "&", &save); kv && req.nquery < HTTP_MAX_PAIRS;
		     kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');
			if (eq) {
				*eq = '\0';
				unescape(eq + 1);
			}
			req.query[req.nquery].name = kv;
			req.query[req.nquery].value = eq ? eq + 1 : "";
			req.nquery++;
		}
	}
	req.path = path;
	char auth[128];
	if (call->token) {
		snprintf(auth, sizeof auth, "Bearer %s", call->token);
		req.headers[req.nheaders++] = (struct http_pair){"Authorization", auth};
	}
	if (call->body || call->content_type)
		req.headers[req.nheaders++] = (struct http_pair){
			"Content-Type",
			call->content_type ? call->content_type : "application/json"};
	if (call->idempotency_key)
		req.headers[req.nheaders++] =
			(struct http_pair){"Idempotency-Key", call->idempotency_key};
	req.body = call->body;
	req.body_len = call->body ? (call->body_len ? call->body_len : strlen(call->body)) : 0;
	req.body_too_large = call->body_too_large;
	req.remote = "loopback";

	struct http_response resp;
	http_response_init(&resp);
	api_dispatch(app, &req, &resp);
	out->status = resp.status;
	out->text = buf_take(&resp.body);
	if (out->text && *out->text)
		out->json = json_loads(out->text, 0, NULL);
	for (size_t i = 0; i < resp.nheaders; i++) {
		if (!strcasecmp(resp.headers[i].name, "Location"))
			str_copy(out->location, resp.headers[i].value, sizeof out->location);
		if (!strcasecmp(resp.headers[i].name, "Idempotent-Replayed"))
			out->replayed = true;
	}
	http_response_free(&resp);
}

void loopback_result_free(struct loopback_result *r)
{
	json_decref(r->json);
	free(r->text);
	memset(r, 0, sizeof *r);
}
