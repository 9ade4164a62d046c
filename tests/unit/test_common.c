/*
 * test_common.c - the small common pieces: bounded buffers, the clock and
 * RFC 3339 time, the error table, problem+json rendering, configuration.
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "test_support.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/error.h"
#include "http/problem.h"
#include "server/config.h"
#include "store/store.h"

static void buffers_are_bounded(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "0123456789"), KERR_OK);
	assert_int_equal(buf_puts(&b, "x"), KERR_TOO_LARGE);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "ab"), KERR_OK);
	assert_string_equal(b.data, "42-ab");
	assert_int_equal(buf_printf(&b, "%s", "too long now"), KERR_TOO_LARGE);
	assert_string_equal(b.data, "42-ab");
	char *s = buf_take(&b);
	assert_string_equal(s, "42-ab");
	free(s);
	assert_null(b.data);
	s = buf_take(&b); /* empty buffer gives an empty string */
	assert_string_equal(s, "");
	free(s);
	char small[4];
	assert_int_equal(str_copy(small, "abcdef", sizeof small), 6);
	assert_string_equal(small, "abc");
}

static void time_text(void **state)
{
	(void)state;
	char t[KTIME_TEXT_MAX];
	ktime_format(TEST_EPOCH_US + 123456, t);
	assert_string_equal(t, "2026-11-23T08:00:00.123456Z");
	int64_t us;
	assert_true(ktime_parse(t, &us));
	assert_int_equal(us, TEST_EPOCH_US + 123456);
	assert_true(ktime_parse("2026-11-23T16:00:00+08:00", &us));
	assert_int_equal(us, TEST_EPOCH_US);
	assert_true(ktime_parse("2026-11-23T08:00:00.5Z", &us));
	assert_int_equal(us, TEST_EPOCH_US + 500000);
	assert_false(ktime_parse("2026-11-23 08:00:00Z", &us));
	assert_false(ktime_parse("2026-02-29T08:00:00Z", &us));
	assert_true(ktime_parse("2028-02-29T08:00:00Z", &us));
	assert_false(ktime_parse("2026-11-23T08:00:00", &us));
	assert_false(ktime_parse("2026-11-23T08:00:00.Z", &us));
	assert_false(ktime_parse("2026-13-01T08:00:00Z", &us));
	assert_int_equal(ktime_year(TEST_EPOCH_US), 2026);
	/* before the epoch: fractions stay positive */
	ktime_format(-1, t);
	assert_string_equal(t, "1969-12-31T23:59:59.999999Z");
	struct kclock c;
	kclock_manual_init(&c, 1000, 10);
	assert_int_equal(kclock_now(&c), 1000);
	assert_int_equal(kclock_now(&c), 1010);
}

/* The C library's own conversion, the old way, as the reference. */
#define REFERENCE_TEXT_MAX 80 /* room for any int the format is given */
static void reference_text(int64_t us, char out[REFERENCE_TEXT_MAX], int *year)
{
	int64_t sec = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		sec -= 1;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	assert_non_null(gmtime_r(&t, &tm));
	snprintf(out, REFERENCE_TEXT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	*year = tm.tm_year + 1900;
}

/* Times are written, read back and given a year by arithmetic of kouan's
 * own: every third day from 0001 to 9999 (at a time of day that moves
 * through the seconds and microseconds, so every day of the year and both
 * sides of every month's end are met) gives what the C library gives,
 * reads back to the same instant, and an offset moves it as timegm does. */
static void time_text_agrees_with_the_c_library(void **state)
{
	(void)state;
	const int64_t first = -62135596800LL; /* 0001-01-01T00:00:00Z */
	const int64_t last = 253402300799LL;  /* 9999-12-31T23:59:59Z */
	int64_t n = 0;
	for (int64_t sec = first; sec <= last; sec += 3 * 86400 + 7, n++) {
		int64_t us = sec * 1000000 + (n * 7919) % 1000000;
		char got[KTIME_TEXT_MAX], want[REFERENCE_TEXT_MAX];
		int year;
		ktime_format(us, got);
		reference_text(us, want, &year);
		assert_string_equal(got, want);
		assert_int_equal(ktime_year(us), year);
		int64_t back;
		assert_true(ktime_parse(got, &back));
		assert_int_equal(back, us);
		/* the same instant as a local time eight hours ahead */
		char ahead[KTIME_TEXT_MAX + 8];
		ktime_format(us + 8 * 3600 * 1000000LL, ahead);
		if (ahead[0] == '0' && ahead[1] == '0' && ahead[2] == '0' && ahead[3] == '0')
			continue; /* past 9999: four digits have no room for it */
		strcpy(ahead + 26, "+08:00");
		assert_true(ktime_parse(ahead, &back));
		assert_int_equal(back, us);
	}
	assert_true(n > 1200000);
	/* a leap second is read as the next second, as timegm reads it */
	int64_t at60, next;
	assert_true(ktime_parse("2016-12-31T23:59:60Z", &at60));
	assert_true(ktime_parse("2017-01-01T00:00:00Z", &next));
	assert_int_equal(at60, next);
}

static void errors_map_to_statuses(void **state)
{
	(void)state;
	assert_int_equal(kerr_http_status(KERR_OK), 200);
	assert_int_equal(kerr_http_status(KERR_INVALID), 400);
	assert_int_equal(kerr_http_status(KERR_UNAUTHENTICATED), 401);
	assert_int_equal(kerr_http_status(KERR_NOT_FOUND), 404);
	assert_int_equal(kerr_http_status(KERR_CONFLICT), 409);
	assert_int_equal(kerr_http_status(KERR_TOO_LARGE), 413);
	assert_int_equal(kerr_http_status(KERR_MEDIA_TYPE), 415);
	assert_int_equal(kerr_http_status(KERR_PRECONDITION), 428);
	assert_int_equal(kerr_http_status(KERR_STORE), 500);
	assert_int_equal(kerr_http_status((kerr)999), 500);
	assert_string_equal(kerr_slug(KERR_NOT_FOUND), "not-found");
}

static void problems_render_as_rfc9457(void **state)
{
	(void)state;
	struct problems p;
	problems_init(&p);
	for (int i = 0; i < PROBLEM_MAX_ERRORS + 5; i++)
		problems_add(&p, "/items/1/hs_code", "problem %d", i);
	assert_int_equal(p.count, PROBLEM_MAX_ERRORS);
	assert_int_equal(p.dropped, 5);
	struct http_response r;
	http_response_init(&r);
	problem_respond(&r, KERR_INVALID, "/v1/declarations", "bad", &p);
	assert_int_equal(r.status, 400);
	assert_string_equal(r.content_type, "application/problem+json");
	json_t *j = json_loads(r.body.data, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
			    "urn:kouan:problem:invalid-request");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
	assert_string_equal(json_string_value(json_object_get(j, "instance")), "/v1/declarations");
	assert_int_equal(json_array_size(json_object_get(j, "errors")), PROBLEM_MAX_ERRORS);
	assert_int_equal(json_integer_value(json_object_get(j, "errors_not_shown")), 5);
	json_decref(j);
	http_response_free(&r);
}

/* `url` as messages show it (store_url_shown), into a buffer of `size`. */
static void shown_as(const char *url, size_t size, const char *expected)
{
	char out[256] = "untouched";
	assert_true(size <= sizeof out);
	store_url_shown(url, out, size);
	assert_string_equal(out, expected);
}

/* The database setting is printed at start and in errors, which end up in
 * the system's journal: a password in a PostgreSQL URL never does. */
static void database_urls_shown_without_their_password(void **state)
{
	(void)state;
	shown_as("/var/lib/kouan/kouan.db", 256, "/var/lib/kouan/kouan.db");
	shown_as("postgresql://kouan@db-primary/kouan", 256, "postgresql://kouan@db-primary/kouan");
	shown_as("postgresql:///kouan?host=/var/run/postgresql", 256,
		 "postgresql:///kouan?host=/var/run/postgresql");
	shown_as("postgresql://kouan:s3cr:t@db-primary:5432/kouan?sslmode=verify-full", 256,
		 "postgresql://kouan:***@db-primary:5432/kouan?sslmode=verify-full");
	shown_as("postgresql://u:p%40ss@h/db", 256, "postgresql://u:***@h/db");
	shown_as("postgres://u@h/db?application_name=kouan&password=xyz&connect_timeout=5", 256,
		 "postgres://u@h/db?application_name=kouan&password=***&connect_timeout=5");
	shown_as("postgresql://u:a@h/db?password=b", 256, "postgresql://u:***@h/db?password=***");
	shown_as("postgresql://h/db?password=", 256, "postgresql://h/db?password=***");
	shown_as("postgresql://h/db?passwordx=1&x=a@b:c", 256,
		 "postgresql://h/db?passwordx=1&x=a@b:c");
	shown_as("postgresql://h/db?", 256, "postgresql://h/db?");
	/* cut to fit, never past the buffer */
	shown_as("postgresql://kouan:secret@db/kouan", 20, "postgresql://kouan:");
	shown_as("postgresql://kouan:secret@db/kouan", 22, "postgresql://kouan:**");
	shown_as("kouan.db", 1, "");
}

static void configuration_layers(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1");
	assert_int_equal(c.port, 8080);
	assert_string_equal(c.sync, "power"); /* an answered change survives power loss */
	char path[] = "/tmp/kouan-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "# a comment\nport = 9091\n db = /var/lib/kouan/k.db \nthreads=4\n";
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	assert_true(config_load_file(&c, path, err, sizeof err));
	assert_int_equal(c.port, 9091);
	assert_string_equal(c.db, "/var/lib/kouan/k.db");
	setenv("KOUAN_PORT", "9092", 1);
	assert_true(config_load_env(&c, err, sizeof err));
	assert_int_equal(c.port, 9092);
	unsetenv("KOUAN_PORT");
	char *argv[] = {"kouan", "serve", "--port", "9093", "--max-body=2048", "--sync", "process"};
	assert_true(config_load_args(&c, 7, argv, 2, err, sizeof err));
	assert_int_equal(c.port, 9093);
	assert_int_equal(c.max_body, 2048);
	assert_string_equal(c.sync, "process");
	config_finish(&c);
	assert_string_equal(c.release_key, "/var/lib/kouan/k.db.release.key");
	char *bad1[] = {"kouan", "serve", "--port", "70000"};
	assert_false(config_load_args(&c, 4, bad1, 2, err, sizeof err));
	assert_non_null(strstr(err, "port"));
	char *bad2[] = {"kouan", "serve", "--colour", "red"};
	assert_false(config_load_args(&c, 4, bad2, 2, err, sizeof err));
	assert_non_null(strstr(err, "unknown setting"));
	char *bad3[] = {"kouan", "serve", "--port"};
	assert_false(config_load_args(&c, 3, bad3, 2, err, sizeof err));
	assert_false(config_set(&c, "sync", "sometimes", err, sizeof err));
	assert_false(config_set(&c, "threads", "0", err, sizeof err));
	assert_false(config_set(&c, "threads", "4x", err, sizeof err));
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "port 1\n", 7), 7);
	close(fd);
	assert_false(config_load_file(&c, path, err, sizeof err));
	assert_non_null(strstr(err, ":1:"));
	unlink(path);
}

/* apart-threads: 4 unless set, 0 (none) to 256, by flag or environment;
 * anything else refused with the setting and the value named. */
static void apart_threads_setting(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_defaults(&c);
	assert_int_equal(c.apart_threads, 4);
	assert_true(config_set(&c, "apart-threads", "0", err, sizeof err));
	assert_int_equal(c.apart_threads, 0);
	assert_true(config_set(&c, "apart-threads", "256", err, sizeof err));
	assert_int_equal(c.apart_threads, 256);
	static const char *const bad[] = {"257", "-1", "4x", "", "four"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(config_set(&c, "apart-threads", bad[i], err, sizeof err));
		char want[128];
		snprintf(want, sizeof want,
			 "setting 'apart-threads': value '%s' is not acceptable (see --help)",
			 bad[i]);
		assert_string_equal(err, want);
		assert_int_equal(c.apart_threads, 256); /* unchanged */
	}
	setenv("KOUAN_APART_THREADS", "2", 1);
	assert_true(config_load_env(&c, err, sizeof err));
	unsetenv("KOUAN_APART_THREADS");
	assert_int_equal(c.apart_threads, 2);
	char *argv[] = {"kouan", "serve", "--apart-threads", "8"};
	assert_true(config_load_args(&c, 4, argv, 2, err, sizeof err));
	assert_int_equal(c.apart_threads, 8);
}

/* The port's time zone: Asia/Shanghai unless set; IANA-shaped names only. */
static void timezone_setting(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_defaults(&c);
	assert_string_equal(c.timezone, "Asia/Shanghai");
	assert_true(config_set(&c, "timezone", "Asia/Hong_Kong", err, sizeof err));
	assert_string_equal(c.timezone, "Asia/Hong_Kong");
	assert_true(config_set(&c, "timezone", "Etc/GMT-8", err, sizeof err));
	assert_true(config_set(&c, "timezone", "UTC", err, sizeof err));
	assert_string_equal(c.timezone, "UTC");
	static const char *const bad[] = {"", "/etc/passwd", "Asia/", "Asia//Shanghai",
					  "../../x", "Asia/Shang hai", "Asia/上海",
					  "Asia/Shanghai;", NULL};
	for (size_t i = 0; bad[i]; i++) {
		assert_false(config_set(&c, "timezone", bad[i], err, sizeof err));
		assert_non_null(strstr(err, "setting 'timezone'"));
	}
	assert_string_equal(c.timezone, "UTC");
	char longname[80];
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_false(config_set(&c, "timezone", longname, err, sizeof err));
	assert_string_equal(c.timezone, "UTC");
	setenv("KOUAN_TIMEZONE", "Asia/Urumqi", 1);
	assert_true(config_load_env(&c, err, sizeof err));
	unsetenv("KOUAN_TIMEZONE");
	assert_string_equal(c.timezone, "Asia/Urumqi");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buffers_are_bounded),
		cmocka_unit_test(time_text),
		cmocka_unit_test(time_text_agrees_with_the_c_library),
		cmocka_unit_test(errors_map_to_statuses),
		cmocka_unit_test(problems_render_as_rfc9457),
		cmocka_unit_test(database_urls_shown_without_their_password),
		cmocka_unit_test(configuration_layers),
		cmocka_unit_test(apart_threads_setting),
		cmocka_unit_test(timezone_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
