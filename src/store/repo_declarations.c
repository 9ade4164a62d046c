/*
 * repo_declarations.c - queries of declarations, their versions and tasks,
 * worklists, idempotency keys and release notices (see repo.h).
 *
 * Statuses are stored as their wire names and read back into the enums of
 * src/domain/workflow.h; a stored word the enum does not know is a store
 * failure, not a silent default.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "domain/declaration.h"
#include "domain/transport.h"
#include "store/repo.h"
#include "store/packed.h"
#include "store/repo_internal.h"

/* --- numbering ---
 * One writer at a time (SQLite): the sequence row moves on by one in the
 * lodgement's own transaction. Several at once (PostgreSQL): that row
 * would be held from the number to the commit, one lodgement of an office
 * after another; instead a lodgement takes the lowest spare number no one
 * else holds, and numbers are put aside in blocks by a transaction of
 * their own (migration 0021 says why no number is lost, and what is
 * weaker than one lodgement after another). */

#define SPARES_BLOCK 32
#define SPARES_TRIES 8

Q(Q_SEQ_NEXT, "INSERT INTO number_sequences (office, year, direction, last_value)"
	      " VALUES (?, ?, ?, 1) ON CONFLICT (office, year, direction)"
	      " DO UPDATE SET last_value = number_sequences.last_value + 1"
	      " RETURNING last_value");
/* The lowest spare no one else holds, looked for first among the last
 * SPARES_WINDOW numbers of the series. A spare's row stays in the index,
 * dead, from its take to the next VACUUM, in front of the live spares, so
 * a search from the series' first number walks past every number taken
 * since: over a minute at the peak, 186 pages and 208 us a take on
 * average, against 22 pages and 86 us within the window (bench/README,
 * issue 13, twentieth round). The window is wider than the blocks that
 * a server's lodgements finding no spare at once put aside together (16
 * threads by default, 32 numbers a block); more, and the lowest of them
 * are given after the window's. Only a number given back after more than
 * the window was given while it was held lies below it; the search
 * without the window finds it once the window has no spare left, before
 * a new block is put aside. No number is left out either way. */
#define SPARES_WINDOW "1024"
#define SPARE_TAKE_LOWEST(window)                                                                  \
	"DELETE FROM number_spares WHERE (office, year, direction, value) ="                       \
	" (SELECT office, year, direction, value FROM number_spares"                               \
	" WHERE office = ? AND year = ? AND direction = ?" window                                   \
	" ORDER BY value LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING value"
Q(Q_SPARE_TAKE, SPARE_TAKE_LOWEST(" AND value > (SELECT last_value - " SPARES_WINDOW
				  " FROM number_sequences WHERE office = ? AND year = ?"
				  " AND direction = ?)"));
Q(Q_SPARE_TAKE_ANY, SPARE_TAKE_LOWEST(""));
Q(Q_SPARE_GIVE_BACK, "INSERT INTO number_spares (office, year, direction, value)"
		     " VALUES (?, ?, ?, ?)");
/* The next block of numbers, spare. Its commit need not wait for its
 * flush (synchronous_commit off for its transaction alone): a lodgement
 * that uses one of its numbers commits after it, and its own flush
 * carries the block's with it. */
Q(Q_SPARE_BLOCK, "WITH r AS (INSERT INTO number_sequences"
		 " (office, year, direction, last_value) VALUES (?, ?, ?, ?)"
		 " ON CONFLICT (office, year, direction)"
		 " DO UPDATE SET last_value = number_sequences.last_value + excluded.last_value"
		 " RETURNING last_value),"
		 " nosync AS (SELECT set_config('synchronous_commit', 'off', true))"
		 " INSERT INTO number_spares (office, year, direction, value)"
		 " SELECT CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), v"
		 " FROM r, nosync, generate_series(r.last_value - ? + 1, r.last_value) v");

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

static const char *direction_name(bool import)
{
	return import ? "import" : "export";
}

struct spares_key {
	const char *office;
	int64_t year;
	const char *direction;
};

/* In the aside transaction: the next block of the key's numbers, spare. */
static kerr put_aside(struct store_conn *c, void *arg)
{
	const struct spares_key *k = arg;
	return store_exec(c, &Q_SPARE_BLOCK, "sisisisi", k->office, k->year, k->direction,
			  (int64_t)SPARES_BLOCK, k->office, k->year, k->direction,
			  (int64_t)SPARES_BLOCK);
}

/* The lowest spare (PostgreSQL): within the window unless that was just
 * looked at (a take sent ahead found none), then anywhere, then after a
 * new block put aside. */
static kerr take_spare(struct store_conn *c, struct spares_key *k, bool window_seen,
		       int64_t *out)
{
	kerr e = KERR_NOT_FOUND;
	/* each block put aside is taken by the others at once only when more
	 * lodgements than a block wait at the same office */
	for (int n = 0; n < SPARES_TRIES && e == KERR_NOT_FOUND; n++) {
		if (!window_seen)
			e = store_first(c, &Q_SPARE_TAKE, read_int, out, "sissis", k->office,
					k->year, k->direction, k->office, k->year, k->direction);
		window_seen = false;
		if (e == KERR_NOT_FOUND)
			e = store_first(c, &Q_SPARE_TAKE_ANY, read_int, out, "sis", k->office,
					k->year, k->direction);
		if (e == KERR_NOT_FOUND && (e = store_aside(c, put_aside, k)) == KERR_OK)
			e = KERR_NOT_FOUND;
	}
	if (e == KERR_NOT_FOUND) {
		log_error("store: no spare declaration number for %s %lld %s after %d blocks",
			  k->office, (long long)k->year, k->direction, SPARES_TRIES);
		e = KERR_STORE;
	}
	return e;
}

kerr repo_sequence_next(struct store_conn *c, const char *office, int year, bool import,
			int64_t *out)
{
	struct spares_key k = {office, year, direction_name(import)};
	if (store_row_locks(c))
		return take_spare(c, &k, false, out);
	kerr e = store_first(c, &Q_SEQ_NEXT, read_int, out, "sis", office, k.year, k.direction);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

void repo_sequence_send(struct store_conn *c, const char *office, int year, bool import,
			struct sequence_ahead *a)
{
	memset(a, 0, sizeof *a);
	str_copy(a->office, office, sizeof a->office);
	a->year = year;
	a->import = import;
	/* one writer at a time (SQLite) takes the number from the sequence
	 * when it is needed: nothing to send */
	if (!store_row_locks(c))
		return;
	store_ahead_send(&a->spare, c, &Q_SPARE_TAKE, "sissis", a->office, (int64_t)year,
			 direction_name(import), a->office, (int64_t)year, direction_name(import));
	a->sent = true;
}

struct spare_taken {
	int64_t value;
	bool found;
};

static kerr read_spare(void *arg, struct store_stmt *st)
{
	struct spare_taken *t = arg;
	t->value = stmt_int(st, 0);
	t->found = true;
	return KERR_OK;
}

/* The spare number the read sent ahead took, if it found one. */
static kerr spare_of(struct sequence_ahead *a, struct spare_taken *t)
{
	*t = (struct spare_taken){0};
	if (!a->sent)
		return KERR_OK;
	a->sent = false;
	return store_ahead_each(&a->spare, read_spare, t);
}

kerr repo_sequence_take(struct store_conn *c, struct sequence_ahead *a, int64_t *out)
{
	bool window_seen = a->sent; /* by the take sent ahead */
	struct spare_taken t;
	kerr e = spare_of(a, &t);
	if (!e && t.found)
		*out = t.value;
	if (e || t.found)
		return e;
	if (!store_row_locks(c)) /* never sent: the sequence gives it */
		return repo_sequence_next(c, a->office, a->year, a->import, out);
	struct spares_key k = {a->office, a->year, direction_name(a->import)};
	return take_spare(c, &k, window_seen, out);
}

kerr repo_sequence_give_back(struct store_conn *c, struct sequence_ahead *a)
{
	struct spare_taken t;
	kerr e = spare_of(a, &t);
	if (!e && t.found)
		e = store_exec_later(c, &Q_SPARE_GIVE_BACK, "sisi", a->office, (int64_t)a->year,
				     direction_name(a->import), t.value);
	return e;
}

void repo_sequence_drop(struct sequence_ahead *a)
{
	store_ahead_drop(&a->spare);
	a->sent = false;
}

/* --- declarations ---
 * Their times are kept as microseconds (migration 0020) and shown as
 * RFC 3339 text. */

Q(Q_DECL_INSERT,
  "INSERT INTO declarations (number, org_id, lodged_by, status, direction,"
  " declaration_office, port_office, bill_of_lading, version, body, lodged_at,"
  " updated_at, consignee_uscc, port) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
Q(Q_DECL_GET,
  "SELECT number, org_id, lodged_by, status, direction, declaration_office,"
  " port_office, bill_of_lading, version, body, lodged_at, updated_at,"
  " released_at, consignee_uscc, port FROM declarations WHERE number = ?");
Q(Q_DECL_UPDATE,
  "UPDATE declarations SET status = ?, updated_at = ?,"
  " released_at = COALESCE(?, released_at) WHERE number = ?");
Q(Q_DECL_REPLACE,
  "UPDATE declarations SET version = ?, body = ?, bill_of_lading = ?, consignee_uscc = ?,"
  " port = ?, updated_at = ? WHERE number = ?");
Q(Q_DECL_LOCK, "SELECT number FROM declarations WHERE number = ? FOR UPDATE");

Q(Q_DECL_STATUS, "SELECT status FROM declarations WHERE number = ?");

/* The risk engine's two questions have tables of their own (migration
 * 0025), written here with the declarations so that they cannot drift
 * apart: the consignees that have imported, each with one of its import
 * declarations, and the declarations withdrawn, by consignee and bill. */
Q(Q_IMPORTER_ADD, "INSERT INTO importers (consignee_uscc, declaration_number)"
		  " VALUES (?, CAST(? AS BIGINT)) ON CONFLICT (consignee_uscc) DO NOTHING");
Q(Q_IMPORTER_LOCK, "SELECT 1 FROM importers WHERE consignee_uscc = ? FOR UPDATE");
/* the consignee's import kept, if it is `number`, becomes another of its
 * imports, or -1 where there is none (then deleted) */
Q(Q_IMPORTER_MOVE,
  "UPDATE importers SET declaration_number = COALESCE((SELECT CAST(number AS BIGINT)"
  " FROM declarations WHERE consignee_uscc = ? AND direction = 'import' LIMIT 1), -1)"
  " WHERE consignee_uscc = ? AND declaration_number = CAST(? AS BIGINT)");
Q(Q_IMPORTER_GONE, "DELETE FROM importers WHERE consignee_uscc = ? AND declaration_number = -1");
Q(Q_WITHDRAWAL_KEEP, "INSERT INTO withdrawals (consignee_uscc, bill_of_lading,"
		     " declaration_number) VALUES (?, ?, CAST(? AS BIGINT))");

void repo_decl_body_ahead(const char *body)
{
	packed_ahead(PACKED_DECLARATION, body);
}

kerr repo_decl_insert(struct store_conn *c, const struct decl_row *d)
{
	char *body = NULL;
	int64_t lodged, updated;
	kerr e = repo_time_us(d->lodged_at, &lodged);
	if (!e)
		e = repo_time_us(d->updated_at, &updated);
	if (!e)
		e = packed_pack(PACKED_DECLARATION, d->body, &body);
	if (!e)
		e = store_exec_later(c, &Q_DECL_INSERT, "siisssssisiiss", d->number,
				     d->org_id, d->lodged_by, declaration_status_name(d->status),
				     direction_name(d->import), d->declaration_office,
				     d->port_office, d->bill_of_lading, d->version, body, lodged,
				     updated, d->consignee_uscc, d->port);
	if (!e && d->import)
		e = store_exec_later(c, &Q_IMPORTER_ADD, "ss", d->consignee_uscc, d->number);
	free(body);
	return e;
}

/* A body as stored (packed.h) into *out; a value that does not unpack is
 * a broken row (KERR_STORE). */
static kerr unpacked(const char *stored, char **out)
{
	kerr e = packed_unpack(stored, out);
	return e == KERR_INVALID ? KERR_STORE : e;
}

kerr repo_decl_lock(struct store_conn *c, const char *number)
{
	if (!store_row_locks(c))
		return KERR_OK;
	return store_first(c, &Q_DECL_LOCK, NULL, NULL, "s", number);
}

static kerr read_status(void *arg, struct store_stmt *st)
{
	return declaration_status_parse(stmt_text(st, 0), arg) ? KERR_OK : KERR_STORE;
}

kerr repo_decl_status(struct store_conn *c, const char *number,
		      enum declaration_status *out)
{
	return store_first(c, &Q_DECL_STATUS, read_status, out, "s", number);
}

static kerr read_decl(void *arg, struct store_stmt *st)
{
	struct decl_row *d = arg;
	col_copy(st, 0, d->number, sizeof d->number);
	d->org_id = stmt_int(st, 1);
	d->lodged_by = stmt_int(st, 2);
	if (!declaration_status_parse(stmt_text(st, 3), &d->status))
		return KERR_STORE;
	d->import = strcmp(stmt_text(st, 4), "import") == 0;
	col_copy(st, 5, d->declaration_office, sizeof d->declaration_office);
	col_copy(st, 6, d->port_office, sizeof d->port_office);
	col_copy(st, 7, d->bill_of_lading, sizeof d->bill_of_lading);
	d->version = stmt_int(st, 8);
	kerr e = unpacked(stmt_text(st, 9), &d->body);
	col_time(st, 10, d->lodged_at);
	col_time(st, 11, d->updated_at);
	col_time(st, 12, d->released_at);
	col_copy(st, 13, d->consignee_uscc, sizeof d->consignee_uscc);
	col_copy(st, 14, d->port, sizeof d->port);
	return e;
}

kerr repo_decl_get(struct store_conn *c, const char *number, struct decl_row *d)
{
	memset(d, 0, sizeof *d);
	kerr e = store_first(c, &Q_DECL_GET, read_decl, d, "s", number);
	if (e)
		decl_row_free(d);
	return e;
}

/* Q_DECL_GET's row (read_decl), then what Q_CREDIT_GET and Q_CLAIM_GET
 * would read for it: the consignee's credit class and the call its
 * consignment claims. Each is looked up by a subquery, so that whatever
 * the plan, a run reads by index what its rows name: joined instead,
 * PostgreSQL's generic plan read the whole of declaration_transport into
 * a hash for every run. */
Q(Q_DECL_MEASURED_RANGE,
  "SELECT d.number, d.org_id, d.lodged_by, d.status, d.direction, d.declaration_office,"
  " d.port_office, d.bill_of_lading, d.version, d.body, d.lodged_at, d.updated_at,"
  " d.released_at, d.consignee_uscc, d.port,"
  " (SELECT o.credit_class FROM organisations o WHERE o.uscc = d.consignee_uscc),"
  " (SELECT t.call_key FROM declaration_transport t"
  " WHERE t.declaration_number = CAST(d.number AS BIGINT))"
  " FROM declarations d WHERE d.number BETWEEN ? AND ? ORDER BY d.number");
/* What Q_CALL_GET and Q_MANIFEST_FIND would read for each call that the
 * declarations of the same range claim, once a call: the declarations of
 * a run are mostly on a few calls, and a call's milestones looked up for
 * each of them took three in four of the pages the range read (bench/README,
 * issue 13, twenty-first round). The manifest is found by the claim's call
 * key, as Q_MANIFEST_FIND finds it, whether or not the call's row is there. */
Q(Q_CALLS_MEASURED_RANGE,
  "SELECT k.call_key,"
  " (SELECT c.arrived_at FROM transport_calls c WHERE c.call_key = k.call_key),"
  " (SELECT c.departed_at FROM transport_calls c WHERE c.call_key = k.call_key),"
  " (SELECT m.lodged_at FROM manifests m WHERE m.call_key = k.call_key AND m.kind = ?)"
  " FROM (SELECT DISTINCT t.call_key FROM declaration_transport t"
  " WHERE t.declaration_number BETWEEN CAST(? AS BIGINT) AND CAST(? AS BIGINT)) k");

/* An array that grows as rows are read: n items used of cap. */
struct grown {
	void *items;
	size_t n, cap;
};

/* A zeroed item after the n used (`size` bytes each), the array doubled,
 * from `first` items, when full; NULL (the array untouched) when there is
 * no memory. The caller counts it in n once it holds it. */
static void *grown_next(struct grown *g, size_t size, size_t first)
{
	if (g->n == g->cap) {
		size_t more = g->cap ? 2 * g->cap : first;
		void *items = realloc(g->items, more * size);
		if (!items)
			return NULL;
		g->items = items;
		g->cap = more;
	}
	void *item = (char *)g->items + g->n * size;
	memset(item, 0, size);
	return item;
}

/* A range's row as read, with its call's key ("" for none), until the
 * calls' milestones are read. */
struct measured_row {
	struct decl_measured m;
	char call_key[CALL_KEY_MAX];
};

/* Keep a row of Q_DECL_MEASURED_RANGE (arg: struct grown of struct
 * measured_row). */
static kerr keep_measured(void *arg, struct store_stmt *st)
{
	struct grown *rows = arg;
	struct measured_row *r = grown_next(rows, sizeof *r, 64);
	if (!r)
		return KERR_NOMEM;
	kerr e = read_decl(&r->m.row, st);
	if (e) {
		decl_row_free(&r->m.row);
		return e;
	}
	col_copy(st, 15, r->m.consignee_credit, sizeof r->m.consignee_credit);
	col_copy(st, 16, r->call_key, sizeof r->call_key);
	rows->n++;
	return KERR_OK;
}

/* A call of the range as Q_CALLS_MEASURED_RANGE reads it. */
struct measured_call {
	char key[CALL_KEY_MAX];
	char arrived_at[TIME_TEXT_SIZE];
	char departed_at[TIME_TEXT_SIZE];
	bool has_manifest;
	char manifest_lodged_at[TIME_TEXT_SIZE];
};

/* Keep a row of Q_CALLS_MEASURED_RANGE (arg: struct grown of struct
 * measured_call). */
static kerr keep_call(void *arg, struct store_stmt *st)
{
	struct grown *calls = arg;
	struct measured_call *c = grown_next(calls, sizeof *c, 8);
	if (!c)
		return KERR_NOMEM;
	calls->n++;
	col_copy(st, 0, c->key, sizeof c->key);
	col_copy(st, 1, c->arrived_at, sizeof c->arrived_at);
	col_copy(st, 2, c->departed_at, sizeof c->departed_at);
	c->has_manifest = !stmt_is_null(st, 3);
	col_copy(st, 3, c->manifest_lodged_at, sizeof c->manifest_lodged_at);
	return KERR_OK;
}

static int by_call_key(const void *a, const void *b)
{
	return strcmp(a, b); /* the key is a struct measured_call's first member */
}

/* Each row given its call's milestones: the calls sorted by key, each row's
 * found by a binary search (a range of an airport's office may hold as
 * many calls as declarations). */
static void give_calls(struct grown *rows, struct grown *calls)
{
	struct measured_call *k = calls->items;
	if (calls->n > 1)
		qsort(k, calls->n, sizeof *k, by_call_key);
	for (size_t i = 0; calls->n && i < rows->n; i++) {
		struct measured_row *r = (struct measured_row *)rows->items + i;
		const struct measured_call *c =
			r->call_key[0] ? bsearch(r->call_key, k, calls->n, sizeof *k, by_call_key)
				       : NULL;
		if (!c)
			continue;
		struct decl_measured *m = &r->m;
		str_copy(m->call_arrived_at, c->arrived_at, sizeof m->call_arrived_at);
		str_copy(m->call_departed_at, c->departed_at, sizeof m->call_departed_at);
		m->has_manifest = c->has_manifest;
		str_copy(m->manifest_lodged_at, c->manifest_lodged_at, sizeof m->manifest_lodged_at);
	}
}

kerr repo_decl_measured_range(struct store_conn *c, const char *first, const char *last,
			      const char *manifest_kind, decl_measured_fn fn, void *arg)
{
	/* the calls' read goes ahead, and comes back with the rows' (one
	 * round trip for both, on PostgreSQL in a transaction) */
	struct store_ahead ahead;
	store_ahead_send(&ahead, c, &Q_CALLS_MEASURED_RANGE, "sss", manifest_kind, first, last);
	struct grown rows = {0}, calls = {0};
	kerr e = store_each(c, &Q_DECL_MEASURED_RANGE, keep_measured, &rows, "ss", first, last);
	if (!e)
		e = store_ahead_each(&ahead, keep_call, &calls);
	else
		store_ahead_drop(&ahead);
	if (!e)
		give_calls(&rows, &calls);
	struct measured_row *r = rows.items;
	for (size_t i = 0; !e && i < rows.n; i++)
		e = fn(arg, &r[i].m);
	for (size_t i = 0; i < rows.n; i++)
		decl_row_free(&r[i].m.row);
	free(rows.items);
	free(calls.items);
	return e;
}

void decl_row_free(struct decl_row *d)
{
	free(d->body);
	d->body = NULL;
}

kerr repo_decl_update(struct store_conn *c, const char *number,
		      enum declaration_status status, const char *now, const char *released_at)
{
	if (status == DECL_WITHDRAWN)
		return KERR_INTERNAL; /* repo_decl_withdraw keeps the withdrawal */
	int64_t updated, released;
	bool is_released = released_at && *released_at;
	kerr e = repo_time_us(now, &updated);
	if (!e && is_released)
		e = repo_time_us(released_at, &released);
	return e ? e
		 : store_exec_later(c, &Q_DECL_UPDATE, "siIs", declaration_status_name(status),
				    updated, is_released ? &released : NULL, number);
}

kerr repo_decl_withdraw(struct store_conn *c, const struct decl_row *d, const char *now)
{
	int64_t updated;
	kerr e = repo_time_us(now, &updated);
	if (!e)
		e = store_exec_later(c, &Q_DECL_UPDATE, "siIs",
				     declaration_status_name(DECL_WITHDRAWN), updated, NULL,
				     d->number);
	return e ? e
		 : store_exec_later(c, &Q_WITHDRAWAL_KEEP, "sss", d->consignee_uscc,
				    d->bill_of_lading, d->number);
}

kerr repo_decl_replace_body(struct store_conn *c, const struct decl_row *d,
			    const char *consignee_before)
{
	char *body = NULL;
	int64_t updated;
	kerr e = repo_time_us(d->updated_at, &updated);
	if (!e)
		e = packed_pack(PACKED_DECLARATION, d->body, &body);
	if (!e)
		e = store_exec(c, &Q_DECL_REPLACE, "issssis", d->version, body,
			       d->bill_of_lading, d->consignee_uscc, d->port, updated,
			       d->number);
	free(body);
	if (e || !d->import || !strcmp(consignee_before, d->consignee_uscc))
		return e;
	/* an import moved to another consignee: the one it leaves keeps
	 * another of its imports, if it has one, and the one it joins has
	 * imported. The row is locked first where writers run at once: two
	 * corrections that move imports away from one consignee take turns,
	 * and the second reads what the first left (one statement, one
	 * snapshot, after the lock). */
	if (store_row_locks(c))
		e = store_first(c, &Q_IMPORTER_LOCK, NULL, NULL, "s", consignee_before);
	if (e == KERR_NOT_FOUND)
		e = KERR_OK; /* no row: a server before 0025 lodged its imports */
	if (!e)
		e = store_exec_later(c, &Q_IMPORTER_MOVE, "sss", consignee_before,
				     consignee_before, d->number);
	if (!e)
		e = store_exec_later(c, &Q_IMPORTER_GONE, "s", consignee_before);
	return e ? e
		 : store_exec_later(c, &Q_IMPORTER_ADD, "ss", d->consignee_uscc, d->number);
}

Q(Q_VERSION_KEEP, "INSERT INTO declaration_versions (declaration_number, version,"
		  " body, superseded_at) VALUES (?, ?, ?, ?)");
Q(Q_VERSION_BODY, "SELECT body FROM declaration_versions WHERE declaration_number = ?"
		  " AND version = ? UNION ALL SELECT body FROM declarations"
		  " WHERE number = ? AND version = ?");

kerr repo_decl_version_keep(struct store_conn *c, const char *number, int64_t version,
			    const char *body, const char *now)
{
	char *packed;
	kerr e = packed_pack(PACKED_DECLARATION, body, &packed);
	if (!e)
		e = store_exec(c, &Q_VERSION_KEEP, "siss", number, version, packed, now);
	free(packed);
	return e;
}

static kerr read_body(void *arg, struct store_stmt *st)
{
	return unpacked(stmt_text(st, 0), arg);
}

kerr repo_decl_version_body(struct store_conn *c, const char *number, int64_t version,
			    char **body)
{
	*body = NULL;
	return store_first(c, &Q_VERSION_BODY, read_body, body, "sisi", number, version,
			   number, version);
}

/* One query serves every filter: a NULL parameter switches its test off. */
Q(Q_DECL_LIST,
  "SELECT d.number, d.status, d.direction, d.declaration_office, d.port_office,"
  " d.bill_of_lading, d.version, d.lodged_at, d.updated_at, d.released_at,"
  " o.uscc, d.consignee_uscc, d.port FROM declarations d JOIN organisations o ON o.id = d.org_id"
  " WHERE (CAST(? AS BIGINT) = 0 OR d.org_id = ?"
  " OR (CAST(? AS TEXT) IS NOT NULL AND d.consignee_uscc = ?))"
  " AND (CAST(? AS TEXT) IS NULL OR d.port = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR d.status = ?)"
  " AND (CAST(? AS TEXT) IS NULL OR d.number > ?)"
  " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE"
  " t.declaration_number = CAST(d.number AS BIGINT) AND t.agency = ?))"
  " ORDER BY d.number LIMIT ?");

struct summary_visit {
	decl_summary_fn fn;
	void *arg;
};

static kerr visit_summary(void *arg, struct store_stmt *st)
{
	struct summary_visit *v = arg;
	char lodged[KTIME_TEXT_MAX], updated[KTIME_TEXT_MAX], released[KTIME_TEXT_MAX];
	col_time(st, 7, lodged);
	col_time(st, 8, updated);
	col_time(st, 9, released);
	struct decl_summary d = {
		.number = stmt_text(st, 0),
		.import = strcmp(stmt_text(st, 2), "import") == 0,
		.declaration_office = stmt_text(st, 3),
		.port_office = stmt_text(st, 4),
		.bill_of_lading = stmt_text(st, 5),
		.version = stmt_int(st, 6),
		.lodged_at = lodged,
		.updated_at = updated,
		.released_at = *released ? released : NULL,
		.org_uscc = stmt_text(st, 10),
		.consignee_uscc = stmt_text(st, 11),
		.port = stmt_text(st, 12),
	};
	if (!declaration_status_parse(stmt_text(st, 1), &d.status))
		return KERR_STORE;
	return v->fn(v->arg, &d);
}

kerr repo_decl_list(struct store_conn *c, const struct decl_filter *f, decl_summary_fn fn,
		    void *arg)
{
	struct summary_visit v = {fn, arg};
	return store_each(c, &Q_DECL_LIST, visit_summary, &v, "iissssssssssi", f->org_id,
			  f->org_id, f->consignee_uscc, f->consignee_uscc, f->port, f->port,
			  f->status, f->status, f->after, f->after, f->agency, f->agency,
			  (int64_t)f->limit);
}

/* --- tasks ---
 * Kept smaller than shown (migration 0016): the declaration's number as
 * its value, the times as microseconds. */

/* A declaration's new tasks go in statements of up to 8 rows (a task an
 * agency: the reference data lists four, and a commodity line names one
 * or two, so one statement). */
#define TASK_INSERT                                                             \
	"INSERT INTO tasks (declaration_number, agency, status, basis_digest,"  \
	" opened_at, decided_at, decided_by, decision, reason) VALUES "
#define TASK_ROW "(CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?)"
QROWS8(Q_TASKS_INSERT, TASK_INSERT, TASK_ROW, "");
Q(Q_TASK_LIST, "SELECT agency, status, basis_digest, opened_at, decided_at,"
	       " decided_by, decision, reason FROM tasks"
	       " WHERE declaration_number = CAST(? AS BIGINT) ORDER BY agency");
Q(Q_TASK_SET, "UPDATE tasks SET status = ?, basis_digest = ?, opened_at = ?,"
	      " decided_at = ?, decided_by = ?, decision = ?, reason = ?"
	      " WHERE declaration_number = CAST(? AS BIGINT) AND agency = ?");

/* The times of a task as stored: its opening, and its decision's when
 * decided (else *decided is left alone and NULL is what is bound). */
static kerr task_times(const struct task_row *t, int64_t *opened, int64_t *decided)
{
	kerr e = repo_time_us(t->opened_at, opened);
	if (!e && t->decided)
		e = repo_time_us(t->decided_at, decided);
	return e;
}

struct tasks_out {
	const char *number;
	const struct task_row *t;
};

static kerr add_task(struct store_rows *rows, void *arg, size_t i)
{
	const struct tasks_out *o = arg;
	const struct task_row *t = &o->t[i];
	int64_t opened, decided;
	kerr e = task_times(t, &opened, &decided);
	if (!e)
		store_rows_add(rows, "ssssiIsss", o->number, t->agency,
			       task_status_name(t->status), t->basis_digest, opened,
			       t->decided ? &decided : NULL, t->decided ? t->decided_by : NULL,
			       t->decided ? decision_name(t->decision) : NULL, or_null(t->reason));
	return e;
}

kerr repo_tasks_insert(struct store_conn *c, const char *number, const struct task_row *t,
		       size_t n)
{
	struct tasks_out o = {number, t};
	return store_rows_insert(c, Q_TASKS_INSERT, STATEMENTS_OF(Q_TASKS_INSERT), n, add_task,
				 &o);
}

kerr repo_task_insert(struct store_conn *c, const char *number, const struct task_row *t)
{
	return repo_tasks_insert(c, number, t, 1);
}

struct task_fill {
	struct task_row *out;
	size_t n;
};

static kerr read_task(void *arg, struct store_stmt *st)
{
	struct task_fill *f = arg;
	if (f->n >= TASKS_MAX)
		return KERR_INTERNAL;
	struct task_row *t = &f->out[f->n];
	memset(t, 0, sizeof *t);
	col_copy(st, 0, t->agency, sizeof t->agency);
	if (!task_status_parse(stmt_text(st, 1), &t->status))
		return KERR_STORE;
	col_copy(st, 2, t->basis_digest, sizeof t->basis_digest);
	col_time(st, 3, t->opened_at);
	t->decided = !stmt_is_null(st, 6);
	if (t->decided && !decision_parse(stmt_text(st, 6), &t->decision))
		return KERR_STORE;
	col_time(st, 4, t->decided_at);
	col_copy(st, 5, t->decided_by, sizeof t->decided_by);
	col_copy(st, 7, t->reason, sizeof t->reason);
	f->n++;
	return KERR_OK;
}

kerr repo_task_list(struct store_conn *c, const char *number, struct task_row *out,
		    size_t *n)
{
	struct task_fill f = {out, 0};
	kerr e = store_each(c, &Q_TASK_LIST, read_task, &f, "s", number);
	*n = f.n;
	return e;
}

kerr repo_task_set(struct store_conn *c, const char *number, const struct task_row *t)
{
	int64_t opened, decided;
	kerr e = task_times(t, &opened, &decided);
	return e ? e
		 : store_exec_later(c, &Q_TASK_SET, "ssiIsssss", task_status_name(t->status),
			            t->basis_digest, opened, t->decided ? &decided : NULL,
			            t->decided ? t->decided_by : NULL,
			            t->decided ? decision_name(t->decision) : NULL,
			            or_null(t->reason), number, t->agency);
}

Q(Q_WORKLIST,
  "SELECT " NUMBER_TEXT("t.declaration_number") ", t.agency, t.status, t.opened_at,"
  " t.decided_at, d.status, d.direction, d.port_office, d.bill_of_lading, d.lodged_at"
  " FROM tasks t JOIN declarations d ON d.number = " NUMBER_TEXT("t.declaration_number")
  " WHERE t.agency = ? AND t.status = ? ORDER BY t.opened_at, t.declaration_number"
  " LIMIT ?");

struct worklist_visit {
	worklist_row_fn fn;
	void *arg;
};

static kerr visit_worklist(void *arg, struct store_stmt *st)
{
	struct worklist_visit *v = arg;
	char opened[KTIME_TEXT_MAX], decided[KTIME_TEXT_MAX], lodged[KTIME_TEXT_MAX];
	col_time(st, 3, opened);
	col_time(st, 4, decided);
	col_time(st, 9, lodged);
	struct worklist_row w = {
		.number = stmt_text(st, 0),
		.agency = stmt_text(st, 1),
		.opened_at = opened,
		.decided_at = *decided ? decided : NULL,
		.import = strcmp(stmt_text(st, 6), "import") == 0,
		.port_office = stmt_text(st, 7),
		.bill_of_lading = stmt_text(st, 8),
		.lodged_at = lodged,
	};
	if (!task_status_parse(stmt_text(st, 2), &w.status) ||
	    !declaration_status_parse(stmt_text(st, 5), &w.declaration_status))
		return KERR_STORE;
	return v->fn(v->arg, &w);
}

kerr repo_worklist(struct store_conn *c, const char *agency, enum task_status status,
		   int limit, worklist_row_fn fn, void *arg)
{
	struct worklist_visit v = {fn, arg};
	return store_each(c, &Q_WORKLIST, visit_worklist, &v, "ssi", agency,
			  task_status_name(status), (int64_t)limit);
}

/* --- idempotency --- */

/* Kept smaller than shown (migration 0017): created_at as microseconds,
 * the number as its value. */
Q(Q_IDEM_GET, "SELECT request_hash, status, response, " NUMBER_TEXT("number") ", version"
	      " FROM idempotency_keys WHERE org_id = ? AND key = ?");
Q(Q_IDEM_CLAIM, "INSERT INTO idempotency_keys (org_id, key, request_hash, status,"
		" response, created_at) VALUES (?, ?, '', 0, '', ?)"
		" ON CONFLICT (org_id, key) DO NOTHING RETURNING org_id");
Q(Q_IDEM_FINISH, "UPDATE idempotency_keys SET request_hash = ?, status = ?,"
		 " response = ?, number = CAST(? AS BIGINT), version = ?"
		 " WHERE org_id = ? AND key = ?");

static kerr read_idem(void *arg, struct store_stmt *st)
{
	struct idem_row *o = arg;
	str_copy(o->hash, stmt_text(st, 0), HASH_HEX_SIZE);
	o->status = (int)stmt_int(st, 1);
	if (!stmt_is_null(st, 3)) {
		col_copy(st, 3, o->number, sizeof o->number);
		o->version = stmt_int(st, 4);
	}
	kerr e = packed_unpack(stmt_text(st, 2), &o->response);
	return e == KERR_INVALID ? KERR_STORE : e;
}

kerr repo_idem_get(struct store_conn *c, int64_t org_id, const char *key,
		   struct idem_row *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_IDEM_GET, read_idem, out, "is", org_id, key);
}

kerr repo_idem_claim(struct store_conn *c, int64_t org_id, const char *key,
		     const char *now)
{
	int64_t created;
	kerr e = repo_time_us(now, &created);
	if (!e)
		e = store_first(c, &Q_IDEM_CLAIM, NULL, NULL, "isi", org_id, key, created);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

kerr repo_idem_finish(struct store_conn *c, int64_t org_id, const char *key,
		      const struct idem_row *r)
{
	if (*r->number && !declaration_number_valid(r->number)) {
		log_error("idempotency: not a declaration number: %.40s", r->number);
		return KERR_INTERNAL;
	}
	char *response;
	kerr e = packed_pack(PACKED_REPLY, r->response, &response);
	if (!e)
		e = store_exec_later(c, &Q_IDEM_FINISH, "sissiis", r->hash, (int64_t)r->status,
			             response, *r->number ? r->number : NULL, r->version, org_id,
			             key);
	free(response);
	return e;
}

/* --- release notices --- */

Q(Q_NOTICE_PUT, "INSERT INTO release_notices (declaration_number, notice,"
		" signature, key_id, issued_at) VALUES (?, ?, ?, ?, ?)");
Q(Q_NOTICE_GET, "SELECT notice, signature, key_id, issued_at FROM"
		" release_notices WHERE declaration_number = ?");

kerr repo_notice_put(struct store_conn *c, const char *number, const char *notice,
		     const char *signature, const char *key_id, const char *now)
{
	return store_exec(c, &Q_NOTICE_PUT, "sssss", number, notice, signature,
			  key_id, now);
}

static kerr read_notice(void *arg, struct store_stmt *st)
{
	struct notice_row *n = arg;
	n->notice = strdup(stmt_text(st, 0));
	col_copy(st, 1, n->signature, sizeof n->signature);
	col_copy(st, 2, n->key_id, sizeof n->key_id);
	col_copy(st, 3, n->issued_at, sizeof n->issued_at);
	return n->notice ? KERR_OK : KERR_NOMEM;
}

kerr repo_notice_get(struct store_conn *c, const char *number, struct notice_row *out)
{
	memset(out, 0, sizeof *out);
	kerr e = store_first(c, &Q_NOTICE_GET, read_notice, out, "s", number);
	if (e) {
		free(out->notice);
		out->notice = NULL;
	}
	return e;
}

/* --- electronic mandates --- */

Q(Q_MANDATE_CREATE, "INSERT INTO mandates (consignee_org_id, agent_org_id, scope,"
		    " valid_from, valid_to, created_by, created_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
#define MANDATE_COLS "m.id, c.uscc, a.uscc, m.scope, m.valid_from, m.valid_to," \
		     " m.created_by, m.created_at, m.revoked_at, c.name, a.name"
#define MANDATE_FROM " FROM mandates m JOIN organisations c ON c.id = m.consignee_org_id" \
		     " JOIN organisations a ON a.id = m.agent_org_id"
Q(Q_MANDATE_LIST, "SELECT " MANDATE_COLS MANDATE_FROM
		  " WHERE m.consignee_org_id = ? OR m.agent_org_id = ? ORDER BY m.id DESC");
Q(Q_MANDATE_GET, "SELECT " MANDATE_COLS MANDATE_FROM " WHERE m.id = ?");
Q(Q_MANDATE_REVOKE, "UPDATE mandates SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
Q(Q_MANDATE_IN_FORCE, "SELECT id FROM mandates WHERE consignee_org_id = ? AND agent_org_id = ?"
		      " AND revoked_at IS NULL AND valid_from <= ? AND valid_to > ?"
		      " AND (scope = 'both' OR scope = ?) LIMIT 1");

kerr repo_mandate_create(struct store_conn *c, int64_t consignee_org_id, int64_t agent_org_id,
			 const char *scope, const char *valid_from, const char *valid_to,
			 const char *by, const char *now, int64_t *id)
{
	kerr e = store_first(c, &Q_MANDATE_CREATE, read_int, id, "iisssss", consignee_org_id,
			     agent_org_id, scope, valid_from, valid_to, by, now);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

static void mandate_from(struct store_stmt *st, struct mandate_row *m)
{
	memset(m, 0, sizeof *m);
	m->id = stmt_int(st, 0);
	col_copy(st, 1, m->consignee_uscc, sizeof m->consignee_uscc);
	col_copy(st, 2, m->agent_uscc, sizeof m->agent_uscc);
	col_copy(st, 3, m->scope, sizeof m->scope);
	col_copy(st, 4, m->valid_from, sizeof m->valid_from);
	col_copy(st, 5, m->valid_to, sizeof m->valid_to);
	col_copy(st, 6, m->created_by, sizeof m->created_by);
	col_copy(st, 7, m->created_at, sizeof m->created_at);
	col_copy(st, 8, m->revoked_at, sizeof m->revoked_at);
	col_copy(st, 9, m->consignee_name, sizeof m->consignee_name);
	col_copy(st, 10, m->agent_name, sizeof m->agent_name);
}

static kerr read_mandate(void *arg, struct store_stmt *st)
{
	mandate_from(st, arg);
	return KERR_OK;
}

struct mandate_visit {
	mandate_fn fn;
	void *arg;
};

static kerr visit_mandate(void *arg, struct store_stmt *st)
{
	struct mandate_visit *v = arg;
	struct mandate_row m;
	mandate_from(st, &m);
	return v->fn(v->arg, &m);
}

kerr repo_mandate_list(struct store_conn *c, int64_t org_id, mandate_fn fn, void *arg)
{
	struct mandate_visit v = {fn, arg};
	return store_each(c, &Q_MANDATE_LIST, visit_mandate, &v, "ii", org_id, org_id);
}

kerr repo_mandate_get(struct store_conn *c, int64_t id, struct mandate_row *out)
{
	return store_first(c, &Q_MANDATE_GET, read_mandate, out, "i", id);
}

kerr repo_mandate_revoke(struct store_conn *c, int64_t id, const char *now)
{
	return store_exec(c, &Q_MANDATE_REVOKE, "si", now, id);
}

kerr repo_mandate_in_force(struct store_conn *c, int64_t consignee_org_id, int64_t agent_org_id,
			   bool import, const char *at)
{
	return store_first(c, &Q_MANDATE_IN_FORCE, NULL, NULL, "iisss", consignee_org_id,
			   agent_org_id, at, at, direction_name(import));
}
