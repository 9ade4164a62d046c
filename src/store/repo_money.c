/*
 * repo_money.c - the queries of money (see repo_money.h). Portable SQL
 * only: '?' placeholders, ON CONFLICT DO NOTHING, RETURNING, FOR UPDATE
 * only where the backend takes row locks. Never read-then-write a
 * guarantee's amount drawn: the draw is one conditional UPDATE.
 */
#include "store/repo_money.h"

#include <stdlib.h>
#include <string.h>

#include "store/repo_internal.h"

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

/* An INSERT ... ON CONFLICT DO NOTHING RETURNING: no row means taken. */
static kerr inserted(kerr e)
{
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

/* --- the tariff --- */

#define TARIFF_VERSION_COLS                                                    \
	"id, effective_from, kind, description, agreements, lines, loaded_by, loaded_at"
Q(Q_TV_INSERT, "INSERT INTO tariff_versions (" TARIFF_VERSION_COLS ")"
	       " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id");
Q(Q_TV_LIST, "SELECT " TARIFF_VERSION_COLS " FROM tariff_versions ORDER BY effective_from");
Q(Q_TV_TAKEN, "SELECT (SELECT COUNT(*) FROM tariff_versions WHERE id = ?),"
	      " (SELECT COUNT(*) FROM tariff_versions WHERE effective_from = ?)");
Q(Q_TL_INSERT, "INSERT INTO tariff_lines (version_id, code, line) VALUES (?, ?, ?)"
	       " ON CONFLICT DO NOTHING RETURNING code");
Q(Q_TL_LIST, "SELECT code, line FROM tariff_lines WHERE version_id = ? ORDER BY code");

kerr repo_tariff_version_insert(struct store_conn *c, const struct tariff_version_row *v)
{
	return inserted(store_first(c, &Q_TV_INSERT, NULL, NULL, "sssssiss", v->id,
				    v->effective_from, v->kind, v->description, v->agreements,
				    v->lines, v->loaded_by, v->loaded_at));
}

kerr repo_tariff_line_insert(struct store_conn *c, const char *version, const char *code,
			     const char *line)
{
	return inserted(store_first(c, &Q_TL_INSERT, NULL, NULL, "sss", version, code, line));
}

struct version_reader {
	tariff_version_fn fn;
	void *arg;
};

static kerr read_version(void *arg, struct store_stmt *st)
{
	struct version_reader *r = arg;
	struct tariff_version_row v = {
		.id = stmt_text(st, 0),
		.effective_from = stmt_text(st, 1),
		.kind = stmt_text(st, 2),
		.description = col_opt(st, 3),
		.agreements = stmt_text(st, 4),
		.lines = stmt_int(st, 5),
		.loaded_by = stmt_text(st, 6),
		.loaded_at = stmt_text(st, 7),
	};
	return r->fn(r->arg, &v);
}

kerr repo_tariff_versions(struct store_conn *c, tariff_version_fn fn, void *arg)
{
	struct version_reader r = {fn, arg};
	return store_each(c, &Q_TV_LIST, read_version, &r, "");
}

struct taken {
	bool *first, *second;
};

static kerr read_taken(void *arg, struct store_stmt *st)
{
	struct taken *t = arg;
	*t->first = stmt_int(st, 0) > 0;
	*t->second = stmt_int(st, 1) > 0;
	return KERR_OK;
}

kerr repo_tariff_version_taken(struct store_conn *c, const char *id,
			       const char *effective_from, bool *id_taken, bool *date_taken)
{
	struct taken t = {id_taken, date_taken};
	return store_first(c, &Q_TV_TAKEN, read_taken, &t, "ss", id, effective_from);
}

struct pair_reader {
	kerr (*fn)(void *arg, const char *a, const char *b);
	void *arg;
};

static kerr read_pair(void *arg, struct store_stmt *st)
{
	struct pair_reader *r = arg;
	return r->fn(r->arg, stmt_text(st, 0), stmt_text(st, 1));
}

kerr repo_tariff_lines(struct store_conn *c, const char *version, tariff_line_fn fn,
		       void *arg)
{
	struct pair_reader r = {fn, arg};
	return store_each(c, &Q_TL_LIST, read_pair, &r, "s", version);
}

/* --- exchange rates --- */

#define RATE_COLS "currency, month, cny_per_unit, loaded_by, loaded_at"
Q(Q_RATE_GET, "SELECT cny_per_unit FROM exchange_rates WHERE currency = ? AND month = ?");
Q(Q_RATE_INSERT, "INSERT INTO exchange_rates (" RATE_COLS ") VALUES (?, ?, ?, ?, ?)"
		 " ON CONFLICT DO NOTHING RETURNING currency");
Q(Q_RATE_LIST, "SELECT " RATE_COLS " FROM exchange_rates"
	       " WHERE (CAST(? AS TEXT) IS NULL OR currency = ?) ORDER BY currency, month");

struct text_out {
	char *out;
	size_t n;
};

static kerr read_text(void *arg, struct store_stmt *st)
{
	struct text_out *t = arg;
	col_copy(st, 0, t->out, t->n);
	return KERR_OK;
}

kerr repo_rate_get(struct store_conn *c, const char *currency, const char *month, char *cny,
		   size_t n)
{
	struct text_out t = {cny, n};
	return store_first(c, &Q_RATE_GET, read_text, &t, "ss", currency, month);
}

kerr repo_rate_insert(struct store_conn *c, const struct exchange_rate_row *r)
{
	return inserted(store_first(c, &Q_RATE_INSERT, NULL, NULL, "sssss", r->currency,
				    r->month, r->cny_per_unit, r->loaded_by, r->loaded_at));
}

struct rate_reader {
	exchange_rate_fn fn;
	void *arg;
};

static kerr read_rate(void *arg, struct store_stmt *st)
{
	struct rate_reader *r = arg;
	struct exchange_rate_row row = {stmt_text(st, 0), stmt_text(st, 1), stmt_text(st, 2),
					stmt_text(st, 3), stmt_text(st, 4)};
	return r->fn(r->arg, &row);
}

kerr repo_rates(struct store_conn *c, const char *currency, exchange_rate_fn fn, void *arg)
{
	struct rate_reader r = {fn, arg};
	return store_each(c, &Q_RATE_LIST, read_rate, &r, "ss", currency, currency);
}

/* --- fee catalogues --- */

#define CATALOGUE_COLS "id, port, effective_from, description, loaded_by, loaded_at"
Q(Q_FC_INSERT, "INSERT INTO fee_catalogues (" CATALOGUE_COLS ") VALUES (?, ?, ?, ?, ?, ?)"
	       " ON CONFLICT DO NOTHING RETURNING id");
Q(Q_FC_TAKEN, "SELECT (SELECT COUNT(*) FROM fee_catalogues WHERE id = ?),"
	      " (SELECT COUNT(*) FROM fee_catalogues WHERE port = ? AND effective_from = ?)");
Q(Q_FC_GET, "SELECT " CATALOGUE_COLS " FROM fee_catalogues WHERE id = ?");
Q(Q_FC_IN_FORCE, "SELECT " CATALOGUE_COLS " FROM fee_catalogues WHERE port = ?"
		 " AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1");
Q(Q_FC_LIST, "SELECT " CATALOGUE_COLS " FROM fee_catalogues"
	     " WHERE (CAST(? AS TEXT) IS NULL OR port = ?) ORDER BY port, effective_from");
Q(Q_FI_INSERT, "INSERT INTO fee_items (catalogue_id, code, item) VALUES (?, ?, ?)"
	       " ON CONFLICT DO NOTHING RETURNING code");
Q(Q_FI_LIST, "SELECT code, item FROM fee_items WHERE catalogue_id = ? ORDER BY code");

kerr repo_fee_catalogue_insert(struct store_conn *c, const struct fee_catalogue_row *row)
{
	return inserted(store_first(c, &Q_FC_INSERT, NULL, NULL, "ssssss", row->id, row->port,
				    row->effective_from, row->description, row->loaded_by,
				    row->loaded_at));
}

kerr repo_fee_item_insert(struct store_conn *c, const char *catalogue, const char *code,
			  const char *item)
{
	return inserted(store_first(c, &Q_FI_INSERT, NULL, NULL, "sss", catalogue, code, item));
}

kerr repo_fee_catalogue_taken(struct store_conn *c, const char *id, const char *port,
			      const char *effective_from, bool *id_taken, bool *date_taken)
{
	struct taken t = {id_taken, date_taken};
	return store_first(c, &Q_FC_TAKEN, read_taken, &t, "sss", id, port, effective_from);
}

struct catalogue_reader {
	fee_catalogue_fn fn;
	void *arg;
};

static kerr read_catalogue(void *arg, struct store_stmt *st)
{
	struct catalogue_reader *r = arg;
	struct fee_catalogue_row row = {stmt_text(st, 0), stmt_text(st, 1), stmt_text(st, 2),
					col_opt(st, 3),   stmt_text(st, 4), stmt_text(st, 5)};
	return r->fn(r->arg, &row);
}

kerr repo_fee_catalogue_get(struct store_conn *c, const char *id, fee_catalogue_fn fn,
			    void *arg)
{
	struct catalogue_reader r = {fn, arg};
	return store_first(c, &Q_FC_GET, read_catalogue, &r, "s", id);
}

kerr repo_fee_catalogue_in_force(struct store_conn *c, const char *port, const char *date,
				 fee_catalogue_fn fn, void *arg)
{
	struct catalogue_reader r = {fn, arg};
	return store_first(c, &Q_FC_IN_FORCE, read_catalogue, &r, "ss", port, date);
}

kerr repo_fee_catalogues(struct store_conn *c, const char *port, fee_catalogue_fn fn,
			 void *arg)
{
	struct catalogue_reader r = {fn, arg};
	return store_each(c, &Q_FC_LIST, read_catalogue, &r, "ss", port, port);
}

kerr repo_fee_items(struct store_conn *c, const char *catalogue, fee_item_fn fn, void *arg)
{
	struct pair_reader r = {fn, arg};
	return store_each(c, &Q_FI_LIST, read_pair, &r, "s", catalogue);
}

/* --- assessments --- */

/* Kept smaller than shown (migration 0018): the number as its value, the
 * time as microseconds. */
#define ASSESSMENT_TAIL                                                     \
	"version, status, held_field, held_reason, total_due, declared_differs," \
	" detail, assessed_at, tariff_versions, rate_month, cny_per_unit,"      \
	" certificates, duty, consumption_tax, vat"
/* The first assessment of a version is a plain insert: an upsert costs
 * PostgreSQL a speculative insertion and its confirmation (bench/README,
 * issue 13, eighteenth round). */
#define DA_INSERT                                                          \
	"INSERT INTO duty_assessments (declaration_number, " ASSESSMENT_TAIL ")" \
	" VALUES (CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
Q(Q_DA_ADD, DA_INSERT);
Q(Q_DA_PUT, DA_INSERT
	    " ON CONFLICT (declaration_number, version) DO UPDATE SET status = excluded.status,"
	    " held_field = excluded.held_field, held_reason = excluded.held_reason,"
	    " total_due = excluded.total_due, declared_differs = excluded.declared_differs,"
	    " detail = excluded.detail, assessed_at = excluded.assessed_at,"
	    " tariff_versions = excluded.tariff_versions, rate_month = excluded.rate_month,"
	    " cny_per_unit = excluded.cny_per_unit, certificates = excluded.certificates,"
	    " duty = excluded.duty, consumption_tax = excluded.consumption_tax,"
	    " vat = excluded.vat");
Q(Q_DA_GET, "SELECT " NUMBER_TEXT("declaration_number") ", " ASSESSMENT_TAIL
	    " FROM duty_assessments WHERE declaration_number = CAST(? AS BIGINT) AND version = ?");
Q(Q_DA_HELD, "SELECT d.number FROM duty_assessments a JOIN declarations d"
		" ON d.number = " NUMBER_TEXT("a.declaration_number") " AND d.version = a.version"
		" WHERE a.status = 'held' AND d.status IN ('accepted', 'returned')"
		" ORDER BY a.declaration_number");
Q(Q_DECL_CLEARED_WAITING,
  "SELECT d.number FROM declarations d WHERE d.consignee_uscc = ? AND d.status = 'accepted'"
  " AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.declaration_number = CAST(d.number AS BIGINT)"
  " AND t.status NOT IN ('cleared', 'closed')) ORDER BY d.number");

void duty_assessment_row_free(struct duty_assessment_row *r)
{
	free(r->detail);
	r->detail = NULL;
}

kerr repo_duty_assessment_put(struct store_conn *c, const struct duty_assessment_row *r,
			      bool first)
{
	const char *status = r->held ? "held" : "assessed";
	int64_t at;
	kerr e = repo_time_us(r->assessed_at, &at);
	if (e)
		return e;
	const struct sql_query *q = first ? &Q_DA_ADD : &Q_DA_PUT;
	if (!r->has_basis || r->held)
		return store_exec_later(c, q, "sisssiisinnnnnnn", r->number,
					r->version, status, or_null(r->held_field),
					or_null(r->held_reason), r->total_due,
					(int64_t)r->declared_differs, r->detail, at);
	/* assessed: the basis, not the detail it is computed again from */
	return store_exec_later(c, q, "sisssiinissisiii", r->number, r->version, status,
			        or_null(r->held_field), or_null(r->held_reason), r->total_due,
			        (int64_t)r->declared_differs, at, r->tariff_versions,
			        r->rate_month, r->cny_per_unit, or_null(r->certificates), r->duty,
			        r->consumption_tax, r->vat);
}

static kerr read_assessment(void *arg, struct store_stmt *st)
{
	struct duty_assessment_row *r = arg;
	memset(r, 0, sizeof *r);
	col_copy(st, 0, r->number, sizeof r->number);
	r->version = stmt_int(st, 1);
	const char *status = stmt_text(st, 2);
	if (strcmp(status, "held") && strcmp(status, "assessed"))
		return KERR_STORE;
	r->held = !strcmp(status, "held");
	col_copy(st, 3, r->held_field, sizeof r->held_field);
	col_copy(st, 4, r->held_reason, sizeof r->held_reason);
	r->total_due = stmt_int(st, 5);
	r->declared_differs = stmt_int(st, 6) != 0;
	col_time(st, 8, r->assessed_at);
	r->has_basis = !stmt_is_null(st, 9);
	if (r->has_basis) {
		col_copy(st, 9, r->tariff_versions, sizeof r->tariff_versions);
		col_copy(st, 10, r->rate_month, sizeof r->rate_month);
		r->cny_per_unit = stmt_int(st, 11);
		col_copy(st, 12, r->certificates, sizeof r->certificates);
		r->duty = stmt_int(st, 13);
		r->consumption_tax = stmt_int(st, 14);
		r->vat = stmt_int(st, 15);
	}
	if (stmt_is_null(st, 7))
		return r->has_basis ? KERR_OK : KERR_STORE;
	r->detail = strdup(stmt_text(st, 7));
	return r->detail ? KERR_OK : KERR_NOMEM;
}

kerr repo_duty_assessment_get(struct store_conn *c, const char *number, int64_t version,
			      struct duty_assessment_row *out)
{
	memset(out, 0, sizeof *out);
	kerr e = store_first(c, &Q_DA_GET, read_assessment, out, "si", number, version);
	if (e)
		duty_assessment_row_free(out);
	return e;
}

struct number_reader {
	decl_number_fn fn;
	void *arg;
};

static kerr read_number(void *arg, struct store_stmt *st)
{
	struct number_reader *r = arg;
	return r->fn(r->arg, stmt_text(st, 0));
}

kerr repo_duty_held(struct store_conn *c, decl_number_fn fn, void *arg)
{
	struct number_reader r = {fn, arg};
	return store_each(c, &Q_DA_HELD, read_number, &r, "");
}

kerr repo_decl_cleared_waiting(struct store_conn *c, const char *consignee, decl_number_fn fn,
			       void *arg)
{
	struct number_reader r = {fn, arg};
	return store_each(c, &Q_DECL_CLEARED_WAITING, read_number, &r, "s", consignee);
}

/* --- guarantees --- */

#define GUARANTEE_COLS                                                          \
	"g.id, g.number, g.org_id, o.uscc, g.ceiling, g.drawn, g.valid_from,"   \
	" g.valid_until, g.registered_by, g.registered_at"
#define GUARANTEE_FROM " FROM guarantees g JOIN organisations o ON o.id = g.org_id"
Q(Q_G_INSERT, "INSERT INTO guarantees (number, org_id, ceiling, drawn, valid_from,"
	      " valid_until, registered_by, registered_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?)"
	      " ON CONFLICT DO NOTHING RETURNING id");
Q(Q_G_GET, "SELECT " GUARANTEE_COLS GUARANTEE_FROM " WHERE g.number = ?");
Q(Q_G_LIST, "SELECT " GUARANTEE_COLS GUARANTEE_FROM
	    " WHERE (? = 0 OR g.org_id = ?) ORDER BY g.number");
Q(Q_G_LOCK, "SELECT id FROM guarantees WHERE org_id = ? ORDER BY id FOR UPDATE");
Q(Q_G_DRAW, "UPDATE guarantees SET drawn = drawn + ? WHERE id = ? AND drawn + ? <= ceiling"
	    " RETURNING drawn");
Q(Q_G_RESTORE, "UPDATE guarantees SET drawn = drawn - ? WHERE id = ? AND drawn >= ?"
	       " RETURNING drawn");

kerr repo_guarantee_insert(struct store_conn *c, const struct guarantee_row *g, int64_t *id)
{
	return inserted(store_first(c, &Q_G_INSERT, read_int, id, "siissss", g->number,
				    g->org_id, g->ceiling, g->valid_from, g->valid_until,
				    g->registered_by, g->registered_at));
}

static kerr read_guarantee(void *arg, struct store_stmt *st)
{
	struct guarantee_row *g = arg;
	memset(g, 0, sizeof *g);
	g->id = stmt_int(st, 0);
	col_copy(st, 1, g->number, sizeof g->number);
	g->org_id = stmt_int(st, 2);
	col_copy(st, 3, g->org_uscc, sizeof g->org_uscc);
	g->ceiling = stmt_int(st, 4);
	g->drawn = stmt_int(st, 5);
	col_copy(st, 6, g->valid_from, sizeof g->valid_from);
	col_copy(st, 7, g->valid_until, sizeof g->valid_until);
	col_copy(st, 8, g->registered_by, sizeof g->registered_by);
	col_copy(st, 9, g->registered_at, sizeof g->registered_at);
	return KERR_OK;
}

kerr repo_guarantee_get(struct store_conn *c, const char *number, struct guarantee_row *out)
{
	return store_first(c, &Q_G_GET, read_guarantee, out, "s", number);
}

struct guarantee_reader {
	guarantee_fn fn;
	void *arg;
};

static kerr read_guarantee_each(void *arg, struct store_stmt *st)
{
	struct guarantee_reader *r = arg;
	struct guarantee_row g;
	read_guarantee(&g, st);
	return r->fn(r->arg, &g);
}

kerr repo_guarantees(struct store_conn *c, int64_t org_id, guarantee_fn fn, void *arg)
{
	struct guarantee_reader r = {fn, arg};
	return store_each(c, &Q_G_LIST, read_guarantee_each, &r, "ii", org_id, org_id);
}

static kerr ignore_row(void *arg, struct store_stmt *st)
{
	(void)arg;
	(void)st;
	return KERR_OK;
}

kerr repo_guarantees_lock(struct store_conn *c, int64_t org_id)
{
	if (!store_row_locks(c))
		return KERR_OK;
	return store_each(c, &Q_G_LOCK, ignore_row, NULL, "i", org_id);
}

kerr repo_guarantee_draw(struct store_conn *c, int64_t id, int64_t amount, int64_t *drawn_after)
{
	return inserted(store_first(c, &Q_G_DRAW, read_int, drawn_after, "iii", amount, id,
				    amount));
}

kerr repo_guarantee_restore(struct store_conn *c, int64_t id, int64_t amount,
			    int64_t *drawn_after)
{
	return inserted(store_first(c, &Q_G_RESTORE, read_int, drawn_after, "iii", amount, id,
				    amount));
}

Q(Q_DRAW_INSERT, "INSERT INTO guarantee_draws (declaration_number, guarantee_id, amount,"
		 " drawn_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
		 " RETURNING declaration_number");
Q(Q_DRAW_GET, "SELECT d.guarantee_id, g.number, d.amount, d.drawn_at, d.restored_at"
	      " FROM guarantee_draws d JOIN guarantees g ON g.id = d.guarantee_id"
	      " WHERE d.declaration_number = ?");
Q(Q_DRAW_RESTORED, "UPDATE guarantee_draws SET restored_at = ? WHERE declaration_number = ?"
		   " AND restored_at IS NULL RETURNING declaration_number");

kerr repo_draw_insert(struct store_conn *c, const char *number, int64_t guarantee_id,
		      int64_t amount, const char *at)
{
	return inserted(store_first(c, &Q_DRAW_INSERT, NULL, NULL, "siis", number, guarantee_id,
				    amount, at));
}

static kerr read_draw(void *arg, struct store_stmt *st)
{
	struct guarantee_draw_row *d = arg;
	memset(d, 0, sizeof *d);
	d->guarantee_id = stmt_int(st, 0);
	col_copy(st, 1, d->guarantee, sizeof d->guarantee);
	d->amount = stmt_int(st, 2);
	col_copy(st, 3, d->drawn_at, sizeof d->drawn_at);
	col_copy(st, 4, d->restored_at, sizeof d->restored_at);
	return KERR_OK;
}

kerr repo_draw_get(struct store_conn *c, const char *number, struct guarantee_draw_row *out)
{
	return store_first(c, &Q_DRAW_GET, read_draw, out, "s", number);
}

kerr repo_draw_restored(struct store_conn *c, const char *number, const char *at)
{
	return inserted(store_first(c, &Q_DRAW_RESTORED, NULL, NULL, "ss", at, number));
}

/* --- payments --- */

#define PAYMENT_COLS                                                            \
	"id, bank_reference, declaration_number, amount, paid_at, recorded_by,"  \
	" recorded_at, restored, bank_uscc, status, answered_by, answered_at, reason"
Q(Q_PAY_BY_REF, "SELECT " PAYMENT_COLS " FROM payments WHERE bank_reference = ?");
Q(Q_PAY_INSERT, "INSERT INTO payments (bank_reference, declaration_number, amount, paid_at,"
		" recorded_by, recorded_at, restored, bank_uscc, status)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT DO NOTHING RETURNING id");
Q(Q_PAY_FOR, "SELECT " PAYMENT_COLS " FROM payments WHERE declaration_number = ? ORDER BY id");
Q(Q_PAY_ANSWER, "UPDATE payments SET status = ?, paid_at = ?, answered_by = ?,"
		" answered_at = ?, reason = ?, restored = ?"
		" WHERE id = ? AND status = 'reported' RETURNING id");
Q(Q_PAY_OF_BANK, "SELECT " PAYMENT_COLS " FROM payments WHERE bank_uscc = ?"
		 " AND (CAST(? AS TEXT) IS NULL OR status = ?) AND id > ? ORDER BY id LIMIT ?");

static kerr read_payment(void *arg, struct store_stmt *st)
{
	struct payment_row *p = arg;
	memset(p, 0, sizeof *p);
	p->id = stmt_int(st, 0);
	col_copy(st, 1, p->bank_reference, sizeof p->bank_reference);
	col_copy(st, 2, p->number, sizeof p->number);
	p->amount = stmt_int(st, 3);
	col_copy(st, 4, p->paid_at, sizeof p->paid_at);
	col_copy(st, 5, p->recorded_by, sizeof p->recorded_by);
	col_copy(st, 6, p->recorded_at, sizeof p->recorded_at);
	p->restored = stmt_int(st, 7);
	col_copy(st, 8, p->bank_uscc, sizeof p->bank_uscc);
	char status[16];
	col_copy(st, 9, status, sizeof status);
	if (!payment_status_parse(status, &p->status))
		return KERR_INTERNAL;
	col_copy(st, 10, p->answered_by, sizeof p->answered_by);
	col_copy(st, 11, p->answered_at, sizeof p->answered_at);
	col_copy(st, 12, p->reason, sizeof p->reason);
	return KERR_OK;
}

kerr repo_payment_by_reference(struct store_conn *c, const char *reference,
			       struct payment_row *out)
{
	return store_first(c, &Q_PAY_BY_REF, read_payment, out, "s", reference);
}

kerr repo_payment_insert(struct store_conn *c, const struct payment_row *p, int64_t *id)
{
	return inserted(store_first(c, &Q_PAY_INSERT, read_int, id, "ssisssiss",
				    p->bank_reference, p->number, p->amount, p->paid_at,
				    p->recorded_by, p->recorded_at, p->restored, p->bank_uscc,
				    payment_status_name(p->status)));
}

struct payment_reader {
	payment_fn fn;
	void *arg;
};

static kerr read_payment_each(void *arg, struct store_stmt *st)
{
	struct payment_reader *r = arg;
	struct payment_row p;
	kerr e = read_payment(&p, st);
	return e ? e : r->fn(r->arg, &p);
}

kerr repo_payments_for(struct store_conn *c, const char *number, payment_fn fn, void *arg)
{
	struct payment_reader r = {fn, arg};
	return store_each(c, &Q_PAY_FOR, read_payment_each, &r, "s", number);
}

kerr repo_payment_answer(struct store_conn *c, const struct payment_row *p)
{
	int64_t id;
	kerr e = store_first(c, &Q_PAY_ANSWER, read_int, &id, "sssssii",
			     payment_status_name(p->status), p->paid_at, p->answered_by,
			     p->answered_at, p->reason, p->restored, p->id);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

kerr repo_payments_of_bank(struct store_conn *c, const char *bank_uscc, const char *status,
			   int64_t after, int limit, payment_fn fn, void *arg)
{
	struct payment_reader r = {fn, arg};
	return store_each(c, &Q_PAY_OF_BANK, read_payment_each, &r, "sssii", bank_uscc, status,
			  status, after, (int64_t)limit);
}

/* --- port charges --- */

#define CHARGE_COLS                                                             \
	"declaration_number, catalogue_id, code, quantity, amount, payer,"       \
	" trader_amount, state_amount, reason, detail, raised_by, org_id, raised_at"
Q(Q_CH_INSERT, "INSERT INTO fee_charges (" CHARGE_COLS ")"
	       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
Q(Q_CH_FOR, "SELECT id, " CHARGE_COLS " FROM fee_charges WHERE declaration_number = ?"
	    " ORDER BY id");

kerr repo_charge_insert(struct store_conn *c, const struct fee_charge_row *ch, int64_t *id)
{
	kerr e = store_first(c, &Q_CH_INSERT, read_int, id, "sssiisiisssis", ch->number,
			     ch->catalogue, ch->code, ch->quantity, ch->amount, ch->payer,
			     ch->trader_amount, ch->state_amount, ch->reason, ch->detail,
			     ch->raised_by, ch->org_id, ch->raised_at);
	return e == KERR_NOT_FOUND ? KERR_STORE : e;
}

struct charge_reader {
	fee_charge_fn fn;
	void *arg;
};

static kerr read_charge(void *arg, struct store_stmt *st)
{
	struct charge_reader *r = arg;
	struct fee_charge_row ch = {
		.id = stmt_int(st, 0),
		.number = stmt_text(st, 1),
		.catalogue = stmt_text(st, 2),
		.code = stmt_text(st, 3),
		.quantity = stmt_int(st, 4),
		.amount = stmt_int(st, 5),
		.payer = stmt_text(st, 6),
		.trader_amount = stmt_int(st, 7),
		.state_amount = stmt_int(st, 8),
		.reason = stmt_text(st, 9),
		.detail = stmt_text(st, 10),
		.raised_by = stmt_text(st, 11),
		.org_id = stmt_int(st, 12),
		.raised_at = stmt_text(st, 13),
	};
	return r->fn(r->arg, &ch);
}

kerr repo_charges_for(struct store_conn *c, const char *number, fee_charge_fn fn, void *arg)
{
	struct charge_reader r = {fn, arg};
	return store_each(c, &Q_CH_FOR, read_charge, &r, "s", number);
}

/* --- departures and refunds --- */

Q(Q_DEP_PUT, "INSERT INTO export_departures (declaration_number, departed_at, source,"
	     " recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT (declaration_number) DO NOTHING");
Q(Q_DEP_GET, "SELECT departed_at, source, recorded_at FROM export_departures"
	     " WHERE declaration_number = ?");

kerr repo_departure_put(struct store_conn *c, const char *number, const char *departed_at,
			const char *source, const char *now)
{
	return store_exec(c, &Q_DEP_PUT, "ssss", number, departed_at, source, now);
}

static kerr read_departure(void *arg, struct store_stmt *st)
{
	struct departure_row *d = arg;
	col_copy(st, 0, d->departed_at, sizeof d->departed_at);
	col_copy(st, 1, d->source, sizeof d->source);
	col_copy(st, 2, d->recorded_at, sizeof d->recorded_at);
	return KERR_OK;
}

kerr repo_departure_get(struct store_conn *c, const char *number, struct departure_row *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_DEP_GET, read_departure, out, "s", number);
}

#define REFUND_COLS                                                             \
	"r.id, r.declaration_number, r.org_id, o.uscc, r.status, r.verdict, r.total," \
	" r.claim, r.result, r.reasons, r.applied_by, r.applied_at, r.decided_by,"  \
	" r.decided_at, r.decision_reason"
#define REFUND_FROM " FROM refund_applications r JOIN organisations o ON o.id = r.org_id"
Q(Q_RF_INSERT, "INSERT INTO refund_applications (declaration_number, org_id, status, verdict,"
	       " total, claim, result, reasons, applied_by, applied_at)"
	       " VALUES (?, ?, 'applied', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
	       " RETURNING id");
Q(Q_RF_GET, "SELECT " REFUND_COLS REFUND_FROM " WHERE r.id = ?");
Q(Q_RF_LOCK, "SELECT id FROM refund_applications WHERE id = ? FOR UPDATE");
Q(Q_RF_DECIDE, "UPDATE refund_applications SET status = ?, decided_by = ?, decided_at = ?,"
	       " decision_reason = ? WHERE id = ? AND status = 'applied' RETURNING id");
Q(Q_RF_APPROVED, "SELECT id FROM refund_applications WHERE declaration_number = ?"
		 " AND status = 'approved'");
Q(Q_RF_LIST, "SELECT " REFUND_COLS REFUND_FROM " WHERE (? = 0 OR r.org_id = ?)"
	     " AND (CAST(? AS TEXT) IS NULL OR r.status = ?) ORDER BY r.id DESC LIMIT ?");

kerr repo_refund_insert(struct store_conn *c, const struct refund_row *r, int64_t *id)
{
	return inserted(store_first(c, &Q_RF_INSERT, read_int, id, "sisisssss", r->number,
				    r->org_id, r->verdict, r->total, r->claim, r->result,
				    r->reasons, r->applied_by, r->applied_at));
}

struct refund_reader {
	refund_fn fn;
	void *arg;
};

static kerr read_refund(void *arg, struct store_stmt *st)
{
	struct refund_reader *r = arg;
	struct refund_row row = {
		.id = stmt_int(st, 0),
		.number = stmt_text(st, 1),
		.org_id = stmt_int(st, 2),
		.org_uscc = stmt_text(st, 3),
		.status = stmt_text(st, 4),
		.verdict = stmt_text(st, 5),
		.total = stmt_int(st, 6),
		.claim = stmt_text(st, 7),
		.result = stmt_text(st, 8),
		.reasons = stmt_text(st, 9),
		.applied_by = stmt_text(st, 10),
		.applied_at = stmt_text(st, 11),
		.decided_by = col_opt(st, 12),
		.decided_at = col_opt(st, 13),
		.decision_reason = col_opt(st, 14),
	};
	return r->fn(r->arg, &row);
}

kerr repo_refund_get(struct store_conn *c, int64_t id, refund_fn fn, void *arg)
{
	struct refund_reader r = {fn, arg};
	return store_first(c, &Q_RF_GET, read_refund, &r, "i", id);
}

kerr repo_refund_lock(struct store_conn *c, int64_t id)
{
	if (!store_row_locks(c))
		return KERR_OK;
	return store_first(c, &Q_RF_LOCK, NULL, NULL, "i", id);
}

kerr repo_refund_decide(struct store_conn *c, int64_t id, const char *status, const char *by,
			const char *at, const char *reason)
{
	return inserted(store_first(c, &Q_RF_DECIDE, NULL, NULL, "ssssi", status, by, at,
				    reason, id));
}

kerr repo_refund_approved(struct store_conn *c, const char *number, bool *approved)
{
	kerr e = store_first(c, &Q_RF_APPROVED, NULL, NULL, "s", number);
	*approved = e == KERR_OK;
	return e == KERR_NOT_FOUND ? KERR_OK : e;
}

kerr repo_refunds(struct store_conn *c, int64_t org_id, const char *status, int limit,
		  refund_fn fn, void *arg)
{
	struct refund_reader r = {fn, arg};
	return store_each(c, &Q_RF_LIST, read_refund, &r, "iissi", org_id, org_id, status,
			  status, (int64_t)limit);
}
