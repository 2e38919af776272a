-- Agreement lifecycle, settlement key, settlements (PostgreSQL dialect).
ALTER TABLE agreements ADD COLUMN state_law TEXT NULL;
ALTER TABLE agreements ADD COLUMN legal_form TEXT NULL;
ALTER TABLE agreements ADD COLUMN transfers_task BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE agreements ADD COLUMN notice_months INTEGER NOT NULL DEFAULT 6;
ALTER TABLE agreements ADD COLUMN data_protection TEXT NULL;
ALTER TABLE agreements ADD COLUMN goals TEXT NULL;
ALTER TABLE agreements ADD COLUMN evaluation_date DATE NULL;
ALTER TABLE agreements ADD COLUMN fee_rule TEXT NOT NULL DEFAULT 'owner';
ALTER TABLE agreements ADD COLUMN fee_share_percent TEXT NULL;
ALTER TABLE agreements ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agreements ADD COLUMN supersedes_id BIGINT NULL REFERENCES agreements (id);
ALTER TABLE agreements ADD COLUMN superseded_by_id BIGINT NULL REFERENCES agreements (id);
ALTER TABLE agreements ADD COLUMN approval_reference TEXT NULL;
ALTER TABLE agreements ADD COLUMN approved_on DATE NULL;
ALTER TABLE agreements ADD COLUMN termination_reason TEXT NULL;
ALTER TABLE agreements ADD COLUMN termination_note TEXT NULL;
ALTER TABLE agreements ADD COLUMN created_by_ags TEXT NULL REFERENCES municipalities (ags);
ALTER TABLE agreements ADD COLUMN updated_at TIMESTAMPTZ NULL;

ALTER TABLE agreement_members ADD COLUMN consented_at TIMESTAMPTZ NULL;
ALTER TABLE agreement_members ADD COLUMN consented_by_user_id BIGINT NULL REFERENCES users (id);

-- The settlement key: a flat amount per decided case, per service and case group ('' = whole service),
-- and for fee-bearing services the fee per case; amounts in cents.
CREATE TABLE agreement_rates (
    agreement_id  BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    service_slug  TEXT NOT NULL REFERENCES services (slug),
    case_group    TEXT NOT NULL DEFAULT '',
    flat_cents    BIGINT NOT NULL CHECK (flat_cents >= 0),
    fee_cents     BIGINT NULL CHECK (fee_cents >= 0),
    PRIMARY KEY (agreement_id, service_slug, case_group)
);

CREATE TABLE agreement_history (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id   BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    at             TIMESTAMPTZ NOT NULL,
    actor_user_id  BIGINT NULL REFERENCES users (id),
    actor_name     TEXT NOT NULL,
    actor_ags      TEXT NULL,
    action         TEXT NOT NULL,
    details        TEXT NULL
);
CREATE INDEX ix_agreement_history ON agreement_history (agreement_id);

CREATE TABLE agreement_documents (
    agreement_id  BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    html_sha256   TEXT NOT NULL,
    pdf_sha256    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    reason        TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version, created_at)
);

CREATE TABLE settlements (
    id                      TEXT PRIMARY KEY,
    number                  TEXT NOT NULL UNIQUE,
    agreement_id            BIGINT NOT NULL REFERENCES agreements (id),
    period                  TEXT NOT NULL,
    period_start            DATE NOT NULL,
    period_end              DATE NOT NULL,
    corrects_settlement_id  TEXT NULL REFERENCES settlements (id),
    lines_hash              TEXT NOT NULL,
    created_at              TIMESTAMPTZ NOT NULL,
    created_by_user_id      BIGINT NULL REFERENCES users (id)
);
CREATE INDEX ix_settlements_agreement ON settlements (agreement_id, period_start);

CREATE TABLE settlement_lines (
    settlement_id  TEXT NOT NULL REFERENCES settlements (id),
    owner_ags      TEXT NOT NULL,
    processor_ags  TEXT NOT NULL,
    service_slug   TEXT NOT NULL,
    case_group     TEXT NOT NULL,
    case_count     BIGINT NOT NULL,
    flat_cents     BIGINT NOT NULL,
    fee_cents      BIGINT NOT NULL,
    amount_cents   BIGINT NOT NULL,
    PRIMARY KEY (settlement_id, owner_ags, processor_ags, service_slug, case_group)
);

CREATE TABLE settlement_statements (
    settlement_id            TEXT NOT NULL REFERENCES settlements (id),
    municipality_ags         TEXT NOT NULL REFERENCES municipalities (ags),
    balance_cents            BIGINT NOT NULL,
    previous_balance_cents   BIGINT NULL,
    PRIMARY KEY (settlement_id, municipality_ags)
);

CREATE TABLE settlement_transfers (
    settlement_id  TEXT NOT NULL REFERENCES settlements (id),
    payer_ags      TEXT NOT NULL,
    receiver_ags   TEXT NOT NULL,
    amount_cents   BIGINT NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (settlement_id, payer_ags, receiver_ags)
);

ALTER TABLE municipalities ADD COLUMN iban TEXT NULL;
ALTER TABLE municipalities ADD COLUMN email TEXT NULL;
