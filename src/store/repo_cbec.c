/*
 * repo_cbec.c - the queries of cross-border e-commerce retail imports (see
 * repo_cbec.h). Prepared statements only: '?' placeholders, ON CONFLICT,
 * RETURNING and FOR UPDATE (the last only where several writers run at
 * once). Must never decide what a row means: the service does.
 */
#include "store/repo_cbec.h"

#include <stdlib.h>
#include <string.h>

#include "store/repo_internal.h"

static kerr read_int(void *arg, struct store_stmt *st)
{
	*(int64_t *)arg = stmt_int(st, 0);
	return KERR_OK;
}

/* --- documents --- */

Q(Q_DOC_GET, "SELECT platform_code, order_no, kind, org_id, version, body, received_at"
	     " FROM cbec_documents WHERE platform_code = ? AND order_no = ? AND kind = ?");
Q(Q_DOC_PUT, "INSERT INTO cbec_documents (platform_code, order_no, kind, org_id, version,"
	     " body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	     " ON CONFLICT (platform_code, order_no, kind) DO UPDATE SET"
	     " org_id = excluded.org_id, version = excluded.version, body = excluded.body,"
	     " received_at = excluded.received_at");
Q(Q_DOC_DELETE, "DELETE FROM cbec_documents WHERE platform_code = ? AND order_no = ?"
		" AND kind = ? RETURNING version");

static kerr read_doc(void *arg, struct store_stmt *st)
{
	struct cbec_doc_row *d = arg;
	memset(d, 0, sizeof *d);
	col_copy(st, 0, d->platform_code, sizeof d->platform_code);
	col_copy(st, 1, d->order_no, sizeof d->order_no);
	col_copy(st, 2, d->kind, sizeof d->kind);
	d->org_id = stmt_int(st, 3);
	d->version = stmt_int(st, 4);
	d->body = strdup(stmt_text(st, 5));
	col_copy(st, 6, d->received_at, sizeof d->received_at);
	return d->body ? KERR_OK : KERR_NOMEM;
}

kerr repo_cbec_doc_get(struct store_conn *c, const char *platform, const char *order_no,
		       const char *kind, struct cbec_doc_row *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_DOC_GET, read_doc, out, "sss", platform, order_no, kind);
}

kerr repo_cbec_doc_put(struct store_conn *c, const struct cbec_doc_row *d)
{
	return store_exec(c, &Q_DOC_PUT, "sssiiss", d->platform_code, d->order_no, d->kind,
			  d->org_id, d->version, d->body, d->received_at);
}

kerr repo_cbec_doc_delete(struct store_conn *c, const char *platform, const char *order_no,
			  const char *kind)
{
	int64_t version;
	return store_first(c, &Q_DOC_DELETE, read_int, &version, "sss", platform, order_no,
			   kind);
}

/* --- parcels --- */

#define PARCEL_COLS                                                                    \
	"platform_code, order_no, platform_org_id, status, number, mode, customs_office," \
	" logistics_code, waybill_no, buyer_id_number, quota_year, customs_value,"     \
	" verdict, duty, consumption_tax, vat, lane, detail, first_at,"                \
	" last_document_at, matched_at, released_at, gate_out_at, returned_at"
Q(Q_PARCEL_CLAIM, "INSERT INTO cbec_parcels (platform_code, order_no, platform_org_id,"
		  " status, first_at, last_document_at) VALUES (?, ?, ?, 'pending', ?, ?)"
		  " ON CONFLICT (platform_code, order_no) DO NOTHING");
Q(Q_PARCEL_LOCK, "SELECT status FROM cbec_parcels WHERE platform_code = ? AND order_no = ?"
		 " FOR UPDATE");
Q(Q_PARCEL_GET, "SELECT " PARCEL_COLS " FROM cbec_parcels WHERE platform_code = ?"
		" AND order_no = ?");
Q(Q_PARCEL_BY_WAYBILL, "SELECT " PARCEL_COLS " FROM cbec_parcels WHERE logistics_code = ?"
		       " AND waybill_no = ? AND number IS NOT NULL ORDER BY first_at DESC");
Q(Q_PARCEL_SAVE, "UPDATE cbec_parcels SET status = ?, number = ?, mode = ?,"
		 " customs_office = ?, logistics_code = ?, waybill_no = ?, buyer_id_number = ?,"
		 " quota_year = ?, customs_value = ?, verdict = ?, duty = ?, consumption_tax = ?,"
		 " vat = ?, lane = ?, detail = ?, last_document_at = ?, matched_at = ?,"
		 " released_at = ?, gate_out_at = ?, returned_at = ?"
		 " WHERE platform_code = ? AND order_no = ?");
Q(Q_PARCEL_LIST, "SELECT " PARCEL_COLS " FROM cbec_parcels WHERE"
		 " (CAST(? AS TEXT) IS NULL OR platform_code = ?)"
		 " AND (CAST(? AS BIGINT) = 0 OR platform_org_id = ?)"
		 " AND (CAST(? AS TEXT) IS NULL OR status = ?)"
		 " AND (CAST(? AS TEXT) IS NULL OR buyer_id_number = ?)"
		 " AND (CAST(? AS BIGINT) = 0 OR quota_year = ?)"
		 " AND (CAST(? AS TEXT) IS NULL OR order_no > ?)"
		 " ORDER BY platform_code, order_no LIMIT ?");
Q(Q_PARCEL_CLEARED, "SELECT " PARCEL_COLS " FROM cbec_parcels WHERE platform_code = ?"
		    " AND ((released_at >= ? AND released_at < ?)"
		    " OR (returned_at >= ? AND returned_at < ?)) ORDER BY order_no");

static kerr read_parcel(struct store_stmt *st, struct cbec_parcel_row *p, bool copy_detail)
{
	memset(p, 0, sizeof *p);
	col_copy(st, 0, p->platform_code, sizeof p->platform_code);
	col_copy(st, 1, p->order_no, sizeof p->order_no);
	p->platform_org_id = stmt_int(st, 2);
	col_copy(st, 3, p->status, sizeof p->status);
	col_copy(st, 4, p->number, sizeof p->number);
	col_copy(st, 5, p->mode, sizeof p->mode);
	col_copy(st, 6, p->customs_office, sizeof p->customs_office);
	col_copy(st, 7, p->logistics_code, sizeof p->logistics_code);
	col_copy(st, 8, p->waybill_no, sizeof p->waybill_no);
	col_copy(st, 9, p->buyer_id_number, sizeof p->buyer_id_number);
	p->quota_year = stmt_int(st, 10);
	p->customs_value = stmt_int(st, 11);
	col_copy(st, 12, p->verdict, sizeof p->verdict);
	p->duty = stmt_int(st, 13);
	p->consumption_tax = stmt_int(st, 14);
	p->vat = stmt_int(st, 15);
	col_copy(st, 16, p->lane, sizeof p->lane);
	p->detail = copy_detail ? strdup(stmt_text(st, 17)) : (char *)stmt_text(st, 17);
	col_copy(st, 18, p->first_at, sizeof p->first_at);
	col_copy(st, 19, p->last_document_at, sizeof p->last_document_at);
	col_copy(st, 20, p->matched_at, sizeof p->matched_at);
	col_copy(st, 21, p->released_at, sizeof p->released_at);
	col_copy(st, 22, p->gate_out_at, sizeof p->gate_out_at);
	col_copy(st, 23, p->returned_at, sizeof p->returned_at);
	return p->detail ? KERR_OK : KERR_NOMEM;
}

static kerr read_parcel_owned(void *arg, struct store_stmt *st)
{
	return read_parcel(st, arg, true);
}

struct parcel_visit {
	cbec_parcel_fn fn;
	void *arg;
};

static kerr visit_parcel(void *arg, struct store_stmt *st)
{
	struct parcel_visit *v = arg;
	struct cbec_parcel_row p;
	kerr e = read_parcel(st, &p, false);
	return e ? e : v->fn(v->arg, &p);
}

kerr repo_cbec_parcel_claim(struct store_conn *c, const char *platform, const char *order_no,
			    int64_t platform_org_id, const char *now)
{
	return store_exec(c, &Q_PARCEL_CLAIM, "ssiss", platform, order_no, platform_org_id,
			  now, now);
}

kerr repo_cbec_parcel_lock(struct store_conn *c, const char *platform, const char *order_no)
{
	if (!store_row_locks(c))
		return KERR_OK;
	return store_first(c, &Q_PARCEL_LOCK, NULL, NULL, "ss", platform, order_no);
}

kerr repo_cbec_parcel_get(struct store_conn *c, const char *platform, const char *order_no,
			  struct cbec_parcel_row *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_PARCEL_GET, read_parcel_owned, out, "ss", platform, order_no);
}

kerr repo_cbec_parcel_by_waybill(struct store_conn *c, const char *logistics,
				 const char *waybill_no, struct cbec_parcel_row *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_PARCEL_BY_WAYBILL, read_parcel_owned, out, "ss", logistics,
			   waybill_no);
}

kerr repo_cbec_parcel_save(struct store_conn *c, const struct cbec_parcel_row *p)
{
	return store_exec(c, &Q_PARCEL_SAVE, "sssssssiisiiisssssssss", p->status,
			  or_null(p->number), or_null(p->mode), or_null(p->customs_office),
			  or_null(p->logistics_code), or_null(p->waybill_no),
			  or_null(p->buyer_id_number), p->quota_year, p->customs_value, or_null(p->verdict), p->duty,
			  p->consumption_tax, p->vat, or_null(p->lane),
			  p->detail ? p->detail : "{}", p->last_document_at,
			  or_null(p->matched_at), or_null(p->released_at), or_null(p->gate_out_at),
			  or_null(p->returned_at), p->platform_code, p->order_no);
}

void repo_cbec_parcel_free(struct cbec_parcel_row *p)
{
	free(p->detail);
	p->detail = NULL;
}

kerr repo_cbec_parcel_list(struct store_conn *c, const struct cbec_parcel_filter *f,
			   cbec_parcel_fn fn, void *arg)
{
	struct parcel_visit v = {fn, arg};
	return store_each(c, &Q_PARCEL_LIST, visit_parcel, &v, "ssiissssiissi", f->platform,
			  f->platform, f->platform_org_id, f->platform_org_id, f->status,
			  f->status, f->buyer_id_number, f->buyer_id_number, f->quota_year,
			  f->quota_year, f->after_order_no, f->after_order_no,
			  f->limit > 0 ? f->limit : 100);
}

kerr repo_cbec_parcel_cleared(struct store_conn *c, const char *platform, const char *from,
			      const char *to, cbec_parcel_fn fn, void *arg)
{
	struct parcel_visit v = {fn, arg};
	return store_each(c, &Q_PARCEL_CLEARED, visit_parcel, &v, "sssss", platform, from, to,
			  from, to);
}

/* --- quotas --- */

Q(Q_QUOTA_CLAIM, "INSERT INTO cbec_quotas (id_number, year, used) VALUES (?, ?, 0)"
		 " ON CONFLICT (id_number, year) DO NOTHING");
Q(Q_QUOTA_LOCK, "SELECT used FROM cbec_quotas WHERE id_number = ? AND year = ? FOR UPDATE");
Q(Q_QUOTA_GET, "SELECT used FROM cbec_quotas WHERE id_number = ? AND year = ?");
Q(Q_QUOTA_ADD, "UPDATE cbec_quotas SET used = used + ? WHERE id_number = ? AND year = ?"
	       " AND used + ? <= ? RETURNING used");
Q(Q_QUOTA_RESTORE, "UPDATE cbec_quotas SET used = used - ? WHERE id_number = ? AND year = ?"
		   " AND used >= ? RETURNING used");

kerr repo_cbec_quota_lock(struct store_conn *c, const char *id_number, int64_t year,
			  int64_t *used)
{
	kerr e = store_exec(c, &Q_QUOTA_CLAIM, "si", id_number, year);
	if (e)
		return e;
	return store_first(c, store_row_locks(c) ? &Q_QUOTA_LOCK : &Q_QUOTA_GET, read_int, used,
			   "si", id_number, year);
}

kerr repo_cbec_quota_used(struct store_conn *c, const char *id_number, int64_t year,
			  int64_t *used)
{
	*used = 0;
	kerr e = store_first(c, &Q_QUOTA_GET, read_int, used, "si", id_number, year);
	return e == KERR_NOT_FOUND ? KERR_OK : e;
}

kerr repo_cbec_quota_add(struct store_conn *c, const char *id_number, int64_t year,
			 int64_t amount, int64_t limit, int64_t *used_after)
{
	kerr e = store_first(c, &Q_QUOTA_ADD, read_int, used_after, "isiii", amount, id_number,
			     year, amount, limit);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

kerr repo_cbec_quota_restore(struct store_conn *c, const char *id_number, int64_t year,
			     int64_t amount)
{
	int64_t after;
	kerr e = store_first(c, &Q_QUOTA_RESTORE, read_int, &after, "isii", amount, id_number,
			     year, amount);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

/* --- the monthly summary's payment --- */

/* an order takes the month's row only when there is none, or its bank
 * refused the one there */
Q(Q_MONTH_ORDER, "INSERT INTO cbec_month_payments (platform_code, month, amount, reference,"
		 " bank_uscc, status, paid_by, recorded_at, paid_at, answered_by, answered_at,"
		 " reason) VALUES (?, ?, ?, ?, ?, 'reported', ?, ?, '', '', '', '')"
		 " ON CONFLICT (platform_code, month) DO UPDATE SET amount = excluded.amount,"
		 " reference = excluded.reference, bank_uscc = excluded.bank_uscc,"
		 " status = 'reported', paid_by = excluded.paid_by,"
		 " recorded_at = excluded.recorded_at, paid_at = '', answered_by = '',"
		 " answered_at = '', reason = ''"
		 " WHERE cbec_month_payments.status = 'refused' RETURNING amount");
Q(Q_MONTH_ANSWER, "UPDATE cbec_month_payments SET status = ?, paid_at = ?, answered_by = ?,"
		  " answered_at = ?, reason = ? WHERE platform_code = ? AND month = ?"
		  " AND status = 'reported' RETURNING amount");
Q(Q_MONTH_PAYMENT, "SELECT platform_code, month, amount, reference, bank_uscc, status,"
		   " paid_by, recorded_at, paid_at, answered_by, answered_at, reason"
		   " FROM cbec_month_payments WHERE platform_code = ? AND month = ?");

Q(Q_MONTH_OF_BANK, "SELECT platform_code, month, amount, reference, bank_uscc, status,"
		   " paid_by, recorded_at, paid_at, answered_by, answered_at, reason"
		   " FROM cbec_month_payments WHERE bank_uscc = ?"
		   " AND (CAST(? AS TEXT) IS NULL OR status = ?)"
		   " ORDER BY recorded_at, platform_code, month LIMIT ?");

kerr repo_cbec_month_order(struct store_conn *c, const struct cbec_month_payment_row *r)
{
	int64_t amount;
	kerr e = store_first(c, &Q_MONTH_ORDER, read_int, &amount, "ssissss", r->platform_code,
			     r->month, r->amount, r->reference, r->bank_uscc, r->paid_by,
			     r->recorded_at);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

kerr repo_cbec_month_answer(struct store_conn *c, const struct cbec_month_payment_row *r)
{
	int64_t amount;
	kerr e = store_first(c, &Q_MONTH_ANSWER, read_int, &amount, "sssssss",
			     payment_status_name(r->status), r->paid_at, r->answered_by,
			     r->answered_at, r->reason, r->platform_code, r->month);
	return e == KERR_NOT_FOUND ? KERR_CONFLICT : e;
}

static kerr read_payment(void *arg, struct store_stmt *st)
{
	struct cbec_month_payment_row *r = arg;
	char status[16];
	col_copy(st, 0, r->platform_code, sizeof r->platform_code);
	col_copy(st, 1, r->month, sizeof r->month);
	r->amount = stmt_int(st, 2);
	col_copy(st, 3, r->reference, sizeof r->reference);
	col_copy(st, 4, r->bank_uscc, sizeof r->bank_uscc);
	col_copy(st, 5, status, sizeof status);
	col_copy(st, 6, r->paid_by, sizeof r->paid_by);
	col_copy(st, 7, r->recorded_at, sizeof r->recorded_at);
	col_copy(st, 8, r->paid_at, sizeof r->paid_at);
	col_copy(st, 9, r->answered_by, sizeof r->answered_by);
	col_copy(st, 10, r->answered_at, sizeof r->answered_at);
	col_copy(st, 11, r->reason, sizeof r->reason);
	return payment_status_parse(status, &r->status) ? KERR_OK : KERR_STORE;
}

struct month_payment_reader {
	cbec_month_payment_fn fn;
	void *arg;
};

static kerr read_payment_each(void *arg, struct store_stmt *st)
{
	struct month_payment_reader *r = arg;
	struct cbec_month_payment_row row;
	memset(&row, 0, sizeof row);
	kerr e = read_payment(&row, st);
	return e ? e : r->fn(r->arg, &row);
}

kerr repo_cbec_month_payments_of_bank(struct store_conn *c, const char *bank, const char *status,
				      int limit, cbec_month_payment_fn fn, void *arg)
{
	struct month_payment_reader r = {fn, arg};
	return store_each(c, &Q_MONTH_OF_BANK, read_payment_each, &r, "sssi", bank, status,
			  status, (int64_t)limit);
}

kerr repo_cbec_month_payment(struct store_conn *c, const char *platform, const char *month,
			     struct cbec_month_payment_row *out)
{
	memset(out, 0, sizeof *out);
	return store_first(c, &Q_MONTH_PAYMENT, read_payment, out, "ss", platform, month);
}
