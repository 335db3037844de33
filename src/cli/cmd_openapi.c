/* cmd_openapi.c -- kam openapi: print the OpenAPI document the server serves at
 * GET /api/v1/openapi.json (api/core/openapi.c), for client generators and linters
 * (tests/contract/run.sh). */
#include <string.h>

#include "api/core/api.h"
#include "cli.h"

int cmd_openapi(int argc, char **argv)
{
    if (argc > 1) {
        int help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
        fprintf(help ? stdout : stderr,
                "usage: kam openapi\n  Prints the OpenAPI document of the HTTP API (no "
                "database).\n");
        return help ? EXIT_OK : EXIT_USAGE;
    }
    struct buf b;
    buf_init(&b, 1 << 24);
    api_openapi(&b);
    if (!buf_ok(&b)) {
        fputs("kam: the OpenAPI document is larger than 16 MiB\n", stderr);
        buf_release(&b);
        return EXIT_FAIL;
    }
    int ok =
        fwrite(b.data, 1, b.len, stdout) == b.len && putchar('\n') != EOF && fflush(stdout) == 0;
    buf_release(&b);
    if (!ok) {
        perror("kam: writing the document");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
