/* declarations.c - reading declarations and deciding tasks (see
 * declarations.h). */
#include "service/declarations.h"

#include <stdlib.h>
#include <string.h>

kerr declarations_get(struct uow *u, const struct actor *a, const char *number,
		      struct declaration *out)
{
	return clearance_load(u, a, number, false, out);
}

kerr declarations_list(struct uow *u, const struct actor *a,
		       const struct declaration_query *q, decl_summary_fn fn, void *arg)
{
	struct decl_filter f = {.status = q->status, .after = q->after, .limit = q->limit};
	switch (a->role) {
	case ROLE_DECLARANT:
		f.org_id = a->org_id;
		f.consignee_uscc = a->org_uscc;
		break;
	case ROLE_PORT_OPERATOR:
		if (q->status && strcmp(q->status, declaration_status_name(DECL_RELEASED)) != 0)
			return KERR_OK; /* they see released ones only */
		if (!*a->org_port)
			return KERR_OK; /* and only at their port */
		f.status = declaration_status_name(DECL_RELEASED);
		f.port = a->org_port;
		break;
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		break;
	default:
		f.agency = role_agency(a->role);
		if (!f.agency)
			return KERR_OK;
		break;
	}
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_decl_list(c, &f, fn, arg);
}

kerr declarations_events(struct uow *u, const struct actor *a, const char *number,
			 enum declaration_status *status, event_row_fn fn, void *arg)
{
	struct declaration d;
	kerr e = clearance_sees_details(a) ? clearance_load(u, a, number, false, &d)
					   : KERR_NOT_FOUND;
	if (e)
		return e;
	*status = d.row.status;
	struct store_conn *c;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_events_for(c, d.row.number, fn, arg);
	declaration_free(&d);
	return e;
}

kerr declarations_version(struct uow *u, const struct actor *a, const char *number,
			  int64_t version, char **body, int64_t *current, struct refusal *why)
{
	struct declaration d;
	*body = NULL;
	kerr e = clearance_sees_details(a) ? clearance_load(u, a, number, false, &d)
					   : KERR_NOT_FOUND;
	if (e)
		return e;
	*current = d.row.version;
	struct store_conn *c;
	e = version >= 1 && version <= d.row.version ? uow_conn(u, &c) : KERR_NOT_FOUND;
	if (!e)
		e = repo_decl_version_body(c, d.row.number, version, body);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "the declaration has no such version");
	declaration_free(&d);
	return e;
}

kerr declarations_notice(struct uow *u, const struct actor *a, const char *number,
			 struct notice_row *n, struct refusal *why)
{
	struct declaration d;
	kerr e = clearance_load(u, a, number, false, &d);
	if (e)
		return e;
	struct store_conn *c;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_notice_get(c, d.row.number, n);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "this declaration has no release notice: it is not released");
	declaration_free(&d);
	return e;
}

kerr declarations_assessment(struct uow *u, const struct actor *a, const char *number,
			     struct assessment_row *out, struct refusal *why)
{
	struct declaration d;
	kerr e = clearance_load(u, a, number, false, &d);
	if (e)
		return e;
	struct store_conn *c;
	e = uow_conn(u, &c);
	if (!e)
		e = repo_assessment_get(c, d.row.number, out);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "this declaration has not been assessed");
	declaration_free(&d);
	return e;
}

kerr declarations_worklist(struct uow *u, const struct actor *a, const char *agency,
			   enum task_status status, int limit, worklist_row_fn fn, void *arg,
			   struct refusal *why)
{
	const char *mine = actor_agency(a);
	if (!agency)
		agency = mine;
	if (!agency) {
		refusal_say(why, "the request has a field that is not valid");
		refusal_field(why, "query:agency",
			      "is required: customs, quarantine, border or maritime");
		return KERR_INVALID;
	}
	if (refdata_agency_index(uow_refdata(u), agency) < 0) {
		refusal_say(why, "the request has a field that is not valid");
		refusal_field(why, "query:agency",
			      "is not a known agency (see GET /v1/reference/agencies)");
		return KERR_INVALID;
	}
	if (mine && strcmp(mine, agency) != 0) {
		refusal_say(why, "officers may read only their own agency's worklist");
		return KERR_FORBIDDEN;
	}
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_worklist(c, agency, status, limit, fn, arg);
}

kerr declarations_may_decide(const struct actor *a, const char *agency, struct refusal *why)
{
	const char *mine = actor_agency(a);
	if (mine && strcmp(agency, mine) == 0)
		return KERR_OK;
	refusal_say(why, "a %s officer may decide only %s tasks", role_name(a->role),
		    mine ? mine : "no");
	return KERR_FORBIDDEN;
}

kerr declarations_decide(struct uow *u, const struct actor *a, const char *number,
			 const char *agency, enum decision dd, const char *reason,
			 struct declaration *d, struct refusal *why)
{
	memset(d, 0, sizeof *d);
	kerr e = declarations_may_decide(a, agency, why);
	if (e)
		return e;
	if (!a->system && (!reason || !*reason)) {
		refusal_say(why, "the request has a field that is not valid");
		refusal_field(why, "/reason", "is required for this decision: say what was "
					      "checked, or why");
		return KERR_INVALID;
	}
	e = clearance_load(u, a, number, true, d);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no declaration has that number");
	if (e)
		return e;
	const struct task_row *t = clearance_task(d, agency);
	const char *refused;
	if (t && !declaration_final(d->row.status) &&
	    !workflow_plain_decision(t->status, dd, &refused)) {
		refusal_say(why, "%s", refused);
		return KERR_CONFLICT;
	}
	return clearance_decide(u, a, d, agency, dd, reason, NULL, why);
}
