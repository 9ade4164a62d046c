/*
 * log.h - one-line log records to standard error, with a UTC timestamp and a
 * level. Thread-safe (each record is one write()).
 *
 * A record is always one line that says only what kouan wrote: whatever a
 * message carries (a request path, a header, a database error) is escaped
 * by log_escape, so outside text can neither end the line, nor forge
 * another record, nor send escape sequences to a terminal reading the log.
 */
#ifndef KOUAN_LOG_H
#define KOUAN_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Records below this level are dropped. Default LOG_INFO. */
void log_set_level(enum log_level l);
/* Silence everything (tests that exercise error paths on purpose). */
void log_set_quiet(int quiet);

/* Format one record and write it as one line: time, level, the message
 * escaped by log_escape. Messages longer than about 2 KiB are cut. */
void log_msg(enum log_level l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy text[0..n) into out[cap] (always NUL-terminated when cap > 0) with
 * what must not reach a log line raw escaped:
 *   - C0 controls and DEL: \n, \r, \t, \e, or \xHH (\x00 ... \x1f, \x7f);
 *   - a backslash: \\ (so an escape in the log always came from here);
 *   - bytes that are not valid UTF-8: \xHH, one per byte;
 *   - code points that hide or move text on a terminal or in a viewer: C1
 *     controls (U+0080-U+009F), line and paragraph separators (U+2028,
 *     U+2029), bidirectional embeddings, overrides and isolates
 *     (U+202A-U+202E, U+2066-U+2069): \uXXXX.
 * Everything else (printable ASCII, other valid UTF-8 such as Chinese
 * text) is copied as it is. Returns the length of the whole escaped text,
 * so a result >= cap means it was cut; a cut never splits an escape or a
 * UTF-8 sequence. */
size_t log_escape(const char *text, size_t n, char *out, size_t cap);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
