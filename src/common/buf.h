/*
 * buf.h - a growable byte buffer with a hard limit (like curl's dynbuf).
 *
 * The buffer owns its storage; it is always NUL-terminated after a
 * successful append. An append that would pass `max` fails with
 * KERR_TOO_LARGE and leaves the content as it was.
 */
#ifndef KOUAN_BUF_H
#define KOUAN_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "common/error.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
KOUAN_MUST_USE kerr buf_append(struct buf *b, const void *p, size_t n);
KOUAN_MUST_USE kerr buf_puts(struct buf *b, const char *s);
KOUAN_MUST_USE kerr buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Give the storage to the caller (free() it); the buffer is left empty. */
char *buf_take(struct buf *b);

/* Copy `src` into dst of size n, truncating; always NUL-terminates. Returns
 * the length of src (so truncation shows as a result >= n). */
size_t str_copy(char *dst, const char *src, size_t n);

/* The number of characters in a UTF-8 string: its bytes that do not
 * continue a character. Limits stated in characters are checked with it. */
size_t str_chars(const char *s);

#endif
