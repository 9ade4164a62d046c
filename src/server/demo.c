/* demo.c - demonstration organisations, users and declarations (see demo.h). */
#include "server/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/loopback.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "common/date.h"
#include "service/accounts.h"
#include "service/risk_state.h"
#include "service/taxes.h"

static const struct org_input demo_orgs[] = {
	{"91440101MA59TRAD00", "广州南沙海通进出口贸易有限公司 (Haitong Import & Export, Nansha)", "trader", NULL},
	{"91440115MA5CBR0K1D", "广州穗通报关有限公司 (Suitong Customs Brokerage)", "broker", NULL},
	{"91440300MA5E0THR7G", "深圳前海鹏程贸易有限公司 (Pengcheng Trading, Qianhai)", "trader", NULL},
	{"11440000MB2C7CU516", "广州海关 (Guangzhou Customs)", "agency", NULL},
	{"11440000MB2C8QUA2W", "广州海关检验检疫 (Guangzhou Inspection and Quarantine)", "agency", NULL},
	{"11440000MB2C9BDR3R", "广州边检总站 (Guangzhou Border Inspection)", "agency", NULL},
	{"11440000MB2D0M5A45", "广州海事局 (Guangzhou Maritime Safety Administration)", "agency", NULL},
	{"91440101MA5DP0RT5G", "广州南沙港集装箱码头 (Nansha Container Terminal)", "port", "CNNSA"},
	{"11440000MB2D1PA06K", "广东省口岸办 (Guangdong Port Office)", "office", NULL},
	{"91440101MA5ADMN826", "kouan operations", "office", NULL},
	{"11440115MB2D3TAX01", "国家税务总局广州市南沙区税务局 (Nansha Tax Bureau)", "agency", NULL},
	/* carriers: a shipping agent lodging for the lines calling at
	 * Guangdong's seaports, an airline's cargo arm, a Hong Kong haulier */
	{"91440101MA5CPNG0CL", "中国广州外轮代理有限公司 (Penavico Guangzhou, COSCO SHIPPING's agency)", "carrier", NULL},
	{"91440000MA4UC8AL2T", "南方航空物流股份有限公司 (China Southern Air Logistics)", "carrier", NULL},
	{"91440300MA5HKRH01P", "港联跨境运输有限公司 (Kong Lian Cross-Border Haulage, Hong Kong)", "carrier", NULL},
	/* cross-border e-commerce: a platform, a seller's registered agent, the
	 * payment company and the logistics company that work with it */
	{"91440101MA5EBP0YGL", "云购全球跨境电商平台有限公司 (YunGou Global cross-border platform)", "ecommerce_platform", NULL},
	{"91440101MA5EBC0HK1", "珠江美妆贸易有限公司 (Pearl River Beauty Trading, sellers' agent)", "ecommerce_enterprise", NULL},
	{"91440101MA5EPAY0H2", "粤通支付有限公司 (Yuetong Payment)", "payment_company", NULL},
	{"91440101MA5ELG01TQ", "南沙速运物流有限公司 (Nansha Express Logistics)", "logistics_company", NULL},
	/* banks that debit duties and taxes from traders' accounts and tell
	 * kouan so (a payment counts only then: docs/money.md) */
	{"91440101MA5BK0NA2H", "中国工商银行广州南沙支行 (ICBC, Guangzhou Nansha sub-branch)", "bank", NULL},
	{"91440101MA5BK0CB79", "中国银行广州南沙支行 (Bank of China, Guangzhou Nansha sub-branch)", "bank", NULL},
	{NULL, NULL, NULL, NULL},
};

const struct demo_user demo_users[] = {
	{"trader", "trader-demo-2026", "declarant", "91440101MA59TRAD00", "陈海通 Chen Haitong", false},
	{"broker", "broker-demo-2026", "declarant", "91440115MA5CBR0K1D", "李穗 Li Sui", false},
	{"trader2", "trader2-demo-2026", "declarant", "91440300MA5E0THR7G", "王鹏 Wang Peng", false},
	{"customs", "customs-demo-2026", "customs", "11440000MB2C7CU516", "关员 张 Zhang (customs)", false},
	{"quarantine", "quarantine-demo-2026", "quarantine", "11440000MB2C8QUA2W", "检疫员 刘 Liu (quarantine)", false},
	{"border", "border-demo-2026", "border", "11440000MB2C9BDR3R", "边检员 黄 Huang (border)", false},
	{"maritime", "maritime-demo-2026", "maritime", "11440000MB2D0M5A45", "海事员 周 Zhou (maritime)", false},
	{"customs.lead", "customs.lead-demo-2026", "customs", "11440000MB2C7CU516",
	 "科长 陈 Chen (customs supervisor)", true},
	{"quarantine.lead", "quarantine.lead-demo-2026", "quarantine", "11440000MB2C8QUA2W",
	 "科长 林 Lin (quarantine supervisor)", true},
	{"terminal", "terminal-demo-2026", "port_operator", "91440101MA5DP0RT5G", "码头调度 Terminal desk", false},
	{"analyst", "analyst-demo-2026", "analyst", "11440000MB2D1PA06K", "口岸办 分析员 Analyst", false},
	{"admin", "admin-demo-2026", "admin", "91440101MA5ADMN826", "Administrator", false},
	{"auditor", "auditor-demo-2026", "auditor", "11440000MB2D1PA06K", "审计员 Auditor", false},
	{"tax", "tax-demo-2026", "tax_office", "11440115MB2D3TAX01", "退税科 吴 Wu (tax office)", false},
	{"carrier", "carrier-demo-2026", "carrier", "91440101MA5CPNG0CL", "船代 何 He (Penavico manifest desk)", false},
	{"airline", "airline-demo-2026", "carrier", "91440000MA4UC8AL2T", "货运 梁 Liang (air cargo manifests)", false},
	{"haulier", "haulier-demo-2026", "carrier", "91440300MA5HKRH01P", "陳 Chan (haulier dispatch)", false},
	{"platform", "platform-demo-2026", "cbec_platform", "91440101MA5EBP0YGL", "平台 赵 Zhao (customs desk)", false},
	{"seller", "seller-demo-2026", "cbec_enterprise", "91440101MA5EBC0HK1", "关务 孙 Sun (sellers' agent)", false},
	{"payment", "payment-demo-2026", "cbec_payment", "91440101MA5EPAY0H2", "支付 钱 Qian (customs reporting)", false},
	{"courier", "courier-demo-2026", "cbec_logistics", "91440101MA5ELG01TQ", "物流 郑 Zheng (parcel desk)", false},
	{"bank", "bank-demo-2026", "bank", "91440101MA5BK0NA2H", "工行 冯 Feng (customs tax desk)", false},
	{"bank2", "bank2-demo-2026", "bank", "91440101MA5BK0CB79", "中行 许 Xu (customs tax desk)", false},
	{NULL, NULL, NULL, NULL, NULL, false},
};

/* Declarations lodged by "trader", and what the officers then do. */
struct demo_step {
	const char *agency;
	const char *decision;
	const char *reason;
};

struct demo_declaration {
	const char *body;
	struct demo_step steps[3];
};

static const struct {
	const char *method;
	const char *path;
	const char *body;
} demo_risk_setup[] = {
	{"POST", "/v1/risk/rules",
	 "{\"effective_from\":\"2026-01-01T00:00:00Z\",\"note\":\"demo rule set\",\"text\":"
	 "\"# Guangdong ports: demo rule set\\n"
	 "when hs starts \\\"0808\\\" and origin = \\\"US\\\" then quarantine red 100% "
	 "reason \\\"fire blight on US apples\\\"\\n"
	 "when hs starts \\\"4407\\\" and origin in (\\\"US\\\", \\\"CA\\\") then quarantine "
	 "yellow 50% reason \\\"pinewood nematode papers\\\"\\n"
	 "when consignee credit = discredited then customs red 80% reason \\\"discredited "
	 "enterprise\\\"\\n"
	 "when value_cny > 5000000 and trade_mode = \\\"0110\\\" then customs yellow 30% "
	 "reason \\\"high-value general trade\\\"\\n"
	 "when hs starts \\\"2710\\\" and transport_mode = \\\"2\\\" then maritime yellow 100% "
	 "reason \\\"dangerous goods by water\\\"\\n\"}"},
	{"PUT", "/v1/risk/profiles/5141/customs",
	 "{\"random_percent\":\"2.4\",\"base_lane\":\"green\"}"},
};

static const char demo_site[] =
	"{\"code\":\"CNNSA-1\",\"name\":\"Nansha terminal inspection area\","
	"\"port\":\"CNNSA\",\"slot_minutes\":30,\"capacity\":4}";

static const struct demo_declaration demo_declarations[] = {
	{/* apples from the US by sea into Nansha: quarantine draws red (the
	  * fire blight rule) and orders the inspection; customs reviews */
	 "{\"direction\":\"import\",\"declaration_office\":\"5167\",\"port_office\":\"5167\","
	 "\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
	 "\"trade_mode\":\"0110\",\"transport_mode\":\"2\","
	 "\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\",\"imo\":\"9321378\"},"
	 "\"bill_of_lading\":\"COSU6291830410\",\"trading_country\":\"US\",\"departure_country\":\"US\","
	 "\"entry_port\":\"CNNSA\",\"incoterm\":\"CIF\",\"currency\":\"USD\",\"freight\":\"0\","
	 "\"insurance\":\"0\",\"packages\":1800,\"gross_weight_kg\":\"19850.000\","
	 "\"containers\":[\"COSU8001236\"],"
	 "\"items\":[{\"hs_code\":\"0808100000\",\"description\":\"鲜苹果 Fresh Gala apples, 18 kg cartons\","
	 "\"quantity\":\"18000\",\"unit\":\"035\",\"unit_price\":\"1.85\",\"origin_country\":\"US\"}],"
	 "\"documents\":[{\"type\":\"invoice\",\"number\":\"WA-2026-11873\"},"
	 "{\"type\":\"phytosanitary_certificate\",\"number\":\"USDA-PC-7781204\"}],\"advance\":true}",
	 {{NULL, NULL, NULL}}},
	{/* laptops by air into Baiyun: customs only; Baiyun's profile is green */
	 "{\"direction\":\"import\",\"declaration_office\":\"5141\",\"port_office\":\"5141\","
	 "\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
	 "\"trade_mode\":\"0110\",\"transport_mode\":\"5\","
	 "\"conveyance\":{\"name\":\"CZ3098\",\"voyage\":\"20261120\"},"
	 "\"bill_of_lading\":\"784-55120936\",\"trading_country\":\"VN\",\"departure_country\":\"VN\","
	 "\"entry_port\":\"CNCAN\",\"incoterm\":\"FCA\",\"currency\":\"USD\",\"freight\":\"1250.00\","
	 "\"insurance\":\"96.40\",\"packages\":40,\"gross_weight_kg\":\"412.500\","
	 "\"items\":[{\"hs_code\":\"8471300000\",\"description\":\"便携式电脑 14-inch notebook computers\","
	 "\"quantity\":\"400\",\"unit\":\"001\",\"unit_price\":\"389.00\",\"origin_country\":\"VN\"}],"
	 "\"documents\":[{\"type\":\"invoice\",\"number\":\"HN-INV-55012\"},"
	 "{\"type\":\"packing_list\",\"number\":\"HN-PL-55012\"}]}",
	 {{NULL, NULL, NULL}}}, /* green at Baiyun: released by kouan */
	{/* frozen salmon from Norway into Yantian: quarantine orders inspection */
	 "{\"direction\":\"import\",\"declaration_office\":\"5316\",\"port_office\":\"5316\","
	 "\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
	 "\"trade_mode\":\"0110\",\"transport_mode\":\"2\","
	 "\"conveyance\":{\"name\":\"MAERSK EMDEN\",\"voyage\":\"148W\",\"imo\":\"9412517\"},"
	 "\"bill_of_lading\":\"MAEU229184733\",\"trading_country\":\"NO\",\"departure_country\":\"NO\","
	 "\"entry_port\":\"CNYTN\",\"incoterm\":\"CFR\",\"currency\":\"EUR\",\"insurance\":\"210.00\","
	 "\"packages\":1100,\"gross_weight_kg\":\"24100.000\",\"containers\":[\"MAEU5123453\"],"
	 "\"items\":[{\"hs_code\":\"0303130000\",\"description\":\"冻大西洋鲑鱼 Frozen Atlantic salmon, whole\","
	 "\"quantity\":\"22000\",\"unit\":\"035\",\"unit_price\":\"6.4\",\"origin_country\":\"NO\"}],"
	 "\"documents\":[{\"type\":\"invoice\",\"number\":\"NSX-8812\"},"
	 "{\"type\":\"veterinary_certificate\",\"number\":\"NO-VET-2026-33190\"}]}",
	 {{"customs", "cleared", "invoice and packing list checked"},
	  {"quarantine", "inspect", "cold-chain sampling required for this consignment"},
	  {NULL, NULL, NULL}}},
	{/* T-shirts by road to Hong Kong through Huanggang: customs returns */
	 "{\"direction\":\"export\",\"declaration_office\":\"5301\",\"port_office\":\"5301\","
	 "\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
	 "\"trade_mode\":\"0110\",\"transport_mode\":\"4\","
	 "\"conveyance\":{\"name\":\"粤Z·H2286港\",\"voyage\":\"20261122-01\"},"
	 "\"bill_of_lading\":\"HG20261122-0097\",\"trading_country\":\"HK\",\"destination_country\":\"HK\","
	 "\"exit_port\":\"CNHUG\",\"incoterm\":\"FOB\",\"currency\":\"HKD\",\"packages\":320,"
	 "\"gross_weight_kg\":\"2880.000\",\"containers\":[\"TGHU6000010\"],"
	 "\"items\":[{\"hs_code\":\"6109100000\",\"description\":\"棉制针织T恤衫 Cotton knitted T-shirts\","
	 "\"quantity\":\"9600\",\"unit\":\"011\",\"unit_price\":\"28.50\",\"origin_country\":\"CN\"}],"
	 "\"documents\":[{\"type\":\"invoice\",\"number\":\"HT-EX-2026-0412\"}]}",
	 {{"border", "cleared", "vehicle and seals checked"},
	  {"customs", "return", "gross weight does not match the packing list; correct and resubmit"},
	  {NULL, NULL, NULL}}},
	{/* fuel oil by sea into Huizhou: customs and maritime act */
	 "{\"direction\":\"import\",\"declaration_office\":\"5338\",\"port_office\":\"5338\","
	 "\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
	 "\"trade_mode\":\"0110\",\"transport_mode\":\"2\","
	 "\"conveyance\":{\"name\":\"PACIFIC JEWEL\",\"voyage\":\"2611\",\"imo\":\"9703100\"},"
	 "\"bill_of_lading\":\"PJ-2611-HZ-01\",\"trading_country\":\"SG\",\"departure_country\":\"SG\","
	 "\"entry_port\":\"CNHUI\",\"incoterm\":\"CIF\",\"currency\":\"USD\",\"packages\":1,"
	 "\"gross_weight_kg\":\"38500000.000\","
	 "\"items\":[{\"hs_code\":\"2710192200\",\"description\":\"燃料油 Fuel oil 380 cSt, in bulk\","
	 "\"quantity\":\"38500000\",\"unit\":\"035\",\"unit_price\":\"0.4815\",\"origin_country\":\"SG\"}],"
	 "\"documents\":[{\"type\":\"invoice\",\"number\":\"SGF-26-7730\"},"
	 "{\"type\":\"dangerous_goods_declaration\",\"number\":\"DG-HZ-2026-1180\"}]}",
	 {{"maritime", "cleared", "dangerous goods declaration checked"}, {NULL, NULL, NULL}}},
	{/* plastic tableware from Japan into Nansha (a forwarder's bill on the
	  * same COSCO call), declared at Guangzhou Customs: customs checks the
	  * documents and clears it, so the Nansha terminal has a release to see
	  * and a container to let out */
	 "{\"direction\":\"import\",\"declaration_office\":\"5100\",\"port_office\":\"5167\","
	 "\"declarant_uscc\":\"91440101MA59TRAD00\",\"consignee_uscc\":\"91440101MA59TRAD00\","
	 "\"trade_mode\":\"0110\",\"transport_mode\":\"2\","
	 "\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\",\"imo\":\"9321378\"},"
	 "\"bill_of_lading\":\"SPNL2611OSA0087\",\"trading_country\":\"JP\",\"departure_country\":\"JP\","
	 "\"entry_port\":\"CNNSA\",\"incoterm\":\"CIF\",\"currency\":\"USD\",\"freight\":\"0\","
	 "\"insurance\":\"0\",\"packages\":600,\"gross_weight_kg\":\"12800.000\","
	 "\"containers\":[\"TGHU7742101\"],"
	 "\"items\":[{\"hs_code\":\"3924100000\",\"description\":\"塑料餐具 Melamine-free plastic tableware sets\","
	 "\"quantity\":\"12000\",\"unit\":\"035\",\"unit_price\":\"3.20\",\"origin_country\":\"JP\"}],"
	 "\"documents\":[{\"type\":\"invoice\",\"number\":\"OSK-TW-26-0412\"},"
	 "{\"type\":\"packing_list\",\"number\":\"OSK-PL-26-0412\"}]}",
	 {{"customs", "cleared", "invoice and packing list agree with the manifest"},
	  {NULL, NULL, NULL}}},
};

/* The demo trader's general guarantee: 5,000,000.00 CNY. */
#define DEMO_GUARANTEE_FEN INT64_C(500000000)

size_t demo_user_count(void)
{
	size_t n = 0;
	while (demo_users[n].username)
		n++;
	return n;
}
/* The transport side, before the goods are declared: the carriers report
 * their conveyances and lodge their manifests, so that the declarations
 * are matched as they are lodged. Times are set around the moment the
 * demo runs: @ETA@ two hours ago, @ATA@ one hour ago, @ETD@ in a day. */
struct demo_call {
	const char *who;    /* carrier, airline or haulier */
	const char *path;   /* /v1/conveyance-reports or /v1/manifests */
	const char *body;
	const char *const *clear; /* agencies clearing a report (NULL-terminated) */
};

static const char *const clear_vessel[] = {"border", "maritime", "customs", "quarantine", NULL};
static const char *const clear_vehicle[] = {"border", "customs", NULL};

static const struct demo_call demo_calls[] = {
	{/* COSCO SHIPPING ARIES's original manifest for Nansha, lodged before
	  * it arrives: the apples, the tableware, and the second apples
	  * consignment of the README's tour */
	 "carrier", "/v1/manifests",
	 "{\"kind\":\"original\",\"transport_mode\":\"2\",\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\","
	 "\"voyage\":\"046E\",\"imo\":\"9321378\"},\"port\":\"CNNSA\",\"carrier\":\"COSCO SHIPPING Lines\","
	 "\"bills\":[{\"bill_of_lading\":\"COSU6291830410\","
	 "\"consignor\":{\"name\":\"Columbia Valley Fruit Growers\",\"country\":\"US\"},"
	 "\"consignee\":{\"name\":\"广州南沙海通进出口贸易有限公司\",\"uscc\":\"91440101MA59TRAD00\"},"
	 "\"goods_description\":\"Fresh Gala apples, 18 kg cartons\",\"hs_heading\":\"0808\","
	 "\"packages\":1800,\"package_kind\":\"CT\",\"gross_weight_kg\":\"19850.000\","
	 "\"containers\":[{\"number\":\"COSU8001236\",\"seals\":[\"CN4410873\"],\"size_type\":\"45R1\"}]},"
	 "{\"bill_of_lading\":\"COSU6291830588\","
	 "\"consignor\":{\"name\":\"Columbia Valley Fruit Growers\",\"country\":\"US\"},"
	 "\"consignee\":{\"name\":\"广州南沙海通进出口贸易有限公司\",\"uscc\":\"91440101MA59TRAD00\"},"
	 "\"goods_description\":\"Fresh Gala apples, 18 kg cartons\",\"hs_heading\":\"0808\","
	 "\"packages\":1800,\"package_kind\":\"CT\",\"gross_weight_kg\":\"19850.000\","
	 "\"containers\":[{\"number\":\"CSNU6409188\",\"seals\":[\"CN4410891\"],\"size_type\":\"45R1\"}]},"
	 "{\"bill_of_lading\":\"SPNL2611OSA0087\","
	 "\"consignor\":{\"name\":\"Osaka Tableware Co., Ltd.\",\"country\":\"JP\"},"
	 "\"consignee\":{\"name\":\"广州南沙海通进出口贸易有限公司\",\"uscc\":\"91440101MA59TRAD00\"},"
	 "\"goods_description\":\"Plastic tableware sets\",\"hs_heading\":\"3924\","
	 "\"packages\":600,\"package_kind\":\"CT\",\"gross_weight_kg\":\"12800.000\","
	 "\"containers\":[{\"number\":\"TGHU7742101\",\"seals\":[\"OSK-558201\"],\"size_type\":\"45G1\"}]}]}",
	 NULL},
	{/* then it arrives at Nansha on voyage 046E, and is cleared */
	 "carrier", "/v1/conveyance-reports",
	 "{\"kind\":\"arrival\",\"transport_mode\":\"2\",\"carrier\":\"COSCO SHIPPING Lines\","
	 "\"vessel\":{\"imo\":\"9321378\",\"name\":\"COSCO SHIPPING ARIES\",\"call_sign\":\"VRBK7\","
	 "\"flag\":\"HK\",\"voyage\":\"046E\"},\"port\":\"CNNSA\",\"port_office\":\"5167\","
	 "\"berth\":\"NS-P2-07\",\"last_port\":\"USLAX\",\"next_port\":\"CNYTN\","
	 "\"expected_arrival\":\"@ETA@\",\"actual_arrival\":\"@ATA@\",\"expected_departure\":\"@ETD@\","
	 "\"crew\":24,\"passengers\":0}",
	 clear_vessel},
	{/* the salmon's call at Yantian */
	 "carrier", "/v1/manifests",
	 "{\"kind\":\"original\",\"transport_mode\":\"2\",\"conveyance\":{\"name\":\"MAERSK EMDEN\","
	 "\"voyage\":\"148W\",\"imo\":\"9412517\"},\"port\":\"CNYTN\",\"carrier\":\"Maersk (agent: Penavico)\","
	 "\"bills\":[{\"bill_of_lading\":\"MAEU229184733\",\"consignor\":{\"name\":\"Nordic Seafood AS\","
	 "\"country\":\"NO\"},\"consignee\":{\"name\":\"广州南沙海通进出口贸易有限公司\"},"
	 "\"goods_description\":\"Frozen Atlantic salmon\",\"hs_heading\":\"0303\",\"packages\":1100,"
	 "\"package_kind\":\"CT\",\"gross_weight_kg\":\"24100.000\","
	 "\"containers\":[{\"number\":\"MAEU5123453\",\"seals\":[\"ML-7710231\"],\"size_type\":\"45R1\"}]}]}",
	 NULL},
	{/* the fuel oil in bulk at Huizhou */
	 "carrier", "/v1/manifests",
	 "{\"kind\":\"original\",\"transport_mode\":\"2\",\"conveyance\":{\"name\":\"PACIFIC JEWEL\","
	 "\"voyage\":\"2611\",\"imo\":\"9703100\"},\"port\":\"CNHUI\",\"carrier\":\"Pacific Tankers (agent: Penavico)\","
	 "\"bills\":[{\"bill_of_lading\":\"PJ-2611-HZ-01\",\"consignor\":{\"name\":\"Singapore Fuel Trading\","
	 "\"country\":\"SG\"},\"consignee\":{\"name\":\"广州南沙海通进出口贸易有限公司\"},"
	 "\"goods_description\":\"Fuel oil 380 cSt in bulk\",\"hs_heading\":\"2710\",\"packages\":1,"
	 "\"package_kind\":\"VL\",\"gross_weight_kg\":\"38500000.000\"}]}",
	 NULL},
	{/* the laptops' flight into Baiyun */
	 "airline", "/v1/manifests",
	 "{\"kind\":\"original\",\"transport_mode\":\"5\",\"conveyance\":{\"name\":\"CZ3098\","
	 "\"voyage\":\"20261120\"},\"port\":\"CNCAN\",\"carrier\":\"China Southern Airlines\","
	 "\"bills\":[{\"bill_of_lading\":\"784-55120936\",\"consignor\":{\"name\":\"Hanoi Notebook Assembly\","
	 "\"country\":\"VN\"},\"consignee\":{\"name\":\"广州南沙海通进出口贸易有限公司\"},"
	 "\"goods_description\":\"Notebook computers\",\"hs_heading\":\"8471\",\"packages\":40,"
	 "\"package_kind\":\"CT\",\"gross_weight_kg\":\"412.500\"}]}",
	 NULL},
	{/* a Hong Kong two-plate lorry comes north into Huanggang; it takes
	  * the T-shirts back south on the same trip */
	 "haulier", "/v1/conveyance-reports",
	 "{\"kind\":\"arrival\",\"transport_mode\":\"4\",\"carrier\":\"Kong Lian Cross-Border Haulage\","
	 "\"vehicle\":{\"scheme\":\"cross_boundary\",\"region\":\"HK\",\"plate\":\"粤Z·H2286港\","
	 "\"regional_plate\":\"KV 2286\",\"use\":\"goods\",\"trip\":\"20261122-01\","
	 "\"driver\":{\"name\":\"陈大文\",\"document_type\":\"home_return_permit\","
	 "\"document_number\":\"H12345678\"}},\"port\":\"CNHUG\",\"port_office\":\"5301\","
	 "\"lane\":\"HG-IN-07\",\"last_port\":\"HKHKG\",\"expected_arrival\":\"@ETA@\","
	 "\"actual_arrival\":\"@ATA@\",\"crew\":1,\"passengers\":0}",
	 clear_vehicle},
	{/* the T-shirts on the lorry's pre-loading manifest */
	 "haulier", "/v1/manifests",
	 "{\"kind\":\"pre_loading\",\"transport_mode\":\"4\",\"conveyance\":{\"name\":\"粤Z·H2286港\","
	 "\"voyage\":\"20261122-01\"},\"port\":\"CNHUG\",\"carrier\":\"Kong Lian Cross-Border Haulage\","
	 "\"bills\":[{\"bill_of_lading\":\"HG20261122-0097\",\"consignor\":{\"name\":\"广州南沙海通进出口贸易有限公司\","
	 "\"uscc\":\"91440101MA59TRAD00\"},\"consignee\":{\"name\":\"Victoria Garments Ltd\",\"country\":\"HK\"},"
	 "\"goods_description\":\"Cotton knitted T-shirts\",\"hs_heading\":\"6109\",\"packages\":320,"
	 "\"package_kind\":\"CT\",\"gross_weight_kg\":\"2880.000\","
	 "\"containers\":[{\"number\":\"TGHU6000010\",\"seals\":[\"HG-220971\"]}]}]}",
	 NULL},
};

/* At the terminal, once the goods are declared: the tally of the apples'
 * vessel, the discharge of its containers, and the released tableware
 * let out of the gate. */
static const struct {
	const char *path;
	const char *body;
} demo_terminal[] = {
	{"/v1/tally-reports",
	 "{\"kind\":\"discharge\",\"transport_mode\":\"2\",\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\","
	 "\"voyage\":\"046E\",\"imo\":\"9321378\"},\"port\":\"CNNSA\",\"bills\":["
	 "{\"bill_of_lading\":\"COSU6291830410\",\"packages\":1800,\"containers\":[{\"number\":\"COSU8001236\","
	 "\"seals\":[\"CN4410873\"],\"condition\":\"sound\"}]},"
	 "{\"bill_of_lading\":\"COSU6291830588\",\"packages\":1800,\"containers\":[{\"number\":\"CSNU6409188\","
	 "\"seals\":[\"CN4410891\"],\"condition\":\"sound\"}]},"
	 "{\"bill_of_lading\":\"SPNL2611OSA0087\",\"packages\":600,\"containers\":[{\"number\":\"TGHU7742101\","
	 "\"seals\":[\"OSK-558201\"],\"condition\":\"sound\"}]}]}"},
	{"/v1/gate/containers/COSU8001236/events", "{\"event\":\"discharged\"}"},
	{"/v1/gate/containers/CSNU6409188/events", "{\"event\":\"discharged\"}"},
	{"/v1/gate/containers/TGHU7742101/events", "{\"event\":\"discharged\"}"},
	{"/v1/gate/containers/TGHU7742101/events", "{\"event\":\"gated_out\"}"},
};

/* The actor behind the demo's own set-up. */
static const struct actor demo_actor = {.role = ROLE_ADMIN, .username = "kouan-demo"};

void demo_print_credentials(FILE *out)
{
	fprintf(out, "Demo users (user name / password / role):\n");
	for (const struct demo_user *u = demo_users; u->username; u++)
		fprintf(out, "  %-11s %-22s %s\n", u->username, u->password, u->role);
}

static kerr first_user_exists(struct uow *u, void *arg)
{
	struct user_row probe;
	struct actor who = {.username = ""};
	str_copy(who.username, demo_users[0].username, sizeof who.username);
	kerr e = accounts_me(u, &who, &probe);
	*(bool *)arg = e == KERR_OK;
	return e == KERR_NOT_FOUND ? KERR_OK : e;
}

static kerr create_accounts(struct uow *u, void *arg)
{
	(void)arg;
	int64_t id;
	kerr e = KERR_OK;
	for (const struct org_input *o = demo_orgs; !e && o->uscc; o++) {
		struct problems p;
		struct refusal why;
		problems_init(&p);
		refusal_init(&why, &p);
		if (!org_input_check(o, uow_refdata(u), &p))
			e = KERR_INVALID;
		else if ((e = accounts_org_create(u, &demo_actor, o, &id, &why)) == KERR_CONFLICT)
			e = KERR_OK; /* there already */
		if (e && problems_any(&p))
			log_error("demo: organisation %s: %s %s", o->uscc, p.errors[0].field,
				  p.errors[0].problem);
	}
	for (const struct demo_user *du = demo_users; !e && du->username; du++) {
		struct problems p;
		struct refusal why;
		problems_init(&p);
		refusal_init(&why, &p);
		struct user_input in = {du->username, du->display_name, du->password,
					du->role, du->org_uscc, du->supervisor};
		e = accounts_user_create(u, &demo_actor, &in, &id, &why);
		if (e && problems_any(&p))
			log_error("demo: user %s: %s %s", du->username, p.errors[0].field,
				  p.errors[0].problem);
	}
	return e;
}

/* Haitong, the demo trader (standard credit), holds a general guarantee
 * with Guangzhou Customs, so its releases go through and draw it down until
 * it pays (docs/money.md): from the first day of this year to the last of
 * the next. */
static kerr register_guarantee(struct uow *u, void *arg)
{
	(void)arg;
	int y, m, d;
	struct guarantee g = {.ceiling = DEMO_GUARANTEE_FEN};
	struct guarantee_row row;
	struct refusal why;
	kdate_to_ymd(money_today(u), &y, &m, &d);
	snprintf(g.number, sizeof g.number, "G-NS-%04d-001", y);
	if (!kdate_from_ymd(y, 1, 1, &g.valid_from) || !kdate_from_ymd(y + 1, 12, 31, &g.valid_until))
		return KERR_INTERNAL;
	refusal_init(&why, NULL);
	kerr e = taxes_guarantee_register(u, &demo_actor, demo_orgs[0].uscc, &g, &row, &why);
	if (e)
		log_error("demo: guarantee %s: %s", g.number, why.detail);
	return e;
}

kerr demo_seed_accounts(struct app *app, bool *existed)
{
	kerr e = uow_run(&app->svc, false, first_user_exists, existed);
	if (e || *existed)
		return e;
	e = uow_run(&app->svc, true, create_accounts, NULL);
	return e ? e : uow_run(&app->svc, true, register_guarantee, NULL);
}

struct token_request {
	const char *user;
	char *token;
};

static kerr make_token(struct uow *u, void *arg)
{
	struct token_request *t = arg;
	char expires[TIME_TEXT_SIZE];
	return accounts_token_create(u, &demo_actor, t->user, "demo seeding", 600, t->token,
				     expires);
}

/* Call the API as the holder of `token`; false (logged) unless it answers
 * one of the statuses wanted (the second may be 0). */
static bool call_ok(struct app *app, const struct loopback_call *call, int want, int also,
		    struct loopback_result *r)
{
	api_loopback(app, call, r);
	if (r->status == want || (also && r->status == also))
		return true;
	log_error("demo: %s %s refused (%d): %s", call->method, call->path, r->status,
		  r->text);
	return false;
}

/* The demo's exchange rates reach this month and the next: a currency's
 * months after the compiled-in table take its last rate. These are demo
 * figures (data/tariff/README.md), so that the demo assesses whenever it
 * runs; an operator loads the published table instead, and kouan itself
 * never carries a rate over. */
static bool demo_rates_current(struct app *app, const char *token)
{
	struct loopback_result r;
	struct loopback_call get = {.method = "GET", .path = "/v1/exchange-rates", .token = token};
	if (!call_ok(app, &get, 200, 0, &r)) {
		loopback_result_free(&r);
		return false;
	}
	int32_t want = kmonth_of_date(kdate_of_instant(kclock_now(app->svc.clock),
						       KDATE_CHINA_OFFSET_MIN)) +
		       1;
	json_t *add = json_array();
	json_t *rates = json_object_get(r.json, "rates");
	for (size_t i = 0; i < json_array_size(rates); i++) {
		json_t *rate = json_array_get(rates, i);
		json_t *next = json_array_get(rates, i + 1);
		const char *cur = json_string_value(json_object_get(rate, "currency"));
		if (next && !strcmp(cur, json_string_value(json_object_get(next, "currency"))))
			continue; /* not the currency's last month */
		int32_t last;
		if (!kmonth_parse(json_string_value(json_object_get(rate, "month")), &last))
			continue;
		for (int32_t m = last + 1; m <= want; m++) {
			char month[KMONTH_TEXT_MAX];
			kmonth_format(m, month);
			json_array_append_new(add, json_pack("{s:s, s:s, s:O}", "currency", cur,
							     "month", month, "cny_per_unit",
							     json_object_get(rate, "cny_per_unit")));
		}
	}
	loopback_result_free(&r);
	bool ok = true;
	if (json_array_size(add)) {
		json_t *doc = json_pack("{s:s, s:o}", "description",
					"demo rates: the last rate of the compiled-in table, "
					"carried over for the demo",
					"rates", json_incref(add));
		char *body = json_dumps(doc, JSON_COMPACT);
		struct loopback_call post = {.method = "POST", .path = "/v1/exchange-rates",
					     .token = token, .body = body};
		ok = body != NULL;
		if (ok) {
			ok = call_ok(app, &post, 201, 0, &r);
			loopback_result_free(&r);
		}
		free(body);
		json_decref(doc);
	}
	json_decref(add);
	return ok;
}

/* A body template with its times filled in (see demo_calls). */
static void fill_times(const char *tmpl, int64_t now_us, char *out, size_t n)
{
	static const struct {
		const char *mark;
		int64_t offset_s;
	} times[] = {{"@ETA@", -7200}, {"@ATA@", -3600}, {"@ETD@", 86400}};
	size_t k = 0;
	while (*tmpl && k + 1 < n) {
		size_t t = 0;
		while (t < 3 && strncmp(tmpl, times[t].mark, 5) != 0)
			t++;
		if (t == 3) {
			out[k++] = *tmpl++;
			continue;
		}
		char at[TIME_TEXT_SIZE];
		ktime_format(now_us + times[t].offset_s * 1000000, at);
		k += str_copy(out + k, at, n - k);
		tmpl += 5;
	}
	out[k < n ? k : n - 1] = '\0';
}

/* The carriers' reports and manifests, the agencies' clearance of the
 * reports. `tokens` are those of `who`. */
static bool seed_calls(struct app *app, const char *const *who, char tokens[][TOKEN_TEXT_MAX])
{
	for (size_t i = 0; i < sizeof demo_calls / sizeof demo_calls[0]; i++) {
		const struct demo_call *dc = &demo_calls[i];
		size_t k = 0;
		while (strcmp(who[k], dc->who) != 0)
			k++;
		char body[8192], key[48];
		fill_times(dc->body, kclock_now(app->svc.clock), body, sizeof body);
		snprintf(key, sizeof key, "demo-call-%zu", i);
		struct loopback_call call = {.method = "POST", .path = dc->path, .token = tokens[k],
					     .body = body, .idempotency_key = key};
		struct loopback_result r;
		if (!call_ok(app, &call, 201, 0, &r)) {
			loopback_result_free(&r);
			return false;
		}
		json_int_t id = json_integer_value(json_object_get(r.json, "id"));
		loopback_result_free(&r);
		for (const char *const *agency = dc->clear; agency && *agency; agency++) {
			size_t a = 0;
			while (strcmp(who[a], *agency) != 0)
				a++;
			char path[96];
			snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/%s/decision",
				 (long long)id, *agency);
			struct loopback_call d = {
				.method = "POST", .path = path, .token = tokens[a],
				.body = "{\"decision\":\"cleared\",\"reason\":\"report and crew list "
					"checked\"}"};
			bool ok = call_ok(app, &d, 200, 0, &r);
			loopback_result_free(&r);
			if (!ok)
				return false;
		}
	}
	return true;
}

kerr demo_prepare_store(struct store *store)
{
	return risk_seed_from_text(store, "kouan demo");
}

kerr demo_seed(struct app *app, FILE *out)
{
	bool existed = false;
	kerr e = demo_seed_accounts(app, &existed);
	if (e || existed) {
		if (existed)
			fprintf(out, "Demo data is already in this database.\n");
		return e;
	}
	char tokens[10][TOKEN_TEXT_MAX];
	static const char *const who[] = {"trader",  "customs", "quarantine", "border",
					  "maritime", "admin",  "carrier",    "airline",
					  "haulier",  "terminal"};
	for (size_t i = 0; !e && i < 10; i++) {
		struct token_request t = {who[i], tokens[i]};
		e = uow_run(&app->svc, true, make_token, &t);
	}
	if (e)
		return e;
	struct loopback_result r;
	if (!demo_rates_current(app, tokens[5]))
		return KERR_INTERNAL;
	/* the joint inspection site at Nansha, where the apples will be
	 * inspected (30-minute slots, 4 inspections each) */
	struct loopback_call site = {.method = "POST", .path = "/v1/inspection-sites",
				     .token = tokens[5], .body = demo_site};
	bool ok = call_ok(app, &site, 201, 409, &r);
	loopback_result_free(&r);
	if (!ok)
		return KERR_INTERNAL;
	/* risk-based clearance: a rule set in force and Baiyun airport's
	 * customs profile (green unless selected, 2.4% random inspection) */
	for (size_t i = 0; i < sizeof demo_risk_setup / sizeof demo_risk_setup[0]; i++) {
		struct loopback_call call = {.method = demo_risk_setup[i].method,
					     .path = demo_risk_setup[i].path,
					     .token = tokens[5],
					     .body = demo_risk_setup[i].body};
		ok = call_ok(app, &call, 200, 201, &r);
		loopback_result_free(&r);
		if (!ok)
			return KERR_INTERNAL;
	}
	if (!seed_calls(app, who, tokens))
		return KERR_INTERNAL;
	size_t n = sizeof demo_declarations / sizeof demo_declarations[0];
	for (size_t i = 0; i < n; i++) {
		char key[48];
		snprintf(key, sizeof key, "demo-seed-%zu", i);
		struct loopback_call call = {.method = "POST", .path = "/v1/declarations",
					     .token = tokens[0],
					     .body = demo_declarations[i].body,
					     .idempotency_key = key};
		if (!call_ok(app, &call, 201, 0, &r)) {
			loopback_result_free(&r);
			return KERR_INTERNAL;
		}
		char number[DECL_NUMBER_SIZE];
		str_copy(number, json_string_value(json_object_get(r.json, "number")),
			 sizeof number);
		loopback_result_free(&r);
		for (const struct demo_step *s = demo_declarations[i].steps; s->agency; s++) {
			size_t k = 1;
			while (k < 5 && strcmp(who[k], s->agency) != 0)
				k++;
			char path[128], body[512];
			snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision",
				 number, s->agency);
			if (s->reason)
				snprintf(body, sizeof body, "{\"decision\":\"%s\",\"reason\":\"%s\"}",
					 s->decision, s->reason);
			else
				snprintf(body, sizeof body, "{\"decision\":\"%s\"}", s->decision);
			struct loopback_call d = {.method = "POST", .path = path,
						  .token = tokens[k < 5 ? k : 1], .body = body};
			ok = call_ok(app, &d, 200, 0, &r);
			loopback_result_free(&r);
			if (!ok)
				return KERR_INTERNAL;
		}
		fprintf(out, "Demo declaration %s lodged.\n", number);
	}
	for (size_t i = 0; i < sizeof demo_terminal / sizeof demo_terminal[0]; i++) {
		struct loopback_call call = {.method = "POST", .path = demo_terminal[i].path,
					     .token = tokens[9], .body = demo_terminal[i].body};
		ok = call_ok(app, &call, 201, 0, &r);
		loopback_result_free(&r);
		if (!ok)
			return KERR_INTERNAL;
	}
	fprintf(out, "Demo calls: COSCO SHIPPING ARIES 046E at Nansha (entry permitted, "
		     "manifest, tally, discharged, tableware gated out) and the Hong Kong lorry "
		     "粤Z·H2286港 at Huanggang.\n");
	return demo_seed_cbec(app, out);
}
