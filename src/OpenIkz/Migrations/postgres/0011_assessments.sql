-- Potential analyses (issue 9): the input as sent and the result as computed, so that reading one returns exactly what
-- creating it answered (PostgreSQL dialect). partners: the AGS list separated by commas, for visibility (members only).
-- The JSON is stored as TEXT, not JSONB: JSONB would reorder keys and change the answer byte for byte.
CREATE TABLE assessments (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title               TEXT NOT NULL,
    created_by_user_id  BIGINT NOT NULL REFERENCES users (id),
    created_by_ags      TEXT NOT NULL REFERENCES municipalities (ags),
    created_at          TIMESTAMPTZ NOT NULL,
    partners            TEXT NOT NULL,
    input_json          TEXT NOT NULL,
    result_json         TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    agreement_id        BIGINT NULL REFERENCES agreements (id) ON DELETE SET NULL
);

CREATE INDEX ix_assessments_created_by_ags ON assessments (created_by_ags, created_at);
