/* fields.c - typed JSON members with per-field problems (see fields.h). */
#include "common/fields.h"

#include <stdio.h>

#include "common/date.h"
#include "common/decimal.h"

void field_index_pointer(char *out, size_t n, const char *at, size_t index)
{
	snprintf(out, n, "%s/%zu", at, index);
}

/* The member, or NULL when absent or null ("is required" if it must be);
 * its JSON pointer into f. */
static const json_t *member(const json_t *obj, const char *key, const char *at,
			    bool required, char f[PROBLEM_FIELD_MAX],
			    struct problems *p)
{
	const json_t *j = json_object_get(obj, key);

	json_pointer_to(f, PROBLEM_FIELD_MAX, at, key);
	if (!j || json_is_null(j)) {
		if (required)
			problems_add(p, f, "is required");
		return NULL;
	}
	return j;
}

const char *field_string(const json_t *obj, const char *key, const char *at,
			 bool required, size_t max_chars, struct problems *p)
{
	char f[PROBLEM_FIELD_MAX];
	const json_t *j;
	const char *s;
	size_t chars = 0;

	if (!(j = member(obj, key, at, required, f, p)))
		return NULL;
	if (!json_is_string(j)) {
		problems_add(p, f, "must be a string");
		return NULL;
	}
	s = json_string_value(j);
	if (!*s) {
		problems_add(p, f, "must not be empty");
		return NULL;
	}
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			problems_add(p, f, "must not contain control characters");
			return NULL;
		}
		if (((unsigned char)*c & 0xC0) != 0x80)
			chars++;
	}
	if (chars > max_chars) {
		problems_add(p, f, "must be at most %zu characters", max_chars);
		return NULL;
	}
	return s;
}

enum field_result field_decimal(const json_t *obj, const char *key,
				const char *at, int scale, enum field_sign sign,
				int64_t max, bool required, int64_t *out,
				struct problems *p)
{
	char f[PROBLEM_FIELD_MAX], why[96], limit[32];
	const json_t *j;
	enum decimal_result r;
	int64_t v;

	if (!(j = member(obj, key, at, required, f, p)))
		return FIELD_ABSENT;
	if (!json_is_string(j)) {
		problems_add(p, f,
			     "must be a decimal string such as \"1234.5\" (numbers are "
			     "sent as strings so they stay exact)");
		return FIELD_BAD;
	}
	r = decimal_parse(json_string_value(j), scale, &v);
	if (r != DECIMAL_OK) {
		problems_add(p, f, "%s", decimal_result_text(r, scale, why, sizeof why));
		return FIELD_BAD;
	}
	if (sign == FIELD_POSITIVE ? v <= 0 : v < 0) {
		problems_add(p, f, sign == FIELD_POSITIVE ? "must be greater than zero"
							  : "must not be negative");
		return FIELD_BAD;
	}
	if (v > max) {
		decimal_format_trim(max, scale, limit, sizeof limit);
		problems_add(p, f, "must be at most %s", limit);
		return FIELD_BAD;
	}
	*out = v;
	return FIELD_OK;
}

/* A string member read by `parse`; `form` completes "must be ...". */
static enum field_result field_parsed(const json_t *obj, const char *key,
				      const char *at, bool required,
				      bool (*parse)(const char *, int32_t *),
				      const char *form, int32_t *out,
				      struct problems *p)
{
	char f[PROBLEM_FIELD_MAX];
	const json_t *j;

	if (!(j = member(obj, key, at, required, f, p)))
		return FIELD_ABSENT;
	if (!json_is_string(j) || !parse(json_string_value(j), out)) {
		problems_add(p, f, "must be %s", form);
		return FIELD_BAD;
	}
	return FIELD_OK;
}

enum field_result field_date(const json_t *obj, const char *key,
			     const char *at, bool required, int32_t *out,
			     struct problems *p)
{
	return field_parsed(obj, key, at, required, kdate_parse,
			    "a calendar date written YYYY-MM-DD, such as \"2026-01-01\"",
			    out, p);
}

enum field_result field_month(const json_t *obj, const char *key,
			      const char *at, bool required, int32_t *out,
			      struct problems *p)
{
	return field_parsed(obj, key, at, required, kmonth_parse,
			    "a month written YYYY-MM, such as \"2026-11\"", out, p);
}

const json_t *field_array(const json_t *obj, const char *key, const char *at,
			  bool required, size_t max, struct problems *p)
{
	char f[PROBLEM_FIELD_MAX];
	const json_t *j;

	if (!(j = member(obj, key, at, required, f, p)))
		return NULL;
	if (!json_is_array(j)) {
		problems_add(p, f, "must be an array");
		return NULL;
	}
	if (json_array_size(j) > max) {
		problems_add(p, f, "has %zu entries; at most %zu are accepted",
			     json_array_size(j), max);
		return NULL;
	}
	return j;
}

json_t *json_decimal(int64_t v, int scale)
{
	char buf[32];

	if (decimal_format(v, scale, buf, sizeof buf) < 0)
		return NULL;
	return json_string(buf);
}

json_t *json_decimal_trim(int64_t v, int scale)
{
	char buf[32];

	if (decimal_format_trim(v, scale, buf, sizeof buf) < 0)
		return NULL;
	return json_string(buf);
}
