/*
 * charges.c - the published fee catalogues and the charges raised from
 * them (see charges.h).
 *
 * Never: price a charge by hand, charge anything that is not an item of
 * the port's catalogue in force, or let an inspection service be charged
 * before the inspection's outcome says who pays.
 */
#include "service/charges.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "store/repo_inspections.h"

kerr charges_catalogues(struct uow *u, const char *port, int32_t date,
			kerr (*fn)(void *arg, const struct fee_catalogue *c), void *arg)
{
	struct code_list l = {0};
	kerr e = port ? code_list_add(&l, port) : money_fee_ports(u, code_list_add, &l);
	for (size_t i = 0; !e && i < l.n; i++) {
		struct fee_catalogue *c;
		e = money_fee_catalogue(u, NULL, l.codes[i], date, &c);
		if (e == KERR_NOT_FOUND) { /* not in force yet on that date */
			e = KERR_OK;
			continue;
		}
		if (!e)
			e = fn(arg, c);
		fee_catalogue_free(c);
	}
	code_list_free(&l);
	return e;
}

/* The joint inspection's outcome, as the fee rules need it; *complete false
 * while the declaration's inspection is under way or when it has none. */
static kerr inspection_outcome(struct uow *u, const char *number, bool *complete,
			       enum inspection_outcome *out)
{
	struct store_conn *c;
	struct inspection_row in;
	*complete = false;
	*out = INSPECTION_NONE;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_inspection_latest_for(c, number, &in);
	if (e == KERR_NOT_FOUND)
		return KERR_OK;
	if (!e && in.status == INSPECTION_COMPLETED && in.has_outcome) {
		*complete = true;
		*out = in.outcome == FINDING_NO_PROBLEM ? INSPECTION_NO_PROBLEM
							: INSPECTION_PROBLEM;
	}
	return e;
}

/* Does a port operator raise this item? Its terminal's and its inspection
 * area's charges; the port authority's dues, the shipping agent's and the
 * tally company's fees are theirs to raise. */
static bool port_operator_charges(enum fee_charger by)
{
	return by == FEE_BY_TERMINAL || by == FEE_BY_INSPECTION_SITE;
}

kerr charges_raise(struct uow *u, const struct actor *a, const char *number, const char *code,
		   int64_t quantity, struct charge_raised *out, struct refusal *why)
{
	struct declaration d;
	struct fee_catalogue *fc = NULL;
	struct problems own, *p = why->fields ? why->fields : &own;
	char day[KDATE_TEXT_MAX];
	memset(out, 0, sizeof *out);
	problems_init(&own);
	int32_t today = money_today(u);
	kdate_format(today, day);
	/* a terminal raises charges on the goods at its port, released or not */
	kerr e = clearance_load(u, &actor_kouan, number, false, &d);
	if (!e && (!*a->org_port || strcmp(d.row.port, a->org_port) != 0))
		e = KERR_NOT_FOUND;
	if (e)
		goto out;
	e = money_fee_catalogue(u, NULL, d.row.port, today, &fc);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why,
			    "no fee catalogue of %s is in force on %s: nothing may be charged "
			    "there until one is published",
			    d.row.port, day);
		e = KERR_CONFLICT;
	}
	if (e)
		goto out;
	const struct fee_item *it = fee_find(fc, code);
	bool complete = false;
	enum inspection_outcome outcome = INSPECTION_NONE;
	if (it && !port_operator_charges(it->charged_by)) {
		refusal_field(why, "/code",
			      "'%s' is charged by the %s (%s), not by a port operator; a "
			      "port operator raises its terminal's and inspection area's "
			      "charges",
			      it->code, fee_charger_name(it->charged_by),
			      it->charger ? it->charger : "named in the catalogue");
		refusal_say(why, "this item is not a port operator's to charge");
		e = KERR_FORBIDDEN;
		goto out;
	}
	if (it && it->inspection != FEE_INSPECTION_NONE) {
		e = inspection_outcome(u, number, &complete, &outcome);
		if (!e && !complete) {
			refusal_field(why, "/code",
				      "'%s' is an inspection service (%s): it is charged once "
				      "the declaration's joint inspection is complete, whose "
				      "outcome decides who pays; %s has none complete",
				      it->code, fee_inspection_name(it->inspection), number);
			refusal_say(why, "the inspection's outcome is not known yet");
			e = KERR_CONFLICT;
		}
		if (e)
			goto out;
	}
	e = fee_charge(fc, code, quantity, outcome, &out->charge, p);
	if (e) {
		if (!why->fields && p->count)
			refusal_say(why, "%s %s", p->errors[0].field, p->errors[0].problem);
		else
			refusal_say(why, "the charge is not valid");
		goto out;
	}
	struct store_conn *c;
	const struct fee_charge *ch = &out->charge;
	json_t *detail = fee_charge_to_json(ch);
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	uow_now(u, out->raised_at);
	struct fee_charge_row row = {
		.number = number,
		.catalogue = ch->catalogue,
		.code = ch->code,
		.quantity = ch->quantity,
		.amount = ch->amount,
		.payer = fee_payer_name(ch->payer),
		.trader_amount = ch->trader_amount,
		.state_amount = ch->state_amount,
		.reason = ch->reason,
		.detail = text,
		.raised_by = actor_name(a),
		.org_id = a->org_id,
		.raised_at = out->raised_at,
	};
	e = text ? uow_conn(u, &c) : KERR_NOMEM;
	if (!e)
		e = repo_charge_insert(c, &row, &out->id);
	free(text);
	if (!e) {
		json_object_set_new(detail, "id", json_integer((json_int_t)out->id));
		e = uow_event(u, a,
			      ch->payer == FEE_PAYER_STATE ? EVENT_FEE_WAIVED : EVENT_FEE_CHARGED,
			      number, d.row.org_id, NULL, out->raised_at, json_incref(detail));
	}
	json_decref(detail);
out:
	fee_catalogue_free(fc);
	declaration_free(&d);
	return e;
}

kerr charges_list(struct uow *u, const struct actor *a, const char *number, fee_charge_fn fn,
		  void *arg)
{
	struct declaration d;
	struct store_conn *c;
	kerr e = clearance_load(u, &actor_kouan, number, false, &d);
	bool may = false;
	if (!e) {
		switch (a->role) {
		case ROLE_DECLARANT:
			may = d.row.org_id == a->org_id ||
			      !strcmp(d.row.consignee_uscc, a->org_uscc);
			break;
		case ROLE_PORT_OPERATOR:
			may = *a->org_port && !strcmp(d.row.port, a->org_port);
			break;
		case ROLE_CUSTOMS:
		case ROLE_ANALYST:
		case ROLE_ADMIN:
			may = true;
			break;
		default:
			break;
		}
		if (!may)
			e = KERR_NOT_FOUND;
	}
	declaration_free(&d);
	if (!e)
		e = uow_conn(u, &c);
	return e ? e : repo_charges_for(c, number, fn, arg);
}
