-- 0001_spine.sql (PostgreSQL): the same tables as the SQLite migration of
-- the same number, with what PostgreSQL does well:
--   * declarations and events are partitioned by month (of lodged_at and at),
--     with a default partition so an insert never fails; kouan_ensure_partitions
--     creates the months ahead (run at every start);
--   * times and codes are text in the "C" collation, so they sort bytewise,
--     as RFC 3339 UTC text must;
--   * a partitioned table's unique keys must hold the partition key, so
--     declarations are keyed (number, lodged_at); numbers are unique by
--     construction (number_sequences), and the tables that point at a
--     declaration do so without a foreign key.

CREATE TABLE organisations (
  id          BIGSERIAL PRIMARY KEY,
  uscc        TEXT COLLATE "C" NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL,
  created_at  TEXT COLLATE "C" NOT NULL
);

CREATE TABLE users (
  id            BIGSERIAL PRIMARY KEY,
  org_id        BIGINT NOT NULL REFERENCES organisations (id),
  username      TEXT COLLATE "C" NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE tokens (
  token_hash  TEXT COLLATE "C" PRIMARY KEY,
  user_id     BIGINT NOT NULL REFERENCES users (id),
  label       TEXT NOT NULL,
  created_at  TEXT COLLATE "C" NOT NULL,
  expires_at  TEXT COLLATE "C" NOT NULL,
  revoked_at  TEXT COLLATE "C"
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE settings (
  name   TEXT COLLATE "C" PRIMARY KEY,
  value  TEXT NOT NULL
);

CREATE TABLE reference_entries (
  list        TEXT COLLATE "C" NOT NULL,
  code        TEXT COLLATE "C" NOT NULL,
  data        TEXT NOT NULL,
  updated_at  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (list, code)
);

CREATE TABLE number_sequences (
  office      TEXT COLLATE "C" NOT NULL,
  year        INTEGER NOT NULL,
  direction   TEXT COLLATE "C" NOT NULL,
  last_value  BIGINT NOT NULL,
  PRIMARY KEY (office, year, direction)
);

CREATE TABLE declarations (
  number              TEXT COLLATE "C" NOT NULL,
  org_id              BIGINT NOT NULL REFERENCES organisations (id),
  lodged_by           BIGINT NOT NULL REFERENCES users (id),
  status              TEXT COLLATE "C" NOT NULL,
  direction           TEXT COLLATE "C" NOT NULL,
  declaration_office  TEXT COLLATE "C" NOT NULL,
  port_office         TEXT COLLATE "C" NOT NULL,
  bill_of_lading      TEXT NOT NULL,
  version             BIGINT NOT NULL,
  body                TEXT NOT NULL,
  lodged_at           TEXT COLLATE "C" NOT NULL,
  updated_at          TEXT COLLATE "C" NOT NULL,
  released_at         TEXT COLLATE "C",
  PRIMARY KEY (number, lodged_at)
) PARTITION BY RANGE (lodged_at);
CREATE TABLE declarations_default PARTITION OF declarations DEFAULT;
CREATE INDEX declarations_number ON declarations (number);
CREATE INDEX declarations_org ON declarations (org_id, lodged_at);
CREATE INDEX declarations_status ON declarations (status, lodged_at);

CREATE TABLE declaration_versions (
  declaration_number  TEXT COLLATE "C" NOT NULL,
  version             BIGINT NOT NULL,
  body                TEXT NOT NULL,
  superseded_at       TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (declaration_number, version)
);

CREATE TABLE tasks (
  declaration_number  TEXT COLLATE "C" NOT NULL,
  agency              TEXT COLLATE "C" NOT NULL,
  status              TEXT COLLATE "C" NOT NULL,
  basis_digest        TEXT NOT NULL,
  opened_at           TEXT COLLATE "C" NOT NULL,
  decided_at          TEXT COLLATE "C",
  decided_by          TEXT,
  decision            TEXT,
  reason              TEXT,
  PRIMARY KEY (declaration_number, agency)
);
CREATE INDEX tasks_worklist ON tasks (agency, status, opened_at);

CREATE TABLE events (
  id                  BIGSERIAL NOT NULL,
  declaration_number  TEXT COLLATE "C" NOT NULL,
  org_id              BIGINT NOT NULL,
  type                TEXT COLLATE "C" NOT NULL,
  agency              TEXT COLLATE "C",
  actor               TEXT NOT NULL,
  actor_role          TEXT NOT NULL,
  at                  TEXT COLLATE "C" NOT NULL,
  data                TEXT NOT NULL,
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_id ON events (id);
CREATE INDEX events_declaration ON events (declaration_number, id);

CREATE TABLE feed_clock (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  ticks  BIGINT NOT NULL
);
INSERT INTO feed_clock (id, ticks) VALUES (1, 0);

CREATE TABLE idempotency_keys (
  org_id        BIGINT NOT NULL,
  key           TEXT COLLATE "C" NOT NULL,
  request_hash  TEXT NOT NULL,
  status        INTEGER NOT NULL,
  response      TEXT NOT NULL,
  created_at    TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (org_id, key)
);

CREATE TABLE release_notices (
  declaration_number  TEXT COLLATE "C" PRIMARY KEY,
  notice              TEXT NOT NULL,
  signature           TEXT NOT NULL,
  key_id              TEXT NOT NULL,
  issued_at           TEXT COLLATE "C" NOT NULL
);

CREATE TABLE audit_log (
  id          BIGSERIAL PRIMARY KEY,
  at          TEXT COLLATE "C" NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  data        TEXT NOT NULL
);

-- Monthly partitions from last month to `ahead` months on, for declarations
-- and events. A month whose rows already sit in the default partition is
-- left there (creating it would fail); everything stays queryable.
CREATE FUNCTION kouan_ensure_partitions(ahead integer) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  m date;
  lo text;
  hi text;
  t text;
  part text;
  taken boolean;
BEGIN
  FOR i IN -1..ahead LOOP
    m := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date;
    lo := to_char(m, 'YYYY-MM-DD') || 'T00:00:00';
    hi := to_char((m + interval '1 month')::date, 'YYYY-MM-DD') || 'T00:00:00';
    FOREACH t IN ARRAY ARRAY['declarations', 'events'] LOOP
      part := t || '_' || to_char(m, 'YYYYMM');
      CONTINUE WHEN to_regclass(part) IS NOT NULL;
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= %L AND %I < %L)',
                     t || '_default', CASE t WHEN 'declarations' THEN 'lodged_at' ELSE 'at' END,
                     lo, CASE t WHEN 'declarations' THEN 'lodged_at' ELSE 'at' END, hi)
        INTO taken;
      CONTINUE WHEN taken;
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     part, t, lo, hi);
    END LOOP;
  END LOOP;
END
$fn$;

SELECT kouan_ensure_partitions(3);
