/*
 * reference.c - the reference lists: read by every signed-in user from the
 * request's snapshot, edited by admins through the reference service (the
 * snapshot is rebuilt when the edit commits).
 */
#include <string.h>

#include "api/handlers.h"
#include "service/reference.h"

static const struct ref_list *list_or_404(struct api_ctx *ctx)
{
	const struct ref_list *l =
		refdata_list(uow_refdata(&ctx->uow), http_param(ctx->req, "list"));
	if (!l)
		api_problem(ctx, KERR_NOT_FOUND,
			    "no such reference list; GET /v1/reference names them", NULL);
	return l;
}

void api_reference_index(struct api_ctx *ctx)
{
	const struct refdata *ref = uow_refdata(&ctx->uow);
	json_t *lists = json_array();
	for (size_t i = 0; i < ref->nlists; i++)
		json_array_append_new(lists, json_pack("{s:s, s:I}", "name",
						       ref->lists[i].name, "entries",
						       (json_int_t)ref->lists[i].n));
	api_json(ctx, 200, json_pack("{s:o}", "lists", lists));
}

void api_reference_list(struct api_ctx *ctx)
{
	const struct ref_list *l = list_or_404(ctx);
	if (!l)
		return;
	const char *prefix = http_query(ctx->req, "prefix");
	size_t plen = prefix ? strlen(prefix) : 0;
	json_t *entries = json_array();
	for (size_t i = 0; i < l->n; i++)
		if (!prefix || strncmp(l->entries[i].code, prefix, plen) == 0)
			json_array_append(entries, l->entries[i].data);
	api_json(ctx, 200, json_pack("{s:s, s:o}", "list", l->name, "entries", entries));
}

void api_reference_get(struct api_ctx *ctx)
{
	const struct ref_list *l = list_or_404(ctx);
	if (!l)
		return;
	const struct ref_entry *e =
		refdata_find(uow_refdata(&ctx->uow), l->name, http_param(ctx->req, "code"));
	if (e)
		api_json(ctx, 200, json_incref(e->data));
	else
		api_problem(ctx, KERR_NOT_FOUND, "no entry with that code in this list", NULL);
}

void api_reference_put(struct api_ctx *ctx)
{
	const char *list = http_param(ctx->req, "list");
	if (!refdata_known_list(list)) {
		api_problem(ctx, KERR_NOT_FOUND,
			    "no such reference list; GET /v1/reference names them", NULL);
		return;
	}
	json_t *entry = api_read_body(ctx);
	if (!entry)
		return;
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = reference_put(&ctx->uow, &ctx->actor, list, http_param(ctx->req, "code"),
			       entry, &why);
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 200, json_incref(entry));
	json_decref(entry);
}

void api_reference_delete(struct api_ctx *ctx)
{
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = reference_delete(&ctx->uow, &ctx->actor, http_param(ctx->req, "list"),
				  http_param(ctx->req, "code"), &why);
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_no_content(ctx);
}
