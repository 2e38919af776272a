-- Kooperationsräume: regional development management after the lebensWert model (seeds/003): member municipalities,
-- Handlungsfelder with development goals and options for action, links to register entries and agreements, and a
-- learning cycle per field (PostgreSQL dialect).
CREATE TABLE regions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_by_ags  TEXT NOT NULL REFERENCES municipalities (ags),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1           -- raised by every change of name or description
);

-- The member municipalities; 'koordinierend' members form the coordination unit (manage members, name, description).
CREATE TABLE region_members (
    region_id  BIGINT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    ags        TEXT NOT NULL REFERENCES municipalities (ags),
    role       TEXT NOT NULL CHECK (role IN ('koordinierend', 'mitglied')),
    joined_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (region_id, ags)
);
CREATE INDEX ix_region_members_ags ON region_members (ags, region_id);

-- Handlungsfelder of a region (e.g. Wasser, Wohnen, Nahraum), in the order of position.
CREATE TABLE fields_of_action (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id    BIGINT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL CHECK (position BETWEEN 1 AND 1000),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_fields_of_action_region ON fields_of_action (region_id, position);

-- Development goals (Entwicklungsziele, kind 'ziel') and options for action (Handlungsoptionen, kind 'option'): ordered text items.
CREATE TABLE field_of_action_items (
    field_id  BIGINT NOT NULL REFERENCES fields_of_action (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('ziel', 'option')),
    position  INTEGER NOT NULL CHECK (position >= 1),
    text      TEXT NOT NULL,
    status    TEXT NULL,                                  -- RegionCatalog: GoalStatuses / OptionStatuses slug
    PRIMARY KEY (field_id, kind, position)
);

-- Register entries a field names (public; read through the registry_entries view for their live status).
CREATE TABLE field_of_action_cooperations (
    field_id        BIGINT NOT NULL REFERENCES fields_of_action (id) ON DELETE CASCADE,
    cooperation_id  BIGINT NOT NULL REFERENCES registry_cooperations (id) ON DELETE CASCADE,
    linked_by_ags   TEXT NOT NULL REFERENCES municipalities (ags),
    linked_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (field_id, cooperation_id)
);
CREATE INDEX ix_field_of_action_cooperations ON field_of_action_cooperations (cooperation_id);

-- Agreements a field names: linked only by a coordinator whose municipality is a member of the agreement;
-- the region's members see their title and status only.
CREATE TABLE field_of_action_agreements (
    field_id       BIGINT NOT NULL REFERENCES fields_of_action (id) ON DELETE CASCADE,
    agreement_id   BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    linked_by_ags  TEXT NOT NULL REFERENCES municipalities (ags),
    linked_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (field_id, agreement_id)
);
CREATE INDEX ix_field_of_action_agreements ON field_of_action_agreements (agreement_id);

-- The learning cycle of a field: the five fixed steps, each with a status, a review date (Überprüfung am) and notes.
CREATE TABLE learning_cycle_steps (
    field_id    BIGINT NOT NULL REFERENCES fields_of_action (id) ON DELETE CASCADE,
    step        TEXT NOT NULL CHECK (step IN ('analyse', 'ideen', 'planung', 'umsetzung', 'reflexion')),
    position    INTEGER NOT NULL CHECK (position BETWEEN 1 AND 5),
    status      TEXT NOT NULL DEFAULT 'offen' CHECK (status IN ('offen', 'in-arbeit', 'abgeschlossen')),
    review_on   DATE NULL,                                -- overdue when before today (Europe/Berlin) and not abgeschlossen
    note        TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (field_id, step)
);
CREATE INDEX ix_learning_cycle_steps_review ON learning_cycle_steps (review_on, status);
