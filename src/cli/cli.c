/* cli.c -- the command table and shared helpers. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

const struct cmd cli_cmds[] = {
    {"init", cmd_init,
     "kam init [--db DSN]\n"
     "  Creates the database (or migrates it to the current schema)."},
    {"serve", cmd_serve,
     "kam serve [--db DSN] [--listen ADDR:PORT] [--threads N] [--session-ttl SECONDS] [--quiet]\n"
     "          [--jobs-interval SECONDS]\n"
     "  Serves the JSON API and the web UI (default 127.0.0.1:8080). SIGTERM/SIGINT stop it\n"
     "  after the requests in flight finish. Every --jobs-interval seconds (default 60, 0 = "
     "never)\n"
     "  it runs the background jobs. Environment: KAM_DB, KAM_SESSION_TTL, KAM_JOBS_INTERVAL,\n"
     "  KAM_SQLITE_SYNC=full|normal|off (default full)."},
    {"user", cmd_user,
     "kam user add --login NAME --role ROLE [--team TEAM] [--name N] [--email E] [--db DSN]\n"
     "kam user passwd --login NAME [--db DSN]\n"
     "kam user list [--json] [--db DSN]\n"
     "kam user disable --login NAME [--db DSN]\n"
     "  Passwords are read from the first line of standard input (at least 10 characters).\n"
     "  --team names a team; it is created if it does not exist.\n"
     "  Roles: admin director team_lead account_manager finance service hr viewer."},
    {"demo", cmd_demo,
     "kam demo [--db DSN] [--scale N]\n"
     "  Loads the deterministic demo data set: users in three teams, ~200 accounts in groups\n"
     "  (Chinese and English names), ~1,000 contacts. --scale N makes N accounts (benchmarks).\n"
     "  Demo logins share the password printed at the end."},
    {"migrate-data", cmd_migrate,
     "kam migrate-data --from DSN --to DSN\n"
     "  Copies a whole installation (every table, ids, audit history) into an empty database,\n"
     "  e.g. --from sqlite:kam.db --to postgres://kam@db.example/kam, and verifies row counts\n"
     "  and checksums per table; nothing is committed unless all match."},
    {"jobs", cmd_jobs,
     "kam jobs run [--db DSN] [--now YYYY-MM-DDTHH:MM:SSZ]\n"
     "  Runs every due background job once (plans visits from the cadence rules, notifies\n"
     "  overdue visits, escalates issues past their deadlines) and exits; for cron users.\n"
     "  kam serve runs the same jobs every minute. --now pins the clock (tests)."},
    {"import", cmd_import,
     "kam import orders|products|accounts FILE.csv [--db DSN] [--map COL=HEADER,...] [--dry-run]\n"
     "           [--skip-bad-rows] [--reject FILE] [--report FILE] [--quiet]\n"
     "  Loads a CSV file (UTF-8, header row). Canonical headers:\n"
     "    orders:   external_id,date,account_code,sku,region,channel,quantity,amount,currency\n"
     "    products: sku,name,family,unit,list_price,currency\n"
     "    accounts: code,name,industry,region,channel,tier,owner_login (owner_login optional)\n"
     "  Other layouts: --map field=Header for each field whose column is named differently.\n"
     "  Re-importing a row with the same external_id (orders), sku (products) or code (accounts)\n"
     "  updates it. All or nothing unless --skip-bad-rows, which loads the good rows and writes\n"
     "  the bad ones to --reject FILE (default FILE.rejects.csv). --dry-run checks only.\n"
     "  The report goes to stderr (or --report FILE); exit 0 only when the file was loaded."},
    {"forecast", cmd_forecast,
     "kam forecast --input series.csv --horizon H [--freq M] [--output out.csv]\n"
     "  Forecasts every series of a long-format CSV (series_id,t,value; t ascending per series)\n"
     "  with exponential smoothing (ETS, chosen by AICc), Theta and their combination; --freq is\n"
     "  the seasonal period (12 for monthly, 1 for none). Writes\n"
     "  series_id,h,mean,lo80,hi80,lo95,hi95 to --output (default standard output). A series that\n"
     "  cannot be forecast is reported on stderr and skipped."},
    {"openapi", cmd_openapi,
     "kam openapi\n"
     "  Prints the OpenAPI document of the HTTP API."},
    {"festivals", cmd_festivals,
     "kam festivals --year YYYY [--json]\n"
     "  Lists the festivals KAM knows for a year (Gregorian and Chinese lunar) with their dates."},
    {"version", cmd_version, "kam version\n  Prints the version."},
    {"help", cmd_help, "kam help [COMMAND]\n  Lists commands, or explains one."},
    {0},
};

void cli_usage(FILE *f, const struct cmd *c)
{
    fprintf(f, "usage: %s\n", c->usage);
}

const struct cmd *cli_find(const char *name)
{
    for (const struct cmd *c = cli_cmds; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *cli_dsn(const char *given)
{
    if (given && *given)
        return given;
    const char *env = getenv("KAM_DB");
    return env && *env ? env : CLI_DEFAULT_DSN;
}

int cli_ctx_open(struct cli_ctx *c, const char *dsn)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->a);
    c->ctx.a = &c->a;
    c->ctx.err = &c->err;
    c->ctx.who.user_id = 0;
    c->ctx.who.role = ROLE_ADMIN;
    c->ctx.who.login = "system";
    c->ctx.now = time_now();
    if (db_open(dsn, &c->ctx.db, &c->err)) {
        fprintf(stderr, "kam: %s\n", c->err.msg);
        arena_release(&c->a);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

void cli_ctx_release(struct cli_ctx *c)
{
    db_close(c->ctx.db);
    c->ctx.db = NULL;
    arena_release(&c->a);
}

int cli_fail(struct cli_ctx *c)
{
    if (*c->err.field)
        fprintf(stderr, "kam: %s (%s)\n", c->err.msg, c->err.field);
    else
        fprintf(stderr, "kam: %s\n", c->err.msg);
    return EXIT_FAIL;
}

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("kam %s\n", KAM_VERSION);
    return EXIT_OK;
}

int cmd_help(int argc, char **argv)
{
    if (argc >= 2) {
        const struct cmd *c = cli_find(argv[1]);
        if (!c) {
            fprintf(stderr, "kam: no command '%s'\n", argv[1]);
            return EXIT_USAGE;
        }
        cli_usage(stdout, c);
        return EXIT_OK;
    }
    printf("kam %s -- key account management\n\ncommands:\n", KAM_VERSION);
    for (const struct cmd *c = cli_cmds; c->name; c++) {
        const char *nl = strchr(c->usage, '\n');
        printf("  %.*s\n", nl ? (int)(nl - c->usage) : (int)strlen(c->usage), c->usage);
    }
    printf("\n'kam help COMMAND' explains one. The database DSN defaults to %s\n"
           "(or $KAM_DB): sqlite:PATH or postgres://user@host/db.\n",
           CLI_DEFAULT_DSN);
    return EXIT_OK;
}
