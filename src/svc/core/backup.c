/* backup.c -- kam backup / kam restore: orchestration, the manifest and the file hash. The
 * engines' parts (online backup, snapshot, pg_dump/pg_restore, checksums) are in the store
 * (store/backup.c, db_sqlite.c). */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "store/db.h"

#define MANIFEST_MAX_TABLES 4096
#define MANIFEST_MAX_LINE (64 * 1024)

const char *backup_manifest_path(const char *file, struct arena *a)
{
    size_t n = strlen(file) + sizeof ".manifest";
    char *p = arena_alloc(a, n);
    snprintf(p, n, "%s.manifest", file);
    return p;
}

/* A new empty file "PATH.SUFFIX-XXXXXX" (mode 0600) next to path; its name in a. */
static enum kam_err temp_next_to(const char *path, const char *suffix, struct arena *a, char **out,
                                 const char *field, struct kam_error *e)
{
    size_t n = strlen(path) + strlen(suffix) + 16;
    char *t = arena_alloc(a, n);
    snprintf(t, n, "%s.%s-XXXXXX", path, suffix);
    int fd = mkstemp(t);
    if (fd < 0)
        return kam_fail(e, KAM_EIO, field, "cannot create a file next to %s: %s", path,
                        strerror(errno));
    close(fd);
    *out = t;
    return KAM_OK;
}

/* Removes a SQLite file with its -wal/-shm/-journal companions. */
static void unlink_db(const char *path)
{
    char p[4200];
    unlink(path);
    static const char *const ext[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
}

static enum kam_err fsync_path(const char *path, int dir, const char *field, struct kam_error *e)
{
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return kam_fail(e, KAM_EIO, field, "cannot open %s: %s", path, strerror(errno));
    int r = fsync(fd);
    int err = errno;
    close(fd);
    if (r != 0 && !(dir && err == EINVAL))
        return kam_fail(e, KAM_EIO, field, "fsync %s: %s", path, strerror(err));
    return KAM_OK;
}

static enum kam_err fsync_dir_of(const char *path, const char *field, struct kam_error *e)
{
    char d[4200];
    snprintf(d, sizeof d, "%s", path);
    char *slash = strrchr(d, '/');
    if (!slash)
        snprintf(d, sizeof d, ".");
    else if (slash == d)
        d[1] = 0;
    else
        *slash = 0;
    return fsync_path(d, 1, field, e);
}

/* Size and BLAKE2b-256 (hex) of a file. */
static enum kam_err file_hash(const char *path, int64_t *bytes, char hex[65], const char *field,
                              struct kam_error *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kam_fail(e, KAM_EIO, field, "cannot read %s: %s", path, strerror(errno));
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    unsigned char *chunk = malloc(1 << 20);
    if (!chunk) {
        fclose(f);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    size_t r;
    *bytes = 0;
    while ((r = fread(chunk, 1, 1 << 20, f)) > 0) {
        crypto_generichash_update(&st, chunk, r);
        *bytes += (int64_t)r;
    }
    int bad = ferror(f);
    free(chunk);
    fclose(f);
    if (bad)
        return kam_fail(e, KAM_EIO, field, "reading %s failed", path);
    unsigned char h[32];
    crypto_generichash_final(&st, h, sizeof h);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    return KAM_OK;
}

static enum kam_err write_manifest(const char *path, const struct backup_manifest *m,
                                   struct kam_error *e)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return kam_fail(e, KAM_EIO, "to", "cannot write %s: %s", path, strerror(errno));
    char when[32];
    time_iso(m->created, when, sizeof when);
    fprintf(f,
            "kam-backup 1\nengine %s\nschema %d\ncreated %" PRId64 " %s\nbytes %" PRId64
            "\nblake2b %s\n",
            m->engine, m->schema, m->created, when, m->bytes, m->blake2b);
    for (size_t i = 0; i < m->ntables; i++) {
        const struct backup_table *t = &m->tables[i];
        fprintf(f, "table %s %" PRId64 " %016" PRIx64 " %s\n", t->table, t->rows, t->sum, t->cols);
    }
    fputs("end\n", f);
    int bad = ferror(f) | fflush(f) | fsync(fileno(f));
    if (fclose(f) != 0 || bad)
        return kam_fail(e, KAM_EIO, "to", "writing %s failed", path);
    return KAM_OK;
}

static int plain_name(const char *s)
{
    size_t n = strlen(s);
    return n && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static int plain_cols(const char *s)
{
    size_t n = strlen(s);
    return n && s[0] != ',' && s[n - 1] != ',' && !strstr(s, ",,") &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_,") == n;
}

static enum kam_err read_manifest(const char *path, struct arena *a, struct backup_manifest *m,
                                  struct kam_error *e)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return kam_fail(e, KAM_ENOTFOUND, "from",
                            "%s is missing: kam backup writes it next to every backup; copy "
                            "both files",
                            path);
        return kam_fail(e, KAM_EIO, "from", "cannot read %s: %s", path, strerror(errno));
    }
    char *line = malloc(MANIFEST_MAX_LINE);
    if (!line) {
        fclose(f);
        return kam_fail(e, KAM_EINTERNAL, "", "out of memory");
    }
    size_t cap = 64;
    m->tables = arena_calloc(a, cap, sizeof *m->tables);
    enum kam_err rc = KAM_OK;
    int lineno = 0, have = 0, ended = 0;
    while (!rc && fgets(line, MANIFEST_MAX_LINE, f)) {
        lineno++;
        size_t n = strlen(line);
        if (!n || line[n - 1] != '\n') {
            rc = kam_fail(e, KAM_EINVAL, "from", "%s line %d: too long or not ended", path, lineno);
            break;
        }
        line[--n] = 0;
        if (ended) {
            rc = kam_fail(e, KAM_EINVAL, "from", "%s line %d: text after \"end\"", path, lineno);
            break;
        }
        char w1[32] = "", w2[128] = "", w3[128] = "";
        int k;
        if (lineno == 1) {
            if (strcmp(line, "kam-backup 1") != 0)
                rc = kam_fail(e, KAM_EINVAL, "from", "%s is not a kam backup manifest (format 1)",
                              path);
        } else if (sscanf(line, "engine %15s%n", w1, &k) == 1 && !line[k]) {
            m->engine = strcmp(w1, "sqlite") == 0     ? "sqlite"
                        : strcmp(w1, "postgres") == 0 ? "postgres"
                                                      : NULL;
            have |= 1;
        } else if (sscanf(line, "schema %d%n", &m->schema, &k) == 1 && !line[k]) {
            have |= 2;
        } else if (sscanf(line, "created %" SCNd64 " %31s%n", &m->created, w1, &k) == 2 &&
                   !line[k]) {
            have |= 4;
        } else if (sscanf(line, "bytes %" SCNd64 "%n", &m->bytes, &k) == 1 && !line[k]) {
            have |= 8;
        } else if (sscanf(line, "blake2b %64s%n", m->blake2b, &k) == 1 && !line[k] &&
                   strlen(m->blake2b) == 64 && strspn(m->blake2b, "0123456789abcdef") == 64) {
            have |= 16;
        } else if (strncmp(line, "table ", 6) == 0) {
            char *cols = arena_alloc(a, n + 1);
            int64_t rows;
            if (sscanf(line, "table %127s %" SCNd64 " %127s %s%n", w2, &rows, w3, cols, &k) != 4 ||
                line[k] || !plain_name(w2) || !plain_cols(cols) || rows < 0 || strlen(w3) != 16 ||
                strspn(w3, "0123456789abcdef") != 16) {
                rc = kam_fail(e, KAM_EINVAL, "from", "%s line %d: bad table line", path, lineno);
                break;
            }
            if (m->ntables == MANIFEST_MAX_TABLES) {
                rc = kam_fail(e, KAM_ETOOBIG, "from", "%s: more than %d tables", path,
                              MANIFEST_MAX_TABLES);
                break;
            }
            if (m->ntables == cap) {
                struct backup_table *t = arena_calloc(a, cap * 2, sizeof *t);
                memcpy(t, m->tables, cap * sizeof *t);
                m->tables = t;
                cap *= 2;
            }
            struct backup_table *t = &m->tables[m->ntables++];
            t->table = arena_strndup(a, w2, strlen(w2));
            t->cols = cols;
            t->rows = rows;
            t->sum = strtoull(w3, NULL, 16);
        } else if (strcmp(line, "end") == 0) {
            ended = 1;
        } else {
            rc = kam_fail(e, KAM_EINVAL, "from", "%s line %d: not understood", path, lineno);
        }
    }
    free(line);
    fclose(f);
    if (rc)
        return rc;
    if (!ended)
        return kam_fail(e, KAM_EINVAL, "from", "%s is cut short (no \"end\" line)", path);
    if (have != 31 || !m->engine || m->schema < 1 || !m->ntables)
        return kam_fail(e, KAM_EINVAL, "from",
                        "%s lacks engine, schema, created, bytes, blake2b or tables", path);
    return KAM_OK;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static const char *engine_of(const char *dsn)
{
    if (db_sqlite_path(dsn))
        return "sqlite";
    if (strncmp(dsn, "postgres://", 11) == 0 || strncmp(dsn, "postgresql://", 13) == 0)
        return "postgres";
    return NULL;
}

static char *sqlite_dsn(const char *path, struct arena *a)
{
    size_t n = strlen(path) + 8;
    char *d = arena_alloc(a, n);
    snprintf(d, n, "sqlite:%s", path);
    return d;
}

/* The schema version, read only (db_schema_version creates its table: not in a read-only
 * snapshot). */
static enum kam_err read_version(struct db *db, int *v, struct kam_error *e)
{
    int64_t n = 0;
    enum kam_err rc =
        db_query_i64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", 0, 0, &n, e);
    *v = (int)n;
    return rc;
}

/* The figures of db's tables into the manifest. */
static enum kam_err record_sums(struct db *db, struct arena *a, struct backup_manifest *m,
                                backup_progress progress, void *user, struct kam_error *e)
{
    struct db_table_sum *s;
    size_t n;
    enum kam_err rc = db_table_sums(db, a, &s, &n, e);
    if (rc)
        return rc;
    m->tables = arena_calloc(a, n, sizeof *m->tables);
    m->ntables = n;
    for (size_t i = 0; i < n; i++) {
        struct backup_table *t = &m->tables[i];
        t->table = s[i].table;
        t->cols = s[i].cols;
        t->rows = t->rows_got = s[i].rows;
        t->sum = t->sum_got = s[i].sum;
        t->ok = 1;
        if (progress)
            progress(t, user);
    }
    return KAM_OK;
}

enum kam_err backup_create(const char *dsn, const char *file, struct arena *a,
                           backup_progress progress, void *user, struct backup_manifest *out,
                           struct kam_error *e)
{
    struct backup_manifest m = {.engine = engine_of(dsn), .created = time_now()};
    if (!m.engine)
        return kam_fail(e, KAM_EINVAL, "db", "--db must be sqlite:PATH or postgres://...");
    const char *src_path = db_sqlite_path(dsn);
    if (!*file)
        return kam_fail(e, KAM_EINVAL, "to", "empty file name");
    if (src_path && same_file(src_path, file))
        return kam_fail(e, KAM_EINVAL, "to", "%s is the database itself", file);
    const char *mpath = backup_manifest_path(file, a);
    struct stat sb;
    if (stat(file, &sb) == 0 && access(mpath, F_OK) != 0)
        return kam_fail(e, KAM_ECONFLICT, "to",
                        "%s exists and is not a kam backup (no %s next to it): choose another "
                        "name or remove it",
                        file, mpath);
    struct db *src = NULL, *copy = NULL;
    enum kam_err rc = db_open_with(dsn, DB_OPEN_INITIALISED, &src, e);
    if (rc)
        return rc;
    char *tmp = NULL, *mtmp = NULL;
    if ((rc = temp_next_to(file, "tmp", a, &tmp, "to", e)))
        goto out;
    if (src_path) {
        /* The server's writes go on (WAL); the copy is one snapshot. Its checksums are then
         * computed on the copy itself: they describe exactly what the file holds. */
        db_close(src);
        src = NULL;
        if ((rc = db_sqlite_backup(src_path, tmp, 0, e)))
            goto out;
        if ((rc = db_open_raw(sqlite_dsn(tmp, a), &copy, e)))
            goto out;
        if (!(rc = read_version(copy, &m.schema, e)) &&
            !(rc = record_sums(copy, a, &m, progress, user, e)))
            rc = db_backup_seal(copy, e);
        db_close(copy);
        copy = NULL;
    } else {
        /* One snapshot for the checksums and for pg_dump: exported by a REPEATABLE READ
         * transaction that stays open until pg_dump has finished. */
        char *snap = NULL;
        if ((rc = db_pg_snapshot(src, a, &snap, e)))
            goto out;
        if (!(rc = read_version(src, &m.schema, e)) &&
            !(rc = record_sums(src, a, &m, progress, user, e)))
            rc = db_pg_dump(dsn, snap, tmp, e);
        rc = db_end(src, rc, e);
    }
    if (rc)
        goto out;
    if ((rc = fsync_path(tmp, 0, "to", e)) || (rc = file_hash(tmp, &m.bytes, m.blake2b, "to", e)) ||
        (rc = temp_next_to(mpath, "tmp", a, &mtmp, "to", e)) || (rc = write_manifest(mtmp, &m, e)))
        goto out;
    /* The data first: a crash between the two renames leaves the new file with the old
     * manifest, which restore refuses (size and hash differ), never a silent mix. */
    if (rename(tmp, file) != 0 || rename(mtmp, mpath) != 0) {
        rc = kam_fail(e, KAM_EIO, "to", "cannot rename into %s: %s", file, strerror(errno));
        goto out;
    }
    tmp = mtmp = NULL;
    rc = fsync_dir_of(file, "to", e);
out:
    db_close(src);
    if (tmp)
        unlink_db(tmp);
    if (mtmp)
        unlink(mtmp);
    if (!rc && out)
        *out = m;
    return rc;
}

/* Compares db's tables with the manifest's; progress sees each. KAM_EDB naming the first
 * table that differs (after all were reported). */
static enum kam_err verify(struct db *db, struct arena *a, struct backup_manifest *m,
                           backup_progress progress, void *user, struct kam_error *e)
{
    struct db_table_sum *s;
    size_t n;
    enum kam_err rc = db_table_sums(db, a, &s, &n, e);
    if (rc)
        return rc;
    const char *bad = NULL;
    for (size_t i = 0; i < m->ntables; i++) {
        struct backup_table *t = &m->tables[i];
        size_t j = 0;
        while (j < n && strcmp(s[j].table, t->table) != 0)
            j++;
        t->ok =
            j < n && strcmp(s[j].cols, t->cols) == 0 && s[j].rows == t->rows && s[j].sum == t->sum;
        t->rows_got = j < n ? s[j].rows : -1;
        t->sum_got = j < n ? s[j].sum : 0;
        if (progress)
            progress(t, user);
        if (!t->ok && !bad)
            bad = t->table;
    }
    if (bad)
        return kam_fail(e, KAM_EDB, "", "verification failed: table %s differs from the manifest",
                        bad);
    for (size_t j = 0; j < n; j++) {
        size_t i = 0;
        while (i < m->ntables && strcmp(s[j].table, m->tables[i].table) != 0)
            i++;
        if (i == m->ntables)
            return kam_fail(e, KAM_EDB, "", "verification failed: table %s is not in the manifest",
                            s[j].table);
    }
    return KAM_OK;
}

/* Verifies the restored database at dsn_now and migrates it forward. */
static enum kam_err verify_and_migrate(const char *dsn_now, struct arena *a,
                                       struct backup_manifest *m, backup_progress progress,
                                       void *user, int *migrated, struct kam_error *e)
{
    struct db *db = NULL;
    enum kam_err rc = db_open_raw(dsn_now, &db, e);
    if (rc)
        return rc;
    int v = 0;
    if (!(rc = read_version(db, &v, e)) && v != m->schema)
        rc = kam_fail(e, KAM_EDB, "db",
                      "the restored database has schema version %d, the "
                      "manifest says %d",
                      v, m->schema);
    if (!rc)
        rc = verify(db, a, m, progress, user, e);
    if (!rc)
        rc = db_migrate(db, migrated, e);
    db_close(db);
    return rc;
}

static enum kam_err restore_sqlite(const char *file, const char *path, int force, struct arena *a,
                                   struct backup_manifest *m, backup_progress progress, void *user,
                                   int *migrated, struct kam_error *e)
{
    struct stat sb;
    int existing = stat(path, &sb) == 0 && sb.st_size > 0;
    if (same_file(file, path))
        return kam_fail(e, KAM_EINVAL, "db", "%s is the backup itself", path);
    if (existing && !force)
        return kam_fail(e, KAM_ECONFLICT, "db",
                        "%s already holds a database: restore into a new file, or add --force "
                        "to replace its content",
                        path);
    if (!existing) {
        /* A WAL left by a removed database would be replayed into the new one. */
        char wal[4200];
        snprintf(wal, sizeof wal, "%s-wal", path);
        if (stat(wal, &sb) == 0 && sb.st_size > 0)
            return kam_fail(e, KAM_ECONFLICT, "db",
                            "%s is left over from another database: remove it first", wal);
    }
    char *tmp = NULL;
    enum kam_err rc = temp_next_to(path, "restore", a, &tmp, "db", e);
    if (rc)
        return rc;
    rc = db_sqlite_backup(file, tmp, DB_SQLITE_FROM_READONLY, e);
    if (rc && !strcmp(e->field, "to"))
        snprintf(e->field, sizeof e->field, "db");
    if (!rc)
        rc = verify_and_migrate(sqlite_dsn(tmp, a), a, m, progress, user, migrated, e);
    if (!rc && !existing) {
        if (rename(tmp, path) != 0)
            rc = kam_fail(e, KAM_EIO, "db", "cannot rename into %s: %s", path, strerror(errno));
        else
            tmp = NULL;
        if (!rc)
            rc = fsync_dir_of(path, "db", e);
    } else if (!rc) {
        /* The backup API again, into the live file: one transaction, SQLite's own locking, and
         * the target's WAL stays consistent with it (a rename would strand it). */
        rc = db_sqlite_backup(tmp, path, 0, e);
        if (rc && !strcmp(e->field, "to"))
            snprintf(e->field, sizeof e->field, "db");
    }
    if (tmp)
        unlink_db(tmp);
    return rc;
}

static enum kam_err restore_pg(const char *file, const char *dsn, int force, struct arena *a,
                               struct backup_manifest *m, backup_progress progress, void *user,
                               int *migrated, struct kam_error *e)
{
    struct db *db = NULL;
    enum kam_err rc = db_open_raw(dsn, &db, e);
    if (rc)
        return rc;
    int64_t used = 0;
    rc = db_table_count(db, &used, e);
    if (!rc && used && !force)
        rc = kam_fail(e, KAM_ECONFLICT, "db",
                      "the target database already holds tables: restore into an empty "
                      "database (createdb), or add --force to drop them");
    if (!rc && used)
        rc = db_drop_tables(db, e);
    db_close(db);
    if (!rc && (rc = db_pg_restore(dsn, file, e)) && used) {
        /* Say what --force has already done: the old tables are gone. */
        struct kam_error first = *e;
        kam_error_clear(e);
        kam_fail(e, rc, "db", "%.140s; the target's old tables were dropped", first.msg);
    }
    if (rc == KAM_EIO && !*e->field)
        snprintf(e->field, sizeof e->field, "db");
    if (!rc)
        rc = verify_and_migrate(dsn, a, m, progress, user, migrated, e);
    return rc;
}

enum kam_err backup_restore(const char *file, const char *dsn, int force, struct arena *a,
                            backup_progress progress, void *user, struct backup_manifest *out,
                            int *migrated_out, struct kam_error *e)
{
    struct backup_manifest m;
    int migrated = 0;
    if (migrated_out)
        *migrated_out = 0;
    const char *engine = engine_of(dsn);
    if (!engine)
        return kam_fail(e, KAM_EINVAL, "db", "--db must be sqlite:PATH or postgres://...");
    enum kam_err rc = read_manifest(backup_manifest_path(file, a), a, &m, e);
    if (rc)
        return rc;
    int64_t bytes = 0;
    char hex[65];
    if ((rc = file_hash(file, &bytes, hex, "from", e)))
        return rc;
    if (bytes != m.bytes || strcmp(hex, m.blake2b) != 0)
        return kam_fail(e, KAM_EINVAL, "from",
                        "%s does not match its manifest (%lld bytes, the manifest says %lld, or "
                        "the hash differs): it changed after the backup",
                        file, (long long)bytes, (long long)m.bytes);
    if (strcmp(engine, m.engine) != 0)
        return kam_fail(e, KAM_EINVAL, "db",
                        "%s is a %s backup and --db is %s: restore it into a %s database, then "
                        "copy that with kam migrate-data",
                        file, m.engine, engine, m.engine);
    int latest = db_schema_latest(dsn);
    if (m.schema > latest)
        return kam_fail(e, KAM_EINVAL, "from",
                        "the backup has schema version %d, this kam knows up to %d: restore it "
                        "with a newer kam",
                        m.schema, latest);
    if (!strcmp(engine, "sqlite"))
        rc = restore_sqlite(file, db_sqlite_path(dsn), force, a, &m, progress, user, &migrated, e);
    else
        rc = restore_pg(file, dsn, force, a, &m, progress, user, &migrated, e);
    if (!rc && out)
        *out = m;
    if (!rc && migrated_out)
        *migrated_out = migrated;
    return rc;
}
