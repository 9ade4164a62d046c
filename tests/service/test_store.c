/*
 * test_store.c - the seam between the services and the store, on a real
 * store (SQLite, or PostgreSQL with KOUAN_TEST_STORE): a statement whose
 * arguments do not match its parameters never runs; a list stopped
 * part-way is an error, never a short list; the reference snapshot is
 * rebuilt whole or not at all; a reader of the event feed is never shown
 * an event after a later one, though writers commit out of order; events
 * kept before migration 0013 keep their times, types, actors, ids and
 * order, and every event type has its code named in event_types; the
 * events a transaction writes for one declaration share a row on
 * PostgreSQL and read back as they were written, and a damaged row is a
 * storage failure;
 * declaration numbers stay gap-free, and on PostgreSQL neither a number
 * nor a claim on a call holds up another lodgement that needs neither;
 * a connection keeps more queries prepared than kouan has; rows given to
 * a statement of several fill it, or it does not run;
 * writes sent ahead run in order, lose their transaction when they fail,
 * and on PostgreSQL share round trips; an announcement is heard once its
 * transaction has committed, and never for one rolled back; SQLite's WAL
 * starts over under a steady load of writers and readers.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"
#include "store/repo.h"
#include "store/repo_cbec.h"
#include "store/repo_ingest.h"
#include "store/repo_money.h"
#include "store/repo_risk.h"
#include "store/repo_transport.h"

static const struct sql_query Q_TWO = {"SELECT ? || ?"};
static const struct sql_query Q_ORGS = {"SELECT uscc FROM organisations ORDER BY id"};

static struct store_conn *conn(struct test_env *env)
{
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	return c;
}

static kerr keep_text(void *arg, struct store_stmt *st)
{
	str_copy(arg, stmt_text(st, 0), 64);
	return KERR_OK;
}

/* Arguments are checked against the statement's '?' before it runs. */
static void arguments_match_parameters(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	char out[64] = "";
	assert_int_equal(store_first(c, &Q_TWO, keep_text, out, "ss", "kou", "an"), KERR_OK);
	assert_string_equal(out, "kouan");
	/* one argument short, one too many, an unknown kind: nothing runs */
	assert_null(store_query(c, &Q_TWO, "s", "kou"));
	assert_null(store_query(c, &Q_TWO, "sss", "a", "b", "c"));
	assert_null(store_query(c, &Q_TWO, "sx", "a", "b"));
	assert_int_equal(store_exec(c, &Q_TWO, "s", "kou"), KERR_STORE);
	assert_int_equal(store_first(c, &Q_TWO, keep_text, out, "", NULL), KERR_STORE);
	/* and the statement still works with the right ones */
	assert_int_equal(store_first(c, &Q_TWO, keep_text, out, "ss", "a", "b"), KERR_OK);
	assert_string_equal(out, "ab");
}

struct counter {
	int seen;
	int stop_at;
};

static kerr count_until(void *arg, struct store_stmt *st)
{
	(void)st;
	struct counter *c = arg;
	return ++c->seen == c->stop_at ? KERR_NOMEM : KERR_OK;
}

/* A reader stopped part-way returns the error, not the rows so far. */
static void lists_are_read_whole(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	struct counter all = {0, -1};
	assert_int_equal(store_each(c, &Q_ORGS, count_until, &all, ""), KERR_OK);
	assert_true(all.seen >= 10); /* the demo organisations */
	struct counter part = {0, 3};
	assert_int_equal(store_each(c, &Q_ORGS, count_until, &part, ""), KERR_NOMEM);
	assert_int_equal(part.seen, 3);
	/* no row: not found, for a single-row read */
	assert_int_equal(store_first(c, &Q_ORGS, NULL, NULL, ""), KERR_OK);
	static const struct sql_query none = {"SELECT 1 FROM organisations WHERE id < 0"};
	assert_int_equal(store_first(c, &none, NULL, NULL, ""), KERR_NOT_FOUND);
}

/* A stored entry the snapshot cannot take fails the whole reload; the
 * snapshot in use stays as it was. */
static void reference_loads_whole_or_not_at_all(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(repo_ref_put(c, "ports", "CNZZZ", "{\"code\":\"CNZZZ\",\"name_en\":\"Z\"}",
				      "2026-11-23T08:00:00Z", true),
			 KERR_OK);
	/* an entry whose data is not an object with a code */
	assert_int_equal(repo_ref_put(c, "ports", "CNBAD", "[1, 2, 3]", "2026-11-23T08:00:00Z",
				      true),
			 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	/* taken after the commit: on PostgreSQL the change listener reloads
	 * too (on connecting and on our notification), and every reload from
	 * now on meets the bad entry */
	struct refdata *before = services_refdata(&env->app.svc);
	size_t lists = before->nlists;
	assert_int_not_equal(services_reload_refdata(&env->app.svc, c), KERR_OK);
	/* not replaced by what the failed reload read: the good entry did not
	 * leak in. (Not "the same snapshot": on PostgreSQL the watcher reloads
	 * once when it first connects, and a reload that read the store before
	 * the bad entry was committed may rightly install an equal snapshot.) */
	struct refdata *after = services_refdata(&env->app.svc);
	if (!env->store->ops->watch)
		assert_ptr_equal(after, before); /* not replaced */
	assert_int_equal(after->nlists, lists);
	assert_false(refdata_has(after, "ports", "CNZZZ"));
	refdata_release(after);
	/* mended, it loads whole */
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(repo_ref_delete(c, "ports", "CNBAD"), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(services_reload_refdata(&env->app.svc, c), KERR_OK);
	after = services_refdata(&env->app.svc);
	assert_ptr_not_equal(after, before);
	assert_true(refdata_has(after, "ports", "CNZZZ"));
	refdata_release(after);
	refdata_release(before);
}

struct numbered {
	int n;
	bool in_order;
};

static kerr check_order(void *arg, const struct event_row *e)
{
	struct numbered *o = arg;
	char want[32];
	snprintf(want, sizeof want, "{\"n\":%d}", o->n++);
	o->in_order = o->in_order && !strcmp(e->data, want);
	return KERR_OK;
}

/* Events appended together (up to eight rows to a statement) keep their
 * order, on every backend. */
static void events_appended_together_keep_their_order(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	for (size_t n = 1; n <= 15; n++) {
		char number[32], data[15][32];
		snprintf(number, sizeof number, "5167202610000000%02zu", n);
		struct event_in in[15];
		for (size_t i = 0; i < n; i++) {
			snprintf(data[i], sizeof data[i], "{\"n\":%zu}", i);
			in[i] = (struct event_in){.number = number, .org_id = 1,
						  .type = EVENT_DECLARATION_LODGED, .actor = "test",
						  .actor_role = "system",
						  .at = "2026-11-27T10:00:00.000000Z", .data = data[i]};
		}
		assert_int_equal(store_begin(c, true), KERR_OK);
		assert_int_equal(repo_events_append(c, in, n), KERR_OK);
		assert_int_equal(store_commit(c), KERR_OK);
		struct numbered o = {0, true};
		assert_int_equal(repo_events_for(c, number, check_order, &o), KERR_OK);
		assert_int_equal(o.n, (int)n);
		assert_true(o.in_order);
	}
}

/* --- a transaction's events in one row (migration 0023) --- */

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

#define ROW_NUMBER "516720261000000777"
#define ROW_EVENTS 19 /* a row of 16 and one of 3 on PostgreSQL */

static const struct sql_query Q_ROWS_OF = {
	"SELECT COUNT(*) FROM events WHERE declaration_number = CAST(? AS BIGINT)"};

struct kept_events {
	int64_t id[ROW_EVENTS];
	char line[ROW_EVENTS][200];
	int n;
};

/* An event as a line: everything a reader is shown but its id. */
static kerr keep_line(void *arg, const struct event_row *e)
{
	struct kept_events *k = arg;
	if (k->n < ROW_EVENTS) {
		k->id[k->n] = e->id;
		snprintf(k->line[k->n], sizeof k->line[0], "%s %s %s %s/%s %s %s %s", e->number,
			 e->type, e->agency ? e->agency : "-", e->actor, e->actor_role, e->at,
			 e->data, e->call_key ? e->call_key : "-");
	}
	k->n++;
	return KERR_OK;
}

/* The i-th of the events appended: types, agencies, actors, times, data
 * and calls that differ from one to the next, kouan's own steps among
 * them. */
static void row_event(int i, char at[40], char data[40], struct event_in *e)
{
	static const enum event_type types[3] = {EVENT_DECLARATION_ACCEPTED, EVENT_TASK_OPENED,
						 EVENT_DECLARATION_RELEASED};
	snprintf(at, 40, "2026-11-27T10:00:%02d.%06dZ", i, 1000 * i + 1);
	snprintf(data, 40, "{\"n\":%d,\"why\":\"\\\"%d\\\"\"}", i, i);
	bool kouan = i % 2 == 0;
	*e = (struct event_in){.number = ROW_NUMBER, .org_id = 1, .type = types[i % 3],
			       .agency = i % 3 == 1 ? "customs" : NULL,
			       .actor = kouan ? "kouan" : "trader",
			       .actor_role = kouan ? "system" : "declarant", .at = at,
			       .data = data,
			       .call_key = i % 4 == 3 ? "2|9321378|046E|CNNSA" : NULL};
}

/* The events a transaction appends for one declaration share a row where
 * the store hands ids out apart (PostgreSQL: sixteen to a row, the next ids
 * their own), one row each on SQLite. Either way every reader is shown
 * each event as it was appended, in order: a declaration's timeline, the
 * feed after an event in the middle of a row, a limit that ends inside a
 * row, and one type asked for that only a row's later event is of. */
static void a_transactions_events_share_a_row_and_read_back_as_appended(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	char at[ROW_EVENTS][40], data[ROW_EVENTS][40];
	struct event_in in[ROW_EVENTS];
	memset(in, 0, sizeof in);
	for (int i = 0; i < ROW_EVENTS; i++)
		row_event(i, at[i], data[i], &in[i]);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_feed_append(c), KERR_OK);
	assert_int_equal(repo_events_append(c, in, ROW_EVENTS), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	int per_row = store_event_ids_per_row(c);
	int64_t rows = 0;
	assert_int_equal(store_first(c, &Q_ROWS_OF, read_int, &rows, "s", ROW_NUMBER), KERR_OK);
	assert_int_equal(rows, (ROW_EVENTS + per_row - 1) / per_row);
	assert_int_equal(rows, env->store->row_locks ? 2 : ROW_EVENTS);

	/* the timeline: each as appended, ids rising, a row's ids one by one */
	struct kept_events all = {.n = 0};
	assert_int_equal(repo_events_for(c, ROW_NUMBER, keep_line, &all), KERR_OK);
	assert_int_equal(all.n, ROW_EVENTS);
	for (int i = 0; i < ROW_EVENTS; i++) {
		char want[200];
		snprintf(want, sizeof want, "%s %s %s %s/%s %s %s %s", ROW_NUMBER,
			 event_type_name(in[i].type), in[i].agency ? in[i].agency : "-",
			 in[i].actor, in[i].actor_role, in[i].at, in[i].data,
			 in[i].call_key ? in[i].call_key : "-");
		assert_string_equal(all.line[i], want);
		if (i > 0)
			assert_true(all.id[i] > all.id[i - 1]);
		if (i > 0 && i % per_row)
			assert_int_equal(all.id[i], all.id[i - 1] + 1);
	}

	/* the feed after the third event, three at a time: the fourth to the
	 * sixth; then four after the fourteenth, across the end of the first
	 * row */
	const struct feed_view everything = {.calls = true};
	struct kept_events page = {.n = 0};
	assert_int_equal(repo_events_feed(c, all.id[2], 3, &everything, keep_line, &page),
			 KERR_OK);
	assert_int_equal(page.n, 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(page.line[i], all.line[3 + i]);
	page.n = 0;
	assert_int_equal(repo_events_feed(c, all.id[13], 4, &everything, keep_line, &page),
			 KERR_OK);
	assert_int_equal(page.n, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(page.line[i], all.line[14 + i]);

	/* one type, with a filter (the other query): only the releases,
	 * however deep in their row */
	const struct feed_view releases = {.org_id = 1, .only_type = "declaration.released"};
	page.n = 0;
	assert_int_equal(repo_events_feed(c, all.id[0] - 1, 20, &releases, keep_line, &page),
			 KERR_OK);
	assert_int_equal(page.n, ROW_EVENTS / 3);
	for (int i = 0; i < page.n; i++)
		assert_string_equal(page.line[i], all.line[2 + 3 * i]);
	/* a limit of one release at a time still finds the next */
	page.n = 0;
	assert_int_equal(repo_events_feed(c, all.id[2], 1, &releases, keep_line, &page),
			 KERR_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.line[0], all.line[5]);
}

static const struct sql_query Q_ROW_WITH_MORE = {
	"INSERT INTO events (declaration_number, org_id, type, at, data, more)"
	" VALUES (CAST(? AS BIGINT), 1, 2, 1795800000000000, '{}', ?)"};

/* A row whose later events cannot be read back as kouan writes them is a
 * storage failure, for the timeline and the feed alike: never a crash,
 * never events made up or silently dropped. */
static void a_row_whose_later_events_are_damaged_is_a_storage_failure(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
#define ITEM "0 2 - - - - 2:{}\n"
#define ITEMS4 ITEM ITEM ITEM ITEM
	static const char *const damaged[] = {
		"not a line\n",
		"",                                  /* no event after the first */
		ITEMS4 ITEMS4 ITEMS4 ITEMS4,         /* 17 in a row */
		"0 999 - - - - 2:{}\n",              /* a type with no code */
		"0 2 x:ab - - - 2:{}\n",             /* a length that is not one */
		"0 2 +2:ab - - - 2:{}\n",            /* nor is this */
		"0 2 - - - - 2:[]\n",                /* data that is not an object */
		"0 2 - - - - 9:{}\n",                /* a text longer than the line */
		"0 2 - - - - 2:{}",                  /* a line that does not end */
		"0 2 - - - 2:{}\n",                  /* a text short */
		"0 2 - - - - 2:{} 2:{}\n",           /* a text too many */
		" 0 2 - - - - 2:{}\n",               /* a space before the time */
		"9223372036854775807 2 - - - - 2:{}\n", /* a time far past the row's */
		"-9223372036854775807 2 - - - - 2:{}\n", /* and far before it */
		ITEM "0 2 - - - - 2:{}\n-",          /* something after the last line */
		"y9:AAAA",                           /* packed by no dictionary */
	};
#undef ITEMS4
#undef ITEM
	const struct feed_view everything = {.calls = true};
	/* the form itself reads: a row of two events, the second kouan's,
	 * 1.5 s after the first */
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec(c, &Q_ROW_WITH_MORE, "ss", ROW_NUMBER,
				    "1500000 10 7:customs - - - 7:{\"n\":1}\n"),
			 KERR_OK);
	struct kept_events ok = {.n = 0};
	assert_int_equal(repo_events_for(c, ROW_NUMBER, keep_line, &ok), KERR_OK);
	assert_int_equal(ok.n, 2);
	assert_string_equal(ok.line[1], ROW_NUMBER " task.opened customs kouan/system "
					"2026-11-27T17:20:01.500000Z {\"n\":1} -");
	store_rollback(c);
	for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
		assert_int_equal(store_begin(c, true), KERR_OK);
		assert_int_equal(store_exec(c, &Q_ROW_WITH_MORE, "ss", ROW_NUMBER, damaged[i]),
				 KERR_OK);
		struct kept_events k = {.n = 0};
		assert_int_equal(repo_events_for(c, ROW_NUMBER, keep_line, &k), KERR_STORE);
		assert_int_equal(repo_events_feed(c, 0, 100, &everything, keep_line, &k),
				 KERR_STORE);
		store_rollback(c);
	}
}

/* --- numbering and claims while other transactions are on their way --- */

#define NUMBERING_OFFICE "9901" /* an office no test lodges at */

static int64_t take_number(struct store_conn *c)
{
	int64_t n = 0;
	assert_int_equal(repo_sequence_next(c, NUMBERING_OFFICE, 2026, true, &n), KERR_OK);
	return n;
}

/* A number taken in a transaction of its own, committed. */
static int64_t take_committed(struct store_conn *c)
{
	assert_int_equal(store_begin(c, true), KERR_OK);
	int64_t n = take_number(c);
	assert_int_equal(store_commit(c), KERR_OK);
	return n;
}

/* Numbers given to transactions that rolled back are given again: over
 * more numbers than a block put aside (32), with every third transaction
 * rolled back, the numbers committed are 1, 2, 3, ... without a gap. */
static void numbers_given_back_are_given_again(void **state)
{
	struct store_conn *c = conn(*state);
	int64_t committed = 0;
	for (int i = 0; i < 75; i++) {
		assert_int_equal(store_begin(c, true), KERR_OK);
		int64_t n = take_number(c);
		assert_int_equal(n, committed + 1);
		if (i % 3 == 2) {
			store_rollback(c);
			continue;
		}
		assert_int_equal(store_commit(c), KERR_OK);
		committed = n;
	}
	assert_int_equal(committed, 50);
}

/* A second connection to the test's PostgreSQL store that gives up a
 * lock it waits for after `wait` (a statement that waited fails). Skips
 * where one writer runs at a time. */
static struct store_conn *impatient_conn(struct test_env *env, const char *wait)
{
	if (!env->store->row_locks) {
		printf("# one writer at a time on %s: nothing is held by another writer\n",
		       env->store->backend);
		skip();
	}
	struct store_conn *b;
	assert_int_equal(env->store->ops->conn_open(env->store, &b), KERR_OK);
	char sql[64];
	snprintf(sql, sizeof sql, "SET lock_timeout = '%s'", wait);
	assert_int_equal(env->store->ops->exec_script(b, sql), KERR_OK);
	return b;
}

/* A lodgement on its way does not hold up the next at the same office
 * (it would, if the sequence row were held to the commit): the next takes
 * the next number at once; the first rolls back, and its number is the
 * next one given. */
static void a_number_held_does_not_hold_up_the_office(void **state)
{
	struct test_env *env = *state;
	struct store_conn *b = impatient_conn(env, "5s");
	struct store_conn *a = conn(env);
	assert_int_equal(store_begin(a, true), KERR_OK);
	int64_t first = take_number(a);
	assert_int_equal(store_begin(b, true), KERR_OK);
	assert_int_equal(take_number(b), first + 1);
	store_rollback(a);
	assert_int_equal(store_commit(b), KERR_OK);
	assert_int_equal(store_begin(a, true), KERR_OK);
	assert_int_equal(take_number(a), first);
	assert_int_equal(take_number(a), first + 2);
	assert_int_equal(store_commit(a), KERR_OK);
	env->store->ops->conn_close(b);
}

/* On PostgreSQL a lodgement looks for the lowest spare among the last
 * 1,024 numbers of its series first. A number held while more than that
 * were given, then given back, lies below them: it is given all the same,
 * once the spares above it are used and before any new block is put
 * aside, and the series has no gap. */
static void a_number_given_back_long_after_is_given(void **state)
{
	struct test_env *env = *state;
	struct store_conn *b = impatient_conn(env, "5s");
	struct store_conn *a = conn(env);
	assert_int_equal(store_begin(b, true), KERR_OK);
	int64_t held = take_number(b);
	int64_t last = held;
	for (int i = 0; i < 1100; i++)
		last = take_committed(a);
	store_rollback(b);
	bool given = false;
	int taken = 0;
	while (!given) {
		int64_t n = take_committed(a);
		taken++;
		if (n == held) {
			/* not first: the search within the window comes first */
			assert_true(taken > 1);
			given = true;
		} else {
			/* every other number continues the series: the held one
			 * comes before a new block (one connection: after at most
			 * the 32 of the block in hand) */
			assert_int_equal(n, last + 1);
			last = n;
			assert_true(taken <= 32);
		}
	}
	/* and the series goes on from where it was, without a gap */
	assert_int_equal(store_begin(a, true), KERR_OK);
	assert_int_equal(take_number(a), last + 1);
	store_rollback(a);
	env->store->ops->conn_close(b);
}

#define CLAIM_CALL "SEA:CNSZX:WEIMA/0412"

static kerr no_claim(void *arg, const struct consignment_row *r)
{
	(void)arg;
	(void)r;
	return KERR_OK;
}

/* A claim's locks, then what a claim reads next (the bill's claims): the
 * locks are sent ahead, so a wait for them shows in that read. */
static kerr claim(struct store_conn *c, const char *bill, const char *container)
{
	char containers[1][CONTAINER_NUMBER_MAX];
	str_copy(containers[0], container, sizeof containers[0]);
	kerr e = repo_call_lock_claim(c, CLAIM_CALL, "water", "CNSZX",
				      "2026-11-28T01:00:00.000000Z", bill, containers, 1);
	if (e)
		return e;
	struct consignment_claims_ahead claims = {0};
	repo_consignment_claims_send(c, CLAIM_CALL, bill, &claims);
	return repo_consignment_claims_take(&claims, no_claim, NULL);
}

/* Two claims on one call wait for each other only when they share a bill
 * or a container; a lock of the whole call (a manifest's) waits for every
 * claim. Each wait is given up after 300 ms, and fails. */
static void claims_wait_only_for_their_own_bill_and_containers(void **state)
{
	struct test_env *env = *state;
	struct store_conn *b = impatient_conn(env, "300ms");
	struct store_conn *a = conn(env);
	/* the call is known (the first claim on a new call makes its row, and
	 * the next waits for that to commit) */
	assert_int_equal(store_begin(a, true), KERR_OK);
	assert_int_equal(claim(a, "BILL-0", "CSQU3054383"), KERR_OK);
	assert_int_equal(store_commit(a), KERR_OK);
	assert_int_equal(store_begin(a, true), KERR_OK);
	assert_int_equal(claim(a, "BILL-A", "MSKU1234565"), KERR_OK);
	const struct {
		const char *bill, *container;
		bool waits;
	} other[] = {
		{"BILL-B", "TGHU8765437", false}, /* another bill, another container */
		{"BILL-A", "TGHU8765437", true},  /* the same bill */
		{"BILL-B", "MSKU1234565", true},  /* the same container */
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		assert_int_equal(store_begin(b, true), KERR_OK);
		kerr e = claim(b, other[i].bill, other[i].container);
		store_rollback(b);
		if (e != (other[i].waits ? KERR_STORE : KERR_OK))
			print_error("claim of %s and %s\n", other[i].bill, other[i].container);
		assert_int_equal(e, other[i].waits ? KERR_STORE : KERR_OK);
	}
	assert_int_equal(store_begin(b, true), KERR_OK);
	assert_int_equal(repo_call_lock(b, CLAIM_CALL, "water", "CNSZX", 0,
					"2026-11-28T01:00:00.000000Z"),
			 KERR_STORE);
	store_rollback(b);
	/* once the claim is committed, the call is free again */
	assert_int_equal(store_commit(a), KERR_OK);
	assert_int_equal(store_begin(b, true), KERR_OK);
	assert_int_equal(repo_call_lock(b, CLAIM_CALL, "water", "CNSZX", 0,
					"2026-11-28T01:00:00.000000Z"),
			 KERR_OK);
	assert_int_equal(claim(b, "BILL-A", "MSKU1234565"), KERR_OK);
	assert_int_equal(store_commit(b), KERR_OK);
	env->store->ops->conn_close(b);
}

/* --- migration 0013: the event log kept smaller --- */

#define OLD_NUMBER "516720261000000001"
static const struct sql_query Q_OLD_EVENT = {
	"INSERT INTO events (declaration_number, org_id, type, actor, actor_role, at, data)"
	" VALUES ('" OLD_NUMBER "', 1, ?, ?, ?, ?, '{}')"};
static const struct sql_query Q_OLD_EVENT_DROP = {"DELETE FROM events WHERE id = 4"};

struct timeline {
	int n;
	int64_t id[8];
	char at[8][KTIME_TEXT_MAX];
	char who[8][64]; /* type actor/role */
	char number[8][32];
	char call[8][16];
};

static kerr keep_event(void *arg, const struct event_row *e)
{
	struct timeline *t = arg;
	if (t->n < 8) {
		t->id[t->n] = e->id;
		str_copy(t->at[t->n], e->at, sizeof t->at[0]);
		snprintf(t->who[t->n], sizeof t->who[0], "%s %s/%s", e->type, e->actor,
			 e->actor_role);
		str_copy(t->number[t->n], e->number, sizeof t->number[0]);
		str_copy(t->call[t->n], e->call_key ? e->call_key : "", sizeof t->call[0]);
	}
	t->n++;
	return KERR_OK;
}

/* Customs clearing declaration `number`'s task, as an event. */
static struct event_in customs_cleared(const char *number)
{
	return (struct event_in){.number = number, .org_id = 1,
				 .type = EVENT_TASK_CLEARED, .agency = "customs",
				 .actor = "customs", .actor_role = "customs",
				 .at = "2026-11-23T10:00:02.000001Z", .data = "{}"};
}

/* Append one event in a transaction of its own. */
static void append_committed(struct store_conn *c, const struct event_in *e)
{
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(repo_event_append(c, e), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
}

/* Events kept before migration 0013 (times as RFC 3339 text, types as
 * their names, kouan's own steps with actor "kouan") read back after it as
 * they were, with their ids, in their order; the next event gets an id
 * never given before (the last one given had been deleted), and keeps its
 * time to the microsecond. */
static void the_event_log_survives_its_migration(void **state)
{
	struct test_env *env = *state;
	struct store *s = test_earlier_store(env, 12);
	struct store_conn *c;
	static const char *const kept[][4] = {
		{"declaration.lodged", "trader", "declarant", "2026-11-23T09:40:00.123456Z"},
		{"declaration.accepted", "kouan", "system", "2025-02-28T23:59:59Z"},
		{"task.cleared", "kouan", "system", "2026-11-23T10:00:00.5Z"},
		{"task.cleared", "customs", "customs", "2026-11-23T10:00:01.000000Z"},
	};
	static const char *const shown[][2] = {
		{"2026-11-23T09:40:00.123456Z", "declaration.lodged trader/declarant"},
		{"2025-02-28T23:59:59.000000Z", "declaration.accepted kouan/system"},
		{"2026-11-23T10:00:00.500000Z", "task.cleared kouan/system"},
	};
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	assert_int_equal(store_begin(c, true), KERR_OK);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(store_exec(c, &Q_OLD_EVENT, "ssss", kept[i][0], kept[i][1],
					    kept[i][2], kept[i][3]),
				 KERR_OK);
	assert_int_equal(store_exec(c, &Q_OLD_EVENT_DROP, ""), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	struct timeline t = {0};
	assert_int_equal(repo_events_for(c, OLD_NUMBER, keep_event, &t), KERR_OK);
	assert_int_equal(t.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(t.id[i], i + 1);
		assert_string_equal(t.at[i], shown[i][0]);
		assert_string_equal(t.who[i], shown[i][1]);
	}

	struct event_in next = customs_cleared(OLD_NUMBER);
	append_committed(c, &next);
	t.n = 0;
	assert_int_equal(repo_events_for(c, OLD_NUMBER, keep_event, &t), KERR_OK);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.id[3], 4 + store_event_ids_per_row(c)); /* 8 apart since 0023 */
	assert_string_equal(t.at[3], next.at);
	assert_string_equal(t.who[3], "task.cleared customs/customs");
	test_earlier_store_close(env, s);
}

/* --- migration 0015: an event names its declaration by the number's value --- */

#define ZERO_NUMBER "010020261000000007" /* Beijing's offices begin with 0 */
static const struct sql_query Q_NUMBERED_EVENT = {
	"INSERT INTO events (declaration_number, org_id, type, at, data, call_key)"
	" VALUES (?, 1, 1, 1795800000000000, '{}', ?)"};

static const struct sql_query Q_SHORT_NUMBER = {
	"SELECT COUNT(*) FROM events WHERE declaration_number = '51672026100000001'"};

/* A store as it was after migration `last`, with a write transaction open
 * on *c to fill it. */
static struct store *earlier_store_writing(struct test_env *env, int64_t last,
					   struct store_conn **c)
{
	struct store *s = test_earlier_store(env, last);
	assert_int_equal(store_thread_conn(s, c), KERR_OK);
	assert_int_equal(store_begin(*c, true), KERR_OK);
	return s;
}

/* A store as it was before migration 0015 with an event for each
 * {number, call} in `kept`, numbers as text. */
static struct store *store_before_0015(struct test_env *env, const char *const kept[][2],
				       size_t n)
{
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 14, &c);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(store_exec(c, &Q_NUMBERED_EVENT, "ss", kept[i][0], kept[i][1]),
				 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	return s;
}

/* Numbers kept as text before 0015 read back as the same 18 digits after
 * it, a leading zero too, by the timeline and by the feed; a call's own
 * event (no number) stays the call's. */
static void event_numbers_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	static const char *const kept[][2] = {
		{ZERO_NUMBER, NULL}, {OLD_NUMBER, NULL}, {"", "K-0015"}};
	struct store *s = store_before_0015(env, kept, 3);
	struct store_conn *c;

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	struct timeline seen = {0};
	assert_int_equal(repo_events_for(c, ZERO_NUMBER, keep_event, &seen), KERR_OK);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.number[0], ZERO_NUMBER);
	seen.n = 0;
	struct feed_view all = {.calls = true};
	assert_int_equal(repo_events_feed(c, 0, 10, &all, keep_event, &seen), KERR_OK);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.number[0], ZERO_NUMBER);
	assert_string_equal(seen.number[1], OLD_NUMBER);
	assert_string_equal(seen.number[2], "");
	assert_string_equal(seen.call[2], "K-0015");
	seen.n = 0;
	assert_int_equal(repo_events_for_call(c, "K-0015", 0, 10, keep_event, &seen), KERR_OK);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.number[0], "");

	/* and a new one is kept the same way */
	struct event_in next = customs_cleared(ZERO_NUMBER);
	append_committed(c, &next);
	seen.n = 0;
	assert_int_equal(repo_events_for(c, ZERO_NUMBER, keep_event, &seen), KERR_OK);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.number[1], ZERO_NUMBER);
	test_earlier_store_close(env, s);
}

/* A kept number that is not a declaration number stops the migration
 * (rather than lose which declaration its event belongs to), and the
 * event is still there as it was; kouan never writes one. */
static void a_malformed_event_number_stops_the_migration(void **state)
{
	struct test_env *env = *state;
	static const char *const kept[][2] = {{"51672026100000001", NULL}};
	struct store *s = store_before_0015(env, kept, 1);
	struct store_conn *c;
	assert_int_not_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	int64_t n = 0;
	assert_int_equal(store_first(c, &Q_SHORT_NUMBER, read_int, &n, ""), KERR_OK);
	assert_int_equal(n, 1);
	struct event_in bad = customs_cleared("51672026100000001");
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(repo_event_append(c, &bad), KERR_INTERNAL);
	store_rollback(c);
	test_earlier_store_close(env, s);
}

/* --- migration 0016: tasks kept smaller --- */

static const struct sql_query Q_OLD_ORG = {
	"INSERT INTO organisations (id, uscc, name, kind, created_at)"
	" VALUES (1, '91440101MA59TRAD00', 'trader', 'trader', '2026-11-23T09:00:00Z')"};
static const struct sql_query Q_OLD_USER = {
	"INSERT INTO users (id, org_id, username, display_name, password_hash, role, created_at)"
	" VALUES (1, 1, 'trader', 'trader', 'x', 'declarant', '2026-11-23T09:00:00Z')"};
static const struct sql_query Q_OLD_DECLARATION = {
	"INSERT INTO declarations (number, org_id, lodged_by, status, direction,"
	" declaration_office, port_office, bill_of_lading, version, body, lodged_at, updated_at)"
	" VALUES (?, 1, 1, 'accepted', 'import', '0100', '0100', 'B-0016', 1, '{}',"
	" '2026-11-23T09:40:00.123456Z', '2026-11-23T09:40:00.123456Z')"};
static const struct sql_query Q_OLD_TASK = {
	"INSERT INTO tasks (declaration_number, agency, status, basis_digest, opened_at,"
	" decided_at, decided_by, decision, reason) VALUES (?, ?, ?, 'digest', ?, ?, ?, ?, ?)"};

/* Declaration `number` accepted, with its trader and user, in a store of
 * before 0016. */
static void old_declaration(struct store_conn *c, const char *number)
{
	assert_int_equal(store_exec(c, &Q_OLD_ORG, ""), KERR_OK);
	assert_int_equal(store_exec(c, &Q_OLD_USER, ""), KERR_OK);
	assert_int_equal(store_exec(c, &Q_OLD_DECLARATION, "s", number), KERR_OK);
}

/* --- migrations 0028 and 0029: the party in China and the goods' heading
 * on each manifest line --- */

static const struct sql_query Q_OLD_MANIFEST = {
	"INSERT INTO manifests (id, call_key, kind, transport_mode, port, org_id, version, late,"
	" bills, lodged_at, updated_at) VALUES (?, ?, ?, '2', 'CNNSA', 1, 2, 0, 2,"
	" '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z')"};
static const struct sql_query Q_OLD_MANIFEST_VERSION = {
	"INSERT INTO manifest_versions (manifest_id, version, body, created_by, created_at)"
	" VALUES (?, ?, ?, 'carrier', '2026-11-23T09:00:00Z')"};
static const struct sql_query Q_OLD_MANIFEST_BILL = {
	"INSERT INTO manifest_bills (manifest_id, bill_of_lading, call_key, kind, line, packages,"
	" gross_weight_g) VALUES (?, ?, ?, ?, ?, 10, 1000)"};

/* The bills of a manifest's version: the first names its consignee's
 * (called `consignee`) and its consignor's USCC, the second neither. */
static void old_manifest_body(char *out, size_t n, const char *consignee)
{
	snprintf(out, n,
		 "{\"bills\": [{\"bill_of_lading\": \"B-1\", \"hs_heading\": \"0808\","
		 " \"consignor\": {\"name\": \"Shipper\", \"uscc\": \"91440300MA5E0THR7G\"},"
		 " \"consignee\": {\"name\": \"%s\", \"uscc\": \"91440101MA59TRAD00\"}},"
		 " {\"bill_of_lading\": \"B-2\", \"consignor\": {\"name\": \"Shipper\"},"
		 " \"consignee\": {\"name\": \"To order\"}}]}",
		 consignee);
}

/* The line's party and heading as the store gives them after the
 * migrations. */
static void party_of(struct store_conn *c, const char *call, enum manifest_kind kind,
		     const char *bill, const char *want, const char *heading)
{
	struct manifest_line_ahead a;
	struct manifest_line_row l;
	repo_manifest_line_send(c, call, kind, bill, &a);
	assert_int_equal(repo_manifest_line_take(&a, &l), KERR_OK);
	assert_string_equal(l.party_uscc, want);
	assert_string_equal(l.hs_heading, heading);
	manifest_line_row_free(&l);
}

/* Lines kept before 0028 take their party from their manifest's current
 * version: the consignee's USCC on an import manifest, the consignor's on
 * an export one, nothing where the line gives none; and (0029) the goods'
 * heading. */
static void manifest_parties_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 27, &c);
	assert_int_equal(store_exec(c, &Q_OLD_ORG, ""), KERR_OK);
	static const struct {
		int64_t id;
		const char *call, *kind;
	} manifests[] = {{1, "2|9321378|046E|CNNSA", "original"},
			 {2, "2|9321378|047W|CNNSA", "loading"}};
	char body[1024];
	for (size_t m = 0; m < 2; m++) {
		assert_int_equal(store_exec(c, &Q_OLD_MANIFEST, "iss", manifests[m].id,
					    manifests[m].call, manifests[m].kind),
				 KERR_OK);
		/* version 1 had no bills: the current one (2) is read */
		assert_int_equal(store_exec(c, &Q_OLD_MANIFEST_VERSION, "iis", manifests[m].id,
					    (int64_t)1, "{\"bills\": []}"),
				 KERR_OK);
		old_manifest_body(body, sizeof body, "Haitong");
		assert_int_equal(store_exec(c, &Q_OLD_MANIFEST_VERSION, "iis", manifests[m].id,
					    (int64_t)2, body),
				 KERR_OK);
		for (int64_t b = 0; b < 2; b++)
			assert_int_equal(store_exec(c, &Q_OLD_MANIFEST_BILL, "isssi",
						    manifests[m].id, b ? "B-2" : "B-1",
						    manifests[m].call, manifests[m].kind, b),
					 KERR_OK);
	}
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	assert_int_equal(store_begin(c, false), KERR_OK);
	party_of(c, manifests[0].call, MANIFEST_ORIGINAL, "B-1", "91440101MA59TRAD00", "0808");
	party_of(c, manifests[0].call, MANIFEST_ORIGINAL, "B-2", "", "");
	party_of(c, manifests[1].call, MANIFEST_LOADING, "B-1", "91440300MA5E0THR7G", "0808");
	party_of(c, manifests[1].call, MANIFEST_LOADING, "B-2", "", "");
	store_rollback(c);
	test_earlier_store_close(env, s);
}

static const struct sql_query Q_OLD_PAYMENT = {
	"INSERT INTO payments (bank_reference, declaration_number, amount, paid_at, recorded_by,"
	" recorded_at) VALUES (?, ?, ?, '2026-11-23T09:00:00Z', 'trader', '2026-11-23T09:00:00Z')"};

/* The payment with this reference as kept now: its declaration, or "" when
 * there is none. */
static void payment_of(struct store_conn *c, const char *reference, const char *number)
{
	struct payment_row p;
	kerr e = repo_payment_by_reference(c, reference, &p);
	if (!*number) {
		assert_int_equal(e, KERR_NOT_FOUND);
		return;
	}
	assert_int_equal(e, KERR_OK);
	assert_string_equal(p.number, number);
	/* counted when it was recorded: paid, by no bank kouan named */
	assert_int_equal(p.status, PAYMENT_PAID);
	assert_string_equal(p.bank_uscc, "");
	assert_string_equal(p.paid_at, "2026-11-23T09:00:00Z");
	assert_string_equal(p.answered_by, "");
}

/* Payments kept before banks answered (0030) stay paid; a reference kept
 * in small letters is put in capitals, unless another payment has it in
 * another case. */
static void payments_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 29, &c);
	static const char *const kept[][2] = {{"icbc-old-1", "516720261000000001"},
					      {"boc-x", "516720261000000002"},
					      {"BOC-X", "516720261000000003"},
					      {"ICBC-OK", "516720261000000004"}};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(store_exec(c, &Q_OLD_PAYMENT, "ssi", kept[i][0], kept[i][1],
					    (int64_t)(i + 1) * 100),
				 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	assert_int_equal(store_begin(c, false), KERR_OK);
	payment_of(c, "ICBC-OLD-1", kept[0][1]);
	payment_of(c, "icbc-old-1", "");
	payment_of(c, "boc-x", kept[1][1]);
	payment_of(c, "BOC-X", kept[2][1]);
	payment_of(c, "ICBC-OK", kept[3][1]);
	store_rollback(c);
	test_earlier_store_close(env, s);
}

static const struct sql_query Q_OLD_MONTH_PAYMENT = {
	"INSERT INTO cbec_month_payments (platform_code, month, amount, reference, paid_by,"
	" paid_at) VALUES ('91440101MA5EBP0YGL', '2026-10', 19842, 'BOC-20261101-0001',"
	" 'platform', '2026-11-02T01:00:00.000000Z')"};

/* A platform's monthly payment kept before banks answered (0031) stays
 * paid, with no bank named, ordered when it was recorded. */
static void month_payments_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 30, &c);
	assert_int_equal(store_exec(c, &Q_OLD_MONTH_PAYMENT, ""), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	assert_int_equal(store_begin(c, false), KERR_OK);
	struct cbec_month_payment_row p;
	assert_int_equal(repo_cbec_month_payment(c, "91440101MA5EBP0YGL", "2026-10", &p),
			 KERR_OK);
	assert_int_equal(p.status, PAYMENT_PAID);
	assert_int_equal(p.amount, 19842);
	assert_string_equal(p.reference, "BOC-20261101-0001");
	assert_string_equal(p.bank_uscc, "");
	assert_string_equal(p.paid_by, "platform");
	assert_string_equal(p.paid_at, "2026-11-02T01:00:00.000000Z");
	assert_string_equal(p.recorded_at, "2026-11-02T01:00:00.000000Z");
	assert_string_equal(p.answered_by, "");
	store_rollback(c);
	test_earlier_store_close(env, s);
}

struct worklist_seen {
	int n;
	char number[32], opened[KTIME_TEXT_MAX], lodged[KTIME_TEXT_MAX];
	bool decided;
};

static kerr see_work(void *arg, const struct worklist_row *w)
{
	struct worklist_seen *s = arg;
	str_copy(s->number, w->number, sizeof s->number);
	str_copy(s->opened, w->opened_at, sizeof s->opened);
	str_copy(s->lodged, w->lodged_at, sizeof s->lodged);
	s->decided = w->decided_at != NULL;
	s->n++;
	return KERR_OK;
}

/* Tasks kept before 0016 (number and times as text) read back after it as
 * they were: the number with its leading zero, a time without a fraction
 * with .000000, an undecided task without a decision time; the worklist
 * still finds the declaration. */
static void tasks_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 15, &c);
	old_declaration(c, ZERO_NUMBER);
	assert_int_equal(store_exec(c, &Q_OLD_TASK, "ssssssss", ZERO_NUMBER, "customs", "open",
				    "2026-11-23T09:40:00Z", NULL, NULL, NULL, NULL),
			 KERR_OK);
	assert_int_equal(store_exec(c, &Q_OLD_TASK, "ssssssss", ZERO_NUMBER, "quarantine",
				    "cleared", "2026-11-23T09:40:00.5Z",
				    "2026-11-23T09:40:01.123456Z", "kouan", "cleared", "green lane"),
			 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	struct task_row t[TASKS_MAX];
	size_t n = 0;
	assert_int_equal(repo_task_list(c, ZERO_NUMBER, t, &n), KERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].agency, "customs");
	assert_int_equal(t[0].status, TASK_OPEN);
	assert_string_equal(t[0].opened_at, "2026-11-23T09:40:00.000000Z");
	assert_false(t[0].decided);
	assert_string_equal(t[1].agency, "quarantine");
	assert_int_equal(t[1].status, TASK_CLEARED);
	assert_string_equal(t[1].opened_at, "2026-11-23T09:40:00.500000Z");
	assert_true(t[1].decided);
	assert_string_equal(t[1].decided_at, "2026-11-23T09:40:01.123456Z");
	assert_string_equal(t[1].decided_by, "kouan");
	assert_string_equal(t[1].reason, "green lane");

	struct worklist_seen w = {0};
	assert_int_equal(repo_worklist(c, "customs", TASK_OPEN, 10, see_work, &w), KERR_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.number, ZERO_NUMBER);
	assert_string_equal(w.opened, "2026-11-23T09:40:00.000000Z");
	assert_false(w.decided);

	/* a decision is kept to the microsecond */
	str_copy(t[0].decided_at, "2026-11-23T09:41:00.000001Z", sizeof t[0].decided_at);
	str_copy(t[0].decided_by, "customs", sizeof t[0].decided_by);
	t[0].decided = true;
	t[0].decision = DECISION_CLEARED;
	t[0].status = TASK_CLEARED;
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(repo_task_set(c, ZERO_NUMBER, &t[0]), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(repo_task_list(c, ZERO_NUMBER, t, &n), KERR_OK);
	assert_string_equal(t[0].decided_at, "2026-11-23T09:41:00.000001Z");
	assert_string_equal(t[0].opened_at, "2026-11-23T09:40:00.000000Z");
	test_earlier_store_close(env, s);
}

/* --- migration 0017: Idempotency-Key records kept smaller --- */

static const struct sql_query Q_OLD_IDEM = {
	"INSERT INTO idempotency_keys (org_id, key, request_hash, status, response,"
	" created_at, number, version) VALUES (1, ?, 'hash', 201, '{}', ?, ?, ?)"};

/* The number of key's record, or "gone". */
static void idem_number(struct store_conn *c, const char *key, char out[DECL_NUMBER_SIZE])
{
	struct idem_row r;
	kerr e = repo_idem_get(c, 1, key, &r);
	if (e == KERR_NOT_FOUND) {
		str_copy(out, "gone", DECL_NUMBER_SIZE);
		return;
	}
	assert_int_equal(e, KERR_OK);
	assert_string_equal(r.hash, "hash");
	assert_string_equal(r.response, "{}");
	str_copy(out, r.number, DECL_NUMBER_SIZE);
	free(r.response);
}

/* How many records older than `before` the purge removes, in a
 * transaction of its own. */
static int64_t purged_before(struct store_conn *c, const char *before)
{
	int64_t n = 0;
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(repo_idem_purge(c, before, 10, &n), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	return n;
}

/* Records kept before 0017 (time and number as text) read back as they
 * were, the number with its leading zero; the purge finds them by age to
 * the microsecond (strictly older than the cut-off). */
static void idempotency_records_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 16, &c);
	assert_int_equal(store_exec(c, &Q_OLD_IDEM, "ssss", "k-old", "2026-11-20T09:00:00Z",
				    ZERO_NUMBER, "1"),
			 KERR_OK);
	assert_int_equal(store_exec(c, &Q_OLD_IDEM, "ssss", "k-new", "2026-11-27T09:00:00.25Z",
				    NULL, NULL),
			 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	char number[DECL_NUMBER_SIZE];
	idem_number(c, "k-old", number);
	assert_string_equal(number, ZERO_NUMBER);
	idem_number(c, "k-new", number);
	assert_string_equal(number, "");

	assert_int_equal(purged_before(c, "2026-11-27T09:00:00.250000Z"), 1);
	idem_number(c, "k-old", number);
	assert_string_equal(number, "gone");
	idem_number(c, "k-new", number);
	assert_string_equal(number, "");
	assert_int_equal(purged_before(c, "2026-11-27T09:00:00.250001Z"), 1);
	idem_number(c, "k-new", number);
	assert_string_equal(number, "gone");
	test_earlier_store_close(env, s);
}

/* --- migration 0018: assessments kept smaller --- */

static const struct sql_query Q_OLD_RISK = {
	"INSERT INTO risk_assessments (declaration_number, declaration_version, rules_version,"
	" assessed_at, outcome) VALUES (?, 1, 3, '2026-11-23T09:40:00.654321Z', '{}')"};
static const struct sql_query Q_OLD_DUTY = {
	"INSERT INTO duty_assessments (declaration_number, version, status, held_field,"
	" held_reason, detail, assessed_at) VALUES (?, 1, 'held', '/items/0/hs_code',"
	" 'no rate', '{}', '2026-11-23T09:40:00Z')"};

static kerr keep_number(void *arg, const char *number)
{
	str_copy(arg, number, DECL_NUMBER_SIZE);
	return KERR_OK;
}

/* Risk and duty assessments kept before 0018 (number and time as text) read
 * back as they were, the number with its leading zero; the held duties are
 * still found by their declaration. */
static void assessments_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 17, &c);
	old_declaration(c, ZERO_NUMBER);
	assert_int_equal(store_exec(c, &Q_OLD_RISK, "s", ZERO_NUMBER), KERR_OK);
	assert_int_equal(store_exec(c, &Q_OLD_DUTY, "s", ZERO_NUMBER), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	struct assessment_row risk;
	assert_int_equal(repo_assessment_get(c, ZERO_NUMBER, &risk), KERR_OK);
	assert_int_equal(risk.declaration_version, 1);
	assert_int_equal(risk.rules_version, 3);
	assert_string_equal(risk.assessed_at, "2026-11-23T09:40:00.654321Z");
	assert_string_equal(risk.outcome, "{}");
	free(risk.outcome);
	struct duty_assessment_row duty;
	assert_int_equal(repo_duty_assessment_get(c, ZERO_NUMBER, 1, &duty), KERR_OK);
	assert_string_equal(duty.number, ZERO_NUMBER);
	assert_true(duty.held);
	assert_string_equal(duty.held_field, "/items/0/hs_code");
	assert_string_equal(duty.assessed_at, "2026-11-23T09:40:00.000000Z");
	duty_assessment_row_free(&duty);
	char held[DECL_NUMBER_SIZE] = "";
	assert_int_equal(repo_duty_held(c, keep_number, held), KERR_OK);
	assert_string_equal(held, ZERO_NUMBER);
	test_earlier_store_close(env, s);
}

/* --- migration 0019: claims on bills kept smaller --- */

static const struct sql_query Q_OLD_CLAIM = {
	"INSERT INTO declaration_transport (declaration_number, call_key, bill_of_lading,"
	" direction, split_part, split_of, flow, advance, match_state, live, updated_at)"
	" VALUES (?, 'K-0019', 'B-0016', 'import', 0, 0, 'normal', 0, 'waiting', 1,"
	" '2026-11-23T09:40:00.000007Z')"};

static kerr keep_bill_declaration(void *arg, const struct bill_declaration *b)
{
	str_copy(arg, b->number, DECL_NUMBER_SIZE);
	return KERR_OK;
}

/* A claim kept before 0019 (number and time as text) reads back as it was,
 * the number with its leading zero, and the gate's reading by call and
 * bill still finds its declaration. */
static void claims_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 18, &c);
	old_declaration(c, ZERO_NUMBER);
	assert_int_equal(store_exec(c, &Q_OLD_CLAIM, "s", ZERO_NUMBER), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	struct consignment_row r;
	assert_int_equal(repo_consignment_get(c, ZERO_NUMBER, &r), KERR_OK);
	assert_string_equal(r.number, ZERO_NUMBER);
	assert_string_equal(r.call_key, "K-0019");
	assert_int_equal(r.state, CONSIGNMENT_WAITING);
	assert_string_equal(r.updated_at, "2026-11-23T09:40:00.000007Z");
	consignment_row_free(&r);
	char found[DECL_NUMBER_SIZE] = "";
	assert_int_equal(repo_bill_declarations(c, "K-0019", "B-0016", keep_bill_declaration,
						found),
			 KERR_OK);
	assert_string_equal(found, ZERO_NUMBER);
	test_earlier_store_close(env, s);
}

/* --- migration 0020: a declaration's times kept smaller --- */

static const struct sql_query Q_OLD_RELEASED = {
	"INSERT INTO declarations (number, org_id, lodged_by, status, direction,"
	" declaration_office, port_office, bill_of_lading, version, body, lodged_at, updated_at,"
	" released_at) VALUES (?, 1, 1, 'released', 'import', '0100', '0100', 'B-0020', 1, '{}',"
	" ?, ?, ?)"};
#define RELEASED_NUMBER "010020261000000009"

static const struct sql_query Q_PARTITION = {
	"SELECT CAST(CAST(tableoid AS regclass) AS TEXT) FROM declarations WHERE number = ?"};

struct listed {
	int n;
	char number[2][DECL_NUMBER_SIZE], lodged[2][KTIME_TEXT_MAX], released[2][KTIME_TEXT_MAX];
};

static kerr keep_listed(void *arg, const struct decl_summary *d)
{
	struct listed *l = arg;
	if (l->n < 2) {
		str_copy(l->number[l->n], d->number, DECL_NUMBER_SIZE);
		str_copy(l->lodged[l->n], d->lodged_at, KTIME_TEXT_MAX);
		str_copy(l->released[l->n], d->released_at ? d->released_at : "-", KTIME_TEXT_MAX);
	}
	l->n++;
	return KERR_OK;
}

static kerr keep_lodged(void *arg, const char *number, const char *body)
{
	(void)body;
	struct listed *l = arg;
	if (l->n < 2)
		str_copy(l->number[l->n], number, DECL_NUMBER_SIZE);
	l->n++;
	return KERR_OK;
}

/* Declarations kept before 0020 (times as text) read back after it as
 * they were: a time without a fraction with .000000, a declaration not
 * released without a release time; the list, the worklist and the range
 * of lodging read them to the microsecond; a new release is kept so. */
static void declaration_times_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 19, &c);
	old_declaration(c, ZERO_NUMBER);
	assert_int_equal(store_exec(c, &Q_OLD_RELEASED, "ssss", RELEASED_NUMBER,
				    "2026-11-23T09:40:00Z", "2026-11-23T10:00:00.5Z",
				    "2026-11-23T10:00:00.5Z"),
			 KERR_OK);
	struct task_row open = {.agency = "customs", .status = TASK_OPEN,
				.basis_digest = "digest", .opened_at = "2026-11-23T09:40:00.2Z"};
	assert_int_equal(repo_task_insert(c, ZERO_NUMBER, &open), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	struct decl_row d;
	assert_int_equal(repo_decl_get(c, ZERO_NUMBER, &d), KERR_OK);
	assert_string_equal(d.lodged_at, "2026-11-23T09:40:00.123456Z");
	assert_string_equal(d.updated_at, "2026-11-23T09:40:00.123456Z");
	assert_string_equal(d.released_at, "");
	decl_row_free(&d);
	assert_int_equal(repo_decl_get(c, RELEASED_NUMBER, &d), KERR_OK);
	assert_string_equal(d.lodged_at, "2026-11-23T09:40:00.000000Z");
	assert_string_equal(d.released_at, "2026-11-23T10:00:00.500000Z");
	decl_row_free(&d);

	if (env->pgname[0]) {
		/* on PostgreSQL the month's partition, by microseconds, holds them */
		char part[64] = "";
		assert_int_equal(store_first(c, &Q_PARTITION, keep_text, part, "s", ZERO_NUMBER),
				 KERR_OK);
		assert_string_equal(part, "declarations_202611");
	}

	struct listed l = {0};
	struct decl_filter all = {.limit = 10};
	assert_int_equal(repo_decl_list(c, &all, keep_listed, &l), KERR_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.number[0], ZERO_NUMBER);
	assert_string_equal(l.lodged[0], "2026-11-23T09:40:00.123456Z");
	assert_string_equal(l.released[0], "-");
	assert_string_equal(l.number[1], RELEASED_NUMBER);
	assert_string_equal(l.released[1], "2026-11-23T10:00:00.500000Z");
	struct worklist_seen w = {0};
	assert_int_equal(repo_worklist(c, "customs", TASK_OPEN, 10, see_work, &w), KERR_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.lodged, "2026-11-23T09:40:00.123456Z");
	/* lodged from one microsecond after the released one's lodging */
	struct listed range = {0};
	int64_t from, to;
	assert_true(ktime_parse("2026-11-23T09:40:00.000001Z", &from));
	assert_true(ktime_parse("2026-11-24T00:00:00Z", &to));
	assert_int_equal(repo_declarations_lodged(c, from, to, 10, keep_lodged, &range), KERR_OK);
	assert_int_equal(range.n, 1);
	assert_string_equal(range.number[0], ZERO_NUMBER);

	/* released now, to the microsecond; an update without a release time
	 * keeps the one there */
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(repo_decl_update(c, ZERO_NUMBER, DECL_RELEASED,
					  "2026-11-23T11:00:00.000001Z", "2026-11-23T11:00:00.000001Z"),
			 KERR_OK);
	assert_int_equal(repo_decl_update(c, RELEASED_NUMBER, DECL_RELEASED,
					  "2026-11-23T11:00:00.000002Z", NULL),
			 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(repo_decl_get(c, ZERO_NUMBER, &d), KERR_OK);
	assert_string_equal(d.released_at, "2026-11-23T11:00:00.000001Z");
	assert_string_equal(d.updated_at, "2026-11-23T11:00:00.000001Z");
	decl_row_free(&d);
	assert_int_equal(repo_decl_get(c, RELEASED_NUMBER, &d), KERR_OK);
	assert_string_equal(d.released_at, "2026-11-23T10:00:00.500000Z");
	assert_string_equal(d.updated_at, "2026-11-23T11:00:00.000002Z");
	decl_row_free(&d);
	test_earlier_store_close(env, s);
}

static const struct sql_query Q_OLD_LODGED = {
	"SELECT lodged_at FROM declarations WHERE number = '" RELEASED_NUMBER "'"};

/* A kept time that is not RFC 3339 stops the migration (rather than lose
 * when its declaration was lodged), and the row is still there as it was;
 * kouan never writes one. "now" is one that both SQLite's unixepoch and
 * PostgreSQL's timestamp would read as a time. */
static void a_malformed_declaration_time_stops_the_migration(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 19, &c);
	old_declaration(c, ZERO_NUMBER);
	assert_int_equal(store_exec(c, &Q_OLD_RELEASED, "ssss", RELEASED_NUMBER, "now",
				    "2026-11-23T10:00:00Z", NULL),
			 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_not_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	char kept[32] = "";
	assert_int_equal(store_first(c, &Q_OLD_LODGED, keep_text, kept, ""), KERR_OK);
	assert_string_equal(kept, "now");
	test_earlier_store_close(env, s);
}

static const struct sql_query Q_EVENT_TYPE = {
	"SELECT name, CAST(system AS INTEGER) FROM event_types WHERE code = ?"};
static const struct sql_query Q_EVENT_TYPES = {"SELECT COUNT(*) FROM event_types"};

struct event_type_row {
	char name[64];
	bool system;
};

static kerr keep_type(void *arg, struct store_stmt *st)
{
	struct event_type_row *r = arg;
	str_copy(r->name, stmt_text(st, 0), sizeof r->name);
	r->system = stmt_int(st, 1) != 0;
	return KERR_OK;
}

/* The store names every event type's code as src/domain/events.h gives
 * it, and no other: a type added without its row in a migration fails
 * here. */
static void every_event_type_has_its_row(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		struct event_type_row r = {"", false};
		print_message("event type %s\n", event_type_name((enum event_type)t));
		assert_int_equal(store_first(c, &Q_EVENT_TYPE, keep_type, &r, "i",
					     (int64_t)event_type_code((enum event_type)t)),
				 KERR_OK);
		assert_string_equal(r.name, event_type_name((enum event_type)t));
		assert_int_equal(r.system, event_type_is_system((enum event_type)t));
		enum event_type back;
		assert_true(event_type_from_code(event_type_code((enum event_type)t), &back));
		assert_int_equal(back, t);
	}
	int64_t rows = 0;
	assert_int_equal(store_first(c, &Q_EVENT_TYPES, read_int, &rows, ""), KERR_OK);
	assert_int_equal(rows, EVENT_TYPE_COUNT);
}

/* --- the feed's order with several writers at once (PostgreSQL) --- */

static const struct sql_query Q_LAST_EVENT = {"SELECT COALESCE(MAX(id), 0) FROM events"};

#define FEED_SLOW "516720261000000091"
#define FEED_FAST "516720261000000092"

/* Append one event named `number` as a unit of work does at its end. */
static kerr append_one(struct store_conn *c, const char *number)
{
	struct event_in in = {
		.number = number,
		.org_id = 1,
		.type = EVENT_DECLARATION_LODGED,
		.actor = "test",
		.actor_role = "system",
		.at = "2026-11-27T10:00:00.000000Z",
		.data = "{}",
	};
	kerr e = store_feed_append(c);
	return e ? e : repo_event_append(c, &in);
}

/* A writer that takes its event's id, then takes its time to end. */
struct slow_writer {
	struct test_env *env;
	bool commit; /* else it rolls back */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool appended;
	bool failed;
};

static void *slow_writer_main(void *arg)
{
	struct slow_writer *w = arg;
	struct store_conn *c;
	bool ok = !store_thread_conn(w->env->store, &c) && !store_begin(c, true) &&
		  !append_one(c, FEED_SLOW);
	pthread_mutex_lock(&w->mu);
	w->appended = true;
	w->failed = !ok;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	usleep(300 * 1000); /* far longer than a reader waits before it settles */
	if (ok && w->commit)
		w->failed = store_commit(c) != KERR_OK;
	else
		store_rollback(c);
	store_thread_release();
	return NULL;
}

struct seen {
	char numbers[4][32];
	int n;
};

static kerr see_event(void *arg, const struct event_row *e)
{
	struct seen *s = arg;
	if (s->n < 4)
		str_copy(s->numbers[s->n], e->number, sizeof s->numbers[0]);
	s->n++;
	return KERR_OK;
}

/* The feed after `after`, read as followers read it. */
static struct seen read_feed(struct store_conn *c, int64_t after)
{
	struct seen s = {.n = 0};
	struct feed_view all = {.org_id = 0};
	assert_int_equal(store_begin(c, false), KERR_OK);
	assert_int_equal(repo_events_feed(c, after, 10, &all, see_event, &s), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	return s;
}

/* One round: a slow writer takes an id, a fast one takes the next and
 * commits, then the feed is read from just before both. Skipped where one
 * writer commits at a time. */
static struct seen slow_and_fast(struct test_env *env, bool slow_commits)
{
	if (!env->store->row_locks) {
		printf("# one writer at a time on %s: ids are in commit order already\n",
		       env->store->backend);
		skip();
	}
	struct store_conn *c = conn(env);
	int64_t last = 0;
	assert_int_equal(store_first(c, &Q_LAST_EVENT, read_int, &last, ""), KERR_OK);
	(void)read_feed(c, last); /* the horizon is settled before the race */
	struct slow_writer w = {.env = env, .commit = slow_commits};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, slow_writer_main, &w), 0);
	pthread_mutex_lock(&w.mu);
	while (!w.appended)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	assert_false(w.failed);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(append_one(c, FEED_FAST), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	/* the fast event is committed; the slow one, below it, is not yet */
	struct seen s = read_feed(c, last);
	pthread_join(t, NULL);
	assert_false(w.failed);
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	return s;
}

/* A reader that finds a later event committed while an earlier one is
 * still on its way waits for it: the slow event first, then the fast one;
 * never the fast one alone, after which the slow one would be skipped. */
static void the_feed_waits_for_an_earlier_commit(void **state)
{
	struct seen s = slow_and_fast(*state, true);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.numbers[0], FEED_SLOW);
	assert_string_equal(s.numbers[1], FEED_FAST);
}

/* An id whose transaction rolled back is a gap for good: the reader is
 * held back only until the store settles that, then reads on. */
static void the_feed_reads_past_a_rollback(void **state)
{
	struct seen s = slow_and_fast(*state, false);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.numbers[0], FEED_FAST);
}

/* --- writes sent ahead (store_exec_later) --- */

static const struct sql_query Q_AHEAD_TABLE = {
	"CREATE TABLE ahead (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"};
static const struct sql_query Q_AHEAD_PUT = {"INSERT INTO ahead (k, v) VALUES (?, ?)"};
static const struct sql_query Q_AHEAD_SET = {"UPDATE ahead SET v = ? WHERE k = ?"};
static const struct sql_query Q_AHEAD_GET = {"SELECT v FROM ahead WHERE k = ?"};
static const struct sql_query Q_AHEAD_GET_OTHER = {"SELECT v FROM ahead WHERE k = ? LIMIT 1"};
static const struct sql_query Q_AHEAD_COUNT = {"SELECT COUNT(*) FROM ahead"};

static kerr keep_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

static struct store_conn *ahead_conn(struct test_env *env)
{
	struct store_conn *c = conn(env);
	assert_int_equal(store_exec(c, &Q_AHEAD_TABLE, ""), KERR_OK);
	return c;
}

static int64_t ahead_count(struct store_conn *c)
{
	int64_t n = -1;
	assert_int_equal(store_first(c, &Q_AHEAD_COUNT, keep_int, &n, ""), KERR_OK);
	return n;
}

/* --- the statement cache --- */

/* kouan's queries (store_queries_known: each defined with STORE_QUERY)
 * fill at most half of a connection's cache, so that it never fills and
 * its lookups stay short; and they are counted at all (256 in November
 * 2026: fewer than 200 would mean the count misses some). */
static void kouans_queries_fill_at_most_half_a_connections_cache(void **state)
{
	(void)state;
	size_t n = store_queries_known();
	print_message("kouan has %zu queries; a connection keeps %d\n", n, STORE_STMT_CACHE);
	assert_true(n >= 200);
	assert_true(n * 2 <= STORE_STMT_CACHE);
}

/* More distinct queries than kouan has (256 in November 2026), each a
 * static of its own as kouan's are. */
#define MANY_QUERIES 600
static struct sql_query many_queries[MANY_QUERIES];

/* A connection keeps every query it has run prepared, however many kouan
 * grows to: 600 distinct queries on top of what the set-up ran all
 * prepare and answer (the cache held 256 before, no more than kouan's). */
static void a_connection_keeps_more_queries_than_kouan_has(void **state)
{
	struct store_conn *c = conn(*state);
	for (int i = 0; i < MANY_QUERIES; i++) {
		many_queries[i].text = "SELECT ? + 1";
		int64_t v = -1;
		assert_int_equal(store_first(c, &many_queries[i], keep_int, &v, "i", (int64_t)i),
				 KERR_OK);
		assert_int_equal(v, i + 1);
	}
}

static const struct sql_query Q_AHEAD_PUT_TWO = {
	"INSERT INTO ahead (k, v) VALUES (?, ?), (?, ?)"};

/* Two rows in one statement of two (store_rows), or nothing. */
static kerr put_two(struct store_conn *c, int rows, const char *row_fmt)
{
	struct store_rows r;
	store_rows_begin(&r, c, &Q_AHEAD_PUT_TWO);
	char k[16];
	for (int i = 0; i < rows; i++) {
		snprintf(k, sizeof k, "r%d", i);
		store_rows_add(&r, row_fmt, k, (int64_t)(10 + i));
	}
	return store_rows_exec_later(&r);
}

/* Rows given one by one to a statement of several rows are written by it,
 * each with its own arguments. Too few rows, a row past the statement's
 * parameters, or a row's unknown letter, and nothing runs: the
 * transaction goes on, and the statement serves again. */
static void rows_fill_a_statement_of_several_or_it_does_not_run(void **state)
{
	struct store_conn *c = ahead_conn(*state);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(put_two(c, 1, "si"), KERR_INTERNAL);
	assert_int_equal(put_two(c, 3, "si"), KERR_INTERNAL);
	assert_int_equal(put_two(c, 2, "sx"), KERR_INTERNAL);
	assert_int_equal(put_two(c, 2, "s"), KERR_INTERNAL);
	assert_int_equal(ahead_count(c), 0);
	assert_int_equal(put_two(c, 2, "si"), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(ahead_count(c), 2);
	int64_t v = 0;
	assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", "r0"), KERR_OK);
	assert_int_equal(v, 10);
	assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", "r1"), KERR_OK);
	assert_int_equal(v, 11);
}

/* What is sent ahead runs in order, before the statement that reads; two
 * writes to one table are never merged into one statement (PostgreSQL),
 * where the second would not see the first's row. */
static void writes_sent_ahead_are_read_back_in_order(void **state)
{
	struct store_conn *c = ahead_conn(*state);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "a", (int64_t)1), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_SET, "is", (int64_t)2, "a"), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "b", (int64_t)3), KERR_OK);
	int64_t v = 0;
	assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", "a"), KERR_OK);
	assert_int_equal(v, 2);
	/* the last ones go with the commit */
	assert_int_equal(store_exec_later(c, &Q_AHEAD_SET, "is", (int64_t)4, "b"), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", "b"), KERR_OK);
	assert_int_equal(v, 4);
}

/* A write sent ahead that fails loses its transaction: where it was sent
 * without waiting (PostgreSQL) the next statement that waits fails, and
 * the commit; where it ran at once (SQLite) it fails there. Nothing of the
 * transaction is kept, and the connection serves the next one. */
static void a_write_sent_ahead_that_fails_loses_the_transaction(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = ahead_conn(env);
	bool sent_ahead = env->store->ops->step_later != NULL;
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "a", (int64_t)1), KERR_OK);
	kerr twice = store_exec_later(c, &Q_AHEAD_PUT, "si", "a", (int64_t)2);
	if (sent_ahead) {
		assert_int_equal(twice, KERR_OK);
		int64_t n = -1;
		assert_int_equal(store_first(c, &Q_AHEAD_COUNT, keep_int, &n, ""), KERR_STORE);
		assert_int_equal(store_commit(c), KERR_STORE);
		assert_false(store_should_retry(c));
	} else {
		assert_int_equal(twice, KERR_CONFLICT);
		store_rollback(c);
	}
	assert_int_equal(ahead_count(c), 0);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "b", (int64_t)1), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(ahead_count(c), 1);
	/* one that fails just before the commit fails the commit */
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "c", (int64_t)1), KERR_OK);
	if (sent_ahead) {
		assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "b", (int64_t)2), KERR_OK);
		assert_int_equal(store_commit(c), KERR_STORE);
	} else {
		assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "b", (int64_t)2),
				 KERR_CONFLICT);
		store_rollback(c);
	}
	assert_int_equal(ahead_count(c), 1);
}

/* On PostgreSQL, BEGIN and the writes sent ahead go with the next
 * statement that waits, and the last writes with the COMMIT: a
 * transaction of three writes, a read and a write takes two round trips
 * (six, each statement waiting for its answer). */
static void writes_sent_ahead_share_a_round_trip(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = ahead_conn(env);
	if (store_round_trips(c) < 0) {
		printf("# %s runs in the process: no round trips\n", env->store->backend);
		skip();
	}
	/* each statement is prepared once per connection, on its first use */
	for (int pass = 0; pass < 2; pass++) {
		int64_t before = store_round_trips(c);
		assert_int_equal(store_begin(c, true), KERR_OK);
		char k[8];
		for (int i = 0; i < 3; i++) {
			snprintf(k, sizeof k, "%d.%d", pass, i);
			assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", k, (int64_t)i),
					 KERR_OK);
		}
		int64_t n = -1;
		assert_int_equal(store_first(c, &Q_AHEAD_COUNT, keep_int, &n, ""), KERR_OK);
		assert_int_equal(n, 3 * (pass + 1));
		assert_int_equal(store_exec_later(c, &Q_AHEAD_SET, "is", (int64_t)9, k), KERR_OK);
		assert_int_equal(store_commit(c), KERR_OK);
		if (pass == 1)
			assert_int_equal(store_round_trips(c) - before, 2);
	}
}

/* --- writes sent ahead, merged (PostgreSQL) --- */

static const struct sql_query Q_OTHER_TABLE = {
	"CREATE TABLE ahead_other (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"};
static const struct sql_query Q_OTHER_PUT = {"INSERT INTO ahead_other (k, v) VALUES (?, ?)"};
static const struct sql_query Q_OTHER_COPY = {
	"INSERT INTO ahead_other (k, v) SELECT k, v FROM ahead WHERE k = ?"};
static const struct sql_query Q_OTHER_GET = {"SELECT v FROM ahead_other WHERE k = ?"};
static const struct sql_query Q_MERGED = {
	"SELECT statement FROM pg_prepared_statements WHERE name LIKE 'm%' ORDER BY name"};

/* A connection with the tables ahead and ahead_other, on PostgreSQL (NULL
 * on SQLite, where a write sent ahead runs at once). */
static struct store_conn *merging_conn(struct test_env *env)
{
	if (!env->store->ops->step_later) {
		print_message("SQLite runs each write at once: nothing to merge\n");
		return NULL;
	}
	struct store_conn *c = ahead_conn(env);
	assert_int_equal(store_exec(c, &Q_OTHER_TABLE, ""), KERR_OK);
	return c;
}

static kerr add_text(void *arg, struct store_stmt *st)
{
	struct buf *b = arg;
	return buf_printf(b, "%s;", stmt_text(st, 0));
}

/* The rows q gives, their first columns each followed by ';', are
 * `expected`. */
static void assert_rows(struct store_conn *c, const struct sql_query *q, const char *expected)
{
	struct buf rows;
	buf_init(&rows, 4096);
	assert_int_equal(store_each(c, q, add_text, &rows, ""), KERR_OK);
	assert_string_equal(rows.data ? rows.data : "", expected);
	buf_free(&rows);
}

/* The connection prepared one merged statement: a write to ahead, then
 * one to ahead_other. */
static void merged_once(struct store_conn *c)
{
	assert_rows(c, &Q_MERGED, "WITH w0 AS (INSERT INTO ahead (k, v) VALUES ($1, $2)) "
				  "INSERT INTO ahead_other (k, v) VALUES ($3, $4);");
}

/* Writes sent ahead one after the other to different tables go as one
 * statement, the first a clause of a WITH, prepared once on the
 * connection: and each is written. */
static void writes_sent_ahead_to_different_tables_go_as_one_statement(void **state)
{
	struct store_conn *c = merging_conn(*state);
	if (!c)
		return;
	for (int pass = 0; pass < 2; pass++) {
		char k[8];
		snprintf(k, sizeof k, "k%d", pass);
		assert_int_equal(store_begin(c, true), KERR_OK);
		assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", k, (int64_t)1), KERR_OK);
		assert_int_equal(store_exec_later(c, &Q_OTHER_PUT, "si", k, (int64_t)2), KERR_OK);
		assert_int_equal(store_commit(c), KERR_OK);
		int64_t v = 0;
		assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", k), KERR_OK);
		assert_int_equal(v, 1);
		assert_int_equal(store_first(c, &Q_OTHER_GET, keep_int, &v, "s", k), KERR_OK);
		assert_int_equal(v, 2);
	}
	merged_once(c);
}

/* A write that reads another table is sent as itself: merged, it would
 * not see what the write before it wrote. Nor is a second write to a
 * table merged with the first (writes_sent_ahead_are_read_back_in_order). */
static void a_write_that_reads_goes_alone(void **state)
{
	struct store_conn *c = merging_conn(*state);
	if (!c)
		return;
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "a", (int64_t)7), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_OTHER_COPY, "s", "a"), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	int64_t v = 0;
	assert_int_equal(store_first(c, &Q_OTHER_GET, keep_int, &v, "s", "a"), KERR_OK);
	assert_int_equal(v, 7);
}

/* One write of a merged statement that fails loses the transaction: the
 * commit fails, and nothing of it is kept (the two writes went merged:
 * the statement was prepared). */
static void a_merged_write_that_fails_loses_the_transaction(void **state)
{
	struct store_conn *c = merging_conn(*state);
	if (!c)
		return;
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_OTHER_PUT, "si", "b", (int64_t)1), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "a", (int64_t)1), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_OTHER_PUT, "si", "b", (int64_t)2), KERR_OK);
	assert_int_equal(store_commit(c), KERR_STORE);
	assert_int_equal(ahead_count(c), 0);
	int64_t v = 0;
	assert_int_equal(store_first(c, &Q_OTHER_GET, keep_int, &v, "s", "b"), KERR_OK);
	assert_int_equal(v, 1);
	merged_once(c);
}

/* --- reads sent ahead (store_ahead_send) --- */

static const struct sql_query Q_AHEAD_BROKEN = {"SELECT CAST(k AS INTEGER) FROM ahead"};

/* Reads sent ahead give their rows when read, each its own, however many
 * statements went between. On PostgreSQL they go with the next statement
 * that waits: BEGIN, two writes, two reads ahead and a read that waits
 * take one round trip, and the commit another. */
static void reads_sent_ahead_come_with_the_next_that_waits(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = ahead_conn(env);
	bool counted = store_round_trips(c) >= 0;
	/* each statement is prepared once per connection, on its first use */
	for (int pass = 0; pass < 2; pass++) {
		int64_t before = store_round_trips(c);
		char a[8], b[8];
		snprintf(a, sizeof a, "a%d", pass);
		snprintf(b, sizeof b, "b%d", pass);
		assert_int_equal(store_begin(c, true), KERR_OK);
		assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", a, (int64_t)10 + pass),
				 KERR_OK);
		assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", b, (int64_t)20 + pass),
				 KERR_OK);
		struct store_ahead one, all;
		store_ahead_send(&one, c, &Q_AHEAD_GET, "s", a);
		store_ahead_send(&all, c, &Q_AHEAD_COUNT, "");
		int64_t v = -1, n = -1, w = -1;
		assert_int_equal(store_first(c, &Q_AHEAD_GET_OTHER, keep_int, &w, "s", b), KERR_OK);
		assert_int_equal(w, 20 + pass);
		assert_int_equal(store_ahead_each(&all, keep_int, &n), KERR_OK);
		assert_int_equal(store_ahead_each(&one, keep_int, &v), KERR_OK);
		assert_int_equal(v, 10 + pass);
		assert_int_equal(n, 2 * (pass + 1));
		/* read once */
		assert_int_equal(store_ahead_each(&one, keep_int, &v), KERR_INTERNAL);
		assert_int_equal(store_commit(c), KERR_OK);
		if (counted && pass == 1)
			assert_int_equal(store_round_trips(c) - before, 2);
	}
	/* one read as soon as sent waits for its own answer */
	assert_int_equal(store_begin(c, false), KERR_OK);
	struct store_ahead one;
	store_ahead_send(&one, c, &Q_AHEAD_GET, "s", "a1");
	int64_t v = -1;
	assert_int_equal(store_ahead_each(&one, keep_int, &v), KERR_OK);
	assert_int_equal(v, 11);
	assert_int_equal(store_commit(c), KERR_OK);
}

/* A query sent ahead is taken until it is read or dropped: running it
 * again fails, and once it is dropped the query answers for itself, not
 * with the rows of the read dropped. */
static void a_read_sent_ahead_is_read_or_dropped_before_its_query_runs_again(void **state)
{
	struct store_conn *c = ahead_conn(*state);
	assert_int_equal(store_exec(c, &Q_AHEAD_PUT, "si", "a", (int64_t)1), KERR_OK);
	assert_int_equal(store_exec(c, &Q_AHEAD_PUT, "si", "b", (int64_t)2), KERR_OK);
	assert_int_equal(store_begin(c, true), KERR_OK);
	struct store_ahead one;
	store_ahead_send(&one, c, &Q_AHEAD_GET, "s", "a");
	int64_t v = -1;
	assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", "b"), KERR_STORE);
	assert_int_equal(v, -1);
	store_ahead_drop(&one);
	store_ahead_drop(&one); /* twice is harmless */
	assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", "b"), KERR_OK);
	assert_int_equal(v, 2);
	/* dropped after its answer came: the same */
	store_ahead_send(&one, c, &Q_AHEAD_GET, "s", "a");
	assert_int_equal(store_first(c, &Q_AHEAD_COUNT, keep_int, &v, ""), KERR_OK);
	assert_int_equal(v, 2);
	store_ahead_drop(&one);
	assert_int_equal(store_first(c, &Q_AHEAD_GET, keep_int, &v, "s", "b"), KERR_OK);
	assert_int_equal(v, 2);
	assert_int_equal(store_commit(c), KERR_OK);
	/* a zeroed one, never sent, may be dropped */
	struct store_ahead none = {0};
	store_ahead_drop(&none);
}

/* A read sent ahead that fails loses its transaction where it was sent
 * without waiting (PostgreSQL): the statement that waits after it fails,
 * the read, and the commit; the connection serves the next transaction. */
static void a_read_sent_ahead_that_fails_loses_the_transaction(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = ahead_conn(env);
	if (!env->store->ops->send_ahead) {
		printf("# %s runs a read when it is read: nothing is sent ahead\n",
		       env->store->backend);
		skip();
	}
	assert_int_equal(store_exec(c, &Q_AHEAD_PUT, "si", "a", (int64_t)1), KERR_OK);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec_later(c, &Q_AHEAD_PUT, "si", "b", (int64_t)2), KERR_OK);
	struct store_ahead broken;
	store_ahead_send(&broken, c, &Q_AHEAD_BROKEN, "");
	int64_t n = -1;
	assert_int_equal(store_first(c, &Q_AHEAD_COUNT, keep_int, &n, ""), KERR_STORE);
	assert_int_equal(store_ahead_each(&broken, keep_int, &n), KERR_STORE);
	assert_int_equal(store_commit(c), KERR_STORE);
	assert_int_equal(ahead_count(c), 1);
	/* the failure was the read's: alone, it fails when read */
	assert_int_equal(store_begin(c, false), KERR_OK);
	store_ahead_send(&broken, c, &Q_AHEAD_BROKEN, "");
	assert_int_equal(store_ahead_each(&broken, keep_int, &n), KERR_STORE);
	store_rollback(c);
	assert_int_equal(ahead_count(c), 1);
}

/* --- announcements between servers --- */

static uint64_t feed_wakes(struct test_env *env)
{
	pthread_mutex_lock(&env->app.feed.lock);
	uint64_t g = env->app.feed.generation;
	pthread_mutex_unlock(&env->app.feed.lock);
	return g;
}

/* Wait up to 5 s for the feed's wake-ups to pass `than`. */
static bool woken_past(struct test_env *env, uint64_t than)
{
	for (int i = 0; i < 500; i++) {
		if (feed_wakes(env) > than)
			return true;
		usleep(10000);
	}
	return false;
}

/* n transactions, one after the other, each announcing the feed. */
static void announce_in_turn(struct store_conn *c, int n)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(store_begin(c, true), KERR_OK);
		assert_int_equal(store_announce(c, STORE_TOPIC_FEED), KERR_OK);
		assert_int_equal(store_commit(c), KERR_OK);
	}
}

/* The same on another server: a store of its own on the same database,
 * closed right after its last commit. */
static void announce_on_another_server(struct test_env *env, int n)
{
	struct store_options so = {.url = env->db, .sync = STORE_SYNC_PROCESS};
	struct store *other;
	struct store_conn *c;
	assert_int_equal(store_open(&so, &other), KERR_OK);
	assert_int_equal(other->ops->conn_open(other, &c), KERR_OK);
	announce_in_turn(c, n);
	other->ops->conn_close(c);
	store_close(other);
}

/* On PostgreSQL a transaction's announcement is sent once it has
 * committed, in a transaction of its own (so that notifying commits do not
 * take turns through their flushes), by the store's announcer: the
 * servers' watchers hear it once the transaction has committed, and never
 * for one rolled back. */
static void an_announcement_reaches_the_watchers_once_committed(void **state)
{
	struct test_env *env = *state;
	if (!env->store->ops->watch) {
		printf("# %s has one server: no watcher\n", env->store->backend);
		skip();
	}
	/* the watcher wakes the feed once when it starts listening */
	assert_true(woken_past(env, 0));
	struct store_conn *c = conn(env);
	uint64_t before = feed_wakes(env);
	announce_in_turn(c, 1);
	assert_true(woken_past(env, before));
	/* after a script, which leaves the pipeline, the same */
	before = feed_wakes(env);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(env->store->ops->exec_script(c, "SELECT 1"), KERR_OK);
	assert_int_equal(store_announce(c, STORE_TOPIC_FEED), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_true(woken_past(env, before));
	/* rolled back: nothing is heard */
	before = feed_wakes(env);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_announce(c, STORE_TOPIC_FEED), KERR_OK);
	store_rollback(c);
	usleep(300000);
	assert_int_equal(feed_wakes(env), before);
	/* and the connection goes on in its pipeline after the announcement */
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
}

/* The announcements of a server's commits go as one NOTIFY per few
 * milliseconds (store_pg.c, the announcer): a burst of commits on another
 * server wakes this one's watcher fewer times than it commits, and at
 * least once after its last commit, even when that server closes its store
 * at once (what is owed is sent before it stops). */
static void a_burst_of_commits_is_announced_once_in_a_while(void **state)
{
	struct test_env *env = *state;
	if (!env->store->ops->watch) {
		printf("# %s has one server: no watcher\n", env->store->backend);
		skip();
	}
	assert_true(woken_past(env, 0));
	uint64_t before = feed_wakes(env);
	enum { COMMITS = 200 };
	announce_on_another_server(env, COMMITS);
	assert_true(woken_past(env, before));
	usleep(300000);
	uint64_t wakes = feed_wakes(env) - before;
	printf("# %d commits announced in %llu wake-ups\n", COMMITS, (unsigned long long)wakes);
	assert_true(wakes < COMMITS / 2);
	/* the last one is heard: one commit after a pause of the announcer */
	before = feed_wakes(env);
	announce_on_another_server(env, 1);
	assert_true(woken_past(env, before));
}

/* --- the planner's statistics of a grown table (migration 0024) --- */

static const struct sql_query Q_GROWN_CHANGES = {
	"SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'grown'"};
static const struct sql_query Q_GROWN_ANALYSES = {
	"SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'grown'"};
static const struct sql_query Q_GROWN_ROWS = {
	"SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE relname = 'grown'"};
static const struct sql_query Q_GROWN_ADD = {
	"INSERT INTO grown SELECT generate_series(1, CAST(? AS INTEGER))"};
static const struct sql_query Q_FLUSH_STATS = {"SELECT pg_stat_force_next_flush()"};

static int64_t grown_figure(struct store_conn *c, const struct sql_query *q)
{
	int64_t v = -1;
	assert_int_equal(store_first(c, q, read_int, &v, ""), KERR_OK);
	return v;
}

/* Wait until the statistics' figure q reads `want` (a session reports its
 * changes when idle, and they are counted a moment later). */
static void wait_for_figure(struct store_conn *c, const struct sql_query *q, int64_t want)
{
	for (int i = 0; i < 200; i++) {
		assert_int_equal(store_exec(c, &Q_FLUSH_STATS, ""), KERR_OK);
		if (grown_figure(c, q) == want)
			return;
		usleep(25 * 1000);
	}
	fail_msg("the statistics never read %lld (they say %lld): %s", (long long)want,
		 (long long)grown_figure(c, q), q->text);
}

/* Add n rows to `grown`, and wait until the statistics count its changes
 * since its last ANALYZE at `changes`. */
static void grow(struct store_conn *c, int64_t n, int64_t changes)
{
	assert_int_equal(store_exec(c, &Q_GROWN_ADD, "i", n), KERR_OK);
	wait_for_figure(c, &Q_GROWN_CHANGES, changes);
}

/* Whether the list "a, b, c" names `table`. */
static bool names_hold(const char *names, const char *table)
{
	size_t n = strlen(table);
	for (const char *p = names;;) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, table, n))
			return true;
		if (!end)
			return false;
		p = end + 2;
	}
}

/* Gather the statistics of the grown tables; whether `table` was one. */
static bool analysed_named(struct test_env *env, const char *table)
{
	char names[4096];
	int n = -1;
	assert_int_equal(store_analyse_grown(env->store, 1000, names, sizeof names, &n), KERR_OK);
	assert_int_equal(n > 0, names[0] != '\0');
	return names_hold(names, table);
}

static bool analysed(struct test_env *env)
{
	return analysed_named(env, "grown");
}

/* A table analysed at a handful of rows is analysed again once changed
 * 1,000 times and as many times as it counted rows: each time it doubles,
 * never before. On SQLite, which kouan never analyses, the planner's
 * estimates are fixed and cannot go stale: nothing to do. */
static void a_grown_table_is_analysed_each_time_it_doubles(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	if (!env->pgname[0]) {
		char names[64] = "x";
		int n = -1;
		assert_int_equal(store_analyse_grown(env->store, 1, names, sizeof names, &n),
				 KERR_OK);
		assert_int_equal(n, 0);
		assert_string_equal(names, "");
		return;
	}
	static const char table[] =
		"CREATE TABLE grown (n BIGINT) WITH (autovacuum_enabled = false)";
	assert_int_equal(env->store->ops->exec_script(c, table), KERR_OK);
	grow(c, 3, 3); /* reported before the ANALYZE, which then counts them */
	assert_int_equal(env->store->ops->exec_script(c, "ANALYZE grown"), KERR_OK);
	assert_int_equal(grown_figure(c, &Q_GROWN_ROWS), 3);

	grow(c, 999, 999); /* changed by far more than its size, but not 1,000 times */
	assert_false(analysed(env));
	grow(c, 1, 1000);
	assert_true(analysed(env));
	assert_int_equal(grown_figure(c, &Q_GROWN_ROWS), 1003);
	assert_int_equal(grown_figure(c, &Q_GROWN_CHANGES), 0);

	grow(c, 1002, 1002); /* 1,000 changes, but fewer than the 1,003 rows counted */
	assert_false(analysed(env));
	grow(c, 1, 1003);
	assert_true(analysed(env));
	assert_int_equal(grown_figure(c, &Q_GROWN_ROWS), 2006);
	assert_int_equal(grown_figure(c, &Q_GROWN_ANALYSES), 3);
}

/* --- the statistics of a partitioned table as a whole (migration 0026) --- */

static const struct sql_query Q_WHOLE_ADD = {
	"INSERT INTO grown_whole SELECT CAST(? AS BIGINT) + generate_series(1, CAST(? AS INTEGER))"};
static const struct sql_query Q_WHOLE_LIVE = {
	"SELECT COALESCE(SUM(n_live_tup), 0) FROM pg_stat_user_tables"
	" WHERE relname IN ('grown_whole_low', 'grown_whole_high')"};
static const struct sql_query Q_WHOLE_ROWS = {
	"SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE relname = 'grown_whole'"};
static const struct sql_query Q_WHOLE_STATS = {
	"SELECT count(*) FROM pg_stats WHERE tablename = 'grown_whole' AND inherited"};

/* Add n rows from `from` + 1 on (below 1,000,000: the low partition), and
 * wait until the partitions' live rows are counted at `live`. */
static void grow_whole(struct store_conn *c, int64_t from, int64_t n, int64_t live)
{
	assert_int_equal(store_exec(c, &Q_WHOLE_ADD, "ii", from, n), KERR_OK);
	wait_for_figure(c, &Q_WHOLE_LIVE, live);
}

/* A partitioned table, which holds no rows itself and which autovacuum
 * never analyses, is analysed as a whole once its partitions hold 1,000
 * rows, then each time they double; across partitions, none of which
 * grew enough to be analysed alone. */
static void a_partitioned_table_is_analysed_as_a_whole_each_time_it_doubles(void **state)
{
	struct test_env *env = *state;
	if (!env->pgname[0]) {
		print_message("# SQLite has no partitioned tables\n");
		return;
	}
	struct store_conn *c = conn(env);
	static const char tables[] =
		"CREATE TABLE grown_whole (n BIGINT) PARTITION BY RANGE (n);"
		" CREATE TABLE grown_whole_low PARTITION OF grown_whole"
		" FOR VALUES FROM (MINVALUE) TO (1000000) WITH (autovacuum_enabled = false);"
		" CREATE TABLE grown_whole_high PARTITION OF grown_whole"
		" FOR VALUES FROM (1000000) TO (MAXVALUE) WITH (autovacuum_enabled = false)";
	assert_int_equal(env->store->ops->exec_script(c, tables), KERR_OK);
	assert_int_equal(grown_figure(c, &Q_WHOLE_ROWS), -1); /* never analysed */

	grow_whole(c, 0, 600, 600);
	grow_whole(c, 1000000, 399, 999);
	assert_false(analysed_named(env, "grown_whole"));
	grow_whole(c, 1000399, 1, 1000);
	assert_true(analysed_named(env, "grown_whole"));
	assert_int_equal(grown_figure(c, &Q_WHOLE_ROWS), 1000);
	assert_true(grown_figure(c, &Q_WHOLE_STATS) > 0);
	assert_false(analysed_named(env, "grown_whole")); /* nothing grew since */

	grow_whole(c, 600, 999, 1999); /* short of twice the 1,000 counted */
	assert_false(analysed_named(env, "grown_whole"));
	grow_whole(c, 1000400, 1, 2000);
	assert_true(analysed_named(env, "grown_whole"));
	assert_int_equal(grown_figure(c, &Q_WHOLE_ROWS), 2000);
}

/* --- migration 0025: the risk engine's two questions, tables of their own --- */

static const struct sql_query Q_KEPT_ORG = {
	"INSERT INTO organisations (id, uscc, name, kind, created_at)"
	" VALUES (1, 'ORG-0025', 'Haitong', 'trader', '2026-11-01T00:00:00Z')"};
static const struct sql_query Q_KEPT_USER = {
	"INSERT INTO users (id, org_id, username, display_name, password_hash, role, created_at)"
	" VALUES (1, 1, 'trader', 'Trader', '-', 'declarant', '2026-11-01T00:00:00Z')"};
static const struct sql_query Q_KEPT_DECLARATION = {
	"INSERT INTO declarations (number, org_id, lodged_by, status, direction,"
	" declaration_office, port_office, bill_of_lading, version, body, lodged_at,"
	" updated_at, consignee_uscc, port) VALUES (?, 1, 1, ?, ?, '5141', '5141', ?, 1, '-',"
	" 1795800000000000, 1795800000000000, ?, 'CNCAN')"};
static const struct sql_query Q_IMPORTERS = {
	"SELECT consignee_uscc || ' ' || CAST(declaration_number AS TEXT) FROM importers"
	" ORDER BY consignee_uscc"};
static const struct sql_query Q_IMPORTERS_MOVED = {
	"SELECT consignee_uscc || ' ' || CAST(declaration_number AS TEXT) FROM importers"
	" WHERE consignee_uscc LIKE 'C-%' ORDER BY consignee_uscc"};
static const struct sql_query Q_WITHDRAWALS = {
	"SELECT consignee_uscc || ' ' || bill_of_lading || ' '"
	" || CAST(declaration_number AS TEXT) FROM withdrawals ORDER BY declaration_number"};

static void known(struct store_conn *c, const char *uscc, const char *number, bool expected)
{
	bool is_known = !expected;
	assert_int_equal(repo_known_importer(c, uscc, number, IMPORTER_UNASKED, &is_known),
			 KERR_OK);
	assert_int_equal(is_known, expected);
}

/* The declarations kept before 0025 fill its two tables: each consignee
 * with imports once, with one of them, and every withdrawn declaration,
 * import or export; whether a consignee has imported reads the same
 * before and after. */
static void the_risk_questions_survive_their_migration(void **state)
{
	struct test_env *env = *state;
	static const char *const kept[][5] = {
		/* number, status, direction, bill, consignee */
		{"514120261000000002", "accepted", "import", "B-1", "C-TWO-IMPORTS"},
		{"514120261000000001", "released", "import", "B-2", "C-TWO-IMPORTS"},
		{"514120260000000003", "accepted", "export", "B-3", "C-EXPORTS"},
		{"514120260000000004", "withdrawn", "export", "B-4", "C-EXPORTS"},
		{"514120261000000005", "withdrawn", "import", "B-5", "C-ONE-IMPORT"},
	};
	struct store_conn *c;
	struct store *s = earlier_store_writing(env, 24, &c);
	assert_int_equal(store_exec(c, &Q_KEPT_ORG, ""), KERR_OK);
	assert_int_equal(store_exec(c, &Q_KEPT_USER, ""), KERR_OK);
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		assert_int_equal(store_exec(c, &Q_KEPT_DECLARATION, "sssss", kept[i][0],
					    kept[i][1], kept[i][2], kept[i][3], kept[i][4]),
				 KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);

	assert_int_equal(store_migrate(s, TEST_EPOCH_US), KERR_OK);
	assert_int_equal(store_thread_conn(s, &c), KERR_OK);
	assert_rows(c, &Q_IMPORTERS,
		    "C-ONE-IMPORT 514120261000000005;C-TWO-IMPORTS 514120261000000001;");
	assert_rows(c, &Q_WITHDRAWALS,
		    "C-EXPORTS B-4 514120260000000004;C-ONE-IMPORT B-5 514120261000000005;");
	/* the one kept, and the other of two imports, each have another */
	known(c, "C-TWO-IMPORTS", "514120261000000001", true);
	known(c, "C-TWO-IMPORTS", "514120261000000002", true);
	known(c, "C-TWO-IMPORTS", "514120261000000099", true);
	known(c, "C-ONE-IMPORT", "514120261000000005", false);
	known(c, "C-ONE-IMPORT", "514120261000000099", true);
	known(c, "C-EXPORTS", "514120261000000099", false);
	known(c, "C-NEVER-SEEN", "514120261000000099", false);
	test_earlier_store_close(env, s);
}

/* --- importers: two corrections moving one consignee's imports away --- */

#define MOVED_FIRST "514120261000000201"
#define MOVED_SECOND "514120261000000202"

static struct decl_row import_of(const char *number, const char *consignee)
{
	struct decl_row d = {.org_id = 1, .lodged_by = 1, .status = DECL_RETURNED,
			     .import = true, .version = 1, .body = (char *)"{}"};
	str_copy(d.number, number, sizeof d.number);
	str_copy(d.declaration_office, "5141", sizeof d.declaration_office);
	str_copy(d.port_office, "5141", sizeof d.port_office);
	str_copy(d.bill_of_lading, number, sizeof d.bill_of_lading);
	str_copy(d.consignee_uscc, consignee, sizeof d.consignee_uscc);
	str_copy(d.port, "CNCAN", sizeof d.port);
	str_copy(d.lodged_at, "2026-11-23T09:40:00Z", sizeof d.lodged_at);
	str_copy(d.updated_at, "2026-11-23T09:40:00Z", sizeof d.updated_at);
	return d;
}

/* A correction that moves `number` from C-MOVED to `to`, on its own
 * thread, and takes its time to commit. */
struct mover {
	struct test_env *env;
	const char *number, *to;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool moved, failed;
};

static bool move_import(struct store_conn *c, const char *number, const char *to)
{
	struct decl_row d = import_of(number, to);
	d.version = 2;
	return !store_begin(c, true) && !repo_decl_replace_body(c, &d, "C-MOVED");
}

static void *mover_main(void *arg)
{
	struct mover *m = arg;
	struct store_conn *c;
	bool ok = !store_thread_conn(m->env->store, &c) && move_import(c, m->number, m->to);
	pthread_mutex_lock(&m->mu);
	m->moved = true;
	m->failed = !ok;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	usleep(300 * 1000); /* the other correction waits for it meanwhile */
	if (ok)
		m->failed = store_commit(c) != KERR_OK;
	else
		store_rollback(c);
	store_thread_release();
	return NULL;
}

/* Two corrections move a consignee's two imports away at once: the first
 * moves the consignee's kept import to its other one, the second moves
 * that one away before the first has committed. The second waits for the
 * first (the consignee's row is locked) and reads what it left, so the
 * consignee is no longer an importer; without the lock it would be kept
 * as one, by an import that is another's. Where one writer runs at a
 * time, the second simply comes after the first. */
static void corrections_moving_imports_away_take_turns(void **state)
{
	struct test_env *env = *state;
	struct store_conn *c = conn(env);
	assert_int_equal(store_begin(c, true), KERR_OK);
	struct decl_row first = import_of(MOVED_FIRST, "C-MOVED");
	struct decl_row second = import_of(MOVED_SECOND, "C-MOVED");
	assert_int_equal(repo_decl_insert(c, &first), KERR_OK);
	assert_int_equal(repo_decl_insert(c, &second), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_rows(c, &Q_IMPORTERS_MOVED, "C-MOVED " MOVED_FIRST ";");

	struct mover m = {.env = env, .number = MOVED_FIRST, .to = "C-FIRST-NOW"};
	pthread_mutex_init(&m.mu, NULL);
	pthread_cond_init(&m.cv, NULL);
	pthread_t t;
	if (env->store->row_locks) {
		assert_int_equal(pthread_create(&t, NULL, mover_main, &m), 0);
		pthread_mutex_lock(&m.mu);
		while (!m.moved)
			pthread_cond_wait(&m.cv, &m.mu);
		pthread_mutex_unlock(&m.mu);
	} else {
		m.failed = !move_import(c, MOVED_FIRST, "C-FIRST-NOW") || store_commit(c);
	}
	assert_true(move_import(c, MOVED_SECOND, "C-SECOND-NOW"));
	assert_int_equal(store_commit(c), KERR_OK);
	if (env->store->row_locks)
		pthread_join(t, NULL);
	assert_false(m.failed);
	pthread_mutex_destroy(&m.mu);
	pthread_cond_destroy(&m.cv);
	assert_rows(c, &Q_IMPORTERS_MOVED,
		    "C-FIRST-NOW " MOVED_FIRST ";C-SECOND-NOW " MOVED_SECOND ";");
	bool known = true;
	assert_int_equal(repo_known_importer(c, "C-MOVED", "514120261000000299",
					     IMPORTER_UNASKED, &known),
			 KERR_OK);
	assert_false(known);
}

/* SQLite's WAL under a steady load. */
#define BALLAST_ROW 3000 /* bytes a row: one row fills most of a page */
#define BALLAST_ROWS 4000 /* rows each writer commits, one a transaction */
#define BALLAST_WRITERS 4
#define BALLAST_READERS 2
#define BALLAST_RESTART 64 /* frames: the WAL starts over past 256 KB */

static const struct sql_query Q_BALLAST_TABLE = {"CREATE TABLE ballast(b BLOB)"};
static const struct sql_query Q_BALLAST_ADD = {"INSERT INTO ballast VALUES (randomblob(3000))"};
static const struct sql_query Q_BALLAST_COUNT = {"SELECT count(*) FROM ballast"};
static const struct sql_query Q_BALLAST_LAST = {"SELECT max(rowid) FROM ballast"};

struct ballast {
	struct store *store;
	atomic_bool writing;
	atomic_int failed;
};

/* How many times the WAL of the SQLite file at `path` started over (its
 * header's checkpoint sequence number, big-endian at byte 12), and its
 * size. */
static uint32_t wal_restarts(const char *path, int64_t *size)
{
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", path);
	FILE *f = fopen(wal, "rb");
	assert_non_null(f);
	unsigned char head[16];
	assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
	struct stat st;
	assert_int_equal(fstat(fileno(f), &st), 0);
	fclose(f);
	*size = st.st_size;
	return (uint32_t)head[12] << 24 | (uint32_t)head[13] << 16 | (uint32_t)head[14] << 8 |
	       head[15];
}

/* A SQLite store of its own for the WAL's tests, in the environment's
 * directory, with the ballast table; NULL (skipped) on PostgreSQL. */
static struct store *ballast_store(struct test_env *env, char path[512])
{
	if (strcmp(env->store->backend, "sqlite") != 0) {
		printf("# SQLite's own: run with the SQLite store\n");
		return NULL;
	}
	snprintf(path, 512, "%s/ballast.db", env->dir);
	struct store_options so = {.url = path,
				   .sync = STORE_SYNC_PROCESS,
				   .wal_restart_frames = BALLAST_RESTART};
	struct store *s;
	assert_int_equal(store_sqlite_open(&so, &s), KERR_OK);
	struct store_conn *c;
	assert_int_equal(s->ops->conn_open(s, &c), KERR_OK);
	assert_int_equal(store_begin(c, true), KERR_OK);
	assert_int_equal(store_exec(c, &Q_BALLAST_TABLE, ""), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	s->ops->conn_close(c);
	return s;
}

/* A writer commits BALLAST_ROWS rows, one a transaction; a reader reads
 * the last row, one short read after another, while the writers write:
 * each read holds the WAL as it was when it began, as a request's do. */
static void ballast_work(struct ballast *b, bool writer)
{
	struct store_conn *c;
	if (b->store->ops->conn_open(b->store, &c)) {
		atomic_fetch_add(&b->failed, 1);
		return;
	}
	for (int i = 0; writer ? i < BALLAST_ROWS : atomic_load(&b->writing); i++) {
		int64_t n = 0;
		kerr e = store_begin(c, writer);
		if (!e)
			e = writer ? store_exec(c, &Q_BALLAST_ADD, "")
				   : store_first(c, &Q_BALLAST_LAST, read_int, &n, "");
		if (!e)
			e = store_commit(c);
		if (e) {
			store_rollback(c);
			atomic_fetch_add(&b->failed, 1);
			break;
		}
	}
	b->store->ops->conn_close(c);
}

static void *ballast_writer_main(void *arg)
{
	ballast_work(arg, true);
	return NULL;
}

static void *ballast_reader_main(void *arg)
{
	ballast_work(arg, false);
	return NULL;
}

/* Writers one after another, with readers beside them, leave a PASSIVE
 * checkpoint no moment to catch up, and SQLite starts the WAL over only
 * when one has: the WAL grew by every page written until a hard limit
 * (about 800 MB). The checkpointer now takes the writer's turn once the WAL
 * passes its limit, and the WAL starts over, again and again: the file
 * stays well below what was written through it (more than twice that
 * without the restarts). */
static void sqlites_wal_starts_over_under_a_steady_load(void **state)
{
	char path[512];
	struct ballast b = {.store = ballast_store(*state, path), .failed = 0};
	if (!b.store)
		skip();
	atomic_init(&b.writing, true);
	struct store_conn *c;
	assert_int_equal(b.store->ops->conn_open(b.store, &c), KERR_OK);
	pthread_t writers[BALLAST_WRITERS], readers[BALLAST_READERS];
	for (int i = 0; i < BALLAST_READERS; i++)
		assert_int_equal(pthread_create(&readers[i], NULL, ballast_reader_main, &b), 0);
	for (int i = 0; i < BALLAST_WRITERS; i++)
		assert_int_equal(pthread_create(&writers[i], NULL, ballast_writer_main, &b), 0);
	for (int i = 0; i < BALLAST_WRITERS; i++)
		pthread_join(writers[i], NULL);
	atomic_store(&b.writing, false);
	for (int i = 0; i < BALLAST_READERS; i++)
		pthread_join(readers[i], NULL);
	assert_int_equal(atomic_load(&b.failed), 0);
	int64_t rows = 0;
	assert_int_equal(store_begin(c, false), KERR_OK);
	assert_int_equal(store_first(c, &Q_BALLAST_COUNT, read_int, &rows, ""), KERR_OK);
	assert_int_equal(store_commit(c), KERR_OK);
	assert_int_equal(rows, BALLAST_WRITERS * BALLAST_ROWS);
	/* read before the store closes: it truncates the WAL then */
	int64_t size;
	uint32_t restarts = wal_restarts(path, &size);
	int64_t written = (int64_t)BALLAST_WRITERS * BALLAST_ROWS * BALLAST_ROW;
	printf("# the WAL started over %u times, and is %lld bytes after %lld written"
	       " through it\n",
	       restarts, (long long)size, (long long)written);
	assert_true(restarts >= 3);
	/* without starting over it is more than twice what was written */
	assert_true(size < written + written / 2);
	b.store->ops->conn_close(c);
	store_close(b.store);
}

/* A reader that began before the writes holds the WAL as it was: the WAL
 * cannot start over while it reads (a backup, say), and the writers go on
 * (the checkpointer waits for it less and less often); once it has ended,
 * the WAL starts over again. */
static void a_reader_holds_sqlites_wal_until_it_ends(void **state)
{
	char path[512];
	struct ballast b = {.store = ballast_store(*state, path), .failed = 0};
	if (!b.store)
		skip();
	struct store_conn *reader;
	assert_int_equal(b.store->ops->conn_open(b.store, &reader), KERR_OK);
	int64_t last = 0;
	assert_int_equal(store_begin(reader, false), KERR_OK);
	assert_int_equal(store_first(reader, &Q_BALLAST_LAST, read_int, &last, ""), KERR_OK);
	ballast_work(&b, true);
	int64_t size;
	uint32_t held = wal_restarts(path, &size);
	printf("# with the reader: started over %u times, %lld bytes\n", held, (long long)size);
	assert_int_equal(held, 0);
	assert_true(size > (int64_t)BALLAST_ROWS * BALLAST_ROW);
	assert_int_equal(store_commit(reader), KERR_OK);
	b.store->ops->conn_close(reader);
	/* the checkpointer may be waiting out its back-off (at most 1.6 s) */
	uint32_t after = 0;
	for (int round = 0; round < 8 && !after; round++) {
		ballast_work(&b, true);
		after = wal_restarts(path, &size);
	}
	printf("# after it: started over %u times\n", after);
	assert_true(after >= 1);
	assert_int_equal(atomic_load(&b.failed), 0);
	store_close(b.store);
}

/* --- SQLite's durability --- */

static const struct sql_query Q_SYNCHRONOUS = {"PRAGMA synchronous"};

/* SQLite's `synchronous` on a connection of a store opened with `sync`. */
static int64_t synchronous_of(struct test_env *env, enum store_sync sync, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s.db", env->dir, name);
	struct store_options so = {.url = path, .sync = sync};
	struct store *s;
	struct store_conn *c;
	assert_int_equal(store_sqlite_open(&so, &s), KERR_OK);
	assert_int_equal(s->ops->conn_open(s, &c), KERR_OK);
	int64_t v = -1;
	assert_int_equal(store_first(c, &Q_SYNCHRONOUS, read_int, &v, ""), KERR_OK);
	s->ops->conn_close(c);
	store_close(s);
	return v;
}

/* Each setting sets what every connection promises (docs/architecture.md,
 * "Durability"): FULL, a flush at every commit, for power (the server's
 * default); NORMAL for process; OFF for the simulator's throw-away store. */
static void sqlites_durability_follows_the_setting(void **state)
{
	struct test_env *env = *state;
	assert_int_equal(synchronous_of(env, STORE_SYNC_POWER, "power"), 2);
	assert_int_equal(synchronous_of(env, STORE_SYNC_PROCESS, "process"), 1);
	assert_int_equal(synchronous_of(env, STORE_SYNC_NONE, "none"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(arguments_match_parameters, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(the_risk_questions_survive_their_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(corrections_moving_imports_away_take_turns, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(lists_are_read_whole, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(reference_loads_whole_or_not_at_all, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(events_appended_together_keep_their_order, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(
			a_transactions_events_share_a_row_and_read_back_as_appended, test_setup,
			test_teardown),
		cmocka_unit_test_setup_teardown(
			a_row_whose_later_events_are_damaged_is_a_storage_failure, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(numbers_given_back_are_given_again, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(a_number_held_does_not_hold_up_the_office, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(a_number_given_back_long_after_is_given, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(claims_wait_only_for_their_own_bill_and_containers,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(the_event_log_survives_its_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(every_event_type_has_its_row, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(event_numbers_survive_their_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(a_malformed_event_number_stops_the_migration,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(tasks_survive_their_migration, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(idempotency_records_survive_their_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(assessments_survive_their_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(claims_survive_their_migration, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(manifest_parties_survive_their_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(payments_survive_their_migration, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(month_payments_survive_their_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(declaration_times_survive_their_migration, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(a_malformed_declaration_time_stops_the_migration,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(the_feed_waits_for_an_earlier_commit, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(the_feed_reads_past_a_rollback, test_setup, test_teardown),
		cmocka_unit_test(kouans_queries_fill_at_most_half_a_connections_cache),
		cmocka_unit_test_setup_teardown(a_connection_keeps_more_queries_than_kouan_has, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(rows_fill_a_statement_of_several_or_it_does_not_run,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(writes_sent_ahead_are_read_back_in_order, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(a_write_sent_ahead_that_fails_loses_the_transaction,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(writes_sent_ahead_share_a_round_trip, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(
			writes_sent_ahead_to_different_tables_go_as_one_statement, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(a_write_that_reads_goes_alone, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(a_merged_write_that_fails_loses_the_transaction,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(reads_sent_ahead_come_with_the_next_that_waits,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(
			a_read_sent_ahead_is_read_or_dropped_before_its_query_runs_again, test_setup,
			test_teardown),
		cmocka_unit_test_setup_teardown(a_read_sent_ahead_that_fails_loses_the_transaction,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(an_announcement_reaches_the_watchers_once_committed,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(a_burst_of_commits_is_announced_once_in_a_while,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(a_grown_table_is_analysed_each_time_it_doubles,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(
			a_partitioned_table_is_analysed_as_a_whole_each_time_it_doubles, test_setup,
			test_teardown),
		cmocka_unit_test_setup_teardown(sqlites_wal_starts_over_under_a_steady_load,
						test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(sqlites_durability_follows_the_setting, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(a_reader_holds_sqlites_wal_until_it_ends, test_setup,
						test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
