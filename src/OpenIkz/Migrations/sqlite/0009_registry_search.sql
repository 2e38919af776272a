-- The register's speed (issue 8 benchmark): a trigram index for the word search, one view of what a linked entry takes
-- from its agreement, and a data version for the cached statistics (SQLite dialect).

-- Partner rows belong to entries that are not linked (a linked entry takes its agreement's members): the searches rely
-- on it, so the database keeps it — a partner row for a linked entry is refused, and linking an entry removes its rows.
DELETE FROM registry_partners WHERE cooperation_id IN (SELECT id FROM registry_cooperations WHERE agreement_id IS NOT NULL);
CREATE TRIGGER registry_partners_only_unlinked BEFORE INSERT ON registry_partners
WHEN (SELECT agreement_id FROM registry_cooperations WHERE id = new.cooperation_id) IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'registry_partners: an entry linked to an agreement takes the agreement''s members');
END;
CREATE TRIGGER registry_cooperations_linked AFTER UPDATE OF agreement_id ON registry_cooperations
WHEN new.agreement_id IS NOT NULL BEGIN
    DELETE FROM registry_partners WHERE cooperation_id = new.id;
END;

-- The partner filters by state and Kreis read the partner rows alone: each row carries its municipality's state and
-- Kreis (the Kreis it lies in, or its own key when it has none, as a Kreis has), kept in step with the directory.
ALTER TABLE registry_partners ADD COLUMN state TEXT NULL;
ALTER TABLE registry_partners ADD COLUMN district_key TEXT NULL;
UPDATE registry_partners SET state = (SELECT m.state FROM municipalities m WHERE m.ags = registry_partners.ags),
                             district_key = (SELECT COALESCE(m.district_ags, m.ags) FROM municipalities m WHERE m.ags = registry_partners.ags);
CREATE INDEX ix_registry_partners_state ON registry_partners (state, cooperation_id);
CREATE INDEX ix_registry_partners_district ON registry_partners (district_key, cooperation_id);
CREATE TRIGGER registry_partners_place AFTER INSERT ON registry_partners BEGIN
    UPDATE registry_partners SET state = (SELECT m.state FROM municipalities m WHERE m.ags = new.ags),
                                 district_key = (SELECT COALESCE(m.district_ags, m.ags) FROM municipalities m WHERE m.ags = new.ags)
    WHERE cooperation_id = new.cooperation_id AND ags = new.ags;
END;
CREATE TRIGGER registry_partners_follow_directory AFTER UPDATE OF state, district_ags ON municipalities BEGIN
    UPDATE registry_partners SET state = new.state, district_key = COALESCE(new.district_ags, new.ags) WHERE ags = new.ags;
END;

-- The word search: every word must occur in title_search; FTS5's trigram tokenizer answers LIKE '%word%' from its
-- index for words of three or more characters (shorter ones, and words with LIKE wildcards, scan). External content:
-- the text is stored once, in registry_cooperations; the triggers keep the index in step.
CREATE VIRTUAL TABLE registry_search USING fts5(title_search, content = 'registry_cooperations', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO registry_search (registry_search) VALUES ('rebuild');
CREATE TRIGGER registry_search_insert AFTER INSERT ON registry_cooperations BEGIN
    INSERT INTO registry_search (rowid, title_search) VALUES (new.id, new.title_search);
END;
CREATE TRIGGER registry_search_delete AFTER DELETE ON registry_cooperations BEGIN
    INSERT INTO registry_search (registry_search, rowid, title_search) VALUES ('delete', old.id, old.title_search);
END;
CREATE TRIGGER registry_search_update AFTER UPDATE OF title_search ON registry_cooperations BEGIN
    INSERT INTO registry_search (registry_search, rowid, title_search) VALUES ('delete', old.id, old.title_search);
    INSERT INTO registry_search (rowid, title_search) VALUES (new.id, new.title_search);
END;

-- What a linked entry takes from the agreement it follows, in one place (RegistryStatus.FromAgreement: active →
-- umgesetzt, approved → in Umsetzung, terminated → rückabgewickelt, else geplant); registry_entries reads it.
CREATE VIEW registry_linked_entries AS
SELECT l.cooperation_id, l.agreement_id,
       CASE WHEN a.status = 'active' THEN 'umgesetzt'
            WHEN a.status = 'approved' THEN 'in-umsetzung'
            WHEN a.status = 'terminated' THEN 'rueckabgewickelt'
            ELSE 'geplant' END AS status,
       CAST(substr(a.valid_from, 1, 4) AS INTEGER) AS since_year,
       CASE WHEN a.status = 'terminated' THEN a.termination_reason ELSE NULL END AS rollback_reason,
       CASE WHEN a.status = 'terminated' THEN CAST(substr(a.valid_to, 1, 4) AS INTEGER) ELSE NULL END AS rollback_year
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
-- transaction, so a cached result is used only while the version it was computed at is still current.
CREATE TABLE registry_data_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    epoch    TEXT NOT NULL,     -- random per database: a cache never takes another database's version for its own
    version  INTEGER NOT NULL
);
INSERT INTO registry_data_version (id, epoch, version) VALUES (1, lower(hex(randomblob(16))), 1);
CREATE TRIGGER registry_version_registry_cooperations_insert AFTER INSERT ON registry_cooperations BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_cooperations_update AFTER UPDATE ON registry_cooperations BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_cooperations_delete AFTER DELETE ON registry_cooperations BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_partners_insert AFTER INSERT ON registry_partners BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_partners_update AFTER UPDATE ON registry_partners BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_partners_delete AFTER DELETE ON registry_partners BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_factors_insert AFTER INSERT ON registry_factors BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_factors_update AFTER UPDATE ON registry_factors BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_registry_factors_delete AFTER DELETE ON registry_factors BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_agreements_insert AFTER INSERT ON agreements BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_agreements_update AFTER UPDATE ON agreements BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_agreements_delete AFTER DELETE ON agreements BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_agreement_members_insert AFTER INSERT ON agreement_members BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_agreement_members_update AFTER UPDATE ON agreement_members BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_agreement_members_delete AFTER DELETE ON agreement_members BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_municipalities_insert AFTER INSERT ON municipalities BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_municipalities_update AFTER UPDATE ON municipalities BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER registry_version_municipalities_delete AFTER DELETE ON municipalities BEGIN UPDATE registry_data_version SET version = version + 1 WHERE id = 1; END;
