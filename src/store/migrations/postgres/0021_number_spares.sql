-- 0021_number_spares.sql - declaration numbers taken without holding the
-- office's sequence row to the commit (issue 13, PostgreSQL only: SQLite
-- runs one writer at a time, and keeps taking number_sequences + 1).
--
-- Numbers are put aside for an office, a year and a direction in blocks,
-- by a short transaction of their own (number_sequences moves on by the
-- block, and the block's numbers become rows here); a lodgement takes the
-- lowest spare no other transaction holds (FOR UPDATE SKIP LOCKED) and
-- deletes it. A lodgement that rolls back, or dies with its server, gives
-- its number back with the row. So every number up to last_value is used
-- by a declaration, held by a lodgement on its way, or here, and the next
-- lodgement takes the lowest one here: no number is lost, though one given
-- back after a higher one was used is missing until the office's next
-- lodgement, and numbers are no longer always in the order of lodging
-- (docs/architecture.md, "The declaration number and its sequence").
CREATE TABLE number_spares (
  office      TEXT COLLATE "C" NOT NULL,
  year        INTEGER NOT NULL,
  direction   TEXT COLLATE "C" NOT NULL,
  value       BIGINT NOT NULL,
  PRIMARY KEY (office, year, direction, value)
);
