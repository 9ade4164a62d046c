-- 0003_inspections.sql: the joint inspection (联合查验) and 7x24
-- appointments (预约通关). A declaration's goods get one inspection at a time,
-- shared by every agency that wants one; each agency records its own finding
-- (or recognises another agency's, 监管互认); the outcome is kept because
-- fees depend on it. Inspection sites offer slots around the clock; a booking
-- holds one numbered place ("seat") of a slot, so a slot can never hold more
-- bookings than the site's capacity. Times are RFC 3339 UTC text with
-- microseconds, which sort as they read.

CREATE TABLE inspection_sites (
  code          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  port          TEXT NOT NULL,          -- UN/LOCODE of the port it serves
  slot_minutes  INTEGER NOT NULL CHECK (slot_minutes > 0 AND 1440 % slot_minutes = 0),
  capacity      INTEGER NOT NULL CHECK (capacity >= 1), -- inspections per slot
  created_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE inspections (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  declaration_number  TEXT NOT NULL,
  org_id              INTEGER NOT NULL,  -- the declarant's organisation
  status              TEXT NOT NULL,     -- awaiting_booking, booked, in_progress, completed, cancelled
  outcome             TEXT,              -- no_problem, problem (once completed)
  opened_at           TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  completed_at        TEXT
);
-- at most one inspection of a declaration is under way at a time
CREATE UNIQUE INDEX inspections_one_open ON inspections (declaration_number)
  WHERE status IN ('awaiting_booking', 'booked', 'in_progress');
CREATE INDEX inspections_declaration ON inspections (declaration_number, id);

-- The agencies taking part in an inspection.
CREATE TABLE inspection_agencies (
  inspection_id  INTEGER NOT NULL REFERENCES inspections (id),
  agency         TEXT NOT NULL,
  joined_at      TEXT NOT NULL,
  PRIMARY KEY (inspection_id, agency)
) WITHOUT ROWID;

-- Each agency's finding, one per agency and inspection. Joined by
-- (declaration_number, agency) for rule effectiveness: result tells whether
-- the inspection an agency asked for found anything.
CREATE TABLE inspection_findings (
  inspection_id       INTEGER NOT NULL REFERENCES inspections (id),
  agency              TEXT NOT NULL,
  declaration_number  TEXT NOT NULL,
  result              TEXT NOT NULL CHECK (result IN ('no_problem', 'problem')),
  decision            TEXT,             -- return or reject when result = problem
  note                TEXT,
  recognised_from     TEXT,             -- the agency whose finding this copies
  recorded_by         TEXT NOT NULL,
  recorded_at         TEXT NOT NULL,
  PRIMARY KEY (inspection_id, agency)
) WITHOUT ROWID;
CREATE INDEX inspection_findings_declaration ON inspection_findings (declaration_number, agency);

-- A booking holds place `seat` (1..capacity) of a site's slot; the primary
-- key makes two bookings of one place impossible, and an inspection holds at
-- most one booking.
CREATE TABLE inspection_bookings (
  site_code      TEXT NOT NULL REFERENCES inspection_sites (code),
  slot_start     TEXT NOT NULL,
  seat           INTEGER NOT NULL CHECK (seat >= 1),
  inspection_id  INTEGER NOT NULL UNIQUE REFERENCES inspections (id),
  booked_at      TEXT NOT NULL,
  booked_by      TEXT NOT NULL,
  PRIMARY KEY (site_code, slot_start, seat)
) WITHOUT ROWID;
