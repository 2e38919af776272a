-- Case days (issue 9, the evaluation over 1,000,000 cases in under 2 s): the Europe/Berlin calendar day of receipt,
-- last claim and decision, and the due date, as day numbers since 1970-01-01, so the evaluation reads them from one
-- covering index instead of converting every timestamp of the period on each request. Generated columns: every writer
-- (the app, imports, the benchmarks' bulk loads) gets them without knowing about them (SQLite dialect).
--
-- SQLite has no time zones. A UTC timestamp's Berlin day is its UTC instant plus one hour, or two in summer time; summer
-- time follows the EU rule in force since 1996 (Directive 2000/84/EC: from the last Sunday of March to the last Sunday of
-- October, changing at 01:00 UTC). The changeovers lie at 01:00 UTC and the offset only decides the day for instants
-- between 22:00 and 23:00 UTC, so the comparison at the changeover itself cannot shift a day. Before 1996 (summer time
-- then ended in September) the day of an instant between 22:00 and 23:00 UTC in the last week of September can be one
-- too early; OpenIKZ holds no cases that old. CaseDayTests holds the columns equal to the time-zone data.
--
-- The timestamp is cut to whole seconds before julianday: SQLite before 3.42 rounds julianday to the millisecond, which
-- moved an instant in the last half millisecond before Berlin midnight to the next day (whole seconds only ever round down).
--
-- VIRTUAL: SQLite cannot add a STORED column to an existing table; the index below stores the values, so reading them
-- from it costs no conversion. The covering index replaces ix_cases_decided (same leading column, same predicate).
ALTER TABLE cases ADD COLUMN received_day INTEGER GENERATED ALWAYS AS (CAST(julianday(substr(received_at, 1, 19)) + (CASE WHEN julianday(substr(received_at, 1, 19)) >= julianday(date(substr(received_at, 1, 4) || '-03-31', '-6 days', 'weekday 0')) + 1.0 / 24 AND julianday(substr(received_at, 1, 19)) < julianday(date(substr(received_at, 1, 4) || '-10-31', '-6 days', 'weekday 0')) + 1.0 / 24 THEN 2 ELSE 1 END) / 24.0 - 2440587.5 AS INTEGER)) VIRTUAL;
ALTER TABLE cases ADD COLUMN assigned_day INTEGER GENERATED ALWAYS AS (CAST(julianday(substr(assigned_at, 1, 19)) + (CASE WHEN julianday(substr(assigned_at, 1, 19)) >= julianday(date(substr(assigned_at, 1, 4) || '-03-31', '-6 days', 'weekday 0')) + 1.0 / 24 AND julianday(substr(assigned_at, 1, 19)) < julianday(date(substr(assigned_at, 1, 4) || '-10-31', '-6 days', 'weekday 0')) + 1.0 / 24 THEN 2 ELSE 1 END) / 24.0 - 2440587.5 AS INTEGER)) VIRTUAL;
ALTER TABLE cases ADD COLUMN decided_day INTEGER GENERATED ALWAYS AS (CAST(julianday(substr(decided_at, 1, 19)) + (CASE WHEN julianday(substr(decided_at, 1, 19)) >= julianday(date(substr(decided_at, 1, 4) || '-03-31', '-6 days', 'weekday 0')) + 1.0 / 24 AND julianday(substr(decided_at, 1, 19)) < julianday(date(substr(decided_at, 1, 4) || '-10-31', '-6 days', 'weekday 0')) + 1.0 / 24 THEN 2 ELSE 1 END) / 24.0 - 2440587.5 AS INTEGER)) VIRTUAL;
ALTER TABLE cases ADD COLUMN due_day INTEGER GENERATED ALWAYS AS (CAST(julianday(due_date) - 2440587.5 AS INTEGER)) VIRTUAL;

DROP INDEX ix_cases_decided;
CREATE INDEX ix_cases_closed ON cases (decided_at, owner_ags, service_slug, processor_ags, case_group, received_day, assigned_day, decided_day, due_day)
    WHERE status = 'closed';
