/*
 * test_assessment.c - unit tests for src/domain/assessment.c.
 *
 * The worked examples of docs/money.md, one test each, on the demo tariff
 * (data/tariff) and the demo exchange rates, accepted on 2026-11-23 (so
 * the November 2026 rates): ad valorem, specific and compound duty;
 * consumption tax ad valorem, specific and compound; a preferential rate
 * with and without its certificate; FOB, CFR and CIF; foreign currencies;
 * the 50 CNY waiver; freight and insurance shared among three items with
 * the fen left over; an export. Every expected amount was computed by hand
 * (checked with Python's decimal module, ROUND_HALF_UP), never by the code
 * under test.
 *
 * Then: the rounding boundaries of the waiver, the China Standard Time
 * date choosing the month's rate, held assessments, preferential rates that
 * are not lower or not certified, declared taxes and their differences,
 * every kind of bad input with its exact field and text, and the JSON.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "domain/assessment.h"
#include "domain/refdata.h"
#include "assessment_fixture.h"

static struct assessment A; /* large: one, reused */

/* A tariff of one version given in the single-quote shorthand. */
static struct tariff *tariff_of(const char *doc)
{
	struct tariff *t = tariff_new();

	tariff_add_doc(t, test_json(doc));
	return t;
}

#define FEN(s) test_decimal(s, 2)

static struct assess_input input(bool import, const char *incoterm,
				 const char *currency)
{
	struct assess_input in;

	memset(&in, 0, sizeof in);
	in.import = import;
	in.incoterm = incoterm;
	in.currency = currency;
	in.accepted_at_us = TEST_EPOCH_US; /* 2026-11-23T08:00:00Z */
	return in;
}

static void item(struct assess_input *in, const char *hs, const char *qty,
		 const char *unit, const char *value, const char *origin)
{
	struct assess_item *it = &in->items[in->nitems++];

	it->hs_code = hs;
	it->quantity = test_decimal(qty, 5);
	it->unit = unit;
	it->value = FEN(value);
	it->origin = origin;
}

/* A document; a certificate of origin gets its agreement from the
 * reference list, as the service will fill it. */
static void document(struct assess_input *in, const char *type, const char *number)
{
	struct assess_document *d = &in->documents[in->ndocuments++];

	d->type = type;
	d->number = number;
	d->agreement = assessment_certificate_agreement(ref, type);
}

static void freight(struct assess_input *in, const char *f)
{
	in->has_freight = true;
	in->freight = FEN(f);
}

static void insurance(struct assess_input *in, const char *i)
{
	in->has_insurance = true;
	in->insurance = FEN(i);
}

static void print_problems(const struct problems *p)
{
	for (size_t i = 0; i < p->count; i++)
		fprintf(stderr, "  %s: %s\n", p->errors[i].field, p->errors[i].problem);
}

static void assess_with(const struct assess_input *in, const struct tariff *t)
{
	struct problems p;
	kerr e;

	problems_init(&p);
	e = assessment_compute(in, t, fx, &A, &p);
	print_problems(&p);
	assert_int_equal(e, KERR_OK);
	if (A.status != ASSESS_ASSESSED)
		fprintf(stderr, "held: %s %s\n", A.held_field, A.held_reason);
	assert_int_equal(A.status, ASSESS_ASSESSED);
}

static void assess(const struct assess_input *in)
{
	assess_with(in, demo);
}

static void reason_is(size_t i, const char *want)
{
	char buf[ASSESS_REASON_MAX];

	assessment_duty_reason(&A, i, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void amounts(size_t i, const char *value_cny, const char *duty,
		    const char *ct, const char *vat)
{
	assert_int_equal(A.items[i].value_cny, FEN(value_cny));
	assert_int_equal(A.items[i].duty, FEN(duty));
	assert_int_equal(A.items[i].consumption_tax, FEN(ct));
	assert_int_equal(A.items[i].vat, FEN(vat));
}

static void totals(const char *value_cny, const char *duty, const char *ct,
		   const char *vat, const char *due)
{
	assert_int_equal(A.value_cny, FEN(value_cny));
	assert_int_equal(A.duty.computed, FEN(duty));
	assert_int_equal(A.consumption_tax.computed, FEN(ct));
	assert_int_equal(A.vat.computed, FEN(vat));
	assert_int_equal(A.total_due, FEN(due));
}

/* ---- worked examples (docs/money.md) --------------------------------- */

/* 1. Ad valorem duty, CIF, US dollars: the demo's US apples. */
static void test_example_ad_valorem_cif(void **state)
{
	struct assess_input in = input(true, "CIF", "USD");

	(void)state;
	freight(&in, "0");
	insurance(&in, "0");
	item(&in, "0808100000", "18000", "035", "33300.00", "US");
	assess(&in);
	assert_int_equal(A.basis, VALUATION_CIF);
	assert_int_equal(A.rate, 710230000);
	assert_false(A.insurance_estimated); /* CIF: the price includes it */
	assert_int_equal(A.insurance, 0);
	assert_int_equal(A.items[0].value, FEN("33300.00"));
	amounts(0, "236506.59", "23650.66", "0.00", "23414.15");
	assert_int_equal(A.items[0].vat_base, FEN("260157.25"));
	assert_int_equal(A.items[0].basis, DUTY_BASIS_MFN);
	assert_string_equal(A.items[0].version->id, "CN-2026");
	reason_is(0,
			    "MFN rate 10%: no preferential rate on this line covers origin US");
	totals("236506.59", "23650.66", "0.00", "23414.15", "47064.81");
	assert_int_equal(A.duty.due, FEN("23650.66"));
	assert_false(A.duty.waived);
}

/* 2. FOB basis with freight and insurance declared: the demo's laptops
 * (FCA), duty-free, VAT 13 %. */
static void test_example_fob_declared(void **state)
{
	struct assess_input in = input(true, "FCA", "USD");

	(void)state;
	freight(&in, "1250.00");
	insurance(&in, "96.40");
	item(&in, "8471300000", "400", "001", "155600.00", "VN");
	assess(&in);
	assert_int_equal(A.basis, VALUATION_FOB);
	assert_int_equal(A.freight, FEN("1250.00"));
	assert_int_equal(A.insurance, FEN("96.40"));
	assert_false(A.insurance_estimated);
	assert_int_equal(A.value, FEN("156946.40"));
	amounts(0, "1114680.42", "0.00", "0.00", "144908.45");
	totals("1114680.42", "0.00", "0.00", "144908.45", "144908.45");
}

/* 3. Specific duty, CFR with insurance unknown (0.3 % of CFR): frozen
 * whole chickens from Brazil at 1.3 CNY/kg. */
static void test_example_specific_cfr(void **state)
{
	struct assess_input in = input(true, "CFR", "USD");

	(void)state;
	item(&in, "0207120000", "24000", "035", "58800.00", "BR");
	assess(&in);
	assert_true(A.insurance_estimated);
	assert_int_equal(A.insurance, FEN("176.40"));
	assert_int_equal(A.items[0].value, FEN("58976.40"));
	amounts(0, "418868.09", "31200.00", "0.00", "40506.13");
	totals("418868.09", "31200.00", "0.00", "40506.13", "71706.13");
}

/* 4. Compound duty on an illustrative one-line tariff: video cameras at
 * 3 % + 9728 CNY each, in yen. */
static void test_example_compound_duty(void **state)
{
	struct tariff *t = tariff_of(
		"{'id': 'X-CAM', 'effective_from': '2026-01-01', 'kind': 'full', 'lines': ["
		" {'code': '8525890000', 'mfn': {'percent': '3', 'per_unit': '9728', 'unit': '001'},"
		"  'vat_percent': '13', 'export_refund_percent': '13'}]}");
	struct assess_input in = input(true, "CIF", "JPY");

	(void)state;
	item(&in, "8525890000", "10", "001", "18500000.00", "JP");
	assess_with(&in, t);
	assert_int_equal(A.rate, 4735100);
	amounts(0, "875993.50", "123559.81", "0.00", "129941.93");
	totals("875993.50", "123559.81", "0.00", "129941.93", "253501.74");
	reason_is(0,
			    "MFN rate 3% + 9728 CNY per 001: the line has no preferential rate");
	tariff_free(t);
}

/* 5. Consumption tax ad valorem, and a preferential rate without and with
 * its certificate: Australian wine. */
static void test_example_wine_certificate(void **state)
{
	struct assess_input in = input(true, "CIF", "USD");

	(void)state;
	item(&in, "2204210000", "9000", "095", "76500.00", "AU");
	document(&in, "invoice", "AUW-7781");
	assess(&in);
	assert_int_equal(A.items[0].basis, DUTY_BASIS_MFN);
	amounts(0, "543325.95", "76065.63", "68821.29", "89467.67");
	totals("543325.95", "76065.63", "68821.29", "89467.67", "234354.59");
	reason_is(0,
			    "MFN rate 14%: origin AU qualifies for CN-AU 0%, but the declaration "
			    "carries no CN-AU certificate of origin");

	document(&in, "certificate_of_origin_cn_au", "ChAFTA-2026-0815");
	assess(&in);
	assert_int_equal(A.items[0].basis, DUTY_BASIS_PREFERENTIAL);
	assert_string_equal(A.items[0].agreement->code, "CN-AU");
	assert_string_equal(A.items[0].certificate, "ChAFTA-2026-0815");
	/* VAT 603695.50 x 13 % = 78480.415: half up to .42 */
	amounts(0, "543325.95", "0.00", "60369.55", "78480.42");
	totals("543325.95", "0.00", "60369.55", "78480.42", "138849.97");
	reason_is(0,
			    "CN-AU rate 0%: CN-AU certificate of origin ChAFTA-2026-0815, "
			    "origin AU; lower than the MFN rate 14%");
}

/* 6. Compound consumption tax, Hong Kong dollars: kaoliang liquor from
 * Taiwan (Chinese baijiu, 20 % + 1 CNY per litre). */
static void test_example_compound_excise(void **state)
{
	struct assess_input in = input(true, "CIF", "HKD");

	(void)state;
	item(&in, "2208902000", "1200", "095", "216000.00", "TW");
	assess(&in);
	amounts(0, "197013.60", "19701.36", "55678.74", "35411.18");
	assert_int_equal(A.items[0].vat_base, FEN("272393.70"));
	totals("197013.60", "19701.36", "55678.74", "35411.18", "110791.28");
}

/* 7. FOB from Thailand, three items: freight shared by value with the fen
 * left over, insurance estimated at 0.3 % of goods + freight and shared by
 * goods + freight; an ASEAN certificate for the durians and T-shirts. */
static void test_example_fob_three_items(void **state)
{
	struct assess_input in = input(true, "FOB", "USD");

	(void)state;
	freight(&in, "1000.00");
	item(&in, "0810600000", "12000", "035", "37200.00", "TH");
	item(&in, "6109100000", "5000", "011", "11750.00", "TH");
	item(&in, "3304990000", "800", "035", "20480.00", "TH");
	document(&in, "invoice", "TH-INV-0042");
	document(&in, "certificate_of_origin_asean", "E2026TH0001234");
	assess(&in);
	assert_int_equal(A.goods, FEN("69430.00"));
	assert_true(A.insurance_estimated);
	assert_int_equal(A.insurance, FEN("211.29"));
	assert_int_equal(A.value, FEN("70641.29"));
	/* freight 535.79 + 169.24 + 294.97 = 1000.00: the middle item had the
	 * largest remainder (0.52 fen) and took the fen left over */
	assert_int_equal(A.items[0].freight, FEN("535.79"));
	assert_int_equal(A.items[1].freight, FEN("169.24"));
	assert_int_equal(A.items[2].freight, FEN("294.97"));
	assert_int_equal(A.items[0].insurance, FEN("113.21"));
	assert_int_equal(A.items[1].insurance, FEN("35.76"));
	assert_int_equal(A.items[2].insurance, FEN("62.32"));
	assert_int_equal(A.items[2].value, FEN("20837.29"));
	amounts(0, "268814.95", "0.00", "0.00", "24193.35");
	amounts(1, "84908.00", "0.00", "0.00", "11038.04");
	amounts(2, "147992.68", "1479.93", "26377.52", "22860.52");
	totals("501715.63", "1479.93", "26377.52", "58091.91", "85949.36");
	reason_is(0,
			    "ASEAN rate 0%: ASEAN certificate of origin E2026TH0001234, origin "
			    "TH; lower than the MFN rate 20%");
	reason_is(2,
			    "MFN rate 1%: the line has no preferential rate");

	/* without the certificate: MFN for all three */
	in.ndocuments = 1;
	assess(&in);
	amounts(0, "268814.95", "53762.99", "0.00", "29032.01");
	amounts(1, "84908.00", "5094.48", "0.00", "11700.32");
	amounts(2, "147992.68", "1479.93", "26377.52", "22860.52");
	totals("501715.63", "60337.40", "26377.52", "63592.85", "150307.77");
	reason_is(0,
			    "MFN rate 20%: origin TH qualifies for ASEAN 0%, but the declaration "
			    "carries no ASEAN certificate of origin");
}

/* 8. The 50 CNY waiver: a duty of 34.81 is not collected, and the
 * consumption tax and VAT bases leave it out. Perfume samples in euros. */
static void test_example_waiver(void **state)
{
	struct assess_input in = input(true, "CIF", "EUR");

	(void)state;
	item(&in, "3303000000", "2", "035", "150.00", "FR");
	assess(&in);
	amounts(0, "1160.18", "34.81", "204.74", "177.44");
	assert_int_equal(A.items[0].duty_in_base, 0);
	assert_int_equal(A.items[0].vat_base, FEN("1364.92"));
	assert_true(A.duty.waived);
	assert_int_equal(A.duty.due, 0);
	assert_false(A.consumption_tax.waived);
	assert_false(A.vat.waived);
	totals("1160.18", "34.81", "204.74", "177.44", "382.18");
}

/* 9. A provisional rate from an amendment, CFR with insurance declared:
 * the demo's Norwegian salmon in euros (CN-2026-07: 3 % instead of 7 %). */
static void test_example_provisional_amendment(void **state)
{
	struct assess_input in = input(true, "CFR", "EUR");

	(void)state;
	insurance(&in, "210.00");
	item(&in, "0303130000", "22000", "035", "140800.00", "NO");
	assess(&in);
	assert_false(A.insurance_estimated);
	assert_int_equal(A.value, FEN("141010.00"));
	assert_string_equal(A.items[0].version->id, "CN-2026-07");
	assert_int_equal(A.items[0].basis, DUTY_BASIS_PROVISIONAL);
	amounts(0, "1090641.85", "32719.26", "0.00", "101102.50");
	totals("1090641.85", "32719.26", "0.00", "101102.50", "133821.76");
	reason_is(0,
			    "provisional rate 3% (replacing MFN 7%): no preferential rate on "
			    "this line covers origin NO");
}

/* 10. Specific consumption tax: the demo's fuel oil from Singapore, with
 * no ASEAN certificate (provisional 1 %). */
static void test_example_specific_excise(void **state)
{
	struct assess_input in = input(true, "CIF", "USD");

	(void)state;
	item(&in, "2710192200", "38500000", "035", "18537750.00", "SG");
	assess(&in);
	amounts(0, "131660661.83", "1316606.62", "46893000.00", "23383134.90");
	totals("131660661.83", "1316606.62", "46893000.00", "23383134.90", "71592741.52");
	reason_is(0,
			    "provisional rate 1% (replacing MFN 6%): origin SG qualifies for "
			    "ASEAN 0%, but the declaration carries no ASEAN certificate of origin");
}

/* 11. An export, FOB in Hong Kong dollars: the demo's T-shirts. */
static void test_example_export(void **state)
{
	struct assess_input in = input(false, "FOB", "HKD");

	(void)state;
	item(&in, "6109100000", "9600", "011", "273600.00", "CN");
	assess(&in);
	assert_int_equal(A.items[0].value_cny, FEN("249550.56"));
	assert_int_equal(A.items[0].line->export_refund_ppm, 130000);
	assert_int_equal(A.items[0].basis, DUTY_BASIS_NONE);
	totals("249550.56", "0.00", "0.00", "0.00", "0.00");
}

/* ---- rules at their edges --------------------------------------------- */

static const char waiver_tariff[] =
	"{'id': 'X-W', 'effective_from': '2026-01-01', 'kind': 'full', 'lines': ["
	" {'code': '0808100000', 'mfn': {'percent': '10'}, 'vat_percent': '9',"
	"  'export_refund_percent': '9'},"
	" {'code': '8471300000', 'mfn': {'percent': '0'}, 'vat_percent': '13',"
	"  'export_refund_percent': '13'}]}";

static void test_waiver_boundaries(void **state)
{
	struct tariff *t = tariff_of(waiver_tariff);
	struct assess_input in = input(true, "CIF", "CNY");

	(void)state;
	/* duty exactly 50.00: waived; VAT 9 % of 500.00 = 45.00: waived too */
	item(&in, "0808100000", "100", "035", "500.00", "US");
	assess_with(&in, t);
	assert_int_equal(A.duty.computed, FEN("50.00"));
	assert_true(A.duty.waived);
	assert_int_equal(A.items[0].vat_base, FEN("500.00"));
	assert_int_equal(A.vat.computed, FEN("45.00"));
	assert_true(A.vat.waived);
	assert_int_equal(A.total_due, 0);
	assert_false(A.consumption_tax.waived); /* nothing computed: not "waived" */

	/* duty 50.01: collected, and counted in the VAT base: 550.11 x 9 % =
	 * 49.5099, 49.51: waived */
	in.items[0].value = FEN("500.10");
	assess_with(&in, t);
	assert_int_equal(A.duty.due, FEN("50.01"));
	assert_false(A.duty.waived);
	assert_int_equal(A.vat.computed, FEN("49.51"));
	assert_true(A.vat.waived);
	assert_int_equal(A.total_due, FEN("50.01"));

	/* VAT alone at the limit: 384.62 x 13 % = 50.0006 -> 50.00 waived;
	 * 384.66 x 13 % = 50.0058 -> 50.01 collected */
	in.items[0].hs_code = "8471300000";
	in.items[0].unit = "001";
	in.items[0].value = FEN("384.62");
	assess_with(&in, t);
	assert_int_equal(A.vat.computed, FEN("50.00"));
	assert_true(A.vat.waived);
	assert_int_equal(A.total_due, 0);
	in.items[0].value = FEN("384.66");
	assess_with(&in, t);
	assert_int_equal(A.vat.computed, FEN("50.01"));
	assert_false(A.vat.waived);
	assert_int_equal(A.total_due, FEN("50.01"));
	tariff_free(t);
}

/* The month's rate is the China Standard Time month of acceptance. */
static void test_china_month(void **state)
{
	const int64_t nov30_16h = TEST_EPOCH_US + (7 * 86400 + 8 * 3600) * 1000000LL;
	struct assess_input in = input(true, "CIF", "USD");

	(void)state;
	item(&in, "0808100000", "18000", "035", "33300.00", "US");
	in.accepted_at_us = nov30_16h - 1; /* 2026-11-30 23:59:59.999999 in Beijing */
	assess(&in);
	assert_int_equal(A.rate, 710230000);
	assert_int_equal(A.value_cny, FEN("236506.59"));
	in.accepted_at_us = nov30_16h; /* 2026-12-01 00:00 in Beijing */
	assess(&in);
	assert_int_equal(A.rate, 709610000);
	assert_int_equal(A.value_cny, FEN("236300.13"));
}

static void expect_held(const struct assess_input *in, const struct tariff *t,
			const char *field, const char *reason)
{
	struct problems p;

	problems_init(&p);
	assert_int_equal(assessment_compute(in, t, fx, &A, &p), KERR_OK);
	assert_int_equal(p.count, 0);
	assert_int_equal(A.status, ASSESS_HELD);
	assert_string_equal(A.held_field, field);
	assert_string_equal(A.held_reason, reason);
}

static void test_held(void **state)
{
	struct assess_input in = input(true, "CIF", "USD");

	(void)state;
	item(&in, "0808100000", "18000", "035", "33300.00", "US");
	in.accepted_at_us = TEST_EPOCH_US + 43 * 86400000000LL; /* 2027-01-05 */
	expect_held(&in, demo, "/currency", "no exchange rate for USD in 2027-01");
	in.accepted_at_us = TEST_EPOCH_US;
	in.currency = "GBP";
	expect_held(&in, demo, "/currency", "no exchange rate for GBP in 2026-11");

	/* CNY needs no rate; a code with no line in force holds the import */
	in.currency = "CNY";
	item(&in, "9999999999", "1", "007", "100.00", "US");
	expect_held(&in, demo, "/items/1/hs_code",
		    "no tariff line for 9999999999 is in force on 2026-11-23");
	in.nitems = 1;
	in.accepted_at_us = TEST_EPOCH_US - 340 * 86400000000LL; /* 2025-12-18 */
	expect_held(&in, demo, "/items/0/hs_code",
		    "no tariff line for 0808100000 is in force on 2025-12-18");

	/* an export is not held for a code the tariff does not list */
	in = input(false, "FOB", "USD");
	item(&in, "9999999999", "1", "007", "100.00", "CN");
	assess(&in);
	assert_null(A.items[0].line);
	assert_int_equal(A.items[0].value_cny, FEN("710.23"));
}

static void test_preferences(void **state)
{
	struct tariff *t;
	struct assess_input in = input(true, "CIF", "USD");

	(void)state;
	/* RCEP 8 % for Korea beats MFN 10 % only with the certificate */
	item(&in, "8507600000", "1000", "007", "10000.00", "KR");
	assess(&in);
	assert_int_equal(A.items[0].duty, FEN("7102.30"));
	reason_is(0,
			    "MFN rate 10%: origin KR qualifies for RCEP 8%, but the declaration "
			    "carries no RCEP certificate of origin");
	/* another agreement's certificate does not help */
	document(&in, "certificate_of_origin_asean", "E-1");
	assess(&in);
	assert_int_equal(A.items[0].duty, FEN("7102.30"));
	document(&in, "certificate_of_origin_rcep", "RCEP-KR-26-0099");
	assess(&in);
	assert_int_equal(A.items[0].duty, FEN("5681.84"));
	assert_string_equal(A.items[0].agreement->code, "RCEP");
	assert_string_equal(A.items[0].certificate, "RCEP-KR-26-0099");

	/* a certificate for an origin the line does not cover changes nothing */
	in = input(true, "CIF", "USD");
	item(&in, "0808100000", "18000", "035", "33300.00", "US");
	document(&in, "certificate_of_origin_cn_nz", "NZ-1");
	assess(&in);
	assert_int_equal(A.items[0].basis, DUTY_BASIS_MFN);

	/* two agreements at 0 %: the first listed on the line applies */
	in = input(true, "CIF", "USD");
	item(&in, "0810600000", "1000", "035", "3000.00", "VN");
	document(&in, "certificate_of_origin_rcep", "RCEP-VN-1");
	document(&in, "certificate_of_origin_asean", "E-VN-1");
	assess(&in);
	assert_string_equal(A.items[0].agreement->code, "ASEAN");
	assert_string_equal(A.items[0].certificate, "E-VN-1");

	/* a preferential rate above the provisional one is not applied */
	t = tariff_of("{'id': 'X-P', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'agreements': [{'code': 'RCEP', 'name_en': 'RCEP'}], 'lines': ["
		      " {'code': '8507600000', 'mfn': {'percent': '10'},"
		      "  'provisional': {'percent': '4'}, 'preferential': [{'agreement': 'RCEP',"
		      "  'origins': ['JP'], 'duty': {'percent': '5'}}], 'vat_percent': '13',"
		      "  'export_refund_percent': '13'}]}");
	in = input(true, "CIF", "CNY");
	item(&in, "8507600000", "10", "007", "1000.00", "JP");
	document(&in, "certificate_of_origin_rcep", "RCEP-JP-1");
	assess_with(&in, t);
	assert_int_equal(A.items[0].basis, DUTY_BASIS_PROVISIONAL);
	assert_int_equal(A.items[0].duty, FEN("40.00"));
	reason_is(0,
			    "provisional rate 4% (replacing MFN 10%): the RCEP rate 5% for "
			    "origin JP is not lower");
	tariff_free(t);
}

static void test_export_deductions(void **state)
{
	struct assess_input in = input(false, "CIF", "USD");

	(void)state;
	freight(&in, "300.00");
	insurance(&in, "30.00");
	item(&in, "6109100000", "1000", "011", "6000.00", "CN");
	item(&in, "6109100000", "600", "011", "4000.00", "CN");
	assess(&in);
	assert_int_equal(A.value, FEN("9670.00"));
	/* freight 180 + 120; insurance by value after freight: 5820 and 3880
	 * of 9700 -> 18.00 and 12.00 */
	assert_int_equal(A.items[0].freight, FEN("180.00"));
	assert_int_equal(A.items[1].freight, FEN("120.00"));
	assert_int_equal(A.items[0].insurance, FEN("18.00"));
	assert_int_equal(A.items[1].insurance, FEN("12.00"));
	assert_int_equal(A.items[0].value_cny, FEN("41207.54")); /* 5802.00 x 7.1023 */
	assert_int_equal(A.items[1].value_cny, FEN("27471.70")); /* 3868.00 x 7.1023 */
	assert_int_equal(A.value_cny, FEN("68679.24"));

	/* a free sample gets no share of freight */
	in = input(true, "FOB", "USD");
	freight(&in, "100.00");
	insurance(&in, "10.00");
	item(&in, "6109100000", "1000", "011", "6000.00", "VN");
	item(&in, "6109100000", "5", "011", "0.00", "VN");
	assess(&in);
	assert_int_equal(A.items[0].freight, FEN("100.00"));
	assert_int_equal(A.items[1].freight, 0);
	assert_int_equal(A.items[1].insurance, 0);
}

static void test_declared_taxes(void **state)
{
	struct assess_input in = input(true, "CIF", "USD");
	struct assess_declared d;
	struct problems p;
	json_t *j;

	(void)state;
	item(&in, "0808100000", "18000", "035", "33300.00", "US");
	problems_init(&p);
	j = test_json("{'duty': '23650.66', 'consumption_tax': '0', 'vat': '23414.00'}");
	assert_true(assessment_declared_parse(j, "/declared_taxes", &d, &p));
	json_decref(j);
	in.declared = d;
	assess(&in);
	assert_true(A.differs);
	assert_int_equal(A.diff_duty, 0);
	assert_int_equal(A.diff_consumption_tax, 0);
	assert_int_equal(A.diff_vat, -15);
	in.declared.vat = FEN("23414.15");
	assess(&in);
	assert_false(A.differs);

	j = test_json("{'duty': '1', 'consumption_tax': '0'}");
	assert_false(assessment_declared_parse(j, "/declared_taxes", &d, &p));
	test_expect_problem(&p, "/declared_taxes/vat", "is required");
	json_decref(j);
	problems_init(&p);
	j = test_json("{'duty': '1.234', 'consumption_tax': '-1', 'vat': '0', 'total': '2'}");
	assert_false(assessment_declared_parse(j, "/declared_taxes", &d, &p));
	test_expect_problem(&p, "/declared_taxes/duty", "has more than 2 decimal places");
	test_expect_problem(&p, "/declared_taxes/consumption_tax", "must not be negative");
	test_expect_problem(&p, "/declared_taxes/total",
			    "unknown field; accepted fields are: duty, consumption_tax, vat");
	assert_false(d.present);
	json_decref(j);
	problems_init(&p);
	j = json_string("23650.66");
	assert_false(assessment_declared_parse(j, "/declared_taxes", &d, &p));
	test_expect_problem(&p, "/declared_taxes",
			    "must be an object with duty, consumption_tax and vat (CNY, as "
			    "decimal strings)");
	json_decref(j);
}

/* ---- bad input ---------------------------------------------------------- */

static void expect_invalid(const struct assess_input *in, const char *field,
			   const char *text)
{
	struct problems p;

	problems_init(&p);
	assert_int_equal(assessment_compute(in, demo, fx, &A, &p), KERR_INVALID);
	test_expect_problem(&p, field, text);
}

static struct assess_input apples(void)
{
	struct assess_input in = input(true, "CIF", "USD");

	item(&in, "0808100000", "18000", "035", "33300.00", "US");
	return in;
}

static void test_bad_input(void **state)
{
	struct assess_input in;

	(void)state;
	in = apples();
	in.incoterm = "XYZ";
	expect_invalid(&in, "/incoterm",
		       "'XYZ' is not an Incoterms 2020 rule (EXW, FCA, FAS, FOB, CFR, CPT, "
		       "CIF, CIP, DAP, DPU, DDP)");
	in.incoterm = NULL;
	expect_invalid(&in, "/incoterm", "is required");
	in = apples();
	in.currency = "usd";
	expect_invalid(&in, "/currency", "must be an ISO 4217 currency code such as \"USD\"");
	in.currency = NULL;
	expect_invalid(&in, "/currency", "is required");

	in = apples();
	freight(&in, "-1.00");
	insurance(&in, "-0.01");
	expect_invalid(&in, "/freight", "must not be negative");
	expect_invalid(&in, "/insurance", "must not be negative");
	in.freight = ASSESS_AMOUNT_MAX + 1;
	expect_invalid(&in, "/freight", "must be at most 10000000000000.00");

	in = apples();
	in.incoterm = "FCA";
	expect_invalid(&in, "/freight",
		       "is required for an import under FCA: the customs value (CIF) adds "
		       "the freight to the price");
	in = input(false, "CFR", "USD");
	item(&in, "6109100000", "1", "011", "200.00", "CN");
	expect_invalid(&in, "/freight",
		       "is required for an export under CFR: the FOB value deducts the "
		       "freight from the price");
	in.incoterm = "CIP";
	freight(&in, "250.00");
	expect_invalid(&in, "/insurance",
		       "is required for an export under CIP: the FOB value deducts the "
		       "insurance from the price");
	insurance(&in, "50.00");
	expect_invalid(&in, "/freight",
		       "with insurance comes to 300.00, more than the goods value 200.00: "
		       "the FOB value of an export cannot be negative");

	in = apples();
	in.nitems = 0;
	expect_invalid(&in, "/items", "must have at least one item");
	in.nitems = ASSESS_MAX_ITEMS + 1;
	expect_invalid(&in, "/items", "has 51 items; at most 50 are accepted");

	in = apples();
	in.items[0].hs_code = "08081000";
	expect_invalid(&in, "/items/0/hs_code", "must be a 10-digit commodity code");
	in = apples();
	in.items[0].quantity = 0;
	expect_invalid(&in, "/items/0/quantity", "must be greater than zero");
	in.items[0].quantity = -5;
	expect_invalid(&in, "/items/0/quantity", "must be greater than zero");
	in.items[0].quantity = ASSESS_QUANTITY_MAX + 1;
	expect_invalid(&in, "/items/0/quantity", "must be at most 10000000000");
	in = apples();
	in.items[0].unit = "35";
	expect_invalid(&in, "/items/0/unit", "must be a 3-digit customs unit code such as \"035\"");
	in = apples();
	in.items[0].value = -1;
	expect_invalid(&in, "/items/0/unit_price",
		       "must not be negative (the item's value is quantity x unit_price)");
	in.items[0].value = ASSESS_AMOUNT_MAX + 1;
	expect_invalid(&in, "/items/0/unit_price",
		       "gives the item a value above 10000000000000.00");
	in = apples();
	in.items[0].origin = "us";
	expect_invalid(&in, "/items/0/origin_country",
		       "must be an ISO 3166-1 alpha-2 country code such as \"VN\"");

	in = apples();
	document(&in, "invoice", "INV-1");
	document(&in, "certificate_of_origin_rcep", "");
	expect_invalid(&in, "/documents/1/number",
		       "is required: a certificate of origin is identified by its number");
	in = apples();
	in.declared.present = true;
	in.declared.vat = -1;
	expect_invalid(&in, "/declared_taxes/vat", "must not be negative");

	/* specific rates need the quantity in their unit */
	in = input(true, "CIF", "USD");
	item(&in, "0808100000", "1", "035", "10.00", "US");
	item(&in, "0207120000", "24000000", "036", "58800.00", "BR");
	expect_invalid(&in, "/items/1/unit",
		       "is 036, but the specific duty of tariff line 0207120000 is per 035: "
		       "declare the quantity in 035");
	in = input(true, "CIF", "USD");
	item(&in, "2710192200", "39000000", "095", "18537750.00", "SG");
	expect_invalid(&in, "/items/0/unit",
		       "is 095, but the specific consumption tax of tariff line 2710192200 "
		       "is per 035: declare the quantity in 035");

	/* assessment_check alone, at lodging */
	in = apples();
	{
		struct problems p;

		problems_init(&p);
		assert_int_equal(assessment_check(&in, &p), KERR_OK);
		in.items[0].origin = NULL;
		assert_int_equal(assessment_check(&in, &p), KERR_INVALID);
		test_expect_problem(&p, "/items/0/origin_country",
				    "must be an ISO 3166-1 alpha-2 country code such as \"VN\"");
	}
}

static void test_incoterms(void **state)
{
	static const char *const fob[] = { "EXW", "FCA", "FAS", "FOB" };
	static const char *const cfr[] = { "CFR", "CPT" };
	static const char *const cif[] = { "CIF", "CIP", "DAP", "DPU", "DDP" };
	enum valuation_basis b;
	const struct ref_list *l = refdata_list(ref, "incoterms");

	(void)state;
	for (size_t i = 0; i < 4; i++)
		assert_true(assessment_incoterm_basis(fob[i], &b) && b == VALUATION_FOB);
	for (size_t i = 0; i < 2; i++)
		assert_true(assessment_incoterm_basis(cfr[i], &b) && b == VALUATION_CFR);
	for (size_t i = 0; i < 5; i++)
		assert_true(assessment_incoterm_basis(cif[i], &b) && b == VALUATION_CIF);
	assert_false(assessment_incoterm_basis("FOB ", &b));
	assert_false(assessment_incoterm_basis(NULL, &b));
	/* the reference list says the same of every rule it has */
	assert_int_equal(l->n, 11);
	for (size_t i = 0; i < l->n; i++) {
		assert_true(assessment_incoterm_basis(l->entries[i].code, &b));
		assert_string_equal(valuation_basis_name(b),
				    json_string_value(json_object_get(l->entries[i].data,
								      "cost_basis")));
	}
	assert_string_equal(assessment_certificate_agreement(ref, "certificate_of_origin_rcep"),
			    "RCEP");
	assert_null(assessment_certificate_agreement(ref, "certificate_of_origin"));
	assert_null(assessment_certificate_agreement(ref, "invoice"));
	assert_null(assessment_certificate_agreement(ref, "no_such_type"));
}

/* ---- JSON ----------------------------------------------------------------- */

static const char *str_at(const json_t *j, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		size_t n = (size_t)(dot - path);

		memcpy(key, path, n);
		key[n] = '\0';
		j = json_is_array(j) ? json_array_get(j, strtoul(key, NULL, 10))
				     : json_object_get(j, key);
		path = dot + 1;
	}
	j = json_is_array(j) ? json_array_get(j, strtoul(path, NULL, 10))
			     : json_object_get(j, path);
	assert_true(json_is_string(j));
	return json_string_value(j);
}

static void test_rendering(void **state)
{
	struct assess_input in = input(true, "CIF", "USD");
	json_t *j;

	(void)state;
	item(&in, "0808100000", "18000", "035", "33300.00", "US");
	in.declared = (struct assess_declared){ true, FEN("23650.66"), 0, FEN("23414.00") };
	assess(&in);
	j = assessment_to_json(&A);
	assert_non_null(j);
	assert_string_equal(str_at(j, "status"), "assessed");
	assert_string_equal(str_at(j, "direction"), "import");
	assert_string_equal(str_at(j, "date"), "2026-11-23");
	assert_string_equal(str_at(j, "valuation_basis"), "CIF");
	assert_string_equal(str_at(j, "exchange_rate.currency"), "USD");
	assert_string_equal(str_at(j, "exchange_rate.month"), "2026-11");
	assert_string_equal(str_at(j, "exchange_rate.cny_per_unit"), "7.1023");
	assert_string_equal(str_at(j, "customs_value"), "33300.00");
	assert_string_equal(str_at(j, "customs_value_cny"), "236506.59");
	assert_string_equal(str_at(j, "items.0.quantity"), "18000");
	assert_string_equal(str_at(j, "items.0.tariff.version"), "CN-2026");
	assert_string_equal(str_at(j, "items.0.tariff.effective_from"), "2026-01-01");
	assert_string_equal(str_at(j, "items.0.tariff.line.mfn.percent"), "10");
	assert_string_equal(str_at(j, "items.0.duty.basis"), "mfn");
	assert_string_equal(str_at(j, "items.0.duty.rate_text"), "10%");
	assert_string_equal(str_at(j, "items.0.duty.amount"), "23650.66");
	assert_string_equal(str_at(j, "items.0.duty.computation"),
			    "236506.59 x 10% = 23650.66");
	assert_true(json_is_null(json_object_get(
		json_object_get(json_array_get(json_object_get(j, "items"), 0), "duty"),
		"agreement")));
	assert_string_equal(str_at(j, "items.0.consumption_tax.rate_text"), "none");
	assert_string_equal(str_at(j, "items.0.vat.computation"), "260157.25 x 9% = 23414.15");
	assert_string_equal(str_at(j, "taxes.duty.due"), "23650.66");
	assert_string_equal(str_at(j, "taxes.vat.computed"), "23414.15");
	assert_string_equal(str_at(j, "total_due"), "47064.81");
	assert_string_equal(str_at(j, "declared_taxes.vat"), "23414.00");
	assert_string_equal(str_at(j, "differences.vat"), "-0.15");
	assert_string_equal(str_at(j, "differences.duty"), "0.00");
	assert_true(json_is_true(json_object_get(j, "differs")));
	assert_true(json_is_false(json_object_get(
		json_object_get(json_object_get(j, "taxes"), "duty"), "waived")));
	json_decref(j);

	/* a compound consumption tax explains itself */
	in = input(true, "CIF", "HKD");
	item(&in, "2208902000", "1200", "095", "216000.00", "TW");
	assess(&in);
	j = assessment_to_json(&A);
	assert_string_equal(str_at(j, "items.0.consumption_tax.computation"),
			    "(197013.60 + 19701.36 + 1200 (095) x 1) / (1 - 20%) x 20% + "
			    "1200 (095) x 1 = 55678.74");
	assert_string_equal(str_at(j, "items.0.consumption_tax.rate_text"),
			    "20% + 1 CNY per 095");
	assert_true(json_is_null(json_object_get(j, "declared_taxes")));
	json_decref(j);

	/* an export: FOB value and refund rate, no taxes */
	in = input(false, "FOB", "HKD");
	item(&in, "6109100000", "9600", "011", "273600.00", "CN");
	assess(&in);
	j = assessment_to_json(&A);
	assert_string_equal(str_at(j, "direction"), "export");
	assert_string_equal(str_at(j, "items.0.customs_value_cny"), "249550.56");
	assert_string_equal(str_at(j, "items.0.export_refund_percent"), "13");
	assert_null(json_object_get(j, "taxes"));
	json_decref(j);

	/* held */
	in = apples();
	in.currency = "GBP";
	expect_held(&in, demo, "/currency", "no exchange rate for GBP in 2026-11");
	j = assessment_to_json(&A);
	assert_string_equal(str_at(j, "status"), "held");
	assert_string_equal(str_at(j, "reason"), "no exchange rate for GBP in 2026-11");
	assert_string_equal(str_at(j, "field"), "/currency");
	assert_string_equal(str_at(j, "rate_month"), "2026-11");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_ad_valorem_cif),
		cmocka_unit_test(test_example_fob_declared),
		cmocka_unit_test(test_example_specific_cfr),
		cmocka_unit_test(test_example_compound_duty),
		cmocka_unit_test(test_example_wine_certificate),
		cmocka_unit_test(test_example_compound_excise),
		cmocka_unit_test(test_example_fob_three_items),
		cmocka_unit_test(test_example_waiver),
		cmocka_unit_test(test_example_provisional_amendment),
		cmocka_unit_test(test_example_specific_excise),
		cmocka_unit_test(test_example_export),
		cmocka_unit_test(test_waiver_boundaries),
		cmocka_unit_test(test_china_month),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_preferences),
		cmocka_unit_test(test_export_deductions),
		cmocka_unit_test(test_declared_taxes),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_incoterms),
		cmocka_unit_test(test_rendering),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
