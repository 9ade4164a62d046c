/*
 * housekeeping.h - the server's background purge (service/retention.h):
 * one thread that, every HOUSEKEEPING_PERIOD_S, deletes expired tokens and
 * idempotency records past their window in chunks of RETENTION_CHUNK rows,
 * each chunk its own short transaction with a pause after it, so that
 * lodgements are never held up behind a long delete. It must never run a
 * long transaction, nor keep the server from stopping promptly.
 */
#ifndef KOUAN_HOUSEKEEPING_H
#define KOUAN_HOUSEKEEPING_H

#include "service/service.h"

#define HOUSEKEEPING_PERIOD_S 60
#define HOUSEKEEPING_PAUSE_MS 20 /* between two chunks */

struct housekeeping;

/* Start the thread (first round at once). NULL when it cannot start. */
struct housekeeping *housekeeping_start(struct services *s);
/* Stop it (waits for the chunk in progress) and free it; NULL is fine. */
void housekeeping_stop(struct housekeeping *h);

#endif
