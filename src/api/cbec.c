/*
 * cbec.c - cross-border e-commerce retail imports over HTTP (docs/cbec.md):
 * each party's documents as JSON (one, or {"documents": [...]}) or as the
 * electronic port's CEB messages (answered with their receipts), the
 * parcels and their timelines, officers' decisions, the gate, returns, the
 * monthly summaries and the buyer's question about their year. The rules
 * are in src/service/cbec.c; this file reads requests and renders answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/ceb_xml.h"
#include "api/handlers.h"
#include "api/views.h"
#include "common/clock.h"
#include "common/decimal.h"
#include "domain/fields.h"
#include "service/cbec.h"

#define MAX_BATCH 100

static json_t *money(int64_t fen)
{
	char s[32];
	int64_t a = fen < 0 ? -fen : fen;
	snprintf(s, sizeof s, "%s%lld.%02lld", fen < 0 ? "-" : "", (long long)(a / 100),
		 (long long)(a % 100));
	return json_string(s);
}

/* The trade's own parties see no lanes, as a declarant sees none
 * (actor_lanes_hidden): what the risk engine drew, and the rule set. */
static void hide_lanes(json_t *o)
{
	if (!json_is_object(o))
		return;
	json_object_del(o, "lane");
	json_object_del(o, "lanes");
	json_object_del(o, "rules_version");
}

/* A parcel, with or without its lanes. */
static json_t *parcel_json(const struct cbec_parcel_row *p, bool hide)
{
	json_t *detail = p->detail ? json_loads(p->detail, 0, NULL) : NULL;
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
		" s:o, s:s, s:o, s:o, s:o, s:o}",
		"platform_code", p->platform_code, "order_no", p->order_no, "status", p->status,
		"number", json_text_or_null(p->number), "mode", json_text_or_null(p->mode),
		"customs_office", json_text_or_null(p->customs_office), "logistics_code",
		json_text_or_null(p->logistics_code), "waybill_no",
		json_text_or_null(p->waybill_no), "verdict", json_text_or_null(p->verdict),
		"quota_year", p->quota_year ? json_integer(p->quota_year) : json_null(),
		"customs_value", p->quota_year ? money(p->customs_value) : json_null(), "duty",
		money(p->duty), "consumption_tax", money(p->consumption_tax), "vat", money(p->vat),
		"tax_total", money(p->duty + p->consumption_tax + p->vat), "lane",
		json_text_or_null(p->lane), "last_document_at", p->last_document_at, "matched_at",
		json_text_or_null(p->matched_at), "released_at", json_text_or_null(p->released_at),
		"gate_out_at", json_text_or_null(p->gate_out_at), "returned_at",
		json_text_or_null(p->returned_at));
	int64_t last, released;
	if (o && *p->released_at && ktime_parse(p->last_document_at, &last) &&
	    ktime_parse(p->released_at, &released) && released >= last)
		json_object_set_new(o, "release_ms", json_integer((released - last) / 1000));
	if (o && json_is_object(detail))
		json_object_update(o, detail);
	json_decref(detail);
	if (o && hide)
		hide_lanes(o);
	return o;
}

static bool lanes_hidden(struct api_ctx *ctx)
{
	return actor_lanes_hidden(&ctx->app->svc, &ctx->actor);
}

/* ---- receiving documents --------------------------------------------- */

/* The answer to one document: its status and body (a parcel view, or a
 * problem for a refusal, a mismatch or a refusal for retail). */
static int one_result(struct api_ctx *ctx, enum cbec_doc kind, const json_t *doc,
		      json_t **out, char *info, size_t ninfo)
{
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct cbec_received r;
	kerr e = cbec_receive(&ctx->uow, &ctx->actor, kind, doc, &r, &why);
	int status;
	if (e) {
		status = e == KERR_INVALID ? 400 : e == KERR_FORBIDDEN ? 403
				: e == KERR_CONFLICT ? 409 : 500;
		if (status == 500) {
			*out = NULL;
			cbec_received_free(&r);
			return status;
		}
		json_t *errors = json_array();
		for (size_t i = 0; i < p.count; i++)
			json_array_append_new(errors, json_pack("{s:s, s:s}", "field",
								p.errors[i].field, "problem",
								p.errors[i].problem));
		*out = json_pack("{s:i, s:s, s:o}", "status", status, "detail", why.detail,
				 "errors", errors);
		snprintf(info, ninfo, "%s", why.detail);
		for (size_t i = 0; i < p.count; i++) {
			size_t n = strlen(info);
			snprintf(info + n, ninfo - n, "%s%s: %s", i ? "; " : ": ",
				 p.errors[i].field, p.errors[i].problem);
		}
	} else {
		bool bad = !strcmp(r.parcel.status, "mismatched") ||
			   !strcmp(r.parcel.status, "refused");
		status = bad ? 409 : r.replay ? 200 : 201;
		*out = parcel_json(&r.parcel, lanes_hidden(ctx));
		json_object_set_new(*out, "document", json_string(cbec_doc_name(kind)));
		json_object_set_new(*out, "version", json_integer(r.version));
		json_object_set_new(*out, "replay", json_boolean(r.replay));
		const char *reason = json_string_value(json_object_get(*out, "reason"));
		snprintf(info, ninfo, "%s: parcel %s%s%s", r.replay ? "already stored" : "stored",
			 r.parcel.status, reason ? "; " : "", reason ? reason : "");
	}
	cbec_received_free(&r);
	return status;
}

struct batch_item {
	size_t index;
	const char *buyer; /* borrowed from the document; "" when absent */
};

static int by_buyer(const void *a, const void *b)
{
	const struct batch_item *x = a, *y = b;
	int c = strcmp(x->buyer, y->buyer);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void receive(struct api_ctx *ctx, enum cbec_doc kind)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	json_t *list = json_object_get(body, "documents");
	char info[1100];
	if (!list) {
		json_t *out = NULL;
		int status = one_result(ctx, kind, body, &out, info, sizeof info);
		if (status == 500) {
			api_problem(ctx, KERR_STORE, "the document could not be saved", NULL);
		} else if (status == 409 && json_object_get(out, "platform_code")) {
			/* a mismatch or a refusal for retail: kept, so that every
			 * sender sees it, and answered as a conflict */
			const char *st = json_string_value(json_object_get(out, "status"));
			ctx->keep_refused = true;
			api_problem_ext(ctx, KERR_CONFLICT,
					!strcmp(st, "mismatched")
						? "the order's documents disagree: each "
						  "difference names its document and field"
						: json_string_value(json_object_get(out, "reason")),
					NULL, json_pack("{s:O}", "parcel", out));
		} else if (status >= 400) {
			struct problems p;
			problems_init(&p);
			size_t i;
			json_t *v;
			json_array_foreach(json_object_get(out, "errors"), i, v)
				problems_add(&p, json_string_value(json_object_get(v, "field")), "%s",
					     json_string_value(json_object_get(v, "problem")));
			api_problem(ctx, status == 400 ? KERR_INVALID : status == 403 ? KERR_FORBIDDEN
										  : KERR_CONFLICT,
				    json_string_value(json_object_get(out, "detail")),
				    problems_any(&p) ? &p : NULL);
		} else {
			api_json(ctx, status, json_incref(out));
		}
		json_decref(out);
		json_decref(body);
		return;
	}
	if (!json_is_array(list) || json_array_size(list) < 1 ||
	    json_array_size(list) > MAX_BATCH || json_object_size(body) != 1) {
		api_field_problem(ctx, KERR_INVALID, "/documents",
				  "must be the only member: an array of 1 to 100 documents");
		json_decref(body);
		return;
	}
	/* filed in the order of the buyers' ID numbers, so that two batches
	 * lock the buyers' years in the same order; answered in the order
	 * sent */
	size_t n = json_array_size(list);
	struct batch_item order[MAX_BATCH];
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(list, i);
		const char *id = json_string_value(json_object_get(
			d, kind == CBEC_DOC_PAYMENT ? "payer_id_number" : "buyer_id_number"));
		order[i] = (struct batch_item){i, id ? id : ""};
	}
	qsort(order, n, sizeof order[0], by_buyer);
	json_t *results = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(results, json_null());
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k].index;
		json_t *out = NULL;
		int status = one_result(ctx, kind, json_array_get(list, i), &out, info,
					sizeof info);
		if (status == 500) {
			json_decref(results);
			json_decref(body);
			api_problem(ctx, KERR_STORE, "the documents could not be saved", NULL);
			return;
		}
		json_array_set_new(results, i,
				   json_pack("{s:I, s:i, s:o}", "index", (json_int_t)i, "status",
					     status, "result", out));
	}
	api_json(ctx, 200, json_pack("{s:o}", "results", results));
	json_decref(body);
}

void api_cbec_orders(struct api_ctx *ctx)
{
	receive(ctx, CBEC_DOC_ORDER);
}
void api_cbec_payments(struct api_ctx *ctx)
{
	receive(ctx, CBEC_DOC_PAYMENT);
}
void api_cbec_waybills(struct api_ctx *ctx)
{
	receive(ctx, CBEC_DOC_WAYBILL);
}
void api_cbec_inventories(struct api_ctx *ctx)
{
	receive(ctx, CBEC_DOC_INVENTORY);
}

static enum cbec_doc doc_of(enum ceb_type t)
{
	switch (t) {
	case CEB_ORDER:
		return CBEC_DOC_ORDER;
	case CEB_PAYMENT:
		return CBEC_DOC_PAYMENT;
	case CEB_WAYBILL:
		return CBEC_DOC_WAYBILL;
	case CEB_INVENTORY:
		break;
	}
	return CBEC_DOC_INVENTORY;
}

void api_cbec_message(struct api_ctx *ctx)
{
	const struct http_request *r = ctx->req;
	const char *ct = http_header(r, "Content-Type");
	size_t n = ct ? strcspn(ct, "; \t") : 0;
	if (!ct || !((n == 15 && !strncasecmp(ct, "application/xml", 15)) ||
		     (n == 8 && !strncasecmp(ct, "text/xml", 8)))) {
		api_problem(ctx, KERR_MEDIA_TYPE,
			    "send a CEB message as Content-Type: application/xml", NULL);
		return;
	}
	if (r->body_too_large || r->body_len > ctx->app->limits.max_body) {
		api_problem(ctx, KERR_TOO_LARGE, "the message is too large", NULL);
		return;
	}
	if (!ctx->app->ceb) {
		api_problem(ctx, KERR_INTERNAL, "CEB messages are not available", NULL);
		return;
	}
	struct refdata *ref = services_refdata(&ctx->app->svc);
	struct ceb_parse_options opt = {.ref = ref,
					.platform_code = http_query(r, "platform"),
					.max_bytes = ctx->app->limits.max_body};
	struct ceb_message m;
	struct problems p;
	problems_init(&p);
	kerr e = ceb_parse(ctx->app->ceb, r->body ? r->body : "", r->body_len, &opt, &m, &p);
	refdata_release(ref);
	if (e) {
		api_problem(ctx, e == KERR_TOO_LARGE ? KERR_TOO_LARGE : e == KERR_NOMEM ? KERR_NOMEM
											 : KERR_INVALID,
			    "the message is not an acceptable CEB message; nothing was stored", &p);
		return;
	}
	struct ceb_receipt *rc = calloc(m.nitems ? m.nitems : 1, sizeof *rc);
	if (!rc) {
		ceb_message_free(&m);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return;
	}
	int64_t now = uow_now_us(&ctx->uow);
	for (size_t i = 0; i < m.nitems; i++) {
		ceb_receipt_for(&m, i, now, &rc[i]);
		if (!m.items[i].ok)
			continue;
		json_t *out = NULL;
		char info[1100];
		int status = one_result(ctx, doc_of(m.type), m.items[i].json, &out, info,
					sizeof info);
		if (status == 500) {
			json_decref(out);
			free(rc);
			ceb_message_free(&m);
			api_problem(ctx, KERR_STORE, "the message could not be saved", NULL);
			return;
		}
		const char *st = json_string_value(json_object_get(out, "status"));
		const char *number = json_string_value(json_object_get(out, "number"));
		bool stored = status < 400 || json_object_get(out, "platform_code");
		rc[i].status = !stored ? CEB_STATUS_REFUSED
			       : st && !strcmp(st, "released") ? CEB_STATUS_RELEASED
			       : st && !strcmp(st, "held")     ? CEB_STATUS_INSPECTION
							       : CEB_STATUS_STORED;
		if (m.type == CEB_INVENTORY && number && rc[i].status >= CEB_STATUS_CLEARED) {
			str_copy(rc[i].invt_no, number, sizeof rc[i].invt_no);
			str_copy(rc[i].pre_no, number, sizeof rc[i].pre_no);
		}
		str_copy(rc[i].info, info, sizeof rc[i].info);
		json_decref(out);
	}
	struct buf xml;
	buf_init(&xml, 16u * 1024u * 1024u);
	char guid[37];
	str_copy(guid, m.guid, sizeof guid);
	e = ceb_receipts_render(m.type, guid, rc, m.nitems, &xml);
	free(rc);
	ceb_message_free(&m);
	if (e) {
		buf_free(&xml);
		api_problem(ctx, KERR_INTERNAL, "the receipts could not be written", NULL);
		return;
	}
	buf_reset(&ctx->resp->body);
	if (buf_append(&ctx->resp->body, xml.data, xml.len)) {
		buf_free(&xml);
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
		return;
	}
	buf_free(&xml);
	ctx->resp->status = 200;
	ctx->resp->content_type = "application/xml";
}

/* ---- withdrawing, reading ------------------------------------------- */

static void withdraw(struct api_ctx *ctx, enum cbec_doc kind)
{
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = cbec_withdraw(&ctx->uow, &ctx->actor, kind, http_param(ctx->req, "platform"),
			       http_param(ctx->req, "order_no"), &why);
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_no_content(ctx);
}

void api_cbec_order_withdraw(struct api_ctx *ctx)
{
	withdraw(ctx, CBEC_DOC_ORDER);
}
void api_cbec_payment_withdraw(struct api_ctx *ctx)
{
	withdraw(ctx, CBEC_DOC_PAYMENT);
}
void api_cbec_waybill_withdraw(struct api_ctx *ctx)
{
	withdraw(ctx, CBEC_DOC_WAYBILL);
}

/* Parcels or events into a list, with or without their lanes. */
struct parcel_list {
	json_t *list;
	bool hide;
};

static kerr append_parcel_event(void *arg, const struct event_row *e)
{
	struct parcel_list *l = arg;
	json_t *data = json_loads(e->data, 0, NULL);
	if (l->hide)
		hide_lanes(data);
	json_t *v = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)e->id, "type",
			      e->type, "actor", e->actor, "actor_role", e->actor_role, "at",
			      e->at, "data", data ? data : json_object());
	return v && !json_array_append_new(l->list, v) ? KERR_OK : KERR_NOMEM;
}

void api_cbec_parcel_get(struct api_ctx *ctx)
{
	struct cbec_parcel_view v;
	json_t *events = json_array();
	struct parcel_list l = {events, lanes_hidden(ctx)};
	kerr e = cbec_parcel_read(&ctx->uow, &ctx->actor, http_param(ctx->req, "platform"),
				  http_param(ctx->req, "order_no"), &v, append_parcel_event, &l);
	if (e) {
		json_decref(events);
		api_problem(ctx, e == KERR_NOT_FOUND ? KERR_NOT_FOUND : KERR_STORE,
			    e == KERR_NOT_FOUND ? "no parcel of that order you may see" : NULL,
			    NULL);
		return;
	}
	json_t *o = parcel_json(&v.parcel, l.hide);
	json_t *docs = json_object();
	for (int k = 0; k < 4; k++) {
		if (!v.docs[k].body)
			continue;
		json_t *d = json_loads(v.docs[k].body, 0, NULL);
		json_object_set_new(docs, cbec_doc_name(k),
				    json_pack("{s:I, s:s, s:o}", "version",
					      (json_int_t)v.docs[k].version, "received_at",
					      v.docs[k].received_at, "body",
					      d ? d : json_null()));
	}
	json_object_set_new(o, "documents", docs);
	json_object_set_new(o, "events", events);
	cbec_parcel_view_free(&v);
	api_json(ctx, 200, o);
}

static kerr append_parcel(void *arg, const struct cbec_parcel_row *p)
{
	struct parcel_list *l = arg;
	json_t *v = parcel_json(p, l->hide);
	return v && !json_array_append_new(l->list, v) ? KERR_OK : KERR_NOMEM;
}

void api_cbec_parcel_list(struct api_ctx *ctx)
{
	int64_t limit;
	if (!api_query_int(ctx, "limit", 1, 1000, 100, &limit))
		return;
	struct cbec_parcel_filter f = {.platform = http_query(ctx->req, "platform"),
				       .status = http_query(ctx->req, "status"),
				       .after_order_no = http_query(ctx->req, "after"),
				       .limit = limit};
	json_t *list = json_array();
	struct parcel_list l = {list, lanes_hidden(ctx)};
	kerr e = cbec_parcel_list(&ctx->uow, &ctx->actor, &f, append_parcel, &l);
	if (e) {
		json_decref(list);
		api_problem(ctx, e == KERR_FORBIDDEN ? KERR_FORBIDDEN : KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "parcels", list));
}

/* ---- officers, the gate, returns ------------------------------------ */

static void parcel_answer(struct api_ctx *ctx, kerr e, const struct refusal *why,
			  struct cbec_parcel_row *p, json_t *extra)
{
	if (e) {
		json_decref(extra);
		api_refused(ctx, e, why, NULL);
	} else {
		json_t *o = parcel_json(p, lanes_hidden(ctx));
		if (extra)
			json_object_update(o, extra);
		json_decref(extra);
		api_json(ctx, 200, o);
	}
	repo_cbec_parcel_free(p);
}

void api_cbec_parcel_decide(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const ok[] = {"decision", "reason", NULL};
	const char *reason;
	if (!api_only_fields(ctx, body, ok, "decision, reason") ||
	    !api_reason(ctx, body, true, 500, &reason)) {
		json_decref(body);
		return;
	}
	const char *d = json_string_value(json_object_get(body, "decision"));
	if (!d || strcmp(d, "cleared")) {
		api_field_problem(ctx, KERR_INVALID, "/decision",
				  "must be \"cleared\": a held parcel is cleared by each agency "
				  "that holds it");
		json_decref(body);
		return;
	}
	struct refusal why;
	refusal_init(&why, NULL);
	struct cbec_parcel_row p;
	kerr e = cbec_decide(&ctx->uow, &ctx->actor, http_param(ctx->req, "platform"),
			     http_param(ctx->req, "order_no"), reason, &p, &why);
	parcel_answer(ctx, e, &why, &p, NULL);
	json_decref(body);
}

void api_cbec_gate_out(struct api_ctx *ctx)
{
	struct refusal why;
	refusal_init(&why, NULL);
	struct cbec_parcel_row p;
	kerr e = cbec_gate_out(&ctx->uow, &ctx->actor, http_param(ctx->req, "logistics"),
			       http_param(ctx->req, "waybill_no"), &p, &why);
	parcel_answer(ctx, e, &why, &p, NULL);
}

void api_cbec_parcel_return(struct api_ctx *ctx)
{
	struct refusal why;
	refusal_init(&why, NULL);
	struct cbec_parcel_row p;
	struct cbec_refund f;
	kerr e = cbec_return(&ctx->uow, &ctx->actor, http_param(ctx->req, "platform"),
			     http_param(ctx->req, "order_no"), &f, &p, &why);
	json_t *refund = e ? NULL
			   : json_pack("{s:{s:I, s:I, s:o, s:o, s:o, s:o, s:o}}", "refund",
				       "year", (json_int_t)f.year, "days", (json_int_t)f.days,
				       "quota_restored", money(f.quota_restored), "duty",
				       money(f.duty), "consumption_tax", money(f.consumption_tax),
				       "vat", money(f.vat), "total", money(f.total));
	parcel_answer(ctx, e, &why, &p, refund);
}

/* ---- the buyer, the month ------------------------------------------- */

void api_cbec_quota(struct api_ctx *ctx)
{
	struct refusal why;
	struct problems p;
	problems_init(&p);
	refusal_init(&why, &p);
	struct cbec_quota q;
	struct throttle_refusal wait;
	json_t *parcels = json_array();
	struct parcel_list l = {parcels, true};
	kerr e = cbec_quota_ask(&ctx->uow, http_query(ctx->req, "id_number"),
				http_query(ctx->req, "platform"),
				http_query(ctx->req, "order_no"), &q, append_parcel, &l, &wait,
				&why);
	if (e) {
		json_decref(parcels);
		if (e == KERR_THROTTLED)
			api_retry_later(ctx, wait.retry_after_s, why.detail, NULL);
		else
			api_refused(ctx, e, &why, NULL);
		return;
	}
	/* the buyer sees their own parcels' values and taxes, not the detail */
	json_t *list = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(parcels, i, v) {
		json_array_append_new(
			list, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "platform_code",
					json_object_get(v, "platform_code"), "order_no",
					json_object_get(v, "order_no"), "status",
					json_object_get(v, "status"), "customs_value",
					json_object_get(v, "customs_value"), "tax_total",
					json_object_get(v, "tax_total"), "released_at",
					json_object_get(v, "released_at"), "returned_at",
					json_object_get(v, "returned_at")));
	}
	json_decref(parcels);
	api_json(ctx, 200, json_pack("{s:I, s:o, s:o, s:o, s:o}", "year", (json_int_t)q.year,
				     "annual_limit", money(CBEC_ANNUAL_LIMIT), "used", money(q.used),
				     "remaining", money(q.remaining), "parcels", list));
}

/* A month's payment as it stands: ordered by the platform, answered by its
 * bank (bank, answered_by and answered_at null until then, and for a
 * payment kept before banks answered; reason only for a refusal). */
static json_t *month_payment_json(const struct cbec_month_payment_row *p)
{
	json_t *v = json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o}",
			      "platform_code", p->platform_code, "month", p->month, "amount",
			      money(p->amount), "reference", p->reference, "bank",
			      json_text_or_null(p->bank_uscc), "status",
			      payment_status_name(p->status), "recorded_by", p->paid_by,
			      "recorded_at", p->recorded_at, "paid_at",
			      json_text_or_null(p->paid_at), "answered_by",
			      json_text_or_null(p->answered_by), "answered_at",
			      json_text_or_null(p->answered_at));
	if (v && p->status == PAYMENT_REFUSED)
		json_object_set_new(v, "reason", json_string(p->reason));
	return v;
}

static kerr append_month_payment(void *arg, const struct cbec_month_payment_row *r)
{
	json_t *v = month_payment_json(r);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
}

void api_cbec_month_payments(struct api_ctx *ctx)
{
	int64_t limit;
	const char *status;
	if (!api_payment_orders_query(ctx, &status, &limit))
		return;
	json_t *list = json_array();
	kerr e = list ? cbec_month_payments_of_bank(&ctx->uow, &ctx->actor, status, (int)limit,
						    append_month_payment, list)
		      : KERR_NOMEM;
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "payments", list));
}

static json_t *month_json(const struct cbec_platform_month *s,
			  const struct cbec_release_times *t, const char *month,
			  const struct cbec_month_payment_row *p)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I},"
			 " s:o}", "platform_code",
			 s->platform_code, "month", month, "parcels", (json_int_t)s->parcels,
			 "returns", (json_int_t)s->returns, "duty", money(s->duty),
			 "consumption_tax", money(s->consumption_tax), "vat", money(s->vat),
			 "refunded", money(s->refunded), "due", money(s->due), "release_seconds",
			 "parcels", (json_int_t)t->parcels, "median", (json_int_t)t->median_s, "p90",
			 (json_int_t)t->p90_s, "max", (json_int_t)t->max_s, "payment",
			 *p->month ? month_payment_json(p) : json_null());
}

void api_cbec_month_get(struct api_ctx *ctx)
{
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct cbec_platform_month s;
	struct cbec_release_times t;
	struct cbec_month_payment_row pay;
	bool paid;
	const char *month = http_param(ctx->req, "month");
	kerr e = cbec_month(&ctx->uow, &ctx->actor, http_param(ctx->req, "platform"), month, &s,
			    &t, &paid, &pay, &why);
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 200, month_json(&s, &t, month, &pay));
}

void api_cbec_month_pay(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const ok[] = {"bank", "amount", "reference", NULL};
	if (!api_only_fields(ctx, body, ok, "bank, amount, reference (the time of payment is "
					    "the bank's to give)")) {
		json_decref(body);
		return;
	}
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct fields fs = {.p = &p};
	const char *bank = fields_uscc(&fs, body, "bank", "", true);
	const char *amount = json_string_value(json_object_get(body, "amount"));
	const char *reference = json_string_value(json_object_get(body, "reference"));
	int64_t fen = 0;
	if (!amount || decimal_parse(amount, 2, &fen) != DECIMAL_OK || fen < 0)
		problems_add(&p, "/amount", "must be the amount paid in CNY as a decimal string "
					    "with at most 2 decimals, e.g. \"198.42\"");
	if (!reference || !*reference || strlen(reference) > 64)
		problems_add(&p, "/reference", "is required: the payment's reference, 1 to 64 "
					       "bytes");
	struct cbec_month_payment_row pay;
	const char *month = http_param(ctx->req, "month");
	kerr e = problems_any(&p) ? KERR_INVALID
				  : cbec_month_pay(&ctx->uow, &ctx->actor,
						   http_param(ctx->req, "platform"), month, bank,
						   fen, reference, &pay, &why);
	if (e == KERR_INVALID && !*why.detail)
		refusal_say(&why, "the payment is not valid");
	if (e)
		api_refused(ctx, e, &why, NULL);
	else /* 202: the order is kept, and pays the month once its bank has paid it */
		api_json(ctx, 202, month_payment_json(&pay));
	json_decref(body);
}

void api_cbec_month_answer(struct api_ctx *ctx)
{
	struct problems p;
	struct refusal why;
	struct payment_answer ans;
	struct cbec_month_payment_row pay;
	bool replayed;
	if (!api_read_bank_answer(ctx, &ans))
		return;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = cbec_month_answer(&ctx->uow, &ctx->actor, http_param(ctx->req, "platform"),
				   http_param(ctx->req, "month"), &ans, &pay, &replayed, &why);
	if (e) {
		api_refused(ctx, e, &why, "the answer could not be saved");
	} else {
		if (replayed)
			http_response_header(ctx->resp, "Idempotent-Replayed", "true");
		api_json(ctx, 200, month_payment_json(&pay));
	}
}
