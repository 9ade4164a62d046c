/*
 * mandates.h - electronic mandates (委托): a consignee registered with the
 * single window lets an agent (a customs broker, or another trader)
 * declare for it, for imports, exports or both, for a stated period. A
 * declaration naming a consignee other than the declarant's own
 * organisation is accepted only under such a mandate in force, and the
 * consignee sees the declarations lodged for it.
 */
#ifndef KOUAN_MANDATES_H
#define KOUAN_MANDATES_H

#include "service/service.h"
#include "store/repo.h"

#define MANDATE_MAX_DAYS 1096 /* three years */

struct mandate_input {
	const char *agent_uscc;
	const char *scope; /* import, export or both */
	int64_t valid_from_us;
	int64_t valid_to_us;
};

/* The consignee (the actor's organisation) gives a mandate. Field problems
 * (/agent_uscc, /scope, /valid_to) go to why->fields. Audited. */
KOUAN_MUST_USE kerr mandates_create(struct uow *u, const struct actor *a,
				    const struct mandate_input *in, struct mandate_row *out,
				    struct refusal *why);
/* The mandates the actor's organisation gave or holds, newest first. */
KOUAN_MUST_USE kerr mandates_list(struct uow *u, const struct actor *a, mandate_fn fn,
				  void *arg);
/* The consignee revokes a mandate it gave (KERR_NOT_FOUND for any other).
 * Audited. */
KOUAN_MUST_USE kerr mandates_revoke(struct uow *u, const struct actor *a, int64_t id,
				    struct mandate_row *out, struct refusal *why);

/* May the actor declare goods for `consignee_uscc` in this direction now?
 * Its own organisation always; another only under a mandate in force.
 * KERR_INVALID with the field /consignee_uscc and why not. */
KOUAN_MUST_USE kerr mandates_cover(struct uow *u, const struct actor *a,
				   const char *consignee_uscc, bool import, struct refusal *why);

#endif
