/*
 * stats.c - the clearance-time statistics benchmark: generates N
 * declarations with realistic timelines at Guangdong's ports, measures each
 * with stages_measure, files it in kouan's statistics engine and in the
 * clearance_times table of SQLite and of PostgreSQL (the table proposed in
 * bench/sql/), then asks the same questions of the engine and, in SQL, of
 * each store, checks that every figure is the same, and prints the times
 * with their ratio, the build, the core count and N.
 *
 * The generator (one fixed seed): ports from data/reference/ports.json with
 * rough shares of traffic, the transport mode of the port's kind, credit
 * classes (advanced 30 %, standard 68 %, discredited 2 %), lanes that follow
 * credit, trade modes and commodity chapters with import and export mixes,
 * advance declarations, office hours for officers' reviews, inspections
 * booked and held, returns for correction, payment or a guarantee, and
 * long-tailed times at the gate. Lodgements spread over twelve months with
 * a working-day rhythm; the last days are still in progress.
 *
 * It prints figures and fails (status 1) only when the engine and SQL
 * disagree. It never reads or writes outside the SQLite file and the
 * PostgreSQL database it is given.
 *
 *   bench_stats [--n N] [--runs R] [--threads T] [--sqlite FILE | --no-sqlite]
 *               [--pg URL] [--schema-dir DIR] [--questions LIST]
 */
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/embedded.h"
#include "domain/stages.h"
#include "domain/stats.h"

#define MAX_EVENTS 64
#define DAY 86400LL
#define HOUR 3600LL
/* 2025-07-01T00:00:00+08:00: the first lodgement day */
#define PERIOD_START 1751299200LL
#define PERIOD_DAYS 365

/* ------------------------------------------------------------------ */
/* randomness (fixed seed)                                              */

#define BENCH_SEED 0x5DEECE66DULL
#include "random.h"

static double unit(void)
{
	return (double)(next_u64() >> 11) * (1.0 / 9007199254740992.0);
}

static bool chance(double p)
{
	return unit() < p;
}

/* A duration in seconds, log-normal with this median and spread: the long
 * tail of waiting times. */
static int64_t lognormal(double median_s, double sigma)
{
	double g = sqrt(-2.0 * log(unit() + 1e-12)) * cos(6.283185307179586 * unit());
	double v = median_s * exp(sigma * g);
	return v > 3.0e8 ? 300000000 : (int64_t)v;
}

/* ------------------------------------------------------------------ */
/* the ports and the mixes                                             */

struct port {
	char code[8];
	char office[8];
	char mode[2]; /* transport mode of the port's kind */
	unsigned weight;
};

static struct port ports[64];
static unsigned port_w[64], nports;

/* Rough shares of Guangdong's traffic by port (per mille); the others of
 * the list get a little. */
static unsigned traffic(const char *code)
{
	static const struct {
		const char *code;
		unsigned w;
	} big[] = {{"CNYTN", 170}, {"CNNSA", 150}, {"CNSHK", 90}, {"CNCWN", 50},
		   {"CNHUA", 70},  {"CNCAN", 70},  {"CNSZX", 50}, {"CNHUG", 60},
		   {"CNWJD", 20},  {"CNDGG", 30},  {"CNMWN", 30}, {"CNGBP", 30},
		   {"CNZUH", 20},  {"CNFOS", 15},  {"CNJMN", 10}, {"CNSWA", 10}};
	for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
		if (!strcmp(big[i].code, code))
			return big[i].w;
	return 4;
}

static void load_ports(void)
{
	const struct embedded_file *f = embedded_find("data/reference/ports.json");
	json_error_t err;
	json_t *doc = f ? json_loadb(f->data, f->size, 0, &err) : NULL;
	json_t *entries = json_object_get(doc, "entries"), *e;
	size_t i;
	if (!json_is_array(entries)) {
		fprintf(stderr, "bench_stats: data/reference/ports.json is not embedded\n");
		exit(2);
	}
	json_array_foreach(entries, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *office = json_string_value(json_object_get(e, "customs_office"));
		const char *kind = json_string_value(json_object_get(e, "kind"));
		if (!code || !office || !kind || nports == 64)
			continue; /* Hong Kong and Macau have no mainland office */
		struct port *p = &ports[nports];
		str_copy(p->code, code, sizeof p->code);
		str_copy(p->office, office, sizeof p->office);
		str_copy(p->mode, !strcmp(kind, "airport") ? "5" : !strcmp(kind, "land") ? "4" : "2",
			 sizeof p->mode);
		port_w[nports++] = traffic(code);
	}
	json_decref(doc);
}

static const char *const credit_names[] = {"advanced", "standard", "discredited"};
static const unsigned credit_w[] = {30, 68, 2};

static const char *const trade_imports[] = {"0110", "0615", "0214", "1210", "9610",
					    "1233", "2600", "4561"};
static const unsigned trade_imports_w[] = {600, 120, 60, 60, 60, 40, 10, 5};
static const char *const trade_exports[] = {"0110", "1039", "9710", "9810", "0214",
					    "0615", "9610", "4561"};
static const unsigned trade_exports_w[] = {600, 80, 60, 40, 80, 80, 60, 5};

/* chapters by rough share of the trade */
static const unsigned chapters_in[] = {85, 27, 26, 84, 87, 90, 39, 29, 12, 2,
				       3,  8,  44, 47, 74, 71, 30, 38, 40, 72};
static const unsigned chapters_in_w[] = {250, 120, 60, 110, 40, 40, 35, 30, 30, 20,
					 15,  15,  12, 12,  12, 12, 10, 10, 10, 8};
static const unsigned chapters_out[] = {85, 84, 94, 95, 61, 62, 64, 39, 73, 87,
					90, 42, 63, 83, 76, 29, 40, 44, 69, 96};
static const unsigned chapters_out_w[] = {300, 160, 50, 45, 40, 40, 30, 35, 30, 25,
					  25,  20, 20, 15, 12, 10, 10, 8,  8,  8};

/* ------------------------------------------------------------------ */
/* one declaration                                                     */

struct decl {
	char number[19];
	enum stage_direction dir;
	unsigned chapter_no;
	char port[8], office[8], mode[2], lane[8], credit[12], trade[5], chapter[3];
	struct stage_event ev[MAX_EVENTS];
	size_t n;
};

static json_t *advance_data, *finding_data;
static int64_t period_end; /* events after it have not happened yet */

static void add(struct decl *d, const char *type, int64_t at_s, const char *agency,
		const json_t *data)
{
	if (d->n < MAX_EVENTS && at_s <= period_end)
		d->ev[d->n++] = (struct stage_event){type, at_s * 1000000, agency, data};
}

/* A lodgement time: a working-day rhythm in China time. */
static int64_t lodgement_time(void)
{
	static const unsigned hour_w[24] = {2,  1,  1,  1,  1,  2,  4,  8,  20, 40, 45, 42,
					    25, 35, 45, 45, 40, 30, 18, 12, 8,  6,  4,  3};
	for (;;) {
		int64_t day = below(PERIOD_DAYS);
		int64_t local_day = PERIOD_START + 8 * HOUR + day * DAY;
		int wd = (int)(((local_day / DAY) + 3) % 7); /* Monday 0 */
		if (wd >= 5 && !chance(0.35))
			continue; /* weekends are quieter */
		return PERIOD_START + day * DAY + weighted(hour_w, 24) * HOUR + below(3600);
	}
}

/* When an officer finishes a review begun at t: within office hours
 * (08:30-17:30 China time on working days) unless the office works 7x24. */
static int64_t review_done(int64_t t, bool around_the_clock, double median_s)
{
	int64_t work = lognormal(median_s, 0.9);
	if (around_the_clock)
		return t + work;
	for (;;) {
		int64_t local = t + 8 * HOUR, sod = local % DAY;
		int wd = (int)((local / DAY + 3) % 7);
		if (wd < 5 && sod >= 8 * HOUR + 1800 && sod < 17 * HOUR + 1800) {
			int64_t left = 17 * HOUR + 1800 - sod;
			if (work <= left)
				return t + work;
			work -= left;
			t += left;
		} else {
			/* to the next opening */
			int64_t next = local - sod + 8 * HOUR + 1800 + (sod >= 8 * HOUR + 1800 ? DAY : 0);
			t = next - 8 * HOUR;
		}
	}
}

static const char *pick_lane(int credit, bool exp)
{
	static const unsigned w[3][4] = {{920, 50, 25, 5}, {720, 60, 180, 40}, {50, 0, 200, 750}};
	static const unsigned wx[3][4] = {{950, 30, 18, 2}, {880, 30, 75, 15}, {100, 0, 200, 700}};
	static const char *const lanes[] = {"green", "blue", "yellow", "red"};
	return lanes[weighted(exp ? wx[credit] : w[credit], 4)];
}

/* The agency work after assessment at t: returns when every task is
 * cleared, or -1 when the declaration was rejected. */
static int64_t agencies(struct decl *d, int64_t t, bool around_the_clock)
{
	bool quarantine = (d->chapter_no <= 24 || d->chapter_no == 44) && !chance(0.2);
	const char *lane = d->lane;
	int64_t done = t;
	add(d, "task.opened", t, "customs", NULL);
	if (quarantine)
		add(d, "task.opened", t, "quarantine", NULL);
	if (!strcmp(lane, "green") || !strcmp(lane, "blue")) {
		add(d, "task.cleared", t, "customs", NULL);
		if (quarantine)
			add(d, "task.cleared", t, "quarantine", NULL);
		return t;
	}
	if (!strcmp(lane, "yellow")) {
		int64_t r = review_done(t, around_the_clock, 40 * 60);
		if (chance(0.04)) {
			/* returned for correction, corrected, reviewed again */
			add(d, "task.returned", r, "customs", NULL);
			add(d, "declaration.returned", r, NULL, NULL);
			int64_t c = r + lognormal(5 * HOUR, 1.1);
			add(d, "declaration.corrected", c, NULL, NULL);
			add(d, "task.reopened", c, "customs", NULL);
			add(d, "declaration.assessed", c, NULL, NULL);
			r = review_done(c, around_the_clock, 30 * 60);
		}
		add(d, "task.cleared", r, "customs", NULL);
		if (quarantine)
			add(d, "task.cleared", t, "quarantine", NULL);
		return r;
	}
	/* red: one joint inspection, booked by the trader */
	const char *who = quarantine && chance(0.6) ? "quarantine" : "customs";
	add(d, "task.inspection_ordered", t, who, NULL);
	if (quarantine && strcmp(who, "quarantine"))
		add(d, "task.cleared", t, "quarantine", NULL);
	if (strcmp(who, "customs"))
		add(d, "task.cleared", review_done(t, around_the_clock, 20 * 60), "customs", NULL);
	add(d, "inspection.opened", t, who, NULL);
	int64_t booked = t + lognormal(2 * HOUR, 1.0);
	int64_t done_at = booked + lognormal(9 * HOUR, 0.8);
	add(d, "inspection.booked", booked, NULL, NULL);
	if (chance(0.01)) {
		add(d, "task.rejected", done_at, who, finding_data);
		add(d, "declaration.rejected", done_at, NULL, NULL);
		return -1;
	}
	if (chance(0.06)) {
		add(d, "task.returned", done_at, who, finding_data);
		add(d, "declaration.returned", done_at, NULL, NULL);
		add(d, "inspection.completed", done_at, NULL, NULL);
		int64_t c = done_at + lognormal(10 * HOUR, 1.0);
		add(d, "declaration.corrected", c, NULL, NULL);
		add(d, "task.reopened", c, who, NULL);
		done = review_done(c, around_the_clock, 60 * 60);
		add(d, "task.cleared", done, who, NULL);
		return done;
	}
	add(d, "task.cleared", done_at, who, finding_data);
	add(d, "inspection.completed", done_at, NULL, NULL);
	return done_at;
}

static void make_import(struct decl *d, int64_t lodged, bool around_the_clock, int credit)
{
	bool sea = d->mode[0] == '2', air = d->mode[0] == '5';
	bool advance = chance(credit == 0 ? 0.6 : 0.35);
	int64_t arrival = advance ? lodged + lognormal(20 * HOUR, 0.8)
				  : lodged - lognormal(sea ? 8 * HOUR : air ? 3 * HOUR : 1800, 1.0);
	if (sea)
		add(d, "manifest.lodged", arrival - lognormal(48 * HOUR, 0.5), NULL, NULL);
	else if (air)
		add(d, "manifest.lodged", arrival - lognormal(4 * HOUR, 0.5), NULL, NULL);
	add(d, "conveyance.arrived", arrival, NULL, NULL);
	add(d, "declaration.lodged", lodged, NULL, advance ? advance_data : NULL);
	if (chance(0.004)) {
		add(d, "declaration.accepted", lodged, NULL, NULL);
		add(d, "declaration.withdrawn", lodged + lognormal(10 * HOUR, 1.0), NULL, NULL);
		return;
	}
	/* kouan accepts, assesses the risk and the duties in the lodging
	 * request itself */
	add(d, "declaration.accepted", lodged, NULL, NULL);
	add(d, "declaration.assessed", lodged, NULL, NULL);
	add(d, "duties.assessed", lodged, NULL, NULL);
	int64_t cleared = agencies(d, lodged, around_the_clock);
	if (cleared < 0)
		return;
	int64_t paid = credit == 0 ? lodged : lodged + lognormal(40 * 60, 1.2);
	add(d, credit == 0 ? "guarantee.drawn" : "duties.paid", paid, NULL, NULL);
	int64_t released = cleared > paid ? cleared : paid;
	if (released < arrival && !air)
		released = arrival + lognormal(1800, 0.7); /* goods must be there */
	add(d, "declaration.released", released, NULL, NULL);
	int64_t leave = released + lognormal(sea ? 16 * HOUR : air ? 3 * HOUR : 40 * 60, 0.9);
	for (unsigned c = 0, n = sea ? 1 + below(3) : 1; c < n; c++)
		add(d, "container.gated_out", leave + below(4 * 3600), NULL, NULL);
}

static void make_export(struct decl *d, int64_t lodged, bool around_the_clock)
{
	bool sea = d->mode[0] == '2', air = d->mode[0] == '5', road = d->mode[0] == '4';
	int64_t gate_in = lodged + (chance(0.8) ? lognormal(6 * HOUR, 1.0) : -lognormal(3 * HOUR, 1.0));
	add(d, "declaration.lodged", lodged, NULL, NULL);
	add(d, "container.gated_in", gate_in, NULL, NULL);
	add(d, "declaration.accepted", lodged, NULL, NULL);
	add(d, "declaration.assessed", lodged, NULL, NULL);
	int64_t cleared = agencies(d, lodged, around_the_clock);
	if (cleared < 0)
		return;
	int64_t released = (cleared > gate_in ? cleared : gate_in) + lognormal(600, 1.0);
	add(d, "declaration.released", released, NULL, NULL);
	if (road) {
		add(d, "conveyance.departed", released + lognormal(1200, 0.8), NULL, NULL);
		return;
	}
	int64_t loaded = released + lognormal(sea ? 14 * HOUR : air ? 4 * HOUR : 8 * HOUR, 0.8);
	add(d, "container.loaded", loaded, NULL, NULL);
	add(d, "conveyance.departed", loaded + lognormal(sea ? 8 * HOUR : 2 * HOUR, 0.8), NULL,
	    NULL);
}

static void make_decl(struct decl *d, uint64_t seq)
{
	const struct port *p = &ports[weighted(port_w, nports)];
	int credit = (int)weighted(credit_w, 3);
	int64_t lodged = lodgement_time();
	bool exp = chance(0.45);
	/* the big ports clear around the clock by appointment */
	bool around_the_clock = traffic(p->code) >= 50;

	memset(d, 0, sizeof *d);
	d->dir = exp ? STAGE_EXPORT : STAGE_IMPORT;
	str_copy(d->port, p->code, sizeof d->port);
	str_copy(d->office, p->office, sizeof d->office);
	str_copy(d->mode, p->mode, sizeof d->mode);
	str_copy(d->credit, credit_names[credit], sizeof d->credit);
	str_copy(d->lane, pick_lane(credit, exp), sizeof d->lane);
	str_copy(d->trade, exp ? trade_exports[weighted(trade_exports_w, 8)]
			       : trade_imports[weighted(trade_imports_w, 8)],
		 sizeof d->trade);
	d->chapter_no = exp ? chapters_out[weighted(chapters_out_w, 20)]
			    : chapters_in[weighted(chapters_in_w, 20)];
	snprintf(d->chapter, sizeof d->chapter, "%02u", d->chapter_no % 100u);
	snprintf(d->number, sizeof d->number, "%.4s%04u%c%09llu", p->office,
		 (unsigned)ktime_year(lodged * 1000000) % 10000u, exp ? '0' : '1',
		 (unsigned long long)(seq % 1000000000ull));
	if (exp)
		make_export(d, lodged, around_the_clock);
	else
		make_import(d, lodged, around_the_clock, credit);
}

/* ------------------------------------------------------------------ */
/* timing                                                              */

static double seconds_now(clockid_t clock);

/* The snapshot a server saves between starts: write it to a temporary
 * file (synced, as the server does), load it into a new engine, and check
 * the new engine answers the whole year as the first. Prints the times;
 * false when the answers differ or a step fails. */
static kerr snapshot_write(void *arg, const void *bytes, size_t n)
{
	return fwrite(bytes, 1, n, arg) == n ? KERR_OK : KERR_STORE;
}

static bool snapshot_round(struct stats *engine, size_t n)
{
	char path[] = "/tmp/kouan-bench-stats-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		fprintf(stderr, "bench_stats: cannot make a temporary file\n");
		return false;
	}
	double a = seconds_now(CLOCK_MONOTONIC);
	bool ok = stats_save(engine, snapshot_write, f) == KERR_OK && fflush(f) == 0;
	double written = seconds_now(CLOCK_MONOTONIC);
	ok = ok && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	double b = seconds_now(CLOCK_MONOTONIC);
	/* mapped, as the server reads it */
	size_t len = 0;
	void *bytes = MAP_FAILED;
	struct stat sb;
	fd = open(path, O_RDONLY);
	if (ok && fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size > 0) {
		len = (size_t)sb.st_size;
		bytes = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	struct stats *copy = NULL;
	double c = seconds_now(CLOCK_MONOTONIC);
	ok = bytes != MAP_FAILED && stats_new(1, &copy) == KERR_OK &&
	     stats_load(copy, bytes, len) == KERR_OK;
	double d = seconds_now(CLOCK_MONOTONIC);
	if (bytes != MAP_FAILED)
		munmap(bytes, len);
	if (ok) {
		struct stats_query q;
		struct stats_result r1, r2;
		stats_query_init(&q);
		ok = stats_query(engine, &q, &r1) == KERR_OK && stats_query(copy, &q, &r2) == KERR_OK;
		json_t *j1 = ok ? stats_result_json(&q, &r1) : NULL;
		json_t *j2 = ok ? stats_result_json(&q, &r2) : NULL;
		ok = j1 && j2 && json_equal(j1, j2);
		json_decref(j1);
		json_decref(j2);
	}
	stats_free(copy);
	printf("  snapshot         %.1f s to save %zu bytes (%.1f a declaration: %.1f s to write"
	       " under the engine's read lock, %.1f s to sync), %.1f s to load (mapped); %s\n",
	       b - a, len, (double)len / (double)n, written - a, b - written, d - c,
	       ok ? "the loaded engine answers the same" : "FAILED");
	return ok;
}

static double seconds_now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------------ */
/* the table's rows                                                    */

static const char *const stage_columns[STAGE_COUNT] = {
#define COLUMN(id, name, title, ends, party, dirs, anchor) name "_s",
	STAGE_MAP(COLUMN)
#undef COLUMN
};

/* One row as text fields (NULL for SQL NULL), in the table's column order. */
#define NCOLUMNS (14 + STAGE_COUNT + 1)
struct row_text {
	const char *v[NCOLUMNS];
	char buf[NCOLUMNS][24];
};

static void set_int(struct row_text *r, int i, long long x)
{
	snprintf(r->buf[i], sizeof r->buf[i], "%lld", x);
	r->v[i] = r->buf[i];
}

static void row_of(const struct decl *d, const struct stage_times *t, struct row_text *r)
{
	int i = 0;
	r->v[i++] = d->number;
	r->v[i++] = stage_direction_name(d->dir);
	set_int(r, i++, t->lodged_at / 1000000);
	r->v[i++] = d->office;
	r->v[i++] = d->port;
	r->v[i++] = d->mode;
	r->v[i++] = d->lane;
	r->v[i++] = d->credit;
	r->v[i++] = d->trade;
	r->v[i++] = d->chapter;
	r->v[i++] = stage_outcome_name(t->outcome);
	r->v[i++] = stage_total_name(t->total_kind);
	set_int(r, i++, t->flags);
	for (int s = 0; s < STAGE_COUNT; s++, i++) {
		if (t->stage[s] == STAGE_ABSENT)
			r->v[i] = NULL;
		else
			set_int(r, i, t->stage[s] / 1000000);
	}
	if (t->total == STAGE_ABSENT)
		r->v[i++] = NULL;
	else
		set_int(r, i++, t->total / 1000000);
	r->v[i++] = "2026-07-01T00:00:00Z";
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;
	if (!f)
		return NULL;
	buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&b, chunk, n)) {
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	fclose(f);
	return buf_take(&b);
}

/* ------------------------------------------------------------------ */
/* SQLite                                                              */

static sqlite3 *lite;
static sqlite3_stmt *lite_insert;

static void lite_exec(const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(lite, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench_stats: SQLite: %s\n  in: %.200s\n", err, sql);
		exit(2);
	}
}

static void lite_open(const char *path, const char *schema)
{
	unlink(path);
	if (sqlite3_open(path, &lite) != SQLITE_OK) {
		fprintf(stderr, "bench_stats: cannot open %s\n", path);
		exit(2);
	}
	/* loading: one transaction, no journal; querying: a large cache,
	 * memory-mapped reads and sorts in memory */
	lite_exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
		  " PRAGMA cache_size = -1048576; PRAGMA mmap_size = 4294967296;"
		  " PRAGMA temp_store = MEMORY;");
	lite_exec(schema);
	/* the indexes are made after the load */
	lite_exec("DROP INDEX clearance_times_period; DROP INDEX clearance_times_office;"
		  " DROP INDEX clearance_times_port;");
	struct buf sql;
	kerr e;
	buf_init(&sql, 1024);
	e = buf_puts(&sql, "INSERT INTO clearance_times VALUES (?");
	for (int i = 1; i < NCOLUMNS && !e; i++)
		e = buf_puts(&sql, ", ?");
	if (!e)
		e = buf_puts(&sql, ")");
	if (e || sqlite3_prepare_v2(lite, sql.data, -1, &lite_insert, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_stats: SQLite: %s\n", sqlite3_errmsg(lite));
		exit(2);
	}
	buf_free(&sql);
	lite_exec("BEGIN");
}

static void lite_row(const struct row_text *r)
{
	for (int i = 0; i < NCOLUMNS; i++) {
		if (!r->v[i])
			sqlite3_bind_null(lite_insert, i + 1);
		else if (r->v[i] == r->buf[i])
			sqlite3_bind_int64(lite_insert, i + 1, strtoll(r->v[i], NULL, 10));
		else
			sqlite3_bind_text(lite_insert, i + 1, r->v[i], -1, SQLITE_STATIC);
	}
	if (sqlite3_step(lite_insert) != SQLITE_DONE) {
		fprintf(stderr, "bench_stats: SQLite insert: %s\n", sqlite3_errmsg(lite));
		exit(2);
	}
	sqlite3_reset(lite_insert);
}

static void lite_finish(void)
{
	sqlite3_finalize(lite_insert);
	lite_exec("COMMIT");
	lite_exec("CREATE INDEX clearance_times_period ON clearance_times (direction, lodged_at_s);"
		  " CREATE INDEX clearance_times_office ON clearance_times (office, lodged_at_s);"
		  " CREATE INDEX clearance_times_port ON clearance_times (port, lodged_at_s);"
		  " ANALYZE;");
}

/* ------------------------------------------------------------------ */
/* PostgreSQL                                                          */

static PGconn *pg;
static struct buf pg_copy;

static PGresult *pg_do(const char *sql, ExecStatusType want)
{
	PGresult *res = PQexec(pg, sql);
	if (PQresultStatus(res) != want) {
		fprintf(stderr, "bench_stats: PostgreSQL: %s  in: %.300s\n", PQerrorMessage(pg), sql);
		exit(2);
	}
	return res;
}

static void pg_open(const char *url, const char *schema)
{
	pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "bench_stats: PostgreSQL: %s", PQerrorMessage(pg));
		exit(2);
	}
	PQclear(pg_do("SET client_min_messages = warning; DROP TABLE IF EXISTS clearance_times",
		      PGRES_COMMAND_OK));
	PQclear(pg_do(schema, PGRES_COMMAND_OK));
	PQclear(pg_do("DROP INDEX clearance_times_period; DROP INDEX clearance_times_office;"
		      " DROP INDEX clearance_times_port",
		      PGRES_COMMAND_OK));
	PQclear(pg_do("COPY clearance_times FROM STDIN", PGRES_COPY_IN));
	buf_init(&pg_copy, 64 << 20);
}

static void pg_flush(void)
{
	if (pg_copy.len && PQputCopyData(pg, pg_copy.data, (int)pg_copy.len) != 1) {
		fprintf(stderr, "bench_stats: COPY: %s", PQerrorMessage(pg));
		exit(2);
	}
	buf_reset(&pg_copy);
}

static void pg_row(const struct row_text *r)
{
	kerr e = KERR_OK;
	for (int i = 0; i < NCOLUMNS && !e; i++)
		e = buf_printf(&pg_copy, "%s%s", i ? "\t" : "", r->v[i] ? r->v[i] : "\\N");
	if (!e)
		e = buf_puts(&pg_copy, "\n");
	if (e) {
		fprintf(stderr, "bench_stats: COPY buffer\n");
		exit(2);
	}
	if (pg_copy.len > (32 << 20))
		pg_flush();
}

static void pg_finish(void)
{
	pg_flush();
	buf_free(&pg_copy);
	if (PQputCopyEnd(pg, NULL) != 1) {
		fprintf(stderr, "bench_stats: COPY end: %s", PQerrorMessage(pg));
		exit(2);
	}
	PGresult *res = PQgetResult(pg);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bench_stats: COPY: %s", PQerrorMessage(pg));
		exit(2);
	}
	PQclear(res);
	PQclear(pg_do("CREATE INDEX clearance_times_period ON clearance_times (direction, lodged_at_s);"
		      " CREATE INDEX clearance_times_office ON clearance_times (office, lodged_at_s);"
		      " CREATE INDEX clearance_times_port ON clearance_times (port, lodged_at_s);"
		      " ANALYZE clearance_times",
		      PGRES_COMMAND_OK));
	/* analytics get room to sort in memory */
	PQclear(pg_do("SET work_mem = '512MB'", PGRES_COMMAND_OK));
}

static void pg_settings(void)
{
	static const char *const names[] = {"server_version", "fsync", "synchronous_commit",
					    "shared_buffers", "work_mem",
					    "max_parallel_workers_per_gather"};
	printf("  PostgreSQL settings:");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char sql[80];
		snprintf(sql, sizeof sql, "SHOW %s", names[i]);
		PGresult *res = pg_do(sql, PGRES_TUPLES_OK);
		printf(" %s=%s", names[i], PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	printf("\n");
}

/* ------------------------------------------------------------------ */
/* the questions in SQL                                                */

enum backend {
	SQLITE,
	POSTGRES
};

/* Rows of a query: cb(row fields as text, NULL for NULL) for each. */
typedef void (*row_cb)(const char *const *v, int n, void *ctx);

#define SQL_FIELDS 128

static void sql_rows(enum backend be, const char *sql, row_cb cb, void *ctx)
{
	const char *v[SQL_FIELDS];
	if (be == SQLITE) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(lite, sql, -1, &st, NULL) != SQLITE_OK) {
			fprintf(stderr, "bench_stats: SQLite: %s\n  in: %s\n", sqlite3_errmsg(lite), sql);
			exit(2);
		}
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int n = sqlite3_column_count(st);
			n = n < SQL_FIELDS ? n : SQL_FIELDS;
			for (int i = 0; i < n; i++)
				v[i] = (const char *)sqlite3_column_text(st, i);
			cb(v, n, ctx);
		}
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "bench_stats: SQLite: %s\n", sqlite3_errmsg(lite));
			exit(2);
		}
		sqlite3_finalize(st);
		return;
	}
	PGresult *res = pg_do(sql, PGRES_TUPLES_OK);
	for (int r = 0; r < PQntuples(res); r++) {
		int n = PQnfields(res);
		n = n < SQL_FIELDS ? n : SQL_FIELDS;
		for (int i = 0; i < n; i++)
			v[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
		cb(v, n, ctx);
	}
	PQclear(res);
}

static unsigned long long num(const char *s)
{
	return s ? strtoull(s, NULL, 10) : 0;
}

/* " AND column IN ('a', 'b')" for the names of the bits set. */
static kerr in_names(struct buf *w, const char *column, unsigned bits, int n,
		     const char *(*name)(int))
{
	const char *sep = "(";
	kerr e = buf_printf(w, " AND %s IN ", column);
	for (int i = 0; i < n && !e; i++)
		if (bits >> i & 1) {
			e = buf_printf(w, "%s'%s'", sep, name(i));
			sep = ", ";
		}
	return e ? e : buf_puts(w, ")");
}

static const char *outcome_name(int i)
{
	return stage_outcome_name((enum stage_outcome)i);
}

static const char *total_name(int i)
{
	return stage_total_name((enum stage_total)i);
}

/* The WHERE clause of a question for one direction. */
static void where_of(const struct stats_query *q, enum stage_direction dir, struct buf *w)
{
	kerr e = buf_printf(w, "direction = '%s'", stage_direction_name(dir));
	if (!e)
		e = in_names(w, "outcome", q->outcomes, OUTCOME_COUNT, outcome_name);
	if (!e)
		e = in_names(w, "total_kind", q->totals, TOTAL_KINDS, total_name);
	if (!e && q->from_us != INT64_MIN)
		e = buf_printf(w, " AND lodged_at_s >= %lld", (long long)(q->from_us / 1000000));
	if (!e && q->to_us != INT64_MAX)
		e = buf_printf(w, " AND lodged_at_s < %lld", (long long)(q->to_us / 1000000));
	if (!e && q->flags_set)
		e = buf_printf(w, " AND (flags & %u) = %u", q->flags_set, q->flags_set);
	if (!e && q->flags_clear)
		e = buf_printf(w, " AND (flags & %u) = 0", q->flags_clear);
	for (int d = 0; d < STATS_DIM_COUNT && !e; d++) {
		if (!q->nvalues[d])
			continue;
		e = buf_printf(w, " AND %s IN (", stats_dim_name(d));
		for (size_t i = 0; i < q->nvalues[d] && !e; i++)
			e = buf_printf(w, "%s'%s'", i ? ", " : "", q->values[d][i]);
		if (!e)
			e = buf_puts(w, ")");
	}
	if (e) {
		fprintf(stderr, "bench_stats: WHERE too long\n");
		exit(2);
	}
}

struct measure_ctx {
	struct stats_measure *m;
	uint32_t *p25, *p75;
};

/* count, sum, max, mean, p25, p50, p75, p90, p95 */
static void measure_row(const char *const *v, int n, void *ctx)
{
	struct measure_ctx *c = ctx;
	(void)n;
	c->m->count = num(v[0]);
	c->m->sum = num(v[1]);
	c->m->max = (uint32_t)num(v[2]);
	c->m->mean = (uint32_t)num(v[3]);
	if (c->p25)
		*c->p25 = (uint32_t)num(v[4]);
	c->m->median = (uint32_t)num(v[5]);
	if (c->p75)
		*c->p75 = (uint32_t)num(v[6]);
	c->m->p90 = (uint32_t)num(v[7]);
	c->m->p95 = (uint32_t)num(v[8]);
}

/* PostgreSQL gives the percentiles as an array: {a,b,c,d,e}. */
static void pg_measures_row(const char *const *v, int n, void *ctx)
{
	struct measure_ctx *c = ctx; /* one per column group of 5 */
	for (int g = 0; g * 5 < n; g++) {
		const char *a = v[g * 5 + 4];
		const char *f[9] = {v[g * 5], v[g * 5 + 1], v[g * 5 + 2], v[g * 5 + 3]};
		char parts[5][24] = {{0}};
		if (a) {
			int k = 0;
			size_t len = 0;
			for (const char *p = a + 1; *p && k < 5; p++) {
				if (*p == ',' || *p == '}') {
					k++;
					len = 0;
				} else if (len < sizeof parts[0] - 1) {
					parts[k][len++] = *p;
				}
			}
			for (int i = 0; i < 5; i++)
				f[4 + i] = parts[i];
		}
		measure_row(f, 9, &c[g]);
	}
}

struct group_ctx {
	struct stats_group *g;
	int n;
};

/* group, count, sum, mean, median */
static void group_row(const char *const *v, int n, void *ctx)
{
	struct group_ctx *c = ctx;
	int i = (int)num(v[0]);
	(void)n;
	if (i < 0 || i >= c->n)
		return;
	c->g[i].count = num(v[1]);
	c->g[i].sum = num(v[2]);
	c->g[i].mean = (uint32_t)num(v[3]);
	c->g[i].median = (uint32_t)num(v[4]);
}

static void decl_row(const char *const *v, int n, void *ctx)
{
	struct stats_direction *d = ctx;
	enum stage_total k;
	(void)n;
	if (stage_total_parse(v[0], &k)) {
		d->by_total[k] = num(v[1]);
		d->declarations += num(v[1]);
	}
}

static void within_row(const char *const *v, int n, void *ctx)
{
	struct stats_direction *d = ctx;
	for (int i = 0; i < n && i < (int)d->ntargets; i++)
		d->within[i] = num(v[i]);
}

static void count_row(const char *const *v, int n, void *ctx)
{
	(void)n;
	*(uint64_t *)ctx = num(v[0]);
}

struct outlier_ctx {
	struct stats_direction *d;
	enum stage_direction dir;
};

/* number, total, then every stage column */
static void outlier_row(const char *const *v, int n, void *ctx)
{
	struct outlier_ctx *c = ctx;
	struct stats_outlier *o = &c->d->outlier[c->d->noutliers++];
	(void)n;
	str_copy(o->number, v[0], sizeof o->number);
	o->total_s = (uint32_t)num(v[1]);
	o->slowest = STAGE_COUNT;
	o->slowest_s = 0;
	for (int s = 0; s < STAGE_COUNT; s++) {
		if (!stage_applies(c->dir, s) || !v[2 + s])
			continue;
		uint32_t x = (uint32_t)num(v[2 + s]);
		if (o->slowest == STAGE_COUNT || x > o->slowest_s) {
			o->slowest = (enum stage)s;
			o->slowest_s = x;
		}
	}
}

#define SQL_MAX (1 << 16)

static void sql_direction(enum backend be, const struct stats_query *q, enum stage_direction dir,
			  struct stats_direction *d)
{
	struct buf w, sql;
	kerr e = KERR_OK;
	static const char *const pct_pg = "ARRAY[0.25, 0.5, 0.75, 0.9, 0.95]";

	memset(d, 0, sizeof *d);
	d->asked = true;
	d->slowest = -1;
	d->ntargets = q->ntargets[dir];
	memcpy(d->target_s, q->target_s[dir], sizeof d->target_s);
	buf_init(&w, SQL_MAX);
	buf_init(&sql, SQL_MAX);
	where_of(q, dir, &w);

	e = buf_printf(&sql, "SELECT total_kind, COUNT(*) FROM clearance_times WHERE %s"
			     " GROUP BY total_kind",
		       w.data);
	if (!e)
		sql_rows(be, sql.data, decl_row, d);

	/* every stage of the direction and the total */
	enum stage cols[STAGE_COUNT + 1];
	int ncols = 0;
	for (int s = 0; s < STAGE_COUNT; s++)
		if (stage_applies(dir, s))
			cols[ncols++] = (enum stage)s;
	cols[ncols++] = STAGE_COUNT; /* the total */
	struct measure_ctx mc[STAGE_COUNT + 1];
	for (int i = 0; i < ncols; i++)
		mc[i] = (struct measure_ctx){
			cols[i] == STAGE_COUNT ? &d->total : &d->stage[cols[i]],
			cols[i] == STAGE_COUNT ? &d->p25 : NULL, cols[i] == STAGE_COUNT ? &d->p75 : NULL};
	if (be == POSTGRES) {
		buf_reset(&sql);
		e = buf_puts(&sql, "SELECT ");
		for (int i = 0; i < ncols && !e; i++) {
			const char *c = cols[i] == STAGE_COUNT ? "total_s" : stage_columns[cols[i]];
			e = buf_printf(&sql,
				       "%sCOUNT(%s), SUM(%s), MAX(%s), (2 * SUM(%s) + COUNT(%s))"
				       " / NULLIF(2 * COUNT(%s), 0), percentile_disc(%s)"
				       " WITHIN GROUP (ORDER BY %s)",
				       i ? ", " : "", c, c, c, c, c, c, pct_pg, c);
		}
		if (!e)
			e = buf_printf(&sql, " FROM clearance_times WHERE %s", w.data);
		if (!e)
			sql_rows(be, sql.data, pg_measures_row, mc);
	} else {
		for (int i = 0; i < ncols && !e; i++) {
			const char *c = cols[i] == STAGE_COUNT ? "total_s" : stage_columns[cols[i]];
			buf_reset(&sql);
			e = buf_printf(
				&sql,
				"SELECT COUNT(*), SUM(v), MAX(v), (2 * SUM(v) + COUNT(*)) / (2 * COUNT(*)),"
				" MAX(CASE WHEN rn = (25 * c + 99) / 100 THEN v END),"
				" MAX(CASE WHEN rn = (50 * c + 99) / 100 THEN v END),"
				" MAX(CASE WHEN rn = (75 * c + 99) / 100 THEN v END),"
				" MAX(CASE WHEN rn = (90 * c + 99) / 100 THEN v END),"
				" MAX(CASE WHEN rn = (95 * c + 99) / 100 THEN v END)"
				" FROM (SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn,"
				" COUNT(*) OVER () AS c FROM (SELECT %s AS v FROM clearance_times"
				" WHERE %s AND %s IS NOT NULL))",
				c, w.data, c);
			if (!e)
				sql_rows(be, sql.data, measure_row, &mc[i]);
		}
	}

	/* within targets */
	if (d->ntargets && !e) {
		buf_reset(&sql);
		e = buf_puts(&sql, "SELECT ");
		for (size_t i = 0; i < d->ntargets && !e; i++)
			e = buf_printf(&sql, "%sSUM(CASE WHEN total_s <= %u THEN 1 ELSE 0 END)",
				       i ? ", " : "", d->target_s[i]);
		if (!e)
			e = buf_printf(&sql, " FROM clearance_times WHERE %s AND total_s IS NOT NULL",
				       w.data);
		if (!e)
			sql_rows(be, sql.data, within_row, d);
	}

	/* by hour of day and weekday of lodgement */
	struct group_ctx gc[2] = {{d->hour, STATS_HOURS}, {d->weekday, STATS_WEEKDAYS}};
	for (int k = 0; k < 2 && !e; k++) {
		char g[96];
		if (k == 0)
			snprintf(g, sizeof g, "((lodged_at_s + %d) %% 86400) / 3600",
				 (int)q->tz_offset_s);
		else
			snprintf(g, sizeof g, "((lodged_at_s + %d) / 86400 + 3) %% 7",
				 (int)q->tz_offset_s);
		buf_reset(&sql);
		if (be == POSTGRES)
			e = buf_printf(&sql,
				       "SELECT %s AS g, COUNT(*), SUM(total_s),"
				       " (2 * SUM(total_s) + COUNT(*)) / (2 * COUNT(*)),"
				       " percentile_disc(0.5) WITHIN GROUP (ORDER BY total_s)"
				       " FROM clearance_times WHERE %s AND total_s IS NOT NULL GROUP BY g",
				       g, w.data);
		else
			e = buf_printf(&sql,
				       "SELECT g, COUNT(*), SUM(v), (2 * SUM(v) + COUNT(*)) / (2 * COUNT(*)),"
				       " MAX(CASE WHEN rn = (50 * c + 99) / 100 THEN v END)"
				       " FROM (SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v)"
				       " AS rn, COUNT(*) OVER (PARTITION BY g) AS c FROM (SELECT %s AS g,"
				       " total_s AS v FROM clearance_times WHERE %s AND total_s IS NOT"
				       " NULL)) GROUP BY g",
				       g, w.data);
		if (!e)
			sql_rows(be, sql.data, group_row, &gc[k]);
	}

	/* outliers above the far-out fence */
	if (d->total.count && !e) {
		d->fence_s = d->p75 + 3 * (uint64_t)(d->p75 - d->p25);
		buf_reset(&sql);
		e = buf_printf(&sql, "SELECT COUNT(*) FROM clearance_times WHERE %s AND total_s > %llu",
			       w.data, (unsigned long long)d->fence_s);
		if (!e)
			sql_rows(be, sql.data, count_row, &d->outliers);
		buf_reset(&sql);
		e = buf_puts(&sql, "SELECT declaration_number, total_s");
		for (int s = 0; s < STAGE_COUNT && !e; s++)
			e = buf_printf(&sql, ", %s", stage_columns[s]);
		if (!e)
			e = buf_printf(&sql,
				       " FROM clearance_times WHERE %s AND total_s > %llu"
				       " ORDER BY total_s DESC, declaration_number LIMIT %zu",
				       w.data, (unsigned long long)d->fence_s, q->outliers);
		struct outlier_ctx oc = {d, dir};
		if (!e && q->outliers)
			sql_rows(be, sql.data, outlier_row, &oc);
	}
	if (e) {
		fprintf(stderr, "bench_stats: SQL too long\n");
		exit(2);
	}
	uint64_t best = 0;
	for (int s = 0; s < STAGE_COUNT; s++) {
		if (!d->stage[s].count)
			continue;
		d->party_s[stage_party_of(s)] += d->stage[s].sum;
		if (d->slowest < 0 || d->stage[s].sum > best) {
			d->slowest = s;
			best = d->stage[s].sum;
		}
	}
	buf_free(&w);
	buf_free(&sql);
}

static void sql_question(enum backend be, const struct stats_query *q, struct stats_result *r)
{
	memset(r, 0, sizeof *r);
	for (int dir = 0; dir < STAGE_DIRECTIONS; dir++)
		if (q->directions >> dir & 1)
			sql_direction(be, q, (enum stage_direction)dir, &r->dir[dir]);
}

/* ------------------------------------------------------------------ */
/* comparing                                                           */

static bool differs;

static void same(const char *what, const char *dir, const char *item, unsigned long long kouan,
		 unsigned long long sql)
{
	if (kouan == sql || differs)
		return;
	differs = true;
	printf("    DIFFERENT: %s %s %s: kouan %llu, SQL %llu\n", dir, what, item, kouan, sql);
}

static void same_measure(const char *dir, const char *item, const struct stats_measure *a,
			 const struct stats_measure *b)
{
	same("count", dir, item, a->count, b->count);
	same("sum", dir, item, a->sum, b->sum);
	same("mean", dir, item, a->mean, b->mean);
	same("median", dir, item, a->median, b->median);
	same("p90", dir, item, a->p90, b->p90);
	same("p95", dir, item, a->p95, b->p95);
	same("max", dir, item, a->max, b->max);
}

static bool compare(const struct stats_result *k, const struct stats_result *s)
{
	differs = false;
	for (int dir = 0; dir < STAGE_DIRECTIONS; dir++) {
		const struct stats_direction *a = &k->dir[dir], *b = &s->dir[dir];
		const char *dn = stage_direction_name(dir);
		char item[32];
		if (!a->asked)
			continue;
		same("declarations", dn, "", a->declarations, b->declarations);
		for (int t = 0; t < TOTAL_KINDS; t++)
			same("with total", dn, stage_total_name(t), a->by_total[t], b->by_total[t]);
		for (int st = 0; st < STAGE_COUNT; st++)
			same_measure(dn, stage_name(st), &a->stage[st], &b->stage[st]);
		same_measure(dn, "total", &a->total, &b->total);
		same("p25", dn, "total", a->p25, b->p25);
		same("p75", dn, "total", a->p75, b->p75);
		for (size_t i = 0; i < a->ntargets; i++) {
			snprintf(item, sizeof item, "%u s", a->target_s[i]);
			same("within", dn, item, a->within[i], b->within[i]);
		}
		for (int h = 0; h < STATS_HOURS; h++) {
			snprintf(item, sizeof item, "hour %d", h);
			same("count", dn, item, a->hour[h].count, b->hour[h].count);
			same("mean", dn, item, a->hour[h].mean, b->hour[h].mean);
			same("median", dn, item, a->hour[h].median, b->hour[h].median);
		}
		for (int w = 0; w < STATS_WEEKDAYS; w++) {
			same("count", dn, stats_weekday_name(w), a->weekday[w].count, b->weekday[w].count);
			same("mean", dn, stats_weekday_name(w), a->weekday[w].mean, b->weekday[w].mean);
			same("median", dn, stats_weekday_name(w), a->weekday[w].median,
			     b->weekday[w].median);
		}
		same("fence", dn, "outliers", a->fence_s, b->fence_s);
		same("count", dn, "outliers", a->outliers, b->outliers);
		same("listed", dn, "outliers", a->noutliers, b->noutliers);
		for (size_t i = 0; i < a->noutliers && i < b->noutliers; i++) {
			snprintf(item, sizeof item, "outlier %zu", i + 1);
			same("number", dn, item, strtoull(a->outlier[i].number, NULL, 10),
			     strtoull(b->outlier[i].number, NULL, 10));
			same("total", dn, item, a->outlier[i].total_s, b->outlier[i].total_s);
			same("slowest stage", dn, item, a->outlier[i].slowest, b->outlier[i].slowest);
		}
		for (int p = 0; p < PARTY_COUNT; p++)
			same("party sum", dn, stage_party_name(p), a->party_s[p], b->party_s[p]);
		same("slowest stage", dn, "", (unsigned long long)a->slowest,
		     (unsigned long long)b->slowest);
	}
	return !differs;
}

/* ------------------------------------------------------------------ */
/* the questions                                                       */

struct question {
	const char *name;
	void (*set)(struct stats_query *q);
};

static int64_t local_midnight_us(int y, int m, int d)
{
	char text[40];
	int64_t us;
	snprintf(text, sizeof text, "%04d-%02d-%02dT00:00:00+08:00", y, m, d);
	return ktime_parse(text, &us) ? us : 0;
}

static void q_all(struct stats_query *q)
{
	(void)q; /* the defaults: every released declaration of the year */
}

static void q_office_month(struct stats_query *q)
{
	q->directions = 1u << STAGE_IMPORT;
	q->nvalues[STATS_DIM_OFFICE] = 1;
	str_copy(q->values[STATS_DIM_OFFICE][0], "5167", STATS_VALUE_MAX);
	q->from_us = local_midnight_us(2026, 3, 1);
	q->to_us = local_midnight_us(2026, 4, 1);
}

static void q_red_sea_quarter(struct stats_query *q)
{
	q->nvalues[STATS_DIM_LANE] = 2;
	str_copy(q->values[STATS_DIM_LANE][0], "red", STATS_VALUE_MAX);
	str_copy(q->values[STATS_DIM_LANE][1], "yellow", STATS_VALUE_MAX);
	q->nvalues[STATS_DIM_TRANSPORT_MODE] = 1;
	str_copy(q->values[STATS_DIM_TRANSPORT_MODE][0], "2", STATS_VALUE_MAX);
	q->from_us = local_midnight_us(2025, 10, 1);
	q->to_us = local_midnight_us(2026, 1, 1);
	q->outliers = 100;
}

static void q_export_electronics(struct stats_query *q)
{
	q->directions = 1u << STAGE_EXPORT;
	q->nvalues[STATS_DIM_CHAPTER] = 2;
	str_copy(q->values[STATS_DIM_CHAPTER][0], "85", STATS_VALUE_MAX);
	str_copy(q->values[STATS_DIM_CHAPTER][1], "84", STATS_VALUE_MAX);
	q->nvalues[STATS_DIM_TRADE_MODE] = 1;
	str_copy(q->values[STATS_DIM_TRADE_MODE][0], "0110", STATS_VALUE_MAX);
	q->ntargets[STAGE_EXPORT] = 3;
	q->target_s[STAGE_EXPORT][1] = 3708; /* 1.03 h */
	q->target_s[STAGE_EXPORT][2] = 3312; /* 0.92 h */
}

static void q_advance_aeo(struct stats_query *q)
{
	q->directions = 1u << STAGE_IMPORT;
	q->flags_set = STAGE_FLAG_ADVANCE;
	q->nvalues[STATS_DIM_CREDIT_CLASS] = 1;
	str_copy(q->values[STATS_DIM_CREDIT_CLASS][0], "advanced", STATS_VALUE_MAX);
	q->outcomes = (1u << OUTCOME_RELEASED) | (1u << OUTCOME_IN_PROGRESS);
	q->ntargets[STAGE_IMPORT] = 3;
	q->target_s[STAGE_IMPORT][1] = 115272; /* 32.02 h */
	q->target_s[STAGE_IMPORT][2] = 32652;  /* 9.07 h */
}

static const struct question questions[] = {
	{"all released declarations of the year, both directions", q_all},
	{"imports at office 5167 (Nansha) in March 2026", q_office_month},
	{"red and yellow lanes by sea, October to December 2025", q_red_sea_quarter},
	{"exports of chapters 84-85 in general trade, 3 targets", q_export_electronics},
	{"advance imports of AEO traders, released or in progress", q_advance_aeo},
};
#define NQUESTIONS (sizeof questions / sizeof questions[0])

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_stats [--n N] [--runs R] [--threads T] [--sqlite FILE | --no-sqlite]\n"
		"                   [--pg URL] [--schema-dir DIR] [--questions 1,2,...]\n"
		"  --n N           declarations to generate (default 10000000)\n"
		"  --runs R        timed runs of each question on the engine (default 5)\n"
		"  --threads T     engine threads per query (default: the core count)\n"
		"  --sqlite FILE   the SQLite file to create (default bench-stats.db here)\n"
		"  --no-sqlite     skip SQLite\n"
		"  --pg URL        also PostgreSQL, at this URL (a throw-away database)\n"
		"  --schema-dir D  where clearance_times.*.sql are (default bench/sql)\n"
		"  --questions L   which questions to ask (default all: 1..%zu)\n",
		NQUESTIONS);
	exit(2);
}

int main(int argc, char **argv)
{
	size_t n = 10000000;
	unsigned runs = 5, threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	const char *lite_path = "bench-stats.db", *pg_url = NULL, *schema_dir = "bench/sql";
	const char *which = NULL;
	bool use_lite = true;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-sqlite")) {
			use_lite = false;
			continue;
		}
		if (!v)
			usage();
		if (!strcmp(a, "--n"))
			n = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--runs"))
			runs = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--threads"))
			threads = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--sqlite"))
			lite_path = v;
		else if (!strcmp(a, "--pg"))
			pg_url = v;
		else if (!strcmp(a, "--schema-dir"))
			schema_dir = v;
		else if (!strcmp(a, "--questions"))
			which = v;
		else
			usage();
		i++;
	}
	if (!n || !runs || !threads || threads > STATS_MAX_THREADS)
		usage();

	char path[1024];
	char *lite_schema = NULL, *pg_schema = NULL;
	snprintf(path, sizeof path, "%s/clearance_times.sqlite.sql", schema_dir);
	if (use_lite && !(lite_schema = read_text(path))) {
		fprintf(stderr, "bench_stats: cannot read %s (--schema-dir)\n", path);
		return 2;
	}
	snprintf(path, sizeof path, "%s/clearance_times.postgres.sql", schema_dir);
	if (pg_url && !(pg_schema = read_text(path))) {
		fprintf(stderr, "bench_stats: cannot read %s (--schema-dir)\n", path);
		return 2;
	}

	printf("kouan clearance-time statistics benchmark\n");
#ifdef NDEBUG
	printf("  build            optimised, assertions off (NDEBUG)\n");
#else
	printf("  build            NOT a Release build: figures are not representative\n");
#endif
	printf("  cores            %ld online\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("  declarations     %zu\n", n);
	printf("  engine threads   %u per query\n", threads);

	load_ports();
	advance_data = json_pack("{s:b}", "advance", 1);
	finding_data = json_pack("{s:i, s:s}", "inspection", 1, "finding", "no_problem");
	period_end = PERIOD_START + PERIOD_DAYS * DAY;

	struct stats *engine;
	if (stats_new(threads, &engine)) {
		fprintf(stderr, "bench_stats: no engine\n");
		return 2;
	}
	if (use_lite)
		lite_open(lite_path, lite_schema);
	if (pg_url)
		pg_open(pg_url, pg_schema);

	/* generate, measure, file */
	double t0 = seconds_now(CLOCK_MONOTONIC), engine_s = 0, lite_s = 0, pg_s = 0;
	size_t kinds[TOTAL_KINDS] = {0}, outcomes[OUTCOME_COUNT] = {0};
	for (size_t i = 0; i < n; i++) {
		struct decl d;
		struct stage_times t;
		struct row_text row;
		make_decl(&d, i + 1);
		if (stages_measure(d.dir, d.ev, d.n, 1000000, &t)) {
			fprintf(stderr, "bench_stats: stages_measure refused declaration %zu\n", i);
			return 2;
		}
		kinds[t.total_kind]++;
		outcomes[t.outcome]++;
		struct stats_decl sd = {.number = d.number,
					.dim = {[STATS_DIM_OFFICE] = d.office,
						[STATS_DIM_PORT] = d.port,
						[STATS_DIM_TRANSPORT_MODE] = d.mode,
						[STATS_DIM_LANE] = d.lane,
						[STATS_DIM_CREDIT_CLASS] = d.credit,
						[STATS_DIM_TRADE_MODE] = d.trade,
						[STATS_DIM_CHAPTER] = d.chapter}};
		double a = seconds_now(CLOCK_MONOTONIC);
		if (stats_put(engine, &sd, &t)) {
			fprintf(stderr, "bench_stats: stats_put refused %s\n", d.number);
			return 2;
		}
		double b = seconds_now(CLOCK_MONOTONIC);
		engine_s += b - a;
		row_of(&d, &t, &row);
		if (use_lite) {
			lite_row(&row);
			lite_s += seconds_now(CLOCK_MONOTONIC) - b;
			b = seconds_now(CLOCK_MONOTONIC);
		}
		if (pg_url) {
			pg_row(&row);
			pg_s += seconds_now(CLOCK_MONOTONIC) - b;
		}
		if ((i + 1) % 1000000 == 0) {
			fprintf(stderr, "  ... %zu declarations\n", i + 1);
			fflush(stderr);
		}
	}
	double a;
	if (use_lite) {
		a = seconds_now(CLOCK_MONOTONIC);
		lite_finish();
		lite_s += seconds_now(CLOCK_MONOTONIC) - a;
	}
	if (pg_url) {
		a = seconds_now(CLOCK_MONOTONIC);
		pg_finish();
		pg_s += seconds_now(CLOCK_MONOTONIC) - a;
	}
	printf("\ndata\n");
	printf("  generated        %.1f s in all (timelines, stages_measure and every store)\n",
	       seconds_now(CLOCK_MONOTONIC) - t0);
	printf("  outcomes         released %zu, in progress %zu, withdrawn %zu, rejected %zu\n",
	       outcomes[OUTCOME_RELEASED], outcomes[OUTCOME_IN_PROGRESS],
	       outcomes[OUTCOME_WITHDRAWN], outcomes[OUTCOME_REJECTED]);
	printf("  totals           border %zu, declaration %zu, none %zu\n", kinds[TOTAL_BORDER],
	       kinds[TOTAL_DECLARATION], kinds[TOTAL_NONE]);
	printf("  engine           %.1f s to file (%.2f us a declaration), %.1f bytes a declaration\n",
	       engine_s, engine_s * 1e6 / (double)n, (double)stats_bytes(engine) / (double)n);
	if (use_lite)
		printf("  SQLite           %.1f s to insert and index (%s; journal off, synchronous"
		       " off while loading; 1 GiB cache, mmap, sorts in memory)\n",
		       lite_s, lite_path);
	if (pg_url) {
		printf("  PostgreSQL       %.1f s to COPY and index\n", pg_s);
		pg_settings();
	}
	int status = snapshot_round(engine, n) ? 0 : 1;

	double worst = 0, best_ratio_lite = 1e30, best_ratio_pg = 1e30;
	for (size_t qi = 0; qi < NQUESTIONS; qi++) {
		char id[8];
		snprintf(id, sizeof id, "%zu", qi + 1);
		if (which) {
			bool chosen = false;
			const char *p = which;
			char item[8];
			bool too_long;
			while (*p) {
				size_t len = strcspn(p, ",");
				too_long = len >= sizeof item;
				str_copy(item, p, len < sizeof item ? len + 1 : sizeof item);
				chosen |= !too_long && !strcmp(item, id);
				p += len + (p[len] == ',');
			}
			if (!chosen)
				continue;
		}
		struct stats_query q;
		struct stats_result kr, sr;
		stats_query_init(&q);
		questions[qi].set(&q);
		printf("\nquestion %zu: %s\n", qi + 1, questions[qi].name);
		double wall[64], cpu[64];
		unsigned r = runs < 64 ? runs : 64;
		for (unsigned i = 0; i < r; i++) {
			double w0 = seconds_now(CLOCK_MONOTONIC), c0 = seconds_now(CLOCK_PROCESS_CPUTIME_ID);
			if (stats_query(engine, &q, &kr)) {
				fprintf(stderr, "bench_stats: the engine failed\n");
				return 2;
			}
			wall[i] = seconds_now(CLOCK_MONOTONIC) - w0;
			cpu[i] = seconds_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		}
		qsort(wall, r, sizeof *wall, cmp_double);
		qsort(cpu, r, sizeof *cpu, cmp_double);
		double kw = wall[r / 2];
		worst = kw > worst ? kw : worst;
		uint64_t selected = kr.dir[0].declarations + kr.dir[1].declarations;
		printf("  selected         %llu declarations (import %llu, export %llu)\n",
		       (unsigned long long)selected, (unsigned long long)kr.dir[0].declarations,
		       (unsigned long long)kr.dir[1].declarations);
		for (int dir = 0; dir < STAGE_DIRECTIONS; dir++) {
			const struct stats_direction *d = &kr.dir[dir];
			if (!d->asked || !d->total.count)
				continue;
			char share[8];
			stats_share(d->within[0], d->total.count, share);
			printf("  %-6s total    median %.2f h, p90 %.2f h, p95 %.2f h, mean %.2f h;"
			       " within %.0f h: %s; slowest stage %s\n",
			       stage_direction_name(dir), d->total.median / 3600.0,
			       d->total.p90 / 3600.0, d->total.p95 / 3600.0, d->total.mean / 3600.0,
			       d->target_s[0] / 3600.0, share,
			       d->slowest >= 0 ? stage_name(d->slowest) : "-");
		}
		printf("  kouan            %8.1f ms (median of %u; fastest %.1f, slowest %.1f;"
		       " CPU %.1f ms)\n",
		       kw * 1e3, r, wall[0] * 1e3, wall[r - 1] * 1e3, cpu[r / 2] * 1e3);
		for (int be = SQLITE; be <= POSTGRES; be++) {
			if ((be == SQLITE && !use_lite) || (be == POSTGRES && !pg_url))
				continue;
			double s0 = seconds_now(CLOCK_MONOTONIC);
			sql_question((enum backend)be, &q, &sr);
			double sw = seconds_now(CLOCK_MONOTONIC) - s0;
			bool ok = compare(&kr, &sr);
			double ratio = sw / kw;
			if (be == SQLITE)
				best_ratio_lite = ratio < best_ratio_lite ? ratio : best_ratio_lite;
			else
				best_ratio_pg = ratio < best_ratio_pg ? ratio : best_ratio_pg;
			printf("  %-16s %8.1f ms, %s; ratio %.1fx (SQL / kouan)\n",
			       be == SQLITE ? "SQLite" : "PostgreSQL", sw * 1e3,
			       ok ? "every figure the same" : "FIGURES DIFFER", ratio);
			if (!ok)
				status = 1;
		}
	}
	printf("\nresult\n");
	printf("  slowest kouan question  %.1f ms: the goal of 250 ms is %s\n", worst * 1e3,
	       worst <= 0.25 ? "met" : "NOT met");
	if (use_lite)
		printf("  least ratio, SQLite      %.1fx: the goal of 10x is %s\n", best_ratio_lite,
		       best_ratio_lite >= 10 ? "met" : "NOT met");
	if (pg_url)
		printf("  least ratio, PostgreSQL  %.1fx: the goal of 10x is %s\n", best_ratio_pg,
		       best_ratio_pg >= 10 ? "met" : "NOT met");
	if (status)
		printf("  the engine and SQL DISAGREE (see above)\n");
	stats_free(engine);
	if (lite)
		sqlite3_close(lite);
	if (pg)
		PQfinish(pg);
	json_decref(advance_data);
	json_decref(finding_data);
	free(lite_schema);
	free(pg_schema);
	return status;
}
