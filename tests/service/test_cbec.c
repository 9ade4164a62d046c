/*
 * test_cbec.c - cross-border e-commerce on a real store (SQLite, or
 * PostgreSQL with KOUAN_TEST_STORE), without HTTP: a buyer's year never
 * passes the annual limit by the conditional UPDATE alone, even when many
 * transactions add at once; a return gives back no more than was used;
 * a document filed by one unit of work is found by the next, which
 * matches the order (pending documents live in the store).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"
#include "service/cbec.h"
#include "store/repo_cbec.h"

#define ADDERS 8
#define BUYER "440106199003071231"

static int setup(void **state)
{
	struct test_env *env = test_env_new();
	env->clock.step_us = 0;
	*state = env;
	return 0;
}

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

struct add_job {
	struct test_env *env;
	int64_t amount;
	kerr result;
};

static kerr make_row(struct uow *u, void *arg)
{
	(void)arg;
	struct store_conn *c;
	int64_t used;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_cbec_quota_lock(c, BUYER, 2026, &used);
}

static kerr add_raw(struct uow *u, void *arg)
{
	struct add_job *j = arg;
	struct store_conn *c;
	int64_t after;
	kerr e = uow_conn(u, &c);
	/* no lock taken: only the statement's own condition */
	return e ? e : repo_cbec_quota_add(c, BUYER, 2026, j->amount, CBEC_ANNUAL_LIMIT, &after);
}

static void *adder(void *arg)
{
	struct add_job *j = arg;
	j->result = uow_run(&j->env->app.svc, true, add_raw, j);
	store_thread_release();
	return NULL;
}

static kerr read_used(struct uow *u, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_cbec_quota_used(c, BUYER, 2026, arg);
}

static void annual_limit_holds_without_a_lock(void **state)
{
	struct test_env *env = *state;
	assert_int_equal(uow_run(&env->app.svc, true, make_row, NULL), KERR_OK);
	/* one at a time: to the fen, and beyond */
	struct add_job one = {env, 2500000, 0};
	adder(&one);
	assert_int_equal(one.result, KERR_OK);
	one.amount = 100001;
	adder(&one);
	assert_int_equal(one.result, KERR_CONFLICT);
	one.amount = 100000;
	adder(&one);
	assert_int_equal(one.result, KERR_OK);
	int64_t used = -1;
	assert_int_equal(uow_run(&env->app.svc, false, read_used, &used), KERR_OK);
	assert_int_equal(used, CBEC_ANNUAL_LIMIT);

	/* a return gives back at most what is used */
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	assert_int_equal(repo_cbec_quota_restore(c, BUYER, 2026, CBEC_ANNUAL_LIMIT + 1),
			 KERR_CONFLICT);
	assert_int_equal(repo_cbec_quota_restore(c, BUYER, 2026, CBEC_ANNUAL_LIMIT), KERR_OK);

	/* many at once, 4,900.00 each against 26,000.00: five succeed */
	pthread_t t[ADDERS];
	struct add_job j[ADDERS];
	for (int i = 0; i < ADDERS; i++) {
		j[i] = (struct add_job){env, 490000, KERR_INTERNAL};
		assert_int_equal(pthread_create(&t[i], NULL, adder, &j[i]), 0);
	}
	int ok = 0, refused = 0;
	for (int i = 0; i < ADDERS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		ok += j[i].result == KERR_OK;
		refused += j[i].result == KERR_CONFLICT;
	}
	assert_int_equal(ok, 5);
	assert_int_equal(refused, ADDERS - 5);
	assert_int_equal(uow_run(&env->app.svc, false, read_used, &used), KERR_OK);
	assert_int_equal(used, 5 * 490000);
}

/* --- documents across units of work --- */

struct send_job {
	struct test_env *env;
	const char *user;
	enum cbec_doc kind;
	const char *json;
	char status[16];
	kerr result;
};

static kerr send_doc(struct uow *u, void *arg)
{
	struct send_job *j = arg;
	struct actor a;
	test_actor(j->env, j->user, &a);
	json_t *doc = test_json(j->json);
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct cbec_received r;
	kerr e = cbec_receive(u, &a, j->kind, doc, &r, &why);
	json_decref(doc);
	if (!e)
		str_copy(j->status, r.parcel.status, sizeof j->status);
	cbec_received_free(&r);
	return e;
}

static void documents_meet_in_the_store(void **state)
{
	struct test_env *env = *state;
	test_profile(env, "5141", "customs", "0", "green");
	struct send_job pay = {
		env, "payment", CBEC_DOC_PAYMENT,
		"{'payment_code': '91440101MA5EPAY0H2', 'payment_name': 'Yuetong',"
		" 'transaction_no': 'T-S1', 'platform_code': '91440101MA5EBP0YGL',"
		" 'order_no': 'S-1', 'payer_name': 'Li Na', 'payer_id_number': '" BUYER "',"
		" 'amount_paid': '300.00', 'paid_at': '2026-11-23T09:30:59+08:00'}",
		"", KERR_INTERNAL};
	struct send_job way = {
		env, "courier", CBEC_DOC_WAYBILL,
		"{'logistics_code': '91440101MA5ELG01TQ', 'logistics_name': 'Nansha Express',"
		" 'waybill_no': 'W-S1', 'platform_code': '91440101MA5EBP0YGL', 'order_no': 'S-1',"
		" 'consignee_name': 'Li Na', 'consignee_phone': '13900139000',"
		" 'consignee_address': 'Airport Road 1, Guangzhou', 'gross_weight': '1.2',"
		" 'packages': 1}",
		"", KERR_INTERNAL};
	struct send_job ord = {
		env, "platform", CBEC_DOC_ORDER,
		"{'platform_code': '91440101MA5EBP0YGL', 'platform_name': 'YunGou',"
		" 'enterprise_code': '91440101MA5EBC0HK1', 'enterprise_name': 'Pearl River',"
		" 'order_no': 'S-1', 'mode': '9610', 'customs_office': '5141',"
		" 'buyer_name': 'Li Na', 'buyer_id_number': '" BUYER "',"
		" 'buyer_phone': '13900139000', 'consignee_name': 'Li Na',"
		" 'consignee_phone': '13900139000', 'consignee_address': 'Airport Road 1, Guangzhou',"
		" 'goods_value': '300.00', 'freight': '0', 'discount': '0', 'tax_withheld': '0',"
		" 'actual_paid': '300.00', 'lines': [{'item_name': 'handbag',"
		" 'hs_code': '4202210000', 'unit': '007', 'origin_country': 'IT', 'quantity': '1',"
		" 'unit_price': '300', 'total': '300.00'}]}",
		"", KERR_INTERNAL};
	assert_int_equal(uow_run(&env->app.svc, true, send_doc, &pay), KERR_OK);
	assert_string_equal(pay.status, "pending");
	assert_int_equal(uow_run(&env->app.svc, true, send_doc, &way), KERR_OK);
	assert_string_equal(way.status, "pending");
	assert_int_equal(uow_run(&env->app.svc, true, send_doc, &ord), KERR_OK);
	assert_string_equal(ord.status, "released");
	assert_int_equal(test_count(env, "cbec_documents"), 3);
	int64_t used = -1;
	assert_int_equal(uow_run(&env->app.svc, false, read_used, &used), KERR_OK);
	assert_int_equal(used, 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(annual_limit_holds_without_a_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(documents_meet_in_the_store, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
