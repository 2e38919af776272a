-- Where the figures of a potential analysis come from (issue 9, pages): one German line per source, separated by
-- newlines, e.g. the back office's last 12 months of a partner and service, or "Beispielzahlen" in the demo.
-- NULL for analyses created through the API, which names no source (PostgreSQL dialect).
ALTER TABLE assessments ADD COLUMN sources TEXT NULL;
