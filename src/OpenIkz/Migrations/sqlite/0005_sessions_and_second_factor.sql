-- Server-side sessions, password change on next login, second factor (TOTP) and recovery codes (SQLite dialect).

-- One row per signed-in browser. The cookie carries only the session id; its SHA-256 is the key, so a stolen
-- database yields no usable session. Logging out deletes the row; so do password change, deactivation and a
-- change of roles or services (for every session of the user).
CREATE TABLE user_sessions (
    id_hash     TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX ix_user_sessions_user ON user_sessions (user_id);
CREATE INDEX ix_user_sessions_expiry ON user_sessions (expires_at);
CREATE INDEX ix_access_tokens_user ON access_tokens (user_id);

-- Set by an administrator's password reset: the user must choose a new password before doing anything else.
ALTER TABLE users ADD COLUMN password_must_change INTEGER NOT NULL DEFAULT 0;
-- The TOTP secret, encrypted with ASP.NET Core Data Protection; set at enrolment, switched on by a confirmed code.
ALTER TABLE users ADD COLUMN totp_secret_protected TEXT NULL;
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
-- The last accepted TOTP time step (Unix time / 30 s): a code of this or an earlier step is refused (no replay).
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NULL;

-- Ten one-time recovery codes per user, stored as SHA-256; a used code keeps its row with used_at set.
CREATE TABLE user_recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    TEXT NULL,
    PRIMARY KEY (user_id, code_hash)
);
