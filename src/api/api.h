/*
 * api.h - the application's HTTP API: shared state (struct app), the caller
 * behind a request, the route table and the helpers handlers use to read a
 * request and answer it.
 *
 * A handler parses its request, calls the domain, runs its queries in one
 * transaction and answers; it never touches a socket (see http/http.h).
 */
#ifndef KOUAN_API_H
#define KOUAN_API_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/clock.h"
#include "domain/workflow.h"
#include "domain/refdata.h"
#include "http/http.h"
#include "http/problem.h"
#include "store/repo.h"
#include "store/store.h"

#define ROLE_MAP(X)                                                            \
	X(DECLARANT, "declarant")                                              \
	X(CUSTOMS, "customs")                                                  \
	X(QUARANTINE, "quarantine")                                            \
	X(BORDER, "border")                                                    \
	X(MARITIME, "maritime")                                                \
	X(PORT_OPERATOR, "port_operator")                                      \
	X(ANALYST, "analyst")                                                  \
	X(ADMIN, "admin")

enum role {
#define ROLE_ENUM(name, text) ROLE_##name,
	ROLE_MAP(ROLE_ENUM)
#undef ROLE_ENUM
	ROLE_COUNT
};

#define ROLE_BIT(name) (1u << ROLE_##name)
#define ROLES_AGENCY                                                           \
	(ROLE_BIT(CUSTOMS) | ROLE_BIT(QUARANTINE) | ROLE_BIT(BORDER) |       \
	 ROLE_BIT(MARITIME))
#define ROLES_ANY ((1u << ROLE_COUNT) - 1)
#define ROLES_PUBLIC 0u

const char *role_name(enum role r);
bool role_parse(const char *s, enum role *out);
/* The agency an officer of this role works for, or NULL. */
const char *role_agency(enum role r);

struct app_limits {
	size_t max_body;          /* bytes; larger bodies get 413 */
	int64_t token_ttl_s;      /* lifetime of a session token */
	int longpoll_max_s;       /* longest wait on GET /v1/events */
	int max_waiters;          /* concurrent long-polls */
	unsigned long long pwhash_ops; /* Argon2id parameters for new hashes */
	size_t pwhash_mem;
};

/* The event feed's wake-up: bumped after every commit that wrote events. */
struct feed_signal {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t generation;
	int waiters;
	bool stopping;
};

struct app {
	struct store *store;
	struct kclock *clock;
	struct app_limits limits;
	pthread_mutex_t ref_lock;
	struct refdata *ref; /* current snapshot, guarded by ref_lock */
	struct feed_signal feed;
	unsigned char sign_pk[32];
	unsigned char sign_sk[64];
	char key_id[17];
	const char *openapi; /* served at /openapi.json */
	struct risk_state *risk; /* risk.c: rules in force, seed */
	const char *timezone; /* the port's IANA time zone, for the browser
			       * interface (setting "timezone"); NULL: Asia/Shanghai */
};

/* Defaults for limits (1 MiB bodies, 12 h tokens, 25 s long-polls). */
void app_limits_default(struct app_limits *l);

/* Set up an app over an open, migrated store: load the reference snapshot and
 * the release signing key from `key_path` (created when absent). On failure
 * nothing is left to free. */
KOUAN_MUST_USE kerr app_init(struct app *app, struct store *store,
			     struct kclock *clock, const struct app_limits *l,
			     const char *key_path);
void app_free(struct app *app);
/* The current reference snapshot (retained: refdata_release when done). */
struct refdata *app_refdata(struct app *app);
/* Rebuild the snapshot from the store (after an admin edit). */
KOUAN_MUST_USE kerr app_reload_refdata(struct app *app, struct store_conn *c);
/* Wake the event feed's waiters. */
void app_feed_notify(struct app *app);
/* Make waiters return (shutdown). */
void app_feed_stop(struct app *app);

/* Create or load an Ed25519 key pair in a file (hex of the secret key). */
KOUAN_MUST_USE kerr release_key_load(const char *path, unsigned char pk[32],
				     unsigned char sk[64], bool create);

struct caller {
	bool authenticated;
	enum role role;
	struct user_row user;
	char token_hash[65];
};

/* An event waiting for its transaction's commit (see api_commit). */
struct pending_event {
	struct event_in in; /* strings point into the fields below */
	char number[19];
	char type[48];
	char agency[16];
	char actor[65];
	char actor_role[16];
	char at[KTIME_TEXT_MAX];
	char *data; /* owned */
};

#define PENDING_EVENTS_MAX 32

struct api_ctx {
	struct app *app;
	const struct http_request *req;
	struct http_response *resp;
	struct caller caller;
	struct store_conn *conn;
	int64_t received_us; /* when the request arrived */
	struct pending_event events[PENDING_EVENTS_MAX];
	size_t nevents;
	/* set while kouan acts by itself (risk assessment): events and
	 * decisions are recorded with actor "kouan", role "system" */
	bool system_actor;
	/* the declaration view after declaration_decide (owned) */
	json_t *last_view;
};

typedef void (*api_handler)(struct api_ctx *ctx);

struct route {
	const char *method;
	const char *pattern; /* "/v1/declarations/{number}" */
	api_handler handler;
	unsigned roles;      /* ROLES_PUBLIC: no token needed */
};

/* The route table (for documentation checks). */
const struct route *api_routes(size_t *n);

/* Route one request and answer it. Never fails: errors become problems. */
void api_dispatch(struct app *app, const struct http_request *req,
		  struct http_response *resp);

/* --- helpers for handlers --- */

/* Answer a problem; detail and errors may be NULL. */
void api_problem(struct api_ctx *ctx, kerr e, const char *detail,
		 const struct problems *errors);
/* Answer a problem with extension members (taken; may be NULL). */
void api_problem_ext(struct api_ctx *ctx, kerr e, const char *detail,
		     const struct problems *errors, json_t *extra);
/* Answer a problem with one field error. */
void api_field_problem(struct api_ctx *ctx, kerr e, const char *field,
		       const char *problem);
/* Answer JSON; takes the reference to `body`. */
void api_json(struct api_ctx *ctx, int status, json_t *body);
/* Read a JSON object body: checks media type (415), size (413) and syntax
 * (400). Returns NULL after answering when it is not acceptable. */
json_t *api_read_body(struct api_ctx *ctx);
/* Are all members of the body among `ok` (NULL-terminated)? Otherwise
 * answers 400 naming each unknown one, with `accepted` as the list shown. */
bool api_only_fields(struct api_ctx *ctx, const json_t *body, const char *const *ok,
		     const char *accepted);
/* Parse an integer query parameter within [lo, hi]; answers 400 and returns
 * false when malformed. Absent: *out = dflt. */
bool api_query_int(struct api_ctx *ctx, const char *name, int64_t lo,
		   int64_t hi, int64_t dflt, int64_t *out);
/* The time now as RFC 3339 text. */
void api_now(struct api_ctx *ctx, char out[KTIME_TEXT_MAX]);
/* Begin a transaction; on failure answers 500/503 and returns false. */
bool api_begin(struct api_ctx *ctx, bool write);
/* Queue an event of the current write transaction (copied). Events are
 * written by api_commit, so that their ids follow commit order. */
KOUAN_MUST_USE kerr api_event(struct api_ctx *ctx, const struct event_in *e);
/* Write the queued events, then commit; on failure answers 500 and returns
 * false (the transaction is then rolled back). Event ids are handed out
 * under the feed clock's row lock, taken just before the commit, so they
 * grow in commit order even when several servers write at once: a reader
 * that has seen id N will never later find an id below N appear. */
bool api_commit(struct api_ctx *ctx);

/* --- operations shared between resources (inside a write transaction) --- */

/* Apply an agency's decision on its task of a declaration: lock and load
 * the declaration, check the transition, record it with its event (extra:
 * more event data, taken; may be NULL), and settle the declaration (release
 * it once when every task is cleared). Decision "inspect" also opens or
 * joins the declaration's joint inspection. On refusal answers nothing and
 * returns KERR_NOT_FOUND or KERR_CONFLICT with *why; on success sets
 * ctx->last_view. The caller commits or rolls back. */
KOUAN_MUST_USE kerr declaration_decide(struct api_ctx *ctx, const char *number,
				       const char *agency, enum decision d,
				       const char *reason, json_t *extra,
				       const char **why);

/* Assess a declaration just accepted or corrected (src/api/risk.c), store
 * the explanation, and apply the lanes to its open tasks: green and blue
 * cleared by kouan, red to the joint inspection, yellow left for an
 * officer. *applied tells whether any task changed (the caller's copy of
 * the declaration is then stale). */
struct declaration_facts;
KOUAN_MUST_USE kerr risk_assess_and_apply(struct api_ctx *ctx, const char *number,
					  int64_t org_id, int64_t declaration_version,
					  const json_t *body,
					  const struct declaration_facts *f,
					  const struct refdata *ref, const char *now,
					  bool *applied);
void risk_state_free(struct app *app);
/* Make the secret seed of the risk draws once per database (at start-up). */
KOUAN_MUST_USE kerr risk_seed_ensure(struct store *store);

/* The joint inspection of a declaration needs `agency` (an agency drew red,
 * or an officer ordered an inspection): open the declaration's inspection
 * if there is none open, or add the agency to it (src/api/inspections.c). */
KOUAN_MUST_USE kerr inspection_require(struct api_ctx *ctx, const char *number,
				       int64_t org_id, const char *agency,
				       const char *now);

/* --- joint inspection and appointments (src/api/inspections.c) --- */

/* Hook for declaration_decide, after it settled the declaration: `agency`'s
 * task was decided `d` (not inspect) other than through an inspection
 * finding. If the agency takes part in the open inspection without a
 * finding: once the booked slot has begun the decision is recorded as its
 * finding; before, the agency leaves the inspection (closed when nobody is
 * left). Does nothing otherwise (e.g. the decision came from a finding). */
KOUAN_MUST_USE kerr inspection_task_decided(struct api_ctx *ctx, const char *number,
					    const char *agency, enum decision d,
					    const char *reason, const char *now);
/* Hook for the end of a declaration without release (withdrawn, or
 * rejected): its open inspection is completed with the findings recorded,
 * or closed and its booked place freed when there are none. */
KOUAN_MUST_USE kerr inspection_declaration_ended(struct api_ctx *ctx, const char *number,
						 const char *now, const char *why);
/* Demo data: the inspection site CNNSA-1 (Nansha terminal inspection area,
 * 30-minute slots, 4 inspections per slot); does nothing when it exists. */
KOUAN_MUST_USE kerr inspections_seed_demo(struct app *app);
void api_inspection_get(struct api_ctx *ctx);
void api_declaration_inspection(struct api_ctx *ctx);
void api_inspection_finding(struct api_ctx *ctx);
void api_inspection_recognition(struct api_ctx *ctx);
void api_inspection_book(struct api_ctx *ctx);
void api_inspection_move(struct api_ctx *ctx);
void api_inspection_cancel(struct api_ctx *ctx);
void api_inspection_site_create(struct api_ctx *ctx);
void api_inspection_site_list(struct api_ctx *ctx);
void api_inspection_site_get(struct api_ctx *ctx);
void api_inspection_site_schedule(struct api_ctx *ctx);
/* --- end of joint inspection --- */

/* --- the browser interface (src/api/web.c) --- */

/* Is `path` the browser interface's: anything but /v1/... and /openapi.json? */
bool web_owns(const char *path);
/* Answer a request for the browser interface: the page (at "/" and at
 * every client-side route, i.e. a path whose last segment has no dot) and
 * the files under /assets/<version>/, for GET and HEAD (405 otherwise),
 * with their security headers, ETag and caching; 404 for anything else.
 * Needs no database and no caller. */
void web_serve(const struct http_request *req, struct http_response *resp);
/* GET /v1/ui-settings: the port's time zone and the interface languages. */
void api_ui_settings(struct api_ctx *ctx);

/* Handlers, grouped by resource (one file each). */
void api_healthz(struct api_ctx *ctx);
void api_openapi(struct api_ctx *ctx);
void api_release_key(struct api_ctx *ctx);
void api_session_create(struct api_ctx *ctx);
void api_session_delete(struct api_ctx *ctx);
void api_me(struct api_ctx *ctx);
void api_reference_index(struct api_ctx *ctx);
void api_reference_list(struct api_ctx *ctx);
void api_reference_get(struct api_ctx *ctx);
void api_reference_put(struct api_ctx *ctx);
void api_reference_delete(struct api_ctx *ctx);
void api_declaration_create(struct api_ctx *ctx);
void api_declaration_list(struct api_ctx *ctx);
void api_declaration_get(struct api_ctx *ctx);
void api_declaration_correct(struct api_ctx *ctx);
void api_declaration_withdraw(struct api_ctx *ctx);
void api_declaration_events(struct api_ctx *ctx);
void api_declaration_notice(struct api_ctx *ctx);
void api_declaration_version(struct api_ctx *ctx);
void api_task_decide(struct api_ctx *ctx);
void api_task_worklist(struct api_ctx *ctx);
void api_events_feed(struct api_ctx *ctx);
void api_organisation_create(struct api_ctx *ctx);
void api_organisation_list(struct api_ctx *ctx);
void api_user_create(struct api_ctx *ctx);
void api_user_list(struct api_ctx *ctx);
void api_declaration_risk(struct api_ctx *ctx);
void api_risk_rules_list(struct api_ctx *ctx);
void api_risk_rules_get(struct api_ctx *ctx);
void api_risk_rules_add(struct api_ctx *ctx);
void api_risk_rules_preview(struct api_ctx *ctx);
void api_risk_rules_effectiveness(struct api_ctx *ctx);
void api_risk_profiles_list(struct api_ctx *ctx);
void api_risk_profile_put(struct api_ctx *ctx);
void api_risk_scaling_put(struct api_ctx *ctx);
void api_credit_get(struct api_ctx *ctx);
void api_credit_put(struct api_ctx *ctx);

#endif
