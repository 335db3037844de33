/* fuzz_import.c -- libFuzzer target: CSV imports (import_run) of orders, products and accounts.
 *
 * Input: byte 0 picks the kind (bits 0-1: 0 orders, 1 products, 2 accounts, 3 orders), a fixed
 * header mapping (bit 2) and the caller (bits 3-4: the system, an admin, an account manager,
 * finance); byte 1 the options (bit 0 dry_run, bit 1 skip_bad_rows, bit 2 a reject file); the
 * rest is the file. One in-memory SQLite database is prepared once (users, accounts, products,
 * exchange rates, a few order lines); each input runs inside a transaction that is rolled back
 * afterwards, so every input starts from the same data.
 *
 * Checks besides not crashing: the result code is one the contract allows; 403 exactly for
 * those without the rights (an account manager always, finance for accounts); the status is
 * loaded | rejected | checked and agrees with the code and the options; the counts add up
 * (problems_total >= nproblems, rows_total == inserted + updated + rejected for a loaded file);
 * a rejected or dry run wrote nothing; after a load the three rollup tables still equal a
 * recomputation from order_lines; the stored report is valid JSON. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "store/db.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/volume/import.h"
#include "svc/volume/product.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UBSan findings are bugs too: stop at the first one (libFuzzer builds do not pass
 * -fno-sanitize-recover), so the fuzzer saves the input. Unused without UBSan. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

#define FUZZ_PASSWORD "fuzz-password-1"
#define NOW 1700000000

static struct db *db;
static FILE *reject_sink;
static int64_t uid_admin, uid_am, uid_fin;
static int verbose;

static void die(const char *what, const struct kam_error *e)
{
    fprintf(stderr, "fuzz_import: set-up failed: %s: %s (field %s)\n", what, e->msg, e->field);
    abort();
}

static void bug(const char *what, const struct import_report *r)
{
    fprintf(stderr,
            "fuzz_import: %s: status %s, total %lld, inserted %lld, updated %lld, rejected %lld, "
            "problems %lld (%zu kept)\n",
            what, r->status ? r->status : "(null)", (long long)r->rows_total,
            (long long)r->rows_inserted, (long long)r->rows_updated, (long long)r->rows_rejected,
            (long long)r->problems_total, r->nproblems);
    for (size_t i = 0; i < r->nproblems && i < 20; i++)
        fprintf(stderr, "  row %lld [%s] %s\n", (long long)r->problems[i].row,
                r->problems[i].column, r->problems[i].reason);
    abort();
}

static void cleanup(void)
{
    db_close(db);
    db = NULL;
    if (reject_sink)
        fclose(reject_sink);
    reject_sink = NULL;
    user_set_hash_override(NULL);
}

static int64_t q64(const char *sql)
{
    int64_t v = 0;
    struct kam_error e = {0};
    if (db_query_i64(db, sql, 0, 0, &v, &e))
        die(sql, &e);
    return v;
}

static int64_t mk_user(struct kam_ctx *ctx, const char *login, const char *role)
{
    struct user_in in = {0};
    in.v.login = login;
    in.v.name = login;
    in.v.role = role;
    in.password = FUZZ_PASSWORD;
    in.set = USR_LOGIN | USR_NAME | USR_ROLE | USR_PASSWORD;
    struct user u;
    kam_error_clear(ctx->err);
    if (user_create(ctx, &in, &u))
        die(login, ctx->err);
    return u.id;
}

static void mk_account(struct kam_ctx *ctx, const char *code, const char *name, const char *region,
                       const char *channel, int64_t owner)
{
    struct account_in in = {0};
    in.v.code = code;
    in.v.name = name;
    in.v.region = region;
    in.v.channel = channel;
    in.v.owner_id = owner;
    in.v.tier = "key";
    in.set = ACC_CODE | ACC_NAME | ACC_REGION | ACC_CHANNEL | ACC_OWNER | ACC_TIER;
    struct account a;
    kam_error_clear(ctx->err);
    if (account_create(ctx, &in, &a))
        die(code, ctx->err);
}

static void mk_product(struct kam_ctx *ctx, const char *sku, const char *family)
{
    struct product_in in = {0};
    in.sku = sku;
    in.name = sku;
    in.family = family;
    in.set = PROD_SKU | PROD_NAME | PROD_FAMILY;
    struct product p;
    kam_error_clear(ctx->err);
    if (product_create(ctx, &in, &p))
        die(sku, ctx->err);
}

static void init(void)
{
    if (sodium_init() < 0)
        abort();
    log_set_level(LOG_ERROR);
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    struct kam_error e = {0};
    if (db_open("sqlite::memory:", &db, &e))
        die("db_open", &e);
    atexit(cleanup);
    reject_sink = fopen("/dev/null", "w");
    if (!reject_sink)
        abort();
    static char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, FUZZ_PASSWORD, strlen(FUZZ_PASSWORD),
                              crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        abort();
    user_set_hash_override(hash);

    struct arena a;
    arena_init(&a);
    struct kam_ctx ctx = {
        .db = db, .a = &a, .err = &e, .who = {0, ROLE_ADMIN, "system"}, .now = NOW};
    uid_admin = mk_user(&ctx, "owner1", "admin");
    uid_am = mk_user(&ctx, "am1", "account_manager");
    uid_fin = mk_user(&ctx, "fin1", "finance");
    mk_account(&ctx, "A001", "华为技术有限公司", "East", "Direct", uid_admin);
    mk_account(&ctx, "A002", "Second Co", "West", "Partner", uid_am);
    mk_account(&ctx, "A003", "Third Co", "", "", uid_admin);
    mk_product(&ctx, "SKU1", "Servers");
    mk_product(&ctx, "SKU2", "Storage");
    mk_product(&ctx, "SKU3", "Network");
    kam_error_clear(&e);
    if (fx_set(&ctx, "USD", 7100000) || fx_set(&ctx, "EUR", 7800000) || fx_set(&ctx, "JPY", 48000))
        die("fx_set", &e);
    /* A few lines already there, so re-imports update and product family changes move rollups. */
    static const char seed[] =
        "external_id,date,account_code,sku,region,channel,quantity,amount,currency\n"
        "E1,2024-01-15,A001,SKU1,,,1,100,\n"
        "E2,2024-01-20,A002,SKU2,North,,2.5,99.99,USD\n"
        "E3,2024-02-01,A003,SKU1,,,1,-5,EUR\n";
    struct import_opts o = {0};
    o.kind = "orders";
    struct import_report r;
    kam_error_clear(&e);
    if (import_run(&ctx, &o, seed, sizeof seed - 1, &r))
        die("seed import", &e);
    arena_release(&a);
}

#define SQL_MONTH "CAST(strftime('%Y%m', o.day * 86400, 'unixepoch') AS INTEGER)"

/* 0 when the rollups equal a recomputation from order_lines. */
static int64_t rollup_mismatches(void)
{
    static const char *const sql[] = {
        "WITH r AS (SELECT o.account_id, " SQL_MONTH " AS month, p.family, o.region, o.channel, "
        "SUM(o.quantity) AS q, SUM(o.amount_base) AS a, COUNT(*) AS n FROM order_lines o JOIN "
        "products p ON p.id = o.product_id GROUP BY 1, 2, 3, 4, 5), t AS (SELECT account_id, "
        "month, family, region, channel, quantity, amount, lines FROM sales_monthly) SELECT "
        "(SELECT COUNT(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM t)) + (SELECT COUNT(*) FROM "
        "(SELECT * FROM t EXCEPT SELECT * FROM r))",
        "WITH r AS (SELECT " SQL_MONTH " AS month, p.family, o.region, o.channel, "
        "SUM(o.quantity) AS q, SUM(o.amount_base) AS a, COUNT(*) AS n FROM order_lines o JOIN "
        "products p ON p.id = o.product_id GROUP BY 1, 2, 3, 4), t AS (SELECT month, family, "
        "region, channel, quantity, amount, lines FROM sales_monthly_dim) SELECT (SELECT "
        "COUNT(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM t)) + (SELECT COUNT(*) FROM (SELECT "
        "* FROM t EXCEPT SELECT * FROM r))",
        "WITH r AS (SELECT o.account_id, " SQL_MONTH " AS month, SUM(o.quantity) AS q, "
        "SUM(o.amount_base) AS a, COUNT(*) AS n FROM order_lines o GROUP BY 1, 2), t AS (SELECT "
        "account_id, month, quantity, amount, lines FROM sales_monthly_account) SELECT (SELECT "
        "COUNT(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM t)) + (SELECT COUNT(*) FROM (SELECT "
        "* FROM t EXCEPT SELECT * FROM r))",
    };
    int64_t bad = 0;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        bad += q64(sql[i]);
    return bad;
}

static const char *const kinds[] = {"orders", "products", "accounts", "orders"};
static const char *const mappings[] = {
    "external_id=Id,date=Day,account_code=Cust,sku=Item,quantity=Qty,amount=Amt,currency=Cur",
    "sku=Item,name=Title,family=Group,list_price=Price",
    "code=Cust,name=Title,owner_login=Owner,tier=Tier",
    "external_id=Id,date=Day,account_code=Cust,sku=Item,quantity=Qty,amount=Amt",
};

#define COUNTS_SQL                                                                                 \
    "SELECT (SELECT COUNT(*) FROM order_lines) * 1000000 + (SELECT COUNT(*) FROM products) * "     \
    "1000 + (SELECT COUNT(*) FROM accounts)"
#define IMPORT_RUNS_SQL "SELECT COUNT(*) FROM import_runs"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        init();
        ready = 1;
    }
    uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
    const char *csv = size > 2 ? (const char *)data + 2 : "";
    size_t len = size > 2 ? size - 2 : 0;

    struct import_opts o = {0};
    o.kind = kinds[b0 & 3];
    o.mapping = b0 & 4 ? mappings[b0 & 3] : NULL;
    o.filename = "fuzz.csv";
    o.dry_run = b1 & 1;
    o.skip_bad_rows = (b1 >> 1) & 1;
    o.reject = (b1 >> 2) & 1 ? reject_sink : NULL;
    static const struct principal callers[4] = {{0, ROLE_ADMIN, "system"},
                                                {0, ROLE_ADMIN, "owner1"},
                                                {0, ROLE_ACCOUNT_MANAGER, "am1"},
                                                {0, ROLE_FINANCE, "fin1"}};
    struct principal who = callers[(b0 >> 3) & 3];
    if ((b0 >> 3 & 3) == 1)
        who.user_id = uid_admin;
    else if ((b0 >> 3 & 3) == 2)
        who.user_id = uid_am;
    else if ((b0 >> 3 & 3) == 3)
        who.user_id = uid_fin;
    /* Imports are admin, director and finance's; accounts take account create too. */
    int forbidden = who.role == ROLE_ACCOUNT_MANAGER ||
                    (who.role == ROLE_FINANCE && !strcmp(o.kind, "accounts"));

    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.db = db, .a = &a, .err = &e, .who = who, .now = NOW};
    if (db_begin(db, &e))
        die("begin", &e);
    int64_t counts_before = q64(COUNTS_SQL), runs_before = q64(IMPORT_RUNS_SQL);

    struct import_report r;
    enum kam_err rc = import_run(&ctx, &o, csv, len, &r);
    if (verbose)
        fprintf(stderr, "%s%s%s rc=%d %s status=%s total=%lld ins=%lld upd=%lld rej=%lld pr=%lld\n",
                o.kind, o.dry_run ? " dry" : "", o.skip_bad_rows ? " skip" : "", rc, e.msg,
                r.status ? r.status : "-", (long long)r.rows_total, (long long)r.rows_inserted,
                (long long)r.rows_updated, (long long)r.rows_rejected, (long long)r.problems_total);

    if ((rc == KAM_EFORBIDDEN) != forbidden)
        bug(forbidden ? "an import without the rights ran"
                      : "an import with the rights was refused",
            &r);
    if (rc == KAM_EFORBIDDEN) {
        if (q64(COUNTS_SQL) != counts_before || q64(IMPORT_RUNS_SQL) != runs_before)
            bug("a forbidden import wrote something", &r);
    } else if (rc == KAM_EINVAL && !r.status &&
               (!strcmp(e.field, "encoding") || !strcmp(e.field, "file"))) {
        /* the file could not be read (an unclear encoding, ...): nothing loaded, the refusal
         * recorded as a rejected run unless a dry run */
        if (q64(COUNTS_SQL) != counts_before ||
            q64(IMPORT_RUNS_SQL) != runs_before + (o.dry_run ? 0 : 1))
            bug("an unreadable file wrote something besides its rejected run", &r);
    } else if (rc != KAM_OK && !(rc == KAM_EINVAL && !strcmp(e.field, "file"))) {
        fprintf(stderr, "fuzz_import: unexpected result %s: %s (field %s)\n", kam_err_name(rc),
                e.msg, e.field);
        bug("unexpected result", &r);
    } else {
        if (!r.status || (strcmp(r.status, "loaded") && strcmp(r.status, "rejected") &&
                          strcmp(r.status, "checked")))
            bug("unknown status", &r);
        int loaded = !strcmp(r.status, "loaded"), rejected = !strcmp(r.status, "rejected");
        if (rejected != (rc == KAM_EINVAL))
            bug("status and result disagree", &r);
        if (o.dry_run && loaded)
            bug("a dry run loaded", &r);
        if (!o.dry_run && !strcmp(r.status, "checked"))
            bug("checked without a dry run", &r);
        /* A dry run with skip_bad_rows is "checked" when the good rows would load. */
        if (!strcmp(r.status, "checked") && r.problems_total && !o.skip_bad_rows)
            bug("checked with problems", &r);
        if (r.problems_total < (int64_t)r.nproblems || r.nproblems > IMPORT_MAX_PROBLEMS)
            bug("problem counts", &r);
        if (r.problems_total > (int64_t)r.nproblems && r.nproblems != IMPORT_MAX_PROBLEMS)
            bug("problems dropped below the cap", &r);
        for (size_t i = 0; i < r.nproblems; i++)
            if (!r.problems[i].column || !r.problems[i].reason || !r.problems[i].reason[0] ||
                r.problems[i].row < 1)
                bug("a problem without row, column or reason", &r);
        if (r.rows_total < 0 || r.rows_inserted < 0 || r.rows_updated < 0 || r.rows_rejected < 0)
            bug("negative count", &r);
        if (r.rows_rejected > r.rows_total + 1)
            bug("more rejected rows than rows", &r);
        if (r.rows_rejected && !r.problems_total)
            bug("rejected rows without problems", &r);
        if (loaded && o.skip_bad_rows &&
            r.rows_total != r.rows_inserted + r.rows_updated + r.rows_rejected)
            bug("skip mode: rows_total != loaded + rejected", &r);
        if (loaded && !o.skip_bad_rows &&
            (r.rows_rejected || r.problems_total ||
             r.rows_total != r.rows_inserted + r.rows_updated))
            bug("a load with problems", &r);
        if (!loaded && (r.rows_inserted || r.rows_updated))
            bug("rows written by a run that did not load", &r);
        if (!loaded && q64(COUNTS_SQL) != counts_before)
            bug("a run that did not load changed the data", &r);
        if (o.dry_run && (r.id || q64(IMPORT_RUNS_SQL) != runs_before))
            bug("a dry run recorded a run", &r);
        if (!o.dry_run && (r.id <= 0 || q64(IMPORT_RUNS_SQL) != runs_before + 1))
            bug("the run was not recorded", &r);
        if (loaded && rollup_mismatches())
            bug("the rollups no longer match order_lines", &r);
        if (r.id > 0) {
            struct import_report g;
            kam_error_clear(&e);
            if (import_get(&ctx, r.id, &g))
                bug("import_get failed", &r);
            if (strcmp(g.status, r.status) || g.rows_total != r.rows_total ||
                g.rows_rejected != r.rows_rejected || g.problems_total != r.problems_total ||
                g.rows_inserted != r.rows_inserted || g.rows_updated != r.rows_updated)
                bug("the stored run differs from the report", &r);
            json_error_t jerr;
            json_t *j = json_loads(g.report_json, 0, &jerr);
            if (!j || !json_is_array(j) ||
                json_array_size(j) != (r.nproblems < 200 ? r.nproblems : 200))
                bug("the stored report is not the JSON array of the problems", &r);
            json_decref(j);
        }
    }
    kam_error_clear(&e);
    db_end(db, KAM_ECONFLICT, &e); /* roll back: the next input starts from the same data */
    if (db_in_tx(db))
        abort();
    arena_release(&a);
    return 0;
}
