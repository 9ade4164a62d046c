/*
 * cbec.c - cross-border e-commerce retail imports as use cases (see
 * service/cbec.h and docs/cbec.md).
 *
 * Every document of an order first locks the order's parcel row (made on
 * the order's first document), so the documents of one order are filed and
 * matched one at a time whatever server receives them; a buyer's year is
 * then locked and counted with a conditional update, so two servers
 * counting one buyer at once never pass the limit. Locks are taken in that
 * order only (parcel, then quota). Must never decide a rule itself: the
 * domain does (cbec_match, cbec_assess, cbec_return_check, ...).
 */
#include "service/cbec.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/codes.h"
#include "common/date.h"
#include "domain/risk.h"
#include "service/banks.h"
#include "service/guesses.h"
#include "service/money_tables.h"
#include "service/risk_apply.h"

#define NDOCS 4

static const enum event_type received_event[NDOCS] = {
	EVENT_CBEC_ORDER_RECEIVED, EVENT_CBEC_PAYMENT_RECEIVED, EVENT_CBEC_WAYBILL_RECEIVED,
	EVENT_CBEC_INVENTORY_RECEIVED};

void cbec_timeline_key(const char *platform, const char *order_no, char *out, size_t n)
{
	snprintf(out, n, "cbec|%s|%s", platform, order_no);
}

void cbec_received_free(struct cbec_received *r)
{
	repo_cbec_parcel_free(&r->parcel);
}

void cbec_parcel_view_free(struct cbec_parcel_view *v)
{
	repo_cbec_parcel_free(&v->parcel);
	for (size_t i = 0; i < NDOCS; i++) {
		free(v->docs[i].body);
		v->docs[i].body = NULL;
	}
}

/* An event on the parcel's timeline. */
static kerr parcel_event(struct uow *u, const struct actor *a, enum event_type t,
			 const struct cbec_parcel_row *p, const char *now, json_t *data)
{
	char key[128];
	cbec_timeline_key(p->platform_code, p->order_no, key, sizeof key);
	return uow_call_event(u, a, t, key, NULL, p->platform_org_id, NULL, now, data);
}

/* ---- the documents, parsed ------------------------------------------ */

struct docs {
	struct cbec_doc_row row[NDOCS];
	bool has[NDOCS];
	struct cbec_order order;
	struct cbec_payment payment;
	struct cbec_waybill waybill;
	struct cbec_inventory inventory;
};

static void docs_free(struct docs *d)
{
	for (size_t i = 0; i < NDOCS; i++)
		free(d->row[i].body);
	cbec_order_free(&d->order);
	cbec_inventory_free(&d->inventory);
	memset(d, 0, sizeof *d);
}

/* Validate a document of kind k into the right member of d (form only when
 * ref is NULL: a stored document was valid when it came). */
static bool validate(enum cbec_doc k, const json_t *j, const struct refdata *ref,
		     struct problems *p, struct docs *d)
{
	switch (k) {
	case CBEC_DOC_ORDER:
		return cbec_order_validate(j, ref, p, &d->order);
	case CBEC_DOC_PAYMENT:
		return cbec_payment_validate(j, ref, p, &d->payment);
	case CBEC_DOC_WAYBILL:
		return cbec_waybill_validate(j, ref, p, &d->waybill);
	case CBEC_DOC_INVENTORY:
		return cbec_inventory_validate(j, ref, p, &d->inventory);
	}
	return false;
}

/* Read the stored documents of an order (those present). */
static kerr docs_load(struct store_conn *c, const char *platform, const char *order_no,
		      struct docs *d)
{
	memset(d, 0, sizeof *d);
	for (int k = 0; k < NDOCS; k++) {
		kerr e = repo_cbec_doc_get(c, platform, order_no, cbec_doc_name(k), &d->row[k]);
		if (e == KERR_NOT_FOUND)
			continue;
		if (e)
			return e;
		json_t *j = json_loads(d->row[k].body, 0, NULL);
		struct problems p;
		problems_init(&p);
		bool ok = j && validate(k, j, NULL, &p, d);
		json_decref(j);
		if (!ok)
			return KERR_INTERNAL; /* a stored document no longer reads */
		d->has[k] = true;
	}
	return KERR_OK;
}

/* The sender a document names, and whether the actor is it. */
static bool names_sender(const struct actor *a, enum cbec_doc k, const struct docs *d,
			 const char **field, const char **code)
{
	*field = *code = "";
	switch (k) {
	case CBEC_DOC_ORDER:
		if (a->role == ROLE_CBEC_ENTERPRISE) {
			*field = "/enterprise_code";
			*code = d->order.enterprise_code;
		} else {
			*field = "/platform_code";
			*code = d->order.platform_code;
		}
		return a->role == ROLE_CBEC_PLATFORM || a->role == ROLE_CBEC_ENTERPRISE ?
			       !strcmp(*code, a->org_uscc) : false;
	case CBEC_DOC_PAYMENT:
		*field = "/payment_code";
		*code = d->payment.payment_code;
		return a->role == ROLE_CBEC_PAYMENT && !strcmp(*code, a->org_uscc);
	case CBEC_DOC_WAYBILL:
		*field = "/logistics_code";
		*code = d->waybill.logistics_code;
		return a->role == ROLE_CBEC_LOGISTICS && !strcmp(*code, a->org_uscc);
	case CBEC_DOC_INVENTORY:
		*field = "/agent_code";
		*code = d->inventory.agent_code;
		return (a->role == ROLE_CBEC_ENTERPRISE || a->role == ROLE_CBEC_LOGISTICS) &&
		       !strcmp(*code, a->org_uscc);
	}
	return false;
}

static void keys_of(enum cbec_doc k, const struct docs *d, const char **platform,
		    const char **order_no)
{
	*platform = *order_no = "";
	switch (k) {
	case CBEC_DOC_ORDER:
		*platform = d->order.platform_code;
		*order_no = d->order.order_no;
		return;
	case CBEC_DOC_PAYMENT:
		*platform = d->payment.platform_code;
		*order_no = d->payment.order_no;
		return;
	case CBEC_DOC_WAYBILL:
		*platform = d->waybill.platform_code;
		*order_no = d->waybill.order_no;
		return;
	case CBEC_DOC_INVENTORY:
		*platform = d->inventory.platform_code;
		*order_no = d->inventory.order_no;
		return;
	}
}

/* A cleared parcel's documents no longer change. */
static bool cleared(const struct cbec_parcel_row *p)
{
	return !strcmp(p->status, "held") || !strcmp(p->status, "released") ||
	       !strcmp(p->status, "returned");
}

/* Replace the parcel's detail with a JSON object (taken). */
static kerr set_detail(struct cbec_parcel_row *p, json_t *detail)
{
	char *s = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(detail);
	if (!s)
		return KERR_NOMEM;
	free(p->detail);
	p->detail = s;
	return KERR_OK;
}

static json_t *detail_of(const struct cbec_parcel_row *p)
{
	json_t *j = p->detail ? json_loads(p->detail, 0, NULL) : NULL;
	return json_is_object(j) ? j : (json_decref(j), json_object());
}

/* ---- matching ------------------------------------------------------- */

static json_t *money_json(int64_t fen)
{
	char s[32];
	snprintf(s, sizeof s, "%s%lld.%02lld", fen < 0 ? "-" : "",
		 (long long)(fen < 0 ? -fen : fen) / 100, (long long)(fen < 0 ? -fen : fen) % 100);
	return json_string(s);
}

static json_t *differences_json(const struct cbec_match *m)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < m->ndiffs; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "document",
						      cbec_doc_name(m->diffs[i].doc), "field",
						      m->diffs[i].field, "expected",
						      m->diffs[i].expected, "found",
						      m->diffs[i].found));
	return list;
}

static json_t *problems_json(enum cbec_doc k, const struct problems *p)
{
	json_t *list = json_array();
	for (size_t i = 0; list && i < p->count; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "document",
						      cbec_doc_name(k), "field",
						      p->errors[i].field, "problem",
						      p->errors[i].problem));
	return list;
}

/* The tariff's rates for each line of a classified order. KERR_NOT_FOUND
 * with the line's index in *bad when the tariff has no line for it. */
static kerr rates_of(struct uow *u, const struct cbec_order *o, struct cbec_rates *r,
		     size_t *bad)
{
	int32_t today = money_today(u);
	for (size_t i = 0; i < o->nlines; i++) {
		struct money_tables *t = NULL;
		struct tariff_match m;
		kerr e = money_tariff_line(u, o->lines[i].hs_code, today, &t, &m);
		if (e) {
			*bad = i;
			return e;
		}
		const struct tariff_line *l = m.line;
		const struct tariff_rate *duty = l->has_provisional ? &l->provisional : &l->mfn;
		memset(&r[i], 0, sizeof r[i]);
		r[i].vat = (int32_t)((l->vat_ppm + 50) / 100);
		r[i].mfn_duty = (int32_t)((duty->ppm + 50) / 100);
		r[i].ct_rate = (int32_t)((l->consumption.ppm + 50) / 100);
		r[i].ct_specific = l->consumption.per_unit / 100; /* 10^-4 CNY to fen */
		r[i].ct_quantity = o->lines[i].quantity;
		switch (l->consumption.kind) {
		case TARIFF_RATE_NONE:
			r[i].ct_kind = CBEC_CT_NONE;
			break;
		case TARIFF_RATE_AD_VALOREM:
			r[i].ct_kind = CBEC_CT_AD_VALOREM;
			break;
		case TARIFF_RATE_SPECIFIC:
			r[i].ct_kind = CBEC_CT_SPECIFIC;
			break;
		case TARIFF_RATE_COMPOUND:
			r[i].ct_kind = CBEC_CT_COMPOUND;
			break;
		}
		money_tables_release(t);
	}
	return KERR_OK;
}

/* The list entry's number: the customs office, the year, and ten digits
 * from a digest of the platform and the order (stable, so a replay of the
 * match gives the same number). */
static void entry_number(const struct cbec_order *o, int year, char out[CBEC_NUMBER_SIZE])
{
	unsigned char h[8];
	char key[CBEC_CODE_LEN + CBEC_NO_LEN + 2];
	snprintf(key, sizeof key, "%s|%s", o->platform_code, o->order_no);
	crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
	uint64_t v = 0;
	for (size_t i = 0; i < sizeof h; i++)
		v = v << 8 | h[i];
	char text[32];
	snprintf(text, sizeof text, "%.4s%04d%010llu", o->customs_office, year % 10000,
		 (unsigned long long)(v % 10000000000ULL));
	str_copy(out, text, CBEC_NUMBER_SIZE);
}

static const char *verdict_name(enum cbec_verdict v)
{
	switch (v) {
	case CBEC_RETAIL:
		return "retail";
	case CBEC_FULL_TAX:
		return "full_tax";
	case CBEC_OVER_ORDER_LIMIT:
		return "over_order_limit";
	case CBEC_OVER_ANNUAL_LIMIT:
		return "over_annual_limit";
	}
	return "?";
}

static json_t *assessment_json(const struct cbec_assessment *as)
{
	return json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "verdict",
			 verdict_name(as->verdict), "year", (json_int_t)as->year, "customs_value",
			 money_json(as->customs_value), "used_before", money_json(as->used),
			 "remaining_before", money_json(as->remaining), "duty", money_json(as->duty),
			 "consumption_tax", money_json(as->consumption_tax), "vat",
			 money_json(as->vat), "total", money_json(as->total),
			 "withheld_difference", money_json(as->withheld_difference));
}

/* The lanes of a matched parcel: the risk engine on the parcel's facts (the
 * draws keyed to platform and order), per agency that acts on its goods.
 * Fills "lanes" of detail; *held when an agency drew yellow or red. */
static kerr assess_lanes(struct uow *u, const struct cbec_order *o, int64_t value,
			 json_t *detail, bool *held, char lane[8])
{
	const struct refdata *ref = uow_refdata(u);
	agency_set agencies = cbec_agencies(ref, o);
	struct rules_ref *rules = NULL;
	const uint8_t *seed;
	struct risk_profile profile;
	char now[TIME_TEXT_SIZE], key[RISK_KEY_SIZE];
	uow_now(u, now);
	struct risk_outcome *out = malloc(sizeof *out);
	kerr e = out ? risk_rules_in_force(u, now, &rules) : KERR_NOMEM;
	if (!e)
		e = risk_seed(u, &seed);
	if (!e)
		e = risk_profile_of(u, o->customs_office, &profile);
	if (!e) {
		const char *const none[1] = {NULL}; /* a parcel has no containers */
		risk_consignment_key(o->platform_code, o->order_no, none, 0, key);
		struct risk_facts f = {
			.key = key,
			.office = o->customs_office,
			.trade_mode = cbec_mode_code(o->mode),
			.value_cny = value,
			.consignee = o->platform_code,
			.declarant = o->enterprise_code,
			.consignee_credit = CREDIT_STANDARD,
			.declarant_credit = CREDIT_STANDARD,
			.agencies = agencies,
		};
		for (size_t i = 0; i < o->nlines && f.nitems < RISK_MAX_ITEMS; i++, f.nitems++) {
			f.items[f.nitems].hs = o->lines[i].hs_code;
			f.items[f.nitems].origin = o->lines[i].origin_country;
		}
		e = risk_assess(rules->rules, &profile, seed, &f, out);
	}
	json_t *lanes = e ? NULL : json_object();
	enum risk_lane worst = RISK_LANE_GREEN;
	*held = false;
	for (size_t k = 0; lanes && k < ref->nagencies; k++) {
		if (!(agencies & (1u << k)))
			continue;
		enum risk_lane l = out->agency[k].lane;
		if (l > worst)
			worst = l;
		*held = *held || l == RISK_LANE_YELLOW || l == RISK_LANE_RED;
		json_object_set_new(lanes, ref->agencies[k].code, json_string(risk_lane_name(l)));
	}
	if (!e && !lanes)
		e = KERR_NOMEM;
	if (!e) {
		json_object_set_new(detail, "lanes", lanes);
		json_object_set_new(detail, "rules_version", json_integer(out->version));
		str_copy(lane, risk_lane_name(worst), 8);
	}
	free(out);
	if (rules)
		rules_ref_release(rules);
	return e;
}

static kerr release(struct uow *u, const struct actor *a, struct cbec_parcel_row *p,
		    const char *now)
{
	str_copy(p->status, "released", sizeof p->status);
	str_copy(p->released_at, now, sizeof p->released_at);
	return parcel_event(u, a, EVENT_CBEC_RELEASED, p, now,
			    json_pack("{s:s, s:s}", "number", p->number, "lane", p->lane));
}

/* The parcel is refused for retail (or for goods kouan cannot tax):
 * detail says why, with the problems (taken; may be NULL). */
static kerr refuse(struct uow *u, struct cbec_parcel_row *p, const char *now,
		   const char *reason, json_t *extra)
{
	str_copy(p->status, "refused", sizeof p->status);
	json_t *detail = extra ? extra : json_object();
	json_object_set_new(detail, "reason", json_string(reason));
	json_t *copy = json_deep_copy(detail);
	kerr e = set_detail(p, detail);
	return e ? (json_decref(copy), e)
		 : parcel_event(u, &actor_kouan, EVENT_CBEC_REFUSED, p, now, copy);
}

/* The documents disagree: every difference (taken) to every sender. */
static kerr mismatch(struct uow *u, struct cbec_parcel_row *p, const char *now, json_t *diffs)
{
	str_copy(p->status, "mismatched", sizeof p->status);
	kerr e = set_detail(p, json_pack("{s:O}", "differences", diffs));
	if (e) {
		json_decref(diffs);
		return e;
	}
	return parcel_event(u, &actor_kouan, EVENT_CBEC_MISMATCHED, p, now,
			    json_pack("{s:o}", "differences", diffs));
}

/* A matched list entry: count the buyer's year, assess the tax, the lanes,
 * and release at once when nothing holds it. */
static kerr clear_entry(struct uow *u, struct store_conn *c, struct cbec_parcel_row *p,
			const struct cbec_list_entry *entry, const char *now)
{
	const struct cbec_order *o = entry->order;
	struct cbec_rates rates[CBEC_MAX_LINES];
	size_t bad = 0;
	kerr e = rates_of(u, o, rates, &bad);
	if (e == KERR_NOT_FOUND) {
		char reason[200];
		snprintf(reason, sizeof reason,
			 "the tariff in force has no line for commodity code %s (/lines/%zu/hs_code)",
			 o->lines[bad].hs_code, bad);
		return refuse(u, p, now, reason, NULL);
	}
	if (e)
		return e;
	int64_t at = uow_now_us(u);
	int year = cbec_quota_year(at);
	int64_t used = 0;
	e = repo_cbec_quota_lock(c, o->buyer_id_number, year, &used);
	struct cbec_assessment *as = e ? NULL : malloc(sizeof *as);
	if (!e && !as)
		e = KERR_NOMEM;
	if (!e)
		e = cbec_assess(entry, rates, o->nlines, used, at, as);
	if (e) {
		free(as);
		return e;
	}
	str_copy(p->buyer_id_number, o->buyer_id_number, sizeof p->buyer_id_number);
	p->quota_year = as->year;
	p->customs_value = as->customs_value;
	str_copy(p->verdict, verdict_name(as->verdict), sizeof p->verdict);
	if (as->verdict == CBEC_OVER_ORDER_LIMIT || as->verdict == CBEC_OVER_ANNUAL_LIMIT) {
		e = refuse(u, p, now, as->reason,
			   json_pack("{s:o}", "assessment", assessment_json(as)));
		free(as);
		return e;
	}
	int64_t after = 0;
	e = repo_cbec_quota_add(c, o->buyer_id_number, year, as->customs_value,
				CBEC_ANNUAL_LIMIT, &after);
	if (e) {
		free(as);
		return e == KERR_CONFLICT ? KERR_BUSY : e; /* the lock makes this impossible */
	}
	entry_number(o, year, p->number);
	p->duty = as->duty;
	p->consumption_tax = as->consumption_tax;
	p->vat = as->vat;
	str_copy(p->logistics_code, entry->waybill->logistics_code, sizeof p->logistics_code);
	str_copy(p->waybill_no, entry->waybill->waybill_no, sizeof p->waybill_no);
	str_copy(p->matched_at, now, sizeof p->matched_at);
	json_t *detail = json_pack("{s:o}", "assessment", assessment_json(as));
	bool held = false;
	e = detail ? KERR_OK : KERR_NOMEM;
	if (!e)
		e = parcel_event(u, &actor_kouan, EVENT_CBEC_MATCHED, p, now,
				 json_pack("{s:s, s:o}", "number", p->number, "customs_value",
					   money_json(as->customs_value)));
	if (!e)
		e = parcel_event(u, &actor_kouan, EVENT_CBEC_ASSESSED, p, now,
				 json_pack("{s:o, s:o}", "assessment", assessment_json(as),
					   "used_after", money_json(after)));
	free(as);
	if (!e)
		e = assess_lanes(u, o, p->customs_value, detail, &held, p->lane);
	if (e) {
		json_decref(detail);
		return e;
	}
	json_t *lanes = json_incref(json_object_get(detail, "lanes"));
	e = set_detail(p, detail);
	if (!e && held) {
		str_copy(p->status, "held", sizeof p->status);
		e = parcel_event(u, &actor_kouan, EVENT_CBEC_HELD, p, now,
				 json_pack("{s:O}", "lanes", lanes));
	} else if (!e) {
		e = release(u, &actor_kouan, p, now);
	}
	json_decref(lanes);
	return e;
}

/* Match the order's documents when they are all in (p is locked): the
 * parcel ends pending, mismatched, refused, held or released. */
static kerr try_match(struct uow *u, struct store_conn *c, struct cbec_parcel_row *p,
		      const char *now)
{
	const struct refdata *ref = uow_refdata(u);
	struct docs d;
	kerr e = docs_load(c, p->platform_code, p->order_no, &d);
	if (e) {
		docs_free(&d);
		return e;
	}
	/* what an earlier match decided is decided again */
	str_copy(p->status, "pending", sizeof p->status);
	p->verdict[0] = p->lane[0] = '\0';
	p->quota_year = p->customs_value = p->duty = p->consumption_tax = p->vat = 0;
	struct problems probs;
	problems_init(&probs);
	if (!d.has[CBEC_DOC_ORDER] || !d.has[CBEC_DOC_PAYMENT] || !d.has[CBEC_DOC_WAYBILL]) {
		json_t *waiting = json_array();
		for (int k = 0; k < 3; k++)
			if (!d.has[k])
				json_array_append_new(waiting, json_string(cbec_doc_name(k)));
		e = set_detail(p, json_pack("{s:o}", "waiting_for", waiting));
	} else if (d.has[CBEC_DOC_INVENTORY] && !cbec_order_classified(&d.order) &&
		   !cbec_order_classify(&d.order, &d.inventory, &probs)) {
		e = mismatch(u, p, now, problems_json(CBEC_DOC_INVENTORY, &probs));
	} else if (!cbec_order_classified(&d.order)) {
		e = set_detail(p, json_pack("{s:[s]}", "waiting_for", "inventory"));
	} else {
		if (d.has[CBEC_DOC_INVENTORY])
			e = parcel_event(u, &actor_kouan, EVENT_CBEC_ORDER_CLASSIFIED, p, now,
					 json_pack("{s:s, s:s}", "mode",
						   cbec_mode_code(d.order.mode), "customs_office",
						   d.order.customs_office));
		str_copy(p->mode, cbec_mode_code(d.order.mode), sizeof p->mode);
		str_copy(p->customs_office, d.order.customs_office, sizeof p->customs_office);
		struct cbec_match *m = e ? NULL : malloc(sizeof *m);
		if (!e && !m)
			e = KERR_NOMEM;
		if (e) {
		} else if (!cbec_goods_check(ref, &d.order, &probs)) {
			e = refuse(u, p, now,
				   "goods not on the positive list of retail imports for this mode",
				   json_pack("{s:o}", "differences",
					     problems_json(CBEC_DOC_ORDER, &probs)));
		} else if (!cbec_match(&d.order, &d.payment, &d.waybill, CBEC_DEFAULT_TOLERANCE,
				       m)) {
			e = mismatch(u, p, now, differences_json(m));
		} else {
			e = clear_entry(u, c, p, &m->entry, now);
		}
		free(m);
	}
	docs_free(&d);
	return e;
}

/* ---- receiving ------------------------------------------------------ */

kerr cbec_receive(struct uow *u, const struct actor *a, enum cbec_doc kind, const json_t *doc,
		  struct cbec_received *out, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	out->kind = kind;
	struct problems local;
	problems_init(&local);
	struct problems *p = why->fields ? why->fields : &local;
	struct docs d;
	memset(&d, 0, sizeof d);
	if (!validate(kind, doc, uow_refdata(u), p, &d)) {
		refusal_say(why, "the %s is not valid", cbec_doc_name(kind));
		return KERR_INVALID;
	}
	const char *field, *code, *platform, *order_no;
	kerr e = KERR_OK;
	if (!names_sender(a, kind, &d, &field, &code)) {
		const char *name = cbec_doc_name(kind);
		refusal_say(why, "%s %s may only be sent by the party it names at %s (%s); "
				 "your organisation is %s (%s)",
			    name[0] && strchr("aeiou", name[0]) ? "an" : "a", name, field, code,
			    a->org_uscc, actor_role_name(a));
		e = KERR_FORBIDDEN;
	}
	keys_of(kind, &d, &platform, &order_no);
	struct store_conn *c;
	struct org_row org;
	if (!e)
		e = uow_conn(u, &c);
	if (!e) {
		e = repo_org_find(c, platform, &org);
		if (e == KERR_NOT_FOUND || (!e && strcmp(org.kind, "ecommerce_platform"))) {
			refusal_field(why, "/platform_code",
				      "'%s' is not an e-commerce platform registered with kouan: "
				      "there can be no such order",
				      platform);
			e = KERR_INVALID;
		}
	}
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	if (!e)
		e = repo_cbec_parcel_claim(c, platform, order_no, org.id, now);
	if (!e)
		e = repo_cbec_parcel_lock(c, platform, order_no);
	if (!e)
		e = repo_cbec_parcel_get(c, platform, order_no, &out->parcel);
	char *body = e ? NULL : json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (!e && !body)
		e = KERR_NOMEM;
	struct cbec_doc_row old = {0};
	kerr had = e ? KERR_NOT_FOUND : repo_cbec_doc_get(c, platform, order_no,
							   cbec_doc_name(kind), &old);
	if (!e && had && had != KERR_NOT_FOUND)
		e = had;
	if (!e && !had && old.org_id != a->org_id) {
		refusal_say(why, "the %s of order %s on platform %s was sent by another party: "
				 "only its sender may correct or withdraw it",
			    cbec_doc_name(kind), order_no, platform);
		e = KERR_CONFLICT;
	} else if (!e && !had && !strcmp(old.body, body)) {
		out->replay = true;
		out->version = old.version;
	} else if (!e && cleared(&out->parcel)) {
		refusal_say(why, "the parcel of order %s on platform %s is %s already: its "
				 "documents no longer change",
			    order_no, platform, out->parcel.status);
		e = KERR_CONFLICT;
	} else if (!e) {
		struct cbec_doc_row row = {.org_id = a->org_id,
					   .version = had ? 1 : old.version + 1,
					   .body = body};
		str_copy(row.platform_code, platform, sizeof row.platform_code);
		str_copy(row.order_no, order_no, sizeof row.order_no);
		str_copy(row.kind, cbec_doc_name(kind), sizeof row.kind);
		str_copy(row.received_at, now, sizeof row.received_at);
		out->version = row.version;
		e = repo_cbec_doc_put(c, &row);
		if (!e)
			e = parcel_event(u, a, received_event[kind], &out->parcel, now,
					 json_pack("{s:s, s:s, s:s, s:I}", "platform_code",
						   platform, "order_no", order_no, "sender",
						   a->org_uscc, "version", (json_int_t)row.version));
		str_copy(out->parcel.last_document_at, now, sizeof out->parcel.last_document_at);
		if (!e)
			e = try_match(u, c, &out->parcel, now);
		if (!e)
			e = repo_cbec_parcel_save(c, &out->parcel);
	}
	free(old.body);
	free(body);
	docs_free(&d);
	return e;
}

kerr cbec_withdraw(struct uow *u, const struct actor *a, enum cbec_doc kind,
		   const char *platform, const char *order_no, struct refusal *why)
{
	struct store_conn *c;
	struct cbec_parcel_row p = {0};
	struct cbec_doc_row old = {0};
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_cbec_parcel_lock(c, platform, order_no);
	if (!e)
		e = repo_cbec_parcel_get(c, platform, order_no, &p);
	if (!e)
		e = repo_cbec_doc_get(c, platform, order_no, cbec_doc_name(kind), &old);
	if (!e && old.org_id != a->org_id)
		e = KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "your organisation has no %s of order %s on platform %s",
			    cbec_doc_name(kind), order_no, platform);
	if (!e && cleared(&p)) {
		refusal_say(why, "the parcel is %s already: its documents no longer change",
			    p.status);
		e = KERR_CONFLICT;
	}
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	if (!e)
		e = repo_cbec_doc_delete(c, platform, order_no, cbec_doc_name(kind));
	if (!e)
		e = parcel_event(u, a, EVENT_CBEC_DOCUMENT_WITHDRAWN, &p, now,
				 json_pack("{s:s, s:I}", "document", cbec_doc_name(kind),
					   "version", (json_int_t)old.version));
	if (!e)
		e = try_match(u, c, &p, now);
	if (!e)
		e = repo_cbec_parcel_save(c, &p);
	free(old.body);
	repo_cbec_parcel_free(&p);
	return e;
}

/* ---- reading -------------------------------------------------------- */

static bool officer_or_reader(const struct actor *a)
{
	return a->system || a->role == ROLE_CUSTOMS || a->role == ROLE_QUARANTINE ||
	       a->role == ROLE_ANALYST || a->role == ROLE_ADMIN;
}

/* May the actor see the parcel: its platform, a sender of one of its
 * documents, officers and readers. */
static bool may_see(const struct actor *a, const struct cbec_parcel_row *p,
		    const struct cbec_doc_row docs[NDOCS])
{
	if (officer_or_reader(a) || p->platform_org_id == a->org_id)
		return true;
	for (size_t i = 0; i < NDOCS; i++)
		if (docs[i].body && docs[i].org_id == a->org_id)
			return true;
	return false;
}

kerr cbec_parcel_read(struct uow *u, const struct actor *a, const char *platform,
		      const char *order_no, struct cbec_parcel_view *out, event_row_fn fn,
		      void *arg)
{
	memset(out, 0, sizeof *out);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_cbec_parcel_get(c, platform, order_no, &out->parcel);
	for (int k = 0; !e && k < NDOCS; k++) {
		kerr g = repo_cbec_doc_get(c, platform, order_no, cbec_doc_name(k), &out->docs[k]);
		if (g && g != KERR_NOT_FOUND)
			e = g;
	}
	if (!e && !may_see(a, &out->parcel, out->docs))
		e = KERR_NOT_FOUND;
	char key[128];
	cbec_timeline_key(platform, order_no, key, sizeof key);
	if (!e && fn)
		e = repo_events_for_call(c, key, 0, 1000, fn, arg);
	if (e)
		cbec_parcel_view_free(out);
	return e;
}

kerr cbec_parcel_list(struct uow *u, const struct actor *a, struct cbec_parcel_filter *f,
		      cbec_parcel_fn fn, void *arg)
{
	if (!officer_or_reader(a)) {
		if (a->role != ROLE_CBEC_PLATFORM)
			return KERR_FORBIDDEN;
		f->platform_org_id = a->org_id;
	}
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_cbec_parcel_list(c, f, fn, arg);
}

/* ---- officers, the gate, returns ------------------------------------ */

kerr cbec_decide(struct uow *u, const struct actor *a, const char *platform,
		 const char *order_no, const char *reason, struct cbec_parcel_row *out,
		 struct refusal *why)
{
	const char *agency = actor_agency(a);
	struct store_conn *c;
	memset(out, 0, sizeof *out);
	kerr e = agency ? uow_conn(u, &c) : KERR_FORBIDDEN;
	if (!e)
		e = repo_cbec_parcel_lock(c, platform, order_no);
	if (!e)
		e = repo_cbec_parcel_get(c, platform, order_no, out);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no parcel of order %s on platform %s", order_no, platform);
	if (e)
		return e;
	json_t *detail = detail_of(out);
	json_t *lanes = json_object_get(detail, "lanes");
	const char *lane = json_string_value(json_object_get(lanes, agency));
	if (strcmp(out->status, "held") || !lane ||
	    (strcmp(lane, "yellow") && strcmp(lane, "red"))) {
		refusal_say(why, "%s holds nothing on this parcel (status %s)", agency,
			    out->status);
		json_decref(detail);
		return KERR_CONFLICT;
	}
	char now[TIME_TEXT_SIZE], lane_was[8];
	uow_now(u, now);
	str_copy(lane_was, lane, sizeof lane_was);
	json_object_set_new(lanes, agency, json_string("cleared"));
	bool still = false;
	const char *k;
	json_t *v;
	json_object_foreach(lanes, k, v) {
		const char *l = json_string_value(v);
		still = still || !strcmp(l, "yellow") || !strcmp(l, "red");
	}
	e = set_detail(out, detail);
	if (!e)
		e = parcel_event(u, a, EVENT_CBEC_AGENCY_CLEARED, out, now,
				 json_pack("{s:s, s:s, s:s}", "agency", agency, "lane", lane_was,
					   "reason", reason));
	if (!e && !still)
		e = release(u, a, out, now);
	if (!e)
		e = uow_audit_change(u, a, "cbec.parcel.cleared", out->number, NULL, NULL, reason);
	if (!e)
		e = repo_cbec_parcel_save(c, out);
	return e;
}

kerr cbec_gate_out(struct uow *u, const struct actor *a, const char *logistics,
		   const char *waybill_no, struct cbec_parcel_row *out, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	if (!a->system && a->role == ROLE_CBEC_LOGISTICS && strcmp(a->org_uscc, logistics)) {
		refusal_say(why, "a logistics company takes out only its own waybills");
		return KERR_FORBIDDEN;
	}
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_cbec_parcel_by_waybill(c, logistics, waybill_no, out);
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no matched parcel travels under waybill %s of %s", waybill_no,
			    logistics);
	if (!e)
		e = repo_cbec_parcel_lock(c, out->platform_code, out->order_no);
	if (e)
		return e;
	if (strcmp(out->status, "released") || *out->gate_out_at) {
		refusal_say(why, *out->gate_out_at ? "the parcel left already, at %s"
						   : "the parcel is %s, not released: it may not leave",
			    *out->gate_out_at ? out->gate_out_at : out->status);
		return KERR_CONFLICT;
	}
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	str_copy(out->gate_out_at, now, sizeof out->gate_out_at);
	e = parcel_event(u, a, EVENT_CBEC_GATE_OUT, out, now,
			 json_pack("{s:s, s:s}", "number", out->number, "waybill_no", waybill_no));
	return e ? e : repo_cbec_parcel_save(c, out);
}

kerr cbec_return(struct uow *u, const struct actor *a, const char *platform,
		 const char *order_no, struct cbec_refund *refund, struct cbec_parcel_row *out,
		 struct refusal *why)
{
	memset(out, 0, sizeof *out);
	memset(refund, 0, sizeof *refund);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_cbec_parcel_lock(c, platform, order_no);
	if (!e)
		e = repo_cbec_parcel_get(c, platform, order_no, out);
	if (!e && out->platform_org_id != a->org_id)
		e = KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "your platform has no parcel of order %s", order_no);
	if (e)
		return e;
	if (strcmp(out->status, "released")) {
		refusal_say(why, "the parcel is %s: only a released parcel may be returned",
			    out->status);
		return KERR_CONFLICT;
	}
	struct cbec_assessment *as = calloc(1, sizeof *as);
	if (!as)
		return KERR_NOMEM;
	as->verdict = !strcmp(out->verdict, "full_tax") ? CBEC_FULL_TAX : CBEC_RETAIL;
	as->year = (int)out->quota_year;
	as->customs_value = out->customs_value;
	as->duty = out->duty;
	as->consumption_tax = out->consumption_tax;
	as->vat = out->vat;
	as->total = out->duty + out->consumption_tax + out->vat;
	int64_t released = 0, now_us = uow_now_us(u);
	bool ok = ktime_parse(out->released_at, &released) &&
		  cbec_return_check(as, released, now_us, refund);
	free(as);
	if (!ok) {
		refusal_say(why, "%s", refund->reason);
		return KERR_CONFLICT;
	}
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	e = repo_cbec_quota_restore(c, out->buyer_id_number, refund->year, refund->quota_restored);
	if (!e) {
		str_copy(out->status, "returned", sizeof out->status);
		str_copy(out->returned_at, now, sizeof out->returned_at);
		e = parcel_event(u, a, EVENT_CBEC_RETURNED, out, now,
				 json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "number",
					   out->number, "year", (json_int_t)refund->year, "days",
					   (json_int_t)refund->days, "quota_restored",
					   money_json(refund->quota_restored), "duty",
					   money_json(refund->duty), "consumption_tax",
					   money_json(refund->consumption_tax), "vat",
					   money_json(refund->vat), "total",
					   money_json(refund->total)));
	}
	return e ? e : repo_cbec_parcel_save(c, out);
}

/* ---- the monthly summary -------------------------------------------- */

struct cleared_list {
	struct cbec_cleared *items;
	char (*codes)[CBEC_KEY_SIZE];
	int64_t *waited_us; /* last document to release */
	size_t n, cap;
};

static kerr add_cleared(void *arg, const struct cbec_parcel_row *p)
{
	struct cleared_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct cbec_cleared *items = realloc(l->items, cap * sizeof *items);
		if (items)
			l->items = items;
		char(*codes)[CBEC_KEY_SIZE] = items ? realloc(l->codes, cap * sizeof *codes) : NULL;
		if (codes)
			l->codes = codes;
		int64_t *waited = codes ? realloc(l->waited_us, cap * sizeof *waited) : NULL;
		if (!waited)
			return KERR_NOMEM;
		l->waited_us = waited;
		l->cap = cap;
	}
	struct cbec_cleared *c = &l->items[l->n];
	memset(c, 0, sizeof *c);
	str_copy(l->codes[l->n], p->platform_code, CBEC_KEY_SIZE);
	if (!*p->released_at || !ktime_parse(p->released_at, &c->released_at_us))
		return KERR_OK; /* not released: nothing withheld */
	if (*p->returned_at && !ktime_parse(p->returned_at, &c->returned_at_us))
		return KERR_STORE;
	int64_t last = 0;
	l->waited_us[l->n] = ktime_parse(p->last_document_at, &last) && last <= c->released_at_us
				     ? c->released_at_us - last
				     : 0;
	c->duty = p->duty;
	c->consumption_tax = p->consumption_tax;
	c->vat = p->vat;
	l->n++;
	return KERR_OK;
}

/* The month's bounds in UTC text, a day wider on each side (the domain
 * decides the Beijing month of each parcel). */
static bool month_bounds(const char *month, int *y, int *m, char from[TIME_TEXT_SIZE],
			 char to[TIME_TEXT_SIZE])
{
	int32_t mo, first, next;
	if (!month || !kmonth_parse(month, &mo))
		return false;
	*y = mo / 12;
	*m = mo % 12 + 1;
	if (!kdate_from_ymd(*y, *m, 1, &first) ||
	    !kdate_from_ymd((mo + 1) / 12, (mo + 1) % 12 + 1, 1, &next))
		return false;
	ktime_format((int64_t)(first - 1) * 86400 * 1000000, from);
	ktime_format((int64_t)(next + 1) * 86400 * 1000000, to);
	return true;
}

static bool may_read_month(const struct actor *a, const char *platform)
{
	return a->system || a->role == ROLE_CUSTOMS || a->role == ROLE_ANALYST ||
	       a->role == ROLE_ADMIN ||
	       (a->role == ROLE_CBEC_PLATFORM && !strcmp(a->org_uscc, platform));
}

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The release times of the parcels released in month mo (Beijing). */
static void release_times(const struct cleared_list *l, int32_t mo, struct cbec_release_times *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < l->n; i++)
		if (kmonth_of_date(kdate_of_instant(l->items[i].released_at_us,
						    KDATE_CHINA_OFFSET_MIN)) == mo)
			l->waited_us[t->parcels++] = l->waited_us[i];
	if (!t->parcels)
		return;
	qsort(l->waited_us, t->parcels, sizeof *l->waited_us, cmp_int64);
	t->median_s = l->waited_us[(t->parcels - 1) / 2] / 1000000;
	t->p90_s = l->waited_us[(t->parcels * 9 + 9) / 10 - 1] / 1000000;
	t->max_s = l->waited_us[t->parcels - 1] / 1000000;
}

kerr cbec_month(struct uow *u, const struct actor *a, const char *platform, const char *month,
		struct cbec_platform_month *sum, struct cbec_release_times *times, bool *paid,
		struct cbec_month_payment_row *payment, struct refusal *why)
{
	memset(sum, 0, sizeof *sum);
	str_copy(sum->platform_code, platform, sizeof sum->platform_code);
	*paid = false;
	int y, m;
	char from[TIME_TEXT_SIZE], to[TIME_TEXT_SIZE];
	if (!may_read_month(a, platform)) {
		refusal_say(why, "a platform reads only its own summaries");
		return KERR_NOT_FOUND;
	}
	if (!month_bounds(month, &y, &m, from, to)) {
		refusal_field(why, "month", "must be a month YYYY-MM, e.g. 2026-03");
		return KERR_INVALID;
	}
	struct store_conn *c;
	struct cleared_list l = {0};
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_cbec_parcel_cleared(c, platform, from, to, add_cleared, &l);
	for (size_t i = 0; i < l.n; i++)
		l.items[i].platform_code = l.codes[i];
	size_t n = 0;
	if (!e)
		e = cbec_month_summary(l.items, l.n, y, m, sum, 1, &n);
	if (!e && n == 0) {
		memset(sum, 0, sizeof *sum);
		str_copy(sum->platform_code, platform, sizeof sum->platform_code);
	}
	if (!e && times)
		release_times(&l, y * 12 + m - 1, times);
	free(l.items);
	free(l.codes);
	free(l.waited_us);
	if (!e) {
		kerr g = repo_cbec_month_payment(c, platform, month, payment);
		/* an order counts once its bank has paid it */
		*paid = g == KERR_OK && payment->status == PAYMENT_PAID;
		if (g && g != KERR_NOT_FOUND)
			e = g;
	}
	return e;
}

/* The month's event on the platform's timeline (cbec|platform). */
static kerr month_event(struct uow *u, const struct actor *a, enum event_type t,
			const char *platform, int64_t org_id, const char *at, json_t *data)
{
	char key[64];
	snprintf(key, sizeof key, "cbec|%s", platform);
	return uow_call_event(u, a, t, key, NULL, org_id, NULL, at, data);
}

kerr cbec_month_pay(struct uow *u, const struct actor *a, const char *platform,
		    const char *month, const char *bank, int64_t amount, const char *reference,
		    struct cbec_month_payment_row *out, struct refusal *why)
{
	if (a->role != ROLE_CBEC_PLATFORM || strcmp(a->org_uscc, platform)) {
		refusal_say(why, "a platform pays only its own summaries");
		return KERR_NOT_FOUND;
	}
	struct cbec_platform_month sum;
	bool paid;
	kerr e = cbec_month(u, a, platform, month, &sum, NULL, &paid, out, why);
	if (e)
		return e;
	if (paid) {
		refusal_say(why, "the month %s is paid already (%s, reference %s)", month,
			    out->paid_at, out->reference);
		return KERR_CONFLICT;
	}
	if (*out->month && out->status == PAYMENT_REPORTED) {
		refusal_say(why, "the payment of %s is reported and awaits its bank's answer",
			    month);
		return KERR_CONFLICT;
	}
	int32_t mo, this_month = kmonth_of_date(money_today(u));
	if (kmonth_parse(month, &mo) && mo >= this_month) {
		refusal_field(why, "month", "the month %s is not over yet: a summary is paid "
					     "once its month has ended (Beijing time)",
			      month);
		return KERR_CONFLICT;
	}
	struct problems own, *p = why->fields ? why->fields : &own;
	problems_init(&own);
	if (amount != sum.due) {
		char due[32];
		json_t *d = money_json(sum.due);
		str_copy(due, json_string_value(d), sizeof due);
		json_decref(d);
		problems_add(p, "/amount", "must be the amount due for %s: %s CNY", month, due);
		e = KERR_INVALID;
	}
	struct store_conn *c;
	kerr k = uow_conn(u, &c);
	if (!k)
		k = bank_known(c, bank, p);
	if (k && k != KERR_INVALID)
		return k;
	if (e || k) {
		if (!why->fields)
			refusal_say(why, "%s", own.errors[0].problem);
		return KERR_INVALID;
	}
	memset(out, 0, sizeof *out);
	str_copy(out->platform_code, platform, sizeof out->platform_code);
	str_copy(out->month, month, sizeof out->month);
	out->amount = amount;
	str_copy(out->reference, reference, sizeof out->reference);
	str_copy(out->bank_uscc, bank, sizeof out->bank_uscc);
	out->status = PAYMENT_REPORTED;
	str_copy(out->paid_by, a->username, sizeof out->paid_by);
	uow_now(u, out->recorded_at);
	/* another request may have ordered the month's payment at the same
	 * moment: this order is then refused, as it would be after that one */
	e = repo_cbec_month_order(c, out);
	if (e == KERR_CONFLICT)
		refusal_say(why, "the payment of %s was ordered at the same moment by another "
				 "request; read the summary again",
			    month);
	if (!e)
		e = month_event(u, a, EVENT_CBEC_MONTH_PAYMENT_REPORTED, platform, a->org_id,
				out->recorded_at,
				json_pack("{s:s, s:o, s:s, s:s}", "month", month, "amount",
					  money_json(amount), "reference", reference, "bank",
					  bank));
	return e;
}

/* Could the bank not have paid at paid_at: is it in the future, or before
 * the minute of the order? true, with the problem at /paid_at. */
static bool month_paid_at_wrong(struct uow *u, const struct cbec_month_payment_row *r,
				int64_t paid_at, struct problems *p)
{
	int64_t now_us = uow_now_us(u), ordered_us;
	char now[TIME_TEXT_SIZE];
	if (paid_at > now_us) {
		ktime_format(now_us, now);
		problems_add(p, "/paid_at", "must not be in the future (it is now %s)", now);
		return true;
	}
	/* to the minute: a bank's receipt gives minutes */
	if (ktime_parse(r->recorded_at, &ordered_us) &&
	    paid_at < ordered_us - ordered_us % (60 * INT64_C(1000000))) {
		problems_add(p, "/paid_at",
			     "must not be before the payment was ordered (%s): a bank debits "
			     "an order it was given",
			     r->recorded_at);
		return true;
	}
	return false;
}

/* The bank paid the order: the month is paid (cbec.month.paid). */
static kerr month_paid(struct uow *u, const struct actor *a, struct store_conn *c,
		       const struct cbec_month_payment_row *r, const char *now)
{
	struct cbec_platform_month sum;
	struct cbec_month_payment_row kept;
	struct org_row platform;
	struct problems p;
	struct refusal why;
	bool paid;
	problems_init(&p);
	refusal_init(&why, &p);
	kerr e = repo_org_find(c, r->platform_code, &platform);
	if (!e)
		e = cbec_month(u, &actor_kouan, r->platform_code, r->month, &sum, NULL, &paid,
			       &kept, &why);
	if (!e)
		e = month_event(u, a, EVENT_CBEC_MONTH_PAID, r->platform_code, platform.id, now,
				json_pack("{s:s, s:o, s:s, s:s, s:s, s:I, s:I}", "month",
					  r->month, "amount", money_json(r->amount), "reference",
					  r->reference, "bank", r->bank_uscc, "paid_at",
					  r->paid_at, "parcels", (json_int_t)sum.parcels,
					  "returns", (json_int_t)sum.returns));
	return e;
}

kerr cbec_month_answer(struct uow *u, const struct actor *a, const char *platform,
		       const char *month, const struct payment_answer *ans,
		       struct cbec_month_payment_row *out, bool *replayed, struct refusal *why)
{
	*replayed = false;
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_cbec_month_payment(c, platform ? platform : "", month ? month : "", out);
	/* another bank's order, or a payment kept before banks answered, is
	 * not told apart from none */
	if (!e && (a->role != ROLE_BANK || !*out->bank_uscc || strcmp(out->bank_uscc, a->org_uscc)))
		e = KERR_NOT_FOUND;
	if (e == KERR_NOT_FOUND)
		refusal_say(why, "no payment reported to your bank for that month");
	if (e)
		return e;
	if (out->status != PAYMENT_REPORTED) {
		int64_t kept_at = 0;
		if (out->status == PAYMENT_PAID)
			(void)ktime_parse(out->paid_at, &kept_at);
		if (payment_answer_same(ans, out->status, out->amount, kept_at, out->reason)) {
			*replayed = true;
			return KERR_OK;
		}
		refusal_say(why, "the bank answered this payment already: %s",
			    payment_status_name(out->status));
		return KERR_CONFLICT;
	}
	if (ans->outcome == PAYMENT_PAID) {
		struct problems own, *p = why->fields ? why->fields : &own;
		problems_init(&own);
		if (ans->amount != out->amount) {
			json_t *d = money_json(out->amount);
			problems_add(p, "/amount",
				     "must be the amount of the payment order, %s CNY: a bank pays "
				     "the order as given, or refuses it",
				     json_string_value(d));
			json_decref(d);
		}
		bool time_wrong = month_paid_at_wrong(u, out, ans->paid_at, p);
		if (ans->amount != out->amount || time_wrong) {
			if (!why->fields)
				refusal_say(why, "%s", own.errors[0].problem);
			else
				refusal_say(why, "the answer has fields that are not valid");
			return KERR_INVALID;
		}
	}
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	out->status = ans->outcome;
	str_copy(out->answered_by, actor_name(a), sizeof out->answered_by);
	str_copy(out->answered_at, now, sizeof out->answered_at);
	if (ans->outcome == PAYMENT_PAID)
		ktime_format(ans->paid_at, out->paid_at);
	else
		str_copy(out->reason, ans->reason, sizeof out->reason);
	e = repo_cbec_month_answer(c, out);
	if (e == KERR_CONFLICT)
		refusal_say(why, "the payment was answered at the same moment by another "
				 "request; read it again");
	if (!e && ans->outcome == PAYMENT_PAID)
		e = month_paid(u, a, c, out, now);
	return e;
}

kerr cbec_month_payments_of_bank(struct uow *u, const struct actor *a, const char *status,
				 int limit, cbec_month_payment_fn fn, void *arg)
{
	struct store_conn *c;
	if (a->role != ROLE_BANK)
		return KERR_FORBIDDEN;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_cbec_month_payments_of_bank(c, a->org_uscc, status, limit, fn, arg);
}

/* ---- the buyer's question ------------------------------------------- */

kerr cbec_quota_ask(struct uow *u, const char *id_number, const char *platform,
		    const char *order_no, struct cbec_quota *out, cbec_parcel_fn fn, void *arg,
		    struct throttle_refusal *wait, struct refusal *why)
{
	memset(out, 0, sizeof *out);
	/* the question is asked with all three, the ID well formed */
	enum codes_result r = id_number ? codes_check_resident_id(id_number) : CODES_OK;
	if (!id_number)
		refusal_field(why, "query:id_number",
			      "is required: the buyer's 18-character resident ID number");
	else if (r != CODES_OK)
		refusal_field(why, "query:id_number", "resident ID %s",
			      codes_result_text(r, "resident ID"));
	if (!platform || !*platform)
		refusal_field(why, "query:platform",
			      "is required: the USCC of the platform the order was placed on");
	if (!order_no || !*order_no)
		refusal_field(why, "query:order_no", "is required: the platform's order number");
	if (!id_number || r != CODES_OK || !platform || !*platform || !order_no || !*order_no) {
		refusal_say(why, "the question is not valid");
		return KERR_INVALID;
	}
	/* an address that guessed wrong too often waits, whatever it asks */
	int64_t now = uow_now_us(u);
	kerr e = guesses_check(u->svc->guesses, u->source, now, wait);
	if (e) {
		refusal_say(why, "too many questions without an answer from this address; "
				 "ask again in %lld s",
			    (long long)wait->retry_after_s);
		return e;
	}
	struct store_conn *c;
	struct cbec_parcel_row p = {0};
	e = uow_conn(u, &c);
	if (!e)
		e = repo_cbec_parcel_get(c, platform, order_no, &p);
	if (!e && (!p.quota_year || strcmp(p.buyer_id_number, id_number)))
		e = KERR_NOT_FOUND;
	repo_cbec_parcel_free(&p);
	if (e == KERR_NOT_FOUND) {
		guesses_failed(u->svc->guesses, u->source, now);
		refusal_say(why, "no assessed order %s on platform %s for this ID number",
			    order_no, platform);
		return e;
	}
	if (e)
		return e;
	out->year = p.quota_year;
	e = repo_cbec_quota_used(c, id_number, out->year, &out->used);
	out->remaining = CBEC_ANNUAL_LIMIT - out->used;
	struct cbec_parcel_filter f = {.buyer_id_number = id_number, .quota_year = out->year,
				       .limit = 1000};
	return e ? e : repo_cbec_parcel_list(c, &f, fn, arg);
}
