/*
 * inspection.h - the rules of the one joint inspection (联合查验) and of its
 * appointments around the clock (预约通关): statuses and outcomes, who may
 * still record findings or change the appointment, what a finding says,
 * whether a slot can be booked, and what an inspection becomes as findings
 * come in.
 *
 * Pure: times are passed in (microseconds since the epoch, UTC), the
 * caller stores what these functions decide. The services
 * (src/service/inspections.c, src/service/joint_inspection.c) apply them.
 */
#ifndef KOUAN_INSPECTION_H
#define KOUAN_INSPECTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/problems.h"
#include "common/sizes.h"
#include "domain/refdata.h"
#include "domain/workflow.h"

#define SITE_CODE_MAX 16
#define SITE_CODE_SIZE (SITE_CODE_MAX + 1)
#define SITE_NAME_MAX 200
#define SITE_CAPACITY_MAX 100
#define SLOT_MINUTES_MIN 5
#define BOOKING_HORIZON_DAYS 90
#define FINDING_NOTE_MAX 500
#define US_PER_MINUTE 60000000LL
#define US_PER_DAY (1440 * US_PER_MINUTE)

/* X(NAME, "wire name", under way: the inspection still expects findings) */
#define INSPECTION_STATUS_MAP(X)                                               \
	X(AWAITING_BOOKING, "awaiting_booking", true)                          \
	X(BOOKED, "booked", true)                                              \
	X(IN_PROGRESS, "in_progress", true)                                    \
	X(COMPLETED, "completed", false)                                       \
	X(CANCELLED, "cancelled", false)

enum inspection_status {
#define INSPECTION_STATUS_ENUM(name, text, under_way) INSPECTION_##name,
	INSPECTION_STATUS_MAP(INSPECTION_STATUS_ENUM)
#undef INSPECTION_STATUS_ENUM
	INSPECTION_STATUS_COUNT
};

/* What an agency found, and what the whole inspection found. */
#define FINDING_RESULT_MAP(X)                                                  \
	X(NO_PROBLEM, "no_problem")                                            \
	X(PROBLEM, "problem")

enum finding_result {
#define FINDING_RESULT_ENUM(name, text) FINDING_##name,
	FINDING_RESULT_MAP(FINDING_RESULT_ENUM)
#undef FINDING_RESULT_ENUM
	FINDING_RESULT_COUNT
};

const char *inspection_status_name(enum inspection_status s);
bool inspection_status_parse(const char *s, enum inspection_status *out);
bool inspection_under_way(enum inspection_status s);
const char *finding_result_name(enum finding_result r);
bool finding_result_parse(const char *s, enum finding_result *out);

/* An inspection site offering slots around the clock. */
struct inspection_site {
	char code[SITE_CODE_SIZE];
	char name[SITE_NAME_MAX + 1];
	char port[PORT_CODE_SIZE];
	int64_t slot_minutes; /* divides a day; slots start at 00:00 UTC */
	int64_t capacity;     /* inspections per slot */
	char created_at[TIME_TEXT_SIZE];
};

/* One agency's finding. */
struct finding {
	char agency[AGENCY_CODE_SIZE];
	enum finding_result result;
	bool has_decision;     /* a problem says what follows: return or reject */
	enum decision decision;
	char note[REASON_SIZE];                 /* "" when none */
	char recognised_from[AGENCY_CODE_SIZE]; /* "" unless recognised */
	char recorded_by[USERNAME_SIZE];
	char recorded_at[TIME_TEXT_SIZE];
};

/* Is the code a site code: 1 to SITE_CODE_MAX of A-Z, 0-9 and '-'? */
bool inspection_site_code_valid(const char *s);

/* Read a site an admin sends ({code, name, port, slot_minutes, capacity});
 * problems into p (JSON pointers). created_at is left empty. */
void inspection_site_read(const json_t *body, const struct refdata *ref,
			  struct inspection_site *s, struct problems *p);

/* Read a finding ({result, note, decision}; unknown members are the
 * caller's concern); problems into p. f->agency and the recorded fields
 * are left empty. */
void inspection_finding_read(const json_t *body, struct finding *f, struct problems *p);

/* The decision a finding applies to its agency's task: cleared for no
 * problem, else the finding's decision. */
enum decision inspection_finding_decision(const struct finding *f);

/* The finding an officer's direct decision on an inspecting task stands
 * for, once the inspection has begun (decision d, reason may be NULL). */
void inspection_finding_from_decision(struct finding *f, const char *agency,
				      enum decision d, const char *reason);

/* Has the inspection begun: in progress, or booked and its slot started at
 * now_us? slot_start_us is ignored unless booked. */
bool inspection_started(enum inspection_status s, int64_t slot_start_us, int64_t now_us);

/* Why findings cannot be recorded now (NULL: they can), for an inspection
 * in status s that has or has not `started`, booked for slot_start at site.
 * `buf` holds the text when it needs one. */
const char *inspection_findings_closed(enum inspection_status s, bool started,
				       const char *slot_start, const char *site, char *buf,
				       size_t n);

/* Why the appointment cannot be made (move false) or changed or cancelled
 * (move true) for an inspection in status s of a declaration in status ds
 * (NULL: it can). */
const char *inspection_booking_refused(enum inspection_status s,
				       enum declaration_status ds, bool move,
				       char *buf, size_t n);

/* Check a requested slot against the site, the goods' port and the clock;
 * problems into p (fields /site and /slot_start). site is NULL when no site
 * has the requested code. */
void inspection_slot_check(const struct inspection_site *site, const char *site_code,
			   const char *goods_port, int64_t slot_us, int64_t now_us,
			   struct problems *p);

/* The end of a slot that starts at slot_start_us. */
int64_t inspection_slot_end(const struct inspection_site *s, int64_t slot_start_us);

/* What an inspection under way becomes, from its agencies, findings and
 * problems found, and whether its declaration has ended: unchanged (no
 * finding yet), in progress (some findings, declaration still going), or
 * completed with an outcome (every agency has a finding, or the
 * declaration ended with findings recorded). */
enum inspection_settlement {
	SETTLE_UNCHANGED,
	SETTLE_IN_PROGRESS,
	SETTLE_COMPLETED,
};
enum inspection_settlement inspection_settle(int64_t agencies, int64_t findings,
					     int64_t problems, bool declaration_ended,
					     enum finding_result *outcome);

#endif
