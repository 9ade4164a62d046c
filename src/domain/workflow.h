/*
 * workflow.h - the life of a declaration and of its agency tasks.
 *
 * A declaration, once accepted, has one task per agency that must act, all
 * open at once. Agencies decide in parallel; the declaration is released
 * once, when every task is cleared. Pure functions: they say whether a
 * transition is allowed and what follows; the services store the result.
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

#include "domain/events.h"

/* X(NAME, "wire name", final) */
#define DECLARATION_STATUS_MAP(X)                                              \
	X(ACCEPTED, "accepted", false)                                         \
	X(RETURNED, "returned", false)                                         \
	X(RELEASED, "released", true)                                          \
	X(REJECTED, "rejected", true)                                          \
	X(WITHDRAWN, "withdrawn", true)

enum declaration_status {
#define DECL_STATUS_ENUM(name, text, final) DECL_##name,
	DECLARATION_STATUS_MAP(DECL_STATUS_ENUM)
#undef DECL_STATUS_ENUM
	DECL_STATUS_COUNT
};

/* X(NAME, "wire name", pending: still waiting on an officer or on the
 * declarant, closed when the declaration ends without release) */
#define TASK_STATUS_MAP(X)                                                     \
	X(OPEN, "open", true)                                                  \
	X(INSPECTING, "inspecting", true)                                      \
	X(CLEARED, "cleared", false)                                           \
	X(RETURNED, "returned", true)                                          \
	X(REJECTED, "rejected", false)                                         \
	X(CLOSED, "closed", false)

enum task_status {
#define TASK_STATUS_ENUM(name, text, pending) TASK_##name,
	TASK_STATUS_MAP(TASK_STATUS_ENUM)
#undef TASK_STATUS_ENUM
	TASK_STATUS_COUNT
};

/* X(NAME, "wire name", the event that records it) */
#define DECISION_MAP(X)                                                        \
	X(CLEARED, "cleared", EVENT_TASK_CLEARED)                              \
	X(INSPECT, "inspect", EVENT_TASK_INSPECTION_ORDERED)                   \
	X(RETURN, "return", EVENT_TASK_RETURNED)                               \
	X(REJECT, "reject", EVENT_TASK_REJECTED)

enum decision {
#define DECISION_ENUM(name, text, event) DECISION_##name,
	DECISION_MAP(DECISION_ENUM)
#undef DECISION_ENUM
	DECISION_COUNT
};

const char *declaration_status_name(enum declaration_status s);
const char *task_status_name(enum task_status s);
const char *decision_name(enum decision d);
/* Parse names; false when unknown. */
bool declaration_status_parse(const char *s, enum declaration_status *out);
bool task_status_parse(const char *s, enum task_status *out);
bool decision_parse(const char *s, enum decision *out);
/* The event recording decision d on a task (task.cleared, ...). */
enum event_type decision_event(enum decision d);

/* Is the declaration finished (no further change possible)? */
bool declaration_final(enum declaration_status s);

/* May an officer take decision `d` on a task in status `ts` of a declaration
 * in status `ds`? On yes, *next is the task's new status. On no, *why says
 * why in a sentence. */
bool workflow_decide(enum declaration_status ds, enum task_status ts,
		     enum decision d, enum task_status *next, const char **why);

/* May an officer take decision `d` on a task in status `ts` by a plain
 * decision, outside the joint inspection? Everything workflow_decide
 * allows, except clearing a task that awaits the inspection (inspecting):
 * its finding clears it, or a supervisor's waiver. On no, *why says why. */
bool workflow_plain_decision(enum task_status ts, enum decision d, const char **why);

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

/* What a correction does to one agency's task. */
enum correction_step {
	CORRECTION_KEEP,   /* nothing changes */
	CORRECTION_OPEN,   /* a new task is opened (task.opened) */
	CORRECTION_REOPEN, /* the task opens again (task.reopened) */
	CORRECTION_REBASE, /* the task stays as it is; its basis digest is updated */
	CORRECTION_CLOSE,  /* the task is closed (task.closed) */
	CORRECTION_REFUSE, /* the correction may not drop this agency */
};

/* The step for one agency: `needed` after the correction; `has_task`, its
 * status `ts` and whether the digest of what it acts on changed. For
 * REOPEN and CLOSE, *because says why (for the event). Returned and closed
 * tasks reopen on any correction; cleared ones only when their basis
 * changed; open and inspecting ones stay as they are. A task no longer
 * needed closes, except where its agency has ordered an inspection: the
 * goods are inspected (or the inspection waived by a supervisor) whatever
 * the declaration now says of them, so REFUSE (*because says why). */
enum correction_step workflow_correction_step(bool needed, bool has_task,
					      enum task_status ts, bool basis_changed,
					      const char **because);

#endif
