-- 0004_valuation.sql (SQLite) -- prospects and valuation (F2.1, F1.2): where a prospect came
-- from and whether it was accepted as a target; weighted criteria, assessments, an explainable
-- value score per account, tier thresholds and the tier history.

ALTER TABLE accounts ADD COLUMN source TEXT;            -- market_research | trade_show | referral | other
ALTER TABLE accounts ADD COLUMN referred_by TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN screening TEXT;         -- accepted | rejected (NULL: not screened)
ALTER TABLE accounts ADD COLUMN screening_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN screened_by INTEGER;
ALTER TABLE accounts ADD COLUMN screened_at INTEGER;
ALTER TABLE accounts ADD COLUMN tier_locked INTEGER NOT NULL DEFAULT 0;  -- 1: the score does not move the tier

CREATE TABLE scoring_criteria (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    kind        TEXT NOT NULL,            -- manual | computed
    weight      INTEGER NOT NULL,         -- 0..100, relative
    active      INTEGER NOT NULL DEFAULT 1,
    updated_at  INTEGER NOT NULL
);
INSERT INTO scoring_criteria (key, name_zh, name_en, kind, weight, updated_at) VALUES
    ('business_scale', '业务规模', 'Business scale', 'manual', 30, 0),
    ('market_position', '市场地位', 'Market position', 'manual', 25, 0),
    ('growth_potential', '增长潜力', 'Growth potential', 'manual', 25, 0),
    ('volume_12m', '近12个月采购量', 'Last-12-month volume', 'computed', 10, 0),
    ('growth', '采购增长', 'Purchase growth', 'computed', 5, 0),
    ('share_of_wallet', '钱包份额', 'Share of wallet', 'computed', 5, 0);

CREATE TABLE account_assessments (
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    criterion     TEXT NOT NULL,
    value         INTEGER NOT NULL,      -- 0..100
    note          TEXT NOT NULL DEFAULT '',
    assessed_by   INTEGER,
    assessed_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, criterion)
);

CREATE TABLE account_scores (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts(id),
    score        INTEGER NOT NULL,        -- 0..100
    details      TEXT NOT NULL,           -- JSON: the contributions
    computed_at  INTEGER NOT NULL
);

CREATE TABLE tier_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL,
    from_tier   TEXT,
    to_tier     TEXT NOT NULL,
    score       INTEGER,
    reason      TEXT NOT NULL,            -- score | manual | import
    user_id     INTEGER,
    at          INTEGER NOT NULL
);
CREATE INDEX tier_history_account ON tier_history(account_id, id);

INSERT INTO settings (key, value) VALUES
    ('tier_threshold.strategic', '80'), ('tier_threshold.key', '60'), ('tier_threshold.growth', '40');
