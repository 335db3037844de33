/* db.c -- the driver-independent half of the storage layer: DSN dispatch, the per-connection
 * statement cache, nested transactions (savepoints) and migrations. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

#define CACHE_SIZE 128

struct db_stmt {
    struct db *db;
    void *h;
    char *sql;
    uint64_t hash;
    int in_use;
    int cached;
};

struct db {
    const struct db_driver *drv;
    void *conn;
    int tx_depth;
    struct db_stmt *cache[CACHE_SIZE];
    int evict_next;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const struct db_driver *driver_for(const char *dsn, const char **rest)
{
    if (strncmp(dsn, "sqlite:", 7) == 0) {
        *rest = dsn + 7;
        return &db_sqlite_driver;
    }
    if (strncmp(dsn, "postgres://", 11) == 0 || strncmp(dsn, "postgresql://", 13) == 0) {
        *rest = dsn;
        return &db_pg_driver;
    }
    if (strstr(dsn, "://"))
        return NULL;
    *rest = dsn; /* a bare path is a SQLite file */
    return &db_sqlite_driver;
}

enum kam_err db_open_raw(const char *dsn, struct db **out, struct kam_error *e)
{
    const char *rest = NULL;
    const struct db_driver *drv = driver_for(dsn, &rest);
    if (!drv)
        return kam_fail(e, KAM_EINVAL, "db", "unsupported database DSN '%s'", dsn);
    void *conn = NULL;
    enum kam_err rc = drv->open(rest, &conn, e);
    if (rc)
        return rc;
    struct db *db = calloc(1, sizeof *db);
    if (!db) {
        drv->close(conn);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    db->drv = drv;
    db->conn = conn;
    *out = db;
    return KAM_OK;
}

enum kam_err db_open(const char *dsn, struct db **out, struct kam_error *e)
{
    struct db *db = NULL;
    enum kam_err rc = db_open_raw(dsn, &db, e);
    if (rc)
        return rc;
    rc = db_migrate(db, NULL, e);
    if (rc) {
        db_close(db);
        return rc;
    }
    *out = db;
    return KAM_OK;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (int i = 0; i < CACHE_SIZE; i++) {
        struct db_stmt *st = db->cache[i];
        if (!st)
            continue;
        db->drv->finalize(st->h);
        free(st->sql);
        free(st);
    }
    db->drv->close(db->conn);
    free(db);
}

const char *db_scheme(const struct db *db)
{
    return db->drv->scheme;
}

static void stmt_free(struct db_stmt *st)
{
    st->db->drv->finalize(st->h);
    free(st->sql);
    free(st);
}

enum kam_err db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct kam_error *e)
{
    uint64_t h = fnv1a(sql);
    unsigned slot = (unsigned)(h % CACHE_SIZE);
    /* Linear probe a few slots: statements are few and hashes spread well. */
    int free_slot = -1;
    for (int i = 0; i < 8; i++) {
        unsigned s = (slot + (unsigned)i) % CACHE_SIZE;
        struct db_stmt *st = db->cache[s];
        if (!st) {
            if (free_slot < 0)
                free_slot = (int)s;
            continue;
        }
        if (st->hash == h && strcmp(st->sql, sql) == 0) {
            if (st->in_use)
                break; /* re-entrant use of the same text: fall through to a private one */
            st->in_use = 1;
            *out = st;
            return KAM_OK;
        }
    }
    void *handle = NULL;
    enum kam_err rc = db->drv->prepare(db->conn, sql, &handle, e);
    if (rc)
        return rc;
    struct db_stmt *st = calloc(1, sizeof *st);
    char *copy = strdup(sql);
    if (!st || !copy) {
        free(st);
        free(copy);
        db->drv->finalize(handle);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    st->db = db;
    st->h = handle;
    st->sql = copy;
    st->hash = h;
    st->in_use = 1;
    if (free_slot < 0) {
        /* Evict an idle neighbour of the home slot. */
        for (int i = 0; i < 8; i++) {
            unsigned s = (slot + (unsigned)((db->evict_next + i) % 8)) % CACHE_SIZE;
            if (db->cache[s] && !db->cache[s]->in_use) {
                stmt_free(db->cache[s]);
                db->cache[s] = NULL;
                free_slot = (int)s;
                break;
            }
        }
        db->evict_next = (db->evict_next + 1) % 8;
    }
    if (free_slot >= 0) {
        st->cached = 1;
        db->cache[free_slot] = st;
    }
    *out = st;
    return KAM_OK;
}

void db_done(struct db_stmt *st)
{
    if (!st)
        return;
    if (!st->cached) {
        stmt_free(st);
        return;
    }
    st->db->drv->reset(st->h);
    st->in_use = 0;
}

void db_bind_i64(struct db_stmt *st, int idx, int64_t v)
{
    st->db->drv->bind_i64(st->h, idx, v);
}

void db_bind_double(struct db_stmt *st, int idx, double v)
{
    st->db->drv->bind_double(st->h, idx, v);
}

void db_bind_text_ref(struct db_stmt *st, int idx, const char *s)
{
    if (!s || !st->db->drv->bind_text_ref)
        db_bind_text(st, idx, s);
    else
        st->db->drv->bind_text_ref(st->h, idx, s, strlen(s));
}

void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
    if (!s)
        st->db->drv->bind_null(st->h, idx);
    else
        st->db->drv->bind_text(st->h, idx, s, strlen(s));
}

void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
    st->db->drv->bind_text(st->h, idx, s, n);
}

void db_bind_null(struct db_stmt *st, int idx)
{
    st->db->drv->bind_null(st->h, idx);
}

void db_bind_i64n(struct db_stmt *st, int idx, int64_t v, int is_null)
{
    if (is_null)
        db_bind_null(st, idx);
    else
        db_bind_i64(st, idx, v);
}

enum kam_err db_step(struct db_stmt *st, int *has_row, struct kam_error *e)
{
    return st->db->drv->step(st->h, has_row, e);
}

int db_col_is_null(struct db_stmt *st, int col)
{
    return st->db->drv->col_is_null(st->h, col);
}

int64_t db_col_i64(struct db_stmt *st, int col)
{
    return st->db->drv->col_i64(st->h, col);
}

double db_col_double(struct db_stmt *st, int col)
{
    return st->db->drv->col_double(st->h, col);
}

const char *db_col_textn(struct db_stmt *st, int col, size_t *len_out)
{
    size_t n = 0;
    const char *s = st->db->drv->col_text(st->h, col, &n);
    if (!s) {
        s = "";
        n = 0;
    }
    if (len_out)
        *len_out = n;
    return s;
}

const char *db_col_text(struct db_stmt *st, int col)
{
    return db_col_textn(st, col, NULL);
}

enum kam_err db_exec(struct db *db, const char *sql, struct kam_error *e)
{
    return db->drv->exec(db->conn, sql, e);
}

int64_t db_changes(struct db *db)
{
    return db->drv->changes(db->conn);
}

int db_in_tx(const struct db *db)
{
    return db->tx_depth > 0;
}

enum kam_err db_begin(struct db *db, struct kam_error *e)
{
    enum kam_err rc;
    if (db->tx_depth == 0) {
        rc = db_exec(db, db->drv->begin_sql, e);
    } else {
        char sql[48];
        snprintf(sql, sizeof sql, "SAVEPOINT sp%d", db->tx_depth);
        rc = db_exec(db, sql, e);
    }
    if (rc)
        return rc;
    db->tx_depth++;
    return KAM_OK;
}

enum kam_err db_end(struct db *db, enum kam_err rc, struct kam_error *e)
{
    if (db->tx_depth <= 0)
        return rc ? rc : kam_fail(e, KAM_EINTERNAL, "", "db_end without db_begin");
    db->tx_depth--;
    char sql[96];
    /* Cleanup must not overwrite the error that caused it: use a scratch error. */
    struct kam_error scratch = {0};
    if (db->tx_depth == 0) {
        if (rc == KAM_OK) {
            enum kam_err crc = db_exec(db, "COMMIT", e);
            if (crc) {
                db_exec(db, "ROLLBACK", &scratch);
                return crc;
            }
            return KAM_OK;
        }
        if (db_exec(db, "ROLLBACK", &scratch))
            log_error("rollback failed: %s", scratch.msg);
        return rc;
    }
    if (rc == KAM_OK) {
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", db->tx_depth);
        return db_exec(db, sql, e);
    }
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT sp%d; RELEASE SAVEPOINT sp%d", db->tx_depth,
             db->tx_depth);
    if (db_exec(db, sql, &scratch))
        log_error("rollback to savepoint failed: %s", scratch.msg);
    return rc;
}

const char *db_search_cond(struct db *db, const char *table, const char *query, struct arena *a,
                           const char **bind_out, int *nbind_out)
{
    return db->drv->search_cond(table, query, a, bind_out, nbind_out);
}

enum kam_err db_query_i64(struct db *db, const char *sql, int bind_count, int64_t bind,
                          int64_t *out, struct kam_error *e)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    if (bind_count)
        db_bind_i64(st, 1, bind);
    int row = 0;
    rc = db_step(st, &row, e);
    if (!rc && !row)
        rc = KAM_ENOTFOUND; /* no message: callers decide what a missing row means */
    if (!rc)
        *out = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

enum kam_err db_schema_version(struct db *db, int *version_out, struct kam_error *e)
{
    enum kam_err rc = db_exec(db,
                              "CREATE TABLE IF NOT EXISTS schema_version ("
                              "version INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER "
                              "NOT NULL)",
                              e);
    if (rc)
        return rc;
    int64_t v = 0;
    rc = db_query_i64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", 0, 0, &v, e);
    if (rc)
        return rc;
    *version_out = (int)v;
    return KAM_OK;
}

enum kam_err db_migrate(struct db *db, int *applied_out, struct kam_error *e)
{
    int applied = 0;
    enum kam_err rc = db_begin(db, e);
    if (rc)
        return rc;
    int version = 0;
    if (db->drv->migrate_lock_sql)
        rc = db_exec(db, db->drv->migrate_lock_sql, e);
    if (!rc)
        rc = db_schema_version(db, &version, e);
    for (const struct embed_file *m = db->drv->migrations; !rc && m->name; m++) {
        int num = atoi(m->name);
        if (num <= version)
            continue;
        rc = db_exec(db, (const char *)m->data, e);
        if (rc)
            break;
        struct db_stmt *st;
        rc = db_prepare(db,
                        "INSERT INTO schema_version (version, name, applied_at) "
                        "VALUES (?, ?, ?)",
                        &st, e);
        if (rc)
            break;
        db_bind_i64(st, 1, num);
        db_bind_text(st, 2, m->name);
        db_bind_i64(st, 3, time_now());
        int row;
        rc = db_step(st, &row, e);
        db_done(st);
        applied++;
    }
    rc = db_end(db, rc, e);
    if (!rc && applied_out)
        *applied_out = applied;
    return rc;
}

const char *db_tables_sql(const struct db *db)
{
    return db->drv->tables_sql;
}

enum kam_err db_reset_identity(struct db *db, const char *table, struct kam_error *e)
{
    if (!db->drv->reset_identity_fmt)
        return KAM_OK;
    char sql[512];
    snprintf(sql, sizeof sql, db->drv->reset_identity_fmt, table, table);
    return db_exec(db, sql, e);
}

enum kam_err db_run(struct db_stmt *st, struct kam_error *e)
{
    int row = 0;
    enum kam_err rc = db_step(st, &row, e);
    db_done(st);
    return rc;
}

enum kam_err db_exec_i64(struct db *db, const char *sql, int64_t v, struct kam_error *e)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    db_bind_i64(st, 1, v);
    return db_run(st, e);
}

enum kam_err db_bulk_mode(struct db *db, struct kam_error *e)
{
    return db->drv->bulk_sql ? db_exec(db, db->drv->bulk_sql, e) : KAM_OK;
}

const char *db_skip_locked(const struct db *db)
{
    return db->drv->skip_locked ? db->drv->skip_locked : "";
}
