/*
 * stages.c - the stage and event tables and the measurement of one
 * declaration's timeline (see stages.h for the rules).
 *
 * stages_measure must never allocate, read a clock or keep state between
 * calls: the same timeline always gives the same intervals.
 */
#include "domain/stages.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

struct stage_info {
	const char *name;
	const char *title;
	enum stage_milestone ends;
	enum stage_party party;
	unsigned dirs;
	bool anchor;
};

static const struct stage_info stages[STAGE_COUNT] = {
#define STAGE_ROW(id, nm, ti, end, pa, di, an)                                  \
	{.name = nm, .title = ti, .ends = MILESTONE_##end, .party = PARTY_##pa,  \
	 .dirs = di, .anchor = an},
	STAGE_MAP(STAGE_ROW)
#undef STAGE_ROW
};

static const char *const milestone_names[MILESTONE_COUNT] = {
#define MILESTONE_ROW(id, nm) nm,
	STAGE_MILESTONE_MAP(MILESTONE_ROW)
#undef MILESTONE_ROW
};

static const struct stage_event_rule event_rules[] = {
#define EVENT_ROW(ty, eff, ms, occ)                                             \
	{.type = ty, .effect = STAGE_EFFECT_##eff, .milestone = MILESTONE_##ms,  \
	 .occurrence = STAGE_##occ},
	STAGE_EVENT_MAP(EVENT_ROW)
#undef EVENT_ROW
};
#define NRULES (sizeof event_rules / sizeof event_rules[0])

/* carve_returns and the chain rely on the correction stage coming last */
_Static_assert(STAGE_CORRECTION == STAGE_COUNT - 1, "correction is the last stage");

static const char *const direction_names[STAGE_DIRECTIONS] = {"import", "export"};
static const char *const party_names[PARTY_COUNT] = {"trader", "agency", "terminal"};
static const char *const outcome_names[OUTCOME_COUNT] = {"in_progress", "released",
							  "withdrawn", "rejected"};
static const char *const total_names[TOTAL_KINDS] = {"none", "border", "declaration"};
static const char *const flag_names[] = {"advance", "corrected", "inspected",
					 "out_of_order"};

const struct stage_event_rule *stage_event_rule_find(const char *type)
{
	if (!type)
		return NULL;
	for (size_t i = 0; i < NRULES; i++)
		if (strcmp(event_rules[i].type, type) == 0)
			return &event_rules[i];
	return NULL;
}

/* What read_event (below) looks for in an event's data: whether a
 * lodging was in advance, whether a decision was an inspection's, what a
 * hold waits for. */
bool stage_event_data_read(const char *type)
{
	const struct stage_event_rule *r = stage_event_rule_find(type);
	return r && ((r->effect == STAGE_EFFECT_MILESTONE && r->milestone == MILESTONE_LODGED) ||
		     r->effect == STAGE_EFFECT_DECISION || r->effect == STAGE_EFFECT_HELD);
}

/* ------------------------------------------------------------------ */
/* names                                                               */

const char *stage_name(enum stage s)
{
	return (unsigned)s < STAGE_COUNT ? stages[s].name : "?";
}

const char *stage_title(enum stage s)
{
	return (unsigned)s < STAGE_COUNT ? stages[s].title : "?";
}

const char *stage_milestone_name(enum stage_milestone m)
{
	return (unsigned)m < MILESTONE_COUNT ? milestone_names[m] : "?";
}

const char *stage_direction_name(enum stage_direction d)
{
	return (unsigned)d < STAGE_DIRECTIONS ? direction_names[d] : "?";
}

const char *stage_party_name(enum stage_party p)
{
	return (unsigned)p < PARTY_COUNT ? party_names[p] : "?";
}

const char *stage_outcome_name(enum stage_outcome o)
{
	return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "?";
}

const char *stage_total_name(enum stage_total k)
{
	return (unsigned)k < TOTAL_KINDS ? total_names[k] : "?";
}

static bool parse_name(const char *s, const char *const *names, size_t n, int *out)
{
	for (size_t i = 0; s && i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return true;
		}
	}
	return false;
}

bool stage_parse(const char *s, enum stage *out)
{
	for (int i = 0; s && i < STAGE_COUNT; i++) {
		if (strcmp(s, stages[i].name) == 0) {
			*out = (enum stage)i;
			return true;
		}
	}
	return false;
}

bool stage_direction_parse(const char *s, enum stage_direction *out)
{
	int i;
	if (!parse_name(s, direction_names, STAGE_DIRECTIONS, &i))
		return false;
	*out = (enum stage_direction)i;
	return true;
}

bool stage_outcome_parse(const char *s, enum stage_outcome *out)
{
	int i;
	if (!parse_name(s, outcome_names, OUTCOME_COUNT, &i))
		return false;
	*out = (enum stage_outcome)i;
	return true;
}

bool stage_total_parse(const char *s, enum stage_total *out)
{
	int i;
	if (!parse_name(s, total_names, TOTAL_KINDS, &i))
		return false;
	*out = (enum stage_total)i;
	return true;
}

enum stage_party stage_party_of(enum stage s)
{
	return (unsigned)s < STAGE_COUNT ? stages[s].party : PARTY_COUNT;
}

enum stage_milestone stage_ends_at(enum stage s)
{
	return (unsigned)s < STAGE_COUNT ? stages[s].ends : MILESTONE_NONE;
}

/* Bit s set when stage s applies to the direction. */
#define STAGE_IMPORT_BIT(id, nm, ti, end, pa, di, an)                           \
	| ((di) & STAGE_IN_IMPORT ? 1u << STAGE_##id : 0u)
#define STAGE_EXPORT_BIT(id, nm, ti, end, pa, di, an)                           \
	| ((di) & STAGE_IN_EXPORT ? 1u << STAGE_##id : 0u)
static const unsigned direction_stages[STAGE_DIRECTIONS] = {
	0u STAGE_MAP(STAGE_IMPORT_BIT),
	0u STAGE_MAP(STAGE_EXPORT_BIT),
};

bool stage_applies(enum stage_direction d, enum stage s)
{
	return (unsigned)d < STAGE_DIRECTIONS && (unsigned)s < STAGE_COUNT &&
	       (direction_stages[d] >> s & 1u);
}

int stage_slot(enum stage_direction d, enum stage s)
{
	if (!stage_applies(d, s))
		return -1;
	int slot = 0;
	for (unsigned m = direction_stages[d] & ((1u << s) - 1u); m; m &= m - 1)
		slot++;
	return slot;
}

bool stage_direction_of(const char *number, enum stage_direction *out)
{
	if (!number || strlen(number) != 18)
		return false;
	for (size_t i = 0; i < 18; i++)
		if (number[i] < '0' || number[i] > '9')
			return false;
	if (number[8] != '0' && number[8] != '1')
		return false;
	*out = number[8] == '1' ? STAGE_IMPORT : STAGE_EXPORT;
	return true;
}

/* ------------------------------------------------------------------ */
/* measurement                                                         */

struct interval {
	int64_t from, to;
};

/* What the walk over the events collects. */
struct reading {
	int64_t at[MILESTONE_COUNT];
	int64_t documents; /* last documentary decision */
	int64_t guaranteed; /* first guarantee drawn */
	int64_t held_for_money; /* first release held for payment */
	const char *agency[STAGE_MAX_AGENCIES];
	bool inspecting[STAGE_MAX_AGENCIES];
	size_t nagencies;
	struct interval returned[STAGE_MAX_RETURNS];
	size_t nreturned;
	int64_t returned_since; /* open return, or STAGE_NO_TIME */
	unsigned returns;
	bool advance, withdrawn, rejected;
};

static int64_t round_down(int64_t t, int64_t unit)
{
	int64_t r = t % unit;
	if (r < 0)
		r += unit;
	return t - r;
}

static void mark(int64_t *slot, int64_t t, enum stage_occurrence occ)
{
	if (*slot == STAGE_NO_TIME || (occ == STAGE_FIRST ? t < *slot : t > *slot))
		*slot = t;
}

/* The tracked state of an agency's task, or -1 when there is no room. */
static int agency_index(struct reading *r, const char *agency)
{
	const char *a = agency ? agency : "";
	for (size_t i = 0; i < r->nagencies; i++)
		if (strcmp(r->agency[i], a) == 0)
			return (int)i;
	if (r->nagencies == STAGE_MAX_AGENCIES)
		return -1;
	r->agency[r->nagencies] = a;
	r->inspecting[r->nagencies] = false;
	return (int)r->nagencies++;
}

static kerr close_return(struct reading *r, int64_t t)
{
	if (r->returned_since == STAGE_NO_TIME)
		return KERR_OK;
	if (r->nreturned == STAGE_MAX_RETURNS)
		return KERR_INVALID;
	r->returned[r->nreturned].from = r->returned_since;
	r->returned[r->nreturned].to = t;
	r->nreturned++;
	r->returned_since = STAGE_NO_TIME;
	return KERR_OK;
}

static kerr read_event(struct reading *r, const struct stage_event *e, int64_t unit)
{
	if (!e->type)
		return KERR_INVALID;
	const struct stage_event_rule *rule = stage_event_rule_find(e->type);
	if (!rule)
		return KERR_OK;
	int64_t t = round_down(e->at, unit);
	int a;
	switch (rule->effect) {
	case STAGE_EFFECT_MILESTONE:
		mark(&r->at[rule->milestone], t, rule->occurrence);
		if (rule->milestone == MILESTONE_LODGED && e->data &&
		    json_is_true(json_object_get(e->data, "advance")))
			r->advance = true;
		break;
	case STAGE_EFFECT_DECISION:
		if ((a = agency_index(r, e->agency)) < 0)
			return KERR_INVALID;
		/* a decision on an inspected task is the inspection's outcome */
		if (!r->inspecting[a] &&
		    !(e->data && json_object_get(e->data, "inspection")))
			mark(&r->documents, t, STAGE_LAST);
		break;
	case STAGE_EFFECT_INSPECT:
		if ((a = agency_index(r, e->agency)) < 0)
			return KERR_INVALID;
		mark(&r->documents, t, STAGE_LAST);
		r->inspecting[a] = true;
		break;
	case STAGE_EFFECT_TASK_OPENED:
		if ((a = agency_index(r, e->agency)) < 0)
			return KERR_INVALID;
		r->inspecting[a] = false;
		break;
	case STAGE_EFFECT_RETURNED:
		if (r->returned_since == STAGE_NO_TIME) {
			if (r->returns == STAGE_MAX_RETURNS)
				return KERR_INVALID;
			r->returned_since = t;
			r->returns++;
		}
		break;
	case STAGE_EFFECT_CORRECTED:
		return close_return(r, t);
	case STAGE_EFFECT_WITHDRAWN:
		r->withdrawn = true;
		return close_return(r, t);
	case STAGE_EFFECT_REJECTED:
		r->rejected = true;
		return close_return(r, t);
	case STAGE_EFFECT_GUARANTEE:
		mark(&r->guaranteed, t, STAGE_FIRST);
		break;
	case STAGE_EFFECT_HELD:
		if (e->data && json_is_string(json_object_get(e->data, "waiting_for")) &&
		    !strcmp(json_string_value(json_object_get(e->data, "waiting_for")),
			    "payment"))
			mark(&r->held_for_money, t, STAGE_FIRST);
		break;
	case STAGE_EFFECT_IGNORED:
		break;
	}
	return KERR_OK;
}

static bool reached(const struct reading *r, enum stage_milestone m)
{
	return r->at[m] != STAGE_NO_TIME;
}

/* The span to measure: the milestone it starts at, the last stage in it, and
 * the kind of total. Returns false when nothing can be measured. */
static bool choose_span(const struct reading *r, enum stage_direction dir,
			bool released, enum stage_milestone *first,
			enum stage *last, enum stage_total *kind)
{
	enum stage_milestone start = dir == STAGE_IMPORT ? MILESTONE_ARRIVAL
							 : MILESTONE_GATE_IN;
	*kind = TOTAL_NONE;
	if (released && dir == STAGE_IMPORT && reached(r, MILESTONE_ARRIVAL) &&
	    reached(r, MILESTONE_GATE_OUT)) {
		*first = MILESTONE_ARRIVAL;
		*last = STAGE_GATE_OUT;
		*kind = TOTAL_BORDER;
	} else if (released && dir == STAGE_EXPORT && reached(r, MILESTONE_GATE_IN) &&
		   (reached(r, MILESTONE_LOADED) || reached(r, MILESTONE_DEPARTED))) {
		*first = MILESTONE_GATE_IN;
		*last = reached(r, MILESTONE_DEPARTED) ? STAGE_DEPARTURE : STAGE_LOADING;
		*kind = TOTAL_BORDER;
	} else if (released && reached(r, MILESTONE_LODGED)) {
		*first = MILESTONE_LODGED;
		*last = STAGE_RELEASED;
		*kind = TOTAL_DECLARATION;
	} else {
		*last = dir == STAGE_IMPORT ? STAGE_GATE_OUT : STAGE_DEPARTURE;
		if (reached(r, start))
			*first = start;
		else if (reached(r, MILESTONE_LODGED))
			*first = MILESTONE_LODGED;
		else
			return false;
	}
	return true;
}

/* Give the time spent returned to the trader: out of every measured stage
 * it overlaps (stage s ran from begin[s] for out->stage[s]). */
static void carve_returns(const struct reading *r, const int64_t *begin,
			  struct stage_times *out)
{
	int64_t end[STAGE_COUNT], carved = 0;
	for (int s = 0; s < STAGE_CORRECTION; s++)
		end[s] = begin[s] + out->stage[s];
	for (size_t i = 0; i < r->nreturned; i++) {
		const struct interval *iv = &r->returned[i];
		for (int s = 0; s < STAGE_CORRECTION; s++) {
			if (out->stage[s] == STAGE_ABSENT)
				continue;
			int64_t b = begin[s], e = end[s];
			int64_t lo = iv->from > b ? iv->from : b;
			int64_t hi = iv->to < e ? iv->to : e;
			if (hi > lo) {
				out->stage[s] -= hi - lo;
				carved += hi - lo;
			}
		}
	}
	out->stage[STAGE_CORRECTION] = carved;
}

kerr stages_measure(enum stage_direction dir, const struct stage_event *ev, size_t n,
		    int64_t unit_us, struct stage_times *out)
{
	struct reading r;
	kerr e = KERR_OK;

	if ((unsigned)dir >= STAGE_DIRECTIONS || unit_us < 1 || n > STAGE_MAX_EVENTS ||
	    (n && !ev))
		return KERR_INVALID;
	memset(&r, 0, sizeof r);
	for (int m = 0; m < MILESTONE_COUNT; m++)
		r.at[m] = STAGE_NO_TIME;
	r.documents = STAGE_NO_TIME;
	r.guaranteed = STAGE_NO_TIME;
	r.held_for_money = STAGE_NO_TIME;
	r.returned_since = STAGE_NO_TIME;
	for (size_t i = 0; i < n && !e; i++)
		e = read_event(&r, &ev[i], unit_us);
	if (e)
		return e;
	/* a return still open runs on past anything measured so far */
	if (r.returned_since != STAGE_NO_TIME) {
		e = close_return(&r, INT64_MAX);
		if (e)
			return e;
	}
	r.at[MILESTONE_DOCUMENTS] = r.documents;
	/* a guarantee the release itself drew (at its instant or after) when
	 * the release never waited for money held nothing: it marks no money
	 * step; drawn earlier, or after the release was held for payment, it
	 * ends the trader's money step */
	if (r.guaranteed != STAGE_NO_TIME &&
	    (r.at[MILESTONE_RELEASED] == STAGE_NO_TIME ||
	     r.guaranteed < r.at[MILESTONE_RELEASED] ||
	     (r.held_for_money != STAGE_NO_TIME && r.held_for_money <= r.guaranteed)))
		mark(&r.at[MILESTONE_PAID], r.guaranteed, STAGE_FIRST);

	memset(out, 0, sizeof *out);
	out->direction = dir;
	out->returns = r.returns;
	memcpy(out->milestone_at, r.at, sizeof out->milestone_at);
	out->lodged_at = r.at[MILESTONE_LODGED];
	bool released = reached(&r, MILESTONE_RELEASED);
	out->outcome = released ? OUTCOME_RELEASED
		       : r.rejected ? OUTCOME_REJECTED
		       : r.withdrawn ? OUTCOME_WITHDRAWN
				     : OUTCOME_IN_PROGRESS;
	if (r.advance || (dir == STAGE_IMPORT && reached(&r, MILESTONE_ARRIVAL) &&
			  reached(&r, MILESTONE_LODGED) &&
			  r.at[MILESTONE_LODGED] < r.at[MILESTONE_ARRIVAL]))
		out->flags |= STAGE_FLAG_ADVANCE;
	if (r.returns)
		out->flags |= STAGE_FLAG_CORRECTED;
	if (reached(&r, MILESTONE_INSPECTED))
		out->flags |= STAGE_FLAG_INSPECTED;
	for (int s = 0; s < STAGE_COUNT; s++)
		out->stage[s] = STAGE_ABSENT;
	out->total = STAGE_ABSENT;
	out->start_at = out->end_at = STAGE_NO_TIME;

	enum stage_milestone first;
	enum stage last;
	if (!choose_span(&r, dir, released, &first, &last, &out->total_kind))
		return KERR_OK;

	/* the chain: stages of this direction after `first`, up to `last` */
	enum stage chain[STAGE_COUNT];
	size_t len = 0;
	bool inside = first != MILESTONE_LODGED;
	for (int s = 0; s <= (int)last; s++) {
		if (!stage_applies(dir, s) || stages[s].ends == MILESTONE_NONE)
			continue;
		if (inside)
			chain[len++] = (enum stage)s;
		else if (stages[s].ends == first)
			inside = true;
	}
	/* the next anchor reached after each position */
	int64_t next_anchor[STAGE_COUNT];
	int64_t na = STAGE_NO_TIME;
	for (size_t j = len; j-- > 0;) {
		next_anchor[j] = na;
		enum stage_milestone m = stages[chain[j]].ends;
		if (stages[chain[j]].anchor && reached(&r, m))
			na = r.at[m];
	}
	int64_t begin[STAGE_COUNT] = {0};
	int64_t now = r.at[first];
	out->start_at = now;
	for (size_t j = 0; j < len; j++) {
		enum stage s = chain[j];
		int64_t t = r.at[stages[s].ends];
		if (t == STAGE_NO_TIME)
			continue;
		if (!stages[s].anchor && next_anchor[j] != STAGE_NO_TIME &&
		    t > next_anchor[j]) {
			out->flags |= STAGE_FLAG_OUT_OF_ORDER;
			continue;
		}
		begin[s] = now;
		if (t > now)
			now = t;
		out->stage[s] = now - begin[s];
	}
	out->end_at = now;
	if (out->total_kind != TOTAL_NONE)
		out->total = now - out->start_at;
	if (r.returns)
		carve_returns(&r, begin, out);
	for (int s = 0; s < STAGE_COUNT; s++)
		if (out->stage[s] != STAGE_ABSENT)
			out->party[stages[s].party] += out->stage[s];
	return KERR_OK;
}

kerr stages_measure_json(enum stage_direction dir, const json_t *events, int64_t unit_us,
			 struct stage_times *out, const char **why)
{
	struct stage_event one[64], *ev = one;
	size_t n = json_array_size(events);
	kerr e = KERR_OK;

	*why = NULL;
	if (!json_is_array(events)) {
		*why = "the timeline is not an array of events";
		return KERR_INVALID;
	}
	if (n > STAGE_MAX_EVENTS) {
		*why = "the timeline has too many events";
		return KERR_INVALID;
	}
	/* the table of borrowed pointers: on the stack for usual timelines */
	if (n > sizeof one / sizeof one[0]) {
		ev = calloc(n, sizeof *ev);
		if (!ev)
			return KERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(events, i);
		const json_t *type = json_object_get(o, "type");
		const json_t *at = json_object_get(o, "at");
		const json_t *agency = json_object_get(o, "agency");
		const json_t *data = json_object_get(o, "data");
		if (!json_is_object(o) || !json_is_string(type) || !json_is_string(at) ||
		    !ktime_parse(json_string_value(at), &ev[i].at)) {
			*why = "every event needs a type and an RFC 3339 time \"at\"";
			e = KERR_INVALID;
			goto out;
		}
		if (agency && !json_is_null(agency) && !json_is_string(agency)) {
			*why = "an event's agency must be a string or null";
			e = KERR_INVALID;
			goto out;
		}
		ev[i].type = json_string_value(type);
		ev[i].agency = json_is_string(agency) ? json_string_value(agency) : NULL;
		ev[i].data = json_is_object(data) ? data : NULL;
	}
	e = stages_measure(dir, ev, n, unit_us, out);
	if (e == KERR_INVALID)
		*why = "the timeline names too many agencies or returns";
out:
	if (ev != one)
		free(ev);
	return e;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static int64_t whole_seconds(int64_t us)
{
	return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

static json_t *time_or_null(int64_t us)
{
	char text[KTIME_TEXT_MAX];
	if (us == STAGE_NO_TIME)
		return json_null();
	ktime_format(us, text);
	return json_string(text);
}

json_t *stage_times_json(const struct stage_times *t)
{
	json_t *o = json_object(), *flags = json_array(), *list = json_array();
	json_t *parties = json_object(), *ms = json_object();
	if (!o || !flags || !list || !parties || !ms)
		goto fail;
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
		if (t->flags & (1u << i))
			json_array_append_new(flags, json_string(flag_names[i]));
	for (int s = 0; s < STAGE_COUNT; s++) {
		if (t->stage[s] == STAGE_ABSENT)
			continue;
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:s, s:I}", "stage", stages[s].name,
					"title", stages[s].title, "party",
					party_names[stages[s].party], "seconds",
					(json_int_t)whole_seconds(t->stage[s])));
	}
	for (int p = 0; p < PARTY_COUNT; p++)
		json_object_set_new(parties, party_names[p],
				    json_integer(whole_seconds(t->party[p])));
	for (int m = 0; m < MILESTONE_COUNT; m++)
		if (t->milestone_at[m] != STAGE_NO_TIME)
			json_object_set_new(ms, milestone_names[m],
					    time_or_null(t->milestone_at[m]));
	json_object_set_new(o, "direction", json_string(stage_direction_name(t->direction)));
	json_object_set_new(o, "outcome", json_string(stage_outcome_name(t->outcome)));
	json_object_set_new(o, "total_kind", json_string(stage_total_name(t->total_kind)));
	json_object_set_new(o, "total_s", t->total == STAGE_ABSENT
						  ? json_null()
						  : json_integer(whole_seconds(t->total)));
	json_object_set_new(o, "start_at", time_or_null(t->start_at));
	json_object_set_new(o, "end_at", time_or_null(t->end_at));
	json_object_set_new(o, "lodged_at", time_or_null(t->lodged_at));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "returns", json_integer(t->returns));
	json_object_set_new(o, "stages", list);
	json_object_set_new(o, "parties", parties);
	json_object_set_new(o, "milestones", ms);
	return o;
fail:
	json_decref(o);
	json_decref(flags);
	json_decref(list);
	json_decref(parties);
	json_decref(ms);
	return NULL;
}
