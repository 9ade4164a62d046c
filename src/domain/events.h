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
#include <stdint.h>

/* X(NAME, "wire name", system step, stored code). The code is what the
 * store keeps for the type (events.type; the table event_types names each
 * code): never changed, never given to another type. A new type takes the
 * next unused code and a migration adds its row to event_types
 * (tests/service/test_store.c checks that every type has its row). */
#define EVENT_TYPE_MAP(X)                                                      \
	X(DECLARATION_LODGED, "declaration.lodged", false, 1)                        \
	X(DECLARATION_ACCEPTED, "declaration.accepted", true, 2)                     \
	X(DECLARATION_ASSESSED, "declaration.assessed", true, 3)                     \
	X(DECLARATION_CORRECTED, "declaration.corrected", false, 4)                  \
	X(DECLARATION_RETURNED, "declaration.returned", true, 5)                     \
	X(DECLARATION_REJECTED, "declaration.rejected", true, 6)                     \
	X(DECLARATION_RELEASE_HELD, "declaration.release_held", true, 7)             \
	X(DECLARATION_RELEASED, "declaration.released", true, 8)                     \
	X(DECLARATION_WITHDRAWN, "declaration.withdrawn", false, 9)                  \
	X(TASK_OPENED, "task.opened", true, 10)                                      \
	X(TASK_REOPENED, "task.reopened", true, 11)                                  \
	X(TASK_CLOSED, "task.closed", true, 12)                                      \
	X(TASK_CLEARED, "task.cleared", false, 13)                                   \
	X(TASK_INSPECTION_ORDERED, "task.inspection_ordered", false, 14)             \
	X(TASK_RETURNED, "task.returned", false, 15)                                 \
	X(TASK_REJECTED, "task.rejected", false, 16)                                 \
	X(INSPECTION_OPENED, "inspection.opened", true, 17)                          \
	X(INSPECTION_AGENCY_JOINED, "inspection.agency_joined", true, 18)            \
	X(INSPECTION_AGENCY_LEFT, "inspection.agency_left", true, 19)                \
	X(INSPECTION_BOOKED, "inspection.booked", false, 20)                         \
	X(INSPECTION_MOVED, "inspection.moved", false, 21)                           \
	X(INSPECTION_CANCELLED, "inspection.cancelled", false, 22)                   \
	X(INSPECTION_FINDING_RECORDED, "inspection.finding_recorded", false, 23)     \
	X(INSPECTION_FINDING_RECOGNISED, "inspection.finding_recognised", false, 24) \
	X(INSPECTION_WAIVED, "inspection.waived", false, 25)                         \
	X(INSPECTION_COMPLETED, "inspection.completed", true, 26)                    \
	X(INSPECTION_CLOSED, "inspection.closed", true, 27)                          \
	X(DUTIES_ASSESSED, "duties.assessed", true, 28)                              \
	X(DUTIES_DECLARED_DIFFERS, "duties.declared_differs", true, 29)              \
	X(DUTIES_PAID, "duties.paid", false, 30)                                     \
	X(GUARANTEE_DRAWN, "guarantee.drawn", true, 31)                              \
	X(GUARANTEE_RESTORED, "guarantee.restored", true, 32)                        \
	X(FEE_CHARGED, "fee.charged", false, 33)                                     \
	X(FEE_WAIVED, "fee.waived", false, 34)                                       \
	X(REFUND_APPLIED, "refund.applied", false, 35)                               \
	X(REFUND_APPROVED, "refund.approved", false, 36)                             \
	X(REFUND_REJECTED, "refund.rejected", false, 37)                             \
	X(CONVEYANCE_REPORTED, "conveyance.reported", false, 38)                     \
	X(CONVEYANCE_AMENDED, "conveyance.amended", false, 39)                       \
	X(CONVEYANCE_TASK_OPENED, "conveyance.task_opened", true, 40)                \
	X(CONVEYANCE_TASK_REOPENED, "conveyance.task_reopened", true, 41)            \
	X(CONVEYANCE_TASK_CLEARED, "conveyance.task_cleared", false, 42)             \
	X(CONVEYANCE_INSPECTION_ORDERED, "conveyance.inspection_ordered", false, 43) \
	X(CONVEYANCE_TASK_RETURNED, "conveyance.task_returned", false, 44)           \
	X(CONVEYANCE_TASK_REJECTED, "conveyance.task_rejected", false, 45)           \
	X(CONVEYANCE_ENTRY_PERMITTED, "conveyance.entry_permitted", true, 46)        \
	X(CONVEYANCE_DEPARTURE_PERMITTED, "conveyance.departure_permitted", true, 47) \
	X(CONVEYANCE_REFUSED, "conveyance.refused", true, 48)                        \
	X(CONVEYANCE_ARRIVED, "conveyance.arrived", false, 49)                       \
	X(CONVEYANCE_DEPARTED, "conveyance.departed", false, 50)                     \
	X(MANIFEST_LODGED, "manifest.lodged", false, 51)                             \
	X(MANIFEST_AMENDED, "manifest.amended", false, 52)                           \
	X(MANIFEST_CLOSED, "manifest.closed", false, 53)                             \
	X(TALLY_REPORTED, "tally.reported", false, 54)                               \
	X(DECLARATION_AWAITING_MANIFEST, "declaration.awaiting_manifest", true, 55)  \
	X(DECLARATION_MATCHED, "declaration.matched", true, 56)                      \
	X(DECLARATION_MISMATCHED, "declaration.mismatched", true, 57)                \
	X(DECLARATION_UNMATCHED, "declaration.unmatched", true, 58)                  \
	X(CONTAINER_DISCHARGED, "container.discharged", false, 59)                   \
	X(CONTAINER_GATED_IN, "container.gated_in", false, 60)                       \
	X(CONTAINER_LOADED, "container.loaded", false, 61)                           \
	X(CONTAINER_GATED_OUT, "container.gated_out", false, 62)                     \
	X(CONTAINER_GATE_REFUSED, "container.gate_refused", false, 63)               \
	X(CBEC_ORDER_RECEIVED, "cbec.order.received", false, 64)                     \
	X(CBEC_PAYMENT_RECEIVED, "cbec.payment.received", false, 65)                 \
	X(CBEC_WAYBILL_RECEIVED, "cbec.waybill.received", false, 66)                 \
	X(CBEC_INVENTORY_RECEIVED, "cbec.inventory.received", false, 67)             \
	X(CBEC_DOCUMENT_WITHDRAWN, "cbec.document.withdrawn", false, 68)             \
	X(CBEC_ORDER_CLASSIFIED, "cbec.order.classified", true, 69)                  \
	X(CBEC_MATCHED, "cbec.matched", true, 70)                                    \
	X(CBEC_MISMATCHED, "cbec.mismatched", true, 71)                              \
	X(CBEC_ASSESSED, "cbec.assessed", true, 72)                                  \
	X(CBEC_REFUSED, "cbec.refused", true, 73)                                    \
	X(CBEC_HELD, "cbec.held", true, 74)                                          \
	X(CBEC_AGENCY_CLEARED, "cbec.agency_cleared", false, 75)                     \
	X(CBEC_RELEASED, "cbec.released", false, 76)                                 \
	X(CBEC_GATE_OUT, "cbec.gate_out", false, 77)                                 \
	X(CBEC_RETURNED, "cbec.returned", false, 78)                                 \
	X(CBEC_MONTH_PAID, "cbec.month.paid", false, 79)                             \
	X(DECLARATION_DEPARTED, "declaration.departed", false, 80)                   \
	X(DUTIES_PAYMENT_REPORTED, "duties.payment_reported", false, 81)             \
	X(DUTIES_PAYMENT_REFUSED, "duties.payment_refused", false, 82)               \
	X(CBEC_MONTH_PAYMENT_REPORTED, "cbec.month.payment_reported", false, 83)

enum event_type {
#define EVENT_TYPE_ENUM(name, text, system, code) EVENT_##name,
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
/* The code the store keeps for the type (0 when out of range). */
int event_type_code(enum event_type t);
/* The type a stored code stands for; false when no type has it. */
bool event_type_from_code(int64_t code, enum event_type *out);

#endif
