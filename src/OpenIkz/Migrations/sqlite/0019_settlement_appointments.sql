-- Appointments in the settlement (issue 11): an agreement's rate per appointment (on the service's row for all case
-- groups), and settlement lines that count either decided cases or appointments served by an office of one member for
-- residents of another (unit), so that both can stand for the same pair and service (SQLite dialect: the primary key
-- changes, so the table is rebuilt).
ALTER TABLE agreement_rates ADD COLUMN appointment_cents INTEGER NULL CHECK (appointment_cents >= 0);

CREATE TABLE settlement_lines_by_unit (
    settlement_id  TEXT NOT NULL REFERENCES settlements (id),
    unit           TEXT NOT NULL DEFAULT 'case' CHECK (unit IN ('case', 'appointment')),
    owner_ags      TEXT NOT NULL,
    processor_ags  TEXT NOT NULL,
    service_slug   TEXT NOT NULL,
    case_group     TEXT NOT NULL,
    case_count     INTEGER NOT NULL,
    flat_cents     INTEGER NOT NULL,
    fee_cents      INTEGER NOT NULL,
    amount_cents   INTEGER NOT NULL,
    PRIMARY KEY (settlement_id, unit, owner_ags, processor_ags, service_slug, case_group)
);
INSERT INTO settlement_lines_by_unit (settlement_id, unit, owner_ags, processor_ags, service_slug, case_group, case_count, flat_cents, fee_cents, amount_cents)
SELECT settlement_id, 'case', owner_ags, processor_ags, service_slug, case_group, case_count, flat_cents, fee_cents, amount_cents FROM settlement_lines;
DROP TABLE settlement_lines;
ALTER TABLE settlement_lines_by_unit RENAME TO settlement_lines;

-- Served appointments of a period by office and start (the settlement's count).
CREATE INDEX ix_appointments_served ON appointments (start_at) WHERE checked_in_at IS NOT NULL AND status = 'confirmed';
