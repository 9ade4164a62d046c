/*
 * http.h - the request and response kouan's handlers see. They carry no
 * trace of the HTTP library: the server (server.c) fills them from
 * libmicrohttpd, and the API tests fill them by hand, so every handler can be
 * driven without a socket.
 *
 * Ownership: a request borrows all its strings from whoever built it, for the
 * duration of one dispatch. A response owns its body buffer.
 */
#ifndef KOUAN_HTTP_H
#define KOUAN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define HTTP_MAX_PAIRS 48
#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_RESPONSE_HEADERS 6

struct http_pair {
	const char *name;
	const char *value;
};

struct http_request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* without the query string */
	struct http_pair headers[HTTP_MAX_PAIRS];
	size_t nheaders;
	struct http_pair query[HTTP_MAX_PAIRS];
	size_t nquery;
	const char *body;
	size_t body_len;
	bool body_too_large; /* the body passed the configured limit */
	const char *remote;  /* peer address, for the access log */
	/* Filled by the router from "{name}" segments of the matched route. */
	struct http_pair params[HTTP_MAX_PARAMS];
	size_t nparams;
	/* Parking (a request that waits without holding a thread): 0 the first
	 * time a request is handled; when it was parked and runs again, the
	 * deadline it was parked with (http_now_us time). */
	int64_t parked_until_us;
	/* The server's wake count when this run began (see park_until_us). */
	uint64_t wakes_seen;
	/* This run is apart from the connection's worker (see run_apart). */
	bool apart;
};

struct http_response {
	/* Set by a handler that has no answer yet (status and body unused):
	 * park the request until this http_now_us time, or until the server is
	 * woken (http_server_wake) if that happens first, then run the handler
	 * again on the same request. A wake that came after the run began
	 * (wakes_seen) runs it again at once, so none is missed. */
	int64_t park_until_us;
	/* Set by a handler (status and body unused) on a request that may hold
	 * a thread for long (a batch of declarations, a large manifest), when
	 * the request is not yet apart: it runs again on the server's pool of
	 * request threads, apart from the worker that reads its connection,
	 * whose other connections go on meanwhile. Without a pool it runs again
	 * at once (apart set all the same). A request run apart never parks.
	 * With apart_if_idle too, it goes to the pool only when a thread of the
	 * pool is idle (nothing waits for it there), and otherwise runs again at
	 * once where it is: for a request that has a bound of its own on how
	 * many run at once, and must not queue in front of it (a login). */
	bool run_apart;
	bool apart_if_idle;
	int status;
	const char *content_type; /* static string */
	struct buf body;
	struct http_pair headers[HTTP_MAX_RESPONSE_HEADERS]; /* owned copies */
	size_t nheaders;
};

/* Case-insensitive header look-up; NULL when absent. */
const char *http_header(const struct http_request *r, const char *name);
/* Query parameter look-up; NULL when absent. */
const char *http_query(const struct http_request *r, const char *name);
/* Path parameter captured by the router; NULL when absent. */
const char *http_param(const struct http_request *r, const char *name);

/* Monotonic time in microseconds, the time base of parking. */
int64_t http_now_us(void);

void http_response_init(struct http_response *resp);
void http_response_free(struct http_response *resp);
/* Add a header to the response (copies name and value). */
void http_response_header(struct http_response *resp, const char *name,
			  const char *value);

#endif
