/*
 * housekeeping.h - the server's background upkeep, on one thread:
 *   - every HOUSEKEEPING_PERIOD_S, the purge (service/retention.h) of
 *     expired tokens and idempotency records past their window, in chunks
 *     of RETENTION_CHUNK rows, each chunk its own short transaction with a
 *     pause after it, so that lodgements are never held up behind a long
 *     delete;
 *   - every HOUSEKEEPING_GROWN_S, the planner's statistics gathered again
 *     for tables that grew past them (store_analyse_grown), so that a new
 *     database is not planned as the empty one it was for its first minute;
 *   - once a day, the store's own upkeep (store_maintain: on PostgreSQL
 *     the partitions of the months ahead), which a server that runs for
 *     months would otherwise do only at its start.
 * It must never run a long transaction, nor keep the server from stopping
 * promptly.
 */
#ifndef KOUAN_HOUSEKEEPING_H
#define KOUAN_HOUSEKEEPING_H

#include <stdint.h>

#include "service/service.h"

#define HOUSEKEEPING_PERIOD_S 60
#define HOUSEKEEPING_PAUSE_MS 20 /* between two chunks */
#define HOUSEKEEPING_GROWN_S 5
/* A table is analysed once changed this many times (and by its size). */
#define HOUSEKEEPING_GROWN_CHANGES 1000
#define HOUSEKEEPING_MAINTAIN_S (24 * 3600)

struct housekeeping;

/* How often each duty runs, in milliseconds. */
struct housekeeping_periods {
	int64_t purge_ms;    /* and the wait before a failed upkeep is tried again */
	int64_t grown_ms;
	int64_t maintain_ms;
};

/* Start the thread with the periods above (the purge and the statistics at
 * once, the store's upkeep a day after the start's). NULL when it cannot
 * start. */
struct housekeeping *housekeeping_start(struct services *s);
/* The same with other periods (tests make them short). */
struct housekeeping *housekeeping_start_every(struct services *s,
					      const struct housekeeping_periods *every);
/* Stop it (waits for the chunk in progress) and free it; NULL is fine. */
void housekeeping_stop(struct housekeeping *h);

#endif
