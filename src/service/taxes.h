/*
 * taxes.h - the use cases of duties and taxes: reading a declaration's
 * assessment and where its taxes stand, paying them, securing them with a
 * general guarantee, registering guarantees, and loading the tariff and
 * the exchange rates (which reassesses the declarations that waited for
 * them).
 *
 * Each use case that can lift the money hold on a release (a payment, a
 * guarantee, the missing rate) settles the declarations concerned again
 * through clearance_settle, so release follows at once when nothing else
 * holds it.
 */
#ifndef KOUAN_TAXES_H
#define KOUAN_TAXES_H

#include <jansson.h>

#include "domain/payment.h"
#include "service/clearance.h"
#include "service/duties.h"
#include "service/money_tables.h"

/* Declaration `number` with its taxes, for someone who may read them: the
 * declarant's organisation or the consignee, customs, analysts, admins
 * (KERR_NOT_FOUND otherwise, as for a number that does not exist). Each
 * payment is handed to fn (may be NULL). Free d and s whatever it returns. */
KOUAN_MUST_USE kerr taxes_show(struct uow *u, const struct actor *a, const char *number,
			       struct declaration *d, struct duties_state *s, payment_fn fn,
			       void *arg);

/* What a payment did. */
struct taxes_paid {
	struct payment_row payment;
	bool replayed; /* the same payment again: nothing changed */
	enum declaration_status status; /* the declaration's, after */
	int64_t overpaid; /* a bank's payment beyond what is owed now, fen */
};

/* Report the payment order of a declaration's duties and taxes, by its
 * declarant or consignee: the bank that holds the account, the bank
 * reference, the amount. It counts for nothing until the bank answers
 * (taxes_answer). The amount must be exactly what is outstanding
 * (KERR_INVALID on /amount, naming both); the bank must be one kouan knows
 * (KERR_INVALID on /bank). The same order again (reference, declaration,
 * amount, bank) is the same payment (out->replayed), as it stands now; any
 * other use of the reference is KERR_CONFLICT on /bank_reference.
 * KERR_CONFLICT when nothing can be paid (nothing due, paid already,
 * assessment held, released with nothing outstanding, withdrawn or
 * rejected) or another payment awaits its bank. */
KOUAN_MUST_USE kerr taxes_pay(struct uow *u, const struct actor *a, const char *number,
			      const struct payment *pay, struct taxes_paid *out,
			      struct refusal *why);

/* The bank's answer to the payment with this reference, by a user of the
 * bank it was reported to (KERR_NOT_FOUND for anyone else, as for no such
 * payment). Paid: the amount must be the order's (KERR_INVALID on
 * /amount), paid_at neither in the future nor before the lodging
 * (/paid_at); the payment then counts (duties.paid), gives back the
 * guarantee the release drew on, and settles the declaration (which may
 * release it). Refused: kept with the bank's reason
 * (duties.payment_refused); the declarant may order again. The same answer
 * again is out->replayed; another answer to an answered payment is
 * KERR_CONFLICT. */
KOUAN_MUST_USE kerr taxes_answer(struct uow *u, const struct actor *a, const char *reference,
				 const struct payment_answer *ans, struct taxes_paid *out,
				 struct refusal *why);

/* The payments reported to the actor's bank, after id `after`, oldest
 * first, at most `limit`; only those of `status` when not NULL. */
KOUAN_MUST_USE kerr taxes_bank_payments(struct uow *u, const struct actor *a,
					const char *status, int64_t after, int limit,
					payment_fn fn, void *arg);

/* The banks kouan knows (organisations of kind bank), for a payer to
 * choose its own. */
KOUAN_MUST_USE kerr taxes_banks(struct uow *u, org_row_fn fn, void *arg);

/* Secure what a declaration owes with a general guarantee of its
 * consignee (number `guarantee`), now: the amount outstanding is drawn
 * (never beyond the ceiling), guarantee.drawn, and the declaration is
 * settled (which may release it). Refused: KERR_INVALID on /guarantee
 * (not the consignee's), KERR_CONFLICT with the reason (credit class not
 * allowed, out of validity, not enough left, nothing outstanding, held,
 * secured already, final). *drawn gets the guarantee as it is after. */
KOUAN_MUST_USE kerr taxes_guarantee(struct uow *u, const struct actor *a, const char *number,
				    const char *guarantee, struct guarantee_row *drawn,
				    enum declaration_status *status, struct refusal *why);

/* Register a general guarantee for the organisation `uscc` (customs or an
 * admin). Refused: KERR_INVALID on /organisation (no such organisation),
 * KERR_CONFLICT on /organisation (its credit class may not use one) or
 * /number (taken). Declarations of that consignee waiting for payment are
 * settled again (the guarantee may take them). Audited. */
KOUAN_MUST_USE kerr taxes_guarantee_register(struct uow *u, const struct actor *a,
					     const char *uscc, const struct guarantee *g,
					     struct guarantee_row *out, struct refusal *why);

/* Guarantees as the actor may see them: a declarant its organisation's;
 * customs, analysts and admins every one. */
KOUAN_MUST_USE kerr taxes_guarantees(struct uow *u, const struct actor *a, guarantee_fn fn,
				     void *arg);
/* One guarantee (KERR_NOT_FOUND also when not the declarant's own). */
KOUAN_MUST_USE kerr taxes_guarantee_get(struct uow *u, const struct actor *a,
					const char *number, struct guarantee_row *out);

/* Load a tariff version or exchange rates (money_tables.h), then assess
 * again every declaration whose assessment was held and settle those that
 * were waiting only for it. *reassessed counts the declarations assessed
 * now. */
KOUAN_MUST_USE kerr taxes_load_tariff(struct uow *u, const struct actor *a, const json_t *doc,
				      struct money_loaded *out, size_t *reassessed,
				      struct refusal *why);
KOUAN_MUST_USE kerr taxes_load_rates(struct uow *u, const struct actor *a, const json_t *doc,
				     struct money_loaded *out, size_t *reassessed,
				     struct refusal *why);

#endif
