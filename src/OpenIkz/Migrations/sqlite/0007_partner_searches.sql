-- Partner searches (Partnersuche), the interest other municipalities express, the in-app notifications that tell the
-- searching coordinators, and the kreisfreie Städte with the Landkreis that surrounds them (SQLite dialect).
CREATE TABLE partner_searches (
    id                  INTEGER PRIMARY KEY,
    municipality_ags    TEXT NOT NULL REFERENCES municipalities (ags),  -- the searching municipality
    task_field          TEXT NOT NULL,                                  -- TaskFields slug
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    until_date          TEXT NOT NULL,                                  -- open up to and including this day (Europe/Berlin)
    created_by_user_id  INTEGER NULL REFERENCES users (id),             -- the coordinator who posted it; never shown publicly
    created_at          TEXT NOT NULL,
    closed_at           TEXT NULL                                       -- closed early by its municipality
);
CREATE INDEX ix_partner_searches_open ON partner_searches (until_date, closed_at);
CREATE INDEX ix_partner_searches_field ON partner_searches (task_field, municipality_ags);
CREATE INDEX ix_partner_searches_municipality ON partner_searches (municipality_ags);

-- One interest per municipality and search: a second click of the same municipality changes nothing.
CREATE TABLE partner_search_interests (
    search_id         INTEGER NOT NULL REFERENCES partner_searches (id) ON DELETE CASCADE,
    municipality_ags  TEXT NOT NULL REFERENCES municipalities (ags),    -- the interested municipality
    user_id           INTEGER NULL REFERENCES users (id),               -- the coordinator who expressed it
    message           TEXT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (search_id, municipality_ags)
);
CREATE INDEX ix_partner_search_interests_municipality ON partner_search_interests (municipality_ags);

-- In-app notifications: to one user, or to the people of a municipality (optionally only those holding a role). Read
-- once, read for every recipient of the municipality. mailed_at: when the e-mail copy went out (null: none sent).
CREATE TABLE notifications (
    id                 INTEGER PRIMARY KEY,
    recipient_ags      TEXT NULL REFERENCES municipalities (ags),
    recipient_role     TEXT NULL CHECK (recipient_role IN ('Sachbearbeitung', 'Teamleitung', 'Koordination', 'Administration')),
    recipient_user_id  INTEGER NULL REFERENCES users (id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,
    text               TEXT NOT NULL,
    link               TEXT NULL,                                       -- a path inside the app, e.g. /Partnersuche/12
    created_at         TEXT NOT NULL,
    read_at            TEXT NULL,
    mailed_at          TEXT NULL,
    CHECK (recipient_ags IS NOT NULL OR recipient_user_id IS NOT NULL)
);
CREATE INDEX ix_notifications_municipality ON notifications (recipient_ags, read_at, created_at);
CREATE INDEX ix_notifications_user ON notifications (recipient_user_id, read_at, created_at);

-- A kreisfreie Stadt and the Landkreis around it (the directory knows no adjacency). Used by the partner suggestions
-- for "a kreisfreie Stadt and its surrounding Landkreis" (seeds/002, 8). Only pairs checked against a map are listed;
-- an operator adds further pairs with plain SQL (docs/REGISTRY.md). No foreign keys: the rows come before the directory.
CREATE TABLE registry_surrounding_districts (
    city_ags      TEXT PRIMARY KEY,   -- the kreisfreie Stadt (AGS)
    district_ags  TEXT NOT NULL       -- the Landkreis that surrounds it on its land side (Kreisschlüssel)
);
INSERT INTO registry_surrounding_districts (city_ags, district_ags) VALUES
    ('07311000', '07338'),  -- Frankenthal (Pfalz): enclosed by the Rhein-Pfalz-Kreis (and Ludwigshafen)
    ('07314000', '07338'),  -- Ludwigshafen am Rhein: Rhein-Pfalz-Kreis to the west and south, the Rhine to the east
    ('07318000', '07338');  -- Speyer: Rhein-Pfalz-Kreis on its land side, the Rhine to the east
