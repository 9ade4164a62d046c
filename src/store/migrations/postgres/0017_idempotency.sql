-- 0017_idempotency.sql - Idempotency-Key records kept smaller (issue 13,
-- bytes at rest), shown as before (src/store/repo_declarations.c):
--
--   * created_at as integer microseconds since 1970 UTC, in the row and in
--     idempotency_keys_created, which the background purge reads by age;
--   * the lodged declaration's number as its value, a bigint (as the
--     events' and tasks' since 0015 and 0016), NULL as before for a record
--     that names no declaration.
--
-- The columns' types are changed in place, with the table's indexes. A
-- kept number that is not 18 digits would become -1, which the CHECK
-- refuses: the migration stops rather than lose which declaration a
-- replay shows.
-- (the conversions: kouan_number_value and kouan_time_us, made by 0015)
ALTER TABLE idempotency_keys
  ALTER COLUMN created_at TYPE BIGINT USING kouan_time_us(created_at),
  ALTER COLUMN number TYPE BIGINT USING kouan_number_value(number);
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_number
  CHECK (number BETWEEN 0 AND 999999999999999999);
