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
    -- issue 18 C (appraisal): the scheme version the lines were computed with, the score the
    -- lines add up to (score differs from it once calibrated), when computed, the manager's
    -- comment, the person's acknowledgement, who finalised it.
    scheme_version  INTEGER NOT NULL DEFAULT 1,
    computed_score  INTEGER,
    computed_at     INTEGER,
    comment         TEXT NOT NULL DEFAULT '',
    acknowledged_at INTEGER,
    finalised_by    INTEGER REFERENCES users(id),
    finalised_at    INTEGER,
    UNIQUE (scheme_id, user_id, period_start)
);
CREATE INDEX scorecards_user ON scorecards(user_id, period_start);

-- A scheme's weighted indicators, one set per scheme version (a change of the indicators writes
-- the new version's set; the older sets stay for the scorecards computed with them). kind: a
-- computed indicator (docs/TEAM.md) or manual. weight_bp: basis points of 10000 (a version's
-- weights add up to 10000). The scoring curve, in the indicator's unit: below threshold 0,
-- threshold -> target 5000 -> 10000, target -> stretch 10000 -> cap_score, beyond stretch
-- cap_score; lower_better mirrors it (threshold >= target >= stretch).
CREATE TABLE appraisal_indicators (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id       INTEGER NOT NULL REFERENCES appraisal_schemes(id),
    scheme_version  INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    label           TEXT NOT NULL DEFAULT '',
    weight_bp       INTEGER NOT NULL,
    threshold       INTEGER NOT NULL,
    target          INTEGER NOT NULL,
    stretch         INTEGER NOT NULL,
    cap_score       INTEGER NOT NULL,
    lower_better    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (scheme_id, scheme_version, position)
);

-- A scorecard's lines: the indicator as computed (weights and curve copied from the scheme
-- version). measured / basis: the raw figures behind actual (sales and target in minor units,
-- visits done and due, ...); actual: what the curve scores (NULL: no data, why says why; the
-- line is then left out and its weight shared among the others); attainment_bp: actual against
-- target; score and weighted in hundredths (10000 = on target).
CREATE TABLE scorecard_lines (
    scorecard_id    INTEGER NOT NULL REFERENCES scorecards(id),
    indicator_id    INTEGER NOT NULL REFERENCES appraisal_indicators(id),
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    label           TEXT NOT NULL DEFAULT '',
    weight_bp       INTEGER NOT NULL,
    threshold       INTEGER NOT NULL,
    target          INTEGER NOT NULL,
    stretch         INTEGER NOT NULL,
    cap_score       INTEGER NOT NULL,
    lower_better    INTEGER NOT NULL DEFAULT 0,
    measured        INTEGER,
    basis           INTEGER,
    actual          INTEGER,
    attainment_bp   INTEGER,
    score           INTEGER,
    weighted        INTEGER,
    why             TEXT,
    explanation     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scorecard_id, indicator_id)
);

-- The records behind each line (the drill-down), written by the same computation that sums
-- them: side actual (adds up to measured), basis (to basis), wallet (share of wallet: the
-- estimates) or info (shown, not counted). day: days since 1970-01-01 (NULL: none). value: the amount in minor units, the 0-10 score of
-- an NPS answer, 1 for a counted record.
CREATE TABLE scorecard_records (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scorecard_id    INTEGER NOT NULL REFERENCES scorecards(id),
    indicator_id    INTEGER NOT NULL,
    side            TEXT NOT NULL,
    ref_kind        TEXT NOT NULL,
    ref_id          INTEGER NOT NULL,
    day             INTEGER,
    account_id      INTEGER,
    value           INTEGER NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    UNIQUE (scorecard_id, indicator_id, side, ref_kind, ref_id)
);

-- Calibration: every change of a scorecard's score with its reason (old -> new).
CREATE TABLE scorecard_adjustments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scorecard_id    INTEGER NOT NULL REFERENCES scorecards(id),
    old_score       INTEGER,
    new_score       INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    adjusted_by     INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX scorecard_adjustments_card ON scorecard_adjustments(scorecard_id, id);
