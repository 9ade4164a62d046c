/*
 * exchange.h - the customs exchange rates: yuan per unit of a currency, one
 * rate per currency per month.
 *
 * Customs converts a declaration's amounts with the rate of the month the
 * declaration is accepted in (a China Standard Time month); that rate is the
 * one customs publishes for the month (the People's Bank of China rate of
 * the third Wednesday of the month before). A table is keyed by the month a
 * rate applies to, not by its publication date. There is no fallback: a
 * currency without a rate for the month has no rate, and an assessment that
 * needs one is held (assessment.h), never made with a neighbouring month's
 * rate. CNY needs no rate (it is 1).
 *
 * Rates are exact: CNY scaled by 10^8 per unit of the currency (so even a
 * weak currency keeps its significant digits). Pure domain code: no I/O, no
 * clock; a table is immutable once built and may be shared by threads.
 *
 * JSON form: {"rates": [{"currency": "USD", "month": "2026-11",
 *                        "cny_per_unit": "7.1023"}, ...]}
 */
#ifndef KOUAN_EXCHANGE_H
#define KOUAN_EXCHANGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/problems.h"
#include "domain/refdata.h"

#define EXCHANGE_SCALE 8          /* cny_per_unit decimals */
#define EXCHANGE_MAX_RATES 100000 /* in one table */
#define EXCHANGE_RATE_MAX INT64_C(100000000000000) /* 10^6 CNY per unit */
#define EXCHANGE_CURRENCY_MAX 4   /* ISO 4217 alpha code */

struct exchange_rate {
	char currency[EXCHANGE_CURRENCY_MAX];
	int32_t month; /* common/date.h month */
	int64_t cny_per_unit; /* scaled by 10^8 */
};

struct exchange_table {
	size_t n;
	struct exchange_rate *rates; /* sorted by currency, then month */
};

/* Parse one rate object at pointer `at` ({"currency", "month",
 * "cny_per_unit"}). The currency must be three capital letters other than
 * CNY and, with a reference snapshot holding currencies, a known one; the
 * rate must be above zero. true when valid. */
bool exchange_rate_parse(const json_t *j, const char *at,
			 const struct refdata *ref, struct exchange_rate *out,
			 struct problems *p);

/* Parse a table; a currency and month twice is a problem at the later
 * entry. NULL (with problems) when not valid; free with exchange_table_free. */
struct exchange_table *exchange_table_parse(const json_t *doc,
					    const struct refdata *ref,
					    struct problems *p);

/* A table of already checked rates (from storage); copies them. NULL when
 * out of memory or when a currency and month appear twice. */
struct exchange_table *exchange_table_build(const struct exchange_rate *rates,
					    size_t n);
void exchange_table_free(struct exchange_table *t);

/* The rate of `currency` for `month` into *cny_per_unit (10^8 scale): CNY
 * is always 1. false when the table has none. */
bool exchange_find(const struct exchange_table *t, const char *currency,
		   int32_t month, int64_t *cny_per_unit);

/* {"currency", "month", "cny_per_unit"} with the rate trimmed. */
json_t *exchange_rate_to_json(const struct exchange_rate *r);

#endif
