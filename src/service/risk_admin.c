/* risk_admin.c - rule sets, profiles, scaling and credit (see risk_admin.h). */
#include "service/risk_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "domain/declaration.h"
#include "service/risk_apply.h"
#include "store/repo.h"

/* --- rule sets --- */

kerr risk_rules_list(struct uow *u, int64_t *in_force, rules_meta_fn fn, void *arg)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	*in_force = 0;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_rules_active(c, now, in_force);
	if (e == KERR_NOT_FOUND)
		e = KERR_OK;
	return e ? e : repo_rules_list(c, fn, arg);
}

kerr risk_rules_get(struct uow *u, int64_t version, char **text, struct rules_meta *meta,
		    struct refusal *why)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_rules_get(c, version, text, meta);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no rule set has that version");
	return e;
}

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

kerr risk_rules_add(struct uow *u, const struct actor *a, const char *text,
		    int64_t effective_from_us, const char *note, struct rules_meta *meta,
		    struct risk_error *err, struct refusal *why)
{
	const struct refdata *ref = uow_refdata(u);
	struct risk_rules *rs = NULL, *latest = NULL;
	char *latest_text = NULL;
	kerr e = risk_compile(text, 0, ref, &rs, err);
	if (e == KERR_INVALID)
		refusal_say(why, "the rule set does not compile");
	if (e)
		return e;
	struct store_conn *c;
	int64_t lv = 0, version = 0;
	memset(meta, 0, sizeof *meta);
	ktime_format(effective_from_us, meta->effective_from);
	uow_now(u, meta->created_at);
	e = uow_conn(u, &c);
	if (!e)
		e = repo_rules_latest(c, &lv);
	if (!e && lv > 0)
		e = repo_rules_get(c, lv, &latest_text, NULL);
	const char *mine = actor_agency(a);
	if (!e && mine) {
		struct risk_error ignored;
		if (latest_text && risk_compile(latest_text, lv, ref, &latest, &ignored))
			latest = NULL;
		if (!same_rules_of_others(latest, rs, mine)) {
			refusal_say(why,
				    "a %s officer may add, change or remove only %s rules; the "
				    "others must stay as in version %lld",
				    mine, mine, (long long)lv);
			e = KERR_FORBIDDEN;
		}
	}
	if (!e)
		e = repo_rules_add(c, text, (int64_t)risk_rules_count(rs), meta->effective_from,
				   note ? note : "", actor_name(a), actor_role_name(a),
				   meta->created_at, &version);
	if (e == KERR_CONFLICT)
		refusal_say(why, "another version was stored at the same moment; send it again");
	if (!e) {
		char target[32];
		snprintf(target, sizeof target, "risk_rules/%lld", (long long)version);
		e = uow_audit_change(u, a, "risk_rules.added", target,
				     lv > 0 ? json_pack("{s:I}", "version", (json_int_t)lv) : NULL,
				     json_pack("{s:I, s:I, s:s, s:s}", "version",
					       (json_int_t)version, "rules",
					       (json_int_t)risk_rules_count(rs), "effective_from",
					       meta->effective_from, "text", text),
				     note);
	}
	if (!e) {
		meta->version = version;
		meta->rules = (int64_t)risk_rules_count(rs);
		str_copy(meta->note, note ? note : "", sizeof meta->note);
		str_copy(meta->created_by, actor_name(a), sizeof meta->created_by);
		str_copy(meta->created_role, actor_role_name(a), sizeof meta->created_role);
	}
	free(latest_text);
	risk_rules_free(latest);
	risk_rules_free(rs);
	return e;
}

/* --- preview --- */

struct preview_run {
	struct uow *u;
	struct risk_preview *p;
	const uint8_t *seed;
	size_t cap;
};

static kerr count_hit(struct preview_run *run, const struct risk_hit *h)
{
	struct risk_preview *p = run->p;
	for (size_t i = 0; i < p->nrules; i++) {
		if (p->rules[i].line == h->line) {
			p->rules[i].hits++;
			p->rules[i].selected += h->selected;
			return KERR_OK;
		}
	}
	if (p->nrules == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 32;
		struct preview_rule *r = realloc(p->rules, cap * sizeof *r);
		if (!r)
			return KERR_NOMEM;
		p->rules = r;
		run->cap = cap;
	}
	p->rules[p->nrules++] = (struct preview_rule){
		h->line, risk_rules_agency(p->compiled, h->agency), 1, h->selected};
	return KERR_OK;
}

static kerr preview_one(void *arg, const char *number, const char *text)
{
	struct preview_run *run = arg;
	struct risk_preview *p = run->p;
	json_t *body = json_loads(text, 0, NULL);
	struct problems probs;
	struct declaration_facts f;
	problems_init(&probs);
	if (!body || !declaration_validate(body, uow_refdata(run->u), &probs, &f)) {
		p->skipped++; /* no longer valid against today's reference data */
		json_decref(body);
		return KERR_OK;
	}
	struct risk_facts facts;
	struct risk_profile profile;
	bool valued;
	char key[RISK_KEY_SIZE];
	struct risk_outcome *o = malloc(sizeof *o);
	kerr e = o ? risk_facts_of(run->u, number, &f, &facts, key, &valued) : KERR_NOMEM;
	if (!e)
		e = risk_profile_of(run->u, f.declaration_office, &profile);
	if (!e)
		e = risk_assess(p->compiled, &profile, run->seed, &facts, o);
	if (!e) {
		p->declarations++;
		for (size_t k = 0; k < p->nagencies && k < RISK_MAX_AGENCIES; k++)
			if (f.agencies & (1u << k))
				p->lanes[k][o->agency[k].lane]++;
		for (size_t h = 0; !e && h < o->nhits; h++)
			e = count_hit(run, &o->hits[h]);
	}
	free(o);
	declaration_facts_free(&f);
	json_decref(body);
	return e;
}

void risk_preview_free(struct risk_preview *p)
{
	free(p->rules);
	p->rules = NULL;
	risk_rules_free(p->compiled);
	p->compiled = NULL;
}

kerr risk_rules_preview(struct uow *u, const char *text, int64_t from_us, int64_t to_us,
			int limit, struct risk_preview *out, struct risk_error *err)
{
	const struct refdata *ref = uow_refdata(u);
	struct store_conn *c;
	memset(out, 0, sizeof *out);
	ktime_format(from_us, out->from);
	ktime_format(to_us, out->to);
	out->nagencies = ref->nagencies;
	for (size_t k = 0; k < ref->nagencies; k++)
		out->agencies[k] = ref->agencies[k].code;
	int64_t lv = 0;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_rules_latest(c, &lv);
	/* drawn as the next version would be */
	out->as_version = lv + 1;
	if (!e)
		e = risk_compile(text, lv + 1, ref, &out->compiled, err);
	struct preview_run run = {.u = u, .p = out};
	if (!e)
		e = risk_seed(u, &run.seed);
	if (!e)
		e = repo_declarations_lodged(c, from_us, to_us, limit, preview_one, &run);
	return e;
}

kerr risk_rules_effectiveness(struct uow *u, int64_t version, rule_effect_fn fn, void *arg,
			      struct refusal *why)
{
	struct store_conn *c;
	char *text = NULL;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_rules_get(c, version, &text, NULL);
	free(text);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no rule set has that version");
	return e ? e : repo_rule_effectiveness(c, version, fn, arg);
}

/* --- profiles and scaling --- */

kerr risk_profiles_list(struct uow *u, profile_row_fn fn, void *arg,
			struct credit_scaling *scaling)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (e)
		return e;
	e = risk_scaling_read(c, scaling);
	return e ? e : repo_profiles_list(c, fn, arg);
}

void risk_profile_fields_check(struct uow *u, const char *office, const char *agency,
			       const char *base_lane, struct problems *p)
{
	const struct refdata *ref = uow_refdata(u);
	enum risk_lane lane;
	if (!refdata_has(ref, "customs_offices", office))
		problems_add(p, "path:office", "is not a known customs office");
	if (refdata_agency_index(ref, agency) < 0)
		problems_add(p, "path:agency", "is not a known agency");
	if (!base_lane || !risk_lane_parse(base_lane, &lane))
		problems_add(p, "/base_lane", "must be green, blue, yellow or red");
}

kerr risk_profile_may_set(const struct actor *a, const char *agency, struct refusal *why)
{
	const char *mine = actor_agency(a);
	if (mine && strcmp(mine, agency) != 0) {
		refusal_say(why, "officers may set only their own agency's profile");
		return KERR_FORBIDDEN;
	}
	return KERR_OK;
}

kerr risk_profile_put(struct uow *u, const struct actor *a, const char *office,
		      const char *agency, uint32_t random_ppm, const char *base_lane,
		      struct refusal *why)
{
	kerr allowed = risk_profile_may_set(a, agency, why);
	if (allowed)
		return allowed;
	struct problems local, *p = why->fields;
	if (!p) {
		problems_init(&local);
		p = &local;
	}
	size_t before = p->count;
	risk_profile_fields_check(u, office, agency, base_lane, p);
	if (p->count > before) {
		refusal_say(why, "the profile is not valid");
		return KERR_INVALID;
	}
	struct store_conn *c;
	char now[TIME_TEXT_SIZE], target[64];
	uow_now(u, now);
	snprintf(target, sizeof target, "risk_profile/%s/%s", office, agency);
	struct risk_profile old;
	int k = refdata_agency_index(uow_refdata(u), agency);
	kerr e = risk_profile_of(u, office, &old);
	if (!e)
		e = uow_conn(u, &c);
	if (!e)
		e = repo_profile_put(c, office, agency, random_ppm, base_lane, actor_name(a),
				     now);
	if (!e)
		e = uow_audit_change(
			u, a, "risk_profile.set", target,
			k < 0 ? NULL
			      : json_pack("{s:I, s:s}", "random_ppm",
					  (json_int_t)old.random_ppm[k], "base_lane",
					  risk_lane_name(old.base_lane[k])),
			json_pack("{s:I, s:s}", "random_ppm", (json_int_t)random_ppm, "base_lane",
				  base_lane),
			NULL);
	return e;
}

kerr risk_scaling_put(struct uow *u, const struct actor *a, const struct credit_scaling *s,
		      struct refusal *why)
{
	if (s->advanced_factor_ppm >= RISK_ADVANCED_FACTOR_LIMIT) {
		refusal_field(why, "/advanced_factor_percent",
			      "must be below 20: an advanced certified company's rate stays "
			      "below 20%% of the standard one");
		refusal_say(why, "the request has a field that is not valid");
		return KERR_INVALID;
	}
	if (s->discredited_min_ppm < RISK_DISCREDITED_MIN_DEFAULT) {
		refusal_field(why, "/discredited_min_percent",
			      "must be at least 80: a discredited company is inspected at 80%% "
			      "or more");
		refusal_say(why, "the request has a field that is not valid");
		return KERR_INVALID;
	}
	struct store_conn *c;
	struct credit_scaling old;
	char adv[24], dis[24];
	snprintf(adv, sizeof adv, "%u", s->advanced_factor_ppm);
	snprintf(dis, sizeof dis, "%u", s->discredited_min_ppm);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = risk_scaling_read(c, &old);
	if (!e)
		e = repo_setting_put(c, "risk_advanced_factor_ppm", adv);
	if (!e)
		e = repo_setting_put(c, "risk_discredited_min_ppm", dis);
	if (!e)
		e = uow_audit_change(
			u, a, "risk_scaling.set", "risk",
			json_pack("{s:I, s:I}", "advanced_factor_ppm",
				  (json_int_t)old.advanced_factor_ppm, "discredited_min_ppm",
				  (json_int_t)old.discredited_min_ppm),
			json_pack("{s:I, s:I}", "advanced_factor_ppm",
				  (json_int_t)s->advanced_factor_ppm, "discredited_min_ppm",
				  (json_int_t)s->discredited_min_ppm),
			NULL);
	return e;
}

/* --- credit --- */

kerr credit_get(struct uow *u, const char *uscc, char *class_out, size_t n,
		credit_change_fn fn, void *arg, struct refusal *why)
{
	struct store_conn *c;
	int64_t id;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_credit_get(c, uscc, &id, class_out, n);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no organisation has that USCC");
	return e ? e : repo_credit_history(c, id, fn, arg);
}

kerr credit_put(struct uow *u, const struct actor *a, const char *uscc, enum credit_class to,
		const char *reason, char *from, size_t n, struct refusal *why)
{
	struct store_conn *c;
	char now[TIME_TEXT_SIZE];
	int64_t id;
	uow_now(u, now);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_credit_get(c, uscc, &id, from, n);
	if (e == KERR_NOT_FOUND) {
		refusal_say(why, "no organisation has that USCC");
		return e;
	}
	if (!e && !strcmp(from, credit_class_name(to))) {
		refusal_say(why, "is already the class");
		refusal_field(why, "/credit_class", "is already the class");
		return KERR_CONFLICT;
	}
	if (!e)
		e = repo_credit_set(c, id, from, credit_class_name(to), reason, actor_name(a), now);
	if (!e)
		e = uow_audit_change(u, a, "credit.changed", uscc,
				     json_pack("{s:s}", "credit_class", from),
				     json_pack("{s:s}", "credit_class", credit_class_name(to)),
				     reason);
	return e;
}
