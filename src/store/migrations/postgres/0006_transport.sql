-- 0006_transport.sql (PostgreSQL): the same tables as the SQLite migration of
-- the same number (calls, conveyance reports, manifests, tally reports, the
-- consignments declarations claim, yard events), with times and codes in the
-- "C" collation so they sort bytewise. Declarations are partitioned (see
-- 0001), so the transport tables point at them by number without a foreign
-- key.
--
-- Claims are race-free across servers: the claim of a bill (or of one part
-- of it) is a row under a unique index on (call, bill, part) among live
-- claims, inserted with ON CONFLICT DO NOTHING; and everything that claims
-- or matches on a call first locks the call's row (INSERT ... ON CONFLICT
-- DO UPDATE), so the checks of whole bills against parts and of containers
-- see each other's commits.

CREATE TABLE transport_calls (
  call_key                TEXT COLLATE "C" PRIMARY KEY,
  transport_mode          TEXT COLLATE "C" NOT NULL,
  port                    TEXT COLLATE "C" NOT NULL,
  carrier_org_id          BIGINT,          -- the carrier that first reported or manifested it
  arrived_at              TEXT COLLATE "C",
  departed_at             TEXT COLLATE "C",
  entry_permitted_at      TEXT COLLATE "C",             -- the arrival report's permission
  departure_permitted_at  TEXT COLLATE "C",
  created_at              TEXT COLLATE "C" NOT NULL
);
CREATE INDEX transport_calls_port ON transport_calls (port, created_at);

CREATE TABLE conveyance_reports (
  id              BIGSERIAL PRIMARY KEY,
  call_key        TEXT COLLATE "C" NOT NULL,
  kind            TEXT COLLATE "C" NOT NULL,            -- arrival, departure
  transport_mode  TEXT COLLATE "C" NOT NULL,
  port            TEXT COLLATE "C" NOT NULL,
  port_office     TEXT COLLATE "C" NOT NULL,
  org_id          BIGINT NOT NULL REFERENCES organisations (id),
  version         INTEGER NOT NULL,
  body            TEXT NOT NULL,            -- the report, canonical JSON
  permission      TEXT COLLATE "C" NOT NULL,            -- pending, returned, granted, refused
  lodged_at       TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL,
  UNIQUE (call_key, kind)
);
CREATE INDEX conveyance_reports_port ON conveyance_reports (port, id);
CREATE INDEX conveyance_reports_org ON conveyance_reports (org_id, id);

-- Every version an amendment replaced.
CREATE TABLE conveyance_report_versions (
  report_id      BIGINT NOT NULL REFERENCES conveyance_reports (id),
  version        INTEGER NOT NULL,
  body           TEXT NOT NULL,
  superseded_at  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (report_id, version)
);

CREATE TABLE conveyance_tasks (
  report_id   BIGINT NOT NULL REFERENCES conveyance_reports (id),
  agency      TEXT COLLATE "C" NOT NULL,
  status      TEXT COLLATE "C" NOT NULL,                -- open, inspecting, cleared, returned, rejected, closed
  opened_at   TEXT COLLATE "C" NOT NULL,
  decided_at  TEXT COLLATE "C",
  decided_by  TEXT,
  decision    TEXT COLLATE "C",
  reason      TEXT,
  PRIMARY KEY (report_id, agency)
);
CREATE INDEX conveyance_tasks_worklist ON conveyance_tasks (agency, status, opened_at);

CREATE TABLE conveyance_permissions (
  report_id   BIGINT PRIMARY KEY REFERENCES conveyance_reports (id),
  permission  TEXT NOT NULL,                -- the signed text, canonical JSON
  signature   TEXT COLLATE "C" NOT NULL,                -- Ed25519, base64
  key_id      TEXT COLLATE "C" NOT NULL,
  issued_at   TEXT COLLATE "C" NOT NULL
);

CREATE TABLE manifests (
  id              BIGSERIAL PRIMARY KEY,
  call_key        TEXT COLLATE "C" NOT NULL,
  kind            TEXT COLLATE "C" NOT NULL,            -- original, pre_loading, loading, departure
  transport_mode  TEXT COLLATE "C" NOT NULL,
  port            TEXT COLLATE "C" NOT NULL,
  org_id          BIGINT NOT NULL REFERENCES organisations (id),
  version         INTEGER NOT NULL,
  late            INTEGER NOT NULL,         -- an original manifest lodged after arrival
  bills           INTEGER NOT NULL,
  lodged_at       TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL,
  UNIQUE (call_key, kind)
);
CREATE INDEX manifests_port ON manifests (port, id);
CREATE INDEX manifests_org ON manifests (org_id, id);

-- Every version, the current one included, with what it changed from the
-- one before (NULL for the first).
CREATE TABLE manifest_versions (
  manifest_id  BIGINT NOT NULL REFERENCES manifests (id),
  version      INTEGER NOT NULL,
  body         TEXT NOT NULL,
  changes      TEXT,
  created_by   TEXT NOT NULL,
  created_at   TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (manifest_id, version)
);

-- The lines of each manifest's current version (weights in grams).
CREATE TABLE manifest_bills (
  manifest_id     BIGINT NOT NULL REFERENCES manifests (id),
  bill_of_lading  TEXT COLLATE "C" NOT NULL,
  call_key        TEXT COLLATE "C" NOT NULL,
  kind            TEXT COLLATE "C" NOT NULL,
  line            INTEGER NOT NULL,
  packages        BIGINT NOT NULL,
  gross_weight_g  BIGINT NOT NULL,
  PRIMARY KEY (manifest_id, bill_of_lading)
);
CREATE INDEX manifest_bills_call ON manifest_bills (call_key, kind, bill_of_lading);

CREATE TABLE manifest_containers (
  manifest_id     BIGINT NOT NULL REFERENCES manifests (id),
  bill_of_lading  TEXT COLLATE "C" NOT NULL,
  container       TEXT COLLATE "C" NOT NULL,
  call_key        TEXT COLLATE "C" NOT NULL,
  kind            TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (manifest_id, bill_of_lading, container)
);
CREATE INDEX manifest_containers_container ON manifest_containers (container, kind);

CREATE TABLE tally_reports (
  id                BIGSERIAL PRIMARY KEY,
  call_key          TEXT COLLATE "C" NOT NULL,
  kind              TEXT COLLATE "C" NOT NULL,          -- discharge, loading
  port              TEXT COLLATE "C" NOT NULL,
  org_id            BIGINT NOT NULL REFERENCES organisations (id),
  manifest_id       BIGINT NOT NULL REFERENCES manifests (id),
  manifest_version  INTEGER NOT NULL,
  body              TEXT NOT NULL,
  differences       TEXT NOT NULL,          -- JSON array
  lodged_by         TEXT NOT NULL,
  lodged_at         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX tally_reports_call ON tally_reports (call_key, id);

-- A declaration's consignment. live = 1 while the declaration is accepted,
-- returned or released; a withdrawal or rejection frees the claim.
CREATE TABLE declaration_transport (
  declaration_number  TEXT COLLATE "C" PRIMARY KEY,
  call_key            TEXT COLLATE "C" NOT NULL,
  bill_of_lading      TEXT COLLATE "C" NOT NULL,
  direction           TEXT COLLATE "C" NOT NULL,
  split_part          INTEGER NOT NULL,     -- 0 when the bill is declared whole
  split_of            INTEGER NOT NULL,
  flow                TEXT COLLATE "C" NOT NULL,        -- normal, direct_pickup, direct_loading
  advance             INTEGER NOT NULL,
  match_state         TEXT COLLATE "C" NOT NULL,        -- not_required, waiting, matched, mismatched
  manifest_id         BIGINT,
  manifest_version    INTEGER,
  differences         TEXT,                 -- JSON array, when mismatched
  live                INTEGER NOT NULL,
  updated_at          TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX declaration_transport_claim
  ON declaration_transport (call_key, bill_of_lading, split_part) WHERE live = 1;
CREATE INDEX declaration_transport_call ON declaration_transport (call_key, bill_of_lading);

CREATE TABLE declaration_containers (
  declaration_number  TEXT COLLATE "C" NOT NULL,
  container           TEXT COLLATE "C" NOT NULL,
  call_key            TEXT COLLATE "C" NOT NULL,
  bill_of_lading      TEXT COLLATE "C" NOT NULL,
  live                INTEGER NOT NULL,
  PRIMARY KEY (declaration_number, container)
);
CREATE INDEX declaration_containers_call ON declaration_containers (call_key, container);

-- Each yard event happens once per container and call: two gates recording
-- the same gate-out at once record it once.
CREATE TABLE yard_events (
  container    TEXT COLLATE "C" NOT NULL,
  call_key     TEXT COLLATE "C" NOT NULL,
  event        TEXT COLLATE "C" NOT NULL,               -- discharged, gated_in, loaded, gated_out
  at           TEXT COLLATE "C" NOT NULL,
  ship_side    INTEGER NOT NULL,
  recorded_by  TEXT NOT NULL,
  recorded_at  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (container, call_key, event)
);

CREATE TABLE gate_attempts (
  id            BIGSERIAL PRIMARY KEY,
  container     TEXT COLLATE "C" NOT NULL,
  call_key      TEXT COLLATE "C",
  event         TEXT COLLATE "C" NOT NULL,
  missing       TEXT NOT NULL,              -- JSON array: what was missing
  attempted_by  TEXT NOT NULL,
  attempted_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX gate_attempts_container ON gate_attempts (container, id);

ALTER TABLE events ADD COLUMN call_key TEXT COLLATE "C";
CREATE INDEX events_call ON events (call_key, id);
