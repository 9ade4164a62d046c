/*
 * edge.h - the HTTP edge: kouan's listening socket, and the first reader of
 * every byte a client sends.
 *
 * The HTTP library (libmicrohttpd 0.9.75) is lenient where a server behind
 * a proxy must not be: it takes bare LF line endings and folded header
 * lines, frames a body by Transfer-Encoding when Content-Length is there
 * too, keeps a connection whose client trickles its headers, and answers
 * its own errors in HTML. So the edge accepts each connection itself and
 * gives the library one end of a socket pair: every request head is read
 * and judged here first (wire.h), and only a head kouan accepts, with the
 * body its framing says, goes on to the library; the library's answers come
 * back through the edge unchanged. A refused request is answered here
 * (problem+json, Connection: close) once the answers before it have gone
 * out, and the connection is closed.
 *
 * Time limits: a request head must arrive whole within the header timeout,
 * counted from its first byte (408, and the connection is closed); a silent
 * connection is closed by the library's idle timeout, which sees no
 * traffic while the edge holds an incomplete head, so a client trickling
 * its head is cut off by whichever comes first.
 *
 * Must never: pass the library a byte of a head it has not accepted, let a
 * refusal overtake an answer still owed, or block (every socket is
 * non-blocking; a few threads serve all connections with epoll).
 */
#ifndef KOUAN_EDGE_H
#define KOUAN_EDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct edge_options {
	const char *address;       /* IPv4 or IPv6 literal to bind */
	uint16_t port;             /* 0: any free port */
	unsigned threads;          /* edge threads; 0: 2 */
	unsigned header_timeout_s; /* 0: 10 */
	unsigned idle_timeout_s;   /* the library's; 0: 30 */
	bool access_log;           /* log requests refused here */
};

/* Give a new connection to the HTTP library: fd is the library's end of a
 * socket pair, peer the client's address. False when the library would not
 * take it (it has then closed fd). Called on an edge thread. */
typedef bool (*edge_handoff_fn)(void *cls, int fd, const struct sockaddr *peer,
				socklen_t len);

struct edge;

/* Bind, listen and start the edge threads; NULL on failure (logged).
 * *bound_port gets the port really bound. Raises the soft limit of open
 * files to the hard one: each connection takes three descriptors. */
struct edge *edge_start(const struct edge_options *o, edge_handoff_fn fn, void *cls,
			uint16_t *bound_port);
/* Stop accepting: new connections are refused at once. */
void edge_quiesce(struct edge *e);
/* Call after the library has stopped (its ends are closed): send what is
 * still buffered (3 s at most), close every connection, join, free. */
void edge_stop(struct edge *e);

/* One access log line: peer "METHOD PATH" status bytes time. The path is
 * the one sent, without the query; "-" stands for what is not known. */
void edge_log_access(const char *peer, const char *method, const char *path, int status,
		     size_t bytes, int64_t us);

/* The text of a peer's IPv4 or IPv6 address; "-" for anything else. */
void edge_peer_text(const struct sockaddr *sa, char *out, size_t n);

#endif
