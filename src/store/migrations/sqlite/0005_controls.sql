-- 0005_controls.sql: what the customs controls need.
--   * supervisors: an officer who may waive an inspection for its agency;
--   * the port a port organisation (a terminal) works at, and the entry or
--     exit port of each declaration, so a terminal sees only its own port;
--   * electronic mandates (委托): a consignee lets an agent (a broker)
--     declare for it, for imports, exports or both, for a period.

ALTER TABLE users ADD COLUMN supervisor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN port TEXT;
ALTER TABLE declarations ADD COLUMN port TEXT NOT NULL DEFAULT '';
UPDATE declarations SET port = COALESCE(json_extract(body,
  CASE direction WHEN 'import' THEN '$.entry_port' ELSE '$.exit_port' END), '');
CREATE INDEX declarations_port ON declarations (port, status);

CREATE TABLE mandates (
  id                INTEGER PRIMARY KEY,
  consignee_org_id  INTEGER NOT NULL REFERENCES organisations (id),
  agent_org_id      INTEGER NOT NULL REFERENCES organisations (id),
  scope             TEXT NOT NULL,     -- import, export or both
  valid_from        TEXT NOT NULL,
  valid_to          TEXT NOT NULL,
  created_by        TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  revoked_at        TEXT
);
CREATE INDEX mandates_pair ON mandates (consignee_org_id, agent_org_id);
CREATE INDEX mandates_agent ON mandates (agent_org_id);
