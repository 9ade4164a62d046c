-- 0023_event_rows.sql - the events one transaction writes for one
-- declaration (or one call) share a row of the event log (issue 13, bytes
-- at rest): a lodgement's eight events took eight rows and sixteen index
-- entries, about 1,500 bytes of the 3,060 a declaration kept.
--
--   * A row keeps its first event in its columns as before, and the
--     others, in order, in `more`, packed (src/store/packed.h): a line
--     each of the microseconds after the row's `at`, the type code, and
--     the agency, actor, role, call and data as length-prefixed texts
--     (src/store/event_lines.h says the form); NULL for a row of one
--     event (every row written before this migration is one). The events
--     of a declaration may name different calls; a call's own events in
--     one row name the row's call, by which events_call finds them.
--   * The events of a row take its id and the ids after it: the sequence
--     now hands ids out 16 apart (STORE_EVENT_ROW_IDS in
--     src/store/store.h), so a row holds at most 16 events (a lodgement
--     writes 6 to 11), and event ids stay unique, in commit order, and
--     what readers already hold.
--   * feed_settled() answers the last id the last row handed out may hold.
--
-- The next row after this migration takes the id 16 past the last one
-- handed out. A server of an earlier version must not write to the
-- database once this has run (its feed would read a row's later events as
-- a gap): stop them all, migrate, start the new ones.
ALTER TABLE events ADD COLUMN more TEXT;
ALTER SEQUENCE events_id_seq INCREMENT BY 16;

CREATE OR REPLACE FUNCTION feed_settled() RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
  last BIGINT;
BEGIN
  PERFORM pg_advisory_lock(7242300502);
  SELECT CASE WHEN is_called THEN last_value + 15 ELSE 0 END INTO last FROM events_id_seq;
  PERFORM pg_advisory_unlock(7242300502);
  RETURN last;
EXCEPTION WHEN OTHERS THEN
  PERFORM pg_advisory_unlock(7242300502);
  RAISE;
END
$$;
