-- 0025_risk_questions.sql - the two questions the risk engine asks at every
-- lodgement, answered from two small tables instead of the declarations
-- (issue 13, eighteenth round in bench/README.md):
--
--   * is the consignee a new importer (no import declaration other than
--     this one)?
--   * how many declarations of this consignee and bill of lading were
--     withdrawn (a consignment lodged again after a withdrawal)?
--
-- The declarations are partitioned by month and neither question names a
-- month, so each asked every partition: a prepared statement locked and
-- opened each partition and two of its indexes at every lodgement, six
-- partitions and twelve indexes today, more as the months go by.
--
--   * importers: one row for each consignee with an import declaration,
--     naming one of them (another, if a correction moves that one to
--     another consignee). A lodgement adds its consignee if it is not
--     there yet; a declaration is never deleted. When the one named is the
--     declaration assessed, whether there is another is asked of the
--     declarations (src/store/repo_risk.c): that happens only at a
--     consignee's first import, and when that one is corrected.
--   * withdrawals: the declarations withdrawn, by consignee and bill of
--     lading, written with the withdrawal. A withdrawn declaration is
--     never corrected, so its consignee and bill do not change.
--
-- declarations_withdrawn (0010) answered the second question only: it goes.
CREATE TABLE importers (
  consignee_uscc      TEXT COLLATE "C" PRIMARY KEY,
  declaration_number  BIGINT NOT NULL
);
INSERT INTO importers (consignee_uscc, declaration_number)
  SELECT consignee_uscc, MIN(CAST(number AS BIGINT)) FROM declarations
   WHERE direction = 'import' GROUP BY consignee_uscc;

CREATE TABLE withdrawals (
  consignee_uscc      TEXT COLLATE "C" NOT NULL,
  bill_of_lading      TEXT NOT NULL,
  declaration_number  BIGINT NOT NULL,
  PRIMARY KEY (consignee_uscc, bill_of_lading, declaration_number)
);
INSERT INTO withdrawals (consignee_uscc, bill_of_lading, declaration_number)
  SELECT consignee_uscc, bill_of_lading, CAST(number AS BIGINT) FROM declarations
   WHERE status = 'withdrawn';

DROP INDEX declarations_withdrawn;
