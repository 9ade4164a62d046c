-- 0003_inspections.sql (PostgreSQL): the same tables as the SQLite migration
-- of the same number (the joint inspection, findings, sites and their 7x24
-- appointment slots), with times and codes in the "C" collation so they sort
-- bytewise, as RFC 3339 UTC text must. Declarations are partitioned (see
-- 0001), so inspections point at them by number without a foreign key.
--
-- Bookings are race-free across servers: a booking is a row keyed by
-- (site, slot, seat) with seat in 1..capacity, inserted with ON CONFLICT DO
-- NOTHING; two servers that pick the same seat at once meet on the primary
-- key, one wins and the other picks again (see repo_booking_take).

CREATE TABLE inspection_sites (
  code          TEXT COLLATE "C" PRIMARY KEY,
  name          TEXT NOT NULL,
  port          TEXT COLLATE "C" NOT NULL,
  slot_minutes  INTEGER NOT NULL CHECK (slot_minutes > 0 AND 1440 % slot_minutes = 0),
  capacity      INTEGER NOT NULL CHECK (capacity >= 1),
  created_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE inspections (
  id                  BIGSERIAL PRIMARY KEY,
  declaration_number  TEXT COLLATE "C" NOT NULL,
  org_id              BIGINT NOT NULL,
  status              TEXT COLLATE "C" NOT NULL,
  outcome             TEXT COLLATE "C",
  opened_at           TEXT COLLATE "C" NOT NULL,
  updated_at          TEXT COLLATE "C" NOT NULL,
  completed_at        TEXT COLLATE "C"
);
CREATE UNIQUE INDEX inspections_one_open ON inspections (declaration_number)
  WHERE status IN ('awaiting_booking', 'booked', 'in_progress');
CREATE INDEX inspections_declaration ON inspections (declaration_number, id);

CREATE TABLE inspection_agencies (
  inspection_id  BIGINT NOT NULL REFERENCES inspections (id),
  agency         TEXT COLLATE "C" NOT NULL,
  joined_at      TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (inspection_id, agency)
);

CREATE TABLE inspection_findings (
  inspection_id       BIGINT NOT NULL REFERENCES inspections (id),
  agency              TEXT COLLATE "C" NOT NULL,
  declaration_number  TEXT COLLATE "C" NOT NULL,
  result              TEXT COLLATE "C" NOT NULL CHECK (result IN ('no_problem', 'problem')),
  decision            TEXT COLLATE "C",
  note                TEXT,
  recognised_from     TEXT COLLATE "C",
  recorded_by         TEXT NOT NULL,
  recorded_at         TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (inspection_id, agency)
);
CREATE INDEX inspection_findings_declaration ON inspection_findings (declaration_number, agency);

CREATE TABLE inspection_bookings (
  site_code      TEXT COLLATE "C" NOT NULL REFERENCES inspection_sites (code),
  slot_start     TEXT COLLATE "C" NOT NULL,
  seat           INTEGER NOT NULL CHECK (seat >= 1),
  inspection_id  BIGINT NOT NULL UNIQUE REFERENCES inspections (id),
  booked_at      TEXT COLLATE "C" NOT NULL,
  booked_by      TEXT NOT NULL,
  PRIMARY KEY (site_code, slot_start, seat)
);
