/*
 * statistics.c - the statistics engine in a running kouan: filled and kept
 * current from the event feed, kept between starts in a snapshot file,
 * and the clearance-time use case (see statistics.h). It reads the store and
 * never writes it; a declaration that cannot be measured (no lodging
 * event) is left out of the figures, never made up; a snapshot that is not
 * of this store's feed is never loaded.
 */
#include "service/statistics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "domain/declaration.h"
#include "domain/manifest.h"
#include "domain/risk.h"
#include "service/clearance.h"
#include "store/repo.h"
#include "store/repo_transport.h"

#define FOLLOW_PAGE 500      /* events read at a time */
#define FOLLOW_PAUSE_MS 20   /* the follower's passes are at least this far apart */
#define CATCH_UP_PAGES 4     /* pages of the feed a catch-up reads in one transaction */

/* The last event read, as a snapshot file keeps it (and checks it at the
 * next start). */
#define MARK_MAGIC "kouan-feed-mark1"
struct feed_mark {
	char magic[16];
	int64_t id; /* 0: none yet */
	char at[TIME_TEXT_SIZE];
	char type[64];
};

struct statistics_state {
	pthread_mutex_t follow; /* one catch-up at a time; guards `after`, `mark`
				 * and the snapshot's times */
	int64_t after;          /* the last event id read */
	struct feed_mark mark;  /* that event */
	int64_t saved_after;    /* `after` when last saved (or loaded) */
	struct timespec saved;  /* when (monotonic) */
	bool restoring;         /* the follower has yet to load the snapshot: */
	pthread_cond_t restored; /* catching up waits for it (with `follow`) */
	struct stats *engine;
	/* the follower thread (statistics_follower_start) */
	pthread_mutex_t lock;   /* guards what follows */
	pthread_cond_t poked;
	uint64_t pokes;         /* statistics_poke calls so far */
	bool running, stopping;
	pthread_t thread;
};

kerr statistics_state_init(struct services *s)
{
	struct statistics_state *st = calloc(1, sizeof *st);
	if (!st)
		return KERR_NOMEM;
	/* a query over millions of rows splits its scan over the cores (up
	 * to four: the other requests keep theirs) */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cores < 1 ? 1 : cores > 4 ? 4 : (unsigned)cores;
	kerr e = stats_new(threads, &st->engine);
	if (e) {
		free(st);
		return e;
	}
	pthread_mutex_init(&st->follow, NULL);
	pthread_cond_init(&st->restored, NULL);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->poked, NULL);
	s->statistics = st;
	return KERR_OK;
}

void statistics_state_free(struct services *s)
{
	struct statistics_state *st = s->statistics;
	if (!st)
		return;
	statistics_follower_stop(s);
	stats_free(st->engine);
	pthread_mutex_destroy(&st->follow);
	pthread_cond_destroy(&st->restored);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->poked);
	free(st);
	s->statistics = NULL;
}

size_t statistics_count(struct services *s)
{
	return s->statistics ? stats_count(s->statistics->engine) : 0;
}

/* ------------------------------------------------------------------ */
/* one declaration's timeline                                          */

struct timeline {
	struct stage_event *ev;
	json_t **data;
	char **text; /* owned copies of type and agency, two per event */
	size_t n, cap;
	int lane; /* strictest lane of the latest risk assessment, -1: none */
	bool failed;
};

static void timeline_free(struct timeline *t)
{
	for (size_t i = 0; i < t->n; i++) {
		json_decref(t->data[i]);
		free(t->text[2 * i]);
		free(t->text[2 * i + 1]);
	}
	free(t->ev);
	free(t->data);
	free(t->text);
	memset(t, 0, sizeof *t);
}

/* Whether an event's data is read here: by the measure, or for the lane
 * (on_event). Other events' data is left unparsed. */
static bool data_read(const char *type)
{
	return stage_event_data_read(type) ||
	       !strcmp(type, event_type_name(EVENT_DECLARATION_ASSESSED));
}

/* Add an event (strings copied; its data text parsed when data_read). */
static kerr timeline_add(struct timeline *t, const char *type, const char *at,
			 const char *agency, const char *data)
{
	int64_t us;
	if (!ktime_parse(at, &us))
		return KERR_STORE;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		if (cap > STAGE_MAX_EVENTS)
			return KERR_INVALID;
		struct stage_event *ev = realloc(t->ev, cap * sizeof *ev);
		if (ev)
			t->ev = ev;
		json_t **d = realloc(t->data, cap * sizeof *d);
		if (d)
			t->data = d;
		char **x = realloc(t->text, 2 * cap * sizeof *x);
		if (x)
			t->text = x;
		if (!ev || !d || !x)
			return KERR_NOMEM;
		t->cap = cap;
	}
	char *ty = strdup(type), *ag = agency ? strdup(agency) : NULL;
	json_t *js = data && *data && data_read(type) ? json_loads(data, 0, NULL) : NULL;
	if (!ty || (agency && !ag)) {
		free(ty);
		free(ag);
		json_decref(js);
		return KERR_NOMEM;
	}
	t->text[2 * t->n] = ty;
	t->text[2 * t->n + 1] = ag;
	t->data[t->n] = js;
	t->ev[t->n] = (struct stage_event){.type = ty, .at = us, .agency = ag, .data = js};
	t->n++;
	return KERR_OK;
}

/* The strictest lane any agency got (green < blue < yellow < red). */
static int strictest_lane(const json_t *data)
{
	const json_t *lanes = json_object_get(data, "lanes");
	const char *agency;
	const json_t *v;
	int worst = -1;
	enum risk_lane lane;
	json_object_foreach((json_t *)lanes, agency, v)
	{
		if (json_is_string(v) && risk_lane_parse(json_string_value(v), &lane) &&
		    (int)lane > worst)
			worst = (int)lane;
	}
	return worst;
}

static kerr on_event(void *arg, const struct event_row *e)
{
	struct timeline *t = arg;
	kerr k = timeline_add(t, e->type, e->at, e->agency, e->data);
	if (!k && !strcmp(e->type, event_type_name(EVENT_DECLARATION_ASSESSED)))
		t->lane = strictest_lane(t->data[t->n - 1]); /* the latest wins */
	return k;
}

/* The call's own milestones, from the call its consignment claims (read
 * with the declaration: repo_decl_measured_range): its arrival and departure
 * (the call's row holds the times the carrier or the terminal recorded
 * with conveyance.arrived and conveyance.departed) and, for an import,
 * when its original manifest was lodged. */
static kerr add_call(const struct decl_measured *m, bool import, struct timeline *t)
{
	kerr e = KERR_OK;
	if (*m->call_arrived_at)
		e = timeline_add(t, event_type_name(EVENT_CONVEYANCE_ARRIVED), m->call_arrived_at,
				 NULL, NULL);
	if (!e && *m->call_departed_at)
		e = timeline_add(t, event_type_name(EVENT_CONVEYANCE_DEPARTED),
				 m->call_departed_at, NULL, NULL);
	if (!e && import && m->has_manifest)
		e = timeline_add(t, event_type_name(EVENT_MANIFEST_LODGED), m->manifest_lodged_at,
				 NULL, NULL);
	return e;
}

/* The chapter (first two digits) of the item of most value. */
static void main_chapter(const struct declaration_facts *f, char out[3])
{
	const struct declaration_item *best = NULL;
	for (size_t i = 0; i < f->nitems; i++)
		if (!best || f->items[i].value > best->value)
			best = &f->items[i];
	out[0] = '\0';
	if (best && best->hs_code && strlen(best->hs_code) >= 2) {
		out[0] = best->hs_code[0];
		out[1] = best->hs_code[1];
		out[2] = '\0';
	}
}

/* A declaration as the measure reads it: its row and its call (found: the
 * store has it), and its timeline. */
struct measured {
	struct decl_measured m;
	bool found;
	struct timeline t;
	bool too_many; /* more events than a measure takes */
	bool from_page; /* its events are the page's (struct lodged) */
};

/* A declaration lodged in the page of the feed being read. Its lodging
 * wrote its first events, and every later event of it has a higher id
 * (it is written by a transaction that began after the lodging committed):
 * so the page holds all its events up to the page's last, and it is
 * measured from them without reading them again. An event of it after the
 * page is in a later page, which files it again from everything stored. */
struct lodged {
	char number[DECL_NUMBER_SIZE]; /* first: found by number (by_number) */
	struct timeline t;
	bool too_many;
};

/* Numbers read together: numbers[0..n) (sorted, each once), read as the
 * one range from the first to the last; a number in between that is not
 * one of them is read and passed over. */
struct run {
	const char (*numbers)[DECL_NUMBER_SIZE];
	size_t n;
	struct measured *d; /* d[i] is numbers[i]'s */
};

static int by_number(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The measure of one of the run's numbers, or NULL (found by its value,
 * whatever order the rows come in). */
static struct measured *run_find(struct run *r, const char *number)
{
	const char(*at)[DECL_NUMBER_SIZE] =
		bsearch(number, r->numbers, r->n, sizeof *r->numbers, by_number);
	return at ? &r->d[at - r->numbers] : NULL;
}

static kerr on_measured(void *arg, struct decl_measured *m)
{
	struct measured *d = run_find(arg, m->row.number);
	if (d) {
		d->m = *m;
		d->found = true;
		m->row.body = NULL; /* d keeps it */
	}
	return KERR_OK;
}

static kerr on_run_event(void *arg, const struct event_row *e)
{
	struct measured *d = run_find(arg, e->number);
	if (!d || d->too_many || d->from_page)
		return KERR_OK;
	kerr k = on_event(&d->t, e);
	if (k == KERR_INVALID) {
		d->too_many = true;
		return KERR_OK;
	}
	return k;
}

/* Measure one declaration as read; with an engine, file it (or drop its
 * row when it can no longer be measured); with out, copy the measurement
 * there (nothing measured when it cannot be). */
static kerr measure_declaration(struct stats *engine, const char *number, struct measured *md,
				struct stage_times *out)
{
	enum stage_direction dir;
	if (!stage_direction_of(number, &dir) || !md->found)
		return KERR_OK;
	const struct decl_row *row = &md->m.row;
	struct timeline *t = &md->t;
	struct declaration_facts f;
	bool facts = row->body && declaration_facts_load(row->body, &f);
	kerr e = KERR_OK;
	if (md->too_many)
		log_warn("statistics: declaration %s has too many events to measure", number);
	else
		e = add_call(&md->m, dir == STAGE_IMPORT, t);
	struct stage_times st;
	kerr none = stages_measure(dir, NULL, 0, 1000000, &st); /* nothing measured */
	if (!e && none)
		e = none;
	if (!e && !md->too_many) {
		e = stages_measure(dir, t->ev, t->n, 1000000, &st);
		if (e == KERR_INVALID) { /* beyond the measure's bounds: left out */
			log_warn("statistics: declaration %s cannot be measured", number);
			e = stages_measure(dir, NULL, 0, 1000000, &st);
		}
	}
	if (!e && out)
		*out = st;
	if (!e && engine) {
		char chapter[3] = "";
		if (facts)
			main_chapter(&f, chapter);
		struct stats_decl d = {.number = number};
		d.dim[STATS_DIM_OFFICE] = row->declaration_office;
		d.dim[STATS_DIM_PORT] = row->port;
		d.dim[STATS_DIM_TRANSPORT_MODE] = facts ? f.transport_mode : NULL;
		d.dim[STATS_DIM_LANE] = t->lane >= 0 ? risk_lane_name((enum risk_lane)t->lane)
						     : NULL;
		d.dim[STATS_DIM_CREDIT_CLASS] = md->m.consignee_credit;
		d.dim[STATS_DIM_TRADE_MODE] = facts ? f.trade_mode : NULL;
		d.dim[STATS_DIM_CHAPTER] = chapter;
		if (st.lodged_at == STAGE_NO_TIME) {
			e = stats_remove(engine, number);
			if (e == KERR_NOT_FOUND)
				e = KERR_OK;
		} else {
			e = stats_put(engine, &d, &st);
			if (e == KERR_INVALID) {
				log_warn("statistics: declaration %s is out of the engine's range",
					 number);
				e = KERR_OK;
			}
		}
	}
	if (facts)
		declaration_facts_free(&f);
	return e;
}

/* Read numbers[0..n) from the store as one range (two statements: the
 * rows, then the events) and measure each; with an engine file it, with
 * out (n is 1) copy its measurement there. With `lodged` (n of them, in
 * the numbers' order), a number with one has the events read with its
 * lodging (struct lodged, taken over), and the events are read only for
 * the range of those without one (not at all when all have one). */
static kerr measure_run(struct stats *engine, struct store_conn *c,
			const char (*numbers)[DECL_NUMBER_SIZE], size_t n, struct lodged **lodged,
			struct stage_times *out)
{
	struct run r = {.numbers = numbers, .n = n, .d = calloc(n, sizeof *r.d)};
	if (!r.d)
		return KERR_NOMEM;
	size_t lo = n, hi = 0; /* the numbers whose events are read */
	for (size_t i = 0; i < n; i++) {
		r.d[i].t.lane = -1;
		if (lodged && lodged[i]) { /* moved over: the page frees none of it */
			r.d[i].t = lodged[i]->t;
			r.d[i].too_many = lodged[i]->too_many;
			r.d[i].from_page = true;
			memset(&lodged[i]->t, 0, sizeof lodged[i]->t);
		} else {
			lo = lo < i ? lo : i;
			hi = i;
		}
	}
	kerr e = repo_decl_measured_range(c, numbers[0], numbers[n - 1],
					  manifest_kind_name(MANIFEST_ORIGINAL), on_measured, &r);
	if (!e && lo < n)
		e = repo_events_for_range(c, numbers[lo], numbers[hi], on_run_event, &r);
	for (size_t i = 0; !e && i < n; i++)
		e = measure_declaration(engine, numbers[i], &r.d[i], out);
	for (size_t i = 0; i < n; i++) {
		timeline_free(&r.d[i].t);
		decl_row_free(&r.d[i].m.row);
	}
	free(r.d);
	return e;
}

/* Touched numbers are filed in runs of at most FILE_RUN numbers, each at
 * most FILE_GAP after the one before (so of one office, year and
 * direction): what one office lodged in a page of the feed is one run. */
#define FILE_RUN 64
#define FILE_GAP 16

static bool close_after(const char *before, const char *number)
{
	long long a = strtoll(before, NULL, 10), b = strtoll(number, NULL, 10);
	return b > a && b - a <= FILE_GAP;
}

/* ------------------------------------------------------------------ */
/* following the feed                                                  */

/* What a page of the feed touched. */
struct touched {
	char (*numbers)[DECL_NUMBER_SIZE];
	size_t n, cap;
	struct lodged *lodged; /* the declarations lodged in the page */
	size_t nlodged, caplodged;
	char (*calls)[CALL_KEY_MAX];
	size_t ncalls;
	int64_t last_id;
	char last_at[TIME_TEXT_SIZE];
	char last_type[64];
	size_t read;
};

/* The declaration lodged in the page with this number, or NULL. */
static struct lodged *lodged_find(struct touched *t, const char *number)
{
	return t->nlodged ? bsearch(number, t->lodged, t->nlodged, sizeof *t->lodged, by_number)
			  : NULL;
}

/* File what a page touched: its numbers (sorted, each once), in runs; a
 * declaration lodged in the page is measured from the page's events. */
static kerr file_declarations(struct stats *engine, struct store_conn *c, struct touched *t)
{
	const char(*numbers)[DECL_NUMBER_SIZE] = (const char(*)[DECL_NUMBER_SIZE])t->numbers;
	struct lodged *lodged[FILE_RUN];
	kerr e = KERR_OK;
	for (size_t i = 0, n = t->n; !e && i < n;) {
		size_t j = i + 1;
		while (j < n && j - i < FILE_RUN && close_after(numbers[j - 1], numbers[j]))
			j++;
		for (size_t k = i; k < j; k++)
			lodged[k - i] = lodged_find(t, numbers[k]);
		e = measure_run(engine, c, numbers + i, j - i, lodged, NULL);
		i = j;
	}
	return e;
}

/* Numbers are collected as they come, repeats included, and made unique
 * once a page is read (unique_numbers): a call's milestone touches every
 * declaration on the call, which may be tens of thousands, so a look-up
 * per number would make reading the feed quadratic. */
static kerr touch_number(struct touched *t, const char *number)
{
	if (strlen(number) >= DECL_NUMBER_SIZE)
		return KERR_OK;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		void *p = realloc(t->numbers, cap * sizeof *t->numbers);
		if (!p)
			return KERR_NOMEM;
		t->numbers = p;
		t->cap = cap;
	}
	str_copy(t->numbers[t->n++], number, DECL_NUMBER_SIZE);
	return KERR_OK;
}

/* Sort the touched numbers and keep each once. */
static void unique_numbers(struct touched *t)
{
	if (t->n < 2)
		return;
	qsort(t->numbers, t->n, sizeof *t->numbers, by_number);
	size_t kept = 1;
	for (size_t i = 1; i < t->n; i++)
		if (strcmp(t->numbers[i], t->numbers[kept - 1]))
			memcpy(t->numbers[kept++], t->numbers[i], sizeof *t->numbers);
	t->n = kept;
}

/* Keep an event of a declaration lodged in the page (its lodging event
 * starts it); the events of the others are read again when filed. The
 * page's events come in id order, so a declaration's are found at the
 * end of the list or near it. */
static kerr keep_lodged(struct touched *t, const struct event_row *e)
{
	struct lodged *l = NULL;
	if (!strcmp(e->type, event_type_name(EVENT_DECLARATION_LODGED))) {
		if (strlen(e->number) >= DECL_NUMBER_SIZE)
			return KERR_OK;
		if (t->nlodged == t->caplodged) {
			size_t cap = t->caplodged ? 2 * t->caplodged : 16;
			void *p = realloc(t->lodged, cap * sizeof *t->lodged);
			if (!p)
				return KERR_NOMEM;
			t->lodged = p;
			t->caplodged = cap;
		}
		l = &t->lodged[t->nlodged++];
		memset(l, 0, sizeof *l);
		l->t.lane = -1;
		str_copy(l->number, e->number, sizeof l->number);
	} else {
		for (size_t i = t->nlodged; i-- > 0 && !l;)
			if (!strcmp(t->lodged[i].number, e->number))
				l = &t->lodged[i];
	}
	if (!l || l->too_many)
		return KERR_OK;
	kerr k = on_event(&l->t, e);
	if (k == KERR_INVALID) {
		l->too_many = true;
		return KERR_OK;
	}
	return k;
}

/* Sort the declarations lodged in the page by number, for lodged_find. */
static void sort_lodged(struct touched *t)
{
	if (t->nlodged > 1)
		qsort(t->lodged, t->nlodged, sizeof *t->lodged, by_number);
}

static void touched_free(struct touched *t)
{
	for (size_t i = 0; i < t->nlodged; i++)
		timeline_free(&t->lodged[i].t);
	free(t->lodged);
	free(t->numbers);
	free(t->calls);
}

/* A call's event that is a milestone of its declarations. */
static bool call_milestone(const char *type)
{
	return !strcmp(type, event_type_name(EVENT_CONVEYANCE_ARRIVED)) ||
	       !strcmp(type, event_type_name(EVENT_CONVEYANCE_DEPARTED)) ||
	       !strcmp(type, event_type_name(EVENT_MANIFEST_LODGED));
}

static kerr on_feed(void *arg, const struct event_row *e)
{
	struct touched *t = arg;
	t->last_id = e->id;
	str_copy(t->last_at, e->at, sizeof t->last_at);
	str_copy(t->last_type, e->type, sizeof t->last_type);
	t->read++;
	if (*e->number) {
		kerr k = touch_number(t, e->number);
		return k ? k : keep_lodged(t, e);
	}
	if (!e->call_key || !call_milestone(e->type) || strlen(e->call_key) >= CALL_KEY_MAX)
		return KERR_OK;
	for (size_t i = 0; i < t->ncalls; i++)
		if (!strcmp(t->calls[i], e->call_key))
			return KERR_OK;
	if (t->ncalls % 16 == 0) {
		void *p = realloc(t->calls, (t->ncalls + 16) * sizeof *t->calls);
		if (!p)
			return KERR_NOMEM;
		t->calls = p;
	}
	str_copy(t->calls[t->ncalls++], e->call_key, CALL_KEY_MAX);
	return KERR_OK;
}

/* A call's claims, read CALL_PAGE at a time (statistics_set_call_page). */
#define CALL_PAGE 1000
static int call_page = CALL_PAGE;

void statistics_set_call_page(int n)
{
	__atomic_store_n(&call_page, n > 0 ? n : CALL_PAGE, __ATOMIC_RELAXED);
}

/* A call's claims as read: their numbers, and the last claim's key. */
struct claims_read {
	struct touched *numbers;
	char last_bill[BILL_OF_LADING_MAX];
	int last_part;
	int read; /* in the last page */
};

static kerr on_claim(void *arg, const struct claim_key *k)
{
	struct claims_read *p = arg;
	str_copy(p->last_bill, k->bill, sizeof p->last_bill);
	p->last_part = k->split_part;
	p->read++;
	return touch_number(p->numbers, k->number);
}

/* Touch every declaration on a call whose arrival, departure or manifest
 * came (their start or end moved). A vessel may carry tens of thousands:
 * its claims are read a page at a time, so that what is held is their
 * numbers, not the rows. */
static kerr touch_call(struct store_conn *c, const char *call_key, struct touched *t)
{
	struct claims_read p = {.numbers = t};
	int page = __atomic_load_n(&call_page, __ATOMIC_RELAXED);
	char bill[BILL_OF_LADING_MAX];
	struct claim_key after = {.bill = bill};
	bool first = true;
	kerr e;
	do {
		if (!first) { /* the page after the last claim read */
			str_copy(bill, p.last_bill, sizeof bill);
			after.split_part = p.last_part;
		}
		p.read = 0;
		e = repo_claim_keys_of_call(c, call_key, first ? NULL : &after, page, on_claim,
					    &p);
		first = false;
	} while (!e && p.read == page);
	return e;
}

/* Take the turn to read the feed (one catch-up at a time), once the
 * snapshot is loaded: filing from event 0 would make it useless. */
static void follow_lock(struct statistics_state *st)
{
	pthread_mutex_lock(&st->follow);
	while (st->restoring)
		pthread_cond_wait(&st->restored, &st->follow);
}

/* Events read at a time (statistics_set_follow_page). */
static int follow_page = FOLLOW_PAGE;

void statistics_set_follow_page(int n)
{
	__atomic_store_n(&follow_page, n > 0 ? n : FOLLOW_PAGE, __ATOMIC_RELAXED);
}

/* With the turn: read the feed on from `after`, a page at a time, and file
 * what each page touched: until the feed is read, or at most max_pages
 * pages (> 0), after which *more says whether the last page was full. */
static kerr follow_pages(struct uow *u, int max_pages, bool *more)
{
	struct statistics_state *st = u->svc->statistics;
	struct store_conn *c;
	*more = false;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	/* everything: every declaration's events and every call's */
	const struct feed_view all = {.calls = true};
	int page = __atomic_load_n(&follow_page, __ATOMIC_RELAXED);
	for (int pages = 1;; pages++) {
		struct touched t = {.last_id = st->after};
		e = repo_events_feed(c, st->after, page, &all, on_feed, &t);
		for (size_t i = 0; !e && i < t.ncalls; i++)
			e = touch_call(c, t.calls[i], &t);
		unique_numbers(&t);
		sort_lodged(&t);
		if (!e)
			e = file_declarations(st->engine, c, &t);
		touched_free(&t);
		if (e)
			break;
		if (t.read) {
			st->mark.id = t.last_id;
			str_copy(st->mark.at, t.last_at, sizeof st->mark.at);
			str_copy(st->mark.type, t.last_type, sizeof st->mark.type);
		}
		st->after = t.last_id;
		if (t.read < (size_t)page)
			break;
		if (pages == max_pages) {
			*more = true;
			break;
		}
	}
	return e;
}

kerr statistics_follow(struct uow *u)
{
	struct statistics_state *st = u->svc->statistics;
	bool more;
	follow_lock(st);
	kerr e = follow_pages(u, 0, &more);
	pthread_mutex_unlock(&st->follow);
	return e;
}

kerr statistics_declaration(struct uow *u, const struct actor *a, const char *number,
			    struct stage_times *out, struct refusal *why)
{
	struct declaration d;
	kerr e = clearance_sees_details(a) ? clearance_load(u, a, number, false, &d)
					   : KERR_NOT_FOUND;
	if (e) {
		if (e == KERR_NOT_FOUND)
			refusal_say(why, "no declaration has that number");
		return e;
	}
	struct store_conn *c;
	e = uow_conn(u, &c);
	if (!e)
		e = measure_run(NULL, c, (const char (*)[DECL_NUMBER_SIZE])&d.row.number, 1, NULL,
				out);
	declaration_free(&d);
	return e;
}

/* The dimensions whose values are codes of a reference list: a value is
 * accepted when the list has it, or when a declaration was filed under it
 * (a code since taken out of the list still selects its history). A code
 * that is neither is a mistake, which an empty answer would hide. */
static const struct {
	enum stats_dim dim;
	const char *list, *what;
} coded_dims[] = {
	{STATS_DIM_OFFICE, "customs_offices", "a customs office"},
	{STATS_DIM_PORT, "ports", "a port"},
	{STATS_DIM_TRANSPORT_MODE, "transport_modes", "a transport mode"},
	{STATS_DIM_TRADE_MODE, "trade_modes", "a trade mode"},
};

static bool codes_known(struct uow *u, const struct stats_query *q, struct refusal *why)
{
	bool known = true;
	const struct refdata *ref = uow_refdata(u);
	struct stats *engine = u->svc->statistics->engine;
	for (size_t k = 0; k < sizeof coded_dims / sizeof coded_dims[0]; k++) {
		enum stats_dim d = coded_dims[k].dim;
		for (unsigned i = 0; i < q->nvalues[d]; i++) {
			const char *v = q->values[d][i];
			if (refdata_has(ref, coded_dims[k].list, v) || stats_has_value(engine, d, v))
				continue;
			char field[48];
			snprintf(field, sizeof field, "query:%s", stats_dim_name(d));
			refusal_field(why, field,
				      "\"%s\" is not %s of the reference data (GET "
				      "/v1/reference/%s) nor one any declaration was filed under",
				      v, coded_dims[k].what, coded_dims[k].list);
			known = false;
			break;
		}
	}
	return known;
}

kerr statistics_clearance(struct uow *u, const struct actor *a, const struct stats_query *q,
			  struct stats_result *out, struct refusal *why)
{
	if (a->system || (a->role != ROLE_ANALYST && a->role != ROLE_ADMIN)) {
		refusal_say(why, "clearance-time statistics are for analysts and admins");
		return KERR_FORBIDDEN;
	}
	kerr e = statistics_follow(u);
	if (!e) {
		if (!codes_known(u, q, why)) {
			refusal_say(why, "the selection is not valid");
			return KERR_INVALID;
		}
	}
	if (!e)
		e = stats_query(u->svc->statistics->engine, q, out);
	if (e == KERR_INVALID)
		refusal_say(why, "the selection is out of range");
	return e;
}

/* ------------------------------------------------------------------ */
/* the snapshot file                                                   */

static kerr write_all(void *arg, const void *bytes, size_t n)
{
	int fd = *(int *)arg;
	const char *p = bytes;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return KERR_STORE;
		p += w;
		n -= (size_t)w;
	}
	return KERR_OK;
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Save the engine and its mark: beside the file, synced, then renamed over
 * it; when the engine changed since the last save and, if only_when_due,
 * that save is STATISTICS_SAVE_EVERY_S old. A failure is logged, leaves
 * the previous file, and is tried again after the same time.
 *
 * The mark is taken first and `follow` let go: the engine written may be
 * newer than its mark (what the follower files meanwhile), never older, and
 * a start that reads again the events after the mark only files their
 * declarations again. So questions are not held for the writing; filing
 * waits for stats_save's read lock, the disk's sync for nothing. */
static void snapshot_save(struct services *s, bool only_when_due)
{
	struct statistics_state *st = s->statistics;
	const char *path = s->limits.statistics_file;
	if (!path || !*path)
		return;
	pthread_mutex_lock(&st->follow);
	bool go = st->after != st->saved_after && st->mark.id == st->after &&
		  (!only_when_due || seconds_since(&st->saved) >= STATISTICS_SAVE_EVERY_S);
	struct feed_mark mark = st->mark;
	if (go) /* the next try, whatever this one gives */
		clock_gettime(CLOCK_MONOTONIC, &st->saved);
	pthread_mutex_unlock(&st->follow);
	char tmp[4096];
	/* its own part file: servers sharing a directory may save at once */
	if (!go ||
	    (size_t)snprintf(tmp, sizeof tmp, "%s.%ld.part", path, (long)getpid()) >= sizeof tmp)
		return;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("statistics: cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	memcpy(mark.magic, MARK_MAGIC, sizeof mark.magic);
	kerr e = write_all(&fd, &mark, sizeof mark);
	if (!e)
		e = stats_save(st->engine, write_all, &fd);
	if (!e && fsync(fd))
		e = KERR_STORE;
	if (close(fd))
		e = e ? e : KERR_STORE;
	if (!e && rename(tmp, path))
		e = KERR_STORE;
	if (e) {
		log_warn("statistics: cannot save the snapshot %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return;
	}
	pthread_mutex_lock(&st->follow);
	st->saved_after = mark.id;
	pthread_mutex_unlock(&st->follow);
	log_info("statistics: %zu declarations saved to %s as of event %lld (%.1f s)",
		 stats_count(st->engine), path, (long long)mark.id, seconds_since(&t0));
}

/* The first event after `id - 1`, to check a snapshot's mark. */
static kerr on_mark(void *arg, const struct event_row *e)
{
	struct feed_mark *m = arg;
	m->id = e->id;
	str_copy(m->at, e->at, sizeof m->at);
	str_copy(m->type, e->type, sizeof m->type);
	return KERR_OK;
}

/* Load the snapshot file, if there is one and the store holds the very
 * event it was taken at; otherwise leave the engine empty (to be filled
 * from every event) and say why. Before the first catch-up, with `follow`
 * held. */
static void snapshot_load(struct services *s, struct store_conn *c)
{
	struct statistics_state *st = s->statistics;
	const char *path = s->limits.statistics_file;
	if (!path || !*path)
		return;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("statistics: cannot read %s: %s", path, strerror(errno));
		return;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct stat sb;
	void *map = MAP_FAILED;
	if (!fstat(fd, &sb) && sb.st_size > (off_t)sizeof(struct feed_mark))
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		log_warn("statistics: %s is not a snapshot; filing every declaration again", path);
		return;
	}
	struct feed_mark mark, found = {.id = 0};
	memcpy(&mark, map, sizeof mark);
	const char *why = NULL;
	const struct feed_view all = {.calls = true};
	if (memcmp(mark.magic, MARK_MAGIC, sizeof mark.magic) || mark.id <= 0 ||
	    !memchr(mark.at, '\0', sizeof mark.at) || !memchr(mark.type, '\0', sizeof mark.type))
		why = "is not a snapshot";
	else if (repo_events_feed(c, mark.id - 1, 1, &all, on_mark, &found))
		why = "could not be checked against the event feed";
	else if (found.id != mark.id || strcmp(found.at, mark.at) || strcmp(found.type, mark.type))
		why = "was taken of another database, or of this one before it was restored";
	else if (stats_load(st->engine, (const char *)map + sizeof mark,
			    (size_t)sb.st_size - sizeof mark))
		why = "is damaged, or of another version";
	munmap(map, (size_t)sb.st_size);
	if (why) {
		log_warn("statistics: the snapshot %s %s; filing every declaration again", path,
			 why);
		return;
	}
	st->after = st->saved_after = mark.id;
	st->mark = mark;
	clock_gettime(CLOCK_MONOTONIC, &st->saved);
	log_info("statistics: %zu declarations loaded from %s as of event %lld (%.1f s); "
		 "following the feed from there",
		 stats_count(st->engine), path, (long long)mark.id, seconds_since(&t0));
}

/* Load the snapshot, in a read-only unit of work on this thread's
 * connection; then let catching up begin. */
static void restore(struct services *s)
{
	struct statistics_state *st = s->statistics;
	pthread_mutex_lock(&st->follow);
	struct store_conn *c;
	if (!store_thread_conn(s->store, &c)) {
		struct uow u;
		uow_init(&u, s, c, false);
		struct store_conn *tx;
		if (!uow_conn(&u, &tx))
			snapshot_load(s, tx);
		uow_rollback(&u);
		uow_free(&u);
	}
	st->restoring = false;
	pthread_cond_broadcast(&st->restored);
	pthread_mutex_unlock(&st->follow);
}

/* ------------------------------------------------------------------ */
/* the follower thread                                                 */

/* Read without `lock`: statistics_follower_start takes `lock` and then
 * `follow`, so the catch-up, which holds `follow`, must not take `lock`.
 * Written under `lock`, atomically for this reader. */
static bool stopping(struct statistics_state *st)
{
	return __atomic_load_n(&st->stopping, __ATOMIC_ACQUIRE);
}

/* Catch up once, on this thread's connection, CATCH_UP_PAGES pages of the
 * feed to a read-only unit of work. Not all in one: a fill from every
 * event, or a follower behind a busy feed, would hold one transaction for
 * minutes, in which PostgreSQL never plans a statement again (it hears of
 * another session's ANALYZE only as a transaction takes its locks): one
 * planned while the tables were small stayed a scan of the whole table,
 * and the catch-up slowed as the tables grew (bench/README, issue 13,
 * thirteenth round). It keeps the turn throughout, so that an answer
 * waits for it as before, rather than reading the rest in its own
 * transaction. Between two units it may be told to stop: what it filed
 * so far is as of the last event it read, which a snapshot keeps. */
static void catch_up(struct services *s)
{
	struct statistics_state *st = s->statistics;
	struct store_conn *c;
	if (store_thread_conn(s->store, &c)) {
		log_warn("statistics: no connection to follow the feed");
		return;
	}
	bool more = true;
	kerr e = KERR_OK;
	follow_lock(st);
	while (more && !e && !stopping(st)) {
		struct uow u;
		uow_init(&u, s, c, false);
		e = follow_pages(&u, CATCH_UP_PAGES, &more);
		uow_rollback(&u);
		uow_free(&u);
	}
	pthread_mutex_unlock(&st->follow);
	if (e)
		log_warn("statistics: following the feed failed; the next answer retries");
}

static void *follower(void *arg)
{
	struct services *s = arg;
	struct statistics_state *st = s->statistics;
	uint64_t seen = 0;
	restore(s);  /* the engine as it was saved, if it still applies */
	catch_up(s); /* then every event stored since (all of them without) */
	snapshot_save(s, true); /* a fill from every event is worth keeping at once */
	pthread_mutex_lock(&st->lock);
	while (!st->stopping) {
		if (st->pokes == seen) {
			pthread_cond_wait(&st->poked, &st->lock);
			continue;
		}
		seen = st->pokes;
		pthread_mutex_unlock(&st->lock);
		catch_up(s);
		snapshot_save(s, true);
		/* Then a pause: under load one pass files what many commits
		 * wrote, instead of a pass (a transaction and two queries) for
		 * each. Answers lose nothing: each reads the feed up to date
		 * itself first. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += FOLLOW_PAUSE_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&st->lock);
		while (!st->stopping &&
		       pthread_cond_timedwait(&st->poked, &st->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

kerr statistics_follower_start(struct services *s)
{
	struct statistics_state *st = s->statistics;
	pthread_mutex_lock(&st->lock);
	kerr e = KERR_OK;
	if (!st->running) {
		__atomic_store_n(&st->stopping, false, __ATOMIC_RELEASE);
		pthread_mutex_lock(&st->follow);
		st->restoring = true;
		pthread_mutex_unlock(&st->follow);
		if (pthread_create(&st->thread, NULL, follower, s)) {
			pthread_mutex_lock(&st->follow);
			st->restoring = false;
			pthread_cond_broadcast(&st->restored);
			pthread_mutex_unlock(&st->follow);
			e = KERR_INTERNAL;
		} else {
			st->running = true;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return e;
}

void statistics_poke(struct services *s)
{
	struct statistics_state *st = s->statistics;
	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	st->pokes++;
	pthread_cond_signal(&st->poked);
	pthread_mutex_unlock(&st->lock);
}

void statistics_follower_stop(struct services *s)
{
	struct statistics_state *st = s->statistics;
	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	bool running = st->running;
	__atomic_store_n(&st->stopping, true, __ATOMIC_RELEASE);
	pthread_cond_signal(&st->poked);
	pthread_mutex_unlock(&st->lock);
	if (running) {
		pthread_join(st->thread, NULL);
		snapshot_save(s, false); /* what the next start would read again */
	}
	pthread_mutex_lock(&st->lock);
	st->running = false;
	pthread_mutex_unlock(&st->lock);
}
