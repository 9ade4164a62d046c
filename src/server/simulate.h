/*
 * simulate.h - the parts of `kouan simulate` shared by its files:
 * simulate.c (the command, scenario files, the report), simulate_model.c
 * (the port on a virtual clock, driving kouan's API) and simulate_goods.c
 * (the goods, vessels and the documents the model lodges).
 *
 * What it must never hold: a rule of kouan's (lanes, release, duties, the
 * gate). The model asks kouan and reads its answers.
 */
#ifndef KOUAN_SIMULATE_H
#define KOUAN_SIMULATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The agencies whose officers the model staffs for the goods: customs,
 * quarantine, maritime safety (dangerous goods by water) and border
 * inspection (goods by road), as kouan names them on each declaration. */
enum { SIM_CUSTOMS, SIM_QUARANTINE, SIM_MARITIME, SIM_BORDER, SIM_AGENCIES };
/* The traders' credit classes, each a simulated trader of its own. */
enum { SIM_ADVANCED, SIM_STANDARD, SIM_DISCREDITED, SIM_CLASSES };

#define SIM_MAX_OFFICERS 64
#define SIM_MAX_SITES 8
/* Declarations in one run: a month at a Nansha-sized port (see
 * docs/clearance-time.md) with room to spare. */
#define SIM_MAX_DECLARATIONS 400000
#define SIM_HOUR_US (3600LL * 1000000)
#define SIM_DAY_US (24 * SIM_HOUR_US)

extern const char *const sim_agency_names[SIM_AGENCIES];
extern const char *const sim_class_names[SIM_CLASSES];

struct scenario {
	char name[128];
	uint64_t seed;
	int64_t start_us;
	int days;
	double vessels_per_day, imports_per_day, exports_per_day;
	double trucks_per_day;              /* Hong Kong lorries into Huanggang */
	double advance_share;               /* imports declared before arrival */
	double credit_mix[SIM_CLASSES];     /* shares of the declarations */
	int officers[SIM_AGENCIES];
	double review_minutes[SIM_AGENCIES]; /* mean document review */
	double inspection_percent[SIM_AGENCIES]; /* random selection, standard credit */
	int inspection_sites, inspection_capacity, slot_minutes;
	double lodgement_hours;        /* import: arrival to lodgement (not in advance) */
	double export_lodgement_hours; /* export: gate-in to lodgement */
	double booking_hours;          /* inspection ordered to booked */
	double payment_hours;          /* assessed to paid */
	double gate_hours;             /* released (and discharged) to gate-out */
	double berth_hours;            /* a vessel alongside */
	bool parallel, automatic_release, office_hours;
};

/* Read and check a scenario file; false after printing every problem to
 * standard error, each naming its setting as a JSON pointer. */
bool scenario_read(const char *path, struct scenario *sc);

/* --- the goods (simulate_goods.c) ------------------------------------ */

/* One commodity of the mix: a container of it. */
struct commodity {
	const char *hs, *description, *unit, *country, *unit_price, *quantity;
	const char *gross_kg;
	int packages;
	int weight; /* share of the direction's declarations, of 100 */
};

extern const struct commodity sim_imports[];
extern const struct commodity sim_exports[];
extern const size_t sim_import_kinds, sim_export_kinds;

/* One consignment: a bill of lading, one container, one declaration. */
struct cargo {
	int vessel;
	bool import, advance;
	short commodity, credit;
	char number[20];     /* the declaration's, once lodged */
	char container[16];  /* ISO 6346 */
	int64_t lodge_after_us, gate_in_after_us, discharge_after_us; /* offsets */
	int64_t review_us[SIM_AGENCIES], booking_us, payment_us, gate_us;
	long long inspection; /* its joint inspection, 0 when none */
	unsigned inspecting;  /* agencies taking part (bits) */
	unsigned reviewing;   /* agencies whose officers review it (bits) */
	unsigned waiting_serial; /* agencies waiting for customs (serial) */
	bool lodged, released, discharged, left, gated_in, loaded, shut_out;
};

/* One vessel's call at the port, or one lorry's trip across the border
 * (road: a Hong Kong two-plate lorry into Huanggang with one import). */
struct vessel {
	bool road;
	char name[40], imo[16], voyage[16]; /* a lorry: mainland plate, HK plate, trip */
	int64_t eta_us, ata_us, etd_us;
	long long arrival_report, departure_report;
	int first, imports, exports; /* its cargo: imports then exports */
	int loaded;
	bool arrived, departed;
};

/* The seeded generator (splitmix64) and its draws. */
uint64_t sim_random(uint64_t *state);
double sim_uniform(uint64_t *state);                 /* in (0, 1) */
int64_t sim_exponential_us(uint64_t *state, double mean_s); /* at least 1 s */

/* The vessels and cargo of a scenario, drawn from its seed alone (so a
 * switch never changes which goods come when). Returns false when the
 * scenario would pass SIM_MAX_DECLARATIONS or memory runs out. */
bool sim_plan(const struct scenario *sc, struct vessel **vessels, int *nvessels,
	      struct cargo **cargo, int *ncargo);

/* The JSON bodies the model lodges (NULL when out of memory); uscc is the
 * trader's of the cargo's credit class. */
json_t *sim_declaration_body(const struct vessel *v, const struct cargo *c, int index,
			     const char *uscc);
json_t *sim_manifest_body(const struct vessel *v, const struct cargo *cargo, bool import);
/* The port of the call (CNNSA, or CNHUG for a lorry) and its customs office. */
const char *sim_port_of(const struct vessel *v);
const char *sim_office_of(const struct vessel *v);
json_t *sim_report_body(const struct vessel *v, bool arrival, const char *expected,
			const char *departure);

/* --- the run (simulate_model.c) -------------------------------------- */

/* The figures of one run: the statistics' "import" and "export" members,
 * and what the model did. */
struct run_figures {
	json_t *imports, *exports;
	json_t *by_sea, *by_road; /* the imports' totals by transport mode */
	int vessels, trucks, declarations, inspections, shut_out;
	double seconds; /* wall-clock time of the run */
};

/* Run one scenario on a throw-away store in $TMPDIR (removed at the end),
 * drawing the progress bar on a terminal when `bar`; false after printing
 * why. Two runs may go at once, each on its own thread: they share
 * nothing but the interruption. */
bool sim_run(const struct scenario *sc, struct run_figures *out, bool bar);

#endif
