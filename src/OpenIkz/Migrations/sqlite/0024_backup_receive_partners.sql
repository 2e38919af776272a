-- Receiver mode of the partner backups (issue 12): the partners whose encrypted backups this instance holds. A partner
-- authenticates with a token of which only the SHA-256 (hex) is stored; a revoked partner's token is refused, its
-- stored backups stay (SQLite dialect).
CREATE TABLE backup_receive_partners (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100 AND name NOT GLOB '*[^a-z0-9-]*' AND name NOT LIKE '-%'),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT NULL
);
