/*
 * transport.h - the vocabulary the transport side shares: the call of a
 * conveyance at a port and the key that names it, the clearance flows a
 * declarant may choose, and sizes of the transport identifiers.
 *
 * A call is one visit of one conveyance to one port on one voyage (a
 * vessel's voyage number, a flight on its date, a vehicle's trip). The
 * conveyance report, the manifests and the declarations of the goods it
 * carries each name the call in their own words; the call key reduces them
 * to one string so the store can find what belongs together.
 *
 * Pure: no I/O, no clock, no allocation.
 */
#ifndef KOUAN_TRANSPORT_H
#define KOUAN_TRANSPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2|9321378|046E|CNNSA": mode, identity, voyage, port, NUL. */
#define CALL_KEY_MAX 192
/* Bills of lading, air waybills, consignment notes: 64 ASCII characters. */
#define BILL_OF_LADING_MAX 65
/* ISO 6346 container number, NUL-terminated. */
#define CONTAINER_NUMBER_MAX 12
/* A time that was not given. */
#define KTIME_NONE INT64_MIN

/* How the goods of a declaration move through the terminal. */
enum clearance_flow {
	FLOW_NORMAL,         /* through the yard: discharged, released, gated out */
	FLOW_DIRECT_PICKUP,  /* 船边直提: released before discharge, taken at the ship's side */
	FLOW_DIRECT_LOADING, /* 抵港直装: released before gate-in, loaded on arrival */
	FLOW_COUNT
};

/* Wire names: "normal", "direct_pickup", "direct_loading". */
const char *clearance_flow_name(enum clearance_flow f);
bool clearance_flow_parse(const char *s, enum clearance_flow *out);

/* The customs codes (运输方式) of the modes whose conveyances kouan
 * follows: waterway (vessels, whose containers the terminal records as
 * discharged and loaded), road (vehicles) and air (aircraft). */
#define TRANSPORT_MODE_WATERWAY "2"
#define TRANSPORT_MODE_ROAD "4"
#define TRANSPORT_MODE_AIR "5"
/* Is it one of them? (Rail, "3", and mail, "6", are not: a departure is
 * then recorded for the declaration itself.) */
bool transport_mode_followed(const char *mode);

/* The key of a call from its parts: the transport mode code ("2", "4",
 * "5", ...), the conveyance's identity (IMO number for a vessel, flight
 * number for an aircraft, plate for a vehicle), the voyage (voyage number,
 * flight date, trip) and the port's UN/LOCODE. Identity and voyage are
 * compared without case, spaces, hyphens or the middle dot, so "CZ 3098"
 * and "cz3098", or "2026-11-20" and "20261120", name the same call.
 * Returns false (out empty) when a part is missing or the key is too long. */
bool transport_call_key(const char *mode, const char *identity,
			const char *voyage, const char *port,
			char out[CALL_KEY_MAX]);

/* The key of the call a validated goods declaration travels on: its
 * transport mode, conveyance (imo for waterway, otherwise name), voyage,
 * and entry port (import) or exit port (export). */
bool transport_call_key_of_declaration(const json_t *body, char out[CALL_KEY_MAX]);

/* An entry of a sorted index over a document's lines: the key (a bill of
 * lading, a container number), two positions that break ties in document
 * order, and what the entry stands for. Sort with qsort and
 * transport_sort_cmp (by key, then a, then b). */
struct sort_entry {
	const char *key;
	size_t a, b;
	const void *ptr;
};
int transport_sort_cmp(const void *x, const void *y);

/* Do two arrays of seal numbers hold the same seals, in any order? */
bool transport_seals_equal(const json_t *a, const json_t *b);

#endif
