/*
 * test_http_workers.c - how the HTTP server deals connections to its worker
 * threads: a socket is moved to the number of the worker chosen (and stays
 * the same socket), and connections opened one after another are dealt to
 * every worker in turn, so that requests on different connections run at
 * once; they used to share a worker whenever the sockets' numbers fell into
 * steps of the pool's size. And a request its handler sends apart runs on
 * the apart pool, so that a long one does not keep the other connections
 * of its worker waiting.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_support.h"
#include "http/server.h"

/* Moved to each worker of four in turn: the number is the worker's, the
 * old number is closed, and what is written to the new one reaches the
 * socket's other end. */
static void a_socket_is_moved_to_its_workers_number(void **state)
{
	(void)state;
	for (unsigned want = 0; want < 4; want++) {
		int sv[2];
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		int fd = http_fd_on_worker(sv[1], 4, want);
		assert_int_equal((unsigned)fd % 4, want);
		if (fd != sv[1])
			assert_int_equal(fcntl(sv[1], F_GETFD), -1);
		assert_int_equal(write(fd, "kouan", 5), 5);
		char got[8] = "";
		assert_int_equal(read(sv[0], got, sizeof got), 5);
		assert_memory_equal(got, "kouan", 5);
		close(fd);
		close(sv[0]);
	}
	/* one worker: nothing to choose */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(http_fd_on_worker(sv[1], 1, 0), sv[1]);
	close(sv[0]);
	close(sv[1]);
}

#define WORKERS 4

static int inside;  /* requests in the handler now (atomic) */
static int crowded; /* the most seen in it at once (atomic) */

/* Wait (3 s at most) until every worker runs a request, then answer how
 * many were inside at once. */
static void gather(void *cls, const struct http_request *req, struct http_response *resp)
{
	(void)cls;
	(void)req;
	int n = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 300 && n < WORKERS; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		n = __atomic_load_n(&inside, __ATOMIC_SEQ_CST);
	}
	int seen = __atomic_load_n(&crowded, __ATOMIC_SEQ_CST);
	while (n > seen &&
	       !__atomic_compare_exchange_n(&crowded, &seen, n, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST))
		;
	__atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
	resp->content_type = "text/plain";
	/* no assert off the test's thread */
	resp->status = buf_printf(&resp->body, "%d", n) ? 500 : 200;
}

static int connect_to(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

/* Read one answer (its head and a body of a few bytes) within 10 s: its
 * text, or "" when none came. */
static void read_answer(int fd, char *answer, size_t n)
{
	size_t got = 0;
	answer[0] = '\0';
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 10;
	while (got < n - 1) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > until.tv_sec ||
		    (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
			break;
		struct timeval tv = {0, 100 * 1000};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		ssize_t r = read(fd, answer + got, n - 1 - got);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		answer[got] = '\0';
		char *body = strstr(answer, "\r\n\r\n");
		if (body && body[4])
			break;
	}
}

/* The server's options for a test: `threads` workers, `apart` apart. */
static struct http_server_options options(unsigned threads, unsigned apart)
{
	return (struct http_server_options){
		.address = "127.0.0.1",
		.threads = threads,
		.apart_threads = apart,
		.max_body = 1024,
		.timeout_s = 30,
		.conn_limit = 64,
		.per_ip_limit = 64,
		.conn_memory = 32 * 1024,
	};
}

/* Four connections, opened one after another (each handed over before the
 * next opens, so that their sockets' numbers fall in steps), each sending a
 * request that waits in the handler for the others: all four are inside at
 * once, each on a worker of its own. */
static void connections_are_dealt_to_every_worker(void **state)
{
	(void)state;
	struct http_server_options o = options(WORKERS, 0);
	uint16_t port = 0;
	struct http_server *s = http_server_start(&o, gather, NULL, &port);
	assert_non_null(s);
	int fds[WORKERS];
	static const char request[] = "GET /gather HTTP/1.1\r\nHost: kouan\r\n\r\n";
	for (int i = 0; i < WORKERS; i++) {
		fds[i] = connect_to(port);
		assert_int_equal(write(fds[i], request, sizeof request - 1),
				 (ssize_t)(sizeof request - 1));
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < WORKERS; i++) {
		char answer[1024];
		read_answer(fds[i], answer, sizeof answer);
		assert_non_null(strstr(answer, "HTTP/1.1 200"));
		close(fds[i]);
	}
	http_server_stop(s);
	print_message("at most %d requests in the handler at once\n", crowded);
	assert_int_equal(crowded, WORKERS);
}

/* The long request (/slow) asks to run apart, and there waits until the
 * test lets it go; /fast answers at once. Each answers whether it ran apart. */
static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cond = PTHREAD_COND_INITIALIZER;
static bool slow_inside, slow_go;

static pthread_t slow_thread; /* the thread /slow ran on */

static void slow_or_fast(void *cls, const struct http_request *req, struct http_response *resp)
{
	(void)cls;
	resp->content_type = "text/plain";
	if (!strcmp(req->path, "/if-idle")) { /* apart only to an idle thread */
		if (!req->apart) {
			resp->run_apart = resp->apart_if_idle = true;
			return;
		}
		bool pool = pthread_equal(pthread_self(), slow_thread);
		resp->status = buf_printf(&resp->body, "/if-idle pool=%d", pool) ? 500 : 200;
		return;
	}
	if (!strcmp(req->path, "/slow")) {
		if (!req->apart) {
			resp->run_apart = true;
			return;
		}
		pthread_mutex_lock(&slow_lock);
		slow_thread = pthread_self();
		slow_inside = true;
		pthread_cond_broadcast(&slow_cond);
		while (!slow_go)
			pthread_cond_wait(&slow_cond, &slow_lock);
		pthread_mutex_unlock(&slow_lock);
	}
	/* no assert off the test's thread */
	resp->status = buf_printf(&resp->body, "%s apart=%d", req->path, req->apart) ? 500 : 200;
}

static struct http_server *start_one_worker(unsigned apart_threads, uint16_t *port)
{
	struct http_server_options o = options(1, apart_threads);
	slow_inside = slow_go = false;
	struct http_server *s = http_server_start(&o, slow_or_fast, NULL, port);
	assert_non_null(s);
	return s;
}

/* Wait until /slow is in its handler. */
static void wait_for_slow(void)
{
	pthread_mutex_lock(&slow_lock);
	while (!slow_inside)
		pthread_cond_wait(&slow_cond, &slow_lock);
	pthread_mutex_unlock(&slow_lock);
}

static void send_request(int fd, const char *path)
{
	char request[128];
	int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: kouan\r\n\r\n",
			 path);
	assert_int_equal(write(fd, request, (size_t)n), n);
}

/* A server of one worker and a pool of one apart, with a long request
 * held in its handler on one connection (*slow) and another connection
 * open (*other). */
static struct http_server *hold_a_long_request(uint16_t *port, int *slow, int *other)
{
	struct http_server *s = start_one_worker(1, port);
	*slow = connect_to(*port);
	*other = connect_to(*port);
	send_request(*slow, "/slow");
	wait_for_slow();
	return s;
}

/* One worker, and a pool of one apart: a long request on one connection
 * runs apart, and while it waits, a request on another connection (on the
 * same worker, there being one) is answered; then the long one is. */
static void a_long_request_runs_apart_from_its_worker(void **state)
{
	(void)state;
	uint16_t port = 0;
	int slow, fast;
	struct http_server *s = hold_a_long_request(&port, &slow, &fast);
	send_request(fast, "/fast");
	char answer[1024];
	read_answer(fast, answer, sizeof answer);
	assert_non_null(strstr(answer, "HTTP/1.1 200"));
	assert_non_null(strstr(answer, "/fast apart=0"));
	pthread_mutex_lock(&slow_lock);
	assert_true(slow_inside && !slow_go); /* answered while the long one waits */
	slow_go = true;
	pthread_cond_broadcast(&slow_cond);
	pthread_mutex_unlock(&slow_lock);
	read_answer(slow, answer, sizeof answer);
	assert_non_null(strstr(answer, "HTTP/1.1 200"));
	assert_non_null(strstr(answer, "/slow apart=1"));
	/* the connection goes on: its next request runs on its worker again */
	send_request(slow, "/fast");
	read_answer(slow, answer, sizeof answer);
	assert_non_null(strstr(answer, "/fast apart=0"));
	close(slow);
	close(fast);
	http_server_stop(s);
}

/* Without a pool the long request runs on its worker, apart set all the
 * same. */
static void without_a_pool_it_runs_on_its_worker(void **state)
{
	(void)state;
	uint16_t port = 0;
	struct http_server *s = start_one_worker(0, &port);
	int fd = connect_to(port);
	pthread_mutex_lock(&slow_lock);
	slow_go = true;
	pthread_mutex_unlock(&slow_lock);
	send_request(fd, "/slow");
	char answer[1024];
	read_answer(fd, answer, sizeof answer);
	assert_non_null(strstr(answer, "/slow apart=1"));
	close(fd);
	http_server_stop(s);
}

/* A request that goes apart only to an idle thread: while the pool's one
 * thread runs a long request, it runs at once on its worker; once the pool
 * is idle again, it runs there (on the thread that ran the long one). */
static void apart_if_idle_runs_here_when_the_pool_is_busy(void **state)
{
	(void)state;
	uint16_t port = 0;
	int slow, other;
	struct http_server *s = hold_a_long_request(&port, &slow, &other);
	send_request(other, "/if-idle");
	char answer[1024];
	read_answer(other, answer, sizeof answer);
	assert_non_null(strstr(answer, "/if-idle pool=0"));
	pthread_mutex_lock(&slow_lock);
	assert_false(slow_go); /* answered while the pool was busy */
	slow_go = true;
	pthread_cond_broadcast(&slow_cond);
	pthread_mutex_unlock(&slow_lock);
	read_answer(slow, answer, sizeof answer);
	assert_non_null(strstr(answer, "/slow apart=1"));
	/* the pool's thread is idle soon after it has answered (until then the
	 * request runs here, which is right too) */
	bool on_pool = false;
	for (int i = 0; i < 100 && !on_pool; i++) {
		send_request(other, "/if-idle");
		read_answer(other, answer, sizeof answer);
		assert_non_null(strstr(answer, "HTTP/1.1 200"));
		on_pool = strstr(answer, "/if-idle pool=1") != NULL;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	assert_true(on_pool);
	close(slow);
	close(other);
	http_server_stop(s);
}

static void *let_slow_go(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&slow_lock);
	slow_go = true;
	pthread_cond_broadcast(&slow_cond);
	pthread_mutex_unlock(&slow_lock);
	return NULL;
}

/* Stopping the server while a request runs apart: the stop waits for it,
 * its answer goes out, and only then does the library stop (it must not
 * find a connection still suspended). */
static void a_stop_waits_for_a_request_apart(void **state)
{
	(void)state;
	uint16_t port = 0;
	struct http_server *s = start_one_worker(2, &port);
	int fd = connect_to(port);
	send_request(fd, "/slow");
	wait_for_slow();
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, let_slow_go, NULL), 0);
	http_server_stop(s);
	pthread_join(t, NULL);
	char answer[1024];
	read_answer(fd, answer, sizeof answer);
	assert_non_null(strstr(answer, "/slow apart=1"));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_socket_is_moved_to_its_workers_number),
		cmocka_unit_test(connections_are_dealt_to_every_worker),
		cmocka_unit_test(a_long_request_runs_apart_from_its_worker),
		cmocka_unit_test(without_a_pool_it_runs_on_its_worker),
		cmocka_unit_test(a_stop_waits_for_a_request_apart),
		cmocka_unit_test(apart_if_idle_runs_here_when_the_pool_is_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
