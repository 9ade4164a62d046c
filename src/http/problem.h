/*
 * problem.h - RFC 9457 problem details (application/problem+json), with the
 * list of per-field validation errors that kouan adds:
 *
 *   {"type": "urn:kouan:problem:invalid-request", "title": "...",
 *    "status": 400, "detail": "...", "instance": "/v1/declarations",
 *    "errors": [{"field": "/items/2/hs_code", "problem": "..."}]}
 *
 * The field list is struct problems (common/problems.h), filled by whichever
 * layer found the problems; this is where it becomes an answer.
 */
#ifndef KOUAN_PROBLEM_H
#define KOUAN_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/problems.h"
#include "http/http.h"

struct json_t;

/* The HTTP status an API answers for an error, and the slug of its problem
 * type ("urn:kouan:problem:<slug>"). */
int kerr_http_status(kerr e);
const char *kerr_slug(kerr e);

/* Write a problem response: status from `e`, optional detail, optional
 * per-field errors (may be NULL). */
void problem_respond(struct http_response *resp, kerr e, const char *instance,
		     const char *detail, const struct problems *errors);
/* The same with extension members (RFC 9457 §3.2) merged in from `extra`
 * (an object, taken; may be NULL). */
void problem_respond_ext(struct http_response *resp, kerr e, const char *instance,
			 const char *detail, const struct problems *errors,
			 struct json_t *extra);

/* A problem answer for an HTTP status rather than an error code: the
 * statuses of the error codes (400, 413, ...) keep their problem types, and
 * the ones only the HTTP edge answers get theirs (408 request-timeout, 414
 * uri-too-long, 431 header-too-large, 501 not-implemented, 505
 * http-version-not-supported). Any other status answers 500 internal. */
void problem_respond_status(struct http_response *resp, int status,
			    const char *instance, const char *detail,
			    const struct problems *errors);

#endif
