/*
 * test_ceb_xml.c - the CEB messages: well-formed messages that follow the
 * schema (2018 and 202205 versions, prefixed or default namespace, UTF-8
 * or GB18030) become the same documents the JSON path makes; malformed
 * XML, a schema violation, an XML bomb, an external entity, a stranger at
 * the root, a draft and bad values each get a precise error and produce
 * nothing; receipts are rendered, and follow the schema.
 *
 * The messages are in tests/fixtures/ceb/; the lines named below are
 * where the elements stand in those files.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "api/ceb_xml.h"
#include "common/clock.h"

static struct ceb_codec *codec;
static struct refdata *ref;

static int setup(void **state)
{
	(void)state;
	ref = test_builtin_refdata("JP FR IT CN US KR", "CNY");
	return ceb_codec_new(&codec) == KERR_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ceb_codec_free(codec);
	refdata_release(ref);
	return 0;
}

#define at test_time

/* Parse text; the status is returned, problems in *p. */
static kerr parse_text(const char *xml, const char *platform, struct ceb_message *m,
		       struct problems *p)
{
	struct ceb_parse_options opt = {ref, platform, 0};
	problems_init(p);
	return ceb_parse(codec, xml, strlen(xml), &opt, m, p);
}

static kerr parse_fixture(const char *name, const char *platform, struct ceb_message *m,
			  struct problems *p)
{
	char path[128];
	size_t len;
	snprintf(path, sizeof path, "ceb/%s", name);
	char *xml = test_fixture(path, &len);
	struct ceb_parse_options opt = {ref, platform, 0};
	problems_init(p);
	kerr e = ceb_parse(codec, xml, len, &opt, m, p);
	free(xml);
	return e;
}

/* The fixture's text with `from`, which must stand in it once, replaced
 * by `to` (malloc'ed). */
static char *fixture_edited(const char *name, const char *from, const char *to)
{
	char path[128];
	snprintf(path, sizeof path, "ceb/%s", name);
	char *xml = test_fixture(path, NULL);
	struct buf b;
	buf_init(&b, 1u << 24);
	const char *s = xml, *hit;
	hit = strstr(xml, from);
	assert_non_null(hit);
	assert_null(strstr(hit + 1, from));
	assert_int_equal(buf_append(&b, s, (size_t)(hit - s)), KERR_OK);
	assert_int_equal(buf_puts(&b, to), KERR_OK);
	s = hit + strlen(from);
	assert_int_equal(buf_puts(&b, s), KERR_OK);
	free(xml);
	return buf_take(&b);
}

static void expect_only(const struct problems *p, const char *field, const char *text)
{
	for (size_t i = 0; i < p->count; i++)
		print_message("  have %s: %s\n", p->errors[i].field, p->errors[i].problem);
	assert_int_equal(p->count, 1);
	assert_string_equal(p->errors[0].field, field);
	assert_string_equal(p->errors[0].problem, text);
}

/* ---- well-formed messages ---------------------------------------------- */

/* The 2018 order as kouan's JSON, written out from the fixture. */
static const char order_2018_json[] =
	"{\"order_no\": \"YG20260301000001\", \"platform_code\": \"4401986001\","
	" \"platform_name\": \"云购全球跨境电商平台有限公司\", \"enterprise_code\": \"4401966002\","
	" \"enterprise_name\": \"珠江美妆贸易有限公司\", \"goods_value\": \"900\","
	" \"freight\": \"30\", \"discount\": \"0\", \"tax_withheld\": \"198.42\","
	" \"actual_paid\": \"1128.42\", \"buyer_account\": \"zhangwei-88\", \"buyer_name\": \"张伟\","
	" \"buyer_phone\": \"13800138000\", \"buyer_id_type\": \"1\","
	" \"buyer_id_number\": \"11010519491231002X\", \"payment_code\": \"4403169003\","
	" \"transaction_no\": \"YTP202603010000001\", \"consignee_name\": \"张伟\","
	" \"consignee_phone\": \"13800138000\","
	" \"consignee_address\": \"广东省广州市天河区体育西路100号\", \"consignee_district\": \"440106\","
	" \"lines\": [{\"gnum\": 1, \"item_no\": \"SKU-ESS-50\", \"item_name\": \"保湿精华液\","
	"   \"specification\": \"50ml/瓶，高档护肤品\", \"bar_code\": \"4901234567894\", \"unit\": \"142\","
	"   \"quantity\": \"1\", \"unit_price\": \"600\", \"total\": \"600\", \"origin_country\": \"JP\"},"
	"  {\"gnum\": 2, \"item_no\": \"SKU-WINE-750\", \"item_name\": \"干红葡萄酒\","
	"   \"specification\": \"750ml/瓶，酒精度13%\", \"unit\": \"142\", \"quantity\": \"2\","
	"   \"unit_price\": \"150\", \"total\": \"300\", \"origin_country\": \"FR\"}]}";

static void order_2018_is_the_json_order(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	assert_int_equal(parse_fixture("ceb311_2018.xml", NULL, &m, &p), KERR_OK);
	assert_int_equal(m.type, CEB_ORDER);
	assert_string_equal(m.guid, "6F1C2A3B-0001-4C5D-8E9F-A0B1C2D3E4F5");
	assert_string_equal(m.sender_code, "4401986001");
	assert_string_equal(m.sender_name, "云购全球跨境电商平台有限公司");
	assert_int_equal(m.nitems, 1);
	struct ceb_item *it = &m.items[0];
	assert_true(it->ok);
	assert_null(it->problems);
	assert_int_equal(it->app_type, 1);
	assert_int_equal(it->line, 8);
	assert_string_equal(it->guid, "6F1C2A3B-0001-4C5D-8E9F-000000000001");

	/* the JSON shape is exactly the one a client would send */
	json_t *want = json_loads(order_2018_json, 0, NULL);
	assert_non_null(want);
	assert_true(json_equal(it->json, want));

	/* and the struct is exactly what the JSON path makes of it */
	struct cbec_order o;
	problems_init(&p);
	assert_true(cbec_order_validate(want, ref, &p, &o));
	assert_int_equal(o.nlines, it->doc.order.nlines);
	assert_memory_equal(o.lines, it->doc.order.lines, o.nlines * sizeof *o.lines);
	struct cbec_line *mine = o.lines;
	o.lines = it->doc.order.lines;
	assert_memory_equal(&o, &it->doc.order, sizeof o);
	o.lines = mine;
	assert_int_equal(o.goods_value, 90000);
	assert_int_equal(o.tax_withheld, 19842);
	assert_false(cbec_order_classified(&o)); /* CEB311 has no commodity codes */
	cbec_order_free(&o);
	json_decref(want);
	ceb_message_free(&m);
}

static void order_202205_default_namespace(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	assert_int_equal(parse_fixture("ceb311_202205.xml", NULL, &m, &p), KERR_OK);
	assert_int_equal(m.nitems, 1);
	const struct cbec_order *o = &m.items[0].doc.order;
	assert_true(m.items[0].ok);
	assert_string_equal(o->order_no, "YG20260302000002");
	assert_string_equal(o->buyer_name, "李娜");
	assert_int_equal(o->actual_paid, 845240);
	assert_int_equal(o->tax_withheld, 165240);
	assert_int_equal(o->nlines, 1);
	assert_string_equal(o->lines[0].origin_country, "IT");
	assert_int_equal(o->lines[0].quantity, 100000);
	assert_string_equal(o->payment_code, "");
	ceb_message_free(&m);
}

static void gb18030_reads_as_utf8(void **state)
{
	(void)state;
	struct ceb_message a, b;
	struct problems p;
	assert_int_equal(parse_fixture("ceb311_2018.xml", NULL, &a, &p), KERR_OK);
	assert_int_equal(parse_fixture("ceb311_gb18030.xml", NULL, &b, &p), KERR_OK);
	assert_true(b.items[0].ok);
	assert_true(json_equal(a.items[0].json, b.items[0].json));
	assert_string_equal(b.items[0].doc.order.consignee_address,
			    "广东省广州市天河区体育西路100号");
	ceb_message_free(&a);
	ceb_message_free(&b);
}

static void payments_and_waybills(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	assert_int_equal(parse_fixture("ceb411.xml", NULL, &m, &p), KERR_OK);
	assert_int_equal(m.type, CEB_PAYMENT);
	assert_int_equal(m.nitems, 2);
	assert_true(m.items[0].ok && m.items[1].ok);
	assert_int_equal(m.items[0].doc.payment.amount_paid, 112842);
	/* 09:30:59 Beijing time */
	assert_int_equal(m.items[0].doc.payment.paid_at_us, at("2026-03-01T01:30:59Z"));
	assert_string_equal(m.items[1].doc.payment.payer_id_number, "440106199003071231");
	assert_int_equal(m.items[1].doc.payment.amount_paid, 845240);
	ceb_message_free(&m);

	assert_int_equal(parse_fixture("ceb511.xml", "4401986001", &m, &p), KERR_OK);
	assert_int_equal(m.type, CEB_WAYBILL);
	assert_int_equal(m.nitems, 2);
	const struct cbec_waybill *w = &m.items[1].doc.waybill;
	assert_true(m.items[1].ok);
	assert_string_equal(w->platform_code, "4401986001");
	assert_string_equal(w->bill_no, "999-12345675");
	assert_int_equal(w->gross_weight, 1800);
	assert_int_equal(w->freight, 0);
	assert_int_equal(m.items[0].doc.waybill.freight, 3000);
	ceb_message_free(&m);

	/* a waybill names no platform: the request must */
	assert_int_equal(parse_fixture("ceb511.xml", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "query:platform",
		    "is required with CEB511Message: waybills name no platform, so give "
		    "the platform's code (ebpCode) their orders were placed on");
	assert_int_equal(m.nitems, 0);
	assert_null(m.items);
}

/* The whole XML path: four messages, classified, matched and assessed as
 * example 1 of docs/cbec.md. */
static void xml_path_reaches_the_same_taxes(void **state)
{
	(void)state;
	struct ceb_message mo, mp, mw, mi;
	struct problems p;
	assert_int_equal(parse_fixture("ceb311_2018.xml", NULL, &mo, &p), KERR_OK);
	assert_int_equal(parse_fixture("ceb411.xml", NULL, &mp, &p), KERR_OK);
	assert_int_equal(parse_fixture("ceb511.xml", "4401986001", &mw, &p), KERR_OK);
	assert_int_equal(parse_fixture("ceb621.xml", NULL, &mi, &p), KERR_OK);
	assert_int_equal(mi.nitems, 2);
	assert_true(mi.items[0].ok && mi.items[1].ok);
	const struct cbec_inventory *inv = &mi.items[0].doc.inventory;
	assert_int_equal(inv->mode, CBEC_MODE_BONDED);
	assert_string_equal(inv->departure_country, "CN");
	assert_int_equal(inv->lines[0].legal_quantity, 5000);
	assert_string_equal(mi.items[1].doc.inventory.departure_country, "IT");

	struct cbec_order *o = &mo.items[0].doc.order;
	problems_init(&p);
	assert_true(cbec_order_classify(o, inv, &p));
	assert_true(cbec_goods_check(ref, o, &p));
	struct cbec_match m;
	assert_true(cbec_match(o, &mp.items[0].doc.payment, &mw.items[0].doc.waybill, 0, &m));
	const struct cbec_rates rates[] = {{1300, CBEC_CT_AD_VALOREM, 1500, 0, 0, 0},
					   {1300, CBEC_CT_AD_VALOREM, 1000, 0, 0, 1400}};
	struct cbec_assessment a;
	assert_int_equal(cbec_assess(&m.entry, rates, 2, 0, at("2026-03-02T10:00:00+08:00"), &a),
			 KERR_OK);
	assert_int_equal(a.consumption_tax, 10070);
	assert_int_equal(a.vat, 9772);
	assert_int_equal(a.total, 19842);
	ceb_message_free(&mo);
	ceb_message_free(&mp);
	ceb_message_free(&mw);
	ceb_message_free(&mi);
}

/* ---- what is refused -------------------------------------------------------- */

static void one_bad_document_spoils_only_itself(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	assert_int_equal(parse_fixture("ceb311_mixed.xml", NULL, &m, &p), KERR_OK);
	assert_int_equal(m.nitems, 2);
	assert_true(m.items[0].ok);
	assert_false(m.items[1].ok);
	assert_string_equal(m.items[1].guid, "6F1C2A3B-0001-4C5D-8E9F-000000000009");
	const struct problems *q = m.items[1].problems;
	assert_int_equal(q->count, 2);
	assert_string_equal(q->errors[0].field, "xml:/CEB311Message/Order[2]/OrderList[2]/country");
	assert_string_equal(q->errors[0].problem,
			    "line 121: '999' is not a customs country code kouan maps to ISO "
			    "3166 (it knows the usual origins: 116 Japan, 133 Korea, 502 United "
			    "States, ...)");
	assert_string_equal(q->errors[1].field, "xml:/CEB311Message/Order[2]/OrderHead/buyerIdNumber");
	assert_string_equal(q->errors[1].problem,
			    "line 88: resident ID check digit does not match (GB 11643-1999)");
	ceb_message_free(&m);
}

static void malformed_xml(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	assert_int_equal(parse_fixture("bad_malformed.xml", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "xml:",
		    "line 25, column 39: Opening and ending tag mismatch: buyerName line 25 "
		    "and buyerNam");
	assert_int_equal(m.nitems, 0);
	assert_null(m.items);

	assert_int_equal(parse_text("", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "xml:", "line 1: the message is empty; a CEB message is expected");
	assert_int_equal(parse_text("<a>&undefined;</a>", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "xml:", "line 1, column 15: Entity 'undefined' not defined");
}

static void schema_violation(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	assert_int_equal(parse_fixture("bad_schema.xml", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "xml:/CEB311Message/Order[1]/OrderHead/orderNo",
		    "line 12: Element 'orderNo': This element is not expected. Expected is "
		    "( orderType ).");
	assert_null(m.items);
}

static void entity_bomb_and_external_entity(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	static const char why[] =
		"line 2: a DOCTYPE declaration is not accepted: CEB messages use no DTD, and "
		"entity declarations (how XML bombs and external entities work) are refused";
	assert_int_equal(parse_fixture("bomb.xml", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "xml:", why);
	assert_null(m.items);
	assert_int_equal(parse_fixture("xxe.xml", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "xml:", why);
	assert_null(m.items);
	/* even an empty DOCTYPE: there is nothing a CEB message needs it for */
	assert_int_equal(parse_text("<?xml version=\"1.0\"?>\n<!DOCTYPE x>\n<x/>", NULL, &m, &p),
			 KERR_INVALID);
	expect_only(&p, "xml:", why);
}

static void stranger_at_the_root(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	static const char want[] =
		"line 4: the root element is 'CEB312Message'; kouan accepts CEB311Message, "
		"CEB411Message, CEB511Message and CEB621Message in namespace "
		"http://www.chinaport.gov.cn/ceb";
	assert_int_equal(parse_fixture("bad_root.xml", NULL, &m, &p), KERR_INVALID);
	expect_only(&p, "xml:/CEB312Message", want);
	/* the right name in no namespace is a stranger too (the schema says so) */
	assert_int_equal(parse_text("<CEB311Message guid=\"x\" version=\"1.0\"/>", NULL, &m, &p),
			 KERR_INVALID);
	expect_only(&p, "xml:/CEB311Message",
		    "line 1: Element 'CEB311Message': No matching global declaration "
		    "available for the validation root.");
}

static void size_limit(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	size_t len;
	char *xml = test_fixture("ceb/ceb311_2018.xml", &len);
	struct ceb_parse_options opt = {ref, NULL, 1024};
	problems_init(&p);
	assert_int_equal(ceb_parse(codec, xml, len, &opt, &m, &p), KERR_TOO_LARGE);
	char want[96];
	snprintf(want, sizeof want, "the message is %zu bytes; at most 1024 are accepted", len);
	expect_only(&p, "", want);
	assert_null(m.items);
	free(xml);
}

static void bad_values_named_by_element(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	struct {
		const char *file, *from, *to, *field, *text;
	} cases[] = {
		{"ceb411.xml", "093105</ceb:appTime>\n      <ceb:appStatus>2</ceb:appStatus>",
		 "093105</ceb:appTime>\n      <ceb:appStatus>1</ceb:appStatus>",
		 "xml:/CEB411Message/Payment[1]/PaymentHead/appStatus",
		 "line 10: is '1' (a draft); kouan keeps no drafts: send the document with "
		 "appStatus 2 when it is declared"},
		{"ceb411.xml", "<ceb:payTime>20260301093059</ceb:payTime>",
		 "<ceb:payTime>20260230093059</ceb:payTime>",
		 "xml:/CEB411Message/Payment[1]/PaymentHead/payTime",
		 "line 23: '20260230093059' is not a valid date and time (YYYYMMDDhhmmss, "
		 "Beijing time)"},
		{"ceb411.xml", "<ceb:amountPaid>1128.42000</ceb:amountPaid>",
		 "<ceb:amountPaid>1128.425</ceb:amountPaid>",
		 "xml:/CEB411Message/Payment[1]/PaymentHead/amountPaid",
		 "line 21: has more than 2 decimal places"},
		{"ceb511.xml", "<ceb:currency>142</ceb:currency>\n      <ceb:weight>2.35",
		 "<ceb:currency>502</ceb:currency>\n      <ceb:weight>2.35",
		 "xml:/CEB511Message/Logistics[1]/LogisticsHead/currency",
		 "line 18: is '502'; retail imports are priced in yuan, currency code 142"},
		{"ceb411.xml", "<ceb:payerIdType>1</ceb:payerIdType>\n      <ceb:payerIdNumber>1101",
		 "<ceb:payerIdType>2</ceb:payerIdType>\n      <ceb:payerIdNumber>1101",
		 "xml:/CEB411Message/Payment[1]/PaymentHead/payerIdType",
		 "line 17: must be \"1\" (resident identity card): retail imports are only "
		 "open to holders of a resident ID"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *xml = fixture_edited(cases[i].file, cases[i].from, cases[i].to);
		assert_int_equal(parse_text(xml, "4401986001", &m, &p), KERR_OK);
		assert_false(m.items[0].ok);
		expect_only(m.items[0].problems, cases[i].field, cases[i].text);
		assert_true(m.items[1].ok); /* the other document stands */
		ceb_message_free(&m);
		free(xml);
	}
	/* the lexical forms xs:decimal allows are read exactly */
	char *xml = fixture_edited("ceb411.xml", "<ceb:amountPaid>1128.42000</ceb:amountPaid>",
				   "<ceb:amountPaid>+0001128.420</ceb:amountPaid>");
	assert_int_equal(parse_text(xml, NULL, &m, &p), KERR_OK);
	assert_true(m.items[0].ok);
	assert_int_equal(m.items[0].doc.payment.amount_paid, 112842);
	ceb_message_free(&m);
	free(xml);
	/* appType 3 (delete) is reported for the service to act on */
	xml = fixture_edited("ceb411.xml", "<ceb:appType>1</ceb:appType>\n      <ceb:appTime>20260301",
			     "<ceb:appType>3</ceb:appType>\n      <ceb:appTime>20260301");
	assert_int_equal(parse_text(xml, NULL, &m, &p), KERR_OK);
	assert_int_equal(m.items[0].app_type, 3);
	assert_int_equal(m.items[1].app_type, 1);
	ceb_message_free(&m);
	free(xml);
}

/* ---- receipts ------------------------------------------------------------ */

static const char receipt_312[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ceb:CEB312Message guid=\"6F1C2A3B-9999-4C5D-8E9F-A0B1C2D3E4F5\" version=\"1.0\" "
	"xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">\n"
	"  <ceb:OrderReturn>\n"
	"    <ceb:guid>6F1C2A3B-0001-4C5D-8E9F-000000000001</ceb:guid>\n"
	"    <ceb:ebpCode>4401986001</ceb:ebpCode>\n"
	"    <ceb:ebcCode>4401966002</ceb:ebcCode>\n"
	"    <ceb:orderNo>YG20260301000001</ceb:orderNo>\n"
	"    <ceb:returnStatus>120</ceb:returnStatus>\n"
	"    <ceb:returnTime>20260301093100123</ceb:returnTime>\n"
	"    <ceb:returnInfo>accepted</ceb:returnInfo>\n"
	"  </ceb:OrderReturn>\n"
	"  <ceb:OrderReturn>\n"
	"    <ceb:guid>6F1C2A3B-0001-4C5D-8E9F-000000000009</ceb:guid>\n"
	"    <ceb:ebpCode>4401986001</ceb:ebpCode>\n"
	"    <ceb:ebcCode>4401966002</ceb:ebcCode>\n"
	"    <ceb:orderNo>YG20260301000009</ceb:orderNo>\n"
	"    <ceb:returnStatus>100</ceb:returnStatus>\n"
	"    <ceb:returnTime>20260301093100123</ceb:returnTime>\n"
	"    <ceb:returnInfo>/CEB311Message/Order[2]/OrderList[2]/country: line 121: '999' is "
	"not a customs country code kouan maps to ISO 3166 (it knows the usual origins: 116 "
	"Japan, 133 Korea, 502 United States, ...); "
	"/CEB311Message/Order[2]/OrderHead/buyerIdNumber: line 88: resident ID check digit "
	"does not match (GB 11643-1999)</ceb:returnInfo>\n"
	"  </ceb:OrderReturn>\n"
	"</ceb:CEB312Message>\n";

static void order_receipts(void **state)
{
	(void)state;
	struct ceb_message m;
	struct problems p;
	struct ceb_receipt r[2];
	assert_int_equal(parse_fixture("ceb311_mixed.xml", NULL, &m, &p), KERR_OK);
	for (size_t i = 0; i < 2; i++)
		ceb_receipt_for(&m, i, at("2026-03-01T01:31:00.123Z"), &r[i]);
	assert_int_equal(r[0].status, CEB_STATUS_STORED);
	assert_int_equal(r[1].status, CEB_STATUS_REFUSED);
	struct buf b;
	buf_init(&b, 1u << 20);
	assert_int_equal(ceb_receipts_render(CEB_ORDER, "6F1C2A3B-9999-4C5D-8E9F-A0B1C2D3E4F5", r,
					     2, &b),
			 KERR_OK);
	assert_string_equal(b.data, receipt_312);
	problems_init(&p);
	assert_int_equal(ceb_validate(codec, b.data, b.len, &p), KERR_OK);
	buf_free(&b);
	ceb_message_free(&m);
}

static void other_receipts_follow_the_schema(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		enum ceb_type type;
		const char *needle;
	} cases[] = {
		{"ceb411.xml", CEB_PAYMENT,
		 "<ceb:payCode>4403169003</ceb:payCode>\n"
		 "    <ceb:payTransactionId>YTP202603020000002</ceb:payTransactionId>\n"},
		{"ceb511.xml", CEB_WAYBILL,
		 "<ceb:logisticsCode>4401980004</ceb:logisticsCode>\n"
		 "    <ceb:logisticsNo>NS8800000002</ceb:logisticsNo>\n"},
		{"ceb621.xml", CEB_INVENTORY,
		 "<ceb:customsCode>5141</ceb:customsCode>\n"
		 "    <ceb:ebpCode>4401986001</ceb:ebpCode>\n"
		 "    <ceb:ebcCode>4401966002</ceb:ebcCode>\n"
		 "    <ceb:agentCode>4401980004</ceb:agentCode>\n"
		 "    <ceb:copNo>NSSY2026030300002</ceb:copNo>\n"
		 "    <ceb:preNo>514120261000000042</ceb:preNo>\n"
		 "    <ceb:returnStatus>800</ceb:returnStatus>\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ceb_message m;
		struct problems p;
		struct ceb_receipt r[2];
		assert_int_equal(parse_fixture(cases[i].file, "4401986001", &m, &p), KERR_OK);
		assert_int_equal(m.type, cases[i].type);
		for (size_t k = 0; k < 2; k++)
			ceb_receipt_for(&m, k, at("2026-03-03T01:00:00Z"), &r[k]);
		if (cases[i].type == CEB_INVENTORY) { /* released at once */
			str_copy(r[1].pre_no, "514120261000000042", sizeof r[1].pre_no);
			r[1].status = CEB_STATUS_RELEASED;
			str_copy(r[1].info, "released", sizeof r[1].info);
		}
		struct buf b;
		buf_init(&b, 1u << 20);
		assert_int_equal(ceb_receipts_render(cases[i].type,
						     "6F1C2A3B-9999-4C5D-8E9F-A0B1C2D3E4F5", r, 2, &b),
				 KERR_OK);
		assert_non_null(strstr(b.data, cases[i].needle));
		assert_non_null(strstr(b.data, "<ceb:returnTime>20260303090000000</ceb:returnTime>"));
		assert_non_null(strstr(b.data, ceb_type_root(cases[i].type, true)));
		problems_init(&p);
		assert_int_equal(ceb_validate(codec, b.data, b.len, &p), KERR_OK);
		buf_free(&b);
		ceb_message_free(&m);
	}
}

static void receipt_limits(void **state)
{
	(void)state;
	struct ceb_receipt r;
	struct buf b;
	memset(&r, 0, sizeof r);
	str_copy(r.guid, "6F1C2A3B-0001-4C5D-8E9F-000000000001", sizeof r.guid);
	str_copy(r.payment_code, "4403169003", sizeof r.payment_code);
	str_copy(r.transaction_no, "YTP1", sizeof r.transaction_no);
	str_copy(r.info, "a < b & \"c\"", sizeof r.info);
	r.status = CEB_STATUS_STORED;
	buf_init(&b, 1u << 20);
	assert_int_equal(ceb_receipts_render(CEB_PAYMENT, "short", &r, 1, &b), KERR_INVALID);
	assert_int_equal(ceb_receipts_render(CEB_PAYMENT, "6F1C2A3B-9999-4C5D-8E9F-A0B1C2D3E4F5",
					     &r, 0, &b),
			 KERR_INVALID);
	/* text is escaped */
	assert_int_equal(ceb_receipts_render(CEB_PAYMENT, "6F1C2A3B-9999-4C5D-8E9F-A0B1C2D3E4F5",
					     &r, 1, &b),
			 KERR_OK);
	if (!strstr(b.data, "<ceb:returnInfo>a &lt; b &amp; &quot;c&quot;</ceb:returnInfo>"))
		fail_msg("%s", b.data);
	buf_free(&b);
	buf_init(&b, 64);
	assert_int_equal(ceb_receipts_render(CEB_PAYMENT, "6F1C2A3B-9999-4C5D-8E9F-A0B1C2D3E4F5",
					     &r, 1, &b),
			 KERR_TOO_LARGE);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_2018_is_the_json_order),
		cmocka_unit_test(order_202205_default_namespace),
		cmocka_unit_test(gb18030_reads_as_utf8),
		cmocka_unit_test(payments_and_waybills),
		cmocka_unit_test(xml_path_reaches_the_same_taxes),
		cmocka_unit_test(one_bad_document_spoils_only_itself),
		cmocka_unit_test(malformed_xml),
		cmocka_unit_test(schema_violation),
		cmocka_unit_test(entity_bomb_and_external_entity),
		cmocka_unit_test(stranger_at_the_root),
		cmocka_unit_test(size_limit),
		cmocka_unit_test(bad_values_named_by_element),
		cmocka_unit_test(order_receipts),
		cmocka_unit_test(other_receipts_follow_the_schema),
		cmocka_unit_test(receipt_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
