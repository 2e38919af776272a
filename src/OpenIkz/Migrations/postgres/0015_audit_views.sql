-- The audit log page of an administration (Verwaltung/Protokoll, GET /api/v1/audit) reads the entries its municipality
-- did (actor_ags) or that concern its cases (owner_ags), newest first: one index per side, each in sequence order.
CREATE INDEX ix_audit_actor ON audit_log (actor_ags, seq);
CREATE INDEX ix_audit_owner ON audit_log (owner_ags, seq);
