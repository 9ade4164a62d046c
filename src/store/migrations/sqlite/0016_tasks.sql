-- 0016_tasks.sql - the agencies' tasks kept smaller (issue 13, bytes at
-- rest), shown as before (src/store/repo_declarations.c turns them back):
--
--   * the declaration's number as its value, an integer (as the events'
--     since 0015; NUMBER_TEXT in repo_internal.h shows the 18 digits
--     again, zero-padded), in the row and in tasks_worklist;
--   * opened_at and decided_at as integer microseconds since 1970 UTC (as
--     the events' times since 0013), in the row and opened_at again in
--     tasks_worklist. A time kept without a fraction of a second reads
--     back with .000000; the instant is the same.
--
-- SQLite cannot change a column's type: the table is made again. The
-- reference to declarations (number) cannot hold between an integer and
-- the declarations' text key, so it is not made again; tasks are only
-- written by the lodging that writes the declaration (as on PostgreSQL,
-- which never had it). A kept number that is not 18 digits would become
-- -1, which the CHECK refuses: the migration stops rather than lose whose
-- task it is.
CREATE TABLE tasks_0016 (
  declaration_number  INTEGER NOT NULL
                      CHECK (declaration_number BETWEEN 0 AND 999999999999999999),
  agency              TEXT NOT NULL,
  status              TEXT NOT NULL,    -- open, inspecting, cleared, returned, rejected, closed
  basis_digest        TEXT NOT NULL,    -- what the agency acts on; a change reopens
  opened_at           INTEGER NOT NULL, -- microseconds since 1970, UTC
  decided_at          INTEGER,          -- microseconds since 1970, UTC
  decided_by          TEXT,
  decision            TEXT,
  reason              TEXT,
  PRIMARY KEY (declaration_number, agency)
) WITHOUT ROWID;
INSERT INTO tasks_0016 (declaration_number, agency, status, basis_digest, opened_at,
  decided_at, decided_by, decision, reason)
  SELECT CASE WHEN length(declaration_number) = 18
                   AND declaration_number NOT GLOB '*[^0-9]*'
              THEN CAST(declaration_number AS INTEGER)
              ELSE -1 END,
         agency, status, basis_digest,
         unixepoch(substr(opened_at, 1, 19)) * 1000000
           + CASE WHEN substr(opened_at, 20, 1) = '.'
                  THEN CAST(substr(rtrim(substr(opened_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
                  ELSE 0 END,
         CASE WHEN decided_at IS NULL THEN NULL
              ELSE unixepoch(substr(decided_at, 1, 19)) * 1000000
                   + CASE WHEN substr(decided_at, 20, 1) = '.'
                          THEN CAST(substr(rtrim(substr(decided_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
                          ELSE 0 END END,
         decided_by, decision, reason
  FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_0016 RENAME TO tasks;
CREATE INDEX tasks_worklist ON tasks (agency, status, opened_at);
