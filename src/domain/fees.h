/*
 * fees.h - the published port fee catalogue (口岸收费目录清单): versioned
 * lists of every fee that may be charged at a port, and the charges raised
 * from them.
 *
 * A catalogue belongs to one port (a UN/LOCODE), has an id and takes effect
 * on a date. Each item says who charges it (the kind of organisation), for
 * what service, per which unit, at what price (fen), on what legal basis,
 * and whether it is one of the inspection services whose cost is borne by
 * the state when the joint inspection finds no problem.
 *
 * The rules:
 *  - A charge is raised only from an item of the catalogue in force; any
 *    other code is refused with the reason, never priced by hand.
 *  - amount = price x quantity, rounded half up to the fen; countable
 *    units (containers, TEU, container-days, declarations) take whole
 *    quantities only.
 *  - Lifting, moving and storage for an inspection (查验吊装、移位、仓储)
 *    are waived for the trader and recorded as borne by the state when the
 *    inspection's outcome is no_problem. Other inspection-related services
 *    (unpacking, for instance) and every other fee are paid by the trader
 *    whatever the outcome. A charge raised before the inspection is
 *    complete is the trader's (src/service/charges.c raises inspection
 *    services only once it is complete).
 *
 * Pure domain code: no I/O, no clock, no floating point; a catalogue is
 * immutable once parsed.
 *
 * JSON form (prices in CNY, decimal strings):
 *   {"id": "CNNSA-2026", "port": "CNNSA", "effective_from": "2026-01-01",
 *    "description": "...",
 *    "items": [{"code": "INSP-LIFT", "charged_by": "terminal",
 *               "charger": "Nansha terminal operators",
 *               "service_en": "...", "service_zh": "...",
 *               "unit": "container", "price": "180.00",
 *               "legal_basis": "...", "inspection_service": "lifting"}]}
 */
#ifndef KOUAN_FEES_H
#define KOUAN_FEES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "domain/refdata.h"

#define FEE_ID_MAX 33         /* catalogue id: 1..32 of [A-Za-z0-9._-] */
#define FEE_CODE_MAX 33       /* item code: 1..32 of [A-Z0-9-] */
#define FEE_MAX_ITEMS 500
#define FEE_PRICE_MAX INT64_C(100000000000) /* 10^9 CNY in fen */
#define FEE_QUANTITY_SCALE 3  /* tonnes to the kilogram */
#define FEE_QUANTITY_MAX INT64_C(1000000000000) /* 10^9 units */
#define FEE_REASON_MAX 200

/* Who charges (the kind of organisation). */
enum fee_charger {
	FEE_BY_TERMINAL,        /* the terminal operator (码头) */
	FEE_BY_PORT_AUTHORITY,  /* port dues collected for the port authority */
	FEE_BY_INSPECTION_SITE, /* the operator of an inspection site */
	FEE_BY_SHIPPING_AGENT,
	FEE_BY_TALLY,           /* the tally company (理货) */
};

enum fee_unit {
	FEE_PER_CONTAINER,
	FEE_PER_TEU,
	FEE_PER_CONTAINER_DAY,
	FEE_PER_DECLARATION,
	FEE_PER_TONNE,
};

/* The inspection service an item is, if any. */
enum fee_inspection {
	FEE_INSPECTION_NONE,
	FEE_INSPECTION_LIFTING,   /* 吊装: waived on no_problem */
	FEE_INSPECTION_MOVING,    /* 移位: waived on no_problem */
	FEE_INSPECTION_STORAGE,   /* 仓储: waived on no_problem */
	FEE_INSPECTION_UNPACKING, /* 掏箱: charged whatever the outcome */
};

/* The joint inspection's outcome, as kept by the inspection module. */
enum inspection_outcome {
	INSPECTION_NONE,       /* no inspection, or not complete yet */
	INSPECTION_NO_PROBLEM, /* "no_problem" */
	INSPECTION_PROBLEM,    /* "problem" */
};

enum fee_payer {
	FEE_PAYER_TRADER,
	FEE_PAYER_STATE, /* waived for the trader, borne by the state */
};

struct fee_item {
	char code[FEE_CODE_MAX];
	enum fee_charger charged_by;
	char *charger;    /* the organisation's name; may be NULL */
	char *service_en;
	char *service_zh; /* may be NULL */
	enum fee_unit unit;
	int64_t price;    /* fen per unit */
	char *legal_basis;
	enum fee_inspection inspection;
	/* A service priced by the container's size (terminal handling of a 20
	 * or a 40-foot container): its size, 20, 40 or 45 feet, and the
	 * service its sizes share ("THC"); 0 and "" for any container. */
	int container_size;
	char sized_service[FEE_CODE_MAX];
};

struct fee_catalogue {
	char id[FEE_ID_MAX];
	char port[6];
	int32_t effective_from; /* date (common/date.h) */
	char *description;      /* may be NULL */
	size_t nitems;
	struct fee_item *items; /* sorted by code */
};

/* One charge raised from the catalogue. */
struct fee_charge {
	char catalogue[FEE_ID_MAX];
	char code[FEE_CODE_MAX];
	enum fee_unit unit;
	int64_t price;    /* fen per unit */
	int64_t quantity; /* scaled by 10^3 */
	int64_t amount;   /* fen */
	enum fee_payer payer;
	int64_t trader_amount; /* what the trader pays */
	int64_t state_amount;  /* what the state bears */
	char reason[FEE_REASON_MAX]; /* why the payer is who it is */
};

/* Names of the enums as they appear in JSON ("terminal", "container_day",
 * "lifting", "no_problem", "state", ...); "?" when out of range. */
const char *fee_charger_name(enum fee_charger c);
const char *fee_unit_name(enum fee_unit u);
const char *fee_inspection_name(enum fee_inspection i);
const char *fee_payer_name(enum fee_payer p);
/* "none" for INSPECTION_NONE, "no_problem", "problem". */
const char *inspection_outcome_name(enum inspection_outcome o);
/* Parse "no_problem" or "problem" (NULL or "": none); false when unknown. */
bool inspection_outcome_parse(const char *s, enum inspection_outcome *out);

/* Parse and validate a catalogue. With a reference snapshot holding ports,
 * the port must be a known one. NULL with every problem when not valid;
 * free with fee_catalogue_free. */
struct fee_catalogue *fee_catalogue_parse(const json_t *doc,
					  const struct refdata *ref,
					  struct problems *p);
void fee_catalogue_free(struct fee_catalogue *c);

/* The item with `code`, or NULL. */
const struct fee_item *fee_find(const struct fee_catalogue *c, const char *code);

/* Who pays an item after an inspection with `outcome`, and why (into
 * reason, size n). */
enum fee_payer fee_payer_for(const struct fee_item *item,
			     enum inspection_outcome outcome, char *reason,
			     size_t n);

/* Raise a charge of `quantity` (scaled by 10^3) of catalogue item `code`
 * for a declaration whose inspection outcome is `outcome`. Refused with
 * KERR_INVALID and a problem on /code (not in the catalogue) or /quantity
 * (not above zero, not whole for a countable unit, out of range). */
KOUAN_MUST_USE kerr fee_charge(const struct fee_catalogue *c, const char *code,
			       int64_t quantity, enum inspection_outcome outcome,
			       struct fee_charge *out, struct problems *p);

/* What a declaration's goods are, for the most of each unit that may be
 * charged on them: a terminal charges the goods it handled, not a number
 * it chooses. */
struct fee_goods {
	int64_t containers;     /* on the declaration */
	int64_t gross_weight_g; /* grams (kg scaled by 10^3) */
	int64_t container_days; /* in the yard so far, each day begun counting */
	/* of the containers, those the manifest line gives as 20, 40 and 45
	 * feet (the rest are of no size kouan knows) */
	int64_t sized[3];
};

/* What is charged on the declaration already, scaled by 10^3: of the item,
 * and of its sized service (every size of it; 0 for an item not sized). */
struct fee_charged {
	int64_t item;
	int64_t service;
};

/* The size in feet an ISO 6346 size-type code gives (its first character:
 * 2 is 20, 4 is 40, L is 45); 0 for any other or none. */
int fee_container_size(const char *size_type);

/* Does `quantity` (scaled by 10^3) of item `code`, with what is charged
 * already on the declaration, stay within what the goods allow? Per unit:
 * a container each (containers); two TEU each (TEU); the days in the yard
 * (container-days); once (declaration); the gross weight (tonnes). A
 * sized item only for the containers of its size or of no size known, and
 * its service (every size) once a container. false, with the problem at
 * /quantity saying how much is left, when it does not (or the item is
 * unknown: fee_charge says so). */
bool fee_within_goods(const struct fee_catalogue *c, const char *code, int64_t quantity,
		      const struct fee_goods *g, const struct fee_charged *done,
		      struct problems *p);

/* The JSON forms (prices and amounts as decimal strings). NULL when out
 * of memory. Parsing fee_catalogue_to_json's output gives the same
 * catalogue back. */
json_t *fee_catalogue_to_json(const struct fee_catalogue *c);
json_t *fee_charge_to_json(const struct fee_charge *ch);

#endif
