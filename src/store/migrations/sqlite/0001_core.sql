-- 0001_core.sql (SQLite) -- users, teams, sessions, tokens, accounts, contacts, audit.
-- Times are unix seconds (INTEGER); money is integer minor units plus a currency code.
-- Ids are AUTOINCREMENT: an id is never reused after a delete, so history (audit rows,
-- calendar UIDs, links in notifications) can never point at a newer record.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    parent_id   INTEGER REFERENCES teams(id),
    manager_id  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX teams_parent ON teams(parent_id);
CREATE INDEX teams_manager ON teams(manager_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL,
    team_id        INTEGER REFERENCES teams(id),
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX users_team ON users(team_id);

CREATE VIRTUAL TABLE users_fts USING fts5(login, name, content='users', content_rowid='id',
                                          tokenize='trigram');
CREATE TRIGGER users_fts_ai AFTER INSERT ON users BEGIN
    INSERT INTO users_fts(rowid, login, name) VALUES (new.id, new.login, new.name);
END;
CREATE TRIGGER users_fts_ad AFTER DELETE ON users BEGIN
    INSERT INTO users_fts(users_fts, rowid, login, name) VALUES ('delete', old.id, old.login, old.name);
END;
CREATE TRIGGER users_fts_au AFTER UPDATE OF login, name ON users BEGIN
    INSERT INTO users_fts(users_fts, rowid, login, name) VALUES ('delete', old.id, old.login, old.name);
    INSERT INTO users_fts(rowid, login, name) VALUES (new.id, new.login, new.name);
END;

-- Sessions live in the database so several kam serve processes share them.
-- id is the hex BLAKE2b hash of the cookie value: a copy of the table opens no session.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);

-- Failed-login counters per key ("login:NAME" or "addr:IP") in a fixed window.
CREATE TABLE login_failures (
    key           TEXT PRIMARY KEY,
    window_start  INTEGER NOT NULL,
    count         INTEGER NOT NULL
);

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    alias             TEXT NOT NULL DEFAULT '',
    parent_id         INTEGER REFERENCES accounts(id),
    industry          TEXT NOT NULL DEFAULT '',
    region            TEXT NOT NULL DEFAULT '',
    channel           TEXT NOT NULL DEFAULT '',
    employees         INTEGER,
    revenue_amount    INTEGER,
    revenue_currency  TEXT,
    owner_id          INTEGER NOT NULL REFERENCES users(id),
    tier              TEXT NOT NULL,
    status            TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX accounts_name ON accounts(name, id);
CREATE INDEX accounts_updated ON accounts(updated_at, id);
CREATE INDEX accounts_owner ON accounts(owner_id, name, id);
CREATE INDEX accounts_tier ON accounts(tier, name, id);
CREATE INDEX accounts_region ON accounts(region, name, id);
CREATE INDEX accounts_channel ON accounts(channel, name, id);
CREATE INDEX accounts_status ON accounts(status, name, id);
CREATE INDEX accounts_parent ON accounts(parent_id, name, id);

CREATE VIRTUAL TABLE accounts_fts USING fts5(name, alias, code, content='accounts',
                                             content_rowid='id', tokenize='trigram');
CREATE TRIGGER accounts_fts_ai AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_fts(rowid, name, alias, code) VALUES (new.id, new.name, new.alias, new.code);
END;
CREATE TRIGGER accounts_fts_ad AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_fts(accounts_fts, rowid, name, alias, code)
        VALUES ('delete', old.id, old.name, old.alias, old.code);
END;
CREATE TRIGGER accounts_fts_au AFTER UPDATE OF name, alias, code ON accounts BEGIN
    INSERT INTO accounts_fts(accounts_fts, rowid, name, alias, code)
        VALUES ('delete', old.id, old.name, old.alias, old.code);
    INSERT INTO accounts_fts(rowid, name, alias, code) VALUES (new.id, new.name, new.alias, new.code);
END;

-- The account team (F3.6): users of several departments working one account.
CREATE TABLE account_members (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    dept_role   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_members_user ON account_members(user_id, account_id);

-- The buying centre (F1.3).
CREATE TABLE contacts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    name               TEXT NOT NULL,
    title              TEXT NOT NULL DEFAULT '',
    department         TEXT NOT NULL DEFAULT '',
    decision_role      TEXT NOT NULL,
    influence          INTEGER NOT NULL,
    attitude           INTEGER NOT NULL,
    reports_to_id      INTEGER REFERENCES contacts(id),
    phone              TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    birthday           TEXT,
    last_contacted_at  INTEGER,
    notes              TEXT NOT NULL DEFAULT '',
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX contacts_account_name ON contacts(account_id, name, id);
CREATE INDEX contacts_account_influence ON contacts(account_id, influence, id);
CREATE INDEX contacts_reports_to ON contacts(reports_to_id);

CREATE VIRTUAL TABLE contacts_fts USING fts5(name, title, email, content='contacts',
                                             content_rowid='id', tokenize='trigram');
CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts(rowid, name, title, email) VALUES (new.id, new.name, new.title, new.email);
END;
CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, name, title, email)
        VALUES ('delete', old.id, old.name, old.title, old.email);
END;
CREATE TRIGGER contacts_fts_au AFTER UPDATE OF name, title, email ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, name, title, email)
        VALUES ('delete', old.id, old.name, old.title, old.email);
    INSERT INTO contacts_fts(rowid, name, title, email) VALUES (new.id, new.name, new.title, new.email);
END;

-- Audit log: one row per create/update/delete of business data, written in the same
-- transaction. account_id ties rows of everything under an account to it, for scope checks
-- and the account's change history. No foreign keys: history outlives its records.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    entity      TEXT NOT NULL,
    entity_id   INTEGER NOT NULL,
    account_id  INTEGER,
    action      TEXT NOT NULL,
    changes     TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);
CREATE INDEX audit_account ON audit(account_id, id);
