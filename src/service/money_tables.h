/*
 * money_tables.h - the tables money is computed from, as kouan keeps them:
 * tariff versions, exchange rates and port fee catalogues. Loading a
 * document (an admin's, over the API or from a file) checks it whole with
 * the domain's parser and stores it; nothing loaded is edited in place, so
 * every assessment and charge can name the table it used.
 *
 * The tariff and the rates are read often (every assessment) and change
 * rarely: a running kouan keeps them built in memory (struct money_tables,
 * shared by reference count), rebuilt when the tables' stamp in the store
 * differs from the one it was built from. Every load writes a new random
 * stamp in its transaction, so a server sees another server's loads, and a
 * load that rolled back never leaves its tables behind. Where the store
 * tells every server of every load (STORE_TOPIC_MONEY, announced with the
 * new stamp: PostgreSQL's watch), the stamp is read only when a load was
 * told since the tables were built, or the watch stopped listening
 * meanwhile: not at every assessment. A load is told at its commit, to the
 * other servers as the announcement arrives (milliseconds) and to its own
 * at once (uow_commit); a unit of work that loads reads its own stamp.
 *
 * Nothing here moves a declaration: what follows a load (reassessing the
 * declarations it concerns) is the caller's (src/service/taxes.c).
 */
#ifndef KOUAN_MONEY_TABLES_H
#define KOUAN_MONEY_TABLES_H

#include <jansson.h>
#include <stddef.h>

#include "domain/exchange.h"
#include "domain/fees.h"
#include "domain/tariff.h"
#include "service/money_state.h"
#include "service/service.h"
#include "store/repo_money.h"

/* The tables in force as the unit's transaction sees them (retained: call
 * money_tables_release, money_state.h). */
KOUAN_MUST_USE kerr money_tables_get(struct uow *u, struct money_tables **out);

/* What a load stored. */
struct money_loaded {
	char id[MONEY_ID_SIZE]; /* tariff version or fee catalogue */
	size_t added;           /* lines, rates or items stored */
	size_t unchanged;       /* rates loaded before with the same value */
};

/* Load a tariff version (its JSON form, tariff.h). KERR_INVALID with every
 * problem (/lines/3/mfn/percent ...); KERR_CONFLICT on /id or
 * /effective_from when another version has that id or takes effect that
 * day. Audited. */
KOUAN_MUST_USE kerr money_tariff_load(struct uow *u, const struct actor *a, const json_t *doc,
				      struct money_loaded *out, struct refusal *why);

/* Load exchange rates ({"rates": [...]}, exchange.h). A rate already
 * stored for that currency and month is taken again only with the same
 * value (counted unchanged); another value is refused (KERR_CONFLICT on
 * /rates/N/cny_per_unit): a published rate is not changed once
 * assessments may have used it. Audited. */
KOUAN_MUST_USE kerr money_rates_load(struct uow *u, const struct actor *a, const json_t *doc,
				     struct money_loaded *out, struct refusal *why);

/* Load a port's fee catalogue (fees.h). KERR_CONFLICT on /id, or on
 * /effective_from when the port has a catalogue from that day. Audited. */
KOUAN_MUST_USE kerr money_fees_load(struct uow *u, const struct actor *a, const json_t *doc,
				    struct money_loaded *out, struct refusal *why);

/* Tariff version headers, by date. */
KOUAN_MUST_USE kerr money_tariff_versions(struct uow *u, tariff_version_fn fn, void *arg);
/* A tariff version by id, and the line in force for a 10-digit code on a
 * date, from the tables in force (*t retained: money_tables_release;
 * *v and m borrow from it). KERR_NOT_FOUND when there is none. */
KOUAN_MUST_USE kerr money_tariff_version(struct uow *u, const char *id,
					 struct money_tables **t,
					 const struct tariff_version **v);
KOUAN_MUST_USE kerr money_tariff_line(struct uow *u, const char *code, int32_t date,
				      struct money_tables **t, struct tariff_match *m);
/* Exchange rates, by currency and month (currency NULL: all). */
KOUAN_MUST_USE kerr money_rates(struct uow *u, const char *currency, exchange_rate_fn fn,
				void *arg);

/* A fee catalogue by id, or the one of `port` in force on `date` (id
 * NULL); *out to free with fee_catalogue_free. KERR_NOT_FOUND. */
KOUAN_MUST_USE kerr money_fee_catalogue(struct uow *u, const char *id, const char *port,
					int32_t date, struct fee_catalogue **out);
/* The ports that have published a catalogue (each once, sorted); fn is
 * called with each port code. */
KOUAN_MUST_USE kerr money_fee_ports(struct uow *u, kerr (*fn)(void *arg, const char *port),
				    void *arg);

/* Today's date in China Standard Time (customs dates), from the clock. */
int32_t money_today(struct uow *u);

/* A growing list of short codes (declaration numbers, ports) that a row
 * callback fills, for the use cases that act on each row after reading
 * them all. */
#define CODE_LIST_SIZE DECL_NUMBER_SIZE
struct code_list {
	char (*codes)[CODE_LIST_SIZE];
	size_t n, cap;
};
/* Append `code` (arg: struct code_list); KERR_NOMEM when memory runs out. */
KOUAN_MUST_USE kerr code_list_add(void *arg, const char *code);
void code_list_free(struct code_list *l);

#endif
