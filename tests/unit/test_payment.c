/*
 * test_payment.c - unit tests for src/domain/payment.c: exact payment
 * (partial, excess, nothing due, already paid, released), repeated bank
 * references, the general guarantee drawn at release and restored on
 * payment (the worked example of docs/money.md), its ceiling, validity and
 * credit classes, the release condition in each case, and the request
 * parsers with their exact fields and texts.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "domain/payment.h"

static struct guarantee nansha_guarantee(void)
{
	struct guarantee g;

	memset(&g, 0, sizeof g);
	str_copy(g.number, "G-NS-2026-001", sizeof g.number);
	g.ceiling = 50000000; /* 500000.00 CNY */
	g.valid_from = test_date("2026-01-01");
	g.valid_until = test_date("2026-12-31");
	return g;
}

static void pay_refused(struct tax_position t, int64_t amount, kerr want,
			const char *text)
{
	struct problems p;

	problems_init(&p);
	assert_int_equal(payment_check(&t, amount, &p), want);
	test_expect_problem(&p, "/amount", text);
}

static void test_exact_payment(void **state)
{
	struct tax_position t = { 4706481, 0, false, 0 }; /* the apples: 47064.81 */
	struct problems p;
	int64_t restore = -1;

	(void)state;
	pay_refused(t, 4700000, KERR_INVALID,
		    "must equal the amount due, 47064.81 CNY; 47000.00 CNY was offered "
		    "(partial and excess payments are refused)");
	pay_refused(t, 4706482, KERR_INVALID,
		    "must equal the amount due, 47064.81 CNY; 47064.82 CNY was offered "
		    "(partial and excess payments are refused)");
	pay_refused(t, 0, KERR_INVALID, "must be greater than zero");
	pay_refused(t, -4706481, KERR_INVALID, "must be greater than zero");
	problems_init(&p);
	assert_int_equal(payment_check(&t, 4706481, &p), KERR_OK);
	payment_apply(&t, 4706481, &restore);
	assert_int_equal(t.paid, 4706481);
	assert_int_equal(restore, 0);
	pay_refused(t, 4706481, KERR_CONFLICT,
		    "the duties and taxes of this declaration (47064.81 CNY) are already paid");

	pay_refused((struct tax_position){ 0, 0, false, 0 }, 100, KERR_CONFLICT,
		    "nothing is due on this declaration: no duty or tax was assessed, or "
		    "all of it was waived");
	/* released (how, if not paid or guaranteed, is the store's business):
	 * nothing outstanding takes no payment */
	pay_refused((struct tax_position){ 4706481, 0, true, 0 }, 4706481, KERR_CONFLICT,
		    "the declaration is released and nothing is outstanding on it");
}

/* The worked example: released against the guarantee, paid a week later. */
static void test_guarantee_drawn_and_restored(void **state)
{
	struct guarantee g = nansha_guarantee();
	struct tax_position t = { 4706481, 0, false, 0 };
	struct problems p;
	char why[PAYMENT_REASON_MAX];
	int64_t restore = 0;

	(void)state;
	assert_int_equal(payment_release_condition(&t, &g, CREDIT_STANDARD, test_date("2026-11-23"),
						   why, sizeof why),
			 RELEASE_MONEY_GUARANTEED);
	assert_string_equal(why, "released against guarantee G-NS-2026-001 for 47064.81 CNY");
	problems_init(&p);
	assert_int_equal(guarantee_draw(&g, CREDIT_STANDARD, test_date("2026-11-23"), t.due, &p),
			 KERR_OK);
	t.released = true;
	t.guaranteed = t.due;
	assert_int_equal(g.drawn, 4706481);
	assert_int_equal(guarantee_available(&g), 45293519); /* 452935.19 */

	/* a payment after release restores the guarantee */
	assert_int_equal(payment_check(&t, 4706481, &p), KERR_OK);
	payment_apply(&t, 4706481, &restore);
	assert_int_equal(restore, 4706481);
	assert_int_equal(t.guaranteed, 0);
	assert_int_equal(guarantee_restore(&g, restore, &p), KERR_OK);
	assert_int_equal(g.drawn, 0);
	assert_int_equal(guarantee_available(&g), 50000000);
	/* and then the declaration takes no more payments */
	pay_refused(t, 4706481, KERR_CONFLICT,
		    "the duties and taxes of this declaration (47064.81 CNY) are already paid");
}

static void test_guarantee_limits(void **state)
{
	struct guarantee g = nansha_guarantee();
	struct problems p;

	(void)state;
	problems_init(&p);
	assert_int_equal(guarantee_draw(&g, CREDIT_ADVANCED, test_date("2026-06-01"), 30000000, &p),
			 KERR_OK);
	/* a second draw that would pass the ceiling is refused, whole */
	assert_int_equal(guarantee_draw(&g, CREDIT_ADVANCED, test_date("2026-06-01"), 30000000, &p),
			 KERR_CONFLICT);
	test_expect_problem(&p, "",
			    "guarantee G-NS-2026-001 has 200000.00 CNY left of its 500000.00 CNY "
			    "ceiling; 300000.00 CNY is needed");
	assert_int_equal(g.drawn, 30000000);
	/* exactly what is left is fine */
	assert_int_equal(guarantee_draw(&g, CREDIT_ADVANCED, test_date("2026-06-01"), 20000000, &p),
			 KERR_OK);
	assert_int_equal(guarantee_available(&g), 0);

	g = nansha_guarantee();
	problems_init(&p);
	assert_int_equal(guarantee_draw(&g, CREDIT_DISCREDITED, test_date("2026-06-01"), 100, &p),
			 KERR_CONFLICT);
	test_expect_problem(&p, "",
			    "a general guarantee is open to the advanced and standard credit "
			    "classes; the enterprise is discredited");
	problems_init(&p);
	assert_int_equal(guarantee_draw(&g, CREDIT_STANDARD, test_date("2027-01-01"), 100, &p),
			 KERR_CONFLICT);
	test_expect_problem(&p, "",
			    "guarantee G-NS-2026-001 is valid from 2026-01-01 to 2026-12-31, not "
			    "on 2027-01-01");
	assert_int_equal(guarantee_draw(&g, CREDIT_STANDARD, test_date("2025-12-31"), 100, &p),
			 KERR_CONFLICT);
	assert_int_equal(guarantee_draw(&g, CREDIT_STANDARD, test_date("2026-12-31"), 100, &p),
			 KERR_OK);
	problems_init(&p);
	assert_int_equal(guarantee_draw(&g, CREDIT_STANDARD, test_date("2026-12-31"), 0, &p),
			 KERR_INVALID);
	test_expect_problem(&p, "/amount", "must be greater than zero");
	/* never restored beyond what is drawn */
	problems_init(&p);
	assert_int_equal(guarantee_restore(&g, 101, &p), KERR_CONFLICT);
	test_expect_problem(&p, "", "guarantee G-NS-2026-001 has 1.00 CNY drawn; 1.01 CNY "
				    "cannot be restored");
	assert_int_equal(g.drawn, 100);
	assert_int_equal(guarantee_restore(&g, -1, &p), KERR_INVALID);
	assert_true(guarantee_class_allowed(CREDIT_ADVANCED));
	assert_true(guarantee_class_allowed(CREDIT_STANDARD));
	assert_false(guarantee_class_allowed(CREDIT_DISCREDITED));
}

static void test_release_condition(void **state)
{
	struct guarantee g = nansha_guarantee();
	char why[PAYMENT_REASON_MAX];
	const int32_t d = test_date("2026-11-23");

	(void)state;
	assert_int_equal(payment_release_condition(&(struct tax_position){ 0, 0, false, 0 },
						   NULL, CREDIT_DISCREDITED, d, why,
						   sizeof why),
			 RELEASE_MONEY_NOTHING_DUE);
	assert_string_equal(why, "nothing is due");
	assert_int_equal(payment_release_condition(&(struct tax_position){ 500, 500, false, 0 },
						   NULL, CREDIT_DISCREDITED, d, why,
						   sizeof why),
			 RELEASE_MONEY_PAID);
	assert_string_equal(why, "paid");
	assert_int_equal(payment_release_condition(&(struct tax_position){ 4706481, 0, false, 0 },
						   NULL, CREDIT_ADVANCED, d, why, sizeof why),
			 RELEASE_MONEY_WAITING);
	assert_string_equal(why, "awaiting payment of 47064.81 CNY: no general guarantee "
				 "is on file");
	assert_int_equal(payment_release_condition(&(struct tax_position){ 4706481, 0, false, 0 },
						   &g, CREDIT_DISCREDITED, d, why, sizeof why),
			 RELEASE_MONEY_WAITING);
	assert_string_equal(why, "awaiting payment of 47064.81 CNY: a general guarantee is "
				 "open to the advanced and standard credit classes; the "
				 "enterprise is discredited");
	g.drawn = 49000000;
	assert_int_equal(payment_release_condition(&(struct tax_position){ 4706481, 0, false, 0 },
						   &g, CREDIT_STANDARD, d, why, sizeof why),
			 RELEASE_MONEY_WAITING);
	assert_string_equal(why, "awaiting payment of 47064.81 CNY: guarantee G-NS-2026-001 "
				 "has 10000.00 CNY left of its 500000.00 CNY ceiling; "
				 "47064.81 CNY is needed");
	assert_string_equal(release_money_name(RELEASE_MONEY_GUARANTEED), "guaranteed");
}

static void test_bank_reference(void **state)
{
	struct payment_record r = { "ICBC-20261123-0001", "516720261000000001", 4706481 };

	(void)state;
	assert_int_equal(payment_match(NULL, "516720261000000001", 4706481), PAYMENT_NEW);
	assert_int_equal(payment_match(&r, "516720261000000001", 4706481), PAYMENT_REPLAY);
	assert_int_equal(payment_match(&r, "516720261000000001", 4706480), PAYMENT_MISMATCH);
	assert_int_equal(payment_match(&r, "516720261000000002", 4706481), PAYMENT_MISMATCH);
}

static void test_parse_payment(void **state)
{
	struct payment pay;
	struct problems p;
	json_t *j;

	(void)state;
	problems_init(&p);
	j = test_json("{'bank': '91440101MA5BK0NA2H', 'bank_reference': 'icbc-20261123-0001',"
		      " 'amount': '47064.81'}");
	assert_true(payment_parse(j, &pay, &p));
	json_decref(j);
	assert_string_equal(pay.bank_reference, "ICBC-20261123-0001");
	assert_string_equal(pay.bank, "91440101MA5BK0NA2H");
	assert_int_equal(pay.amount, 4706481);

	/* the time of payment is the bank's, not the payer's */
	j = test_json("{'bank': '91440101MA5BK0NA2X', 'bank_reference': 'ICBC 1',"
		      " 'amount': '47064.815', 'paid_at': '2026-11-23T07:15:00Z'}");
	assert_false(payment_parse(j, &pay, &p));
	json_decref(j);
	test_expect_problem(&p, "/bank",
			    "unified social credit code check digit does not match (GB "
			    "32100-2015)");
	test_expect_problem(&p, "/bank_reference",
			    "must be letters, digits, '.', '-', '_' or '/'");
	test_expect_problem(&p, "/amount", "has more than 2 decimal places");
	test_expect_problem(&p, "/paid_at",
			    "unknown field; accepted fields are: bank, bank_reference, amount "
			    "(the time of payment is the bank's to give)");
	problems_init(&p);
	j = test_json("{'amount': '0'}");
	assert_false(payment_parse(j, &pay, &p));
	json_decref(j);
	test_expect_problem(&p, "/bank", "is required");
	test_expect_problem(&p, "/bank_reference", "is required");
	test_expect_problem(&p, "/amount", "must be greater than zero");
}

static void test_parse_bank_answer(void **state)
{
	struct payment_answer a;
	struct problems p;
	json_t *j;

	(void)state;
	problems_init(&p);
	j = test_json("{'outcome': 'paid', 'amount': '47064.81',"
		      " 'paid_at': '2026-11-23T15:15:00+08:00'}");
	assert_true(payment_answer_parse(j, &a, &p));
	json_decref(j);
	assert_int_equal(a.outcome, PAYMENT_PAID);
	assert_int_equal(a.amount, 4706481);
	assert_int_equal(a.paid_at, TEST_EPOCH_US - 45 * 60 * 1000000LL); /* 07:15Z */
	assert_true(payment_answer_same(&a, PAYMENT_PAID, 4706481, a.paid_at, ""));
	assert_false(payment_answer_same(&a, PAYMENT_PAID, 4706481, a.paid_at + 1, ""));
	assert_false(payment_answer_same(&a, PAYMENT_PAID, 100, a.paid_at, ""));
	assert_false(payment_answer_same(&a, PAYMENT_REFUSED, 4706481, a.paid_at, ""));

	j = test_json("{'outcome': 'refused', 'reason': '余额不足 insufficient funds'}");
	assert_true(payment_answer_parse(j, &a, &p));
	json_decref(j);
	assert_int_equal(a.outcome, PAYMENT_REFUSED);
	assert_string_equal(a.reason, "余额不足 insufficient funds");
	assert_true(payment_answer_same(&a, PAYMENT_REFUSED, 0, 0, "余额不足 insufficient funds"));
	assert_false(payment_answer_same(&a, PAYMENT_REFUSED, 0, 0, "account closed"));
	assert_int_equal(p.count, 0);

	j = test_json("{'outcome': 'paid', 'amount': '1.00', 'paid_at': 'today', 'reason': 'x'}");
	assert_false(payment_answer_parse(j, &a, &p));
	json_decref(j);
	test_expect_problem(&p, "/paid_at",
			    "must be an RFC 3339 time with its offset, such as "
			    "\"2026-11-20T06:00:00Z\" or \"2026-11-20T14:00:00+08:00\"");
	test_expect_problem(&p, "/reason", "is only for an order the bank refused");
	problems_init(&p);
	j = test_json("{'outcome': 'refused', 'amount': '1.00'}");
	assert_false(payment_answer_parse(j, &a, &p));
	json_decref(j);
	test_expect_problem(&p, "/reason", "is required");
	test_expect_problem(&p, "/amount", "is only for a payment made");
	problems_init(&p);
	j = test_json("{'outcome': 'refused', 'reason': '  '}");
	assert_false(payment_answer_parse(j, &a, &p));
	json_decref(j);
	test_expect_problem(&p, "/reason", "must say why the bank refused the order");
	problems_init(&p);
	j = test_json("{'outcome': 'debited', 'when': 1}");
	assert_false(payment_answer_parse(j, &a, &p));
	json_decref(j);
	test_expect_problem(&p, "/outcome",
			    "must be \"paid\" (the account was debited) or \"refused\" (the "
			    "order was not carried out)");
	test_expect_problem(&p, "/when",
			    "unknown field; accepted fields are: outcome, amount, paid_at, reason");
	problems_init(&p);
	assert_false(payment_answer_parse(json_true(), &a, &p));
	assert_int_equal(p.count, 1);
	assert_string_equal(payment_status_name(PAYMENT_REPORTED), "reported");
	enum payment_status st;
	assert_true(payment_status_parse("refused", &st));
	assert_int_equal(st, PAYMENT_REFUSED);
	assert_false(payment_status_parse("pending", &st));
}

static void test_parse_guarantee(void **state)
{
	struct guarantee g;
	struct problems p;
	json_t *j;
	char *s;

	(void)state;
	problems_init(&p);
	j = test_json("{'number': 'G-NS-2026-001', 'ceiling': '500000.00',"
		      " 'valid_from': '2026-01-01', 'valid_until': '2026-12-31'}");
	assert_true(guarantee_parse(j, "", &g, &p));
	json_decref(j);
	assert_int_equal(g.ceiling, 50000000);
	assert_int_equal(g.drawn, 0);
	g.drawn = 4706481;
	j = guarantee_to_json(&g);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s, "{\"available\":\"452935.19\",\"ceiling\":\"500000.00\","
			       "\"drawn\":\"47064.81\",\"number\":\"G-NS-2026-001\","
			       "\"valid_from\":\"2026-01-01\",\"valid_until\":\"2026-12-31\"}");
	free(s);
	json_decref(j);

	j = test_json("{'number': 'G 1', 'ceiling': '-5', 'valid_from': '2026-12-31',"
		      " 'valid_until': '2026-01-01'}");
	assert_false(guarantee_parse(j, "/guarantee", &g, &p));
	json_decref(j);
	test_expect_problem(&p, "/guarantee/number",
			    "must be letters, digits, '.', '-', '_' or '/'");
	test_expect_problem(&p, "/guarantee/ceiling", "must be greater than zero");
	test_expect_problem(&p, "/guarantee/valid_until", "must not be before valid_from");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_payment),
		cmocka_unit_test(test_guarantee_drawn_and_restored),
		cmocka_unit_test(test_guarantee_limits),
		cmocka_unit_test(test_release_condition),
		cmocka_unit_test(test_bank_reference),
		cmocka_unit_test(test_parse_payment),
		cmocka_unit_test(test_parse_bank_answer),
		cmocka_unit_test(test_parse_guarantee),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
