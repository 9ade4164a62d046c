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
--
-- The two conversions, used again by 0016 to 0019: a number kept as text
-- to its value (NULL for none, -1 for one that is not 18 digits), and
-- RFC 3339 UTC text to microseconds since 1970 (NULL stays NULL; a time
-- without a fraction of a second is a whole second).
CREATE FUNCTION kouan_number_value(t text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE WHEN t IS NULL OR t = '' THEN NULL
              WHEN t ~ '^[0-9]{18}$' THEN t::bigint
              ELSE -1 END
$fn$;
CREATE FUNCTION kouan_time_us(t text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT (extract(epoch FROM substr(t, 1, 19)::timestamp) * 1000000)::bigint
         + CASE WHEN substr(t, 20, 1) = '.'
                THEN substr(rtrim(substr(t, 21), 'Z') || '000000', 1, 6)::bigint
                ELSE 0 END
$fn$;

DROP INDEX events_call;
ALTER TABLE events ALTER COLUMN declaration_number DROP NOT NULL;
ALTER TABLE events ALTER COLUMN declaration_number TYPE BIGINT
  USING kouan_number_value(declaration_number);
ALTER TABLE events ADD CONSTRAINT events_declaration_number
  CHECK (declaration_number BETWEEN 0 AND 999999999999999999);
CREATE INDEX events_call ON events (call_key, id) WHERE declaration_number IS NULL;
