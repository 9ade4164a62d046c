/*
 * fields.h - reading the members of a JSON document under validation: text,
 * codes from a reference list, exact decimals, whole numbers, RFC 3339
 * times, arrays and objects, each reported into a struct problems with the
 * member's JSON pointer and a sentence saying what is accepted.
 *
 * The transport documents (conveyance reports, manifests, tally reports,
 * the transport members of a declaration) read their fields through these,
 * so one kind of mistake reads the same in every document. The sentences
 * are those of the goods declaration's validation.
 *
 * Pure: no I/O, no clock, no allocation. Returned strings point into the
 * JSON value and live as long as it does.
 */
#ifndef KOUAN_FIELDS_H
#define KOUAN_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/problems.h"
#include "domain/refdata.h"

/* Size of a JSON pointer buffer (the problem list's field size). */
#define FIELD_POINTER_MAX PROBLEM_FIELD_MAX

/* Where problems go, and the reference snapshot codes are checked against
 * (may be NULL for documents that name no code). */
struct fields {
	struct problems *p;
	const struct refdata *ref;
};

/* Pointer `prefix` + "/" + index. */
void fields_pointer_index(char *out, size_t n, const char *prefix, size_t i);

/* Number of characters (not bytes) of a UTF-8 string. */
size_t fields_utf8_chars(const char *s);

/* Is `s` made only of ASCII letters, digits, '-', '/' and '.' (the
 * alphabet of bills of lading, voyages and other document numbers)? */
bool fields_identifier(const char *s);

/* The text member `key` of `obj` (at pointer `at`): a non-empty string of at
 * most `maxchars` characters without control characters. Returns it, or
 * NULL when absent (a problem if `required`) or wrong (always a problem). */
const char *fields_text(struct fields *f, const json_t *obj, const char *key,
			const char *at, bool required, size_t maxchars);

/* Like fields_text, and further limited to fields_identifier's alphabet. */
const char *fields_reference(struct fields *f, const json_t *obj,
			     const char *key, const char *at, bool required,
			     size_t maxchars);

/* A text member that must be a code of reference list `list`; `what` names
 * the kind of code in the sentence ("UN/LOCODE port"). */
const char *fields_code(struct fields *f, const json_t *obj, const char *key,
			const char *at, bool required, const char *list,
			const char *what);

/* A text member that must be one of the NULL-terminated `values`; returns
 * its index, or -1 (absent or wrong). `accepted` is shown in the sentence. */
int fields_choice(struct fields *f, const json_t *obj, const char *key,
		  const char *at, bool required, const char *const *values,
		  const char *accepted);

/* A decimal string scaled by 10^scale into *out (0 when absent). positive:
 * must be > 0, otherwise >= 0. Returns false when absent and required, or
 * wrong; true when valid or absent and optional. */
bool fields_decimal(struct fields *f, const json_t *obj, const char *key,
		    const char *at, int scale, bool required, bool positive,
		    int64_t *out);

/* A JSON whole number from min to max into *out (left alone when absent).
 * Same return convention as fields_decimal. */
bool fields_whole(struct fields *f, const json_t *obj, const char *key,
		  const char *at, bool required, int64_t min, int64_t max,
		  int64_t *out);

/* An RFC 3339 time into *out in microseconds UTC (left alone when absent).
 * Same return convention as fields_decimal. */
bool fields_time(struct fields *f, const json_t *obj, const char *key,
		 const char *at, bool required, int64_t *out);

/* An array member of at most `max` entries (at least one when `nonempty`);
 * NULL when absent (a problem if required) or wrong. */
const json_t *fields_array(struct fields *f, const json_t *obj, const char *key,
			   const char *at, bool required, bool nonempty,
			   size_t max);

/* An object member; NULL when absent (a problem if required) or not an
 * object (the sentence says "must be an object with <shape>"). */
const json_t *fields_object(struct fields *f, const json_t *obj, const char *key,
			    const char *at, bool required, const char *shape);

/* Refuse a member that must not be there: "<why>" at its pointer. Returns
 * true when it was absent (or null). */
bool fields_absent(struct fields *f, const json_t *obj, const char *key,
		   const char *at, const char *why);

/* A unified social credit code (GB 32100-2015 check character). */
const char *fields_uscc(struct fields *f, const json_t *obj, const char *key,
			const char *at, bool required);

/* An ISO 6346 container number (owner, category, serial, check digit). */
const char *fields_container(struct fields *f, const json_t *obj,
			     const char *key, const char *at, bool required);

/* --- dates, bounded decimals and decimals written back (the money
 * documents: tariffs, exchange rates, fee catalogues, payments) --- */

/* What a reader found. */
enum fields_found {
	FIELDS_ABSENT, /* missing or null (a problem if it was required) */
	FIELDS_VALID,  /* present and valid: the output is set */
	FIELDS_WRONG,  /* present and not valid: a problem was recorded */
};

/* Like fields_decimal, and at most `max` (in units of 10^-scale): "must be
 * at most 1000". *out is set only when valid (left alone otherwise). */
enum fields_found fields_decimal_max(struct fields *f, const json_t *obj,
				     const char *key, const char *at, int scale,
				     bool required, bool positive, int64_t max,
				     int64_t *out);

/* A calendar date "YYYY-MM-DD" into *out (a day number, common/date.h). */
enum fields_found fields_date(struct fields *f, const json_t *obj, const char *key,
			      const char *at, bool required, int32_t *out);

/* A month "YYYY-MM" into *out (common/date.h). */
enum fields_found fields_month(struct fields *f, const json_t *obj, const char *key,
			       const char *at, bool required, int32_t *out);

/* v (scaled by 10^scale) as a JSON decimal string with exactly `scale`
 * decimals, or with trailing zeros trimmed ("10", "0.047351"). NULL when
 * out of memory. */
json_t *fields_decimal_json(int64_t v, int scale);
json_t *fields_decimal_json_trim(int64_t v, int scale);

#endif
