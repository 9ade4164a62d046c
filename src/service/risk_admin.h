/*
 * risk_admin.h - what officers and admins manage of risk-based clearance:
 * rule-set versions (each a whole text, in force from a time, previewed
 * against past declarations, measured by its effectiveness), offices'
 * selectivity profiles, the credit scaling, and enterprise credit classes.
 *
 * An officer may change only its own agency's rules and profiles; admins
 * any. Every change is audited.
 */
#ifndef KOUAN_RISK_ADMIN_H
#define KOUAN_RISK_ADMIN_H

#include <stdint.h>

#include "domain/risk.h"
#include "service/risk_apply.h"
#include "service/service.h"
#include "store/repo_risk.h"

/* Every version's metadata, newest first; *in_force is the version in
 * force now (0: none). */
KOUAN_MUST_USE kerr risk_rules_list(struct uow *u, int64_t *in_force, rules_meta_fn fn,
				    void *arg);
/* A version's text (free() it) and metadata; KERR_NOT_FOUND with *why. */
KOUAN_MUST_USE kerr risk_rules_get(struct uow *u, int64_t version, char **text,
				   struct rules_meta *meta, struct refusal *why);

/* Add a version of the whole rule set, in force from effective_from_us.
 * KERR_INVALID with *err (line, column) when it does not compile;
 * KERR_FORBIDDEN when an officer changed another agency's rules. On
 * success *meta describes the new version. */
KOUAN_MUST_USE kerr risk_rules_add(struct uow *u, const struct actor *a, const char *text,
				   int64_t effective_from_us, const char *note,
				   struct rules_meta *meta, struct risk_error *err,
				   struct refusal *why);

/* How a rule set would have assessed the declarations lodged in [from,
 * to): per agency the lanes drawn, per rule line the hits. */
struct preview_rule {
	int64_t line;
	const char *agency; /* borrowed from the compiled rules */
	int64_t hits;
	int64_t selected;
};
struct risk_preview {
	int64_t as_version;
	int64_t declarations;
	int64_t skipped; /* no longer valid against today's reference data */
	char from[TIME_TEXT_SIZE];
	char to[TIME_TEXT_SIZE];
	size_t nagencies;
	const char *agencies[REF_MAX_AGENCIES]; /* borrowed from the snapshot */
	uint32_t lanes[REF_MAX_AGENCIES][4];     /* by enum risk_lane */
	size_t nrules;
	struct preview_rule *rules; /* owned, in order of first hit */
	struct risk_rules *compiled; /* owned */
};
void risk_preview_free(struct risk_preview *p);
KOUAN_MUST_USE kerr risk_rules_preview(struct uow *u, const char *text, int64_t from_us,
				       int64_t to_us, int limit, struct risk_preview *out,
				       struct risk_error *err);

/* Per rule line of a version: hits, selections, inspections, problems
 * found. KERR_NOT_FOUND with *why when there is no such version. */
KOUAN_MUST_USE kerr risk_rules_effectiveness(struct uow *u, int64_t version,
					     rule_effect_fn fn, void *arg,
					     struct refusal *why);

/* The credit scaling in force (struct credit_scaling: risk_apply.h). */
KOUAN_MUST_USE kerr risk_profiles_list(struct uow *u, profile_row_fn fn, void *arg,
				       struct credit_scaling *scaling);
/* May the actor set `agency`'s profiles? Officers only their own agency's
 * (KERR_FORBIDDEN otherwise); admins any. */
KOUAN_MUST_USE kerr risk_profile_may_set(const struct actor *a, const char *agency,
					 struct refusal *why);
/* Check the parts of a profile: the office and agency are known, the base
 * lane is one; problems (path:office, path:agency, /base_lane) into p. */
void risk_profile_fields_check(struct uow *u, const char *office, const char *agency,
			       const char *base_lane, struct problems *p);
/* Set an office's profile for an agency. Field problems (as
 * risk_profile_fields_check) go to why->fields. */
KOUAN_MUST_USE kerr risk_profile_put(struct uow *u, const struct actor *a, const char *office,
				     const char *agency, uint32_t random_ppm,
				     const char *base_lane, struct refusal *why);
/* Set the credit scaling: the advanced factor below 20 %, the discredited
 * minimum at least 80 %. */
KOUAN_MUST_USE kerr risk_scaling_put(struct uow *u, const struct actor *a,
				     const struct credit_scaling *s, struct refusal *why);

/* An organisation's credit class and its history. */
KOUAN_MUST_USE kerr credit_get(struct uow *u, const char *uscc, char *class_out, size_t n,
			       credit_change_fn fn, void *arg, struct refusal *why);
/* Change an organisation's credit class; *from gets the class it had. */
KOUAN_MUST_USE kerr credit_put(struct uow *u, const struct actor *a, const char *uscc,
			       enum credit_class to, const char *reason, char *from, size_t n,
			       struct refusal *why);

#endif
