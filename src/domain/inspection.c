/* inspection.c - rules of the joint inspection and its appointments (see
 * inspection.h). */
#include "domain/inspection.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"

static const struct {
	const char *name;
	bool under_way;
} statuses[INSPECTION_STATUS_COUNT] = {
#define INSPECTION_STATUS_ROW(name, text, under_way) {text, under_way},
	INSPECTION_STATUS_MAP(INSPECTION_STATUS_ROW)
#undef INSPECTION_STATUS_ROW
};

static const char *const results[FINDING_RESULT_COUNT] = {
#define FINDING_RESULT_ROW(name, text) text,
	FINDING_RESULT_MAP(FINDING_RESULT_ROW)
#undef FINDING_RESULT_ROW
};

const char *inspection_status_name(enum inspection_status s)
{
	return (unsigned)s < INSPECTION_STATUS_COUNT ? statuses[s].name : "?";
}

bool inspection_status_parse(const char *s, enum inspection_status *out)
{
	for (int i = 0; s && i < INSPECTION_STATUS_COUNT; i++) {
		if (strcmp(s, statuses[i].name) == 0) {
			*out = (enum inspection_status)i;
			return true;
		}
	}
	return false;
}

bool inspection_under_way(enum inspection_status s)
{
	return (unsigned)s < INSPECTION_STATUS_COUNT && statuses[s].under_way;
}

const char *finding_result_name(enum finding_result r)
{
	return (unsigned)r < FINDING_RESULT_COUNT ? results[r] : "?";
}

bool finding_result_parse(const char *s, enum finding_result *out)
{
	for (int i = 0; s && i < FINDING_RESULT_COUNT; i++) {
		if (strcmp(s, results[i]) == 0) {
			*out = (enum finding_result)i;
			return true;
		}
	}
	return false;
}

bool inspection_site_code_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > SITE_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return false;
	return true;
}

void inspection_site_read(const json_t *body, const struct refdata *ref,
			  struct inspection_site *s, struct problems *p)
{
	static const char *const fields[] = {"code", "name", "port", "slot_minutes",
					     "capacity", NULL};
	problems_unknown_fields(p, body, "", fields,
				"code, name, port, slot_minutes, capacity");
	memset(s, 0, sizeof *s);
	const char *code = json_string_value(json_object_get(body, "code"));
	if (!code || !inspection_site_code_valid(code))
		problems_add(p, "/code", "is required: 1 to %d characters of A-Z, 0-9 and "
					 "'-', e.g. CNNSA-1", SITE_CODE_MAX);
	else
		str_copy(s->code, code, sizeof s->code);
	const char *name = json_string_value(json_object_get(body, "name"));
	if (!name || !*name || strlen(name) > SITE_NAME_MAX)
		problems_add(p, "/name", "is required: a non-empty string of at most %d bytes",
			     SITE_NAME_MAX);
	else
		str_copy(s->name, name, sizeof s->name);
	const char *port = json_string_value(json_object_get(body, "port"));
	if (!port || strlen(port) >= sizeof s->port || !refdata_has(ref, "ports", port))
		problems_add(p, "/port", "is required: a UN/LOCODE from the ports list, "
					 "e.g. CNNSA");
	else
		str_copy(s->port, port, sizeof s->port);
	json_t *mj = json_object_get(body, "slot_minutes");
	json_int_t m = json_is_integer(mj) ? json_integer_value(mj) : 0;
	if (m < SLOT_MINUTES_MIN || m > 1440 || 1440 % m != 0)
		problems_add(p, "/slot_minutes",
			     "is required: a whole number of minutes from %d to 1440 that "
			     "divides a day (e.g. 15, 30, 60)", SLOT_MINUTES_MIN);
	s->slot_minutes = m;
	json_t *cj = json_object_get(body, "capacity");
	json_int_t c = json_is_integer(cj) ? json_integer_value(cj) : 0;
	if (c < 1 || c > SITE_CAPACITY_MAX)
		problems_add(p, "/capacity",
			     "is required: inspections per slot, a whole number from 1 to %d",
			     SITE_CAPACITY_MAX);
	s->capacity = c;
}

void inspection_finding_read(const json_t *body, struct finding *f, struct problems *p)
{
	memset(f, 0, sizeof *f);
	json_t *rj = json_object_get(body, "result");
	const char *result = json_string_value(rj);
	enum finding_result r = FINDING_NO_PROBLEM;
	bool result_ok = result && finding_result_parse(result, &r);
	if (!rj || json_is_null(rj))
		problems_add(p, "/result", "is required: no_problem or problem");
	else if (!result_ok)
		problems_add(p, "/result", "must be no_problem or problem");
	bool problem = result_ok && r == FINDING_PROBLEM;
	json_t *nj = json_object_get(body, "note");
	const char *note = json_string_value(nj);
	bool has_note = nj && !json_is_null(nj);
	if (has_note) {
		if (!note || !*note || strlen(note) > FINDING_NOTE_MAX)
			problems_add(p, "/note", "must be a non-empty string of at most %d bytes",
				     FINDING_NOTE_MAX);
	} else if (problem) {
		problems_add(p, "/note",
			     "is required when the result is problem: say what was found");
	}
	json_t *dj = json_object_get(body, "decision");
	const char *decision = json_string_value(dj);
	bool has_decision = dj && !json_is_null(dj);
	enum decision d = DECISION_RETURN;
	bool decision_ok = decision && decision_parse(decision, &d) &&
			   (d == DECISION_RETURN || d == DECISION_REJECT);
	if (problem && !has_decision)
		problems_add(p, "/decision",
			     "is required when the result is problem: return or reject");
	else if (problem && !decision_ok)
		problems_add(p, "/decision", "must be return or reject");
	else if (!problem && has_decision && result_ok)
		problems_add(p, "/decision",
			     "must be left out when the result is no_problem (the task is "
			     "cleared)");
	f->result = r;
	f->has_decision = problem && decision_ok;
	f->decision = f->has_decision ? d : DECISION_CLEARED;
	if (has_note && note)
		str_copy(f->note, note, sizeof f->note);
}

enum decision inspection_finding_decision(const struct finding *f)
{
	return f->result == FINDING_PROBLEM && f->has_decision ? f->decision
							      : DECISION_CLEARED;
}

void inspection_finding_from_decision(struct finding *f, const char *agency,
				      enum decision d, const char *reason)
{
	memset(f, 0, sizeof *f);
	str_copy(f->agency, agency, sizeof f->agency);
	f->result = d == DECISION_CLEARED ? FINDING_NO_PROBLEM : FINDING_PROBLEM;
	f->has_decision = d != DECISION_CLEARED;
	f->decision = d;
	str_copy(f->note, reason ? reason : "", sizeof f->note);
}

bool inspection_started(enum inspection_status s, int64_t slot_start_us, int64_t now_us)
{
	if (s == INSPECTION_IN_PROGRESS)
		return true;
	return s == INSPECTION_BOOKED && now_us >= slot_start_us;
}

const char *inspection_findings_closed(enum inspection_status s, bool started,
				       const char *slot_start, const char *site, char *buf,
				       size_t n)
{
	switch (s) {
	case INSPECTION_COMPLETED:
		return "the inspection is completed: every agency has recorded its finding";
	case INSPECTION_CANCELLED:
		return "the inspection was closed without taking place";
	case INSPECTION_AWAITING_BOOKING:
		return "the inspection has no appointment yet: findings are recorded from the "
		       "start of the booked slot (the declarant books it with POST "
		       "/v1/inspections/{id}/booking)";
	default:
		break;
	}
	if (started || s == INSPECTION_IN_PROGRESS)
		return NULL;
	snprintf(buf, n,
		 "the inspection is booked for %s at %s; findings can be recorded from then",
		 slot_start, site);
	return buf;
}

const char *inspection_booking_refused(enum inspection_status s,
				       enum declaration_status ds, bool move,
				       char *buf, size_t n)
{
	if (declaration_final(ds)) {
		snprintf(buf, n, "the declaration has been %s: its inspection needs no "
				 "appointment", declaration_status_name(ds));
		return buf;
	}
	switch (s) {
	case INSPECTION_COMPLETED:
		return "the inspection is completed";
	case INSPECTION_CANCELLED:
		return "the inspection was closed without taking place";
	case INSPECTION_IN_PROGRESS:
		return "the inspection has begun (a finding is recorded): its appointment "
		       "can no longer change";
	case INSPECTION_AWAITING_BOOKING:
		return move ? "the inspection has no appointment yet: book one with POST" : NULL;
	case INSPECTION_BOOKED:
		return move ? NULL
			    : "the inspection is booked already: move the appointment with "
			      "PUT or cancel it with DELETE";
	default:
		return "the inspection is in an unknown state";
	}
}

void inspection_slot_check(const struct inspection_site *site, const char *site_code,
			   const char *goods_port, int64_t slot_us, int64_t now_us,
			   struct problems *p)
{
	if (!site) {
		problems_add(p, "/site", "no inspection site has the code %s "
					 "(GET /v1/inspection-sites lists them)", site_code);
	} else if (goods_port && *goods_port && strcmp(site->port, goods_port) != 0) {
		problems_add(p, "/site", "%s is at port %s, but the goods of this declaration "
					 "are at %s", site->code, site->port, goods_port);
	}
	char text[KTIME_TEXT_MAX];
	if (site && slot_us % (site->slot_minutes * US_PER_MINUTE) != 0) {
		int64_t len = site->slot_minutes * US_PER_MINUTE;
		int64_t next = (slot_us / len + 1) * len;
		ktime_format(next, text);
		problems_add(p, "/slot_start",
			     "must be the start of a slot: %s has slots of %lld minutes from "
			     "00:00 UTC (the next one starts at %s)",
			     site->code, (long long)site->slot_minutes, text);
	} else if (slot_us <= now_us) {
		ktime_format(now_us, text);
		problems_add(p, "/slot_start", "must be in the future (it is now %s)", text);
	} else if (slot_us - now_us > BOOKING_HORIZON_DAYS * US_PER_DAY) {
		problems_add(p, "/slot_start", "may be at most %d days ahead",
			     BOOKING_HORIZON_DAYS);
	}
}

int64_t inspection_slot_end(const struct inspection_site *s, int64_t slot_start_us)
{
	return slot_start_us + s->slot_minutes * US_PER_MINUTE;
}

enum inspection_settlement inspection_settle(int64_t agencies, int64_t findings,
					     int64_t problems, bool declaration_ended,
					     enum finding_result *outcome)
{
	if (findings == 0) /* nothing recorded yet */
		return SETTLE_UNCHANGED;
	if (findings < agencies && !declaration_ended)
		return SETTLE_IN_PROGRESS;
	*outcome = problems ? FINDING_PROBLEM : FINDING_NO_PROBLEM;
	return SETTLE_COMPLETED;
}
