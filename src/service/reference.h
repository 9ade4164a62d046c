/*
 * reference.h - admins' edits of the reference lists. An edit is audited,
 * tells the other servers, and takes effect at once: the snapshot
 * validation uses is rebuilt when the unit of work commits.
 */
#ifndef KOUAN_REFERENCE_H
#define KOUAN_REFERENCE_H

#include <jansson.h>

#include "service/service.h"

/* Check an entry for list `list` and code `code`; problems into p. */
void reference_entry_check(const struct refdata *ref, const char *list, const char *code,
			   const json_t *entry, struct problems *p);

/* Put (replace or add) an entry; its code is set to `code`. KERR_NOT_FOUND
 * for an unknown list, KERR_INVALID with field problems when the entry is
 * not valid. */
KOUAN_MUST_USE kerr reference_put(struct uow *u, const struct actor *a, const char *list,
				  const char *code, json_t *entry, struct refusal *why);
/* Delete an entry; KERR_NOT_FOUND with *why when there is none. */
KOUAN_MUST_USE kerr reference_delete(struct uow *u, const struct actor *a, const char *list,
				     const char *code, struct refusal *why);

#endif
