/*
 * conveyances.h - the means of transport at the border (船舶/航空器/车辆进出境
 * 申报): a carrier lodges an arrival or departure report for its vessel,
 * aircraft or road vehicle; every agency the transport mode names gets a
 * task at once and decides in parallel; when all have cleared, kouan signs
 * the entry (or departure) permission with the release key; the actual
 * arrival and departure are recorded on the call.
 *
 * Reports are validated here (domain/conveyance.c) with the unit's
 * reference snapshot and clock; a refusal carries every field problem.
 */
#ifndef KOUAN_CONVEYANCES_H
#define KOUAN_CONVEYANCES_H

#include "domain/conveyance.h"
#include "service/service.h"
#include "store/repo_transport.h"

/* A report as a reader sees it: its row (body owned), its tasks, its call. */
struct conveyance_state {
	struct report_row report;
	struct task_row tasks[TASKS_MAX];
	size_t ntasks;
	struct call_row call;
};
void conveyance_state_free(struct conveyance_state *s);

/* Lodge a report body for the actor's carrier organisation. Refused:
 * KERR_FORBIDDEN (not a carrier), KERR_INVALID (field problems),
 * KERR_CONFLICT (the call already has a report of that kind, at /kind, or
 * it has departed). */
KOUAN_MUST_USE kerr conveyances_lodge(struct uow *u, const struct actor *a, json_t *body,
				      struct conveyance_state *out, struct refusal *why);

/* Amend report `id` with a whole new body: a new version; tasks returned
 * for correction open again. Refused: KERR_NOT_FOUND (not the carrier's),
 * KERR_INVALID (field problems, or the call's identity changed),
 * KERR_CONFLICT (the conveyance has departed, or nothing changed). */
KOUAN_MUST_USE kerr conveyances_amend(struct uow *u, const struct actor *a, int64_t id,
				      json_t *body, struct conveyance_state *out,
				      struct refusal *why);

/* May the actor decide for `agency` (an officer of that agency)? */
KOUAN_MUST_USE kerr conveyances_may_decide(const struct actor *a, const char *agency,
					   struct refusal *why);

/* An officer's decision on its agency's task; when every agency has
 * cleared, the permission is signed and stored, and the call is permitted;
 * a rejection refuses it. KERR_NOT_FOUND (no such report or task),
 * KERR_CONFLICT (the transition is not allowed). */
KOUAN_MUST_USE kerr conveyances_decide(struct uow *u, const struct actor *a, int64_t id,
				       const char *agency, enum decision d, const char *reason,
				       struct conveyance_state *out, struct refusal *why);

/* Record the actual arrival (on an arrival report) or departure (on a
 * departure report) at `at_us` (KTIME_NONE: now): the carrier of the report
 * or a port operator of its port. Refused: KERR_INVALID (/at in the future
 * or before the arrival), KERR_CONFLICT (already recorded, or the other
 * kind of report). */
KOUAN_MUST_USE kerr conveyances_record(struct uow *u, const struct actor *a, int64_t id,
				       bool arrival, int64_t at_us,
				       struct conveyance_state *out, struct refusal *why);

/* A report the actor may see; KERR_NOT_FOUND otherwise. */
KOUAN_MUST_USE kerr conveyances_get(struct uow *u, const struct actor *a, int64_t id,
				    struct conveyance_state *out);

/* Reports the actor may see, by id (rows without body). */
KOUAN_MUST_USE kerr conveyances_list(struct uow *u, const struct actor *a,
				     struct report_filter *f, report_row_fn fn, void *arg);

/* The signed permission of a report the actor may see; KERR_NOT_FOUND
 * (with *why) when it has none yet. */
KOUAN_MUST_USE kerr conveyances_permission(struct uow *u, const struct actor *a, int64_t id,
					   struct notice_row *out, struct refusal *why);

/* Parse a report or manifest id of a path ("1" to "999999999999"). */
bool transport_id_parse(const char *s, int64_t *out);

#endif
