-- 0027_training.sql (SQLite) -- issue 18, the account team: courses, sessions, enrolments with
-- attendance, tests, feedback and practice (F6.2; docs/TEAM.md). A date is 'YYYY-MM-DD'; times
-- are unix seconds.

CREATE TABLE courses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    topic           TEXT NOT NULL,
    format          TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- The competencies a course builds.
CREATE TABLE course_competencies (
    course_id       INTEGER NOT NULL REFERENCES courses(id),
    competency_id   INTEGER NOT NULL REFERENCES competencies(id),
    PRIMARY KEY (course_id, competency_id)
);

CREATE TABLE training_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id       INTEGER NOT NULL REFERENCES courses(id),
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    trainer_id      INTEGER REFERENCES users(id),
    trainer_name    TEXT NOT NULL DEFAULT '',
    place           TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX training_sessions_course ON training_sessions(course_id, starts_on);

-- One person (user_id) in one session. completed_at is set when status becomes 'completed'
-- (the appraisal's "training completed" counts those).
CREATE TABLE training_enrolments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id      INTEGER NOT NULL REFERENCES training_sessions(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    status          TEXT NOT NULL DEFAULT 'enrolled' CHECK (status IN ('enrolled', 'attended',
                    'absent', 'completed', 'cancelled')),
    completed_at    INTEGER,
    -- The tests before and after the course (0..100), the person's own reaction (1..5 with a
    -- comment, feedback_at when given) and a practice assignment on a real account.
    pre_score       INTEGER CHECK (pre_score BETWEEN 0 AND 100),
    post_score      INTEGER CHECK (post_score BETWEEN 0 AND 100),
    feedback_rating INTEGER CHECK (feedback_rating BETWEEN 1 AND 5),
    feedback_comment TEXT NOT NULL DEFAULT '',
    feedback_at     INTEGER,
    practice_account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    practice_task   TEXT NOT NULL DEFAULT '',
    practice_due_on TEXT,
    practice_done_on TEXT,
    practice_result TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (session_id, user_id)
);
CREATE INDEX training_enrolments_user ON training_enrolments(user_id, status);
CREATE INDEX training_enrolments_practice ON training_enrolments(practice_account_id);
