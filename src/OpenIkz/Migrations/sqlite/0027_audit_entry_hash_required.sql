-- An audit entry is appended with its entry hash (0026). A program of an earlier version (a command-line call of an old
-- build) would append the old way and break the chain for good; its insert is refused instead (SQLite dialect).
CREATE TRIGGER audit_log_requires_entry_hash BEFORE INSERT ON audit_log FOR EACH ROW WHEN NEW.entry_hash IS NULL
BEGIN
    SELECT RAISE(ABORT, 'audit_log: an entry needs its entry_hash (a program of a version before migration 0026)');
END;
