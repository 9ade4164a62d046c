/*
 * test_deadlock.c - a request whose transaction the database ends to break
 * a deadlock is run again, not answered 500 (PostgreSQL; SQLite runs one
 * writer at a time and has no deadlocks, so there the test has nothing to
 * do and says so).
 *
 * The deadlock is made on purpose, in a fixed order: another transaction
 * (a second connection, on a thread of the test) holds the feed lock
 * exclusively, as a feed reader settling the horizon does for an instant
 * (src/store/store_pg.c), while every transaction that appends events
 * takes it shared at its end; a customs decision locks its declaration
 * and then waits for the feed lock; the
 * other transaction then asks for the declaration's row. The decision
 * waited first, so PostgreSQL's deadlock check (after deadlock_timeout)
 * ends it; the other transaction gets the row, which proves the decision's
 * first run was ended, and lets go. The decision must then be answered
 * 200, recorded once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_support.h"

/* the feed lock (FEED_LOCK in src/store/store_pg.c), exclusively */
static const struct sql_query Q_HOLD_FEED = {"SELECT pg_advisory_xact_lock(7242300502)"};
/* sessions of this test's database waiting for a lock, other than ours */
static const struct sql_query Q_WAITING = {
	"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
	" AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"};
static const struct sql_query Q_LOCK_DECLARATION = {
	"SELECT number FROM declarations WHERE number = ? FOR UPDATE"};

struct other {
	struct test_env *env;
	char number[19];
	bool got_row; /* the declaration's row, once the decision let it go */
	bool failed;
};

static void *other_transaction(void *arg)
{
	struct other *o = arg;
	struct store_conn *c;
	if (store_thread_conn(o->env->store, &c) || store_begin(c, true) ||
	    store_exec(c, &Q_HOLD_FEED, "")) {
		o->failed = true;
		store_thread_release();
		return NULL;
	}
	/* wait until the decision waits for the feed lock */
	for (int i = 0; i < 600; i++) {
		usleep(10000);
		struct store_stmt *st = store_query(c, &Q_WAITING, "");
		bool waiting = st && stmt_step(st) == STORE_ROW && stmt_int(st, 0) > 0;
		if (st)
			stmt_done(st);
		if (waiting)
			break;
	}
	struct store_stmt *st = store_query(c, &Q_LOCK_DECLARATION, "s", o->number);
	o->got_row = st && stmt_step(st) == STORE_ROW;
	if (st)
		stmt_done(st);
	store_rollback(c);
	store_thread_release();
	return NULL;
}

/* One round: lodge, hold the feed lock, decide. True when the decision's
 * transaction was the one the deadlock check ended (the other transaction
 * then had the row); its answer and record are checked either way. */
static bool round_of(struct test_env *env)
{
	char number[19];
	json_t *d = test_consignment_customs_only();
	test_lodge(env, "trader", d, number);
	json_decref(d);
	char path[96];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/customs/decision", number);
	assert_int_equal(test_count_events(env, number, "task.cleared", "customs"), 0);

	struct other o = {.env = env};
	str_copy(o.number, number, sizeof o.number);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, other_transaction, &o), 0);
	json_decref(test_expect(env, "POST", path, "customs",
				"{\"decision\":\"cleared\",\"reason\":\"documents in order\"}",
				200));
	pthread_join(t, NULL);
	assert_false(o.failed);
	assert_int_equal(test_count_events(env, number, "task.cleared", "customs"), 1);
	return o.got_row;
}

static void a_deadlocked_request_is_run_again(void **state)
{
	struct test_env *env = *state;
	if (!env->store->row_locks) {
		printf("# one writer at a time: no deadlock to break on %s\n",
		       env->store->backend);
		skip();
	}
	test_profile(env, "5167", "customs", "0", "yellow"); /* an officer decides */
	/* The decision waits first, so its deadlock check (deadlock_timeout
	 * after its wait began) is normally the one that finds the circle and
	 * ends it. On a loaded machine the other transaction may ask for the
	 * row only after that check found nothing, and is then ended itself:
	 * that round proves nothing, and another is run. */
	int rounds = 0;
	bool decision_ended = false;
	while (!decision_ended && rounds < 5) {
		decision_ended = round_of(env);
		rounds++;
	}
	if (!decision_ended)
		print_error("in %d rounds the deadlock check never ended the decision\n", rounds);
	assert_true(decision_ended);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_deadlocked_request_is_run_again),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
