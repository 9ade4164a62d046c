/*
 * date.h - calendar dates and months as plain integers, for rules that
 * speak in days and months rather than instants: a tariff version in force
 * from 2026-01-01, the exchange rate of 2026-11, a guarantee valid until a
 * date.
 *
 * A date is the number of days since 1970-01-01 (proleptic Gregorian
 * calendar); a month is year * 12 + (month - 1). Text forms are
 * "YYYY-MM-DD" and "YYYY-MM", years 1000 to 9999. Pure arithmetic: this
 * module must never read a clock, the time zone or the environment; the
 * offset of the calendar a date belongs to is passed in.
 */
#ifndef KOUAN_DATE_H
#define KOUAN_DATE_H

#include <stdbool.h>
#include <stdint.h>

#define KDATE_TEXT_MAX 11  /* "YYYY-MM-DD" + NUL */
#define KMONTH_TEXT_MAX 8  /* "YYYY-MM" + NUL */

/* China Standard Time is UTC+8 all year (no daylight saving): customs
 * dates (tariff in force, the month of an exchange rate) are dates there. */
#define KDATE_CHINA_OFFSET_MIN 480

/* The date of civil day (y, m, d); false when the day does not exist or
 * the year is outside 1000..9999. */
bool kdate_from_ymd(int y, int m, int d, int32_t *out);
/* The year, month (1-12) and day (1-31) of a date. */
void kdate_to_ymd(int32_t date, int *y, int *m, int *d);

/* Parse exactly "YYYY-MM-DD" (a real calendar day); false otherwise. */
bool kdate_parse(const char *s, int32_t *out);
/* Write "YYYY-MM-DD" into out. */
void kdate_format(int32_t date, char out[KDATE_TEXT_MAX]);

/* The calendar date at UTC offset `offset_min` (minutes east of UTC) of
 * the instant `us` (microseconds since the epoch, UTC). */
int32_t kdate_of_instant(int64_t us, int offset_min);

/* Parse exactly "YYYY-MM" (month 01-12); false otherwise. */
bool kmonth_parse(const char *s, int32_t *out);
/* Write "YYYY-MM" into out. */
void kmonth_format(int32_t month, char out[KMONTH_TEXT_MAX]);
/* The month a date falls in. */
int32_t kmonth_of_date(int32_t date);

#endif
