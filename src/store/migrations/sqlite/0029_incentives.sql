-- 0029_incentives.sql (SQLite) -- issue 18, the account team: commission plans, bonus pools,
-- payout statements explained line by line (F6.4; docs/TEAM.md). Money is integer minor units
-- of the currency named beside it; a percentage is basis points; a date is 'YYYY-MM-DD'; times
-- are unix seconds.

CREATE TABLE commission_plans (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    currency        TEXT NOT NULL,
    period_kind     TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter', 'year')),
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- A person's statement for one period of a plan; total in minor units of currency. Finance
-- approves it (status approved), or rejects it with a reason.
CREATE TABLE payout_statements (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES commission_plans(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    currency        TEXT NOT NULL,
    total           INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted',
                    'approved', 'rejected', 'paid')),
    approved_by     INTEGER REFERENCES users(id),
    approved_at     INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (plan_id, user_id, period_start)
);
CREATE INDEX payout_statements_user ON payout_statements(user_id, period_start);
