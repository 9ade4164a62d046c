/*
 * repo_transport.h - the queries of the transport side (tables of migration
 * 0006): calls, conveyance reports with their tasks and permissions,
 * manifests with their versions, lines and containers, tally reports, the
 * consignment each declaration claims (bill of lading, part, containers)
 * and its match with the manifest, yard events and refused gate attempts.
 *
 * Portable SQL like repo.h; the caller owns the transaction. Whatever
 * matches on a call or reads all its claims locks the call first
 * (repo_call_lock); a declaration's claim locks it shared with other
 * claims, then its bill and containers (repo_call_lock_claim); then come
 * the declarations changed: call, then declaration, always in that order,
 * so concurrent writers cannot deadlock. Unique keys are met with ON
 * CONFLICT DO NOTHING and answered KERR_CONFLICT, because an error ends a
 * PostgreSQL transaction. Statuses are the enums of src/domain/.
 */
#ifndef KOUAN_REPO_TRANSPORT_H
#define KOUAN_REPO_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"
#include "domain/conveyance.h"
#include "domain/gate.h"
#include "domain/manifest.h"
#include "domain/tally.h"
#include "domain/transport.h"
#include "store/repo.h"
#include "store/store.h"

#define TRANSPORT_MODE_SIZE 4

/* --- calls --- */

struct call_row {
	char key[CALL_KEY_MAX];
	char transport_mode[TRANSPORT_MODE_SIZE];
	char port[PORT_CODE_SIZE];
	int64_t carrier_org_id;  /* 0 until a carrier reports or manifests it */
	char arrived_at[TIME_TEXT_SIZE];    /* "" when not yet */
	char departed_at[TIME_TEXT_SIZE];
	char entry_permitted_at[TIME_TEXT_SIZE];
	char departure_permitted_at[TIME_TEXT_SIZE];
	char created_at[TIME_TEXT_SIZE];
};

/* Make sure the call has a row and lock it until the end of the
 * transaction (INSERT ... ON CONFLICT DO UPDATE: on PostgreSQL the row lock
 * serialises everyone matching on the call, or claiming on it).
 * carrier_org_id (0: none) is kept when the call has none yet. */
KOUAN_MUST_USE kerr repo_call_lock(struct store_conn *c, const char *key, const char *mode,
				   const char *port, int64_t carrier_org_id, const char *now);
/* The same for one declaration's claim of a bill and its containers on
 * the call. Where several writers run at once (PostgreSQL), the call is
 * locked shared (FOR SHARE): claims of other bills and containers go on at
 * the same time, and repo_call_lock waits for them all, as they wait for
 * it; the bill and each container are locked alone (transaction advisory
 * locks, taken in one order), so two claims of one bill or one container
 * are made one after the other. Those locks are sent ahead
 * (store_exec_later): the statements that follow run once they are held.
 * Elsewhere it is repo_call_lock. */
KOUAN_MUST_USE kerr repo_call_lock_claim(struct store_conn *c, const char *key, const char *mode,
					 const char *port, const char *now, const char *bill,
					 const char (*containers)[CONTAINER_NUMBER_MAX],
					 size_t ncontainers);
/* KERR_NOT_FOUND when kouan knows nothing of the call. */
KOUAN_MUST_USE kerr repo_call_get(struct store_conn *c, const char *key, struct call_row *out);
/* Set the times given (NULL keeps a time as it is). */
KOUAN_MUST_USE kerr repo_call_set(struct store_conn *c, const char *key, const char *arrived_at,
				  const char *departed_at, const char *entry_permitted_at,
				  const char *departure_permitted_at);

/* --- conveyance reports --- */

struct report_row {
	int64_t id;
	char call_key[CALL_KEY_MAX];
	enum conveyance_kind kind;
	char transport_mode[TRANSPORT_MODE_SIZE];
	char port[PORT_CODE_SIZE];
	char port_office[OFFICE_CODE_SIZE];
	int64_t org_id;
	int64_t version;
	enum permission_state permission;
	char *body; /* owned: free() (report_row_free) */
	char lodged_at[TIME_TEXT_SIZE];
	char updated_at[TIME_TEXT_SIZE];
};
void report_row_free(struct report_row *r);

/* Insert a report (r->id set); KERR_CONFLICT when the call already has a
 * report of that kind. */
KOUAN_MUST_USE kerr repo_report_insert(struct store_conn *c, struct report_row *r);
KOUAN_MUST_USE kerr repo_report_get(struct store_conn *c, int64_t id, struct report_row *out);
/* The id of the call's report of a kind; KERR_NOT_FOUND when none. */
KOUAN_MUST_USE kerr repo_report_find(struct store_conn *c, const char *call_key,
				     enum conveyance_kind kind, int64_t *id);
KOUAN_MUST_USE kerr repo_report_lock(struct store_conn *c, int64_t id);
/* Store a new version (body, version) and the permission state. */
KOUAN_MUST_USE kerr repo_report_update(struct store_conn *c, const struct report_row *r);
KOUAN_MUST_USE kerr repo_report_version_keep(struct store_conn *c, int64_t id, int64_t version,
					     const char *body, const char *now);

struct report_filter {
	int64_t org_id;     /* >0: only this carrier's */
	const char *port;   /* only at this port */
	const char *permission; /* only in this permission state */
	const char *agency; /* only with a task of this agency */
	int64_t after;      /* ids above */
	int limit;
};
/* Rows without their body (r->body NULL), by id. */
typedef kerr (*report_row_fn)(void *arg, const struct report_row *r);
KOUAN_MUST_USE kerr repo_report_list(struct store_conn *c, const struct report_filter *f,
				     report_row_fn fn, void *arg);

/* Tasks of a report, as struct task_row (no basis digest), by agency. */
KOUAN_MUST_USE kerr repo_conveyance_task_insert(struct store_conn *c, int64_t report_id,
						const char *agency, const char *now);
KOUAN_MUST_USE kerr repo_conveyance_tasks(struct store_conn *c, int64_t report_id,
					  struct task_row *out, size_t *n);
KOUAN_MUST_USE kerr repo_conveyance_task_set(struct store_conn *c, int64_t report_id,
					     const struct task_row *t);

KOUAN_MUST_USE kerr repo_permission_put(struct store_conn *c, int64_t report_id,
					const char *text, const char *signature,
					const char *key_id, const char *now);
/* KERR_NOT_FOUND when the report has no permission. */
KOUAN_MUST_USE kerr repo_permission_get(struct store_conn *c, int64_t report_id,
					struct notice_row *out);

/* --- manifests --- */

struct manifest_row {
	int64_t id;
	char call_key[CALL_KEY_MAX];
	enum manifest_kind kind;
	char transport_mode[TRANSPORT_MODE_SIZE];
	char port[PORT_CODE_SIZE];
	int64_t org_id;
	int64_t version;
	bool late;
	int64_t bills;
	char lodged_at[TIME_TEXT_SIZE];
	char updated_at[TIME_TEXT_SIZE];
};

/* Insert a manifest (m->id set); KERR_CONFLICT when the call already has
 * one of that kind. */
KOUAN_MUST_USE kerr repo_manifest_insert(struct store_conn *c, struct manifest_row *m);
KOUAN_MUST_USE kerr repo_manifest_get(struct store_conn *c, int64_t id, struct manifest_row *out);
KOUAN_MUST_USE kerr repo_manifest_find(struct store_conn *c, const char *call_key,
				       enum manifest_kind kind, struct manifest_row *out);
KOUAN_MUST_USE kerr repo_manifest_lock(struct store_conn *c, int64_t id);
/* The new version, its number of bills and the time. */
KOUAN_MUST_USE kerr repo_manifest_update(struct store_conn *c, const struct manifest_row *m);
/* Which kinds the call has (lodged[kind]). */
KOUAN_MUST_USE kerr repo_manifest_kinds(struct store_conn *c, const char *call_key,
					bool lodged[MANIFEST_KIND_COUNT]);

/* A version's body and changes (NULL for the first), malloc'd; creator and
 * time copied. KERR_NOT_FOUND when there is no such version. */
KOUAN_MUST_USE kerr repo_manifest_version_get(struct store_conn *c, int64_t id, int64_t version,
					      char **body, char **changes,
					      char created_by[USERNAME_SIZE],
					      char created_at[TIME_TEXT_SIZE]);
KOUAN_MUST_USE kerr repo_manifest_version_put(struct store_conn *c, int64_t id, int64_t version,
					      const char *body, const char *changes,
					      const char *by, const char *now);

/* Replace the stored lines and containers of manifest `row` with those of
 * the validated manifest `m`. */
KOUAN_MUST_USE kerr repo_manifest_lines_put(struct store_conn *c, const struct manifest_row *row,
					    const struct manifest *m);

/* One stored line: its bill, packages, weight and containers, and the
 * manifest and version it is on. */
struct manifest_line_row {
	int64_t manifest_id;
	int64_t version;
	char bill_of_lading[BILL_OF_LADING_MAX];
	int64_t packages;
	int64_t gross_weight_g;
	char party_uscc[USCC_SIZE]; /* "" when the line gives none */
	char hs_heading[HS_CODE_SIZE]; /* "" when the line gives none */
	size_t ncontainers;
	char (*containers)[CONTAINER_NUMBER_MAX]; /* owned: free() */
	bool found; /* read from the store */
};
void manifest_line_row_free(struct manifest_line_row *l);
/* The line of a bill on the call's manifest of a kind, in one statement
 * sent ahead (store_ahead_send) with the statements that follow until one
 * waits: send, then take (KERR_NOT_FOUND when there is none), or drop if
 * it is not needed after all, before the transaction ends. */
struct manifest_line_ahead {
	struct store_ahead line;
};
void repo_manifest_line_send(struct store_conn *c, const char *call_key,
			     enum manifest_kind kind, const char *bill,
			     struct manifest_line_ahead *a);
KOUAN_MUST_USE kerr repo_manifest_line_take(struct manifest_line_ahead *a,
					    struct manifest_line_row *out);
void repo_manifest_line_drop(struct manifest_line_ahead *a);

struct manifest_filter {
	int64_t org_id;       /* >0: only this carrier's */
	const char *port;     /* only at this port */
	const char *call_key; /* only of this call */
	const char *kind;     /* only of this kind */
	int64_t after;
	int limit;
};
typedef kerr (*manifest_row_fn)(void *arg, const struct manifest_row *m);
KOUAN_MUST_USE kerr repo_manifest_list(struct store_conn *c, const struct manifest_filter *f,
				       manifest_row_fn fn, void *arg);

/* The calls whose manifests of `kind` carry container `number`, with the
 * bill it is on (borrowed strings), newest call first. */
struct container_line {
	const char *call_key;
	const char *bill_of_lading;
	int64_t manifest_id;
	const char *port;
	const char *created_at; /* the call's */
};
typedef kerr (*container_line_fn)(void *arg, const struct container_line *l);
KOUAN_MUST_USE kerr repo_container_lines(struct store_conn *c, const char *number,
					 enum manifest_kind kind, container_line_fn fn, void *arg);

/* --- tally reports --- */

struct tally_row {
	int64_t id;
	char call_key[CALL_KEY_MAX];
	enum tally_kind kind;
	char port[PORT_CODE_SIZE];
	int64_t org_id;
	int64_t manifest_id;
	int64_t manifest_version;
	char *body;        /* owned */
	char *differences; /* owned: JSON array */
	char lodged_by[USERNAME_SIZE];
	char lodged_at[TIME_TEXT_SIZE];
};
void tally_row_free(struct tally_row *t);
KOUAN_MUST_USE kerr repo_tally_insert(struct store_conn *c, struct tally_row *t);
KOUAN_MUST_USE kerr repo_tally_get(struct store_conn *c, int64_t id, struct tally_row *out);

/* --- consignments: what each declaration claims, and its match --- */

enum match_state {
	CONSIGNMENT_NOT_REQUIRED, /* the mode has no manifests (rail, post, ...) */
	CONSIGNMENT_WAITING,      /* no manifest line yet */
	CONSIGNMENT_MATCHED,
	CONSIGNMENT_MISMATCHED,
	CONSIGNMENT_STATE_COUNT
};
/* Wire names: "not_required", "waiting", "matched", "mismatched". */
const char *match_state_name(enum match_state s);
bool match_state_parse(const char *s, enum match_state *out);

struct consignment_row {
	char number[DECL_NUMBER_SIZE];
	char call_key[CALL_KEY_MAX];
	char bill_of_lading[BILL_OF_LADING_MAX];
	bool import;
	int split_part; /* 0 when whole */
	int split_of;
	enum clearance_flow flow;
	bool advance;
	enum match_state state;
	int64_t manifest_id;      /* 0 until matched or mismatched */
	int64_t manifest_version;
	char *differences;        /* owned JSON array, NULL when none */
	bool live;
	char updated_at[TIME_TEXT_SIZE];
};
void consignment_row_free(struct consignment_row *r);

/* Claim a consignment (a live row), sent ahead (store_exec_later): only
 * under the bill's lock (repo_call_lock_claim), once its claims were read
 * and found free, so that no live claim of the same call, bill and part
 * can stand in its way. The unique index still guards it: a claim made
 * without the lock would lose the transaction. */
KOUAN_MUST_USE kerr repo_consignment_claim(struct store_conn *c, const struct consignment_row *r);
/* Forget a declaration's claim and containers (before it claims anew on a
 * correction). */
KOUAN_MUST_USE kerr repo_consignment_drop(struct store_conn *c, const char *number);
/* KERR_NOT_FOUND when the declaration claims nothing. */
KOUAN_MUST_USE kerr repo_consignment_get(struct store_conn *c, const char *number,
					 struct consignment_row *out);
KOUAN_MUST_USE kerr repo_consignment_set_match(struct store_conn *c, const char *number,
					       enum match_state state, int64_t manifest_id,
					       int64_t manifest_version, const char *differences,
					       const char *now);
/* The declaration ended without release: its claims are free. */
KOUAN_MUST_USE kerr repo_consignment_free(struct store_conn *c, const char *number,
					  const char *now);
/* The containers of a declaration's claim, n of them, in as few
 * statements as fit (one up to 16, sent ahead: store_rows); one claimed
 * already by this declaration is left as it is. */
KOUAN_MUST_USE kerr repo_consignment_containers_add(struct store_conn *c, const char *number,
						    const char *call_key, const char *bill,
						    const char (*containers)[CONTAINER_NUMBER_MAX],
						    size_t n);

/* Live claims (bodyless rows: no differences) of a bill on a call, read
 * in one statement sent ahead (store_ahead_send) with the statements that
 * follow until one waits: send, then take (each row to fn), or drop if
 * they are not needed after all, before the transaction ends. */
typedef kerr (*consignment_fn)(void *arg, const struct consignment_row *r);
struct consignment_claims_ahead {
	struct store_ahead claims;
};
void repo_consignment_claims_send(struct store_conn *c, const char *call_key, const char *bill,
				  struct consignment_claims_ahead *a);
KOUAN_MUST_USE kerr repo_consignment_claims_take(struct consignment_claims_ahead *a,
						 consignment_fn fn, void *arg);
void repo_consignment_claims_drop(struct consignment_claims_ahead *a);
/* Live consignments on a call in one direction (bodyless), by bill. */
KOUAN_MUST_USE kerr repo_consignments_of_call(struct store_conn *c, const char *call_key,
					      bool import, consignment_fn fn, void *arg);

/* A live claim on a call as the claim index orders it (borrowed strings). */
struct claim_key {
	const char *number;
	const char *bill;
	int split_part;
};
typedef kerr (*claim_key_fn)(void *arg, const struct claim_key *k);
/* Up to `limit` live claims on a call, both directions, after the claim
 * `after` (NULL: from the first) in the order of bill and part: a call of
 * any size read a page at a time, each page found by the index. */
KOUAN_MUST_USE kerr repo_claim_keys_of_call(struct store_conn *c, const char *call_key,
					    const struct claim_key *after, int limit,
					    claim_key_fn fn, void *arg);

/* A live declaration holding a container on a call (borrowed strings). */
struct container_claim {
	const char *number;
	const char *bill_of_lading;
};
typedef kerr (*container_claim_fn)(void *arg, const struct container_claim *cc);
KOUAN_MUST_USE kerr repo_container_claims(struct store_conn *c, const char *call_key,
					  const char *container, container_claim_fn fn,
					  void *arg);

/* The declarations whose claims on a bill of a call are live, with their
 * status and release time (borrowed strings), for the gate. A withdrawn or
 * rejected declaration's claim is freed, and the gate does not count it. */
struct bill_declaration {
	const char *number;
	enum declaration_status status;
	enum clearance_flow flow;
	enum match_state state;
	int split_part;
	int split_of;
	const char *released_at; /* NULL until released */
};
typedef kerr (*bill_declaration_fn)(void *arg, const struct bill_declaration *b);
KOUAN_MUST_USE kerr repo_bill_declarations(struct store_conn *c, const char *call_key,
					   const char *bill, bill_declaration_fn fn, void *arg);

/* --- the yard --- */

/* A container's yard events on a call, in the order they happened. */
KOUAN_MUST_USE kerr repo_yard_events(struct store_conn *c, const char *container,
				     const char *call_key, struct yard_record *out, size_t max,
				     size_t *n);
/* Record a yard event once: KERR_CONFLICT when it was recorded before. */
KOUAN_MUST_USE kerr repo_yard_event_put(struct store_conn *c, const char *container,
					const char *call_key, enum yard_event event,
					const char *at, bool ship_side, const char *by,
					const char *now);
KOUAN_MUST_USE kerr repo_gate_attempt_put(struct store_conn *c, const char *container,
					  const char *call_key, enum yard_event event,
					  const char *missing, const char *by, const char *now);

#endif
