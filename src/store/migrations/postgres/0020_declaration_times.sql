-- 0020_declaration_times.sql - a declaration's times kept smaller (issue
-- 13, bytes at rest), shown as before (src/store/repo_declarations.c turns
-- them back):
--
--   * lodged_at, updated_at and released_at as integer microseconds since
--     1970 UTC (as the events', tasks' and claims' times since 0013 to
--     0019), in the row, in the primary key and in declarations_org and
--     declarations_status;
--   * the monthly partitions by those microseconds, as the events' (0013),
--     both made by one function, kouan_month_partition.
--
-- The partition key's type cannot be changed in place: the table is made
-- again with its partitions and indexes, and the rows copied (nothing
-- references the declarations: their key holds lodged_at). A kept time
-- that does not begin with a date and a time of day (RFC 3339) stops the
-- migration rather than lose when a declaration was lodged or released:
-- kouan_time_us (made by 0015) now gives NULL for it, which becomes -1,
-- which the CHECK refuses; before, PostgreSQL read words such as "now" or
-- "yesterday" as times. A date that does not exist stops it too.
ALTER TABLE declarations RENAME TO declarations_0019;
ALTER INDEX declarations_pkey RENAME TO declarations_0019_pkey;
ALTER INDEX declarations_number RENAME TO declarations_0019_number;
ALTER INDEX declarations_org RENAME TO declarations_0019_org;
ALTER INDEX declarations_status RENAME TO declarations_0019_status;
ALTER INDEX declarations_consignee RENAME TO declarations_0019_consignee;
ALTER INDEX declarations_port RENAME TO declarations_0019_port;
ALTER INDEX declarations_withdrawn RENAME TO declarations_0019_withdrawn;
DO $$
DECLARE
  p record;
BEGIN
  -- the partitions and their indexes, so that the new ones take the names
  FOR p IN SELECT ci.relname FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid
           JOIN pg_class ci ON ci.oid = x.indexrelid
           WHERE i.inhparent = 'declarations_0019'::regclass LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', p.relname, left('old_' || p.relname, 63));
  END LOOP;
  FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'declarations_0019'::regclass LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', p.relname, 'old_' || p.relname);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION kouan_time_us(t text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
    THEN (extract(epoch FROM substr(t, 1, 19)::timestamp) * 1000000)::bigint
         + CASE WHEN substr(t, 20, 1) = '.'
                THEN substr(rtrim(substr(t, 21), 'Z') || '000000', 1, 6)::bigint
                ELSE 0 END END
$fn$;

CREATE TABLE declarations (
  number              TEXT COLLATE "C" NOT NULL,
  org_id              BIGINT NOT NULL REFERENCES organisations (id),
  lodged_by           BIGINT NOT NULL REFERENCES users (id),
  status              TEXT COLLATE "C" NOT NULL,
  direction           TEXT COLLATE "C" NOT NULL,
  declaration_office  TEXT COLLATE "C" NOT NULL,
  port_office         TEXT COLLATE "C" NOT NULL,
  bill_of_lading      TEXT NOT NULL,
  version             BIGINT NOT NULL,
  body                TEXT NOT NULL,     -- canonical JSON (packed)
  lodged_at           BIGINT NOT NULL CHECK (lodged_at >= 0),  -- microseconds since 1970, UTC
  updated_at          BIGINT NOT NULL CHECK (updated_at >= 0), -- microseconds since 1970, UTC
  released_at         BIGINT CHECK (released_at >= 0),         -- microseconds since 1970, UTC
  consignee_uscc      TEXT COLLATE "C" NOT NULL DEFAULT '',
  port                TEXT COLLATE "C" NOT NULL DEFAULT '',
  PRIMARY KEY (number, lodged_at)
) PARTITION BY RANGE (lodged_at);
CREATE TABLE declarations_default PARTITION OF declarations DEFAULT;
CREATE INDEX declarations_number ON declarations (number);
CREATE INDEX declarations_org ON declarations (org_id, lodged_at);
CREATE INDEX declarations_status ON declarations (status, lodged_at);
CREATE INDEX declarations_consignee ON declarations (consignee_uscc, direction);
CREATE INDEX declarations_port ON declarations (port, status);
CREATE INDEX declarations_withdrawn ON declarations (consignee_uscc, bill_of_lading)
  WHERE status = 'withdrawn';

-- The partition of table t (partitioned by column col, microseconds) for
-- the month that begins on m (a first of the month), unless it exists or
-- rows of that month already sit in the default partition (they stay
-- there; everything stays queryable). One function for both tables: it
-- takes the place of 0013's kouan_events_partition.
CREATE FUNCTION kouan_month_partition(t text, col text, m date) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  lo bigint := (extract(epoch FROM m::timestamp) * 1000000)::bigint;
  hi bigint := (extract(epoch FROM (m + interval '1 month')::timestamp) * 1000000)::bigint;
  part text := t || '_' || to_char(m, 'YYYYMM');
  taken boolean;
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= %s AND %I < %s)',
                 t || '_default', col, lo, col, hi) INTO taken;
  IF taken THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                 part, t, lo, hi);
END
$fn$;

-- Monthly partitions from last month to `ahead` months on, both tables by
-- their microseconds.
CREATE OR REPLACE FUNCTION kouan_ensure_partitions(ahead integer) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  m date;
BEGIN
  FOR i IN -1..ahead LOOP
    m := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date;
    PERFORM kouan_month_partition('events', 'at', m);
    PERFORM kouan_month_partition('declarations', 'lodged_at', m);
  END LOOP;
END
$fn$;
DROP FUNCTION kouan_events_partition(date);

-- a partition for every month the kept declarations span, then the rows
SELECT kouan_month_partition('declarations', 'lodged_at', to_date(month, 'YYYY-MM'))
  FROM (SELECT DISTINCT substr(lodged_at, 1, 7) AS month FROM declarations_0019) AS months
  WHERE month ~ '^[0-9]{4}-[0-9]{2}$';
INSERT INTO declarations (number, org_id, lodged_by, status, direction, declaration_office,
                          port_office, bill_of_lading, version, body, lodged_at, updated_at,
                          released_at, consignee_uscc, port)
  SELECT number, org_id, lodged_by, status, direction, declaration_office, port_office,
         bill_of_lading, version, body, COALESCE(kouan_time_us(lodged_at), -1),
         COALESCE(kouan_time_us(updated_at), -1),
         CASE WHEN released_at IS NULL THEN NULL
              ELSE COALESCE(kouan_time_us(released_at), -1) END,
         consignee_uscc, port
  FROM declarations_0019;
DROP TABLE declarations_0019;
SELECT kouan_ensure_partitions(3);
