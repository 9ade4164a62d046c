-- 0018_assessments.sql - risk and duty assessments kept smaller (issue 13,
-- bytes at rest), shown as before (src/store/repo_risk.c, repo_money.c):
--
--   * the declaration's number as its value, a bigint (as the events',
--     tasks' and idempotency records' since 0015 to 0017), in the row and
--     in the keys;
--   * assessed_at as integer microseconds since 1970 UTC.
--
-- The columns' types are changed in place, with the tables' indexes. A
-- kept number that is not 18 digits would become -1, which the CHECK
-- refuses: the migration stops rather than lose whose assessment it is.
-- (the conversions: kouan_number_value and kouan_time_us, made by 0015)
ALTER TABLE risk_assessments
  ALTER COLUMN declaration_number TYPE BIGINT USING kouan_number_value(declaration_number),
  ALTER COLUMN assessed_at TYPE BIGINT USING kouan_time_us(assessed_at);
ALTER TABLE risk_assessments ADD CONSTRAINT risk_assessments_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
ALTER TABLE duty_assessments
  ALTER COLUMN declaration_number TYPE BIGINT USING kouan_number_value(declaration_number),
  ALTER COLUMN assessed_at TYPE BIGINT USING kouan_time_us(assessed_at);
ALTER TABLE duty_assessments ADD CONSTRAINT duty_assessments_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
