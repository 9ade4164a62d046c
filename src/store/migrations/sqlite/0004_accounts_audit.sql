-- 0004_accounts_audit.sql: accounts that can be stopped and an audit that
-- can be trusted.
--   * login_throttle: failed logins counted per user name tried and per
--     client address, so that waits and locks hold across servers sharing a
--     database (the policy is src/domain/throttle.h);
--   * users.password_changed_at: when the password was last set;
--   * the audit log becomes a hash chain signed row by row
--     (src/domain/audit.h): ids run 1, 2, 3, ... with no gap, each row keeps
--     the previous row's hash and its own, and the signature of its id and
--     hash. Rows written before this migration carry no hash; they are kept,
--     as they were, in audit_log_0001, outside the chain;
--   * audit_head: one row with the latest id, hash and signature. Every
--     transaction that appends takes its lock first, so rows join the chain
--     one transaction after another, in commit order.

CREATE TABLE login_throttle (
  scope            TEXT NOT NULL,         -- user (the name tried) or address
  key              TEXT NOT NULL,
  failures         INTEGER NOT NULL,
  last_failure_at  TEXT NOT NULL,
  locked_until     TEXT,                  -- user names only
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX login_throttle_last ON login_throttle (last_failure_at);

ALTER TABLE users ADD COLUMN password_changed_at TEXT;

ALTER TABLE audit_log RENAME TO audit_log_0001;

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,       -- 1, 2, 3, ...: audit_head.last_id + 1
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,             -- a user name, anonymous, kouan, or os:USER
  actor_role  TEXT NOT NULL,
  source      TEXT NOT NULL,             -- the client address, or local
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  data        TEXT NOT NULL,             -- a JSON object: before, after, reason, ...
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  signature   TEXT NOT NULL,             -- Ed25519 over "kouan.audit.v1 ID HASH", base64
  key_id      TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  last_id     INTEGER NOT NULL,
  hash        TEXT NOT NULL,
  signature   TEXT NOT NULL,
  key_id      TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, hash, signature, key_id)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '', '');
