-- Optional overbooking by the measured no-show rate (issue 11, off by default): the office's switch and its no-show
-- rate over the last 90 days, refreshed by a periodic job (PostgreSQL dialect).
ALTER TABLE appointment_offices ADD COLUMN overbooking BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE appointment_offices ADD COLUMN no_show_permille INTEGER NULL;
ALTER TABLE appointment_offices ADD COLUMN no_show_samples INTEGER NOT NULL DEFAULT 0;
