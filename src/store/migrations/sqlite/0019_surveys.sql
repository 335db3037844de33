-- 0019_surveys.sql (SQLite) -- satisfaction surveys (issue 14, F3.7) and the follow-ups that low
-- scores become for the department that can fix them (F3.6).
--
-- A survey is company-wide: its questions are worded in zh-CN, zh-TW and en. It is sent by links,
-- one per contact: the link's token (128 random bits, base64url) is given out once and only its
-- sha256 is stored. A link is answered once; its response keeps one row per answered question.
-- Drivers (the attributes a rating question measures) are a configurable list; each names the
-- department on the account team that follows up a low rating of it.
-- Times are unix seconds; a survey's status is draft -> open -> closed.

CREATE TABLE survey_drivers (
    key             TEXT PRIMARY KEY,          -- product_quality, delivery, ...
    label_zh_cn     TEXT NOT NULL,
    label_zh_tw     TEXT NOT NULL,
    label_en        TEXT NOT NULL,
    dept_role       TEXT NOT NULL,             -- account_members.dept_role that follows it up
    position        INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title_zh_cn     TEXT NOT NULL DEFAULT '',
    title_zh_tw     TEXT NOT NULL DEFAULT '',
    title_en        TEXT NOT NULL DEFAULT '',
    intro_zh_cn     TEXT NOT NULL DEFAULT '',
    intro_zh_tw     TEXT NOT NULL DEFAULT '',
    intro_en        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,             -- draft | open | closed
    link_days       INTEGER NOT NULL DEFAULT 30, -- a link expires this many days after sending
    remind_days     INTEGER NOT NULL DEFAULT 7,  -- remind an unanswered link after this many days
    max_reminders   INTEGER NOT NULL DEFAULT 2,
    created_by      INTEGER REFERENCES users(id),
    opened_at       INTEGER,
    closed_at       INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX surveys_status ON surveys(status, id);

-- kind: nps (0-10) | csat (1-5) | rating (1-5, of driver) | single | multi | text.
-- overall = 1 marks the outcome the key-driver analysis explains (at most one per survey; a
-- csat or nps question). Questions are frozen once the survey is open.
CREATE TABLE survey_questions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id       INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    driver          TEXT REFERENCES survey_drivers(key),
    text_zh_cn      TEXT NOT NULL DEFAULT '',
    text_zh_tw      TEXT NOT NULL DEFAULT '',
    text_en         TEXT NOT NULL DEFAULT '',
    required        INTEGER NOT NULL DEFAULT 0,
    overall         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    CHECK ((kind = 'rating') = (driver IS NOT NULL)),
    UNIQUE (survey_id, position)
);
CREATE UNIQUE INDEX survey_questions_overall ON survey_questions(survey_id) WHERE overall = 1;

-- Choices of a single or multi question (at most 20: a multi answer is a bit mask of positions).
CREATE TABLE survey_options (
    question_id     INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,          -- 0..19
    label_zh_cn     TEXT NOT NULL DEFAULT '',
    label_zh_tw     TEXT NOT NULL DEFAULT '',
    label_en        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (question_id, position)
);

-- One link per contact and survey. token_hash: hex sha256 of the token. channel: email (sent
-- through the outbox) | copy (given to the sender to paste into WeChat) | phone (answers taken
-- by staff). lang: zh-CN | zh-TW | en, the answer page's language.
CREATE TABLE survey_links (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id       INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash      TEXT NOT NULL UNIQUE,
    lang            TEXT NOT NULL,
    channel         TEXT NOT NULL,
    expires_at      INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL,
    reminded_at     INTEGER,
    reminders       INTEGER NOT NULL DEFAULT 0,
    answered_at     INTEGER,
    created_by      INTEGER REFERENCES users(id),
    -- the token before the last reminder: a reminder gives a new token but the link the contact
    -- already has keeps working until answered or expired (NULL after a reissue: the old link dies)
    prev_token_hash TEXT,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX survey_links_contact ON survey_links(survey_id, contact_id);
CREATE INDEX survey_links_account ON survey_links(account_id, survey_id);
CREATE INDEX survey_links_due ON survey_links(answered_at, expires_at, id);
CREATE INDEX survey_links_prev_token ON survey_links(prev_token_hash);

-- One response per link. entered_by: the user who typed in an answer taken by phone (NULL when
-- the customer answered through the link).
CREATE TABLE survey_responses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id       INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    link_id         INTEGER NOT NULL UNIQUE REFERENCES survey_links(id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    lang            TEXT NOT NULL,
    entered_by      INTEGER REFERENCES users(id),
    submitted_at    INTEGER NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses(survey_id, submitted_at, id);
CREATE INDEX survey_responses_account ON survey_responses(account_id, submitted_at, id);

-- value: the score (nps 0-10, csat / rating 1-5), a single choice's position, or a multi
-- choice's bit mask; text: a text answer (NULL otherwise). A text answer's sentiment: sentiment_ppm,
-- the model's score of "positive" in millionths (0..1,000,000), by the model sentiment_model
-- names (a hash of it: a new model rescores); NULL until scored.
CREATE TABLE survey_answers (
    response_id     INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id     INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    value           INTEGER,
    text            TEXT,
    sentiment_ppm   INTEGER,
    sentiment_model TEXT,
    PRIMARY KEY (response_id, question_id),
    CHECK ((value IS NULL) <> (text IS NULL))
);
CREATE INDEX survey_answers_question ON survey_answers(question_id, value);

-- Throttling of the public answer route, per address and per token hash:
-- key "addr:ADDR" or "tok:HASH", count of requests in the window starting at window_start.
CREATE TABLE survey_hits (
    key             TEXT PRIMARY KEY,
    window_start    INTEGER NOT NULL,
    count           INTEGER NOT NULL
);
CREATE INDEX survey_hits_window ON survey_hits(window_start);

-- A task for one department on the account team (F3.6): created from a low score or a negative
-- comment of a response (source survey, with the response and question), or by hand (source
-- handoff: one department handing a matter to another). status: open -> in_progress -> resolved
-- -> confirmed (the customer confirmed it is fixed) | reopened; dropped (with a reason) -> reopened.
CREATE TABLE follow_ups (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    dept_role       TEXT NOT NULL,
    source          TEXT NOT NULL,             -- survey | comment | handoff
    response_id     INTEGER REFERENCES survey_responses(id) ON DELETE SET NULL,
    question_id     INTEGER REFERENCES survey_questions(id) ON DELETE SET NULL,
    from_dept       TEXT,                      -- a hand-off's sending department
    title           TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    owner_id        INTEGER REFERENCES users(id),
    due_on          TEXT,
    status          TEXT NOT NULL,
    action          TEXT NOT NULL DEFAULT '',  -- the improvement action taken
    resolved_at     INTEGER,
    confirmed_at    INTEGER,
    confirmation    TEXT NOT NULL DEFAULT '',  -- what the customer said when confirming
    reason          TEXT NOT NULL DEFAULT '',  -- why it was dropped (cleared when reopened)
    created_by      INTEGER REFERENCES users(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX follow_ups_account ON follow_ups(account_id, status, id);
CREATE INDEX follow_ups_dept ON follow_ups(dept_role, status, id);
CREATE INDEX follow_ups_owner ON follow_ups(owner_id, status, id);
CREATE INDEX follow_ups_due ON follow_ups(status, due_on, id); -- the overdue filter
CREATE UNIQUE INDEX follow_ups_response ON follow_ups(response_id, question_id)
    WHERE response_id IS NOT NULL;

INSERT INTO survey_drivers (key, label_zh_cn, label_zh_tw, label_en, dept_role, position, created_at, updated_at) VALUES
    ('product_quality', '产品质量', '產品品質', 'Product quality', 'production', 1, 0, 0),
    ('delivery', '交付及时', '交貨準時', 'On-time delivery', 'production', 2, 0, 0),
    ('price', '价格', '價格', 'Price', 'sales', 3, 0, 0),
    ('service_response', '服务响应', '服務回應', 'Service response', 'service', 4, 0, 0),
    ('technical_support', '技术支持', '技術支援', 'Technical support', 'technical', 5, 0, 0),
    ('account_manager', '客户经理', '客戶經理', 'Account manager', 'sales', 6, 0, 0),
    ('communication', '沟通与信息', '溝通與資訊', 'Communication', 'marketing', 7, 0, 0);

-- Satisfaction as an optional criterion of the value score (F1.4): the account's NPS over the
-- last year as (NPS + 100) / 2, none below 3 answers. Off until an admin turns it on.
INSERT INTO scoring_criteria (key, name_zh, name_en, kind, weight, active, updated_at) VALUES
    ('satisfaction', '客户满意度', 'Customer satisfaction', 'computed', 10, 0, 0);
