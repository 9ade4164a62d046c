/* loopback.c - in-process API calls (see loopback.h). */
#include "api/loopback.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
	if (call->forwarded_for)
		req.headers[req.nheaders++] =
			(struct http_pair){"X-Forwarded-For", call->forwarded_for};
	req.body = call->body;
	req.body_len = call->body ? (call->body_len ? call->body_len : strlen(call->body)) : 0;
	req.body_too_large = call->body_too_large;
	req.remote = call->remote ? call->remote : "loopback";

	struct http_response resp;
	for (;;) {
		pthread_mutex_lock(&app->feed.lock);
		uint64_t seen = app->feed.generation;
		pthread_mutex_unlock(&app->feed.lock);
		req.wakes_seen = seen;
		http_response_init(&resp);
		api_dispatch(app, &req, &resp);
		if (resp.run_apart && !req.apart) { /* in process: this thread is apart */
			http_response_free(&resp);
			req.apart = true;
			continue;
		}
		if (resp.park_until_us <= 0)
			break;
		/* parked: wait in process for new events or the deadline, as the
		 * server's waker would, then run the request again */
		if (!req.parked_until_us)
			req.parked_until_us = resp.park_until_us;
		http_response_free(&resp);
		struct timespec until = {(time_t)(req.parked_until_us / 1000000),
					 (long)(req.parked_until_us % 1000000) * 1000};
		pthread_mutex_lock(&app->feed.lock);
		app->feed.waiting++;
		int rc = 0;
		while (app->feed.generation == seen && !app->feed.stopping && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&app->feed.cond, &app->feed.lock, &until);
		app->feed.waiting--;
		pthread_mutex_unlock(&app->feed.lock);
	}
	out->status = resp.status;
	out->retry_after = -1;
	out->text = buf_take(&resp.body);
	if (out->text && *out->text)
		out->json = json_loads(out->text, 0, NULL);
	for (size_t i = 0; i < resp.nheaders; i++) {
		if (!strcasecmp(resp.headers[i].name, "Location"))
			str_copy(out->location, resp.headers[i].value, sizeof out->location);
		if (!strcasecmp(resp.headers[i].name, "Idempotent-Replayed"))
			out->replayed = true;
		if (!strcasecmp(resp.headers[i].name, "Retry-After"))
			out->retry_after = strtol(resp.headers[i].value, NULL, 10);
	}
	http_response_free(&resp);
}

void loopback_result_free(struct loopback_result *r)
{
	json_decref(r->json);
	free(r->text);
	memset(r, 0, sizeof *r);
}
