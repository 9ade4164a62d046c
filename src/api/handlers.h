/*
 * handlers.h - what a handler has (struct api_ctx) and the helpers it uses
 * to read a request and answer it, and every handler of the route table,
 * by resource. Private to src/api.
 *
 * A handler: reads and checks the request (answering 400/413/415/428 at
 * once), calls one service with the caller as actor and the request's unit
 * of work, and renders the result (views.h) or the refusal. It does not
 * commit: the dispatcher does, when the answer is a success.
 */
#ifndef KOUAN_HANDLERS_H
#define KOUAN_HANDLERS_H

#include <jansson.h>

#include "api/api.h"
#include "domain/credentials.h"
#include "domain/payment.h"
#include "domain/workflow.h"
#include "http/problem.h"
#include "service/accounts.h"

struct api_ctx {
	struct app *app;
	const struct http_request *req;
	struct http_response *resp;
	const struct route *route;
	struct actor actor;                /* the caller */
	char token_hash[TOKEN_HASH_HEX];   /* of the caller's token */
	struct uow uow;                    /* the request's unit of work */
	int64_t received_us;               /* when the request arrived */
	const char *commit_failure;        /* detail if the commit fails */
	/* a 409 whose unit is committed all the same: a refused gate event is
	 * answered 409 and its attempt stays on the record */
	bool keep_refused;
};

/* --- answering --- */

/* A problem; detail and errors may be NULL. */
void api_problem(struct api_ctx *ctx, kerr e, const char *detail,
		 const struct problems *errors);
/* A problem with extension members (taken; may be NULL). */
void api_problem_ext(struct api_ctx *ctx, kerr e, const char *detail,
		     const struct problems *errors, json_t *extra);
/* A problem with one field error (the detail is the problem text unless e
 * is KERR_INVALID). */
void api_field_problem(struct api_ctx *ctx, kerr e, const char *field,
		       const char *problem);
/* A service's refusal: its sentence and field problems; a store failure
 * (or other internal error) becomes a 500/503 with `failure` as detail. */
void api_refused(struct api_ctx *ctx, kerr e, const struct refusal *why,
		 const char *failure);
/* 429 (too many failures: wait, or locked) or 503 (every password-hashing
 * turn taken) with Retry-After, for a check that was not tried. */
void api_throttled(struct api_ctx *ctx, kerr e, const struct throttle_refusal *w);
/* 429 with Retry-After (at least 1 s) and the problem's retry_after_s (in
 * `extra`, taken, or a new object when NULL). */
void api_retry_later(struct api_ctx *ctx, int64_t retry_after_s, const char *detail,
		     json_t *extra);
/* JSON; takes the reference to `body`. */
void api_json(struct api_ctx *ctx, int status, json_t *body);
/* An empty 204. */
void api_no_content(struct api_ctx *ctx);

/* --- reading --- */

/* A JSON object body: checks media type (415), size (413) and syntax
 * (400). NULL after answering when it is not acceptable. */
json_t *api_read_body(struct api_ctx *ctx);
/* Are all members of the body among `ok` (NULL-terminated)? Otherwise
 * answers 400 naming each unknown one, with `accepted` as the list shown. */
bool api_only_fields(struct api_ctx *ctx, const json_t *body, const char *const *ok,
		     const char *accepted);
/* An integer query parameter within [lo, hi]; answers 400 and returns false
 * when malformed. Absent: *out = dflt. */
bool api_query_int(struct api_ctx *ctx, const char *name, int64_t lo, int64_t hi,
		   int64_t dflt, int64_t *out);
/* A bank's answer to a payment order, read from the body
 * (payment_answer_parse): a declaration's or a platform's month; answers
 * 400 and returns false when it is not one. */
bool api_read_bank_answer(struct api_ctx *ctx, struct payment_answer *out);
/* The query of a bank's list of payment orders: `status` (absent: NULL;
 * else reported, paid or refused) and `limit` (1 to 500, 100); answers
 * 400 and returns false when either is wrong. */
bool api_payment_orders_query(struct api_ctx *ctx, const char **status, int64_t *limit);
/* An optional {"reason": "..."} member: a non-empty string of at most max
 * bytes; answers 400 and returns false when not (or when required and
 * absent). */
bool api_reason(struct api_ctx *ctx, const json_t *body, bool required, size_t max,
		const char **reason);
/* An officer's {"decision", "reason"} (the reason required): answers 400
 * and returns false when it is not one. */
bool api_decision(struct api_ctx *ctx, const json_t *body, enum decision *d,
		  const char **reason);

/* --- Idempotency-Key --- */

/* Read the Idempotency-Key header (answers 428/400 and returns NULL when
 * absent or malformed). */
const char *api_idempotency_key(struct api_ctx *ctx);
/* Claim `key` for the caller's organisation in the request's unit of
 * work, for a request whose canonical body hashes to `hash`. Returns true
 * when the request is answered already: the earlier answer replayed, a
 * 409 (the key was used with another body), or a failure. */
bool api_idempotent_replay(struct api_ctx *ctx, const char *key, const char *hash);
/* Keep the answer to a claimed key (in the same unit of work). */
KOUAN_MUST_USE kerr api_idempotent_record(struct api_ctx *ctx, const char *key,
					  const char *hash, int status, const char *answer);

/* --- handlers, by resource --- */

/* system.c */
void api_healthz(struct api_ctx *ctx);
void api_openapi(struct api_ctx *ctx);
void api_release_key(struct api_ctx *ctx);
/* sessions.c */
void api_session_create(struct api_ctx *ctx);
void api_session_delete(struct api_ctx *ctx);
void api_me(struct api_ctx *ctx);
void api_me_password(struct api_ctx *ctx);
/* reference.c */
void api_reference_index(struct api_ctx *ctx);
void api_reference_list(struct api_ctx *ctx);
void api_reference_get(struct api_ctx *ctx);
void api_reference_put(struct api_ctx *ctx);
void api_reference_delete(struct api_ctx *ctx);
/* declarations.c */
void api_declaration_create(struct api_ctx *ctx);
/* Lodge one declaration body under `key` (validated, then replayed or
 * lodged) and answer it in ctx->resp as POST /v1/declarations does. */
void api_lodge_one(struct api_ctx *ctx, const char *key, json_t *body);
void api_declaration_batch(struct api_ctx *ctx);
void api_declaration_list(struct api_ctx *ctx);
void api_declaration_get(struct api_ctx *ctx);
void api_declaration_correct(struct api_ctx *ctx);
void api_declaration_withdraw(struct api_ctx *ctx);
void api_declaration_events(struct api_ctx *ctx);
void api_declaration_notice(struct api_ctx *ctx);
void api_declaration_version(struct api_ctx *ctx);
void api_declaration_risk(struct api_ctx *ctx);
/* tasks.c */
void api_task_decide(struct api_ctx *ctx);
void api_task_worklist(struct api_ctx *ctx);
/* events.c */
void api_events_feed(struct api_ctx *ctx);
/* admin.c */
void api_organisation_create(struct api_ctx *ctx);
void api_organisation_list(struct api_ctx *ctx);
void api_user_create(struct api_ctx *ctx);
void api_user_list(struct api_ctx *ctx);
void api_user_get(struct api_ctx *ctx);
void api_user_disable(struct api_ctx *ctx);
void api_user_enable(struct api_ctx *ctx);
void api_user_unlock(struct api_ctx *ctx);
void api_user_password_reset(struct api_ctx *ctx);
void api_user_tokens_revoke(struct api_ctx *ctx);
void api_me_tokens_revoke(struct api_ctx *ctx);
/* audit.c */
void api_audit_list(struct api_ctx *ctx);
void api_audit_head(struct api_ctx *ctx);
/* web.c: GET /v1/ui-settings, the port's time zone and the interface
 * languages */
void api_ui_settings(struct api_ctx *ctx);
/* mandates.c */
void api_mandate_create(struct api_ctx *ctx);
void api_mandate_list(struct api_ctx *ctx);
void api_mandate_revoke(struct api_ctx *ctx);
/* inspections.c */
void api_inspection_get(struct api_ctx *ctx);
void api_declaration_inspection(struct api_ctx *ctx);
void api_inspection_finding(struct api_ctx *ctx);
void api_inspection_recognition(struct api_ctx *ctx);
void api_inspection_waiver(struct api_ctx *ctx);
void api_inspection_book(struct api_ctx *ctx);
void api_inspection_move(struct api_ctx *ctx);
void api_inspection_cancel(struct api_ctx *ctx);
void api_inspection_site_create(struct api_ctx *ctx);
void api_inspection_site_list(struct api_ctx *ctx);
void api_inspection_site_get(struct api_ctx *ctx);
void api_inspection_site_schedule(struct api_ctx *ctx);
/* risk.c */
void api_risk_rules_list(struct api_ctx *ctx);
void api_risk_rules_get(struct api_ctx *ctx);
void api_risk_rules_add(struct api_ctx *ctx);
void api_risk_rules_preview(struct api_ctx *ctx);
void api_risk_rules_effectiveness(struct api_ctx *ctx);
void api_risk_profiles_list(struct api_ctx *ctx);
void api_risk_profile_put(struct api_ctx *ctx);
void api_risk_scaling_put(struct api_ctx *ctx);
void api_credit_get(struct api_ctx *ctx);
void api_credit_put(struct api_ctx *ctx);
/* money.c */
void api_tariff_load(struct api_ctx *ctx);
void api_tariff_versions(struct api_ctx *ctx);
void api_tariff_version(struct api_ctx *ctx);
void api_tariff_line(struct api_ctx *ctx);
void api_rates_load(struct api_ctx *ctx);
void api_rates_list(struct api_ctx *ctx);
void api_fees_public(struct api_ctx *ctx);
void api_fee_catalogue(struct api_ctx *ctx);
void api_fees_load(struct api_ctx *ctx);
void api_declaration_assessment(struct api_ctx *ctx);
void api_declaration_pay(struct api_ctx *ctx);
void api_payment_answer(struct api_ctx *ctx);
void api_payments_list(struct api_ctx *ctx);
void api_banks_list(struct api_ctx *ctx);
void api_declaration_guarantee(struct api_ctx *ctx);
void api_declaration_charges(struct api_ctx *ctx);
void api_declaration_charge(struct api_ctx *ctx);
void api_guarantee_register(struct api_ctx *ctx);
void api_guarantees_list(struct api_ctx *ctx);
void api_guarantee_get(struct api_ctx *ctx);
/* refunds.c */
void api_refund_apply(struct api_ctx *ctx);
void api_refunds_list(struct api_ctx *ctx);
void api_refund_get(struct api_ctx *ctx);
void api_refund_decide(struct api_ctx *ctx);
void api_declaration_departure(struct api_ctx *ctx);
void api_declaration_departure_get(struct api_ctx *ctx);
/* transport.c: the transport side */
void api_conveyance_create(struct api_ctx *ctx);
void api_conveyance_list(struct api_ctx *ctx);
void api_conveyance_get(struct api_ctx *ctx);
void api_conveyance_amend(struct api_ctx *ctx);
void api_conveyance_arrival(struct api_ctx *ctx);
void api_conveyance_departure(struct api_ctx *ctx);
void api_conveyance_decide(struct api_ctx *ctx);
void api_conveyance_permission(struct api_ctx *ctx);
void api_manifest_create(struct api_ctx *ctx);
void api_manifest_list(struct api_ctx *ctx);
void api_manifest_get(struct api_ctx *ctx);
void api_manifest_version(struct api_ctx *ctx);
void api_manifest_amend(struct api_ctx *ctx);
void api_tally_create(struct api_ctx *ctx);
void api_tally_get(struct api_ctx *ctx);
void api_call_get(struct api_ctx *ctx);
void api_call_events(struct api_ctx *ctx);
void api_declaration_match(struct api_ctx *ctx);
void api_gate_get(struct api_ctx *ctx);
void api_gate_event(struct api_ctx *ctx);
/* statistics.c: clearance time over a selection */
void api_statistics_clearance(struct api_ctx *ctx);
void api_declaration_clearance_time(struct api_ctx *ctx);

/* cbec.c: cross-border e-commerce retail imports */
void api_cbec_orders(struct api_ctx *ctx);
void api_cbec_payments(struct api_ctx *ctx);
void api_cbec_waybills(struct api_ctx *ctx);
void api_cbec_inventories(struct api_ctx *ctx);
void api_cbec_message(struct api_ctx *ctx);
void api_cbec_order_withdraw(struct api_ctx *ctx);
void api_cbec_payment_withdraw(struct api_ctx *ctx);
void api_cbec_waybill_withdraw(struct api_ctx *ctx);
void api_cbec_parcel_get(struct api_ctx *ctx);
void api_cbec_parcel_list(struct api_ctx *ctx);
void api_cbec_parcel_decide(struct api_ctx *ctx);
void api_cbec_gate_out(struct api_ctx *ctx);
void api_cbec_parcel_return(struct api_ctx *ctx);
void api_cbec_quota(struct api_ctx *ctx);
void api_cbec_month_get(struct api_ctx *ctx);
void api_cbec_month_pay(struct api_ctx *ctx);
void api_cbec_month_answer(struct api_ctx *ctx);
void api_cbec_month_payments(struct api_ctx *ctx);

#endif
