-- 0031_cbec_month_confirmed.sql - a platform's monthly payment counts once
-- its bank confirms it, as a declaration's does (0030). The platform
-- orders the payment (its bank, reference and amount): the row is
-- 'reported' and the month is not paid until the bank answers: 'paid' with
-- the time it debited the account (paid_at), or 'refused' with its reason;
-- after a refusal the platform's next order takes the same row (one row a
-- platform and month). paid_by is the platform's user who ordered it,
-- recorded_at when (src/service/cbec.c). Payments kept before were counted
-- when they were recorded, and stay 'paid' with no bank named.
ALTER TABLE cbec_month_payments ADD COLUMN bank_uscc TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE cbec_month_payments ADD COLUMN status TEXT COLLATE "C" NOT NULL DEFAULT 'paid'
  CHECK (status IN ('reported', 'paid', 'refused'));
ALTER TABLE cbec_month_payments ADD COLUMN answered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE cbec_month_payments ADD COLUMN answered_at TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE cbec_month_payments ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cbec_month_payments ADD COLUMN recorded_at TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE cbec_month_payments SET recorded_at = paid_at;
INSERT INTO event_types (code, name, system) VALUES
  (83, 'cbec.month.payment_reported', false);
