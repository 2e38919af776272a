-- The proof-of-work challenge of the public booking (issue 11): a solved challenge token is spent once. Its hash is
-- kept until the token expires, so a solution cannot be replayed (SQLite dialect).
CREATE TABLE appointment_challenges (
    token_hash  TEXT PRIMARY KEY,                                   -- SHA-256 of the sealed token
    expires_at  TEXT NOT NULL
);
CREATE INDEX ix_appointment_challenges_expiry ON appointment_challenges (expires_at);
