-- 0018_assessments.sql - risk and duty assessments kept smaller (issue 13,
-- bytes at rest), shown as before (src/store/repo_risk.c, repo_money.c):
--
--   * the declaration's number as its value, an integer (as the events',
--     tasks' and idempotency records' since 0015 to 0017), in the row and
--     in the keys;
--   * assessed_at as integer microseconds since 1970 UTC;
--   * risk_assessments without a rowid: its key (number, version) is the
--     table, so the key is no longer kept twice (row and automatic index).
--
-- SQLite cannot change a column's type: both tables are made again. A
-- kept number that is not 18 digits would become -1, which the CHECK
-- refuses: the migration stops rather than lose whose assessment it is.
CREATE TABLE risk_assessments_0018 (
  declaration_number   INTEGER NOT NULL
                       CHECK (declaration_number BETWEEN 0 AND 999999999999999999),
  declaration_version  INTEGER NOT NULL,
  rules_version        INTEGER NOT NULL,
  assessed_at          INTEGER NOT NULL,  -- microseconds since 1970, UTC
  outcome              TEXT NOT NULL,
  PRIMARY KEY (declaration_number, declaration_version)
) WITHOUT ROWID;
INSERT INTO risk_assessments_0018 (declaration_number, declaration_version, rules_version,
  assessed_at, outcome)
  SELECT CASE WHEN length(declaration_number) = 18
                   AND declaration_number NOT GLOB '*[^0-9]*'
              THEN CAST(declaration_number AS INTEGER)
              ELSE -1 END,
         declaration_version, rules_version,
         unixepoch(substr(assessed_at, 1, 19)) * 1000000
           + CASE WHEN substr(assessed_at, 20, 1) = '.'
                  THEN CAST(substr(rtrim(substr(assessed_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
                  ELSE 0 END,
         outcome
  FROM risk_assessments;
DROP TABLE risk_assessments;
ALTER TABLE risk_assessments_0018 RENAME TO risk_assessments;

CREATE TABLE duty_assessments_0018 (
  declaration_number  INTEGER NOT NULL
                      CHECK (declaration_number BETWEEN 0 AND 999999999999999999),
  version             INTEGER NOT NULL,   -- the declaration version assessed
  status              TEXT NOT NULL CHECK (status IN ('assessed', 'held')),
  held_field          TEXT,
  held_reason         TEXT,
  total_due           INTEGER NOT NULL DEFAULT 0,  -- fen
  declared_differs    INTEGER NOT NULL DEFAULT 0,
  detail              TEXT,               -- JSON: held, or kept before 0011
  assessed_at         INTEGER NOT NULL,   -- microseconds since 1970, UTC
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
INSERT INTO duty_assessments_0018 (declaration_number, version, status, held_field,
  held_reason, total_due, declared_differs, detail, assessed_at, tariff_versions,
  rate_month, cny_per_unit, certificates, duty, consumption_tax, vat)
  SELECT CASE WHEN length(declaration_number) = 18
                   AND declaration_number NOT GLOB '*[^0-9]*'
              THEN CAST(declaration_number AS INTEGER)
              ELSE -1 END,
         version, status, held_field, held_reason, total_due, declared_differs, detail,
         unixepoch(substr(assessed_at, 1, 19)) * 1000000
           + CASE WHEN substr(assessed_at, 20, 1) = '.'
                  THEN CAST(substr(rtrim(substr(assessed_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
                  ELSE 0 END,
         tariff_versions, rate_month, cny_per_unit, certificates, duty, consumption_tax, vat
  FROM duty_assessments;
DROP TABLE duty_assessments;
ALTER TABLE duty_assessments_0018 RENAME TO duty_assessments;
CREATE INDEX duty_assessments_held ON duty_assessments (declaration_number)
  WHERE status = 'held';
