-- 0013_event_times.sql - an event's time is kept as integer microseconds
-- since 1970-01-01 UTC instead of its 27 characters of RFC 3339 text
-- (issue 13, bytes at rest): 8 bytes instead of 28 in each event and in
-- its primary key's index entry. kouan shows it as before
-- (src/store/repo_events.c writes it back as RFC 3339 with microseconds);
-- the instant is the same. A time kept without a fraction of a second
-- reads back with .000000.
--
-- The events stay partitioned by month of their time, now by ranges of
-- microseconds. The table is made again: the old one and its partitions
-- are renamed out of the way, their rows copied with the same ids, and
-- dropped. The id sequence (events_id_seq, which feed_settled() reads)
-- is kept and passed to the new table, so an id is never given twice.
ALTER SEQUENCE events_id_seq OWNED BY NONE;
ALTER TABLE events RENAME TO events_0012;
ALTER INDEX events_pkey RENAME TO events_0012_pkey;
ALTER INDEX events_id RENAME TO events_0012_id;
ALTER INDEX events_declaration RENAME TO events_0012_declaration;
ALTER INDEX events_call RENAME TO events_0012_call;
DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'events_0012'::regclass LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', p.relname, 'old_' || p.relname);
  END LOOP;
END
$$;

CREATE TABLE events (
  id                  BIGINT NOT NULL DEFAULT nextval('events_id_seq'),
  declaration_number  TEXT COLLATE "C" NOT NULL,
  org_id              BIGINT NOT NULL,
  type                TEXT COLLATE "C" NOT NULL,
  agency              TEXT COLLATE "C",
  actor               TEXT NOT NULL,
  actor_role          TEXT NOT NULL,
  at                  BIGINT NOT NULL,  -- microseconds since 1970, UTC
  data                TEXT NOT NULL,    -- JSON object with details (packed)
  call_key            TEXT COLLATE "C",
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_id ON events (id);
CREATE INDEX events_declaration ON events (declaration_number, id);
CREATE INDEX events_call ON events (call_key, id) WHERE declaration_number = '';
ALTER SEQUENCE events_id_seq OWNED BY events.id;

-- The events' partition of the month that begins on m (a first of the
-- month), unless it exists or rows of that month already sit in the
-- default partition (they stay there; everything stays queryable).
CREATE FUNCTION kouan_events_partition(m date) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  lo bigint := (extract(epoch FROM m::timestamp) * 1000000)::bigint;
  hi bigint := (extract(epoch FROM (m + interval '1 month')::timestamp) * 1000000)::bigint;
  part text := 'events_' || to_char(m, 'YYYYMM');
BEGIN
  IF to_regclass(part) IS NOT NULL
     OR EXISTS (SELECT 1 FROM events_default WHERE at >= lo AND at < hi) THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)',
                 part, lo, hi);
END
$fn$;

-- Monthly partitions from last month to `ahead` months on: declarations by
-- the text of lodged_at, events by their microseconds.
CREATE OR REPLACE FUNCTION kouan_ensure_partitions(ahead integer) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  m date;
  lo text;
  hi text;
  part text;
BEGIN
  FOR i IN -1..ahead LOOP
    m := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date;
    PERFORM kouan_events_partition(m);
    lo := to_char(m, 'YYYY-MM-DD') || 'T00:00:00';
    hi := to_char((m + interval '1 month')::date, 'YYYY-MM-DD') || 'T00:00:00';
    part := 'declarations_' || to_char(m, 'YYYYMM');
    CONTINUE WHEN to_regclass(part) IS NOT NULL;
    CONTINUE WHEN EXISTS (SELECT 1 FROM declarations_default
                          WHERE lodged_at >= lo AND lodged_at < hi);
    EXECUTE format('CREATE TABLE %I PARTITION OF declarations FOR VALUES FROM (%L) TO (%L)',
                   part, lo, hi);
  END LOOP;
END
$fn$;

-- a partition for every month the kept events span, then the rows
SELECT kouan_events_partition(to_date(month, 'YYYY-MM'))
  FROM (SELECT DISTINCT substr(at, 1, 7) AS month FROM events_0012) AS months;
INSERT INTO events (id, declaration_number, org_id, type, agency, actor, actor_role,
                    at, data, call_key)
  SELECT id, declaration_number, org_id, type, agency, actor, actor_role,
         (extract(epoch FROM substr(at, 1, 19)::timestamp) * 1000000)::bigint
           + CASE WHEN substr(at, 20, 1) = '.'
                  THEN substr(rtrim(substr(at, 21), 'Z') || '000000', 1, 6)::bigint
                  ELSE 0 END,
         data, call_key
  FROM events_0012;
DROP TABLE events_0012;
SELECT kouan_ensure_partitions(3);
