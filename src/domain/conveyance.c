/*
 * conveyance.c - conveyance reports, the agencies that clear them and the
 * permission they grant (see conveyance.h).
 *
 * Every rule reports through problems_add with a JSON pointer; the
 * sentences say what is wrong and what is accepted.
 */
#include "domain/conveyance.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/codes.h"
#include "domain/fields.h"
#include "domain/transport.h"

static const char *const kind_names[] = {"arrival", "departure", NULL};
static const char *const scheme_names[] = {"mainland", "cross_boundary",
					   "northbound", NULL};
static const char *const use_names[] = {"goods", "passenger", "private", NULL};
static const char *const region_names[] = {"HK", "MO", NULL};
static const char *const document_names[] = {"resident_id", "home_return_permit",
					     "passport", NULL};
static const char *const permission_names[PERMISSION_STATE_COUNT] = {
	"pending", "returned", "granted", "refused"};

const char *conveyance_kind_name(enum conveyance_kind k)
{
	return k == CONVEYANCE_DEPARTURE ? "departure" : "arrival";
}

const char *vehicle_scheme_name(enum vehicle_scheme s)
{
	return s <= VEHICLE_NORTHBOUND ? scheme_names[s] : "mainland";
}

const char *permission_state_name(enum permission_state s)
{
	return s < PERMISSION_STATE_COUNT ? permission_names[s] : "pending";
}

static bool upper_or_digit(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool digits_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

/* --- the conveyance itself, per mode --- */

/* A radio call sign: 3 to 9 capital letters and digits, one letter at least. */
static bool call_sign_valid(const char *s)
{
	size_t n = strlen(s);
	bool letter = false;
	for (size_t i = 0; i < n; i++) {
		if (!upper_or_digit(s[i]))
			return false;
		letter |= s[i] >= 'A';
	}
	return n >= 3 && n <= 9 && letter;
}

/* A flight number: a 2-character IATA designator (not two digits) or a
 * 3-letter ICAO one, 1 to 4 digits, an optional suffix letter. */
static bool flight_valid(const char *s)
{
	bool letters3 = s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
			s[2] >= 'A' && s[2] <= 'Z';
	bool iata2 = upper_or_digit(s[0]) && upper_or_digit(s[1]) &&
		     (s[0] >= 'A' || s[1] >= 'A');
	size_t d = letters3 ? 3 : iata2 ? 2 : 0;
	if (!d)
		return false;
	size_t n = 0;
	while (s[d + n] >= '0' && s[d + n] <= '9')
		n++;
	const char *rest = s + d + n;
	return n >= 1 && n <= 4 &&
	       (!*rest || (rest[0] >= 'A' && rest[0] <= 'Z' && !rest[1]));
}

/* An aircraft registration: 2 to 10 capital letters, digits and '-', with
 * a letter (B-2083, B-30AA, N123UA). */
static bool registration_valid(const char *s)
{
	size_t n = strlen(s);
	bool letter = false;
	for (size_t i = 0; i < n; i++) {
		if (!upper_or_digit(s[i]) && s[i] != '-')
			return false;
		letter |= s[i] >= 'A';
	}
	return n >= 2 && n <= 10 && letter && s[0] != '-' && s[n - 1] != '-';
}

static bool date_valid(const char *s)
{
	char t[40];
	int64_t us;
	return strlen(s) == 10 &&
	       snprintf(t, sizeof t, "%sT00:00:00Z", s) < (int)sizeof t &&
	       ktime_parse(t, &us);
}

static const char *const provinces[] = {
	"京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖",
	"鲁", "新", "苏", "浙", "赣", "鄂", "桂", "甘", "晋", "蒙", "陕",
	"吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼", NULL};

enum plate_suffix { SUFFIX_NONE, SUFFIX_HK, SUFFIX_MO, SUFFIX_TRAILER, SUFFIX_BAD };

/* A mainland plate: province, issuing letter, optional middle dot, then 5
 * letters and digits (6 for new-energy vehicles), or 4 and 挂 for a
 * trailer, or 4 or 5 and 港 / 澳 for a Hong Kong or Macau two-plate vehicle
 * (粤Z only). Letters I and O are never used. */
static bool mainland_plate(const char *s, enum plate_suffix *suffix)
{
	const char *c = s;
	bool yue = strncmp(c, "粤", strlen("粤")) == 0;
	size_t i;
	for (i = 0; provinces[i]; i++)
		if (strncmp(c, provinces[i], strlen(provinces[i])) == 0)
			break;
	if (!provinces[i])
		return false;
	c += strlen(provinces[i]);
	if (*c < 'A' || *c > 'Z' || *c == 'I' || *c == 'O')
		return false;
	bool zone_z = *c == 'Z';
	c++;
	if (strncmp(c, "·", strlen("·")) == 0)
		c += strlen("·");
	size_t n = 0;
	while (upper_or_digit(c[n]) && c[n] != 'I' && c[n] != 'O')
		n++;
	c += n;
	*suffix = !*c				? SUFFIX_NONE
		  : strcmp(c, "港") == 0 ? SUFFIX_HK
		  : strcmp(c, "澳") == 0 ? SUFFIX_MO
		  : strcmp(c, "挂") == 0 ? SUFFIX_TRAILER
					  : SUFFIX_BAD;
	switch (*suffix) {
	case SUFFIX_NONE:
		return n == 5 || n == 6;
	case SUFFIX_TRAILER:
		return n == 4;
	case SUFFIX_HK:
	case SUFFIX_MO:
		return yue && zone_z && (n == 4 || n == 5);
	case SUFFIX_BAD:
		break;
	}
	return false;
}

/* A Hong Kong plate: 1 to 8 capital letters and digits, single spaces
 * between (KV 2286, personalised marks such as HK 1). */
static bool hong_kong_plate(const char *s)
{
	size_t n = strlen(s), chars = 0;
	if (!n || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ') {
			if (s[i + 1] == ' ')
				return false;
			continue;
		}
		if (!upper_or_digit(s[i]))
			return false;
		chars++;
	}
	return chars <= 8;
}

/* A Macau plate: one or two capital letters, then two pairs of digits, with
 * hyphens (MA-12-34, M-12-34). */
static bool macau_plate(const char *s)
{
	size_t l = 0;
	while (s[l] >= 'A' && s[l] <= 'Z')
		l++;
	return (l == 1 || l == 2) && s[l] == '-' && s[l + 1] >= '0' &&
	       s[l + 1] <= '9' && s[l + 2] >= '0' && s[l + 2] <= '9' &&
	       s[l + 3] == '-' && digits_only(s + l + 4, 2);
}

static void validate_vessel(struct fields *f, const json_t *v,
			    struct conveyance_report *r)
{
	static const char *const allowed[] = {"imo", "name", "call_sign", "flag",
					      "voyage", NULL};
	problems_unknown_fields(f->p, v, "/vessel", allowed,
				"imo, name, call_sign, flag, voyage");
	r->imo = fields_text(f, v, "imo", "/vessel", true, 16);
	enum codes_result cr;
	if (r->imo && (cr = codes_check_imo(r->imo)) != CODES_OK) {
		problems_add(f->p, "/vessel/imo", "IMO ship number %s",
			     codes_result_text(cr, "IMO"));
		r->imo = NULL;
	}
	r->name = fields_text(f, v, "name", "/vessel", true, 100);
	r->call_sign = fields_text(f, v, "call_sign", "/vessel", true, 16);
	if (r->call_sign && !call_sign_valid(r->call_sign)) {
		problems_add(f->p, "/vessel/call_sign",
			     "must be the ship's radio call sign: 3 to 9 capital letters "
			     "and digits, such as VRBK7");
		r->call_sign = NULL;
	}
	r->flag = fields_code(f, v, "flag", "/vessel", true, "countries",
			      "ISO 3166-1 alpha-2 country code");
	r->voyage = fields_reference(f, v, "voyage", "/vessel", true, 32);
	r->identity = r->imo;
}

static void validate_aircraft(struct fields *f, const json_t *a,
			      struct conveyance_report *r)
{
	static const char *const allowed[] = {"flight", "date", "registration", NULL};
	problems_unknown_fields(f->p, a, "/aircraft", allowed,
				"flight, date, registration");
	r->name = fields_text(f, a, "flight", "/aircraft", true, 16);
	if (r->name && !flight_valid(r->name)) {
		problems_add(f->p, "/aircraft/flight",
			     "must be a flight number: the airline's 2-character IATA or "
			     "3-letter ICAO designator, 1 to 4 digits and an optional "
			     "letter, such as CZ3098");
		r->name = NULL;
	}
	r->voyage = fields_text(f, a, "date", "/aircraft", true, 16);
	if (r->voyage && !date_valid(r->voyage)) {
		problems_add(f->p, "/aircraft/date",
			     "must be the flight's scheduled date as YYYY-MM-DD, such as "
			     "\"2026-11-20\"");
		r->voyage = NULL;
	}
	r->registration = fields_text(f, a, "registration", "/aircraft", true, 16);
	if (r->registration && !registration_valid(r->registration)) {
		problems_add(f->p, "/aircraft/registration",
			     "must be the aircraft's registration: 2 to 10 capital letters, "
			     "digits and '-', such as B-2083");
		r->registration = NULL;
	}
	r->identity = r->name;
}

static void validate_driver(struct fields *f, const json_t *v,
			    struct conveyance_report *r)
{
	const json_t *d = fields_object(f, v, "driver", "/vehicle", true,
					"name, document_type and document_number");
	if (!d)
		return;
	static const char *const allowed[] = {"name", "document_type",
					      "document_number", NULL};
	problems_unknown_fields(f->p, d, "/vehicle/driver", allowed,
				"name, document_type, document_number");
	r->driver_name = fields_text(f, d, "name", "/vehicle/driver", true, 100);
	int type = fields_choice(f, d, "document_type", "/vehicle/driver", true,
				 document_names,
				 "\"resident_id\" (居民身份证), \"home_return_permit\" "
				 "(港澳居民来往内地通行证) or \"passport\"");
	r->driver_document_type = type >= 0 ? document_names[type] : NULL;
	const char *n = fields_text(f, d, "document_number", "/vehicle/driver", true, 20);
	r->driver_document_number = n;
	if (!n || type < 0)
		return;
	const char *at = "/vehicle/driver/document_number";
	enum codes_result cr;
	size_t len = strlen(n);
	if (type == 0 && (cr = codes_check_resident_id(n)) != CODES_OK) {
		problems_add(f->p, at, "resident ID number %s",
			     codes_result_text(cr, "resident ID"));
		r->driver_document_number = NULL;
	} else if (type == 1 && !((n[0] == 'H' || n[0] == 'M') &&
				  (len == 9 || len == 11) && digits_only(n + 1, len - 1))) {
		problems_add(f->p, at,
			     "must be a home-return permit number: H (Hong Kong) or M "
			     "(Macau) and 8 digits (10 on older permits), such as "
			     "H12345678");
		r->driver_document_number = NULL;
	} else if (type == 2) {
		bool ok = len >= 5;
		for (size_t i = 0; i < len; i++)
			ok &= upper_or_digit(n[i]);
		if (!ok) {
			problems_add(f->p, at,
				     "must be a passport number: 5 to 20 capital letters "
				     "and digits");
			r->driver_document_number = NULL;
		}
	}
}

static void validate_vehicle(struct fields *f, const json_t *v,
			     struct conveyance_report *r)
{
	static const char *const allowed[] = {"scheme", "region", "plate",
					      "regional_plate", "use", "trip",
					      "driver", NULL};
	problems_unknown_fields(f->p, v, "/vehicle", allowed,
				"scheme, region, plate, regional_plate, use, trip, "
				"driver");
	int scheme = fields_choice(f, v, "scheme", "/vehicle", true, scheme_names,
				   "\"mainland\", \"cross_boundary\" (a Hong Kong or "
				   "Macau vehicle with a 粤Z plate too) or \"northbound\" "
				   "(港车北上 / 澳车北上, on its own plate only)");
	int use = fields_choice(f, v, "use", "/vehicle", true, use_names,
				"\"goods\", \"passenger\" or \"private\"");
	r->use = use >= 0 ? use_names[use] : NULL;
	r->voyage = fields_reference(f, v, "trip", "/vehicle", true, 32);
	validate_driver(f, v, r);
	if (scheme < 0)
		return;
	r->scheme = (enum vehicle_scheme)scheme;
	int region = -1;
	if (r->scheme == VEHICLE_MAINLAND) {
		fields_absent(f, v, "region", "/vehicle",
			      "is only for Hong Kong and Macau vehicles; a mainland "
			      "vehicle has none");
		fields_absent(f, v, "regional_plate", "/vehicle",
			      "is only for Hong Kong and Macau vehicles; a mainland "
			      "vehicle has its mainland plate only");
	} else {
		region = fields_choice(f, v, "region", "/vehicle", true, region_names,
				       "\"HK\" (Hong Kong) or \"MO\" (Macau)");
		r->region = region >= 0 ? region_names[region] : NULL;
		r->regional_plate = fields_text(f, v, "regional_plate", "/vehicle", true, 12);
		if (r->regional_plate && region == 0 && !hong_kong_plate(r->regional_plate)) {
			problems_add(f->p, "/vehicle/regional_plate",
				     "must be a Hong Kong plate: up to 8 capital letters "
				     "and digits with single spaces, such as KV 2286");
			r->regional_plate = NULL;
		} else if (r->regional_plate && region == 1 &&
			   !macau_plate(r->regional_plate)) {
			problems_add(f->p, "/vehicle/regional_plate",
				     "must be a Macau plate: one or two capital letters "
				     "and two pairs of digits, such as MA-12-34");
			r->regional_plate = NULL;
		}
	}
	if (r->scheme == VEHICLE_NORTHBOUND) {
		fields_absent(f, v, "plate", "/vehicle",
			      "a northbound Hong Kong or Macau car (港车北上 / 澳车北上) "
			      "travels on its own plate, given in regional_plate; it has "
			      "no mainland plate");
		if (use >= 0 && use != 2)
			problems_add(f->p, "/vehicle/use",
				     "港车北上 and 澳车北上 admit private cars only; a goods or "
				     "passenger vehicle crosses as \"cross_boundary\" with its "
				     "粤Z plate");
		r->identity = r->name = r->regional_plate;
		return;
	}
	r->plate = fields_text(f, v, "plate", "/vehicle", true, 16);
	enum plate_suffix suffix = SUFFIX_NONE;
	if (r->plate && !mainland_plate(r->plate, &suffix)) {
		problems_add(f->p, "/vehicle/plate",
			     "must be a mainland plate: a province, its letter, then 5 "
			     "letters and digits (6 for a new-energy vehicle), such as "
			     "粤B·D12345; a Hong Kong or Macau two-plate vehicle has 粤Z, "
			     "4 or 5 letters and digits and 港 or 澳, such as 粤Z·H2286港");
		r->plate = NULL;
	} else if (r->plate && r->scheme == VEHICLE_MAINLAND &&
		   (suffix == SUFFIX_HK || suffix == SUFFIX_MO)) {
		problems_add(f->p, "/vehicle/plate",
			     "is the 粤Z plate of a Hong Kong or Macau vehicle; report it "
			     "with scheme \"cross_boundary\", its region and its own plate "
			     "in regional_plate");
		r->plate = NULL;
	} else if (r->plate && r->scheme == VEHICLE_CROSS_BOUNDARY && region >= 0 &&
		   suffix != (region == 0 ? SUFFIX_HK : SUFFIX_MO)) {
		problems_add(f->p, "/vehicle/plate",
			     region == 0 ? "must be the vehicle's 粤Z plate ending in 港, "
					   "such as 粤Z·H2286港"
					 : "must be the vehicle's 粤Z plate ending in 澳, "
					   "such as 粤Z·M1234澳");
		r->plate = NULL;
	}
	r->identity = r->name = r->plate;
}

/* --- the call: port, place, ports before and after, times, people --- */

static const char *const mode_object[] = {"vessel", "vehicle", "aircraft"};
static const char *const mode_place[] = {"berth", "lane", "stand"};
static const char *const mode_words[] = {"a vessel", "a vehicle", "an aircraft"};

static int mode_index(const char *mode)
{
	return !strcmp(mode, TRANSPORT_MODE_WATERWAY) ? 0
	       : !strcmp(mode, TRANSPORT_MODE_ROAD)   ? 1
	       : !strcmp(mode, TRANSPORT_MODE_AIR)    ? 2
						      : -1;
}

static void validate_port(struct fields *f, const json_t *body, int m,
			  struct conveyance_report *r)
{
	r->port = fields_code(f, body, "port", "", true, "ports", "UN/LOCODE port");
	r->port_office = fields_code(f, body, "port_office", "", true,
				     "customs_offices", "customs office code");
	if (r->port && m >= 0) {
		const struct ref_entry *e = refdata_find(f->ref, "ports", r->port);
		const char *kind = json_string_value(json_object_get(e->data, "kind"));
		bool fits = !kind || m == 1 ||
			    (m == 0 && (!strcmp(kind, "seaport") || !strcmp(kind, "river"))) ||
			    (m == 2 && !strcmp(kind, "airport"));
		if (!fits) {
			const char *what = !strcmp(kind, "seaport") ? "seaport"
					   : !strcmp(kind, "river") ? "river port"
					   : !strcmp(kind, "land")  ? "land crossing"
					   : !strcmp(kind, "airport") ? "airport"
								     : "place";
			problems_add(f->p, "/port", "%s (%s) is %s %s; %s calls at %s",
				     r->port, refdata_name(f->ref, "ports", r->port),
				     what[0] == 'a' ? "an" : "a", what, mode_words[m],
				     m == 0 ? "a seaport or river port" : "an airport");
			r->port = NULL;
		}
	}
	if (r->port && r->port_office &&
	    !refdata_port_served(f->ref, r->port_office, r->port)) {
		char offices[400];
		size_t n = refdata_port_offices(f->ref, r->port, offices, sizeof offices);
		if (n)
			problems_add(f->p, "/port_office",
				     "customs office %s (%s) does not serve %s (%s); the "
				     "offices that do are: %s",
				     r->port_office,
				     refdata_name(f->ref, "customs_offices", r->port_office),
				     r->port, refdata_name(f->ref, "ports", r->port), offices);
		else
			problems_add(f->p, "/port",
				     "%s (%s) is not a port of entry kouan clears: no customs "
				     "office serves it",
				     r->port, refdata_name(f->ref, "ports", r->port));
		r->port_office = NULL;
	}
	for (int k = 0; m >= 0 && k < 3; k++) {
		if (k == m)
			continue;
		char why[120];
		snprintf(why, sizeof why, "is for %s; the place of %s is its %s",
			 k == 0 ? "vessels" : k == 1 ? "vehicles" : "aircraft",
			 mode_words[m], mode_place[m]);
		fields_absent(f, body, mode_place[k], "", why);
	}
	if (m >= 0)
		r->place = fields_reference(f, body, mode_place[m], "", false, 32);
}

static void validate_route(struct fields *f, const json_t *body,
			   struct conveyance_report *r)
{
	bool arrival = r->kind == CONVEYANCE_ARRIVAL;
	r->last_port = fields_code(f, body, "last_port", "", arrival, "ports",
				   "UN/LOCODE port");
	r->next_port = fields_code(f, body, "next_port", "", !arrival, "ports",
				   "UN/LOCODE port");
	if (r->port && r->last_port && !strcmp(r->port, r->last_port))
		problems_add(f->p, "/last_port",
			     "is the port of this call; last_port is the port the "
			     "conveyance came from");
	if (r->port && r->next_port && !strcmp(r->port, r->next_port))
		problems_add(f->p, "/next_port",
			     "is the port of this call; next_port is the port the "
			     "conveyance goes to");
}

static void validate_times(struct fields *f, const json_t *body, int64_t now_us,
			   struct conveyance_report *r)
{
	bool arrival = r->kind == CONVEYANCE_ARRIVAL;
	r->expected_arrival = r->actual_arrival = KTIME_NONE;
	r->expected_departure = r->actual_departure = KTIME_NONE;
	fields_time(f, body, "expected_arrival", "", arrival, &r->expected_arrival);
	fields_time(f, body, "actual_arrival", "", false, &r->actual_arrival);
	fields_time(f, body, "expected_departure", "", !arrival, &r->expected_departure);
	fields_time(f, body, "actual_departure", "", false, &r->actual_departure);
	char now[KTIME_TEXT_MAX];
	ktime_format(now_us, now);
	if (r->actual_arrival != KTIME_NONE && r->actual_arrival > now_us)
		problems_add(f->p, "/actual_arrival",
			     "is later than now (%s); an actual time is recorded once it "
			     "has happened (expected_arrival is for the estimate)", now);
	if (r->actual_departure != KTIME_NONE && r->actual_departure > now_us)
		problems_add(f->p, "/actual_departure",
			     "is later than now (%s); an actual time is recorded once it "
			     "has happened (expected_departure is for the estimate)", now);
	if (r->expected_arrival != KTIME_NONE && r->expected_departure != KTIME_NONE &&
	    r->expected_departure <= r->expected_arrival)
		problems_add(f->p, "/expected_departure", "must be after expected_arrival");
	if (r->actual_departure != KTIME_NONE) {
		if (r->actual_arrival != KTIME_NONE &&
		    r->actual_departure <= r->actual_arrival)
			problems_add(f->p, "/actual_departure", "must be after actual_arrival");
		else if (arrival && r->actual_arrival == KTIME_NONE)
			problems_add(f->p, "/actual_departure",
				     "needs actual_arrival: a conveyance departs after it "
				     "has arrived");
	}
}

static void validate_people(struct fields *f, const json_t *body, int m,
			    struct conveyance_report *r)
{
	/* a cruise ship, a wide-body aircraft, a coach */
	static const int64_t max_crew[] = {9999, 9, 999};
	static const int64_t max_passengers[] = {9999, 99, 999};
	int k = m >= 0 ? m : 0;
	r->crew = r->passengers = 0;
	fields_whole(f, body, "crew", "", true, 1, max_crew[k], &r->crew);
	fields_whole(f, body, "passengers", "", true, 0, max_passengers[k],
		     &r->passengers);
}

static const char *const top_fields[] = {
	"kind", "transport_mode", "carrier", "vessel", "aircraft", "vehicle",
	"port", "port_office", "berth", "stand", "lane", "last_port", "next_port",
	"expected_arrival", "actual_arrival", "expected_departure",
	"actual_departure", "crew", "passengers", "remarks", NULL};
static const char top_accepted[] =
	"kind, transport_mode, carrier, vessel (waterway), aircraft (air), "
	"vehicle (road), port, port_office, berth (vessel), stand (aircraft), "
	"lane (vehicle), last_port, next_port, expected_arrival, actual_arrival, "
	"expected_departure, actual_departure, crew, passengers, remarks";

bool conveyance_validate(const json_t *body, const struct refdata *ref,
			 int64_t now_us, struct problems *p,
			 struct conveyance_report *out)
{
	struct fields f = {p, ref};
	memset(out, 0, sizeof *out);
	if (!json_is_object(body)) {
		problems_add(p, "", "the conveyance report must be a JSON object");
		return false;
	}
	size_t before = p->count + p->dropped;
	problems_unknown_fields(p, body, "", top_fields, top_accepted);
	int kind = fields_choice(&f, body, "kind", "", true, kind_names,
				 "\"arrival\" or \"departure\"");
	out->kind = kind == 1 ? CONVEYANCE_DEPARTURE : CONVEYANCE_ARRIVAL;
	out->transport_mode = fields_code(&f, body, "transport_mode", "", true,
					  "transport_modes", "transport mode code");
	int m = out->transport_mode ? mode_index(out->transport_mode) : -1;
	if (out->transport_mode && m < 0) {
		problems_add(p, "/transport_mode",
			     "conveyance reports are for vessels (\"2\", waterway), "
			     "road vehicles (\"4\") and aircraft (\"5\")");
		out->transport_mode = NULL;
	}
	out->carrier = fields_text(&f, body, "carrier", "", true, 100);
	for (int k = 0; k < 3; k++) {
		if (k == m) {
			static const char *const shapes[] = {
				"imo, name, call_sign, flag and voyage",
				"scheme, use, plate or regional_plate, trip and driver",
				"flight, date and registration"};
			const json_t *o = fields_object(&f, body, mode_object[k], "",
							true, shapes[k]);
			if (o && k == 0)
				validate_vessel(&f, o, out);
			else if (o && k == 1)
				validate_vehicle(&f, o, out);
			else if (o)
				validate_aircraft(&f, o, out);
		} else if (m >= 0) {
			char why[120];
			snprintf(why, sizeof why,
				 "is only for transport mode \"%s\"; this report is for %s",
				 k == 0 ? TRANSPORT_MODE_WATERWAY
				 : k == 1 ? TRANSPORT_MODE_ROAD
					  : TRANSPORT_MODE_AIR,
				 mode_words[m]);
			fields_absent(&f, body, mode_object[k], "", why);
		}
	}
	validate_port(&f, body, m, out);
	validate_route(&f, body, out);
	validate_times(&f, body, now_us, out);
	validate_people(&f, body, m, out);
	fields_text(&f, body, "remarks", "", false, 255);
	if (p->count + p->dropped != before)
		return false;
	out->agencies = refdata_conveyance_agencies(ref, out->transport_mode);
	if (!out->agencies) {
		problems_add(p, "/transport_mode",
			     "no agency clears conveyances of this transport mode; the "
			     "transport mode list names none");
		return false;
	}
	if (!transport_call_key(out->transport_mode, out->identity, out->voyage,
				out->port, out->key)) {
		problems_add(p, "", "the conveyance, voyage and port are too long together");
		return false;
	}
	return true;
}

/* --- amendments --- */

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool conveyance_amend_check(const struct conveyance_report *before,
			    const struct conveyance_report *after, bool departed,
			    struct problems *p)
{
	if (departed) {
		problems_add(p, "",
			     "the conveyance has departed; its report can no longer be "
			     "amended");
		return false;
	}
	size_t n = p->count + p->dropped;
	int m = mode_index(before->transport_mode);
	const char *obj = m >= 0 ? mode_object[m] : "vessel";
	char at[FIELD_POINTER_MAX];
	if (before->kind != after->kind)
		problems_add(p, "/kind", "cannot change in an amendment (it is \"%s\"); "
			     "lodge a %s report of its own",
			     conveyance_kind_name(before->kind),
			     conveyance_kind_name(after->kind));
	if (!same(before->transport_mode, after->transport_mode)) {
		problems_add(p, "/transport_mode",
			     "cannot change in an amendment (it is \"%s\"); report the "
			     "other conveyance separately",
			     before->transport_mode);
		return false;
	}
	static const char *const identity_member[] = {"imo", "plate", "flight"};
	if (!same(before->identity, after->identity)) {
		const char *member = m == 1 && before->scheme == VEHICLE_NORTHBOUND
					     ? "regional_plate"
					     : identity_member[m >= 0 ? m : 0];
		json_pointer_to(at, sizeof at, "", obj);
		json_pointer_to(at, sizeof at, at, member);
		problems_add(p, at,
			     "cannot change in an amendment (it is %s); a report is for "
			     "one conveyance, report the other one separately",
			     before->identity);
	}
	if (!same(before->voyage, after->voyage)) {
		static const char *const voyage_member[] = {"voyage", "trip", "date"};
		json_pointer_to(at, sizeof at, "", obj);
		json_pointer_to(at, sizeof at, at, voyage_member[m >= 0 ? m : 0]);
		problems_add(p, at,
			     "cannot change in an amendment (it is %s); another voyage "
			     "is another call, with a report of its own",
			     before->voyage);
	}
	if (!same(before->port, after->port))
		problems_add(p, "/port",
			     "cannot change in an amendment (it is %s); a call at another "
			     "port has a report of its own",
			     before->port);
	return p->count + p->dropped == n;
}

/* --- agencies and the permission --- */

struct permission conveyance_permission(agency_set required,
					const enum task_status status[REF_MAX_AGENCIES])
{
	struct permission r = {PERMISSION_PENDING, 0, 0};
	bool rejected = false, returned = false;
	for (int k = 0; k < REF_MAX_AGENCIES; k++) {
		if (!(required & (1u << k)))
			continue;
		if (status[k] == TASK_CLEARED)
			r.cleared |= 1u << k;
		else
			r.waiting |= 1u << k;
		rejected |= status[k] == TASK_REJECTED;
		returned |= status[k] == TASK_RETURNED;
	}
	if (rejected)
		r.state = PERMISSION_REFUSED;
	else if (required && !r.waiting)
		r.state = PERMISSION_GRANTED;
	else if (returned)
		r.state = PERMISSION_RETURNED;
	return r;
}

bool conveyance_decide(enum permission_state ps, enum task_status ts,
		       enum decision d, enum task_status *next, const char **why)
{
	static const enum declaration_status as_declaration[PERMISSION_STATE_COUNT] = {
		DECL_ACCEPTED, DECL_RETURNED, DECL_RELEASED, DECL_REJECTED};
	if (ps >= PERMISSION_STATE_COUNT) {
		*why = "the report is in an unknown state";
		return false;
	}
	if (ps == PERMISSION_GRANTED) {
		*why = "the permission has been granted; the report's tasks are closed";
		return false;
	}
	if (ps == PERMISSION_REFUSED) {
		*why = "the report was refused; its tasks are closed";
		return false;
	}
	return workflow_decide(as_declaration[ps], ts, d, next, why);
}

static json_t *identity_json(const struct conveyance_report *r)
{
	int m = mode_index(r->transport_mode);
	if (m == 0)
		return json_pack("{s:s, s:s, s:s, s:s, s:s}", "imo", r->imo, "name",
				 r->name, "call_sign", r->call_sign, "flag", r->flag,
				 "voyage", r->voyage);
	if (m == 2)
		return json_pack("{s:s, s:s, s:s}", "flight", r->name, "date",
				 r->voyage, "registration", r->registration);
	json_t *v = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "scheme",
			      vehicle_scheme_name(r->scheme), "use", r->use, "trip",
			      r->voyage, "driver", "name", r->driver_name,
			      "document_type", r->driver_document_type,
			      "document_number", r->driver_document_number);
	if (v && r->plate)
		json_object_set_new(v, "plate", json_string(r->plate));
	if (v && r->region)
		json_object_set_new(v, "region", json_string(r->region));
	if (v && r->regional_plate)
		json_object_set_new(v, "regional_plate", json_string(r->regional_plate));
	return v;
}

char *conveyance_permission_text(const struct conveyance_report *r,
				 const char *report_id, const char *granted_at,
				 const json_t *agencies_cleared)
{
	int m = mode_index(r->transport_mode);
	if (m < 0)
		return NULL;
	bool arrival = r->kind == CONVEYANCE_ARRIVAL;
	static const char *const what[] = {"vessel", "vehicle", "aircraft"};
	char statement[160];
	snprintf(statement, sizeof statement,
		 "All agencies have cleared this %s to %s at this port.", what[m],
		 arrival ? "enter and work" : "depart");
	json_t *n = json_pack(
		"{s:s, s:s, s:s, s:s, s:o*, s:s, s:s, s:s, s:s, s:O, s:s}", "kind",
		arrival ? "kouan.entry-permission.v1" : "kouan.departure-permission.v1",
		"report", report_id, "granted_at", granted_at, "transport_mode",
		r->transport_mode, mode_object[m], identity_json(r), "carrier",
		r->carrier, "port", r->port, "port_office", r->port_office, "call",
		r->key, "agencies_cleared", agencies_cleared, "statement", statement);
	if (!n)
		return NULL;
	char *s = json_dumps(n, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(n);
	return s;
}
