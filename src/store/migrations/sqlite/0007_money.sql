-- 0007_money.sql: money (docs/money.md).
--   * the tariff: versions taking effect on a date, and their lines by code;
--   * customs exchange rates, one per currency and month;
--   * published port fee catalogues per port, and their items;
--   * the assessment of duties and taxes of each declaration version, with
--     every step kept as JSON;
--   * tax payments, idempotent by bank reference;
--   * general guarantees: ceiling and amount drawn (never above the
--     ceiling: the draw is a conditional UPDATE, and a CHECK holds it too),
--     and the draws made at release;
--   * port charges, raised only from catalogue items, with who pays;
--   * export tax refund applications, and the departures they rest on.
-- Amounts are integers in fen; rates and prices are exact decimal strings
-- or integers, never floating point.

CREATE TABLE tariff_versions (
  id              TEXT PRIMARY KEY,
  effective_from  TEXT NOT NULL UNIQUE,   -- YYYY-MM-DD, China Standard Time
  kind            TEXT NOT NULL CHECK (kind IN ('full', 'amendment')),
  description     TEXT,
  agreements      TEXT NOT NULL,          -- JSON array
  lines           INTEGER NOT NULL,
  loaded_by       TEXT NOT NULL,
  loaded_at       TEXT NOT NULL
);

CREATE TABLE tariff_lines (
  version_id  TEXT NOT NULL REFERENCES tariff_versions (id),
  code        TEXT NOT NULL,              -- 8 or 10 digits
  line        TEXT NOT NULL,              -- canonical JSON of the line
  PRIMARY KEY (version_id, code)
);
CREATE INDEX tariff_lines_code ON tariff_lines (code);

CREATE TABLE exchange_rates (
  currency      TEXT NOT NULL,
  month         TEXT NOT NULL,            -- YYYY-MM
  cny_per_unit  TEXT NOT NULL,            -- exact decimal
  loaded_by     TEXT NOT NULL,
  loaded_at     TEXT NOT NULL,
  PRIMARY KEY (currency, month)
);

CREATE TABLE fee_catalogues (
  id              TEXT PRIMARY KEY,
  port            TEXT NOT NULL,
  effective_from  TEXT NOT NULL,          -- YYYY-MM-DD
  description     TEXT,
  loaded_by       TEXT NOT NULL,
  loaded_at       TEXT NOT NULL,
  UNIQUE (port, effective_from)
);

CREATE TABLE fee_items (
  catalogue_id  TEXT NOT NULL REFERENCES fee_catalogues (id),
  code          TEXT NOT NULL,
  item          TEXT NOT NULL,            -- JSON of the item
  PRIMARY KEY (catalogue_id, code)
);

CREATE TABLE duty_assessments (
  declaration_number  TEXT NOT NULL,
  version             INTEGER NOT NULL,   -- the declaration version assessed
  status              TEXT NOT NULL CHECK (status IN ('assessed', 'held')),
  held_field          TEXT,
  held_reason         TEXT,
  total_due           INTEGER NOT NULL DEFAULT 0,  -- fen
  declared_differs    INTEGER NOT NULL DEFAULT 0,
  detail              TEXT NOT NULL,      -- every step, as JSON
  assessed_at         TEXT NOT NULL,
  PRIMARY KEY (declaration_number, version)
);
CREATE INDEX duty_assessments_held ON duty_assessments (status);

CREATE TABLE guarantees (
  id             INTEGER PRIMARY KEY,
  number         TEXT NOT NULL UNIQUE,
  org_id         INTEGER NOT NULL REFERENCES organisations (id),
  ceiling        INTEGER NOT NULL CHECK (ceiling > 0),
  drawn          INTEGER NOT NULL DEFAULT 0 CHECK (drawn >= 0 AND drawn <= ceiling),
  valid_from     TEXT NOT NULL,           -- YYYY-MM-DD, included
  valid_until    TEXT NOT NULL,           -- YYYY-MM-DD, included
  registered_by  TEXT NOT NULL,
  registered_at  TEXT NOT NULL
);
CREATE INDEX guarantees_org ON guarantees (org_id);

CREATE TABLE guarantee_draws (
  declaration_number  TEXT PRIMARY KEY,   -- released once, drawn once
  guarantee_id        INTEGER NOT NULL REFERENCES guarantees (id),
  amount              INTEGER NOT NULL CHECK (amount > 0),
  drawn_at            TEXT NOT NULL,
  restored_at         TEXT
);
CREATE INDEX guarantee_draws_guarantee ON guarantee_draws (guarantee_id);

CREATE TABLE payments (
  id                  INTEGER PRIMARY KEY,
  bank_reference      TEXT NOT NULL UNIQUE,
  declaration_number  TEXT NOT NULL,
  amount              INTEGER NOT NULL CHECK (amount > 0),
  paid_at             TEXT NOT NULL,      -- as the bank reports it
  recorded_by         TEXT NOT NULL,
  recorded_at         TEXT NOT NULL,
  restored            INTEGER NOT NULL DEFAULT 0  -- given back to a guarantee, fen
);
CREATE INDEX payments_declaration ON payments (declaration_number);

CREATE TABLE fee_charges (
  id                  INTEGER PRIMARY KEY,
  declaration_number  TEXT NOT NULL,
  catalogue_id        TEXT NOT NULL REFERENCES fee_catalogues (id),
  code                TEXT NOT NULL,
  quantity            INTEGER NOT NULL,   -- x 1000
  amount              INTEGER NOT NULL,   -- fen
  payer               TEXT NOT NULL CHECK (payer IN ('trader', 'state')),
  trader_amount       INTEGER NOT NULL,
  state_amount        INTEGER NOT NULL,
  reason              TEXT NOT NULL,
  detail              TEXT NOT NULL,      -- the charge as JSON
  raised_by           TEXT NOT NULL,
  org_id              INTEGER NOT NULL REFERENCES organisations (id),
  raised_at           TEXT NOT NULL
);
CREATE INDEX fee_charges_declaration ON fee_charges (declaration_number, id);

CREATE TABLE export_departures (
  declaration_number  TEXT PRIMARY KEY,
  departed_at         TEXT NOT NULL,
  source              TEXT NOT NULL,      -- what recorded it
  recorded_at         TEXT NOT NULL
);

CREATE TABLE refund_applications (
  id                  INTEGER PRIMARY KEY,
  declaration_number  TEXT NOT NULL,
  org_id              INTEGER NOT NULL REFERENCES organisations (id),
  status              TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'rejected')),
  verdict             TEXT NOT NULL CHECK (verdict IN ('matches', 'mismatch')),
  total               INTEGER NOT NULL,   -- fen
  claim               TEXT NOT NULL,      -- the application as JSON
  result              TEXT NOT NULL,      -- the check's result as JSON
  reasons             TEXT NOT NULL,      -- differences found, JSON array
  applied_by          TEXT NOT NULL,
  applied_at          TEXT NOT NULL,
  decided_by          TEXT,
  decided_at          TEXT,
  decision_reason     TEXT
);
CREATE UNIQUE INDEX refund_applications_open ON refund_applications (declaration_number)
  WHERE status IN ('applied', 'approved');
CREATE INDEX refund_applications_org ON refund_applications (org_id, id);
CREATE INDEX refund_applications_status ON refund_applications (status, id);
