/*
 * test_manifest.c - cargo manifests without a database: a valid original
 * manifest read into bills and containers; every bad input with its exact
 * field and sentence (duplicate bill, container check digit, seals); what
 * an amendment changed, field by field; when a manifest may be lodged and
 * amended (never after departure).
 */
#include <string.h>

#include "transport_fixture.h"
#include "manifest_fixture.h"
#include "common/clock.h"
#include "domain/manifest.h"

static kerr validate(json_t *body, struct problems *p, struct manifest *m)
{
	problems_init(p);
	return manifest_validate(body, ref, p, m);
}

static void valid_manifest(void **state)
{
	(void)state;
	json_t *body = fixture_json(original_manifest);
	struct problems p;
	struct manifest m;
	assert_int_equal(validate(body, &p, &m), KERR_OK);
	assert_int_equal(m.kind, MANIFEST_ORIGINAL);
	assert_true(manifest_kind_import(m.kind));
	assert_string_equal(m.key, "2|9321378|046E|CNNSA");
	assert_string_equal(m.carrier, "COSCO SHIPPING Lines");
	assert_int_equal(m.nbills, 3);
	const struct manifest_bill *a = manifest_find_bill(&m, "COSU6291830410");
	assert_non_null(a);
	assert_int_equal(a->index, 0);
	assert_int_equal(a->packages, 1800);
	assert_int_equal(a->gross_weight_g, 19850000);
	assert_string_equal(a->hs_heading, "0808");
	assert_string_equal(a->package_kind, "CT");
	assert_int_equal(a->ncontainers, 2);
	assert_string_equal(a->containers[0].number, "COSU8001236");
	assert_string_equal(a->containers[1].number, "CSQU3054383");
	const struct manifest_bill *c = manifest_find_bill(&m, "COSU6291830434");
	assert_non_null(c);
	assert_null(c->hs_heading);
	assert_int_equal(c->gross_weight_g, 2100000);
	assert_null(manifest_find_bill(&m, "COSU6291830499"));
	assert_null(manifest_find_bill(&m, NULL));

	const struct manifest_bill *on[4];
	assert_int_equal(manifest_bills_of_container(&m, "TGHU6000010", on, 4), 2);
	assert_string_equal(on[0]->bill_of_lading, "COSU6291830422");
	assert_string_equal(on[1]->bill_of_lading, "COSU6291830434");
	assert_int_equal(manifest_bills_of_container(&m, "TGHU6000010", on, 1), 2);
	assert_int_equal(manifest_bills_of_container(&m, "MSKU7750147", on, 4), 0);
	manifest_free(&m);
	json_decref(body);

	enum manifest_kind k;
	assert_true(manifest_kind_parse("pre_loading", &k));
	assert_int_equal(k, MANIFEST_PRE_LOADING);
	assert_false(manifest_kind_parse("export", &k));
	assert_string_equal(manifest_kind_name(MANIFEST_DEPARTURE), "departure");
	assert_false(manifest_kind_import(MANIFEST_LOADING));
}

struct bad {
	const char *name;
	const char *path;
	const char *value;
	const char *field;
	const char *text;
};

static const struct bad bad_manifests[] = {
	{"duplicate bill", "bills/2/bill_of_lading", "\"COSU6291830410\"",
	 "/bills/2/bill_of_lading",
	 "repeats bill of lading COSU6291830410 (entry 0); a bill appears once in a manifest"},
	{"container check digit", "bills/0/containers/1/number", "\"CSQU3054384\"",
	 "/bills/0/containers/1/number",
	 "container number check digit does not match (ISO 6346)"},
	{"container category", "bills/0/containers/1/number", "\"CSQX3054383\"",
	 "/bills/0/containers/1/number",
	 "container number category letter (4th character) must be U, J or Z"},
	{"container twice on a bill", "bills/0/containers/1/number", "\"COSU8001236\"",
	 "/bills/0/containers/1/number",
	 "repeats container COSU8001236 (entry 0 of this bill)"},
	{"shared container with other seals", "bills/2/containers/0/seals", "[\"SL-20932\"]",
	 "/bills/2/containers/0/seals",
	 "differ from the seals of container TGHU6000010 on bill COSU6291830422 "
	 "(/bills/1/containers/0); a container has one set of seals on every bill it carries"},
	{"seal twice", "bills/0/containers/0/seals", "[\"CN4410873\",\"CN4410873\"]",
	 "/bills/0/containers/0/seals/1", "repeats seal CN4410873 (entry 0)"},
	{"seal in lower case", "bills/0/containers/0/seals", "[\"cn 1\"]",
	 "/bills/0/containers/0/seals/0",
	 "must be a seal number: 1 to 20 capital letters, digits and '-'"},
	{"no seal", "bills/0/containers/0/seals", "[]", "/bills/0/containers/0/seals",
	 "must have at least one entry"},
	{"five seals", "bills/0/containers/0/seals", "[\"A\",\"B\",\"C\",\"D\",\"E\"]",
	 "/bills/0/containers/0/seals", "has 5 entries; at most 4 are accepted"},
	{"size type", "bills/0/containers/0/size_type", "\"45R\"",
	 "/bills/0/containers/0/size_type",
	 "must be the ISO 6346 size and type code: 4 capital letters and digits, such as "
	 "22G1 or 45G1"},
	{"container as a string", "bills/0/containers/0", "\"COSU8001236\"",
	 "/bills/0/containers/0",
	 "must be an object with number, seals and optionally size_type"},
	{"HS chapter 77", "bills/0/hs_heading", "\"7701\"", "/bills/0/hs_heading",
	 "must be the HS heading or subheading: 4, 6, 8 or 10 digits starting with a "
	 "chapter from 01 to 97, such as 0808 or 080810"},
	{"HS of five digits", "bills/0/hs_heading", "\"08081\"", "/bills/0/hs_heading",
	 "must be the HS heading or subheading: 4, 6, 8 or 10 digits starting with a "
	 "chapter from 01 to 97, such as 0808 or 080810"},
	{"package kind", "bills/0/package_kind", "\"ZZ\"", "/bills/0/package_kind",
	 "'ZZ' is not a known package kind (UN/ECE Rec. 21) (see GET "
	 "/v1/reference/package_kinds)"},
	{"weight as a number", "bills/0/gross_weight_kg", "19850", "/bills/0/gross_weight_kg",
	 "must be a decimal string such as \"1234.5\" (numbers are sent as strings so they "
	 "stay exact)"},
	{"weight to the tenth of a gram", "bills/0/gross_weight_kg", "\"19850.0001\"",
	 "/bills/0/gross_weight_kg", "has more than 3 decimal places"},
	{"weight zero", "bills/0/gross_weight_kg", "\"0\"", "/bills/0/gross_weight_kg",
	 "must be greater than zero"},
	{"no packages", "bills/0/packages", "0", "/bills/0/packages",
	 "must be a whole number from 1 to 99999999"},
	{"consignee missing", "bills/0/consignee", NULL, "/bills/0/consignee", "is required"},
	{"consignee USCC", "bills/0/consignee/uscc", "\"91440101MA59TRAD01\"",
	 "/bills/0/consignee/uscc",
	 "unified social credit code check digit does not match (GB 32100-2015)"},
	{"consignor's phone", "bills/0/consignor/phone", "\"+1 509 555 0100\"",
	 "/bills/0/consignor/phone",
	 "unknown field; accepted fields are: name, address, country, uscc"},
	{"consignor's country", "bills/0/consignor/country", "\"USA\"",
	 "/bills/0/consignor/country",
	 "'USA' is not a known ISO 3166-1 alpha-2 country code (see GET "
	 "/v1/reference/countries)"},
	{"unknown bill member", "bills/0/vessel", "\"COSCO SHIPPING ARIES\"", "/bills/0/vessel",
	 "unknown field; accepted fields are: bill_of_lading, consignor, consignee, "
	 "notify_party, goods_description, hs_heading, packages, package_kind, "
	 "gross_weight_kg, containers, remarks"},
	{"bill of lading with a space", "bills/0/bill_of_lading", "\"COSU 6291830410\"",
	 "/bills/0/bill_of_lading", "may only contain letters, digits, '-', '/' and '.'"},
	{"goods missing", "bills/1/goods_description", NULL, "/bills/1/goods_description",
	 "is required"},
	{"bill not an object", "bills/1", "\"COSU6291830422\"", "/bills/1",
	 "must be an object with bill_of_lading, consignor, consignee, notify_party, "
	 "goods_description, hs_heading, packages, package_kind, gross_weight_kg, "
	 "containers, remarks"},
	{"no bills", "bills", "[]", "/bills", "must have at least one entry"},
	{"IMO missing by water", "conveyance/imo", NULL, "/conveyance/imo", "is required"},
	{"IMO check digit", "conveyance/imo", "\"9321377\"", "/conveyance/imo",
	 "IMO ship number check digit does not match (IMO)"},
	{"conveyance not an object", "conveyance", "\"COSCO SHIPPING ARIES\"", "/conveyance",
	 "must be an object with name, voyage and imo"},
	{"port abroad", "port", "\"HKHKG\"", "/port",
	 "HKHKG (Hong Kong) is not a port of entry kouan clears: no customs office serves "
	 "it; the manifest names the port of this call"},
	{"post", "transport_mode", "\"6\"", "/transport_mode",
	 "manifests are for waterway (\"2\"), road (\"4\") and air (\"5\") transport"},
	{"unknown kind", "kind", "\"import\"", "/kind",
	 "must be one of \"original\", \"pre_loading\", \"loading\" or \"departure\""},
	{"unknown member", "eta", "\"2026-11-23T06:00:00Z\"", "/eta",
	 "unknown field; accepted fields are: kind, transport_mode, conveyance, port, "
	 "carrier, bills, remarks"},
};

static void bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_manifests / sizeof bad_manifests[0]; i++) {
		const struct bad *b = &bad_manifests[i];
		json_t *body = fixture_json(original_manifest);
		fixture_set(body, b->path, b->value);
		struct problems p;
		struct manifest m;
		kerr e = validate(body, &p, &m);
		if (e != KERR_INVALID || p.count != 1)
			fprintf(stderr, "case: %s\n", b->name);
		assert_int_equal(e, KERR_INVALID);
		assert_one_problem(&p, b->field, b->text);
		assert_null(m.bills);
		json_decref(body);
	}
	json_t *body = json_string("manifest");
	struct problems p;
	struct manifest m;
	assert_int_equal(validate(body, &p, &m), KERR_INVALID);
	assert_one_problem(&p, "", "the manifest must be a JSON object");
	json_decref(body);
}

/* The amendment: the toys first, the apples short of five cartons with one
 * reefer unloaded elsewhere, a new seal on the other and a third reefer;
 * the machine parts gone, a bill of cheese added, the agent named. */
static json_t *amended(void)
{
	json_t *b = fixture_json(original_manifest);
	json_t *bills = json_object_get(b, "bills");
	json_t *apples = json_incref(json_array_get(bills, 0));
	json_t *toys = json_incref(json_array_get(bills, 2));
	json_array_clear(bills);
	json_array_append_new(bills, toys);
	json_array_append_new(bills, apples);
	fixture_set(b, "bills/1/packages", "1795");
	fixture_set(b, "bills/1/containers/0", NULL);
	fixture_set(b, "bills/1/containers/0/seals", "[\"CN4410880\"]");
	json_array_append_new(json_object_get(apples, "containers"),
			      fixture_json("{\"number\":\"MSKU7750147\",\"seals\":[\"CN4410881\"]}"));
	json_array_append_new(
		bills,
		fixture_json("{\"bill_of_lading\":\"COSU6291830446\","
			     "\"consignor\":{\"name\":\"Wisconsin Dairy Export\"},"
			     "\"consignee\":{\"name\":\"Guangzhou Wanhe Trading Co., Ltd.\"},"
			     "\"goods_description\":\"Cheddar cheese\",\"hs_heading\":\"0406\","
			     "\"packages\":400,\"package_kind\":\"CT\",\"gross_weight_kg\":\"8800.000\","
			     "\"containers\":[{\"number\":\"CAIU2314569\",\"seals\":[\"CN4410882\"]}]}"));
	fixture_set(b, "carrier", "\"COSCO SHIPPING Lines (agent: Penavico Guangzhou)\"");
	return b;
}

static void changes_of_an_amendment(void **state)
{
	(void)state;
	json_t *jb = fixture_json(original_manifest), *ja = amended();
	struct problems p;
	struct manifest before, after;
	assert_int_equal(validate(jb, &p, &before), KERR_OK);
	assert_int_equal(validate(ja, &p, &after), KERR_OK);
	json_t *changes;
	assert_int_equal(manifest_changes(&before, &after, &changes), KERR_OK);
	assert_json_equal(
		changes,
		"{\"header\": [{\"field\": \"/carrier\", \"before\": \"COSCO SHIPPING Lines\","
		"              \"after\": \"COSCO SHIPPING Lines (agent: Penavico Guangzhou)\"}],"
		" \"bills\": ["
		"  {\"bill_of_lading\": \"COSU6291830410\", \"change\": \"changed\","
		"   \"index\": 1, \"previous_index\": 0, \"fields\": ["
		"    {\"field\": \"/bills/0/containers/0\", \"after\": null,"
		"     \"before\": {\"number\": \"COSU8001236\", \"seals\": [\"CN4410873\"],"
		"                 \"size_type\": \"45R1\"}},"
		"    {\"field\": \"/bills/1/containers/0/seals\", \"before\": [\"CN4410874\"],"
		"     \"after\": [\"CN4410880\"]},"
		"    {\"field\": \"/bills/1/containers/1\", \"before\": null,"
		"     \"after\": {\"number\": \"MSKU7750147\", \"seals\": [\"CN4410881\"]}},"
		"    {\"field\": \"/bills/1/packages\", \"before\": 1800, \"after\": 1795}]},"
		"  {\"bill_of_lading\": \"COSU6291830422\", \"change\": \"removed\","
		"   \"previous_index\": 1},"
		"  {\"bill_of_lading\": \"COSU6291830446\", \"change\": \"added\", \"index\": 2}],"
		" \"added\": 1, \"removed\": 1, \"changed\": 1}");

	struct call_state s = {0};
	assert_true(manifest_amend_check(&before, &after, changes, &s, &p));
	assert_int_equal(p.count, 0);
	/* after departure, nothing changes */
	s.departed = true;
	s.departed_at = 1795545000000000LL; /* 2026-11-24T18:30:00Z */
	assert_false(manifest_amend_check(&before, &after, changes, &s, &p));
	assert_one_problem(&p, "",
			   "the conveyance departed at 2026-11-24T18:30:00.000000Z; manifests "
			   "of a departed call can no longer be amended");
	json_decref(changes);
	manifest_free(&after);
	json_decref(ja);

	/* the same bills and containers in another order: nothing changed */
	ja = fixture_json(original_manifest);
	json_t *bills = json_object_get(ja, "bills");
	json_t *first = json_incref(json_array_get(bills, 0));
	json_array_remove(bills, 0);
	json_array_append_new(bills, first);
	json_t *reefers = json_object_get(first, "containers");
	json_t *reefer = json_incref(json_array_get(reefers, 0));
	json_array_remove(reefers, 0);
	json_array_append_new(reefers, reefer);
	assert_int_equal(validate(ja, &p, &after), KERR_OK);
	assert_int_equal(manifest_changes(&before, &after, &changes), KERR_OK);
	assert_json_equal(changes, "{\"header\": [], \"bills\": [], \"added\": 0, "
				   "\"removed\": 0, \"changed\": 0}");
	s.departed = false;
	assert_false(manifest_amend_check(&before, &after, changes, &s, &p));
	assert_one_problem(&p, "", "the amendment changes nothing; the current version stays");
	json_decref(changes);
	manifest_free(&after);
	json_decref(ja);
	manifest_free(&before);
	json_decref(jb);
}

static void amendments_keep_the_call(void **state)
{
	(void)state;
	json_t *jb = fixture_json(original_manifest);
	struct problems p;
	struct manifest before, after;
	struct call_state s = {0};
	json_t *changes;
	assert_int_equal(validate(jb, &p, &before), KERR_OK);
	struct {
		const char *path, *value, *field, *text;
	} cases[] = {
		{"conveyance/voyage", "\"047E\"", "/conveyance",
		 "cannot change in an amendment: this manifest belongs to the call "
		 "2|9321378|046E|CNNSA; another conveyance or voyage has manifests of its own"},
		{"kind", "\"pre_loading\"", "/kind",
		 "cannot change in an amendment (it is \"original\"); lodge a manifest of that "
		 "kind separately"},
		{"port", "\"CNYTN\"", "/port",
		 "cannot change in an amendment (it is CNNSA); a call at another port has "
		 "manifests of its own"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *ja = fixture_json(original_manifest);
		fixture_set(ja, cases[i].path, cases[i].value);
		assert_int_equal(validate(ja, &p, &after), KERR_OK);
		assert_int_equal(manifest_changes(&before, &after, &changes), KERR_OK);
		assert_false(manifest_amend_check(&before, &after, changes, &s, &p));
		assert_one_problem(&p, cases[i].field, cases[i].text);
		json_decref(changes);
		manifest_free(&after);
		json_decref(ja);
	}
	manifest_free(&before);
	json_decref(jb);
}

static void when_manifests_are_lodged(void **state)
{
	(void)state;
	const int64_t departed_at = 1795545000000000LL; /* 2026-11-24T18:30:00Z */
	const char *gone = "the conveyance departed at 2026-11-24T18:30:00.000000Z; ";
	struct {
		enum manifest_kind kind;
		bool arrived, departed, pre_loading, loading, original;
		bool ok, late;
		const char *text;
	} cases[] = {
		{MANIFEST_ORIGINAL, false, false, false, false, false, true, false, NULL},
		{MANIFEST_ORIGINAL, true, false, false, false, false, true, true, NULL},
		{MANIFEST_ORIGINAL, true, true, false, false, false, false, true,
		 "manifests of a departed call can no longer be lodged"},
		{MANIFEST_ORIGINAL, false, false, false, false, true, false, false,
		 "this call already has its original manifest; send an amendment of it instead"},
		{MANIFEST_PRE_LOADING, true, false, false, false, false, true, false, NULL},
		{MANIFEST_LOADING, true, false, false, false, false, false, false,
		 "the loading manifest follows the pre-loading manifest; lodge the pre_loading "
		 "manifest of this call first"},
		{MANIFEST_LOADING, true, false, true, false, false, true, false, NULL},
		{MANIFEST_LOADING, true, true, true, false, false, false, false,
		 "the loading manifest is lodged before departure; lodge the departure manifest "
		 "instead"},
		{MANIFEST_DEPARTURE, true, false, true, true, false, false, false,
		 "the departure manifest closes the call once the conveyance has departed, and "
		 "it has not departed yet"},
		{MANIFEST_DEPARTURE, true, true, true, false, false, false, false,
		 "the departure manifest follows the loading manifest; lodge the loading "
		 "manifest of this call first"},
		{MANIFEST_DEPARTURE, true, true, true, true, false, true, false, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct call_state s = {0};
		s.arrived = cases[i].arrived;
		s.departed = cases[i].departed;
		s.departed_at = departed_at;
		s.lodged[MANIFEST_PRE_LOADING] = cases[i].pre_loading;
		s.lodged[MANIFEST_LOADING] = cases[i].loading;
		s.lodged[MANIFEST_ORIGINAL] = cases[i].original;
		struct problems p;
		problems_init(&p);
		bool late = !cases[i].late;
		bool ok = manifest_lodge_check(cases[i].kind, &s, &p, &late);
		if (ok != cases[i].ok)
			fprintf(stderr, "case %zu\n", i);
		assert_int_equal(ok, cases[i].ok);
		assert_int_equal(late, cases[i].late);
		if (cases[i].ok) {
			assert_int_equal(p.count, 0);
			continue;
		}
		char text[PROBLEM_TEXT_MAX];
		bool departed_text = cases[i].departed && cases[i].kind != MANIFEST_DEPARTURE;
		snprintf(text, sizeof text, "%s%s", departed_text ? gone : "", cases[i].text);
		assert_one_problem(&p, "/kind", text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_manifest),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(changes_of_an_amendment),
		cmocka_unit_test(amendments_keep_the_call),
		cmocka_unit_test(when_manifests_are_lodged),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
