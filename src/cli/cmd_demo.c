/* cmd_demo.c -- kam demo: load the demo data set (svc/relationships/demo.c builds it). */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "svc/relationships/demo.h"

int cmd_demo(int argc, char **argv)
{
    const char *dsn = NULL;
    long scale = DEMO_DEFAULT_ACCOUNTS;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"scale", required_argument, 0, 's'}, {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd') {
            dsn = optarg;
        } else if (o == 's') {
            long long v;
            if (cli_parse_num("--scale", optarg, 10, 10000000, &v))
                return EXIT_USAGE;
            scale = (long)v;
        } else {
            cli_usage(stderr, cli_find("demo"));
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_usage(stderr, cli_find("demo"));
        return EXIT_USAGE;
    }
    struct cli_ctx c;
    if (cli_ctx_open(&c, cli_dsn(dsn), CONN_CREATE | CONN_MIGRATE))
        return EXIT_FAIL;
    struct demo_stats st;
    enum kam_err rc = demo_load(&c.ctx, (int)scale, &st);
    if (rc) {
        int r = cli_fail(&c);
        cli_ctx_release(&c);
        return r;
    }
    printf("kam: demo data loaded: %d users in %d teams, %d accounts, %d contacts, %d "
           "interactions, %d visits, %d issues, %lld order lines\n",
           st.users, st.teams, st.accounts, st.contacts, st.interactions, st.visits, st.issues,
           (long long)st.order_lines);
    printf("kam: demo logins (password %s):\n", DEMO_PASSWORD);
    for (int i = 0; demo_logins[i].login; i++)
        printf("  %-12s %s\n", demo_logins[i].login, demo_logins[i].what);
    cli_ctx_release(&c);
    return EXIT_OK;
}
