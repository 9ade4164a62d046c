/*
 * events.h - the vocabulary of a declaration's timeline: every event type
 * kouan writes, once, with its wire name and whether it is a step kouan
 * takes by itself.
 *
 * A system step (declaration.accepted, task.opened, inspection.completed,
 * ...) follows from someone's action or from risk assessment and is
 * recorded with actor "kouan" and role "system"; the other events carry the
 * person who acted. Adding a step to a declaration's life starts with one
 * line here.
 */
#ifndef KOUAN_EVENTS_H
#define KOUAN_EVENTS_H

#include <stdbool.h>

/* X(NAME, "wire name", system step) */
#define EVENT_TYPE_MAP(X)                                                      \
	X(DECLARATION_LODGED, "declaration.lodged", false)                     \
	X(DECLARATION_ACCEPTED, "declaration.accepted", true)                  \
	X(DECLARATION_ASSESSED, "declaration.assessed", true)                  \
	X(DECLARATION_CORRECTED, "declaration.corrected", false)               \
	X(DECLARATION_RETURNED, "declaration.returned", true)                  \
	X(DECLARATION_REJECTED, "declaration.rejected", true)                  \
	X(DECLARATION_RELEASE_HELD, "declaration.release_held", true)          \
	X(DECLARATION_RELEASED, "declaration.released", true)                  \
	X(DECLARATION_WITHDRAWN, "declaration.withdrawn", false)               \
	X(TASK_OPENED, "task.opened", true)                                    \
	X(TASK_REOPENED, "task.reopened", true)                                \
	X(TASK_CLOSED, "task.closed", true)                                    \
	X(TASK_CLEARED, "task.cleared", false)                                 \
	X(TASK_INSPECTION_ORDERED, "task.inspection_ordered", false)           \
	X(TASK_RETURNED, "task.returned", false)                               \
	X(TASK_REJECTED, "task.rejected", false)                               \
	X(INSPECTION_OPENED, "inspection.opened", true)                        \
	X(INSPECTION_AGENCY_JOINED, "inspection.agency_joined", true)          \
	X(INSPECTION_AGENCY_LEFT, "inspection.agency_left", true)              \
	X(INSPECTION_BOOKED, "inspection.booked", false)                       \
	X(INSPECTION_MOVED, "inspection.moved", false)                         \
	X(INSPECTION_CANCELLED, "inspection.cancelled", false)                 \
	X(INSPECTION_FINDING_RECORDED, "inspection.finding_recorded", false)   \
	X(INSPECTION_FINDING_RECOGNISED, "inspection.finding_recognised", false) \
	X(INSPECTION_WAIVED, "inspection.waived", false)                       \
	X(INSPECTION_COMPLETED, "inspection.completed", true)                  \
	X(INSPECTION_CLOSED, "inspection.closed", true)                        \
	X(DUTIES_ASSESSED, "duties.assessed", true)                            \
	X(DUTIES_DECLARED_DIFFERS, "duties.declared_differs", true)            \
	X(DUTIES_PAID, "duties.paid", false)                                   \
	X(GUARANTEE_DRAWN, "guarantee.drawn", true)                            \
	X(GUARANTEE_RESTORED, "guarantee.restored", true)                      \
	X(FEE_CHARGED, "fee.charged", false)                                   \
	X(FEE_WAIVED, "fee.waived", false)                                     \
	X(REFUND_APPLIED, "refund.applied", false)                             \
	X(REFUND_APPROVED, "refund.approved", false)                           \
	X(REFUND_REJECTED, "refund.rejected", false)                           \
	X(CONVEYANCE_REPORTED, "conveyance.reported", false)                   \
	X(CONVEYANCE_AMENDED, "conveyance.amended", false)                     \
	X(CONVEYANCE_TASK_OPENED, "conveyance.task_opened", true)              \
	X(CONVEYANCE_TASK_REOPENED, "conveyance.task_reopened", true)          \
	X(CONVEYANCE_TASK_CLEARED, "conveyance.task_cleared", false)           \
	X(CONVEYANCE_INSPECTION_ORDERED, "conveyance.inspection_ordered", false) \
	X(CONVEYANCE_TASK_RETURNED, "conveyance.task_returned", false)         \
	X(CONVEYANCE_TASK_REJECTED, "conveyance.task_rejected", false)         \
	X(CONVEYANCE_ENTRY_PERMITTED, "conveyance.entry_permitted", true)      \
	X(CONVEYANCE_DEPARTURE_PERMITTED, "conveyance.departure_permitted", true) \
	X(CONVEYANCE_REFUSED, "conveyance.refused", true)                      \
	X(CONVEYANCE_ARRIVED, "conveyance.arrived", false)                     \
	X(CONVEYANCE_DEPARTED, "conveyance.departed", false)                   \
	X(MANIFEST_LODGED, "manifest.lodged", false)                           \
	X(MANIFEST_AMENDED, "manifest.amended", false)                         \
	X(MANIFEST_CLOSED, "manifest.closed", false)                           \
	X(TALLY_REPORTED, "tally.reported", false)                             \
	X(DECLARATION_AWAITING_MANIFEST, "declaration.awaiting_manifest", true) \
	X(DECLARATION_MATCHED, "declaration.matched", true)                    \
	X(DECLARATION_MISMATCHED, "declaration.mismatched", true)              \
	X(DECLARATION_UNMATCHED, "declaration.unmatched", true)                \
	X(CONTAINER_DISCHARGED, "container.discharged", false)                 \
	X(CONTAINER_GATED_IN, "container.gated_in", false)                     \
	X(CONTAINER_LOADED, "container.loaded", false)                         \
	X(CONTAINER_GATED_OUT, "container.gated_out", false)                   \
	X(CONTAINER_GATE_REFUSED, "container.gate_refused", false)             \
	X(CBEC_ORDER_RECEIVED, "cbec.order.received", false)                   \
	X(CBEC_PAYMENT_RECEIVED, "cbec.payment.received", false)               \
	X(CBEC_WAYBILL_RECEIVED, "cbec.waybill.received", false)               \
	X(CBEC_INVENTORY_RECEIVED, "cbec.inventory.received", false)           \
	X(CBEC_DOCUMENT_WITHDRAWN, "cbec.document.withdrawn", false)           \
	X(CBEC_ORDER_CLASSIFIED, "cbec.order.classified", true)                \
	X(CBEC_MATCHED, "cbec.matched", true)                                  \
	X(CBEC_MISMATCHED, "cbec.mismatched", true)                            \
	X(CBEC_ASSESSED, "cbec.assessed", true)                                \
	X(CBEC_REFUSED, "cbec.refused", true)                                  \
	X(CBEC_HELD, "cbec.held", true)                                        \
	X(CBEC_AGENCY_CLEARED, "cbec.agency_cleared", false)                   \
	X(CBEC_RELEASED, "cbec.released", false)                               \
	X(CBEC_GATE_OUT, "cbec.gate_out", false)                               \
	X(CBEC_RETURNED, "cbec.returned", false)                               \
	X(CBEC_MONTH_PAID, "cbec.month.paid", false)

enum event_type {
#define EVENT_TYPE_ENUM(name, text, system) EVENT_##name,
	EVENT_TYPE_MAP(EVENT_TYPE_ENUM)
#undef EVENT_TYPE_ENUM
	EVENT_TYPE_COUNT
};

/* The wire name, e.g. "task.opened"; "?" when out of range. */
const char *event_type_name(enum event_type t);
/* Parse a wire name; false when unknown. */
bool event_type_parse(const char *s, enum event_type *out);
/* Is it a step kouan takes by itself (actor "kouan", role "system")? */
bool event_type_is_system(enum event_type t);

#endif
