/*
 * charges.c - the published fee catalogues and the charges raised from
 * them (see charges.h).
 *
 * Never: price a charge by hand, charge anything that is not an item of
 * the port's catalogue in force, charge more than the goods allow (their
 * containers and their sizes, weight and days in the yard:
 * fee_within_goods), or let an
 * inspection service be charged before the inspection's outcome says who
 * pays.
 */
#include "service/charges.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "store/repo_inspections.h"
#include "store/repo_transport.h"

#define DAY_US (INT64_C(86400) * 1000000)

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

/* The days container `number` has spent in the yard on `call`, each day
 * begun counting: from its discharge or gate-in to its gate-out or
 * loading, or to now while it is there; 0 when it never came in. */
static kerr yard_days(struct store_conn *c, const char *number, const char *call,
		      int64_t now_us, int64_t *days)
{
	struct yard_record ev[YARD_EVENT_COUNT];
	size_t n = 0;
	*days = 0;
	kerr e = repo_yard_events(c, number, call, ev, YARD_EVENT_COUNT, &n);
	int64_t in = -1, out = -1;
	for (size_t k = 0; !e && k < n; k++) {
		bool arrives = ev[k].event == YARD_DISCHARGED || ev[k].event == YARD_GATED_IN;
		if (arrives && in < 0)
			in = ev[k].at;
		else if (!arrives && in >= 0 && out < 0)
			out = ev[k].at;
	}
	if (!e && in >= 0) {
		int64_t stay = (out >= 0 ? out : now_us) - in;
		*days = stay <= 0 ? 1 : (stay + DAY_US - 1) / DAY_US;
	}
	return e;
}

struct charged_sum {
	const struct fee_catalogue *fc;
	const struct fee_item *it;
	struct fee_charged done;
};

/* Of the item, and of every size of its sized service (by the codes of
 * the catalogue in force). */
static kerr add_charged(void *arg, const struct fee_charge_row *ch)
{
	struct charged_sum *s = arg;
	const struct fee_item *other = fee_find(s->fc, ch->code);
	if (!strcmp(ch->code, s->it->code))
		s->done.item += ch->quantity;
	if (s->it->container_size && other && other->container_size &&
	    !strcmp(other->sized_service, s->it->sized_service))
		s->done.service += ch->quantity;
	return KERR_OK;
}

/* The sizes of the declaration's containers as the manifest line its
 * consignment was matched with gives them (size_type); a container the
 * line does not size, or a consignment not matched yet, counts as of no
 * size known. */
static kerr container_sizes(struct store_conn *c, const struct consignment_row *cons,
			    const struct declaration_facts *f, struct fee_goods *g)
{
	if (!cons->manifest_id)
		return KERR_OK;
	char *body = NULL, *changes = NULL, by[USERNAME_SIZE], at[TIME_TEXT_SIZE];
	kerr e = repo_manifest_version_get(c, cons->manifest_id, cons->manifest_version, &body,
					   &changes, by, at);
	free(changes);
	if (e)
		return e == KERR_NOT_FOUND ? KERR_OK : e;
	json_t *m = json_loads(body, 0, NULL);
	free(body);
	size_t i, k;
	json_t *bill, *box;
	json_array_foreach(json_object_get(m, "bills"), i, bill)
	{
		const char *b = json_string_value(json_object_get(bill, "bill_of_lading"));
		if (!b || strcmp(b, cons->bill_of_lading))
			continue;
		json_array_foreach(json_object_get(bill, "containers"), k, box)
		{
			const char *n = json_string_value(json_object_get(box, "number"));
			int feet = fee_container_size(
				json_string_value(json_object_get(box, "size_type")));
			for (size_t d = 0; n && feet && d < f->ncontainers; d++)
				if (!strcmp(f->containers[d], n))
					g->sized[feet == 20 ? 0 : feet == 40 ? 1 : 2]++;
		}
	}
	json_decref(m);
	return KERR_OK;
}

/* What the goods of declaration d are, and how much of item `it` (and of
 * its sized service) is charged on it already. */
static kerr goods_of(struct uow *u, struct declaration *d, const struct fee_catalogue *fc,
		     const struct fee_item *it, struct fee_goods *g, struct fee_charged *done)
{
	struct store_conn *c;
	const struct declaration_facts *f = declaration_facts_of(d);
	memset(g, 0, sizeof *g);
	memset(done, 0, sizeof *done);
	kerr e = f ? uow_conn(u, &c) : KERR_INTERNAL;
	if (e)
		return e;
	g->containers = (int64_t)f->ncontainers;
	g->gross_weight_g = f->gross_weight;
	struct consignment_row cons;
	e = repo_consignment_get(c, d->row.number, &cons);
	for (size_t i = 0; !e && i < f->ncontainers; i++) {
		int64_t days = 0;
		e = yard_days(c, f->containers[i], cons.call_key, uow_now_us(u), &days);
		g->container_days += days;
	}
	if (!e && it->container_size)
		e = container_sizes(c, &cons, f, g);
	if (e == KERR_NOT_FOUND) /* no consignment: nothing was in the yard */
		e = KERR_OK;
	consignment_row_free(&cons);
	struct charged_sum s = {fc, it, {0, 0}};
	if (!e)
		e = repo_charges_for(c, d->row.number, add_charged, &s);
	*done = s.done;
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
	struct fee_goods goods;
	struct fee_charged charged;
	if (!e)
		e = goods_of(u, &d, fc, it, &goods, &charged);
	if (!e && !fee_within_goods(fc, code, quantity, &goods, &charged, p))
		e = KERR_INVALID;
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
