-- 0030_payment_confirmed.sql - a payment counts once the bank confirms it.
-- The declarant reports a payment order (its bank, reference and amount);
-- the payment is 'reported' and counts for nothing until the bank answers:
-- 'paid' with the time it debited the account, or 'refused' with its
-- reason (src/service/taxes.c). Payments kept before were counted when
-- they were recorded, and stay 'paid' with no bank named.
--
-- Bank references are kept in capitals since 8272677 (a reference is the
-- same in any case). One kept before in small letters is put in capitals
-- here, unless another payment has the same reference in another case:
-- those were two payments then, and both are left as they are.
ALTER TABLE payments ADD COLUMN bank_uscc TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN status TEXT COLLATE "C" NOT NULL DEFAULT 'paid'
  CHECK (status IN ('reported', 'paid', 'refused'));
ALTER TABLE payments ADD COLUMN answered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN answered_at TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN reason TEXT NOT NULL DEFAULT '';
-- a bank's payments waiting for it, oldest first
CREATE INDEX payments_bank ON payments (bank_uscc, status, id);
INSERT INTO event_types (code, name, system) VALUES
  (81, 'duties.payment_reported', false), (82, 'duties.payment_refused', false);
UPDATE payments SET bank_reference = upper(bank_reference)
 WHERE bank_reference <> upper(bank_reference)
   AND NOT EXISTS (SELECT 1 FROM payments q
                    WHERE q.id <> payments.id
                      AND upper(q.bank_reference) = upper(payments.bank_reference));
