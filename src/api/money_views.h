/*
 * money_views.h - the JSON the money endpoints answer with: a
 * declaration's assessment and where its taxes stand, payments,
 * guarantees, charges, refund applications, tariff versions and exchange
 * rates. Amounts are decimal strings in CNY. Each returns a new reference
 * (NULL when memory runs out). Private to src/api.
 */
#ifndef KOUAN_MONEY_VIEWS_H
#define KOUAN_MONEY_VIEWS_H

#include <jansson.h>

#include "service/refunds.h"
#include "service/taxes.h"

/* A declaration's assessment (every step, as the domain explains it) and
 * its taxes: due, paid, outstanding, the guarantee that secures them, the
 * payments (`payments`, taken). */
json_t *taxes_json(const struct declaration *d, const struct duties_state *s,
		   json_t *payments);
json_t *payment_json(const struct payment_row *p);
json_t *guarantee_json(const struct guarantee_row *g);
json_t *charge_json(const struct fee_charge_row *ch);
json_t *refund_json(const struct refund_record *r);
json_t *refund_row_json(const struct refund_row *r);
json_t *tariff_version_row_json(const struct tariff_version_row *v);
json_t *exchange_rate_row_json(const struct exchange_rate_row *r);

/* Row callbacks appending a view to a JSON array (arg). */
kerr append_payment(void *arg, const struct payment_row *p);
kerr append_guarantee(void *arg, const struct guarantee_row *g);
kerr append_charge(void *arg, const struct fee_charge_row *ch);
kerr append_refund(void *arg, const struct refund_row *r);
kerr append_tariff_version(void *arg, const struct tariff_version_row *v);
kerr append_exchange_rate(void *arg, const struct exchange_rate_row *r);

#endif
