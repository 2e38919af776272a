-- Invoicing data of a municipality, edited by its administrators (authority_name, address_*, iban, email and
-- leitweg_id exist already), and the e-invoices a settlement issues (SQLite dialect).
ALTER TABLE municipalities ADD COLUMN bic TEXT NULL;
ALTER TABLE municipalities ADD COLUMN telephone TEXT NULL;
ALTER TABLE municipalities ADD COLUMN opening_hours TEXT NULL;

-- One XRechnung per (payer, receiver) of a final settlement: 380 (commercial invoice) for an original,
-- 384 (corrected invoice) in a correction, which names the invoice it replaces (BG-3: BT-25, the replaced
-- invoice's number; BT-26, the issue date of the replaced settlement). A 384 over 0.00 replaces an invoice
-- whose pair owes nothing any more. For each pair the latest document of the period is the one that stands.
CREATE TABLE settlement_invoices (
    settlement_id            TEXT NOT NULL REFERENCES settlements (id),
    invoice_number           TEXT NOT NULL UNIQUE,
    payer_ags                TEXT NOT NULL,
    receiver_ags             TEXT NOT NULL,
    type_code                TEXT NOT NULL CHECK (type_code IN ('380', '384')),
    amount_cents             INTEGER NOT NULL CHECK (amount_cents >= 0),
    replaces_invoice_number  TEXT NULL,
    replaces_settlement_id   TEXT NULL REFERENCES settlements (id),
    PRIMARY KEY (settlement_id, payer_ags, receiver_ags)
);

-- Settlements made before this migration: originals issued 380 invoices for their transfers; a correction
-- issued 384 invoices, replacing the corrected settlement's invoice of the same pair where there was one.
INSERT INTO settlement_invoices (settlement_id, invoice_number, payer_ags, receiver_ags, type_code, amount_cents, replaces_invoice_number, replaces_settlement_id)
SELECT t.settlement_id, s.number || '-' || t.payer_ags || '-' || t.receiver_ags, t.payer_ags, t.receiver_ags,
       CASE WHEN s.corrects_settlement_id IS NULL THEN '380' ELSE '384' END, t.amount_cents,
       CASE WHEN pt.settlement_id IS NULL THEN NULL ELSE p.number || '-' || t.payer_ags || '-' || t.receiver_ags END,
       CASE WHEN pt.settlement_id IS NULL THEN NULL ELSE p.id END
FROM settlement_transfers t
JOIN settlements s ON s.id = t.settlement_id
LEFT JOIN settlements p ON p.id = s.corrects_settlement_id
LEFT JOIN settlement_transfers pt ON pt.settlement_id = p.id AND pt.payer_ags = t.payer_ags AND pt.receiver_ags = t.receiver_ags;
