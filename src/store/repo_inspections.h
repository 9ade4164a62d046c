/*
 * repo_inspections.h - the queries of the joint inspection and its
 * appointments (tables of migration 0003): inspections, the agencies taking
 * part, their findings, inspection sites and bookings of their slots.
 *
 * Portable SQL like repo.h; the caller owns the transaction. Rows that a
 * change reads first are locked with repo_inspection_lock (after the
 * declaration's lock: declaration, then inspection, then bookings, always in
 * that order, so concurrent writers cannot deadlock). Lists come back as
 * jansson values (new references).
 */
#ifndef KOUAN_REPO_INSPECTIONS_H
#define KOUAN_REPO_INSPECTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "store/store.h"

#define SITE_CODE_MAX 16

struct inspection_row {
	int64_t id;
	char declaration_number[19];
	int64_t org_id;
	char status[20];       /* awaiting_booking, booked, in_progress, completed, cancelled */
	char outcome[16];      /* "" until completed, then no_problem or problem */
	char opened_at[32];
	char updated_at[32];
	char completed_at[32]; /* "" until completed or cancelled */
};

struct site_row {
	char code[SITE_CODE_MAX + 1];
	char name[201];
	char port[8];
	int64_t slot_minutes;
	int64_t capacity;
	char created_at[32];
};

struct booking_row {
	char site_code[SITE_CODE_MAX + 1];
	char slot_start[32];
	int64_t seat;
	char booked_at[32];
	char booked_by[65];
};

struct finding_row {
	char agency[16];
	char result[16];          /* no_problem or problem */
	char decision[16];        /* "" or return / reject */
	char note[512];
	char recognised_from[16]; /* "" unless recognised */
	char recorded_by[65];
	char recorded_at[32];
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
/* Set the status; outcome and completed_at NULL keep theirs. */
KOUAN_MUST_USE kerr repo_inspection_set(struct store_conn *c, int64_t id,
					const char *status, const char *outcome,
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
/* [{agency, joined_at, finding: null | {result, decision, note,
 * recognised_from, recorded_by, recorded_at}}] by agency. */
json_t *repo_inspection_agencies(struct store_conn *c, int64_t id);
/* How many agencies take part, how many have a finding, how many of the
 * findings are problems. */
KOUAN_MUST_USE kerr repo_inspection_progress(struct store_conn *c, int64_t id,
					     int64_t *agencies, int64_t *findings,
					     int64_t *problems);
/* The status of the declaration the inspection is for. */
KOUAN_MUST_USE kerr repo_inspection_decl_status(struct store_conn *c, const char *number,
						char *out, size_t n);

/* --- findings --- */

KOUAN_MUST_USE kerr repo_finding_get(struct store_conn *c, int64_t id, const char *agency,
				     struct finding_row *out);
/* Record a finding; KERR_CONFLICT when the agency has one already. */
KOUAN_MUST_USE kerr repo_finding_insert(struct store_conn *c, int64_t id,
					const char *number, const struct finding_row *f);

/* --- sites --- */

/* KERR_CONFLICT when the code is taken. */
KOUAN_MUST_USE kerr repo_site_insert(struct store_conn *c, const struct site_row *s);
KOUAN_MUST_USE kerr repo_site_get(struct store_conn *c, const char *code,
				  struct site_row *out);
json_t *repo_site_list(struct store_conn *c);

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
/* The bookings of a site with slot_start in [from, to), by slot and seat:
 * [{slot_start, seat, inspection, declaration_number, status, booked_at}]. */
json_t *repo_site_bookings(struct store_conn *c, const char *site, const char *from,
			   const char *to);

#endif
