-- The audit log without one hot row (issue 13). An entry is appended with the SHA-256 of its own content (entry_hash)
-- and the next number, so an append no longer updates audit_head. One sealer then chains the appended entries in the
-- order it finds them: it gives each a position (chain_pos), the hash of the entry before it (prev_hash) and the
-- chained hash (hash), and moves audit_head to the last sealed one. An unsealed entry has chain_pos, prev_hash and hash
-- NULL. SQLite cannot drop a NOT NULL, so the table is rebuilt with its indexes (SQLite dialect).
CREATE TABLE audit_log_sealed (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER NULL,
    actor_client_id INTEGER NULL,
    actor_name     TEXT NOT NULL,
    actor_ags      TEXT NOT NULL,
    owner_ags      TEXT NULL,
    agreement_id   INTEGER NULL,
    case_id        TEXT NULL,
    action         TEXT NOT NULL,
    detail         TEXT NULL,
    prev_hash      TEXT NULL,
    hash           TEXT NULL,
    entry_hash     TEXT NULL,
    chain_pos      INTEGER NULL
);
-- Entries written before: already chained in sequence order, their hash covers their content (entry_hash stays NULL).
INSERT INTO audit_log_sealed (seq, at, actor_user_id, actor_client_id, actor_name, actor_ags, owner_ags, agreement_id, case_id, action, detail, prev_hash, hash, entry_hash, chain_pos)
SELECT seq, at, actor_user_id, actor_client_id, actor_name, actor_ags, owner_ags, agreement_id, case_id, action, detail, prev_hash, hash, NULL, seq FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_sealed RENAME TO audit_log;

CREATE INDEX ix_audit_case ON audit_log (case_id);
CREATE INDEX ix_audit_returned_absence ON audit_log (case_id) WHERE action = 'case.returned-absence';
CREATE INDEX ix_audit_actor ON audit_log (actor_ags, seq);
CREATE INDEX ix_audit_owner ON audit_log (owner_ags, seq);
CREATE UNIQUE INDEX ux_audit_chain ON audit_log (chain_pos);
-- The sealer's work list: only the unsealed entries, a few at any time.
CREATE INDEX ix_audit_unsealed ON audit_log (seq) WHERE chain_pos IS NULL;
