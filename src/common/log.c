/*
 * log.c - timestamped log records on stderr (see log.h).
 *
 * Must never: write a record that spans more than one line, or pass a
 * control character, an invalid UTF-8 byte or a text-reordering code point
 * from a message to the log unescaped.
 */
#include "common/log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/utf8.h"

#define MSG_MAX 2048
/* a byte of a message escapes to at most 4 (\xHH; \uXXXX stands for a
 * sequence of 2 or 3 bytes) */
#define LOG_LINE_MAX (KTIME_TEXT_MAX + 16 + 4 * MSG_MAX)

static enum log_level min_level = LOG_INFO;
static int quiet;

void log_set_level(enum log_level l)
{
	min_level = l;
}

void log_set_quiet(int q)
{
	quiet = q;
}

/* Code points that move or hide text on a terminal or in a viewer. */
static int hides_text(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t log_escape(const char *text, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)text;
	size_t need = 0; /* length of the whole escaped text */
	size_t w = 0;    /* bytes written to out */
	int full = cap == 0;
	for (size_t i = 0; i < n;) {
		char esc[8];
		const char *piece = esc;
		size_t plen;
		uint32_t cp = 0;
		size_t seq = utf8_decode(s + i, n - i, &cp);
		if (seq == 0) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[s[i] >> 4];
			esc[3] = hex[s[i] & 15];
			plen = 4;
			seq = 1;
		} else if (cp < 0x20 || cp == 0x7F) {
			esc[0] = '\\';
			plen = 2;
			if (cp == '\n')
				esc[1] = 'n';
			else if (cp == '\r')
				esc[1] = 'r';
			else if (cp == '\t')
				esc[1] = 't';
			else if (cp == 0x1B)
				esc[1] = 'e';
			else {
				esc[1] = 'x';
				esc[2] = hex[cp >> 4];
				esc[3] = hex[cp & 15];
				plen = 4;
			}
		} else if (cp == '\\') {
			esc[0] = esc[1] = '\\';
			plen = 2;
		} else if (hides_text(cp)) {
			esc[0] = '\\';
			esc[1] = 'u';
			for (int k = 0; k < 4; k++)
				esc[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
			plen = 6;
		} else {
			piece = (const char *)s + i;
			plen = seq;
		}
		i += seq;
		need += plen;
		if (!full && w + plen < cap) {
			memcpy(out + w, piece, plen);
			w += plen;
		} else {
			full = 1;
		}
	}
	if (cap)
		out[w] = '\0';
	return need;
}

void log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (quiet || l < min_level)
		return;
	char msg[MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t mlen = m < 0 ? 0 : (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1;

	char line[LOG_LINE_MAX];
	char ts[KTIME_TEXT_MAX];
	ktime_format(kclock_now(&kclock_system), ts);
	int n = snprintf(line, sizeof line, "%s %s ", ts, names[l]);
	size_t len = (size_t)n;
	size_t e = log_escape(msg, mlen, line + len, sizeof line - len - 1);
	len += e < sizeof line - len - 1 ? e : strlen(line + len);
	line[len++] = '\n';
	ssize_t wr = write(STDERR_FILENO, line, len);
	(void)wr;
}
