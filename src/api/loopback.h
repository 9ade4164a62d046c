/*
 * loopback.h - call the API in-process, without a socket: build a request,
 * dispatch it through the router, read the answer as JSON. Used to seed the
 * demo data through the same checks as any client, and by the API tests.
 */
#ifndef KOUAN_LOOPBACK_H
#define KOUAN_LOOPBACK_H

#include <jansson.h>

#include "api/api.h"

struct loopback_call {
	const char *method;
	const char *path;       /* may carry "?query" */
	const char *token;      /* NULL: no Authorization header */
	const char *body;       /* NULL: no body */
	size_t body_len;        /* 0: strlen(body) */
	const char *content_type; /* NULL: application/json when there is a body */
	const char *idempotency_key;
	bool body_too_large;
	const char *remote;         /* the peer's address; NULL: "loopback" */
	const char *forwarded_for;  /* an X-Forwarded-For header, or NULL */
};

struct loopback_result {
	int status;
	json_t *json;      /* parsed body, NULL if empty or not JSON */
	char *text;        /* raw body, owned */
	char location[128];
	bool replayed;     /* Idempotent-Replayed: true */
	long retry_after;  /* Retry-After in seconds, -1 when absent */
};

/* Dispatch; always fills *out (free with loopback_result_free). */
void api_loopback(struct app *app, const struct loopback_call *call,
		  struct loopback_result *out);
void loopback_result_free(struct loopback_result *r);

#endif
