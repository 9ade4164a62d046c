/*
 * payment.h - the rules of paying a declaration's duties and taxes and of
 * releasing against a general guarantee (总担保), as pure functions the
 * payment and release services apply inside their transactions.
 *
 * The rules:
 *  - A payment must equal exactly what is outstanding: partial, excess and
 *    non-positive amounts are refused, naming both amounts. A declaration
 *    with nothing due, already paid, or released with nothing outstanding
 *    takes no payment.
 *  - A payment is identified by its bank reference: the same reference
 *    again for the same declaration and amount is the same payment (the
 *    earlier answer stands); for another declaration or amount it is
 *    refused.
 *  - A payment counts only once its bank confirms it. The declarant
 *    reports the payment order (the bank, its reference, the amount); the
 *    bank answers that it debited the amount, and when, or that it refused
 *    the order, and why. The bank's time is neither in the future nor
 *    before the declaration was lodged.
 *  - A general guarantee has a ceiling and a validity (from and until, both
 *    dates included). Releasing a declaration against it draws the amount
 *    due; paying that declaration restores it. The amount drawn never
 *    exceeds the ceiling and never falls below zero.
 *  - A guarantee is open to enterprises of the advanced (高级认证) and
 *    standard (常规) credit classes; a discredited (失信) enterprise pays
 *    before release. (Customs' consolidated tax payment with a general
 *    guarantee is open to every enterprise that is not discredited.)
 *  - A declaration may be released, as far as money goes, when nothing is
 *    due, when it is paid, or when a guarantee can take the draw; otherwise
 *    release waits, and the reason says what is missing.
 *
 * Amounts are fen. Pure domain code: no I/O, no clock (dates and times are
 * passed in), no floating point. Two servers drawing on one guarantee must
 * lock its row and apply guarantee_draw to the row as read under the lock:
 * the ceiling check is then never raced.
 */
#ifndef KOUAN_PAYMENT_H
#define KOUAN_PAYMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "common/sizes.h"
#include "domain/risk.h"

#define PAYMENT_REFERENCE_MAX 65 /* bank reference: 1..64 of [A-Za-z0-9._/-] */
#define GUARANTEE_NUMBER_MAX 65  /* guarantee number: the same characters */
#define PAYMENT_AMOUNT_MAX INT64_C(1000000000000000) /* fen */
#define PAYMENT_REASON_MAX 256
#define PAYMENT_BANK_REASON_CHARS 120 /* a bank's refusal, in characters */

/* What the store knows of one declaration's taxes. */
struct tax_position {
	int64_t due;        /* total due after the assessment, fen */
	int64_t paid;       /* paid, fen (0, or all of it) */
	bool released;
	int64_t guaranteed; /* drawn on a guarantee at release, not restored */
};

/* A payment order as the declarant reports it: counted once its bank
 * confirms it (struct payment_answer). */
struct payment {
	char bank_reference[PAYMENT_REFERENCE_MAX];
	char bank[USCC_SIZE]; /* the USCC of the bank that holds the account */
	int64_t amount;       /* fen */
};

/* Where a payment stands: reported by the declarant, then answered by its
 * bank. Wire names "reported", "paid", "refused". */
enum payment_status {
	PAYMENT_REPORTED,
	PAYMENT_PAID,
	PAYMENT_REFUSED,
};

/* The bank's answer to a reported payment. */
struct payment_answer {
	enum payment_status outcome;        /* PAYMENT_PAID or PAYMENT_REFUSED */
	int64_t amount;                     /* paid: fen debited */
	int64_t paid_at;                    /* paid: UTC microseconds */
	char reason[PAYMENT_BANK_REASON_CHARS * 4 + 1]; /* refused: the bank's words */
};

/* A recorded payment, to recognise a repeated bank reference. */
struct payment_record {
	char bank_reference[PAYMENT_REFERENCE_MAX];
	char declaration[32];
	int64_t amount;
};

enum payment_replay {
	PAYMENT_NEW,      /* no payment has this reference */
	PAYMENT_REPLAY,   /* the same payment again: answer as before */
	PAYMENT_MISMATCH, /* the reference is another payment's */
};

struct guarantee {
	char number[GUARANTEE_NUMBER_MAX];
	int64_t ceiling;     /* fen */
	int64_t drawn;       /* fen, 0..ceiling */
	int32_t valid_from;  /* date, included */
	int32_t valid_until; /* date, included */
};

enum release_money {
	RELEASE_MONEY_NOTHING_DUE,
	RELEASE_MONEY_PAID,
	RELEASE_MONEY_GUARANTEED, /* release draws the amount due */
	RELEASE_MONEY_WAITING,
};

/* "nothing_due", "paid", "guaranteed", "waiting". */
const char *release_money_name(enum release_money r);

/* Parse a payment order {"bank" (USCC), "bank_reference", "amount" (CNY)}.
 * The reference is kept in capitals. true when valid. */
bool payment_parse(const json_t *body, struct payment *out, struct problems *p);

/* A bank's reference is the same in any case: put it in capitals, as it
 * is kept, so that "icbc-pa-2030" cannot pay a second declaration after
 * "ICBC-PA-2030". */
void payment_reference_capitals(char *reference);

/* Parse a bank's answer: {"outcome": "paid", "amount", "paid_at"} or
 * {"outcome": "refused", "reason"}. true when valid. */
bool payment_answer_parse(const json_t *body, struct payment_answer *out,
			  struct problems *p);

/* "reported", "paid", "refused"; "?" when out of range. */
const char *payment_status_name(enum payment_status s);
/* Parse a wire name; false when unknown. */
bool payment_status_parse(const char *s, enum payment_status *out);

/* Is the answer a the answer already kept (status `kept`, and as kept the
 * amount and paid_at of a payment made, the reason of one refused)? A bank
 * sending its answer again gets the same reply; another answer is
 * refused. */
bool payment_answer_same(const struct payment_answer *a, enum payment_status kept,
			 int64_t kept_amount, int64_t kept_paid_at, const char *kept_reason);

/* May `amount` be paid on a declaration in position t? KERR_OK;
 * KERR_INVALID with a problem on /amount when it is not above zero or not
 * exactly the amount outstanding; KERR_CONFLICT with a problem on /amount
 * when nothing is due, the taxes are paid, or the declaration is released
 * with nothing outstanding. */
KOUAN_MUST_USE kerr payment_check(const struct tax_position *t, int64_t amount,
				  struct problems *p);

/* Record an accepted payment in t; *restore is what goes back to the
 * guarantee drawn at release (0 when none). */
void payment_apply(struct tax_position *t, int64_t amount, int64_t *restore);

/* Is a payment with this reference new, the same again, or another's?
 * `existing` is the recorded payment with the same bank reference, or
 * NULL. */
enum payment_replay payment_match(const struct payment_record *existing,
				  const char *declaration, int64_t amount);

/* Parse a guarantee {"number", "ceiling" (CNY), "valid_from",
 * "valid_until"} at pointer `at`; drawn starts at 0. true when valid. */
bool guarantee_parse(const json_t *j, const char *at, struct guarantee *out,
		     struct problems *p);

/* May an enterprise of credit class c use a general guarantee? */
bool guarantee_class_allowed(enum credit_class c);

/* What is left to draw. */
int64_t guarantee_available(const struct guarantee *g);

/* May `amount` be drawn on g on `date` by an enterprise of class c?
 * KERR_OK; KERR_INVALID (/amount) when not above zero; KERR_CONFLICT with a
 * sentence when the class is not allowed, the date is outside the
 * guarantee's validity, or the amount is more than is left. */
KOUAN_MUST_USE kerr guarantee_check_draw(const struct guarantee *g,
					 enum credit_class c, int32_t date,
					 int64_t amount, struct problems *p);

/* Check, then draw (g changes only on KERR_OK). */
KOUAN_MUST_USE kerr guarantee_draw(struct guarantee *g, enum credit_class c,
				   int32_t date, int64_t amount,
				   struct problems *p);

/* Give back `amount` on payment. KERR_INVALID when not above zero,
 * KERR_CONFLICT when more than is drawn (g unchanged). */
KOUAN_MUST_USE kerr guarantee_restore(struct guarantee *g, int64_t amount,
				      struct problems *p);

/* What lets a declaration in position t be released on `date`: nothing
 * due, paid, or the guarantee g (NULL: none on file) of an enterprise of
 * class c; else WAITING with `why` (size n) saying what is missing. It does
 * not draw: on GUARANTEED the caller draws t->due with guarantee_draw in
 * the release's transaction. */
enum release_money payment_release_condition(const struct tax_position *t,
					     const struct guarantee *g,
					     enum credit_class c, int32_t date,
					     char *why, size_t n);

/* {"number", "ceiling", "drawn", "available", "valid_from", "valid_until"}. */
json_t *guarantee_to_json(const struct guarantee *g);

#endif
