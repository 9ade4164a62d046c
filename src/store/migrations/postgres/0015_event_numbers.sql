-- 0015_event_numbers.sql - an event names its declaration by the number's
-- value, a bigint, instead of its 18 digits of text (issue 13, bytes at
-- rest), in the row and in the index by declaration.
--
--   * a declaration number is always 18 digits (domain/declaration.c,
--     declaration_number_valid); it may begin with 0 (Beijing's offices
--     are 01xx), so it is shown again zero-padded to 18 digits
--     (src/store/repo_events.c, EVENT_NUMBER);
--   * a call's own events, which name no declaration, keep NULL instead
--     of the empty text.
--
-- The column's type is changed in place, partition by partition, with its
-- indexes; the partial index of the calls' events is made again on its
-- new condition. A kept number that is not 18 digits would become -1,
-- which the CHECK refuses: the migration stops rather than lose which
-- declaration an event belongs to.
DROP INDEX events_call;
ALTER TABLE events ALTER COLUMN declaration_number DROP NOT NULL;
ALTER TABLE events ALTER COLUMN declaration_number TYPE BIGINT
  USING CASE WHEN declaration_number = '' THEN NULL
             WHEN declaration_number ~ '^[0-9]{18}$' THEN declaration_number::bigint
             ELSE -1 END;
ALTER TABLE events ADD CONSTRAINT events_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
CREATE INDEX events_call ON events (call_key, id) WHERE declaration_number IS NULL;
