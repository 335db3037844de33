-- 0016_user_lang.sql -- each user's language for what the server writes to them outside a
-- request (the daily e-mail digest): 'zh-CN', 'zh-TW' or 'en'; NULL (not chosen yet) = zh-CN.
-- Set by PATCH /api/v1/me (the web's language switch saves it), PATCH /api/v1/users/:id and
-- `kam user`.
ALTER TABLE users ADD COLUMN lang TEXT CHECK (lang IN ('zh-CN', 'zh-TW', 'en'));
