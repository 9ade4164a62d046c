/*
 * declaration.h - the goods declaration: its fields, its validation against
 * the rules and the reference data, and the facts the workflow needs from it
 * (which agencies must act, and on what).
 *
 * Pure: no I/O, no clock. Validation reports every problem it finds, each
 * with a JSON pointer to the field, rather than stopping at the first.
 */
#ifndef KOUAN_DECLARATION_H
#define KOUAN_DECLARATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/refdata.h"
#include "common/problems.h"

#define DECL_MAX_ITEMS 50
#define DECL_MAX_CONTAINERS 200
#define DECL_MAX_DOCUMENTS 50
#define DECL_NUMBER_LEN 18
#define DIGEST_HEX 33 /* 16-byte digest as hex, NUL-terminated */

/* Scales of the exact decimals a declaration carries. */
#define SCALE_MONEY 2
#define SCALE_UNIT_PRICE 4
#define SCALE_QUANTITY 5
#define SCALE_WEIGHT 3

struct declaration_facts {
	bool import;
	char declaration_office[8];
	char port_office[8];
	char transport_mode[4];
	char bill_of_lading[65];
	char declarant_uscc[19];
	char consignee_uscc[19];
	char currency[4];
	int64_t goods_value; /* sum of item totals, currency minor units */
	agency_set agencies; /* every agency that must act */
	/* per agency (by index): digest of what it acts on */
	char basis[REF_MAX_AGENCIES][DIGEST_HEX];
	/* the body as canonical JSON (sorted keys, compact), owned */
	char *canonical;
};

/* Validate a declaration body. On success returns true and fills *facts
 * (release with declaration_facts_free); otherwise returns false with at
 * least one entry in *p and nothing to free. */
bool declaration_validate(const json_t *body, const struct refdata *ref,
			  struct problems *p, struct declaration_facts *facts);
void declaration_facts_free(struct declaration_facts *facts);

/* The declaration number: office (4) + year (4) + 1 import / 0 export +
 * sequence (9 digits). out must hold DECL_NUMBER_LEN + 1 bytes. Returns false
 * when the sequence does not fit in nine digits. */
bool declaration_number_format(const char *office, int year, bool import,
			       int64_t sequence, char *out);

/* Is `s` shaped like a declaration number (18 digits, direction flag 0/1)? */
bool declaration_number_valid(const char *s);

/* The goods value and per-item totals for display:
 * {"currency": "USD", "goods_value": "1234.50", "items": ["…", …]}.
 * The body must have passed declaration_validate. New reference. */
json_t *declaration_totals(const json_t *body);

/* Canonical text of a JSON value (sorted keys, compact). free() it. */
char *json_canonical(const json_t *v);

/* Hex digest (16 bytes of BLAKE2b) of a NUL-terminated string. */
void digest_hex(const char *s, char out[DIGEST_HEX]);

#endif
