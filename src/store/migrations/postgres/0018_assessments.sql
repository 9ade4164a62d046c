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
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['risk_assessments', 'duty_assessments'] LOOP
    EXECUTE format($sql$
      ALTER TABLE %I
        ALTER COLUMN declaration_number TYPE BIGINT
          USING CASE WHEN declaration_number ~ '^[0-9]{18}$' THEN declaration_number::bigint
                     ELSE -1 END,
        ALTER COLUMN assessed_at TYPE BIGINT
          USING (extract(epoch FROM substr(assessed_at, 1, 19)::timestamp) * 1000000)::bigint
                + CASE WHEN substr(assessed_at, 20, 1) = '.'
                       THEN substr(rtrim(substr(assessed_at, 21), 'Z') || '000000', 1, 6)::bigint
                       ELSE 0 END$sql$, t);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I'
                   ' CHECK (declaration_number BETWEEN 0 AND 999999999999999999)',
                   t, t || '_declaration_number');
  END LOOP;
END
$$;
