/*
 * error.h - the one error code of kouan, made with an X-macro so that the
 * enum, its text and its HTTP status never drift apart.
 *
 * Fallible functions return kerr (KERR_OK is 0) and are marked KOUAN_MUST_USE.
 */
#ifndef KOUAN_ERROR_H
#define KOUAN_ERROR_H

#define KOUAN_MUST_USE __attribute__((warn_unused_result))

/* X(name, http status, problem type slug, title) */
#define KOUAN_ERROR_MAP(X)                                                      \
	X(OK, 200, "ok", "OK")                                                 \
	X(INVALID, 400, "invalid-request", "The request is not valid")        \
	X(UNAUTHENTICATED, 401, "unauthenticated", "Authentication required") \
	X(FORBIDDEN, 403, "forbidden", "Not allowed for this role")           \
	X(NOT_FOUND, 404, "not-found", "Not found")                            \
	X(METHOD, 405, "method-not-allowed", "Method not allowed")             \
	X(CONFLICT, 409, "conflict", "Conflict with the current state")        \
	X(TOO_LARGE, 413, "too-large", "Request body too large")               \
	X(MEDIA_TYPE, 415, "unsupported-media-type", "Unsupported media type") \
	X(PRECONDITION, 428, "precondition-required", "Precondition required") \
	X(NOMEM, 500, "internal", "Out of memory")                             \
	X(STORE, 500, "internal", "Storage failure")                           \
	X(INTERNAL, 500, "internal", "Internal error")                         \
	X(BUSY, 503, "busy", "Service busy, retry later")

typedef enum {
#define KERR_ENUM(name, status, slug, title) KERR_##name,
	KOUAN_ERROR_MAP(KERR_ENUM)
#undef KERR_ENUM
} kerr;

/* Human title of an error (static storage, never NULL). */
const char *kerr_title(kerr e);
/* Slug used in the problem type URI, e.g. "not-found". */
const char *kerr_slug(kerr e);
/* HTTP status an API answers for this error. */
int kerr_http_status(kerr e);

#endif
