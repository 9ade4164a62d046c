/*
 * test_http_workers.c - how the HTTP server deals connections to its worker
 * threads: a socket is moved to the number of the worker chosen (and stays
 * the same socket), and connections opened one after another are dealt to
 * every worker in turn, so that requests on different connections run at
 * once; they used to share a worker whenever the sockets' numbers fell into
 * steps of the pool's size.
 */
#include <arpa/inet.h>
#include <fcntl.h>
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

/* Four connections, opened one after another (each handed over before the
 * next opens, so that their sockets' numbers fall in steps), each sending a
 * request that waits in the handler for the others: all four are inside at
 * once, each on a worker of its own. */
static void connections_are_dealt_to_every_worker(void **state)
{
	(void)state;
	struct http_server_options o = {
		.address = "127.0.0.1",
		.threads = WORKERS,
		.max_body = 1024,
		.timeout_s = 30,
		.conn_limit = 64,
		.per_ip_limit = 64,
		.conn_memory = 32 * 1024,
	};
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
		size_t got = 0;
		while (got < sizeof answer - 1) {
			ssize_t r = read(fds[i], answer + got, sizeof answer - 1 - got);
			if (r <= 0)
				break;
			got += (size_t)r;
			answer[got] = '\0';
			char *body = strstr(answer, "\r\n\r\n");
			if (body && body[4])
				break;
		}
		answer[got] = '\0';
		assert_non_null(strstr(answer, "HTTP/1.1 200"));
		close(fds[i]);
	}
	http_server_stop(s);
	print_message("at most %d requests in the handler at once\n", crowded);
	assert_int_equal(crowded, WORKERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_socket_is_moved_to_its_workers_number),
		cmocka_unit_test(connections_are_dealt_to_every_worker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
