/*
 * demo_cbec.c - the demo's cross-border e-commerce (docs/cbec.md): the
 * postal customs office's risk profiles, then a few hundred orders of the
 * demo platform, each with its payment and waybill, sent in batches as the
 * platform, the payment company and the logistics company would send them.
 * Most match and are released at once; every 25th payment disagrees by one
 * yuan, so the demo shows mismatches too. Must go through the API like any
 * client, and stay quick: the demo's start waits for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/loopback.h"
#include "common/buf.h"
#include "common/log.h"
#include "server/demo.h"
#include "service/accounts.h"

#define DEMO_PARCELS 240
#define DEMO_BATCH 80
#define DEMO_PLATFORM "91440101MA5EBP0YGL"
#define DEMO_SELLER "91440101MA5EBC0HK1"
#define DEMO_PAYCO "91440101MA5EPAY0H2"
#define DEMO_COURIER "91440101MA5ELG01TQ"

static const struct actor seeder = {.role = ROLE_ADMIN, .username = "kouan-demo"};

struct seed_token {
	const char *user;
	char *token;
};

static kerr make_token(struct uow *u, void *arg)
{
	struct seed_token *t = arg;
	char expires[TIME_TEXT_SIZE];
	return accounts_token_create(u, &seeder, t->user, "demo seeding", 600, t->token,
				     expires);
}

/* A resident ID number with its check character (GB 11643-1999). */
static void resident_id(unsigned i, char out[19])
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	i %= 100;
	char text[32];
	snprintf(text, sizeof text, "44010619%02u%02u%02u%03u", 80 + i % 20, 1 + i % 12,
		 1 + i % 28, 100 + i);
	str_copy(out, text, 19);
	int sum = 0;
	for (int k = 0; k < 17; k++)
		sum += (out[k] - '0') * w[k];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static const struct {
	const char *name, *hs, *unit, *origin, *price;
} goods[] = {
	{"保湿精华液 50ml", "3304990000", "142", "JP", "380.00"},
	{"干红葡萄酒 750ml", "2204210000", "142", "FR", "150.00"},
	{"皮革手提包", "4202210000", "007", "IT", "1890.00"},
	{"面霜 30g", "3304990000", "142", "KR", "260.00"},
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵"};
static const char *const given[] = {"芳", "伟", "娜", "敏", "静", "磊", "洋", "婷"};

/* The three documents of demo order i into the batches. */
static void documents(int i, json_t *orders, json_t *payments, json_t *waybills)
{
	char no[32], id[19], buyer[32], total[32], paid[32], phone[16], address[128];
	snprintf(no, sizeof no, "YG2026D%06d", i + 1);
	resident_id((unsigned)i % 60, id);
	snprintf(buyer, sizeof buyer, "%s%s", surnames[i % 8], given[(i / 8) % 8]);
	snprintf(phone, sizeof phone, "139%08d", 20260000 + i % 60);
	snprintf(address, sizeof address, "广州市天河区体育西路%d号", 1 + i % 60);
	size_t g = (size_t)i % (sizeof goods / sizeof goods[0]);
	int qty = g == 2 ? 1 : 1 + i % 3;
	long long price_fen = 0;
	for (const char *c = goods[g].price; *c; c++)
		if (*c >= '0' && *c <= '9')
			price_fen = price_fen * 10 + (*c - '0');
	long long t = price_fen * qty, freight = 1500;
	snprintf(total, sizeof total, "%lld.%02lld", t / 100, t % 100);
	snprintf(paid, sizeof paid, "%lld.%02lld", (t + freight) / 100, (t + freight) % 100);
	char q[8];
	snprintf(q, sizeof q, "%d", qty);
	json_array_append_new(
		orders,
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
			  " s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s}]}",
			  "platform_code", DEMO_PLATFORM, "platform_name", "云购全球跨境电商平台",
			  "enterprise_code", DEMO_SELLER, "enterprise_name", "珠江美妆贸易",
			  "order_no", no, "mode", i % 3 ? "1210" : "9610", "customs_office", "5145",
			  "buyer_name", buyer, "buyer_id_number", id, "buyer_phone", phone,
			  "consignee_name", buyer, "consignee_phone", phone, "consignee_address",
			  address, "goods_value", total, "freight", "15.00", "discount", "0",
			  "tax_withheld", "0", "actual_paid", paid, "lines", "item_name",
			  goods[g].name, "hs_code", goods[g].hs, "unit", goods[g].unit,
			  "origin_country", goods[g].origin, "quantity", q, "unit_price",
			  goods[g].price, "total", total));
	if (i % 25 == 7) /* the payment company's amount is one yuan off */
		snprintf(paid, sizeof paid, "%lld.%02lld", (t + freight + 100) / 100,
			 (t + freight + 100) % 100);
	char tx[40], wb[40];
	snprintf(tx, sizeof tx, "YTP%s", no);
	snprintf(wb, sizeof wb, "NS88%06d", i + 1);
	json_array_append_new(payments,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
					"payment_code", DEMO_PAYCO, "payment_name", "粤通支付",
					"transaction_no", tx, "platform_code", DEMO_PLATFORM,
					"order_no", no, "payer_name", buyer, "payer_id_number", id,
					"amount_paid", paid, "paid_at", "2026-11-20T10:00:00+08:00"));
	json_array_append_new(waybills,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}",
					"logistics_code", DEMO_COURIER, "logistics_name",
					"南沙速运物流", "waybill_no", wb, "platform_code",
					DEMO_PLATFORM, "order_no", no, "consignee_name", buyer,
					"consignee_phone", phone, "consignee_address", address,
					"gross_weight", "1.5", "packages", 1));
}

static bool post(struct app *app, const char *path, const char *token, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		return false;
	struct loopback_call call = {.method = path[0] == 'P' ? "PUT" : "POST",
				     .path = path[0] == 'P' ? path + 1 : path,
				     .token = token,
				     .body = text};
	struct loopback_result r;
	api_loopback(app, &call, &r);
	bool ok = r.status == 200 || r.status == 201;
	if (!ok)
		log_error("demo: %s refused (%d): %s", call.path, r.status, r.text);
	loopback_result_free(&r);
	free(text);
	return ok;
}

kerr demo_seed_cbec(struct app *app, FILE *out)
{
	static const char *const who[] = {"admin", "platform", "payment", "courier"};
	char tokens[4][TOKEN_TEXT_MAX];
	for (size_t i = 0; i < 4; i++) {
		struct seed_token t = {who[i], tokens[i]};
		kerr e = uow_run(&app->svc, true, make_token, &t);
		if (e)
			return e;
	}
	/* the postal customs office clears parcels green unless drawn (1.5 %) */
	if (!post(app, "P/v1/risk/profiles/5145/customs", tokens[0],
		  json_pack("{s:s, s:s}", "random_percent", "1.5", "base_lane", "green")) ||
	    !post(app, "P/v1/risk/profiles/5145/quarantine", tokens[0],
		  json_pack("{s:s, s:s}", "random_percent", "1.5", "base_lane", "green")))
		return KERR_INTERNAL;
	for (int from = 0; from < DEMO_PARCELS; from += DEMO_BATCH) {
		json_t *o = json_array(), *p = json_array(), *w = json_array();
		for (int i = from; i < from + DEMO_BATCH && i < DEMO_PARCELS; i++)
			documents(i, o, p, w);
		/* payments and waybills first: each order completes its match */
		bool ok = post(app, "/v1/cbec/payments", tokens[2],
			       json_pack("{s:o}", "documents", p)) &&
			  post(app, "/v1/cbec/waybills", tokens[3],
			       json_pack("{s:o}", "documents", w)) &&
			  post(app, "/v1/cbec/orders", tokens[1], json_pack("{s:o}", "documents", o));
		if (!ok)
			return KERR_INTERNAL;
	}
	fprintf(out, "Demo cross-border e-commerce: %d orders on platform %s, their payments "
		     "and waybills (every 25th payment one yuan off).\n",
		DEMO_PARCELS, DEMO_PLATFORM);
	return KERR_OK;
}
