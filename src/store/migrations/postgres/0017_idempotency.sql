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
ALTER TABLE idempotency_keys
  ALTER COLUMN created_at TYPE BIGINT
    USING (extract(epoch FROM substr(created_at, 1, 19)::timestamp) * 1000000)::bigint
          + CASE WHEN substr(created_at, 20, 1) = '.'
                 THEN substr(rtrim(substr(created_at, 21), 'Z') || '000000', 1, 6)::bigint
                 ELSE 0 END,
  ALTER COLUMN number TYPE BIGINT
    USING CASE WHEN number IS NULL THEN NULL
               WHEN number ~ '^[0-9]{18}$' THEN number::bigint ELSE -1 END;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_number
  CHECK (number BETWEEN 0 AND 999999999999999999);
