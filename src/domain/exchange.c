/*
 * exchange.c - customs exchange rates per currency and month (see
 * exchange.h). Never guesses a missing rate, never changes a built table.
 */
#include "domain/exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/fields.h"

static const char *const rate_fields[] = { "currency", "month", "cny_per_unit",
					   NULL };

bool exchange_rate_parse(const json_t *j, const char *at,
			 const struct refdata *ref, struct exchange_rate *out,
			 struct problems *p)
{
	struct fields fs = {.p = p};
	size_t before = p->count + p->dropped;
	const struct ref_list *known = ref ? refdata_list(ref, "currencies") : NULL;
	const char *cur;
	char f[PROBLEM_FIELD_MAX];

	memset(out, 0, sizeof *out);
	if (!json_is_object(j)) {
		problems_add(p, at, "must be an object with currency, month and cny_per_unit");
		return false;
	}
	problems_unknown_fields(p, j, at, rate_fields, "currency, month, cny_per_unit");
	cur = fields_text(&fs, j, "currency", at, true, 8);
	json_pointer_to(f, sizeof f, at, "currency");
	if (cur && !codes_is_capitals(cur, 3))
		problems_add(p, f, "must be an ISO 4217 currency code such as \"USD\"");
	else if (cur && !strcmp(cur, "CNY"))
		problems_add(p, f, "CNY needs no rate (it is always 1)");
	else if (cur && known && known->n && !refdata_has(ref, "currencies", cur))
		problems_add(p, f, "'%s' is not a known currency (see GET "
				   "/v1/reference/currencies)", cur);
	else if (cur)
		str_copy(out->currency, cur, sizeof out->currency);
	fields_month(&fs, j, "month", at, true, &out->month);
	fields_decimal_max(&fs, j, "cny_per_unit", at, EXCHANGE_SCALE, true, true,
			   EXCHANGE_RATE_MAX, &out->cny_per_unit);
	return p->count + p->dropped == before;
}

static int rate_cmp(const void *a, const void *b)
{
	const struct exchange_rate *x = a, *y = b;
	int r = strcmp(x->currency, y->currency);

	return r ? r : (x->month > y->month) - (x->month < y->month);
}

struct exchange_table *exchange_table_build(const struct exchange_rate *rates,
					    size_t n)
{
	struct exchange_table *t = calloc(1, sizeof *t);

	if (!t || !(t->rates = calloc(n ? n : 1, sizeof *t->rates))) {
		free(t);
		return NULL;
	}
	if (n)
		memcpy(t->rates, rates, n * sizeof *rates);
	t->n = n;
	if (n)
		qsort(t->rates, n, sizeof *t->rates, rate_cmp);
	for (size_t i = 1; i < n; i++) {
		if (!rate_cmp(&t->rates[i - 1], &t->rates[i])) {
			exchange_table_free(t);
			return NULL;
		}
	}
	return t;
}

void exchange_table_free(struct exchange_table *t)
{
	if (t)
		free(t->rates);
	free(t);
}

struct indexed_rate {
	struct exchange_rate r;
	size_t index;
};

static int indexed_cmp(const void *a, const void *b)
{
	const struct indexed_rate *x = a, *y = b;
	int r = rate_cmp(&x->r, &y->r);

	return r ? r : (x->index > y->index) - (x->index < y->index);
}

struct exchange_table *exchange_table_parse(const json_t *doc,
					    const struct refdata *ref,
					    struct problems *p)
{
	struct fields fs = {.p = p};
	static const char *const doc_fields[] = { "description", "rates", NULL };
	size_t before = p->count + p->dropped, i, n = 0;
	const json_t *a;
	struct indexed_rate *rates = NULL;
	struct exchange_rate *plain = NULL;
	struct exchange_table *t = NULL;
	json_t *e;

	if (!json_is_object(doc)) {
		problems_add(p, "", "an exchange rate table must be a JSON object with rates");
		return NULL;
	}
	problems_unknown_fields(p, doc, "", doc_fields, "description, rates");
	fields_text(&fs, doc, "description", "", false, 500);
	a = fields_array(&fs, doc, "rates", "", true, false, EXCHANGE_MAX_RATES);
	if (a && (!(rates = calloc(json_array_size(a) + 1, sizeof *rates)) ||
		  !(plain = calloc(json_array_size(a) + 1, sizeof *plain))))
		goto nomem;
	json_array_foreach(a, i, e)
	{
		char f[PROBLEM_FIELD_MAX];

		fields_pointer_index(f, sizeof f, "/rates", i);
		if (exchange_rate_parse(e, f, ref, &rates[n].r, p))
			rates[n++].index = i;
	}
	/* a currency and month twice: the later entry is the problem */
	if (n)
		qsort(rates, n, sizeof *rates, indexed_cmp);
	for (i = 1; i < n; i++) {
		if (!rate_cmp(&rates[i - 1].r, &rates[i].r)) {
			char f[PROBLEM_FIELD_MAX], m[KMONTH_TEXT_MAX];

			fields_pointer_index(f, sizeof f, "/rates", rates[i].index);
			kmonth_format(rates[i].r.month, m);
			problems_add(p, f, "repeats the %s rate for %s (/rates/%zu)",
				     rates[i].r.currency, m, rates[i - 1].index);
		}
	}
	if (p->count + p->dropped == before) {
		for (i = 0; i < n; i++)
			plain[i] = rates[i].r;
		if (!(t = exchange_table_build(plain, n)))
			goto nomem;
	}
	free(rates);
	free(plain);
	return t;
nomem:
	problems_add(p, "", "the table could not be stored (out of memory)");
	free(rates);
	free(plain);
	return NULL;
}

bool exchange_find(const struct exchange_table *t, const char *currency,
		   int32_t month, int64_t *cny_per_unit)
{
	struct exchange_rate key;
	const struct exchange_rate *r;

	if (!currency)
		return false;
	if (!strcmp(currency, "CNY")) {
		*cny_per_unit = 100000000;
		return true;
	}
	if (!t || strlen(currency) != 3)
		return false;
	memset(&key, 0, sizeof key);
	str_copy(key.currency, currency, sizeof key.currency);
	key.month = month;
	r = bsearch(&key, t->rates, t->n, sizeof *t->rates, rate_cmp);
	if (!r)
		return false;
	*cny_per_unit = r->cny_per_unit;
	return true;
}

json_t *exchange_rate_to_json(const struct exchange_rate *r)
{
	char m[KMONTH_TEXT_MAX];

	kmonth_format(r->month, m);
	return json_pack("{s:s, s:s, s:o}", "currency", r->currency, "month", m,
			 "cny_per_unit",
			 fields_decimal_json_trim(r->cny_per_unit, EXCHANGE_SCALE));
}
