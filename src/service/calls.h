/*
 * calls.h - the call of a conveyance at a port as the transport services
 * share it: who may act as a carrier, who may see a call, its lock, the
 * events on its own timeline, and reading a call (its state, reports,
 * manifests and timeline).
 *
 * A call is one visit of one conveyance to one port on one voyage; its key
 * (domain/transport.h) ties the conveyance reports, the manifests, the
 * tally reports, the yard events and the declarations of its goods
 * together. Its events live on its own timeline (declaration number "",
 * the call key set); events that concern a declaration (its match, its
 * container leaving the terminal) are on the declaration's timeline, with
 * the call named.
 */
#ifndef KOUAN_CALLS_H
#define KOUAN_CALLS_H

#include "service/service.h"
#include "store/repo_transport.h"

/* Is the actor a carrier (role carrier, in an organisation of kind
 * carrier)? When not, *why says so and KERR_FORBIDDEN is returned. */
KOUAN_MUST_USE kerr calls_carrier(const struct actor *a, struct refusal *why);

/* May the actor see the call? Carriers: the calls they reported or
 * manifested first; port operators: calls at their port; officers,
 * analysts, admins and kouan: all. Declarants: none. */
bool calls_may_see(const struct actor *a, const struct call_row *call);

/* Who reads which documents of the transport side (reports, manifests):
 * a carrier those of its organisation, a port operator those at its port,
 * a declarant none; officers, analysts and admins all, or, with
 * customs_only, of the officers only customs (manifests). */
bool calls_document_visible(const struct actor *a, bool customs_only, int64_t org_id,
			    const char *port);
/* The same as a list's filter: *org_id or *port narrowed for a carrier or
 * a port operator. KERR_FORBIDDEN for those who read none; *none when the
 * actor may list nothing (a port operator whose organisation has no port). */
KOUAN_MUST_USE kerr calls_list_scope(const struct actor *a, bool customs_only, int64_t *org_id,
				     const char **port, bool *none);

/* Lock the call (creating its row), naming its carrier when it has none
 * yet (carrier_org_id 0: none). The lock comes before any declaration's. */
KOUAN_MUST_USE kerr calls_lock(struct uow *u, const char *key, const char *mode,
			       const char *port, int64_t carrier_org_id);

/* Lock the call for one declaration's claim of `bill` and its containers
 * (repo_call_lock_claim): claims of other bills and containers on the call
 * are not held up; calls_lock waits for them. */
KOUAN_MUST_USE kerr calls_lock_claim(struct uow *u, const char *key, const char *mode,
				     const char *port, const char *bill,
				     const char (*containers)[CONTAINER_NUMBER_MAX],
				     size_t ncontainers);

/* An event on the call's own timeline (org: the call's carrier). */
KOUAN_MUST_USE kerr calls_event(struct uow *u, const struct actor *a, enum event_type type,
				const char *key, const char *agency, const char *at,
				json_t *data);

/* A call as a reader sees it: its row, its reports (arrival, departure;
 * without bodies) and its manifests. */
struct call_view {
	struct call_row row;
	struct report_row reports[2];
	size_t nreports;
	struct manifest_row manifests[MANIFEST_KIND_COUNT];
	size_t nmanifests;
};

/* The call `key` the actor may see; KERR_NOT_FOUND when unknown or not
 * visible (the two are not told apart). */
KOUAN_MUST_USE kerr calls_get(struct uow *u, const struct actor *a, const char *key,
			      struct call_view *out);

/* A call's event as a carrier may see it: a container's events name no
 * declaration, and a refusal at the gate says what kind of thing was
 * missing (a permission, a release, a match), never which declaration or
 * what it waits for (a carrier sees no declarations). Calls fn with the
 * event as it is, or as redacted. */
struct carrier_events {
	event_row_fn fn;
	void *arg;
};
KOUAN_MUST_USE kerr calls_event_for_carrier(void *carrier_events, const struct event_row *e);

/* The call's own events after `after`, at most `limit` (same visibility;
 * a carrier's through calls_event_for_carrier). */
KOUAN_MUST_USE kerr calls_events(struct uow *u, const struct actor *a, const char *key,
				 int64_t after, int limit, event_row_fn fn, void *arg);

#endif
