/*
 * taxes.c - reading, paying and securing a declaration's duties and taxes,
 * registering guarantees, loading the tariff and the rates (see taxes.h).
 *
 * Never: take a payment that is not exactly what is outstanding, draw a
 * guarantee other than through duties_draw, or release a declaration other
 * than through clearance_settle.
 */
#include "service/taxes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "common/decimal.h"
#include "domain/fields.h"
#include "service/banks.h"
#include "store/repo_risk.h"

/* May the actor read or act on a declaration's taxes? The declarant's
 * organisation and the consignee; customs, analysts and admins read. */
static bool taxes_visible(const struct actor *a, const struct declaration *d, bool act)
{
	if (a->role == ROLE_DECLARANT)
		return d->row.org_id == a->org_id || !strcmp(d->row.consignee_uscc, a->org_uscc);
	if (act)
		return false;
	return a->role == ROLE_CUSTOMS || a->role == ROLE_ANALYST || a->role == ROLE_ADMIN;
}

static kerr load(struct uow *u, const struct actor *a, const char *number, bool act,
		 struct declaration *d)
{
	kerr e = clearance_load(u, a, number, act, d);
	if (!e && !taxes_visible(a, d, act))
		e = KERR_NOT_FOUND;
	return e;
}

kerr taxes_show(struct uow *u, const struct actor *a, const char *number,
		struct declaration *d, struct duties_state *s, payment_fn fn, void *arg)
{
	memset(s, 0, sizeof *s);
	struct store_conn *c;
	kerr e = load(u, a, number, false, d);
	if (!e)
		e = duties_state_load(u, d, false, s);
	if (!e)
		e = duties_explain(u, d, &s->assessment);
	if (!e && fn && !(e = uow_conn(u, &c)))
		e = repo_payments_for(c, number, fn, arg);
	return e;
}

/* Why nothing can be paid on a declaration that ended, or whose
 * assessment is held. */
static bool payable(const struct declaration *d, const struct duties_state *s,
		    struct refusal *why)
{
	if (d->row.status == DECL_WITHDRAWN || d->row.status == DECL_REJECTED) {
		refusal_say(why, "the declaration was %s: nothing is owed on it",
			    declaration_status_name(d->row.status));
		return false;
	}
	if (s->assessment.held) {
		refusal_say(why,
			    "the duties and taxes are not assessed yet (%s); nothing can be "
			    "paid or secured before they are",
			    s->assessment.held_reason);
		return false;
	}
	return true;
}

/* Money paid before the goods were declared (before the minute they
 * were lodged), or not paid yet, pays nothing: true, with the problem at
 * /paid_at, when paid_at is either. */
static bool paid_at_refused(struct uow *u, const struct declaration *d, int64_t paid_at,
			    struct problems *p)
{
	int64_t lodged_us, now_us = uow_now_us(u);
	char now[TIME_TEXT_SIZE];
	if (paid_at > now_us) {
		ktime_format(now_us, now);
		problems_add(p, "/paid_at", "must not be in the future (it is now %s)", now);
		return true;
	}
	/* to the minute: a bank's receipt, and the payment form, give minutes */
	if (ktime_parse(d->row.lodged_at, &lodged_us) &&
	    paid_at < lodged_us - lodged_us % (60 * INT64_C(1000000))) {
		problems_add(p, "/paid_at",
			     "must not be before the declaration was lodged (%s): its duties "
			     "are paid once assessed",
			     d->row.lodged_at);
		return true;
	}
	return false;
}

/* How long an order its bank has not answered holds the next one: a bank
 * answers at once, and one that never does must not keep the declarant
 * from paying through another. The earlier order stays reported; paid
 * later, it counts, and what it brings beyond what is owed is said
 * (overpaid). */
#define ORDER_HOLDS_US (INT64_C(24) * 3600 * 1000000)

/* The same payment order again (reference, declaration, amount, bank)? */
static bool same_order(const struct payment_row *known, const char *number,
		       const struct payment *pay)
{
	struct payment_record rec;
	str_copy(rec.bank_reference, known->bank_reference, sizeof rec.bank_reference);
	str_copy(rec.declaration, known->number, sizeof rec.declaration);
	rec.amount = known->amount;
	return payment_match(&rec, number, pay->amount) == PAYMENT_REPLAY &&
	       !strcmp(known->bank_uscc, pay->bank);
}

kerr taxes_pay(struct uow *u, const struct actor *a, const char *number,
	       const struct payment *pay, struct taxes_paid *out, struct refusal *why)
{
	struct declaration d;
	struct duties_state s;
	struct problems own, *p = why->fields ? why->fields : &own;
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	memset(out, 0, sizeof *out);
	memset(&s, 0, sizeof s);
	problems_init(&own);
	kerr e = load(u, a, number, true, &d);
	if (!e)
		e = uow_conn(u, &c);
	if (e)
		goto out;
	/* a bank reference is one payment: the same order again is answered
	 * as before, whatever its bank said since */
	struct payment_row known;
	e = repo_payment_by_reference(c, pay->bank_reference, &known);
	if (!e) {
		if (same_order(&known, number, pay)) {
			out->payment = known;
			out->replayed = true;
			out->status = d.row.status;
			goto out;
		}
		refusal_field(why, "/bank_reference",
			      "is the bank reference of another payment; a bank reference "
			      "identifies one payment of one declaration");
		refusal_say(why, "the bank reference is taken");
		e = KERR_CONFLICT;
		goto out;
	}
	if (e != KERR_NOT_FOUND)
		goto out;
	if ((e = duties_state_load(u, &d, true, &s)))
		goto out;
	if (!payable(&d, &s, why)) {
		e = KERR_CONFLICT;
		goto out;
	}
	int64_t ordered_us = 0;
	if (s.awaiting_bank && ktime_parse(s.awaiting.recorded_at, &ordered_us) &&
	    uow_now_us(u) - ordered_us < ORDER_HOLDS_US) {
		char amount[32];
		decimal_format(s.awaiting.amount, 2, amount, sizeof amount);
		refusal_say(why,
			    "payment %s of %s CNY is reported and awaits its bank's answer; "
			    "another payment order waits until the bank has paid or refused it, "
			    "or for 24 hours",
			    s.awaiting.bank_reference, amount);
		e = KERR_CONFLICT;
		goto out;
	}
	e = payment_check(&s.position, pay->amount, p);
	kerr bank = bank_known(c, pay->bank, p);
	if (!e && bank)
		e = bank;
	if (e) {
		if (!why->fields && p->count)
			refusal_say(why, "%s", p->errors[0].problem);
		else
			refusal_say(why, "%s",
				    bank == KERR_INVALID ? "the payment has fields that are not valid"
				    : e == KERR_INVALID	 ? "the amount is not what is due"
							 : "nothing can be paid on this declaration");
		goto out;
	}
	uow_now(u, now);
	struct payment_row row = {0};
	str_copy(row.bank_reference, pay->bank_reference, sizeof row.bank_reference);
	str_copy(row.number, number, sizeof row.number);
	str_copy(row.bank_uscc, pay->bank, sizeof row.bank_uscc);
	row.amount = pay->amount;
	row.status = PAYMENT_REPORTED;
	str_copy(row.recorded_by, actor_name(a), sizeof row.recorded_by);
	str_copy(row.recorded_at, now, sizeof row.recorded_at);
	e = repo_payment_insert(c, &row, &row.id);
	if (e == KERR_CONFLICT) /* another request took the reference meanwhile */
		refusal_field(why, "/bank_reference", "was recorded at the same moment by "
						      "another request; send it again");
	if (!e)
		e = uow_event(u, a, EVENT_DUTIES_PAYMENT_REPORTED, number, d.row.org_id, NULL, now,
			      json_pack("{s:s, s:s, s:o, s:I}", "bank_reference",
					row.bank_reference, "bank", row.bank_uscc, "amount",
					fields_decimal_json(row.amount, 2), "version",
					(json_int_t)d.row.version));
	/* settled again, so that a release waiting for money says it waits
	 * for the bank now (the order itself releases nothing) */
	if (!e && d.row.status == DECL_ACCEPTED)
		e = clearance_settle(u, &d, now);
	if (!e) {
		out->payment = row;
		out->status = d.row.status;
	}
out:
	duties_state_free(&s);
	declaration_free(&d);
	return e;
}

/* The bank's answer kept: the payment counts, gives the guarantee drawn at
 * release back, and settles the declaration (release may follow). */
static kerr answer_paid(struct uow *u, const struct actor *a, struct declaration *d,
			struct payment_row *row, const char *now, int64_t *overpaid)
{
	struct duties_state s;
	struct store_conn *c;
	kerr e = duties_state_load(u, d, true, &s);
	if (!e)
		e = uow_conn(u, &c);
	if (e)
		goto out;
	row->restored = s.drawn ? s.draw.amount : 0;
	if ((e = repo_payment_answer(c, row)))
		goto out;
	/* the money moved: a payment beyond what is owed now (the declaration
	 * was corrected to owe less, or ended) is kept, and said, for customs
	 * to refund */
	bool ended = d->row.status == DECL_WITHDRAWN || d->row.status == DECL_REJECTED;
	int64_t owed = ended ? 0 : s.position.due;
	/* (a held assessment owes what is not known yet: nothing is said) */
	*overpaid = !s.assessment.held && s.position.paid + row->amount > owed
			    ? s.position.paid + row->amount - owed
			    : 0;
	json_t *data = json_pack("{s:s, s:s, s:o, s:s, s:I}", "bank_reference",
				 row->bank_reference, "bank", row->bank_uscc, "amount",
				 fields_decimal_json(row->amount, 2), "paid_at", row->paid_at,
				 "version", (json_int_t)d->row.version);
	if (data && *overpaid)
		json_object_set_new(data, "overpaid", fields_decimal_json(*overpaid, 2));
	e = uow_event(u, a, EVENT_DUTIES_PAID, row->number, d->row.org_id, NULL, now, data);
	if (!e && s.drawn) {
		char because[96];
		snprintf(because, sizeof because, "paid (bank reference %.64s)",
			 row->bank_reference);
		e = duties_restore(u, d, now, because);
	}
	if (!e && d->row.status == DECL_ACCEPTED)
		e = clearance_settle(u, d, now);
out:
	duties_state_free(&s);
	return e;
}

kerr taxes_answer(struct uow *u, const struct actor *a, const char *ref,
		  const struct payment_answer *ans, struct taxes_paid *out, struct refusal *why)
{
	struct declaration d;
	struct store_conn *c;
	struct payment_row row;
	char now[TIME_TEXT_SIZE], reference[PAYMENT_REFERENCE_MAX];
	memset(out, 0, sizeof *out);
	memset(&d, 0, sizeof d);
	/* kept in capitals, as the order was (payment_parse) */
	str_copy(reference, ref, sizeof reference);
	payment_reference_capitals(reference);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_payment_by_reference(c, reference, &row);
	/* another bank's payment is not told apart from none */
	if (!e && strcmp(row.bank_uscc, a->org_uscc))
		e = KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no payment reported to your bank has that reference");
	/* the declaration first, locked, then the payment as it is now */
	if (!e)
		e = clearance_load(u, &actor_kouan, row.number, true, &d);
	if (!e)
		e = repo_payment_by_reference(c, reference, &row);
	if (e)
		goto out;
	if (row.status != PAYMENT_REPORTED) {
		int64_t kept_at = 0;
		if (row.status == PAYMENT_PAID)
			(void)ktime_parse(row.paid_at, &kept_at);
		if (payment_answer_same(ans, row.status, row.amount, kept_at, row.reason)) {
			out->payment = row;
			out->replayed = true;
			out->status = d.row.status;
			goto out;
		}
		refusal_say(why, "the bank answered this payment already: %s",
			    row.status == PAYMENT_PAID ? "paid" : "refused");
		e = KERR_CONFLICT;
		goto out;
	}
	if (ans->outcome == PAYMENT_PAID) {
		char ordered[32];
		decimal_format(row.amount, 2, ordered, sizeof ordered);
		if (ans->amount != row.amount)
			refusal_field(why, "/amount",
				      "must be the amount of the payment order, %s CNY: a bank "
				      "pays the order as given, or refuses it",
				      ordered);
		struct problems own, *p = why->fields ? why->fields : &own;
		problems_init(&own);
		bool time_wrong = paid_at_refused(u, &d, ans->paid_at, p);
		int64_t ordered_us;
		/* nor before it was ordered: a bank debits an order it was given */
		if (!time_wrong && ktime_parse(row.recorded_at, &ordered_us) &&
		    ans->paid_at < ordered_us - ordered_us % (60 * INT64_C(1000000))) {
			problems_add(p, "/paid_at",
				     "must not be before the payment was ordered (%s): a bank "
				     "debits an order it was given",
				     row.recorded_at);
			time_wrong = true;
		}
		if (ans->amount != row.amount || time_wrong) {
			if (!why->fields && time_wrong && ans->amount == row.amount)
				refusal_say(why, "%s", own.errors[0].problem);
			else
				refusal_say(why, "the answer has fields that are not valid");
			e = KERR_INVALID;
			goto out;
		}
	}
	uow_now(u, now);
	row.status = ans->outcome;
	str_copy(row.answered_by, actor_name(a), sizeof row.answered_by);
	str_copy(row.answered_at, now, sizeof row.answered_at);
	if (ans->outcome == PAYMENT_PAID) {
		ktime_format(ans->paid_at, row.paid_at);
		e = answer_paid(u, a, &d, &row, now, &out->overpaid);
	} else {
		str_copy(row.reason, ans->reason, sizeof row.reason);
		e = repo_payment_answer(c, &row);
		if (!e)
			e = uow_event(u, a, EVENT_DUTIES_PAYMENT_REFUSED, row.number, d.row.org_id,
				      NULL, now,
				      json_pack("{s:s, s:s, s:s}", "bank_reference",
						row.bank_reference, "bank", row.bank_uscc, "reason",
						row.reason));
	}
	if (e == KERR_CONFLICT && !*why->detail)
		refusal_say(why, "the payment was answered at the same moment by another "
				 "request; read it again");
	if (!e) {
		out->payment = row;
		out->status = d.row.status;
	}
out:
	declaration_free(&d);
	return e;
}

kerr taxes_bank_payments(struct uow *u, const struct actor *a, const char *status,
			 int64_t after, int limit, payment_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_payments_of_bank(c, a->org_uscc, status, after, limit, fn, arg);
}

struct bank_filter {
	org_row_fn fn;
	void *arg;
};

static kerr bank_only(void *arg, const struct org_row *o)
{
	struct bank_filter *f = arg;
	return strcmp(o->kind, "bank") ? KERR_OK : f->fn(f->arg, o);
}

kerr taxes_banks(struct uow *u, org_row_fn fn, void *arg)
{
	struct store_conn *c;
	struct bank_filter f = {fn, arg};
	kerr e = uow_conn(u, &c);
	return e ? e : repo_org_list(c, bank_only, &f);
}

kerr taxes_guarantee(struct uow *u, const struct actor *a, const char *number,
		     const char *guarantee, struct guarantee_row *drawn,
		     enum declaration_status *status, struct refusal *why)
{
	struct declaration d;
	struct duties_state s;
	struct problems own;
	char now[TIME_TEXT_SIZE];
	memset(&s, 0, sizeof s);
	problems_init(&own);
	kerr e = load(u, a, number, true, &d);
	if (!e)
		e = duties_state_load(u, &d, true, &s);
	if (e)
		goto out;
	int64_t outstanding = s.position.due - s.position.paid;
	e = KERR_CONFLICT;
	if (!payable(&d, &s, why))
		goto out;
	if (d.row.status == DECL_RELEASED) {
		refusal_say(why, "the declaration is released already");
	} else if (s.drawn) {
		refusal_say(why, "guarantee %s secures this declaration already", s.draw.guarantee);
	} else if (outstanding <= 0) {
		refusal_say(why, s.position.due <= 0
					 ? "nothing is due on this declaration: no duty or tax was "
					   "assessed, or all of it was waived"
					 : "the duties and taxes of this declaration are paid");
	} else {
		uow_now(u, now);
		e = duties_draw(u, &d, guarantee, outstanding, now, drawn, &own);
		if (e == KERR_NOT_FOUND) {
			refusal_field(why, "/guarantee",
				      "is not a general guarantee of the consignee %s (see GET "
				      "/v1/guarantees)",
				      d.row.consignee_uscc);
			refusal_say(why, "no such guarantee");
			e = KERR_INVALID;
		} else if (e && own.count) {
			refusal_say(why, "%s", own.errors[0].problem);
		}
		if (!e && d.row.status == DECL_ACCEPTED)
			e = clearance_settle(u, &d, now);
		if (!e)
			*status = d.row.status;
	}
out:
	duties_state_free(&s);
	declaration_free(&d);
	return e;
}

/* Settle again, as kouan, each declaration of the list (release may
 * follow); with reassess, assess its held assessment again first. */
static kerr settle_each(struct uow *u, const struct code_list *l, bool reassess,
			size_t *reassessed)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	/* every declaration's row first, in the list's order (by number), and
	 * only then the guarantees the releases lock: a decision settling one
	 * of them at the same moment takes its declaration, then the
	 * guarantees, so the two never wait on each other */
	for (size_t i = 0; !e && i < l->n; i++)
		e = repo_decl_lock(c, l->codes[i]);
	for (size_t i = 0; !e && i < l->n; i++) {
		struct declaration d;
		struct duty_assessment_row row;
		e = clearance_load(u, &actor_kouan, l->codes[i], true, &d);
		if (!e && reassess) {
			e = duties_assess(u, &d, false, NULL, &row);
			if (!e && !row.held && reassessed)
				(*reassessed)++;
			if (!e)
				duty_assessment_row_free(&row);
		}
		if (!e && d.row.status == DECL_ACCEPTED)
			e = clearance_settle(u, &d, now);
		declaration_free(&d);
	}
	return e;
}

kerr taxes_guarantee_register(struct uow *u, const struct actor *a, const char *uscc,
			      const struct guarantee *g, struct guarantee_row *out,
			      struct refusal *why)
{
	struct store_conn *c;
	char cls_text[STATUS_SIZE];
	enum credit_class cls;
	struct guarantee_row row = {0};
	struct code_list waiting = {0};
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_credit_get(c, uscc, &row.org_id, cls_text, sizeof cls_text);
	if (e == KERR_NOT_FOUND) {
		refusal_field(why, "/organisation",
			      "no organisation has the USCC %s (see GET /v1/organisations)", uscc);
		refusal_say(why, "no such organisation");
		return KERR_INVALID;
	}
	if (e)
		return e;
	if (!credit_class_parse(cls_text, &cls))
		return KERR_STORE;
	if (!guarantee_class_allowed(cls)) {
		refusal_field(why, "/organisation",
			      "is of the %s credit class; a general guarantee is open to the "
			      "advanced and standard classes",
			      credit_class_name(cls));
		refusal_say(why, "the organisation's credit class does not allow a guarantee");
		return KERR_CONFLICT;
	}
	str_copy(row.number, g->number, sizeof row.number);
	str_copy(row.org_uscc, uscc, sizeof row.org_uscc);
	row.ceiling = g->ceiling;
	kdate_format(g->valid_from, row.valid_from);
	kdate_format(g->valid_until, row.valid_until);
	str_copy(row.registered_by, actor_name(a), sizeof row.registered_by);
	uow_now(u, row.registered_at);
	e = repo_guarantee_insert(c, &row, &row.id);
	if (e == KERR_CONFLICT) {
		refusal_field(why, "/number", "is taken: guarantee %s is registered already",
			      g->number);
		refusal_say(why, "the guarantee number is taken");
		return e;
	}
	json_t *j = e ? NULL
		      : json_pack("{s:s, s:o, s:s, s:s}", "organisation", uscc, "ceiling",
				  fields_decimal_json(row.ceiling, 2), "valid_from",
				  row.valid_from, "valid_until", row.valid_until);
	char *data = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!e)
		e = data ? uow_audit(u, a, "guarantee.register", row.number, data) : KERR_NOMEM;
	free(data);
	/* the consignee's declarations waiting for payment may go now */
	if (!e)
		e = repo_decl_cleared_waiting(c, uscc, code_list_add, &waiting);
	if (!e)
		e = settle_each(u, &waiting, false, NULL);
	code_list_free(&waiting);
	if (!e)
		e = repo_guarantee_get(c, row.number, out);
	return e;
}

kerr taxes_guarantees(struct uow *u, const struct actor *a, guarantee_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	return repo_guarantees(c, a->role == ROLE_DECLARANT ? a->org_id : 0, fn, arg);
}

kerr taxes_guarantee_get(struct uow *u, const struct actor *a, const char *number,
			 struct guarantee_row *out)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_guarantee_get(c, number, out);
	if (!e && a->role == ROLE_DECLARANT && out->org_id != a->org_id)
		e = KERR_NOT_FOUND;
	return e;
}

/* After the tables changed: the held assessments, again. */
static kerr reassess_held(struct uow *u, size_t *reassessed)
{
	struct store_conn *c;
	struct code_list held = {0};
	*reassessed = 0;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_duty_held(c, code_list_add, &held);
	if (!e)
		e = settle_each(u, &held, true, reassessed);
	code_list_free(&held);
	return e;
}

kerr taxes_load_tariff(struct uow *u, const struct actor *a, const json_t *doc,
		       struct money_loaded *out, size_t *reassessed, struct refusal *why)
{
	kerr e = money_tariff_load(u, a, doc, out, why);
	return e ? e : reassess_held(u, reassessed);
}

kerr taxes_load_rates(struct uow *u, const struct actor *a, const json_t *doc,
		      struct money_loaded *out, size_t *reassessed, struct refusal *why)
{
	kerr e = money_rates_load(u, a, doc, out, why);
	if (!e && !out->added) {
		*reassessed = 0;
		return KERR_OK;
	}
	return e ? e : reassess_held(u, reassessed);
}
