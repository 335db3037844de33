/* backup.c -- the storage half of kam backup / kam restore: per-table checksums over the
 * catalog's columns, PostgreSQL's exported snapshot, and pg_dump / pg_restore run as child
 * processes with the DSN's password kept out of their argv. SQLite's online backup is in
 * db_sqlite.c (db_sqlite_backup). The manifest and the orchestration: svc/core/backup.c. */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "copy.h"

extern char **environ;
extern const struct embed_file kam_sqlite_migrations[];
extern const struct embed_file kam_postgres_migrations[];

const char *db_sqlite_path(const char *dsn)
{
    const char *p = NULL;
    if (strncmp(dsn, "sqlite:", 7) == 0)
        p = dsn + 7;
    else if (!strstr(dsn, "://"))
        p = dsn;
    if (!p || !*p || strcmp(p, ":memory:") == 0)
        return NULL;
    return p;
}

int db_schema_latest(const char *dsn)
{
    const struct embed_file *m = db_sqlite_path(dsn) || strncmp(dsn, "sqlite:", 7) == 0
                                     ? kam_sqlite_migrations
                                     : kam_postgres_migrations;
    int v = 0;
    for (; m->name; m++)
        v = atoi(m->name); /* "0008_audit_chain.sql" is version 8 */
    return v;
}

static int is_ident(const char *s, size_t n)
{
    if (!n || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int cmp_sum(const void *a, const void *b)
{
    return strcmp(((const struct db_table_sum *)a)->table, ((const struct db_table_sum *)b)->table);
}

/* "a,b,c": the catalog's columns of table in their order. */
static enum kam_err table_cols(struct db *db, const char *table, struct arena *a, char **out,
                               struct kam_error *e)
{
    const char *sql =
        strcmp(db_scheme(db), "sqlite") == 0
            ? "SELECT name FROM pragma_table_info(?) ORDER BY cid"
            : "SELECT column_name FROM information_schema.columns WHERE table_schema = "
              "current_schema() AND table_name = ? ORDER BY ordinal_position";
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, sql, &st, e);
    if (rc)
        return rc;
    db_bind_text(st, 1, table);
    struct buf b;
    buf_init(&b, 64 * 1024);
    int row = 0;
    while (!(rc = db_step(st, &row, e)) && row) {
        size_t n;
        const char *c = db_col_textn(st, 0, &n);
        if (!is_ident(c, n)) {
            rc =
                kam_fail(e, KAM_EINVAL, "", "table %s: column name '%.40s' is not plain", table, c);
            break;
        }
        if (b.len)
            buf_putc(&b, ',');
        buf_append(&b, c, n);
    }
    db_done(st);
    if (!rc && !b.len)
        rc = kam_fail(e, KAM_EDB, "", "table %s has no columns", table);
    if (!rc && !buf_ok(&b))
        rc = kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    if (!rc)
        *out = arena_strndup(a, b.data, b.len);
    buf_release(&b);
    return rc;
}

enum kam_err db_table_sums(struct db *db, struct arena *a, struct db_table_sum **out, size_t *n_out,
                           struct kam_error *e)
{
    *out = NULL;
    *n_out = 0;
    size_t cap = 64, n = 0;
    struct db_table_sum *t = arena_calloc(a, cap, sizeof *t);
    t[n++].table = "schema_version";
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, db_tables_sql(db), &st, e);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, e)) && row) {
        size_t len;
        const char *name = db_col_textn(st, 0, &len);
        if (!is_ident(name, len)) {
            rc = kam_fail(e, KAM_EINVAL, "", "table name '%.40s' is not plain", name);
            break;
        }
        if (n == cap) {
            struct db_table_sum *bigger = arena_calloc(a, cap * 2, sizeof *bigger);
            memcpy(bigger, t, cap * sizeof *t);
            t = bigger;
            cap *= 2;
        }
        t[n++].table = arena_strndup(a, name, len);
    }
    db_done(st);
    if (rc)
        return rc;
    qsort(t, n, sizeof *t, cmp_sum);
    for (size_t i = 0; i < n && !rc; i++) {
        char *cols = NULL;
        rc = table_cols(db, t[i].table, a, &cols, e);
        if (!rc) {
            t[i].cols = cols;
            rc = db_copy_checksum(db, t[i].table, cols, &t[i].rows, &t[i].sum, e);
        }
    }
    if (rc)
        return rc;
    *out = t;
    *n_out = n;
    return KAM_OK;
}

enum kam_err db_pg_snapshot(struct db *db, struct arena *a, char **id_out, struct kam_error *e)
{
    *id_out = NULL;
    if (strcmp(db_scheme(db), "postgres") != 0)
        return kam_fail(e, KAM_EINVAL, "db", "snapshots are exported by PostgreSQL only");
    enum kam_err rc = db_begin(db, e);
    if (rc)
        return rc;
    /* First statement of the transaction: the isolation level still may be set. */
    rc = db_exec(db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", e);
    struct db_stmt *st = NULL;
    if (!rc)
        rc = db_prepare(db, "SELECT pg_export_snapshot()", &st, e);
    if (!rc) {
        int row = 0;
        rc = db_step(st, &row, e);
        if (!rc && !row)
            rc = kam_fail(e, KAM_EDB, "", "pg_export_snapshot returned nothing");
        if (!rc) {
            size_t n;
            const char *id = db_col_textn(st, 0, &n);
            /* "00000003-0000001B-1": it travels in argv, so nothing else may pass. */
            if (!n || strspn(id, "0123456789ABCDEFabcdef-") != n)
                rc = kam_fail(e, KAM_EDB, "", "unexpected snapshot id");
            else
                *id_out = arena_strndup(a, id, n);
        }
        db_done(st);
    }
    if (rc)
        db_end(db, rc, e);
    return rc;
}

/* ---- pg_dump / pg_restore ---------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into b. -1 on a bad escape. */
static int pct_decode(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            buf_putc(b, s[i]);
            continue;
        }
        int h = i + 2 < n ? hexval(s[i + 1]) : -1, l = i + 2 < n ? hexval(s[i + 2]) : -1;
        if (h < 0 || l < 0)
            return -1;
        buf_putc(b, (char)(h * 16 + l));
        i += 2;
    }
    return 0;
}

/* Splits a postgres:// URL into the URL without its password (*url, in a) and the decoded
 * password (*pw, in a; NULL when there is none). The user information is what comes before the
 * first '@' after the scheme when no '/' comes first, as libpq reads it (a '?' does not end it);
 * a password may also come as the query parameter password=. */
static enum kam_err split_password(const char *dsn, struct arena *a, char **url, char **pw,
                                   struct kam_error *e)
{
    *url = NULL;
    *pw = NULL;
    const char *auth = strstr(dsn, "://");
    if (!auth)
        return kam_fail(e, KAM_EINVAL, "db", "not a postgres:// URL");
    auth += 3;
    size_t alen = strcspn(auth, "@/");
    const char *at = auth[alen] == '@' ? auth + alen : NULL;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    struct buf u, pass;
    buf_init(&u, 1 << 16);
    buf_init(&pass, 1 << 16);
    int have_pw = 0, bad = 0;
    if (colon) {
        buf_append(&u, dsn, (size_t)(colon - dsn));
        bad |= pct_decode(&pass, colon + 1, (size_t)(at - colon - 1));
        have_pw = 1;
        dsn = at;
    }
    /* The rest, without a password= parameter. */
    const char *q = strchr(dsn, '?');
    if (!q) {
        buf_puts(&u, dsn);
    } else {
        buf_append(&u, dsn, (size_t)(q - dsn));
        const char *p = q + 1;
        int first = 1;
        while (*p) {
            size_t n = strcspn(p, "&");
            if (n >= 9 && strncmp(p, "password=", 9) == 0) {
                pass.len = 0;
                bad |= pct_decode(&pass, p + 9, n - 9);
                have_pw = 1;
            } else if (n) {
                buf_putc(&u, first ? '?' : '&');
                buf_append(&u, p, n);
                first = 0;
            }
            p += n + (p[n] == '&');
        }
    }
    enum kam_err rc = KAM_OK;
    if (bad)
        rc = kam_fail(e, KAM_EINVAL, "db", "bad %%-escape in the DSN's password");
    else if (have_pw && pass.len &&
             (memchr(pass.data, '\n', pass.len) || memchr(pass.data, 0, pass.len)))
        rc = kam_fail(e, KAM_EINVAL, "db", "a password with a line break cannot be handed over");
    if (!rc) {
        *url = arena_strndup(a, u.data, u.len);
        if (have_pw)
            *pw = arena_strndup(a, pass.len ? pass.data : "", pass.len);
    }
    buf_release(&u);
    buf_release(&pass);
    return rc;
}

/* Runs argv[0] (from KAM_PG_BINDIR or PATH) with PGPASSFILE=passfile when given; the child's
 * standard error is collected and its first lines end up in the message of a failure. */
static enum kam_err run_tool(char **argv, const char *passfile, struct kam_error *e)
{
    const char *tool = argv[0];
    char path[4096];
    const char *bindir = getenv("KAM_PG_BINDIR");
    if (bindir && *bindir) {
        snprintf(path, sizeof path, "%s/%s", bindir, tool);
        argv[0] = path;
    }
    /* The environment, plus PGPASSFILE (replacing one the caller had). */
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **envp = calloc(ne + 2, sizeof *envp);
    char passenv[4200];
    if (!envp)
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (!passfile || strncmp(environ[i], "PGPASSFILE=", 11) != 0)
            envp[k++] = environ[i];
    if (passfile) {
        snprintf(passenv, sizeof passenv, "PGPASSFILE=%s", passfile);
        envp[k++] = passenv;
    }
    envp[k] = NULL;
    int fds[2];
    if (pipe(fds) != 0) {
        free(envp);
        return kam_fail(e, KAM_EIO, "", "pipe: %s", strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    close(fds[1]);
    if (err) {
        close(fds[0]);
        argv[0] = (char *)tool;
        if (err == ENOENT)
            return kam_fail(e, KAM_EIO, "",
                            "%s not found: install postgresql-client (of the "
                            "server's major version or newer) or set "
                            "KAM_PG_BINDIR",
                            tool);
        return kam_fail(e, KAM_EIO, "", "cannot run %s: %s", tool, strerror(err));
    }
    char msg[4096];
    size_t got = 0;
    for (;;) {
        char chunk[4096];
        ssize_t r = read(fds[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t take = (size_t)r < sizeof msg - 1 - got ? (size_t)r : sizeof msg - 1 - got;
        memcpy(msg + got, chunk, take);
        got += take;
    }
    msg[got] = 0;
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    argv[0] = (char *)tool;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return KAM_OK;
    /* "pg_dump: error: ..." lines, joined. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' && p[1])
            *p = ' ';
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    if (WIFEXITED(status))
        return kam_fail(e, KAM_EIO, "", "%s failed (exit %d): %.150s", tool, WEXITSTATUS(status),
                        *msg ? msg : "no message");
    return kam_fail(e, KAM_EIO, "", "%s was killed (signal %d)", tool,
                    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Runs tool with args (NULL-terminated, --dbname=URL appended) against dsn, a password in it
 * handed over through a passfile. */
static enum kam_err run_pg(const char *tool, const char *const *args, const char *dsn,
                           struct kam_error *e)
{
    struct arena a;
    arena_init(&a);
    char *url = NULL, *pw = NULL;
    enum kam_err rc = split_password(dsn, &a, &url, &pw, e);
    char dir[4096] = "", passfile[4200] = "";
    if (!rc && pw) {
        /* A private directory (0700) and a 0600 file: what libpq demands of a passfile. */
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/kam-pgpass.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            rc = kam_fail(e, KAM_EIO, "", "cannot make a temporary directory: %s", strerror(errno));
            dir[0] = 0;
        } else {
            snprintf(passfile, sizeof passfile, "%s/pgpass", dir);
            int fd = open(passfile, O_WRONLY | O_CREAT | O_EXCL, 0600);
            struct buf line;
            buf_init(&line, 1 << 17);
            buf_puts(&line, "*:*:*:*:");
            for (const char *p = pw; *p; p++) {
                if (*p == ':' || *p == '\\')
                    buf_putc(&line, '\\');
                buf_putc(&line, *p);
            }
            buf_putc(&line, '\n');
            if (fd < 0 || write(fd, line.data, line.len) != (ssize_t)line.len)
                rc = kam_fail(e, KAM_EIO, "", "cannot write the passfile: %s", strerror(errno));
            if (fd >= 0 && close(fd) != 0 && !rc)
                rc = kam_fail(e, KAM_EIO, "", "cannot write the passfile: %s", strerror(errno));
            buf_release(&line);
        }
    }
    if (!rc) {
        char *argv[24];
        size_t n = 0;
        argv[n++] = (char *)tool;
        for (size_t i = 0; args[i] && n < 22; i++)
            argv[n++] = (char *)args[i];
        size_t ul = strlen(url) + 16;
        char *dbarg = arena_alloc(&a, ul);
        snprintf(dbarg, ul, "--dbname=%s", url);
        argv[n++] = dbarg;
        argv[n] = NULL;
        rc = run_tool(argv, *passfile ? passfile : NULL, e);
    }
    if (*passfile)
        unlink(passfile);
    if (*dir)
        rmdir(dir);
    arena_release(&a);
    return rc;
}

enum kam_err db_pg_dump(const char *dsn, const char *snapshot, const char *path,
                        struct kam_error *e)
{
    char snap[128] = "", file[4200];
    if (snapshot)
        snprintf(snap, sizeof snap, "--snapshot=%s", snapshot);
    snprintf(file, sizeof file, "--file=%s", path);
    /* --no-comments: KAM's schema has none, and the one pg_dump writes for the pg_trgm
     * extension can be restored only by the extension's owner (--exit-on-error would stop). */
    const char *args[] = {
        "--format=custom",      "--no-owner", "--no-privileges", "--no-comments", file,
        snapshot ? snap : NULL, NULL};
    return run_pg("pg_dump", args, dsn, e);
}

enum kam_err db_pg_restore(const char *dsn, const char *path, struct kam_error *e)
{
    /* The archive last: pg_restore takes it as its one positional argument. --dbname comes
     * after it, which getopt_long accepts (permutation). */
    char safe[4096];
    if (path[0] == '-') { /* not an option: "-x" is the file ./-x */
        if ((size_t)snprintf(safe, sizeof safe, "./%s", path) >= sizeof safe)
            return kam_fail(e, KAM_EINVAL, "from", "the backup's path is too long");
        path = safe;
    }
    const char *args[] = {
        "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", path, NULL};
    return run_pg("pg_restore", args, dsn, e);
}

enum kam_err db_drop_tables(struct db *db, struct kam_error *e)
{
    struct buf sql;
    buf_init(&sql, 1 << 20);
    buf_puts(&sql, "DROP TABLE IF EXISTS schema_version");
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, db_tables_sql(db), &st, e);
    if (rc) {
        buf_release(&sql);
        return rc;
    }
    int row = 0;
    while (!(rc = db_step(st, &row, e)) && row) {
        /* A quoted identifier: the catalog's names, whatever they are. */
        buf_puts(&sql, ", \"");
        for (const char *p = db_col_text(st, 0); *p; p++) {
            if (*p == '"')
                buf_putc(&sql, '"');
            buf_putc(&sql, *p);
        }
        buf_putc(&sql, '"');
    }
    db_done(st);
    if (!rc)
        buf_puts(&sql, strcmp(db_scheme(db), "postgres") == 0 ? " CASCADE" : "");
    /* the functions the dropped triggers ran: a restore creates them again */
    if (!rc && db_functions_sql(db) && !(rc = db_prepare(db, db_functions_sql(db), &st, e))) {
        int n = 0;
        while (!(rc = db_step(st, &row, e)) && row) {
            buf_puts(&sql, n++ ? ", " : "; DROP FUNCTION IF EXISTS ");
            buf_puts(&sql, db_col_text(st, 0)); /* regprocedure: quoted where needed */
        }
        db_done(st);
        if (n)
            buf_puts(&sql, " CASCADE");
    }
    if (!rc) {
        rc = db_begin(db, e);
        if (!rc)
            rc = db_end(db, db_exec(db, sql.data, e), e);
    }
    buf_release(&sql);
    return rc;
}

enum kam_err db_backup_seal(struct db *db, struct kam_error *e)
{
    if (strcmp(db_scheme(db), "sqlite") != 0)
        return KAM_OK;
    /* The backup API copies pages as they are, damaged ones too: check the structure. */
    struct db_stmt *st;
    enum kam_err rc = db_prepare(db, "PRAGMA quick_check", &st, e);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, e);
    if (!rc && (!row || strcmp(db_col_text(st, 0), "ok") != 0))
        rc = kam_fail(e, KAM_EDB, "db", "the copy fails SQLite's quick_check: %.120s",
                      row ? db_col_text(st, 0) : "no answer");
    db_done(st);
    /* One self-contained file: no -wal/-shm needed to read it. */
    if (!rc)
        rc = db_exec(db, "PRAGMA journal_mode=DELETE", e);
    return rc;
}

enum kam_err db_table_count(struct db *db, int64_t *n_out, struct kam_error *e)
{
    const char *sql = strcmp(db_scheme(db), "sqlite") == 0
                          ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                          : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                            "current_schema()";
    return db_query_i64(db, sql, 0, 0, n_out, e);
}
