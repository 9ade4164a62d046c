/*
 * charges.h - port fees: the published catalogues (公示: anyone may read
 * them, no login), loading one, and the charges a port operator raises on
 * a declaration, only from an item of its port's catalogue in force.
 * Lifting, moving and storage for an inspection that found no problem are
 * recorded as borne by the state, not the trader (fees.h). Each
 * declaration's charges are listed to its declarant.
 */
#ifndef KOUAN_CHARGES_H
#define KOUAN_CHARGES_H

#include <jansson.h>

#include "domain/fees.h"
#include "service/clearance.h"
#include "service/money_tables.h"

/* Every port's catalogue in force on `date`, or only `port`'s (may be
 * NULL), by port; each is handed to fn and freed after. */
KOUAN_MUST_USE kerr charges_catalogues(struct uow *u, const char *port, int32_t date,
				       kerr (*fn)(void *arg, const struct fee_catalogue *c),
				       void *arg);

/* A charge as raised. */
struct charge_raised {
	int64_t id;
	struct fee_charge charge;
	char raised_at[TIME_TEXT_SIZE];
};

/* Raise a charge of `quantity` (x 1000) of catalogue item `code` on
 * declaration `number`, as a port operator of the declaration's port
 * (KERR_NOT_FOUND for another port's declarations, as for a number that
 * does not exist). The item comes from the port's catalogue in force
 * today: anything else is refused (KERR_INVALID, /code, naming the
 * catalogue), and so is a quantity the unit does not take (/quantity). A
 * port operator raises the charges of its terminal and inspection area
 * (KERR_FORBIDDEN on /code for an item another party charges). An
 * inspection service is charged once the declaration's joint inspection
 * is complete, its outcome deciding who pays (KERR_CONFLICT before).
 * fee.charged, or fee.waived when the state bears it. */
KOUAN_MUST_USE kerr charges_raise(struct uow *u, const struct actor *a, const char *number,
				  const char *code, int64_t quantity, struct charge_raised *out,
				  struct refusal *why);

/* A declaration's charges, to its declarant's organisation or consignee,
 * a port operator of its port, customs, analysts and admins. */
KOUAN_MUST_USE kerr charges_list(struct uow *u, const struct actor *a, const char *number,
				 fee_charge_fn fn, void *arg);

#endif
