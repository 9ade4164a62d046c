/*
 * calls.c - the call of a conveyance as the transport services share it
 * (see calls.h).
 *
 * Never: let a declarant see a call (its manifests name other traders'
 * goods), or lock a call after a declaration in the same unit of work.
 */
#include "service/calls.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

kerr calls_carrier(const struct actor *a, struct refusal *why)
{
	if (!a->system && a->role == ROLE_CARRIER && !strcmp(a->org_kind, "carrier"))
		return KERR_OK;
	refusal_say(why, a->role == ROLE_CARRIER
				 ? "your organisation is not a carrier; reports and manifests "
				   "come from a carrier (a shipping line, airline or road "
				   "haulier, or its agent)"
				 : "only a carrier lodges reports and manifests");
	return KERR_FORBIDDEN;
}

bool calls_may_see(const struct actor *a, const struct call_row *call)
{
	if (a->system)
		return true;
	switch (a->role) {
	case ROLE_CARRIER:
		return call->carrier_org_id == a->org_id;
	case ROLE_PORT_OPERATOR:
		return *a->org_port && !strcmp(call->port, a->org_port);
	case ROLE_DECLARANT:
		return false;
	default: /* officers, analysts, admins */
		return true;
	}
}

bool calls_document_visible(const struct actor *a, bool customs_only, int64_t org_id,
			    const char *port)
{
	if (a->system)
		return true;
	switch (a->role) {
	case ROLE_CARRIER:
		return org_id == a->org_id;
	case ROLE_PORT_OPERATOR:
		return *a->org_port && !strcmp(port, a->org_port);
	case ROLE_DECLARANT:
		return false;
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		return true;
	default:
		return !customs_only || a->role == ROLE_CUSTOMS;
	}
}

kerr calls_list_scope(const struct actor *a, bool customs_only, int64_t *org_id,
		      const char **port, bool *none)
{
	*none = false;
	if (a->system || a->role == ROLE_ANALYST || a->role == ROLE_ADMIN)
		return KERR_OK;
	switch (a->role) {
	case ROLE_CARRIER:
		*org_id = a->org_id;
		return KERR_OK;
	case ROLE_PORT_OPERATOR:
		/* its own port only: a filter naming another port finds nothing
		 * (never the own port's calls in its stead) */
		*none = !*a->org_port || (*port && **port && strcmp(*port, a->org_port));
		*port = a->org_port;
		return KERR_OK;
	case ROLE_DECLARANT:
		return KERR_FORBIDDEN;
	default:
		return !customs_only || a->role == ROLE_CUSTOMS ? KERR_OK : KERR_FORBIDDEN;
	}
}

kerr calls_lock(struct uow *u, const char *key, const char *mode, const char *port,
		int64_t carrier_org_id)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	return e ? e : repo_call_lock(c, key, mode, port, carrier_org_id, now);
}

kerr calls_lock_claim(struct uow *u, const char *key, const char *mode, const char *port,
		      const char *bill, const char (*containers)[CONTAINER_NUMBER_MAX],
		      size_t ncontainers)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	return e ? e
		 : repo_call_lock_claim(c, key, mode, port, now, bill, containers, ncontainers);
}

kerr calls_event(struct uow *u, const struct actor *a, enum event_type type, const char *key,
		 const char *agency, const char *at, json_t *data)
{
	struct store_conn *c;
	struct call_row call;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_call_get(c, key, &call);
	if (e) {
		json_decref(data);
		return e;
	}
	return uow_call_event(u, a, type, key, NULL, call.carrier_org_id, agency, at, data);
}

static kerr visible_call(struct uow *u, const struct actor *a, const char *key,
			 struct call_row *out)
{
	struct store_conn *c;
	if (!key || !*key || strlen(key) >= CALL_KEY_MAX)
		return KERR_NOT_FOUND;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_call_get(c, key, out);
	if (!e && !calls_may_see(a, out))
		e = KERR_NOT_FOUND;
	return e;
}

static kerr add_manifest(void *arg, const struct manifest_row *m)
{
	struct call_view *s = arg;
	if (s->nmanifests >= MANIFEST_KIND_COUNT)
		return KERR_STORE;
	s->manifests[s->nmanifests++] = *m;
	return KERR_OK;
}

kerr calls_get(struct uow *u, const struct actor *a, const char *key, struct call_view *out)
{
	memset(out, 0, sizeof *out);
	struct store_conn *c;
	kerr e = visible_call(u, a, key, &out->row);
	if (!e)
		e = uow_conn(u, &c);
	for (int k = CONVEYANCE_ARRIVAL; !e && k <= CONVEYANCE_DEPARTURE; k++) {
		int64_t id;
		e = repo_report_find(c, key, (enum conveyance_kind)k, &id);
		if (e == KERR_NOT_FOUND) {
			e = KERR_OK;
			continue;
		}
		struct report_row *r = &out->reports[out->nreports];
		if (!e)
			e = repo_report_get(c, id, r);
		if (!e) {
			report_row_free(r); /* the summary only */
			out->nreports++;
		}
	}
	if (!e) {
		struct manifest_filter f = {.call_key = key, .limit = MANIFEST_KIND_COUNT};
		e = repo_manifest_list(c, &f, add_manifest, out);
	}
	return e;
}

kerr calls_event_for_carrier(void *arg, const struct event_row *e)
{
	const struct carrier_events *ce = arg;
	if (strncmp(e->type, "container.", 10) != 0)
		return ce->fn(ce->arg, e);
	json_t *data = json_loads(e->data, 0, NULL);
	if (!json_is_object(data)) {
		json_decref(data);
		return KERR_STORE;
	}
	json_object_del(data, "declarations");
	json_t *missing = json_object_get(data, "missing");
	if (missing) {
		json_t *kinds = json_array();
		size_t i;
		json_t *m;
		json_array_foreach(missing, i, m)
			json_array_append_new(kinds,
					      json_pack("{s:O*}", "kind", json_object_get(m, "kind")));
		json_object_set_new(data, "missing", kinds);
	}
	char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(data);
	if (!text)
		return KERR_NOMEM;
	struct event_row redacted = *e;
	redacted.data = text;
	kerr r = ce->fn(ce->arg, &redacted);
	free(text);
	return r;
}

kerr calls_events(struct uow *u, const struct actor *a, const char *key, int64_t after,
		  int limit, event_row_fn fn, void *arg)
{
	struct call_row call;
	struct store_conn *c;
	kerr e = visible_call(u, a, key, &call);
	if (!e)
		e = uow_conn(u, &c);
	struct carrier_events ce = {fn, arg};
	bool carrier = !a->system && a->role == ROLE_CARRIER;
	return e ? e
		 : repo_events_for_call(c, key, after, limit,
					carrier ? calls_event_for_carrier : fn,
					carrier ? (void *)&ce : arg);
}
