/*
 * test_cbec.c - cross-border e-commerce retail imports through the router
 * (docs/cbec.md): the worked examples reproduced from the parties' own
 * documents, in any order (a parcel under the limits at 70 % of VAT and
 * consumption tax, an indivisible item over 5,000 CNY at full taxes, the
 * order that crosses the annual limit, a return within and after 30
 * days), the bad inputs the issue names (each its exact 4xx and nothing
 * changed), the CEB XML messages with their receipts (malformed, against
 * the schema, an entity bomb: refused, nothing stored), a parcel held for
 * an officer, the gate, the buyer's question and the monthly summary with
 * its payment, ordered by the platform and counted once its bank pays it.
 * Runs on SQLite and PostgreSQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "domain/throttle.h"

/* the demo's parties (src/server/demo.c) */
#define PLATFORM "91440101MA5EBP0YGL"
#define SELLER "91440101MA5EBC0HK1"
#define PAYCO "91440101MA5EPAY0H2"
#define COURIER "91440101MA5ELG01TQ"

#define BUYER_ID "11010519491231002X"
#define DAY_US (86400LL * 1000000LL)

static int setup(void **state)
{
	struct test_env *env = test_env_new();
	env->clock.step_us = 0; /* time moves only when a test moves it */
	/* nothing drawn at random: lanes follow the office's base lane */
	test_profile(env, "5167", "customs", "0", "green");
	test_profile(env, "5167", "quarantine", "0", "green");
	test_profile(env, "5141", "customs", "0", "green");
	*state = env;
	return 0;
}

static int teardown(void **state)
{
	test_env_free(*state);
	return 0;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(none)";
}

/* ---- the documents ---------------------------------------------------- */

/* Example 1's order (docs/cbec.md): an essence and two bottles of wine,
 * bonded, through Nansha. */
static char *order1(const char *order_no, const char *id, const char *paid)
{
	char *s = malloc(4096);
	snprintf(s, 4096,
		 "{\"platform_code\": \"" PLATFORM "\", \"platform_name\": \"云购全球跨境电商平台有限公司\","
		 " \"enterprise_code\": \"" SELLER "\", \"enterprise_name\": \"珠江美妆贸易有限公司\","
		 " \"order_no\": \"%s\", \"mode\": \"1210\", \"customs_office\": \"5167\","
		 " \"buyer_name\": \"张伟\", \"buyer_id_type\": \"1\", \"buyer_id_number\": \"%s\","
		 " \"buyer_phone\": \"13800138000\", \"consignee_name\": \"张伟\","
		 " \"consignee_phone\": \"13800138000\","
		 " \"consignee_address\": \"广东省广州市天河区体育西路100号\","
		 " \"payment_code\": \"" PAYCO "\", \"goods_value\": \"900.00\", \"freight\": \"30.00\","
		 " \"discount\": \"0\", \"tax_withheld\": \"198.42\", \"actual_paid\": \"%s\","
		 " \"lines\": ["
		 "  {\"gnum\": 1, \"item_no\": \"SKU-ESS-50\", \"item_name\": \"保湿精华液\","
		 "   \"hs_code\": \"3304990000\", \"unit\": \"142\", \"origin_country\": \"JP\","
		 "   \"quantity\": \"1\", \"unit_price\": \"600\", \"total\": \"600.00\"},"
		 "  {\"gnum\": 2, \"item_name\": \"干红葡萄酒\", \"hs_code\": \"2204210000\","
		 "   \"unit\": \"142\", \"origin_country\": \"FR\", \"quantity\": \"2\","
		 "   \"unit_price\": \"150\", \"total\": \"300.00\"}]}",
		 order_no, id, paid);
	return s;
}

/* An order of `qty` leather handbags at `price` each, direct purchase by
 * air through Baiyun, nothing withheld (paid: the goods). */
static char *bag_order(const char *order_no, const char *id, const char *qty,
		       const char *price, const char *total)
{
	char *s = malloc(4096);
	snprintf(s, 4096,
		 "{\"platform_code\": \"" PLATFORM "\", \"platform_name\": \"云购全球\","
		 " \"enterprise_code\": \"" SELLER "\", \"enterprise_name\": \"意大利皮具\","
		 " \"order_no\": \"%s\", \"mode\": \"9610\", \"customs_office\": \"5141\","
		 " \"buyer_name\": \"李娜\", \"buyer_id_number\": \"%s\","
		 " \"buyer_phone\": \"13900139000\","
		 " \"consignee_name\": \"李娜\", \"consignee_phone\": \"13900139000\","
		 " \"consignee_address\": \"广州市白云区机场路1号\", \"goods_value\": \"%s\","
		 " \"freight\": \"0\", \"discount\": \"0\", \"tax_withheld\": \"0\","
		 " \"actual_paid\": \"%s\", \"lines\": [{\"item_name\": \"皮革手提包\","
		 " \"hs_code\": \"4202210000\", \"unit\": \"007\", \"origin_country\": \"IT\","
		 " \"quantity\": \"%s\", \"unit_price\": \"%s\", \"total\": \"%s\"}]}",
		 order_no, id, total, total, qty, price, total);
	return s;
}

static char *payment(const char *order_no, const char *name, const char *id,
		     const char *amount)
{
	char *s = malloc(2048);
	snprintf(s, 2048,
		 "{\"payment_code\": \"" PAYCO "\", \"payment_name\": \"粤通支付有限公司\","
		 " \"transaction_no\": \"T-%s\", \"platform_code\": \"" PLATFORM "\","
		 " \"order_no\": \"%s\", \"payer_name\": \"%s\", \"payer_id_number\": \"%s\","
		 " \"amount_paid\": \"%s\", \"paid_at\": \"2026-11-23T09:30:59+08:00\"}",
		 order_no, order_no, name, id, amount);
	return s;
}

static char *waybill(const char *order_no, const char *name, const char *phone,
		     const char *address)
{
	char *s = malloc(2048);
	snprintf(s, 2048,
		 "{\"logistics_code\": \"" COURIER "\", \"logistics_name\": \"南沙速运物流有限公司\","
		 " \"waybill_no\": \"W-%s\", \"platform_code\": \"" PLATFORM "\","
		 " \"order_no\": \"%s\", \"consignee_name\": \"%s\", \"consignee_phone\": \"%s\","
		 " \"consignee_address\": \"%s\", \"gross_weight\": \"2.35\", \"packages\": 1}",
		 order_no, order_no, name, phone, address);
	return s;
}

/* Send a document (freed) as user, expecting status; the answer. */
static json_t *send(struct test_env *env, const char *what, const char *user, char *doc,
		    int status)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/cbec/%s", what);
	json_t *r = test_expect(env, "POST", path, user, doc, status);
	free(doc);
	return r;
}

/* The three documents of a handbag order (payment, waybill, then order);
 * the last answer. */
static json_t *bags(struct test_env *env, const char *order_no, const char *id,
		    const char *qty, const char *price, const char *total, int status)
{
	json_decref(send(env, "payments", "payment", payment(order_no, "李娜", id, total), 201));
	json_decref(send(env, "waybills", "courier",
			 waybill(order_no, "李娜", "13900139000", "广州市白云区机场路1号"), 201));
	return send(env, "orders", "platform", bag_order(order_no, id, qty, price, total), status);
}

static json_t *quota(struct test_env *env, const char *id, const char *order_no, int status)
{
	char path[200];
	snprintf(path, sizeof path, "/v1/cbec/quota?id_number=%s&platform=" PLATFORM
				    "&order_no=%s",
		 id, order_no);
	return test_expect(env, "GET", path, NULL, NULL, status);
}

static json_t *parcel(struct test_env *env, const char *order_no, const char *user)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/cbec/parcels/" PLATFORM "/%s", order_no);
	return test_expect(env, "GET", path, user, NULL, 200);
}

static size_t count_events(const json_t *p, const char *type)
{
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(json_object_get(p, "events"), i, e)
		n += !strcmp(str(e, "type"), type);
	return n;
}

/* The example 1 parcel, its documents in the order waybill, payment,
 * order; released at once (both agencies green). */
static json_t *example1(struct test_env *env, const char *order_no)
{
	json_t *r = send(env, "waybills", "courier",
			 waybill(order_no, "张伟", "13800138000", "广东省广州市天河区体育西路100号"),
			 201);
	assert_string_equal(str(r, "status"), "pending");
	json_decref(r);
	r = send(env, "payments", "payment", payment(order_no, "张伟", BUYER_ID, "1128.42"), 201);
	assert_string_equal(str(r, "status"), "pending");
	json_decref(r);
	return send(env, "orders", "platform", order1(order_no, BUYER_ID, "1128.42"), 201);
}

/* A call as user with a token made now (the clock may have moved past
 * the cached tokens' lifetime). */
static json_t *late(struct test_env *env, const char *method, const char *path,
		    const char *user, const char *body, int status)
{
	char token[TOKEN_TEXT_MAX];
	test_new_token(env, user, 3600, token);
	struct loopback_call call = {.method = method, .path = path, .token = token,
				     .body = body};
	struct loopback_result r;
	api_loopback(&env->app, &call, &r);
	if (r.status != status)
		print_error("%s %s as %s: %d %s\n", method, path, user, r.status, r.text);
	assert_int_equal(r.status, status);
	json_t *j = json_incref(r.json);
	loopback_result_free(&r);
	return j;
}

/* ---- the worked examples ---------------------------------------------- */

static void example1_parcel_under_the_limits(void **state)
{
	struct test_env *env = *state;
	json_t *r = example1(env, "YG20260301000001");
	assert_string_equal(str(r, "status"), "released");
	assert_string_equal(str(r, "verdict"), "retail");
	assert_string_equal(str(r, "customs_value"), "930.00");
	assert_string_equal(str(r, "duty"), "0.00");
	assert_string_equal(str(r, "consumption_tax"), "100.70");
	assert_string_equal(str(r, "vat"), "97.72");
	assert_string_equal(str(r, "tax_total"), "198.42");
	/* the trade's parties see no lanes, as a declarant sees none; customs
	 * does */
	assert_null(json_object_get(r, "lane"));
	assert_null(json_object_get(r, "lanes"));
	assert_null(json_object_get(r, "rules_version"));
	json_t *seen = test_expect(env, "GET", "/v1/cbec/parcels/" PLATFORM "/YG20260301000001",
				   "customs", NULL, 200);
	assert_string_equal(str(seen, "lane"), "green");
	assert_non_null(json_object_get(seen, "rules_version"));
	json_decref(seen);
	seen = test_expect(env, "GET", "/v1/cbec/parcels/" PLATFORM "/YG20260301000001",
			   "platform", NULL, 200);
	assert_null(json_object_get(seen, "lane"));
	assert_null(json_object_get(seen, "lanes"));
	size_t k;
	json_t *ev;
	json_array_foreach(json_object_get(seen, "events"), k, ev)
	{
		json_t *data = json_object_get(ev, "data");
		assert_null(json_object_get(data, "lane"));
		assert_null(json_object_get(data, "lanes"));
	}
	json_decref(seen);
	assert_int_equal(json_integer_value(json_object_get(r, "release_ms")), 0);
	assert_int_equal(strlen(str(r, "number")), 18);
	assert_memory_equal(str(r, "number"), "51672026", 8);
	json_decref(r);

	/* the same order again: a replay, nothing changes */
	r = send(env, "orders", "platform", order1("YG20260301000001", BUYER_ID, "1128.42"), 200);
	assert_true(json_is_true(json_object_get(r, "replay")));
	json_decref(r);
	/* another text once released: refused */
	r = send(env, "orders", "platform", order1("YG20260301000001", BUYER_ID, "1128.43"), 409);
	assert_string_equal(str(r, "detail"), "the parcel of order YG20260301000001 on platform "
					      PLATFORM " is released already: its documents no "
					      "longer change");
	json_decref(r);

	/* the buyer asks */
	r = quota(env, BUYER_ID, "YG20260301000001", 200);
	assert_int_equal(json_integer_value(json_object_get(r, "year")), 2026);
	assert_string_equal(str(r, "used"), "930.00");
	assert_string_equal(str(r, "remaining"), "25070.00");
	assert_int_equal(json_array_size(json_object_get(r, "parcels")), 1);
	json_decref(r);
	json_decref(quota(env, "110105194912310038", "YG20260301000001", 404));
	/* a question without its parts, or with an ID that is not one: 400
	 * naming each */
	r = test_expect(env, "GET", "/v1/cbec/quota", NULL, NULL, 400);
	assert_true(test_has_error(r, "query:id_number",
				   "is required: the buyer's 18-character resident ID number"));
	assert_true(test_has_error(r, "query:platform", NULL));
	assert_true(test_has_error(r, "query:order_no",
				   "is required: the platform's order number"));
	json_decref(r);
	r = quota(env, "110105194912310039", "YG20260301000001", 400);
	assert_true(test_has_error(r, "query:id_number", NULL));
	assert_non_null(strstr(json_string_value(json_object_get(
				       json_array_get(json_object_get(r, "errors"), 0), "problem")),
			       "resident ID"));
	json_decref(r);

	/* the timeline */
	r = parcel(env, "YG20260301000001", "customs");
	assert_int_equal(count_events(r, "cbec.order.received"), 1);
	assert_int_equal(count_events(r, "cbec.payment.received"), 1);
	assert_int_equal(count_events(r, "cbec.waybill.received"), 1);
	assert_int_equal(count_events(r, "cbec.matched"), 1);
	assert_int_equal(count_events(r, "cbec.assessed"), 1);
	assert_int_equal(count_events(r, "cbec.released"), 1);
	assert_string_equal(str(json_object_get(r, "lanes"), "quarantine"), "green");
	json_decref(r);
	/* a party with no document in it does not see it */
	json_decref(test_expect(env, "GET", "/v1/cbec/parcels/" PLATFORM "/YG20260301000001",
				"seller", NULL, 404));

	/* the gate, by the waybill */
	r = test_expect(env, "POST", "/v1/cbec/waybills/" COURIER "/W-YG20260301000001/gate-out",
			"courier", NULL, 200);
	assert_string_not_equal(str(r, "gate_out_at"), "(none)");
	json_decref(r);
	r = test_expect(env, "POST", "/v1/cbec/waybills/" COURIER "/W-YG20260301000001/gate-out",
			"courier", NULL, 409);
	json_decref(r);
}

/* GET /v1/cbec/quota from `remote`. */
static int quota_from(struct test_env *env, const char *remote, const char *id,
		      const char *order_no, struct loopback_result *r)
{
	char path[200];
	snprintf(path, sizeof path, "/v1/cbec/quota?id_number=%s&platform=" PLATFORM
				    "&order_no=%s",
		 id, order_no);
	struct loopback_call c = {.method = "GET", .path = path, .remote = remote};
	api_loopback(&env->app, &c, r);
	return r->status;
}

/* The quota answers only to someone who knows the ID number and an order
 * of the buyer: an address that guesses wrong too often waits, first 1 s,
 * then twice as long after each failure, and meanwhile is answered 429
 * even with the right values; other addresses are not held up. */
static void guessing_the_quota_waits(void **state)
{
	struct test_env *env = *state;
	json_decref(example1(env, "YG20260301000001"));
	struct loopback_result r;
	char order_no[32];
	for (int i = 0; i < THROTTLE_ADDRESS_FREE; i++) {
		snprintf(order_no, sizeof order_no, "YG2026030199%04d", i);
		assert_int_equal(quota_from(env, "198.51.100.7", BUYER_ID, order_no, &r), 404);
		loopback_result_free(&r);
	}
	/* the right values, too soon: not answered, and nothing told */
	assert_int_equal(quota_from(env, "198.51.100.7", BUYER_ID, "YG20260301000001", &r), 429);
	assert_int_equal(r.retry_after, 1);
	assert_string_equal(json_string_value(json_object_get(r.json, "detail")),
			    "too many questions without an answer from this address; ask again "
			    "in 1 s");
	assert_int_equal(json_integer_value(json_object_get(r.json, "retry_after_s")), 1);
	assert_null(json_object_get(r.json, "remaining"));
	loopback_result_free(&r);
	/* another address asks as before */
	assert_int_equal(quota_from(env, "198.51.100.8", BUYER_ID, "YG20260301000001", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "remaining")), "25070.00");
	loopback_result_free(&r);
	/* a second later one more question; another wrong one doubles the wait */
	__atomic_add_fetch(&env->clock.fixed_us, 1000000, __ATOMIC_SEQ_CST);
	assert_int_equal(quota_from(env, "198.51.100.7", BUYER_ID, "YG20260301999999", &r), 404);
	loopback_result_free(&r);
	assert_int_equal(quota_from(env, "198.51.100.7", BUYER_ID, "YG20260301000001", &r), 429);
	assert_int_equal(r.retry_after, 2);
	loopback_result_free(&r);
	__atomic_add_fetch(&env->clock.fixed_us, 2000000, __ATOMIC_SEQ_CST);
	assert_int_equal(quota_from(env, "198.51.100.7", BUYER_ID, "YG20260301000001", &r), 200);
	loopback_result_free(&r);
	/* a question refused for its form (400) is no guess and counts nothing */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(quota_from(env, "198.51.100.9", "110105194912310039",
					    "YG20260301000001", &r),
				 400);
		loopback_result_free(&r);
	}
	assert_int_equal(quota_from(env, "198.51.100.9", BUYER_ID, "YG20260301000001", &r), 200);
	loopback_result_free(&r);
}

static void example2_indivisible_item_over_5000(void **state)
{
	struct test_env *env = *state;
	const char *id = "440106199003071231";
	json_t *r = bags(env, "YG20260302000001", id, "1", "3000", "3000.00", 201);
	assert_string_equal(str(r, "status"), "released");
	json_decref(r);
	r = bags(env, "YG20260302000002", id, "1", "6800", "6800.00", 201);
	assert_string_equal(str(r, "status"), "released");
	assert_string_equal(str(r, "verdict"), "full_tax");
	assert_string_equal(str(r, "duty"), "680.00");
	assert_string_equal(str(r, "consumption_tax"), "0.00");
	assert_string_equal(str(r, "vat"), "972.40");
	assert_string_equal(str(r, "tax_total"), "1652.40");
	json_decref(r);
	r = quota(env, id, "YG20260302000002", 200);
	assert_string_equal(str(r, "used"), "9800.00");
	json_decref(r);

	/* two such bags in one order: refused for retail, nothing counted */
	r = bags(env, "YG20260302000003", id, "2", "6800", "13600.00", 409);
	assert_string_equal(str(r, "detail"),
			    "the order's value 13,600.00 CNY is over the 5,000.00 CNY limit for "
			    "one retail order (only a single indivisible item may pass it); "
			    "import these goods as general trade");
	assert_string_equal(str(json_object_get(r, "parcel"), "status"), "refused");
	assert_true(json_is_null(json_object_get(json_object_get(r, "parcel"), "number")));
	json_decref(r);
	r = quota(env, id, "YG20260302000002", 200);
	assert_string_equal(str(r, "used"), "9800.00");
	json_decref(r);
}

static void example3_order_crossing_the_annual_limit(void **state)
{
	struct test_env *env = *state;
	const char *id = "440106198501011237";
	char no[32];
	for (int i = 1; i <= 5; i++) {
		snprintf(no, sizeof no, "YG2026030300000%d", i);
		json_decref(bags(env, no, id, "1", "4900", "4900.00", 201));
	}
	json_t *r = quota(env, id, "YG20260303000005", 200);
	assert_string_equal(str(r, "used"), "24500.00");
	json_decref(r);
	r = bags(env, "YG20260303000006", id, "1", "1800", "1800.00", 409);
	assert_string_equal(str(r, "detail"),
			    "the buyer has used 24,500.00 CNY of the 2026 retail quota and "
			    "1,500.00 CNY remain of the 26,000.00 CNY annual limit; this order's "
			    "value 1,800.00 CNY would pass it, so it is refused for retail and may "
			    "come in as general trade");
	json_decref(r);
	r = quota(env, id, "YG20260303000005", 200);
	assert_string_equal(str(r, "used"), "24500.00");
	json_decref(r);
	/* corrected to 1,500.00 (the order, then its payment, which until
	 * then disagrees): the year reaches exactly 26,000.00 */
	r = send(env, "orders", "platform",
		 bag_order("YG20260303000006", id, "1", "1500", "1500.00"), 409);
	assert_string_equal(str(json_object_get(r, "parcel"), "status"), "mismatched");
	assert_true(json_is_null(json_object_get(json_object_get(r, "parcel"), "verdict")));
	json_decref(r);
	r = send(env, "payments", "payment", payment("YG20260303000006", "李娜", id, "1500.00"),
		 201);
	assert_string_equal(str(r, "status"), "released");
	json_decref(r);
	r = quota(env, id, "YG20260303000006", 200);
	assert_string_equal(str(r, "used"), "26000.00");
	assert_string_equal(str(r, "remaining"), "0.00");
	json_decref(r);
}

static void example4_return(void **state)
{
	struct test_env *env = *state;
	/* released on 2026-11-23 at 16:00 Beijing time */
	json_decref(example1(env, "YG20260304000001"));
	int64_t released = env->clock.fixed_us;
	/* 2026-12-24 00:00 Beijing: 31 days later, refused, nothing changed */
	env->clock.fixed_us = test_time("2026-12-24T00:00:00+08:00");
	json_t *r = late(env, "POST", "/v1/cbec/parcels/" PLATFORM "/YG20260304000001/return",
			 "platform", NULL, 409);
	assert_string_equal(str(r, "detail"),
			    "the parcel was released on 2026-11-23 (Beijing time) and returned 31 "
			    "days later; a return restores quota and tax only within 30 days of "
			    "release");
	json_decref(r);
	r = quota(env, BUYER_ID, "YG20260304000001", 200);
	assert_string_equal(str(r, "used"), "930.00");
	json_decref(r);
	/* 2026-12-23 23:59 Beijing: the 30th day, allowed */
	env->clock.fixed_us = test_time("2026-12-23T23:59:00+08:00");
	r = late(env, "POST", "/v1/cbec/parcels/" PLATFORM "/YG20260304000001/return",
			"platform", NULL, 200);
	assert_string_equal(str(r, "status"), "returned");
	json_t *f = json_object_get(r, "refund");
	assert_int_equal(json_integer_value(json_object_get(f, "days")), 30);
	assert_string_equal(str(f, "quota_restored"), "930.00");
	assert_string_equal(str(f, "consumption_tax"), "100.70");
	assert_string_equal(str(f, "vat"), "97.72");
	assert_string_equal(str(f, "total"), "198.42");
	json_decref(r);
	r = quota(env, BUYER_ID, "YG20260304000001", 200);
	assert_string_equal(str(r, "used"), "0.00");
	json_decref(r);

	/* the month: November's tax is due, December refunds it */
	r = late(env, "GET", "/v1/cbec/summaries/" PLATFORM "/2026-11", "platform", NULL,
			200);
	assert_int_equal(json_integer_value(json_object_get(r, "parcels")), 1);
	assert_string_equal(str(r, "due"), "198.42");
	assert_true(json_is_null(json_object_get(r, "payment")));
	/* released in the request of its last document: no time waited */
	json_t *t = json_object_get(r, "release_seconds");
	assert_int_equal(json_integer_value(json_object_get(t, "parcels")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "max")), 0);
	json_decref(r);
	r = late(env, "GET", "/v1/cbec/summaries/" PLATFORM "/2026-12", "customs", NULL,
			200);
	assert_int_equal(json_integer_value(json_object_get(r, "returns")), 1);
	assert_string_equal(str(r, "refunded"), "198.42");
	assert_string_equal(str(r, "due"), "-198.42");
	json_decref(r);
	env->clock.fixed_us = released;
}

/* ---- the month's payment: counted once its bank pays it ---------------- */

#define ICBC "91440101MA5BK0NA2H"
#define MONTH_PAYMENT "/v1/cbec/summaries/" PLATFORM "/2026-11/payment"

/* A month payment order through `bank`. */
static char *month_order(const char *bank, const char *amount, const char *reference)
{
	char *s = malloc(256);
	snprintf(s, 256, "{\"bank\": \"%s\", \"amount\": \"%s\", \"reference\": \"%s\"}", bank,
		 amount, reference);
	return s;
}

static json_t *order_month(struct test_env *env, const char *bank, const char *amount,
			   const char *reference, int status)
{
	char *body = month_order(bank, amount, reference);
	json_t *r = late(env, "POST", MONTH_PAYMENT, "platform", body, status);
	free(body);
	return r;
}

/* How many events of `type` the analyst's feed holds. */
static size_t feed_events(struct test_env *env, const char *type)
{
	char path[64] = "/v1/events?limit=1000";
	size_t n = 0, got;
	do {
		json_t *f = late(env, "GET", path, "analyst", NULL, 200);
		json_t *list = json_object_get(f, "events"), *e;
		size_t i;
		got = json_array_size(list);
		json_array_foreach(list, i, e)
			n += !strcmp(str(e, "type"), type);
		snprintf(path, sizeof path, "/v1/events?limit=1000&after=%s", str(f, "cursor"));
		json_decref(f);
	} while (got == 1000);
	return n;
}

static void month_payment_counts_once_its_bank_pays(void **state)
{
	struct test_env *env = *state;
	/* released on 2026-11-23: November owes its taxes, 198.42 */
	json_decref(example1(env, "YG20260311000001"));
	env->clock.fixed_us = test_time("2026-12-02T10:00:00+08:00");
	const char *answer = MONTH_PAYMENT "/answer";

	/* the amount due, through a bank kouan knows */
	json_t *r = late(env, "GET", "/v1/banks", "platform", NULL, 200);
	assert_string_equal(str(json_array_get(json_object_get(r, "banks"), 0), "uscc"), ICBC);
	json_decref(r);
	r = order_month(env, ICBC, "198.41", "ICBC-CB-2026-11-1", 400);
	assert_true(test_has_error(r, "/amount", "must be the amount due for 2026-11: 198.42 CNY"));
	json_decref(r);
	r = order_month(env, "91440101MA59TRAD00", "198.42", "ICBC-CB-2026-11-1", 400);
	assert_true(test_has_error(r, "/bank",
				   "is not a bank kouan knows: give the unified social credit "
				   "code of the bank that holds the payer's account (GET "
				   "/v1/banks lists them)"));
	json_decref(r);
	r = late(env, "POST", MONTH_PAYMENT, "platform",
		 "{\"bank\": \"" ICBC "\", \"amount\": \"198.42\", \"reference\": \"R\","
		 " \"paid_at\": \"2026-12-01T10:00:00+08:00\"}",
		 400);
	assert_true(test_has_error(r, "/paid_at",
				   "unknown field; accepted fields are: bank, amount, reference "
				   "(the time of payment is the bank's to give)"));
	json_decref(r);

	/* the order is reported: the month is not paid by it */
	r = order_month(env, ICBC, "198.42", "ICBC-CB-2026-11-1", 202);
	assert_string_equal(str(r, "status"), "reported");
	assert_string_equal(str(r, "bank"), ICBC);
	assert_string_equal(str(r, "amount"), "198.42");
	assert_string_equal(str(r, "recorded_by"), "platform");
	assert_true(json_is_null(json_object_get(r, "paid_at")));
	assert_true(json_is_null(json_object_get(r, "answered_by")));
	json_decref(r);
	r = late(env, "GET", "/v1/cbec/summaries/" PLATFORM "/2026-11", "customs", NULL, 200);
	assert_string_equal(str(json_object_get(r, "payment"), "status"), "reported");
	json_decref(r);
	assert_int_equal(feed_events(env, "cbec.month.payment_reported"), 1);
	assert_int_equal(feed_events(env, "cbec.month.paid"), 0);
	r = order_month(env, ICBC, "198.42", "ICBC-CB-2026-11-2", 409);
	assert_string_equal(str(r, "detail"),
			    "the payment of 2026-11 is reported and awaits its bank's answer");
	json_decref(r);

	/* the bank it names finds it among its orders; another bank does not */
	r = late(env, "GET", "/v1/cbec/month-payments?status=reported", "bank", NULL, 200);
	json_t *orders = json_object_get(r, "payments");
	assert_int_equal(json_array_size(orders), 1);
	assert_string_equal(str(json_array_get(orders, 0), "month"), "2026-11");
	assert_string_equal(str(json_array_get(orders, 0), "reference"), "ICBC-CB-2026-11-1");
	json_decref(r);
	r = late(env, "GET", "/v1/cbec/month-payments", "bank2", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "payments")), 0);
	json_decref(r);
	r = late(env, "GET", "/v1/cbec/month-payments?status=owed", "bank", NULL, 400);
	assert_true(test_has_error(r, "query:status", "must be one of reported, paid, refused"));
	json_decref(r);
	json_decref(late(env, "GET", "/v1/cbec/month-payments", "platform", NULL, 403));

	/* only the bank the order names answers it */
	const char *paid = "{\"outcome\": \"paid\", \"amount\": \"198.42\","
			   " \"paid_at\": \"2026-12-02T10:00:00+08:00\"}";
	r = late(env, "POST", answer, "platform", paid, 403);
	assert_string_equal(str(r, "detail"),
			    "the cbec_platform role may not use POST "
			    "/v1/cbec/summaries/{platform}/{month}/payment/answer");
	json_decref(r);
	r = late(env, "POST", answer, "bank2", paid, 404);
	assert_string_equal(str(r, "detail"), "no payment reported to your bank for that month");
	json_decref(r);
	r = late(env, "POST", answer, "bank",
		 "{\"outcome\": \"paid\", \"amount\": \"198.41\","
		 " \"paid_at\": \"2026-12-02T10:00:00+08:00\"}",
		 400);
	assert_true(test_has_error(r, "/amount",
				   "must be the amount of the payment order, 198.42 CNY: a bank "
				   "pays the order as given, or refuses it"));
	json_decref(r);
	r = late(env, "POST", answer, "bank",
		 "{\"outcome\": \"paid\", \"amount\": \"198.42\","
		 " \"paid_at\": \"2026-12-02T10:01:00+08:00\"}",
		 400);
	assert_true(test_has_error(r, "/paid_at",
				   "must not be in the future (it is now "
				   "2026-12-02T02:00:00.000000Z)"));
	json_decref(r);
	r = late(env, "POST", answer, "bank",
		 "{\"outcome\": \"paid\", \"amount\": \"198.42\","
		 " \"paid_at\": \"2026-12-02T09:59:00+08:00\"}",
		 400);
	assert_true(test_has_error(r, "/paid_at",
				   "must not be before the payment was ordered "
				   "(2026-12-02T02:00:00.000000Z): a bank debits an order it was "
				   "given"));
	json_decref(r);

	/* refused: the platform orders again, in the refused order's place */
	r = late(env, "POST", answer, "bank",
		 "{\"outcome\": \"refused\", \"reason\": \"insufficient funds\"}", 200);
	assert_string_equal(str(r, "status"), "refused");
	assert_string_equal(str(r, "reason"), "insufficient funds");
	assert_string_equal(str(r, "answered_by"), "bank");
	json_decref(r);
	r = late(env, "GET", "/v1/cbec/summaries/" PLATFORM "/2026-11", "platform", NULL, 200);
	assert_string_equal(str(json_object_get(r, "payment"), "status"), "refused");
	assert_string_equal(str(json_object_get(r, "payment"), "reason"), "insufficient funds");
	json_decref(r);
	env->clock.fixed_us = test_time("2026-12-02T11:00:00+08:00");
	r = order_month(env, ICBC, "198.42", "ICBC-CB-2026-11-2", 202);
	assert_string_equal(str(r, "status"), "reported");
	assert_string_equal(str(r, "reference"), "ICBC-CB-2026-11-2");
	assert_null(json_object_get(r, "reason"));
	json_decref(r);

	/* paid: the month is paid */
	paid = "{\"outcome\": \"paid\", \"amount\": \"198.42\","
	       " \"paid_at\": \"2026-12-02T11:00:00+08:00\"}";
	r = late(env, "POST", answer, "bank", paid, 200);
	assert_string_equal(str(r, "status"), "paid");
	json_decref(r);
	r = late(env, "GET", "/v1/cbec/summaries/" PLATFORM "/2026-11", "platform", NULL, 200);
	json_t *pay = json_object_get(r, "payment");
	assert_string_equal(str(pay, "status"), "paid");
	assert_string_equal(str(pay, "bank"), ICBC);
	assert_string_equal(str(pay, "reference"), "ICBC-CB-2026-11-2");
	assert_string_equal(str(pay, "paid_at"), "2026-12-02T03:00:00.000000Z");
	assert_string_equal(str(pay, "answered_by"), "bank");
	assert_string_equal(str(pay, "answered_at"), "2026-12-02T03:00:00.000000Z");
	json_decref(r);
	assert_int_equal(feed_events(env, "cbec.month.payment_reported"), 2);
	assert_int_equal(feed_events(env, "cbec.month.paid"), 1);

	/* the same answer again changes nothing; another is refused */
	struct loopback_result lr;
	assert_int_equal(test_call(env, "POST", answer, "bank", paid, NULL, &lr), 200);
	assert_true(lr.replayed);
	assert_string_equal(str(lr.json, "status"), "paid");
	loopback_result_free(&lr);
	r = late(env, "POST", answer, "bank",
		 "{\"outcome\": \"refused\", \"reason\": \"insufficient funds\"}", 409);
	assert_string_equal(str(r, "detail"), "the bank answered this payment already: paid");
	json_decref(r);
	assert_int_equal(feed_events(env, "cbec.month.paid"), 1);
	r = order_month(env, ICBC, "198.42", "ICBC-CB-2026-11-3", 409);
	assert_string_equal(str(r, "detail"),
			    "the month 2026-11 is paid already (2026-12-02T03:00:00.000000Z, "
			    "reference ICBC-CB-2026-11-2)");
	json_decref(r);
}

/* ---- bad inputs: each its 4xx, nothing changed ----------------------- */

static void bad_inputs_change_nothing(void **state)
{
	struct test_env *env = *state;
	int64_t docs = test_count(env, "cbec_documents");
	int64_t parcels = test_count(env, "cbec_parcels");
	int64_t quotas = test_count(env, "cbec_quotas");

	/* a bad ID check character */
	json_t *r = send(env, "orders", "platform",
			 order1("YG20260305000001", "110105194912310021", "1128.42"), 400);
	assert_true(test_has_error(r, "/buyer_id_number",
				   "resident ID check digit does not match (GB 11643-1999)"));
	json_decref(r);
	/* a payment for an order no registered platform can have */
	char *p = payment("YG20260305000001", "张伟", BUYER_ID, "1128.42");
	char *at = strstr(p, PLATFORM);
	memcpy(at, "91440101MA59TRAD00", 18); /* a trader, not a platform */
	r = send(env, "payments", "payment", p, 400);
	assert_true(test_has_error(r, "/platform_code",
				   "'91440101MA59TRAD00' is not an e-commerce platform registered "
				   "with kouan: there can be no such order"));
	json_decref(r);
	/* a document naming another party than the sender */
	r = send(env, "waybills", "courier", order1("YG20260305000001", BUYER_ID, "1128.42"),
		 400);
	assert_true(test_has_error(r, "/order_no", NULL) || test_has_error(r, "/lines", NULL));
	json_decref(r);
	p = payment("YG20260305000001", "张伟", BUYER_ID, "1128.42");
	memcpy(strstr(p, PAYCO), COURIER, 18);
	r = send(env, "payments", "payment", p, 403);
	assert_string_equal(str(r, "detail"), "a payment may only be sent by the party it names "
					      "at /payment_code (" COURIER "); your organisation "
					      "is " PAYCO " (cbec_payment)");
	json_decref(r);
	assert_int_equal(test_count(env, "cbec_documents"), docs);
	assert_int_equal(test_count(env, "cbec_parcels"), parcels);

	/* amounts that disagree beyond the tolerance (0 fen): one fen */
	json_decref(send(env, "waybills", "courier",
			 waybill("YG20260305000002", "张伟", "13800138000",
				 "广东省广州市天河区体育西路100号"),
			 201));
	json_decref(send(env, "orders", "platform",
			 order1("YG20260305000002", BUYER_ID, "1128.42"), 201));
	r = send(env, "payments", "payment",
		 payment("YG20260305000002", "张伟", BUYER_ID, "1128.43"), 409);
	assert_string_equal(str(r, "detail"), "the order's documents disagree: each difference "
					      "names its document and field");
	json_t *d = json_object_get(json_object_get(r, "parcel"), "differences");
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(str(json_array_get(d, 0), "document"), "payment");
	assert_string_equal(str(json_array_get(d, 0), "field"), "/amount_paid");
	assert_string_equal(str(json_array_get(d, 0), "expected"), "1128.42");
	assert_string_equal(str(json_array_get(d, 0), "found"), "1128.43");
	json_decref(r);
	/* every sender sees the differences; no list entry, nothing counted */
	r = parcel(env, "YG20260305000002", "courier");
	assert_string_equal(str(r, "status"), "mismatched");
	assert_true(json_is_null(json_object_get(r, "number")));
	assert_int_equal(count_events(r, "cbec.mismatched"), 1);
	json_decref(r);
	assert_int_equal(test_count(env, "cbec_quotas"), quotas);
	/* goods not on the positive list: refused for retail, with the line */
	json_decref(send(env, "payments", "payment",
			 payment("YG20260305000003", "李娜", "440106199003071231", "80.00"), 201));
	json_decref(send(env, "waybills", "courier",
			 waybill("YG20260305000003", "李娜", "13900139000", "广州市白云区机场路1号"),
			 201));
	char *o = bag_order("YG20260305000003", "440106199003071231", "1", "80", "80.00");
	memcpy(strstr(o, "4202210000"), "0808100000", 10);
	r = send(env, "orders", "platform", o, 409);
	assert_string_equal(str(r, "detail"),
			    "goods not on the positive list of retail imports for this mode");
	d = json_object_get(json_object_get(r, "parcel"), "differences");
	assert_string_equal(str(json_array_get(d, 0), "field"), "/lines/0/hs_code");
	assert_string_equal(str(json_array_get(d, 0), "problem"),
			    "'0808100000' (tariff line 08081000) is not on the cross-border "
			    "e-commerce retail import list (see GET /v1/reference/cbec_goods); such "
			    "goods come in as general trade");
	json_decref(r);
	assert_int_equal(test_count(env, "cbec_quotas"), quotas);

	/* another payment company may not replace the order's payment */
	json_decref(test_expect(env, "POST", "/v1/organisations", "admin",
				"{\"uscc\": \"91440101MA5EPAY1K9\", \"name\": \"Other Pay\","
				" \"kind\": \"payment_company\"}",
				201));
	json_decref(test_expect(env, "POST", "/v1/users", "admin",
				"{\"username\": \"otherpay\", \"password\": \"long-enough-pw\","
				" \"role\": \"cbec_payment\", \"organisation\": \"91440101MA5EPAY1K9\"}",
				201));
	p = payment("YG20260305000002", "张伟", BUYER_ID, "1128.42");
	memcpy(strstr(p, PAYCO), "91440101MA5EPAY1K9", 18);
	r = send(env, "payments", "otherpay", p, 409);
	assert_string_equal(str(r, "detail"), "the payment of order YG20260305000002 on platform "
					      PLATFORM " was sent by another party: only its sender "
					      "may correct or withdraw it");
	json_decref(r);

	/* the payment company corrects its payment: matched and released */
	r = send(env, "payments", "payment",
		 payment("YG20260305000002", "张伟", BUYER_ID, "1128.42"), 201);
	assert_string_equal(str(r, "status"), "released");
	assert_int_equal(json_integer_value(json_object_get(r, "version")), 2);
	json_decref(r);
}

/* A batch answers per document. */
static void batch_answers_each_document(void **state)
{
	struct test_env *env = *state;
	char *a = payment("YG20260306000001", "张伟", BUYER_ID, "10.00");
	char *b = payment("YG20260306000002", "张伟", "110105194912310021", "10.00");
	size_t n = strlen(a) + strlen(b) + 64;
	char *body = malloc(n);
	snprintf(body, n, "{\"documents\": [%s, %s]}", a, b);
	free(a);
	free(b);
	json_t *r = send(env, "payments", "payment", body, 200);
	json_t *res = json_object_get(r, "results");
	assert_int_equal(json_array_size(res), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 0), "status")), 201);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 1), "status")), 400);
	json_decref(r);
}

/* A sender withdraws its pending document; the order is matched again
 * without it; nothing may be withdrawn once the parcel is released. Lists
 * show a platform its own parcels. */
static void withdrawal_and_lists(void **state)
{
	struct test_env *env = *state;
	json_decref(send(env, "payments", "payment",
			 payment("YG20260308000001", "张伟", BUYER_ID, "1128.42"), 201));
	json_decref(test_expect(env, "DELETE", "/v1/cbec/payments/" PLATFORM "/YG20260308000001",
				"courier", NULL, 403));
	json_decref(test_expect(env, "DELETE", "/v1/cbec/payments/" PLATFORM "/YG20260308000001",
				"payment", NULL, 204));
	json_t *r = test_expect(env, "DELETE", "/v1/cbec/payments/" PLATFORM "/YG20260308000001",
				"payment", NULL, 404);
	assert_string_equal(str(r, "detail"), "your organisation has no payment of order "
					      "YG20260308000001 on platform " PLATFORM);
	json_decref(r);
	r = parcel(env, "YG20260308000001", "platform");
	assert_string_equal(str(r, "status"), "pending");
	assert_int_equal(count_events(r, "cbec.document.withdrawn"), 1);
	assert_null(json_object_get(json_object_get(r, "documents"), "payment"));
	assert_int_equal(json_array_size(json_object_get(r, "waiting_for")), 3);
	json_decref(r);
	json_decref(example1(env, "YG20260308000002"));
	r = test_expect(env, "DELETE", "/v1/cbec/orders/" PLATFORM "/YG20260308000002",
			"platform", NULL, 409);
	assert_string_equal(str(r, "detail"), "the parcel is released already: its documents "
					      "no longer change");
	json_decref(r);

	r = test_expect(env, "GET", "/v1/cbec/parcels?status=released", "platform", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "parcels")), 1);
	assert_string_equal(str(json_array_get(json_object_get(r, "parcels"), 0), "order_no"),
			    "YG20260308000002");
	json_decref(r);
	r = test_expect(env, "GET", "/v1/cbec/parcels", "analyst", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(r, "parcels")), 2);
	json_decref(r);
	json_decref(test_expect(env, "GET", "/v1/cbec/parcels", "payment", NULL, 403));
	json_decref(test_expect(env, "GET", "/v1/cbec/parcels", "trader", NULL, 403));
}

/* ---- a parcel held for an officer ------------------------------------ */

static void held_parcel_cleared_by_its_agency(void **state)
{
	struct test_env *env = *state;
	test_profile(env, "5167", "quarantine", "0", "yellow");
	json_t *r = example1(env, "YG20260307000001");
	assert_string_equal(str(r, "status"), "held");
	assert_null(json_object_get(r, "lanes"));
	json_decref(r);
	r = test_expect(env, "GET", "/v1/cbec/parcels/" PLATFORM "/YG20260307000001",
			"quarantine", NULL, 200);
	assert_string_equal(str(json_object_get(r, "lanes"), "quarantine"), "yellow");
	json_decref(r);
	/* the logistics company may not take it out yet */
	json_decref(test_expect(env, "POST",
				"/v1/cbec/waybills/" COURIER "/W-YG20260307000001/gate-out",
				"courier", NULL, 409));
	json_decref(test_expect(env, "POST",
				"/v1/cbec/parcels/" PLATFORM "/YG20260307000001/decision",
				"customs", "{\"decision\": \"cleared\", \"reason\": \"fine\"}",
				409));
	env->clock.fixed_us += 90 * 60 * 1000000LL; /* an hour and a half later */
	r = test_expect(env, "POST", "/v1/cbec/parcels/" PLATFORM "/YG20260307000001/decision",
			"quarantine", "{\"decision\": \"cleared\", \"reason\": \"labels checked\"}",
			200);
	assert_string_equal(str(r, "status"), "released");
	assert_int_equal(json_integer_value(json_object_get(r, "release_ms")), 90 * 60 * 1000);
	json_decref(r);
	r = parcel(env, "YG20260307000001", "quarantine");
	assert_int_equal(count_events(r, "cbec.held"), 1);
	assert_int_equal(count_events(r, "cbec.agency_cleared"), 1);
	assert_int_equal(count_events(r, "cbec.released"), 1);
	json_decref(r);
	test_profile(env, "5167", "quarantine", "0", "green");
}

/* ---- the CEB messages ------------------------------------------------- */

/* A fixture with the parties' codes turned into the demo's. */
static char *fixture(const char *name)
{
	size_t len;
	char path[64];
	snprintf(path, sizeof path, "ceb/%s", name);
	char *x = test_fixture(path, &len);
	static const char *const from[] = {"4401986001", "4401966002", "4403169003",
					   "4401980004"};
	static const char *const to[] = {PLATFORM, SELLER, PAYCO, COURIER};
	char *out = malloc(len * 2 + 1);
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t k = 0;
		while (k < 4 && strncmp(x + i, from[k], 10))
			k++;
		if (k < 4) {
			memcpy(out + o, to[k], 18);
			o += 18;
			i += 10;
		} else {
			out[o++] = x[i++];
		}
	}
	out[o] = '\0';
	free(x);
	return out;
}

static int xml(struct test_env *env, const char *user, const char *query, char *body,
	       struct loopback_result *r)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/cbec/messages%s", query);
	struct loopback_call call = {.method = "POST", .path = path,
				     .token = test_token(env, user), .body = body,
				     .content_type = "application/xml"};
	api_loopback(&env->app, &call, r);
	free(body);
	return r->status;
}

static void ceb_messages_answered_with_receipts(void **state)
{
	struct test_env *env = *state;
	struct loopback_result r;
	int64_t docs = test_count(env, "cbec_documents");
	/* malformed, against the schema, an entity bomb: nothing stored */
	static const char *const bad[] = {"bad_malformed.xml", "bad_schema.xml", "bomb.xml",
					  "xxe.xml", "bad_root.xml"};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(xml(env, "platform", "", fixture(bad[i]), &r), 400);
		assert_non_null(r.json);
		const char *field = str(json_array_get(json_object_get(r.json, "errors"), 0),
					"field");
		assert_memory_equal(field, "xml:", 4);
		if (i == 2)
			assert_non_null(strstr(r.text, "a DOCTYPE declaration is not accepted"));
		loopback_result_free(&r);
	}
	assert_int_equal(test_count(env, "cbec_documents"), docs);

	/* the worked example, every document as a CEB message */
	assert_int_equal(xml(env, "platform", "", fixture("ceb311_2018.xml"), &r), 200);
	assert_non_null(strstr(r.text, "CEB312Message"));
	assert_non_null(strstr(r.text, "<ceb:returnStatus>120</ceb:returnStatus>"));
	loopback_result_free(&r);
	/* the 202205 edition (SM2 signature, default namespace): example 2's bag */
	assert_int_equal(xml(env, "platform", "", fixture("ceb311_202205.xml"), &r), 200);
	assert_non_null(strstr(r.text, "<ceb:returnStatus>120</ceb:returnStatus>"));
	loopback_result_free(&r);
	assert_int_equal(xml(env, "payment", "", fixture("ceb411.xml"), &r), 200);
	assert_non_null(strstr(r.text, "CEB412Message"));
	loopback_result_free(&r);
	assert_int_equal(xml(env, "courier", "?platform=" PLATFORM, fixture("ceb511.xml"), &r),
			 200);
	assert_non_null(strstr(r.text, "CEB512Message"));
	loopback_result_free(&r);
	/* the order waits for its inventory (a CEB order has no commodity code) */
	json_t *p = parcel(env, "YG20260301000001", "platform");
	assert_string_equal(str(p, "status"), "pending");
	json_decref(p);
	assert_int_equal(xml(env, "courier", "", fixture("ceb621.xml"), &r), 200);
	assert_non_null(strstr(r.text, "CEB622Message"));
	assert_non_null(strstr(r.text, "<ceb:returnStatus>800</ceb:returnStatus>"));
	loopback_result_free(&r);
	p = parcel(env, "YG20260301000001", "customs");
	assert_string_equal(str(p, "status"), "released");
	assert_string_equal(str(p, "tax_total"), "198.42");
	assert_int_equal(count_events(p, "cbec.order.classified"), 1);
	json_decref(p);
	p = parcel(env, "YG20260302000002", "customs");
	assert_string_equal(str(p, "mode"), "9610");
	assert_string_equal(str(p, "verdict"), "full_tax");
	assert_string_equal(str(p, "tax_total"), "1652.40");
	json_decref(p);
	/* the wrong sender for a message: its documents are refused (100) */
	assert_int_equal(xml(env, "payment", "", fixture("ceb311_2018.xml"), &r), 200);
	assert_non_null(strstr(r.text, "<ceb:returnStatus>100</ceb:returnStatus>"));
	loopback_result_free(&r);
}

/* ---- the inventory as JSON ------------------------------------------- */

/* Example 1's order as a CEB order would give it: no mode, no customs
 * office, no commodity codes (it waits for its inventory). */
static char *unclassified_order1(const char *order_no)
{
	char *text = order1(order_no, BUYER_ID, "1128.42");
	json_t *o = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(o);
	json_object_del(o, "mode");
	json_object_del(o, "customs_office");
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(o, "lines"), i, l)
		json_object_del(l, "hs_code");
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* Example 1's inventory (tests/fixtures/ceb/ceb621.xml, the first), as
 * JSON, declared by `agent`: bonded (1210) in Nansha. */
static char *inventory1(const char *order_no, const char *agent)
{
	char *s = malloc(4096);
	snprintf(s, 4096,
		 "{\"platform_code\": \"" PLATFORM "\", \"platform_name\": \"云购全球跨境电商平台有限公司\","
		 " \"enterprise_code\": \"" SELLER "\", \"enterprise_name\": \"珠江美妆贸易有限公司\","
		 " \"order_no\": \"%s\", \"logistics_code\": \"" COURIER "\","
		 " \"logistics_name\": \"南沙速运物流有限公司\", \"waybill_no\": \"W-%s\","
		 " \"agent_code\": \"%s\", \"agent_name\": \"南沙速运物流有限公司\","
		 " \"assure_code\": \"%s\", \"cop_no\": \"NSSY2026030100001\", \"mode\": \"1210\","
		 " \"customs_office\": \"5167\", \"port_office\": \"5167\", \"transport_mode\": \"4\","
		 " \"bonded_account\": \"T5167W000001\", \"departure_country\": \"CN\","
		 " \"buyer_name\": \"张伟\", \"buyer_id_type\": \"1\", \"buyer_id_number\": \"" BUYER_ID "\","
		 " \"buyer_phone\": \"13800138000\","
		 " \"consignee_address\": \"广东省广州市天河区体育西路100号\", \"currency\": \"CNY\","
		 " \"freight\": \"30.00\", \"insured_fee\": \"0\", \"packages\": 1,"
		 " \"gross_weight\": \"2.35\", \"net_weight\": \"1.9\", \"lines\": ["
		 "  {\"gnum\": 1, \"item_no\": \"SKU-ESS-50\", \"hs_code\": \"3304990000\","
		 "   \"goods_name\": \"保湿精华液\", \"origin_country\": \"JP\", \"quantity\": \"1\","
		 "   \"unit\": \"142\", \"legal_quantity\": \"0.05\", \"legal_unit\": \"035\","
		 "   \"unit_price\": \"600\", \"total\": \"600.00\"},"
		 "  {\"gnum\": 2, \"hs_code\": \"2204210000\", \"goods_name\": \"干红葡萄酒\","
		 "   \"origin_country\": \"FR\", \"quantity\": \"2\", \"unit\": \"142\","
		 "   \"legal_quantity\": \"1.5\", \"legal_unit\": \"095\", \"unit_price\": \"150\","
		 "   \"total\": \"300.00\"}]}",
		 order_no, order_no, agent, agent);
	return s;
}

/* POST /v1/cbec/inventories: an order without commodity codes waits for
 * its inventory, which the logistics company sends as JSON as the
 * enterprise's agent: classified, matched and released, a replay
 * changing nothing. Only an enterprise or a logistics company sends one,
 * and only naming itself as the agent; an invalid one is refused and
 * nothing is stored. */
static void inventory_sent_as_json_classifies_its_order(void **state)
{
	struct test_env *env = *state;
	json_decref(send(env, "waybills", "courier",
			 waybill("YG20260309000001", "张伟", "13800138000",
				 "广东省广州市天河区体育西路100号"),
			 201));
	json_decref(send(env, "payments", "payment",
			 payment("YG20260309000001", "张伟", BUYER_ID, "1128.42"), 201));
	json_t *r = send(env, "orders", "platform", unclassified_order1("YG20260309000001"), 201);
	assert_string_equal(str(r, "status"), "pending");
	json_t *waiting = json_object_get(r, "waiting_for");
	assert_int_equal(json_array_size(waiting), 1);
	assert_string_equal(json_string_value(json_array_get(waiting, 0)), "inventory");
	json_decref(r);

	int64_t docs = test_count(env, "cbec_documents");
	/* not a sender of inventories */
	r = send(env, "inventories", "platform", inventory1("YG20260309000001", PLATFORM), 403);
	assert_string_equal(str(r, "detail"),
			    "the cbec_platform role may not use POST /v1/cbec/inventories");
	json_decref(r);
	json_decref(send(env, "inventories", "payment", inventory1("YG20260309000001", PAYCO),
			 403));
	/* the enterprise may send one, but not naming another agent */
	r = send(env, "inventories", "seller", inventory1("YG20260309000001", COURIER), 403);
	assert_non_null(strstr(str(r, "detail"), "an inventory may only be sent by the party it "
						 "names at /agent_code (" COURIER "); your "
						 "organisation is " SELLER " (cbec_enterprise)"));
	json_decref(r);
	/* nor the logistics company naming the enterprise */
	r = send(env, "inventories", "courier", inventory1("YG20260309000001", SELLER), 403);
	assert_non_null(strstr(str(r, "detail"), "an inventory may only be sent by the party it "
						 "names at /agent_code (" SELLER "); your "
						 "organisation is " COURIER " (cbec_logistics)"));
	json_decref(r);
	/* a bonded inventory without its bonded account: 400, the field named */
	char *bad = inventory1("YG20260309000001", COURIER);
	char *at = strstr(bad, " \"bonded_account\": \"T5167W000001\",");
	assert_non_null(at);
	memmove(at, at + strlen(" \"bonded_account\": \"T5167W000001\","),
		strlen(at + strlen(" \"bonded_account\": \"T5167W000001\",")) + 1);
	r = send(env, "inventories", "courier", bad, 400);
	assert_string_equal(str(r, "detail"), "the inventory is not valid");
	assert_int_equal(json_array_size(json_object_get(r, "errors")), 1);
	assert_true(test_has_error(r, "/bonded_account",
				   "is required for bonded imports (1210): the warehouse's bonded "
				   "account (emsNo) the goods are written off"));
	json_decref(r);
	/* net above gross, a commodity code that is not one */
	bad = inventory1("YG20260309000001", COURIER);
	memcpy(strstr(bad, "\"net_weight\": \"1.9\""), "\"net_weight\": \"3.0\"", 19);
	memcpy(strstr(bad, "2204210000"), "22042100XX", 10);
	r = send(env, "inventories", "courier", bad, 400);
	assert_true(test_has_error(r, "/net_weight", "must not be more than gross_weight"));
	assert_true(test_has_error(r, "/lines/1/hs_code", NULL));
	json_decref(r);
	assert_int_equal(test_count(env, "cbec_documents"), docs);
	r = parcel(env, "YG20260309000001", "customs");
	assert_string_equal(str(r, "status"), "pending");
	assert_int_equal(count_events(r, "cbec.inventory.received"), 0);
	json_decref(r);

	/* the logistics company, as agent: the order is classified and released */
	r = send(env, "inventories", "courier", inventory1("YG20260309000001", COURIER), 201);
	assert_string_equal(str(r, "document"), "inventory");
	assert_int_equal(json_integer_value(json_object_get(r, "version")), 1);
	assert_string_equal(str(r, "status"), "released");
	assert_string_equal(str(r, "mode"), "1210");
	assert_string_equal(str(r, "customs_office"), "5167");
	assert_string_equal(str(r, "tax_total"), "198.42");
	json_decref(r);
	assert_int_equal(test_count(env, "cbec_documents"), docs + 1);
	r = send(env, "inventories", "courier", inventory1("YG20260309000001", COURIER), 200);
	assert_true(json_is_true(json_object_get(r, "replay")));
	json_decref(r);
	assert_int_equal(test_count(env, "cbec_documents"), docs + 1);
	r = parcel(env, "YG20260309000001", "courier");
	assert_int_equal(count_events(r, "cbec.inventory.received"), 1);
	assert_int_equal(count_events(r, "cbec.order.classified"), 1);
	assert_int_equal(count_events(r, "cbec.released"), 1);
	json_t *inv = json_object_get(json_object_get(r, "documents"), "inventory");
	assert_string_equal(str(json_object_get(inv, "body"), "agent_code"), COURIER);
	json_decref(r);

	/* the enterprise as its own agent: an inventory that does not fit
	 * the order is kept, and the order's parcel is mismatched */
	json_decref(send(env, "payments", "payment",
			 payment("YG20260309000002", "张伟", BUYER_ID, "1128.42"), 201));
	json_decref(send(env, "waybills", "courier",
			 waybill("YG20260309000002", "张伟", "13800138000",
				 "广东省广州市天河区体育西路100号"),
			 201));
	json_decref(send(env, "orders", "platform", unclassified_order1("YG20260309000002"), 201));
	char *other = inventory1("YG20260309000002", SELLER);
	memcpy(strstr(other, "\"quantity\": \"2\""), "\"quantity\": \"3\"", 15);
	memcpy(strstr(other, "\"total\": \"300.00\""), "\"total\": \"450.00\"", 17);
	r = send(env, "inventories", "seller", other, 409);
	assert_string_equal(str(r, "detail"), "the order's documents disagree: each difference "
					      "names its document and field");
	json_t *p = json_object_get(r, "parcel");
	assert_string_equal(str(p, "status"), "mismatched");
	json_t *d = json_object_get(p, "differences");
	assert_int_equal(json_array_size(d), 2);
	assert_string_equal(str(json_array_get(d, 0), "document"), "inventory");
	assert_string_equal(str(json_array_get(d, 0), "field"), "/lines/1/quantity");
	assert_string_equal(str(json_array_get(d, 1), "field"), "/lines/1/total");
	assert_string_equal(str(json_array_get(d, 1), "problem"),
			    "is '450.00' but the order says total '300.00'");
	json_decref(r);
}

/* ---- withdrawing a waybill ------------------------------------------- */

/* DELETE /v1/cbec/waybills/{platform}/{order_no}: the logistics company
 * that sent the waybill withdraws it while the parcel is not cleared
 * (also a mismatched one); another logistics company is told it has no
 * such waybill, exactly as for an order nobody sent, so it learns nothing;
 * a held, released or gated-out parcel's waybill stays. */
static void waybill_withdrawn_by_its_sender_only(void **state)
{
	struct test_env *env = *state;
	json_decref(test_expect(env, "POST", "/v1/organisations", "admin",
				"{\"uscc\": \"91440101MA5ELG02TR\", \"name\": \"Other Express\","
				" \"kind\": \"logistics_company\"}",
				201));
	json_decref(test_expect(env, "POST", "/v1/users", "admin",
				"{\"username\": \"othercourier\", \"password\": \"long-enough-pw\","
				" \"role\": \"cbec_logistics\", \"organisation\": \"91440101MA5ELG02TR\"}",
				201));
	json_decref(send(env, "waybills", "courier",
			 waybill("YG20260310000001", "张伟", "13800138000",
				 "广东省广州市天河区体育西路100号"),
			 201));
	json_decref(send(env, "payments", "payment",
			 payment("YG20260310000001", "张伟", BUYER_ID, "1128.42"), 201));
	int64_t docs = test_count(env, "cbec_documents");

	/* another logistics company: the same answer as for no waybill at all */
	json_t *r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000001",
				"othercourier", NULL, 404);
	assert_string_equal(str(r, "detail"), "your organisation has no waybill of order "
					      "YG20260310000001 on platform " PLATFORM);
	json_decref(r);
	r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310999999",
			"courier", NULL, 404);
	assert_string_equal(str(r, "detail"), "your organisation has no waybill of order "
					      "YG20260310999999 on platform " PLATFORM);
	json_decref(r);
	/* other parties may not withdraw waybills */
	r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000001",
			"platform", NULL, 403);
	assert_string_equal(str(r, "detail"), "the cbec_platform role may not use DELETE "
					      "/v1/cbec/waybills/{platform}/{order_no}");
	json_decref(r);
	json_decref(test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000001",
				"payment", NULL, 403));
	assert_int_equal(test_count(env, "cbec_documents"), docs);

	/* its sender withdraws it: the parcel waits for a waybill again */
	json_decref(test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000001",
				"courier", NULL, 204));
	assert_int_equal(test_count(env, "cbec_documents"), docs - 1);
	r = parcel(env, "YG20260310000001", "platform");
	assert_string_equal(str(r, "status"), "pending");
	assert_null(json_object_get(json_object_get(r, "documents"), "waybill"));
	json_t *w = json_object_get(r, "waiting_for");
	assert_int_equal(json_array_size(w), 2);
	assert_string_equal(json_string_value(json_array_get(w, 0)), "order");
	assert_string_equal(json_string_value(json_array_get(w, 1)), "waybill");
	assert_int_equal(count_events(r, "cbec.document.withdrawn"), 1);
	json_decref(r);
	r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000001",
			"courier", NULL, 404);
	assert_string_equal(str(r, "detail"), "your organisation has no waybill of order "
					      "YG20260310000001 on platform " PLATFORM);
	json_decref(r);

	/* a waybill that disagrees with the order: withdrawn, the mismatch goes */
	json_decref(send(env, "waybills", "courier",
			 waybill("YG20260310000001", "张伟", "13800138001",
				 "广东省广州市天河区体育西路100号"),
			 201));
	r = send(env, "orders", "platform", order1("YG20260310000001", BUYER_ID, "1128.42"), 409);
	assert_string_equal(str(json_object_get(r, "parcel"), "status"), "mismatched");
	json_decref(r);
	json_decref(test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000001",
				"courier", NULL, 204));
	r = parcel(env, "YG20260310000001", "customs");
	assert_string_equal(str(r, "status"), "pending");
	assert_null(json_object_get(r, "differences"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "waiting_for"), 0)),
			    "waybill");
	json_decref(r);

	/* released, then gated out: the waybill stays */
	json_decref(example1(env, "YG20260310000002"));
	docs = test_count(env, "cbec_documents");
	r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000002",
			"courier", NULL, 409);
	assert_string_equal(str(r, "detail"), "the parcel is released already: its documents no "
					      "longer change");
	json_decref(r);
	r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000002",
			"othercourier", NULL, 404);
	assert_string_equal(str(r, "detail"), "your organisation has no waybill of order "
					      "YG20260310000002 on platform " PLATFORM);
	json_decref(r);
	json_decref(test_expect(env, "POST",
				"/v1/cbec/waybills/" COURIER "/W-YG20260310000002/gate-out",
				"courier", NULL, 200));
	r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000002",
			"courier", NULL, 409);
	assert_string_equal(str(r, "detail"), "the parcel is released already: its documents no "
					      "longer change");
	json_decref(r);
	assert_int_equal(test_count(env, "cbec_documents"), docs);
	r = parcel(env, "YG20260310000002", "courier");
	assert_string_equal(str(r, "status"), "released");
	assert_non_null(json_object_get(json_object_get(r, "documents"), "waybill"));
	assert_int_equal(count_events(r, "cbec.document.withdrawn"), 0);
	json_decref(r);

	/* held for quarantine: the waybill stays too */
	test_profile(env, "5167", "quarantine", "0", "yellow");
	r = example1(env, "YG20260310000003");
	assert_string_equal(str(r, "status"), "held");
	json_decref(r);
	r = test_expect(env, "DELETE", "/v1/cbec/waybills/" PLATFORM "/YG20260310000003",
			"courier", NULL, 409);
	assert_string_equal(str(r, "detail"), "the parcel is held already: its documents no "
					      "longer change");
	json_decref(r);
	test_profile(env, "5167", "quarantine", "0", "green");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(example1_parcel_under_the_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(guessing_the_quota_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(example2_indivisible_item_over_5000, setup,
						teardown),
		cmocka_unit_test_setup_teardown(example3_order_crossing_the_annual_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(example4_return, setup, teardown),
		cmocka_unit_test_setup_teardown(month_payment_counts_once_its_bank_pays, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_inputs_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_answers_each_document, setup, teardown),
		cmocka_unit_test_setup_teardown(withdrawal_and_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(held_parcel_cleared_by_its_agency, setup,
						teardown),
		cmocka_unit_test_setup_teardown(ceb_messages_answered_with_receipts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(inventory_sent_as_json_classifies_its_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(waybill_withdrawn_by_its_sender_only, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
