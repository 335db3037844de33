/* conn.h -- how the API and the commands get at a database, without seeing the store.
 *
 * api/ and cli/ never call store/db.h: they open and close connections here, borrow the
 * server's per-thread connection, run a request with its one safe retry, and ask the
 * questions /healthz and the commands need (schema version, engine, writability). A struct db
 * is opaque to them; services take it through struct kam_ctx.
 *
 * Usage (a command):
 *     struct db *db;
 *     if (conn_open(dsn, CONN_EXISTING, &db, &e)) ... e names the DSN and what is wrong
 *     ... services with ctx.db = db ...
 *     conn_close(db);
 */
#ifndef KAM_CONN_H
#define KAM_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/* How conn_open opens a database (the meaning of each flag: DB_OPEN_* in store/db.h). */
enum {
    CONN_CREATE = 1,      /* a missing SQLite file is made (init, demo, a new copy target) */
    CONN_INITIALISED = 2, /* the database must hold KAM's schema */
    CONN_MIGRATE = 4,     /* apply pending migrations */
    CONN_WRITABLE = 8,    /* refuse a database that does not take writes */
};
/* What every command but init and demo asks for. */
#define CONN_EXISTING (CONN_INITIALISED | CONN_MIGRATE)

enum kam_err conn_open(const char *dsn, unsigned flags, struct db **out, struct kam_error *e);
void conn_close(struct db *db); /* NULL is fine */
/* dsn with a URL password replaced by "***", into out (truncated to n); returns out. */
const char *conn_dsn_masked(const char *dsn, char *out, size_t n);
const char *conn_scheme(const struct db *db); /* "sqlite" | "postgres" */
enum kam_err conn_schema_version(struct db *db, int *version_out, struct kam_error *e);
/* Prepares the connection for a bulk load (kam import). */
enum kam_err conn_bulk_mode(struct db *db, struct kam_error *e);

/* The server's connections: one per worker thread, opened on first use (without creating or
 * migrating: kam serve has done that) and closed together by conn_pool_stop. */
void conn_pool_start(const char *dsn); /* copies dsn */
void conn_pool_stop(void);
enum kam_err conn_pool_get(struct db **out, struct kam_error *e);

/* 1 when (code, key) is the server's own refusal (KAM_EBUSY export.busy, import.xlsx_busy:
 * a cap on running exports / .xlsx reads), not the database's: conn_run does not replay it and
 * dispatch answers it as it is (neither logged nor hidden). */
int conn_is_refusal(enum kam_err code, const char *key);

/* Runs fn(arg) on ctx->db. When it fails with KAM_EBUSY (a serialization failure or a lock
 * timeout rolled its transaction back) and the attempt left nothing durable behind (no commit,
 * no write outside a transaction: see db_writes), again(arg) clears what the attempt produced
 * (its response; it may log) and fn runs once more. Work that committed part of itself before
 * failing is not replayed: the caller gets KAM_EBUSY and decides. fn must have no side effect
 * outside the database. */
enum kam_err conn_run(struct kam_ctx *ctx, enum kam_err (*fn)(void *arg), void (*again)(void *arg),
                      void *arg);

/* One transaction around a whole request (see ROUTE_OWN_TX in api/core/internal.h):
 * conn_tx_end commits when rc is KAM_OK, rolls back otherwise, and returns rc (or the commit's
 * error). Services' own transactions inside become savepoints. */
enum kam_err conn_tx_begin(struct kam_ctx *ctx);
enum kam_err conn_tx_end(struct kam_ctx *ctx, enum kam_err rc);

/* For /healthz: the connection answers a query (else its error), and *read_only_out tells
 * whether the database refuses writes. Probing writability costs a write-lock attempt, so the
 * process probes at most once a second, on whichever connection asks first, and sooner only
 * when a statement was refused as a write to a read-only database since; other calls read the
 * last answer. */
enum kam_err conn_health(struct db *db, int *read_only_out, struct kam_error *e);

#endif
