/*
 * test_codes.c - unit tests for src/common/codes.c: every result of every
 * checker, the order in which results are decided, known valid codes, check
 * digit mutations, generated codes round-tripping, and the problem texts.
 *
 * The valid examples below were verified with an independent computation
 * (a Python one-off) before being written here, not with the code under test.
 */
#include "test_support.h"

#include <string.h>

#include "common/codes.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Deterministic pseudo-random numbers so failures reproduce. */
static uint32_t lcg_state = 12345u;

static uint32_t lcg_next(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

/* ---- USCC ---------------------------------------------------------- */

static void test_uscc_valid(void **state)
{
	(void)state;
	assert_int_equal(codes_check_uscc("91350100M000100Y43"), CODES_OK);
	assert_int_equal(codes_check_uscc("91110000600037341L"), CODES_OK);
	assert_int_equal(codes_check_uscc("91440300MA5D8XXX04"), CODES_OK);
	/* check value 0 (31 - 0 mod 31 wraps) and 30, the last letter */
	assert_int_equal(codes_check_uscc("914403000000000250"), CODES_OK);
	assert_int_equal(codes_check_uscc("91440300000000015Y"), CODES_OK);
}

static void test_uscc_bad_length(void **state)
{
	(void)state;
	assert_int_equal(codes_check_uscc(NULL), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_uscc(""), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_uscc("91350100M000100Y4"),
			 CODES_BAD_LENGTH);
	assert_int_equal(codes_check_uscc("91350100M000100Y430"),
			 CODES_BAD_LENGTH);
	assert_int_equal(codes_check_uscc("91350100M000100Y43 "),
			 CODES_BAD_LENGTH);
	/* length is decided before characters */
	assert_int_equal(codes_check_uscc("91350100m000100y4"),
			 CODES_BAD_LENGTH);
}

static void test_uscc_bad_character(void **state)
{
	char s[] = "91350100M000100Y43";
	const char *bad = "IOSVZaim -\xc3";

	(void)state;
	/* lower case is not accepted */
	assert_int_equal(codes_check_uscc("91350100m000100y43"),
			 CODES_BAD_CHARACTER);
	for (const char *b = bad; *b; b++) {
		for (size_t i = 0; i < 18; i++) {
			char saved = s[i];

			s[i] = *b;
			assert_int_equal(codes_check_uscc(s),
					 CODES_BAD_CHARACTER);
			s[i] = saved;
		}
	}
	assert_int_equal(codes_check_uscc(s), CODES_OK);
}

static void test_uscc_bad_check(void **state)
{
	char s[] = "91350100M000100Y43";

	(void)state;
	/* Weights are non-zero modulo the prime 31, so every substitution
	 * of one character by another valid one must be caught. */
	for (size_t i = 0; i < 18; i++) {
		char saved = s[i];

		for (const char *c = uscc_alphabet; *c; c++) {
			if (*c == saved)
				continue;
			s[i] = *c;
			assert_int_equal(codes_check_uscc(s), CODES_BAD_CHECK);
		}
		s[i] = saved;
	}
	assert_int_equal(codes_check_uscc("91350100M000100Y44"),
			 CODES_BAD_CHECK);
}

static void test_uscc_check_char(void **state)
{
	(void)state;
	assert_int_equal(codes_uscc_check_char("91350100M000100Y4"), '3');
	/* only the first 17 characters are read */
	assert_int_equal(codes_uscc_check_char("91350100M000100Y43"), '3');
	assert_int_equal(codes_uscc_check_char("91110000600037341"), 'L');
	assert_int_equal(codes_uscc_check_char("91440300000000015"), 'Y');
	assert_int_equal(codes_uscc_check_char("91440300000000025"), '0');
	assert_int_equal(codes_uscc_check_char(NULL), 0);
	assert_int_equal(codes_uscc_check_char(""), 0);
	assert_int_equal(codes_uscc_check_char("91350100M000100Y"), 0);
	assert_int_equal(codes_uscc_check_char("91350100m000100Y4"), 0);
	assert_int_equal(codes_uscc_check_char("91350100I000100Y4"), 0);
}

static void test_uscc_generated_round_trip(void **state)
{
	char s[19];

	(void)state;
	for (int n = 0; n < 2000; n++) {
		char check;

		for (int i = 0; i < 17; i++)
			s[i] = uscc_alphabet[lcg_next() % 31];
		s[17] = '\0';
		check = codes_uscc_check_char(s);
		assert_non_null(strchr(uscc_alphabet, check));
		assert_int_not_equal(check, '\0');
		s[17] = check;
		s[18] = '\0';
		assert_int_equal(codes_check_uscc(s), CODES_OK);
		/* and no other check character is accepted */
		for (const char *c = uscc_alphabet; *c; c++) {
			if (*c == check)
				continue;
			s[17] = *c;
			assert_int_equal(codes_check_uscc(s), CODES_BAD_CHECK);
		}
	}
}

/* ---- resident ID --------------------------------------------------- */

static void test_resident_id_valid(void **state)
{
	(void)state;
	assert_int_equal(codes_check_resident_id("11010519491231002X"),
			 CODES_OK);
	assert_int_equal(codes_check_resident_id("440300199001011238"),
			 CODES_OK);
	assert_int_equal(codes_check_resident_id("110101199003070011"),
			 CODES_OK);
	/* check character '0' */
	assert_int_equal(codes_check_resident_id("440300199001000010"),
			 CODES_OK);
}

static void test_resident_id_bad_length(void **state)
{
	(void)state;
	assert_int_equal(codes_check_resident_id(NULL), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_resident_id(""), CODES_BAD_LENGTH);
	/* the old 15-digit numbers are not accepted */
	assert_int_equal(codes_check_resident_id("110105491231002"),
			 CODES_BAD_LENGTH);
	assert_int_equal(codes_check_resident_id("11010519491231002"),
			 CODES_BAD_LENGTH);
	assert_int_equal(codes_check_resident_id("11010519491231002X0"),
			 CODES_BAD_LENGTH);
	assert_int_equal(codes_check_resident_id("1101051949123100x"),
			 CODES_BAD_LENGTH);
}

static void test_resident_id_bad_character(void **state)
{
	char s[] = "11010519491231002X";

	(void)state;
	/* lower-case x is not accepted */
	assert_int_equal(codes_check_resident_id("11010519491231002x"),
			 CODES_BAD_CHARACTER);
	/* X is only allowed as the check character */
	for (size_t i = 0; i < 17; i++) {
		char saved = s[i];

		s[i] = 'X';
		assert_int_equal(codes_check_resident_id(s),
				 CODES_BAD_CHARACTER);
		s[i] = 'A';
		assert_int_equal(codes_check_resident_id(s),
				 CODES_BAD_CHARACTER);
		s[i] = ' ';
		assert_int_equal(codes_check_resident_id(s),
				 CODES_BAD_CHARACTER);
		s[i] = saved;
	}
	s[17] = 'Y';
	assert_int_equal(codes_check_resident_id(s), CODES_BAD_CHARACTER);
	s[17] = '/';
	assert_int_equal(codes_check_resident_id(s), CODES_BAD_CHARACTER);
}

static void test_resident_id_bad_check(void **state)
{
	char s[] = "11010519491231002X";
	const char *checks = "0123456789X";

	(void)state;
	/* Weights are non-zero modulo 11 and digits differ by less than 11,
	 * so every single-digit substitution must be caught. */
	for (size_t i = 0; i < 17; i++) {
		char saved = s[i];

		for (char c = '0'; c <= '9'; c++) {
			if (c == saved)
				continue;
			s[i] = c;
			assert_int_equal(codes_check_resident_id(s),
					 CODES_BAD_CHECK);
		}
		s[i] = saved;
	}
	for (const char *c = checks; *c; c++) {
		s[17] = *c;
		assert_int_equal(codes_check_resident_id(s),
				 *c == 'X' ? CODES_OK : CODES_BAD_CHECK);
	}
}

/* ---- container ----------------------------------------------------- */

static void test_container_valid(void **state)
{
	(void)state;
	assert_int_equal(codes_check_container("CSQU3054383"), CODES_OK);
	/* note: MSCU6639871 is often quoted, but its check digit is 0 */
	assert_int_equal(codes_check_container("MSCU6639870"), CODES_OK);
	assert_int_equal(codes_check_container("TGHU1234567"), CODES_OK);
	/* J (detachable equipment) and Z (trailer) categories */
	assert_int_equal(codes_check_container("CSQJ3054386"), CODES_OK);
	assert_int_equal(codes_check_container("CSQZ3054387"), CODES_OK);
	/* sum mod 11 is 10, so the check digit is 0 */
	assert_int_equal(codes_check_container("CSQU0000070"), CODES_OK);
}

static void test_container_bad_length(void **state)
{
	(void)state;
	assert_int_equal(codes_check_container(NULL), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_container(""), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_container("CSQU305438"), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_container("CSQU30543830"),
			 CODES_BAD_LENGTH);
	/* the printed form with spaces is not accepted */
	assert_int_equal(codes_check_container("CSQU 305438 3"),
			 CODES_BAD_LENGTH);
	/* length before characters */
	assert_int_equal(codes_check_container("csqu305438"), CODES_BAD_LENGTH);
}

static void test_container_bad_character(void **state)
{
	char s[] = "CSQU3054383";

	(void)state;
	assert_int_equal(codes_check_container("csqu3054383"),
			 CODES_BAD_CHARACTER);
	for (size_t i = 0; i < 4; i++) {
		char saved = s[i];

		s[i] = '1';
		assert_int_equal(codes_check_container(s), CODES_BAD_CHARACTER);
		s[i] = 'a';
		assert_int_equal(codes_check_container(s), CODES_BAD_CHARACTER);
		s[i] = saved;
	}
	for (size_t i = 4; i < 11; i++) {
		char saved = s[i];

		s[i] = 'A';
		assert_int_equal(codes_check_container(s), CODES_BAD_CHARACTER);
		s[i] = ' ';
		assert_int_equal(codes_check_container(s), CODES_BAD_CHARACTER);
		s[i] = saved;
	}
	/* characters are decided before the category */
	assert_int_equal(codes_check_container("CSQA305438X"),
			 CODES_BAD_CHARACTER);
}

static void test_container_bad_category(void **state)
{
	char s[] = "CSQU3054383";

	(void)state;
	for (char c = 'A'; c <= 'Z'; c++) {
		s[3] = c;
		if (c == 'U')
			assert_int_equal(codes_check_container(s), CODES_OK);
		else if (c == 'J' || c == 'Z')
			/* allowed category, but the check digit differs */
			assert_int_equal(codes_check_container(s),
					 CODES_BAD_CHECK);
		else
			/* category is decided before the check digit */
			assert_int_equal(codes_check_container(s),
					 CODES_BAD_CATEGORY);
	}
}

static void test_container_bad_check(void **state)
{
	char s[] = "CSQU3054383";

	(void)state;
	/* Sum mod 11 for CSQU305438 is 3; one step in any digit changes it
	 * by a non-zero amount modulo 11, so it can no longer give 3. */
	for (size_t i = 4; i < 10; i++) {
		char saved = s[i];

		for (char c = '0'; c <= '9'; c++) {
			if (c == saved)
				continue;
			s[i] = c;
			assert_int_equal(codes_check_container(s),
					 CODES_BAD_CHECK);
		}
		s[i] = saved;
	}
	for (char c = '0'; c <= '9'; c++) {
		s[10] = c;
		assert_int_equal(codes_check_container(s),
				 c == '3' ? CODES_OK : CODES_BAD_CHECK);
	}
	s[10] = '3';
	s[0] = 'D';
	assert_int_equal(codes_check_container(s), CODES_BAD_CHECK);
	s[0] = 'K'; /* K=21 vs C=13 */
	assert_int_equal(codes_check_container(s), CODES_BAD_CHECK);
	/* ISO 6346's own blind spot: letter values 11 apart (C=13, M=24,
	 * W=35) weigh the same modulo 11, so these swaps go unnoticed. */
	assert_int_equal(codes_check_container("MSQU3054383"), CODES_OK);
	assert_int_equal(codes_check_container("WSQU3054383"), CODES_OK);
}

static void test_container_check_digit(void **state)
{
	(void)state;
	assert_int_equal(codes_container_check_digit("CSQU305438"), 3);
	assert_int_equal(codes_container_check_digit("CSQU3054383"), 3);
	assert_int_equal(codes_container_check_digit("MSCU663987"), 0);
	assert_int_equal(codes_container_check_digit("CSQU000007"), 0);
	assert_int_equal(codes_container_check_digit("TGHU123456"), 7);
	assert_int_equal(codes_container_check_digit(NULL), -1);
	assert_int_equal(codes_container_check_digit(""), -1);
	assert_int_equal(codes_container_check_digit("CSQU30543"), -1);
	assert_int_equal(codes_container_check_digit("csqu305438"), -1);
	assert_int_equal(codes_container_check_digit("CSQA305438"), -1);
	assert_int_equal(codes_container_check_digit("CSQU30543X"), -1);
}

static void test_container_generated_round_trip(void **state)
{
	static const char categories[] = "UJZ";
	char s[12];

	(void)state;
	for (int n = 0; n < 2000; n++) {
		int check;

		for (int i = 0; i < 3; i++)
			s[i] = (char)('A' + lcg_next() % 26);
		s[3] = categories[lcg_next() % 3];
		for (int i = 4; i < 10; i++)
			s[i] = (char)('0' + lcg_next() % 10);
		s[10] = '\0';
		check = codes_container_check_digit(s);
		assert_in_range(check, 0, 9);
		s[10] = (char)('0' + check);
		s[11] = '\0';
		assert_int_equal(codes_check_container(s), CODES_OK);
		for (char c = '0'; c <= '9'; c++) {
			if (c == '0' + check)
				continue;
			s[10] = c;
			assert_int_equal(codes_check_container(s),
					 CODES_BAD_CHECK);
		}
	}
}

/* ---- IMO ----------------------------------------------------------- */

static void test_imo(void **state)
{
	char s[] = "9074729";

	(void)state;
	assert_int_equal(codes_check_imo("9074729"), CODES_OK);
	assert_int_equal(codes_check_imo("9303314"), CODES_OK);
	assert_int_equal(codes_check_imo("9176591"), CODES_OK);
	assert_int_equal(codes_check_imo("1000100"), CODES_OK);

	assert_int_equal(codes_check_imo(NULL), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_imo(""), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_imo("907472"), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_imo("90747290"), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_imo("IMO9074729"), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_imo("IMO9074"), CODES_BAD_CHARACTER);
	assert_int_equal(codes_check_imo("907472X"), CODES_BAD_CHARACTER);
	assert_int_equal(codes_check_imo(" 907472"), CODES_BAD_CHARACTER);

	/* Adding one (mod 10) to any digit changes the weighted sum by the
	 * weight or by 9 times it, never by a multiple of 10. */
	for (size_t i = 0; i < 7; i++) {
		char saved = s[i];

		s[i] = (char)('0' + (saved - '0' + 1) % 10);
		assert_int_equal(codes_check_imo(s), CODES_BAD_CHECK);
		s[i] = saved;
	}
	assert_int_equal(codes_check_imo(s), CODES_OK);
}

/* ---- HS ------------------------------------------------------------ */

static void test_hs(void **state)
{
	(void)state;
	assert_int_equal(codes_check_hs("8471300000"), CODES_OK);
	assert_int_equal(codes_check_hs("0101210010"), CODES_OK);
	assert_int_equal(codes_check_hs(NULL), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_hs(""), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_hs("84713000"), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_hs("847130000"), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_hs("84713000000"), CODES_BAD_LENGTH);
	assert_int_equal(codes_check_hs("847130000A"), CODES_BAD_CHARACTER);
	assert_int_equal(codes_check_hs("8471.30.00"), CODES_BAD_CHARACTER);
	assert_int_equal(codes_check_hs("-847130000"), CODES_BAD_CHARACTER);
	assert_int_equal(codes_check_hs("84713000\xef\xbc"),
			 CODES_BAD_CHARACTER);
}

/* ---- every check value ------------------------------------------- */

/*
 * Valid codes covering every check character of each scheme and every
 * letter value, computed independently (Python, from the letter table and
 * weights in the standards) so that a wrong table entry in the code under
 * test cannot hide behind a round trip through itself.
 */
static const char *const uscc_every_check[] = {
	"91440300MA50000050",
	"91440300MA50000151",
	"91440300MA50000252",
	"91440300MA50000063",
	"91440300MA50000164",
	"91440300MA50000265",
	"91440300MA50000076",
	"91440300MA50000177",
	"91440300MA50000278",
	"91440300MA50000089",
	"91440300MA5000018A",
	"91440300MA5000028B",
	"91440300MA5000009C",
	"91440300MA5000019D",
	"91440300MA5000029E",
	"91440300MA5000039F",
	"91440300MA5000000G",
	"91440300MA5000010H",
	"91440300MA5000020J",
	"91440300MA5000001K",
	"91440300MA5000011L",
	"91440300MA5000021M",
	"91440300MA5000002N",
	"91440300MA5000012P",
	"91440300MA5000022Q",
	"91440300MA5000003R",
	"91440300MA5000013T",
	"91440300MA5000023U",
	"91440300MA5000004W",
	"91440300MA5000014X",
	"91440300MA5000024Y",
	"ABCDEFGHJKLMNPQRTT",
	"UWXY0123456789ABCJ",
	"Y1234567890000000J",
};

static const char *const resident_id_every_check[] = {
	"440305198807007120",
	"440305198807000121",
	"440305198807004122",
	"440305198807008123",
	"440305198807001124",
	"440305198807005125",
	"440305198807009126",
	"440305198807002127",
	"440305198807006128",
	"440305198807018129",
	"44030519880700312X",
};

static const char *const container_every_letter_and_check[] = {
	"ABCU0000001",
	"DEFU0000001",
	"GHIJ0000003",
	"KLMU0000001",
	"NOPZ0000005",
	"QRSU0000000",
	"TUVU0000003",
	"WXYU0000005",
	"ZZZJ0000008",
	"VXYU1047290",
	"VXYU9425611",
	"VXYU1520192",
	"VXYU3614773",
	"VXYU0000004",
	"VXYU6283745",
	"VXYU3141876",
	"VXYU2567487",
	"VXYU9324128",
	"VXYU7803939",
};

static const char *const imo_every_check[] = {
	"9300130",
	"9300001",
	"9300142",
	"9300013",
	"9300104",
	"9300025",
	"9300116",
	"9300037",
	"9300128",
	"9300049",
};

static void test_every_check_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(uscc_every_check); i++) {
		const char *s = uscc_every_check[i];

		assert_int_equal(codes_check_uscc(s), CODES_OK);
		assert_int_equal(codes_uscc_check_char(s), s[17]);
	}
	for (size_t i = 0; i < COUNT(resident_id_every_check); i++)
		assert_int_equal(
			codes_check_resident_id(resident_id_every_check[i]),
			CODES_OK);
	for (size_t i = 0; i < COUNT(container_every_letter_and_check); i++) {
		const char *s = container_every_letter_and_check[i];

		assert_int_equal(codes_check_container(s), CODES_OK);
		assert_int_equal(codes_container_check_digit(s), s[10] - '0');
	}
	for (size_t i = 0; i < COUNT(imo_every_check); i++)
		assert_int_equal(codes_check_imo(imo_every_check[i]), CODES_OK);
}

/* ---- texts --------------------------------------------------------- */

static void test_result_text(void **state)
{
	static const char *kinds[] = {
		"USCC", "resident ID", "container", "IMO", "HS", "other", NULL,
	};

	(void)state;
	assert_string_equal(codes_result_text(CODES_BAD_LENGTH, "USCC"),
			    "must be 18 characters");
	assert_string_equal(codes_result_text(CODES_BAD_LENGTH, "resident ID"),
			    "must be 18 characters");
	assert_string_equal(codes_result_text(CODES_BAD_LENGTH, "container"),
			    "must be 11 characters");
	assert_string_equal(codes_result_text(CODES_BAD_LENGTH, "IMO"),
			    "must be 7 digits");
	assert_string_equal(codes_result_text(CODES_BAD_LENGTH, "HS"),
			    "must be 10 digits");

	assert_string_equal(codes_result_text(CODES_BAD_CHARACTER, "USCC"),
			    "may only contain 0-9 and A-Z except I, O, S, V, Z");
	assert_string_equal(
		codes_result_text(CODES_BAD_CHARACTER, "resident ID"),
		"must be 17 digits followed by a digit or X");
	assert_string_equal(codes_result_text(CODES_BAD_CHARACTER, "container"),
			    "must be 4 capital letters followed by 7 digits");
	assert_string_equal(codes_result_text(CODES_BAD_CHARACTER, "IMO"),
			    "must contain only digits");
	assert_string_equal(codes_result_text(CODES_BAD_CHARACTER, "HS"),
			    "must contain only digits");

	assert_string_equal(codes_result_text(CODES_BAD_CATEGORY, "container"),
			    "category letter (4th character) must be U, J or Z");

	assert_string_equal(codes_result_text(CODES_BAD_CHECK, "USCC"),
			    "check digit does not match (GB 32100-2015)");
	assert_string_equal(codes_result_text(CODES_BAD_CHECK, "resident ID"),
			    "check digit does not match (GB 11643-1999)");
	assert_string_equal(codes_result_text(CODES_BAD_CHECK, "container"),
			    "check digit does not match (ISO 6346)");
	assert_string_equal(codes_result_text(CODES_BAD_CHECK, "IMO"),
			    "check digit does not match (IMO)");

	/* kinds are matched exactly */
	assert_string_not_equal(codes_result_text(CODES_BAD_LENGTH, "uscc"),
				"must be 18 characters");

	/* never NULL, never empty, whatever the combination */
	for (size_t k = 0; k < COUNT(kinds); k++) {
		for (int r = CODES_OK; r <= CODES_BAD_CHECK + 1; r++) {
			enum codes_result res = (enum codes_result)r;
			const char *t = codes_result_text(res, kinds[k]);

			assert_non_null(t);
			assert_true(t[0] != '\0');
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uscc_valid),
		cmocka_unit_test(test_uscc_bad_length),
		cmocka_unit_test(test_uscc_bad_character),
		cmocka_unit_test(test_uscc_bad_check),
		cmocka_unit_test(test_uscc_check_char),
		cmocka_unit_test(test_uscc_generated_round_trip),
		cmocka_unit_test(test_resident_id_valid),
		cmocka_unit_test(test_resident_id_bad_length),
		cmocka_unit_test(test_resident_id_bad_character),
		cmocka_unit_test(test_resident_id_bad_check),
		cmocka_unit_test(test_container_valid),
		cmocka_unit_test(test_container_bad_length),
		cmocka_unit_test(test_container_bad_character),
		cmocka_unit_test(test_container_bad_category),
		cmocka_unit_test(test_container_bad_check),
		cmocka_unit_test(test_container_check_digit),
		cmocka_unit_test(test_container_generated_round_trip),
		cmocka_unit_test(test_imo),
		cmocka_unit_test(test_hs),
		cmocka_unit_test(test_every_check_value),
		cmocka_unit_test(test_result_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
