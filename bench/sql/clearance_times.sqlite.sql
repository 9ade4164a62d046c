-- clearance_times.sqlite.sql: the per-declaration clearance times of issue
-- 11, proposed as the next SQLite migration (the PostgreSQL one is
-- clearance_times.postgres.sql). One row per declaration, rewritten each
-- time its timeline grows: its dimensions and its stage durations in whole
-- seconds, NULL when a stage was not measured (docs/clearance-time.md
-- defines the stages, the outcome, the kinds of total and the flags).
-- kouan answers statistics from its in-memory engine (src/domain/stats.h);
-- this table is what the engine is filled from at start, what ad hoc SQL
-- and exports read, and what bench/stats checks the engine against.

CREATE TABLE clearance_times (
  declaration_number   TEXT PRIMARY KEY,
  direction            TEXT NOT NULL,     -- import, export
  lodged_at_s          INTEGER NOT NULL,  -- declaration.lodged, seconds since 1970-01-01 UTC
  office               TEXT NOT NULL,     -- customs office of declaration
  port                 TEXT,              -- UN/LOCODE of entry or exit
  transport_mode       TEXT,
  lane                 TEXT,              -- the most severe lane of the risk assessment
  credit_class         TEXT,              -- the consignee's (imports) or consignor's
  trade_mode           TEXT,
  chapter              TEXT,              -- HS chapter of the item of greatest value
  outcome              TEXT NOT NULL,     -- in_progress, released, withdrawn, rejected
  total_kind           TEXT NOT NULL,     -- none, border, declaration
  flags                INTEGER NOT NULL,  -- 1 advance, 2 corrected, 4 inspected, 8 out_of_order
  manifest_s           INTEGER,
  lodgement_s          INTEGER,
  acceptance_s         INTEGER,
  risk_s               INTEGER,
  document_review_s    INTEGER,
  inspection_booked_s  INTEGER,
  inspected_s          INTEGER,
  assessed_s           INTEGER,
  paid_s               INTEGER,
  released_s           INTEGER,
  gate_out_s           INTEGER,
  loading_s            INTEGER,
  departure_s          INTEGER,
  correction_s         INTEGER,
  total_s              INTEGER,           -- NULL unless released
  measured_at          TEXT NOT NULL      -- when the row was last computed (RFC 3339)
);

-- A period of one direction, and the dimensions analysts pick most.
CREATE INDEX clearance_times_period ON clearance_times (direction, lodged_at_s);
CREATE INDEX clearance_times_office ON clearance_times (office, lodged_at_s);
CREATE INDEX clearance_times_port ON clearance_times (port, lodged_at_s);
