/*
 * stages.h - the stages of clearance, after the WCO Time Release Study: the
 * milestones a declaration passes, the intervals between them, who is
 * responsible for each interval (trader, agency or terminal), and the pure
 * function that measures one declaration's intervals from its timeline.
 *
 * Two tables drive everything and are the only places to edit when an event
 * type or a stage is added: STAGE_MAP (the stages in chain order, the
 * milestone each ends at, its party and direction) and STAGE_EVENT_MAP (what
 * each event type means for the measurement). An event type that is in
 * neither table is ignored, so new event types never break a measurement.
 *
 * How a timeline becomes intervals (docs/clearance-time.md has the long
 * form, with examples):
 *
 *  - Each milestone's time is the first or the last event that marks it
 *    (STAGE_EVENT_MAP says which), whatever the order of the events.
 *    "Documents decided" is the last decision an agency took on the
 *    documents: task.cleared, task.returned or task.rejected of a task that
 *    was not being inspected (and not carrying an inspection's finding), or
 *    task.inspection_ordered.
 *  - The measured span: for a released import, conveyance arrival to the
 *    last gate-out ("border" total); for a released export, the last
 *    gate-in to the conveyance's departure (for rail and mail, the
 *    departure recorded for the declaration), or to the last loading when
 *    departure is not recorded ("border"). When those transport events are
 *    missing, lodgement to release ("declaration" total, flagged as such).
 *    A declaration not released (in progress, withdrawn, rejected) has no
 *    total: it is never measured as cleared, but the stages it finished are
 *    given, from arrival / gate-in (or lodgement) on.
 *  - Within the span the stages form a chain. A stage runs from the
 *    previous milestone reached to its own. A milestone reached before the
 *    one before it (an advance declaration lodged before arrival, work done
 *    in parallel and finished earlier) counts as reached at that earlier
 *    milestone: its stage is 0, never negative, and no time is counted
 *    twice. A milestone that is not an anchor (anchors: arrival, gate-in,
 *    lodgement, release, gate-out, loading, departure) and comes after the
 *    next anchor reached (duties assessed after release, say) is left out
 *    and flagged STAGE_FLAG_OUT_OF_ORDER; its time stays in the stages
 *    around it. So the stages of a measured declaration always add up to
 *    its total exactly.
 *  - Time while the declaration was returned for correction (from
 *    declaration.returned to declaration.corrected) is the trader's: it is
 *    taken out of whichever stages it overlaps and given to the stage
 *    "correction".
 *  - Every time is first rounded down to a multiple of unit_us (1 keeps
 *    microseconds; 1000000 gives whole seconds, as the statistics keep
 *    them), so the stages still add up to the total in that unit.
 *
 * Pure domain code: no I/O, no clock, no globals that change; stages_measure
 * never allocates.
 * Events are taken in the order given for pairing returns with corrections
 * and for following each agency's task; milestones take their earliest or
 * latest time regardless of order.
 */
#ifndef KOUAN_STAGES_H
#define KOUAN_STAGES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define STAGE_MAX_EVENTS 100000 /* events in one timeline */
#define STAGE_MAX_AGENCIES 32   /* distinct task agencies in one timeline */
#define STAGE_MAX_RETURNS 64    /* returns for correction in one timeline */
#define STAGE_ABSENT (-1)       /* a stage or total not measured */
#define STAGE_NO_TIME INT64_MIN /* a milestone not reached */

enum stage_direction {
	STAGE_IMPORT,
	STAGE_EXPORT,
	STAGE_DIRECTIONS
};

/* Who is responsible for the time a stage takes. */
enum stage_party {
	PARTY_TRADER,   /* declarant, broker, carrier */
	PARTY_AGENCY,   /* customs and the other border agencies */
	PARTY_TERMINAL, /* terminal, port, airport cargo station */
	PARTY_COUNT
};

/* Which directions a stage applies to. */
#define STAGE_IN_IMPORT 1u
#define STAGE_IN_EXPORT 2u
#define STAGE_IN_BOTH 3u

/* The milestones: X(id, name). */
#define STAGE_MILESTONE_MAP(X)                                                  \
	X(ARRIVAL, "arrival")                                                  \
	X(GATE_IN, "gate_in")                                                  \
	X(MANIFEST, "manifest")                                                \
	X(LODGED, "lodged")                                                    \
	X(ACCEPTED, "accepted")                                                \
	X(RISK, "risk_assessed")                                               \
	X(DOCUMENTS, "documents_decided")                                      \
	X(BOOKED, "inspection_booked")                                         \
	X(INSPECTED, "inspected")                                              \
	X(ASSESSED, "duties_assessed")                                         \
	X(PAID, "paid_or_guaranteed")                                          \
	X(RELEASED, "released")                                                \
	X(GATE_OUT, "gate_out")                                                \
	X(LOADED, "loaded")                                                    \
	X(DEPARTED, "departed")

enum stage_milestone {
#define STAGE_MILESTONE_ENUM(id, name) MILESTONE_##id,
	STAGE_MILESTONE_MAP(STAGE_MILESTONE_ENUM)
#undef STAGE_MILESTONE_ENUM
	MILESTONE_COUNT
};
#define MILESTONE_NONE MILESTONE_COUNT /* a stage that ends at no milestone */

/*
 * The stages in chain order: X(id, name, title, ends at, party, directions,
 * anchor). The chain starts at arrival (imports) or gate-in (exports); each
 * stage runs from the milestone before it to the one it ends at. "anchor"
 * milestones are never left out of the chain (see the top of this file).
 * CORRECTION is not in the chain: it collects the time spent returned.
 */
#define STAGE_MAP(X)                                                            \
	X(MANIFEST, "manifest", "arrival to manifest lodged", MANIFEST,        \
	  TRADER, STAGE_IN_IMPORT, false)                                      \
	X(LODGEMENT, "lodgement", "arrival or gate-in to declaration lodged",  \
	  LODGED, TRADER, STAGE_IN_BOTH, true)                                 \
	X(ACCEPTANCE, "acceptance", "lodged to accepted", ACCEPTED, AGENCY,    \
	  STAGE_IN_BOTH, false)                                                \
	X(RISK, "risk", "accepted to risk assessed", RISK, AGENCY,             \
	  STAGE_IN_BOTH, false)                                                \
	X(DOCUMENT_REVIEW, "document_review",                                  \
	  "risk assessed to documents decided", DOCUMENTS, AGENCY,             \
	  STAGE_IN_BOTH, false)                                                \
	X(INSPECTION_BOOKED, "inspection_booked",                              \
	  "documents decided to inspection booked", BOOKED, TRADER,            \
	  STAGE_IN_BOTH, false)                                                \
	X(INSPECTED, "inspected", "inspection booked to inspection completed", \
	  INSPECTED, AGENCY, STAGE_IN_BOTH, false)                             \
	X(ASSESSED, "assessed", "to duties assessed", ASSESSED, AGENCY,        \
	  STAGE_IN_BOTH, false)                                                \
	X(PAID, "paid", "to duties paid or guaranteed", PAID, TRADER,          \
	  STAGE_IN_BOTH, false)                                                \
	X(RELEASED, "released", "to released by every agency", RELEASED,       \
	  AGENCY, STAGE_IN_BOTH, true)                                         \
	X(GATE_OUT, "gate_out", "released to the goods leaving the port",      \
	  GATE_OUT, TERMINAL, STAGE_IN_IMPORT, true)                           \
	X(LOADING, "loading", "released to loaded on board", LOADED, TERMINAL, \
	  STAGE_IN_EXPORT, true)                                               \
	X(DEPARTURE, "departure", "loaded to the conveyance's departure",      \
	  DEPARTED, TERMINAL, STAGE_IN_EXPORT, true)                           \
	X(CORRECTION, "correction", "returned for correction until corrected", \
	  NONE, TRADER, STAGE_IN_BOTH, false)

enum stage {
#define STAGE_ENUM(id, name, title, ends, party, dirs, anchor) STAGE_##id,
	STAGE_MAP(STAGE_ENUM)
#undef STAGE_ENUM
	STAGE_COUNT
};

/* Stages a direction has (the twelve of each). */
#define STAGE_PER_DIRECTION 12

/* What an event type does to the measurement. */
enum stage_effect {
	STAGE_EFFECT_MILESTONE,      /* marks a milestone */
	STAGE_EFFECT_DECISION,       /* an agency decided its task */
	STAGE_EFFECT_INSPECT,        /* an agency ordered an inspection */
	STAGE_EFFECT_TASK_OPENED,    /* a task (re)opened for review */
	STAGE_EFFECT_RETURNED,       /* returned for correction */
	STAGE_EFFECT_CORRECTED,      /* the declarant corrected it */
	STAGE_EFFECT_WITHDRAWN,      /* withdrawn: never measured as cleared */
	STAGE_EFFECT_REJECTED,       /* rejected: never measured as cleared */
	STAGE_EFFECT_GUARANTEE,      /* a guarantee took the duties: the
				      * milestone, unless the release itself drew
				      * it without ever being held for money */
	STAGE_EFFECT_HELD,           /* the release was held (data.waiting_for) */
	STAGE_EFFECT_IGNORED,        /* known, and deliberately not measured */
};

enum stage_occurrence {
	STAGE_FIRST, /* the earliest event of the type marks the milestone */
	STAGE_LAST,  /* the latest one does (e.g. the last container out) */
};

/*
 * What each event type means: X(type, effect, milestone, occurrence).
 * These are the types kouan writes (src/domain/events.h, the user guide's
 * event table). A declaration's own timeline holds its events, the match
 * with its manifest line and a copy of each yard event of its containers;
 * the call's events (arrival, the manifest, departure) are on the call's
 * timeline and are added to a declaration's by whoever measures it
 * (src/service/statistics.c: through the consignment's call). A new name is
 * one line here; a known type deliberately not measured is IGNORED.
 */
#define STAGE_EVENT_MAP(X)                                                        \
	X("conveyance.arrived", MILESTONE, ARRIVAL, FIRST)                       \
	X("manifest.lodged", MILESTONE, MANIFEST, FIRST)                         \
	X("manifest.amended", IGNORED, NONE, FIRST)                              \
	X("container.discharged", IGNORED, NONE, FIRST)                          \
	X("container.gated_in", MILESTONE, GATE_IN, LAST)                        \
	X("declaration.lodged", MILESTONE, LODGED, FIRST)                        \
	X("declaration.awaiting_manifest", IGNORED, NONE, FIRST)                 \
	X("declaration.matched", IGNORED, NONE, FIRST)                           \
	X("declaration.mismatched", IGNORED, NONE, FIRST)                        \
	X("declaration.unmatched", IGNORED, NONE, FIRST)                         \
	X("declaration.accepted", MILESTONE, ACCEPTED, FIRST)                    \
	X("declaration.assessed", MILESTONE, RISK, FIRST)                        \
	X("task.opened", TASK_OPENED, NONE, FIRST)                               \
	X("task.reopened", TASK_OPENED, NONE, FIRST)                             \
	X("task.cleared", DECISION, NONE, LAST)                                  \
	X("task.returned", DECISION, NONE, LAST)                                 \
	X("task.rejected", DECISION, NONE, LAST)                                 \
	X("task.inspection_ordered", INSPECT, NONE, LAST)                        \
	X("task.closed", IGNORED, NONE, FIRST)                                   \
	X("inspection.opened", IGNORED, NONE, FIRST)                             \
	X("inspection.agency_joined", IGNORED, NONE, FIRST)                      \
	X("inspection.agency_left", IGNORED, NONE, FIRST)                        \
	X("inspection.booked", MILESTONE, BOOKED, FIRST)                         \
	X("inspection.moved", IGNORED, NONE, FIRST)                              \
	X("inspection.cancelled", IGNORED, NONE, FIRST)                          \
	X("inspection.finding_recorded", IGNORED, NONE, FIRST)                   \
	X("inspection.finding_recognised", IGNORED, NONE, FIRST)                 \
	X("inspection.waived", IGNORED, NONE, FIRST)                             \
	X("inspection.completed", MILESTONE, INSPECTED, LAST)                    \
	X("inspection.closed", IGNORED, NONE, FIRST)                             \
	X("duties.assessed", MILESTONE, ASSESSED, LAST)                          \
	X("duties.declared_differs", IGNORED, NONE, FIRST)                       \
	X("duties.payment_reported", IGNORED, NONE, FIRST)                      \
	X("duties.paid", MILESTONE, PAID, FIRST)                                 \
	X("duties.payment_refused", IGNORED, NONE, FIRST)                       \
	X("guarantee.drawn", GUARANTEE, PAID, FIRST)                             \
	X("guarantee.restored", IGNORED, NONE, FIRST)                            \
	X("fee.charged", IGNORED, NONE, FIRST)                                   \
	X("fee.waived", IGNORED, NONE, FIRST)                                    \
	X("declaration.returned", RETURNED, NONE, FIRST)                         \
	X("declaration.corrected", CORRECTED, NONE, FIRST)                       \
	X("declaration.release_held", HELD, NONE, FIRST)                      \
	X("declaration.released", MILESTONE, RELEASED, FIRST)                    \
	X("declaration.withdrawn", WITHDRAWN, NONE, FIRST)                       \
	X("declaration.rejected", REJECTED, NONE, FIRST)                         \
	X("container.gated_out", MILESTONE, GATE_OUT, LAST)                      \
	X("container.gate_refused", IGNORED, NONE, FIRST)                        \
	X("container.loaded", MILESTONE, LOADED, LAST)                           \
	X("conveyance.departed", MILESTONE, DEPARTED, FIRST)                    \
	X("declaration.departed", MILESTONE, DEPARTED, FIRST)                   \
	/* e-commerce parcels are not declarations: their time from the last    \
	 * document to release is cbec's own measure (docs/cbec.md) */          \
	X("cbec.order.received", IGNORED, NONE, FIRST)                          \
	X("cbec.payment.received", IGNORED, NONE, FIRST)                        \
	X("cbec.waybill.received", IGNORED, NONE, FIRST)                        \
	X("cbec.inventory.received", IGNORED, NONE, FIRST)                      \
	X("cbec.document.withdrawn", IGNORED, NONE, FIRST)                      \
	X("cbec.order.classified", IGNORED, NONE, FIRST)                        \
	X("cbec.matched", IGNORED, NONE, FIRST)                                 \
	X("cbec.mismatched", IGNORED, NONE, FIRST)                              \
	X("cbec.assessed", IGNORED, NONE, FIRST)                                \
	X("cbec.refused", IGNORED, NONE, FIRST)                                 \
	X("cbec.held", IGNORED, NONE, FIRST)                                    \
	X("cbec.agency_cleared", IGNORED, NONE, FIRST)                          \
	X("cbec.released", IGNORED, NONE, FIRST)                                \
	X("cbec.gate_out", IGNORED, NONE, FIRST)                                \
	X("cbec.returned", IGNORED, NONE, FIRST)                                \
	X("cbec.month.payment_reported", IGNORED, NONE, FIRST)                 \
	X("cbec.month.paid", IGNORED, NONE, FIRST)

struct stage_event_rule {
	const char *type;
	enum stage_effect effect;
	enum stage_milestone milestone; /* MILESTONE_NONE unless a milestone */
	enum stage_occurrence occurrence;
};

/* The rule for an event type, or NULL when the type is not in the table. */
const struct stage_event_rule *stage_event_rule_find(const char *type);

/* Whether stages_measure reads the data of an event of this type: the
 * others' data may be left NULL (a caller need not parse it). */
bool stage_event_data_read(const char *type);

/* One event of a declaration's timeline, as the event feed gives it. Every
 * pointer is borrowed for the duration of the call. */
struct stage_event {
	const char *type;   /* "declaration.lodged", ... */
	int64_t at;         /* microseconds since the epoch, UTC */
	const char *agency; /* task and inspection events; NULL otherwise */
	const json_t *data; /* the event's data object; NULL when none */
};

enum stage_outcome {
	OUTCOME_IN_PROGRESS, /* not yet released, withdrawn or rejected */
	OUTCOME_RELEASED,  /* released: measured as cleared */
	OUTCOME_WITHDRAWN,
	OUTCOME_REJECTED,
	OUTCOME_COUNT
};

enum stage_total {
	TOTAL_NONE,        /* not released: no total */
	TOTAL_BORDER,      /* arrival to gate-out, gate-in to departure */
	TOTAL_DECLARATION, /* lodgement to release (transport missing) */
	TOTAL_KINDS
};

#define STAGE_FLAG_ADVANCE 1u      /* lodged in advance (before arrival) */
#define STAGE_FLAG_CORRECTED 2u    /* returned for correction at least once */
#define STAGE_FLAG_INSPECTED 4u    /* an inspection was completed */
#define STAGE_FLAG_OUT_OF_ORDER 8u /* a milestone was left out (see top) */
#define STAGE_FLAGS_ALL 15u

/* One declaration's measurement. Durations and times are in microseconds,
 * each a multiple of the unit asked for. */
struct stage_times {
	enum stage_direction direction;
	enum stage_outcome outcome;
	enum stage_total total_kind;
	unsigned flags;   /* STAGE_FLAG_* */
	unsigned returns; /* times returned for correction */
	int64_t lodged_at; /* declaration.lodged, or STAGE_NO_TIME */
	/* the measured span (effective times), STAGE_NO_TIME when nothing was
	 * measured */
	int64_t start_at;
	int64_t end_at;
	int64_t total; /* end_at - start_at when released, else STAGE_ABSENT */
	/* per stage, STAGE_ABSENT when not measured (not reached, not of this
	 * direction, outside the span, or left out) */
	int64_t stage[STAGE_COUNT];
	int64_t party[PARTY_COUNT]; /* sums of the measured stages */
	/* when each milestone was reached (rounded to the unit, not clamped),
	 * STAGE_NO_TIME when not */
	int64_t milestone_at[MILESTONE_COUNT];
};

/*
 * Measure one declaration of direction `dir` from its timeline ev[0..n-1]
 * (see the top of this file for the rules). unit_us >= 1 is the resolution
 * every time is rounded down to. Returns KERR_INVALID when dir or unit_us is
 * out of range, n exceeds STAGE_MAX_EVENTS, an event has no type, or the
 * timeline names more than STAGE_MAX_AGENCIES agencies or returns the
 * declaration more than STAGE_MAX_RETURNS times; *out is then unspecified.
 */
KOUAN_MUST_USE kerr stages_measure(enum stage_direction dir,
				   const struct stage_event *ev, size_t n,
				   int64_t unit_us, struct stage_times *out);

/*
 * The same from a timeline as JSON: an array of event objects as
 * GET /v1/declarations/{number}/events and the feed give them ("type", "at"
 * as RFC 3339, "agency" string or null, "data" object). Other members are
 * ignored. A malformed element gives KERR_INVALID and a sentence in why
 * (static storage).
 */
KOUAN_MUST_USE kerr stages_measure_json(enum stage_direction dir,
					const json_t *events, int64_t unit_us,
					struct stage_times *out,
					const char **why);

/* The direction of a declaration number (digit 9: 1 import, 0 export).
 * False when the number is not 18 digits with 0 or 1 there. */
bool stage_direction_of(const char *number, enum stage_direction *out);

/* Names (static storage; "?" when out of range) and their parsing. */
const char *stage_name(enum stage s);
const char *stage_title(enum stage s);
const char *stage_milestone_name(enum stage_milestone m);
const char *stage_direction_name(enum stage_direction d); /* import, export */
const char *stage_party_name(enum stage_party p); /* trader, agency, terminal */
const char *stage_outcome_name(enum stage_outcome o);
const char *stage_total_name(enum stage_total k); /* none, border, declaration */
bool stage_parse(const char *s, enum stage *out);
bool stage_direction_parse(const char *s, enum stage_direction *out);
bool stage_outcome_parse(const char *s, enum stage_outcome *out);
bool stage_total_parse(const char *s, enum stage_total *out);

/* Facts of the stage table. */
enum stage_party stage_party_of(enum stage s);
enum stage_milestone stage_ends_at(enum stage s);
bool stage_applies(enum stage_direction d, enum stage s);
/* The position of stage s among the stages of direction d
 * (0..STAGE_PER_DIRECTION-1), or -1 when it does not apply. */
int stage_slot(enum stage_direction d, enum stage s);

/*
 * A declaration's measurement as JSON, in whole seconds (durations rounded
 * down), with times as RFC 3339:
 * {"direction": "import", "outcome": "released", "total_kind": "border",
 *  "total_s": 34200, "start_at": "...", "end_at": "...", "lodged_at": "...",
 *  "flags": ["advance", ...], "returns": 0,
 *  "stages": [{"stage": "lodgement", "title": "...", "party": "trader",
 *              "seconds": 7200}, ...],        (measured stages, chain order)
 *  "parties": {"trader": 9000, "agency": 3600, "terminal": 21600},
 *  "milestones": {"arrival": "...", ...}}     (the milestones reached)
 * New reference, or NULL when memory runs out.
 */
json_t *stage_times_json(const struct stage_times *t);

#endif
