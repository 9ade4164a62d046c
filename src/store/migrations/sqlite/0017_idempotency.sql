-- 0017_idempotency.sql - Idempotency-Key records kept smaller (issue 13,
-- bytes at rest), shown as before (src/store/repo_declarations.c):
--
--   * created_at as integer microseconds since 1970 UTC, in the row and in
--     idempotency_keys_created, which the background purge reads by age;
--   * the lodged declaration's number as its value, an integer (as the
--     events' and tasks' since 0015 and 0016), NULL as before for a record
--     that names no declaration.
--
-- SQLite cannot change a column's type: the table is made again. A kept
-- number that is not 18 digits would become -1, which the CHECK refuses:
-- the migration stops rather than lose which declaration a replay shows.
CREATE TABLE idempotency_keys_0017 (
  org_id        INTEGER NOT NULL,
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER NOT NULL,
  response      TEXT NOT NULL,
  created_at    INTEGER NOT NULL,   -- microseconds since 1970, UTC
  number        INTEGER             -- the declaration lodged, or NULL
                CHECK (number BETWEEN 0 AND 999999999999999999),
  version       INTEGER,
  PRIMARY KEY (org_id, key)
);
INSERT INTO idempotency_keys_0017 (org_id, key, request_hash, status, response,
  created_at, number, version)
  SELECT org_id, key, request_hash, status, response,
         unixepoch(substr(created_at, 1, 19)) * 1000000
           + CASE WHEN substr(created_at, 20, 1) = '.'
                  THEN CAST(substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
                  ELSE 0 END,
         CASE WHEN number IS NULL THEN NULL
              WHEN length(number) = 18 AND number NOT GLOB '*[^0-9]*'
              THEN CAST(number AS INTEGER)
              ELSE -1 END,
         version
  FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_0017 RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
