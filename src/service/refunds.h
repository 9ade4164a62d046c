/*
 * refunds.h - the export tax refund (出口退税): the exporter applies
 * against a released export whose conveyance has departed; the
 * application is checked against customs' electronic data (the
 * declaration, its assessment's FOB values in CNY, the departure) by the
 * domain's rules (refund.h); the tax office approves or rejects it; the
 * exporter follows its status.
 *
 * The departure comes from the transport side: the actual departure
 * recorded on the call the declaration's consignment travels on. For a
 * mode whose conveyances kouan does not follow, a departure recorded for
 * the declaration itself (refunds_departure_record) stands instead.
 */
#ifndef KOUAN_REFUNDS_H
#define KOUAN_REFUNDS_H

#include "domain/refund.h"
#include "service/clearance.h"
#include "store/repo_money.h"

/* Has the conveyance carrying export declaration `number`'s goods departed,
 * and when (*when_us)? The call of its consignment answers (its departure,
 * conveyance.departed, docs/transport.md); else a departure recorded by
 * refunds_departure_record. */
KOUAN_MUST_USE kerr refund_departed(struct uow *u, const char *number, bool *departed,
				    int64_t *when_us);

/* Record that the goods of export declaration `number` left at
 * `departed_at_us`, for a transport mode whose conveyances kouan does not
 * follow (rail, mail): what a refund then rests on. The actor must see
 * the declaration (the port operator of its port once released, customs):
 * KERR_NOT_FOUND otherwise, as when there is no such number. KERR_CONFLICT
 * for an import, a followed mode, goods not released, or a departure
 * recorded before at another time; KERR_INVALID for a time in the future
 * or before the release (why says which). The same departure again is
 * answered with the record, *created false. */
KOUAN_MUST_USE kerr refunds_departure_record(struct uow *u, const struct actor *a,
					     const char *number, int64_t departed_at_us,
					     struct departure_row *out, bool *created,
					     struct refusal *why);

/* The departure recorded for declaration `number`, read by whoever may
 * see the declaration. KERR_NOT_FOUND when there is no such declaration,
 * the actor may not see it, or no departure is recorded (why says so). */
KOUAN_MUST_USE kerr refunds_departure_get(struct uow *u, const struct actor *a,
					  const char *number, struct departure_row *out,
					  struct refusal *why);

/* An application as stored (texts owned: refund_record_free). */
struct refund_record {
	int64_t id;
	char number[DECL_NUMBER_SIZE];
	char org_uscc[USCC_SIZE];
	char status[STATUS_SIZE];  /* applied, approved, rejected */
	char verdict[STATUS_SIZE]; /* matches, mismatch */
	int64_t total;             /* fen */
	char *claim;               /* JSON: the application */
	char *result;              /* JSON: the check, item by item */
	char *reasons;             /* JSON: [{field, problem}] differences */
	char applied_by[USERNAME_SIZE];
	char applied_at[TIME_TEXT_SIZE];
	char decided_by[USERNAME_SIZE];    /* "" until decided */
	char decided_at[TIME_TEXT_SIZE];   /* "" until decided */
	char decision_reason[REASON_SIZE]; /* "" when none */
};
void refund_record_free(struct refund_record *r);

/* Apply (the exporter: the declaring organisation or the consignee of the
 * export). Refused with KERR_CONFLICT and every reason in why's fields
 * (an import, not released, not departed, a refund approved already, an
 * application under way), nothing recorded; KERR_INVALID on
 * /declaration_number when the actor has no such declaration. Otherwise
 * recorded as applied, matching or not (each difference a reason), with
 * refund.applied. */
KOUAN_MUST_USE kerr refunds_apply(struct uow *u, const struct actor *a,
				  const struct refund_application *app,
				  struct refund_record *out, struct refusal *why);

/* One application: the exporter's own, or any for the tax office,
 * analysts and admins (KERR_NOT_FOUND otherwise). */
KOUAN_MUST_USE kerr refunds_get(struct uow *u, const struct actor *a, int64_t id,
				struct refund_record *out);

/* Applications, newest first, as the actor may see them; status may be
 * NULL. */
KOUAN_MUST_USE kerr refunds_list(struct uow *u, const struct actor *a, const char *status,
				 int limit, refund_fn fn, void *arg);

/* The tax office decides an application under way: approve (only one
 * that matches customs' data: KERR_CONFLICT on /decision otherwise) or
 * reject (a reason required: KERR_INVALID on /reason). KERR_CONFLICT when
 * decided already. refund.approved or refund.rejected. */
KOUAN_MUST_USE kerr refunds_decide(struct uow *u, const struct actor *a, int64_t id,
				   bool approve, const char *reason, struct refund_record *out,
				   struct refusal *why);

#endif
