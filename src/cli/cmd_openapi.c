/* cmd_openapi.c -- kam openapi: print the API description. */
#include "api/core/api.h"
#include "cli.h"

int cmd_openapi(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct buf b;
    buf_init(&b, 1 << 22);
    api_openapi(&b);
    fwrite(b.data, 1, b.len, stdout);
    putchar('\n');
    buf_release(&b);
    return EXIT_OK;
}
