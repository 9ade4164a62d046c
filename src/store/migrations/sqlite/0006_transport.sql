-- 0006_transport.sql: the transport side (docs/transport.md).
--   * calls: one visit of one conveyance to one port on one voyage, keyed by
--     the call key (mode|identity|voyage|port); what is known of it (arrival,
--     departure, permissions) and the row every claim on the call locks;
--   * conveyance reports (arrival, departure) with their versions, the
--     agencies' tasks and the signed permission;
--   * manifests with every version and what it changed, and the lines and
--     containers of the current version, indexed for matching and the gate;
--   * tally reports and their differences from the manifest;
--   * each declaration's consignment: the call, bill of lading and part it
--     claims, its containers, its flow and its match with the manifest. A
--     live claim (the declaration is accepted, returned or released) is
--     unique per call, bill and part: the index, not a read, makes two
--     declarations of one consignment impossible;
--   * the terminal's yard events (each once per container and call) and
--     refused gate attempts;
--   * events name their call, so a call has a timeline of its own.

CREATE TABLE transport_calls (
  call_key                TEXT PRIMARY KEY,
  transport_mode          TEXT NOT NULL,
  port                    TEXT NOT NULL,
  carrier_org_id          INTEGER,          -- the carrier that first reported or manifested it
  arrived_at              TEXT,
  departed_at             TEXT,
  entry_permitted_at      TEXT,             -- the arrival report's permission
  departure_permitted_at  TEXT,
  created_at              TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX transport_calls_port ON transport_calls (port, created_at);

CREATE TABLE conveyance_reports (
  id              INTEGER PRIMARY KEY,
  call_key        TEXT NOT NULL,
  kind            TEXT NOT NULL,            -- arrival, departure
  transport_mode  TEXT NOT NULL,
  port            TEXT NOT NULL,
  port_office     TEXT NOT NULL,
  org_id          INTEGER NOT NULL REFERENCES organisations (id),
  version         INTEGER NOT NULL,
  body            TEXT NOT NULL,            -- the report, canonical JSON
  permission      TEXT NOT NULL,            -- pending, returned, granted, refused
  lodged_at       TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (call_key, kind)
);
CREATE INDEX conveyance_reports_port ON conveyance_reports (port, id);
CREATE INDEX conveyance_reports_org ON conveyance_reports (org_id, id);

-- Every version an amendment replaced.
CREATE TABLE conveyance_report_versions (
  report_id      INTEGER NOT NULL REFERENCES conveyance_reports (id),
  version        INTEGER NOT NULL,
  body           TEXT NOT NULL,
  superseded_at  TEXT NOT NULL,
  PRIMARY KEY (report_id, version)
);

CREATE TABLE conveyance_tasks (
  report_id   INTEGER NOT NULL REFERENCES conveyance_reports (id),
  agency      TEXT NOT NULL,
  status      TEXT NOT NULL,                -- open, inspecting, cleared, returned, rejected, closed
  opened_at   TEXT NOT NULL,
  decided_at  TEXT,
  decided_by  TEXT,
  decision    TEXT,
  reason      TEXT,
  PRIMARY KEY (report_id, agency)
);
CREATE INDEX conveyance_tasks_worklist ON conveyance_tasks (agency, status, opened_at);

CREATE TABLE conveyance_permissions (
  report_id   INTEGER PRIMARY KEY REFERENCES conveyance_reports (id),
  permission  TEXT NOT NULL,                -- the signed text, canonical JSON
  signature   TEXT NOT NULL,                -- Ed25519, base64
  key_id      TEXT NOT NULL,
  issued_at   TEXT NOT NULL
);

CREATE TABLE manifests (
  id              INTEGER PRIMARY KEY,
  call_key        TEXT NOT NULL,
  kind            TEXT NOT NULL,            -- original, pre_loading, loading, departure
  transport_mode  TEXT NOT NULL,
  port            TEXT NOT NULL,
  org_id          INTEGER NOT NULL REFERENCES organisations (id),
  version         INTEGER NOT NULL,
  late            INTEGER NOT NULL,         -- an original manifest lodged after arrival
  bills           INTEGER NOT NULL,
  lodged_at       TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (call_key, kind)
);
CREATE INDEX manifests_port ON manifests (port, id);
CREATE INDEX manifests_org ON manifests (org_id, id);

-- Every version, the current one included, with what it changed from the
-- one before (NULL for the first).
CREATE TABLE manifest_versions (
  manifest_id  INTEGER NOT NULL REFERENCES manifests (id),
  version      INTEGER NOT NULL,
  body         TEXT NOT NULL,
  changes      TEXT,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (manifest_id, version)
);

-- The lines of each manifest's current version (weights in grams).
CREATE TABLE manifest_bills (
  manifest_id     INTEGER NOT NULL REFERENCES manifests (id),
  bill_of_lading  TEXT NOT NULL,
  call_key        TEXT NOT NULL,
  kind            TEXT NOT NULL,
  line            INTEGER NOT NULL,
  packages        INTEGER NOT NULL,
  gross_weight_g  INTEGER NOT NULL,
  PRIMARY KEY (manifest_id, bill_of_lading)
);
CREATE INDEX manifest_bills_call ON manifest_bills (call_key, kind, bill_of_lading);

CREATE TABLE manifest_containers (
  manifest_id     INTEGER NOT NULL REFERENCES manifests (id),
  bill_of_lading  TEXT NOT NULL,
  container       TEXT NOT NULL,
  call_key        TEXT NOT NULL,
  kind            TEXT NOT NULL,
  PRIMARY KEY (manifest_id, bill_of_lading, container)
);
CREATE INDEX manifest_containers_container ON manifest_containers (container, kind);

CREATE TABLE tally_reports (
  id                INTEGER PRIMARY KEY,
  call_key          TEXT NOT NULL,
  kind              TEXT NOT NULL,          -- discharge, loading
  port              TEXT NOT NULL,
  org_id            INTEGER NOT NULL REFERENCES organisations (id),
  manifest_id       INTEGER NOT NULL REFERENCES manifests (id),
  manifest_version  INTEGER NOT NULL,
  body              TEXT NOT NULL,
  differences       TEXT NOT NULL,          -- JSON array
  lodged_by         TEXT NOT NULL,
  lodged_at         TEXT NOT NULL
);
CREATE INDEX tally_reports_call ON tally_reports (call_key, id);

-- A declaration's consignment. live = 1 while the declaration is accepted,
-- returned or released; a withdrawal or rejection frees the claim.
CREATE TABLE declaration_transport (
  declaration_number  TEXT PRIMARY KEY,
  call_key            TEXT NOT NULL,
  bill_of_lading      TEXT NOT NULL,
  direction           TEXT NOT NULL,
  split_part          INTEGER NOT NULL,     -- 0 when the bill is declared whole
  split_of            INTEGER NOT NULL,
  flow                TEXT NOT NULL,        -- normal, direct_pickup, direct_loading
  advance             INTEGER NOT NULL,
  match_state         TEXT NOT NULL,        -- not_required, waiting, matched, mismatched
  manifest_id         INTEGER,
  manifest_version    INTEGER,
  differences         TEXT,                 -- JSON array, when mismatched
  live                INTEGER NOT NULL,
  updated_at          TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX declaration_transport_claim
  ON declaration_transport (call_key, bill_of_lading, split_part) WHERE live = 1;
CREATE INDEX declaration_transport_call ON declaration_transport (call_key, bill_of_lading);

CREATE TABLE declaration_containers (
  declaration_number  TEXT NOT NULL,
  container           TEXT NOT NULL,
  call_key            TEXT NOT NULL,
  bill_of_lading      TEXT NOT NULL,
  live                INTEGER NOT NULL,
  PRIMARY KEY (declaration_number, container)
) WITHOUT ROWID;
CREATE INDEX declaration_containers_call ON declaration_containers (call_key, container);

-- Each yard event happens once per container and call: two gates recording
-- the same gate-out at once record it once.
CREATE TABLE yard_events (
  container    TEXT NOT NULL,
  call_key     TEXT NOT NULL,
  event        TEXT NOT NULL,               -- discharged, gated_in, loaded, gated_out
  at           TEXT NOT NULL,
  ship_side    INTEGER NOT NULL,
  recorded_by  TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  PRIMARY KEY (container, call_key, event)
) WITHOUT ROWID;

CREATE TABLE gate_attempts (
  id            INTEGER PRIMARY KEY,
  container     TEXT NOT NULL,
  call_key      TEXT,
  event         TEXT NOT NULL,
  missing       TEXT NOT NULL,              -- JSON array: what was missing
  attempted_by  TEXT NOT NULL,
  attempted_at  TEXT NOT NULL
);
CREATE INDEX gate_attempts_container ON gate_attempts (container, id);

ALTER TABLE events ADD COLUMN call_key TEXT;
CREATE INDEX events_call ON events (call_key, id);
