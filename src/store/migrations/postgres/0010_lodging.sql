-- 0010: lodging stays as fast at a million declarations as at a hundred.
-- Risk assessment asks, on every lodgement, whether the same consignment
-- (consignee and bill of lading) was lodged before and withdrawn. Through
-- declarations_consignee that question read every declaration of the
-- consignee, so one importer's lodgements grew slower with each one it had
-- made. A partial index holds only the withdrawn declarations: small, and
-- written only when a declaration is withdrawn.
CREATE INDEX declarations_withdrawn ON declarations (consignee_uscc, bill_of_lading)
  WHERE status = 'withdrawn';
