/*
 * repo_internal.h - what the query files of src/store share: the way a
 * query is declared, and column readers. Private to src/store.
 */
#ifndef KOUAN_REPO_INTERNAL_H
#define KOUAN_REPO_INTERNAL_H

#include "common/buf.h"
#include "common/clock.h"
#include "common/error.h"
#include "store/repo.h"
#include "store/store.h"

#define Q(name, sql) STORE_QUERY static const struct sql_query name = {sql}

/* The placeholders of 2, 4, 8 and 16 rows of a multi-row INSERT, each row's
 * as `row` says, and the statements of 1, 2, 4, 8 (and 16) rows: `head`,
 * the rows, `tail`, in the order store_rows_insert takes them. */
#define ROWS2(row) row ", " row
#define ROWS4(row) ROWS2(row) ", " ROWS2(row)
#define ROWS8(row) ROWS4(row) ", " ROWS4(row)
#define ROWS16(row) ROWS8(row) ", " ROWS8(row)
#define ROW_STATEMENTS8(head, row, tail)                                         \
	{head row tail}, {head ROWS2(row) tail}, {head ROWS4(row) tail},         \
		{head ROWS8(row) tail}
#define ROW_STATEMENTS16(head, row, tail)                                        \
	ROW_STATEMENTS8(head, row, tail), {head ROWS16(row) tail}

/* Those statements, as the array `name` of queries (up to 8 or 16 rows). */
#define QROWS8(name, head, row, tail)                                            \
	STORE_QUERY static const struct sql_query name[] = {ROW_STATEMENTS8(head, row, tail)}
#define QROWS16(name, head, row, tail)                                           \
	STORE_QUERY static const struct sql_query name[] = {ROW_STATEMENTS16(head, row, tail)}

/* How many statements an array of them holds. */
#define STATEMENTS_OF(q) (sizeof(q) / sizeof((q)[0]))

/* Column i as text, or NULL when it is SQL NULL. */
static inline const char *col_opt(struct store_stmt *st, int i)
{
	return stmt_is_null(st, i) ? NULL : stmt_text(st, i);
}

/* Copy column i into a fixed buffer ("" for NULL). */
static inline void col_copy(struct store_stmt *st, int i, char *out, size_t n)
{
	str_copy(out, stmt_text(st, i), n);
}

/* An event as the store keeps it (repo_events.c, migrations 0013 and
 * 0015): its declaration number bound as text to a bigint column, its
 * type's code, its time in microseconds since 1970 UTC, and its actor and
 * role, NULL both when kouan acted by itself. KERR_INTERNAL, logged, for
 * a number that is not 18 digits, an unknown type or a malformed time:
 * the services always write ones they made. */
struct event_stored {
	const char *number; /* NULL: a call's own event; else 18 digits */
	int64_t type;
	int64_t at;
	const char *actor;
	const char *actor_role;
};
KOUAN_MUST_USE kerr event_stored_form(const struct event_in *e, struct event_stored *out);

/* A declaration number kept as its value (in the events, tasks,
 * idempotency records, assessments and claims since migrations 0015 to
 * 0019), shown again as its 18 digits: 10^18 + n has 19 digits, the
 * first a 1 (NULL stays NULL). The same SQL on both backends; compared
 * with declarations.number, the lookup uses that key. Numbers are bound
 * as text into CAST(? AS BIGINT). */
#define NUMBER_TEXT(col) "substr(CAST(1000000000000000000 + " col " AS TEXT), 2)"

/* A time kept as integer microseconds (events, tasks, idempotency
 * records, assessments, claims, declarations): KERR_INTERNAL, logged,
 * for text that is not RFC 3339 (the services always write times they
 * made). */
KOUAN_MUST_USE kerr repo_time_us(const char *text, int64_t *us);

/* The time in column i (microseconds) as RFC 3339 text; "" when NULL. */
static inline void col_time(struct store_stmt *st, int i, char out[KTIME_TEXT_MAX])
{
	if (stmt_is_null(st, i))
		out[0] = '\0';
	else
		ktime_format(stmt_int(st, i), out);
}

/* NULL for an empty string, so that it is stored as SQL NULL. */
static inline const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

#endif
