/*
 * problems.h - the list of per-field problems a validation finds: each names
 * the field as a JSON pointer (RFC 6901) into the request body, or
 * "header:Name", "query:name" or "path:name", or, in an XML body, "xml:"
 * and the element's path, and says in a sentence what is wrong and what is
 * accepted.
 *
 * Every layer may fill one (domain validation, services, handlers); only the
 * HTTP layer turns it into an answer (src/http/problem.h).
 */
#ifndef KOUAN_PROBLEMS_H
#define KOUAN_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>

struct json_t;

#define PROBLEM_MAX_ERRORS 64
#define PROBLEM_FIELD_MAX 128
#define PROBLEM_TEXT_MAX 640

struct field_error {
	char field[PROBLEM_FIELD_MAX];
	char problem[PROBLEM_TEXT_MAX];
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

#endif
