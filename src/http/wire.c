/*
 * wire.c - request heads, targets, chunked bodies and answer framing, as
 * bytes (see wire.h).
 *
 * A head is examined in two steps. A scan looks at each new byte once and
 * stops at the first place where something must be decided: the end of the
 * head (CR LF CR LF), an LF without its CR, a CR without its LF. Only there
 * is the whole head parsed, line by line. So a head trickled one byte at a
 * time costs linear time, and a bare line ending is refused as soon as it
 * arrives, not when the head is full.
 */
#include "http/wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/utf8.h"

static enum wire_result refuse(struct wire_refusal *why, int status, const char *field,
			       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum wire_result refuse(struct wire_refusal *why, int status, const char *field,
			       const char *fmt, ...)
{
	why->status = status;
	str_copy(why->field, field ? field : "", sizeof why->field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why->detail, sizeof why->detail, fmt, ap);
	va_end(ap);
	return WIRE_REFUSED;
}

/* "header:Name" for a refusal (the name is a token: nothing to escape). */
static const char *header_field(char *out, size_t n, const char *name, size_t len)
{
	snprintf(out, n, "header:%.*s", (int)(len < 64 ? len : 64), name);
	return out;
}

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* ------------------------------------------------------------------ */
/* The request target                                                  */

/* Raw bytes a target may carry: printable ASCII but " # < > \ ` */
static bool target_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7F && !strchr("\"#<>\\`", c);
}

bool wire_target_check(const char *target, size_t n, struct wire_refusal *why)
{
	const unsigned char *t = (const unsigned char *)target;
	if (n == 0 || t[0] != '/') {
		refuse(why, 400, NULL,
		       "the request target must be a path starting with / (origin form)");
		return false;
	}
	/* the decoded path, kept only to check that it is UTF-8: a pending
	 * multi-byte sequence is at most 4 bytes */
	unsigned char pend[4];
	size_t npend = 0;
	bool in_query = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = t[i];
		if (!target_byte(c)) {
			refuse(why, 400, NULL,
			       "the request target holds byte 0x%02X at position %zu: "
			       "percent-encode spaces, control characters, non-ASCII "
			       "bytes and \" # < > \\ `",
			       c, i);
			return false;
		}
		if (c == '?' && !in_query) {
			in_query = true;
			if (npend)
				goto not_utf8;
			continue;
		}
		if (c == '%') {
			int hi = i + 2 < n ? hex_value(t[i + 1]) : -1;
			int lo = i + 2 < n ? hex_value(t[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				refuse(why, 400, NULL,
				       "a %% at position %zu of the request target is not "
				       "followed by two hexadecimal digits",
				       i);
				return false;
			}
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
			if (c == 0) {
				refuse(why, 400, NULL,
				       "%%00 (a NUL byte) is not accepted in the request target");
				return false;
			}
			if (!in_query && c == '/') {
				refuse(why, 400, NULL,
				       "an encoded slash (%%2F) is not accepted in the path: "
				       "no kouan path segment contains a slash");
				return false;
			}
			if (!in_query && (c < 0x20 || c == 0x7F)) {
				refuse(why, 400, NULL,
				       "an encoded control character (%%%02X) is not accepted "
				       "in the path",
				       c);
				return false;
			}
		}
		if (in_query || (npend == 0 && c < 0x80))
			continue;
		/* a byte of a multi-byte sequence: collect it, decode when whole */
		if (npend == 0 && (c < 0xC2 || c > 0xF4))
			goto not_utf8;
		if (npend > 0 && (c & 0xC0) != 0x80)
			goto not_utf8;
		pend[npend++] = c;
		size_t want = pend[0] < 0xE0 ? 2 : pend[0] < 0xF0 ? 3 : 4;
		uint32_t cp;
		if (npend < want)
			continue;
		if (!utf8_decode(pend, npend, &cp))
			goto not_utf8; /* overlong, surrogate or past U+10FFFF */
		npend = 0;
	}
	if (npend)
		goto not_utf8;
	return true;
not_utf8:
	refuse(why, 400, NULL, "the path does not decode to UTF-8 text");
	return false;
}

/* ------------------------------------------------------------------ */
/* The request head                                                    */

struct line {
	const char *s;
	size_t n;
};

/* The line starting at *pos, without its CR LF. WIRE_MORE when its LF has
 * not arrived; refused on an LF without CR or a CR without LF. */
static enum wire_result next_line(const char *buf, size_t len, size_t *pos,
				  struct line *ln, struct wire_refusal *why)
{
	size_t start = *pos;
	const char *lf = memchr(buf + start, '\n', len - start);
	size_t end = lf ? (size_t)(lf - buf) : len;
	const char *cr = memchr(buf + start, '\r', end - start);
	if (!lf) {
		if (cr && (size_t)(cr - buf) != len - 1)
			goto bare_cr;
		return WIRE_MORE;
	}
	if (end == start || buf[end - 1] != '\r')
		return refuse(why, 400, NULL,
			      "a line of the request head ends with LF alone: end every "
			      "line with CR LF");
	if ((size_t)(cr - buf) != end - 1)
		goto bare_cr;
	ln->s = buf + start;
	ln->n = end - 1 - start;
	*pos = end + 1;
	return WIRE_DONE;
bare_cr:
	return refuse(why, 400, NULL,
		      "the request head holds a CR that does not end a line: end every "
		      "line with CR LF and nothing else");
}

static void keep_path(struct wire_request *req, const char *target, size_t n)
{
	const char *q = memchr(target, '?', n);
	size_t plen = q ? (size_t)(q - target) : n;
	if (plen > WIRE_PATH_LOG_MAX)
		plen = WIRE_PATH_LOG_MAX;
	memcpy(req->path, target, plen);
	req->path[plen] = '\0';
}

/* Read "METHOD SP target SP HTTP/x.y"; *http11 tells the version. */
static enum wire_result request_line(struct line ln, struct wire_request *req,
				     bool *http11, struct wire_refusal *why)
{
	static const char form[] = "the request line must be a method, one space, the "
				   "target, one space and HTTP/1.1";
	const char *sp1 = memchr(ln.s, ' ', ln.n);
	if (!sp1 || sp1 == ln.s)
		return refuse(why, 400, NULL, "%s", form);
	size_t mlen = (size_t)(sp1 - ln.s);
	for (size_t i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)ln.s[i]))
			return refuse(why, 400, NULL, "the method is not a token: %s", form);
	if (mlen > WIRE_METHOD_MAX)
		return refuse(why, 501, NULL, "no method of kouan has a name that long");
	memcpy(req->method, ln.s, mlen);
	req->method[mlen] = '\0';
	req->head_method = strcmp(req->method, "HEAD") == 0;

	const char *target = sp1 + 1;
	size_t rest = ln.n - mlen - 1;
	const char *sp2 = memchr(target, ' ', rest);
	if (!sp2 || sp2 == target)
		return refuse(why, 400, NULL, "%s", form);
	size_t tlen = (size_t)(sp2 - target);
	keep_path(req, target, tlen);
	const char *v = sp2 + 1;
	size_t vlen = rest - tlen - 1;
	if (vlen == 8 && !memcmp(v, "HTTP/1.1", 8)) {
		*http11 = true;
	} else if (vlen == 8 && !memcmp(v, "HTTP/1.0", 8)) {
		*http11 = false;
	} else if (vlen == 8 && !memcmp(v, "HTTP/", 5) && v[5] >= '0' && v[5] <= '9' &&
		   v[6] == '.' && v[7] >= '0' && v[7] <= '9') {
		return refuse(why, 505, NULL,
			      "kouan speaks HTTP/1.1 (and HTTP/1.0), not %.8s", v);
	} else {
		return refuse(why, 400, NULL, "%s", form);
	}
	if (!wire_target_check(target, tlen, why))
		return WIRE_REFUSED;
	return WIRE_DONE;
}

static bool name_is(struct line name, const char *want)
{
	return name.n == strlen(want) && strncasecmp(name.s, want, name.n) == 0;
}

/* Parse the head in buf[0..len); len ends where the scan stopped. */
static enum wire_result parse_head(const char *buf, size_t len, struct wire_request *req,
				   struct wire_refusal *why)
{
	memset(req, 0, sizeof *req);
	char field[80];
	size_t pos = 0;
	struct line ln;
	enum wire_result r;
	/* RFC 9112 section 2.2: empty lines before the request line are
	 * ignored; two at most */
	for (int empty = 0;; empty++) {
		if ((r = next_line(buf, len, &pos, &ln, why)) != WIRE_DONE)
			return r;
		if (ln.n)
			break;
		if (empty == 2)
			return refuse(why, 400, NULL,
				      "the request starts with more than two empty lines");
	}
	bool http11 = false;
	if ((r = request_line(ln, req, &http11, why)) != WIRE_DONE)
		return r;

	size_t nfields = 0;
	bool host = false, te = false, cl = false;
	struct line last = {"", 0};
	for (;;) {
		if ((r = next_line(buf, len, &pos, &ln, why)) != WIRE_DONE)
			return r;
		if (ln.n == 0)
			break;
		if (is_ows((unsigned char)ln.s[0]))
			return refuse(why, 400,
				      last.n ? header_field(field, sizeof field, last.s, last.n)
					     : NULL,
				      "a header line starts with white space (a folded "
				      "line, obs-fold): send each field on one line");
		if (++nfields > WIRE_FIELDS_MAX)
			return refuse(why, 431, NULL,
				      "the request has more than %d header fields",
				      WIRE_FIELDS_MAX);
		const char *colon = memchr(ln.s, ':', ln.n);
		if (!colon)
			return refuse(why, 400, NULL,
				      "a header line has no colon: send Name: value");
		struct line name = {ln.s, (size_t)(colon - ln.s)};
		if (name.n == 0)
			return refuse(why, 400, NULL, "a header line has no name before its colon");
		for (size_t i = 0; i < name.n; i++) {
			unsigned char c = (unsigned char)name.s[i];
			if (is_tchar(c))
				continue;
			if (is_ows(c) && i == name.n - 1)
				return refuse(why, 400, NULL,
					      "white space between a header name and its "
					      "colon is not accepted");
			return refuse(why, 400, NULL,
				      "a header name holds byte 0x%02X: names are tokens "
				      "(letters, digits and !#$%%&'*+-.^_`|~)",
				      c);
		}
		header_field(field, sizeof field, name.s, name.n);
		last = name;
		const char *v = colon + 1, *end = ln.s + ln.n;
		while (v < end && is_ows((unsigned char)*v))
			v++;
		while (end > v && is_ows((unsigned char)end[-1]))
			end--;
		for (const char *p = v; p < end; p++) {
			unsigned char c = (unsigned char)*p;
			if ((c < 0x20 && c != '\t') || c == 0x7F)
				return refuse(why, 400, field,
					      "the value holds control character 0x%02X", c);
		}
		struct line value = {v, (size_t)(end - v)};
		if (name_is(name, "Host")) {
			if (host)
				return refuse(why, 400, field, "Host is given more than once");
			host = true;
		} else if (name_is(name, "Content-Length")) {
			if (cl)
				return refuse(why, 400, field,
					      "Content-Length is given more than once");
			cl = true;
			if (value.n == 0 || value.n > 18)
				goto bad_length;
			for (size_t i = 0; i < value.n; i++) {
				if (value.s[i] < '0' || value.s[i] > '9')
					goto bad_length;
				req->length = req->length * 10 + (uint64_t)(value.s[i] - '0');
			}
		} else if (name_is(name, "Transfer-Encoding")) {
			if (te)
				return refuse(why, 400, field,
					      "Transfer-Encoding is given more than once");
			te = true;
			if (!name_is(value, "chunked"))
				return refuse(why, 501, field,
					      "the only transfer coding accepted is chunked");
		}
	}
	if (http11 && !host)
		return refuse(why, 400, "header:Host",
			      "an HTTP/1.1 request must carry a Host header field");
	if (te && cl)
		return refuse(why, 400, "header:Transfer-Encoding",
			      "a request must not carry both Content-Length and "
			      "Transfer-Encoding: send one of them");
	if (te && !http11)
		return refuse(why, 400, "header:Transfer-Encoding",
			      "Transfer-Encoding is not accepted in an HTTP/1.0 request: "
			      "send Content-Length");
	req->framing = te ? WIRE_BODY_CHUNKED : cl ? WIRE_BODY_LENGTH : WIRE_BODY_NONE;
	req->head_len = pos;
	return WIRE_DONE;
bad_length:
	return refuse(why, 400, field,
		      "Content-Length must be a number of bytes (decimal digits only)");
}

/* Where the request line starts: after at most two empty lines. */
static size_t request_line_start(const char *buf, size_t len)
{
	size_t p = 0;
	for (int i = 0; i < 2 && p + 1 < len && buf[p] == '\r' && buf[p + 1] == '\n'; i++)
		p += 2;
	return p;
}

void wire_request_peek(const char *buf, size_t len, struct wire_request *req)
{
	memset(req, 0, sizeof *req);
	size_t p = request_line_start(buf, len);
	const char *sp1 = memchr(buf + p, ' ', len - p);
	size_t mlen = sp1 ? (size_t)(sp1 - (buf + p)) : 0;
	if (mlen == 0 || mlen > WIRE_METHOD_MAX)
		return;
	memcpy(req->method, buf + p, mlen);
	req->method[mlen] = '\0';
	const char *t = sp1 + 1;
	size_t tlen = (size_t)(buf + len - t);
	const char *stop = memchr(t, ' ', tlen);
	if (stop)
		tlen = (size_t)(stop - t);
	keep_path(req, t, tlen);
}

enum wire_result wire_request_parse(const char *buf, size_t len, size_t *scanned,
				    struct wire_request *req, struct wire_refusal *why)
{
	size_t limit = len < WIRE_HEAD_MAX ? len : WIRE_HEAD_MAX;
	size_t rl = request_line_start(buf, limit);
	for (size_t i = *scanned; i < limit; i++) {
		/* the request line must end within WIRE_LINE_MAX: decided at
		 * the byte after it, so the verdict is the same whatever the
		 * pieces the head arrives in */
		if (i == rl + WIRE_LINE_MAX && !memchr(buf + rl, '\n', WIRE_LINE_MAX)) {
			*scanned = i;
			wire_request_peek(buf, i, req);
			return refuse(why, 414, NULL, "the request line is longer than %d bytes",
				      WIRE_LINE_MAX);
		}
		unsigned char c = (unsigned char)buf[i];
		bool decide;
		if (c == '\n')
			decide = i == 0 || buf[i - 1] != '\r' ||
				 (i >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r');
		else
			decide = i > 0 && buf[i - 1] == '\r';
		if (!decide)
			continue;
		enum wire_result r = parse_head(buf, i + 1, req, why);
		if (r != WIRE_MORE) {
			*scanned = i + 1;
			return r;
		}
	}
	*scanned = limit;
	if (len >= WIRE_HEAD_MAX) {
		wire_request_peek(buf, limit, req);
		return refuse(why, 431, NULL,
			      "the request head is larger than %d bytes", WIRE_HEAD_MAX);
	}
	return WIRE_MORE;
}

/* ------------------------------------------------------------------ */
/* Chunked bodies                                                      */

enum {
	CH_SIZE,        /* hex digits of a chunk size */
	CH_SIZE_WS,     /* white space after the digits */
	CH_EXT,         /* a chunk extension, up to CR */
	CH_SIZE_LF,     /* LF ending the size line */
	CH_DATA,        /* chunk data */
	CH_DATA_CR,     /* CR after the data */
	CH_DATA_LF,     /* LF after the data */
	CH_TRAILER,     /* start of a trailer line (or the final CR) */
	CH_TRAILER_NAME,
	CH_TRAILER_VALUE,
	CH_TRAILER_LF,
	CH_END_LF,      /* LF of the final empty line */
};

void wire_chunked_init(struct wire_chunked *c)
{
	memset(c, 0, sizeof *c);
	c->state = CH_SIZE;
}

enum wire_result wire_chunked_feed(struct wire_chunked *c, const char *buf, size_t len,
				   size_t *used, struct wire_refusal *why)
{
	size_t i = 0;
	while (i < len) {
		unsigned char b = (unsigned char)buf[i];
		if (c->state == CH_DATA) {
			size_t take = len - i;
			if ((uint64_t)take > c->left)
				take = (size_t)c->left;
			c->left -= take;
			i += take;
			if (c->left == 0)
				c->state = CH_DATA_CR;
			continue;
		}
		i++;
		if (b == '\n' && c->state != CH_SIZE_LF && c->state != CH_DATA_LF &&
		    c->state != CH_TRAILER_LF && c->state != CH_END_LF)
			goto bare_lf;
		switch (c->state) {
		case CH_SIZE: {
			int h = hex_value(b);
			if (h >= 0) {
				if (++c->line > 15)
					return refuse(why, 400, NULL,
						      "a chunk size has more than 15 hex digits");
				c->left = c->left * 16 + (uint64_t)h;
				c->digits = true;
			} else if (c->digits && b == '\r') {
				c->state = CH_SIZE_LF;
			} else if (c->digits && b == ';') {
				c->state = CH_EXT;
			} else if (c->digits && is_ows(b)) {
				c->state = CH_SIZE_WS;
			} else {
				return refuse(why, 400, NULL,
					      "a chunk must start with its size in hexadecimal");
			}
			break;
		}
		case CH_SIZE_WS:
			if (b == ';')
				c->state = CH_EXT;
			else if (b == '\r')
				c->state = CH_SIZE_LF;
			else if (!is_ows(b))
				return refuse(why, 400, NULL,
					      "a chunk size may be followed only by ; and an "
					      "extension");
			break;
		case CH_EXT:
			if (++c->line > WIRE_CHUNK_LINE_MAX)
				return refuse(why, 400, NULL,
					      "a chunk size line is longer than %d bytes",
					      WIRE_CHUNK_LINE_MAX);
			if (b == '\r')
				c->state = CH_SIZE_LF;
			else if ((b < 0x20 && b != '\t') || b == 0x7F)
				return refuse(why, 400, NULL,
					      "a chunk extension holds control character 0x%02X",
					      b);
			break;
		case CH_SIZE_LF:
			if (b != '\n')
				goto bare_cr;
			c->line = 0;
			c->digits = false;
			c->state = c->left ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA_CR:
			if (b != '\r')
				return refuse(why, 400, NULL,
					      "a chunk is longer than its size says, or does "
					      "not end with CR LF");
			c->state = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (b != '\n')
				goto bare_cr;
			c->state = CH_SIZE;
			break;
		case CH_TRAILER:
			if (b == '\r') {
				c->state = CH_END_LF;
				break;
			}
			if (is_ows(b))
				return refuse(why, 400, NULL,
					      "a trailer line starts with white space (a folded "
					      "line)");
			c->state = CH_TRAILER_NAME;
			/* fall through */
		case CH_TRAILER_NAME:
			if (++c->trailer > WIRE_TRAILER_MAX)
				goto trailer_large;
			if (b == ':' && c->state == CH_TRAILER_NAME && c->digits)
				c->state = CH_TRAILER_VALUE;
			else if (is_tchar(b))
				c->digits = true; /* the name has a character */
			else
				return refuse(why, 400, NULL,
					      "a trailer field must be Name: value");
			break;
		case CH_TRAILER_VALUE:
			if (++c->trailer > WIRE_TRAILER_MAX)
				goto trailer_large;
			if (b == '\r')
				c->state = CH_TRAILER_LF;
			else if ((b < 0x20 && b != '\t') || b == 0x7F)
				return refuse(why, 400, NULL,
					      "a trailer field holds control character 0x%02X", b);
			break;
		case CH_TRAILER_LF:
			if (b != '\n')
				goto bare_cr;
			c->digits = false;
			c->state = CH_TRAILER;
			break;
		case CH_END_LF:
			if (b != '\n')
				goto bare_cr;
			*used = i;
			return WIRE_DONE;
		}
	}
	*used = len;
	return WIRE_MORE;
bare_lf:
	return refuse(why, 400, NULL, "a line of the chunked body ends with LF alone");
bare_cr:
	return refuse(why, 400, NULL, "a CR in the chunked body is not followed by LF");
trailer_large:
	return refuse(why, 400, NULL, "the trailer section is longer than %d bytes",
		      WIRE_TRAILER_MAX);
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

/* Does a comma-separated field value hold this token (any case)? */
static bool has_token(struct line value, const char *token)
{
	size_t tl = strlen(token);
	size_t i = 0;
	while (i < value.n) {
		while (i < value.n && (is_ows((unsigned char)value.s[i]) || value.s[i] == ','))
			i++;
		size_t start = i;
		while (i < value.n && value.s[i] != ',')
			i++;
		size_t end = i;
		while (end > start && is_ows((unsigned char)value.s[end - 1]))
			end--;
		if (end - start == tl && strncasecmp(value.s + start, token, tl) == 0)
			return true;
	}
	return false;
}

enum wire_result wire_response_parse(const char *buf, size_t len, bool head_method,
				     struct wire_response *resp)
{
	memset(resp, 0, sizeof *resp);
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return WIRE_MORE;
	size_t hlen = (size_t)(end - buf) + 4;
	/* "HTTP/1.x NNN" */
	if (hlen < 16 || memcmp(buf, "HTTP/1.", 7) || (buf[7] != '0' && buf[7] != '1') ||
	    buf[8] != ' ' || buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' ||
	    buf[11] < '0' || buf[11] > '9' || (buf[12] != ' ' && buf[12] != '\r'))
		return WIRE_REFUSED;
	resp->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	resp->interim = resp->status < 200 && resp->status != 101;
	bool chunked = false, cl = false;
	size_t pos = (size_t)((const char *)memchr(buf, '\n', hlen) - buf) + 1;
	while (pos < hlen - 2) {
		const char *lf = memchr(buf + pos, '\n', hlen - pos);
		size_t lend = (size_t)(lf - buf);
		if (lend == pos || buf[lend - 1] != '\r')
			return WIRE_REFUSED;
		struct line ln = {buf + pos, lend - 1 - pos};
		pos = lend + 1;
		const char *colon = memchr(ln.s, ':', ln.n);
		if (!colon)
			return WIRE_REFUSED;
		struct line name = {ln.s, (size_t)(colon - ln.s)};
		const char *v = colon + 1, *vend = ln.s + ln.n;
		while (v < vend && is_ows((unsigned char)*v))
			v++;
		while (vend > v && is_ows((unsigned char)vend[-1]))
			vend--;
		struct line value = {v, (size_t)(vend - v)};
		if (name_is(name, "Content-Length")) {
			if (cl || value.n == 0 || value.n > 18)
				return WIRE_REFUSED;
			cl = true;
			for (size_t i = 0; i < value.n; i++) {
				if (value.s[i] < '0' || value.s[i] > '9')
					return WIRE_REFUSED;
				resp->length = resp->length * 10 + (uint64_t)(value.s[i] - '0');
			}
		} else if (name_is(name, "Transfer-Encoding")) {
			chunked = has_token(value, "chunked");
		} else if (name_is(name, "Connection")) {
			resp->close = resp->close || has_token(value, "close");
		}
	}
	resp->head_len = hlen;
	if (head_method || resp->interim || resp->status == 204 || resp->status == 304)
		resp->framing = WIRE_BODY_NONE;
	else if (chunked)
		resp->framing = WIRE_BODY_CHUNKED;
	else if (cl)
		resp->framing = WIRE_BODY_LENGTH;
	else
		resp->framing = WIRE_BODY_TO_CLOSE;
	return WIRE_DONE;
}
