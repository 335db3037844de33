-- 0025_contracts.sql (SQLite) -- issue 17: contracts and their obligations checked against
-- what really happened, breaches, disputes, lessons learned, documents (docs/CONTRACTS.md).
-- Money is integer minor units of the currency named beside it; a quantity is thousandths of
-- the product's unit (as order_lines.quantity); a percentage is basis points; a date is
-- 'YYYY-MM-DD'; times are unix seconds. Records of an account are not removed with it:
-- deleting an account with any of them is refused.

-- Contracts (F5.3). One per account; a contract on a group's head account with covers_group = 1
-- covers its subsidiaries (their order lines, invoices and issues count). status: draft ->
-- active -> expiring (the notice deadline is near) -> expired | terminated | renewed; the
-- scheduler moves active/expiring/expired by the dates. price_list_id: the contract's prices,
-- an account or group price list of the price engine (docs/PRICING.md), so one engine answers.
-- revision counts amendments (contract_versions keeps each one's terms).
CREATE TABLE contracts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    covers_group     INTEGER NOT NULL DEFAULT 0,
    number           TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('framework', 'supply', 'service',
                     'distribution')),
    our_party        TEXT NOT NULL DEFAULT '',
    their_party      TEXT NOT NULL DEFAULT '',
    our_signatory    TEXT NOT NULL DEFAULT '',
    their_signatory  TEXT NOT NULL DEFAULT '',
    signatory_contact_id INTEGER REFERENCES contacts(id),
    signed_on        TEXT,
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    auto_renew       INTEGER NOT NULL DEFAULT 0,
    renewal_months   INTEGER NOT NULL DEFAULT 12,
    notice_days      INTEGER NOT NULL DEFAULT 30,
    remind_days      INTEGER NOT NULL DEFAULT 30,   -- renewal reminder this many days before
                                                    -- the notice deadline
    reminded_for     TEXT,                          -- the notice deadline last reminded of
    currency         TEXT NOT NULL,
    price_list_id    INTEGER REFERENCES price_lists(id),
    payment_days     INTEGER,                       -- payment terms: days after the invoice
    sla_response_hours   INTEGER,                   -- NULL: the issue SLA rules (sla_rules)
    sla_resolution_hours INTEGER,
    status           TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active',
                     'expiring', 'expired', 'terminated', 'renewed')),
    status_note      TEXT NOT NULL DEFAULT '',      -- why terminated
    renewed_to       INTEGER REFERENCES contracts(id),
    owner_id         INTEGER REFERENCES users(id),
    note             TEXT NOT NULL DEFAULT '',
    revision         INTEGER NOT NULL DEFAULT 1,
    created_by       INTEGER REFERENCES users(id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX contracts_account ON contracts(account_id, status, id);
CREATE INDEX contracts_status ON contracts(status, ends_on, id);
CREATE INDEX contracts_owner ON contracts(owner_id, status, id);

-- Amendments as versions: the terms (the contract's fields and its obligations, JSON) as they
-- stood from each revision on, with what changed and why.
CREATE TABLE contract_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id  INTEGER NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL,
    effective_on TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    terms        TEXT NOT NULL,
    created_by   INTEGER REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    UNIQUE (contract_id, revision)
);

-- Obligations: ours or theirs, each checked against the data by the breach scan.
--   volume         theirs: measure (quantity | amount) >= target per period (month | quarter |
--                  year), of a product family or overall; pro rata within the running period
--   price          ours: order lines priced as the contract's price list (the engine), within
--                  tolerance_bp
--   payment        theirs: invoices paid within days (else the contract's payment_days)
--   service_level  ours: issues answered and resolved within response_hours/resolution_hours
--                  (else the contract's, else the SLA rules)
--   delivery | support | training | forecast | other: done by due_on (and each recurrence
--                  after it); contract_obligation_done records when
CREATE TABLE contract_obligations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id      INTEGER NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    side             TEXT NOT NULL CHECK (side IN ('ours', 'theirs')),
    kind             TEXT NOT NULL CHECK (kind IN ('volume', 'price', 'payment',
                     'service_level', 'delivery', 'support', 'training', 'forecast', 'other')),
    title            TEXT NOT NULL DEFAULT '',
    family           TEXT,                          -- volume: a product family; NULL: all
    measure          TEXT CHECK (measure IN ('quantity', 'amount')),
    period           TEXT CHECK (period IN ('month', 'quarter', 'year')),
    target           INTEGER,                       -- volume: per period (thousandths or minor
                                                    -- units of the contract's currency)
    tolerance_bp     INTEGER NOT NULL DEFAULT 0,
    days             INTEGER,                       -- payment: days; delivery: lead time
    response_hours   INTEGER,
    resolution_hours INTEGER,
    due_on           TEXT,
    recurrence       TEXT NOT NULL DEFAULT 'none' CHECK (recurrence IN ('none', 'month',
                     'quarter', 'year')),
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX contract_obligations_contract ON contract_obligations(contract_id, id);
CREATE INDEX contract_obligations_kind ON contract_obligations(kind, active, id);

-- An obligation's occurrence done: due_on names the occurrence (the first due_on or one of its
-- recurrences).
CREATE TABLE contract_obligation_done (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    obligation_id  INTEGER NOT NULL REFERENCES contract_obligations(id) ON DELETE CASCADE,
    due_on         TEXT NOT NULL,
    done_on        TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     INTEGER REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    UNIQUE (obligation_id, due_on)
);

-- Breaches: one per obligation and occurrence (occurrence: the period '2026-Q3', the invoice,
-- the order line, the issue, the due date), so racing scans find the same row. status: detected
-- -> confirmed | waived (a reason) -> action (corrective action taken) -> cured. evidence: JSON
-- (the lines, invoices or issues behind it); at_stake in the contract's currency.
CREATE TABLE contract_breaches (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id    INTEGER NOT NULL REFERENCES contracts(id),
    obligation_id  INTEGER NOT NULL REFERENCES contract_obligations(id),
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    side           TEXT NOT NULL CHECK (side IN ('ours', 'theirs')),
    kind           TEXT NOT NULL,
    occurrence     TEXT NOT NULL,
    severity       TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    at_stake       INTEGER NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL,
    measured       INTEGER,                        -- the measured figure (thousandths, minor
    expected       INTEGER,                        -- units, hours, days) and what was agreed
    evidence       TEXT NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL DEFAULT 'detected' CHECK (status IN ('detected', 'confirmed',
                   'waived', 'action', 'cured')),
    reason         TEXT NOT NULL DEFAULT '',       -- waived: why
    action         TEXT NOT NULL DEFAULT '',       -- the corrective action
    owner_id       INTEGER REFERENCES users(id),
    detected_at    INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    cured_at       INTEGER,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (obligation_id, occurrence)
);
CREATE INDEX contract_breaches_account ON contract_breaches(account_id, status, id);
CREATE INDEX contract_breaches_contract ON contract_breaches(contract_id, id);
CREATE INDEX contract_breaches_status ON contract_breaches(status, id);

-- Disputes (F5.4): the ladder negotiation -> mediation -> arbitration -> litigation, one step
-- at a time; closed (settled | won | lost | withdrawn) from any stage, settled from any.
-- limitation_on: the PRC three-year limitation period from arose_on (民法典 第一百八十八条).
CREATE TABLE disputes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    contract_id     INTEGER REFERENCES contracts(id),
    breach_id       INTEGER REFERENCES contract_breaches(id),
    title           TEXT NOT NULL,
    counterpart     TEXT NOT NULL DEFAULT '',
    amount_claimed  INTEGER NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL,
    our_position    TEXT NOT NULL DEFAULT '',
    their_position  TEXT NOT NULL DEFAULT '',
    arose_on        TEXT NOT NULL,
    limitation_on   TEXT NOT NULL,
    stage           TEXT NOT NULL DEFAULT 'negotiation' CHECK (stage IN ('negotiation',
                    'mediation', 'arbitration', 'litigation', 'closed')),
    outcome         TEXT CHECK (outcome IN ('settled', 'won', 'lost', 'withdrawn')),
    outcome_note    TEXT NOT NULL DEFAULT '',
    settled_amount  INTEGER,
    closed_on       TEXT,
    reported_by     INTEGER REFERENCES users(id),
    reported_to     INTEGER REFERENCES users(id),
    owner_id        INTEGER REFERENCES users(id),
    reminded_for    TEXT,                          -- the deadline last reminded of
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX disputes_account ON disputes(account_id, stage, id);
CREATE INDEX disputes_stage ON disputes(stage, id);
CREATE INDEX disputes_contract ON disputes(contract_id, id);

-- Each stage a dispute went through: its dates, its deadline (an arbitration or appeal
-- deadline entered per case), who took part (mediator, commission, court, lawyers) and what it
-- cost.
CREATE TABLE dispute_stages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    dispute_id     INTEGER NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
    stage          TEXT NOT NULL CHECK (stage IN ('negotiation', 'mediation', 'arbitration',
                   'litigation')),
    started_on     TEXT NOT NULL,
    ended_on       TEXT,
    deadline_on    TEXT,
    deadline_note  TEXT NOT NULL DEFAULT '',
    forum          TEXT NOT NULL DEFAULT '',       -- the mediator, commission or court
    participants   TEXT NOT NULL DEFAULT '',       -- lawyers and others, free text
    cost           INTEGER NOT NULL DEFAULT 0,     -- the dispute's currency
    note           TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX dispute_stages_dispute ON dispute_stages(dispute_id, id);
CREATE INDEX dispute_stages_deadline ON dispute_stages(deadline_on, id);

-- The timeline's own entries beside stage changes (hearings, filings, offers, calls).
CREATE TABLE dispute_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dispute_id  INTEGER NOT NULL REFERENCES disputes(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'meeting', 'filing', 'hearing', 'offer',
                'decision', 'payment')),
    text        TEXT NOT NULL,
    amount      INTEGER,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX dispute_events_dispute ON dispute_events(dispute_id, day, id);

-- Lessons learned (F5.5): a case, linked to what it came from (lesson_links: dispute, breach,
-- opportunity, account, issue, contract), tags as a comma-separated list of words.
CREATE TABLE lessons (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER REFERENCES accounts(id),
    title           TEXT NOT NULL,
    what_happened   TEXT NOT NULL DEFAULT '',
    root_cause      TEXT NOT NULL DEFAULT '',
    changes         TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX lessons_account ON lessons(account_id, id);

CREATE TABLE lesson_links (
    lesson_id  INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('dispute', 'breach', 'opportunity', 'account',
               'issue', 'contract')),
    ref_id     INTEGER NOT NULL,
    PRIMARY KEY (lesson_id, kind, ref_id)
);
CREATE INDEX lesson_links_ref ON lesson_links(kind, ref_id);

-- Who is accountable for which decision (read by appraisal, issue 18): personal data.
CREATE TABLE lesson_accountability (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    lesson_id  INTEGER NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    decision   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX lesson_accountability_user ON lesson_accountability(user_id, id);
CREATE INDEX lesson_accountability_lesson ON lesson_accountability(lesson_id, id);

-- Training needs (picked up by the team issue, 18): from a lesson now, from competency gaps
-- and appraisals later (source). user_id NULL: everyone of the role named (audience_role), or
-- everyone.
CREATE TABLE training_needs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    source         TEXT NOT NULL CHECK (source IN ('lesson', 'competency', 'appraisal',
                   'manual')),
    source_id      INTEGER,
    topic          TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    user_id        INTEGER REFERENCES users(id),
    audience_role  TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'planned', 'done',
                   'dropped')),
    created_by     INTEGER REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX training_needs_status ON training_needs(status, id);
CREATE INDEX training_needs_source ON training_needs(source, source_id);

-- Documents: files attached to a record (owner_kind + owner_id: contract, dispute, lesson,
-- breach; later others), permission-checked through it; account_id is the owner's, for scope.
-- The bytes live in document_content, in the database, so backup and migrate-data carry them.
-- mime is sniffed from the content, never taken from the name.
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_kind  TEXT NOT NULL,
    owner_id    INTEGER NOT NULL,
    account_id  INTEGER REFERENCES accounts(id),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX documents_owner ON documents(owner_kind, owner_id, id);
CREATE INDEX documents_account ON documents(account_id, id);

CREATE TABLE document_content (
    document_id  INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    content      BLOB NOT NULL
);
