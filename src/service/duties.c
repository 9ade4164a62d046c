/*
 * duties.c - assessing a declaration's duties and taxes, where its taxes
 * stand, and the money part of its release (see duties.h).
 *
 * Never: release or settle a declaration (that is clearance's), guess a
 * rate or a tariff line, or change a guarantee's amount drawn other than
 * by one conditional UPDATE.
 */
#include "service/duties.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "common/decimal.h"
#include "common/log.h"
#include "domain/assessment.h"
#include "domain/assessment_basis.h"
#include "domain/fields.h"
#include "service/money_tables.h"
#include "store/repo_risk.h"

/* The assessment's input from the declaration's facts; false when the
 * stored declaration cannot be read. */
static bool input_of(struct uow *u, struct declaration *d, struct assess_input *in)
{
	const struct declaration_facts *f = declaration_facts_of(d);
	const struct refdata *ref = uow_refdata(u);
	int64_t accepted;
	memset(in, 0, sizeof *in);
	/* the declaration's date is its acceptance, in the request that
	 * lodged it; a correction keeps it */
	if (!f || !ktime_parse(d->row.lodged_at, &accepted))
		return false;
	in->import = f->import;
	in->incoterm = f->incoterm;
	in->currency = f->currency;
	in->has_freight = f->freight_declared;
	in->freight = f->freight;
	in->has_insurance = f->insurance_declared;
	in->insurance = f->insurance;
	in->accepted_at_us = accepted;
	for (size_t i = 0; i < f->nitems && i < ASSESS_MAX_ITEMS; i++) {
		const struct declaration_item *it = &f->items[i];
		in->items[in->nitems++] = (struct assess_item){
			it->hs_code, it->quantity, it->unit, it->value, it->origin};
	}
	for (size_t i = 0; i < f->ndocuments && i < ASSESS_MAX_DOCUMENTS; i++) {
		const struct declaration_document *doc = &f->documents[i];
		in->documents[in->ndocuments++] = (struct assess_document){
			doc->type, doc->number,
			assessment_certificate_agreement(ref, doc->type)};
	}
	const json_t *declared = json_object_get(f->body, "declared_taxes");
	if (declared && !json_is_null(declared)) {
		struct problems p;
		problems_init(&p);
		assessment_declared_parse(declared, "/declared_taxes", &in->declared, &p);
	}
	return true;
}

static json_t *money_json(int64_t fen)
{
	return fields_decimal_json(fen, 2);
}

/* duties.assessed, and duties.declared_differs for customs when the
 * declarant's own figures differ. */
static kerr assessed_events(struct uow *u, struct declaration *d,
			    const struct duty_assessment_row *row, const struct assessment *a)
{
	json_t *data = json_pack("{s:I, s:s}", "version", (json_int_t)d->row.version, "status",
				 row->held ? "held" : "assessed");
	if (!data)
		return KERR_NOMEM;
	if (row->held) {
		json_object_set_new(data, "reason", json_string(row->held_reason));
	} else {
		/* duties and taxes are due in yuan, whatever the invoice's
		 * currency */
		json_object_set_new(data, "total_due", money_json(row->total_due));
		json_object_set_new(data, "currency", json_string("CNY"));
	}
	kerr e = uow_event(u, &actor_kouan, EVENT_DUTIES_ASSESSED, d->row.number, d->row.org_id,
			   NULL, row->assessed_at, data);
	if (!e && !row->held && a->differs)
		e = uow_event(u, &actor_kouan, EVENT_DUTIES_DECLARED_DIFFERS, d->row.number,
			      d->row.org_id, NULL, row->assessed_at,
			      json_pack("{s:I, s:{s:o, s:o, s:o}, s:{s:o, s:o, s:o}}", "version",
					(json_int_t)d->row.version, "declared", "duty",
					money_json(a->declared.duty), "consumption_tax",
					money_json(a->declared.consumption_tax), "vat",
					money_json(a->declared.vat), "difference", "duty",
					money_json(a->diff_duty), "consumption_tax",
					money_json(a->diff_consumption_tax), "vat",
					money_json(a->diff_vat)));
	return e;
}

/* What an assessed row is stored as: the basis it is computed again from
 * (the detail computed now is the caller's to show, not kept). */
static kerr keep_basis(const struct assess_input *in, const struct assessment *a,
		       struct duty_assessment_row *row)
{
	struct assessment_basis *b = malloc(sizeof *b);
	if (!b)
		return KERR_NOMEM;
	assessment_basis_of(in, a, b);
	kerr e = assessment_basis_format(b, row->tariff_versions, sizeof row->tariff_versions,
					 row->certificates, sizeof row->certificates);
	kmonth_format(b->rate_month, row->rate_month);
	row->cny_per_unit = b->cny_per_unit;
	row->duty = b->duty;
	row->consumption_tax = b->consumption_tax;
	row->vat = b->vat;
	row->has_basis = !e;
	free(b);
	return e ? KERR_INTERNAL : KERR_OK;
}

/* Compute the assessment of the current version into *row (detail owned).
 * An assessed row's detail is written out only when want_detail: the row
 * keeps its basis, not its detail, so a lodgement that shows none need not
 * write it (a held row keeps its detail, and always has it). */
static kerr compute(struct uow *u, struct declaration *d, bool refuse, struct refusal *why,
		    bool want_detail, struct duty_assessment_row *row, struct assessment **out)
{
	struct assess_input *in = calloc(1, sizeof *in);
	struct assessment *a = calloc(1, sizeof *a);
	struct money_tables *t = NULL;
	struct problems own;
	problems_init(&own);
	kerr e = in && a ? KERR_OK : KERR_NOMEM;
	if (!e && !input_of(u, d, in))
		e = KERR_INTERNAL;
	if (!e)
		e = money_tables_get(u, &t);
	if (!e)
		e = assessment_compute(in, t->tariff, t->rates, a,
				       refuse && why->fields ? why->fields : &own);
	memset(row, 0, sizeof *row);
	str_copy(row->number, d->row.number, sizeof row->number);
	row->version = d->row.version;
	uow_now(u, row->assessed_at);
	json_t *detail = NULL;
	if (e == KERR_INVALID && refuse) {
		refusal_say(why, "the declaration cannot be assessed as declared");
	} else if (e == KERR_INVALID) {
		/* a later assessment of a declaration accepted before: hold it
		 * with the reason, for customs to return it for correction */
		row->held = true;
		str_copy(row->held_field, own.count ? own.errors[0].field : "",
			 sizeof row->held_field);
		snprintf(row->held_reason, sizeof row->held_reason, "%.60s %.440s",
			 own.count ? own.errors[0].field : "",
			 own.count ? own.errors[0].problem : "cannot be assessed as declared");
		detail = json_pack("{s:s, s:s, s:s}", "status", "held", "reason",
				   row->held_reason, "field", row->held_field);
		e = KERR_OK;
	} else if (!e) {
		row->held = a->status == ASSESS_HELD;
		str_copy(row->held_field, row->held ? a->held_field : "", sizeof row->held_field);
		str_copy(row->held_reason, row->held ? a->held_reason : "",
			 sizeof row->held_reason);
		row->total_due = row->held ? 0 : a->total_due;
		row->declared_differs = !row->held && a->differs;
		if (row->held || want_detail) {
			detail = assessment_to_json(a);
			if (!detail)
				e = KERR_NOMEM;
		}
		if (!e && !row->held)
			e = keep_basis(in, a, row);
	}
	if (!e && (detail || row->held)) {
		row->detail = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (!row->detail)
			e = KERR_NOMEM;
	}
	json_decref(detail);
	money_tables_release(t);
	free(in);
	if (e) {
		free(a);
		duty_assessment_row_free(row);
		return e;
	}
	*out = a;
	return KERR_OK;
}

kerr duties_assess(struct uow *u, struct declaration *d, bool refuse, struct refusal *why,
		   struct duty_assessment_row *out)
{
	struct store_conn *c;
	struct duty_assessment_row before = {0}, row;
	struct assessment *a = NULL;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	e = d->without_duty_assessment
		    ? KERR_NOT_FOUND
		    : repo_duty_assessment_get(c, d->row.number, d->row.version, &before);
	if (!e && !before.held) {
		if (out)
			*out = before;
		else
			duty_assessment_row_free(&before);
		return KERR_OK;
	}
	bool again = e == KERR_OK; /* held before: tried again */
	duty_assessment_row_free(&before);
	if (e && e != KERR_NOT_FOUND)
		return e;
	e = compute(u, d, refuse, why, out != NULL, &row, &a);
	if (e)
		return e;
	e = repo_duty_assessment_put(c, &row, d->without_duty_assessment);
	if (!e)
		d->without_duty_assessment = false;
	/* a held assessment tried again and still held is no news */
	if (!e && !(again && row.held))
		e = assessed_events(u, d, &row, a);
	free(a);
	if (!e && out)
		*out = row;
	else
		duty_assessment_row_free(&row);
	return e;
}

/* --- where the taxes stand --- */

/* Only what a bank confirmed is paid; a payment reported and not yet
 * answered is kept aside, and a refused one counts for nothing. */
static kerr add_payment(void *arg, const struct payment_row *p)
{
	struct duties_state *s = arg;
	if (p->status == PAYMENT_PAID)
		s->position.paid += p->amount;
	else if (p->status == PAYMENT_REPORTED) {
		s->awaiting_bank = true;
		s->awaiting = *p;
	}
	return KERR_OK;
}

/* The assessment of the current version as stored, or (not stored yet: a
 * declaration lodged before duties were assessed) computed now without
 * storing it, for readers that must not write. */
static kerr peek(struct uow *u, struct declaration *d, struct duty_assessment_row *out)
{
	struct store_conn *c;
	struct assessment *a = NULL;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_duty_assessment_get(c, d->row.number, d->row.version, out);
	if (e == KERR_NOT_FOUND && !(e = compute(u, d, false, NULL, true, out, &a)))
		free(a);
	return e;
}

kerr duties_explain(struct uow *u, struct declaration *d, struct duty_assessment_row *row)
{
	if (row->detail)
		return KERR_OK;
	if (!row->has_basis || row->version != d->row.version)
		return KERR_INTERNAL;
	struct assessment_basis *b = calloc(1, sizeof *b);
	struct assess_input *in = calloc(1, sizeof *in);
	struct assessment *a = calloc(1, sizeof *a);
	struct money_tables *t = NULL;
	struct problems p;
	problems_init(&p);
	kerr e = b && in && a ? KERR_OK : KERR_NOMEM;
	if (!e && (assessment_basis_parse(row->tariff_versions, row->certificates, b) ||
		   !kmonth_parse(row->rate_month, &b->rate_month) || !input_of(u, d, in))) {
		problems_add(&p, "", "the stored basis cannot be read");
		e = KERR_INTERNAL;
	}
	if (!e) {
		b->cny_per_unit = row->cny_per_unit;
		b->duty = row->duty;
		b->consumption_tax = row->consumption_tax;
		b->vat = row->vat;
		e = money_tables_get(u, &t);
	}
	if (!e)
		e = assessment_replay(in, t->tariff, b, a, &p);
	json_t *detail = e ? NULL : assessment_to_json(a);
	if (!e && !(row->detail = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS)
					 : NULL))
		e = KERR_NOMEM;
	if (e && e != KERR_NOMEM) {
		/* never shown otherwise than as it was assessed */
		log_error("duties: the assessment of %s version %lld cannot be computed again "
			  "from its basis (%s): %s",
			  row->number, (long long)row->version, row->tariff_versions,
			  p.count ? p.errors[0].problem : kerr_title(e));
		e = KERR_INTERNAL;
	}
	json_decref(detail);
	money_tables_release(t);
	free(a);
	free(in);
	free(b);
	return e;
}

kerr duties_state_load(struct uow *u, struct declaration *d, bool store,
		       struct duties_state *s)
{
	memset(s, 0, sizeof *s);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = store ? duties_assess(u, d, false, NULL, &s->assessment)
			  : peek(u, d, &s->assessment);
	if (!e)
		e = repo_payments_for(c, d->row.number, add_payment, s);
	if (!e) {
		e = repo_draw_get(c, d->row.number, &s->draw);
		s->has_draw = e == KERR_OK;
		s->drawn = s->has_draw && !s->draw.restored_at[0];
		e = e == KERR_NOT_FOUND ? KERR_OK : e;
	}
	s->position.due = s->assessment.held ? 0 : s->assessment.total_due;
	s->position.released = d->row.status == DECL_RELEASED;
	s->position.guaranteed = s->drawn ? s->draw.amount : 0;
	return e;
}

void duties_state_free(struct duties_state *s)
{
	duty_assessment_row_free(&s->assessment);
}

kerr duties_restore(struct uow *u, struct declaration *d, const char *now, const char *why)
{
	struct store_conn *c;
	struct guarantee_draw_row draw;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_draw_get(c, d->row.number, &draw);
	if (e == KERR_NOT_FOUND || (!e && draw.restored_at[0]))
		return KERR_OK;
	int64_t drawn_after = 0;
	if (!e)
		e = repo_guarantee_restore(c, draw.guarantee_id, draw.amount, &drawn_after);
	if (!e)
		e = repo_draw_restored(c, d->row.number, now);
	if (!e)
		e = uow_event(u, &actor_kouan, EVENT_GUARANTEE_RESTORED, d->row.number,
			      d->row.org_id, NULL, now,
			      json_pack("{s:s, s:o, s:o, s:s}", "guarantee", draw.guarantee,
					"amount", money_json(draw.amount), "drawn",
					money_json(drawn_after), "reason", why));
	return e;
}

/* --- guarantees and the release --- */

/* The guarantee a draw for the consignee's goods takes. */
struct chosen {
	const char *want; /* a guarantee number, or NULL: the best one */
	int32_t date;
	bool found;
	struct guarantee_row row;
	struct guarantee g;
	enum credit_class cls;
};

static bool row_guarantee(const struct guarantee_row *r, struct guarantee *g)
{
	memset(g, 0, sizeof *g);
	str_copy(g->number, r->number, sizeof g->number);
	g->ceiling = r->ceiling;
	g->drawn = r->drawn;
	return kdate_parse(r->valid_from, &g->valid_from) &&
	       kdate_parse(r->valid_until, &g->valid_until);
}

static bool in_force(const struct guarantee *g, int32_t date)
{
	return date >= g->valid_from && date <= g->valid_until;
}

/* The wanted guarantee; or, of the consignee's, the one in force with the
 * most left, and when none is in force the one that took effect last (its
 * dates say why it cannot be used). */
static kerr pick(void *arg, const struct guarantee_row *r)
{
	struct chosen *ch = arg;
	struct guarantee g;
	if (ch->want && strcmp(ch->want, r->number) != 0)
		return KERR_OK;
	if (!row_guarantee(r, &g))
		return KERR_STORE;
	bool better;
	if (!ch->found)
		better = true;
	else if (in_force(&g, ch->date) != in_force(&ch->g, ch->date))
		better = in_force(&g, ch->date);
	else if (in_force(&g, ch->date))
		better = guarantee_available(&g) > guarantee_available(&ch->g);
	else
		better = g.valid_from > ch->g.valid_from;
	if (better) {
		ch->row = *r;
		ch->g = g;
		ch->found = true;
	}
	return KERR_OK;
}

/* Find the guarantee (locking the consignee's guarantees first, where rows
 * are locked: the declaration's lock is already held). */
static kerr choose(struct uow *u, struct declaration *d, const char *want, struct chosen *ch)
{
	struct store_conn *c;
	int64_t org_id;
	char cls[STATUS_SIZE];
	memset(ch, 0, sizeof *ch);
	ch->want = want;
	ch->date = money_today(u);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_credit_get(c, d->row.consignee_uscc, &org_id, cls, sizeof cls);
	if (e == KERR_NOT_FOUND) /* a consignee without an account holds no guarantee */
		return KERR_OK;
	if (!e && !credit_class_parse(cls, &ch->cls))
		e = KERR_STORE;
	if (!e)
		e = repo_guarantees_lock(c, org_id);
	if (!e)
		e = repo_guarantees(c, org_id, pick, ch);
	return e;
}

/* Draw on the chosen guarantee (found, its row read under the lock). */
static kerr draw_chosen(struct uow *u, struct declaration *d, const struct chosen *chosen,
			int64_t amount, const char *now, struct guarantee_row *after,
			struct problems *p)
{
	const struct chosen ch = *chosen;
	struct store_conn *c;
	int64_t drawn_after;
	kerr e = uow_conn(u, &c);
	/* the rule, on the row as read under the lock; then the conditional
	 * UPDATE, which no concurrent draw can take past the ceiling */
	if (!e)
		e = guarantee_check_draw(&ch.g, ch.cls, ch.date, amount, p);
	if (!e)
		e = repo_guarantee_draw(c, ch.row.id, amount, &drawn_after);
	if (e == KERR_CONFLICT && !problems_any(p)) {
		char left[32], need[32];
		decimal_format(amount, 2, need, sizeof need);
		decimal_format(ch.row.ceiling - ch.row.drawn, 2, left, sizeof left);
		problems_add(p, "", "guarantee %s has %s CNY left; %s CNY is needed",
			     ch.row.number, left, need);
	}
	if (!e)
		e = repo_draw_insert(c, d->row.number, ch.row.id, amount, now);
	if (!e)
		e = uow_event(u, &actor_kouan, EVENT_GUARANTEE_DRAWN, d->row.number,
			      d->row.org_id, NULL, now,
			      json_pack("{s:s, s:o, s:o, s:o, s:o}", "guarantee", ch.row.number,
					"amount", money_json(amount), "drawn",
					money_json(drawn_after), "available",
					money_json(ch.row.ceiling - drawn_after), "ceiling",
					money_json(ch.row.ceiling)));
	if (!e && after) {
		*after = ch.row;
		after->drawn = drawn_after;
	}
	return e;
}

kerr duties_draw(struct uow *u, struct declaration *d, const char *guarantee, int64_t amount,
		 const char *now, struct guarantee_row *after, struct problems *p)
{
	struct chosen ch;
	kerr e = choose(u, d, guarantee, &ch);
	if (!e && !ch.found)
		return KERR_NOT_FOUND;
	return e ? e : draw_chosen(u, d, &ch, amount, now, after, p);
}

kerr duties_holds(struct uow *u, struct declaration *d, bool *held, char *reason,
		  size_t reason_size)
{
	*held = false;
	memset(&d->duties, 0, sizeof d->duties);
	if (!d->row.import) /* exports pay no duty or tax here */
		return KERR_OK;
	struct duties_state s;
	struct chosen ch = {0};
	kerr e = duties_state_load(u, d, true, &s);
	int64_t outstanding = s.position.due - s.position.paid;
	if (e) {
		/* nothing */
	} else if (s.assessment.held) {
		snprintf(reason, reason_size, "duties and taxes are not assessed yet: %s",
			 s.assessment.held_reason);
		*held = true;
	} else if (s.drawn && outstanding > s.draw.amount) {
		char due[32], secured[32];
		decimal_format(outstanding, 2, due, sizeof due);
		decimal_format(s.draw.amount, 2, secured, sizeof secured);
		snprintf(reason, reason_size,
			 "awaiting payment of %s CNY: guarantee %s secures %s CNY of it", due,
			 s.draw.guarantee, secured);
		*held = true;
	} else if (!s.drawn) {
		e = choose(u, d, NULL, &ch);
		if (!e && payment_release_condition(&s.position, ch.found ? &ch.g : NULL,
						    ch.cls, ch.date, reason,
						    reason_size) == RELEASE_MONEY_WAITING) {
			*held = true;
			char due[32];
			decimal_format(outstanding, 2, due, sizeof due);
			if (s.awaiting_bank) /* a payment is on its way: say so */
				snprintf(reason, reason_size,
					 "awaiting payment of %s CNY: payment %s is reported and "
					 "awaits its bank's confirmation",
					 due, s.awaiting.bank_reference);
		}
	}
	if (!e && !*held) {
		d->duties.checked = true;
		d->duties.drawn = s.drawn;
		d->duties.outstanding = outstanding;
		d->duties.found = ch.found;
		d->duties.guarantee = ch.row;
		d->duties.cls = ch.cls;
		d->duties.date = ch.date;
	}
	duties_state_free(&s);
	return e;
}

/* The release draws what is outstanding on the consignee's guarantee:
 * the one the check chose (ch), or, without it, the one chosen now. */
static kerr draw_at_release(struct uow *u, struct declaration *d, const struct chosen *ch,
			    int64_t outstanding, const char *now)
{
	struct problems p;
	problems_init(&p);
	kerr e = ch ? draw_chosen(u, d, ch, outstanding, now, NULL, &p)
		    : duties_draw(u, d, NULL, outstanding, now, NULL, &p);
	if (e)
		log_error("duties: %s released, but its guarantee cannot take %lld fen: %s",
			  d->row.number, (long long)outstanding,
			  p.count ? p.errors[0].problem : kerr_title(e));
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

kerr duties_released(struct uow *u, struct declaration *d, const char *now)
{
	if (!d->row.import)
		return KERR_OK;
	if (d->duties.checked) {
		/* what the check found a moment before (duties_holds), taken once */
		struct chosen ch = {.date = d->duties.date,
				    .found = d->duties.found,
				    .row = d->duties.guarantee,
				    .cls = d->duties.cls};
		int64_t outstanding = d->duties.outstanding;
		bool drawn = d->duties.drawn;
		memset(&d->duties, 0, sizeof d->duties);
		if (drawn || outstanding <= 0)
			return KERR_OK;
		bool chosen = ch.found && row_guarantee(&ch.row, &ch.g);
		return draw_at_release(u, d, chosen ? &ch : NULL, outstanding, now);
	}
	struct duties_state s;
	kerr e = duties_state_load(u, d, true, &s);
	int64_t outstanding = s.position.due - s.position.paid;
	/* the hold let the release through: the consignee's guarantee takes
	 * what is outstanding */
	if (!e && !s.assessment.held && !s.drawn && outstanding > 0)
		e = draw_at_release(u, d, NULL, outstanding, now);
	duties_state_free(&s);
	return e;
}

kerr duties_ended(struct uow *u, struct declaration *d, const char *now, const char *why)
{
	/* nothing is owed on goods that are not released: a guarantee drawn on
	 * request goes back */
	return duties_restore(u, d, now, why);
}
