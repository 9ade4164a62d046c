-- 0013_event_log.sql - the event log kept smaller (issue 13, bytes at
-- rest), shown as before (src/store/repo_events.c turns it back):
--
--   * an event's time as integer microseconds since 1970-01-01 UTC instead
--     of its 27 characters of RFC 3339 text, in the row and in its primary
--     key's index entry. A time kept without a fraction of a second reads
--     back with .000000; the instant is the same;
--   * its type as a small integer, named by the table event_types (the
--     codes are those of src/domain/events.h, never changed or reused;
--     `system` marks the steps kouan takes by itself);
--   * actor and actor_role NULL for what kouan did by itself (actor
--     "kouan", role "system"), six or seven events of a lodgement's eight;
--   * no index on id alone: the primary key's (id, at) reads in id order.
--
-- The events stay partitioned by month of their time, now by ranges of
-- microseconds. The table is made again: the old one and its partitions
-- are renamed out of the way, their rows copied with the same ids, and
-- dropped. The id sequence (events_id_seq, which feed_settled() reads)
-- is kept and passed to the new table, so an id is never given twice. A
-- type event_types does not name stops the migration (the NOT NULL),
-- rather than lose the event.
CREATE TABLE event_types (
  code    SMALLINT PRIMARY KEY,
  name    TEXT COLLATE "C" NOT NULL UNIQUE,
  system  BOOLEAN NOT NULL    -- a step kouan takes by itself
);
INSERT INTO event_types (code, name, system) VALUES
  (1, 'declaration.lodged', false),
  (2, 'declaration.accepted', true),
  (3, 'declaration.assessed', true),
  (4, 'declaration.corrected', false),
  (5, 'declaration.returned', true),
  (6, 'declaration.rejected', true),
  (7, 'declaration.release_held', true),
  (8, 'declaration.released', true),
  (9, 'declaration.withdrawn', false),
  (10, 'task.opened', true),
  (11, 'task.reopened', true),
  (12, 'task.closed', true),
  (13, 'task.cleared', false),
  (14, 'task.inspection_ordered', false),
  (15, 'task.returned', false),
  (16, 'task.rejected', false),
  (17, 'inspection.opened', true),
  (18, 'inspection.agency_joined', true),
  (19, 'inspection.agency_left', true),
  (20, 'inspection.booked', false),
  (21, 'inspection.moved', false),
  (22, 'inspection.cancelled', false),
  (23, 'inspection.finding_recorded', false),
  (24, 'inspection.finding_recognised', false),
  (25, 'inspection.waived', false),
  (26, 'inspection.completed', true),
  (27, 'inspection.closed', true),
  (28, 'duties.assessed', true),
  (29, 'duties.declared_differs', true),
  (30, 'duties.paid', false),
  (31, 'guarantee.drawn', true),
  (32, 'guarantee.restored', true),
  (33, 'fee.charged', false),
  (34, 'fee.waived', false),
  (35, 'refund.applied', false),
  (36, 'refund.approved', false),
  (37, 'refund.rejected', false),
  (38, 'conveyance.reported', false),
  (39, 'conveyance.amended', false),
  (40, 'conveyance.task_opened', true),
  (41, 'conveyance.task_reopened', true),
  (42, 'conveyance.task_cleared', false),
  (43, 'conveyance.inspection_ordered', false),
  (44, 'conveyance.task_returned', false),
  (45, 'conveyance.task_rejected', false),
  (46, 'conveyance.entry_permitted', true),
  (47, 'conveyance.departure_permitted', true),
  (48, 'conveyance.refused', true),
  (49, 'conveyance.arrived', false),
  (50, 'conveyance.departed', false),
  (51, 'manifest.lodged', false),
  (52, 'manifest.amended', false),
  (53, 'manifest.closed', false),
  (54, 'tally.reported', false),
  (55, 'declaration.awaiting_manifest', true),
  (56, 'declaration.matched', true),
  (57, 'declaration.mismatched', true),
  (58, 'declaration.unmatched', true),
  (59, 'container.discharged', false),
  (60, 'container.gated_in', false),
  (61, 'container.loaded', false),
  (62, 'container.gated_out', false),
  (63, 'container.gate_refused', false),
  (64, 'cbec.order.received', false),
  (65, 'cbec.payment.received', false),
  (66, 'cbec.waybill.received', false),
  (67, 'cbec.inventory.received', false),
  (68, 'cbec.document.withdrawn', false),
  (69, 'cbec.order.classified', true),
  (70, 'cbec.matched', true),
  (71, 'cbec.mismatched', true),
  (72, 'cbec.assessed', true),
  (73, 'cbec.refused', true),
  (74, 'cbec.held', true),
  (75, 'cbec.agency_cleared', false),
  (76, 'cbec.released', false),
  (77, 'cbec.gate_out', false),
  (78, 'cbec.returned', false),
  (79, 'cbec.month.paid', false);

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
  -- the partitions and their indexes, so that the new ones take the names
  FOR p IN SELECT ci.relname FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid
           JOIN pg_class ci ON ci.oid = x.indexrelid
           WHERE i.inhparent = 'events_0012'::regclass LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', p.relname, left('old_' || p.relname, 63));
  END LOOP;
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
  type                SMALLINT NOT NULL, -- event_types.code
  agency              TEXT COLLATE "C",
  actor               TEXT,              -- NULL: kouan itself
  actor_role          TEXT,              -- NULL: "system", kouan itself
  at                  BIGINT NOT NULL,   -- microseconds since 1970, UTC
  data                TEXT NOT NULL,     -- JSON object with details (packed)
  call_key            TEXT COLLATE "C",
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
-- no index on id alone (events_id before): the primary key's index
-- (id, at) reads the events in id order, as the feed does, partition by
-- partition
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
  SELECT id, declaration_number, org_id,
         (SELECT code FROM event_types t WHERE t.name = events_0012.type), agency,
         CASE WHEN actor = 'kouan' AND actor_role = 'system' THEN NULL ELSE actor END,
         CASE WHEN actor = 'kouan' AND actor_role = 'system' THEN NULL ELSE actor_role END,
         (extract(epoch FROM substr(at, 1, 19)::timestamp) * 1000000)::bigint
           + CASE WHEN substr(at, 20, 1) = '.'
                  THEN substr(rtrim(substr(at, 21), 'Z') || '000000', 1, 6)::bigint
                  ELSE 0 END,
         data, call_key
  FROM events_0012;
DROP TABLE events_0012;
SELECT kouan_ensure_partitions(3);
