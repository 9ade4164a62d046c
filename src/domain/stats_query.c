/*
 * stats_query.c - exact statistics over a selection of rows (see stats.h),
 * answered without sorting the rows.
 *
 * Per direction, a query first turns its filter into one bit per row (a
 * selection bitmap per chunk). Absent stages and zeros are only counted,
 * through the chunk's presence bitmaps; only non-zero values are read.
 *
 * Every measure is then read once into a histogram whose bins are single
 * seconds below 2^15 s (about 9 hours) and 1/1024 of an octave above, with
 * the exact sum and maximum. The histogram tells in which bin each asked
 * rank lies; a rank in a one-second bin is answered at once. For a rank in
 * a wider bin the exact value needs that bin's values counted second by
 * second. A sampling pass, reading one word of 64 rows in SAMPLE_STRIDE
 * before the main pass, predicts those bins (the sample's rank plus and
 * minus 4.5 standard deviations, and a little), so the main pass counts
 * them second by second as it goes. When a rank turns out to lie in a bin
 * that was not predicted (which the histogram shows), a second pass counts
 * that bin. The medians of each hour of day and weekday (coarser bins per
 * group) and the outliers' fence (candidates collected above a bound that
 * the fence cannot be below) are answered the same way; a share within a
 * target comes from the histogram and the target's bin, counted second by
 * second. A measure or group whose sample is small (a narrow selection, a
 * quiet hour) is collected and sorted instead. Either way every figure is
 * exact, and the tests check it against a plain sort.
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
#define NWIDE (NBINS - EXACT) /* bins wider than a second */
/* Coarse bins, for the totals by hour and weekday. */
#define CEXACT_BITS 7
#define CEXACT (1u << CEXACT_BITS)
#define CSUB_BITS 6
#define CSUBS (1u << CSUB_BITS)
#define NCBINS (CEXACT + (31 - CEXACT_BITS) * CSUBS)

#define SAMPLE_STRIDE 16     /* one word in this many is sampled */
#define MIN_SAMPLE 1024      /* below: collect and sort instead */
#define MIN_GROUP_SAMPLE 128 /* below, a group's median is not predicted */
#define RANGE_MAX (1u << 18) /* a wider predicted range is not counted */
#define NPCT 5               /* p25, p50, p75, p90, p95 */
#define NRANGES (NPCT + STATS_MAX_TARGETS) /* and the bins of the targets */
/* The second pass: a bin wider than this collects its values instead of
 * counting them second by second. */
#define COUNT_WIDTH_MAX 65536u
#define MAX_QTARGETS (NPCT + GROUPS)

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

/* The bits of v as a double: exact for any 32-bit v, so its exponent is
 * v's top bit and the mantissa's first bits are the bits below it. This is
 * the cheapest way to a log-linear bin (no floating-point arithmetic is
 * done with the value). */
static inline uint64_t double_bits(uint32_t v)
{
	double d = (double)v;
	uint64_t b;
	memcpy(&b, &d, sizeof b);
	return b;
}

/* Log-linear bins: below 2^e0 one per second; above, 2^sb per octave: bin
 * 2^e0 + (top bit - e0) * 2^sb + the sb bits below the top bit. Both ways
 * are computed and one chosen (no branch). */
static inline uint32_t log_bin(uint32_t v, unsigned e0, unsigned sb)
{
	uint32_t b = (uint32_t)(double_bits(v) >> (52 - sb)) - (((1023u + e0) << sb) - (1u << e0));
	return v < (1u << e0) ? v : b;
}

/* The values of bin b: [*lo, *lo + *width). */
static void log_range(uint32_t b, unsigned e0, unsigned sb, uint32_t *lo, uint32_t *width)
{
	if (b < (1u << e0)) {
		*lo = b;
		*width = 1;
		return;
	}
	unsigned k = b - (1u << e0), e = e0 + (k >> sb);
	*lo = ((1u << sb) + (k & ((1u << sb) - 1))) << (e - sb);
	*width = 1u << (e - sb);
}

static inline uint32_t fine_bin(uint32_t v)
{
	return log_bin(v, EXACT_BITS, SUB_BITS);
}

static void fine_range(uint32_t b, uint32_t *lo, uint32_t *width)
{
	log_range(b, EXACT_BITS, SUB_BITS, lo, width);
}

static inline uint32_t coarse_bin(uint32_t v)
{
	return log_bin(v, CEXACT_BITS, CSUB_BITS);
}

static void coarse_range(uint32_t b, uint32_t *lo, uint32_t *width)
{
	log_range(b, CEXACT_BITS, CSUB_BITS, lo, width);
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

/* Sort collected values: a radix sort on 11 bits at a time (three passes
 * cover 32 bits) for all but short lists. False when memory runs out. */
static bool sort_u32(struct u32vec *v)
{
	if (v->n < 256) {
		if (v->n)
			qsort(v->v, v->n, sizeof *v->v, cmp_u32);
		return true;
	}
	uint32_t *a = v->v, *b = malloc(v->n * sizeof *b);
	if (!b)
		return false;
	for (unsigned shift = 0; shift < 33; shift += 11) {
		size_t at[2048] = {0};
		for (size_t i = 0; i < v->n; i++)
			at[(a[i] >> shift) & 2047]++;
		for (size_t d = 0, sum = 0; d < 2048; d++) {
			size_t c = at[d];
			at[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < v->n; i++)
			b[at[(a[i] >> shift) & 2047]++] = a[i];
		uint32_t *t = a;
		a = b;
		b = t;
	}
	/* three passes: the sorted values are in the scratch array */
	memcpy(v->v, a, v->n * sizeof *a);
	free(a);
	return true;
}

/* ------------------------------------------------------------------ */
/* the job                                                             */

struct filter {
	uint8_t state_ok[256];           /* outcome, kind of total, flags */
	bool by_words;                   /* no dimension and no flag selected */
	unsigned outcomes, totals;       /* bit sets, as in the query */
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

/* Values [lo, lo + width) counted second by second. */
struct range {
	uint32_t lo, width;
};

/* How the main pass reads a measure: into the histogram, counting the
 * predicted ranges (whole wide bins) second by second; or, when the sample
 * is small, collecting every value. */
struct plan {
	bool collect;
	size_t n;                  /* ranges, disjoint */
	struct range r[NRANGES];
	uint8_t rt[NWIDE + 1];     /* wide bin - EXACT -> its range + 1, or 0;
				    * the last entry stands for narrow bins */
};

/* A bin the second pass counts second by second (or collects). */
struct target {
	uint32_t lo, width;
	uint32_t bin;
	int group; /* -1: a fine bin of the measure; else a group's coarse bin */
};

/* One thread's sums for one measure. */
struct macc {
	uint64_t scount, snonzero; /* in the sample */
	uint32_t smax;
	uint64_t count, nonzero, sum;
	uint32_t max;
	uint32_t *h;          /* NBINS: the sample's, then the main pass's */
	uint32_t *rc[NRANGES]; /* the predicted ranges, per second */
	uint64_t le[STATS_MAX_TARGETS]; /* the total: values <= a target whose
					 * bin is too wide to count */
	struct u32vec all;    /* collected: every value read */
	uint32_t *cnt[MAX_QTARGETS];    /* second pass */
	struct u32vec coll[MAX_QTARGETS];
};

/* One thread's share of the work. */
struct tacc {
	uint64_t declarations, by_total[TOTAL_KINDS];
	uint8_t *mask; /* CHUNK_ROWS */
	struct macc m[MEASURES];
	uint64_t gsum[GROUPS], gscount[GROUPS];
	uint32_t *gh;          /* GROUPS * NCBINS: the sample's, then the pass's */
	uint32_t *grc[GROUPS]; /* each group's predicted range, per second */
	struct u32vec gall[GROUPS]; /* a group's values, when it is small */
	struct cand *cand;
	size_t ncand, capcand;
	bool nomem;
};

enum phase {
	PHASE_SELECT,
	PHASE_SAMPLE,
	PHASE_MAIN,
	PHASE_SECOND,
};

struct job {
	const struct filter *f;
	const struct stats_query *q;
	enum stage_direction dir;
	struct sel *sel;
	size_t nsel, capsel;
	unsigned threads; /* threads of this direction's run */
	unsigned nacc;    /* threads with sums allocated */
	enum phase phase;
	struct tacc acc[STATS_MAX_THREADS];
	struct plan plan[MEASURES];
	/* each group's predicted coarse bins [gb, gb + gn) and their values */
	uint32_t gb[GROUPS], gn[GROUPS];
	struct range grange[GROUPS];
	/* with an offset of whole hours: the local hour and weekday group of
	 * each hour of the week at UTC */
	bool whole_hours;
	uint8_t hour_of[168], wd_of[168];
	/* targets counted value by value (their bin is too wide): index, value */
	size_t nle;
	size_t le_t[STATS_MAX_TARGETS];
	uint32_t le_x[STATS_MAX_TARGETS];
	bool gcollect[GROUPS]; /* the sample is small: collect the group */
	uint64_t cand_floor; /* totals above it are outlier candidates */
	/* the second pass */
	bool second[MEASURES];
	bool second_cand; /* collect the outlier candidates again */
	struct target tg[MEASURES][MAX_QTARGETS];
	size_t ntg[MEASURES];
	uint8_t tb[MEASURES][NBINS]; /* fine bin -> its target + 1, or 0 */
	/* every thread's histograms may be non-zero below these bins */
	uint32_t hdirty[MEASURES];
	uint32_t gdirty;
	int32_t gbin[GROUPS];        /* each group's targeted coarse bin, or -1 */
	uint8_t gtarget[GROUPS];     /* and its target (of the total) */
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
	/* lodged + tz fits 32 bits: stats_put keeps lodged at least a day
	 * from either end */
	uint32_t hours = (uint32_t)((int64_t)lodged + tz) / 3600;
	*hour = hours % 24;
	*wd = STATS_HOURS + (hours / 24 + 3) % 7; /* 1970-01-01: Thursday */
}

/* The hour and weekday groups of row i of chunk c. */
static inline void groups_at(const struct job *j, const struct chunk *c, uint32_t i,
			     unsigned *hour, unsigned *wd)
{
	if (j->whole_hours) {
		*hour = j->hour_of[c->how[i]];
		*wd = j->wd_of[c->how[i]];
	} else {
		groups_of(c->lodged[i], j->f->tz, hour, wd);
	}
}

/* ------------------------------------------------------------------ */
/* the phases, chunk by chunk                                          */

/* A selection by outcome and kind of total only, over a whole chunk:
 * 64 rows at a time from the chunk's bitmaps. */
static void select_words(const struct filter *f, struct tacc *a, struct sel *sc)
{
	const struct chunk *c = sc->c;
	uint64_t kinds[TOTAL_KINDS] = {0}, n = 0;

	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t o = 0, k = 0;
		for (int i = 0; i < OUTCOME_COUNT; i++)
			if (f->outcomes >> i & 1)
				o |= c->outcome[i][w];
		for (int i = 0; i < TOTAL_KINDS; i++)
			if (f->totals >> i & 1)
				k |= c->kind[i][w];
		uint64_t bits = o & k;
		sc->bits[w] = bits;
		n += popcount64(bits);
		for (int i = 0; i < TOTAL_KINDS; i++)
			kinds[i] += popcount64(bits & c->kind[i][w]);
	}
	a->declarations += n;
	for (int i = 0; i < TOTAL_KINDS; i++)
		a->by_total[i] += kinds[i];
}

static void select_chunk(const struct filter *f, struct tacc *a, struct sel *sc)
{
	const struct chunk *c = sc->c;
	uint32_t n = c->n;
	uint8_t *m = a->mask;
	uint64_t kinds[4] = {0};

	if (f->by_words && sc->whole) {
		select_words(f, a, sc);
		return;
	}

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
	uint32_t *h = m->h, smax = m->smax;

	for (size_t w = 0; w < words_for(c->n); w += SAMPLE_STRIDE) {
		uint64_t p = sc->bits[w] & pr[w];
		m->scount += popcount64(p);
		if (k == TOTAL_M) {
			/* zeros too, for the groups */
			for (; p; p &= p - 1) {
				uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(p);
				uint32_t v = c->m[k][i], cb = coarse_bin(v);
				unsigned hour, wd;
				smax = v > smax ? v : smax;
				groups_at(j, c, i, &hour, &wd);
				a->gscount[hour]++;
				a->gscount[wd]++;
				a->gh[hour * NCBINS + cb]++;
				a->gh[wd * NCBINS + cb]++;
			}
			p = sc->bits[w] & pr[w];
		}
		uint64_t z = p & nz[w];
		m->snonzero += popcount64(z);
		for (const uint32_t *base = col + w * 64; z; z &= z - 1) {
			uint32_t v = base[__builtin_ctzll(z)];
			smax = v > smax ? v : smax;
			h[fine_bin(v)]++;
		}
	}
	m->smax = smax;
}

/* The main pass over a stage of one chunk: histogram, sum and maximum of
 * the non-zero values, the predicted ranges second by second; or every
 * non-zero value collected. */
static void main_stage(const struct plan *pl, struct tacc *a, const struct sel *sc, int k)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[k];
	const uint64_t *pr = c->present[k], *nz = c->nonzero[k];
	struct macc *m = &a->m[k];
	uint32_t *h = m->h, max = m->max;
	uint64_t count = 0, nonzero = 0, sum = 0;

	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t p = sc->bits[w] & pr[w];
		if (!p)
			continue;
		uint64_t z = p & nz[w];
		const uint32_t *base = col + w * 64;
		count += popcount64(p);
		nonzero += popcount64(z);
		if (pl->collect) {
			for (; z; z &= z - 1) {
				uint32_t v = base[__builtin_ctzll(z)];
				sum += v;
				max = v > max ? v : max;
				if (!push_u32(&m->all, v))
					a->nomem = true;
			}
			continue;
		}
		if (!pl->n) {
			/* nothing to count second by second (the usual case of
			 * a stage whose ranks lie below 2^15 s) */
			for (; z; z &= z - 1) {
				uint32_t v = base[__builtin_ctzll(z)];
				h[fine_bin(v)]++;
				sum += v;
				max = v > max ? v : max;
			}
			continue;
		}
		for (; z; z &= z - 1) {
			uint32_t v = base[__builtin_ctzll(z)], b = fine_bin(v);
			unsigned r = pl->rt[b >= EXACT ? b - EXACT : NWIDE];
			h[b]++;
			sum += v;
			max = v > max ? v : max;
			if (r)
				m->rc[r - 1][v - pl->r[r - 1].lo]++;
		}
	}
	m->count += count;
	m->nonzero += nonzero;
	m->sum += sum;
	m->max = max;
}

/* The main pass over the totals of one chunk (zeros read too): as a stage,
 * within each target, by hour and weekday (coarse histograms, which also
 * give the counts, sums kept in four lanes so that rows of the same hour
 * do not wait on each other, and the predicted median ranges), and the
 * outlier candidates. */
static void main_total(const struct job *j, struct tacc *a, const struct sel *sc)
{
	const struct chunk *c = sc->c;
	const struct plan *pl = &j->plan[TOTAL_M];
	const uint32_t *col = c->m[TOTAL_M];
	const uint64_t *pr = c->present[TOTAL_M];
	struct macc *m = &a->m[TOTAL_M];
	size_t nt = j->nle;
	uint32_t *h = m->h, *gh = a->gh, max = m->max, x[STATS_MAX_TARGETS];
	uint32_t gb[GROUPS], gn[GROUPS], glo[GROUPS];
	uint64_t count = 0, sum = 0, le[STATS_MAX_TARGETS] = {0}, gsum[4][GROUPS] = {{0}};
	uint64_t floor = j->cand_floor;
	bool collect = pl->collect;

	for (size_t t = 0; t < nt; t++)
		x[t] = j->le_x[t];
	for (int g = 0; g < GROUPS; g++) {
		gb[g] = j->gb[g];
		gn[g] = j->gn[g];
		glo[g] = j->grange[g].lo;
	}
	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t p = sc->bits[w] & pr[w];
		count += popcount64(p);
		for (; p; p &= p - 1) {
			uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(p);
			uint32_t v = col[i], cb = coarse_bin(v);
			unsigned hour, wd;
			groups_at(j, c, i, &hour, &wd);
			sum += v;
			max = v > max ? v : max;
			for (size_t t = 0; t < nt; t++)
				le[t] += v <= x[t];
			if (collect) {
				if (!push_u32(&m->all, v))
					a->nomem = true;
			} else {
				uint32_t b = fine_bin(v);
				unsigned r = pl->rt[b >= EXACT ? b - EXACT : NWIDE];
				h[b]++;
				if (r)
					m->rc[r - 1][v - pl->r[r - 1].lo]++;
			}
			gsum[i & 3][hour] += v;
			gsum[i & 3][wd] += v;
			gh[hour * NCBINS + cb]++;
			gh[wd * NCBINS + cb]++;
			if (cb - gb[hour] < gn[hour])
				a->grc[hour][v - glo[hour]]++;
			if (cb - gb[wd] < gn[wd])
				a->grc[wd][v - glo[wd]]++;
			if (j->gcollect[hour] && !push_u32(&a->gall[hour], v))
				a->nomem = true;
			if (j->gcollect[wd] && !push_u32(&a->gall[wd], v))
				a->nomem = true;
			if (v > floor)
				push_cand(a, v, sc->index << CHUNK_BITS | i);
		}
	}
	m->count += count;
	m->nonzero += count;
	m->sum += sum;
	m->max = max;
	for (size_t t = 0; t < nt; t++)
		m->le[j->le_t[t]] += le[t];
	for (int g = 0; g < GROUPS; g++)
		a->gsum[g] += gsum[0][g] + gsum[1][g] + gsum[2][g] + gsum[3][g];
}

static inline void record(const struct job *j, int k, struct tacc *a, unsigned t, uint32_t v)
{
	const struct target *tg = &j->tg[k][t];
	struct macc *m = &a->m[k];
	if (tg->width <= COUNT_WIDTH_MAX)
		m->cnt[t][v - tg->lo]++;
	else if (!push_u32(&m->coll[t], v))
		a->nomem = true;
}

/* The second pass over a stage: the values of the bins still to count. */
static void second_stage(const struct job *j, struct tacc *a, const struct sel *sc, int k)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[k];
	const uint64_t *nz = c->nonzero[k];
	const uint8_t *tb = j->tb[k];

	for (size_t w = 0; w < words_for(c->n); w++) {
		uint64_t z = sc->bits[w] & nz[w];
		for (const uint32_t *base = col + w * 64; z; z &= z - 1) {
			uint32_t v = base[__builtin_ctzll(z)];
			unsigned t = tb[fine_bin(v)];
			if (t)
				record(j, k, a, t - 1, v);
		}
	}
}

/* The second pass over the totals: bins of the total and of the groups
 * still to count, and the outlier candidates when asked again. */
static void second_total(const struct job *j, struct tacc *a, const struct sel *sc)
{
	const struct chunk *c = sc->c;
	const uint32_t *col = c->m[TOTAL_M];
	const uint64_t *pr = c->present[TOTAL_M];
	const uint8_t *tb = j->tb[TOTAL_M];

	for (size_t w = 0; w < words_for(c->n); w++) {
		for (uint64_t p = sc->bits[w] & pr[w]; p; p &= p - 1) {
			uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(p);
			uint32_t v = col[i];
			unsigned t = tb[fine_bin(v)], hour, wd;
			if (t)
				record(j, TOTAL_M, a, t - 1, v);
			groups_at(j, c, i, &hour, &wd);
			int32_t cb = (int32_t)coarse_bin(v);
			if (j->gbin[hour] == cb)
				record(j, TOTAL_M, a, j->gtarget[hour], v);
			if (j->gbin[wd] == cb)
				record(j, TOTAL_M, a, j->gtarget[wd], v);
			if (j->second_cand && v > j->cand_floor)
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
		if (j->phase == PHASE_SECOND && !j->second[k])
			continue;
		for (size_t i = t; i < j->nsel; i += nt) {
			const struct sel *sc = &j->sel[i];
			if (j->phase == PHASE_SAMPLE)
				sample_chunk(j, a, sc, k);
			else if (j->phase == PHASE_MAIN && k == TOTAL_M)
				main_total(j, a, sc);
			else if (j->phase == PHASE_MAIN)
				main_stage(&j->plan[k], a, sc, k);
			else if (k == TOTAL_M)
				second_total(j, a, sc);
			else
				second_stage(j, a, sc, k);
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

/* The same for several ranks (in any order) in one walk of the bins. */
static void locate_many(const uint32_t *h, uint32_t nbins, const uint64_t *rank, size_t n,
			uint32_t *bin, uint64_t *before)
{
	size_t order[2 * NPCT];
	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		while (k > 0 && rank[order[k - 1]] > rank[i]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	uint64_t cum = 0;
	size_t next = 0;
	for (uint32_t b = 0; b < nbins && next < n; b++) {
		uint64_t end = cum + h[b];
		while (next < n && rank[order[next]] <= end) {
			bin[order[next]] = b;
			before[order[next]] = cum;
			next++;
		}
		cum = end;
	}
	for (; next < n; next++) {
		bin[order[next]] = nbins - 1;
		before[order[next]] = cum;
	}
}

static void add_bins(uint32_t *into, const uint32_t *from, size_t nbins)
{
	for (size_t b = 0; b < nbins; b++)
		into[b] += from[b];
}

/* The ranks of the sample (of s values) between which the p-th percentile
 * of the whole should lie. */
static void predict(unsigned p, uint64_t s, uint64_t *lo_rank, uint64_t *hi_rank)
{
	uint64_t c = rank_of(p, s), mg = margin(p, s);
	*lo_rank = c > mg ? c - mg : 1;
	*hi_rank = c + mg < s ? c + mg : s;
}

/* The bin of each target of the total, counted second by second, gives
 * the totals within it exactly; a target whose bin is too wide is counted
 * value by value instead. */
static void plan_targets(struct job *j, struct plan *pl)
{
	for (size_t t = 0; t < j->q->ntargets[j->dir]; t++) {
		uint32_t x = j->q->target_s[j->dir][t], b = fine_bin(x), lo, w;
		if (b < EXACT || pl->rt[b - EXACT])
			continue;
		fine_range(b, &lo, &w);
		if (w > RANGE_MAX) {
			j->le_t[j->nle] = t;
			j->le_x[j->nle++] = x;
			continue;
		}
		pl->r[pl->n++] = (struct range){lo, w};
		pl->rt[b - EXACT] = (uint8_t)pl->n;
	}
}

/* After the sample: what the main pass counts second by second. */
static void plan_main(struct job *j)
{
	struct tacc *a0 = &j->acc[0];
	uint32_t blo[NPCT] = {0}, bhi[NPCT] = {0};

	for (int k = 0; k < MEASURES; k++) {
		struct macc *m0 = &a0->m[k];
		struct plan *pl = &j->plan[k];
		bool total = k == TOTAL_M;
		for (unsigned t = 1; t < j->threads; t++) {
			const struct macc *mt = &j->acc[t].m[k];
			m0->scount += mt->scount;
			m0->snonzero += mt->snonzero;
			add_bins(m0->h, mt->h, fine_bin(mt->smax) + 1);
			m0->smax = mt->smax > m0->smax ? mt->smax : m0->smax;
		}
		m0->h[0] += (uint32_t)(m0->scount - m0->snonzero);
		uint32_t shi = fine_bin(m0->smax) + 1;
		j->hdirty[k] = shi > j->hdirty[k] ? shi : j->hdirty[k];
		if (total) {
			uint32_t chi = coarse_bin(m0->smax) + 1;
			j->gdirty = chi > j->gdirty ? chi : j->gdirty;
		}
		pl->n = 0;
		pl->collect = m0->scount < MIN_SAMPLE;
		if (pl->collect)
			continue;
		uint64_t ranks[2 * NPCT], before[2 * NPCT];
		uint32_t bins[2 * NPCT];
		for (size_t i = 0; i < NPCT; i++)
			predict(pcts[i], m0->scount, &ranks[2 * i], &ranks[2 * i + 1]);
		locate_many(m0->h, shi, ranks, 2 * NPCT, bins, before);
		for (size_t i = 0; i < NPCT; i++) {
			if (!total && (pcts[i] == 25 || pcts[i] == 75))
				continue;
			blo[i] = bins[2 * i];
			bhi[i] = bins[2 * i + 1];
			if (bhi[i] < EXACT)
				continue; /* one-second bins: nothing to count */
			uint32_t from = blo[i] < EXACT ? EXACT : blo[i], lo, w, hlo, hw;
			fine_range(from, &lo, &w);
			fine_range(bhi[i], &hlo, &hw);
			if (hlo + hw - lo > RANGE_MAX)
				continue; /* left to the second pass, if need be */
			/* percentiles come in increasing order: join the last
			 * range when they meet */
			struct range *last = pl->n ? &pl->r[pl->n - 1] : NULL;
			if (last && lo <= last->lo + last->width) {
				uint32_t end = hlo + hw > last->lo + last->width ? hlo + hw
										: last->lo + last->width;
				last->width = end - last->lo;
			} else {
				pl->r[pl->n++] = (struct range){lo, hlo + hw - lo};
			}
			for (uint32_t b = from; b <= bhi[i]; b++)
				pl->rt[b - EXACT] = (uint8_t)pl->n;
		}
		if (total)
			plan_targets(j, pl);
	}

	/* the fence p75 + 3 (p75 - p25) is at least this, wherever the
	 * quartiles lie in their predicted bins */
	j->cand_floor = 0;
	if (!j->plan[TOTAL_M].collect) {
		uint32_t lo75, w75, lo25, w25;
		fine_range(blo[2], &lo75, &w75);
		fine_range(bhi[0], &lo25, &w25);
		uint64_t hi25 = (uint64_t)lo25 + w25 - 1;
		j->cand_floor = lo75 + (lo75 > hi25 ? 3 * (lo75 - hi25) : 0);
	}

	/* the groups of the total: each group's median */
	for (unsigned t = 1; t < j->threads; t++)
		for (int g = 0; g < GROUPS; g++) {
			a0->gscount[g] += j->acc[t].gscount[g];
			add_bins(a0->gh + (size_t)g * NCBINS, j->acc[t].gh + (size_t)g * NCBINS,
				 j->gdirty);
		}
	for (int g = 0; g < GROUPS; g++) {
		uint32_t glo, ghi, lo, w, hlo, hw, gbins[2];
		uint64_t granks[2], gbefore[2];
		j->gb[g] = j->gn[g] = 0;
		j->gcollect[g] = a0->gscount[g] < MIN_GROUP_SAMPLE;
		if (j->gcollect[g])
			continue;
		predict(50, a0->gscount[g], &granks[0], &granks[1]);
		locate_many(a0->gh + (size_t)g * NCBINS, j->gdirty, granks, 2, gbins, gbefore);
		glo = gbins[0];
		ghi = gbins[1];
		if (ghi < CEXACT)
			continue;
		glo = glo < CEXACT ? CEXACT : glo;
		coarse_range(glo, &lo, &w);
		coarse_range(ghi, &hlo, &hw);
		if (hlo + hw - lo > RANGE_MAX)
			continue;
		j->gb[g] = glo;
		j->gn[g] = ghi - glo + 1;
		j->grange[g] = (struct range){lo, hlo + hw - lo};
	}
}

/* Clear the sample's sums: the main pass fills the same ones. */
static kerr prepare_main(struct job *j)
{
	for (unsigned t = 0; t < j->threads; t++) {
		struct tacc *a = &j->acc[t];
		for (int g = 0; g < GROUPS; g++) {
			memset(a->gh + (size_t)g * NCBINS, 0, j->gdirty * sizeof *a->gh);
			if (j->gn[g] && !(a->grc[g] = calloc(j->grange[g].width, sizeof(uint32_t))))
				return KERR_NOMEM;
		}
		for (int k = 0; k < MEASURES; k++) {
			const struct plan *pl = &j->plan[k];
			memset(a->m[k].h, 0, j->hdirty[k] * sizeof *a->m[k].h);
			for (size_t i = 0; i < pl->n; i++)
				if (!(a->m[k].rc[i] = calloc(pl->r[i].width, sizeof(uint32_t))))
					return KERR_NOMEM;
		}
	}
	return KERR_OK;
}

/* The value of rank `rank` among the values of bin [lo, lo + width), which
 * were counted second by second from `from` in rc. */
static uint32_t walk(const uint32_t *rc, uint32_t from, uint32_t lo, uint32_t width,
		     uint64_t rank)
{
	uint64_t cum = 0;
	for (uint32_t o = 0; o < width; o++) {
		cum += rc[lo - from + o];
		if (cum >= rank)
			return lo + o;
	}
	return lo + width - 1;
}

/* Rank `rank` (1-based) among `zeros` zeros and the sorted values. */
static uint32_t sorted_rank(const struct u32vec *v, uint64_t zeros, uint64_t rank)
{
	return rank <= zeros ? 0 : v->v[rank - zeros - 1];
}

/* The target for a bin (group -1: a fine bin of measure k, else a coarse
 * bin of a group's totals), added when new. The table holds every ask a
 * measure can make, so it never fills. */
static int target_for(struct job *j, int k, int group, uint32_t bin)
{
	uint32_t lo, width;
	if (group < 0)
		fine_range(bin, &lo, &width);
	else
		coarse_range(bin, &lo, &width);
	for (size_t t = 0; t < j->ntg[k]; t++)
		if (j->tg[k][t].group == group && j->tg[k][t].lo == lo)
			return (int)t;
	size_t t = j->ntg[k]++;
	j->tg[k][t] = (struct target){.lo = lo, .width = width, .bin = bin, .group = group};
	if (group < 0)
		j->tb[k][bin] = (uint8_t)(t + 1);
	else {
		j->gbin[group] = (int32_t)bin;
		j->gtarget[group] = (uint8_t)t;
	}
	j->second[k] = true;
	return (int)t;
}

/* A rank left to the second pass: rank `rank` within target t, to be
 * written to *out. */
struct ask {
	int k, t;
	uint64_t rank;
	uint32_t *out;
};

struct asks {
	struct ask a[MEASURES * MAX_QTARGETS];
	size_t n;
};

/* The value of rank `rank` of measure k's histogram: at once, from the
 * counts of the main pass, or left to the second pass. */
static void answer_rank(struct job *j, int k, uint32_t b, uint64_t rank, uint64_t before,
			uint32_t *out, struct asks *as)
{
	const struct macc *m0 = &j->acc[0].m[k];
	const struct plan *pl = &j->plan[k];
	uint32_t lo, width;
	if (b < EXACT) {
		*out = b;
		return;
	}
	fine_range(b, &lo, &width);
	unsigned r = pl->rt[b - EXACT];
	if (r) {
		*out = walk(m0->rc[r - 1], pl->r[r - 1].lo, lo, width, rank - before);
		return;
	}
	as->a[as->n++] = (struct ask){k, target_for(j, k, -1, b), rank - before, out};
}

/* How many totals are <= x (target t): from the histogram and the target's
 * bin counted second by second, from the sorted totals when collected, or
 * as counted value by value. */
static uint64_t within(const struct job *j, const struct macc *m0, uint32_t x, size_t t,
		       uint32_t hi)
{
	const struct plan *pl = &j->plan[TOTAL_M];
	uint64_t n = 0;
	if (x >= m0->max)
		return m0->count;
	if (pl->collect) {
		size_t lo = 0, up = m0->all.n; /* the first value above x */
		while (lo < up) {
			size_t mid = (lo + up) / 2;
			if (m0->all.v[mid] <= x)
				lo = mid + 1;
			else
				up = mid;
		}
		return lo;
	}
	for (size_t i = 0; i < j->nle; i++)
		if (j->le_t[i] == t)
			return m0->le[t];
	uint32_t b = fine_bin(x), lo, width;
	for (uint32_t c = 0; c < b && c < hi; c++)
		n += m0->h[c];
	if (b < EXACT)
		return n + m0->h[b];
	unsigned r = pl->rt[b - EXACT];
	fine_range(b, &lo, &width);
	for (uint32_t v = lo; v <= x; v++)
		n += m0->rc[r - 1][v - pl->r[r - 1].lo];
	return n;
}

/* After the main pass: the threads' sums of measure k added up, and every
 * figure the histogram and the counts can give. */
static kerr resolve_measure(struct job *j, int k, struct stats_measure *m,
			    struct stats_direction *out, struct asks *as)
{
	struct macc *m0 = &j->acc[0].m[k];
	const struct plan *pl = &j->plan[k];
	bool total = k == TOTAL_M;
	uint32_t *outs[NPCT] = {&out->p25, &m->median, &out->p75, &m->p90, &m->p95};

	for (unsigned t = 1; t < j->threads; t++) {
		const struct macc *mt = &j->acc[t].m[k];
		m0->count += mt->count;
		m0->nonzero += mt->nonzero;
		m0->sum += mt->sum;
		m0->max = mt->max > m0->max ? mt->max : m0->max;
		for (size_t i = 0; i < STATS_MAX_TARGETS; i++)
			m0->le[i] += mt->le[i];
		if (pl->collect) {
			for (size_t i = 0; i < mt->all.n; i++)
				if (!push_u32(&m0->all, mt->all.v[i]))
					return KERR_NOMEM;
			continue;
		}
		add_bins(m0->h, mt->h, fine_bin(mt->max) + 1);
		for (size_t i = 0; i < pl->n; i++)
			add_bins(m0->rc[i], mt->rc[i], pl->r[i].width);
	}
	uint32_t hi = fine_bin(m0->max) + 1;
	j->hdirty[k] = hi > j->hdirty[k] ? hi : j->hdirty[k];
	m0->h[0] += (uint32_t)(m0->count - m0->nonzero); /* zeros were not read */
	memset(m, 0, sizeof *m);
	if (!m0->count)
		return KERR_OK;
	m->count = m0->count;
	m->sum = m0->sum;
	m->max = m0->max;
	m->mean = mean_of(m0->sum, m0->count);
	if (pl->collect && !sort_u32(&m0->all))
		return KERR_NOMEM;
	uint64_t ranks[NPCT], before[NPCT];
	uint32_t bins[NPCT];
	for (size_t i = 0; i < NPCT; i++)
		ranks[i] = rank_of(pcts[i], m0->count);
	if (!pl->collect)
		locate_many(m0->h, hi, ranks, NPCT, bins, before);
	for (size_t i = 0; i < NPCT; i++) {
		if (!total && (pcts[i] == 25 || pcts[i] == 75))
			continue;
		if (pl->collect)
			*outs[i] = sorted_rank(&m0->all, m0->count - m0->all.n, ranks[i]);
		else
			answer_rank(j, k, bins[i], ranks[i], before[i], outs[i], as);
	}
	if (total)
		for (size_t i = 0; i < out->ntargets; i++)
			out->within[i] = within(j, m0, out->target_s[i], i, hi);
	return KERR_OK;
}

/* After the main pass: count, sum, mean and median of the totals by hour
 * and weekday. */
static kerr resolve_groups(struct job *j, struct stats_direction *out, struct asks *as)
{
	struct tacc *a0 = &j->acc[0];
	uint32_t chi = coarse_bin(a0->m[TOTAL_M].max) + 1;
	j->gdirty = chi > j->gdirty ? chi : j->gdirty;
	for (unsigned t = 1; t < j->threads; t++)
		for (int g = 0; g < GROUPS; g++)
			add_bins(a0->gh + (size_t)g * NCBINS, j->acc[t].gh + (size_t)g * NCBINS, chi);
	for (int g = 0; g < GROUPS; g++) {
		struct stats_group *sg = g < STATS_HOURS ? &out->hour[g]
							 : &out->weekday[g - STATS_HOURS];
		uint32_t lo, width;
		uint64_t before;
		for (unsigned t = 0; t < j->threads; t++) {
			sg->sum += j->acc[t].gsum[g];
			if (t && j->gn[g])
				add_bins(a0->grc[g], j->acc[t].grc[g], j->grange[g].width);
		}
		for (uint32_t b = 0; b < chi; b++)
			sg->count += a0->gh[(size_t)g * NCBINS + b];
		sg->mean = mean_of(sg->sum, sg->count);
		if (!sg->count)
			continue;
		uint64_t rank = rank_of(50, sg->count);
		if (j->gcollect[g]) {
			struct u32vec *v = &a0->gall[g];
			for (unsigned t = 1; t < j->threads; t++)
				for (size_t i = 0; i < j->acc[t].gall[g].n; i++)
					if (!push_u32(v, j->acc[t].gall[g].v[i]))
						return KERR_NOMEM;
			if (!sort_u32(v))
				return KERR_NOMEM;
			sg->median = v->v[rank - 1];
			continue;
		}
		uint32_t cb = locate(a0->gh + (size_t)g * NCBINS, chi, rank, &before);
		if (cb < CEXACT) {
			sg->median = cb;
			continue;
		}
		coarse_range(cb, &lo, &width);
		if (cb - j->gb[g] < j->gn[g]) {
			sg->median = walk(a0->grc[g], j->grange[g].lo, lo, width, rank - before);
			continue;
		}
		as->a[as->n++] = (struct ask){TOTAL_M, target_for(j, TOTAL_M, g, cb), rank - before,
					      &sg->median};
	}
	return KERR_OK;
}

/* Counts per second for the second pass, for every thread. */
static kerr prepare_second(struct job *j)
{
	for (unsigned t = 0; t < j->threads; t++) {
		struct tacc *a = &j->acc[t];
		if (j->second_cand)
			a->ncand = 0;
		for (int k = 0; k < MEASURES; k++)
			for (size_t i = 0; i < j->ntg[k]; i++)
				if (j->tg[k][i].width <= COUNT_WIDTH_MAX &&
				    !(a->m[k].cnt[i] = calloc(j->tg[k][i].width, sizeof(uint32_t))))
					return KERR_NOMEM;
	}
	return KERR_OK;
}

/* After the second pass: target t of measure k added up into thread 0's
 * counts, or its collected values sorted there. */
static kerr merge_target(struct job *j, int k, size_t t)
{
	struct macc *m0 = &j->acc[0].m[k];
	const struct target *tg = &j->tg[k][t];
	if (tg->width <= COUNT_WIDTH_MAX) {
		for (unsigned th = 1; th < j->threads; th++)
			add_bins(m0->cnt[t], j->acc[th].m[k].cnt[t], tg->width);
		return KERR_OK;
	}
	for (unsigned th = 1; th < j->threads; th++) {
		const struct u32vec *v = &j->acc[th].m[k].coll[t];
		for (size_t i = 0; i < v->n; i++)
			if (!push_u32(&m0->coll[t], v->v[i]))
				return KERR_NOMEM;
	}
	return sort_u32(&m0->coll[t]) ? KERR_OK : KERR_NOMEM;
}

/* After the second pass: the ranks left to it. */
static kerr finish_second(struct job *j, const struct asks *as)
{
	kerr e = KERR_OK;
	for (int k = 0; k < MEASURES; k++)
		for (size_t t = 0; t < j->ntg[k] && !e; t++)
			e = merge_target(j, k, t);
	for (size_t i = 0; i < as->n && !e; i++) {
		const struct ask *q = &as->a[i];
		const struct target *tg = &j->tg[q->k][q->t];
		const struct macc *m0 = &j->acc[0].m[q->k];
		if (tg->width > COUNT_WIDTH_MAX)
			*q->out = m0->coll[q->t].v[q->rank - 1];
		else
			*q->out = walk(m0->cnt[q->t], tg->lo, tg->lo, tg->width, q->rank);
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
	for (unsigned t = 0; t < j->nacc; t++) {
		struct tacc *a = &j->acc[t];
		a->declarations = 0;
		memset(a->by_total, 0, sizeof a->by_total);
		memset(a->gsum, 0, sizeof a->gsum);
		memset(a->gscount, 0, sizeof a->gscount);
		for (int g = 0; g < GROUPS; g++)
			memset(a->gh + (size_t)g * NCBINS, 0, j->gdirty * sizeof *a->gh);
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
			m->smax = 0;
			m->count = m->nonzero = m->sum = 0;
			m->max = 0;
			memset(m->le, 0, sizeof m->le);
			memset(m->h, 0, j->hdirty[k] * sizeof *m->h);
			m->all.n = 0;
			for (size_t i = 0; i < NRANGES; i++) {
				free(m->rc[i]);
				m->rc[i] = NULL;
			}
			for (size_t i = 0; i < MAX_QTARGETS; i++) {
				free(m->cnt[i]);
				m->cnt[i] = NULL;
				m->coll[i].n = 0;
			}
		}
	}
	for (int k = 0; k < MEASURES; k++) {
		struct plan *pl = &j->plan[k];
		for (size_t i = 0; i < pl->n; i++)
			for (uint32_t b = fine_bin(pl->r[i].lo);
			     b <= fine_bin(pl->r[i].lo + (pl->r[i].width - 1)); b++)
				pl->rt[b - EXACT] = 0;
		pl->n = 0;
		for (size_t t = 0; t < j->ntg[k]; t++)
			if (j->tg[k][t].group < 0)
				j->tb[k][j->tg[k][t].bin] = 0;
		j->second[k] = false;
		j->ntg[k] = 0;
		j->hdirty[k] = 0;
	}
	j->gdirty = 0;
	for (int g = 0; g < GROUPS; g++)
		j->gbin[g] = -1;
	j->second_cand = false;
	j->nle = 0;
}

/* Is *out one of the figures still waiting for the second pass? */
static const struct ask *pending(const struct asks *as, const uint32_t *out)
{
	for (size_t i = 0; i < as->n; i++)
		if (as->a[i].out == out)
			return &as->a[i];
	return NULL;
}

/* The outlier candidates of the main pass are enough when the fence is at
 * least the bound they were collected above; else the second pass collects
 * them again above the fence, or above the least the fence can be. */
static void check_candidates(struct job *j, struct stats_direction *out, const struct asks *as)
{
	const struct ask *q25 = pending(as, &out->p25), *q75 = pending(as, &out->p75);
	uint64_t lo75 = q75 ? j->tg[TOTAL_M][q75->t].lo : out->p75;
	uint64_t hi25 = q25 ? (uint64_t)j->tg[TOTAL_M][q25->t].lo + j->tg[TOTAL_M][q25->t].width - 1
			    : out->p25;
	uint64_t least = lo75 + (lo75 > hi25 ? 3 * (lo75 - hi25) : 0);
	if (least >= j->cand_floor)
		return;
	j->cand_floor = least;
	j->second_cand = true;
	j->second[TOTAL_M] = true;
}

static kerr query_direction(const struct stats *s, struct job *j, enum stage_direction dir,
			    unsigned threads, struct stats_direction *out)
{
	const struct stats_query *q = j->q;
	size_t nwords = 0;
	kerr e = KERR_OK;
	uint64_t *bits = NULL;
	struct asks *as = NULL;
	enum stage at_slot[MEASURES];
	bool any = false;

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
	bits = malloc(nwords * sizeof *bits);
	as = malloc(sizeof *as);
	if (!bits || !as) {
		e = KERR_NOMEM;
		goto out;
	}
	as->n = 0;
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
	run(j, PHASE_SAMPLE);
	plan_main(j);
	if ((e = prepare_main(j)))
		goto out;
	run(j, PHASE_MAIN);
	for (unsigned t = 0; t < j->threads; t++)
		if (j->acc[t].nomem)
			e = KERR_NOMEM;
	for (int k = 0; k < MEASURES && !e; k++)
		e = resolve_measure(j, k, k == TOTAL_M ? &out->total : &out->stage[at_slot[k]], out,
				    as);
	if (e)
		goto out;
	if (out->total.count) {
		if ((e = resolve_groups(j, out, as)))
			goto out;
		check_candidates(j, out, as);
	}
	for (int k = 0; k < MEASURES; k++)
		any |= j->second[k];
	if (any) {
		if ((e = prepare_second(j)))
			goto out;
		run(j, PHASE_SECOND);
		for (unsigned t = 0; t < j->threads; t++)
			if (j->acc[t].nomem)
				e = KERR_NOMEM;
		if (!e)
			e = finish_second(j, as);
		if (e)
			goto out;
	}
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
	free(as);
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
	f->outcomes = q->outcomes;
	f->totals = q->totals;
	f->by_words = !q->flags_set && !q->flags_clear;
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		f->by_words &= !q->nvalues[d];
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
			for (size_t i = 0; i < NRANGES; i++)
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
	if (!j)
		return KERR_NOMEM;
	j->nacc = s->threads;
	for (unsigned t = 0; t < s->threads; t++) {
		struct tacc *a = &j->acc[t];
		a->gh = calloc((size_t)GROUPS * NCBINS, sizeof *a->gh);
		a->mask = malloc(CHUNK_ROWS);
		if (!a->gh || !a->mask)
			return KERR_NOMEM;
		for (int k = 0; k < MEASURES; k++)
			if (!(a->m[k].h = calloc(NBINS, sizeof *a->m[k].h)))
				return KERR_NOMEM;
	}
	return KERR_OK;
}

void stats_query_spare_free(struct stats *s)
{
	job_free(s->spare);
	s->spare = NULL;
}

kerr stats_query_locked(struct stats *s, const struct stats_query *q, struct stats_result *r)
{
	struct filter f;
	struct job *j;
	kerr e = query_check(q);

	memset(r, 0, sizeof *r);
	if (e)
		return e;
	memset(&f, 0, sizeof f);
	/* the last query's workspace, when no other query holds it */
	pthread_mutex_lock(&s->spare_lock);
	j = s->spare;
	s->spare = NULL;
	pthread_mutex_unlock(&s->spare_lock);
	if (!j)
		e = job_new(s, &j);
	if (!e && j->capsel < s->nchunks) {
		if (stats_grow((void **)&j->sel, s->nchunks, sizeof *j->sel))
			j->capsel = s->nchunks;
		else
			e = KERR_NOMEM;
	}
	if (!e)
		e = filter_build(s, q, &f);
	if (!e) {
		j->f = &f;
		j->q = q;
		/* an offset of whole hours maps each hour of the week at UTC to
		 * a local hour and weekday */
		j->whole_hours = q->tz_offset_s % 3600 == 0;
		for (int h = 0; j->whole_hours && h < 168; h++) {
			int l = ((h + q->tz_offset_s / 3600) % 168 + 168) % 168;
			j->hour_of[h] = (uint8_t)(l % 24);
			j->wd_of[h] = (uint8_t)(STATS_HOURS + l / 24);
		}
	}
	for (int dir = 0; dir < STAGE_DIRECTIONS && !e; dir++) {
		unsigned asked = q->directions ? q->directions : 3u;
		if (asked >> dir & 1)
			e = query_direction(s, j, (enum stage_direction)dir, s->threads,
					    &r->dir[dir]);
	}
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		free(f.allow[d]);
	if (!e) {
		pthread_mutex_lock(&s->spare_lock);
		if (!s->spare) {
			s->spare = j;
			j = NULL;
		}
		pthread_mutex_unlock(&s->spare_lock);
	}
	job_free(j);
	if (e)
		memset(r, 0, sizeof *r);
	return e;
}
