-- The audit log without one hot row (issue 13). An entry is appended with the SHA-256 of its own content (entry_hash)
-- and its number from a sequence, so concurrent appends no longer wait for each other on audit_head. One sealer (under
-- an advisory lock, on one instance at a time) then chains the appended entries in the order it finds them: it gives
-- each a position (chain_pos), the hash of the entry before it (prev_hash) and the chained hash (hash), and moves
-- audit_head to the last sealed one. An unsealed entry has chain_pos, prev_hash and hash NULL (PostgreSQL dialect).
ALTER TABLE audit_log
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL,
    ADD COLUMN entry_hash TEXT NULL,
    ADD COLUMN chain_pos BIGINT NULL;

-- Entries written before: already chained in sequence order, their hash covers their content (entry_hash stays NULL).
UPDATE audit_log SET chain_pos = seq;

CREATE UNIQUE INDEX ux_audit_chain ON audit_log (chain_pos);
-- The sealer's work list: only the unsealed entries, a few at any time.
CREATE INDEX ix_audit_unsealed ON audit_log (seq) WHERE chain_pos IS NULL;

CREATE SEQUENCE audit_log_seq OWNED BY audit_log.seq;
SELECT setval('audit_log_seq', COALESCE((SELECT MAX(seq) FROM audit_log), 0) + 1, false);
ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq');
