/* clock.c - system and manual clocks, RFC 3339 formatting (see clock.h). */
#include "common/clock.h"

#include <string.h>
#include <time.h>

static int64_t system_now(struct kclock *c)
{
	(void)c;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct kclock kclock_system = {system_now, 0, 0};

static int64_t manual_now(struct kclock *c)
{
	int64_t t = __atomic_fetch_add(&c->fixed_us, c->step_us, __ATOMIC_RELAXED);
	return t;
}

void kclock_manual_init(struct kclock *c, int64_t start_us, int64_t step_us)
{
	c->now_us = manual_now;
	c->fixed_us = start_us;
	c->step_us = step_us;
}

/* Civil dates (the proleptic Gregorian calendar) and days since
 * 1970-01-01, by eras of 400 years (146,097 days each, the calendar's whole
 * cycle), counted from a March 1st so that a leap day ends its year. In
 * plain arithmetic: glibc's gmtime_r and timegm take its time-zone lock at
 * every call, which every request thread and the statistics' follower met
 * at each time they wrote or read. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);                  /* 0..399 */
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;      /* 0..146096 */
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Whole seconds and days below `us`, and what is left of each. */
static void split_us(int64_t us, int64_t *days, int64_t *second_of_day, int64_t *frac)
{
	int64_t sec = us / 1000000;
	*frac = us % 1000000;
	if (*frac < 0) {
		*frac += 1000000;
		sec -= 1;
	}
	*days = sec / 86400;
	*second_of_day = sec % 86400;
	if (*second_of_day < 0) {
		*second_of_day += 86400;
		*days -= 1;
	}
}

static char *put_digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

void ktime_format(int64_t us, char out[KTIME_TEXT_MAX])
{
	int64_t days, sod, frac, y;
	unsigned m, d;
	split_us(us, &days, &sod, &frac);
	civil_from_days(days, &y, &m, &d);
	/* four digits of the year, as the format has room for */
	char *p = put_digits(out, (unsigned)y % 10000u, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(sod / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod % 60), 2);
	*p++ = '.';
	p = put_digits(p, (unsigned)frac, 6);
	*p++ = 'Z';
	*p = '\0';
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool ktime_parse(const char *s, int64_t *us)
{
	int y, mo, d, h, mi, se;
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	const char *p = s + 19;
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 6)
				frac = frac * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0 || n > 9)
			return false;
		for (; n < 6; n++)
			frac *= 10;
	}
	int64_t offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return false;
		offset = (int64_t)(oh * 60 + om) * 60;
		if (*p == '-')
			offset = -offset;
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return false;
	int64_t sec = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		      (int64_t)(h * 3600 + mi * 60 + se) - offset;
	*us = sec * 1000000 + frac;
	return true;
}

int ktime_year(int64_t us)
{
	int64_t days, sod, frac, y;
	unsigned m, d;
	split_us(us, &days, &sod, &frac);
	civil_from_days(days, &y, &m, &d);
	return (int)y;
}
