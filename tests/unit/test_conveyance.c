/*
 * test_conveyance.c - conveyance reports without a database: vessels,
 * aircraft and the three kinds of road vehicle validated against the
 * built-in reference lists; every bad input with its exact field and
 * sentence; the agencies per mode; the permission from the agencies'
 * tasks; the permission text and its signature; amendments.
 */
#include <sodium.h>
#include <string.h>

#include "transport_fixture.h"
#include "common/clock.h"
#include "domain/conveyance.h"
#include "domain/release.h"

/* 2026-11-23T08:00:00Z, the tests' "now" */
#define NOW TEST_EPOCH_US

static const char vessel_arrival[] =
	"{\"kind\":\"arrival\",\"transport_mode\":\"2\",\"carrier\":\"COSCO SHIPPING Lines\","
	"\"vessel\":{\"imo\":\"9321378\",\"name\":\"COSCO SHIPPING ARIES\","
	"\"call_sign\":\"VRBK7\",\"flag\":\"HK\",\"voyage\":\"046E\"},"
	"\"port\":\"CNNSA\",\"port_office\":\"5167\",\"berth\":\"NS-P2-07\","
	"\"last_port\":\"USLAX\",\"next_port\":\"CNYTN\","
	"\"expected_arrival\":\"2026-11-23T06:00:00Z\",\"actual_arrival\":\"2026-11-23T07:40:00Z\","
	"\"expected_departure\":\"2026-11-24T18:00:00Z\",\"crew\":24,\"passengers\":0}";

static const char aircraft_arrival[] =
	"{\"kind\":\"arrival\",\"transport_mode\":\"5\",\"carrier\":\"China Southern Airlines\","
	"\"aircraft\":{\"flight\":\"CZ3098\",\"date\":\"2026-11-20\",\"registration\":\"B-2083\"},"
	"\"port\":\"CNCAN\",\"port_office\":\"5141\",\"stand\":\"W112\",\"last_port\":\"VNHAN\","
	"\"expected_arrival\":\"2026-11-20T09:35:00+08:00\",\"crew\":12,\"passengers\":0}";

/* a Hong Kong goods vehicle with both plates at Huanggang */
static const char two_plate_arrival[] =
	"{\"kind\":\"arrival\",\"transport_mode\":\"4\",\"carrier\":\"Kwong Fat Logistics\","
	"\"vehicle\":{\"scheme\":\"cross_boundary\",\"region\":\"HK\",\"plate\":\"粤Z·H2286港\","
	"\"regional_plate\":\"KV 2286\",\"use\":\"goods\",\"trip\":\"20261122-01\","
	"\"driver\":{\"name\":\"陈大文\",\"document_type\":\"home_return_permit\","
	"\"document_number\":\"H12345678\"}},"
	"\"port\":\"CNHUG\",\"port_office\":\"5301\",\"lane\":\"HG-IN-07\",\"last_port\":\"HKHKG\","
	"\"expected_arrival\":\"2026-11-22T09:00:00+08:00\",\"crew\":1,\"passengers\":0}";

/* a Macau private car travelling north (澳车北上) over the bridge */
static const char northbound_arrival[] =
	"{\"kind\":\"arrival\",\"transport_mode\":\"4\",\"carrier\":\"private\","
	"\"vehicle\":{\"scheme\":\"northbound\",\"region\":\"MO\",\"regional_plate\":\"MA-12-34\","
	"\"use\":\"private\",\"trip\":\"MO-20261123-1\","
	"\"driver\":{\"name\":\"黄小明\",\"document_type\":\"home_return_permit\","
	"\"document_number\":\"M87654321\"}},"
	"\"port\":\"CNZUH\",\"port_office\":\"5790\",\"lane\":\"HZMB-N-03\",\"last_port\":\"MOMFM\","
	"\"expected_arrival\":\"2026-11-23T07:30:00Z\",\"actual_arrival\":\"2026-11-23T07:31:00Z\","
	"\"crew\":1,\"passengers\":3}";

/* a mainland lorry leaving for Hong Kong at Wenjindu */
static const char mainland_departure[] =
	"{\"kind\":\"departure\",\"transport_mode\":\"4\",\"carrier\":\"Pengcheng Transport\","
	"\"vehicle\":{\"scheme\":\"mainland\",\"plate\":\"粤B·D12345\",\"use\":\"goods\","
	"\"trip\":\"T-8812\",\"driver\":{\"name\":\"李强\",\"document_type\":\"resident_id\","
	"\"document_number\":\"11010519491231002X\"}},"
	"\"port\":\"CNWJD\",\"port_office\":\"5320\",\"next_port\":\"HKHKG\","
	"\"expected_departure\":\"2026-11-23T10:00:00+08:00\",\"crew\":1,\"passengers\":0}";

static bool validate(const char *text, struct problems *p, struct conveyance_report *r,
		     json_t **body)
{
	*body = fixture_json(text);
	problems_init(p);
	return conveyance_validate(*body, ref, NOW, p, r);
}

static agency_set agencies(const char *const *codes)
{
	agency_set s = 0;
	for (size_t i = 0; codes[i]; i++) {
		int k = refdata_agency_index(ref, codes[i]);
		assert_true(k >= 0);
		s |= 1u << k;
	}
	return s;
}

static void vessel_report(void **state)
{
	(void)state;
	struct problems p;
	struct conveyance_report r;
	json_t *body;
	assert_true(validate(vessel_arrival, &p, &r, &body));
	assert_int_equal(r.kind, CONVEYANCE_ARRIVAL);
	assert_string_equal(r.transport_mode, "2");
	assert_string_equal(r.identity, "9321378");
	assert_string_equal(r.name, "COSCO SHIPPING ARIES");
	assert_string_equal(r.call_sign, "VRBK7");
	assert_string_equal(r.flag, "HK");
	assert_string_equal(r.voyage, "046E");
	assert_string_equal(r.place, "NS-P2-07");
	assert_string_equal(r.last_port, "USLAX");
	assert_string_equal(r.next_port, "CNYTN");
	/* 2026-11-23T06:00:00Z and 07:40 */
	assert_int_equal(r.expected_arrival, 1795413600000000LL);
	assert_int_equal(r.actual_arrival, 1795419600000000LL);
	assert_int_equal(r.actual_departure, KTIME_NONE);
	assert_int_equal(r.crew, 24);
	assert_int_equal(r.passengers, 0);
	assert_string_equal(r.key, "2|9321378|046E|CNNSA");
	static const char *const four[] = {"border", "maritime", "customs", "quarantine", NULL};
	assert_int_equal(r.agencies, agencies(four));
	json_decref(body);
}

static void aircraft_and_vehicles(void **state)
{
	(void)state;
	struct problems p;
	struct conveyance_report r;
	json_t *body;
	static const char *const by_air[] = {"border", "customs", "quarantine", NULL};
	static const char *const by_road[] = {"border", "customs", NULL};

	assert_true(validate(aircraft_arrival, &p, &r, &body));
	assert_string_equal(r.identity, "CZ3098");
	assert_string_equal(r.registration, "B-2083");
	assert_string_equal(r.place, "W112");
	/* the flight and its date, as the declaration names them ("20261120") */
	assert_string_equal(r.key, "5|CZ3098|20261120|CNCAN");
	/* 09:35 in Guangzhou is 01:35 UTC */
	assert_int_equal(r.expected_arrival, 1795138500000000LL);
	assert_int_equal(r.agencies, agencies(by_air));
	json_decref(body);

	assert_true(validate(two_plate_arrival, &p, &r, &body));
	assert_int_equal(r.scheme, VEHICLE_CROSS_BOUNDARY);
	assert_string_equal(r.region, "HK");
	assert_string_equal(r.plate, "粤Z·H2286港");
	assert_string_equal(r.regional_plate, "KV 2286");
	assert_string_equal(r.identity, "粤Z·H2286港");
	assert_string_equal(r.driver_document_type, "home_return_permit");
	assert_string_equal(r.key, "4|粤ZH2286港|2026112201|CNHUG");
	assert_int_equal(r.agencies, agencies(by_road));
	json_decref(body);

	assert_true(validate(northbound_arrival, &p, &r, &body));
	assert_int_equal(r.scheme, VEHICLE_NORTHBOUND);
	assert_null(r.plate);
	assert_string_equal(r.identity, "MA-12-34");
	assert_string_equal(r.key, "4|MA1234|MO202611231|CNZUH");
	assert_int_equal(r.passengers, 3);
	json_decref(body);

	assert_true(validate(mainland_departure, &p, &r, &body));
	assert_int_equal(r.kind, CONVEYANCE_DEPARTURE);
	assert_int_equal(r.scheme, VEHICLE_MAINLAND);
	assert_null(r.region);
	assert_null(r.last_port);
	assert_string_equal(r.key, "4|粤BD12345|T8812|CNWJD");
	json_decref(body);
}

struct bad {
	const char *name;
	const char *base;
	const char *path[2];
	const char *value[2];
	const char *field;
	const char *text;
};

static const char rfc3339[] =
	"must be an RFC 3339 time with its offset, such as \"2026-11-20T06:00:00Z\" "
	"or \"2026-11-20T14:00:00+08:00\"";
static const char mainland_plate[] =
	"must be a mainland plate: a province, its letter, then 5 letters and digits "
	"(6 for a new-energy vehicle), such as 粤B·D12345; a Hong Kong or Macau "
	"two-plate vehicle has 粤Z, 4 or 5 letters and digits and 港 or 澳, such as "
	"粤Z·H2286港";

static const struct bad bad_reports[] = {
	{"IMO check digit", vessel_arrival, {"vessel/imo"}, {"\"9321379\""},
	 "/vessel/imo", "IMO ship number check digit does not match (IMO)"},
	{"call sign", vessel_arrival, {"vessel/call_sign"}, {"\"vr\""},
	 "/vessel/call_sign",
	 "must be the ship's radio call sign: 3 to 9 capital letters and digits, such as VRBK7"},
	{"flag", vessel_arrival, {"vessel/flag"}, {"\"XX\""}, "/vessel/flag",
	 "'XX' is not a known ISO 3166-1 alpha-2 country code (see GET /v1/reference/countries)"},
	{"voyage with a space", vessel_arrival, {"vessel/voyage"}, {"\"046 E\""},
	 "/vessel/voyage", "may only contain letters, digits, '-', '/' and '.'"},
	{"vessel name missing", vessel_arrival, {"vessel/name"}, {NULL}, "/vessel/name",
	 "is required"},
	{"unknown vessel member", vessel_arrival, {"vessel/tonnage"}, {"1"},
	 "/vessel/tonnage",
	 "unknown field; accepted fields are: imo, name, call_sign, flag, voyage"},
	{"vessel not an object", vessel_arrival, {"vessel"}, {"[]"}, "/vessel",
	 "must be an object with imo, name, call_sign, flag and voyage"},
	{"vessel missing", vessel_arrival, {"vessel"}, {NULL}, "/vessel", "is required"},
	{"another mode's object", vessel_arrival, {"aircraft"}, {"{}"}, "/aircraft",
	 "is only for transport mode \"5\"; this report is for a vessel"},
	{"port office not serving the port", vessel_arrival, {"port_office"}, {"\"5301\""},
	 "/port_office",
	 "customs office 5301 (Huanggang Customs) does not serve CNNSA (Nansha); the "
	 "offices that do are: 5165 (Nansha Passenger Inspection), 5167 (Nansha Cargo Port)"},
	{"vessel at a land crossing", vessel_arrival, {"port"}, {"\"CNHUG\""}, "/port",
	 "CNHUG (Huanggang) is a land crossing; a vessel calls at a seaport or river port"},
	{"port abroad", vessel_arrival, {"port"}, {"\"HKHKG\""}, "/port",
	 "HKHKG (Hong Kong) is not a port of entry kouan clears: no customs office serves it"},
	{"unknown port", vessel_arrival, {"port"}, {"\"CNXXX\""}, "/port",
	 "'CNXXX' is not a known UN/LOCODE port (see GET /v1/reference/ports)"},
	{"last port is this port", vessel_arrival, {"last_port"}, {"\"CNNSA\""}, "/last_port",
	 "is the port of this call; last_port is the port the conveyance came from"},
	{"next port is this port", vessel_arrival, {"next_port"}, {"\"CNNSA\""}, "/next_port",
	 "is the port of this call; next_port is the port the conveyance goes to"},
	{"arrival without last port", vessel_arrival, {"last_port"}, {NULL}, "/last_port",
	 "is required"},
	{"departure without expected departure", vessel_arrival,
	 {"kind", "expected_departure"}, {"\"departure\"", NULL}, "/expected_departure",
	 "is required"},
	{"actual arrival in the future", vessel_arrival, {"actual_arrival"},
	 {"\"2026-11-23T08:00:01Z\""}, "/actual_arrival",
	 "is later than now (2026-11-23T08:00:00.000000Z); an actual time is recorded once "
	 "it has happened (expected_arrival is for the estimate)"},
	{"departure expected before arrival", vessel_arrival, {"expected_departure"},
	 {"\"2026-11-23T05:00:00Z\""}, "/expected_departure", "must be after expected_arrival"},
	{"departed before arriving", vessel_arrival, {"actual_departure"},
	 {"\"2026-11-23T07:30:00Z\""}, "/actual_departure", "must be after actual_arrival"},
	{"departed without arriving", vessel_arrival, {"actual_arrival", "actual_departure"},
	 {NULL, "\"2026-11-23T07:30:00Z\""}, "/actual_departure",
	 "needs actual_arrival: a conveyance departs after it has arrived"},
	{"time without offset", vessel_arrival, {"expected_arrival"},
	 {"\"2026-11-23 06:00\""}, "/expected_arrival", rfc3339},
	{"no crew", vessel_arrival, {"crew"}, {"0"}, "/crew",
	 "must be a whole number from 1 to 9999"},
	{"passengers as text", vessel_arrival, {"passengers"}, {"\"3\""}, "/passengers",
	 "must be a whole number from 0 to 9999"},
	{"a lane for a vessel", vessel_arrival, {"lane"}, {"\"L1\""}, "/lane",
	 "is for vehicles; the place of a vessel is its berth"},
	{"rail", vessel_arrival, {"transport_mode"}, {"\"3\""}, "/transport_mode",
	 "conveyance reports are for vessels (\"2\", waterway), road vehicles (\"4\") and "
	 "aircraft (\"5\")"},
	{"unknown kind", vessel_arrival, {"kind"}, {"\"transit\""}, "/kind",
	 "must be one of \"arrival\" or \"departure\""},
	{"empty carrier", vessel_arrival, {"carrier"}, {"\"\""}, "/carrier",
	 "must not be empty"},
	{"carrier with a line break", vessel_arrival, {"carrier"}, {"\"COSCO\\nLines\""},
	 "/carrier", "must not contain control characters"},
	{"unknown member", vessel_arrival, {"draught"}, {"\"9.5\""}, "/draught",
	 "unknown field; accepted fields are: kind, transport_mode, carrier, vessel "
	 "(waterway), aircraft (air), vehicle (road), port, port_office, berth (vessel), "
	 "stand (aircraft), lane (vehicle), last_port, next_port, expected_arrival, "
	 "actual_arrival, expected_departure, actual_departure, crew, passengers, remarks"},

	{"flight without designator", aircraft_arrival, {"aircraft/flight"}, {"\"3098\""},
	 "/aircraft/flight",
	 "must be a flight number: the airline's 2-character IATA or 3-letter ICAO "
	 "designator, 1 to 4 digits and an optional letter, such as CZ3098"},
	{"flight with five digits", aircraft_arrival, {"aircraft/flight"}, {"\"CZ30981\""},
	 "/aircraft/flight",
	 "must be a flight number: the airline's 2-character IATA or 3-letter ICAO "
	 "designator, 1 to 4 digits and an optional letter, such as CZ3098"},
	{"no such date", aircraft_arrival, {"aircraft/date"}, {"\"2026-02-30\""},
	 "/aircraft/date",
	 "must be the flight's scheduled date as YYYY-MM-DD, such as \"2026-11-20\""},
	{"registration", aircraft_arrival, {"aircraft/registration"}, {"\"-B2083\""},
	 "/aircraft/registration",
	 "must be the aircraft's registration: 2 to 10 capital letters, digits and '-', "
	 "such as B-2083"},
	{"aircraft at a seaport", aircraft_arrival, {"port", "port_office"},
	 {"\"CNNSA\"", "\"5167\""}, "/port",
	 "CNNSA (Nansha) is a seaport; an aircraft calls at an airport"},
	{"a berth for an aircraft", aircraft_arrival, {"berth"}, {"\"B1\""}, "/berth",
	 "is for vessels; the place of an aircraft is its stand"},
	{"aircraft crew", aircraft_arrival, {"crew"}, {"1000"}, "/crew",
	 "must be a whole number from 1 to 999"},

	{"two-plate vehicle on a plain plate", two_plate_arrival, {"vehicle/plate"},
	 {"\"粤B·D12345\""}, "/vehicle/plate",
	 "must be the vehicle's 粤Z plate ending in 港, such as 粤Z·H2286港"},
	{"Macau two-plate vehicle on a Hong Kong plate", two_plate_arrival,
	 {"vehicle/region", "vehicle/regional_plate"}, {"\"MO\"", "\"MA-12-34\""},
	 "/vehicle/plate", "must be the vehicle's 粤Z plate ending in 澳, such as 粤Z·M1234澳"},
	{"plate too short", two_plate_arrival, {"vehicle/plate"}, {"\"粤Z·H22港\""},
	 "/vehicle/plate", mainland_plate},
	{"plate of no province", two_plate_arrival, {"vehicle/plate"}, {"\"港Z·H2286港\""},
	 "/vehicle/plate", mainland_plate},
	{"plate with the letter O", two_plate_arrival, {"vehicle/plate"},
	 {"\"粤Z·HO286港\""}, "/vehicle/plate", mainland_plate},
	{"Hong Kong plate in lower case", two_plate_arrival, {"vehicle/regional_plate"},
	 {"\"kv 2286\""}, "/vehicle/regional_plate",
	 "must be a Hong Kong plate: up to 8 capital letters and digits with single spaces, "
	 "such as KV 2286"},
	{"Macau plate", northbound_arrival, {"vehicle/regional_plate"}, {"\"MA1234\""},
	 "/vehicle/regional_plate",
	 "must be a Macau plate: one or two capital letters and two pairs of digits, such "
	 "as MA-12-34"},
	{"unknown region", two_plate_arrival, {"vehicle/region"}, {"\"TW\""},
	 "/vehicle/region", "must be one of \"HK\" (Hong Kong) or \"MO\" (Macau)"},
	{"region missing", two_plate_arrival, {"vehicle/region"}, {NULL}, "/vehicle/region",
	 "is required"},
	{"northbound with a mainland plate", northbound_arrival, {"vehicle/plate"},
	 {"\"粤Z·M1234澳\""}, "/vehicle/plate",
	 "a northbound Hong Kong or Macau car (港车北上 / 澳车北上) travels on its own "
	 "plate, given in regional_plate; it has no mainland plate"},
	{"northbound lorry", northbound_arrival, {"vehicle/use"}, {"\"goods\""},
	 "/vehicle/use",
	 "港车北上 and 澳车北上 admit private cars only; a goods or passenger vehicle crosses "
	 "as \"cross_boundary\" with its 粤Z plate"},
	{"mainland vehicle on a 粤Z plate", mainland_departure, {"vehicle/plate"},
	 {"\"粤Z·H2286港\""}, "/vehicle/plate",
	 "is the 粤Z plate of a Hong Kong or Macau vehicle; report it with scheme "
	 "\"cross_boundary\", its region and its own plate in regional_plate"},
	{"mainland vehicle with a region", mainland_departure, {"vehicle/region"},
	 {"\"HK\""}, "/vehicle/region",
	 "is only for Hong Kong and Macau vehicles; a mainland vehicle has none"},
	{"unknown scheme", mainland_departure, {"vehicle/scheme"}, {"\"transit\""},
	 "/vehicle/scheme",
	 "must be one of \"mainland\", \"cross_boundary\" (a Hong Kong or Macau vehicle "
	 "with a 粤Z plate too) or \"northbound\" (港车北上 / 澳车北上, on its own plate only)"},
	{"home-return permit", two_plate_arrival, {"vehicle/driver/document_number"},
	 {"\"H1234567\""}, "/vehicle/driver/document_number",
	 "must be a home-return permit number: H (Hong Kong) or M (Macau) and 8 digits "
	 "(10 on older permits), such as H12345678"},
	{"resident ID check digit", mainland_departure, {"vehicle/driver/document_number"},
	 {"\"110105194912310021\""}, "/vehicle/driver/document_number",
	 "resident ID number check digit does not match (GB 11643-1999)"},
	{"resident ID of a permit holder", two_plate_arrival,
	 {"vehicle/driver/document_type"}, {"\"resident_id\""},
	 "/vehicle/driver/document_number", "resident ID number must be 18 characters"},
	{"passport", two_plate_arrival, {"vehicle/driver/document_type",
					 "vehicle/driver/document_number"},
	 {"\"passport\"", "\"K12 345\""}, "/vehicle/driver/document_number",
	 "must be a passport number: 5 to 20 capital letters and digits"},
	{"driver missing", two_plate_arrival, {"vehicle/driver"}, {NULL},
	 "/vehicle/driver", "is required"},
	{"vehicle crew", two_plate_arrival, {"crew"}, {"10"}, "/crew",
	 "must be a whole number from 1 to 9"},
	{"a berth for a vehicle", two_plate_arrival, {"berth"}, {"\"B1\""}, "/berth",
	 "is for vessels; the place of a vehicle is its lane"},
};

static void bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_reports / sizeof bad_reports[0]; i++) {
		const struct bad *b = &bad_reports[i];
		json_t *body = fixture_json(b->base);
		for (size_t k = 0; k < 2 && b->path[k]; k++)
			fixture_set(body, b->path[k], b->value[k]);
		struct problems p;
		struct conveyance_report r;
		problems_init(&p);
		bool ok = conveyance_validate(body, ref, NOW, &p, &r);
		if (ok || p.count != 1)
			fprintf(stderr, "case: %s\n", b->name);
		assert_false(ok);
		assert_one_problem(&p, b->field, b->text);
		json_decref(body);
	}
}

static void not_an_object(void **state)
{
	(void)state;
	json_t *body = json_array();
	struct problems p;
	struct conveyance_report r;
	problems_init(&p);
	assert_false(conveyance_validate(body, ref, NOW, &p, &r));
	assert_one_problem(&p, "", "the conveyance report must be a JSON object");
	json_decref(body);
}

static void permission_from_tasks(void **state)
{
	(void)state;
	int border = refdata_agency_index(ref, "border");
	int customs = refdata_agency_index(ref, "customs");
	agency_set b = 1u << border, c = 1u << customs, both = b | c;
	struct {
		enum task_status border, customs;
		enum permission_state state;
		agency_set cleared, waiting;
	} cases[] = {
		{TASK_OPEN, TASK_OPEN, PERMISSION_PENDING, 0, both},
		{TASK_CLEARED, TASK_OPEN, PERMISSION_PENDING, b, c},
		{TASK_CLEARED, TASK_INSPECTING, PERMISSION_PENDING, b, c},
		{TASK_CLEARED, TASK_RETURNED, PERMISSION_RETURNED, b, c},
		{TASK_RETURNED, TASK_REJECTED, PERMISSION_REFUSED, 0, both},
		{TASK_CLEARED, TASK_REJECTED, PERMISSION_REFUSED, b, c},
		{TASK_CLEARED, TASK_CLEARED, PERMISSION_GRANTED, both, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum task_status st[REF_MAX_AGENCIES];
		for (int k = 0; k < REF_MAX_AGENCIES; k++)
			st[k] = TASK_REJECTED; /* not required: never read */
		st[border] = cases[i].border;
		st[customs] = cases[i].customs;
		struct permission pm = conveyance_permission(both, st);
		assert_int_equal(pm.state, cases[i].state);
		assert_int_equal(pm.cleared, cases[i].cleared);
		assert_int_equal(pm.waiting, cases[i].waiting);
	}
	/* no agency required: never granted by default */
	enum task_status none[REF_MAX_AGENCIES] = {TASK_CLEARED};
	assert_int_equal(conveyance_permission(0, none).state, PERMISSION_PENDING);
	assert_string_equal(permission_state_name(PERMISSION_GRANTED), "granted");
	assert_string_equal(permission_state_name(PERMISSION_REFUSED), "refused");
}

static void decisions(void **state)
{
	(void)state;
	enum task_status next;
	const char *why = NULL;
	assert_true(conveyance_decide(PERMISSION_PENDING, TASK_OPEN, DECISION_CLEARED,
				      &next, &why));
	assert_int_equal(next, TASK_CLEARED);
	assert_true(conveyance_decide(PERMISSION_PENDING, TASK_OPEN, DECISION_INSPECT,
				      &next, &why));
	assert_int_equal(next, TASK_INSPECTING);
	assert_false(conveyance_decide(PERMISSION_GRANTED, TASK_CLEARED, DECISION_REJECT,
				       &next, &why));
	assert_string_equal(why, "the permission has been granted; the report's tasks are closed");
	assert_false(conveyance_decide(PERMISSION_REFUSED, TASK_OPEN, DECISION_CLEARED,
				       &next, &why));
	assert_string_equal(why, "the report was refused; its tasks are closed");
}

static void permission_text_and_signature(void **state)
{
	(void)state;
	struct problems p;
	struct conveyance_report r;
	json_t *body;
	assert_true(validate(vessel_arrival, &p, &r, &body));
	json_t *cleared = fixture_json("[\"border\",\"customs\",\"maritime\",\"quarantine\"]");
	char *text = conveyance_permission_text(&r, "CR-2026-000001",
						"2026-11-23T07:55:00.000000Z", cleared);
	assert_non_null(text);
	assert_string_equal(
		text,
		"{\"agencies_cleared\":[\"border\",\"customs\",\"maritime\",\"quarantine\"],"
		"\"call\":\"2|9321378|046E|CNNSA\",\"carrier\":\"COSCO SHIPPING Lines\","
		"\"granted_at\":\"2026-11-23T07:55:00.000000Z\","
		"\"kind\":\"kouan.entry-permission.v1\",\"port\":\"CNNSA\",\"port_office\":\"5167\","
		"\"report\":\"CR-2026-000001\",\"statement\":\"All agencies have cleared this "
		"vessel to enter and work at this port.\",\"transport_mode\":\"2\","
		"\"vessel\":{\"call_sign\":\"VRBK7\",\"flag\":\"HK\",\"imo\":\"9321378\","
		"\"name\":\"COSCO SHIPPING ARIES\",\"voyage\":\"046E\"}}");

	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char seed[crypto_sign_SEEDBYTES];
	memset(seed, 7, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	char sig[SIGNATURE_B64_MAX];
	release_sign(text, sk, sig);
	assert_true(release_verify(text, sig, pk));
	text[strlen(text) - 5] = 'F'; /* "046E" becomes "04FE" */
	assert_false(release_verify(text, sig, pk));
	free(text);
	json_decref(body);

	/* a vehicle's departure permission names its plates and driver */
	assert_true(validate(mainland_departure, &p, &r, &body));
	text = conveyance_permission_text(&r, "CR-2026-000002",
					  "2026-11-23T01:50:00.000000Z", cleared);
	assert_string_equal(
		text,
		"{\"agencies_cleared\":[\"border\",\"customs\",\"maritime\",\"quarantine\"],"
		"\"call\":\"4|粤BD12345|T8812|CNWJD\",\"carrier\":\"Pengcheng Transport\","
		"\"granted_at\":\"2026-11-23T01:50:00.000000Z\","
		"\"kind\":\"kouan.departure-permission.v1\",\"port\":\"CNWJD\","
		"\"port_office\":\"5320\",\"report\":\"CR-2026-000002\",\"statement\":\"All "
		"agencies have cleared this vehicle to depart at this port.\","
		"\"transport_mode\":\"4\",\"vehicle\":{\"driver\":{\"document_number\":"
		"\"11010519491231002X\",\"document_type\":\"resident_id\",\"name\":\"李强\"},"
		"\"plate\":\"粤B·D12345\",\"scheme\":\"mainland\",\"trip\":\"T-8812\","
		"\"use\":\"goods\"}}");
	free(text);
	json_decref(cleared);
	json_decref(body);
}

static void amendments(void **state)
{
	(void)state;
	struct problems p;
	struct conveyance_report a, b;
	json_t *ja, *jb;
	assert_true(validate(vessel_arrival, &p, &a, &ja));

	/* a later berth and departure time: fine */
	jb = fixture_json(vessel_arrival);
	fixture_set(jb, "berth", "\"NS-P3-02\"");
	fixture_set(jb, "expected_departure", "\"2026-11-25T02:00:00Z\"");
	problems_init(&p);
	assert_true(conveyance_validate(jb, ref, NOW, &p, &b));
	assert_true(conveyance_amend_check(&a, &b, false, &p));
	assert_int_equal(p.count, 0);

	/* ... but not once the vessel has left */
	assert_false(conveyance_amend_check(&a, &b, true, &p));
	assert_one_problem(&p, "",
			   "the conveyance has departed; its report can no longer be amended");
	json_decref(jb);

	/* another voyage is another call */
	jb = fixture_json(vessel_arrival);
	fixture_set(jb, "vessel/voyage", "\"047E\"");
	problems_init(&p);
	assert_true(conveyance_validate(jb, ref, NOW, &p, &b));
	assert_false(conveyance_amend_check(&a, &b, false, &p));
	assert_one_problem(&p, "/vessel/voyage",
			   "cannot change in an amendment (it is 046E); another voyage is "
			   "another call, with a report of its own");
	json_decref(jb);

	/* another ship, at another port */
	jb = fixture_json(vessel_arrival);
	fixture_set(jb, "vessel/imo", "\"9074729\"");
	fixture_set(jb, "port", "\"CNYTN\"");
	fixture_set(jb, "port_office", "\"5316\"");
	fixture_set(jb, "next_port", "\"CNSHK\"");
	problems_init(&p);
	assert_true(conveyance_validate(jb, ref, NOW, &p, &b));
	assert_false(conveyance_amend_check(&a, &b, false, &p));
	assert_int_equal(p.count, 2);
	assert_problem(&p, 0, "/vessel/imo",
		       "cannot change in an amendment (it is 9321378); a report is for one "
		       "conveyance, report the other one separately");
	assert_problem(&p, 1, "/port",
		       "cannot change in an amendment (it is CNNSA); a call at another port "
		       "has a report of its own");
	json_decref(jb);
	json_decref(ja);
}

static int setup(void **state)
{
	return sodium_init() < 0 ? -1 : fixture_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vessel_report),
		cmocka_unit_test(aircraft_and_vehicles),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(not_an_object),
		cmocka_unit_test(permission_from_tasks),
		cmocka_unit_test(decisions),
		cmocka_unit_test(permission_text_and_signature),
		cmocka_unit_test(amendments),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
