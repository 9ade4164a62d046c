/*
 * manifest.h - cargo manifests (舱单): what a carrier, or its agent, says a
 * conveyance carries on one call, one line per bill of lading.
 *
 * Kinds: the original manifest (原始舱单) of an import call, lodged before
 * arrival; for an export call the pre-loading manifest (预配舱单) before the
 * goods enter the terminal, the loading manifest (装载舱单) after loading,
 * and the departure manifest that closes the call once the conveyance has
 * left. A line names the parties, the goods (HS heading where known), the
 * packages and their kind, the gross weight and the containers with their
 * seals. An amendment is a whole new version; manifest_changes says
 * precisely what it changed.
 *
 * Pure: no I/O, no clock. A validated manifest's strings and JSON point
 * into the body, which must outlive it; its arrays are owned
 * (manifest_free).
 */
#ifndef KOUAN_MANIFEST_H
#define KOUAN_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/problems.h"
#include "domain/refdata.h"
#include "domain/transport.h"

#define MANIFEST_MAX_BILLS 10000
#define BILL_MAX_CONTAINERS 999
#define CONTAINER_MAX_SEALS 4
/* Gross weights are kilograms with 3 decimals: integers of grams. */
#define SCALE_GROSS_WEIGHT 3

enum manifest_kind {
	MANIFEST_ORIGINAL,    /* import: before arrival */
	MANIFEST_PRE_LOADING, /* export: before the goods enter the terminal */
	MANIFEST_LOADING,     /* export: after loading, before departure */
	MANIFEST_DEPARTURE,   /* export: after departure; closes the call */
	MANIFEST_KIND_COUNT
};

/* Wire names: "original", "pre_loading", "loading", "departure". */
const char *manifest_kind_name(enum manifest_kind k);
bool manifest_kind_parse(const char *s, enum manifest_kind *out);
/* Is it a manifest of goods coming in (the original manifest)? */
bool manifest_kind_import(enum manifest_kind k);

struct manifest_container {
	const char *number;  /* ISO 6346 */
	const json_t *seals; /* array of seal numbers */
	bool damaged;        /* tally reports: found damaged */
	size_t index;        /* position in the bill's containers */
	size_t bill;         /* the bill's position in the manifest */
};

struct manifest_bill {
	const char *bill_of_lading;
	/* the USCC the line gives for the party in China: the consignee's on
	 * an import (original) manifest, the consignor's on an export one;
	 * NULL when it gives none (a bill "to order", say) */
	const char *party_uscc;
	const char *hs_heading; /* NULL when not known */
	const char *package_kind;
	int64_t packages;
	int64_t gross_weight_g; /* kilograms x 1000 */
	struct manifest_container *containers;
	size_t ncontainers;
	size_t index; /* position in /bills */
	const json_t *json;
};

struct manifest {
	enum manifest_kind kind;
	const char *transport_mode;
	const char *port;
	const char *carrier;
	char key[CALL_KEY_MAX]; /* the call (transport_call_key) */
	struct manifest_bill *bills; /* in body order */
	size_t nbills;
	size_t *by_bill; /* indexes of bills, sorted by bill of lading */
	struct manifest_container *containers; /* storage of every bill's */
	size_t ncontainers;
	const json_t *json;
};

/* Validate a manifest body. Returns KERR_OK and fills *out (release with
 * manifest_free), KERR_INVALID with every problem in *p (nothing to free),
 * or KERR_NOMEM. Duplicate bills, a container twice on one bill, and a
 * container with different seals on two bills are refused. */
KOUAN_MUST_USE kerr manifest_validate(const json_t *body, const struct refdata *ref,
				      struct problems *p, struct manifest *out);
void manifest_free(struct manifest *m);

/* The line of bill `bill_of_lading`, or NULL (binary search). */
const struct manifest_bill *manifest_find_bill(const struct manifest *m,
					       const char *bill_of_lading);

/* The lines that carry container `number`, into out (at most `max`);
 * returns how many there are. */
size_t manifest_bills_of_container(const struct manifest *m, const char *number,
				   const struct manifest_bill **out, size_t max);

/* What an amendment changed, as a new JSON object (*out):
 *   {"header": [change...], "bills": [bill change...],
 *    "added": n, "removed": n, "changed": n}
 * A bill change is {"bill_of_lading", "change": "added" | "removed" |
 * "changed", "index" (in `after`), "previous_index" (in `before`),
 * "fields": [change...] (for "changed")}, in bill-of-lading order. A change
 * is {"field", "before", "after"}: "field" is a JSON pointer into `after`,
 * or into `before` for something removed (its "after" is null; "before" is
 * null for something added). Bills are matched by bill of lading and
 * containers by number, so a reordering alone changes nothing. */
KOUAN_MUST_USE kerr manifest_changes(const struct manifest *before,
				     const struct manifest *after, json_t **out);

/* What is known of the call a manifest belongs to. */
struct call_state {
	bool arrived;
	int64_t arrived_at;
	bool departed;
	int64_t departed_at;
	bool lodged[MANIFEST_KIND_COUNT]; /* manifests the call already has */
};

/* May a manifest of kind `kind` be lodged now? Each kind once per call;
 * the loading manifest after the pre-loading one; the departure manifest
 * after departure and the loading manifest; nothing else after departure.
 * *late is set when an original manifest comes after arrival (accepted,
 * but on the record). Problems at /kind. */
bool manifest_lodge_check(enum manifest_kind kind, const struct call_state *s,
			  struct problems *p, bool *late);

/* May `after` replace `before` as an amendment, given `changes`
 * (manifest_changes)? The kind, transport mode, conveyance, voyage and
 * port cannot change; nothing changes once the conveyance has departed;
 * an amendment that changes nothing is refused. */
bool manifest_amend_check(const struct manifest *before, const struct manifest *after,
			  const json_t *changes, const struct call_state *s,
			  struct problems *p);

/* Shared with the tally report, whose lines take the manifest's shape. */

/* The conveyance member naming the call ({"name", "voyage", "imo"}, imo
 * required by water), checked at /conveyance, and the call key made from
 * it with `mode` and `port`. */
bool manifest_conveyance(struct problems *p, const json_t *body, const char *mode,
			 const char *port, char key[CALL_KEY_MAX]);

struct fields;

/* Reads one entry of "bills" (at position i) into m->bills[m->nbills++],
 * its containers into m->containers[m->ncontainers++]. */
typedef void (*manifest_line_reader)(struct fields *f, const json_t *bill,
				     size_t i, struct manifest *m);

/* Read the array `bills` line by line with `read` into storage sized for it
 * (a line per entry, a container per entry of a containers array of at
 * most BILL_MAX_CONTAINERS), then index the lines by bill of lading
 * (m->by_bill) and report at its pointer each bill that repeats ("a bill
 * appears once in a <document>"), each container twice on one bill, and
 * each container shared by bills with other seals or condition on each.
 * KERR_NOMEM leaves nothing to free. */
KOUAN_MUST_USE kerr manifest_lines_read(struct manifest *m, struct fields *f,
					const json_t *bills, manifest_line_reader read,
					const char *document);

#endif
