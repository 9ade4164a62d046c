/*
 * simulate_goods.c - what `kouan simulate` moves through the port: the
 * vessels' calls and their consignments drawn from the scenario's seed,
 * the commodity mix, and the JSON documents the model lodges for them
 * (manifests, conveyance reports, declarations), shaped as a carrier's
 * and a trader's systems would send them.
 *
 * What it must never do: decide anything kouan decides (which agencies
 * act, lanes, duties, matching): it only writes the documents; or draw
 * from anything but the scenario's seed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/simulate.h"

/* Imports by sea into Nansha, one container each: electronics, tableware
 * and handbags (customs only) and food, wine and cosmetics (customs and
 * quarantine), all with a line in the compiled-in tariff, in CNY so that no
 * exchange rate is needed. Values put duties or VAT due on every one. */
const struct commodity sim_imports[] = {
	{"8471300000", "Notebook computers, 14-inch", "001", "VN", "3200.00", "1200", "9600.000",
	 300, 15},
	{"8517130000", "Smartphones", "001", "VN", "2600.00", "4000", "3000.000", 200, 10},
	{"3924100000", "Plastic tableware sets", "035", "JP", "32.00", "12000", "12800.000", 600,
	 10},
	{"4202210000", "Leather handbags", "007", "IT", "1500.00", "2000", "3200.000", 200, 5},
	{"8507600000", "Lithium-ion battery packs", "007", "KR", "450.00", "5000", "12000.000",
	 250, 10},
	{"0303130000", "Frozen Atlantic salmon, whole", "035", "NO", "65.00", "22000",
	 "24100.000", 1100, 10},
	{"0202300000", "Frozen boneless beef", "035", "BR", "42.00", "25000", "26500.000", 1250,
	 10},
	{"0808100000", "Fresh apples, 18 kg cartons", "035", "US", "9.50", "18000", "19850.000",
	 1000, 10},
	{"2204210000", "Red wine in 750 ml bottles", "035", "FR", "60.00", "9000", "10500.000",
	 750, 10},
	{"3304990000", "Skin-care creams", "035", "FR", "400.00", "4000", "5200.000", 400, 10},
};
const size_t sim_import_kinds = sizeof sim_imports / sizeof sim_imports[0];

/* Exports from the Pearl River Delta's factories, and frozen tilapia
 * (customs and quarantine). */
const struct commodity sim_exports[] = {
	{"6109100000", "Cotton knitted T-shirts", "011", "US", "28.50", "20000", "6000.000", 800,
	 25},
	{"9503008900", "Plastic toys", "006", "US", "35.00", "8000", "5000.000", 500, 20},
	{"9401719000", "Upholstered metal-frame chairs", "007", "DE", "900.00", "400", "8000.000",
	 400, 15},
	{"8516500000", "Microwave ovens", "001", "GB", "420.00", "1500", "18000.000", 1500, 15},
	{"8471300000", "Notebook computers, 14-inch", "001", "NL", "3000.00", "1000", "8000.000",
	 250, 15},
	{"0303230000", "Frozen tilapia", "035", "US", "18.00", "24000", "25500.000", 1200, 10},
};
const size_t sim_export_kinds = sizeof sim_exports / sizeof sim_exports[0];

const char *const sim_agency_names[SIM_AGENCIES] = {"customs", "quarantine", "maritime",
								  "border"};
const char *const sim_class_names[SIM_CLASSES] = {"advanced", "standard", "discredited"};

/* --- the seeded generator -------------------------------------------- */

uint64_t sim_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

double sim_uniform(uint64_t *s)
{
	return ((double)(sim_random(s) >> 11) + 0.5) / 9007199254740992.0;
}

int64_t sim_exponential_us(uint64_t *s, double mean_s)
{
	double x = -mean_s * log(sim_uniform(s));
	if (x < 1)
		x = 1;
	return (int64_t)(x * 1e6);
}

/* A count with this mean: Poisson (Knuth) for small means, the normal
 * approximation for large ones. */
static int count_with_mean(uint64_t *s, double mean)
{
	if (mean <= 30) {
		double limit = exp(-mean), p = 1;
		int k = -1;
		do {
			k++;
			p *= sim_uniform(s);
		} while (p > limit);
		return k;
	}
	double z = sqrt(-2 * log(sim_uniform(s))) * cos(6.283185307179586 * sim_uniform(s));
	double n = floor(mean + sqrt(mean) * z + 0.5);
	return n < 0 ? 0 : (int)n;
}

static int pick(uint64_t *s, const double *weights, size_t n)
{
	double total = 0, u;
	for (size_t i = 0; i < n; i++)
		total += weights[i];
	u = sim_uniform(s) * total;
	for (size_t i = 0; i < n; i++) {
		if (u < weights[i])
			return (int)i;
		u -= weights[i];
	}
	return (int)n - 1;
}

/* An ISO 6346 container number: owner KSM, category U, serial, check digit. */
static void container_number(int serial, char out[16])
{
	char prefix[16];
	snprintf(prefix, sizeof prefix, "KSMU%06d", serial % 1000000);
	int total = 0;
	for (int i = 0; i < 10; i++) {
		int v;
		char ch = prefix[i];
		if (ch >= '0' && ch <= '9') {
			v = ch - '0';
		} else {
			v = 10 + (ch - 'A');
			v += (v >= 11) + (v >= 21) + (v >= 31); /* skip 11, 22 and 33 */
		}
		total += v << i;
	}
	snprintf(out, 16, "%.10s%d", prefix, total % 11 % 10);
}

/* A fleet of simulated ships with valid IMO numbers (check digit). */
#define SIM_FLEET 24

static void ship_of(int index, struct vessel *v)
{
	int k = index % SIM_FLEET, base = 930100 + k * 7;
	int sum = 0, d = base;
	for (int w = 2; w <= 7; w++, d /= 10)
		sum += (d % 10) * w;
	snprintf(v->name, sizeof v->name, "KOUAN SIM EXPRESS %02d", k + 1);
	snprintf(v->imo, sizeof v->imo, "%06d%d", base, sum % 10);
	snprintf(v->voyage, sizeof v->voyage, "%05dN", index + 1);
}

/* The calls: vessels at Nansha (road false) or lorries at Huanggang, at
 * exponential gaps over the scenario's days, appended to *v. */
static bool add_calls(const struct scenario *sc, bool road, struct vessel **v, size_t *n,
		      size_t *cap, long *total)
{
	/* each kind from a stream of its own: adding lorries changes no vessel */
	uint64_t st = road ? sc->seed ^ 0x726F616420747269ULL : sc->seed;
	double per_day = road ? sc->trucks_per_day : sc->vessels_per_day;
	if (!(per_day > 0))
		return true;
	double gap = 86400.0 / per_day;
	int64_t end = sc->start_us + sc->days * SIM_DAY_US;
	for (int64_t t = sc->start_us + sim_exponential_us(&st, gap); t < end;
	     t += sim_exponential_us(&st, gap)) {
		if (*n == *cap) {
			struct vessel *more = realloc(*v, 2 * *cap * sizeof *more);
			if (!more)
				return false;
			memset(more + *cap, 0, *cap * sizeof *more);
			*v = more;
			*cap *= 2;
		}
		struct vessel *call = &(*v)[*n];
		int k = (int)*n;
		call->road = road;
		call->eta_us = t;
		call->first = (int)*total;
		if (road) {
			snprintf(call->name, sizeof call->name, "粤Z·K%04d港", k % 10000);
			snprintf(call->imo, sizeof call->imo, "KS %04d", k % 10000);
			snprintf(call->voyage, sizeof call->voyage, "T%06d", k + 1);
			call->etd_us = t + SIM_HOUR_US;
			call->imports = 1;
		} else {
			ship_of(k, call);
			call->etd_us = t + (int64_t)(sc->berth_hours * SIM_HOUR_US);
			call->imports = count_with_mean(&st, sc->imports_per_day / per_day);
			call->exports = count_with_mean(&st, sc->exports_per_day / per_day);
		}
		*total += call->imports + call->exports;
		(*n)++;
		if (*total > SIM_MAX_DECLARATIONS) {
			fprintf(stderr,
				"kouan simulate: %s: more than %d declarations; shorten /days or "
				"lower /imports_per_day, /exports_per_day and /trucks_per_day\n",
				sc->name, SIM_MAX_DECLARATIONS);
			return false;
		}
	}
	return true;
}

bool sim_plan(const struct scenario *sc, struct vessel **vessels, int *nvessels,
	      struct cargo **cargo, int *ncargo)
{
	size_t cap = 64, n = 0;
	struct vessel *v = calloc(cap, sizeof *v);
	long total = 0;
	if (!v || !add_calls(sc, false, &v, &n, &cap, &total) ||
	    !add_calls(sc, true, &v, &n, &cap, &total)) {
		free(v);
		return false;
	}
	struct cargo *c = calloc(total ? (size_t)total : 1, sizeof *c);
	if (!c) {
		free(v);
		return false;
	}
	double import_w[16], export_w[16];
	for (size_t i = 0; i < sim_import_kinds; i++)
		import_w[i] = sim_imports[i].weight;
	for (size_t i = 0; i < sim_export_kinds; i++)
		export_w[i] = sim_exports[i].weight;
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < v[i].imports + v[i].exports; k++) {
			int idx = v[i].first + k;
			struct cargo *g = &c[idx];
			/* each consignment's own stream: its draws never depend on
			 * the order in which the model meets it */
			uint64_t s = sc->seed ^ ((uint64_t)(idx + 1) * 0xD1B54A32D192ED03ULL);
			g->vessel = (int)i;
			g->import = k < v[i].imports;
			g->commodity = (short)(g->import ? pick(&s, import_w, sim_import_kinds)
							 : pick(&s, export_w, sim_export_kinds));
			g->credit = (short)pick(&s, sc->credit_mix, SIM_CLASSES);
			double u = sim_uniform(&s);
			g->advance = g->import && u < sc->advance_share;
			/* as many draws whatever the switches, so that a switch changes
			 * only what it is about */
			int64_t early = (int64_t)(sim_uniform(&s) * 48 * SIM_HOUR_US);
			int64_t late = sim_exponential_us(&s, sc->lodgement_hours * 3600);
			/* advance: between the manifest and the arrival; else after it */
			g->lodge_after_us = g->advance ? early : late;
			g->gate_in_after_us =
				(int64_t)(sim_uniform(&s) * (48 + sc->berth_hours / 2) * SIM_HOUR_US);
			if (!g->import) { /* before the gate-in, not before the manifest */
				int64_t before =
					sim_exponential_us(&s, sc->export_lodgement_hours * 3600);
				g->lodge_after_us = g->gate_in_after_us > before
							    ? g->gate_in_after_us - before
							    : 0;
			}
			g->discharge_after_us =
				(int64_t)(sim_uniform(&s) * sc->berth_hours / 2 * SIM_HOUR_US);
			for (int a = 0; a < SIM_AGENCIES; a++)
				g->review_us[a] = sim_exponential_us(&s, sc->review_minutes[a] * 60);
			g->booking_us = sim_exponential_us(&s, sc->booking_hours * 3600);
			g->payment_us = sim_exponential_us(&s, sc->payment_hours * 3600);
			g->gate_us = sim_exponential_us(&s, g->import ? sc->gate_hours * 3600 : 3600);
			container_number(idx + 1, g->container);
		}
	}
	*vessels = v;
	*nvessels = (int)n;
	*cargo = c;
	*ncargo = (int)total;
	return true;
}

/* --- documents ------------------------------------------------------- */

static const struct commodity *goods_of(const struct cargo *c)
{
	return c->import ? &sim_imports[c->commodity] : &sim_exports[c->commodity];
}

static void bill_of(int index, char out[16])
{
	snprintf(out, 16, "KSM%09d", index + 1);
}

static json_t *conveyance_of(const struct vessel *v)
{
	if (v->road)
		return json_pack("{s:s, s:s}", "name", v->name, "voyage", v->voyage);
	return json_pack("{s:s, s:s, s:s}", "name", v->name, "voyage", v->voyage, "imo", v->imo);
}

const char *sim_port_of(const struct vessel *v)
{
	return v->road ? "CNHUG" : "CNNSA";
}

const char *sim_office_of(const struct vessel *v)
{
	return v->road ? "5301" : "5167";
}

json_t *sim_declaration_body(const struct vessel *v, const struct cargo *c, int index,
			     const char *uscc)
{
	const struct commodity *g = goods_of(c);
	char bill[16], invoice[32];
	bill_of(index, bill);
	snprintf(invoice, sizeof invoice, "KSM-INV-%09d", index + 1);
	json_t *d = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:i, s:s,"
		" s:[s], s:[{s:s, s:s, s:s, s:s, s:s, s:s}], s:[{s:s, s:s}]}",
		"direction", c->import ? "import" : "export", "declaration_office", sim_office_of(v),
		"port_office", sim_office_of(v), "declarant_uscc", uscc, "consignee_uscc", uscc,
		"trade_mode", "0110", "transport_mode", v->road ? "4" : "2", "conveyance",
		conveyance_of(v), "bill_of_lading", bill, "trading_country",
		v->road ? "HK" : g->country, "incoterm", c->import ? "CIF" : "FOB",
		"currency", "CNY", "packages", g->packages, "gross_weight_kg", g->gross_kg,
		"containers", c->container, "items", "hs_code", g->hs, "description",
		g->description, "quantity", g->quantity, "unit", g->unit, "unit_price",
		g->unit_price, "origin_country", c->import ? g->country : "CN", "documents",
		"type", "invoice", "number", invoice);
	if (!d)
		return NULL;
	if (c->import) {
		json_object_set_new(d, "departure_country", json_string(v->road ? "HK" : g->country));
		json_object_set_new(d, "entry_port", json_string(sim_port_of(v)));
		json_object_set_new(d, "freight", json_string("0"));
		json_object_set_new(d, "insurance", json_string("0"));
	} else {
		json_object_set_new(d, "destination_country", json_string(g->country));
		json_object_set_new(d, "exit_port", json_string("CNNSA"));
	}
	if (c->advance)
		json_object_set_new(d, "advance", json_true());
	return d;
}

json_t *sim_manifest_body(const struct vessel *v, const struct cargo *cargo, bool import)
{
	json_t *bills = json_array();
	int from = v->first + (import ? 0 : v->imports);
	int to = from + (import ? v->imports : v->exports);
	for (int i = from; i < to && bills; i++) {
		const struct cargo *c = &cargo[i];
		const struct commodity *g = goods_of(c);
		char bill[16], seal[16];
		bill_of(i, bill);
		snprintf(seal, sizeof seal, "SL%09d", i + 1);
		json_t *line = json_pack(
			"{s:s, s:{s:s}, s:{s:s}, s:s, s:i, s:s, s:s, s:[{s:s, s:[s]}]}",
			"bill_of_lading", bill, "consignor", "name",
			import ? "Overseas shipper of the simulation" : "Simulated Guangdong factory",
			"consignee", "name",
			import ? "Simulated Guangdong importer" : "Overseas buyer of the simulation",
			"goods_description", g->description, "packages", g->packages, "package_kind",
			"CT", "gross_weight_kg", g->gross_kg, "containers", "number", c->container,
			"seals", seal);
		if (!line || json_array_append_new(bills, line)) {
			json_decref(bills);
			bills = NULL;
		}
	}
	if (!bills)
		return NULL;
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o}", "kind",
			 import ? "original" : "pre_loading", "transport_mode", v->road ? "4" : "2",
			 "conveyance", conveyance_of(v), "port", sim_port_of(v), "carrier",
			 v->road ? "Kouan Simulated Haulage" : "Kouan Simulated Lines", "bills",
			 bills);
}

json_t *sim_report_body(const struct vessel *v, bool arrival, const char *expected,
			const char *departure)
{
	if (v->road) { /* arrival only: the lorry's return is not modelled */
		char permit[16];
		snprintf(permit, sizeof permit, "H%08d", 10000000 + (int)(v->eta_us / 1000000 % 89999999));
		return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}},"
				 " s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
				 "kind", "arrival", "transport_mode", "4", "carrier",
				 "Kouan Simulated Haulage", "vehicle", "scheme", "cross_boundary",
				 "region", "HK", "plate", v->name, "regional_plate", v->imo, "use",
				 "goods", "trip", v->voyage, "driver", "name", "陈大文",
				 "document_type", "home_return_permit", "document_number", permit,
				 "port", "CNHUG", "port_office", "5301", "lane", "HG-IN-07",
				 "last_port", "HKHKG", "expected_arrival", expected, "crew", 1,
				 "passengers", 0);
	}
	char call_sign[12];
	snprintf(call_sign, sizeof call_sign, "VRK%s", v->imo + 3);
	json_t *r = json_pack(
		"{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
		"kind", arrival ? "arrival" : "departure", "transport_mode", "2", "carrier",
		"Kouan Simulated Lines", "vessel", "imo", v->imo, "name", v->name, "call_sign",
		call_sign, "flag", "HK", "voyage", v->voyage, "port", "CNNSA", "port_office", "5167",
		"berth", "NS-P2-07", "last_port", "SGSIN", "next_port", "NLRTM", "crew", 24,
		"passengers", 0);
	if (!r)
		return NULL;
	if (arrival)
		json_object_set_new(r, "expected_arrival", json_string(expected));
	json_object_set_new(r, "expected_departure", json_string(departure));
	return r;
}
