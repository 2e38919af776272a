-- The version of an office's data (issue 11): raised by every change of the office, its hours, services, closures and
-- measured no-show rate. A booking checks its slot on office data kept for a few seconds and places its hold only if
-- the version is still the one it checked against (PostgreSQL dialect).
ALTER TABLE appointment_offices ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
