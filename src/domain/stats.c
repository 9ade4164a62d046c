/*
 * stats.c - the statistics engine's storage and writes: dictionaries of
 * dimension values, chunked columns, the index from declaration number to
 * row, filing and dropping rows, snapshots, and the lock (see stats.h; the
 * queries are in stats_query.c).
 *
 * It must never leave a row half-written where a query can see it (every
 * change is made under the write lock), nor change the engine at all when a
 * write fails.
 */
#include "domain/stats_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const dim_names[STATS_DIM_COUNT] = {
#define STATS_DIM_NAME(id, name) name,
	STATS_DIM_MAP(STATS_DIM_NAME)
#undef STATS_DIM_NAME
};

const char *stats_dim_name(enum stats_dim d)
{
	return (unsigned)d < STATS_DIM_COUNT ? dim_names[d] : "?";
}

const char *stats_weekday_name(int wd)
{
	static const char *const names[STATS_WEEKDAYS] = {
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
	return wd >= 0 && wd < STATS_WEEKDAYS ? names[wd] : "?";
}

void stats_query_init(struct stats_query *q)
{
	memset(q, 0, sizeof *q);
	q->from_us = INT64_MIN;
	q->to_us = INT64_MAX;
	q->directions = (1u << STAGE_IMPORT) | (1u << STAGE_EXPORT);
	q->outcomes = 1u << OUTCOME_RELEASED;
	q->totals = (1u << TOTAL_NONE) | (1u << TOTAL_BORDER) | (1u << TOTAL_DECLARATION);
	q->tz_offset_s = 8 * 3600;
	q->ntargets[STAGE_IMPORT] = 1;
	q->target_s[STAGE_IMPORT][0] = 40 * 3600;
	q->ntargets[STAGE_EXPORT] = 1;
	q->target_s[STAGE_EXPORT][0] = 18 * 3600;
	q->outliers = 20;
}

/* ------------------------------------------------------------------ */
/* calendar months (UTC), for the chunks                               */

/* Days since 1970-01-01 of the first of month m (1-12) of year y, in the
 * proleptic Gregorian calendar (years counted from March, so the leap day
 * ends a year). */
static int64_t days_from_civil(int64_t y, unsigned m)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Months since January 1970 of a time in seconds (>= 0). */
static int32_t month_of(int64_t sec)
{
	int64_t z = sec / 86400 + 719468;
	int64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
	return (int32_t)((y - 1970) * 12 + (m - 1));
}

int64_t stats_month_start(int32_t month)
{
	return days_from_civil(1970 + month / 12, (unsigned)(month % 12) + 1) * 86400;
}

/* ------------------------------------------------------------------ */
/* dictionaries: dimension value <-> code (1..n; 0 = unknown)           */

static uint32_t text_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

uint16_t stats_dict_find(const struct dict *d, const char *v)
{
	if (!d->slot || !v || !*v)
		return 0;
	for (uint32_t i = text_hash(v) & d->mask;; i = (i + 1) & d->mask) {
		uint16_t c = d->slot[i];
		if (!c || strcmp(d->name[c - 1], v) == 0)
			return c;
	}
}

static kerr dict_rehash(struct dict *d, uint32_t size)
{
	uint16_t *slot = calloc(size, sizeof *slot);
	if (!slot)
		return KERR_NOMEM;
	for (uint32_t c = 1; c <= d->n; c++) {
		uint32_t i = text_hash(d->name[c - 1]) & (size - 1);
		while (slot[i])
			i = (i + 1) & (size - 1);
		slot[i] = (uint16_t)c;
	}
	free(d->slot);
	d->slot = slot;
	d->mask = size - 1;
	return KERR_OK;
}

/* The code of v, added when new. *code is 0 for NULL or "". */
static kerr dict_code(struct dict *d, const char *v, uint16_t *code)
{
	*code = 0;
	if (!v || !*v)
		return KERR_OK;
	if ((*code = stats_dict_find(d, v)))
		return KERR_OK;
	if (d->n == STATS_MAX_CODES)
		return KERR_INVALID;
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 16;
		void *p = realloc(d->name, (size_t)cap * sizeof *d->name);
		if (!p)
			return KERR_NOMEM;
		d->name = p;
		d->cap = cap;
	}
	if (!d->slot || (d->n + 1) * 2 > d->mask + 1) {
		kerr e = dict_rehash(d, d->slot ? (d->mask + 1) * 2 : 64);
		if (e)
			return e;
	}
	str_copy(d->name[d->n], v, STATS_VALUE_MAX);
	d->n++;
	uint32_t i = text_hash(v) & d->mask;
	while (d->slot[i])
		i = (i + 1) & d->mask;
	d->slot[i] = (uint16_t)d->n;
	*code = (uint16_t)d->n;
	return KERR_OK;
}

static void dict_free(struct dict *d)
{
	free(d->name);
	free(d->slot);
}

/* ------------------------------------------------------------------ */
/* chunks                                                              */

static void chunk_free(struct chunk *c)
{
	if (!c)
		return;
	free(c->number);
	free(c->lodged);
	free(c->how);
	free(c->state);
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		free(c->dim[d]);
	for (int k = 0; k < MEASURES; k++) {
		free(c->m[k]);
		free(c->present[k]);
		free(c->nonzero[k]);
	}
	for (int o = 0; o < OUTCOME_COUNT; o++)
		free(c->outcome[o]);
	for (int k = 0; k < TOTAL_KINDS; k++)
		free(c->kind[k]);
	free(c);
}

bool stats_grow(void **p, size_t n, size_t size)
{
	void *q = realloc(*p, n * size);
	if (!q)
		return false;
	*p = q;
	return true;
}

static bool grow_bits(uint64_t **p, uint32_t old_cap, uint32_t cap)
{
	if (!stats_grow((void **)p, words_for(cap), sizeof **p))
		return false;
	memset(*p + words_for(old_cap), 0,
	       (words_for(cap) - words_for(old_cap)) * sizeof **p);
	return true;
}

/* Room for `cap` rows. On failure the chunk keeps its rows (some arrays may
 * already be larger, which is harmless). */
static kerr chunk_reserve(struct chunk *c, uint32_t cap)
{
	if (cap <= c->cap)
		return KERR_OK;
	bool ok = stats_grow((void **)&c->number, cap, sizeof *c->number) &&
		  stats_grow((void **)&c->lodged, cap, sizeof *c->lodged) &&
		  stats_grow((void **)&c->how, cap, sizeof *c->how) &&
		  stats_grow((void **)&c->state, cap, sizeof *c->state);
	for (int d = 0; ok && d < STATS_DIM_COUNT; d++)
		ok = stats_grow((void **)&c->dim[d], cap, sizeof *c->dim[d]);
	for (int k = 0; ok && k < MEASURES; k++)
		ok = stats_grow((void **)&c->m[k], cap, sizeof *c->m[k]) &&
		     grow_bits(&c->present[k], c->cap, cap) &&
		     grow_bits(&c->nonzero[k], c->cap, cap);
	for (int o = 0; ok && o < OUTCOME_COUNT; o++)
		ok = grow_bits(&c->outcome[o], c->cap, cap);
	for (int k = 0; ok && k < TOTAL_KINDS; k++)
		ok = grow_bits(&c->kind[k], c->cap, cap);
	if (!ok)
		return KERR_NOMEM;
	/* every bitmap now has room for cap rows */
	c->cap = cap;
	return KERR_OK;
}

static size_t chunk_bytes(const struct chunk *c)
{
	size_t row = sizeof *c->number + sizeof *c->lodged + sizeof *c->how + sizeof *c->state +
		     STATS_DIM_COUNT * sizeof **c->dim + MEASURES * sizeof **c->m;
	return sizeof *c + (size_t)c->cap * row +
	       (2 * MEASURES + OUTCOME_COUNT + TOTAL_KINDS) * words_for(c->cap) * sizeof(uint64_t);
}

/* ------------------------------------------------------------------ */
/* the index: declaration number -> handle                              */

static size_t index_home(const struct stats *s, uint64_t number)
{
	return (size_t)((number * 0x9E3779B97F4A7C15ull) >> 20) & s->mask;
}

/* The slot holding number, or SIZE_MAX. */
static size_t index_find(const struct stats *s, uint64_t number)
{
	if (!s->slot)
		return SIZE_MAX;
	for (size_t i = index_home(s, number);; i = (i + 1) & s->mask) {
		uint32_t h = s->slot[i];
		if (h == NO_HANDLE)
			return SIZE_MAX;
		if (number_at(s, h) == number)
			return i;
	}
}

/* Room for one more entry (keeps the load at most 3/4). */
static kerr index_reserve(struct stats *s)
{
	if (s->slot && (s->used + 1) * 4 <= (s->mask + 1) * 3)
		return KERR_OK;
	size_t size = s->slot ? (s->mask + 1) * 2 : 1024;
	uint32_t *slot = malloc(size * sizeof *slot);
	if (!slot)
		return KERR_NOMEM;
	memset(slot, 0xff, size * sizeof *slot);
	size_t old = s->slot ? s->mask + 1 : 0;
	uint32_t *prev = s->slot;
	s->slot = slot;
	s->mask = size - 1;
	for (size_t j = 0; j < old; j++) {
		if (prev[j] == NO_HANDLE)
			continue;
		size_t i = index_home(s, number_at(s, prev[j]));
		while (slot[i] != NO_HANDLE)
			i = (i + 1) & s->mask;
		slot[i] = prev[j];
	}
	free(prev);
	return KERR_OK;
}

static void index_insert(struct stats *s, uint64_t number, uint32_t h)
{
	size_t i = index_home(s, number);
	while (s->slot[i] != NO_HANDLE)
		i = (i + 1) & s->mask;
	s->slot[i] = h;
	s->used++;
}

/* Empty slot i, moving later entries of its run back (linear probing). */
static void index_delete(struct stats *s, size_t i)
{
	size_t j = i;
	for (;;) {
		s->slot[i] = NO_HANDLE;
		for (;;) {
			j = (j + 1) & s->mask;
			if (s->slot[j] == NO_HANDLE) {
				s->used--;
				return;
			}
			size_t k = index_home(s, number_at(s, s->slot[j]));
			/* stay when k lies cyclically in (i, j] */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		s->slot[i] = s->slot[j];
		i = j;
	}
}

/* ------------------------------------------------------------------ */
/* rows                                                                */

/* A row ready to be written. */
struct row {
	uint8_t dir;
	int32_t month;
	uint64_t number;
	uint32_t lodged;
	uint8_t state;
	uint16_t dim[STATS_DIM_COUNT];
	uint32_t m[MEASURES];
};

static void set_bit(uint64_t *bits, uint32_t i, bool on)
{
	uint64_t b = 1ull << (i & 63);
	if (on)
		bits[i >> 6] |= b;
	else
		bits[i >> 6] &= ~b;
}

static void write_row(struct chunk *c, uint32_t i, const struct row *r)
{
	c->number[i] = r->number;
	c->lodged[i] = r->lodged;
	/* 1970-01-01 was a Thursday: Monday 00:00 came 96 hours later */
	c->how[i] = (uint8_t)((r->lodged / 3600 + 72) % 168);
	c->state[i] = r->state;
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		c->dim[d][i] = r->dim[d];
	for (int k = 0; k < MEASURES; k++) {
		c->m[k][i] = r->m[k];
		set_bit(c->present[k], i, r->m[k] != ABSENT);
		set_bit(c->nonzero[k], i, r->m[k] != ABSENT && r->m[k] != 0);
	}
	for (int o = 0; o < OUTCOME_COUNT; o++)
		set_bit(c->outcome[o], i, (r->state & 3) == o);
	for (int k = 0; k < TOTAL_KINDS; k++)
		set_bit(c->kind[k], i, ((r->state >> 2) & 3) == k);
}

static void read_row(const struct chunk *c, uint32_t i, struct row *r)
{
	r->dir = c->dir;
	r->month = c->month;
	r->number = c->number[i];
	r->lodged = c->lodged[i];
	r->state = c->state[i];
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		r->dim[d] = c->dim[d][i];
	for (int k = 0; k < MEASURES; k++)
		r->m[k] = c->m[k][i];
}

static bool parse_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!s || strlen(s) != 18)
		return false;
	for (int i = 0; i < 18; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

void stats_number_text(uint64_t v, char out[19])
{
	for (int i = 17; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[18] = '\0';
}

static bool seconds_of(int64_t us, uint32_t *out)
{
	if (us == STAGE_ABSENT) {
		*out = ABSENT;
		return true;
	}
	if (us < 0 || us / 1000000 > STATS_MAX_SECONDS)
		return false;
	*out = (uint32_t)(us / 1000000);
	return true;
}

/* Everything of a row but the dimension codes; false when out of range. */
static bool row_from(const struct stats_decl *d, const struct stage_times *t, struct row *r)
{
	enum stage_direction dir;
	memset(r, 0, sizeof *r);
	if (!d || !t || !stage_direction_of(d->number, &dir) || dir != t->direction ||
	    !parse_number(d->number, &r->number))
		return false;
	if (t->lodged_at == STAGE_NO_TIME || t->lodged_at < (int64_t)LODGED_MIN * 1000000 ||
	    t->lodged_at / 1000000 > LODGED_MAX)
		return false;
	if ((unsigned)t->outcome >= OUTCOME_COUNT || (unsigned)t->total_kind >= TOTAL_KINDS ||
	    (t->flags & ~STAGE_FLAGS_ALL))
		return false;
	r->dir = (uint8_t)dir;
	r->lodged = (uint32_t)(t->lodged_at / 1000000);
	r->month = month_of(r->lodged);
	r->state = (uint8_t)(t->outcome | t->total_kind << 2 | t->flags << 4);
	for (int s = 0; s < STAGE_COUNT; s++) {
		int slot = stage_slot(dir, s);
		if (slot >= 0 && !seconds_of(t->stage[s], &r->m[slot]))
			return false;
	}
	return seconds_of(t->total, &r->m[TOTAL_M]);
}

/* The partition of (dir, month): its position, or where to insert it. */
static size_t part_find(const struct stats *s, uint8_t dir, int32_t month, bool *found)
{
	size_t lo = 0, hi = s->nparts;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct part *p = &s->part[mid];
		if (p->dir < dir || (p->dir == dir && p->month < month))
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->nparts && s->part[lo].dir == dir && s->part[lo].month == month;
	return lo;
}

/* A chunk with room for one more row of (dir, month): the partition's last,
 * or a new one; *at is its index. */
static kerr chunk_for(struct stats *s, uint8_t dir, int32_t month, uint32_t *at)
{
	bool found;
	size_t p = part_find(s, dir, month, &found);
	if (found) {
		struct chunk *c = s->chunk[s->part[p].last];
		if (c->n < CHUNK_ROWS) {
			*at = s->part[p].last;
			if (c->n < c->cap)
				return KERR_OK;
			return chunk_reserve(c, c->cap * 2 < CHUNK_ROWS ? c->cap * 2 : CHUNK_ROWS);
		}
	}
	if (s->nchunks == MAX_CHUNKS)
		return KERR_NOMEM;
	if (s->nchunks == s->capchunks) {
		uint32_t cap = s->capchunks ? s->capchunks * 2 : 64;
		if (!stats_grow((void **)&s->chunk, cap, sizeof *s->chunk))
			return KERR_NOMEM;
		s->capchunks = cap;
	}
	if (!found && s->nparts == s->capparts) {
		size_t cap = s->capparts ? s->capparts * 2 : 32;
		if (!stats_grow((void **)&s->part, cap, sizeof *s->part))
			return KERR_NOMEM;
		s->capparts = cap;
	}
	struct chunk *c = calloc(1, sizeof *c);
	if (!c || chunk_reserve(c, FIRST_CAP)) {
		chunk_free(c);
		return KERR_NOMEM;
	}
	c->dir = dir;
	c->month = month;
	if (!found) {
		memmove(&s->part[p + 1], &s->part[p], (s->nparts - p) * sizeof *s->part);
		s->part[p] = (struct part){.dir = dir, .month = month};
		s->nparts++;
	}
	s->part[p].last = s->nchunks;
	*at = s->nchunks;
	s->chunk[s->nchunks++] = c;
	return KERR_OK;
}

/* Take out the row at handle h (whose index slot is i): the chunk's last
 * row moves into its place. */
static void remove_at(struct stats *s, size_t i, uint32_t h)
{
	struct chunk *c = s->chunk[h >> CHUNK_BITS];
	uint32_t row = h & (CHUNK_ROWS - 1), last = c->n - 1;
	index_delete(s, i);
	if (row != last) {
		struct row moved;
		read_row(c, last, &moved);
		write_row(c, row, &moved);
		s->slot[index_find(s, moved.number)] = h;
	}
	for (int k = 0; k < MEASURES; k++) {
		set_bit(c->present[k], last, false);
		set_bit(c->nonzero[k], last, false);
	}
	for (int o = 0; o < OUTCOME_COUNT; o++)
		set_bit(c->outcome[o], last, false);
	for (int k = 0; k < TOTAL_KINDS; k++)
		set_bit(c->kind[k], last, false);
	c->n--;
	s->rows--;
}

/* Everything filed so far dropped: the engine as stats_new made it. */
static void empty_engine(struct stats *s)
{
	for (uint32_t i = 0; i < s->nchunks; i++)
		chunk_free(s->chunk[i]);
	free(s->chunk);
	free(s->part);
	free(s->slot);
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		dict_free(&s->dict[d]);
	s->chunk = NULL;
	s->part = NULL;
	s->slot = NULL;
	s->nchunks = s->capchunks = 0;
	s->nparts = s->capparts = 0;
	s->mask = s->used = 0;
	s->rows = 0;
	memset(s->dict, 0, sizeof s->dict);
}

kerr stats_new(unsigned threads, struct stats **out)
{
	pthread_rwlockattr_t attr;
	struct stats *s;

	*out = NULL;
	if (threads > STATS_MAX_THREADS)
		return KERR_INVALID;
	s = calloc(1, sizeof *s);
	if (!s)
		return KERR_NOMEM;
	s->threads = threads ? threads : 1;
	if (pthread_rwlockattr_init(&attr)) {
		free(s);
		return KERR_NOMEM;
	}
	/* a steady stream of queries must not keep the event follower out */
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	int rc = pthread_rwlock_init(&s->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (rc) {
		free(s);
		return KERR_NOMEM;
	}
	if (pthread_mutex_init(&s->spare_lock, NULL)) {
		pthread_rwlock_destroy(&s->lock);
		free(s);
		return KERR_NOMEM;
	}
	*out = s;
	return KERR_OK;
}

void stats_free(struct stats *s)
{
	if (!s)
		return;
	empty_engine(s);
	stats_query_spare_free(s);
	pthread_mutex_destroy(&s->spare_lock);
	pthread_rwlock_destroy(&s->lock);
	free(s);
}

kerr stats_put(struct stats *s, const struct stats_decl *d, const struct stage_times *t)
{
	struct row r;
	kerr e = KERR_OK;

	if (!row_from(d, t, &r))
		return KERR_INVALID;
	for (int k = 0; k < STATS_DIM_COUNT; k++)
		if (d->dim[k] && strlen(d->dim[k]) >= STATS_VALUE_MAX)
			return KERR_INVALID;
	pthread_rwlock_wrlock(&s->lock);
	for (int k = 0; k < STATS_DIM_COUNT && !e; k++)
		e = dict_code(&s->dict[k], d->dim[k], &r.dim[k]);
	if (e)
		goto out;
	size_t i = index_find(s, r.number);
	if (i != SIZE_MAX) {
		uint32_t h = s->slot[i];
		struct chunk *c = s->chunk[h >> CHUNK_BITS];
		if (c->dir == r.dir && c->month == r.month) {
			write_row(c, h & (CHUNK_ROWS - 1), &r);
			goto out;
		}
	}
	/* a new row, or one that moves to another month */
	uint32_t at;
	e = index_reserve(s);
	if (!e)
		e = chunk_for(s, r.dir, r.month, &at);
	if (e)
		goto out;
	if (i != SIZE_MAX) {
		i = index_find(s, r.number); /* the index may have grown */
		remove_at(s, i, s->slot[i]);
	}
	struct chunk *c = s->chunk[at];
	uint32_t row = c->n++;
	write_row(c, row, &r);
	index_insert(s, r.number, at << CHUNK_BITS | row);
	s->rows++;
out:
	pthread_rwlock_unlock(&s->lock);
	return e;
}

kerr stats_remove(struct stats *s, const char *number)
{
	uint64_t n;
	kerr e = KERR_NOT_FOUND;

	if (!parse_number(number, &n))
		return KERR_NOT_FOUND;
	pthread_rwlock_wrlock(&s->lock);
	size_t i = index_find(s, n);
	if (i != SIZE_MAX) {
		remove_at(s, i, s->slot[i]);
		e = KERR_OK;
	}
	pthread_rwlock_unlock(&s->lock);
	return e;
}

bool stats_has_value(struct stats *s, enum stats_dim d, const char *value)
{
	if ((unsigned)d >= STATS_DIM_COUNT)
		return false;
	pthread_rwlock_rdlock(&s->lock);
	bool has = stats_dict_find(&s->dict[d], value) != 0;
	pthread_rwlock_unlock(&s->lock);
	return has;
}

size_t stats_count(struct stats *s)
{
	pthread_rwlock_rdlock(&s->lock);
	size_t n = s->rows;
	pthread_rwlock_unlock(&s->lock);
	return n;
}

size_t stats_bytes(struct stats *s)
{
	pthread_rwlock_rdlock(&s->lock);
	size_t n = sizeof *s + (s->slot ? (s->mask + 1) * sizeof *s->slot : 0) +
		   s->capchunks * sizeof *s->chunk + s->capparts * sizeof *s->part;
	for (uint32_t i = 0; i < s->nchunks; i++)
		n += chunk_bytes(s->chunk[i]);
	for (int d = 0; d < STATS_DIM_COUNT; d++)
		n += s->dict[d].cap * sizeof *s->dict[d].name +
		     (s->dict[d].slot ? (s->dict[d].mask + 1) * sizeof *s->dict[d].slot : 0);
	pthread_rwlock_unlock(&s->lock);
	return n;
}

kerr stats_query(struct stats *s, const struct stats_query *q, struct stats_result *r)
{
	pthread_rwlock_rdlock(&s->lock);
	kerr e = stats_query_locked(s, q, r);
	pthread_rwlock_unlock(&s->lock);
	return e;
}

/* ------------------------------------------------------------------ */
/* snapshots                                                           */

/*
 * The bytes: a header (SNAP_MAGIC, the format, a byte-order mark, the
 * sizes of the things counted, the rows), each dimension's dictionary (its
 * count, then each name in STATS_VALUE_MAX bytes, in code order), each row
 * (struct snap_row), and the FNV-1a hash of everything before it.
 */
#define SNAP_MAGIC "kouan-statistics"
#define SNAP_FORMAT 1u
#define SNAP_ORDER 0x01020304u

struct snap_header {
	char magic[16];
	uint32_t format, order;
	uint32_t dims, measures, value_max, pad;
	uint64_t rows;
};

struct snap_row {
	uint64_t number;
	uint32_t lodged;
	uint8_t dir, state;
	uint16_t dim[STATS_DIM_COUNT];
	uint32_t m[MEASURES];
};

#define SNAP_BUFFER 65536

struct snap_out {
	stats_write_fn write;
	void *arg;
	uint64_t hash;
	size_t n;
	kerr e;
	unsigned char buf[SNAP_BUFFER];
};

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static void snap_flush(struct snap_out *o)
{
	if (!o->e && o->n)
		o->e = o->write(o->arg, o->buf, o->n);
	o->n = 0;
}

static void snap_put(struct snap_out *o, const void *p, size_t n, bool hashed)
{
	if (hashed)
		o->hash = fnv1a(o->hash, p, n);
	const unsigned char *b = p;
	while (n && !o->e) {
		size_t k = SNAP_BUFFER - o->n < n ? SNAP_BUFFER - o->n : n;
		memcpy(o->buf + o->n, b, k);
		o->n += k;
		b += k;
		n -= k;
		if (o->n == SNAP_BUFFER)
			snap_flush(o);
	}
}

kerr stats_save(struct stats *s, stats_write_fn write, void *arg)
{
	struct snap_out *o = calloc(1, sizeof *o);
	if (!o)
		return KERR_NOMEM;
	o->write = write;
	o->arg = arg;
	o->hash = 14695981039346656037ull;
	pthread_rwlock_rdlock(&s->lock);
	struct snap_header h = {.format = SNAP_FORMAT,
				.order = SNAP_ORDER,
				.dims = STATS_DIM_COUNT,
				.measures = MEASURES,
				.value_max = STATS_VALUE_MAX,
				.rows = s->rows};
	memcpy(h.magic, SNAP_MAGIC, sizeof h.magic);
	snap_put(o, &h, sizeof h, true);
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		uint32_t n = s->dict[d].n;
		snap_put(o, &n, sizeof n, true);
		snap_put(o, s->dict[d].name, (size_t)n * STATS_VALUE_MAX, true);
	}
	for (uint32_t c = 0; c < s->nchunks && !o->e; c++) {
		const struct chunk *ch = s->chunk[c];
		for (uint32_t i = 0; i < ch->n; i++) {
			struct snap_row r;
			memset(&r, 0, sizeof r); /* the padding too: it is hashed */
			r.number = ch->number[i];
			r.lodged = ch->lodged[i];
			r.dir = ch->dir;
			r.state = ch->state[i];
			for (int d = 0; d < STATS_DIM_COUNT; d++)
				r.dim[d] = ch->dim[d][i];
			for (int k = 0; k < MEASURES; k++)
				r.m[k] = ch->m[k][i];
			snap_put(o, &r, sizeof r, true);
		}
	}
	pthread_rwlock_unlock(&s->lock);
	uint64_t sum = o->hash;
	snap_put(o, &sum, sizeof sum, false);
	snap_flush(o);
	kerr e = o->e;
	free(o);
	return e;
}

/* A row of the snapshot checked and made a row to write; false when any
 * value is out of what stats_put files. */
static bool row_of_snap(const struct stats *s, const struct snap_row *sr, struct row *r)
{
	char number[19];
	enum stage_direction dir;
	if (sr->number > 999999999999999999ull)
		return false;
	stats_number_text(sr->number, number);
	if (!stage_direction_of(number, &dir) || (unsigned)dir != sr->dir ||
	    sr->lodged < LODGED_MIN || sr->lodged > LODGED_MAX ||
	    (sr->state & 3) >= OUTCOME_COUNT || ((sr->state >> 2) & 3) >= TOTAL_KINDS ||
	    (unsigned)(sr->state >> 4) & ~STAGE_FLAGS_ALL)
		return false;
	memset(r, 0, sizeof *r);
	r->dir = sr->dir;
	r->number = sr->number;
	r->lodged = sr->lodged;
	r->month = month_of(sr->lodged);
	r->state = sr->state;
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		if (sr->dim[d] > s->dict[d].n)
			return false;
		r->dim[d] = sr->dim[d];
	}
	for (int k = 0; k < MEASURES; k++) {
		if (sr->m[k] != ABSENT && sr->m[k] > STATS_MAX_SECONDS)
			return false;
		r->m[k] = sr->m[k];
	}
	return true;
}

static kerr load_locked(struct stats *s, const unsigned char *b, size_t n)
{
	struct snap_header h;
	uint64_t sum;
	if (n < sizeof h + sizeof sum)
		return KERR_INVALID;
	memcpy(&sum, b + n - sizeof sum, sizeof sum);
	if (fnv1a(14695981039346656037ull, b, n - sizeof sum) != sum)
		return KERR_INVALID;
	n -= sizeof sum;
	memcpy(&h, b, sizeof h);
	if (memcmp(h.magic, SNAP_MAGIC, sizeof h.magic) || h.format != SNAP_FORMAT ||
	    h.order != SNAP_ORDER || h.dims != STATS_DIM_COUNT || h.measures != MEASURES ||
	    h.value_max != STATS_VALUE_MAX)
		return KERR_INVALID;
	size_t at = sizeof h;
	for (int d = 0; d < STATS_DIM_COUNT; d++) {
		uint32_t count;
		if (n - at < sizeof count)
			return KERR_INVALID;
		memcpy(&count, b + at, sizeof count);
		at += sizeof count;
		if (count > STATS_MAX_CODES || (n - at) / STATS_VALUE_MAX < count)
			return KERR_INVALID;
		for (uint32_t c = 0; c < count; c++, at += STATS_VALUE_MAX) {
			char name[STATS_VALUE_MAX];
			memcpy(name, b + at, sizeof name);
			uint16_t code;
			/* a name ends within its bytes, is not empty, and is new */
			if (!memchr(name, '\0', sizeof name) || !*name ||
			    stats_dict_find(&s->dict[d], name))
				return KERR_INVALID;
			kerr e = dict_code(&s->dict[d], name, &code);
			if (e)
				return e;
		}
	}
	if ((n - at) % sizeof(struct snap_row) || (n - at) / sizeof(struct snap_row) != h.rows)
		return KERR_INVALID;
	/* the index at its final size at once, instead of doubling (and
	 * rehashing) its way there */
	if (h.rows > MAX_CHUNKS * (uint64_t)CHUNK_ROWS)
		return KERR_INVALID;
	size_t size = 1024;
	while ((h.rows + 1) * 4 > size * 3)
		size *= 2;
	if (!(s->slot = malloc(size * sizeof *s->slot)))
		return KERR_NOMEM;
	memset(s->slot, 0xff, size * sizeof *s->slot);
	s->mask = size - 1;
	for (uint64_t i = 0; i < h.rows; i++, at += sizeof(struct snap_row)) {
		struct snap_row sr;
		struct row r;
		memcpy(&sr, b + at, sizeof sr);
		if (!row_of_snap(s, &sr, &r))
			return KERR_INVALID;
		/* one probe finds a repeated number or the free slot */
		size_t slot = index_home(s, r.number);
		for (; s->slot[slot] != NO_HANDLE; slot = (slot + 1) & s->mask)
			if (number_at(s, s->slot[slot]) == r.number)
				return KERR_INVALID;
		uint32_t c;
		kerr e = chunk_for(s, r.dir, r.month, &c);
		if (e)
			return e;
		struct chunk *ch = s->chunk[c];
		uint32_t row = ch->n++;
		write_row(ch, row, &r);
		s->slot[slot] = c << CHUNK_BITS | row;
		s->used++;
		s->rows++;
	}
	return KERR_OK;
}

kerr stats_load(struct stats *s, const void *bytes, size_t n)
{
	pthread_rwlock_wrlock(&s->lock);
	kerr e = KERR_INVALID;
	if (s->rows == 0 && s->nchunks == 0) {
		e = load_locked(s, bytes, n);
		if (e)
			empty_engine(s);
	}
	pthread_rwlock_unlock(&s->lock);
	return e;
}
