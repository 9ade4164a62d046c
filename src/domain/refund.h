/*
 * refund.h - the export tax refund (出口退税): an exporter's application
 * against an export declaration, checked against customs' electronic data.
 *
 * The rules:
 *  - An application may be made only for an export declaration that is
 *    released, whose conveyance has departed, and that has no refund
 *    approved already; otherwise it is refused with every reason that
 *    applies (nothing is recorded).
 *  - The application lists the declaration's items in the declaration's
 *    order, each with its commodity code, quantity and FOB value in CNY.
 *    Each must equal customs' data for that item (the export assessment's
 *    FOB value in CNY); any difference rejects the application, with one
 *    reason per difference. Partial applications are not accepted.
 *  - Refund per item = FOB value in CNY x the refund rate of the item's
 *    tariff line in force on the declaration's date (China Standard Time
 *    date of acceptance), rounded half up to the fen; the application's
 *    refund is the sum. A code with no line in force rejects the
 *    application (its rate is unknown).
 *  - The check recommends; the tax office decides. An application that
 *    matches may be approved or rejected (with a reason); one that does
 *    not match can only be rejected.
 *
 * Pure domain code: no I/O, no clock, no floating point.
 */
#ifndef KOUAN_REFUND_H
#define KOUAN_REFUND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "common/sizes.h"
#include "domain/tariff.h"

#define REFUND_MAX_ITEMS 50
#define REFUND_NUMBER_MAX 19 /* a declaration number: 18 digits */

struct refund_claim_item {
	char hs_code[TARIFF_CODE_MAX];
	int64_t quantity; /* scaled by 10^5 */
	int64_t fob_cny;  /* fen */
};

/* What the exporter applies for. */
struct refund_application {
	char declaration[REFUND_NUMBER_MAX];
	size_t nitems;
	struct refund_claim_item items[REFUND_MAX_ITEMS];
};

/* Customs' data on one item of the export declaration. */
struct refund_export_item {
	const char *hs_code;
	int64_t quantity; /* scaled by 10^5 */
	int64_t fob_cny;  /* fen, from the export assessment */
};

/* Customs' electronic data on the export declaration, filled by the
 * caller from the declaration, its assessment and the conveyance's
 * departure. Strings are borrowed for the call. */
struct refund_customs_data {
	bool import;
	bool released;
	bool departed;          /* the conveyance carrying it has departed */
	int64_t departed_at_us; /* when (when departed) */
	/* by sea: the first of its containers that the terminal did not
	 * record as loaded on the call that departed ("" when all were) */
	char not_loaded[CONTAINER_SIZE];
	int64_t accepted_at_us; /* acceptance of the declaration */
	bool refund_approved;   /* a refund was approved for it before */
	size_t nitems;
	struct refund_export_item items[REFUND_MAX_ITEMS];
};

enum refund_verdict {
	REFUND_MATCHES,  /* goods and amounts agree: may be approved */
	REFUND_MISMATCH, /* can only be rejected: see the reasons */
};

struct refund_item_result {
	char hs_code[TARIFF_CODE_MAX];
	int64_t fob_cny;
	const struct tariff_version *version; /* NULL when no line */
	uint32_t rate_ppm;
	int64_t refund; /* fen */
};

/* The check's result. It borrows the tariff's versions. */
struct refund_result {
	char declaration[REFUND_NUMBER_MAX];
	enum refund_verdict verdict;
	int32_t date; /* the declaration's date (tariff in force) */
	int64_t departed_at_us;
	int64_t total; /* fen */
	size_t nitems;
	/* last: refund_check clears everything before it at once */
	struct refund_item_result items[REFUND_MAX_ITEMS];
};

/* Parse {"declaration_number", "items": [{"hs_code", "quantity",
 * "fob_value_cny"}]}. true when valid. */
bool refund_application_parse(const json_t *body, struct refund_application *out,
			      struct problems *p);

/* Check an application against customs' data. KERR_CONFLICT with every
 * reason in *reasons when it cannot be applied for (an import, not
 * released, not departed, refunded already); otherwise KERR_OK with
 * out->verdict, the refund per item, and (on MISMATCH) every difference
 * in *reasons with the application's field (/items/0/quantity). */
KOUAN_MUST_USE kerr refund_check(const struct refund_application *app,
				 const struct refund_customs_data *data,
				 const struct tariff *tariff,
				 struct refund_result *out,
				 struct problems *reasons);

/* The tax office's decision on a checked application: approving one that
 * does not match is refused (KERR_CONFLICT); rejecting needs a reason
 * (KERR_INVALID on /reason). */
KOUAN_MUST_USE kerr refund_decide(const struct refund_result *r, bool approve,
				  const char *reason, struct problems *p);

/* The result as JSON (amounts as decimal strings, rates in percent). */
json_t *refund_result_to_json(const struct refund_result *r);

#endif
