-- 0023_risk.sql (SQLite) -- issue 16: risk and early warning (docs/RISK.md). The risk register
-- with compliance (gifts and hospitality against budgets and rules), credit and receivables,
-- competitors, the early-warning engine's alerts, the account health score and the churn
-- model. Money is integer minor units of the currency named beside it (amount_base: the base
-- currency, converted when written); a percentage is basis points (1 % = 100); a date is
-- 'YYYY-MM-DD', a month 'YYYY-MM'; times are unix seconds. Records of an account are not
-- removed with it: deleting an account with any of them is refused.

-- Risk register (F5.1). likelihood x impact, each 1-5: the score and the heat map's cell.
-- A risk on a group's head account with covers_group = 1 covers its subsidiaries.
-- status: open -> responding -> closed (reopened -> open); source: where it was raised.
CREATE TABLE risks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    covers_group  INTEGER NOT NULL DEFAULT 0,
    category      TEXT NOT NULL CHECK (category IN ('credit', 'operating', 'competitive',
                  'compliance', 'other')),
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    likelihood    INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact        INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    owner_id      INTEGER REFERENCES users(id),
    response      TEXT CHECK (response IN ('avoid', 'reduce', 'transfer', 'accept')),
    response_plan TEXT NOT NULL DEFAULT '',
    review_on     TEXT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'responding',
                  'closed')),
    closed_reason TEXT NOT NULL DEFAULT '',
    closed_at     INTEGER,
    source        TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'alert', 'gift',
                  'competitor', 'contract')),
    source_id     INTEGER,                        -- the alert, gift, competitor move, contract
    created_by    INTEGER REFERENCES users(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX risks_account ON risks(account_id, status, id);
CREATE INDEX risks_status ON risks(status, category, id);
CREATE INDEX risks_owner ON risks(owner_id, status, id);
CREATE INDEX risks_review ON risks(status, review_on, id);
CREATE UNIQUE INDEX risks_source ON risks(source, source_id) WHERE source_id IS NOT NULL;

-- A response's actions, each with an owner and a due date.
CREATE TABLE risk_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id     INTEGER NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    owner_id    INTEGER REFERENCES users(id),
    due_on      TEXT,
    done_at     INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX risk_actions_risk ON risk_actions(risk_id, id);
CREATE INDEX risk_actions_due ON risk_actions(done_at, due_on, id);

-- Compliance (誠信經營, F2.6): the company's rules on gifts and hospitality -- what may be given
-- to whom (a contact's decision role, or any), up to what value per occasion, who approves
-- above it -- and a yearly budget per account. A gift over its rule without approval, or over
-- the account's budget, is a breach and raises a compliance risk.
CREATE TABLE gift_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'any' CHECK (kind IN ('gift', 'hospitality', 'any')),
    recipient_role TEXT NOT NULL DEFAULT 'any', -- a contacts.decision_role, or any
    max_value      INTEGER NOT NULL,             -- per occasion, minor units of currency
    currency       TEXT NOT NULL,
    approver_role  TEXT NOT NULL DEFAULT 'director' CHECK (approver_role IN ('team_lead',
                   'director', 'finance')),
    forbidden      INTEGER NOT NULL DEFAULT 0,   -- 1: never to this recipient, whatever value
    active         INTEGER NOT NULL DEFAULT 1,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE gift_budgets (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    year        INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users(id),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, year)
);

-- status: recorded (within the rules) | pending (waits for its approver) | approved |
-- rejected | breach (given over the rules or the budget without approval).
CREATE TABLE gifts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    contact_id       INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('gift', 'hospitality')),
    description      TEXT NOT NULL,
    value            INTEGER NOT NULL CHECK (value >= 0),
    currency         TEXT NOT NULL,
    value_base       INTEGER NOT NULL,
    given_on         TEXT NOT NULL,
    given_by         INTEGER REFERENCES users(id),
    care_reminder_id INTEGER REFERENCES care_reminders(id) ON DELETE SET NULL,
    visit_id         INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    rule_id          INTEGER REFERENCES gift_rules(id),
    status           TEXT NOT NULL CHECK (status IN ('recorded', 'pending', 'approved',
                     'rejected', 'breach')),
    decided_by       INTEGER REFERENCES users(id),
    decided_at       INTEGER,
    decision_note    TEXT NOT NULL DEFAULT '',
    risk_id          INTEGER REFERENCES risks(id) ON DELETE SET NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX gifts_account ON gifts(account_id, given_on, id);
CREATE INDEX gifts_status ON gifts(status, id);
CREATE INDEX gifts_contact ON gifts(contact_id);

-- Credit: a limit per account, and a group limit on a group's head account that covers it and
-- its subsidiaries; payment terms in days. NULL limit = none set.
CREATE TABLE credit_limits (
    account_id     INTEGER PRIMARY KEY REFERENCES accounts(id),
    amount         INTEGER,
    group_amount   INTEGER,
    currency       TEXT NOT NULL,
    terms_days     INTEGER NOT NULL DEFAULT 30 CHECK (terms_days BETWEEN 0 AND 365),
    note           TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- Receivables from the ERP (kam import invoices|payments). open = amount - paid.
CREATE TABLE invoices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_no   TEXT NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    day          TEXT NOT NULL,
    due_day      TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    amount_base  INTEGER NOT NULL,
    paid         INTEGER NOT NULL DEFAULT 0,   -- applied so far, same currency
    paid_on      TEXT,                         -- the day the last of it was paid
    import_id    INTEGER REFERENCES import_runs(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX invoices_account ON invoices(account_id, day, id);
CREATE INDEX invoices_open ON invoices(due_day, id) WHERE paid < amount;

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_no   TEXT NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    day          TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount >= 0),
    currency     TEXT NOT NULL,
    amount_base  INTEGER NOT NULL,
    invoice_id   INTEGER REFERENCES invoices(id), -- named in the file; else applied oldest first
    unapplied    INTEGER NOT NULL DEFAULT 0,      -- left over after every open invoice
    import_id    INTEGER REFERENCES import_runs(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX payments_account ON payments(account_id, day, id);

CREATE TABLE payment_allocations (
    payment_id  INTEGER NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    invoice_id  INTEGER NOT NULL REFERENCES invoices(id),
    amount      INTEGER NOT NULL,
    PRIMARY KEY (payment_id, invoice_id)
);
CREATE INDEX payment_allocations_invoice ON payment_allocations(invoice_id);

-- An order line or an offer that would push exposure over the limit: flagged, or held for
-- finance's decision (setting credit.over_limit = flag | hold).
CREATE TABLE credit_holds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('order_line', 'offer')),
    object_id    INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    exposure     INTEGER NOT NULL,             -- base currency, with the object
    limit_amount INTEGER NOT NULL,             -- base currency
    status       TEXT NOT NULL CHECK (status IN ('flagged', 'held', 'released', 'refused')),
    decided_by   INTEGER REFERENCES users(id),
    decided_at   INTEGER,
    note         TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX credit_holds_status ON credit_holds(status, id);
CREATE INDEX credit_holds_account ON credit_holds(account_id, id);
CREATE UNIQUE INDEX credit_holds_object ON credit_holds(kind, object_id);

INSERT INTO settings (key, value) VALUES ('credit.over_limit', 'flag');

-- Competitors, their presence per account and product family, and their moves there.
CREATE TABLE competitors (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    alias       TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    strengths   TEXT NOT NULL DEFAULT '',
    weaknesses  TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- price_level: their price against ours (lower | similar | higher | unknown).
CREATE TABLE competitor_presence (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    competitor_id INTEGER NOT NULL REFERENCES competitors(id),
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    family        TEXT NOT NULL DEFAULT '',     -- product family; '' = the whole account
    share_bp      INTEGER CHECK (share_bp BETWEEN 0 AND 10000), -- of the account's wallet
    price_level   TEXT NOT NULL DEFAULT 'unknown' CHECK (price_level IN ('lower', 'similar',
                  'higher', 'unknown')),
    note          TEXT NOT NULL DEFAULT '',
    updated_by    INTEGER REFERENCES users(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (competitor_id, account_id, family)
);
CREATE INDEX competitor_presence_account ON competitor_presence(account_id, id);

CREATE TABLE competitor_moves (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    competitor_id INTEGER NOT NULL REFERENCES competitors(id),
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    family        TEXT NOT NULL DEFAULT '',
    day           TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('price_cut', 'promotion', 'new_product',
                  'relationship', 'won_business', 'other')),
    severity      TEXT NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high')),
    description   TEXT NOT NULL,
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX competitor_moves_account ON competitor_moves(account_id, day, id);
CREATE INDEX competitor_moves_competitor ON competitor_moves(competitor_id, day, id);

-- The early-warning engine (F5.2). Each signal's defaults live in the code (svc/core/signal.h);
-- a row here overrides them. params: the signal's own numbers as JSON ({"days": 30}).
CREATE TABLE alert_rules (
    signal     TEXT PRIMARY KEY,
    enabled    INTEGER NOT NULL DEFAULT 1,
    threshold_milli INTEGER NOT NULL, -- thousandths of the signal's unit
    severity   TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    dept       TEXT NOT NULL,
    params     TEXT NOT NULL DEFAULT '{}',
    version    INTEGER NOT NULL DEFAULT 1,
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL
);

-- One alert per account and signal while it is not resolved: open_key = 'account:signal' then,
-- NULL once resolved (UNIQUE lets many NULLs), so racing schedulers insert one.
-- status: open -> acknowledged -> responding -> resolved.
CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    signal           TEXT NOT NULL,
    open_key         TEXT UNIQUE,
    severity         TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    dept             TEXT NOT NULL,
    value_milli      INTEGER,                  -- the measured figure, thousandths
    threshold_milli  INTEGER,
    evidence         TEXT NOT NULL DEFAULT '{}', -- JSON: the numbers and records that fired it
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged',
                     'responding', 'resolved')),
    owner_id         INTEGER REFERENCES users(id),
    acknowledged_by  INTEGER REFERENCES users(id),
    acknowledged_at  INTEGER,
    response         TEXT NOT NULL DEFAULT '',  -- the response plan
    response_due     TEXT,
    resolved_by      INTEGER REFERENCES users(id),
    resolved_at      INTEGER,
    resolution       TEXT NOT NULL DEFAULT '',
    cleared_at       INTEGER,                  -- when the signal stopped firing
    risk_id          INTEGER REFERENCES risks(id) ON DELETE SET NULL,
    first_seen_at    INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX alerts_account ON alerts(account_id, status, id);
CREATE INDEX alerts_status ON alerts(status, dept, id);
CREATE INDEX alerts_owner ON alerts(owner_id, status, id);

-- The account health score, one row a day: lines = JSON [{signal, points, alert_id}].
CREATE TABLE account_health (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    day         TEXT NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    lines       TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, day)
);

-- The churn / decline model trained inside KAM on the company's own history, and its scores.
-- A model: the probability that an account's volume falls by more than drop_bp over the next
-- horizon_months (or stops). body: analytics/churn's serialised model.
CREATE TABLE churn_models (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    trained_at     INTEGER NOT NULL,
    horizon_months INTEGER NOT NULL,
    drop_bp        INTEGER NOT NULL,
    rows           INTEGER NOT NULL,
    positives      INTEGER NOT NULL,
    auc_bp         INTEGER,                     -- cross-validated AUC x 10000, NULL when too few rows
    features       TEXT NOT NULL DEFAULT '[]',
    body           TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 0
);
-- One active model: two schedulers training at once cannot both leave theirs active.
CREATE UNIQUE INDEX churn_models_active ON churn_models(active) WHERE active = 1;

CREATE TABLE churn_scores (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    day         TEXT NOT NULL,
    model_id    INTEGER NOT NULL REFERENCES churn_models(id),
    probability_bp INTEGER NOT NULL CHECK (probability_bp BETWEEN 0 AND 10000),
    factors     TEXT NOT NULL DEFAULT '[]',   -- JSON [{feature, value, contribution}] (log-odds)
    PRIMARY KEY (account_id, day)
);
CREATE INDEX churn_scores_model ON churn_scores(model_id);
CREATE INDEX churn_scores_day ON churn_scores(day, probability_bp);
