-- 0002_risk.sql (PostgreSQL): the same as the SQLite migration of the same
-- number: enterprise credit with its history, the consignee of each
-- declaration, rule-set versions, office profiles, assessments and rule hits.

ALTER TABLE organisations ADD COLUMN credit_class TEXT COLLATE "C" NOT NULL DEFAULT 'standard';

CREATE TABLE credit_history (
  id          BIGSERIAL PRIMARY KEY,
  org_id      BIGINT NOT NULL REFERENCES organisations (id),
  from_class  TEXT COLLATE "C" NOT NULL,
  to_class    TEXT COLLATE "C" NOT NULL,
  reason      TEXT NOT NULL,
  changed_by  TEXT NOT NULL,
  changed_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX credit_history_org ON credit_history (org_id, id);

ALTER TABLE declarations ADD COLUMN consignee_uscc TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX declarations_consignee ON declarations (consignee_uscc, direction);

CREATE TABLE risk_rule_sets (
  version         BIGINT PRIMARY KEY,
  text            TEXT NOT NULL,
  rules           INTEGER NOT NULL,
  effective_from  TEXT COLLATE "C" NOT NULL,
  note            TEXT NOT NULL,
  created_by      TEXT NOT NULL,
  created_role    TEXT NOT NULL,
  created_at      TEXT COLLATE "C" NOT NULL
);

CREATE TABLE risk_profiles (
  office      TEXT COLLATE "C" NOT NULL,
  agency      TEXT COLLATE "C" NOT NULL,
  random_ppm  INTEGER NOT NULL,
  base_lane   TEXT COLLATE "C" NOT NULL,
  updated_by  TEXT NOT NULL,
  updated_at  TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (office, agency)
);

CREATE TABLE risk_assessments (
  declaration_number   TEXT COLLATE "C" NOT NULL,
  declaration_version  BIGINT NOT NULL,
  rules_version        BIGINT NOT NULL,
  assessed_at          TEXT COLLATE "C" NOT NULL,
  outcome              TEXT NOT NULL,
  PRIMARY KEY (declaration_number, declaration_version)
);

CREATE TABLE risk_rule_hits (
  rules_version       BIGINT NOT NULL,
  rule_line           INTEGER NOT NULL,
  agency              TEXT COLLATE "C" NOT NULL,
  declaration_number  TEXT COLLATE "C" NOT NULL,
  selected            INTEGER NOT NULL,
  PRIMARY KEY (rules_version, rule_line, declaration_number)
);
