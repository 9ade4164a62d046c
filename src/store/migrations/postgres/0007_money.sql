-- 0007_money.sql (PostgreSQL): the same tables as the SQLite migration of
-- the same number (see there), with times, codes and numbers in the "C"
-- collation so they sort bytewise, and BIGINT amounts. Declarations are
-- partitioned (see 0001), so these tables point at them by number without a
-- foreign key. Two servers drawing on one guarantee: the release locks the
-- guarantee's row (SELECT ... FOR UPDATE) and draws with
-- UPDATE ... WHERE drawn + amount <= ceiling; the CHECK below is the last
-- word.

CREATE TABLE tariff_versions (
  id              TEXT COLLATE "C" PRIMARY KEY,
  effective_from  TEXT COLLATE "C" NOT NULL UNIQUE,   -- YYYY-MM-DD, China Standard Time
  kind            TEXT COLLATE "C" NOT NULL CHECK (kind IN ('full', 'amendment')),
  description     TEXT,
  agreements      TEXT NOT NULL,          -- JSON array
  lines           BIGINT NOT NULL,
  loaded_by       TEXT NOT NULL,
  loaded_at       TEXT COLLATE "C" NOT NULL
);

CREATE TABLE tariff_lines (
  version_id  TEXT COLLATE "C" NOT NULL REFERENCES tariff_versions (id),
  code        TEXT COLLATE "C" NOT NULL,              -- 8 or 10 digits
  line        TEXT NOT NULL,              -- canonical JSON of the line
  PRIMARY KEY (version_id, code)
);
CREATE INDEX tariff_lines_code ON tariff_lines (code);

CREATE TABLE exchange_rates (
  currency      TEXT COLLATE "C" NOT NULL,
  month         TEXT COLLATE "C" NOT NULL,            -- YYYY-MM
  cny_per_unit  TEXT NOT NULL,            -- exact decimal
  loaded_by     TEXT NOT NULL,
  loaded_at     TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (currency, month)
);

CREATE TABLE fee_catalogues (
  id              TEXT COLLATE "C" PRIMARY KEY,
  port            TEXT COLLATE "C" NOT NULL,
  effective_from  TEXT COLLATE "C" NOT NULL,          -- YYYY-MM-DD
  description     TEXT,
  loaded_by       TEXT NOT NULL,
  loaded_at       TEXT COLLATE "C" NOT NULL,
  UNIQUE (port, effective_from)
);

CREATE TABLE fee_items (
  catalogue_id  TEXT COLLATE "C" NOT NULL REFERENCES fee_catalogues (id),
  code          TEXT COLLATE "C" NOT NULL,
  item          TEXT NOT NULL,            -- JSON of the item
  PRIMARY KEY (catalogue_id, code)
);

CREATE TABLE duty_assessments (
  declaration_number  TEXT COLLATE "C" NOT NULL,
  version             BIGINT NOT NULL,   -- the declaration version assessed
  status              TEXT COLLATE "C" NOT NULL CHECK (status IN ('assessed', 'held')),
  held_field          TEXT COLLATE "C",
  held_reason         TEXT,
  total_due           BIGINT NOT NULL DEFAULT 0,  -- fen
  declared_differs    BIGINT NOT NULL DEFAULT 0,
  detail              TEXT NOT NULL,      -- every step, as JSON
  assessed_at         TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (declaration_number, version)
);
CREATE INDEX duty_assessments_held ON duty_assessments (status);

CREATE TABLE guarantees (
  id             BIGSERIAL PRIMARY KEY,
  number         TEXT COLLATE "C" NOT NULL UNIQUE,
  org_id         BIGINT NOT NULL REFERENCES organisations (id),
  ceiling        BIGINT NOT NULL CHECK (ceiling > 0),
  drawn          BIGINT NOT NULL DEFAULT 0 CHECK (drawn >= 0 AND drawn <= ceiling),
  valid_from     TEXT COLLATE "C" NOT NULL,           -- YYYY-MM-DD, included
  valid_until    TEXT COLLATE "C" NOT NULL,           -- YYYY-MM-DD, included
  registered_by  TEXT NOT NULL,
  registered_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX guarantees_org ON guarantees (org_id);

CREATE TABLE guarantee_draws (
  declaration_number  TEXT COLLATE "C" PRIMARY KEY,   -- released once, drawn once
  guarantee_id        BIGINT NOT NULL REFERENCES guarantees (id),
  amount              BIGINT NOT NULL CHECK (amount > 0),
  drawn_at            TEXT COLLATE "C" NOT NULL,
  restored_at         TEXT COLLATE "C"
);
CREATE INDEX guarantee_draws_guarantee ON guarantee_draws (guarantee_id);

CREATE TABLE payments (
  id                  BIGSERIAL PRIMARY KEY,
  bank_reference      TEXT COLLATE "C" NOT NULL UNIQUE,
  declaration_number  TEXT COLLATE "C" NOT NULL,
  amount              BIGINT NOT NULL CHECK (amount > 0),
  paid_at             TEXT COLLATE "C" NOT NULL,      -- as the bank reports it
  recorded_by         TEXT NOT NULL,
  recorded_at         TEXT COLLATE "C" NOT NULL,
  restored            BIGINT NOT NULL DEFAULT 0  -- given back to a guarantee, fen
);
CREATE INDEX payments_declaration ON payments (declaration_number);

CREATE TABLE fee_charges (
  id                  BIGSERIAL PRIMARY KEY,
  declaration_number  TEXT COLLATE "C" NOT NULL,
  catalogue_id        TEXT COLLATE "C" NOT NULL REFERENCES fee_catalogues (id),
  code                TEXT COLLATE "C" NOT NULL,
  quantity            BIGINT NOT NULL,   -- x 1000
  amount              BIGINT NOT NULL,   -- fen
  payer               TEXT COLLATE "C" NOT NULL CHECK (payer IN ('trader', 'state')),
  trader_amount       BIGINT NOT NULL,
  state_amount        BIGINT NOT NULL,
  reason              TEXT NOT NULL,
  detail              TEXT NOT NULL,      -- the charge as JSON
  raised_by           TEXT NOT NULL,
  org_id              BIGINT NOT NULL REFERENCES organisations (id),
  raised_at           TEXT COLLATE "C" NOT NULL
);
CREATE INDEX fee_charges_declaration ON fee_charges (declaration_number, id);

CREATE TABLE export_departures (
  declaration_number  TEXT COLLATE "C" PRIMARY KEY,
  departed_at         TEXT COLLATE "C" NOT NULL,
  source              TEXT NOT NULL,      -- what recorded it
  recorded_at         TEXT COLLATE "C" NOT NULL
);

CREATE TABLE refund_applications (
  id                  BIGSERIAL PRIMARY KEY,
  declaration_number  TEXT COLLATE "C" NOT NULL,
  org_id              BIGINT NOT NULL REFERENCES organisations (id),
  status              TEXT COLLATE "C" NOT NULL CHECK (status IN ('applied', 'approved', 'rejected')),
  verdict             TEXT COLLATE "C" NOT NULL CHECK (verdict IN ('matches', 'mismatch')),
  total               BIGINT NOT NULL,   -- fen
  claim               TEXT NOT NULL,      -- the application as JSON
  result              TEXT NOT NULL,      -- the check's result as JSON
  reasons             TEXT NOT NULL,      -- differences found, JSON array
  applied_by          TEXT NOT NULL,
  applied_at          TEXT COLLATE "C" NOT NULL,
  decided_by          TEXT,
  decided_at          TEXT COLLATE "C",
  decision_reason     TEXT
);
CREATE UNIQUE INDEX refund_applications_open ON refund_applications (declaration_number)
  WHERE status IN ('applied', 'approved');
CREATE INDEX refund_applications_org ON refund_applications (org_id, id);
CREATE INDEX refund_applications_status ON refund_applications (status, id);
