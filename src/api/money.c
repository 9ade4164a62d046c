/*
 * money.c - duties, taxes and port fees over HTTP: the tariff and the
 * exchange rates (admins load, everyone with a token reads), the published
 * fee catalogues (readable without logging in), a declaration's assessment
 * and taxes, paying them or securing them with a guarantee, registering
 * guarantees, and port charges. The rules live in src/domain/ (tariff,
 * exchange, assessment, fees, payment) and the use cases in
 * src/service/{taxes,charges,money_tables}.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/money_views.h"
#include "api/views.h"
#include "common/codes.h"
#include "common/date.h"
#include "domain/fields.h"
#include "service/charges.h"
#include "service/taxes.h"

/* A date query parameter (YYYY-MM-DD), today in China Standard Time when
 * absent; answers 400 and returns false when malformed. */
static bool query_date(struct api_ctx *ctx, int32_t *out)
{
	const char *v = http_query(ctx->req, "date");
	if (!v) {
		*out = money_today(&ctx->uow);
		return true;
	}
	if (kdate_parse(v, out))
		return true;
	api_field_problem(ctx, KERR_INVALID, "query:date",
			  "must be a calendar date written YYYY-MM-DD, such as \"2026-11-23\"");
	return false;
}

static void answer_json(struct api_ctx *ctx, int status, json_t *v)
{
	if (v)
		api_json(ctx, status, v);
	else
		api_problem(ctx, KERR_NOMEM, NULL, NULL);
}

static void not_found(struct api_ctx *ctx, const char *detail)
{
	api_problem(ctx, KERR_NOT_FOUND, detail, NULL);
}

/* --- loading the tables (admins) --- */

static json_t *loaded_json(const struct money_loaded *l, size_t reassessed)
{
	return json_pack("{s:o, s:I, s:I, s:I}", "id", json_text_or_null(l->id), "added",
			 (json_int_t)l->added, "unchanged", (json_int_t)l->unchanged,
			 "reassessed", (json_int_t)reassessed);
}

enum load_kind { LOAD_TARIFF, LOAD_RATES, LOAD_FEES };

static void load(struct api_ctx *ctx, enum load_kind kind)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	struct refusal why;
	struct money_loaded l;
	size_t reassessed = 0;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = kind == LOAD_TARIFF ? taxes_load_tariff(&ctx->uow, &ctx->actor, body, &l,
							 &reassessed, &why)
		 : kind == LOAD_RATES ? taxes_load_rates(&ctx->uow, &ctx->actor, body, &l,
							 &reassessed, &why)
				      : money_fees_load(&ctx->uow, &ctx->actor, body, &l, &why);
	if (e)
		api_refused(ctx, e, &why, "the table could not be saved");
	else
		answer_json(ctx, l.added ? 201 : 200, loaded_json(&l, reassessed));
	json_decref(body);
}

void api_tariff_load(struct api_ctx *ctx)
{
	load(ctx, LOAD_TARIFF);
}

void api_rates_load(struct api_ctx *ctx)
{
	load(ctx, LOAD_RATES);
}

void api_fees_load(struct api_ctx *ctx)
{
	load(ctx, LOAD_FEES);
}

/* --- reading the tables --- */

void api_tariff_versions(struct api_ctx *ctx)
{
	json_t *list = json_array();
	kerr e = money_tariff_versions(&ctx->uow, append_tariff_version, list);
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	answer_json(ctx, 200, json_pack("{s:o}", "versions", list));
}

void api_tariff_version(struct api_ctx *ctx)
{
	struct money_tables *t = NULL;
	const struct tariff_version *v;
	kerr e = money_tariff_version(&ctx->uow, http_param(ctx->req, "id"), &t, &v);
	if (e == KERR_NOT_FOUND)
		not_found(ctx, "no tariff version has that id (see GET /v1/tariff/versions)");
	else if (e)
		api_problem(ctx, e, NULL, NULL);
	else
		answer_json(ctx, 200, tariff_version_to_json(v));
	money_tables_release(t);
}

void api_tariff_line(struct api_ctx *ctx)
{
	const char *code = http_param(ctx->req, "code");
	int32_t date;
	if (!codes_is_digits(code, 10)) {
		not_found(ctx, "a tariff line is looked up by a 10-digit commodity code");
		return;
	}
	if (!query_date(ctx, &date))
		return;
	struct money_tables *t = NULL;
	struct tariff_match m;
	char day[KDATE_TEXT_MAX], from[KDATE_TEXT_MAX];
	kdate_format(date, day);
	kerr e = money_tariff_line(&ctx->uow, code, date, &t, &m);
	if (e == KERR_NOT_FOUND) {
		char detail[96];
		snprintf(detail, sizeof detail, "no tariff line for %s is in force on %s", code,
			 day);
		not_found(ctx, detail);
	} else if (e) {
		api_problem(ctx, e, NULL, NULL);
	} else {
		kdate_format(m.version->effective_from, from);
		answer_json(ctx, 200,
			    json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o}", "code", code, "date",
				      day, "version", "id", m.version->id, "effective_from", from,
				      "kind", m.version->amendment ? "amendment" : "full", "line",
				      tariff_line_to_json(m.line)));
	}
	money_tables_release(t);
}

void api_rates_list(struct api_ctx *ctx)
{
	const char *currency = http_query(ctx->req, "currency");
	if (currency && !codes_is_capitals(currency, 3)) {
		api_field_problem(ctx, KERR_INVALID, "query:currency",
				  "must be an ISO 4217 currency code such as USD");
		return;
	}
	json_t *list = json_array();
	kerr e = money_rates(&ctx->uow, currency, append_exchange_rate, list);
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	answer_json(ctx, 200, json_pack("{s:o}", "rates", list));
}

static kerr append_catalogue(void *arg, const struct fee_catalogue *c)
{
	json_t *j = fee_catalogue_to_json(c);
	return j && !json_array_append_new(arg, j) ? KERR_OK : KERR_NOMEM;
}

void api_fees_public(struct api_ctx *ctx)
{
	const char *port = http_query(ctx->req, "port");
	int32_t date;
	char day[KDATE_TEXT_MAX];
	if (port && !codes_is_capitals(port, 5)) {
		api_field_problem(ctx, KERR_INVALID, "query:port",
				  "must be a UN/LOCODE port such as CNNSA");
		return;
	}
	if (!query_date(ctx, &date))
		return;
	kdate_format(date, day);
	json_t *list = json_array();
	kerr e = charges_catalogues(&ctx->uow, port, date, append_catalogue, list);
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	answer_json(ctx, 200, json_pack("{s:s, s:o}", "date", day, "catalogues", list));
}

void api_fee_catalogue(struct api_ctx *ctx)
{
	struct fee_catalogue *c = NULL;
	kerr e = money_fee_catalogue(&ctx->uow, http_param(ctx->req, "id"), NULL, 0, &c);
	if (e == KERR_NOT_FOUND)
		not_found(ctx, "no fee catalogue has that id (see GET /v1/fees)");
	else if (e)
		api_problem(ctx, e, NULL, NULL);
	else
		answer_json(ctx, 200, fee_catalogue_to_json(c));
	fee_catalogue_free(c);
}

/* --- a declaration's taxes --- */

void api_declaration_assessment(struct api_ctx *ctx)
{
	struct declaration d;
	struct duties_state s;
	json_t *payments = json_array();
	kerr e = taxes_show(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), &d, &s,
			    append_payment, payments);
	if (e == KERR_NOT_FOUND) {
		json_decref(payments);
		not_found(ctx, "no declaration has that number");
	} else if (e) {
		json_decref(payments);
		api_problem(ctx, e, NULL, NULL);
	} else {
		answer_json(ctx, 200, taxes_json(&d, &s, payments));
	}
	duties_state_free(&s);
	declaration_free(&d);
}

/* A payment as it stands, with its declaration's status; `status` when
 * something changed, 200 with Idempotent-Replayed when nothing did. */
static void answer_payment(struct api_ctx *ctx, const struct taxes_paid *paid, int status)
{
	json_t *v = payment_json(&paid->payment);
	if (v)
		json_object_set_new(v, "declaration_status",
				    json_string(declaration_status_name(paid->status)));
	if (v && paid->overpaid)
		json_object_set_new(v, "overpaid", fields_decimal_json(paid->overpaid, 2));
	if (paid->replayed)
		http_response_header(ctx->resp, "Idempotent-Replayed", "true");
	answer_json(ctx, paid->replayed ? 200 : status, v);
}

void api_declaration_pay(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	struct refusal why;
	struct payment pay;
	struct taxes_paid paid;
	problems_init(&p);
	refusal_init(&why, &p);
	if (!payment_parse(body, &pay, &p)) {
		api_problem(ctx, KERR_INVALID, "the payment has fields that are not valid", &p);
		goto out;
	}
	kerr e = taxes_pay(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), &pay, &paid,
			   &why);
	if (e == KERR_NOT_FOUND && !*why.detail)
		refusal_say(&why, "no declaration has that number");
	if (e) {
		api_refused(ctx, e, &why, "the payment could not be saved");
		goto out;
	}
	/* 202: the order is kept, and counts once its bank has paid it */
	answer_payment(ctx, &paid, 202);
out:
	json_decref(body);
}

void api_payment_answer(struct api_ctx *ctx)
{
	struct problems p;
	struct refusal why;
	struct payment_answer ans;
	struct taxes_paid paid;
	if (!api_read_bank_answer(ctx, &ans))
		return;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = taxes_answer(&ctx->uow, &ctx->actor, http_param(ctx->req, "reference"), &ans,
			      &paid, &why);
	if (e)
		api_refused(ctx, e, &why, "the answer could not be saved");
	else
		answer_payment(ctx, &paid, 200);
}

void api_payments_list(struct api_ctx *ctx)
{
	int64_t limit, after;
	const char *status;
	if (!api_payment_orders_query(ctx, &status, &limit) ||
	    !api_query_int(ctx, "after", 0, INT64_MAX, 0, &after))
		return;
	json_t *list = json_array();
	kerr e = taxes_bank_payments(&ctx->uow, &ctx->actor, status, after, (int)limit,
				     append_payment, list);
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "payments", list));
}

static kerr append_bank(void *arg, const struct org_row *o)
{
	json_t *b = json_pack("{s:s, s:s}", "uscc", o->uscc, "name", o->name);
	return b && !json_array_append_new(arg, b) ? KERR_OK : KERR_NOMEM;
}

void api_banks_list(struct api_ctx *ctx)
{
	json_t *list = json_array();
	kerr e = list ? taxes_banks(&ctx->uow, append_bank, list) : KERR_NOMEM;
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o}", "banks", list));
}

void api_declaration_guarantee(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"guarantee", NULL};
	struct problems p;
	struct refusal why;
	struct fields f = {.p = &p};
	problems_init(&p);
	refusal_init(&why, &p);
	if (!api_only_fields(ctx, body, fields, "guarantee"))
		goto out;
	const char *number = fields_reference(&f, body, "guarantee", "", true, 64);
	if (!number) {
		api_problem(ctx, KERR_INVALID, "the request has fields that are not valid", &p);
		goto out;
	}
	struct guarantee_row g;
	enum declaration_status status;
	kerr e = taxes_guarantee(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), number,
				 &g, &status, &why);
	if (e == KERR_NOT_FOUND && !*why.detail)
		refusal_say(&why, "no declaration has that number");
	if (e) {
		api_refused(ctx, e, &why, "the guarantee could not be drawn");
		goto out;
	}
	answer_json(ctx, 200,
		    json_pack("{s:o, s:s}", "guarantee", guarantee_json(&g), "declaration_status",
			      declaration_status_name(status)));
out:
	json_decref(body);
}

/* --- guarantees --- */

void api_guarantee_register(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct problems p;
	struct refusal why;
	struct fields f = {.p = &p};
	struct guarantee g;
	problems_init(&p);
	refusal_init(&why, &p);
	/* the guarantee itself is the domain's; whose it is, ours */
	json_t *own = json_deep_copy(body);
	const char *uscc = fields_uscc(&f, body, "organisation", "", true);
	json_object_del(own, "organisation");
	guarantee_parse(own, "", &g, &p);
	json_decref(own);
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the guarantee has fields that are not valid", &p);
		goto out;
	}
	struct guarantee_row row;
	kerr e = taxes_guarantee_register(&ctx->uow, &ctx->actor, uscc, &g, &row, &why);
	if (e)
		api_refused(ctx, e, &why, "the guarantee could not be saved");
	else
		answer_json(ctx, 201, guarantee_json(&row));
out:
	json_decref(body);
}

void api_guarantees_list(struct api_ctx *ctx)
{
	json_t *list = json_array();
	kerr e = taxes_guarantees(&ctx->uow, &ctx->actor, append_guarantee, list);
	if (e) {
		json_decref(list);
		api_problem(ctx, e, NULL, NULL);
		return;
	}
	answer_json(ctx, 200, json_pack("{s:o}", "guarantees", list));
}

void api_guarantee_get(struct api_ctx *ctx)
{
	struct guarantee_row g;
	kerr e = taxes_guarantee_get(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), &g);
	if (e == KERR_NOT_FOUND)
		not_found(ctx, "no guarantee of yours has that number");
	else if (e)
		api_problem(ctx, e, NULL, NULL);
	else
		answer_json(ctx, 200, guarantee_json(&g));
}

/* --- port charges --- */

void api_declaration_charge(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"code", "quantity", NULL};
	struct problems p;
	struct refusal why;
	struct fields f = {.p = &p};
	int64_t quantity;
	problems_init(&p);
	refusal_init(&why, &p);
	if (!api_only_fields(ctx, body, fields, "code, quantity"))
		goto out;
	const char *code = fields_text(&f, body, "code", "", true, FEE_CODE_MAX - 1);
	fields_decimal(&f, body, "quantity", "", FEE_QUANTITY_SCALE, true, true, &quantity);
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the charge has fields that are not valid", &p);
		goto out;
	}
	struct charge_raised ch;
	kerr e = charges_raise(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"), code,
			       quantity, &ch, &why);
	if (e == KERR_NOT_FOUND && !*why.detail)
		refusal_say(&why, "no declaration at your port has that number");
	if (e) {
		api_refused(ctx, e, &why, "the charge could not be saved");
		goto out;
	}
	json_t *v = fee_charge_to_json(&ch.charge);
	if (v) {
		json_object_set_new(v, "id", json_integer((json_int_t)ch.id));
		json_object_set_new(v, "declaration_number",
				    json_string(http_param(ctx->req, "number")));
		json_object_set_new(v, "raised_by", json_string(actor_name(&ctx->actor)));
		json_object_set_new(v, "raised_at", json_string(ch.raised_at));
	}
	answer_json(ctx, 201, v);
out:
	json_decref(body);
}

struct charge_list {
	json_t *charges;
	int64_t trader, state; /* fen */
};

static kerr collect_charge(void *arg, const struct fee_charge_row *ch)
{
	struct charge_list *l = arg;
	l->trader += ch->trader_amount;
	l->state += ch->state_amount;
	return append_charge(l->charges, ch);
}

void api_declaration_charges(struct api_ctx *ctx)
{
	struct charge_list l = {json_array(), 0, 0};
	kerr e = charges_list(&ctx->uow, &ctx->actor, http_param(ctx->req, "number"),
			      collect_charge, &l);
	if (e) {
		json_decref(l.charges);
		if (e == KERR_NOT_FOUND)
			not_found(ctx, "no declaration has that number");
		else
			api_problem(ctx, e, NULL, NULL);
		return;
	}
	answer_json(ctx, 200,
		    json_pack("{s:s, s:o, s:o, s:o}", "declaration_number",
			      http_param(ctx->req, "number"), "charges", l.charges,
			      "trader_total", fields_decimal_json(l.trader, 2), "state_total",
			      fields_decimal_json(l.state, 2)));
}
