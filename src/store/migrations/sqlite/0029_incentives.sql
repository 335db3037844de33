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
    updated_at      INTEGER NOT NULL,
    -- the rules (docs/TEAM.md "Incentives"): the basis (revenue; margin is refused while the
    -- catalogue has no standard cost), the rate of a family without its own (bp of the basis),
    -- no commission below threshold_bp of the person's target, at most cap per period (NULL:
    -- none), bad debt clawed back bad_debt_days after an invoice's due day (0: not)
    basis           TEXT NOT NULL DEFAULT 'revenue' CHECK (basis IN ('revenue', 'margin')),
    default_rate_bp INTEGER NOT NULL DEFAULT 0,
    threshold_bp    INTEGER NOT NULL DEFAULT 0,
    cap             INTEGER,
    bad_debt_days   INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT ''
);

-- The rate of a product family (bp of the basis).
CREATE TABLE commission_rates (
    plan_id         INTEGER NOT NULL REFERENCES commission_plans(id),
    family          TEXT NOT NULL,
    rate_bp         INTEGER NOT NULL,
    PRIMARY KEY (plan_id, family)
);

-- Accelerators: from from_bp of the target on, the rate is multiplied by multiplier_bp / 10000
-- (marginal: only the revenue slice within the tier).
CREATE TABLE commission_tiers (
    plan_id         INTEGER NOT NULL REFERENCES commission_plans(id),
    from_bp         INTEGER NOT NULL,
    multiplier_bp   INTEGER NOT NULL,
    PRIMARY KEY (plan_id, from_bp)
);

-- Split credit: the weight of the account's owner (dept_role 'owner') and of each account team
-- member by department role; an order line is credited to the people on its account in
-- proportion to their weights.
CREATE TABLE commission_splits (
    plan_id         INTEGER NOT NULL REFERENCES commission_plans(id),
    dept_role       TEXT NOT NULL,
    share_bp        INTEGER NOT NULL,
    PRIMARY KEY (plan_id, dept_role)
);

-- A person's target for one period of the plan (base currency minor units); without one, the
-- owner cells of approved amount target plans (svc/volume/target.c) are the target.
CREATE TABLE commission_targets (
    plan_id         INTEGER NOT NULL REFERENCES commission_plans(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    period_start    TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    PRIMARY KEY (plan_id, user_id, period_start)
);

-- A bonus pool: amount shared out by appraisal score among the people of a team and/or role
-- whose final or calibrated scorecard of the same period scores at least min_score.
CREATE TABLE bonus_pools (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES commission_plans(id),
    name            TEXT NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    team_id         INTEGER REFERENCES teams(id),
    role            TEXT NOT NULL DEFAULT '',
    min_score       INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX bonus_pools_plan ON bonus_pools(plan_id, period_start);

-- Non-monetary recognition: visible to everyone who reads commission plans.
CREATE TABLE recognitions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    title           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    day             TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX recognitions_user ON recognitions(user_id, day);

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
    plan_version    INTEGER NOT NULL DEFAULT 1,
    target          INTEGER,
    credited        INTEGER NOT NULL DEFAULT 0,
    attainment_bp   INTEGER,
    reason          TEXT NOT NULL DEFAULT '',
    computed_at     INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (plan_id, user_id, period_start)
);
CREATE INDEX payout_statements_user ON payout_statements(user_id, period_start);

-- The explained lines of a statement: kind commission (a slice of an order line's credited
-- revenue at one tier), clawback (reason return | bad_debt), threshold (below the threshold:
-- 0), cap (what the cap takes off), bonus (a bonus pool's share).
CREATE TABLE payout_lines (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id    INTEGER NOT NULL REFERENCES payout_statements(id),
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('commission', 'clawback', 'threshold', 'cap',
                    'bonus')),
    reason          TEXT NOT NULL DEFAULT '',
    order_line_id   INTEGER,
    invoice_id      INTEGER,
    bonus_pool_id   INTEGER,
    account_id      INTEGER,
    family          TEXT NOT NULL DEFAULT '',
    day             TEXT NOT NULL DEFAULT '',
    line_amount     INTEGER NOT NULL DEFAULT 0,
    share_bp        INTEGER NOT NULL DEFAULT 0,
    basis           INTEGER NOT NULL DEFAULT 0,
    rate_bp         INTEGER NOT NULL DEFAULT 0,
    tier            INTEGER NOT NULL DEFAULT 0,
    multiplier_bp   INTEGER NOT NULL DEFAULT 10000,
    amount          INTEGER NOT NULL,
    UNIQUE (statement_id, seq)
);
