/*
 * money_state.h - the money tables' state in a running kouan (behind
 * services->money): the tariff and exchange rates in force, built in
 * memory and shared by reference count. Made by services_init; used by
 * money_tables.c, which rebuilds the tables when the store's stamp moves.
 *
 * Never: reach the store or a unit of work (services.c, below uow.c,
 * makes and frees this state).
 */
#ifndef KOUAN_MONEY_STATE_H
#define KOUAN_MONEY_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/exchange.h"
#include "domain/tariff.h"
#include "service/service.h"

#define MONEY_STAMP_SIZE 33

/* The tariff and exchange rates as of one stamp (read only; shared). */
struct money_tables {
	struct tariff *tariff;
	struct exchange_table *rates;
	char stamp[MONEY_STAMP_SIZE];
	int refs;
};

/* Drop one reference; the last frees the tables. NULL is allowed. */
void money_tables_release(struct money_tables *t);

struct money_state {
	pthread_mutex_t lock;
	struct money_tables *current; /* NULL until first used */
	/* Where the store tells this server of every change to the tables
	 * (money_tables_watched: PostgreSQL's watch), `heard` counts the
	 * changes told (money_tables_changed, atomic), and tables built
	 * from the stamp read when it stood at `trusted_at` (under lock) are
	 * used without reading the stamp again until it moves. */
	bool watched;
	uint64_t heard;
	uint64_t trusted_at;
};

/* Whether the store tells this server of the tables' changes from now on
 * (app.c, as its watch listens or stops): while it does, the stamp need not
 * be read at every use. Either way, the next use reads it. */
void money_tables_watched(struct services *s, bool watched);

/* The tables changed, here (after the commit) or on another server (its
 * announcement heard), or may have while nobody listened: the next use
 * reads the stamp. */
void money_tables_changed(struct services *s);

/* Made by services_init, freed by services_free. */
KOUAN_MUST_USE kerr money_state_init(struct services *s);
void money_state_free(struct services *s);

#endif
