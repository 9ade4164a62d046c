-- 0002_risk.sql: enterprise credit and risk-based selection.
--   * each organisation's credit class, and every change of it (who, when, why);
--   * the consignee of each declaration, to tell a new importer;
--   * versions of the rule set (all agencies' rules in one text), each taking
--     effect from a time;
--   * each office's selectivity profile per agency (random inspection rate,
--     the lane when nothing selects);
--   * every assessment, as the explanation served to officers, and the rules
--     that hit, for rule effectiveness.

ALTER TABLE organisations ADD COLUMN credit_class TEXT NOT NULL DEFAULT 'standard';

CREATE TABLE credit_history (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id      INTEGER NOT NULL REFERENCES organisations (id),
  from_class  TEXT NOT NULL,
  to_class    TEXT NOT NULL,
  reason      TEXT NOT NULL,
  changed_by  TEXT NOT NULL,
  changed_at  TEXT NOT NULL
);
CREATE INDEX credit_history_org ON credit_history (org_id, id);

ALTER TABLE declarations ADD COLUMN consignee_uscc TEXT NOT NULL DEFAULT '';
CREATE INDEX declarations_consignee ON declarations (consignee_uscc, direction);

CREATE TABLE risk_rule_sets (
  version         INTEGER PRIMARY KEY,
  text            TEXT NOT NULL,
  rules           INTEGER NOT NULL,
  effective_from  TEXT NOT NULL,
  note            TEXT NOT NULL,
  created_by      TEXT NOT NULL,
  created_role    TEXT NOT NULL,
  created_at      TEXT NOT NULL
);

CREATE TABLE risk_profiles (
  office      TEXT NOT NULL,
  agency      TEXT NOT NULL,
  random_ppm  INTEGER NOT NULL,
  base_lane   TEXT NOT NULL,
  updated_by  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (office, agency)
) WITHOUT ROWID;

CREATE TABLE risk_assessments (
  declaration_number   TEXT NOT NULL,
  declaration_version  INTEGER NOT NULL,
  rules_version        INTEGER NOT NULL,
  assessed_at          TEXT NOT NULL,
  outcome              TEXT NOT NULL,
  PRIMARY KEY (declaration_number, declaration_version)
);

CREATE TABLE risk_rule_hits (
  rules_version       INTEGER NOT NULL,
  rule_line           INTEGER NOT NULL,
  agency              TEXT NOT NULL,
  declaration_number  TEXT NOT NULL,
  selected            INTEGER NOT NULL,
  PRIMARY KEY (rules_version, rule_line, declaration_number)
) WITHOUT ROWID;
