/*
 * transport_views.c - the JSON of the transport side (see
 * transport_views.h). Stored documents (reports, manifests, tally
 * reports) are shown as they were lodged, from their canonical text.
 */
#include "api/transport_views.h"

#include "api/views.h"
#include "domain/manifest.h"

static json_t *stored(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	return j ? j : json_null();
}

static json_t *call_times(const struct call_row *c)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "call", c->key,
			 "transport_mode", c->transport_mode, "port", c->port, "arrived_at",
			 json_text_or_null(c->arrived_at), "departed_at",
			 json_text_or_null(c->departed_at), "entry_permitted_at",
			 json_text_or_null(c->entry_permitted_at), "departure_permitted_at",
			 json_text_or_null(c->departure_permitted_at));
}

json_t *conveyance_summary_json(const struct report_row *r)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id",
			 (json_int_t)r->id, "call", r->call_key, "kind",
			 conveyance_kind_name(r->kind), "transport_mode", r->transport_mode,
			 "port", r->port, "port_office", r->port_office, "version",
			 (json_int_t)r->version, "permission", permission_state_name(r->permission),
			 "lodged_at", r->lodged_at, "updated_at", r->updated_at);
}

json_t *conveyance_json(const struct conveyance_state *s)
{
	json_t *v = conveyance_summary_json(&s->report);
	json_t *tasks = json_array();
	for (size_t i = 0; i < s->ntasks; i++)
		json_array_append_new(tasks, task_json(&s->tasks[i], VIEW_FULL));
	if (!v || json_object_set_new(v, "tasks", tasks) ||
	    json_object_set_new(v, "call_state", call_times(&s->call)) ||
	    json_object_set_new(v, "report", stored(s->report.body))) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *manifest_summary_json(const struct manifest_row *m)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b, s:I, s:s, s:s}", "id",
			 (json_int_t)m->id, "call", m->call_key, "kind",
			 manifest_kind_name(m->kind), "transport_mode", m->transport_mode,
			 "port", m->port, "version", (json_int_t)m->version, "late", m->late,
			 "bills", (json_int_t)m->bills, "lodged_at", m->lodged_at, "updated_at",
			 m->updated_at);
}

json_t *manifest_json(const struct manifest_state *s)
{
	json_t *v = manifest_summary_json(&s->row);
	if (!v)
		return NULL;
	json_object_set_new(v, "current_version", json_integer((json_int_t)s->row.version));
	json_object_set_new(v, "version", json_integer((json_int_t)s->version));
	json_object_set_new(v, "created_by", json_string(s->created_by));
	json_object_set_new(v, "created_at", json_string(s->created_at));
	json_object_set_new(v, "changes", stored(s->changes));
	json_object_set_new(v, "manifest", stored(s->body));
	if (s->changed) {
		json_t *d = json_array();
		for (size_t i = 0; i < s->noutcomes; i++)
			json_array_append_new(
				d, json_pack("{s:s, s:s, s:b}", "bill_of_lading",
					     s->outcomes[i].bill_of_lading,
					     "match", match_state_name(s->outcomes[i].state),
					     "released", s->outcomes[i].released));
		json_object_set_new(v, "declarations", d);
	}
	return v;
}

json_t *tally_json(const struct tally_row *t)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:o}", "id",
			 (json_int_t)t->id, "call", t->call_key, "kind",
			 t->kind == TALLY_LOADING ? "loading" : "discharge", "port", t->port,
			 "manifest", (json_int_t)t->manifest_id, "manifest_version",
			 (json_int_t)t->manifest_version, "lodged_by", t->lodged_by, "lodged_at",
			 t->lodged_at, "report", stored(t->body), "differences",
			 stored(t->differences));
}

json_t *match_json(const struct consignment_row *r)
{
	json_t *diffs = r->differences ? stored(r->differences) : json_array();
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:o, s:b, s:s}",
			 "declaration_number", r->number, "match", match_state_name(r->state),
			 "call", r->call_key, "bill_of_lading", r->bill_of_lading, "direction",
			 r->import ? "import" : "export", "split",
			 r->split_of ? json_pack("{s:i, s:i}", "part", r->split_part, "of",
						 r->split_of)
				     : json_null(),
			 "flow", clearance_flow_name(r->flow), "advance", r->advance, "manifest",
			 r->manifest_id ? json_integer((json_int_t)r->manifest_id) : json_null(),
			 "manifest_version",
			 r->manifest_id ? json_integer((json_int_t)r->manifest_version)
					: json_null(),
			 "differences", diffs, "live", r->live, "updated_at", r->updated_at);
}

json_t *call_json(const struct call_view *c)
{
	json_t *v = call_times(&c->row);
	json_t *reports = json_array(), *manifests = json_array();
	for (size_t i = 0; i < c->nreports; i++)
		json_array_append_new(reports, conveyance_summary_json(&c->reports[i]));
	for (size_t i = 0; i < c->nmanifests; i++)
		json_array_append_new(manifests, manifest_summary_json(&c->manifests[i]));
	if (!v || json_object_set_new(v, "reports", reports) ||
	    json_object_set_new(v, "manifests", manifests)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *gate_answer_json(const struct gate_answer *a)
{
	struct gate_container c = {.number = a->container};
	json_t *v = gate_verdict_json(&c, a->action, &a->verdict);
	if (!v)
		return NULL;
	json_object_set_new(v, "call", json_text_or_null(a->call_key));
	json_object_set_new(v, "port", json_text_or_null(a->port));
	if (a->recorded || a->attempt_recorded) {
		json_object_set_new(v, "recorded", json_boolean(a->recorded));
		json_object_set_new(v, "at", json_string(a->at));
	}
	return v;
}

static kerr append(json_t *array, json_t *item)
{
	return item && json_array_append_new(array, item) == 0 ? KERR_OK : KERR_NOMEM;
}

kerr append_conveyance(void *arg, const struct report_row *r)
{
	return append(arg, conveyance_summary_json(r));
}

kerr append_manifest(void *arg, const struct manifest_row *m)
{
	return append(arg, manifest_summary_json(m));
}
