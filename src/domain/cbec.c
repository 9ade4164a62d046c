/*
 * cbec.c - the documents of cross-border e-commerce retail imports: their
 * validation from JSON, the inventory that classifies an order, the
 * positive list and the agencies that act (see cbec.h).
 *
 * Each document is described by a table of fields (JSON member, kind,
 * limits, where it lands in the struct); one reader walks the table, so
 * every document reports its problems the same way. It must never touch
 * anything but its arguments.
 */
#include "domain/cbec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/codes.h"
#include "common/decimal.h"

const char *cbec_doc_name(enum cbec_doc d)
{
	switch (d) {
	case CBEC_DOC_ORDER:
		return "order";
	case CBEC_DOC_PAYMENT:
		return "payment";
	case CBEC_DOC_WAYBILL:
		return "waybill";
	case CBEC_DOC_INVENTORY:
		return "inventory";
	}
	return "document";
}

const char *cbec_mode_code(enum cbec_mode m)
{
	switch (m) {
	case CBEC_MODE_DIRECT:
		return "9610";
	case CBEC_MODE_BONDED:
		return "1210";
	case CBEC_MODE_UNKNOWN:
		break;
	}
	return "";
}

/* ---- the field reader ---------------------------------------------- */

enum fkind {
	FK_TEXT,        /* free text, at most `max` characters */
	FK_ID,          /* number of a document: letters, digits, - _ . / */
	FK_PARTY,       /* 10-character customs code or 18-character USCC */
	FK_MONEY,       /* decimal string, fen, >= 0 */
	FK_MONEY_POS,   /* decimal string, fen, > 0 */
	FK_PRICE,       /* decimal string, scale 5, >= 0 */
	FK_QTY,         /* decimal string, scale 5, > 0 */
	FK_WEIGHT,      /* decimal string, scale 3, > 0 */
	FK_INT,         /* JSON integer 1..max */
	FK_TIME,        /* RFC 3339 */
	FK_PHONE,       /* digits, spaces, + - ( ) */
	FK_RESIDENT_ID, /* GB 11643 */
	FK_HS,          /* 10-digit commodity code */
	FK_UNIT,        /* 3-digit customs unit */
	FK_COUNTRY,     /* ISO 3166-1 alpha-2 */
	FK_OFFICE,      /* 4-digit customs office */
	FK_TRANSPORT,   /* 1-character transport mode */
	FK_DISTRICT,    /* 6-digit administrative division */
	FK_MODE,        /* "9610" or "1210" into an enum cbec_mode */
	FK_ID_TYPE,     /* "1": resident identity card; not stored */
	FK_CURRENCY,    /* "CNY"; not stored */
};

struct field {
	const char *name;
	enum fkind kind;
	bool required;
	unsigned max; /* characters of a string; the largest FK_INT */
	size_t off;
	size_t size;  /* bytes of a string member, 0 for numbers */
};

#define STR(type, m) offsetof(type, m), sizeof(((type *)0)->m)
#define NUM(type, m) offsetof(type, m), 0
#define NONE 0, 0

struct vctx {
	struct problems *p;
	const struct refdata *ref;
};

static bool all_of(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

static bool id_chars(const char *s)
{
	return all_of(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-_./");
}

static bool digits_n(const char *s, size_t n)
{
	return strlen(s) == n && all_of(s, "0123456789");
}

/* Check a string value of kind f->kind; report and return false if bad. */
static bool check_string(struct vctx *v, const char *ptr, const struct field *f,
			 const char *s)
{
	if (!*s) {
		problems_add(v->p, ptr, "must not be empty");
		return false;
	}
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			problems_add(v->p, ptr, "must not contain control characters");
			return false;
		}
	}
	enum codes_result r;
	switch (f->kind) {
	case FK_TEXT:
		if (str_chars(s) > f->max) {
			problems_add(v->p, ptr, "must be at most %u characters", f->max);
			return false;
		}
		return true;
	case FK_ID:
		if (strlen(s) > f->max || !id_chars(s)) {
			problems_add(v->p, ptr,
				     "must be 1 to %u letters, digits, '-', '_', '.' or '/'",
				     f->max);
			return false;
		}
		return true;
	case FK_PARTY:
		if (strlen(s) == 18) {
			if ((r = codes_check_uscc(s)) != CODES_OK) {
				problems_add(v->p, ptr, "unified social credit code %s",
					     codes_result_text(r, "USCC"));
				return false;
			}
			return true;
		}
		if (strlen(s) != 10 || !all_of(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
			problems_add(v->p, ptr,
				     "must be a 10-character customs registration code "
				     "(digits and capital letters) or an 18-character "
				     "unified social credit code");
			return false;
		}
		return true;
	case FK_PHONE:
		if (strlen(s) > f->max || !all_of(s, "0123456789+-() ")) {
			problems_add(v->p, ptr,
				     "must be a telephone number of at most %u digits, "
				     "spaces, '+', '-', '(' or ')'",
				     f->max);
			return false;
		}
		return true;
	case FK_RESIDENT_ID:
		if ((r = codes_check_resident_id(s)) != CODES_OK) {
			problems_add(v->p, ptr, "resident ID %s",
				     codes_result_text(r, "resident ID"));
			return false;
		}
		return true;
	case FK_HS:
		if ((r = codes_check_hs(s)) != CODES_OK) {
			problems_add(v->p, ptr, "commodity code %s", codes_result_text(r, "HS"));
			return false;
		}
		if (v->ref && !refdata_has(v->ref, "commodities", s)) {
			problems_add(v->p, ptr,
				     "'%s' is not in the commodity table (see GET "
				     "/v1/reference/commodities)",
				     s);
			return false;
		}
		return true;
	case FK_UNIT:
		if (!digits_n(s, 3)) {
			problems_add(v->p, ptr, "must be a 3-digit customs unit code such as \"035\" (kilogram)");
			return false;
		}
		if (v->ref && !refdata_has(v->ref, "units", s)) {
			problems_add(v->p, ptr,
				     "'%s' is not a known unit of measure (see GET /v1/reference/units)", s);
			return false;
		}
		return true;
	case FK_COUNTRY:
		if (strlen(s) != 2 || !all_of(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
			problems_add(v->p, ptr, "must be an ISO 3166-1 alpha-2 country code such as \"JP\"");
			return false;
		}
		if (v->ref && !refdata_has(v->ref, "countries", s)) {
			problems_add(v->p, ptr,
				     "'%s' is not a known country (see GET /v1/reference/countries)", s);
			return false;
		}
		return true;
	case FK_OFFICE:
		if (!digits_n(s, 4)) {
			problems_add(v->p, ptr, "must be a 4-digit customs office code such as \"5141\"");
			return false;
		}
		if (v->ref && !refdata_has(v->ref, "customs_offices", s)) {
			problems_add(v->p, ptr,
				     "'%s' is not a known customs office (see GET "
				     "/v1/reference/customs_offices)",
				     s);
			return false;
		}
		return true;
	case FK_TRANSPORT:
		if (strlen(s) != 1) {
			problems_add(v->p, ptr, "must be a 1-character transport mode code such as \"5\" (air)");
			return false;
		}
		if (v->ref && !refdata_has(v->ref, "transport_modes", s)) {
			problems_add(v->p, ptr,
				     "'%s' is not a known transport mode (see GET "
				     "/v1/reference/transport_modes)",
				     s);
			return false;
		}
		return true;
	case FK_DISTRICT:
		if (!digits_n(s, 6)) {
			problems_add(v->p, ptr, "must be a 6-digit administrative division code");
			return false;
		}
		return true;
	case FK_MODE:
		if (strcmp(s, "9610") && strcmp(s, "1210")) {
			problems_add(v->p, ptr,
				     "must be \"9610\" (direct purchase) or \"1210\" (bonded)");
			return false;
		}
		return true;
	case FK_ID_TYPE:
		if (strcmp(s, "1")) {
			problems_add(v->p, ptr,
				     "must be \"1\" (resident identity card): retail imports "
				     "are only open to holders of a resident ID");
			return false;
		}
		return true;
	case FK_CURRENCY:
		if (strcmp(s, "CNY")) {
			problems_add(v->p, ptr, "must be \"CNY\": retail imports are priced in yuan");
			return false;
		}
		return true;
	default:
		return true;
	}
}

static bool decimal_kind(enum fkind k, int *scale, bool *positive)
{
	switch (k) {
	case FK_MONEY:
		*scale = CBEC_SCALE_MONEY;
		*positive = false;
		return true;
	case FK_MONEY_POS:
		*scale = CBEC_SCALE_MONEY;
		*positive = true;
		return true;
	case FK_PRICE:
		*scale = CBEC_SCALE_PRICE;
		*positive = false;
		return true;
	case FK_QTY:
		*scale = CBEC_SCALE_QUANTITY;
		*positive = true;
		return true;
	case FK_WEIGHT:
		*scale = CBEC_SCALE_WEIGHT;
		*positive = true;
		return true;
	default:
		return false;
	}
}

/* Read one field of obj into base; report problems at ptr/name. */
static void read_field(struct vctx *v, const json_t *obj, const char *ptr,
		       const struct field *f, void *base)
{
	char fp[PROBLEM_FIELD_MAX];
	json_pointer_to(fp, sizeof fp, ptr, f->name);
	char *dst = (char *)base + f->off;
	json_t *j = json_object_get(obj, f->name);
	if (!j || json_is_null(j)) {
		if (f->required)
			problems_add(v->p, fp, "is required");
		return;
	}
	int scale;
	bool positive;
	if (decimal_kind(f->kind, &scale, &positive)) {
		if (!json_is_string(j)) {
			problems_add(v->p, fp,
				     "must be a decimal string such as \"12.50\" (numbers are "
				     "sent as strings so they stay exact)");
			return;
		}
		int64_t val;
		char why[96];
		enum decimal_result r = decimal_parse(json_string_value(j), scale, &val);
		if (r != DECIMAL_OK) {
			problems_add(v->p, fp, "%s", decimal_result_text(r, scale, why, sizeof why));
			return;
		}
		if (positive ? val <= 0 : val < 0) {
			problems_add(v->p, fp, positive ? "must be greater than zero"
						     : "must not be negative");
			return;
		}
		*(int64_t *)(void *)dst = val;
		return;
	}
	if (f->kind == FK_INT) {
		json_int_t n = json_is_integer(j) ? json_integer_value(j) : 0;
		if (!json_is_integer(j) || n < 1 || n > (json_int_t)f->max) {
			problems_add(v->p, fp, "must be a whole number from 1 to %u", f->max);
			return;
		}
		*(int *)(void *)dst = (int)n;
		return;
	}
	if (!json_is_string(j)) {
		problems_add(v->p, fp, "must be a string");
		return;
	}
	const char *s = json_string_value(j);
	if (f->kind == FK_TIME) {
		int64_t us;
		if (!ktime_parse(s, &us)) {
			problems_add(v->p, fp,
				     "must be an RFC 3339 time such as \"2026-03-01T10:00:00+08:00\"");
			return;
		}
		*(int64_t *)(void *)dst = us;
		return;
	}
	if (!check_string(v, fp, f, s))
		return;
	if (f->kind == FK_MODE)
		*(enum cbec_mode *)(void *)dst =
			strcmp(s, "9610") == 0 ? CBEC_MODE_DIRECT : CBEC_MODE_BONDED;
	else if (f->size)
		str_copy(dst, s, f->size);
}

/* Is `key` named in the table (or is it `extra`)? */
static bool known_field(const struct field *fields, size_t n, const char *extra,
			const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, key) == 0)
			return true;
	return extra && strcmp(extra, key) == 0;
}

/* Unknown members, then every field of the table. The list of accepted
 * names is only written out when a member is unknown. */
static void read_fields(struct vctx *v, const json_t *obj, const char *ptr,
			const struct field *fields, size_t n, const char *extra,
			void *base)
{
	const char *key;
	json_t *val;
	bool all_known = true;
	json_object_foreach((json_t *)obj, key, val)
	{
		if (!known_field(fields, n, extra, key))
			all_known = false;
	}
	if (!all_known) {
		const char *names[48];
		char accepted[1024];
		size_t k = 0, len = 0;
		accepted[0] = '\0';
		for (size_t i = 0; i < n && k < 46; i++) {
			names[k++] = fields[i].name;
			len += (size_t)snprintf(accepted + len,
						len < sizeof accepted ? sizeof accepted - len : 0,
						"%s%s", i ? ", " : "", fields[i].name);
		}
		if (extra) {
			names[k++] = extra;
			snprintf(accepted + len, len < sizeof accepted ? sizeof accepted - len : 0,
				 ", %s", extra);
		}
		names[k] = NULL;
		problems_unknown_fields(v->p, obj, ptr, names, accepted);
	}
	for (size_t i = 0; i < n; i++)
		read_field(v, obj, ptr, &fields[i], base);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* "1234.50" from fen. */
static const char *money(int64_t fen, char *buf, size_t n)
{
	if (decimal_format(fen, CBEC_SCALE_MONEY, buf, n) < 0)
		str_copy(buf, "?", n);
	return buf;
}

/* The array `key` of obj: 1..CBEC_MAX_LINES objects, or NULL (reported). */
static const json_t *lines_array(struct vctx *v, const json_t *obj)
{
	json_t *a = json_object_get(obj, "lines");
	if (!a || json_is_null(a)) {
		problems_add(v->p, "/lines", "is required: the goods, one entry per line");
		return NULL;
	}
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > CBEC_MAX_LINES) {
		problems_add(v->p, "/lines", "must be an array of 1 to %d goods lines",
			     CBEC_MAX_LINES);
		return NULL;
	}
	return a;
}

/* A line's total must be its quantity times its unit price. */
static void check_line_total(struct vctx *v, const char *ptr, int64_t qty,
			     int64_t price, int64_t total)
{
	int64_t want;
	char f[PROBLEM_FIELD_MAX], a[40], b[40];
	json_pointer_to(f, sizeof f, ptr, "total");
	if (decimal_mul(qty, CBEC_SCALE_QUANTITY, price, CBEC_SCALE_PRICE,
			CBEC_SCALE_MONEY, &want) != DECIMAL_OK) {
		problems_add(v->p, f, "quantity times unit_price is too large");
		return;
	}
	if (want != total)
		problems_add(v->p, f,
			     "is %s but quantity x unit_price is %s; the total is the "
			     "quantity times the unit price, rounded half up to the fen",
			     money(total, a, sizeof a), money(want, b, sizeof b));
}

/* Were the amounts of the line at ptr read without a problem since `from`? */
static bool amounts_read(const struct problems *p, size_t from, const char *ptr)
{
	static const char *const names[] = {"quantity", "unit_price", "total"};
	for (size_t i = from; i < p->count; i++) {
		for (size_t k = 0; k < 3; k++) {
			char f[PROBLEM_FIELD_MAX];
			json_pointer_to(f, sizeof f, ptr, names[k]);
			if (strcmp(p->errors[i].field, f) == 0)
				return false;
		}
	}
	return p->dropped == 0;
}

/* gnum is given or defaults to the position; it must be unique. */
static void check_gnums(struct vctx *v, const int *gnum, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < i; k++) {
			if (gnum[k] == gnum[i]) {
				char f[64];
				snprintf(f, sizeof f, "/lines/%zu/gnum", i);
				problems_add(v->p, f, "repeats gnum %d of line %zu; each line "
						      "needs its own number", gnum[i], k);
				break;
			}
		}
	}
}

/* ---- one document, by its spec ------------------------------------- */

/* A document: its fields, its goods lines (if any) and its own rules. */
struct doc_spec {
	const char *what;                 /* "order", for a body that is no object */
	const struct field *fields;
	size_t nfields;
	const struct field *line_fields;  /* NULL: the document has no lines */
	size_t nline_fields;
	size_t line_size;
	size_t lines_off, nlines_off;     /* where the lines and their count go */
	size_t gnum_off, qty_off, price_off, total_off; /* in a line */
	bool gnum_default;                /* an absent gnum is the line's position */
	/* rules across fields, run once the fields are read */
	void (*check)(struct vctx *v, const json_t *body, const void *doc,
		      const void *lines, size_t nlines);
	size_t size;                      /* of the document struct */
};

#define AT(base, off, type) ((type *)(void *)((char *)(base) + (off)))

static bool validate_doc(const struct doc_spec *d, const json_t *body,
			 const struct refdata *ref, struct problems *p, void *out)
{
	struct vctx v = {p, ref};
	size_t before = p->count + p->dropped;
	char *lines = NULL;
	size_t n = 0;
	memset(out, 0, d->size);
	if (!json_is_object(body)) {
		problems_add(p, "", "the %s must be a JSON object", d->what);
		return false;
	}
	read_fields(&v, body, "", d->fields, d->nfields, d->line_fields ? "lines" : NULL, out);
	const json_t *a = d->line_fields ? lines_array(&v, body) : NULL;
	n = a ? json_array_size(a) : 0;
	if (n && !(lines = calloc(n, d->line_size))) {
		problems_add(p, "", "the %s could not be processed (out of memory)", d->what);
		return false;
	}
	int gnums[CBEC_MAX_LINES];
	for (size_t i = 0; i < n; i++) {
		char ptr[32];
		char *line = lines + i * d->line_size;
		json_t *it = json_array_get(a, i);
		snprintf(ptr, sizeof ptr, "/lines/%zu", i);
		gnums[i] = -1 - (int)i; /* unique unless read */
		if (!json_is_object(it)) {
			problems_add(p, ptr, "must be an object describing one goods line");
			continue;
		}
		size_t was = p->count;
		read_fields(&v, it, ptr, d->line_fields, d->nline_fields, NULL, line);
		int *gnum = AT(line, d->gnum_off, int);
		if (!*gnum && d->gnum_default)
			*gnum = (int)i + 1;
		if (*gnum)
			gnums[i] = *gnum;
		if (amounts_read(p, was, ptr) && json_object_get(it, "total"))
			check_line_total(&v, ptr, *AT(line, d->qty_off, int64_t),
					 *AT(line, d->price_off, int64_t),
					 *AT(line, d->total_off, int64_t));
	}
	check_gnums(&v, gnums, n);
	if (d->check)
		d->check(&v, body, out, lines, n);
	if (p->count + p->dropped != before) {
		free(lines);
		memset(out, 0, d->size);
		return false;
	}
	if (d->line_fields) {
		*AT(out, d->lines_off, void *) = lines;
		*AT(out, d->nlines_off, size_t) = n;
	}
	return true;
}

/* ---- the order ----------------------------------------------------- */

#define O struct cbec_order
static const struct field order_fields[] = {
	{"platform_code", FK_PARTY, true, 18, STR(O, platform_code)},
	{"platform_name", FK_TEXT, true, 100, STR(O, platform_name)},
	{"enterprise_code", FK_PARTY, true, 18, STR(O, enterprise_code)},
	{"enterprise_name", FK_TEXT, true, 100, STR(O, enterprise_name)},
	{"order_no", FK_ID, true, CBEC_NO_LEN, STR(O, order_no)},
	{"mode", FK_MODE, false, 4, NUM(O, mode)},
	{"customs_office", FK_OFFICE, false, 4, STR(O, customs_office)},
	{"buyer_account", FK_TEXT, false, CBEC_NO_LEN, STR(O, buyer_account)},
	{"buyer_name", FK_TEXT, true, 60, STR(O, buyer_name)},
	{"buyer_id_type", FK_ID_TYPE, false, 1, NONE},
	{"buyer_id_number", FK_RESIDENT_ID, true, 18, STR(O, buyer_id_number)},
	{"buyer_phone", FK_PHONE, true, 30, STR(O, buyer_phone)},
	{"consignee_name", FK_TEXT, true, 100, STR(O, consignee_name)},
	{"consignee_phone", FK_PHONE, true, 50, STR(O, consignee_phone)},
	{"consignee_address", FK_TEXT, true, 200, STR(O, consignee_address)},
	{"consignee_district", FK_DISTRICT, false, 6, STR(O, consignee_district)},
	{"payment_code", FK_PARTY, false, 18, STR(O, payment_code)},
	{"transaction_no", FK_ID, false, CBEC_NO_LEN, STR(O, transaction_no)},
	{"currency", FK_CURRENCY, false, 3, NONE},
	{"goods_value", FK_MONEY, true, 0, NUM(O, goods_value)},
	{"freight", FK_MONEY, true, 0, NUM(O, freight)},
	{"discount", FK_MONEY, true, 0, NUM(O, discount)},
	{"tax_withheld", FK_MONEY, true, 0, NUM(O, tax_withheld)},
	{"actual_paid", FK_MONEY, true, 0, NUM(O, actual_paid)},
};

#define L struct cbec_line
static const struct field line_fields[] = {
	{"gnum", FK_INT, false, CBEC_MAX_LINES, NUM(L, gnum)},
	{"item_no", FK_TEXT, false, 30, STR(L, item_no)},
	{"item_name", FK_TEXT, true, 250, STR(L, item_name)},
	{"specification", FK_TEXT, false, 510, STR(L, specification)},
	{"bar_code", FK_TEXT, false, 50, STR(L, bar_code)},
	{"hs_code", FK_HS, false, 10, STR(L, hs_code)},
	{"unit", FK_UNIT, true, 3, STR(L, unit)},
	{"origin_country", FK_COUNTRY, true, 2, STR(L, origin_country)},
	{"quantity", FK_QTY, true, 0, NUM(L, quantity)},
	{"unit_price", FK_PRICE, true, 0, NUM(L, unit_price)},
	{"total", FK_MONEY, true, 0, NUM(L, total)},
};

/* The goods value is the sum of the line totals. */
static void order_rules(struct vctx *v, const json_t *body, const void *doc,
			const void *lines, size_t n)
{
	const struct cbec_order *o = doc;
	const struct cbec_line *l = lines;
	int64_t sum = 0;
	char a[40], b[40];
	(void)body;
	if (problems_any(v->p))
		return;
	for (size_t i = 0; i < n; i++)
		sum += l[i].total;
	if (sum != o->goods_value)
		problems_add(v->p, "/goods_value", "is %s but the lines' totals add up to %s",
			     money(o->goods_value, a, sizeof a), money(sum, b, sizeof b));
}

static const struct doc_spec order_spec = {
	"order", order_fields, COUNT(order_fields), line_fields, COUNT(line_fields),
	sizeof(L), offsetof(O, lines), offsetof(O, nlines),
	offsetof(L, gnum), offsetof(L, quantity), offsetof(L, unit_price), offsetof(L, total),
	true, order_rules, sizeof(O)};
#undef L
#undef O

bool cbec_order_validate(const json_t *body, const struct refdata *ref,
			 struct problems *p, struct cbec_order *out)
{
	return validate_doc(&order_spec, body, ref, p, out);
}

void cbec_order_free(struct cbec_order *o)
{
	if (!o)
		return;
	free(o->lines);
	o->lines = NULL;
	o->nlines = 0;
}

bool cbec_order_classified(const struct cbec_order *o)
{
	if (o->mode == CBEC_MODE_UNKNOWN || !o->customs_office[0] || !o->nlines)
		return false;
	for (size_t i = 0; i < o->nlines; i++)
		if (!o->lines[i].hs_code[0])
			return false;
	return true;
}

/* ---- the payment and the waybill ------------------------------------ */

#define P struct cbec_payment
static const struct field payment_fields[] = {
	{"payment_code", FK_PARTY, true, 18, STR(P, payment_code)},
	{"payment_name", FK_TEXT, true, 100, STR(P, payment_name)},
	{"transaction_no", FK_ID, true, CBEC_NO_LEN, STR(P, transaction_no)},
	{"platform_code", FK_PARTY, true, 18, STR(P, platform_code)},
	{"platform_name", FK_TEXT, false, 100, STR(P, platform_name)},
	{"order_no", FK_ID, true, CBEC_NO_LEN, STR(P, order_no)},
	{"payer_name", FK_TEXT, true, 60, STR(P, payer_name)},
	{"payer_id_type", FK_ID_TYPE, false, 1, NONE},
	{"payer_id_number", FK_RESIDENT_ID, true, 18, STR(P, payer_id_number)},
	{"payer_phone", FK_PHONE, false, 60, STR(P, payer_phone)},
	{"amount_paid", FK_MONEY_POS, true, 0, NUM(P, amount_paid)},
	{"currency", FK_CURRENCY, false, 3, NONE},
	{"paid_at", FK_TIME, true, 0, NUM(P, paid_at_us)},
};
static const struct doc_spec payment_spec = {
	"payment", payment_fields, COUNT(payment_fields), NULL, 0, 0, 0, 0, 0, 0, 0, 0,
	false, NULL, sizeof(P)};
#undef P

bool cbec_payment_validate(const json_t *body, const struct refdata *ref,
			   struct problems *p, struct cbec_payment *out)
{
	return validate_doc(&payment_spec, body, ref, p, out);
}

#define W struct cbec_waybill
static const struct field waybill_fields[] = {
	{"logistics_code", FK_PARTY, true, 18, STR(W, logistics_code)},
	{"logistics_name", FK_TEXT, true, 100, STR(W, logistics_name)},
	{"waybill_no", FK_ID, true, CBEC_NO_LEN, STR(W, waybill_no)},
	{"bill_no", FK_ID, false, 37, STR(W, bill_no)},
	{"platform_code", FK_PARTY, true, 18, STR(W, platform_code)},
	{"order_no", FK_ID, true, CBEC_NO_LEN, STR(W, order_no)},
	{"consignee_name", FK_TEXT, true, 100, STR(W, consignee_name)},
	{"consignee_phone", FK_PHONE, true, 50, STR(W, consignee_phone)},
	{"consignee_address", FK_TEXT, true, 200, STR(W, consignee_address)},
	{"goods_info", FK_TEXT, false, 200, STR(W, goods_info)},
	{"freight", FK_MONEY, false, 0, NUM(W, freight)},
	{"insured_fee", FK_MONEY, false, 0, NUM(W, insured_fee)},
	{"currency", FK_CURRENCY, false, 3, NONE},
	{"gross_weight", FK_WEIGHT, true, 0, NUM(W, gross_weight)},
	{"packages", FK_INT, true, 99999, NUM(W, packages)},
};
static const struct doc_spec waybill_spec = {
	"waybill", waybill_fields, COUNT(waybill_fields), NULL, 0, 0, 0, 0, 0, 0, 0, 0,
	false, NULL, sizeof(W)};
#undef W

bool cbec_waybill_validate(const json_t *body, const struct refdata *ref,
			   struct problems *p, struct cbec_waybill *out)
{
	return validate_doc(&waybill_spec, body, ref, p, out);
}

/* ---- the inventory ------------------------------------------------- */

#define I struct cbec_inventory
static const struct field inventory_fields[] = {
	{"platform_code", FK_PARTY, true, 18, STR(I, platform_code)},
	{"platform_name", FK_TEXT, false, 100, NONE},
	{"enterprise_code", FK_PARTY, true, 18, STR(I, enterprise_code)},
	{"enterprise_name", FK_TEXT, false, 100, NONE},
	{"order_no", FK_ID, true, CBEC_NO_LEN, STR(I, order_no)},
	{"logistics_code", FK_PARTY, true, 18, STR(I, logistics_code)},
	{"logistics_name", FK_TEXT, false, 100, NONE},
	{"waybill_no", FK_ID, true, CBEC_NO_LEN, STR(I, waybill_no)},
	{"agent_code", FK_PARTY, true, 18, STR(I, agent_code)},
	{"agent_name", FK_TEXT, true, 100, STR(I, agent_name)},
	{"assure_code", FK_ID, true, 30, NONE},
	{"cop_no", FK_ID, true, 20, STR(I, cop_no)},
	{"mode", FK_MODE, true, 4, NUM(I, mode)},
	{"customs_office", FK_OFFICE, true, 4, STR(I, customs_office)},
	{"port_office", FK_OFFICE, true, 4, STR(I, port_office)},
	{"transport_mode", FK_TRANSPORT, true, 1, STR(I, transport_mode)},
	{"bill_no", FK_ID, false, 37, STR(I, bill_no)},
	{"bonded_account", FK_ID, false, 30, STR(I, bonded_account)},
	{"departure_country", FK_COUNTRY, true, 2, STR(I, departure_country)},
	{"buyer_name", FK_TEXT, true, 60, STR(I, buyer_name)},
	{"buyer_id_type", FK_ID_TYPE, false, 1, NONE},
	{"buyer_id_number", FK_RESIDENT_ID, true, 18, STR(I, buyer_id_number)},
	{"buyer_phone", FK_PHONE, true, 30, STR(I, buyer_phone)},
	{"consignee_address", FK_TEXT, true, 200, STR(I, consignee_address)},
	{"currency", FK_CURRENCY, false, 3, NONE},
	{"freight", FK_MONEY, true, 0, NUM(I, freight)},
	{"insured_fee", FK_MONEY, true, 0, NUM(I, insured_fee)},
	{"packages", FK_INT, true, 99999, NUM(I, packages)},
	{"gross_weight", FK_WEIGHT, true, 0, NUM(I, gross_weight)},
	{"net_weight", FK_WEIGHT, true, 0, NUM(I, net_weight)},
};

#define IL struct cbec_inventory_line
static const struct field inventory_line_fields[] = {
	{"gnum", FK_INT, true, CBEC_MAX_LINES, NUM(IL, gnum)},
	{"item_no", FK_TEXT, false, 30, STR(IL, item_no)},
	{"hs_code", FK_HS, true, 10, STR(IL, hs_code)},
	{"goods_name", FK_TEXT, true, 250, STR(IL, goods_name)},
	{"origin_country", FK_COUNTRY, true, 2, STR(IL, origin_country)},
	{"quantity", FK_QTY, true, 0, NUM(IL, quantity)},
	{"unit", FK_UNIT, true, 3, STR(IL, unit)},
	{"legal_quantity", FK_QTY, true, 0, NUM(IL, legal_quantity)},
	{"legal_unit", FK_UNIT, true, 3, STR(IL, legal_unit)},
	{"unit_price", FK_PRICE, true, 0, NUM(IL, unit_price)},
	{"total", FK_MONEY, true, 0, NUM(IL, total)},
};

/* What each mode needs, and weights that make sense. */
static void inventory_rules(struct vctx *v, const json_t *body, const void *doc,
			    const void *lines, size_t n)
{
	const struct cbec_inventory *inv = doc;
	(void)lines;
	(void)n;
	if (inv->mode == CBEC_MODE_DIRECT && !json_object_get(body, "bill_no"))
		problems_add(v->p, "/bill_no", "is required for direct purchase (9610): the "
					       "master bill the parcel travels under");
	if (inv->mode == CBEC_MODE_BONDED && !json_object_get(body, "bonded_account"))
		problems_add(v->p, "/bonded_account",
			     "is required for bonded imports (1210): the warehouse's "
			     "bonded account (emsNo) the goods are written off");
	if (inv->net_weight > inv->gross_weight && inv->gross_weight > 0)
		problems_add(v->p, "/net_weight", "must not be more than gross_weight");
}

static const struct doc_spec inventory_spec = {
	"inventory", inventory_fields, COUNT(inventory_fields), inventory_line_fields,
	COUNT(inventory_line_fields), sizeof(IL), offsetof(I, lines), offsetof(I, nlines),
	offsetof(IL, gnum), offsetof(IL, quantity), offsetof(IL, unit_price), offsetof(IL, total),
	false, inventory_rules, sizeof(I)};
#undef IL
#undef I

bool cbec_inventory_validate(const json_t *body, const struct refdata *ref,
			     struct problems *p, struct cbec_inventory *out)
{
	return validate_doc(&inventory_spec, body, ref, p, out);
}

void cbec_inventory_free(struct cbec_inventory *inv)
{
	if (!inv)
		return;
	free(inv->lines);
	inv->lines = NULL;
	inv->nlines = 0;
}

/* ---- classification by an inventory -------------------------------- */

static void differ(struct problems *p, const char *field, const char *what,
		   const char *found, const char *want)
{
	problems_add(p, field, "is '%.200s' but the order says %s '%.200s'", found, what, want);
}

bool cbec_order_classify(struct cbec_order *o, const struct cbec_inventory *inv,
			 struct problems *p)
{
	size_t before = p->count + p->dropped;
	if (strcmp(inv->platform_code, o->platform_code))
		differ(p, "/platform_code", "platform", inv->platform_code, o->platform_code);
	if (strcmp(inv->order_no, o->order_no))
		differ(p, "/order_no", "order number", inv->order_no, o->order_no);
	if (strcmp(inv->enterprise_code, o->enterprise_code))
		differ(p, "/enterprise_code", "e-commerce enterprise", inv->enterprise_code,
		       o->enterprise_code);
	if (strcmp(inv->buyer_name, o->buyer_name))
		differ(p, "/buyer_name", "buyer", inv->buyer_name, o->buyer_name);
	if (strcmp(inv->buyer_id_number, o->buyer_id_number))
		differ(p, "/buyer_id_number", "buyer ID", inv->buyer_id_number,
		       o->buyer_id_number);
	if (o->mode != CBEC_MODE_UNKNOWN && o->mode != inv->mode)
		differ(p, "/mode", "mode", cbec_mode_code(inv->mode), cbec_mode_code(o->mode));
	if (o->customs_office[0] && strcmp(o->customs_office, inv->customs_office))
		differ(p, "/customs_office", "customs office", inv->customs_office,
		       o->customs_office);

	size_t match[CBEC_MAX_LINES]; /* order line of each inventory line */
	bool seen[CBEC_MAX_LINES] = {false};
	for (size_t i = 0; i < inv->nlines && i < CBEC_MAX_LINES; i++) {
		const struct cbec_inventory_line *il = &inv->lines[i];
		char f[64];
		match[i] = SIZE_MAX;
		for (size_t k = 0; k < o->nlines; k++)
			if (o->lines[k].gnum == il->gnum)
				match[i] = k;
		if (match[i] == SIZE_MAX) {
			snprintf(f, sizeof f, "/lines/%zu/gnum", i);
			problems_add(p, f, "names line %d, which the order does not have", il->gnum);
			continue;
		}
		const struct cbec_line *ol = &o->lines[match[i]];
		seen[match[i]] = true;
		char a[40], b[40];
		if (il->quantity != ol->quantity) {
			snprintf(f, sizeof f, "/lines/%zu/quantity", i);
			decimal_format(il->quantity, CBEC_SCALE_QUANTITY, a, sizeof a);
			decimal_format(ol->quantity, CBEC_SCALE_QUANTITY, b, sizeof b);
			differ(p, f, "quantity", a, b);
		}
		if (il->total != ol->total) {
			snprintf(f, sizeof f, "/lines/%zu/total", i);
			differ(p, f, "total", money(il->total, a, sizeof a),
			       money(ol->total, b, sizeof b));
		}
		if (strcmp(il->unit, ol->unit)) {
			snprintf(f, sizeof f, "/lines/%zu/unit", i);
			differ(p, f, "unit", il->unit, ol->unit);
		}
		if (ol->hs_code[0] && strcmp(ol->hs_code, il->hs_code)) {
			snprintf(f, sizeof f, "/lines/%zu/hs_code", i);
			differ(p, f, "commodity code", il->hs_code, ol->hs_code);
		}
	}
	for (size_t k = 0; k < o->nlines; k++)
		if (!seen[k])
			problems_add(p, "/lines",
				     "has no entry for the order's line %d; every line of "
				     "the order must be declared",
				     o->lines[k].gnum);
	if (p->count + p->dropped != before)
		return false;
	for (size_t i = 0; i < inv->nlines; i++)
		str_copy(o->lines[match[i]].hs_code, inv->lines[i].hs_code,
			 sizeof o->lines[0].hs_code);
	o->mode = inv->mode;
	str_copy(o->customs_office, inv->customs_office, sizeof o->customs_office);
	return true;
}

/* ---- the positive list and the agencies ---------------------------- */

const struct ref_entry *cbec_goods_find(const struct refdata *ref, const char *hs_code)
{
	char line8[9];
	if (!ref || !hs_code || codes_check_hs(hs_code) != CODES_OK)
		return NULL;
	memcpy(line8, hs_code, 8);
	line8[8] = '\0';
	return refdata_find(ref, "cbec_goods", line8);
}

/* Does the entry's "modes" list (absent: every mode) name this mode? */
static bool goods_open_to(const struct ref_entry *e, enum cbec_mode m)
{
	json_t *modes = json_object_get(e->data, "modes");
	if (!json_is_array(modes) || m == CBEC_MODE_UNKNOWN)
		return true;
	size_t i;
	json_t *x;
	json_array_foreach(modes, i, x)
	{
		if (json_is_string(x) && strcmp(json_string_value(x), cbec_mode_code(m)) == 0)
			return true;
	}
	return false;
}

bool cbec_goods_check(const struct refdata *ref, const struct cbec_order *o,
		      struct problems *p)
{
	bool ok = true;
	for (size_t i = 0; i < o->nlines; i++) {
		const char *hs = o->lines[i].hs_code;
		char f[64];
		if (!hs[0])
			continue;
		snprintf(f, sizeof f, "/lines/%zu/hs_code", i);
		const struct ref_entry *e = cbec_goods_find(ref, hs);
		if (!e) {
			problems_add(p, f,
				     "'%s' (tariff line %.8s) is not on the cross-border "
				     "e-commerce retail import list (see GET "
				     "/v1/reference/cbec_goods); such goods come in as "
				     "general trade",
				     hs, hs);
			ok = false;
		} else if (!goods_open_to(e, o->mode)) {
			problems_add(p, f,
				     "tariff line %.8s is on the retail import list but not "
				     "for mode %s (see its \"modes\" in GET "
				     "/v1/reference/cbec_goods)",
				     hs, cbec_mode_code(o->mode));
			ok = false;
		}
	}
	return ok;
}

agency_set cbec_agencies(const struct refdata *ref, const struct cbec_order *o)
{
	agency_set set = 0;
	int customs = refdata_agency_index(ref, "customs");
	if (customs >= 0)
		set |= 1u << customs;
	for (size_t i = 0; i < o->nlines; i++) {
		const struct ref_entry *c =
			refdata_find(ref, "commodities", o->lines[i].hs_code);
		if (c)
			set |= c->agencies;
	}
	return set;
}
