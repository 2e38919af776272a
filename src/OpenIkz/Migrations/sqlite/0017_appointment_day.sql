-- The office's day (issue 11): the check-in code a resident shows at the office (from the confirmation e-mail, also as
-- a QR code), the check-in, the call to a counter and the no-show (SQLite dialect).
ALTER TABLE appointments ADD COLUMN checkin_code TEXT NULL;
ALTER TABLE appointments ADD COLUMN checked_in_at TEXT NULL;
ALTER TABLE appointments ADD COLUMN called_at TEXT NULL;
ALTER TABLE appointments ADD COLUMN called_counter INTEGER NULL;
ALTER TABLE appointments ADD COLUMN no_show_at TEXT NULL;
CREATE UNIQUE INDEX ux_appointments_checkin_code ON appointments (checkin_code) WHERE checkin_code IS NOT NULL;

-- The waiting list per service and place of residence: a resident who found nothing suitable is offered a freed slot by
-- e-mail (a hold with its own confirmation code), first come first served.
CREATE TABLE appointment_waitlist (
    id                  TEXT PRIMARY KEY,
    service_slug        TEXT NOT NULL REFERENCES services (slug),
    resident_ags        TEXT NOT NULL REFERENCES municipalities (ags),
    items               INTEGER NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT NOT NULL,
    email_key           TEXT NOT NULL,
    not_after           TEXT NOT NULL,                              -- a slot on this day or earlier
    status              TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'withdrawn')),
    manage_token_hash   TEXT NOT NULL UNIQUE,
    offered_appointment_id TEXT NULL REFERENCES appointments (id),
    created_at          TEXT NOT NULL
);
CREATE INDEX ix_appointment_waitlist_queue ON appointment_waitlist (service_slug, status, created_at);
