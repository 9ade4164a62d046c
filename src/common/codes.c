/*
 * codes.c - format and check-digit validation for the identifiers a port of
 * entry sees: USCC (GB 32100-2015), resident ID (GB 11643-1999), ISO 6346
 * container numbers, IMO ship numbers and ten-digit HS codes.
 *
 * Pure functions: no allocation, no I/O, no locale (character classes are
 * tested by hand, never with <ctype.h>, so the result cannot depend on the
 * process locale). Results are decided in a fixed order: length, then
 * characters, then the container category letter, then the check digit.
 */
#include "common/codes.h"

#include <stddef.h>
#include <string.h>

#define USCC_LEN 18
#define RESIDENT_ID_LEN 18
#define CONTAINER_LEN 11
#define IMO_LEN 7
#define HS_LEN 10

/* GB 32100-2015 alphabet: the value of a character is its index. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* 3^i mod 31 for positions 1..17. */
static const int uscc_weights[USCC_LEN - 1] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};

/* GB 11643-1999 (ISO 7064 MOD 11-2) weights and check characters. */
static const int resident_weights[RESIDENT_ID_LEN - 1] = {
	7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
};
static const char resident_checks[] = "10X98765432";

static const int imo_weights[IMO_LEN - 1] = { 7, 6, 5, 4, 3, 2 };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Length of s, looking at no more than max + 1 characters: enough to tell
 * "exactly max" from "longer" without walking an arbitrarily long string. */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n <= max && s[n] != '\0')
		n++;
	return n;
}

/* Value of a USCC character, or -1 when it is not in the alphabet. */
static int uscc_value(char c)
{
	const char *p = c != '\0' ? strchr(uscc_alphabet, c) : NULL;

	return p ? (int)(p - uscc_alphabet) : -1;
}

/* ISO 6346 value of a capital letter: A=10 upwards, skipping 11, 22, 33. */
static int container_letter_value(char c)
{
	int v = 10 + (c - 'A');

	/* one step for every multiple of 11 reached on the way up */
	if (v >= 11)
		v++;
	if (v >= 22)
		v++;
	if (v >= 33)
		v++;
	return v;
}

static bool container_category_ok(char c)
{
	return c == 'U' || c == 'J' || c == 'Z';
}

/* Check character for 17 characters already known to be in the alphabet. */
static char uscc_check_of(const char *s)
{
	int sum = 0;

	for (int i = 0; i < USCC_LEN - 1; i++)
		sum += uscc_value(s[i]) * uscc_weights[i];
	return uscc_alphabet[(31 - sum % 31) % 31];
}

/* Check digit for 4 capital letters and 6 digits already validated. */
static int container_check_of(const char *s)
{
	long sum = 0;

	for (int i = 0; i < 10; i++) {
		int v = i < 4 ? container_letter_value(s[i]) : s[i] - '0';

		sum += (long)v << i;
	}
	return (int)(sum % 11 % 10);
}

enum codes_result codes_check_uscc(const char *s)
{
	if (!s || bounded_len(s, USCC_LEN) != USCC_LEN)
		return CODES_BAD_LENGTH;
	for (int i = 0; i < USCC_LEN; i++)
		if (uscc_value(s[i]) < 0)
			return CODES_BAD_CHARACTER;
	if (uscc_check_of(s) != s[USCC_LEN - 1])
		return CODES_BAD_CHECK;
	return CODES_OK;
}

enum codes_result codes_check_resident_id(const char *s)
{
	int sum = 0;

	if (!s || bounded_len(s, RESIDENT_ID_LEN) != RESIDENT_ID_LEN)
		return CODES_BAD_LENGTH;
	for (int i = 0; i < RESIDENT_ID_LEN - 1; i++)
		if (!is_digit(s[i]))
			return CODES_BAD_CHARACTER;
	if (!is_digit(s[RESIDENT_ID_LEN - 1]) && s[RESIDENT_ID_LEN - 1] != 'X')
		return CODES_BAD_CHARACTER;
	for (int i = 0; i < RESIDENT_ID_LEN - 1; i++)
		sum += (s[i] - '0') * resident_weights[i];
	if (resident_checks[sum % 11] != s[RESIDENT_ID_LEN - 1])
		return CODES_BAD_CHECK;
	return CODES_OK;
}

enum codes_result codes_check_container(const char *s)
{
	if (!s || bounded_len(s, CONTAINER_LEN) != CONTAINER_LEN)
		return CODES_BAD_LENGTH;
	for (int i = 0; i < CONTAINER_LEN; i++)
		if (i < 4 ? !is_upper(s[i]) : !is_digit(s[i]))
			return CODES_BAD_CHARACTER;
	if (!container_category_ok(s[3]))
		return CODES_BAD_CATEGORY;
	if (container_check_of(s) != s[CONTAINER_LEN - 1] - '0')
		return CODES_BAD_CHECK;
	return CODES_OK;
}

enum codes_result codes_check_imo(const char *s)
{
	int sum = 0;

	if (!s || bounded_len(s, IMO_LEN) != IMO_LEN)
		return CODES_BAD_LENGTH;
	for (int i = 0; i < IMO_LEN; i++)
		if (!is_digit(s[i]))
			return CODES_BAD_CHARACTER;
	for (int i = 0; i < IMO_LEN - 1; i++)
		sum += (s[i] - '0') * imo_weights[i];
	if (sum % 10 != s[IMO_LEN - 1] - '0')
		return CODES_BAD_CHECK;
	return CODES_OK;
}

enum codes_result codes_check_hs(const char *s)
{
	if (!s || bounded_len(s, HS_LEN) != HS_LEN)
		return CODES_BAD_LENGTH;
	for (int i = 0; i < HS_LEN; i++)
		if (!is_digit(s[i]))
			return CODES_BAD_CHARACTER;
	return CODES_OK;
}

/* Problem texts for one kind of code; NULL entries fall back to generic. */
struct kind_texts {
	const char *kind;
	const char *bad_length;
	const char *bad_character;
	const char *bad_category;
	const char *bad_check;
};

static const struct kind_texts generic_texts = {
	.kind = NULL,
	.bad_length = "has the wrong length",
	.bad_character = "contains a character that is not allowed",
	.bad_category = "has the wrong category letter",
	.bad_check = "check digit does not match",
};

static const struct kind_texts kind_texts[] = {
	{
		.kind = "USCC",
		.bad_length = "must be 18 characters",
		.bad_character =
			"may only contain 0-9 and A-Z except I, O, S, V, Z",
		.bad_check = "check digit does not match (GB 32100-2015)",
	},
	{
		.kind = "resident ID",
		.bad_length = "must be 18 characters",
		.bad_character = "must be 17 digits followed by a digit or X",
		.bad_check = "check digit does not match (GB 11643-1999)",
	},
	{
		.kind = "container",
		.bad_length = "must be 11 characters",
		.bad_character =
			"must be 4 capital letters followed by 7 digits",
		.bad_category =
			"category letter (4th character) must be U, J or Z",
		.bad_check = "check digit does not match (ISO 6346)",
	},
	{
		.kind = "IMO",
		.bad_length = "must be 7 digits",
		.bad_character = "must contain only digits",
		.bad_check = "check digit does not match (IMO)",
	},
	{
		.kind = "HS",
		.bad_length = "must be 10 digits",
		.bad_character = "must contain only digits",
	},
};

static const struct kind_texts *find_kind(const char *kind)
{
	if (!kind)
		return &generic_texts;
	for (size_t i = 0; i < sizeof(kind_texts) / sizeof(kind_texts[0]); i++)
		if (strcmp(kind_texts[i].kind, kind) == 0)
			return &kind_texts[i];
	return &generic_texts;
}

const char *codes_result_text(enum codes_result r, const char *kind)
{
	const struct kind_texts *k = find_kind(kind);
	const char *t;

	switch (r) {
	case CODES_OK:
		return "is valid";
	case CODES_BAD_LENGTH:
		t = k->bad_length;
		return t ? t : generic_texts.bad_length;
	case CODES_BAD_CHARACTER:
		t = k->bad_character;
		return t ? t : generic_texts.bad_character;
	case CODES_BAD_CATEGORY:
		t = k->bad_category;
		return t ? t : generic_texts.bad_category;
	case CODES_BAD_CHECK:
		t = k->bad_check;
		return t ? t : generic_texts.bad_check;
	}
	return "is not valid";
}

char codes_uscc_check_char(const char *first17)
{
	if (!first17)
		return 0;
	for (int i = 0; i < USCC_LEN - 1; i++)
		if (uscc_value(first17[i]) < 0)
			return 0;
	return uscc_check_of(first17);
}

int codes_container_check_digit(const char *first10)
{
	if (!first10)
		return -1;
	for (int i = 0; i < 10; i++)
		if (i < 4 ? !is_upper(first10[i]) : !is_digit(first10[i]))
			return -1;
	if (!container_category_ok(first10[3]))
		return -1;
	return container_check_of(first10);
}

bool codes_is_digits(const char *s, size_t n)
{
	if (!s)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return s[n] == '\0';
}

bool codes_is_capitals(const char *s, size_t n)
{
	if (!s)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return s[n] == '\0';
}
