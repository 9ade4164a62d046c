/*
 * money_load.h - the money tables a database starts with, and the offline
 * admin commands that load them from files: tariff versions, exchange
 * rates and port fee catalogues.
 *
 * The demo files of data/tariff/ are compiled in; they are loaded when a
 * database first meets them (kouan init, demo, serve), like the reference
 * lists: they are a realistic sample for trying kouan, not an official
 * tariff, and an operator loads the real tables over the API or with
 * `kouan admin tariff-load | rates-load | fees-load FILE`.
 */
#ifndef KOUAN_MONEY_LOAD_H
#define KOUAN_MONEY_LOAD_H

#include <stdbool.h>

#include "service/money_tables.h"
#include "service/service.h"

/* Load the compiled-in tariff versions, exchange rates and fee catalogues
 * that the database does not hold yet, when they differ from what it last
 * loaded (a digest kept in settings), so an admin's later tables are never
 * undone. A file whose tables are there already (or conflict with an
 * admin's) is skipped with a note in the log. *loaded tells whether it
 * ran. */
KOUAN_MUST_USE kerr money_sync(struct services *s, bool *loaded);

/* Is `sub` one of the money admin commands (tariff-load, rates-load,
 * fees-load)? */
bool money_admin_command(const char *sub);

/* One money admin command: load the JSON document of `file` as `a`. The
 * problems go to p; detail says why it was refused. */
struct money_admin_job {
	const char *sub;
	const char *file;
	struct money_loaded loaded;
	size_t reassessed;
	struct problems *p;
	char detail[REFUSAL_TEXT_MAX];
};

/* Run it in the unit of work (for uow_run). KERR_INVALID when the file
 * cannot be read or is not JSON (detail says), or the service's refusal. */
KOUAN_MUST_USE kerr money_admin_run(struct uow *u, const struct actor *a,
				    struct money_admin_job *j);

#endif
