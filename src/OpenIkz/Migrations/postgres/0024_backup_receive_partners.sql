-- Receiver mode of the partner backups (issue 12): the partners whose encrypted backups this instance holds. A partner
-- authenticates with a token of which only the SHA-256 (hex) is stored; a revoked partner's token is refused, its
-- stored backups stay (PostgreSQL dialect).
CREATE TABLE backup_receive_partners (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ NULL
);
