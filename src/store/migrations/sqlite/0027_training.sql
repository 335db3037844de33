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
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (session_id, user_id)
);
CREATE INDEX training_enrolments_user ON training_enrolments(user_id, status);
