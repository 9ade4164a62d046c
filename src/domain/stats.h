/*
 * stats.h - the clearance-time statistics engine: per-declaration rows of
 * stage durations kept in memory, column by column, and exact statistics
 * over any selection of them, fast enough for a whole country's
 * declarations (docs/clearance-time.md has the design and the figures).
 *
 * A row is one declaration: its number, lodgement time, seven dimensions
 * (office, port, transport mode, lane, credit class, trade mode, commodity
 * chapter: each a short code turned into a small integer by a dictionary),
 * its outcome, kind of total and flags, and its twelve stage durations and
 * total in whole seconds, taken from stages_measure (stages.h). Rows live in
 * chunks of at most 65,536, one series of chunks per direction and calendar
 * month of lodgement (UTC), so a period prunes whole chunks.
 *
 * A query selects rows (period of lodgement, direction, outcome, kind of
 * total, flags, and any set of values per dimension) and answers, per
 * direction: count, mean, median, 90th and 95th percentile and maximum of
 * every stage and of the total; the share of totals within each target;
 * the sums by party and the slowest stage; count, mean and median of the
 * total by hour of day and by day of the week of lodgement (in a given
 * offset from UTC); and the outliers above the far-out fence with their
 * numbers.
 *
 * Definitions, so that SQL gives the same numbers (bench/stats.c checks):
 *  - durations are whole seconds; an absent stage counts nowhere;
 *  - mean = (2 * sum + count) / (2 * count) in integers (half up);
 *  - the p-th percentile (nearest rank) is the value at 1-based rank
 *    ceil(p * count / 100) = (p * count + 99) / 100 in ascending order (the
 *    median is p = 50, so the lower middle value of an even count);
 *  - a total is within target T when total <= T seconds;
 *  - the far-out fence is p75 + 3 * (p75 - p25) of the totals; outliers
 *    are totals above it, listed slowest first, ties by number;
 *  - hour of day and weekday are those of lodged_at + offset (Monday 0);
 *  - the slowest stage has the largest sum of seconds (the most time a
 *    reform could take away); ties go to the earlier stage.
 *
 * Thread safety: any number of threads may query and write at once. Writes
 * (stats_put, stats_remove) take the engine's lock exclusively for O(1)
 * work each (amortised: a dictionary, the index or a chunk may grow);
 * queries share it for their whole run, so a query sees every row either
 * before or after any write, and a writer waits for the queries running
 * (writers are preferred, so queries cannot starve it). A query uses up to
 * the `threads` given to stats_new, spawned for the query.
 *
 * Pure domain code: no I/O, no clock, no environment, no globals.
 */
#ifndef KOUAN_STATS_H
#define KOUAN_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/problems.h"
#include "domain/stages.h"

/* The dimensions: X(id, name) - name is the query parameter and JSON key. */
#define STATS_DIM_MAP(X)                                                        \
	X(OFFICE, "office")                                                    \
	X(PORT, "port")                                                        \
	X(TRANSPORT_MODE, "transport_mode")                                    \
	X(LANE, "lane")                                                        \
	X(CREDIT_CLASS, "credit_class")                                        \
	X(TRADE_MODE, "trade_mode")                                            \
	X(CHAPTER, "chapter")

enum stats_dim {
#define STATS_DIM_ENUM(id, name) STATS_DIM_##id,
	STATS_DIM_MAP(STATS_DIM_ENUM)
#undef STATS_DIM_ENUM
	STATS_DIM_COUNT
};

#define STATS_VALUE_MAX 16     /* bytes of a dimension value, with the NUL */
#define STATS_MAX_VALUES 64    /* values of one dimension in a query */
#define STATS_MAX_CODES 65535  /* distinct values of one dimension */
#define STATS_MAX_TARGETS 8    /* targets per direction */
#define STATS_MAX_OUTLIERS 100 /* outliers listed */
#define STATS_MAX_THREADS 16
#define STATS_MAX_SECONDS 2147483647u /* longest duration kept (68 years) */
#define STATS_TZ_LIMIT (14 * 3600)    /* offsets from -14:00 to +14:00 */
#define STATS_WEEKDAYS 7
#define STATS_HOURS 24

/* A declaration as the engine files it. Strings are borrowed. */
struct stats_decl {
	const char *number;                /* 18 digits */
	const char *dim[STATS_DIM_COUNT];  /* codes; NULL or "" = unknown */
};

/* What to select and what to compute. Value semantics (no pointers), so it
 * can be copied, kept and compared. */
struct stats_query {
	int64_t from_us;   /* lodged at or after (INT64_MIN: open) */
	int64_t to_us;     /* lodged before (INT64_MAX: open) */
	unsigned directions; /* bit 1 << enum stage_direction; 0 = both */
	unsigned outcomes;   /* bit 1 << enum stage_outcome */
	unsigned totals;     /* bit 1 << enum stage_total */
	unsigned flags_set;   /* STAGE_FLAG_* a row must have */
	unsigned flags_clear; /* STAGE_FLAG_* a row must not have */
	/* per dimension, the values selected; none = every value */
	size_t nvalues[STATS_DIM_COUNT];
	char values[STATS_DIM_COUNT][STATS_MAX_VALUES][STATS_VALUE_MAX];
	int32_t tz_offset_s; /* for hour of day and weekday */
	size_t ntargets[STAGE_DIRECTIONS];
	uint32_t target_s[STAGE_DIRECTIONS][STATS_MAX_TARGETS];
	size_t outliers; /* how many to list, 0..STATS_MAX_OUTLIERS */
};

/* The default query: every period, direction, kind of total and dimension
 * value; released declarations only; offset +08:00 (China);
 * targets 40 h for imports and 18 h for exports (Guangzhou's 2019 border
 * compliance targets); 20 outliers listed. */
void stats_query_init(struct stats_query *q);

/*
 * Fill *q from query parameters, starting from stats_query_init. get(ctx,
 * name) returns a parameter's text or NULL when absent. Parameters:
 *   from, to        RFC 3339, or YYYY-MM-DD for midnight at the offset `tz`
 *                   (from inclusive, to exclusive)
 *   direction       import | export
 *   outcome         released, in_progress, withdrawn, rejected (comma list)
 *   total           border, declaration, none (comma list)
 *   flags           advance, corrected, inspected, out_of_order, each
 *                   optionally prefixed by "!" for "not" (comma list)
 *   office, port, transport_mode, lane, credit_class, trade_mode, chapter
 *                   comma lists of codes (at most STATS_MAX_VALUES each)
 *   tz              Z or +HH:MM / -HH:MM, at most 14:00 away
 *   target_import, target_export
 *                   comma lists of durations: 40h, 32.02h, 90m, 3600s (whole
 *                   seconds; at most STATS_MAX_TARGETS; replace the defaults)
 *   outliers        0 to STATS_MAX_OUTLIERS
 * Each problem is added to *p as "query:NAME" with a sentence; returns
 * false when there was any (then *q is unspecified).
 */
bool stats_query_parse(struct stats_query *q,
		       const char *(*get)(void *ctx, const char *name), void *ctx,
		       struct problems *p);

/* Statistics of one measure (whole seconds). All zero when count is 0. */
struct stats_measure {
	uint64_t count;
	uint64_t sum;
	uint32_t mean, median, p90, p95, max;
};

/* The total by hour of day or weekday of lodgement. */
struct stats_group {
	uint64_t count;
	uint64_t sum;
	uint32_t mean, median;
};

struct stats_outlier {
	char number[19];
	uint32_t total_s;
	enum stage slowest; /* the outlier's own longest stage */
	uint32_t slowest_s;
};

/* The answer for one direction. */
struct stats_direction {
	bool asked;                    /* the query covered this direction */
	uint64_t declarations;         /* rows selected */
	uint64_t by_total[TOTAL_KINDS]; /* of which with each kind of total */
	struct stats_measure stage[STAGE_COUNT]; /* stages of other direction: 0 */
	struct stats_measure total;
	uint32_t p25, p75;             /* quartiles of the total */
	uint64_t party_s[PARTY_COUNT]; /* seconds of the stages by party */
	int slowest;                   /* enum stage, or -1 when none measured */
	size_t ntargets;
	uint32_t target_s[STATS_MAX_TARGETS];
	uint64_t within[STATS_MAX_TARGETS]; /* totals <= target */
	struct stats_group hour[STATS_HOURS];
	struct stats_group weekday[STATS_WEEKDAYS]; /* Monday first */
	uint64_t fence_s;        /* p75 + 3 * (p75 - p25); 0 with no totals */
	uint64_t outliers;       /* totals above the fence */
	size_t noutliers;        /* listed below, at most the query's outliers */
	struct stats_outlier outlier[STATS_MAX_OUTLIERS];
};

struct stats_result {
	struct stats_direction dir[STAGE_DIRECTIONS];
};

struct stats;

/* A new, empty engine whose queries use up to `threads` threads (1 to
 * STATS_MAX_THREADS; 0 means 1). */
KOUAN_MUST_USE kerr stats_new(unsigned threads, struct stats **out);
void stats_free(struct stats *s);

/*
 * File a declaration's measurement, adding its row or replacing the one with
 * the same number (call it again whenever the declaration's timeline grows).
 * KERR_INVALID when the number is not 18 digits whose direction digit agrees
 * with t->direction, t->lodged_at is missing or outside 1970-01-02 ..
 * 2106-02-05, a duration or the total exceeds STATS_MAX_SECONDS, a
 * dimension value is longer than STATS_VALUE_MAX - 1 bytes, or a dimension
 * would get more than STATS_MAX_CODES values; KERR_NOMEM when memory runs
 * out. On error no row has changed (a dimension value may have been added
 * to its dictionary, which changes no figure).
 */
KOUAN_MUST_USE kerr stats_put(struct stats *s, const struct stats_decl *d,
			      const struct stage_times *t);

/* Drop a declaration's row. KERR_NOT_FOUND when there is none. */
KOUAN_MUST_USE kerr stats_remove(struct stats *s, const char *number);

/* Has any declaration been filed with this value of dimension d (it is in
 * the dimension's dictionary, whether or not a row still holds it)? */
bool stats_has_value(struct stats *s, enum stats_dim d, const char *value);

/*
 * Snapshots: the engine's dictionaries and rows as bytes, so that a server
 * starting again loads them instead of filing every declaration from its
 * timeline. The bytes are this machine's (byte order and sizes are checked
 * on load) and end with a checksum.
 *
 * stats_save writes them in pieces through write(arg, bytes, n), under the
 * read lock (queries go on; a write waits), and stops at write's first
 * error, which it returns. stats_load fills an empty engine from them:
 * KERR_INVALID when they are not one whole snapshot of this format (the
 * checksum, the sizes, every code, time and number are checked) or the
 * engine is not empty, and then the engine is left empty; KERR_NOMEM.
 */
typedef kerr (*stats_write_fn)(void *arg, const void *bytes, size_t n);
KOUAN_MUST_USE kerr stats_save(struct stats *s, stats_write_fn write, void *arg);
KOUAN_MUST_USE kerr stats_load(struct stats *s, const void *bytes, size_t n);

/* Rows held, and bytes of memory the engine holds for them. */
size_t stats_count(struct stats *s);
size_t stats_bytes(struct stats *s);

/*
 * Answer a query (see the top of this file). KERR_INVALID when a field of
 * *q is out of range (stats_query_parse never produces one); KERR_NOMEM.
 */
KOUAN_MUST_USE kerr stats_query(struct stats *s, const struct stats_query *q,
				struct stats_result *r);

/*
 * The answer as JSON (new reference; NULL when memory runs out):
 * {"query": {...what was asked...},
 *  "import": {"declarations": N, "totals": {"border": N, "declaration": N, "none": N},
 *             "total": {"count", "mean_s", "median_s", "p90_s", "p95_s", "max_s",
 *                       "p25_s", "p75_s", "sum_s"},
 *             "targets": [{"target_s": 144000, "within": N, "share": "0.9612"}],
 *             "stages": [{"stage", "title", "party", "count", "mean_s", "median_s",
 *                         "p90_s", "p95_s", "max_s", "sum_s", "share_of_time"}],
 *             "slowest_stage": "gate_out" | null,
 *             "parties": {"trader": {"sum_s": N, "share": "0.2500"}, ...},
 *             "hour_of_day": [{"hour": 0, "count", "mean_s", "median_s"}, ...24],
 *             "weekday": [{"weekday": "monday", "count", "mean_s", "median_s"}, ...7],
 *             "outliers": {"fence_s": N, "count": N,
 *                          "listed": [{"number", "total_s", "slowest_stage",
 *                                      "slowest_s"}]}},
 *  "export": {...}}
 * Directions not asked are left out. Shares are decimal strings with four
 * places, rounded half up ("0.0000" when there is nothing to share).
 */
json_t *stats_result_json(const struct stats_query *q, const struct stats_result *r);

/* The tables of an answer as CSV (RFC 4180, header line first). */
enum stats_table {
	STATS_TABLE_STAGES,   /* direction,stage,party,count,...: one row per
				 stage of each direction, then its total */
	STATS_TABLE_HOURS,    /* direction,hour,count,mean_s,median_s */
	STATS_TABLE_WEEKDAYS, /* direction,weekday,count,mean_s,median_s */
	STATS_TABLE_OUTLIERS, /* direction,number,total_s,slowest_stage,slowest_s */
	STATS_TABLE_TARGETS,  /* direction,target_s,count,within,share */
	STATS_TABLES
};
const char *stats_table_name(enum stats_table t); /* "stages", "hours", ... */
bool stats_table_parse(const char *s, enum stats_table *out);
KOUAN_MUST_USE kerr stats_result_csv(const struct stats_result *r, enum stats_table t,
				     struct buf *out);

/* Names of the dimensions ("office", ...) and of the weekdays ("monday"). */
const char *stats_dim_name(enum stats_dim d);
const char *stats_weekday_name(int wd);

/*
 * The share a of b with four decimals, rounded half up, as text into
 * out[8] ("0.9612", "1.0000"; "0.0000" when b is 0). Exposed so the API,
 * the CLI and tests word shares the same way.
 */
void stats_share(uint64_t a, uint64_t b, char out[8]);

#endif
