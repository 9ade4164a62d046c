/*
 * test_housekeeping.c - the server's housekeeping thread on a real store:
 * while it runs, it makes the partitions of the months ahead again at its
 * upkeep's period (on PostgreSQL; a day in the server, a tenth of a second
 * here), so a server that runs for months never lets new months fall into
 * the default partition. SQLite keeps no partitions: nothing to make.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test_support.h"
#include "server/housekeeping.h"

/* The partition of `table` for the month after next, by the database's
 * clock (as kouan_ensure_partitions counts months). */
static const struct sql_query Q_AHEAD = {
	"SELECT ? || '_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC')"
	" + interval '2 months', 'YYYYMM')"};
static const struct sql_query Q_EXISTS = {"SELECT to_regclass(?) IS NOT NULL"};

static kerr keep_text(void *arg, struct store_stmt *st)
{
	str_copy(arg, stmt_text(st, 0), 64);
	return KERR_OK;
}

static kerr keep_bool(void *arg, struct store_stmt *st)
{
	*(bool *)arg = !strcmp(stmt_text(st, 0), "t");
	return KERR_OK;
}

static bool exists(struct store_conn *c, const char *table)
{
	bool there = false;
	assert_int_equal(store_first(c, &Q_EXISTS, keep_bool, &there, "s", table), KERR_OK);
	return there;
}

static void the_months_ahead_are_made_again_while_it_runs(void **state)
{
	struct test_env *env = *state;
	if (!env->pgname[0]) {
		print_message("SQLite keeps no partitions: nothing to make\n");
		skip();
	}
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	assert_int_equal(store_maintain(env->store), KERR_OK);
	char decl[64], events[64], sql[200];
	assert_int_equal(store_first(c, &Q_AHEAD, keep_text, decl, "s", "declarations"), KERR_OK);
	assert_int_equal(store_first(c, &Q_AHEAD, keep_text, events, "s", "events"), KERR_OK);
	assert_true(exists(c, decl) && exists(c, events));
	/* as if the server had started more than two months ago */
	snprintf(sql, sizeof sql, "DROP TABLE %s; DROP TABLE %s", decl, events);
	assert_int_equal(env->store->ops->exec_script(c, sql), KERR_OK);
	assert_false(exists(c, decl) || exists(c, events));

	const struct housekeeping_periods every = {
		.purge_ms = 60 * 1000, .grown_ms = 60 * 1000, .maintain_ms = 100};
	struct housekeeping *h = housekeeping_start_every(&env->app.svc, &every);
	assert_non_null(h);
	for (int i = 0; i < 200 && !(exists(c, decl) && exists(c, events)); i++)
		usleep(25 * 1000);
	housekeeping_stop(h);
	assert_true(exists(c, decl));
	assert_true(exists(c, events));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_months_ahead_are_made_again_while_it_runs,
						test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
