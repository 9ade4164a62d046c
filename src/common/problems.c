/* problems.c - the list of per-field problems (see problems.h). */
#include "common/problems.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"

void problems_init(struct problems *p)
{
	p->count = 0;
	p->dropped = 0;
}

void problems_add(struct problems *p, const char *field, const char *fmt, ...)
{
	if (p->count >= PROBLEM_MAX_ERRORS) {
		p->dropped++;
		return;
	}
	struct field_error *fe = &p->errors[p->count++];
	str_copy(fe->field, field, sizeof fe->field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fe->problem, sizeof fe->problem, fmt, ap);
	va_end(ap);
}

void json_pointer_to(char *out, size_t n, const char *prefix, const char *key)
{
	if (!n)
		return;
	size_t len = str_copy(out, prefix, n);
	if (len >= n)
		len = n - 1;
	if (len + 1 < n)
		out[len++] = '/';
	for (const char *k = key; *k && len + 2 < n; k++) {
		if (*k == '~' || *k == '/') {
			out[len++] = '~';
			out[len++] = *k == '~' ? '0' : '1';
		} else {
			out[len++] = *k;
		}
	}
	out[len] = '\0';
}

bool problems_unknown_fields(struct problems *p, const json_t *obj,
			     const char *prefix, const char *const *allowed,
			     const char *accepted)
{
	bool all_known = true;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val)
	{
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = strcmp(allowed[i], key) == 0;
		if (!known) {
			char f[sizeof p->errors[0].field];
			json_pointer_to(f, sizeof f, prefix, key);
			problems_add(p, f, "unknown field; accepted fields are: %s", accepted);
			all_known = false;
		}
	}
	return all_known;
}
