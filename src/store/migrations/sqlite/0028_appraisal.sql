-- 0028_appraisal.sql (SQLite) -- issue 18, the account team: appraisal schemes with weighted
-- indicators and scoring curves, scorecards computed from KAM's own records (F6.3;
-- docs/TEAM.md). A date is 'YYYY-MM-DD'; times are unix seconds.

CREATE TABLE appraisal_schemes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    period_kind     TEXT NOT NULL CHECK (period_kind IN ('quarter', 'year')),
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- A person's scorecard for one period of a scheme (days inclusive). score: the total after
-- calibration in hundredths of a point (10000 = 100.00 = every indicator on target); NULL until
-- computed.
CREATE TABLE scorecards (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id       INTEGER NOT NULL REFERENCES appraisal_schemes(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'review',
                    'acknowledged', 'calibrated', 'final')),
    score           INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (scheme_id, user_id, period_start)
);
CREATE INDEX scorecards_user ON scorecards(user_id, period_start);
