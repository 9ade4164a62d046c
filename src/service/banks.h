/*
 * banks.h - what the payment use cases share about the banks that debit a
 * payer's account and answer for it: is an organisation one of them. A
 * declaration's duties (taxes.c) and a platform's monthly e-commerce tax
 * (cbec.c) are both ordered through such a bank and count once it answers.
 */
#ifndef KOUAN_BANKS_H
#define KOUAN_BANKS_H

#include "common/error.h"
#include "common/problems.h"
#include "store/store.h"

/* Is `uscc` a bank kouan knows (an organisation of kind bank)? KERR_OK;
 * KERR_INVALID with a problem at /bank when it is not; a store error as
 * it comes. */
KOUAN_MUST_USE kerr bank_known(struct store_conn *c, const char *uscc, struct problems *p);

#endif
