-- Appointments (issue 11): the citizen offices of a municipality, their opening hours, closures and services, the
-- agreements' services that are shared for appointments, the appointments and the capacity cells they occupy
-- (PostgreSQL dialect).
--
-- Never two appointments in one capacity unit: an office's day is cut into cells of slot_minutes per counter; an
-- appointment occupies the consecutive cells of its duration on one counter, and the primary key of
-- appointment_cells (office, counter, start) is the guarantee, not a check before the insert. A cell freed by a
-- cancellation or a move stays (appointment_id NULL) until held_until, so that it is not offered again at once.
CREATE TABLE appointment_offices (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_ags    TEXT NOT NULL REFERENCES municipalities (ags),
    name                TEXT NOT NULL,
    street              TEXT NOT NULL,
    postal_code         TEXT NOT NULL,
    city                TEXT NOT NULL,
    accessibility       TEXT NULL,                                   -- e.g. "stufenloser Zugang, Aufzug"
    slot_minutes        INTEGER NOT NULL DEFAULT 10 CHECK (slot_minutes IN (5, 10, 15, 20, 30)),
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_appointment_offices_municipality ON appointment_offices (municipality_ags);

-- Opening hours per weekday (1 = Monday … 7 = Sunday), local time Europe/Berlin, with the counters working in parallel.
CREATE TABLE appointment_opening_hours (
    office_id   BIGINT NOT NULL REFERENCES appointment_offices (id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens       TEXT NOT NULL,                                      -- "08:00"
    closes      TEXT NOT NULL,                                      -- "12:30"
    counters    INTEGER NOT NULL CHECK (counters BETWEEN 1 AND 50),
    PRIMARY KEY (office_id, weekday, opens)
);

CREATE TABLE appointment_closures (
    office_id   BIGINT NOT NULL REFERENCES appointment_offices (id) ON DELETE CASCADE,
    day         DATE NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (office_id, day)
);

-- What an office offers: a service of the catalogue with its duration, per additional item (e.g. per vehicle) and the most items.
CREATE TABLE appointment_office_services (
    office_id          BIGINT NOT NULL REFERENCES appointment_offices (id) ON DELETE CASCADE,
    service_slug       TEXT NOT NULL REFERENCES services (slug),
    minutes            INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 240),
    minutes_per_item   INTEGER NOT NULL DEFAULT 0 CHECK (minutes_per_item BETWEEN 0 AND 120),
    max_items          INTEGER NOT NULL DEFAULT 1 CHECK (max_items BETWEEN 1 AND 20),
    PRIMARY KEY (office_id, service_slug)
);

-- The services of an agreement that its members share for appointments: every member's offices are bookable for the
-- residents of every member while the agreement is in force.
CREATE TABLE appointment_sharing (
    agreement_id   BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    service_slug   TEXT NOT NULL REFERENCES services (slug),
    PRIMARY KEY (agreement_id, service_slug)
);

-- status: reserved (held until expires_at, waiting for the e-mail confirmation), confirmed, cancelled, expired.
-- The manage and confirmation tokens are stored as SHA-256 hashes; the tokens themselves exist only with the resident.
CREATE TABLE appointments (
    id                  TEXT PRIMARY KEY,                           -- random, also the calendar UID
    office_id           BIGINT NOT NULL REFERENCES appointment_offices (id),
    service_slug        TEXT NOT NULL REFERENCES services (slug),
    resident_ags        TEXT NOT NULL REFERENCES municipalities (ags),
    start_at            TIMESTAMPTZ NOT NULL,
    end_at              TIMESTAMPTZ NOT NULL,
    items               INTEGER NOT NULL,
    counter             INTEGER NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT NOT NULL,
    email_key           TEXT NOT NULL,                              -- the address folded to lower case (per-address limit)
    phone               TEXT NULL,
    status              TEXT NOT NULL CHECK (status IN ('reserved', 'confirmed', 'cancelled', 'expired')),
    manage_token_hash   TEXT NOT NULL UNIQUE,
    confirm_token_hash  TEXT NOT NULL UNIQUE,
    expires_at          TIMESTAMPTZ NULL,                           -- the hold of a reserved appointment
    sequence            INTEGER NOT NULL DEFAULT 0,                 -- iCalendar SEQUENCE: raised by every move and the cancellation
    created_at          TIMESTAMPTZ NOT NULL,
    confirmed_at        TIMESTAMPTZ NULL,
    cancelled_at        TIMESTAMPTZ NULL
);
CREATE INDEX ix_appointments_office_start ON appointments (office_id, start_at);
CREATE INDEX ix_appointments_email ON appointments (email_key, service_slug, status);
CREATE INDEX ix_appointments_hold ON appointments (expires_at) WHERE status = 'reserved';

CREATE TABLE appointment_cells (
    office_id       BIGINT NOT NULL REFERENCES appointment_offices (id),
    counter         INTEGER NOT NULL,
    cell_start      TIMESTAMPTZ NOT NULL,
    appointment_id  TEXT NULL REFERENCES appointments (id),
    held_until      TIMESTAMPTZ NULL,                               -- a freed cell: not offered before this instant
    PRIMARY KEY (office_id, counter, cell_start)
);
CREATE INDEX ix_appointment_cells_appointment ON appointment_cells (appointment_id);
