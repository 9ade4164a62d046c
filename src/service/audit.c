/* audit.c - reading the audit log and checking its chain (see audit.h). */
#include "service/audit.h"

#include <string.h>

#include "common/buf.h"

kerr audit_list(struct uow *u, const struct audit_filter *f, audit_row_fn fn, void *arg)
{
	if (f->limit < 1 || f->limit > AUDIT_PAGE_MAX)
		return KERR_INVALID;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_audit_list(c, f, fn, arg);
}

kerr audit_head(struct uow *u, struct audit_head_row *out)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_audit_head_get(c, out);
}

struct page {
	struct audit_verifier *v;
	int64_t last_id;
	size_t n;
};

static kerr check_row(void *arg, const struct audit_row *r)
{
	struct page *p = arg;
	audit_verifier_row(p->v, r);
	p->last_id = r->id;
	p->n++;
	return KERR_OK;
}

#define VERIFY_PAGE 2000

kerr audit_verify(struct uow *u, const struct audit_keys *keys, int64_t expect_id,
		  const char *expect_hash, audit_finding_fn fn, void *arg,
		  struct audit_verdict *out)
{
	memset(out, 0, sizeof *out);
	struct store_conn *c;
	struct audit_head_row before, after;
	struct audit_verifier v;
	audit_verifier_init(&v, keys, fn, arg);
	if (expect_hash)
		audit_verifier_expect(&v, expect_id, expect_hash);
	/* in pages, each its own short read, so that a long check holds
	 * nothing open; the head is read before and after */
	kerr e = repo_audit_head_get(uow_peek(u), &before);
	struct page p = {&v, 0, 0};
	do {
		struct audit_filter f = {.after = p.last_id, .limit = VERIFY_PAGE};
		p.n = 0;
		if (!e)
			e = uow_conn(u, &c);
		if (!e)
			e = repo_audit_list(c, &f, check_row, &p);
		uow_end_read(u);
	} while (!e && p.n == VERIFY_PAGE);
	if (!e)
		e = repo_audit_head_get(uow_peek(u), &after);
	if (e)
		return e;
	int64_t last = v.next_id - 1;
	if (last < before.last_id) /* rows the head had before the check began are gone */
		audit_verifier_head(&v, before.last_id, before.hash, "the head in the database");
	else if (last >= after.last_id || last == before.last_id)
		audit_verifier_head(&v, last == before.last_id ? before.last_id : after.last_id,
				    last == before.last_id ? before.hash : after.hash,
				    "the head in the database");
	else /* rows appended during the check: each was checked as seen */
		audit_verifier_head(&v, 0, NULL, "the head in the database");
	out->rows = v.rows;
	out->findings = v.findings;
	out->first_id = v.first_id;
	out->last_id = last;
	str_copy(out->last_hash, v.last_hash, sizeof out->last_hash);
	return KERR_OK;
}
