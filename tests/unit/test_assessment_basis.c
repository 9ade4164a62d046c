/*
 * test_assessment_basis.c - unit tests for src/domain/assessment_basis.c.
 *
 * The basis of an assessment on the demo tariff (Australian wine with its
 * CN-AU certificate, under CN-2026; Norwegian salmon, under the CN-2026-07
 * amendment), written as its two texts and read back; every malformed text
 * refused with KERR_INVALID, never a crash; the assessment computed again
 * from the basis giving the same explanation byte for byte when the
 * tariff has gained a backdated amendment and the reference list no longer
 * says which agreement the certificate is for; a basis whose amounts
 * differ, or that names a version the tariff lacks, refused.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "domain/assessment_basis.h"
#include "domain/refdata.h"
#include "assessment_fixture.h"

static struct assessment A, B; /* large: static */
static struct assessment_basis basis;

/* Wine from Australia with its certificate, salmon from Norway, CIF in
 * US dollars, accepted on 2026-11-23. */
static struct assess_input wine_and_salmon(void)
{
	struct assess_input in;

	memset(&in, 0, sizeof in);
	in.import = true;
	in.incoterm = "CIF";
	in.currency = "USD";
	in.accepted_at_us = TEST_EPOCH_US;
	in.items[0] = (struct assess_item){"2204210000", test_decimal("9000", 5), "095",
					   test_decimal("76500.00", 2), "AU"};
	in.items[1] = (struct assess_item){"0303130000", test_decimal("22000", 5), "035",
					   test_decimal("19800.00", 2), "NO"};
	in.nitems = 2;
	in.documents[0] = (struct assess_document){"invoice", "AUW-7781", NULL};
	in.documents[1] = (struct assess_document){
		"certificate_of_origin_cn_au", "ChAFTA-2026-0815",
		assessment_certificate_agreement(ref, "certificate_of_origin_cn_au")};
	in.ndocuments = 2;
	return in;
}

static char *dumped(const struct assessment *a)
{
	json_t *j = assessment_to_json(a);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	assert_non_null(s);
	return s;
}

static void assess_original(void)
{
	struct assess_input in = wine_and_salmon();
	struct problems p;

	problems_init(&p);
	assert_int_equal(assessment_compute(&in, demo, fx, &A, &p), KERR_OK);
	assert_int_equal(A.status, ASSESS_ASSESSED);
	assessment_basis_of(&in, &A, &basis);
}

static void test_basis_of_an_assessment(void **state)
{
	char versions[ASSESS_BASIS_VERSIONS_MAX], certificates[ASSESS_BASIS_CERTIFICATES_MAX];

	(void)state;
	assess_original();
	assert_int_equal(A.items[0].basis, DUTY_BASIS_PREFERENTIAL);
	assert_int_equal(A.items[1].basis, DUTY_BASIS_PROVISIONAL);
	assert_int_equal(basis.nversions, 2);
	assert_int_equal(basis.cny_per_unit, 710230000); /* November: 7.1023 */
	assert_int_equal(basis.duty, A.duty.due);
	assert_int_equal(basis.consumption_tax, A.consumption_tax.due);
	assert_int_equal(basis.vat, A.vat.due);
	assert_int_equal(basis.duty + basis.consumption_tax + basis.vat, A.total_due);
	assert_int_equal(assessment_basis_format(&basis, versions, sizeof versions, certificates,
						 sizeof certificates),
			 KERR_OK);
	/* in date order, whatever the items' order */
	assert_string_equal(versions, "CN-2026 CN-2026-07");
	assert_string_equal(certificates, "1:CN-AU");

	/* too small a buffer is refused, not cut */
	assert_int_equal(assessment_basis_format(&basis, versions, 8, certificates,
						 sizeof certificates),
			 KERR_INVALID);
	assert_int_equal(assessment_basis_format(&basis, versions, sizeof versions, certificates,
						 7),
			 KERR_INVALID);
}

static void test_texts_round_trip(void **state)
{
	struct assessment_basis b;
	char versions[ASSESS_BASIS_VERSIONS_MAX], certificates[ASSESS_BASIS_CERTIFICATES_MAX];

	(void)state;
	assert_int_equal(assessment_basis_parse("CN-2026 CN-2026-07 v_3.1", "0:CN-AU 12:ASEAN", &b),
			 KERR_OK);
	assert_int_equal(b.nversions, 3);
	assert_string_equal(b.versions[2], "v_3.1");
	assert_int_equal(b.ncertificates, 2);
	assert_int_equal(b.certificates[1].document, 12);
	assert_string_equal(b.certificates[1].agreement, "ASEAN");
	assert_int_equal(assessment_basis_format(&b, versions, sizeof versions, certificates,
						 sizeof certificates),
			 KERR_OK);
	assert_string_equal(versions, "CN-2026 CN-2026-07 v_3.1");
	assert_string_equal(certificates, "0:CN-AU 12:ASEAN");

	/* an export whose codes no version lists: no version, no certificate */
	assert_int_equal(assessment_basis_parse("", NULL, &b), KERR_OK);
	assert_int_equal(b.nversions, 0);
	assert_int_equal(b.ncertificates, 0);
	assert_int_equal(assessment_basis_parse("CN-2026", "", &b), KERR_OK);
	assert_int_equal(b.nversions, 1);
}

static void test_malformed_texts_refused(void **state)
{
	static const char *bad_versions[] = {
		" CN-2026", "CN-2026 ", "CN-2026  CN-2026-07", "CN-2026 CN-2026", "CN/2026",
		"CN-2026\tX", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", /* 33 characters */
	};
	static const char *bad_certificates[] = {
		"x:CN-AU", "0:", ":CN-AU", "0:cn-au", "1:CN-AU 0:CN-NZ", "1:CN-AU 1:CN-NZ",
		"50:CN-AU", "123:CN-AU", "0-CN-AU", "0:CN-AU ", " 0:CN-AU",
		"0:ABCDEFGHIJKLMNOPQ", /* 17 characters */
	};
	struct assessment_basis b;
	char many[60 * 4 + 1] = "";
	size_t used = 0;

	(void)state;
	for (size_t i = 0; i < sizeof bad_versions / sizeof bad_versions[0]; i++) {
		print_message("versions '%s'\n", bad_versions[i]);
		assert_int_equal(assessment_basis_parse(bad_versions[i], NULL, &b), KERR_INVALID);
	}
	for (size_t i = 0; i < sizeof bad_certificates / sizeof bad_certificates[0]; i++) {
		print_message("certificates '%s'\n", bad_certificates[i]);
		assert_int_equal(assessment_basis_parse("CN-2026", bad_certificates[i], &b),
				 KERR_INVALID);
	}
	assert_int_equal(assessment_basis_parse(NULL, NULL, &b), KERR_INVALID);
	/* one version more than a declaration has items */
	for (int i = 0; i <= ASSESS_MAX_ITEMS; i++)
		used += (size_t)snprintf(many + used, sizeof many - used, "%sV%d", i ? " " : "", i);
	assert_int_equal(assessment_basis_parse(many, NULL, &b), KERR_INVALID);
}

static void test_replay_same_bytes_whatever_the_tables(void **state)
{
	struct assess_input in = wine_and_salmon();
	struct problems p;
	struct tariff *later = demo_tariff(true);
	char *original, *replayed;

	(void)state;
	assess_original();
	original = dumped(&A);
	/* an amendment dated before the acceptance, loaded afterwards: wine
	 * at 30 % with no preference */
	tariff_add_doc(later, test_json("{'id': 'CN-2026-11T', 'effective_from': '2026-11-01',"
			     " 'kind': 'amendment', 'lines': [{'code': '2204210000',"
			     " 'description': 'Wine', 'mfn': {'percent': '30'},"
			     " 'vat_percent': '13', 'consumption_tax': {'percent': '10'},"
			     " 'export_refund_percent': '13'}]}"));
	problems_init(&p);
	assert_int_equal(assessment_compute(&in, later, fx, &B, &p), KERR_OK);
	assert_true(B.duty.due > A.duty.due); /* a fresh computation takes it */

	/* the reference list no longer knows the certificate's agreement:
	 * the basis does */
	in.documents[1].agreement = NULL;
	assert_int_equal(assessment_replay(&in, later, &basis, &B, &p), KERR_OK);
	assert_int_equal(p.count, 0);
	replayed = dumped(&B);
	assert_string_equal(replayed, original);
	assert_int_equal(B.items[0].basis, DUTY_BASIS_PREFERENTIAL);
	free(replayed);
	free(original);
	tariff_free(later);
}

static void test_replay_refused(void **state)
{
	struct assess_input in = wine_and_salmon();
	struct assessment_basis b;
	struct problems p;
	struct tariff *without = demo_tariff(false);

	(void)state;
	assess_original();

	/* amounts that the computation does not give */
	b = basis;
	b.vat += 1;
	problems_init(&p);
	assert_int_equal(assessment_replay(&in, demo, &b, &B, &p), KERR_CONFLICT);
	test_expect_problem(&p, "", "the assessment computed again does not give the amounts stored for it");

	/* another rate than the one the amounts were computed with */
	b = basis;
	b.cny_per_unit += 1000000; /* 0.01 CNY per USD more */
	problems_init(&p);
	assert_int_equal(assessment_replay(&in, demo, &b, &B, &p), KERR_CONFLICT);

	/* a certificate the declaration does not have */
	b = basis;
	b.certificates[0].document = 5;
	problems_init(&p);
	assert_int_equal(assessment_replay(&in, demo, &b, &B, &p), KERR_CONFLICT);
	test_expect_problem(&p, "", "the basis names document 5 of 2");

	/* the salmon's amendment is not in the tariff */
	problems_init(&p);
	assert_int_equal(assessment_replay(&in, without, &basis, &B, &p), KERR_NOT_FOUND);
	test_expect_problem(&p, "", "tariff version CN-2026-07 is not loaded");
	tariff_free(without);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basis_of_an_assessment),
		cmocka_unit_test(test_texts_round_trip),
		cmocka_unit_test(test_malformed_texts_refused),
		cmocka_unit_test(test_replay_same_bytes_whatever_the_tables),
		cmocka_unit_test(test_replay_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
