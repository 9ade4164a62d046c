/*
 * cbec.c - the cross-border e-commerce matching benchmark: how many parcels
 * a second one core matches when the order, the payment and the waybill of
 * each arrive in random order, spread over the arrivals of `window` other
 * parcels, with the index of pending documents (cbec_index) and, in the same
 * run, with a plain scan of every pending document, alternately.
 *
 * Both variants do the same work per document: allocate it as a service
 * would, file it, and when the three of an order are in, match them
 * (cbec_match) and free them. About 2 % of the parcels are made to mismatch
 * (the payer is not the buyer). A third figure runs the whole of a server's
 * work on a smaller stream: JSON text parsed and validated, filed, matched
 * and assessed (cbec_assess), with the index.
 *
 * Everything is generated from a fixed seed. Figures are printed, never
 * asserted; the goal of 20,000 parcels a second is reported as met or not.
 * It must never read or write anything but stdout and stderr.
 *
 *   bench_cbec [--parcels N] [--window N] [--rounds N] [--seed N] [--full N]
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/codes.h"
#include "domain/cbec.h"

#define GOAL 20000.0

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next_u64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ---- the stream -------------------------------------------------------- */

static const char *const platforms[] = {"4401986001", "4403986002", "3101986003",
					"3301986004"};
#define NPLATFORMS 4
#define NBUYERS 64

static char buyers[NBUYERS][19];

/* Valid resident IDs: 17 digits, then whichever check character the
 * library accepts. */
static void make_buyers(void)
{
	static const char checks[] = "0123456789X";
	for (int b = 0; b < NBUYERS; b++) {
		snprintf(buyers[b], sizeof buyers[b], "4401%02d19%02d%02d%02d%03d", b % 20 + 1,
			 70 + b % 30, b % 12 + 1, b % 28 + 1, 100 + b);
		for (int k = 0; k < 11; k++) {
			buyers[b][17] = checks[k];
			if (codes_check_resident_id(buyers[b]) == CODES_OK)
				break;
		}
	}
}

struct event {
	uint32_t at;     /* arrival tick */
	uint32_t parcel;
	uint8_t kind;    /* enum cbec_doc */
};

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->at != y->at)
		return (x->at > y->at) - (x->at < y->at);
	if (x->parcel != y->parcel)
		return (x->parcel > y->parcel) - (x->parcel < y->parcel);
	return (x->kind > y->kind) - (x->kind < y->kind);
}

/* Parcel i's documents arrive at ticks i + [0, window). */
static struct event *make_stream(size_t parcels, uint32_t window)
{
	struct event *ev = malloc((parcels ? 3 * parcels : 1) * sizeof *ev);
	if (!ev)
		exit(2);
	for (size_t i = 0; i < parcels; i++)
		for (uint8_t k = 0; k < 3; k++)
			ev[3 * i + k] = (struct event){(uint32_t)i + (uint32_t)(next_u64() % window),
						       (uint32_t)i, k};
	qsort(ev, 3 * parcels, sizeof *ev, cmp_event);
	return ev;
}

/* ---- documents ------------------------------------------------------------ */

static struct cbec_order order_t;
static struct cbec_payment payment_t;
static struct cbec_waybill waybill_t;

static const char order_json[] =
	"{\"platform_code\": \"4401986001\", \"platform_name\": \"云购全球跨境电商平台有限公司\","
	" \"enterprise_code\": \"4401966002\", \"enterprise_name\": \"珠江美妆贸易有限公司\","
	" \"order_no\": \"%s\", \"mode\": \"1210\", \"customs_office\": \"5167\","
	" \"buyer_name\": \"张伟\", \"buyer_id_number\": \"%s\", \"buyer_phone\": \"13800138000\","
	" \"consignee_name\": \"张伟\", \"consignee_phone\": \"13800138000\","
	" \"consignee_address\": \"广东省广州市天河区体育西路100号\","
	" \"goods_value\": \"900.00\", \"freight\": \"30.00\", \"discount\": \"0\","
	" \"tax_withheld\": \"198.42\", \"actual_paid\": \"1128.42\","
	" \"lines\": ["
	"  {\"item_name\": \"保湿精华液\", \"hs_code\": \"3304990000\", \"unit\": \"142\","
	"   \"origin_country\": \"JP\", \"quantity\": \"1\", \"unit_price\": \"600\", \"total\": \"600.00\"},"
	"  {\"item_name\": \"干红葡萄酒\", \"hs_code\": \"2204210000\", \"unit\": \"142\","
	"   \"origin_country\": \"FR\", \"quantity\": \"2\", \"unit_price\": \"150\", \"total\": \"300.00\"}]}";

static const char payment_json[] =
	"{\"payment_code\": \"4403169003\", \"payment_name\": \"粤通支付有限公司\","
	" \"transaction_no\": \"T%s\", \"platform_code\": \"4401986001\", \"order_no\": \"%s\","
	" \"payer_name\": \"%s\", \"payer_id_number\": \"%s\", \"amount_paid\": \"1128.42\","
	" \"paid_at\": \"2026-03-01T09:30:59+08:00\"}";

static const char waybill_json[] =
	"{\"logistics_code\": \"4401980004\", \"logistics_name\": \"南沙速运物流有限公司\","
	" \"waybill_no\": \"W%s\", \"platform_code\": \"4401986001\", \"order_no\": \"%s\","
	" \"consignee_name\": \"张伟\", \"consignee_phone\": \"13800138000\","
	" \"consignee_address\": \"广东省广州市天河区体育西路100号\","
	" \"freight\": \"30\", \"gross_weight\": \"2.35\", \"packages\": 1}";

static bool mismatched(uint32_t parcel)
{
	return parcel % 50 == 7;
}

static void key_of(uint32_t parcel, char no[24])
{
	snprintf(no, 24, "YG%010u", parcel);
}

/* JSON text of one document of a parcel (platform 0, so the full run can
 * use the JSON as is). */
static void json_of(uint32_t parcel, uint8_t kind, struct buf *b)
{
	char no[24];
	const char *id = buyers[parcel % NBUYERS];
	key_of(parcel, no);
	buf_reset(b);
	kerr e = kind == CBEC_DOC_ORDER
			 ? buf_printf(b, order_json, no, id)
		 : kind == CBEC_DOC_PAYMENT
			 ? buf_printf(b, payment_json, no, no, mismatched(parcel) ? "张卫" : "张伟", id)
			 : buf_printf(b, waybill_json, no, no);
	if (e)
		exit(2);
}

static void make_templates(void)
{
	struct buf b;
	struct problems p;
	json_t *j;
	buf_init(&b, 1 << 16);
	problems_init(&p);
	json_of(1, CBEC_DOC_ORDER, &b);
	j = json_loads(b.data, 0, NULL);
	if (!j || !cbec_order_validate(j, NULL, &p, &order_t))
		exit(3);
	json_decref(j);
	json_of(1, CBEC_DOC_PAYMENT, &b);
	j = json_loads(b.data, 0, NULL);
	if (!j || !cbec_payment_validate(j, NULL, &p, &payment_t))
		exit(3);
	json_decref(j);
	json_of(1, CBEC_DOC_WAYBILL, &b);
	j = json_loads(b.data, 0, NULL);
	if (!j || !cbec_waybill_validate(j, NULL, &p, &waybill_t))
		exit(3);
	json_decref(j);
	buf_free(&b);
}

/* A fresh document of the parcel, as a service would hold it. */
static void *new_doc(uint32_t parcel, uint8_t kind)
{
	char no[24];
	const char *platform = platforms[parcel % NPLATFORMS];
	const char *id = buyers[parcel % NBUYERS];
	key_of(parcel, no);
	if (kind == CBEC_DOC_ORDER) {
		struct cbec_order *o = malloc(sizeof *o);
		struct cbec_line *l = malloc(order_t.nlines * sizeof *l);
		if (!o || !l)
			exit(2);
		memcpy(o, &order_t, sizeof *o);
		memcpy(l, order_t.lines, order_t.nlines * sizeof *l);
		o->lines = l;
		str_copy(o->platform_code, platform, sizeof o->platform_code);
		str_copy(o->order_no, no, sizeof o->order_no);
		str_copy(o->buyer_id_number, id, sizeof o->buyer_id_number);
		return o;
	}
	if (kind == CBEC_DOC_PAYMENT) {
		struct cbec_payment *p = malloc(sizeof *p);
		if (!p)
			exit(2);
		memcpy(p, &payment_t, sizeof *p);
		str_copy(p->platform_code, platform, sizeof p->platform_code);
		str_copy(p->order_no, no, sizeof p->order_no);
		str_copy(p->payer_id_number, id, sizeof p->payer_id_number);
		if (mismatched(parcel))
			str_copy(p->payer_name, "张卫", sizeof p->payer_name);
		return p;
	}
	struct cbec_waybill *w = malloc(sizeof *w);
	if (!w)
		exit(2);
	memcpy(w, &waybill_t, sizeof *w);
	str_copy(w->platform_code, platform, sizeof w->platform_code);
	str_copy(w->order_no, no, sizeof w->order_no);
	return w;
}

static void free_three(struct cbec_order *o, struct cbec_payment *p, struct cbec_waybill *w)
{
	cbec_order_free(o);
	free(o);
	free(p);
	free(w);
}

struct tally {
	size_t matched, mismatched, pending_sum, samples;
};

static struct cbec_match result; /* large: not on the stack of every call */

static void match_three(struct cbec_order *o, struct cbec_payment *p, struct cbec_waybill *w,
			struct tally *t)
{
	if (cbec_match(o, p, w, 0, &result))
		t->matched++;
	else
		t->mismatched++;
	free_three(o, p, w);
}

/* ---- with the index ---------------------------------------------------------- */

static void run_index(const struct event *ev, size_t n, struct tally *t)
{
	static const unsigned char key[16] = "bench-cbec-key!";
	struct cbec_index *idx = cbec_index_new(key);
	size_t pending = 0; /* documents held */
	if (!idx)
		exit(2);
	for (size_t i = 0; i < n; i++) {
		struct cbec_pending *s;
		void *d = new_doc(ev[i].parcel, ev[i].kind);
		kerr e = ev[i].kind == CBEC_DOC_ORDER ? cbec_index_put_order(idx, d, ev[i].at, &s)
			 : ev[i].kind == CBEC_DOC_PAYMENT
				 ? cbec_index_put_payment(idx, d, ev[i].at, &s)
				 : cbec_index_put_waybill(idx, d, ev[i].at, &s);
		if (e)
			exit(2);
		pending++;
		if (cbec_pending_complete(s)) {
			struct cbec_order *o;
			struct cbec_payment *p;
			struct cbec_waybill *w;
			cbec_index_take(idx, s, &o, &p, &w);
			match_three(o, p, w, t);
			pending -= 3;
		}
		if ((i & 1023) == 0) {
			t->pending_sum += pending;
			t->samples++;
		}
	}
	cbec_index_free(idx);
}

/* ---- the baseline: scan every pending document ---------------------------------- */

struct held {
	uint8_t kind;
	const char *platform, *order_no; /* inside doc */
	void *doc;
};

static void run_scan(const struct event *ev, size_t n, size_t cap, struct tally *t)
{
	struct held *h = malloc(cap * sizeof *h);
	size_t nh = 0;
	if (!h)
		exit(2);
	for (size_t i = 0; i < n; i++) {
		void *d = new_doc(ev[i].parcel, ev[i].kind);
		struct held mine = {ev[i].kind, NULL, NULL, d};
		if (mine.kind == CBEC_DOC_ORDER) {
			mine.platform = ((struct cbec_order *)d)->platform_code;
			mine.order_no = ((struct cbec_order *)d)->order_no;
		} else if (mine.kind == CBEC_DOC_PAYMENT) {
			mine.platform = ((struct cbec_payment *)d)->platform_code;
			mine.order_no = ((struct cbec_payment *)d)->order_no;
		} else {
			mine.platform = ((struct cbec_waybill *)d)->platform_code;
			mine.order_no = ((struct cbec_waybill *)d)->order_no;
		}
		/* look through everything pending for this order's partners */
		size_t at[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
		for (size_t k = 0; k < nh; k++)
			if (!strcmp(h[k].order_no, mine.order_no) && !strcmp(h[k].platform, mine.platform))
				at[h[k].kind] = k;
		int found = (at[0] != SIZE_MAX) + (at[1] != SIZE_MAX) + (at[2] != SIZE_MAX);
		if (found < 2) {
			if (nh == cap)
				exit(2);
			h[nh++] = mine;
		} else {
			/* the two other kinds are both pending: take them out,
			 * the one further along first so the other stays put */
			void *docs[3];
			int ka = mine.kind == 0 ? 1 : 0, kb = mine.kind == 2 ? 1 : 2;
			size_t first = at[ka] > at[kb] ? at[ka] : at[kb];
			size_t second = at[ka] > at[kb] ? at[kb] : at[ka];
			docs[mine.kind] = d;
			docs[ka] = h[at[ka]].doc;
			docs[kb] = h[at[kb]].doc;
			h[first] = h[--nh];
			h[second] = h[--nh];
			match_three(docs[0], docs[1], docs[2], t);
		}
		if ((i & 1023) == 0) {
			t->pending_sum += nh;
			t->samples++;
		}
	}
	for (size_t k = 0; k < nh; k++) {
		if (h[k].kind == CBEC_DOC_ORDER)
			cbec_order_free(h[k].doc);
		free(h[k].doc);
	}
	free(h);
}

/* ---- the whole of a server's work ------------------------------------------- */

static double run_full(const struct event *ev, size_t n, char *const *texts, struct tally *t)
{
	static const unsigned char key[16] = "bench-cbec-key!";
	static struct cbec_assessment a;
	const struct cbec_rates rates[] = {{1300, CBEC_CT_AD_VALOREM, 1500, 0, 0, 0},
					   {1300, CBEC_CT_AD_VALOREM, 1000, 0, 0, 1400}};
	struct cbec_index *idx = cbec_index_new(key);
	struct problems p;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_loads(texts[i], JSON_REJECT_DUPLICATES, NULL);
		struct cbec_pending *s = NULL;
		kerr e = KERR_INVALID;
		problems_init(&p);
		if (ev[i].kind == CBEC_DOC_ORDER) {
			struct cbec_order *o = malloc(sizeof *o);
			if (o && cbec_order_validate(j, NULL, &p, o))
				e = cbec_index_put_order(idx, o, ev[i].at, &s);
			else
				free(o);
		} else if (ev[i].kind == CBEC_DOC_PAYMENT) {
			struct cbec_payment *pay = malloc(sizeof *pay);
			if (pay && cbec_payment_validate(j, NULL, &p, pay))
				e = cbec_index_put_payment(idx, pay, ev[i].at, &s);
			else
				free(pay);
		} else {
			struct cbec_waybill *w = malloc(sizeof *w);
			if (w && cbec_waybill_validate(j, NULL, &p, w))
				e = cbec_index_put_waybill(idx, w, ev[i].at, &s);
			else
				free(w);
		}
		json_decref(j);
		if (e)
			exit(4);
		if (cbec_pending_complete(s)) {
			struct cbec_order *o;
			struct cbec_payment *pay;
			struct cbec_waybill *w;
			cbec_index_take(idx, s, &o, &pay, &w);
			if (cbec_match(o, pay, w, 0, &result)) {
				if (cbec_assess(&result.entry, rates, 2, 0, 0, &a))
					exit(4);
				t->matched++;
			} else {
				t->mismatched++;
			}
			free_three(o, pay, w);
		}
	}
	double secs = now_s() - t0;
	cbec_index_free(idx);
	return secs;
}

static void parse_opt(const char *arg, const char *name, long *out)
{
	char *end;
	long v = arg ? strtol(arg, &end, 10) : -1;
	bool zero_ok = strcmp(name, "--full") == 0; /* 0: skip the whole-work run */
	if (!arg || *end || v < 0 || (v == 0 && !zero_ok) || v > 10000000) {
		fprintf(stderr, "bench_cbec: %s needs a number from %d to 10000000\n", name,
			zero_ok ? 0 : 1);
		exit(2);
	}
	*out = v;
}

#ifndef KOUAN_BUILD_TYPE
#define KOUAN_BUILD_TYPE "unknown"
#endif

static const char *build_note(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return ", with sanitizers: figures are not representative";
#elif !defined(__OPTIMIZE__)
	return ", not optimised: figures are not representative";
#else
	return "";
#endif
}

int main(int argc, char **argv)
{
	long parcels = 30000, window = 2000, rounds = 5, seed = 1, full = 10000;
	for (int i = 1; i < argc; i++) {
		long *v = !strcmp(argv[i], "--parcels") ? &parcels
			  : !strcmp(argv[i], "--window") ? &window
			  : !strcmp(argv[i], "--rounds")  ? &rounds
			  : !strcmp(argv[i], "--seed")    ? &seed
			  : !strcmp(argv[i], "--full")    ? &full
							  : NULL;
		if (!v) {
			fprintf(stderr, "usage: bench_cbec [--parcels N] [--window N] "
					"[--rounds N] [--seed N] [--full N]\n");
			return 2;
		}
		const char *name = argv[i];
		parse_opt(i + 1 < argc ? argv[++i] : NULL, name, v);
	}
	rng ^= (uint64_t)seed * 0x2545F4914F6CDD1DULL;
	make_buyers();
	make_templates();
	size_t n = 3 * (size_t)parcels;
	struct event *ev = make_stream((size_t)parcels, (uint32_t)window);
	double *ri = calloc((size_t)rounds, sizeof *ri), *rs = calloc((size_t)rounds, sizeof *rs);
	struct tally ti = {0}, ts = {0};
	if (!ri || !rs)
		return 2;

	/* alternate the two so that the machine's drift hits both alike */
	for (long r = 0; r < rounds; r++) {
		struct tally a = {0}, b = {0};
		double t0 = now_s();
		run_index(ev, n, &a);
		ri[r] = (double)(a.matched + a.mismatched) / (now_s() - t0);
		t0 = now_s();
		run_scan(ev, n, n, &b);
		rs[r] = (double)(b.matched + b.mismatched) / (now_s() - t0);
		if (a.matched != b.matched || a.mismatched != b.mismatched) {
			fprintf(stderr, "bench_cbec: the index and the scan disagree\n");
			return 1;
		}
		ti = a;
		ts = b;
	}
	qsort(ri, (size_t)rounds, sizeof *ri, cmp_double);
	qsort(rs, (size_t)rounds, sizeof *rs, cmp_double);
	double mi = ri[rounds / 2], ms = rs[rounds / 2];

	/* the whole of a server's work, on the first `full` parcels' stream */
	size_t nf = 3 * (size_t)(full < parcels ? full : parcels);
	struct event *evf = make_stream(nf / 3, (uint32_t)window);
	char **texts = malloc((nf ? nf : 1) * sizeof *texts);
	struct tally tf = {0};
	struct buf b;
	buf_init(&b, 1 << 16);
	if (!texts)
		return 2;
	for (size_t i = 0; i < nf; i++) {
		json_of(evf[i].parcel, evf[i].kind, &b);
		texts[i] = strdup(b.data);
		if (!texts[i])
			return 2;
	}
	double full_s = nf ? run_full(evf, nf, texts, &tf) : 0;
	double mf = nf ? (double)(tf.matched + tf.mismatched) / full_s : 0;

	printf("cross-border e-commerce matching benchmark (one thread)\n");
	printf("  build                   %s%s\n", KOUAN_BUILD_TYPE, build_note());
	printf("  machine cores           %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("  parcels                 %ld (3 documents each, arriving in random order over "
	       "the arrivals of %ld parcels; seed %ld)\n",
	       parcels, window, seed);
	printf("  matched / mismatched    %zu / %zu (same under both)\n", ti.matched, ti.mismatched);
	printf("  pending documents       %.0f on average (index), %.0f (scan)\n",
	       (double)ti.pending_sum / (double)(ti.samples ? ti.samples : 1),
	       (double)ts.pending_sum / (double)(ts.samples ? ts.samples : 1));
	printf("  with the index          %.0f parcels/s  (median of %ld runs, %.0f..%.0f)\n", mi,
	       rounds, ri[0], ri[rounds - 1]);
	printf("  scanning (baseline)     %.0f parcels/s  (median of %ld runs, %.0f..%.0f)\n", ms,
	       rounds, rs[0], rs[rounds - 1]);
	printf("  ratio index / scan      %.1fx\n", mi / ms);
	printf("  goal %.0f parcels/s     %s with the index (%.1fx the goal)\n", GOAL,
	       mi >= GOAL ? "met" : "NOT met", mi / GOAL);
	if (nf)
		printf("  whole work, index       %.0f parcels/s  (%zu parcels: JSON parsed and "
		       "validated, filed, matched, assessed; one run; %.1fx the goal)\n",
		       mf, nf / 3, mf / GOAL);
	for (size_t i = 0; i < nf; i++)
		free(texts[i]);
	free(texts);
	free(evf);
	free(ev);
	free(ri);
	free(rs);
	buf_free(&b);
	cbec_order_free(&order_t);
	return 0;
}
