-- 0015_event_numbers.sql - an event names its declaration by the number's
-- value, an integer, instead of its 18 digits of text (issue 13, bytes at
-- rest): 8 bytes instead of 19, in the row and again in the index by
-- declaration (about 20 bytes an event, eight events a lodgement).
--
--   * a declaration number is always 18 digits (domain/declaration.c,
--     declaration_number_valid); it may begin with 0 (Beijing's offices
--     are 01xx), so it is shown again zero-padded to 18 digits
--     (src/store/repo_events.c, EVENT_NUMBER);
--   * a call's own events, which name no declaration, keep NULL instead
--     of the empty text.
--
-- SQLite cannot change a column's type: the table is made again, with the
-- same ids, and the AUTOINCREMENT counter carried over (as in 0013). A
-- kept number that is not 18 digits would become -1, which the CHECK
-- refuses: the migration stops rather than lose which declaration an
-- event belongs to.
CREATE TABLE events_0015 (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  declaration_number  INTEGER           -- NULL: a call's own event
                      CHECK (declaration_number BETWEEN 0 AND 999999999999999999),
  org_id              INTEGER NOT NULL,
  type                INTEGER NOT NULL, -- event_types.code
  agency              TEXT,
  actor               TEXT,             -- NULL: kouan itself
  actor_role          TEXT,             -- NULL: "system", kouan itself
  at                  INTEGER NOT NULL, -- microseconds since 1970, UTC
  data                TEXT NOT NULL,    -- JSON object with details (packed)
  call_key            TEXT
);
INSERT INTO events_0015 (id, declaration_number, org_id, type, agency, actor,
  actor_role, at, data, call_key)
  SELECT id,
         CASE WHEN declaration_number = '' THEN NULL
              WHEN length(declaration_number) = 18
                   AND declaration_number NOT GLOB '*[^0-9]*'
              THEN CAST(declaration_number AS INTEGER)
              ELSE -1 END,
         org_id, type, agency, actor, actor_role, at, data, call_key
  FROM events ORDER BY id;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'events_0015', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events_0015');
UPDATE sqlite_sequence
  SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
  WHERE name = 'events_0015';
DROP TABLE events;
DELETE FROM sqlite_sequence WHERE name = 'events';
ALTER TABLE events_0015 RENAME TO events;
CREATE INDEX events_declaration ON events (declaration_number, id);
CREATE INDEX events_call ON events (call_key, id) WHERE declaration_number IS NULL;
