/*
 * simulate.c - `kouan simulate`: the command, its scenario files and its
 * report. A scenario describes a port (vessels, imports and exports a day,
 * the share of advance declarations, the traders' credit classes, officers
 * and their reviews, inspection sites and slots, the traders' and the
 * terminal's delays) and the what-if switches (parallel or serial agency
 * handling, automatic release, office hours or 7x24); simulate_model.c
 * runs it through the real kouan on a virtual clock, and this file prints
 * kouan's clearance-time statistics of one run, or of two side by side
 * with the difference.
 *
 * What it must never do: accept a scenario setting it does not know or a
 * value out of its range without naming it (a typo would silently run
 * another port), or compute a clearance time itself: the figures are
 * kouan's statistics API's.
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "domain/credentials.h"
#include "server/commands.h"
#include "server/simulate.h"

/* --- scenario files -------------------------------------------------- */

enum setting_kind {
	S_INT,      /* a whole number */
	S_NUMBER,   /* any number */
	S_BOOL,     /* true or false */
	S_AGENCY_INT,    /* {"customs": whole number, "quarantine": ..., "maritime": ..., "border": ...} */
	S_AGENCY_NUMBER, /* {"customs": number, "quarantine": ..., "maritime": ..., "border": ...} */
	S_SHARES,   /* {"advanced": share, "standard": ..., "discredited": ...}, adding up to 1 */
	S_TIME,     /* RFC 3339 */
	S_SEED,     /* a whole number from 0 */
};

struct setting {
	const char *name;
	enum setting_kind kind;
	double min, max;
	bool above;        /* min excluded */
	double fallback[SIM_AGENCIES]; /* the default (per agency or class) */
	size_t offset;
	bool hundredths; /* at most two decimals (a rate kouan takes so) */
};

/* where a setting goes, and whether it keeps two decimals at most */
#define AT(field) offsetof(struct scenario, field), false
#define AT_HUNDREDTHS(field) offsetof(struct scenario, field), true

static const struct setting settings[] = {
	{"seed", S_SEED, 0, 9007199254740992.0, false, {1}, AT(seed)},
	{"start", S_TIME, 0, 0, false, {0}, AT(start_us)},
	{"days", S_INT, 1, 62, false, {5}, AT(days)},
	{"vessels_per_day", S_NUMBER, 0, 200, true, {4}, AT(vessels_per_day)},
	{"imports_per_day", S_NUMBER, 0, 20000, false, {40}, AT(imports_per_day)},
	{"exports_per_day", S_NUMBER, 0, 20000, false, {30}, AT(exports_per_day)},
	{"trucks_per_day", S_NUMBER, 0, 5000, false, {0}, AT(trucks_per_day)},
	{"advance_share", S_NUMBER, 0, 1, false, {0.3}, AT(advance_share)},
	{"credit_mix", S_SHARES, 0, 1, false, {0.2, 0.75, 0.05}, AT(credit_mix)},
	{"officers", S_AGENCY_INT, 1, SIM_MAX_OFFICERS, false, {2, 2, 1, 1}, AT(officers)},
	{"review_minutes", S_AGENCY_NUMBER, 0, 10080, true, {30, 30, 30, 10},
	 AT(review_minutes)},
	{"inspection_percent", S_AGENCY_NUMBER, 0, 100, false, {2, 5, 0, 0},
	 AT_HUNDREDTHS(inspection_percent)},
	{"inspection_sites", S_INT, 1, SIM_MAX_SITES, false, {1}, AT(inspection_sites)},
	{"inspection_capacity", S_INT, 1, 100, false, {4}, AT(inspection_capacity)},
	{"slot_minutes", S_INT, 5, 1440, false, {30}, AT(slot_minutes)},
	{"lodgement_hours", S_NUMBER, 0, 720, true, {6}, AT(lodgement_hours)},
	{"export_lodgement_hours", S_NUMBER, 0, 720, true, {2}, AT(export_lodgement_hours)},
	{"booking_hours", S_NUMBER, 0, 720, true, {1}, AT(booking_hours)},
	{"payment_hours", S_NUMBER, 0, 720, true, {4}, AT(payment_hours)},
	{"gate_hours", S_NUMBER, 0, 720, true, {12}, AT(gate_hours)},
	{"berth_hours", S_NUMBER, 0, 240, true, {24}, AT(berth_hours)},
	{"parallel", S_BOOL, 0, 0, false, {1}, AT(parallel)},
	{"automatic_release", S_BOOL, 0, 0, false, {1}, AT(automatic_release)},
	{"office_hours", S_BOOL, 0, 0, false, {0}, AT(office_hours)},
};
#define SETTINGS (sizeof settings / sizeof settings[0])

/* What a setting accepts, for the message that refuses a value. */
static void accepted(const struct setting *st, char *out, size_t n)
{
	const char *what = st->kind == S_INT || st->kind == S_AGENCY_INT ? "a whole number"
										: "a number";
	if (st->above)
		snprintf(out, n, "%s above %g and at most %g", what, st->min, st->max);
	else
		snprintf(out, n, "%s from %g to %g%s", what, st->min, st->max,
			 st->hundredths ? " with at most two decimals" : "");
}

static bool number_in(const struct setting *st, json_t *v, bool whole)
{
	if (whole ? !json_is_integer(v) : !json_is_number(v))
		return false;
	double x = json_number_value(v);
	if (st->hundredths && fabs(x * 100 - floor(x * 100 + 0.5)) > 1e-6)
		return false;
	return (st->above ? x > st->min : x >= st->min) && x <= st->max;
}

static bool bad(const char *path, const char *pointer, const char *problem)
{
	fprintf(stderr, "kouan simulate: %s: %s %s\n", path, pointer, problem);
	return false;
}

/* One setting from the file (v NULL: its default) into sc. */
static bool read_setting(const char *path, const struct setting *st, json_t *v,
			 struct scenario *sc)
{
	char *field = (char *)sc + st->offset, pointer[96], want[96];
	snprintf(pointer, sizeof pointer, "/%s", st->name);
	accepted(st, want, sizeof want);
	switch (st->kind) {
	case S_SEED:
		if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
			return bad(path, pointer, "must be a whole number from 0");
		*(uint64_t *)(void *)field = v ? (uint64_t)json_integer_value(v) : 1;
		return true;
	case S_TIME: {
		int64_t *t = (int64_t *)(void *)field;
		*t = 1793577600000000LL; /* 2026-11-02T00:00:00Z, a Monday */
		if (v && (!json_is_string(v) || !ktime_parse(json_string_value(v), t)))
			return bad(path, pointer, "must be an RFC 3339 time");
		return true;
	}
	case S_BOOL:
		if (v && !json_is_boolean(v))
			return bad(path, pointer, "must be true or false");
		*(bool *)(void *)field = v ? json_is_true(v) : st->fallback[0] != 0;
		return true;
	case S_INT:
	case S_NUMBER: {
		char problem[128];
		snprintf(problem, sizeof problem, "must be %s", want);
		if (v && !number_in(st, v, st->kind == S_INT))
			return bad(path, pointer, problem);
		double x = v ? json_number_value(v) : st->fallback[0];
		if (st->kind == S_INT)
			*(int *)(void *)field = (int)x;
		else
			*(double *)(void *)field = x;
		return true;
	}
	case S_AGENCY_INT:
	case S_AGENCY_NUMBER:
	case S_SHARES: {
		const char *const *names = st->kind == S_SHARES ? sim_class_names : sim_agency_names;
		size_t count = st->kind == S_SHARES ? SIM_CLASSES : SIM_AGENCIES;
		bool ok = true;
		if (v && !json_is_object(v))
			return bad(path, pointer, st->kind == S_SHARES
							  ? "must be an object of shares by credit "
							    "class: advanced, standard, discredited"
							  : "must be an object by agency: customs, "
							    "quarantine, maritime, border");
		const char *k;
		json_t *m;
		json_object_foreach(v, k, m)
		{
			bool known = false;
			for (size_t i = 0; i < count; i++)
				known = known || !strcmp(k, names[i]);
			if (!known) {
				char sub[160];
				snprintf(sub, sizeof sub, "%s/%s", pointer, k);
				ok = bad(path, sub, "is not a scenario setting");
			}
		}
		double sum = 0;
		for (size_t i = 0; i < count; i++) {
			json_t *m2 = v ? json_object_get(v, names[i]) : NULL;
			char sub[160], problem[128];
			snprintf(sub, sizeof sub, "%s/%s", pointer, names[i]);
			snprintf(problem, sizeof problem, "must be %s", want);
			if (m2 && !number_in(st, m2, st->kind == S_AGENCY_INT)) {
				ok = bad(path, sub, problem);
				continue;
			}
			/* a mix given in the file leaves the classes it omits at 0 */
			double x = m2 ? json_number_value(m2)
				      : (v && st->kind == S_SHARES ? 0 : st->fallback[i]);
			sum += x;
			if (st->kind == S_AGENCY_INT)
				((int *)(void *)field)[i] = (int)x;
			else
				((double *)(void *)field)[i] = x;
		}
		if (ok && st->kind == S_SHARES && (sum < 0.999 || sum > 1.001)) {
			char problem[128];
			snprintf(problem, sizeof problem,
				 "must add up to 1 (its shares add up to %g)", sum);
			ok = bad(path, pointer, problem);
		}
		return ok;
	}
	}
	return false;
}

bool scenario_read(const char *path, struct scenario *sc)
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
	bool ok = true;
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		bool found = false;
		for (size_t i = 0; i < SETTINGS && !found; i++)
			found = !strcmp(settings[i].name, k);
		if (!found) {
			char pointer[160];
			snprintf(pointer, sizeof pointer, "/%s", k);
			ok = bad(path, pointer, "is not a scenario setting");
		}
	}
	for (size_t i = 0; i < SETTINGS; i++)
		ok = read_setting(path, &settings[i], json_object_get(j, settings[i].name), sc) && ok;
	if (ok && 1440 % sc->slot_minutes)
		ok = bad(path, "/slot_minutes", "must divide a day (1440 minutes): 5, 10, 15, 20, "
						"30, 60, ...");
	if (ok && sc->imports_per_day + sc->exports_per_day + sc->trucks_per_day <= 0)
		ok = bad(path, "/imports_per_day",
			 "and /exports_per_day are both 0: the port would have nothing to clear");
	json_decref(j);
	return ok;
}

/* --- the report ------------------------------------------------------ */

static void hm(json_int_t s, char *out, size_t n)
{
	snprintf(out, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

static json_t *direction_of(const struct run_figures *f, bool import)
{
	return import ? f->imports : f->exports;
}

static json_int_t total_of(const struct run_figures *f, bool import, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(direction_of(f, import), "total"), k));
}

static json_t *stage_of(const struct run_figures *f, bool import, const char *stage)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(direction_of(f, import), "stages"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "stage")), stage))
			return s;
	return NULL;
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

static void print_direction(const struct run_figures *f, size_t n, bool import)
{
	printf("\n%s, %s:\n  %-30s", import ? "Imports released" : "Exports released",
	       import ? "arrival to gate-out" : "gate-in to departure", "");
	for (size_t i = 0; i < n; i++)
		printf(" %12s", i == 0 ? "run 1" : "run 2");
	printf("%s\n", n == 2 ? "   difference" : "");
	static const char *const totals[] = {"median_s", "p90_s", "p95_s", "mean_s", "max_s"};
	static const char *const titles[] = {"total median", "total p90", "total p95",
					     "total mean", "total max"};
	json_int_t v[2];
	for (size_t t = 0; t < 5; t++) {
		for (size_t i = 0; i < n; i++)
			v[i] = total_of(&f[i], import, totals[t]);
		row(titles[t], v, n);
	}
	/* the stages either run measured, in the order kouan gives them */
	size_t k;
	json_t *st;
	json_t *order = json_object_get(direction_of(&f[n - 1], import), "stages");
	if (!json_array_size(order))
		order = json_object_get(direction_of(&f[0], import), "stages");
	json_array_foreach(order, k, st)
	{
		const char *name = json_string_value(json_object_get(st, "stage"));
		bool measured = false;
		for (size_t i = 0; i < n; i++) {
			json_t *own = stage_of(&f[i], import, name);
			v[i] = json_integer_value(json_object_get(own, "median_s"));
			measured = measured || json_integer_value(json_object_get(own, "count")) > 0;
		}
		if (!measured)
			continue;
		char what[64];
		snprintf(what, sizeof what, "%s median", name);
		row(what, v, n);
	}
	printf("  %-30s", "measured");
	for (size_t i = 0; i < n; i++)
		printf(" %12lld", (long long)total_of(&f[i], import, "count"));
	printf("\n");
	bool lorries = false;
	for (size_t i = 0; i < n; i++)
		lorries = lorries || f[i].trucks > 0;
	if (!import || !lorries)
		return;
	for (int m = 0; m < 2; m++) {
		for (size_t i = 0; i < n; i++)
			v[i] = json_integer_value(
				json_object_get(m ? f[i].by_road : f[i].by_sea, "median_s"));
		row(m ? "by road (Huanggang): median" : "by sea (Nansha): median", v, n);
	}
}

static void print_report(const struct scenario *sc, const struct run_figures *f, size_t n)
{
	printf("\n");
	for (size_t i = 0; i < n; i++)
		printf("run %zu: %s (%s, %s, %s, seed %llu, %d vessels, %d lorries, %d "
		       "declarations, %d inspections, %d exports shut out; %.1f s)\n",
		       i + 1, sc[i].name, sc[i].parallel ? "parallel" : "serial",
		       sc[i].automatic_release ? "automatic release" : "no automatic release",
		       sc[i].office_hours ? "office hours" : "7x24", (unsigned long long)sc[i].seed,
		       f[i].vessels, f[i].trucks, f[i].declarations, f[i].inspections,
		       f[i].shut_out, f[i].seconds);
	print_direction(f, n, true);
	print_direction(f, n, false);
}

/* One run on a thread of its own. */
struct job {
	const struct scenario *sc;
	struct run_figures *f;
	bool bar, ok;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	j->ok = sim_run(j->sc, j->f, j->bar);
	return NULL;
}

int cmd_simulate(int argc, char **argv)
{
	static const char usage[] =
		"Usage: kouan simulate SCENARIO.json [OTHER.json] [--json]\n\n"
		"Run a port through kouan on a virtual clock, in a throw-away database:\n"
		"vessels calling with imports and exports (and lorries from Hong Kong),\n"
		"their manifests and reports, declarations (a commodity mix, traders of\n"
		"each credit class, a share declared in advance), the agencies' officers\n"
		"on shift, inspections booked on the sites' slots, duties paid after a\n"
		"delay, the terminal's gate. Prints kouan's clearance-time statistics of\n"
		"the imports (arrival to gate-out) and exports (gate-in to departure);\n"
		"with two scenarios, side by side with the difference. --json prints the\n"
		"figures as JSON. The same scenario gives the same figures, exactly.\n"
		"Ctrl-C stops a run and removes its database.\n\n"
		"A scenario is a JSON object; every setting is optional (default shown):\n"
		"  seed 1, start \"2026-11-02T00:00:00Z\", days 5 (1-62),\n"
		"  vessels_per_day 4, imports_per_day 40, exports_per_day 30 (by sea,\n"
		"  at Nansha), trucks_per_day 0 (lorries into Huanggang, one import each),\n"
		"  advance_share 0.3 (imports declared before arrival),\n"
		"  credit_mix {\"advanced\": 0.2, \"standard\": 0.75, \"discredited\": 0.05},\n"
		"  officers {\"customs\": 2, \"quarantine\": 2, \"maritime\": 1, \"border\": 1},\n"
		"  review_minutes (mean) {\"customs\": 30, \"quarantine\": 30,\n"
		"    \"maritime\": 30, \"border\": 10},\n"
		"  inspection_percent (random selection for standard credit)\n"
		"    {\"customs\": 2, \"quarantine\": 5, \"maritime\": 0, \"border\": 0},\n"
		"  inspection_sites 1, inspection_capacity 4 (per slot), slot_minutes 30,\n"
		"  and mean delays in hours: lodgement_hours 6 (imports, after arrival),\n"
		"  export_lodgement_hours 2 (before gate-in), booking_hours 1,\n"
		"  payment_hours 4, gate_hours 12; berth_hours 24 (a vessel's stay);\n"
		"  the switches parallel true, automatic_release true, office_hours\n"
		"  false (08:30-17:30 +08:00, Monday to Friday).\n"
		"Reference scenarios are in data/scenarios/.\n";
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
	bool ok = true;
	for (size_t i = 0; i < n; i++)
		ok = scenario_read(paths[i], &sc[i]) && ok;
	if (!ok)
		return 2;
	if (credentials_init()) {
		fprintf(stderr, "kouan simulate: libsodium failed to start\n");
		return 1;
	}
	log_set_level(LOG_WARN);
	struct run_figures f[2];
	memset(f, 0, sizeof f);
	int rc = 0;
	/* two runs go at once, one on a thread of its own (the bar follows
	 * the first): they share nothing, and a comparison takes the time of
	 * its longer run on two cores */
	struct job jobs[2] = {{&sc[0], &f[0], true, false}, {&sc[1], &f[1], false, false}};
	pthread_t second;
	bool threaded = n == 2 && pthread_create(&second, NULL, run_job, &jobs[1]) == 0;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "%s: %s\n", threaded ? "runs 1 and 2 at once, run 1" : "run 1",
			sc[0].name);
	run_job(&jobs[0]);
	if (threaded)
		pthread_join(second, NULL);
	else if (n == 2 && jobs[0].ok)
		run_job(&jobs[1]);
	for (size_t i = 0; i < n; i++)
		if (!jobs[i].ok)
			rc = 1;
	if (!rc && json) {
		json_t *runs = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				runs, json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:O, s:{s:O, s:O},"
						" s:O}",
						"scenario", sc[i].name, "vessels", f[i].vessels,
						"lorries", f[i].trucks, "declarations",
						f[i].declarations, "inspections", f[i].inspections,
						"shut_out", f[i].shut_out, "import", f[i].imports,
						"import_by_mode", "sea", f[i].by_sea, "road",
						f[i].by_road, "export", f[i].exports));
		json_dumpf(runs, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(runs);
	} else if (!rc) {
		print_report(sc, f, n);
	}
	for (size_t i = 0; i < n; i++) {
		json_decref(f[i].imports);
		json_decref(f[i].exports);
		json_decref(f[i].by_sea);
		json_decref(f[i].by_road);
	}
	return rc;
}
