/* log.c - timestamped log records on stderr (see log.h). */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "common/clock.h"

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

void log_msg(enum log_level l, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (quiet || l < min_level)
		return;
	char ts[KTIME_TEXT_MAX];
	ktime_format(kclock_now(&kclock_system), ts);
	char line[2048];
	int n = snprintf(line, sizeof line, "%s %s ", ts, names[l]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
