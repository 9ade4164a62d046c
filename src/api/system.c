/* system.c - public endpoints: health, the OpenAPI document, the release
 * notice verification key. */
#include <sodium.h>
#include <string.h>

#include "api/handlers.h"

/* Healthy means the database answers too: a load balancer takes a server
 * whose database is gone out of rotation. */
void api_healthz(struct api_ctx *ctx)
{
	char now[TIME_TEXT_SIZE];
	uow_now(&ctx->uow, now);
	if (uow_ping(&ctx->uow)) {
		api_problem(ctx, KERR_BUSY, "the database does not answer", NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:s, s:s, s:s}", "status", "ok", "time", now,
				     "store", ctx->app->svc.store->backend));
}

void api_openapi(struct api_ctx *ctx)
{
	buf_reset(&ctx->resp->body);
	if (!ctx->app->openapi || buf_puts(&ctx->resp->body, ctx->app->openapi)) {
		api_problem(ctx, KERR_NOT_FOUND, "the OpenAPI document is not built in", NULL);
		return;
	}
	ctx->resp->status = 200;
	ctx->resp->content_type = "application/json";
}

void api_release_key(struct api_ctx *ctx)
{
	char pk[64];
	sodium_bin2base64(pk, sizeof pk, ctx->app->svc.sign_pk, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	api_json(ctx, 200, json_pack("{s:s, s:s, s:s, s:s}", "algorithm", "Ed25519",
				     "key_id", ctx->app->svc.key_id, "public_key", pk,
				     "signed_text",
				     "the 'notice' string of a release notice, as UTF-8 bytes"));
}
