/*
 * consignments.h - what a declaration claims on the transport side, and
 * its match with the manifest (舱单比对): one consignment, one release.
 *
 * A declaration's consignment is its bill of lading (or one declared part
 * of it) and its containers on its call. At acceptance (lodging, or a
 * correction back to accepted) the declaration claims it: a bill, or a
 * part of a split bill, is held by one live declaration at a time
 * (accepted, returned or released), and a container by the declarations
 * of one bill, unless the manifest shows it carrying several (a
 * consolidated container). The claim is taken under the bill's lock, so
 * two servers claiming at once take turns and the second is refused naming
 * the first; it is a row under a unique index too, which a claim made
 * without the lock would break (its transaction is lost). A withdrawal or
 * rejection frees it.
 *
 * A declaration by a mode that has manifests (the transport modes with
 * conveyance agencies: water, road, air) is matched with the line of its
 * bill on its call's original manifest (imports) or pre-loading manifest
 * (exports): matched at once when the line is there (a line that differs
 * refuses the lodging); when the call has no such manifest yet, accepted
 * and worked, its release held ("manifest", see release_holds.c) until the
 * line arrives and matches; when the manifest is there without the bill,
 * refused as an unknown bill unless the declaration is an advance one
 * ("advance": true), which waits for the carrier's amendment.
 *
 * Everything here runs in the caller's unit of work, after the call's lock
 * (calls_lock_claim, which consignments_accept takes) and before the risk
 * assessment.
 */
#ifndef KOUAN_CONSIGNMENTS_H
#define KOUAN_CONSIGNMENTS_H

#include "domain/matching.h"
#include "service/declaration_state.h"
#include "service/service.h"
#include "store/repo_transport.h"

/* Does a declaration of this transport mode wait for a manifest line? */
bool consignments_mode_has_manifests(const struct refdata *ref, const char *mode);

/* Before a correction locks its declaration: lock the calls it touches
 * (the declaration's current call and the corrected one), in key order, so
 * that a call's lock always comes before a declaration's. */
KOUAN_MUST_USE kerr consignments_lock_for_correction(struct uow *u, const char *number,
						     const struct declaration_facts *f);

/* What the caller sends ahead (store_ahead_send) right after the read of
 * the consignment's claims, under the bill's lock: a read that must see
 * every claim and withdrawal that the claims' read saw committed (the risk
 * assessment's). It runs after that read, in the same round trip, instead
 * of taking one of its own. Called whenever the claims' read was sent,
 * before they are checked: the caller drops its read when the claims
 * refuse. */
struct claims_read_hook {
	void (*fn)(void *arg);
	void *arg;
};

/* Claim the accepted declaration's consignment and match it. Refused:
 * KERR_CONFLICT (its bill, part or a container is held by another live
 * declaration: field /bill_of_lading, /split/..., or /containers/N, naming
 * that declaration), KERR_INVALID (the manifest line is there and differs:
 * a problem per difference; or the manifest is there without the bill and
 * the declaration is not an advance one: /bill_of_lading). Writes declaration.matched or
 * declaration.awaiting_manifest, at `at` (NULL: now). */
KOUAN_MUST_USE kerr consignments_accept(struct uow *u, struct declaration *d,
					const char *at, struct refusal *why,
					const struct claims_read_hook *then);

/* The release_holds row "manifest": held while the declaration waits for
 * its manifest line or differs from it. */
KOUAN_MUST_USE kerr consignments_holds(struct uow *u, struct declaration *d, bool *held,
				       char *reason, size_t reason_size);
/* The declaration ended without release: its claims are free. */
KOUAN_MUST_USE kerr consignments_ended(struct uow *u, struct declaration *d, const char *now,
				       const char *why);

/* Match declaration d (loaded for change) anew with `line`, the line of its
 * bill on manifest `manifest_id`, version `version` (NULL: the manifest no
 * longer has the bill), and record the outcome with its event
 * (declaration.matched, .mismatched or .unmatched). `split`, when not
 * NULL and not matched, holds the differences of the bill's parts taken
 * together, which then stand for this part's. *state is the match now;
 * *settle is set when d is
 * accepted, matches, and every agency has cleared it: the caller settles
 * it (kouan releases it). */
KOUAN_MUST_USE kerr consignments_rematch(struct uow *u, struct declaration *d,
					 const struct manifest_bill *line, int64_t manifest_id,
					 int64_t version, const struct match_result *split,
					 enum match_state *state, bool *settle);

/* The transport facts of declaration `number` as stored (its current
 * body). */
KOUAN_MUST_USE kerr consignments_facts(struct uow *u, const char *number,
				       struct transport_facts *out);

#endif
