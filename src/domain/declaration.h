/*
 * declaration.h - the goods declaration: its fields, its validation against
 * the rules and the reference data, and the facts drawn from it: everything
 * the steps after validation need (parties, modes, ports, transport
 * identity, items with their values, which agencies act and on what), so
 * that nothing after validation reads the body again.
 *
 * Pure: no I/O, no clock. Validation reports every problem it finds, each
 * with a JSON pointer to the field, rather than stopping at the first.
 */
#ifndef KOUAN_DECLARATION_H
#define KOUAN_DECLARATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/problems.h"
#include "common/sizes.h"
#include "domain/refdata.h"

#define DECL_MAX_ITEMS 50
#define DECL_MAX_CONTAINERS 200
#define DECL_MAX_DOCUMENTS 50

/* Scales of the exact decimals a declaration carries. */
#define SCALE_MONEY 2
#define SCALE_UNIT_PRICE 4
#define SCALE_QUANTITY 5
#define SCALE_WEIGHT 3

/* One goods item. Strings point into the facts' body. */
struct declaration_item {
	const char *hs_code;
	const char *description;
	const char *unit;
	const char *origin;  /* ISO 3166-1 alpha-2 */
	int64_t quantity;    /* SCALE_QUANTITY */
	int64_t unit_price;  /* SCALE_UNIT_PRICE, declaration currency */
	int64_t value;       /* quantity x unit_price, SCALE_MONEY */
	agency_set agencies; /* agencies this item calls for (after validation) */
};

struct declaration_document {
	const char *type;
	const char *number;
};

struct declaration_facts {
	json_t *body; /* owned reference; every string below points into it */
	bool import;
	bool advance; /* lodged before the goods arrive */
	const char *declaration_office;
	const char *port_office;
	const char *declarant_uscc;
	const char *consignee_uscc;
	const char *trade_mode;
	const char *transport_mode;
	const char *conveyance_name;
	const char *voyage;
	const char *imo;             /* NULL when not given */
	const char *bill_of_lading;
	const char *trading_country;
	const char *partner_country; /* departure (import) or destination (export) */
	const char *port;            /* entry (import) or exit (export) port */
	const char *incoterm;
	const char *currency;
	int64_t freight;   /* SCALE_MONEY; 0 when not declared */
	int64_t insurance; /* SCALE_MONEY; 0 when not declared */
	bool freight_declared;
	bool insurance_declared;
	int64_t packages;
	int64_t gross_weight; /* kg, SCALE_WEIGHT */
	size_t ncontainers;
	const char *containers[DECL_MAX_CONTAINERS];
	size_t nitems;
	struct declaration_item items[DECL_MAX_ITEMS];
	size_t ndocuments;
	struct declaration_document documents[DECL_MAX_DOCUMENTS];
	int64_t goods_value; /* sum of item values, currency minor units */
	/* after validation only: every agency that must act, and per agency
	 * (by index) the digest of what it acts on */
	agency_set agencies;
	char basis[REF_MAX_AGENCIES][DIGEST_HEX];
	/* the body as canonical JSON (sorted keys, compact), owned; after
	 * validation only */
	char *canonical;
};

/* Validate a declaration body. On success returns true and fills *facts
 * (release with declaration_facts_free; it holds a reference to body);
 * otherwise returns false with at least one entry in *p and nothing to
 * free. */
bool declaration_validate(json_t *body, const struct refdata *ref,
			  struct problems *p, struct declaration_facts *facts);

/* The facts of a declaration stored after validation (its canonical text):
 * everything but the agencies, their bases and the canonical text. False
 * when the text is not a declaration (nothing to free then). */
bool declaration_facts_load(const char *canonical, struct declaration_facts *facts);

void declaration_facts_free(struct declaration_facts *facts);

/* The declaration number: office (4) + year (4) + 1 import / 0 export +
 * sequence (9 digits). out must hold DECL_NUMBER_SIZE bytes. Returns false
 * when the sequence does not fit in nine digits. */
bool declaration_number_format(const char *office, int year, bool import,
			       int64_t sequence, char *out);

/* Is `s` shaped like a declaration number (18 digits, direction flag 0/1)? */
bool declaration_number_valid(const char *s);

/* Canonical text of a JSON value (sorted keys, compact). free() it. */
char *json_canonical(const json_t *v);

/* Hex digest (16 bytes of BLAKE2b) of a NUL-terminated string. */
void digest_hex(const char *s, char out[DIGEST_HEX]);

#endif
