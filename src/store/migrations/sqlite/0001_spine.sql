-- 0001_spine.sql: organisations, users, tokens, reference data, declarations
-- and their superseded versions, agency tasks, the event timeline, idempotency records, release notices and
-- the audit trail. Times are RFC 3339 UTC text with microseconds, which sort
-- as they read.

CREATE TABLE organisations (
  id          INTEGER PRIMARY KEY,
  uscc        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL,            -- trader, broker, agency, port, office
  created_at  TEXT NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES organisations (id),
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL
);

-- Bearer tokens are stored as a hash; the token itself is shown once.
CREATE TABLE tokens (
  token_hash  TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users (id),
  label       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  revoked_at  TEXT
) WITHOUT ROWID;
CREATE INDEX tokens_user ON tokens (user_id);

-- Named values the server keeps for itself (e.g. which built-in reference
-- data was last loaded).
CREATE TABLE settings (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE reference_entries (
  list        TEXT NOT NULL,
  code        TEXT NOT NULL,
  data        TEXT NOT NULL,            -- the entry as JSON
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (list, code)
);

-- The last declaration sequence number used per office, year and direction.
CREATE TABLE number_sequences (
  office      TEXT NOT NULL,
  year        INTEGER NOT NULL,
  direction   TEXT NOT NULL,
  last_value  INTEGER NOT NULL,
  PRIMARY KEY (office, year, direction)
) WITHOUT ROWID;

CREATE TABLE declarations (
  number              TEXT PRIMARY KEY,
  org_id              INTEGER NOT NULL REFERENCES organisations (id),
  lodged_by           INTEGER NOT NULL REFERENCES users (id),
  status              TEXT NOT NULL,
  direction           TEXT NOT NULL,
  declaration_office  TEXT NOT NULL,
  port_office         TEXT NOT NULL,
  bill_of_lading      TEXT NOT NULL,
  version             INTEGER NOT NULL,
  body                TEXT NOT NULL,    -- the accepted declaration, canonical JSON
  lodged_at           TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  released_at         TEXT
);
CREATE INDEX declarations_org ON declarations (org_id, lodged_at);

-- Every version a correction replaced, so the audit trail keeps what was
-- declared at each step (the current version is declarations.body).
CREATE TABLE declaration_versions (
  declaration_number  TEXT NOT NULL REFERENCES declarations (number),
  version             INTEGER NOT NULL,
  body                TEXT NOT NULL,
  superseded_at       TEXT NOT NULL,
  PRIMARY KEY (declaration_number, version)
);
CREATE INDEX declarations_status ON declarations (status, lodged_at);

CREATE TABLE tasks (
  declaration_number  TEXT NOT NULL REFERENCES declarations (number),
  agency              TEXT NOT NULL,
  status              TEXT NOT NULL,    -- open, inspecting, cleared, returned, rejected, closed
  basis_digest        TEXT NOT NULL,    -- what the agency acts on; a change reopens
  opened_at           TEXT NOT NULL,
  decided_at          TEXT,
  decided_by          TEXT,
  decision            TEXT,
  reason              TEXT,
  PRIMARY KEY (declaration_number, agency)
) WITHOUT ROWID;
CREATE INDEX tasks_worklist ON tasks (agency, status, opened_at);

CREATE TABLE events (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  declaration_number  TEXT NOT NULL,
  org_id              INTEGER NOT NULL,
  type                TEXT NOT NULL,
  agency              TEXT,
  actor               TEXT NOT NULL,
  actor_role          TEXT NOT NULL,
  at                  TEXT NOT NULL,
  data                TEXT NOT NULL     -- JSON object with details
);
CREATE INDEX events_declaration ON events (declaration_number, id);

-- One row, updated by every transaction that writes events, just before it
-- writes them: its row lock makes event ids follow commit order on backends
-- where several transactions write at once (see api_commit).
CREATE TABLE feed_clock (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  ticks  INTEGER NOT NULL
);
INSERT INTO feed_clock (id, ticks) VALUES (1, 0);

CREATE TABLE idempotency_keys (
  org_id        INTEGER NOT NULL,
  key           TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER NOT NULL,
  response      TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  PRIMARY KEY (org_id, key)
);

CREATE TABLE release_notices (
  declaration_number  TEXT PRIMARY KEY REFERENCES declarations (number),
  notice              TEXT NOT NULL,    -- the signed text, canonical JSON
  signature           TEXT NOT NULL,    -- Ed25519, base64
  key_id              TEXT NOT NULL,
  issued_at           TEXT NOT NULL
);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  data        TEXT NOT NULL
);
