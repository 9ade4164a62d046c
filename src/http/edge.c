/*
 * edge.c - the HTTP edge (see edge.h): accepts connections, judges each
 * request head with wire.c, relays accepted requests to the HTTP library
 * over a socket pair and its answers back, and answers refusals itself.
 *
 * Each connection has two ends: the client's TCP socket and the edge's end
 * of the socket pair (the "inner" end). Bytes from the client go through
 * one buffer, in three parts: [0, in_sent) already written to the library,
 * [in_sent, in_ok) accepted and waiting to be written, [in_ok, in_len) not
 * yet judged. One request at a time: the next head is judged only once the
 * library's final answer to the previous one has gone back, so a refusal
 * never overtakes an answer and the edge never needs to know more than one
 * request's framing. Answers are relayed as they come; their heads are
 * read (wire_response_parse) only to know where each answer ends.
 *
 * Edge-triggered epoll: each end records whether it may be read or written,
 * and pump() moves bytes until nothing moves. A connection closed while
 * events for it are still in the batch is freed after the batch.
 */
#include "http/edge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "http/http.h"
#include "http/problem.h"
#include "http/wire.h"

#define IN_CAP (WIRE_HEAD_MAX + 4096)
#define OUT_CAP 16384
#define REFUSAL_MAX 4096
#define SWEEP_MS 200
#define LINGER_MS 2000
#define STOP_DRAIN_MS 3000
#define EVENTS 64

enum in_state {
	IN_HEAD,    /* judging the next head */
	IN_LENGTH,  /* passing on a Content-Length body */
	IN_CHUNKED, /* passing on a chunked body */
	IN_WAIT,    /* request passed on; waiting for its answer */
	IN_REFUSED, /* refused: nothing more is read */
};

enum out_state { OUT_HEAD, OUT_LENGTH, OUT_CHUNKED, OUT_TO_CLOSE };

struct conn;

struct end {
	struct conn *c;
	int fd;
	bool rd, wr; /* may be read / written (until EAGAIN) */
	bool hup;    /* the other side has closed: read to the end */
};

struct edge_thread;

struct conn {
	struct edge_thread *t;
	struct conn *prev, *next;
	struct end client, inner;
	char peer[64];

	char in[IN_CAP];
	size_t in_len, in_sent, in_ok;
	enum in_state in_state;
	size_t scanned;          /* wire_request_parse's progress */
	uint64_t body_left;      /* IN_LENGTH */
	struct wire_chunked chunk; /* IN_CHUNKED */
	bool awaiting;           /* a request went on; its final answer has not come back */
	bool req_head;           /* ... and its method was HEAD */
	bool answered;           /* ... and its answer's head has come back */
	struct wire_request req; /* ... and its head, for the log */
	int64_t head_deadline;   /* monotonic µs; 0: none running */
	int64_t head_started;

	char out[OUT_CAP];
	size_t out_len, out_sent, out_seen;
	enum out_state out_state;
	uint64_t out_left;
	struct wire_chunked out_chunk;

	char refusal[REFUSAL_MAX];
	size_t refusal_len;
	bool refusal_pending;

	bool client_eof, inner_eof, inner_shut;
	int64_t last_out;       /* when the client last took bytes from us */
	bool closing;           /* close once everything is sent to the client */
	int64_t linger_until;   /* 0, or: output shut, reading to the client's EOF */
	bool dead;
};

struct edge_thread {
	struct edge *e;
	pthread_t tid;
	int ep;
	int wake; /* eventfd: edge_stop */
	bool listening;
	int64_t accept_paused_until;
	struct conn *conns;
	struct conn *graveyard;
};

struct edge {
	struct edge_options opts;
	edge_handoff_fn handoff;
	void *cls;
	int listen_fd;
	unsigned nthreads;
	struct edge_thread *threads;
	int stopping;     /* atomic */
	int64_t stop_at;  /* monotonic µs, when edge_stop began */
	int64_t header_timeout_us;
	int64_t idle_timeout_us;
};

static char listener_mark, wake_mark;

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void edge_log_access(const char *peer, const char *method, const char *path, int status,
		     size_t bytes, int64_t us)
{
	log_info("access %s \"%s %s\" %d %zu %lld.%03lldms", peer,
		 method && *method ? method : "-", path && *path ? path : "-", status, bytes,
		 (long long)(us / 1000), (long long)(us % 1000));
}

void edge_peer_text(const struct sockaddr *sa, char *out, size_t n)
{
	str_copy(out, "-", n);
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)n);
}

/* ------------------------------------------------------------------ */
/* Refusals                                                            */

static const char *reason_phrase(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Render the refusal into c->refusal: an HTTP/1.1 answer with a
 * problem+json body (none for HEAD) and Connection: close. Returns the
 * length of the body. */
static size_t render_refusal(struct conn *c, const struct wire_refusal *why,
			     const char *path, bool head_method)
{
	size_t body = 0;
	struct problems *p = NULL;
	if (why->field[0] && (p = malloc(sizeof *p)) != NULL) {
		problems_init(p);
		problems_add(p, why->field, "%s", why->detail);
	}
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	/* with the path as instance, or without it if it makes the answer too
	 * long */
	for (int with_path = path && *path; with_path >= 0; with_path--) {
		struct http_response resp;
		http_response_init(&resp);
		problem_respond_status(&resp, why->status, with_path ? path : NULL, why->detail,
				       p);
		int n = snprintf(c->refusal, sizeof c->refusal,
				 "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\n"
				 "Content-Length: %zu\r\nConnection: close\r\n"
				 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n"
				 "%s",
				 resp.status, reason_phrase(resp.status), date, resp.content_type,
				 resp.body.len, head_method ? "" : resp.body.data);
		body = head_method ? 0 : resp.body.len;
		http_response_free(&resp);
		if (n > 0 && (size_t)n < sizeof c->refusal) {
			c->refusal_len = (size_t)n;
			break;
		}
		c->refusal_len = 0;
	}
	free(p);
	return body;
}

/* Refuse the request being read: stop reading, answer once it is our turn,
 * then close. */
static void refuse_request(struct conn *c, const struct wire_refusal *why,
			   const struct wire_request *req)
{
	size_t body = render_refusal(c, why, req ? req->path : NULL, req && req->head_method);
	if (c->t->e->opts.access_log)
		edge_log_access(c->peer, req ? req->method : NULL, req ? req->path : NULL,
				why->status, body, mono_us() - c->head_started);
	c->in_state = IN_REFUSED;
	c->refusal_pending = c->refusal_len > 0;
	c->closing = true;
	c->head_deadline = 0;
}

/* A head that did not arrive in time: 408, with what came of it in the
 * log. */
static void refuse_slow_head(struct conn *c, const char *detail)
{
	struct wire_refusal why = {.status = 408};
	str_copy(why.detail, detail, sizeof why.detail);
	struct wire_request req;
	wire_request_peek(c->in + c->in_ok, c->in_len - c->in_ok, &req);
	refuse_request(c, &why, &req);
}

/* ------------------------------------------------------------------ */
/* Moving bytes                                                        */

static void start_head_clock(struct conn *c, int64_t now)
{
	c->head_started = now;
	c->head_deadline = now + c->t->e->header_timeout_us;
}

/* The library's final answer to the request in flight has been read. */
static void answer_done(struct conn *c)
{
	c->awaiting = false;
	c->answered = false;
	c->out_state = OUT_HEAD;
	if (c->in_state == IN_WAIT) {
		c->in_state = IN_HEAD;
		if (c->in_len > c->in_ok)
			start_head_clock(c, mono_us());
	}
}

/* What a recv() or send() result means. */
enum io { IO_MOVED, IO_BLOCKED, IO_AGAIN, IO_END };

static enum io io_result(ssize_t n)
{
	if (n > 0)
		return IO_MOVED;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return IO_BLOCKED;
	if (n < 0 && errno == EINTR)
		return IO_AGAIN;
	return IO_END; /* end of input, or the other side is gone */
}

/* A read that filled less than the room it had took all there was: with
 * edge-triggered epoll the next bytes bring a new event, so do not ask
 * again (one recv() that would only say EAGAIN saved per event). Not once
 * the other side has closed: its end of input comes with no new event. */
static void drained(struct end *e, size_t got, size_t room)
{
	if (got < room && !e->hup)
		e->rd = false;
}

static bool read_client(struct conn *c)
{
	if (!c->client.rd || c->client_eof || c->in_state == IN_REFUSED)
		return false;
	if (c->in_len == IN_CAP && c->in_sent > 0) {
		memmove(c->in, c->in + c->in_sent, c->in_len - c->in_sent);
		c->in_ok -= c->in_sent;
		c->in_len -= c->in_sent;
		c->in_sent = 0;
	}
	if (c->in_len == IN_CAP)
		return false;
	size_t room = IN_CAP - c->in_len;
	ssize_t n = recv(c->client.fd, c->in + c->in_len, room, 0);
	switch (io_result(n)) {
	case IO_MOVED:
		if (c->in_state == IN_HEAD && c->in_len == c->in_ok && !c->head_deadline)
			start_head_clock(c, mono_us());
		c->in_len += (size_t)n;
		drained(&c->client, (size_t)n, room);
		return true;
	case IO_BLOCKED:
		c->client.rd = false;
		return false;
	case IO_AGAIN:
		return true;
	case IO_END:
		if (n == 0)
			c->client_eof = true;
		else
			c->dead = true; /* reset by the client */
		return true;
	}
	return false;
}

/* Judge what the client sent: heads, then the bodies their framing says. */
static bool examine_in(struct conn *c)
{
	bool moved = false;
	for (;;) {
		size_t avail = c->in_len - c->in_ok;
		if (c->in_state == IN_HEAD) {
			if (!avail)
				return moved;
			struct wire_request req;
			struct wire_refusal why;
			enum wire_result r = wire_request_parse(c->in + c->in_ok, avail,
								&c->scanned, &req, &why);
			if (r == WIRE_MORE)
				return moved;
			if (r == WIRE_REFUSED) {
				refuse_request(c, &why, &req);
				return true;
			}
			c->in_ok += req.head_len;
			c->req = req;
			c->scanned = 0;
			c->awaiting = true;
			c->answered = false;
			c->req_head = req.head_method;
			c->head_deadline = 0;
			if (req.framing == WIRE_BODY_CHUNKED) {
				wire_chunked_init(&c->chunk);
				c->in_state = IN_CHUNKED;
			} else if (req.framing == WIRE_BODY_LENGTH && req.length) {
				c->body_left = req.length;
				c->in_state = IN_LENGTH;
			} else {
				c->in_state = IN_WAIT;
			}
			moved = true;
		} else if (c->in_state == IN_LENGTH) {
			size_t take = avail < c->body_left ? avail : (size_t)c->body_left;
			if (!take)
				return moved;
			c->in_ok += take;
			c->body_left -= take;
			if (!c->body_left)
				c->in_state = c->awaiting ? IN_WAIT : IN_HEAD;
			moved = true;
		} else if (c->in_state == IN_CHUNKED) {
			if (!avail)
				return moved;
			size_t used = 0;
			struct wire_refusal why;
			enum wire_result r = wire_chunked_feed(&c->chunk, c->in + c->in_ok, avail,
							       &used, &why);
			if (r == WIRE_REFUSED) {
				/* the library waits for a body that will not come:
				 * tell it the request ended, and answer in its place
				 * unless it has begun to answer */
				c->in_len = c->in_ok;
				if (c->answered) {
					if (!c->inner_shut)
						shutdown(c->inner.fd, SHUT_WR);
					c->in_state = IN_REFUSED;
					c->closing = true;
				} else {
					/* both ways: the library sees a hang-up at once */
					shutdown(c->inner.fd, SHUT_RDWR);
					c->awaiting = false;
					c->inner_eof = true; /* nothing more is relayed */
					refuse_request(c, &why, &c->req);
				}
				c->inner_shut = true;
				return true;
			}
			c->in_ok += used;
			if (r == WIRE_DONE)
				c->in_state = c->awaiting ? IN_WAIT : IN_HEAD;
			moved = true;
			if (r == WIRE_MORE)
				return moved;
		} else {
			return moved;
		}
	}
}

static bool write_inner(struct conn *c)
{
	if (!c->inner.wr || c->in_sent == c->in_ok || c->inner_shut || c->inner_eof)
		return false;
	size_t len = c->in_ok - c->in_sent;
	ssize_t n = send(c->inner.fd, c->in + c->in_sent, len, MSG_NOSIGNAL);
	switch (io_result(n)) {
	case IO_MOVED:
		c->inner.wr = (size_t)n == len; /* a short write: the pair is full */
		c->in_sent += (size_t)n;
		if (c->in_sent == c->in_len)
			c->in_sent = c->in_ok = c->in_len = 0;
		return true;
	case IO_BLOCKED:
		c->inner.wr = false;
		return false;
	case IO_AGAIN:
		return true;
	case IO_END:
		c->inner_eof = true; /* the library closed its end */
		return true;
	}
	return false;
}

/* Drop from the output buffer what is both sent and examined. */
static void compact_out(struct conn *c)
{
	size_t base = c->out_sent < c->out_seen ? c->out_sent : c->out_seen;
	if (!base)
		return;
	memmove(c->out, c->out + base, c->out_len - base);
	c->out_len -= base;
	c->out_sent -= base;
	c->out_seen -= base;
}

static bool read_inner(struct conn *c)
{
	if (!c->inner.rd || c->inner_eof)
		return false;
	if (c->out_len == OUT_CAP)
		compact_out(c);
	if (c->out_len == OUT_CAP)
		return false;
	size_t room = OUT_CAP - c->out_len;
	ssize_t n = recv(c->inner.fd, c->out + c->out_len, room, 0);
	switch (io_result(n)) {
	case IO_MOVED:
		c->out_len += (size_t)n;
		drained(&c->inner, (size_t)n, room);
		return true;
	case IO_BLOCKED:
		c->inner.rd = false;
		return false;
	case IO_AGAIN:
		return true;
	case IO_END:
		c->inner_eof = true;
		return true;
	}
	return false;
}

/* Follow the library's answers, to know when the one in flight ends. */
static bool examine_out(struct conn *c)
{
	bool moved = false;
	for (;;) {
		size_t avail = c->out_len - c->out_seen;
		if (!avail)
			return moved;
		if (c->out_state == OUT_HEAD) {
			struct wire_response resp;
			enum wire_result r = wire_response_parse(c->out + c->out_seen, avail,
								 c->req_head, &resp);
			if (r == WIRE_MORE) {
				if (c->out_seen == 0 && c->out_len == OUT_CAP)
					goto unreadable;
				return moved;
			}
			if (r == WIRE_REFUSED)
				goto unreadable;
			c->out_seen += resp.head_len;
			moved = true;
			if (resp.interim)
				continue;
			c->answered = true;
			if (resp.close)
				c->closing = true;
			if (resp.framing == WIRE_BODY_CHUNKED) {
				wire_chunked_init(&c->out_chunk);
				c->out_state = OUT_CHUNKED;
			} else if (resp.framing == WIRE_BODY_LENGTH && resp.length) {
				c->out_left = resp.length;
				c->out_state = OUT_LENGTH;
			} else if (resp.framing == WIRE_BODY_TO_CLOSE) {
				c->out_state = OUT_TO_CLOSE;
				c->closing = true;
			} else {
				answer_done(c);
			}
		} else if (c->out_state == OUT_LENGTH) {
			size_t take = avail < c->out_left ? avail : (size_t)c->out_left;
			c->out_seen += take;
			c->out_left -= take;
			if (!c->out_left)
				answer_done(c);
			moved = true;
		} else if (c->out_state == OUT_CHUNKED) {
			size_t used = 0;
			struct wire_refusal why;
			enum wire_result r = wire_chunked_feed(&c->out_chunk, c->out + c->out_seen,
							       avail, &used, &why);
			if (r == WIRE_REFUSED)
				goto unreadable;
			c->out_seen += used;
			if (r == WIRE_DONE)
				answer_done(c);
			moved = true;
		} else {
			c->out_seen = c->out_len;
			return true;
		}
	}
unreadable:
	log_error("http: the HTTP library wrote an answer the edge cannot frame; "
		  "closing the connection of %s", c->peer);
	c->dead = true;
	return true;
}

/* When every answer owed before it has gone out, queue the refusal. */
static bool queue_refusal(struct conn *c)
{
	if (!c->refusal_pending || c->awaiting || c->out_sent != c->out_len)
		return false;
	c->out_len = c->out_sent = c->out_seen = 0;
	memcpy(c->out, c->refusal, c->refusal_len);
	c->out_len = c->refusal_len;
	c->out_seen = c->out_len;
	c->refusal_pending = false;
	c->inner_eof = true; /* the library has nothing more to say here */
	return true;
}

static bool write_client(struct conn *c)
{
	if (!c->client.wr || c->out_sent == c->out_len || c->linger_until)
		return false;
	size_t len = c->out_len - c->out_sent;
	ssize_t n = send(c->client.fd, c->out + c->out_sent, len, MSG_NOSIGNAL);
	switch (io_result(n)) {
	case IO_MOVED:
		c->client.wr = (size_t)n == len; /* a short write: the socket is full */
		c->out_sent += (size_t)n;
		c->last_out = mono_us();
		compact_out(c);
		return true;
	case IO_BLOCKED:
		c->client.wr = false;
		return false;
	case IO_AGAIN:
		return true;
	case IO_END:
		c->dead = true;
		return true;
	}
	return false;
}

/* After the last byte to the client: read and drop what it still sends
 * until it closes, so that our answer is not lost to a reset. */
static void linger(struct conn *c)
{
	char sink[4096];
	while (c->client.rd) {
		ssize_t n = recv(c->client.fd, sink, sizeof sink, 0);
		enum io r = io_result(n);
		if (r == IO_BLOCKED)
			c->client.rd = false;
		else if (r == IO_END)
			c->dead = true; /* the client closed: done */
		if (r == IO_BLOCKED || r == IO_END)
			return;
	}
}

/* Decide what the connection's state means for its ends. */
static void settle(struct conn *c)
{
	if (c->dead)
		return;
	if (c->linger_until) {
		linger(c);
		return;
	}
	/* the client has finished sending. With a whole request passed on,
	 * its answer is owed: tell the library there is nothing more (it
	 * answers, then closes). With a request cut short, nothing can come
	 * of it: close both ends at once (a library end that sees only the
	 * end of input in mid-body may wait for its idle timeout). */
	if (c->client_eof && !c->inner_shut && !c->inner_eof) {
		bool owed = c->in_state == IN_WAIT || c->in_state == IN_REFUSED || c->answered;
		if (!owed) {
			c->dead = true;
			return;
		}
		if (c->in_sent == c->in_ok) {
			shutdown(c->inner.fd, SHUT_WR);
			c->inner_shut = true;
		}
	}
	/* the library's idle timeout closed it while a head was arriving */
	if (c->inner_eof && !c->closing && !c->awaiting && c->in_state == IN_HEAD &&
	    c->in_len > c->in_ok) {
		refuse_slow_head(c, "the request head did not arrive before the "
				    "connection's idle timeout");
		queue_refusal(c);
		write_client(c);
		if (c->dead)
			return;
	}
	bool flushed = c->out_sent == c->out_len && !c->refusal_pending;
	bool finished = c->inner_eof || (c->closing && !c->awaiting);
	if (!flushed || !finished)
		return;
	if (c->client_eof) {
		c->dead = true;
		return;
	}
	shutdown(c->client.fd, SHUT_WR);
	c->linger_until = mono_us() + (int64_t)LINGER_MS * 1000;
	c->client.rd = true; /* look once; epoll tells of more */
	linger(c);
}

static void pump(struct conn *c)
{
	for (;;) {
		bool moved = false;
		if (!c->linger_until) {
			moved |= read_client(c);
			moved |= examine_in(c);
			moved |= write_inner(c);
			moved |= read_inner(c);
			moved |= examine_out(c);
			moved |= queue_refusal(c);
			moved |= write_client(c);
		}
		if (c->dead || !moved)
			break;
	}
	settle(c);
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

static void conn_close(struct conn *c)
{
	struct edge_thread *t = c->t;
	if (c->prev)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	close(c->client.fd);
	close(c->inner.fd);
	/* events for it may still be in the batch: free after it */
	c->client.fd = c->inner.fd = -1;
	c->next = t->graveyard;
	t->graveyard = c;
}

static bool watch(int ep, struct end *e)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				 .data.ptr = e};
	return epoll_ctl(ep, EPOLL_CTL_ADD, e->fd, &ev) == 0;
}

static void pause_accepting(struct edge_thread *t, int err)
{
	static int64_t last_warned; /* any thread: a rough rate limit is enough */
	int64_t now = mono_us();
	if (now - __atomic_load_n(&last_warned, __ATOMIC_RELAXED) > 10 * 1000000) {
		__atomic_store_n(&last_warned, now, __ATOMIC_RELAXED);
		log_warn("http: cannot accept connections: %s; pausing for 100 ms",
			 strerror(err));
	}
	epoll_ctl(t->ep, EPOLL_CTL_DEL, t->e->listen_fd, NULL);
	t->listening = false;
	t->accept_paused_until = now + 100 * 1000;
}

static void accept_all(struct edge_thread *t)
{
	struct edge *e = t->e;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(e->listen_fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				pause_accepting(t, errno);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* shut down (edge_quiesce): stop watching it */
				epoll_ctl(t->ep, EPOLL_CTL_DEL, e->listen_fd, NULL);
				t->listening = false;
			}
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		int sv[2];
		struct conn *c = NULL;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv)) {
			close(fd);
			pause_accepting(t, errno);
			return;
		}
		c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			close(sv[0]);
			close(sv[1]);
			continue;
		}
		c->t = t;
		c->last_out = mono_us();
		c->client = (struct end){.c = c, .fd = fd};
		c->inner = (struct end){.c = c, .fd = sv[0]};
		edge_peer_text((struct sockaddr *)&ss, c->peer, sizeof c->peer);
		if (!e->handoff(e->cls, sv[1], (struct sockaddr *)&ss, sl)) {
			/* over a connection limit: the library closed its end */
			close(fd);
			close(sv[0]);
			free(c);
			continue;
		}
		c->next = t->conns;
		if (t->conns)
			t->conns->prev = c;
		t->conns = c;
		if (!watch(t->ep, &c->client) || !watch(t->ep, &c->inner)) {
			log_error("http: epoll: %s", strerror(errno));
			conn_close(c);
		}
	}
}

/* Every SWEEP_MS: header deadlines, lingering closes, the end of a stop. */
static void sweep(struct edge_thread *t, int64_t now, bool stop_expired)
{
	struct edge *e = t->e;
	if (!t->listening && t->accept_paused_until && now >= t->accept_paused_until &&
	    !__atomic_load_n(&e->stopping, __ATOMIC_RELAXED)) {
		struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE,
					 .data.ptr = &listener_mark};
		t->accept_paused_until = 0;
		if (epoll_ctl(t->ep, EPOLL_CTL_ADD, e->listen_fd, &ev) == 0)
			t->listening = true;
	}
	for (struct conn *c = t->conns, *next; c; c = next) {
		next = c->next;
		/* the library is gone, and the client takes nothing of what is
		 * left for it: give up after the idle timeout */
		bool stuck = c->inner_eof && c->out_sent < c->out_len &&
			     now - c->last_out > e->idle_timeout_us;
		if (stop_expired || stuck || (c->linger_until && now >= c->linger_until)) {
			conn_close(c);
			continue;
		}
		if (!c->head_deadline || now < c->head_deadline || c->in_state != IN_HEAD ||
		    c->awaiting)
			continue;
		char detail[96];
		snprintf(detail, sizeof detail, "the request head did not arrive within %lld s",
			 (long long)(e->header_timeout_us / 1000000));
		refuse_slow_head(c, detail);
		pump(c);
		if (c->dead)
			conn_close(c);
	}
}

static void *edge_thread_main(void *arg)
{
	struct edge_thread *t = arg;
	struct edge *e = t->e;
	struct epoll_event evs[EVENTS];
	int64_t next_sweep = mono_us() + SWEEP_MS * 1000;
	for (;;) {
		int64_t now = mono_us();
		int wait_ms = next_sweep > now ? (int)((next_sweep - now) / 1000) + 1 : 0;
		int n = epoll_wait(t->ep, evs, EVENTS, wait_ms);
		if (n < 0 && errno != EINTR) {
			log_error("http: epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			if (p == &listener_mark) {
				accept_all(t); /* after edge_quiesce: fails, and unwatches */
				continue;
			}
			if (p == &wake_mark) {
				uint64_t v;
				ssize_t r = read(t->wake, &v, sizeof v);
				(void)r;
				continue;
			}
			struct end *end = p;
			struct conn *c = end->c;
			if (end->fd < 0)
				continue; /* closed earlier in this batch */
			uint32_t ev = evs[i].events;
			if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				end->rd = true;
			if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				end->hup = true;
			if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
				end->wr = true;
			pump(c);
			if (c->dead)
				conn_close(c);
		}
		while (t->graveyard) {
			struct conn *c = t->graveyard;
			t->graveyard = c->next;
			free(c);
		}
		now = mono_us();
		bool stopping = __atomic_load_n(&e->stopping, __ATOMIC_ACQUIRE);
		if (now >= next_sweep || stopping) {
			bool expired = stopping && now - e->stop_at >= STOP_DRAIN_MS * 1000LL;
			sweep(t, now, expired);
			while (t->graveyard) {
				struct conn *c = t->graveyard;
				t->graveyard = c->next;
				free(c);
			}
			next_sweep = now + SWEEP_MS * 1000;
			if (stopping && !t->conns)
				break;
		}
	}
	while (t->conns)
		conn_close(t->conns);
	while (t->graveyard) {
		struct conn *c = t->graveyard;
		t->graveyard = c->next;
		free(c);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                      */

static int listen_on(const char *address, uint16_t port, uint16_t *bound)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		len = sizeof *v4;
	} else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		len = sizeof *v6;
	} else {
		log_error("http: listen address '%s' is not an IP address", address);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, SOMAXCONN))
		goto fail;
	socklen_t sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		goto fail;
	*bound = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
	return fd;
fail:
	log_error("http: cannot listen on %s port %u: %s", address, port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void raise_file_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			log_warn("http: cannot raise the limit of open files: %s",
				 strerror(errno));
	}
}

struct edge *edge_start(const struct edge_options *o, edge_handoff_fn fn, void *cls,
			uint16_t *bound_port)
{
	struct edge *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->opts = *o;
	e->handoff = fn;
	e->cls = cls;
	e->nthreads = o->threads ? o->threads : 2;
	e->header_timeout_us = (int64_t)(o->header_timeout_s ? o->header_timeout_s : 10) * 1000000;
	e->idle_timeout_us = (int64_t)(o->idle_timeout_s ? o->idle_timeout_s : 30) * 1000000;
	raise_file_limit();
	e->listen_fd = listen_on(o->address, o->port, bound_port);
	e->threads = calloc(e->nthreads, sizeof *e->threads);
	if (e->listen_fd < 0 || !e->threads)
		goto fail;
	unsigned started = 0;
	for (; started < e->nthreads; started++) {
		struct edge_thread *t = &e->threads[started];
		t->e = e;
		t->ep = epoll_create1(EPOLL_CLOEXEC);
		t->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE,
					  .data.ptr = &listener_mark};
		struct epoll_event wev = {.events = EPOLLIN, .data.ptr = &wake_mark};
		if (t->ep < 0 || t->wake < 0 ||
		    epoll_ctl(t->ep, EPOLL_CTL_ADD, e->listen_fd, &lev) ||
		    epoll_ctl(t->ep, EPOLL_CTL_ADD, t->wake, &wev) ||
		    pthread_create(&t->tid, NULL, edge_thread_main, t)) {
			log_error("http: cannot start the edge threads: %s", strerror(errno));
			if (t->ep >= 0)
				close(t->ep);
			if (t->wake >= 0)
				close(t->wake);
			break;
		}
		t->listening = true;
	}
	if (started == e->nthreads)
		return e;
	e->nthreads = started;
	edge_stop(e);
	return NULL;
fail:
	if (e->listen_fd >= 0)
		close(e->listen_fd);
	free(e->threads);
	free(e);
	return NULL;
}

void edge_quiesce(struct edge *e)
{
	/* the descriptor stays open (no thread can meet a reused number);
	 * new connections are refused, and accept() fails in every thread,
	 * which then stops watching it */
	if (e && e->listen_fd >= 0)
		shutdown(e->listen_fd, SHUT_RDWR);
}

void edge_stop(struct edge *e)
{
	if (!e)
		return;
	edge_quiesce(e);
	e->stop_at = mono_us();
	__atomic_store_n(&e->stopping, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < e->nthreads; i++) {
		uint64_t one = 1;
		ssize_t w = write(e->threads[i].wake, &one, sizeof one);
		(void)w;
	}
	for (unsigned i = 0; i < e->nthreads; i++) {
		pthread_join(e->threads[i].tid, NULL);
		close(e->threads[i].ep);
		close(e->threads[i].wake);
	}
	close(e->listen_fd);
	free(e->threads);
	free(e);
}
