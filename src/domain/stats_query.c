/*
 * stats_query.c - exact statistics over a selection of rows (see stats.h),
 * answered without sorting the rows.
 *
 * Per direction, a query first turns its filter into one bit per row (a
 * selection bitmap per chunk). Absent stages and zeros are only counted,
 * through the chunk's presence bitmaps; only non-zero values are read.
 *
 * One pass answers, guided by a sample. A sampling pass reads one word of
 * 64 rows in SAMPLE_STRIDE and histograms the values: for each asked rank
 * it predicts a narrow range of values that holds it with overwhelming
 * odds (the sample's rank plus and minus 4.5 standard deviations and a
 * little). The main pass then reads every selected value once, keeping its
 * exact sum and maximum, counting the values below each range and counting
 * the values inside each range second by second. A rank is answered when it
 * does lie inside its range, which the counts prove; the median of each
 * hour of day and weekday, and the fence of the outliers (with candidates
 * collected above a bound derived from the ranges), are answered the same
 * way. Shares within targets are counted directly.
 *
 * When the sample is small (a narrow selection) the values are collected
 * and sorted instead. When a prediction misses (the counts show the rank
 * outside its range), that measure is answered again the two-pass way: a
 * histogram of one-second bins below 2^15 s and 1/1024-octave bins above,
 * then a second pass counting second by second inside the few bins that
 * hold the asked ranks. Either way every figure is exact.
 *
 * Chunks are shared among threads, each with its own sums, added up after
 * each phase. It must never read outside a chunk's rows, write to the
 * engine (queries hold only the read lock), or give an approximate figure.
 */
#include "domain/stats_internal.h"

#include <stdlib.h>
#include <string.h>

/* Fine bins: exact below 2^EXACT_BITS s, then SUBS per octave up to 2^31. */
#define EXACT_BITS 15
#define EXACT (1u << EXACT_BITS)
#define SUB_BITS 10
#define SUBS (1u << SUB_BITS)
#define NBINS (EXACT + (31 - EXACT_BITS) * SUBS)
/* Coarse bins, for the totals by hour and weekday. */
#define CEXACT_BITS 7
#define CEXACT (1u << CEXACT_BITS)
#define CSUB_BITS 6
#define CSUBS (1u << CSUB_BITS)
#define NCBINS (CEXACT + (31 - CEXACT_BITS) * CSUBS)

#define SAMPLE_STRIDE 16     /* one word in this many is sampled */
#define MIN_SAMPLE 1024      /* below: collect and sort instead */
#define MIN_GROUP_SAMPLE 128 /* the same for a group (hour, weekday) */
#define RANGE_MAX (1u << 18) /* a wider predicted range: two-pass way */
#define NPCT 5               /* p25, p50, p75, p90, p95 */
/* Two-pass way: a target bin wider than this collects its values instead of
 * counting them second by second. */
#define COUNT_WIDTH_MAX 65536u
#define MAX_QTARGETS (NPCT + STATS_MAX_TARGETS + GROUPS)

static const unsigned pcts[NPCT] = {25, 50, 75, 90, 95};

/* ------------------------------------------------------------------ */
/* small tools                                                         */

static inline unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static inline unsigned top_bit(uint32_t v)
{
	return 31u - (unsigned)__builtin_clz(v);
}

static inline uint32_t fine_bin(uint32_t v)
{
	/* both ways computed, one chosen: no branch to mispredict */
	unsigned e = top_bit(v | EXACT);
	uint32_t b = EXACT + ((e - EXACT_BITS) << SUB_BITS) + ((v >> (e - SUB_BITS)) & (SUBS - 1));
	return v < EXACT ? v : b;
}

static void fine_range(uint32_t b, uint32_t *lo, uint32_t *width)
{
	if (b < EXACT) {
		*lo = b;
		*width = 1;
		return;
	}
	unsigned k = b - EXACT, e = EXACT_BITS + (k >> SUB_BITS);
	*lo = (SUBS + (k & (SUBS - 1))) << (e - SUB_BITS);
	*width = 1u << (e - SUB_BITS);
}

static inline uint32_t coarse_bin(uint32_t v)
{
	unsigned e = top_bit(v | CEXACT);
	uint32_t b = CEXACT + ((e - CEXACT_BITS) << CSUB_BITS) +
		     ((v >> (e - CSUB_BITS)) & (CSUBS - 1));
	return v < CEXACT ? v : b;
}

static void coarse_range(uint32_t b, uint32_t *lo, uint32_t *width)
{
	if (b < CEXACT) {
		*lo = b;
		*width = 1;
		return;
	}
	unsigned k = b - CEXACT, e = CEXACT_BITS + (k >> CSUB_BITS);
	*lo = (CSUBS + (k & (CSUBS - 1))) << (e - CSUB_BITS);
	*width = 1u << (e - CSUB_BITS);
}

/* Nearest rank (1-based) of the p-th percentile of n values. */
static uint64_t rank_of(unsigned p, uint64_t n)
{
	return (p * n + 99) / 100;
}

static uint32_t mean_of(uint64_t sum, uint64_t n)
{
	return n ? (uint32_t)((2 * sum + n) / (2 * n)) : 0;
}

static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0;
	for (uint64_t bit = 1ull << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/* How far (in ranks) the p-th percentile of the whole may sit from the
 * sample's: 4.5 standard deviations of a sampled proportion, and a little. */
static uint64_t margin(unsigned p, uint64_t n)
{
	return 9 * isqrt(n * p * (100 - p) / 10000) / 2 + 4;
}

struct u32vec {
	uint32_t *v;
	size_t n, cap;
};

static bool push_u32(struct u32vec *v, uint32_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		if (!stats_grow((void **)&v->v, cap, sizeof *v->v))
			return false;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------------ */
/* the job                                                             */

struct filter {
	uint8_t state_ok[256];           /* outcome, kind of total, flags */
	uint8_t *allow[STATS_DIM_COUNT]; /* by code; NULL = any value */
	int64_t from_s, to_s;            /* lodged in [from_s, to_s) */
	int64_t tz;
};

/* A chunk taking part in a query, and its selected rows. */
struct sel {
	const struct chunk *c;
	uint32_t index; /* the chunk's index, for handles */
	bool whole;     /* every row is inside the period */
	uint64_t *bits;
};

/* An outlier candidate: a total and the row's handle. */
struct cand {
	uint32_t v;
	uint32_t h;
};

/* Values counted second by second. */
struct range {
	uint32_t lo, width;
};

enum mode {
	MODE_FAST,    /* predicted ranges, one pass */
	MODE_COLLECT, /* every value collected and sorted */
	MODE_SLOW,    /* histogram, then the bins that hold the ranks */
};

/* How a measure is answered in the main pass. */
struct plan {
	enum mode mode;
	size_t n; /* ranges, ascending and disjoint */
	struct range r[NPCT];
	uint32_t lo, span; /* every range lies in [lo, lo + span) */
	int at[NPCT];      /* the range each percentile should fall in */
};

/* A bin the two-pass way counts second by second (or collects). */
struct target {
	uint32_t lo, width;
	int group; /* -1: a fine bin of the measure; else a group's coarse bin */
};

struct targets {
	struct target tg[MAX_QTARGETS];
	size_t n;
	uint8_t tb[NBINS]; /* fine bin -> its target + 1, or 0 */
	uint32_t lo, span; /* every fine target lies in [lo, lo + span) */
};

/* One thread's sums for one measure. */
struct macc {
	uint64_t scount, snonzero; /* in the sample */
	uint64_t count, nonzero, sum;
	uint32_t max;
	uint64_t lt[NPCT];   /* values below each range */
	uint32_t *rc[NPCT];  /* values in each range, per second */
	uint64_t le[STATS_MAX_TARGETS]; /* the total: values <= each target */
	struct u32vec all;   /* MODE_COLLECT: every non-zero value */
	uint32_t *h;         /* NBINS: the sample's, then the two-pass way's */
	uint32_t *cnt[MAX_QTARGETS];
	struct u32vec coll[MAX_QTARGETS];
};

/* One thread's share of the work. */
struct tacc {
	uint64_t declarations, by_total[TOTAL_KINDS];
	uint8_t *mask; /* CHUNK_ROWS */
	struct macc m[MEASURES];
	uint64_t gcount[GROUPS], gsum[GROUPS], gscount[GROUPS];
	uint64_t glt[GROUPS];
	uint32_t *grc[GROUPS];
	struct u32vec gall[GROUPS];
	uint32_t *gh; /* GROUPS * NCBINS: the sample's, then the two-pass way's */
	struct cand *cand;
	size_t ncand, capcand;
	bool nomem;
};

enum phase {
	PHASE_SELECT,
	PHASE_SAMPLE,
	PHASE_MAIN,
	PHASE_PASS1, /* the two-pass way, for measures in MODE_SLOW */
	PHASE_PASS2,
};

struct job {
	const struct filter *f;
	const struct stats_query *q;
	enum stage_direction dir;
	struct sel *sel;
	size_t nsel;
	unsigned threads; /* threads of this direction's run */
	enum phase phase;
	struct tacc acc[STATS_MAX_THREADS];
	struct plan plan[MEASURES];
	struct range grange[GROUPS]; /* width 0: the group's values collected */
	uint64_t cand_floor;         /* totals above it are outlier candidates */
	/* the two-pass way */
	struct targets t[MEASURES];
	int32_t gbin[GROUPS];    /* each group's targeted coarse bin, or -1 */
	uint8_t gtarget[GROUPS]; /* and its target (in t[TOTAL_M]) */
};

static void push_cand(struct tacc *a, uint32_t v, uint32_t h)
{
	if (a->ncand == a->capcand) {
		size_t cap = a->capcand ? a->capcand * 2 : 1024;
		if (!stats_grow((void **)&a->cand, cap, sizeof *a->cand)) {
			a->nomem = true;
			return;
		}
		a->capcand = cap;
	}
	a->cand[a->ncand++] = (struct cand){v, h};
}

/* Hour of day (0-23) and group index of the weekday (24-30) of a lodgement
 * time seen at offset tz (the sum is positive: lodged >= LODGED_MIN). */
static inline void groups_of(uint32_t lodged, int64_t tz, unsigned *hour, unsigned *wd)
{
	uint64_t local = (uint64_t)((int64_t)lodged + tz);
	*hour = (unsigned)(local / 3600 % 24);
	*wd = STATS_HOURS + (unsigned)((local / 86400 + 3) % 7); /* 1970-01-01: Thursday */
}

/* ------------------------------------------------------------------ */
/* the phases, chunk by chunk                                          */

static void select_chunk(const struct filter *f, struct tacc *a, struct sel *sc)
{
	const struct chunk *c = sc->c;
	uint32_t n = c->n;
	uint8_t *m = a->mask;
	uint64_t kinds[4] = {0};

	for (uint32_t i = 0; i < n; i++)
		m[i] = f->state_ok[c->state[i]];
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		const uint8_t *allow = f->allow[d];
		const uint16_t *col = c->dim[d];
		if (!allow)
			continue;
		for (uint32_t i = 0; i < n; i++)
			m[i] &= allow[col[i]];
	}
	if (!sc->whole) {
		for (uint32_t i = 0; i < n; i++)
			m[i] &= (uint8_t)(c->lodged[i] >= f->from_s && c->lodged[i] < f->to_s);
	}
	for (uint32_t w = 0; w < words_for(n); w++) {
		uint64_t bits = 0;
		uint32_t end = (w + 1) * 64 < n ? (w + 1) * 64 : n;
		for (uint32_t i = w * 64; i < end; i++) {
			bits |= (uint64_t)m[i] << (i & 63);
			kinds[(c->state[i] >> 2) & 3] += m[i];
		}
		sc->bits[w] = bits;
		a->declarations += popcount64(bits);
	}
	for (int k = 0; k < TOTAL_KINDS; k++)
		a->by_total[k] += kinds[k];
}

static void sample_chunk(const struct job *j, struct tacc *a, const struct sel *sc, int k)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[k];
	const uint64_t *pr = c->present[k], *nz = c->nonzero[k];
	struct macc *m = &a->m[k];
	uint32_t *h = m->h;

	for (size_t w = 0; w < words_for(c->n); w += SAMPLE_STRIDE) {
		uint64_t p = sc->bits[w] & pr[w];
		m->scount += popcount64(p);
		if (k == TOTAL_M) {
			/* zeros too, for the groups */
			for (; p; p &= p - 1) {
				uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(p);
				uint32_t v = c->m[k][i], cb = coarse_bin(v);
				unsigned hour, wd;
				groups_of(c->lodged[i], j->f->tz, &hour, &wd);
				a->gscount[hour]++;
				a->gscount[wd]++;
				a->gh[hour * NCBINS + cb]++;
				a->gh[wd * NCBINS + cb]++;
			}
			p = sc->bits[w] & pr[w];
		}
		uint64_t z = p & nz[w];
		m->snonzero += popcount64(z);
		for (const uint32_t *base = col + w * 64; z; z &= z - 1)
			h[fine_bin(base[__builtin_ctzll(z)])]++;
	}
}

/* A plan's ranges in locals (unused ones empty: nothing is below or in
 * them), so the compiler keeps them in registers. */
struct lranges {
	uint32_t lo[NPCT], width[NPCT];
	uint32_t *rc[NPCT];
	uint32_t all_lo, span;
};

static void load_ranges(const struct plan *pl, struct macc *m, struct lranges *lr)
{
	for (size_t i = 0; i < NPCT; i++) {
		bool used = i < pl->n;
		lr->lo[i] = used ? pl->r[i].lo : 0;
		lr->width[i] = used ? pl->r[i].width : 0;
		lr->rc[i] = used ? m->rc[i] : NULL;
	}
	lr->all_lo = pl->lo;
	lr->span = pl->span;
}

/* Count v against the ranges: below each, and second by second in one. */
static inline void count_in(const struct lranges *lr, uint64_t *lt, uint32_t v)
{
	for (size_t i = 0; i < NPCT; i++)
		lt[i] += v < lr->lo[i];
	if (v - lr->all_lo < lr->span)
		for (size_t i = 0; i < NPCT; i++)
			if (v - lr->lo[i] < lr->width[i])
				lr->rc[i][v - lr->lo[i]]++;
}

/* The main pass over a stage of one chunk. */
static void main_stage(const struct plan *pl, struct tacc *a, const struct sel *sc, int k)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[k];
	const uint64_t *pr = c->present[k], *nz = c->nonzero[k];
	struct macc *m = &a->m[k];
	struct lranges lr;
	uint32_t max = m->max;
	uint64_t count = 0, nonzero = 0, sum = 0, lt[NPCT] = {0};
	bool collect = pl->mode == MODE_COLLECT;

	load_ranges(pl, m, &lr);
	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t p = sc->bits[w] & pr[w];
		if (!p)
			continue;
		uint64_t z = p & nz[w];
		count += popcount64(p);
		nonzero += popcount64(z);
		for (const uint32_t *base = col + w * 64; z; z &= z - 1) {
			uint32_t v = base[__builtin_ctzll(z)];
			sum += v;
			max = v > max ? v : max;
			if (collect) {
				if (!push_u32(&m->all, v))
					a->nomem = true;
			} else {
				count_in(&lr, lt, v);
			}
		}
	}
	m->count += count;
	m->nonzero += nonzero;
	m->sum += sum;
	m->max = max;
	for (size_t i = 0; i < NPCT; i++)
		m->lt[i] += lt[i];
}

/* The main pass over the totals of one chunk: as a stage (zeros read too),
 * within targets, by hour and weekday, and the outlier candidates. */
static void main_total(const struct job *j, struct tacc *a, const struct sel *sc)
{
	const struct chunk *c = sc->c;
	const struct plan *pl = &j->plan[TOTAL_M];
	const uint32_t *col = c->m[TOTAL_M];
	const uint64_t *pr = c->present[TOTAL_M];
	struct macc *m = &a->m[TOTAL_M];
	size_t nt = j->q->ntargets[j->dir];
	uint32_t x[STATS_MAX_TARGETS], glo[GROUPS], gwidth[GROUPS], max = m->max;
	uint64_t count = 0, sum = 0, lt[NPCT] = {0}, le[STATS_MAX_TARGETS] = {0};
	uint64_t gcount[GROUPS] = {0}, gsum[GROUPS] = {0}, glt[GROUPS] = {0};
	uint64_t floor = j->cand_floor;
	int64_t tz = j->f->tz;
	bool collect = pl->mode == MODE_COLLECT;
	struct lranges lr;

	load_ranges(pl, m, &lr);
	for (size_t t = 0; t < STATS_MAX_TARGETS; t++)
		x[t] = t < nt ? j->q->target_s[j->dir][t] : 0;
	for (int g = 0; g < GROUPS; g++) {
		glo[g] = j->grange[g].lo;
		gwidth[g] = j->grange[g].width;
	}
	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t p = sc->bits[w] & pr[w];
		count += popcount64(p);
		for (; p; p &= p - 1) {
			uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(p);
			uint32_t v = col[i];
			unsigned g[2];
			sum += v;
			max = v > max ? v : max;
			for (size_t t = 0; t < nt; t++)
				le[t] += v <= x[t];
			if (collect) {
				if (!push_u32(&m->all, v))
					a->nomem = true;
			} else {
				count_in(&lr, lt, v);
			}
			groups_of(c->lodged[i], tz, &g[0], &g[1]);
			for (int e = 0; e < 2; e++) {
				unsigned h = g[e];
				gcount[h]++;
				gsum[h] += v;
				if (!gwidth[h]) {
					if (!push_u32(&a->gall[h], v))
						a->nomem = true;
					continue;
				}
				glt[h] += v < glo[h];
				if (v - glo[h] < gwidth[h])
					a->grc[h][v - glo[h]]++;
			}
			if (v > floor)
				push_cand(a, v, sc->index << CHUNK_BITS | i);
		}
	}
	m->count += count;
	m->nonzero += count;
	m->sum += sum;
	m->max = max;
	for (size_t i = 0; i < NPCT; i++)
		m->lt[i] += lt[i];
	for (size_t t = 0; t < nt; t++)
		m->le[t] += le[t];
	for (int g = 0; g < GROUPS; g++) {
		a->gcount[g] += gcount[g];
		a->gsum[g] += gsum[g];
		a->glt[g] += glt[g];
	}
}

/* The two-pass way, pass 1: a histogram of the non-zero values. */
static void pass1_stage(struct macc *m, const struct sel *sc, int k)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[k];
	const uint64_t *pr = c->present[k], *nz = c->nonzero[k];
	uint32_t *h = m->h, max = m->max;
	uint64_t count = 0, nonzero = 0, sum = 0;

	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t p = sc->bits[w] & pr[w];
		if (!p)
			continue;
		uint64_t z = p & nz[w];
		count += popcount64(p);
		nonzero += popcount64(z);
		for (const uint32_t *base = col + w * 64; z; z &= z - 1) {
			uint32_t v = base[__builtin_ctzll(z)];
			h[fine_bin(v)]++;
			sum += v;
			max = v > max ? v : max;
		}
	}
	m->count += count;
	m->nonzero += nonzero;
	m->sum += sum;
	m->max = max;
}

/* The two-pass way, pass 1 of the total: as a stage, and by hour and
 * weekday. */
static void pass1_total(const struct job *j, struct tacc *a, const struct sel *sc)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[TOTAL_M];
	const uint64_t *pr = c->present[TOTAL_M];
	struct macc *m = &a->m[TOTAL_M];
	uint32_t *h = m->h, *gh = a->gh, max = m->max;
	uint64_t count = 0, sum = 0;
	size_t nt = j->q->ntargets[j->dir];
	const uint32_t *x = j->q->target_s[j->dir];

	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t p = sc->bits[w] & pr[w];
		count += popcount64(p);
		for (; p; p &= p - 1) {
			uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(p);
			uint32_t v = col[i], cb = coarse_bin(v);
			unsigned hour, wd;
			groups_of(c->lodged[i], j->f->tz, &hour, &wd);
			for (size_t t = 0; t < nt; t++)
				m->le[t] += v <= x[t];
			h[fine_bin(v)]++;
			sum += v;
			max = v > max ? v : max;
			a->gcount[hour]++;
			a->gsum[hour] += v;
			gh[hour * NCBINS + cb]++;
			a->gcount[wd]++;
			a->gsum[wd] += v;
			gh[wd * NCBINS + cb]++;
		}
	}
	m->count += count;
	m->nonzero += count;
	m->sum += sum;
	m->max = max;
}

static inline void record(const struct targets *ts, struct tacc *a, struct macc *m,
			  unsigned t, uint32_t v)
{
	const struct target *tg = &ts->tg[t];
	if (tg->width <= COUNT_WIDTH_MAX)
		m->cnt[t][v - tg->lo]++;
	else if (!push_u32(&m->coll[t], v))
		a->nomem = true;
}

/* The two-pass way, pass 2: the values in the bins that hold the ranks. */
static void pass2_stage(const struct targets *ts, struct tacc *a, const struct sel *sc, int k)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[k];
	const uint64_t *nz = c->nonzero[k];
	struct macc *m = &a->m[k];

	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t z = sc->bits[w] & nz[w];
		for (const uint32_t *base = col + w * 64; z; z &= z - 1) {
			uint32_t v = base[__builtin_ctzll(z)];
			if (v - ts->lo < ts->span) {
				unsigned t = ts->tb[fine_bin(v)];
				if (t)
					record(ts, a, m, t - 1, v);
			}
		}
	}
}

static void pass2_total(const struct job *j, struct tacc *a, const struct sel *sc)
{
	const struct chunk *c = sc->c;
	const struct targets *ts = &j->t[TOTAL_M];
	const uint32_t *col = c->m[TOTAL_M];
	const uint64_t *pr = c->present[TOTAL_M];
	struct macc *m = &a->m[TOTAL_M];

	for (size_t w = 0; w < words_for(c->n); w++) {
		for (uint64_t p = sc->bits[w] & pr[w]; p; p &= p - 1) {
			uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(p);
			uint32_t v = col[i];
			unsigned hour, wd;
			if (v - ts->lo < ts->span) {
				unsigned t = ts->tb[fine_bin(v)];
				if (t)
					record(ts, a, m, t - 1, v);
			}
			groups_of(c->lodged[i], j->f->tz, &hour, &wd);
			int32_t cb = (int32_t)coarse_bin(v);
			if (j->gbin[hour] == cb)
				record(ts, a, m, j->gtarget[hour], v);
			if (j->gbin[wd] == cb)
				record(ts, a, m, j->gtarget[wd], v);
			if (v > j->cand_floor)
				push_cand(a, v, sc->index << CHUNK_BITS | i);
		}
	}
}

/* Thread t's share of a phase: chunks t, t + nt, ...; measure after
 * measure, so that one histogram is in use at a time. */
static void share(struct job *j, unsigned t, unsigned nt)
{
	struct tacc *a = &j->acc[t];
	if (j->phase == PHASE_SELECT) {
		for (size_t i = t; i < j->nsel; i += nt)
			select_chunk(j->f, a, &j->sel[i]);
		return;
	}
	for (int k = 0; k < MEASURES; k++) {
		bool slow = j->plan[k].mode == MODE_SLOW;
		if ((j->phase == PHASE_PASS1 || j->phase == PHASE_PASS2) != slow)
			continue;
		if (j->phase == PHASE_PASS2 && !j->t[k].n && k != TOTAL_M)
			continue;
		for (size_t i = t; i < j->nsel; i += nt) {
			const struct sel *sc = &j->sel[i];
			switch (j->phase) {
			case PHASE_SAMPLE:
				sample_chunk(j, a, sc, k);
				break;
			case PHASE_MAIN:
				if (k == TOTAL_M)
					main_total(j, a, sc);
				else
					main_stage(&j->plan[k], a, sc, k);
				break;
			case PHASE_PASS1:
				if (k == TOTAL_M)
					pass1_total(j, a, sc);
				else
					pass1_stage(&a->m[k], sc, k);
				break;
			case PHASE_PASS2:
				if (k == TOTAL_M)
					pass2_total(j, a, sc);
				else
					pass2_stage(&j->t[k], a, sc, k);
				break;
			default:
				break;
			}
		}
	}
}

struct worker {
	struct job *j;
	unsigned t, nt;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	share(w->j, w->t, w->nt);
	return NULL;
}

/* Run a phase over every chunk on j->threads threads (a thread that cannot
 * be started has its share done on this one). */
static void run(struct job *j, enum phase phase)
{
	pthread_t tid[STATS_MAX_THREADS];
	struct worker w[STATS_MAX_THREADS];
	bool started[STATS_MAX_THREADS] = {false};
	unsigned nt = j->threads;

	j->phase = phase;
	for (unsigned t = 1; t < nt; t++) {
		w[t] = (struct worker){j, t, nt};
		started[t] = pthread_create(&tid[t], NULL, worker_main, &w[t]) == 0;
	}
	share(j, 0, nt);
	for (unsigned t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			share(j, t, nt);
	}
}

/* ------------------------------------------------------------------ */
/* between the phases                                                  */

/* The bin holding 1-based rank `rank` of a histogram, and how many values
 * lie in the bins before it. */
static uint32_t locate(const uint32_t *h, uint32_t nbins, uint64_t rank, uint64_t *before)
{
	uint64_t cum = 0;
	for (uint32_t b = 0; b < nbins; b++) {
		if (cum + h[b] >= rank) {
			*before = cum;
			return b;
		}
		cum += h[b];
	}
	*before = cum;
	return nbins - 1;
}

/* Add thread t's histogram of nbins into thread 0's. */
static void add_bins(uint32_t *into, const uint32_t *from, size_t nbins)
{
	for (size_t b = 0; b < nbins; b++)
		into[b] += from[b];
}

/* The range of values where rank `rank` of n lies, predicted from the
 * sample's histogram h (of s values). */
static struct range predict(const uint32_t *h, uint32_t nbins, unsigned p, uint64_t s,
			    void (*range_of)(uint32_t, uint32_t *, uint32_t *))
{
	uint64_t c = rank_of(p, s), mg = margin(p, s), before;
	uint64_t lo_rank = c > mg ? c - mg : 1, hi_rank = c + mg < s ? c + mg : s;
	uint32_t blo = locate(h, nbins, lo_rank, &before), bhi = locate(h, nbins, hi_rank, &before);
	uint32_t lo, w, hlo, hw;
	range_of(blo, &lo, &w);
	range_of(bhi, &hlo, &hw);
	return (struct range){.lo = lo, .width = hlo + (hw - 1) - lo + 1};
}

/* After the sample: how each measure is answered in the main pass. */
static void plan_fast(struct job *j)
{
	struct tacc *a0 = &j->acc[0];

	for (int k = 0; k < MEASURES; k++) {
		struct macc *m0 = &a0->m[k];
		struct plan *pl = &j->plan[k];
		for (unsigned t = 1; t < j->threads; t++) {
			m0->scount += j->acc[t].m[k].scount;
			m0->snonzero += j->acc[t].m[k].snonzero;
			add_bins(m0->h, j->acc[t].m[k].h, NBINS);
		}
		m0->h[0] += (uint32_t)(m0->scount - m0->snonzero);
		memset(pl, 0, sizeof *pl);
		if (m0->scount < MIN_SAMPLE) {
			pl->mode = MODE_COLLECT;
			continue;
		}
		pl->mode = MODE_FAST;
		size_t first = k == TOTAL_M ? 0 : 1; /* stages: p50, p90, p95 */
		for (size_t i = first; i < NPCT; i++) {
			if (k != TOTAL_M && pcts[i] == 75)
				continue;
			struct range r = predict(m0->h, NBINS, pcts[i], m0->scount, fine_range);
			/* percentiles come in increasing order: merge with the last
			 * range when they meet */
			struct range *last = pl->n ? &pl->r[pl->n - 1] : NULL;
			if (last && r.lo <= last->lo + last->width) {
				uint32_t end = r.lo + r.width > last->lo + last->width
						       ? r.lo + r.width
						       : last->lo + last->width;
				last->width = end - last->lo;
			} else {
				pl->r[pl->n++] = r;
			}
			pl->at[i] = (int)pl->n - 1;
		}
		for (size_t i = 0; i < pl->n; i++)
			if (pl->r[i].width > RANGE_MAX)
				pl->mode = MODE_SLOW;
		pl->lo = pl->r[0].lo;
		pl->span = pl->r[pl->n - 1].lo + pl->r[pl->n - 1].width - pl->lo;
	}

	/* the groups of the total */
	for (unsigned t = 1; t < j->threads; t++) {
		for (int g = 0; g < GROUPS; g++)
			a0->gscount[g] += j->acc[t].gscount[g];
		add_bins(a0->gh, j->acc[t].gh, (size_t)GROUPS * NCBINS);
	}
	for (int g = 0; g < GROUPS; g++) {
		j->grange[g] = (struct range){0, 0};
		if (a0->gscount[g] >= MIN_GROUP_SAMPLE)
			j->grange[g] = predict(a0->gh + (size_t)g * NCBINS, NCBINS, 50,
					       a0->gscount[g], coarse_range);
		if (j->grange[g].width > RANGE_MAX)
			j->plan[TOTAL_M].mode = MODE_SLOW;
	}

	/* outlier candidates: the fence p75 + 3 (p75 - p25) is at least
	 * this, wherever the quartiles lie in their ranges */
	const struct plan *pt = &j->plan[TOTAL_M];
	j->cand_floor = 0;
	if (pt->mode == MODE_FAST) {
		uint64_t lo75 = pt->r[pt->at[2]].lo;
		uint64_t hi25 = (uint64_t)pt->r[pt->at[0]].lo + pt->r[pt->at[0]].width - 1;
		j->cand_floor = lo75 + (lo75 > hi25 ? 3 * (lo75 - hi25) : 0);
	}
}

/* Counts per second in each predicted range, for every thread. */
static kerr alloc_ranges(struct job *j)
{
	for (unsigned t = 0; t < j->threads; t++) {
		struct tacc *a = &j->acc[t];
		for (int k = 0; k < MEASURES; k++) {
			const struct plan *pl = &j->plan[k];
			if (pl->mode != MODE_FAST)
				continue;
			for (size_t i = 0; i < pl->n; i++)
				if (!(a->m[k].rc[i] = calloc(pl->r[i].width, sizeof(uint32_t))))
					return KERR_NOMEM;
		}
		for (int g = 0; g < GROUPS; g++)
			if (j->grange[g].width &&
			    !(a->grc[g] = calloc(j->grange[g].width, sizeof(uint32_t))))
				return KERR_NOMEM;
	}
	return KERR_OK;
}

/* The value of rank `rank` among counts per second from lo (the rank is
 * known to lie there). */
static uint32_t walk(const uint32_t *rc, uint32_t lo, uint32_t width, uint64_t rank)
{
	uint64_t cum = 0;
	for (uint32_t o = 0; o < width; o++) {
		cum += rc[o];
		if (cum >= rank)
			return lo + o;
	}
	return lo + width - 1;
}

static uint64_t range_total(const uint32_t *rc, uint32_t width)
{
	uint64_t n = 0;
	for (uint32_t o = 0; o < width; o++)
		n += rc[o];
	return n;
}

/* Rank `rank` (1-based) among `zeros` zeros and the sorted non-zero values. */
static uint32_t sorted_rank(const struct u32vec *v, uint64_t zeros, uint64_t rank)
{
	return rank <= zeros ? 0 : v->v[rank - zeros - 1];
}

/* Thread 0's vector gets every thread's, sorted. */
static kerr gather(struct job *j, struct u32vec *(*of)(struct tacc *, int), int which)
{
	struct u32vec *into = of(&j->acc[0], which);
	for (unsigned t = 1; t < j->threads; t++) {
		const struct u32vec *from = of(&j->acc[t], which);
		for (size_t i = 0; i < from->n; i++)
			if (!push_u32(into, from->v[i]))
				return KERR_NOMEM;
	}
	if (into->n)
		qsort(into->v, into->n, sizeof *into->v, cmp_u32);
	return KERR_OK;
}

static struct u32vec *all_of(struct tacc *a, int k)
{
	return &a->m[k].all;
}

static struct u32vec *gall_of(struct tacc *a, int g)
{
	return &a->gall[g];
}

/* After the main pass: the figures of measure k, or false when a predicted
 * range missed (the measure then goes the two-pass way). */
static kerr finish_fast(struct job *j, int k, struct stats_measure *m,
			struct stats_direction *out, bool *missed)
{
	struct tacc *a0 = &j->acc[0];
	struct macc *m0 = &a0->m[k];
	const struct plan *pl = &j->plan[k];
	uint32_t vals[NPCT] = {0};
	kerr e = KERR_OK;

	*missed = false;
	for (unsigned t = 1; t < j->threads; t++) {
		const struct macc *mt = &j->acc[t].m[k];
		m0->count += mt->count;
		m0->nonzero += mt->nonzero;
		m0->sum += mt->sum;
		m0->max = mt->max > m0->max ? mt->max : m0->max;
		for (size_t i = 0; i < STATS_MAX_TARGETS; i++)
			m0->le[i] += mt->le[i];
		if (pl->mode == MODE_FAST)
			for (size_t i = 0; i < pl->n; i++) {
				m0->lt[i] += mt->lt[i];
				for (uint32_t o = 0; o < pl->r[i].width; o++)
					m0->rc[i][o] += mt->rc[i][o];
			}
	}
	memset(m, 0, sizeof *m);
	if (!m0->count)
		return KERR_OK;
	uint64_t zeros = m0->count - m0->nonzero;
	if (pl->mode == MODE_COLLECT) {
		if ((e = gather(j, all_of, k)))
			return e;
		if (m0->all.n != m0->nonzero)
			return KERR_NOMEM;
	}
	/* a stage's zeros were not read: below every range but one from 0 */
	if (pl->mode == MODE_FAST && k != TOTAL_M) {
		for (size_t i = 0; i < pl->n; i++) {
			if (pl->r[i].lo == 0)
				m0->rc[i][0] += (uint32_t)zeros;
			else
				m0->lt[i] += zeros;
		}
	}
	for (size_t i = 0; i < NPCT; i++) {
		uint64_t rank = rank_of(pcts[i], m0->count);
		if (k != TOTAL_M && (pcts[i] == 25 || pcts[i] == 75))
			continue;
		if (pl->mode == MODE_COLLECT) {
			/* the total's zeros were collected with the rest */
			vals[i] = sorted_rank(&m0->all, k == TOTAL_M ? 0 : zeros, rank);
			continue;
		}
		const struct range *r = &pl->r[pl->at[i]];
		uint64_t lt = m0->lt[pl->at[i]];
		if (rank <= lt || rank > lt + range_total(m0->rc[pl->at[i]], r->width)) {
			*missed = true;
			return KERR_OK;
		}
		vals[i] = walk(m0->rc[pl->at[i]], r->lo, r->width, rank - lt);
	}
	m->count = m0->count;
	m->sum = m0->sum;
	m->max = m0->max;
	m->mean = mean_of(m0->sum, m0->count);
	m->median = vals[1];
	m->p90 = vals[3];
	m->p95 = vals[4];
	if (k == TOTAL_M) {
		out->p25 = vals[0];
		out->p75 = vals[2];
		for (size_t i = 0; i < out->ntargets; i++)
			out->within[i] = m0->le[i];
	}
	return KERR_OK;
}

/* After the main pass: the totals by hour and weekday; false in *missed
 * when a group's predicted range missed. */
static kerr finish_groups(struct job *j, struct stats_direction *out, bool *missed)
{
	struct tacc *a0 = &j->acc[0];
	kerr e = KERR_OK;

	*missed = false;
	for (int g = 0; g < GROUPS && !e; g++) {
		const struct range *gr = &j->grange[g];
		struct stats_group *sg = g < STATS_HOURS ? &out->hour[g]
							 : &out->weekday[g - STATS_HOURS];
		uint64_t lt = 0, count = 0, sum = 0;
		for (unsigned t = 0; t < j->threads; t++) {
			const struct tacc *a = &j->acc[t];
			count += a->gcount[g];
			sum += a->gsum[g];
			lt += a->glt[g];
			if (t && gr->width)
				for (uint32_t o = 0; o < gr->width; o++)
					a0->grc[g][o] += a->grc[g][o];
		}
		sg->count = count;
		sg->sum = sum;
		sg->mean = mean_of(sum, count);
		sg->median = 0;
		if (!count)
			continue;
		uint64_t rank = rank_of(50, count);
		if (!gr->width) {
			e = gather(j, gall_of, g);
			if (!e)
				sg->median = a0->gall[g].v[rank - 1];
			continue;
		}
		if (rank <= lt || rank > lt + range_total(a0->grc[g], gr->width)) {
			*missed = true;
			return KERR_OK;
		}
		sg->median = walk(a0->grc[g], gr->lo, gr->width, rank - lt);
	}
	return e;
}

/* ------------------------------------------------------------------ */
/* the two-pass way                                                    */

/* The target for a bin (group -1: a fine bin of the measure, else a coarse
 * bin of a group's totals), added when new. The table is sized for every
 * ask a measure makes, so it never fills. */
static int target_for(struct job *j, int k, int group, uint32_t bin)
{
	struct targets *ts = &j->t[k];
	uint32_t lo, width;
	if (group < 0)
		fine_range(bin, &lo, &width);
	else
		coarse_range(bin, &lo, &width);
	for (size_t t = 0; t < ts->n; t++)
		if (ts->tg[t].group == group && ts->tg[t].lo == lo)
			return (int)t;
	ts->tg[ts->n] = (struct target){.lo = lo, .width = width, .group = group};
	if (group < 0)
		ts->tb[bin] = (uint8_t)(ts->n + 1);
	else {
		j->gbin[group] = (int32_t)bin;
		j->gtarget[group] = (uint8_t)ts->n;
	}
	return (int)ts->n++;
}

/* After pass 2: target t of measure k added up into thread 0's counts, or
 * its collected values sorted there. */
static kerr merge_target(struct job *j, int k, size_t t)
{
	struct macc *m0 = &j->acc[0].m[k];
	const struct target *tg = &j->t[k].tg[t];
	if (tg->width <= COUNT_WIDTH_MAX) {
		for (unsigned th = 1; th < j->threads; th++)
			for (uint32_t o = 0; o < tg->width; o++)
				m0->cnt[t][o] += j->acc[th].m[k].cnt[t][o];
		return KERR_OK;
	}
	for (unsigned th = 1; th < j->threads; th++) {
		const struct u32vec *v = &j->acc[th].m[k].coll[t];
		for (size_t i = 0; i < v->n; i++)
			if (!push_u32(&m0->coll[t], v->v[i]))
				return KERR_NOMEM;
	}
	if (m0->coll[t].n)
		qsort(m0->coll[t].v, m0->coll[t].n, sizeof *m0->coll[t].v, cmp_u32);
	return KERR_OK;
}

/* The value of 1-based rank `rank` among the values of target t. */
static uint32_t target_rank(const struct job *j, int k, size_t t, uint64_t rank)
{
	const struct target *tg = &j->t[k].tg[t];
	const struct macc *m0 = &j->acc[0].m[k];
	if (tg->width > COUNT_WIDTH_MAX)
		return m0->coll[t].v[rank - 1];
	return walk(m0->cnt[t], tg->lo, tg->width, rank);
}

/* An answer waiting on pass 2: in target t, the value of rank `rank`.
 * t < 0: answered already. */
struct ask {
	int t;
	uint64_t rank;
};

/* What a measure asks of pass 2, and where the answers go. */
struct asks {
	struct ask pct[NPCT];
	uint32_t *out[NPCT];
	struct ask group[GROUPS];
};

static void ask_rank(struct job *j, int k, uint64_t rank, struct ask *q, uint32_t *value)
{
	uint64_t before;
	uint32_t b = locate(j->acc[0].m[k].h, NBINS, rank, &before);
	q->t = -1;
	if (b < EXACT) {
		*value = b;
		return;
	}
	q->t = target_for(j, k, -1, b);
	q->rank = rank - before;
}

/* After pass 1: add up the threads' sums of measure k, answer what the
 * histogram answers, and leave the rest to pass 2. */
static void plan_slow(struct job *j, int k, struct stats_direction *out,
		      struct stats_measure *m, struct asks *as)
{
	struct macc *m0 = &j->acc[0].m[k];
	bool total = k == TOTAL_M;

	for (unsigned t = 1; t < j->threads; t++) {
		const struct macc *mt = &j->acc[t].m[k];
		m0->count += mt->count;
		m0->nonzero += mt->nonzero;
		m0->sum += mt->sum;
		m0->max = mt->max > m0->max ? mt->max : m0->max;
		add_bins(m0->h, mt->h, NBINS);
	}
	m0->h[0] += (uint32_t)(m0->count - m0->nonzero); /* zeros were not read */
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < NPCT; i++)
		as->pct[i].t = -1;
	for (int g = 0; g < GROUPS; g++)
		as->group[g].t = -1;
	if (!m0->count)
		return;
	m->count = m0->count;
	m->sum = m0->sum;
	m->max = m0->max;
	m->mean = mean_of(m0->sum, m0->count);
	as->out[0] = &out->p25;
	as->out[1] = &m->median;
	as->out[2] = &out->p75;
	as->out[3] = &m->p90;
	as->out[4] = &m->p95;
	for (size_t i = 0; i < NPCT; i++)
		if (total || (pcts[i] != 25 && pcts[i] != 75))
			ask_rank(j, k, rank_of(pcts[i], m0->count), &as->pct[i], as->out[i]);
	if (!total)
		return;
	for (unsigned t = 0; t < j->threads; t++) {
		const struct tacc *a = &j->acc[t];
		for (int g = 0; g < GROUPS; g++) {
			struct stats_group *sg = g < STATS_HOURS ? &out->hour[g]
								 : &out->weekday[g - STATS_HOURS];
			sg->count += a->gcount[g];
			sg->sum += a->gsum[g];
		}
		if (t)
			add_bins(j->acc[0].gh, a->gh, (size_t)GROUPS * NCBINS);
	}
	for (int g = 0; g < GROUPS; g++) {
		struct stats_group *sg = g < STATS_HOURS ? &out->hour[g]
							 : &out->weekday[g - STATS_HOURS];
		sg->mean = mean_of(sg->sum, sg->count);
		if (!sg->count)
			continue;
		uint64_t before, rank = rank_of(50, sg->count);
		uint32_t cb = locate(j->acc[0].gh + (size_t)g * NCBINS, NCBINS, rank, &before);
		if (cb < CEXACT) {
			sg->median = cb;
			continue;
		}
		as->group[g] = (struct ask){.t = target_for(j, k, g, cb), .rank = rank - before};
	}
	/* the fence is at least this, wherever p25 and p75 lie in their bins */
	const struct targets *ts = &j->t[k];
	uint64_t lo75 = as->pct[2].t >= 0 ? ts->tg[as->pct[2].t].lo : out->p75;
	uint64_t hi25 = as->pct[0].t >= 0
				? (uint64_t)ts->tg[as->pct[0].t].lo + ts->tg[as->pct[0].t].width - 1
				: out->p25;
	j->cand_floor = lo75 + (lo75 > hi25 ? 3 * (lo75 - hi25) : 0);
}

/* After pass 2: the answers left to it. */
static kerr finish_slow(struct job *j, int k, struct stats_direction *out, const struct asks *as)
{
	kerr e = KERR_OK;
	for (size_t t = 0; t < j->t[k].n && !e; t++)
		e = merge_target(j, k, t);
	if (e)
		return e;
	for (size_t i = 0; i < NPCT; i++)
		if (as->pct[i].t >= 0)
			*as->out[i] = target_rank(j, k, (size_t)as->pct[i].t, as->pct[i].rank);
	for (int g = 0; g < GROUPS; g++) {
		if (as->group[g].t < 0)
			continue;
		uint32_t v = target_rank(j, k, (size_t)as->group[g].t, as->group[g].rank);
		if (g < STATS_HOURS)
			out->hour[g].median = v;
		else
			out->weekday[g - STATS_HOURS].median = v;
	}
	return KERR_OK;
}

/* Where pass 2 may look: the span of a measure's fine targets. */
static void target_span(struct targets *ts)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < ts->n; i++) {
		if (ts->tg[i].group >= 0)
			continue;
		uint32_t end = ts->tg[i].lo + (ts->tg[i].width - 1);
		lo = ts->tg[i].lo < lo ? ts->tg[i].lo : lo;
		hi = end > hi ? end : hi;
	}
	ts->lo = lo;
	ts->span = lo <= hi ? hi - lo + 1 : 0;
}

/* Clear a measure's sums (and for the total, the groups' and the
 * candidates) before it is read again the two-pass way. */
static void clear_measure(struct job *j, int k)
{
	for (unsigned t = 0; t < j->threads; t++) {
		struct tacc *a = &j->acc[t];
		struct macc *m = &a->m[k];
		m->count = m->nonzero = m->sum = 0;
		m->max = 0;
		memset(m->le, 0, sizeof m->le);
		memset(m->h, 0, NBINS * sizeof *m->h);
		if (k == TOTAL_M) {
			memset(a->gcount, 0, sizeof a->gcount);
			memset(a->gsum, 0, sizeof a->gsum);
			memset(a->gh, 0, (size_t)GROUPS * NCBINS * sizeof *a->gh);
			a->ncand = 0;
		}
	}
	j->t[k].n = 0;
	memset(j->t[k].tb, 0, sizeof j->t[k].tb);
}

/* Answer the measures whose plan is MODE_SLOW, the two-pass way. */
static kerr answer_slow(struct job *j, struct stats_direction *out, const enum stage *at_slot)
{
	struct asks as[MEASURES];
	bool any = false;
	kerr e = KERR_OK;

	for (int k = 0; k < MEASURES; k++) {
		if (j->plan[k].mode != MODE_SLOW)
			continue;
		any = true;
		clear_measure(j, k);
		if (k == TOTAL_M) {
			for (int g = 0; g < GROUPS; g++)
				j->gbin[g] = -1;
			memset(out->hour, 0, sizeof out->hour);
			memset(out->weekday, 0, sizeof out->weekday);
		}
	}
	if (!any)
		return KERR_OK;
	run(j, PHASE_PASS1);
	for (int k = 0; k < MEASURES; k++) {
		if (j->plan[k].mode != MODE_SLOW)
			continue;
		plan_slow(j, k, out, k == TOTAL_M ? &out->total : &out->stage[at_slot[k]], &as[k]);
		target_span(&j->t[k]);
		for (unsigned t = 0; t < j->threads; t++)
			for (size_t i = 0; i < j->t[k].n; i++) {
				struct macc *m = &j->acc[t].m[k];
				free(m->cnt[i]);
				m->cnt[i] = NULL;
				m->coll[i].n = 0;
				if (j->t[k].tg[i].width <= COUNT_WIDTH_MAX &&
				    !(m->cnt[i] = calloc(j->t[k].tg[i].width, sizeof(uint32_t))))
					e = KERR_NOMEM;
			}
	}
	if (e)
		return e;
	run(j, PHASE_PASS2);
	for (unsigned t = 0; t < j->threads; t++)
		if (j->acc[t].nomem)
			return KERR_NOMEM;
	for (int k = 0; k < MEASURES && !e; k++)
		if (j->plan[k].mode == MODE_SLOW)
			e = finish_slow(j, k, out, &as[k]);
	if (j->plan[TOTAL_M].mode == MODE_SLOW)
		for (size_t i = 0; i < out->ntargets; i++) {
			out->within[i] = 0;
			for (unsigned t = 0; t < j->threads; t++)
				out->within[i] += j->acc[t].m[TOTAL_M].le[i];
		}
	return e;
}

/* ------------------------------------------------------------------ */
/* outliers                                                            */

/* Candidates above the fence, slowest first, ties by number. */
static void list_outliers(const struct stats *s, const struct job *j, size_t want,
			  struct stats_direction *out)
{
	struct cand top[STATS_MAX_OUTLIERS];
	size_t n = 0;
	for (unsigned t = 0; t < j->threads; t++) {
		const struct tacc *a = &j->acc[t];
		for (size_t i = 0; i < a->ncand; i++) {
			struct cand c = a->cand[i];
			if (c.v <= out->fence_s)
				continue;
			out->outliers++;
			/* its place: after every slower one, and every as slow one
			 * with a lower number */
			size_t k = n;
			while (k > 0 && (c.v > top[k - 1].v ||
					 (c.v == top[k - 1].v &&
					  number_at(s, c.h) < number_at(s, top[k - 1].h))))
				k--;
			if (k >= want)
				continue;
			size_t keep = n < want ? n : want - 1;
			memmove(&top[k + 1], &top[k], (keep - k) * sizeof *top);
			top[k] = c;
			if (n < want)
				n++;
		}
	}
	out->noutliers = n;
	for (size_t i = 0; i < n; i++) {
		struct stats_outlier *o = &out->outlier[i];
		const struct chunk *c = chunk_of(s, top[i].h);
		uint32_t row = top[i].h & (CHUNK_ROWS - 1), best = 0;
		stats_number_text(c->number[row], o->number);
		o->total_s = top[i].v;
		o->slowest = STAGE_COUNT;
		for (int st = 0; st < STAGE_COUNT; st++) {
			int slot = stage_slot(j->dir, st);
			if (slot < 0 || c->m[slot][row] == ABSENT)
				continue;
			if (o->slowest == STAGE_COUNT || c->m[slot][row] > best) {
				o->slowest = (enum stage)st;
				best = c->m[slot][row];
			}
		}
		o->slowest_s = best;
	}
}

/* ------------------------------------------------------------------ */
/* a direction                                                         */

static bool overlaps(const struct chunk *c, const struct filter *f, bool *whole)
{
	int64_t ms = stats_month_start(c->month), me = stats_month_start(c->month + 1);
	*whole = f->from_s <= ms && me <= f->to_s;
	return me > f->from_s && ms < f->to_s;
}

/* Clear every sum for a new direction. */
static void reset_job(struct job *j)
{
	for (unsigned t = 0; t < j->threads; t++) {
		struct tacc *a = &j->acc[t];
		a->declarations = 0;
		memset(a->by_total, 0, sizeof a->by_total);
		memset(a->gcount, 0, sizeof a->gcount);
		memset(a->gsum, 0, sizeof a->gsum);
		memset(a->gscount, 0, sizeof a->gscount);
		memset(a->glt, 0, sizeof a->glt);
		memset(a->gh, 0, (size_t)GROUPS * NCBINS * sizeof *a->gh);
		a->ncand = 0;
		a->nomem = false;
		for (int g = 0; g < GROUPS; g++) {
			free(a->grc[g]);
			a->grc[g] = NULL;
			a->gall[g].n = 0;
		}
		for (int k = 0; k < MEASURES; k++) {
			struct macc *m = &a->m[k];
			m->scount = m->snonzero = 0;
			m->count = m->nonzero = m->sum = 0;
			m->max = 0;
			memset(m->lt, 0, sizeof m->lt);
			memset(m->le, 0, sizeof m->le);
			m->all.n = 0;
			memset(m->h, 0, NBINS * sizeof *m->h);
			for (size_t i = 0; i < NPCT; i++) {
				free(m->rc[i]);
				m->rc[i] = NULL;
			}
		}
	}
}

static kerr query_direction(const struct stats *s, struct job *j, enum stage_direction dir,
			    unsigned threads, struct stats_direction *out)
{
	const struct stats_query *q = j->q;
	size_t nwords = 0;
	kerr e = KERR_OK;
	uint64_t *bits = NULL;
	enum stage at_slot[MEASURES];

	j->dir = dir;
	out->asked = true;
	out->slowest = -1;
	out->ntargets = q->ntargets[dir];
	memcpy(out->target_s, q->target_s[dir], sizeof out->target_s);
	for (int st = 0; st < STAGE_COUNT; st++)
		if (stage_slot(dir, st) >= 0)
			at_slot[stage_slot(dir, st)] = (enum stage)st;

	j->nsel = 0;
	for (uint32_t i = 0; i < s->nchunks; i++) {
		const struct chunk *c = s->chunk[i];
		bool whole;
		if (c->dir != dir || !c->n || !overlaps(c, j->f, &whole))
			continue;
		j->sel[j->nsel++] = (struct sel){.c = c, .index = i, .whole = whole};
		nwords += words_for(c->n);
	}
	if (!j->nsel)
		return KERR_OK;
	j->threads = threads < j->nsel ? threads : (unsigned)j->nsel;
	if (!(bits = malloc(nwords * sizeof *bits)))
		return KERR_NOMEM;
	for (size_t i = 0, w = 0; i < j->nsel; i++) {
		j->sel[i].bits = bits + w;
		w += words_for(j->sel[i].c->n);
	}
	reset_job(j);
	run(j, PHASE_SELECT);
	for (unsigned t = 0; t < j->threads; t++) {
		out->declarations += j->acc[t].declarations;
		for (int k = 0; k < TOTAL_KINDS; k++)
			out->by_total[k] += j->acc[t].by_total[k];
	}
	for (int k = 0; k < MEASURES; k++)
		j->plan[k].mode = MODE_FAST; /* the sample is taken for every one */
	run(j, PHASE_SAMPLE);
	plan_fast(j);
	if ((e = alloc_ranges(j)))
		goto out;
	run(j, PHASE_MAIN);
	for (unsigned t = 0; t < j->threads; t++)
		if (j->acc[t].nomem)
			e = KERR_NOMEM;
	for (int k = 0; k < MEASURES && !e; k++) {
		bool missed = false;
		if (j->plan[k].mode == MODE_SLOW)
			continue;
		e = finish_fast(j, k, k == TOTAL_M ? &out->total : &out->stage[at_slot[k]], out,
				&missed);
		if (!e && !missed && k == TOTAL_M)
			e = finish_groups(j, out, &missed);
		if (!e && !missed && k == TOTAL_M && out->total.count) {
			out->fence_s = out->p75 + 3 * (uint64_t)(out->p75 - out->p25);
			missed = out->fence_s < j->cand_floor;
		}
		if (missed)
			j->plan[k].mode = MODE_SLOW;
	}
	if (!e)
		e = answer_slow(j, out, at_slot);
	if (e)
		goto out;
	if (out->total.count) {
		out->fence_s = out->p75 + 3 * (uint64_t)(out->p75 - out->p25);
		list_outliers(s, j, q->outliers, out);
	}
	uint64_t best = 0;
	for (int st = 0; st < STAGE_COUNT; st++) {
		const struct stats_measure *m = &out->stage[st];
		if (!m->count)
			continue;
		out->party_s[stage_party_of(st)] += m->sum;
		if (out->slowest < 0 || m->sum > best) {
			out->slowest = st;
			best = m->sum;
		}
	}
out:
	free(bits);
	return e;
}

/* ------------------------------------------------------------------ */
/* the query                                                           */

static kerr query_check(const struct stats_query *q)
{
	if (q->from_us > q->to_us || (q->directions & ~3u) || (q->outcomes >> OUTCOME_COUNT) ||
	    (q->totals >> TOTAL_KINDS) || (q->flags_set & ~STAGE_FLAGS_ALL) ||
	    (q->flags_clear & ~STAGE_FLAGS_ALL) || q->tz_offset_s < -STATS_TZ_LIMIT ||
	    q->tz_offset_s > STATS_TZ_LIMIT || q->outliers > STATS_MAX_OUTLIERS)
		return KERR_INVALID;
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		if (q->nvalues[d] > STATS_MAX_VALUES)
			return KERR_INVALID;
	for (int dir = 0; dir < STAGE_DIRECTIONS; dir++) {
		if (q->ntargets[dir] > STATS_MAX_TARGETS)
			return KERR_INVALID;
		for (size_t i = 0; i < q->ntargets[dir]; i++)
			if (q->target_s[dir][i] > STATS_MAX_SECONDS)
				return KERR_INVALID;
	}
	return KERR_OK;
}

/* A period's bound in whole seconds: rows keep the second of lodgement,
 * and a row lodged at second S is inside [from, to) when from <= S < to
 * counted in microseconds, that is when ceil(from) <= S < ceil(to) counted
 * in seconds. */
static int64_t ceil_seconds(int64_t us)
{
	if (us == INT64_MIN || us == INT64_MAX)
		return us;
	int64_t s = us / 1000000;
	return s * 1000000 < us ? s + 1 : s;
}

static kerr filter_build(const struct stats *s, const struct stats_query *q, struct filter *f)
{
	f->from_s = ceil_seconds(q->from_us);
	f->to_s = ceil_seconds(q->to_us);
	f->tz = q->tz_offset_s;
	for (unsigned st = 0; st < 256; st++) {
		unsigned outcome = st & 3, kind = (st >> 2) & 3, flags = st >> 4;
		f->state_ok[st] = (uint8_t)((q->outcomes >> outcome & 1) && (q->totals >> kind & 1) &&
					    (flags & q->flags_set) == q->flags_set &&
					    !(flags & q->flags_clear));
	}
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		if (!q->nvalues[d])
			continue;
		f->allow[d] = calloc((size_t)s->dict[d].n + 1, 1);
		if (!f->allow[d])
			return KERR_NOMEM;
		for (size_t i = 0; i < q->nvalues[d]; i++) {
			char v[STATS_VALUE_MAX];
			str_copy(v, q->values[d][i], sizeof v);
			uint16_t c = stats_dict_find(&s->dict[d], v);
			if (c)
				f->allow[d][c] = 1;
		}
	}
	return KERR_OK;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	for (unsigned t = 0; t < STATS_MAX_THREADS; t++) {
		struct tacc *a = &j->acc[t];
		free(a->gh);
		free(a->mask);
		free(a->cand);
		for (int g = 0; g < GROUPS; g++) {
			free(a->grc[g]);
			free(a->gall[g].v);
		}
		for (int k = 0; k < MEASURES; k++) {
			struct macc *m = &a->m[k];
			free(m->h);
			free(m->all.v);
			for (size_t i = 0; i < NPCT; i++)
				free(m->rc[i]);
			for (size_t i = 0; i < MAX_QTARGETS; i++) {
				free(m->cnt[i]);
				free(m->coll[i].v);
			}
		}
	}
	free(j->sel);
	free(j);
}

static kerr job_new(const struct stats *s, struct job **out)
{
	struct job *j = calloc(1, sizeof *j);
	*out = j;
	if (!j || !(j->sel = calloc(s->nchunks ? s->nchunks : 1, sizeof *j->sel)))
		return KERR_NOMEM;
	for (unsigned t = 0; t < s->threads; t++) {
		struct tacc *a = &j->acc[t];
		a->gh = malloc((size_t)GROUPS * NCBINS * sizeof *a->gh);
		a->mask = malloc(CHUNK_ROWS);
		if (!a->gh || !a->mask)
			return KERR_NOMEM;
		for (int k = 0; k < MEASURES; k++)
			if (!(a->m[k].h = malloc(NBINS * sizeof *a->m[k].h)))
				return KERR_NOMEM;
	}
	return KERR_OK;
}

kerr stats_query_locked(const struct stats *s, const struct stats_query *q,
			struct stats_result *r)
{
	struct filter f;
	struct job *j = NULL;
	kerr e = query_check(q);

	memset(r, 0, sizeof *r);
	if (e)
		return e;
	memset(&f, 0, sizeof f);
	e = job_new(s, &j);
	if (!e)
		e = filter_build(s, q, &f);
	if (!e) {
		j->f = &f;
		j->q = q;
	}
	for (int dir = 0; dir < STAGE_DIRECTIONS && !e; dir++) {
		unsigned asked = q->directions ? q->directions : 3u;
		if (asked >> dir & 1)
			e = query_direction(s, j, (enum stage_direction)dir, s->threads,
					    &r->dir[dir]);
	}
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		free(f.allow[d]);
	job_free(j);
	if (e)
		memset(r, 0, sizeof *r);
	return e;
}
