/*
 * ingest.c - the ingest benchmark: how many goods declarations a running
 * kouan server accepts per second, measured against how many trivial
 * requests (GET /v1/healthz) the same HTTP stack answers in the same run.
 *
 * Each worker thread holds one blocking HTTP/1.1 keep-alive connection and
 * sends hand-written requests on it, reading back the status line, the
 * headers and a Content-Length body; no HTTP library, so the client costs
 * little next to the server it measures. Every declaration is the demo
 * laptop declaration with its own bill of lading and Idempotency-Key,
 * declared in advance of the airline's manifest (the demo flight's manifest
 * lacks those bills, and a bill it lacks is refused unless declared in
 * advance), so every 201 is a new row, with its consignment's claim,
 * written durably by the server. By default all of them are lodged at one
 * office on one flight; --offices N spreads the workers over N offices,
 * each on its own flight or vessel call, as a national single window's
 * load is spread.
 *
 * Phases: log in; warm up (declarations, not counted); then --seconds
 * one-second slices of declarations alternating with as many of healthz,
 * so that a shared machine's drift hits both alike and the ratio holds.
 * A slice stops issuing requests when its time is up and every request has
 * a hard deadline, so the program always ends by itself.
 *
 * It must never talk to anything but a loopback address: the URL's host is
 * checked before any connection is made. It prints figures and never
 * asserts on them; it is a benchmark, not a test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/secret.h"
#include "common/buf.h"

#define RESPONSE_MAX (4u << 20) /* largest response we accept */
#define REQUEST_MAX (256u << 10)
#define GRACE_US (5 * 1000000LL) /* a request may end this long after its slice */
#define MAX_CONCURRENCY 1024
#define MAX_ITEMS 50 /* DECL_MAX_ITEMS in src/domain/declaration.h */
#define NOFFICES 8   /* entries of offices[] */
#define MAX_STATUS 600
#define SLICE_MS 1000 /* declarations and healthz alternate this often */

/* Failures that are not an HTTP status, counted in the status table at
 * these indices (all below 100, which no HTTP status uses). */
enum fail {
	FAIL_CONNECT = 1,
	FAIL_IO = 2,
	FAIL_TIMEOUT = 3,
	FAIL_PROTOCOL = 4,
};

static const char *fail_name(int i)
{
	switch (i) {
	case FAIL_CONNECT:
		return "connect failed";
	case FAIL_IO:
		return "connection lost";
	case FAIL_TIMEOUT:
		return "timed out";
	case FAIL_PROTOCOL:
		return "bad HTTP answer";
	default:
		return "?";
	}
}

/* ---- options ---- */

struct options {
	char host[256];
	char port[8];
	char host_header[300];
	unsigned concurrency;
	unsigned seconds;
	unsigned warmup;
	unsigned items;
	unsigned offices; /* customs offices (and calls) the declarations are spread over */
	bool declarations; /* run declaration slices */
	bool healthz; /* run healthz slices */
	unsigned rate; /* declarations/s paced across all connections; 0: as fast as answered */
	unsigned batch; /* declarations per request through /v1/declarations/batch; 0: one by one */
	unsigned followers; /* idle long-polls of the event feed held open during the run */
	const char *user;
	const char *password;
	char password_read[SECRET_MAX]; /* from --password-file */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_ingest --url http://127.0.0.1:PORT [options]\n"
		"  --concurrency N   connections, one per thread (default 16)\n"
		"  --seconds S       seconds of each kind of request (default 10)\n"
		"  --warmup S        declarations sent first and not counted (default 1)\n"
		"  --items N         items per declaration, 1..%d (default 1)\n"
		"  --offices N       spread the declarations over N customs offices,\n"
		"                    each with its own port and vessel or flight call,\n"
		"                    1..%d (default 1: one office and one call, the worst\n"
		"                    case for the office's numbering and the call's lock)\n"
		"  --user U          declarant to log in as (default trader)\n"
		"  --password-file F its password, the first line of F (default\n"
		"                    trader-demo-2026, the demo's)\n"
		"  --only KIND       declarations or healthz: one kind alone, no ratio\n"
		"                    (for profiling the server on one kind of request)\n"
		"  --batch N         send declarations N at a time through\n"
		"                    POST /v1/declarations/batch (1..100); rates count\n"
		"                    declarations accepted, not requests\n"
		"  --followers N     hold N idle followers of the event feed (long-polls\n"
		"                    that wait for events no one writes) open throughout\n"
		"  --rate R          send declarations at R a second in all (declarations\n"
		"                    only); latency counts from each request's due time\n"
		"Only loopback addresses are accepted.\n",
		MAX_ITEMS, NOFFICES);
}

static bool parse_unsigned(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	if (!v || *v < '0' || *v > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long x = strtoul(v, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return false;
	*out = (unsigned)x;
	return true;
}

/* Split http://HOST[:PORT][/] into host and port. IPv6 hosts in brackets. */
static bool parse_url(const char *url, struct options *o)
{
	if (strncasecmp(url, "http://", 7) != 0) {
		fprintf(stderr, "bench_ingest: --url must start with http://\n");
		return false;
	}
	const char *h = url + 7, *hend, *rest;
	if (*h == '[') {
		hend = strchr(h, ']');
		if (!hend)
			return false;
		h++;
		rest = hend + 1;
	} else {
		hend = h + strcspn(h, ":/");
		rest = hend;
	}
	size_t hl = (size_t)(hend - h);
	if (!hl || hl >= sizeof o->host)
		return false;
	memcpy(o->host, h, hl);
	o->host[hl] = '\0';
	const char *port = "80";
	size_t pl = 2;
	if (*rest == ':') {
		port = rest + 1;
		pl = strcspn(port, "/");
		rest = port + pl;
	}
	if (!pl || pl >= sizeof o->port)
		return false;
	memcpy(o->port, port, pl);
	o->port[pl] = '\0';
	unsigned p;
	if (!parse_unsigned(o->port, 1, 65535, &p))
		return false;
	if (*rest && strcmp(rest, "/") != 0) {
		fprintf(stderr, "bench_ingest: --url takes no path (got '%s')\n", rest);
		return false;
	}
	size_t n = (size_t)(rest - (url + 7)); /* the authority, as given */
	if (n >= sizeof o->host_header)
		return false;
	memcpy(o->host_header, url + 7, n);
	o->host_header[n] = '\0';
	return true;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	o->concurrency = 16;
	o->seconds = 10;
	o->warmup = 1;
	o->items = 1;
	o->offices = 1;
	o->declarations = o->healthz = true;
	o->user = "trader";
	o->password = "trader-demo-2026";
	bool have_url = false;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok;
		if (!strcmp(a, "--url"))
			ok = v && (have_url = parse_url(v, o));
		else if (!strcmp(a, "--concurrency"))
			ok = parse_unsigned(v, 1, MAX_CONCURRENCY, &o->concurrency);
		else if (!strcmp(a, "--seconds"))
			ok = parse_unsigned(v, 1, 3600, &o->seconds);
		else if (!strcmp(a, "--warmup"))
			ok = parse_unsigned(v, 0, 3600, &o->warmup);
		else if (!strcmp(a, "--items"))
			ok = parse_unsigned(v, 1, MAX_ITEMS, &o->items);
		else if (!strcmp(a, "--offices"))
			ok = parse_unsigned(v, 1, NOFFICES, &o->offices);
		else if (!strcmp(a, "--followers"))
			ok = parse_unsigned(v, 1, 20000, &o->followers);
		else if (!strcmp(a, "--batch"))
			ok = parse_unsigned(v, 1, 100, &o->batch);
		else if (!strcmp(a, "--rate"))
			ok = parse_unsigned(v, 1, 1000000, &o->rate);
		else if (!strcmp(a, "--user"))
			ok = v && (o->user = v);
		else if (!strcmp(a, "--password-file")) {
			struct secret_source src = {.file = v};
			ok = v && secret_read("bench_ingest", &src, "", false, o->password_read);
			secret_close(&src);
			if (ok)
				o->password = o->password_read;
		} else if (!strcmp(a, "--password")) {
			fprintf(stderr, "bench_ingest: passwords are not taken on the command line; "
					"use --password-file FILE\n");
			return false;
		}
		else if (!strcmp(a, "--only")) {
			ok = v && (!strcmp(v, "declarations") || !strcmp(v, "healthz"));
			if (ok) {
				o->declarations = !strcmp(v, "declarations");
				o->healthz = !o->declarations;
			}
		}
		else {
			fprintf(stderr, "bench_ingest: unknown option %s\n", a);
			return false;
		}
		if (!ok) {
			fprintf(stderr, "bench_ingest: bad or missing value for %s\n", a);
			return false;
		}
	}
	if (!have_url) {
		fprintf(stderr, "bench_ingest: --url is required\n");
		return false;
	}
	if (o->rate && o->batch) {
		fprintf(stderr, "bench_ingest: --rate and --batch do not go together\n");
		return false;
	}
	if (o->rate) { /* a paced run measures declarations alone */
		o->declarations = true;
		o->healthz = false;
	}
	return true;
}

/* ---- loopback address ---- */

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) &&
		       v6->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

static struct sockaddr_storage server_addr;
static socklen_t server_addrlen;

/* Resolve the host without asking DNS (numeric addresses and "localhost"
 * only) and refuse anything that is not a loopback address. */
static bool resolve_loopback(const struct options *o)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (strcasecmp(o->host, "localhost") != 0)
		hints.ai_flags |= AI_NUMERICHOST;
	int rc = getaddrinfo(o->host, o->port, &hints, &res);
	if (rc) {
		fprintf(stderr,
			"bench_ingest: '%s' is not a loopback address (use 127.0.0.1, "
			"::1 or localhost): %s\n",
			o->host, gai_strerror(rc));
		return false;
	}
	bool found = false;
	for (struct addrinfo *ai = res; ai && !found; ai = ai->ai_next) {
		if (ai->ai_addrlen <= sizeof server_addr && is_loopback(ai->ai_addr)) {
			memcpy(&server_addr, ai->ai_addr, ai->ai_addrlen);
			server_addrlen = ai->ai_addrlen;
			found = true;
		}
	}
	freeaddrinfo(res);
	if (!found)
		fprintf(stderr,
			"bench_ingest: refusing %s: only loopback addresses may be "
			"benchmarked\n",
			o->host);
	return found;
}

/* ---- clock ---- */

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- latency histogram (log-linear, under 1.6% error, bounded size) ---- */

#define HIST_SUB 64
#define HIST_BUCKETS (2 * HIST_SUB + 40 * HIST_SUB)

struct hist {
	uint64_t count[HIST_BUCKETS];
	uint64_t n;
	uint64_t max;
	uint64_t sum;
};

static size_t hist_index(uint64_t v)
{
	if (v < 2 * HIST_SUB)
		return (size_t)v;
	unsigned b = 63u - (unsigned)__builtin_clzll(v); /* b >= 7 */
	unsigned s = b - 6;
	size_t i = 2 * HIST_SUB + (size_t)(b - 7) * HIST_SUB + (size_t)((v >> s) - HIST_SUB);
	return i < HIST_BUCKETS ? i : HIST_BUCKETS - 1;
}

/* The middle of bucket i. */
static uint64_t hist_value(size_t i)
{
	if (i < 2 * HIST_SUB)
		return i;
	size_t k = i - 2 * HIST_SUB;
	unsigned s = (unsigned)(k / HIST_SUB) + 1;
	uint64_t lo = (uint64_t)(HIST_SUB + k % HIST_SUB) << s;
	return lo + ((1ull << s) >> 1);
}

static void hist_add(struct hist *h, uint64_t v)
{
	h->count[hist_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

static void hist_merge(struct hist *into, const struct hist *h)
{
	for (size_t i = 0; i < HIST_BUCKETS; i++)
		into->count[i] += h->count[i];
	into->n += h->n;
	into->sum += h->sum;
	if (h->max > into->max)
		into->max = h->max;
}

static uint64_t hist_quantile(const struct hist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->n + 0.999999);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= want) {
			uint64_t v = hist_value(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

/* ---- one keep-alive connection ---- */

struct conn {
	int fd;
	char in[64 << 10];
	size_t in_len; /* bytes buffered */
	size_t in_pos; /* start of the next response */
	bool must_close;
};

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = c->in_pos = 0;
	c->must_close = false;
}

static int conn_open(struct conn *c)
{
	conn_close(c);
	int fd = socket(server_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return FAIL_CONNECT;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (const struct sockaddr *)&server_addr, server_addrlen) != 0) {
		close(fd);
		return FAIL_CONNECT;
	}
	c->fd = fd;
	return 0;
}

/* Wait until fd is readable or the deadline passes. */
static int wait_readable(int fd, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_us();
		if (left <= 0)
			return FAIL_TIMEOUT;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int ms = left / 1000 > 1000 ? 1000 : (int)(left / 1000) + 1;
		int rc = poll(&p, 1, ms);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return FAIL_IO;
	}
}

static int send_all(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return FAIL_IO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read more bytes into c->in; compacts the buffer first. */
static int fill(struct conn *c, int64_t deadline)
{
	if (c->in_pos) {
		memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
		c->in_len -= c->in_pos;
		c->in_pos = 0;
	}
	if (c->in_len == sizeof c->in)
		return FAIL_PROTOCOL;
	int e = wait_readable(c->fd, deadline);
	if (e)
		return e;
	ssize_t r;
	do
		r = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return FAIL_IO;
	c->in_len += (size_t)r;
	return 0;
}

static const char *find_crlfcrlf(const char *p, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
			return p + i;
	return NULL;
}

/* Is header line [p, end) "name: value"? Then *value points past the colon
 * and blanks. */
static bool header_is(const char *p, const char *end, const char *name,
		      const char **value)
{
	size_t n = strlen(name);
	if ((size_t)(end - p) <= n || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return false;
	p += n + 1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*value = p;
	return true;
}

/*
 * Send one request and read its answer. Returns 0 with *status set, or a
 * FAIL_* code (the connection is then closed). When body is not NULL the
 * response body is stored there; otherwise it is skipped.
 */
static int roundtrip(struct conn *c, const char *req, size_t req_len,
		     int64_t deadline, int *status, struct buf *body)
{
	int e;
	if (c->fd < 0 && (e = conn_open(c)))
		return e;
	if ((e = send_all(c, req, req_len)))
		goto fail;
	const char *hend;
	while (!(hend = find_crlfcrlf(c->in + c->in_pos, c->in_len - c->in_pos)))
		if ((e = fill(c, deadline)))
			goto fail;
	const char *h = c->in + c->in_pos;
	/* status line: HTTP/1.x NNN reason */
	if (hend - h < 12 || strncmp(h, "HTTP/1.", 7) != 0 || h[8] != ' ' ||
	    h[9] < '1' || h[9] > '5' || h[10] < '0' || h[10] > '9' || h[11] < '0' ||
	    h[11] > '9') {
		e = FAIL_PROTOCOL;
		goto fail;
	}
	*status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
	bool close_after = h[7] == '0';
	bool have_length = false;
	uint64_t length = 0;
	/* the status line ends at or before hend's CRLF */
	const char *line = (const char *)memchr(h, '\n', (size_t)(hend + 2 - h)) + 1;
	while (line < hend) {
		const char *eol = memchr(line, '\r', (size_t)(hend - line));
		if (!eol)
			eol = hend;
		const char *v;
		if (header_is(line, eol, "Content-Length", &v)) {
			char *end;
			errno = 0;
			length = strtoull(v, &end, 10);
			if (errno || end == v || length > RESPONSE_MAX) {
				e = FAIL_PROTOCOL;
				goto fail;
			}
			have_length = true;
		} else if (header_is(line, eol, "Connection", &v)) {
			close_after = strncasecmp(v, "close", 5) == 0;
		} else if (header_is(line, eol, "Transfer-Encoding", &v)) {
			e = FAIL_PROTOCOL; /* kouan answers with Content-Length */
			goto fail;
		}
		line = eol + 2;
	}
	if (!have_length && *status != 204 && *status != 304) {
		e = FAIL_PROTOCOL;
		goto fail;
	}
	c->in_pos += (size_t)(hend + 4 - h);
	/* body: consume `length` bytes, storing them when asked */
	uint64_t left = length;
	if (body)
		buf_reset(body);
	for (;;) {
		size_t avail = c->in_len - c->in_pos;
		size_t take = avail < left ? avail : (size_t)left;
		if (body && take && buf_append(body, c->in + c->in_pos, take)) {
			e = FAIL_PROTOCOL;
			goto fail;
		}
		c->in_pos += take;
		left -= take;
		if (!left)
			break;
		if ((e = fill(c, deadline)))
			goto fail;
	}
	if (c->in_pos == c->in_len)
		c->in_pos = c->in_len = 0;
	if (close_after)
		conn_close(c);
	return 0;
fail:
	conn_close(c);
	return e;
}

/* ---- requests ---- */

/* The offices --offices spreads the declarations over, each with the port
 * it supervises (data/reference/ports.json) and one call: the demo's flight
 * first, then flights and vessels of other offices in Guangdong. */
static const struct office {
	const char *code, *port, *mode, *conveyance; /* mode: 5 air, 2 waterway */
} offices[] = {
	{"5141", "CNCAN", "5", "\"name\":\"CZ3098\",\"voyage\":\"20261120\""},
	{"5317", "CNSZX", "5", "\"name\":\"ZH9091\",\"voyage\":\"20261120\""},
	{"5167", "CNNSA", "2", "\"name\":\"NANSHA STAR\",\"voyage\":\"2611E\",\"imo\":\"9074729\""},
	{"5316", "CNYTN", "2", "\"name\":\"YANTIAN PEARL\",\"voyage\":\"2611W\",\"imo\":\"9074729\""},
	{"5304", "CNSHK", "2", "\"name\":\"SHEKOU TRADER\",\"voyage\":\"2611N\",\"imo\":\"9074729\""},
	{"5201", "CNHUA", "2", "\"name\":\"HUANGPU GRACE\",\"voyage\":\"2611S\",\"imo\":\"9074729\""},
	{"5740", "CNZUH", "2", "\"name\":\"ZHUHAI BREEZE\",\"voyage\":\"2611E\",\"imo\":\"9074729\""},
	{"5338", "CNHUI", "2", "\"name\":\"HUIZHOU SPIRIT\",\"voyage\":\"2611W\",\"imo\":\"9074729\""},
};

static const char decl_head[] =
	"{\"direction\":\"import\",\"declaration_office\":\"%s\",\"port_office\":\"%s\","
	"\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
	"\"trade_mode\":\"0110\",\"transport_mode\":\"%s\","
	"\"conveyance\":{%s},"
	"\"bill_of_lading\":\"%s\",\"trading_country\":\"VN\",\"departure_country\":\"VN\","
	"\"entry_port\":\"%s\",\"incoterm\":\"FCA\",\"currency\":\"USD\",\"freight\":\"1250.00\","
	"\"insurance\":\"96.40\",\"packages\":40,\"gross_weight_kg\":\"412.500\","
	"\"advance\":true,\"items\":[";

static const char decl_item[] =
	"{\"hs_code\":\"8471300000\",\"description\":\"便携式电脑 14-inch notebook computers\","
	"\"quantity\":\"400\",\"unit\":\"001\",\"unit_price\":\"389.00\",\"origin_country\":\"VN\"}";

static const char decl_tail[] =
	"],\"documents\":[{\"type\":\"invoice\",\"number\":\"HN-INV-55012\"},"
	"{\"type\":\"packing_list\",\"number\":\"HN-PL-55012\"}]}";

struct shared {
	const struct options *o;
	char token[256];
	char run_id[40];
	pthread_barrier_t ready; /* every worker has connected */
	pthread_barrier_t start; /* the clock has started */
	int64_t start_us; /* written between the barriers, read after them */
	int64_t end_us;
	bool declarations; /* else healthz */
};

/* Worker `worker`'s declaration number `seq` (its own bill of lading, at
 * the worker's office) in body (reset first). */
static kerr declaration_body(const struct shared *sh, unsigned worker, uint64_t seq,
			     struct buf *body)
{
	char bl[64];
	snprintf(bl, sizeof bl, "BN-%s-%u-%" PRIu64, sh->run_id, worker, seq);
	const struct office *of = &offices[worker % sh->o->offices];
	buf_reset(body);
	kerr e = buf_printf(body, decl_head, of->code, of->code, of->mode, of->conveyance, bl,
			    of->port);
	for (unsigned i = 0; !e && i < sh->o->items; i++)
		e = buf_printf(body, "%s%s", i ? "," : "", decl_item);
	return e ? e : buf_puts(body, decl_tail);
}

/* Build the next declaration request in req (reset first). */
static kerr declaration_request(const struct shared *sh, unsigned worker,
				uint64_t seq, struct buf *body, struct buf *req)
{
	buf_reset(req);
	kerr e = declaration_body(sh, worker, seq, body);
	if (!e)
		e = buf_printf(req,
			       "POST /v1/declarations HTTP/1.1\r\n"
			       "Host: %s\r\n"
			       "Authorization: Bearer %s\r\n"
			       "Content-Type: application/json\r\n"
			       "Idempotency-Key: bench-%s-%u-%" PRIu64 "\r\n"
			       "Content-Length: %zu\r\n"
			       "\r\n",
			       sh->o->host_header, sh->token, sh->run_id, worker, seq,
			       body->len);
	if (!e)
		e = buf_append(req, body->data, body->len);
	return e;
}

/* Build the next batch request of sh->o->batch declarations in req. */
static kerr batch_request(const struct shared *sh, unsigned worker, uint64_t *seq,
			  struct buf *body, struct buf *one, struct buf *req)
{
	buf_reset(body);
	kerr e = buf_puts(body, "{\"declarations\":[");
	for (unsigned k = 0; !e && k < sh->o->batch; k++) {
		uint64_t n = (*seq)++;
		e = declaration_body(sh, worker, n, one);
		if (!e)
			e = buf_printf(body,
				       "%s{\"idempotency_key\":\"bench-%s-%u-%" PRIu64
				       "\",\"declaration\":",
				       k ? "," : "", sh->run_id, worker, n);
		if (!e)
			e = buf_append(body, one->data, one->len);
		if (!e)
			e = buf_puts(body, "}");
	}
	if (!e)
		e = buf_puts(body, "]}");
	buf_reset(req);
	if (!e)
		e = buf_printf(req,
			       "POST /v1/declarations/batch HTTP/1.1\r\n"
			       "Host: %s\r\n"
			       "Authorization: Bearer %s\r\n"
			       "Content-Type: application/json\r\n"
			       "Content-Length: %zu\r\n"
			       "\r\n",
			       sh->o->host_header, sh->token, body->len);
	if (!e)
		e = buf_append(req, body->data, body->len);
	return e;
}

/* How many items of a batch answer were accepted ("status":201). */
static uint64_t batch_accepted(const struct buf *resp)
{
	const char *p = resp->data;
	const char *key = "\"accepted\":";
	const char *at = p ? strstr(p, key) : NULL;
	return at ? strtoull(at + strlen(key), NULL, 10) : 0;
}

/* ---- workers ---- */

struct worker {
	pthread_t thread;
	unsigned id;
	struct shared *sh;
	struct conn *conn;
	uint64_t seq; /* declarations built so far, across phases */
	struct hist hist; /* latency of every answer, in microseconds */
	uint64_t status[MAX_STATUS];
	uint64_t ok;
	int64_t done_us;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct buf body, req, one, resp;
	buf_init(&body, REQUEST_MAX * 4);
	buf_init(&req, REQUEST_MAX * 4);
	buf_init(&one, REQUEST_MAX);
	buf_init(&resp, RESPONSE_MAX);
	char healthz[512];
	int hl = snprintf(healthz, sizeof healthz,
			  "GET /v1/healthz HTTP/1.1\r\nHost: %s\r\n\r\n",
			  sh->o->host_header);
	bool batch = sh->declarations && sh->o->batch;
	int want = sh->declarations && !batch ? 201 : 200;
	/* connect before the clock starts */
	if (w->conn->fd < 0)
		(void)conn_open(w->conn);
	pthread_barrier_wait(&sh->ready);
	pthread_barrier_wait(&sh->start);
	/* a batch holds the writer for all its items: allow it longer */
	int64_t hard = sh->end_us + (batch ? 6 * GRACE_US : GRACE_US);
	/* paced: each connection sends its share of --rate at fixed due times,
	 * spread over the interval; latency counts from the due time, so a slow
	 * answer that delays the next request is not hidden */
	int64_t interval = 0, due = 0;
	if (sh->o->rate && sh->declarations) {
		interval = (int64_t)sh->o->concurrency * 1000000LL / sh->o->rate;
		due = sh->start_us + interval * w->id / sh->o->concurrency;
	}
	for (;;) {
		if (interval) {
			int64_t now = now_us();
			if (due >= sh->end_us)
				break;
			if (due > now) {
				int64_t wait = due - now;
				struct timespec ts = {(time_t)(wait / 1000000),
						      (long)(wait % 1000000) * 1000};
				nanosleep(&ts, NULL);
			}
		}
		if (now_us() >= sh->end_us)
			break;
		const char *r = healthz;
		size_t rl = (size_t)hl;
		if (batch) {
			if (batch_request(sh, w->id, &w->seq, &body, &one, &req)) {
				w->status[FAIL_PROTOCOL]++;
				break;
			}
			r = req.data;
			rl = req.len;
		} else if (sh->declarations) {
			if (declaration_request(sh, w->id, w->seq++, &body, &req)) {
				w->status[FAIL_PROTOCOL]++;
				break;
			}
			r = req.data;
			rl = req.len;
		}
		int status = 0;
		int64_t t0 = interval ? due : now_us();
		due += interval;
		buf_reset(&resp);
		int e = roundtrip(w->conn, r, rl, hard, &status, batch ? &resp : NULL);
		int64_t t1 = now_us();
		if (e) {
			w->status[e]++;
			if (e == FAIL_TIMEOUT)
				break;
			if (e == FAIL_CONNECT) {
				/* server gone or refusing: do not spin */
				struct timespec ts = {0, 10 * 1000 * 1000};
				nanosleep(&ts, NULL);
			}
			continue;
		}
		hist_add(&w->hist, (uint64_t)(t1 - t0));
		w->status[status < MAX_STATUS ? status : 0]++;
		if (status == want)
			w->ok += batch ? batch_accepted(&resp) : 1;
	}
	w->done_us = now_us();
	buf_free(&body);
	buf_free(&req);
	buf_free(&one);
	buf_free(&resp);
	return NULL;
}

struct phase_result {
	int want;
	unsigned slices;
	double elapsed_s;
	uint64_t requests;
	uint64_t ok;
	uint64_t timeouts;
	struct hist hist;
	uint64_t status[MAX_STATUS];
};

/* Run one slice of `ms` milliseconds of one kind of request on every
 * connection, and add what happened to *pr. */
static bool run_slice(struct shared *sh, struct conn *conns, struct worker *ws,
		      bool declarations, int64_t ms, struct phase_result *pr)
{
	unsigned n = sh->o->concurrency;
	sh->declarations = declarations;
	if (pthread_barrier_init(&sh->ready, NULL, n + 1))
		return false;
	if (pthread_barrier_init(&sh->start, NULL, n + 1)) {
		pthread_barrier_destroy(&sh->ready);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t seq = ws[i].seq;
		memset(&ws[i], 0, sizeof ws[i]);
		ws[i].id = i;
		ws[i].sh = sh;
		ws[i].conn = &conns[i];
		ws[i].seq = seq;
	}
	unsigned started = 0;
	for (; started < n; started++)
		if (pthread_create(&ws[started].thread, NULL, worker_run, &ws[started]))
			break;
	if (started < n) {
		/* cannot start them all: nobody may wait at the barrier forever */
		fprintf(stderr, "bench_ingest: could only start %u of %u threads\n",
			started, n);
		exit(1);
	}
	/* once every worker has connected, start the clock */
	pthread_barrier_wait(&sh->ready);
	sh->start_us = now_us();
	sh->end_us = sh->start_us + ms * 1000;
	pthread_barrier_wait(&sh->start);
	int64_t last = sh->start_us;
	for (unsigned i = 0; i < n; i++) {
		pthread_join(ws[i].thread, NULL);
		if (ws[i].done_us > last)
			last = ws[i].done_us;
	}
	pthread_barrier_destroy(&sh->ready);
	pthread_barrier_destroy(&sh->start);
	pr->want = declarations ? (sh->o->batch ? 202 : 201) : 200;
	pr->slices++;
	pr->elapsed_s += (double)(last - sh->start_us) / 1e6;
	for (unsigned i = 0; i < n; i++) {
		hist_merge(&pr->hist, &ws[i].hist);
		pr->ok += ws[i].ok;
		for (size_t k = 0; k < MAX_STATUS; k++) {
			pr->status[k] += ws[i].status[k];
			pr->requests += ws[i].status[k];
		}
	}
	pr->timeouts = pr->status[FAIL_TIMEOUT];
	return true;
}

/*
 * The measurement proper: `seconds` one-second slices of declarations
 * alternating with as many of healthz, so that both see the same machine
 * (the machines are shared and their speed drifts). Stops early when a
 * request times out, so a stuck server cannot stretch the run.
 */
static bool measure(struct shared *sh, struct conn *conns, struct worker *ws,
		    struct phase_result *decl, struct phase_result *health)
{
	const struct options *o = sh->o;
	unsigned kinds = (o->declarations ? 1u : 0u) + (o->healthz ? 1u : 0u);
	for (unsigned i = 0; i < kinds * o->seconds; i++) {
		bool d = o->declarations && (!o->healthz || i % 2 == 0);
		if (!run_slice(sh, conns, ws, d, SLICE_MS, d ? decl : health))
			return false;
		if (decl->timeouts || health->timeouts) {
			fprintf(stderr, "bench_ingest: a request timed out; stopped "
					"after %u of %u slices\n",
				i + 1, kinds * o->seconds);
			break;
		}
	}
	return true;
}

/* ---- idle followers ---- */

/* Open n connections, each sending one long-poll of the event feed after
 * a cursor no event has reached, so that each waits (parked) for the
 * whole run; their answers are never read (the server's longpoll-max-s
 * must be longer than the run). The fds into fds[]; returns how
 * many opened. */
static unsigned followers_open(const struct shared *sh, int *fds, unsigned n)
{
	/* they wait a little longer than the run, then the server answers
	 * them and lets their connections go (a parked connection whose
	 * client left holds its place until its deadline) */
	const struct options *o = sh->o;
	unsigned wait = o->warmup + o->seconds * ((o->declarations ? 1u : 0u) +
						  (o->healthz ? 1u : 0u)) + 3;
	char req[768];
	int len = snprintf(req, sizeof req,
			   "GET /v1/events?after=999999999999&wait=%u HTTP/1.1\r\n"
			   "Host: %s\r\nAuthorization: Bearer %s\r\n\r\n",
			   wait, o->host_header, sh->token);
	unsigned k = 0;
	for (; k < n; k++) {
		struct conn c = {.fd = -1};
		if (conn_open(&c) || send_all(&c, req, (size_t)len)) {
			conn_close(&c);
			break;
		}
		fds[k] = c.fd;
	}
	return k;
}

/* ---- log in ---- */

static bool login(const struct options *o, char *token, size_t n)
{
	bool ok = false;
	struct conn *c = calloc(1, sizeof *c);
	json_t *j = json_pack("{s:s, s:s}", "username", o->user, "password", o->password);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct buf req, resp;
	buf_init(&req, REQUEST_MAX);
	buf_init(&resp, RESPONSE_MAX);
	json_decref(j);
	j = NULL;
	if (!c || !body)
		goto out;
	c->fd = -1;
	if (buf_printf(&req,
		       "POST /v1/sessions HTTP/1.1\r\nHost: %s\r\n"
		       "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		       "Connection: close\r\n\r\n%s",
		       o->host_header, strlen(body), body))
		goto out;
	int status = 0;
	int e = roundtrip(c, req.data, req.len, now_us() + 30 * 1000000LL, &status, &resp);
	if (e) {
		fprintf(stderr, "bench_ingest: cannot log in at %s port %s: %s\n", o->host,
			o->port, fail_name(e));
		goto out;
	}
	if (status != 201) {
		fprintf(stderr, "bench_ingest: log in as %s answered %d: %s\n", o->user,
			status, resp.data ? resp.data : "");
		goto out;
	}
	j = json_loads(resp.data ? resp.data : "", 0, NULL);
	const char *t = json_string_value(json_object_get(j, "token"));
	if (!t || str_copy(token, t, n) >= n) {
		fprintf(stderr, "bench_ingest: the log-in answer has no usable token\n");
		goto out;
	}
	ok = true;
out:
	json_decref(j);
	free(body);
	buf_free(&req);
	buf_free(&resp);
	if (c)
		conn_close(c);
	free(c);
	return ok;
}

/* ---- report ---- */

static void print_ms(const char *label, uint64_t us)
{
	printf("  %-16s %10.3f ms\n", label, (double)us / 1000.0);
}

static double ok_rate(const struct phase_result *p)
{
	return p->elapsed_s > 0 ? (double)p->ok / p->elapsed_s : 0;
}

static void print_phase(const struct phase_result *p)
{
	if (p->want == 201)
		printf("declarations (POST /v1/declarations; success is 201)\n");
	else if (p->want == 202)
		printf("declarations in batches (POST /v1/declarations/batch; success is an "
		       "accepted item; latency is per batch)\n");
	else
		printf("healthz (GET /v1/healthz; success is 200)\n");
	printf("  %-16s %10.2f s (%u slices of %d ms, plus the requests in flight "
	       "at their ends)\n",
	       "elapsed", p->elapsed_s, p->slices, SLICE_MS);
	printf("  %-16s %10" PRIu64 "\n", "requests", p->requests);
	printf("  %-16s %10" PRIu64 "\n", "succeeded", p->ok);
	printf("  %-16s %10.1f /s\n", "success rate", ok_rate(p));
	printf("  %-16s %10.1f /s\n", "answer rate",
	       p->elapsed_s > 0 ? (double)p->hist.n / p->elapsed_s : 0);
	print_ms("latency mean", p->hist.n ? p->hist.sum / p->hist.n : 0);
	print_ms("latency p50", hist_quantile(&p->hist, 0.50));
	print_ms("latency p99", hist_quantile(&p->hist, 0.99));
	print_ms("latency p99.9", hist_quantile(&p->hist, 0.999));
	print_ms("latency max", p->hist.max);
	bool any = false;
	for (int s = 1; s < MAX_STATUS; s++) {
		if (!p->status[s] || s == p->want || (p->want == 202 && s == 200))
			continue;
		if (!any)
			printf("  errors:\n");
		any = true;
		if (s < 100)
			printf("    %-14s %10" PRIu64 "\n", fail_name(s), p->status[s]);
		else
			printf("    HTTP %-9d %10" PRIu64 "\n", s, p->status[s]);
	}
	if (p->status[0])
		printf("    %-14s %10" PRIu64 "\n", "odd status", p->status[0]);
	if (!any && !p->status[0])
		printf("  errors:          none\n");
}

int main(int argc, char **argv)
{
	static struct options o; /* static: the workers see it through sh */
	static struct shared sh;
	if (!parse_options(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (!resolve_loopback(&o))
		return 2;
	sh.o = &o;
	if (!login(&o, sh.token, sizeof sh.token))
		return 1;
	/* unique per run, so keys and bills of lading never repeat across runs
	 * against the same database */
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	snprintf(sh.run_id, sizeof sh.run_id, "%lx%lx", (unsigned long)rt.tv_sec,
		 (unsigned long)getpid());

	int rc = 1;
	int *followers = NULL; /* idle long-polls (--followers) */
	unsigned nfollowers = 0;
	struct conn *conns = calloc(o.concurrency, sizeof *conns);
	struct worker *ws = calloc(o.concurrency, sizeof *ws);
	struct phase_result *pr = calloc(3, sizeof *pr); /* decl, healthz, warm-up */
	if (!conns || !ws || !pr) {
		fprintf(stderr, "bench_ingest: out of memory\n");
		goto out;
	}
	for (unsigned i = 0; i < o.concurrency; i++)
		conns[i].fd = -1;

	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	printf("kouan ingest benchmark\n");
	printf("  %-16s %ld (the client runs on the same machine)\n", "cores", cores);
	printf("  %-16s %u connections, one per thread, HTTP/1.1 keep-alive\n",
	       "concurrency", o.concurrency);
	if (o.declarations && o.healthz)
		printf("  %-16s %u s of declarations and %u s of healthz, alternating "
		       "every %d ms; %u s warm-up first\n",
		       "duration", o.seconds, o.seconds, SLICE_MS, o.warmup);
	else
		printf("  %-16s %u s of %s only; %u s warm-up first\n", "duration",
		       o.seconds, o.declarations ? "declarations" : "healthz", o.warmup);
	printf("  %-16s %u per declaration\n", "items", o.items);
	printf("  %-16s %u (worker w lodges at office w mod %u, on that office's call)\n",
	       "offices", o.offices, o.offices);
	if (o.batch)
		printf("  %-16s %u declarations per request (POST /v1/declarations/batch)\n",
		       "batch", o.batch);
	if (o.rate)
		printf("  %-16s %u declarations/s in all, paced\n", "rate", o.rate);
	printf("  %-16s %s port %s, user %s\n\n", "server", o.host, o.port, o.user);
	fflush(stdout);

	followers = o.followers ? calloc(o.followers, sizeof *followers) : NULL;
	nfollowers = followers ? followers_open(&sh, followers, o.followers) : 0;
	if (o.followers) {
		printf("  %-16s %u of %u long-polls of GET /v1/events waiting\n\n", "followers",
		       nfollowers, o.followers);
		fflush(stdout);
		struct timespec settle = {1, 0}; /* let the server park them all */
		nanosleep(&settle, NULL);
	}
	if (o.warmup && !run_slice(&sh, conns, ws, o.declarations,
				   (int64_t)o.warmup * 1000, &pr[2]))
		goto out;
	if (pr[2].timeouts) {
		fprintf(stderr, "bench_ingest: the server did not answer in the warm-up\n");
		goto out;
	}
	if (!measure(&sh, conns, ws, &pr[0], &pr[1]))
		goto out;

	if (o.declarations)
		print_phase(&pr[0]);
	if (o.declarations && o.healthz)
		printf("\n");
	if (o.healthz)
		print_phase(&pr[1]);
	double d = ok_rate(&pr[0]), h = ok_rate(&pr[1]);
	printf("\nresult\n");
	if (o.declarations)
		printf("  %-16s %10.1f declarations/s\n", "ingest", d);
	if (o.healthz)
		printf("  %-16s %10.1f requests/s\n", "healthz", h);
	if (o.declarations && o.healthz)
		printf("  %-16s %10.4f (declarations/s / healthz/s; 1.0 would mean a "
		       "declaration costs no more than the HTTP round trip)\n",
		       "ratio", h > 0 ? d / h : 0);
	printf("  %-16s %10" PRIu64 " (201 answers, warm-up included)\n", "lodged",
	       pr[0].ok + (o.declarations ? pr[2].ok : 0));
	rc = (!o.declarations || pr[0].ok) && (!o.healthz || pr[1].ok) &&
			     !pr[0].timeouts && !pr[1].timeouts
		     ? 0
		     : 1;
out:
	for (unsigned i = 0; i < nfollowers; i++)
		close(followers[i]);
	free(followers);
	for (unsigned i = 0; conns && i < o.concurrency; i++)
		conn_close(&conns[i]);
	free(conns);
	free(ws);
	free(pr);
	return rc;
}
