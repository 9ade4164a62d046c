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

/* The secret seed of the draws: made once per database, at start-up
 * (risk_seed_ensure), and only read afterwards. */
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
		uint8_t bin[RISK_SEED_BYTES];
		size_t len = 0;
		kerr e = repo_setting_get(ctx->conn, "risk_seed", hex, sizeof hex);
		if (e == KERR_NOT_FOUND)
			e = KERR_INTERNAL; /* risk_seed_ensure did not run */
		if (!e && (sodium_hex2bin(bin, sizeof bin, hex, strlen(hex), NULL, &len, NULL) ||
			   len != sizeof bin))
			e = KERR_INTERNAL;
		if (e) {
			log_error("risk: the database has no usable risk_seed setting");
			return e;
		}
		pthread_mutex_lock(&s->lock);
		memcpy(s->seed, bin, sizeof bin);
		s->seeded = true;
		pthread_mutex_unlock(&s->lock);
	}
	*seed = s->seed;
	return KERR_OK;
}

kerr risk_seed_ensure(struct store *store)
{
	struct store_conn *c;
	kerr e = store_thread_conn(store, &c);
	if (e || (e = store_begin(c, true)))
		return e;
	char hex[2 * RISK_SEED_BYTES + 1];
	e = repo_setting_get(c, "risk_seed", hex, sizeof hex);
	if (e == KERR_NOT_FOUND) {
		uint8_t fresh[RISK_SEED_BYTES];
		randombytes_buf(fresh, sizeof fresh);
		sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
		sodium_memzero(fresh, sizeof fresh);
		/* two servers starting at once: the first one's seed stays */
		e = repo_setting_put_new(c, "risk_seed", hex);
	}
	if (e) {
		store_rollback(c);
		return e;
	}
	return store_commit(c);
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

/* The declaration as the risk engine sees it: its codes, value in CNY,
 * parties' credit classes and whether the importer is new. Strings are
 * borrowed from body and f. */
static kerr gather_facts(struct api_ctx *ctx, const char *number, const json_t *body,
			 const struct declaration_facts *f, const struct refdata *ref,
			 struct risk_facts *facts, bool *valued)
{
	const char *port_key = f->import ? "entry_port" : "exit_port";
	memset(facts, 0, sizeof *facts);
	facts->number = number;
	facts->office = f->declaration_office;
	facts->trade_mode = json_string_value(json_object_get(body, "trade_mode"));
	facts->transport_mode = f->transport_mode;
	facts->port = json_string_value(json_object_get(body, port_key));
	facts->trading_country = json_string_value(json_object_get(body, "trading_country"));
	facts->consignee = f->consignee_uscc;
	facts->declarant = f->declarant_uscc;
	facts->agencies = f->agencies;
	facts->consignee_credit = credit_of(ctx, f->consignee_uscc);
	facts->declarant_credit = credit_of(ctx, f->declarant_uscc);
	*valued = value_cny(ref, f->currency, f->goods_value, &facts->value_cny);
	facts->value_unknown = !*valued; /* then no value_cny condition holds */
	bool known = true;
	kerr e = f->import ? repo_known_importer(ctx->conn, f->consignee_uscc, number, &known)
			   : KERR_OK;
	facts->new_importer = f->import && !known;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(body, "items"), i, it)
	{
		if (i >= RISK_MAX_ITEMS)
			break;
		facts->items[i].hs = json_string_value(json_object_get(it, "hs_code"));
		facts->items[i].origin = json_string_value(json_object_get(it, "origin_country"));
		facts->nitems = i + 1;
	}
	return e;
}

kerr risk_assess_and_apply(struct api_ctx *ctx, const char *number, int64_t org_id,
			   int64_t declaration_version, const json_t *body,
			   const struct declaration_facts *f, const struct refdata *ref,
			   const char *now, bool *applied)
{
	struct rules_ref *rules = NULL;
	const uint8_t *seed;
	struct risk_profile profile;
	*applied = false;
	kerr e = rules_in_force(ctx, ref, now, &rules);
	if (!e)
		e = seed_of(ctx, &seed);
	if (!e)
		e = profile_of(ctx, ref, f->declaration_office, &profile);
	if (e) {
		rules_release(rules);
		return e;
	}
	struct risk_facts facts;
	bool valued;
	e = gather_facts(ctx, number, body, f, ref, &facts, &valued);
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
		else if (!e)
			*applied = true;
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

/* ------------------------------------------------------------------ */
/* Resources: rule sets, profiles, credit, explanations                */
/* ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Do two rule sets hold the same rules for every agency but `mine`
 * (compared as sorted lists of rule texts)? */
static bool same_rules_of_others(const struct risk_rules *a, const struct risk_rules *b,
				 const char *mine)
{
	const struct risk_rules *sets[2] = {a, b};
	const char **lists[2] = {NULL, NULL};
	size_t counts[2] = {0, 0};
	bool same = false;
	for (int s = 0; s < 2; s++) {
		size_t n = sets[s] ? risk_rules_count(sets[s]) : 0;
		lists[s] = calloc(n ? n : 1, sizeof *lists[s]);
		if (!lists[s])
			goto out;
		for (size_t i = 0; i < n; i++) {
			const char *agency =
				risk_rules_agency(sets[s], (size_t)risk_rule_agency(sets[s], i));
			if (!agency || strcmp(agency, mine) != 0)
				lists[s][counts[s]++] = risk_rule_source(sets[s], i);
		}
		qsort(lists[s], counts[s], sizeof *lists[s], cmp_str);
	}
	same = counts[0] == counts[1];
	for (size_t i = 0; same && i < counts[0]; i++)
		same = strcmp(lists[0][i], lists[1][i]) == 0;
out:
	free(lists[0]);
	free(lists[1]);
	return same;
}

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

void api_risk_rules_list(struct api_ctx *ctx)
{
	char now[KTIME_TEXT_MAX];
	api_now(ctx, now);
	if (!api_begin(ctx, false))
		return;
	int64_t active = 0;
	kerr e = repo_rules_active(ctx->conn, now, &active);
	json_t *list = repo_rules_list(ctx->conn);
	store_rollback(ctx->conn);
	if (!list || (e && e != KERR_NOT_FOUND)) {
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
	const char *s = http_param(ctx->req, "version");
	*v = 0;
	for (const char *p = s; *p; p++) {
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
	if (!version_param(ctx, &v) || !api_begin(ctx, false))
		return;
	char *text = NULL;
	json_t *meta = NULL;
	kerr e = repo_rules_get(ctx->conn, v, &text, &meta);
	store_rollback(ctx->conn);
	if (e) {
		api_problem(ctx, e, e == KERR_NOT_FOUND ? "no rule set has that version" : NULL, NULL);
		return;
	}
	json_object_set_new(meta, "text", json_string(text));
	free(text);
	api_json(ctx, 200, meta);
}

/* Compile the text an officer sent; answers 400 with the line and column
 * of the first error. */
static struct risk_rules *compile_or_answer(struct api_ctx *ctx, const char *text,
					    int64_t version, const struct refdata *ref)
{
	struct risk_rules *rs = NULL;
	struct risk_error err;
	kerr e = compile_text(text, version, ref, &rs, &err);
	if (e == KERR_INVALID) {
		struct problems p;
		problems_init(&p);
		problems_add(&p, "/text", "%s", err.text);
		api_problem_ext(ctx, KERR_INVALID, "the rule set does not compile", &p,
				json_pack("{s:{s:I, s:I, s:s}}", "rule_error", "line",
					  (json_int_t)err.line, "column", (json_int_t)err.column,
					  "message", err.message));
		return NULL;
	}
	if (e) {
		api_problem(ctx, e, NULL, NULL);
		return NULL;
	}
	return rs;
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
	int64_t from_us = kclock_now(ctx->app->clock);
	if (ef && (!json_is_string(ef) || !ktime_parse(json_string_value(ef), &from_us)))
		problems_add(&p, "/effective_from",
			     "must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z");
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the rule set is not valid", &p);
		json_decref(body);
		return;
	}
	char from[KTIME_TEXT_MAX], now[KTIME_TEXT_MAX];
	ktime_format(from_us, from);
	api_now(ctx, now);
	struct refdata *ref = app_refdata(ctx->app);
	struct risk_rules *rs = compile_or_answer(ctx, text, 0, ref), *latest = NULL;
	char *latest_text = NULL;
	if (!rs)
		goto out;
	if (!api_begin(ctx, true))
		goto out;
	int64_t lv = 0, version = 0;
	kerr e = repo_rules_latest(ctx->conn, &lv);
	if (!e && lv > 0)
		e = repo_rules_get(ctx->conn, lv, &latest_text, NULL);
	const char *mine = role_agency(ctx->caller.role);
	if (!e && mine) {
		struct risk_error err;
		if (latest_text && compile_text(latest_text, lv, ref, &latest, &err))
			latest = NULL;
		if (!same_rules_of_others(latest, rs, mine)) {
			store_rollback(ctx->conn);
			char detail[160];
			snprintf(detail, sizeof detail,
				 "a %s officer may add, change or remove only %s rules; the "
				 "others must stay as in version %lld",
				 mine, mine, (long long)lv);
			api_problem(ctx, KERR_FORBIDDEN, detail, NULL);
			goto out;
		}
	}
	if (!e)
		e = repo_rules_add(ctx->conn, text, (int64_t)risk_rules_count(rs), from,
				   note ? note : "", ctx->caller.user.username,
				   role_name(ctx->caller.role), now, &version);
	if (!e) {
		char target[32];
		snprintf(target, sizeof target, "risk_rules/%lld", (long long)version);
		e = repo_audit(ctx->conn, now, ctx->caller.user.username, "risk_rules.added",
			       target, NULL);
	}
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, e == KERR_CONFLICT ? KERR_CONFLICT : KERR_STORE,
			    e == KERR_CONFLICT ? "another version was stored at the same "
						 "moment; send it again" : NULL,
			    NULL);
		goto out;
	}
	if (api_commit(ctx))
		api_json(ctx, 201, json_pack("{s:I, s:I, s:s, s:s}", "version",
					     (json_int_t)version, "rules",
					     (json_int_t)risk_rules_count(rs), "effective_from",
					     from, "created_by", ctx->caller.user.username));
out:
	free(latest_text);
	risk_rules_free(latest);
	risk_rules_free(rs);
	refdata_release(ref);
	json_decref(body);
}

struct preview {
	struct api_ctx *ctx;
	const struct refdata *ref;
	const struct risk_rules *rules;
	const uint8_t *seed;
	size_t declarations, skipped;
	uint32_t lanes[RISK_MAX_AGENCIES][4];
	json_t *per_rule; /* "line" -> {hits, selected, agency} */
	kerr error;
};

static void preview_one(void *arg, const char *number, const char *text)
{
	struct preview *pv = arg;
	if (pv->error)
		return;
	json_t *body = json_loads(text, 0, NULL);
	struct problems p;
	struct declaration_facts f;
	problems_init(&p);
	if (!body || !declaration_validate(body, pv->ref, &p, &f)) {
		pv->skipped++; /* no longer valid against today's reference data */
		json_decref(body);
		return;
	}
	struct risk_facts facts;
	struct risk_profile profile;
	bool valued;
	struct risk_outcome *o = malloc(sizeof *o);
	kerr e = o ? gather_facts(pv->ctx, number, body, &f, pv->ref, &facts, &valued) : KERR_NOMEM;
	if (!e)
		e = profile_of(pv->ctx, pv->ref, f.declaration_office, &profile);
	if (!e)
		e = risk_assess(pv->rules, &profile, pv->seed, &facts, o);
	if (!e) {
		pv->declarations++;
		for (size_t k = 0; k < pv->ref->nagencies && k < RISK_MAX_AGENCIES; k++)
			if (f.agencies & (1u << k))
				pv->lanes[k][o->agency[k].lane]++;
		for (size_t h = 0; h < o->nhits; h++) {
			char line[16];
			snprintf(line, sizeof line, "%u", o->hits[h].line);
			json_t *r = json_object_get(pv->per_rule, line);
			if (!r) {
				r = json_pack("{s:I, s:s, s:I, s:I}", "line",
					      (json_int_t)o->hits[h].line, "agency",
					      risk_rules_agency(pv->rules, o->hits[h].agency),
					      "hits", (json_int_t)0, "selected", (json_int_t)0);
				json_object_set_new(pv->per_rule, line, r);
			}
			json_object_set_new(r, "hits", json_integer(json_integer_value(
							       json_object_get(r, "hits")) + 1));
			if (o->hits[h].selected)
				json_object_set_new(r, "selected",
						    json_integer(json_integer_value(json_object_get(
									 r, "selected")) + 1));
		}
	}
	pv->error = e;
	free(o);
	declaration_facts_free(&f);
	json_decref(body);
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
	int64_t from_us = 0, to_us = kclock_now(ctx->app->clock) + 1;
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
	struct refdata *ref = app_refdata(ctx->app);
	struct preview pv = {.ctx = ctx, .ref = ref, .per_rule = json_object()};
	char from[KTIME_TEXT_MAX], to[KTIME_TEXT_MAX];
	ktime_format(from_us, from);
	ktime_format(to_us, to);
	struct risk_rules *rs = NULL;
	if (!api_begin(ctx, false))
		goto out;
	int64_t lv = 0;
	kerr e = repo_rules_latest(ctx->conn, &lv);
	/* drawn as the next version would be */
	if (!e && (rs = compile_or_answer(ctx, text, lv + 1, ref)) == NULL) {
		store_rollback(ctx->conn);
		goto out;
	}
	pv.rules = rs;
	if (!e)
		e = seed_of(ctx, &pv.seed);
	if (!e)
		e = repo_declarations_lodged(ctx->conn, from, to, (int)limit, preview_one, &pv);
	if (!e)
		e = pv.error;
	store_rollback(ctx->conn);
	if (e) {
		api_problem(ctx, KERR_STORE, NULL, NULL);
		goto out;
	}
	json_t *lanes = json_object();
	for (size_t k = 0; k < ref->nagencies; k++)
		json_object_set_new(lanes, ref->agencies[k].code,
				    json_pack("{s:I, s:I, s:I, s:I}", "green",
					      (json_int_t)pv.lanes[k][0], "blue",
					      (json_int_t)pv.lanes[k][1], "yellow",
					      (json_int_t)pv.lanes[k][2], "red",
					      (json_int_t)pv.lanes[k][3]));
	json_t *rules = json_array();
	const char *key;
	json_t *r;
	json_object_foreach(pv.per_rule, key, r)
		json_array_append(rules, r);
	api_json(ctx, 200, json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o}", "as_version",
				     (json_int_t)(lv + 1), "declarations",
				     (json_int_t)pv.declarations, "skipped",
				     (json_int_t)pv.skipped, "from", from, "to", to, "lanes", lanes,
				     "rules_hit", rules));
out:
	json_decref(pv.per_rule);
	risk_rules_free(rs);
	refdata_release(ref);
	json_decref(body);
}

void api_risk_rules_effectiveness(struct api_ctx *ctx)
{
	int64_t v;
	if (!version_param(ctx, &v) || !api_begin(ctx, false))
		return;
	char *text = NULL;
	kerr e = repo_rules_get(ctx->conn, v, &text, NULL);
	json_t *rows = e ? NULL : repo_rule_effectiveness(ctx->conn, v);
	store_rollback(ctx->conn);
	free(text);
	if (e || !rows) {
		api_problem(ctx, e ? e : KERR_STORE,
			    e == KERR_NOT_FOUND ? "no rule set has that version" : NULL, NULL);
		return;
	}
	api_json(ctx, 200, json_pack("{s:I, s:o}", "version", (json_int_t)v, "rules", rows));
}

void api_risk_profiles_list(struct api_ctx *ctx)
{
	if (!api_begin(ctx, false))
		return;
	json_t *list = repo_profiles_list(ctx->conn);
	char v1[32] = "", v2[32] = "";
	if (repo_setting_get(ctx->conn, "risk_advanced_factor_ppm", v1, sizeof v1))
		snprintf(v1, sizeof v1, "%u", RISK_ADVANCED_FACTOR_DEFAULT);
	if (repo_setting_get(ctx->conn, "risk_discredited_min_ppm", v2, sizeof v2))
		snprintf(v2, sizeof v2, "%u", RISK_DISCREDITED_MIN_DEFAULT);
	store_rollback(ctx->conn);
	if (!list) {
		api_problem(ctx, KERR_STORE, NULL, NULL);
		return;
	}
	api_json(ctx, 200,
		 json_pack("{s:o, s:{s:I, s:I}, s:s}", "profiles", list, "credit_scaling",
			   "advanced_factor_ppm", (json_int_t)strtoll(v1, NULL, 10),
			   "discredited_min_ppm", (json_int_t)strtoll(v2, NULL, 10),
			   "unset", "an agency an office has not configured gets the yellow "
				    "lane and no random selection"));
}

void api_risk_profile_put(struct api_ctx *ctx)
{
	const char *office = http_param(ctx->req, "office");
	const char *agency = http_param(ctx->req, "agency");
	const char *mine = role_agency(ctx->caller.role);
	if (mine && strcmp(mine, agency) != 0) {
		api_problem(ctx, KERR_FORBIDDEN, "officers may set only their own agency's profile",
			    NULL);
		return;
	}
	json_t *body = api_read_body(ctx);
	if (!body)
		return;
	struct refdata *ref = app_refdata(ctx->app);
	static const char *const fields[] = {"random_percent", "base_lane", NULL};
	struct problems p;
	problems_init(&p);
	problems_unknown_fields(&p, body, "", fields, "random_percent, base_lane");
	if (!refdata_has(ref, "customs_offices", office))
		problems_add(&p, "path:office", "is not a known customs office");
	if (refdata_agency_index(ref, agency) < 0)
		problems_add(&p, "path:agency", "is not a known agency");
	enum risk_lane lane;
	const char *ls = json_string_value(json_object_get(body, "base_lane"));
	if (!ls || !risk_lane_parse(ls, &lane))
		problems_add(&p, "/base_lane", "must be green, blue, yellow or red");
	refdata_release(ref);
	uint32_t ppm = 0;
	if (problems_any(&p)) {
		api_problem(ctx, KERR_INVALID, "the profile is not valid", &p);
	} else if (percent_to_ppm(ctx, json_object_get(body, "random_percent"), "/random_percent",
				  &ppm)) {
		char now[KTIME_TEXT_MAX], target[64];
		api_now(ctx, now);
		snprintf(target, sizeof target, "risk_profile/%s/%s", office, agency);
		if (api_begin(ctx, true)) {
			kerr e = repo_profile_put(ctx->conn, office, agency, ppm, ls,
						  ctx->caller.user.username, now);
			char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
			if (!e)
				e = repo_audit(ctx->conn, now, ctx->caller.user.username,
					       "risk_profile.set", target, text);
			free(text);
			if (e) {
				store_rollback(ctx->conn);
				api_problem(ctx, KERR_STORE, NULL, NULL);
			} else if (api_commit(ctx)) {
				api_json(ctx, 200, json_pack("{s:s, s:s, s:I, s:s}", "office", office,
							     "agency", agency, "random_ppm",
							     (json_int_t)ppm, "base_lane", ls));
			}
		}
	}
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
	problems_init(&p);
	uint32_t adv = 0, dis = 0;
	if (!problems_unknown_fields(&p, body, "", fields,
				     "advanced_factor_percent, discredited_min_percent")) {
		api_problem(ctx, KERR_INVALID, NULL, &p);
	} else if (percent_to_ppm(ctx, json_object_get(body, "advanced_factor_percent"),
				  "/advanced_factor_percent", &adv) &&
		   percent_to_ppm(ctx, json_object_get(body, "discredited_min_percent"),
				  "/discredited_min_percent", &dis)) {
		if (adv >= RISK_ADVANCED_FACTOR_LIMIT) {
			api_field_problem(ctx, KERR_INVALID, "/advanced_factor_percent",
					  "must be below 20: an advanced certified company's "
					  "rate stays below 20% of the standard one");
		} else if (dis < RISK_DISCREDITED_MIN_DEFAULT) {
			api_field_problem(ctx, KERR_INVALID, "/discredited_min_percent",
					  "must be at least 80: a discredited company is "
					  "inspected at 80% or more");
		} else if (api_begin(ctx, true)) {
			char a[24], d[24], now[KTIME_TEXT_MAX];
			snprintf(a, sizeof a, "%u", adv);
			snprintf(d, sizeof d, "%u", dis);
			api_now(ctx, now);
			kerr e = repo_setting_put(ctx->conn, "risk_advanced_factor_ppm", a);
			if (!e)
				e = repo_setting_put(ctx->conn, "risk_discredited_min_ppm", d);
			if (!e)
				e = repo_audit(ctx->conn, now, ctx->caller.user.username,
					       "risk_scaling.set", "risk", NULL);
			if (e) {
				store_rollback(ctx->conn);
				api_problem(ctx, KERR_STORE, NULL, NULL);
			} else if (api_commit(ctx)) {
				api_json(ctx, 200, json_pack("{s:I, s:I}", "advanced_factor_ppm",
							     (json_int_t)adv, "discredited_min_ppm",
							     (json_int_t)dis));
			}
		}
	}
	json_decref(body);
}

void api_credit_get(struct api_ctx *ctx)
{
	const char *uscc = http_param(ctx->req, "uscc");
	if (!api_begin(ctx, false))
		return;
	int64_t id;
	char cls[24];
	kerr e = repo_credit_get(ctx->conn, uscc, &id, cls, sizeof cls);
	json_t *hist = e ? NULL : repo_credit_history(ctx->conn, id);
	store_rollback(ctx->conn);
	if (e || !hist) {
		api_problem(ctx, e ? e : KERR_STORE,
			    e == KERR_NOT_FOUND ? "no organisation has that USCC" : NULL, NULL);
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
	problems_init(&p);
	problems_unknown_fields(&p, body, "", fields, "credit_class, reason");
	enum credit_class c;
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
	char now[KTIME_TEXT_MAX], from[24];
	api_now(ctx, now);
	int64_t id;
	if (!api_begin(ctx, true)) {
		json_decref(body);
		return;
	}
	kerr e = repo_credit_get(ctx->conn, uscc, &id, from, sizeof from);
	if (!e && !strcmp(from, to)) {
		store_rollback(ctx->conn);
		api_field_problem(ctx, KERR_CONFLICT, "/credit_class", "is already the class");
		json_decref(body);
		return;
	}
	if (!e)
		e = repo_credit_set(ctx->conn, id, from, to, reason, ctx->caller.user.username, now);
	if (!e)
		e = repo_audit(ctx->conn, now, ctx->caller.user.username, "credit.changed", uscc,
			       NULL);
	if (e) {
		store_rollback(ctx->conn);
		api_problem(ctx, e == KERR_NOT_FOUND ? e : KERR_STORE,
			    e == KERR_NOT_FOUND ? "no organisation has that USCC" : NULL, NULL);
	} else if (api_commit(ctx)) {
		api_json(ctx, 200, json_pack("{s:s, s:s, s:s, s:s, s:s}", "uscc", uscc, "from",
					     from, "credit_class", to, "reason", reason,
					     "changed_at", now));
	}
	json_decref(body);
}
