/* workflow.c - declaration and task transitions (see workflow.h). */
#include "domain/workflow.h"

#include <string.h>

static const struct {
	const char *name;
	bool final;
} decl_statuses[DECL_STATUS_COUNT] = {
#define DECL_STATUS_ROW(name, text, final) {text, final},
	DECLARATION_STATUS_MAP(DECL_STATUS_ROW)
#undef DECL_STATUS_ROW
};

static const struct {
	const char *name;
	bool pending;
} task_statuses[TASK_STATUS_COUNT] = {
#define TASK_STATUS_ROW(name, text, pending) {text, pending},
	TASK_STATUS_MAP(TASK_STATUS_ROW)
#undef TASK_STATUS_ROW
};

static const struct {
	const char *name;
	enum event_type event;
} decisions[DECISION_COUNT] = {
#define DECISION_ROW(name, text, event) {text, event},
	DECISION_MAP(DECISION_ROW)
#undef DECISION_ROW
};

const char *declaration_status_name(enum declaration_status s)
{
	return (unsigned)s < DECL_STATUS_COUNT ? decl_statuses[s].name : "?";
}

const char *task_status_name(enum task_status s)
{
	return (unsigned)s < TASK_STATUS_COUNT ? task_statuses[s].name : "?";
}

const char *decision_name(enum decision d)
{
	return (unsigned)d < DECISION_COUNT ? decisions[d].name : "?";
}

enum event_type decision_event(enum decision d)
{
	return (unsigned)d < DECISION_COUNT ? decisions[d].event : EVENT_TASK_REJECTED;
}

bool declaration_status_parse(const char *s, enum declaration_status *out)
{
	for (int i = 0; s && i < DECL_STATUS_COUNT; i++) {
		if (strcmp(s, decl_statuses[i].name) == 0) {
			*out = (enum declaration_status)i;
			return true;
		}
	}
	return false;
}

bool task_status_parse(const char *s, enum task_status *out)
{
	for (int i = 0; s && i < TASK_STATUS_COUNT; i++) {
		if (strcmp(s, task_statuses[i].name) == 0) {
			*out = (enum task_status)i;
			return true;
		}
	}
	return false;
}

bool decision_parse(const char *s, enum decision *out)
{
	for (int i = 0; s && i < DECISION_COUNT; i++) {
		if (strcmp(s, decisions[i].name) == 0) {
			*out = (enum decision)i;
			return true;
		}
	}
	return false;
}

bool declaration_final(enum declaration_status s)
{
	return (unsigned)s < DECL_STATUS_COUNT && decl_statuses[s].final;
}

bool workflow_decide(enum declaration_status ds, enum task_status ts,
		     enum decision d, enum task_status *next, const char **why)
{
	if (declaration_final(ds)) {
		*why = ds == DECL_RELEASED    ? "the declaration has been released"
		       : ds == DECL_REJECTED ? "the declaration has been rejected"
					     : "the declaration has been withdrawn";
		return false;
	}
	if (ts != TASK_OPEN && ts != TASK_INSPECTING) {
		*why = ts == TASK_CLEARED    ? "this task is already cleared"
		       : ts == TASK_RETURNED ? "this task is returned for correction"
		       : ts == TASK_REJECTED ? "this task is already rejected"
					     : "this task is closed";
		return false;
	}
	switch (d) {
	case DECISION_CLEARED:
		*next = TASK_CLEARED;
		return true;
	case DECISION_INSPECT:
		if (ts == TASK_INSPECTING) {
			*why = "an inspection is already ordered; record its outcome "
			       "with cleared, return or reject";
			return false;
		}
		*next = TASK_INSPECTING;
		return true;
	case DECISION_RETURN:
		*next = TASK_RETURNED;
		return true;
	case DECISION_REJECT:
		*next = TASK_REJECTED;
		return true;
	default:
		*why = "unknown decision";
		return false;
	}
}

bool workflow_plain_decision(enum task_status ts, enum decision d, const char **why)
{
	if (ts == TASK_INSPECTING && d == DECISION_CLEARED) {
		*why = "this task awaits the joint inspection: the agency's finding clears it "
		       "(POST /v1/inspections/{id}/findings/{agency}), or a supervisor waives "
		       "the inspection";
		return false;
	}
	return true;
}

enum declaration_status workflow_status_from_tasks(const enum task_status *tasks,
						   size_t n)
{
	bool returned = false, all_cleared = true, any = false;
	for (size_t i = 0; i < n; i++) {
		if (tasks[i] == TASK_CLOSED)
			continue;
		any = true;
		if (tasks[i] == TASK_REJECTED)
			return DECL_REJECTED;
		if (tasks[i] == TASK_RETURNED)
			returned = true;
		if (tasks[i] != TASK_CLEARED)
			all_cleared = false;
	}
	if (any && all_cleared)
		return DECL_RELEASED;
	return returned ? DECL_RETURNED : DECL_ACCEPTED;
}

bool workflow_can_withdraw(enum declaration_status ds, const char **why)
{
	if (declaration_final(ds)) {
		*why = ds == DECL_RELEASED ? "a released declaration cannot be withdrawn"
		       : ds == DECL_REJECTED
			       ? "a rejected declaration cannot be withdrawn"
			       : "the declaration is already withdrawn";
		return false;
	}
	return true;
}

bool workflow_can_correct(enum declaration_status ds, const char **why)
{
	if (ds != DECL_RETURNED) {
		*why = "only a declaration returned for correction can be corrected";
		return false;
	}
	return true;
}

bool task_pending(enum task_status ts)
{
	return (unsigned)ts < TASK_STATUS_COUNT && task_statuses[ts].pending;
}

enum correction_step workflow_correction_step(bool needed, bool has_task,
					      enum task_status ts, bool basis_changed,
					      const char **because)
{
	*because = NULL;
	if (!needed) {
		if (!has_task || ts == TASK_CLOSED)
			return CORRECTION_KEEP;
		if (ts == TASK_INSPECTING) {
			*because = "has ordered an inspection of the goods, which stands whatever a "
				   "correction says of them: it ends when the inspection is completed "
				   "or its supervisor waives it";
			return CORRECTION_REFUSE;
		}
		*because = "no longer required after correction";
		return CORRECTION_CLOSE;
	}
	if (!has_task)
		return CORRECTION_OPEN;
	if (ts == TASK_RETURNED) {
		*because = "returned task corrected";
		return CORRECTION_REOPEN;
	}
	if (ts == TASK_CLOSED || (ts == TASK_CLEARED && basis_changed)) {
		*because = "the correction changed what this agency acts on";
		return CORRECTION_REOPEN;
	}
	return basis_changed ? CORRECTION_REBASE : CORRECTION_KEEP;
}
