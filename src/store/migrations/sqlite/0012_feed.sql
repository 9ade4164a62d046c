-- 0012_feed.sql - feed_clock is no longer used. SQLite commits one writer
-- at a time, so event ids follow commit order without it; PostgreSQL's
-- feed keeps its order another way (see the PostgreSQL migration 0012).
DROP TABLE feed_clock;
