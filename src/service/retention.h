/*
 * retention.h - what kouan stops keeping: tokens a day after they expired,
 * and idempotency records once their window (IDEMPOTENCY_WINDOW_S) is
 * over, deleted in small chunks, each its own short transaction, so that
 * lodgements go on between them. It must never delete anything an audit
 * needs: declarations, their versions, events, notices and the audit log
 * are kept whole; a token's creation and revocation are in the audit log.
 */
#ifndef KOUAN_RETENTION_H
#define KOUAN_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "service/service.h"

/* How long a key answers a retry with the first answer: after it, the same
 * key is a new request (a lodgement of the same consignment is then
 * refused by the consignment's claim, not replayed). */
#define IDEMPOTENCY_WINDOW_S (7 * 24 * 3600)
/* Tokens are kept this long after they expire. */
#define TOKEN_KEEP_AFTER_EXPIRY_S (24 * 3600)
/* Rows deleted in one transaction. */
#define RETENTION_CHUNK 500

struct retention_counts {
	int64_t tokens;
	int64_t idempotency;
};

/* One chunk of each kind (at most `chunk` rows each, each kind in its own
 * unit of work), as of the services' clock; what was deleted is added to
 * *n. *more is true when a kind filled its chunk (call again). */
KOUAN_MUST_USE kerr retention_purge_chunk(struct services *s, size_t chunk,
					  struct retention_counts *n, bool *more);

#endif
