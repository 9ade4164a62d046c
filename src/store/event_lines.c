/* event_lines.c - the events after a row's first, as lines (see
 * event_lines.h). */
#include "store/event_lines.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A text of a line: its length in bytes, ':' and its bytes; '-' for none. */
static kerr put_text(struct buf *b, const char *t)
{
	return t ? buf_printf(b, "%zu:%s", strlen(t), t) : buf_puts(b, "-");
}

kerr event_line_append(struct buf *b, const struct event_line *l)
{
	if (l->dt > EVENT_LINE_SPAN_US || l->dt < -EVENT_LINE_SPAN_US || !l->data ||
	    l->data[0] != '{')
		return KERR_INVALID;
	kerr e = buf_printf(b, "%lld %lld ", (long long)l->dt, (long long)l->type);
	const char *const texts[] = {l->agency, l->actor, l->role, l->call, l->data};
	size_t n = sizeof texts / sizeof texts[0];
	for (size_t i = 0; !e && i < n; i++) {
		e = put_text(b, texts[i]);
		if (!e)
			e = buf_puts(b, i + 1 < n ? " " : "\n");
	}
	return e;
}

/* The integer at *p, then the separator `sep`, moving *p past both. */
static bool read_int(char **p, char sep, int64_t *out)
{
	char *end;
	if (**p != '-' && (**p < '0' || **p > '9'))
		return false; /* strtoll would take spaces and '+' */
	errno = 0;
	long long v = strtoll(*p, &end, 10);
	if (end == *p || errno || *end != sep)
		return false;
	*out = v;
	*p = end + 1;
	return true;
}

/* The text at *p ('-', or length ':' bytes), then the separator `sep`,
 * which is overwritten with the text's end: *out points into the line
 * (NULL for '-'), and *p moves past the separator. `end` is the text's
 * terminating NUL. */
static bool read_text(char **p, char *end, char sep, const char **out)
{
	char *q = *p;
	if (*q == '-') {
		*out = NULL;
		q++;
	} else {
		char *colon;
		if (*q < '0' || *q > '9')
			return false;
		errno = 0;
		unsigned long long n = strtoull(q, &colon, 10);
		if (colon == q || errno || *colon != ':' ||
		    n >= (unsigned long long)(end - colon - 1))
			return false; /* the text and its separator within the line */
		*out = colon + 1;
		q = colon + 1 + n;
	}
	if (q >= end || *q != sep)
		return false;
	*q = '\0';
	*p = q + 1;
	return true;
}

kerr event_lines_each(char *text, size_t max, event_line_fn fn, void *arg)
{
	char *p = text, *end = text + strlen(text);
	size_t n = 0;
	while (p < end) {
		struct event_line l;
		if (++n > max || !read_int(&p, ' ', &l.dt) || !read_int(&p, ' ', &l.type) ||
		    !read_text(&p, end, ' ', &l.agency) || !read_text(&p, end, ' ', &l.actor) ||
		    !read_text(&p, end, ' ', &l.role) || !read_text(&p, end, ' ', &l.call) ||
		    !read_text(&p, end, '\n', &l.data) || !l.data || l.data[0] != '{' ||
		    l.dt > EVENT_LINE_SPAN_US || l.dt < -EVENT_LINE_SPAN_US)
			return KERR_STORE;
		kerr e = fn(arg, &l);
		if (e)
			return e;
	}
	return n ? KERR_OK : KERR_STORE;
}
