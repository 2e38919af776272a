-- Agreement lifecycle, settlement key, settlements (SQLite dialect).
ALTER TABLE agreements ADD COLUMN state_law TEXT NULL;
ALTER TABLE agreements ADD COLUMN legal_form TEXT NULL;
ALTER TABLE agreements ADD COLUMN transfers_task INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agreements ADD COLUMN notice_months INTEGER NOT NULL DEFAULT 6;
ALTER TABLE agreements ADD COLUMN data_protection TEXT NULL;
ALTER TABLE agreements ADD COLUMN goals TEXT NULL;
ALTER TABLE agreements ADD COLUMN evaluation_date TEXT NULL;
ALTER TABLE agreements ADD COLUMN fee_rule TEXT NOT NULL DEFAULT 'owner';
ALTER TABLE agreements ADD COLUMN fee_share_percent TEXT NULL;
ALTER TABLE agreements ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agreements ADD COLUMN supersedes_id INTEGER NULL REFERENCES agreements (id);
ALTER TABLE agreements ADD COLUMN superseded_by_id INTEGER NULL REFERENCES agreements (id);
ALTER TABLE agreements ADD COLUMN approval_reference TEXT NULL;
ALTER TABLE agreements ADD COLUMN approved_on TEXT NULL;
ALTER TABLE agreements ADD COLUMN termination_reason TEXT NULL;
ALTER TABLE agreements ADD COLUMN termination_note TEXT NULL;
ALTER TABLE agreements ADD COLUMN created_by_ags TEXT NULL REFERENCES municipalities (ags);
ALTER TABLE agreements ADD COLUMN updated_at TEXT NULL;

ALTER TABLE agreement_members ADD COLUMN consented_at TEXT NULL;
ALTER TABLE agreement_members ADD COLUMN consented_by_user_id INTEGER NULL REFERENCES users (id);

-- The settlement key: a flat amount per decided case, per service and case group ('' = whole service),
-- and for fee-bearing services the fee per case; amounts in cents.
CREATE TABLE agreement_rates (
    agreement_id  INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    service_slug  TEXT NOT NULL REFERENCES services (slug),
    case_group    TEXT NOT NULL DEFAULT '',
    flat_cents    INTEGER NOT NULL CHECK (flat_cents >= 0),
    fee_cents     INTEGER NULL CHECK (fee_cents >= 0),
    PRIMARY KEY (agreement_id, service_slug, case_group)
);

CREATE TABLE agreement_history (
    id             INTEGER PRIMARY KEY,
    agreement_id   INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER NULL REFERENCES users (id),
    actor_name     TEXT NOT NULL,
    actor_ags      TEXT NULL,
    action         TEXT NOT NULL,
    details        TEXT NULL
);
CREATE INDEX ix_agreement_history ON agreement_history (agreement_id);

CREATE TABLE agreement_documents (
    agreement_id  INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    html_sha256   TEXT NOT NULL,
    pdf_sha256    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version, created_at)
);

CREATE TABLE settlements (
    id                      TEXT PRIMARY KEY,
    number                  TEXT NOT NULL UNIQUE,
    agreement_id            INTEGER NOT NULL REFERENCES agreements (id),
    period                  TEXT NOT NULL,
    period_start            TEXT NOT NULL,
    period_end              TEXT NOT NULL,
    corrects_settlement_id  TEXT NULL REFERENCES settlements (id),
    lines_hash              TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    created_by_user_id      INTEGER NULL REFERENCES users (id)
);
CREATE INDEX ix_settlements_agreement ON settlements (agreement_id, period_start);

CREATE TABLE settlement_lines (
    settlement_id  TEXT NOT NULL REFERENCES settlements (id),
    owner_ags      TEXT NOT NULL,
    processor_ags  TEXT NOT NULL,
    service_slug   TEXT NOT NULL,
    case_group     TEXT NOT NULL,
    case_count     INTEGER NOT NULL,
    flat_cents     INTEGER NOT NULL,
    fee_cents      INTEGER NOT NULL,
    amount_cents   INTEGER NOT NULL,
    PRIMARY KEY (settlement_id, owner_ags, processor_ags, service_slug, case_group)
);

CREATE TABLE settlement_statements (
    settlement_id            TEXT NOT NULL REFERENCES settlements (id),
    municipality_ags         TEXT NOT NULL REFERENCES municipalities (ags),
    balance_cents            INTEGER NOT NULL,
    previous_balance_cents   INTEGER NULL,
    PRIMARY KEY (settlement_id, municipality_ags)
);

CREATE TABLE settlement_transfers (
    settlement_id  TEXT NOT NULL REFERENCES settlements (id),
    payer_ags      TEXT NOT NULL,
    receiver_ags   TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (settlement_id, payer_ags, receiver_ags)
);

ALTER TABLE municipalities ADD COLUMN iban TEXT NULL;
ALTER TABLE municipalities ADD COLUMN email TEXT NULL;
