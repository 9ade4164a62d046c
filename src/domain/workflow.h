/*
 * workflow.h - the life of a declaration and of its agency tasks.
 *
 * A declaration, once accepted, has one task per agency that must act, all
 * open at once. Agencies decide in parallel; the declaration is released
 * once, when every task is cleared. Pure functions: they say whether a
 * transition is allowed and what follows; the caller stores the result.
 *
 *   declaration: accepted -> returned -> accepted (corrected) ...
 *                accepted -> released | rejected | withdrawn
 *                returned -> rejected | withdrawn
 *   task:        open -> inspecting -> cleared | returned | rejected
 *                open -> cleared | returned | rejected
 *                returned -> open (reopened by a correction)
 *                cleared -> open (reopened: a correction changed its basis)
 *                open | inspecting | returned -> closed (withdrawn, rejected
 *                elsewhere, or no longer required)
 */
#ifndef KOUAN_WORKFLOW_H
#define KOUAN_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

enum declaration_status {
	DECL_ACCEPTED,
	DECL_RETURNED,
	DECL_RELEASED,
	DECL_REJECTED,
	DECL_WITHDRAWN,
	DECL_STATUS_COUNT
};

enum task_status {
	TASK_OPEN,
	TASK_INSPECTING,
	TASK_CLEARED,
	TASK_RETURNED,
	TASK_REJECTED,
	TASK_CLOSED,
	TASK_STATUS_COUNT
};

enum decision {
	DECISION_CLEARED,
	DECISION_INSPECT,
	DECISION_RETURN,
	DECISION_REJECT,
	DECISION_COUNT
};

const char *declaration_status_name(enum declaration_status s);
const char *task_status_name(enum task_status s);
const char *decision_name(enum decision d);
/* Parse names; false when unknown. */
bool declaration_status_parse(const char *s, enum declaration_status *out);
bool task_status_parse(const char *s, enum task_status *out);
bool decision_parse(const char *s, enum decision *out);

/* Is the declaration finished (no further change possible)? */
bool declaration_final(enum declaration_status s);

/* May an officer take decision `d` on a task in status `ts` of a declaration
 * in status `ds`? On yes, *next is the task's new status. On no, *why says
 * why in a sentence. */
bool workflow_decide(enum declaration_status ds, enum task_status ts,
		     enum decision d, enum task_status *next, const char **why);

/* The declaration status that follows from its tasks' statuses (closed tasks
 * are ignored): any rejected -> rejected; all cleared -> released; any
 * returned -> returned; else accepted. */
enum declaration_status workflow_status_from_tasks(const enum task_status *tasks,
						   size_t n);

/* May the declarant withdraw / correct a declaration in this status? */
bool workflow_can_withdraw(enum declaration_status ds, const char **why);
bool workflow_can_correct(enum declaration_status ds, const char **why);

/* A task still waiting on an officer or on the declarant (to be closed when
 * the declaration ends without release). */
bool task_pending(enum task_status ts);

#endif
