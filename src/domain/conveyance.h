/*
 * conveyance.h - the means of transport at the border: the arrival or
 * departure report a carrier (or its agent) lodges for a vessel, an
 * aircraft or a cross-border road vehicle, the agencies that clear it, and
 * the entry or departure permission they grant together.
 *
 * A report goes in parallel to every agency the transport mode's
 * "conveyance_agencies" names (reference data: border inspection, maritime
 * safety, customs, quarantine as fit the mode). Each agency works its task
 * through the same decisions as a declaration's (cleared, inspect for a
 * boarding inspection, return, reject); the permission is granted when
 * every agency has cleared, and its text is signed like a release notice.
 *
 * Road vehicles are mainland vehicles, cross-boundary vehicles of Hong Kong
 * or Macau with both plates (two-plate vehicles: a Guangdong 粤Z plate
 * ending in 港 or 澳 beside their own), or Hong Kong and Macau private cars
 * travelling north on their own plate (港车北上 / 澳车北上).
 *
 * Pure: no I/O, no clock (the current time is passed in), no allocation
 * except the permission text. A validated report's strings point into the
 * JSON body, which must outlive it.
 */
#ifndef KOUAN_CONVEYANCE_H
#define KOUAN_CONVEYANCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/problems.h"
#include "domain/refdata.h"
#include "domain/transport.h"
#include "domain/workflow.h"

enum conveyance_kind {
	CONVEYANCE_ARRIVAL,
	CONVEYANCE_DEPARTURE,
};

enum vehicle_scheme {
	VEHICLE_MAINLAND,       /* a mainland plate only */
	VEHICLE_CROSS_BOUNDARY, /* Hong Kong or Macau vehicle with a 粤Z plate too */
	VEHICLE_NORTHBOUND,     /* 港车北上 / 澳车北上: its own plate only */
};

/* A validated conveyance report. Times are microseconds UTC, KTIME_NONE
 * when not given. Members that do not apply to the mode are NULL. */
struct conveyance_report {
	enum conveyance_kind kind;
	const char *transport_mode; /* "2" waterway, "4" road, "5" air */
	const char *carrier;        /* shipping line, airline, haulier */
	const char *identity;       /* IMO number, flight number, or plate */
	const char *name;           /* vessel name, flight number, or plate */
	const char *voyage;         /* voyage number, flight date, or trip */
	/* vessel */
	const char *imo;
	const char *call_sign;
	const char *flag;
	/* aircraft */
	const char *registration;
	/* vehicle */
	enum vehicle_scheme scheme;
	const char *region;         /* "HK" or "MO"; NULL for a mainland vehicle */
	const char *plate;          /* mainland plate; NULL when northbound */
	const char *regional_plate; /* Hong Kong or Macau plate */
	const char *use;            /* "goods", "passenger" or "private" */
	const char *driver_name;
	const char *driver_document_type;
	const char *driver_document_number;
	/* the call */
	const char *port;        /* UN/LOCODE of the port of call */
	const char *port_office; /* the customs office there */
	const char *place;       /* berth, stand or lane; may be NULL */
	const char *last_port;
	const char *next_port;
	int64_t expected_arrival;
	int64_t actual_arrival;
	int64_t expected_departure;
	int64_t actual_departure;
	int64_t crew;
	int64_t passengers;
	agency_set agencies; /* who clears it (from the transport mode) */
	char key[CALL_KEY_MAX];
};

/* Wire names: "arrival", "departure"; "mainland", "cross_boundary",
 * "northbound". */
const char *conveyance_kind_name(enum conveyance_kind k);
const char *vehicle_scheme_name(enum vehicle_scheme s);

/* Validate a report body against the reference data at time `now_us`
 * (actual times may not be later). Reports every problem with its JSON
 * pointer. On success fills *out (pointing into body) and returns true. */
bool conveyance_validate(const json_t *body, const struct refdata *ref,
			 int64_t now_us, struct problems *p,
			 struct conveyance_report *out);

/* May an amendment replace report `before` with `after` (both validated)?
 * The kind, transport mode, conveyance, voyage and port name the call and
 * cannot change; nothing changes once the conveyance has departed
 * (`departed`). Problems at the changed member's pointer. */
bool conveyance_amend_check(const struct conveyance_report *before,
			    const struct conveyance_report *after, bool departed,
			    struct problems *p);

/* The state of a report's permission, from its agencies' tasks. */
enum permission_state {
	PERMISSION_PENDING,  /* some agency has not decided */
	PERMISSION_RETURNED, /* an agency returned the report for correction */
	PERMISSION_GRANTED,  /* every agency cleared: entry or departure granted */
	PERMISSION_REFUSED,  /* an agency refused (rejected) it */
	PERMISSION_STATE_COUNT
};

/* Wire names: "pending", "returned", "granted", "refused". */
const char *permission_state_name(enum permission_state s);

struct permission {
	enum permission_state state;
	agency_set cleared; /* agencies that cleared */
	agency_set waiting; /* required agencies that have not cleared */
};

/* The permission that follows from the tasks of the `required` agencies;
 * status[k] is agency k's task status (only required ones are read). Any
 * rejected: refused; all cleared: granted; any returned: returned;
 * otherwise pending. */
struct permission conveyance_permission(agency_set required,
					const enum task_status status[REF_MAX_AGENCIES]);

/* May an officer take decision `d` on a conveyance task in status `ts`
 * while the permission is `ps`? As workflow_decide: *next on yes, *why on
 * no. `inspect` orders a boarding inspection. */
bool conveyance_decide(enum permission_state ps, enum task_status ts,
		       enum decision d, enum task_status *next, const char **why);

/* The canonical text (free() it) of the permission for report `r`,
 * identified by `report_id`, granted at `granted_at` (RFC 3339) by the
 * agencies in `agencies_cleared` (a JSON array of codes). Kind
 * "kouan.entry-permission.v1" for an arrival report and
 * "kouan.departure-permission.v1" for a departure; sign it with
 * release_sign. NULL when out of memory. */
char *conveyance_permission_text(const struct conveyance_report *r,
				 const char *report_id, const char *granted_at,
				 const json_t *agencies_cleared);

#endif
