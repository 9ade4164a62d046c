/*
 * store.h - the one storage interface. A backend (SQLite now, PostgreSQL
 * next) implements struct store_ops; everything above it speaks portable SQL
 * with '?' placeholders through these calls, so queries are written once
 * (src/store/repo.c) and run on every backend.
 *
 * Threads: a struct store is shared; each thread opens its own
 * struct store_conn and never shares it. A statement belongs to its
 * connection and is cached there, keyed by the address of its static
 * struct sql_query, so each query is prepared once per connection.
 *
 * Transactions: store_begin(conn, write) ... store_commit / store_rollback.
 * A committed write is durable against a crash of the process.
 */
#ifndef KOUAN_STORE_H
#define KOUAN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct store;
struct store_conn;
struct store_stmt;

/* A query, defined once as a static constant, with STORE_QUERY. */
struct sql_query {
	const char *text; /* portable SQL, '?' placeholders */
};

/* Every query of kouan is kept in one section of the program, so that
 * store_queries_known counts them. */
#define STORE_QUERY __attribute__((section("kouan_queries"), used))

/* The queries kouan has (those defined with STORE_QUERY). */
size_t store_queries_known(void);

/* A connection's prepared statements, on both backends, keyed by query: a
 * power of two, and well above store_queries_known (256 in November
 * 2026, checked by service/test_store), since a full cache prepares
 * no more and its lookups grow long well before that. */
#define STORE_STMT_CACHE 1024

enum store_step {
	STORE_ROW = 1,
	STORE_DONE = 2,
	STORE_ERROR = -1,
	STORE_CONSTRAINT = -2, /* unique or foreign-key violation */
};

enum store_sync {
	STORE_SYNC_PROCESS, /* survives a crash of the process (WAL, NORMAL) */
	STORE_SYNC_POWER,   /* also survives power loss (fsync each commit) */
	STORE_SYNC_NONE,    /* a throw-away store (the simulator's): never synced,
			     * lost in a crash; a larger page cache */
};

struct store_options {
	const char *url;    /* file path, "sqlite:PATH", or postgresql://... */
	enum store_sync sync;
	int busy_timeout_ms;
	/* SQLite: start the WAL over once it holds this many frames (0: the
	 * default, about 64 MB; tests set it low) */
	int wal_restart_frames;
};

struct store_ops {
	const char *name;
	kerr (*conn_open)(struct store *s, struct store_conn **out);
	void (*conn_close)(struct store_conn *c);
	kerr (*begin)(struct store_conn *c, bool write);
	kerr (*commit)(struct store_conn *c);
	void (*rollback)(struct store_conn *c);
	kerr (*exec_script)(struct store_conn *c, const char *sql);
	kerr (*prepare)(struct store_conn *c, const struct sql_query *q,
			struct store_stmt **out);
	/* Binds fail (out of memory, index out of range) with an error: the
	 * statement must then not run. */
	kerr (*bind_text)(struct store_stmt *st, int i, const char *v);
	kerr (*bind_int64)(struct store_stmt *st, int i, int64_t v);
	kerr (*bind_null)(struct store_stmt *st, int i);
	/* How many parameters ('?') the prepared statement takes. */
	int (*param_count)(struct store_stmt *st);
	enum store_step (*step)(struct store_stmt *st);
	/* Optional (NULL: step until done). Send a statement whose outcome
	 * the caller does not wait for (see store_exec_later): STORE_DONE once
	 * sent, or STORE_ERROR when it, or one sent before it, failed. */
	enum store_step (*step_later)(struct store_stmt *st);
	/* Optional (NULL: the read runs when it is read). Send a read whose
	 * rows are read later (see store_ahead_send): STORE_DONE once sent, or
	 * STORE_ERROR when it, or one sent before it, failed. Its step then
	 * waits for its answer if nothing has waited since. */
	enum store_step (*send_ahead)(struct store_stmt *st);
	const char *(*col_text)(struct store_stmt *st, int i); /* "" if NULL */
	int64_t (*col_int64)(struct store_stmt *st, int i);
	bool (*col_is_null)(struct store_stmt *st, int i);
	void (*reset)(struct store_stmt *st);
	const char *(*errmsg)(struct store_conn *c);
	void (*close)(struct store *s);
	/* Optional (NULL: nothing to do). Serialise migrations between servers
	 * starting at once, inside the migration's transaction. */
	kerr (*lock_migrations)(struct store_conn *c);
	/* Optional. Housekeeping at start-up and once a day (e.g. create
	 * partitions ahead). */
	kerr (*maintain)(struct store_conn *c);
	/* Optional (NULL: nothing to do). See store_analyse_grown; name(arg,
	 * table) for each table analysed. */
	kerr (*analyse_grown)(struct store_conn *c, int64_t min_changes,
			      void (*name)(void *arg, const char *table), void *arg);
	/* Optional: for backends shared by several servers. announce() tells
	 * every server watching (this one included) that `topic` changed, once
	 * the current transaction commits; watch() starts a thread calling
	 * on_change(arg, topic) for each announcement; unwatch() stops it.
	 * The thread also calls it with STORE_WATCH_READY once it listens
	 * (at first and after every reconnection: whatever changed meanwhile
	 * went unheard) and with STORE_WATCH_LOST when it stops listening. */
	kerr (*announce)(struct store_conn *c, const char *topic);
	kerr (*watch)(struct store *s, void (*on_change)(void *arg, const char *topic),
		      void *arg);
	void (*unwatch)(struct store *s);
	/* Optional (NULL: never). Whether the current transaction failed
	 * because the database broke a deadlock or could not serialise it:
	 * rolled back and run again from the start, it may well succeed. */
	bool (*should_retry)(struct store_conn *c);
	/* Optional (NULL: never happens). How many times the connection's
	 * cached statements were prepared again by the backend since they were
	 * first prepared; a query that is prepared again at every run costs
	 * its parse and plan each time. */
	int64_t (*prepared_again)(struct store_conn *c);
	/* Optional (NULL: not counted). How many times the connection has
	 * waited for the database's answer (a round trip). */
	int64_t (*round_trips)(struct store_conn *c);
	/* Optional, both or neither (NULL: one writer commits at a time, so
	 * event ids are handed out in commit order already). See
	 * store_feed_append and store_feed_horizon. */
	kerr (*feed_append)(struct store_conn *c);
	kerr (*feed_horizon)(struct store_conn *c, int64_t after, int64_t *horizon);
	/* Optional (NULL: not offered). See store_aside. */
	kerr (*aside)(struct store *s, kerr (*fn)(struct store_conn *c, void *arg), void *arg);
};

struct store {
	const struct store_ops *ops;
	char backend[16];
	/* Several writers may run at once (PostgreSQL): rows read before
	 * being changed must be locked (SELECT ... FOR UPDATE). SQLite runs one
	 * writer at a time and needs none. */
	bool row_locks;
	/* How many events of one transaction and one declaration (or call)
	 * share a row of the event log, and how many ids apart its rows
	 * are (see repo_events.c): STORE_EVENT_ROW_IDS where the database
	 * hands ids out that far apart (PostgreSQL's sequence, migration
	 * 0023), else 1 (0 reads as 1: SQLite's AUTOINCREMENT gives the next
	 * id to the next row). */
	int event_ids_per_row;
};

/* The most events a row of the event log holds: its ids are the row's id
 * and the ones that follow it, so a reader after event id N finds the
 * event N + 1 in a row whose id is above N - (STORE_EVENT_ROW_IDS - 1).
 * Fixed for good: it is in the rows' ids (migration 0023). */
#define STORE_EVENT_ROW_IDS 16

/* The connection's statements prepared again so far (0 where the backend
 * never does it). */
int64_t store_prepared_again(struct store_conn *c);
/* The connection's round trips so far (-1 where the backend does not count
 * them: SQLite runs in the process and has none). */
int64_t store_round_trips(struct store_conn *c);

/* Open the backend named by opts->url (SQLite file path by default). */
KOUAN_MUST_USE kerr store_open(const struct store_options *opts,
			       struct store **out);
void store_close(struct store *s);

/* Apply the embedded migrations not applied yet, in order, each in its own
 * transaction. Safe to run at every start-up. */
KOUAN_MUST_USE kerr store_migrate(struct store *s, int64_t now_us);
/* The same, up to migration `last` only (the tests of a migration: a store
 * as it was before it, with rows, then migrated). */
KOUAN_MUST_USE kerr store_migrate_upto(struct store *s, int64_t now_us, int64_t last);

/* Topics announced between servers. */
#define STORE_TOPIC_FEED "kouan_feed"           /* events were committed */
#define STORE_TOPIC_REFERENCE "kouan_reference" /* reference data changed */
#define STORE_TOPIC_MONEY "kouan_money"         /* tariff or exchange rates changed */
/* Not announced: what a watch tells of itself (store_ops.watch). */
#define STORE_WATCH_READY "kouan_watch_ready" /* listening: nothing missed from now on */
#define STORE_WATCH_LOST "kouan_watch_lost"   /* not listening: changes may go unheard */

/* Announce a change to the other servers (no-op for single-server backends). */
KOUAN_MUST_USE kerr store_announce(struct store_conn *c, const char *topic);

/* The event feed is read by id, and a reader that has seen id N must never
 * find, later, an event below N. Where several transactions append events
 * at once (PostgreSQL), an id is handed out when its row is inserted, so a
 * transaction may commit id N+1 while another still holds N. Hence:
 *
 * store_feed_append: call in a writing transaction just before it appends
 * its events (PostgreSQL: the feed lock, shared, to the transaction's end;
 * appenders never wait for each other).
 *
 * store_feed_horizon: the highest id at or below which every event that
 * will ever be committed is committed and visible; readers of the feed read
 * only up to it. `after` is the reader's position: when its next event is
 * held back by a transaction still committing, the call waits a little
 * (about 30 ms at most) and then makes sure, by waiting for the
 * transactions appending at that moment (PostgreSQL: the feed lock,
 * exclusive, for an instant). INT64_MAX where ids are final as soon as
 * they are seen, and in a writing transaction (which never follows the
 * feed, and must not wait for other writers while it holds rows). */
KOUAN_MUST_USE kerr store_feed_append(struct store_conn *c);
KOUAN_MUST_USE kerr store_feed_horizon(struct store_conn *c, int64_t after, int64_t *horizon);

/* Run fn in a writing transaction of its own, on a connection of its own
 * (one per store, one such transaction at a time), committed before the
 * call returns, whatever becomes of the caller's transaction. Only where
 * several writers run at once (store->row_locks): with one writer at a
 * time the caller's transaction would hold up the other. fn must take no
 * lock that a transaction calling store_aside may hold, or the two wait
 * for each other where the database cannot see it. KERR_INTERNAL where the
 * backend does not offer it. */
KOUAN_MUST_USE kerr store_aside(struct store_conn *c,
				kerr (*fn)(struct store_conn *aside, void *arg), void *arg);

/* Do several writers run at once on this connection's store? */
static inline bool store_row_locks(struct store_conn *c);

/* How many events of one transaction a row of the event log may hold on
 * this connection's store (store->event_ids_per_row). */
static inline int store_event_ids_per_row(struct store_conn *c);

/* Whether the current transaction may succeed if run again (see
 * store_ops.should_retry); false on backends that never ask for it. */
bool store_should_retry(struct store_conn *c);

/* Run the backend's housekeeping, at start-up and once a day (see
 * store_ops.maintain). */
KOUAN_MUST_USE kerr store_maintain(struct store *s);

/* A database that plans its statements from statistics of its tables
 * (PostgreSQL) keeps planning a table as it was when they were last
 * gathered: a table counted at a handful of rows is read whole, however
 * large it has grown, until its own daemon gathers them again (autovacuum
 * looks once a minute by default). Gather them now for every table changed since
 * then at least min_changes times, and at least as many times as the rows
 * they counted (so once each time a growing table doubles). The tables'
 * names go into `names` (", " between them, cut to `size`), their count
 * into *n. A no-op (0 tables) where the backend needs none (SQLite). */
KOUAN_MUST_USE kerr store_analyse_grown(struct store *s, int64_t min_changes, char *names,
					size_t size, int *n);

/* The current thread's connection to `s`, opened on first use and closed
 * when the thread exits (or by store_thread_release). */
KOUAN_MUST_USE kerr store_thread_conn(struct store *s, struct store_conn **out);
void store_thread_release(void);

/* Thin inline wrappers over the ops. */
static inline kerr store_begin(struct store_conn *c, bool write);
static inline kerr store_commit(struct store_conn *c);
static inline void store_rollback(struct store_conn *c);

/* Every connection starts with a pointer to its store. */
struct store_conn_base {
	struct store *store;
};
#define STORE_OPS(c) (((struct store_conn_base *)(c))->store->ops)

static inline kerr store_begin(struct store_conn *c, bool write)
{
	return STORE_OPS(c)->begin(c, write);
}
static inline kerr store_commit(struct store_conn *c)
{
	return STORE_OPS(c)->commit(c);
}
static inline void store_rollback(struct store_conn *c)
{
	STORE_OPS(c)->rollback(c);
}
static inline bool store_row_locks(struct store_conn *c)
{
	return ((struct store_conn_base *)c)->store->row_locks;
}
static inline int store_event_ids_per_row(struct store_conn *c)
{
	int n = ((struct store_conn_base *)c)->store->event_ids_per_row;
	return n > 1 ? n : 1;
}

/* Every statement starts with a pointer to its store too. */
struct store_stmt_base {
	struct store *store;
	bool held; /* sent ahead and not read yet (store_ahead_send) */
};
#define STMT_OPS(st) (((struct store_stmt_base *)(st))->store->ops)

static inline enum store_step stmt_step(struct store_stmt *st)
{
	return STMT_OPS(st)->step(st);
}
static inline const char *stmt_text(struct store_stmt *st, int i)
{
	return STMT_OPS(st)->col_text(st, i);
}
static inline int64_t stmt_int(struct store_stmt *st, int i)
{
	return STMT_OPS(st)->col_int64(st, i);
}
static inline bool stmt_is_null(struct store_stmt *st, int i)
{
	return STMT_OPS(st)->col_is_null(st, i);
}
/* Reset after use so the cached statement can run again. */
static inline void stmt_done(struct store_stmt *st)
{
	STMT_OPS(st)->reset(st);
}

/* Statement helper: prepare (cached) and bind arguments described by a
 * format string: 's' text (NULL binds SQL NULL), 'i' int64, 'I' a pointer
 * to an int64 (NULL binds SQL NULL), 'n' NULL. The
 * format must have one letter per '?' of the query, and every bind must
 * succeed; otherwise nothing runs and NULL is returned (logged). */
struct store_stmt *store_query(struct store_conn *c, const struct sql_query *q,
			       const char *fmt, ...);
/* Run a statement that returns no rows (or ignore them). KERR_CONFLICT on a
 * unique or foreign-key violation. */
KOUAN_MUST_USE kerr store_exec(struct store_conn *c, const struct sql_query *q,
			       const char *fmt, ...);
/* The same, for a write in a transaction whose outcome nothing that follows
 * in the transaction reads: a backend that can (PostgreSQL) sends it
 * without waiting for its answer, with the statements after it, so that
 * several go in one round trip. A failure is then reported by the next
 * statement that waits (or the commit) as a store error, and the
 * transaction is lost. So only for statements that fail on a broken
 * database or a broken invariant, never on a case the caller handles:
 * KERR_CONFLICT, where it comes at once (SQLite), is not to be acted on. */
KOUAN_MUST_USE kerr store_exec_later(struct store_conn *c, const struct sql_query *q,
				     const char *fmt, ...);

/* Several rows written by one statement (one multi-row INSERT instead of
 * one a row): the query's text lists the rows' placeholders one row after
 * another. Begin, give each row's arguments with store_rows_add (the
 * letters of store_query), then run it as store_exec does
 * (store_rows_exec) or send it as store_exec_later does
 * (store_rows_exec_later). The rows must fill the statement's parameters
 * exactly: a row past them, a bind that fails, or too few rows, and
 * nothing runs (KERR_INTERNAL, or the failure kept on the way). */
struct store_rows {
	struct store_conn *conn;
	const struct sql_query *q;
	struct store_stmt *st;
	int bound; /* parameters given so far */
	kerr e;    /* the first failure on the way */
};
void store_rows_begin(struct store_rows *r, struct store_conn *c, const struct sql_query *q);
void store_rows_add(struct store_rows *r, const char *row_fmt, ...);
KOUAN_MUST_USE kerr store_rows_exec(struct store_rows *r);
KOUAN_MUST_USE kerr store_rows_exec_later(struct store_rows *r);
/* Row i of n to write: its arguments given with store_rows_add. */
typedef kerr (*store_row_add_fn)(struct store_rows *r, void *arg, size_t i);
/* Write n rows (0 and up) through statements[k] (k < nsizes), the
 * statement of 2^k rows, sent ahead (store_rows_exec_later): the largest
 * that the rows left fill, then smaller ones for the rest. Rows are given
 * in order, 0 to n - 1; the first failure (of `add` too) stops it. */
KOUAN_MUST_USE kerr store_rows_insert(struct store_conn *c, const struct sql_query *statements,
				      size_t nsizes, size_t n, store_row_add_fn add, void *arg);

/* A row reader: called for each row of a query with the statement
 * positioned on it; a result other than KERR_OK stops the reading and is
 * returned. */
typedef kerr (*store_row_fn)(void *arg, struct store_stmt *st);

/* Run a query and hand every row to `row`. KERR_OK only when the rows were
 * all read (the last step said there are no more): a failure part-way is
 * an error, never a short list. */
KOUAN_MUST_USE kerr store_each(struct store_conn *c, const struct sql_query *q,
			       store_row_fn row, void *arg, const char *fmt, ...);
/* Run a query and hand its first row to `row` (NULL: only look); any
 * further rows (RETURNING) are read and dropped. KERR_NOT_FOUND when there
 * is no row, KERR_CONFLICT on a unique or foreign-key violation. */
KOUAN_MUST_USE kerr store_first(struct store_conn *c, const struct sql_query *q,
				store_row_fn row, void *arg, const char *fmt, ...);

/* A read sent ahead: a backend that can (PostgreSQL, in a transaction)
 * sends it at once without waiting, and its rows come back with the
 * answer of the next statement that waits, so that it costs no round trip
 * of its own; elsewhere (SQLite) it runs when it is read. Only for a read
 * whose rows the statements between the two do not change. Until it is
 * read (store_ahead_each) or dropped (store_ahead_drop), which is to be
 * done before the transaction ends, its query is taken on the connection:
 * running it again fails (logged, KERR_STORE).
 * A read sent ahead that fails loses the transaction, as a write sent
 * ahead does. */
struct store_ahead {
	struct store_conn *conn;
	const struct sql_query *q;
	struct store_stmt *st; /* NULL once read or dropped, or if never sent */
	kerr e;                /* the sending's failure, reported when read */
};

void store_ahead_send(struct store_ahead *a, struct store_conn *c, const struct sql_query *q,
		      const char *fmt, ...);
/* Its rows, as store_each gives them; a read sent ahead is read once. */
KOUAN_MUST_USE kerr store_ahead_each(struct store_ahead *a, store_row_fn row, void *arg);
/* Not to be read after all (a zeroed struct store_ahead may be dropped). */
void store_ahead_drop(struct store_ahead *a);

/* The backends' constructors (store_open dispatches to them). */
KOUAN_MUST_USE kerr store_sqlite_open(const struct store_options *opts,
				      struct store **out);
KOUAN_MUST_USE kerr store_pg_open(const struct store_options *opts,
				  struct store **out);

/* Is this database setting a PostgreSQL connection URL? */
bool store_url_is_postgres(const char *url);

/* The database setting as messages may show it: a PostgreSQL URL with its
 * password, if it has one (user:PASSWORD@, or a password= parameter),
 * shown as "***"; anything else as it is. Cut to fit `size`. */
void store_url_shown(const char *url, char *out, size_t size);

#endif
