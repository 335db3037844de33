/* import.c -- CSV imports: libcsv parses, each kind checks its rows (import_rows.c), the
 * services write. This file reads the file and the header, loads the lookups, records the run.
 *
 * Orders are the bulk case (millions of lines): account codes, SKUs and exchange rates are
 * loaded into hash maps once, rows are checked in memory, counted in the rollup deltas and
 * written in chunks of CHUNK rows through sales_bulk_lines() (sorted by external id, bulk loads:
 * COPY on PostgreSQL, many-row INSERTs on SQLite); past one chunk a writer thread writes each
 * chunk while the next one is read (import_write.c). The secondary indexes are dropped and built
 * again around a load that is big next to the table (sales_bulk_start/finish), SQLite's
 * foreign-key checks are off (the rows' references are checked here), and the rollup deltas are
 * flushed once at the end -- all in one
 * transaction. Products and accounts are few: each row goes through its
 * service (validation, audit) inside a savepoint, so a bad row can be skipped cleanly. */
#include "import.h"
#include "import_int.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strmap.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "import_mapping.h"
#include "import_parse.h"
#include "import_read.h"
#include "product.h"
#include "sales.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"

static const struct kind_def {
    const char *name;
    const char *fields[NFIELDS + 1];
    unsigned required; /* bit i: fields[i] */
} kinds[] = {
    [K_ORDERS] = {"orders",
                  {"external_id", "date", "account_code", "sku", "region", "channel", "quantity",
                   "amount", "currency"},
                  0xCF},
    [K_PRODUCTS] = {"products", {"sku", "name", "family", "unit", "list_price", "currency"}, 0x7},
    [K_ACCOUNTS] = {"accounts",
                    {"code", "name", "industry", "region", "channel", "tier", "owner_login"},
                    0x3},
    [K_INVOICES] = {"invoices",
                    {"invoice_no", "account_code", "date", "due_date", "amount", "currency"},
                    0x1F},
    [K_PAYMENTS] = {"payments",
                    {"payment_no", "account_code", "date", "amount", "currency", "invoice_no"},
                    0xF},
};

const char *import_header(const char *kind)
{
    static const char *const headers[] = {
        [K_ORDERS] = "external_id,date,account_code,sku,region,channel,quantity,amount,currency",
        [K_PRODUCTS] = "sku,name,family,unit,list_price,currency",
        [K_ACCOUNTS] = "code,name,industry,region,channel,tier,owner_login",
        [K_INVOICES] = "invoice_no,account_code,date,due_date,amount,currency",
        [K_PAYMENTS] = "payment_no,account_code,date,amount,currency,invoice_no",
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kind && strcmp(kinds[i].name, kind) == 0)
            return headers[i];
    return NULL;
}

/* Records a problem of the current row (column "" = the row or the file). */
static void problem(struct imp *im, const char *column, const char *key,
                    const struct kam_param *params, size_t np, const char *fmt, va_list ap)
{
    char msg[300];
    vsnprintf(msg, sizeof msg, fmt, ap);
    im->row_bad = 1;
    if (im->row_err.len)
        buf_puts(&im->row_err, "; ");
    if (*column) {
        buf_puts(&im->row_err, column);
        buf_puts(&im->row_err, ": ");
    }
    buf_puts(&im->row_err, msg);
    struct import_report *r = im->rep;
    if (r->problems_total++ >= IMPORT_MAX_PROBLEMS)
        return;
    struct import_problem *p = &r->problems[r->nproblems++];
    p->row = im->row + im->row_base;
    p->column = arena_strdup(im->ctx->a, column);
    p->reason = arena_strdup(im->ctx->a, msg);
    struct arena *a = im->ctx->a;
    p->key = arena_strdup(a, key);
    p->nparams = 0;
    for (size_t i = 0; i < np && p->nparams < sizeof p->params / sizeof p->params[0]; i++)
        p->params[p->nparams++] =
            (struct kam_param){arena_strdup(a, params[i].name), arena_strdup(a, params[i].value)};
    if (r->nproblems <= 200) {
        jw_obj_begin(&im->pw);
        jw_ki64(&im->pw, "row", p->row);
        jw_kstr(&im->pw, "column", p->column);
        jw_kstr(&im->pw, "reason", p->reason);
        jw_kstr(&im->pw, "key", p->key);
        jw_key(&im->pw, "params");
        jw_obj_begin(&im->pw);
        for (size_t i = 0; i < p->nparams; i++)
            jw_kstr(&im->pw, p->params[i].name, p->params[i].value);
        jw_obj_end(&im->pw);
        jw_obj_end(&im->pw);
    }
}

void imp_problem(struct imp *im, const char *column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem(im, column, "", NULL, 0, fmt, ap);
    va_end(ap);
}

void imp_problem_key(struct imp *im, const char *column, const char *key, const char *value,
                     int64_t n, int64_t max, const char *fmt, ...)
{
    struct kam_param params[3];
    size_t np = 0;
    char nb[24], mb[24];
    if (value)
        params[np++] = (struct kam_param){"value", value};
    if (n >= 0) {
        snprintf(nb, sizeof nb, "%lld", (long long)n);
        params[np++] = (struct kam_param){"n", nb};
    }
    if (max >= 0) {
        snprintf(mb, sizeof mb, "%lld", (long long)max);
        params[np++] = (struct kam_param){"max", mb};
    }
    va_list ap;
    va_start(ap, fmt);
    problem(im, column, key, params, np, fmt, ap);
    va_end(ap);
}

static void problem_err_va(struct imp *im, const struct kam_error *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem_err_va(struct imp *im, const struct kam_error *e, const char *fmt, ...)
{
    struct kam_param params[KAM_ERR_PARAMS];
    size_t np = 0;
    for (int i = 0; i < e->nparams && i < KAM_ERR_PARAMS; i++)
        params[np++] = (struct kam_param){e->params[i].name, e->params[i].value};
    va_list ap;
    va_start(ap, fmt);
    problem(im, e->field, *e->key ? e->key : kam_err_name(e->code), params, np, fmt, ap);
    va_end(ap);
}

void imp_problem_err(struct imp *im, const struct kam_error *e)
{
    problem_err_va(im, e, "%s", e->msg);
}

const char *imp_quote(struct imp *im, const char *s, size_t n, size_t max)
{
    return arena_strndup(im->ctx->a, s, (size_t)imp_clip(s, n, max));
}

void imp_fail_db(struct imp *im, enum kam_err rc)
{
    if (!im->rc)
        im->rc = rc;
    im->stop = 1;
    im->writing = 0;
}

/* How many bytes of s[0..n) to quote in a message: at most max, never splitting a character. */
int imp_clip(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return (int)n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    return (int)k;
}

/* The value of field f in the current record ("" when absent), length in *n. */
const char *imp_get(struct imp *im, int f, size_t *n)
{
    int c = im->col[f];
    if (c < 0 || c >= im->nf) {
        *n = 0;
        return "";
    }
    *n = im->flen[c];
    return im->fbuf.data + im->foff[c];
}

/* ---- the header ---- */

/* The header name the mapping gives field (NULL: none), copied into out. */
static const char *mapped(const char *mapping, const char *field, char *out, size_t outn)
{
    size_t fl = strlen(field);
    for (const char *p = mapping; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > fl && strncmp(p, field, fl) == 0 && p[fl] == '=') {
            size_t vn = n - fl - 1;
            if (vn >= outn)
                vn = outn - 1;
            memcpy(out, p + fl + 1, vn);
            out[vn] = 0;
            return out;
        }
        p = end ? end + 1 : p + n;
    }
    return NULL;
}

static void read_header(struct imp *im)
{
    const struct kind_def *k = &kinds[im->kind];
    im->ncols = im->nf;
    for (int c = 0; c < im->nf; c++)
        im->header[c] = arena_strndup(im->ctx->a, im->fbuf.data + im->foff[c], im->flen[c]);
    if (im->overflow) {
        imp_problem_key(im, "", "import.too_many_columns", NULL, -1, MAX_COLS,
                        "more than %d columns", MAX_COLS);
        im->stop = 1;
        im->writing = 0;
        return;
    }
    /* the same matching as the preview's (import_mapping.c) */
    const char *heads[MAX_COLS];
    size_t nfields = 0;
    int named[NFIELDS];
    for (int c = 0; c < im->nf; c++)
        heads[c] = im->fbuf.data + im->foff[c];
    while (k->fields[nfields])
        nfields++;
    import_match_columns(k->name, k->fields, nfields, im->o->mapping, heads, im->flen,
                         (size_t)im->nf, im->col, named);
    for (int f = 0; k->fields[f]; f++) {
        char want[256];
        const char *name =
            named[f] ? mapped(im->o->mapping, k->fields[f], want, sizeof want) : NULL;
        if (im->col[f] < 0 && (name || (k->required >> f & 1))) {
            if (name)
                imp_problem_key(im, k->fields[f], "import.no_column", name, -1, -1,
                                "the file has no column named \"%s\"", name);
            else
                imp_problem_key(im, k->fields[f], "import.no_column", k->fields[f], -1, -1,
                                "the file has no column \"%s\" (map it with %s=Header)",
                                k->fields[f], k->fields[f]);
            im->stop = 1;
            im->writing = 0;
        }
    }
}

/* 1 if s holds a C0 control (tab included) or DEL or a C1 control: no field takes them. */
static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 1;
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f)
            return 1;
    }
    return 0;
}

/* ---- libcsv callbacks ---- */

void imp_reject_header(struct imp *im)
{
    FILE *f = im->o->reject;
    if (!f || im->reject_header)
        return;
    im->reject_header = 1;
    for (int c = 0; c < im->ncols; c++) {
        csv_fwrite(f, im->header[c], strlen(im->header[c]));
        fputc(',', f);
    }
    fputs("error\n", f);
}

static void reject_row(struct imp *im)
{
    FILE *f = im->o->reject;
    if (!f)
        return;
    imp_reject_header(im);
    for (int c = 0; c < im->nf; c++) {
        csv_fwrite(f, im->fbuf.data + im->foff[c], im->flen[c]);
        fputc(',', f);
    }
    buf_putc(&im->row_err, 0);
    csv_fwrite(f, im->row_err.data, strlen(im->row_err.data));
    fputc('\n', f);
}

static void on_field(void *s, size_t n, void *arg)
{
    struct imp *im = arg;
    if (im->nf >= MAX_COLS) {
        im->overflow = 1;
        return;
    }
    if (im->too_long)
        return;
    size_t at = im->fbuf.len;
    buf_append(&im->fbuf, s, n);
    buf_putc(&im->fbuf, 0);
    if (!buf_ok(&im->fbuf)) {
        /* The row does not fit the 1 MiB row buffer: it is refused whole, its fields unread. */
        im->too_long = 1;
        return;
    }
    im->foff[im->nf] = at;
    im->flen[im->nf] = n;
    im->nf++;
}

/* The record is a title above the header (import_title_row). */
static int title_row(struct imp *im)
{
    if (im->overflow)
        return 0;
    const char *cells[MAX_COLS];
    for (int c = 0; c < im->nf; c++)
        cells[c] = im->fbuf.data + im->foff[c];
    return import_title_row(im->ctx, kinds[im->kind].name, im->o->mapping, cells, im->flen,
                            (size_t)im->nf);
}

static void on_row(int term, void *arg)
{
    (void)term;
    struct imp *im = arg;
    im->row++;
    im->row_bad = 0;
    buf_reset(&im->row_err);
    if (im->stop)
        goto done;
    if (im->too_long) {
        imp_problem_key(im, "", "import.row_too_long", NULL, -1, -1,
                        "the row is longer than 1 MiB");
        if (!im->have_header) { /* a header that cannot be read: nothing can */
            im->stop = 1;
            im->writing = 0;
            goto done;
        }
    } else if (!im->have_header) {
        if (im->row <= IMPORT_TITLE_ROWS && title_row(im))
            goto done; /* a title or note above the header */
        read_header(im);
        im->have_header = 1;
        goto done;
    }
    /* ",,,,," and the empty rows a sheet leaves are no rows (counted, so rows keep numbers) */
    if (!im->too_long && !im->overflow && import_row_empty(im->flen, im->nf))
        goto done;
    /* A field more or less shifts every value after it: refused, whatever the columns. */
    if (im->overflow)
        imp_problem_key(im, "", "import.too_many_columns", NULL, -1, MAX_COLS,
                        "more than %d columns", MAX_COLS);
    else if (!im->too_long && im->nf != im->ncols)
        imp_problem_key(im, "", "import.field_count", NULL, im->nf, im->ncols,
                        "has %d field%s, the header %d%s", im->nf, im->nf == 1 ? "" : "s",
                        im->ncols,
                        im->nf > im->ncols ? " (a value with a comma must be quoted)" : "");
    for (int c = 0; c < im->nf && !im->row_bad; c++) {
        const char *s = im->fbuf.data + im->foff[c];
        size_t n = im->flen[c];
        const char *col = c < im->ncols ? im->header[c] : "";
        for (int f = 0; kinds[im->kind].fields[f]; f++)
            if (im->col[f] == c)
                col = kinds[im->kind].fields[f];
        if (n > MAX_FIELD)
            imp_problem_key(im, col, "import.value_too_long", NULL, -1, MAX_FIELD,
                            "is longer than %d bytes", MAX_FIELD);
        else if (!utf8_valid(s, n) || memchr(s, 0, n))
            imp_problem_key(im, col, "import.bad_utf8", NULL, -1, -1,
                            "is not valid UTF-8 text (save the file as UTF-8)");
        else if (has_control(s, n))
            imp_problem_key(im, col, "import.control_char", NULL, -1, -1,
                            "contains a line break or another control character");
    }
    im->rep->rows_total++;
    if (!im->row_bad) {
        if (im->kind == K_ORDERS)
            imp_order_row(im);
        else if (im->kind == K_PRODUCTS)
            imp_product_row(im);
        else if (im->kind == K_INVOICES)
            imp_invoice_row(im);
        else if (im->kind == K_PAYMENTS)
            imp_payment_row(im);
        else
            imp_account_row(im);
    }
    if (im->row_bad) {
        im->rep->rows_rejected++;
        if (!im->o->skip_bad_rows)
            im->writing = 0;
        reject_row(im);
    }
done:
    im->nf = 0;
    im->overflow = 0;
    im->too_long = 0;
    buf_reset(&im->fbuf);
}

/* ---- lookups ---- */

/* what: 0 accounts, 1 products, 2 code -> int64. scoped: sql starts with POLICY_SCOPE_WITH. */
static enum kam_err load_map(struct imp *im, const char *sql, int scoped, struct strmap *m,
                             int what)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(im->ctx->db, sql, &st, im->ctx->err);
    if (rc)
        return rc;
    if (scoped) {
        db_bind_i64(st, 1, im->ctx->who.user_id);
        db_bind_i64(st, 2, im->ctx->who.user_id);
    }
    int row = 0;
    while (!(rc = db_step(st, &row, im->ctx->err)) && row) {
        size_t kn;
        const char *k = db_col_textn(st, 0, &kn);
        void *v;
        if (what == 0) {
            struct acct_info *a = arena_alloc(&im->la, sizeof *a);
            a->id = db_col_i64(st, 1);
            a->region = arena_strdup(&im->la, db_col_text(st, 2));
            a->channel = arena_strdup(&im->la, db_col_text(st, 3));
            v = a;
        } else if (what == 1) {
            struct prod_info *p = arena_alloc(&im->la, sizeof *p);
            p->id = db_col_i64(st, 1);
            p->family = arena_strdup(&im->la, db_col_text(st, 2));
            v = p;
        } else {
            int64_t *x = arena_alloc(&im->la, sizeof *x);
            *x = db_col_i64(st, 1);
            v = x;
        }
        strmap_put(m, k, kn, v);
    }
    db_done(st);
    return rc;
}

static enum kam_err load_lookups(struct imp *im)
{
    enum kam_err rc;
    if ((rc = fx_base(im->ctx, &im->base_currency)))
        return rc;
    im->base_currency = arena_strdup(&im->la, im->base_currency);
    int64_t *one = arena_alloc(&im->la, sizeof *one);
    *one = 1000000;
    strmap_put(&im->fx, im->base_currency, strlen(im->base_currency), one);
    /* Only the accounts the caller may read: a code outside them reads as an unknown one, so
     * no answer (not even a dry run's) tells that it exists. */
    int scoped = policy_list_scoped(&im->ctx->who);
    if ((rc = load_map(im,
                       scoped ? POLICY_SCOPE_WITH "SELECT code, id, region, channel FROM accounts "
                                                  "WHERE " POLICY_SCOPE_COND
                              : "SELECT code, id, region, channel FROM accounts",
                       scoped, &im->accounts, 0)))
        return rc;
    /* Row locks (PostgreSQL; see "row locks" in sales.c). A load of orders files its lines
     * under the families read here, so it share-locks every product, in id order, for its whole
     * transaction: a family change (product.c) waits for the load to end -- that is the price,
     * a product edit may wait minutes for a big load -- and a load waits for a change in flight
     * and reads the new family. Locking only the products the file names would lock them in
     * file order, chunk by chunk, and could deadlock with a products import. A products import
     * changes many products in one transaction, moving their rollups (product.c) as it goes:
     * it claims every product first, in id order, so it never waits for a line writer's share
     * lock while holding rollup rows (or the audit head) that writer waits for. A dry run
     * writes nothing and locks nothing. */
    const char *share = im->o->dry_run ? "" : db_share_lock(im->ctx->db);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT sku, id, family FROM products ORDER BY id%s", share);
    if ((im->kind == K_INVOICES || im->kind == K_PAYMENTS) &&
        (rc = load_map(im, "SELECT currency, rate_micro FROM fx_rates", 0, &im->fx, 2)))
        return rc;
    if (im->kind == K_ORDERS &&
        ((rc = load_map(im, sql, 0, &im->products, 1)) ||
         (rc = load_map(im, "SELECT currency, rate_micro FROM fx_rates", 0, &im->fx, 2))))
        return rc;
    const char *claim = im->o->dry_run ? "" : db_update_lock(im->ctx->db);
    if (im->kind == K_PRODUCTS && *claim) {
        int64_t n;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM (SELECT id FROM products ORDER BY id%s) p",
                 claim);
        if ((rc = db_query_i64(im->ctx->db, sql, 0, 0, &n, im->ctx->err)))
            return rc;
    }
    if (im->kind == K_ACCOUNTS &&
        (rc = load_map(im, "SELECT login, id FROM users WHERE disabled = 0", 0, &im->users, 2)))
        return rc;
    return KAM_OK;
}

/* ---- the run ---- */

/* Importing is the import right's (the routes check it too; the CLI runs as an admin). Then
 * orders and products load for those who may write every one of them; accounts for those who
 * may create and change accounts, each existing one changed only where the caller may
 * (imp_account_row). */
static enum kam_err may_import(struct kam_ctx *ctx, enum kind k)
{
    static const enum obj objs[] = {
        [K_ORDERS] = OBJ_SALES, [K_PRODUCTS] = OBJ_PRODUCT, [K_ACCOUNTS] = OBJ_ACCOUNT};
    if (policy_grant(ctx->who.role, OBJ_IMPORT, ACT_CREATE) == GRANT_NONE)
        return kam_fail(ctx->err, KAM_EFORBIDDEN, "kind", "importing takes the import right");
    /* invoices and payments: the right to create receivables, for every account (finance) */
    if (k == K_INVOICES || k == K_PAYMENTS)
        return policy_grant(ctx->who.role, OBJ_RECEIVABLE, ACT_CREATE) == GRANT_ALL
                   ? KAM_OK
                   : kam_fail(ctx->err, KAM_EFORBIDDEN, "kind",
                              "importing %s takes the right to create every receivable",
                              kinds[k].name);
    enum grant need = k == K_ACCOUNTS ? GRANT_SCOPE : GRANT_ALL;
    static const enum act acts[] = {ACT_CREATE, ACT_UPDATE};
    for (int i = 0; i < 2; i++)
        if (policy_grant(ctx->who.role, objs[k], acts[i]) < need)
            return kam_fail(ctx->err, KAM_EFORBIDDEN, "kind",
                            "importing %s takes the right to %s %s%s", kinds[k].name,
                            act_name(acts[i]), need == GRANT_ALL ? "every " : "",
                            obj_name(objs[k]));
    return KAM_OK;
}

static enum kam_err record_run(struct imp *im, const char *sql_kind)
{
    struct kam_ctx *ctx = im->ctx;
    struct import_report *r = im->rep;
    struct db_stmt *st;
    enum kam_err rc;
    if (!strcmp(sql_kind, "insert")) {
        rc = db_prepare(ctx->db,
                        "INSERT INTO import_runs (kind, filename, user_id, status, started_at, "
                        "finished_at, format, encoding, detected, sheet) VALUES (?, ?, ?, "
                        "'running', ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st, ctx->err);
        if (rc)
            return rc;
        db_bind_text(st, 1, r->kind);
        db_bind_text(st, 2, im->o->filename ? im->o->filename : "");
        db_bind_i64n(st, 3, ctx->who.user_id, !ctx->who.user_id);
        db_bind_i64(st, 4, r->started_at);
        db_bind_i64(st, 5, r->started_at);
        db_bind_text(st, 6, r->format ? r->format : "");
        db_bind_text(st, 7, r->encoding ? r->encoding : "");
        db_bind_text(st, 8, r->detected ? r->detected : "");
        db_bind_text(st, 9, r->sheet ? r->sheet : "");
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        if (row)
            im->run_id = db_col_i64(st, 0);
        db_done(st);
        return rc;
    }
    rc = db_prepare(ctx->db,
                    "UPDATE import_runs SET status = ?, rows_total = ?, rows_inserted = ?, "
                    "rows_updated = ?, rows_rejected = ?, report = ?, finished_at = ?, "
                    "problems_total = ? WHERE id = ?",
                    &st, ctx->err);
    if (rc)
        return rc;
    jw_arr_end(&im->pw);
    buf_putc(&im->problems, 0);
    db_bind_text(st, 1, r->status);
    db_bind_i64(st, 2, r->rows_total);
    db_bind_i64(st, 3, r->rows_inserted);
    db_bind_i64(st, 4, r->rows_updated);
    db_bind_i64(st, 5, r->rows_rejected);
    db_bind_text(st, 6, buf_ok(&im->problems) ? im->problems.data : "[]");
    db_bind_i64(st, 7, r->finished_at);
    db_bind_i64(st, 8, r->problems_total);
    db_bind_i64(st, 9, im->run_id);
    rc = db_run(st, ctx->err);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "kind", NULL, r->kind);
    audit_diff_str(&d, "status", NULL, r->status);
    audit_diff_i64(&d, "rows_inserted", 0, 1, r->rows_inserted, 0);
    audit_diff_i64(&d, "rows_updated", 0, 1, r->rows_updated, 0);
    audit_diff_i64(&d, "rows_rejected", 0, 1, r->rows_rejected, 0);
    return audit_write(ctx, "import", im->run_id, 0, "import", &d);
}

struct rows_count {
    int64_t records;
    int filled; /* the record being read has a value: empty rows of a sheet are no rows */
};

static void count_field(void *s, size_t n, void *arg)
{
    (void)s;
    ((struct rows_count *)arg)->filled |= n > 0;
}

static void count_record(int term, void *arg)
{
    (void)term;
    struct rows_count *c = arg;
    c->records += c->filled;
    c->filled = 0;
}

/* The data rows of data as parse_all reads them (records before a malformed spot, blank lines
 * skipped, the header not counted) when there may be more than max; otherwise -1. Every
 * record ends at a CR, an LF or the end, so their count bounds the rows: most files are not
 * parsed here at all. */
static int64_t rows_over(const char *data, size_t len, int64_t max)
{
    int64_t ends = 0;
    for (size_t i = 0; i < len; i++)
        ends += data[i] == '\n' || data[i] == '\r';
    if (ends <= max)
        return -1;
    struct csv_parser p;
    struct rows_count c = {0, 0};
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    if (csv_parse(&p, data, len, count_field, count_record, &c) == len)
        csv_fini(&p, count_field, count_record, &c);
    csv_free(&p);
    return c.records - 1 > max ? c.records - 1 : -1;
}

/* How many lines data holds (an estimate of its rows, for sales_bulk_start and the chunks):
 * line feeds or carriage returns, whichever there are more of (CRLF, LF and old CR-only files
 * alike). */
static int64_t lines_in(const char *data, size_t len)
{
    int64_t lf = 0, cr = 0;
    for (size_t i = 0; i < len; i++) {
        lf += data[i] == '\n';
        cr += data[i] == '\r';
    }
    return lf > cr ? lf : cr;
}

/* Order rows per chunk: CHUNK, or KAM_IMPORT_CHUNK (1,000 to 1,048,576), e.g. for tests that
 * run the writer thread on a small file. */
static size_t chunk_rows(void)
{
    const char *v = getenv("KAM_IMPORT_CHUNK");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n >= 1000 && n <= 1048576 ? (size_t)n : CHUNK;
}

/* A file over the caller's row limit is refused whole before a row is read or written: a
 * partial load of a big file is worse than none. */
static void refuse_rows(struct imp *im, int64_t rows)
{
    im->row = im->max_rows + 2; /* the first row over the limit (the header is row 1) */
    imp_problem_key(im, "", "import.too_many_rows", NULL, rows, im->max_rows,
                    "the file has %lld rows, more than the %lld one import of yours may hold "
                    "(split it, or ask an admin)",
                    (long long)rows, (long long)im->max_rows);
    im->rep->rows_total = im->rep->rows_rejected = rows;
    im->stop = 1;
    im->writing = 0;
}

static void parse_all(struct imp *im, const char *data, size_t len)
{
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    size_t done = 0, step = 1 << 20;
    while (done < len && !im->stop) {
        size_t n = len - done < step ? len - done : step;
        if (csv_parse(&p, data + done, n, on_field, on_row, im) != n) {
            im->row++;
            imp_problem_key(im, "", "import.malformed", NULL, -1, -1,
                            "the CSV is malformed near here (%s)", csv_strerror(csv_error(&p)));
            im->rep->rows_rejected++;
            im->writing = 0;
            im->stop = 1;
            break;
        }
        done += n;
        if (im->o->progress)
            im->o->progress(im->o->progress_arg, done, len, im->rep->rows_total);
    }
    if (!im->stop && csv_fini(&p, on_field, on_row, im) != 0) {
        im->row++;
        imp_problem_key(im, "", "import.malformed", NULL, -1, -1,
                        "the CSV is malformed at the end (%s)", csv_strerror(csv_error(&p)));
        im->rep->rows_rejected++;
        im->writing = 0;
    }
    csv_free(&p);
    if (im->row == 0) {
        im->row = 1;
        imp_problem_key(im, "", "import.empty_file", NULL, -1, -1,
                        "the file is empty: it needs a header row");
        im->writing = 0;
    } else if (!im->have_header && !im->stop) { /* only title-like rows */
        im->row = 1;
        imp_problem_key(im, "", "import.no_header", NULL, -1, -1,
                        "no header row: the first rows hold at most two values each and none "
                        "names the columns");
        im->writing = 0;
    }
}

/* The display name of who runs the import ("" for none). */
static enum kam_err runner_name(struct kam_ctx *ctx, const char **out)
{
    *out = "";
    if (!ctx->who.user_id)
        return KAM_OK;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT name FROM users WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *out = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    return rc;
}

static void problem_f(struct imp *im, const char *column, const char *key,
                      const struct kam_param *params, size_t np, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem(im, column, key, params, np, fmt, ap);
    va_end(ap);
}

/* A file that cannot be read (its encoding, a damaged or legacy workbook, an unknown sheet) is
 * a rejected run too, recorded as a malformed CSV is: the refusal is its one problem (row 0:
 * the file). The caller's error is kept. */
static void record_unreadable(struct kam_ctx *ctx, const struct import_opts *o,
                              struct import_report *out)
{
    struct kam_error saved = *ctx->err;
    struct imp *im = calloc(1, sizeof *im);
    if (!im)
        abort();
    im->ctx = ctx;
    im->o = o;
    im->rep = out;
    out->problems = arena_calloc(ctx->a, IMPORT_MAX_PROBLEMS, sizeof *out->problems);
    buf_init(&im->problems, 1 << 20);
    jw_init(&im->pw, &im->problems);
    jw_arr_begin(&im->pw);
    buf_init(&im->row_err, 1 << 16);
    struct kam_param params[KAM_ERR_PARAMS];
    size_t np = 0;
    for (int i = 0; i < saved.nparams && i < KAM_ERR_PARAMS; i++)
        params[np++] = (struct kam_param){saved.params[i].name, saved.params[i].value};
    problem_f(im, saved.field, saved.key, params, np, "%s", saved.msg);
    out->status = "rejected";
    out->finished_at = time_now() > ctx->now ? time_now() : ctx->now;
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (!rc) {
        rc = record_run(im, "insert");
        if (!rc)
            rc = record_run(im, "update");
        rc = db_end(ctx->db, rc, ctx->err);
    }
    if (rc) /* the refusal stands; its record is lost */
        log_error("import: recording an unreadable file failed: %s", ctx->err->msg);
    out->id = rc ? 0 : im->run_id;
    out->status = NULL; /* the request fails with the reader's error (400), not a report */
    buf_release(&im->problems);
    buf_release(&im->row_err);
    free(im);
    *ctx->err = saved;
}

enum kam_err import_run(struct kam_ctx *ctx, const struct import_opts *o, const char *data,
                        size_t len, struct import_report *out)
{
    memset(out, 0, sizeof *out);
    out->kind = o->kind ? o->kind : "";
    out->started_at = ctx->now;
    int k = -1;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (o->kind && strcmp(kinds[i].name, o->kind) == 0)
            k = (int)i;
    if (k < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "kind",
                        "kind must be orders, products, accounts, invoices or payments");
    enum kam_err rc;
    if ((rc = may_import(ctx, (enum kind)k)))
        return rc;
    if (o->mapping && (rc = check_text(ctx, "mapping", o->mapping, 0, 2000, 0)))
        return rc;
    if (o->filename && (rc = check_text(ctx, "filename", o->filename, 0, 255, 0)))
        return rc;
    out->filename = o->filename ? o->filename : "";
    out->user_id = ctx->who.user_id;
    if ((rc = runner_name(ctx, &out->user_name)))
        return rc;
    /* .xlsx, GBK, UTF-16 ...: UTF-8 CSV from here on */
    struct import_text txt;
    int64_t t0 = time_mono_us();
    struct import_read_opts ro = {o->encoding, o->sheet, o->filename};
    if ((rc = import_read(ctx, &ro, data, len, &txt))) {
        /* a run is recorded for a file that cannot be read, not for a bad parameter
         * (encoding=foo, sheet= on a text file, encoding= on an .xlsx): those leave the DB as
         * it was */
        static const char *const param_keys[] = {
            "import.unknown_encoding", "import.encoding_not_text", "import.sheet_not_xlsx"};
        int param = 0;
        for (size_t i = 0; i < sizeof param_keys / sizeof *param_keys; i++)
            param |= !strcmp(ctx->err->key, param_keys[i]);
        if (rc == KAM_EINVAL && !o->dry_run && !param)
            record_unreadable(ctx, o, out);
        return rc;
    }
    int64_t t1 = time_mono_us();
    out->us_read = t1 - t0;
    out->format = txt.format;
    out->encoding = txt.encoding;
    out->detected = txt.detected;
    out->sheet = txt.sheet ? txt.sheet : "";
    data = txt.data;
    len = txt.len;
    struct imp *im = calloc(1, sizeof *im);
    if (!im)
        abort();
    im->ctx = ctx;
    im->o = o;
    im->kind = (enum kind)k;
    im->row_base = txt.row_base;
    im->rep = out;
    out->problems = arena_calloc(ctx->a, IMPORT_MAX_PROBLEMS, sizeof *out->problems);
    buf_init(&im->problems, 1 << 20);
    jw_init(&im->pw, &im->problems);
    jw_arr_begin(&im->pw);
    buf_init(&im->fbuf, 1 << 20);
    buf_init(&im->row_err, 1 << 16);
    arena_init(&im->la);
    arena_init(&im->cas[0]);
    arena_init(&im->cas[1]);
    im->ca = &im->cas[0];
    strmap_init(&im->accounts);
    strmap_init(&im->products);
    strmap_init(&im->seen);
    strmap_init(&im->users);
    strmap_init(&im->fx);
    int64_t lines = lines_in(data, len);
    size_t chunk = chunk_rows();
    im->chunk_cap = im->kind != K_ORDERS ? 1 : (size_t)lines < chunk ? (size_t)lines + 1 : chunk;
    im->chunk = im->chunks[0] = calloc(im->chunk_cap, sizeof *im->chunk);
    im->ru = rollup_new();
    if (!im->chunk)
        abort();
    mem_hint_huge(im->chunk, im->chunk_cap * sizeof *im->chunk);
    im->writing = !o->dry_run;
    im->max_rows = ctx->who.role == ROLE_ADMIN ? 0 : IMPORT_MAX_ROWS_ROLE;
    int64_t over = im->max_rows ? rows_over(data, len, im->max_rows) : -1; /* before the lock */
    if (im->kind == K_ORDERS && over < 0) {
        /* room for every external id up front: a line each, but no more lines than rows of the
         * shortest orders row could fill (a file of line breaks is not a million rows), nor
         * than the caller may import, and at most 2^21 (past that the map grows) */
        int64_t ids = lines + 1, fit = (int64_t)(len / 16) + 1;
        ids = ids < fit ? ids : fit;
        ids = im->max_rows && ids > im->max_rows + 1 ? im->max_rows + 1 : ids;
        strmap_reserve(&im->seen, (size_t)(ids < (1 << 21) ? ids : (1 << 21)), 0);
    }
    /* An orders load checks every account and product itself, against the lookups read inside
     * its transaction, which keeps them from changing (db_fk_checks); on again below. Only
     * when the import is the outermost transaction (a caller's own transaction, e.g. a test
     * harness's, keeps the checks). */
    int fk_off = im->kind == K_ORDERS && !o->dry_run && !db_in_tx(ctx->db);
    rc = fk_off ? db_fk_checks(ctx->db, 0, ctx->err) : KAM_OK;
    if (!rc)
        rc = db_begin(ctx->db, ctx->err);
    if (!rc && !(rc = load_lookups(im)) && !o->dry_run)
        rc = record_run(im, "insert");
    if (!rc && im->kind == K_ORDERS && !o->dry_run && over < 0)
        rc = sales_bulk_start(ctx, lines, &im->bulk);
    if (!rc) {
        /* more than a chunk: a second buffer and the writer thread */
        if (im->kind == K_ORDERS && !o->dry_run && over < 0 && (size_t)lines > im->chunk_cap) {
            if (!(im->chunks[1] = calloc(im->chunk_cap, sizeof *im->chunk)))
                abort();
            mem_hint_huge(im->chunks[1], im->chunk_cap * sizeof *im->chunk);
            imp_write_start(im);
        }
        if (over >= 0)
            refuse_rows(im, over);
        else
            parse_all(im, data, len);
        imp_flush_chunk(im);
        if (im->writer && im->writing)
            rollup_prepare(im->ru); /* while the writer writes the last chunk */
        imp_write_finish(im);
        out->us_load = time_mono_us() - t1;
        if (im->rc)
            rc = im->rc == KAM_OK ? KAM_EINTERNAL : im->rc;
    }
    int loaded = !rc && !o->dry_run && im->writing;
    int64_t t2 = time_mono_us();
    if (!rc && loaded && im->kind == K_ORDERS && !(rc = sales_bulk_finish(ctx, &im->bulk))) {
        int64_t t3 = time_mono_us();
        out->us_indexes = t3 - t2;
        rc = rollup_flush(ctx, im->ru);
        out->us_rollups = time_mono_us() - t3;
    }
    out->finished_at = time_now();
    if (out->finished_at < ctx->now)
        out->finished_at = ctx->now;
    out->status = o->dry_run ? (out->problems_total && (!o->skip_bad_rows || im->stop) ? "rejected"
                                                                                       : "checked")
                  : loaded   ? "loaded"
                             : "rejected";
    if (!rc && loaded)
        rc = record_run(im, "update");
    /* A rejected or dry run writes nothing: roll back, then keep the record of a rejection. */
    int64_t t4 = time_mono_us();
    enum kam_err end = db_end(ctx->db, loaded ? rc : (rc ? rc : KAM_EINVAL), ctx->err);
    out->us_commit = time_mono_us() - t4;
    if (fk_off) {
        struct kam_error fe = {0};
        if (db_fk_checks(ctx->db, 1, &fe))
            log_error("import: foreign-key checks not back on: %s", fe.msg);
    }
    if (!loaded && !rc) {
        kam_error_clear(ctx->err);
        out->rows_inserted = out->rows_updated = 0;
        if (!o->dry_run && !(rc = db_begin(ctx->db, ctx->err))) {
            rc = record_run(im, "insert");
            if (!rc)
                rc = record_run(im, "update");
            rc = db_end(ctx->db, rc, ctx->err);
        }
    } else {
        rc = end;
    }
    out->id = o->dry_run ? 0 : im->run_id;
    buf_release(&im->problems);
    buf_release(&im->fbuf);
    buf_release(&im->row_err);
    imp_price_end(im);
    arena_release(&im->la);
    arena_release(&im->cas[0]);
    arena_release(&im->cas[1]);
    strmap_release(&im->accounts);
    strmap_release(&im->products);
    strmap_release(&im->seen);
    strmap_release(&im->users);
    strmap_release(&im->fx);
    free(im->chunks[0]);
    free(im->chunks[1]);
    rollup_free(im->ru);
    free(im);
    import_text_free(&txt);
    if (rc)
        return rc;
    if (!strcmp(out->status, "rejected"))
        return kam_fail(ctx->err, KAM_EINVAL, "file", "the file was not loaded: %lld problem%s",
                        (long long)out->problems_total, out->problems_total == 1 ? "" : "s");
    return KAM_OK;
}

/* ---- reading runs back ---- */

#define RUN_COLS                                                                                   \
    "id, kind, status, rows_total, rows_inserted, rows_updated, rows_rejected, report, "           \
    "started_at, finished_at, problems_total, filename, user_id, (SELECT users.name FROM users "   \
    "WHERE users.id = import_runs.user_id), format, encoding, detected, sheet"

static void read_run(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct import_report *r = out;
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(st, 0);
    r->kind = arena_strdup(ctx->a, db_col_text(st, 1));
    r->status = arena_strdup(ctx->a, db_col_text(st, 2));
    r->rows_total = db_col_i64(st, 3);
    r->rows_inserted = db_col_i64(st, 4);
    r->rows_updated = db_col_i64(st, 5);
    r->rows_rejected = db_col_i64(st, 6);
    r->report_json = arena_strdup(ctx->a, db_col_text(st, 7));
    r->started_at = db_col_i64(st, 8);
    r->finished_at = db_col_i64(st, 9);
    r->problems_total = db_col_i64(st, 10);
    r->filename = arena_strdup(ctx->a, db_col_text(st, 11));
    r->user_id = db_col_is_null(st, 12) ? 0 : db_col_i64(st, 12);
    r->user_name = arena_strdup(ctx->a, db_col_is_null(st, 13) ? "" : db_col_text(st, 13));
    r->format = arena_strdup(ctx->a, db_col_text(st, 14));
    r->encoding = arena_strdup(ctx->a, db_col_text(st, 15));
    r->detected = arena_strdup(ctx->a, db_col_text(st, 16));
    r->sheet = arena_strdup(ctx->a, db_col_text(st, 17));
}

enum kam_err import_get(struct kam_ctx *ctx, int64_t id, struct import_report *out)
{
    return row_get(ctx, "SELECT " RUN_COLS " FROM import_runs WHERE id = ?", id, read_run, out,
                   "import");
}

static const struct page_sort run_sorts[] = {{"id", "id", 0}};

enum kam_err import_list(struct kam_ctx *ctx, const struct import_query *q,
                         struct import_report **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, run_sorts, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->kind && !import_header(q->kind))
        return kam_fail(ctx->err, KAM_EINVAL, "kind",
                        "kind must be orders, products, accounts, invoices or payments");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " RUN_COLS " FROM import_runs WHERE 1 = 1");
    if (q->kind) {
        sqlb_sql(&b, " AND kind = ?");
        sqlb_text(&b, q->kind);
    }
    struct import_report *items;
    const struct import_report *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "id", read_run, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->id, last->id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
