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

/* What a reader may be shown of a declaration: everything, everything but
 * the lanes (kouan's reasons and the assessment's lanes, hidden from
 * declarants by default), or what a release notice says (port operators). */
enum view_level {
	VIEW_FULL,
	VIEW_NO_LANES,
	VIEW_NOTICE,
};
enum view_level view_level_of(const struct services *s, const struct actor *a);

/* The representation of a declaration served by every endpoint: number,
 * status, version, direction, times, organisation, tasks, totals and the
 * declaration itself; at VIEW_NOTICE only the notice's facts (number,
 * status, release time, port, bill of lading, containers, agencies that
 * cleared it). */
json_t *declaration_json(struct declaration *d, enum view_level level);
json_t *task_json(const struct task_row *t, enum view_level level);

/* What an answer shows of a declaration that the declaration does not keep
 * (it changes later): {status, updated_at, released_at, tasks}. Not for
 * VIEW_NOTICE. */
json_t *declaration_moment(struct declaration *d, enum view_level level);
/* The full view of a declaration as text (not VIEW_NOTICE), its body's
 * canonical text spliced in as stored rather than written out again:
 * `moment` (made by declaration_moment, maybe long ago) stands for the
 * declaration's status, times and tasks. The same declaration, version and
 * moment give the same bytes. NULL when memory runs out or the body or
 * moment cannot be read. free() it. */
char *declaration_answer_text(struct declaration *d, const json_t *moment);
json_t *decl_summary_json(const struct decl_summary *s, enum view_level level);
json_t *worklist_json(const struct worklist_row *w);
json_t *event_json(const struct event_row *e, enum view_level level);

/* An inspection with its agencies, findings and appointment. */
json_t *inspection_json(const struct inspection_state *s);
json_t *site_json(const struct inspection_site *s);
json_t *finding_json(const struct finding *f);

json_t *rules_meta_json(const struct rules_meta *m);

/* Row callbacks that append a view to a JSON array. */
struct view_list {
	json_t *array;
	enum view_level level;
	int64_t last_id; /* events: the id of the last one appended */
};
kerr append_summary(void *arg, const struct decl_summary *s); /* arg: struct view_list */
kerr append_worklist(void *arg, const struct worklist_row *w); /* arg: json_t array */
kerr append_event(void *arg, const struct event_row *e);      /* arg: struct view_list */

#endif
