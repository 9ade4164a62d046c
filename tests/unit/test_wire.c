/*
 * test_wire.c - what the HTTP edge accepts on the wire: request heads (and
 * the same verdict whether a head arrives whole or one byte at a time),
 * request targets, chunked bodies and the framing of answers. Each refusal
 * is checked for its status, field and sentence.
 */
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "http/problem.h"
#include "http/wire.h"

/* Parse a head given whole, and again one byte at a time: both must end
 * the same way at the same byte. */
static enum wire_result parse(const char *head, size_t len, struct wire_request *req,
			      struct wire_refusal *why)
{
	size_t scanned = 0;
	enum wire_result whole = wire_request_parse(head, len, &scanned, req, why);
	size_t whole_at = scanned;
	struct wire_request req2;
	struct wire_refusal why2;
	enum wire_result r = WIRE_MORE;
	size_t n = 0;
	scanned = 0;
	while (r == WIRE_MORE && n < len)
		r = wire_request_parse(head, ++n, &scanned, &req2, &why2);
	assert_int_equal(r, whole);
	if (whole == WIRE_DONE) {
		assert_int_equal(req2.head_len, req->head_len);
		assert_string_equal(req2.method, req->method);
	}
	if (whole == WIRE_REFUSED) {
		assert_int_equal(why2.status, why->status);
		assert_string_equal(why2.detail, why->detail);
		assert_int_equal(scanned, whole_at);
	}
	return whole;
}

#define PARSE(lit, req, why) parse(lit, sizeof lit - 1, req, why)

static void refused(const char *head, int status, const char *field, const char *detail)
{
	struct wire_request req;
	struct wire_refusal why;
	if (parse(head, strlen(head), &req, &why) != WIRE_REFUSED)
		fail_msg("not refused: %s", head);
	assert_int_equal(why.status, status);
	assert_string_equal(why.field, field);
	assert_string_equal(why.detail, detail);
}

static void good_heads_are_accepted(void **state)
{
	(void)state;
	struct wire_request req;
	struct wire_refusal why;
	static const char get[] = "GET /v1/healthz HTTP/1.1\r\nHost: kouan\r\n\r\n";
	assert_int_equal(PARSE(get, &req, &why), WIRE_DONE);
	assert_int_equal(req.head_len, sizeof get - 1);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.path, "/v1/healthz");
	assert_false(req.head_method);
	assert_int_equal(req.framing, WIRE_BODY_NONE);

	/* body bytes after the head are not part of it */
	static const char post[] = "POST /v1/sessions?x=%2F HTTP/1.1\r\nHost: k\r\n"
				   "content-length:  12 \r\nX-Empty:\r\n"
				   "User-Agent: curl/7.88.1 \xe5\x8f\xa3\r\n\r\n{\"a\":\"b\"}\r\n";
	assert_int_equal(PARSE(post, &req, &why), WIRE_DONE);
	assert_int_equal(req.head_len, sizeof post - 1 - 11);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.path, "/v1/sessions");
	assert_int_equal(req.framing, WIRE_BODY_LENGTH);
	assert_int_equal(req.length, 12);

	static const char chunked[] = "\r\n\r\nPUT /a HTTP/1.1\r\nHost: k\r\n"
				      "Transfer-Encoding: Chunked\r\n\r\n";
	assert_int_equal(PARSE(chunked, &req, &why), WIRE_DONE);
	assert_int_equal(req.head_len, sizeof chunked - 1);
	assert_int_equal(req.framing, WIRE_BODY_CHUNKED);

	static const char head10[] = "HEAD /v1/me HTTP/1.0\r\n\r\n";
	assert_int_equal(PARSE(head10, &req, &why), WIRE_DONE);
	assert_true(req.head_method);

	/* not yet complete */
	size_t scanned = 0;
	assert_int_equal(wire_request_parse(get, sizeof get - 3, &scanned, &req, &why), WIRE_MORE);
	assert_int_equal(wire_request_parse("", 0, &scanned, &req, &why), WIRE_MORE);
}

static void line_endings_and_folds_are_refused(void **state)
{
	(void)state;
	static const char lf[] = "a line of the request head ends with LF alone: end every "
				 "line with CR LF";
	static const char cr[] = "the request head holds a CR that does not end a line: end "
				 "every line with CR LF and nothing else";
	refused("GET / HTTP/1.1\nHost: k\n\n", 400, "", lf);
	refused("GET / HTTP/1.1\r\nHost: k\n\r\n", 400, "", lf);
	refused("GET / HTTP/1.1\r\nHost: k\r\n\n", 400, "", lf);
	refused("\nGET / HTTP/1.1\r\nHost: k\r\n\r\n", 400, "", lf);
	refused("GET / HTTP/1.1\r\nHost: k\rX-A: b\r\n\r\n", 400, "", cr);
	refused("GET / HTTP/1.1\r\nHost: k\r\r\n\r\n", 400, "", cr);
	refused("GET / HTTP/1.1\r\nHost: k\r\nX-A: a\r\n b\r\n\r\n", 400, "header:X-A",
		"a header line starts with white space (a folded line, obs-fold): send each "
		"field on one line");
	refused("GET / HTTP/1.1\r\nHost: k\r\nX-A: a\r\n\tb\r\n\r\n", 400, "header:X-A",
		"a header line starts with white space (a folded line, obs-fold): send each "
		"field on one line");
	refused("GET / HTTP/1.1\r\n Host: k\r\n\r\n", 400, "",
		"a header line starts with white space (a folded line, obs-fold): send each "
		"field on one line");
	refused("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: k\r\n\r\n", 400, "",
		"the request starts with more than two empty lines");
}

static void framing_is_unambiguous(void **state)
{
	(void)state;
	refused("POST / HTTP/1.1\r\nHost: k\r\nContent-Length: 5\r\n"
		"Transfer-Encoding: chunked\r\n\r\n",
		400, "header:Transfer-Encoding",
		"a request must not carry both Content-Length and Transfer-Encoding: send one "
		"of them");
	refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: k\r\n"
		"content-length: 0\r\n\r\n",
		400, "header:Transfer-Encoding",
		"a request must not carry both Content-Length and Transfer-Encoding: send one "
		"of them");
	refused("POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
		"header:Transfer-Encoding", "the only transfer coding accepted is chunked");
	refused("POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: xchunked\r\n\r\n", 501,
		"header:Transfer-Encoding", "the only transfer coding accepted is chunked");
	refused("POST / HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: chunked\r\n"
		"Transfer-Encoding: chunked\r\n\r\n",
		400, "header:Transfer-Encoding", "Transfer-Encoding is given more than once");
	refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
		"header:Transfer-Encoding",
		"Transfer-Encoding is not accepted in an HTTP/1.0 request: send Content-Length");
	refused("POST / HTTP/1.1\r\nHost: k\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n",
		400, "header:Content-Length", "Content-Length is given more than once");
	static const char bad_length[] =
		"Content-Length must be a number of bytes (decimal digits only)";
	refused("POST / HTTP/1.1\r\nHost: k\r\nContent-Length: 1, 1\r\n\r\n", 400,
		"header:Content-Length", bad_length);
	refused("POST / HTTP/1.1\r\nHost: k\r\nContent-Length: -1\r\n\r\n", 400,
		"header:Content-Length", bad_length);
	refused("POST / HTTP/1.1\r\nHost: k\r\nContent-Length: +5\r\n\r\n", 400,
		"header:Content-Length", bad_length);
	refused("POST / HTTP/1.1\r\nHost: k\r\nContent-Length:\r\n\r\n", 400,
		"header:Content-Length", bad_length);
	refused("POST / HTTP/1.1\r\nHost: k\r\nContent-Length: 1234567890123456789\r\n\r\n",
		400, "header:Content-Length", bad_length);
}

static void fields_and_request_lines_are_checked(void **state)
{
	(void)state;
	static const char form[] = "the request line must be a method, one space, the target, "
				   "one space and HTTP/1.1";
	refused("GET /\r\n\r\n", 400, "", form);
	refused("GET  / HTTP/1.1\r\nHost: k\r\n\r\n", 400, "", form);
	refused("GET / HTTP/1.1 \r\nHost: k\r\n\r\n", 400, "", form);
	refused("GET /a b HTTP/1.1\r\nHost: k\r\n\r\n", 400, "", form);
	refused("GET / http/1.1\r\nHost: k\r\n\r\n", 400, "", form);
	refused("G(T / HTTP/1.1\r\nHost: k\r\n\r\n", 400, "",
		"the method is not a token: the request line must be a method, one space, the "
		"target, one space and HTTP/1.1");
	refused("ABCDEFGHIJKLMNOPQRSTU / HTTP/1.1\r\nHost: k\r\n\r\n", 501, "",
		"no method of kouan has a name that long");
	refused("GET / HTTP/2.0\r\nHost: k\r\n\r\n", 505, "",
		"kouan speaks HTTP/1.1 (and HTTP/1.0), not HTTP/2.0");
	refused("GET / HTTP/1.1\r\n\r\n", 400, "header:Host",
		"an HTTP/1.1 request must carry a Host header field");
	refused("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400, "header:host",
		"Host is given more than once");
	refused("GET / HTTP/1.1\r\nHost : k\r\n\r\n", 400, "",
		"white space between a header name and its colon is not accepted");
	refused("GET / HTTP/1.1\r\nHost: k\r\nX A: b\r\n\r\n", 400, "",
		"a header name holds byte 0x20: names are tokens (letters, digits and "
		"!#$%&'*+-.^_`|~)");
	refused("GET / HTTP/1.1\r\nHost: k\r\nNoColon\r\n\r\n", 400, "",
		"a header line has no colon: send Name: value");
	refused("GET / HTTP/1.1\r\nHost: k\r\n: v\r\n\r\n", 400, "",
		"a header line has no name before its colon");
	refused("GET / HTTP/1.1\r\nHost: k\r\nX-A: a\x1b[2Jb\r\n\r\n", 400, "header:X-A",
		"the value holds control character 0x1B");
	refused("GET / HTTP/1.1\r\nHost: k\r\nX-A: a\x7f\r\n\r\n", 400, "header:X-A",
		"the value holds control character 0x7F");
	struct wire_request req;
	struct wire_refusal why;
	/* NUL cannot be given as a C string */
	static const char nul[] = "GET / HTTP/1.1\r\nHost: k\r\nX-A: a\0b\r\n\r\n";
	assert_int_equal(PARSE(nul, &req, &why), WIRE_REFUSED);
	assert_string_equal(why.detail, "the value holds control character 0x00");
	/* the method and path of a refused request are kept for the log */
	assert_int_equal(PARSE("POST /v1/x?q=1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &req,
			       &why),
			 WIRE_REFUSED);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.path, "/v1/x");
}

static void sizes_are_bounded(void **state)
{
	(void)state;
	struct wire_request req;
	struct wire_refusal why;
	size_t n = WIRE_HEAD_MAX + 10;
	char *big = malloc(n + 1);
	assert_non_null(big);
	/* a request line over WIRE_LINE_MAX: 414 as soon as it passes it */
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', n - 5);
	big[n] = '\0';
	size_t scanned = 0;
	assert_int_equal(wire_request_parse(big, WIRE_LINE_MAX, &scanned, &req, &why), WIRE_MORE);
	assert_int_equal(wire_request_parse(big, WIRE_LINE_MAX + 1, &scanned, &req, &why),
			 WIRE_REFUSED);
	assert_int_equal(why.status, 414);
	assert_string_equal(why.detail, "the request line is longer than 8192 bytes");
	assert_string_equal(req.method, "GET");
	assert_int_equal(strlen(req.path), WIRE_PATH_LOG_MAX);
	/* the same, arriving whole with its CR LF */
	static const char tail[] = " HTTP/1.1\r\nHost: k\r\n\r\n";
	memcpy(big + WIRE_LINE_MAX + 1, tail, sizeof tail - 1);
	scanned = 0;
	assert_int_equal(wire_request_parse(big, WIRE_LINE_MAX + sizeof tail, &scanned, &req,
					    &why),
			 WIRE_REFUSED);
	assert_int_equal(why.status, 414);
	assert_string_equal(why.detail, "the request line is longer than 8192 bytes");
	assert_string_equal(req.method, "GET");
	/* a header over WIRE_HEAD_MAX in all: 431 */
	memset(big, 'a', n);
	static const char start[] = "GET /v1/healthz HTTP/1.1\r\nHost: k\r\nX-Big: ";
	memcpy(big, start, sizeof start - 1);
	scanned = 0;
	assert_int_equal(wire_request_parse(big, WIRE_HEAD_MAX - 1, &scanned, &req, &why),
			 WIRE_MORE);
	assert_int_equal(wire_request_parse(big, WIRE_HEAD_MAX, &scanned, &req, &why),
			 WIRE_REFUSED);
	assert_int_equal(why.status, 431);
	assert_string_equal(why.detail, "the request head is larger than 16384 bytes");
	assert_string_equal(req.path, "/v1/healthz");
	free(big);
	/* too many fields */
	struct buf b;
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_puts(&b, "GET / HTTP/1.1\r\nHost: k\r\n"), KERR_OK);
	for (int i = 1; i < WIRE_FIELDS_MAX; i++)
		assert_int_equal(buf_printf(&b, "X-%d: v\r\n", i), KERR_OK);
	assert_int_equal(buf_puts(&b, "\r\n"), KERR_OK);
	scanned = 0;
	assert_int_equal(wire_request_parse(b.data, b.len, &scanned, &req, &why), WIRE_DONE);
	b.len -= 2;
	assert_int_equal(buf_puts(&b, "X-Last: v\r\n\r\n"), KERR_OK);
	refused(b.data, 431, "", "the request has more than 100 header fields");
	buf_free(&b);
}

static void target_refused(const char *target, const char *detail)
{
	struct wire_refusal why;
	if (wire_target_check(target, strlen(target), &why))
		fail_msg("target accepted: %s", target);
	assert_int_equal(why.status, 400);
	assert_string_equal(why.field, "");
	assert_string_equal(why.detail, detail);
}

static void targets_are_checked(void **state)
{
	(void)state;
	struct wire_refusal why;
	static const char *const good[] = {
		"/", "/v1/declarations/516720261000000001", "/v1/events?after=0&wait=25",
		"/v1/reference/ports/CNNSA", "/a%20b", "/%E5%8F%A3%E5%B2%B8", "/x?q=%2F%0A%ff",
		"/x?a/b?c", "/v1/x~y_z-w.v!$&'()*+,;=:@", "/%7E",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!wire_target_check(good[i], strlen(good[i]), &why))
			fail_msg("refused %s: %s", good[i], why.detail);

	target_refused("", "the request target must be a path starting with / (origin form)");
	target_refused("*", "the request target must be a path starting with / (origin form)");
	target_refused("http://kouan/v1/healthz",
		       "the request target must be a path starting with / (origin form)");
	target_refused("/v1/declarations/%00", "%00 (a NUL byte) is not accepted in the request target");
	target_refused("/v1/x?q=a%00b", "%00 (a NUL byte) is not accepted in the request target");
	static const char slash[] = "an encoded slash (%2F) is not accepted in the path: no "
				    "kouan path segment contains a slash";
	target_refused("/v1%2fhealthz", slash);
	target_refused("/v1%2Fhealthz", slash);
	target_refused("/v1/healthz%zz",
		       "a % at position 11 of the request target is not followed by two "
		       "hexadecimal digits");
	target_refused("/v1/healthz%",
		       "a % at position 11 of the request target is not followed by two "
		       "hexadecimal digits");
	target_refused("/v1/healthz%4",
		       "a % at position 11 of the request target is not followed by two "
		       "hexadecimal digits");
	target_refused("/v1/x?q=%g0",
		       "a % at position 8 of the request target is not followed by two "
		       "hexadecimal digits");
	target_refused("/v1/x%0a2026", "an encoded control character (%0A) is not accepted in the path");
	target_refused("/v1/x%1B[31m", "an encoded control character (%1B) is not accepted in the path");
	target_refused("/v1/x%7f", "an encoded control character (%7F) is not accepted in the path");
	static const char raw[] = "percent-encode spaces, control characters, non-ASCII bytes "
				  "and \" # < > \\ `";
	char detail[200];
	static const struct {
		const char *target;
		unsigned byte;
		size_t at;
	} raws[] = {
		{"/v1/he\x1b" "althz", 0x1B, 6}, {"/a b", 0x20, 2},  {"/a\"b", 0x22, 2},
		{"/a#b", 0x23, 2},             {"/a<b", 0x3C, 2},  {"/a>", 0x3E, 2},
		{"/a\\b", 0x5C, 2},            {"/a`", 0x60, 2},   {"/\x7f", 0x7F, 1},
		{"/\xe5\x8f\xa3", 0xE5, 1},    {"/x?q=\t", 0x09, 5},
	};
	for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
		snprintf(detail, sizeof detail,
			 "the request target holds byte 0x%02X at position %zu: %s", raws[i].byte,
			 raws[i].at, raw);
		target_refused(raws[i].target, detail);
	}
	static const char utf8[] = "the path does not decode to UTF-8 text";
	target_refused("/%ff", utf8);
	target_refused("/%E5%8F", utf8);         /* cut short */
	target_refused("/%E5%8F?x", utf8);       /* cut short by the query */
	target_refused("/%E5%8Fa", utf8);
	target_refused("/%C0%AF", utf8);         /* overlong / */
	target_refused("/%ED%A0%80", utf8);      /* surrogate */
	target_refused("/%F4%90%80%80", utf8);   /* past U+10FFFF */
	target_refused("/%80", utf8);
}

/* Feed a chunked body whole and one byte at a time. */
static enum wire_result chunked(const char *body, size_t len, size_t *used,
				struct wire_refusal *why)
{
	struct wire_chunked c;
	wire_chunked_init(&c);
	enum wire_result whole = wire_chunked_feed(&c, body, len, used, why);
	wire_chunked_init(&c);
	size_t at = 0, u = 0;
	enum wire_result r = WIRE_MORE;
	struct wire_refusal why2;
	while (r == WIRE_MORE && at < len) {
		r = wire_chunked_feed(&c, body + at, 1, &u, &why2);
		at++;
	}
	assert_int_equal(r, whole);
	if (r == WIRE_DONE)
		assert_int_equal(at, *used);
	if (r == WIRE_REFUSED)
		assert_string_equal(why2.detail, why->detail);
	return whole;
}

#define CHUNKED(lit, used, why) chunked(lit, sizeof lit - 1, used, why)

static void chunk_refused(const char *body, const char *detail)
{
	size_t used;
	struct wire_refusal why;
	assert_int_equal(chunked(body, strlen(body), &used, &why), WIRE_REFUSED);
	assert_int_equal(why.status, 400);
	assert_string_equal(why.detail, detail);
}

static void chunked_bodies_are_followed(void **state)
{
	(void)state;
	size_t used;
	struct wire_refusal why;
	static const char body[] = "5\r\nhello\r\n1A;name=\"v\"\r\nabcdefghijklmnopqrstuvwxyz\r\n"
				   "0\r\n\r\nGET /next";
	assert_int_equal(CHUNKED(body, &used, &why), WIRE_DONE);
	assert_int_equal(used, sizeof body - 1 - 9);
	static const char trailer[] = "3 ; x\r\nabc\r\n000\r\nX-Sum: 9\r\nY: \r\n\r\n";
	assert_int_equal(CHUNKED(trailer, &used, &why), WIRE_DONE);
	assert_int_equal(used, sizeof trailer - 1);
	/* unfinished */
	struct wire_chunked c;
	wire_chunked_init(&c);
	assert_int_equal(wire_chunked_feed(&c, "5\r\nhel", 6, &used, &why), WIRE_MORE);
	assert_int_equal(used, 6);
	assert_int_equal(wire_chunked_feed(&c, "lo\r\n0\r\n\r", 8, &used, &why), WIRE_MORE);
	assert_int_equal(wire_chunked_feed(&c, "\nrest", 5, &used, &why), WIRE_DONE);
	assert_int_equal(used, 1);

	chunk_refused("\r\n", "a chunk must start with its size in hexadecimal");
	chunk_refused("x\r\n", "a chunk must start with its size in hexadecimal");
	chunk_refused("-5\r\n", "a chunk must start with its size in hexadecimal");
	chunk_refused("FFFFFFFFFFFFFFFFFFFF\r\nab\r\n", "a chunk size has more than 15 hex digits");
	chunk_refused("5 x\r\n", "a chunk size may be followed only by ; and an extension");
	chunk_refused("5\nhello\r\n0\r\n\r\n", "a line of the chunked body ends with LF alone");
	chunk_refused("5\rhello", "a CR in the chunked body is not followed by LF");
	chunk_refused("5\r\nhelloX\r\n",
		      "a chunk is longer than its size says, or does not end with CR LF");
	chunk_refused("5\r\nhello\n", "a line of the chunked body ends with LF alone");
	chunk_refused("5;a\x01\r\n", "a chunk extension holds control character 0x01");
	chunk_refused("0\r\n X: 1\r\n\r\n", "a trailer line starts with white space (a folded line)");
	chunk_refused("0\r\nX 1\r\n\r\n", "a trailer field must be Name: value");
	chunk_refused("0\r\n:1\r\n\r\n", "a trailer field must be Name: value");
	chunk_refused("0\r\nX: \x1b\r\n\r\n", "a trailer field holds control character 0x1B");
	chunk_refused("0\r\nX: 1\n\r\n", "a line of the chunked body ends with LF alone");
	chunk_refused("0\r\n\rx", "a CR in the chunked body is not followed by LF");
	char *line = malloc(WIRE_CHUNK_LINE_MAX + 8);
	assert_non_null(line);
	memset(line, 'e', WIRE_CHUNK_LINE_MAX + 4);
	memcpy(line, "1;", 2);
	line[WIRE_CHUNK_LINE_MAX + 4] = '\0';
	chunk_refused(line, "a chunk size line is longer than 1024 bytes");
	free(line);
}

static void answers_are_framed(void **state)
{
	(void)state;
	struct wire_response r;
	static const char ok[] = "HTTP/1.1 200 OK\r\nDate: x\r\nContent-Length: 69\r\n"
				 "Content-Type: application/json\r\n\r\n{...";
	assert_int_equal(wire_response_parse(ok, sizeof ok - 1, false, &r), WIRE_DONE);
	assert_int_equal(r.head_len, sizeof ok - 1 - 4);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.framing, WIRE_BODY_LENGTH);
	assert_int_equal(r.length, 69);
	assert_false(r.close);
	assert_false(r.interim);
	/* the same answer to HEAD has no body */
	assert_int_equal(wire_response_parse(ok, sizeof ok - 1, true, &r), WIRE_DONE);
	assert_int_equal(r.framing, WIRE_BODY_NONE);
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	assert_int_equal(wire_response_parse(cont, sizeof cont - 1, false, &r), WIRE_DONE);
	assert_true(r.interim);
	assert_int_equal(r.framing, WIRE_BODY_NONE);
	static const char gone[] = "HTTP/1.1 413 Content Too Large\r\nConnection: keep-alive, Close"
				   "\r\nTransfer-Encoding: chunked\r\n\r\n";
	assert_int_equal(wire_response_parse(gone, sizeof gone - 1, false, &r), WIRE_DONE);
	assert_true(r.close);
	assert_int_equal(r.framing, WIRE_BODY_CHUNKED);
	static const char none[] = "HTTP/1.0 204 No Content\r\nContent-Length: 5\r\n\r\n";
	assert_int_equal(wire_response_parse(none, sizeof none - 1, false, &r), WIRE_DONE);
	assert_int_equal(r.framing, WIRE_BODY_NONE);
	static const char eof[] = "HTTP/1.1 200\r\n\r\n";
	assert_int_equal(wire_response_parse(eof, sizeof eof - 1, false, &r), WIRE_DONE);
	assert_int_equal(r.framing, WIRE_BODY_TO_CLOSE);
	assert_int_equal(wire_response_parse(ok, 40, false, &r), WIRE_MORE);
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\n\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(wire_response_parse(bad[i], strlen(bad[i]), false, &r),
				 WIRE_REFUSED);
}

static void edge_statuses_have_problem_types(void **state)
{
	(void)state;
	static const struct {
		int status;
		const char *type, *title;
	} want[] = {
		{400, "urn:kouan:problem:invalid-request", "The request is not valid"},
		{408, "urn:kouan:problem:request-timeout", "Request timeout"},
		{413, "urn:kouan:problem:too-large", "Request body too large"},
		{414, "urn:kouan:problem:uri-too-long", "Request target too long"},
		{431, "urn:kouan:problem:header-too-large", "Request header fields too large"},
		{501, "urn:kouan:problem:not-implemented", "Not implemented"},
		{505, "urn:kouan:problem:http-version-not-supported", "HTTP version not supported"},
		{418, "urn:kouan:problem:internal", "Internal error"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct http_response r;
		http_response_init(&r);
		problem_respond_status(&r, want[i].status, "/v1/x", "why", NULL);
		json_t *j = json_loads(r.body.data, 0, NULL);
		assert_non_null(j);
		int status = want[i].status == 418 ? 500 : want[i].status;
		assert_int_equal(r.status, status);
		assert_string_equal(r.content_type, "application/problem+json");
		assert_string_equal(json_string_value(json_object_get(j, "type")), want[i].type);
		assert_string_equal(json_string_value(json_object_get(j, "title")), want[i].title);
		assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
		assert_string_equal(json_string_value(json_object_get(j, "detail")), "why");
		assert_string_equal(json_string_value(json_object_get(j, "instance")), "/v1/x");
		json_decref(j);
		http_response_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_heads_are_accepted),
		cmocka_unit_test(line_endings_and_folds_are_refused),
		cmocka_unit_test(framing_is_unambiguous),
		cmocka_unit_test(fields_and_request_lines_are_checked),
		cmocka_unit_test(sizes_are_bounded),
		cmocka_unit_test(targets_are_checked),
		cmocka_unit_test(chunked_bodies_are_followed),
		cmocka_unit_test(answers_are_framed),
		cmocka_unit_test(edge_statuses_have_problem_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
