/*
 * money_tables.c - tariff versions, exchange rates and fee catalogues:
 * loaded whole after the domain's checks, stored, and read back (see
 * money_tables.h).
 *
 * Never: change a stored version, rate or catalogue, or install tables
 * built from data the domain's parser refuses.
 */
#include "service/money_tables.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "common/decimal.h"
#include "common/log.h"
#include "domain/fields.h"
#include "store/repo.h"

#define STAMP_SETTING "money_tables_stamp"

int32_t money_today(struct uow *u)
{
	return kdate_of_instant(uow_now_us(u), KDATE_CHINA_OFFSET_MIN);
}

kerr code_list_add(void *arg, const char *code)
{
	struct code_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char(*codes)[CODE_LIST_SIZE] = realloc(l->codes, cap * sizeof *codes);
		if (!codes)
			return KERR_NOMEM;
		l->codes = codes;
		l->cap = cap;
	}
	str_copy(l->codes[l->n++], code, CODE_LIST_SIZE);
	return KERR_OK;
}

void code_list_free(struct code_list *l)
{
	free(l->codes);
	l->codes = NULL;
	l->n = l->cap = 0;
}

/* The stamp of the tables as the transaction sees them ("" before any load). */
static kerr stamp_read(struct store_conn *c, char stamp[MONEY_STAMP_SIZE])
{
	kerr e = repo_setting_get(c, STAMP_SETTING, stamp, MONEY_STAMP_SIZE);
	if (e == KERR_NOT_FOUND) {
		stamp[0] = '\0';
		return KERR_OK;
	}
	return e;
}

/* A new stamp: the tables changed in this transaction. The other servers
 * hear of it at the commit, and this one after it (uow_commit). */
static kerr stamp_renew(struct uow *u, struct store_conn *c)
{
	unsigned char r[16];
	char hex[MONEY_STAMP_SIZE];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	u->money_changed = true;
	kerr e = repo_setting_put(c, STAMP_SETTING, hex);
	return e ? e : store_announce(c, STORE_TOPIC_MONEY);
}

/* --- building the tables from the store --- */

static kerr collect_version(void *arg, const struct tariff_version_row *v)
{
	json_t *agreements = json_loads(v->agreements, 0, NULL);
	json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:[]}", "id", v->id, "effective_from",
				v->effective_from, "kind", v->kind, "agreements",
				agreements ? agreements : json_array(), "lines");
	if (doc && v->description)
		json_object_set_new(doc, "description", json_string(v->description));
	return doc && !json_array_append_new(arg, doc) ? KERR_OK : KERR_NOMEM;
}

static kerr collect_line(void *arg, const char *code, const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	if (!j) {
		log_error("money: tariff line %s is not JSON", code);
		return KERR_STORE;
	}
	return json_array_append_new(arg, j) ? KERR_NOMEM : KERR_OK;
}

struct rate_list {
	struct exchange_rate *r;
	size_t n, cap;
};

static kerr collect_rate(void *arg, const struct exchange_rate_row *row)
{
	struct rate_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct exchange_rate *r = realloc(l->r, cap * sizeof *r);
		if (!r)
			return KERR_NOMEM;
		l->r = r;
		l->cap = cap;
	}
	struct exchange_rate *r = &l->r[l->n];
	memset(r, 0, sizeof *r);
	str_copy(r->currency, row->currency, sizeof r->currency);
	if (!kmonth_parse(row->month, &r->month) ||
	    decimal_parse(row->cny_per_unit, EXCHANGE_SCALE, &r->cny_per_unit) != DECIMAL_OK) {
		log_error("money: stored rate %s %s is not readable", row->currency, row->month);
		return KERR_STORE;
	}
	l->n++;
	return KERR_OK;
}

static kerr build_tariff(struct store_conn *c, struct tariff *t)
{
	json_t *docs = json_array();
	kerr e = docs ? repo_tariff_versions(c, collect_version, docs) : KERR_NOMEM;
	size_t i;
	json_t *doc;
	json_array_foreach(docs, i, doc)
	{
		if (e)
			break;
		e = repo_tariff_lines(c, json_string_value(json_object_get(doc, "id")),
				      collect_line, json_object_get(doc, "lines"));
		if (e)
			break;
		struct problems p;
		problems_init(&p);
		struct tariff_version *v = tariff_version_parse(doc, NULL, &p);
		if (!v || tariff_add(t, v, &p)) {
			log_error("money: stored tariff version %s is not valid: %s %s",
				  json_string_value(json_object_get(doc, "id")),
				  p.count ? p.errors[0].field : "", p.count ? p.errors[0].problem : "");
			e = KERR_STORE;
		}
	}
	json_decref(docs);
	return e;
}

static kerr build(struct store_conn *c, const char *stamp, struct money_tables **out)
{
	struct money_tables *t = calloc(1, sizeof *t);
	struct rate_list rates = {0};
	if (!t || !(t->tariff = tariff_new())) {
		free(t);
		return KERR_NOMEM;
	}
	kerr e = build_tariff(c, t->tariff);
	if (!e)
		e = repo_rates(c, NULL, collect_rate, &rates);
	if (!e && !(t->rates = exchange_table_build(rates.r, rates.n)))
		e = KERR_STORE;
	free(rates.r);
	if (e) {
		t->refs = 1; /* the only reference: released, it frees all */
		money_tables_release(t);
		return e;
	}
	str_copy(t->stamp, stamp, sizeof t->stamp);
	t->refs = 1;
	*out = t;
	return KERR_OK;
}

/* The tables as built, without reading the stamp: where the store tells of
 * every change and none was told since they were built from a stamp read
 * (a unit of work that changed them reads its own). */
static struct money_tables *trusted(struct uow *u, uint64_t heard)
{
	struct money_state *m = u->svc->money;
	struct money_tables *t = NULL;
	pthread_mutex_lock(&m->lock);
	if (m->watched && !u->money_changed && m->current && m->trusted_at == heard) {
		__atomic_add_fetch(&m->current->refs, 1, __ATOMIC_RELAXED);
		t = m->current;
	}
	pthread_mutex_unlock(&m->lock);
	return t;
}

kerr money_tables_get(struct uow *u, struct money_tables **out)
{
	struct money_state *m = u->svc->money;
	char stamp[MONEY_STAMP_SIZE];
	struct store_conn *c;
	/* counted before the stamp is read: a change told after it makes the
	 * next use read the stamp again */
	uint64_t heard = __atomic_load_n(&m->heard, __ATOMIC_ACQUIRE);
	kerr e = uow_conn(u, &c);
	if (!e && (*out = trusted(u, heard)))
		return KERR_OK;
	if (!e)
		e = stamp_read(c, stamp);
	if (e)
		return e;
	/* built under the lock: a second thread wanting the same new tables
	 * waits for the first rather than building them again */
	pthread_mutex_lock(&m->lock);
	if (!m->current || strcmp(m->current->stamp, stamp) != 0) {
		struct money_tables *t;
		e = build(c, stamp, &t);
		if (!e) {
			money_tables_release(m->current);
			m->current = t;
		}
	}
	if (!e) {
		__atomic_add_fetch(&m->current->refs, 1, __ATOMIC_RELAXED);
		*out = m->current;
		/* tables built from this unit's own uncommitted change are
		 * trusted by nobody: it may still be rolled back */
		m->trusted_at = u->money_changed ? UINT64_MAX : heard;
	}
	pthread_mutex_unlock(&m->lock);
	return e;
}

/* --- loading --- */

/* The problems of a refusal (a list of the caller's, or of our own). */
static struct problems *problems_of(struct refusal *why, struct problems *own)
{
	if (why->fields)
		return why->fields;
	problems_init(own);
	return own;
}

/* Refused as not valid: the problems are in *p; the first becomes the
 * detail when the caller keeps no field list. */
static kerr not_valid(struct refusal *why, struct problems *p, const char *what)
{
	if (!why->fields && p->count)
		refusal_say(why, "%s %s", p->errors[0].field, p->errors[0].problem);
	else
		refusal_say(why, "%s has fields that are not valid", what);
	return KERR_INVALID;
}

static kerr audit(struct uow *u, const struct actor *a, const char *action,
		  const char *target, json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(data);
	kerr e = text ? uow_audit(u, a, action, target, text) : KERR_NOMEM;
	free(text);
	return e;
}

static kerr store_lines(struct store_conn *c, const struct tariff_version *v)
{
	kerr e = KERR_OK;
	for (size_t i = 0; !e && i < v->nlines; i++) {
		json_t *j = tariff_line_to_json(&v->lines[i]);
		char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(j);
		e = text ? repo_tariff_line_insert(c, v->id, v->lines[i].code, text) : KERR_NOMEM;
		free(text);
	}
	return e;
}

kerr money_tariff_load(struct uow *u, const struct actor *a, const json_t *doc,
		       struct money_loaded *out, struct refusal *why)
{
	struct problems own, *p = problems_of(why, &own);
	memset(out, 0, sizeof *out);
	struct tariff_version *v = tariff_version_parse(doc, uow_refdata(u), p);
	if (!v)
		return not_valid(why, p, "the tariff version");
	char date[KDATE_TEXT_MAX], now[TIME_TEXT_SIZE];
	kdate_format(v->effective_from, date);
	uow_now(u, now);
	json_t *canon = tariff_version_to_json(v);
	char *agreements = canon ? json_dumps(json_object_get(canon, "agreements"),
					      JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
				 : NULL;
	json_decref(canon);
	struct store_conn *c;
	bool id_taken = false, date_taken = false;
	kerr e = agreements ? uow_conn(u, &c) : KERR_NOMEM;
	if (!e)
		e = repo_tariff_version_taken(c, v->id, date, &id_taken, &date_taken);
	if (!e && (id_taken || date_taken)) {
		if (id_taken)
			refusal_field(why, "/id",
				      "is taken: tariff version %s is loaded already (versions "
				      "are never changed; an amendment is a new version with an "
				      "id of its own)",
				      v->id);
		if (date_taken)
			refusal_field(why, "/effective_from",
				      "another tariff version takes effect on %s; a version "
				      "needs a date of its own",
				      date);
		refusal_say(why, "the tariff version is not new");
		e = KERR_CONFLICT;
	}
	struct tariff_version_row row = {
		.id = v->id,
		.effective_from = date,
		.kind = v->amendment ? "amendment" : "full",
		.description = v->description,
		.agreements = agreements,
		.lines = (int64_t)v->nlines,
		.loaded_by = actor_name(a),
		.loaded_at = now,
	};
	if (!e)
		e = repo_tariff_version_insert(c, &row);
	if (!e)
		e = store_lines(c, v);
	if (!e)
		e = stamp_renew(u, c);
	if (!e)
		e = audit(u, a, "tariff.load", v->id,
			  json_pack("{s:s, s:s, s:I}", "kind", row.kind, "effective_from", date,
				    "lines", (json_int_t)v->nlines));
	if (!e) {
		str_copy(out->id, v->id, sizeof out->id);
		out->added = v->nlines;
	}
	free(agreements);
	tariff_version_free(v);
	return e;
}

kerr money_rates_load(struct uow *u, const struct actor *a, const json_t *doc,
		      struct money_loaded *out, struct refusal *why)
{
	struct problems own, *p = problems_of(why, &own);
	memset(out, 0, sizeof *out);
	const struct refdata *ref = uow_refdata(u);
	struct exchange_table *t = exchange_table_parse(doc, ref, p);
	if (!t)
		return not_valid(why, p, "the exchange rate table");
	exchange_table_free(t);
	char now[TIME_TEXT_SIZE];
	uow_now(u, now);
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	bool changed = false;
	size_t i;
	json_t *j;
	json_array_foreach(json_object_get(doc, "rates"), i, j)
	{
		if (e)
			break;
		struct exchange_rate r;
		char at[PROBLEM_FIELD_MAX], month[KMONTH_TEXT_MAX], cny[MONEY_DECIMAL_SIZE],
			stored[MONEY_DECIMAL_SIZE];
		fields_pointer_index(at, sizeof at, "/rates", i);
		if (!exchange_rate_parse(j, at, ref, &r, p))
			return KERR_INTERNAL; /* the table parsed, so its rates do */
		kmonth_format(r.month, month);
		decimal_format_trim(r.cny_per_unit, EXCHANGE_SCALE, cny, sizeof cny);
		e = repo_rate_get(c, r.currency, month, stored, sizeof stored);
		if (e == KERR_NOT_FOUND) {
			struct exchange_rate_row row = {r.currency, month, cny, actor_name(a), now};
			e = repo_rate_insert(c, &row);
			out->added += !e;
			continue;
		}
		int64_t old;
		if (!e && decimal_parse(stored, EXCHANGE_SCALE, &old) != DECIMAL_OK)
			e = KERR_STORE;
		if (e || old == r.cny_per_unit) {
			out->unchanged += !e;
			continue;
		}
		char f[PROBLEM_FIELD_MAX];
		json_pointer_to(f, sizeof f, at, "cny_per_unit");
		refusal_field(why, f,
			      "is %s, but the %s rate for %s is %s already; a published rate "
			      "is not changed once assessments may have used it",
			      cny, r.currency, month, stored);
		changed = true;
	}
	if (!e && changed) {
		refusal_say(why, "the table changes rates loaded before");
		return KERR_CONFLICT;
	}
	if (!e && out->added)
		e = stamp_renew(u, c);
	if (!e && out->added)
		e = audit(u, a, "exchange_rates.load", "exchange_rates",
			  json_pack("{s:I, s:I}", "added", (json_int_t)out->added, "unchanged",
				    (json_int_t)out->unchanged));
	return e;
}

kerr money_fees_load(struct uow *u, const struct actor *a, const json_t *doc,
		     struct money_loaded *out, struct refusal *why)
{
	struct problems own, *p = problems_of(why, &own);
	memset(out, 0, sizeof *out);
	struct fee_catalogue *fc = fee_catalogue_parse(doc, uow_refdata(u), p);
	if (!fc)
		return not_valid(why, p, "the fee catalogue");
	char date[KDATE_TEXT_MAX], now[TIME_TEXT_SIZE];
	kdate_format(fc->effective_from, date);
	uow_now(u, now);
	struct store_conn *c;
	bool id_taken = false, date_taken = false;
	kerr e = uow_conn(u, &c);
	if (!e)
		e = repo_fee_catalogue_taken(c, fc->id, fc->port, date, &id_taken, &date_taken);
	if (!e && (id_taken || date_taken)) {
		if (id_taken)
			refusal_field(why, "/id",
				      "is taken: fee catalogue %s is published already (a "
				      "catalogue is never changed; publish a new one)",
				      fc->id);
		if (date_taken)
			refusal_field(why, "/effective_from",
				      "%s has a fee catalogue taking effect on %s already",
				      fc->port, date);
		refusal_say(why, "the fee catalogue is not new");
		e = KERR_CONFLICT;
	}
	struct fee_catalogue_row row = {fc->id, fc->port, date, fc->description,
					actor_name(a), now};
	if (!e)
		e = repo_fee_catalogue_insert(c, &row);
	json_t *canon = e ? NULL : fee_catalogue_to_json(fc);
	if (!e && !canon)
		e = KERR_NOMEM;
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(canon, "items"), i, item)
	{
		if (e)
			break;
		char *text = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS);
		e = text ? repo_fee_item_insert(c, fc->id,
						json_string_value(json_object_get(item, "code")),
						text)
			 : KERR_NOMEM;
		free(text);
	}
	json_decref(canon);
	if (!e)
		e = audit(u, a, "fees.load", fc->id,
			  json_pack("{s:s, s:s, s:I}", "port", fc->port, "effective_from", date,
				    "items", (json_int_t)fc->nitems));
	if (!e) {
		str_copy(out->id, fc->id, sizeof out->id);
		out->added = fc->nitems;
	}
	fee_catalogue_free(fc);
	return e;
}

/* --- reading --- */

kerr money_tariff_versions(struct uow *u, tariff_version_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_tariff_versions(c, fn, arg);
}

kerr money_tariff_version(struct uow *u, const char *id, struct money_tables **t,
			  const struct tariff_version **v)
{
	kerr e = money_tables_get(u, t);
	for (size_t i = 0; !e && i < (*t)->tariff->nversions; i++) {
		if (!strcmp((*t)->tariff->versions[i]->id, id)) {
			*v = (*t)->tariff->versions[i];
			return KERR_OK;
		}
	}
	if (!e) {
		money_tables_release(*t);
		*t = NULL;
	}
	return e ? e : KERR_NOT_FOUND;
}

kerr money_tariff_line(struct uow *u, const char *code, int32_t date, struct money_tables **t,
		       struct tariff_match *m)
{
	kerr e = money_tables_get(u, t);
	if (!e && !tariff_lookup((*t)->tariff, code, date, m)) {
		money_tables_release(*t);
		*t = NULL;
		e = KERR_NOT_FOUND;
	}
	return e;
}

kerr money_rates(struct uow *u, const char *currency, exchange_rate_fn fn, void *arg)
{
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_rates(c, currency, fn, arg);
}

static kerr catalogue_doc(void *arg, const struct fee_catalogue_row *row)
{
	json_t *doc = json_pack("{s:s, s:s, s:s, s:[]}", "id", row->id, "port", row->port,
				"effective_from", row->effective_from, "items");
	if (doc && row->description)
		json_object_set_new(doc, "description", json_string(row->description));
	*(json_t **)arg = doc;
	return doc ? KERR_OK : KERR_NOMEM;
}

static kerr collect_item(void *arg, const char *code, const char *item)
{
	json_t *j = json_loads(item, 0, NULL);
	if (!j) {
		log_error("money: fee item %s is not JSON", code);
		return KERR_STORE;
	}
	return json_array_append_new(arg, j) ? KERR_NOMEM : KERR_OK;
}

kerr money_fee_catalogue(struct uow *u, const char *id, const char *port, int32_t date,
			 struct fee_catalogue **out)
{
	*out = NULL;
	struct store_conn *c;
	json_t *doc = NULL;
	char day[KDATE_TEXT_MAX];
	kdate_format(date, day);
	kerr e = uow_conn(u, &c);
	if (!e)
		e = id ? repo_fee_catalogue_get(c, id, catalogue_doc, &doc)
		       : repo_fee_catalogue_in_force(c, port, day, catalogue_doc, &doc);
	if (!e)
		e = repo_fee_items(c, json_string_value(json_object_get(doc, "id")), collect_item,
				   json_object_get(doc, "items"));
	if (!e) {
		struct problems p;
		problems_init(&p);
		if (!(*out = fee_catalogue_parse(doc, NULL, &p))) {
			log_error("money: stored fee catalogue is not valid: %s %s",
				  p.count ? p.errors[0].field : "",
				  p.count ? p.errors[0].problem : "");
			e = KERR_STORE;
		}
	}
	json_decref(doc);
	return e;
}

struct port_walk {
	kerr (*fn)(void *arg, const char *port);
	void *arg;
	char last[PORT_CODE_SIZE];
};

static kerr each_port(void *arg, const struct fee_catalogue_row *row)
{
	struct port_walk *w = arg;
	if (!strcmp(w->last, row->port))
		return KERR_OK;
	str_copy(w->last, row->port, sizeof w->last);
	return w->fn(w->arg, row->port);
}

kerr money_fee_ports(struct uow *u, kerr (*fn)(void *arg, const char *port), void *arg)
{
	struct port_walk w = {fn, arg, ""};
	struct store_conn *c;
	kerr e = uow_conn(u, &c);
	return e ? e : repo_fee_catalogues(c, NULL, each_port, &w);
}
