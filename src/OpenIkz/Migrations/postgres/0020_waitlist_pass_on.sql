-- Passing a lapsed waiting-list offer on (issue 11): when the offered hold expires unconfirmed, the sweep offers the
-- slot to the next in line once; passed_on_at marks the entry whose offer was passed on (PostgreSQL dialect).
ALTER TABLE appointment_waitlist ADD COLUMN passed_on_at TIMESTAMPTZ NULL;
