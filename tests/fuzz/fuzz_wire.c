/*
 * fuzz_wire.c - libFuzzer target for what the HTTP edge accepts on the
 * wire (src/http/wire.c): any bytes as a request head, as a chunked body,
 * as a request target and as an answer's head.
 *
 * Beyond "no crash", each verdict is checked:
 *   - a head gets the same verdict, at the same byte, whether it arrives
 *     whole or in pieces (the sizes drawn from the input itself);
 *   - an accepted head is checked again, independently: every line ends in
 *     CR LF, no line is folded, not both Content-Length and
 *     Transfer-Encoding, its target passes wire_target_check;
 *   - an accepted target has every % followed by two hex digits, no %00,
 *     and no encoded slash before the query;
 *   - a chunked body ends at the same byte, whole or in pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Piece sizes for feeding: taken from the input's own bytes. */
static size_t piece(const uint8_t *data, size_t size, size_t k)
{
	return size ? (size_t)data[k % size] % 64 + 1 : 1;
}

static bool line_starts_with(const char *line, size_t n, const char *name)
{
	size_t l = strlen(name);
	return n > l && line[l] == ':' && strncasecmp(line, name, l) == 0;
}

/* The accepted head again, by simple rules. */
static void recheck_head(const char *h, size_t n, const struct wire_request *req)
{
	if (n < 4 || memcmp(h + n - 4, "\r\n\r\n", 4))
		abort();
	bool cl = false, te = false;
	size_t line = 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '\n' && (i == 0 || h[i - 1] != '\r'))
			abort();
		if (h[i] == '\r' && (i + 1 >= n || h[i + 1] != '\n'))
			abort();
		if (h[i] != '\n')
			continue;
		size_t start = line;
		line = i + 1;
		if (line < n && (h[line] == ' ' || h[line] == '\t'))
			abort();
		cl = cl || line_starts_with(h + start, i - start, "content-length");
		te = te || line_starts_with(h + start, i - start, "transfer-encoding");
	}
	if (cl && te)
		abort();
	if ((req->framing == WIRE_BODY_CHUNKED) != te)
		abort();
	/* the request line's target */
	const char *rl = h;
	while (rl[0] == '\r')
		rl += 2;
	const char *sp1 = memchr(rl, ' ', (size_t)(h + n - rl));
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(h + n - sp1 - 1)) : NULL;
	struct wire_refusal why;
	if (!sp2 || !wire_target_check(sp1 + 1, (size_t)(sp2 - sp1 - 1), &why))
		abort();
}

static void recheck_target(const char *t, size_t n)
{
	bool query = false;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '?')
			query = true;
		if (t[i] != '%')
			continue;
		if (i + 2 >= n || !strchr("0123456789abcdefABCDEF", t[i + 1]) || !t[i + 1] ||
		    !strchr("0123456789abcdefABCDEF", t[i + 2]) || !t[i + 2])
			abort();
		if (t[i + 1] == '0' && t[i + 2] == '0')
			abort();
		if (!query && t[i + 1] == '2' && (t[i + 2] == 'f' || t[i + 2] == 'F'))
			abort();
	}
}

static void fuzz_head(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct wire_request whole, part;
	struct wire_refusal why_whole, why_part;
	size_t scanned = 0;
	enum wire_result r = wire_request_parse(buf, size, &scanned, &whole, &why_whole);
	size_t at_whole = scanned;
	/* the same bytes in pieces */
	enum wire_result rp = WIRE_MORE;
	size_t have = 0;
	scanned = 0;
	for (size_t k = 0; rp == WIRE_MORE && have < size; k++) {
		have += piece(data, size, k);
		if (have > size)
			have = size;
		rp = wire_request_parse(buf, have, &scanned, &part, &why_part);
	}
	if (rp != r)
		abort();
	if (r == WIRE_DONE) {
		if (part.head_len != whole.head_len || whole.head_len > size ||
		    whole.head_len != at_whole)
			abort();
		recheck_head(buf, whole.head_len, &whole);
	}
	if (r == WIRE_REFUSED && (why_part.status != why_whole.status ||
				  strcmp(why_part.detail, why_whole.detail) || !why_whole.detail[0]))
		abort();
}

static void fuzz_chunked(const uint8_t *data, size_t size)
{
	struct wire_chunked c;
	struct wire_refusal why;
	size_t used_whole = 0;
	wire_chunked_init(&c);
	enum wire_result r = wire_chunked_feed(&c, (const char *)data, size, &used_whole, &why);
	if (used_whole > size)
		abort();
	wire_chunked_init(&c);
	size_t at = 0;
	enum wire_result rp = WIRE_MORE;
	for (size_t k = 0; rp == WIRE_MORE && at < size; k++) {
		size_t n = piece(data, size, k + 7);
		if (n > size - at)
			n = size - at;
		size_t used = 0;
		rp = wire_chunked_feed(&c, (const char *)data + at, n, &used, &why);
		if (used > n)
			abort();
		at += rp == WIRE_MORE ? n : used;
	}
	if (rp != r || (r == WIRE_DONE && at != used_whole))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_head(data, size);
	fuzz_chunked(data, size);
	struct wire_refusal why;
	if (wire_target_check((const char *)data, size, &why))
		recheck_target((const char *)data, size);
	struct wire_response resp;
	for (int head = 0; head < 2; head++)
		if (wire_response_parse((const char *)data, size, head, &resp) == WIRE_DONE &&
		    (resp.head_len > size || resp.status < 100 || resp.status > 599))
			abort();
	return 0;
}
