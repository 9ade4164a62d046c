/*
 * fields.h - reading typed members of a JSON object (strings, exact
 * decimals, dates, months, arrays) with every problem
 * recorded in a struct problems under the member's JSON pointer, and
 * writing exact decimals back as JSON strings.
 *
 * `at` is the JSON pointer of the object the member belongs to ("" for the
 * document itself); the member's pointer is `at` + "/" + key. Numbers travel
 * as decimal strings so they stay exact: a JSON number where a decimal is
 * expected is a problem, never read through a double. These helpers must
 * never stop at the first problem, allocate, or keep state.
 */
#ifndef KOUAN_FIELDS_H
#define KOUAN_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/problems.h"

enum field_result {
	FIELD_ABSENT, /* missing or null (a problem was recorded if required) */
	FIELD_OK,     /* present and valid: the output is set */
	FIELD_BAD,    /* present and not valid: a problem was recorded */
};

/* Which decimals a field accepts. */
enum field_sign {
	FIELD_NON_NEGATIVE, /* >= 0 */
	FIELD_POSITIVE,     /* > 0 */
};

/* pointer + "/" + index into out (size n). */
void field_index_pointer(char *out, size_t n, const char *at, size_t index);

/* A non-empty string of at most max_chars characters (UTF-8), without
 * control characters. Returns it (borrowed from obj) or NULL. */
const char *field_string(const json_t *obj, const char *key, const char *at,
			 bool required, size_t max_chars, struct problems *p);

/* An exact decimal string with at most `scale` fractional digits, within
 * `sign` and at most `max` (in units of 10^-scale), into *out. */
enum field_result field_decimal(const json_t *obj, const char *key,
				const char *at, int scale, enum field_sign sign,
				int64_t max, bool required, int64_t *out,
				struct problems *p);

/* A date "YYYY-MM-DD" (see common/date.h) into *out. */
enum field_result field_date(const json_t *obj, const char *key,
			     const char *at, bool required, int32_t *out,
			     struct problems *p);

/* A month "YYYY-MM" into *out. */
enum field_result field_month(const json_t *obj, const char *key,
			      const char *at, bool required, int32_t *out,
			      struct problems *p);

/* An array of at most max entries (may be empty), or NULL. */
const json_t *field_array(const json_t *obj, const char *key, const char *at,
			  bool required, size_t max, struct problems *p);

/* v (scaled by 10^scale) as a JSON string with exactly `scale` decimals,
 * or with trailing zeros trimmed; NULL when out of memory. */
json_t *json_decimal(int64_t v, int scale);
json_t *json_decimal_trim(int64_t v, int scale);

#endif
