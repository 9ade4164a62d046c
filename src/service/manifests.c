/*
 * manifests.c - manifests and their amendments, the matching they start,
 * and tally reports (see manifests.h).
 *
 * Never: change a manifest after its conveyance departed, keep a version
 * without what it changed, or release a declaration other than through
 * clearance_settle. Locks: the call, then the manifest, then each
 * declaration it matches, in bill order.
 */
#include "service/manifests.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "domain/declaration.h"
#include "domain/matching.h"
#include "domain/tally.h"
#include "service/calls.h"
#include "service/consignments.h"

void manifest_state_free(struct manifest_state *s)
{
	free(s->body);
	free(s->changes);
	free(s->outcomes);
	s->body = s->changes = NULL;
	s->outcomes = NULL;
	s->noutcomes = 0;
}

static bool may_see(const struct actor *a, const struct manifest_row *m)
{
	return calls_document_visible(a, true, m->org_id, m->port);
}

/* What is known of the call for the lodging rules of domain/manifest.c. */
static kerr call_state_of(struct store_conn *c, const char *key, struct call_state *s)
{
	memset(s, 0, sizeof *s);
	struct call_row call;
	kerr e = repo_call_get(c, key, &call);
	if (e == KERR_NOT_FOUND)
		return repo_manifest_kinds(c, key, s->lodged);
	if (e)
		return e;
	s->arrived = *call.arrived_at && ktime_parse(call.arrived_at, &s->arrived_at);
	s->departed = *call.departed_at && ktime_parse(call.departed_at, &s->departed_at);
	return repo_manifest_kinds(c, key, s->lodged);
}

static kerr validate(struct uow *u, const json_t *body, struct manifest *m,
		     struct refusal *why)
{
	struct problems mine;
	problems_init(&mine);
	struct problems *p = why->fields ? why->fields : &mine;
	kerr e = manifest_validate(body, uow_refdata(u), p, m);
	if (e == KERR_INVALID) {
		refusal_say(why, "the manifest has fields that are not valid");
		if (!why->fields && mine.count)
			refusal_say(why, "%s: %s", mine.errors[0].field, mine.errors[0].problem);
	}
	return e;
}

/* --- matching the declarations of the call --- */

struct claim_list {
	struct consignment_row *rows;
	size_t n, cap;
};

static kerr add_row(void *arg, const struct consignment_row *r)
{
	struct claim_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct consignment_row *rows = realloc(l->rows, cap * sizeof *rows);
		if (!rows)
			return KERR_NOMEM;
		l->rows = rows;
		l->cap = cap;
	}
	l->rows[l->n++] = *r; /* no differences: nothing owned */
	return KERR_OK;
}

static bool bill_changed(const json_t *changes, const char *bill)
{
	if (!changes)
		return true; /* a first version: every line is new */
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(changes, "bills"), i, b)
	{
		const char *name = json_string_value(json_object_get(b, "bill_of_lading"));
		if (name && !strcmp(name, bill))
			return true;
	}
	return false;
}

static kerr add_outcome(struct manifest_state *out, const char *bill,
			enum match_state state, bool released)
{
	struct manifest_outcome *o =
		realloc(out->outcomes, (out->noutcomes + 1) * sizeof *o);
	if (!o)
		return KERR_NOMEM;
	out->outcomes = o;
	o = &o[out->noutcomes++];
	str_copy(o->bill_of_lading, bill, sizeof o->bill_of_lading);
	o->state = state;
	o->released = released;
	return KERR_OK;
}

/* The parts of one split bill taken together against its line; NULL result
 * unless they do not fit. */
static kerr split_of_group(struct uow *u, const struct consignment_row *rows, size_t n,
			   const struct manifest_bill *line, struct match_result *r,
			   bool *inconsistent)
{
	*inconsistent = false;
	bool split = false;
	for (size_t i = 0; i < n; i++)
		split |= rows[i].split_of > 0;
	if (!split || !line)
		return KERR_OK;
	struct transport_facts *tf = calloc(n, sizeof *tf);
	const struct transport_facts **parts = calloc(n, sizeof *parts);
	kerr e = tf && parts ? KERR_OK : KERR_NOMEM;
	for (size_t i = 0; !e && i < n; i++) {
		e = consignments_facts(u, rows[i].number, &tf[i]);
		parts[i] = &tf[i];
	}
	if (!e)
		*inconsistent = matching_splits(line, parts, n, WEIGHT_TOLERANCE_DEFAULT, r) ==
				SPLIT_INCONSISTENT;
	free(tf);
	free(parts);
	return e;
}

/* Match anew the live declarations of the call whose bill the version
 * brought or changed (every one for a first version); release those that
 * now match with every agency cleared. */
static kerr rematch(struct uow *u, const struct manifest *m, const struct manifest_row *row,
		    const json_t *changes, struct manifest_state *out)
{
	if (row->kind != MANIFEST_ORIGINAL && row->kind != MANIFEST_PRE_LOADING)
		return KERR_OK;
	struct store_conn *c;
	struct claim_list l = {0};
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_consignments_of_call(c, row->call_key, row->kind == MANIFEST_ORIGINAL,
					      add_row, &l);
	for (size_t i = 0; !e && i < l.n;) {
		size_t end = i + 1;
		while (end < l.n && !strcmp(l.rows[end].bill_of_lading, l.rows[i].bill_of_lading))
			end++;
		const char *bill = l.rows[i].bill_of_lading;
		if (!bill_changed(changes, bill)) {
			i = end;
			continue;
		}
		const struct manifest_bill *line = manifest_find_bill(m, bill);
		struct match_result split;
		bool inconsistent;
		e = split_of_group(u, &l.rows[i], end - i, line, &split, &inconsistent);
		for (size_t k = i; !e && k < end; k++) {
			struct declaration d;
			enum match_state state = CONSIGNMENT_WAITING;
			bool settle = false;
			e = clearance_load(u, &actor_kouan, l.rows[k].number, true, &d);
			if (!e)
				e = consignments_rematch(u, &d, line, row->id, row->version,
							 inconsistent ? &split : NULL, &state,
							 &settle);
			if (!e && settle)
				e = clearance_settle(u, &d, now);
			if (!e)
				e = add_outcome(out, bill, state,
						settle && d.row.status == DECL_RELEASED);
			declaration_free(&d);
		}
		i = end;
	}
	free(l.rows);
	return e;
}

/* --- lodging and amending --- */

static json_t *lodged_data(const struct manifest_row *row, const struct manifest *m)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:b}", "manifest", (json_int_t)row->id,
			 "call", row->call_key, "kind", manifest_kind_name(row->kind), "version",
			 (json_int_t)row->version, "bills", (json_int_t)m->nbills, "late",
			 row->late);
}

kerr manifests_lodge(struct uow *u, const struct actor *a, json_t *body,
		     struct manifest_state *out, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	struct manifest m;
	kerr e = calls_carrier(a, why);
	if (!e)
		e = validate(u, body, &m, why);
	if (e)
		return e;
	struct store_conn *c;
	struct call_state cs;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	bool late = false;
	e = calls_lock(u, m.key, m.transport_mode, m.port, a->org_id);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = call_state_of(c, m.key, &cs);
	struct problems mine;
	problems_init(&mine);
	if (!e && !manifest_lodge_check(m.kind, &cs, why->fields ? why->fields : &mine, &late)) {
		refusal_say(why, "the call does not take this manifest now");
		if (!why->fields && mine.count)
			refusal_say(why, "%s", mine.errors[0].problem);
		e = KERR_CONFLICT;
	}
	struct manifest_row *row = &out->row;
	if (!e) {
		str_copy(row->call_key, m.key, sizeof row->call_key);
		row->kind = m.kind;
		str_copy(row->transport_mode, m.transport_mode, sizeof row->transport_mode);
		str_copy(row->port, m.port, sizeof row->port);
		row->org_id = a->org_id;
		row->version = 1;
		row->late = late;
		row->bills = (int64_t)m.nbills;
		str_copy(row->lodged_at, now, sizeof row->lodged_at);
		str_copy(row->updated_at, now, sizeof row->updated_at);
		out->body = json_canonical(body);
		if (!out->body)
			e = KERR_NOMEM;
	}
	if (!e && (e = repo_manifest_insert(c, row)) == KERR_CONFLICT) {
		refusal_say(why, "the call does not take this manifest now");
		refusal_field(why, "/kind", "call %s already has a %s manifest; amend it", m.key,
			      manifest_kind_name(m.kind));
	}
	if (!e)
		e = repo_manifest_version_put(c, row->id, 1, out->body, NULL, actor_name(a), now);
	if (!e)
		e = repo_manifest_lines_put(c, row, &m);
	if (!e)
		e = calls_event(u, a, EVENT_MANIFEST_LODGED, m.key, NULL, now,
				lodged_data(row, &m));
	if (!e && m.kind == MANIFEST_DEPARTURE)
		e = calls_event(u, a, EVENT_MANIFEST_CLOSED, m.key, NULL, now,
				json_pack("{s:I, s:s}", "manifest", (json_int_t)row->id, "call",
					  m.key));
	if (!e)
		e = rematch(u, &m, row, NULL, out);
	out->version = 1;
	out->changed = true;
	str_copy(out->created_by, actor_name(a), sizeof out->created_by);
	str_copy(out->created_at, now, sizeof out->created_at);
	manifest_free(&m);
	return e;
}

/* The manifest a version's stored body makes (validated again). */
static kerr stored_manifest(struct uow *u, const char *text, json_t **body, struct manifest *m)
{
	struct problems ignored;
	problems_init(&ignored);
	*body = json_loads(text, 0, NULL);
	kerr e = *body ? manifest_validate(*body, uow_refdata(u), &ignored, m) : KERR_NOMEM;
	if (e) {
		json_decref(*body);
		*body = NULL;
	}
	return e == KERR_INVALID ? KERR_INTERNAL : e;
}

static size_t change_count(const json_t *changes)
{
	return json_array_size(json_object_get(changes, "header")) +
	       json_array_size(json_object_get(changes, "bills"));
}

kerr manifests_amend(struct uow *u, const struct actor *a, int64_t id, json_t *body,
		     struct manifest_state *out, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	struct manifest before, after;
	json_t *stored = NULL, *changes = NULL;
	bool have_before = false, have_after = false;
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = calls_carrier(a, why);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = repo_manifest_get(c, id, &out->row);
	if (!e && out->row.org_id != a->org_id)
		e = KERR_NOT_FOUND;
	if (!e)
		e = calls_lock(u, out->row.call_key, out->row.transport_mode, out->row.port, 0);
	if (!e)
		e = repo_manifest_lock(c, id);
	if (!e) /* again, under the lock */
		e = repo_manifest_get(c, id, &out->row);
	if (!e)
		e = repo_manifest_version_get(c, id, out->row.version, &out->body, &out->changes,
					      out->created_by, out->created_at);
	if (!e)
		e = stored_manifest(u, out->body, &stored, &before);
	have_before = !e;
	if (!e)
		e = validate(u, body, &after, why);
	have_after = !e;
	if (!e)
		e = manifest_changes(&before, &after, &changes);
	struct call_state cs;
	if (!e)
		e = call_state_of(c, out->row.call_key, &cs);
	struct problems mine;
	problems_init(&mine);
	if (!e && !manifest_amend_check(&before, &after, changes, &cs,
					why->fields ? why->fields : &mine)) {
		bool nothing = change_count(changes) == 0;
		refusal_say(why, cs.departed ? "the conveyance has departed; the manifest is closed"
				 : nothing   ? "the amendment changes nothing"
					     : "an amendment cannot change the call");
		e = cs.departed || nothing ? KERR_CONFLICT : KERR_INVALID;
	}
	char *text = NULL, *changes_text = NULL;
	if (!e) {
		text = json_canonical(body);
		changes_text = json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS);
		if (!text || !changes_text)
			e = KERR_NOMEM;
	}
	if (!e) {
		out->row.version++;
		out->row.bills = (int64_t)after.nbills;
		str_copy(out->row.updated_at, now, sizeof out->row.updated_at);
		e = repo_manifest_version_put(c, id, out->row.version, text, changes_text,
					      actor_name(a), now);
	}
	if (!e)
		e = repo_manifest_update(c, &out->row);
	if (!e)
		e = repo_manifest_lines_put(c, &out->row, &after);
	if (!e)
		e = calls_event(u, a, EVENT_MANIFEST_AMENDED, out->row.call_key, NULL, now,
				json_pack("{s:I, s:s, s:s, s:I, s:O, s:O, s:O, s:O}", "manifest",
					  (json_int_t)id, "call", out->row.call_key, "kind",
					  manifest_kind_name(out->row.kind), "version",
					  (json_int_t)out->row.version, "added",
					  json_object_get(changes, "added"), "removed",
					  json_object_get(changes, "removed"), "changed",
					  json_object_get(changes, "changed"), "changes", changes));
	if (!e)
		e = rematch(u, &after, &out->row, changes, out);
	if (!e) {
		free(out->body);
		free(out->changes);
		out->body = text;
		out->changes = changes_text;
		text = changes_text = NULL;
		out->version = out->row.version;
		out->changed = true;
		str_copy(out->created_by, actor_name(a), sizeof out->created_by);
		str_copy(out->created_at, now, sizeof out->created_at);
	}
	free(text);
	free(changes_text);
	json_decref(changes);
	json_decref(stored);
	if (have_before)
		manifest_free(&before);
	if (have_after)
		manifest_free(&after);
	return e;
}

kerr manifests_get(struct uow *u, const struct actor *a, int64_t id, int64_t version,
		   struct manifest_state *out)
{
	memset(out, 0, sizeof *out);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_manifest_get(c, id, &out->row);
	if (!e && !may_see(a, &out->row))
		e = KERR_NOT_FOUND;
	out->version = version ? version : out->row.version;
	if (!e && (out->version < 1 || out->version > out->row.version))
		e = KERR_NOT_FOUND;
	if (!e)
		e = repo_manifest_version_get(c, id, out->version, &out->body, &out->changes,
					      out->created_by, out->created_at);
	return e;
}

kerr manifests_list(struct uow *u, const struct actor *a, struct manifest_filter *f,
		    manifest_row_fn fn, void *arg)
{
	bool none;
	struct store_conn *c;
	kerr e = calls_list_scope(a, true, &f->org_id, &f->port, &none);
	if (e || none)
		return e;
	e = uow_conn(u, &c);
	return e ? e : repo_manifest_list(c, f, fn, arg);
}

kerr manifests_declaration_match(struct uow *u, const struct actor *a, const char *number,
				 struct consignment_row *out, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	struct declaration d;
	kerr e = clearance_load(u, a, number, false, &d);
	declaration_free(&d);
	if (e || !clearance_sees_details(a))
		return e ? e : KERR_NOT_FOUND;
	struct store_conn *c;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_consignment_get(c, number, out);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "this declaration was lodged before consignments were "
				 "claimed; it has no match");
	return e;
}

/* --- tally reports --- */

kerr tally_lodge(struct uow *u, const struct actor *a, json_t *body, struct tally_row *out,
		 struct refusal *why)
{
	memset(out, 0, sizeof *out);
	struct tally t;
	struct problems mine;
	problems_init(&mine);
	struct problems *p = why->fields ? why->fields : &mine;
	kerr e = tally_validate(body, uow_refdata(u), p, &t);
	if (e == KERR_INVALID)
		refusal_say(why, "the tally report has fields that are not valid");
	if (e)
		return e;
	struct store_conn *c;
	struct manifest_row mrow;
	struct manifest m;
	json_t *mbody = NULL, *diffs = NULL;
	bool have_m = false;
	char *mtext = NULL, *mchanges = NULL, by[USERNAME_SIZE], at[TIME_TEXT_SIZE];
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	if (a->system || a->role != ROLE_PORT_OPERATOR || strcmp(t.lines.port, a->org_port)) {
		refusal_say(why, "the tally report is not valid");
		refusal_field(why, "/port", "a terminal reports the tally of calls at its own "
					    "port (%s)",
			      *a->org_port ? a->org_port : "none");
		e = KERR_INVALID;
		goto out;
	}
	enum manifest_kind kind = t.kind == TALLY_DISCHARGE ? MANIFEST_ORIGINAL : MANIFEST_LOADING;
	e = calls_lock(u, t.lines.key, t.lines.transport_mode, t.lines.port, 0);
	if (!e)
		e = uow_conn(u, &c);
	if (!e && (e = repo_manifest_find(c, t.lines.key, kind, &mrow)) == KERR_NOT_FOUND) {
		refusal_say(why, "there is no manifest to compare the tally with");
		refusal_field(why, "/kind",
			      "call %s has no %s manifest yet; the tally is compared with it",
			      t.lines.key, manifest_kind_name(kind));
		e = KERR_CONFLICT;
	}
	if (!e)
		e = repo_manifest_version_get(c, mrow.id, mrow.version, &mtext, &mchanges, by, at);
	if (!e)
		e = stored_manifest(u, mtext, &mbody, &m);
	have_m = !e;
	if (!e)
		e = tally_differences(&m, &t, &diffs);
	if (!e) {
		str_copy(out->call_key, t.lines.key, sizeof out->call_key);
		out->kind = t.kind;
		str_copy(out->port, t.lines.port, sizeof out->port);
		out->org_id = a->org_id;
		out->manifest_id = mrow.id;
		out->manifest_version = mrow.version;
		out->body = json_canonical(body);
		out->differences = json_dumps(diffs, JSON_COMPACT);
		str_copy(out->lodged_by, actor_name(a), sizeof out->lodged_by);
		str_copy(out->lodged_at, now, sizeof out->lodged_at);
		if (!out->body || !out->differences)
			e = KERR_NOMEM;
	}
	if (!e)
		e = repo_tally_insert(c, out);
	if (!e)
		e = calls_event(u, a, EVENT_TALLY_REPORTED, t.lines.key, NULL, now,
				json_pack("{s:I, s:s, s:s, s:I, s:I}", "tally", (json_int_t)out->id,
					  "call", t.lines.key, "kind",
					  t.kind == TALLY_DISCHARGE ? "discharge" : "loading",
					  "manifest", (json_int_t)mrow.id, "differences",
					  (json_int_t)json_array_size(diffs)));
out:
	free(mtext);
	free(mchanges);
	json_decref(diffs);
	json_decref(mbody);
	if (have_m)
		manifest_free(&m);
	tally_free(&t);
	return e;
}

kerr tally_get(struct uow *u, const struct actor *a, int64_t id, struct tally_row *out)
{
	struct store_conn *c;
	struct call_row call;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_tally_get(c, id, out);
	if (e)
		return e;
	bool visible = a->system || a->role == ROLE_CUSTOMS || a->role == ROLE_ANALYST ||
		       a->role == ROLE_ADMIN ||
		       (a->role == ROLE_PORT_OPERATOR && !strcmp(out->port, a->org_port));
	if (!visible && a->role == ROLE_CARRIER && !repo_call_get(c, out->call_key, &call))
		visible = call.carrier_org_id == a->org_id;
	if (!visible) {
		tally_row_free(out);
		return KERR_NOT_FOUND;
	}
	return KERR_OK;
}
