/*
 * audit.h - reading the audit log and proving it intact. Records are
 * written by every service through uow_audit and its siblings (service.h),
 * as rows of a hash chain signed row by row (src/domain/audit.h); here the
 * auditor reads them, filtered, and `kouan audit verify` checks the whole
 * chain against the signing keys. Neither changes anything.
 */
#ifndef KOUAN_AUDIT_SERVICE_H
#define KOUAN_AUDIT_SERVICE_H

#include "domain/audit.h"
#include "service/service.h"
#include "store/repo_audit.h"

#define AUDIT_PAGE_MAX 1000

/* Records that pass the filter, in id order (limit 1..AUDIT_PAGE_MAX). */
KOUAN_MUST_USE kerr audit_list(struct uow *u, const struct audit_filter *f, audit_row_fn fn,
			       void *arg);
/* The head of the chain: the latest row's id, hash and signature. */
KOUAN_MUST_USE kerr audit_head(struct uow *u, struct audit_head_row *out);

/* What a check found. */
struct audit_verdict {
	int64_t rows;       /* rows checked */
	int64_t findings;   /* problems found (each reported to the callback) */
	int64_t first_id;   /* the row of the first, 0 when none */
	int64_t last_id;    /* the last row checked */
	char last_hash[HASH_HEX_SIZE];
};

/* Check every row of the chain, in id order, against the keys, then the
 * head kept in the database and, when expect_hash is not NULL, a head kept
 * elsewhere (the id and hash of the row that was last when it was copied).
 * Each problem goes to fn as found; rows appended while the check runs are
 * checked when seen. KERR_OK when the check ran (whatever it found). */
KOUAN_MUST_USE kerr audit_verify(struct uow *u, const struct audit_keys *keys,
				 int64_t expect_id, const char *expect_hash,
				 audit_finding_fn fn, void *arg, struct audit_verdict *out);

#endif
