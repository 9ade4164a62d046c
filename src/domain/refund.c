/*
 * refund.c - the export tax refund check and decision (see refund.h). It
 * never trusts the application's figures: the refund is computed from
 * customs' data, and only when the application agrees with it.
 */
#include "domain/refund.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/codes.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/fields.h"

#define PERCENT_SCALE 4
#define QUANTITY_SCALE 5
#define QUANTITY_MAX INT64_C(1000000000000000)
#define AMOUNT_MAX INT64_C(1000000000000000)

static const char *const item_fields[] = { "hs_code", "quantity", "fob_value_cny",
					   NULL };

bool refund_application_parse(const json_t *body, struct refund_application *out,
			      struct problems *p)
{
	struct fields fs = {.p = p};
	static const char *const fields[] = { "declaration_number", "items", NULL };
	size_t before = p->count + p->dropped, i;
	const char *num;
	const json_t *items;
	json_t *e;

	memset(out, 0, sizeof *out);
	if (!json_is_object(body)) {
		problems_add(p, "", "a refund application must be a JSON object with "
				    "declaration_number and items");
		return false;
	}
	problems_unknown_fields(p, body, "", fields, "declaration_number, items");
	num = fields_text(&fs, body, "declaration_number", "", true, 32);
	if (num && !codes_is_digits(num, 18))
		problems_add(p, "/declaration_number", "must be an 18-digit declaration number");
	else if (num)
		str_copy(out->declaration, num, sizeof out->declaration);
	items = fields_array(&fs, body, "items", "", true, false, REFUND_MAX_ITEMS);
	if (items && json_array_size(items) == 0)
		problems_add(p, "/items", "must list the declaration's items");
	json_array_foreach(items, i, e)
	{
		struct refund_claim_item *it = &out->items[i];
		char f[PROBLEM_FIELD_MAX], hf[PROBLEM_FIELD_MAX];
		const char *hs;

		fields_pointer_index(f, sizeof f, "/items", i);
		if (!json_is_object(e)) {
			problems_add(p, f, "must be an object with hs_code, quantity and "
					   "fob_value_cny");
			continue;
		}
		problems_unknown_fields(p, e, f, item_fields,
					"hs_code, quantity, fob_value_cny");
		hs = fields_text(&fs, e, "hs_code", f, true, 16);
		json_pointer_to(hf, sizeof hf, f, "hs_code");
		if (hs && !codes_is_digits(hs, 10))
			problems_add(p, hf, "must be a 10-digit commodity code");
		else if (hs)
			str_copy(it->hs_code, hs, sizeof it->hs_code);
		fields_decimal_max(&fs, e, "quantity", f, QUANTITY_SCALE, true, true,
				   QUANTITY_MAX, &it->quantity);
		fields_decimal_max(&fs, e, "fob_value_cny", f, 2, true, false, AMOUNT_MAX,
				   &it->fob_cny);
		out->nitems++;
	}
	return p->count + p->dropped == before;
}

/* Every reason the application cannot be made now. */
static bool can_apply(const struct refund_customs_data *d, struct problems *reasons)
{
	size_t before = reasons->count + reasons->dropped;

	if (d->import)
		problems_add(reasons, "/declaration_number",
			     "is an import declaration: refunds are for exports");
	if (!d->released)
		problems_add(reasons, "/declaration_number",
			     "is not released: a refund follows release");
	if (!d->departed)
		problems_add(reasons, "/declaration_number",
			     "has not left: its conveyance has not departed yet");
	if (d->departed && *d->not_loaded)
		problems_add(reasons, "/declaration_number",
			     "has not left: container %s was not recorded as loaded before "
			     "its vessel departed",
			     d->not_loaded);
	if (d->refund_approved)
		problems_add(reasons, "/declaration_number",
			     "already has an approved refund");
	return reasons->count + reasons->dropped == before;
}

kerr refund_check(const struct refund_application *app,
		  const struct refund_customs_data *data, const struct tariff *tariff,
		  struct refund_result *out, struct problems *reasons)
{
	size_t before = reasons->count + reasons->dropped;
	char f[PROBLEM_FIELD_MAX], a[32], b[32], day[KDATE_TEXT_MAX];

	if (!can_apply(data, reasons))
		return KERR_CONFLICT;
	memset(out, 0, offsetof(struct refund_result, items));
	str_copy(out->declaration, app->declaration, sizeof out->declaration);
	out->date = kdate_of_instant(data->accepted_at_us, KDATE_CHINA_OFFSET_MIN);
	out->departed_at_us = data->departed_at_us;
	kdate_format(out->date, day);
	if (app->nitems != data->nitems)
		problems_add(reasons, "/items", "lists %zu item%s; the export declaration "
						"has %zu", app->nitems,
			     app->nitems == 1 ? "" : "s", data->nitems);
	out->nitems = app->nitems < data->nitems ? app->nitems : data->nitems;
	for (size_t i = 0; i < out->nitems; i++) {
		const struct refund_claim_item *c = &app->items[i];
		const struct refund_export_item *x = &data->items[i];
		struct refund_item_result *r = &out->items[i];
		struct tariff_match m;

		memset(r, 0, sizeof *r);
		str_copy(r->hs_code, x->hs_code, sizeof r->hs_code);
		r->fob_cny = x->fob_cny;
		if (strcmp(c->hs_code, x->hs_code)) {
			snprintf(f, sizeof f, "/items/%zu/hs_code", i);
			problems_add(reasons, f, "is %s; customs' data for item %zu is %s",
				     c->hs_code, i, x->hs_code);
		}
		if (c->quantity != x->quantity) {
			snprintf(f, sizeof f, "/items/%zu/quantity", i);
			decimal_format_trim(c->quantity, QUANTITY_SCALE, a, sizeof a);
			decimal_format_trim(x->quantity, QUANTITY_SCALE, b, sizeof b);
			problems_add(reasons, f, "is %s; customs' data for item %zu is %s",
				     a, i, b);
		}
		if (c->fob_cny != x->fob_cny) {
			snprintf(f, sizeof f, "/items/%zu/fob_value_cny", i);
			decimal_format(c->fob_cny, 2, a, sizeof a);
			decimal_format(x->fob_cny, 2, b, sizeof b);
			problems_add(reasons, f, "is %s CNY; customs' data for item %zu is "
						 "%s CNY", a, i, b);
		}
		if (!tariff_lookup(tariff, x->hs_code, out->date, &m)) {
			snprintf(f, sizeof f, "/items/%zu/hs_code", i);
			problems_add(reasons, f, "has no tariff line in force on %s: its "
						 "refund rate is unknown", day);
			continue;
		}
		r->version = m.version;
		r->rate_ppm = m.line->export_refund_ppm;
		if (decimal_muldiv(x->fob_cny, r->rate_ppm, TARIFF_PPM, &r->refund) !=
			    DECIMAL_OK ||
		    __builtin_add_overflow(out->total, r->refund, &out->total)) {
			snprintf(f, sizeof f, "/items/%zu/fob_value_cny", i);
			problems_add(reasons, f, "gives a refund out of range");
		}
	}
	out->verdict = reasons->count + reasons->dropped == before ? REFUND_MATCHES
								    : REFUND_MISMATCH;
	return KERR_OK;
}

kerr refund_decide(const struct refund_result *r, bool approve, const char *reason,
		   struct problems *p)
{
	if (approve && r->verdict != REFUND_MATCHES) {
		problems_add(p, "/decision", "the application does not match customs' "
					     "electronic data; it can only be rejected");
		return KERR_CONFLICT;
	}
	if (!approve && (!reason || !*reason)) {
		problems_add(p, "/reason", "is required to reject a refund application");
		return KERR_INVALID;
	}
	return KERR_OK;
}

json_t *refund_result_to_json(const struct refund_result *r)
{
	char day[KDATE_TEXT_MAX], departed[KTIME_TEXT_MAX];
	json_t *j, *items;

	kdate_format(r->date, day);
	ktime_format(r->departed_at_us, departed);
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "declaration_number",
		      r->declaration, "verdict",
		      r->verdict == REFUND_MATCHES ? "matches" : "mismatch", "date", day,
		      "departed_at", departed, "items", items = json_array(),
		      "total_refund", fields_decimal_json(r->total, 2));
	for (size_t i = 0; j && i < r->nitems; i++) {
		const struct refund_item_result *it = &r->items[i];

		if (json_array_append_new(
			    items,
			    json_pack("{s:s, s:o, s:o, s:o, s:o}", "hs_code", it->hs_code,
				      "fob_value_cny", fields_decimal_json(it->fob_cny, 2),
				      "tariff_version",
				      it->version ? json_string(it->version->id) : json_null(),
				      "refund_percent",
				      fields_decimal_json_trim(it->rate_ppm, PERCENT_SCALE),
				      "refund", fields_decimal_json(it->refund, 2)))) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}
