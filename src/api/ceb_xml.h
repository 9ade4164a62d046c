/*
 * ceb_xml.h - the electronic port's CEB messages for cross-border
 * e-commerce retail imports, as a wire format beside JSON: CEB311 orders,
 * CEB411 payments, CEB511 waybills and CEB621 inventories in, CEB312,
 * CEB412, CEB512 and CEB622 receipts out (docs/cbec.md).
 *
 * Parsing is done with libxml2 and refuses what is dangerous before it can
 * act: no network, no DTD and so no entity declarations (an XML bomb or an
 * external entity stops the parser at its DOCTYPE), a size limit, libxml2's
 * depth limit. A message is validated against kouan's schema
 * (data/ceb/ceb_import.xsd, compiled in), then each document is turned into
 * kouan's JSON shape and checked by the same domain validator as a JSON
 * request, so both paths produce the same structs by the same rules.
 * Problems name the place as "xml:" followed by the element's path, and
 * their text starts with the line. This module must never touch the store
 * and never fetch anything.
 */
#ifndef KOUAN_CEB_XML_H
#define KOUAN_CEB_XML_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/problems.h"
#include "domain/cbec.h"

#define CEB_NAMESPACE "http://www.chinaport.gov.cn/ceb"
#define CEB_MAX_BYTES (8u * 1024u * 1024u) /* a message, unless the caller says less */
#define CEB_MAX_DOCUMENTS 100              /* documents in one message (the schema's limit) */

enum ceb_type {
	CEB_ORDER = 311,     /* CEB311Message, answered by CEB312Message */
	CEB_PAYMENT = 411,   /* CEB411Message, answered by CEB412Message */
	CEB_WAYBILL = 511,   /* CEB511Message, answered by CEB512Message */
	CEB_INVENTORY = 621, /* CEB621Message, answered by CEB622Message */
};

/* Receipt outcomes (returnStatus), as the electronic port numbers them. */
enum ceb_status {
	CEB_STATUS_REFUSED = 100,    /* 退单: not accepted, returnInfo says why */
	CEB_STATUS_STORED = 120,     /* 入库: accepted and kept */
	CEB_STATUS_CLEARED = 399,    /* 审结: the list entry is assessed */
	CEB_STATUS_INSPECTION = 500, /* 查验: held for inspection */
	CEB_STATUS_RELEASED = 800,   /* 放行: released */
};

/* The compiled schema; read-only once made, shared by every thread. */
struct ceb_codec;

/* Compile the embedded schema (call at start-up, before threads: it also
 * initialises libxml2). KERR_INTERNAL if the schema is missing or broken. */
KOUAN_MUST_USE kerr ceb_codec_new(struct ceb_codec **out);
void ceb_codec_free(struct ceb_codec *c);

/* One document of a message. */
struct ceb_item {
	bool ok;                       /* the document is valid; doc is filled */
	int app_type;                  /* 1 new, 2 change, 3 delete (appType) */
	long line;                     /* where its head starts in the message */
	char guid[37];                 /* the head's guid, echoed in the receipt */
	json_t *json;                  /* the document in kouan's JSON shape (owned) */
	struct problems *problems;     /* when !ok (owned) */
	union {
		struct cbec_order order;
		struct cbec_payment payment;
		struct cbec_waybill waybill;
		struct cbec_inventory inventory;
	} doc;
};

struct ceb_message {
	enum ceb_type type;
	char guid[37];                 /* the message's guid attribute */
	char sender_code[CBEC_CODE_LEN + 1];   /* BaseTransfer/copCode */
	char sender_name[CBEC_TEXT(100)];      /* BaseTransfer/copName */
	size_t nitems;
	struct ceb_item *items;        /* owned */
};

struct ceb_parse_options {
	const struct refdata *ref;     /* code lists; NULL checks forms only */
	const char *platform_code;     /* CEB511 names no platform: the caller's; may be NULL */
	size_t max_bytes;              /* 0 means CEB_MAX_BYTES */
};

/*
 * Parse, validate and map one message. KERR_OK: *out holds every document,
 * each either ok (with its struct) or not (with its problems): one bad
 * document does not spoil the others, each gets its own receipt.
 * KERR_INVALID: the message is malformed, carries a DOCTYPE, is not one of
 * the four messages, breaks the schema, or is a CEB511 with no platform
 * given; KERR_TOO_LARGE: over the size limit. On those, *p says exactly
 * where and what, and *out is empty (nothing to free, nothing produced).
 * KERR_NOMEM.
 */
KOUAN_MUST_USE kerr ceb_parse(const struct ceb_codec *c, const char *xml, size_t len,
			      const struct ceb_parse_options *opt, struct ceb_message *out,
			      struct problems *p);
void ceb_message_free(struct ceb_message *m);

/* "CEB311Message" etc.; the receipt's root name with receipt true. */
const char *ceb_type_root(enum ceb_type t, bool receipt);

/* A receipt for one document. */
struct ceb_receipt {
	char guid[37];                 /* echoes the document's guid */
	char platform_code[CBEC_CODE_LEN + 1];   /* ebpCode: orders, inventories */
	char enterprise_code[CBEC_CODE_LEN + 1]; /* ebcCode: orders, inventories */
	char order_no[CBEC_NO_LEN + 1];          /* orders */
	char payment_code[CBEC_CODE_LEN + 1];    /* payments */
	char transaction_no[CBEC_NO_LEN + 1];    /* payments */
	char logistics_code[CBEC_CODE_LEN + 1];  /* waybills */
	char waybill_no[CBEC_NO_LEN + 1];        /* waybills */
	char customs_office[5];                  /* inventories, optional */
	char agent_code[CBEC_CODE_LEN + 1];      /* inventories, optional */
	char cop_no[21];                         /* inventories */
	char pre_no[19];                         /* inventories: kouan's number once given */
	char invt_no[19];                        /* inventories: the list number once cleared */
	int status;                              /* enum ceb_status, or below 0 */
	int64_t at_us;                           /* returnTime */
	char info[CBEC_TEXT(1000)];              /* returnInfo, never empty */
};

/*
 * The default receipt for item i of a parsed message at `at_us`: its keys,
 * CEB_STATUS_STORED and "accepted" when the document is ok, otherwise
 * CEB_STATUS_REFUSED with its problems ("path: problem; ...") in info,
 * cut to 1000 characters. The service may change status and info (a
 * mismatch found later, a release) before rendering.
 */
void ceb_receipt_for(const struct ceb_message *m, size_t i, int64_t at_us,
		     struct ceb_receipt *r);

/*
 * Render the receipts for a message of type t (CEB312Message for
 * CEB_ORDER, ...) with root guid `guid` (36 characters) into out, as
 * UTF-8 XML that follows data/ceb/ceb_import.xsd. Times are written in
 * Beijing time, YYYYMMDDhhmmssSSS. KERR_INVALID for n outside 1..100 or a
 * guid of the wrong length, KERR_TOO_LARGE when out's limit is reached.
 */
KOUAN_MUST_USE kerr ceb_receipts_render(enum ceb_type t, const char *guid,
					const struct ceb_receipt *r, size_t n,
					struct buf *out);

/* Check rendered receipts (or any message) against the schema; used by
 * tests and by clients' self-checks. KERR_OK when valid, else problems. */
KOUAN_MUST_USE kerr ceb_validate(const struct ceb_codec *c, const char *xml, size_t len,
				 struct problems *p);

#endif
