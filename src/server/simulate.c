/*
 * simulate.c - `kouan simulate`: a discrete-event model of a port's
 * declarations and the officers who review them, driving the real kouan
 * (its API in-process, its services, a throw-away SQLite store) on a
 * manual clock, and the clearance-time statistics of one run or of two
 * side by side.
 *
 * The model. Declarations arrive at random (exponential gaps, a mean
 * number a day) over the scenario's days; each is lodged through the API
 * at its virtual time. Customs and quarantine each have officers; a task
 * waits in its agency's queue until an officer is free (and on shift, with
 * office hours) and takes a random time to review (exponential, the
 * agency's mean); the officer's decision goes through the API at the
 * virtual time it is made, and kouan releases the declaration when every
 * agency has cleared. The switches: parallel handling (each agency works
 * from acceptance) or serial (quarantine only after customs has cleared, the
 * 2017-style process); automatic release (customs' lane green at the
 * office: kouan clears customs by itself) or every customs task reviewed;
 * office hours (08:30-17:30 at +08:00, Monday to Friday) or 7x24. The same
 * scenario and seed give the same figures, exactly: the only randomness is
 * the seeded generator here, and every time kouan records is the manual
 * clock's.
 *
 * What it must never do: touch any database but its own temporary one
 * (removed at the end), or copy a rule of kouan's (lanes, release) instead
 * of calling it.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/loopback.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "server/commands.h"
#include "server/demo.h"
#include "server/money_load.h"
#include "server/reference_load.h"
#include "store/store.h"

#define SIM_AGENCIES 2
#define SIM_MAX_OFFICERS 64
#define SIM_MAX_DECLARATIONS 20000
#define SIM_DAY_US (86400LL * 1000000)
#define SIM_OFFSET_US (8LL * 3600 * 1000000) /* office hours at +08:00 */

static const char *const agency_names[SIM_AGENCIES] = {"customs", "quarantine"};

struct scenario {
	char name[128];
	int64_t start_us;
	int days;
	double per_day;
	int officers[SIM_AGENCIES];
	double review_minutes[SIM_AGENCIES];
	bool parallel, automatic_release, office_hours;
	uint64_t seed;
};

/* --- the seeded generator (splitmix64) ------------------------------- */

static uint64_t next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* An exponential draw with this mean, in whole microseconds of at least 1 s. */
static int64_t exponential_us(uint64_t *s, double mean_s)
{
	double u = ((double)(next_random(s) >> 11) + 0.5) / 9007199254740992.0;
	double x = -mean_s * log(u);
	if (x < 1)
		x = 1;
	return (int64_t)(x * 1e6);
}

/* --- scenario files -------------------------------------------------- */

static bool read_scenario(const char *path, struct scenario *sc)
{
	memset(sc, 0, sizeof *sc);
	snprintf(sc->name, sizeof sc->name, "%s", path);
	json_error_t err;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!j || !json_is_object(j)) {
		fprintf(stderr, "kouan simulate: %s: %s\n", path, j ? "not a JSON object" : err.text);
		json_decref(j);
		return false;
	}
	static const char *const known[] = {"start", "days", "declarations_per_day", "officers",
					    "review_minutes", "parallel", "automatic_release",
					    "office_hours", "seed", NULL};
	bool ok = true;
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		bool found = false;
		for (size_t i = 0; known[i] && !found; i++)
			found = !strcmp(known[i], k);
		if (!found) {
			fprintf(stderr, "kouan simulate: %s: /%s is not a scenario setting\n", path, k);
			ok = false;
		}
	}
	const char *start = json_string_value(json_object_get(j, "start"));
	sc->start_us = 1793577600000000LL; /* 2026-11-02T00:00:00Z, a Monday */
	if (json_object_get(j, "start") && (!start || !ktime_parse(start, &sc->start_us))) {
		fprintf(stderr, "kouan simulate: %s: /start must be an RFC 3339 time\n", path);
		ok = false;
	}
	json_t *days = json_object_get(j, "days"), *rate = json_object_get(j, "declarations_per_day");
	sc->days = days ? (int)json_integer_value(days) : 5;
	sc->per_day = rate ? json_number_value(rate) : 40;
	if (sc->days < 1 || sc->days > 60 || (days && !json_is_integer(days))) {
		fprintf(stderr, "kouan simulate: %s: /days must be a whole number from 1 to 60\n",
			path);
		ok = false;
	}
	if (!(sc->per_day > 0) || sc->per_day * sc->days > SIM_MAX_DECLARATIONS / 2 ||
	    (rate && !json_is_number(rate))) {
		fprintf(stderr,
			"kouan simulate: %s: /declarations_per_day must be above 0, and days x "
			"declarations_per_day at most %d\n",
			path, SIM_MAX_DECLARATIONS / 2);
		ok = false;
	}
	for (int a = 0; a < SIM_AGENCIES; a++) {
		json_t *o = json_object_get(json_object_get(j, "officers"), agency_names[a]);
		json_t *m = json_object_get(json_object_get(j, "review_minutes"), agency_names[a]);
		sc->officers[a] = o ? (int)json_integer_value(o) : 2;
		sc->review_minutes[a] = m ? json_number_value(m) : 30;
		if (sc->officers[a] < 1 || sc->officers[a] > SIM_MAX_OFFICERS ||
		    (o && !json_is_integer(o))) {
			fprintf(stderr, "kouan simulate: %s: /officers/%s must be 1 to %d\n", path,
				agency_names[a], SIM_MAX_OFFICERS);
			ok = false;
		}
		if (!(sc->review_minutes[a] > 0) || sc->review_minutes[a] > 10080 ||
		    (m && !json_is_number(m))) {
			fprintf(stderr, "kouan simulate: %s: /review_minutes/%s must be above 0 and "
					"at most 10080\n",
				path, agency_names[a]);
			ok = false;
		}
	}
	json_t *p = json_object_get(j, "parallel"), *ar = json_object_get(j, "automatic_release"),
	       *oh = json_object_get(j, "office_hours"), *seed = json_object_get(j, "seed");
	sc->parallel = p ? json_is_true(p) : true;
	sc->automatic_release = ar ? json_is_true(ar) : true;
	sc->office_hours = oh ? json_is_true(oh) : false;
	sc->seed = seed ? (uint64_t)json_integer_value(seed) : 1;
	if ((p && !json_is_boolean(p)) || (ar && !json_is_boolean(ar)) ||
	    (oh && !json_is_boolean(oh)) || (seed && !json_is_integer(seed))) {
		fprintf(stderr, "kouan simulate: %s: /parallel, /automatic_release and "
				"/office_hours are true or false, /seed a whole number\n",
			path);
		ok = false;
	}
	json_decref(j);
	return ok;
}

/* --- the event queue ------------------------------------------------- */

enum sim_kind { SIM_ARRIVE, SIM_READY, SIM_DONE, SIM_SHIFT };

struct sim_event {
	int64_t at;
	uint64_t seq; /* ties in order of scheduling */
	enum sim_kind kind;
	int decl, agency, officer;
};

struct sim {
	const struct scenario *sc;
	struct app *app;
	struct kclock *clock;
	uint64_t arrivals;             /* the arrivals' random stream */
	uint64_t reviews[SIM_AGENCIES]; /* each agency's review times' */
	struct sim_event *heap;
	size_t n, cap;
	uint64_t seq;
	char token[4][TOKEN_TEXT_MAX]; /* trader, customs, quarantine, admin */
	char (*numbers)[19];
	int ndecl;
	/* per agency: waiting tasks (FIFO of declarations), officers' state */
	int *queue[SIM_AGENCIES];
	size_t qhead[SIM_AGENCIES], qtail[SIM_AGENCIES];
	bool busy[SIM_AGENCIES][SIM_MAX_OFFICERS];
	bool shift_pending[SIM_AGENCIES];
	int64_t login_at; /* when the users last logged in */
	bool failed;
};

static bool before(const struct sim_event *a, const struct sim_event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static bool schedule(struct sim *s, int64_t at, enum sim_kind kind, int decl, int agency,
		     int officer)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct sim_event *h = realloc(s->heap, cap * sizeof *h);
		if (!h)
			return false;
		s->heap = h;
		s->cap = cap;
	}
	struct sim_event e = {at, s->seq++, kind, decl, agency, officer};
	size_t i = s->n++;
	while (i > 0 && before(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
	return true;
}

static struct sim_event pop(struct sim *s)
{
	struct sim_event top = s->heap[0], last = s->heap[--s->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->n)
		s->heap[i] = last;
	return top;
}

/* --- calling kouan ---------------------------------------------------- */

static int call(struct sim *s, const char *method, const char *path, const char *token,
		const char *body, const char *idem, struct loopback_result *r)
{
	struct loopback_call c = {.method = method, .path = path, .token = token,
				  .body = body, .idempotency_key = idem};
	api_loopback(s->app, &c, r);
	return r->status;
}

static bool expect(struct sim *s, const char *method, const char *path, const char *token,
		   const char *body, const char *idem, int status, json_t **out)
{
	struct loopback_result r;
	int got = call(s, method, path, token, body, idem, &r);
	if (got != status) {
		fprintf(stderr, "kouan simulate: %s %s answered %d: %s\n", method, path, got,
			r.text ? r.text : "");
		s->failed = true;
	} else if (out) {
		*out = json_incref(r.json);
	}
	loopback_result_free(&r);
	return got == status;
}

static bool login(struct sim *s, const char *user, char *token)
{
	const char *password = NULL;
	for (const struct demo_user *u = demo_users; u->username; u++)
		if (!strcmp(u->username, user))
			password = u->password;
	json_t *body = json_pack("{s:s, s:s}", "username", user, "password", password);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	json_t *answer = NULL;
	bool ok = text && expect(s, "POST", "/v1/sessions", NULL, text, NULL, 201, &answer);
	free(text);
	if (ok)
		snprintf(token, TOKEN_TEXT_MAX, "%s",
			 json_string_value(json_object_get(answer, "token")));
	json_decref(answer);
	return ok;
}

/* Apples and walnuts from Chile by rail into Nansha, declared at 5167:
 * customs and quarantine act; small enough that no duty is due. */
static char *declaration_body(int i)
{
	json_t *d = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:s,"
		" s:s, s:s, s:i, s:s, s:[{s:s, s:s, s:s, s:s, s:s, s:s}],"
		" s:[{s:s, s:s}]}",
		"direction", "import", "declaration_office", "5167", "port_office", "5167",
		"declarant_uscc", "91440101MA59TRAD00", "consignee_uscc", "91440101MA59TRAD00",
		"trade_mode", "0110", "transport_mode", "3", "conveyance", "name", "X8024",
		"voyage", "20261102", "bill_of_lading", "", "trading_country", "CL",
		"departure_country", "CL", "entry_port", "CNNSA", "incoterm", "CIF", "currency",
		"CNY", "freight", "0", "insurance", "0", "packages", 1, "gross_weight_kg", "12.000",
		"items", "hs_code", "0808100000", "description", "Fresh apples", "quantity", "10",
		"unit", "035", "unit_price", "9.5", "origin_country", "CL", "documents", "type",
		"invoice", "number", "SIM-INV");
	char bill[32];
	snprintf(bill, sizeof bill, "SIM%08d", i + 1);
	json_object_set_new(d, "bill_of_lading", json_string(bill));
	char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
	json_decref(d);
	return text;
}

static bool on_shift(const struct scenario *sc, int64_t t)
{
	if (!sc->office_hours)
		return true;
	int64_t local = t + SIM_OFFSET_US;
	int64_t day = local / SIM_DAY_US, in_day = local % SIM_DAY_US;
	int weekday = (int)((day + 3) % 7); /* 1970-01-01 was a Thursday: Monday 0 */
	return weekday < 5 && in_day >= 510LL * 60 * 1000000 && in_day < 1050LL * 60 * 1000000;
}

/* The next shift start after t (office hours). */
static int64_t next_shift(const struct scenario *sc, int64_t t)
{
	int64_t local = t + SIM_OFFSET_US;
	int64_t day = local / SIM_DAY_US;
	for (int k = 0; k < 8; k++, day++) {
		int64_t open = day * SIM_DAY_US + 510LL * 60 * 1000000 - SIM_OFFSET_US;
		if (open > t && on_shift(sc, open))
			return open;
	}
	return t + SIM_DAY_US;
}

static void dispatch(struct sim *s, int a, int64_t now)
{
	while (s->qhead[a] < s->qtail[a]) {
		if (!on_shift(s->sc, now)) {
			if (!s->shift_pending[a] &&
			    !schedule(s, next_shift(s->sc, now), SIM_SHIFT, -1, a, -1))
				s->failed = true;
			s->shift_pending[a] = true;
			return;
		}
		int free_officer = -1;
		for (int o = 0; o < s->sc->officers[a] && free_officer < 0; o++)
			if (!s->busy[a][o])
				free_officer = o;
		if (free_officer < 0)
			return;
		int d = s->queue[a][s->qhead[a]++];
		s->busy[a][free_officer] = true;
		int64_t took = exponential_us(&s->reviews[a], s->sc->review_minutes[a] * 60);
		if (!schedule(s, now + took, SIM_DONE, d, a, free_officer))
			s->failed = true;
	}
}

static void lodge(struct sim *s, int64_t now)
{
	int i = s->ndecl++;
	char *body = declaration_body(i), idem[48];
	snprintf(idem, sizeof idem, "simulate-%d", i + 1);
	json_t *v = NULL;
	if (!body || !expect(s, "POST", "/v1/declarations", s->token[0], body, idem, 201, &v)) {
		free(body);
		s->failed = true;
		return;
	}
	free(body);
	snprintf(s->numbers[i], 19, "%s", json_string_value(json_object_get(v, "number")));
	/* which tasks are left for officers (kouan may have cleared customs) */
	bool open[SIM_AGENCIES] = {false, false};
	size_t k;
	json_t *t;
	json_array_foreach(json_object_get(v, "tasks"), k, t)
	{
		const char *agency = json_string_value(json_object_get(t, "agency"));
		const char *status = json_string_value(json_object_get(t, "status"));
		for (int a = 0; a < SIM_AGENCIES; a++)
			if (agency && status && !strcmp(agency, agency_names[a]) &&
			    strcmp(status, "cleared"))
				open[a] = true;
	}
	json_decref(v);
	for (int a = 0; a < SIM_AGENCIES; a++) {
		/* serial: quarantine waits for customs' decision */
		if (!open[a] || (a == 1 && !s->sc->parallel && open[0]))
			continue;
		if (!schedule(s, now, SIM_READY, i, a, -1))
			s->failed = true;
	}
}

static void decide(struct sim *s, const struct sim_event *e)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", s->numbers[e->decl],
		 agency_names[e->agency]);
	(void)expect(s, "POST", path, s->token[1 + e->agency],
		     "{\"decision\":\"cleared\",\"reason\":\"documents in order\"}", NULL, 200,
		     NULL);
	s->busy[e->agency][e->officer] = false;
	if (e->agency == 0 && !s->sc->parallel &&
	    !schedule(s, e->at, SIM_READY, e->decl, 1, -1))
		s->failed = true;
}

static void progress(double done)
{
	if (!isatty(STDERR_FILENO))
		return;
	int w = (int)(done * 40);
	fprintf(stderr, "\r  [%.*s%*s] %3d%%", w, "########################################",
		40 - w, "", (int)(done * 100));
	if (done >= 1)
		fprintf(stderr, "\n");
	fflush(stderr);
}

/* The figures of one run. */
struct run_figures {
	json_t *imports; /* the statistics' "import" member */
	int declarations;
};

static bool login_all(struct sim *s)
{
	static const char *const users[4] = {"trader", "customs", "quarantine", "admin"};
	for (int u = 0; u < 4; u++)
		if (!login(s, users[u], s->token[u]))
			return false;
	s->login_at = s->clock->fixed_us;
	return true;
}

static bool set_lanes(struct sim *s)
{
	char body[96];
	snprintf(body, sizeof body, "{\"random_percent\":\"0\",\"base_lane\":\"%s\"}",
		 s->sc->automatic_release ? "green" : "yellow");
	return expect(s, "PUT", "/v1/risk/profiles/5167/customs", s->token[3], body, NULL, 200,
		      NULL) &&
	       expect(s, "PUT", "/v1/risk/profiles/5167/quarantine", s->token[3],
		      "{\"random_percent\":\"0\",\"base_lane\":\"yellow\"}", NULL, 200, NULL);
}

static bool run_model(struct sim *s, struct run_figures *out)
{
	const struct scenario *sc = s->sc;
	if (!login_all(s) || !set_lanes(s))
		return false;
	int64_t end = sc->start_us + sc->days * SIM_DAY_US;
	double mean_gap = 86400.0 / sc->per_day;
	if (!schedule(s, sc->start_us + exponential_us(&s->arrivals, mean_gap), SIM_ARRIVE, -1, -1,
		      -1))
		return false;
	int64_t last_shown = 0;
	while (s->n && !s->failed) {
		struct sim_event e = pop(s);
		s->clock->fixed_us = e.at;
		/* sessions last 12 h: the users log in again every 6 h of the run */
		if (e.at - s->login_at > 6 * 3600LL * 1000000 && !login_all(s))
			break;
		switch (e.kind) {
		case SIM_ARRIVE:
			if (s->ndecl < SIM_MAX_DECLARATIONS) {
				lodge(s, e.at);
				int64_t next = e.at + exponential_us(&s->arrivals, mean_gap);
				if (next < end && !schedule(s, next, SIM_ARRIVE, -1, -1, -1))
					s->failed = true;
			}
			break;
		case SIM_READY:
			s->queue[e.agency][s->qtail[e.agency]++] = e.decl;
			dispatch(s, e.agency, e.at);
			break;
		case SIM_DONE:
			decide(s, &e);
			dispatch(s, e.agency, e.at);
			break;
		case SIM_SHIFT:
			s->shift_pending[e.agency] = false;
			dispatch(s, e.agency, e.at);
			break;
		}
		if (e.at - last_shown > SIM_DAY_US / 8) {
			last_shown = e.at;
			double f = (double)(e.at - sc->start_us) / (double)(end - sc->start_us);
			progress(f > 0.99 ? 0.99 : f);
		}
	}
	progress(1);
	if (s->failed)
		return false;
	json_t *stats = NULL;
	if (!expect(s, "GET", "/v1/statistics/clearance?direction=import&outliers=0&target_import=4h,8h",
		    s->token[3], NULL, NULL, 200, &stats))
		return false;
	out->imports = json_incref(json_object_get(stats, "import"));
	out->declarations = s->ndecl;
	json_decref(stats);
	return true;
}

/* Open a throw-away store in dir, run the model, remove the store. */
static bool run(const struct scenario *sc, struct run_figures *out)
{
	memset(out, 0, sizeof *out);
	const char *tmp = getenv("TMPDIR");
	char dir[512], db[600], key[600];
	snprintf(dir, sizeof dir, "%s/kouan-simulate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "kouan simulate: cannot make a temporary directory: %s\n",
			strerror(errno));
		return false;
	}
	snprintf(db, sizeof db, "%s/simulation.db", dir);
	snprintf(key, sizeof key, "%s/release.key", dir);
	struct kclock clock;
	kclock_manual_init(&clock, sc->start_us - 3600LL * 1000000, 0);
	struct store_options so = {.url = db, .sync = STORE_SYNC_PROCESS, .busy_timeout_ms = 10000};
	struct store *store = NULL;
	struct app app;
	bool app_up = false, ok = false;
	size_t added;
	bool loaded;
	/* separate streams, so that a switch that changes the order of the
	 * reviews never changes which declarations arrive when */
	struct sim s = {.sc = sc, .clock = &clock, .app = &app, .arrivals = sc->seed,
			.reviews = {sc->seed ^ 0x5175616172616e74ULL, sc->seed ^ 0x437573746f6d7321ULL}};
	struct app_limits limits;
	app_limits_default(&limits);
	limits.service.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
	limits.service.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	const char *iso = getenv("KOUAN_ISO_CODES_DIR");
	if (store_open(&so, &store) || store_migrate(store, clock.fixed_us) ||
	    reference_sync(store, iso ? iso : ISO_CODES_DIR, clock.fixed_us, &added, &loaded)) {
		fprintf(stderr, "kouan simulate: cannot prepare the store\n");
		goto out;
	}
	if (app_init(&app, store, &clock, &limits, key, true)) {
		fprintf(stderr, "kouan simulate: cannot start kouan\n");
		goto out;
	}
	app_up = true;
	bool existed;
	if (money_sync(&app.svc, &loaded) || demo_seed_accounts(&app, &existed)) {
		fprintf(stderr, "kouan simulate: cannot load the money tables or the accounts\n");
		goto out;
	}
	s.numbers = calloc(SIM_MAX_DECLARATIONS, sizeof *s.numbers);
	for (int a = 0; a < SIM_AGENCIES; a++)
		s.queue[a] = calloc(SIM_MAX_DECLARATIONS, sizeof *s.queue[a]);
	if (!s.numbers || !s.queue[0] || !s.queue[1])
		goto out;
	ok = run_model(&s, out);
out:
	if (app_up)
		app_free(&app);
	store_thread_release();
	if (store)
		store_close(store);
	free(s.heap);
	free(s.numbers);
	for (int a = 0; a < SIM_AGENCIES; a++)
		free(s.queue[a]);
	static const char *const files[] = {"simulation.db", "simulation.db-wal",
					    "simulation.db-shm", "release.key"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char p[700];
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		(void)unlink(p);
	}
	(void)rmdir(dir);
	return ok;
}

/* --- the report ------------------------------------------------------ */

static void hm(json_int_t s, char *out, size_t n)
{
	snprintf(out, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

static json_int_t total_of(const struct run_figures *f, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(f->imports, "total"), k));
}

static json_int_t stage_median(const struct run_figures *f, const char *stage)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(f->imports, "stages"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "stage")), stage))
			return json_integer_value(json_object_get(s, "median_s"));
	return 0;
}

static void row(const char *what, const json_int_t *v, size_t n)
{
	char a[24];
	printf("  %-30s", what);
	for (size_t i = 0; i < n; i++) {
		hm(v[i], a, sizeof a);
		printf(" %12s", a);
	}
	if (n == 2) {
		json_int_t d = v[1] - v[0];
		hm(d < 0 ? -d : d, a, sizeof a);
		if (v[0])
			printf("   %c%s (%+.1f%%)", d < 0 ? '-' : '+', a,
			       100.0 * (double)d / (double)v[0]);
		else
			printf("   %c%s", d < 0 ? '-' : '+', a);
	}
	printf("\n");
}

static void print_report(const struct scenario *sc, const struct run_figures *f, size_t n)
{
	printf("\n");
	for (size_t i = 0; i < n; i++)
		printf("run %zu: %s (%s, %s, %s, seed %llu, %d declarations)\n", i + 1,
		       sc[i].name, sc[i].parallel ? "parallel" : "serial",
		       sc[i].automatic_release ? "automatic release" : "no automatic release",
		       sc[i].office_hours ? "office hours" : "7x24",
		       (unsigned long long)sc[i].seed, f[i].declarations);
	printf("\nImports released, lodgement to release:\n  %-30s", "");
	for (size_t i = 0; i < n; i++)
		printf(" %12s", i == 0 ? "run 1" : "run 2");
	printf("%s\n", n == 2 ? "   difference" : "");
	static const char *const totals[] = {"median_s", "p90_s", "p95_s", "mean_s", "max_s"};
	static const char *const titles[] = {"total median", "total p90", "total p95",
					     "total mean", "total max"};
	json_int_t v[2];
	for (size_t t = 0; t < 5; t++) {
		for (size_t i = 0; i < n; i++)
			v[i] = total_of(&f[i], totals[t]);
		row(titles[t], v, n);
	}
	static const char *const stages[] = {"document_review", "released"};
	for (size_t t = 0; t < 2; t++) {
		char what[64];
		snprintf(what, sizeof what, "%s median", stages[t]);
		for (size_t i = 0; i < n; i++)
			v[i] = stage_median(&f[i], stages[t]);
		row(what, v, n);
	}
	printf("  %-30s", "released");
	for (size_t i = 0; i < n; i++)
		printf(" %12lld", (long long)total_of(&f[i], "count"));
	printf("\n");
}

int cmd_simulate(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan simulate SCENARIO.json [OTHER.json] [--json]\n\n"
		"Run a port's declarations through kouan on a virtual clock, in a\n"
		"throw-away database, and report the clearance time of the imports;\n"
		"with two scenarios, side by side with the difference. A scenario:\n"
		"  {\"seed\": 7, \"start\": \"2026-11-02T00:00:00Z\", \"days\": 5,\n"
		"   \"declarations_per_day\": 40,\n"
		"   \"officers\": {\"customs\": 2, \"quarantine\": 1},\n"
		"   \"review_minutes\": {\"customs\": 20, \"quarantine\": 45},\n"
		"   \"parallel\": true, \"automatic_release\": true, \"office_hours\": false}\n"
		"(every member optional; those are the defaults but seed 1, 40 a day,\n"
		"2 officers and 30 minutes for each agency). --json prints the figures\n"
		"as JSON. The same scenario gives the same figures, exactly.\n";
	const char *paths[2] = {NULL, NULL};
	size_t n = 0;
	bool json = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("%s", usage);
			return 0;
		}
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (n < 2 && strncmp(argv[i], "--", 2))
			paths[n++] = argv[i];
		else {
			fprintf(stderr, "kouan simulate: unexpected %s\n%s", argv[i], usage);
			return 2;
		}
	}
	if (n == 0) {
		fprintf(stderr, "%s", usage);
		return 2;
	}
	struct scenario sc[2];
	for (size_t i = 0; i < n; i++)
		if (!read_scenario(paths[i], &sc[i]))
			return 2;
	if (credentials_init()) {
		fprintf(stderr, "kouan simulate: libsodium failed to start\n");
		return 1;
	}
	log_set_level(LOG_WARN);
	struct run_figures f[2] = {{0}, {0}};
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "run %zu: %s\n", i + 1, sc[i].name);
		if (!run(&sc[i], &f[i]))
			rc = 1;
	}
	if (!rc && json) {
		json_t *runs = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(runs, json_pack("{s:s, s:i, s:O}", "scenario",
							      sc[i].name, "declarations",
							      f[i].declarations, "import",
							      f[i].imports));
		json_dumpf(runs, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(runs);
	} else if (!rc) {
		print_report(sc, f, n);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(f[i].imports);
	return rc;
}
