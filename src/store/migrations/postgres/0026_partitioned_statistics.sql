-- 0026_partitioned_statistics.sql - the planner's statistics of a
-- partitioned table as a whole (declarations, events), kept up as it grows.
--
-- A partitioned table holds no rows itself, so autovacuum never analyses
-- it, and neither did kouan_analyse_grown (0024): PostgreSQL reports no
-- changes for it. Its partitions have statistics of their own, but a join
-- with the table as a whole (an agency's worklist, tasks joined with their
-- declarations) is estimated from the whole's, and without them from
-- fixed guesses: 64,125 rows expected where 541 came, on 22,600
-- declarations, before the first ANALYZE of the table; 541 after.
--
-- kouan_analyse_grown now also analyses every partitioned table of this
-- schema that kouan's role may analyse and whose partitions hold, by
-- PostgreSQL's live count, at least min_changes rows and at least twice
-- the rows its statistics counted (none, before its first ANALYZE): each
-- time it doubles, as a growing plain table. ANALYZE of a partitioned
-- table samples the whole and analyses each partition too. A table that
-- stops growing keeps the statistics taken at half its size, which is
-- what a distribution that does not change needs. As before, it answers
-- the tables' names, and a table another session is analysing is skipped
-- (SKIP_LOCKED) and named all the same.
CREATE OR REPLACE FUNCTION kouan_analyse_grown(min_changes BIGINT) RETURNS SETOF TEXT
LANGUAGE plpgsql AS $fn$
DECLARE
  t text;
BEGIN
  FOR t IN
    SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = current_schema()
       AND c.relkind = 'r'
       AND s.n_mod_since_analyze >= min_changes
       AND s.n_mod_since_analyze >= GREATEST(c.reltuples, 0)
       AND pg_has_role(c.relowner, 'USAGE')
     ORDER BY s.relname
  LOOP
    EXECUTE format('ANALYZE (SKIP_LOCKED) %I.%I', current_schema(), t);
    RETURN NEXT t;
  END LOOP;
  FOR t IN
    SELECT p.relname FROM pg_class p
      JOIN pg_inherits i ON i.inhparent = p.oid
      JOIN pg_stat_user_tables s ON s.relid = i.inhrelid
     WHERE p.relkind = 'p'
       AND p.relnamespace = current_schema()::regnamespace
       AND pg_has_role(p.relowner, 'USAGE')
     GROUP BY p.oid, p.relname, p.reltuples
    HAVING SUM(s.n_live_tup) >= min_changes
       AND SUM(s.n_live_tup) >= 2 * GREATEST(p.reltuples, 0)
     ORDER BY p.relname
  LOOP
    EXECUTE format('ANALYZE (SKIP_LOCKED) %I.%I', current_schema(), t);
    RETURN NEXT t;
  END LOOP;
END
$fn$;
