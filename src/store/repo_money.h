/*
 * repo_money.h - the queries of money (tables of migration 0007): the
 * tariff's versions and lines, exchange rates, fee catalogues and their
 * items, assessments of duties and taxes, payments, general guarantees and
 * their draws, port charges, export departures and refund applications.
 *
 * Portable SQL like repo.h; the caller owns the transaction. Rows, never
 * JSON shaped for an answer: where a row keeps a document (a tariff line,
 * a fee item, an assessment's steps) it is stored and returned as the
 * domain's canonical text. Unique keys are met with ON CONFLICT DO NOTHING
 * and reported as KERR_CONFLICT, since an error ends a PostgreSQL
 * transaction. Locks, where several writers may run at once, are taken in
 * one order: the declaration, then the guarantee.
 */
#ifndef KOUAN_REPO_MONEY_H
#define KOUAN_REPO_MONEY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/date.h"
#include "common/sizes.h"
#include "domain/assessment_basis.h"
#include "domain/payment.h"
#include "store/store.h"

#define MONEY_ID_SIZE 33     /* tariff version or fee catalogue id */
#define MONEY_CODE_SIZE 33   /* tariff line or fee item code */
#define MONEY_DATE_SIZE 11   /* YYYY-MM-DD */
#define MONEY_MONTH_SIZE 8   /* YYYY-MM */
#define MONEY_NUMBER_SIZE 65 /* guarantee number, bank reference */
#define MONEY_DECIMAL_SIZE 32

/* --- the tariff --- */

/* A version's header (its lines are rows of their own). Borrowed strings
 * in lists. */
struct tariff_version_row {
	const char *id;
	const char *effective_from; /* YYYY-MM-DD */
	const char *kind;           /* full, amendment */
	const char *description;    /* NULL when none */
	const char *agreements;     /* JSON array */
	int64_t lines;
	const char *loaded_by;
	const char *loaded_at;
};
typedef kerr (*tariff_version_fn)(void *arg, const struct tariff_version_row *v);

/* KERR_CONFLICT when the id or the date is taken. */
KOUAN_MUST_USE kerr repo_tariff_version_insert(struct store_conn *c,
					       const struct tariff_version_row *v);
KOUAN_MUST_USE kerr repo_tariff_line_insert(struct store_conn *c, const char *version,
					    const char *code, const char *line);
/* Every version, by effective date. */
KOUAN_MUST_USE kerr repo_tariff_versions(struct store_conn *c, tariff_version_fn fn,
					 void *arg);
/* Is the id, or the date, taken? (for the refusal's field) */
KOUAN_MUST_USE kerr repo_tariff_version_taken(struct store_conn *c, const char *id,
					      const char *effective_from, bool *id_taken,
					      bool *date_taken);
typedef kerr (*tariff_line_fn)(void *arg, const char *code, const char *line);
/* A version's lines by code. */
KOUAN_MUST_USE kerr repo_tariff_lines(struct store_conn *c, const char *version,
				      tariff_line_fn fn, void *arg);

/* --- exchange rates --- */

struct exchange_rate_row {
	const char *currency;
	const char *month;        /* YYYY-MM */
	const char *cny_per_unit; /* exact decimal */
	const char *loaded_by;
	const char *loaded_at;
};
typedef kerr (*exchange_rate_fn)(void *arg, const struct exchange_rate_row *r);

/* The stored rate of a currency and month into cny (MONEY_DECIMAL_SIZE);
 * KERR_NOT_FOUND when none. */
KOUAN_MUST_USE kerr repo_rate_get(struct store_conn *c, const char *currency,
				  const char *month, char *cny, size_t n);
KOUAN_MUST_USE kerr repo_rate_insert(struct store_conn *c, const struct exchange_rate_row *r);
/* Rates by currency and month; currency NULL: every currency. */
KOUAN_MUST_USE kerr repo_rates(struct store_conn *c, const char *currency,
			       exchange_rate_fn fn, void *arg);

/* --- fee catalogues --- */

struct fee_catalogue_row {
	const char *id;
	const char *port;
	const char *effective_from;
	const char *description; /* NULL when none */
	const char *loaded_by;
	const char *loaded_at;
};
typedef kerr (*fee_catalogue_fn)(void *arg, const struct fee_catalogue_row *c);
typedef kerr (*fee_item_fn)(void *arg, const char *code, const char *item);

/* KERR_CONFLICT when the id, or the port and date, is taken. */
KOUAN_MUST_USE kerr repo_fee_catalogue_insert(struct store_conn *c,
					      const struct fee_catalogue_row *row);
KOUAN_MUST_USE kerr repo_fee_item_insert(struct store_conn *c, const char *catalogue,
					 const char *code, const char *item);
/* Is the id, or the port and date, taken? */
KOUAN_MUST_USE kerr repo_fee_catalogue_taken(struct store_conn *c, const char *id,
					     const char *port, const char *effective_from,
					     bool *id_taken, bool *date_taken);
/* One catalogue by id (KERR_NOT_FOUND); fn is called once. */
KOUAN_MUST_USE kerr repo_fee_catalogue_get(struct store_conn *c, const char *id,
					   fee_catalogue_fn fn, void *arg);
/* The catalogue of a port in force on a date (the latest that took effect
 * on or before it); KERR_NOT_FOUND when none. */
KOUAN_MUST_USE kerr repo_fee_catalogue_in_force(struct store_conn *c, const char *port,
						const char *date, fee_catalogue_fn fn,
						void *arg);
/* Every catalogue by port and date; port NULL: every port. */
KOUAN_MUST_USE kerr repo_fee_catalogues(struct store_conn *c, const char *port,
					fee_catalogue_fn fn, void *arg);
/* A catalogue's items by code. */
KOUAN_MUST_USE kerr repo_fee_items(struct store_conn *c, const char *catalogue,
				   fee_item_fn fn, void *arg);

/* --- assessments of duties and taxes --- */

struct duty_assessment_row {
	char number[DECL_NUMBER_SIZE];
	int64_t version;
	bool held; /* not assessed yet: see held_field, held_reason */
	char held_field[64];
	char held_reason[REASON_SIZE];
	int64_t total_due; /* fen */
	bool declared_differs;
	/* owned JSON text: free() (duty_assessment_row_free). Stored only for
	 * a held assessment (and rows kept before migration 0011): an
	 * assessed one is stored as its basis and read back with detail NULL,
	 * for the service to compute it again (assessment_basis.h) */
	char *detail;
	char assessed_at[TIME_TEXT_SIZE];
	bool has_basis; /* assessed: the basis below is what is stored */
	char tariff_versions[ASSESS_BASIS_VERSIONS_MAX];
	char rate_month[KMONTH_TEXT_MAX];
	int64_t cny_per_unit;
	char certificates[ASSESS_BASIS_CERTIFICATES_MAX];
	int64_t duty, consumption_tax, vat; /* due, fen */
};
void duty_assessment_row_free(struct duty_assessment_row *r);

/* Insert or replace the assessment of a declaration version; `first`:
 * nothing is stored for that version yet (a declaration lodged in this
 * transaction), so a plain insert, which a row already there refuses. */
KOUAN_MUST_USE kerr repo_duty_assessment_put(struct store_conn *c,
					     const struct duty_assessment_row *r, bool first);
/* KERR_NOT_FOUND when that version was not assessed. */
KOUAN_MUST_USE kerr repo_duty_assessment_get(struct store_conn *c, const char *number,
					     int64_t version, struct duty_assessment_row *out);
typedef kerr (*decl_number_fn)(void *arg, const char *number);
/* Declarations, accepted or returned, whose current version's assessment
 * is held, by number. */
KOUAN_MUST_USE kerr repo_duty_held(struct store_conn *c, decl_number_fn fn, void *arg);
/* Accepted declarations of a consignee whose every task is cleared (or
 * closed): those whose release waits on something else, by number. */
KOUAN_MUST_USE kerr repo_decl_cleared_waiting(struct store_conn *c, const char *consignee,
					      decl_number_fn fn, void *arg);

/* --- general guarantees --- */

struct guarantee_row {
	int64_t id;
	char number[MONEY_NUMBER_SIZE];
	int64_t org_id;
	char org_uscc[USCC_SIZE];
	int64_t ceiling; /* fen */
	int64_t drawn;   /* fen */
	char valid_from[MONEY_DATE_SIZE];
	char valid_until[MONEY_DATE_SIZE];
	char registered_by[USERNAME_SIZE];
	char registered_at[TIME_TEXT_SIZE];
};
typedef kerr (*guarantee_fn)(void *arg, const struct guarantee_row *g);

/* KERR_CONFLICT when the number is taken. */
KOUAN_MUST_USE kerr repo_guarantee_insert(struct store_conn *c, const struct guarantee_row *g,
					  int64_t *id);
KOUAN_MUST_USE kerr repo_guarantee_get(struct store_conn *c, const char *number,
				       struct guarantee_row *out);
/* An organisation's guarantees (org_id 0: all), by number. */
KOUAN_MUST_USE kerr repo_guarantees(struct store_conn *c, int64_t org_id, guarantee_fn fn,
				    void *arg);
/* Lock an organisation's guarantees until the end of the transaction where
 * several writers may run at once (a no-op otherwise). */
KOUAN_MUST_USE kerr repo_guarantees_lock(struct store_conn *c, int64_t org_id);
/* Draw `amount` only if it stays within the ceiling, in one statement
 * (UPDATE ... WHERE drawn + amount <= ceiling): KERR_OK with the amount
 * drawn after, or KERR_CONFLICT when it would pass the ceiling. */
KOUAN_MUST_USE kerr repo_guarantee_draw(struct store_conn *c, int64_t id, int64_t amount,
					int64_t *drawn_after);
/* Give back `amount` (never below zero): KERR_CONFLICT when less is drawn. */
KOUAN_MUST_USE kerr repo_guarantee_restore(struct store_conn *c, int64_t id, int64_t amount,
					   int64_t *drawn_after);

/* A declaration's draw on a guarantee (one at most). */
struct guarantee_draw_row {
	int64_t guarantee_id;
	char guarantee[MONEY_NUMBER_SIZE];
	int64_t amount;
	char drawn_at[TIME_TEXT_SIZE];
	char restored_at[TIME_TEXT_SIZE]; /* "" while drawn */
};
KOUAN_MUST_USE kerr repo_draw_insert(struct store_conn *c, const char *number,
				     int64_t guarantee_id, int64_t amount, const char *at);
/* KERR_NOT_FOUND when the declaration drew nothing. */
KOUAN_MUST_USE kerr repo_draw_get(struct store_conn *c, const char *number,
				  struct guarantee_draw_row *out);
KOUAN_MUST_USE kerr repo_draw_restored(struct store_conn *c, const char *number,
				       const char *at);

/* --- payments --- */

struct payment_row {
	int64_t id;
	char bank_reference[MONEY_NUMBER_SIZE];
	char number[DECL_NUMBER_SIZE];
	int64_t amount; /* fen */
	char paid_at[TIME_TEXT_SIZE]; /* the bank's time; "" until it answers */
	char recorded_by[USERNAME_SIZE];
	char recorded_at[TIME_TEXT_SIZE];
	int64_t restored; /* given back to a guarantee, fen */
	char bank_uscc[USCC_SIZE]; /* "" for a payment kept before banks answered */
	enum payment_status status;
	char answered_by[USERNAME_SIZE]; /* the bank's user; "" until it answers */
	char answered_at[TIME_TEXT_SIZE];
	char reason[PAYMENT_BANK_REASON_CHARS * 4 + 1]; /* a refusal's */
};
typedef kerr (*payment_fn)(void *arg, const struct payment_row *p);

/* KERR_NOT_FOUND when no payment has this bank reference. */
KOUAN_MUST_USE kerr repo_payment_by_reference(struct store_conn *c, const char *reference,
					      struct payment_row *out);
/* KERR_CONFLICT when the bank reference is taken. */
KOUAN_MUST_USE kerr repo_payment_insert(struct store_conn *c, const struct payment_row *p,
					int64_t *id);
/* A declaration's payments, oldest first. */
KOUAN_MUST_USE kerr repo_payments_for(struct store_conn *c, const char *number,
				      payment_fn fn, void *arg);
/* Keep the bank's answer to a reported payment (status, paid_at,
 * answered_by, answered_at, reason, restored of p, by p->id).
 * KERR_CONFLICT when it is no longer reported (answered meanwhile). */
KOUAN_MUST_USE kerr repo_payment_answer(struct store_conn *c, const struct payment_row *p);
/* A bank's payments after id `after`, oldest first, at most `limit`; only
 * those of `status` when status is not NULL. */
KOUAN_MUST_USE kerr repo_payments_of_bank(struct store_conn *c, const char *bank_uscc,
					  const char *status, int64_t after, int limit,
					  payment_fn fn, void *arg);

/* --- port charges --- */

struct fee_charge_row {
	int64_t id;
	const char *number;
	const char *catalogue;
	const char *code;
	int64_t quantity; /* x 1000 */
	int64_t amount;   /* fen */
	const char *payer; /* trader, state */
	int64_t trader_amount;
	int64_t state_amount;
	const char *reason;
	const char *detail; /* the charge as JSON */
	const char *raised_by;
	int64_t org_id;
	const char *raised_at;
};
typedef kerr (*fee_charge_fn)(void *arg, const struct fee_charge_row *ch);

KOUAN_MUST_USE kerr repo_charge_insert(struct store_conn *c, const struct fee_charge_row *ch,
				       int64_t *id);
/* A declaration's charges, oldest first. */
KOUAN_MUST_USE kerr repo_charges_for(struct store_conn *c, const char *number,
				     fee_charge_fn fn, void *arg);

/* --- export departures and refunds --- */

/* Record that the goods of an export declaration left at `departed_at`;
 * `source` is who recorded it (a later record of the same declaration
 * keeps the first). */
KOUAN_MUST_USE kerr repo_departure_put(struct store_conn *c, const char *number,
				       const char *departed_at, const char *source,
				       const char *now);
struct departure_row {
	char departed_at[TIME_TEXT_SIZE];
	char source[USERNAME_SIZE]; /* who recorded it */
	char recorded_at[TIME_TEXT_SIZE];
};
/* The departure recorded for a declaration; KERR_NOT_FOUND when none. */
KOUAN_MUST_USE kerr repo_departure_get(struct store_conn *c, const char *number,
				       struct departure_row *out);

struct refund_row {
	int64_t id;
	const char *number;
	int64_t org_id;
	const char *org_uscc;
	const char *status;  /* applied, approved, rejected */
	const char *verdict; /* matches, mismatch */
	int64_t total;       /* fen */
	const char *claim;   /* JSON */
	const char *result;  /* JSON */
	const char *reasons; /* JSON array */
	const char *applied_by;
	const char *applied_at;
	const char *decided_by;      /* NULL until decided */
	const char *decided_at;      /* NULL until decided */
	const char *decision_reason; /* NULL when none */
};
typedef kerr (*refund_fn)(void *arg, const struct refund_row *r);

/* KERR_CONFLICT when the declaration has an application under way or
 * approved. */
KOUAN_MUST_USE kerr repo_refund_insert(struct store_conn *c, const struct refund_row *r,
				       int64_t *id);
/* One application (KERR_NOT_FOUND); fn is called once. */
KOUAN_MUST_USE kerr repo_refund_get(struct store_conn *c, int64_t id, refund_fn fn,
				    void *arg);
/* Lock an application's row (where several writers may run at once). */
KOUAN_MUST_USE kerr repo_refund_lock(struct store_conn *c, int64_t id);
/* Decide an application under way: KERR_CONFLICT when it is not. */
KOUAN_MUST_USE kerr repo_refund_decide(struct store_conn *c, int64_t id, const char *status,
				       const char *by, const char *at, const char *reason);
/* Is a refund approved for the declaration? */
KOUAN_MUST_USE kerr repo_refund_approved(struct store_conn *c, const char *number,
					 bool *approved);
/* Applications, newest first: of an organisation (org_id 0: all), in a
 * status (NULL: any), at most `limit`. */
KOUAN_MUST_USE kerr repo_refunds(struct store_conn *c, int64_t org_id, const char *status,
				 int limit, refund_fn fn, void *arg);

#endif
