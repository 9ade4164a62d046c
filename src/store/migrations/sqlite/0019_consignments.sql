-- 0019_consignments.sql - the claims declarations make on a bill of
-- lading kept smaller (issue 13, bytes at rest), shown as before
-- (src/store/repo_transport.c):
--
--   * the declaration's number as its value, an integer (as in the
--     events, tasks, idempotency records and assessments since 0015 to
--     0018), in the row and in declaration_transport_claim, which holds
--     the key;
--   * updated_at as integer microseconds since 1970 UTC.
--
-- SQLite cannot change a column's type: the table is made again. A kept
-- number that is not 18 digits would become -1, which the CHECK refuses:
-- the migration stops rather than lose whose claim it is.
CREATE TABLE declaration_transport_0019 (
  declaration_number  INTEGER PRIMARY KEY
                      CHECK (declaration_number BETWEEN 0 AND 999999999999999999),
  call_key            TEXT NOT NULL,
  bill_of_lading      TEXT NOT NULL,
  direction           TEXT NOT NULL,
  split_part          INTEGER NOT NULL,     -- 0 when the bill is declared whole
  split_of            INTEGER NOT NULL,
  flow                TEXT NOT NULL,        -- normal, direct_pickup, direct_loading
  advance             INTEGER NOT NULL,
  match_state         TEXT NOT NULL,        -- not_required, waiting, matched, mismatched
  manifest_id         INTEGER,
  manifest_version    INTEGER,
  differences         TEXT,                 -- JSON array, when mismatched
  live                INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL      -- microseconds since 1970, UTC
) WITHOUT ROWID;
INSERT INTO declaration_transport_0019 (declaration_number, call_key, bill_of_lading,
  direction, split_part, split_of, flow, advance, match_state, manifest_id,
  manifest_version, differences, live, updated_at)
  SELECT CASE WHEN length(declaration_number) = 18
                   AND declaration_number NOT GLOB '*[^0-9]*'
              THEN CAST(declaration_number AS INTEGER)
              ELSE -1 END,
         call_key, bill_of_lading, direction, split_part, split_of, flow, advance,
         match_state, manifest_id, manifest_version, differences, live,
         unixepoch(substr(updated_at, 1, 19)) * 1000000
           + CASE WHEN substr(updated_at, 20, 1) = '.'
                  THEN CAST(substr(rtrim(substr(updated_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
                  ELSE 0 END
  FROM declaration_transport;
DROP TABLE declaration_transport;
ALTER TABLE declaration_transport_0019 RENAME TO declaration_transport;
CREATE UNIQUE INDEX declaration_transport_claim
  ON declaration_transport (call_key, bill_of_lading, split_part) WHERE live = 1;
