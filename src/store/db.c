/* db.c -- the driver-independent half of the storage layer: DSN dispatch, the per-connection
 * statement cache, nested transactions (savepoints) and migrations. */
#include "db.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fault.h"
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
    int reads_only;            /* a SELECT: stepping it outside a transaction changes nothing */
    struct kam_error bind_err; /* the first failed bind since the last db_done (see db_step) */
};

struct db {
    const struct db_driver *drv;
    void *conn;
    int tx_depth;
    uint64_t writes; /* see db_writes */
    struct {
        db_commit_fn fn;
        void (*done)(void *arg);
        void *arg;
    } hooks[DB_MAX_COMMIT_HOOKS]; /* see db_before_commit */
    int nhooks;
    struct db_stmt *cache[CACHE_SIZE];
    int evict_next;
};

#ifdef KAM_FAULT
/* The fault build (base/fault.h): 1 when this is the request's failing fault point, logged with
 * its SQL so the fault suite can name the statement. */
static int injected(enum fault_kind kind, const char *sql)
{
    if (!fault_hit(kind))
        return 0;
    log_info("fault: injected %s failure: %.200s", fault_kind_name(kind), sql);
    return 1;
}
#else
#define injected(kind, sql) ((void)(sql), 0)
#endif

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* 1 when sql is a plain SELECT (first keyword), which changes nothing; anything else (WITH,
 * which may hold a write, INSERT, PRAGMA ...) counts as a possible write. */
static int is_select(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r' || *sql == '(')
        sql++;
    return strncasecmp(sql, "SELECT", 6) == 0 &&
           (sql[6] == ' ' || sql[6] == '\n' || sql[6] == '\t' || sql[6] == '(' || sql[6] == '*');
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

static _Atomic unsigned long read_only_events;

void db_note_read_only(void)
{
    atomic_fetch_add(&read_only_events, 1);
}

unsigned long db_read_only_events(void)
{
    return atomic_load(&read_only_events);
}

const char *db_dsn_masked(const char *dsn, char *out, size_t n)
{
    /* "scheme://user:password@host/db?password=x" -> "scheme://user:***@host/db?password=***":
     * the user information ends at the last '@' before the first '/', as libpq reads it (a
     * password may hold '@', '?' or '#'). */
    if (!n)
        return out;
    snprintf(out, n, "%s", dsn);
    const char *auth = strstr(dsn, "://");
    if (!auth)
        return out;
    auth += 3;
    size_t alen = strcspn(auth, "/");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    size_t o = 0;
    const char *p = dsn;
    if (colon) {
        o = (size_t)snprintf(out, n, "%.*s***", (int)(colon + 1 - dsn), dsn);
        p = at;
    }
    /* then the rest, with the value of a password= parameter masked */
    while (*p && o + 1 < n) {
        if (p > dsn && (p[-1] == '?' || p[-1] == '&') && strncmp(p, "password=", 9) == 0) {
            o += (size_t)snprintf(out + o, n - o, "password=***");
            p += 9 + strcspn(p + 9, "&#");
            continue;
        }
        out[o++] = *p++;
    }
    if (o >= n)
        o = n - 1;
    out[o] = 0;
    return out;
}

static enum kam_err has_schema(struct db *db, int *yes, struct kam_error *e)
{
    int64_t n = 0;
    enum kam_err rc = db_query_i64(db, db->drv->has_schema_sql, 0, 0, &n, e);
    if (rc == KAM_ENOTFOUND)
        rc = KAM_OK;
    *yes = n > 0;
    return rc;
}

enum kam_err db_probe_write(struct db *db, int *read_only_out, struct kam_error *e)
{
    *read_only_out = 0;
    if (db->tx_depth > 0)
        return kam_fail(e, KAM_EINTERNAL, "", "db_probe_write inside a transaction");
    return db->drv->probe_write(db->conn, read_only_out, e);
}

/* KAM_OK when the database takes writes; otherwise the reason, naming the DSN. */
static enum kam_err writable(struct db *db, const char *dsn, struct kam_error *e)
{
    char shown[160];
    int ro = 0;
    struct kam_error pe = {0};
    enum kam_err rc = db_probe_write(db, &ro, &pe);
    if (rc == KAM_EBUSY || rc == KAM_OK)
        return KAM_OK; /* busy: another connection is writing, so the database takes writes */
    if (!ro)
        return kam_fail(e, rc, pe.field, "%s", pe.msg);
    return kam_fail(e, KAM_EDB, "db", "database %s does not accept writes (%s)",
                    db_dsn_masked(dsn, shown, sizeof shown), pe.msg);
}

/* The checks db_open_with's flags ask for, on the open connection. */
static enum kam_err check_open(struct db *db, const char *dsn, unsigned flags, struct kam_error *e)
{
    char shown[160];
    int schema = 0;
    enum kam_err rc = has_schema(db, &schema, e);
    if (rc)
        return rc;
    if ((flags & DB_OPEN_INITIALISED) && !schema)
        return kam_fail(e, KAM_ENOTFOUND, "db", "database %s has no KAM tables",
                        db_dsn_masked(dsn, shown, sizeof shown));
    /* Probe before migrating, so a read-only database is named as such rather than by the first
     * migration that fails; the probe needs the schema, so a new database is probed after. */
    if ((flags & DB_OPEN_WRITABLE) && schema) {
        if ((rc = writable(db, dsn, e)))
            return rc;
        flags &= ~(unsigned)DB_OPEN_WRITABLE;
    }
    if (flags & DB_OPEN_MIGRATE) {
        struct kam_error me = {0};
        if ((rc = db_migrate(db, NULL, &me)))
            return kam_fail(e, rc, me.field, "cannot migrate database %s: %s",
                            db_dsn_masked(dsn, shown, sizeof shown), me.msg);
    }
    if (flags & DB_OPEN_WRITABLE)
        return writable(db, dsn, e);
    return KAM_OK;
}

enum kam_err db_open_with(const char *dsn, unsigned flags, struct db **out, struct kam_error *e)
{
    char shown[160];
    const char *rest = NULL;
    const struct db_driver *drv = driver_for(dsn, &rest);
    if (!drv)
        return kam_fail(e, KAM_EINVAL, "db", "unsupported database DSN '%s'",
                        db_dsn_masked(dsn, shown, sizeof shown));
    void *conn = NULL;
    struct kam_error oe = {0};
    enum kam_err rc = drv->open(rest, (flags & DB_OPEN_CREATE) != 0, &conn, &oe);
    if (rc == KAM_ENOTFOUND)
        return kam_fail(e, rc, "db", "database %s %s", db_dsn_masked(dsn, shown, sizeof shown),
                        strcmp(oe.field, "tables") ? "does not exist" : "has no KAM tables");
    if (rc)
        return kam_fail(e, rc, oe.field, "cannot open database %s: %s",
                        db_dsn_masked(dsn, shown, sizeof shown), oe.msg);
    struct db *db = calloc(1, sizeof *db);
    if (!db) {
        drv->close(conn);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    db->drv = drv;
    db->conn = conn;
    if (flags & (DB_OPEN_INITIALISED | DB_OPEN_MIGRATE | DB_OPEN_WRITABLE)) {
        rc = check_open(db, dsn, flags, e);
        if (rc) {
            db_close(db);
            return rc;
        }
    }
    *out = db;
    return KAM_OK;
}

enum kam_err db_open_raw(const char *dsn, struct db **out, struct kam_error *e)
{
    return db_open_with(dsn, 0, out, e);
}

enum kam_err db_open(const char *dsn, struct db **out, struct kam_error *e)
{
    return db_open_with(dsn, DB_OPEN_CREATE | DB_OPEN_MIGRATE, out, e);
}

/* The transaction ended (either way): the hooks' state goes. */
static void hooks_done(struct db *db)
{
    int n = db->nhooks;
    db->nhooks = 0;
    for (int i = 0; i < n; i++)
        if (db->hooks[i].done)
            db->hooks[i].done(db->hooks[i].arg);
}

void db_close(struct db *db)
{
    if (!db)
        return;
    hooks_done(db);
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
    if (injected(FAULT_PREPARE, sql))
        return kam_fail(e, KAM_EDB, "", "injected fault");
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
    st->reads_only = is_select(sql);
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
    kam_error_clear(&st->bind_err);
    st->in_use = 0;
}

/* A failed bind is kept (the first one only: kam_fail keeps the first error) for db_step. */
static void kept(struct db_stmt *st, enum kam_err rc)
{
    if (rc && !st->bind_err.code)
        kam_fail(&st->bind_err, rc, "", "bind failed");
}

/* The fault build's bind failure: binds nothing, kept like the engine's refusal. */
static int bind_fault(struct db_stmt *st)
{
    if (!injected(FAULT_BIND, st->sql))
        return 0;
    if (!st->bind_err.code)
        kam_fail(&st->bind_err, KAM_EDB, "", "injected fault");
    return 1;
}

void db_bind_i64(struct db_stmt *st, int idx, int64_t v)
{
    if (bind_fault(st))
        return;
    kept(st, st->db->drv->bind_i64(st->h, idx, v, &st->bind_err));
}

void db_bind_double(struct db_stmt *st, int idx, double v)
{
    if (bind_fault(st))
        return;
    kept(st, st->db->drv->bind_double(st->h, idx, v, &st->bind_err));
}

void db_bind_text_ref(struct db_stmt *st, int idx, const char *s)
{
    if (!s || !st->db->drv->bind_text_ref)
        db_bind_text(st, idx, s);
    else if (!bind_fault(st))
        kept(st, st->db->drv->bind_text_ref(st->h, idx, s, strlen(s), &st->bind_err));
}

/* db_bind_text_ref of the n bytes at s (s[n] is NUL). */
static void bind_textn_ref(struct db_stmt *st, int idx, const char *s, size_t n)
{
    if (!st->db->drv->bind_text_ref)
        db_bind_textn(st, idx, s, n);
    else if (!bind_fault(st))
        kept(st, st->db->drv->bind_text_ref(st->h, idx, s, n, &st->bind_err));
}

void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
    if (!s)
        db_bind_null(st, idx);
    else if (!bind_fault(st))
        kept(st, st->db->drv->bind_text(st->h, idx, s, strlen(s), &st->bind_err));
}

void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n)
{
    if (bind_fault(st))
        return;
    kept(st, st->db->drv->bind_text(st->h, idx, s, n, &st->bind_err));
}

void db_bind_null(struct db_stmt *st, int idx)
{
    if (bind_fault(st))
        return;
    kept(st, st->db->drv->bind_null(st->h, idx, &st->bind_err));
}

void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
    if (bind_fault(st))
        return;
    kept(st, st->db->drv->bind_blob(st->h, idx, n ? p : "", n, &st->bind_err));
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
    if (st->bind_err.code) {
        /* Nothing runs with a value missing; the error stays until db_done. */
        *has_row = 0;
        return kam_fail(e, st->bind_err.code, st->bind_err.field, "%s", st->bind_err.msg);
    }
    if (injected(FAULT_STEP, st->sql)) {
        *has_row = 0;
        return kam_fail(e, KAM_EDB, "", "injected fault");
    }
    enum kam_err rc = st->db->drv->step(st->h, has_row, e);
    /* A write in autocommit is durable at once (a cursor over RETURNING rows counts once per
     * step: only whether the count moved matters). */
    if (!rc && st->db->tx_depth == 0 && !st->reads_only)
        st->db->writes++;
    return rc;
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

const void *db_col_blob(struct db_stmt *st, int col, size_t *len_out)
{
    size_t n = 0;
    const void *p = st->db->drv->col_blob(st->h, col, &n);
    if (len_out)
        *len_out = p ? n : 0;
    return p;
}

int db_col_is_blob(struct db_stmt *st, int col)
{
    return st->db->drv->col_is_blob(st->h, col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
    return db_col_textn(st, col, NULL);
}

enum kam_err db_exec(struct db *db, const char *sql, struct kam_error *e)
{
    if (injected(FAULT_EXEC, sql))
        return kam_fail(e, KAM_EDB, "", "injected fault");
    enum kam_err rc = db->drv->exec(db->conn, sql, e);
    if (!rc && db->tx_depth == 0 && !is_select(sql))
        db->writes++;
    return rc;
}

uint64_t db_writes(const struct db *db)
{
    return db->writes;
}

/* Transaction control: counted by db_end itself, not as autocommit writes. */
static enum kam_err tx_exec(struct db *db, const char *sql, struct kam_error *e)
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
    if (injected(FAULT_EXEC, db->tx_depth ? "SAVEPOINT" : db->drv->begin_sql))
        return kam_fail(e, KAM_EDB, "", "injected fault");
    if (db->tx_depth == 0) {
        rc = tx_exec(db, db->drv->begin_sql, e);
    } else {
        char sql[48];
        snprintf(sql, sizeof sql, "SAVEPOINT sp%d", db->tx_depth);
        rc = tx_exec(db, sql, e);
    }
    if (rc)
        return rc;
    db->tx_depth++;
    return KAM_OK;
}

enum kam_err db_before_commit(struct db *db, db_commit_fn fn, void (*done)(void *arg), void *arg,
                              struct kam_error *e)
{
    if (db->tx_depth <= 0)
        return kam_fail(e, KAM_EINTERNAL, "", "db_before_commit outside a transaction");
    if (db->nhooks == DB_MAX_COMMIT_HOOKS)
        return kam_fail(e, KAM_EINTERNAL, "", "too many commit hooks");
    db->hooks[db->nhooks].fn = fn;
    db->hooks[db->nhooks].done = done;
    db->hooks[db->nhooks].arg = arg;
    db->nhooks++;
    return KAM_OK;
}

void *db_commit_arg(const struct db *db, db_commit_fn fn)
{
    for (int i = 0; i < db->nhooks; i++)
        if (db->hooks[i].fn == fn)
            return db->hooks[i].arg;
    return NULL;
}

enum kam_err db_end(struct db *db, enum kam_err rc, struct kam_error *e)
{
    if (db->tx_depth <= 0)
        return rc ? rc : kam_fail(e, KAM_EINTERNAL, "", "db_end without db_begin");
    /* The outermost end of a transaction that succeeded: its hooks run first, inside it (their
     * own db_begin/db_end are savepoints); one failing rolls everything back. */
    for (int i = 0; db->tx_depth == 1 && rc == KAM_OK && i < db->nhooks; i++)
        rc = db->hooks[i].fn(db, db->hooks[i].arg, e);
    db->tx_depth--;
    char sql[96];
    /* Cleanup must not overwrite the error that caused it: use a scratch error. */
    struct kam_error scratch = {0};
    if (db->tx_depth == 0) {
        if (rc == KAM_OK) {
            /* An injected COMMIT failure leaves the transaction open, as a real one can. */
            enum kam_err crc = injected(FAULT_COMMIT, "COMMIT")
                                   ? kam_fail(e, KAM_EDB, "", "injected fault")
                                   : tx_exec(db, "COMMIT", e);
            /* A refused COMMIT (busy, serialization) left nothing behind; another failure (a
             * lost connection) may have committed: counted, so nothing replays it. */
            if (crc != KAM_EBUSY)
                db->writes++;
            if (crc)
                tx_exec(db, "ROLLBACK", &scratch);
            hooks_done(db);
            return crc;
        }
        if (tx_exec(db, "ROLLBACK", &scratch))
            log_error("rollback failed: %s", scratch.msg);
        hooks_done(db);
        return rc;
    }
    if (rc == KAM_OK) {
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", db->tx_depth);
        return tx_exec(db, sql, e);
    }
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT sp%d; RELEASE SAVEPOINT sp%d", db->tx_depth,
             db->tx_depth);
    if (tx_exec(db, sql, &scratch))
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
    *out = 0; /* also on errors: no caller reads an unset value */
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

/* The newest migration this binary knows. */
static int latest_version(const struct db_driver *drv)
{
    int v = 0;
    for (const struct embed_file *m = drv->migrations; m->name; m++)
        if (atoi(m->name) > v)
            v = atoi(m->name);
    return v;
}

const char *db_migration_sql(const struct db *db, int version)
{
    for (const struct embed_file *m = db->drv->migrations; m->name; m++)
        if (atoi(m->name) == version)
            return (const char *)m->data;
    return NULL;
}

enum kam_err db_migrate(struct db *db, int *applied_out, struct kam_error *e)
{
    int applied = 0;
    /* Up to date: nothing to write. Checked without a transaction, so commands that only read
     * work on a database that takes no writes (a standby) and starting costs no write lock. */
    int schema = 0;
    int64_t current = 0;
    if (!db_in_tx(db) && !has_schema(db, &schema, NULL) && schema &&
        !db_query_i64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", 0, 0, &current,
                      NULL) &&
        current >= latest_version(db->drv)) {
        if (applied_out)
            *applied_out = 0;
        return KAM_OK;
    }
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

const char *db_functions_sql(const struct db *db)
{
    return db->drv->functions_sql;
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

enum kam_err db_reserve_ids(struct db *db, const char *table, int64_t n, int64_t *first,
                            struct kam_error *e)
{
    *first = 0;
    if (n <= 0 || strlen(table) > 200)
        return kam_fail(e, KAM_EINTERNAL, "", "db_reserve_ids: bad arguments");
    if (!db->drv->reserve_ids_fmt)
        return KAM_OK;
    char sql[600];
    snprintf(sql, sizeof sql, db->drv->reserve_lock_fmt, table);
    enum kam_err rc = db_exec(db, sql, e);
    if (rc)
        return rc;
    snprintf(sql, sizeof sql, db->drv->reserve_ids_fmt, table, table);
    int64_t last = 0;
    rc = db_query_i64(db, sql, 1, n, &last, e);
    if (!rc)
        *first = last - n + 1;
    return rc;
}

enum kam_err db_bulk_mode(struct db *db, struct kam_error *e)
{
    return db->drv->bulk_sql ? db_exec(db, db->drv->bulk_sql, e) : KAM_OK;
}

enum kam_err db_fk_checks(struct db *db, int on, struct kam_error *e)
{
    const char *sql = on ? db->drv->fk_on_sql : db->drv->fk_off_sql;
    if (!sql)
        return KAM_OK;
    if (db->tx_depth > 0)
        return kam_fail(e, KAM_EINTERNAL, "", "db_fk_checks inside a transaction");
    /* Not a fault point: turning the checks back on comes after the load's commit, and a
     * connection must not be left without them. */
    return db->drv->exec(db->conn, sql, e);
}

const char *db_skip_locked(const struct db *db)
{
    return db->drv->skip_locked ? db->drv->skip_locked : "";
}

const char *db_share_lock(const struct db *db)
{
    return db->drv->share_lock ? db->drv->share_lock : "";
}

const char *db_update_lock(const struct db *db)
{
    return db->drv->update_lock ? db->drv->update_lock : "";
}

enum kam_err db_lock_row(struct db *db, const char *table, int64_t id, struct kam_error *e)
{
    const char *lock = db_update_lock(db);
    if (!*lock)
        return KAM_OK;
    char sql[160];
    int n = snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM (SELECT id FROM %s WHERE id = ?%s) x",
                     table, lock);
    if (n < 0 || (size_t)n >= sizeof sql)
        return kam_fail(e, KAM_EINTERNAL, "", "table name too long: %s", table);
    int64_t found = 0;
    return db_query_i64(db, sql, 1, id, &found, e);
}

/* ---- bulk loads ---- */

#define BULK_MAX_COLS 32
#define BULK_ROWS 100 /* without COPY: rows per INSERT (100 x 32 binds stays under every limit) */

struct bulk_val {
    int64_t i;
    size_t off, len; /* text: len bytes at tbuf + off, NUL-terminated */
    int kind;        /* 0 NULL, 1 integer, 2 text */
};

struct db_bulk {
    struct db *db;
    void *copy;           /* the driver's copy in progress (NULL: batched INSERTs) */
    int ncols, nv;        /* columns; values given in this row */
    struct kam_error err; /* the row's first refused value */
    /* COPY: this row's values, handed to the driver as they are */
    struct db_bulk_value vals[BULK_MAX_COLS];
    /* INSERT: rows waiting for the next statement */
    struct bulk_val *bv; /* BULK_ROWS x ncols */
    int nrows;
    char *tbuf;
    size_t tlen, tcap;
    char head[1100];  /* "INSERT INTO table (cols) VALUES " */
    const char *tail; /* after the rows: an ON CONFLICT clause (db_bulk_begin_upsert), or "" */
    char *full_sql;   /* the statement for BULK_ROWS rows, made once */
    struct db_stmt *full_st; /* and prepared once, held until the end */
    int64_t written;         /* rows the INSERTs wrote (an upsert's skipped rows not counted) */
    char desc[96];           /* "COPY table" for the fault log */
};

static void bulk_free(struct db_bulk *b)
{
    db_done(b->full_st);
    free(b->full_sql);
    free(b->bv);
    free(b->tbuf);
    free(b);
}

int db_bulk_copies(const struct db *db)
{
    return db->drv->copy_begin != NULL;
}

static enum kam_err bulk_begin(struct db *db, const char *table, const char *cols, const char *tail,
                               struct db_bulk **out, struct kam_error *e);

enum kam_err db_bulk_begin(struct db *db, const char *table, const char *cols, struct db_bulk **out,
                           struct kam_error *e)
{
    return bulk_begin(db, table, cols, "", out, e);
}

enum kam_err db_bulk_begin_upsert(struct db *db, const char *table, const char *cols,
                                  const char *on_conflict, struct db_bulk **out,
                                  struct kam_error *e)
{
    *out = NULL;
    if (db->drv->copy_begin)
        return kam_fail(e, KAM_EINTERNAL, "", "db_bulk_begin_upsert on an engine that copies");
    return bulk_begin(db, table, cols, on_conflict, out, e);
}

static enum kam_err bulk_begin(struct db *db, const char *table, const char *cols, const char *tail,
                               struct db_bulk **out, struct kam_error *e)
{
    *out = NULL;
    if (db->tx_depth <= 0)
        return kam_fail(e, KAM_EINTERNAL, "", "db_bulk_begin outside a transaction");
    int ncols = 1;
    for (const char *p = cols; *p; p++)
        ncols += *p == ',';
    if (ncols > BULK_MAX_COLS || strlen(table) + strlen(cols) > 1000)
        return kam_fail(e, KAM_EINTERNAL, "", "db_bulk_begin: too many columns");
    struct db_bulk *b = calloc(1, sizeof *b);
    if (!b)
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    b->db = db;
    b->ncols = ncols;
    b->tail = tail;
    snprintf(b->desc, sizeof b->desc, "COPY %.80s", table);
    enum kam_err rc = KAM_OK;
    if (db->drv->copy_begin) {
        rc = injected(FAULT_EXEC, b->desc)
                 ? kam_fail(e, KAM_EDB, "", "injected fault")
                 : db->drv->copy_begin(db->conn, table, cols, &b->copy, e);
    } else {
        snprintf(b->head, sizeof b->head, "INSERT INTO %s (%s) VALUES ", table, cols);
        b->bv = calloc((size_t)BULK_ROWS * (size_t)ncols, sizeof *b->bv);
        b->tcap = 64 * 1024;
        b->tbuf = malloc(b->tcap);
        if (!b->bv || !b->tbuf)
            rc = kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    if (rc) {
        bulk_free(b);
        return rc;
    }
    *out = b;
    return KAM_OK;
}

/* The slot of the next value, or -1 (the row's error kept) when the row is full. */
static int bulk_slot(struct db_bulk *b)
{
    if (b->nv >= b->ncols) {
        if (!b->err.code)
            kam_fail(&b->err, KAM_EINTERNAL, "", "bulk load: more values than columns");
        return -1;
    }
    return b->nv++;
}

static struct bulk_val *batch_val(struct db_bulk *b, int i)
{
    return &b->bv[b->nrows * b->ncols + i];
}

void db_bulk_i64(struct db_bulk *b, int64_t v)
{
    int i = bulk_slot(b);
    if (i < 0)
        return;
    if (!b->copy) {
        *batch_val(b, i) = (struct bulk_val){v, 0, 0, 1};
        return;
    }
    b->vals[i] = (struct db_bulk_value){1, v, NULL, 0};
}

void db_bulk_null(struct db_bulk *b)
{
    int i = bulk_slot(b);
    if (i < 0)
        return;
    if (!b->copy)
        *batch_val(b, i) = (struct bulk_val){0, 0, 0, 0};
    else
        b->vals[i] = (struct db_bulk_value){0, 0, NULL, 0};
}

void db_bulk_i64n(struct db_bulk *b, int64_t v, int is_null)
{
    if (is_null)
        db_bulk_null(b);
    else
        db_bulk_i64(b, v);
}

void db_bulk_textn(struct db_bulk *b, const char *s, size_t n)
{
    if (!s) {
        db_bulk_null(b);
        return;
    }
    int i = bulk_slot(b);
    if (i < 0)
        return;
    if (memchr(s, 0, n)) {
        if (!b->err.code)
            kam_fail(&b->err, KAM_EINVAL, "", "a text value holds a NUL byte");
        s = "";
        n = 0;
    }
    if (b->copy) {
        b->vals[i] = (struct db_bulk_value){2, 0, s, n};
        return;
    }
    if (b->tlen + n + 1 > b->tcap) {
        size_t cap = b->tcap;
        while (cap < b->tlen + n + 1)
            cap *= 2;
        char *p = realloc(b->tbuf, cap);
        if (!p) {
            if (!b->err.code)
                kam_fail(&b->err, KAM_EINTERNAL, "", "out of memory");
            return;
        }
        b->tbuf = p;
        b->tcap = cap;
    }
    memcpy(b->tbuf + b->tlen, s, n);
    b->tbuf[b->tlen + n] = 0;
    *batch_val(b, i) = (struct bulk_val){0, b->tlen, n, 2};
    b->tlen += n + 1;
}

void db_bulk_text(struct db_bulk *b, const char *s)
{
    db_bulk_textn(b, s, s ? strlen(s) : 0);
}

/* "INSERT INTO table (cols) VALUES (?, ...), ... tail" for nrows rows; NULL: out of memory. */
static char *bulk_sql(const struct db_bulk *b, int nrows)
{
    size_t hl = strlen(b->head), gl = 2 * (size_t)b->ncols + 1, tl = strlen(b->tail);
    char *sql = malloc(hl + (size_t)nrows * (gl + 1) + tl + 2);
    if (!sql)
        return NULL;
    char *o = sql + hl;
    memcpy(sql, b->head, hl);
    for (int r = 0; r < nrows; r++) {
        if (r)
            *o++ = ',';
        *o++ = '(';
        for (int i = 0; i < b->ncols; i++) {
            if (i)
                *o++ = ',';
            *o++ = '?';
        }
        *o++ = ')';
    }
    if (tl) {
        *o++ = ' ';
        memcpy(o, b->tail, tl);
        o += tl;
    }
    *o = 0;
    return sql;
}

/* One INSERT of the rows waiting. */
static enum kam_err bulk_flush(struct db_bulk *b, struct kam_error *e)
{
    if (!b->nrows)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc = KAM_OK;
    if (b->nrows == BULK_ROWS && b->full_st) {
        st = b->full_st;
    } else {
        char *part = NULL;
        if (b->nrows == BULK_ROWS && !b->full_sql)
            b->full_sql = bulk_sql(b, BULK_ROWS);
        const char *sql = b->nrows == BULK_ROWS ? b->full_sql : (part = bulk_sql(b, b->nrows));
        if (!sql)
            return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
        rc = db_prepare(b->db, sql, &st, e);
        free(part);
        if (rc)
            return rc;
        if (b->nrows == BULK_ROWS)
            b->full_st = st;
    }
    for (int k = 0; k < b->nrows * b->ncols; k++) {
        const struct bulk_val *v = &b->bv[k];
        if (v->kind == 1)
            db_bind_i64(st, k + 1, v->i);
        else if (v->kind == 2)
            bind_textn_ref(st, k + 1, b->tbuf + v->off, v->len); /* lives until the step */
        else
            db_bind_null(st, k + 1);
    }
    int row = 0;
    rc = db_step(st, &row, e);
    b->written += rc ? 0 : db_changes(b->db);
    if (st == b->full_st) { /* kept for the next rows: reset, not given back */
        st->db->drv->reset(st->h);
        kam_error_clear(&st->bind_err);
    } else {
        db_done(st);
    }
    b->nrows = 0;
    b->tlen = 0;
    return rc;
}

enum kam_err db_bulk_row(struct db_bulk *b, struct kam_error *e)
{
    enum kam_err rc = KAM_OK;
    if (!b->err.code && b->nv != b->ncols)
        kam_fail(&b->err, KAM_EINTERNAL, "", "bulk load: %d values for %d columns", b->nv,
                 b->ncols);
    if (b->err.code)
        rc = kam_fail(e, b->err.code, b->err.field, "%s", b->err.msg);
    else if (!b->copy)
        rc = ++b->nrows == BULK_ROWS ? bulk_flush(b, e) : KAM_OK;
    else if (injected(FAULT_STEP, b->desc))
        rc = kam_fail(e, KAM_EDB, "", "injected fault");
    else if (!(rc = b->db->drv->copy_row(b->copy, b->vals, b->ncols, e)))
        b->written++;
    kam_error_clear(&b->err);
    b->nv = 0;
    return rc;
}

enum kam_err db_bulk_end(struct db_bulk *b, enum kam_err rc, struct kam_error *e)
{
    return db_bulk_end_written(b, rc, NULL, e);
}

enum kam_err db_bulk_end_written(struct db_bulk *b, enum kam_err rc, int64_t *written,
                                 struct kam_error *e)
{
    if (written)
        *written = 0;
    if (!b)
        return rc;
    if (!b->copy) {
        if (!rc)
            rc = bulk_flush(b, e);
    } else {
        if (!rc && injected(FAULT_STEP, b->desc))
            rc = kam_fail(e, KAM_EDB, "", "injected fault");
        enum kam_err end = b->db->drv->copy_end(b->copy, rc == KAM_OK, e);
        if (!rc)
            rc = end;
    }
    if (written && !rc)
        *written = b->written;
    bulk_free(b);
    return rc;
}

static enum kam_err drop_saving(struct db *db, const char *list_sql, const char *table,
                                struct arena *a, struct db_saved_indexes *saved,
                                struct kam_error *e)
{
    memset(saved, 0, sizeof *saved);
    if (!list_sql)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, list_sql, &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, table);
    const char *drops[16], *creates[16];
    size_t n = 0;
    int row = 0;
    while (n < 16 && !(rc = db_step(st, &row, e)) && row) {
        drops[n] = arena_strdup(a, db_col_text(st, 0));
        creates[n] = arena_strdup(a, db_col_text(st, 1));
        n++;
    }
    db_done(st);
    saved->create_sql = arena_calloc(a, n ? n : 1, sizeof *saved->create_sql);
    for (size_t i = 0; i < n && !rc; i++)
        if (!(rc = db_exec(db, drops[i], e)))
            saved->create_sql[saved->n++] = creates[i];
    return rc;
}

enum kam_err db_bulk_indexes_off(struct db *db, const char *table, struct arena *a,
                                 struct db_saved_indexes *saved, struct kam_error *e)
{
    return drop_saving(db, db->drv->bulk_off_sql, table, a, saved, e);
}

enum kam_err db_bulk_indexes_on(struct db *db, const struct db_saved_indexes *saved,
                                struct kam_error *e)
{
    enum kam_err rc = KAM_OK;
    if (saved->n && db->drv->bulk_on_sql)
        rc = db_exec(db, db->drv->bulk_on_sql, e);
    for (size_t i = 0; i < saved->n && !rc; i++)
        rc = db_exec(db, saved->create_sql[i], e);
    return rc;
}
