/*
 * transport_views.h - the JSON of the transport side: conveyance reports,
 * manifests, tally reports, calls, a declaration's match and the gate's
 * answer, made from the services' typed results. Each returns a new
 * reference (NULL when memory runs out). Private to src/api.
 */
#ifndef KOUAN_TRANSPORT_VIEWS_H
#define KOUAN_TRANSPORT_VIEWS_H

#include <jansson.h>

#include "service/calls.h"
#include "service/conveyances.h"
#include "service/manifests.h"
#include "service/terminal.h"

/* A report with its tasks, its call's times and the report as lodged. */
json_t *conveyance_json(const struct conveyance_state *s);
/* A line of a report list (no body, no tasks). */
json_t *conveyance_summary_json(const struct report_row *r);
/* A manifest version with what it changed and, after a lodging or an
 * amendment, what it did to the declarations it matched. */
json_t *manifest_json(const struct manifest_state *s);
json_t *manifest_summary_json(const struct manifest_row *m);
json_t *tally_json(const struct tally_row *t);
/* A declaration's match: its consignment and the differences. */
json_t *match_json(const struct consignment_row *r);
json_t *call_json(const struct call_view *c);
/* The gate's answer (domain/gate.c's verdict, with the call). */
json_t *gate_answer_json(const struct gate_answer *a);

/* Row callbacks that append a view to a JSON array (arg). */
kerr append_conveyance(void *arg, const struct report_row *r);
kerr append_manifest(void *arg, const struct manifest_row *m);

#endif
