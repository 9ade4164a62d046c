/*
 * batch.c - POST /v1/declarations/batch: many declarations lodged in one
 * request and one transaction, for brokers and carriers that lodge by the
 * hundred. Each item is validated, replayed or lodged exactly as
 * POST /v1/declarations would (api_lodge_one) under a savepoint of its own,
 * and answered on its own: accepted with its number, or refused with its
 * problem, whose field pointers lead into the batch's body. A refused item
 * undoes only itself. It must never let one item's failure undo another's
 * lodgement, nor answer an item that the commit did not keep (a commit
 * that fails answers the whole batch with the problem).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"

#define BATCH_MAX 100          /* declarations in one batch */
#define BATCH_KEY_MAX 128      /* as the Idempotency-Key header */

/* The envelope: {"declarations": [{"idempotency_key", "declaration"}]};
 * every problem of it at once, before anything is lodged. */
static bool envelope(struct api_ctx *ctx, json_t *body, json_t **items)
{
	static const char *const top[] = {"declarations", NULL};
	if (!api_only_fields(ctx, body, top, "declarations"))
		return false;
	struct problems p;
	problems_init(&p);
	char field[160];
	*items = json_object_get(body, "declarations");
	if (!*items) {
		problems_add(&p, "/declarations", "is required: an array of 1 to %d items, each "
				 "{\"idempotency_key\", \"declaration\"}", BATCH_MAX);
	} else if (!json_is_array(*items) || json_array_size(*items) < 1 ||
		   json_array_size(*items) > BATCH_MAX) {
		problems_add(&p, "/declarations", "must be an array of 1 to %d items", BATCH_MAX);
	} else {
		size_t i;
		json_t *it;
		json_array_foreach(*items, i, it)
		{
			snprintf(field, sizeof field, "/declarations/%zu", i);
			if (!json_is_object(it)) {
				problems_add(&p, field, "must be an object with idempotency_key "
						 "and declaration");
				continue;
			}
			const char *k;
			json_t *v;
			json_object_foreach(it, k, v)
			{
				if (strcmp(k, "idempotency_key") && strcmp(k, "declaration")) {
					snprintf(field, sizeof field, "/declarations/%zu/%.64s", i, k);
					problems_add(&p, field, "is not a field of an item (accepted: "
							 "idempotency_key, declaration)");
				}
			}
			const char *ks = json_string_value(json_object_get(it, "idempotency_key"));
			size_t n = ks ? strlen(ks) : 0;
			bool ok = n >= 1 && n <= BATCH_KEY_MAX;
			for (size_t j = 0; ok && j < n; j++)
				ok = ks[j] > 0x20 && ks[j] < 0x7f;
			snprintf(field, sizeof field, "/declarations/%zu/idempotency_key", i);
			if (!ok)
				problems_add(&p, field, "must be 1 to %d printable ASCII characters "
						 "without spaces, e.g. a UUID", BATCH_KEY_MAX);
			snprintf(field, sizeof field, "/declarations/%zu/declaration", i);
			if (!json_is_object(json_object_get(it, "declaration")))
				problems_add(&p, field, "is required: a declaration, as "
						 "POST /v1/declarations takes");
		}
	}
	if (!problems_any(&p))
		return true;
	api_problem(ctx, KERR_INVALID, "the batch has fields that are not valid", &p);
	return false;
}

/* The item's problem, its field pointers led into the batch's body. */
static json_t *item_problem(const struct buf *text, size_t index)
{
	json_t *pr = json_loadb(text->data ? text->data : "", text->len, 0, NULL);
	size_t i;
	json_t *err;
	json_array_foreach(json_object_get(pr, "errors"), i, err)
	{
		const char *f = json_string_value(json_object_get(err, "field"));
		if (!f)
			continue;
		char field[320];
		if (!strcmp(f, "header:Idempotency-Key"))
			snprintf(field, sizeof field, "/declarations/%zu/idempotency_key", index);
		else
			snprintf(field, sizeof field, "/declarations/%zu/declaration%s", index, f);
		json_object_set_new(err, "field", json_string(field));
	}
	if (pr)
		json_object_set_new(pr, "instance", json_string("/v1/declarations/batch"));
	return pr ? pr : json_null();
}

static const char *header_of(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

void api_declaration_batch(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx), *items;
	if (!body)
		return;
	if (!envelope(ctx, body, &items)) {
		json_decref(body);
		return;
	}
	json_t *results = json_array();
	size_t accepted = 0, refused = 0;
	struct http_response *resp = ctx->resp, scratch;
	int failed = 0; /* an item the store could not answer: the batch fails */
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		struct uow_savepoint sp;
		kerr e = uow_savepoint(&ctx->uow, &sp);
		if (e) {
			failed = 1;
			break;
		}
		http_response_init(&scratch);
		ctx->resp = &scratch;
		api_lodge_one(ctx, json_string_value(json_object_get(it, "idempotency_key")),
			      json_object_get(it, "declaration"));
		ctx->resp = resp;
		json_t *r;
		if (scratch.status == 201) {
			const char *loc = header_of(&scratch, "Location");
			const char *number = loc ? strrchr(loc, '/') : NULL;
			const char *rep = header_of(&scratch, "Idempotent-Replayed");
			r = json_pack("{s:I, s:i, s:s, s:b}", "index", (json_int_t)i, "status", 201,
				      "number", number ? number + 1 : "", "replayed",
				      rep && !strcmp(rep, "true"));
			accepted++;
			e = uow_savepoint_keep(&ctx->uow, &sp);
		} else {
			r = json_pack("{s:I, s:i, s:o}", "index", (json_int_t)i, "status",
				      scratch.status, "problem", item_problem(&scratch.body, i));
			refused++;
			e = uow_savepoint_undo(&ctx->uow, &sp);
			if (scratch.status >= 500)
				failed = scratch.status;
		}
		http_response_free(&scratch);
		json_array_append_new(results, r);
		if (e || failed) {
			failed = failed ? failed : 1;
			break;
		}
	}
	json_decref(body);
	if (failed) {
		json_decref(results);
		api_problem(ctx, failed == 503 ? KERR_BUSY : KERR_STORE,
			    "the batch could not be saved; nothing of it was lodged", NULL);
		return;
	}
	ctx->commit_failure = "the batch could not be saved; nothing of it was lodged";
	api_json(ctx, 200,
		 json_pack("{s:I, s:I, s:o}", "accepted", (json_int_t)accepted, "refused",
			   (json_int_t)refused, "results", results));
}
