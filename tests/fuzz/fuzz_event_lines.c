/*
 * fuzz_event_lines.c - libFuzzer target for the lines in which a row of the
 * event log keeps its later events (src/store/event_lines.c): any bytes
 * read back from the column are either refused with KERR_STORE or give
 * lines whose texts lie within the input, end where the line said, and
 * whose data is an object's text; and every line so read is written out
 * again and read back to the same line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "store/event_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES_MAX 15 /* as a row of the event log: its first and 15 more */

struct seen {
	const char *lo, *hi; /* the input's bytes */
	struct buf again;    /* every line read, written out again */
	size_t n;
};

static void check_text(const struct seen *s, const char *t)
{
	if (t && (t < s->lo || t + strlen(t) > s->hi))
		abort(); /* a text outside the input */
}

static kerr see_line(void *arg, const struct event_line *l)
{
	struct seen *s = arg;
	check_text(s, l->agency);
	check_text(s, l->actor);
	check_text(s, l->role);
	check_text(s, l->call);
	check_text(s, l->data);
	if (!l->data || l->data[0] != '{' || l->dt > EVENT_LINE_SPAN_US ||
	    l->dt < -EVENT_LINE_SPAN_US)
		abort();
	s->n++;
	kerr e = event_line_append(&s->again, l);
	if (e && e != KERR_NOMEM)
		abort(); /* a line read back that cannot be written again */
	return KERR_OK;
}

static int same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

struct again {
	const struct buf *first; /* the first reading's lines, written out */
	struct buf twice;
	size_t n;
};

static kerr see_again(void *arg, const struct event_line *l)
{
	struct again *a = arg;
	a->n++;
	return event_line_append(&a->twice, l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct seen s = {text, text + strlen(text), {0}, 0};
	buf_init(&s.again, 1u << 22);
	kerr e = event_lines_each(text, LINES_MAX, see_line, &s);
	if (e && e != KERR_STORE)
		abort();
	if (!e && (!s.n || s.n > LINES_MAX))
		abort();
	if (!e && s.again.data) {
		/* written out again, the lines read back the same, and write the
		 * same text once more */
		char *copy = strdup(s.again.data);
		struct again a = {&s.again, {0}, 0};
		buf_init(&a.twice, 1u << 22);
		if (copy) {
			if (event_lines_each(copy, LINES_MAX, see_again, &a) || a.n != s.n ||
			    !same_text(a.twice.data, s.again.data))
				abort();
		}
		buf_free(&a.twice);
		free(copy);
	}
	buf_free(&s.again);
	free(text);
	return 0;
}
