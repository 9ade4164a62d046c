/*
 * event_lines.h - the form in which a row of the event log keeps the
 * events after its first (events.more, migration 0023; repo_events.c
 * stores and reads the rows): a line each,
 *
 *     <dt> <type> <agency> <actor> <role> <call> <data>\n
 *
 * dt the microseconds after the row's first event (within a hundred years
 * either way), type the event type's code, and each text as its length in
 * bytes, ':' and its bytes, or '-' where the column would be NULL (no
 * agency, kouan itself, no call); the data is a JSON object's text. A
 * reader slices the texts out of the line, with nothing parsed as JSON.
 * Pure: no store, no allocation when reading.
 */
#ifndef KOUAN_EVENT_LINES_H
#define KOUAN_EVENT_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

/* How far a line's event may lie from the row's first, in microseconds
 * either way: a hundred years. */
#define EVENT_LINE_SPAN_US (100LL * 366 * 24 * 3600 * 1000000)

/* One event after a row's first. */
struct event_line {
	int64_t dt;   /* microseconds after the row's first event */
	int64_t type; /* the type's code (not checked here) */
	const char *agency; /* NULL: none */
	const char *actor;  /* NULL: kouan itself (with role NULL) */
	const char *role;
	const char *call;   /* NULL: names no call */
	const char *data;   /* a JSON object's text, never NULL */
};

/* Append the line of `l` to b. KERR_INVALID for a dt beyond the span or
 * data that is not an object's text; KERR_NOMEM, KERR_TOO_LARGE (b's
 * limit). */
KOUAN_MUST_USE kerr event_line_append(struct buf *b, const struct event_line *l);

typedef kerr (*event_line_fn)(void *arg, const struct event_line *l);

/* Each line of `text` (NUL-terminated; its separators are overwritten with
 * the texts' ends, so the texts given to fn point into it) given to fn in
 * order. KERR_STORE for text that is not lines of this form, for no line
 * at all, and for more than `max` lines; fn's error stops the reading and
 * is returned. Lines before a damaged one have been given. */
KOUAN_MUST_USE kerr event_lines_each(char *text, size_t max, event_line_fn fn, void *arg);

#endif
