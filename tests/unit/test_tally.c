/*
 * test_tally.c - the tally report: validation with exact fields and
 * sentences, and its differences from the manifest written out by hand:
 * a bill short-landed, one over-landed, a package count, a seal, a damaged
 * container, a container not on the manifest.
 */
#include <string.h>

#include "transport_fixture.h"
#include "manifest_fixture.h"
#include "domain/tally.h"

/* What the tally company counted off COSCO SHIPPING ARIES at Nansha. */
static const char discharge_tally[] =
	"{\"kind\":\"discharge\",\"transport_mode\":\"2\","
	"\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\",\"imo\":\"9321378\"},"
	"\"port\":\"CNNSA\",\"bills\":["
	"{\"bill_of_lading\":\"COSU6291830410\",\"packages\":1795,\"containers\":["
	"{\"number\":\"COSU8001236\",\"seals\":[\"CN4410873\"]},"
	"{\"number\":\"CSQU3054383\",\"seals\":[\"CN4410999\"],\"condition\":\"damaged\"}]},"
	"{\"bill_of_lading\":\"COSU6291830434\",\"packages\":300,\"containers\":["
	"{\"number\":\"TGHU6000010\",\"seals\":[\"SL-20931\"],\"condition\":\"sound\"},"
	"{\"number\":\"MSKU7750147\",\"seals\":[]}]},"
	"{\"bill_of_lading\":\"COSU6291830999\",\"packages\":12}]}";

static void differences_from_the_manifest(void **state)
{
	(void)state;
	json_t *mb = fixture_json(original_manifest), *tb = fixture_json(discharge_tally);
	struct problems p;
	struct manifest m;
	struct tally t;
	problems_init(&p);
	assert_int_equal(manifest_validate(mb, ref, &p, &m), KERR_OK);
	assert_int_equal(tally_validate(tb, ref, &p, &t), KERR_OK);
	assert_int_equal(t.kind, TALLY_DISCHARGE);
	assert_string_equal(t.lines.key, m.key);
	assert_int_equal(t.lines.nbills, 3);
	json_t *d;
	assert_int_equal(tally_differences(&m, &t, &d), KERR_OK);
	assert_json_equal(
		d,
		"[{\"bill_of_lading\": \"COSU6291830410\", \"difference\": \"packages\","
		"  \"field\": \"/bills/0/packages\", \"manifested\": 1800, \"tallied\": 1795},"
		" {\"bill_of_lading\": \"COSU6291830410\", \"container\": \"CSQU3054383\","
		"  \"difference\": \"seals\", \"field\": \"/bills/0/containers/1/seals\","
		"  \"manifested\": [\"CN4410874\"], \"tallied\": [\"CN4410999\"]},"
		" {\"bill_of_lading\": \"COSU6291830410\", \"container\": \"CSQU3054383\","
		"  \"difference\": \"damaged\", \"field\": \"/bills/0/containers/1/condition\","
		"  \"manifested\": \"sound\", \"tallied\": \"damaged\"},"
		" {\"bill_of_lading\": \"COSU6291830422\", \"difference\": \"short_landed\","
		"  \"manifested\": 120, \"tallied\": 0},"
		" {\"bill_of_lading\": \"COSU6291830434\", \"container\": \"MSKU7750147\","
		"  \"difference\": \"container_not_manifested\","
		"  \"field\": \"/bills/1/containers/1\", \"manifested\": null,"
		"  \"tallied\": \"MSKU7750147\"},"
		" {\"bill_of_lading\": \"COSU6291830999\", \"difference\": \"over_landed\","
		"  \"field\": \"/bills/2\", \"manifested\": 0, \"tallied\": 12}]");
	json_decref(d);

	/* a container the manifest has and the tally does not */
	tally_free(&t);
	fixture_set(tb, "bills/0/containers/0", NULL);
	assert_int_equal(tally_validate(tb, ref, &p, &t), KERR_OK);
	assert_int_equal(tally_differences(&m, &t, &d), KERR_OK);
	assert_json_equal(json_array_get(d, 1),
			  "{\"bill_of_lading\": \"COSU6291830410\", \"container\": "
			  "\"COSU8001236\", \"difference\": \"container_missing\", "
			  "\"manifested\": \"COSU8001236\", \"tallied\": null}");
	json_decref(d);

	/* a loading tally is not compared with an import manifest */
	tally_free(&t);
	fixture_set(tb, "kind", "\"loading\"");
	assert_int_equal(tally_validate(tb, ref, &p, &t), KERR_OK);
	assert_int_equal(tally_differences(&m, &t, &d), KERR_INVALID);
	assert_null(d);
	tally_free(&t);
	/* nor a tally of another voyage */
	fixture_set(tb, "kind", "\"discharge\"");
	fixture_set(tb, "conveyance/voyage", "\"047E\"");
	assert_int_equal(tally_validate(tb, ref, &p, &t), KERR_OK);
	assert_int_equal(tally_differences(&m, &t, &d), KERR_INVALID);
	tally_free(&t);
	manifest_free(&m);
	json_decref(mb);
	json_decref(tb);
}

static void a_matching_tally(void **state)
{
	(void)state;
	json_t *mb = fixture_json(original_manifest);
	json_t *tb = fixture_json(
		"{\"kind\":\"discharge\",\"transport_mode\":\"2\","
		"\"conveyance\":{\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\","
		"\"imo\":\"9321378\"},\"port\":\"CNNSA\",\"bills\":["
		"{\"bill_of_lading\":\"COSU6291830434\",\"packages\":300,\"containers\":["
		"{\"number\":\"TGHU6000010\",\"seals\":[\"SL-20931\"]}]},"
		"{\"bill_of_lading\":\"COSU6291830422\",\"packages\":120,\"containers\":["
		"{\"number\":\"TGHU6000010\",\"seals\":[\"SL-20931\"]}]},"
		"{\"bill_of_lading\":\"COSU6291830410\",\"packages\":1800,\"containers\":["
		"{\"number\":\"CSQU3054383\",\"seals\":[\"CN4410874\"]},"
		"{\"number\":\"COSU8001236\",\"seals\":[\"CN4410873\"]}]}]}");
	struct problems p;
	struct manifest m;
	struct tally t;
	problems_init(&p);
	assert_int_equal(manifest_validate(mb, ref, &p, &m), KERR_OK);
	assert_int_equal(tally_validate(tb, ref, &p, &t), KERR_OK);
	json_t *d;
	assert_int_equal(tally_differences(&m, &t, &d), KERR_OK);
	assert_json_equal(d, "[]");
	json_decref(d);
	tally_free(&t);
	manifest_free(&m);
	json_decref(mb);
	json_decref(tb);
}

static void bad_tallies(void **state)
{
	(void)state;
	struct {
		const char *path, *value, *field, *text;
	} cases[] = {
		{"bills/2/bill_of_lading", "\"COSU6291830434\"", "/bills/2/bill_of_lading",
		 "repeats bill of lading COSU6291830434 (entry 1); a bill appears once in a "
		 "tally report"},
		{"bills/0/containers/1/number", "\"COSU8001236\"",
		 "/bills/0/containers/1/number",
		 "repeats container COSU8001236 (entry 0 of this bill)"},
		{"bills/1/containers/1/number", "\"COSU8001236\"",
		 "/bills/1/containers/1/seals",
		 "differ from the seals of container COSU8001236 on bill COSU6291830410 "
		 "(/bills/0/containers/0); a container has one set of seals on every bill it "
		 "carries"},
		{"bills/2/containers",
		 "[{\"number\":\"TGHU6000010\",\"seals\":[\"SL-20931\"],\"condition\":\"damaged\"}]",
		 "/bills/2/containers/0/condition",
		 "differs from the condition of container TGHU6000010 on bill COSU6291830434 "
		 "(/bills/1/containers/0); a container shared by bills is one container"},
		{"bills/0/containers/0/number", "\"COSU8001237\"", "/bills/0/containers/0/number",
		 "container number check digit does not match (ISO 6346)"},
		{"bills/0/containers/0/condition", "\"wet\"", "/bills/0/containers/0/condition",
		 "must be one of \"sound\" or \"damaged\""},
		{"bills/0/containers/0/seals/0", "\"\"", "/bills/0/containers/0/seals/0",
		 "must be the seal number found, 1 to 20 characters"},
		{"bills/0/packages", "-1", "/bills/0/packages",
		 "must be a whole number from 0 to 99999999"},
		{"bills/2/weight", "\"12\"", "/bills/2/weight",
		 "unknown field; accepted fields are: bill_of_lading, packages, containers, "
		 "remarks"},
		{"kind", "\"unloading\"", "/kind", "must be one of \"discharge\" or \"loading\""},
		{"bills", NULL, "/bills", "is required"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *tb = fixture_json(discharge_tally);
		fixture_set(tb, cases[i].path, cases[i].value);
		struct problems p;
		struct tally t;
		problems_init(&p);
		assert_int_equal(tally_validate(tb, ref, &p, &t), KERR_INVALID);
		assert_one_problem(&p, cases[i].field, cases[i].text);
		json_decref(tb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(differences_from_the_manifest),
		cmocka_unit_test(a_matching_tally),
		cmocka_unit_test(bad_tallies),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
