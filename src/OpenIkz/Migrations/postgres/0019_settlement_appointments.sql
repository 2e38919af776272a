-- Appointments in the settlement (issue 11): an agreement's rate per appointment (on the service's row for all case
-- groups), and settlement lines that count either decided cases or appointments served by an office of one member for
-- residents of another (unit), so that both can stand for the same pair and service (PostgreSQL dialect).
ALTER TABLE agreement_rates ADD COLUMN appointment_cents BIGINT NULL CHECK (appointment_cents >= 0);

ALTER TABLE settlement_lines ADD COLUMN unit TEXT NOT NULL DEFAULT 'case' CHECK (unit IN ('case', 'appointment'));
ALTER TABLE settlement_lines DROP CONSTRAINT settlement_lines_pkey;
ALTER TABLE settlement_lines ADD PRIMARY KEY (settlement_id, unit, owner_ags, processor_ags, service_slug, case_group);

-- Served appointments of a period by start (the settlement's count).
CREATE INDEX ix_appointments_served ON appointments (start_at) WHERE checked_in_at IS NOT NULL AND status = 'confirmed';
