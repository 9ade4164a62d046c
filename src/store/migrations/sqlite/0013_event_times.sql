-- 0013_event_times.sql - an event's time is kept as integer microseconds
-- since 1970-01-01 UTC instead of its 27 characters of RFC 3339 text: 8
-- bytes instead of 28 in each of about eight events a declaration (issue
-- 13, bytes at rest). kouan shows it as before (src/store/repo_events.c
-- writes it back as RFC 3339 with microseconds); the instant is the same.
-- A time kept without a fraction of a second reads back with .000000.
--
-- SQLite cannot change a column's type: the table is made again, with the
-- same ids, and the AUTOINCREMENT counter carried over, so an id is never
-- given twice.
CREATE TABLE events_0013 (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  declaration_number  TEXT NOT NULL,
  org_id              INTEGER NOT NULL,
  type                TEXT NOT NULL,
  agency              TEXT,
  actor               TEXT NOT NULL,
  actor_role          TEXT NOT NULL,
  at                  INTEGER NOT NULL, -- microseconds since 1970, UTC
  data                TEXT NOT NULL,    -- JSON object with details (packed)
  call_key            TEXT
);
INSERT INTO events_0013 (id, declaration_number, org_id, type, agency, actor,
  actor_role, at, data, call_key)
  SELECT id, declaration_number, org_id, type, agency, actor, actor_role,
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
