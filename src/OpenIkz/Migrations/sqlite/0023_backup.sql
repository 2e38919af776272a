-- Partner backups (issue 12): the public keys every backup is encrypted to (the operator's recovery key, each partner
-- municipality's key, a drill key), and which documents were already sent to which target for which set of keys
-- (incremental backups; a changed set of keys sends every document again). Private keys are never stored (SQLite dialect).
CREATE TABLE backup_recipients (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind              TEXT NOT NULL CHECK (kind IN ('operator', 'municipality', 'drill')),
    municipality_ags  TEXT NULL REFERENCES municipalities (ags),
    label             TEXT NOT NULL,
    public_key        TEXT NOT NULL UNIQUE,                          -- oikzpub1…
    key_id            TEXT NOT NULL,                                 -- first 16 hex digits of its SHA-256
    created_at        TEXT NOT NULL,
    revoked_at        TEXT NULL,
    CHECK ((kind = 'municipality') = (municipality_ags IS NOT NULL))
);
CREATE TABLE backup_sent_objects (
    target       TEXT NOT NULL,
    sha256       TEXT NOT NULL,                                      -- the document's (plain) SHA-256
    recipients   TEXT NOT NULL,                                      -- fingerprint of the set of keys it was encrypted to
    object_name  TEXT NOT NULL,
    plain_bytes  INTEGER NOT NULL,                                   -- the document's size
    bytes        INTEGER NOT NULL,                                   -- encrypted size
    object_sha256 TEXT NOT NULL,                                     -- SHA-256 of the encrypted bytes
    sent_at      TEXT NOT NULL,
    PRIMARY KEY (target, sha256, recipients)
);
