-- 0010_saved_views.sql (SQLite) -- saved list views: a user's named filters, sort and columns
-- of one list screen (issue 12). state is the screen's JSON, opaque to the server (capped).
CREATE TABLE saved_views (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    screen      TEXT NOT NULL,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (user_id, screen, name)
);
