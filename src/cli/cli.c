/* cli.c -- the command table and shared helpers. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"
#include "base/timeutil.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const struct cmd cli_cmds[] = {
    {"init", cmd_init, "kam init [--db DSN]",
     "  Creates the database (a SQLite file is made when missing; a PostgreSQL database must\n"
     "  exist, e.g. made with createdb) or migrates it to the current schema. Only init and demo\n"
     "  create a database: the other commands refuse one that does not exist."},
    {"serve", cmd_serve,
     "kam serve [--db DSN] [--listen ADDR:PORT] [--threads N] [--session-ttl SECONDS]\n"
     "          [--jobs-interval SECONDS] [--max-conns-per-addr N] [--header-timeout SECONDS]\n"
     "          [--trusted-proxies ADDR[/BITS],...] [--max-exports N] [--quiet]",
     "  Serves the JSON API and the web UI (default 127.0.0.1:8080) from a database made by\n"
     "  kam init or kam demo. It refuses to start, exit 1, when the database does not exist or\n"
     "  does not take writes, or when ADDR:PORT is in use (another kam serve?). SIGTERM/SIGINT\n"
     "  stop it after the requests in flight finish. Every --jobs-interval seconds it runs the\n"
     "  background jobs (see kam help jobs).\n"
     "    --threads N               worker threads, 0..256 (default 0: one per CPU)\n"
     "    --session-ttl SECONDS     session lifetime, 1..315360000 (default 28800)\n"
     "    --jobs-interval SECONDS   0..604800 (default 60; 0: no background jobs)\n"
     "    --max-conns-per-addr N    connections one client address may hold open, 0..4096\n"
     "                              (default 256; 0: no cap; 4096 in all). Behind a reverse\n"
     "                              proxy every connection comes from the proxy, so the cap\n"
     "                              applies to the proxy: raise it above the proxy's own\n"
     "                              connection limit, or use 0 and cap clients at the proxy.\n"
     "    --header-timeout SECONDS  a connection must send each request's headers within this\n"
     "                              time of being accepted or of its previous response, or it\n"
     "                              is closed (idle keep-alive connections too), 1..3600\n"
     "                              (default 10; a body gets six times that plus its length\n"
     "                              at 16 KiB/s)\n"
     "    --trusted-proxies LIST    reverse proxies (addresses or networks, comma-separated,\n"
     "                              up to 32) that may name the client in X-Forwarded-For:\n"
     "                              the client is then the rightmost address there that is not\n"
     "                              a trusted proxy. From other peers the header is ignored.\n"
     "                              Per-address limits (connections, failed logins) apply to\n"
     "                              that client. Default: none\n"
     "    --max-exports N           list exports (<list>/export) building or downloading at\n"
     "                              once, 1..64 (default 4); the next gets 503 and Retry-After\n"
     "    --quiet                   no log line per request\n"
     "  Environment (a flag wins): KAM_DB, KAM_SESSION_TTL, KAM_JOBS_INTERVAL,\n"
     "  KAM_MAX_CONNS_PER_ADDR, KAM_HEADER_TIMEOUT, KAM_TRUSTED_PROXIES, KAM_MAX_EXPORTS, "
     "KAM_SQLITE_SYNC=full|normal|off (default\n"
     "  full), and for e-mail KAM_SMTP_URL, KAM_SMTP_FROM, KAM_SMTP_USER, KAM_SMTP_PASSWORD\n"
     "  (see kam help jobs). KAM_PUBLIC_URL: KAM's address as customers reach it\n"
     "  (https://kam.example.com), the base of e-mailed survey links when the surveys' setting\n"
     "  public_url is empty; without either, surveys are not e-mailed. X-Forwarded-Host and\n"
     "  X-Forwarded-Proto count only from a trusted proxy. GET /healthz answers 200 while the\n"
     "  database answers and takes writes, 503 with \"db\":\"read_only\" when it stops\n"
     "  taking them."},
    {"user", cmd_user,
     "kam user add --login NAME --role ROLE [--team TEAM] [--name N] [--email E] [--db DSN]\n"
     "kam user passwd --login NAME [--db DSN]\n"
     "kam user list [--json] [--db DSN]\n"
     "kam user disable --login NAME [--db DSN]",
     "  Passwords are read from the first line of standard input (at least 10 characters).\n"
     "  --team names a team; it is created if it does not exist.\n"
     "  Roles: admin director team_lead account_manager finance service hr viewer legal.\n"
     "  The database must exist (kam init)."},
    {"demo", cmd_demo, "kam demo [--db DSN] [--scale N]",
     "  Loads the deterministic demo data set (creating the database when missing): users in\n"
     "  three teams, ~200 accounts in groups (Chinese and English names), ~1,000 contacts, their\n"
     "  history and three years of order lines. --scale N (10..10000000) makes N accounts\n"
     "  (benchmarks). Demo logins share the password printed at the end."},
    {"migrate-data", cmd_migrate, "kam migrate-data --from DSN --to DSN",
     "  Copies a whole installation (every table, ids, audit history) into an empty database,\n"
     "  e.g. --from sqlite:kam.db --to postgres://kam@db.example/kam, and verifies row counts\n"
     "  and checksums per table; nothing is committed unless all match. --from must exist;\n"
     "  a --to SQLite file is created when missing."},
    {"backup", cmd_backup, "kam backup --db DSN --to FILE",
     "  Writes a consistent copy of the database to FILE while kam serve keeps running, and\n"
     "  FILE.manifest next to it: schema version, engine, time, and each table's row count and\n"
     "  checksum (those kam migrate-data verifies), computed on exactly what FILE holds. SQLite:\n"
     "  FILE is a SQLite database (online backup API, one snapshot, checked with quick_check).\n"
     "  PostgreSQL: FILE is a pg_dump --format=custom archive of one exported snapshot (pg_dump\n"
     "  of the server's major version or newer; KAM_PG_BINDIR names its folder, default PATH;\n"
     "  a password in the DSN reaches it in a temporary passfile, never on its command line).\n"
     "  Both files appear under their names only when complete; an older backup of the same\n"
     "  name is replaced, any other existing FILE is refused. Prints one line per table.\n"
     "  Keep FILE and FILE.manifest together: kam restore needs both."},
    {"restore", cmd_restore, "kam restore --from FILE --db DSN [--force]",
     "  Restores a kam backup into DSN after checking FILE against FILE.manifest (size and\n"
     "  BLAKE2b), then compares every table's row count and checksum with the manifest (one line\n"
     "  per table, exit 1 naming what failed) and migrates the result forward when the backup\n"
     "  is older than this kam. A backup of a newer schema is refused. A SQLite backup restores\n"
     "  into SQLite, a PostgreSQL one into PostgreSQL (across engines: restore, then kam\n"
     "  migrate-data). SQLite: the copy is made and verified in a new file next to DSN and\n"
     "  renamed into place. PostgreSQL: DSN must exist (createdb) and be empty; pg_restore\n"
     "  --single-transaction. Stop kam serve on the target first.\n"
     "    --force   the target may hold a database: SQLite: its content is replaced in one\n"
     "              transaction; PostgreSQL: every table of its schema is dropped first\n"
     "              (CASCADE). Without --force such a target is refused and left alone."},
    {"audit", cmd_audit, "kam audit verify [--db DSN] [--json]\nkam audit head [--db DSN] [--json]",
     "  The audit log is a hash chain: each row's hash (BLAKE2b-256) covers its content, its\n"
     "  sequence number and the previous row's hash, and the head (the last seq and hash) is\n"
     "  kept with every audited write.\n"
     "  verify  recomputes the chain in order. Exit 0 with \"N audit rows, chain intact, head\n"
     "          seq S hash H\"; exit 1 naming the first row that was changed, removed (a gap,\n"
     "          or rows missing at the end) or added outside kam.\n"
     "  head    prints the head (seq S hash H). Write it down elsewhere (an anchor): a chain\n"
     "          rewritten from some row onwards verifies on its own, but no longer ends at a\n"
     "          head recorded before.\n"
     "  Both first chain the rows of a database upgraded from before the chain (as the next\n"
     "  audited write would). --json prints one JSON object on standard output."},
    {"jobs", cmd_jobs, "kam jobs run [--db DSN] [--now YYYY-MM-DDTHH:MM:SSZ]",
     "  Runs one pass of the background jobs and exits (for cron users; kam serve runs the same\n"
     "  pass every --jobs-interval seconds). A pass:\n"
     "    - plans visits from the cadence rules, and care reminders from birthdays, festivals\n"
     "      (Chinese lunar ones included) and special dates\n"
     "    - notifies the owners of overdue visits\n"
     "    - escalates issues past their SLA deadlines\n"
     "    - queues the daily digests (from 08:00 China time, for users who opted in)\n"
     "    - refreshes the stored sales forecasts (once a day)\n"
     "    - notifies the off-track KPIs of approved target plans\n"
     "    - reminds unanswered survey e-mail links (a new link each time, up to the survey's\n"
     "      max_reminders)\n"
     "    - sends the e-mail outbox\n"
     "  Inside kam serve the planning scans and KPI alerts run at most every 15 minutes;\n"
     "  kam jobs run always runs them. Every job is idempotent, so passes may overlap.\n"
     "  E-mail goes out through KAM_SMTP_URL (e.g. smtp://mail.example.com:25 or smtps://...)\n"
     "  from KAM_SMTP_FROM (\"Name <address>\", default KAM <kam@localhost>), logging in with\n"
     "  KAM_SMTP_USER and KAM_SMTP_PASSWORD when set. Without KAM_SMTP_URL mail waits in the\n"
     "  outbox. --now pins the clock (tests). The database must exist (kam init)."},
    {"import", cmd_import,
     "kam import orders|products|accounts|invoices|payments FILE[.csv|.tsv|.txt|.xlsx] [--db DSN]\n"
     "           [--map FIELD=HEADER,...] [--sheet NAME] [--encoding ENC] [--dry-run]\n"
     "           [--skip-bad-rows] [--reject FILE] [--report FILE] [--quiet]\n"
     "           [--no-price-check]",
     "  Loads a file with a header row (FILE - reads standard input) into an existing\n"
     "  database: CSV or tab-separated text (Excel's \"Unicode text\") in UTF-8 (with or\n"
     "  without a BOM), UTF-16, GBK/GB18030 or Big5, detected unless --encoding names it\n"
     "  (utf-8, gbk, gb18030, gb2312, big5, utf-16, utf-16le, utf-16be); or an .xlsx\n"
     "  workbook, its first sheet unless --sheet names one. Dates may be 2026-03-05,\n"
     "  2026/3/5, 2026-3-5, 2026年3月5日, 20260305 or Excel day numbers; amounts 1234.50,\n"
     "  \"1,234.50\", ¥1,234.50, full-width digits, (1,234.50) for a negative; currencies\n"
     "  RMB, 人民币 or cny for CNY. Headers may be the Chinese names of the columns\n"
     "  (订单号, 日期, 客户代码, 产品编码, 数量, 金额 ...; see the templates,\n"
     "  GET /api/v1/imports/template). Canonical headers (columns in [ ] may be left out):\n"
     "    orders:   external_id,date,account_code,sku,[region],[channel],quantity,amount,\n"
     "              [currency]\n"
     "    products: sku,name,family,[unit],[list_price],[currency]\n"
     "    accounts: code,name,[industry],[region],[channel],[tier],owner_login\n"
     "  owner_login, the login of the account's owner, is required for every new account. It\n"
     "  may be empty (or the column left out) only for accounts that exist, which keep their\n"
     "  owner.\n"
     "    --map FIELD=HEADER,...  the file's column for each field named differently\n"
     "    --dry-run               checks the file, loads nothing\n"
     "    --skip-bad-rows         loads the good rows and writes the bad ones to --reject FILE\n"
     "                            (default FILE.csv.rejects.csv); without it, all or nothing\n"
     "    --report FILE           the report goes to FILE instead of standard error\n"
     "    --quiet                 no progress bar\n"
     "    --no-price-check        orders: the lines are not priced by the engine (the bench's\n"
     "                            comparison; docs/PRICING.md \"Prices on order lines\")\n"
     "  Re-importing a row with the same external_id (orders), sku (products) or code (accounts)\n"
     "  updates it. Exit 0 only when the file was loaded (or, with --dry-run, would load)."},
    {"forecast", cmd_forecast,
     "kam forecast --input series.csv --horizon H [--freq M] [--zero-fill] [--output out.csv]",
     "  Forecasts every series of a long-format CSV (series_id,t,value; t ascending per series)\n"
     "  with exponential smoothing (ETS, chosen by AICc), Theta and their combination; --horizon\n"
     "  is 1.." STR(
         FC_MAX_HORIZON) " steps, --freq the seasonal period 1..1000 (12 for monthly, 1 for\n"
                         "  none; default 1). Writes series_id,h,mean,lo80,hi80,lo95,hi95 to "
                         "--output (default\n"
                         "  standard output). A series that cannot be forecast is reported on "
                         "stderr and skipped.\n"
                         "  A gap in whole-number t is an error of that series; --zero-fill "
                         "makes missing periods 0.\n"
                         "  Outliers found (and replaced before fitting) are named on stderr. "
                         "Exit 1 when no series\n"
                         "  could be forecast. No database."},
    {"sentiment", cmd_sentiment,
     "kam sentiment train --input FILE.tsv [--input FILE ...] --output MODEL [--lang zh|en|auto]\n"
     "kam sentiment classify --input FILE|- [--model MODEL]\n"
     "kam sentiment eval --input FILE.tsv [--model MODEL]\n"
     "kam sentiment cv --input FILE.tsv [--lang zh|en] [--folds K]",
     "  Sentiment (positive/negative) of Chinese and English text; no database, no network.\n"
     "  Labelled files: one example a line, label<TAB>text (ChnSentiCorp label\\ttext_a, its\n"
     "  header line skipped) or text<TAB>label (UCI sentence\\tlabel); labels 1/0, pos/neg or\n"
     "  positive/negative. Chinese (Han script dominant) is read as character 1-3-grams and\n"
     "  dictionary words (ICU) after Traditional->Simplified and full-width->half-width; English\n"
     "  as words, word pairs (with negation marking) and character 3-5-grams.\n"
     "  train     fits a linear model (liblinear; NB-SVM by default, C by cross-validation) per\n"
     "            language found (--lang: all texts as one language) and writes MODEL.\n"
     "  classify  one text a line (a label column dropped) -> label<TAB>score<TAB>text,\n"
     "            score 0..1 of positive; with the model built into kam unless --model.\n"
     "  eval      accuracy, majority-class baseline and ms per text on a labelled file.\n"
     "  cv        k-fold cross-validated accuracy (default 10 folds) for each C, or --C X.\n"
     "  Tuning (train, cv; the defaults build the shipped model, models/README.md):\n"
     "  --solver svm|lr|ens --nb 0|1 --C X --folds K --min-df N --alpha X --ngram N --bits B\n"
     "  --words 0|1 --chars 0|1 --negation 0|1 --zh-negation 0|1 --digits 0|1 --tail 0|1\n"
     "  --skip 0|1. Texts are read up to 4 KiB each; input must be UTF-8 (a BOM is dropped).\n"
     "  A --model without a language scores it with kam's built-in model (said on stderr).\n"
     "  Exit 1 when a file cannot be read or written, is not UTF-8, or a model is refused."},
    {"churn", cmd_churn,
     "kam churn train --input FILE.csv --target COLUMN --output MODEL [--positive VALUE]\n"
     "kam churn score --model MODEL --input FILE.csv --output OUT.csv\n"
     "kam churn explain --model MODEL --input FILE.csv [--top 5] [--output FILE]\n"
     "kam churn cv --input FILE.csv --target COLUMN [--folds 5] [--seed 1] [--repeat 1]",
     "  A churn (yes/no) model from a CSV file with a header line; no database, no network.\n"
     "  Columns are typed from the data: numeric when every non-empty value is a number, else\n"
     "  categorical (one indicator per value; a value unseen in training counts as none of\n"
     "  them); blank cells are missing. The target needs exactly two values: Yes/No, 1/0,\n"
     "  true/false, Y/N or T/F (the first of each pair is the positive class, probability 1),\n"
     "  else say which with --positive. A blank target is refused naming its line.\n"
     "  The id column is never a feature: the first column named id (any case), else the first\n"
     "  whose name ends in ID, Id or _id (e.g. customerID), else the first column (which is\n"
     "  still a feature when its values repeat).\n"
     "  train    logistic regression (C by inner cross-validation) and boosted trees, averaged\n"
     "           unless one alone is clearly better; writes MODEL (a versioned text file).\n"
     "  score    writes id,probability (of the positive class) for every row of FILE\n"
     "           (--output - : standard output).\n"
     "  explain  per row: the probability and the --top columns' contributions to its\n"
     "           log-odds; with the intercept and the rest they sum to the logit exactly.\n"
     "  cv       stratified k-fold cross-validated AUC per fold, their mean and SD.\n"
     "  Tuning (train, cv): --seed N --folds K (inner folds for train) --C X --gbm 0|1\n"
     "  --extras 0|1 (log/spline features and missing indicators) --ignore COL[,COL...].\n"
     "  Limits: 512 MiB, 1000 columns, 2,000,000 rows, 1000 values per categorical column,\n"
     "  4 KiB a cell. Exit 1 when a file cannot be read or written, is refused or training\n"
     "  fails; 2 on usage errors."},
    {"openapi", cmd_openapi, "kam openapi",
     "  Prints the OpenAPI document of the HTTP API (no database)."},
    {"festivals", cmd_festivals, "kam festivals --year YYYY [--json]",
     "  Lists the festivals KAM knows for a year (Gregorian and Chinese lunar) with their dates."},
    {"version", cmd_version, "kam version", "  Prints the version."},
    {"help", cmd_help, "kam help [COMMAND]", "  Lists commands, or explains one."},
    {0},
};

/* The synopsis with every line after the first indented under "usage: ". */
static void synopsis(FILE *f, const char *indent, const struct cmd *c)
{
    for (const char *p = c->synopsis; *p;) {
        size_t n = strcspn(p, "\n");
        fprintf(f, "%s%.*s\n", p == c->synopsis ? "" : indent, (int)n, p);
        p += n + (p[n] == '\n');
    }
}

void cli_usage(FILE *f, const struct cmd *c)
{
    fputs("usage: ", f);
    synopsis(f, "       ", c);
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

int cli_parse_num(const char *name, const char *s, long long min, long long max, long long *out)
{
    /* At most 18 digits: no overflow before the range check. */
    size_t n = strlen(s);
    if (n > 0 && n <= 18 && strspn(s, "0123456789") == n) {
        long long v = strtoll(s, NULL, 10);
        if (v >= min && v <= max) {
            *out = v;
            return 0;
        }
    }
    fprintf(stderr, "kam: %s must be a whole number from %lld to %lld, not '%.40s%s'\n", name, min,
            max, s, n > 40 ? "..." : "");
    return -1;
}

int cli_env_num(const char *var, long long min, long long max, long long *out)
{
    const char *v = getenv(var);
    if (!v || !*v)
        return 0;
    return cli_parse_num(var, v, min, max, out);
}

/* The message of a failed open, with the command that makes a missing database. */
static void open_failed(const struct cli_ctx *c, const char *dsn)
{
    if (c->err.code == KAM_ENOTFOUND && !strcmp(c->err.field, "db")) {
        char shown[160];
        conn_dsn_masked(dsn, shown, sizeof shown);
        fprintf(stderr,
                "kam: %s; create it with `kam init --db %s` (or `kam demo --db %s` for the "
                "demo data)\n",
                c->err.msg, shown, shown);
        return;
    }
    fprintf(stderr, "kam: %s\n", c->err.msg);
}

int cli_ctx_open(struct cli_ctx *c, const char *dsn, unsigned flags)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->a);
    c->ctx.a = &c->a;
    c->ctx.err = &c->err;
    c->ctx.who.user_id = 0;
    c->ctx.who.role = ROLE_ADMIN;
    c->ctx.who.login = "system";
    c->ctx.now = time_now();
    if (conn_open(dsn, flags, &c->ctx.db, &c->err)) {
        open_failed(c, dsn);
        arena_release(&c->a);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

void cli_ctx_release(struct cli_ctx *c)
{
    conn_close(c->ctx.db);
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
        printf("%s\n", c->details);
        return EXIT_OK;
    }
    printf("kam %s -- key account management\n\ncommands:\n", KAM_VERSION);
    for (const struct cmd *c = cli_cmds; c->name; c++) {
        fputs("  ", stdout);
        synopsis(stdout, "  ", c);
    }
    printf("\n'kam help COMMAND' explains one. The database DSN defaults to %s\n"
           "(or $KAM_DB): sqlite:PATH or postgres://user@host/db.\n",
           CLI_DEFAULT_DSN);
    return EXIT_OK;
}
