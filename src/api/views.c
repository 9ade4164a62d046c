/* views.c - the JSON representations of the API (see views.h). */
#include "api/views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "common/clock.h"

json_t *json_text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

enum view_level view_level_of(const struct services *s, const struct actor *a)
{
	if (!clearance_sees_details(a))
		return VIEW_NOTICE;
	return actor_lanes_hidden(s, a) ? VIEW_NO_LANES : VIEW_FULL;
}

/* kouan's own reasons name the lanes ("red lane: ..."): hidden as asked */
static const char *reason_shown(const struct task_row *t, enum view_level level)
{
	if (level == VIEW_NO_LANES && t->decided && !strcmp(t->decided_by, "kouan"))
		return t->decision == DECISION_INSPECT ? "inspection ordered" : "cleared by kouan";
	return t->reason;
}

json_t *task_json(const struct task_row *t, enum view_level level)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "agency", t->agency, "status",
			 task_status_name(t->status), "opened_at", t->opened_at, "decided_at",
			 json_text_or_null(t->decided ? t->decided_at : NULL), "decided_by",
			 json_text_or_null(t->decided ? t->decided_by : NULL), "decision",
			 t->decided ? json_string(decision_name(t->decision)) : json_null(),
			 "reason", json_text_or_null(reason_shown(t, level)));
}

/* {"currency", "goods_value", "item_values": [...]} from the facts. */
static json_t *totals_json(const struct declaration_facts *f)
{
	char text[40];
	json_t *lines = json_array();
	for (size_t i = 0; i < f->nitems; i++) {
		decimal_format(f->items[i].value, SCALE_MONEY, text, sizeof text);
		json_array_append_new(lines, json_string(text));
	}
	decimal_format(f->goods_value, SCALE_MONEY, text, sizeof text);
	return json_pack("{s:s, s:s, s:o}", "currency", f->currency ? f->currency : "",
			 "goods_value", text, "item_values", lines);
}

/* What a release notice says of the declaration, and no more. */
static json_t *notice_level_json(struct declaration *d, const struct declaration_facts *f)
{
	json_t *containers = json_array(), *cleared = json_array();
	for (size_t i = 0; i < f->ncontainers; i++)
		json_array_append_new(containers, json_string(f->containers[i]));
	for (size_t i = 0; i < d->ntasks; i++)
		if (d->tasks[i].status == TASK_CLEARED)
			json_array_append_new(cleared, json_string(d->tasks[i].agency));
	/* the direction and the transport mode: how the goods leave the
	 * terminal's hands (a rail or mail export's departure is its to
	 * record) */
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:s, s:s}", "number", d->row.number,
			 "status", declaration_status_name(d->row.status), "released_at",
			 json_text_or_null(d->row.released_at), "port", d->row.port,
			 "bill_of_lading", d->row.bill_of_lading, "containers", containers,
			 "agencies_cleared", cleared, "direction",
			 d->row.import ? "import" : "export", "transport_mode",
			 f->transport_mode ? f->transport_mode : "");
}

json_t *declaration_json(struct declaration *d, enum view_level level)
{
	const struct declaration_facts *f = declaration_facts_of(d);
	if (!f)
		return NULL;
	if (level == VIEW_NOTICE)
		return notice_level_json(d, f);
	json_t *tasks = json_array();
	for (size_t i = 0; i < d->ntasks; i++)
		json_array_append_new(tasks, task_json(&d->tasks[i], level));
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:O}",
			      "number", d->row.number, "status",
			      declaration_status_name(d->row.status), "version",
			      (json_int_t)d->row.version, "direction",
			      d->row.import ? "import" : "export", "lodged_at", d->row.lodged_at,
			      "updated_at", d->row.updated_at, "organisation",
			      f->declarant_uscc ? f->declarant_uscc : "", "released_at",
			      json_text_or_null(d->row.released_at), "tasks", tasks, "totals",
			      totals_json(f), "declaration", f->body);
	return o;
}

json_t *declaration_moment(struct declaration *d, enum view_level level)
{
	json_t *tasks = json_array();
	for (size_t i = 0; i < d->ntasks; i++)
		json_array_append_new(tasks, task_json(&d->tasks[i], level));
	return json_pack("{s:s, s:s, s:o, s:o}", "status",
			 declaration_status_name(d->row.status), "updated_at",
			 d->row.updated_at, "released_at", json_text_or_null(d->row.released_at),
			 "tasks", tasks);
}

char *declaration_answer_text(struct declaration *d, const json_t *moment)
{
	const struct declaration_facts *f = declaration_facts_of(d);
	json_t *status = json_object_get(moment, "status");
	json_t *updated = json_object_get(moment, "updated_at");
	json_t *released = json_object_get(moment, "released_at");
	json_t *tasks = json_object_get(moment, "tasks");
	if (!f || !json_is_string(status) || !json_is_string(updated) || !released ||
	    !json_is_array(tasks))
		return NULL;
	/* the keys in the order declaration_json gives them, the body last */
	json_t *o = json_pack("{s:s, s:O, s:I, s:s, s:s, s:O, s:s, s:O, s:O, s:o}", "number",
			      d->row.number, "status", status, "version",
			      (json_int_t)d->row.version, "direction",
			      d->row.import ? "import" : "export", "lodged_at", d->row.lodged_at,
			      "updated_at", updated, "organisation",
			      f->declarant_uscc ? f->declarant_uscc : "", "released_at", released,
			      "tasks", tasks, "totals", totals_json(f));
	char *head = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!head)
		return NULL;
	/* {...} + ,"declaration":BODY} */
	static const char key[] = ",\"declaration\":";
	size_t hl = strlen(head), bl = strlen(d->row.body);
	char *text = malloc(hl - 1 + sizeof key - 1 + bl + 2);
	if (text) {
		memcpy(text, head, hl - 1);
		memcpy(text + hl - 1, key, sizeof key - 1);
		memcpy(text + hl - 1 + sizeof key - 1, d->row.body, bl);
		memcpy(text + hl - 1 + sizeof key - 1 + bl, "}", 2);
	}
	free(head);
	return text;
}

json_t *decl_summary_json(const struct decl_summary *s, enum view_level level)
{
	if (level == VIEW_NOTICE)
		return json_pack("{s:s, s:s, s:o, s:s, s:s}", "number", s->number, "status",
				 declaration_status_name(s->status), "released_at",
				 json_text_or_null(s->released_at), "port", s->port,
				 "bill_of_lading", s->bill_of_lading);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:s}", "number",
			 s->number, "status", declaration_status_name(s->status), "direction",
			 s->import ? "import" : "export", "declaration_office",
			 s->declaration_office, "port_office", s->port_office,
			 "bill_of_lading", s->bill_of_lading, "version",
			 (json_int_t)s->version, "lodged_at", s->lodged_at, "updated_at",
			 s->updated_at, "released_at", json_text_or_null(s->released_at),
			 "declarant_organisation", s->org_uscc);
}

json_t *worklist_json(const struct worklist_row *w)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:s, s:s, s:s}}",
			 "declaration_number", w->number, "agency", w->agency, "status",
			 task_status_name(w->status), "opened_at", w->opened_at, "decided_at",
			 json_text_or_null(w->decided_at), "declaration", "status",
			 declaration_status_name(w->declaration_status), "direction",
			 w->import ? "import" : "export", "port_office", w->port_office,
			 "bill_of_lading", w->bill_of_lading, "lodged_at", w->lodged_at);
}

/* Take what names lanes out of an event's data (VIEW_NO_LANES): the
 * assessment's lanes, and kouan's decisions drawn from a lane (with their
 * reason, which names the lane). */
static void hide_lanes(json_t *data)
{
	if (!json_is_object(data))
		return;
	if (json_object_get(data, "lane"))
		json_object_del(data, "reason");
	json_object_del(data, "lanes");
	json_object_del(data, "lane");
	json_object_del(data, "rules_version");
}

json_t *event_json(const struct event_row *e, enum view_level level)
{
	char cursor[24];
	snprintf(cursor, sizeof cursor, "%lld", (long long)e->id);
	json_t *data = json_loads(e->data, 0, NULL);
	if (level == VIEW_NO_LANES)
		hide_lanes(data);
	return json_pack("{s:s, s:o, s:o, s:s, s:o, s:s, s:s, s:s, s:o}", "cursor", cursor,
			 "declaration_number", json_text_or_null(e->number), "call",
			 json_text_or_null(e->call_key), "type", e->type, "agency",
			 json_text_or_null(e->agency), "actor", e->actor, "actor_role",
			 e->actor_role, "at", e->at, "data", data ? data : json_null());
}

static kerr append(json_t *array, json_t *item)
{
	return item && json_array_append_new(array, item) == 0 ? KERR_OK : KERR_NOMEM;
}

kerr append_summary(void *arg, const struct decl_summary *s)
{
	struct view_list *l = arg;
	return append(l->array, decl_summary_json(s, l->level));
}

kerr append_worklist(void *arg, const struct worklist_row *w)
{
	return append(arg, worklist_json(w));
}

kerr append_event(void *arg, const struct event_row *e)
{
	struct view_list *l = arg;
	l->last_id = e->id;
	return append(l->array, event_json(e, l->level));
}

json_t *site_json(const struct inspection_site *s)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "code", s->code, "name",
			 s->name, "port", s->port, "slot_minutes",
			 (json_int_t)s->slot_minutes, "capacity", (json_int_t)s->capacity,
			 "timezone", "UTC", "created_at", s->created_at);
}

json_t *finding_json(const struct finding *f)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:s, s:s}", "result",
			 finding_result_name(f->result), "decision",
			 f->has_decision ? json_string(decision_name(f->decision)) : json_null(),
			 "note", json_text_or_null(f->note), "recognised_from",
			 json_text_or_null(f->recognised_from), "recorded_by", f->recorded_by,
			 "recorded_at", f->recorded_at);
}

json_t *inspection_json(const struct inspection_state *s)
{
	json_t *agencies = json_array();
	for (size_t i = 0; i < s->nagencies; i++) {
		const struct inspection_participant *p = &s->agencies[i];
		json_array_append_new(agencies,
				      json_pack("{s:s, s:s, s:o}", "agency", p->agency,
						"joined_at", p->joined_at, "finding",
						p->has_finding ? finding_json(&p->finding)
							       : json_null()));
	}
	json_t *appointment = json_null();
	if (s->booked) {
		char end[KTIME_TEXT_MAX];
		int64_t start = 0;
		if (!ktime_parse(s->booking.slot_start, &start))
			start = 0;
		ktime_format(inspection_slot_end(&s->site, start), end);
		appointment = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "site",
					s->site.code, "site_name", s->site.name, "port",
					s->site.port, "slot_start", s->booking.slot_start,
					"slot_end", end, "seat", (json_int_t)s->booking.seat,
					"booked_at", s->booking.booked_at, "booked_by",
					s->booking.booked_by);
	}
	const struct inspection_row *in = &s->row;
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o}", "id",
			 (json_int_t)in->id, "declaration_number", in->declaration_number,
			 "declaration_status", declaration_status_name(s->declaration_status),
			 "status", inspection_status_name(in->status), "outcome",
			 in->has_outcome ? json_string(finding_result_name(in->outcome))
					 : json_null(),
			 "opened_at", in->opened_at, "updated_at", in->updated_at,
			 "completed_at", json_text_or_null(in->completed_at), "agencies",
			 agencies, "appointment", appointment);
}

json_t *rules_meta_json(const struct rules_meta *m)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "version",
			 (json_int_t)m->version, "rules", (json_int_t)m->rules,
			 "effective_from", m->effective_from, "note", m->note, "created_by",
			 m->created_by, "created_role", m->created_role, "created_at",
			 m->created_at);
}
