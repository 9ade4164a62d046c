-- 0012_feed.sql - the event feed's order without a lock held through each
-- commit (issue 13). Until now every transaction that appended events
-- first updated the one row of feed_clock and held its lock through its
-- commit, so that ids were handed out in commit order; with the commit's
-- flush to disk inside that lock, no more than one such commit a flush
-- could happen, whatever the number of servers.
--
-- Now a transaction appending events holds advisory lock 7242300502
-- shared (writers never wait for each other), and a reader of the feed
-- reads only up to a horizon (store_pg.c, feed_horizon): the ids that
-- follow on without a gap, and, where a gap lasts, what feed_settled()
-- answers. It takes the lock exclusively, so only once every transaction
-- appending at that moment has ended, and answers the last id handed out
-- by then, after which every id at or below it is final; the lock is let
-- go at once. The key is also FEED_LOCK in src/store/store_pg.c.
DROP TABLE feed_clock;

CREATE FUNCTION feed_settled() RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
  last BIGINT;
BEGIN
  PERFORM pg_advisory_lock(7242300502);
  SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO last FROM events_id_seq;
  PERFORM pg_advisory_unlock(7242300502);
  RETURN last;
EXCEPTION WHEN OTHERS THEN
  PERFORM pg_advisory_unlock(7242300502);
  RAISE;
END
$$;
