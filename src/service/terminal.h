/*
 * terminal.h - the terminal's gate and yard (码头闸口): may a container be
 * discharged, gated in, loaded or gated out now, and what exactly is
 * missing; recording those events; recording every refused attempt.
 *
 * The facts come from the store (the manifest lines carrying the
 * container on its call, the declarations of each bill with their status,
 * match, flow and release time, the call's entry permission, the
 * container's yard events); the decision is domain/gate.c's.
 *
 * A refused event is recorded as an attempt (gate_attempts, and
 * container.gate_refused on the call's timeline and on each declaration
 * on the container) in the caller's unit of work, and the service answers
 * KERR_CONFLICT with attempt_recorded set: the caller keeps the unit (the
 * API answers 409 from a committed unit), so the record survives the
 * refusal.
 */
#ifndef KOUAN_TERMINAL_H
#define KOUAN_TERMINAL_H

#include "domain/gate.h"
#include "service/service.h"

struct gate_answer {
	char container[CONTAINER_NUMBER_MAX];
	char call_key[CALL_KEY_MAX]; /* "" when no manifest line carries it */
	char port[PORT_CODE_SIZE];
	enum yard_event action;
	struct gate_verdict verdict;
	bool recorded;         /* the event was recorded */
	bool attempt_recorded; /* a refused event was recorded as an attempt */
	char at[TIME_TEXT_SIZE];
};

/* The gate's answer for `action` on container `number`, on call `call`
 * (NULL: the one open call whose manifest carries it). Port operators ask
 * about their own port's calls. Refused: KERR_INVALID (a malformed
 * container number, at path:number; several open calls and no `call`, at
 * query:call). */
KOUAN_MUST_USE kerr terminal_gate(struct uow *u, const struct actor *a, const char *number,
				  enum yard_event action, const char *call,
				  struct gate_answer *out, struct refusal *why);

/* Record yard event `action` at `at_us` (KTIME_NONE: now) for container
 * `number` (a port operator at its port). When the gate allows it, it is
 * recorded once (container.<event> on the call and on each declaration on
 * the container). When not, the attempt is recorded and KERR_CONFLICT
 * returned with out->attempt_recorded: the caller commits the unit all the
 * same. Other refusals (KERR_INVALID: /at in the future or before the
 * container's last event; KERR_CONFLICT without attempt_recorded: another
 * gate recorded the event at the same moment) change nothing. */
KOUAN_MUST_USE kerr terminal_record(struct uow *u, const struct actor *a, const char *number,
				    enum yard_event action, int64_t at_us, const char *call,
				    struct gate_answer *out, struct refusal *why);

#endif
