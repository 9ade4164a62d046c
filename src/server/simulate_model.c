/*
 * simulate_model.c - the port of `kouan simulate` on a virtual clock: a
 * discrete-event model of vessels calling at Nansha with imports and
 * exports (and lorries crossing from Hong Kong at Huanggang), the carriers,
 * the terminals, the traders of each credit class and the agencies'
 * officers, every step of it a call to the
 * real kouan (its API in-process through api_loopback, its services, a
 * throw-away SQLite store) at the virtual time the step happens. The
 * clearance-time statistics of the run are kouan's own answer.
 *
 * A vessel's call: 48 hours before it berths the carrier lodges the
 * original manifest (its imports' bills), the pre-loading manifest (its
 * exports') and the arrival report, which border inspection, maritime
 * safety, customs and quarantine clear. Advance declarations are lodged
 * in those 48 hours; the others after the arrival. At the arrival the
 * carrier records it and lodges the departure report; the terminal
 * discharges the import containers over the first half of the stay. Export
 * containers are gated in from 48 hours before the arrival and declared
 * after. Whatever task kouan leaves open waits for an officer of its
 * agency (on shift, first come first served); a red lane's inspection is
 * booked by the trader on the first free slot of a site (read from the
 * site's schedule) and found without problem at the slot's end by the
 * officers taking part; duties are paid after the trader's delay. Released
 * imports leave by the gate after the haulier's wait once discharged;
 * released exports are loaded once the vessel is alongside, and the vessel
 * leaves when its exports are loaded (waiting at most 72 hours past its
 * scheduled departure; what it leaves behind is "shut out"). A lorry's
 * haulier lodges its manifest and arrival report the same way; its one
 * container is unloaded within half an hour of the crossing.
 *
 * What it must never do: decide what kouan decides (lanes, release,
 * duties, the gate): it reads kouan's answers; touch any database but its
 * own temporary one (removed at the end).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/loopback.h"
#include "common/clock.h"
#include "domain/credentials.h"
#include "domain/risk.h"
#include "server/demo.h"
#include "server/money_load.h"
#include "server/reference_load.h"
#include "server/simulate.h"
#include "service/risk_state.h"
#include "service/statistics.h"
#include "store/repo.h"
#include "store/store.h"

#define SIM_OFFSET_US (8 * SIM_HOUR_US) /* office hours at +08:00 */
#define SIM_PLAN_US (48 * SIM_HOUR_US) /* manifests and report before arrival */
#define SIM_LONGEST_WAIT_US (72 * SIM_HOUR_US) /* a vessel waiting for exports */

/* The users the model logs in as. */
enum sim_user {
	U_ADVANCED, U_STANDARD, U_DISCREDITED, /* the traders, by credit class */
	U_CUSTOMS, U_QUARANTINE, U_MARITIME, /* the officers, in the order of the agencies */
	U_BORDER, U_CARRIER, U_HAULIER, U_TERMINAL,
	U_HUANGGANG, /* the Huanggang cargo terminal, made by the model */
	U_ADMIN, U_BANK, SIM_USERS
};
static const char *const user_names[SIM_USERS] = {
	"sim.advanced", "sim.standard", "sim.discredited", "customs",       "quarantine",
	"maritime",     "border",       "carrier",         "haulier",       "terminal",
	"sim.huanggang", "admin",        "bank"};
static const char trader_password[] = "kouan-simulated-trader-2026";
/* The simulated traders (USCCs with their check characters). */
static const char *const trader_uscc[SIM_CLASSES] = {"91440115MA5AAA0A1T", "91440115MA5BBB0B2G",
						     "91440115MA5CCC0C36"};
static const char huanggang_uscc[] = "91440300MA5DDD0D4E";
/* The bank that holds the traders' accounts: the demo's ICBC sub-branch. */
static const char bank_uscc[] = "91440101MA5BK0NA2H";

enum sim_kind {
	E_PLAN, E_ARRIVE, E_DEPART, E_LODGE, E_DISCHARGE, E_GATE_OUT, E_GATE_IN, E_LOAD,
	E_DONE, E_SHIFT, E_BOOK, E_INSPECT, E_PAY
};

struct sim_event {
	int64_t at;
	uint64_t seq; /* ties in order of scheduling */
	enum sim_kind kind;
	int index; /* a vessel or a consignment */
	short agency, officer;
};

struct sim {
	const struct scenario *sc;
	struct app *app;
	struct kclock *clock;
	struct sim_event *heap;
	size_t n, cap;
	uint64_t seq;
	struct vessel *v;
	struct cargo *c;
	int nv, nc;
	char token[SIM_USERS][TOKEN_TEXT_MAX];
	int *queue[SIM_AGENCIES]; /* consignments waiting for a review */
	size_t qhead[SIM_AGENCIES], qtail[SIM_AGENCIES];
	bool busy[SIM_AGENCIES][SIM_MAX_OFFICERS];
	bool shift_pending[SIM_AGENCIES];
	int64_t login_at;
	int inspections;
	bool failed, bar;
};

/* --- the event queue ------------------------------------------------- */

static bool before(const struct sim_event *a, const struct sim_event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void schedule(struct sim *s, int64_t at, enum sim_kind kind, int index, int agency,
		     int officer)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct sim_event *h = realloc(s->heap, cap * sizeof *h);
		if (!h) {
			s->failed = true;
			return;
		}
		s->heap = h;
		s->cap = cap;
	}
	struct sim_event e = {at, s->seq++, kind, index, (short)agency, (short)officer};
	size_t i = s->n++;
	while (i > 0 && before(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
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

/* Call kouan as `user` with a JSON body (taken, may be NULL); true when it
 * answers `status`, with the answer in *out when out is given. Any other
 * answer stops the run, printing it. */
static bool api(struct sim *s, const char *method, const char *path, enum sim_user user,
		json_t *body, const char *idem, int status, json_t **out)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	struct loopback_call c = {.method = method, .path = path,
				  .token = user == SIM_USERS ? NULL : s->token[user],
				  .body = text, .idempotency_key = idem};
	struct loopback_result r;
	api_loopback(s->app, &c, &r);
	bool ok = r.status == status;
	if (!ok) {
		char at[KTIME_TEXT_MAX];
		ktime_format(s->clock->fixed_us, at);
		fprintf(stderr, "kouan simulate: at %s, %s %s answered %d: %s\n", at, method, path,
			r.status, r.text ? r.text : "");
		s->failed = true;
	} else if (out) {
		*out = json_incref(r.json);
	}
	loopback_result_free(&r);
	free(text);
	return ok;
}

static const char *member(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static bool login_all(struct sim *s)
{
	for (int u = 0; u < SIM_USERS; u++) {
		const char *password =
			u <= U_DISCREDITED || u == U_HUANGGANG ? trader_password : NULL;
		for (const struct demo_user *d = demo_users; !password && d->username; d++)
			if (!strcmp(d->username, user_names[u]))
				password = d->password;
		json_t *answer = NULL;
		if (!password ||
		    !api(s, "POST", "/v1/sessions", SIM_USERS,
			 json_pack("{s:s, s:s}", "username", user_names[u], "password", password),
			 NULL, 201, &answer))
			return false;
		snprintf(s->token[u], TOKEN_TEXT_MAX, "%s", member(answer, "token"));
		json_decref(answer);
	}
	s->login_at = s->clock->fixed_us;
	return true;
}

/* The port as the scenario has it, set up through the API by the admin:
 * the traders and their credit classes, general guarantees for the
 * classes that may hold one, the risk profiles and the inspection sites. */
static bool set_up(struct sim *s)
{
	const struct scenario *sc = s->sc;
	json_t *answer = NULL;
	if (!api(s, "POST", "/v1/sessions", SIM_USERS,
		 json_pack("{s:s, s:s}", "username", "admin", "password", "admin-demo-2026"), NULL,
		 201, &answer))
		return false;
	snprintf(s->token[U_ADMIN], TOKEN_TEXT_MAX, "%s", member(answer, "token"));
	json_decref(answer);
	char at[KTIME_TEXT_MAX], from[16], until[16], path[128], number[32];
	ktime_format(sc->start_us, at);
	int year = (at[0] - '0') * 1000 + (at[1] - '0') * 100 + (at[2] - '0') * 10 + at[3] - '0';
	snprintf(from, sizeof from, "%d-01-01", year);
	snprintf(until, sizeof until, "%d-12-31", year + 1);
	for (int k = 0; k < SIM_CLASSES; k++) {
		char name[64];
		snprintf(name, sizeof name, "Simulated trader (%s credit)", sim_class_names[k]);
		if (!api(s, "POST", "/v1/organisations", U_ADMIN,
			 json_pack("{s:s, s:s, s:s}", "uscc", trader_uscc[k], "name", name, "kind",
				   "trader"),
			 NULL, 201, NULL) ||
		    !api(s, "POST", "/v1/users", U_ADMIN,
			 json_pack("{s:s, s:s, s:s, s:s}", "username", user_names[k], "password",
				   trader_password, "role", "declarant", "organisation",
				   trader_uscc[k]),
			 NULL, 201, NULL))
			return false;
		snprintf(path, sizeof path, "/v1/organisations/%s/credit", trader_uscc[k]);
		if (k != SIM_STANDARD &&
		    !api(s, "PUT", path, U_ADMIN,
			 json_pack("{s:s, s:s}", "credit_class", sim_class_names[k], "reason",
				   "the simulated port's trader of this class"),
			 NULL, 200, NULL))
			return false;
		/* 汇总征税: the advanced and standard traders' general guarantees,
		 * large enough never to run out in a run */
		snprintf(number, sizeof number, "G-SIM-%d-%d", year, k + 1);
		if (k != SIM_DISCREDITED &&
		    !api(s, "POST", "/v1/guarantees", U_ADMIN,
			 json_pack("{s:s, s:s, s:s, s:s, s:s}", "organisation", trader_uscc[k],
				   "number", number, "ceiling", "100000000000.00", "valid_from",
				   from, "valid_until", until),
			 NULL, 201, NULL))
			return false;
	}
	/* the terminal at Huanggang, where the lorries come in */
	if (!api(s, "POST", "/v1/organisations", U_ADMIN,
		 json_pack("{s:s, s:s, s:s, s:s}", "uscc", huanggang_uscc, "name",
			   "Simulated Huanggang cargo terminal", "kind", "port", "port", "CNHUG"),
		 NULL, 201, NULL) ||
	    !api(s, "POST", "/v1/users", U_ADMIN,
		 json_pack("{s:s, s:s, s:s, s:s}", "username", user_names[U_HUANGGANG], "password",
			   trader_password, "role", "port_operator", "organisation",
			   huanggang_uscc),
		 NULL, 201, NULL))
		return false;
	static const char *const offices[] = {"5167", "5301"}, *const ports[] = {"CNNSA", "CNHUG"};
	for (int o = 0; o < 2; o++) {
		for (int a = 0; a < SIM_AGENCIES; a++) {
			/* the setting has at most two decimals (checked when read):
			 * kouan takes it as that exact decimal text */
			char percent[48];
			long hundredths = lround(sc->inspection_percent[a] * 100);
			snprintf(percent, sizeof percent, "%ld.%02ld", hundredths / 100,
				 hundredths % 100);
			snprintf(path, sizeof path, "/v1/risk/profiles/%s/%s", offices[o],
				 sim_agency_names[a]);
			bool green = a == SIM_CUSTOMS && sc->automatic_release;
			if (!api(s, "PUT", path, U_ADMIN,
				 json_pack("{s:s, s:s}", "random_percent", percent, "base_lane",
					   green ? "green" : "yellow"),
				 NULL, 200, NULL))
				return false;
		}
		for (int k = 0; k < sc->inspection_sites; k++) {
			char code[24], name[64];
			snprintf(code, sizeof code, "%s-S%d", ports[o], k + 1);
			snprintf(name, sizeof name, "%s inspection area %d", ports[o], k + 1);
			if (!api(s, "POST", "/v1/inspection-sites", U_ADMIN,
				 json_pack("{s:s, s:s, s:s, s:i, s:i}", "code", code, "name", name,
					   "port", ports[o], "slot_minutes", sc->slot_minutes,
					   "capacity", sc->inspection_capacity),
				 NULL, 201, NULL))
				return false;
		}
	}
	return login_all(s);
}

/* --- shifts and officers ----------------------------------------------- */

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
	int64_t day = (t + SIM_OFFSET_US) / SIM_DAY_US;
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
			if (!s->shift_pending[a])
				schedule(s, next_shift(s->sc, now), E_SHIFT, -1, a, -1);
			s->shift_pending[a] = true;
			return;
		}
		int free_officer = -1;
		for (int o = 0; o < s->sc->officers[a] && free_officer < 0; o++)
			if (!s->busy[a][o])
				free_officer = o;
		if (free_officer < 0)
			return;
		int i = s->queue[a][s->qhead[a]++];
		s->busy[a][free_officer] = true;
		schedule(s, now + s->c[i].review_us[a], E_DONE, i, a, free_officer);
	}
}

static void ready(struct sim *s, int i, int a, int64_t now)
{
	s->queue[a][s->qtail[a]++] = i;
	dispatch(s, a, now);
}

/* --- what kouan answered ----------------------------------------------- */

/* An export is loaded once released, in the terminal and alongside. */
static void to_load(struct sim *s, int i, int64_t now)
{
	struct cargo *c = &s->c[i];
	const struct vessel *v = &s->v[c->vessel];
	if (c->released && c->gated_in && v->arrived && !v->departed)
		schedule(s, now + c->gate_us, E_LOAD, i, -1, -1);
}

/* The goods may move once released: an import leaves by the gate once
 * discharged, an export is loaded once its vessel is alongside. */
static void released(struct sim *s, int i, int64_t now)
{
	struct cargo *c = &s->c[i];
	if (c->released)
		return;
	c->released = true;
	if (c->import && c->discharged)
		schedule(s, now + c->gate_us, E_GATE_OUT, i, -1, -1);
	else if (!c->import)
		to_load(s, i, now);
}

static void read_status(struct sim *s, int i, const char *status, int64_t now)
{
	if (!strcmp(status, "released"))
		released(s, i, now);
}

/* Customs has cleared: in the serial process the other agencies start now. */
static void customs_done(struct sim *s, int i, int64_t now)
{
	struct cargo *c = &s->c[i];
	for (int a = 0; a < SIM_AGENCIES; a++)
		if (c->waiting_serial & (1u << a))
			ready(s, i, a, now);
	c->waiting_serial = 0;
}

/* --- the steps --------------------------------------------------------- */

static long long report_cleared(struct sim *s, const struct vessel *v, bool arrival, int index)
{
	char at[KTIME_TEXT_MAX], etd[KTIME_TEXT_MAX], idem[48], path[128];
	ktime_format(v->eta_us, at);
	ktime_format(v->etd_us, etd);
	snprintf(idem, sizeof idem, "ksm-report-%c-%d", arrival ? 'a' : 'd', index);
	json_t *answer = NULL;
	if (!api(s, "POST", "/v1/conveyance-reports", v->road ? U_HAULIER : U_CARRIER,
		 sim_report_body(v, arrival, at, etd), idem, 201, &answer))
		return 0;
	long long id = (long long)json_integer_value(json_object_get(answer, "id"));
	size_t k;
	json_t *t;
	json_array_foreach(json_object_get(answer, "tasks"), k, t)
	{
		const char *agency = member(t, "agency");
		enum sim_user who = SIM_USERS;
		for (int u = U_CUSTOMS; u <= U_BORDER; u++)
			if (!strcmp(agency, user_names[u]))
				who = (enum sim_user)u;
		snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/tasks/%s/decision", id,
			 agency);
		if (who == SIM_USERS || !id ||
		    !api(s, "POST", path, who,
			 json_pack("{s:s, s:s}", "decision", "cleared", "reason",
				   "report and crew list in order"),
			 NULL, 200, NULL))
			id = 0;
	}
	json_decref(answer);
	return id;
}

static void plan(struct sim *s, int vi, int64_t now)
{
	struct vessel *v = &s->v[vi];
	char idem[48];
	for (int dir = 0; dir < 2; dir++) {
		if (dir == 0 ? !v->imports : !v->exports)
			continue;
		snprintf(idem, sizeof idem, "ksm-manifest-%c-%d", dir ? 'e' : 'i', vi);
		if (!api(s, "POST", "/v1/manifests", v->road ? U_HAULIER : U_CARRIER,
			 sim_manifest_body(v, s->c, dir == 0), idem, 201, NULL))
			return;
	}
	if (!(v->arrival_report = report_cleared(s, v, true, vi)))
		return;
	schedule(s, v->eta_us, E_ARRIVE, vi, -1, -1);
	for (int i = v->first; i < v->first + v->imports + v->exports; i++) {
		if (s->c[i].advance || !s->c[i].import)
			schedule(s, now + s->c[i].lodge_after_us, E_LODGE, i, -1, -1);
		if (!s->c[i].import)
			schedule(s, now + s->c[i].gate_in_after_us, E_GATE_IN, i, -1, -1);
	}
}

static void arrive(struct sim *s, int vi, int64_t now)
{
	struct vessel *v = &s->v[vi];
	char path[128], at[KTIME_TEXT_MAX];
	ktime_format(now, at);
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/arrival", v->arrival_report);
	if (!api(s, "POST", path, v->road ? U_HAULIER : U_CARRIER, json_pack("{s:s}", "at", at),
		 NULL, 200, NULL) ||
	    (!v->road && !(v->departure_report = report_cleared(s, v, false, vi))))
		return;
	v->arrived = true;
	v->ata_us = now;
	for (int i = v->first; i < v->first + v->imports + v->exports; i++) {
		struct cargo *c = &s->c[i];
		if (c->import) {
			/* a lorry is unloaded within half an hour */
			int64_t unload = v->road ? c->discharge_after_us % (SIM_HOUR_US / 2)
						 : c->discharge_after_us;
			schedule(s, now + unload, E_DISCHARGE, i, -1, -1);
			if (!c->advance)
				schedule(s, now + c->lodge_after_us, E_LODGE, i, -1, -1);
		} else {
			to_load(s, i, now);
		}
	}
	if (!v->road)
		schedule(s, v->etd_us, E_DEPART, vi, -1, -1);
}

static void depart(struct sim *s, int vi, int64_t now)
{
	struct vessel *v = &s->v[vi];
	if (v->loaded < v->exports && now < v->etd_us + SIM_LONGEST_WAIT_US) {
		schedule(s, now + SIM_HOUR_US, E_DEPART, vi, -1, -1);
		return;
	}
	char path[128], at[KTIME_TEXT_MAX];
	ktime_format(now, at);
	snprintf(path, sizeof path, "/v1/conveyance-reports/%lld/departure", v->departure_report);
	if (!api(s, "POST", path, U_CARRIER, json_pack("{s:s}", "at", at), NULL, 200, NULL))
		return;
	v->departed = true;
	for (int i = v->first + v->imports; i < v->first + v->imports + v->exports; i++)
		if (!s->c[i].loaded)
			s->c[i].shut_out = true;
}

static void lodge(struct sim *s, int i, int64_t now)
{
	struct cargo *c = &s->c[i];
	if (c->shut_out || (!c->import && s->v[c->vessel].departed)) {
		c->shut_out = true;
		return;
	}
	char idem[48];
	snprintf(idem, sizeof idem, "ksm-declaration-%d", i);
	json_t *answer = NULL;
	if (!api(s, "POST", "/v1/declarations", (enum sim_user)c->credit,
		 sim_declaration_body(&s->v[c->vessel], c, i, trader_uscc[c->credit]), idem, 201,
		 &answer))
		return;
	c->lodged = true;
	snprintf(c->number, sizeof c->number, "%s", member(answer, "number"));
	size_t k;
	json_t *t;
	json_array_foreach(json_object_get(answer, "tasks"), k, t)
	{
		bool open = !strcmp(member(t, "status"), "open"),
		     inspecting = !strcmp(member(t, "status"), "inspecting"), staffed = false;
		for (int a = 0; a < SIM_AGENCIES; a++) {
			if (strcmp(member(t, "agency"), sim_agency_names[a]))
				continue;
			staffed = true;
			c->reviewing |= open ? 1u << a : 0;
			c->inspecting |= inspecting ? 1u << a : 0;
		}
		if ((open || inspecting) && !staffed) {
			fprintf(stderr, "kouan simulate: declaration %s has a task for %s, whose "
					"officers the model does not staff\n",
				c->number, member(t, "agency"));
			s->failed = true;
		}
	}
	read_status(s, i, member(answer, "status"), now);
	json_decref(answer);
	bool customs_open = c->reviewing & (1u << SIM_CUSTOMS) || c->inspecting & (1u << SIM_CUSTOMS);
	for (int a = 0; a < SIM_AGENCIES; a++) {
		if (!(c->reviewing & (1u << a)))
			continue;
		if (a != SIM_CUSTOMS && !s->sc->parallel && customs_open)
			c->waiting_serial |= 1u << a; /* the 2017 process: customs first */
		else
			ready(s, i, a, now);
	}
	if (c->inspecting) {
		s->inspections++;
		schedule(s, now + c->booking_us, E_BOOK, i, -1, -1);
	}
	if (c->import)
		schedule(s, now + c->payment_us, E_PAY, i, -1, -1);
}

static void decide(struct sim *s, const struct sim_event *e)
{
	char path[128];
	struct cargo *c = &s->c[e->index];
	snprintf(path, sizeof path, "/v1/declarations/%s/tasks/%s/decision", c->number,
		 sim_agency_names[e->agency]);
	json_t *answer = NULL;
	s->busy[e->agency][e->officer] = false;
	if (!api(s, "POST", path, (enum sim_user)(U_CUSTOMS + e->agency),
		 json_pack("{s:s, s:s}", "decision", "cleared", "reason", "documents in order"),
		 NULL, 200, &answer))
		return;
	read_status(s, e->index, member(answer, "status"), e->at);
	json_decref(answer);
	if (e->agency == SIM_CUSTOMS)
		customs_done(s, e->index, e->at);
}

/* Book the first free slot (of any site) from now, on shift, as the
 * sites' schedules say. */
static void book(struct sim *s, int i, int64_t now)
{
	struct cargo *c = &s->c[i];
	char path[160];
	json_t *insp = NULL;
	snprintf(path, sizeof path, "/v1/declarations/%s/inspection", c->number);
	if (!api(s, "GET", path, (enum sim_user)c->credit, NULL, NULL, 200, &insp))
		return;
	c->inspection = (long long)json_integer_value(json_object_get(insp, "id"));
	json_decref(insp);
	int64_t slot = s->sc->slot_minutes * 60LL * 1000000;
	int64_t from = (now / slot + 1) * slot;
	for (int day = 0; day < 90; day++) {
		int64_t day_start = (from / SIM_DAY_US + day) * SIM_DAY_US;
		char date[KTIME_TEXT_MAX];
		ktime_format(day_start, date);
		date[10] = '\0';
		int64_t best = 0;
		int best_site = -1;
		for (int k = 0; k < s->sc->inspection_sites; k++) {
			json_t *sched = NULL;
			snprintf(path, sizeof path, "/v1/inspection-sites/%s-S%d/schedule?date=%s",
				 sim_port_of(&s->v[c->vessel]), k + 1, date);
			if (!api(s, "GET", path, (enum sim_user)c->credit, NULL, NULL, 200, &sched))
				return;
			size_t n;
			json_t *sl;
			json_array_foreach(json_object_get(sched, "slots"), n, sl)
			{
				int64_t start;
				if (json_integer_value(json_object_get(sl, "free")) < 1 ||
				    !ktime_parse(member(sl, "start"), &start) || start < from ||
				    !on_shift(s->sc, start) || (best_site >= 0 && start >= best))
					continue;
				best = start;
				best_site = k;
			}
			json_decref(sched);
		}
		if (best_site < 0)
			continue;
		char at[KTIME_TEXT_MAX], site[24];
		ktime_format(best, at);
		snprintf(site, sizeof site, "%s-S%d", sim_port_of(&s->v[c->vessel]), best_site + 1);
		snprintf(path, sizeof path, "/v1/inspections/%lld/booking", c->inspection);
		if (api(s, "POST", path, (enum sim_user)c->credit,
			json_pack("{s:s, s:s}", "site", site, "slot_start", at), NULL, 201, NULL))
			schedule(s, best + slot, E_INSPECT, i, -1, -1);
		return;
	}
	fprintf(stderr, "kouan simulate: no free inspection slot within 90 days\n");
	s->failed = true;
}

static void inspect(struct sim *s, int i, int64_t now)
{
	struct cargo *c = &s->c[i];
	char path[160];
	for (int a = 0; a < SIM_AGENCIES; a++) {
		if (!(c->inspecting & (1u << a)))
			continue;
		snprintf(path, sizeof path, "/v1/inspections/%lld/findings/%s", c->inspection,
			 sim_agency_names[a]);
		json_t *answer = NULL;
		if (!api(s, "POST", path, (enum sim_user)(U_CUSTOMS + a),
			 json_pack("{s:s, s:s}", "result", "no_problem", "note",
				   "goods as declared"),
			 NULL, 201, &answer))
			return;
		read_status(s, i, member(answer, "declaration_status"), now);
		json_decref(answer);
		if (a == SIM_CUSTOMS)
			customs_done(s, i, now);
	}
}

static void pay(struct sim *s, int i, int64_t now)
{
	struct cargo *c = &s->c[i];
	char path[160], at[KTIME_TEXT_MAX], reference[32];
	json_t *taxes = NULL;
	snprintf(path, sizeof path, "/v1/declarations/%s/assessment", c->number);
	if (!api(s, "GET", path, (enum sim_user)c->credit, NULL, NULL, 200, &taxes))
		return;
	char outstanding[32];
	snprintf(outstanding, sizeof outstanding, "%s",
		 member(json_object_get(taxes, "taxes"), "outstanding"));
	json_decref(taxes);
	if (!*outstanding || !strcmp(outstanding, "0.00"))
		return;
	ktime_format(now, at);
	snprintf(reference, sizeof reference, "KSM-PAY-%09d", i + 1);
	snprintf(path, sizeof path, "/v1/declarations/%s/payments", c->number);
	/* the trader's order, and its bank's word that it debited the account */
	if (!api(s, "POST", path, (enum sim_user)c->credit,
		 json_pack("{s:s, s:s, s:s}", "bank", bank_uscc, "bank_reference", reference,
			   "amount", outstanding),
		 NULL, 202, NULL))
		return;
	snprintf(path, sizeof path, "/v1/payments/%s/answer", reference);
	if (!api(s, "POST", path, U_BANK,
		 json_pack("{s:s, s:s, s:s}", "outcome", "paid", "amount", outstanding, "paid_at",
			   at),
		 NULL, 200, NULL) ||
	    c->released)
		return;
	json_t *view = NULL;
	snprintf(path, sizeof path, "/v1/declarations/%s", c->number);
	if (api(s, "GET", path, (enum sim_user)c->credit, NULL, NULL, 200, &view))
		read_status(s, i, member(view, "status"), now);
	json_decref(view);
}

static bool yard(struct sim *s, int i, const char *event)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/gate/containers/%s/events", s->c[i].container);
	return api(s, "POST", path, s->v[s->c[i].vessel].road ? U_HUANGGANG : U_TERMINAL,
		   json_pack("{s:s}", "event", event), NULL, 201, NULL);
}

static void step(struct sim *s, const struct sim_event *e)
{
	struct cargo *c = e->index >= 0 && e->kind != E_PLAN && e->kind != E_ARRIVE &&
					  e->kind != E_DEPART
				  ? &s->c[e->index]
				  : NULL;
	switch (e->kind) {
	case E_PLAN:
		plan(s, e->index, e->at);
		break;
	case E_ARRIVE:
		arrive(s, e->index, e->at);
		break;
	case E_DEPART:
		depart(s, e->index, e->at);
		break;
	case E_LODGE:
		lodge(s, e->index, e->at);
		break;
	case E_DISCHARGE:
		if (yard(s, e->index, "discharged")) {
			c->discharged = true;
			if (c->released)
				schedule(s, e->at + c->gate_us, E_GATE_OUT, e->index, -1, -1);
		}
		break;
	case E_GATE_OUT:
		c->left = yard(s, e->index, "gated_out");
		break;
	case E_GATE_IN:
		if (s->v[c->vessel].departed)
			c->shut_out = true;
		else if ((c->gated_in = yard(s, e->index, "gated_in")))
			to_load(s, e->index, e->at);
		break;
	case E_LOAD:
		if (s->v[c->vessel].departed)
			c->shut_out = true;
		else if (!c->loaded && yard(s, e->index, "loaded")) {
			c->loaded = true;
			s->v[c->vessel].loaded++;
		}
		break;
	case E_DONE:
		decide(s, e);
		dispatch(s, e->agency, e->at);
		break;
	case E_SHIFT:
		s->shift_pending[e->agency] = false;
		dispatch(s, e->agency, e->at);
		break;
	case E_BOOK:
		book(s, e->index, e->at);
		break;
	case E_INSPECT:
		inspect(s, e->index, e->at);
		break;
	case E_PAY:
		pay(s, e->index, e->at);
		break;
	}
}

/* --- one run ------------------------------------------------------------ */

/* Ctrl-C (or a TERM) stops the run at the next step, so that the temporary
 * database is removed rather than left behind. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
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

static bool run_model(struct sim *s, struct run_figures *out)
{
	const struct scenario *sc = s->sc;
	if (!set_up(s))
		return false;
	for (int v = 0; v < s->nv; v++)
		schedule(s, s->v[v].eta_us - SIM_PLAN_US, E_PLAN, v, -1, -1);
	/* the progress bar runs from the first plan to a day after the last
	 * arrivals */
	int64_t first = sc->start_us - SIM_PLAN_US;
	int64_t end = sc->start_us + sc->days * SIM_DAY_US + SIM_DAY_US;
	int64_t last_shown = 0;
	while (s->n && !s->failed && !interrupted) {
		struct sim_event e = pop(s);
		if (e.at > s->clock->fixed_us)
			s->clock->fixed_us = e.at;
		/* sessions last 12 h: everyone logs in again every 6 h of the run */
		if (e.at - s->login_at > 6 * SIM_HOUR_US && !login_all(s))
			break;
		step(s, &e);
		if (e.at - last_shown > SIM_HOUR_US) {
			last_shown = e.at;
			double f = (double)(e.at - first) / (double)(end - first);
			if (s->bar)
				progress(f > 0.99 ? 0.99 : f);
		}
	}
	if (interrupted) {
		fprintf(stderr, "\nkouan simulate: interrupted; the temporary database is removed\n");
		return false;
	}
	if (s->bar)
		progress(1);
	if (s->failed)
		return false;
	json_t *stats = NULL;
	if (!api(s, "GET", "/v1/statistics/clearance?outliers=0", U_ADMIN, NULL, NULL, 200, &stats))
		return false;
	out->imports = json_incref(json_object_get(stats, "import"));
	out->exports = json_incref(json_object_get(stats, "export"));
	json_decref(stats);
	/* the imports by sea and by road, as kouan selects them */
	json_t **by[2] = {&out->by_sea, &out->by_road};
	for (int m = 0; m < 2; m++) {
		char path[128];
		snprintf(path, sizeof path,
			 "/v1/statistics/clearance?outliers=0&direction=import&transport_mode=%d",
			 m ? 4 : 2);
		if (!api(s, "GET", path, U_ADMIN, NULL, NULL, 200, &stats))
			return false;
		*by[m] = json_incref(json_object_get(json_object_get(stats, "import"), "total"));
		json_decref(stats);
	}
	for (int v = 0; v < s->nv; v++) {
		out->vessels += !s->v[v].road;
		out->trucks += s->v[v].road;
	}
	for (int i = 0; i < s->nc; i++) {
		out->declarations += s->c[i].lodged;
		out->shut_out += s->c[i].shut_out;
	}
	out->inspections = s->inspections;
	return true;
}

/* The secret of kouan's risk draws, made from the scenario's seed: a
 * database makes a random one at first start, which would make the lanes,
 * and every figure after them, differ from run to run. */
static bool seed_draws(struct store *store, uint64_t seed)
{
	char text[64];
	snprintf(text, sizeof text, "kouan simulate %llu", (unsigned long long)seed);
	return risk_seed_from_text(store, text) == KERR_OK;
}

bool sim_run(const struct scenario *sc, struct run_figures *out, bool bar)
{
	memset(out, 0, sizeof *out);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
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
	kclock_manual_init(&clock, sc->start_us - SIM_PLAN_US - SIM_DAY_US, 0);
	struct store_options so = {.url = db, .sync = STORE_SYNC_NONE, .busy_timeout_ms = 10000};
	struct store *store = NULL;
	struct app app;
	bool app_up = false, ok = false;
	size_t added;
	bool loaded;
	struct sim s = {.sc = sc, .clock = &clock, .app = &app, .bar = bar};
	struct app_limits limits;
	app_limits_default(&limits);
	limits.service.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
	limits.service.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	const char *iso = getenv("KOUAN_ISO_CODES_DIR");
	if (!sim_plan(sc, &s.v, &s.nv, &s.c, &s.nc))
		goto out;
	for (int a = 0; a < SIM_AGENCIES; a++)
		if (!(s.queue[a] = calloc((size_t)s.nc + 1, sizeof *s.queue[a])))
			goto out;
	if (store_open(&so, &store) || store_migrate(store, clock.fixed_us) ||
	    !seed_draws(store, sc->seed) ||
	    reference_sync(store, iso ? iso : ISO_CODES_DIR, clock.fixed_us, &added, &loaded)) {
		fprintf(stderr, "kouan simulate: cannot prepare the store\n");
		goto out;
	}
	if (app_init(&app, store, &clock, &limits, key, true)) {
		fprintf(stderr, "kouan simulate: cannot start kouan\n");
		goto out;
	}
	app_up = true;
	/* the figures are asked for once, at the end: filing every declaration
	 * again as each of its events commits would only slow the run */
	statistics_follower_stop(&app.svc);
	bool existed;
	if (money_sync(&app.svc, &loaded) || demo_seed_accounts(&app, &existed)) {
		fprintf(stderr, "kouan simulate: cannot load the money tables or the accounts\n");
		goto out;
	}
	ok = run_model(&s, out);
out:
	if (app_up)
		app_free(&app);
	store_thread_release();
	if (store)
		store_close(store);
	free(s.heap);
	free(s.v);
	free(s.c);
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
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return ok;
}
