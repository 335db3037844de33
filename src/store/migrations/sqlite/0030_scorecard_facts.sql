-- 0030_scorecard_facts.sql -- issue 18: the counts a scorecard line's explanation names beside
-- its figures (order lines, the target plan, accounts with a wallet, promoters and detractors,
-- breaches cured or disputes won), as a JSON object written by svc/team/indicator.c, so a screen
-- can say the explanation in its own language. '{}' on lines computed before it.
ALTER TABLE scorecard_lines ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
