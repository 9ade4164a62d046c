/*
 * stats_internal.h - the statistics engine's storage, shared by the writer
 * side (stats.c) and the query side (stats_query.c). Nothing else may
 * include it.
 *
 * Rows live in chunks of at most CHUNK_ROWS, one series of chunks per
 * direction and calendar month of lodgement. A chunk keeps each field as a
 * column; each measure (the twelve stage slots of the direction and the
 * total) is a column of seconds (ABSENT when not measured) with two bitmaps:
 * rows where it is present, and rows where it is present and not zero. A
 * row's handle is its chunk's index << CHUNK_BITS | its row in the chunk.
 */
#ifndef KOUAN_STATS_INTERNAL_H
#define KOUAN_STATS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/stats.h"

#define CHUNK_BITS 16
#define CHUNK_ROWS (1u << CHUNK_BITS) /* rows per chunk at most */
#define MAX_CHUNKS (1u << (32 - CHUNK_BITS))
#define FIRST_CAP 1024u /* rows a new chunk has room for */
#define NO_HANDLE UINT32_MAX
#define ABSENT UINT32_MAX /* a stage not measured */
#define MEASURES (STAGE_PER_DIRECTION + 1)
#define TOTAL_M STAGE_PER_DIRECTION /* the measure that is the total */
#define GROUPS (STATS_HOURS + STATS_WEEKDAYS)
/* Lodgement times are kept a day from either end of 32-bit seconds, so
 * that with any offset from UTC they still fit: 1970-01-02T00:00:00Z to
 * 2106-02-06T06:28:15Z less a day. */
#define LODGED_MIN 86400u
#define LODGED_MAX (UINT32_MAX - 86400u)

struct dict {
	char (*name)[STATS_VALUE_MAX]; /* name[code - 1] */
	uint32_t n, cap;
	uint16_t *slot; /* hash table of codes, 0 = empty */
	uint32_t mask;
};

struct chunk {
	uint8_t dir;
	int32_t month;
	uint32_t n, cap;
	uint64_t *number;
	uint32_t *lodged; /* seconds since the epoch */
	uint8_t *how;     /* hour of the week of lodgement, UTC (Monday 00 = 0) */
	uint8_t *state;   /* outcome | total kind << 2 | flags << 4 */
	uint16_t *dim[STATS_DIM_COUNT];
	uint32_t *m[MEASURES]; /* seconds, or ABSENT */
	uint64_t *present[MEASURES];
	uint64_t *nonzero[MEASURES];
	/* rows of each outcome and of each kind of total, so that a selection
	 * by those alone is made 64 rows at a time */
	uint64_t *outcome[OUTCOME_COUNT];
	uint64_t *kind[TOTAL_KINDS];
};

/* The chunks of one direction and month: rows are added to the last. */
struct part {
	uint8_t dir;
	int32_t month;
	uint32_t last; /* chunk index */
};

struct stats {
	pthread_rwlock_t lock;
	unsigned threads;
	struct chunk **chunk;
	uint32_t nchunks, capchunks;
	struct part *part;
	size_t nparts, capparts;
	uint32_t *slot; /* the index: number -> handle */
	size_t mask, used;
	struct dict dict[STATS_DIM_COUNT];
	size_t rows;
	/* a query's workspace kept for the next query (stats_query.c) */
	pthread_mutex_t spare_lock;
	void *spare;
};

static inline size_t words_for(uint32_t rows)
{
	return (rows + 63) / 64;
}

static inline const struct chunk *chunk_of(const struct stats *s, uint32_t h)
{
	return s->chunk[h >> CHUNK_BITS];
}

static inline uint64_t number_at(const struct stats *s, uint32_t h)
{
	return chunk_of(s, h)->number[h & (CHUNK_ROWS - 1)];
}

/* Grow *p to n elements of `size` bytes; false (and *p as it was) when
 * memory runs out. */
bool stats_grow(void **p, size_t n, size_t size);

/* The code of a dimension value (1..n), or 0 when unknown. */
uint16_t stats_dict_find(const struct dict *d, const char *v);

/* The first second (since the epoch) of a month counted from January 1970. */
int64_t stats_month_start(int32_t month);

/* A declaration number's 18 digits. */
void stats_number_text(uint64_t v, char out[19]);

/* Answer a query under the read lock (stats_query.c). */
kerr stats_query_locked(struct stats *s, const struct stats_query *q, struct stats_result *r);

/* Free the workspace kept for the next query (stats_query.c). */
void stats_query_spare_free(struct stats *s);

#endif
