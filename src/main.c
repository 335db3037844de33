/* main.c -- kam: argv to the command table. Nothing else lives here. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "cli/cli.h"

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fputs("kam: libsodium failed to initialise\n", stderr);
        return EXIT_FAIL;
    }
    /* Test clock: KAM_NOW=<unix seconds> pins time_now() for this process (tests only), up to
     * the last second of year 9999, the last the date code handles. */
    long long now = 0;
    if (cli_env_num("KAM_NOW", 1, 253402300799LL, &now))
        return EXIT_USAGE;
    if (now)
        time_set_fake(now);
    if (argc < 2) {
        cmd_help(0, NULL);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    if (strcmp(name, "--version") == 0)
        name = "version";
    const struct cmd *c = cli_find(name);
    if (!c) {
        fprintf(stderr, "kam: unknown command '%s' (try 'kam help')\n", argv[1]);
        return EXIT_USAGE;
    }
    return c->fn(argc - 1, argv + 1);
}
