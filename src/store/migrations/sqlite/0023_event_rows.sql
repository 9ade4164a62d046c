-- 0023_event_rows.sql - the column in which a row of the event log keeps
-- the events after its first (see the PostgreSQL migration of the same
-- number). SQLite never fills it: its AUTOINCREMENT gives the next row the
-- next id, so each of its rows holds one event, and its events already
-- take under 2 KB a declaration. The same queries read both.
ALTER TABLE events ADD COLUMN more TEXT;
