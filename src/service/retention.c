/* retention.c - purging what has outlived its use (see retention.h). */
#include "service/retention.h"

#include "common/clock.h"
#include "store/repo_ingest.h"

struct purge {
	int64_t now_us;
	int64_t limit;
	int64_t n;
	bool tokens; /* else idempotency records */
};

static kerr purge_one(struct uow *u, void *arg)
{
	struct purge *p = arg;
	struct store_conn *c;
	char before[KTIME_TEXT_MAX];
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	if (p->tokens) {
		ktime_format(p->now_us - TOKEN_KEEP_AFTER_EXPIRY_S * 1000000LL, before);
		return repo_tokens_purge(c, before, p->limit, &p->n);
	}
	ktime_format(p->now_us - IDEMPOTENCY_WINDOW_S * 1000000LL, before);
	return repo_idem_purge(c, before, p->limit, &p->n);
}

kerr retention_purge_chunk(struct services *s, size_t chunk, struct retention_counts *n,
			   bool *more)
{
	*more = false;
	struct purge p = {.now_us = kclock_now(s->clock), .limit = (int64_t)chunk, .tokens = true};
	kerr e = uow_run(s, true, purge_one, &p);
	if (e)
		return e;
	n->tokens += p.n;
	*more = p.n >= (int64_t)chunk;
	p.tokens = false;
	p.n = 0;
	e = uow_run(s, true, purge_one, &p);
	if (e)
		return e;
	n->idempotency += p.n;
	*more = *more || p.n >= (int64_t)chunk;
	return KERR_OK;
}
