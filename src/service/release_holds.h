/*
 * release_holds.h - what a release waits for besides every agency's
 * clearance, and what the other parts of a shipment do when the
 * declaration is released or ends without release.
 *
 * This is the one place where a part of the single window adds itself to
 * the release: the joint inspection holds it while a finding is awaited;
 * the manifest match (transport) and payment or guarantee (money) add
 * their rows to the table in release_holds.c, in the order they are asked.
 * clearance_settle asks the holds before it releases, calls the released
 * steps in the same unit of work as the notice, and the ended steps when a
 * declaration is rejected or withdrawn.
 */
#ifndef KOUAN_RELEASE_HOLDS_H
#define KOUAN_RELEASE_HOLDS_H

#include "common/sizes.h"
#include "service/declaration_state.h"
#include "service/service.h"

#define RELEASE_PART_SIZE 24

/* What holds a release: the part ("inspection", ...) and why, in words
 * for the declarant and the officers. part[0] == '\0': nothing holds it. */
struct release_hold {
	char part[RELEASE_PART_SIZE];
	char reason[REASON_SIZE];
};

/* One part of a shipment and its steps (each may be NULL). */
struct release_part {
	const char *name;
	/* Does this part hold the release of d, whose tasks are all cleared?
	 * Fill hold->reason and set *held. */
	kerr (*holds)(struct uow *u, struct declaration *d, bool *held, char *reason,
		      size_t reason_size);
	/* d was released at `now` (same unit of work as the notice). */
	kerr (*released)(struct uow *u, struct declaration *d, const char *now);
	/* d ended without release (rejected or withdrawn); `why` says which. */
	kerr (*ended)(struct uow *u, struct declaration *d, const char *now, const char *why);
};

/* The first part that holds d's release, in table order. */
KOUAN_MUST_USE kerr release_holds_check(struct uow *u, struct declaration *d,
					struct release_hold *hold);
/* Every part's released step, in table order. */
KOUAN_MUST_USE kerr release_holds_released(struct uow *u, struct declaration *d,
					   const char *now);
/* Every part's ended step, in table order. */
KOUAN_MUST_USE kerr release_holds_ended(struct uow *u, struct declaration *d, const char *now,
					const char *why);

#endif
