-- 0008_cbec.sql: cross-border e-commerce retail imports (docs/cbec.md).
--   * cbec_documents: the current version of each document of an order
--     (order, payment, waybill, inventory), keyed by the order's platform
--     and number, as the canonical JSON it was validated from. Documents
--     wait here for their partners: several servers share the store, so
--     pending documents are never only in one server's memory;
--   * cbec_parcels: one row per order from its first document on; the row
--     every document of the order locks before matching, so two servers
--     never match one order twice. Once matched it is the list entry (清单):
--     its number, the assessment, the lane, release, gate-out and return;
--   * cbec_quotas: what each buyer (resident ID number) used of a calendar
--     year (Beijing time). Counted with a row lock and a conditional update
--     (used + value <= the annual limit), and the CHECK is the last word;
--   * cbec_month_payments: the payment of a platform's monthly summary;
--   * a parcel's events carry its timeline key (cbec|platform|order) in the
--     events' timeline column (call_key, see 0006).

CREATE TABLE cbec_documents (
  platform_code  TEXT NOT NULL,
  order_no       TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('order', 'payment', 'waybill', 'inventory')),
  org_id         INTEGER NOT NULL,          -- the sender's organisation
  version        INTEGER NOT NULL,
  body           TEXT NOT NULL,             -- canonical JSON
  received_at    TEXT NOT NULL,
  PRIMARY KEY (platform_code, order_no, kind)
) WITHOUT ROWID;

CREATE TABLE cbec_parcels (
  platform_code     TEXT NOT NULL,
  order_no          TEXT NOT NULL,
  platform_org_id   INTEGER NOT NULL,
  status            TEXT NOT NULL,          -- pending, mismatched, refused, held, released, returned
  number            TEXT UNIQUE,            -- the list entry's number, once matched
  mode              TEXT,                   -- 9610, 1210
  customs_office    TEXT,
  logistics_code    TEXT,
  waybill_no        TEXT,
  buyer_id_number   TEXT,
  quota_year        INTEGER,
  customs_value     INTEGER,
  verdict           TEXT,                   -- retail, full_tax, over_order_limit, over_annual_limit
  duty              INTEGER NOT NULL DEFAULT 0,
  consumption_tax   INTEGER NOT NULL DEFAULT 0,
  vat               INTEGER NOT NULL DEFAULT 0,
  lane              TEXT,
  detail            TEXT NOT NULL DEFAULT '{}', -- JSON: differences, assessment, refusal
  first_at          TEXT NOT NULL,
  last_document_at  TEXT NOT NULL,
  matched_at        TEXT,
  released_at       TEXT,
  gate_out_at       TEXT,
  returned_at       TEXT,
  PRIMARY KEY (platform_code, order_no)
) WITHOUT ROWID;
CREATE INDEX cbec_parcels_waybill ON cbec_parcels (logistics_code, waybill_no);
CREATE INDEX cbec_parcels_released ON cbec_parcels (platform_code, released_at);
CREATE INDEX cbec_parcels_returned ON cbec_parcels (platform_code, returned_at);
CREATE INDEX cbec_parcels_buyer ON cbec_parcels (buyer_id_number, quota_year);
CREATE INDEX cbec_parcels_status ON cbec_parcels (status, platform_code);

CREATE TABLE cbec_quotas (
  id_number  TEXT NOT NULL,
  year       INTEGER NOT NULL,
  used       INTEGER NOT NULL CHECK (used >= 0 AND used <= 2600000),
  PRIMARY KEY (id_number, year)
) WITHOUT ROWID;

CREATE TABLE cbec_month_payments (
  platform_code  TEXT NOT NULL,
  month          TEXT NOT NULL,             -- YYYY-MM, Beijing time
  amount         INTEGER NOT NULL,          -- fen: the amount due when paid
  reference      TEXT NOT NULL,             -- the payment's reference (bank transfer)
  paid_by        TEXT NOT NULL,
  paid_at        TEXT NOT NULL,
  PRIMARY KEY (platform_code, month)
) WITHOUT ROWID;
