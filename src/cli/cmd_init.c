/* cmd_init.c -- kam init: create or migrate a database. */
#include <getopt.h>

#include "cli.h"

int cmd_init(int argc, char **argv)
{
    const char *dsn = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o != 'd') {
            cli_usage(stderr, cli_find("init"));
            return EXIT_USAGE;
        }
        dsn = optarg;
    }
    if (optind < argc) {
        cli_usage(stderr, cli_find("init"));
        return EXIT_USAGE;
    }
    dsn = cli_dsn(dsn);
    struct cli_ctx c;
    if (cli_ctx_open(&c, dsn, CONN_CREATE | CONN_MIGRATE))
        return EXIT_FAIL;
    int version = 0;
    if (conn_schema_version(c.ctx.db, &version, &c.err)) {
        int rc = cli_fail(&c);
        cli_ctx_release(&c);
        return rc;
    }
    printf("kam: %s is at schema version %d\n", dsn, version);
    cli_ctx_release(&c);
    return EXIT_OK;
}
