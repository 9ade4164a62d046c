-- 0004_accounts_audit.sql (PostgreSQL): the same as the SQLite migration of
-- the same number: login throttling state, when a password was set, and the
-- audit log as a hash chain signed row by row, with its head. Every
-- transaction that appends to the chain first updates audit_head, whose row
-- lock it then holds until it ends, so that transactions of several servers
-- join the chain one after another.

CREATE TABLE login_throttle (
  scope            TEXT COLLATE "C" NOT NULL,
  key              TEXT COLLATE "C" NOT NULL,
  failures         BIGINT NOT NULL,
  last_failure_at  TEXT COLLATE "C" NOT NULL,
  locked_until     TEXT COLLATE "C",
  PRIMARY KEY (scope, key)
);
CREATE INDEX login_throttle_last ON login_throttle (last_failure_at);

ALTER TABLE users ADD COLUMN password_changed_at TEXT COLLATE "C";

ALTER TABLE audit_log RENAME TO audit_log_0001;
ALTER SEQUENCE audit_log_id_seq RENAME TO audit_log_0001_id_seq;
ALTER INDEX audit_log_pkey RENAME TO audit_log_0001_pkey;

CREATE TABLE audit_log (
  id          BIGINT PRIMARY KEY,
  at          TEXT COLLATE "C" NOT NULL,
  actor       TEXT COLLATE "C" NOT NULL,
  actor_role  TEXT COLLATE "C" NOT NULL,
  source      TEXT COLLATE "C" NOT NULL,
  action      TEXT COLLATE "C" NOT NULL,
  target      TEXT COLLATE "C" NOT NULL,
  data        TEXT NOT NULL,
  prev_hash   TEXT COLLATE "C" NOT NULL,
  hash        TEXT COLLATE "C" NOT NULL,
  signature   TEXT NOT NULL,
  key_id      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  last_id     BIGINT NOT NULL,
  hash        TEXT COLLATE "C" NOT NULL,
  signature   TEXT NOT NULL,
  key_id      TEXT COLLATE "C" NOT NULL
);
INSERT INTO audit_head (id, last_id, hash, signature, key_id)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '', '');
