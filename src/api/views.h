/*
 * views.h - the JSON the API answers with, made from the services' typed
 * results: one function per representation, so every endpoint that shows a
 * declaration, a task or an inspection shows it the same way. Each returns
 * a new reference (NULL when memory runs out). Private to src/api.
 */
#ifndef KOUAN_VIEWS_H
#define KOUAN_VIEWS_H

#include <jansson.h>

#include "service/clearance.h"
#include "service/inspections.h"
#include "store/repo.h"
#include "store/repo_risk.h"

/* A string, or null for NULL or "". */
json_t *json_text_or_null(const char *s);

/* The representation of a declaration served by every endpoint: number,
 * status, version, direction, times, organisation, tasks, totals and the
 * declaration itself. */
json_t *declaration_json(struct declaration *d);
json_t *task_json(const struct task_row *t);
json_t *decl_summary_json(const struct decl_summary *s);
json_t *worklist_json(const struct worklist_row *w);
json_t *event_json(const struct event_row *e);

/* An inspection with its agencies, findings and appointment. */
json_t *inspection_json(const struct inspection_state *s);
json_t *site_json(const struct inspection_site *s);
json_t *finding_json(const struct finding *f);

json_t *rules_meta_json(const struct rules_meta *m);

/* Row callbacks that append a view to a JSON array (arg). */
kerr append_summary(void *arg, const struct decl_summary *s);
kerr append_worklist(void *arg, const struct worklist_row *w);
kerr append_event(void *arg, const struct event_row *e);

#endif
