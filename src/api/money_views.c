/* money_views.c - the JSON of the money endpoints (see money_views.h). */
#include "api/money_views.h"

#include <string.h>

#include "api/views.h"
#include "domain/fields.h"

static json_t *cny(int64_t fen)
{
	return fields_decimal_json(fen, 2);
}

/* A stored JSON text as JSON (null when it does not parse). */
static json_t *stored(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_null();
}

json_t *taxes_json(const struct declaration *d, const struct duties_state *s,
		   json_t *payments)
{
	const struct duty_assessment_row *a = &s->assessment;
	int64_t outstanding = s->position.due - s->position.paid;
	json_t *draw = s->has_draw
			       ? json_pack("{s:s, s:o, s:s, s:o}", "guarantee",
					   s->draw.guarantee, "amount", cny(s->draw.amount),
					   "drawn_at", s->draw.drawn_at, "restored_at",
					   json_text_or_null(s->draw.restored_at))
			       : json_null();
	return json_pack("{s:s, s:I, s:s, s:s, s:o, s:b, s:o, s:{s:o, s:o, s:o, s:o, s:o}}",
			 "number", d->row.number, "version", (json_int_t)a->version, "status",
			 a->held ? "held" : "assessed", "assessed_at", a->assessed_at,
			 "reason", json_text_or_null(a->held ? a->held_reason : NULL),
			 "declared_differs", a->declared_differs, "assessment",
			 stored(a->detail), "taxes", "due", cny(s->position.due), "paid",
			 cny(s->position.paid), "outstanding", cny(outstanding > 0 ? outstanding : 0),
			 "guarantee", draw, "payments", payments ? payments : json_array());
}

/* A text kept empty until it is known: null on the wire. */
static json_t *text_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

json_t *payment_json(const struct payment_row *p)
{
	json_t *v = json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o}",
			      "bank_reference", p->bank_reference, "declaration_number",
			      p->number, "amount", cny(p->amount), "status",
			      payment_status_name(p->status), "bank", text_or_null(p->bank_uscc),
			      "paid_at", text_or_null(p->paid_at), "recorded_by", p->recorded_by,
			      "recorded_at", p->recorded_at, "answered_by",
			      text_or_null(p->answered_by), "answered_at",
			      text_or_null(p->answered_at), "guarantee_restored",
			      cny(p->restored));
	if (v)
		json_object_set_new(v, "id", json_integer((json_int_t)p->id));
	if (v && p->status == PAYMENT_REFUSED)
		json_object_set_new(v, "reason", json_string(p->reason));
	return v;
}

json_t *guarantee_json(const struct guarantee_row *g)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s}", "number", g->number,
			 "organisation", g->org_uscc, "ceiling", cny(g->ceiling), "drawn",
			 cny(g->drawn), "available", cny(g->ceiling - g->drawn), "valid_from",
			 g->valid_from, "valid_until", g->valid_until, "registered_by",
			 g->registered_by, "registered_at", g->registered_at);
}

json_t *charge_json(const struct fee_charge_row *ch)
{
	json_t *j = stored(ch->detail);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	json_object_set_new(j, "id", json_integer((json_int_t)ch->id));
	json_object_set_new(j, "declaration_number", json_string(ch->number));
	json_object_set_new(j, "raised_by", json_string(ch->raised_by));
	json_object_set_new(j, "raised_at", json_string(ch->raised_at));
	return j;
}

static json_t *refund_of(int64_t id, const char *number, const char *exporter,
			 const char *status, const char *verdict, int64_t total, const char *claim,
			 const char *result, const char *reasons, const char *applied_by,
			 const char *applied_at, const char *decided_by, const char *decided_at,
			 const char *decision_reason)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:o,"
			 " s:o}",
			 "id", (json_int_t)id, "declaration_number", number, "exporter",
			 exporter, "status", status, "verdict", verdict, "total_refund",
			 cny(total), "application", stored(claim), "check", stored(result),
			 "differences", stored(reasons), "applied_by", applied_by, "applied_at",
			 applied_at, "decided_by", json_text_or_null(decided_by), "decided_at",
			 json_text_or_null(decided_at), "decision_reason",
			 json_text_or_null(decision_reason));
}

json_t *refund_json(const struct refund_record *r)
{
	return refund_of(r->id, r->number, r->org_uscc, r->status, r->verdict, r->total,
			 r->claim, r->result, r->reasons, r->applied_by, r->applied_at,
			 r->decided_by, r->decided_at, r->decision_reason);
}

json_t *refund_row_json(const struct refund_row *r)
{
	return refund_of(r->id, r->number, r->org_uscc, r->status, r->verdict, r->total,
			 r->claim, r->result, r->reasons, r->applied_by, r->applied_at,
			 r->decided_by, r->decided_at, r->decision_reason);
}

json_t *tariff_version_row_json(const struct tariff_version_row *v)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s}", "id", v->id, "effective_from",
			 v->effective_from, "kind", v->kind, "description",
			 json_text_or_null(v->description), "lines", (json_int_t)v->lines,
			 "loaded_by", v->loaded_by, "loaded_at", v->loaded_at);
}

json_t *exchange_rate_row_json(const struct exchange_rate_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "currency", r->currency, "month",
			 r->month, "cny_per_unit", r->cny_per_unit, "loaded_by", r->loaded_by,
			 "loaded_at", r->loaded_at);
}

static kerr append(json_t *array, json_t *v)
{
	return v && !json_array_append_new(array, v) ? KERR_OK : KERR_NOMEM;
}

kerr append_payment(void *arg, const struct payment_row *p)
{
	return append(arg, payment_json(p));
}

kerr append_guarantee(void *arg, const struct guarantee_row *g)
{
	return append(arg, guarantee_json(g));
}

kerr append_charge(void *arg, const struct fee_charge_row *ch)
{
	return append(arg, charge_json(ch));
}

kerr append_refund(void *arg, const struct refund_row *r)
{
	return append(arg, refund_row_json(r));
}

kerr append_tariff_version(void *arg, const struct tariff_version_row *v)
{
	return append(arg, tariff_version_row_json(v));
}

kerr append_exchange_rate(void *arg, const struct exchange_rate_row *r)
{
	return append(arg, exchange_rate_row_json(r));
}
