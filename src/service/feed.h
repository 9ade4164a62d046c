/*
 * feed.h - the event feed: every event an actor may see, after a cursor.
 * Declarants see their organisation's declarations and those lodged for
 * it as consignee; officers, declarations with a task for their agency and
 * every call's own events; port operators, declaration.released events and
 * the calls at their own port only; carriers, their own calls' events;
 * analysts and admins, everything.
 */
#ifndef KOUAN_FEED_H
#define KOUAN_FEED_H

#include "service/service.h"
#include "store/repo.h"

/* Events after id `after` the actor may see, at most `limit`, in id (and
 * so commit) order. */
KOUAN_MUST_USE kerr feed_read(struct uow *u, const struct actor *a, int64_t after, int limit,
			      event_row_fn fn, void *arg);

#endif
