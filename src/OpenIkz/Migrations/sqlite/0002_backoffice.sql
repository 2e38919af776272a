-- Shared back office: agreements (data and access), cases, documents, notes, history, audit (SQLite dialect).
ALTER TABLE municipalities ADD COLUMN address_street TEXT NULL;
ALTER TABLE municipalities ADD COLUMN address_postal_code TEXT NULL;
ALTER TABLE municipalities ADD COLUMN address_city TEXT NULL;
ALTER TABLE municipalities ADD COLUMN authority_name TEXT NULL;

CREATE TABLE agreements (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE agreement_services (
    agreement_id  INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    service_slug  TEXT NOT NULL REFERENCES services (slug),
    PRIMARY KEY (agreement_id, service_slug)
);
CREATE INDEX ix_agreement_services_service ON agreement_services (service_slug);

CREATE TABLE agreement_members (
    agreement_id            INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    municipality_ags        TEXT NOT NULL REFERENCES municipalities (ags),
    contributes_cases       INTEGER NOT NULL,
    contributes_staff       INTEGER NOT NULL,
    capacity_share_percent  INTEGER NULL CHECK (capacity_share_percent BETWEEN 0 AND 100),
    PRIMARY KEY (agreement_id, municipality_ags),
    CHECK (contributes_cases = 1 OR contributes_staff = 1)
);
CREATE INDEX ix_agreement_members_municipality ON agreement_members (municipality_ags);

CREATE TABLE api_client_requests (
    client_id     INTEGER NOT NULL REFERENCES api_clients (id),
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);

CREATE TABLE reference_counters (
    owner_ags   TEXT NOT NULL,
    code        TEXT NOT NULL,
    year        INTEGER NOT NULL,
    last_value  INTEGER NOT NULL,
    PRIMARY KEY (owner_ags, code, year)
);

CREATE TABLE cases (
    id                     TEXT PRIMARY KEY,
    reference              TEXT NOT NULL UNIQUE,
    owner_ags              TEXT NOT NULL REFERENCES municipalities (ags),
    service_slug           TEXT NOT NULL REFERENCES services (slug),
    case_group             TEXT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'waiting', 'closed')),
    assigned_user_id       INTEGER NULL REFERENCES users (id),
    assigned_at            TEXT NULL,
    complete               INTEGER NOT NULL,
    applicant_given_name   TEXT NOT NULL,
    applicant_family_name  TEXT NOT NULL,
    applicant_birth_date   TEXT NOT NULL,
    applicant_email        TEXT NULL,
    applicant_street       TEXT NOT NULL,
    applicant_postal_code  TEXT NOT NULL,
    applicant_city         TEXT NOT NULL,
    applicant_search       TEXT NOT NULL,
    form_json              TEXT NOT NULL,
    received_at            TEXT NOT NULL,
    due_date               TEXT NOT NULL,
    waiting_until          TEXT NULL,
    decided_at             TEXT NULL,
    outcome                TEXT NULL CHECK (outcome IN ('granted', 'rejected')),
    decision_reason        TEXT NULL,
    decided_by_user_id     INTEGER NULL REFERENCES users (id),
    processor_ags          TEXT NULL REFERENCES municipalities (ags),
    retention_until        TEXT NULL,
    api_client_id          INTEGER NULL REFERENCES api_clients (id),
    version                INTEGER NOT NULL DEFAULT 1
);
-- The pooled queue: unassigned open cases of one service in claim order.
CREATE INDEX ix_cases_pool ON cases (service_slug, due_date, received_at) WHERE status = 'open';
CREATE INDEX ix_cases_assignee ON cases (assigned_user_id) WHERE assigned_user_id IS NOT NULL;
CREATE INDEX ix_cases_owner_service_status ON cases (owner_ags, service_slug, status);
CREATE INDEX ix_cases_decided ON cases (decided_at) WHERE status = 'closed';
CREATE INDEX ix_cases_applicant ON cases (applicant_search);

CREATE TABLE case_documents (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    document_type     TEXT NOT NULL,
    file_name         TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size_bytes        INTEGER NOT NULL,
    sha256            TEXT NOT NULL,
    source            TEXT NOT NULL CHECK (source IN ('intake', 'clerk', 'decision')),
    added_at          TEXT NOT NULL,
    added_by_user_id  INTEGER NULL REFERENCES users (id)
);
CREATE INDEX ix_case_documents_case ON case_documents (case_id);

CREATE TABLE case_notes (
    id              INTEGER PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    author_user_id  INTEGER NOT NULL REFERENCES users (id),
    text            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX ix_case_notes_case ON case_notes (case_id);

CREATE TABLE case_history (
    id             INTEGER PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    at             TEXT NOT NULL,
    actor_user_id  INTEGER NULL REFERENCES users (id),
    actor_name     TEXT NOT NULL,
    actor_ags      TEXT NULL,
    action         TEXT NOT NULL,
    details        TEXT NULL
);
CREATE INDEX ix_case_history_case ON case_history (case_id);

CREATE TABLE absences (
    id                  INTEGER PRIMARY KEY,
    user_id             INTEGER NOT NULL REFERENCES users (id),
    from_date           TEXT NOT NULL,
    to_date             TEXT NOT NULL,
    created_by_user_id  INTEGER NOT NULL REFERENCES users (id),
    created_at          TEXT NOT NULL,
    CHECK (to_date >= from_date)
);
CREATE INDEX ix_absences_user ON absences (user_id, from_date, to_date);

CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER NULL,
    actor_client_id INTEGER NULL,
    actor_name     TEXT NOT NULL,
    actor_ags      TEXT NOT NULL,
    owner_ags      TEXT NULL,
    agreement_id   INTEGER NULL,
    case_id        TEXT NULL,
    action         TEXT NOT NULL,
    detail         TEXT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX ix_audit_case ON audit_log (case_id);

-- The head of the hash chain: one row, updated with every append (this row lock orders the appends).
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
