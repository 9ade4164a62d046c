-- 0024_grown_tables.sql - the planner's statistics of a table that grew
-- (issue 13, the slow first minute): PostgreSQL plans a statement from
-- what the last ANALYZE (or VACUUM) counted. A table counted at a handful
-- of rows is planned as one (a sequential scan), and a prepared statement
-- keeps that plan, however large the table grows, until the statistics are
-- gathered again: autovacuum does it, but looks at a database once a
-- minute at most. A new database filled as fast as it would go lodged a
-- quarter as many declarations in its first minute as with its statistics
-- kept up (bench/README, issue 13, twelfth round).
--
-- kouan_analyse_grown(min_changes) runs ANALYZE on every table of this
-- schema that kouan's role may analyse and that has changed at least
-- min_changes times since its statistics were gathered, and at least as
-- many times as they counted rows: a growing table is analysed each time
-- it doubles, and a large, steady one is left to autovacuum. It answers
-- the tables' names. A table another session is analysing is skipped
-- (SKIP_LOCKED) and named all the same: the statistics are being
-- gathered. The server calls it every few seconds (housekeeping.h); the
-- statistics it reads are those the sessions have reported, a second or
-- so behind.
CREATE FUNCTION kouan_analyse_grown(min_changes BIGINT) RETURNS SETOF TEXT
LANGUAGE plpgsql AS $fn$
DECLARE
  t text;
BEGIN
  FOR t IN
    SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = current_schema()
       AND s.n_mod_since_analyze >= min_changes
       AND s.n_mod_since_analyze >= GREATEST(c.reltuples, 0)
       AND pg_has_role(c.relowner, 'USAGE')
     ORDER BY s.relname
  LOOP
    EXECUTE format('ANALYZE (SKIP_LOCKED) %I.%I', current_schema(), t);
    RETURN NEXT t;
  END LOOP;
END
$fn$;
