/*
 * error.h - the one error code of kouan, made with an X-macro so that the
 * enum and its text never drift apart.
 *
 * A kerr says what went wrong in the domain's terms (not valid, not found,
 * conflict with the current state, ...). It knows nothing of HTTP: the
 * HTTP layer maps each code to a status, a problem type and a title
 * (src/http/problem.c).
 *
 * Fallible functions return kerr (KERR_OK is 0) and are marked KOUAN_MUST_USE.
 */
#ifndef KOUAN_ERROR_H
#define KOUAN_ERROR_H

#define KOUAN_MUST_USE __attribute__((warn_unused_result))

/* X(name, text) */
#define KOUAN_ERROR_MAP(X)                                                      \
	X(OK, "OK")                                                            \
	X(INVALID, "The request is not valid")                                 \
	X(UNAUTHENTICATED, "Authentication required")                          \
	X(FORBIDDEN, "Not allowed for this role")                              \
	X(NOT_FOUND, "Not found")                                              \
	X(METHOD, "Method not allowed")                                        \
	X(CONFLICT, "Conflict with the current state")                         \
	X(TOO_LARGE, "Request body too large")                                 \
	X(MEDIA_TYPE, "Unsupported media type")                                \
	X(PRECONDITION, "Precondition required")                               \
	X(NOMEM, "Out of memory")                                              \
	X(STORE, "Storage failure")                                            \
	X(INTERNAL, "Internal error")                                          \
	X(BUSY, "Service busy, retry later")                                   \
	X(THROTTLED, "Too many attempts, wait before trying again")

typedef enum {
#define KERR_ENUM(name, text) KERR_##name,
	KOUAN_ERROR_MAP(KERR_ENUM)
#undef KERR_ENUM
	KERR_COUNT_
} kerr;

/* Human text of an error (static storage, never NULL). */
const char *kerr_title(kerr e);

#endif
