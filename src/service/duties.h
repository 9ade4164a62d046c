/*
 * duties.h - a declaration's duties and taxes in its life: the assessment
 * of each version (on acceptance, and again after a correction or when the
 * missing tables arrive), what the declaration owes and has paid, and the
 * money part of its release: release waits until the duties of an import
 * are paid, nothing is due, or a general guarantee of the consignee takes
 * them; at release the guarantee is drawn; payment restores it.
 *
 * The rules are the domain's (assessment.h, payment.h); this file applies
 * them in the caller's unit of work and keeps what they decided. It sits
 * below clearance: release_holds.c calls it while settling, so nothing here
 * settles or releases a declaration (the use cases that lift a hold, in
 * taxes.c, call clearance_settle themselves).
 */
#ifndef KOUAN_DUTIES_H
#define KOUAN_DUTIES_H

#include <stdbool.h>

#include "domain/payment.h"
#include "service/declaration_state.h"
#include "service/service.h"
#include "store/repo_money.h"

/* Assess the declaration's current version, unless it is assessed already
 * (a held assessment is tried again): stores the assessment, assessed or
 * held with the reason (a missing exchange rate or tariff line: nothing is
 * guessed), with duties.assessed on the timeline, and
 * duties.declared_differs when the declarant's own figures differ. A
 * declaration that cannot be assessed as declared (a quantity in another
 * unit than a specific rate's, an amount out of range) is refused with
 * KERR_INVALID and its fields in *why when `refuse` holds (at acceptance),
 * and otherwise held with the first problem as the reason. *out (may be
 * NULL) gets the stored row; free it with duty_assessment_row_free. */
KOUAN_MUST_USE kerr duties_assess(struct uow *u, struct declaration *d, bool refuse,
				  struct refusal *why, struct duty_assessment_row *out);

/* Where the declaration's taxes stand. */
struct duties_state {
	struct duty_assessment_row assessment; /* current version; owned */
	struct tax_position position;          /* due, paid, released, guaranteed */
	bool drawn;                            /* a guarantee draw not restored */
	struct guarantee_draw_row draw;        /* the draw, restored or not */
	bool has_draw;
	bool awaiting_bank;                    /* a payment reported, not answered */
	struct payment_row awaiting;           /* that payment */
};

/* Fill row->detail (the assessment's explanation, every step) when the
 * row was read as its basis: computed again from d (the version the row
 * assessed) and the tables the basis names, and checked against the
 * stored amounts. KERR_INTERNAL, logged, when it cannot be reproduced: an
 * assessment is never shown with other figures than it was made with. */
KOUAN_MUST_USE kerr duties_explain(struct uow *u, struct declaration *d,
				   struct duty_assessment_row *row);

/* Load it. With `store` (a writing unit), the current version is assessed
 * first when it has no assessment (a declaration lodged before duties were
 * assessed); without, such an assessment is computed for reading and not
 * kept. The assessment's detail is NULL when it was read as its basis
 * (duties_explain fills it). Free with duties_state_free, whatever it
 * returns. */
KOUAN_MUST_USE kerr duties_state_load(struct uow *u, struct declaration *d, bool store,
				      struct duties_state *out);
void duties_state_free(struct duties_state *s);

/* Give a declaration's guarantee draw back (a payment was recorded):
 * guarantee.restored on the timeline. Nothing when it drew nothing or was
 * restored already. */
KOUAN_MUST_USE kerr duties_restore(struct uow *u, struct declaration *d, const char *now,
				   const char *why);

/* Draw `amount` on guarantee `guarantee` of d's consignee (NULL: the one
 * the release would use: in force, the most left) for d: the credit class,
 * the validity and what is left are checked on the row as locked (the
 * problem, at "", says what stops it), then one conditional UPDATE draws,
 * which never passes the ceiling whatever runs at the same time; the draw
 * is kept with guarantee.drawn. KERR_NOT_FOUND when the consignee holds no
 * such guarantee; KERR_CONFLICT when it cannot take the amount; *after
 * (may be NULL) is the guarantee after. */
KOUAN_MUST_USE kerr duties_draw(struct uow *u, struct declaration *d, const char *guarantee,
				int64_t amount, const char *now, struct guarantee_row *after,
				struct problems *p);

/* The release_holds.c row ("payment"): does money hold the release of d,
 * whose tasks are all cleared? An import waits while its assessment is
 * held, and while an amount is outstanding that no guarantee of the
 * consignee can take (reason: what is missing). The consignee's guarantee
 * rows stay locked until the release draws on them. */
KOUAN_MUST_USE kerr duties_holds(struct uow *u, struct declaration *d, bool *held,
				 char *reason, size_t reason_size);
/* At release: draw what is outstanding on the guarantee (one conditional
 * UPDATE that never passes the ceiling), guarantee.drawn. */
KOUAN_MUST_USE kerr duties_released(struct uow *u, struct declaration *d, const char *now);

/* The declaration ended without release (rejected or withdrawn): a
 * guarantee drawn on request is restored (guarantee.restored, `why`). */
KOUAN_MUST_USE kerr duties_ended(struct uow *u, struct declaration *d, const char *now,
				 const char *why);

#endif
