/*
 * cbec_match.c - matching the order, payment and waybill of one order
 * (三单对碰), and the index that holds documents until their partners
 * arrive (see cbec.h).
 *
 * The index is an open-addressing hash table of pointers to pending
 * entries (linear probing, deletion by backward shift, so no tombstones);
 * entries never move, so a caller may keep one while others come and go.
 * Keys are hashed with keyed SipHash so a sender cannot pick order numbers
 * that collide. Nothing here may allocate outside the index or keep state
 * outside its arguments.
 */
#include "domain/cbec.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/decimal.h"

/* ---- matching ------------------------------------------------------ */

static void add_diff(struct cbec_match *m, enum cbec_doc doc, const char *field,
		     const char *expected, const char *found)
{
	if (m->ndiffs >= CBEC_MAX_DIFFS) {
		m->dropped++;
		return;
	}
	struct cbec_difference *d = &m->diffs[m->ndiffs++];
	d->doc = doc;
	str_copy(d->field, field, sizeof d->field);
	str_copy(d->expected, expected, sizeof d->expected);
	str_copy(d->found, found, sizeof d->found);
}

static void same_text(struct cbec_match *m, enum cbec_doc doc, const char *field,
		      const char *expected, const char *found)
{
	if (strcmp(expected, found) != 0)
		add_diff(m, doc, field, expected, found);
}

static void fen_text(__int128 v, char *buf, size_t n)
{
	if (v > INT64_MAX || v < INT64_MIN || decimal_format((int64_t)v, CBEC_SCALE_MONEY, buf, n) < 0)
		str_copy(buf, "(too large)", n);
}

static void same_amount(struct cbec_match *m, enum cbec_doc doc, const char *field,
			__int128 expected, int64_t found, int64_t tolerance)
{
	__int128 gap = expected - found;
	if (gap < 0)
		gap = -gap;
	if (gap > tolerance) {
		char a[48], b[48];
		fen_text(expected, a, sizeof a);
		fen_text(found, b, sizeof b);
		add_diff(m, doc, field, a, b);
	}
}

bool cbec_match(const struct cbec_order *o, const struct cbec_payment *pay,
		const struct cbec_waybill *w, int64_t tolerance_fen,
		struct cbec_match *out)
{
	out->matched = false;
	out->ndiffs = 0;
	out->dropped = 0;
	memset(&out->entry, 0, sizeof out->entry);

	same_text(out, CBEC_DOC_PAYMENT, "/platform_code", o->platform_code, pay->platform_code);
	same_text(out, CBEC_DOC_PAYMENT, "/order_no", o->order_no, pay->order_no);
	same_text(out, CBEC_DOC_WAYBILL, "/platform_code", o->platform_code, w->platform_code);
	same_text(out, CBEC_DOC_WAYBILL, "/order_no", o->order_no, w->order_no);

	/* the buyer must be the payer */
	same_text(out, CBEC_DOC_PAYMENT, "/payer_name", o->buyer_name, pay->payer_name);
	same_text(out, CBEC_DOC_PAYMENT, "/payer_id_number", o->buyer_id_number,
		  pay->payer_id_number);
	if (o->payment_code[0])
		same_text(out, CBEC_DOC_PAYMENT, "/payment_code", o->payment_code,
			  pay->payment_code);
	if (o->transaction_no[0])
		same_text(out, CBEC_DOC_PAYMENT, "/transaction_no", o->transaction_no,
			  pay->transaction_no);

	/* the parcel goes to the order's consignee */
	same_text(out, CBEC_DOC_WAYBILL, "/consignee_name", o->consignee_name, w->consignee_name);
	same_text(out, CBEC_DOC_WAYBILL, "/consignee_phone", o->consignee_phone,
		  w->consignee_phone);
	same_text(out, CBEC_DOC_WAYBILL, "/consignee_address", o->consignee_address,
		  w->consignee_address);

	/* goods value + freight - discount + tax = what was paid */
	__int128 due = (__int128)o->goods_value + o->freight - o->discount + o->tax_withheld;
	same_amount(out, CBEC_DOC_ORDER, "/actual_paid", due, o->actual_paid, tolerance_fen);
	same_amount(out, CBEC_DOC_PAYMENT, "/amount_paid", due, pay->amount_paid, tolerance_fen);

	/* the list entry needs the declared particulars */
	if (o->mode == CBEC_MODE_UNKNOWN)
		add_diff(out, CBEC_DOC_ORDER, "/mode", "9610 or 1210",
			 "(none yet: the inventory declares it)");
	if (!o->customs_office[0])
		add_diff(out, CBEC_DOC_ORDER, "/customs_office", "a 4-digit customs office",
			 "(none yet: the inventory declares it)");
	for (size_t i = 0; i < o->nlines; i++) {
		if (!o->lines[i].hs_code[0]) {
			char f[48];
			snprintf(f, sizeof f, "/lines/%zu/hs_code", i);
			add_diff(out, CBEC_DOC_ORDER, f, "a 10-digit commodity code",
				 "(none yet: the inventory declares it)");
		}
	}

	if (out->ndiffs || out->dropped)
		return false;
	__int128 value = (__int128)o->goods_value + o->freight + w->insured_fee;
	if (value > INT64_MAX) {
		add_diff(out, CBEC_DOC_ORDER, "/goods_value", "a value below 92 233 720 368 547 758.07",
			 "a value that with freight and insurance is too large");
		return false;
	}
	out->entry.order = o;
	out->entry.payment = pay;
	out->entry.waybill = w;
	out->entry.customs_value = (int64_t)value;
	out->matched = true;
	return true;
}

/* ---- the index ----------------------------------------------------- */

struct cbec_index {
	unsigned char key[crypto_shorthash_KEYBYTES];
	struct cbec_pending **slots;
	size_t cap;   /* power of two */
	size_t count;
};

#define INDEX_MIN_CAP 64

static uint64_t key_hash(const struct cbec_index *idx, const char *platform,
			 const char *order_no)
{
	unsigned char text[CBEC_CODE_LEN + 1 + CBEC_NO_LEN + 1];
	size_t a = strlen(platform), b = strlen(order_no);
	if (a > CBEC_CODE_LEN)
		a = CBEC_CODE_LEN;
	if (b > CBEC_NO_LEN)
		b = CBEC_NO_LEN;
	memcpy(text, platform, a);
	text[a] = 0; /* keeps ("AB","C") apart from ("A","BC") */
	memcpy(text + a + 1, order_no, b);
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, text, a + 1 + b, idx->key);
	uint64_t v;
	memcpy(&v, h, sizeof v);
	return v;
}

struct cbec_index *cbec_index_new(const unsigned char key[16])
{
	struct cbec_index *idx = calloc(1, sizeof *idx);
	if (!idx)
		return NULL;
	memcpy(idx->key, key, sizeof idx->key);
	idx->cap = INDEX_MIN_CAP;
	idx->slots = calloc(idx->cap, sizeof *idx->slots);
	if (!idx->slots) {
		free(idx);
		return NULL;
	}
	return idx;
}

static void free_order(struct cbec_order *o);

static void free_docs(struct cbec_pending *e)
{
	free_order(e->order);
	free(e->payment);
	free(e->waybill);
}

void cbec_index_free(struct cbec_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->cap; i++) {
		if (idx->slots[i]) {
			free_docs(idx->slots[i]);
			free(idx->slots[i]);
		}
	}
	free(idx->slots);
	free(idx);
}

size_t cbec_index_count(const struct cbec_index *idx)
{
	return idx->count;
}

/* The slot holding the key, or the empty slot where it would go. */
static size_t probe(const struct cbec_index *idx, uint64_t h, const char *platform,
		    const char *order_no)
{
	size_t mask = idx->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		const struct cbec_pending *e = idx->slots[i];
		if (!e || (e->hash == h && strcmp(e->order_no, order_no) == 0 &&
			   strcmp(e->platform_code, platform) == 0))
			return i;
	}
}

static kerr grow(struct cbec_index *idx)
{
	size_t cap = idx->cap * 2;
	struct cbec_pending **slots = calloc(cap, sizeof *slots);
	if (!slots)
		return KERR_NOMEM;
	for (size_t i = 0; i < idx->cap; i++) {
		struct cbec_pending *e = idx->slots[i];
		if (!e)
			continue;
		size_t k = (size_t)e->hash & (cap - 1);
		while (slots[k])
			k = (k + 1) & (cap - 1);
		slots[k] = e;
	}
	free(idx->slots);
	idx->slots = slots;
	idx->cap = cap;
	return KERR_OK;
}

/* The entry for the key, created when absent. NULL on out of memory. */
static struct cbec_pending *entry_for(struct cbec_index *idx, const char *platform,
				      const char *order_no, int64_t at_us)
{
	uint64_t h = key_hash(idx, platform, order_no);
	size_t i = probe(idx, h, platform, order_no);
	if (idx->slots[i])
		return idx->slots[i];
	if ((idx->count + 1) * 4 > idx->cap * 3) { /* keep the load under 3/4 */
		if (grow(idx))
			return NULL;
		i = probe(idx, h, platform, order_no);
	}
	struct cbec_pending *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	str_copy(e->platform_code, platform, sizeof e->platform_code);
	str_copy(e->order_no, order_no, sizeof e->order_no);
	e->hash = h;
	e->first_at_us = at_us;
	idx->slots[i] = e;
	idx->count++;
	return e;
}

static bool key_ok(const char *platform, const char *order_no)
{
	return platform[0] && order_no[0] && strlen(platform) <= CBEC_CODE_LEN &&
	       strlen(order_no) <= CBEC_NO_LEN;
}

static void free_order(struct cbec_order *o)
{
	if (o) {
		cbec_order_free(o);
		free(o);
	}
}

/* Attach a document of `kind` under its key, replacing (and freeing) the one
 * pending before it; on failure the document is freed. */
static kerr put(struct cbec_index *idx, enum cbec_doc kind, void *doc, const char *platform,
		const char *order_no, int64_t at_us, struct cbec_pending **slot)
{
	bool ok = key_ok(platform, order_no);
	struct cbec_pending *e = ok ? entry_for(idx, platform, order_no, at_us) : NULL;
	void **place = NULL;
	if (e)
		place = kind == CBEC_DOC_ORDER     ? (void **)&e->order
			: kind == CBEC_DOC_PAYMENT ? (void **)&e->payment
						   : (void **)&e->waybill;
	void *old = place ? *place : doc; /* on failure, the new one goes */
	if (kind == CBEC_DOC_ORDER)
		free_order(old);
	else
		free(old);
	if (!e)
		return ok ? KERR_NOMEM : KERR_INVALID;
	*place = doc;
	if (slot)
		*slot = e;
	return KERR_OK;
}

kerr cbec_index_put_order(struct cbec_index *idx, struct cbec_order *o, int64_t at_us,
			  struct cbec_pending **slot)
{
	return put(idx, CBEC_DOC_ORDER, o, o->platform_code, o->order_no, at_us, slot);
}

kerr cbec_index_put_payment(struct cbec_index *idx, struct cbec_payment *p, int64_t at_us,
			    struct cbec_pending **slot)
{
	return put(idx, CBEC_DOC_PAYMENT, p, p->platform_code, p->order_no, at_us, slot);
}

kerr cbec_index_put_waybill(struct cbec_index *idx, struct cbec_waybill *w, int64_t at_us,
			    struct cbec_pending **slot)
{
	return put(idx, CBEC_DOC_WAYBILL, w, w->platform_code, w->order_no, at_us, slot);
}

struct cbec_pending *cbec_index_find(struct cbec_index *idx, const char *platform_code,
				     const char *order_no)
{
	if (!key_ok(platform_code, order_no))
		return NULL;
	uint64_t h = key_hash(idx, platform_code, order_no);
	return idx->slots[probe(idx, h, platform_code, order_no)];
}

bool cbec_pending_complete(const struct cbec_pending *s)
{
	return s && s->order && s->payment && s->waybill && cbec_order_classified(s->order);
}

/* Empty slot i and shift the entries after it back so probes still work. */
static void remove_at(struct cbec_index *idx, size_t i)
{
	size_t mask = idx->cap - 1;
	idx->slots[i] = NULL;
	idx->count--;
	for (size_t k = (i + 1) & mask; idx->slots[k]; k = (k + 1) & mask) {
		size_t home = (size_t)idx->slots[k]->hash & mask;
		/* move k back to i unless its home lies in (i, k] */
		bool stays = i <= k ? (home > i && home <= k) : (home > i || home <= k);
		if (!stays) {
			idx->slots[i] = idx->slots[k];
			idx->slots[k] = NULL;
			i = k;
		}
	}
}

static size_t position_of(const struct cbec_index *idx, const struct cbec_pending *e)
{
	size_t mask = idx->cap - 1;
	for (size_t i = (size_t)e->hash & mask; idx->slots[i]; i = (i + 1) & mask)
		if (idx->slots[i] == e)
			return i;
	return SIZE_MAX;
}

void cbec_index_take(struct cbec_index *idx, struct cbec_pending *slot,
		     struct cbec_order **o, struct cbec_payment **p,
		     struct cbec_waybill **w)
{
	size_t i = slot ? position_of(idx, slot) : SIZE_MAX;
	if (i == SIZE_MAX) {
		*o = NULL;
		*p = NULL;
		*w = NULL;
		return;
	}
	*o = slot->order;
	*p = slot->payment;
	*w = slot->waybill;
	remove_at(idx, i);
	free(slot);
}

size_t cbec_index_expire(struct cbec_index *idx, int64_t before_us,
			 void (*fn)(void *arg, const struct cbec_pending *s), void *arg)
{
	size_t removed = 0;
	for (size_t i = 0; i < idx->cap;) {
		struct cbec_pending *e = idx->slots[i];
		if (!e || e->first_at_us >= before_us) {
			i++;
			continue;
		}
		if (fn)
			fn(arg, e);
		remove_at(idx, i);
		free_docs(e);
		free(e);
		removed++;
		/* slot i now holds a shifted entry (or nothing): look again */
	}
	return removed;
}
