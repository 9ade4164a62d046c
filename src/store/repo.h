/*
 * repo.h - every query kouan runs, written once in portable SQL on top of
 * the store interface. Functions take an open connection; the caller owns
 * the transaction around them. Lists come back as jansson values (new
 * references) ready to serve.
 */
#ifndef KOUAN_REPO_H
#define KOUAN_REPO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "store/store.h"

struct refdata_builder;

/* --- organisations, users, tokens --- */

struct org_row {
	int64_t id;
	char uscc[19];
	char name[201];
	char kind[24];
};

struct user_row {
	int64_t id;
	int64_t org_id;
	char username[65];
	char display_name[129];
	char role[16];
	char password_hash[160];
	bool disabled;
	char org_uscc[19];
	char org_name[201];
};

KOUAN_MUST_USE kerr repo_org_create(struct store_conn *c, const char *uscc,
				    const char *name, const char *kind,
				    const char *now, int64_t *id);
KOUAN_MUST_USE kerr repo_org_find(struct store_conn *c, const char *uscc,
				  struct org_row *out);
json_t *repo_org_list(struct store_conn *c);

KOUAN_MUST_USE kerr repo_user_create(struct store_conn *c, int64_t org_id,
				     const char *username, const char *display,
				     const char *hash, const char *role,
				     const char *now, int64_t *id);
KOUAN_MUST_USE kerr repo_user_find(struct store_conn *c, const char *username,
				   struct user_row *out);
json_t *repo_user_list(struct store_conn *c);

KOUAN_MUST_USE kerr repo_token_create(struct store_conn *c, const char *hash,
				      int64_t user_id, const char *label,
				      const char *now, const char *expires);
/* The user behind a live token (not revoked, not expired at `now`). */
KOUAN_MUST_USE kerr repo_token_lookup(struct store_conn *c, const char *hash,
				      const char *now, struct user_row *out,
				      char *expires_at, size_t n);
KOUAN_MUST_USE kerr repo_token_revoke(struct store_conn *c, const char *hash,
				      const char *now);

/* --- settings --- */

/* The value of a setting into out (n bytes); KERR_NOT_FOUND when unset. */
KOUAN_MUST_USE kerr repo_setting_get(struct store_conn *c, const char *name,
				     char *out, size_t n);
KOUAN_MUST_USE kerr repo_setting_put(struct store_conn *c, const char *name,
				     const char *value);
/* Set a setting only when it has no value yet. */
KOUAN_MUST_USE kerr repo_setting_put_new(struct store_conn *c, const char *name,
					 const char *value);

/* --- reference data --- */

KOUAN_MUST_USE kerr repo_ref_put(struct store_conn *c, const char *list,
				 const char *code, const char *data,
				 const char *now, bool replace);
KOUAN_MUST_USE kerr repo_ref_delete(struct store_conn *c, const char *list,
				    const char *code);
KOUAN_MUST_USE kerr repo_ref_load(struct store_conn *c,
				  struct refdata_builder *b);
int64_t repo_ref_count(struct store_conn *c, const char *list);

/* --- declarations and tasks --- */

struct decl_row {
	char number[19];
	int64_t org_id;
	int64_t lodged_by;
	char status[16];
	char direction[8];
	char declaration_office[8];
	char port_office[8];
	char bill_of_lading[65];
	char consignee_uscc[19];
	int64_t version;
	char *body; /* owned: free() */
	char lodged_at[32];
	char updated_at[32];
	char released_at[32]; /* "" until released */
};

#define TASKS_MAX 16
struct task_row {
	char agency[16];
	char status[16];
	char basis_digest[33];
	char opened_at[32];
	char decided_at[32];
	char decided_by[65];
	char decision[16];
	char reason[512];
};

/* Next sequence number for an office, year and direction (1, 2, ...). */
KOUAN_MUST_USE kerr repo_sequence_next(struct store_conn *c, const char *office,
				       int year, const char *direction,
				       int64_t *out);
KOUAN_MUST_USE kerr repo_decl_insert(struct store_conn *c,
				     const struct decl_row *d);
KOUAN_MUST_USE kerr repo_decl_get(struct store_conn *c, const char *number,
				  struct decl_row *out);
/* Lock a declaration's row until the end of the transaction, where several
 * writers may run at once (a no-op otherwise). KERR_NOT_FOUND if absent. */
KOUAN_MUST_USE kerr repo_decl_lock(struct store_conn *c, const char *number);
void decl_row_free(struct decl_row *d);
/* Update status, version, body (NULL: keep) and released_at ("" : keep). */
KOUAN_MUST_USE kerr repo_decl_update(struct store_conn *c, const char *number,
				     const char *status, int64_t version,
				     const char *body, const char *now,
				     const char *released_at);

/* Keep the body a correction is about to replace. */
KOUAN_MUST_USE kerr repo_decl_version_keep(struct store_conn *c, const char *number,
					   int64_t version, const char *body,
					   const char *now);
/* The body of a declaration at a given version (current or superseded);
 * NULL when there is none. free() it. */
char *repo_decl_version_body(struct store_conn *c, const char *number,
			     int64_t version);

struct decl_filter {
	int64_t org_id;      /* 0: any */
	const char *agency;  /* NULL: any; else only with a task for it */
	const char *status;  /* NULL: any */
	const char *after;   /* number to continue after, NULL: from start */
	int limit;
};
json_t *repo_decl_list(struct store_conn *c, const struct decl_filter *f);

KOUAN_MUST_USE kerr repo_task_insert(struct store_conn *c, const char *number,
				     const char *agency, const char *digest,
				     const char *now);
KOUAN_MUST_USE kerr repo_task_list(struct store_conn *c, const char *number,
				   struct task_row *out, size_t *n);
KOUAN_MUST_USE kerr repo_task_set(struct store_conn *c, const char *number,
				  const struct task_row *t);
/* The open work of an agency, oldest first. */
json_t *repo_worklist(struct store_conn *c, const char *agency,
		      const char *status, int limit);

/* --- events --- */

struct event_in {
	const char *number;
	int64_t org_id;
	const char *type;
	const char *agency; /* NULL: none */
	const char *actor;
	const char *actor_role;
	const char *at;
	const char *data; /* JSON object text */
};
KOUAN_MUST_USE kerr repo_event_append(struct store_conn *c,
				      const struct event_in *e);
/* Take the feed clock's row lock for the rest of the transaction (and count
 * the transactions that wrote events). Call before appending events. */
KOUAN_MUST_USE kerr repo_feed_tick(struct store_conn *c);
json_t *repo_events_for(struct store_conn *c, const char *number);

/* Who may see which events in the feed. */
struct feed_view {
	int64_t org_id;         /* >0: only this organisation's declarations */
	const char *agency;     /* non-NULL: only declarations with its task */
	const char *only_type;  /* non-NULL: only this event type */
};
/* Events after id `after` visible in `view`, up to `limit`. *last is the id
 * of the last row scanned (the next cursor), left as is when none. */
json_t *repo_events_feed(struct store_conn *c, int64_t after, int limit,
			 const struct feed_view *view, int64_t *last);

/* --- idempotency, release notices, audit --- */

KOUAN_MUST_USE kerr repo_idem_get(struct store_conn *c, int64_t org_id,
				  const char *key, char hash[65], int *status,
				  char **response);
/* Claim a key for this transaction: KERR_OK when it was free (it is now
 * ours until commit; a concurrent claimant waits for us), KERR_CONFLICT when
 * it was already used (read it with repo_idem_get). */
KOUAN_MUST_USE kerr repo_idem_claim(struct store_conn *c, int64_t org_id,
				    const char *key, const char *now);
/* Record the answer to a claimed key. */
KOUAN_MUST_USE kerr repo_idem_finish(struct store_conn *c, int64_t org_id,
				     const char *key, const char *hash, int status,
				     const char *response);

KOUAN_MUST_USE kerr repo_notice_put(struct store_conn *c, const char *number,
				    const char *notice, const char *signature,
				    const char *key_id, const char *now);
/* New object {notice, signature, key_id, issued_at}, or NULL. */
json_t *repo_notice_get(struct store_conn *c, const char *number);

KOUAN_MUST_USE kerr repo_audit(struct store_conn *c, const char *at,
			       const char *actor, const char *action,
			       const char *target, const char *data);

#endif
