/* backup.h -- kam backup and kam restore: a consistent copy of a running installation with a
 * manifest of per-table checksums, and its verified restore.
 *
 * A backup is two files: FILE, the engine's own format (a SQLite database file in rollback
 * journal mode, readable with sqlite3 even from read-only media; a pg_dump custom-format
 * archive, readable with pg_restore), and FILE.manifest, a small text file:
 *
 *     kam-backup 1
 *     engine sqlite                       (or postgres)
 *     schema 8                            (schema version of the copy)
 *     created 1765000000 2026-12-06T03:00:00Z
 *     bytes 1234567                       (size of FILE)
 *     blake2b 64-hex                      (BLAKE2b-256 of FILE)
 *     table accounts 212 0123456789abcdef id,code,name,...   (rows, checksum, columns)
 *     ...
 *     end
 *
 * The checksums are the ones kam migrate-data verifies (store/copy.h: db_copy_checksum), over
 * each table's columns as the catalog lists them, computed on exactly what FILE holds: SQLite:
 * on the finished copy; PostgreSQL: in the snapshot pg_dump is given. */
#ifndef KAM_BACKUP_H
#define KAM_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

struct backup_table {
    const char *table;
    const char *cols; /* "a,b,c" */
    int64_t rows;
    uint64_t sum;
    /* restore: the restored table's figures, and whether they equal the manifest's */
    int64_t rows_got;
    uint64_t sum_got;
    int ok;
};

struct backup_manifest {
    const char *engine; /* "sqlite" | "postgres" */
    int schema;
    int64_t created; /* unix seconds */
    int64_t bytes;
    char blake2b[65];
    struct backup_table *tables;
    size_t ntables;
};

/* Called once per table: after its checksum was recorded (backup) or compared (restore). */
typedef void (*backup_progress)(const struct backup_table *t, void *user);

/* kam backup: writes a consistent copy of the installation at dsn (which must exist and hold
 * KAM's schema; it is neither migrated nor written to) to file, and file.manifest. The
 * database may be in use meanwhile. Both files are written under temporary names in file's
 * directory and renamed into place at the end, so an older backup of the same name stays
 * intact until the new one is complete. Refuses (KAM_ECONFLICT, field "to") a file that
 * exists without a manifest next to it (not a kam backup), and (KAM_EINVAL) the database
 * file itself. *out (may be NULL) describes what was written, in a. */
enum kam_err backup_create(const char *dsn, const char *file, struct arena *a,
                           backup_progress progress, void *user, struct backup_manifest *out,
                           struct kam_error *e);

/* kam restore: checks file against file.manifest (size, BLAKE2b), refuses a backup of another
 * engine (restore into the same engine, then kam migrate-data) or of a newer schema than this
 * binary knows, restores it into dsn, compares every table with the manifest (progress sees
 * each), and migrates the result forward when the backup is older (*migrated_out: how many
 * migrations). A target that already holds a database is refused (KAM_ECONFLICT, field "db")
 * unless force:
 *   SQLite: the copy is made and verified in a new file next to the target, then renamed into
 *           place (a new target) or copied into the target with SQLite's backup API in one
 *           transaction (force: the old content is replaced; connections still open on the
 *           file see the new content).
 *   PostgreSQL: the database (which must exist, e.g. from createdb) gets pg_restore
 *           --single-transaction; force first drops every table of its schema (CASCADE).
 * Errors name the side at fault: field "from" (the backup) or "db" (the target). */
enum kam_err backup_restore(const char *file, const char *dsn, int force, struct arena *a,
                            backup_progress progress, void *user, struct backup_manifest *out,
                            int *migrated_out, struct kam_error *e);

/* file's manifest path ("FILE.manifest"), in a. */
const char *backup_manifest_path(const char *file, struct arena *a);

#endif
