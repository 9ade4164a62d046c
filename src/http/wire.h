/*
 * wire.h - what kouan accepts on the wire, as pure functions over bytes:
 * the request head (request line and header fields), the request target and
 * its percent-escapes, chunked bodies, and the framing of the answers the
 * HTTP library writes back.
 *
 * The edge (edge.c) runs every request through these checks before the HTTP
 * library sees a byte of it, so a request that the library could frame one
 * way and a proxy in front of kouan another (request smuggling) never
 * reaches it, and every refusal is kouan's own problem+json answer.
 * docs/architecture.md ("The HTTP edge") lists what is refused and why.
 *
 * Must never: accept a head with both Content-Length and Transfer-Encoding,
 * a folded line, a bare CR or LF, a NUL or an encoded slash in the path;
 * read outside the bytes it is given; allocate, block or read the clock.
 */
#ifndef KOUAN_WIRE_H
#define KOUAN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_HEAD_MAX 16384   /* a whole request head, bytes (431 beyond) */
#define WIRE_LINE_MAX 8192    /* the request line (414 beyond) */
#define WIRE_FIELDS_MAX 100   /* header fields in one head (431 beyond) */
#define WIRE_METHOD_MAX 20    /* bytes of a method name (501 beyond) */
#define WIRE_PATH_LOG_MAX 240 /* bytes of the path kept for the log */
#define WIRE_CHUNK_LINE_MAX 1024 /* a chunk-size line with its extensions */
#define WIRE_TRAILER_MAX 8192    /* the trailer section of a chunked body */

enum wire_result {
	WIRE_MORE,    /* everything given is fine so far; need more bytes */
	WIRE_DONE,    /* complete (a head, a body) */
	WIRE_REFUSED, /* not accepted; the refusal says why */
};

enum wire_framing {
	WIRE_BODY_NONE,
	WIRE_BODY_LENGTH,   /* Content-Length bytes follow */
	WIRE_BODY_CHUNKED,  /* Transfer-Encoding: chunked */
	WIRE_BODY_TO_CLOSE, /* answers only: the body runs to the end of the connection */
};

/* Why a request was refused: the status (problem_respond_status gives its
 * problem type and title) and one sentence saying what is wrong and what
 * is accepted. */
struct wire_refusal {
	int status;     /* 400, 414, 431, 501 or 505 */
	char field[80]; /* "header:Name" when one header field is at fault, else "" */
	char detail[224];
};

struct wire_request {
	size_t head_len; /* bytes from the start of the buffer to the end of the head */
	char method[WIRE_METHOD_MAX + 1];  /* "" until the request line is read */
	char path[WIRE_PATH_LOG_MAX + 1];  /* as sent, without the query; may be cut */
	bool head_method;                  /* HEAD: its answer carries no body */
	enum wire_framing framing;         /* NONE, LENGTH or CHUNKED */
	uint64_t length;                   /* with LENGTH */
};

/*
 * Examine a request head arriving in buf[0..len). The caller keeps the
 * bytes given so far at the start of buf and calls again with more;
 * *scanned (0 for a new head) remembers how far the bytes were examined,
 * so a head trickled one byte at a time costs linear time.
 *
 * WIRE_DONE: the head is complete and accepted; req says how the body is
 * framed and head_len where it ends (body bytes may follow in buf).
 * WIRE_REFUSED: why is filled, and req holds the method and path when the
 * request line was read. WIRE_MORE: nothing wrong yet.
 *
 * Accepted: at most two empty lines before the request line; "METHOD
 * /target HTTP/1.1" (or HTTP/1.0) with single spaces; header fields "Name:
 * value" with a token name and printable value; every line ending CR LF.
 * Refused: bare CR or LF, folded (obs-fold) lines, white space before a
 * colon, control characters, a missing or repeated Host in HTTP/1.1, both
 * Content-Length and Transfer-Encoding, a repeated or malformed
 * Content-Length, any transfer coding but "chunked" (501),
 * Transfer-Encoding in HTTP/1.0, a target that wire_target_check refuses,
 * other HTTP versions (505), heads over WIRE_HEAD_MAX or WIRE_FIELDS_MAX
 * fields (431), request lines over WIRE_LINE_MAX (414).
 */
enum wire_result wire_request_parse(const char *buf, size_t len, size_t *scanned,
				    struct wire_request *req, struct wire_refusal *why);

/* For the log of a request refused before its head could be judged (too
 * large, too slow): fill req with the method and path as far as they
 * arrived in buf[0..len) (empty when they did not). */
void wire_request_peek(const char *buf, size_t len, struct wire_request *req);

/*
 * Check a request target (origin form: a path, optionally "?" and a query).
 * True when accepted. Refused: a target not starting with "/"; raw bytes
 * outside printable ASCII, and " # < > \ `; a "%" not followed by two hex
 * digits; %00 anywhere; in the path, an encoded slash (%2F, %2f), encoded
 * control characters (%01-%1F, %7F), or escapes that do not decode to
 * UTF-8.
 */
bool wire_target_check(const char *target, size_t n, struct wire_refusal *why);

/* Where a chunked body is: the state of wire_chunked_feed. */
struct wire_chunked {
	int state;
	uint64_t left;  /* bytes of the current chunk still to come */
	size_t line;    /* bytes of the current size or trailer line */
	size_t trailer; /* bytes of the trailer section */
	bool digits;    /* the size line has a digit */
};

void wire_chunked_init(struct wire_chunked *c);

/*
 * Follow a chunked body (RFC 9112 section 7.1) through buf[0..len), which
 * continues where the last call stopped. *used gets how many bytes belong
 * to the body: all of them with WIRE_MORE, up to its last byte with
 * WIRE_DONE. WIRE_REFUSED (why filled): a malformed size line, a chunk
 * without its CR LF, a bare CR or LF, a size line or trailer section over
 * its limit.
 */
enum wire_result wire_chunked_feed(struct wire_chunked *c, const char *buf, size_t len,
				   size_t *used, struct wire_refusal *why);

struct wire_response {
	size_t head_len;
	int status;
	bool interim;  /* 1xx (not 101): another head follows for the same request */
	bool close;    /* Connection: close */
	enum wire_framing framing;
	uint64_t length;
};

/*
 * Read the head of an answer the HTTP library wrote, in buf[0..len), for a
 * request whose method was HEAD or not (HEAD, 1xx, 204 and 304 answers
 * carry no body). WIRE_MORE until the empty line has arrived; WIRE_REFUSED
 * when it is not an HTTP/1.x status line with well-formed fields.
 */
enum wire_result wire_response_parse(const char *buf, size_t len, bool head_method,
				     struct wire_response *resp);

#endif
