-- The office's day (issue 11): the check-in code a resident shows at the office (from the confirmation e-mail, also as
-- a QR code), the check-in, the call to a counter and the no-show (SQLite dialect).
ALTER TABLE appointments ADD COLUMN checkin_code TEXT NULL;
ALTER TABLE appointments ADD COLUMN checked_in_at TEXT NULL;
ALTER TABLE appointments ADD COLUMN called_at TEXT NULL;
ALTER TABLE appointments ADD COLUMN called_counter INTEGER NULL;
ALTER TABLE appointments ADD COLUMN no_show_at TEXT NULL;
CREATE UNIQUE INDEX ux_appointments_checkin_code ON appointments (checkin_code) WHERE checkin_code IS NOT NULL;
