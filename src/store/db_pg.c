/* db_pg.c -- the PostgreSQL driver (libpq), for teams that outgrow one machine.
 *
 * `?` placeholders are rewritten to $1..$n and every statement is prepared once per
 * connection (PQprepare under a generated name). Values travel as text. SQLSTATEs map to the
 * project's errors: unique/foreign-key violations -> KAM_ECONFLICT (field from the constraint
 * name), serialization failure / deadlock -> KAM_EBUSY; writes refused by a read-only
 * transaction (hot standby, default_transaction_read_only) or a missing privilege are counted
 * (db_note_read_only) for /healthz. A lost connection is reconnected (with the session
 * settings again) and, when no transaction was open, the statement is retried once; see
 * broke(). Text search is ILIKE over pg_trgm GIN indexes (see migrations/postgres). */
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

extern const struct embed_file kam_postgres_migrations[];

struct pgconn {
    PGconn *pg;
    unsigned next_id;
    unsigned generation; /* bumped by a reset: statements prepare again */
    int64_t changes;
    int lost_in_tx; /* the connection broke inside a transaction the caller has not ended */
};

/* Run on every new session (also after a reconnect). */
static const char session_sql[] = "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'";

struct pgstmt {
    struct pgconn *c;
    char name[24];
    char *sql; /* rewritten */
    unsigned generation;
    int nparams;
    char **vals;
    int *lens, *fmts; /* per parameter: a binary one's length and format 1 (db_bind_blob) */
    PGresult *res;
    int row, executed;
    /* bytea values of the current row decoded from the text result format (db_col_blob),
     * freed at the next step and at reset */
    unsigned char **blobs;
    int nblobs, capblobs;
};

/* A write the server refused because it takes none here: a read-only transaction (hot
 * standby, default_transaction_read_only) or no privilege to write. */
static int refused_write(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && (strcmp(state, "25006") == 0 || strcmp(state, "42501") == 0);
}

static enum kam_err fail_res(PGconn *pg, PGresult *res, struct kam_error *e, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg);
    if (!msg || !*msg)
        msg = PQerrorMessage(pg);
    if (state && strcmp(state, "23505") == 0) {
        /* "accounts_code_key" -> "code" */
        const char *cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
        char field[48] = "";
        if (cons) {
            const char *p = cons;
            size_t tl = table ? strlen(table) : 0;
            if (table && strncmp(p, table, tl) == 0 && p[tl] == '_')
                p += tl + 1;
            snprintf(field, sizeof field, "%s", p);
            size_t n = strlen(field);
            if (n > 4 && strcmp(field + n - 4, "_key") == 0)
                field[n - 4] = 0;
            else if (strcmp(field, "pkey") == 0)
                field[0] = 0;
        }
        return kam_fail_key(e, KAM_ECONFLICT, field, *field ? "taken" : "duplicate", NULL,
                            "%s already exists", *field ? field : "value");
    }
    if (state && strcmp(state, "23503") == 0)
        return kam_fail_key(e, KAM_ECONFLICT, "", "in_use", NULL,
                            "the record is referenced by other records");
    if (state &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return kam_fail(e, KAM_EBUSY, "", "database busy (%s): %s", what, msg);
    if (state && strncmp(state, "23", 2) == 0)
        return kam_fail(e, KAM_EINVAL, "", "constraint failed: %s", msg);
    return kam_fail(e, KAM_EDB, "", "postgres %s: %s", what, msg);
}

/* Lost connections. A call that fails because the connection broke is retried once on a new
 * one when no transaction was open (the server restarted between requests). Inside a
 * transaction the work so far died with the session, so the error goes up and the connection
 * stays down until the caller ends that transaction (ROLLBACK): running the rest of it in
 * autocommit on a new session would commit half of it. The next statement after that
 * reconnects. */

/* 1 when res failed because the connection broke; a transaction open then is recorded. */
static int broke(struct pgconn *c, const PGresult *res, int was_idle)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || PQstatus(c->pg) != CONNECTION_BAD)
        return 0;
    if (!was_idle)
        c->lost_in_tx = 1;
    return 1;
}

/* Reconnects a connection found broken, before the next statement (see above). */
static enum kam_err revive(struct pgconn *c, struct kam_error *e)
{
    if (PQstatus(c->pg) != CONNECTION_BAD)
        return KAM_OK;
    if (c->lost_in_tx)
        return kam_fail(e, KAM_EDB, "", "PostgreSQL connection lost inside a transaction");
    PQreset(c->pg);
    c->generation++;
    if (PQstatus(c->pg) != CONNECTION_OK)
        return kam_fail(e, KAM_EDB, "", "PostgreSQL connection lost: %s", PQerrorMessage(c->pg));
    PGresult *res = PQexec(c->pg, session_sql);
    enum kam_err rc = KAM_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail_res(c->pg, res, e, "reconnect");
    PQclear(res);
    return rc;
}

static int is_idle(const struct pgconn *c)
{
    return PQtransactionStatus(c->pg) == PQTRANS_IDLE;
}

/* PQexec with the handling of lost connections; *res_out is the caller's (PQclear). */
static enum kam_err exec_res(struct pgconn *c, const char *sql, PGresult **res_out,
                             struct kam_error *e)
{
    *res_out = NULL;
    enum kam_err rc = revive(c, e);
    if (rc)
        return rc;
    int idle = is_idle(c);
    PGresult *res = PQexec(c->pg, sql);
    if (broke(c, res, idle) && idle) {
        PQclear(res);
        if ((rc = revive(c, e)))
            return rc;
        res = PQexec(c->pg, sql);
    }
    *res_out = res;
    return KAM_OK;
}

static enum kam_err p_exec(void *conn, const char *sql, struct kam_error *e)
{
    struct pgconn *c = conn;
    if (c->lost_in_tx && strcmp(sql, "ROLLBACK") == 0) {
        c->lost_in_tx = 0; /* the transaction died with the session: it is over */
        return KAM_OK;
    }
    PGresult *res;
    enum kam_err rc = exec_res(c, sql, &res, e);
    if (rc)
        return rc;
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && PQstatus(c->pg) == CONNECTION_BAD &&
        strcmp(sql, "ROLLBACK") == 0) {
        /* The connection broke under the ROLLBACK itself (the first statement to meet it):
         * the transaction died with the session all the same, so it is over, and the next
         * statement may reconnect. Otherwise the connection would refuse every statement. */
        c->lost_in_tx = 0;
        PQclear(res);
        return KAM_OK;
    }
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        if (refused_write(res))
            db_note_read_only();
        rc = fail_res(c->pg, res, e, "exec");
    } else {
        c->changes = atoll(PQcmdTuples(res));
    }
    PQclear(res);
    return rc;
}

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation already exists, skipping" and friends */
}

static enum kam_err p_open(const char *dsn, int create, void **conn_out, struct kam_error *e)
{
    (void)create; /* databases are made by their administrator (createdb), never here */
    PGconn *pg = PQconnectdb(dsn);
    if (PQstatus(pg) != CONNECTION_OK) {
        enum kam_err rc =
            kam_fail(e, KAM_EDB, "db", "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return rc;
    }
    PQsetNoticeProcessor(pg, quiet_notice, NULL);
    struct pgconn *c = calloc(1, sizeof *c);
    if (!c) {
        PQfinish(pg);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    c->pg = pg;
    enum kam_err rc = p_exec(c, session_sql, e);
    if (rc) {
        PQfinish(pg);
        free(c);
        return rc;
    }
    *conn_out = c;
    return KAM_OK;
}

static void p_close(void *conn)
{
    struct pgconn *c = conn;
    PQfinish(c->pg);
    free(c);
}

/* "? ... ?" -> "$1 ... $2", leaving string literals and quoted identifiers alone. */
static char *rewrite(const char *sql, int *nparams)
{
    size_t n = strlen(sql);
    char *out = malloc(n * 4 + 1), *o = out;
    if (!out)
        return NULL;
    int k = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '?') {
            o += sprintf(o, "$%d", ++k);
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    *nparams = k;
    return out;
}

/* Prepares s on its connection (again after a reconnect); the caller has revived it. */
static enum kam_err do_prepare(struct pgstmt *s, struct kam_error *e)
{
    struct pgconn *c = s->c;
    int idle = is_idle(c);
    PGresult *res = PQprepare(c->pg, s->name, s->sql, s->nparams, NULL);
    enum kam_err rc = KAM_OK;
    if (broke(c, res, idle) && idle) {
        PQclear(res);
        if ((rc = revive(c, e)))
            return rc;
        res = PQprepare(c->pg, s->name, s->sql, s->nparams, NULL);
    }
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail_res(c->pg, res, e, "prepare");
    PQclear(res);
    s->generation = c->generation;
    return rc;
}

static enum kam_err p_prepare(void *conn, const char *sql, void **stmt_out, struct kam_error *e)
{
    struct pgconn *c = conn;
    struct pgstmt *s = calloc(1, sizeof *s);
    if (!s)
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    s->c = c;
    s->sql = rewrite(sql, &s->nparams);
    s->vals = calloc((size_t)s->nparams + 1, sizeof *s->vals);
    s->lens = calloc((size_t)s->nparams + 1, sizeof *s->lens);
    s->fmts = calloc((size_t)s->nparams + 1, sizeof *s->fmts);
    if (!s->sql || !s->vals || !s->lens || !s->fmts) {
        free(s->sql);
        free(s->vals);
        free(s->lens);
        free(s->fmts);
        free(s);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    snprintf(s->name, sizeof s->name, "k%u", ++c->next_id);
    enum kam_err rc = revive(c, e);
    if (!rc)
        rc = do_prepare(s, e);
    if (rc) {
        free(s->sql);
        free(s->vals);
        free(s->lens);
        free(s->fmts);
        free(s);
        return rc;
    }
    *stmt_out = s;
    return KAM_OK;
}

static void clear_vals(struct pgstmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
        s->lens[i] = s->fmts[i] = 0;
    }
}

static void clear_blobs(struct pgstmt *s)
{
    for (int i = 0; i < s->nblobs; i++)
        PQfreemem(s->blobs[i]);
    s->nblobs = 0;
}

static void p_reset(void *stmt)
{
    struct pgstmt *s = stmt;
    PQclear(s->res);
    s->res = NULL;
    s->executed = 0;
    s->row = 0;
    clear_vals(s);
    clear_blobs(s);
}

static void p_finalize(void *stmt)
{
    struct pgstmt *s = stmt;
    p_reset(s);
    if (s->generation == s->c->generation && PQstatus(s->c->pg) == CONNECTION_OK) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
        PQclear(PQexec(s->c->pg, sql));
    }
    free(s->sql);
    free(s->vals);
    free(s->lens);
    free(s->fmts);
    free(s->blobs);
    free(s);
}

/* Stores v (owned, or NULL for SQL NULL) as parameter idx. A wrong index or a failed
 * allocation (v NULL although a value was meant: is_null 0) binds nothing and fails. */
static enum kam_err set_val(struct pgstmt *s, int idx, char *v, int is_null, struct kam_error *e)
{
    if (idx < 1 || idx > s->nparams) {
        free(v);
        return kam_fail(e, KAM_EDB, "", "postgres bind of parameter %d (of %d): no such parameter",
                        idx, s->nparams);
    }
    if (!v && !is_null)
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory binding parameter %d", idx);
    free(s->vals[idx - 1]);
    s->vals[idx - 1] = v;
    s->lens[idx - 1] = s->fmts[idx - 1] = 0;
    return KAM_OK;
}

static enum kam_err p_bind_i64(void *stmt, int idx, int64_t v, struct kam_error *e)
{
    char *p = malloc(24);
    if (p)
        snprintf(p, 24, "%lld", (long long)v);
    return set_val(stmt, idx, p, 0, e);
}

static enum kam_err p_bind_double(void *stmt, int idx, double v, struct kam_error *e)
{
    char *p = malloc(32);
    if (p)
        snprintf(p, 32, "%.17g", v);
    return set_val(stmt, idx, p, 0, e);
}

static enum kam_err p_bind_text(void *stmt, int idx, const char *t, size_t n, struct kam_error *e)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, t, n);
        p[n] = 0;
    }
    return set_val(stmt, idx, p, 0, e);
}

static enum kam_err p_bind_null(void *stmt, int idx, struct kam_error *e)
{
    return set_val(stmt, idx, NULL, 1, e);
}

/* A binary parameter: the bytes as they are (bytea's binary format), no escaping. */
static enum kam_err p_bind_blob(void *stmt, int idx, const void *b, size_t n, struct kam_error *e)
{
    struct pgstmt *s = stmt;
    if (n > INT_MAX)
        return kam_fail(e, KAM_EDB, "", "postgres bind of parameter %d: %zu bytes is too large",
                        idx, n);
    char *p = malloc(n ? n : 1);
    if (p)
        memcpy(p, b, n);
    enum kam_err rc = set_val(s, idx, p, 0, e);
    if (!rc) {
        s->lens[idx - 1] = (int)n;
        s->fmts[idx - 1] = 1;
    }
    return rc;
}

static PGresult *run(struct pgstmt *s)
{
    return PQexecPrepared(s->c->pg, s->name, s->nparams, (const char *const *)s->vals, s->lens,
                          s->fmts, 0);
}

static enum kam_err p_step(void *stmt, int *has_row, struct kam_error *e)
{
    struct pgstmt *s = stmt;
    struct pgconn *c = s->c;
    *has_row = 0;
    if (!s->executed) {
        enum kam_err rc = revive(c, e);
        if (rc)
            return rc;
        if (s->generation != c->generation && (rc = do_prepare(s, e)))
            return rc;
        int idle = is_idle(c);
        s->res = run(s);
        if (broke(c, s->res, idle) && idle) {
            PQclear(s->res);
            s->res = NULL;
            if ((rc = revive(c, e)) || (rc = do_prepare(s, e)))
                return rc;
            s->res = run(s);
        }
        ExecStatusType st = PQresultStatus(s->res);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            if (refused_write(s->res))
                db_note_read_only();
            rc = fail_res(c->pg, s->res, e, "step");
            PQclear(s->res);
            s->res = NULL;
            return rc;
        }
        c->changes = atoll(PQcmdTuples(s->res));
        s->executed = 1;
        s->row = -1;
    }
    if (!s->res)
        return KAM_OK;
    clear_blobs(s);
    s->row++;
    *has_row = s->row < PQntuples(s->res);
    return KAM_OK;
}

static int p_col_count(void *stmt)
{
    struct pgstmt *s = stmt;
    return s->res ? PQnfields(s->res) : 0;
}

static int p_col_is_null(void *stmt, int col)
{
    struct pgstmt *s = stmt;
    return !s->res || PQgetisnull(s->res, s->row, col);
}

static int64_t p_col_i64(void *stmt, int col)
{
    struct pgstmt *s = stmt;
    if (p_col_is_null(s, col))
        return 0;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (v[0] == 't' && !v[1]) /* booleans: EXISTS(...), comparisons */
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}

static double p_col_double(void *stmt, int col)
{
    struct pgstmt *s = stmt;
    if (p_col_is_null(s, col))
        return 0;
    return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

static const char *p_col_text(void *stmt, int col, size_t *len_out)
{
    struct pgstmt *s = stmt;
    if (p_col_is_null(s, col)) {
        *len_out = 0;
        return NULL;
    }
    *len_out = (size_t)PQgetlength(s->res, s->row, col);
    return PQgetvalue(s->res, s->row, col);
}

#define BYTEA_OID 17

/* Binary results are the bytes; a bytea in the text format (hex "\\x..." or the old escape
 * format, whichever bytea_output says) is decoded with PQunescapeBytea into a buffer kept until
 * the next row; any other column's text is its bytes. */
static const void *p_col_blob(void *stmt, int col, size_t *len_out)
{
    struct pgstmt *s = stmt;
    *len_out = 0;
    if (p_col_is_null(s, col))
        return NULL;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQfformat(s->res, col) == 1 || PQftype(s->res, col) != BYTEA_OID) {
        *len_out = (size_t)PQgetlength(s->res, s->row, col);
        return v;
    }
    if (s->nblobs == s->capblobs) {
        int cap = s->capblobs ? s->capblobs * 2 : 4;
        unsigned char **bigger = realloc(s->blobs, (size_t)cap * sizeof *bigger);
        if (!bigger)
            return NULL;
        s->blobs = bigger;
        s->capblobs = cap;
    }
    size_t n = 0;
    unsigned char *out = PQunescapeBytea((const unsigned char *)v, &n);
    if (!out)
        return NULL;
    s->blobs[s->nblobs++] = out;
    *len_out = n;
    return n ? (const void *)out : "";
}

static int p_col_is_blob(void *stmt, int col)
{
    struct pgstmt *s = stmt;
    return s->res && PQftype(s->res, col) == BYTEA_OID;
}

static int64_t p_changes(void *conn)
{
    return ((struct pgconn *)conn)->changes;
}

static enum kam_err p_probe_write(void *conn, int *read_only_out, struct kam_error *e)
{
    struct pgconn *c = conn;
    /* The server checks read-only transactions and privileges before looking for rows. */
    PGresult *res;
    enum kam_err rc =
        exec_res(c, "UPDATE schema_version SET version = version WHERE version < 0", &res, e);
    if (rc)
        return rc;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        *read_only_out = refused_write(res);
        rc = fail_res(c->pg, res, e, "write probe");
    }
    PQclear(res);
    return rc;
}

/* ---- COPY (db_bulk_*) ----
 *
 * Binary COPY when every column is a type whose binary form is simple (bigint, integer,
 * smallint, text, varchar): integers travel as 8, 4 or 2 bytes in network order and texts as
 * their bytes, so neither side formats or parses a number; the server checks the text's
 * encoding as it does in text format. Any other column type: text format (tab-separated,
 * escaped). The rows go out in 256 KiB PQputCopyData calls either way. */

struct pgcopy {
    struct pgconn *c;
    char *buf;
    size_t len, cap;
    int binary;
    int ncols;
    unsigned char type[32]; /* binary: each column's form (CT_*) */
};

enum { CT_I8 = 1, CT_I4, CT_I2, CT_TEXT };

#define COPY_FLUSH (256 * 1024)
#define COPY_MAX_COLS 32

/* The binary form of each of cols (a comma-separated list) of table, into cp->type; 0 when one
 * of them has none here (the copy then goes as text). */
static int copy_types(struct pgcopy *cp, const char *table, const char *cols)
{
    const char *params[1] = {table};
    PGresult *res = PQexecParams(cp->c->pg,
                                 "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = "
                                 "to_regclass($1) AND attnum > 0 AND NOT attisdropped",
                                 1, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    int n = 0;
    for (const char *p = cols; ok && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *q = p;
        while (*q && *q != ',' && *q != ' ')
            q++;
        if (q == p)
            break;
        int t = 0;
        for (int r = 0; ok && r < PQntuples(res) && !t; r++) {
            const char *name = PQgetvalue(res, r, 0);
            if (strlen(name) != (size_t)(q - p) || memcmp(name, p, (size_t)(q - p)) != 0)
                continue;
            switch (atoi(PQgetvalue(res, r, 1))) {
            case 20:
                t = CT_I8;
                break;
            case 23:
                t = CT_I4;
                break;
            case 21:
                t = CT_I2;
                break;
            case 25:   /* text */
            case 1043: /* varchar */
                t = CT_TEXT;
                break;
            default:
                ok = 0;
            }
        }
        if (!t || n >= COPY_MAX_COLS)
            ok = 0;
        else
            cp->type[n++] = (unsigned char)t;
        p = q;
    }
    PQclear(res);
    cp->ncols = n;
    return ok && n > 0;
}

static enum kam_err p_copy_begin(void *conn, const char *table, const char *cols, void **copy_out,
                                 struct kam_error *e)
{
    struct pgconn *c = conn;
    *copy_out = NULL;
    enum kam_err rc = revive(c, e);
    if (rc)
        return rc;
    struct pgcopy *cp = calloc(1, sizeof *cp);
    char sql[1200];
    if (!cp || !(cp->buf = malloc(COPY_FLUSH + 4096))) {
        free(cp);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    cp->c = c;
    cp->cap = COPY_FLUSH + 4096;
    int idle = is_idle(c);
    cp->binary = copy_types(cp, table, cols);
    snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN%s", table, cols,
             cp->binary ? " (FORMAT binary)" : "");
    PGresult *res = PQexec(c->pg, sql);
    broke(c, res, idle);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        if (refused_write(res))
            db_note_read_only();
        rc = fail_res(c->pg, res, e, "copy");
        PQclear(res);
        free(cp->buf);
        free(cp);
        return rc;
    }
    PQclear(res);
    if (cp->binary) { /* signature, flags, header extension length */
        memcpy(cp->buf, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
        cp->len = 19;
    }
    *copy_out = cp;
    return KAM_OK;
}

static enum kam_err copy_flush(struct pgcopy *cp, struct kam_error *e)
{
    if (cp->len && PQputCopyData(cp->c->pg, cp->buf, (int)cp->len) != 1)
        return kam_fail(e, KAM_EDB, "", "postgres copy: %s", PQerrorMessage(cp->c->pg));
    cp->len = 0;
    return KAM_OK;
}

static int copy_room(struct pgcopy *cp, size_t need)
{
    if (cp->len + need <= cp->cap)
        return 1;
    size_t cap = cp->cap;
    while (cap < cp->len + need)
        cap *= 2;
    char *p = realloc(cp->buf, cap);
    if (!p)
        return 0;
    cp->buf = p;
    cp->cap = cap;
    return 1;
}

/* v in decimal at o; returns the end. */
static char *put_dec(char *o, int64_t v)
{
    char tmp[24];
    int k = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *o++ = '-';
    while (k)
        *o++ = tmp[--k];
    return o;
}

static char *put_be(char *o, uint64_t v, int bytes)
{
    for (int k = bytes - 1; k >= 0; k--)
        *o++ = (char)(v >> (8 * k));
    return o;
}

/* One row in COPY's binary format: the field count, then each field's length (-1: NULL) and
 * bytes. */
static enum kam_err copy_row_binary(struct pgcopy *cp, const struct db_bulk_value *v, int n,
                                    struct kam_error *e)
{
    if (n != cp->ncols)
        return kam_fail(e, KAM_EINTERNAL, "", "bulk load: %d values for %d columns", n, cp->ncols);
    size_t need = 2;
    for (int i = 0; i < n; i++)
        need += 4 + (v[i].kind == 2 ? v[i].n : 24);
    if (!copy_room(cp, need))
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    char *o = put_be(cp->buf + cp->len, (uint64_t)n, 2);
    for (int i = 0; i < n; i++) {
        int t = cp->type[i];
        if (v[i].kind == 0) {
            o = put_be(o, 0xffffffffu, 4);
        } else if (t == CT_TEXT) {
            if (v[i].kind == 1) { /* an integer for a text column: its decimal form */
                char *len = o;
                char *end = put_dec(o + 4, v[i].i);
                put_be(len, (uint64_t)(end - len - 4), 4);
                o = end;
            } else {
                o = put_be(o, v[i].n, 4);
                memcpy(o, v[i].s, v[i].n);
                o += v[i].n;
            }
        } else if (v[i].kind != 1) {
            return kam_fail(e, KAM_EINTERNAL, "", "bulk load: a text for integer column %d", i + 1);
        } else {
            int bytes = t == CT_I8 ? 8 : t == CT_I4 ? 4 : 2;
            int64_t lim = t == CT_I4 ? INT32_MAX : t == CT_I2 ? INT16_MAX : INT64_MAX;
            if (bytes < 8 && (v[i].i > lim || v[i].i < -lim - 1))
                return kam_fail(e, KAM_EINVAL, "", "%lld is out of range for column %d",
                                (long long)v[i].i, i + 1);
            o = put_be(o, (uint64_t)bytes, 4);
            o = put_be(o, (uint64_t)v[i].i, bytes);
        }
    }
    cp->len = (size_t)(o - cp->buf);
    return KAM_OK;
}

/* One row in COPY's text format: values separated by tabs, NULL as \N, and in a value the
 * backslash, tab, newline and carriage return escaped (the only bytes the format gives a
 * meaning); everything else, UTF-8 included, travels as it is. */
static void copy_row_text(struct pgcopy *cp, const struct db_bulk_value *v, int n)
{
    char *o = cp->buf + cp->len;
    for (int i = 0; i < n; i++) {
        if (i)
            *o++ = '\t';
        if (v[i].kind == 0) {
            *o++ = '\\';
            *o++ = 'N';
            continue;
        }
        if (v[i].kind == 1) {
            o = put_dec(o, v[i].i);
            continue;
        }
        const char *s = v[i].s;
        for (size_t k = 0; k < v[i].n; k++) {
            char ch = s[k];
            switch (ch) {
            case '\\':
                *o++ = '\\';
                *o++ = '\\';
                break;
            case '\t':
                *o++ = '\\';
                *o++ = 't';
                break;
            case '\n':
                *o++ = '\\';
                *o++ = 'n';
                break;
            case '\r':
                *o++ = '\\';
                *o++ = 'r';
                break;
            default:
                *o++ = ch;
            }
        }
    }
    *o++ = '\n';
    cp->len = (size_t)(o - cp->buf);
}

static enum kam_err p_copy_row(void *copy, const struct db_bulk_value *v, int n,
                               struct kam_error *e)
{
    struct pgcopy *cp = copy;
    if (cp->binary) {
        enum kam_err rc = copy_row_binary(cp, v, n, e);
        if (rc)
            return rc;
    } else {
        size_t need = 1;
        for (int i = 0; i < n; i++)
            need += (v[i].kind == 2 ? 2 * v[i].n : 24) + 1;
        if (!copy_room(cp, need))
            return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
        copy_row_text(cp, v, n);
    }
    return cp->len >= COPY_FLUSH ? copy_flush(cp, e) : KAM_OK;
}

static enum kam_err p_copy_end(void *copy, int ok, struct kam_error *e)
{
    struct pgcopy *cp = copy;
    struct pgconn *c = cp->c;
    if (ok && cp->binary && copy_room(cp, 2)) /* the trailer */
        cp->len = (size_t)(put_be(cp->buf + cp->len, 0xffffu, 2) - cp->buf);
    enum kam_err rc = ok ? copy_flush(cp, e) : KAM_OK;
    if (PQputCopyEnd(c->pg, ok && !rc ? NULL : "abandoned by the client") != 1 && ok && !rc)
        rc = kam_fail(e, KAM_EDB, "", "postgres copy end: %s", PQerrorMessage(c->pg));
    PGresult *res;
    while ((res = PQgetResult(c->pg))) {
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && ok && !rc) {
            if (refused_write(res))
                db_note_read_only();
            rc = fail_res(c->pg, res, e, "copy");
        } else if (st == PGRES_COMMAND_OK) {
            c->changes = atoll(PQcmdTuples(res));
        }
        PQclear(res);
        if (PQstatus(c->pg) == CONNECTION_BAD) {
            c->lost_in_tx = 1;
            if (ok && !rc)
                rc = kam_fail(e, KAM_EDB, "", "PostgreSQL connection lost during a copy");
            break;
        }
    }
    free(cp->buf);
    free(cp);
    return rc;
}

static const struct {
    const char *table, *cond;
    int binds;
} searchable[] = {
    {"accounts",
     "(accounts.name ILIKE ? ESCAPE '\\' OR accounts.alias ILIKE ? ESCAPE '\\' OR accounts.code "
     "ILIKE ? ESCAPE '\\')",
     3},
    {"contacts",
     "(contacts.name ILIKE ? ESCAPE '\\' OR contacts.title ILIKE ? ESCAPE '\\' OR contacts.email "
     "ILIKE ? ESCAPE '\\')",
     3},
    {"users", "(users.login ILIKE ? ESCAPE '\\' OR users.name ILIKE ? ESCAPE '\\')", 2},
};

static const char *p_search_cond(const char *table, const char *query, struct arena *a,
                                 const char **bind_out, int *nbind_out)
{
    for (size_t i = 0; i < sizeof searchable / sizeof searchable[0]; i++) {
        if (strcmp(searchable[i].table, table) != 0)
            continue;
        size_t n = strlen(query);
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
        *nbind_out = searchable[i].binds;
        return searchable[i].cond;
    }
    return NULL;
}

const struct db_driver db_pg_driver = {
    .scheme = "postgres",
    .open = p_open,
    .close = p_close,
    .prepare = p_prepare,
    .finalize = p_finalize,
    .reset = p_reset,
    .bind_i64 = p_bind_i64,
    .bind_double = p_bind_double,
    .bind_text = p_bind_text,
    .bind_null = p_bind_null,
    .bind_blob = p_bind_blob,
    .step = p_step,
    .col_count = p_col_count,
    .col_is_null = p_col_is_null,
    .col_i64 = p_col_i64,
    .col_double = p_col_double,
    .col_text = p_col_text,
    .col_blob = p_col_blob,
    .col_is_blob = p_col_is_blob,
    .exec = p_exec,
    .changes = p_changes,
    .search_cond = p_search_cond,
    .migrations = kam_postgres_migrations,
    .begin_sql = "BEGIN",
    .migrate_lock_sql = "SELECT pg_advisory_xact_lock(72010001)",
    .tables_sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                  "current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
                  "'schema_version'",
    .functions_sql = "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = "
                     "current_schema()::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d "
                     "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND "
                     "d.deptype = 'e')",
    .skip_locked = " FOR UPDATE SKIP LOCKED",
    .share_lock = " FOR SHARE",
    .update_lock = " FOR NO KEY UPDATE",
    .has_schema_sql = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                      "current_schema() AND table_name = 'schema_version'",
    .probe_write = p_probe_write,
    /* Only a table this user owns (or whose owner role it is a member of): dropping takes
     * ownership, and without it the load simply keeps the indexes. The primary key and the
     * unique constraints stay: the unique ones decide what is new, and the rewrite of an
     * existing line (sales_write_lines) finds it by id. */
    .bulk_off_sql =
        "WITH t(name) AS (SELECT CAST(? AS TEXT)), own AS (SELECT t.name FROM t, pg_tables p WHERE "
        "p.schemaname = current_schema() AND p.tablename = t.name AND pg_has_role(p.tableowner, "
        "'MEMBER')) SELECT 'DROP INDEX ' || quote_ident(indexname), indexdef FROM own, pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = own.name AND indexdef NOT LIKE "
        "'CREATE UNIQUE%'",
    /* The rebuilds sort in memory (the default 64 MB spills a million keys to disk). */
    .bulk_on_sql = "SET LOCAL maintenance_work_mem = '256MB'",
    .copy_begin = p_copy_begin,
    .copy_row = p_copy_row,
    .copy_end = p_copy_end,
    .reserve_lock_fmt = "LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE",
    .reserve_ids_fmt = "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
                       "nextval(pg_get_serial_sequence('%s', 'id')) + ? - 1)",
    .reset_identity_fmt = "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT "
                          "MAX(id) FROM %s), 0) + 1, false)",
};
