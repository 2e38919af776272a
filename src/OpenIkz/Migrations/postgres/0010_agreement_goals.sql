-- Evaluation of a running agreement (issue 9): structured goals beside the free text, and the index the evaluation's
-- count of cases returned by absences reads (PostgreSQL dialect).

-- A goal: a KPI of the catalogue (Assessment/Evaluation/KpiCatalogue.cs), the comparison (le = at most, ge = at least),
-- the target in hundredths of the KPI's unit (exact, no floating point) and the evaluation date.
CREATE TABLE agreement_goals (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id       BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    kpi                TEXT NOT NULL,
    comparison         TEXT NOT NULL CHECK (comparison IN ('le', 'ge')),
    target_hundredths  BIGINT NOT NULL CHECK (target_hundredths >= 0),
    due_date           DATE NOT NULL,
    note               TEXT NULL,
    UNIQUE (agreement_id, position)
);

-- Cases an absence returned to the pool: few rows of a large log, read by the evaluation.
CREATE INDEX ix_audit_returned_absence ON audit_log (case_id) WHERE action = 'case.returned-absence';
