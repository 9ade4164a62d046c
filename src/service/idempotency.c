/* idempotency.c - Idempotency-Key records (see idempotency.h). */
#include "service/idempotency.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
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
	if (e != KERR_CONFLICT)
		return e;
	struct idem_row r;
	e = repo_idem_get(c, a->org_id, key, &r);
	if (e)
		return e;
	memcpy(prior->hash, r.hash, sizeof prior->hash);
	prior->status = r.status;
	memcpy(prior->number, r.number, sizeof prior->number);
	prior->version = r.version;
	prior->text = r.response;
	return KERR_OK;
}

static kerr finish(struct uow *u, const struct actor *a, const char *key, struct idem_row *r)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_idem_finish(c, a->org_id, key, r);
}

kerr idempotency_record(struct uow *u, const struct actor *a, const char *key,
			const char *hash, int status, const char *answer)
{
	struct idem_row r = {.status = status, .response = (char *)answer};
	str_copy(r.hash, hash, sizeof r.hash);
	return finish(u, a, key, &r);
}

kerr idempotency_record_declaration(struct uow *u, const struct actor *a, const char *key,
				    const char *hash, int status, const char *number,
				    int64_t version, const char *moment)
{
	struct idem_row r = {.status = status, .version = version, .response = (char *)moment};
	str_copy(r.hash, hash, sizeof r.hash);
	str_copy(r.number, number, sizeof r.number);
	return finish(u, a, key, &r);
}

kerr idempotency_declaration(struct uow *u, const struct actor *a,
			     const struct idempotent_answer *prior, struct declaration *d)
{
	memset(d, 0, sizeof *d);
	kerr e = clearance_load(u, a, prior->number, false, d);
	if (e || d->row.version == prior->version)
		return e;
	/* corrected since: the answer showed the body of its own version */
	struct store_conn *c;
	char *body = NULL;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_decl_version_body(c, prior->number, prior->version, &body);
	if (e) {
		declaration_free(d);
		return e == KERR_NOT_FOUND ? KERR_INTERNAL : e;
	}
	if (d->has_facts)
		declaration_facts_free(&d->facts);
	d->has_facts = false;
	free(d->row.body);
	d->row.body = body;
	d->row.version = prior->version;
	return KERR_OK;
}
