-- 0012_visit_details.sql (PostgreSQL) -- a visit's duration, place and purpose, and the optional
-- on-site check-in (外勤签到) taken with the phone's location: micro-degrees, the accuracy the
-- browser reported (whole metres, rounded up) and the server's time of the check-in.
ALTER TABLE visits ADD COLUMN duration_min BIGINT;
ALTER TABLE visits ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN checkin_lat_e6 BIGINT;
ALTER TABLE visits ADD COLUMN checkin_lon_e6 BIGINT;
ALTER TABLE visits ADD COLUMN checkin_accuracy_m BIGINT;
ALTER TABLE visits ADD COLUMN checkin_at BIGINT;
