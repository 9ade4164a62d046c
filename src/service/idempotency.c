/* idempotency.c - Idempotency-Key records (see idempotency.h). */
#include "service/idempotency.h"

#include <string.h>

#include "store/repo.h"

kerr idempotency_claim(struct uow *u, const struct actor *a, const char *key, bool *claimed,
		       struct idempotent_answer *prior)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	memset(prior, 0, sizeof *prior);
	*claimed = false;
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_idem_claim(c, a->org_id, key, now);
	if (e == KERR_OK) {
		*claimed = true;
		return KERR_OK;
	}
	if (e == KERR_CONFLICT)
		e = repo_idem_get(c, a->org_id, key, prior->hash, &prior->status, &prior->text);
	return e;
}

kerr idempotency_record(struct uow *u, const struct actor *a, const char *key,
			const char *hash, int status, const char *answer)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_idem_finish(c, a->org_id, key, hash, status, answer);
}
