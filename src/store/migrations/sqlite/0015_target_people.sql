-- 0015_target_people.sql (SQLite) -- targets by salesperson and team (issue 13): a plan may
-- split by owner (the accounts' account manager) and by team (the owner's team). A cell records
-- both (0 when the plan does not split by them, the team also when it splits by owner), so a
-- plan by owner rolls up to teams. SQLite cannot change a UNIQUE constraint: the table is
-- rebuilt with the two columns in the cell's identity.
CREATE TABLE target_cells_0015 (
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
    owner_id    INTEGER NOT NULL DEFAULT 0,  -- users.id when the plan splits by owner, else 0
    team_id     INTEGER NOT NULL DEFAULT 0,  -- teams.id when it splits by owner or team, else 0
    UNIQUE (plan_id, account_id, owner_id, team_id, family, region, channel, month)
);
INSERT INTO target_cells_0015 (id, plan_id, account_id, family, region, channel, month, value,
                               basis, locked)
    SELECT id, plan_id, account_id, family, region, channel, month, value, basis, locked
    FROM target_cells;
-- Ids are never reused: the new table continues the old one's sequence.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'target_cells_0015', 0 WHERE NOT EXISTS
        (SELECT 1 FROM sqlite_sequence WHERE name = 'target_cells_0015');
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence
                                                    WHERE name = 'target_cells'), 0))
    WHERE name = 'target_cells_0015';
DROP TABLE target_cells;
ALTER TABLE target_cells_0015 RENAME TO target_cells;
-- An adjustment records the account, owner and team its selection names (0 = not named), so a
-- scoped reader's adjustment log shows only what they may see. Earlier selections named at most
-- an account, first ("account=5,family=A").
ALTER TABLE target_adjustments ADD COLUMN account_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE target_adjustments ADD COLUMN owner_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE target_adjustments ADD COLUMN team_id INTEGER NOT NULL DEFAULT 0;
UPDATE target_adjustments SET account_id = CAST(substr(selection, 9) AS INTEGER)
    WHERE selection LIKE 'account=%';
