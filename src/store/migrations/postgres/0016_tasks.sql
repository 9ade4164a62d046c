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
-- (the conversions: kouan_number_value and kouan_time_us, made by 0015)
ALTER TABLE tasks
  ALTER COLUMN declaration_number TYPE BIGINT USING kouan_number_value(declaration_number),
  ALTER COLUMN opened_at TYPE BIGINT USING kouan_time_us(opened_at),
  ALTER COLUMN decided_at TYPE BIGINT USING kouan_time_us(decided_at);
ALTER TABLE tasks ADD CONSTRAINT tasks_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
