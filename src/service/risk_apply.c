/*
 * risk_apply.c - the assessment of every accepted declaration and what
 * follows from it (see risk_apply.h).
 */
#include "service/risk_apply.h"
#include "service/risk_state.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "common/log.h"
#include "store/repo.h"
#include "store/repo_risk.h"

kerr risk_compile(const char *text, int64_t version, const struct refdata *ref,
		  struct risk_rules **out, struct risk_error *err)
{
	/* the rule set's agency indexes are the reference snapshot's */
	const char *codes[REF_MAX_AGENCIES];
	for (size_t i = 0; i < ref->nagencies; i++)
		codes[i] = ref->agencies[i].code;
	return risk_rules_compile(text, strlen(text), version, codes, ref->nagencies, out,
				  err);
}

/* The compiled rule set `version` (0: none is in force, the empty set),
 * the cached one when it is that version, else compiled and cached
 * (retained for the caller). */
static kerr rules_of_version(struct uow *u, struct store_conn *c, int64_t version,
			     struct rules_ref **out)
{
	struct risk_state *s = u->svc->risk;
	pthread_mutex_lock(&s->lock);
	if (s->current && risk_rules_version(s->current->rules) == version) {
		__atomic_add_fetch(&s->current->refs, 1, __ATOMIC_RELAXED);
		*out = s->current;
		pthread_mutex_unlock(&s->lock);
		return KERR_OK;
	}
	pthread_mutex_unlock(&s->lock);
	char *text = NULL;
	kerr e;
	if (version > 0 && (e = repo_rules_get(c, version, &text, NULL)))
		return e;
	struct rules_ref *r = calloc(1, sizeof *r);
	struct risk_error err;
	if (!r) {
		free(text);
		return KERR_NOMEM;
	}
	e = risk_compile(text ? text : "", version, uow_refdata(u), &r->rules, &err);
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
	rules_ref_release(old);
	*out = r;
	return KERR_OK;
}

kerr risk_rules_in_force(struct uow *u, const char *now, struct rules_ref **out)
{
	struct store_conn *c;
	int64_t version = 0;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_rules_active(c, now, &version);
	if (e == KERR_NOT_FOUND)
		version = 0, e = KERR_OK;
	return e ? e : rules_of_version(u, c, version, out);
}

kerr risk_seed(struct uow *u, const uint8_t **seed)
{
	*seed = u->svc->risk->seed;
	return KERR_OK;
}

struct profile_fill {
	const struct refdata *ref;
	struct risk_profile *p;
};

static kerr fill_profile(void *arg, const struct profile_row *row)
{
	struct profile_fill *pf = arg;
	int k = refdata_agency_index(pf->ref, row->agency);
	enum risk_lane l;
	if (k < 0 || !risk_lane_parse(row->base_lane, &l) || row->random_ppm < 0 ||
	    row->random_ppm > RISK_PPM)
		return KERR_OK; /* an agency no longer known: ignored */
	pf->p->random_ppm[k] = (uint32_t)row->random_ppm;
	pf->p->base_lane[k] = l;
	return KERR_OK;
}

#define ADVANCED_FACTOR_SETTING "risk_advanced_factor_ppm"
#define DISCREDITED_MIN_SETTING "risk_discredited_min_ppm"

/* A scaling setting in parts per million, where it is set (value not
 * NULL) and valid. */
static void scaling_set(struct credit_scaling *p, const char *name, const char *value)
{
	long long x = value ? strtoll(value, NULL, 10) : -1;
	if (x < 0 || x > RISK_PPM)
		return; /* the default stays */
	if (!strcmp(name, ADVANCED_FACTOR_SETTING))
		p->advanced_factor_ppm = (uint32_t)x;
	else if (!strcmp(name, DISCREDITED_MIN_SETTING))
		p->discredited_min_ppm = (uint32_t)x;
}

static kerr setting_ppm(void *arg, const char *name, const char *value)
{
	scaling_set(arg, name, value);
	return KERR_OK;
}

static void scaling_default(struct credit_scaling *out)
{
	out->advanced_factor_ppm = RISK_ADVANCED_FACTOR_DEFAULT;
	out->discredited_min_ppm = RISK_DISCREDITED_MIN_DEFAULT;
}

kerr risk_scaling_read(struct store_conn *c, struct credit_scaling *out)
{
	scaling_default(out);
	return repo_settings_two(c, ADVANCED_FACTOR_SETTING, DISCREDITED_MIN_SETTING, setting_ppm,
				 out);
}

/* A profile before the office's rows: yellow and no random selection for
 * every agency, with the credit scaling sc. */
static void profile_start(struct risk_profile *p, const struct credit_scaling *sc)
{
	risk_profile_init(p);
	for (size_t k = 0; k < RISK_MAX_AGENCIES; k++)
		p->base_lane[k] = RISK_LANE_YELLOW;
	p->advanced_factor_ppm = sc->advanced_factor_ppm;
	p->discredited_min_ppm = sc->discredited_min_ppm;
}

kerr risk_profile_of(struct uow *u, const char *office, struct risk_profile *p)
{
	struct store_conn *c;
	struct credit_scaling sc;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = risk_scaling_read(c, &sc);
	if (e)
		return e;
	profile_start(p, &sc);
	struct profile_fill pf = {uow_refdata(u), p};
	return repo_profiles_of(c, office, fill_profile, &pf);
}

/* A stored credit class; standard for a party not registered with the
 * single window (NULL) or a class no longer known. */
static enum credit_class credit_or_standard(const char *cls)
{
	enum credit_class out;
	return cls && credit_class_parse(cls, &out) ? out : CREDIT_STANDARD;
}

static kerr credit_of(struct store_conn *c, const char *uscc, enum credit_class *out)
{
	int64_t id;
	char cls[ORG_KIND_SIZE];
	kerr e = repo_credit_get(c, uscc, &id, cls, sizeof cls);
	*out = credit_or_standard(e ? NULL : cls);
	return e == KERR_NOT_FOUND ? KERR_OK : e;
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

/* The facts the declaration itself gives (no lookup). */
static void facts_fill(struct uow *u, const struct declaration_facts *f,
		       struct risk_facts *facts, char key[RISK_KEY_SIZE], bool *valued)
{
	memset(facts, 0, sizeof *facts);
	risk_consignment_key(f->consignee_uscc, f->bill_of_lading, f->containers, f->ncontainers,
			     key);
	facts->key = key;
	facts->office = f->declaration_office;
	facts->trade_mode = f->trade_mode;
	facts->transport_mode = f->transport_mode;
	facts->port = f->port;
	facts->trading_country = f->trading_country;
	facts->consignee = f->consignee_uscc;
	facts->declarant = f->declarant_uscc;
	facts->agencies = f->agencies;
	*valued = value_cny(uow_refdata(u), f->currency, f->goods_value, &facts->value_cny);
	facts->value_unknown = !*valued; /* then no value_cny condition holds */
	facts->nitems = f->nitems < RISK_MAX_ITEMS ? f->nitems : RISK_MAX_ITEMS;
	for (size_t i = 0; i < facts->nitems; i++) {
		facts->items[i].hs = f->items[i].hs_code;
		facts->items[i].origin = f->items[i].origin;
	}
}

kerr risk_facts_of(struct uow *u, const char *number, const struct declaration_facts *f,
		   struct risk_facts *facts, char key[RISK_KEY_SIZE], bool *valued)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	facts_fill(u, f, facts, key, valued);
	bool known = true;
	e = credit_of(c, f->consignee_uscc, &facts->consignee_credit);
	if (!e && !strcmp(f->declarant_uscc, f->consignee_uscc))
		facts->declarant_credit = facts->consignee_credit; /* declares for itself */
	else if (!e)
		e = credit_of(c, f->declarant_uscc, &facts->declarant_credit);
	if (!e && f->import)
		e = repo_known_importer(c, f->consignee_uscc, number, IMPORTER_UNASKED, &known);
	facts->new_importer = f->import && !known;
	return e;
}

/* What the assessment of one declaration reads, as repo_risk_inputs_take hands
 * it over. */
struct assessment_inputs {
	struct uow *u;
	const char *number; /* the declaration assessed */
	const struct declaration_facts *f;
	struct risk_profile *profile;
	struct risk_facts *facts;
	bool seen;
	int64_t rules_version;
	int64_t relodged; /* withdrawn before: see raise_for_relodging */
	enum importer_seen importer;
};

static kerr take_inputs(void *arg, const struct risk_inputs *in, const struct profile_row *p)
{
	struct assessment_inputs *a = arg;
	if (!a->seen) {
		struct credit_scaling sc;
		scaling_default(&sc);
		scaling_set(&sc, ADVANCED_FACTOR_SETTING, in->setting1);
		scaling_set(&sc, DISCREDITED_MIN_SETTING, in->setting2);
		profile_start(a->profile, &sc);
		a->facts->consignee_credit = credit_or_standard(in->consignee_credit);
		a->facts->declarant_credit = credit_or_standard(in->declarant_credit);
		a->importer = in->importer; /* new_importer: see assessment_inputs_of */
		a->rules_version = in->rules_version;
		a->relodged = in->withdrawn;
		a->seen = true;
	}
	struct profile_fill pf = {uow_refdata(a->u), a->profile};
	return p ? fill_profile(&pf, p) : KERR_OK;
}

void risk_inputs_send(struct uow *u, const struct declaration *d,
		      const struct declaration_facts *f, struct risk_ahead *ahead)
{
	memset(ahead, 0, sizeof *ahead);
	uow_now(u, ahead->now);
	struct risk_inputs_key k = {ahead->now,
				    ADVANCED_FACTOR_SETTING,
				    DISCREDITED_MIN_SETTING,
				    f->consignee_uscc,
				    f->declarant_uscc,
				    d->row.number,
				    f->bill_of_lading,
				    f->declaration_office};
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		ahead->inputs.e = e;
	else
		repo_risk_inputs_send(c, &k, &ahead->inputs);
	ahead->sent = true;
}

void risk_inputs_drop(struct risk_ahead *ahead)
{
	store_ahead_drop(&ahead->inputs);
}

/* Everything the assessment reads from the store, sent ahead in one
 * statement (what risk_rules_in_force, risk_profile_of and risk_facts_of
 * read one at a time), with the count of withdrawn lodgements of the
 * consignment. */
static kerr assessment_inputs_of(struct uow *u, struct risk_ahead *ahead,
				 struct assessment_inputs *a, struct rules_ref **rules)
{
	kerr e = repo_risk_inputs_take(&ahead->inputs, take_inputs, a);
	if (!e && !a->seen)
		e = KERR_STORE; /* the statement always gives a row */
	struct store_conn *c;
	if (!e)
		e = uow_conn(u, &c);
	bool known = true;
	if (!e && a->f->import)
		e = repo_known_importer(c, a->f->consignee_uscc, a->number, a->importer, &known);
	a->facts->new_importer = a->f->import && !known;
	return e ? e : rules_of_version(u, c, a->rules_version, rules);
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

/* A consignment lodged again after a withdrawal is flagged to customs: its
 * lane is at least yellow (an officer looks), whatever the draws said. */
static void raise_for_relodging(const struct refdata *ref, agency_set agencies,
				int64_t relodged, struct risk_outcome *o)
{
	int k = refdata_agency_index(ref, "customs");
	if (relodged <= 0 || k < 0 || !(agencies & (1u << k)))
		return;
	if (o->agency[k].lane < RISK_LANE_YELLOW)
		o->agency[k].lane = RISK_LANE_YELLOW;
}

/* Store the explanation and the rule hits of an outcome. */
static kerr record(struct uow *u, struct declaration *d, const struct risk_rules *rules,
		   const struct risk_outcome *o, const struct risk_facts *facts, bool valued,
		   int64_t relodged, const char *now)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	json_t *why = risk_outcome_json(rules, o);
	if (!why)
		return KERR_NOMEM;
	char text_value[40] = "";
	if (valued)
		decimal_format(facts->value_cny, SCALE_MONEY, text_value, sizeof text_value);
	json_object_set_new(why, "value_cny", valued ? json_string(text_value) : json_null());
	if (!valued)
		json_object_set_new(why, "value_cny_note",
				    json_string("no exchange rate for the currency: "
						"rules on value_cny did not hit"));
	json_object_set_new(why, "new_importer", json_boolean(facts->new_importer));
	json_object_set_new(why, "relodged_after_withdrawal", json_integer((json_int_t)relodged));
	if (relodged > 0)
		json_object_set_new(why, "relodged_note",
				    json_string("the same consignment was lodged before and "
						"withdrawn: customs looks at it (yellow at least)"));
	json_object_set_new(why, "declarant_credit",
			    json_string(credit_class_name(facts->declarant_credit)));
	char *text = json_dumps(why, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(why);
	e = text ? repo_assessment_put(c, d->row.number, d->row.version, o->version, now, text,
				       d->without_risk_assessment)
		 : KERR_NOMEM;
	if (!e)
		d->without_risk_assessment = false;
	free(text);
	for (size_t h = 0; !e && h < o->nhits; h++)
		e = repo_rule_hit_put(c, o->version, o->hits[h].line,
				      risk_rules_agency(rules, o->hits[h].agency), d->row.number,
				      o->hits[h].selected);
	return e;
}

kerr risk_assess_and_apply(struct uow *u, struct declaration *d,
			   const struct declaration_facts *f, struct risk_ahead *ahead)
{
	struct risk_ahead here;
	if (!ahead || !ahead->sent) {
		risk_inputs_send(u, d, f, &here);
		ahead = &here;
	}
	const struct refdata *ref = uow_refdata(u);
	struct rules_ref *rules = NULL;
	const uint8_t *seed;
	struct risk_profile profile;
	struct risk_facts facts;
	bool valued;
	char now[TIME_TEXT_SIZE], key[RISK_KEY_SIZE];
	uow_now(u, now);
	facts_fill(u, f, &facts, key, &valued);
	struct assessment_inputs in = {
		.u = u, .number = d->row.number, .f = f, .profile = &profile, .facts = &facts};
	struct risk_outcome *o = malloc(sizeof *o);
	kerr e = o ? assessment_inputs_of(u, ahead, &in, &rules) : KERR_NOMEM;
	risk_inputs_drop(ahead); /* read, unless there was no memory */
	if (!e)
		e = risk_seed(u, &seed);
	if (!e)
		e = risk_assess(rules->rules, &profile, seed, &facts, o);
	if (!e)
		raise_for_relodging(ref, f->agencies, in.relodged, o);
	if (!e)
		e = record(u, d, rules->rules, o, &facts, valued, in.relodged, now);
	/* the event that records the lanes, then what they mean for the tasks */
	json_t *lanes = e ? NULL : json_object();
	for (size_t k = 0; lanes && k < ref->nagencies; k++)
		if (f->agencies & (1u << k))
			json_object_set_new(lanes, ref->agencies[k].code,
					    json_string(risk_lane_name(o->agency[k].lane)));
	if (!e)
		e = uow_event(u, &actor_kouan, EVENT_DECLARATION_ASSESSED, d->row.number,
			      d->row.org_id, NULL, now,
			      json_pack("{s:I, s:I, s:o}", "rules_version", (json_int_t)o->version,
					"declaration_version", (json_int_t)d->row.version, "lanes",
					lanes));
	for (size_t k = 0; !e && k < ref->nagencies; k++) {
		if (!(f->agencies & (1u << k)))
			continue;
		enum risk_lane lane = o->agency[k].lane;
		if (lane == RISK_LANE_YELLOW)
			continue;
		struct refusal why;
		refusal_init(&why, NULL);
		enum decision dd = lane == RISK_LANE_RED ? DECISION_INSPECT : DECISION_CLEARED;
		e = clearance_decide(u, &actor_kouan, d, ref->agencies[k].code, dd,
				     lane_reason(lane),
				     json_pack("{s:s, s:I}", "lane", risk_lane_name(lane),
					       "rules_version", (json_int_t)o->version),
				     &why);
		if (e == KERR_CONFLICT || e == KERR_NOT_FOUND)
			e = KERR_OK; /* the task is no longer open: nothing to apply */
	}
	free(o);
	rules_ref_release(rules);
	return e;
}
