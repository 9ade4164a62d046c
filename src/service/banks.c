/*
 * banks.c - the banks kouan knows, as the payment use cases check them
 * (see banks.h).
 */
#include "service/banks.h"

#include <string.h>

#include "store/repo.h"

kerr bank_known(struct store_conn *c, const char *uscc, struct problems *p)
{
	struct org_row org;
	kerr e = repo_org_find(c, uscc, &org);
	if (e == KERR_NOT_FOUND || (!e && strcmp(org.kind, "bank"))) {
		problems_add(p, "/bank",
			     "is not a bank kouan knows: give the unified social credit code "
			     "of the bank that holds the payer's account (GET /v1/banks lists "
			     "them)");
		return KERR_INVALID;
	}
	return e;
}
