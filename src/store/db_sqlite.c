/* db_sqlite.c -- the SQLite driver: the embedded default.
 *
 * Each connection: WAL journal, foreign keys on, a busy timeout (10 s; KAM_SQLITE_BUSY_MS for
 * tests), synchronous=FULL unless KAM_SQLITE_SYNC says otherwise (FULL: an acknowledged write
 * survives power loss). Text search uses FTS5 trigram tables kept in step by triggers (see the
 * migrations); queries shorter than three characters, which trigrams cannot index, fall back to
 * LIKE.
 *
 * A missing file is created only when the caller asks (kam init, kam demo); otherwise it is
 * KAM_ENOTFOUND and nothing is left behind. SQLite opens a file it may not write read-only
 * without a word; such writes fail as SQLITE_READONLY, reported as a read-only file or
 * directory and counted (db_note_read_only) for /healthz. */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/utf8.h"
#include "db.h"

extern const struct embed_file kam_sqlite_migrations[];

#define BUSY_MS 10000 /* how long a statement waits for another connection's write lock */

/* BUSY_MS, or KAM_SQLITE_BUSY_MS (1..600000) for tests that provoke KAM_EBUSY quickly. */
static int busy_ms(void)
{
    const char *v = getenv("KAM_SQLITE_BUSY_MS");
    long ms = v && *v ? strtol(v, NULL, 10) : 0;
    return ms >= 1 && ms <= 600000 ? (int)ms : BUSY_MS;
}

/* The result codes of a write the file system or SQLite refused: the file or its directory is
 * read-only (SQLite opens a file it cannot write read-only, silently), or was moved away. */
static int refused_write(int code)
{
    int primary = code & 0xff;
    return primary == SQLITE_READONLY || primary == SQLITE_PERM;
}

static enum kam_err fail_db(sqlite3 *h, struct kam_error *e, const char *what)
{
    int code = sqlite3_extended_errcode(h);
    const char *msg = sqlite3_errmsg(h);
    int primary = code & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return kam_fail(e, KAM_EBUSY, "", "database busy (%s)", what);
    if (refused_write(code))
        return kam_fail(e, KAM_EDB, "",
                        "the database file or its directory is read-only (sqlite %s: %s)", what,
                        msg);
    if (primary == SQLITE_CONSTRAINT) {
        /* "UNIQUE constraint failed: accounts.code" -> field "code" */
        const char *field = "";
        char col[48] = "";
        const char *colon = strstr(msg, ": ");
        if (colon) {
            const char *dot = strchr(colon, '.');
            const char *start = dot ? dot + 1 : colon + 2;
            size_t n = strcspn(start, ", ");
            if (n >= sizeof col)
                n = sizeof col - 1;
            memcpy(col, start, n);
            col[n] = 0;
            field = col;
        }
        if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
            return kam_fail_key(e, KAM_ECONFLICT, field, *field ? "taken" : "duplicate", NULL,
                                "%s already exists", *field ? field : "value");
        if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
            return kam_fail_key(e, KAM_ECONFLICT, "", "in_use", NULL,
                                "the record is referenced by other records");
        return kam_fail(e, KAM_EINVAL, field, "constraint failed: %s", msg);
    }
    return kam_fail(e, KAM_EDB, "", "sqlite %s: %s", what, msg);
}

/* fail_db for a statement that ran: a refused write is also counted (db_note_read_only). */
static enum kam_err fail_stmt(sqlite3 *h, struct kam_error *e, const char *what)
{
    if (refused_write(sqlite3_extended_errcode(h)))
        db_note_read_only();
    return fail_db(h, e, what);
}

static enum kam_err s_exec(void *conn, const char *sql, struct kam_error *e)
{
    sqlite3 *h = conn;
    if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail_stmt(h, e, "exec");
    return KAM_OK;
}

static enum kam_err s_open(const char *path, int create, void **conn_out, struct kam_error *e)
{
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (!*path)
        return kam_fail(e, KAM_EINVAL, "db", "empty SQLite path");
    int memory = strcmp(path, ":memory:") == 0;
    if (create || memory) {
        flags |= SQLITE_OPEN_CREATE;
    } else {
        /* Without SQLITE_OPEN_CREATE a file that vanishes after this check is not made either. */
        struct stat sb;
        int found = stat(path, &sb) == 0;
        if (!found && errno == ENOENT)
            return kam_fail(e, KAM_ENOTFOUND, "db", "no such file: %s", path);
        /* An empty file is an empty database; the journal mode below would write to it. */
        if (found && S_ISREG(sb.st_mode) && sb.st_size == 0)
            return kam_fail(e, KAM_ENOTFOUND, "tables", "empty file: %s", path);
    }
    if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
        enum kam_err rc = kam_fail(e, KAM_EDB, "db", "%s", h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close(h);
        return rc;
    }
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, busy_ms());
    const char *sync = getenv("KAM_SQLITE_SYNC");
    if (!sync || !*sync)
        sync = "full";
    const char *sync_sql = "PRAGMA synchronous=FULL";
    if (strcmp(sync, "normal") == 0)
        sync_sql = "PRAGMA synchronous=NORMAL";
    else if (strcmp(sync, "off") == 0)
        sync_sql = "PRAGMA synchronous=OFF";
    else if (strcmp(sync, "full") != 0) {
        sqlite3_close(h);
        return kam_fail(e, KAM_EINVAL, "KAM_SQLITE_SYNC", "must be full, normal or off");
    }
    enum kam_err rc = KAM_OK;
    if (!memory)
        rc = s_exec(h, "PRAGMA journal_mode=WAL", e);
    if (!rc)
        rc = s_exec(h, "PRAGMA foreign_keys=ON", e);
    if (!rc)
        rc = s_exec(h, sync_sql, e);
    if (!rc)
        rc = s_exec(h, "PRAGMA temp_store=MEMORY", e);
    /* 32 MiB of page cache per connection (allocated as used): the rollups that dashboards
     * read stay in memory instead of being read back from the OS on every request. */
    if (!rc)
        rc = s_exec(h, "PRAGMA cache_size=-32768", e);
    if (rc) {
        sqlite3_close(h);
        return rc;
    }
    *conn_out = h;
    return KAM_OK;
}

static void s_close(void *conn)
{
    sqlite3_close_v2(conn);
}

static enum kam_err s_prepare(void *conn, const char *sql, void **stmt_out, struct kam_error *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return fail_db(conn, e, "prepare");
    *stmt_out = st;
    return KAM_OK;
}

static void s_finalize(void *stmt)
{
    sqlite3_finalize(stmt);
}

static void s_reset(void *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

/* A bind's result code: SQLITE_RANGE (no such parameter), SQLITE_NOMEM, SQLITE_TOOBIG,
 * SQLITE_MISUSE. sqlite3_errmsg may describe a later call, so the message is the code's own. */
static enum kam_err bound(void *stmt, int idx, int rc, struct kam_error *e)
{
    if (rc == SQLITE_OK)
        return KAM_OK;
    if (rc == SQLITE_NOMEM)
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory binding parameter %d", idx);
    return kam_fail(e, KAM_EDB, "", "sqlite bind of parameter %d (of %d): %s", idx,
                    sqlite3_bind_parameter_count(stmt), sqlite3_errstr(rc));
}

static enum kam_err s_bind_i64(void *stmt, int idx, int64_t v, struct kam_error *e)
{
    return bound(stmt, idx, sqlite3_bind_int64(stmt, idx, v), e);
}

static enum kam_err s_bind_double(void *stmt, int idx, double v, struct kam_error *e)
{
    return bound(stmt, idx, sqlite3_bind_double(stmt, idx, v), e);
}

static enum kam_err s_bind_text_ref(void *stmt, int idx, const char *s, size_t n,
                                    struct kam_error *e)
{
    return bound(stmt, idx, sqlite3_bind_text64(stmt, idx, s, n, SQLITE_STATIC, SQLITE_UTF8), e);
}

static enum kam_err s_bind_text(void *stmt, int idx, const char *s, size_t n, struct kam_error *e)
{
    return bound(stmt, idx, sqlite3_bind_text64(stmt, idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8), e);
}

/* Copied; an empty blob is a zero-length BLOB, not NULL (sqlite3_bind_blob of no bytes binds
 * NULL when the pointer is NULL). */
static enum kam_err s_bind_blob(void *stmt, int idx, const void *p, size_t n, struct kam_error *e)
{
    if (!n)
        return bound(stmt, idx, sqlite3_bind_zeroblob(stmt, idx, 0), e);
    return bound(stmt, idx, sqlite3_bind_blob64(stmt, idx, p, n, SQLITE_TRANSIENT), e);
}

static enum kam_err s_bind_null(void *stmt, int idx, struct kam_error *e)
{
    return bound(stmt, idx, sqlite3_bind_null(stmt, idx), e);
}

static enum kam_err s_step(void *stmt, int *has_row, struct kam_error *e)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *has_row = 1;
        return KAM_OK;
    }
    *has_row = 0;
    if (rc == SQLITE_DONE)
        return KAM_OK;
    enum kam_err err = fail_stmt(sqlite3_db_handle(stmt), e, "step");
    sqlite3_reset(stmt); /* leave the statement reusable */
    return err;
}

static int s_col_count(void *stmt)
{
    return sqlite3_column_count(stmt);
}

static int s_col_is_null(void *stmt, int col)
{
    return sqlite3_column_type(stmt, col) == SQLITE_NULL;
}

static int64_t s_col_i64(void *stmt, int col)
{
    return sqlite3_column_int64(stmt, col);
}

static double s_col_double(void *stmt, int col)
{
    return sqlite3_column_double(stmt, col);
}

static const char *s_col_text(void *stmt, int col, size_t *len_out)
{
    const char *s = (const char *)sqlite3_column_text(stmt, col);
    *len_out = s ? (size_t)sqlite3_column_bytes(stmt, col) : 0;
    return s;
}

/* A BLOB's bytes (a TEXT value's too); "" for an empty one, NULL for NULL. */
static const void *s_col_blob(void *stmt, int col, size_t *len_out)
{
    *len_out = 0;
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
        return NULL;
    const void *p = sqlite3_column_blob(stmt, col);
    size_t n = (size_t)sqlite3_column_bytes(stmt, col);
    *len_out = p ? n : 0;
    return p ? p : (n ? NULL : ""); /* NULL with bytes due: out of memory */
}

static int s_col_is_blob(void *stmt, int col)
{
    return sqlite3_column_type(stmt, col) == SQLITE_BLOB;
}

static int64_t s_changes(void *conn)
{
    return sqlite3_changes64(conn);
}

static enum kam_err s_probe_write(void *conn, int *read_only_out, struct kam_error *e)
{
    sqlite3 *h = conn;
    if (sqlite3_db_readonly(h, "main") == 1) {
        *read_only_out = 1;
        return kam_fail(e, KAM_EDB, "", "the database file is not writable");
    }
    /* Health checks must not queue behind a long import: no wait for the write lock. */
    sqlite3_busy_timeout(h, 0);
    enum kam_err rc = KAM_OK;
    if (sqlite3_exec(h, "UPDATE schema_version SET version = version WHERE version < 0", NULL, NULL,
                     NULL) != SQLITE_OK) {
        *read_only_out = refused_write(sqlite3_extended_errcode(h));
        rc = fail_db(h, e, "write probe");
    }
    sqlite3_busy_timeout(h, busy_ms());
    return rc;
}

/* Searchable tables: their FTS5 trigram shadow and the columns it indexes. */
static const struct {
    const char *table, *cond_fts, *cond_like;
    int like_binds;
} searchable[] = {
    {"accounts", "accounts.id IN (SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ?)",
     "(accounts.name LIKE ? ESCAPE '\\' OR accounts.alias LIKE ? ESCAPE '\\' OR accounts.code "
     "LIKE ? ESCAPE '\\')",
     3},
    {"contacts", "contacts.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)",
     "(contacts.name LIKE ? ESCAPE '\\' OR contacts.title LIKE ? ESCAPE '\\' OR contacts.email "
     "LIKE ? ESCAPE '\\')",
     3},
    {"users", "users.id IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ?)",
     "(users.login LIKE ? ESCAPE '\\' OR users.name LIKE ? ESCAPE '\\')", 2},
};

static const char *s_search_cond(const char *table, const char *query, struct arena *a,
                                 const char **bind_out, int *nbind_out)
{
    for (size_t i = 0; i < sizeof searchable / sizeof searchable[0]; i++) {
        if (strcmp(searchable[i].table, table) != 0)
            continue;
        size_t n = strlen(query);
        if (utf8_chars(query, n) >= 3) {
            /* One FTS5 phrase: "..." with inner quotes doubled, so no query syntax leaks. */
            char *p = arena_alloc(a, 2 * n + 3), *o = p;
            *o++ = '"';
            for (size_t j = 0; j < n; j++) {
                if (query[j] == '"')
                    *o++ = '"';
                *o++ = query[j];
            }
            *o++ = '"';
            *o = 0;
            *bind_out = p;
            *nbind_out = 1;
            return searchable[i].cond_fts;
        }
        char *p = arena_alloc(a, 2 * n + 3), *o = p;
        *o++ = '%';
        for (size_t j = 0; j < n; j++) {
            if (query[j] == '%' || query[j] == '_' || query[j] == '\\')
                *o++ = '\\';
            *o++ = query[j];
        }
        *o++ = '%';
        *o = 0;
        *bind_out = p;
        *nbind_out = searchable[i].like_binds;
        return searchable[i].cond_like;
    }
    return NULL;
}

const struct db_driver db_sqlite_driver = {
    .scheme = "sqlite",
    .open = s_open,
    .close = s_close,
    .prepare = s_prepare,
    .finalize = s_finalize,
    .reset = s_reset,
    .bind_i64 = s_bind_i64,
    .bind_double = s_bind_double,
    .bind_text = s_bind_text,
    .bind_text_ref = s_bind_text_ref,
    .bind_null = s_bind_null,
    .bind_blob = s_bind_blob,
    .step = s_step,
    .col_count = s_col_count,
    .col_is_null = s_col_is_null,
    .col_i64 = s_col_i64,
    .col_double = s_col_double,
    .col_text = s_col_text,
    .col_blob = s_col_blob,
    .col_is_blob = s_col_is_blob,
    .exec = s_exec,
    .changes = s_changes,
    .search_cond = s_search_cond,
    .migrations = kam_sqlite_migrations,
    .begin_sql = "BEGIN IMMEDIATE",
    .share_lock = "", /* BEGIN IMMEDIATE: a writer has the database to itself */
    .update_lock = "",
    .bulk_sql = "PRAGMA cache_size = -262144", /* 256 MiB */
    .has_schema_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
                      "'schema_version'",
    .probe_write = s_probe_write,
    /* Autoindexes (UNIQUE columns) have no sql and cannot be dropped; unique ones stay. */
    .bulk_off_sql = "SELECT 'DROP INDEX \"' || name || '\"', sql FROM sqlite_master WHERE type "
                    "= 'index' AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE "
                    "UNIQUE%' ORDER BY name",
    .tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                  "'sqlite_%' AND name NOT LIKE '%_fts%' AND name <> 'schema_version'",
    .fk_off_sql = "PRAGMA foreign_keys=OFF",
    .fk_on_sql = "PRAGMA foreign_keys=ON",
};

/* Opens path for a backup or restore copy: no journal pragmas (the copy API needs none). */
static enum kam_err copy_open(const char *path, int flags, sqlite3 **out, struct kam_error *e,
                              const char *side)
{
    if (sqlite3_open_v2(path, out, flags, NULL) != SQLITE_OK) {
        enum kam_err rc = kam_fail(e, KAM_EDB, side, "cannot open %s: %s", path,
                                   *out ? sqlite3_errmsg(*out) : "out of memory");
        sqlite3_close(*out);
        *out = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(*out, 1);
    sqlite3_busy_timeout(*out, busy_ms());
    return KAM_OK;
}

enum kam_err db_sqlite_backup(const char *from, const char *to, unsigned flags, struct kam_error *e)
{
    sqlite3 *src = NULL, *dst = NULL;
    int sflags = (flags & DB_SQLITE_FROM_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    enum kam_err rc = copy_open(from, sflags | SQLITE_OPEN_NOMUTEX, &src, e, "from");
    if (!rc)
        rc = copy_open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, &dst, e, "to");
    if (rc)
        goto out;
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        rc = fail_db(dst, e, "backup");
        goto out;
    }
    /* All pages in one step: the step holds one read transaction on the source, so the copy is
     * a single snapshot, and writers (WAL) go on meanwhile. Copying in slices would restart
     * from the first page whenever another connection writes between two slices: under a
     * steady write load it might never finish. BUSY/LOCKED (a writer holds a lock the step
     * needs, beyond the busy timeout) is retried for another busy timeout. */
    int step, waited = 0;
    while ((step = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || step == SQLITE_LOCKED) {
        if (waited >= busy_ms())
            break;
        sqlite3_sleep(50);
        waited += 50;
    }
    int fin = sqlite3_backup_finish(b);
    if (step != SQLITE_DONE || fin != SQLITE_OK) {
        int code = step != SQLITE_DONE ? step : fin;
        if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
            rc = kam_fail(e, KAM_EBUSY, "", "database busy (backup of %s)", from);
        else
            rc = kam_fail(e, KAM_EDB, "", "sqlite backup %s -> %s: %s", from, to,
                          sqlite3_errmsg(dst) && sqlite3_errcode(dst) ? sqlite3_errmsg(dst)
                                                                      : sqlite3_errstr(code));
        goto out;
    }
out:
    sqlite3_close(src);
    if (dst && sqlite3_close(dst) != SQLITE_OK && !rc)
        rc = kam_fail(e, KAM_EDB, "to", "closing %s failed", to);
    return rc;
}
