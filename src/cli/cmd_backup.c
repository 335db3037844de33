/* cmd_backup.c -- kam backup --db DSN --to FILE; kam restore --from FILE --db DSN [--force]. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli.h"
#include "svc/core/backup.h"

/* Declared here as well as in cli.c's table (their home is cli.h). */
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

static void show(const struct backup_table *t, void *user)
{
    int restoring = *(int *)user;
    if (!restoring) {
        printf("%-24s %10" PRId64 " rows  checksum %016" PRIx64 "\n", t->table, t->rows, t->sum);
    } else if (t->ok) {
        printf("%-24s %10" PRId64 " rows  checksum %016" PRIx64 "  ok\n", t->table, t->rows,
               t->sum);
    } else if (t->rows_got < 0) {
        printf("%-24s %10" PRId64 " rows  checksum %016" PRIx64 "  MISSING\n", t->table, t->rows,
               t->sum);
    } else {
        printf("%-24s %10" PRId64 " rows  checksum %016" PRIx64 "  MISMATCH (restored %" PRId64
               " rows, checksum %016" PRIx64 ")\n",
               t->table, t->rows, t->sum, t->rows_got, t->sum_got);
    }
    fflush(stdout);
}

/* "kam: message (--flag)": the services name the side at fault (to, from, db). */
static int failed(const struct kam_error *e)
{
    int flag = !strcmp(e->field, "to") || !strcmp(e->field, "from") || !strcmp(e->field, "db");
    fprintf(stderr, "kam: %s%s%s%s\n", e->msg, flag ? " (--" : "", flag ? e->field : "",
            flag ? ")" : "");
    return EXIT_FAIL;
}

static int64_t total_rows(const struct backup_manifest *m)
{
    int64_t n = 0;
    for (size_t i = 0; i < m->ntables; i++)
        n += m->tables[i].rows;
    return n;
}

int cmd_backup(int argc, char **argv)
{
    const char *dsn = NULL, *to = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"to", required_argument, 0, 't'}, {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd') {
            dsn = optarg;
        } else if (o == 't') {
            to = optarg;
        } else {
            cli_usage(stderr, cli_find("backup"));
            return EXIT_USAGE;
        }
    }
    if (!to || !*to || optind != argc) {
        cli_usage(stderr, cli_find("backup"));
        return EXIT_USAGE;
    }
    dsn = cli_dsn(dsn);
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct backup_manifest m;
    int restoring = 0;
    int64_t t0 = time_mono_us();
    int rc = EXIT_OK;
    if (backup_create(dsn, to, &a, show, &restoring, &m, &e)) {
        rc = failed(&e);
    } else {
        char shown[200];
        printf("kam: backed up %s to %s (%s, schema %d, %zu tables, %" PRId64 " rows, %" PRId64
               " bytes) in %.2f s; checksums in %s\n",
               conn_dsn_masked(dsn, shown, sizeof shown), to, m.engine, m.schema, m.ntables,
               total_rows(&m), m.bytes, (double)(time_mono_us() - t0) / 1e6,
               backup_manifest_path(to, &a));
    }
    arena_release(&a);
    return rc;
}

int cmd_restore(int argc, char **argv)
{
    const char *dsn = NULL, *from = NULL;
    int force = 0;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"from", required_argument, 0, 'f'},
                                         {"force", no_argument, 0, 'F'},
                                         {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd') {
            dsn = optarg;
        } else if (o == 'f') {
            from = optarg;
        } else if (o == 'F') {
            force = 1;
        } else {
            cli_usage(stderr, cli_find("restore"));
            return EXIT_USAGE;
        }
    }
    if (!from || !*from || optind != argc) {
        cli_usage(stderr, cli_find("restore"));
        return EXIT_USAGE;
    }
    dsn = cli_dsn(dsn);
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct backup_manifest m;
    int restoring = 1, migrated = 0;
    int64_t t0 = time_mono_us();
    int rc = EXIT_OK;
    if (backup_restore(from, dsn, force, &a, show, &restoring, &m, &migrated, &e)) {
        rc = failed(&e);
    } else {
        char shown[200];
        printf("kam: restored %s into %s: %zu tables, %" PRId64
               " rows verified against the manifest (schema %d",
               from, conn_dsn_masked(dsn, shown, sizeof shown), m.ntables, total_rows(&m),
               m.schema);
        if (migrated)
            printf(", then %d migration%s applied", migrated, migrated == 1 ? "" : "s");
        printf(") in %.2f s\n", (double)(time_mono_us() - t0) / 1e6);
    }
    arena_release(&a);
    return rc;
}
