/*
 * test_store.c - the seam between the services and the store, on a real
 * store (SQLite, or PostgreSQL with KOUAN_TEST_STORE): a statement whose
 * arguments do not match its parameters never runs; a list stopped
 * part-way is an error, never a short list; the reference snapshot is
 * rebuilt whole or not at all.
 */
#include <string.h>

#include "test_support.h"
#include "store/repo.h"

static const struct sql_query Q_TWO = {"SELECT ? || ?"};
static const struct sql_query Q_ORGS = {"SELECT uscc FROM organisations ORDER BY id"};

static int setup(void **state)
{
	*state = test_env_new();
	return 0;
}

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(arguments_match_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(lists_are_read_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(reference_loads_whole_or_not_at_all, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
