/*
 * repo_inspections.h - the queries of the joint inspection and its
 * appointments (tables of migration 0003): inspections, the agencies taking
 * part, their findings, inspection sites and bookings of their slots.
 *
 * Portable SQL like repo.h; the caller owns the transaction. Rows that a
 * change reads first are locked with repo_inspection_lock (after the
 * declaration's lock: declaration, then inspection, then bookings, always in
 * that order, so concurrent writers cannot deadlock). Statuses and results
 * are the enums of src/domain/inspection.h.
 */
#ifndef KOUAN_REPO_INSPECTIONS_H
#define KOUAN_REPO_INSPECTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"
#include "domain/inspection.h"
#include "store/store.h"

struct inspection_row {
	int64_t id;
	char declaration_number[DECL_NUMBER_SIZE];
	int64_t org_id;
	enum inspection_status status;
	bool has_outcome;              /* once completed */
	enum finding_result outcome;
	char opened_at[TIME_TEXT_SIZE];
	char updated_at[TIME_TEXT_SIZE];
	char completed_at[TIME_TEXT_SIZE]; /* "" until completed or cancelled */
};

struct booking_row {
	char site_code[SITE_CODE_SIZE];
	char slot_start[TIME_TEXT_SIZE];
	int64_t seat;
	char booked_at[TIME_TEXT_SIZE];
	char booked_by[USERNAME_SIZE];
};

/* --- inspections --- */

/* The declaration's inspection under way (awaiting_booking, booked or
 * in_progress); KERR_NOT_FOUND when there is none. */
KOUAN_MUST_USE kerr repo_inspection_open_for(struct store_conn *c, const char *number,
					     struct inspection_row *out);
/* The declaration's most recent inspection, whatever its status. */
KOUAN_MUST_USE kerr repo_inspection_latest_for(struct store_conn *c, const char *number,
					       struct inspection_row *out);
KOUAN_MUST_USE kerr repo_inspection_get(struct store_conn *c, int64_t id,
					struct inspection_row *out);
/* Lock an inspection's row until the end of the transaction where several
 * writers may run at once (a no-op otherwise). */
KOUAN_MUST_USE kerr repo_inspection_lock(struct store_conn *c, int64_t id);
KOUAN_MUST_USE kerr repo_inspection_insert(struct store_conn *c, const char *number,
					   int64_t org_id, const char *now, int64_t *id);
/* Set the status; outcome NULL keeps it, completed_at NULL keeps it. */
KOUAN_MUST_USE kerr repo_inspection_set(struct store_conn *c, int64_t id,
					enum inspection_status status,
					const enum finding_result *outcome,
					const char *now, const char *completed_at);

/* Add an agency; *added false when it takes part already. */
KOUAN_MUST_USE kerr repo_inspection_agency_add(struct store_conn *c, int64_t id,
					       const char *agency, const char *now,
					       bool *added);
/* Take an agency out (it decided without the inspection). */
KOUAN_MUST_USE kerr repo_inspection_agency_remove(struct store_conn *c, int64_t id,
						  const char *agency);
/* KERR_OK when the agency takes part, KERR_NOT_FOUND when not. */
KOUAN_MUST_USE kerr repo_inspection_agency_in(struct store_conn *c, int64_t id,
					      const char *agency);

/* An agency taking part, with its finding when it has one. */
struct inspection_agency_row {
	const char *agency;
	const char *joined_at;
	bool has_finding;
	struct finding finding;
};
typedef kerr (*inspection_agency_fn)(void *arg, const struct inspection_agency_row *a);
/* The agencies taking part, by joining time. */
KOUAN_MUST_USE kerr repo_inspection_agencies(struct store_conn *c, int64_t id,
					     inspection_agency_fn fn, void *arg);
/* How many agencies take part, how many have a finding, how many of the
 * findings are problems. */
KOUAN_MUST_USE kerr repo_inspection_progress(struct store_conn *c, int64_t id,
					     int64_t *agencies, int64_t *findings,
					     int64_t *problems);

/* --- findings --- */

/* KERR_NOT_FOUND when the agency has recorded none. */
KOUAN_MUST_USE kerr repo_finding_get(struct store_conn *c, int64_t id, const char *agency,
				     struct finding *out);
/* Record a finding; KERR_CONFLICT when the agency has one already. */
KOUAN_MUST_USE kerr repo_finding_insert(struct store_conn *c, int64_t id,
					const char *number, const struct finding *f);

/* --- sites --- */

/* KERR_CONFLICT when the code is taken. */
KOUAN_MUST_USE kerr repo_site_insert(struct store_conn *c, const struct inspection_site *s);
KOUAN_MUST_USE kerr repo_site_get(struct store_conn *c, const char *code,
				  struct inspection_site *out);
typedef kerr (*site_fn)(void *arg, const struct inspection_site *s);
KOUAN_MUST_USE kerr repo_site_list(struct store_conn *c, site_fn fn, void *arg);

/* --- bookings --- */

KOUAN_MUST_USE kerr repo_booking_get(struct store_conn *c, int64_t inspection_id,
				     struct booking_row *out);
/* Take a free place of a slot for an inspection: KERR_OK with *seat, or
 * KERR_CONFLICT when all `capacity` places are taken. Race-free: a place
 * is a row keyed by (site, slot, seat), inserted with ON CONFLICT DO
 * NOTHING; a writer that lost a place to a concurrent one picks again. */
KOUAN_MUST_USE kerr repo_booking_take(struct store_conn *c, const char *site,
				      const char *slot_start, int64_t capacity,
				      int64_t inspection_id, const char *now,
				      const char *by, int64_t *seat);
/* Give up an inspection's booking (KERR_NOT_FOUND when it has none). */
KOUAN_MUST_USE kerr repo_booking_release(struct store_conn *c, int64_t inspection_id);

/* A booked place of a site's schedule (borrowed strings). */
struct site_booking_row {
	const char *slot_start;
	int64_t seat;
	int64_t inspection_id;
	const char *declaration_number;
	const char *status; /* the inspection's */
	const char *booked_at;
};
typedef kerr (*site_booking_fn)(void *arg, const struct site_booking_row *b);
/* The bookings of a site with slot_start in [from, to), by slot and seat. */
KOUAN_MUST_USE kerr repo_site_bookings(struct store_conn *c, const char *site,
				       const char *from, const char *to,
				       site_booking_fn fn, void *arg);

#endif
