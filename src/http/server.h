/*
 * server.h - the HTTP/1.1 server on libmicrohttpd. The only code that
 * includes microhttpd.h: it turns each request into a struct http_request,
 * hands it to one handler function, and sends back the struct http_response.
 * In front of it, the edge (edge.h) owns the listening socket and refuses
 * malformed or ambiguous requests before the library reads them.
 *
 * Threads: a pool of worker threads (each request runs on one of them, and
 * may block on the database; connections are dealt to them in turn, and a
 * worker runs its connections' requests one at a time), a pool that runs
 * the requests a handler sends apart (a batch: its worker's other
 * connections are not kept waiting), two edge threads, and one that resumes
 * parked requests (a long-poll waits parked, holding no worker). Limits: request head
 * size and time (the edge), body size (larger bodies get the handler's 413
 * without being read), idle timeout, memory per connection, connections
 * per IP and in all.
 */
#ifndef KOUAN_HTTP_SERVER_H
#define KOUAN_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct http_server_options {
	const char *address; /* IPv4 or IPv6 literal to bind, e.g. "127.0.0.1" */
	uint16_t port;       /* 0: pick a free port */
	unsigned threads;
	unsigned apart_threads; /* the pool that runs requests apart (run_apart);
				 * 0: none, they run on their connection's worker */
	size_t max_body;
	unsigned timeout_s;        /* idle connection timeout */
	unsigned header_timeout_s; /* a request head must arrive within; 0: 10 */
	unsigned conn_limit;
	unsigned per_ip_limit;
	size_t conn_memory;
	int access_log; /* one line per request on stderr */
};

typedef void (*http_handler_fn)(void *cls, const struct http_request *req,
				struct http_response *resp);

struct http_server;

/* Start serving; NULL on failure (logged). *bound_port gets the real port. */
struct http_server *http_server_start(const struct http_server_options *o,
				      http_handler_fn fn, void *cls,
				      uint16_t *bound_port);
/* Wake the parked requests (see http_response.park_until_us): each runs
 * again now. Any thread. */
void http_server_wake(struct http_server *s);
/* How many requests are parked now. */
size_t http_server_parked(struct http_server *s);
/* Move the socket fd to a number that is `want` modulo `workers` (closing
 * fd), which is how the server chooses the worker thread a connection
 * goes to (see server.c); fd itself if it already is, or if no such
 * number can be had. */
int http_fd_on_worker(int fd, unsigned workers, unsigned want);

/* Stop accepting new connections (first step of a graceful shutdown). */
void http_server_quiesce(struct http_server *s);
/* Finish the requests in flight, close every connection, free. */
void http_server_stop(struct http_server *s);

#endif
