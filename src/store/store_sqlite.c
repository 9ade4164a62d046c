/*
 * store_sqlite.c - the embedded SQLite backend of the store interface.
 *
 * WAL journal; one connection per thread for reads; prepared statements
 * cached per connection.
 *
 * Writes: SQLite admits one writer at a time, so every write transaction of
 * this process runs on one shared writer connection, taken in turn under a
 * mutex (other processes on the same file are handled by busy_timeout).
 * Writers that arrive while another holds the turn form a group: each runs
 * inside a SAVEPOINT of one open transaction, and the last of the group
 * commits for all (group commit). A writer's store_commit returns only once
 * the COMMIT holding its changes has finished, with that COMMIT's result; a
 * writer that rolls back undoes only its own savepoint. Pages shared by the
 * group (the right edges of the indexes, the sequence row) are written to
 * the WAL once per group instead of once per writer.
 *
 * Checkpoints (copying the WAL back into the database file, with its
 * fsync) run on a background thread, PASSIVE so they never block a writer;
 * the writer connection does not checkpoint, so no request pays for one.
 * Under a steady load a PASSIVE checkpoint never catches up with the
 * commits, and SQLite starts the WAL over only once one has. So once the
 * WAL holds more than WAL_RESTART_FRAMES (store_options), the checkpointer
 * takes the writer's turn as a writer would (committing a group passed to
 * it) and checkpoints RESTART: the frames written since its last pass;
 * then, once the readers of an older state have finished (it waits
 * WAL_RESTART_WAIT_MS at most), the next commit writes the WAL from its
 * start again. The file stays small and in the page cache. Left to grow,
 * it was written into fresh blocks (allocated and zeroed by the file
 * system), and once reused, into blocks the kernel had let go, each read
 * from the disk by the writer before it could write (bench/README.md,
 * nineteenth round). A reader that outlasts the wait (a backup, say) keeps
 * the WAL growing while it reads; the checkpointer then tries again after
 * 1, 2, 4 ... passes, at most WAL_RESTART_BACKOFF, so that the writers are
 * not held up at every pass. The WAL is truncated when the server stops.
 *
 * Durability: with STORE_SYNC_PROCESS (synchronous=NORMAL in WAL mode) a
 * commit is in the WAL file, in the kernel's hands, before COMMIT returns:
 * it survives kill -9 of the server. STORE_SYNC_POWER (synchronous=FULL)
 * also fsyncs, for power loss. STORE_SYNC_NONE (synchronous=OFF) is for a
 * store thrown away after use (the simulator's) and never syncs.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/log.h"
#include "store/store.h"

#define GROUP_MAX 64    /* writers committed together at most */
#define WAL_RESTART_FRAMES 16384 /* about 64 MB: then RESTART under the turn */
#define WAL_RESTART_WAIT_MS 50   /* how long that RESTART waits for readers */
#define WAL_RESTART_BACKOFF 16   /* passes (of 100 ms) between tries at most */

struct sqlite_conn;

/* A writer waiting for the COMMIT of its group. */
struct group_member {
	kerr result;
	bool done;
	struct group_member *next;
};

struct sqlite_store {
	struct store base;
	char path[1024];
	enum store_sync sync;
	int busy_timeout_ms;
	int wal_restart_frames;
	pthread_mutex_t write_lock; /* the writer's turn */
	struct sqlite_conn *writer; /* used only by the holder of write_lock */
	bool group_open;            /* a transaction is open on writer */
	int group_size;             /* writers whose changes it holds */
	/* guarded by group_lock: */
	pthread_mutex_t group_lock;
	pthread_cond_t group_done;
	int queued;                      /* writers waiting for write_lock */
	struct group_member *members;    /* waiting for the open group's COMMIT */
	/* the checkpointer */
	pthread_t checkpointer;
	bool checkpointing;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stop;
};

struct sqlite_stmt {
	struct store_stmt_base base;
	sqlite3_stmt *st;
};

struct sqlite_conn {
	struct store_conn_base base;
	sqlite3 *db;
	bool writing; /* holds the store's write turn: statements go to writer */
	bool in_tx;
	struct {
		const struct sql_query *q;
		struct sqlite_stmt *stmt;
	} cache[STORE_STMT_CACHE];
};

static const struct store_ops sqlite_ops;

static kerr run(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("sqlite: %s: %s", sql, err ? err : "?");
		sqlite3_free(err);
		return KERR_STORE;
	}
	return KERR_OK;
}

static kerr conn_open(struct store *s, struct store_conn **out)
{
	struct sqlite_store *ss = (struct sqlite_store *)s;
	struct sqlite_conn *c = calloc(1, sizeof *c);
	if (!c)
		return KERR_NOMEM;
	c->base.store = s;
	int rc = sqlite3_open_v2(ss->path, &c->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					 SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		log_error("sqlite: cannot open %s: %s", ss->path,
			  c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return KERR_STORE;
	}
	sqlite3_busy_timeout(c->db, ss->busy_timeout_ms);
	char pragmas[256];
	snprintf(pragmas, sizeof pragmas,
		 "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;"
		 " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;%s",
		 ss->sync == STORE_SYNC_POWER  ? "FULL"
		 : ss->sync == STORE_SYNC_NONE ? "OFF"
					       : "NORMAL",
		 ss->sync == STORE_SYNC_NONE ? " PRAGMA cache_size=-65536;" : "");
	if (run(c->db, pragmas)) {
		sqlite3_close(c->db);
		free(c);
		return KERR_STORE;
	}
	*out = (struct store_conn *)c;
	return KERR_OK;
}

static void conn_close(struct store_conn *sc)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	if (!c)
		return;
	if (c->in_tx)
		sqlite_ops.rollback(sc);
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		if (c->cache[i].stmt) {
			sqlite3_finalize(c->cache[i].stmt->st);
			free(c->cache[i].stmt);
		}
	}
	sqlite3_close(c->db);
	free(c);
}

static struct sqlite_conn *target(struct sqlite_conn *c)
{
	return c->writing ? ((struct sqlite_store *)c->base.store)->writer : c;
}

/* Wait for the writers' turn, counted among those queued for it meanwhile
 * (a writer ending its turn passes its group on to them). */
static void turn_wait(struct sqlite_store *ss)
{
	pthread_mutex_lock(&ss->group_lock);
	ss->queued++;
	pthread_mutex_unlock(&ss->group_lock);
	pthread_mutex_lock(&ss->write_lock);
	pthread_mutex_lock(&ss->group_lock);
	ss->queued--;
	pthread_mutex_unlock(&ss->group_lock);
}

static kerr begin(struct store_conn *sc, bool write)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	struct sqlite_store *ss = (struct sqlite_store *)c->base.store;
	if (c->in_tx) {
		log_error("sqlite: nested transaction");
		return KERR_INTERNAL;
	}
	if (!write) {
		if (run(c->db, "BEGIN"))
			return KERR_STORE;
		c->in_tx = true;
		return KERR_OK;
	}
	turn_wait(ss);
	kerr e = KERR_OK;
	if (!ss->writer) {
		struct store_conn *w;
		e = conn_open(&ss->base, &w);
		if (!e)
			ss->writer = (struct sqlite_conn *)w;
		/* the checkpointer thread does this work, off the request path */
		if (!e && ss->checkpointing)
			e = run(ss->writer->db, "PRAGMA wal_autocheckpoint=0");
	}
	if (!e && !ss->group_open) {
		e = run(ss->writer->db, "BEGIN IMMEDIATE");
		ss->group_open = !e;
		ss->group_size = 0;
	}
	if (!e)
		e = run(ss->writer->db, "SAVEPOINT kouan_writer");
	if (e) {
		pthread_mutex_unlock(&ss->write_lock);
		return KERR_STORE;
	}
	c->writing = true;
	c->in_tx = true;
	return KERR_OK;
}

/* Close the open group: COMMIT (or ROLLBACK when it holds nothing) and tell
 * every waiting member the result. Called with write_lock held. */
static kerr close_group(struct sqlite_store *ss)
{
	kerr e = run(ss->writer->db, ss->group_size ? "COMMIT" : "ROLLBACK");
	if (e && ss->group_size)
		(void)run(ss->writer->db, "ROLLBACK");
	ss->group_open = false;
	ss->group_size = 0;
	pthread_mutex_lock(&ss->group_lock);
	for (struct group_member *m = ss->members; m; m = m->next) {
		m->result = e;
		m->done = true;
	}
	ss->members = NULL;
	pthread_cond_broadcast(&ss->group_done);
	pthread_mutex_unlock(&ss->group_lock);
	return e;
}

/* End a writer's turn. Returns only once the COMMIT of its group has
 * finished, with that COMMIT's result when the writer kept changes: a writer
 * may have read the uncommitted changes of earlier members, so none answers
 * its client before the group is durable. */
static kerr end_turn(struct sqlite_conn *c, bool keep)
{
	struct sqlite_store *ss = (struct sqlite_store *)c->base.store;
	c->writing = false;
	c->in_tx = false;
	if (keep)
		ss->group_size++;
	pthread_mutex_lock(&ss->group_lock);
	bool pass = ss->queued > 0 && ss->group_size > 0 && ss->group_size < GROUP_MAX;
	struct group_member me = {KERR_OK, false, NULL};
	if (pass) {
		me.next = ss->members;
		ss->members = &me;
	}
	pthread_mutex_unlock(&ss->group_lock);
	if (!pass) {
		kerr e = close_group(ss);
		pthread_mutex_unlock(&ss->write_lock);
		return keep ? e : KERR_OK;
	}
	/* others are queued: the next writer carries the group on */
	pthread_mutex_unlock(&ss->write_lock);
	pthread_mutex_lock(&ss->group_lock);
	while (!me.done)
		pthread_cond_wait(&ss->group_done, &ss->group_lock);
	pthread_mutex_unlock(&ss->group_lock);
	return keep ? me.result : KERR_OK;
}

static kerr commit(struct store_conn *sc)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	if (!c->writing) {
		kerr e = run(c->db, "COMMIT");
		if (e)
			(void)run(c->db, "ROLLBACK");
		c->in_tx = false;
		return e;
	}
	sqlite3 *w = ((struct sqlite_store *)c->base.store)->writer->db;
	if (run(w, "RELEASE kouan_writer")) {
		(void)run(w, "ROLLBACK TO kouan_writer");
		(void)run(w, "RELEASE kouan_writer");
		(void)end_turn(c, false);
		return KERR_STORE;
	}
	return end_turn(c, true);
}

static void rollback(struct store_conn *sc)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	if (!c->in_tx)
		return;
	if (!c->writing) {
		if (!sqlite3_get_autocommit(c->db))
			(void)run(c->db, "ROLLBACK");
		c->in_tx = false;
		return;
	}
	sqlite3 *w = ((struct sqlite_store *)c->base.store)->writer->db;
	(void)run(w, "ROLLBACK TO kouan_writer");
	(void)run(w, "RELEASE kouan_writer");
	(void)end_turn(c, false);
}

/* SQLite prepares a statement again when the schema changed, and also
 * when its plan depended on a bound value (a partial index's condition
 * compared with a parameter): then at every run. */
static int64_t prepared_again(struct store_conn *sc)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	int64_t n = 0;
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		if (c->cache[i].stmt)
			n += sqlite3_stmt_status(c->cache[i].stmt->st,
						 SQLITE_STMTSTATUS_REPREPARE, 0);
	return n;
}

static kerr exec_script(struct store_conn *sc, const char *sql)
{
	return run(target((struct sqlite_conn *)sc)->db, sql);
}

static kerr prepare(struct store_conn *sc, const struct sql_query *q,
		    struct store_stmt **out)
{
	struct sqlite_conn *c = target((struct sqlite_conn *)sc);
	size_t h = ((uintptr_t)q >> 3) & (STORE_STMT_CACHE - 1);
	for (size_t n = 0; n < STORE_STMT_CACHE; n++, h = (h + 1) & (STORE_STMT_CACHE - 1)) {
		if (c->cache[h].q == q) {
			*out = (struct store_stmt *)c->cache[h].stmt;
			return KERR_OK;
		}
		if (!c->cache[h].q) {
			struct sqlite_stmt *s = calloc(1, sizeof *s);
			if (!s)
				return KERR_NOMEM;
			s->base.store = c->base.store;
			if (sqlite3_prepare_v3(c->db, q->text, -1,
					       SQLITE_PREPARE_PERSISTENT, &s->st,
					       NULL) != SQLITE_OK) {
				free(s);
				return KERR_STORE;
			}
			c->cache[h].q = q;
			c->cache[h].stmt = s;
			*out = (struct store_stmt *)s;
			return KERR_OK;
		}
	}
	log_error("sqlite: more queries than the %d a connection keeps prepared: %s",
		  STORE_STMT_CACHE, q->text);
	return KERR_INTERNAL;
}

#define ST(x) (((struct sqlite_stmt *)(x))->st)

static kerr bind_result(int rc)
{
	return rc == SQLITE_OK ? KERR_OK : rc == SQLITE_NOMEM ? KERR_NOMEM : KERR_STORE;
}

static kerr bind_text(struct store_stmt *st, int i, const char *v)
{
	return bind_result(sqlite3_bind_text(ST(st), i, v, -1, SQLITE_TRANSIENT));
}

static kerr bind_int64(struct store_stmt *st, int i, int64_t v)
{
	return bind_result(sqlite3_bind_int64(ST(st), i, v));
}

static kerr bind_null(struct store_stmt *st, int i)
{
	return bind_result(sqlite3_bind_null(ST(st), i));
}

static int param_count(struct store_stmt *st)
{
	return sqlite3_bind_parameter_count(ST(st));
}

static enum store_step step(struct store_stmt *st)
{
	int rc = sqlite3_step(ST(st));
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return STORE_CONSTRAINT;
	return STORE_ERROR;
}

static const char *col_text(struct store_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(ST(st), i);
	return t ? (const char *)t : "";
}

static int64_t col_int64(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(ST(st), i);
}

static bool col_is_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type(ST(st), i) == SQLITE_NULL;
}

static void reset(struct store_stmt *st)
{
	sqlite3_reset(ST(st));
	sqlite3_clear_bindings(ST(st));
}

static const char *errmsg(struct store_conn *sc)
{
	return sqlite3_errmsg(target((struct sqlite_conn *)sc)->db);
}

/* Checkpoint RESTART under the writers' turn, taken as a writer takes it:
 * a group passed on with it is committed (its members wait for that
 * COMMIT), so no transaction is open on the writer. Returns the passes to
 * let go by before the next try: none once the WAL starts over, else 1, 2,
 * 4 ... after `backoff`, at most WAL_RESTART_BACKOFF (a reader held on). */
static int restart_under_turn(struct sqlite_store *ss, sqlite3 *db, int backoff)
{
	turn_wait(ss);
	if (ss->group_open)
		(void)close_group(ss);
	int frames, done;
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_RESTART, &frames, &done);
	pthread_mutex_unlock(&ss->write_lock);
	if (rc != SQLITE_BUSY)
		return 0;
	if (backoff == 0)
		return 1;
	return backoff * 2 < WAL_RESTART_BACKOFF ? backoff * 2 : WAL_RESTART_BACKOFF;
}

static void *checkpointer_main(void *arg)
{
	struct sqlite_store *ss = arg;
	struct store_conn *sc;
	if (conn_open(&ss->base, &sc))
		return NULL;
	sqlite3 *db = ((struct sqlite_conn *)sc)->db;
	/* only the RESTART waits, and only for readers (PASSIVE never does) */
	sqlite3_busy_timeout(db, WAL_RESTART_WAIT_MS);
	int backoff = 0, skip = 0; /* passes between tries after a reader held on */
	pthread_mutex_lock(&ss->stop_lock);
	while (!ss->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&ss->stop_cond, &ss->stop_lock, &until);
		if (ss->stop)
			break;
		pthread_mutex_unlock(&ss->stop_lock);
		int frames = 0, done = 0;
		/* a PASSIVE checkpoint with nothing to do costs a few page reads;
		 * this one copies most of the frames, outside the writer's turn */
		if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames,
					      &done) == SQLITE_OK &&
		    frames > ss->wal_restart_frames) {
			if (skip > 0)
				skip--;
			else
				backoff = skip = restart_under_turn(ss, db, backoff);
		}
		pthread_mutex_lock(&ss->stop_lock);
	}
	pthread_mutex_unlock(&ss->stop_lock);
	/* leave the file checkpointed, and the WAL small, for the next start
	 * (no writer is left to hold up) */
	sqlite3_busy_timeout(db, ss->busy_timeout_ms);
	int frames, done;
	(void)sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &frames, &done);
	conn_close(sc);
	return NULL;
}

static void store_sqlite_close(struct store *s)
{
	struct sqlite_store *ss = (struct sqlite_store *)s;
	if (ss->checkpointing) {
		pthread_mutex_lock(&ss->stop_lock);
		ss->stop = true;
		pthread_cond_signal(&ss->stop_cond);
		pthread_mutex_unlock(&ss->stop_lock);
		pthread_join(ss->checkpointer, NULL);
	}
	pthread_mutex_destroy(&ss->stop_lock);
	pthread_cond_destroy(&ss->stop_cond);
	if (ss->writer) {
		if (ss->group_open)
			(void)close_group(ss);
		conn_close((struct store_conn *)ss->writer);
	}
	pthread_mutex_destroy(&ss->write_lock);
	pthread_mutex_destroy(&ss->group_lock);
	pthread_cond_destroy(&ss->group_done);
	free(ss);
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.conn_open = conn_open,
	.conn_close = conn_close,
	.begin = begin,
	.commit = commit,
	.rollback = rollback,
	.exec_script = exec_script,
	.prepare = prepare,
	.bind_text = bind_text,
	.bind_int64 = bind_int64,
	.bind_null = bind_null,
	.param_count = param_count,
	.step = step,
	.col_text = col_text,
	.col_int64 = col_int64,
	.col_is_null = col_is_null,
	.reset = reset,
	.errmsg = errmsg,
	.close = store_sqlite_close,
	.prepared_again = prepared_again,
};

kerr store_sqlite_open(const struct store_options *opts, struct store **out)
{
	const char *path = opts->url;
	if (strncmp(path, "sqlite:", 7) == 0)
		path += 7;
	struct sqlite_store *ss = calloc(1, sizeof *ss);
	if (!ss)
		return KERR_NOMEM;
	if (str_copy(ss->path, path, sizeof ss->path) >= sizeof ss->path) {
		free(ss);
		return KERR_INVALID;
	}
	ss->base.ops = &sqlite_ops;
	str_copy(ss->base.backend, "sqlite", sizeof ss->base.backend);
	ss->sync = opts->sync;
	ss->busy_timeout_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : 5000;
	ss->wal_restart_frames =
		opts->wal_restart_frames > 0 ? opts->wal_restart_frames : WAL_RESTART_FRAMES;
	pthread_mutex_init(&ss->write_lock, NULL);
	pthread_mutex_init(&ss->group_lock, NULL);
	pthread_cond_init(&ss->group_done, NULL);
	pthread_mutex_init(&ss->stop_lock, NULL);
	pthread_cond_init(&ss->stop_cond, NULL);
	/* Open once to fail early on a bad path and to set WAL. */
	struct store_conn *c;
	kerr e = conn_open(&ss->base, &c);
	if (e) {
		store_sqlite_close(&ss->base);
		return e;
	}
	conn_close(c);
	ss->checkpointing = pthread_create(&ss->checkpointer, NULL, checkpointer_main, ss) == 0;
	*out = &ss->base;
	return KERR_OK;
}
