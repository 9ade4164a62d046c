-- 0020_declaration_times.sql - a declaration's times kept smaller (issue
-- 13, bytes at rest), shown as before (src/store/repo_declarations.c turns
-- them back):
--
--   * lodged_at, updated_at and released_at as integer microseconds since
--     1970 UTC (as the events', tasks' and claims' times since 0013 to
--     0019), in the row and lodged_at again in declarations_org and
--     declarations_status. A time kept without a fraction of a second
--     reads back with .000000; the instant is the same.
--
-- The declarations are the parent of other tables' references, so the
-- table is not made again (dropping it would check every reference): each
-- time gets a new column, filled from the old one, which is then dropped
-- and whose name the new column takes. A kept time that does not begin
-- with a date and a time of day (RFC 3339; "now", which unixepoch would
-- read, does not) becomes -1, which the CHECK refuses: the migration stops
-- rather than lose when a declaration was lodged or released. (The
-- default only lets the columns be added to a table that has rows; every
-- insert gives them.)
DROP INDEX declarations_org;
DROP INDEX declarations_status;
ALTER TABLE declarations ADD COLUMN lodged_us INTEGER NOT NULL DEFAULT 0
  CHECK (lodged_us >= 0);
ALTER TABLE declarations ADD COLUMN updated_us INTEGER NOT NULL DEFAULT 0
  CHECK (updated_us >= 0);
ALTER TABLE declarations ADD COLUMN released_us INTEGER CHECK (released_us >= 0);
UPDATE declarations SET
  lodged_us = COALESCE(CASE WHEN lodged_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'
      THEN unixepoch(substr(lodged_at, 1, 19)) * 1000000
      + CASE WHEN substr(lodged_at, 20, 1) = '.'
             THEN CAST(substr(rtrim(substr(lodged_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
             ELSE 0 END END, -1),
  updated_us = COALESCE(CASE WHEN updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'
      THEN unixepoch(substr(updated_at, 1, 19)) * 1000000
      + CASE WHEN substr(updated_at, 20, 1) = '.'
             THEN CAST(substr(rtrim(substr(updated_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
             ELSE 0 END END, -1),
  released_us = CASE WHEN released_at IS NULL THEN NULL
    ELSE COALESCE(CASE WHEN released_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'
      THEN unixepoch(substr(released_at, 1, 19)) * 1000000
      + CASE WHEN substr(released_at, 20, 1) = '.'
             THEN CAST(substr(rtrim(substr(released_at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
             ELSE 0 END END, -1) END;
ALTER TABLE declarations DROP COLUMN lodged_at;
ALTER TABLE declarations DROP COLUMN updated_at;
ALTER TABLE declarations DROP COLUMN released_at;
ALTER TABLE declarations RENAME COLUMN lodged_us TO lodged_at;
ALTER TABLE declarations RENAME COLUMN updated_us TO updated_at;
ALTER TABLE declarations RENAME COLUMN released_us TO released_at;
CREATE INDEX declarations_org ON declarations (org_id, lodged_at);
CREATE INDEX declarations_status ON declarations (status, lodged_at);
