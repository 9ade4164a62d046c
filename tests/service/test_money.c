/*
 * test_money.c - the money use cases on a real store (SQLite, or
 * PostgreSQL with KOUAN_TEST_STORE), without HTTP: a guarantee's amount
 * drawn never passes its ceiling, by the conditional UPDATE alone, even
 * when many transactions draw at once; the draw through the service, from
 * many threads, takes exactly what fits; a payment restores the draw; the
 * tables' stamp makes a running kouan see a newly loaded rate and never
 * one that was rolled back.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"
#include "common/date.h"
#include "service/duties.h"
#include "service/money_tables.h"
#include "service/taxes.h"
#include "store/repo_money.h"

#define DRAWERS 8

struct guarantee_job {
	const char *uscc;
	const char *number;
	int64_t ceiling;
	struct guarantee_row row;
};

static kerr register_guarantee(struct uow *u, void *arg)
{
	struct guarantee_job *j = arg;
	struct actor customs;
	struct refusal why;
	struct guarantee g = {.ceiling = j->ceiling};
	refusal_init(&why, NULL);
	str_copy(g.number, j->number, sizeof g.number);
	g.valid_from = test_date("2026-01-01");
	g.valid_until = test_date("2027-12-31");
	memset(&customs, 0, sizeof customs);
	customs.role = ROLE_CUSTOMS;
	str_copy(customs.username, "customs", sizeof customs.username);
	return taxes_guarantee_register(u, &customs, j->uscc, &g, &j->row, &why);
}

/* --- the conditional UPDATE alone --- */

struct raw_draw {
	struct test_env *env;
	int64_t id;
	int64_t amount;
	kerr result;
};

static kerr draw_raw(struct uow *u, void *arg)
{
	struct raw_draw *d = arg;
	struct store_conn *c;
	int64_t after;
	kerr e = uow_conn(u, &c);
	/* no lock taken: only the statement's own condition */
	return e ? e : repo_guarantee_draw(c, d->id, d->amount, &after);
}

static void *raw_drawer(void *arg)
{
	struct raw_draw *d = arg;
	d->result = uow_run(&d->env->app.svc, true, draw_raw, d);
	store_thread_release();
	return NULL;
}

static kerr read_guarantee(struct uow *u, void *arg)
{
	struct guarantee_row *g = arg;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_guarantee_get(c, g->number, g);
}

static void ceiling_holds_without_a_lock(void **state)
{
	struct test_env *env = *state;
	/* 1,000.00 CNY */
	struct guarantee_job j = {.uscc = "91440115MA5CBR0K1D", .number = "G-RAW-1",
				  .ceiling = 100000};
	assert_int_equal(uow_run(&env->app.svc, true, register_guarantee, &j), KERR_OK);
	assert_int_equal(j.row.drawn, 0);

	/* one at a time: within, to the fen, and beyond */
	struct raw_draw one = {env, j.row.id, 60000, 0};
	raw_drawer(&one);
	assert_int_equal(one.result, KERR_OK);
	one.amount = 40001;
	raw_drawer(&one);
	assert_int_equal(one.result, KERR_CONFLICT);
	one.amount = 40000;
	raw_drawer(&one);
	assert_int_equal(one.result, KERR_OK);
	struct guarantee_row g = {0};
	str_copy(g.number, "G-RAW-1", sizeof g.number);
	assert_int_equal(uow_run(&env->app.svc, false, read_guarantee, &g), KERR_OK);
	assert_int_equal(g.drawn, 100000);

	/* restoring more than is drawn is refused; then back to zero */
	struct store_conn *c;
	int64_t after;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	assert_int_equal(repo_guarantee_restore(c, j.row.id, 100001, &after), KERR_CONFLICT);
	assert_int_equal(repo_guarantee_restore(c, j.row.id, 100000, &after), KERR_OK);
	assert_int_equal(after, 0);

	/* many at once, 300.00 each against 1,000.00: three succeed */
	pthread_t t[DRAWERS];
	struct raw_draw d[DRAWERS];
	for (int i = 0; i < DRAWERS; i++) {
		d[i] = (struct raw_draw){env, j.row.id, 30000, KERR_INTERNAL};
		assert_int_equal(pthread_create(&t[i], NULL, raw_drawer, &d[i]), 0);
	}
	int ok = 0, refused = 0;
	for (int i = 0; i < DRAWERS; i++) {
		pthread_join(t[i], NULL);
		ok += d[i].result == KERR_OK;
		refused += d[i].result == KERR_CONFLICT;
	}
	assert_int_equal(ok, 3);
	assert_int_equal(refused, DRAWERS - 3);
	assert_int_equal(uow_run(&env->app.svc, false, read_guarantee, &g), KERR_OK);
	assert_int_equal(g.drawn, 90000);
}

/* --- through the service: duties_draw from many threads --- */

struct service_draw {
	struct test_env *env;
	char number[19];
	kerr result;
	struct problems p;
};

static kerr draw_for(struct uow *u, void *arg)
{
	struct service_draw *s = arg;
	struct declaration d;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = clearance_load(u, &actor_kouan, s->number, true, &d);
	if (!e)
		e = duties_draw(u, &d, NULL, 4706481, now, NULL, &s->p);
	declaration_free(&d);
	return e;
}

static void *service_drawer(void *arg)
{
	struct service_draw *s = arg;
	problems_init(&s->p);
	s->result = uow_run(&s->env->app.svc, true, draw_for, s);
	store_thread_release();
	return NULL;
}

static void draws_from_many_threads_take_what_fits(void **state)
{
	struct test_env *env = *state;
	/* trader2's guarantee: 150,000.00 takes three draws of 47,064.81 */
	struct guarantee_job j = {.uscc = "91440300MA5E0THR7G", .number = "G-SVC-1",
				  .ceiling = 15000000};
	assert_int_equal(uow_run(&env->app.svc, true, register_guarantee, &j), KERR_OK);
	struct service_draw s[DRAWERS];
	pthread_t t[DRAWERS];
	for (int i = 0; i < DRAWERS; i++) {
		json_t *d = test_declaration();
		char bill[32];
		json_array_remove(json_object_get(d, "items"), 1);
		json_object_set_new(d, "declarant_uscc", json_string("91440300MA5E0THR7G"));
		json_object_set_new(d, "consignee_uscc", json_string("91440300MA5E0THR7G"));
		snprintf(bill, sizeof bill, "SVC-DRAW-%d", i);
		json_object_set_new(d, "bill_of_lading", json_string(bill));
		s[i].env = env;
		test_lodge(env, "trader2", d, s[i].number);
		json_decref(d);
	}
	for (int i = 0; i < DRAWERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, service_drawer, &s[i]), 0);
	int ok = 0;
	for (int i = 0; i < DRAWERS; i++) {
		pthread_join(t[i], NULL);
		if (s[i].result == KERR_OK) {
			ok++;
			assert_int_equal(test_count_events(env, s[i].number, "guarantee.drawn", NULL),
					 1);
		} else {
			assert_int_equal(s[i].result, KERR_CONFLICT);
			test_expect_problem(&s[i].p, "",
					    "guarantee G-SVC-1 has 8805.57 CNY left of its "
					    "150000.00 CNY ceiling; 47064.81 CNY is needed");
		}
	}
	assert_int_equal(ok, 3);
	struct guarantee_row g = {0};
	str_copy(g.number, "G-SVC-1", sizeof g.number);
	assert_int_equal(uow_run(&env->app.svc, false, read_guarantee, &g), KERR_OK);
	assert_int_equal(g.drawn, 3 * 4706481);
}

/* --- the tables' stamp --- */

struct rate_job {
	const char *doc;
	bool rollback;
	bool found;
	int64_t rate;
};

static kerr find_chf(struct uow *u, void *arg)
{
	struct rate_job *j = arg;
	struct money_tables *t;
	int32_t m;
	assert_true(kmonth_parse("2026-11", &m));
	kerr e = money_tables_get(u, &t);
	if (!e) {
		j->found = exchange_find(t->rates, "CHF", m, &j->rate);
		money_tables_release(t);
	}
	return e;
}

static kerr load_rate(struct uow *u, void *arg)
{
	struct rate_job *j = arg;
	struct money_loaded l;
	size_t reassessed;
	struct refusal why;
	struct actor admin = {.role = ROLE_ADMIN, .username = "admin"};
	json_t *doc = test_json(j->doc);
	refusal_init(&why, NULL);
	kerr e = taxes_load_rates(u, &admin, doc, &l, &reassessed, &why);
	json_decref(doc);
	/* seen by this very unit before it commits */
	if (!e)
		e = find_chf(u, j);
	if (!e)
		assert_true(j->found);
	return !e && j->rollback ? KERR_CONFLICT : e;
}

static void tables_follow_loads_not_rollbacks(void **state)
{
	struct test_env *env = *state;
	struct rate_job j = {"{'rates': [{'currency': 'CHF', 'month': '2026-11', "
			     "'cny_per_unit': '8.1234'}]}",
			     true, false, 0};
	/* loaded, then rolled back: the running kouan does not keep it */
	assert_int_equal(uow_run(&env->app.svc, true, load_rate, &j), KERR_CONFLICT);
	assert_int_equal(uow_run(&env->app.svc, false, find_chf, &j), KERR_OK);
	assert_false(j.found);
	/* loaded for good: seen by the next unit */
	j.doc = "{'rates': [{'currency': 'CHF', 'month': '2026-11', 'cny_per_unit': '8.2'}]}";
	j.rollback = false;
	assert_int_equal(uow_run(&env->app.svc, true, load_rate, &j), KERR_OK);
	assert_int_equal(uow_run(&env->app.svc, false, find_chf, &j), KERR_OK);
	assert_true(j.found);
	assert_int_equal(j.rate, 820000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ceiling_holds_without_a_lock),
		cmocka_unit_test(draws_from_many_threads_take_what_fits),
		cmocka_unit_test(tables_follow_loads_not_rollbacks),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
