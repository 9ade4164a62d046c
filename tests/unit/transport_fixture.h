/*
 * transport_fixture.h - what the transport unit tests share: the built-in
 * reference lists as a snapshot (plus the countries and currencies the
 * tests name, which come from iso-codes in a real deployment), JSON
 * documents edited member by member, and exact checks of a problem list.
 *
 * Header-only (static inline), included by the test files that need it;
 * each keeps the snapshot in `ref` (fixture_setup / fixture_teardown).
 */
#ifndef KOUAN_TRANSPORT_FIXTURE_H
#define KOUAN_TRANSPORT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "common/problems.h"
#include "domain/refdata.h"

/* The reference lists compiled into kouan, and a few countries and
 * currencies. */
static inline struct refdata *fixture_refdata(void)
{
	static const char *const extra[][2] = {
		{"countries", "CN"}, {"countries", "HK"}, {"countries", "MO"},
		{"countries", "US"}, {"countries", "VN"}, {"countries", "NO"},
		{"countries", "SG"}, {"countries", "PA"}, {"countries", "DE"},
		{"countries", "CL"}, {"currencies", "CNY"}, {"currencies", "USD"},
		{"currencies", "HKD"}, {"currencies", "EUR"}};
	struct refdata *r = refdata_builtin(extra, sizeof extra / sizeof extra[0]);
	assert_non_null(r);
	return r;
}

/* The snapshot a test file works with, made by fixture_setup. */
static struct refdata *ref;

static inline int fixture_setup(void **state)
{
	(void)state;
	ref = fixture_refdata();
	return 0;
}

static inline int fixture_teardown(void **state)
{
	(void)state;
	refdata_release(ref);
	return 0;
}

static inline json_t *fixture_json(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!j)
		fprintf(stderr, "fixture JSON: %s at %d:%d\n", err.text, err.line,
			err.column);
	assert_non_null(j);
	return j;
}

/* Set the member at `path` ("vessel/imo", "bills/1/packages"; array
 * indexes as numbers) to the JSON `value`, or remove it when value is
 * NULL. */
static inline void fixture_set(json_t *doc, const char *path, const char *value)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	json_t *at = doc;
	char *key = buf, *slash;
	while ((slash = strchr(key, '/'))) {
		*slash = '\0';
		at = json_is_array(at) ? json_array_get(at, (size_t)strtoul(key, NULL, 10))
				       : json_object_get(at, key);
		assert_non_null(at);
		key = slash + 1;
	}
	if (json_is_array(at)) {
		size_t i = (size_t)strtoul(key, NULL, 10);
		if (value)
			assert_int_equal(json_array_set_new(at, i, fixture_json(value)), 0);
		else
			assert_int_equal(json_array_remove(at, i), 0);
		return;
	}
	if (value)
		assert_int_equal(json_object_set_new(at, key, fixture_json(value)), 0);
	else
		json_object_del(at, key);
}

static inline void fixture_print(const struct problems *p)
{
	for (size_t i = 0; i < p->count; i++)
		fprintf(stderr, "  problem %zu: %s: %s\n", i, p->errors[i].field,
			p->errors[i].problem);
}

/* The list holds exactly one problem, at `field`, saying `text`. */
static inline void assert_one_problem(const struct problems *p, const char *field,
				      const char *text)
{
	if (p->count != 1)
		fixture_print(p);
	assert_int_equal(p->count, 1);
	assert_string_equal(p->errors[0].field, field);
	assert_string_equal(p->errors[0].problem, text);
}

/* Problem i is at `field` and says `text`. */
static inline void assert_problem(const struct problems *p, size_t i,
				  const char *field, const char *text)
{
	if (p->count <= i)
		fixture_print(p);
	assert_true(p->count > i);
	assert_string_equal(p->errors[i].field, field);
	assert_string_equal(p->errors[i].problem, text);
}

/* The canonical text of a JSON value equals `expected` (also canonical
 * once parsed, so it may be written with spaces and any key order). */
static inline void assert_json_equal(const json_t *got, const char *expected)
{
	json_t *want = fixture_json(expected);
	char *a = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	char *b = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	assert_non_null(a);
	assert_non_null(b);
	if (strcmp(a, b) != 0)
		fprintf(stderr, "  got:  %s\n  want: %s\n", a, b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(want);
}

#endif
