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
-- (the conversions: kouan_number_value and kouan_time_us, made by 0015)
ALTER TABLE declaration_transport
  ALTER COLUMN declaration_number TYPE BIGINT USING kouan_number_value(declaration_number),
  ALTER COLUMN updated_at TYPE BIGINT USING kouan_time_us(updated_at);
ALTER TABLE declaration_transport ADD CONSTRAINT declaration_transport_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
