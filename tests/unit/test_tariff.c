/*
 * test_tariff.c - unit tests for src/domain/tariff.c: the demo tariff and
 * its amendment parse against the full reference lists; the line in force
 * across versions (before a version, on its first day, through an
 * amendment, stopped by a later full version); 8-digit lines covering
 * their 10-digit codes and giving way to a 10-digit line; every kind of
 * bad input with its exact field and text; conflicting versions; the
 * canonical JSON (written out by hand for one line) and its round trip;
 * rate texts.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "domain/refdata.h"
#include "domain/tariff.h"

static struct refdata *ref;

static int setup(void **state)
{
	(void)state;
	ref = test_reference();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	refdata_release(ref);
	return 0;
}

static struct tariff_version *parse_ok(json_t *doc)
{
	struct problems p;
	struct tariff_version *v;

	problems_init(&p);
	v = tariff_version_parse(doc, ref, &p);
	for (size_t i = 0; i < p.count; i++)
		fprintf(stderr, "%s: %s\n", p.errors[i].field, p.errors[i].problem);
	assert_non_null(v);
	assert_int_equal(p.count, 0);
	json_decref(doc);
	return v;
}

/* The demo tariff: CN-2026 and its July amendment. */
static struct tariff *demo_tariff(void)
{
	struct tariff *t = tariff_new();
	struct problems p;

	problems_init(&p);
	assert_int_equal(tariff_add(t, parse_ok(test_embedded_json("data/tariff/tariff-2026.json")),
				    &p), KERR_OK);
	assert_int_equal(tariff_add(t, parse_ok(test_embedded_json(
					       "data/tariff/tariff-2026-07.json")),
				    &p), KERR_OK);
	return t;
}

/* A one-line version in the single-quote shorthand, with `line` as the
 * line's members after the code. */
static json_t *one_line(const char *line)
{
	char text[4096];

	snprintf(text, sizeof text,
		 "{'id': 'T-1', 'effective_from': '2026-01-01', 'kind': 'full',"
		 " 'agreements': [{'code': 'ASEAN', 'name_en': 'China-ASEAN FTA'},"
		 "                {'code': 'RCEP', 'name_en': 'RCEP'}],"
		 " 'lines': [{'code': '0808100000', %s}]}", line);
	return test_json(text);
}

static const char *const plain = "'mfn': {'percent': '10'}, 'vat_percent': '9', "
				 "'export_refund_percent': '9'";

/* Parse must fail with this problem among those reported. */
static void bad(json_t *doc, const char *field, const char *text)
{
	struct problems p;

	problems_init(&p);
	assert_null(tariff_version_parse(doc, ref, &p));
	test_expect_problem(&p, field, text);
	json_decref(doc);
}

static void bad_line(const char *line, const char *field, const char *text)
{
	bad(one_line(line), field, text);
}

static const struct tariff_line *line_on(const struct tariff *t, const char *code,
					 const char *date, const char *version)
{
	struct tariff_match m;

	assert_true(tariff_lookup(t, code, test_date(date), &m));
	assert_string_equal(m.version->id, version);
	return m.line;
}

static void test_demo_tariff(void **state)
{
	struct tariff *t = demo_tariff();
	const struct tariff_line *l;

	(void)state;
	assert_int_equal(t->nversions, 2);
	assert_string_equal(t->versions[0]->id, "CN-2026");
	assert_false(t->versions[0]->amendment);
	assert_true(t->versions[1]->amendment);
	assert_int_equal(t->versions[0]->nlines, 27);

	/* every commodity the demo and the tests declare has a line */
	static const char *const declared[] = { "0808100000", "8471300000", "0303130000",
						"6109100000", "2710192200", "4407110000",
						"0810600000", "0810600001", "8507600000",
						"3924100000" };
	for (size_t i = 0; i < sizeof declared / sizeof declared[0]; i++) {
		struct tariff_match m;

		assert_true(tariff_lookup(t, declared[i], test_date("2026-11-23"), &m));
	}

	l = line_on(t, "2710192200", "2026-11-23", "CN-2026");
	assert_int_equal(l->mfn.kind, TARIFF_RATE_AD_VALOREM);
	assert_int_equal(l->mfn.ppm, 60000);
	assert_true(l->has_provisional);
	assert_int_equal(l->provisional.ppm, 10000);
	assert_int_equal(l->consumption.kind, TARIFF_RATE_SPECIFIC);
	assert_int_equal(l->consumption.per_unit, 12180);
	assert_string_equal(l->consumption.unit, "035");
	assert_int_equal(l->vat_ppm, 130000);
	assert_int_equal(l->export_refund_ppm, 0);
	assert_int_equal(l->npreferences, 1);
	assert_string_equal(l->preferences[0].agreement->code, "ASEAN");
	assert_int_equal(l->preferences[0].norigins, 10);
	assert_true(tariff_preference_covers(&l->preferences[0], "SG"));
	assert_false(tariff_preference_covers(&l->preferences[0], "US"));
	assert_false(tariff_preference_covers(&l->preferences[0], "sg"));

	l = line_on(t, "2208902000", "2026-11-23", "CN-2026");
	assert_int_equal(l->consumption.kind, TARIFF_RATE_COMPOUND);
	assert_int_equal(l->consumption.ppm, 200000);
	assert_int_equal(l->consumption.per_unit, 10000);
	assert_string_equal(l->consumption.unit, "095");

	l = line_on(t, "0207120000", "2026-11-23", "CN-2026");
	assert_int_equal(l->mfn.kind, TARIFF_RATE_SPECIFIC);
	assert_int_equal(l->mfn.per_unit, 13000);
	assert_int_equal(l->vat_ppm, 90000);
	assert_int_equal(l->consumption.kind, TARIFF_RATE_NONE);

	assert_non_null(tariff_preference_for(line_on(t, "0808100000", "2026-11-23", "CN-2026"),
					      "CN-NZ", "NZ"));
	assert_null(tariff_preference_for(line_on(t, "0808100000", "2026-11-23", "CN-2026"),
					  "CN-NZ", "AU"));
	assert_null(tariff_preference_for(line_on(t, "0808100000", "2026-11-23", "CN-2026"),
					  "RCEP", "NZ"));
	tariff_free(t);
}

static void test_versions_in_force(void **state)
{
	struct tariff *t = demo_tariff();
	struct tariff_match m;
	struct problems p;
	const struct tariff_line *l;

	(void)state;
	/* nothing before the first version */
	assert_false(tariff_lookup(t, "0808100000", test_date("2025-12-31"), &m));
	line_on(t, "0808100000", "2026-01-01", "CN-2026");
	/* salmon: 5 % until the amendment, 3 % from its first day */
	l = line_on(t, "0303130000", "2026-06-30", "CN-2026");
	assert_int_equal(l->provisional.ppm, 50000);
	l = line_on(t, "0303130000", "2026-07-01", "CN-2026-07");
	assert_int_equal(l->provisional.ppm, 30000);
	/* lines the amendment does not list stay as they were */
	line_on(t, "0808100000", "2026-07-01", "CN-2026");
	line_on(t, "0808100000", "2026-12-31", "CN-2026");

	/* a later full version replaces everything: apples have no line in it */
	problems_init(&p);
	assert_int_equal(tariff_add(t, parse_ok(test_json(
				"{'id': 'CN-2027', 'effective_from': '2027-01-01', 'kind': 'full',"
				" 'lines': [{'code': '8471300000', 'mfn': {'percent': '0'},"
				" 'vat_percent': '13', 'export_refund_percent': '13'}]}")),
				    &p), KERR_OK);
	line_on(t, "8471300000", "2027-01-01", "CN-2027");
	line_on(t, "8471300000", "2026-12-31", "CN-2026");
	line_on(t, "0808100000", "2026-12-31", "CN-2026");
	assert_false(tariff_lookup(t, "0808100000", test_date("2027-01-01"), &m));
	/* only 10-digit codes are looked up */
	assert_false(tariff_lookup(t, "08081000", test_date("2026-11-23"), &m));
	assert_false(tariff_lookup(t, "080810000", test_date("2026-11-23"), &m));
	assert_false(tariff_lookup(t, NULL, test_date("2026-11-23"), &m));
	tariff_free(t);
}

static void test_eight_digit_lines(void **state)
{
	struct tariff *t = demo_tariff();
	const struct tariff_line *l;
	struct tariff_match m;
	struct problems p;

	(void)state;
	/* durians: one 8-digit line for every supervision suffix */
	l = line_on(t, "0810600000", "2026-11-23", "CN-2026");
	assert_string_equal(l->code, "08106000");
	assert_ptr_equal(line_on(t, "0810600001", "2026-11-23", "CN-2026"), l);
	assert_false(tariff_lookup(t, "0810700000", test_date("2026-11-23"), &m));
	assert_string_equal(line_on(t, "4407110000", "2026-11-23", "CN-2026")->code,
			    "44071100");
	tariff_free(t);

	/* a 10-digit line takes precedence over its 8-digit line */
	t = tariff_new();
	problems_init(&p);
	assert_int_equal(tariff_add(t, parse_ok(test_json(
				"{'id': 'X', 'effective_from': '2026-01-01', 'kind': 'full', 'lines': ["
				" {'code': '08081000', 'mfn': {'percent': '10'}, 'vat_percent': '9',"
				"  'export_refund_percent': '9'},"
				" {'code': '0808100001', 'mfn': {'percent': '4'}, 'vat_percent': '9',"
				"  'export_refund_percent': '9'}]}")),
				    &p), KERR_OK);
	assert_int_equal(line_on(t, "0808100001", "2026-01-01", "X")->mfn.ppm, 40000);
	assert_int_equal(line_on(t, "0808100000", "2026-01-01", "X")->mfn.ppm, 100000);
	assert_int_equal(line_on(t, "0808100099", "2026-01-01", "X")->mfn.ppm, 100000);
	tariff_free(t);
}

static void test_bad_versions(void **state)
{
	(void)state;
	bad(json_string("CN-2026"), "",
	    "a tariff version must be a JSON object with id, description, "
	    "effective_from, kind, agreements, lines");
	bad(test_json("{'effective_from': '2026-01-01', 'kind': 'full', 'lines': [],"
		      " 'colour': 'red'}"),
	    "/colour",
	    "unknown field; accepted fields are: id, description, effective_from, kind, "
	    "agreements, lines");
	bad(test_json("{'effective_from': '2026-01-01', 'kind': 'full', 'lines': []}"),
	    "/id", "is required");
	bad(test_json("{'id': 'CN 2026', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'lines': []}"),
	    "/id", "must be letters, digits, '.', '-' or '_', such as \"CN-2026\"");
	bad(test_json("{'id': 'T', 'effective_from': '2026-02-30', 'kind': 'full',"
		      " 'lines': []}"),
	    "/effective_from",
	    "must be a calendar date written YYYY-MM-DD, such as \"2026-01-01\"");
	bad(test_json("{'id': 'T', 'kind': 'full', 'lines': []}"), "/effective_from",
	    "is required");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'partial',"
		      " 'lines': []}"),
	    "/kind",
	    "must be \"full\" (the whole tariff) or \"amendment\" (only the lines it "
	    "lists change)");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'lines': []}"),
	    "/lines", "must have at least one line");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full'}"),
	    "/lines", "is required");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'lines': {}}"),
	    "/lines", "must be an array");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'agreements': [{'code': 'rcep', 'name_en': 'x'}], 'lines': []}"),
	    "/agreements/0/code",
	    "must be 2 to 16 capital letters, digits or '-', such as \"RCEP\"");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'agreements': [{'code': 'RCEP', 'name_en': 'x'},"
		      " {'code': 'RCEP', 'name_en': 'y'}], 'lines': []}"),
	    "/agreements/1/code", "repeats agreement RCEP");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'agreements': [{'code': 'RCEP'}], 'lines': []}"),
	    "/agreements/0/name_en", "is required");
}

static void test_bad_lines(void **state)
{
	char twice[1024];

	(void)state;
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'lines': [{'code': '080810000', 'mfn': {'percent': '10'},"
		      " 'vat_percent': '9', 'export_refund_percent': '9'}]}"),
	    "/lines/0/code",
	    "must be 10 digits (a commodity code) or 8 digits (a tariff line covering "
	    "every commodity code that begins with it)");
	snprintf(twice, sizeof twice,
		 "{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full', 'lines': ["
		 "{'code': '0808100000', %s}, {'code': '8471300000', %s},"
		 " {'code': '0808100000', %s}]}", plain, plain, plain);
	bad(test_json(twice), "/lines/2/code", "repeats 0808100000 (/lines/0)");
	bad(test_json("{'id': 'T', 'effective_from': '2026-01-01', 'kind': 'full',"
		      " 'lines': ['0808100000']}"),
	    "/lines/0",
	    "must be an object with code, description, mfn, provisional, preferential, "
	    "vat_percent, consumption_tax, export_refund_percent");
	bad_line("'vat_percent': '9', 'export_refund_percent': '9'", "/lines/0/mfn",
		 "is required");
	bad_line("'mfn': {'percent': 10}, 'vat_percent': '9', 'export_refund_percent': '9'",
		 "/lines/0/mfn/percent",
		 "must be a decimal string such as \"1234.5\" (numbers are sent as strings "
		 "so they stay exact)");
	bad_line("'mfn': {'percent': '10.12345'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/percent", "has more than 4 decimal places");
	bad_line("'mfn': {'percent': '1000.01'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/percent", "must be at most 1000");
	bad_line("'mfn': {'percent': '-1'}, 'vat_percent': '9', 'export_refund_percent': '9'",
		 "/lines/0/mfn/percent", "must not be negative");
	bad_line("'mfn': {}, 'vat_percent': '9', 'export_refund_percent': '9'",
		 "/lines/0/mfn",
		 "must have percent (ad valorem), per_unit with unit (specific), or all "
		 "three (compound)");
	bad_line("'mfn': '10', 'vat_percent': '9', 'export_refund_percent': '9'",
		 "/lines/0/mfn",
		 "must be an object: {\"percent\": P} (ad valorem), {\"per_unit\": A, "
		 "\"unit\": U} (specific) or all three (compound)");
	bad_line("'mfn': {'percent': '10', 'rate': '10'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/rate",
		 "unknown field; accepted fields are: percent, per_unit, unit");
	bad_line("'mfn': {'per_unit': '1.3'}, 'vat_percent': '9', 'export_refund_percent': '9'",
		 "/lines/0/mfn/unit", "is required");
	bad_line("'mfn': {'percent': '10', 'unit': '035'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/unit",
		 "is accepted only with per_unit (a specific rate is an amount per unit)");
	bad_line("'mfn': {'per_unit': '1.3', 'unit': '35'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/unit",
		 "must be a 3-digit customs unit code such as \"035\" (kilogram)");
	bad_line("'mfn': {'per_unit': '1.3', 'unit': '999'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/unit",
		 "'999' is not a known unit of measure (see GET /v1/reference/units)");
	bad_line("'mfn': {'per_unit': '1.30001', 'unit': '035'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/per_unit", "has more than 4 decimal places");
	/* apples are declared in kilograms: a rate per litre cannot be applied */
	bad_line("'mfn': {'per_unit': '1', 'unit': '095'}, 'vat_percent': '9', "
		 "'export_refund_percent': '9'",
		 "/lines/0/mfn/unit",
		 "is 095, but commodity 0808100000 is declared in 035 (its legal unit); "
		 "state the specific rate per 035");
	bad_line("'mfn': {'percent': '10'}, 'provisional': {'per_unit': '1', 'unit': '001'},"
		 " 'vat_percent': '9', 'export_refund_percent': '9'",
		 "/lines/0/provisional/unit",
		 "is 001, but commodity 0808100000 is declared in 035 (its legal unit); "
		 "state the specific rate per 035");
	bad_line("'mfn': {'percent': '10'}, 'vat_percent': '17', 'export_refund_percent': '9'",
		 "/lines/0/vat_percent",
		 "must be \"13\" or \"9\" (the import VAT rates, in percent)");
	bad_line("'mfn': {'percent': '10'}, 'vat_percent': '0.13', "
		 "'export_refund_percent': '9'",
		 "/lines/0/vat_percent",
		 "must be \"13\" or \"9\" (the import VAT rates, in percent)");
	bad_line("'mfn': {'percent': '10'}, 'export_refund_percent': '9'",
		 "/lines/0/vat_percent", "is required");
	bad_line("'mfn': {'percent': '10'}, 'vat_percent': '9', 'export_refund_percent': '15'",
		 "/lines/0/export_refund_percent", "must be at most 13");
	bad_line("'mfn': {'percent': '10'}, 'vat_percent': '9'",
		 "/lines/0/export_refund_percent", "is required");
	bad_line("'mfn': {'percent': '10'}, 'vat_percent': '9', 'export_refund_percent': '9',"
		 " 'consumption_tax': {'percent': '100'}",
		 "/lines/0/consumption_tax/percent", "must be at most 99.9999");
	bad_line("'mfn': {'percent': '10'}, 'vat_percent': '9', 'export_refund_percent': '9',"
		 " 'duty': '10'",
		 "/lines/0/duty",
		 "unknown field; accepted fields are: code, description, mfn, provisional, "
		 "preferential, vat_percent, consumption_tax, export_refund_percent");
}

static void test_bad_preferences(void **state)
{
	char line[1024];

	(void)state;
#define PREF(x) (snprintf(line, sizeof line, "%s, 'preferential': %s", plain, x), line)
	bad_line(PREF("[{'agreement': 'CN-NZ', 'origins': ['NZ'], 'duty': {'percent': '0'}}]"),
		 "/lines/0/preferential/0/agreement",
		 "'CN-NZ' is not one of the version's agreements (list it under /agreements)");
	bad_line(PREF("[{'agreement': 'ASEAN', 'origins': [], 'duty': {'percent': '0'}}]"),
		 "/lines/0/preferential/0/origins", "must list at least one origin country");
	bad_line(PREF("[{'agreement': 'ASEAN', 'duty': {'percent': '0'}}]"),
		 "/lines/0/preferential/0/origins", "is required");
	bad_line(PREF("[{'agreement': 'ASEAN', 'origins': ['vn'], 'duty': {'percent': '0'}}]"),
		 "/lines/0/preferential/0/origins/0",
		 "must be an ISO 3166-1 alpha-2 country code such as \"VN\"");
	bad_line(PREF("[{'agreement': 'ASEAN', 'origins': ['VN', 'TH', 'VN'],"
		      " 'duty': {'percent': '0'}}]"),
		 "/lines/0/preferential/0/origins/2", "repeats VN");
	bad_line(PREF("[{'agreement': 'ASEAN', 'origins': ['VN', 'TH'], 'duty': {'percent': '0'}},"
		      " {'agreement': 'ASEAN', 'origins': ['MY', 'TH'], 'duty': {'percent': '5'}}]"),
		 "/lines/0/preferential/1/origins/1",
		 "TH is already covered by ASEAN on this line (preferential/0)");
	bad_line(PREF("[{'agreement': 'ASEAN', 'origins': ['VN']}]"),
		 "/lines/0/preferential/0/duty", "is required");
	bad_line(PREF("[{'agreement': 'ASEAN', 'origins': ['VN'], 'duty': {'per_unit': '1',"
		      " 'unit': '095'}}]"),
		 "/lines/0/preferential/0/duty/unit",
		 "is 095, but commodity 0808100000 is declared in 035 (its legal unit); "
		 "state the specific rate per 035");
	bad_line(PREF("[{'agreement': 'ASEAN', 'origins': ['VN'], 'duty': {'percent': '0'},"
		      " 'quota': '100'}]"),
		 "/lines/0/preferential/0/quota",
		 "unknown field; accepted fields are: agreement, origins, duty");
	bad_line(PREF("{}"), "/lines/0/preferential", "must be an array");
#undef PREF
}

static void test_conflicting_versions(void **state)
{
	struct tariff *t = demo_tariff();
	struct problems p;

	(void)state;
	problems_init(&p);
	assert_int_equal(tariff_add(t, parse_ok(one_line(plain)), &p), KERR_CONFLICT);
	test_expect_problem(&p, "/effective_from",
			    "version CN-2026 already takes effect on 2026-01-01; give this "
			    "version another date");
	problems_init(&p);
	assert_int_equal(tariff_add(t, parse_ok(test_json(
				"{'id': 'CN-2026', 'effective_from': '2026-03-01', 'kind': 'amendment',"
				" 'lines': [{'code': '0808100000', 'mfn': {'percent': '10'},"
				" 'vat_percent': '9', 'export_refund_percent': '9'}]}")),
				    &p), KERR_CONFLICT);
	test_expect_problem(&p, "/id",
			    "version CN-2026 is already loaded; an amendment is a new version "
			    "with its own id");
	assert_int_equal(t->nversions, 2);
	tariff_free(t);
}

static char *dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	assert_non_null(s);
	return s;
}

static void test_canonical_json(void **state)
{
	struct tariff_version *v;
	json_t *j;
	char *s;

	(void)state;
	v = parse_ok(test_json(
		"{'id': 'T-1', 'effective_from': '2026-01-01', 'kind': 'full',"
		" 'agreements': [{'code': 'ASEAN', 'name_en': 'China-ASEAN FTA'}],"
		" 'lines': [{'code': '2208902000', 'mfn': {'percent': '10.000'},"
		"  'preferential': [{'agreement': 'ASEAN', 'origins': ['VN', 'TH'],"
		"                    'duty': {'percent': '0.50'}}],"
		"  'vat_percent': '13.0', 'consumption_tax': {'percent': '20',"
		"  'per_unit': '1.0000', 'unit': '095'}, 'export_refund_percent': '13'}]}"));
	j = tariff_line_to_json(&v->lines[0]);
	s = dump(j);
	assert_string_equal(
		s, "{\"code\":\"2208902000\",\"consumption_tax\":{\"per_unit\":\"1\","
		   "\"percent\":\"20\",\"unit\":\"095\"},\"export_refund_percent\":\"13\","
		   "\"mfn\":{\"percent\":\"10\"},\"preferential\":[{\"agreement\":\"ASEAN\","
		   "\"duty\":{\"percent\":\"0.5\"},\"origins\":[\"TH\",\"VN\"]}],"
		   "\"vat_percent\":\"13\"}");
	free(s);
	json_decref(j);
	tariff_version_free(v);
}

/* The demo version rendered and parsed again renders the same. */
static void test_round_trip(void **state)
{
	struct tariff *t = demo_tariff();

	(void)state;
	for (size_t i = 0; i < t->nversions; i++) {
		json_t *j = tariff_version_to_json(t->versions[i]);
		char *first = dump(j);
		struct tariff_version *again = parse_ok(j);
		json_t *j2 = tariff_version_to_json(again);
		char *second = dump(j2);

		assert_string_equal(first, second);
		free(first);
		free(second);
		json_decref(j2);
		tariff_version_free(again);
	}
	tariff_free(t);
}

static void test_rate_text(void **state)
{
	struct tariff_rate r = { TARIFF_RATE_AD_VALOREM, 100000, 0, "" };
	char buf[64];

	(void)state;
	tariff_rate_text(&r, buf, sizeof buf);
	assert_string_equal(buf, "10%");
	r = (struct tariff_rate){ TARIFF_RATE_SPECIFIC, 0, 13000, "035" };
	tariff_rate_text(&r, buf, sizeof buf);
	assert_string_equal(buf, "1.3 CNY per 035");
	r = (struct tariff_rate){ TARIFF_RATE_COMPOUND, 200000, 10000, "095" };
	tariff_rate_text(&r, buf, sizeof buf);
	assert_string_equal(buf, "20% + 1 CNY per 095");
	r = (struct tariff_rate){ TARIFF_RATE_NONE, 0, 0, "" };
	tariff_rate_text(&r, buf, sizeof buf);
	assert_string_equal(buf, "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_tariff),
		cmocka_unit_test(test_versions_in_force),
		cmocka_unit_test(test_eight_digit_lines),
		cmocka_unit_test(test_bad_versions),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_bad_preferences),
		cmocka_unit_test(test_conflicting_versions),
		cmocka_unit_test(test_canonical_json),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rate_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
