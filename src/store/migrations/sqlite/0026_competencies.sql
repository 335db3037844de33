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

-- The six built-in competencies (custom = 0; their rubric descriptors are the company's to
-- write: PATCH /api/v1/competencies/:id, the demo writes them). kam migrate-data replaces
-- these rows with the source's (src/store/copy.c: seeded).
INSERT INTO competencies (code, name_zh, name_en, custom, created_at, updated_at) VALUES
    ('communication', '沟通能力', 'Communication', 0, 0, 0),
    ('teamwork', '团队协作', 'Teamwork', 0, 0, 0),
    ('product_knowledge', '专业与产品知识', 'Professional and product knowledge', 0, 0, 0),
    ('problem_solving', '问题解决', 'Problem solving', 0, 0, 0),
    ('negotiation', '谈判能力', 'Negotiation', 0, 0, 0),
    ('legal_compliance', '法律与合规意识', 'Legal and compliance awareness', 0, 0, 0);

-- Role profiles: the level (1..5) each competency needs for a role (account_manager,
-- senior_account_manager, team_lead or any code), with a weight (1..100) in the fit.
CREATE TABLE role_profiles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code            TEXT NOT NULL UNIQUE,
    name_zh         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE role_profile_levels (
    profile_id      INTEGER NOT NULL REFERENCES role_profiles(id),
    competency_id   INTEGER NOT NULL REFERENCES competencies(id),
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    weight          INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    PRIMARY KEY (profile_id, competency_id)
);

-- Candidates for a role profile: internal (user_id) or external (name, contact, source); the
-- decision (hired | rejected | on_hold | promoted) with its reason; status 'open' before it.
CREATE TABLE candidates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id      INTEGER NOT NULL REFERENCES role_profiles(id),
    user_id         INTEGER REFERENCES users(id),
    name            TEXT NOT NULL,
    contact         TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'hired', 'rejected', 'on_hold', 'promoted')),
    decision_reason TEXT NOT NULL DEFAULT '',
    decided_by      INTEGER REFERENCES users(id),
    decided_at      INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX candidates_profile ON candidates(profile_id, id);

-- Interview scores: one level per candidate, competency and interviewer, with notes.
CREATE TABLE interview_scores (
    candidate_id    INTEGER NOT NULL REFERENCES candidates(id),
    competency_id   INTEGER NOT NULL REFERENCES competencies(id),
    interviewer_id  INTEGER NOT NULL REFERENCES users(id),
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    note            TEXT NOT NULL DEFAULT '',
    scored_at       INTEGER NOT NULL,
    PRIMARY KEY (candidate_id, competency_id, interviewer_id)
);
