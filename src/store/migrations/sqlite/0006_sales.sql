-- 0006_sales.sql (SQLite) -- volume growth (F3.2, F4.1-F4.5): products and order lines with
-- their import runs, monthly rollups kept up to date on every write, exchange rates, wallet
-- estimates, stored forecasts, target plans with their cells, adjustments and proposals,
-- measures (4P) and the family co-purchase affinity.
--
-- Units: money is integer minor units (cents) -- `amount` in the line's currency, `amount_base`
-- in the base currency (setting base_currency); quantity is integer thousandths of the product's
-- unit; a month is yyyymm (202603); a day is days since 1970-01-01. Target values are whole units
-- of their plan's measure (yuan for amount, pieces for quantity).

CREATE TABLE products (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sku         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    family      TEXT NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    list_price  INTEGER,                 -- minor units of `currency`
    currency    TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX products_family ON products(family, sku);

CREATE TABLE fx_rates (
    currency    TEXT PRIMARY KEY,
    rate_micro  INTEGER NOT NULL,        -- base currency per unit, times 1,000,000
    updated_at  INTEGER NOT NULL
);

CREATE TABLE import_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,         -- orders | products | accounts
    filename      TEXT NOT NULL DEFAULT '',
    user_id       INTEGER,
    status        TEXT NOT NULL,         -- loaded | rejected | checked (dry run)
    rows_total    INTEGER NOT NULL DEFAULT 0,
    rows_inserted INTEGER NOT NULL DEFAULT 0,
    rows_updated  INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    problems_total INTEGER NOT NULL DEFAULT 0,
    report        TEXT NOT NULL DEFAULT '[]',   -- JSON: the first problems (row, column, reason)
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL
);

CREATE TABLE order_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id  TEXT NOT NULL UNIQUE,
    day          INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    product_id   INTEGER NOT NULL REFERENCES products(id),
    region       TEXT NOT NULL,
    channel      TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    amount_base  INTEGER NOT NULL,
    import_id    INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX order_lines_account ON order_lines(account_id, day);

-- Rollups: the sums of order_lines by month, kept by svc/sales.c in the same transaction as
-- every write. sales_monthly is the finest (account x family x region x channel); the other two
-- answer the dashboard (no account) and per-account questions without scanning it.
CREATE TABLE sales_monthly (
    account_id  INTEGER NOT NULL,
    month       INTEGER NOT NULL,
    family      TEXT NOT NULL,
    region      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    lines       INTEGER NOT NULL,
    PRIMARY KEY (account_id, month, family, region, channel)
);
CREATE INDEX sales_monthly_month ON sales_monthly(month);
CREATE TABLE sales_monthly_dim (
    month       INTEGER NOT NULL,
    family      TEXT NOT NULL,
    region      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    lines       INTEGER NOT NULL,
    PRIMARY KEY (month, family, region, channel)
);
CREATE TABLE sales_monthly_account (
    account_id  INTEGER NOT NULL,
    month       INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    lines       INTEGER NOT NULL,
    PRIMARY KEY (account_id, month)
);

CREATE TABLE wallet_estimates (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    year        INTEGER NOT NULL,
    amount      INTEGER NOT NULL,        -- base currency minor units: the account's total spend
    note        TEXT NOT NULL DEFAULT '',
    updated_by  INTEGER,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, year)
);

CREATE TABLE forecasts (
    level       TEXT NOT NULL,           -- total | family | region | channel | account
    key         TEXT NOT NULL,           -- '' for total; the family/region/channel; account id
    measure     TEXT NOT NULL,           -- amount | quantity
    month       INTEGER NOT NULL,
    mean        INTEGER NOT NULL,        -- minor units (amount) or thousandths (quantity)
    lo80        INTEGER NOT NULL,
    hi80        INTEGER NOT NULL,
    lo95        INTEGER NOT NULL,
    hi95        INTEGER NOT NULL,
    method      TEXT NOT NULL,
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (level, key, measure, month)
);

CREATE TABLE target_plans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    year         INTEGER NOT NULL,
    name         TEXT NOT NULL,
    measure      TEXT NOT NULL,          -- amount | quantity
    total        INTEGER NOT NULL,
    dims         TEXT NOT NULL,          -- the split: a subset of account,family,region,channel,month
    basis        TEXT NOT NULL,          -- last_year | forecast | potential | equal | blend
    blend        TEXT NOT NULL DEFAULT '',  -- for blend: "last_year:50,forecast:50"
    scope_region  TEXT NOT NULL DEFAULT '',
    scope_channel TEXT NOT NULL DEFAULT '',
    scope_family  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,          -- draft | submitted | approved
    owner_id     INTEGER NOT NULL REFERENCES users(id),
    approved_by  INTEGER,
    approved_at  INTEGER,
    specific     TEXT NOT NULL DEFAULT '',
    measurable   TEXT NOT NULL DEFAULT '',
    achievable   TEXT NOT NULL DEFAULT '',
    relevant     TEXT NOT NULL DEFAULT '',
    deadline     INTEGER NOT NULL,       -- day
    decomposed_at INTEGER,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX target_plans_year ON target_plans(year, id);

-- One cell per combination of the plan's dims; a dim the plan does not split is 0 / ''.
CREATE TABLE target_cells (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES target_plans(id),
    account_id  INTEGER NOT NULL,
    family      TEXT NOT NULL,
    region      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    month       INTEGER NOT NULL,        -- 1..12, 0 when not split by month
    value       INTEGER NOT NULL,
    basis       INTEGER NOT NULL,        -- the weight it was decomposed with
    locked      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (plan_id, account_id, family, region, channel, month)
);

CREATE TABLE target_adjustments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES target_plans(id),
    selection   TEXT NOT NULL,           -- which cells: "family=A,month=3" ('' = the plan total)
    action      TEXT NOT NULL,           -- set | lock | unlock | total | decompose
    from_value  INTEGER,
    to_value    INTEGER,
    reason      TEXT NOT NULL,
    user_id     INTEGER,
    at          INTEGER NOT NULL
);
CREATE INDEX target_adjustments_plan ON target_adjustments(plan_id, id);

CREATE TABLE target_proposals (
    plan_id     INTEGER NOT NULL REFERENCES target_plans(id),
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    value       INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    user_id     INTEGER,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (plan_id, account_id)
);

CREATE TABLE measures (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER REFERENCES target_plans(id),
    account_id      INTEGER REFERENCES accounts(id),
    family          TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,       -- product | price | channel | promotion
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    owner_id        INTEGER NOT NULL REFERENCES users(id),
    start_day       INTEGER NOT NULL,
    due_day         INTEGER NOT NULL,
    status          TEXT NOT NULL,       -- planned | in_progress | done | cancelled
    expected_uplift INTEGER NOT NULL DEFAULT 0,   -- whole units of `measure`
    measure         TEXT NOT NULL,       -- amount | quantity
    effect          INTEGER,             -- measured afterwards (whole units)
    effect_baseline INTEGER,
    effect_note     TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX measures_plan ON measures(plan_id, id);
CREATE INDEX measures_account ON measures(account_id, id);

CREATE TABLE sales_affinity (
    family_a    TEXT NOT NULL,
    family_b    TEXT NOT NULL,
    baskets     INTEGER NOT NULL,        -- baskets holding both
    support     INTEGER NOT NULL,        -- millionths
    confidence  INTEGER NOT NULL,        -- millionths
    lift        INTEGER NOT NULL,        -- millionths
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (family_a, family_b)
);

INSERT INTO settings (key, value) VALUES
    ('base_currency', 'CNY'), ('kpi_offtrack_pct', '90');
