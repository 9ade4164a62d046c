/*
 * declarations.h - reading declarations as their users may (one, a list,
 * the timeline, an earlier version, the release notice, the risk
 * explanation), and an agency's decision on its task.
 *
 * Visibility is the one rule of clearance_may_see: a declaration the actor
 * may not see answers KERR_NOT_FOUND, exactly like a number that does not
 * exist.
 */
#ifndef KOUAN_DECLARATIONS_H
#define KOUAN_DECLARATIONS_H

#include "service/clearance.h"
#include "service/service.h"
#include "store/repo.h"
#include "store/repo_risk.h"

/* The declaration `number` as the actor may see it. */
KOUAN_MUST_USE kerr declarations_get(struct uow *u, const struct actor *a,
				     const char *number, struct declaration *out);

/* A page of the declarations the actor may see, in number order, after
 * `after` (NULL: from the start), optionally in one status (NULL: any). */
struct declaration_query {
	const char *status;
	const char *after;
	int limit;
};
KOUAN_MUST_USE kerr declarations_list(struct uow *u, const struct actor *a,
				      const struct declaration_query *q, decl_summary_fn fn,
				      void *arg);

/* The timeline of a visible declaration; *status gets its status. */
KOUAN_MUST_USE kerr declarations_events(struct uow *u, const struct actor *a,
					const char *number, enum declaration_status *status,
					event_row_fn fn, void *arg);

/* The body of a visible declaration at `version` (malloc'd), and its
 * current version. KERR_NOT_FOUND with *why when there is no such
 * version. */
KOUAN_MUST_USE kerr declarations_version(struct uow *u, const struct actor *a,
					 const char *number, int64_t version, char **body,
					 int64_t *current, struct refusal *why);

/* The signed release notice of a visible declaration (free n->notice).
 * KERR_NOT_FOUND with *why when it is not released. */
KOUAN_MUST_USE kerr declarations_notice(struct uow *u, const struct actor *a,
					const char *number, struct notice_row *n,
					struct refusal *why);

/* The latest risk assessment of a visible declaration (free a->outcome). */
KOUAN_MUST_USE kerr declarations_assessment(struct uow *u, const struct actor *a,
					    const char *number,
					    struct assessment_row *out, struct refusal *why);

/* The work of `agency` (NULL: the officer's own) in task status `status`,
 * oldest first. An officer reads only its own agency's worklist
 * (KERR_FORBIDDEN); KERR_INVALID (field query:agency) when the agency is
 * missing or unknown. */
KOUAN_MUST_USE kerr declarations_worklist(struct uow *u, const struct actor *a,
					  const char *agency, enum task_status status,
					  int limit, worklist_row_fn fn, void *arg,
					  struct refusal *why);

/* May the actor decide `agency`'s tasks? Only an officer of that agency;
 * KERR_FORBIDDEN with *why otherwise. */
KOUAN_MUST_USE kerr declarations_may_decide(const struct actor *a, const char *agency,
					    struct refusal *why);

/* An officer's decision on its agency's task of declaration `number`,
 * with the reason it is taken (required: what was checked, or why). A task
 * awaiting the joint inspection is not cleared this way (its finding clears
 * it, or a supervisor's waiver). *out is the declaration after it
 * (released when this cleared the last task). */
KOUAN_MUST_USE kerr declarations_decide(struct uow *u, const struct actor *a,
					const char *number, const char *agency,
					enum decision dd, const char *reason,
					struct declaration *out, struct refusal *why);

#endif
