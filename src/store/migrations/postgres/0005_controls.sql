-- 0005_controls.sql: what the customs controls need (see the SQLite twin).

ALTER TABLE users ADD COLUMN supervisor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN port TEXT COLLATE "C";
ALTER TABLE declarations ADD COLUMN port TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE declarations SET port = COALESCE(body::jsonb ->>
  CASE direction WHEN 'import' THEN 'entry_port' ELSE 'exit_port' END, '');
CREATE INDEX declarations_port ON declarations (port, status);

CREATE TABLE mandates (
  id                BIGSERIAL PRIMARY KEY,
  consignee_org_id  BIGINT NOT NULL REFERENCES organisations (id),
  agent_org_id      BIGINT NOT NULL REFERENCES organisations (id),
  scope             TEXT COLLATE "C" NOT NULL,
  valid_from        TEXT COLLATE "C" NOT NULL,
  valid_to          TEXT COLLATE "C" NOT NULL,
  created_by        TEXT NOT NULL,
  created_at        TEXT COLLATE "C" NOT NULL,
  revoked_at        TEXT COLLATE "C"
);
CREATE INDEX mandates_pair ON mandates (consignee_org_id, agent_org_id);
CREATE INDEX mandates_agent ON mandates (agent_org_id);
