-- 0022_declarations_number.sql - one index fewer on the declarations
-- (issue 13, PostgreSQL only): declarations_number (number) repeated what
-- the primary key (number, lodged_at) already gives, since 0001: a lookup
-- by number reads the primary key's index as well. Each lodgement wrote
-- both, and each lookup by number locked both in every monthly partition.
DROP INDEX declarations_number;
