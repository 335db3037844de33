-- 0009_messages.sql -- notifications carry a message key and parameters (svc/core/msg.c), so
-- each reader gets the title in their own language; title/body stay for older rows and for
-- API users that read them (they hold the zh-CN + English text of the time). Parameters are
-- packed name US value RS ... (msg_params_pack).

ALTER TABLE notifications ADD COLUMN msg_key TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN params TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_user_kind ON notifications(user_id, kind, id);
