/*
 * router.c - the route table, request authentication and role checks, and
 * the one place where a request's unit of work is committed or rolled
 * back.
 *
 * The route table is data: one line per endpoint with the roles allowed,
 * whether its unit of work reads or writes, and whether it runs apart from
 * its connection's worker (RUN_APART: a request that may take long;
 * RUN_APART_IF_IDLE: a password hash, apart only when the pool is idle).
 * Public endpoints carry ROLES_PUBLIC; every other one needs a bearer
 * token. The auditor reads the audit log and nothing else (READERS leaves
 * it out).
 *
 * The client's address, recorded with every audited act and counted by
 * login throttling, is the peer's, unless the peer is a trusted proxy: then
 * it is read from X-Forwarded-For, from the right, as the first address
 * that is not itself a trusted proxy. (A proxy appends the address it saw
 * to whatever the client sent, so only the right end can be believed.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"
#include "common/log.h"
#include "common/netaddr.h"
#include "service/accounts.h"

#define OFFICERS (ROLES_AGENCY | ROLE_BIT(ANALYST) | ROLE_BIT(ADMIN))
#define READERS (ROLES_ANY & ~ROLE_BIT(AUDITOR))
#define DECLARANT ROLE_BIT(DECLARANT)
#define ADMIN ROLE_BIT(ADMIN)
#define AUDITOR ROLE_BIT(AUDITOR)
#define TAX_READERS (DECLARANT | ROLE_BIT(CUSTOMS) | ROLE_BIT(ANALYST) | ADMIN)
#define REFUND_READERS (DECLARANT | ROLE_BIT(TAX_OFFICE) | ROLE_BIT(ANALYST) | ADMIN)
#define CARRIER ROLE_BIT(CARRIER)
#define PORT ROLE_BIT(PORT_OPERATOR)
#define BANK ROLE_BIT(BANK)
/* who reads the transport side: carriers (their own), terminals (their
 * port), officers, analysts, admins; declarants do not */
#define TRANSPORT_READERS (CARRIER | PORT | OFFICERS)
/* cross-border e-commerce: the four parties, and who reads parcels */
#define CBEC_PLATFORM ROLE_BIT(CBEC_PLATFORM)
#define CBEC_PARTIES                                                           \
	(CBEC_PLATFORM | ROLE_BIT(CBEC_ENTERPRISE) | ROLE_BIT(CBEC_PAYMENT) |  \
	 ROLE_BIT(CBEC_LOGISTICS))
#define CBEC_READERS                                                           \
	(CBEC_PARTIES | ROLE_BIT(CUSTOMS) | ROLE_BIT(QUARANTINE) | ROLE_BIT(ANALYST) | ADMIN)
#define MANIFEST_READERS (CARRIER | PORT | ROLE_BIT(CUSTOMS) | ROLE_BIT(ANALYST) | ADMIN)

static const struct route routes[] = {
	{"GET", "/v1/healthz", api_healthz, ROLES_PUBLIC, TX_READ},
	{"GET", "/openapi.json", api_openapi, ROLES_PUBLIC, TX_READ},
	{"GET", "/v1/release-key", api_release_key, ROLES_PUBLIC, TX_READ},
	{"GET", "/v1/ui-settings", api_ui_settings, ROLES_PUBLIC, TX_READ},
	{"POST", "/v1/sessions", api_session_create, ROLES_PUBLIC, TX_WRITE | RUN_APART_IF_IDLE},
	{"DELETE", "/v1/sessions/current", api_session_delete, ROLES_ANY, TX_WRITE},
	{"GET", "/v1/me", api_me, ROLES_ANY, TX_READ},
	{"PUT", "/v1/me/password", api_me_password, ROLES_ANY, TX_WRITE | RUN_APART_IF_IDLE},
	{"DELETE", "/v1/me/tokens", api_me_tokens_revoke, ROLES_ANY, TX_WRITE},
	{"GET", "/v1/reference", api_reference_index, READERS, TX_READ},
	{"GET", "/v1/reference/{list}", api_reference_list, READERS, TX_READ},
	{"GET", "/v1/reference/{list}/{code}", api_reference_get, READERS, TX_READ},
	{"PUT", "/v1/reference/{list}/{code}", api_reference_put, ADMIN, TX_WRITE},
	{"DELETE", "/v1/reference/{list}/{code}", api_reference_delete, ADMIN, TX_WRITE},
	{"POST", "/v1/declarations", api_declaration_create, DECLARANT, TX_WRITE},
	{"GET", "/v1/declarations", api_declaration_list, READERS, TX_READ},
	{"GET", "/v1/declarations/{number}", api_declaration_get, READERS, TX_READ},
	{"PUT", "/v1/declarations/{number}", api_declaration_correct, DECLARANT, TX_WRITE},
	{"POST", "/v1/declarations/{number}/withdrawal", api_declaration_withdraw, DECLARANT,
	 TX_WRITE},
	{"GET", "/v1/declarations/{number}/events", api_declaration_events, READERS, TX_READ},
	{"GET", "/v1/declarations/{number}/release-notice", api_declaration_notice, READERS,
	 TX_READ},
	{"GET", "/v1/declarations/{number}/versions/{version}", api_declaration_version,
	 READERS, TX_READ},
	{"POST", "/v1/declarations/{number}/tasks/{agency}/decision", api_task_decide,
	 ROLES_AGENCY, TX_WRITE},
	{"GET", "/v1/tasks", api_task_worklist, OFFICERS, TX_READ},
	{"GET", "/v1/events", api_events_feed, READERS, TX_READ},
	{"POST", "/v1/organisations", api_organisation_create, ADMIN, TX_WRITE},
	{"GET", "/v1/organisations", api_organisation_list, ADMIN, TX_READ},
	{"POST", "/v1/users", api_user_create, ADMIN, TX_WRITE | RUN_APART_IF_IDLE},
	{"GET", "/v1/users", api_user_list, ADMIN, TX_READ},
	{"GET", "/v1/users/{username}", api_user_get, ADMIN, TX_READ},
	{"POST", "/v1/users/{username}/disable", api_user_disable, ADMIN, TX_WRITE},
	{"POST", "/v1/users/{username}/enable", api_user_enable, ADMIN, TX_WRITE},
	{"POST", "/v1/users/{username}/unlock", api_user_unlock, ADMIN, TX_WRITE},
	{"PUT", "/v1/users/{username}/password", api_user_password_reset, ADMIN,
	 TX_WRITE | RUN_APART_IF_IDLE},
	{"DELETE", "/v1/users/{username}/tokens", api_user_tokens_revoke, ADMIN, TX_WRITE},
	/* the audit log */
	{"GET", "/v1/audit", api_audit_list, AUDITOR, TX_READ},
	{"GET", "/v1/audit/head", api_audit_head, AUDITOR, TX_READ},
	/* electronic mandates (委托) */
	{"POST", "/v1/mandates", api_mandate_create, DECLARANT, TX_WRITE},
	{"GET", "/v1/mandates", api_mandate_list, DECLARANT, TX_READ},
	{"DELETE", "/v1/mandates/{id}", api_mandate_revoke, DECLARANT, TX_WRITE},
	/* joint inspection and appointments */
	{"GET", "/v1/inspections/{id}", api_inspection_get, READERS, TX_READ},
	{"GET", "/v1/declarations/{number}/inspection", api_declaration_inspection, READERS,
	 TX_READ},
	{"POST", "/v1/inspections/{id}/findings/{agency}", api_inspection_finding,
	 ROLES_AGENCY, TX_WRITE},
	{"POST", "/v1/inspections/{id}/findings/{agency}/recognition",
	 api_inspection_recognition, ROLES_AGENCY, TX_WRITE},
	{"POST", "/v1/inspections/{id}/waivers/{agency}", api_inspection_waiver, ROLES_AGENCY,
	 TX_WRITE},
	{"POST", "/v1/inspections/{id}/booking", api_inspection_book, DECLARANT, TX_WRITE},
	{"PUT", "/v1/inspections/{id}/booking", api_inspection_move, DECLARANT, TX_WRITE},
	{"DELETE", "/v1/inspections/{id}/booking", api_inspection_cancel, DECLARANT, TX_WRITE},
	{"POST", "/v1/inspection-sites", api_inspection_site_create, ADMIN, TX_WRITE},
	{"GET", "/v1/inspection-sites", api_inspection_site_list, READERS, TX_READ},
	{"GET", "/v1/inspection-sites/{code}", api_inspection_site_get, READERS, TX_READ},
	{"GET", "/v1/inspection-sites/{code}/schedule", api_inspection_site_schedule,
	 READERS, TX_READ},
	/* risk-based clearance */
	{"GET", "/v1/declarations/{number}/risk", api_declaration_risk, OFFICERS, TX_READ},
	{"GET", "/v1/risk/rules", api_risk_rules_list, OFFICERS, TX_READ},
	{"POST", "/v1/risk/rules", api_risk_rules_add, ROLES_AGENCY | ADMIN, TX_WRITE},
	{"POST", "/v1/risk/rules/preview", api_risk_rules_preview, OFFICERS, TX_READ | RUN_APART},
	{"GET", "/v1/risk/rules/{version}", api_risk_rules_get, OFFICERS, TX_READ},
	{"GET", "/v1/risk/rules/{version}/effectiveness", api_risk_rules_effectiveness,
	 OFFICERS, TX_READ | RUN_APART},
	{"GET", "/v1/risk/profiles", api_risk_profiles_list, OFFICERS, TX_READ},
	{"PUT", "/v1/risk/profiles/{office}/{agency}", api_risk_profile_put,
	 ROLES_AGENCY | ADMIN, TX_WRITE},
	{"PUT", "/v1/risk/credit-scaling", api_risk_scaling_put, ADMIN, TX_WRITE},
	{"GET", "/v1/organisations/{uscc}/credit", api_credit_get, OFFICERS, TX_READ},
	{"PUT", "/v1/organisations/{uscc}/credit", api_credit_put,
	 ROLE_BIT(CUSTOMS) | ADMIN, TX_WRITE},
	/* money: tariff, exchange rates, published port fees, a declaration's
	 * duties and taxes, guarantees, port charges, export tax refunds */
	{"POST", "/v1/tariff/versions", api_tariff_load, ADMIN, TX_WRITE | RUN_APART},
	{"GET", "/v1/tariff/versions", api_tariff_versions, READERS, TX_READ},
	{"GET", "/v1/tariff/versions/{id}", api_tariff_version, READERS, TX_READ},
	{"GET", "/v1/tariff/lines/{code}", api_tariff_line, READERS, TX_READ},
	{"POST", "/v1/exchange-rates", api_rates_load, ADMIN, TX_WRITE | RUN_APART},
	{"GET", "/v1/exchange-rates", api_rates_list, READERS, TX_READ},
	{"GET", "/v1/fees", api_fees_public, ROLES_PUBLIC, TX_READ},
	{"POST", "/v1/fees", api_fees_load, ROLE_BIT(ANALYST) | ADMIN, TX_WRITE | RUN_APART},
	{"GET", "/v1/fees/{id}", api_fee_catalogue, ROLES_PUBLIC, TX_READ},
	{"GET", "/v1/declarations/{number}/assessment", api_declaration_assessment,
	 TAX_READERS, TX_READ},
	{"POST", "/v1/declarations/{number}/payments", api_declaration_pay, DECLARANT,
	 TX_WRITE},
	{"POST", "/v1/declarations/{number}/guarantee", api_declaration_guarantee, DECLARANT,
	 TX_WRITE},
	{"GET", "/v1/banks", api_banks_list, DECLARANT | CBEC_PLATFORM | BANK | OFFICERS,
	 TX_READ},
	{"GET", "/v1/payments", api_payments_list, BANK, TX_READ},
	{"POST", "/v1/payments/{reference}/answer", api_payment_answer, BANK, TX_WRITE},
	{"GET", "/v1/declarations/{number}/charges", api_declaration_charges,
	 TAX_READERS | ROLE_BIT(PORT_OPERATOR), TX_READ},
	{"POST", "/v1/declarations/{number}/charges", api_declaration_charge,
	 ROLE_BIT(PORT_OPERATOR), TX_WRITE},
	{"POST", "/v1/declarations/{number}/departure", api_declaration_departure,
	 ROLE_BIT(PORT_OPERATOR) | ROLE_BIT(CUSTOMS), TX_WRITE},
	{"GET", "/v1/declarations/{number}/departure", api_declaration_departure_get,
	 DECLARANT | PORT | OFFICERS, TX_READ},
	{"POST", "/v1/guarantees", api_guarantee_register, ROLE_BIT(CUSTOMS) | ADMIN, TX_WRITE},
	{"GET", "/v1/guarantees", api_guarantees_list, TAX_READERS, TX_READ},
	{"GET", "/v1/guarantees/{number}", api_guarantee_get, TAX_READERS, TX_READ},
	{"POST", "/v1/refunds", api_refund_apply, DECLARANT, TX_WRITE},
	{"GET", "/v1/refunds", api_refunds_list, REFUND_READERS, TX_READ},
	{"GET", "/v1/refunds/{id}", api_refund_get, REFUND_READERS, TX_READ},
	{"POST", "/v1/refunds/{id}/decision", api_refund_decide, ROLE_BIT(TAX_OFFICE),
	 TX_WRITE},
	/* the transport side: conveyances, manifests, tally, the gate */
	{"POST", "/v1/conveyance-reports", api_conveyance_create, CARRIER, TX_WRITE},
	{"GET", "/v1/conveyance-reports", api_conveyance_list, TRANSPORT_READERS, TX_READ},
	{"GET", "/v1/conveyance-reports/{id}", api_conveyance_get, TRANSPORT_READERS, TX_READ},
	{"PUT", "/v1/conveyance-reports/{id}", api_conveyance_amend, CARRIER, TX_WRITE},
	{"POST", "/v1/conveyance-reports/{id}/arrival", api_conveyance_arrival,
	 CARRIER | PORT, TX_WRITE},
	{"POST", "/v1/conveyance-reports/{id}/departure", api_conveyance_departure,
	 CARRIER | PORT, TX_WRITE},
	{"POST", "/v1/conveyance-reports/{id}/tasks/{agency}/decision", api_conveyance_decide,
	 ROLES_AGENCY, TX_WRITE},
	{"GET", "/v1/conveyance-reports/{id}/permission", api_conveyance_permission,
	 TRANSPORT_READERS, TX_READ},
	{"POST", "/v1/manifests", api_manifest_create, CARRIER, TX_WRITE | RUN_APART},
	{"GET", "/v1/manifests", api_manifest_list, MANIFEST_READERS, TX_READ},
	{"GET", "/v1/manifests/{id}", api_manifest_get, MANIFEST_READERS, TX_READ},
	{"GET", "/v1/manifests/{id}/versions/{version}", api_manifest_version,
	 MANIFEST_READERS, TX_READ},
	{"PUT", "/v1/manifests/{id}", api_manifest_amend, CARRIER, TX_WRITE | RUN_APART},
	{"POST", "/v1/tally-reports", api_tally_create, PORT, TX_WRITE},
	{"GET", "/v1/tally-reports/{id}", api_tally_get, MANIFEST_READERS, TX_READ},
	{"GET", "/v1/calls", api_call_get, TRANSPORT_READERS, TX_READ},
	{"GET", "/v1/calls/events", api_call_events, TRANSPORT_READERS, TX_READ},
	{"GET", "/v1/declarations/{number}/match", api_declaration_match, DECLARANT | OFFICERS,
	 TX_READ},
	{"GET", "/v1/gate/containers/{number}", api_gate_get,
	 PORT | ROLE_BIT(CUSTOMS) | ROLE_BIT(ANALYST) | ADMIN, TX_READ},
	{"POST", "/v1/gate/containers/{number}/events", api_gate_event, PORT, TX_WRITE},
	/* clearance time (docs/clearance-time.md) */
	{"GET", "/v1/statistics/clearance", api_statistics_clearance, ROLE_BIT(ANALYST) | ADMIN,
	 TX_READ | RUN_APART},
	{"GET", "/v1/declarations/{number}/clearance-time", api_declaration_clearance_time,
	 DECLARANT | OFFICERS, TX_READ},
	/* cross-border e-commerce retail imports (docs/cbec.md) */
	{"POST", "/v1/cbec/orders", api_cbec_orders, CBEC_PLATFORM | ROLE_BIT(CBEC_ENTERPRISE),
	 TX_WRITE},
	{"POST", "/v1/cbec/payments", api_cbec_payments, ROLE_BIT(CBEC_PAYMENT), TX_WRITE},
	{"POST", "/v1/cbec/waybills", api_cbec_waybills, ROLE_BIT(CBEC_LOGISTICS), TX_WRITE},
	{"POST", "/v1/cbec/inventories", api_cbec_inventories,
	 ROLE_BIT(CBEC_ENTERPRISE) | ROLE_BIT(CBEC_LOGISTICS), TX_WRITE},
	{"POST", "/v1/cbec/messages", api_cbec_message, CBEC_PARTIES, TX_WRITE},
	{"DELETE", "/v1/cbec/orders/{platform}/{order_no}", api_cbec_order_withdraw,
	 CBEC_PLATFORM | ROLE_BIT(CBEC_ENTERPRISE), TX_WRITE},
	{"DELETE", "/v1/cbec/payments/{platform}/{order_no}", api_cbec_payment_withdraw,
	 ROLE_BIT(CBEC_PAYMENT), TX_WRITE},
	{"DELETE", "/v1/cbec/waybills/{platform}/{order_no}", api_cbec_waybill_withdraw,
	 ROLE_BIT(CBEC_LOGISTICS), TX_WRITE},
	{"GET", "/v1/cbec/parcels", api_cbec_parcel_list, CBEC_READERS, TX_READ},
	{"GET", "/v1/cbec/parcels/{platform}/{order_no}", api_cbec_parcel_get, CBEC_READERS,
	 TX_READ},
	{"POST", "/v1/cbec/parcels/{platform}/{order_no}/decision", api_cbec_parcel_decide,
	 ROLE_BIT(CUSTOMS) | ROLE_BIT(QUARANTINE), TX_WRITE},
	{"POST", "/v1/cbec/parcels/{platform}/{order_no}/return", api_cbec_parcel_return,
	 CBEC_PLATFORM, TX_WRITE},
	{"POST", "/v1/cbec/waybills/{logistics}/{waybill_no}/gate-out", api_cbec_gate_out,
	 ROLE_BIT(CBEC_LOGISTICS), TX_WRITE},
	{"GET", "/v1/cbec/quota", api_cbec_quota, ROLES_PUBLIC, TX_READ},
	{"GET", "/v1/cbec/summaries/{platform}/{month}", api_cbec_month_get,
	 CBEC_PLATFORM | ROLE_BIT(CUSTOMS) | ROLE_BIT(ANALYST) | ADMIN, TX_READ},
	{"POST", "/v1/cbec/summaries/{platform}/{month}/payment", api_cbec_month_pay,
	 CBEC_PLATFORM, TX_WRITE},
	{"POST", "/v1/cbec/summaries/{platform}/{month}/payment/answer", api_cbec_month_answer,
	 BANK, TX_WRITE},
	{"GET", "/v1/cbec/month-payments", api_cbec_month_payments, BANK, TX_READ},
	/* ingest: many declarations in one request */
	{"POST", "/v1/declarations/batch", api_declaration_batch, DECLARANT, TX_WRITE | RUN_APART},
};

#define NROUTES (sizeof routes / sizeof routes[0])

const struct route *api_routes(size_t *n)
{
	*n = NROUTES;
	return routes;
}

#define MAX_SEGMENTS 8

struct split_path {
	char text[1024];
	char *seg[MAX_SEGMENTS];
	size_t n;
	char names[HTTP_MAX_PARAMS][32];
};

/* Split "/a/b/c" into segments, in place. False when too long or deep. */
static bool split(const char *path, struct split_path *sp)
{
	if (path[0] != '/' || str_copy(sp->text, path + 1, sizeof sp->text) >= sizeof sp->text)
		return false;
	sp->n = 0;
	char *s = sp->text;
	for (;;) {
		if (sp->n == MAX_SEGMENTS)
			return false;
		sp->seg[sp->n++] = s;
		char *slash = strchr(s, '/');
		if (!slash)
			return true;
		*slash = '\0';
		s = slash + 1;
	}
}

/* Does the split path match the pattern? On yes, fill req->params. */
static bool match(const char *pattern, struct split_path *sp, struct http_request *req)
{
	const char *p = pattern + 1;
	size_t np = 0;
	for (size_t i = 0; i < sp->n; i++) {
		size_t plen = strcspn(p, "/");
		const char *seg = sp->seg[i];
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (!*seg || np >= HTTP_MAX_PARAMS)
				return false;
			size_t nl = plen - 2 < 31 ? plen - 2 : 31;
			memcpy(sp->names[np], p + 1, nl);
			sp->names[np][nl] = '\0';
			req->params[np].name = sp->names[np];
			req->params[np].value = seg;
			np++;
		} else if (strlen(seg) != plen || strncmp(p, seg, plen) != 0) {
			return false;
		}
		p += plen;
		if (i + 1 < sp->n) {
			if (*p != '/')
				return false;
			p++;
		}
	}
	if (*p)
		return false;
	req->nparams = np;
	return true;
}

static void unauthenticated(struct api_ctx *ctx, const char *challenge, const char *detail)
{
	http_response_header(ctx->resp, "WWW-Authenticate", challenge);
	api_problem(ctx, KERR_UNAUTHENTICATED, detail, NULL);
}

static bool authenticate(struct api_ctx *ctx)
{
	const char *auth = http_header(ctx->req, "Authorization");
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !auth[7]) {
		unauthenticated(ctx, "Bearer realm=\"kouan\"",
				"send a bearer token: Authorization: Bearer <token> "
				"(POST /v1/sessions gives one)");
		return false;
	}
	const char *token = auth + 7;
	kerr e = strlen(token) < TOKEN_TEXT_MAX
			 ? accounts_authenticate(&ctx->uow, token, &ctx->actor, ctx->token_hash)
			 : KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND) {
		unauthenticated(ctx, "Bearer realm=\"kouan\", error=\"invalid_token\"",
				strlen(token) < TOKEN_TEXT_MAX
					? "the token is not valid, has expired or was revoked"
					: "the token is not valid");
		return false;
	}
	if (e) {
		api_problem(ctx, e, NULL, NULL);
		return false;
	}
	return true;
}

/* Find the route; answers 404 or 405 (with Allow) when there is none. */
static const struct route *route_of(struct api_ctx *ctx, struct split_path *sp,
				    struct http_request *req)
{
	const struct route *found = NULL;
	struct buf allow;
	buf_init(&allow, 128);
	for (size_t i = 0; i < NROUTES && !found; i++) {
		req->nparams = 0;
		if (!match(routes[i].pattern, sp, req))
			continue;
		/* HEAD is answered as GET; the server sends no body */
		if (strcmp(routes[i].method, req->method) == 0 ||
		    (!strcmp(req->method, "HEAD") && !strcmp(routes[i].method, "GET")))
			found = &routes[i];
		else if (buf_printf(&allow, "%s%s", allow.len ? ", " : "", routes[i].method))
			break;
	}
	if (!found && allow.len) {
		http_response_header(ctx->resp, "Allow", allow.data);
		api_problem(ctx, KERR_METHOD, "this resource does not accept that method", NULL);
	} else if (!found) {
		api_problem(ctx, KERR_NOT_FOUND, "no such resource", NULL);
	}
	buf_free(&allow);
	return found;
}

/* The client's address (see the top of this file) into out. */
static void client_address(const struct app *app, const struct http_request *req,
			   char out[SOURCE_SIZE])
{
	const char *remote = req->remote && *req->remote ? req->remote : "unknown";
	char addr[NETADDR_TEXT_SIZE];
	if (!netaddr_canonical(remote, addr)) { /* not an IP (an in-process call) */
		str_copy(out, remote, SOURCE_SIZE);
		return;
	}
	str_copy(out, addr, SOURCE_SIZE);
	const struct netaddr_list *trusted = &app->limits.trusted_proxies;
	const char *xff = http_header(req, "X-Forwarded-For");
	char list[1024];
	if (!xff || !netaddr_list_has(trusted, addr) ||
	    str_copy(list, xff, sizeof list) >= sizeof list)
		return;
	size_t n = strlen(list);
	for (;;) {
		while (n && (list[n - 1] == ' ' || list[n - 1] == '\t'))
			list[--n] = '\0';
		char *comma = strrchr(list, ',');
		char *item = comma ? comma + 1 : list;
		while (*item == ' ' || *item == '\t')
			item++;
		if (!netaddr_canonical(item, addr))
			return; /* garbage: the last hop believed stands */
		str_copy(out, addr, SOURCE_SIZE);
		if (!netaddr_list_has(trusted, addr) || !comma)
			return;
		*comma = '\0';
		n = (size_t)(comma - list);
	}
}

/* Commit the request's unit of work when the answer is a success, roll it
 * back otherwise: the one place a request's changes are kept or dropped. */
static void finish(struct api_ctx *ctx)
{
	bool keep = (ctx->route->tx & TX_WRITE) &&
		    (ctx->resp->status < 400 || (ctx->keep_refused && ctx->resp->status == 409));
	if (!keep) {
		uow_rollback(&ctx->uow);
		return;
	}
	kerr e = uow_commit(&ctx->uow);
	if (e && ctx->commit_failure) /* a replay: the original may still be settling */
		api_problem(ctx, KERR_BUSY, ctx->commit_failure, NULL);
	else if (e)
		api_problem(ctx, e == KERR_BUSY ? KERR_BUSY : KERR_STORE,
			    "the change could not be saved", NULL);
}

/* Times a request is run when the database ends its transaction to break
 * a deadlock (store_should_retry). */
#define RETRIES_MAX 3

/* Authenticate, check the role, run the handler and end the unit of work:
 * one attempt at the request. */
static void run_once(struct api_ctx *ctx, struct store_conn *conn, const char *source)
{
	uow_init(&ctx->uow, &ctx->app->svc, conn, (ctx->route->tx & TX_WRITE));
	uow_set_source(&ctx->uow, source);
	if (ctx->route->roles != ROLES_PUBLIC) {
		if (!authenticate(ctx))
			goto out;
		if (!(ctx->route->roles & (1u << ctx->actor.role))) {
			char detail[160];
			snprintf(detail, sizeof detail, "the %s role may not use %s %s",
				 role_name(ctx->actor.role), ctx->route->method,
				 ctx->route->pattern);
			api_problem(ctx, KERR_FORBIDDEN, detail, NULL);
			goto out;
		}
	}
	ctx->route->handler(ctx);
	finish(ctx);
out:
	uow_free(&ctx->uow);
}

void api_dispatch(struct app *app, const struct http_request *req_in,
		  struct http_response *resp)
{
	if (web_owns(req_in->path)) { /* the browser interface (web.c) */
		web_serve(req_in, resp);
		return;
	}
	struct http_request req = *req_in;
	struct api_ctx ctx = {.app = app, .req = &req, .resp = resp};
	ctx.received_us = kclock_now(app->svc.clock);
	struct split_path sp; /* params point into it, which lives until we return */
	if (!split(req.path, &sp)) {
		api_problem(&ctx, KERR_NOT_FOUND, "no such resource", NULL);
		return;
	}
	if (!(ctx.route = route_of(&ctx, &sp, &req)))
		return;
	if ((ctx.route->tx & (RUN_APART | RUN_APART_IF_IDLE)) && !req.apart) {
		resp->run_apart = true; /* nothing done yet: run it there */
		resp->apart_if_idle = (ctx.route->tx & RUN_APART_IF_IDLE) != 0;
		return;
	}
	struct store_conn *conn;
	if (store_thread_conn(app->svc.store, &conn)) {
		api_problem(&ctx, KERR_BUSY, "the database is not available", NULL);
		return;
	}
	char source[SOURCE_SIZE];
	client_address(app, &req, source);
	for (int attempt = 1;; attempt++) {
		run_once(&ctx, conn, source);
		/* the database broke a deadlock by failing this transaction (or
		 * could not serialise it): everything was rolled back, so the
		 * request is run again from the start, as its client would */
		if (attempt == RETRIES_MAX || ctx.resp->status < 500 ||
		    ctx.resp->park_until_us || !store_should_retry(conn))
			break;
		log_warn("%s %s: the database chose this transaction to end a deadlock; "
			 "running it again (attempt %d)",
			 req.method, ctx.route->pattern, attempt + 1);
		http_response_free(resp);
		http_response_init(resp);
		ctx = (struct api_ctx){.app = app, .req = &req, .resp = resp,
				       .route = ctx.route, .received_us = ctx.received_us};
	}
}
