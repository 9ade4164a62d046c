/*
 * date.c - calendar dates and months as integers (see date.h).
 *
 * Day numbers are counted with the Gregorian 400-year cycle (146,097 days)
 * over a year that starts in March, so the leap day is the last day of the
 * shifted year and needs no special case. Never reads the clock or the
 * time zone.
 */
#include "common/date.h"

#include <stdio.h>

#define DAYS_PER_CYCLE 146097 /* 400 Gregorian years */
#define EPOCH_SHIFT 719468    /* days from 0000-03-01 to 1970-01-01 */
#define US_PER_DAY INT64_C(86400000000)

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

bool kdate_from_ymd(int y, int m, int d, int32_t *out)
{
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > month_days(y, m))
		return false;
	/* years from March: January and February count with the year before */
	int ys = m <= 2 ? y - 1 : y;
	int cycle = ys / 400;
	int year_of_cycle = ys - cycle * 400;
	int month_from_march = m <= 2 ? m + 9 : m - 3;
	int day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
	int day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 -
			   year_of_cycle / 100 + day_of_year;
	*out = (int32_t)(cycle * DAYS_PER_CYCLE + day_of_cycle - EPOCH_SHIFT);
	return true;
}

void kdate_to_ymd(int32_t date, int *y, int *m, int *d)
{
	int64_t z = (int64_t)date + EPOCH_SHIFT;
	int64_t cycle = (z >= 0 ? z : z - DAYS_PER_CYCLE + 1) / DAYS_PER_CYCLE;
	int64_t day_of_cycle = z - cycle * DAYS_PER_CYCLE;
	int64_t year_of_cycle = (day_of_cycle - day_of_cycle / 1460 +
				 day_of_cycle / 36524 - day_of_cycle / 146096) /
				365;
	int64_t day_of_year = day_of_cycle - (365 * year_of_cycle +
					      year_of_cycle / 4 -
					      year_of_cycle / 100);
	int64_t month_from_march = (5 * day_of_year + 2) / 153;
	int64_t month = month_from_march < 10 ? month_from_march + 3
					      : month_from_march - 9;

	*d = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	*m = (int)month;
	*y = (int)(year_of_cycle + cycle * 400 + (month <= 2));
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

bool kdate_parse(const char *s, int32_t *out)
{
	int y, m, d;

	if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || s[10] != '\0')
		return false;
	return kdate_from_ymd(y, m, d, out);
}

void kdate_format(int32_t date, char out[KDATE_TEXT_MAX])
{
	int y, m, d;

	kdate_to_ymd(date, &y, &m, &d);
	snprintf(out, KDATE_TEXT_MAX, "%04u-%02u-%02u", (unsigned)y % 10000u,
		 (unsigned)m % 100u, (unsigned)d % 100u);
}

int32_t kdate_of_instant(int64_t us, int offset_min)
{
	int64_t local = us + (int64_t)offset_min * 60 * 1000000;
	int64_t days = local / US_PER_DAY;

	if (local % US_PER_DAY < 0)
		days--;
	return (int32_t)days;
}

bool kmonth_parse(const char *s, int32_t *out)
{
	int y, m;

	if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '\0' || y < 1000 || m < 1 || m > 12)
		return false;
	*out = y * 12 + (m - 1);
	return true;
}

void kmonth_format(int32_t month, char out[KMONTH_TEXT_MAX])
{
	snprintf(out, KMONTH_TEXT_MAX, "%04u-%02u", (unsigned)(month / 12) % 10000u,
		 (unsigned)(month % 12 + 1) % 100u);
}

int32_t kmonth_of_date(int32_t date)
{
	int y, m, d;

	kdate_to_ymd(date, &y, &m, &d);
	return y * 12 + (m - 1);
}
