/* test_io_sec.c -- unit tests of issue 10's import and export findings: worksheet names Excel
 * accepts (apostrophes, forbidden characters, 31 UTF-16 units cut on a character boundary,
 * "History"), every libxlsxwriter failure an error (never a crash), formula-like CSV cells
 * with leading white space, rows whose field count is not the header's, who may import, and
 * the row limit of non-admin imports. Every test name starts with "io_" (`build/unit io_`). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "fixture.h"
#include "store/db.h"
#include "svc/core/export.h"
#include "svc/core/user.h"
#include "svc/relationships/account.h"
#include "svc/volume/import.h"
#include "svc/volume/product.h"
#include "test.h"

#define NOW 1700000000

/* ================================================================ worksheet names */

/* UTF-16 code units of valid UTF-8 s. */
static size_t utf16_units(const char *s)
{
    size_t n = strlen(s), units = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq_len((const unsigned char *)s + i, n - i);
        if (!len)
            return 1000;
        units += len == 4 ? 2 : 1;
        i += len;
    }
    return units;
}

/* The rules Excel and libxlsxwriter hold a sheet name to; NULL when name keeps them. */
static const char *sheet_name_broken(lxw_workbook *wb, const char *name)
{
    size_t n = strlen(name);
    if (!n)
        return "empty";
    if (!utf8_valid(name, n))
        return "not UTF-8";
    if (utf16_units(name) > 31)
        return "over 31 UTF-16 units";
    if (strpbrk(name, "[]:*?/\\"))
        return "a forbidden character";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return "a control character";
    if (name[0] == '\'' || name[n - 1] == '\'')
        return "an apostrophe first or last";
    if (strcasecmp(name, "History") == 0)
        return "the reserved name History";
    if (workbook_validate_sheet_name(wb, name) != LXW_NO_ERROR)
        return "libxlsxwriter refuses it";
    return NULL;
}

TEST(io_export_sheet_name_cases)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"'Q1 plan", "Q1 plan"},
        {"Q1 plan'", "Q1 plan"},
        {"''quoted''", "quoted"},
        {"'''", "KAM"},
        {"", "KAM"},
        {"it's fine", "it's fine"},
        {"a[b]:c*d?e/f\\g", "a_b__c_d_e_f_g"},
        {"History", "History_"},
        {"hIsToRy", "hIsToRy_"},
        {"History 2027", "History 2027"},
        {"a\x01"
         "b\x7f"
         "c\xc2\x85"
         "d",
         "a_b_c_d"},
        {"\xff\xfe"
         "ab\xc3",
         "__ab_"},
        /* The demo's 2027 draft: 32 characters, the 31st byte falls inside 案. */
        {"2027 \xe5\xb9\xb4\xe5\xba\xa6\xe4\xb8\x8a\xe9\x87\x8f\xe7\x9b\xae\xe6\xa0\x87\xef\xbc\x88"
         "\xe8\x8d\x89\xe6\xa1\x88\xef\xbc\x89Volume plan draft",
         "2027 \xe5\xb9\xb4\xe5\xba\xa6\xe4\xb8\x8a\xe9\x87\x8f\xe7\x9b\xae\xe6\xa0\x87\xef\xbc\x88"
         "\xe8\x8d\x89\xe6\xa1\x88\xef\xbc\x89Volume plan draf"},
        /* 30 units, then a character outside the BMP (2 units) does not fit. */
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xf0\x9f\x98\x80", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
        /* The cut leaves an apostrophe last: dropped too. */
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'yy", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
    };
    char out[EXPORT_SHEET_BYTES];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        export_sheet_name(cases[i].in, out);
        CHECK_EQ_STR(out, cases[i].want);
    }
    export_sheet_name(NULL, out);
    CHECK_EQ_STR(out, "KAM");
    /* 40 emoji: 15 fit (30 units). */
    char emoji[4 * 40 + 1] = "";
    for (int i = 0; i < 40; i++)
        strcat(emoji, "\xf0\x9f\x98\x80");
    export_sheet_name(emoji, out);
    CHECK_EQ_INT(strlen(out), 15 * 4);
    CHECK_EQ_INT(utf16_units(out), 30);
    /* 40 CJK characters: 31 fit. */
    char cjk[3 * 40 + 1] = "";
    for (int i = 0; i < 40; i++)
        strcat(cjk, "\xe8\xae\xa1");
    export_sheet_name(cjk, out);
    CHECK_EQ_INT(strlen(out), 31 * 3);
}

TEST(io_export_sheet_name_random_titles_are_valid)
{
    lxw_workbook *wb = workbook_new("/dev/null");
    CHECK(wb != NULL);
    if (!wb)
        return;
    static const char *const pieces[] = {"'",
                                         "[",
                                         "]",
                                         ":",
                                         "*",
                                         "?",
                                         "/",
                                         "\\",
                                         "a",
                                         " ",
                                         "History",
                                         "\xe8\xae\xa1",
                                         "\xf0\x9f\x98\x80",
                                         "\xc3",
                                         "\x01",
                                         "\xef\xbf\xbf",
                                         "\xc2\x85",
                                         "Z"};
    uint64_t x = 88172645463325252ULL;
    char title[400], out[EXPORT_SHEET_BYTES];
    int bad = 0;
    for (int k = 0; k < 20000; k++) {
        title[0] = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int n = (int)(x % 40);
        for (int i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            strcat(title, pieces[x % (sizeof pieces / sizeof pieces[0])]);
        }
        export_sheet_name(title, out);
        const char *why = sheet_name_broken(wb, out);
        if (why && bad++ < 5)
            fprintf(stderr, "  title \"%s\" -> sheet \"%s\": %s\n", title, out, why);
    }
    CHECK_EQ_INT(bad, 0);
    lxw_workbook_free(wb);
}

/* Renders t as xlsx; the code, and the bytes in out (released by the caller). */
static enum kam_err xlsx_of(struct kam_ctx *ctx, const struct export_table *t, struct buf *out)
{
    const char *ct = NULL;
    buf_init(out, 64 << 20);
    kam_error_clear(ctx->err);
    return export_render(ctx, t, "xlsx", out, &ct);
}

TEST(io_export_xlsx_any_title_never_crashes)
{
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e, .now = NOW};
    static const char *const titles[] = {"'Q1",
                                         "Q1'",
                                         "'",
                                         "History",
                                         "",
                                         "2027 \xe5\xb9\xb4\xe5\xba\xa6\xe4\xb8\x8a\xe9\x87\x8f"
                                         "\xe7\x9b\xae\xe6\xa0\x87\xef\xbc\x88\xe8\x8d\x89\xe6"
                                         "\xa1\x88\xef\xbc\x89Volume plan draft",
                                         "[a]:b*c?d/e\\f"};
    const char *header[] = {"name", "amount"};
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        struct export_table t;
        export_init(&t, &ctx, titles[i], header, 2);
        struct export_cell *c = export_row(&t, &ctx);
        c[0].text = " =1+1";
        c[1].num = 12345;
        c[1].decimals = 2;
        struct buf out;
        CHECK_EQ_INT(xlsx_of(&ctx, &t, &out), KAM_OK);
        CHECK(out.len > 100 && out.data[0] == 'P' && out.data[1] == 'K');
        buf_release(&out);
    }
    arena_release(&a);
}

TEST(io_export_xlsx_limits_are_errors)
{
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e, .now = NOW};
    const char *header[] = {"name"};
    /* A cell over Excel's 32767 characters: 413 naming format, not a silently empty cell. */
    struct export_table t;
    export_init(&t, &ctx, "Long", header, 1);
    char *big = arena_alloc(&a, 40001);
    memset(big, 'x', 40000);
    big[40000] = 0;
    export_row(&t, &ctx)[0].text = big;
    struct buf out;
    CHECK_EQ_INT(xlsx_of(&ctx, &t, &out), KAM_ETOOBIG);
    CHECK_EQ_STR(e.field, "format");
    buf_release(&out);
    /* More rows than a worksheet holds under its header: refused, not cut. */
    struct export_table tall;
    export_init(&tall, &ctx, "Tall", header, 1);
    for (int i = 0; i < 1048576; i++)
        export_row(&tall, &ctx)[0].text = "r";
    CHECK_EQ_INT(xlsx_of(&ctx, &tall, &out), KAM_ETOOBIG);
    CHECK_EQ_STR(e.field, "format");
    CHECK(strstr(e.msg, "csv") != NULL);
    buf_release(&out);
    /* One row fewer fits. */
    tall.nrows--;
    CHECK_EQ_INT(xlsx_of(&ctx, &tall, &out), KAM_OK);
    buf_release(&out);
    arena_release(&a);
}

/* ================================================================ CSV formula cells */

TEST(io_export_csv_formula_after_white_space)
{
    static const struct {
        const char *in;
        int formula;
    } cases[] = {
        {"=1+1", 1},
        {" =1+1", 1},
        {"  +1", 1},
        {" \t-1", 1},
        {"\t=1", 1},
        {"\r=1", 1},
        {"\n=1", 1},
        {"\tplain", 1},
        {"\rplain", 1},
        {"\nplain", 1},
        {"\xc2\xa0@SUM(1)", 1},
        {"\xe3\x80\x80=1", 1},
        {"\xef\xbc\x9d"
         "1+1",
         1},
        {"\xef\xbc\x8b"
         "1",
         1},
        {"\xef\xbc\x8d"
         "1",
         1},
        {"\xef\xbc\xa0"
         "x",
         1},
        {" \xef\xbc\x9d"
         "1",
         1},
        {"plain", 0},
        {" plain", 0},
        {"", 0},
        {"   ", 0},
        {"a=b", 0},
        {"'=1", 0},
        {"\xe8\xae\xa1=1", 0},
        {"\xc2\xa9 2027", 0},
    };
    struct buf b;
    buf_init(&b, 1024);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (export_formula_like(cases[i].in) != cases[i].formula)
            fprintf(stderr, "  case %zu: \"%s\" formula_like %d\n", i, cases[i].in,
                    !cases[i].formula);
        CHECK_EQ_INT(export_formula_like(cases[i].in), cases[i].formula);
        char want[64];
        snprintf(want, sizeof want, "\"%s%s\"", cases[i].formula ? "'" : "", cases[i].in);
        buf_reset(&b);
        export_csv_field(&b, cases[i].in);
        buf_putc(&b, 0);
        CHECK_EQ_STR(b.data, want);
    }
    buf_reset(&b);
    export_csv_field(&b, " =HYPERLINK(\"http://x\")");
    buf_putc(&b, 0);
    CHECK_EQ_STR(b.data, "\"' =HYPERLINK(\"\"http://x\"\")\"");
    buf_release(&b);
}

/* ================================================================ imports */

struct fx {
    struct fixture fix;
    int64_t uid[5]; /* admin, director, finance, account_manager, team_lead */
};

static const char *const fx_roles[5] = {"admin", "director", "finance", "account_manager",
                                        "team_lead"};
static const enum role fx_role_enum[5] = {ROLE_ADMIN, ROLE_DIRECTOR, ROLE_FINANCE,
                                          ROLE_ACCOUNT_MANAGER, ROLE_TEAM_LEAD};

static struct kam_ctx *C(struct fx *f)
{
    return fixture_ctx(&f->fix);
}

/* Acts as the fixture user of role index i. */
static void as(struct fx *f, int i)
{
    f->fix.ctx.who = (struct principal){f->uid[i], fx_role_enum[i], fx_roles[i]};
}

static int fx_open(struct fx *f)
{
    memset(f, 0, sizeof *f);
    if (!fixture_open(&f->fix, FIXTURE_MEMORY, NOW))
        return 0;
    for (int i = 0; i < 5; i++) {
        struct user_in ui = {0};
        ui.v.login = fx_roles[i];
        ui.v.name = fx_roles[i];
        ui.v.role = fx_roles[i];
        ui.password = FIXTURE_PW;
        ui.set = USR_LOGIN | USR_NAME | USR_ROLE | USR_PASSWORD;
        struct user u = {0};
        CHECK_EQ_INT(user_create(C(f), &ui, &u), KAM_OK);
        f->uid[i] = u.id;
    }
    static const char *const codes[] = {"A001", "A002"};
    for (int i = 0; i < 2; i++) {
        struct account_in in = {0};
        in.v.code = codes[i];
        in.v.name = codes[i];
        in.v.owner_id = f->uid[i ? 0 : 3]; /* A001 the account manager's, A002 the admin's */
        in.v.tier = "key";
        in.set = ACC_CODE | ACC_NAME | ACC_OWNER | ACC_TIER;
        struct account acc;
        CHECK_EQ_INT(account_create(C(f), &in, &acc), KAM_OK);
    }
    struct product_in pin = {0};
    pin.sku = "SKU1";
    pin.name = "SKU1";
    pin.family = "Servers";
    pin.set = PROD_SKU | PROD_NAME | PROD_FAMILY;
    struct product p;
    CHECK_EQ_INT(product_create(C(f), &pin, &p), KAM_OK);
    return 1;
}

static int64_t q64(struct fx *f, const char *sql)
{
    return fixture_q64(&f->fix, sql);
}

#define COUNTS                                                                                     \
    "SELECT (SELECT COUNT(*) FROM order_lines) * 1000000 + (SELECT COUNT(*) FROM products) * "     \
    "1000 + (SELECT COUNT(*) FROM accounts)"

static enum kam_err run(struct fx *f, const char *kind, const char *csv, size_t len, int dry,
                        int skip, struct import_report *r)
{
    struct import_opts o = {0};
    o.kind = kind;
    o.filename = "t.csv";
    o.dry_run = dry;
    o.skip_bad_rows = skip;
    return import_run(C(f), &o, csv, len, r);
}

static const struct import_problem *problem_at(const struct import_report *r, int64_t row,
                                               const char *column)
{
    for (size_t i = 0; i < r->nproblems; i++)
        if (r->problems[i].row == row && !strcmp(r->problems[i].column, column))
            return &r->problems[i];
    return NULL;
}

#define OH "external_id,date,account_code,sku,region,channel,quantity,amount,currency\n"

TEST(io_import_rows_must_have_the_header_fields)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    struct import_report r;
    const struct import_problem *p;
    /* No currency column: an unquoted 1,234.50 is two fields, never 1.00 in the base currency. */
    const char *nocur = "external_id,date,account_code,sku,quantity,amount\n"
                        "N1,2024-01-01,A001,SKU1,1,5.00\n"
                        "N2,2024-01-01,A001,SKU1,1,1,234.50\n"
                        "N3,2024-01-01,A001,SKU1,1,\"1,23\"\n" /* "1,234.50" reads (issue 13) */
                        "N4,2024-01-01,A001,SKU1,1\n";
    for (int dry = 0; dry < 2; dry++) {
        int64_t before = q64(&f, COUNTS);
        CHECK_EQ_INT(run(&f, "orders", nocur, strlen(nocur), dry, 0, &r), KAM_EINVAL);
        CHECK_EQ_STR(r.status, "rejected");
        CHECK((p = problem_at(&r, 3, "")) && strstr(p->reason, "has 7 fields, the header 6") &&
              strstr(p->reason, "quoted"));
        CHECK((p = problem_at(&r, 4, "amount")) && strstr(p->reason, "1,23") &&
              strstr(p->reason, "thousands"));
        CHECK((p = problem_at(&r, 5, "")) && !strcmp(p->reason, "has 5 fields, the header 6"));
        CHECK_EQ_INT(r.rows_total, 4);
        CHECK_EQ_INT(r.rows_rejected, 3);
        CHECK_EQ_INT(r.problems_total, 3);
        CHECK_EQ_INT(q64(&f, COUNTS), before);
    }
    /* With a currency column too, and for products and accounts: whatever the columns. */
    const char *more = OH "M1,2024-01-01,A001,SKU1,,,1,1,CNY,extra\n";
    CHECK_EQ_INT(run(&f, "orders", more, strlen(more), 0, 0, &r), KAM_EINVAL);
    CHECK(problem_at(&r, 2, "") != NULL);
    const char *prod = "sku,name,family\nP1,Name,Fam,x\nP2,Name\n";
    CHECK_EQ_INT(run(&f, "products", prod, strlen(prod), 0, 0, &r), KAM_EINVAL);
    CHECK(problem_at(&r, 2, "") && problem_at(&r, 3, ""));
    CHECK_EQ_INT(q64(&f, "SELECT COUNT(*) FROM products WHERE sku IN ('P1', 'P2')"), 0);
    const char *acc = "code,name,owner_login\nC1,Name,admin,x\nC2\n";
    CHECK_EQ_INT(run(&f, "accounts", acc, strlen(acc), 0, 0, &r), KAM_EINVAL);
    CHECK(problem_at(&r, 2, "") && problem_at(&r, 3, ""));
    CHECK_EQ_INT(q64(&f, "SELECT COUNT(*) FROM accounts WHERE code IN ('C1', 'C2')"), 0);
    /* skip_bad_rows: the row of the right shape loads, the others are reported. */
    CHECK_EQ_INT(run(&f, "orders", nocur, strlen(nocur), 0, 1, &r), KAM_OK);
    CHECK_EQ_INT(r.rows_inserted, 1);
    CHECK_EQ_INT(r.rows_rejected, 3);
    CHECK_EQ_INT(q64(&f, "SELECT COUNT(*) FROM order_lines"), 1);
    CHECK_EQ_INT(q64(&f, "SELECT amount FROM order_lines WHERE external_id = 'N1'"), 500);
    /* Blank lines are not rows; a header-shaped file with CRLF loads. */
    const char *blank = OH "\n"
                           "B1,2024-01-01,A001,SKU1,,,1,1,\r\n\r\n";
    CHECK_EQ_INT(run(&f, "orders", blank, strlen(blank), 0, 0, &r), KAM_OK);
    CHECK_EQ_INT(r.rows_total, 1);
    fixture_close(&f.fix);
}

TEST(io_import_takes_the_import_right)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    struct import_report r;
    static const char *const files[3][2] = {
        {"orders", OH "R1,2024-01-01,A001,SKU1,,,1,1,\n"},
        {"products", "sku,name,family\nRP1,Name,Fam\n"},
        {"accounts", "code,name,owner_login\nRC1,Name,admin\n"},
    };
    /* [role][kind]: 1 loads, 0 forbidden. */
    static const int may[5][3] = {{1, 1, 1}, {1, 1, 1}, {1, 1, 0}, {0, 0, 0}, {0, 0, 0}};
    for (int role = 4; role >= 0; role--)
        for (int k = 0; k < 3; k++)
            for (int dry = 1; dry >= 0; dry--) {
                as(&f, role);
                int64_t before = q64(&f, COUNTS);
                int64_t runs = q64(&f, "SELECT COUNT(*) FROM import_runs");
                enum kam_err rc =
                    run(&f, files[k][0], files[k][1], strlen(files[k][1]), dry, 0, &r);
                if (rc != (may[role][k] ? KAM_OK : KAM_EFORBIDDEN))
                    fprintf(stderr, "  %s imports %s (dry %d): %d %s\n", fx_roles[role],
                            files[k][0], dry, rc, f.fix.e.msg);
                CHECK_EQ_INT(rc, may[role][k] ? KAM_OK : KAM_EFORBIDDEN);
                if (!may[role][k]) {
                    CHECK_EQ_STR(f.fix.e.field, "kind");
                    CHECK_EQ_INT(q64(&f, COUNTS), before);
                    CHECK_EQ_INT(q64(&f, "SELECT COUNT(*) FROM import_runs"), runs);
                }
            }
    /* The account manager's dry runs cannot tell an account out of scope from no account. */
    as(&f, 3);
    const char *theirs = "code,name\nA002,x\n", *none = "code,name\nNOPE,x\n";
    CHECK_EQ_INT(run(&f, "accounts", theirs, strlen(theirs), 1, 0, &r), KAM_EFORBIDDEN);
    char m1[sizeof f.fix.e.msg];
    strcpy(m1, f.fix.e.msg);
    CHECK_EQ_INT(run(&f, "accounts", none, strlen(none), 1, 0, &r), KAM_EFORBIDDEN);
    CHECK_EQ_STR(f.fix.e.msg, m1);
    fixture_close(&f.fix);
}

TEST(io_import_row_limit_for_non_admins)
{
    struct fx f;
    if (!fx_open(&f))
        return;
    struct buf b;
    buf_init(&b, 64 << 20);
    buf_puts(&b, OH);
    char line[80];
    for (int i = 0; i < IMPORT_MAX_ROWS_ROLE; i++) {
        int n = snprintf(line, sizeof line, "L%07d,2024-01-01,A001,SKU1,,,1,1,\n", i);
        buf_append(&b, line, (size_t)n);
    }
    CHECK(buf_ok(&b));
    size_t at_limit = b.len;
    buf_puts(&b, "L9999999,2024-01-01,A001,SKU1,,,1,1,\n");
    struct import_report r;
    const struct import_problem *p;
    /* The limit itself loads (dry run: checked). */
    as(&f, 1);
    CHECK_EQ_INT(run(&f, "orders", b.data, at_limit, 1, 0, &r), KAM_OK);
    CHECK_EQ_INT(r.rows_total, IMPORT_MAX_ROWS_ROLE);
    /* One row more: refused whole, the problem names the limit, nothing written. */
    for (int role = 1; role <= 2; role++)
        for (int mode = 0; mode < 3; mode++) { /* load, dry run, load skipping bad rows */
            as(&f, role);
            CHECK_EQ_INT(run(&f, "orders", b.data, b.len, mode == 1, mode == 2, &r), KAM_EINVAL);
            CHECK_EQ_STR(r.status, "rejected");
            CHECK((p = problem_at(&r, IMPORT_MAX_ROWS_ROLE + 2, "")) &&
                  strstr(p->reason, "200001 rows, more than the 200000"));
            CHECK_EQ_INT(r.rows_inserted, 0);
            CHECK_EQ_INT(q64(&f, "SELECT COUNT(*) FROM order_lines"), 0);
            CHECK_EQ_INT(q64(&f, "SELECT COUNT(*) FROM sales_monthly"), 0);
        }
    CHECK_EQ_INT(r.rows_total, IMPORT_MAX_ROWS_ROLE + 1);
    /* Rows are records, not lines: blank lines do not count, CR alone ends a row too. */
    struct buf c;
    buf_init(&c, 64 << 20);
    buf_append(&c, b.data, at_limit);
    for (int i = 0; i < 1000; i++)
        buf_puts(&c, "\r\n");
    CHECK(buf_ok(&c));
    as(&f, 1);
    CHECK_EQ_INT(run(&f, "orders", c.data, c.len, 1, 0, &r), KAM_OK);
    CHECK_EQ_INT(r.rows_total, IMPORT_MAX_ROWS_ROLE);
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\n')
            b.data[i] = '\r';
    CHECK_EQ_INT(run(&f, "orders", b.data, b.len, 1, 0, &r), KAM_EINVAL);
    CHECK(problem_at(&r, IMPORT_MAX_ROWS_ROLE + 2, "") != NULL);
    buf_release(&c);
    /* An admin (and the CLI, which runs as one) has no limit. */
    as(&f, 0);
    CHECK_EQ_INT(run(&f, "orders", b.data, b.len, 1, 0, &r), KAM_OK);
    CHECK_EQ_INT(r.rows_total, IMPORT_MAX_ROWS_ROLE + 1);
    f.fix.ctx.who = (struct principal){0, ROLE_ADMIN, "system"};
    CHECK_EQ_INT(run(&f, "orders", b.data, b.len, 0, 0, &r), KAM_OK);
    CHECK_EQ_INT(q64(&f, "SELECT COUNT(*) FROM order_lines"), IMPORT_MAX_ROWS_ROLE + 1);
    buf_release(&b);
    fixture_close(&f.fix);
}
