/*
 * server.c - libmicrohttpd glue (see server.h).
 *
 * Connections come from the edge (edge.c), which owns the listening socket
 * and judges every request head before MHD sees it; MHD gets one end of a
 * socket pair per connection (MHD_add_connection), with the client's
 * address, so its connection limits and idle timeout apply as before.
 *
 * MHD calls the access handler several times per request: first with the
 * headers, then once per piece of body, then once with no data. We collect
 * the body (up to the limit) and answer on the last call, so keep-alive
 * works. A body over the limit is read and dropped and answered 413 at the
 * end (a proxy that is still sending it would otherwise see a reset); one
 * declared over 8 times the limit is answered at once and the connection
 * closed, without reading it.
 *
 * Parking: a handler with no answer yet (a long-poll with nothing new)
 * sets park_until_us; its connection is suspended (MHD_suspend_connection)
 * and holds no thread, and one waker thread resumes it at its deadline or
 * at http_server_wake, whichever comes first; MHD then calls the access
 * handler again and the request runs again, with parked_until_us set. A
 * wake between the start of a run and its park (wakes counts them) runs it
 * again at once. Stopping resumes every parked connection first.
 *
 * Running apart: a worker runs its connections' requests one at a time, so
 * one long request (a batch of a hundred declarations) kept every other
 * connection dealt to that worker waiting (bench/README, issue 13,
 * fourteenth round). A handler that sets run_apart has its request
 * suspended and queued for the apart pool; a pool thread runs the handler
 * again (apart set), keeps the answer with the request and resumes the
 * connection; MHD then calls the access handler again, which sends it.
 * A request that asks to go only to an idle thread (apart_if_idle) runs on
 * its worker when every thread of the pool is busy or spoken for. Stopping
 * lets the pool finish what is queued before MHD stops; a request that
 * asks afterwards (or before any body is read) runs on its worker.
 *
 * Must never: listen on a socket itself, or answer a HEAD request with a
 * body (MHD drops it; the access log counts 0 bytes).
 */
#include "http/server.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "http/edge.h"
#include "http/problem.h"

struct conn_state;
struct apart_job;

struct http_server {
	struct MHD_Daemon *daemon;
	unsigned workers;     /* MHD's thread pool */
	unsigned next_worker; /* the one the next connection goes to (atomic) */
	struct edge *edge;
	struct http_server_options opts;
	http_handler_fn fn;
	void *cls;
	int in_flight; /* requests begun and not completed (atomic) */
	/* parking: the parked requests, the waker thread and its signal */
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
	struct conn_state *parked; /* list, by next_parked */
	size_t nparked;
	uint64_t wakes;  /* http_server_wake calls so far (under park_lock) */
	bool woken;      /* a wake the waker has not acted on */
	bool stopping;   /* resume everything and park nothing more */
	pthread_t waker;
	bool waker_running;
	/* running apart: the queued requests and the pool's threads */
	pthread_mutex_t apart_lock;
	pthread_cond_t apart_cond;
	struct apart_job *apart_head, *apart_tail;
	bool apart_open; /* the pool takes requests */
	unsigned apart_idle;   /* its threads waiting for a request */
	unsigned apart_queued; /* requests queued for it */
	pthread_t *apart_threads;
	unsigned napart;
};

struct conn_state {
	struct buf body;
	bool too_large;
	bool begun; /* the access handler has seen this request */
	int64_t started_us;
	char *raw_path; /* as sent, without the query: for the access log */
	/* parking */
	struct MHD_Connection *conn;
	int64_t parked_until_us; /* 0: never parked */
	struct conn_state *next_parked;
	/* the answer a pool thread made, to send when the connection resumes
	 * (apart_failed: it had no memory for one, and the connection closes) */
	struct http_response *answer;
	bool apart_failed;
};

/* A request queued to run apart: its request as the worker built it (the
 * strings it points to are MHD's, kept while the connection is suspended,
 * and the state's body), with the peer's address copied. */
struct apart_job {
	struct MHD_Connection *conn;
	struct conn_state *st;
	struct http_request req;
	char peer[64];
	struct apart_job *next;
};

struct collect {
	struct http_pair *pairs;
	size_t n;
};

static enum MHD_Result collect_pair(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *value)
{
	(void)kind;
	struct collect *c = cls;
	if (c->n < HTTP_MAX_PAIRS) {
		c->pairs[c->n].name = key;
		c->pairs[c->n].value = value ? value : "";
		c->n++;
	}
	return MHD_YES;
}

static void peer_address(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	edge_peer_text(ci ? ci->client_addr : NULL, out, n);
}

/* Park a request until `until` (its first deadline stays): suspend its
 * connection and list it for the waker. False when it must run again at
 * once: a wake came after the run began, or the server is stopping. */
static bool park(struct http_server *s, struct MHD_Connection *conn, struct conn_state *st,
		 const struct http_request *req, int64_t until)
{
	pthread_mutex_lock(&s->park_lock);
	if (!st->parked_until_us)
		st->parked_until_us = until;
	bool now = s->stopping || s->wakes != req->wakes_seen ||
		   st->parked_until_us <= http_now_us();
	if (!now) {
		/* suspended under the lock: the waker cannot resume it first */
		MHD_suspend_connection(conn);
		st->conn = conn;
		st->next_parked = s->parked;
		s->parked = st;
		s->nparked++;
		pthread_cond_signal(&s->park_cond);
	}
	pthread_mutex_unlock(&s->park_lock);
	return !now;
}

/* Resume the parked requests that are due (all of them when woken or
 * stopping). Called with park_lock held. */
static void resume_due(struct http_server *s, bool all, int64_t now, int64_t *next)
{
	struct conn_state **p = &s->parked;
	*next = INT64_MAX;
	while (*p) {
		struct conn_state *st = *p;
		if (all || st->parked_until_us <= now) {
			*p = st->next_parked;
			st->next_parked = NULL;
			s->nparked--;
			MHD_resume_connection(st->conn);
		} else {
			if (st->parked_until_us < *next)
				*next = st->parked_until_us;
			p = &st->next_parked;
		}
	}
}

static void *waker_main(void *arg)
{
	struct http_server *s = arg;
	pthread_mutex_lock(&s->park_lock);
	for (;;) {
		bool all = s->woken || s->stopping;
		s->woken = false;
		int64_t next;
		resume_due(s, all, http_now_us(), &next);
		if (s->stopping)
			break;
		if (s->woken)
			continue;
		if (next == INT64_MAX) {
			pthread_cond_wait(&s->park_cond, &s->park_lock);
		} else {
			/* park_cond runs on CLOCK_MONOTONIC, as http_now_us */
			struct timespec ts = {(time_t)(next / 1000000), (long)(next % 1000000) * 1000};
			pthread_cond_timedwait(&s->park_cond, &s->park_lock, &ts);
		}
	}
	pthread_mutex_unlock(&s->park_lock);
	return NULL;
}

void http_server_wake(struct http_server *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->park_lock);
	s->wakes++;
	s->woken = true;
	pthread_cond_signal(&s->park_cond);
	pthread_mutex_unlock(&s->park_lock);
}

size_t http_server_parked(struct http_server *s)
{
	pthread_mutex_lock(&s->park_lock);
	size_t n = s->nparked;
	pthread_mutex_unlock(&s->park_lock);
	return n;
}

/* Queue a request to run apart and suspend its connection (under the lock,
 * so that a pool thread cannot resume it first). False when the pool takes
 * none (there is none, or it is stopping; or, if_idle, no thread of it is
 * free for one more) or is out of memory. */
static bool queue_apart(struct http_server *s, struct MHD_Connection *conn,
			struct conn_state *st, const struct http_request *req, const char *peer,
			bool if_idle)
{
	struct apart_job *j = calloc(1, sizeof *j);
	if (!j)
		return false;
	pthread_mutex_lock(&s->apart_lock);
	if (!s->apart_open || (if_idle && s->apart_idle <= s->apart_queued)) {
		pthread_mutex_unlock(&s->apart_lock);
		free(j);
		return false;
	}
	j->conn = conn;
	j->st = st;
	j->req = *req;
	j->req.apart = true;
	str_copy(j->peer, peer, sizeof j->peer);
	j->req.remote = j->peer;
	MHD_suspend_connection(conn);
	if (s->apart_tail)
		s->apart_tail->next = j;
	else
		s->apart_head = j;
	s->apart_tail = j;
	s->apart_queued++;
	pthread_cond_signal(&s->apart_cond);
	pthread_mutex_unlock(&s->apart_lock);
	return true;
}

/* A pool thread: run the queued requests, keep each answer with its
 * request and resume its connection; once the pool is closed, finish what
 * is queued and stop. */
static void *apart_main(void *arg)
{
	struct http_server *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->apart_lock);
		s->apart_idle++;
		while (!s->apart_head && s->apart_open)
			pthread_cond_wait(&s->apart_cond, &s->apart_lock);
		s->apart_idle--;
		struct apart_job *j = s->apart_head;
		if (j) {
			if (!(s->apart_head = j->next))
				s->apart_tail = NULL;
			s->apart_queued--;
		}
		pthread_mutex_unlock(&s->apart_lock);
		if (!j)
			return NULL;
		struct http_response *resp = malloc(sizeof *resp);
		if (resp) {
			http_response_init(resp);
			s->fn(s->cls, &j->req, resp);
			if (resp->park_until_us > 0 || resp->run_apart) {
				log_error("http: %s %s asked to wait or to run apart, apart",
					  j->req.method, j->req.path);
				http_response_free(resp);
				http_response_init(resp);
				problem_respond(resp, KERR_INTERNAL, j->req.path,
						"the request could not be answered", NULL);
			}
		}
		j->st->answer = resp;
		j->st->apart_failed = !resp;
		MHD_resume_connection(j->conn);
		free(j);
	}
}

/* Close the pool: no request is queued after this, and it returns once
 * every queued one has run and its connection is resumed. */
static void stop_apart(struct http_server *s)
{
	pthread_mutex_lock(&s->apart_lock);
	s->apart_open = false;
	pthread_cond_broadcast(&s->apart_cond);
	pthread_mutex_unlock(&s->apart_lock);
	for (unsigned i = 0; i < s->napart; i++)
		pthread_join(s->apart_threads[i], NULL);
	s->napart = 0;
}

/* Send an answer (taking its body) and log it. */
static enum MHD_Result send_answer(struct http_server *s, struct MHD_Connection *conn,
				   const char *method, const char *peer, struct conn_state *st,
				   struct http_response *resp)
{
	size_t len = resp->body.len;
	char *data = buf_take(&resp->body);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	if (len || resp->status != 204)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	/* answers are not cached unless the handler says how (the browser
	 * interface's assets) */
	bool cache_set = false;
	for (size_t i = 0; i < resp->nheaders; i++)
		cache_set |= strcasecmp(resp->headers[i].name, "Cache-Control") == 0;
	if (!cache_set)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	if (st->too_large)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	if (s->opts.access_log)
		edge_log_access(peer, method, st->raw_path, resp->status,
				strcmp(method, "HEAD") ? len : 0,
				kclock_now(&kclock_system) - st->started_us);
	return ret;
}

/* Answer a request: run the handler (again, when it parked), or queue it to
 * run apart (only once its body is read: `whole`), or send the answer a
 * pool thread made for it. */
static enum MHD_Result respond(struct http_server *s, struct MHD_Connection *conn,
			       const char *method, const char *url,
			       struct conn_state *st, bool whole)
{
	if (st->apart_failed)
		return MHD_NO; /* closes the connection */
	char peer[64];
	peer_address(conn, peer, sizeof peer);
	struct http_response resp;
	if (st->answer) { /* run apart, and back */
		resp = *st->answer;
		free(st->answer);
		st->answer = NULL;
		enum MHD_Result ret = send_answer(s, conn, method, peer, st, &resp);
		http_response_free(&resp);
		return ret;
	}
	struct http_request req;
	memset(&req, 0, sizeof req);
	req.method = method;
	req.path = url;
	struct collect h = {req.headers, 0}, q = {req.query, 0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_pair, &h);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_pair, &q);
	req.nheaders = h.n;
	req.nquery = q.n;
	req.body = st->body.data;
	req.body_len = st->body.len;
	req.body_too_large = st->too_large;
	req.remote = peer;
	req.parked_until_us = st->parked_until_us;

	for (;;) {
		pthread_mutex_lock(&s->park_lock);
		req.wakes_seen = s->wakes;
		pthread_mutex_unlock(&s->park_lock);
		http_response_init(&resp);
		s->fn(s->cls, &req, &resp);
		if (resp.run_apart && !req.apart) {
			bool if_idle = resp.apart_if_idle;
			http_response_free(&resp);
			if (whole && queue_apart(s, conn, st, &req, peer, if_idle))
				return MHD_YES; /* answered when the pool has run it */
			req.apart = true; /* no pool to take it: here, then */
			continue;
		}
		if (resp.park_until_us <= 0)
			break;
		http_response_free(&resp);
		if (park(s, conn, st, &req, resp.park_until_us))
			return MHD_YES; /* runs again when resumed */
		req.parked_until_us = st->parked_until_us; /* woken meanwhile: again */
	}
	enum MHD_Result ret = send_answer(s, conn, method, peer, st, &resp);
	http_response_free(&resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct http_server *s = cls;
	struct conn_state *st = *con_cls;
	if (!st)
		return MHD_NO; /* on_uri did not get its memory */
	if (!st->begun) {
		st->begun = true;
		buf_init(&st->body, s->opts.max_body);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
		if (len > s->opts.max_body) {
			st->too_large = true;
			buf_free(&st->body);
			/* Far too large: answer before reading it, and MHD closes.
			 * Otherwise read and drop it and answer 413 at the end, so
			 * that a client or proxy still writing the body (nginx)
			 * gets our answer instead of a reset connection. */
			if (len > 8 * (unsigned long long)s->opts.max_body)
				return respond(s, conn, method, url, st, false);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* a chunked body over the limit is read and dropped, and
		 * answered at the end (MHD takes no answer in mid-upload) */
		if (!st->too_large &&
		    buf_append(&st->body, upload_data, *upload_data_size) != KERR_OK) {
			st->too_large = true;
			buf_free(&st->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return respond(s, conn, method, url, st, true);
}

/* MHD read a request line: its per-request state begins here, with the
 * path as sent (the access handler gets it decoded). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	struct http_server *s = cls;
	struct conn_state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->raw_path = strndup(uri, strcspn(uri, "?"));
	st->started_us = kclock_now(&kclock_system);
	__atomic_add_fetch(&s->in_flight, 1, __ATOMIC_RELAXED);
	return st;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct http_server *s = cls;
	struct conn_state *st = *con_cls;
	if (st) {
		__atomic_sub_fetch(&s->in_flight, 1, __ATOMIC_RELAXED);
		if (st->answer) { /* the client left before it was sent */
			http_response_free(st->answer);
			free(st->answer);
		}
		buf_free(&st->body);
		free(st->raw_path);
		free(st);
		*con_cls = NULL;
	}
}

/* Move the socket fd to a number that is `want` modulo `workers` (the
 * lowest free one past it that is), closing fd; fd itself when it already
 * is, or when no such number is found in a few tries (the process is out
 * of descriptors, or others take them meanwhile). */
int http_fd_on_worker(int fd, unsigned workers, unsigned want)
{
	if (workers < 2 || (unsigned)fd % workers == want)
		return fd;
	int from = fd + 1;
	for (int tries = 0; tries < 8; tries++) {
		int at = from + (int)((want + workers - (unsigned)from % workers) % workers);
		int d = fcntl(fd, F_DUPFD_CLOEXEC, at);
		if (d < 0)
			return fd;
		if ((unsigned)d % workers == want) {
			close(fd);
			return d;
		}
		close(d); /* `at` was taken: look past the number given */
		from = d + 1;
	}
	return fd;
}

/* The edge hands over a connection: MHD's end of its socket pair. MHD
 * gives it to the worker thread whose place in the pool is the socket's
 * number modulo the pool's size (the first after it with room), and that
 * thread runs each of its connections' requests in turn. The edge takes
 * three numbers a connection, and a worker's database connection takes
 * one more when it first runs a request, so the numbers fall into steps,
 * and two busy connections could share one worker while the others idled:
 * a benchmark's two connections lodged at a third of the rate, minutes at
 * a time (bench/README, issue 13, thirteenth round). So the socket is
 * moved to the number of the next worker in turn. */
static bool on_handoff(void *cls, int fd, const struct sockaddr *peer, socklen_t len)
{
	struct http_server *s = cls;
	unsigned turn = __atomic_fetch_add(&s->next_worker, 1, __ATOMIC_RELAXED);
	fd = http_fd_on_worker(fd, s->workers, turn % s->workers);
	return MHD_add_connection(s->daemon, fd, peer, len) == MHD_YES;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	/* MHD takes its end of the socket pair for TCP (it has the client's
	 * address) and says so when TCP options fail on it: not news */
	if (!strncmp(line, "Setting TCP_", 12) ||
	    !strncmp(line, "Failed to push the data from buffers", 36))
		return;
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	log_warn("http: %s", line);
}

static void free_server(struct http_server *s)
{
	pthread_mutex_destroy(&s->park_lock);
	pthread_cond_destroy(&s->park_cond);
	pthread_mutex_destroy(&s->apart_lock);
	pthread_cond_destroy(&s->apart_cond);
	free(s->apart_threads);
	free(s);
}

/* Start the apart pool's threads; false (none left running) on failure. */
static bool start_apart(struct http_server *s, unsigned n)
{
	if (!n)
		return true;
	if (!(s->apart_threads = calloc(n, sizeof *s->apart_threads)))
		return false;
	s->apart_open = true;
	for (; s->napart < n; s->napart++) {
		if (pthread_create(&s->apart_threads[s->napart], NULL, apart_main, s)) {
			stop_apart(s);
			return false;
		}
	}
	return true;
}

/* Resume every parked request and stop the waker; nothing parks after. */
static void stop_waker(struct http_server *s)
{
	pthread_mutex_lock(&s->park_lock);
	s->stopping = true;
	pthread_cond_signal(&s->park_cond);
	pthread_mutex_unlock(&s->park_lock);
	if (s->waker_running)
		pthread_join(s->waker, NULL);
	s->waker_running = false;
}

struct http_server *http_server_start(const struct http_server_options *o,
				      http_handler_fn fn, void *cls,
				      uint16_t *bound_port)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->opts = *o;
	s->fn = fn;
	s->cls = cls;
	pthread_mutex_init(&s->park_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->park_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&s->apart_lock, NULL);
	pthread_cond_init(&s->apart_cond, NULL);
	s->workers = o->threads ? o->threads : 8;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_SUSPEND_RESUME;
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL, /* must come first */
		MHD_OPTION_THREAD_POOL_SIZE, s->workers,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)o->conn_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)o->per_ip_limit,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)o->conn_memory,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
		MHD_OPTION_END);
	if (!s->daemon) {
		log_error("http: cannot start the HTTP library");
		free_server(s);
		return NULL;
	}
	if (pthread_create(&s->waker, NULL, waker_main, s)) {
		log_error("http: cannot start the thread that resumes parked requests");
		MHD_stop_daemon(s->daemon);
		free_server(s);
		return NULL;
	}
	s->waker_running = true;
	if (!start_apart(s, o->apart_threads)) {
		log_error("http: cannot start the threads that run requests apart");
		stop_waker(s);
		MHD_stop_daemon(s->daemon);
		free_server(s);
		return NULL;
	}
	struct edge_options eo = {
		.address = o->address,
		.port = o->port,
		.header_timeout_s = o->header_timeout_s,
		.idle_timeout_s = o->timeout_s,
		.access_log = o->access_log,
	};
	s->edge = edge_start(&eo, on_handoff, s, bound_port);
	if (!s->edge) {
		stop_apart(s);
		stop_waker(s);
		MHD_stop_daemon(s->daemon);
		free_server(s);
		return NULL;
	}
	return s;
}

void http_server_quiesce(struct http_server *s)
{
	if (s)
		edge_quiesce(s->edge);
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	edge_quiesce(s->edge);
	stop_waker(s); /* every parked request runs again and answers */
	/* let requests in flight finish and their answers go out (10 s at most);
	 * idle keep-alive connections are then closed by MHD_stop_daemon, and
	 * the edge sends on what is left and closes the clients' sockets */
	for (int i = 0; i < 1000 && __atomic_load_n(&s->in_flight, __ATOMIC_RELAXED) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	stop_apart(s); /* what it holds runs and its connections resume first */
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	edge_stop(s->edge);
	free_server(s);
}
