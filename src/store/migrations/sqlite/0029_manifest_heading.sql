-- 0029_manifest_heading.sql - the HS heading each manifest line gives for
-- its goods (NULL when it gives none). Matching asks that at least one of
-- the declaration's items be of it, so that goods the carrier manifested as
-- apples are not declared as tableware (src/domain/matching.c). Lines
-- already kept take it from their manifest's current version.
ALTER TABLE manifest_bills ADD COLUMN hs_heading TEXT;
UPDATE manifest_bills SET hs_heading = (
  SELECT json_extract(v.body, '$.bills[' || manifest_bills.line || '].hs_heading')
    FROM manifests m
    JOIN manifest_versions v ON v.manifest_id = m.id AND v.version = m.version
   WHERE m.id = manifest_bills.manifest_id);
