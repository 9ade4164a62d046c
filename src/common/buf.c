/* buf.c - bounded growable buffer (see buf.h). */
#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static kerr buf_reserve(struct buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return KERR_TOO_LARGE;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return KERR_OK;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return KERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return KERR_OK;
}

kerr buf_append(struct buf *b, const void *p, size_t n)
{
	kerr e = buf_reserve(b, n);
	if (e)
		return e;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return KERR_OK;
}

kerr buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

kerr buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return KERR_INTERNAL;
	kerr e = buf_reserve(b, (size_t)n);
	if (e)
		return e;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return KERR_OK;
}

char *buf_take(struct buf *b)
{
	char *p = b->data;
	if (!p)
		p = calloc(1, 1);
	buf_init(b, b->max);
	return p;
}

size_t str_copy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return len;
}

size_t str_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}
