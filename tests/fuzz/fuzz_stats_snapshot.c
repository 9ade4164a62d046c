/*
 * fuzz_stats_snapshot.c - libFuzzer target for the statistics engine's
 * snapshot (src/domain/stats.c, stats_load), the file a server reads at
 * start. The input is a snapshot without its last eight bytes: the target
 * appends the checksum the format asks for (FNV-1a, 64 bits, of everything
 * before it), so the fuzzer explores the header, the dictionaries and the
 * rows instead of stopping at the checksum; the input once more as it is
 * (the checksum wrong, almost always) must be refused.
 *
 * Beyond "no crash": stats_load refuses (KERR_INVALID) and leaves the
 * engine empty, or loads; a loaded engine answers a query, and saves bytes
 * that load again into an engine holding as many rows, which answers the
 * same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

struct bytes {
	uint8_t *p;
	size_t n, cap;
};

static kerr gather(void *arg, const void *p, size_t n)
{
	struct bytes *b = arg;
	if (b->n + n > b->cap) {
		size_t cap = (b->n + n) * 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			return KERR_NOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return KERR_OK;
}

/* The answer to every declaration of every period, as JSON text. */
static char *answer(struct stats *s)
{
	struct stats_query q;
	struct stats_result r;
	stats_query_init(&q);
	if (stats_query(s, &q, &r))
		abort();
	json_t *j = stats_result_json(&q, &r);
	if (!j)
		abort();
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stats *s;
	if (stats_new(1, &s))
		return 0;
	uint8_t *whole = malloc(size + 8);
	if (!whole) {
		stats_free(s);
		return 0;
	}
	memcpy(whole, data, size);
	uint64_t sum = fnv1a(data, size);
	memcpy(whole + size, &sum, sizeof sum);
	/* as it is: a wrong checksum is refused, and nothing is kept */
	uint64_t tail;
	if (size >= 8 && (memcpy(&tail, data + size - 8, sizeof tail),
			  tail != fnv1a(data, size - 8)) &&
	    (stats_load(s, data, size) != KERR_INVALID || stats_count(s)))
		abort();
	kerr e = stats_load(s, whole, size + 8);
	free(whole);
	if (e && (e != KERR_INVALID && e != KERR_NOMEM))
		abort();
	if (e) {
		if (stats_count(s))
			abort(); /* refused: nothing kept */
		stats_free(s);
		return 0;
	}
	char *first = answer(s);
	struct bytes b = {0};
	struct stats *again;
	if (stats_save(s, gather, &b) || stats_new(1, &again))
		abort();
	if (stats_load(again, b.p, b.n) || stats_count(again) != stats_count(s))
		abort();
	char *second = answer(again);
	if (strcmp(first, second))
		abort();
	free(first);
	free(second);
	free(b.p);
	stats_free(again);
	stats_free(s);
	return 0;
}
