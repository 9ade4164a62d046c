-- 0016_tasks.sql - the agencies' tasks kept smaller (issue 13, bytes at
-- rest), shown as before (src/store/repo_declarations.c turns them back):
--
--   * the declaration's number as its value, a bigint (as the events'
--     since 0015; NUMBER_TEXT in repo_internal.h shows the 18 digits
--     again, zero-padded), in the row and in tasks_worklist;
--   * opened_at and decided_at as integer microseconds since 1970 UTC (as
--     the events' times since 0013), in the row and opened_at again in
--     tasks_worklist. A time kept without a fraction of a second reads
--     back with .000000; the instant is the same.
--
-- The columns' types are changed in place, with the table's indexes. A
-- kept number that is not 18 digits would become -1, which the CHECK
-- refuses: the migration stops rather than lose whose task it is.
ALTER TABLE tasks
  ALTER COLUMN declaration_number TYPE BIGINT
    USING CASE WHEN declaration_number ~ '^[0-9]{18}$' THEN declaration_number::bigint
               ELSE -1 END,
  ALTER COLUMN opened_at TYPE BIGINT
    USING (extract(epoch FROM substr(opened_at, 1, 19)::timestamp) * 1000000)::bigint
          + CASE WHEN substr(opened_at, 20, 1) = '.'
                 THEN substr(rtrim(substr(opened_at, 21), 'Z') || '000000', 1, 6)::bigint
                 ELSE 0 END,
  ALTER COLUMN decided_at TYPE BIGINT
    USING (extract(epoch FROM substr(decided_at, 1, 19)::timestamp) * 1000000)::bigint
          + CASE WHEN substr(decided_at, 20, 1) = '.'
                 THEN substr(rtrim(substr(decided_at, 21), 'Z') || '000000', 1, 6)::bigint
                 ELSE 0 END;
ALTER TABLE tasks ADD CONSTRAINT tasks_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
