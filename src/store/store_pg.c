/*
 * store_pg.c - the PostgreSQL backend of the store interface (libpq).
 *
 * One connection per thread, never shared; each caches its prepared
 * statements (PQprepare once, PQexecPrepared after), keyed like the SQLite
 * backend by the address of the static struct sql_query. The portable SQL's
 * '?' placeholders become $1, $2, ... when a statement is prepared.
 *
 * Transactions are PostgreSQL's own, READ COMMITTED; where two servers may
 * race on one declaration, the repository takes the row with FOR UPDATE
 * (store->row_locks). A unique or foreign-key violation is reported as
 * STORE_CONSTRAINT, like SQLite's. Durability is PostgreSQL's: a COMMIT that
 * returned is in its WAL.
 *
 * A transaction runs in libpq's pipeline mode: BEGIN is sent with the first
 * statement, a write sent by store_exec_later goes with the statements
 * after it, and the last of them goes with the COMMIT, so that a
 * statement's round trip is spent only where its answer is needed. Each
 * statement that waits sends a sync and reads every answer owed; a failure
 * of one sent ahead is logged there and makes the transaction lost: that
 * statement, and the commit, fail. Outside a transaction (token checks), and after a script
 * (run), statements wait for their answers as usual; the COMMIT is
 * always sent in the pipeline. Plain writes sent ahead one after another,
 * to different tables, go as one statement (hold_write). A transaction's
 * announcements (NOTIFY) are sent once it has committed, by the announcer
 * thread on a connection of its own (announce_committed).
 */
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/log.h"
#include "store/store.h"

#define PG_MAX_PARAMS 80 /* eight rows of the event log in one insert */
#define PG_PIPE_MAX 64   /* statements sent ahead before their answers are read */
/* the commands one sync answers at most: those sent ahead, BEGIN, the one
 * that waits */
#define PG_PIPE_SLOTS (PG_PIPE_MAX + 2)
#define PG_RUN_MAX 8      /* writes sent ahead merged into one statement at most */
#define PG_MERGED_CACHE 32 /* merged statements a connection keeps prepared */
#define PG_TABLE_MAX 64

struct pg_store {
	struct store base;
	char conninfo[1024];
	/* the watcher: LISTENs on its own connection */
	pthread_t watcher;
	bool watching;
	volatile bool stop_watching;
	void (*on_change)(void *arg, const char *topic);
	void *on_change_arg;
	/* the event feed's horizon (see feed_horizon) */
	pthread_mutex_t feed_mu;
	int64_t feed_final; /* every event id at or below it is final */
	bool feed_settled;  /* feed_final was settled at least once */
	int64_t gap_since_us; /* when a gap just past feed_final was first seen (0: none) */
	/* the connection of store_aside, opened on first use; aside_mu is held
	 * through each of its transactions */
	pthread_mutex_t aside_mu;
	struct store_conn *aside;
	/* the announcer: sends committed transactions' announcements on its
	 * own connection, those of all the commits of ANNOUNCE_GAP_MS at once
	 * (announce_committed) */
	pthread_mutex_t announce_mu;
	pthread_cond_t announce_cv;
	char announce_owed[128]; /* "NOTIFY a; NOTIFY b; " not sent yet */
	bool announcer_started;
	bool announcer_stop;
	pthread_t announcer;
};

struct pg_conn;

struct pg_stmt {
	struct store_stmt_base base;
	struct pg_conn *conn;
	const struct sql_query *q;
	char name[16];
	int nparams;
	/* a plain write's table (an INSERT, UPDATE or DELETE that returns
	 * nothing and reads no other table; "" for any other statement): sent
	 * ahead, it may be merged with the writes next to it (hold_write) */
	char table[PG_TABLE_MAX];
	char *values[PG_MAX_PARAMS];
	PGresult *res;
	int row;   /* rows consumed so far */
	int nrows;
	bool executed;
	bool answered; /* res judged, nrows counted */
	bool owed;     /* a read sent ahead whose answer has not come yet */
};

struct pg_conn {
	struct store_conn_base base;
	PGconn *pg;
	bool in_tx;
	bool writing; /* the transaction begun may write */
	char notify[128]; /* "NOTIFY topic; ..." sent with this transaction's COMMIT */
	bool broken; /* the server went away: reconnect before the next use */
	bool retry;  /* this transaction was chosen to break a deadlock, or
		      * could not be serialised: it may be run again */
	bool pipe;   /* in pipeline mode (in a transaction) */
	int sent;    /* commands sent since the last sync: answers owed */
	/* the reads sent ahead among them, by their place (NULL: not one) */
	struct pg_stmt *ahead[PG_PIPE_SLOTS];
	bool lost;   /* a command sent ahead failed: the transaction is lost */
	/* writes sent ahead and held back, to go as one statement (hold_write) */
	struct {
		struct pg_stmt *st;
		char *values[PG_MAX_PARAMS]; /* owned */
	} held[PG_RUN_MAX];
	int nheld;
	/* the merged statements prepared, by the queries they merge */
	struct {
		const struct sql_query *q[PG_RUN_MAX];
		int n;
		char name[16];
	} merged[PG_MERGED_CACHE];
	int nmerged;
	int64_t round_trips; /* answers waited for (store_round_trips) */
	int prepared; /* statements prepared on this connection */
	struct {
		const struct sql_query *q;
		struct pg_stmt *stmt;
	} cache[STORE_STMT_CACHE];
};

static const struct store_ops pg_ops;

static void pipe_leave(struct pg_conn *c);

static kerr run(struct pg_conn *c, const char *sql)
{
	pipe_leave(c); /* PQexec is not allowed in pipeline mode */
	c->round_trips++;
	PGresult *r = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	kerr e = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? KERR_OK : KERR_STORE;
	if (e)
		log_error("postgres: %.80s: %s", sql, PQresultErrorMessage(r));
	if (e && PQstatus(c->pg) == CONNECTION_BAD)
		c->broken = true;
	PQclear(r);
	return e;
}

/* What a command's result says: STORE_DONE, or a failure. A deadlock or a
 * serialisation failure marks the transaction for a retry; any other
 * failure but a constraint's (which the caller judges) is logged; a lost
 * connection is opened again before the next use. */
static enum store_step judge(struct pg_conn *c, const PGresult *r)
{
	ExecStatusType rs = PQresultStatus(r);
	if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
		return STORE_DONE;
	if (rs == PGRES_PIPELINE_ABORTED)
		return STORE_ERROR; /* one sent before it failed, and said so */
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	/* class 23: integrity constraint violation */
	if (state && !strncmp(state, "23", 2))
		return STORE_CONSTRAINT;
	/* 40P01 deadlock detected, 40001 serialization failure */
	if (state && (!strcmp(state, "40P01") || !strcmp(state, "40001"))) {
		c->retry = true;
		log_warn("postgres: %s", PQresultErrorMessage(r));
		return STORE_ERROR;
	}
	log_error("postgres: %s", PQresultErrorMessage(r));
	if (PQstatus(c->pg) == CONNECTION_BAD)
		c->broken = true;
	return STORE_ERROR;
}

/* The reads sent ahead get no answer: reading them fails. */
static void ahead_forget(struct pg_conn *c)
{
	for (int i = 0; i < PG_PIPE_SLOTS; i++) {
		if (c->ahead[i])
			c->ahead[i]->owed = false;
		c->ahead[i] = NULL;
	}
}

static void held_drop(struct pg_conn *c);

/* The connection failed in the middle of a pipeline: drop it. */
static void pipe_broken(struct pg_conn *c)
{
	log_error("postgres: the pipeline failed: %s", PQerrorMessage(c->pg));
	c->broken = c->lost = true;
	held_drop(c);
	ahead_forget(c);
	c->sent = 0;
	c->pipe = false;
}

/* Send a command of the pipeline, now: a prepared statement (name) or
 * text (sql). */
static bool pipe_send_now(struct pg_conn *c, const char *name, int nparams,
			  char *const *values, const char *sql)
{
	int ok = name ? PQsendQueryPrepared(c->pg, name, nparams, (const char *const *)values,
					    NULL, NULL, 0)
		      : PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0);
	if (ok != 1) {
		pipe_broken(c);
		return false;
	}
	c->sent++;
	return true;
}

static bool send_held(struct pg_conn *c);

/* Send a command of the pipeline: a prepared statement (st) or text; the
 * writes held back go first. */
static bool pipe_send(struct pg_conn *c, const struct pg_stmt *st, const char *sql)
{
	if (!send_held(c))
		return false;
	return st ? pipe_send_now(c, st->name, st->nparams, st->values, NULL)
		  : pipe_send_now(c, NULL, 0, NULL, sql);
}

/*
 * Sync, and read the answers to every command sent since the last sync.
 * The last one's goes to *last when last is not NULL (the caller clears
 * it), and a read sent ahead keeps its own. A failure of one before the
 * last is logged and makes the transaction lost. false if the connection
 * failed.
 */
static bool pipe_sync(struct pg_conn *c, PGresult **last)
{
	if (!send_held(c))
		return false;
	int n = c->sent, keep = c->sent - 1;
	c->sent = 0;
	c->round_trips++;
	if (last)
		*last = NULL;
	if (PQpipelineSync(c->pg) != 1) {
		pipe_broken(c);
		return false;
	}
	for (int i = 0; i < n; i++) {
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			pipe_broken(c);
			return false;
		}
		PGresult *end; /* a command's results end with NULL */
		while ((end = PQgetResult(c->pg)))
			PQclear(end);
		if (last && i == keep) {
			*last = r;
			continue;
		}
		struct pg_stmt *ahead = i < PG_PIPE_SLOTS ? c->ahead[i] : NULL;
		if (ahead) {
			/* judged when read; a failure loses the transaction now */
			c->ahead[i] = NULL;
			ahead->res = r;
			ahead->owed = false;
			ExecStatusType rs = PQresultStatus(r);
			if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK)
				c->lost = true;
			continue;
		}
		enum store_step s = judge(c, r);
		if (s == STORE_CONSTRAINT)
			log_error("postgres: a write sent ahead: %s", PQresultErrorMessage(r));
		if (s != STORE_DONE && i < keep)
			c->lost = true;
		PQclear(r);
	}
	PGresult *sync = PQgetResult(c->pg);
	bool ok = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
	PQclear(sync);
	if (!ok) {
		if (last) {
			PQclear(*last);
			*last = NULL;
		}
		pipe_broken(c);
	}
	return ok;
}

/* Read what is owed and leave pipeline mode. */
static void pipe_leave(struct pg_conn *c)
{
	if (!c->pipe)
		return;
	if (c->sent || c->nheld)
		(void)pipe_sync(c, NULL);
	if (c->pipe && PQexitPipelineMode(c->pg) != 1)
		pipe_broken(c);
	c->pipe = false;
}

/* Run a command that waits for its answer, in the pipeline: with it go
 * those sent ahead. Its result, or NULL when the connection failed. */
static PGresult *pipe_wait(struct pg_conn *c, const struct pg_stmt *st, const char *sql)
{
	PGresult *r;
	return pipe_send(c, st, sql) && pipe_sync(c, &r) ? r : NULL;
}

static void on_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* NOTICEs (e.g. "relation already exists, skipping") are not errors */
}

static kerr conn_open(struct store *s, struct store_conn **out)
{
	struct pg_store *ps = (struct pg_store *)s;
	struct pg_conn *c = calloc(1, sizeof *c);
	if (!c)
		return KERR_NOMEM;
	c->base.store = s;
	c->pg = PQconnectdb(ps->conninfo);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		log_error("postgres: cannot connect: %s", PQerrorMessage(c->pg));
		PQfinish(c->pg);
		free(c);
		return KERR_STORE;
	}
	PQsetNoticeProcessor(c->pg, on_notice, NULL);
	if (run(c, "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'")) {
		PQfinish(c->pg);
		free(c);
		return KERR_STORE;
	}
	*out = (struct store_conn *)c;
	return KERR_OK;
}

static void stmt_clear(struct pg_stmt *st)
{
	if (st->owed) { /* dropped unread: its answer is read and thrown away */
		for (int i = 0; i < PG_PIPE_SLOTS; i++)
			if (st->conn->ahead[i] == st)
				st->conn->ahead[i] = NULL;
		st->owed = false;
	}
	PQclear(st->res);
	st->res = NULL;
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
	}
	st->row = st->nrows = 0;
	st->executed = st->answered = false;
}

static void conn_close(struct store_conn *sc)
{
	struct pg_conn *c = (struct pg_conn *)sc;
	if (!c)
		return;
	held_drop(c);
	if (c->in_tx)
		(void)run(c, "ROLLBACK");
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		if (c->cache[i].stmt) {
			stmt_clear(c->cache[i].stmt);
			free(c->cache[i].stmt);
		}
	}
	PQfinish(c->pg);
	free(c);
}

/* A connection the server dropped (restart, failover) is opened again on its
 * next use, outside a transaction; its prepared statements are gone with it.
 * The request that met the failure has already answered 500/503. */
static void reconnect_if_broken(struct pg_conn *c)
{
	if (c->in_tx || (!c->broken && PQstatus(c->pg) == CONNECTION_OK))
		return;
	PQreset(c->pg);
	c->broken = false;
	c->pipe = false;
	c->sent = 0;
	c->prepared = 0;
	held_drop(c);
	c->nmerged = 0; /* their statements went with the session */
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		if (c->cache[i].stmt) {
			stmt_clear(c->cache[i].stmt);
			free(c->cache[i].stmt);
		}
		c->cache[i].q = NULL;
		c->cache[i].stmt = NULL;
	}
	if (PQstatus(c->pg) == CONNECTION_OK) {
		log_info("postgres: reconnected");
		(void)run(c, "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'");
	}
}

static kerr begin(struct store_conn *sc, bool write)
{
	struct pg_conn *c = (struct pg_conn *)sc;
	if (c->in_tx) {
		log_error("postgres: nested transaction");
		return KERR_INTERNAL;
	}
	reconnect_if_broken(c);
	c->retry = c->lost = false;
	/* BEGIN waits in the pipeline for the first statement */
	if (PQenterPipelineMode(c->pg) == 1) {
		c->pipe = true;
		if (!pipe_send(c, NULL, "BEGIN"))
			return KERR_STORE;
	} else if (run(c, "BEGIN")) {
		return KERR_STORE;
	}
	c->in_tx = true;
	c->writing = write;
	c->notify[0] = '\0';
	return KERR_OK;
}

/*
 * Announcements are not part of the transaction they announce. PostgreSQL
 * lets one notifying transaction commit at a time (a lock held until its
 * commit is flushed), so a NOTIFY in the transaction would make every
 * lodgement wait for the flush of the one before. Once a transaction has
 * committed, its announcements are handed to the announcer thread, which
 * sends them in a transaction of its own on its own connection, without
 * waiting for that transaction's flush, and then lets ANNOUNCE_GAP_MS
 * pass: the announcements of every commit made meanwhile go together, as
 * one (a watcher reads whatever committed since it last read, so one
 * wake-up serves them all). Under load that is one NOTIFY, and one wake-up
 * of every watcher, per gap instead of per commit, for a wake-up at most
 * that much later. A crash before it sends them loses them, which costs a
 * follower on another server only the wait to the end of its long-poll.
 */
#define ANNOUNCE_GAP_MS 5

static void *announcer_main(void *arg)
{
	struct pg_store *ps = arg;
	PGconn *pg = NULL;
	pthread_mutex_lock(&ps->announce_mu);
	for (;;) {
		while (!ps->announce_owed[0] && !ps->announcer_stop)
			pthread_cond_wait(&ps->announce_cv, &ps->announce_mu);
		if (!ps->announce_owed[0])
			break; /* stopping, and nothing is owed */
		char sql[sizeof ps->announce_owed];
		memcpy(sql, ps->announce_owed, sizeof sql);
		ps->announce_owed[0] = '\0';
		pthread_mutex_unlock(&ps->announce_mu);
		bool sent = false;
		for (int attempt = 0; attempt < 2 && !sent; attempt++) {
			if (!pg || PQstatus(pg) != CONNECTION_OK) {
				PQfinish(pg);
				pg = PQconnectdb(ps->conninfo);
				PQclear(PQexec(pg, "SET synchronous_commit TO off"));
			}
			PGresult *r = PQexec(pg, sql);
			sent = PQresultStatus(r) == PGRES_COMMAND_OK;
			if (!sent)
				log_warn("postgres: announcing %.60s: %s", sql,
					 PQstatus(pg) == CONNECTION_OK ? PQresultErrorMessage(r)
								      : PQerrorMessage(pg));
			PQclear(r);
		}
		struct timespec gap = {0, ANNOUNCE_GAP_MS * 1000 * 1000};
		nanosleep(&gap, NULL);
		pthread_mutex_lock(&ps->announce_mu);
	}
	pthread_mutex_unlock(&ps->announce_mu);
	PQfinish(pg);
	return NULL;
}

/* Hand a committed transaction's announcements (c->notify) to the
 * announcer, started on first use; where it cannot start, they are sent
 * at once on the connection itself. */
static void announce_committed(struct pg_conn *c)
{
	struct pg_store *ps = (struct pg_store *)c->base.store;
	bool started;
	pthread_mutex_lock(&ps->announce_mu);
	if (!ps->announcer_started && !ps->announcer_stop &&
	    !pthread_create(&ps->announcer, NULL, announcer_main, ps))
		ps->announcer_started = true;
	started = ps->announcer_started && !ps->announcer_stop;
	/* each topic once in what is owed ("NOTIFY a; " as announce writes) */
	bool handed = started;
	char *save = NULL, cmds[sizeof c->notify];
	memcpy(cmds, c->notify, sizeof cmds);
	for (char *cmd = strtok_r(cmds, ";", &save); handed && cmd;
	     cmd = strtok_r(NULL, ";", &save)) {
		char one[sizeof c->notify];
		cmd += strspn(cmd, " ");
		snprintf(one, sizeof one, "%s; ", cmd);
		size_t used = strlen(ps->announce_owed), n = strlen(one);
		if (!*cmd || strstr(ps->announce_owed, one))
			continue;
		if (used + n < sizeof ps->announce_owed)
			memcpy(ps->announce_owed + used, one, n + 1);
		else
			handed = false; /* no room (more topics than the store has) */
	}
	if (started)
		pthread_cond_signal(&ps->announce_cv);
	pthread_mutex_unlock(&ps->announce_mu);
	if (!handed)
		(void)run(c, c->notify);
}

static kerr commit(struct store_conn *sc)
{
	struct pg_conn *c = (struct pg_conn *)sc;
	c->in_tx = false;
	/* a script (run) took the transaction out of the pipeline: the COMMIT
	 * goes back in, as always */
	if (!c->pipe && PQenterPipelineMode(c->pg) == 1)
		c->pipe = true;
	PGresult *r = c->pipe ? pipe_wait(c, NULL, "COMMIT") : NULL;
	pipe_leave(c);
	/* COMMIT of a failed transaction answers ROLLBACK: not a success */
	bool ok = r && !c->lost && PQresultStatus(r) == PGRES_COMMAND_OK &&
		  strcmp(PQcmdStatus(r), "COMMIT") == 0;
	if (!ok)
		log_error("postgres: COMMIT failed: %s",
			  r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg));
	PQclear(r);
	/* a COMMIT that was never sent left the transaction open */
	if (!ok && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		(void)run(c, "ROLLBACK");
	if (ok && c->notify[0])
		announce_committed(c);
	c->notify[0] = '\0';
	c->lost = false;
	return ok ? KERR_OK : KERR_STORE;
}

static void rollback(struct store_conn *sc)
{
	struct pg_conn *c = (struct pg_conn *)sc;
	held_drop(c); /* undone anyway: not sent */
	if (c->in_tx && c->pipe)
		PQclear(pipe_wait(c, NULL, "ROLLBACK"));
	else if (c->in_tx)
		(void)run(c, "ROLLBACK");
	pipe_leave(c);
	c->in_tx = c->lost = false;
	c->notify[0] = '\0';
}

static kerr exec_script(struct store_conn *sc, const char *sql)
{
	return run((struct pg_conn *)sc, sql);
}

/* '?' -> $n outside quoted strings, numbered from first + 1. */
static kerr translate_from(const char *in, struct buf *out, int first, int *nparams)
{
	int n = first;
	bool quoted = false;
	for (const char *p = in; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		kerr e = !quoted && *p == '?' ? buf_printf(out, "$%d", ++n)
					      : buf_append(out, p, 1);
		if (e)
			return e;
	}
	*nparams = n - first;
	return *nparams > PG_MAX_PARAMS ? KERR_INTERNAL : KERR_OK;
}

static kerr translate(const char *in, struct buf *out, int *nparams)
{
	return translate_from(in, out, 0, nparams);
}

/* A plain write's table (st->table, "" for any other statement): an
 * INSERT, UPDATE or DELETE that returns nothing and reads no other table,
 * so that it can be a clause of a WITH (see hold_write). */
static void note_table(struct pg_stmt *st, const char *text)
{
	static const char *const verbs[] = {"INSERT INTO ", "UPDATE ", "DELETE FROM "};
	const char *p = NULL;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0] && !p; i++)
		if (!strncmp(text, verbs[i], strlen(verbs[i])))
			p = text + strlen(verbs[i]);
	st->table[0] = '\0';
	if (!p || strstr(text, "RETURNING") || strstr(text, "SELECT"))
		return; /* what it returns, or what it reads, would change merged */
	size_t n = strcspn(p, " (");
	if (n > 0 && n < sizeof st->table) {
		memcpy(st->table, p, n);
		st->table[n] = '\0';
	}
}

static kerr prepare(struct store_conn *sc, const struct sql_query *q,
		    struct store_stmt **out)
{
	struct pg_conn *c = (struct pg_conn *)sc;
	reconnect_if_broken(c); /* statements outside a transaction (token checks) */
	size_t h = ((uintptr_t)q >> 3) & (STORE_STMT_CACHE - 1);
	for (size_t n = 0; n < STORE_STMT_CACHE; n++, h = (h + 1) & (STORE_STMT_CACHE - 1)) {
		if (c->cache[h].q == q) {
			*out = (struct store_stmt *)c->cache[h].stmt;
			return KERR_OK;
		}
		if (c->cache[h].q)
			continue;
		struct pg_stmt *st = calloc(1, sizeof *st);
		if (!st)
			return KERR_NOMEM;
		st->base.store = c->base.store;
		st->conn = c;
		st->q = q;
		note_table(st, q->text);
		snprintf(st->name, sizeof st->name, "k%d", ++c->prepared);
		struct buf sql;
		buf_init(&sql, 64 * 1024);
		kerr e = translate(q->text, &sql, &st->nparams);
		if (!e) {
			PGresult *r = NULL;
			if (!c->pipe) {
				c->round_trips++;
				r = PQprepare(c->pg, st->name, sql.data, 0, NULL);
			} else if (PQsendPrepare(c->pg, st->name, sql.data, 0, NULL) == 1) {
				/* the writes held stay held: a statement prepared
				 * runs nothing, and they go as they would have */
				int held = c->nheld;
				c->nheld = 0;
				c->sent++;
				(void)pipe_sync(c, &r);
				c->nheld = held;
			} else {
				pipe_broken(c);
			}
			if (c->lost || PQresultStatus(r) != PGRES_COMMAND_OK) {
				log_error("postgres: prepare: %s: %s", PQresultErrorMessage(r),
					  sql.data);
				e = KERR_STORE;
			}
			PQclear(r);
		}
		buf_free(&sql);
		if (e) {
			free(st);
			return e;
		}
		c->cache[h].q = q;
		c->cache[h].stmt = st;
		*out = (struct store_stmt *)st;
		return KERR_OK;
	}
	log_error("postgres: more queries than the %d a connection keeps prepared: %s",
		  STORE_STMT_CACHE, q->text);
	return KERR_INTERNAL;
}

#define PST(x) ((struct pg_stmt *)(x))

/* Keep v (owned; NULL binds SQL NULL) as parameter i. */
static kerr set_value(struct store_stmt *s, int i, char *v)
{
	struct pg_stmt *st = PST(s);
	if (i < 1 || i > st->nparams) {
		free(v);
		return KERR_INTERNAL;
	}
	free(st->values[i - 1]);
	st->values[i - 1] = v;
	return KERR_OK;
}

static kerr bind_text(struct store_stmt *st, int i, const char *v)
{
	char *copy = strdup(v);
	return copy ? set_value(st, i, copy) : KERR_NOMEM;
}

static kerr bind_int64(struct store_stmt *st, int i, int64_t v)
{
	char *s = malloc(24);
	if (!s)
		return KERR_NOMEM;
	snprintf(s, 24, "%lld", (long long)v);
	return set_value(st, i, s);
}

static kerr bind_null(struct store_stmt *st, int i)
{
	return set_value(st, i, NULL);
}

static int param_count(struct store_stmt *st)
{
	return PST(st)->nparams;
}

static enum store_step step(struct store_stmt *s)
{
	struct pg_stmt *st = PST(s);
	struct pg_conn *c = st->conn;
	/* a read sent ahead that nothing has waited for since: wait now */
	if (st->owed && !pipe_sync(c, NULL))
		return STORE_ERROR;
	if (!st->executed) {
		st->executed = true;
		if (!c->pipe)
			c->round_trips++;
		st->res = c->pipe ? pipe_wait(c, st, NULL)
				  : PQexecPrepared(c->pg, st->name, st->nparams,
						   (const char *const *)st->values, NULL, NULL, 0);
	}
	if (!st->answered) {
		if (!st->res || c->lost)
			return STORE_ERROR; /* this one, or one sent ahead, failed (logged) */
		enum store_step r = judge(c, st->res);
		if (r != STORE_DONE)
			return r;
		st->nrows = PQresultStatus(st->res) == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
		st->answered = true;
	}
	if (st->row < st->nrows) {
		st->row++;
		return STORE_ROW;
	}
	return STORE_DONE;
}

/*
 * Writes sent ahead, merged. A plain write sent ahead (store_exec_later:
 * an INSERT, UPDATE or DELETE that returns nothing) is held back, and the
 * writes held go as one statement, each but the last a clause of a WITH,
 * when the next command is sent or answers are waited for: one round of
 * protocol, portal and plan in PostgreSQL for them all instead of one each
 * (bench/README, issue 13, seventeenth round). Held writes keep their place
 * among the other commands, and touch different tables: a write to a
 * table already held sends those held first, since the clauses of one
 * statement share its snapshot and none sees the rows of another. A merged
 * statement is prepared once per connection for each sequence of queries;
 * past PG_MERGED_CACHE of them the writes go one by one. Its failure, like
 * that of any write sent ahead, loses the transaction.
 */

static void held_drop(struct pg_conn *c)
{
	for (int i = 0; i < c->nheld; i++)
		for (int k = 0; k < c->held[i].st->nparams; k++) {
			free(c->held[i].values[k]);
			c->held[i].values[k] = NULL;
		}
	c->nheld = 0;
}

/* Hold write st (its values taken from it). false if the connection
 * failed sending those held before. */
static bool hold_write(struct pg_conn *c, struct pg_stmt *st)
{
	bool clash = c->nheld == PG_RUN_MAX;
	for (int i = 0; i < c->nheld && !clash; i++)
		clash = !strcmp(c->held[i].st->table, st->table);
	if (clash && !send_held(c))
		return false;
	int k = c->nheld++;
	c->held[k].st = st;
	for (int i = 0; i < st->nparams; i++) {
		c->held[k].values[i] = st->values[i];
		st->values[i] = NULL;
	}
	return true;
}

#define MERGED_NONE (-1)   /* no room for another: one by one */
#define MERGED_FAILED (-2) /* its preparing failed: the transaction is lost */

/* The merged statement of the first n writes held: its place in
 * c->merged, prepared now if it is new (in the pipeline, nothing held). */
static int merged_statement(struct pg_conn *c, int n)
{
	for (int m = 0; m < c->nmerged; m++) {
		int i = 0;
		while (c->merged[m].n == n && i < n && c->merged[m].q[i] == c->held[i].st->q)
			i++;
		if (i == n)
			return m;
	}
	if (c->nmerged == PG_MERGED_CACHE)
		return MERGED_NONE;
	int m = c->nmerged, total = 0;
	struct buf sql;
	buf_init(&sql, 512 * 1024);
	kerr e = buf_printf(&sql, "WITH ");
	for (int i = 0; !e && i < n; i++) {
		int k = 0;
		bool last = i == n - 1;
		e = last ? buf_printf(&sql, " ") : buf_printf(&sql, "%sw%d AS (", i ? ", " : "", i);
		if (!e)
			e = translate_from(c->held[i].st->q->text, &sql, total, &k);
		total += k;
		if (!e && !last)
			e = buf_printf(&sql, ")");
	}
	snprintf(c->merged[m].name, sizeof c->merged[m].name, "m%d", m + 1);
	PGresult *r = NULL;
	if (!e && PQsendPrepare(c->pg, c->merged[m].name, sql.data, 0, NULL) == 1) {
		c->sent++;
		(void)pipe_sync(c, &r);
	} else if (!e) {
		pipe_broken(c);
	}
	bool ok = !e && r && !c->lost && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok) {
		log_error("postgres: prepare: %s: %s", r ? PQresultErrorMessage(r) : "not sent",
			  e ? "(too long)" : sql.data);
		c->lost = true;
	}
	PQclear(r);
	buf_free(&sql);
	if (!ok)
		return MERGED_FAILED;
	for (int i = 0; i < n; i++)
		c->merged[m].q[i] = c->held[i].st->q;
	c->merged[m].n = n;
	c->nmerged++;
	return m;
}

/* Send the writes held: one as itself, several as their merged statement.
 * false if the transaction is lost or the connection failed. */
static bool send_held(struct pg_conn *c)
{
	int n = c->nheld;
	if (!n)
		return true;
	c->nheld = 0; /* nothing held while they are sent */
	int m = n > 1 ? merged_statement(c, n) : MERGED_NONE;
	bool ok = m != MERGED_FAILED;
	if (m >= 0) {
		char *values[PG_RUN_MAX * PG_MAX_PARAMS];
		int total = 0;
		for (int i = 0; i < n; i++)
			for (int k = 0; k < c->held[i].st->nparams; k++)
				values[total++] = c->held[i].values[k];
		ok = pipe_send_now(c, c->merged[m].name, total, values, NULL);
	}
	for (int i = 0; ok && m == MERGED_NONE && i < n; i++)
		ok = pipe_send_now(c, c->held[i].st->name, c->held[i].st->nparams,
				   c->held[i].values, NULL);
	c->nheld = n;
	held_drop(c);
	return ok;
}

/* Send without waiting (store_exec_later); outside the pipeline, wait. */
static enum store_step step_later(struct store_stmt *s)
{
	struct pg_stmt *st = PST(s);
	struct pg_conn *c = st->conn;
	if (!c->pipe) {
		enum store_step r;
		while ((r = step(s)) == STORE_ROW)
			;
		return r;
	}
	st->executed = true;
	if (!(st->table[0] ? hold_write(c, st) : pipe_send(c, st, NULL)))
		return STORE_ERROR;
	/* answers owed are read before they grow large */
	if (c->sent >= PG_PIPE_MAX && !pipe_sync(c, NULL))
		return STORE_ERROR;
	return c->lost ? STORE_ERROR : STORE_DONE;
}

/* Send a read ahead (store_ahead_send); outside the pipeline it runs when
 * read. */
static enum store_step send_ahead(struct store_stmt *s)
{
	struct pg_stmt *st = PST(s);
	struct pg_conn *c = st->conn;
	if (!c->pipe)
		return STORE_DONE;
	if (!send_held(c))
		return STORE_ERROR;
	if (c->sent >= PG_PIPE_SLOTS - 1 && !pipe_sync(c, NULL)) /* room for its slot */
		return STORE_ERROR;
	st->executed = true;
	if (!pipe_send(c, st, NULL))
		return STORE_ERROR;
	st->owed = true;
	c->ahead[c->sent - 1] = st;
	if (c->sent >= PG_PIPE_MAX && !pipe_sync(c, NULL))
		return STORE_ERROR;
	return c->lost ? STORE_ERROR : STORE_DONE;
}

static const char *col_text(struct store_stmt *s, int i)
{
	struct pg_stmt *st = PST(s);
	if (!st->res || st->row < 1 || i >= PQnfields(st->res))
		return "";
	return PQgetvalue(st->res, st->row - 1, i);
}

static int64_t col_int64(struct store_stmt *s, int i)
{
	return strtoll(col_text(s, i), NULL, 10);
}

static bool col_is_null(struct store_stmt *s, int i)
{
	struct pg_stmt *st = PST(s);
	return !st->res || st->row < 1 || i >= PQnfields(st->res) ||
	       PQgetisnull(st->res, st->row - 1, i);
}

static void reset(struct store_stmt *s)
{
	stmt_clear(PST(s));
}

static const char *errmsg(struct store_conn *sc)
{
	return PQerrorMessage(((struct pg_conn *)sc)->pg);
}

static kerr lock_migrations(struct store_conn *sc)
{
	/* one key for "kouan migrations", held until the transaction ends */
	return run((struct pg_conn *)sc, "SELECT pg_advisory_xact_lock(7242300501)");
}

/* Under the migrations' lock: two servers making the same month's
 * partition at once would have one of them fail. */
static kerr maintain(struct store_conn *sc)
{
	kerr e = lock_migrations(sc);
	return e ? e : run((struct pg_conn *)sc, "SELECT kouan_ensure_partitions(3)");
}

STORE_QUERY static const struct sql_query Q_ANALYSE_GROWN = {"SELECT kouan_analyse_grown(?)"};

struct grown {
	void (*name)(void *arg, const char *table);
	void *arg;
};

static kerr name_grown(void *arg, struct store_stmt *st)
{
	struct grown *g = arg;
	g->name(g->arg, stmt_text(st, 0));
	return KERR_OK;
}

static kerr analyse_grown(struct store_conn *sc, int64_t min_changes,
			  void (*name)(void *arg, const char *table), void *arg)
{
	struct grown g = {name, arg};
	return store_each(sc, &Q_ANALYSE_GROWN, name_grown, &g, "i", min_changes);
}

/* Inside a transaction the NOTIFY waits for the COMMIT, and is then sent
 * by the announcer (announce_committed); outside one it is sent at once. */
static kerr announce(struct store_conn *sc, const char *topic)
{
	struct pg_conn *c = (struct pg_conn *)sc;
	char sql[96];
	snprintf(sql, sizeof sql, "NOTIFY %.60s; ", topic); /* topics are our constants */
	if (!c->in_tx)
		return run(c, sql);
	if (strstr(c->notify, sql))
		return KERR_OK; /* announced already */
	size_t used = strlen(c->notify);
	int n = snprintf(c->notify + used, sizeof c->notify - used, "%s", sql);
	if (n < 0 || (size_t)n >= sizeof c->notify - used) {
		c->notify[used] = '\0'; /* no room: announced apart, at once */
		return run(c, sql);
	}
	return KERR_OK;
}

static void *watcher_main(void *arg)
{
	struct pg_store *ps = arg;
	PGconn *pg = NULL;
	bool listening = false;
	while (!ps->stop_watching) {
		if (!pg || PQstatus(pg) != CONNECTION_OK) {
			if (listening)
				ps->on_change(ps->on_change_arg, STORE_WATCH_LOST);
			listening = false;
			PQfinish(pg);
			pg = PQconnectdb(ps->conninfo);
			PGresult *r = PQstatus(pg) == CONNECTION_OK
					      ? PQexec(pg, "LISTEN " STORE_TOPIC_FEED "; LISTEN "
							   STORE_TOPIC_REFERENCE "; LISTEN "
							   STORE_TOPIC_MONEY)
					      : NULL;
			bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
			if (!ok) {
				log_warn("postgres: cannot listen for other servers' changes; retrying");
				for (int i = 0; i < 10 && !ps->stop_watching; i++) {
					struct timespec ts = {0, 100 * 1000 * 1000};
					nanosleep(&ts, NULL);
				}
				continue;
			}
			/* anything may have changed while we were not listening */
			ps->on_change(ps->on_change_arg, STORE_WATCH_READY);
			ps->on_change(ps->on_change_arg, STORE_TOPIC_REFERENCE);
			ps->on_change(ps->on_change_arg, STORE_TOPIC_FEED);
			listening = true;
		}
		struct pollfd pfd = {PQsocket(pg), POLLIN, 0};
		if (poll(&pfd, 1, 200) < 0)
			continue;
		if (!PQconsumeInput(pg))
			continue; /* reconnect at the top */
		PGnotify *n;
		while ((n = PQnotifies(pg))) {
			ps->on_change(ps->on_change_arg, n->relname);
			PQfreemem(n);
		}
	}
	if (listening)
		ps->on_change(ps->on_change_arg, STORE_WATCH_LOST);
	PQfinish(pg);
	return NULL;
}

static kerr watch(struct store *s, void (*on_change)(void *arg, const char *topic),
		  void *arg)
{
	struct pg_store *ps = (struct pg_store *)s;
	if (ps->watching)
		return KERR_INTERNAL;
	ps->on_change = on_change;
	ps->on_change_arg = arg;
	ps->stop_watching = false;
	if (pthread_create(&ps->watcher, NULL, watcher_main, ps))
		return KERR_INTERNAL;
	ps->watching = true;
	return KERR_OK;
}

static void unwatch(struct store *s)
{
	struct pg_store *ps = (struct pg_store *)s;
	if (!ps->watching)
		return;
	ps->stop_watching = true;
	pthread_join(ps->watcher, NULL);
	ps->watching = false;
}

/* The event feed's order (store_feed_append, store_feed_horizon in
 * store.h). Every transaction that appends events holds the feed lock
 * (advisory lock FEED_LOCK) shared until it ends. feed_settled(), from
 * migration 0012, takes it exclusively for an instant, so once every
 * transaction appending at that moment has ended, and answers the last id
 * handed out by then: every id at or below it is final. Between settles,
 * the horizon moves over rows that follow on without a gap; a gap is a
 * transaction still committing, or one that rolled back (or ids a crash
 * skipped), which only a settle can tell apart. Since migration 0023 the
 * sequence hands ids out STORE_EVENT_ROW_IDS apart, one to a row of the
 * event log, whose events take that id and the ones after it: a row
 * follows on when its id is one past the last id the row before may hold,
 * and feed_settled() answers the last id the last row handed out may
 * hold. */
#define FEED_LOCK "7242300502" /* also in 0012_feed.sql */
#define FEED_SCAN 512          /* ids read at a time past the horizon: */
#define FEED_SCAN_TEXT "512"   /* the same, in Q_FEED_IDS */
#define FEED_FIRST_WAIT_MS 1   /* a reader held back waits 1, 2, 4, 8, 16 ms */
#define FEED_LAST_WAIT_MS 16
#define FEED_GAP_PATIENCE_US 50000 /* a gap older than this is settled */

STORE_QUERY static const struct sql_query Q_FEED_APPEND = {
	"SELECT pg_advisory_xact_lock_shared(" FEED_LOCK ")"};
STORE_QUERY static const struct sql_query Q_FEED_IDS = {
	"SELECT id FROM events WHERE id > ? ORDER BY id LIMIT " FEED_SCAN_TEXT};
STORE_QUERY static const struct sql_query Q_FEED_SETTLED = {"SELECT feed_settled()"};

static kerr feed_append(struct store_conn *sc)
{
	return store_exec_later(sc, &Q_FEED_APPEND, "");
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Raise the horizon to `final` (never lower it); note whether a gap lies
 * just past it. Answers the horizon and, for a gap, how long it has been
 * seen. */
static int64_t feed_raise(struct pg_store *ps, int64_t final, bool settled, bool gap,
			  int64_t *gap_age_us)
{
	int64_t now = now_us();
	pthread_mutex_lock(&ps->feed_mu);
	if (final > ps->feed_final) {
		ps->feed_final = final;
		ps->gap_since_us = 0;
	}
	if (settled)
		ps->feed_settled = true;
	if (!gap)
		ps->gap_since_us = 0;
	else if (!ps->gap_since_us)
		ps->gap_since_us = now;
	*gap_age_us = gap ? now - ps->gap_since_us : 0;
	int64_t f = ps->feed_final;
	pthread_mutex_unlock(&ps->feed_mu);
	return f;
}

static kerr read_id(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

static kerr feed_settle(struct store_conn *sc, int64_t *final)
{
	int64_t last = 0, age;
	struct pg_conn *c = (struct pg_conn *)sc;
	kerr e = store_first(sc, &Q_FEED_SETTLED, read_id, &last, "");
	if (!e)
		*final = feed_raise((struct pg_store *)c->base.store, last, true, false, &age);
	else
		c->broken = true; /* a new session: no lock can outlive the failure */
	return e;
}

struct feed_scan {
	int64_t final; /* the last id read that follows on from the horizon */
	int rows;
	bool gap; /* an id read lies past a gap */
};

static kerr scan_id(void *arg, struct store_stmt *st)
{
	struct feed_scan *f = arg;
	int64_t id = stmt_int(st, 0);
	f->rows++;
	if (!f->gap && id == f->final + 1)
		f->final = id + STORE_EVENT_ROW_IDS - 1; /* the ids its row may hold */
	else
		f->gap = true;
	return KERR_OK;
}

static kerr feed_horizon(struct store_conn *sc, int64_t after, int64_t *horizon)
{
	struct pg_conn *c = (struct pg_conn *)sc;
	struct pg_store *ps = (struct pg_store *)c->base.store;
	if (c->in_tx && c->writing)
		return KERR_OK; /* *horizon stays INT64_MAX */
	pthread_mutex_lock(&ps->feed_mu);
	int64_t final = ps->feed_final;
	bool settled = ps->feed_settled;
	pthread_mutex_unlock(&ps->feed_mu);
	kerr e = settled ? KERR_OK : feed_settle(sc, &final);
	int wait_ms = FEED_FIRST_WAIT_MS;
	while (!e) {
		struct feed_scan f = {.final = final};
		int64_t gap_age;
		e = store_each(sc, &Q_FEED_IDS, scan_id, &f, "i", final);
		if (e)
			break;
		final = feed_raise(ps, f.final, false, f.gap, &gap_age);
		if (f.rows == FEED_SCAN && !f.gap)
			continue; /* more ids follow on */
		if (!f.gap)
			break;
		/* A reader with events before the gap reads them now, unless the
		 * gap has lasted: then it is most likely a rollback, settled at
		 * once (a reader stopped at it would wait for nothing). A reader
		 * stopped at the gap waits for it to close, then settles. The
		 * last row before the gap has the id final - 15: a reader that
		 * has seen that id has seen that row (its events after the
		 * first are read with it, unless a limit cut them off). */
		bool before_gap = after < final - (STORE_EVENT_ROW_IDS - 1);
		if (before_gap && gap_age < FEED_GAP_PATIENCE_US)
			break;
		if (before_gap || wait_ms > FEED_LAST_WAIT_MS) {
			e = feed_settle(sc, &final);
			break;
		}
		struct timespec ts = {0, (long)wait_ms * 1000000L};
		nanosleep(&ts, NULL);
		wait_ms *= 2;
	}
	*horizon = final;
	return e;
}

/* A transaction of its own, on the store's aside connection (store_aside). */
static kerr aside(struct store *s, kerr (*fn)(struct store_conn *c, void *arg), void *arg)
{
	struct pg_store *ps = (struct pg_store *)s;
	pthread_mutex_lock(&ps->aside_mu);
	kerr e = ps->aside ? KERR_OK : conn_open(s, &ps->aside);
	if (!e)
		e = begin(ps->aside, true);
	if (!e) {
		e = fn(ps->aside, arg);
		if (e)
			rollback(ps->aside);
		else
			e = commit(ps->aside);
	}
	pthread_mutex_unlock(&ps->aside_mu);
	return e;
}

static void pg_close(struct store *s)
{
	struct pg_store *ps = (struct pg_store *)s;
	unwatch(s);
	conn_close(ps->aside);
	/* the announcer sends what is owed, then stops */
	pthread_mutex_lock(&ps->announce_mu);
	ps->announcer_stop = true;
	pthread_cond_signal(&ps->announce_cv);
	pthread_mutex_unlock(&ps->announce_mu);
	if (ps->announcer_started)
		pthread_join(ps->announcer, NULL);
	pthread_cond_destroy(&ps->announce_cv);
	pthread_mutex_destroy(&ps->announce_mu);
	pthread_mutex_destroy(&ps->aside_mu);
	pthread_mutex_destroy(&ps->feed_mu);
	free(s);
}

static int64_t round_trips(struct store_conn *sc)
{
	return ((struct pg_conn *)sc)->round_trips;
}

static bool should_retry(struct store_conn *sc)
{
	return ((struct pg_conn *)sc)->retry;
}

static const struct store_ops pg_ops = {
	.name = "postgres",
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
	.step_later = step_later,
	.send_ahead = send_ahead,
	.col_text = col_text,
	.col_int64 = col_int64,
	.col_is_null = col_is_null,
	.reset = reset,
	.errmsg = errmsg,
	.close = pg_close,
	.lock_migrations = lock_migrations,
	.maintain = maintain,
	.analyse_grown = analyse_grown,
	.announce = announce,
	.watch = watch,
	.unwatch = unwatch,
	.should_retry = should_retry,
	.round_trips = round_trips,
	.feed_append = feed_append,
	.feed_horizon = feed_horizon,
	.aside = aside,
};

kerr store_pg_open(const struct store_options *opts, struct store **out)
{
	struct pg_store *ps = calloc(1, sizeof *ps);
	if (!ps)
		return KERR_NOMEM;
	if (str_copy(ps->conninfo, opts->url, sizeof ps->conninfo) >= sizeof ps->conninfo) {
		free(ps);
		return KERR_INVALID;
	}
	pthread_mutex_init(&ps->feed_mu, NULL);
	pthread_mutex_init(&ps->aside_mu, NULL);
	pthread_mutex_init(&ps->announce_mu, NULL);
	pthread_cond_init(&ps->announce_cv, NULL);
	ps->base.ops = &pg_ops;
	ps->base.row_locks = true;
	ps->base.event_ids_per_row = STORE_EVENT_ROW_IDS; /* its sequence: 0023 */
	str_copy(ps->base.backend, "postgres", sizeof ps->base.backend);
	struct store_conn *c;
	kerr e = conn_open(&ps->base, &c);
	if (e) {
		pthread_cond_destroy(&ps->announce_cv);
		pthread_mutex_destroy(&ps->announce_mu);
		pthread_mutex_destroy(&ps->aside_mu);
		pthread_mutex_destroy(&ps->feed_mu);
		free(ps);
		return e;
	}
	conn_close(c);
	*out = &ps->base;
	return KERR_OK;
}
