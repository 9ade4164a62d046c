/*
 * api.h - the HTTP API of kouan: the running application (struct app), the
 * route table and the dispatcher that answers one request.
 *
 * A request goes: route match -> the client's address (the peer's, or from
 * X-Forwarded-For when the peer is a trusted proxy), which the unit of work
 * carries for the audit log and login throttling -> bearer token -> role
 * allowed by the route -> the route's handler, which parses and checks the request, calls one
 * service and renders its result -> the dispatcher commits the unit of
 * work when the answer is a success and rolls it back otherwise. Handlers
 * never touch a socket (see http/http.h) or the store directly.
 */
#ifndef KOUAN_API_H
#define KOUAN_API_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/netaddr.h"
#include "http/http.h"
#include "service/service.h"

struct app_limits {
	size_t max_body;          /* bytes; larger bodies get 413 */
	int longpoll_max_s;       /* longest wait on GET /v1/events */
	/* peers whose X-Forwarded-For names the client (none by default) */
	struct netaddr_list trusted_proxies;
	struct service_limits service;
};

/* The event feed's wake-up: bumped after every commit that wrote events. */
/* New events: followers of the feed wait parked (see http_response) and
 * are woken through `wake` (the server's http_server_wake), or, called in
 * process (loopback), wait on `cond` for `generation` to move. */
struct feed_signal {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	uint64_t generation;
	int waiting; /* in-process followers waiting on cond now */
	bool stopping;
	void (*wake)(void *arg);
	void *wake_arg;
};

struct ceb_codec;

struct app {
	struct services svc;
	struct app_limits limits;
	struct feed_signal feed;
	const char *openapi; /* served at /openapi.json */
	const char *timezone; /* the port's IANA time zone, for the browser
			       * interface (setting "timezone"); NULL: Asia/Shanghai */
	struct ceb_codec *ceb; /* the CEB messages' compiled schema (ceb_xml.h) */
};

/* Defaults for limits (1 MiB bodies, 25 s long-polls, 12 h tokens). */
void app_limits_default(struct app_limits *l);

/* Set up an app over an open, migrated store (see services_init); watch
 * the store for other servers' changes. On failure nothing is left to
 * free. */
KOUAN_MUST_USE kerr app_init(struct app *app, struct store *store, struct kclock *clock,
			     const struct app_limits *l, const char *key_path,
			     bool create_key);
void app_free(struct app *app);
/* New events: wake the feed's followers. */
void app_feed_notify(struct app *app);
/* Make followers answer now and wait no more (shutdown). */
void app_feed_stop(struct app *app);
/* Who wakes parked followers (the HTTP server), called under the feed's
 * lock; NULL: nobody. Once it returns, the previous waker is not running
 * and will not be called. */
void app_feed_on_wake(struct app *app, void (*wake)(void *arg), void *arg);
/* Is the feed stopping (followers must answer at once)? */
bool app_feed_stopping(struct app *app);

/* Whether a route's unit of work reads or writes. */
/* What a route's unit of work does, and where it runs: TX_READ or
 * TX_WRITE, with RUN_APART when the request may take long (many
 * declarations, a large manifest, a table loaded, a question over every
 * declaration): it then runs on the server's pool for those, not on its
 * connection's worker (http.h, run_apart). */
enum route_tx {
	TX_READ = 0,
	TX_WRITE = 1,
	RUN_APART = 2,
	/* apart when a thread of the pool is idle, else on the worker: a
	 * password hash, whose turns have their own bound and answer 503 when
	 * they run out (docs/security.md), so it must not queue */
	RUN_APART_IF_IDLE = 4,
};

struct api_ctx;
typedef void (*api_handler)(struct api_ctx *ctx);

struct route {
	const char *method;
	const char *pattern; /* "/v1/declarations/{number}" */
	api_handler handler;
	unsigned roles;      /* ROLES_PUBLIC: no token needed */
	unsigned tx;         /* enum route_tx, combined */
};

/* The route table (for documentation checks). */
const struct route *api_routes(size_t *n);

/* Route one request and answer it. Never fails: errors become problems. */
void api_dispatch(struct app *app, const struct http_request *req,
		  struct http_response *resp);

/* --- the browser interface (src/api/web.c) --- */

/* Is `path` the browser interface's: anything but /v1/... and /openapi.json? */
bool web_owns(const char *path);
/* Answer a request for the browser interface: the page (at "/" and at
 * every client-side route, i.e. a path whose last segment has no dot) and
 * the files under /assets/<version>/, for GET and HEAD (405 otherwise),
 * with their security headers, ETag and caching; 404 for anything else.
 * Needs no database and no caller. */
void web_serve(const struct http_request *req, struct http_response *resp);

#endif
