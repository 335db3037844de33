-- 0014_import_mappings.sql (sqlite) -- the column mapping each user last saved for each import
-- kind ("field=Header,..."; issue 13), offered again on their next import. A preference, not
-- business data: not audited (like saved_views).
CREATE TABLE import_mappings (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);
