-- 0028_manifest_party.sql - the party in China each manifest line names:
-- the USCC of the consignee on an import (original) manifest, of the
-- consignor on an export one; NULL when the line gives none (a bill "to
-- order"). Matching compares it with the declaration's consignee_uscc, so
-- that goods are declared by the company the manifest names, or for it by
-- a broker it mandated (src/domain/matching.c). Lines already kept take
-- it from their manifest's current version.
ALTER TABLE manifest_bills ADD COLUMN party_uscc TEXT COLLATE "C";
UPDATE manifest_bills b SET party_uscc =
  (v.body::jsonb -> 'bills' -> b.line
     -> (CASE WHEN b.kind = 'original' THEN 'consignee' ELSE 'consignor' END)) ->> 'uscc'
  FROM manifests m
  JOIN manifest_versions v ON v.manifest_id = m.id AND v.version = m.version
 WHERE m.id = b.manifest_id;
