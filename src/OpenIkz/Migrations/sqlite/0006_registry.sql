-- The IKZ register (Kooperationen), their partners and the gpaNRW categories they name (SQLite dialect).
CREATE TABLE registry_cooperations (
    id                        INTEGER PRIMARY KEY,
    title                     TEXT NOT NULL,
    title_search              TEXT NOT NULL,           -- SearchText.Fold(title + ' ' + description), for the register search
    description               TEXT NOT NULL,
    task_field                TEXT NOT NULL,           -- TaskFields slug
    state_law                 TEXT NOT NULL,           -- LegalForms law slug
    legal_form                TEXT NOT NULL,           -- RegistryLegalForms slug valid under state_law
    status                    TEXT NOT NULL CHECK (status IN ('geplant', 'in-umsetzung', 'umgesetzt', 'rueckabgewickelt')),
    since_year                INTEGER NULL CHECK (since_year BETWEEN 1900 AND 2200),
    rollback_reason           TEXT NULL,               -- RollbackReasons slug, only when rolled back
    rollback_year             INTEGER NULL CHECK (rollback_year BETWEEN 1900 AND 2200),
    one_off_cost_cents        INTEGER NULL CHECK (one_off_cost_cents >= 0),
    yearly_cost_before_cents  INTEGER NULL CHECK (yearly_cost_before_cents >= 0),
    yearly_cost_after_cents   INTEGER NULL CHECK (yearly_cost_after_cents >= 0),
    fte_before_hundredths     INTEGER NULL CHECK (fte_before_hundredths >= 0),  -- full-time equivalents × 100
    fte_after_hundredths      INTEGER NULL CHECK (fte_after_hundredths >= 0),
    contact_mailbox           TEXT NULL,               -- a functional mailbox, never a person's name
    sources                   TEXT NOT NULL DEFAULT '',-- one source per line
    agreement_id              INTEGER NULL REFERENCES agreements (id),  -- linked: partners, status and dates come from it
    created_by_ags            TEXT NULL REFERENCES municipalities (ags),
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    version                   INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_registry_cooperations_task_field ON registry_cooperations (task_field, status);
CREATE INDEX ix_registry_cooperations_agreement ON registry_cooperations (agreement_id);

-- Partners of an entry that is not linked to an agreement (a linked entry takes the agreement's members).
CREATE TABLE registry_partners (
    cooperation_id  INTEGER NOT NULL REFERENCES registry_cooperations (id) ON DELETE CASCADE,
    ags             TEXT NOT NULL REFERENCES municipalities (ags),
    role            TEXT NOT NULL CHECK (role IN ('federfuehrend', 'partner')),
    PRIMARY KEY (cooperation_id, ags)
);
CREATE INDEX ix_registry_partners_ags ON registry_partners (ags, cooperation_id);

-- Goals, success factors and obstacles an entry names (Factors slugs).
CREATE TABLE registry_factors (
    cooperation_id  INTEGER NOT NULL REFERENCES registry_cooperations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('ziel', 'erfolgsfaktor', 'hindernis')),
    slug            TEXT NOT NULL,
    PRIMARY KEY (cooperation_id, kind, slug)
);

-- The agreement a linked entry follows: the one it was linked to, or the newest amendment that superseded it.
CREATE VIEW registry_linked_agreements AS
WITH RECURSIVE chain (cooperation_id, agreement_id) AS (
    SELECT id, agreement_id FROM registry_cooperations WHERE agreement_id IS NOT NULL
    UNION ALL
    SELECT chain.cooperation_id, a.superseded_by_id FROM chain JOIN agreements a ON a.id = chain.agreement_id WHERE a.superseded_by_id IS NOT NULL
)
SELECT chain.cooperation_id, chain.agreement_id FROM chain JOIN agreements a ON a.id = chain.agreement_id WHERE a.superseded_by_id IS NULL;

-- Every entry's partners, live: its own rows, or the members of its agreement (the creating municipality leads).
CREATE VIEW registry_entry_partners AS
SELECT p.cooperation_id, p.ags, p.role
FROM registry_partners p JOIN registry_cooperations c ON c.id = p.cooperation_id
WHERE c.agreement_id IS NULL
UNION ALL
SELECT l.cooperation_id, m.municipality_ags AS ags,
       CASE WHEN m.municipality_ags = a.created_by_ags THEN 'federfuehrend' ELSE 'partner' END AS role
FROM registry_linked_agreements l JOIN agreements a ON a.id = l.agreement_id JOIN agreement_members m ON m.agreement_id = a.id;

-- Every entry with its live status, start year and rollback: a linked entry's come from its agreement
-- (RegistryStatus.FromAgreement: active → umgesetzt, approved → in Umsetzung, terminated → rückabgewickelt, else geplant).
CREATE VIEW registry_entries AS
SELECT c.id, c.title, c.title_search, c.description, c.task_field, c.state_law, c.legal_form,
       CASE WHEN a.id IS NULL THEN c.status
            WHEN a.status = 'active' THEN 'umgesetzt'
            WHEN a.status = 'approved' THEN 'in-umsetzung'
            WHEN a.status = 'terminated' THEN 'rueckabgewickelt'
            ELSE 'geplant' END AS status,
       CASE WHEN a.id IS NULL THEN c.since_year ELSE CAST(substr(a.valid_from, 1, 4) AS INTEGER) END AS since_year,
       CASE WHEN a.id IS NULL THEN c.rollback_reason WHEN a.status = 'terminated' THEN a.termination_reason ELSE NULL END AS rollback_reason,
       CASE WHEN a.id IS NULL THEN c.rollback_year WHEN a.status = 'terminated' THEN CAST(substr(a.valid_to, 1, 4) AS INTEGER) ELSE NULL END AS rollback_year,
       c.one_off_cost_cents, c.yearly_cost_before_cents, c.yearly_cost_after_cents, c.fte_before_hundredths, c.fte_after_hundredths,
       c.contact_mailbox, c.sources, l.agreement_id, c.created_by_ags, c.created_at, c.updated_at, c.version
FROM registry_cooperations c
LEFT JOIN registry_linked_agreements l ON l.cooperation_id = c.id
LEFT JOIN agreements a ON a.id = l.agreement_id;
