/*
 * assessment.h - the duties and taxes of one declaration, exact to the fen,
 * with every step recorded so that it can be shown and checked.
 *
 * The rules (docs/money.md works through examples of each):
 *
 *  1. Date and rate. The declaration's date is the China Standard Time
 *     date of its acceptance. The tariff line of each item is the one in
 *     force on that date (tariff.h); amounts are converted to CNY with the
 *     exchange rate of that month (exchange.h). No rate for the currency
 *     and month: the assessment is held ("no exchange rate for USD in
 *     2026-11"); no line in force for an item's code: held as well. A held
 *     assessment computes nothing.
 *  2. Value, in the declaration's currency. The Incoterm says what the
 *     price includes: EXW, FCA, FAS, FOB include neither main freight nor
 *     insurance (FOB basis); CFR, CPT include freight (CFR basis); CIF,
 *     CIP, DAP, DPU, DDP include both (CIF basis). Imports are valued CIF:
 *     FOB basis adds the declared freight (required) and the insurance;
 *     CFR basis adds the insurance; CIF basis takes the price as it is.
 *     Insurance declared as more than zero is used as declared; absent or
 *     zero (unknown or not incurred) it is 0.3 % of goods + freight (FOB
 *     basis) or of the CFR price, rounded half up to the currency's fen.
 *     Exports are valued FOB: CFR basis deducts the declared freight, CIF
 *     basis the declared freight and insurance (both required).
 *  3. Items. Freight is shared among the items in proportion to their
 *     goods value; insurance in proportion to goods value plus (imports)
 *     or minus (exports) the item's freight share. Each share is rounded
 *     down to the fen and the fen left over go one each to the items with
 *     the largest remainders (the earlier item on a tie), so the shares
 *     add up to the declaration's freight and insurance exactly
 *     (decimal_allocate). With all goods values zero, shares are equal.
 *  4. CNY. Each item's value is converted to CNY and rounded half up to
 *     the fen; the declaration's value in CNY is the sum of its items'.
 *  5. Duty, per item (imports only): ad valorem = value x rate; specific =
 *     quantity x amount per unit; compound = both, added. The duty basis is
 *     the provisional rate where the line has one, else MFN; a
 *     preferential rate applies when the declaration carries a certificate
 *     of origin for its agreement, the item's origin is one the agreement
 *     covers on that line, and it gives a lower duty (the lowest wins).
 *     The explanation says which rate applied and why the others did not.
 *  6. Consumption tax, per item: ad valorem = (value + duty) / (1 - rate)
 *     x rate; specific = quantity x amount; compound = (value + duty +
 *     quantity x amount) / (1 - rate) x rate + quantity x amount.
 *  7. VAT, per item: (value + duty + consumption tax) x VAT rate.
 *  8. Rounding: each tax of each item is computed exactly (128-bit
 *     integers) and rounded half up to the fen once; a later tax uses the
 *     rounded earlier ones. A declaration's tax is the sum of its items'.
 *  9. Not collected: a duty, consumption tax or VAT of one declaration of
 *     at most 50.00 CNY is waived (the customs regulations' "50 yuan and
 *     below", 50 yuan itself included); each kind is judged on its own, in
 *     that order, and a waived tax is not counted in the bases of the taxes
 *     after it (they count what is collected).
 * 10. Declared taxes: when the declarant states its own duty, VAT and
 *     consumption tax, each difference (declared - due) is recorded and
 *     any non-zero difference flags the assessment for customs.
 *
 * Specific rates are per the tariff line's unit; an item whose quantity is
 * in another unit cannot be assessed (a problem on /items/N/unit).
 *
 * Exports pay no duty or tax here (export duties are not modelled): an
 * export assessment gives the FOB value in CNY per item, which the export
 * refund (refund.h) is computed from, and each item's refund rate.
 *
 * Pure domain code: no I/O, no clock (the acceptance time is an input), no
 * floating point, no allocation and no JSON on the computation path.
 */
#ifndef KOUAN_ASSESSMENT_H
#define KOUAN_ASSESSMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "domain/exchange.h"
#include "domain/refdata.h"
#include "domain/tariff.h"

#define ASSESS_MAX_ITEMS 50     /* as a declaration (DECL_MAX_ITEMS) */
#define ASSESS_MAX_DOCUMENTS 50 /* as a declaration (DECL_MAX_DOCUMENTS) */
#define ASSESS_WAIVER_FEN 5000  /* a tax of at most 50.00 CNY is waived */
#define ASSESS_INSURANCE_PPM 3000 /* 0.3 % when insurance is unknown */
#define ASSESS_AMOUNT_MAX INT64_C(1000000000000000) /* 10^13 in the currency */
#define ASSESS_QUANTITY_MAX INT64_C(1000000000000000) /* 10^10 units */
#define ASSESS_REASON_MAX 512
#define ASSESS_NUMBER_MAX 65 /* a certificate number, as a document number */

/* What the invoice price of an Incoterm already includes. */
enum valuation_basis {
	VALUATION_FOB, /* neither main freight nor insurance */
	VALUATION_CFR, /* freight, not insurance */
	VALUATION_CIF, /* both */
};

/* The basis of an Incoterms 2020 rule; false when `incoterm` is not one. */
bool assessment_incoterm_basis(const char *incoterm, enum valuation_basis *out);
/* "FOB", "CFR", "CIF". */
const char *valuation_basis_name(enum valuation_basis b);

/* One item as declared. Strings are borrowed for the call only. */
struct assess_item {
	const char *hs_code; /* 10 digits */
	int64_t quantity;    /* in `unit`, scaled by 10^5 */
	const char *unit;    /* customs unit code */
	int64_t value;       /* the item's total price, currency x 100 */
	const char *origin;  /* ISO 3166 alpha-2 */
};

/* A document of the declaration. `agreement` is the trade agreement of a
 * preferential certificate of origin (the document type's "agreement" in
 * the reference list, see assessment_certificate_agreement), else NULL. */
struct assess_document {
	const char *type;
	const char *number;
	const char *agreement;
};

/* The declarant's own computation, in fen (declared_taxes on the
 * declaration, see assessment_declared_parse). */
struct assess_declared {
	bool present;
	int64_t duty;
	int64_t consumption_tax;
	int64_t vat;
};

/* A declaration as the assessment sees it: filled by the caller from
 * validated declaration facts. Amounts are in the declaration's currency
 * scaled by 10^2. Problems name the declaration's fields (/freight,
 * /items/2/unit, ...). */
struct assess_input {
	bool import;
	const char *incoterm;
	const char *currency;
	bool has_freight; /* the declaration states freight (even "0") */
	int64_t freight;
	bool has_insurance;
	int64_t insurance;
	int64_t accepted_at_us; /* UTC instant of acceptance */
	size_t nitems;
	struct assess_item items[ASSESS_MAX_ITEMS];
	size_t ndocuments;
	struct assess_document documents[ASSESS_MAX_DOCUMENTS];
	struct assess_declared declared;
};

enum assess_status {
	ASSESS_ASSESSED, /* every amount computed */
	ASSESS_HELD,     /* cannot be assessed yet: see held_reason */
};

enum duty_basis {
	DUTY_BASIS_NONE,         /* exports: no duty */
	DUTY_BASIS_MFN,
	DUTY_BASIS_PROVISIONAL,
	DUTY_BASIS_PREFERENTIAL,
};

/* "mfn", "provisional", "preferential", "none". */
const char *duty_basis_name(enum duty_basis b);

struct assessed_item {
	char hs_code[TARIFF_CODE_MAX];
	char origin[3];
	char unit[TARIFF_UNIT_MAX];
	int64_t quantity;
	int64_t goods;     /* the item's price, currency x 100 */
	int64_t freight;   /* its share of freight (added or deducted) */
	int64_t insurance; /* its share of insurance (added or deducted) */
	int64_t value;     /* customs value (CIF import, FOB export), currency */
	int64_t value_cny; /* fen */
	/* the line in force (borrowed from the tariff; NULL for an export
	 * code the tariff does not list) */
	const struct tariff_version *version;
	const struct tariff_line *line;
	enum duty_basis basis;
	const struct tariff_rate *duty_rate; /* the rate applied (in line) */
	const struct tariff_agreement *agreement; /* preferential only */
	char certificate[ASSESS_NUMBER_MAX];      /* preferential only */
	/* for the explanation (assessment_duty_reason): the first preference
	 * covering the origin without its certificate, and the first one
	 * certified but not lower than the rate applied; NULL when none */
	const struct tariff_preference *uncertified;
	const struct tariff_preference *not_lower;
	int64_t duty;            /* fen */
	int64_t duty_in_base;    /* the duty counted in the later bases: 0 when
				  * the declaration's duty is waived */
	int64_t consumption_tax; /* fen, on value + duty_in_base */
	int64_t consumption_tax_in_base; /* 0 when waived */
	int64_t vat_base; /* value + duty_in_base + consumption_tax_in_base */
	int64_t vat;      /* fen */
};

/* One kind of tax over the declaration. */
struct assessed_total {
	int64_t computed; /* sum of the items' amounts, fen */
	bool waived;      /* 0 < computed <= 50.00 CNY: not collected */
	int64_t due;      /* what is collected */
};

/* The result. It borrows the tariff's versions and lines: keep the tariff
 * alive while the result is read or rendered. */
struct assessment {
	enum assess_status status;
	char held_field[PROBLEM_FIELD_MAX];
	char held_reason[ASSESS_REASON_MAX];
	bool import;
	char incoterm[4];
	enum valuation_basis basis;
	char currency[4];
	int32_t date;       /* China Standard Time date of acceptance */
	int32_t rate_month; /* month of the exchange rate */
	int64_t rate;       /* CNY per unit, 10^8 scale */
	int64_t goods;      /* declaration totals in the currency, x 100 */
	int64_t freight;
	int64_t insurance;
	bool insurance_estimated; /* 0.3 % rule applied */
	int64_t value;     /* customs value, currency */
	int64_t value_cny; /* fen, sum of the items' */
	struct assessed_total duty, consumption_tax, vat;
	int64_t total_due; /* fen */
	struct assess_declared declared;
	/* declared - due, fen (declared.present only) */
	int64_t diff_duty, diff_consumption_tax, diff_vat;
	bool differs; /* some difference is not zero: flag to customs */
	size_t nitems;
	/* last: the computation clears everything before it at once */
	struct assessed_item items[ASSESS_MAX_ITEMS];
};

/* Check an input without a tariff or rates: everything that is wrong with
 * the declaration itself (amounts, codes, freight and insurance the
 * Incoterm needs). KERR_INVALID with every problem, or KERR_OK. Call at
 * lodging so that a later assessment can only be held, never refused. */
KOUAN_MUST_USE kerr assessment_check(const struct assess_input *in,
				     struct problems *p);

/* Assess. KERR_OK with out->status ASSESSED or HELD; KERR_INVALID with
 * every problem (assessment_check's, and an item whose quantity is not in
 * the unit of a specific rate, or an amount out of range) and *out
 * undefined. Never allocates. */
KOUAN_MUST_USE kerr assessment_compute(const struct assess_input *in,
				       const struct tariff *tariff,
				       const struct exchange_table *rates,
				       struct assessment *out,
				       struct problems *p);

/* Why item i's duty rate applied and the others did not, in a sentence
 * ("MFN rate 14%: origin AU qualifies for CN-AU 0%, but the declaration
 * carries no CN-AU certificate of origin"); "" for an export. Written into
 * buf (ASSESS_REASON_MAX is enough). */
void assessment_duty_reason(const struct assessment *a, size_t i, char *buf,
			    size_t n);

/* The result as JSON, every step with its inputs: values, shares, rates,
 * table version, exchange rate and month, each tax with its computation
 * and the reason for its rate, totals, waivers, declared taxes and their
 * differences. Amounts are decimal strings. New reference, NULL when out
 * of memory. */
json_t *assessment_to_json(const struct assessment *a);

/* Parse the declaration's optional `declared_taxes` object at `at`:
 * {"duty": "...", "consumption_tax": "...", "vat": "..."} in CNY, each
 * required, at most 2 decimals, not negative. true when valid (and
 * out->present set). */
bool assessment_declared_parse(const json_t *obj, const char *at,
			       struct assess_declared *out,
			       struct problems *p);

/* The trade agreement a document type certifies origin for (its
 * "agreement" in the document_types reference list), or NULL. Borrowed
 * from the snapshot. */
const char *assessment_certificate_agreement(const struct refdata *ref,
					     const char *document_type);

#endif
