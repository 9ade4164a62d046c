-- 0013_event_log.sql - the event log kept smaller (issue 13, bytes at
-- rest), shown as before (src/store/repo_events.c turns it back):
--
--   * an event's time as integer microseconds since 1970-01-01 UTC instead
--     of its 27 characters of RFC 3339 text (8 bytes instead of 28). A
--     time kept without a fraction of a second reads back with .000000;
--     the instant is the same;
--   * its type as a small integer, named by the table event_types (the
--     codes are those of src/domain/events.h, never changed or reused;
--     `system` marks the steps kouan takes by itself);
--   * actor and actor_role NULL for what kouan did by itself (actor
--     "kouan", role "system"), six or seven events of a lodgement's eight.
--
-- SQLite cannot change a column's type: the table is made again, with the
-- same ids, and the AUTOINCREMENT counter carried over, so an id is never
-- given twice. A type event_types does not name stops the migration (the
-- NOT NULL), rather than lose the event.
CREATE TABLE event_types (
  code    INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,
  system  INTEGER NOT NULL    -- 1: a step kouan takes by itself
);
INSERT INTO event_types (code, name, system) VALUES
  (1, 'declaration.lodged', 0),
  (2, 'declaration.accepted', 1),
  (3, 'declaration.assessed', 1),
  (4, 'declaration.corrected', 0),
  (5, 'declaration.returned', 1),
  (6, 'declaration.rejected', 1),
  (7, 'declaration.release_held', 1),
  (8, 'declaration.released', 1),
  (9, 'declaration.withdrawn', 0),
  (10, 'task.opened', 1),
  (11, 'task.reopened', 1),
  (12, 'task.closed', 1),
  (13, 'task.cleared', 0),
  (14, 'task.inspection_ordered', 0),
  (15, 'task.returned', 0),
  (16, 'task.rejected', 0),
  (17, 'inspection.opened', 1),
  (18, 'inspection.agency_joined', 1),
  (19, 'inspection.agency_left', 1),
  (20, 'inspection.booked', 0),
  (21, 'inspection.moved', 0),
  (22, 'inspection.cancelled', 0),
  (23, 'inspection.finding_recorded', 0),
  (24, 'inspection.finding_recognised', 0),
  (25, 'inspection.waived', 0),
  (26, 'inspection.completed', 1),
  (27, 'inspection.closed', 1),
  (28, 'duties.assessed', 1),
  (29, 'duties.declared_differs', 1),
  (30, 'duties.paid', 0),
  (31, 'guarantee.drawn', 1),
  (32, 'guarantee.restored', 1),
  (33, 'fee.charged', 0),
  (34, 'fee.waived', 0),
  (35, 'refund.applied', 0),
  (36, 'refund.approved', 0),
  (37, 'refund.rejected', 0),
  (38, 'conveyance.reported', 0),
  (39, 'conveyance.amended', 0),
  (40, 'conveyance.task_opened', 1),
  (41, 'conveyance.task_reopened', 1),
  (42, 'conveyance.task_cleared', 0),
  (43, 'conveyance.inspection_ordered', 0),
  (44, 'conveyance.task_returned', 0),
  (45, 'conveyance.task_rejected', 0),
  (46, 'conveyance.entry_permitted', 1),
  (47, 'conveyance.departure_permitted', 1),
  (48, 'conveyance.refused', 1),
  (49, 'conveyance.arrived', 0),
  (50, 'conveyance.departed', 0),
  (51, 'manifest.lodged', 0),
  (52, 'manifest.amended', 0),
  (53, 'manifest.closed', 0),
  (54, 'tally.reported', 0),
  (55, 'declaration.awaiting_manifest', 1),
  (56, 'declaration.matched', 1),
  (57, 'declaration.mismatched', 1),
  (58, 'declaration.unmatched', 1),
  (59, 'container.discharged', 0),
  (60, 'container.gated_in', 0),
  (61, 'container.loaded', 0),
  (62, 'container.gated_out', 0),
  (63, 'container.gate_refused', 0),
  (64, 'cbec.order.received', 0),
  (65, 'cbec.payment.received', 0),
  (66, 'cbec.waybill.received', 0),
  (67, 'cbec.inventory.received', 0),
  (68, 'cbec.document.withdrawn', 0),
  (69, 'cbec.order.classified', 1),
  (70, 'cbec.matched', 1),
  (71, 'cbec.mismatched', 1),
  (72, 'cbec.assessed', 1),
  (73, 'cbec.refused', 1),
  (74, 'cbec.held', 1),
  (75, 'cbec.agency_cleared', 0),
  (76, 'cbec.released', 0),
  (77, 'cbec.gate_out', 0),
  (78, 'cbec.returned', 0),
  (79, 'cbec.month.paid', 0);

CREATE TABLE events_0013 (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  declaration_number  TEXT NOT NULL,
  org_id              INTEGER NOT NULL,
  type                INTEGER NOT NULL, -- event_types.code
  agency              TEXT,
  actor               TEXT,             -- NULL: kouan itself
  actor_role          TEXT,             -- NULL: "system", kouan itself
  at                  INTEGER NOT NULL, -- microseconds since 1970, UTC
  data                TEXT NOT NULL,    -- JSON object with details (packed)
  call_key            TEXT
);
INSERT INTO events_0013 (id, declaration_number, org_id, type, agency, actor,
  actor_role, at, data, call_key)
  SELECT id, declaration_number, org_id,
         (SELECT code FROM event_types t WHERE t.name = events.type), agency,
         CASE WHEN actor = 'kouan' AND actor_role = 'system' THEN NULL ELSE actor END,
         CASE WHEN actor = 'kouan' AND actor_role = 'system' THEN NULL ELSE actor_role END,
         unixepoch(substr(at, 1, 19)) * 1000000
           + CASE WHEN substr(at, 20, 1) = '.'
                  THEN CAST(substr(rtrim(substr(at, 21), 'Z') || '000000', 1, 6) AS INTEGER)
                  ELSE 0 END,
         data, call_key
  FROM events ORDER BY id;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'events_0013', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events_0013');
UPDATE sqlite_sequence
  SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
  WHERE name = 'events_0013';
DROP TABLE events;
DELETE FROM sqlite_sequence WHERE name = 'events';
ALTER TABLE events_0013 RENAME TO events;
CREATE INDEX events_declaration ON events (declaration_number, id);
CREATE INDEX events_call ON events (call_key, id) WHERE declaration_number = '';
