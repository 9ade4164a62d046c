/*
 * store_sqlite.c - the embedded SQLite backend of the store interface.
 *
 * WAL journal; one connection per thread; prepared statements cached per
 * connection. SQLite admits one writer at a time, so writers in this process
 * queue on a mutex rather than spin in SQLite's busy handler (other processes
 * on the same file are still handled by busy_timeout).
 *
 * Durability: with STORE_SYNC_PROCESS (synchronous=NORMAL in WAL mode) a
 * commit is in the WAL file, in the kernel's hands, before COMMIT returns:
 * it survives kill -9 of the server. STORE_SYNC_POWER (synchronous=FULL)
 * also fsyncs, for power loss.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "store/store.h"

#define STMT_CACHE 256 /* power of two, more than the number of queries */

struct sqlite_store {
	struct store base;
	char path[1024];
	enum store_sync sync;
	int busy_timeout_ms;
	pthread_mutex_t write_lock;
};

struct sqlite_stmt {
	struct store_stmt_base base;
	sqlite3_stmt *st;
};

struct sqlite_conn {
	struct store_conn_base base;
	sqlite3 *db;
	bool writing; /* holds the store's write lock */
	bool in_tx;
	struct {
		const struct sql_query *q;
		struct sqlite_stmt *stmt;
	} cache[STMT_CACHE];
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
		 " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
		 ss->sync == STORE_SYNC_POWER ? "FULL" : "NORMAL");
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
	for (size_t i = 0; i < STMT_CACHE; i++) {
		if (c->cache[i].stmt) {
			sqlite3_finalize(c->cache[i].stmt->st);
			free(c->cache[i].stmt);
		}
	}
	sqlite3_close(c->db);
	free(c);
}

static kerr begin(struct store_conn *sc, bool write)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	struct sqlite_store *ss = (struct sqlite_store *)c->base.store;
	if (c->in_tx) {
		log_error("sqlite: nested transaction");
		return KERR_INTERNAL;
	}
	if (write) {
		pthread_mutex_lock(&ss->write_lock);
		c->writing = true;
	}
	if (run(c->db, write ? "BEGIN IMMEDIATE" : "BEGIN")) {
		if (write) {
			c->writing = false;
			pthread_mutex_unlock(&ss->write_lock);
		}
		return KERR_STORE;
	}
	c->in_tx = true;
	return KERR_OK;
}

static void release_write(struct sqlite_conn *c)
{
	if (c->writing) {
		c->writing = false;
		pthread_mutex_unlock(&((struct sqlite_store *)c->base.store)->write_lock);
	}
}

static kerr commit(struct store_conn *sc)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	kerr e = run(c->db, "COMMIT");
	if (e) {
		(void)run(c->db, "ROLLBACK");
	}
	c->in_tx = false;
	release_write(c);
	return e;
}

static void rollback(struct store_conn *sc)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	if (c->in_tx && !sqlite3_get_autocommit(c->db))
		(void)run(c->db, "ROLLBACK");
	c->in_tx = false;
	release_write(c);
}

static kerr exec_script(struct store_conn *sc, const char *sql)
{
	return run(((struct sqlite_conn *)sc)->db, sql);
}

static kerr prepare(struct store_conn *sc, const struct sql_query *q,
		    struct store_stmt **out)
{
	struct sqlite_conn *c = (struct sqlite_conn *)sc;
	size_t h = ((uintptr_t)q >> 3) & (STMT_CACHE - 1);
	for (size_t n = 0; n < STMT_CACHE; n++, h = (h + 1) & (STMT_CACHE - 1)) {
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
	return KERR_INTERNAL;
}

#define ST(x) (((struct sqlite_stmt *)(x))->st)

static void bind_text(struct store_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(ST(st), i, v, -1, SQLITE_TRANSIENT);
}

static void bind_int64(struct store_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(ST(st), i, v);
}

static void bind_null(struct store_stmt *st, int i)
{
	sqlite3_bind_null(ST(st), i);
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
	return sqlite3_errmsg(((struct sqlite_conn *)sc)->db);
}

static void store_sqlite_close(struct store *s)
{
	struct sqlite_store *ss = (struct sqlite_store *)s;
	pthread_mutex_destroy(&ss->write_lock);
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
	.step = step,
	.col_text = col_text,
	.col_int64 = col_int64,
	.col_is_null = col_is_null,
	.reset = reset,
	.errmsg = errmsg,
	.close = store_sqlite_close,
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
	pthread_mutex_init(&ss->write_lock, NULL);
	/* Open once to fail early on a bad path and to set WAL. */
	struct store_conn *c;
	kerr e = conn_open(&ss->base, &c);
	if (e) {
		store_sqlite_close(&ss->base);
		return e;
	}
	conn_close(c);
	*out = &ss->base;
	return KERR_OK;
}
