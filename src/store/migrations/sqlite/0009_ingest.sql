-- 0009: ingest at scale.
-- An idempotency record of a lodged declaration keeps the declaration's
-- number and version and, in `response`, only what the answer said that
-- the declaration does not keep (its status, times and tasks as they were
-- then); the answer is rebuilt from them on a replay. Records without a
-- number keep their whole answer, as before.
ALTER TABLE idempotency_keys ADD COLUMN number TEXT;
ALTER TABLE idempotency_keys ADD COLUMN version INTEGER;
-- the background purge finds old records by age
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
-- The generation of the tokens' validity: raised in the same transaction
-- as every change that may stop a token before its expiry (a revocation, a
-- user disabled, a password changed or reset). Each server caches the
-- user behind a token under the generation it read, and reads this one row
-- on every request instead of the token, its user and organisation: a
-- change made through any server or offline stops the token everywhere at
-- once.
CREATE TABLE auth_generation (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  generation  INTEGER NOT NULL
);
INSERT INTO auth_generation (id, generation) VALUES (1, 0);
-- the background purge finds expired tokens by expiry
CREATE INDEX tokens_expires ON tokens (expires_at);
