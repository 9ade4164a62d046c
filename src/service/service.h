/*
 * service.h - what every use case of kouan is given: who acts (an actor:
 * a person with a role in an organisation, or kouan itself), the shared
 * state of the running system (struct services: the store, the clock, the
 * reference snapshot, the release signing key, the risk rules in force),
 * and a unit of work (one transaction with the events it will write).
 *
 * A service (src/service/<family>.c) takes an actor and a unit of work and
 * returns a kerr with typed results; it never sees an HTTP request, a
 * response or a JSON view. When it refuses, it says why in a struct
 * refusal: a sentence, and field problems when fields are at fault. The
 * caller (the API's dispatcher, a command, a test) commits the unit of work
 * when the service succeeded, or rolls it back.
 */
#ifndef KOUAN_SERVICE_H
#define KOUAN_SERVICE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/problems.h"
#include "common/sizes.h"
#include "domain/events.h"
#include "domain/refdata.h"
#include "domain/release.h"
#include "domain/roles.h"
#include "store/store.h"

/* --- who acts --- */

struct services;

struct actor {
	bool system; /* kouan itself: automatic steps */
	enum role role;
	bool supervisor; /* an officer who may waive its agency's inspections */
	int64_t user_id;
	int64_t org_id;
	char username[USERNAME_SIZE];
	char org_uscc[USCC_SIZE];
	char org_port[PORT_CODE_SIZE]; /* a port operator's port */
	char org_kind[ORG_KIND_SIZE];  /* trader, broker, carrier, port, ... */
};

/* kouan acting by itself (risk lanes, settlement, release). */
extern const struct actor actor_kouan;

/* The name and role recorded for an actor's acts ("kouan"/"system" for
 * kouan). */
const char *actor_name(const struct actor *a);
const char *actor_role_name(const struct actor *a);
/* The agency an actor works for, or NULL. */
const char *actor_agency(const struct actor *a);
/* Are lanes and kouan's reasons for them hidden from this actor (a
 * declarant, unless the declarant-lanes setting shows them)? */
bool actor_lanes_hidden(const struct services *s, const struct actor *a);

/* --- why a service refused --- */

#define REFUSAL_TEXT_MAX 320

struct refusal {
	char detail[REFUSAL_TEXT_MAX]; /* "" when the kerr says enough */
	struct problems *fields;       /* the caller's list, or NULL */
};

/* Start a refusal; field problems go to `fields` (may be NULL). */
void refusal_init(struct refusal *r, struct problems *fields);
/* Say why (printf-style). */
void refusal_say(struct refusal *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Name a field at fault; with no field list the text becomes the detail. */
void refusal_field(struct refusal *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- the running system --- */

struct service_limits {
	int64_t token_ttl_s;           /* lifetime of a session token */
	/* may declarants see the lanes risk assessment gave their goods? (the
	 * rules and their reasons are never shown to them) */
	bool declarant_lanes;
	unsigned long long pwhash_ops; /* Argon2id parameters for new hashes */
	size_t pwhash_mem;
	unsigned pwhash_concurrency;   /* password hashes computed at once; 0: as
				      * service_hash_concurrency decides */
	/* where the statistics engine keeps its snapshot between starts
	 * (service/statistics.h); NULL or "": nowhere, every start files
	 * every declaration again. Borrowed: outlives the services. */
	const char *statistics_file;
};

/* The longest lives of tokens: a login's session and a token issued for a
 * script or integration (kouan admin token-create). */
#define SESSION_TTL_MAX_S (24 * 3600)
#define ISSUED_TOKEN_TTL_MAX_S (30 * 24 * 3600)

/* The bound on password hashing (Argon2id is slow and takes memory on
 * purpose): at most `max_running` hashes at once (pwhash_concurrency). A
 * request that finds every turn taken waits, at most HASH_GATE_WAIT_MS, if
 * the hashes ahead of it should be done by then (judged by the average
 * time a hash has taken) and fewer than `max_waiting` wait already;
 * otherwise it is turned away at once (503). So a burst of logins cannot
 * take every worker thread or all the memory, and quick hashes (a light
 * cost, a fast machine) are queued rather than refused. The wait is short
 * because a waiting request holds its worker thread, and with it the other
 * connections the HTTP server gave that thread. */
#define HASH_GATE_WAIT_MS 250
struct hash_gate {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	unsigned running, waiting;
	unsigned max_running, max_waiting;
	int64_t average_us; /* of the hashes done so far; 0: none yet */
};

struct risk_state;
struct money_state;
struct statistics_state;
struct uow;

struct services {
	struct store *store;
	struct kclock *clock;
	struct service_limits limits;
	pthread_mutex_t ref_lock;
	struct refdata *ref; /* current snapshot, guarded by ref_lock */
	unsigned char sign_pk[RELEASE_PK_BYTES];
	unsigned char sign_sk[RELEASE_SK_BYTES];
	char key_id[KEY_ID_SIZE];
	struct risk_state *risk; /* rules in force and draw seed (risk_apply.c) */
	struct hash_gate hashing; /* the bound on password hashing */
	struct money_state *money; /* tariff and exchange rates in force (money_tables.c) */
	struct statistics_state *statistics; /* clearance-time figures (statistics.c) */
	struct token_cache *tokens; /* bearer tokens' actors (token_cache.c) */
	struct guesses *guesses; /* public questions' failures by address (guesses.c) */
	/* called after a commit that wrote events (wakes the feed's waiters) */
	void (*on_events)(void *arg);
	void *on_events_arg;
};

/* Defaults: 12 h tokens, lanes hidden from declarants, Argon2id
 * "interactive" limits, hashes at once as the machine allows. */
void service_limits_default(struct service_limits *l);
/* How many password hashes may run at once: `asked`, or when 0, 2 on a
 * machine of 3 cores or more and 1 on a smaller one (Argon2id keeps a core
 * busy; one core must stay for everything else). */
unsigned service_hash_concurrency(unsigned asked);

/* Set up over an open, migrated store: load the reference snapshot, the
 * release signing key from `key_path` (created when absent and `create_key`
 * holds; NULL: no key, for offline administration that releases nothing),
 * and the risk draw seed (made once per database). On failure nothing is
 * left to free. */
KOUAN_MUST_USE kerr services_init(struct services *s, struct store *store,
				  struct kclock *clock, const struct service_limits *l,
				  const char *key_path, bool create_key);
void services_free(struct services *s);

/* The current reference snapshot (retained: refdata_release when done). */
struct refdata *services_refdata(struct services *s);
/* Rebuild the snapshot from the store (after an edit, here or on another
 * server). Reloads run one at a time; a failed reload keeps the old
 * snapshot whole. */
KOUAN_MUST_USE kerr services_reload_refdata(struct services *s, struct store_conn *c);

/* Take a turn to compute a password hash: KERR_OK with the moment it began
 * in *turn (then services_hash_done when finished), or KERR_BUSY when every
 * turn is taken and waiting would not help or the wait ran out. */
KOUAN_MUST_USE kerr services_hash_begin(struct services *s, int64_t *turn);
void services_hash_done(struct services *s, int64_t turn);

/* Create or load an Ed25519 key pair in a file (hex of the secret key). */
KOUAN_MUST_USE kerr release_key_load(const char *path, unsigned char pk[RELEASE_PK_BYTES],
				     unsigned char sk[RELEASE_SK_BYTES], bool create);

/* --- a unit of work --- */

/* An event of the unit of work, written at commit. */
struct uow_event;
/* An audit record of the unit, written at commit. */
struct uow_audit_record;

struct uow {
	struct services *svc;
	struct store_conn *conn;
	bool write;   /* a write transaction once begun */
	bool begun;
	struct uow_event *events;
	size_t nevents, cap;
	struct uow_audit_record *audits;
	size_t naudits, audit_cap;
	struct refdata *ref; /* the snapshot this unit uses (retained on first use) */
	bool reload_reference; /* reference data changed: reload after commit */
	bool money_changed;    /* the money tables changed: read anew (money_tables.c) */
	char source[SOURCE_SIZE]; /* where the acts come from (see uow_set_source) */
};

/* Prepare a unit of work on this thread's connection `conn`; nothing is
 * begun until a service first needs the store (uow_conn). Its source is
 * "local" until set. */
void uow_init(struct uow *u, struct services *svc, struct store_conn *conn, bool write);
/* Say where the unit's acts come from, for the audit log and the
 * throttling of logins: the client's address (the dispatcher works it
 * out, trusted proxies included), or "local" for acts on the server
 * machine itself. */
void uow_set_source(struct uow *u, const char *source);
/* The connection, in the unit's transaction (begun on the first call). */
KOUAN_MUST_USE kerr uow_conn(struct uow *u, struct store_conn **c);
/* The connection for a read that need not be in the unit's transaction:
 * before the unit has begun, statements run on their own (no transaction
 * is begun, so a write unit does not yet hold the writer's turn); after,
 * they run in it. For reads that come before slow work (checking a
 * password) which must not hold a write transaction open. */
struct store_conn *uow_peek(struct uow *u);
/* Does the database answer (a statement outside any transaction)? */
KOUAN_MUST_USE kerr uow_ping(struct uow *u);
/* The reference snapshot of this unit: the same for all of its steps. */
const struct refdata *uow_refdata(struct uow *u);
/* The time now, from the system's clock. */
int64_t uow_now_us(struct uow *u);
void uow_now(struct uow *u, char out[TIME_TEXT_SIZE]);

/* An event for the timeline of declaration `number` (of organisation
 * org_id): data is a JSON object (taken; NULL for {}). A system step type,
 * or kouan as the actor, is recorded with actor "kouan" and role
 * "system". The event is written at commit, so ids follow commit order. */
KOUAN_MUST_USE kerr uow_event(struct uow *u, const struct actor *a, enum event_type type,
			      const char *number, int64_t org_id, const char *agency,
			      const char *at, json_t *data);
/* An event of the transport side, naming its call (the call key): on the
 * call's own timeline when number is NULL (org_id is then the call's
 * carrier, 0 when none), else on declaration `number`'s timeline too. */
KOUAN_MUST_USE kerr uow_call_event(struct uow *u, const struct actor *a, enum event_type type,
				   const char *call_key, const char *number, int64_t org_id,
				   const char *agency, const char *at, json_t *data);
/* An audit record: actor `a` did `action` ("user.disabled") to `target`
 * (a user name, "risk_rules/7", ...) from the unit's source, now; data is
 * a JSON object's text (NULL: {}). Records are written at commit, after
 * the events, as rows of the audit log's hash chain, each signed with the
 * release key (src/domain/audit.h); rolled back with the unit. A read-only
 * unit writes none. */
KOUAN_MUST_USE kerr uow_audit(struct uow *u, const struct actor *a, const char *action,
			      const char *target, const char *data);
/* The same with data as a JSON object (taken; NULL: {}). */
KOUAN_MUST_USE kerr uow_audit_json(struct uow *u, const struct actor *a, const char *action,
				   const char *target, json_t *data);
/* An audit record of a change: data is {"before": ..., "after": ...,
 * "reason": ...}, each member only when given (before and after are JSON
 * values, taken: NULL for a creation's before or a deletion's after). The
 * one call for every change an admin, an officer or kouan makes to
 * something that matters (users, organisations, roles, reference data,
 * risk rules and profiles, credit classes, inspection sites, decisions,
 * waivers and overrides). */
KOUAN_MUST_USE kerr uow_audit_change(struct uow *u, const struct actor *a, const char *action,
				     const char *target, json_t *before, json_t *after,
				     const char *reason);
/* An audit record of someone not authenticated (a failed login): actor
 * "anonymous", role "none". data as for uow_audit_json. */
KOUAN_MUST_USE kerr uow_audit_anonymous(struct uow *u, const char *action, const char *target,
					json_t *data);

/* Write the queued events (under the feed lock, shared), then the queued
 * audit records (under the audit head's lock), and commit. A unit that
 * never began and queued nothing commits nothing and succeeds. On failure
 * everything is rolled back. After success the feed's waiters are woken,
 * and the unit may begin again: a service whose refusal must still leave a
 * record (a failed login, a lock) commits what it did so far itself, before
 * it refuses. */
KOUAN_MUST_USE kerr uow_commit(struct uow *u);
/* Roll back whatever the unit did (nothing when it never began). */
void uow_rollback(struct uow *u);
/* End a read-only unit so that it can begin again later (long-polls). */
void uow_end_read(struct uow *u);
/* A point in a unit of work to come back to (one item of a batch): a
 * savepoint in its transaction and how much it had queued. */
struct uow_savepoint {
	size_t nevents, naudits;
};
/* Begin the unit if need be and set a savepoint. */
KOUAN_MUST_USE kerr uow_savepoint(struct uow *u, struct uow_savepoint *sp);
/* Keep what was done since the savepoint. */
KOUAN_MUST_USE kerr uow_savepoint_keep(struct uow *u, const struct uow_savepoint *sp);
/* Undo what was done since the savepoint, in the store and in the queued
 * events and audit records. */
KOUAN_MUST_USE kerr uow_savepoint_undo(struct uow *u, const struct uow_savepoint *sp);

/* Release what the unit holds (after commit or rollback). */
void uow_free(struct uow *u);

/* Run fn in a unit of work of its own on this thread's connection: commit
 * when it returns KERR_OK, roll back otherwise. For commands, seeding and
 * tests, which have no request to hold the unit. */
KOUAN_MUST_USE kerr uow_run(struct services *s, bool write,
			    kerr (*fn)(struct uow *u, void *arg), void *arg);

#endif
