/*
 * joint_inspection.h - the bookkeeping of a declaration's one joint
 * inspection as its tasks move: open it or add an agency when one wants to
 * inspect, record an officer's direct decision as a finding (or let the
 * agency leave), complete it when every finding is in, close it when the
 * declaration ends without one. These steps change inspection rows and
 * write inspection events; they never decide a task (clearance.c does,
 * and calls them).
 */
#ifndef KOUAN_JOINT_INSPECTION_H
#define KOUAN_JOINT_INSPECTION_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/inspection.h"
#include "service/service.h"
#include "store/repo_inspections.h"

/* An inspection event (data taken, may be NULL; the inspection's id is
 * added to it). */
KOUAN_MUST_USE kerr joint_inspection_event(struct uow *u, const struct actor *a,
					   const struct inspection_row *in,
					   enum event_type type, const char *agency,
					   const char *at, json_t *data);

/* `agency` needs to inspect the goods of declaration `number`: open its
 * inspection if none is under way, or add the agency to it. KERR_CONFLICT
 * when the agency has already written its finding in the open one. */
KOUAN_MUST_USE kerr joint_inspection_require(struct uow *u, const char *number,
					     int64_t org_id, const char *agency,
					     const char *now);

/* `agency`'s task was decided `d` (not inspect) by `a` other than through
 * a finding. If the agency takes part in the inspection under way without
 * a finding: once the inspection has begun the decision is recorded as its
 * finding; before, the agency leaves it (closed when nobody is left). */
KOUAN_MUST_USE kerr joint_inspection_task_decided(struct uow *u, const struct actor *a,
						  const char *number, bool declaration_ended,
						  const char *agency, enum decision d,
						  const char *reason, const char *now);

/* The declaration ended without release (withdrawn or rejected): its
 * inspection under way is completed with the findings recorded, or closed
 * and its booked place freed when there are none. */
KOUAN_MUST_USE kerr joint_inspection_declaration_ended(struct uow *u, const char *number,
						       const char *now, const char *why);

/* Complete the inspection when every agency has its finding (or the
 * declaration ended with findings recorded), or mark it in progress;
 * reads the row again, so it may run twice in one unit. */
KOUAN_MUST_USE kerr joint_inspection_settle(struct uow *u, int64_t id, bool declaration_ended,
					    const char *now);

/* Does the declaration's inspection under way still await a finding from
 * an agency taking part? */
KOUAN_MUST_USE kerr joint_inspection_awaits_findings(struct uow *u, const char *number,
						     bool *waiting);

/* `agency` no longer acts on the declaration (a correction closed its
 * task): it leaves the inspection under way unless its finding is
 * recorded, with the reason on the timeline (so the agency is told); an
 * inspection nobody is left in is closed. */
KOUAN_MUST_USE kerr joint_inspection_agency_dropped(struct uow *u, const char *number,
						    const char *agency, const char *now,
						    const char *why);

/* Has the inspection begun (in progress, or its booked slot started)? *b
 * gets the booking when booked. */
KOUAN_MUST_USE kerr joint_inspection_started(struct uow *u, const struct inspection_row *in,
					     bool *started, struct booking_row *b);

#endif
