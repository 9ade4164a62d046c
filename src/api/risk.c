/*
 * risk.c - risk-based clearance over HTTP: rule-set versions (with preview
 * and effectiveness), offices' profiles, the credit scaling and enterprise
 * credit. The rules live in src/service/risk_admin.c and src/domain/risk.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/views.h"
#include "common/clock.h"
#include "common/decimal.h"
#include "service/risk_admin.h"

static bool percent_to_ppm(struct api_ctx *ctx, const json_t *v, const char *field,
			   uint32_t *out)
{
	int64_t x;
	if (!json_is_string(v) || decimal_parse(json_string_value(v), 4, &x) != DECIMAL_OK ||
	    x < 0 || x > RISK_PPM) {
		api_field_problem(ctx, KERR_INVALID, field,
				  "must be a percentage from \"0\" to \"100\" with at most "
				  "4 decimals, as a string");
		return false;
	}
	*out = (uint32_t)x; /* 4 decimals of a percent are parts per million */
	return true;
}

static kerr append_meta(void *arg, const struct rules_meta *m)
{
	json_t *v = rules_meta_json(m);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
}

void api_risk_rules_list(struct api_ctx *ctx)
{
	int64_t active = 0;
	json_t *list = json_array();
	if (risk_rules_list(&ctx->uow, &active, append_meta, list)) {
		json_decref(list);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:o, s:o}", "in_force",
				     active ? json_integer((json_int_t)active) : json_null(),
				     "versions", list));
}

static bool version_param(struct api_ctx *ctx, int64_t *v)
{
	*v = 0;
	for (const char *p = http_param(ctx->req, "version"); *p; p++) {
		if (*p < '0' || *p > '9' || *v > 100000000) {
			api_problem(ctx, KERR_NOT_FOUND, "no rule set has that version", NULL);
			return false;
		}
		*v = *v * 10 + (*p - '0');
	}
	return true;
}

void api_risk_rules_get(struct api_ctx *ctx)
{
	int64_t v;
	char *text = NULL;
	struct rules_meta meta;
	struct refusal why;
	refusal_init(&why, NULL);
	if (!version_param(ctx, &v))
		return;
	kerr e = risk_rules_get(&ctx->uow, v, &text, &meta, &why);
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	json_t *o = rules_meta_json(&meta);
	json_object_set_new(o, "text", json_string(text));
	free(text);
	api_json(ctx, 200, o);
}

/* Answer a rule set that does not compile: 400 with the line and column. */
static void rule_error(struct api_ctx *ctx, const struct risk_error *err)
{
	struct problems p;
	problems_init(&p);
	problems_add(&p, "/text", "%s", err->text);
	api_problem_ext(ctx, KERR_INVALID, "the rule set does not compile", &p,
			json_pack("{s:{s:I, s:I, s:s}}", "rule_error", "line",
				  (json_int_t)err->line, "column", (json_int_t)err->column,
				  "message", err->message));
}

void api_risk_rules_add(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"text", "effective_from", "note", NULL};
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", fields, "text, effective_from, note");
	const char *text = json_string_value(json_object_get(body, "text"));
	if (!text)
		problems_add(&p, "/text", "is required: the whole rule set, one rule a line");
	json_t *ef = json_object_get(body, "effective_from");
	const char *note = json_string_value(json_object_get(body, "note"));
	if (json_object_get(body, "note") && (!note || strlen(note) > 500))
		problems_add(&p, "/note", "must be a string of at most 500 bytes");
	int64_t from_us = uow_now_us(&ctx->uow);
	if (ef && (!json_is_string(ef) || !ktime_parse(json_string_value(ef), &from_us)))
		problems_add(&p, "/effective_from",
			     "must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z");
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the rule set is not valid", &p);
		json_decref(body);
		return;
	}
	struct rules_meta meta;
	struct risk_error err;
	struct refusal why;
	refusal_init(&why, NULL);
	kerr e = risk_rules_add(&ctx->uow, &ctx->actor, text, from_us, note, &meta, &err, &why);
	if (e == KERR_INVALID)
		rule_error(ctx, &err);
	else if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 201, json_pack("{s:I, s:I, s:s, s:s}", "version",
					     (json_int_t)meta.version, "rules",
					     (json_int_t)meta.rules, "effective_from",
					     meta.effective_from, "created_by", meta.created_by));
	json_decref(body);
}

static json_t *preview_json(const struct risk_preview *pv)
{
	json_t *lanes = json_object();
	for (size_t k = 0; k < pv->nagencies; k++)
		json_object_set_new(lanes, pv->agencies[k],
				    json_pack("{s:I, s:I, s:I, s:I}", "green",
					      (json_int_t)pv->lanes[k][RISK_LANE_GREEN], "blue",
					      (json_int_t)pv->lanes[k][RISK_LANE_BLUE], "yellow",
					      (json_int_t)pv->lanes[k][RISK_LANE_YELLOW], "red",
					      (json_int_t)pv->lanes[k][RISK_LANE_RED]));
	json_t *rules = json_array();
	for (size_t i = 0; i < pv->nrules; i++)
		json_array_append_new(rules, json_pack("{s:I, s:s, s:I, s:I}", "line",
						       (json_int_t)pv->rules[i].line, "agency",
						       pv->rules[i].agency, "hits",
						       (json_int_t)pv->rules[i].hits, "selected",
						       (json_int_t)pv->rules[i].selected));
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o}", "as_version",
			 (json_int_t)pv->as_version, "declarations",
			 (json_int_t)pv->declarations, "skipped", (json_int_t)pv->skipped,
			 "from", pv->from, "to", pv->to, "lanes", lanes, "rules_hit", rules);
}

void api_risk_rules_preview(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"text", "from", "to", "limit", NULL};
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", fields, "text, from, to, limit");
	const char *text = json_string_value(json_object_get(body, "text"));
	if (!text)
		problems_add(&p, "/text", "is required: the rule set to try");
	int64_t from_us = 0, to_us = uow_now_us(&ctx->uow) + 1;
	json_t *jf = json_object_get(body, "from"), *jt = json_object_get(body, "to");
	if (jf && (!json_is_string(jf) || !ktime_parse(json_string_value(jf), &from_us)))
		problems_add(&p, "/from", "must be an RFC 3339 time");
	if (jt && (!json_is_string(jt) || !ktime_parse(json_string_value(jt), &to_us)))
		problems_add(&p, "/to", "must be an RFC 3339 time");
	json_t *jl = json_object_get(body, "limit");
	json_int_t limit = jl ? json_integer_value(jl) : 1000;
	if (jl && (!json_is_integer(jl) || limit < 1 || limit > 20000))
		problems_add(&p, "/limit", "must be a whole number from 1 to 20000");
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the preview request is not valid", &p);
		json_decref(body);
		return;
	}
	struct risk_preview pv;
	struct risk_error err;
	kerr e = risk_rules_preview(&ctx->uow, text, from_us, to_us, (int)limit, &pv, &err);
	if (e == KERR_INVALID)
		rule_error(ctx, &err);
	else if (e)
		api_problem(ctx, KERR_STORE, NULL, NULL);
	else
		api_json(ctx, 200, preview_json(&pv));
	risk_preview_free(&pv);
	json_decref(body);
}

static kerr append_effect(void *arg, const struct rule_effect_row *r)
{
	json_t *v = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "line", (json_int_t)r->line,
			      "agency", r->agency, "hits", (json_int_t)r->hits, "selected",
			      (json_int_t)r->selected, "inspected", (json_int_t)r->inspected,
			      "problems_found", (json_int_t)r->problems_found);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
}

void api_risk_rules_effectiveness(struct api_ctx *ctx)
{
	int64_t v;
	struct refusal why;
	refusal_init(&why, NULL);
	if (!version_param(ctx, &v))
		return;
	json_t *rows = json_array();
	kerr e = risk_rules_effectiveness(&ctx->uow, v, append_effect, rows, &why);
	if (e) {
		json_decref(rows);
		api_refused(ctx, e, &why, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:I, s:o}", "version", (json_int_t)v, "rules", rows));
}

static kerr append_profile(void *arg, const struct profile_row *p)
{
	json_t *v = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "office", p->office, "agency",
			      p->agency, "random_ppm", (json_int_t)p->random_ppm, "base_lane",
			      p->base_lane, "updated_by", p->updated_by, "updated_at",
			      p->updated_at);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
}

void api_risk_profiles_list(struct api_ctx *ctx)
{
	struct credit_scaling cs;
	json_t *list = json_array();
	if (risk_profiles_list(&ctx->uow, append_profile, list, &cs)) {
		json_decref(list);
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200,
		 json_pack("{s:o, s:{s:I, s:I}, s:s}", "profiles", list, "credit_scaling",
			   "advanced_factor_ppm", (json_int_t)cs.advanced_factor_ppm,
			   "discredited_min_ppm", (json_int_t)cs.discredited_min_ppm, "unset",
			   "an agency an office has not configured gets the yellow lane and no "
			   "random selection"));
}

void api_risk_profile_put(struct api_ctx *ctx)
{
	const char *office = http_param(ctx->req, "office");
	const char *agency = http_param(ctx->req, "agency");
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = risk_profile_may_set(&ctx->actor, agency, &why);
	if (e) {
		api_refused(ctx, e, &why, NULL);
		return;
	}
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"random_percent", "base_lane", NULL};
	problems_unknown_fields(&p, body, "", fields, "random_percent, base_lane");
	const char *lane = json_string_value(json_object_get(body, "base_lane"));
	risk_profile_fields_check(&ctx->uow, office, agency, lane, &p);
	uint32_t ppm = 0;
	e = KERR_INVALID;
	if (problems_any(&p))
		refusal_say(&why, "the profile is not valid");
	else if (percent_to_ppm(ctx, json_object_get(body, "random_percent"),
				"/random_percent", &ppm))
		e = risk_profile_put(&ctx->uow, &ctx->actor, office, agency, ppm, lane, &why);
	else
		goto out; /* answered */
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 200, json_pack("{s:s, s:s, s:I, s:s}", "office", office, "agency",
					     agency, "random_ppm", (json_int_t)ppm, "base_lane",
					     lane));
out:
	json_decref(body);
}

void api_risk_scaling_put(struct api_ctx *ctx)
{
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"advanced_factor_percent",
					     "discredited_min_percent", NULL};
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	struct credit_scaling cs;
	if (!problems_unknown_fields(&p, body, "", fields,
				     "advanced_factor_percent, discredited_min_percent")) {
		api_problem(ctx, KERR_INVALID, NULL, &p);
	} else if (percent_to_ppm(ctx, json_object_get(body, "advanced_factor_percent"),
				  "/advanced_factor_percent", &cs.advanced_factor_ppm) &&
		   percent_to_ppm(ctx, json_object_get(body, "discredited_min_percent"),
				  "/discredited_min_percent", &cs.discredited_min_ppm)) {
		kerr e = risk_scaling_put(&ctx->uow, &ctx->actor, &cs, &why);
		if (e)
			api_refused(ctx, e, &why, NULL);
		else
			api_json(ctx, 200, json_pack("{s:I, s:I}", "advanced_factor_ppm",
						     (json_int_t)cs.advanced_factor_ppm,
						     "discredited_min_ppm",
						     (json_int_t)cs.discredited_min_ppm));
	}
	json_decref(body);
}

static kerr append_change(void *arg, const struct credit_change *ch)
{
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s}", "from", ch->from, "to", ch->to,
			      "reason", ch->reason, "changed_by", ch->changed_by, "changed_at",
			      ch->changed_at);
	return v && !json_array_append_new(arg, v) ? KERR_OK : KERR_NOMEM;
}

void api_credit_get(struct api_ctx *ctx)
{
	const char *uscc = http_param(ctx->req, "uscc");
	char cls[ORG_KIND_SIZE];
	struct refusal why;
	refusal_init(&why, NULL);
	json_t *hist = json_array();
	kerr e = credit_get(&ctx->uow, uscc, cls, sizeof cls, append_change, hist, &why);
	if (e) {
		json_decref(hist);
		api_refused(ctx, e, &why, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:s, s:s, s:o}", "uscc", uscc, "credit_class", cls,
				     "history", hist));
}

void api_credit_put(struct api_ctx *ctx)
{
	const char *uscc = http_param(ctx->req, "uscc");
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	static const char *const fields[] = {"credit_class", "reason", NULL};
	struct problems p;
	struct refusal why;
	problems_init(&p);
	refusal_init(&why, &p);
	problems_unknown_fields(&p, body, "", fields, "credit_class, reason");
	enum credit_class c = CREDIT_STANDARD;
	const char *to = json_string_value(json_object_get(body, "credit_class"));
	const char *reason = json_string_value(json_object_get(body, "reason"));
	if (!to || !credit_class_parse(to, &c))
		problems_add(&p, "/credit_class", "must be advanced, standard or discredited");
	if (!reason || !*reason || strlen(reason) > 500)
		problems_add(&p, "/reason", "is required: why the class changes (at most 500 bytes)");
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the change is not valid", &p);
		json_decref(body);
		return;
	}
	char from[ORG_KIND_SIZE], now[TIME_TEXT_SIZE];
	uow_now(&ctx->uow, now);
	kerr e = credit_put(&ctx->uow, &ctx->actor, uscc, c, reason, from, sizeof from, &why);
	if (e)
		api_refused(ctx, e, &why, NULL);
	else
		api_json(ctx, 200, json_pack("{s:s, s:s, s:s, s:s, s:s}", "uscc", uscc, "from",
					     from, "credit_class", to, "reason", reason,
					     "changed_at", now));
	json_decref(body);
}
