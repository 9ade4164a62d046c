/*
 * repo_audit.h - the audit log's rows and its head (src/domain/audit.h says
 * what they hold). Portable SQL; the caller owns the transaction. Rows are
 * appended only after repo_audit_head_lock, which holds the head's row lock
 * until the transaction ends, so that the chain stays one line on any
 * backend.
 */
#ifndef KOUAN_REPO_AUDIT_H
#define KOUAN_REPO_AUDIT_H

#include <stdint.h>

#include "common/error.h"
#include "common/sizes.h"
#include "domain/audit.h"
#include "store/store.h"

struct audit_head_row {
	int64_t last_id;
	char hash[HASH_HEX_SIZE];
	char signature[SIGNATURE_B64_MAX];
	char key_id[KEY_ID_SIZE];
};

/* Lock the head for the rest of the transaction and read it. */
KOUAN_MUST_USE kerr repo_audit_head_lock(struct store_conn *c, struct audit_head_row *out);
/* Read the head without locking it. */
KOUAN_MUST_USE kerr repo_audit_head_get(struct store_conn *c, struct audit_head_row *out);
KOUAN_MUST_USE kerr repo_audit_head_set(struct store_conn *c, const struct audit_head_row *h);
/* Append a row (its id, hashes and signature already made). */
KOUAN_MUST_USE kerr repo_audit_insert(struct store_conn *c, const struct audit_row *r);

typedef kerr (*audit_row_fn)(void *arg, const struct audit_row *r);

/* Which rows to read; NULL members do not filter. */
struct audit_filter {
	const char *actor;
	const char *action;        /* exactly this action */
	const char *action_prefix; /* or every action starting with this */
	const char *target;
	const char *from;          /* at >= from */
	const char *to;            /* at < to */
	int64_t after;             /* id > after */
	int limit;
};
/* Rows that pass the filter, in id order. */
KOUAN_MUST_USE kerr repo_audit_list(struct store_conn *c, const struct audit_filter *f,
				    audit_row_fn fn, void *arg);

#endif
