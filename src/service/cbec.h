/*
 * cbec.h - cross-border e-commerce retail imports as the services run them
 * (docs/cbec.md): each party's documents received and filed under their
 * order until the three are in, matched (三单对碰) into a list entry or
 * refused with every difference, the buyer's year counted race-free across
 * servers, the retail tax from the tariff in force, the lanes of the risk
 * engine (green parcels are released in the same request), officers'
 * decisions on held parcels, the gate, returns, the monthly summary of a
 * platform with its payment, and the buyer's own question about the year.
 *
 * The rules are the domain's (src/domain/cbec.h); this file stores,
 * locks, counts and writes the timeline. It never sees HTTP or XML: the
 * API turns a CEB message into the same JSON documents first.
 */
#ifndef KOUAN_SERVICE_CBEC_H
#define KOUAN_SERVICE_CBEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/cbec.h"
#include "service/accounts.h"
#include "service/service.h"
#include "store/repo.h"
#include "store/repo_cbec.h"

/* What became of one document received. */
struct cbec_received {
	enum cbec_doc kind;
	int64_t version;         /* of the document now filed */
	bool replay;             /* the same document again: nothing changed */
	struct cbec_parcel_row parcel; /* its order's parcel after it (detail owned) */
};
void cbec_received_free(struct cbec_received *r);

/*
 * Receive one document (its JSON form, docs/cbec.md) from its sender:
 * validate it (KERR_INVALID, every problem in why's fields), check that it
 * names the caller's organisation (KERR_FORBIDDEN) and a registered
 * platform (KERR_INVALID at /platform_code), lock its order's parcel, file
 * it as the current version (the same text again is a replay; another text
 * after the parcel was cleared, or a document of that kind another party
 * sent, is KERR_CONFLICT), then, when the order, the
 * payment and the waybill are in and the order is classified: check the
 * positive list, match, count the buyer's year and assess the tax, and
 * assess the lanes, releasing at once when no agency drew yellow or red.
 * A mismatch or a refusal for retail is an outcome (out->parcel.status
 * "mismatched" or "refused", the differences or the reason in its detail),
 * not an error: it is kept so that every sender sees it.
 */
KOUAN_MUST_USE kerr cbec_receive(struct uow *u, const struct actor *a, enum cbec_doc kind,
				 const json_t *doc, struct cbec_received *out,
				 struct refusal *why);

/* Withdraw a pending document of the caller's (before clearance):
 * KERR_NOT_FOUND when there is none it may withdraw, KERR_CONFLICT once the
 * parcel is cleared. */
KOUAN_MUST_USE kerr cbec_withdraw(struct uow *u, const struct actor *a, enum cbec_doc kind,
				  const char *platform, const char *order_no,
				  struct refusal *why);

/* A parcel as the caller may see it (its platform, the senders of its
 * documents, officers, analysts, admins; others KERR_NOT_FOUND): the row,
 * the documents' JSON texts (NULL when absent; free), and its timeline
 * handed to fn. */
struct cbec_parcel_view {
	struct cbec_parcel_row parcel;
	struct cbec_doc_row docs[4]; /* by enum cbec_doc; body NULL when absent */
};
KOUAN_MUST_USE kerr cbec_parcel_read(struct uow *u, const struct actor *a,
				     const char *platform, const char *order_no,
				     struct cbec_parcel_view *out, event_row_fn fn, void *arg);
void cbec_parcel_view_free(struct cbec_parcel_view *v);

/* Parcels the caller may see, filtered (platform: the caller's own for a
 * platform; officers, analysts and admins any). */
KOUAN_MUST_USE kerr cbec_parcel_list(struct uow *u, const struct actor *a,
				     struct cbec_parcel_filter *f, cbec_parcel_fn fn,
				     void *arg);

/* An officer clears its agency's hold on a parcel (lane yellow or red),
 * with a reason; the parcel is released when no hold remains. KERR_CONFLICT
 * when its agency holds nothing. */
KOUAN_MUST_USE kerr cbec_decide(struct uow *u, const struct actor *a, const char *platform,
				const char *order_no, const char *reason,
				struct cbec_parcel_row *out, struct refusal *why);

/* The logistics company takes a released parcel out by its waybill.
 * KERR_CONFLICT when the parcel is not released (or already out). */
KOUAN_MUST_USE kerr cbec_gate_out(struct uow *u, const struct actor *a, const char *logistics,
				  const char *waybill_no, struct cbec_parcel_row *out,
				  struct refusal *why);

/* The platform (or the order's enterprise) returns a released parcel now:
 * within 30 days of release it restores the value to the buyer's year and
 * refunds the taxes (out), after that KERR_CONFLICT with the reason. */
KOUAN_MUST_USE kerr cbec_return(struct uow *u, const struct actor *a, const char *platform,
				const char *order_no, struct cbec_refund *refund,
				struct cbec_parcel_row *out, struct refusal *why);

/* How long the month's released parcels took from their last document to
 * release (seconds; 0 when none was released). */
struct cbec_release_times {
	size_t parcels;
	int64_t median_s, p90_s, max_s;
};

/* A platform's month (YYYY-MM, Beijing time): the summary, the release
 * times (times may be NULL), and its payment as it stands (payment->month
 * "" when none was ordered); paid is true only once the payment's bank has
 * paid it. The platform itself, customs, analysts and admins. */
KOUAN_MUST_USE kerr cbec_month(struct uow *u, const struct actor *a, const char *platform,
			       const char *month, struct cbec_platform_month *sum,
			       struct cbec_release_times *times, bool *paid,
			       struct cbec_month_payment_row *payment, struct refusal *why);
/* The platform orders the payment of a finished month's amount due
 * through `bank` (the USCC of a bank kouan knows: KERR_INVALID at /bank
 * otherwise): `amount` must equal it (KERR_INVALID at /amount). The order
 * is kept as reported (cbec.month.payment_reported) and pays nothing until
 * the bank answers (cbec_month_answer). KERR_CONFLICT when the month is not
 * over, is paid, or has an order awaiting its bank; after a refusal a new
 * order takes the refused one's place. */
KOUAN_MUST_USE kerr cbec_month_pay(struct uow *u, const struct actor *a, const char *platform,
				   const char *month, const char *bank, int64_t amount,
				   const char *reference, struct cbec_month_payment_row *out,
				   struct refusal *why);
/* The answer of the bank the month's order names (KERR_NOT_FOUND for any
 * other, as for no order). Paid: the amount must be the order's
 * (KERR_INVALID at /amount), paid_at neither in the future nor before the
 * minute of the order (/paid_at); the month is then paid
 * (cbec.month.paid). Refused: kept with the bank's reason; the platform may
 * order again. The same answer again is *replayed, as it stands; another
 * answer to an answered order is KERR_CONFLICT. */
KOUAN_MUST_USE kerr cbec_month_answer(struct uow *u, const struct actor *a, const char *platform,
				      const char *month, const struct payment_answer *ans,
				      struct cbec_month_payment_row *out, bool *replayed,
				      struct refusal *why);

/* The monthly payment orders naming the actor's bank (a bank's user),
 * oldest first, at most `limit`; only those of `status` when not NULL. */
KOUAN_MUST_USE kerr cbec_month_payments_of_bank(struct uow *u, const struct actor *a,
						const char *status, int limit,
						cbec_month_payment_fn fn, void *arg);

/* The buyer's question: with their ID number and one of their orders on a
 * platform, the quota year of that order (or `year` when not 0), what is
 * used and what remains, and their parcels of that year to fn.
 * KERR_NOT_FOUND when the order is not theirs (never says which), counted
 * against the unit's source: past the free ones, KERR_THROTTLED with *wait
 * until it may ask again (service/guesses.h). */
struct cbec_quota {
	int64_t year, used, remaining;
};
KOUAN_MUST_USE kerr cbec_quota_ask(struct uow *u, const char *id_number, const char *platform,
				   const char *order_no, struct cbec_quota *out,
				   cbec_parcel_fn fn, void *arg, struct throttle_refusal *wait,
				   struct refusal *why);

/* The timeline key of an order's parcel: "cbec|platform|order". */
void cbec_timeline_key(const char *platform, const char *order_no, char *out, size_t n);

#endif
