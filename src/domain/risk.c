/*
 * risk.c - assessment of a declaration against a compiled rule set and an
 * office profile: candidate rules from the index, full checks, seeded
 * draws, lanes per agency, and the explanation as JSON (see risk.h).
 *
 * It must never write to the rule set (many threads share one), keep state
 * between calls, allocate on the assessment path, or use floating point:
 * rates are parts per million and draws are integers below 1e6.
 */
#include "domain/risk_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"

/* ------------------------------------------------------------------ */
/* profile                                                             */

void risk_profile_init(struct risk_profile *p)
{
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < RISK_MAX_AGENCIES; i++)
		p->base_lane[i] = RISK_LANE_GREEN;
	p->advanced_factor_ppm = RISK_ADVANCED_FACTOR_DEFAULT;
	p->discredited_min_ppm = RISK_DISCREDITED_MIN_DEFAULT;
}

static kerr profile_fail(char *msg, size_t n, const char *text)
{
	if (n)
		snprintf(msg, n, "%s", text);
	return KERR_INVALID;
}

kerr risk_profile_check(const struct risk_profile *p, char *msg, size_t n)
{
	if (n)
		msg[0] = '\0';
	for (size_t i = 0; i < RISK_MAX_AGENCIES; i++) {
		if (p->random_ppm[i] > RISK_PPM)
			return profile_fail(msg, n,
					    "random_ppm must be 0 to 1000000");
		if ((unsigned)p->base_lane[i] > RISK_LANE_RED)
			return profile_fail(msg, n, "base_lane is not a lane");
	}
	if (p->advanced_factor_ppm >= RISK_ADVANCED_FACTOR_LIMIT)
		return profile_fail(msg, n,
				    "advanced_factor_ppm must be below 200000 "
				    "(advanced rate under 20% of standard)");
	if (p->discredited_min_ppm > RISK_PPM)
		return profile_fail(msg, n,
				    "discredited_min_ppm must be 0 to 1000000");
	return KERR_OK;
}

uint32_t risk_random_rate(const struct risk_profile *p, size_t agency,
			  enum credit_class c)
{
	uint32_t base;

	if (agency >= RISK_MAX_AGENCIES)
		return 0;
	base = p->random_ppm[agency];
	switch (c) {
	case CREDIT_ADVANCED:
		return (uint32_t)((uint64_t)base * p->advanced_factor_ppm /
				  RISK_PPM);
	case CREDIT_DISCREDITED:
		return base > p->discredited_min_ppm ? base :
						       p->discredited_min_ppm;
	default:
		return base;
	}
}

/* ------------------------------------------------------------------ */
/* draws                                                               */

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void risk_consignment_key(const char *consignee, const char *bill,
			  const char *const *containers, size_t ncontainers,
			  char out[RISK_KEY_SIZE])
{
	crypto_generichash_state st;
	unsigned char h[16];
	const char *sorted[256];
	size_t n = ncontainers < 256 ? ncontainers : 256;
	memcpy(sorted, containers, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_text);
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	const char *parts[2] = {consignee ? consignee : "", bill ? bill : ""};
	for (int i = 0; i < 2; i++) {
		crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
		crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
	}
	for (size_t i = 0; i < n; i++) {
		crypto_generichash_update(&st, (const unsigned char *)sorted[i], strlen(sorted[i]));
		crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
	}
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, RISK_KEY_SIZE, h, sizeof h);
}

/* The assessment's draw key: keyed BLAKE2b (the secret seed) of the
 * rule-set version and the consignment key, made once per assessment; each
 * draw is then one SipHash-2-4 of its purpose under that key. */
struct drawer {
	unsigned char key[crypto_shorthash_KEYBYTES];
};

static void draw_begin(struct drawer *d, const uint8_t *seed, int64_t version,
		       const char *key, size_t len)
{
	unsigned char msg[8 + 1 + RISK_MAX_KEY];
	uint64_t u = (uint64_t)version;
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		msg[n++] = (unsigned char)(u >> (8 * i));
	msg[n++] = (unsigned char)len;
	memcpy(msg + n, key, len); /* len <= RISK_MAX_KEY, checked by the caller */
	n += len;
	crypto_generichash(d->key, sizeof d->key, msg, n, seed, RISK_SEED_BYTES);
}

static uint32_t draw_of(const struct drawer *d, const unsigned char *purpose, size_t n)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t u = 0;

	crypto_shorthash(out, purpose, n, d->key);
	for (int i = 7; i >= 0; i--)
		u = (u << 8) | out[i];
	return (uint32_t)(u % RISK_PPM);
}

static uint32_t draw_rule(const struct drawer *d, uint32_t rule)
{
	unsigned char p[8] = { 'r', 'u', 'l', 'e' };

	for (int i = 0; i < 4; i++)
		p[4 + i] = (unsigned char)(rule >> (8 * i));
	return draw_of(d, p, sizeof p);
}

static uint32_t draw_random(const struct drawer *d, const char *code,
			    size_t len)
{
	unsigned char p[6 + 1 + 255];
	size_t n = 0;

	memcpy(p, "random", 6);
	n = 6;
	p[n++] = (unsigned char)len;
	memcpy(p + n, code, len); /* agency codes are short (< 16 bytes) */
	n += len;
	return draw_of(d, p, n);
}

/* ------------------------------------------------------------------ */
/* facts as the conditions read them                                   */

struct fstr {
	const char *s;
	size_t len;
};

struct ctx {
	struct fstr decl[F_COUNT]; /* declaration-level string fields */
	int64_t value;
	bool value_unknown;
	uint8_t credit[2]; /* consignee, declarant: class index */
	bool new_importer;
	size_t nitems;
	struct fstr hs[RISK_MAX_ITEMS];
	struct fstr origin[RISK_MAX_ITEMS];
};

static struct fstr fstr_of(const char *s)
{
	struct fstr f = { s ? s : "", s ? strlen(s) : 0 };

	return f;
}

static int fstr_cmp(const struct risk_rules *rs, struct fstr a,
		    const struct rstr *b)
{
	size_t n = a.len < b->len ? a.len : b->len;
	int r = memcmp(a.s, rs->pool + b->off, n);

	if (r)
		return r;
	return (a.len > b->len) - (a.len < b->len);
}

static bool member(const struct risk_rules *rs, const struct rcond *cd,
		   struct fstr v)
{
	size_t lo = 0, hi = cd->nvals;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = fstr_cmp(rs, v, &rs->strs[cd->vals + mid]);

		if (r == 0)
			return true;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* Short strings: a plain loop beats a call to memcmp. */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool string_holds(const struct risk_rules *rs, const struct rcond *cd,
			 struct fstr v)
{
	if (cd->inl) {
		if (cd->kind == K_PREFIX)
			return v.len >= cd->ilen && bytes_eq(v.s, cd->ival, cd->ilen);
		return (v.len == cd->ilen && bytes_eq(v.s, cd->ival, v.len)) !=
		       (bool)cd->negate;
	}
	if (cd->kind == K_PREFIX) {
		const struct rstr *p = &rs->strs[cd->vals];

		return v.len >= p->len &&
		       memcmp(v.s, rs->pool + p->off, p->len) == 0;
	}
	return member(rs, cd, v) != (bool)cd->negate;
}

static bool decl_holds(const struct risk_rules *rs, const struct rcond *cd,
		       const struct ctx *c)
{
	switch (cd->kind) {
	case K_RANGE:
		if (c->value_unknown)
			return false;
		return (c->value >= cd->lo && c->value <= cd->hi) !=
		       (bool)cd->negate;
	case K_MASK:
		if (cd->field == F_NEW_IMPORTER)
			return (cd->mask >> c->new_importer) & 1u;
		return (cd->mask >>
			c->credit[cd->field == F_CONSIGNEE_CREDIT ? 0 : 1]) &
		       1u;
	default:
		return string_holds(rs, cd, c->decl[cd->field]);
	}
}

/* Do the rule's conditions hold for the declaration? */
static bool rule_hits(const struct risk_rules *rs, const struct rrule *r,
		      const struct ctx *c)
{
	const struct rcond *cd = &rs->conds[r->cond];
	const struct rcond *item = cd + r->ndecl;

	for (unsigned i = 0; i < r->ndecl; i++)
		if (!decl_holds(rs, &cd[i], c))
			return false;
	if (!r->nitem)
		return true;
	for (size_t k = 0; k < c->nitems; k++) {
		unsigned i;

		for (i = 0; i < r->nitem; i++) {
			struct fstr v = item[i].field == F_HS ? c->hs[k] :
								c->origin[k];
			if (!string_holds(rs, &item[i], v))
				break;
		}
		if (i == r->nitem)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* candidates: a two-level bitset over rule indexes                    */

#define L0_WORDS ((RISK_MAX_RULES + 63) / 64)
#define L1_WORDS ((L0_WORDS + 63) / 64)

/* l0 words are valid only where their l1 bit is set, so only l1 needs
 * clearing per assessment. */
struct cands {
	uint64_t l1[L1_WORDS];
	uint64_t l0[L0_WORDS];
};

static void cands_add(struct cands *cs, uint32_t rule)
{
	uint32_t w = rule >> 6;
	uint64_t bit = UINT64_C(1) << (rule & 63);
	uint64_t b1 = UINT64_C(1) << (w & 63);

	if (cs->l1[w >> 6] & b1) {
		cs->l0[w] |= bit;
	} else {
		cs->l1[w >> 6] |= b1;
		cs->l0[w] = bit;
	}
}

static void cands_post(struct cands *cs, const struct risk_rules *rs,
		       struct rpost p)
{
	for (uint32_t i = 0; i < p.n; i++)
		cands_add(cs, rs->post[p.off + i]);
}

static const struct rkey *key_lookup(const struct risk_rules *rs,
				     unsigned field, const char *s, size_t len)
{
	uint64_t h = risk_key_hash(field, s, len);
	size_t mask = rs->nslots - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		uint32_t k = rs->slots[i];
		const struct rkey *key;

		if (!k)
			return NULL;
		key = &rs->keys[k - 1];
		if (key->hash == h && key->field == field && key->s.len == len &&
		    memcmp(rs->pool + key->s.off, s, len) == 0)
			return key;
	}
}

static void gather_key(struct cands *cs, const struct risk_rules *rs,
		       unsigned field, struct fstr v)
{
	const struct rkey *key;

	if (!(rs->key_fields & (1u << field)))
		return;
	key = key_lookup(rs, field, v.s, v.len);
	if (key)
		cands_post(cs, rs, key->post);
}

static void gather(struct cands *cs, const struct risk_rules *rs,
		   const struct ctx *c)
{
	memset(cs->l1, 0, sizeof cs->l1);
	cands_post(cs, rs, rs->residual);
	for (unsigned f = F_TRADING_COUNTRY; f <= F_DECLARANT; f++)
		gather_key(cs, rs, f, c->decl[f]);
	if (!c->value_unknown) {
		if (rs->key_fields & (1u << F_VALUE)) {
			char bytes[8];
			uint64_t u = (uint64_t)c->value;
			struct fstr v = { bytes, 8 };

			for (int i = 0; i < 8; i++)
				bytes[i] = (char)(u >> (8 * i));
			gather_key(cs, rs, F_VALUE, v);
		}
		for (size_t i = 0; i < rs->nlower && rs->lower[i].v <= c->value;
		     i++)
			cands_add(cs, rs->lower[i].rule);
		for (size_t i = 0; i < rs->nupper && rs->upper[i].v >= c->value;
		     i++)
			cands_add(cs, rs->upper[i].rule);
	}
	cands_post(cs, rs, rs->credit[0][c->credit[0]]);
	cands_post(cs, rs, rs->credit[1][c->credit[1]]);
	cands_post(cs, rs, rs->new_importer[c->new_importer]);
	for (size_t k = 0; k < c->nitems; k++) {
		struct fstr hs = c->hs[k];
		uint32_t node = 0;

		gather_key(cs, rs, F_ORIGIN, c->origin[k]);
		for (size_t i = 0; i < hs.len; i++) {
			const struct rtnode *n = &rs->trie[node];
			unsigned d = (unsigned)(hs.s[i] - '0');

			if (d > 9 || !(n->mask & (1u << d)))
				break;
			node = n->first + (uint32_t)__builtin_popcount(
						  n->mask & ((1u << d) - 1u));
			cands_post(cs, rs, rs->trie[node].post);
		}
	}
}

/* ------------------------------------------------------------------ */
/* assessment                                                          */

struct run {
	const struct risk_rules *rs;
	const struct ctx *c;
	struct drawer d;
	agency_set mask;
	struct risk_outcome *out;
	uint8_t sel_lane[RISK_MAX_AGENCIES]; /* most severe selected + 1 */
};

static void consider(struct run *run, uint32_t ri)
{
	const struct rrule *r = &run->rs->rules[ri];
	struct risk_outcome *o = run->out;
	struct risk_agency_outcome *ao;
	uint32_t draw;
	bool selected;

	if (!(run->mask & (1u << r->agency)) || !rule_hits(run->rs, r, run->c))
		return;
	draw = draw_rule(&run->d, ri);
	selected = draw < r->ppm;
	ao = &o->agency[r->agency];
	ao->rules_hit++;
	if (selected) {
		ao->rules_selected++;
		if (r->lane + 1u > run->sel_lane[r->agency]) {
			run->sel_lane[r->agency] = (uint8_t)(r->lane + 1u);
			ao->rule = ri;
		}
	}
	if (o->nhits < RISK_MAX_HITS) {
		struct risk_hit *h = &o->hits[o->nhits++];

		h->rule = ri;
		h->line = run->rs->texts[ri].line;
		h->ppm = r->ppm;
		h->draw = draw;
		h->agency = r->agency;
		h->lane = r->lane;
		h->selected = selected;
	}
	o->nhits_total++;
}

static bool facts_ok(const struct risk_facts *f)
{
	size_t n;

	if (!f->key || f->nitems > RISK_MAX_ITEMS)
		return false;
	n = strlen(f->key);
	if (n == 0 || n > RISK_MAX_KEY)
		return false;
	return (unsigned)f->consignee_credit <= CREDIT_DISCREDITED &&
	       (unsigned)f->declarant_credit <= CREDIT_DISCREDITED;
}

static kerr assess(const struct risk_rules *rs,
		   const struct risk_profile *profile, const uint8_t *seed,
		   const struct risk_facts *f, struct risk_outcome *o,
		   bool indexed)
{
	struct ctx c;
	struct run run;

	if (!facts_ok(f) || risk_profile_check(profile, NULL, 0) != KERR_OK)
		return KERR_INVALID;

	c.decl[F_TRADING_COUNTRY] = fstr_of(f->trading_country);
	c.decl[F_TRADE_MODE] = fstr_of(f->trade_mode);
	c.decl[F_TRANSPORT_MODE] = fstr_of(f->transport_mode);
	c.decl[F_PORT] = fstr_of(f->port);
	c.decl[F_OFFICE] = fstr_of(f->office);
	c.decl[F_CONSIGNEE] = fstr_of(f->consignee);
	c.decl[F_DECLARANT] = fstr_of(f->declarant);
	c.value = f->value_cny;
	c.value_unknown = f->value_unknown;
	c.credit[0] = (uint8_t)f->consignee_credit;
	c.credit[1] = (uint8_t)f->declarant_credit;
	c.new_importer = f->new_importer;
	c.nitems = f->nitems;
	for (size_t i = 0; i < f->nitems; i++) {
		c.hs[i] = fstr_of(f->items[i].hs);
		c.origin[i] = fstr_of(f->items[i].origin);
	}

	run.rs = rs;
	run.c = &c;
	run.out = o;
	run.mask = f->agencies &
		   (rs->nagencies >= 32 ? ~0u : (1u << rs->nagencies) - 1u);
	memset(run.sel_lane, 0, sizeof run.sel_lane);
	draw_begin(&run.d, seed, rs->version, f->key, strlen(f->key));

	o->version = rs->version;
	o->consignee_credit = f->consignee_credit;
	/* the worse class of the two parties sets the random rate, so naming
	 * a trusted consignee does not lower a discredited declarant's */
	o->credit_applied = f->consignee_credit > f->declarant_credit ? f->consignee_credit
								      : f->declarant_credit;
	o->agencies = run.mask;
	o->nagencies = rs->nagencies;
	o->nhits = 0;
	o->nhits_total = 0;
	for (size_t a = 0; a < rs->nagencies; a++) {
		struct risk_agency_outcome *ao = &o->agency[a];

		memset(ao, 0, sizeof *ao);
		if (!(run.mask & (1u << a)))
			continue;
		ao->base_lane = profile->base_lane[a];
		ao->random_ppm = risk_random_rate(profile, a, o->credit_applied);
		ao->random_draw = draw_random(&run.d, rs->agency[a],
					      rs->agency_len[a]);
		ao->random_selected = ao->random_draw < ao->random_ppm;
	}

	if (indexed) {
		struct cands cs;

		gather(&cs, rs, &c);
		for (uint32_t w1 = 0; w1 < L1_WORDS; w1++) {
			uint64_t b1 = cs.l1[w1];

			while (b1) {
				uint32_t w = w1 * 64 + (uint32_t)__builtin_ctzll(b1);
				uint64_t b0 = cs.l0[w];

				b1 &= b1 - 1;
				while (b0) {
					consider(&run, w * 64 +
							       (uint32_t)__builtin_ctzll(b0));
					b0 &= b0 - 1;
				}
			}
		}
	} else {
		for (uint32_t i = 0; i < rs->nrules; i++)
			consider(&run, i);
	}

	for (size_t a = 0; a < rs->nagencies; a++) {
		struct risk_agency_outcome *ao = &o->agency[a];
		enum risk_lane lane = ao->base_lane;

		if (!(run.mask & (1u << a)))
			continue;
		if (run.sel_lane[a] && run.sel_lane[a] - 1u > (unsigned)lane)
			lane = (enum risk_lane)(run.sel_lane[a] - 1u);
		if (ao->random_selected)
			lane = RISK_LANE_RED;
		ao->lane = lane;
		if (run.sel_lane[a] && run.sel_lane[a] - 1u == (unsigned)lane)
			ao->cause = RISK_CAUSE_RULE;
		else if (ao->random_selected)
			ao->cause = RISK_CAUSE_RANDOM;
		else
			ao->cause = RISK_CAUSE_BASE;
		if (ao->cause != RISK_CAUSE_RULE)
			ao->rule = 0;
	}
	return KERR_OK;
}

kerr risk_assess(const struct risk_rules *rs, const struct risk_profile *profile,
		 const uint8_t seed[RISK_SEED_BYTES],
		 const struct risk_facts *facts, struct risk_outcome *out)
{
	return assess(rs, profile, seed, facts, out, true);
}

kerr risk_assess_scan(const struct risk_rules *rs,
		      const struct risk_profile *profile,
		      const uint8_t seed[RISK_SEED_BYTES],
		      const struct risk_facts *facts, struct risk_outcome *out)
{
	return assess(rs, profile, seed, facts, out, false);
}

bool risk_outcome_equal(const struct risk_outcome *a,
			const struct risk_outcome *b)
{
	if (a->version != b->version ||
	    a->consignee_credit != b->consignee_credit ||
	    a->credit_applied != b->credit_applied ||
	    a->agencies != b->agencies || a->nagencies != b->nagencies ||
	    a->nhits != b->nhits || a->nhits_total != b->nhits_total)
		return false;
	for (size_t i = 0; i < a->nagencies && i < RISK_MAX_AGENCIES; i++) {
		const struct risk_agency_outcome *x = &a->agency[i];
		const struct risk_agency_outcome *y = &b->agency[i];

		if (!(a->agencies & (1u << i)))
			continue;
		if (x->lane != y->lane || x->base_lane != y->base_lane ||
		    x->cause != y->cause || x->rule != y->rule ||
		    x->rules_hit != y->rules_hit ||
		    x->rules_selected != y->rules_selected ||
		    x->random_ppm != y->random_ppm ||
		    x->random_draw != y->random_draw ||
		    x->random_selected != y->random_selected)
			return false;
	}
	for (size_t i = 0; i < a->nhits; i++) {
		const struct risk_hit *x = &a->hits[i], *y = &b->hits[i];

		if (x->rule != y->rule || x->line != y->line ||
		    x->ppm != y->ppm || x->draw != y->draw ||
		    x->agency != y->agency || x->lane != y->lane ||
		    x->selected != y->selected)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* explanation                                                         */

/* ppm as an exact percent without trailing zeros: 55000 -> "5.5". */
static void percent_text(uint32_t ppm, char *buf, size_t n)
{
	decimal_format_trim((int64_t)ppm, 4, buf, n);
}

/* Add to obj; false (and `v` released) on failure. */
static bool put(json_t *obj, const char *key, json_t *v)
{
	return v && json_object_set_new(obj, key, v) == 0;
}

static json_t *rule_ref(const struct risk_rules *rs, uint32_t ri)
{
	const struct rrule *r = &rs->rules[ri];
	const struct rtext *t = &rs->texts[ri];
	json_t *j = json_object();

	if (!j)
		return NULL;
	if (!put(j, "rule", json_integer(ri)) ||
	    !put(j, "line", json_integer(t->line)) ||
	    !put(j, "lane", json_string(risk_lane_name(r->lane))) ||
	    (rs->pool[t->reason] &&
	     !put(j, "reason", json_string(rs->pool + t->reason)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *agency_json(const struct risk_rules *rs,
			   const struct risk_outcome *o, size_t a)
{
	const struct risk_agency_outcome *ao = &o->agency[a];
	json_t *j = json_object(), *because = json_array(), *rnd = json_object();
	char pct[32];
	bool listed = false;
	int e1, e2;

	if (!j || !because || !rnd) {
		json_decref(j);
		json_decref(because);
		json_decref(rnd);
		return NULL;
	}
	/* j owns the other two from here on, even when a set fails */
	e1 = json_object_set_new(j, "because", because);
	e2 = json_object_set_new(j, "random", rnd);
	if (e1 || e2)
		goto fail;
	for (size_t i = 0; i < o->nhits; i++) {
		const struct risk_hit *h = &o->hits[i];

		if (h->agency != a || !h->selected || h->lane != ao->lane)
			continue;
		if (json_array_append_new(because, rule_ref(rs, h->rule)))
			goto fail;
		if (h->rule == ao->rule)
			listed = true;
	}
	if (ao->cause == RISK_CAUSE_RULE && !listed &&
	    json_array_append_new(because, rule_ref(rs, ao->rule)))
		goto fail;
	if (ao->random_selected) {
		json_t *r = json_object();

		if (json_array_append_new(because, r) ||
		    !put(r, "random", json_true()))
			goto fail;
	}
	if (json_array_size(because) == 0) {
		json_t *b = json_object();

		if (json_array_append_new(because, b) ||
		    !put(b, "base", json_string(risk_lane_name(ao->base_lane))))
			goto fail;
	}
	percent_text(ao->random_ppm, pct, sizeof pct);
	if (!put(rnd, "rate_ppm", json_integer(ao->random_ppm)) ||
	    !put(rnd, "rate", json_string(pct)) ||
	    !put(rnd, "draw", json_integer(ao->random_draw)) ||
	    !put(rnd, "selected", json_boolean(ao->random_selected)) ||
	    !put(j, "lane", json_string(risk_lane_name(ao->lane))) ||
	    !put(j, "base_lane", json_string(risk_lane_name(ao->base_lane))) ||
	    !put(j, "rules_hit", json_integer(ao->rules_hit)) ||
	    !put(j, "rules_selected", json_integer(ao->rules_selected)))
		goto fail;
	return j;
fail:
	json_decref(j);
	return NULL;
}

json_t *risk_outcome_json(const struct risk_rules *rs,
			  const struct risk_outcome *o)
{
	json_t *root = NULL, *agencies, *hits;
	int e1, e2;

	if (!rs || !o || o->version != rs->version ||
	    o->nagencies != rs->nagencies)
		return NULL;
	root = json_object();
	agencies = json_object();
	hits = json_array();
	if (!root || !agencies || !hits) {
		json_decref(agencies);
		json_decref(hits);
		goto fail;
	}
	/* root owns the other two from here on, even when a set fails */
	e1 = json_object_set_new(root, "agencies", agencies);
	e2 = json_object_set_new(root, "rules_hit", hits);
	if (e1 || e2)
		goto fail;
	if (!put(root, "version", json_integer(o->version)) ||
	    !put(root, "consignee_credit",
		 json_string(credit_class_name(o->consignee_credit))) ||
	    !put(root, "credit_applied", json_string(credit_class_name(o->credit_applied))))
		goto fail;
	for (size_t a = 0; a < o->nagencies; a++) {
		if (!(o->agencies & (1u << a)))
			continue;
		if (!put(agencies, rs->agency[a], agency_json(rs, o, a)))
			goto fail;
	}
	for (size_t i = 0; i < o->nhits; i++) {
		const struct risk_hit *h = &o->hits[i];
		json_t *j;
		char pct[32];

		if (h->rule >= rs->nrules)
			goto fail;
		j = json_object();
		percent_text(h->ppm, pct, sizeof pct);
		if (!j || json_array_append_new(hits, j) ||
		    !put(j, "rule", json_integer(h->rule)) ||
		    !put(j, "line", json_integer(h->line)) ||
		    !put(j, "agency", json_string(rs->agency[h->agency])) ||
		    !put(j, "lane", json_string(risk_lane_name(h->lane))) ||
		    !put(j, "percent", json_string(pct)) ||
		    !put(j, "rate_ppm", json_integer(h->ppm)) ||
		    !put(j, "draw", json_integer(h->draw)) ||
		    !put(j, "selected", json_boolean(h->selected)) ||
		    (rs->pool[rs->texts[h->rule].reason] &&
		     !put(j, "reason",
			  json_string(rs->pool + rs->texts[h->rule].reason))) ||
		    !put(j, "source",
			 json_string(rs->pool + rs->texts[h->rule].source)))
			goto fail;
	}
	if (!put(root, "rules_hit_total", json_integer((json_int_t)o->nhits_total)))
		goto fail;
	return root;
fail:
	json_decref(root);
	return NULL;
}
