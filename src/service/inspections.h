/*
 * inspections.h - the use cases of the joint inspection and its
 * appointments: read an inspection, record or recognise a finding, book,
 * move or cancel the appointment, and manage inspection sites and their
 * schedules.
 *
 * An inspection is visible to the declarant's organisation, the agencies
 * taking part, analysts and admins; to anyone else it answers
 * KERR_NOT_FOUND. Changes lock the declaration's row, then the
 * inspection's, then touch bookings, always in that order.
 */
#ifndef KOUAN_INSPECTIONS_H
#define KOUAN_INSPECTIONS_H

#include "domain/inspection.h"
#include "service/service.h"
#include "store/repo_inspections.h"

#define INSPECTION_AGENCIES_MAX 16

/* An agency taking part in an inspection. */
struct inspection_participant {
	char agency[AGENCY_CODE_SIZE];
	char joined_at[TIME_TEXT_SIZE];
	bool has_finding;
	struct finding finding;
};

/* An inspection as it stands, with what its readers are shown. */
struct inspection_state {
	struct inspection_row row;
	enum declaration_status declaration_status;
	bool booked;
	struct booking_row booking;  /* when booked */
	struct inspection_site site; /* the booked site */
	size_t nagencies;
	struct inspection_participant agencies[INSPECTION_AGENCIES_MAX];
};

/* Parse an inspection id from text (a positive number); false when not. */
bool inspection_id_parse(const char *s, int64_t *id);

KOUAN_MUST_USE kerr inspections_get(struct uow *u, const struct actor *a, int64_t id,
				    struct inspection_state *out);
/* The most recent inspection of a declaration visible to the actor. */
KOUAN_MUST_USE kerr inspections_of_declaration(struct uow *u, const struct actor *a,
					       const char *number,
					       struct inspection_state *out);

/* Record agency f->agency's finding (an officer of that agency); it moves
 * the agency's task (no problem: cleared; problem: its decision). */
KOUAN_MUST_USE kerr inspections_record_finding(struct uow *u, const struct actor *a,
					       int64_t id, struct finding *f,
					       struct inspection_state *out,
					       struct refusal *why);
/* Agency `agency` recognises `from`'s finding as its own (监管互认). */
KOUAN_MUST_USE kerr inspections_recognise(struct uow *u, const struct actor *a, int64_t id,
					  const char *agency, const char *from,
					  struct inspection_state *out, struct refusal *why);

/* A supervisor of `agency` waives its part of the inspection, with the
 * reason: the agency leaves the inspection (closed when nobody is left)
 * and its task is cleared by the supervisor, "inspection waived". The
 * waiver is audited. KERR_FORBIDDEN unless the actor is a supervisor of
 * that agency; KERR_CONFLICT when the agency's finding is recorded or the
 * inspection is over. */
KOUAN_MUST_USE kerr inspections_waive(struct uow *u, const struct actor *a, int64_t id,
				      const char *agency, const char *reason,
				      struct inspection_state *out, struct refusal *why);

/* May an officer record findings for `agency`? KERR_FORBIDDEN otherwise. */
KOUAN_MUST_USE kerr inspections_may_record(const struct actor *a, const char *agency,
					   struct refusal *why);

/* Book (move false) or move (move true) the appointment to the slot of
 * `site_code` starting at slot_us. Field problems (/site, /slot_start) go
 * to why->fields. */
KOUAN_MUST_USE kerr inspections_book(struct uow *u, const struct actor *a, int64_t id,
				     const char *site_code, int64_t slot_us, bool move,
				     struct inspection_state *out, struct refusal *why);
KOUAN_MUST_USE kerr inspections_cancel(struct uow *u, const struct actor *a, int64_t id,
				       struct inspection_state *out, struct refusal *why);

/* Create a site (an admin); created_at is set here. KERR_CONFLICT (field
 * /code) when the code is taken. */
KOUAN_MUST_USE kerr inspections_site_create(struct uow *u, const struct actor *a,
					    struct inspection_site *s, struct refusal *why);
KOUAN_MUST_USE kerr inspections_site_list(struct uow *u, site_fn fn, void *arg);
KOUAN_MUST_USE kerr inspections_site_get(struct uow *u, const char *code,
					 struct inspection_site *out);

/* The bookings of a site on the UTC day starting at day_us; *details says
 * whether the actor may see who booked what (officers, analysts, admins)
 * or only places taken and free. */
KOUAN_MUST_USE kerr inspections_schedule(struct uow *u, const struct actor *a,
					 const char *code, int64_t day_us,
					 struct inspection_site *site, bool *details,
					 site_booking_fn fn, void *arg);

#endif
