-- 0008_cbec.sql (PostgreSQL): the same tables as the SQLite migration of
-- the same number (see there), with codes, numbers and times in the "C"
-- collation and BIGINT amounts. Two servers counting one buyer: the quota
-- row is locked (SELECT ... FOR UPDATE) and added to with
-- UPDATE ... WHERE used + value <= 2600000; the CHECK is the last word.

CREATE TABLE cbec_documents (
  platform_code  TEXT COLLATE "C" NOT NULL,
  order_no       TEXT COLLATE "C" NOT NULL,
  kind           TEXT COLLATE "C" NOT NULL CHECK (kind IN ('order', 'payment', 'waybill', 'inventory')),
  org_id         BIGINT NOT NULL,          -- the sender's organisation
  version        BIGINT NOT NULL,
  body           TEXT NOT NULL,             -- canonical JSON
  received_at    TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (platform_code, order_no, kind)
);

CREATE TABLE cbec_parcels (
  platform_code     TEXT COLLATE "C" NOT NULL,
  order_no          TEXT COLLATE "C" NOT NULL,
  platform_org_id   BIGINT NOT NULL,
  status            TEXT COLLATE "C" NOT NULL,          -- pending, mismatched, refused, held, released, returned
  number            TEXT COLLATE "C" UNIQUE,            -- the list entry's number, once matched
  mode              TEXT COLLATE "C",                   -- 9610, 1210
  customs_office    TEXT COLLATE "C",
  logistics_code    TEXT COLLATE "C",
  waybill_no        TEXT COLLATE "C",
  buyer_id_number   TEXT COLLATE "C",
  quota_year        BIGINT,
  customs_value     BIGINT,
  verdict           TEXT COLLATE "C",                   -- retail, full_tax, over_order_limit, over_annual_limit
  duty              BIGINT NOT NULL DEFAULT 0,
  consumption_tax   BIGINT NOT NULL DEFAULT 0,
  vat               BIGINT NOT NULL DEFAULT 0,
  lane              TEXT COLLATE "C",
  detail            TEXT NOT NULL DEFAULT '{}', -- JSON: differences, assessment, refusal
  first_at          TEXT COLLATE "C" NOT NULL,
  last_document_at  TEXT COLLATE "C" NOT NULL,
  matched_at        TEXT COLLATE "C",
  released_at       TEXT COLLATE "C",
  gate_out_at       TEXT COLLATE "C",
  returned_at       TEXT COLLATE "C",
  PRIMARY KEY (platform_code, order_no)
);
CREATE INDEX cbec_parcels_waybill ON cbec_parcels (logistics_code, waybill_no);
CREATE INDEX cbec_parcels_released ON cbec_parcels (platform_code, released_at);
CREATE INDEX cbec_parcels_returned ON cbec_parcels (platform_code, returned_at);
CREATE INDEX cbec_parcels_buyer ON cbec_parcels (buyer_id_number, quota_year);
CREATE INDEX cbec_parcels_status ON cbec_parcels (status, platform_code);

CREATE TABLE cbec_quotas (
  id_number  TEXT COLLATE "C" NOT NULL,
  year       BIGINT NOT NULL,
  used       BIGINT NOT NULL CHECK (used >= 0 AND used <= 2600000),
  PRIMARY KEY (id_number, year)
);

CREATE TABLE cbec_month_payments (
  platform_code  TEXT COLLATE "C" NOT NULL,
  month          TEXT COLLATE "C" NOT NULL,             -- YYYY-MM, Beijing time
  amount         BIGINT NOT NULL,          -- fen: the amount due when paid
  reference      TEXT COLLATE "C" NOT NULL,             -- the payment's reference (bank transfer)
  paid_by        TEXT COLLATE "C" NOT NULL,
  paid_at        TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (platform_code, month)
);
