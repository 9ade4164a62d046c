/*
 * repo_cbec.h - the queries of cross-border e-commerce retail imports
 * (docs/cbec.md; tables in migration 0008_cbec): the documents of each
 * order waiting for their partners, the parcel row that each document of
 * an order locks before matching (and that becomes the list entry), the
 * buyers' yearly quotas, and the payments of the monthly summaries.
 *
 * Prepared statements only, on both backends; rows as structs, never JSON
 * shaped for an answer. The caller's unit of work owns the transaction.
 * Nothing here decides anything: what may be matched, counted or refunded
 * is the service's (src/service/cbec.c).
 */
#ifndef KOUAN_REPO_CBEC_H
#define KOUAN_REPO_CBEC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"
#include "domain/payment.h"
#include "store/store.h"

#define CBEC_KEY_SIZE 19     /* a party code */
#define CBEC_ORDER_NO_SIZE 61
#define CBEC_NUMBER_SIZE 19  /* a list entry's number */

/* The current version of one document of an order. */
struct cbec_doc_row {
	char platform_code[CBEC_KEY_SIZE];
	char order_no[CBEC_ORDER_NO_SIZE];
	char kind[12];                  /* order, payment, waybill, inventory */
	int64_t org_id;                 /* the sender's organisation */
	int64_t version;
	char *body;                     /* canonical JSON (owned: free) */
	char received_at[TIME_TEXT_SIZE];
};

/* One order's parcel: pending until matched, then the list entry. */
struct cbec_parcel_row {
	char platform_code[CBEC_KEY_SIZE];
	char order_no[CBEC_ORDER_NO_SIZE];
	int64_t platform_org_id;
	char status[16];                /* pending, mismatched, refused, held, released, returned */
	char number[CBEC_NUMBER_SIZE];  /* "" until matched */
	char mode[5];
	char customs_office[5];
	char logistics_code[CBEC_KEY_SIZE];
	char waybill_no[CBEC_ORDER_NO_SIZE];
	char buyer_id_number[19];
	int64_t quota_year;             /* 0 until assessed */
	int64_t customs_value;
	char verdict[24];               /* "" until assessed */
	int64_t duty, consumption_tax, vat;
	char lane[8];
	char *detail;                   /* JSON object (owned: free) */
	char first_at[TIME_TEXT_SIZE];
	char last_document_at[TIME_TEXT_SIZE];
	char matched_at[TIME_TEXT_SIZE];   /* "" when not */
	char released_at[TIME_TEXT_SIZE];
	char gate_out_at[TIME_TEXT_SIZE];
	char returned_at[TIME_TEXT_SIZE];
};

typedef kerr (*cbec_parcel_fn)(void *arg, const struct cbec_parcel_row *p);

/* --- documents --- */

/* The current version of a document; KERR_NOT_FOUND. out->body to free. */
KOUAN_MUST_USE kerr repo_cbec_doc_get(struct store_conn *c, const char *platform,
				      const char *order_no, const char *kind,
				      struct cbec_doc_row *out);
/* Store a document as its current version (inserted or replaced). */
KOUAN_MUST_USE kerr repo_cbec_doc_put(struct store_conn *c, const struct cbec_doc_row *d);
/* Remove a document (a withdrawal); KERR_NOT_FOUND when there is none. */
KOUAN_MUST_USE kerr repo_cbec_doc_delete(struct store_conn *c, const char *platform,
					 const char *order_no, const char *kind);

/* --- parcels --- */

/* Make the order's parcel row if it has none yet (status pending). */
KOUAN_MUST_USE kerr repo_cbec_parcel_claim(struct store_conn *c, const char *platform,
					   const char *order_no, int64_t platform_org_id,
					   const char *now);
/* Lock the order's parcel row until the transaction ends (PostgreSQL; a
 * no-op where one writer runs at a time). */
KOUAN_MUST_USE kerr repo_cbec_parcel_lock(struct store_conn *c, const char *platform,
					  const char *order_no);
/* The parcel of an order; KERR_NOT_FOUND. out->detail to free. */
KOUAN_MUST_USE kerr repo_cbec_parcel_get(struct store_conn *c, const char *platform,
					 const char *order_no, struct cbec_parcel_row *out);
/* The matched parcel that travels under a waybill; KERR_NOT_FOUND. */
KOUAN_MUST_USE kerr repo_cbec_parcel_by_waybill(struct store_conn *c, const char *logistics,
						const char *waybill_no,
						struct cbec_parcel_row *out);
/* Write every field of the parcel back (keyed by platform and order). */
KOUAN_MUST_USE kerr repo_cbec_parcel_save(struct store_conn *c, const struct cbec_parcel_row *p);
void repo_cbec_parcel_free(struct cbec_parcel_row *p);

struct cbec_parcel_filter {
	const char *platform;       /* NULL: any */
	int64_t platform_org_id;    /* 0: any */
	const char *status;         /* NULL: any */
	const char *buyer_id_number; /* NULL: any */
	int64_t quota_year;         /* with the buyer: 0 any */
	const char *after_order_no; /* paging: orders after this one; NULL: from the start */
	int64_t limit;
};
/* Parcels by platform and order number, filtered (rows borrowed). */
KOUAN_MUST_USE kerr repo_cbec_parcel_list(struct store_conn *c,
					  const struct cbec_parcel_filter *f,
					  cbec_parcel_fn fn, void *arg);
/* The platform's parcels released or returned in [from, to) (UTC text). */
KOUAN_MUST_USE kerr repo_cbec_parcel_cleared(struct store_conn *c, const char *platform,
					     const char *from, const char *to,
					     cbec_parcel_fn fn, void *arg);

/* --- quotas --- */

/* Make the buyer's row for the year (used 0) if absent, lock it
 * (PostgreSQL) and read what is used. */
KOUAN_MUST_USE kerr repo_cbec_quota_lock(struct store_conn *c, const char *id_number,
					 int64_t year, int64_t *used);
/* What the buyer used of the year (0 when nothing); no lock. */
KOUAN_MUST_USE kerr repo_cbec_quota_used(struct store_conn *c, const char *id_number,
					 int64_t year, int64_t *used);
/* Add `amount` when the year stays within `limit`: KERR_OK with the new
 * total, KERR_CONFLICT when it would pass the limit (nothing changed). */
KOUAN_MUST_USE kerr repo_cbec_quota_add(struct store_conn *c, const char *id_number,
					int64_t year, int64_t amount, int64_t limit,
					int64_t *used_after);
/* Give `amount` back (a return); KERR_CONFLICT when less is used. */
KOUAN_MUST_USE kerr repo_cbec_quota_restore(struct store_conn *c, const char *id_number,
					    int64_t year, int64_t amount);

/* --- the monthly summary's payment --- */

/* A platform's payment of a month: ordered by the platform through its
 * bank, counted once the bank answers that it paid. */
struct cbec_month_payment_row {
	char platform_code[CBEC_KEY_SIZE];
	char month[8];
	int64_t amount; /* fen */
	char reference[65];
	char bank_uscc[USCC_SIZE]; /* "" for a payment kept before banks answered */
	enum payment_status status;
	char paid_by[USERNAME_SIZE]; /* the platform's user who ordered it */
	char recorded_at[TIME_TEXT_SIZE]; /* when it was ordered */
	char paid_at[TIME_TEXT_SIZE]; /* the bank's time; "" until it pays */
	char answered_by[USERNAME_SIZE]; /* the bank's user; "" until it answers */
	char answered_at[TIME_TEXT_SIZE];
	char reason[PAYMENT_BANK_REASON_CHARS * 4 + 1]; /* a refusal's */
};
/* Keep the platform's order (status reported): a new row, or in place of
 * an order its bank refused. KERR_CONFLICT when the month has a payment
 * reported or paid (one came meanwhile). */
KOUAN_MUST_USE kerr repo_cbec_month_order(struct store_conn *c,
					  const struct cbec_month_payment_row *r);
/* Keep the bank's answer to a reported order (status, paid_at,
 * answered_by, answered_at, reason). KERR_CONFLICT when it is no longer
 * reported (answered meanwhile). */
KOUAN_MUST_USE kerr repo_cbec_month_answer(struct store_conn *c,
					   const struct cbec_month_payment_row *r);
/* The monthly payment orders naming a bank, oldest first, at most
 * `limit`; only those of `status` when it is not NULL. */
typedef kerr (*cbec_month_payment_fn)(void *arg, const struct cbec_month_payment_row *r);
KOUAN_MUST_USE kerr repo_cbec_month_payments_of_bank(struct store_conn *c, const char *bank,
						     const char *status, int limit,
						     cbec_month_payment_fn fn, void *arg);
/* The payment of a month, whatever its status; KERR_NOT_FOUND. */
KOUAN_MUST_USE kerr repo_cbec_month_payment(struct store_conn *c, const char *platform,
					    const char *month,
					    struct cbec_month_payment_row *out);

#endif
