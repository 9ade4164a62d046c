/*
 * problem.h - RFC 9457 problem details (application/problem+json), with the
 * list of per-field validation errors that kouan adds:
 *
 *   {"type": "urn:kouan:problem:invalid-request", "title": "...",
 *    "status": 400, "detail": "...", "instance": "/v1/declarations",
 *    "errors": [{"field": "/items/2/hs_code", "problem": "..."}]}
 *
 * Fields are JSON pointers (RFC 6901) into the request body; a problem with
 * a header or query parameter names it as "header:Name" or "query:name".
 */
#ifndef KOUAN_PROBLEM_H
#define KOUAN_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "http/http.h"

struct json_t;

#define PROBLEM_MAX_ERRORS 64

struct field_error {
	char field[128];
	char problem[640];
};

/* A list of validation errors; collects at most PROBLEM_MAX_ERRORS and
 * counts the rest. */
struct problems {
	struct field_error errors[PROBLEM_MAX_ERRORS];
	size_t count;   /* stored */
	size_t dropped; /* not stored: list was full */
};

void problems_init(struct problems *p);
/* Add an error for `field` (a JSON pointer), problem text printf-style. */
void problems_add(struct problems *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline bool problems_any(const struct problems *p)
{
	return p->count > 0;
}

/* Write into out the JSON pointer prefix + "/" + key, escaping '~' and '/'
 * in key as RFC 6901 asks ("~0", "~1"). Truncates to n. */
void json_pointer_to(char *out, size_t n, const char *prefix, const char *key);

/* Add an "unknown field" error for each member of object `obj` (at pointer
 * `prefix`) not named in the NULL-terminated `allowed`; `accepted` is the
 * list shown to the user. Returns true when all members are known. */
bool problems_unknown_fields(struct problems *p, const struct json_t *obj,
			     const char *prefix, const char *const *allowed,
			     const char *accepted);

/* Write a problem response: status from `e`, optional detail, optional
 * per-field errors (may be NULL). */
void problem_respond(struct http_response *resp, kerr e, const char *instance,
		     const char *detail, const struct problems *errors);
/* The same with extension members (RFC 9457 §3.2) merged in from `extra`
 * (an object, taken; may be NULL). */
void problem_respond_ext(struct http_response *resp, kerr e, const char *instance,
			 const char *detail, const struct problems *errors,
			 struct json_t *extra);

#endif
