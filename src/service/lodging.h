/*
 * lodging.h - the declarant's use cases: lodge a declaration, correct one
 * returned for correction, withdraw one. Each runs in the caller's unit of
 * work and writes the declaration, its tasks and its events; lodging and
 * correcting end with the risk assessment, which may clear tasks, order
 * the joint inspection or release the declaration at once.
 */
#ifndef KOUAN_LODGING_H
#define KOUAN_LODGING_H

#include "domain/declaration.h"
#include "service/clearance.h"
#include "service/service.h"

/* The number a lodging takes, sent ahead (repo_sequence_send) before the
 * Idempotency-Key is claimed, so that both come back in one round trip.
 * The request then lodges with it (lodging_lodge takes it), or gives it
 * back when the key is a replay (lodging_number_give_back: numbers have
 * no gaps), or drops it when its transaction is rolled back. The
 * lodgement's time is the time the number was sent for. */
struct lodging_number {
	struct sequence_ahead seq;
	int64_t at_us;
	bool sent;
};
void lodging_number_send(struct uow *u, const struct declaration_facts *f,
			 struct lodging_number *n);
KOUAN_MUST_USE kerr lodging_number_give_back(struct uow *u, struct lodging_number *n);
void lodging_number_drop(struct lodging_number *n);

/* Lodge a validated declaration (facts taken: *f is emptied, its contents
 * move into *out) for the actor's organisation, received at received_us,
 * with the number sent ahead for it (n; NULL or not sent: taken here).
 * Refused with KERR_INVALID (field /declarant_uscc) when the declarant is
 * not the actor's organisation, KERR_CONFLICT when the office has used
 * every number of the year. *out is the declaration as lodged and
 * assessed. */
KOUAN_MUST_USE kerr lodging_lodge(struct uow *u, const struct actor *a,
				  struct declaration_facts *f, int64_t received_us,
				  struct lodging_number *n, struct declaration *out,
				  struct refusal *why);

/* Replace declaration `number` (returned for correction) with a validated
 * body: the version is kept, tasks reopen where what they act on changed,
 * new agencies get tasks, ones no longer needed are closed, and the
 * declaration is assessed again. Refused: KERR_NOT_FOUND (not visible),
 * KERR_CONFLICT (not returned), KERR_INVALID (office or direction changed,
 * or another organisation's USCC). */
KOUAN_MUST_USE kerr lodging_correct(struct uow *u, const struct actor *a, const char *number,
				    struct declaration_facts *f, struct declaration *out,
				    struct refusal *why);

/* Withdraw declaration `number` (reason may be NULL): pending tasks close,
 * the joint inspection ends. Refused: KERR_NOT_FOUND, KERR_CONFLICT (final). */
KOUAN_MUST_USE kerr lodging_withdraw(struct uow *u, const struct actor *a, const char *number,
				     const char *reason, struct declaration *out,
				     struct refusal *why);

#endif
