/*
 * gate.h - the terminal's questions about a container: may it be
 * discharged, gated in, loaded, gated out now, and if not, what exactly is
 * missing; and the order yard events must come in.
 *
 * Import: discharged, then gated out. Gate-out needs the conveyance's
 * entry permission, a manifest line for the container, a declaration in
 * progress for every bill on it (every part of a split bill), each matched
 * with the manifest and released. Export: gated in (the container must be
 * on a pre-loading manifest line), then loaded, which needs the same
 * declarations released and the vessel's entry permission.
 *
 * The two flows a declarant may choose change when the release must come
 * and where the container goes, not what is required:
 * - direct pickup (船边直提): released before discharge, the container is
 *   handed to the truck at the ship's side (gate-out straight after
 *   discharge, no yard); released later, it goes through the yard.
 * - direct loading (抵港直装): released before gate-in, the container goes
 *   from the gate straight to the ship; released later, it waits in the
 *   yard and is loaded after release.
 * A container takes a direct flow only when every declaration on it chose
 * that flow.
 *
 * Pure: the caller gathers the facts (bills on the container, their
 * declarations, the permission, the events) and stores the outcome.
 */
#ifndef KOUAN_GATE_H
#define KOUAN_GATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/transport.h"
#include "domain/workflow.h"

enum yard_event {
	YARD_DISCHARGED,
	YARD_GATED_IN,
	YARD_LOADED,
	YARD_GATED_OUT,
	YARD_EVENT_COUNT
};

/* Wire names: "discharged", "gated_in", "loaded", "gated_out". */
const char *yard_event_name(enum yard_event e);
bool yard_event_parse(const char *s, enum yard_event *out);

struct yard_record {
	enum yard_event event;
	int64_t at; /* microseconds UTC */
};

/* A declaration on one of the container's bills. */
struct gate_declaration {
	const char *number;
	enum declaration_status status;
	enum clearance_flow flow;
	bool matched;        /* its manifest line matched */
	int64_t released_at; /* KTIME_NONE when not released */
	int split_part;      /* 0 when the bill is declared whole */
	int split_of;
	const char *const *waiting; /* agencies still to decide (may be NULL) */
	size_t nwaiting;
};

struct gate_bill {
	const char *bill_of_lading;
	const struct gate_declaration *declarations; /* withdrawn and rejected
							ones are ignored */
	size_t n;
};

struct gate_container {
	const char *number;
	bool import;
	bool entry_permitted; /* the conveyance of the call has entry permission */
	const struct gate_bill *bills; /* the manifest lines carrying it */
	size_t nbills;
	const struct yard_record *events; /* in the order they happened */
	size_t nevents;
};

enum gate_missing_kind {
	MISSING_ORDER,            /* the event cannot come now (order of events) */
	MISSING_ENTRY_PERMISSION, /* the conveyance has no entry permission */
	MISSING_MANIFEST,         /* no manifest line carries the container */
	MISSING_DECLARATION,      /* a bill has no declaration in progress */
	MISSING_SPLIT_PARTS,      /* parts of a split bill are not declared */
	MISSING_MATCH,            /* a declaration does not match its manifest line */
	MISSING_RELEASE,          /* a declaration is not released */
	MISSING_KIND_COUNT
};

/* Wire names: "order", "entry_permission", "manifest", "declaration",
 * "split_parts", "match", "release". */
const char *gate_missing_name(enum gate_missing_kind k);

#define GATE_MAX_MISSING 16
#define GATE_SUBJECT_MAX 72
#define GATE_TEXT_MAX 320

struct gate_missing {
	enum gate_missing_kind kind;
	char subject[GATE_SUBJECT_MAX]; /* the container, bill or declaration */
	char text[GATE_TEXT_MAX];       /* a sentence for the terminal */
};

struct gate_verdict {
	bool allowed;
	/* direct flow: picked up at the ship's side (discharge, gate-out) or
	 * loaded on arrival (gate-in, loading) */
	bool ship_side;
	size_t n;
	size_t dropped;
	struct gate_missing missing[GATE_MAX_MISSING];
};

/* May yard event `next` happen now to a container whose events so far are
 * `events`? Import: discharged, then gated out; export: gated in, then
 * loaded; each once. When `at` is not KTIME_NONE it may not be earlier
 * than the last event. On no, *why is a sentence. */
bool gate_event_order(bool import, const struct yard_record *events, size_t n,
		      enum yard_event next, int64_t at, const char **why);

/* The gate's answer for `action` on container `c`: allowed, or every
 * missing thing named (order first, then the conveyance, then bill by
 * bill). ship_side says the container takes its direct flow. */
void gate_decide(const struct gate_container *c, enum yard_event action,
		 struct gate_verdict *out);

/* The verdict as a new JSON object: {"container", "action", "allowed",
 * "ship_side", "missing": [{"kind", "subject", "text"}...]}. */
json_t *gate_verdict_json(const struct gate_container *c, enum yard_event action,
			  const struct gate_verdict *v);

#endif
