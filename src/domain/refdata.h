/*
 * refdata.h - an immutable in-memory snapshot of the reference lists
 * (countries, currencies, commodities, customs offices, ports, trade and
 * transport modes, units, incoterms, document types, agencies, exchange
 * rates, and the cross-border e-commerce retail import list).
 *
 * Validation reads the snapshot, never the database, so checking fifty HS
 * codes costs fifty binary searches. A snapshot is built from (list, code,
 * JSON) entries, shared by reference count, and replaced whole when an admin
 * edits a list: readers keep the snapshot they started with.
 *
 * Which agencies act on what is data, not code: each agency has a bit; a
 * commodity or transport mode names the agencies it calls for.
 */
#ifndef KOUAN_REFDATA_H
#define KOUAN_REFDATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"

#define REF_MAX_AGENCIES 16

typedef uint32_t agency_set; /* one bit per agency, by index in the agencies list */

enum agency_scope {
	SCOPE_DECLARATION, /* acts on the whole declaration */
	SCOPE_GOODS,       /* acts on the goods that call for it */
	SCOPE_CONVEYANCE,  /* acts on the means of transport and containers */
};

struct ref_entry {
	const char *code; /* points into data */
	json_t *data;     /* the entry object, owned */
	agency_set agencies;
	/* commodities only: extra agencies per transport mode code */
	json_t *agencies_if_transport; /* borrowed from data, may be NULL */
};

struct ref_list {
	char name[32];
	struct ref_entry *entries; /* sorted by code */
	size_t n;
	size_t cap;
};

struct agency {
	char code[AGENCY_CODE_SIZE];
	enum agency_scope scope;
};

struct refdata {
	struct ref_list *lists;
	size_t nlists;
	struct agency agencies[REF_MAX_AGENCIES];
	size_t nagencies;
	int refs;
};

/* The list names kouan knows; an entry for another list is refused. */
extern const char *const refdata_list_names[];

/* Is `name` one of refdata_list_names? */
bool refdata_known_list(const char *name);

/* A builder collects entries, then freezes them into a snapshot. */
struct refdata_builder;
struct refdata_builder *refdata_builder_new(void);
/* Add an entry; takes a reference to `data` (an object with "code"). */
KOUAN_MUST_USE kerr refdata_builder_add(struct refdata_builder *b,
					const char *list, json_t *data);
/* Freeze: sorts, resolves agency names, frees the builder. NULL on failure. */
struct refdata *refdata_builder_finish(struct refdata_builder *b);
void refdata_builder_free(struct refdata_builder *b);

/* A snapshot of the lists compiled into kouan (data/reference), plus
 * `nextra` entries made of {list, code} pairs (the countries and
 * currencies a deployment reads from iso-codes, say). For tests, fuzz
 * targets and benchmarks; NULL when out of memory or a built-in list is
 * malformed. */
struct refdata *refdata_builtin(const char *const extra[][2], size_t nextra);

void refdata_retain(struct refdata *r);
void refdata_release(struct refdata *r);

const struct ref_list *refdata_list(const struct refdata *r, const char *name);
const struct ref_entry *refdata_find(const struct refdata *r, const char *list,
				     const char *code);
static inline bool refdata_has(const struct refdata *r, const char *list,
			       const char *code)
{
	return refdata_find(r, list, code) != NULL;
}

/* The English name of an entry (its "name_en"), or its code when it has
 * none; `code` itself when the entry does not exist. For sentences. */
const char *refdata_name(const struct refdata *r, const char *list,
			 const char *code);

/* Does customs office `office` serve port `port`? It does when the office's
 * "ports" names the port, or when the port's "customs_office" is the office
 * (so data without "ports" still answers for the supervising office). */
bool refdata_port_served(const struct refdata *r, const char *office,
			 const char *port);

/* The offices that serve `port`, as "5165 (Nansha Passenger Inspection),
 * 5167 (Nansha Cargo Port)" in code order, into out (size n, truncated;
 * out may be NULL to count only). Returns how many offices there are. */
size_t refdata_port_offices(const struct refdata *r, const char *port,
			    char *out, size_t n);

/* The legal units of quantity of commodity `hs`: *first its "unit" and
 * *second its "unit_2" (NULL when the tariff gives none, or both NULL for
 * an unknown commodity). */
void refdata_legal_units(const struct refdata *r, const char *hs,
			 const char **first, const char **second);

/* Is `unit` the commodity's legal unit or its second legal unit? false for
 * an unknown commodity. */
bool refdata_unit_is_legal(const struct refdata *r, const char *hs,
			   const char *unit);

/* The agencies that clear a conveyance of transport mode `mode` (the
 * mode's "conveyance_agencies"); 0 for a mode with none or unknown. */
agency_set refdata_conveyance_agencies(const struct refdata *r, const char *mode);

/* Agency index by code, or -1. */
int refdata_agency_index(const struct refdata *r, const char *code);
/* Agency set named by a JSON array of agency codes (unknown ones ignored). */
agency_set refdata_agency_set(const struct refdata *r, const json_t *codes);

#endif
