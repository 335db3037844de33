-- 0017_needs.sql (SQLite) -- needs capture (issue 14, F3.1): interviews with the customer
-- (attendees on both sides in join tables), structured needs per account with their workflow
-- and what addressed them, and what a revisit learned (F2.7), keyed by visit.
-- References to records that can be deleted on their own (contacts, visits, interactions,
-- interviews) are cleared by the database when those go; an account's needs and interviews go
-- with the account (its audit trail stays).

CREATE TABLE interviews (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    held_on         TEXT NOT NULL,
    visit_id        INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    interaction_id  INTEGER REFERENCES interactions(id) ON DELETE SET NULL,
    title           TEXT NOT NULL DEFAULT '',
    questions       TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX interviews_account ON interviews(account_id, held_on, id);

CREATE TABLE interview_users (
    interview_id    INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (interview_id, user_id)
);

CREATE TABLE interview_contacts (
    interview_id    INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (interview_id, contact_id)
);
CREATE INDEX interview_contacts_contact ON interview_contacts(contact_id);

CREATE TABLE needs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    pain_point      TEXT NOT NULL DEFAULT '',
    expectation     TEXT NOT NULL DEFAULT '',
    priority        TEXT NOT NULL,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    status          TEXT NOT NULL,
    addressed_kind  TEXT,
    addressed_id    INTEGER,
    due_on          TEXT,
    interview_id    INTEGER REFERENCES interviews(id) ON DELETE SET NULL,
    visit_id        INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    source          TEXT NOT NULL,
    owner_id        INTEGER REFERENCES users(id),
    created_by      INTEGER REFERENCES users(id),
    status_at       INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK ((addressed_kind IS NULL) = (addressed_id IS NULL))
);
CREATE INDEX needs_account ON needs(account_id, status, id);
CREATE INDEX needs_status ON needs(status, created_at, id);
CREATE INDEX needs_category ON needs(category, status, id);
CREATE INDEX needs_owner ON needs(owner_id, status, id);
CREATE INDEX needs_due ON needs(due_on, id);
CREATE INDEX needs_interview ON needs(interview_id);
CREATE INDEX needs_visit ON needs(visit_id);

CREATE TABLE visit_learnings (
    visit_id        INTEGER PRIMARY KEY REFERENCES visits(id) ON DELETE CASCADE,
    how_used        TEXT NOT NULL DEFAULT '',
    works           TEXT NOT NULL DEFAULT '',
    fails           TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL
);
