-- 0002_relationships.sql (SQLite) -- interactions, cadence rules, visits, calendar tokens,
-- customer issues with SLA rules, notifications, settings, job runs (issue 5).

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES
    ('freshness_days.strategic', '30'), ('freshness_days.key', '45'),
    ('freshness_days.growth', '60'), ('freshness_days.maintain', '90');

CREATE TABLE interactions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    user_id        INTEGER REFERENCES users(id),
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    notes          TEXT NOT NULL DEFAULT '',
    material_type  TEXT,
    occurred_at    INTEGER NOT NULL,
    visit_id       INTEGER,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX interactions_account ON interactions(account_id, occurred_at, id);

CREATE TABLE interaction_contacts (
    interaction_id  INTEGER NOT NULL REFERENCES interactions(id),
    contact_id      INTEGER NOT NULL REFERENCES contacts(id),
    PRIMARY KEY (interaction_id, contact_id)
);
CREATE INDEX interaction_contacts_contact ON interaction_contacts(contact_id);

CREATE TABLE cadence_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tier           TEXT NOT NULL,
    decision_role  TEXT,
    kind           TEXT NOT NULL,
    every_days     INTEGER NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
INSERT INTO cadence_rules (tier, decision_role, kind, every_days, created_at, updated_at) VALUES
    ('strategic', 'decision_maker', 'onsite', 30, 0, 0),
    ('strategic', 'decision_maker', 'phone', 14, 0, 0),
    ('key', 'decision_maker', 'onsite', 60, 0, 0),
    ('key', 'decision_maker', 'phone', 30, 0, 0),
    ('growth', NULL, 'phone', 45, 0, 0),
    ('maintain', NULL, 'phone', 90, 0, 0);

CREATE TABLE visits (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    contact_id      INTEGER REFERENCES contacts(id),
    owner_id        INTEGER NOT NULL REFERENCES users(id),
    kind            TEXT NOT NULL,
    planned_at      INTEGER NOT NULL,
    status          TEXT NOT NULL,
    outcome         TEXT NOT NULL DEFAULT '',
    next_steps      TEXT NOT NULL DEFAULT '',
    completed_at    INTEGER,
    interaction_id  INTEGER,
    cadence_id      INTEGER,
    gen_key         TEXT UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX visits_owner ON visits(owner_id, status, planned_at, id);
CREATE INDEX visits_account ON visits(account_id, planned_at, id);
CREATE INDEX visits_status ON visits(status, planned_at, id);

CREATE TABLE calendar_tokens (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE sla_rules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    tier              TEXT NOT NULL,
    severity          TEXT NOT NULL,
    response_hours    INTEGER NOT NULL,
    resolution_hours  INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (tier, severity)
);
INSERT INTO sla_rules (tier, severity, response_hours, resolution_hours, updated_at) VALUES
    ('strategic', 'critical', 2, 24, 0), ('strategic', 'high', 4, 48, 0),
    ('strategic', 'medium', 8, 120, 0), ('strategic', 'low', 24, 240, 0),
    ('key', 'critical', 4, 48, 0), ('key', 'high', 8, 72, 0),
    ('key', 'medium', 24, 168, 0), ('key', 'low', 48, 336, 0),
    ('growth', 'critical', 8, 72, 0), ('growth', 'high', 24, 120, 0),
    ('growth', 'medium', 48, 240, 0), ('growth', 'low', 72, 480, 0),
    ('maintain', 'critical', 24, 120, 0), ('maintain', 'high', 48, 240, 0),
    ('maintain', 'medium', 72, 480, 0), ('maintain', 'low', 120, 720, 0);

CREATE TABLE issues (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    contact_id         INTEGER REFERENCES contacts(id),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    category           TEXT NOT NULL,
    severity           TEXT NOT NULL,
    status             TEXT NOT NULL,
    assignee_id        INTEGER REFERENCES users(id),
    reported_at        INTEGER NOT NULL,
    response_due_at    INTEGER NOT NULL,
    resolution_due_at  INTEGER NOT NULL,
    first_response_at  INTEGER,
    resolved_at        INTEGER,
    confirmed_at       INTEGER,
    escalated_at       INTEGER,
    escalated_to       INTEGER REFERENCES users(id),
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX issues_account ON issues(account_id, id);
CREATE INDEX issues_status ON issues(status, id);
CREATE INDEX issues_assignee ON issues(assignee_id, status, id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL DEFAULT '',
    dedup_key   TEXT UNIQUE,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
