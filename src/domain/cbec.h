/*
 * cbec.h - cross-border e-commerce retail imports (跨境电商零售进口): the
 * platform's order, the payment company's payment and the logistics
 * company's waybill, the inventory an enterprise or its agent may declare,
 * matching the three documents of one order (三单对碰) into a list entry
 * (清单), the personal quotas, the retail import tax, returns, the monthly
 * summary of taxes withheld, and an in-memory index of documents waiting
 * for their partners.
 *
 * Pure: no I/O, no clock (every time is passed in, microseconds UTC), no
 * randomness, no mutable globals. Money is in fen (int64), rates are
 * fractions scaled by 10^4 (1300 = 13 %). Validation fills struct problems
 * with a JSON pointer into the document and one sentence per problem.
 * Nothing here may store, send or log anything: the service does.
 */
#ifndef KOUAN_CBEC_H
#define KOUAN_CBEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "domain/refdata.h"

/* Bytes for a field of n characters of UTF-8, with its NUL. */
#define CBEC_TEXT(n) ((n) * 4 + 1)

#define CBEC_CODE_LEN 18   /* customs registration code or USCC of a party */
#define CBEC_NO_LEN 60     /* order, waybill and transaction numbers */
#define CBEC_MAX_LINES 99  /* goods lines in one order or inventory */
#define CBEC_MAX_DIFFS 16  /* differences one match reports */

/* Scales of the exact decimals the documents carry. */
#define CBEC_SCALE_MONEY 2    /* fen */
#define CBEC_SCALE_PRICE 5    /* unit prices, as the CEB messages allow */
#define CBEC_SCALE_QUANTITY 5 /* quantities */
#define CBEC_SCALE_WEIGHT 3   /* kilograms, to the gram */
#define CBEC_SCALE_RATE 4     /* tax rates: 1300 = 13 % */

/* The personal limits, in fen. */
#define CBEC_ORDER_LIMIT 500000LL    /* 5,000.00 CNY a retail order */
#define CBEC_ANNUAL_LIMIT 2600000LL  /* 26,000.00 CNY a buyer a year */
#define CBEC_RETURN_DAYS 30          /* a return restores quota and tax */

enum cbec_doc {
	CBEC_DOC_ORDER,
	CBEC_DOC_PAYMENT,
	CBEC_DOC_WAYBILL,
	CBEC_DOC_INVENTORY,
};

/* "order", "payment", "waybill" or "inventory". */
const char *cbec_doc_name(enum cbec_doc d);

/* Supervision mode of a retail import. */
enum cbec_mode {
	CBEC_MODE_UNKNOWN = 0, /* not yet declared (a CEB311 order before its inventory) */
	CBEC_MODE_DIRECT,      /* 9610: parcels sent from abroad */
	CBEC_MODE_BONDED,      /* 1210: stock held in a bonded zone */
};

/* "9610", "1210" or "" for CBEC_MODE_UNKNOWN. */
const char *cbec_mode_code(enum cbec_mode m);

/* ---- the documents ------------------------------------------------- */

struct cbec_line {
	int gnum;                                 /* 1.., unique in the order */
	char item_no[CBEC_TEXT(30)];              /* the enterprise's SKU, optional */
	char item_name[CBEC_TEXT(250)];
	char specification[CBEC_TEXT(510)];       /* brand, model, size; optional */
	char bar_code[CBEC_TEXT(50)];             /* optional */
	char hs_code[11];                         /* "" until classified */
	char unit[4];                             /* customs unit code */
	char origin_country[3];                   /* ISO 3166-1 alpha-2 */
	int64_t quantity;                         /* scale 5 */
	int64_t unit_price;                       /* scale 5, CNY */
	int64_t total;                            /* fen */
};

/* The platform's order (CEB311). */
struct cbec_order {
	char platform_code[CBEC_CODE_LEN + 1];
	char platform_name[CBEC_TEXT(100)];
	char enterprise_code[CBEC_CODE_LEN + 1];
	char enterprise_name[CBEC_TEXT(100)];
	char order_no[CBEC_NO_LEN + 1];
	enum cbec_mode mode;                      /* UNKNOWN until declared */
	char customs_office[5];                   /* "" until declared */
	char buyer_account[CBEC_TEXT(60)];        /* the buyer's platform account, optional */
	char buyer_name[CBEC_TEXT(60)];
	char buyer_id_number[19];                 /* resident ID, check character verified */
	char buyer_phone[31];
	char consignee_name[CBEC_TEXT(100)];
	char consignee_phone[51];
	char consignee_address[CBEC_TEXT(200)];
	char consignee_district[7];               /* optional */
	char payment_code[CBEC_CODE_LEN + 1];     /* optional: if given, must match */
	char transaction_no[CBEC_NO_LEN + 1];     /* optional: if given, must match */
	int64_t goods_value;                      /* fen: sum of the line totals */
	int64_t freight;
	int64_t discount;                         /* non-cash deductions */
	int64_t tax_withheld;
	int64_t actual_paid;
	size_t nlines;
	struct cbec_line *lines;                  /* owned, nlines entries */
};

/* The payment company's payment (CEB411). */
struct cbec_payment {
	char payment_code[CBEC_CODE_LEN + 1];
	char payment_name[CBEC_TEXT(100)];
	char transaction_no[CBEC_NO_LEN + 1];
	char platform_code[CBEC_CODE_LEN + 1];
	char platform_name[CBEC_TEXT(100)];       /* optional */
	char order_no[CBEC_NO_LEN + 1];
	char payer_name[CBEC_TEXT(60)];
	char payer_id_number[19];
	char payer_phone[61];                     /* optional */
	int64_t amount_paid;                      /* fen */
	int64_t paid_at_us;
};

/* The logistics company's waybill (CEB511). */
struct cbec_waybill {
	char logistics_code[CBEC_CODE_LEN + 1];
	char logistics_name[CBEC_TEXT(100)];
	char waybill_no[CBEC_NO_LEN + 1];
	char bill_no[38];                         /* master bill, optional */
	char platform_code[CBEC_CODE_LEN + 1];
	char order_no[CBEC_NO_LEN + 1];
	char consignee_name[CBEC_TEXT(100)];
	char consignee_phone[51];
	char consignee_address[CBEC_TEXT(200)];
	char goods_info[CBEC_TEXT(200)];          /* optional */
	int64_t freight;                          /* fen, 0 when not sent */
	int64_t insured_fee;                      /* fen, 0 when not sent */
	int64_t gross_weight;                     /* scale 3, kg */
	int packages;
};

struct cbec_inventory_line {
	int gnum;                                 /* names the order's line */
	char item_no[CBEC_TEXT(30)];
	char hs_code[11];
	char goods_name[CBEC_TEXT(250)];
	char origin_country[3];
	char unit[4];
	char legal_unit[4];
	int64_t quantity;                         /* scale 5 */
	int64_t legal_quantity;                   /* scale 5, in legal_unit */
	int64_t unit_price;                       /* scale 5 */
	int64_t total;                            /* fen */
};

/* The inventory an enterprise or its agent declares (CEB621): it classifies
 * the order's lines and names the mode and the customs office. */
struct cbec_inventory {
	char platform_code[CBEC_CODE_LEN + 1];
	char enterprise_code[CBEC_CODE_LEN + 1];
	char order_no[CBEC_NO_LEN + 1];
	char logistics_code[CBEC_CODE_LEN + 1];
	char waybill_no[CBEC_NO_LEN + 1];
	char agent_code[CBEC_CODE_LEN + 1];
	char agent_name[CBEC_TEXT(100)];
	char cop_no[21];                          /* the sender's own number */
	enum cbec_mode mode;
	char customs_office[5];
	char port_office[5];
	char transport_mode[2];
	char bill_no[38];                         /* 9610 only */
	char bonded_account[31];                  /* 1210 only (emsNo) */
	char departure_country[3];                /* ISO 3166-1 alpha-2 */
	char buyer_name[CBEC_TEXT(60)];
	char buyer_id_number[19];
	char buyer_phone[31];
	char consignee_address[CBEC_TEXT(200)];
	int64_t freight;
	int64_t insured_fee;
	int64_t gross_weight;                     /* scale 3 */
	int64_t net_weight;                       /* scale 3 */
	int packages;
	size_t nlines;
	struct cbec_inventory_line *lines;        /* owned */
};

/*
 * Validate a document given as JSON (the shape documented in docs/cbec.md)
 * and fill *out. `ref` (may be NULL: codes are then checked for form only)
 * names the known units, countries, commodities and customs offices.
 * Returns true when the document is valid; otherwise false, with at least
 * one problem in *p and nothing to free. Every problem found is reported.
 */
bool cbec_order_validate(const json_t *body, const struct refdata *ref,
			 struct problems *p, struct cbec_order *out);
bool cbec_payment_validate(const json_t *body, const struct refdata *ref,
			   struct problems *p, struct cbec_payment *out);
bool cbec_waybill_validate(const json_t *body, const struct refdata *ref,
			   struct problems *p, struct cbec_waybill *out);
bool cbec_inventory_validate(const json_t *body, const struct refdata *ref,
			     struct problems *p, struct cbec_inventory *out);

/* Release what a validated order or inventory owns (its lines); the struct
 * itself is the caller's. Safe on a zeroed struct. */
void cbec_order_free(struct cbec_order *o);
void cbec_inventory_free(struct cbec_inventory *inv);

/* Is the order ready to match: mode and customs office known, every line
 * with a commodity code? (A CEB311 order waits for its inventory.) */
bool cbec_order_classified(const struct cbec_order *o);

/*
 * Apply an inventory to its order: the inventory must name the same
 * platform, order, buyer and goods (every line by gnum, same quantity and
 * total); it then gives each line its commodity code and the order its mode
 * and customs office. Problems point into the inventory. Returns true when
 * applied; on false the order is unchanged.
 */
bool cbec_order_classify(struct cbec_order *o, const struct cbec_inventory *inv,
			 struct problems *p);

/*
 * The positive list (跨境电商零售进口商品清单, reference list "cbec_goods",
 * keyed by 8-digit tariff line). cbec_goods_find gives the entry covering a
 * 10-digit commodity code, or NULL. cbec_goods_check reports, for each
 * classified line of the order, a code that is not on the list or is not
 * open to the order's mode; returns true when every line may come in.
 */
const struct ref_entry *cbec_goods_find(const struct refdata *ref, const char *hs_code);
bool cbec_goods_check(const struct refdata *ref, const struct cbec_order *o,
		      struct problems *p);

/* Customs always, plus the agencies the commodity table names for the
 * order's goods (quarantine for cosmetics, food, wine, ...). */
agency_set cbec_agencies(const struct refdata *ref, const struct cbec_order *o);

/* ---- matching ------------------------------------------------------ */

/* One field on which the documents disagree. */
struct cbec_difference {
	enum cbec_doc doc;                        /* the document at fault */
	char field[48];                           /* JSON pointer in that document */
	char expected[CBEC_TEXT(200)];            /* what the other documents call for */
	char found[CBEC_TEXT(200)];               /* what this one says */
};

/* The parcel to clear: the three documents (borrowed: valid while they
 * are) and the values the tax and the quota are computed on. */
struct cbec_list_entry {
	const struct cbec_order *order;
	const struct cbec_payment *payment;
	const struct cbec_waybill *waybill;
	int64_t customs_value;                    /* goods_value + freight + insured fee */
};

struct cbec_match {
	bool matched;
	size_t ndiffs;                            /* stored */
	size_t dropped;                           /* beyond CBEC_MAX_DIFFS */
	struct cbec_difference diffs[CBEC_MAX_DIFFS];
	struct cbec_list_entry entry;             /* valid when matched */
};

/*
 * Match the three documents of one order (the caller found them by platform
 * and order number). They agree when: the payer is the buyer (same name and
 * ID number); the payment names the order's payment company and transaction
 * when the order gives them; the waybill's consignee is the order's (name,
 * phone, address); and goods value + freight - discount + tax withheld
 * equals, within `tolerance_fen`, both the order's actual paid amount and
 * the payment's amount. The order must be classified. Fills *out with every
 * difference (field, document, expected, found) or with the list entry.
 * Returns out->matched.
 */
bool cbec_match(const struct cbec_order *o, const struct cbec_payment *pay,
		const struct cbec_waybill *w, int64_t tolerance_fen,
		struct cbec_match *out);

/* The tolerance kouan uses unless configured: 0 fen (see docs/cbec.md). */
#define CBEC_DEFAULT_TOLERANCE 0

/* ---- quotas and tax ------------------------------------------------ */

enum cbec_ct_kind {
	CBEC_CT_NONE,
	CBEC_CT_AD_VALOREM,                       /* rate of the value */
	CBEC_CT_SPECIFIC,                         /* amount per unit */
	CBEC_CT_COMPOUND,                         /* both */
};

/* The tariff's rates for one goods line (the tariff supplies them). */
struct cbec_rates {
	int32_t vat;                              /* scale 4: 1300 = 13 % */
	enum cbec_ct_kind ct_kind;
	int32_t ct_rate;                          /* scale 4, ad valorem part, < 10000 */
	int64_t ct_specific;                      /* fen per unit of ct_quantity */
	int64_t ct_quantity;                      /* scale 5, in the specific tax's unit */
	int32_t mfn_duty;                         /* scale 4, used for full taxes only */
};

/* Taxes on one line, in fen. */
struct cbec_line_tax {
	int64_t value;                            /* line total + its share of freight and insurance */
	int64_t duty;
	int64_t consumption_tax;
	int64_t vat;
};

/*
 * Taxes on a value `value_fen` with rates *r: general trade (retail false):
 * duty = value x MFN rate; consumption tax ad valorem (value + duty) / (1 -
 * rate) x rate, specific quantity x amount, compound (value + duty +
 * specific) / (1 - rate) x rate + specific; VAT = (value + duty +
 * consumption tax) x VAT rate; each rounded half up to the fen, each from
 * the ones before as rounded. Retail (true): duty 0, the consumption tax
 * and VAT computed so, then 70 % of each, rounded half up to the fen.
 * KERR_INVALID for rates out of range or amounts too large.
 */
KOUAN_MUST_USE kerr cbec_line_taxes(int64_t value_fen, const struct cbec_rates *r,
				    bool retail, struct cbec_line_tax *out);

enum cbec_verdict {
	CBEC_RETAIL,              /* within the limits: duty 0, 70 % of VAT and CT */
	CBEC_FULL_TAX,            /* one indivisible item over 5,000: full taxes, counts to the year */
	CBEC_OVER_ORDER_LIMIT,    /* refused for retail: order over 5,000 */
	CBEC_OVER_ANNUAL_LIMIT,   /* refused for retail: the year would pass 26,000 */
};

struct cbec_assessment {
	enum cbec_verdict verdict;
	int year;                                 /* the quota year (Beijing calendar) */
	int64_t customs_value;                    /* counted towards the quota */
	int64_t used;                             /* the buyer's year before this order */
	int64_t remaining;                        /* of the annual limit, before this order */
	int64_t duty, consumption_tax, vat, total;
	int64_t withheld_difference;              /* tax withheld - total (informational) */
	size_t nlines;
	struct cbec_line_tax lines[CBEC_MAX_LINES];
	char reason[400];                         /* one sentence for a refusal, else "" */
};

/* The quota year of a moment: the calendar year in Beijing time (UTC+8). */
int cbec_quota_year(int64_t at_us);

/*
 * Assess a matched parcel at `at_us` for a buyer who has already used
 * `used_fen` of the quota year of at_us. `rates` has one entry per order
 * line, in order. Freight and insurance are shared among the lines in
 * proportion to their totals (each share rounded half up, the last line
 * taking what remains). A refused parcel has no taxes and a reason that
 * gives the year used, what remains and the order's value.
 * KERR_INVALID for bad rates or amounts too large.
 */
KOUAN_MUST_USE kerr cbec_assess(const struct cbec_list_entry *e,
				const struct cbec_rates *rates, size_t nrates,
				int64_t used_fen, int64_t at_us,
				struct cbec_assessment *out);

struct cbec_refund {
	bool allowed;
	int year;                                 /* the quota year to credit */
	int days;                                 /* calendar days after release (Beijing) */
	int64_t quota_restored;
	int64_t duty, consumption_tax, vat, total;
	char reason[200];                         /* when refused */
};

/*
 * A return of a released parcel: allowed at most CBEC_RETURN_DAYS calendar
 * days (Beijing time) after the day of release; it restores the value to
 * the year the parcel counted in and refunds the taxes assessed. Refused
 * (allowed false, a reason) after that, before release, or for a parcel
 * that was refused for retail. Returns out->allowed.
 */
bool cbec_return_check(const struct cbec_assessment *a, int64_t released_at_us,
		       int64_t returned_at_us, struct cbec_refund *out);

/* ---- the monthly summary ------------------------------------------- */

/* One cleared parcel as the summary sees it. */
struct cbec_cleared {
	const char *platform_code;
	int64_t released_at_us;
	int64_t returned_at_us;                   /* 0: not returned */
	int64_t duty, consumption_tax, vat;
};

/* What one platform withheld in a month and owes. */
struct cbec_platform_month {
	char platform_code[CBEC_CODE_LEN + 1];
	size_t parcels;                           /* released in the month */
	size_t returns;                           /* returned in the month */
	int64_t duty, consumption_tax, vat;       /* of the parcels released */
	int64_t refunded;                         /* taxes of the parcels returned */
	int64_t due;                              /* duty + CT + VAT - refunded */
};

/*
 * The month's summary (year, month in Beijing time): per platform, the
 * taxes of the parcels released in the month, less the taxes refunded for
 * parcels returned in the month (whenever released). Sorted by platform
 * code into out[cap]; *nout is the number of platforms. KERR_TOO_LARGE
 * when more than cap platforms appear, KERR_INVALID for a bad month.
 */
KOUAN_MUST_USE kerr cbec_month_summary(const struct cbec_cleared *parcels, size_t n,
				       int year, int month,
				       struct cbec_platform_month *out, size_t cap,
				       size_t *nout);

/* ---- the index of pending documents -------------------------------- */

/* The documents of one order waiting for their partners. */
struct cbec_pending {
	char platform_code[CBEC_CODE_LEN + 1];
	char order_no[CBEC_NO_LEN + 1];
	struct cbec_order *order;                 /* owned by the index, or NULL */
	struct cbec_payment *payment;
	struct cbec_waybill *waybill;
	int64_t first_at_us;                      /* first document's arrival */
	uint64_t hash;
};

struct cbec_index;

/*
 * A hash index of pending documents keyed by (platform code, order number),
 * hashed with a secret 16-byte key (SipHash) so senders cannot choose
 * colliding numbers. Not thread-safe: one per shard or under a lock.
 * NULL when out of memory.
 */
struct cbec_index *cbec_index_new(const unsigned char key[16]);
/* Frees the index and every document it still holds. */
void cbec_index_free(struct cbec_index *idx);
size_t cbec_index_count(const struct cbec_index *idx);

/*
 * Hand a document to the index (it must be malloc'ed; the index owns it
 * from now on, and frees it on error too). A document of the same kind
 * already pending for that order is replaced and freed: a correction.
 * *slot (may be NULL) receives the order's pending entry, which stays at
 * its address until it is taken or expired. KERR_INVALID when the document
 * has no platform code or order number, KERR_NOMEM.
 */
KOUAN_MUST_USE kerr cbec_index_put_order(struct cbec_index *idx, struct cbec_order *o,
					 int64_t at_us, struct cbec_pending **slot);
KOUAN_MUST_USE kerr cbec_index_put_payment(struct cbec_index *idx, struct cbec_payment *p,
					   int64_t at_us, struct cbec_pending **slot);
KOUAN_MUST_USE kerr cbec_index_put_waybill(struct cbec_index *idx, struct cbec_waybill *w,
					   int64_t at_us, struct cbec_pending **slot);

/* The pending entry of an order, or NULL. */
struct cbec_pending *cbec_index_find(struct cbec_index *idx, const char *platform_code,
				     const char *order_no);

/* Are all three documents in, and the order classified? */
bool cbec_pending_complete(const struct cbec_pending *s);

/* Remove an entry, giving its documents (possibly NULL) to the caller, who
 * frees them (cbec_order_free + free, free, free). */
void cbec_index_take(struct cbec_index *idx, struct cbec_pending *slot,
		     struct cbec_order **o, struct cbec_payment **p,
		     struct cbec_waybill **w);

/* Remove every entry whose first document arrived before `before_us`,
 * calling fn (may be NULL) on each before freeing it. Returns how many. */
size_t cbec_index_expire(struct cbec_index *idx, int64_t before_us,
			 void (*fn)(void *arg, const struct cbec_pending *s), void *arg);

#endif
