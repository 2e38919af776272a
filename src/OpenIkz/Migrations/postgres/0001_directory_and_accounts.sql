-- Directory of municipalities, services, users, API clients (PostgreSQL dialect).
CREATE TABLE municipalities (
    ags           TEXT PRIMARY KEY CHECK (length(ags) IN (5, 8, 9) AND ags ~ '^[0-9]+$'),
    name          TEXT NOT NULL,
    name_search   TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('gemeinde', 'stadt', 'einheitsgemeinde', 'verbandsgemeinde', 'landkreis', 'kreisfreie-stadt')),
    state         TEXT NOT NULL CHECK (length(state) = 2),
    district_ags  TEXT NULL REFERENCES municipalities (ags),
    population    INTEGER NOT NULL CHECK (population >= 0),
    area_ha       BIGINT NOT NULL CHECK (area_ha >= 0),
    leitweg_id    TEXT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_municipalities_state ON municipalities (state);
CREATE INDEX ix_municipalities_district ON municipalities (district_ags);

CREATE TABLE services (
    slug  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE users (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_ags  TEXT NOT NULL REFERENCES municipalities (ags),
    username          TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    password_is_demo  BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins     INTEGER NOT NULL DEFAULT 0,
    locked_until      TIMESTAMPTZ NULL,
    is_active         BOOLEAN NOT NULL DEFAULT TRUE,
    security_stamp    TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_users_username ON users (lower(username));
CREATE INDEX ix_users_municipality ON users (municipality_ags);

CREATE TABLE user_roles (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('Sachbearbeitung', 'Teamleitung', 'Koordination', 'Administration')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_services (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service_slug  TEXT NOT NULL REFERENCES services (slug),
    PRIMARY KEY (user_id, service_slug)
);

CREATE TABLE access_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_access_tokens_expiry ON access_tokens (expires_at);

CREATE TABLE api_clients (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_ags  TEXT NOT NULL REFERENCES municipalities (ags),
    name              TEXT NOT NULL,
    scope             TEXT NOT NULL CHECK (scope IN ('intake')),
    secret_hash       TEXT NOT NULL UNIQUE,
    created_at        TIMESTAMPTZ NOT NULL,
    revoked_at        TIMESTAMPTZ NULL
);

CREATE TABLE instance_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

INSERT INTO services (slug, name) VALUES
    ('kfz-zulassung', 'Kfz-Zulassung'),
    ('elterngeld', 'Elterngeld'),
    ('wohngeld', 'Wohngeld'),
    ('grundsicherung', 'Grundsicherung im Alter und bei Erwerbsminderung');
