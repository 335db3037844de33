-- 0007_login_backoff.sql (PostgreSQL) -- failed-attempt throttling per login and client address.
--
-- login_failures keeps its name and first three columns (older copies of kam migrate-data read
-- those) and gains two, so one table holds every throttling key (see svc/auth.c):
--   "pair:LOGIN ADDR"  attempts of one login from one address: count, last_at, and next_at,
--                      the earliest time of the next attempt once the free ones are used
--   "addr:ADDR"        attempts from one address across logins in a window of window_start
--   "login:LOGIN"      attempts on one login from addresses it has not logged in from
--   "ok:LOGIN ADDR"    last_at: the last successful login of LOGIN from ADDR
-- Times are unix seconds. Rows untouched for a day (a month for "ok:") are deleted on login.

ALTER TABLE login_failures ADD COLUMN last_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE login_failures ADD COLUMN next_at BIGINT NOT NULL DEFAULT 0;
-- "login:" rows counted toward the old lockout (5 per login); the new per-login limit starts
-- from zero.
DELETE FROM login_failures WHERE key LIKE 'login:%';
UPDATE login_failures SET last_at = window_start;
CREATE INDEX login_failures_last ON login_failures(last_at);
