-- The register's speed (issue 8 benchmark): a trigram index for the word search, one view of what a linked entry takes
-- from its agreement, and a data version for the cached statistics (PostgreSQL dialect).

-- Partner rows belong to entries that are not linked (a linked entry takes its agreement's members): the searches rely
-- on it, so the database keeps it — a partner row for a linked entry is refused, and linking an entry removes its rows.
DELETE FROM registry_partners WHERE cooperation_id IN (SELECT id FROM registry_cooperations WHERE agreement_id IS NOT NULL);
CREATE FUNCTION registry_partners_only_unlinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT agreement_id FROM registry_cooperations WHERE id = NEW.cooperation_id) IS NOT NULL THEN
        RAISE EXCEPTION 'registry_partners: an entry linked to an agreement takes the agreement''s members' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER registry_partners_only_unlinked BEFORE INSERT OR UPDATE ON registry_partners FOR EACH ROW EXECUTE FUNCTION registry_partners_only_unlinked();
CREATE FUNCTION registry_cooperations_linked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registry_partners WHERE cooperation_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER registry_cooperations_linked AFTER UPDATE OF agreement_id ON registry_cooperations FOR EACH ROW
    WHEN (NEW.agreement_id IS NOT NULL) EXECUTE FUNCTION registry_cooperations_linked();

-- The partner filters by state and Kreis read the partner rows alone: each row carries its municipality's state and
-- Kreis (the Kreis it lies in, or its own key when it has none, as a Kreis has), kept in step with the directory.
ALTER TABLE registry_partners ADD COLUMN state TEXT NULL;
ALTER TABLE registry_partners ADD COLUMN district_key TEXT NULL;
UPDATE registry_partners p SET state = m.state, district_key = COALESCE(m.district_ags, m.ags) FROM municipalities m WHERE m.ags = p.ags;
CREATE INDEX ix_registry_partners_state ON registry_partners (state, cooperation_id);
CREATE INDEX ix_registry_partners_district ON registry_partners (district_key, cooperation_id);
CREATE FUNCTION registry_partners_place() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT m.state, COALESCE(m.district_ags, m.ags) INTO NEW.state, NEW.district_key FROM municipalities m WHERE m.ags = NEW.ags;
    RETURN NEW;
END
$$;
CREATE TRIGGER registry_partners_place BEFORE INSERT OR UPDATE OF ags ON registry_partners FOR EACH ROW EXECUTE FUNCTION registry_partners_place();
CREATE FUNCTION registry_partners_follow_directory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_partners SET state = NEW.state, district_key = COALESCE(NEW.district_ags, NEW.ags) WHERE ags = NEW.ags;
    RETURN NULL;
END
$$;
CREATE TRIGGER registry_partners_follow_directory AFTER UPDATE OF state, district_ags ON municipalities FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.district_ags IS DISTINCT FROM NEW.district_ags) EXECUTE FUNCTION registry_partners_follow_directory();

-- The word search: every word must occur in title_search (LIKE '%word%'); pg_trgm's GIN index answers that for words of
-- three or more characters. pg_trgm ships with PostgreSQL (contrib) and is a trusted extension; where it cannot be
-- created, the search stays correct and scans.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXECUTE 'CREATE INDEX ix_registry_cooperations_search ON registry_cooperations USING gin (title_search gin_trgm_ops)';
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm is not available: the register word search scans registry_cooperations';
END
$$;

-- What a linked entry takes from the agreement it follows, in one place (RegistryStatus.FromAgreement: active →
-- umgesetzt, approved → in Umsetzung, terminated → rückabgewickelt, else geplant); registry_entries reads it.
CREATE VIEW registry_linked_entries AS
SELECT l.cooperation_id, l.agreement_id,
       CASE WHEN a.status = 'active' THEN 'umgesetzt'
            WHEN a.status = 'approved' THEN 'in-umsetzung'
            WHEN a.status = 'terminated' THEN 'rueckabgewickelt'
            ELSE 'geplant' END AS status,
       CAST(EXTRACT(YEAR FROM a.valid_from) AS INTEGER) AS since_year,
       CASE WHEN a.status = 'terminated' THEN a.termination_reason ELSE NULL END AS rollback_reason,
       CASE WHEN a.status = 'terminated' THEN CAST(EXTRACT(YEAR FROM a.valid_to) AS INTEGER) ELSE NULL END AS rollback_year
FROM registry_linked_agreements l JOIN agreements a ON a.id = l.agreement_id;

DROP VIEW registry_entries;
CREATE VIEW registry_entries AS
SELECT c.id, c.title, c.title_search, c.description, c.task_field, c.state_law, c.legal_form,
       CASE WHEN le.cooperation_id IS NULL THEN c.status ELSE le.status END AS status,
       CASE WHEN le.cooperation_id IS NULL THEN c.since_year ELSE le.since_year END AS since_year,
       CASE WHEN le.cooperation_id IS NULL THEN c.rollback_reason ELSE le.rollback_reason END AS rollback_reason,
       CASE WHEN le.cooperation_id IS NULL THEN c.rollback_year ELSE le.rollback_year END AS rollback_year,
       c.one_off_cost_cents, c.yearly_cost_before_cents, c.yearly_cost_after_cents, c.fte_before_hundredths, c.fte_after_hundredths,
       c.contact_mailbox, c.sources, le.agreement_id, c.created_by_ags, c.created_at, c.updated_at, c.version
FROM registry_cooperations c
LEFT JOIN registry_linked_entries le ON le.cooperation_id = c.id;

-- The data version of everything the register's statistics read: any write to these tables counts it up in the same
-- transaction (a statement that changes nothing, such as the activation sweep of agreements, counts nothing), so a
-- cached result is used only while the version it was computed at is still current.
CREATE TABLE registry_data_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    epoch    TEXT NOT NULL,     -- random per database: a cache never takes another database's version for its own
    version  BIGINT NOT NULL
);
INSERT INTO registry_data_version (id, epoch, version) VALUES (1, md5(random()::text || clock_timestamp()::text), 1);

-- Per statement, not per row: a bulk write (an import, a COPY) counts once instead of updating this row once per row
-- (on PostgreSQL each update of the same row in one transaction adds a version to walk). The transition table tells
-- whether the statement changed any row at all.
CREATE FUNCTION registry_count_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE registry_data_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER registry_version_registry_cooperations_insert AFTER INSERT ON registry_cooperations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_cooperations_update AFTER UPDATE ON registry_cooperations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_cooperations_delete AFTER DELETE ON registry_cooperations REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_partners_insert AFTER INSERT ON registry_partners REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_partners_update AFTER UPDATE ON registry_partners REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_partners_delete AFTER DELETE ON registry_partners REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_factors_insert AFTER INSERT ON registry_factors REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_factors_update AFTER UPDATE ON registry_factors REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_registry_factors_delete AFTER DELETE ON registry_factors REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_agreements_insert AFTER INSERT ON agreements REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_agreements_update AFTER UPDATE ON agreements REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_agreements_delete AFTER DELETE ON agreements REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_agreement_members_insert AFTER INSERT ON agreement_members REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_agreement_members_update AFTER UPDATE ON agreement_members REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_agreement_members_delete AFTER DELETE ON agreement_members REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_municipalities_insert AFTER INSERT ON municipalities REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_municipalities_update AFTER UPDATE ON municipalities REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
CREATE TRIGGER registry_version_municipalities_delete AFTER DELETE ON municipalities REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION registry_count_version();
