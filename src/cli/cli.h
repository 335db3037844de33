/* cli.h -- the command table and helpers shared by the commands of the kam binary. */
#ifndef KAM_CLI_H
#define KAM_CLI_H

#include <stdio.h>

#include "svc/core/conn.h"
#include "svc/core/ctx.h"

#define KAM_VERSION "0.1.0"
#define CLI_DEFAULT_DSN "sqlite:kam.db"

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis; /* "kam NAME ..." lines: what `kam help` lists */
    const char *details;  /* the rest of `kam help NAME` */
};

extern const struct cmd cli_cmds[];

/* Prints "usage: " and the synopsis of a command to f. */
void cli_usage(FILE *f, const struct cmd *c);
const struct cmd *cli_find(const char *name);

/* --db from argv or KAM_DB or the default; never NULL. */
const char *cli_dsn(const char *given);

/* Parses s, the value of the flag or environment variable `name`, as a whole decimal number
 * from min to max (digits only: no sign, space or fraction). On failure prints
 * "kam: NAME must be a whole number from MIN to MAX, not 'S'" and returns -1. */
int cli_parse_num(const char *name, const char *s, long long min, long long max, long long *out);
/* The same for the environment variable var: unset or empty leaves *out alone. */
int cli_env_num(const char *var, long long min, long long max, long long *out);

/* A context for a CLI command acting as the system (user_id 0, admin) on an open database,
 * opened with conn_open(flags): CONN_EXISTING for every command but init and demo, which
 * may create the database. A database that does not exist or has no KAM tables is named with
 * the command that makes it. cli_ctx_release() frees the arena and closes the database. */
struct cli_ctx {
    struct kam_ctx ctx;
    struct arena a;
    struct kam_error err;
};
int cli_ctx_open(struct cli_ctx *c, const char *dsn, unsigned flags);
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
int cmd_sentiment(int argc, char **argv);
int cmd_churn(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
