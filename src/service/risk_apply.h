/*
 * risk_apply.h - risk-based clearance as the services run it: the compiled
 * rule set in force (cached, shared by reference count), the secret seed of
 * the draws, an office's profile, the declaration as the engine sees it,
 * and the assessment of every accepted or corrected declaration with its
 * lanes applied to the open tasks.
 *
 * Per agency with an open task: green and blue are cleared by kouan itself,
 * yellow waits for an officer's document check, red orders the joint
 * inspection. A declaration on which nobody drew yellow or red is thus
 * released at once, by kouan. Where an office has no profile for an
 * agency, nothing is released automatically: the lane when nothing selects
 * is yellow until the office sets one, and there is no random selection.
 */
#ifndef KOUAN_RISK_APPLY_H
#define KOUAN_RISK_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/declaration.h"
#include "domain/risk.h"
#include "service/clearance.h"
#include "service/risk_state.h"
#include "service/service.h"

/* Compile rule text for the agencies of the reference snapshot. */
KOUAN_MUST_USE kerr risk_compile(const char *text, int64_t version, const struct refdata *ref,
				 struct risk_rules **out, struct risk_error *err);
/* The rule set in force at `now` (retained: rules_ref_release it). */
KOUAN_MUST_USE kerr risk_rules_in_force(struct uow *u, const char *now,
					struct rules_ref **out);
/* The seed of the draws. */
KOUAN_MUST_USE kerr risk_seed(struct uow *u, const uint8_t **seed);
/* The credit scaling in force: the settings risk_advanced_factor_ppm and
 * risk_discredited_min_ppm, each its default where unset or out of range
 * (read in one statement). */
struct credit_scaling {
	uint32_t advanced_factor_ppm;
	uint32_t discredited_min_ppm;
};
KOUAN_MUST_USE kerr risk_scaling_read(struct store_conn *c, struct credit_scaling *out);
/* The office's profile: yellow and no random selection for the agencies it
 * has not configured. */
KOUAN_MUST_USE kerr risk_profile_of(struct uow *u, const char *office,
				    struct risk_profile *p);

/* The declaration `number` as the engine sees it: its codes, value in CNY
 * (false in *valued when there is no exchange rate), the parties' credit
 * classes, whether the importer is new, and the draws' key, which is the
 * consignment's (written into key). Strings are borrowed from f and key. */
KOUAN_MUST_USE kerr risk_facts_of(struct uow *u, const char *number,
				  const struct declaration_facts *f, struct risk_facts *facts,
				  char key[RISK_KEY_SIZE], bool *valued);

/* What the assessment of a declaration reads from the store (the rule set
 * in force, the scaling, the office's profile, the parties' classes, the
 * consignee's imports and the consignment's withdrawals), in one statement
 * sent ahead (store_ahead_send): sent before the steps that come between
 * acceptance and the assessment, it goes with their statements instead of
 * taking a round trip of its own. None of those steps changes what it
 * reads. The rule set is the one in force when it was sent. */
struct risk_ahead {
	struct store_ahead inputs;
	char now[TIME_TEXT_SIZE]; /* when it was sent */
	bool sent;
};
void risk_inputs_send(struct uow *u, const struct declaration *d,
		      const struct declaration_facts *f, struct risk_ahead *ahead);
/* Not read after all (the steps before the assessment refused); a zeroed
 * one may be dropped. */
void risk_inputs_drop(struct risk_ahead *ahead);

/* Assess declaration d just accepted or corrected (its facts f: validated,
 * with agencies), store the explanation and the rule hits, and apply the
 * lanes to its open tasks as kouan. d is kept in step. Its reads are
 * those sent ahead (NULL, or not sent: sent now). */
KOUAN_MUST_USE kerr risk_assess_and_apply(struct uow *u, struct declaration *d,
					  const struct declaration_facts *f,
					  struct risk_ahead *ahead);

#endif
