-- 0019_consignments.sql - the claims declarations make on a bill of
-- lading kept smaller (issue 13, bytes at rest), shown as before
-- (src/store/repo_transport.c):
--
--   * the declaration's number as its value, a bigint (as in the events,
--     tasks, idempotency records and assessments since 0015 to 0018);
--   * updated_at as integer microseconds since 1970 UTC.
--
-- The columns' types are changed in place, with the table's indexes. A
-- kept number that is not 18 digits would become -1, which the CHECK
-- refuses: the migration stops rather than lose whose claim it is.
ALTER TABLE declaration_transport
  ALTER COLUMN declaration_number TYPE BIGINT
    USING CASE WHEN declaration_number ~ '^[0-9]{18}$' THEN declaration_number::bigint
               ELSE -1 END,
  ALTER COLUMN updated_at TYPE BIGINT
    USING (extract(epoch FROM substr(updated_at, 1, 19)::timestamp) * 1000000)::bigint
          + CASE WHEN substr(updated_at, 20, 1) = '.'
                 THEN substr(rtrim(substr(updated_at, 21), 'Z') || '000000', 1, 6)::bigint
                 ELSE 0 END;
ALTER TABLE declaration_transport ADD CONSTRAINT declaration_transport_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
