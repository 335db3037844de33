-- 0011_search.sql -- the global search index (issue 12): one row per searchable record, written
-- in the same transaction as the record (svc/core/search.c). Texts are folded: NFKC, Traditional
-- -> Simplified, lower case; py_full/py_init the pinyin of the name without tones or spaces
-- ("ceping") and its initials ("cp"); phone digits only; core the name without company suffixes
-- (duplicate check). version: the record's version when indexed; fold_version: the folding rule
-- (rows of an older rule or version are re-indexed by the catch-up of kam serve / kam jobs run,
-- which also indexes the rows that existed before this migration).
CREATE TABLE search_index (
    kind          TEXT NOT NULL,
    id            BIGINT NOT NULL,
    account_id    BIGINT,
    version       BIGINT NOT NULL,
    fold_version  INTEGER NOT NULL,
    label         TEXT NOT NULL,
    sub           TEXT NOT NULL DEFAULT '',
    code          TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    core          TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    py_full       TEXT NOT NULL DEFAULT '',
    py_init       TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, id)
);
CREATE INDEX search_index_account ON search_index(account_id);
CREATE INDEX search_index_code ON search_index(kind, code);
CREATE INDEX search_index_core ON search_index(kind, core);
CREATE INDEX search_index_phone ON search_index(phone) WHERE phone <> '';
CREATE INDEX search_index_email ON search_index(email) WHERE email <> '';
