/* fields.c - reading the members of a JSON document under validation (see
 * fields.h). */
#include "domain/fields.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/codes.h"
#include "common/date.h"
#include "common/decimal.h"

void fields_pointer_index(char *out, size_t n, const char *prefix, size_t i)
{
	snprintf(out, n, "%s/%zu", prefix, i);
}

size_t fields_utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

bool fields_identifier(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '/' || *s == '.'))
			return false;
	return true;
}

/* The member, or NULL when absent or null (a problem when required). */
static const json_t *member(struct fields *f, const json_t *obj, const char *key,
			    const char *at, bool required, char *ptr, size_t n)
{
	json_pointer_to(ptr, n, at, key);
	json_t *j = json_object_get(obj, key);
	if (!j || json_is_null(j)) {
		if (required)
			problems_add(f->p, ptr, "is required");
		return NULL;
	}
	return j;
}

const char *fields_text(struct fields *f, const json_t *obj, const char *key,
			const char *at, bool required, size_t maxchars)
{
	char ptr[FIELD_POINTER_MAX];
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (!j)
		return NULL;
	if (!json_is_string(j)) {
		problems_add(f->p, ptr, "must be a string");
		return NULL;
	}
	const char *s = json_string_value(j);
	if (!*s) {
		problems_add(f->p, ptr, "must not be empty");
		return NULL;
	}
	if (fields_utf8_chars(s) > maxchars) {
		problems_add(f->p, ptr, "must be at most %zu characters", maxchars);
		return NULL;
	}
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f) {
			problems_add(f->p, ptr, "must not contain control characters");
			return NULL;
		}
	}
	return s;
}

const char *fields_reference(struct fields *f, const json_t *obj,
			     const char *key, const char *at, bool required,
			     size_t maxchars)
{
	const char *s = fields_text(f, obj, key, at, required, maxchars);
	if (s && !fields_identifier(s)) {
		char ptr[FIELD_POINTER_MAX];
		json_pointer_to(ptr, sizeof ptr, at, key);
		problems_add(f->p, ptr,
			     "may only contain letters, digits, '-', '/' and '.'");
		return NULL;
	}
	return s;
}

const char *fields_code(struct fields *f, const json_t *obj, const char *key,
			const char *at, bool required, const char *list,
			const char *what)
{
	const char *s = fields_text(f, obj, key, at, required, 64);
	if (s && !refdata_has(f->ref, list, s)) {
		char ptr[FIELD_POINTER_MAX];
		json_pointer_to(ptr, sizeof ptr, at, key);
		problems_add(f->p, ptr,
			     "'%.40s' is not a known %s (see GET /v1/reference/%s)",
			     s, what, list);
		return NULL;
	}
	return s;
}

int fields_choice(struct fields *f, const json_t *obj, const char *key,
		  const char *at, bool required, const char *const *values,
		  const char *accepted)
{
	char ptr[FIELD_POINTER_MAX];
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (!j)
		return -1;
	const char *s = json_string_value(j);
	for (int i = 0; s && values[i]; i++)
		if (strcmp(values[i], s) == 0)
			return i;
	problems_add(f->p, ptr, "must be one of %s", accepted);
	return -1;
}

bool fields_decimal(struct fields *f, const json_t *obj, const char *key,
		    const char *at, int scale, bool required, bool positive,
		    int64_t *out)
{
	char ptr[FIELD_POINTER_MAX];
	*out = 0;
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (!j)
		return !required;
	if (!json_is_string(j)) {
		problems_add(f->p, ptr,
			     "must be a decimal string such as \"1234.5\" (numbers are "
			     "sent as strings so they stay exact)");
		return false;
	}
	char why[96];
	enum decimal_result r = decimal_parse(json_string_value(j), scale, out);
	if (r != DECIMAL_OK) {
		problems_add(f->p, ptr, "%s", decimal_result_text(r, scale, why, sizeof why));
		*out = 0;
		return false;
	}
	if (positive ? *out <= 0 : *out < 0) {
		problems_add(f->p, ptr, positive ? "must be greater than zero"
						 : "must not be negative");
		*out = 0;
		return false;
	}
	return true;
}

bool fields_whole(struct fields *f, const json_t *obj, const char *key,
		  const char *at, bool required, int64_t min, int64_t max,
		  int64_t *out)
{
	char ptr[FIELD_POINTER_MAX];
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (!j)
		return !required;
	if (!json_is_integer(j) || json_integer_value(j) < min ||
	    json_integer_value(j) > max) {
		problems_add(f->p, ptr, "must be a whole number from %lld to %lld",
			     (long long)min, (long long)max);
		return false;
	}
	*out = json_integer_value(j);
	return true;
}

bool fields_time(struct fields *f, const json_t *obj, const char *key,
		 const char *at, bool required, int64_t *out)
{
	char ptr[FIELD_POINTER_MAX];
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (!j)
		return !required;
	int64_t us;
	if (!json_is_string(j) || !ktime_parse(json_string_value(j), &us)) {
		problems_add(f->p, ptr,
			     "must be an RFC 3339 time with its offset, such as "
			     "\"2026-11-20T06:00:00Z\" or \"2026-11-20T14:00:00+08:00\"");
		return false;
	}
	*out = us;
	return true;
}

const json_t *fields_array(struct fields *f, const json_t *obj, const char *key,
			   const char *at, bool required, bool nonempty,
			   size_t max)
{
	char ptr[FIELD_POINTER_MAX];
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (!j)
		return NULL;
	if (!json_is_array(j)) {
		problems_add(f->p, ptr, "must be an array");
		return NULL;
	}
	if (json_array_size(j) > max) {
		problems_add(f->p, ptr, "has %zu entries; at most %zu are accepted",
			     json_array_size(j), max);
		return NULL;
	}
	if (nonempty && json_array_size(j) == 0) {
		problems_add(f->p, ptr, "must have at least one entry");
		return NULL;
	}
	return j;
}

const json_t *fields_object(struct fields *f, const json_t *obj, const char *key,
			    const char *at, bool required, const char *shape)
{
	char ptr[FIELD_POINTER_MAX];
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (j && !json_is_object(j)) {
		problems_add(f->p, ptr, "must be an object with %s", shape);
		return NULL;
	}
	return j;
}

bool fields_absent(struct fields *f, const json_t *obj, const char *key,
		   const char *at, const char *why)
{
	const json_t *j = json_object_get(obj, key);
	if (!j || json_is_null(j))
		return true;
	char ptr[FIELD_POINTER_MAX];
	json_pointer_to(ptr, sizeof ptr, at, key);
	problems_add(f->p, ptr, "%s", why);
	return false;
}

const char *fields_uscc(struct fields *f, const json_t *obj, const char *key,
			const char *at, bool required)
{
	const char *s = fields_text(f, obj, key, at, required, 64);
	enum codes_result r;
	if (s && (r = codes_check_uscc(s)) != CODES_OK) {
		char ptr[FIELD_POINTER_MAX];
		json_pointer_to(ptr, sizeof ptr, at, key);
		problems_add(f->p, ptr, "unified social credit code %s",
			     codes_result_text(r, "USCC"));
		return NULL;
	}
	return s;
}

const char *fields_container(struct fields *f, const json_t *obj,
			     const char *key, const char *at, bool required)
{
	const char *s = fields_text(f, obj, key, at, required, 16);
	enum codes_result r;
	if (s && (r = codes_check_container(s)) != CODES_OK) {
		char ptr[FIELD_POINTER_MAX];
		json_pointer_to(ptr, sizeof ptr, at, key);
		problems_add(f->p, ptr, "container number %s",
			     codes_result_text(r, "container"));
		return NULL;
	}
	return s;
}

enum fields_found fields_decimal_max(struct fields *f, const json_t *obj,
				     const char *key, const char *at, int scale,
				     bool required, bool positive, int64_t max,
				     int64_t *out)
{
	const json_t *j = json_object_get(obj, key);
	bool absent = !j || json_is_null(j);
	int64_t v;
	if (!fields_decimal(f, obj, key, at, scale, required, positive, &v))
		return absent ? FIELDS_ABSENT : FIELDS_WRONG;
	if (absent)
		return FIELDS_ABSENT;
	if (v > max) {
		char ptr[FIELD_POINTER_MAX], limit[32];
		json_pointer_to(ptr, sizeof ptr, at, key);
		decimal_format_trim(max, scale, limit, sizeof limit);
		problems_add(f->p, ptr, "must be at most %s", limit);
		return FIELDS_WRONG;
	}
	*out = v;
	return FIELDS_VALID;
}

/* A string member read by `parse`; `form` completes "must be ...". */
static enum fields_found parsed(struct fields *f, const json_t *obj, const char *key,
				const char *at, bool required,
				bool (*parse)(const char *, int32_t *), const char *form,
				int32_t *out)
{
	char ptr[FIELD_POINTER_MAX];
	const json_t *j = member(f, obj, key, at, required, ptr, sizeof ptr);
	if (!j)
		return FIELDS_ABSENT;
	if (!json_is_string(j) || !parse(json_string_value(j), out)) {
		problems_add(f->p, ptr, "must be %s", form);
		return FIELDS_WRONG;
	}
	return FIELDS_VALID;
}

enum fields_found fields_date(struct fields *f, const json_t *obj, const char *key,
			      const char *at, bool required, int32_t *out)
{
	return parsed(f, obj, key, at, required, kdate_parse,
		      "a calendar date written YYYY-MM-DD, such as \"2026-01-01\"", out);
}

enum fields_found fields_month(struct fields *f, const json_t *obj, const char *key,
			       const char *at, bool required, int32_t *out)
{
	return parsed(f, obj, key, at, required, kmonth_parse,
		      "a month written YYYY-MM, such as \"2026-11\"", out);
}

json_t *fields_decimal_json(int64_t v, int scale)
{
	char buf[32];
	return decimal_format(v, scale, buf, sizeof buf) < 0 ? NULL : json_string(buf);
}

json_t *fields_decimal_json_trim(int64_t v, int scale)
{
	char buf[32];
	return decimal_format_trim(v, scale, buf, sizeof buf) < 0 ? NULL : json_string(buf);
}
