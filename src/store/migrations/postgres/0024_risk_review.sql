-- 0024_risk_review.sql (PostgreSQL) -- issue 16 review: what the risk chapter's first release
-- (0023_risk) lacked. Each section belongs to one part of the chapter.

-- Alerts and health (svc/risk/alert.c, health.c).
-- The engine reads a signal's alerts holding an open_key (unresolved, or resolved while the
-- signal still fired) on every pass: a partial index, as small as the open alerts.
CREATE INDEX alerts_signal_open ON alerts(signal, account_id) WHERE open_key IS NOT NULL;

-- Credit and receivables (svc/risk/credit.c, receivable.c).
-- The receivables start (the earliest invoice loaded): order lines before it are no exposure.
CREATE INDEX invoices_day ON invoices(day);
-- A payment naming an invoice not loaded yet waits for it, unapplied: the invoice_no it names
-- ('' once the invoice is loaded and invoice_id names it, or when it named none).
ALTER TABLE payments ADD COLUMN invoice_ref TEXT NOT NULL DEFAULT '';

-- Register, gifts and churn (svc/risk/risk.c, gift.c, churn_job.c).
-- Who recorded a gift (may not decide it, nor may its giver); older gifts: the user of their
-- create audit row.
ALTER TABLE gifts ADD COLUMN created_by BIGINT REFERENCES users(id);
UPDATE gifts SET created_by = (SELECT MIN(audit.user_id) FROM audit WHERE audit.entity = 'gift'
    AND audit.entity_id = gifts.id AND audit.action = 'create');
-- A gift's compliance risk names the gift, not its description, value or day (viewers read
-- risks, not gifts).
UPDATE risks SET title = '礼品/招待违规', description = '见礼品记录 #' || source_id
    WHERE source = 'gift' AND title LIKE '礼品/招待违规%';
