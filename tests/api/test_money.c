/*
 * test_money.c - money through the router, on both backends: the
 * assessment of a declaration shown step by step (docs/money.md example 1
 * to the fen), held without a rate and made when the rate is loaded;
 * release waiting for payment and the timeline saying so; exact,
 * idempotent payments and every bad one refused with its field and words;
 * the demo trader's general guarantee drawn at release and restored on
 * payment; guarantees refused beyond their ceiling or for a discredited
 * class; the published fee catalogue read without a token, charges only
 * from it, inspection services waived when the inspection found no
 * problem; export tax refunds refused for an import and before departure,
 * then applied, matched and decided by the tax office; the tables loaded
 * and refused over the API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "service/refunds.h"
#include "store/repo_transport.h"

#define HAITONG "91440101MA59TRAD00"   /* trader: holds a general guarantee */
#define PENGCHENG "91440300MA5E0THR7G" /* trader2: none */
#define SUITONG "91440115MA5CBR0K1D"   /* broker */
#define ICBC "91440101MA5BK0NA2H"      /* bank: the demo's ICBC sub-branch */
#define CLEARED "{\"decision\":\"cleared\",\"reason\":\"documents checked\"}"

/* Set the manual clock to an RFC 3339 time. */
static void at(struct test_env *env, const char *when)
{
	__atomic_store_n(&env->clock.fixed_us, test_time(when), __ATOMIC_SEQ_CST);
}

/* The demo's US apples alone (docs/money.md example 1): 18,000 kg at
 * 1.85 USD, CIF, for `uscc` as declarant and consignee, on its own bill. */
static json_t *apples(const char *uscc, const char *bill)
{
	json_t *d = test_declaration();
	json_array_remove(json_object_get(d, "items"), 1);
	json_object_set_new(d, "declarant_uscc", json_string(uscc));
	json_object_set_new(d, "consignee_uscc", json_string(uscc));
	json_object_set_new(d, "bill_of_lading", json_string(bill));
	return d;
}

static void lodge(struct test_env *env, const char *user, json_t *d, char *number)
{
	test_lodge(env, user, d, number);
	json_decref(d);
}

static void clear(struct test_env *env, const char *number, const char *agency)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", number, agency);
	json_decref(test_expect(env, "POST", path, agency, CLEARED, 200));
}

static char *status_of(struct test_env *env, const char *number, char out[16])
{
	char path[64];
	snprintf(path, sizeof path, "/v1/declarations/%s", number);
	json_t *v = test_expect(env, "GET", path, "analyst", NULL, 200);
	str_copy(out, test_str(v, "status"), 16);
	json_decref(v);
	return out;
}

static json_t *taxes(struct test_env *env, const char *number, const char *user)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/assessment", number);
	return test_expect(env, "GET", path, user, NULL, 200);
}

/* trader2's apples on `bill`, cleared by both agencies: waiting for the
 * money alone (trader2 holds no guarantee). */
static void cleared_awaiting_payment(struct test_env *env, const char *bill, char *number)
{
	lodge(env, "trader2", apples(PENGCHENG, bill), number);
	clear(env, number, "customs");
	clear(env, number, "quarantine");
}

/* Report a payment order on `number` to the demo's ICBC sub-branch. */
static json_t *pay(struct test_env *env, const char *number, const char *user,
		   const char *reference, const char *amount, int status)
{
	char path[80], body[256];
	snprintf(path, sizeof path, "/v1/declarations/%s/payments", number);
	snprintf(body, sizeof body,
		 "{\"bank\":\"%s\",\"bank_reference\":\"%s\",\"amount\":\"%s\"}", ICBC,
		 reference, amount);
	return test_expect(env, "POST", path, user, body, status);
}

/* A bank's answer to the payment with `reference`. */
static json_t *answer(struct test_env *env, const char *user, const char *reference,
		      const char *body, int status)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/payments/%s/answer", reference);
	return test_expect(env, "POST", path, user, body, status);
}

/* ICBC says it debited `amount` at `paid_at` (NULL: now, by the test's
 * clock). */
static json_t *bank_paid(struct test_env *env, const char *reference, const char *amount,
			 const char *paid_at, int status)
{
	char body[256], now[TIME_TEXT_SIZE];
	ktime_format(__atomic_load_n(&env->clock.fixed_us, __ATOMIC_SEQ_CST), now);
	snprintf(body, sizeof body, "{\"outcome\":\"paid\",\"amount\":\"%s\",\"paid_at\":\"%s\"}",
		 amount, paid_at ? paid_at : now);
	return answer(env, "bank", reference, body, status);
}

/* The data of the last event of `type` on the timeline (new reference). */
static json_t *last_event(struct test_env *env, const char *number, const char *type)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/declarations/%s/events", number);
	json_t *v = test_expect(env, "GET", path, "analyst", NULL, 200);
	json_t *found = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(v, "events"), i, e)
	{
		if (!strcmp(test_str(e, "type"), type))
			found = json_object_get(e, "data");
	}
	json_incref(found);
	json_decref(v);
	assert_non_null(found);
	return found;
}

static json_t *guarantee(struct test_env *env, const char *number, const char *user)
{
	char path[80];
	snprintf(path, sizeof path, "/v1/guarantees/%s", number);
	return test_expect(env, "GET", path, user, NULL, 200);
}

static void set_credit(struct test_env *env, const char *uscc, const char *cls)
{
	char path[96], body[128];
	snprintf(path, sizeof path, "/v1/organisations/%s/credit", uscc);
	snprintf(body, sizeof body, "{\"credit_class\":\"%s\",\"reason\":\"case file 2026-118\"}",
		 cls);
	json_decref(test_expect(env, "PUT", path, "customs", body, 200));
}

/* Example 1, step by step, to those who may read it; hidden from others. */
static void assessment_shown_step_by_step(void **state)
{
	struct test_env *env = *state;
	char n[19], path[80];
	lodge(env, "trader2", apples(PENGCHENG, "COSU6291830501"), n);
	assert_int_equal(test_count_events(env, n, "duties.assessed", NULL), 1);

	json_t *v = taxes(env, n, "trader2");
	assert_string_equal(test_str(v, "status"), "assessed");
	assert_int_equal(json_integer_value(json_object_get(v, "version")), 1);
	json_t *a = json_object_get(v, "assessment");
	assert_string_equal(test_str(a, "date"), "2026-11-23");
	assert_string_equal(test_str(a, "valuation_basis"), "CIF");
	json_t *rate = json_object_get(a, "exchange_rate");
	assert_string_equal(test_str(rate, "month"), "2026-11");
	assert_string_equal(test_str(rate, "cny_per_unit"), "7.1023");
	json_t *item = json_array_get(json_object_get(a, "items"), 0);
	assert_string_equal(test_str(item, "customs_value"), "33300.00");
	assert_string_equal(test_str(item, "customs_value_cny"), "236506.59");
	assert_string_equal(test_str(json_object_get(item, "tariff"), "version"), "CN-2026");
	json_t *duty = json_object_get(item, "duty");
	assert_string_equal(test_str(duty, "basis"), "mfn");
	assert_string_equal(test_str(duty, "amount"), "23650.66");
	assert_string_equal(test_str(duty, "computation"), "236506.59 x 10% = 23650.66");
	json_t *vat = json_object_get(item, "vat");
	assert_string_equal(test_str(vat, "amount"), "23414.15");
	assert_string_equal(test_str(vat, "computation"), "260157.25 x 9% = 23414.15");
	assert_string_equal(test_str(a, "total_due"), "47064.81");
	json_t *t = json_object_get(v, "taxes");
	assert_string_equal(test_str(t, "due"), "47064.81");
	assert_string_equal(test_str(t, "paid"), "0.00");
	assert_string_equal(test_str(t, "outstanding"), "47064.81");
	assert_true(json_is_null(json_object_get(t, "guarantee")));
	json_decref(v);

	/* customs, analysts and admins read it; other declarants, other
	 * agencies and terminals do not */
	json_decref(taxes(env, n, "customs"));
	json_decref(taxes(env, n, "admin"));
	snprintf(path, sizeof path, "/v1/declarations/%s/assessment", n);
	json_decref(test_expect(env, "GET", path, "trader", NULL, 404));
	json_decref(test_expect(env, "GET", path, "quarantine", NULL, 403));
	json_decref(test_expect(env, "GET", path, "terminal", NULL, 403));
	json_decref(test_expect(env, "GET", "/v1/declarations/516720269999999999/assessment",
				"customs", NULL, 404));
}

/* Release waits for payment; a wrong payment changes nothing; the exact
 * one releases, once, and is the same payment when sent again. */
static void release_waits_for_exact_payment(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16];
	cleared_awaiting_payment(env, "COSU6291830502", n);
	assert_string_equal(status_of(env, n, st), "accepted");
	json_t *held = last_event(env, n, "declaration.release_held");
	assert_string_equal(test_str(held, "waiting_for"), "payment");
	assert_string_equal(test_str(held, "reason"),
			    "awaiting payment of 47064.81 CNY: no general guarantee is on file");
	json_decref(held);

	/* partial, excess, negative, malformed: 400 on its field, nothing kept */
	int64_t payments = test_count(env, "payments");
	char path_of_declaration[64], pay_path[80];
	snprintf(pay_path, sizeof pay_path, "/v1/declarations/%s/payments", n);
	json_t *p = pay(env, n, "trader2", "ICBC-20261123-0001", "47000.00", 400);
	assert_true(test_has_error(p, "/amount",
				   "must equal the amount due, 47064.81 CNY; 47000.00 CNY was "
				   "offered (partial and excess payments are refused)"));
	json_decref(p);
	p = pay(env, n, "trader2", "ICBC-20261123-0001", "47064.82", 400);
	assert_true(test_has_error(p, "/amount", "must equal the amount due, 47064.81 CNY"));
	json_decref(p);
	p = pay(env, n, "trader2", "ICBC-20261123-0001", "-47064.81", 400);
	assert_true(test_has_error(p, "/amount", "must be greater than zero"));
	json_decref(p);
	p = pay(env, n, "trader2", "ICBC 0001", "47064.81", 400);
	assert_true(test_has_error(p, "/bank_reference",
				   "must be letters, digits, '.', '-', '_' or '/'"));
	json_decref(p);
	p = test_expect(env, "POST", "/v1/declarations/516720269999999999/payments", "trader2",
			"{\"bank\":\"" ICBC "\",\"bank_reference\":\"X1\",\"amount\":\"1.00\"}",
			404);
	json_decref(p);
	/* another declarant may not pay it, nor an officer, nor a bank */
	json_decref(pay(env, n, "trader", "ICBC-20261123-0001", "47064.81", 404));
	json_decref(pay(env, n, "customs", "ICBC-20261123-0001", "47064.81", 403));
	json_decref(pay(env, n, "bank", "ICBC-20261123-0001", "47064.81", 403));
	/* a bank kouan does not know (here a trader), and the time of
	 * payment, which is the bank's to give */
	p = test_expect(env, "POST", pay_path, "trader2",
			"{\"bank\":\"" HAITONG "\",\"bank_reference\":\"X1\",\"amount\":"
			"\"47000.00\"}",
			400);
	assert_string_equal(test_str(p, "detail"), "the payment has fields that are not valid");
	assert_int_equal(json_array_size(json_object_get(p, "errors")), 2);
	assert_true(test_has_error(p, "/amount", "must equal the amount due"));
	assert_true(test_has_error(p, "/bank",
				   "is not a bank kouan knows: give the unified social credit code "
				   "of the bank that holds the payer's account (GET /v1/banks lists "
				   "them)"));
	json_decref(p);
	p = test_expect(env, "POST", pay_path, "trader2",
			"{\"bank\":\"" ICBC "\",\"bank_reference\":\"X1\",\"amount\":"
			"\"47064.81\",\"paid_at\":\"2026-11-23T08:00:00Z\"}",
			400);
	assert_true(test_has_error(p, "/paid_at",
				   "unknown field; accepted fields are: bank, bank_reference, amount "
				   "(the time of payment is the bank's to give)"));
	json_decref(p);
	assert_int_equal(test_count(env, "payments"), payments);
	assert_string_equal(status_of(env, n, st), "accepted");

	/* the exact amount: a payment order, which releases nothing yet */
	p = pay(env, n, "trader2", "ICBC-20261123-0001", "47064.81", 202);
	assert_string_equal(test_str(p, "amount"), "47064.81");
	assert_string_equal(test_str(p, "status"), "reported");
	assert_string_equal(test_str(p, "bank"), ICBC);
	assert_true(json_is_null(json_object_get(p, "paid_at")));
	assert_string_equal(test_str(p, "declaration_status"), "accepted");
	json_decref(p);
	assert_int_equal(test_count_events(env, n, "duties.payment_reported", NULL), 1);
	held = last_event(env, n, "declaration.release_held");
	assert_string_equal(test_str(held, "reason"),
			    "awaiting payment of 47064.81 CNY: payment ICBC-20261123-0001 is "
			    "reported and awaits its bank's confirmation");
	json_decref(held);
	assert_int_equal(test_count_events(env, n, "duties.paid", NULL), 0);

	/* the bank's time is bounded: not tomorrow, not before the goods
	 * were declared; nor may it pay another amount than the order's */
	char lodged[TIME_TEXT_SIZE];
	p = bank_paid(env, "ICBC-20261123-0001", "47000.00", "2030-01-01T00:00:00Z", 400);
	assert_string_equal(test_str(p, "detail"), "the answer has fields that are not valid");
	assert_int_equal(json_array_size(json_object_get(p, "errors")), 2);
	assert_true(test_has_error(p, "/amount",
				   "must be the amount of the payment order, 47064.81 CNY: a bank "
				   "pays the order as given, or refuses it"));
	/* (the test's clock moves on at each request: "now" is the server's) */
	assert_true(test_has_error(p, "/paid_at", "must not be in the future (it is now 2026-11-23T"));
	char want[160];
	json_decref(p);
	snprintf(path_of_declaration, sizeof path_of_declaration, "/v1/declarations/%s", n);
	json_t *dv = test_expect(env, "GET", path_of_declaration, "trader2", NULL, 200);
	str_copy(lodged, test_str(dv, "lodged_at"), sizeof lodged);
	json_decref(dv);
	p = bank_paid(env, "ICBC-20261123-0001", "47064.81", "2026-11-01T00:00:00Z", 400);
	assert_string_equal(test_str(p, "detail"), "the answer has fields that are not valid");
	snprintf(want, sizeof want,
		 "must not be before the declaration was lodged (%s): its duties are paid once "
		 "assessed",
		 lodged);
	assert_true(test_has_error(p, "/paid_at", want));
	json_decref(p);
	assert_string_equal(status_of(env, n, st), "accepted");

	/* the bank's word: paid, and released at once */
	p = bank_paid(env, "ICBC-20261123-0001", "47064.81", NULL, 200);
	assert_string_equal(test_str(p, "status"), "paid");
	assert_string_equal(test_str(p, "answered_by"), "bank");
	assert_non_null(test_str(p, "paid_at"));
	assert_string_equal(test_str(p, "declaration_status"), "released");
	assert_string_equal(test_str(p, "guarantee_restored"), "0.00");
	json_decref(p);
	assert_string_equal(status_of(env, n, st), "released");
	assert_int_equal(test_count_events(env, n, "duties.paid", NULL), 1);
	assert_int_equal(test_count_events(env, n, "declaration.released", NULL), 1);

	/* the same bank reference again is the same payment, as it stands */
	p = pay(env, n, "trader2", "ICBC-20261123-0001", "47064.81", 200);
	assert_string_equal(test_str(p, "bank_reference"), "ICBC-20261123-0001");
	assert_string_equal(test_str(p, "status"), "paid");
	json_decref(p);
	/* in small letters too: a bank's reference is the same in any case */
	p = pay(env, n, "trader2", "icbc-20261123-0001", "47064.81", 200);
	assert_string_equal(test_str(p, "bank_reference"), "ICBC-20261123-0001");
	json_decref(p);
	/* for another amount, or another declaration, it is refused */
	p = pay(env, n, "trader2", "ICBC-20261123-0001", "1.00", 409);
	assert_true(test_has_error(p, "/bank_reference", "is the bank reference of another "
							 "payment"));
	json_decref(p);
	p = pay(env, n, "trader2", "Icbc-20261123-0001", "1.00", 409);
	assert_true(test_has_error(p, "/bank_reference", "is the bank reference of another "
							 "payment"));
	json_decref(p);
	/* a released declaration with nothing outstanding takes no payment */
	p = pay(env, n, "trader2", "ICBC-20261123-0002", "47064.81", 409);
	assert_true(test_has_error(p, "/amount", "the duties and taxes of this declaration "
						 "(47064.81 CNY) are already paid"));
	json_decref(p);
	assert_int_equal(test_count(env, "payments"), payments + 1);
	assert_int_equal(test_count_events(env, n, "duties.paid", NULL), 1);

	json_t *v = taxes(env, n, "trader2");
	json_t *t = json_object_get(v, "taxes");
	assert_string_equal(test_str(t, "paid"), "47064.81");
	assert_string_equal(test_str(t, "outstanding"), "0.00");
	assert_int_equal(json_array_size(json_object_get(t, "payments")), 1);
	json_decref(v);
}

/* A payment order is not money: a made-up one releases nothing, only the
 * bank it names may answer it, a refusal leaves the declaration waiting,
 * and the next order counts once the bank has paid it. */
static void a_payment_counts_once_its_bank_says_so(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16];
	cleared_awaiting_payment(env, "COSU6291830509", n);
	assert_string_equal(status_of(env, n, st), "accepted");

	/* the banks a payer may name */
	json_t *b = test_expect(env, "GET", "/v1/banks", "trader2", NULL, 200);
	json_t *banks = json_object_get(b, "banks");
	assert_int_equal(json_array_size(banks), 2);
	assert_string_equal(test_str(json_array_get(banks, 0), "uscc"), ICBC);
	json_decref(b);
	json_decref(test_expect(env, "GET", "/v1/banks", "carrier", NULL, 403));

	/* a made-up payment: kept as an order, and nothing moves */
	json_t *p = pay(env, n, "trader2", "FAKE-0001", "47064.81", 202);
	assert_string_equal(test_str(p, "status"), "reported");
	json_decref(p);
	assert_string_equal(status_of(env, n, st), "accepted");
	json_t *v = taxes(env, n, "trader2");
	json_t *t = json_object_get(v, "taxes");
	assert_string_equal(test_str(t, "paid"), "0.00");
	assert_string_equal(test_str(t, "outstanding"), "47064.81");
	assert_string_equal(test_str(json_array_get(json_object_get(t, "payments"), 0), "status"),
			    "reported");
	json_decref(v);
	/* a second order waits for the bank's answer to the first */
	p = pay(env, n, "trader2", "FAKE-0002", "47064.81", 409);
	assert_string_equal(test_str(p, "detail"),
			    "payment FAKE-0001 of 47064.81 CNY is reported and awaits its bank's "
			    "answer; another payment order waits until the bank has paid or "
			    "refused it, or for 24 hours");
	json_decref(p);

	/* no one but the bank named answers: not the payer, not an officer,
	 * not another bank (which is told nothing of it) */
	static const char paid[] = "{\"outcome\":\"paid\",\"amount\":\"47064.81\","
				   "\"paid_at\":\"2026-11-23T08:00:00Z\"}";
	json_decref(answer(env, "trader2", "FAKE-0001", paid, 403));
	json_decref(answer(env, "customs", "FAKE-0001", paid, 403));
	p = answer(env, "bank2", "FAKE-0001", paid, 404);
	assert_string_equal(test_str(p, "detail"), "no payment reported to your bank has that reference");
	json_decref(p);
	json_decref(answer(env, "bank", "NO-SUCH-ORDER", paid, 404));
	/* each bank sees the orders given to it, and only those */
	json_t *l = test_expect(env, "GET", "/v1/payments?status=reported", "bank", NULL, 200);
	json_t *mine = json_object_get(l, "payments");
	assert_int_equal(json_array_size(mine), 1);
	assert_string_equal(test_str(json_array_get(mine, 0), "bank_reference"), "FAKE-0001");
	assert_string_equal(test_str(json_array_get(mine, 0), "declaration_number"), n);
	json_decref(l);
	l = test_expect(env, "GET", "/v1/payments", "bank2", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(l, "payments")), 0);
	json_decref(l);
	l = test_expect(env, "GET", "/v1/payments?status=pending", "bank", NULL, 400);
	assert_true(test_has_error(l, "query:status", "must be one of reported, paid, refused"));
	json_decref(l);
	json_decref(test_expect(env, "GET", "/v1/payments", "trader2", NULL, 403));
	/* a bank reads its orders, never the declarations they pay */
	l = test_expect(env, "GET", "/v1/declarations", "bank", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(l, "declarations")), 0);
	json_decref(l);
	char dpath[64];
	snprintf(dpath, sizeof dpath, "/v1/declarations/%s", n);
	json_decref(test_expect(env, "GET", dpath, "bank", NULL, 404));
	json_decref(test_expect(env, "GET", "/v1/events", "bank", NULL, 403));
	snprintf(dpath, sizeof dpath, "/v1/declarations/%s/assessment", n);
	json_decref(test_expect(env, "GET", dpath, "bank", NULL, 403));

	/* the bank refuses it: the declaration still waits, and the payer may
	 * order again */
	static const char refused[] = "{\"outcome\":\"refused\",\"reason\":\"no such order "
				      "from this account\"}";
	p = answer(env, "bank", "FAKE-0001", refused, 200);
	assert_string_equal(test_str(p, "status"), "refused");
	assert_string_equal(test_str(p, "reason"), "no such order from this account");
	assert_string_equal(test_str(p, "declaration_status"), "accepted");
	json_decref(p);
	p = answer(env, "bank", "FAKE-0001", refused, 200); /* the same answer again */
	assert_string_equal(test_str(p, "status"), "refused");
	json_decref(p);
	p = answer(env, "bank", "FAKE-0001", paid, 409);
	assert_string_equal(test_str(p, "detail"), "the bank answered this payment already: refused");
	json_decref(p);
	json_t *e = last_event(env, n, "duties.payment_refused");
	assert_string_equal(test_str(e, "reason"), "no such order from this account");
	json_decref(e);
	assert_int_equal(test_count_events(env, n, "duties.paid", NULL), 0);
	assert_string_equal(status_of(env, n, st), "accepted");

	p = pay(env, n, "trader2", "ICBC-20261123-0009", "47064.81", 202);
	assert_true(json_integer_value(json_object_get(p, "id")) > 0);
	json_decref(p);
	/* not debited before it was ordered */
	p = bank_paid(env, "ICBC-20261123-0009", "47064.81", "2026-11-23T07:00:00Z", 400);
	assert_true(test_has_error(p, "/paid_at", NULL));
	json_decref(p);
	/* the reference in any case, as it was ordered */
	char now[TIME_TEXT_SIZE], body[160];
	ktime_format(__atomic_load_n(&env->clock.fixed_us, __ATOMIC_SEQ_CST), now);
	snprintf(body, sizeof body,
		 "{\"outcome\":\"paid\",\"amount\":\"47064.81\",\"paid_at\":\"%s\"}", now);
	p = answer(env, "bank", "icbc-20261123-0009", body, 200);
	assert_string_equal(test_str(p, "declaration_status"), "released");
	assert_null(json_object_get(p, "overpaid"));
	json_decref(p);
	p = answer(env, "bank", "ICBC-20261123-0009", body, 200); /* the same again */
	json_decref(p);
	/* another amount is another answer, at the same time or not */
	snprintf(body, sizeof body,
		 "{\"outcome\":\"paid\",\"amount\":\"1.00\",\"paid_at\":\"%s\"}", now);
	p = answer(env, "bank", "ICBC-20261123-0009", body, 409);
	assert_string_equal(test_str(p, "detail"), "the bank answered this payment already: paid");
	json_decref(p);
	p = bank_paid(env, "ICBC-20261123-0009", "47064.81", "2026-11-23T08:00:00Z", 409);
	assert_string_equal(test_str(p, "detail"), "the bank answered this payment already: paid");
	json_decref(p);
	v = taxes(env, n, "trader2");
	t = json_object_get(v, "taxes");
	assert_string_equal(test_str(t, "paid"), "47064.81");
	assert_int_equal(json_array_size(json_object_get(t, "payments")), 2);
	json_decref(v);
}

/* A payment ordered, then the declaration withdrawn: the bank's debit is
 * kept, and said to be more than is owed, for customs to refund. */
static void a_payment_beyond_what_is_owed_is_said(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16], path[96];
	cleared_awaiting_payment(env, "COSU6291830511", n);
	json_decref(pay(env, n, "trader2", "ICBC-20261123-0011", "47064.81", 202));
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", n);
	json_decref(test_expect(env, "POST", path, "trader2", NULL, 200));
	json_t *p = bank_paid(env, "ICBC-20261123-0011", "47064.81", NULL, 200);
	assert_string_equal(test_str(p, "status"), "paid");
	assert_string_equal(test_str(p, "overpaid"), "47064.81");
	assert_string_equal(test_str(p, "declaration_status"), "withdrawn");
	json_decref(p);
	json_t *e = last_event(env, n, "duties.paid");
	assert_string_equal(test_str(e, "overpaid"), "47064.81");
	json_decref(e);
	assert_string_equal(status_of(env, n, st), "withdrawn");
}

/* An order its bank leaves unanswered holds the next one for 24 hours,
 * no longer; paid after all, what it brings beyond the debt is said. */
static void an_unanswered_order_holds_the_next_for_a_day(void **state)
{
	struct test_env *env = *state;
	char n[19];
	cleared_awaiting_payment(env, "COSU6291830512", n);
	json_decref(pay(env, n, "trader2", "ICBC-20261123-0012", "47064.81", 202));
	int64_t now = __atomic_load_n(&env->clock.fixed_us, __ATOMIC_SEQ_CST);
	__atomic_store_n(&env->clock.fixed_us, now + INT64_C(23) * 3600 * 1000000,
			 __ATOMIC_SEQ_CST);
	json_decref(pay(env, n, "trader2", "ICBC-20261124-0013", "47064.81", 409));
	__atomic_store_n(&env->clock.fixed_us, now + INT64_C(24) * 3600 * 1000000,
			 __ATOMIC_SEQ_CST);
	json_decref(pay(env, n, "trader2", "ICBC-20261124-0013", "47064.81", 202));
	json_t *p = bank_paid(env, "ICBC-20261124-0013", "47064.81", NULL, 200);
	assert_string_equal(test_str(p, "declaration_status"), "released");
	assert_null(json_object_get(p, "overpaid"));
	json_decref(p);
	/* the first, paid after all: kept, and said to be beyond the debt */
	p = bank_paid(env, "ICBC-20261123-0012", "47064.81", NULL, 200);
	assert_string_equal(test_str(p, "overpaid"), "47064.81");
	json_decref(p);
	__atomic_store_n(&env->clock.fixed_us, now, __ATOMIC_SEQ_CST);
}

/* Duties and taxes all at most 50 CNY are waived: nothing to pay. */
static void nothing_due_releases_without_payment(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16];
	json_t *d = apples(PENGCHENG, "COSU6291830503");
	json_object_set_new(json_array_get(json_object_get(d, "items"), 0), "quantity",
			    json_string("10"));
	lodge(env, "trader2", d, n);
	json_t *v = taxes(env, n, "trader2");
	json_t *a = json_object_get(v, "assessment");
	/* 18.50 USD = 131.39 CNY; duty 13.14 and VAT 11.83 are not collected */
	assert_string_equal(test_str(json_object_get(json_object_get(a, "taxes"), "duty"), "computed"),
			    "13.14");
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(a, "taxes"),
								  "duty"),
						 "waived")));
	assert_string_equal(test_str(a, "total_due"), "0.00");
	json_decref(v);
	clear(env, n, "customs");
	clear(env, n, "quarantine");
	assert_string_equal(status_of(env, n, st), "released");
	json_t *p = pay(env, n, "trader2", "ICBC-20261123-0100", "1.00", 409);
	assert_true(test_has_error(p, "/amount", "nothing is due on this declaration"));
	json_decref(p);
}

/* The demo trader's guarantee takes the duties at release; its payment
 * gives them back. */
static void guarantee_drawn_at_release_and_restored(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16];
	json_t *g = guarantee(env, "G-NS-2026-001", "trader");
	assert_string_equal(test_str(g, "ceiling"), "5000000.00");
	int64_t before = test_decimal(test_str(g, "drawn"), 2);
	json_decref(g);
	lodge(env, "trader", apples(HAITONG, "COSU6291830504"), n);
	clear(env, n, "customs");
	clear(env, n, "quarantine");
	assert_string_equal(status_of(env, n, st), "released");
	json_t *e = last_event(env, n, "guarantee.drawn");
	assert_string_equal(test_str(e, "guarantee"), "G-NS-2026-001");
	assert_string_equal(test_str(e, "amount"), "47064.81");
	json_decref(e);
	g = guarantee(env, "G-NS-2026-001", "trader");
	assert_int_equal(test_decimal(test_str(g, "drawn"), 2), before + 4706481);
	json_decref(g);
	json_t *v = taxes(env, n, "trader");
	json_t *drawn = json_object_get(json_object_get(v, "taxes"), "guarantee");
	assert_string_equal(test_str(drawn, "guarantee"), "G-NS-2026-001");
	assert_true(json_is_null(json_object_get(drawn, "restored_at")));
	json_decref(v);

	/* released against the guarantee, it still takes its payment */
	json_t *p = pay(env, n, "trader", "ICBC-20261123-7781", "47064.81", 202);
	assert_string_equal(test_str(p, "guarantee_restored"), "0.00");
	json_decref(p);
	/* a payment order gives nothing back: only the bank's word does */
	g = guarantee(env, "G-NS-2026-001", "trader");
	assert_int_equal(test_decimal(test_str(g, "drawn"), 2), before + 4706481);
	json_decref(g);
	assert_int_equal(test_count_events(env, n, "guarantee.restored", NULL), 0);
	p = bank_paid(env, "ICBC-20261123-7781", "47064.81", NULL, 200);
	assert_string_equal(test_str(p, "guarantee_restored"), "47064.81");
	json_decref(p);
	e = last_event(env, n, "guarantee.restored");
	assert_string_equal(test_str(e, "amount"), "47064.81");
	json_decref(e);
	g = guarantee(env, "G-NS-2026-001", "trader");
	assert_int_equal(test_decimal(test_str(g, "drawn"), 2), before);
	json_decref(g);
	/* others' guarantees are not shown to a declarant */
	json_decref(test_expect(env, "GET", "/v1/guarantees/G-NS-2026-001", "trader2", NULL, 404));
	json_t *list = test_expect(env, "GET", "/v1/guarantees", "trader2", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(list, "guarantees")), 0);
	json_decref(list);
}

/* Registering guarantees, and drawing beyond the ceiling or for a class
 * that may not use one. */
static void guarantee_refusals(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16], path[96];
	int64_t guarantees = test_count(env, "guarantees");
	json_t *r = test_expect(env, "POST", "/v1/guarantees", "customs",
				"{\"organisation\":\"91440300MA5E0THR7X\",\"number\":\"G-1\","
				"\"ceiling\":\"-5\",\"valid_from\":\"2026-12-31\","
				"\"valid_until\":\"2026-01-01\",\"colour\":\"red\"}",
				400);
	assert_true(test_has_error(r, "/organisation", "unified social credit code"));
	assert_true(test_has_error(r, "/ceiling", "must be greater than zero"));
	assert_true(test_has_error(r, "/valid_until", "must not be before valid_from"));
	assert_true(test_has_error(r, "/colour", NULL));
	json_decref(r);
	json_decref(test_expect(env, "POST", "/v1/guarantees", "trader",
				"{\"organisation\":\"" PENGCHENG "\",\"number\":\"G-QH-1\","
				"\"ceiling\":\"100.00\",\"valid_from\":\"2026-01-01\","
				"\"valid_until\":\"2026-12-31\"}",
				403));
	/* a discredited enterprise pays first */
	set_credit(env, SUITONG, "discredited");
	r = test_expect(env, "POST", "/v1/guarantees", "customs",
			"{\"organisation\":\"" SUITONG "\",\"number\":\"G-ST-1\","
			"\"ceiling\":\"100000.00\",\"valid_from\":\"2026-01-01\","
			"\"valid_until\":\"2026-12-31\"}",
			409);
	assert_true(test_has_error(r, "/organisation",
				   "is of the discredited credit class; a general guarantee is "
				   "open to the advanced and standard classes"));
	json_decref(r);
	set_credit(env, SUITONG, "standard");
	assert_int_equal(test_count(env, "guarantees"), guarantees);

	/* trader2's small guarantee cannot take its apples */
	json_decref(test_expect(env, "POST", "/v1/guarantees", "customs",
				"{\"organisation\":\"" PENGCHENG "\",\"number\":\"G-QH-2026-007\","
				"\"ceiling\":\"100.00\",\"valid_from\":\"2026-01-01\","
				"\"valid_until\":\"2026-12-31\"}",
				201));
	r = test_expect(env, "POST", "/v1/guarantees", "admin",
			"{\"organisation\":\"" PENGCHENG "\",\"number\":\"G-QH-2026-007\","
			"\"ceiling\":\"100.00\",\"valid_from\":\"2026-01-01\","
			"\"valid_until\":\"2026-12-31\"}",
			409);
	assert_true(test_has_error(r, "/number", "is taken"));
	json_decref(r);
	lodge(env, "trader2", apples(PENGCHENG, "COSU6291830505"), n);
	snprintf(path, sizeof path, "/v1/declarations/%s/guarantee", n);
	r = test_expect(env, "POST", path, "trader2", "{\"guarantee\":\"G-QH-2026-007\"}", 409);
	assert_string_equal(test_str(r, "detail"), "guarantee G-QH-2026-007 has 100.00 CNY left of "
					      "its 100.00 CNY ceiling; 47064.81 CNY is needed");
	json_decref(r);
	/* only the consignee's guarantees */
	r = test_expect(env, "POST", path, "trader2", "{\"guarantee\":\"G-NS-2026-001\"}", 400);
	assert_true(test_has_error(r, "/guarantee", "is not a general guarantee of the "
						    "consignee " PENGCHENG));
	json_decref(r);
	json_t *g = guarantee(env, "G-QH-2026-007", "customs");
	assert_string_equal(test_str(g, "drawn"), "0.00");
	json_decref(g);

	/* a large enough one, but the enterprise became discredited */
	json_decref(test_expect(env, "POST", "/v1/guarantees", "customs",
				"{\"organisation\":\"" PENGCHENG "\",\"number\":\"G-QH-2026-008\","
				"\"ceiling\":\"100000.00\",\"valid_from\":\"2026-01-01\","
				"\"valid_until\":\"2026-12-31\"}",
				201));
	set_credit(env, PENGCHENG, "discredited");
	r = test_expect(env, "POST", path, "trader2", "{\"guarantee\":\"G-QH-2026-008\"}", 409);
	assert_string_equal(test_str(r, "detail"), "a general guarantee is open to the advanced and "
					      "standard credit classes; the enterprise is "
					      "discredited");
	json_decref(r);
	set_credit(env, PENGCHENG, "standard");
	/* standard again: secured now, released as soon as cleared */
	r = test_expect(env, "POST", path, "trader2", "{\"guarantee\":\"G-QH-2026-008\"}", 200);
	assert_string_equal(test_str(json_object_get(r, "guarantee"), "drawn"), "47064.81");
	assert_string_equal(test_str(json_object_get(r, "guarantee"), "available"), "52935.19");
	assert_string_equal(test_str(r, "declaration_status"), "accepted");
	json_decref(r);
	r = test_expect(env, "POST", path, "trader2", "{\"guarantee\":\"G-QH-2026-008\"}", 409);
	assert_string_equal(test_str(r, "detail"), "guarantee G-QH-2026-008 secures this declaration "
					      "already");
	json_decref(r);
	clear(env, n, "customs");
	clear(env, n, "quarantine");
	assert_string_equal(status_of(env, n, st), "released");
	assert_int_equal(test_count_events(env, n, "guarantee.drawn", NULL), 1);
}

/* A guarantee drawn on request goes back when the declaration is
 * withdrawn: nothing is owed on goods that are not released. */
static void withdrawal_restores_the_guarantee(void **state)
{
	struct test_env *env = *state;
	char n[19], path[96];
	json_t *g = guarantee(env, "G-QH-2026-008", "trader2");
	char before[32];
	str_copy(before, test_str(g, "drawn"), sizeof before);
	json_decref(g);
	lodge(env, "trader2", apples(PENGCHENG, "COSU6291830513"), n);
	snprintf(path, sizeof path, "/v1/declarations/%s/guarantee", n);
	json_decref(test_expect(env, "POST", path, "trader2", "{\"guarantee\":\"G-QH-2026-008\"}",
				200));
	snprintf(path, sizeof path, "/v1/declarations/%s/withdrawal", n);
	json_decref(test_expect(env, "POST", path, "trader2",
				"{\"reason\":\"the goods were sold on board\"}", 200));
	json_t *e = last_event(env, n, "guarantee.restored");
	assert_string_equal(test_str(e, "amount"), "47064.81");
	assert_string_equal(test_str(e, "reason"), "the declaration was withdrawn");
	json_decref(e);
	g = guarantee(env, "G-QH-2026-008", "trader2");
	assert_string_equal(test_str(g, "drawn"), before);
	json_decref(g);
}

/* A registered guarantee lifts the hold of the consignee's declarations
 * waiting for payment. */
static void a_guarantee_registered_later_releases(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16];
	json_t *d = apples(SUITONG, "COSU6291830506");
	lodge(env, "broker", d, n);
	clear(env, n, "customs");
	clear(env, n, "quarantine");
	assert_string_equal(status_of(env, n, st), "accepted");
	json_decref(test_expect(env, "POST", "/v1/guarantees", "customs",
				"{\"organisation\":\"" SUITONG "\",\"number\":\"G-ST-2026-002\","
				"\"ceiling\":\"60000.00\",\"valid_from\":\"2026-11-01\","
				"\"valid_until\":\"2027-10-31\"}",
				201));
	assert_string_equal(status_of(env, n, st), "released");
	json_t *g = guarantee(env, "G-ST-2026-002", "broker");
	assert_string_equal(test_str(g, "drawn"), "47064.81");
	assert_string_equal(test_str(g, "available"), "12935.19");
	json_decref(g);
}

/* No rate for the month: held with the reason, never guessed; release
 * waits; the rate arrives, the assessment is made and release follows. */
static void no_rate_holds_until_loaded(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16];
	json_t *d = apples(HAITONG, "COSU6291830507");
	json_object_set_new(d, "currency", json_string("GBP"));
	lodge(env, "trader", d, n);
	json_t *v = taxes(env, n, "trader");
	assert_string_equal(test_str(v, "status"), "held");
	assert_string_equal(test_str(v, "reason"), "no exchange rate for GBP in 2026-11");
	assert_string_equal(test_str(json_object_get(v, "taxes"), "due"), "0.00");
	json_decref(v);
	clear(env, n, "customs");
	clear(env, n, "quarantine");
	assert_string_equal(status_of(env, n, st), "accepted");
	json_t *held = last_event(env, n, "declaration.release_held");
	assert_string_equal(test_str(held, "waiting_for"), "payment");
	assert_string_equal(test_str(held, "reason"), "duties and taxes are not assessed yet: "
						 "no exchange rate for GBP in 2026-11");
	json_decref(held);
	json_t *p = pay(env, n, "trader", "ICBC-GBP-1", "1.00", 409);
	assert_string_equal(test_str(p, "detail"),
			    "the duties and taxes are not assessed yet (no exchange rate for "
			    "GBP in 2026-11); nothing can be paid or secured before they are");
	json_decref(p);

	/* the rate is loaded: assessed, and released against the guarantee */
	json_t *r = test_expect(env, "POST", "/v1/exchange-rates", "admin",
				"{\"rates\":[{\"currency\":\"GBP\",\"month\":\"2026-11\","
				"\"cny_per_unit\":\"9.0412\"}]}",
				201);
	assert_int_equal(json_integer_value(json_object_get(r, "added")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "reassessed")), 1);
	json_decref(r);
	assert_string_equal(status_of(env, n, st), "released");
	v = taxes(env, n, "trader");
	assert_string_equal(test_str(v, "status"), "assessed");
	/* 33,300.00 GBP x 9.0412 = 301,071.96; duty 30,107.20; VAT 29,806.12 */
	assert_string_equal(test_str(json_object_get(v, "assessment"), "total_due"), "59913.32");
	json_decref(v);
	assert_int_equal(test_count_events(env, n, "duties.assessed", NULL), 2);

	/* the same rate again changes nothing; another value is refused */
	r = test_expect(env, "POST", "/v1/exchange-rates", "admin",
			"{\"rates\":[{\"currency\":\"GBP\",\"month\":\"2026-11\","
			"\"cny_per_unit\":\"9.04120\"}]}",
			200);
	assert_int_equal(json_integer_value(json_object_get(r, "unchanged")), 1);
	json_decref(r);
	r = test_expect(env, "POST", "/v1/exchange-rates", "admin",
			"{\"rates\":[{\"currency\":\"GBP\",\"month\":\"2026-11\","
			"\"cny_per_unit\":\"9.1\"}]}",
			409);
	assert_true(test_has_error(r, "/rates/0/cny_per_unit",
				   "is 9.1, but the GBP rate for 2026-11 is 9.0412 already"));
	json_decref(r);
	/* unknown currencies, negative and malformed rates: 400, nothing kept */
	int64_t rates = test_count(env, "exchange_rates");
	r = test_expect(env, "POST", "/v1/exchange-rates", "admin",
			"{\"rates\":[{\"currency\":\"XYZ\",\"month\":\"2026-12\","
			"\"cny_per_unit\":\"1\"},{\"currency\":\"EUR\",\"month\":\"2026-13\","
			"\"cny_per_unit\":\"-7.7\"}]}",
			400);
	assert_true(test_has_error(r, "/rates/0/currency", "'XYZ' is not a known currency"));
	assert_true(test_has_error(r, "/rates/1/month", "must be a month written YYYY-MM"));
	assert_true(test_has_error(r, "/rates/1/cny_per_unit", "must be greater than zero"));
	json_decref(r);
	json_decref(test_expect(env, "POST", "/v1/exchange-rates", "customs",
				"{\"rates\":[]}", 403));
	assert_int_equal(test_count(env, "exchange_rates"), rates);
}

/* The declarant's own computation, compared: customs is told. */
static void declared_taxes_differences_flagged(void **state)
{
	struct test_env *env = *state;
	char n[19];
	json_t *d = apples(PENGCHENG, "COSU6291830508");
	json_object_set_new(d, "declared_taxes",
			    test_json("{'duty': '23650.66', 'consumption_tax': '0', "
				      "'vat': '23000.00'}"));
	lodge(env, "trader2", d, n);
	json_t *v = taxes(env, n, "customs");
	assert_true(json_is_true(json_object_get(v, "declared_differs")));
	json_t *diff = json_object_get(json_object_get(v, "assessment"), "differences");
	assert_string_equal(test_str(diff, "duty"), "0.00");
	assert_string_equal(test_str(diff, "vat"), "-414.15");
	json_decref(v);
	json_t *e = last_event(env, n, "duties.declared_differs");
	assert_string_equal(test_str(json_object_get(e, "difference"), "vat"), "-414.15");
	json_decref(e);
	/* a bad declared_taxes refuses the lodging with its field */
	d = apples(PENGCHENG, "COSU6291830509");
	json_object_set_new(d, "declared_taxes", test_json("{'duty': '-1', 'vat': 5}"));
	char *body = json_dumps(d, JSON_COMPACT);
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/declarations", "trader2", body, "dt-bad", &r),
			 400);
	assert_true(test_has_error(r.json, "/declared_taxes/duty", "must not be negative"));
	assert_true(test_has_error(r.json, "/declared_taxes/consumption_tax", "is required"));
	assert_true(test_has_error(r.json, "/declared_taxes/vat", "must be a decimal string"));
	loopback_result_free(&r);
	free(body);
	json_decref(d);
}

/* Tariff versions over the API. */
static void tariff_loaded_and_refused(void **state)
{
	struct test_env *env = *state;
	static const char amendment[] =
		"{\"id\":\"CN-2026-12\",\"effective_from\":\"2026-12-01\",\"kind\":\"amendment\","
		"\"lines\":[{\"code\":\"0808100000\",\"description\":\"Fresh apples\","
		"\"mfn\":{\"percent\":\"8\"},\"vat_percent\":\"9\",\"export_refund_percent\":\"9\"}]}";
	json_t *r = test_expect(env, "POST", "/v1/tariff/versions", "admin", amendment, 201);
	assert_string_equal(test_str(r, "id"), "CN-2026-12");
	assert_int_equal(json_integer_value(json_object_get(r, "added")), 1);
	json_decref(r);
	r = test_expect(env, "POST", "/v1/tariff/versions", "admin", amendment, 409);
	assert_true(test_has_error(r, "/id", "is taken: tariff version CN-2026-12 is loaded "
					     "already"));
	assert_true(test_has_error(r, "/effective_from", "another tariff version takes effect "
							 "on 2026-12-01"));
	json_decref(r);
	r = test_expect(env, "POST", "/v1/tariff/versions", "admin",
			"{\"id\":\"CN-2027\",\"effective_from\":\"2027-01-01\",\"kind\":\"full\","
			"\"lines\":[{\"code\":\"0808100000\",\"mfn\":{\"percent\":\"-1\"},"
			"\"vat_percent\":\"0.13\",\"export_refund_percent\":\"9\"}]}",
			400);
	assert_true(test_has_error(r, "/lines/0/mfn/percent", "must not be negative"));
	assert_true(test_has_error(r, "/lines/0/vat_percent", NULL));
	json_decref(r);
	json_decref(test_expect(env, "POST", "/v1/tariff/versions", "customs", amendment, 403));

	/* the line in force: the amendment from its date, the full version before */
	r = test_expect(env, "GET", "/v1/tariff/lines/0808100000?date=2026-12-02", "trader",
			NULL, 200);
	assert_string_equal(test_str(json_object_get(r, "version"), "id"), "CN-2026-12");
	json_decref(r);
	r = test_expect(env, "GET", "/v1/tariff/lines/0808100000?date=2026-11-30", "trader",
			NULL, 200);
	assert_string_equal(test_str(json_object_get(r, "version"), "id"), "CN-2026");
	json_decref(r);
	r = test_expect(env, "GET", "/v1/tariff/lines/0303130000", "trader", NULL, 200);
	assert_string_equal(test_str(json_object_get(r, "version"), "id"), "CN-2026-07");
	json_decref(r);
	json_decref(test_expect(env, "GET", "/v1/tariff/lines/9999999999", "trader", NULL, 404));
	json_decref(test_expect(env, "GET", "/v1/tariff/lines/0808100000?date=2026-13-01",
				"trader", NULL, 400));
	r = test_expect(env, "GET", "/v1/tariff/versions", "analyst", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "versions")), 3);
	json_decref(r);
	r = test_expect(env, "GET", "/v1/tariff/versions/CN-2026", "customs", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "lines")), 27);
	json_decref(r);
}

/* The catalogue is public; charges come only from it; inspection services
 * for an inspection that found no problem are borne by the state. */
static void fees_published_charged_and_waived(void **state)
{
	struct test_env *env = *state;
	char n[19], path[96];
	struct loopback_result r;
	assert_int_equal(test_call(env, "GET", "/v1/fees", NULL, NULL, NULL, &r), 200);
	json_t *c = json_array_get(json_object_get(r.json, "catalogues"), 0);
	assert_string_equal(test_str(c, "id"), "CNNSA-2026");
	assert_string_equal(test_str(c, "port"), "CNNSA");
	assert_int_equal(json_array_size(json_object_get(c, "items")), 12);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/fees/CNNSA-2026", NULL, NULL, NULL, &r), 200);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/fees/NONE", NULL, NULL, NULL, &r), 404);
	loopback_result_free(&r);
	assert_int_equal(test_call(env, "GET", "/v1/fees?port=CNYTN", NULL, NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "catalogues")), 0);
	loopback_result_free(&r);
	json_decref(test_expect(env, "POST", "/v1/fees", "trader", "{}", 403));

	json_t *goods = apples(HAITONG, "COSU6291830510");
	char containers[2][12];
	for (size_t i = 0; i < 2; i++)
		str_copy(containers[i], json_string_value(json_array_get(
						json_object_get(goods, "containers"), i)),
			 sizeof containers[i]);
	lodge(env, "trader", goods, n);
	snprintf(path, sizeof path, "/v1/declarations/%s/charges", n);
	int64_t charges = test_count(env, "fee_charges");
	json_t *e = test_expect(env, "POST", path, "terminal",
				"{\"code\":\"DOC-FEE\",\"quantity\":\"1\"}", 400);
	assert_true(test_has_error(e, "/code", "'DOC-FEE' is not in the published fee catalogue "
					       "CNNSA-2026 of CNNSA; only catalogue items may be "
					       "charged"));
	json_decref(e);
	e = test_expect(env, "POST", path, "terminal", "{\"code\":\"THC-20\",\"quantity\":\"1.5\"}",
			400);
	assert_true(test_has_error(e, "/quantity", "must be a whole number of containers"));
	json_decref(e);
	e = test_expect(env, "POST", path, "terminal", "{\"code\":\"TALLY\",\"quantity\":\"1\"}",
			403);
	assert_true(test_has_error(e, "/code", "'TALLY' is charged by the tally"));
	json_decref(e);
	e = test_expect(env, "POST", path, "terminal",
			"{\"code\":\"INSP-LIFT\",\"quantity\":\"1\"}", 409);
	assert_true(test_has_error(e, "/code", "'INSP-LIFT' is an inspection service (lifting)"));
	json_decref(e);
	json_decref(test_expect(env, "POST", path, "trader",
				"{\"code\":\"THC-20\",\"quantity\":\"1\"}", 403));
	assert_int_equal(test_count(env, "fee_charges"), charges);
	e = test_expect(env, "POST", path, "terminal", "{\"code\":\"THC-20\",\"quantity\":\"1\"}",
			201);
	assert_string_equal(test_str(e, "payer"), "trader");
	assert_string_equal(test_str(e, "amount"), "850.00");
	json_decref(e);
	/* no more than the goods: a handling per container (two), the weight,
	 * the days in the yard (none before the discharge) */
	json_decref(test_expect(env, "POST", path, "terminal",
				"{\"code\":\"THC-20\",\"quantity\":\"1\"}", 201));
	e = test_expect(env, "POST", path, "terminal", "{\"code\":\"THC-20\",\"quantity\":\"1\"}",
			400);
	assert_string_equal(test_str(e, "detail"), "the charge is not valid");
	assert_true(test_has_error(e, "/quantity",
				   "is 1 containers of 'THC-20', more than the goods allow: the "
				   "declaration has 0 20-foot container(s) by its manifest line and 2 "
				   "of no size known, 2 charged already, so at most 0 more"));
	json_decref(e);
	/* nor the 40-foot handling on the same two containers: handling is
	 * charged once a container, whatever its size */
	e = test_expect(env, "POST", path, "terminal",
			"{\"code\":\"THC-40\",\"quantity\":\"9999999\"}", 400);
	assert_true(test_has_error(e, "/quantity",
				   "the declaration has 2 container(s) and THC is charged once a "
				   "container, whatever its size, 2 charged already, so at most 0 "
				   "more"));
	json_decref(e);
	e = test_expect(env, "POST", path, "terminal", "{\"code\":\"THC-40\",\"quantity\":\"1\"}",
			400);
	assert_true(test_has_error(e, "/quantity", "so at most 0 more"));
	json_decref(e);
	e = test_expect(env, "POST", path, "terminal",
			"{\"code\":\"BULK-TONNE\",\"quantity\":\"19.851\"}", 400);
	assert_true(test_has_error(e, "/quantity", "the declaration's goods weigh 19.85 t"));
	json_decref(e);
	e = test_expect(env, "POST", path, "terminal",
			"{\"code\":\"STORE-DAY\",\"quantity\":\"30\"}", 400);
	assert_true(test_has_error(e, "/quantity",
				   "its containers have been in the yard 0 container-day(s) so far"));
	json_decref(e);
	assert_int_equal(test_count(env, "fee_charges"), charges + 2);
	/* the containers discharged now, on the consignment's call (written as
	 * the gate writes it: the call's entry permission is not this test's
	 * subject) */
	char mp[96], call[CALL_KEY_MAX], now[TIME_TEXT_SIZE];
	snprintf(mp, sizeof mp, "/v1/declarations/%s/match", n);
	json_t *m = test_expect(env, "GET", mp, "trader", NULL, 200);
	str_copy(call, test_str(m, "call"), sizeof call);
	json_decref(m);
	ktime_format(__atomic_load_n(&env->clock.fixed_us, __ATOMIC_SEQ_CST), now);
	struct store_conn *sc;
	assert_int_equal(store_thread_conn(env->store, &sc), KERR_OK);
	assert_int_equal(store_begin(sc, true), KERR_OK);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(repo_yard_event_put(sc, containers[i], call, YARD_DISCHARGED, now,
						     false, "terminal", now),
				 KERR_OK);
	assert_int_equal(store_commit(sc), KERR_OK);

	/* quarantine inspects; the inspection finds no problem */
	char dp[128];
	snprintf(dp, sizeof dp, "/v1/declarations/%s/tasks/quarantine/decision", n);
	json_decref(test_expect(env, "POST", dp, "quarantine",
				"{\"decision\":\"inspect\",\"reason\":\"look at the fruit\"}", 200));
	json_decref(test_expect(env, "POST", "/v1/inspection-sites", "admin",
				"{\"code\":\"NSA-F\",\"name\":\"Nansha fee test site\","
				"\"port\":\"CNNSA\",\"slot_minutes\":30,\"capacity\":4}",
				201));
	snprintf(dp, sizeof dp, "/v1/declarations/%s/inspection", n);
	json_t *insp = test_expect(env, "GET", dp, "trader", NULL, 200);
	json_int_t id = json_integer_value(json_object_get(insp, "id"));
	json_decref(insp);
	snprintf(dp, sizeof dp, "/v1/inspections/%lld/booking", (long long)id);
	json_decref(test_expect(env, "POST", dp, "trader",
				"{\"site\":\"NSA-F\",\"slot_start\":\"2026-11-24T02:00:00Z\"}", 201));
	at(env, "2026-11-24T02:05:00Z");
	snprintf(dp, sizeof dp, "/v1/inspections/%lld/findings/quarantine", (long long)id);
	json_decref(test_expect(env, "POST", dp, "quarantine", "{\"result\":\"no_problem\"}", 201));

	e = test_expect(env, "POST", path, "terminal", "{\"code\":\"INSP-LIFT\",\"quantity\":\"1\"}",
			201);
	assert_string_equal(test_str(e, "payer"), "state");
	assert_string_equal(test_str(e, "state_amount"), "180.00");
	assert_string_equal(test_str(e, "trader_amount"), "0.00");
	assert_string_equal(test_str(e, "reason"), "waived for the trader: lifting for an inspection "
					      "that found no problem is borne by the state");
	json_decref(e);
	/* two containers a day in the yard since their discharge (yesterday) */
	json_decref(test_expect(env, "POST", path, "terminal",
				"{\"code\":\"INSP-STORE\",\"quantity\":\"2\"}", 201));
	e = test_expect(env, "POST", path, "terminal",
			"{\"code\":\"INSP-STORE\",\"quantity\":\"1\"}", 400);
	assert_true(test_has_error(e, "/quantity",
				   "its containers have been in the yard 2 container-day(s) so far, "
				   "each day begun counting, 2 charged already, so at most 0 more"));
	json_decref(e);
	e = test_expect(env, "POST", path, "terminal",
			"{\"code\":\"INSP-UNPACK\",\"quantity\":\"1\"}", 201);
	assert_string_equal(test_str(e, "payer"), "trader");
	json_decref(e);
	assert_int_equal(test_count_events(env, n, "fee.waived", NULL), 2);
	assert_int_equal(test_count_events(env, n, "fee.charged", NULL), 3);

	/* the declarant sees its charges; others do not */
	json_t *list = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(list, "charges")), 5);
	assert_string_equal(test_str(list, "trader_total"), "2150.00");
	assert_string_equal(test_str(list, "state_total"), "270.00");
	json_decref(list);
	json_decref(test_expect(env, "GET", path, "trader2", NULL, 404));
	json_decref(test_expect(env, "GET", path, "quarantine", NULL, 403));
	/* a terminal charges only at its own port */
	char other[19];
	json_t *laptops = test_declaration_customs_only();
	json_object_set_new(laptops, "entry_port", json_string("CNYTN"));
	json_object_set_new(laptops, "port_office", json_string("5316"));
	lodge(env, "trader", laptops, other);
	snprintf(path, sizeof path, "/v1/declarations/%s/charges", other);
	json_decref(test_expect(env, "POST", path, "terminal",
				"{\"code\":\"THC-20\",\"quantity\":\"1\"}", 404));
}

/* The export tax refund: refused for an import and before departure,
 * then applied, matched and decided. */
/* The lorry carrying the T-shirts leaves Huanggang: its departure report,
 * cleared by border and customs, and the departure recorded by the
 * haulier, now (what the refund reads: refund_departed). */
static void lorry_departs(struct test_env *env, const char *trip)
{
	json_t *dep = test_json(
		"{\"kind\":\"departure\",\"transport_mode\":\"4\","
		"\"carrier\":\"Kong Lian Cross-Border Haulage\","
		"\"vehicle\":{\"scheme\":\"cross_boundary\",\"region\":\"HK\","
		"\"plate\":\"粤Z·H2286港\",\"regional_plate\":\"KV 2286\",\"use\":\"goods\","
		"\"trip\":\"TRIP\",\"driver\":{\"name\":\"陈大文\","
		"\"document_type\":\"home_return_permit\",\"document_number\":\"H12345678\"}},"
		"\"port\":\"CNHUG\",\"port_office\":\"5301\",\"lane\":\"HG-OUT-03\","
		"\"next_port\":\"HKHKG\",\"expected_departure\":\"2026-11-24T03:00:00Z\","
		"\"crew\":1,\"passengers\":0}");
	json_object_set_new(json_object_get(dep, "vehicle"), "trip", json_string(trip));
	char *text = json_dumps(dep, JSON_COMPACT);
	struct loopback_result r;
	assert_int_equal(test_call(env, "POST", "/v1/conveyance-reports", "haulier", text, trip, &r),
			 201);
	json_int_t id = json_integer_value(json_object_get(r.json, "id"));
	loopback_result_free(&r);
	free(text);
	json_decref(dep);
	char path[128];
	static const char *const agencies[] = {"border", "customs"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/%s/decision",
			 (long long)id, agencies[i]);
		json_decref(test_expect(env, "POST", path, agencies[i],
					"{\"decision\":\"cleared\",\"reason\":\"ok\"}", 200));
	}
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/departure", (long long)id);
	json_decref(test_expect(env, "POST", path, "haulier", NULL, 200));
}

static json_t *tshirts(const char *bill, const char *trip)
{
	json_t *d = test_json(
		"{'direction': 'export', 'declaration_office': '5301', 'port_office': '5301',"
		" 'declarant_uscc': '91440101MA59TRAD00', 'consignee_uscc': '91440101MA59TRAD00',"
		" 'trade_mode': '0110', 'transport_mode': '4',"
		" 'conveyance': {'name': '粤Z·H2286港', 'voyage': '20261122-01'},"
		" 'bill_of_lading': 'HG20261122-0097', 'trading_country': 'HK',"
		" 'destination_country': 'HK', 'exit_port': 'CNHUG', 'incoterm': 'FOB',"
		" 'currency': 'HKD', 'packages': 320, 'gross_weight_kg': '2880.000',"
		" 'containers': ['TGHU6000010'],"
		" 'items': [{'hs_code': '6109100000', 'description': 'Cotton knitted T-shirts',"
		"  'quantity': '9600', 'unit': '011', 'unit_price': '28.50', 'origin_country': 'CN'}],"
		" 'documents': [{'type': 'invoice', 'number': 'HT-EX-2026-0412'}]}");
	json_object_set_new(d, "bill_of_lading", json_string(bill));
	json_object_set_new(json_object_get(d, "conveyance"), "voyage", json_string(trip));
	return d;
}

static void refund_path(void **state)
{
	struct test_env *env = *state;
	char exp[19], imp[19], body[512], path[64];
	lodge(env, "trader", tshirts("HG20261122-0097", "20261122-01"), exp);
	snprintf(body, sizeof body,
		 "{\"declaration_number\":\"%s\",\"items\":[{\"hs_code\":\"6109100000\","
		 "\"quantity\":\"9600\",\"fob_value_cny\":\"249550.56\"}]}",
		 exp);
	int64_t applications = test_count(env, "refund_applications");
	/* not released, not departed: every reason, nothing recorded */
	json_t *r = test_expect(env, "POST", "/v1/refunds", "trader", body, 409);
	assert_true(test_has_error(r, "/declaration_number",
				   "is not released: a refund follows release"));
	assert_true(test_has_error(r, "/declaration_number",
				   "has not left: its conveyance has not departed yet"));
	json_decref(r);
	clear(env, exp, "customs");
	clear(env, exp, "border");
	r = test_expect(env, "POST", "/v1/refunds", "trader", body, 409);
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 1);
	assert_true(test_has_error(r, "/declaration_number",
				   "has not left: its conveyance has not departed yet"));
	json_decref(r);
	/* an import */
	lodge(env, "trader", apples(HAITONG, "COSU6291830511"), imp);
	char ibody[512];
	snprintf(ibody, sizeof ibody,
		 "{\"declaration_number\":\"%s\",\"items\":[{\"hs_code\":\"0808100000\","
		 "\"quantity\":\"18000\",\"fob_value_cny\":\"1.00\"}]}",
		 imp);
	r = test_expect(env, "POST", "/v1/refunds", "trader", ibody, 409);
	assert_true(test_has_error(r, "/declaration_number",
				   "is an import declaration: refunds are for exports"));
	json_decref(r);
	/* someone else's declaration */
	r = test_expect(env, "POST", "/v1/refunds", "trader2", body, 400);
	assert_true(test_has_error(r, "/declaration_number", "no declaration of your "
							     "organisation has the number"));
	json_decref(r);
	assert_int_equal(test_count(env, "refund_applications"), applications);

	/* the lorry leaves: its departure on the call is the one the refund
	 * reads */
	lorry_departs(env, "20261122-01");
	r = test_expect(env, "POST", "/v1/refunds", "trader", body, 201);
	assert_string_equal(test_str(r, "status"), "applied");
	assert_string_equal(test_str(r, "verdict"), "matches");
	/* 273,600.00 HKD x 0.9121 = 249,550.56 CNY; 13 % = 32,441.57 */
	assert_string_equal(test_str(r, "total_refund"), "32441.57");
	json_int_t id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	snprintf(path, sizeof path, "/v1/refunds/%lld", (long long)id);
	json_decref(test_expect(env, "GET", path, "trader2", NULL, 404));
	json_decref(test_expect(env, "GET", path, "customs", NULL, 403));
	r = test_expect(env, "GET", "/v1/refunds?status=applied", "tax", NULL, 200);
	assert_true(json_array_size(json_object_get(r, "applications")) >= 1);
	json_decref(r);
	/* one under way at a time */
	r = test_expect(env, "POST", "/v1/refunds", "trader", body, 409);
	assert_true(test_has_error(r, "/declaration_number", "has a refund application under "
							     "way"));
	json_decref(r);
	snprintf(path, sizeof path, "/v1/refunds/%lld/decision", (long long)id);
	json_decref(test_expect(env, "POST", path, "trader", "{\"decision\":\"approved\"}", 403));
	r = test_expect(env, "POST", path, "tax", "{\"decision\":\"approved\"}", 200);
	assert_string_equal(test_str(r, "status"), "approved");
	assert_string_equal(test_str(r, "decided_by"), "tax");
	json_decref(r);
	json_decref(test_expect(env, "POST", path, "tax", "{\"decision\":\"rejected\","
							  "\"reason\":\"again\"}",
				409));
	snprintf(path, sizeof path, "/v1/refunds/%lld", (long long)id);
	r = test_expect(env, "GET", path, "trader", NULL, 200);
	assert_string_equal(test_str(r, "status"), "approved");
	json_decref(r);
	assert_int_equal(test_count_events(env, exp, "refund.applied", NULL), 1);
	assert_int_equal(test_count_events(env, exp, "refund.approved", NULL), 1);
	r = test_expect(env, "POST", "/v1/refunds", "trader", body, 409);
	assert_true(test_has_error(r, "/declaration_number", "already has an approved refund"));
	json_decref(r);

	/* an application that differs from customs' data can only be rejected */
	char exp2[19];
	lodge(env, "trader", tshirts("HG20261122-0098", "20261122-02"), exp2);
	clear(env, exp2, "customs");
	clear(env, exp2, "border");
	lorry_departs(env, "20261122-02");
	snprintf(body, sizeof body,
		 "{\"declaration_number\":\"%s\",\"items\":[{\"hs_code\":\"6109100000\","
		 "\"quantity\":\"9800\",\"fob_value_cny\":\"249550.56\"}]}",
		 exp2);
	r = test_expect(env, "POST", "/v1/refunds", "trader", body, 201);
	assert_string_equal(test_str(r, "verdict"), "mismatch");
	json_t *diff = json_array_get(json_object_get(r, "differences"), 0);
	assert_string_equal(test_str(diff, "field"), "/items/0/quantity");
	assert_string_equal(test_str(diff, "problem"), "is 9800; customs' data for item 0 is 9600");
	id = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	snprintf(path, sizeof path, "/v1/refunds/%lld/decision", (long long)id);
	r = test_expect(env, "POST", path, "tax", "{\"decision\":\"approved\"}", 409);
	assert_true(test_has_error(r, "/decision", "does not match customs' electronic data"));
	json_decref(r);
	r = test_expect(env, "POST", path, "tax", "{\"decision\":\"rejected\"}", 400);
	assert_true(test_has_error(r, "/reason", "is required to reject"));
	json_decref(r);
	r = test_expect(env, "POST", path, "tax",
			"{\"decision\":\"rejected\",\"reason\":\"quantity differs from the "
			"export declaration\"}",
			200);
	assert_string_equal(test_str(r, "status"), "rejected");
	json_decref(r);
	assert_int_equal(test_count_events(env, exp2, "refund.rejected", NULL), 1);
}

/* A declaration lodged before duties were assessed (no assessment row):
 * reading computes its assessment without keeping it; its release assesses
 * and keeps it. */
static const struct sql_query Q_FORGET = {"DELETE FROM duty_assessments WHERE "
					  "declaration_number = ?"};
static const struct sql_query Q_KEPT = {"SELECT COUNT(*) FROM duty_assessments WHERE "
					"declaration_number = ?"};

static int64_t kept(struct test_env *env, const char *number)
{
	return test_count_of(env, &Q_KEPT, number);
}

static void lodged_before_assessment(void **state)
{
	struct test_env *env = *state;
	char n[19], st[16];
	lodge(env, "trader", apples(HAITONG, "COSU6291830512"), n);
	struct store_conn *c;
	assert_int_equal(store_thread_conn(env->store, &c), KERR_OK);
	assert_int_equal(store_exec(c, &Q_FORGET, "s", n), KERR_OK);
	json_t *v = taxes(env, n, "trader");
	assert_string_equal(test_str(json_object_get(v, "assessment"), "total_due"), "47064.81");
	json_decref(v);
	assert_int_equal(kept(env, n), 0);
	clear(env, n, "customs");
	clear(env, n, "quarantine");
	assert_string_equal(status_of(env, n, st), "released");
	assert_int_equal(kept(env, n), 1);
}

/* A fee catalogue (single quotes for double) of `port` with `id`, taking
 * effect on `from`, with the items given (a JSON array). */
static char *catalogue(const char *id, const char *port, const char *from, const char *items)
{
	char text[4096];
	snprintf(text, sizeof text,
		 "{'id':'%s','port':'%s','effective_from':'%s',"
		 "'description':'Yantian terminal charges','items':%s}",
		 id, port, from, items);
	json_t *j = test_json(text);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

#define THC_ITEM                                                                       \
	"{'code':'THC-20','charged_by':'terminal','charger':'Yantian International',"  \
	"'service_en':'Terminal handling of a 20-foot container','service_zh':'码头作业费',"  \
	"'unit':'container','price':'900.00','legal_basis':'港口收费计费办法',"            \
	"'inspection_service':null}"
#define LIFT_ITEM                                                                      \
	"{'code':'INSP-LIFT','charged_by':'inspection_site','service_en':'Lifting for "  \
	"inspection','unit':'container','price':'200','legal_basis':'Notice 2019 No. 9',"  \
	"'inspection_service':'lifting'}"

/* POST /v1/fees with `body` (freed) as `user`; asserts `status`. */
static json_t *load_fees(struct test_env *env, const char *user, char *body, int status)
{
	json_t *r = test_expect(env, "POST", "/v1/fees", user, body, status);
	free(body);
	return r;
}

/* An invalid catalogue: 400 with exactly this error, nothing published. */
static void fees_refused(struct test_env *env, const char *items, const char *id,
			 const char *port, const char *field, const char *problem)
{
	int64_t audit = test_count(env, "audit_log");
	json_t *r = load_fees(env, "admin", catalogue(id, port, "2026-12-01", items), 400);
	assert_string_equal(test_str(r, "detail"), "the fee catalogue has fields that are not valid");
	const json_t *errors = json_object_get(r, "errors");
	if (json_array_size(errors) != 1 || !test_has_error(r, field, NULL) ||
	    (problem && !test_has_error(r, field, problem)))
		print_error("expected %s: %s\n", field, problem ? problem : "(any)");
	assert_int_equal(json_array_size(errors), 1);
	assert_string_equal(test_str(json_array_get(errors, 0), "field"), field);
	if (problem)
		assert_string_equal(test_str(json_array_get(errors, 0), "problem"), problem);
	json_decref(r);
	assert_int_equal(test_count(env, "audit_log"), audit);
	char path[64];
	struct loopback_result lr;
	snprintf(path, sizeof path, "/v1/fees/%s", id);
	if (strchr(id, ' ') == NULL) {
		assert_int_equal(test_call(env, "GET", path, NULL, NULL, NULL, &lr), 404);
		loopback_result_free(&lr);
	}
}

/* POST /v1/fees: an analyst or an admin publishes a catalogue, which the
 * public list shows from its date; it is never replaced; other roles are
 * refused; an invalid one is refused whole, each problem at its field. */
static void fee_catalogue_published_and_refused(void **state)
{
	struct test_env *env = *state;
	struct loopback_result lr;
	int64_t audit = test_count(env, "audit_log");
	/* Yantian has none yet */
	assert_int_equal(test_call(env, "GET", "/v1/fees?port=CNYTN", NULL, NULL, NULL, &lr), 200);
	assert_int_equal(json_array_size(json_object_get(lr.json, "catalogues")), 0);
	loopback_result_free(&lr);

	/* others may not publish one */
	json_t *r = load_fees(env, "customs",
			      catalogue("CNYTN-2026", "CNYTN", "2026-11-01", "[" THC_ITEM "]"), 403);
	assert_string_equal(test_str(r, "detail"), "the customs role may not use POST /v1/fees");
	json_decref(r);
	json_decref(load_fees(env, "terminal",
			      catalogue("CNYTN-2026", "CNYTN", "2026-11-01", "[" THC_ITEM "]"),
			      403));
	json_decref(load_fees(env, NULL,
			      catalogue("CNYTN-2026", "CNYTN", "2026-11-01", "[" THC_ITEM "]"),
			      401));
	assert_int_equal(test_call(env, "GET", "/v1/fees/CNYTN-2026", NULL, NULL, NULL, &lr), 404);
	loopback_result_free(&lr);

	/* the analyst publishes Yantian's */
	r = load_fees(env, "analyst",
		      catalogue("CNYTN-2026", "CNYTN", "2026-11-01", "[" THC_ITEM "," LIFT_ITEM "]"),
		      201);
	assert_string_equal(test_str(r, "id"), "CNYTN-2026");
	assert_int_equal(json_integer_value(json_object_get(r, "added")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "unchanged")), 0);
	json_decref(r);
	assert_int_equal(test_count(env, "audit_log"), audit + 1);
	/* in the public list from its date, items by code */
	assert_int_equal(test_call(env, "GET", "/v1/fees?port=CNYTN", NULL, NULL, NULL, &lr), 200);
	json_t *c = json_array_get(json_object_get(lr.json, "catalogues"), 0);
	assert_int_equal(json_array_size(json_object_get(lr.json, "catalogues")), 1);
	assert_string_equal(test_str(c, "id"), "CNYTN-2026");
	assert_string_equal(test_str(c, "port"), "CNYTN");
	assert_string_equal(test_str(c, "effective_from"), "2026-11-01");
	json_t *items = json_object_get(c, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(test_str(json_array_get(items, 0), "code"), "INSP-LIFT");
	assert_string_equal(test_str(json_array_get(items, 0), "price"), "200.00");
	assert_string_equal(test_str(json_array_get(items, 0), "inspection_service"), "lifting");
	assert_string_equal(test_str(json_array_get(items, 1), "code"), "THC-20");
	assert_string_equal(test_str(json_array_get(items, 1), "charged_by"), "terminal");
	assert_string_equal(test_str(json_array_get(items, 1), "price"), "900.00");
	loopback_result_free(&lr);
	assert_int_equal(test_call(env, "GET", "/v1/fees", NULL, NULL, NULL, &lr), 200);
	assert_int_equal(json_array_size(json_object_get(lr.json, "catalogues")), 2);
	loopback_result_free(&lr);
	assert_int_equal(test_call(env, "GET", "/v1/fees?port=CNYTN&date=2026-10-31", NULL, NULL,
				   NULL, &lr),
			 200);
	assert_int_equal(json_array_size(json_object_get(lr.json, "catalogues")), 0);
	loopback_result_free(&lr);
	assert_int_equal(test_call(env, "GET", "/v1/fees/CNYTN-2026", NULL, NULL, NULL, &lr), 200);
	assert_string_equal(test_str(lr.json, "id"), "CNYTN-2026");
	loopback_result_free(&lr);

	/* never replaced: the same id, or another on the same day */
	r = load_fees(env, "admin",
		      catalogue("CNYTN-2026", "CNYTN", "2026-11-01", "[" THC_ITEM "]"), 409);
	assert_string_equal(test_str(r, "detail"), "the fee catalogue is not new");
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 2);
	assert_true(test_has_error(r, "/id", "is taken: fee catalogue CNYTN-2026 is published "
					     "already (a catalogue is never changed; publish a "
					     "new one)"));
	assert_true(test_has_error(r, "/effective_from",
				   "CNYTN has a fee catalogue taking effect on 2026-11-01 already"));
	json_decref(r);
	r = load_fees(env, "admin",
		      catalogue("CNYTN-2026B", "CNYTN", "2026-11-01", "[" THC_ITEM "]"), 409);
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 1);
	assert_true(test_has_error(r, "/effective_from",
				   "CNYTN has a fee catalogue taking effect on 2026-11-01 already"));
	json_decref(r);
	assert_int_equal(test_count(env, "audit_log"), audit + 1);

	/* the admin publishes Nansha's next: in force from its date only */
	json_decref(load_fees(env, "admin",
			      catalogue("CNNSA-2027", "CNNSA", "2027-01-01", "[" THC_ITEM "]"),
			      201));
	assert_int_equal(test_call(env, "GET", "/v1/fees?port=CNNSA", NULL, NULL, NULL, &lr), 200);
	assert_string_equal(test_str(json_array_get(json_object_get(lr.json, "catalogues"), 0), "id"),
			    "CNNSA-2026");
	loopback_result_free(&lr);
	assert_int_equal(test_call(env, "GET", "/v1/fees?port=CNNSA&date=2027-01-01", NULL, NULL,
				   NULL, &lr),
			 200);
	assert_string_equal(test_str(json_array_get(json_object_get(lr.json, "catalogues"), 0), "id"),
			    "CNNSA-2027");
	loopback_result_free(&lr);

	/* invalid catalogues */
	fees_refused(env, "[" THC_ITEM "]", "CNXXX-2026", "CNXXX", "/port",
		     "'CNXXX' is not a known port (see GET /v1/reference/ports)");
	fees_refused(env, "[" THC_ITEM "]", "CN YTN", "CNYTN", "/id",
		     "must be letters, digits, '.', '-' or '_', such as \"CNNSA-2026\"");
	fees_refused(env, "[]", "CNYTN-2026-12", "CNYTN", "/items", "must have at least one item");
	fees_refused(env, "[" THC_ITEM "," THC_ITEM "]", "CNYTN-2026-12", "CNYTN",
		     "/items/1/code", "repeats THC-20 (/items/0)");
	fees_refused(env,
		     "[{'code':'thc-20','charged_by':'terminal','service_en':'x','unit':'container',"
		     "'price':'1','legal_basis':'x'}]",
		     "CNYTN-2026-12", "CNYTN", "/items/0/code",
		     "must be capital letters, digits or '-', such as \"INSP-LIFT\"");
	fees_refused(env,
		     "[{'code':'THC-20','charged_by':'customs','service_en':'x','unit':'container',"
		     "'price':'1','legal_basis':'x'}]",
		     "CNYTN-2026-12", "CNYTN", "/items/0/charged_by",
		     "must be one of terminal, port_authority, inspection_site, shipping_agent, "
		     "tally");
	fees_refused(env,
		     "[{'code':'THC-20','charged_by':'terminal','service_en':'x','unit':'box',"
		     "'price':'1','legal_basis':'x'}]",
		     "CNYTN-2026-12", "CNYTN", "/items/0/unit",
		     "must be one of container, teu, container_day, declaration, tonne");
	fees_refused(env,
		     "[{'code':'THC-20','charged_by':'terminal','service_en':'x','unit':'teu',"
		     "'price':'1','legal_basis':'x','inspection_service':'washing'}]",
		     "CNYTN-2026-12", "CNYTN", "/items/0/inspection_service",
		     "must be one of lifting, moving, storage, unpacking (or null)");
	fees_refused(env,
		     "[{'code':'THC-20','charged_by':'terminal','service_en':'x','unit':'teu',"
		     "'price':'1','legal_basis':'x','vat':'6'}]",
		     "CNYTN-2026-12", "CNYTN", "/items/0/vat",
		     "unknown field; accepted fields are: code, charged_by, charger, service_en, "
		     "service_zh, unit, price, legal_basis, inspection_service, container_size, "
		     "sized_service");
	fees_refused(env,
		     "[{'code':'THC-20','charged_by':'terminal','service_en':'x','unit':'teu',"
		     "'price':'-1','legal_basis':'x'}]",
		     "CNYTN-2026-12", "CNYTN", "/items/0/price", NULL);
	fees_refused(env,
		     "[{'code':'THC-20','charged_by':'terminal','unit':'teu','price':'1',"
		     "'legal_basis':'x'}]",
		     "CNYTN-2026-12", "CNYTN", "/items/0/service_en", NULL);
	int64_t before = test_count(env, "audit_log");
	r = test_expect(env, "POST", "/v1/fees", "admin",
			"{\"id\":\"CNYTN-2026-12\",\"port\":\"CNYTN\",\"effective_from\":"
			"\"2026-12-01\",\"items\":[],\"currency\":\"CNY\"}",
			400);
	assert_true(test_has_error(r, "/currency",
				   "unknown field; accepted fields are: id, port, effective_from, "
				   "description, items"));
	assert_true(test_has_error(r, "/items", "must have at least one item"));
	json_decref(r);
	r = test_expect(env, "POST", "/v1/fees", "admin", "[]", 400);
	assert_true(test_has_error(r, "", "the body must be a JSON object"));
	json_decref(r);
	assert_int_equal(test_count(env, "audit_log"), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(assessment_shown_step_by_step),
		cmocka_unit_test(release_waits_for_exact_payment),
		cmocka_unit_test(a_payment_counts_once_its_bank_says_so),
		cmocka_unit_test(a_payment_beyond_what_is_owed_is_said),
		cmocka_unit_test(an_unanswered_order_holds_the_next_for_a_day),
		cmocka_unit_test(nothing_due_releases_without_payment),
		cmocka_unit_test(guarantee_drawn_at_release_and_restored),
		cmocka_unit_test(guarantee_refusals),
		cmocka_unit_test(withdrawal_restores_the_guarantee),
		cmocka_unit_test(a_guarantee_registered_later_releases),
		cmocka_unit_test(no_rate_holds_until_loaded),
		cmocka_unit_test(declared_taxes_differences_flagged),
		cmocka_unit_test(tariff_loaded_and_refused),
		cmocka_unit_test(refund_path),
		cmocka_unit_test(lodged_before_assessment),
		cmocka_unit_test(fees_published_charged_and_waived),
		cmocka_unit_test(fee_catalogue_published_and_refused),
	};
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
