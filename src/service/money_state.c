/*
 * money_state.c - the money tables' state in a running kouan: made,
 * released and freed (see money_state.h).
 *
 * Never: reach the store or a unit of work.
 */
#include "service/money_state.h"

#include <stdlib.h>

kerr money_state_init(struct services *s)
{
	struct money_state *m = calloc(1, sizeof *m);
	if (!m)
		return KERR_NOMEM;
	pthread_mutex_init(&m->lock, NULL);
	m->trusted_at = UINT64_MAX; /* nothing built yet */
	s->money = m;
	return KERR_OK;
}

void money_tables_watched(struct services *s, bool watched)
{
	pthread_mutex_lock(&s->money->lock);
	s->money->watched = watched;
	pthread_mutex_unlock(&s->money->lock);
	money_tables_changed(s);
}

void money_tables_changed(struct services *s)
{
	__atomic_add_fetch(&s->money->heard, 1, __ATOMIC_ACQ_REL);
}

static void tables_free(struct money_tables *t)
{
	tariff_free(t->tariff);
	exchange_table_free(t->rates);
	free(t);
}

void money_tables_release(struct money_tables *t)
{
	if (t && __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		tables_free(t);
}

void money_state_free(struct services *s)
{
	struct money_state *m = s->money;
	if (!m)
		return;
	money_tables_release(m->current);
	pthread_mutex_destroy(&m->lock);
	free(m);
	s->money = NULL;
}
