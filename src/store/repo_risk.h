/*
 * repo_risk.h - the queries of risk-based clearance: enterprise credit and
 * its history, rule-set versions, office profiles, assessments, rule hits
 * and rule effectiveness. Portable SQL (see repo.h); the caller owns the
 * transaction.
 */
#ifndef KOUAN_REPO_RISK_H
#define KOUAN_REPO_RISK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"
#include "store/store.h"

/* --- credit --- */

/* An organisation's id and credit class by USCC; KERR_NOT_FOUND if none. */
KOUAN_MUST_USE kerr repo_credit_get(struct store_conn *c, const char *uscc,
				    int64_t *org_id, char *class_out, size_t n);
/* Change the class and record the change. */
KOUAN_MUST_USE kerr repo_credit_set(struct store_conn *c, int64_t org_id,
				    const char *from, const char *to,
				    const char *reason, const char *by,
				    const char *at);
/* One change of class (borrowed strings). */
struct credit_change {
	const char *from;
	const char *to;
	const char *reason;
	const char *changed_by;
	const char *changed_at;
};
typedef kerr (*credit_change_fn)(void *arg, const struct credit_change *ch);
/* The changes, oldest first. */
KOUAN_MUST_USE kerr repo_credit_history(struct store_conn *c, int64_t org_id,
					credit_change_fn fn, void *arg);

/* What the importers kept (migration 0025) say of a consignee and the
 * declaration `number` assessed. */
enum importer_seen {
	IMPORTER_UNASKED,   /* not read yet */
	IMPORTER_NONE,      /* no import declaration of the consignee */
	IMPORTER_ELSEWHERE, /* an import declaration other than `number` */
	IMPORTER_HERE,      /* the one kept is `number`: others may exist */
};
/* Has this consignee imported in a declaration other than `number`? `seen`
 * is what the importers said, read with repo_risk_inputs_send, or
 * IMPORTER_UNASKED to read them here; IMPORTER_HERE asks the declarations. */
KOUAN_MUST_USE kerr repo_known_importer(struct store_conn *c, const char *uscc,
					const char *number, enum importer_seen seen,
					bool *known);

/* --- rule sets --- */

/* Store a new version (the next number); *version gets it. KERR_CONFLICT
 * when another writer took that number at the same moment. */
KOUAN_MUST_USE kerr repo_rules_add(struct store_conn *c, const char *text,
				   int64_t rules, const char *effective_from,
				   const char *note, const char *by,
				   const char *role, const char *at,
				   int64_t *version);
/* The version in force at `at` (the latest whose effective_from <= at);
 * KERR_NOT_FOUND when none is. */
KOUAN_MUST_USE kerr repo_rules_active(struct store_conn *c, const char *at,
				      int64_t *version);
/* The latest version stored, in force or not (0 when none). */
KOUAN_MUST_USE kerr repo_rules_latest(struct store_conn *c, int64_t *version);
/* What is kept about a rule-set version besides its text. */
struct rules_meta {
	int64_t version;
	int64_t rules;
	char effective_from[TIME_TEXT_SIZE];
	char note[REASON_SIZE];
	char created_by[USERNAME_SIZE];
	char created_role[ROLE_NAME_SIZE];
	char created_at[TIME_TEXT_SIZE];
};
typedef kerr (*rules_meta_fn)(void *arg, const struct rules_meta *m);
/* A version's text (malloc'd; free() it) and its metadata (meta may be
 * NULL); KERR_NOT_FOUND when there is no such version. */
KOUAN_MUST_USE kerr repo_rules_get(struct store_conn *c, int64_t version,
				   char **text, struct rules_meta *meta);
/* Every version's metadata, newest first. */
KOUAN_MUST_USE kerr repo_rules_list(struct store_conn *c, rules_meta_fn fn, void *arg);

/* --- profiles --- */

/* One office profile (borrowed strings). */
struct profile_row {
	const char *office;
	const char *agency;
	int64_t random_ppm;
	const char *base_lane;
	const char *updated_by;
	const char *updated_at;
};
typedef kerr (*profile_row_fn)(void *arg, const struct profile_row *p);
/* Call fn for each profile of an office. */
KOUAN_MUST_USE kerr repo_profiles_of(struct store_conn *c, const char *office,
				     profile_row_fn fn, void *arg);
KOUAN_MUST_USE kerr repo_profile_put(struct store_conn *c, const char *office,
				     const char *agency, int64_t ppm,
				     const char *lane, const char *by,
				     const char *at);

/* --- what one assessment reads --- */

/* What the assessment of one declaration looks up, named. */
struct risk_inputs_key {
	const char *now;                 /* the rule set in force at this time */
	const char *setting1, *setting2; /* two settings, by name */
	const char *consignee;           /* USCCs: credit classes, history */
	const char *declarant;
	const char *number;      /* the declaration assessed, never counted */
	const char *bill;        /* its bill of lading */
	const char *office;      /* its declaration office: the profiles */
};
/* What they are (borrowed strings, NULL where there is none). */
struct risk_inputs {
	int64_t rules_version;              /* 0: no rule set is in force */
	const char *setting1, *setting2;    /* NULL: not set */
	const char *consignee_credit;       /* NULL: not registered */
	const char *declarant_credit;
	enum importer_seen importer;        /* never IMPORTER_UNASKED */
	int64_t withdrawn; /* declarations of this consignee and bill of lading,
			    * other than `number`, withdrawn */
};
typedef kerr (*risk_inputs_fn)(void *arg, const struct risk_inputs *in,
			       const struct profile_row *p);
/* Read all of them in one statement, sent ahead (store_ahead_send) so that
 * it may go with the statements before the assessment: take calls fn once
 * for each of the office's profiles, or once with p NULL when it has none;
 * `in` is the same at every call. */
void repo_risk_inputs_send(struct store_conn *c, const struct risk_inputs_key *k,
			   struct store_ahead *a);
KOUAN_MUST_USE kerr repo_risk_inputs_take(struct store_ahead *a, risk_inputs_fn fn, void *arg);
/* Every profile by office and agency. */
KOUAN_MUST_USE kerr repo_profiles_list(struct store_conn *c, profile_row_fn fn, void *arg);

/* --- assessments --- */

KOUAN_MUST_USE kerr repo_assessment_put(struct store_conn *c, const char *number,
					int64_t declaration_version,
					int64_t rules_version, const char *at,
					const char *outcome, bool first);
struct assessment_row {
	int64_t declaration_version;
	int64_t rules_version;
	char assessed_at[TIME_TEXT_SIZE];
	char *outcome; /* the stored explanation (JSON text), owned: free() */
};
/* The latest assessment of a declaration; KERR_NOT_FOUND when none. */
KOUAN_MUST_USE kerr repo_assessment_get(struct store_conn *c, const char *number,
					struct assessment_row *out);
KOUAN_MUST_USE kerr repo_rule_hit_put(struct store_conn *c, int64_t rules_version,
				      int64_t line, const char *agency,
				      const char *number, bool selected);
/* Per rule line of a version: hits, selected, inspected (an inspection
 * finding exists for that agency), problems (finding "problem"). */
struct rule_effect_row {
	int64_t line;
	const char *agency;
	int64_t hits;
	int64_t selected;
	int64_t inspected;
	int64_t problems_found;
};
typedef kerr (*rule_effect_fn)(void *arg, const struct rule_effect_row *r);
KOUAN_MUST_USE kerr repo_rule_effectiveness(struct store_conn *c, int64_t rules_version,
					    rule_effect_fn fn, void *arg);

/* Declarations lodged in [from_us, to_us) (microseconds since 1970 UTC),
 * oldest first, at most `limit`: fn gets each number and body (a result
 * other than KERR_OK stops the reading). */
KOUAN_MUST_USE kerr repo_declarations_lodged(struct store_conn *c, int64_t from_us,
					     int64_t to_us, int limit,
					     kerr (*fn)(void *arg, const char *number,
							const char *body),
					     void *arg);

#endif
