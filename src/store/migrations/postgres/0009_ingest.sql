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
