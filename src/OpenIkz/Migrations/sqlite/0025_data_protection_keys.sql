-- The data-protection key ring in the database (issue 13). Used on PostgreSQL, where several instances share it; an
-- instance on SQLite (one instance) keeps its keys in DATA/keys and leaves this table empty. It is created here too so
-- that both dialects have the same schema versions (SQLite dialect).
CREATE TABLE data_protection_keys (
    name        TEXT PRIMARY KEY,
    xml         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
