/* conn.c -- connections for the API and the commands: open/close, the server's per-thread
 * pool, the one safe retry, the health probe (see conn.h). */
#include "conn.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "store/db.h"

_Static_assert((int)CONN_CREATE == (int)DB_OPEN_CREATE &&
                   (int)CONN_INITIALISED == (int)DB_OPEN_INITIALISED &&
                   (int)CONN_MIGRATE == (int)DB_OPEN_MIGRATE &&
                   (int)CONN_WRITABLE == (int)DB_OPEN_WRITABLE,
               "conn.h flags mirror db.h");

enum kam_err conn_open(const char *dsn, unsigned flags, struct db **out, struct kam_error *e)
{
    return db_open_with(dsn, flags, out, e);
}

void conn_close(struct db *db)
{
    db_close(db);
}

const char *conn_dsn_masked(const char *dsn, char *out, size_t n)
{
    return db_dsn_masked(dsn, out, n);
}

const char *conn_scheme(const struct db *db)
{
    return db_scheme(db);
}

enum kam_err conn_schema_version(struct db *db, int *version_out, struct kam_error *e)
{
    return db_schema_version(db, version_out, e);
}

enum kam_err conn_bulk_mode(struct db *db, struct kam_error *e)
{
    return db_bulk_mode(db, e);
}

/* ---- the server's per-thread connections ---- */

static struct {
    pthread_mutex_t lock;
    char *dsn;
    struct db *open[256];
    int n;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};
static _Thread_local struct db *thread_db;

void conn_pool_start(const char *dsn)
{
    pthread_mutex_lock(&pool.lock);
    free(pool.dsn);
    pool.dsn = strdup(dsn);
    pthread_mutex_unlock(&pool.lock);
    if (!pool.dsn) { /* start-up: nothing to answer yet (the out-of-memory policy of err.h) */
        fputs("kam: out of memory\n", stderr);
        abort();
    }
}

void conn_pool_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    for (int i = 0; i < pool.n; i++)
        db_close(pool.open[i]);
    pool.n = 0;
    free(pool.dsn);
    pool.dsn = NULL;
    pthread_mutex_unlock(&pool.lock);
}

enum kam_err conn_pool_get(struct db **out, struct kam_error *e)
{
    if (thread_db) {
        *out = thread_db;
        return KAM_OK;
    }
    struct db *db;
    enum kam_err rc = db_open_raw(pool.dsn, &db, e);
    if (rc)
        return rc;
    pthread_mutex_lock(&pool.lock);
    int kept = pool.n < (int)(sizeof pool.open / sizeof pool.open[0]);
    if (kept)
        pool.open[pool.n++] = db;
    pthread_mutex_unlock(&pool.lock);
    if (!kept) { /* more threads than the server ever starts: do not leak, do not cache */
        *out = NULL;
        db_close(db);
        return kam_fail(e, KAM_EINTERNAL, "", "too many database connections");
    }
    thread_db = db;
    *out = db;
    return KAM_OK;
}

/* ---- the one safe retry ---- */

int conn_is_refusal(enum kam_err code, const char *key)
{
    static const char *const keys[] = {"export.busy", "import.xlsx_busy"};
    if (code != KAM_EBUSY || !key)
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(key, keys[i]))
            return 1;
    return 0;
}

enum kam_err conn_run(struct kam_ctx *ctx, enum kam_err (*fn)(void *arg), void (*again)(void *arg),
                      void *arg)
{
    uint64_t writes = db_writes(ctx->db);
    enum kam_err rc = fn(arg);
    /* the server's own refusals (conn_is_refusal) are the handler's answer, not the
     * database's: not replayed. */
    if (rc == KAM_EBUSY && !conn_is_refusal(rc, ctx->err->key) && !db_in_tx(ctx->db) &&
        db_writes(ctx->db) == writes) {
        again(arg);
        kam_error_clear(ctx->err);
        rc = fn(arg);
    }
    return rc;
}

enum kam_err conn_tx_begin(struct kam_ctx *ctx)
{
    return db_begin(ctx->db, ctx->err);
}

enum kam_err conn_tx_end(struct kam_ctx *ctx, enum kam_err rc)
{
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- health ---- */

static struct {
    _Atomic int64_t next_us;      /* no probe before this (monotonic) */
    _Atomic unsigned long events; /* db_read_only_events() at the last probe */
    atomic_int read_only;         /* the last answer */
} wstate;

#define PROBE_EVERY_US 1000000

static void probe_if_due(struct db *db)
{
    int64_t now = time_mono_us(), next = atomic_load(&wstate.next_us);
    unsigned long ev = db_read_only_events(), seen = atomic_load(&wstate.events);
    int due = now >= next || ev != seen;
    /* One prober: whoever moves next_us. */
    if (!due || !atomic_compare_exchange_strong(&wstate.next_us, &next, now + PROBE_EVERY_US))
        return;
    atomic_store(&wstate.events, ev);
    int ro = 0;
    struct kam_error e = {0};
    enum kam_err rc = db_probe_write(db, &ro, &e);
    if (rc && !ro)
        return; /* busy or failed otherwise: nothing learnt; the query reports failures */
    if (atomic_exchange(&wstate.read_only, ro) != ro) {
        if (ro)
            log_error("the database does not accept writes: %s", e.msg);
        else
            log_info("the database accepts writes again");
    }
}

enum kam_err conn_health(struct db *db, int *read_only_out, struct kam_error *e)
{
    int64_t one = 0;
    *read_only_out = 0;
    enum kam_err rc = db_query_i64(db, "SELECT 1", 0, 0, &one, e);
    if (rc)
        return rc;
    probe_if_due(db);
    *read_only_out = atomic_load(&wstate.read_only);
    return KAM_OK;
}
