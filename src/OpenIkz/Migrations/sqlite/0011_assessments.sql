-- Potential analyses (issue 9): the input as sent and the result as computed, so that reading one returns exactly what
-- creating it answered (SQLite dialect). partners: the AGS list separated by commas, for visibility (members only).
CREATE TABLE assessments (
    id                  INTEGER PRIMARY KEY,
    title               TEXT NOT NULL,
    created_by_user_id  INTEGER NOT NULL REFERENCES users (id),
    created_by_ags      TEXT NOT NULL REFERENCES municipalities (ags),
    created_at          TEXT NOT NULL,
    partners            TEXT NOT NULL,
    input_json          TEXT NOT NULL,
    result_json         TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    agreement_id        INTEGER NULL REFERENCES agreements (id) ON DELETE SET NULL
);

CREATE INDEX ix_assessments_created_by_ags ON assessments (created_by_ags, created_at);
