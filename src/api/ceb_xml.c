/*
 * ceb_xml.c - CEB messages in and receipts out (see ceb_xml.h).
 *
 * The way in: a size check; libxml2 parses with no network, no entity
 * substitution and no DTD loading, and a SAX hook stops it at any DOCTYPE
 * before an entity can be declared; the root must be one of the four
 * messages; the schema validates the tree; then each document's elements
 * are copied, by one table per message, into the JSON shape the domain
 * validates. Problems from the domain come back as JSON pointers and are
 * turned into element paths and lines here. Errors are collected per call
 * (never printed): libxml2's global error handlers are not used.
 */
#include "api/ceb_xml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/embedded.h"

#define SCHEMA_PATH "data/ceb/ceb_import.xsd"
#define MAX_XML_ERRORS 20

struct ceb_codec {
	xmlSchemaPtr schema;
};

const char *ceb_type_root(enum ceb_type t, bool receipt)
{
	switch (t) {
	case CEB_ORDER:
		return receipt ? "CEB312Message" : "CEB311Message";
	case CEB_PAYMENT:
		return receipt ? "CEB412Message" : "CEB411Message";
	case CEB_WAYBILL:
		return receipt ? "CEB512Message" : "CEB511Message";
	case CEB_INVENTORY:
		return receipt ? "CEB622Message" : "CEB621Message";
	}
	return "?";
}

kerr ceb_codec_new(struct ceb_codec **out)
{
	kerr e = KERR_INTERNAL;
	xmlSchemaParserCtxtPtr pc = NULL;
	struct ceb_codec *c = NULL;
	*out = NULL;
	xmlInitParser();
	const struct embedded_file *f = embedded_find(SCHEMA_PATH);
	if (!f)
		goto out;
	c = calloc(1, sizeof *c);
	if (!c) {
		e = KERR_NOMEM;
		goto out;
	}
	pc = xmlSchemaNewMemParserCtxt(f->data, (int)f->size);
	if (!pc)
		goto out;
	xmlSchemaSetParserStructuredErrors(pc, NULL, NULL);
	c->schema = xmlSchemaParse(pc);
	if (!c->schema)
		goto out;
	*out = c;
	c = NULL;
	e = KERR_OK;
out:
	if (pc)
		xmlSchemaFreeParserCtxt(pc);
	free(c);
	return e;
}

void ceb_codec_free(struct ceb_codec *c)
{
	if (!c)
		return;
	xmlSchemaFree(c->schema);
	free(c);
}

/* ---- element paths and error texts ---------------------------------- */

static bool repeatable(const xmlChar *name)
{
	static const char *const names[] = {"Order", "OrderList", "Payment", "Logistics",
					    "Inventory", "InventoryList", "BaseSubscribe",
					    "OrderReturn", "PaymentReturn", "LogisticsReturn",
					    "InventoryReturn", NULL};
	for (size_t i = 0; names[i]; i++)
		if (xmlStrEqual(name, (const xmlChar *)names[i]))
			return true;
	return false;
}

/* "/CEB311Message/Order[2]/OrderHead/orderNo" (no prefixes; repeatable
 * elements always carry their position). */
static void node_path(const xmlNode *n, char *out, size_t size)
{
	const xmlNode *chain[32];
	size_t depth = 0;
	for (; n && n->type == XML_ELEMENT_NODE && depth < 32; n = n->parent)
		chain[depth++] = n;
	size_t len = 0;
	out[0] = '\0';
	while (depth-- > 0 && len + 1 < size) {
		const xmlNode *e = chain[depth];
		int written;
		if (repeatable(e->name)) {
			int pos = 1;
			for (const xmlNode *s = e->prev; s; s = s->prev)
				if (s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name, e->name))
					pos++;
			written = snprintf(out + len, size - len, "/%s[%d]", (const char *)e->name, pos);
		} else {
			written = snprintf(out + len, size - len, "/%s", (const char *)e->name);
		}
		if (written < 0)
			break;
		len += (size_t)written;
		if (len >= size)
			len = size - 1;
	}
}

/* libxml2's message, without the namespace in braces or the final newline. */
static void clean_message(const char *msg, char *out, size_t size)
{
	static const char ns[] = "{" CEB_NAMESPACE "}";
	size_t k = 0;
	for (const char *s = msg ? msg : "not valid"; *s && k + 1 < size;) {
		if (strncmp(s, ns, sizeof ns - 1) == 0) {
			s += sizeof ns - 1;
			continue;
		}
		out[k++] = *s == '\n' ? ' ' : *s;
		s++;
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

struct err_state {
	struct problems *p;
	int count;
	bool doctype;
};

static void add_xml_error(struct err_state *st, const xmlError *err)
{
	char field[PROBLEM_FIELD_MAX] = "xml:", text[PROBLEM_TEXT_MAX];
	if (st->count++ >= MAX_XML_ERRORS)
		return;
	if (st->doctype && err->domain == XML_FROM_PARSER)
		return; /* the stop at the DOCTYPE was already explained */
	clean_message(err->message, text, sizeof text);
	const xmlNode *node = err->node;
	if (node && node->type == XML_ELEMENT_NODE) {
		node_path(node, field + 4, sizeof field - 4);
		problems_add(st->p, field, "line %ld: %s", xmlGetLineNo(node), text);
	} else if (err->int2 > 0) {
		problems_add(st->p, field, "line %d, column %d: %s", err->line, err->int2, text);
	} else {
		problems_add(st->p, field, "line %d: %s", err->line, text);
	}
}

static void on_parse_error(void *user, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = user;
	add_xml_error(ctxt->_private, err);
}

static void on_schema_error(void *user, xmlErrorPtr err)
{
	add_xml_error(user, err);
}

/* A DOCTYPE is where entities (and so XML bombs and external entities)
 * would be declared: stop before its internal subset is read. */
static void on_doctype(void *user, const xmlChar *name, const xmlChar *ext_id,
		       const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = user;
	struct err_state *st = ctxt->_private;
	(void)name;
	(void)ext_id;
	(void)sys_id;
	if (!st->doctype) {
		st->doctype = true;
		problems_add(st->p, "xml:",
			     "line %d: a DOCTYPE declaration is not accepted: CEB messages "
			     "use no DTD, and entity declarations (how XML bombs and "
			     "external entities work) are refused",
			     xmlSAX2GetLineNumber(ctxt));
	}
	xmlStopParser(ctxt);
}

/* Parse safely and validate against the schema. On failure *p explains. */
static kerr load(const struct ceb_codec *c, const char *xml, size_t len, size_t max,
		 struct problems *p, xmlDocPtr *out)
{
	kerr e = KERR_INVALID;
	xmlParserCtxtPtr ctxt = NULL;
	xmlSchemaValidCtxtPtr vc = NULL;
	xmlDocPtr doc = NULL;
	struct err_state st = {p, 0, false};
	*out = NULL;
	if (len > max || len > INT32_MAX) {
		problems_add(p, "", "the message is %zu bytes; at most %zu are accepted", len, max);
		return KERR_TOO_LARGE;
	}
	if (len == 0) {
		problems_add(p, "xml:", "line 1: the message is empty; a CEB message is expected");
		return KERR_INVALID;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		e = KERR_NOMEM;
		goto out;
	}
	ctxt->_private = &st;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->serror = on_parse_error;
	ctxt->vctxt.error = NULL;
	ctxt->vctxt.warning = NULL;
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "message.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING);
	if (st.doctype || !doc || !ctxt->wellFormed) {
		if (!problems_any(p))
			problems_add(p, "xml:", "line 1: the message is not well-formed XML");
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		problems_add(p, "xml:", "a DOCTYPE declaration is not accepted");
		goto out;
	}
	vc = xmlSchemaNewValidCtxt(c->schema);
	if (!vc) {
		e = KERR_NOMEM;
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vc, on_schema_error, &st);
	if (xmlSchemaValidateDoc(vc, doc) != 0) {
		if (!problems_any(p))
			problems_add(p, "xml:", "line 1: the message does not follow the schema");
		goto out;
	}
	*out = doc;
	doc = NULL;
	e = KERR_OK;
out:
	if (vc)
		xmlSchemaFreeValidCtxt(vc);
	if (doc)
		xmlFreeDoc(doc);
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	return e;
}

kerr ceb_validate(const struct ceb_codec *c, const char *xml, size_t len, struct problems *p)
{
	xmlDocPtr doc;
	kerr e = load(c, xml, len, CEB_MAX_BYTES, p, &doc);
	if (doc)
		xmlFreeDoc(doc);
	return e;
}

/* ---- from elements to kouan's JSON shape ----------------------------- */

enum xkind {
	X_TEXT,      /* copied as a string (an empty element counts as absent) */
	X_DECIMAL,   /* xs:decimal to the strict decimal string the domain reads */
	X_INT,       /* xs:int to a JSON integer */
	X_STAMP,     /* YYYYMMDDhhmmss Beijing time to RFC 3339 */
	X_COUNTRY,   /* customs country code to ISO 3166-1 alpha-2 */
	X_CURRENCY,  /* must be 142 (yuan); not copied */
	X_GUID,      /* kept in the item */
	X_APP_TYPE,  /* kept in the item */
	X_APP_STATUS,/* must be 2 (declared); not copied */
	X_SKIP,      /* checked by the schema, not kept */
};

struct xfield {
	const char *xml;
	const char *json;
	enum xkind kind;
};

static const struct xfield order_head[] = {
	{"guid", NULL, X_GUID},
	{"appType", NULL, X_APP_TYPE},
	{"appTime", NULL, X_SKIP},
	{"appStatus", NULL, X_APP_STATUS},
	{"orderType", NULL, X_SKIP},
	{"orderNo", "order_no", X_TEXT},
	{"ebpCode", "platform_code", X_TEXT},
	{"ebpName", "platform_name", X_TEXT},
	{"ebcCode", "enterprise_code", X_TEXT},
	{"ebcName", "enterprise_name", X_TEXT},
	{"goodsValue", "goods_value", X_DECIMAL},
	{"freight", "freight", X_DECIMAL},
	{"discount", "discount", X_DECIMAL},
	{"taxTotal", "tax_withheld", X_DECIMAL},
	{"acturalPaid", "actual_paid", X_DECIMAL},
	{"currency", NULL, X_CURRENCY},
	{"buyerRegNo", "buyer_account", X_TEXT},
	{"buyerName", "buyer_name", X_TEXT},
	{"buyerTelephone", "buyer_phone", X_TEXT},
	{"buyerIdType", "buyer_id_type", X_TEXT},
	{"buyerIdNumber", "buyer_id_number", X_TEXT},
	{"payCode", "payment_code", X_TEXT},
	{"payName", NULL, X_SKIP},
	{"payTransactionId", "transaction_no", X_TEXT},
	{"batchNumbers", NULL, X_SKIP},
	{"consignee", "consignee_name", X_TEXT},
	{"consigneeTelephone", "consignee_phone", X_TEXT},
	{"consigneeAddress", "consignee_address", X_TEXT},
	{"consigneeDistrict", "consignee_district", X_TEXT},
	{"note", NULL, X_SKIP},
	{NULL, NULL, X_SKIP},
};

static const struct xfield order_line[] = {
	{"gnum", "gnum", X_INT},
	{"itemNo", "item_no", X_TEXT},
	{"itemName", "item_name", X_TEXT},
	{"gmodel", "specification", X_TEXT},
	{"itemDescribe", NULL, X_SKIP},
	{"barCode", "bar_code", X_TEXT},
	{"unit", "unit", X_TEXT},
	{"qty", "quantity", X_DECIMAL},
	{"price", "unit_price", X_DECIMAL},
	{"totalPrice", "total", X_DECIMAL},
	{"currency", NULL, X_CURRENCY},
	{"country", "origin_country", X_COUNTRY},
	{"note", NULL, X_SKIP},
	{NULL, NULL, X_SKIP},
};

static const struct xfield payment_head[] = {
	{"guid", NULL, X_GUID},
	{"appType", NULL, X_APP_TYPE},
	{"appTime", NULL, X_SKIP},
	{"appStatus", NULL, X_APP_STATUS},
	{"payCode", "payment_code", X_TEXT},
	{"payName", "payment_name", X_TEXT},
	{"payTransactionId", "transaction_no", X_TEXT},
	{"orderNo", "order_no", X_TEXT},
	{"ebpCode", "platform_code", X_TEXT},
	{"ebpName", "platform_name", X_TEXT},
	{"payerIdType", "payer_id_type", X_TEXT},
	{"payerIdNumber", "payer_id_number", X_TEXT},
	{"payerName", "payer_name", X_TEXT},
	{"telephone", "payer_phone", X_TEXT},
	{"amountPaid", "amount_paid", X_DECIMAL},
	{"currency", NULL, X_CURRENCY},
	{"payTime", "paid_at", X_STAMP},
	{"note", NULL, X_SKIP},
	{NULL, NULL, X_SKIP},
};

static const struct xfield waybill_head[] = {
	{"guid", NULL, X_GUID},
	{"appType", NULL, X_APP_TYPE},
	{"appTime", NULL, X_SKIP},
	{"appStatus", NULL, X_APP_STATUS},
	{"logisticsCode", "logistics_code", X_TEXT},
	{"logisticsName", "logistics_name", X_TEXT},
	{"logisticsNo", "waybill_no", X_TEXT},
	{"billNo", "bill_no", X_TEXT},
	{"orderNo", "order_no", X_TEXT},
	{"freight", "freight", X_DECIMAL},
	{"insuredFee", "insured_fee", X_DECIMAL},
	{"currency", NULL, X_CURRENCY},
	{"weight", "gross_weight", X_DECIMAL},
	{"packNo", "packages", X_INT},
	{"goodsInfo", "goods_info", X_TEXT},
	{"consignee", "consignee_name", X_TEXT},
	{"consigneeAddress", "consignee_address", X_TEXT},
	{"consigneeTelephone", "consignee_phone", X_TEXT},
	{"note", NULL, X_SKIP},
	{NULL, NULL, X_SKIP},
};

static const struct xfield inventory_head[] = {
	{"guid", NULL, X_GUID},
	{"appType", NULL, X_APP_TYPE},
	{"appTime", NULL, X_SKIP},
	{"appStatus", NULL, X_APP_STATUS},
	{"orderNo", "order_no", X_TEXT},
	{"ebpCode", "platform_code", X_TEXT},
	{"ebpName", "platform_name", X_TEXT},
	{"ebcCode", "enterprise_code", X_TEXT},
	{"ebcName", "enterprise_name", X_TEXT},
	{"logisticsNo", "waybill_no", X_TEXT},
	{"logisticsCode", "logistics_code", X_TEXT},
	{"logisticsName", "logistics_name", X_TEXT},
	{"copNo", "cop_no", X_TEXT},
	{"preNo", NULL, X_SKIP},
	{"assureCode", "assure_code", X_TEXT},
	{"emsNo", "bonded_account", X_TEXT},
	{"invtNo", NULL, X_SKIP},
	{"ieFlag", NULL, X_SKIP},
	{"declTime", NULL, X_SKIP},
	{"customsCode", "customs_office", X_TEXT},
	{"portCode", "port_office", X_TEXT},
	{"ieDate", NULL, X_SKIP},
	{"buyerIdType", "buyer_id_type", X_TEXT},
	{"buyerIdNumber", "buyer_id_number", X_TEXT},
	{"buyerName", "buyer_name", X_TEXT},
	{"buyerTelephone", "buyer_phone", X_TEXT},
	{"consigneeAddress", "consignee_address", X_TEXT},
	{"agentCode", "agent_code", X_TEXT},
	{"agentName", "agent_name", X_TEXT},
	{"areaCode", NULL, X_SKIP},
	{"areaName", NULL, X_SKIP},
	{"tradeMode", "mode", X_TEXT},
	{"trafMode", "transport_mode", X_TEXT},
	{"trafNo", NULL, X_SKIP},
	{"voyageNo", NULL, X_SKIP},
	{"billNo", "bill_no", X_TEXT},
	{"loctNo", NULL, X_SKIP},
	{"licenseNo", NULL, X_SKIP},
	{"country", "departure_country", X_COUNTRY},
	{"freight", "freight", X_DECIMAL},
	{"insuredFee", "insured_fee", X_DECIMAL},
	{"currency", NULL, X_CURRENCY},
	{"wrapType", NULL, X_SKIP},
	{"packNo", "packages", X_INT},
	{"grossWeight", "gross_weight", X_DECIMAL},
	{"netWeight", "net_weight", X_DECIMAL},
	{"note", NULL, X_SKIP},
	{NULL, NULL, X_SKIP},
};

static const struct xfield inventory_line[] = {
	{"gnum", "gnum", X_INT},
	{"itemRecordNo", NULL, X_SKIP},
	{"itemNo", "item_no", X_TEXT},
	{"itemName", NULL, X_SKIP},
	{"gcode", "hs_code", X_TEXT},
	{"gname", "goods_name", X_TEXT},
	{"gmodel", NULL, X_SKIP},
	{"barCode", NULL, X_SKIP},
	{"country", "origin_country", X_COUNTRY},
	{"tradeCountry", NULL, X_SKIP},
	{"currency", NULL, X_CURRENCY},
	{"qty", "quantity", X_DECIMAL},
	{"unit", "unit", X_TEXT},
	{"qty1", "legal_quantity", X_DECIMAL},
	{"unit1", "legal_unit", X_TEXT},
	{"qty2", NULL, X_SKIP},
	{"unit2", NULL, X_SKIP},
	{"price", "unit_price", X_DECIMAL},
	{"totalPrice", "total", X_DECIMAL},
	{"note", NULL, X_SKIP},
	{NULL, NULL, X_SKIP},
};

/* Customs (JGS-20) country codes of the usual origins and their ISO 3166-1
 * alpha-2 codes. A code not here is reported, never guessed. */
static const struct {
	const char customs[4];
	const char iso[3];
} countries[] = {
	{"110", "HK"}, {"111", "IN"}, {"112", "ID"}, {"115", "IL"}, {"116", "JP"},
	{"121", "MO"}, {"122", "MY"}, {"129", "PH"}, {"132", "SG"}, {"133", "KR"},
	{"136", "TH"}, {"137", "TR"}, {"138", "AE"}, {"141", "VN"}, {"142", "CN"},
	{"143", "TW"}, {"301", "BE"}, {"302", "DK"}, {"303", "GB"}, {"304", "DE"},
	{"305", "FR"}, {"306", "IE"}, {"307", "IT"}, {"308", "LU"}, {"309", "NL"},
	{"310", "GR"}, {"311", "PT"}, {"312", "ES"}, {"315", "AT"}, {"318", "FI"},
	{"326", "NO"}, {"327", "PL"}, {"330", "SE"}, {"331", "CH"}, {"344", "RU"},
	{"501", "CA"}, {"502", "US"}, {"601", "AU"}, {"609", "NZ"},
};

static const char *country_iso(const char *customs)
{
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
		if (strcmp(countries[i].customs, customs) == 0)
			return countries[i].iso;
	return NULL;
}

/* The element's text, trimmed of XML whitespace, into buf; false if it
 * does not fit (the schema keeps every field well under the buffer). */
static bool element_text(const xmlNode *n, char *buf, size_t size)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = t ? (const char *)t : "";
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
		       s[len - 1] == '\r'))
		len--;
	bool ok = len < size;
	if (ok) {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	xmlFree(t);
	return ok;
}

/* An xs:decimal ("+007.50", "5.", ".5", "19.90000") in the strict form the
 * domain reads ("7.5", "5", "0.5", "19.9"): no sign, no needless zeros. */
static void plain_decimal(const char *s, char *out, size_t size)
{
	const char *p = s;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	while (*p == '0' && p[1] >= '0' && p[1] <= '9')
		p++;
	const char *dot = strchr(p, '.');
	size_t intlen = dot ? (size_t)(dot - p) : strlen(p);
	size_t fraclen = dot ? strlen(dot + 1) : 0;
	while (fraclen && dot[fraclen] == '0')
		fraclen--;
	snprintf(out, size, "%s%.*s%s%.*s", neg ? "-" : "", (int)(intlen ? intlen : 1),
		 intlen ? p : "0", fraclen ? "." : "", (int)fraclen, dot ? dot + 1 : "");
}

struct mapping {
	struct ceb_item *item;
	struct problems *p;
	const struct ceb_parse_options *opt;
};

static void element_problem(struct mapping *m, const xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void element_problem(struct mapping *m, const xmlNode *n, const char *fmt, ...)
{
	char field[PROBLEM_FIELD_MAX] = "xml:", text[PROBLEM_TEXT_MAX];
	va_list ap;
	node_path(n, field + 4, sizeof field - 4);
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	problems_add(m->p, field, "line %ld: %s", xmlGetLineNo(n), text);
}

/* Copy the children of `parent` named in the table into obj. */
static void map_fields(struct mapping *m, const xmlNode *parent, const struct xfield *t,
		       json_t *obj)
{
	for (const xmlNode *n = parent->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const struct xfield *f = t;
		while (f->xml && !xmlStrEqual(n->name, (const xmlChar *)f->xml))
			f++;
		char v[CBEC_TEXT(1000)], norm[64], stamp[32];
		if (!f->xml || f->kind == X_SKIP || !element_text(n, v, sizeof v) || !v[0])
			continue;
		switch (f->kind) {
		case X_TEXT:
			json_object_set_new(obj, f->json, json_string(v));
			break;
		case X_DECIMAL:
			plain_decimal(v, norm, sizeof norm);
			json_object_set_new(obj, f->json, json_string(norm));
			break;
		case X_INT:
			json_object_set_new(obj, f->json, json_integer(strtol(v, NULL, 10)));
			break;
		case X_STAMP: {
			int64_t us;
			snprintf(stamp, sizeof stamp, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s+08:00", v, v + 4,
				 v + 6, v + 8, v + 10, v + 12);
			if (strlen(v) != 14 || !ktime_parse(stamp, &us))
				element_problem(m, n, "'%s' is not a valid date and time "
						      "(YYYYMMDDhhmmss, Beijing time)", v);
			else
				json_object_set_new(obj, f->json, json_string(stamp));
			break;
		}
		case X_COUNTRY: {
			const char *iso = country_iso(v);
			if (!iso)
				element_problem(m, n, "'%s' is not a customs country code kouan maps "
						      "to ISO 3166 (it knows the usual origins: "
						      "116 Japan, 133 Korea, 502 United States, ...)", v);
			else
				json_object_set_new(obj, f->json, json_string(iso));
			break;
		}
		case X_CURRENCY:
			if (strcmp(v, "142"))
				element_problem(m, n, "is '%s'; retail imports are priced in yuan, "
						      "currency code 142", v);
			break;
		case X_GUID:
			str_copy(m->item->guid, v, sizeof m->item->guid);
			break;
		case X_APP_TYPE:
			m->item->app_type = (int)strtol(v, NULL, 10);
			break;
		case X_APP_STATUS:
			if (strcmp(v, "2"))
				element_problem(m, n, "is '%s' (a draft); kouan keeps no drafts: "
						      "send the document with appStatus 2 when it "
						      "is declared", v);
			break;
		case X_SKIP:
			break;
		}
	}
}

static const xmlNode *first_element(const xmlNode *n)
{
	for (n = n ? n->children : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	return n;
}

static const xmlNode *next_element(const xmlNode *n)
{
	for (n = n->next; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	return n;
}

static const xmlNode *child_named(const xmlNode *parent, const char *name, size_t nth)
{
	for (const xmlNode *n = first_element(parent); n; n = next_element(n))
		if (xmlStrEqual(n->name, (const xmlChar *)name) && nth-- == 0)
			return n;
	return NULL;
}

/* The element a JSON pointer of the document names, and its line. */
static const xmlNode *pointer_node(const xmlNode *doc, const char *line_name,
				   const struct xfield *head_t, const struct xfield *line_t,
				   const char *ptr)
{
	const xmlNode *head = first_element(doc), *base = head;
	const struct xfield *t = head_t;
	char name[64];
	if (strncmp(ptr, "/lines", 6) == 0) {
		char *end;
		if (ptr[6] != '/')
			return line_name ? child_named(doc, line_name, 0) : head;
		size_t k = (size_t)strtoul(ptr + 7, &end, 10);
		base = line_name ? child_named(doc, line_name, k) : NULL;
		if (!base)
			return head;
		if (*end != '/')
			return base;
		ptr = end;
		t = line_t;
	}
	if (*ptr != '/')
		return base;
	str_copy(name, ptr + 1, sizeof name);
	for (; t && t->xml; t++) {
		if (t->json && strcmp(t->json, name) == 0) {
			const xmlNode *n = child_named(base, t->xml, 0);
			return n ? n : base;
		}
	}
	return base;
}

/* Domain problems from p->errors[from] on are JSON pointers: name the
 * element instead, and its line. One the codec already reported for the
 * same element (a country it could not map, say) is dropped. */
static void point_to_elements(struct problems *p, size_t from, const xmlNode *doc,
			      const char *line_name, const struct xfield *head_t,
			      const struct xfield *line_t)
{
	size_t kept = from;
	for (size_t i = from; i < p->count; i++) {
		struct field_error fe = p->errors[i];
		const xmlNode *n = pointer_node(doc, line_name, head_t, line_t, fe.field);
		char field[PROBLEM_FIELD_MAX] = "xml:";
		node_path(n, field + 4, sizeof field - 4);
		bool repeated = false;
		for (size_t k = 0; k < from && !repeated; k++)
			repeated = strcmp(p->errors[k].field, field) == 0;
		if (repeated)
			continue;
		struct field_error *to = &p->errors[kept++];
		str_copy(to->field, field, sizeof to->field);
		int k = snprintf(to->problem, sizeof to->problem, "line %ld: ", xmlGetLineNo(n));
		if (k > 0 && (size_t)k < sizeof to->problem)
			str_copy(to->problem + k, fe.problem, sizeof to->problem - (size_t)k);
	}
	p->count = kept;
}

static kerr map_item(struct mapping *m, enum ceb_type type, const xmlNode *docnode)
{
	struct ceb_item *it = m->item;
	const xmlNode *head = first_element(docnode);
	const struct xfield *head_t, *line_t = NULL;
	const char *line_name = NULL;
	switch (type) {
	case CEB_ORDER:
		head_t = order_head;
		line_t = order_line;
		line_name = "OrderList";
		break;
	case CEB_PAYMENT:
		head_t = payment_head;
		break;
	case CEB_WAYBILL:
		head_t = waybill_head;
		break;
	case CEB_INVENTORY:
	default:
		head_t = inventory_head;
		line_t = inventory_line;
		line_name = "InventoryList";
		break;
	}
	it->line = head ? xmlGetLineNo(head) : 0;
	it->json = json_object();
	it->problems = malloc(sizeof *it->problems);
	if (!it->json || !it->problems)
		return KERR_NOMEM;
	problems_init(it->problems);
	m->p = it->problems;
	if (head)
		map_fields(m, head, head_t, it->json);
	if (line_name) {
		json_t *lines = json_array();
		if (!lines)
			return KERR_NOMEM;
		for (const xmlNode *n = next_element(head); n; n = next_element(n)) {
			json_t *line = json_object();
			if (!line) {
				json_decref(lines);
				return KERR_NOMEM;
			}
			map_fields(m, n, line_t, line);
			json_array_append_new(lines, line);
		}
		json_object_set_new(it->json, "lines", lines);
	}
	if (type == CEB_WAYBILL && m->opt->platform_code)
		json_object_set_new(it->json, "platform_code", json_string(m->opt->platform_code));

	size_t from = it->problems->count;
	const struct refdata *ref = m->opt->ref;
	switch (type) {
	case CEB_ORDER:
		it->ok = cbec_order_validate(it->json, ref, it->problems, &it->doc.order);
		break;
	case CEB_PAYMENT:
		it->ok = cbec_payment_validate(it->json, ref, it->problems, &it->doc.payment);
		break;
	case CEB_WAYBILL:
		it->ok = cbec_waybill_validate(it->json, ref, it->problems, &it->doc.waybill);
		break;
	case CEB_INVENTORY:
		it->ok = cbec_inventory_validate(it->json, ref, it->problems,
						 &it->doc.inventory);
		break;
	}
	point_to_elements(it->problems, from, docnode, line_name, head_t, line_t);
	if (it->ok && from > 0) { /* the codec's own problems refuse it too */
		if (type == CEB_ORDER)
			cbec_order_free(&it->doc.order);
		if (type == CEB_INVENTORY)
			cbec_inventory_free(&it->doc.inventory);
		it->ok = false;
	}
	if (it->ok) {
		free(it->problems);
		it->problems = NULL;
	}
	return KERR_OK;
}

static bool root_type(const xmlNode *root, enum ceb_type *t)
{
	static const enum ceb_type types[] = {CEB_ORDER, CEB_PAYMENT, CEB_WAYBILL, CEB_INVENTORY};
	if (!root->ns || !xmlStrEqual(root->ns->href, (const xmlChar *)CEB_NAMESPACE))
		return false;
	for (size_t i = 0; i < 4; i++) {
		if (xmlStrEqual(root->name, (const xmlChar *)ceb_type_root(types[i], false))) {
			*t = types[i];
			return true;
		}
	}
	return false;
}

kerr ceb_parse(const struct ceb_codec *c, const char *xml, size_t len,
	       const struct ceb_parse_options *opt, struct ceb_message *out, struct problems *p)
{
	static const struct ceb_parse_options none = {NULL, NULL, 0};
	xmlDocPtr doc = NULL;
	kerr e;
	memset(out, 0, sizeof *out);
	if (!opt)
		opt = &none;
	/* the root first: a receipt or a stranger gets a plain answer, not a
	 * list of schema complaints */
	e = load(c, xml, len, opt->max_bytes ? opt->max_bytes : CEB_MAX_BYTES, p, &doc);
	if (e && !problems_any(p))
		problems_add(p, "xml:", "the message could not be read");
	if (e)
		goto out;
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (!root_type(root, &out->type)) {
		char field[PROBLEM_FIELD_MAX] = "xml:";
		node_path(root, field + 4, sizeof field - 4);
		problems_add(p, field,
			     "line %ld: the root element is '%s'; kouan accepts CEB311Message, "
			     "CEB411Message, CEB511Message and CEB621Message in namespace %s",
			     xmlGetLineNo(root), (const char *)root->name, CEB_NAMESPACE);
		e = KERR_INVALID;
		goto out;
	}
	if (out->type == CEB_WAYBILL && (!opt->platform_code || !opt->platform_code[0])) {
		problems_add(p, "query:platform",
			     "is required with CEB511Message: waybills name no platform, so "
			     "give the platform's code (ebpCode) their orders were placed on");
		e = KERR_INVALID;
		goto out;
	}
	xmlChar *g = xmlGetProp(root, (const xmlChar *)"guid");
	str_copy(out->guid, g ? (const char *)g : "", sizeof out->guid);
	xmlFree(g);
	size_t n = 0;
	for (const xmlNode *d = first_element(root); d; d = next_element(d)) {
		if (xmlStrEqual(d->name, (const xmlChar *)"BaseTransfer")) {
			char v[CBEC_TEXT(100)];
			const xmlNode *code = child_named(d, "copCode", 0);
			const xmlNode *name = child_named(d, "copName", 0);
			if (code && element_text(code, v, sizeof v))
				str_copy(out->sender_code, v, sizeof out->sender_code);
			if (name && element_text(name, v, sizeof v))
				str_copy(out->sender_name, v, sizeof out->sender_name);
		} else if (first_element(d) && n < CEB_MAX_DOCUMENTS &&
			   !xmlStrEqual(d->name, (const xmlChar *)"BaseSubscribe") &&
			   !xmlStrEqual(d->name, (const xmlChar *)"ExtendMessage") &&
			   (!d->ns || xmlStrEqual(d->ns->href, (const xmlChar *)CEB_NAMESPACE))) {
			n++;
		}
	}
	out->items = calloc(n ? n : 1, sizeof *out->items);
	if (!out->items) {
		e = KERR_NOMEM;
		goto out;
	}
	struct mapping m = {NULL, NULL, opt};
	for (const xmlNode *d = first_element(root); d && out->nitems < n; d = next_element(d)) {
		if (xmlStrEqual(d->name, (const xmlChar *)"BaseTransfer") ||
		    xmlStrEqual(d->name, (const xmlChar *)"BaseSubscribe") ||
		    xmlStrEqual(d->name, (const xmlChar *)"ExtendMessage") || !first_element(d) ||
		    (d->ns && !xmlStrEqual(d->ns->href, (const xmlChar *)CEB_NAMESPACE)))
			continue;
		m.item = &out->items[out->nitems++];
		e = map_item(&m, out->type, d);
		if (e)
			goto out;
	}
	e = KERR_OK;
out:
	if (e)
		ceb_message_free(out);
	if (doc)
		xmlFreeDoc(doc);
	return e;
}

void ceb_message_free(struct ceb_message *m)
{
	for (size_t i = 0; m->items && i < m->nitems; i++) {
		struct ceb_item *it = &m->items[i];
		if (it->ok && m->type == CEB_ORDER)
			cbec_order_free(&it->doc.order);
		if (it->ok && m->type == CEB_INVENTORY)
			cbec_inventory_free(&it->doc.inventory);
		json_decref(it->json);
		free(it->problems);
	}
	free(m->items);
	memset(m, 0, sizeof *m);
}

/* ---- receipts ----------------------------------------------------------- */

static void json_key(const json_t *obj, const char *key, char *dst, size_t size)
{
	const char *s = json_string_value(json_object_get(obj, key));
	str_copy(dst, s ? s : "", size);
}

/* Append s to dst (UTF-8), stopping at `max_chars` characters in all. */
static void append_chars(char *dst, size_t size, const char *s, size_t *chars, size_t max_chars)
{
	size_t len = strlen(dst);
	for (; *s && len + 4 < size; s++) {
		bool lead = ((unsigned char)*s & 0xC0) != 0x80;
		if (lead && *chars >= max_chars)
			break;
		if (lead)
			(*chars)++;
		dst[len++] = *s;
	}
	dst[len] = '\0';
}

void ceb_receipt_for(const struct ceb_message *m, size_t i, int64_t at_us,
		     struct ceb_receipt *r)
{
	const struct ceb_item *it = &m->items[i];
	const json_t *j = it->json;
	memset(r, 0, sizeof *r);
	str_copy(r->guid, it->guid, sizeof r->guid);
	json_key(j, "platform_code", r->platform_code, sizeof r->platform_code);
	json_key(j, "enterprise_code", r->enterprise_code, sizeof r->enterprise_code);
	json_key(j, "order_no", r->order_no, sizeof r->order_no);
	json_key(j, "payment_code", r->payment_code, sizeof r->payment_code);
	json_key(j, "transaction_no", r->transaction_no, sizeof r->transaction_no);
	json_key(j, "logistics_code", r->logistics_code, sizeof r->logistics_code);
	json_key(j, "waybill_no", r->waybill_no, sizeof r->waybill_no);
	json_key(j, "customs_office", r->customs_office, sizeof r->customs_office);
	json_key(j, "agent_code", r->agent_code, sizeof r->agent_code);
	json_key(j, "cop_no", r->cop_no, sizeof r->cop_no);
	if (!r->cop_no[0]) /* the receipt must name one; the order number stands in */
		str_copy(r->cop_no, r->order_no, sizeof r->cop_no);
	r->at_us = at_us;
	if (it->ok) {
		r->status = CEB_STATUS_STORED;
		str_copy(r->info, "accepted", sizeof r->info);
		return;
	}
	r->status = CEB_STATUS_REFUSED;
	size_t chars = 0;
	for (size_t k = 0; it->problems && k < it->problems->count; k++) {
		if (k)
			append_chars(r->info, sizeof r->info, "; ", &chars, 1000);
		const char *field = it->problems->errors[k].field;
		if (strncmp(field, "xml:", 4) == 0) /* a receipt speaks of XML anyway */
			field += 4;
		append_chars(r->info, sizeof r->info, field, &chars, 1000);
		append_chars(r->info, sizeof r->info, ": ", &chars, 1000);
		append_chars(r->info, sizeof r->info, it->problems->errors[k].problem, &chars, 1000);
	}
	if (!r->info[0])
		str_copy(r->info, "refused", sizeof r->info);
}

/* YYYYMMDDhhmmssSSS in Beijing time. */
static void beijing_stamp(int64_t us, char out[18])
{
	int64_t ms = us / 1000 + 8LL * 3600 * 1000;
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(out, 18, "%04u%02u%02u%02u%02u%02u%03u", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u, (unsigned)(ms % 1000) % 1000u);
}

static int put(xmlTextWriterPtr w, const char *name, const char *value)
{
	return xmlTextWriterWriteElementNS(w, (const xmlChar *)"ceb", (const xmlChar *)name, NULL,
					   (const xmlChar *)value);
}

static int put_optional(xmlTextWriterPtr w, const char *name, const char *value)
{
	return value[0] ? put(w, name, value) : 0;
}

kerr ceb_receipts_render(enum ceb_type t, const char *guid, const struct ceb_receipt *r,
			 size_t n, struct buf *out)
{
	static const char *const entity[] = {"OrderReturn", "PaymentReturn", "LogisticsReturn",
					     "InventoryReturn"};
	kerr e = KERR_NOMEM;
	xmlBufferPtr xb = NULL;
	xmlTextWriterPtr w = NULL;
	size_t kind = t == CEB_ORDER ? 0 : t == CEB_PAYMENT ? 1 : t == CEB_WAYBILL ? 2 : 3;
	if (n < 1 || n > CEB_MAX_DOCUMENTS || !guid || strlen(guid) != 36)
		return KERR_INVALID;
	xb = xmlBufferCreate();
	w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	if (!w)
		goto out;
	int rc = xmlTextWriterSetIndent(w, 1);
	rc |= xmlTextWriterSetIndentString(w, (const xmlChar *)"  ");
	rc |= xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0;
	rc |= xmlTextWriterStartElementNS(w, (const xmlChar *)"ceb",
					  (const xmlChar *)ceb_type_root(t, true),
					  (const xmlChar *)CEB_NAMESPACE) < 0;
	rc |= xmlTextWriterWriteAttribute(w, (const xmlChar *)"guid", (const xmlChar *)guid) < 0;
	rc |= xmlTextWriterWriteAttribute(w, (const xmlChar *)"version", (const xmlChar *)"1.0") < 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct ceb_receipt *x = &r[i];
		char status[16], stamp[18];
		snprintf(status, sizeof status, "%d", x->status);
		beijing_stamp(x->at_us, stamp);
		rc |= xmlTextWriterStartElementNS(w, (const xmlChar *)"ceb",
						  (const xmlChar *)entity[kind], NULL) < 0;
		rc |= put(w, "guid", x->guid) < 0;
		switch (t) {
		case CEB_ORDER:
			rc |= put(w, "ebpCode", x->platform_code) < 0;
			rc |= put(w, "ebcCode", x->enterprise_code) < 0;
			rc |= put(w, "orderNo", x->order_no) < 0;
			break;
		case CEB_PAYMENT:
			rc |= put(w, "payCode", x->payment_code) < 0;
			rc |= put(w, "payTransactionId", x->transaction_no) < 0;
			break;
		case CEB_WAYBILL:
			rc |= put(w, "logisticsCode", x->logistics_code) < 0;
			rc |= put(w, "logisticsNo", x->waybill_no) < 0;
			break;
		case CEB_INVENTORY:
			rc |= put_optional(w, "customsCode", x->customs_office) < 0;
			rc |= put_optional(w, "ebpCode", x->platform_code) < 0;
			rc |= put_optional(w, "ebcCode", x->enterprise_code) < 0;
			rc |= put_optional(w, "agentCode", x->agent_code) < 0;
			rc |= put(w, "copNo", x->cop_no) < 0;
			rc |= put_optional(w, "preNo", x->pre_no) < 0;
			rc |= put_optional(w, "invtNo", x->invt_no) < 0;
			break;
		}
		rc |= put(w, "returnStatus", status) < 0;
		rc |= put(w, "returnTime", stamp) < 0;
		rc |= put(w, "returnInfo", x->info[0] ? x->info : "-") < 0;
		rc |= xmlTextWriterEndElement(w) < 0;
	}
	rc |= xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w); /* flushes into xb */
	w = NULL;
	if (rc)
		goto out;
	e = buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
out:
	if (w)
		xmlFreeTextWriter(w);
	if (xb)
		xmlBufferFree(xb);
	return e;
}
