/*
 * clearance.h - the core of a declaration's life, shared by every use case
 * that moves it: load it (as someone who may see it), decide an agency's
 * task, settle the declaration's status from its tasks and release it once
 * with a signed notice, close what is still pending when it ends.
 *
 * Everything here runs inside the caller's unit of work and changes the
 * declaration the caller holds (struct declaration) in step with the
 * store, so a use case loads a declaration once and never reloads it.
 * Every service that fills a struct declaration leaves it safe to pass to
 * declaration_free, whatever it returns.
 */
#ifndef KOUAN_CLEARANCE_H
#define KOUAN_CLEARANCE_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/declaration.h"
#include "domain/workflow.h"
#include "service/declaration_state.h"
#include "service/service.h"
#include "store/repo.h"

/* May this actor see the declaration? Declarants: their organisation's,
 * and those lodged for it as consignee; officers: those with a task for
 * their agency; port operators: released ones at their own port (and then
 * only what a release notice says: see clearance_sees_details); analysts,
 * admins and kouan: all. */
bool clearance_may_see(const struct actor *a, const struct declaration *d);

/* May this actor see more of a visible declaration than its release
 * notice (the declaration itself, its timeline, versions, inspection)?
 * Everyone but port operators. */
bool clearance_sees_details(const struct actor *a);

/* Load a declaration the actor may see, with its tasks; with for_change,
 * lock its row first (the unit must write). KERR_NOT_FOUND when there is
 * no such number or the actor may not see it (the two are not told apart,
 * so numbers cannot be probed). */
KOUAN_MUST_USE kerr clearance_load(struct uow *u, const struct actor *a, const char *number,
				   bool for_change, struct declaration *d);

/* The task of an agency, or NULL. */
struct task_row *clearance_task(struct declaration *d, const char *agency);

/* Store a task's new status (and the fields already set on it); while the
 * declaration's tasks are unstored, set it only. */
KOUAN_MUST_USE kerr clearance_set_task(struct uow *u, struct declaration *d,
				       struct task_row *t, enum task_status st);

/* Store the tasks of a declaration lodged in this unit of work
 * (tasks_unstored), each as it stands; nothing when they are stored. */
KOUAN_MUST_USE kerr clearance_store_tasks(struct uow *u, struct declaration *d);

/* Apply decision `dd` of `agency` to its task: check the transition,
 * record it with its event (extra: more event data, taken; may be NULL),
 * open or join the joint inspection for "inspect", settle the declaration
 * (release it once when every task is cleared), and tell the joint
 * inspection of a decision taken outside it. KERR_NOT_FOUND or
 * KERR_CONFLICT with *why when refused. */
KOUAN_MUST_USE kerr clearance_decide(struct uow *u, const struct actor *a,
				     struct declaration *d, const char *agency,
				     enum decision dd, const char *reason, json_t *extra,
				     struct refusal *why);

/* Bring the declaration's status in line with its tasks, releasing it once
 * when all are cleared; writes the row and the events. */
KOUAN_MUST_USE kerr clearance_settle(struct uow *u, struct declaration *d, const char *now);

/* Close every task still waiting (the declaration ends without release). */
KOUAN_MUST_USE kerr clearance_close_pending(struct uow *u, struct declaration *d,
					    const char *now, const char *why);

#endif
