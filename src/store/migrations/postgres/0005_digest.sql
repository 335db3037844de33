-- 0005_digest.sql -- users may opt in to a daily e-mail digest of their notifications.
ALTER TABLE users ADD COLUMN digest BIGINT NOT NULL DEFAULT 0;
