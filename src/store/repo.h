/*
 * repo.h - the core queries kouan runs (accounts, reference data,
 * declarations and tasks, events, idempotency, release notices; the audit
 * log is in repo_audit.h), written once in portable SQL on top of the store
 * interface.
 *
 * Functions take an open connection; the caller (a service's unit of work)
 * owns the transaction around them. They return rows as structs, never
 * JSON shaped for an answer: single rows are copied into the caller's
 * struct; lists are handed row by row to a callback, whose strings are
 * borrowed for the duration of the call. A list function returns KERR_OK
 * only when it read every row (store_each).
 */
#ifndef KOUAN_REPO_H
#define KOUAN_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"
#include "domain/events.h"
#include "domain/workflow.h"
#include "store/store.h"

struct refdata_builder;

/* --- organisations, users, tokens --- */

struct org_row {
	int64_t id;
	char uscc[USCC_SIZE];
	char name[ORG_NAME_SIZE];
	char kind[ORG_KIND_SIZE];
	char port[PORT_CODE_SIZE]; /* a port organisation's port; "" otherwise */
	char created_at[TIME_TEXT_SIZE];
};

struct user_row {
	int64_t id;
	int64_t org_id;
	char username[USERNAME_SIZE];
	char display_name[DISPLAY_NAME_SIZE];
	char role[ROLE_NAME_SIZE];
	char password_hash[160];
	bool disabled;
	bool supervisor; /* may waive an inspection for its agency */
	char org_uscc[USCC_SIZE];
	char org_name[ORG_NAME_SIZE];
	char org_kind[ORG_KIND_SIZE];
	char org_port[PORT_CODE_SIZE]; /* a port organisation's port, else "" */
};

typedef kerr (*org_row_fn)(void *arg, const struct org_row *o);
typedef kerr (*user_row_fn)(void *arg, const struct user_row *u);

/* port: NULL for organisations that are not a port's. */
KOUAN_MUST_USE kerr repo_org_create(struct store_conn *c, const char *uscc,
				    const char *name, const char *kind, const char *port,
				    const char *now, int64_t *id);
KOUAN_MUST_USE kerr repo_org_find(struct store_conn *c, const char *uscc,
				  struct org_row *out);
KOUAN_MUST_USE kerr repo_org_list(struct store_conn *c, org_row_fn fn, void *arg);

KOUAN_MUST_USE kerr repo_user_create(struct store_conn *c, int64_t org_id,
				     const char *username, const char *display,
				     const char *hash, const char *role, bool supervisor,
				     const char *now, int64_t *id);
KOUAN_MUST_USE kerr repo_user_find(struct store_conn *c, const char *username,
				   struct user_row *out);
KOUAN_MUST_USE kerr repo_user_list(struct store_conn *c, user_row_fn fn, void *arg);

KOUAN_MUST_USE kerr repo_token_create(struct store_conn *c, const char *hash,
				      int64_t user_id, const char *label,
				      const char *now, const char *expires);
/* The user behind a live token (not revoked, not expired at `now`, user
 * not disabled), with the token's expiry (RFC 3339) into expires;
 * KERR_NOT_FOUND otherwise. */
KOUAN_MUST_USE kerr repo_token_lookup_expiry(struct store_conn *c, const char *hash,
					     const char *now, struct user_row *out,
					     char expires[TIME_TEXT_SIZE]);
KOUAN_MUST_USE kerr repo_token_revoke(struct store_conn *c, const char *hash,
				      const char *now);

/* --- settings --- */

/* The value of a setting into out (n bytes); KERR_NOT_FOUND when unset. */
KOUAN_MUST_USE kerr repo_setting_get(struct store_conn *c, const char *name,
				     char *out, size_t n);
/* Two settings in one read: fn(arg, name, value) for each that is set. */
typedef kerr (*setting_fn)(void *arg, const char *name, const char *value);
KOUAN_MUST_USE kerr repo_settings_two(struct store_conn *c, const char *name1,
				      const char *name2, setting_fn fn, void *arg);
KOUAN_MUST_USE kerr repo_setting_put(struct store_conn *c, const char *name,
				     const char *value);
/* Set a setting only when it has no value yet. */
KOUAN_MUST_USE kerr repo_setting_put_new(struct store_conn *c, const char *name,
					 const char *value);

/* --- reference data --- */

KOUAN_MUST_USE kerr repo_ref_put(struct store_conn *c, const char *list,
				 const char *code, const char *data,
				 const char *now, bool replace);
/* KERR_NOT_FOUND when there is no such entry. */
KOUAN_MUST_USE kerr repo_ref_delete(struct store_conn *c, const char *list,
				    const char *code);
/* Add every stored entry to the builder. Fails whole: an entry that does
 * not parse or is refused by the builder is an error, so a caller never
 * installs a partial snapshot. */
KOUAN_MUST_USE kerr repo_ref_load(struct store_conn *c,
				  struct refdata_builder *b);

/* --- declarations and tasks --- */

struct decl_row {
	char number[DECL_NUMBER_SIZE];
	int64_t org_id;
	int64_t lodged_by;
	enum declaration_status status;
	bool import;
	char declaration_office[OFFICE_CODE_SIZE];
	char port_office[OFFICE_CODE_SIZE];
	char bill_of_lading[BILL_SIZE];
	char consignee_uscc[USCC_SIZE];
	char port[PORT_CODE_SIZE]; /* entry (import) or exit (export) port */
	int64_t version;
	char *body; /* owned: free() (decl_row_free) */
	char lodged_at[TIME_TEXT_SIZE];
	char updated_at[TIME_TEXT_SIZE];
	char released_at[TIME_TEXT_SIZE]; /* "" until released */
};

#define TASKS_MAX 16
struct task_row {
	char agency[AGENCY_CODE_SIZE];
	enum task_status status;
	char basis_digest[DIGEST_HEX];
	char opened_at[TIME_TEXT_SIZE];
	bool decided;             /* decided_at, decided_by, decision are set */
	char decided_at[TIME_TEXT_SIZE];
	char decided_by[USERNAME_SIZE];
	enum decision decision;
	char reason[REASON_SIZE]; /* "" when none */
};

/* A sequence number taken ahead (PostgreSQL: a spare one, its read sent
 * with the statements that follow until one waits; SQLite: nothing until
 * it is taken). Take it with repo_sequence_take, or give it back with
 * repo_sequence_give_back when the request turns out not to need it (a
 * replay): it was taken for good if the transaction commits, and numbers
 * have no gaps. One or the other before the transaction ends, or drop it
 * when the transaction (or its savepoint) is rolled back. */
struct sequence_ahead {
	struct store_ahead spare;
	char office[16];
	int year;
	bool import;
	bool sent;
};
void repo_sequence_send(struct store_conn *c, const char *office, int year, bool import,
			struct sequence_ahead *a);
KOUAN_MUST_USE kerr repo_sequence_take(struct store_conn *c, struct sequence_ahead *a,
				       int64_t *out);
KOUAN_MUST_USE kerr repo_sequence_give_back(struct store_conn *c, struct sequence_ahead *a);
void repo_sequence_drop(struct sequence_ahead *a);

/* Next sequence number for an office, year and direction (1, 2, ...). */
KOUAN_MUST_USE kerr repo_sequence_next(struct store_conn *c, const char *office,
				       int year, bool import, int64_t *out);
/* Put a declaration's body in its stored form now, before the transaction
 * that inserts it begins, on the thread that will insert it: the insert
 * then spends no time on it (on SQLite, where one write transaction runs
 * at a time, that time held every other lodgement up). */
void repo_decl_body_ahead(const char *body);
KOUAN_MUST_USE kerr repo_decl_insert(struct store_conn *c,
				     const struct decl_row *d);
KOUAN_MUST_USE kerr repo_decl_get(struct store_conn *c, const char *number,
				  struct decl_row *out);
/* What the clearance-time measure reads of a declaration besides its
 * events: its row, its consignee's credit class ("" when the consignee is
 * not registered) and the milestones of the call its consignment claims
 * ("" where there is none): the call's arrival and departure, and when its
 * manifest of kind `manifest_kind` was lodged. */
struct decl_measured {
	struct decl_row row;
	char consignee_credit[STATUS_SIZE];
	char call_arrived_at[TIME_TEXT_SIZE];
	char call_departed_at[TIME_TEXT_SIZE];
	bool has_manifest;
	char manifest_lodged_at[TIME_TEXT_SIZE];
};
/* Handed each row read; it may keep m->row.body (setting it to NULL). */
typedef kerr (*decl_measured_fn)(void *arg, struct decl_measured *m);
/* The declarations numbered from `first` to `last` (both included), in
 * order of number: one statement for all. */
KOUAN_MUST_USE kerr repo_decl_measured_range(struct store_conn *c, const char *first,
					     const char *last, const char *manifest_kind,
					     decl_measured_fn fn, void *arg);
/* A declaration's status alone; KERR_NOT_FOUND if absent. */
KOUAN_MUST_USE kerr repo_decl_status(struct store_conn *c, const char *number,
				     enum declaration_status *out);
/* Lock a declaration's row until the end of the transaction, where several
 * writers may run at once (a no-op otherwise). KERR_NOT_FOUND if absent. */
KOUAN_MUST_USE kerr repo_decl_lock(struct store_conn *c, const char *number);
void decl_row_free(struct decl_row *d);
/* Update the status and released_at (NULL or "": keep); not to withdrawn
 * (KERR_INTERNAL): see repo_decl_withdraw. */
KOUAN_MUST_USE kerr repo_decl_update(struct store_conn *c, const char *number,
				     enum declaration_status status, const char *now,
				     const char *released_at);
/* Withdraw a declaration: its status, and the withdrawal kept by consignee
 * and bill of lading for the risk engine (repo_risk_inputs_send). */
KOUAN_MUST_USE kerr repo_decl_withdraw(struct store_conn *c, const struct decl_row *d,
				       const char *now);
/* Replace the body (a correction): the new version, body, and the columns
 * drawn from it (bill of lading, consignee, port). consignee_before is the
 * consignee until now: an import that changes consignee moves between the
 * importers the risk engine knows. */
KOUAN_MUST_USE kerr repo_decl_replace_body(struct store_conn *c, const struct decl_row *d,
					   const char *consignee_before);

/* Keep the body a correction is about to replace. */
KOUAN_MUST_USE kerr repo_decl_version_keep(struct store_conn *c, const char *number,
					   int64_t version, const char *body,
					   const char *now);
/* The body of a declaration at a given version (current or superseded),
 * malloc'd into *body; KERR_NOT_FOUND when there is none. */
KOUAN_MUST_USE kerr repo_decl_version_body(struct store_conn *c, const char *number,
					   int64_t version, char **body);

/* One line of a declaration list (strings borrowed during the callback). */
struct decl_summary {
	const char *number;
	enum declaration_status status;
	bool import;
	const char *declaration_office;
	const char *port_office;
	const char *bill_of_lading;
	int64_t version;
	const char *lodged_at;
	const char *updated_at;
	const char *released_at; /* NULL until released */
	const char *org_uscc;    /* the declarant's organisation */
	const char *consignee_uscc;
	const char *port;
};
typedef kerr (*decl_summary_fn)(void *arg, const struct decl_summary *d);

struct decl_filter {
	int64_t org_id;      /* 0: any; else lodged by it, or for it when */
	const char *consignee_uscc; /* non-NULL names it as consignee */
	const char *port;    /* NULL: any; else only at this port */
	const char *agency;  /* NULL: any; else only with a task for it */
	const char *status;  /* NULL: any */
	const char *after;   /* number to continue after, NULL: from start */
	int limit;
};
KOUAN_MUST_USE kerr repo_decl_list(struct store_conn *c, const struct decl_filter *f,
				   decl_summary_fn fn, void *arg);

/* A new task of a declaration, as it stands (open, or already decided). */
KOUAN_MUST_USE kerr repo_task_insert(struct store_conn *c, const char *number,
				     const struct task_row *t);
/* The declaration's n new tasks t[0..n-1], in as few statements as fit
 * (one for up to 8 tasks), sent ahead (store_rows_insert). */
KOUAN_MUST_USE kerr repo_tasks_insert(struct store_conn *c, const char *number,
				      const struct task_row *t, size_t n);
/* A declaration's tasks by agency; at most TASKS_MAX (more is an error). */
KOUAN_MUST_USE kerr repo_task_list(struct store_conn *c, const char *number,
				   struct task_row *out, size_t *n);
KOUAN_MUST_USE kerr repo_task_set(struct store_conn *c, const char *number,
				  const struct task_row *t);

/* One task of a worklist with its declaration (borrowed strings). */
struct worklist_row {
	const char *number;
	const char *agency;
	enum task_status status;
	const char *opened_at;
	const char *decided_at; /* NULL when undecided */
	enum declaration_status declaration_status;
	bool import;
	const char *port_office;
	const char *bill_of_lading;
	const char *lodged_at;
};
typedef kerr (*worklist_row_fn)(void *arg, const struct worklist_row *w);
/* The work of an agency in a task status, oldest first. */
KOUAN_MUST_USE kerr repo_worklist(struct store_conn *c, const char *agency,
				  enum task_status status, int limit, worklist_row_fn fn,
				  void *arg);

/* --- events --- */

struct event_in {
	const char *number;
	int64_t org_id;
	enum event_type type;
	const char *agency; /* NULL: none */
	const char *actor;      /* "kouan" with role "system": kouan itself */
	const char *actor_role;
	const char *at;
	const char *data;     /* JSON object text */
	const char *call_key; /* the call it names (transport side); NULL: none */
};
KOUAN_MUST_USE kerr repo_event_append(struct store_conn *c,
				      const struct event_in *e);
/* Append n events in order, those that follow one another for one
 * declaration (or call) of one organisation sharing a row where the store
 * allows it (store_event_ids_per_row), up to eight rows to a statement: a
 * lodgement's six to eight events cost one row on PostgreSQL, and one
 * statement (one round trip) on either backend. */
KOUAN_MUST_USE kerr repo_events_append(struct store_conn *c, const struct event_in *ev,
				       size_t n);

/* A stored event (borrowed strings). */
struct event_row {
	int64_t id;
	const char *number; /* "" for a call's own event */
	const char *type;
	const char *agency; /* NULL when none */
	const char *actor;
	const char *actor_role;
	const char *at;
	const char *data;     /* JSON object text */
	const char *call_key; /* NULL when it names no call */
};
typedef kerr (*event_row_fn)(void *arg, const struct event_row *e);

/* A declaration's events in order. */
KOUAN_MUST_USE kerr repo_events_for(struct store_conn *c, const char *number,
				    event_row_fn fn, void *arg);
/* The events of the declarations numbered from `first` to `last` (both
 * included), by number and then in order: one statement for all. */
KOUAN_MUST_USE kerr repo_events_for_range(struct store_conn *c, const char *first,
					  const char *last, event_row_fn fn, void *arg);
/* A call's own events (not those on its declarations' timelines) after id
 * `after`, at most `limit`, in order, up to the feed's horizon
 * (store_feed_horizon: none is ever shown after a later one). */
KOUAN_MUST_USE kerr repo_events_for_call(struct store_conn *c, const char *call_key,
					 int64_t after, int limit, event_row_fn fn,
					 void *arg);

/* Who may see which events in the feed. */
struct feed_view {
	int64_t org_id;         /* >0: only this organisation's declarations */
	const char *consignee_uscc; /* with org_id: also those for this consignee */
	const char *port;       /* non-NULL: only declarations at this port */
	const char *agency;     /* non-NULL: only declarations with its task */
	const char *only_type;  /* non-NULL: only this event type */
	bool no_declarations;   /* no declaration's events at all */
	/* the calls' own events (the transport side): */
	bool calls;             /* shown at all */
	int64_t call_org_id;    /* >0: only calls of this carrier */
	const char *call_port;  /* non-NULL: only calls at this port */
};
/* Events after id `after` visible in `view`, up to `limit`, in id order,
 * up to the feed's horizon (store_feed_horizon): a reader that has seen id
 * N never later finds an event below N. */
KOUAN_MUST_USE kerr repo_events_feed(struct store_conn *c, int64_t after, int limit,
				     const struct feed_view *view, event_row_fn fn,
				     void *arg);

/* --- idempotency, release notices (the audit log: repo_audit.h) --- */

/* A key's record. A lodged declaration's record names the declaration
 * (number, version) and keeps in `response` only what its answer said that
 * the declaration does not keep; other records keep the whole answer
 * (number empty). */
struct idem_row {
	char hash[HASH_HEX_SIZE]; /* of the request it answered */
	int status;
	char number[DECL_NUMBER_SIZE]; /* "" when the answer is kept whole */
	int64_t version;
	char *response; /* owned: free() */
};

/* A key's record (*out, its response malloc'd). KERR_NOT_FOUND when
 * unknown. */
KOUAN_MUST_USE kerr repo_idem_get(struct store_conn *c, int64_t org_id,
				  const char *key, struct idem_row *out);
/* Claim a key for this transaction: KERR_OK when it was free (it is now
 * ours until commit; a concurrent claimant waits for us), KERR_CONFLICT when
 * it was already used (read it with repo_idem_get). */
KOUAN_MUST_USE kerr repo_idem_claim(struct store_conn *c, int64_t org_id,
				    const char *key, const char *now);
/* Record the answer to a claimed key (number NULL when the answer is kept
 * whole in response). */
KOUAN_MUST_USE kerr repo_idem_finish(struct store_conn *c, int64_t org_id,
				     const char *key, const struct idem_row *r);

#define SIGNATURE_TEXT_SIZE 100
struct notice_row {
	char *notice; /* owned: free() */
	char signature[SIGNATURE_TEXT_SIZE];
	char key_id[KEY_ID_SIZE];
	char issued_at[TIME_TEXT_SIZE];
};

KOUAN_MUST_USE kerr repo_notice_put(struct store_conn *c, const char *number,
				    const char *notice, const char *signature,
				    const char *key_id, const char *now);
/* KERR_NOT_FOUND when the declaration has no notice. */
KOUAN_MUST_USE kerr repo_notice_get(struct store_conn *c, const char *number,
				    struct notice_row *out);

/* --- electronic mandates (委托) --- */

struct mandate_row {
	int64_t id;
	char consignee_uscc[USCC_SIZE];
	char agent_uscc[USCC_SIZE];
	char scope[8]; /* import, export or both */
	char valid_from[TIME_TEXT_SIZE];
	char valid_to[TIME_TEXT_SIZE];
	char created_by[USERNAME_SIZE];
	char created_at[TIME_TEXT_SIZE];
	char revoked_at[TIME_TEXT_SIZE]; /* "" while in force */
	char consignee_name[ORG_NAME_SIZE];
	char agent_name[ORG_NAME_SIZE];
};
typedef kerr (*mandate_fn)(void *arg, const struct mandate_row *m);

KOUAN_MUST_USE kerr repo_mandate_create(struct store_conn *c, int64_t consignee_org_id,
					int64_t agent_org_id, const char *scope,
					const char *valid_from, const char *valid_to,
					const char *by, const char *now, int64_t *id);
/* The mandates an organisation gave or holds, newest first. */
KOUAN_MUST_USE kerr repo_mandate_list(struct store_conn *c, int64_t org_id, mandate_fn fn,
				      void *arg);
KOUAN_MUST_USE kerr repo_mandate_get(struct store_conn *c, int64_t id,
				     struct mandate_row *out);
KOUAN_MUST_USE kerr repo_mandate_revoke(struct store_conn *c, int64_t id, const char *now);
/* Is there a mandate in force at `at` from the consignee to the agent
 * whose scope covers the direction? KERR_NOT_FOUND when there is none. */
KOUAN_MUST_USE kerr repo_mandate_in_force(struct store_conn *c, int64_t consignee_org_id,
					  int64_t agent_org_id, bool import, const char *at);

#endif
