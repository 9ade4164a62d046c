/*
 * risk.c - risk-based clearance in the API: the assessment of every
 * accepted declaration and what follows from it, and the resources officers
 * manage: enterprise credit, the rule set's versions (with preview and
 * effectiveness), and the offices' selectivity profiles.
 *
 * The assessment runs inside the transaction that accepts (or corrects) a
 * declaration. Per agency with an open task: green and blue are cleared by
 * kouan itself, yellow waits for an officer's document check, red orders
 * the joint inspection. A declaration on which nobody drew yellow or red is
 * thus released at once, by kouan, and its events say so.
 *
 * Where an office has no profile for an agency, nothing is released
 * automatically: the lane when nothing selects is yellow (document check)
 * until the office sets it, and there is no random selection.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "common/decimal.h"
#include "common/log.h"
#include "domain/declaration.h"
#include "domain/risk.h"
#include "store/repo_risk.h"

/* The compiled rule set in force, shared by reference count. */
struct rules_ref {
	struct risk_rules *rules;
	int refs;
};

struct risk_state {
	pthread_mutex_t lock;
	struct rules_ref *current; /* NULL until first used */
	bool seeded;
	uint8_t seed[RISK_SEED_BYTES];
};

static struct risk_state *state(struct app *app)
{
	/* created once, on first use, under a process-wide lock */
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&once);
	if (!app->risk) {
		struct risk_state *s = calloc(1, sizeof *s);
		if (s)
			pthread_mutex_init(&s->lock, NULL);
		app->risk = s;
	}
	pthread_mutex_unlock(&once);
	return app->risk;
}

static void rules_release(struct rules_ref *r)
{
	if (r && __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		risk_rules_free(r->rules);
		free(r);
	}
}

void risk_state_free(struct app *app)
{
	struct risk_state *s = app->risk;
	if (!s)
		return;
	rules_release(s->current);
	sodium_memzero(s->seed, sizeof s->seed);
	pthread_mutex_destroy(&s->lock);
	free(s);
	app->risk = NULL;
}

/* The agency codes in reference order: the rule set's agency indexes are
 * the reference snapshot's. */
static size_t agency_codes(const struct refdata *ref, const char **codes)
{
	for (size_t i = 0; i < ref->nagencies; i++)
		codes[i] = ref->agencies[i].code;
	return ref->nagencies;
}

static kerr compile_text(const char *text, int64_t version, const struct refdata *ref,
			 struct risk_rules **out, struct risk_error *err)
{
	const char *codes[REF_MAX_AGENCIES];
	size_t n = agency_codes(ref, codes);
	return risk_rules_compile(text, strlen(text), version, codes, n, out, err);
}

/* The rule set in force at `now` (retained: rules_release it). */
static kerr rules_in_force(struct api_ctx *ctx, const struct refdata *ref,
			   const char *now, struct rules_ref **out)
{
	struct risk_state *s = state(ctx->app);
	if (!s)
		return KERR_NOMEM;
	int64_t version = 0;
	kerr e = repo_rules_active(ctx->conn, now, &version);
	if (e == KERR_NOT_FOUND)
		version = 0, e = KERR_OK;
	if (e)
		return e;
	pthread_mutex_lock(&s->lock);
	if (s->current && risk_rules_version(s->current->rules) == version) {
		__atomic_add_fetch(&s->current->refs, 1, __ATOMIC_RELAXED);
		*out = s->current;
		pthread_mutex_unlock(&s->lock);
		return KERR_OK;
	}
	pthread_mutex_unlock(&s->lock);
	char *text = NULL;
	if (version > 0 && (e = repo_rules_get(ctx->conn, version, &text, NULL)))
		return e;
	struct rules_ref *r = calloc(1, sizeof *r);
	struct risk_error err;
	if (!r) {
		free(text);
		return KERR_NOMEM;
	}
	e = compile_text(text ? text : "", version, ref, &r->rules, &err);
	free(text);
	if (e) {
		log_error("risk: stored rule set %lld does not compile: %s", (long long)version,
			  err.text);
		free(r);
		return KERR_INTERNAL;
	}
	r->refs = 2; /* the cache's and the caller's */
	pthread_mutex_lock(&s->lock);
	struct rules_ref *old = s->current;
	s->current = r;
	pthread_mutex_unlock(&s->lock);
	rules_release(old);
	*out = r;
	return KERR_OK;
}

/* The secret seed of the draws, made once per database. */
static kerr seed_of(struct api_ctx *ctx, const uint8_t **seed)
{
	struct risk_state *s = state(ctx->app);
	if (!s)
		return KERR_NOMEM;
	pthread_mutex_lock(&s->lock);
	bool have = s->seeded;
	pthread_mutex_unlock(&s->lock);
	if (!have) {
		char hex[2 * RISK_SEED_BYTES + 1];
		kerr e = repo_setting_get(ctx->conn, "risk_seed", hex, sizeof hex);
		if (e == KERR_NOT_FOUND) {
			uint8_t fresh[RISK_SEED_BYTES];
			randombytes_buf(fresh, sizeof fresh);
			sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
			e = repo_setting_put(ctx->conn, "risk_seed", hex);
		}
		uint8_t bin[RISK_SEED_BYTES];
		size_t len = 0;
		if (!e && (sodium_hex2bin(bin, sizeof bin, hex, strlen(hex), NULL, &len, NULL) ||
			   len != sizeof bin))
			e = KERR_INTERNAL;
		if (e)
			return e;
		pthread_mutex_lock(&s->lock);
		memcpy(s->seed, bin, sizeof bin);
		s->seeded = true;
		pthread_mutex_unlock(&s->lock);
	}
	*seed = s->seed;
	return KERR_OK;
}

struct profile_fill {
	const struct refdata *ref;
	struct risk_profile *p;
};

static void fill_profile(void *arg, const char *agency, int64_t ppm, const char *lane)
{
	struct profile_fill *pf = arg;
	int k = refdata_agency_index(pf->ref, agency);
	enum risk_lane l;
	if (k < 0 || !risk_lane_parse(lane, &l) || ppm < 0 || ppm > RISK_PPM)
		return;
	pf->p->random_ppm[k] = (uint32_t)ppm;
	pf->p->base_lane[k] = l;
}

static uint32_t setting_ppm(struct api_ctx *ctx, const char *name, uint32_t dflt)
{
	char v[32];
	if (repo_setting_get(ctx->conn, name, v, sizeof v))
		return dflt;
	long long x = strtoll(v, NULL, 10);
	return x >= 0 && x <= RISK_PPM ? (uint32_t)x : dflt;
}

/* The office's profile: yellow and no random selection for the agencies it
 * has not configured. */
static kerr profile_of(struct api_ctx *ctx, const struct refdata *ref, const char *office,
		       struct risk_profile *p)
{
	risk_profile_init(p);
	for (size_t k = 0; k < RISK_MAX_AGENCIES; k++)
		p->base_lane[k] = RISK_LANE_YELLOW;
	p->advanced_factor_ppm =
		setting_ppm(ctx, "risk_advanced_factor_ppm", RISK_ADVANCED_FACTOR_DEFAULT);
	p->discredited_min_ppm =
		setting_ppm(ctx, "risk_discredited_min_ppm", RISK_DISCREDITED_MIN_DEFAULT);
	struct profile_fill pf = {ref, p};
	return repo_profiles_of(ctx->conn, office, fill_profile, &pf);
}

static enum credit_class credit_of(struct api_ctx *ctx, const char *uscc)
{
	int64_t id;
	char cls[24];
	enum credit_class c;
	if (repo_credit_get(ctx->conn, uscc, &id, cls, sizeof cls) || !credit_class_parse(cls, &c))
		return CREDIT_STANDARD; /* not registered with the single window */
	return c;
}

/* The value in CNY (fen) of goods_value (minor units of `currency`);
 * false when there is no exchange rate. */
static bool value_cny(const struct refdata *ref, const char *currency, int64_t value,
		      int64_t *out)
{
	const struct ref_entry *e = refdata_find(ref, "exchange_rates", currency);
	const char *rate = e ? json_string_value(json_object_get(e->data, "cny_per_unit")) : NULL;
	int64_t r;
	return rate && decimal_parse(rate, 6, &r) == DECIMAL_OK &&
	       decimal_mul(value, SCALE_MONEY, r, 6, SCALE_MONEY, out) == DECIMAL_OK;
}

static const char *lane_reason(enum risk_lane lane)
{
	switch (lane) {
	case RISK_LANE_GREEN:
		return "green lane: released by risk assessment";
	case RISK_LANE_BLUE:
		return "blue lane: released by risk assessment, audit later";
	case RISK_LANE_RED:
		return "red lane: physical inspection selected by risk assessment";
	default:
		return "yellow lane: document check";
	}
}

kerr risk_assess_and_apply(struct api_ctx *ctx, const char *number, int64_t org_id,
			   int64_t declaration_version, const json_t *body,
			   const struct declaration_facts *f, const struct refdata *ref,
			   const char *now)
{
	struct rules_ref *rules = NULL;
	const uint8_t *seed;
	struct risk_profile profile;
	kerr e = rules_in_force(ctx, ref, now, &rules);
	if (!e)
		e = seed_of(ctx, &seed);
	if (!e)
		e = profile_of(ctx, ref, f->declaration_office, &profile);
	if (e) {
		rules_release(rules);
		return e;
	}
	const char *port_key = f->import ? "entry_port" : "exit_port";
	struct risk_facts facts = {
		.number = number,
		.office = f->declaration_office,
		.trade_mode = json_string_value(json_object_get(body, "trade_mode")),
		.transport_mode = f->transport_mode,
		.port = json_string_value(json_object_get(body, port_key)),
		.trading_country = json_string_value(json_object_get(body, "trading_country")),
		.consignee = f->consignee_uscc,
		.declarant = f->declarant_uscc,
		.agencies = f->agencies,
	};
	facts.consignee_credit = credit_of(ctx, f->consignee_uscc);
	facts.declarant_credit = credit_of(ctx, f->declarant_uscc);
	bool known = true, valued = value_cny(ref, f->currency, f->goods_value, &facts.value_cny);
	if (f->import)
		e = repo_known_importer(ctx->conn, f->consignee_uscc, number, &known);
	facts.new_importer = f->import && !known;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(body, "items"), i, it)
	{
		if (i >= RISK_MAX_ITEMS)
			break;
		facts.items[i].hs = json_string_value(json_object_get(it, "hs_code"));
		facts.items[i].origin = json_string_value(json_object_get(it, "origin_country"));
		facts.nitems = i + 1;
	}
	struct risk_outcome *o = e ? NULL : malloc(sizeof *o);
	if (!e && !o)
		e = KERR_NOMEM;
	if (!e)
		e = risk_assess(rules->rules, &profile, seed, &facts, o);
	json_t *why = e ? NULL : risk_outcome_json(rules->rules, o);
	if (!e && !why)
		e = KERR_NOMEM;
	char text_value[40] = "";
	if (!e) {
		if (valued)
			decimal_format(facts.value_cny, SCALE_MONEY, text_value, sizeof text_value);
		json_object_set_new(why, "value_cny", valued ? json_string(text_value) : json_null());
		if (!valued)
			json_object_set_new(why, "value_cny_note",
					    json_string("no exchange rate for the currency: "
							"rules on value_cny did not hit"));
		json_object_set_new(why, "new_importer", json_boolean(facts.new_importer));
		json_object_set_new(why, "declarant_credit",
				    json_string(credit_class_name(facts.declarant_credit)));
		char *text = json_dumps(why, JSON_COMPACT | JSON_SORT_KEYS);
		e = text ? repo_assessment_put(ctx->conn, number, declaration_version,
					       o->version, now, text)
			 : KERR_NOMEM;
		free(text);
	}
	for (size_t h = 0; !e && h < o->nhits; h++)
		e = repo_rule_hit_put(ctx->conn, o->version, o->hits[h].line,
				      risk_rules_agency(rules->rules, o->hits[h].agency), number,
				      o->hits[h].selected);
	/* the event that records the lanes, then what they mean for the tasks */
	json_t *lanes = json_object();
	for (size_t k = 0; k < ref->nagencies; k++)
		if (f->agencies & (1u << k))
			json_object_set_new(lanes, ref->agencies[k].code,
					    json_string(risk_lane_name(o ? o->agency[k].lane
									: RISK_LANE_YELLOW)));
	bool was_system = ctx->system_actor;
	ctx->system_actor = true;
	if (!e) {
		struct event_in ev = {.number = number, .org_id = org_id,
				      .type = "declaration.assessed", .actor = "kouan",
				      .actor_role = "system", .at = now};
		json_t *data = json_pack("{s:I, s:I, s:O}", "rules_version",
					 (json_int_t)o->version, "declaration_version",
					 (json_int_t)declaration_version, "lanes", lanes);
		char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
		ev.data = text;
		e = text ? api_event(ctx, &ev) : KERR_NOMEM;
		free(text);
		json_decref(data);
	}
	for (size_t k = 0; !e && k < ref->nagencies; k++) {
		if (!(f->agencies & (1u << k)))
			continue;
		enum risk_lane lane = o->agency[k].lane;
		if (lane == RISK_LANE_YELLOW)
			continue;
		const char *refusal;
		enum decision d = lane == RISK_LANE_RED ? DECISION_INSPECT : DECISION_CLEARED;
		e = declaration_decide(ctx, number, ref->agencies[k].code, d, lane_reason(lane),
				       json_pack("{s:s, s:I}", "lane", risk_lane_name(lane),
						 "rules_version", (json_int_t)o->version),
				       &refusal);
		if (e == KERR_CONFLICT)
			e = KERR_OK; /* the task is no longer open: nothing to apply */
		json_decref(ctx->last_view);
		ctx->last_view = NULL;
	}
	ctx->system_actor = was_system;
	json_decref(lanes);
	json_decref(why);
	free(o);
	rules_release(rules);
	return e;
}
