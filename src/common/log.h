/*
 * log.h - one-line log records to standard error, with a UTC timestamp and a
 * level. Thread-safe (each record is one write()).
 */
#ifndef KOUAN_LOG_H
#define KOUAN_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Records below this level are dropped. Default LOG_INFO. */
void log_set_level(enum log_level l);
/* Silence everything (tests that exercise error paths on purpose). */
void log_set_quiet(int quiet);

void log_msg(enum log_level l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
