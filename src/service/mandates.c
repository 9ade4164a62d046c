/* mandates.c - electronic mandates (see mandates.h). */
#include "service/mandates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/codes.h"

static bool scope_valid(const char *s)
{
	return s && (!strcmp(s, "import") || !strcmp(s, "export") || !strcmp(s, "both"));
}

/* The mandate as the audit log shows it. */
static json_t *mandate_record(const struct mandate_row *m)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "consignee", m->consignee_uscc,
			 "agent", m->agent_uscc, "scope", m->scope, "valid_from", m->valid_from,
			 "valid_to", m->valid_to, "revoked_at",
			 *m->revoked_at ? json_string(m->revoked_at) : json_null());
}

/* Audit a mandate given (before NULL) or revoked (before: as it stood). */
static kerr audit(struct uow *u, const struct actor *a, const char *action, json_t *before,
		  const struct mandate_row *m)
{
	char target[32];
	snprintf(target, sizeof target, "mandate/%lld", (long long)m->id);
	return uow_audit_change(u, a, action, target, before, mandate_record(m), NULL);
}

kerr mandates_create(struct uow *u, const struct actor *a, const struct mandate_input *in,
		     struct mandate_row *out, struct refusal *why)
{
	struct store_conn *c;
	struct org_row agent;
	int64_t now_us = uow_now_us(u);
	bool bad = false;
	memset(out, 0, sizeof *out);
	if (!in->agent_uscc || codes_check_uscc(in->agent_uscc) != CODES_OK) {
		refusal_field(why, "/agent_uscc", "must be the USCC of the agent's organisation");
		bad = true;
	} else if (!strcmp(in->agent_uscc, a->org_uscc)) {
		refusal_field(why, "/agent_uscc", "must be another organisation than your own");
		bad = true;
	}
	if (!scope_valid(in->scope)) {
		refusal_field(why, "/scope", "must be import, export or both");
		bad = true;
	}
	if (in->valid_to_us <= in->valid_from_us || in->valid_to_us <= now_us) {
		refusal_field(why, "/valid_to", "must be after valid_from and in the future");
		bad = true;
	} else if (in->valid_to_us - in->valid_from_us > MANDATE_MAX_DAYS * 86400000000LL) {
		refusal_field(why, "/valid_to", "a mandate lasts at most %d days; give a new one "
						"when it ends", MANDATE_MAX_DAYS);
		bad = true;
	}
	kerr e = bad ? KERR_INVALID : uow_conn(u, &c);
	if (!e) {
		e = repo_org_find(c, in->agent_uscc, &agent);
		if (e == KERR_NOT_FOUND) {
			refusal_field(why, "/agent_uscc", "no organisation with USCC %s is "
							  "registered with the single window",
				      in->agent_uscc);
			e = KERR_INVALID;
		} else if (!e && strcmp(agent.kind, "trader") && strcmp(agent.kind, "broker")) {
			refusal_field(why, "/agent_uscc", "%s is a %s organisation: only a trader "
							  "or a customs broker declares goods",
				      in->agent_uscc, agent.kind);
			e = KERR_INVALID;
		}
	}
	if (e == KERR_INVALID) {
		refusal_say(why, "the mandate is not valid");
		return e;
	}
	if (e)
		return e;
	str_copy(out->consignee_uscc, a->org_uscc, sizeof out->consignee_uscc);
	str_copy(out->agent_uscc, agent.uscc, sizeof out->agent_uscc);
	str_copy(out->scope, in->scope, sizeof out->scope);
	ktime_format(in->valid_from_us, out->valid_from);
	ktime_format(in->valid_to_us, out->valid_to);
	str_copy(out->created_by, actor_name(a), sizeof out->created_by);
	ktime_format(now_us, out->created_at);
	e = repo_mandate_create(c, a->org_id, agent.id, out->scope, out->valid_from,
				out->valid_to, out->created_by, out->created_at, &out->id);
	if (!e) /* as stored, with both organisations' names */
		e = repo_mandate_get(c, out->id, out);
	return e ? e : audit(u, a, "mandate.given", NULL, out);
}

kerr mandates_list(struct uow *u, const struct actor *a, mandate_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_mandate_list(c, a->org_id, fn, arg);
}

kerr mandates_revoke(struct uow *u, const struct actor *a, int64_t id,
		     struct mandate_row *out, struct refusal *why)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_mandate_get(c, id, out);
	if (!e && strcmp(out->consignee_uscc, a->org_uscc) != 0)
		e = KERR_NOT_FOUND; /* only the consignee that gave it */
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "your organisation gave no mandate with that id");
		return e;
	}
	if (!e && *out->revoked_at) {
		refusal_say(why, "the mandate was revoked at %s", out->revoked_at);
		return KERR_CONFLICT;
	}
	json_t *before = e ? NULL : mandate_record(out);
	if (!e)
		e = repo_mandate_revoke(c, id, now);
	if (!e) {
		str_copy(out->revoked_at, now, sizeof out->revoked_at);
		e = audit(u, a, "mandate.revoked", before, out);
		before = NULL;
	}
	json_decref(before);
	return e;
}

kerr mandates_cover(struct uow *u, const struct actor *a, const char *consignee_uscc,
		    bool import, struct refusal *why)
{
	if (!strcmp(consignee_uscc, a->org_uscc))
		return KERR_OK;
	struct store_conn *c;
	struct org_row consignee;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_org_find(c, consignee_uscc, &consignee);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "the declaration has fields that are not valid");
		refusal_field(why, "/consignee_uscc",
			      "%s is not registered with the single window: a declaration for "
			      "another company needs its electronic mandate (委托)",
			      consignee_uscc);
		return KERR_INVALID;
	}
	if (!e)
		e = repo_mandate_in_force(c, consignee.id, a->org_id, import, now);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "the declaration has fields that are not valid");
		refusal_field(why, "/consignee_uscc",
			      "no electronic mandate (委托) from %s to your organisation covers "
			      "this %s declaration now; the consignee gives one with POST "
			      "/v1/mandates",
			      consignee_uscc, import ? "import" : "export");
		return KERR_INVALID;
	}
	return e;
}
