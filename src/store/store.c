/*
 * store.c - backend dispatch, per-thread connections, statement helpers and
 * the migration runner, shared by every backend (see store.h).
 */
#include "store/store.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/embedded.h"
#include "common/log.h"

bool store_url_is_postgres(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

/* Text shown, cut to fit (store_url_shown). */
struct shown {
	char *out;
	size_t size, n;
};

static void show(struct shown *s, const char *from, const char *to)
{
	for (; from < to; from++)
		if (s->n + 1 < s->size)
			s->out[s->n++] = *from;
}

static void hide(struct shown *s)
{
	static const char stars[] = "***";
	show(s, stars, stars + 3);
}

void store_url_shown(const char *url, char *out, size_t size)
{
	if (!size)
		return;
	struct shown s = {out, size, 0};
	const char *p = url, *url_end = url + strlen(url);
	if (store_url_is_postgres(url)) {
		/* postgresql://[user[:password]@]host[:port][/dbname][?name=value&...] */
		const char *host = strstr(url, "://") + 3;
		const char *end = host + strcspn(host, "/?");
		const char *at = NULL;
		for (const char *q = host; q < end; q++)
			if (*q == '@')
				at = q; /* the last: a host has none */
		const char *colon = at ? memchr(host, ':', (size_t)(at - host)) : NULL;
		if (colon) {
			show(&s, p, colon + 1);
			hide(&s);
			p = at;
		}
		for (const char *q = strchr(end, '?'); q; q = strchr(q + 1, '&')) {
			if (strncmp(q + 1, "password=", strlen("password=")) != 0)
				continue;
			const char *value = q + 1 + strlen("password=");
			show(&s, p, value);
			hide(&s);
			p = value + strcspn(value, "&");
		}
	}
	show(&s, p, url_end);
	out[s.n] = '\0';
}

kerr store_open(const struct store_options *opts, struct store **out)
{
	if (store_url_is_postgres(opts->url))
		return store_pg_open(opts, out);
	return store_sqlite_open(opts, out);
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

kerr store_aside(struct store_conn *c, kerr (*fn)(struct store_conn *aside, void *arg),
		 void *arg)
{
	struct store *s = ((struct store_conn_base *)c)->store;
	return s->ops->aside && s->row_locks ? s->ops->aside(s, fn, arg) : KERR_INTERNAL;
}

/* Per-thread connection: one slot per thread, keyed on the store it serves
 * (a process may hold two stores only in tests, one at a time per thread). */
struct thread_conn {
	struct store *store;
	struct store_conn *conn;
};

static pthread_key_t conn_key;
static pthread_once_t conn_key_once = PTHREAD_ONCE_INIT;

static void thread_conn_free(void *p)
{
	struct thread_conn *tc = p;
	if (tc && tc->conn)
		tc->store->ops->conn_close(tc->conn);
	free(tc);
}

static void conn_key_make(void)
{
	pthread_key_create(&conn_key, thread_conn_free);
}

kerr store_thread_conn(struct store *s, struct store_conn **out)
{
	pthread_once(&conn_key_once, conn_key_make);
	struct thread_conn *tc = pthread_getspecific(conn_key);
	if (tc && tc->store == s && tc->conn) {
		*out = tc->conn;
		return KERR_OK;
	}
	if (tc) {
		thread_conn_free(tc);
		pthread_setspecific(conn_key, NULL);
	}
	tc = calloc(1, sizeof *tc);
	if (!tc)
		return KERR_NOMEM;
	kerr e = s->ops->conn_open(s, &tc->conn);
	if (e) {
		free(tc);
		return e;
	}
	tc->store = s;
	pthread_setspecific(conn_key, tc);
	*out = tc->conn;
	return KERR_OK;
}

void store_thread_release(void)
{
	pthread_once(&conn_key_once, conn_key_make);
	struct thread_conn *tc = pthread_getspecific(conn_key);
	if (tc) {
		thread_conn_free(tc);
		pthread_setspecific(conn_key, NULL);
	}
}

/* Bind the arguments fmt describes (store_query's letters), from ap, to
 * the statement's parameters from `first` (1-based) on. */
static kerr bind_va(const struct store_ops *ops, struct store_stmt *st,
		    const struct sql_query *q, int first, const char *fmt, va_list ap)
{
	kerr e = KERR_OK;
	for (int i = 0; !e && fmt && fmt[i]; i++) {
		int at = first + i;
		switch (fmt[i]) {
		case 's': {
			const char *v = va_arg(ap, const char *);
			e = v ? ops->bind_text(st, at, v) : ops->bind_null(st, at);
			break;
		}
		case 'i':
			e = ops->bind_int64(st, at, va_arg(ap, int64_t));
			break;
		case 'I': {
			const int64_t *v = va_arg(ap, const int64_t *);
			e = v ? ops->bind_int64(st, at, *v) : ops->bind_null(st, at);
			break;
		}
		case 'n':
			e = ops->bind_null(st, at);
			break;
		default:
			log_error("store: unknown bind format '%c': %s", fmt[i], q->text);
			e = KERR_INTERNAL;
			break;
		}
	}
	return e;
}

static struct store_stmt *vquery(struct store_conn *c, const struct sql_query *q,
				 const char *fmt, va_list ap)
{
	const struct store_ops *ops = STORE_OPS(c);
	struct store_stmt *st;
	if (ops->prepare(c, q, &st)) {
		log_error("store: prepare failed: %s: %s", ops->errmsg(c), q->text);
		return NULL;
	}
	if (((struct store_stmt_base *)st)->held) {
		log_error("store: run again before its read sent ahead was read: %s", q->text);
		return NULL;
	}
	size_t nfmt = fmt ? strlen(fmt) : 0;
	if ((int)nfmt != ops->param_count(st)) {
		log_error("store: %zu arguments for %d parameters: %s", nfmt,
			  ops->param_count(st), q->text);
		return NULL;
	}
	if (bind_va(ops, st, q, 1, fmt, ap)) {
		log_error("store: binding failed: %s", q->text);
		ops->reset(st);
		return NULL;
	}
	return st;
}

struct store_stmt *store_query(struct store_conn *c, const struct sql_query *q,
			       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct store_stmt *st = vquery(c, q, fmt, ap);
	va_end(ap);
	return st;
}

static kerr step_error(struct store_conn *c, const struct sql_query *q, enum store_step r)
{
	if (r == STORE_CONSTRAINT)
		return KERR_CONFLICT;
	log_error("store: %s: %s", STORE_OPS(c)->errmsg(c), q->text);
	return KERR_STORE;
}

/* Run a bound statement to its end, ignoring its rows; with `later`, sent
 * without waiting where the backend can. */
static kerr step_to_end(struct store_conn *c, const struct sql_query *q,
			struct store_stmt *st, bool later)
{
	enum store_step r;
	if (later && STORE_OPS(c)->step_later)
		r = STORE_OPS(c)->step_later(st) == STORE_DONE ? STORE_DONE : STORE_ERROR;
	else
		while ((r = stmt_step(st)) == STORE_ROW)
			;
	stmt_done(st);
	return r == STORE_DONE ? KERR_OK : step_error(c, q, r);
}

/* Bind and run a statement to its end, ignoring its rows; with `later`,
 * sent without waiting where the backend can (store_exec_later). */
static kerr exec_va(struct store_conn *c, const struct sql_query *q, bool later,
		    const char *fmt, va_list ap)
{
	struct store_stmt *st = vquery(c, q, fmt, ap);
	return st ? step_to_end(c, q, st, later) : KERR_STORE;
}

kerr store_exec(struct store_conn *c, const struct sql_query *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kerr e = exec_va(c, q, false, fmt, ap);
	va_end(ap);
	return e;
}

kerr store_exec_later(struct store_conn *c, const struct sql_query *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kerr e = exec_va(c, q, true, fmt, ap);
	va_end(ap);
	return e;
}

void store_rows_begin(struct store_rows *r, struct store_conn *c, const struct sql_query *q)
{
	*r = (struct store_rows){.conn = c, .q = q};
	if (STORE_OPS(c)->prepare(c, q, &r->st)) {
		log_error("store: prepare failed: %s: %s", STORE_OPS(c)->errmsg(c), q->text);
		r->st = NULL;
		r->e = KERR_STORE;
	}
}

void store_rows_add(struct store_rows *r, const char *row_fmt, ...)
{
	if (r->e)
		return;
	const struct store_ops *ops = STORE_OPS(r->conn);
	int n = (int)strlen(row_fmt);
	if (r->bound + n > ops->param_count(r->st)) {
		log_error("store: a row past the statement's %d parameters: %s",
			  ops->param_count(r->st), r->q->text);
		r->e = KERR_INTERNAL;
		return;
	}
	va_list ap;
	va_start(ap, row_fmt);
	r->e = bind_va(ops, r->st, r->q, r->bound + 1, row_fmt, ap);
	va_end(ap);
	r->bound += n;
}

/* Run nothing, leaving the statement ready for its next use. */
static void rows_discard(struct store_rows *r)
{
	if (r->st)
		STORE_OPS(r->conn)->reset(r->st);
}

static kerr rows_exec(struct store_rows *r, bool later)
{
	if (!r->st)
		return r->e ? r->e : KERR_STORE;
	const struct store_ops *ops = STORE_OPS(r->conn);
	if (!r->e && r->bound != ops->param_count(r->st)) {
		log_error("store: rows for %d of %d parameters: %s", r->bound,
			  ops->param_count(r->st), r->q->text);
		r->e = KERR_INTERNAL;
	}
	if (r->e) {
		ops->reset(r->st);
		return r->e;
	}
	return step_to_end(r->conn, r->q, r->st, later);
}

kerr store_rows_exec(struct store_rows *r)
{
	return rows_exec(r, false);
}

kerr store_rows_exec_later(struct store_rows *r)
{
	return rows_exec(r, true);
}

kerr store_rows_insert(struct store_conn *c, const struct sql_query *statements,
		       size_t nsizes, size_t n, store_row_add_fn add, void *arg)
{
	kerr e = KERR_OK;
	for (size_t done = 0; !e && done < n;) {
		size_t k = nsizes - 1; /* the largest statement the rows left fill */
		while (k > 0 && (size_t)1 << k > n - done)
			k--;
		struct store_rows rows;
		store_rows_begin(&rows, c, &statements[k]);
		for (size_t i = 0; !e && i < (size_t)1 << k; i++)
			e = add(&rows, arg, done + i);
		if (e)
			rows_discard(&rows);
		else
			e = store_rows_exec_later(&rows);
		done += (size_t)1 << k;
	}
	return e;
}

/* Visit the rows of a bound statement, then leave it ready for its next
 * use. */
static kerr each_row(struct store_conn *c, const struct sql_query *q, struct store_stmt *st,
		     store_row_fn row, void *arg)
{
	enum store_step r;
	kerr e = KERR_OK;
	while (!e && (r = stmt_step(st)) == STORE_ROW)
		e = row(arg, st);
	stmt_done(st);
	if (e)
		return e;
	return r == STORE_DONE ? KERR_OK : step_error(c, q, r);
}

kerr store_each(struct store_conn *c, const struct sql_query *q, store_row_fn row,
		void *arg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct store_stmt *st = vquery(c, q, fmt, ap);
	va_end(ap);
	return st ? each_row(c, q, st, row, arg) : KERR_STORE;
}

void store_ahead_send(struct store_ahead *a, struct store_conn *c, const struct sql_query *q,
		      const char *fmt, ...)
{
	*a = (struct store_ahead){.conn = c, .q = q};
	va_list ap;
	va_start(ap, fmt);
	a->st = vquery(c, q, fmt, ap);
	va_end(ap);
	if (!a->st) {
		a->e = KERR_STORE;
		return;
	}
	((struct store_stmt_base *)a->st)->held = true;
	const struct store_ops *ops = STORE_OPS(c);
	if (ops->send_ahead && ops->send_ahead(a->st) != STORE_DONE)
		a->e = step_error(c, q, STORE_ERROR);
}

/* The statement of a read sent ahead, no longer held by it (NULL: it was
 * read or dropped already, or never sent). */
static struct store_stmt *ahead_release(struct store_ahead *a)
{
	struct store_stmt *st = a->st;
	a->st = NULL;
	if (st)
		((struct store_stmt_base *)st)->held = false;
	return st;
}

kerr store_ahead_each(struct store_ahead *a, store_row_fn row, void *arg)
{
	struct store_stmt *st = ahead_release(a);
	if (!st || a->e) {
		if (st)
			stmt_done(st);
		return a->e ? a->e : KERR_INTERNAL; /* never sent, or read already */
	}
	return each_row(a->conn, a->q, st, row, arg);
}

void store_ahead_drop(struct store_ahead *a)
{
	struct store_stmt *st = ahead_release(a);
	if (st)
		stmt_done(st);
}

kerr store_first(struct store_conn *c, const struct sql_query *q, store_row_fn row,
		 void *arg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct store_stmt *st = vquery(c, q, fmt, ap);
	va_end(ap);
	if (!st)
		return KERR_STORE;
	enum store_step r = stmt_step(st);
	kerr e = KERR_OK;
	if (r == STORE_ROW) {
		if (row)
			e = row(arg, st);
		enum store_step more;
		while ((more = stmt_step(st)) == STORE_ROW)
			;
		if (!e && more != STORE_DONE)
			e = step_error(c, q, more);
	} else if (r == STORE_DONE) {
		e = KERR_NOT_FOUND;
	} else {
		e = step_error(c, q, r);
	}
	stmt_done(st);
	return e;
}

/* Migrations are embedded files src/store/migrations/BACKEND/NNNN_name.sql,
 * applied in name order; schema_migrations records each applied version. */
bool store_should_retry(struct store_conn *c)
{
	const struct store_ops *ops = STORE_OPS(c);
	return ops->should_retry && ops->should_retry(c);
}

int64_t store_prepared_again(struct store_conn *c)
{
	const struct store_ops *ops = STORE_OPS(c);
	return ops->prepared_again ? ops->prepared_again(c) : 0;
}

/* The section's bounds, which the linker defines (STORE_QUERY). */
extern const struct sql_query __start_kouan_queries[], __stop_kouan_queries[];

size_t store_queries_known(void)
{
	size_t n = 0;
	/* a NULL text is padding the compiler left between two of them */
	for (const struct sql_query *q = __start_kouan_queries; q < __stop_kouan_queries; q++)
		n += q->text != NULL;
	return n;
}

int64_t store_round_trips(struct store_conn *c)
{
	const struct store_ops *ops = STORE_OPS(c);
	return ops->round_trips ? ops->round_trips(c) : -1;
}

kerr store_announce(struct store_conn *c, const char *topic)
{
	const struct store_ops *ops = STORE_OPS(c);
	return ops->announce ? ops->announce(c, topic) : KERR_OK;
}

kerr store_feed_append(struct store_conn *c)
{
	const struct store_ops *ops = STORE_OPS(c);
	return ops->feed_append ? ops->feed_append(c) : KERR_OK;
}

kerr store_feed_horizon(struct store_conn *c, int64_t after, int64_t *horizon)
{
	const struct store_ops *ops = STORE_OPS(c);
	*horizon = INT64_MAX;
	return ops->feed_horizon ? ops->feed_horizon(c, after, horizon) : KERR_OK;
}

/* Run fn in a writing transaction of its own on this thread's connection,
 * committed unless it fails. */
static kerr in_own_transaction(struct store *s, kerr (*fn)(struct store_conn *c, void *arg),
			       void *arg)
{
	struct store_conn *c;
	kerr e = store_thread_conn(s, &c);
	if (!e && !(e = store_begin(c, true))) {
		e = fn(c, arg);
		if (e)
			store_rollback(c);
		else
			e = store_commit(c);
	}
	return e;
}

static kerr run_maintain(struct store_conn *c, void *arg)
{
	(void)arg;
	return STORE_OPS(c)->maintain(c);
}

kerr store_maintain(struct store *s)
{
	return s->ops->maintain ? in_own_transaction(s, run_maintain, NULL) : KERR_OK;
}

struct grown_names {
	char *names;
	size_t size, used;
	int n;
	int64_t min_changes;
};

static void add_grown(void *arg, const char *table)
{
	struct grown_names *g = arg;
	g->n++;
	if (g->used >= g->size)
		return;
	int w = snprintf(g->names + g->used, g->size - g->used, "%s%s", g->n > 1 ? ", " : "",
			 table);
	g->used = w < 0 ? g->size : g->used + (size_t)w;
}

static kerr run_analyse_grown(struct store_conn *c, void *arg)
{
	struct grown_names *g = arg;
	return STORE_OPS(c)->analyse_grown(c, g->min_changes, add_grown, g);
}

kerr store_analyse_grown(struct store *s, int64_t min_changes, char *names, size_t size, int *n)
{
	struct grown_names g = {names, size, 0, 0, min_changes};
	if (size)
		names[0] = '\0';
	kerr e = s->ops->analyse_grown ? in_own_transaction(s, run_analyse_grown, &g) : KERR_OK;
	*n = g.n;
	return e;
}

STORE_QUERY static const struct sql_query Q_MIGRATIONS_TABLE = {
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" applied_at TEXT NOT NULL)"};
STORE_QUERY static const struct sql_query Q_MIGRATION_APPLIED = {
	"SELECT 1 FROM schema_migrations WHERE version = ?"};
STORE_QUERY static const struct sql_query Q_MIGRATION_RECORD = {
	"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"};

static int migration_cmp(const void *a, const void *b)
{
	const struct embedded_file *const *x = a, *const *y = b;
	return strcmp((*x)->path, (*y)->path);
}

kerr store_migrate(struct store *s, int64_t now_us)
{
	return store_migrate_upto(s, now_us, INT64_MAX);
}

kerr store_migrate_upto(struct store *s, int64_t now_us, int64_t last)
{
	char prefix[64];
	snprintf(prefix, sizeof prefix, "src/store/migrations/%s/", s->backend);
	size_t plen = strlen(prefix);
	const struct embedded_file *list[256];
	size_t n = 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (strncmp(f->path, prefix, plen) == 0 && n < 256)
			list[n++] = f;
	qsort(list, n, sizeof list[0], migration_cmp);

	struct store_conn *c;
	kerr e = s->ops->conn_open(s, &c);
	if (e)
		return e;
	char now[KTIME_TEXT_MAX];
	ktime_format(now_us, now);
	e = store_begin(c, true);
	if (!e)
		e = store_exec(c, &Q_MIGRATIONS_TABLE, "");
	if (!e)
		e = store_commit(c);
	else
		store_rollback(c);
	for (size_t i = 0; i < n && !e; i++) {
		const char *name = list[i]->path + plen;
		int64_t version = strtoll(name, NULL, 10);
		if (version <= 0) {
			log_error("store: migration %s has no version number", name);
			e = KERR_INTERNAL;
			break;
		}
		if (version > last)
			break;
		e = store_begin(c, true);
		if (e)
			break;
		if (s->ops->lock_migrations && (e = s->ops->lock_migrations(c))) {
			store_rollback(c);
			break;
		}
		e = store_first(c, &Q_MIGRATION_APPLIED, NULL, NULL, "i", version);
		bool applied = e == KERR_OK;
		if (e == KERR_NOT_FOUND)
			e = KERR_OK;
		if (!e && !applied) {
			e = s->ops->exec_script(c, list[i]->data);
			if (!e)
				e = store_exec(c, &Q_MIGRATION_RECORD, "iss", version,
					       name, now);
			if (!e)
				log_info("store: applied migration %s", name);
		}
		if (e)
			store_rollback(c);
		else
			e = store_commit(c);
	}
	s->ops->conn_close(c);
	return e;
}
