-- An audit entry is appended with its entry hash (0026). An instance of an earlier version, still running against this
-- database, would append the old way (number from audit_head, hash in the row, no entry hash) and break the chain for
-- good; its insert is refused instead, which rolls back its whole transaction, its head update included.
-- Stop every instance before the upgrade (docs/OPERATIONS.md, "Migrations"); this is the safety net (PostgreSQL dialect).
CREATE FUNCTION audit_log_requires_entry_hash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.entry_hash IS NULL THEN
        RAISE EXCEPTION 'audit_log: an entry needs its entry_hash (an instance of a version before migration 0026 is still running)';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_requires_entry_hash BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_requires_entry_hash();
