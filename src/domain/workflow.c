/* workflow.c - declaration and task transitions (see workflow.h). */
#include "domain/workflow.h"

#include <string.h>

static const char *const decl_names[DECL_STATUS_COUNT] = {
	"accepted", "returned", "released", "rejected", "withdrawn"};
static const char *const task_names[TASK_STATUS_COUNT] = {
	"open", "inspecting", "cleared", "returned", "rejected", "closed"};
static const char *const decision_names[DECISION_COUNT] = {"cleared", "inspect",
							   "return", "reject"};

const char *declaration_status_name(enum declaration_status s)
{
	return (unsigned)s < DECL_STATUS_COUNT ? decl_names[s] : "?";
}

const char *task_status_name(enum task_status s)
{
	return (unsigned)s < TASK_STATUS_COUNT ? task_names[s] : "?";
}

const char *decision_name(enum decision d)
{
	return (unsigned)d < DECISION_COUNT ? decision_names[d] : "?";
}

static bool parse(const char *s, const char *const *names, int n, int *out)
{
	for (int i = 0; s && i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

bool declaration_status_parse(const char *s, enum declaration_status *out)
{
	int i;
	if (!parse(s, decl_names, DECL_STATUS_COUNT, &i))
		return false;
	*out = (enum declaration_status)i;
	return true;
}

bool task_status_parse(const char *s, enum task_status *out)
{
	int i;
	if (!parse(s, task_names, TASK_STATUS_COUNT, &i))
		return false;
	*out = (enum task_status)i;
	return true;
}

bool decision_parse(const char *s, enum decision *out)
{
	int i;
	if (!parse(s, decision_names, DECISION_COUNT, &i))
		return false;
	*out = (enum decision)i;
	return true;
}

bool declaration_final(enum declaration_status s)
{
	return s == DECL_RELEASED || s == DECL_REJECTED || s == DECL_WITHDRAWN;
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
		       : ts == TASK_RETURNED ? "this task is returned to the declarant "
					       "for correction"
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
	return ts == TASK_OPEN || ts == TASK_INSPECTING || ts == TASK_RETURNED;
}
