/*
 * test_cbec.c - cross-border e-commerce retail imports without a database:
 * the four documents and their problems (field and text), the resident ID
 * check character, classification by an inventory, the positive list,
 * matching with its differences and tolerance, the index of pending
 * documents, the quotas, the retail tax and the worked examples of
 * docs/cbec.md, returns and the monthly summary.
 *
 * Every expected amount below was worked out by hand (and checked with a
 * separate exact-fraction computation), never by the code under test.
 */
#include "test_support.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "domain/cbec.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct refdata *ref;

static int setup(void **state)
{
	(void)state;
	ref = test_builtin_refdata("JP FR IT CN US KR", "CNY");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	refdata_release(ref);
	return 0;
}

#define at test_time

/* Does p hold a problem for `field` whose text equals `text`? */
static bool has(const struct problems *p, const char *field, const char *text)
{
	for (size_t i = 0; i < p->count; i++)
		if (!strcmp(p->errors[i].field, field) && !strcmp(p->errors[i].problem, text))
			return true;
	return false;
}

static void expect(const struct problems *p, const char *field, const char *text)
{
	if (!has(p, field, text)) {
		for (size_t i = 0; i < p->count; i++)
			print_message("  have %s: %s\n", p->errors[i].field, p->errors[i].problem);
		fail_msg("no problem %s: %s", field, text);
	}
}

/* ---- the worked example's documents (docs/cbec.md, example 1) ------ */

static const char order1[] =
	"{\"platform_code\": \"4401986001\", \"platform_name\": \"云购全球跨境电商平台有限公司\","
	" \"enterprise_code\": \"4401966002\", \"enterprise_name\": \"珠江美妆贸易有限公司\","
	" \"order_no\": \"YG20260301000001\", \"mode\": \"1210\", \"customs_office\": \"5167\","
	" \"buyer_account\": \"zhangwei-88\", \"buyer_name\": \"张伟\", \"buyer_id_type\": \"1\","
	" \"buyer_id_number\": \"11010519491231002X\", \"buyer_phone\": \"13800138000\","
	" \"consignee_name\": \"张伟\", \"consignee_phone\": \"13800138000\","
	" \"consignee_address\": \"广东省广州市天河区体育西路100号\", \"consignee_district\": \"440106\","
	" \"payment_code\": \"4403169003\", \"transaction_no\": \"YTP202603010000001\","
	" \"currency\": \"CNY\", \"goods_value\": \"900.00\", \"freight\": \"30.00\","
	" \"discount\": \"0\", \"tax_withheld\": \"198.42\", \"actual_paid\": \"1128.42\","
	" \"lines\": ["
	"  {\"gnum\": 1, \"item_no\": \"SKU-ESS-50\", \"item_name\": \"保湿精华液\","
	"   \"specification\": \"50ml/瓶\", \"hs_code\": \"3304990000\", \"unit\": \"142\","
	"   \"origin_country\": \"JP\", \"quantity\": \"1\", \"unit_price\": \"600\", \"total\": \"600.00\"},"
	"  {\"gnum\": 2, \"item_name\": \"干红葡萄酒\", \"hs_code\": \"2204210000\", \"unit\": \"142\","
	"   \"origin_country\": \"FR\", \"quantity\": \"2\", \"unit_price\": \"150\", \"total\": \"300.00\"}]}";

static const char payment1[] =
	"{\"payment_code\": \"4403169003\", \"payment_name\": \"粤通支付有限公司\","
	" \"transaction_no\": \"YTP202603010000001\", \"platform_code\": \"4401986001\","
	" \"order_no\": \"YG20260301000001\", \"payer_name\": \"张伟\", \"payer_id_type\": \"1\","
	" \"payer_id_number\": \"11010519491231002X\", \"payer_phone\": \"13800138000\","
	" \"amount_paid\": \"1128.42\", \"currency\": \"CNY\","
	" \"paid_at\": \"2026-03-01T09:30:59+08:00\"}";

static const char waybill1[] =
	"{\"logistics_code\": \"4401980004\", \"logistics_name\": \"南沙速运物流有限公司\","
	" \"waybill_no\": \"NS8800000001\", \"platform_code\": \"4401986001\","
	" \"order_no\": \"YG20260301000001\", \"consignee_name\": \"张伟\","
	" \"consignee_phone\": \"13800138000\","
	" \"consignee_address\": \"广东省广州市天河区体育西路100号\","
	" \"freight\": \"30\", \"insured_fee\": \"0\", \"gross_weight\": \"2.35\", \"packages\": 1}";

static const char inventory1[] =
	"{\"platform_code\": \"4401986001\", \"enterprise_code\": \"4401966002\","
	" \"order_no\": \"YG20260301000001\", \"logistics_code\": \"4401980004\","
	" \"waybill_no\": \"NS8800000001\", \"agent_code\": \"4401980004\","
	" \"agent_name\": \"南沙速运物流有限公司\", \"assure_code\": \"4401980004\","
	" \"cop_no\": \"NSSY2026030100001\", \"mode\": \"1210\", \"customs_office\": \"5167\","
	" \"port_office\": \"5167\", \"transport_mode\": \"4\", \"bonded_account\": \"T5167W000001\","
	" \"departure_country\": \"CN\", \"buyer_name\": \"张伟\","
	" \"buyer_id_number\": \"11010519491231002X\", \"buyer_phone\": \"13800138000\","
	" \"consignee_address\": \"广东省广州市天河区体育西路100号\", \"freight\": \"30\","
	" \"insured_fee\": \"0\", \"packages\": 1, \"gross_weight\": \"2.35\", \"net_weight\": \"1.9\","
	" \"lines\": ["
	"  {\"gnum\": 1, \"hs_code\": \"3304990000\", \"goods_name\": \"保湿精华液\","
	"   \"origin_country\": \"JP\", \"quantity\": \"1\", \"unit\": \"142\","
	"   \"legal_quantity\": \"0.05\", \"legal_unit\": \"035\", \"unit_price\": \"600\", \"total\": \"600\"},"
	"  {\"gnum\": 2, \"hs_code\": \"2204210000\", \"goods_name\": \"干红葡萄酒\","
	"   \"origin_country\": \"FR\", \"quantity\": \"2\", \"unit\": \"142\","
	"   \"legal_quantity\": \"1.5\", \"legal_unit\": \"095\", \"unit_price\": \"150\", \"total\": \"300\"}]}";

static json_t *load(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		fail_msg("bad test JSON: %s", err.text);
	return j;
}

/* Load text, apply `set` (an object whose members replace the body's;
 * a null member removes it), and return the body. */
static json_t *edited(const char *text, const char *set)
{
	json_t *j = load(text), *s = load(set);
	const char *k;
	json_t *v;
	json_object_foreach(s, k, v)
	{
		if (json_is_null(v))
			json_object_del(j, k);
		else
			json_object_set(j, k, v);
	}
	json_decref(s);
	return j;
}

/* Validate j as a document of `kind` into out (a struct of that kind). */
static bool validate_as(enum cbec_doc kind, const json_t *j, struct problems *p, void *out)
{
	switch (kind) {
	case CBEC_DOC_ORDER:
		return cbec_order_validate(j, ref, p, out);
	case CBEC_DOC_PAYMENT:
		return cbec_payment_validate(j, ref, p, out);
	case CBEC_DOC_WAYBILL:
		return cbec_waybill_validate(j, ref, p, out);
	case CBEC_DOC_INVENTORY:
		return cbec_inventory_validate(j, ref, p, out);
	}
	return false;
}

/* Validate text as a document of `kind` into out; fail the test if refused. */
static void valid(enum cbec_doc kind, const char *text, void *out)
{
	struct problems p;
	json_t *j = load(text);
	problems_init(&p);
	if (!validate_as(kind, j, &p, out))
		fail_msg("%s refused: %s %s", cbec_doc_name(kind), p.errors[0].field,
			 p.errors[0].problem);
	json_decref(j);
}

/* Validate `base` edited by `set` (see edited) as a document of `kind`;
 * the test fails unless it is refused. The problems are left in *p. */
static void refused(enum cbec_doc kind, const char *base, const char *set, struct problems *p)
{
	union {
		struct cbec_order o;
		struct cbec_payment pay;
		struct cbec_waybill w;
		struct cbec_inventory inv;
	} doc;
	json_t *j = edited(base, set);
	problems_init(p);
	bool ok = validate_as(kind, j, p, &doc);
	json_decref(j);
	assert_false(ok);
}

#define order_from(text, o) valid(CBEC_DOC_ORDER, text, o)
#define payment_from(text, p) valid(CBEC_DOC_PAYMENT, text, p)
#define waybill_from(text, w) valid(CBEC_DOC_WAYBILL, text, w)

/* ---- documents ------------------------------------------------------- */

static void order_read_exactly(void **state)
{
	(void)state;
	struct cbec_order o;
	order_from(order1, &o);
	assert_string_equal(o.platform_code, "4401986001");
	assert_string_equal(o.enterprise_name, "珠江美妆贸易有限公司");
	assert_string_equal(o.order_no, "YG20260301000001");
	assert_int_equal(o.mode, CBEC_MODE_BONDED);
	assert_string_equal(o.customs_office, "5167");
	assert_string_equal(o.buyer_name, "张伟");
	assert_string_equal(o.buyer_id_number, "11010519491231002X");
	assert_string_equal(o.consignee_district, "440106");
	assert_int_equal(o.goods_value, 90000);
	assert_int_equal(o.freight, 3000);
	assert_int_equal(o.discount, 0);
	assert_int_equal(o.tax_withheld, 19842);
	assert_int_equal(o.actual_paid, 112842);
	assert_int_equal(o.nlines, 2);
	assert_int_equal(o.lines[0].gnum, 1);
	assert_string_equal(o.lines[0].hs_code, "3304990000");
	assert_string_equal(o.lines[0].origin_country, "JP");
	assert_int_equal(o.lines[0].quantity, 100000);
	assert_int_equal(o.lines[0].unit_price, 60000000);
	assert_int_equal(o.lines[0].total, 60000);
	assert_int_equal(o.lines[1].quantity, 200000);
	assert_int_equal(o.lines[1].total, 30000);
	assert_string_equal(o.lines[1].item_no, "");
	assert_true(cbec_order_classified(&o));
	cbec_order_free(&o);
	/* gnum defaults to the position */
	json_t *j = load(order1);
	json_object_del(json_array_get(json_object_get(j, "lines"), 1), "gnum");
	struct problems p;
	problems_init(&p);
	assert_true(cbec_order_validate(j, ref, &p, &o));
	assert_int_equal(o.lines[1].gnum, 2);
	cbec_order_free(&o);
	json_decref(j);
}

static void order_problems_each_named(void **state)
{
	(void)state;
	json_t *j = edited(order1,
			   "{\"platform_code\": \"44019\", \"buyer_id_type\": \"2\","
			   " \"buyer_id_number\": \"110105194912310021\", \"currency\": \"USD\","
			   " \"colour\": \"red\", \"buyer_name\": null, \"mode\": \"0110\","
			   " \"freight\": 30, \"discount\": \"-1\", \"customs_office\": \"9999\","
			   " \"buyer_phone\": \"138-0013#\", \"consignee_district\": \"4401\"}");
	json_t *l0 = json_array_get(json_object_get(j, "lines"), 0);
	json_t *l1 = json_array_get(json_object_get(j, "lines"), 1);
	json_object_set_new(l0, "total", json_string("600.01"));
	json_object_set_new(l0, "hs_code", json_string("9999999999"));
	json_object_set_new(l0, "origin_country", json_string("jp"));
	json_object_set_new(l1, "gnum", json_integer(1));
	json_object_set_new(l1, "unit", json_string("999"));
	json_object_set_new(l1, "quantity", json_string("0"));
	json_object_set_new(l1, "unit_price", json_string("1.123456"));
	struct problems p;
	struct cbec_order o;
	problems_init(&p);
	assert_false(cbec_order_validate(j, ref, &p, &o));
	assert_null(o.lines);
	expect(&p, "/platform_code",
	       "must be a 10-character customs registration code (digits and capital "
	       "letters) or an 18-character unified social credit code");
	expect(&p, "/buyer_id_type",
	       "must be \"1\" (resident identity card): retail imports are only open to "
	       "holders of a resident ID");
	expect(&p, "/buyer_id_number", "resident ID check digit does not match (GB 11643-1999)");
	expect(&p, "/currency", "must be \"CNY\": retail imports are priced in yuan");
	expect(&p, "/colour",
	       "unknown field; accepted fields are: platform_code, platform_name, "
	       "enterprise_code, enterprise_name, order_no, mode, customs_office, "
	       "buyer_account, buyer_name, buyer_id_type, buyer_id_number, buyer_phone, "
	       "consignee_name, consignee_phone, consignee_address, consignee_district, "
	       "payment_code, transaction_no, currency, goods_value, freight, discount, "
	       "tax_withheld, actual_paid, lines");
	expect(&p, "/buyer_name", "is required");
	expect(&p, "/mode", "must be \"9610\" (direct purchase) or \"1210\" (bonded)");
	expect(&p, "/freight",
	       "must be a decimal string such as \"12.50\" (numbers are sent as strings "
	       "so they stay exact)");
	expect(&p, "/discount", "must not be negative");
	expect(&p, "/customs_office",
	       "'9999' is not a known customs office (see GET /v1/reference/customs_offices)");
	expect(&p, "/buyer_phone",
	       "must be a telephone number of at most 30 digits, spaces, '+', '-', '(' or ')'");
	expect(&p, "/consignee_district", "must be a 6-digit administrative division code");
	expect(&p, "/lines/0/total",
	       "is 600.01 but quantity x unit_price is 600.00; the total is the quantity "
	       "times the unit price, rounded half up to the fen");
	expect(&p, "/lines/0/hs_code",
	       "'9999999999' is not in the commodity table (see GET /v1/reference/commodities)");
	expect(&p, "/lines/0/origin_country",
	       "must be an ISO 3166-1 alpha-2 country code such as \"JP\"");
	expect(&p, "/lines/1/gnum", "repeats gnum 1 of line 0; each line needs its own number");
	expect(&p, "/lines/1/unit",
	       "'999' is not a known unit of measure (see GET /v1/reference/units)");
	expect(&p, "/lines/1/quantity", "must be greater than zero");
	expect(&p, "/lines/1/unit_price", "has more than 5 decimal places");
	assert_int_equal(p.count, 19);
	json_decref(j);
}

static void order_sums_and_shape(void **state)
{
	(void)state;
	struct problems p;
	struct cbec_order o;
	refused(CBEC_DOC_ORDER, order1, "{\"goods_value\": \"899.00\"}", &p);
	expect(&p, "/goods_value", "is 899.00 but the lines' totals add up to 900.00");
	assert_int_equal(p.count, 1);
	refused(CBEC_DOC_ORDER, order1, "{\"lines\": []}", &p);
	expect(&p, "/lines", "must be an array of 1 to 99 goods lines");
	refused(CBEC_DOC_ORDER, order1, "{\"lines\": [\"lipstick\"]}", &p);
	expect(&p, "/lines/0", "must be an object describing one goods line");

	json_t *j = load("[1, 2]");
	problems_init(&p);
	assert_false(cbec_order_validate(j, ref, &p, &o));
	expect(&p, "", "the order must be a JSON object");
	json_decref(j);

	/* without reference data, codes are checked for form only */
	j = edited(order1, "{\"customs_office\": \"9999\"}");
	problems_init(&p);
	assert_true(cbec_order_validate(j, NULL, &p, &o));
	cbec_order_free(&o);
	json_decref(j);
}

static void resident_id_check_character(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		const char *problem; /* NULL: accepted */
	} cases[] = {
		{"11010519491231002X", NULL},
		{"440106199003071231", NULL},
		{"440304198511124567", NULL},
		{"110105194912310021", "resident ID check digit does not match (GB 11643-1999)"},
		{"440106199003071232", "resident ID check digit does not match (GB 11643-1999)"},
		{"11010519491231002x", "resident ID must be 17 digits followed by a digit or X"},
		{"1101051949123100", "resident ID must be 18 characters"},
		{"A1010519491231002X", "resident ID must be 17 digits followed by a digit or X"},
	};
	for (size_t i = 0; i < COUNT(cases); i++) {
		json_t *j = load(payment1);
		json_object_set_new(j, "payer_id_number", json_string(cases[i].id));
		struct problems p;
		struct cbec_payment pay;
		problems_init(&p);
		bool ok = cbec_payment_validate(j, ref, &p, &pay);
		if (cases[i].problem) {
			assert_false(ok);
			expect(&p, "/payer_id_number", cases[i].problem);
			assert_int_equal(p.count, 1);
		} else {
			assert_true(ok);
			assert_string_equal(pay.payer_id_number, cases[i].id);
		}
		json_decref(j);
	}
}

static void payment_and_waybill(void **state)
{
	(void)state;
	struct cbec_payment pay;
	payment_from(payment1, &pay);
	assert_int_equal(pay.amount_paid, 112842);
	assert_int_equal(pay.paid_at_us, at("2026-03-01T01:30:59Z"));
	assert_string_equal(pay.payer_phone, "13800138000");

	struct problems p;
	refused(CBEC_DOC_PAYMENT, payment1, "{\"amount_paid\": \"0.00\", \"paid_at\": \"2026-03-01 09:30\","
					    " \"transaction_no\": \"YTP 1\", \"order_no\": null}", &p);
	expect(&p, "/amount_paid", "must be greater than zero");
	expect(&p, "/paid_at", "must be an RFC 3339 time such as \"2026-03-01T10:00:00+08:00\"");
	expect(&p, "/transaction_no", "must be 1 to 60 letters, digits, '-', '_', '.' or '/'");
	expect(&p, "/order_no", "is required");
	assert_int_equal(p.count, 4);

	struct cbec_waybill w;
	waybill_from(waybill1, &w);
	assert_int_equal(w.gross_weight, 2350);
	assert_int_equal(w.packages, 1);
	assert_int_equal(w.freight, 3000);
	assert_string_equal(w.bill_no, "");
	refused(CBEC_DOC_WAYBILL, waybill1, "{\"packages\": 0, \"gross_weight\": \"2.3456\","
					    " \"consignee_name\": \"\", \"insured_fee\": \"1.5.0\"}", &p);
	expect(&p, "/packages", "must be a whole number from 1 to 99999");
	expect(&p, "/gross_weight", "has more than 3 decimal places");
	expect(&p, "/consignee_name", "must not be empty");
	expect(&p, "/insured_fee",
	       "is not a decimal number (digits with an optional '.' and fraction)");
	assert_int_equal(p.count, 4);
}

static void inventory_rules(void **state)
{
	(void)state;
	struct problems p;
	struct cbec_inventory inv;
	json_t *j = load(inventory1);
	problems_init(&p);
	assert_true(cbec_inventory_validate(j, ref, &p, &inv));
	assert_int_equal(inv.mode, CBEC_MODE_BONDED);
	assert_int_equal(inv.nlines, 2);
	assert_int_equal(inv.lines[1].legal_quantity, 150000);
	assert_int_equal(inv.net_weight, 1900);
	cbec_inventory_free(&inv);
	json_decref(j);

	refused(CBEC_DOC_INVENTORY, inventory1, "{\"mode\": \"9610\", \"net_weight\": \"3\"}", &p);
	expect(&p, "/bill_no", "is required for direct purchase (9610): the master bill the "
			       "parcel travels under");
	expect(&p, "/net_weight", "must not be more than gross_weight");
	assert_int_equal(p.count, 2);

	refused(CBEC_DOC_INVENTORY, inventory1, "{\"bonded_account\": null, \"cop_no\": null}", &p);
	expect(&p, "/bonded_account", "is required for bonded imports (1210): the warehouse's "
				      "bonded account (emsNo) the goods are written off");
	expect(&p, "/cop_no", "is required");
	assert_int_equal(p.count, 2);
}

/* ---- classification and the positive list ---------------------------- */

static json_t *unclassified_order(void)
{
	json_t *j = edited(order1, "{\"mode\": null, \"customs_office\": null}");
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(j, "lines"), i, l) json_object_del(l, "hs_code");
	return j;
}

static void inventory_classifies_order(void **state)
{
	(void)state;
	struct problems p;
	struct cbec_order o;
	struct cbec_inventory inv;
	json_t *j = unclassified_order(), *ji = load(inventory1);
	problems_init(&p);
	assert_true(cbec_order_validate(j, ref, &p, &o));
	assert_false(cbec_order_classified(&o));
	assert_true(cbec_inventory_validate(ji, ref, &p, &inv));
	assert_true(cbec_order_classify(&o, &inv, &p));
	assert_int_equal(p.count, 0);
	assert_true(cbec_order_classified(&o));
	assert_int_equal(o.mode, CBEC_MODE_BONDED);
	assert_string_equal(o.customs_office, "5167");
	assert_string_equal(o.lines[0].hs_code, "3304990000");
	assert_string_equal(o.lines[1].hs_code, "2204210000");
	cbec_inventory_free(&inv);
	json_decref(ji);

	/* an inventory that disagrees changes nothing and says where */
	cbec_order_free(&o);
	problems_init(&p);
	assert_true(cbec_order_validate(j, ref, &p, &o));
	ji = edited(inventory1, "{\"buyer_name\": \"张三\"}");
	json_t *il = json_object_get(ji, "lines");
	json_object_set_new(json_array_get(il, 0), "gnum", json_integer(3));
	json_object_set_new(json_array_get(il, 1), "quantity", json_string("3"));
	json_object_set_new(json_array_get(il, 1), "total", json_string("450"));
	assert_true(cbec_inventory_validate(ji, ref, &p, &inv));
	assert_false(cbec_order_classify(&o, &inv, &p));
	expect(&p, "/buyer_name", "is '张三' but the order says buyer '张伟'");
	expect(&p, "/lines/0/gnum", "names line 3, which the order does not have");
	expect(&p, "/lines/1/quantity", "is '3.00000' but the order says quantity '2.00000'");
	expect(&p, "/lines/1/total", "is '450.00' but the order says total '300.00'");
	expect(&p, "/lines",
	       "has no entry for the order's line 1; every line of the order must be declared");
	assert_int_equal(p.count, 5);
	assert_false(cbec_order_classified(&o));
	assert_string_equal(o.lines[1].hs_code, "");
	cbec_inventory_free(&inv);
	cbec_order_free(&o);
	json_decref(ji);
	json_decref(j);
}

static void positive_list_and_agencies(void **state)
{
	(void)state;
	struct cbec_order o;
	struct problems p;
	order_from(order1, &o);
	problems_init(&p);
	assert_true(cbec_goods_check(ref, &o, &p));
	assert_non_null(cbec_goods_find(ref, "3304990000"));
	assert_null(cbec_goods_find(ref, "0808100000"));
	assert_null(cbec_goods_find(ref, "33049900"));

	/* customs and quarantine act on cosmetics and wine */
	agency_set a = cbec_agencies(ref, &o);
	assert_int_equal(a, (1u << refdata_agency_index(ref, "customs")) |
				    (1u << refdata_agency_index(ref, "quarantine")));

	/* fresh apples are not on the list */
	str_copy(o.lines[1].hs_code, "0808100000", sizeof o.lines[1].hs_code);
	assert_false(cbec_goods_check(ref, &o, &p));
	expect(&p, "/lines/1/hs_code",
	       "'0808100000' (tariff line 08081000) is not on the cross-border e-commerce "
	       "retail import list (see GET /v1/reference/cbec_goods); such goods come in "
	       "as general trade");
	cbec_order_free(&o);

	/* a line open to bonded imports only */
	struct refdata_builder *b = refdata_builder_new();
	json_t *e = load("{\"code\": \"33049900\", \"name_en\": \"x\", \"modes\": [\"1210\"]}");
	assert_int_equal(refdata_builder_add(b, "cbec_goods", e), KERR_OK);
	json_decref(e);
	struct refdata *small = refdata_builder_finish(b);
	order_from(order1, &o);
	o.mode = CBEC_MODE_DIRECT;
	o.nlines = 1;
	problems_init(&p);
	assert_false(cbec_goods_check(small, &o, &p));
	expect(&p, "/lines/0/hs_code",
	       "tariff line 33049900 is on the retail import list but not for mode 9610 "
	       "(see its \"modes\" in GET /v1/reference/cbec_goods)");
	o.mode = CBEC_MODE_BONDED;
	problems_init(&p);
	assert_true(cbec_goods_check(small, &o, &p));
	o.nlines = 2;
	cbec_order_free(&o);
	refdata_release(small);
}

/* ---- matching -------------------------------------------------------- */

/* The three documents of example 1. */
struct triple {
	struct cbec_order o;
	struct cbec_payment pay;
	struct cbec_waybill w;
	struct cbec_match m;
};

static void triple_load(struct triple *t)
{
	order_from(order1, &t->o);
	payment_from(payment1, &t->pay);
	waybill_from(waybill1, &t->w);
}

static void three_documents_match(void **state)
{
	(void)state;
	struct triple t;
	triple_load(&t);
	assert_true(cbec_match(&t.o, &t.pay, &t.w, CBEC_DEFAULT_TOLERANCE, &t.m));
	assert_int_equal(t.m.ndiffs, 0);
	assert_ptr_equal(t.m.entry.order, &t.o);
	assert_ptr_equal(t.m.entry.payment, &t.pay);
	assert_ptr_equal(t.m.entry.waybill, &t.w);
	assert_int_equal(t.m.entry.customs_value, 93000);
	cbec_order_free(&t.o);
}

static void expect_diff(const struct cbec_match *m, enum cbec_doc doc, const char *field,
			const char *expected, const char *found)
{
	for (size_t i = 0; i < m->ndiffs; i++)
		if (m->diffs[i].doc == doc && !strcmp(m->diffs[i].field, field) &&
		    !strcmp(m->diffs[i].expected, expected) && !strcmp(m->diffs[i].found, found))
			return;
	for (size_t i = 0; i < m->ndiffs; i++)
		print_message("  have %s %s: %s / %s\n", cbec_doc_name(m->diffs[i].doc),
			      m->diffs[i].field, m->diffs[i].expected, m->diffs[i].found);
	fail_msg("no difference %s %s", cbec_doc_name(doc), field);
}

static void mismatch_names_every_difference(void **state)
{
	(void)state;
	struct triple t;
	triple_load(&t);
	str_copy(t.pay.payer_name, "张卫", sizeof t.pay.payer_name);
	str_copy(t.pay.payer_id_number, "440106199003071231", sizeof t.pay.payer_id_number);
	str_copy(t.pay.transaction_no, "YTP202603010000099", sizeof t.pay.transaction_no);
	t.pay.amount_paid = 112840;
	t.o.actual_paid = 112843;
	str_copy(t.w.consignee_phone, "13800138001", sizeof t.w.consignee_phone);
	str_copy(t.w.consignee_address, "广东省广州市天河区体育西路101号", sizeof t.w.consignee_address);
	assert_false(cbec_match(&t.o, &t.pay, &t.w, 0, &t.m));
	assert_int_equal(t.m.ndiffs, 7);
	expect_diff(&t.m, CBEC_DOC_PAYMENT, "/payer_name", "张伟", "张卫");
	expect_diff(&t.m, CBEC_DOC_PAYMENT, "/payer_id_number", "11010519491231002X",
		    "440106199003071231");
	expect_diff(&t.m, CBEC_DOC_PAYMENT, "/transaction_no", "YTP202603010000001",
		    "YTP202603010000099");
	expect_diff(&t.m, CBEC_DOC_WAYBILL, "/consignee_phone", "13800138000", "13800138001");
	expect_diff(&t.m, CBEC_DOC_WAYBILL, "/consignee_address",
		    "广东省广州市天河区体育西路100号", "广东省广州市天河区体育西路101号");
	expect_diff(&t.m, CBEC_DOC_ORDER, "/actual_paid", "1128.42", "1128.43");
	expect_diff(&t.m, CBEC_DOC_PAYMENT, "/amount_paid", "1128.42", "1128.40");
	assert_null(t.m.entry.order);

	/* within a 2-fen tolerance the amounts agree */
	str_copy(t.pay.payer_name, "张伟", sizeof t.pay.payer_name);
	str_copy(t.pay.payer_id_number, "11010519491231002X", sizeof t.pay.payer_id_number);
	str_copy(t.pay.transaction_no, "YTP202603010000001", sizeof t.pay.transaction_no);
	str_copy(t.w.consignee_phone, "13800138000", sizeof t.w.consignee_phone);
	str_copy(t.w.consignee_address, "广东省广州市天河区体育西路100号", sizeof t.w.consignee_address);
	assert_true(cbec_match(&t.o, &t.pay, &t.w, 2, &t.m));
	assert_false(cbec_match(&t.o, &t.pay, &t.w, 1, &t.m)); /* 2 fen short is one too many */
	assert_int_equal(t.m.ndiffs, 1);
	expect_diff(&t.m, CBEC_DOC_PAYMENT, "/amount_paid", "1128.42", "1128.40");
	cbec_order_free(&t.o);
}

static void unclassified_order_does_not_match(void **state)
{
	(void)state;
	struct cbec_order o;
	struct cbec_payment pay;
	struct cbec_waybill w;
	struct cbec_match m;
	struct problems p;
	json_t *j = unclassified_order();
	problems_init(&p);
	assert_true(cbec_order_validate(j, ref, &p, &o));
	payment_from(payment1, &pay);
	waybill_from(waybill1, &w);
	assert_false(cbec_match(&o, &pay, &w, 0, &m));
	assert_int_equal(m.ndiffs, 4);
	expect_diff(&m, CBEC_DOC_ORDER, "/mode", "9610 or 1210", "(none yet: the inventory declares it)");
	expect_diff(&m, CBEC_DOC_ORDER, "/customs_office", "a 4-digit customs office",
		    "(none yet: the inventory declares it)");
	expect_diff(&m, CBEC_DOC_ORDER, "/lines/1/hs_code", "a 10-digit commodity code",
		    "(none yet: the inventory declares it)");
	cbec_order_free(&o);
	json_decref(j);
}

/* ---- the index ------------------------------------------------------- */

static const unsigned char test_key[16] = "kouan-test-key!";

/* A malloc'ed copy of the example's order, payment or waybill under
 * another key, for the index to own. */
static void *new_doc(enum cbec_doc kind, const char *platform, const char *no)
{
	static const struct {
		const char *text;
		size_t size, platform_off, no_off;
	} docs[] = {
		[CBEC_DOC_ORDER] = {order1, sizeof(struct cbec_order),
				    offsetof(struct cbec_order, platform_code),
				    offsetof(struct cbec_order, order_no)},
		[CBEC_DOC_PAYMENT] = {payment1, sizeof(struct cbec_payment),
				      offsetof(struct cbec_payment, platform_code),
				      offsetof(struct cbec_payment, order_no)},
		[CBEC_DOC_WAYBILL] = {waybill1, sizeof(struct cbec_waybill),
				      offsetof(struct cbec_waybill, platform_code),
				      offsetof(struct cbec_waybill, order_no)},
	};
	char *d = malloc(docs[kind].size);
	assert_non_null(d);
	valid(kind, docs[kind].text, d);
	str_copy(d + docs[kind].platform_off, platform, CBEC_CODE_LEN + 1);
	str_copy(d + docs[kind].no_off, no, CBEC_NO_LEN + 1);
	return d;
}

#define new_order(platform, no) ((struct cbec_order *)new_doc(CBEC_DOC_ORDER, platform, no))
#define new_payment(platform, no) ((struct cbec_payment *)new_doc(CBEC_DOC_PAYMENT, platform, no))
#define new_waybill(platform, no) ((struct cbec_waybill *)new_doc(CBEC_DOC_WAYBILL, platform, no))

static void index_any_order(void **state)
{
	(void)state;
	struct cbec_index *idx = cbec_index_new(test_key);
	struct cbec_pending *s, *s2;
	assert_non_null(idx);
	/* order A's waybill first, then order B's payment, then A's payment */
	assert_int_equal(cbec_index_put_waybill(idx, new_waybill("4401986001", "A"), 10, &s), KERR_OK);
	assert_false(cbec_pending_complete(s));
	assert_int_equal(cbec_index_put_payment(idx, new_payment("4401986001", "B"), 20, &s2), KERR_OK);
	assert_int_equal(cbec_index_put_payment(idx, new_payment("4401986001", "A"), 30, &s2), KERR_OK);
	assert_ptr_equal(s, s2);
	assert_false(cbec_pending_complete(s));
	/* the same order number on another platform is another order */
	assert_int_equal(cbec_index_put_order(idx, new_order("4401986999", "A"), 35, NULL), KERR_OK);
	assert_int_equal(cbec_index_count(idx), 3);
	/* a corrected payment replaces the first (ASan sees the old one freed) */
	struct cbec_payment *fix = new_payment("4401986001", "A");
	fix->amount_paid = 1;
	assert_int_equal(cbec_index_put_payment(idx, fix, 40, NULL), KERR_OK);
	assert_int_equal(cbec_index_put_order(idx, new_order("4401986001", "A"), 50, &s2), KERR_OK);
	assert_ptr_equal(s, s2);
	assert_true(cbec_pending_complete(s));
	assert_int_equal(s->first_at_us, 10);
	assert_ptr_equal(cbec_index_find(idx, "4401986001", "A"), s);
	assert_null(cbec_index_find(idx, "4401986001", "C"));

	struct cbec_order *o;
	struct cbec_payment *p;
	struct cbec_waybill *w;
	cbec_index_take(idx, s, &o, &p, &w);
	assert_int_equal(p->amount_paid, 1);
	assert_string_equal(w->order_no, "A");
	assert_int_equal(cbec_index_count(idx), 2);
	assert_null(cbec_index_find(idx, "4401986001", "A"));
	cbec_order_free(o);
	free(o);
	free(p);
	free(w);

	/* no platform: refused, and the document freed */
	assert_int_equal(cbec_index_put_payment(idx, new_payment("", "D"), 60, NULL), KERR_INVALID);
	/* expiry: what arrived before 36 goes (B at 20, the other A at 35) */
	assert_int_equal(cbec_index_expire(idx, 36, NULL, NULL), 2);
	assert_int_equal(cbec_index_count(idx), 0);
	cbec_index_free(idx);
}

static void count_expired(void *arg, const struct cbec_pending *s)
{
	assert_true(s->first_at_us < 1000);
	(*(size_t *)arg)++;
}

static void index_survives_growth_and_removal(void **state)
{
	(void)state;
	struct cbec_index *idx = cbec_index_new(test_key);
	enum { N = 3000 };
	char no[32];
	uint32_t seed = 7;
	int order[N];
	for (int i = 0; i < N; i++) {
		snprintf(no, sizeof no, "ORD%06d", i);
		assert_int_equal(cbec_index_put_waybill(idx, new_waybill("4401986001", no), i, NULL),
				 KERR_OK);
		order[i] = i;
	}
	assert_int_equal(cbec_index_count(idx), N);
	for (int i = N - 1; i > 0; i--) { /* a fixed shuffle */
		seed = seed * 1103515245u + 12345u;
		int k = (int)((seed >> 8) % (uint32_t)(i + 1)), t = order[i];
		order[i] = order[k];
		order[k] = t;
	}
	for (int i = 0; i < N / 2; i++) {
		snprintf(no, sizeof no, "ORD%06d", order[i]);
		struct cbec_pending *s = cbec_index_find(idx, "4401986001", no);
		assert_non_null(s);
		struct cbec_order *o;
		struct cbec_payment *p;
		struct cbec_waybill *w;
		cbec_index_take(idx, s, &o, &p, &w);
		assert_null(o);
		assert_null(p);
		free(w);
	}
	for (int i = 0; i < N; i++) {
		snprintf(no, sizeof no, "ORD%06d", order[i]);
		struct cbec_pending *s = cbec_index_find(idx, "4401986001", no);
		if (i < N / 2)
			assert_null(s);
		else
			assert_string_equal(s->waybill->order_no, no);
	}
	assert_int_equal(cbec_index_count(idx), N - N / 2);
	/* expire what arrived before 1000; the callback sees each one */
	size_t seen = 0, old = 0;
	for (int i = N / 2; i < N; i++)
		old += order[i] < 1000;
	size_t gone = cbec_index_expire(idx, 1000, count_expired, &seen);
	assert_int_equal(gone, old);
	assert_int_equal(seen, old);
	assert_int_equal(cbec_index_count(idx), N - N / 2 - old);
	for (int i = 0; i < N; i++) {
		snprintf(no, sizeof no, "ORD%06d", i);
		struct cbec_pending *s = cbec_index_find(idx, "4401986001", no);
		if (s)
			assert_true(s->first_at_us >= 1000);
	}
	cbec_index_free(idx);
}

/* ---- taxes and quotas: the worked examples ----------------------------- */

static const struct cbec_rates essence = {1300, CBEC_CT_AD_VALOREM, 1500, 0, 0, 0};
static const struct cbec_rates wine = {1300, CBEC_CT_AD_VALOREM, 1000, 0, 0, 1400};

static void example1_parcel_under_the_limits(void **state)
{
	(void)state;
	struct triple t;
	struct cbec_assessment a;
	triple_load(&t);
	assert_true(cbec_match(&t.o, &t.pay, &t.w, 0, &t.m));
	const struct cbec_rates rates[] = {essence, wine};
	assert_int_equal(cbec_assess(&t.m.entry, rates, 2, 0, at("2026-03-02T10:00:00+08:00"), &a),
			 KERR_OK);
	assert_int_equal(a.verdict, CBEC_RETAIL);
	assert_int_equal(a.year, 2026);
	assert_int_equal(a.customs_value, 93000);
	assert_int_equal(a.used, 0);
	assert_int_equal(a.remaining, 2600000);
	/* freight 30.00 shared 20.00 / 10.00 by value */
	assert_int_equal(a.lines[0].value, 62000);
	assert_int_equal(a.lines[1].value, 31000);
	/* essence: CT 620 x 15/85 = 109.41 -> 70 % 76.59; VAT (620 + 109.41) x 13 % = 94.82 -> 66.37 */
	assert_int_equal(a.lines[0].duty, 0);
	assert_int_equal(a.lines[0].consumption_tax, 7659);
	assert_int_equal(a.lines[0].vat, 6637);
	/* wine: CT 310 x 10/90 = 34.44 -> 24.11; VAT (310 + 34.44) x 13 % = 44.78 -> 31.35 */
	assert_int_equal(a.lines[1].duty, 0);
	assert_int_equal(a.lines[1].consumption_tax, 2411);
	assert_int_equal(a.lines[1].vat, 3135);
	assert_int_equal(a.duty, 0);
	assert_int_equal(a.consumption_tax, 10070);
	assert_int_equal(a.vat, 9772);
	assert_int_equal(a.total, 19842);
	assert_int_equal(a.withheld_difference, 0);
	assert_string_equal(a.reason, "");
	cbec_order_free(&t.o);
}

static struct cbec_order handbag(void)
{
	struct cbec_order o;
	json_t *j = edited(order1, "{\"order_no\": \"YG20260302000002\", \"mode\": \"9610\","
				   " \"customs_office\": \"5141\", \"goods_value\": \"6800\","
				   " \"freight\": \"0\", \"tax_withheld\": \"1652.40\","
				   " \"actual_paid\": \"8452.40\", \"payment_code\": null,"
				   " \"transaction_no\": null,"
				   " \"lines\": [{\"item_name\": \"小牛皮手提包\","
				   "  \"hs_code\": \"4202210000\", \"unit\": \"007\","
				   "  \"origin_country\": \"IT\", \"quantity\": \"1\","
				   "  \"unit_price\": \"6800\", \"total\": \"6800\"}]}");
	struct problems p;
	problems_init(&p);
	assert_true(cbec_order_validate(j, ref, &p, &o));
	json_decref(j);
	return o;
}

static void example2_indivisible_item_over_5000(void **state)
{
	(void)state;
	struct cbec_order o = handbag();
	struct cbec_waybill w = {0};
	struct cbec_list_entry e = {&o, NULL, &w, 680000};
	struct cbec_assessment a;
	const struct cbec_rates bag = {1300, CBEC_CT_NONE, 0, 0, 0, 1000};
	assert_int_equal(cbec_assess(&e, &bag, 1, 300000, at("2026-03-03T12:00:00+08:00"), &a),
			 KERR_OK);
	assert_int_equal(a.verdict, CBEC_FULL_TAX);
	/* duty 6,800 x 10 % = 680.00; VAT (6,800 + 680) x 13 % = 972.40 */
	assert_int_equal(a.duty, 68000);
	assert_int_equal(a.consumption_tax, 0);
	assert_int_equal(a.vat, 97240);
	assert_int_equal(a.total, 165240);
	assert_int_equal(a.customs_value, 680000); /* counted to the year */
	assert_int_equal(a.withheld_difference, 0);

	/* two of them are an order over the limit, not one indivisible item */
	o.lines[0].quantity = 200000;
	assert_int_equal(cbec_assess(&e, &bag, 1, 0, at("2026-03-03T12:00:00+08:00"), &a), KERR_OK);
	assert_int_equal(a.verdict, CBEC_OVER_ORDER_LIMIT);
	assert_string_equal(a.reason,
			    "the order's value 6,800.00 CNY is over the 5,000.00 CNY limit for "
			    "one retail order (only a single indivisible item may pass it); "
			    "import these goods as general trade");
	assert_int_equal(a.total, 0);
	/* and one that the year cannot take is refused for the year */
	o.lines[0].quantity = 100000;
	assert_int_equal(cbec_assess(&e, &bag, 1, 2000000, at("2026-03-03T12:00:00+08:00"), &a),
			 KERR_OK);
	assert_int_equal(a.verdict, CBEC_OVER_ANNUAL_LIMIT);
	cbec_order_free(&o);
}

static void example3_order_crossing_the_annual_limit(void **state)
{
	(void)state;
	struct cbec_order o;
	order_from(order1, &o);
	struct cbec_list_entry e = {&o, NULL, NULL, 180000};
	o.goods_value = 180000;
	o.lines[0].total = 120000;
	o.lines[1].total = 60000;
	const struct cbec_rates rates[] = {essence, wine};
	struct cbec_assessment a;
	assert_int_equal(cbec_assess(&e, rates, 2, 2450000, at("2026-11-11T20:00:00+08:00"), &a),
			 KERR_OK);
	assert_int_equal(a.verdict, CBEC_OVER_ANNUAL_LIMIT);
	assert_int_equal(a.used, 2450000);
	assert_int_equal(a.remaining, 150000);
	assert_int_equal(a.total, 0);
	assert_string_equal(a.reason,
			    "the buyer has used 24,500.00 CNY of the 2026 retail quota and "
			    "1,500.00 CNY remain of the 26,000.00 CNY annual limit; this order's "
			    "value 1,800.00 CNY would pass it, so it is refused for retail and may "
			    "come in as general trade");
	/* exactly reaching 26,000.00 is allowed */
	assert_int_equal(cbec_assess(&e, rates, 2, 2420000, at("2026-11-11T20:00:00+08:00"), &a),
			 KERR_OK);
	assert_int_equal(a.verdict, CBEC_RETAIL);
	assert_int_equal(a.remaining, 180000);
	/* an order of exactly 5,000.00 is retail; a fen more is not */
	e.customs_value = 500000;
	o.goods_value = 500000;
	o.lines[0].total = 300000;
	o.lines[1].total = 200000;
	assert_int_equal(cbec_assess(&e, rates, 2, 0, at("2026-11-11T20:00:00+08:00"), &a), KERR_OK);
	assert_int_equal(a.verdict, CBEC_RETAIL);
	e.customs_value = 500001;
	assert_int_equal(cbec_assess(&e, rates, 2, 0, at("2026-11-11T20:00:00+08:00"), &a), KERR_OK);
	assert_int_equal(a.verdict, CBEC_OVER_ORDER_LIMIT);
	assert_string_equal(a.reason,
			    "the order's value 5,000.01 CNY is over the 5,000.00 CNY limit for "
			    "one retail order (only a single indivisible item may pass it); "
			    "import these goods as general trade");
	/* rates must come one per line */
	assert_int_equal(cbec_assess(&e, rates, 1, 0, 0, &a), KERR_INVALID);
	cbec_order_free(&o);
}

static void example4_return(void **state)
{
	(void)state;
	struct cbec_assessment a = {0};
	struct cbec_refund r;
	a.verdict = CBEC_RETAIL;
	a.year = 2026;
	a.customs_value = 93000;
	a.consumption_tax = 10070;
	a.vat = 9772;
	a.total = 19842;
	int64_t released = at("2026-03-02T10:00:00+08:00");
	assert_true(cbec_return_check(&a, released, at("2026-04-01T23:59:59+08:00"), &r));
	assert_int_equal(r.days, 30);
	assert_int_equal(r.year, 2026);
	assert_int_equal(r.quota_restored, 93000);
	assert_int_equal(r.consumption_tax, 10070);
	assert_int_equal(r.vat, 9772);
	assert_int_equal(r.total, 19842);

	assert_false(cbec_return_check(&a, released, at("2026-04-02T00:00:00+08:00"), &r));
	assert_int_equal(r.days, 31);
	assert_int_equal(r.quota_restored, 0);
	assert_string_equal(r.reason,
			    "the parcel was released on 2026-03-02 (Beijing time) and returned "
			    "31 days later; a return restores quota and tax only within 30 days "
			    "of release");
	/* days are Beijing calendar days: 16:00Z is already the next day */
	assert_false(cbec_return_check(&a, released, at("2026-04-01T16:00:00Z"), &r));
	assert_true(cbec_return_check(&a, released, at("2026-04-01T15:59:59Z"), &r));

	assert_false(cbec_return_check(&a, released, released - 1, &r));
	assert_string_equal(r.reason, "the return is dated before the parcel's release");
	a.verdict = CBEC_OVER_ANNUAL_LIMIT;
	assert_false(cbec_return_check(&a, released, released, &r));
	assert_string_equal(r.reason, "the parcel was refused for retail import, so no quota or "
				      "tax was taken and there is nothing to restore");
}

static void tax_formulas_and_rounding(void **state)
{
	(void)state;
	struct cbec_line_tax t;
	/* compound: spirits at 20 % + 0.50 a unit, 2 units, on 1,000.00:
	 * retail CT ((1,000 + 1) / 0.8 x 0.2 + 1) = 251.25 -> 175.88,
	 * VAT (1,000 + 251.25) x 13 % = 162.66 -> 113.86 */
	const struct cbec_rates spirits = {1300, CBEC_CT_COMPOUND, 2000, 50, 200000, 1000};
	assert_int_equal(cbec_line_taxes(100000, &spirits, true, &t), KERR_OK);
	assert_int_equal(t.duty, 0);
	assert_int_equal(t.consumption_tax, 17588);
	assert_int_equal(t.vat, 11386);
	/* general trade: duty 100.00, CT (1,100 + 1) / 0.8 x 0.2 + 1 = 276.25,
	 * VAT (1,100 + 276.25) x 13 % = 178.91 */
	assert_int_equal(cbec_line_taxes(100000, &spirits, false, &t), KERR_OK);
	assert_int_equal(t.duty, 10000);
	assert_int_equal(t.consumption_tax, 27625);
	assert_int_equal(t.vat, 17891);
	/* specific only: 2.50 a unit, 3 units = 7.50; VAT (200 + 7.50) x 13 % = 26.98 */
	const struct cbec_rates beer = {1300, CBEC_CT_SPECIFIC, 0, 250, 300000, 0};
	assert_int_equal(cbec_line_taxes(20000, &beer, false, &t), KERR_OK);
	assert_int_equal(t.consumption_tax, 750);
	assert_int_equal(t.vat, 2698);
	assert_int_equal(cbec_line_taxes(20000, &beer, true, &t), KERR_OK);
	assert_int_equal(t.consumption_tax, 525);
	assert_int_equal(t.vat, 1889);
	/* half up: VAT on 0.50 is 0.065 -> 0.07; 70 % of it 0.049 -> 0.05 */
	const struct cbec_rates plain = {1300, CBEC_CT_NONE, 0, 0, 0, 0};
	assert_int_equal(cbec_line_taxes(50, &plain, false, &t), KERR_OK);
	assert_int_equal(t.vat, 7);
	assert_int_equal(cbec_line_taxes(50, &plain, true, &t), KERR_OK);
	assert_int_equal(t.vat, 5);
	/* rates out of range */
	const struct cbec_rates all = {1300, CBEC_CT_AD_VALOREM, 10000, 0, 0, 0};
	const struct cbec_rates neg = {-1, CBEC_CT_NONE, 0, 0, 0, 0};
	assert_int_equal(cbec_line_taxes(100, &all, true, &t), KERR_INVALID);
	assert_int_equal(cbec_line_taxes(100, &neg, true, &t), KERR_INVALID);
	assert_int_equal(cbec_line_taxes(-1, &plain, true, &t), KERR_INVALID);
}

static void freight_shared_by_running_share(void **state)
{
	(void)state;
	struct cbec_order o;
	order_from(order1, &o);
	struct cbec_line lines[3];
	memcpy(&lines[0], &o.lines[0], sizeof lines[0]);
	memcpy(&lines[1], &o.lines[0], sizeof lines[1]);
	memcpy(&lines[2], &o.lines[0], sizeof lines[2]);
	struct cbec_line *keep = o.lines;
	o.lines = lines;
	o.nlines = 3;
	const struct cbec_rates r3[] = {{0, CBEC_CT_NONE, 0, 0, 0, 0},
					{0, CBEC_CT_NONE, 0, 0, 0, 0},
					{0, CBEC_CT_NONE, 0, 0, 0, 0}};
	struct cbec_assessment a;
	/* three lines of 1.00 and 1 fen of freight: running shares 0, 1, 1 */
	lines[0].total = lines[1].total = lines[2].total = 100;
	o.goods_value = 300;
	struct cbec_list_entry e = {&o, NULL, NULL, 301};
	assert_int_equal(cbec_assess(&e, r3, 3, 0, 0, &a), KERR_OK);
	assert_int_equal(a.lines[0].value, 100);
	assert_int_equal(a.lines[1].value, 101);
	assert_int_equal(a.lines[2].value, 100);
	/* 1.00, 1.00 and a free gift: the shares never go negative */
	lines[2].total = 0;
	o.goods_value = 200;
	e.customs_value = 201;
	assert_int_equal(cbec_assess(&e, r3, 3, 0, 0, &a), KERR_OK);
	assert_int_equal(a.lines[0].value, 101);
	assert_int_equal(a.lines[1].value, 100);
	assert_int_equal(a.lines[2].value, 0);
	o.lines = keep;
	o.nlines = 2;
	cbec_order_free(&o);
}

static void quota_year_is_beijing(void **state)
{
	(void)state;
	assert_int_equal(cbec_quota_year(at("2026-12-31T15:59:59Z")), 2026);
	assert_int_equal(cbec_quota_year(at("2026-12-31T16:00:00Z")), 2027);
	assert_int_equal(cbec_quota_year(at("2027-01-01T00:00:00+08:00")), 2027);
	assert_int_equal(cbec_quota_year(at("1969-12-31T16:00:00Z")), 1970);
}

static void monthly_summary(void **state)
{
	(void)state;
	const struct cbec_cleared parcels[] = {
		/* March 2026 in Beijing: 2026-02-28T16:30Z is 1 March 00:30 */
		{"4401986001", at("2026-02-28T16:30:00Z"), 0, 0, 10070, 9772},
		{"4401986001", at("2026-03-15T12:00:00+08:00"), at("2026-03-20T12:00:00+08:00"), 0, 0, 1300},
		{"3101986002", at("2026-03-31T23:59:59+08:00"), 0, 68000, 0, 97240},
		/* released in February, returned in March: refunded in March */
		{"4401986001", at("2026-02-20T12:00:00+08:00"), at("2026-03-05T12:00:00+08:00"), 0, 500, 700},
		/* April: not in the summary */
		{"5301986003", at("2026-04-01T00:00:00+08:00"), 0, 0, 0, 100},
	};
	struct cbec_platform_month out[4];
	size_t n;
	assert_int_equal(cbec_month_summary(parcels, COUNT(parcels), 2026, 3, out, 4, &n), KERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].platform_code, "3101986002");
	assert_int_equal(out[0].parcels, 1);
	assert_int_equal(out[0].returns, 0);
	assert_int_equal(out[0].duty, 68000);
	assert_int_equal(out[0].vat, 97240);
	assert_int_equal(out[0].due, 165240);
	assert_string_equal(out[1].platform_code, "4401986001");
	assert_int_equal(out[1].parcels, 2);
	assert_int_equal(out[1].returns, 2);
	assert_int_equal(out[1].consumption_tax, 10070);
	assert_int_equal(out[1].vat, 9772 + 1300);
	assert_int_equal(out[1].refunded, 1300 + 500 + 700);
	assert_int_equal(out[1].due, 10070 + 9772 + 1300 - 2500);

	assert_int_equal(cbec_month_summary(parcels, COUNT(parcels), 2026, 3, out, 1, &n),
			 KERR_TOO_LARGE);
	assert_int_equal(cbec_month_summary(parcels, COUNT(parcels), 2026, 13, out, 4, &n),
			 KERR_INVALID);
	assert_int_equal(cbec_month_summary(parcels, COUNT(parcels), 2026, 2, out, 4, &n), KERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].parcels, 1);
	assert_int_equal(out[0].returns, 0);
	assert_int_equal(out[0].due, 1200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_read_exactly),
		cmocka_unit_test(order_problems_each_named),
		cmocka_unit_test(order_sums_and_shape),
		cmocka_unit_test(resident_id_check_character),
		cmocka_unit_test(payment_and_waybill),
		cmocka_unit_test(inventory_rules),
		cmocka_unit_test(inventory_classifies_order),
		cmocka_unit_test(positive_list_and_agencies),
		cmocka_unit_test(three_documents_match),
		cmocka_unit_test(mismatch_names_every_difference),
		cmocka_unit_test(unclassified_order_does_not_match),
		cmocka_unit_test(index_any_order),
		cmocka_unit_test(index_survives_growth_and_removal),
		cmocka_unit_test(example1_parcel_under_the_limits),
		cmocka_unit_test(example2_indivisible_item_over_5000),
		cmocka_unit_test(example3_order_crossing_the_annual_limit),
		cmocka_unit_test(example4_return),
		cmocka_unit_test(tax_formulas_and_rounding),
		cmocka_unit_test(freight_shared_by_running_share),
		cmocka_unit_test(quota_year_is_beijing),
		cmocka_unit_test(monthly_summary),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
