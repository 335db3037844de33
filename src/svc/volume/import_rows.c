/* import_rows.c -- checking and writing the rows of each kind of import: orders in memory and
 * in chunks through sales_write_lines(), products and accounts through their services, each in
 * a savepoint kept only while the file is being written. */
#include "import_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "import_parse.h"
#include "product.h"
#include "store/db.h"
#include "svc/core/policy.h"
#include "svc/relationships/account.h"
#include "svc/risk/receivable.h"

/* ---- the rows of each kind ---- */

/* What to add to the reason for a number that does not parse: "1,234.50" has a separator. */
static const char *num_hint(const char *s, size_t n)
{
    return memchr(s, ',', n) ? " (thousands are grouped by three: 1,234.50)" : "";
}

static const char *dup_in(struct imp *im, const char *s, size_t n)
{
    return arena_strndup(im->ca, s, n);
}

const char *imp_raw_record(struct imp *im)
{
    size_t cap = 1;
    for (int c = 0; c < im->nf; c++)
        cap += im->flen[c] * 2 + 3;
    char *out = arena_alloc(im->ca, cap), *o = out;
    for (int c = 0; c < im->nf; c++) {
        const char *f = im->fbuf.data + im->foff[c];
        *o++ = '"';
        for (size_t i = 0; i < im->flen[c]; i++) {
            if (f[i] == '"')
                *o++ = '"';
            *o++ = f[i];
        }
        *o++ = '"';
        *o++ = ',';
    }
    *o = 0;
    return out;
}

void imp_order_row(struct imp *im)
{
    size_t n;
    const char *s;
    struct order_row r = {0};
    s = imp_get(im, O_EXT, &n);
    if (!n)
        imp_problem_key(im, "external_id", "import.empty", NULL, -1, -1, "is empty");
    else if (utf8_chars(s, n) > 100)
        imp_problem_key(im, "external_id", "import.too_long", NULL, -1, 100,
                        "is longer than 100 characters");
    else {
        void *first = strmap_add(&im->seen, s, n, (void *)(intptr_t)(im->row + im->row_base));
        if (first)
            imp_problem_key(im, "external_id", "import.repeats", imp_quote(im, s, n, 100),
                            (int64_t)(intptr_t)first, -1, "%.*s repeats row %lld", (int)n, s,
                            (long long)(intptr_t)first);
        r.external_id = dup_in(im, s, n);
    }
    s = imp_get(im, O_DATE, &n);
    if (import_parse_date(s, n, &r.day))
        imp_problem_key(
            im, "date", "import.bad_date", imp_quote(im, s, n, 40), -1, -1,
            "\"%.*s\" is not a date (2026-03-05, 2026/3/5, 2026年3月5日, 20260305, ...)",
            imp_clip(s, n, 40), s);
    s = imp_get(im, O_ACCOUNT, &n);
    const struct acct_info *a = n ? strmap_get(&im->accounts, s, n) : NULL;
    if (!a)
        imp_problem_key(im, "account_code", n ? "import.no_account" : "import.empty",
                        n ? imp_quote(im, s, n, 64) : NULL, -1, -1,
                        n ? "no account with code \"%.*s\"" : "is empty%.*s", imp_clip(s, n, 64),
                        s);
    s = imp_get(im, O_SKU, &n);
    const struct prod_info *p = n ? strmap_get(&im->products, s, n) : NULL;
    if (!p)
        imp_problem_key(im, "sku", n ? "import.no_product" : "import.empty",
                        n ? imp_quote(im, s, n, 64) : NULL, -1, -1,
                        n ? "no product with sku \"%.*s\"" : "is empty%.*s", imp_clip(s, n, 64), s);
    s = imp_get(im, O_REGION, &n);
    if (utf8_chars(s, n) > 64)
        imp_problem_key(im, "region", "import.too_long", NULL, -1, 64,
                        "is longer than 64 characters");
    r.region = n ? dup_in(im, s, n) : a ? a->region : "";
    s = imp_get(im, O_CHANNEL, &n);
    if (utf8_chars(s, n) > 64)
        imp_problem_key(im, "channel", "import.too_long", NULL, -1, 64,
                        "is longer than 64 characters");
    r.channel = n ? dup_in(im, s, n) : a ? a->channel : "";
    s = imp_get(im, O_QTY, &n);
    if (import_parse_decimal(s, n, 3, 0, &r.quantity) || r.quantity > INT64_C(1000000000000000) ||
        r.quantity < -INT64_C(1000000000000000))
        imp_problem_key(im, "quantity", "import.bad_number", imp_quote(im, s, n, 40), -1, 3,
                        "\"%.*s\" is not a number with at most 3 decimals%s", imp_clip(s, n, 40), s,
                        num_hint(s, n));
    s = imp_get(im, O_AMOUNT, &n);
    if (import_parse_decimal(s, n, 2, 1, &r.amount) || r.amount > INT64_C(1000000000000000) ||
        r.amount < -INT64_C(1000000000000000))
        imp_problem_key(im, "amount", "import.bad_number", imp_quote(im, s, n, 40), -1, 2,
                        "\"%.*s\" is not an amount with at most 2 decimals%s", imp_clip(s, n, 40),
                        s, num_hint(s, n));
    s = imp_get(im, O_CURRENCY, &n);
    char iso_buf[4];
    const char *iso = n ? import_currency(s, n, iso_buf) : NULL; /* RMB, 人民币, cny: CNY */
    r.currency = iso ? dup_in(im, iso, strlen(iso)) : n ? dup_in(im, s, n) : im->base_currency;
    const int64_t *rate = strmap_get(&im->fx, r.currency, strlen(r.currency));
    if (!rate)
        imp_problem_key(im, "currency", "import.no_rate", imp_quote(im, s, n, 8), -1, -1,
                        "no exchange rate for \"%.*s\"", imp_clip(s, n, 8), s);
    if (im->row_bad || (!im->writing && !im->o->dry_run && !im->price_refuse))
        return; /* a dry run collects its rows too: the price check reads them (and so does a
                 * load that refused a row below the price: the check goes on as a dry run) */
    r.row = im->row + im->row_base;
    r.account_id = a->id;
    r.product_id = p->id;
    r.family = p->family;
    __int128 v = (__int128)r.amount * *rate;
    v = v >= 0 ? (v + 500000) / 1000000 : -((-v + 500000) / 1000000);
    if (v > INT64_C(1000000000000000) || v < -INT64_C(1000000000000000)) {
        imp_problem_key(im, "amount", "import.out_of_range", NULL, -1, -1,
                        "is out of range in the base currency");
        return;
    }
    r.amount_base = (int64_t)v;
    if (im->o->reject && !im->o->no_price_check && (!im->price_rule || im->price_refuse))
        r.raw = imp_raw_record(im); /* a row the price check refuses goes to the reject file */
    im->chunk[im->nchunk++] = r;
    /* the writer thread's first chunk is smaller: it starts sooner */
    if (im->nchunk == (im->writer && !im->chunks_sent ? im->chunk_cap / 8 : im->chunk_cap))
        imp_flush_chunk(im);
}

/* A row written through a service inside a savepoint: its error becomes the row's problem. */
static void service_error(struct imp *im)
{
    struct kam_error *e = im->ctx->err;
    if (e->code == KAM_EINVAL || e->code == KAM_ECONFLICT)
        imp_problem_err(im, e);
    else
        imp_fail_db(im, e->code);
    kam_error_clear(e);
}

/* Ends the savepoint around one row's service call: kept while the file is being written,
 * rolled back when it is only being checked (a dry run, or a load already failed), so every
 * row meets the service's own checks either way. Returns the service's result. */
static enum kam_err keep_if_writing(struct imp *im, enum kam_err rc)
{
    struct kam_ctx *ctx = im->ctx;
    if (rc || im->writing)
        return db_end(ctx->db, rc, ctx->err);
    struct kam_error saved = *ctx->err;
    db_end(ctx->db, KAM_ECONFLICT, ctx->err); /* any error code rolls the savepoint back */
    *ctx->err = saved;
    return KAM_OK;
}

void imp_product_row(struct imp *im)
{
    struct kam_ctx *ctx = im->ctx;
    struct product_in in = {0};
    size_t n;
    const char *s;
    in.set = PROD_SKU | PROD_NAME | PROD_FAMILY;
    s = imp_get(im, P_SKU, &n);
    in.sku = arena_strndup(ctx->a, s, n);
    s = imp_get(im, P_NAME, &n);
    in.name = arena_strndup(ctx->a, s, n);
    s = imp_get(im, P_FAMILY, &n);
    in.family = arena_strndup(ctx->a, s, n);
    if (im->col[P_UNIT] >= 0) {
        s = imp_get(im, P_UNIT, &n);
        in.unit = arena_strndup(ctx->a, s, n);
        in.set |= PROD_UNIT;
    }
    if (im->col[P_PRICE] >= 0) {
        s = imp_get(im, P_PRICE, &n);
        in.set |= PROD_PRICE;
        in.has_list_price = n > 0;
        if (n && (import_parse_decimal(s, n, 2, 1, &in.list_price) || in.list_price < 0))
            imp_problem_key(im, "list_price", "import.bad_number", imp_quote(im, s, n, 40), -1, 2,
                            "\"%.*s\" is not a price with at most 2 decimals%s", imp_clip(s, n, 40),
                            s, num_hint(s, n));
        s = imp_get(im, P_CURRENCY, &n);
        char iso_buf[4];
        const char *iso = n ? import_currency(s, n, iso_buf) : NULL;
        in.currency = iso ? arena_strdup(ctx->a, iso)
                      : n ? arena_strndup(ctx->a, s, n)
                          : im->base_currency;
    }
    if (im->row_bad)
        return;
    struct product out;
    int created = 0;
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (!rc)
        rc = keep_if_writing(im, product_upsert(ctx, &in, &out, &created));
    if (rc) {
        service_error(im);
        return;
    }
    if (!im->writing)
        return;
    if (created)
        im->rep->rows_inserted++;
    else
        im->rep->rows_updated++;
}

void imp_account_row(struct imp *im)
{
    struct kam_ctx *ctx = im->ctx;
    struct account_in in = {0};
    size_t n;
    const char *s;
    static const struct {
        int f;
        unsigned bit;
        size_t off;
    } text[] = {
        {A_CODE, ACC_CODE, offsetof(struct account, code)},
        {A_NAME, ACC_NAME, offsetof(struct account, name)},
        {A_INDUSTRY, ACC_INDUSTRY, offsetof(struct account, industry)},
        {A_REGION, ACC_REGION, offsetof(struct account, region)},
        {A_CHANNEL, ACC_CHANNEL, offsetof(struct account, channel)},
        {A_TIER, ACC_TIER, offsetof(struct account, tier)},
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        if (im->col[text[i].f] < 0)
            continue;
        s = imp_get(im, text[i].f, &n);
        if (!n && text[i].f == A_TIER)
            continue; /* an empty tier keeps the account's */
        *(const char **)(void *)((char *)&in.v + text[i].off) = arena_strndup(ctx->a, s, n);
        in.set |= text[i].bit;
    }
    s = imp_get(im, A_OWNER, &n);
    if (n) {
        const int64_t *uid = strmap_get(&im->users, s, n);
        if (!uid)
            imp_problem_key(im, "owner_login", "import.no_user", imp_quote(im, s, n, 64), -1, -1,
                            "no user with login \"%.*s\"", imp_clip(s, n, 64), s);
        else {
            in.v.owner_id = *uid;
            in.set |= ACC_OWNER;
        }
    }
    size_t cn;
    const char *code = imp_get(im, A_CODE, &cn);
    /* Known = an account the caller may read (the map holds no other). A code of one they may
     * not read goes to account_create like a new one, and its unique code refuses the row just
     * as POST /accounts would: the import tells nothing the API does not. */
    const struct acct_info *known = cn ? strmap_get(&im->accounts, code, cn) : NULL;
    if (!known && !(in.set & ACC_OWNER) && !ctx->who.user_id)
        imp_problem_key(im, "owner_login", "import.owner_required", NULL, -1, -1,
                        "is required for a new account");
    if (known && policy_grant(ctx->who.role, OBJ_ACCOUNT, ACT_UPDATE) != GRANT_ALL) {
        int in_scope = 0;
        enum kam_err rc = policy_account_in_scope(ctx, known->id, &in_scope);
        if (rc) {
            imp_fail_db(im, rc);
            return;
        }
        if (!in_scope)
            imp_problem_key(im, "code", "import.not_yours", imp_quote(im, code, cn, 64), -1, -1,
                            "you may not change the account %.*s", imp_clip(code, cn, 64), code);
    }
    if (im->row_bad)
        return;
    struct account out;
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (!rc) {
        if (known) {
            in.set &= ~ACC_CODE;
            rc = account_update(ctx, known->id, &in, &out);
        } else {
            rc = account_create(ctx, &in, &out);
        }
        rc = keep_if_writing(im, rc);
    }
    if (rc) {
        service_error(im);
        return;
    }
    if (!im->writing)
        return;
    if (known) {
        im->rep->rows_updated++;
    } else {
        im->rep->rows_inserted++;
        struct acct_info *ai = arena_alloc(&im->la, sizeof *ai);
        *ai = (struct acct_info){out.id, "", ""};
        strmap_put(&im->accounts, code, cn, ai);
    }
}

/* ---- invoices and payments (issue 16; svc/risk/receivable.h, docs/CREDIT.md) ---- */

/* The fields both share: the account, the date, the amount and the currency. */
static void recv_common(struct imp *im, int f_account, int f_date, int f_amount, int f_currency,
                        int64_t *account, const char **day, int64_t *amount, const char **cur)
{
    struct kam_ctx *ctx = im->ctx;
    size_t n;
    const char *s = imp_get(im, f_account, &n);
    const struct acct_info *a = n ? strmap_get(&im->accounts, s, n) : NULL;
    if (!a)
        imp_problem_key(im, "account_code", n ? "import.no_account" : "import.empty",
                        n ? imp_quote(im, s, n, 64) : NULL, -1, -1,
                        n ? "no account with code \"%.*s\"" : "is empty%.*s", imp_clip(s, n, 64),
                        s);
    *account = a ? a->id : 0;
    int64_t dn = 0;
    s = imp_get(im, f_date, &n);
    if (import_parse_date(s, n, &dn))
        imp_problem_key(
            im, "date", "import.bad_date", imp_quote(im, s, n, 40), -1, -1,
            "\"%.*s\" is not a date (2026-03-05, 2026/3/5, 2026年3月5日, 20260305, ...)",
            imp_clip(s, n, 40), s);
    *day = receivable_day_str(ctx, dn);
    s = imp_get(im, f_amount, &n);
    if (import_parse_decimal(s, n, 2, 1, amount) || *amount > RECV_AMOUNT_MAX)
        imp_problem_key(im, "amount", "import.bad_number", imp_quote(im, s, n, 40), -1, 2,
                        "\"%.*s\" is not an amount with at most 2 decimals%s", imp_clip(s, n, 40),
                        s, num_hint(s, n));
    s = imp_get(im, f_currency, &n);
    char iso_buf[4];
    const char *iso = n ? import_currency(s, n, iso_buf) : NULL;
    *cur = iso ? arena_strdup(ctx->a, iso) : n ? arena_strndup(ctx->a, s, n) : im->base_currency;
    if (!strmap_get(&im->fx, *cur, strlen(*cur)))
        imp_problem_key(im, "currency", "import.no_rate", imp_quote(im, s, n, 8), -1, -1,
                        "no exchange rate for \"%.*s\"", imp_clip(s, n, 8), s);
}

/* The number of the row (invoice_no, payment_no): present, <= RECV_NO_MAX, once in the file. */
static const char *recv_no(struct imp *im, int f, const char *field)
{
    size_t n;
    const char *s = imp_get(im, f, &n);
    if (!n) {
        imp_problem_key(im, field, "import.empty", NULL, -1, -1, "is empty");
        return "";
    }
    if (utf8_chars(s, n) > RECV_NO_MAX) {
        imp_problem_key(im, field, "import.too_long", NULL, -1, RECV_NO_MAX,
                        "is longer than %d characters", RECV_NO_MAX);
        return "";
    }
    void *first = strmap_add(&im->seen, s, n, (void *)(intptr_t)(im->row + im->row_base));
    if (first)
        imp_problem_key(im, field, "import.repeats", imp_quote(im, s, n, 100),
                        (int64_t)(intptr_t)first, -1, "%.*s repeats row %lld", (int)n, s,
                        (long long)(intptr_t)first);
    return arena_strndup(im->ctx->a, s, n);
}

/* One row through the service in a savepoint (kept only while the file is being written). */
static void recv_write(struct imp *im, int invoice, const void *in)
{
    struct kam_ctx *ctx = im->ctx;
    int result = -1;
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (!rc)
        rc = keep_if_writing(im, invoice ? invoice_load(ctx, in, &result)
                                         : payment_load(ctx, in, &result));
    if (rc) {
        service_error(im);
        return;
    }
    if (!im->writing)
        return;
    if (result == 1)
        im->rep->rows_inserted++;
    else if (result == 0)
        im->rep->rows_updated++;
}

void imp_invoice_row(struct imp *im)
{
    struct invoice_in in = {0};
    in.invoice_no = recv_no(im, I_NO, "invoice_no");
    recv_common(im, I_ACCOUNT, I_DATE, I_AMOUNT, I_CURRENCY, &in.account_id, &in.day, &in.amount,
                &in.currency);
    size_t n;
    const char *s = imp_get(im, I_DUE, &n);
    int64_t dn = 0;
    if (import_parse_date(s, n, &dn))
        imp_problem_key(
            im, "due_date", "import.bad_date", imp_quote(im, s, n, 40), -1, -1,
            "\"%.*s\" is not a date (2026-03-05, 2026/3/5, 2026年3月5日, 20260305, ...)",
            imp_clip(s, n, 40), s);
    in.due_day = receivable_day_str(im->ctx, dn);
    if (im->row_bad)
        return;
    in.import_id = im->run_id;
    recv_write(im, 1, &in);
}

void imp_payment_row(struct imp *im)
{
    struct payment_in in = {0};
    in.payment_no = recv_no(im, Y_NO, "payment_no");
    recv_common(im, Y_ACCOUNT, Y_DATE, Y_AMOUNT, Y_CURRENCY, &in.account_id, &in.day, &in.amount,
                &in.currency);
    size_t n;
    const char *s = imp_get(im, Y_INVOICE, &n);
    if (utf8_chars(s, n) > RECV_NO_MAX)
        imp_problem_key(im, "invoice_no", "import.too_long", NULL, -1, RECV_NO_MAX,
                        "is longer than %d characters", RECV_NO_MAX);
    in.invoice_no = n ? arena_strndup(im->ctx->a, s, n) : NULL;
    if (im->row_bad)
        return;
    in.import_id = im->run_id;
    recv_write(im, 0, &in);
}
