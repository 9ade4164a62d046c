/*
 * test_credentials.c - the rules a new password must meet, each refusal
 * with its exact sentence: length, variety, the common passwords compiled
 * in (as they are, with digits and punctuation added, with letters swapped
 * for look-alikes), the user name and the system's own name; and passwords
 * that must pass, the demo's among them.
 */
#include <string.h>

#include "test_support.h"
#include "domain/credentials.h"

#define COMMON                                                                 \
	"is one of the most common passwords (or one with digits or punctuation " \
	"added), which are tried first; choose a phrase of your own"
#define NAME "must not be the user name with digits or punctuation added"

static void refused(const char *password, const char *username, const char *why)
{
	const char *got = password_problem(password, username);
	if (!got || strcmp(got, why) != 0)
		print_error("password %s (user %s): got %s\n", password,
			    username ? username : "-", got ? got : "(accepted)");
	assert_non_null(got);
	assert_string_equal(got, why);
}

static void accepted(const char *password, const char *username)
{
	const char *got = password_problem(password, username);
	if (got)
		print_error("password %s (user %s) refused: %s\n", password,
			    username ? username : "-", got);
	assert_null(got);
}

static void length_and_variety(void **state)
{
	(void)state;
	refused("short", NULL, "must be at least 10 characters");
	refused("nine-char", NULL, "must be at least 10 characters");
	char long_one[130];
	for (int i = 0; i < 129; i++)
		long_one[i] = (char)('a' + i % 26);
	long_one[129] = '\0';
	refused(long_one, NULL, "must be at most 128 characters");
	long_one[128] = '\0';
	accepted(long_one, NULL);
	refused("aaaaaaaaaaaa", NULL, "must use at least 4 different characters");
	refused("abababababab", NULL, "must use at least 4 different characters");
	accepted("abcabcabcabd", NULL);
}

static void common_passwords(void **state)
{
	(void)state;
	refused("password123", NULL, COMMON);
	refused("Password2026!", NULL, COMMON);
	refused("P@ssw0rd2026", NULL, COMMON);
	refused("2026-password", NULL, COMMON);
	refused("qwertyuiop", NULL, COMMON);
	refused("QwertyUIOP1", NULL, COMMON);
	refused("1234567890", NULL, COMMON);
	refused("0987654321", NULL, COMMON);
	refused("1qaz2wsx3edc", NULL, COMMON);
	refused("woaini1314520", NULL, COMMON);
	refused("iloveyou!!!", NULL, COMMON);
	refused("1l0v3y0u2026", NULL, COMMON);
	refused("P@ssw0rd!!", NULL, COMMON);
	refused("5201314520", NULL, COMMON);
	refused("abc123456789", NULL, COMMON);
	refused("zhongguo2026", NULL, COMMON);
	/* the system's own name and trade */
	refused("kouan2026!!", NULL, COMMON);
	refused("Kouan-Admin-1", NULL, COMMON);
	refused("customs123456", NULL, COMMON);
	/* a comment line of the list is not a password */
	accepted("# words and names", NULL);
	/* near misses pass: the list is of whole words */
	accepted("passwordless sunrise", NULL);
	accepted("correct horse battery", NULL);
	accepted("7391-5820-4466", NULL);
}

static void the_user_name(void **state)
{
	(void)state;
	refused("chen.haitong2026", "chen.haitong", NAME);
	refused("2026-Chen-Haitong!", "chen.haitong", NAME);
	refused("Ch3nha1tong!!", "chenhaitong", NAME);
	refused("zhang_wei_1988", "zhang.wei88", NAME);
	/* more than the name passes; a name shorter than 3 letters is no guide */
	accepted("chen.haitong.harbour.dock", "chen.haitong");
	accepted("xy-7391-5820-4466", "xy1");
	/* the demo's passwords are the name with a word added: they pass */
	accepted("trader-demo-2026", "trader");
	accepted("customs-demo-2026", "customs");
	accepted("quarantine-demo-2026", "quarantine");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(length_and_variety),
		cmocka_unit_test(common_passwords),
		cmocka_unit_test(the_user_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
