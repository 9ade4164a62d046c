/*
 * test_log.c - log records cannot be forged: log_escape turns every control
 * character, invalid UTF-8 byte and text-reordering code point into a
 * visible escape, and log_msg writes each record as exactly one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_support.h"
#include "common/log.h"

/* Escape text[0..n) into a buffer large enough for any escape. */
static const char *esc(const char *text, size_t n)
{
	static char out[512];
	size_t need = log_escape(text, n, out, sizeof out);
	assert_int_equal(need, strlen(out));
	return out;
}

#define ESC(lit) esc(lit, sizeof lit - 1)

static void control_characters_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(ESC("plain text: /v1/healthz?x=1"), "plain text: /v1/healthz?x=1");
	assert_string_equal(ESC("a\nb"), "a\\nb");
	assert_string_equal(ESC("\r\t"), "\\r\\t");
	assert_string_equal(ESC("\x1b[31mred"), "\\e[31mred");
	assert_string_equal(ESC("\x00"), "\\x00");
	assert_string_equal(ESC("\x01\x07\x08\x0b\x0c\x1f"), "\\x01\\x07\\x08\\x0b\\x0c\\x1f");
	assert_string_equal(ESC("\x7f"), "\\x7f");
	/* a backslash is doubled, so an escape in the log always came from here */
	assert_string_equal(ESC("C:\\x0a"), "C:\\\\x0a");
	/* a forged record: the new line and its fake time stay on this one */
	assert_string_equal(ESC("/v1/x\n2026-11-23T08:00:00.000000Z error forged"),
			    "/v1/x\\n2026-11-23T08:00:00.000000Z error forged");
}

static void utf8_is_kept_and_invalid_bytes_escaped(void **state)
{
	(void)state;
	/* valid UTF-8 text is copied as it is */
	assert_string_equal(ESC("口岸 Nansha"), "口岸 Nansha");
	assert_string_equal(ESC("\xc2\xa0"), "\xc2\xa0"); /* no-break space */
	assert_string_equal(ESC("\xf0\x9f\x9a\xa2"), "\xf0\x9f\x9a\xa2"); /* U+1F6A2 */
	/* each byte that is not valid UTF-8 becomes \xHH */
	assert_string_equal(ESC("\xff"), "\\xff");
	assert_string_equal(ESC("a\x80z"), "a\\x80z");
	assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");             /* overlong / */
	assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");     /* surrogate */
	assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	assert_string_equal(ESC("\xe5\x8f"), "\\xe5\\x8f");             /* cut short */
	assert_string_equal(ESC("\xe5\x8f" "a"), "\\xe5\\x8fa");
}

static void text_movers_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xc2\x9b" "2J"), "\\u009b2J");       /* C1 CSI */
	assert_string_equal(ESC("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
	assert_string_equal(ESC("\xe2\x80\xa8\xe2\x80\xa9"), "\\u2028\\u2029");
	assert_string_equal(ESC("x\xe2\x80\xaey"), "x\\u202ey");      /* RLO */
	assert_string_equal(ESC("\xe2\x80\xaa"), "\\u202a");
	assert_string_equal(ESC("\xe2\x81\xa6\xe2\x81\xa9"), "\\u2066\\u2069");
	/* neighbours are not */
	assert_string_equal(ESC("\xe2\x80\xa7\xe2\x80\xaf"), "\xe2\x80\xa7\xe2\x80\xaf");
}

static void cuts_never_split_an_escape(void **state)
{
	(void)state;
	char out[8];
	/* "ab" "\n" "cd": 6 bytes escaped */
	assert_int_equal(log_escape("ab\ncd", 5, out, 5), 6);
	assert_string_equal(out, "ab\\n");
	assert_int_equal(log_escape("ab\ncd", 5, out, 4), 6);
	assert_string_equal(out, "ab");
	assert_int_equal(log_escape("ab\ncd", 5, out, 3), 6);
	assert_string_equal(out, "ab");
	/* a UTF-8 sequence is whole or absent */
	assert_int_equal(log_escape("a口", 4, out, 4), 4);
	assert_string_equal(out, "a");
	assert_int_equal(log_escape("a口", 4, out, 5), 4);
	assert_string_equal(out, "a口");
	/* no room at all: nothing written, the length still told */
	assert_int_equal(log_escape("\x1b", 1, out, 0), 2);
	assert_int_equal(log_escape("", 0, out, sizeof out), 0);
	assert_string_equal(out, "");
}

/* Run log_msg with stderr sent to a file; return what it wrote. */
static char *capture(void (*fn)(void))
{
	char path[] = "/tmp/kouan-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_set_quiet(0);
	fn();
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	char *text = calloc(1, 32768);
	assert_non_null(text);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	ssize_t n = read(fd, text, 32767);
	assert_true(n > 0);
	close(fd);
	unlink(path);
	return text;
}

static void forged_access_line(void)
{
	log_info("access %s \"%s %s\" %d", "127.0.0.1", "GET",
		 "/v1/x\n2026-11-23T08:00:00.000000Z info forged\x1b[2J", 404);
}

static void long_message(void)
{
	char big[6000];
	memset(big, '\n', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_warn("%s", big);
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

static void every_record_is_one_line(void **state)
{
	(void)state;
	char *text = capture(forged_access_line);
	assert_int_equal(count_char(text, '\n'), 1);
	/* "2026-11-23T08:00:00.000000Z info " then the message */
	assert_int_equal(text[4], '-');
	assert_int_equal(text[26], 'Z');
	const char *msg = strstr(text, " info ");
	assert_non_null(msg);
	assert_string_equal(msg, " info access 127.0.0.1 \"GET /v1/x\\n2026-11-23T08:00:00.000000Z "
				 "info forged\\e[2J\" 404\n");
	assert_null(strchr(text, '\x1b'));
	free(text);

	/* a message of 5999 newlines: cut, escaped, still one line */
	text = capture(long_message);
	assert_int_equal(count_char(text, '\n'), 1);
	assert_non_null(strstr(text, " warn \\n\\n\\n"));
	assert_true(strlen(text) > 2000);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_characters_are_escaped),
		cmocka_unit_test(utf8_is_kept_and_invalid_bytes_escaped),
		cmocka_unit_test(text_movers_are_escaped),
		cmocka_unit_test(cuts_never_split_an_escape),
		cmocka_unit_test(every_record_is_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
