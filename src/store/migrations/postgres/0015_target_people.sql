-- 0015_target_people.sql (PostgreSQL) -- targets by salesperson and team (issue 13): a plan may
-- split by owner (the accounts' account manager) and by team (the owner's team). A cell records
-- both (0 when the plan does not split by them, the team also when it splits by owner), so a
-- plan by owner rolls up to teams; both are part of the cell's identity.
ALTER TABLE target_cells ADD COLUMN owner_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_cells ADD COLUMN team_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_cells
    DROP CONSTRAINT target_cells_plan_id_account_id_family_region_channel_month_key;
ALTER TABLE target_cells ADD CONSTRAINT target_cells_cell_key
    UNIQUE (plan_id, account_id, owner_id, team_id, family, region, channel, month);
-- An adjustment records the account, owner and team its selection names (0 = not named), so a
-- scoped reader's adjustment log shows only what they may see. Earlier selections named at most
-- an account, first ("account=5,family=A").
ALTER TABLE target_adjustments ADD COLUMN account_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_adjustments ADD COLUMN owner_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_adjustments ADD COLUMN team_id BIGINT NOT NULL DEFAULT 0;
UPDATE target_adjustments
    SET account_id = CAST(split_part(substr(selection, 9), ',', 1) AS BIGINT)
    WHERE selection LIKE 'account=%';
