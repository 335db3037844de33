-- 0003_care.sql (SQLite) -- care (F2.4): occasions to remember, message templates, reminders,
-- and the e-mail outbox.

-- What the company remembers: festivals (by key, from the calendar in base/lunar.c), contacts'
-- birthdays, and its own special dates (month/day each year).
CREATE TABLE care_occasions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,          -- festival | birthday | special
    festival_key  TEXT,                   -- for festival
    name          TEXT NOT NULL,          -- for special (festivals and birthdays name themselves)
    month         INTEGER,                -- for special
    day           INTEGER,                -- for special
    days_before   INTEGER NOT NULL,
    key_people_only INTEGER NOT NULL DEFAULT 1,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
INSERT INTO care_occasions (kind, festival_key, name, days_before, key_people_only, created_at, updated_at) VALUES
    ('birthday', NULL, '', 7, 0, 0, 0),
    ('festival', 'spring_festival', '', 14, 1, 0, 0),
    ('festival', 'mid_autumn', '', 14, 1, 0, 0),
    ('festival', 'dragon_boat', '', 7, 1, 0, 0),
    ('festival', 'national_day', '', 7, 1, 0, 0),
    ('festival', 'new_year', '', 7, 1, 0, 0);

CREATE TABLE message_templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    locale      TEXT NOT NULL,            -- zh | en
    occasion    TEXT NOT NULL,            -- birthday | festival | special | any
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
INSERT INTO message_templates (name, locale, occasion, subject, body, created_at, updated_at) VALUES
    ('生日祝福', 'zh', 'birthday', '{{contact_name}}，生日快乐！',
     '尊敬的{{contact_name}}：' || char(10) || char(10) || '值此生日之际，谨代表{{company}}全体同仁向您致以最诚挚的祝福，祝您生日快乐、身体健康、万事如意！' || char(10) || char(10) || '感谢您一直以来对我们的信任与支持。' || char(10) || char(10) || '{{sender_name}}', 0, 0),
    ('Birthday greetings', 'en', 'birthday', 'Happy birthday, {{contact_name}}!',
     'Dear {{contact_name}},' || char(10) || char(10) || 'On behalf of everyone at {{company}}, warm wishes for a very happy birthday and a great year ahead.' || char(10) || char(10) || 'Thank you for your trust and partnership.' || char(10) || char(10) || '{{sender_name}}', 0, 0),
    ('节日问候', 'zh', 'festival', '{{occasion}}快乐',
     '尊敬的{{contact_name}}：' || char(10) || char(10) || '{{occasion}}将至，{{company}}全体同仁祝您和家人节日快乐、阖家幸福！感谢{{account_name}}一直以来的合作与支持。' || char(10) || char(10) || '{{sender_name}}', 0, 0),
    ('Season''s greetings', 'en', 'festival', 'Happy {{occasion}}',
     'Dear {{contact_name}},' || char(10) || char(10) || 'As {{occasion}} approaches, all of us at {{company}} send our best wishes to you and your family, and our thanks for the partnership with {{account_name}}.' || char(10) || char(10) || '{{sender_name}}', 0, 0);

CREATE TABLE care_reminders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    contact_id      INTEGER NOT NULL REFERENCES contacts(id),
    owner_id        INTEGER NOT NULL REFERENCES users(id),
    occasion_id     INTEGER,
    occasion_kind   TEXT NOT NULL,
    occasion_key    TEXT NOT NULL,        -- festival key, "birthday", or "special:<id>"
    occasion_name   TEXT NOT NULL,
    occasion_date   TEXT NOT NULL,        -- YYYY-MM-DD
    status          TEXT NOT NULL,        -- pending | sent | done | skipped
    channel         TEXT,                 -- email | call | gift | visit | other
    note            TEXT NOT NULL DEFAULT '',
    done_at         INTEGER,
    interaction_id  INTEGER,
    outbox_id       INTEGER,
    gen_key         TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX care_reminders_owner ON care_reminders(owner_id, status, occasion_date, id);
CREATE INDEX care_reminders_account ON care_reminders(account_id, occasion_date, id);

-- The durable outbox: a row per message; the sender claims due rows, sends, marks them sent,
-- or schedules a retry with back-off. dedup_key makes queueing the same message twice a no-op.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr          TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL,       -- queued | sending | sent | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    locked_until     INTEGER,
    last_error       TEXT NOT NULL DEFAULT '',
    sent_at          INTEGER,
    dedup_key        TEXT UNIQUE,
    created_at       INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, id);
