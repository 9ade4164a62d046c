/*
 * reference.c - the reference lists: read by every signed-in user, edited
 * by admins. An edit is audited and takes effect at once: the in-memory
 * snapshot validation uses is rebuilt after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "common/codes.h"

static const struct ref_list *list_or_404(struct api_ctx *ctx, struct refdata *ref)
{
	const char *name = http_param(ctx->req, "list");
	const struct ref_list *l = refdata_list(ref, name);
	if (!l)
		api_problem(ctx, KERR_NOT_FOUND,
			    "no such reference list; GET /v1/reference names them", NULL);
	return l;
}

void api_reference_index(struct api_ctx *ctx)
{
	struct refdata *ref = app_refdata(ctx->app);
	json_t *lists = json_array();
	for (size_t i = 0; i < ref->nlists; i++)
		json_array_append_new(lists, json_pack("{s:s, s:I}", "name",
						       ref->lists[i].name, "entries",
						       (json_int_t)ref->lists[i].n));
	refdata_release(ref);
	api_json(ctx, 200, json_pack("{s:o}", "lists", lists));
}

void api_reference_list(struct api_ctx *ctx)
{
	struct refdata *ref = app_refdata(ctx->app);
	const struct ref_list *l = list_or_404(ctx, ref);
	if (l) {
		const char *prefix = http_query(ctx->req, "prefix");
		size_t plen = prefix ? strlen(prefix) : 0;
		json_t *entries = json_array();
		for (size_t i = 0; i < l->n; i++)
			if (!prefix || strncmp(l->entries[i].code, prefix, plen) == 0)
				json_array_append(entries, l->entries[i].data);
		api_json(ctx, 200, json_pack("{s:s, s:o}", "list", l->name, "entries", entries));
	}
	refdata_release(ref);
}

void api_reference_get(struct api_ctx *ctx)
{
	struct refdata *ref = app_refdata(ctx->app);
	const struct ref_list *l = list_or_404(ctx, ref);
	if (l) {
		const struct ref_entry *e =
			refdata_find(ref, l->name, http_param(ctx->req, "code"));
		if (e)
			api_json(ctx, 200, json_incref(e->data));
		else
			api_problem(ctx, KERR_NOT_FOUND, "no entry with that code in this list", NULL);
	}
	refdata_release(ref);
}

/* Check an entry an admin sends for list `list` and code `code`. */
static void check_entry(const struct refdata *ref, const char *list,
			const char *code, json_t *entry, struct problems *p)
{
	json_t *c = json_object_get(entry, "code");
	if (c && (!json_is_string(c) || strcmp(json_string_value(c), code) != 0))
		problems_add(p, "/code", "must equal the code in the path (%.40s)", code);
	if (strlen(code) > 64)
		problems_add(p, "/code", "must be at most 64 characters");
	if (!strcmp(list, "customs_offices") &&
	    (strlen(code) != 4 || strspn(code, "0123456789") != 4))
		problems_add(p, "/code", "a customs office code must be 4 digits");
	json_t *name = json_object_get(entry, "name_en");
	if (!json_is_string(name) || !*json_string_value(name))
		problems_add(p, "/name_en", "is required: the English name");
	json_t *ag = json_object_get(entry, "agencies");
	if (ag) {
		size_t i;
		json_t *a;
		if (!json_is_array(ag))
			problems_add(p, "/agencies", "must be an array of agency codes");
		json_array_foreach(ag, i, a)
		{
			if (!json_is_string(a) ||
			    refdata_agency_index(ref, json_string_value(a)) < 0)
				problems_add(p, "/agencies", "entry %zu is not a known agency "
							     "(see GET /v1/reference/agencies)", i);
		}
	}
	if (strcmp(list, "commodities") == 0) {
		if (codes_check_hs(code) != CODES_OK)
			problems_add(p, "/code", "an HS code %s",
				     codes_result_text(codes_check_hs(code), "HS"));
		const char *unit = json_string_value(json_object_get(entry, "unit"));
		if (!unit || !refdata_has(ref, "units", unit))
			problems_add(p, "/unit", "is required: a code from the units list");
		if (!ag)
			problems_add(p, "/agencies", "is required: the agencies that act "
						     "on this commodity");
	}
	if (strcmp(list, "agencies") == 0) {
		const char *scope = json_string_value(json_object_get(entry, "scope"));
		if (!scope || (strcmp(scope, "declaration") && strcmp(scope, "goods") &&
			       strcmp(scope, "conveyance")))
			problems_add(p, "/scope", "must be declaration, goods or conveyance");
	}
}

static void change(struct api_ctx *ctx, bool remove)
{
	const char *list = http_param(ctx->req, "list");
	const char *code = http_param(ctx->req, "code");
	if (!refdata_known_list(list)) {
		api_problem(ctx, KERR_NOT_FOUND,
			    "no such reference list; GET /v1/reference names them", NULL);
		return;
	}
	json_t *entry = NULL;
	char *text = NULL;
	if (!remove) {
		entry = api_read_body(ctx);
		if (!entry)
			return;
		struct problems p;
		problems_init(&p);
		struct refdata *ref = app_refdata(ctx->app);
		check_entry(ref, list, code, entry, &p);
		refdata_release(ref);
		if (problems_any(&p)) {
			api_problem(ctx, KERR_INVALID, "the entry is not valid", &p);
			json_decref(entry);
			return;
		}
		json_object_set_new(entry, "code", json_string(code));
		text = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	}
	char now[KTIME_TEXT_MAX], target[96];
	api_now(ctx, now);
	snprintf(target, sizeof target, "%s/%s", list, code);
	kerr e = KERR_NOMEM;
	if (api_begin(ctx, true)) {
		e = remove ? repo_ref_delete(ctx->conn, list, code)
			   : text ? repo_ref_put(ctx->conn, list, code, text, now, true)
				  : KERR_NOMEM;
		if (!e)
			e = repo_audit(ctx->conn, now, ctx->caller.user.username,
				       remove ? "reference.deleted" : "reference.put",
				       target, text);
		if (!e) /* the other servers reload their snapshot */
			e = store_announce(ctx->conn, STORE_TOPIC_REFERENCE);
		if (e) {
			store_rollback(ctx->conn);
			api_problem(ctx, e, e == KERR_NOT_FOUND ? "no entry with that code" : NULL,
				    NULL);
		} else if (api_commit(ctx)) {
			if (app_reload_refdata(ctx->app, ctx->conn))
				api_problem(ctx, KERR_STORE, "saved, but the reload failed", NULL);
			else if (remove) {
				ctx->resp->status = 204;
				buf_reset(&ctx->resp->body);
			} else
				api_json(ctx, 200, json_incref(entry));
		}
	}
	free(text);
	json_decref(entry);
}

void api_reference_put(struct api_ctx *ctx)
{
	change(ctx, false);
}

void api_reference_delete(struct api_ctx *ctx)
{
	change(ctx, true);
}
