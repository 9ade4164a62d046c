/*
 * clearance.c - deciding tasks, settling and releasing a declaration (see
 * clearance.h).
 *
 * Never: change a task or the declaration's status other than through
 * these functions, or release a declaration twice (released is final, and
 * only clearance_settle moves a declaration there).
 */
#include "service/clearance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "domain/release.h"
#include "service/joint_inspection.h"
#include "service/release_holds.h"

struct task_row *clearance_task(struct declaration *d, const char *agency)
{
	for (size_t i = 0; i < d->ntasks; i++)
		if (strcmp(d->tasks[i].agency, agency) == 0)
			return &d->tasks[i];
	return NULL;
}

bool clearance_may_see(const struct actor *a, const struct declaration *d)
{
	if (a->system)
		return true;
	switch (a->role) {
	case ROLE_DECLARANT: /* the declarant's organisation, and the consignee's */
		return d->row.org_id == a->org_id || !strcmp(d->row.consignee_uscc, a->org_uscc);
	case ROLE_PORT_OPERATOR: /* released goods at its own port */
		return d->row.status == DECL_RELEASED && *a->org_port &&
		       !strcmp(d->row.port, a->org_port);
	case ROLE_ANALYST:
	case ROLE_ADMIN:
		return true;
	default: {
		const char *agency = role_agency(a->role);
		return agency && clearance_task((struct declaration *)d, agency) != NULL;
	}
	}
}

bool clearance_sees_details(const struct actor *a)
{
	return a->system || a->role != ROLE_PORT_OPERATOR;
}

kerr clearance_load(struct uow *u, const struct actor *a, const char *number,
		    bool for_change, struct declaration *d)
{
	memset(d, 0, sizeof *d);
	if (!declaration_number_valid(number))
		return KERR_NOT_FOUND;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e && for_change)
		e = repo_decl_lock(c, number);
	if (!e)
		e = repo_decl_get(c, number, &d->row);
	if (!e)
		e = repo_task_list(c, number, d->tasks, &d->ntasks);
	if (!e && !clearance_may_see(a, d))
		e = KERR_NOT_FOUND;
	if (e)
		declaration_free(d);
	return e;
}

kerr clearance_set_task(struct uow *u, struct declaration *d, struct task_row *t,
			enum task_status st)
{
	t->status = st;
	if (d->tasks_unstored)
		return KERR_OK;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_task_set(c, d->row.number, t);
}

kerr clearance_store_tasks(struct uow *u, struct declaration *d)
{
	if (!d->tasks_unstored)
		return KERR_OK;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_tasks_insert(c, d->row.number, d->tasks, d->ntasks);
	if (!e)
		d->tasks_unstored = false;
	return e;
}

static kerr event(struct uow *u, const struct actor *a, struct declaration *d,
		  enum event_type type, const char *agency, const char *at, json_t *data)
{
	return uow_event(u, a, type, d->row.number, d->row.org_id, agency, at, data);
}

kerr clearance_close_pending(struct uow *u, struct declaration *d, const char *now,
			     const char *why)
{
	for (size_t i = 0; i < d->ntasks; i++) {
		if (!task_pending(d->tasks[i].status))
			continue;
		kerr e = clearance_set_task(u, d, &d->tasks[i], TASK_CLOSED);
		if (!e)
			e = event(u, &actor_kouan, d, EVENT_TASK_CLOSED, d->tasks[i].agency, now,
				  json_pack("{s:s}", "reason", why));
		if (e)
			return e;
	}
	return KERR_OK;
}

/* Sign and store the release notice; released_at is now. */
static kerr release(struct uow *u, struct declaration *d, const char *now)
{
	const char *cleared[TASKS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < d->ntasks; i++)
		if (d->tasks[i].status == TASK_CLEARED)
			cleared[n++] = d->tasks[i].agency;
	const struct declaration_facts *f = declaration_facts_of(d);
	if (!f)
		return KERR_INTERNAL;
	char *notice = release_notice_text(d->row.number, now, f, cleared, n);
	if (!notice)
		return KERR_NOMEM;
	char sig[SIGNATURE_B64_MAX];
	release_sign(notice, u->svc->sign_sk, sig);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_notice_put(c, d->row.number, notice, sig, u->svc->key_id, now);
	free(notice);
	if (e)
		return e;
	str_copy(d->row.released_at, now, sizeof d->row.released_at);
	e = event(u, &actor_kouan, d, EVENT_DECLARATION_RELEASED, NULL, now,
		  json_pack("{s:I, s:s}", "version", (json_int_t)d->row.version, "key_id",
			    u->svc->key_id));
	return e ? e : release_holds_released(u, d, now);
}

kerr clearance_settle(struct uow *u, struct declaration *d, const char *now)
{
	enum task_status ts[TASKS_MAX];
	for (size_t i = 0; i < d->ntasks; i++)
		ts[i] = d->tasks[i].status;
	enum declaration_status next = workflow_status_from_tasks(ts, d->ntasks);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	if (next == DECL_RELEASED && next != d->row.status) {
		/* every agency has cleared: the other parts of the shipment may
		 * still hold the release, and the timeline says which */
		struct release_hold hold;
		e = release_holds_check(u, d, &hold);
		if (!e && hold.part[0]) {
			e = event(u, &actor_kouan, d, EVENT_DECLARATION_RELEASE_HELD, NULL, now,
				  json_pack("{s:s, s:s}", "waiting_for", hold.part, "reason",
					    hold.reason));
			next = d->row.status;
		}
		if (e)
			return e;
	}
	bool moved = next != d->row.status;
	if (moved) {
		switch (next) {
		case DECL_RELEASED:
			e = release(u, d, now);
			break;
		case DECL_REJECTED:
			e = clearance_close_pending(u, d, now, "the declaration was rejected");
			if (!e)
				e = event(u, &actor_kouan, d, EVENT_DECLARATION_REJECTED, NULL, now,
					  NULL);
			if (!e)
				e = release_holds_ended(u, d, now, "the declaration was rejected");
			break;
		case DECL_RETURNED:
			e = event(u, &actor_kouan, d, EVENT_DECLARATION_RETURNED, NULL, now, NULL);
			break;
		default:
			break;
		}
		if (e)
			return e;
		d->row.status = next;
	}
	/* lodged in this unit of work and not moved (held, or waiting for an
	 * agency): the row stored says it all; its update time stays the
	 * lodging's, a moment before in the same transaction */
	if (!moved && d->stored_as_row)
		return KERR_OK;
	str_copy(d->row.updated_at, now, sizeof d->row.updated_at);
	return repo_decl_update(c, d->row.number, d->row.status, now,
				next == DECL_RELEASED ? d->row.released_at : NULL);
}

kerr clearance_decide(struct uow *u, const struct actor *a, struct declaration *d,
		      const char *agency, enum decision dd, const char *reason, json_t *extra,
		      struct refusal *why)
{
	struct task_row *t = clearance_task(d, agency);
	enum task_status next;
	const char *refused = NULL;
	kerr e = KERR_OK;
	if (!t) {
		refusal_say(why, "this declaration has no task for that agency");
		e = KERR_NOT_FOUND;
		goto out;
	}
	if (!workflow_decide(d->row.status, t->status, dd, &next, &refused)) {
		refusal_say(why, "%s", refused);
		e = KERR_CONFLICT;
		goto out;
	}
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	/* an officer's decision is in the audit log too (kouan's own are events) */
	if (!a->system) {
		char target[64];
		snprintf(target, sizeof target, "declaration/%s/%s", d->row.number, agency);
		e = uow_audit_change(u, a, "task.decided", target,
				     json_pack("{s:s}", "status", task_status_name(t->status)),
				     json_pack("{s:s, s:s, s:I}", "status", task_status_name(next),
					       "decision", decision_name(dd), "version",
					       (json_int_t)d->row.version),
				     reason);
		if (e)
			goto out;
	}
	t->decided = true;
	str_copy(t->decided_at, now, sizeof t->decided_at);
	str_copy(t->decided_by, actor_name(a), sizeof t->decided_by);
	t->decision = dd;
	str_copy(t->reason, reason ? reason : "", sizeof t->reason);
	e = clearance_set_task(u, d, t, next);
	if (!e) {
		json_t *data = extra ? json_incref(extra) : json_object();
		json_object_set_new(data, "version", json_integer((json_int_t)d->row.version));
		if (reason)
			json_object_set_new(data, "reason", json_string(reason));
		e = event(u, a, d, decision_event(dd), agency, now, data);
	}
	if (!e && dd == DECISION_INSPECT) {
		d->without_inspection = false;
		e = joint_inspection_require(u, d->row.number, d->row.org_id, agency, now);
		if (e == KERR_CONFLICT)
			refusal_say(why, "this agency has already written its finding in the open "
					 "inspection; a new inspection needs that one to complete");
	}
	if (!e)
		e = clearance_settle(u, d, now);
	/* an officer deciding an inspecting task directly: the inspection
	 * records it as the agency's finding (or lets the agency leave) */
	if (!e && dd != DECISION_INSPECT && !d->without_inspection)
		e = joint_inspection_task_decided(u, a, d->row.number,
						  declaration_final(d->row.status), agency, dd,
						  reason, now);
out:
	json_decref(extra);
	return e;
}
