/*
 * lodging.c - lodging, correcting and withdrawing declarations (see
 * lodging.h).
 *
 * Lodging, in one unit of work: the next number of the office's sequence
 * (a rollback gives it back: repo_sequence_next), the declaration, declaration.lodged
 * and declaration.accepted, one open task and task.opened per agency, then
 * the assessment and its lanes.
 */
#include "service/lodging.h"

#include <string.h>

#include "common/buf.h"
#include "domain/consistency.h"
#include "service/consignments.h"
#include "service/duties.h"
#include "service/joint_inspection.h"
#include "service/mandates.h"
#include "service/release_holds.h"
#include "service/risk_apply.h"

/* Is the declarant the actor's own organisation? */
static bool own_declarant(const struct actor *a, const struct declaration_facts *f,
			  struct refusal *why)
{
	if (strcmp(f->declarant_uscc, a->org_uscc) == 0)
		return true;
	refusal_say(why, "the declaration has fields that are not valid");
	refusal_field(why, "/declarant_uscc", "must be the USCC of your organisation (%s)",
		      a->org_uscc);
	return false;
}

static json_t *agency_list(const struct refdata *ref, agency_set set)
{
	json_t *a = json_array();
	for (size_t k = 0; k < ref->nagencies; k++)
		if (set & (1u << k))
			json_array_append_new(a, json_string(ref->agencies[k].code));
	return a;
}

/* Move the facts into the declaration (which then owns them). */
static void take_facts(struct declaration *d, struct declaration_facts *f)
{
	if (d->has_facts)
		declaration_facts_free(&d->facts);
	d->facts = *f;
	d->has_facts = true;
	memset(f, 0, sizeof *f);
}

/* The risk assessment's reads, sent ahead (risk_inputs_send). */
struct risk_send {
	struct uow *u;
	struct declaration *d;
	struct risk_ahead *ahead;
};

static void send_risk_inputs(void *arg)
{
	struct risk_send *s = arg;
	risk_inputs_send(s->u, s->d, &s->d->facts, s->ahead);
}

/*
 * What follows acceptance (lodged, or corrected back to accepted), in
 * order, in the same unit of work; a step may refuse the whole lodging or
 * correction (why says so). The parts of a shipment that act on a
 * declaration when it is accepted add their step here: matching it with
 * its manifest line, assessing its duties. The risk assessment comes last:
 * its lanes may clear tasks, order the inspection or release the
 * declaration at once, and what a release waits for must be known by then.
 */
static kerr accepted_steps(struct uow *u, const struct actor *a, struct declaration *d,
			   bool corrected, struct refusal *why)
{
	(void)a;
	/* the risk assessment's reads go with the consignment's claims, sent
	 * right after them (a correction's claims were read in
	 * lodging_correct) */
	struct risk_ahead risk = {0};
	struct risk_send send = {u, d, &risk};
	struct claims_read_hook then = {send_risk_inputs, &send};
	if (corrected)
		send_risk_inputs(&send);
	/* one consignment, one release; the match with the manifest line (a
	 * correction claims and matches before its tasks are settled,
	 * whatever status it ends in: lodging_correct) */
	kerr e = corrected ? KERR_OK : consignments_accept(u, d, NULL, why, &then);
	/* duties and taxes, refusing what cannot be assessed as declared; a
	 * missing rate or tariff line holds the assessment instead */
	if (!e)
		e = duties_assess(u, d, true, why, NULL);
	if (!e)
		e = risk_assess_and_apply(u, d, &d->facts, &risk);
	risk_inputs_drop(&risk);
	return e;
}

void lodging_number_send(struct uow *u, const struct declaration_facts *f,
			 struct lodging_number *n)
{
	memset(n, 0, sizeof *n);
	n->at_us = uow_now_us(u);
	/* the body's stored form, made before the transaction begins */
	if (!u->begun)
		repo_decl_body_ahead(f->canonical);
	struct store_conn *c;
	if (uow_conn(u, &c))
		return; /* not sent: lodging_lodge meets the same failure */
	repo_sequence_send(c, f->declaration_office, ktime_year(n->at_us), f->import, &n->seq);
	n->sent = true;
}

kerr lodging_number_give_back(struct uow *u, struct lodging_number *n)
{
	struct store_conn *c;
	kerr e = n->sent ? uow_conn(u, &c) : KERR_OK;
	if (!e && n->sent)
		e = repo_sequence_give_back(c, &n->seq);
	lodging_number_drop(n);
	return e;
}

void lodging_number_drop(struct lodging_number *n)
{
	if (n->sent)
		repo_sequence_drop(&n->seq);
	n->sent = false;
}

kerr lodging_lodge(struct uow *u, const struct actor *a, struct declaration_facts *f,
		   int64_t received_us, struct lodging_number *n, struct declaration *d,
		   struct refusal *why)
{
	memset(d, 0, sizeof *d);
	const struct refdata *ref = uow_refdata(u);
	kerr e = own_declarant(a, f, why) ? mandates_cover(u, a, f->consignee_uscc, f->import, why)
					  : KERR_INVALID;
	struct lodging_number here;
	if (!e && (!n || !n->sent)) {
		lodging_number_send(u, f, &here);
		n = &here;
	}
	struct store_conn *c;
	if (!e)
		e = uow_conn(u, &c);
	int64_t seq;
	if (!e)
		e = repo_sequence_take(c, &n->seq, &seq);
	if (n)
		lodging_number_drop(n);
	if (e)
		return e;
	char received[TIME_TEXT_SIZE], now[TIME_TEXT_SIZE];
	ktime_format(received_us, received);
	int64_t now_us = n->at_us;
	ktime_format(now_us, now);
	if (!declaration_number_format(f->declaration_office, ktime_year(now_us), f->import,
				       seq, d->row.number)) {
		refusal_say(why, "the office has used every declaration number for this year");
		return KERR_CONFLICT;
	}
	d->row.org_id = a->org_id;
	d->row.lodged_by = a->user_id;
	d->row.status = DECL_ACCEPTED;
	d->row.import = f->import;
	str_copy(d->row.declaration_office, f->declaration_office,
		 sizeof d->row.declaration_office);
	str_copy(d->row.port_office, f->port_office, sizeof d->row.port_office);
	str_copy(d->row.bill_of_lading, f->bill_of_lading, sizeof d->row.bill_of_lading);
	str_copy(d->row.consignee_uscc, f->consignee_uscc, sizeof d->row.consignee_uscc);
	str_copy(d->row.port, f->port, sizeof d->row.port);
	d->row.version = 1;
	d->row.body = f->canonical; /* the row owns the canonical text now */
	f->canonical = NULL;
	str_copy(d->row.lodged_at, received, sizeof d->row.lodged_at);
	str_copy(d->row.updated_at, now, sizeof d->row.updated_at);
	agency_set agencies = f->agencies;
	take_facts(d, f);
	e = repo_decl_insert(c, &d->row);
	d->stored_as_row = true;
	d->without_duty_assessment = true;
	d->without_risk_assessment = true;
	d->without_inspection = true;
	d->tasks_unstored = true;
	if (!e)
		e = uow_event(u, a, EVENT_DECLARATION_LODGED, d->row.number, d->row.org_id, NULL,
			      received, json_pack("{s:b}", "advance", d->facts.advance));
	if (!e)
		e = uow_event(u, a, EVENT_DECLARATION_ACCEPTED, d->row.number, d->row.org_id,
			      NULL, now,
			      json_pack("{s:I, s:o}", "version", (json_int_t)1, "agencies",
					agency_list(ref, agencies)));
	for (size_t k = 0; !e && k < ref->nagencies; k++) {
		if (!(agencies & (1u << k)))
			continue;
		struct task_row *t = &d->tasks[d->ntasks++];
		memset(t, 0, sizeof *t);
		str_copy(t->agency, ref->agencies[k].code, sizeof t->agency);
		t->status = TASK_OPEN;
		str_copy(t->basis_digest, d->facts.basis[k], sizeof t->basis_digest);
		str_copy(t->opened_at, now, sizeof t->opened_at);
		e = uow_event(u, a, EVENT_TASK_OPENED, d->row.number, d->row.org_id, t->agency,
			      now, NULL);
	}
	if (!e)
		e = accepted_steps(u, a, d, false, why);
	return e ? e : clearance_store_tasks(u, d);
}

/* Apply the correction's consequences to one agency's task. */
static kerr correct_task(struct uow *u, const struct actor *a, struct declaration *d,
			 size_t k, bool needed, const char *digest, const char *now,
			 struct refusal *why)
{
	const struct refdata *ref = uow_refdata(u);
	const char *agency = ref->agencies[k].code;
	struct task_row *t = clearance_task(d, agency);
	const char *because;
	bool changed = t && strcmp(t->basis_digest, digest) != 0;
	enum correction_step step = workflow_correction_step(
		needed, t != NULL, t ? t->status : TASK_CLOSED, changed, &because);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	switch (step) {
	case CORRECTION_KEEP:
		return KERR_OK;
	case CORRECTION_REFUSE:
		refusal_say(why, "the correction would take %s off the declaration, but %s %s",
			    agency, agency, because);
		return KERR_CONFLICT;
	case CORRECTION_OPEN:
		if (d->ntasks >= TASKS_MAX)
			return KERR_INTERNAL;
		t = &d->tasks[d->ntasks++];
		memset(t, 0, sizeof *t);
		str_copy(t->agency, agency, sizeof t->agency);
		t->status = TASK_OPEN;
		str_copy(t->opened_at, now, sizeof t->opened_at);
		str_copy(t->basis_digest, digest, sizeof t->basis_digest);
		e = repo_task_insert(c, d->row.number, t);
		return e ? e
			 : uow_event(u, a, EVENT_TASK_OPENED, d->row.number, d->row.org_id,
				     agency, now, NULL);
	case CORRECTION_REOPEN:
		str_copy(t->basis_digest, digest, sizeof t->basis_digest);
		str_copy(t->opened_at, now, sizeof t->opened_at);
		t->decided = false;
		t->decided_at[0] = t->decided_by[0] = t->reason[0] = '\0';
		e = clearance_set_task(u, d, t, TASK_OPEN);
		return e ? e
			 : uow_event(u, a, EVENT_TASK_REOPENED, d->row.number, d->row.org_id,
				     agency, now,
				     json_pack("{s:I, s:s}", "version", (json_int_t)d->row.version,
					       "because", because));
	case CORRECTION_REBASE:
		str_copy(t->basis_digest, digest, sizeof t->basis_digest);
		return repo_task_set(c, d->row.number, t);
	case CORRECTION_CLOSE:
		e = clearance_set_task(u, d, t, TASK_CLOSED);
		if (!e)
			e = uow_event(u, a, EVENT_TASK_CLOSED, d->row.number, d->row.org_id, agency,
				      now, json_pack("{s:s}", "reason", because));
		/* its part in the joint inspection ends with it */
		return e ? e
			 : joint_inspection_agency_dropped(u, d->row.number, agency, now,
							   because);
	}
	return KERR_INTERNAL;
}

kerr lodging_correct(struct uow *u, const struct actor *a, const char *number,
		     struct declaration_facts *f, struct declaration *d, struct refusal *why)
{
	memset(d, 0, sizeof *d);
	if (!own_declarant(a, f, why))
		return KERR_INVALID;
	/* the calls it touches are locked before the declaration */
	kerr e = declaration_number_valid(number) ? consignments_lock_for_correction(u, number, f)
						  : KERR_OK;
	if (!e)
		e = clearance_load(u, a, number, true, d);
	if (!e && d->row.org_id != a->org_id)
		e = KERR_NOT_FOUND; /* the consignee reads it; only the declarant corrects */
	if (!e)
		e = mandates_cover(u, a, f->consignee_uscc, f->import, why);
	if (e)
		return e;
	const char *refused;
	if (!workflow_can_correct(d->row.status, &refused)) {
		refusal_say(why, "%s", refused);
		return KERR_CONFLICT;
	}
	bool fixed_changed = false;
	if (strcmp(f->declaration_office, d->row.declaration_office) != 0) {
		refusal_field(why, "/declaration_office",
			      "cannot change on a correction (it is part of the number %s); "
			      "withdraw and lodge anew",
			      d->row.number);
		fixed_changed = true;
	}
	if (f->import != d->row.import) {
		refusal_field(why, "/direction",
			      "cannot change on a correction; withdraw and lodge anew");
		fixed_changed = true;
	}
	if (fixed_changed) {
		refusal_say(why, "the correction changes fields that are fixed");
		return KERR_INVALID;
	}
	/* a correction identical to the current version is a no-op, not a
	 * new version */
	struct problems same;
	problems_init(&same);
	if (!consistency_check_correction(d->row.body, f->canonical, &same)) {
		refusal_say(why, "the correction changes nothing");
		refusal_field(why, same.errors[0].field, "%s", same.errors[0].problem);
		return KERR_CONFLICT;
	}
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	e = uow_conn(u, &c);
	if (!e)
		e = repo_decl_version_keep(c, d->row.number, d->row.version, d->row.body, now);
	if (e)
		return e;
	/* the corrected body is the declaration now */
	decl_row_free(&d->row);
	d->row.body = f->canonical;
	f->canonical = NULL;
	d->row.version++;
	char consignee_before[sizeof d->row.consignee_uscc];
	str_copy(consignee_before, d->row.consignee_uscc, sizeof consignee_before);
	str_copy(d->row.bill_of_lading, f->bill_of_lading, sizeof d->row.bill_of_lading);
	str_copy(d->row.consignee_uscc, f->consignee_uscc, sizeof d->row.consignee_uscc);
	str_copy(d->row.port, f->port, sizeof d->row.port);
	str_copy(d->row.updated_at, now, sizeof d->row.updated_at);
	e = repo_decl_replace_body(c, &d->row, consignee_before);
	if (!e)
		e = uow_event(u, a, EVENT_DECLARATION_CORRECTED, d->row.number, d->row.org_id,
			      NULL, now,
			      json_pack("{s:I}", "version", (json_int_t)d->row.version));
	if (e)
		return e;
	char basis[REF_MAX_AGENCIES][DIGEST_HEX];
	memcpy(basis, f->basis, sizeof basis);
	agency_set agencies = f->agencies;
	take_facts(d, f);
	/* the corrected consignment is claimed and matched anew, before the
	 * settlement asks whether anything holds the release */
	e = consignments_accept(u, d, now, why, NULL);
	/* tasks: reopen what the correction affects, open new ones, close the
	 * ones no longer required */
	const struct refdata *ref = uow_refdata(u);
	for (size_t k = 0; !e && k < ref->nagencies; k++)
		e = correct_task(u, a, d, k, agencies & (1u << k), basis[k], now, why);
	if (!e)
		e = clearance_settle(u, d, now);
	/* the corrected version goes through the steps again; lanes apply to
	 * open tasks */
	if (!e && d->row.status == DECL_ACCEPTED)
		e = accepted_steps(u, a, d, true, why);
	return e;
}

kerr lodging_withdraw(struct uow *u, const struct actor *a, const char *number,
		      const char *reason, struct declaration *d, struct refusal *why)
{
	memset(d, 0, sizeof *d);
	kerr e = clearance_load(u, a, number, true, d);
	if (!e && d->row.org_id != a->org_id)
		e = KERR_NOT_FOUND; /* the consignee reads it; only the declarant withdraws */
	if (e)
		return e;
	const char *refused;
	if (!workflow_can_withdraw(d->row.status, &refused)) {
		refusal_say(why, "%s", refused);
		return KERR_CONFLICT;
	}
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	e = uow_conn(u, &c);
	if (!e)
		e = clearance_close_pending(u, d, now, "the declaration was withdrawn");
	if (!e)
		e = release_holds_ended(u, d, now, "the declaration was withdrawn");
	if (!e)
		e = uow_event(u, a, EVENT_DECLARATION_WITHDRAWN, d->row.number, d->row.org_id,
			      NULL, now, reason ? json_pack("{s:s}", "reason", reason) : NULL);
	d->row.status = DECL_WITHDRAWN;
	str_copy(d->row.updated_at, now, sizeof d->row.updated_at);
	if (!e)
		e = repo_decl_withdraw(c, &d->row, now);
	return e;
}
