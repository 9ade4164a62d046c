-- clearance_times.postgres.sql: the per-declaration clearance times of
-- issue 11, proposed as the next PostgreSQL migration; the same table as
-- clearance_times.sqlite.sql (read its comments), in PostgreSQL's types.

CREATE TABLE clearance_times (
  declaration_number   TEXT PRIMARY KEY,
  direction            TEXT NOT NULL,     -- import, export
  lodged_at_s          BIGINT NOT NULL,   -- declaration.lodged, seconds since 1970-01-01 UTC
  office               TEXT NOT NULL,
  port                 TEXT,
  transport_mode       TEXT,
  lane                 TEXT,
  credit_class         TEXT,
  trade_mode           TEXT,
  chapter              TEXT,
  outcome              TEXT NOT NULL,
  total_kind           TEXT NOT NULL,
  flags                INTEGER NOT NULL,
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
  total_s              INTEGER,
  measured_at          TEXT NOT NULL
);

CREATE INDEX clearance_times_period ON clearance_times (direction, lodged_at_s);
CREATE INDEX clearance_times_office ON clearance_times (office, lodged_at_s);
CREATE INDEX clearance_times_port ON clearance_times (port, lodged_at_s);
