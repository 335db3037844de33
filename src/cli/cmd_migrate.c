/* cmd_migrate.c -- kam migrate-data --from DSN --to DSN. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "svc/core/migrate.h"

static void report(const struct copy_report *r, void *user)
{
    int *bad = user;
    int ok = r->rows_src == r->rows_dst && r->sum_src == r->sum_dst;
    *bad |= !ok;
    printf("%-16s %10lld rows  checksum %016llx  %s\n", r->table, (long long)r->rows_dst,
           (unsigned long long)r->sum_dst, ok ? "ok" : "MISMATCH");
}

int cmd_migrate(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    static const struct option opts[] = {
        {"from", required_argument, 0, 'f'}, {"to", required_argument, 0, 't'}, {0, 0, 0, 0}};
    int o, usage = 0;
    optind = 1;
    /* An unknown option ends the loop: getopt_long past argc would never return -1. */
    while (!usage && (o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'f')
            from = optarg;
        else if (o == 't')
            to = optarg;
        else
            usage = 1;
    }
    if (usage || !from || !to || optind != argc) {
        cli_usage(stderr, cli_find("migrate-data"));
        return EXIT_USAGE;
    }
    /* The source must be an installation: opening a missing SQLite file would make an empty
     * one (and copy nothing). The target may be new. */
    struct kam_error e = {0};
    struct db *src = NULL;
    if (conn_open(from, CONN_INITIALISED, &src, &e)) {
        fprintf(stderr, "kam: --from: %s\n", e.msg);
        return EXIT_FAIL;
    }
    conn_close(src);
    int bad = 0;
    if (migrate_data(from, to, report, &bad, &e)) {
        /* copy.c names the side at fault (from, to); the store names no flag ("db"). */
        int flag = *e.field && strcmp(e.field, "db") != 0;
        fprintf(stderr, "kam: %s%s%s%s\n", e.msg, flag ? " (--" : "", flag ? e.field : "",
                flag ? ")" : "");
        return EXIT_FAIL;
    }
    printf("kam: copied and verified %s -> %s\n", from, to);
    return EXIT_OK;
}
