/*
 * repo_risk.h - the queries of risk-based clearance: enterprise credit and
 * its history, rule-set versions, office profiles, assessments, rule hits
 * and rule effectiveness. Portable SQL (see repo.h); the caller owns the
 * transaction.
 */
#ifndef KOUAN_REPO_RISK_H
#define KOUAN_REPO_RISK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
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
/* The changes, oldest first: [{from, to, reason, changed_by, changed_at}]. */
json_t *repo_credit_history(struct store_conn *c, int64_t org_id);

/* Has this consignee imported before (a declaration other than `number`)? */
KOUAN_MUST_USE kerr repo_known_importer(struct store_conn *c, const char *uscc,
					const char *number, bool *known);

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
/* A version's text (free() it) and metadata object (new reference, may be
 * NULL); KERR_NOT_FOUND when there is no such version. */
KOUAN_MUST_USE kerr repo_rules_get(struct store_conn *c, int64_t version,
				   char **text, json_t **meta);
/* Every version's metadata, newest first. */
json_t *repo_rules_list(struct store_conn *c);

/* --- profiles --- */

/* Call fn for each (agency, random_ppm, base_lane) of an office. */
KOUAN_MUST_USE kerr repo_profiles_of(struct store_conn *c, const char *office,
				     void (*fn)(void *arg, const char *agency,
						int64_t ppm, const char *lane),
				     void *arg);
KOUAN_MUST_USE kerr repo_profile_put(struct store_conn *c, const char *office,
				     const char *agency, int64_t ppm,
				     const char *lane, const char *by,
				     const char *at);
json_t *repo_profiles_list(struct store_conn *c);

/* --- assessments --- */

KOUAN_MUST_USE kerr repo_assessment_put(struct store_conn *c, const char *number,
					int64_t declaration_version,
					int64_t rules_version, const char *at,
					const char *outcome);
/* The latest assessment of a declaration: {declaration_version,
 * rules_version, assessed_at, outcome}, or NULL. */
json_t *repo_assessment_get(struct store_conn *c, const char *number);
KOUAN_MUST_USE kerr repo_rule_hit_put(struct store_conn *c, int64_t rules_version,
				      int64_t line, const char *agency,
				      const char *number, bool selected);
/* Per rule line of a version: hits, selected, inspected (an inspection
 * finding exists for that agency), problems (finding "problem"). */
json_t *repo_rule_effectiveness(struct store_conn *c, int64_t rules_version);

/* Declarations lodged in [from, to), oldest first, at most `limit`: fn gets
 * each number and body. */
KOUAN_MUST_USE kerr repo_declarations_lodged(struct store_conn *c, const char *from,
					     const char *to, int limit,
					     void (*fn)(void *arg, const char *number,
							const char *body),
					     void *arg);

#endif
