-- 0011: an assessment of duties is kept as what it was computed from.
-- Its explanation (every step as JSON, about 2 KB) was the largest thing
-- kept per declaration; an assessed version now keeps its basis instead:
-- the tariff versions that gave its items' lines, the exchange rate month
-- and value, the agreement each certificate of origin was for, and the
-- amount due of each tax. kouan computes the explanation again from the
-- declaration version and the named tables when it is read, and refuses
-- to show one whose amounts differ from these (docs/money.md, "Storage").
-- A held assessment keeps its short explanation; rows kept before this
-- migration keep theirs and are read as they are.
--
-- The table is keyed by its primary key alone (no rowid, so no second copy
-- of the key in an index), and the held ones, the only ones looked up by
-- status, have a partial index.
CREATE TABLE duty_assessments_0011 (
  declaration_number  TEXT NOT NULL,
  version             INTEGER NOT NULL,   -- the declaration version assessed
  status              TEXT NOT NULL CHECK (status IN ('assessed', 'held')),
  held_field          TEXT,
  held_reason         TEXT,
  total_due           INTEGER NOT NULL DEFAULT 0,  -- fen
  declared_differs    INTEGER NOT NULL DEFAULT 0,
  detail              TEXT,               -- JSON: held, or kept before 0011
  assessed_at         TEXT NOT NULL,
  tariff_versions     TEXT,               -- 'CN-2026 CN-2026-07', date order
  rate_month          TEXT,               -- 'YYYY-MM'
  cny_per_unit        INTEGER,            -- x 10^8
  certificates        TEXT,               -- '0:CN-AU': document index, agreement
  duty                INTEGER,            -- due, fen
  consumption_tax     INTEGER,
  vat                 INTEGER,
  CHECK (detail IS NOT NULL OR (status = 'assessed' AND tariff_versions IS NOT NULL
         AND rate_month IS NOT NULL AND cny_per_unit IS NOT NULL AND duty IS NOT NULL
         AND consumption_tax IS NOT NULL AND vat IS NOT NULL)),
  PRIMARY KEY (declaration_number, version)
) WITHOUT ROWID;
INSERT INTO duty_assessments_0011 (declaration_number, version, status, held_field,
  held_reason, total_due, declared_differs, detail, assessed_at)
  SELECT declaration_number, version, status, held_field, held_reason, total_due,
         declared_differs, detail, assessed_at FROM duty_assessments;
DROP TABLE duty_assessments;
ALTER TABLE duty_assessments_0011 RENAME TO duty_assessments;
CREATE INDEX duty_assessments_held ON duty_assessments (declaration_number)
  WHERE status = 'held';

-- The events of a call are read by its key among the call's own events
-- (declaration_number ''), never a declaration's: only those are indexed,
-- instead of a NULL key for every event of every declaration.
DROP INDEX events_call;
CREATE INDEX events_call ON events (call_key, id) WHERE declaration_number = '';

-- No schema change, a note: from this migration on, declarations.body,
-- declaration_versions.body, risk_assessments.outcome and events.data (48
-- bytes or more) hold their JSON packed (zstd with a built-in dictionary,
-- as text: 'z1:...', see src/store/packed.h); rows written before hold
-- plain JSON, and both are read through the repo layer only.
