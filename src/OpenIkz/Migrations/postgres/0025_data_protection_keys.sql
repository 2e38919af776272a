-- The data-protection key ring in the database (issue 13), shared by every instance on this database: the keys that
-- seal session cookies, second-factor secrets and sign-in tickets. One row per key as ASP.NET Core Data Protection
-- writes it (its XML, not encrypted at rest, as the key files were); rows are only added (PostgreSQL dialect).
CREATE TABLE data_protection_keys (
    name        TEXT PRIMARY KEY,
    xml         TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
