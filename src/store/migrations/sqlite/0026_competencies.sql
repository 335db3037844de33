-- 0026_competencies.sql (SQLite) -- issue 18, the account team: the competency model, role
-- profiles, assessments of people, candidates (F6.1; docs/TEAM.md). A date is 'YYYY-MM-DD';
-- times are unix seconds.

-- The competency model. The built-in ones have fixed codes (communication, teamwork,
-- product_knowledge, problem_solving, negotiation, legal_compliance); custom = 1 for the
-- company's own. Each has rubric levels 1..5 with descriptors in Chinese and English.
CREATE TABLE competencies (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code            TEXT NOT NULL UNIQUE,
    name_zh         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    description_zh  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    custom          INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE competency_levels (
    competency_id   INTEGER NOT NULL REFERENCES competencies(id),
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    descriptor_zh   TEXT NOT NULL DEFAULT '',
    descriptor_en   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (competency_id, level)
);

-- One assessment of a person (user_id) by one assessor: themself (self), their manager, a peer.
-- Its levels per competency are in assessment_scores, each with its evidence.
CREATE TABLE competency_assessments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    assessor_id     INTEGER REFERENCES users(id),
    kind            TEXT NOT NULL CHECK (kind IN ('self', 'manager', 'peer')),
    assessed_on     TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX competency_assessments_user ON competency_assessments(user_id, assessed_on, id);

CREATE TABLE assessment_scores (
    assessment_id   INTEGER NOT NULL REFERENCES competency_assessments(id),
    competency_id   INTEGER NOT NULL REFERENCES competencies(id),
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    evidence        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, competency_id)
);
