/* db.h -- the storage interface: one small driver vtable, one connection type.
 *
 * Domain code talks SQL with `?` placeholders through these calls and never sees sqlite3_* or
 * PQ*. A struct db is one connection, used by one thread at a time (the HTTP server opens one
 * per worker thread). Statements are prepared once per connection and cached by their SQL
 * text, so hot queries cost a lookup, not a parse.
 *
 * Usage:
 *     struct db_stmt *st;
 *     rc = db_prepare(db, "SELECT name FROM accounts WHERE id = ?", &st, e);
 *     if (rc) return rc;
 *     db_bind_i64(st, 1, id);
 *     rc = db_step(st, &row, e);      ... db_col_text(st, 0) ...
 *     db_done(st);                    (always, also after errors)
 */
#ifndef KAM_DB_H
#define KAM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/embed.h"
#include "base/err.h"

struct db;
struct db_stmt;

/* What a driver implements. Handles are opaque to the generic layer. Errors: KAM_EDB (with the
 * driver's message), KAM_ECONFLICT for unique/foreign-key violations (field = column name when
 * known), KAM_EBUSY when the database is locked / a serialization failure occurred. */
/* One value of a bulk-load row as the driver's copy_row gets it. */
struct db_bulk_value {
    int kind; /* 0 SQL NULL, 1 integer (i), 2 text (s: n bytes, no NUL byte) */
    int64_t i;
    const char *s;
    size_t n;
};

struct db_driver {
    const char *scheme; /* "sqlite" | "postgres" */
    /* create: a missing SQLite file may be made; without it a missing file is KAM_ENOTFOUND
     * with field "db", and an empty one (no tables, and nothing may be written to it)
     * KAM_ENOTFOUND with field "tables". */
    enum kam_err (*open)(const char *dsn_rest, int create, void **conn_out, struct kam_error *e);
    void (*close)(void *conn);
    enum kam_err (*prepare)(void *conn, const char *sql, void **stmt_out, struct kam_error *e);
    void (*finalize)(void *stmt);
    void (*reset)(void *stmt); /* clears bindings and the cursor */
    /* Binds fail (KAM_EDB with the reason in e; KAM_EINTERNAL "out of memory") on a wrong
     * index, a failed allocation or the engine's refusal; the generic layer keeps the first
     * failure and returns it from the next step (see db_step). */
    enum kam_err (*bind_i64)(void *stmt, int idx, int64_t v, struct kam_error *e);
    enum kam_err (*bind_double)(void *stmt, int idx, double v, struct kam_error *e);
    enum kam_err (*bind_text)(void *stmt, int idx, const char *s, size_t n,
                              struct kam_error *e); /* copied */
    /* Optional: binds without copying (s lives until the statement is stepped and reset). */
    enum kam_err (*bind_text_ref)(void *stmt, int idx, const char *s, size_t n,
                                  struct kam_error *e);
    enum kam_err (*bind_null)(void *stmt, int idx, struct kam_error *e);
    /* n bytes (any, NUL included), copied: SQLite BLOB, PostgreSQL bytea (a binary parameter). */
    enum kam_err (*bind_blob)(void *stmt, int idx, const void *p, size_t n, struct kam_error *e);
    enum kam_err (*step)(void *stmt, int *has_row, struct kam_error *e);
    int (*col_count)(void *stmt);
    int (*col_is_null)(void *stmt, int col);
    int64_t (*col_i64)(void *stmt, int col);
    double (*col_double)(void *stmt, int col);
    const char *(*col_text)(void *stmt, int col, size_t *len_out); /* borrowed until next step */
    /* The raw bytes of a BLOB/bytea column (decoded from the text result format where the engine
     * sends one), borrowed until the next step/reset; NULL for SQL NULL and when decoding ran out
     * of memory, "" (length 0) for an empty value. */
    const void *(*col_blob)(void *stmt, int col, size_t *len_out);
    /* 1 when the value is a BLOB (SQLite) / the column a bytea (PostgreSQL). */
    int (*col_is_blob)(void *stmt, int col);
    enum kam_err (*exec)(void *conn, const char *sql, struct kam_error *e); /* no params */
    int64_t (*changes)(void *conn);
    /* See db_search_cond. */
    const char *(*search_cond)(const char *table, const char *query, struct arena *a,
                               const char **bind_out, int *nbind_out);
    /* Migrations for this dialect, {NULL}-terminated, in order; "0001_core.sql" is version 1. */
    const struct embed_file *migrations;
    const char *begin_sql; /* "BEGIN IMMEDIATE" for SQLite: take the write lock up front */
    /* Run first in the migration transaction so instances starting together take turns;
     * NULL when the engine's own locking suffices. */
    const char *migrate_lock_sql;
    /* One column: the names of the schema's own tables (no engine or FTS tables). */
    const char *tables_sql;
    /* One column: the schema's own functions as DROP FUNCTION names them (none of an
     * extension's), or NULL when the engine has none (SQLite). */
    const char *functions_sql;
    /* printf format with two %s (the table) making new ids continue after MAX(id), or NULL
     * when the engine does that by itself. */
    const char *reset_identity_fmt;
    /* db_reserve_ids: the statement (printf: table, table; one `?`: the count) setting the
     * table's id sequence past count ids and returning the last of them, and the one run
     * before it (printf: table) that keeps other inserts out until the transaction ends. NULL:
     * the engine numbers rows as cheaply itself (SQLite's rowid), nothing is reserved. */
    const char *reserve_ids_fmt;
    const char *reserve_lock_fmt;
    /* Appended to a row-claiming subquery so concurrent workers skip each other's rows
     * (" FOR UPDATE SKIP LOCKED"); "" where one writer at a time is the rule anyway. */
    const char *skip_locked;
    /* Row locks appended to a SELECT (in a join, follow with " OF alias"), for writes that
     * depend on rows they read. share_lock (" FOR SHARE"): the rows stay as read until commit
     * -- another transaction's UPDATE of them waits, and this SELECT waits for one in flight;
     * share locks never wait for each other. update_lock (" FOR NO KEY UPDATE"): claims rows
     * about to be changed; other share or update locks of them wait. Under READ COMMITTED a
     * SELECT that waited returns the version committed meanwhile. "" where one writer at a
     * time is the rule anyway (SQLite: BEGIN IMMEDIATE). */
    const char *share_lock;
    const char *update_lock;
    /* Run by db_bulk_mode() before a bulk load (e.g. a larger page cache); NULL: nothing. */
    const char *bulk_sql;
    /* One row, one integer: 1 when the schema_version table exists, 0 otherwise. */
    const char *has_schema_sql;
    /* See db_probe_write. */
    enum kam_err (*probe_write)(void *conn, int *read_only_out, struct kam_error *e);
    /* Optional bulk load (db_bulk_*): PostgreSQL's COPY. NULL: the generic layer runs INSERTs
     * of up to 100 rows. copy_begin starts "COPY table (cols) FROM STDIN"; copy_row sends
     * one row of n values (struct db_bulk_value: NULL, an integer or a text); copy_end
     * finishes (ok) or abandons (!ok, the load's error already known) the copy and frees it. */
    enum kam_err (*copy_begin)(void *conn, const char *table, const char *cols, void **copy_out,
                               struct kam_error *e);
    enum kam_err (*copy_row)(void *copy, const struct db_bulk_value *v, int n, struct kam_error *e);
    enum kam_err (*copy_end)(void *copy, int ok, struct kam_error *e);
    /* db_bulk_indexes_off: one `?` (the table); two columns per row, a statement dropping one
     * of its non-unique indexes and the one creating it again. NULL: nothing is dropped for a
     * load. */
    const char *bulk_off_sql;
    /* db_fk_checks: turning the foreign-key checks of the connection off and on, outside a
     * transaction. NULL: the engine's checks stay on. */
    const char *fk_off_sql, *fk_on_sql;
    /* Run by db_bulk_indexes_on before the rebuilds (e.g. more sort memory, for this
     * transaction only); NULL: nothing. */
    const char *bulk_on_sql;
};

/* How db_open_with() opens a database. */
enum {
    /* A missing SQLite file is created (kam init, kam demo, a new migrate-data target). Without
     * it a missing file is KAM_ENOTFOUND, field "db", "database DSN does not exist", and no
     * file is left behind. PostgreSQL databases are never created. */
    DB_OPEN_CREATE = 1,
    /* The database must hold KAM's schema (a schema_version table, i.e. `kam init` ran on it):
     * otherwise KAM_ENOTFOUND, field "db", "database DSN has no KAM tables". */
    DB_OPEN_INITIALISED = 2,
    /* Apply pending migrations (under a lock where the engine needs one). */
    DB_OPEN_MIGRATE = 4,
    /* Refuse a database that does not take writes (db_probe_write): KAM_EDB, field "db",
     * "database DSN does not accept writes (reason)". */
    DB_OPEN_WRITABLE = 8,
};
/* "Must exist": what every command but init and demo asks for. */
#define DB_OPEN_EXISTING (DB_OPEN_INITIALISED | DB_OPEN_MIGRATE)

/* Opens a connection for dsn "sqlite:PATH" (also a bare path), "sqlite::memory:", or
 * "postgres://..." as flags say. *out is owned by the caller (db_close). Messages name the DSN
 * with any password masked (db_dsn_masked). Options in the environment:
 * KAM_SQLITE_SYNC=full|normal|off (default full). */
enum kam_err db_open_with(const char *dsn, unsigned flags, struct db **out, struct kam_error *e);
/* db_open_with(DB_OPEN_CREATE | DB_OPEN_MIGRATE): creates a missing SQLite file, migrates. */
enum kam_err db_open(const char *dsn, struct db **out, struct kam_error *e);
/* db_open_with(0): neither creates nor migrates (migrate-data sources, the server's worker
 * and scheduler connections); a missing SQLite file is KAM_ENOTFOUND. */
enum kam_err db_open_raw(const char *dsn, struct db **out, struct kam_error *e);

/* dsn with the password of a URL DSN ("postgres://u:secret@h/db") replaced by "***", into out
 * (truncated to n); returns out. For messages and logs. */
const char *db_dsn_masked(const char *dsn, char *out, size_t n);

/* Finds out whether the database takes writes, without changing anything: an UPDATE that
 * matches no row, in autocommit, which both engines refuse when they cannot write (SQLite: the
 * file or its directory read-only; PostgreSQL: a read-only transaction, a hot standby, no
 * privilege). SQLite does not wait for the write lock. KAM_OK: it does. When it does not,
 * *read_only_out = 1 and KAM_EDB with the reason in e. KAM_EBUSY (read_only 0): another writer
 * holds SQLite's lock, nothing learnt; other errors: the database failed otherwise. Not inside
 * a transaction (KAM_EINTERNAL); needs the schema (schema_version). */
enum kam_err db_probe_write(struct db *db, int *read_only_out, struct kam_error *e);
/* For drivers: a statement was refused because the database does not take writes. */
void db_note_read_only(void);
/* How many such refusals this process has seen (a counter; compare two readings). */
unsigned long db_read_only_events(void);
void db_close(struct db *db);
/* Migration `version`'s script on this engine, or NULL: for tests that run a data migration
 * again over rows written the old way. */
const char *db_migration_sql(const struct db *db, int version);

/* Applies pending migrations; *applied_out (may be NULL) counts them. */
enum kam_err db_migrate(struct db *db, int *applied_out, struct kam_error *e);
/* Current schema version (0 for an empty database). */
enum kam_err db_schema_version(struct db *db, int *version_out, struct kam_error *e);
const char *db_scheme(const struct db *db);

/* Prepared statement for sql, from this connection's cache. Borrowed: give it back with
 * db_done() before the next db_prepare of the same text on this connection is used. */
enum kam_err db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct kam_error *e);
/* Gives st back: resets its cursor and bindings and forgets a kept bind error. */
void db_done(struct db_stmt *st);
/* Binds are 1-based, as in SQL. Text is copied; NULL text binds NULL.
 * Bind errors cannot be lost: a bind that fails (an index the statement does not have, a failed
 * allocation, the engine's refusal) binds nothing and is kept as the statement's first error;
 * the next db_step (or db_run) returns it without running the statement, so a missing value
 * never becomes a silently bound NULL. Callers therefore need not check binds one by one. */
void db_bind_i64(struct db_stmt *st, int idx, int64_t v);
void db_bind_double(struct db_stmt *st, int idx, double v);
void db_bind_text(struct db_stmt *st, int idx, const char *s);
void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t n);
void db_bind_null(struct db_stmt *st, int idx);
/* Binds s without copying it where the driver can: s must stay unchanged until the statement
 * has been stepped (bulk writes; everything else uses db_bind_text). */
void db_bind_text_ref(struct db_stmt *st, int idx, const char *s);
/* Binds the n bytes at p as binary data (SQLite BLOB, PostgreSQL bytea); copied. n == 0 binds an
 * empty value, not NULL. */
void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n);
/* Binds v, or NULL when is_null. */
void db_bind_i64n(struct db_stmt *st, int idx, int64_t v, int is_null);
/* Advances; *has_row is 1 while there is a row. A bind error kept since the last db_done is
 * returned first (copied into e), and the statement does not run. */
enum kam_err db_step(struct db_stmt *st, int *has_row, struct kam_error *e);
int db_col_is_null(struct db_stmt *st, int col);
int64_t db_col_i64(struct db_stmt *st, int col);
double db_col_double(struct db_stmt *st, int col);
/* Borrowed until the next step/done; "" for NULL. */
const char *db_col_text(struct db_stmt *st, int col);
const char *db_col_textn(struct db_stmt *st, int col, size_t *len_out);
/* The bytes of a BLOB/bytea column, *len_out of them (may be NULL for the length), borrowed
 * until the next step/done. NULL for SQL NULL -- and when PostgreSQL's text-format value could
 * not be decoded for want of memory: a caller that finds NULL where db_col_is_null says 0 fails
 * with KAM_EINTERNAL "out of memory". An empty value is "" with length 0. */
const void *db_col_blob(struct db_stmt *st, int col, size_t *len_out);
/* 1 when column col of the current row holds binary data (SQLite: the value is a BLOB;
 * PostgreSQL: the column is a bytea), so generic code (copies, checksums) reads it with
 * db_col_blob: the engines' text forms of bytes differ. */
int db_col_is_blob(struct db_stmt *st, int col);

/* Steps a bound statement that returns no rows (or whose rows do not matter) and gives it back
 * (db_done), in every case. */
enum kam_err db_run(struct db_stmt *st, struct kam_error *e);
/* Runs sql with one integer bound to its only `?` ("DELETE FROM x WHERE id = ?"). */
enum kam_err db_exec_i64(struct db *db, const char *sql, int64_t v, struct kam_error *e);

/* Runs sql (no parameters; several statements allowed). */
enum kam_err db_exec(struct db *db, const char *sql, struct kam_error *e);
/* Rows changed by the last statement. */
int64_t db_changes(struct db *db);

/* Transactions nest: the outermost begin/end is BEGIN/COMMIT, inner ones are savepoints.
 * db_end(db, rc, e) commits when rc == KAM_OK, rolls back otherwise, and returns rc (or the
 * commit's error). */
enum kam_err db_begin(struct db *db, struct kam_error *e);
enum kam_err db_end(struct db *db, enum kam_err rc, struct kam_error *e);
int db_in_tx(const struct db *db);

/* Work that must run last in a transaction, just before its outermost COMMIT (the audit chain:
 * its head is then locked only for the commit itself, so transactions cannot deadlock on it).
 * fn(db, arg, e) runs inside the transaction when it is about to commit; its failure rolls the
 * whole transaction back and is db_end's answer. done(arg) (may be NULL) runs when the
 * transaction has ended, committed or not. Inside a transaction only; at most
 * DB_MAX_COMMIT_HOOKS a transaction. db_commit_arg finds the arg of fn's registration in the
 * transaction in progress (NULL: none), so a caller registers once and adds to its state. */
typedef enum kam_err (*db_commit_fn)(struct db *db, void *arg, struct kam_error *e);
#define DB_MAX_COMMIT_HOOKS 4
enum kam_err db_before_commit(struct db *db, db_commit_fn fn, void (*done)(void *arg), void *arg,
                              struct kam_error *e);
void *db_commit_arg(const struct db *db, db_commit_fn fn);
/* How many times this connection may have made a change durable: outermost commits (also a
 * COMMIT that failed other than busy, whose outcome is unknown), statements other than a plain
 * SELECT stepped or executed outside a transaction. Compare two readings: equal means nothing
 * the connection did in between outlived a rollback, so the work may be run again (see the
 * KAM_EBUSY retry in api/core/dispatch.c). */
uint64_t db_writes(const struct db *db);

/* Dialect-specific text search over `table` (accounts, contacts, users): returns a boolean SQL
 * condition on the table's `id` column with `?` placeholders, the value to bind (*bind_out, in a)
 * and how many times to bind it (*nbind_out). Case-insensitive substring match on the table's
 * searchable columns, for any script (Chinese included). NULL if the table is not searchable. */
const char *db_search_cond(struct db *db, const char *table, const char *query, struct arena *a,
                           const char **bind_out, int *nbind_out);

/* The driver's row-claiming suffix (see struct db_driver.skip_locked). */
const char *db_skip_locked(const struct db *db);
/* The driver's row-lock suffixes (see struct db_driver.share_lock and update_lock); "" when
 * the engine needs none, so a statement that only takes locks may be skipped. */
const char *db_share_lock(const struct db *db);
const char *db_update_lock(const struct db *db);

/* Prepares this connection for a bulk load (`kam import`): on SQLite a page cache large enough
 * for the indexes being filled; nothing on PostgreSQL. Lasts for the connection. */
enum kam_err db_bulk_mode(struct db *db, struct kam_error *e);

/* Foreign-key checks of this connection off (on = 0) or back on, outside a transaction (SQLite
 * ignores the change inside one: KAM_EINTERNAL). For a load that checks every reference itself
 * against parents read inside a transaction that keeps them from changing (SQLite's BEGIN
 * IMMEDIATE), the engine's lookups per row are repeated work. Nothing on PostgreSQL (see
 * db_bulk_indexes_off). Whoever turns them off turns them on again on every path. */
enum kam_err db_fk_checks(struct db *db, int on, struct kam_error *e);

/* ---- Bulk loads ----
 *
 * Rows appended to one table as fast as the engine takes them: PostgreSQL's COPY FROM STDIN
 * (binary format when every column is a bigint, integer, smallint, text or varchar -- nothing
 * formatted or parsed; text format, every value escaped, otherwise), SQLite INSERTs of 100 rows
 * (values kept until then).
 * Inside a transaction only; between db_bulk_begin and db_bulk_end nothing else may run on the
 * connection. A unique or foreign-key violation fails the load (KAM_ECONFLICT; on PostgreSQL
 * only at db_bulk_end), and a failed load has left its rows half written: run it inside its
 * own savepoint (db_begin) and roll that back. Usage:
 *
 *     rc = db_bulk_begin(db, "order_lines", "external_id, day", &b, e);
 *     for each row: db_bulk_text(b, id); db_bulk_i64(b, day); rc = db_bulk_row(b, e);
 *     rc = db_bulk_end(b, rc, e);     (always: frees b; commits the rows only when rc is KAM_OK)
 *
 * Values are given in the order of cols, one call each; a value that cannot be taken (a text
 * with a NUL byte: KAM_EINVAL; too many values) is kept as the row's error and returned by
 * db_bulk_row, like a failed bind. */
struct db_bulk;
/* cols: a comma-separated list of column names from the source code, never input. */
enum kam_err db_bulk_begin(struct db *db, const char *table, const char *cols, struct db_bulk **out,
                           struct kam_error *e);
void db_bulk_i64(struct db_bulk *b, int64_t v);
void db_bulk_i64n(struct db_bulk *b, int64_t v, int is_null);
void db_bulk_text(struct db_bulk *b, const char *s);
void db_bulk_textn(struct db_bulk *b, const char *s, size_t n);
void db_bulk_null(struct db_bulk *b);
/* Ends a row: every column must have had its value. */
enum kam_err db_bulk_row(struct db_bulk *b, struct kam_error *e);
/* 1 when the engine loads with COPY (PostgreSQL), 0 when with INSERTs (SQLite). */
int db_bulk_copies(const struct db *db);
/* Engines without COPY only: a bulk load whose INSERTs end with on_conflict (an "ON CONFLICT
 * (...) DO UPDATE SET ..." clause from the source code, naming the excluded rows), so rows merge
 * into a table in one pass. An engine that copies merges through a temporary table instead. */
enum kam_err db_bulk_begin_upsert(struct db *db, const char *table, const char *cols,
                                  const char *on_conflict, struct db_bulk **out,
                                  struct kam_error *e);
/* Finishes the load when rc is KAM_OK (its error, e.g. a unique violation, is the answer),
 * abandons it otherwise (returns rc); frees b. */
enum kam_err db_bulk_end(struct db_bulk *b, enum kam_err rc, struct kam_error *e);
/* db_bulk_end that also tells how many rows were written (0 on an error): all of them, but for
 * the rows an upsert's ON CONFLICT ... DO NOTHING skipped. */
enum kam_err db_bulk_end_written(struct db_bulk *b, enum kam_err rc, int64_t *written,
                                 struct kam_error *e);

/* Secondary indexes during a big load: db_bulk_indexes_off drops the non-unique indexes of
 * table and keeps their definitions in *saved (in a); db_bulk_indexes_on creates them again:
 * sorting once beats inserting a million keys at random places. Inside the load's transaction,
 * so a failed load rolls the drop back too. On PostgreSQL the drop locks the table (ACCESS
 * EXCLUSIVE) until the commit: its readers wait for the load; SQLite's readers keep their
 * snapshot. Foreign keys are not dropped: on PostgreSQL that would lock the tables they
 * reference (accounts, products) the same way, and every screen reads those -- a load keeps
 * their checks and costs more instead (SQLite: see db_fk_checks). Unique indexes and the primary
 * key stay (they decide what is new; the rewrite of an existing row finds it by id).
 * db_bulk_indexes_on runs the rebuilds with more sort memory (PostgreSQL: maintenance_work_mem,
 * for the transaction). table is from the source code, never input. */
struct db_saved_indexes {
    const char **create_sql;
    size_t n;
};
enum kam_err db_bulk_indexes_off(struct db *db, const char *table, struct arena *a,
                                 struct db_saved_indexes *saved, struct kam_error *e);
enum kam_err db_bulk_indexes_on(struct db *db, const struct db_saved_indexes *saved,
                                struct kam_error *e);

/* SQL listing the schema's tables (one text column). */
const char *db_tables_sql(const struct db *db);
/* The driver's functions_sql: the schema's own functions, or NULL (none on this engine). */
const char *db_functions_sql(const struct db *db);
/* After rows were inserted with explicit ids: new ids continue after the largest. `table` must
 * be a name from the source code, never input. */
enum kam_err db_reset_identity(struct db *db, const char *table, struct kam_error *e);

/* n consecutive ids (*first .. *first + n - 1) for rows a bulk load inserts into table with an
 * explicit id column: on PostgreSQL one statement for the block instead of the sequence's
 * nextval per row; the table's own ids continue after the block. *first is 0 where the engine
 * numbers rows as cheaply itself (SQLite): load without an id column then. On PostgreSQL it
 * locks table against other writers (SHARE ROW EXCLUSIVE; readers go on) until the transaction
 * ends, so no other insert takes an id in the block: use it where the load holds the table
 * anyway (after db_bulk_indexes_off dropped its indexes: ACCESS EXCLUSIVE). Ids of a load
 * rolled back are not used again (as with the sequence). table: a name from the source code
 * whose key column is `id`. */
enum kam_err db_reserve_ids(struct db *db, const char *table, int64_t n, int64_t *first,
                            struct kam_error *e);

/* Small helpers for one-value queries: run sql with one optional i64 bind (bind_count 0 or 1)
 * and read column 0 of the first row into *out; KAM_ENOTFOUND if there is no row. *out is 0
 * after any error (no caller can read an unset value). */
enum kam_err db_query_i64(struct db *db, const char *sql, int bind_count, int64_t bind,
                          int64_t *out, struct kam_error *e);

/* Locks row `id` of `table` (a name of the caller's code, never input) until the transaction
 * ends, on an engine with row locks (PostgreSQL: FOR UPDATE): two writers of what hangs off that
 * row take turns, and the second reads what the first committed. Nothing on SQLite, whose write
 * transaction is one writer already. A missing row is no error. */
enum kam_err db_lock_row(struct db *db, const char *table, int64_t id, struct kam_error *e);

/* ---- Backups (store/backup.c, db_sqlite.c): kam backup and kam restore ------------------ */

/* db_sqlite_backup flags. */
enum {
    DB_SQLITE_FROM_READONLY = 1, /* open `from` read-only (a backup file being restored) */
};
/* SQLite's online backup API: copies every page of the database file `from` into the database
 * file `to` (an existing file, e.g. an empty one from mkstemp, or a live database whose
 * content is replaced in one transaction, as SQLite's own `.restore` does), in one step,
 * i.e. one read transaction on `from`: a consistent snapshot, while other connections keep
 * writing (WAL). KAM_EBUSY when the locks stayed taken for twice the busy timeout, KAM_EDB
 * (field "from"/"to" when that side failed to open) otherwise. */
enum kam_err db_sqlite_backup(const char *from, const char *to, unsigned flags,
                              struct kam_error *e);

/* The file of a SQLite DSN ("sqlite:PATH" or a bare path), NULL for another engine or for
 * ":memory:". Borrowed from dsn. */
const char *db_sqlite_path(const char *dsn);

/* The newest schema version this binary's migrations reach on dsn's engine. */
int db_schema_latest(const char *dsn);

/* One table's verification figures (see db_copy_checksum in copy.h). */
struct db_table_sum {
    const char *table;
    const char *cols; /* "a,b,c": the catalog's columns in their order */
    int64_t rows;
    uint64_t sum;
};
/* The figures of every table of the schema (db_tables_sql and schema_version) in name order,
 * columns from the engine's catalog, so they do not depend on which schema version this
 * binary knows. *out and the strings in a. Read in whatever transaction db has open. */
enum kam_err db_table_sums(struct db *db, struct arena *a, struct db_table_sum **out, size_t *n_out,
                           struct kam_error *e);
/* A finished SQLite backup copy, opened with db_open_raw: checks its structure (PRAGMA
 * quick_check; KAM_EDB naming the first problem) and switches it to a rollback journal so the
 * file stands alone. Nothing on PostgreSQL. */
enum kam_err db_backup_seal(struct db *db, struct kam_error *e);
/* PostgreSQL: opens a REPEATABLE READ, READ ONLY transaction on db and exports its snapshot
 * (pg_export_snapshot), *id_out in a. Everything read on db until db_end, and a pg_dump
 * given the id, sees the same moment. KAM_EINVAL on SQLite. */
enum kam_err db_pg_snapshot(struct db *db, struct arena *a, char **id_out, struct kam_error *e);
/* Runs pg_dump --format=custom --no-owner --no-privileges --no-comments [--snapshot=ID] into
 * path (an existing file, e.g. from mkstemp: it keeps its mode), as a child process (no
 * shell). dsn never appears in the child's argv with a password: a password in the URL
 * (user:pw@ or ?password=) is taken out and handed over in a passfile (PGPASSFILE, mode 0600
 * in a private temporary directory, removed afterwards), so `ps` shows the DSN without it.
 * The tools come from KAM_PG_BINDIR when set, else from PATH. KAM_EIO when the tool cannot
 * run or fails (the start of its standard error in the message). */
enum kam_err db_pg_dump(const char *dsn, const char *snapshot, const char *path,
                        struct kam_error *e);
/* pg_restore --exit-on-error --single-transaction --no-owner --no-privileges of the archive
 * at path into dsn (the DSN handed over as for db_pg_dump). */
enum kam_err db_pg_restore(const char *dsn, const char *path, struct kam_error *e);
/* How many tables the database (SQLite) or its current schema (PostgreSQL) holds, KAM's or
 * not: 0 means empty. Reads only (db_schema_version would create schema_version). */
enum kam_err db_table_count(struct db *db, int64_t *n_out, struct kam_error *e);
/* Drops every table of the schema (db_tables_sql and schema_version) with what depends on
 * them, and the schema's own functions (the triggers' of migration 0031), in one transaction:
 * `kam restore --force` on PostgreSQL. */
enum kam_err db_drop_tables(struct db *db, struct kam_error *e);

#endif
