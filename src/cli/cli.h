/* cli.h -- the command table and helpers shared by the commands of the kam binary. */
#ifndef KAM_CLI_H
#define KAM_CLI_H

#include <stdio.h>

#include "svc/ctx.h"

#define KAM_VERSION "0.1.0"
#define CLI_DEFAULT_DSN "sqlite:kam.db"

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage; /* first line: synopsis; then details */
};

extern const struct cmd cli_cmds[];

/* Prints usage of a command to f. */
void cli_usage(FILE *f, const struct cmd *c);
const struct cmd *cli_find(const char *name);

/* --db from argv or KAM_DB or the default; never NULL. */
const char *cli_dsn(const char *given);

/* A context for a CLI command acting as the system (user_id 0, admin) on an open database.
 * cli_ctx_release() frees the arena and closes the database. */
struct cli_ctx {
    struct kam_ctx ctx;
    struct arena a;
    struct kam_error err;
};
int cli_ctx_open(struct cli_ctx *c, const char *dsn);
void cli_ctx_release(struct cli_ctx *c);
/* Prints "kam: message (field)" for the context's error; returns EXIT_FAIL. */
int cli_fail(struct cli_ctx *c);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_openapi(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_festivals(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_forecast(int argc, char **argv);

#endif
