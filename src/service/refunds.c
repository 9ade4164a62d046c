/*
 * refunds.c - export tax refund applications, checked against customs'
 * electronic data and decided by the tax office (see refunds.h).
 *
 * Never: record an application that cannot be made (an import, not
 * released, not departed), or approve one that does not match customs'
 * data.
 */
#include "service/refunds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/decimal.h"
#include "domain/fields.h"
#include "domain/transport.h"
#include "service/duties.h"
#include "service/money_tables.h"
#include "store/repo_transport.h"

#define QUANTITY_SCALE 5 /* as the declaration's and the application's */

kerr refund_departed(struct uow *u, const char *number, bool *departed, int64_t *when_us)
{
	struct store_conn *c;
	char at[TIME_TEXT_SIZE] = "";
	*departed = false;
	*when_us = 0;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	/* the actual departure recorded on the call the declaration's
	 * consignment travels on (conveyance.departed) */
	struct consignment_row cons;
	e = repo_consignment_get(c, number, &cons);
	if (!e) {
		struct call_row call;
		e = repo_call_get(c, cons.call_key, &call);
		if (!e)
			str_copy(at, call.departed_at, sizeof at);
		consignment_row_free(&cons);
	}
	if (e && e != KERR_NOT_FOUND)
		return e;
	/* else a departure recorded for the declaration itself (a mode whose
	 * conveyances kouan does not follow) */
	if (!*at) {
		struct departure_row dep;
		e = repo_departure_get(c, number, &dep);
		if (e == KERR_NOT_FOUND)
			return KERR_OK;
		if (e)
			return e;
		str_copy(at, dep.departed_at, sizeof at);
	}
	if (!ktime_parse(at, when_us))
		return KERR_STORE;
	*departed = true;
	return KERR_OK;
}

/* May the goods of declaration d have a departure recorded for them, and
 * is departed_at_us a time they can have left at? */
static kerr departure_refused(struct declaration *d, int64_t departed_at_us, int64_t now_us,
			      struct refusal *why)
{
	const struct declaration_facts *f = declaration_facts_of(d);
	if (!f)
		return KERR_INTERNAL;
	if (d->row.import) {
		refusal_say(why, "%s is an import: a departure is recorded for goods that leave",
			    d->row.number);
		return KERR_CONFLICT;
	}
	if (transport_mode_followed(f->transport_mode)) {
		refusal_say(why,
			    "%s goes by transport mode %s, whose conveyances kouan follows: its "
			    "departure is the one on its call's departure report (POST "
			    "/v1/conveyance-reports/{id}/departure)",
			    d->row.number, f->transport_mode);
		return KERR_CONFLICT;
	}
	int64_t released_us;
	if (d->row.status != DECL_RELEASED || !ktime_parse(d->row.released_at, &released_us)) {
		refusal_say(why, "%s is not released: goods leave only once released",
			    d->row.number);
		return KERR_CONFLICT;
	}
	char when[TIME_TEXT_SIZE];
	if (departed_at_us > now_us) {
		ktime_format(now_us, when);
		refusal_say(why, "the departure has fields that are not valid");
		refusal_field(why, "/departed_at", "must not be in the future (it is now %s)", when);
		return KERR_INVALID;
	}
	if (departed_at_us < released_us) {
		refusal_say(why, "the departure has fields that are not valid");
		refusal_field(why, "/departed_at",
			      "must not be before the release (%s): goods leave once released",
			      d->row.released_at);
		return KERR_INVALID;
	}
	return KERR_OK;
}

kerr refunds_departure_record(struct uow *u, const struct actor *a, const char *number,
			      int64_t departed_at_us, struct departure_row *out, bool *created,
			      struct refusal *why)
{
	struct declaration d;
	struct store_conn *c;
	char at[TIME_TEXT_SIZE], now[TIME_TEXT_SIZE];
	memset(out, 0, sizeof *out);
	*created = false;
	int64_t now_us = uow_now_us(u);
	ktime_format(departed_at_us, at);
	ktime_format(now_us, now);
	kerr e = clearance_load(u, a, number, true, &d);
	if (!e)
		e = uow_conn(u, &c);
	if (!e) {
		e = repo_departure_get(c, number, out);
		if (!e && strcmp(out->departed_at, at) != 0) {
			refusal_say(why,
				    "the departure of %s was recorded at %s, by %s at %s; a "
				    "recorded departure is not changed",
				    number, out->departed_at, out->source, out->recorded_at);
			e = KERR_CONFLICT;
		}
		if (e != KERR_NOT_FOUND) { /* the same departure again: nothing to do */
			declaration_free(&d);
			return e;
		}
		e = departure_refused(&d, departed_at_us, now_us, why);
	}
	if (!e)
		e = repo_departure_put(c, number, at, actor_name(a), now);
	if (!e)
		e = uow_event(u, a, EVENT_DECLARATION_DEPARTED, number, d.row.org_id, NULL, now,
			      json_pack("{s:s}", "departed_at", at));
	declaration_free(&d);
	if (!e) {
		str_copy(out->departed_at, at, sizeof out->departed_at);
		str_copy(out->source, actor_name(a), sizeof out->source);
		str_copy(out->recorded_at, now, sizeof out->recorded_at);
		*created = true;
	}
	return e;
}

kerr refunds_departure_get(struct uow *u, const struct actor *a, const char *number,
			   struct departure_row *out, struct refusal *why)
{
	struct declaration d;
	struct store_conn *c;
	memset(out, 0, sizeof *out);
	kerr e = clearance_load(u, a, number, false, &d);
	if (e)
		return e;
	declaration_free(&d);
	e = uow_conn(u, &c);
	if (!e)
		e = repo_departure_get(c, number, out);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no departure is recorded for %s", number);
	return e;
}

void refund_record_free(struct refund_record *r)
{
	free(r->claim);
	free(r->result);
	free(r->reasons);
	r->claim = r->result = r->reasons = NULL;
}

static kerr read_record(void *arg, const struct refund_row *row)
{
	struct refund_record *r = arg;
	refund_record_free(r);
	memset(r, 0, sizeof *r);
	r->id = row->id;
	str_copy(r->number, row->number, sizeof r->number);
	str_copy(r->org_uscc, row->org_uscc, sizeof r->org_uscc);
	str_copy(r->status, row->status, sizeof r->status);
	str_copy(r->verdict, row->verdict, sizeof r->verdict);
	r->total = row->total;
	r->claim = strdup(row->claim);
	r->result = strdup(row->result);
	r->reasons = strdup(row->reasons);
	str_copy(r->applied_by, row->applied_by, sizeof r->applied_by);
	str_copy(r->applied_at, row->applied_at, sizeof r->applied_at);
	str_copy(r->decided_by, row->decided_by ? row->decided_by : "", sizeof r->decided_by);
	str_copy(r->decided_at, row->decided_at ? row->decided_at : "", sizeof r->decided_at);
	str_copy(r->decision_reason, row->decision_reason ? row->decision_reason : "",
		 sizeof r->decision_reason);
	return r->claim && r->result && r->reasons ? KERR_OK : KERR_NOMEM;
}

static kerr record_get(struct store_conn *c, int64_t id, struct refund_record *out)
{
	memset(out, 0, sizeof *out);
	kerr e = repo_refund_get(c, id, read_record, out);
	if (e)
		refund_record_free(out);
	return e;
}

/* Does the actor see every application (the tax office, analysts, admins)
 * or only its organisation's? */
static bool sees_all(const struct actor *a)
{
	return a->role == ROLE_TAX_OFFICE || a->role == ROLE_ANALYST || a->role == ROLE_ADMIN;
}

/* By sea, goods have left with their vessel only if the terminal loaded
 * them: the first of the declaration's containers with no "loaded" yard
 * event on the call its consignment names, into out ("" when each was
 * loaded, or when it is not by sea or names no call). */
static kerr first_not_loaded(struct store_conn *c, const struct declaration *d,
			     const struct declaration_facts *f, char *out, size_t size)
{
	*out = '\0';
	if (strcmp(f->transport_mode, TRANSPORT_MODE_WATERWAY) || f->ncontainers == 0)
		return KERR_OK;
	struct consignment_row cons;
	kerr e = repo_consignment_get(c, d->row.number, &cons);
	if (e == KERR_NOT_FOUND)
		return KERR_OK;
	for (size_t i = 0; !e && i < f->ncontainers && !*out; i++) {
		struct yard_record events[YARD_EVENT_COUNT];
		size_t n = 0;
		bool loaded = false;
		e = repo_yard_events(c, f->containers[i], cons.call_key, events,
				     YARD_EVENT_COUNT, &n);
		for (size_t k = 0; !e && k < n; k++)
			loaded = loaded || events[k].event == YARD_LOADED;
		if (!e && !loaded)
			str_copy(out, f->containers[i], size);
	}
	consignment_row_free(&cons);
	return e;
}

/* Customs' data on the export: the declaration, its assessment, its
 * departure. The items' FOB values in CNY come from the assessment; an
 * export whose assessment is held has none, which *why says. */
static kerr customs_data(struct uow *u, struct declaration *d, struct refund_customs_data *x,
			 json_t **assessed, struct refusal *why)
{
	struct store_conn *c;
	struct duties_state s;
	kerr e = uow_conn(u, &c);
	memset(x, 0, sizeof *x);
	*assessed = NULL;
	x->import = d->row.import;
	x->released = d->row.status == DECL_RELEASED;
	if (!e && !ktime_parse(d->row.lodged_at, &x->accepted_at_us))
		e = KERR_STORE;
	if (!e)
		e = refund_departed(u, d->row.number, &x->departed, &x->departed_at_us);
	if (!e)
		e = repo_refund_approved(c, d->row.number, &x->refund_approved);
	const struct declaration_facts *f = declaration_facts_of(d);
	if (!e && !f)
		e = KERR_INTERNAL;
	if (!e && x->departed && !x->import)
		e = first_not_loaded(c, d, f, x->not_loaded, sizeof x->not_loaded);
	if (e || x->import || !x->released || !x->departed || *x->not_loaded)
		return e;
	e = duties_state_load(u, d, true, &s);
	if (!e && s.assessment.held) {
		refusal_field(why, "/declaration_number",
			      "has no FOB value in CNY in customs' data yet: %s",
			      s.assessment.held_reason);
		e = KERR_CONFLICT;
	}
	if (!e)
		e = duties_explain(u, d, &s.assessment);
	json_t *detail = e ? NULL : json_loads(s.assessment.detail, 0, NULL);
	json_t *items = json_object_get(detail, "items");
	if (!e && !json_is_array(items))
		e = KERR_STORE;
	for (size_t i = 0; !e && i < f->nitems && i < REFUND_MAX_ITEMS; i++) {
		struct refund_export_item *it = &x->items[x->nitems++];
		const char *fob = json_string_value(
			json_object_get(json_array_get(items, i), "customs_value_cny"));
		it->hs_code = f->items[i].hs_code;
		it->quantity = f->items[i].quantity;
		if (!fob || decimal_parse(fob, 2, &it->fob_cny) != DECIMAL_OK)
			e = KERR_STORE;
	}
	duties_state_free(&s);
	if (e)
		json_decref(detail);
	else
		*assessed = detail; /* the items' hs codes point into d's facts */
	return e;
}

static json_t *claim_json(const struct refund_application *app)
{
	json_t *items = json_array();
	for (size_t i = 0; items && i < app->nitems; i++)
		json_array_append_new(
			items, json_pack("{s:s, s:o, s:o}", "hs_code", app->items[i].hs_code,
					 "quantity",
					 fields_decimal_json_trim(app->items[i].quantity,
								  QUANTITY_SCALE),
					 "fob_value_cny",
					 fields_decimal_json(app->items[i].fob_cny, 2)));
	return json_pack("{s:s, s:o}", "declaration_number", app->declaration, "items",
			 items ? items : json_array());
}

static json_t *reasons_json(const struct problems *p)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < p->count; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "field", p->errors[i].field,
						   "problem", p->errors[i].problem));
	return a;
}

static char *dump(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return s;
}

kerr refunds_apply(struct uow *u, const struct actor *a, const struct refund_application *app,
		   struct refund_record *out, struct refusal *why)
{
	struct declaration d;
	struct refund_customs_data x;
	struct refund_result *r = calloc(1, sizeof *r);
	struct money_tables *t = NULL;
	struct problems reasons;
	json_t *assessed = NULL;
	char *claim = NULL, *result = NULL, *listed = NULL;
	memset(out, 0, sizeof *out);
	memset(&d, 0, sizeof d);
	problems_init(&reasons);
	if (!r)
		return KERR_NOMEM;
	kerr e = clearance_load(u, &actor_kouan, app->declaration, true, &d);
	if (!e && d.row.org_id != a->org_id && strcmp(d.row.consignee_uscc, a->org_uscc) != 0)
		e = KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND) {
		refusal_field(why, "/declaration_number",
			      "no declaration of your organisation has the number %s",
			      app->declaration);
		refusal_say(why, "no such declaration");
		e = KERR_INVALID;
	}
	if (!e)
		e = customs_data(u, &d, &x, &assessed, why);
	if (!e)
		e = money_tables_get(u, &t);
	if (!e)
		e = refund_check(app, &x, t->tariff, r, &reasons);
	if (e == KERR_CONFLICT && !*why->detail) {
		/* cannot be applied for: every reason, nothing recorded */
		for (size_t i = 0; i < reasons.count; i++)
			refusal_field(why, reasons.errors[i].field, "%s",
				      reasons.errors[i].problem);
		refusal_say(why, "%s", reasons.count && !why->fields
					       ? reasons.errors[0].problem
					       : "no refund can be applied for on this "
						 "declaration now");
	}
	if (e)
		goto out;
	/* what the check found now are the application's differences from
	 * customs' data: they go with the application */
	claim = dump(claim_json(app));
	result = dump(refund_result_to_json(r));
	listed = dump(reasons_json(&reasons));
	struct refund_row row = {
		.number = d.row.number,
		.org_id = a->org_id, /* the exporter that applied */
		.verdict = r->verdict == REFUND_MATCHES ? "matches" : "mismatch",
		.total = r->total,
		.claim = claim,
		.result = result,
		.reasons = listed,
		.applied_by = actor_name(a),
	};
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	row.applied_at = now;
	struct store_conn *c;
	int64_t id = 0;
	e = claim && result && listed ? uow_conn(u, &c) : KERR_NOMEM;
	if (!e)
		e = repo_refund_insert(c, &row, &id);
	if (e == KERR_CONFLICT) {
		refusal_field(why, "/declaration_number",
			      "has a refund application under way; wait for the tax office's "
			      "decision");
		refusal_say(why, "a refund application is under way for this declaration");
	}
	if (!e)
		e = uow_event(u, a, EVENT_REFUND_APPLIED, d.row.number, d.row.org_id, NULL, now,
			      json_pack("{s:I, s:s, s:o, s:I}", "application", (json_int_t)id,
					"verdict", row.verdict, "total_refund",
					fields_decimal_json(r->total, 2), "differences",
					(json_int_t)reasons.count));
	if (!e)
		e = record_get(c, id, out);
out:
	free(claim);
	free(result);
	free(listed);
	json_decref(assessed);
	money_tables_release(t);
	declaration_free(&d);
	free(r);
	return e;
}

kerr refunds_get(struct uow *u, const struct actor *a, int64_t id, struct refund_record *out)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = record_get(c, id, out);
	if (!e && !sees_all(a) && strcmp(out->org_uscc, a->org_uscc) != 0) {
		refund_record_free(out);
		e = KERR_NOT_FOUND;
	}
	return e;
}

kerr refunds_list(struct uow *u, const struct actor *a, const char *status, int limit,
		  refund_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_refunds(c, sees_all(a) ? 0 : a->org_id, status, limit, fn, arg);
}

kerr refunds_decide(struct uow *u, const struct actor *a, int64_t id, bool approve,
		    const char *reason, struct refund_record *out, struct refusal *why)
{
	struct store_conn *c;
	struct problems own, *p = why->fields ? why->fields : &own;
	char now[TIME_TEXT_SIZE];
	problems_init(&own);
	memset(out, 0, sizeof *out);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_refund_lock(c, id);
	if (!e)
		e = record_get(c, id, out);
	if (e)
		return e;
	if (strcmp(out->status, "applied") != 0) {
		refusal_say(why, "the application was %s already", out->status);
		return KERR_CONFLICT;
	}
	struct refund_result r = {.verdict = strcmp(out->verdict, "matches") == 0
						     ? REFUND_MATCHES
						     : REFUND_MISMATCH};
	e = refund_decide(&r, approve, reason, p);
	if (e) {
		refusal_say(why, "%s", e == KERR_CONFLICT ? "a mismatching application can only "
							    "be rejected"
							  : "a rejection needs a reason");
		if (!why->fields && p->count)
			refusal_say(why, "%s", p->errors[0].problem);
		return e;
	}
	uow_now(u, now);
	const char *status = approve ? "approved" : "rejected";
	e = repo_refund_decide(c, id, status, actor_name(a), now, reason);
	struct declaration d;
	memset(&d, 0, sizeof d);
	if (!e)
		e = clearance_load(u, &actor_kouan, out->number, false, &d);
	json_t *data = json_pack("{s:I, s:o}", "application", (json_int_t)id, "total_refund",
				 fields_decimal_json(out->total, 2));
	if (data && reason)
		json_object_set_new(data, "reason", json_string(reason));
	if (!e)
		e = uow_event(u, a, approve ? EVENT_REFUND_APPROVED : EVENT_REFUND_REJECTED,
			      out->number, d.row.org_id, NULL, now, json_incref(data));
	json_decref(data);
	declaration_free(&d);
	if (!e) {
		refund_record_free(out);
		e = record_get(c, id, out);
	}
	return e;
}
