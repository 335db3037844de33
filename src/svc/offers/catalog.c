/* catalog.c -- bundles and service items: create, read, PATCH (record_update), delete, lists,
 * and a bundle priced for an account through the price engine (catalog.h). */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "price.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"
#include "svc/core/update.h"

const char *const service_kinds[] = {"presales", "aftersales", "support", "training", NULL};
const char *const service_units[] = {"hour", "day", "visit", "month", "year", "each", NULL};

/* ---- shared checks ---- */

/* A known currency: a 3-letter code with an exchange rate (or the base currency). */
static enum kam_err cat_currency(struct kam_ctx *ctx, const char *field, const char *cur)
{
    enum kam_err rc = check_currency(ctx, field, cur);
    if (rc)
        return rc;
    const char *base;
    int64_t out = 0;
    if ((rc = settings_get(ctx, "base_currency", "CNY", &base)))
        return rc;
    return price_convert(ctx, field, 0, cur, base, &out);
}

/* A required one-line text: 1..max characters, not only white space ("required"). */
/* A code as stored: without surrounding white space (ASCII and the ideographic space). */
static const char *trim_code(struct kam_ctx *ctx, const char *s)
{
    if (!s)
        return s;
    for (;;) {
        if (*s == ' ' || *s == '\t')
            s++;
        else if (!strncmp(s, "\xe3\x80\x80", 3))
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        else if (n >= 3 && !strncmp(s + n - 3, "\xe3\x80\x80", 3))
            n -= 3;
        else
            break;
    }
    return arena_strndup(ctx->a, s, n);
}

/* The code is unique in its table, letter case aside ("e4a" beside "E4A" is taken): 409
 * "duplicate" naming code (before the INSERT/UPDATE, so the client learns which field). */
static enum kam_err code_free(struct kam_ctx *ctx, const char *table, const char *code,
                              int64_t self)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        arena_printf(ctx->a, "SELECT COUNT(*) FROM %s WHERE lower(code) = lower(?) AND id <> ?",
                     table),
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, code);
    db_bind_i64(st, 2, self);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        return rc;
    if (!n)
        return KAM_OK;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "code", "duplicate", NULL,
                        "code %s is already used", code);
}

/* 409 catalog.in_use when an offer line names the record. The record's row is locked first
 * (PostgreSQL: FOR UPDATE, which waits for an offer line insert in flight -- its foreign key
 * check holds a KEY SHARE lock on the row -- and the count then sees that line; SQLite's write
 * transaction is one writer already). */
static enum kam_err not_in_use(struct kam_ctx *ctx, const char *table, const char *sql, int64_t id)
{
    int64_t n = 0;
    enum kam_err rc = db_query_i64(
        ctx->db,
        arena_printf(ctx->a, "SELECT COUNT(*) FROM (SELECT id FROM %s WHERE id = ?%s) x", table,
                     *db_update_lock(ctx->db) ? " FOR UPDATE" : ""),
        1, id, &n, ctx->err);
    if (!rc)
        rc = db_query_i64(ctx->db, sql, 1, id, &n, ctx->err);
    if (rc)
        return rc;
    if (n)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "catalog.in_use", NULL,
                            "offers use it; deactivate it instead");
    return KAM_OK;
}

static const struct page_sort sorts[] = {
    {"id", "id", 0},
    {"code", "code", 1},
    {"name", "name", 1},
};

static enum kam_err list_filters(struct kam_ctx *ctx, const struct catalog_query *q, struct sqlb *b)
{
    enum kam_err rc;
    if (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE)))
        return rc;
    if (q->kind && (rc = check_enum(ctx, "kind", q->kind, service_kinds)))
        return rc;
    if (q->q && *q->q) {
        const char *like = sqlb_like_pattern(ctx->a, q->q);
        sqlb_sql(b, " AND (lower(code) LIKE lower(?) ESCAPE '\\' OR lower(name) LIKE lower(?) "
                    "ESCAPE '\\')");
        sqlb_text(b, like);
        sqlb_text(b, like);
    }
    if (q->kind) {
        sqlb_sql(b, " AND kind = ?");
        sqlb_text(b, q->kind);
    }
    if (q->active >= 0) {
        sqlb_sql(b, " AND active = ?");
        sqlb_i64(b, q->active);
    }
    return KAM_OK;
}

static enum kam_err count_rows(struct kam_ctx *ctx, const char *from, const struct catalog_query *q,
                               int64_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT COUNT(*) FROM ");
    sqlb_sql(&b, from);
    sqlb_sql(&b, " WHERE 1 = 1");
    enum kam_err rc = list_filters(ctx, q, &b);
    if (rc) {
        sqlb_release(&b);
        return rc;
    }
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *n_out = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

/* ---- bundles ---- */

#define BCOLS                                                                                      \
    "id, code, name, description, currency, price, active, version, created_at, updated_at"

static void bundle_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct bundle *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->code = arena_strdup(ctx->a, db_col_text(st, 1));
    x->name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->description = arena_strdup(ctx->a, db_col_text(st, 3));
    x->currency = arena_strdup(ctx->a, db_col_text(st, 4));
    x->price = db_col_i64(st, 5);
    x->active = db_col_i64(st, 6) != 0;
    x->version = db_col_i64(st, 7);
    x->created_at = db_col_i64(st, 8);
    x->updated_at = db_col_i64(st, 9);
}

/* The components' list total in the bundle's currency (catalog.h). A component without a list
 * price, a list price in a currency with no exchange rate (a rate may be removed or a product
 * repriced after the bundle was made) or a total too large: no list total -- a read of the
 * bundle or of the list never fails for it; only a database error is an error. */
static enum kam_err list_total(struct kam_ctx *ctx, struct bundle *x)
{
    x->components_list_total = 0;
    x->has_list_total = 1;
    for (int i = 0; i < x->nitems; i++) {
        const struct bundle_item *it = &x->items[i];
        int ovf = 0;
        int64_t v = it->has_list_price ? price_muldiv(it->list_price, it->quantity, 1000, &ovf) : 0;
        int64_t conv = 0;
        enum kam_err rc = KAM_OK;
        if (it->has_list_price && !ovf)
            rc = price_convert(ctx, "currency", v, it->currency, x->currency, &conv);
        if (rc && rc != KAM_EINVAL)
            return rc;
        if (rc)
            kam_error_clear(ctx->err);
        if (!it->has_list_price || ovf || rc || conv > CAT_PRICE_MAX * 1000 ||
            x->components_list_total + conv > CAT_PRICE_MAX * 1000) {
            x->has_list_total = 0;
            x->components_list_total = 0;
            return KAM_OK;
        }
        x->components_list_total += conv;
    }
    return KAM_OK;
}

/* The components of the n bundles xs (one query for a page of them), with their list totals. */
static enum kam_err load_items_of(struct kam_ctx *ctx, struct bundle *xs, size_t n)
{
    if (!n)
        return KAM_OK;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT bi.bundle_id, bi.product_id, bi.quantity, p.sku, p.name, p.unit, "
                 "p.list_price, p.currency FROM bundle_items bi JOIN products p ON p.id = "
                 "bi.product_id WHERE bi.bundle_id IN (");
    for (size_t i = 0; i < n; i++) {
        sqlb_sql(&b, i ? ", ?" : "?");
        sqlb_i64(&b, xs[i].id);
        xs[i].items = arena_alloc(ctx->a, BUNDLE_ITEMS_MAX * sizeof *xs[i].items);
        xs[i].nitems = 0;
    }
    sqlb_sql(&b, ") ORDER BY bi.bundle_id, bi.product_id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    size_t at = 0; /* the bundle of the previous row */
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t bid = db_col_i64(st, 0);
        if (xs[at].id != bid)
            for (at = 0; at < n && xs[at].id != bid; at++)
                ;
        if (at >= n) { /* not reached: the query names only these bundles */
            at = 0;
            continue;
        }
        struct bundle *x = &xs[at];
        if (x->nitems >= BUNDLE_ITEMS_MAX)
            continue;
        struct bundle_item *it = &x->items[x->nitems++];
        it->product_id = db_col_i64(st, 1);
        it->quantity = db_col_i64(st, 2);
        it->sku = arena_strdup(ctx->a, db_col_text(st, 3));
        it->name = arena_strdup(ctx->a, db_col_text(st, 4));
        it->unit = arena_strdup(ctx->a, db_col_text(st, 5));
        it->has_list_price = !db_col_is_null(st, 6);
        it->list_price = it->has_list_price ? db_col_i64(st, 6) : 0;
        it->currency = arena_strdup(ctx->a, db_col_text(st, 7));
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++)
        rc = list_total(ctx, &xs[i]);
    return rc;
}

static enum kam_err load_bundle_items(struct kam_ctx *ctx, struct bundle *x)
{
    return load_items_of(ctx, x, 1);
}

enum kam_err bundle_get(struct kam_ctx *ctx, int64_t id, struct bundle *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " BCOLS " FROM bundles WHERE id = ?", id, bundle_row, out, "bundle");
    return rc ? rc : load_bundle_items(ctx, out);
}

static int cmp_item(const void *a, const void *b)
{
    const struct bundle_item *x = a, *y = b;
    return x->product_id < y->product_id ? -1 : x->product_id > y->product_id;
}

/* The input's components checked and resolved (sku -> product) into x->items (by product id);
 * x->new_items marks them to be written. */
static enum kam_err merge_items(struct kam_ctx *ctx, struct bundle *x, const struct bundle_in *in)
{
    if (!(in->set & BU_ITEMS))
        return KAM_OK;
    if (in->nitems < 1 || in->nitems > BUNDLE_ITEMS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "items", "a bundle has 1 to %d components",
                        BUNDLE_ITEMS_MAX);
    struct bundle_item *items = arena_alloc(ctx->a, (size_t)in->nitems * sizeof *items);
    enum kam_err rc;
    for (int i = 0; i < in->nitems; i++) {
        const struct bundle_item_in *it = &in->items[i];
        const char *f = arena_printf(ctx->a, "items[%d]", i);
        int by_id = (it->set & 1) != 0, by_sku = (it->set & 2) && it->sku;
        if (by_id == by_sku)
            return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.product_id", f),
                            "%s: give exactly one of product_id and sku", f);
        if (!(it->set & 4))
            return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.quantity", f),
                                "required", (struct kam_param[]){{"field", "quantity"}, {0}},
                                "%s.quantity is required", f);
        if ((rc = check_range(ctx, arena_printf(ctx->a, "%s.quantity", f), it->quantity, 1,
                              CAT_QTY_MAX)))
            return rc;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             by_id ? "SELECT id, sku, name, unit, list_price, currency, active "
                                     "FROM products WHERE id = ?"
                                   : "SELECT id, sku, name, unit, list_price, currency, active "
                                     "FROM products WHERE sku = ?",
                             &st, ctx->err)))
            return rc;
        if (by_id)
            db_bind_i64(st, 1, it->product_id);
        else
            db_bind_text(st, 1, it->sku);
        int row = 0, active = 1;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row) {
            struct bundle_item *o = &items[i];
            active = db_col_i64(st, 6) != 0;
            o->product_id = db_col_i64(st, 0);
            o->sku = arena_strdup(ctx->a, db_col_text(st, 1));
            o->name = arena_strdup(ctx->a, db_col_text(st, 2));
            o->unit = arena_strdup(ctx->a, db_col_text(st, 3));
            o->has_list_price = !db_col_is_null(st, 4);
            o->list_price = o->has_list_price ? db_col_i64(st, 4) : 0;
            o->currency = arena_strdup(ctx->a, db_col_text(st, 5));
            o->quantity = it->quantity;
        }
        db_done(st);
        if (rc)
            return rc;
        if (!row)
            return kam_fail(ctx->err, KAM_EINVAL,
                            arena_printf(ctx->a, "%s.%s", f, by_id ? "product_id" : "sku"),
                            "%s.%s: no such product", f, by_id ? "product_id" : "sku");
        const char *pf = arena_printf(ctx->a, "%s.%s", f, by_id ? "product_id" : "sku");
        if (!active)
            return kam_fail(ctx->err, KAM_EINVAL, pf,
                            "%s: product %s is inactive; a bundle takes active products", f,
                            items[i].sku);
        for (int j = 0; j < i; j++)
            if (items[j].product_id == items[i].product_id)
                return kam_fail(ctx->err, KAM_EINVAL, pf, "%s: product %s is already a component",
                                f, items[i].sku);
        /* a list price in a currency with no exchange rate: refused naming the component (the
         * bundle's currency is valid: validate_bundle ran first) */
        int64_t conv = 0;
        if (items[i].has_list_price &&
            (rc = price_convert(ctx, pf, 0, items[i].currency, x->currency, &conv)))
            return rc;
    }
    qsort(items, (size_t)in->nitems, sizeof *items, cmp_item);
    x->items = items;
    x->nitems = in->nitems;
    x->new_items = in->items;
    x->n_new_items = in->nitems;
    return list_total(ctx, x);
}

static void merge_bundle(struct kam_ctx *ctx, struct bundle *x, const struct bundle_in *in)
{
    const struct bundle *v = &in->v;
    if (in->set & BU_CODE)
        x->code = trim_code(ctx, v->code);
    if (in->set & BU_NAME)
        x->name = v->name;
    if (in->set & BU_DESC)
        x->description = v->description ? v->description : "";
    if (in->set & BU_CURRENCY)
        x->currency = v->currency;
    if (in->set & BU_PRICE)
        x->price = v->price;
    if (in->set & BU_ACTIVE)
        x->active = v->active;
}

static enum kam_err validate_bundle(struct kam_ctx *ctx, const struct bundle *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "code", x->code, CAT_CODE_MAX)) ||
        (rc = check_line(ctx, "name", x->name, CAT_NAME_MAX)) ||
        (rc = check_text(ctx, "description", x->description, 0, CAT_DESC_MAX, CHECK_MULTILINE)) ||
        (rc = cat_currency(ctx, "currency", x->currency)) ||
        (rc = check_range(ctx, "price", x->price, 0, CAT_PRICE_MAX)))
        return rc;
    return code_free(ctx, "bundles", x->code, x->id);
}

static const char *items_text(struct kam_ctx *ctx, const struct bundle *x)
{
    if (!x)
        return NULL;
    struct buf o;
    buf_init(&o, 1024);
    for (int i = 0; i < x->nitems; i++)
        buf_printf(&o, "%s%lld x %lld.%03lld", i ? ";" : "", (long long)x->items[i].product_id,
                   (long long)(x->items[i].quantity / 1000),
                   (long long)(x->items[i].quantity % 1000));
    const char *s = arena_strdup(ctx->a, o.len ? o.data : "");
    buf_release(&o);
    return s;
}

static void bundle_diff(struct kam_ctx *ctx, struct audit_diff *d, const struct bundle *b,
                        const struct bundle *a)
{
    audit_diff_str(d, "code", b ? b->code : NULL, a ? a->code : NULL);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_i64(d, "price", b ? b->price : 0, !b, a ? a->price : 0, !a);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "items", items_text(ctx, b), items_text(ctx, a));
}

static enum kam_err write_bundle_items(struct kam_ctx *ctx, const struct bundle *x)
{
    enum kam_err rc =
        db_exec_i64(ctx->db, "DELETE FROM bundle_items WHERE bundle_id = ?", x->id, ctx->err);
    for (int i = 0; !rc && i < x->nitems; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO bundle_items (bundle_id, product_id, quantity) VALUES "
                             "(?, ?, ?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, x->items[i].product_id);
        db_bind_i64(st, 3, x->items[i].quantity);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

enum kam_err bundle_create(struct kam_ctx *ctx, const struct bundle_in *in, struct bundle *out)
{
    struct bundle x = {.active = 1, .description = ""};
    merge_bundle(ctx, &x, in);
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, BU_CODE, "code")) ||
        (rc = check_given(ctx, in->set, BU_NAME, "name")) ||
        (rc = check_given(ctx, in->set, BU_CURRENCY, "currency")) ||
        (rc = check_given(ctx, in->set, BU_PRICE, "price")) ||
        (rc = check_given(ctx, in->set, BU_ITEMS, "items")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = validate_bundle(ctx, &x)) || (rc = merge_items(ctx, &x, in)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO bundles (code, name, description, currency, price, active, "
                         "version, created_at, updated_at) VALUES (?,?,?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, x.code);
    db_bind_text(st, 2, x.name);
    db_bind_text(st, 3, x.description);
    db_bind_text(st, 4, x.currency);
    db_bind_i64(st, 5, x.price);
    db_bind_i64(st, 6, x.active);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = write_bundle_items(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    bundle_diff(ctx, &d, NULL, &x);
    if (!(rc = audit_write(ctx, "bundle", x.id, 0, "create", &d)))
        rc = bundle_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err bu_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return bundle_get(ctx, id, rec);
}

static enum kam_err bu_merge(const struct update_op *op, void *rec)
{
    struct bundle *x = rec;
    x->new_items = NULL;
    x->n_new_items = 0;
    merge_bundle(op->ctx, x, op->in);
    enum kam_err rc = validate_bundle(op->ctx, x);
    if (!rc && (rc = merge_items(op->ctx, x, op->in)))
        return rc;
    /* a new currency without new items: the list total in the new currency */
    return rc ? rc : list_total(op->ctx, x);
}

static void bu_diff(const struct update_op *op)
{
    bundle_diff(op->ctx, op->diff, op->before, op->after);
}

static enum kam_err bu_write(const struct update_op *op)
{
    const struct bundle *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    enum kam_err rc;
    /* the versioned UPDATE first (record_update reads its row count; on PostgreSQL it waits for
     * a concurrent PATCH and then matches no row: stale_version), the items after it (bu_items) */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE bundles SET code = ?, name = ?, description = ?, currency = ?, "
                         "price = ?, active = ?, updated_at = ?, version = version + 1 WHERE id "
                         "= ? AND version = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, x->code);
    db_bind_text(st, 2, x->name);
    db_bind_text(st, 3, x->description);
    db_bind_text(st, 4, x->currency);
    db_bind_i64(st, 5, x->price);
    db_bind_i64(st, 6, x->active);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, x->id);
    db_bind_i64(st, 9, b->version);
    return db_run(st, ctx->err);
}

static enum kam_err bu_items(const struct update_op *op)
{
    const struct bundle *x = op->after;
    return x->new_items ? write_bundle_items(op->ctx, x) : KAM_OK;
}

static const struct update_spec bundle_spec = {
    .entity = "bundle",
    .size = sizeof(struct bundle),
    .versioned = 1,
    .version_at = offsetof(struct bundle, version),
    .in_set_at = offsetof(struct bundle_in, set),
    .in_version_at = offsetof(struct bundle_in, v.version),
    .in_version_bit = BU_VERSION,
    .get = bu_get,
    .merge = bu_merge,
    .diff = bu_diff,
    .write = bu_write,
    .then = bu_items,
};

enum kam_err bundle_update(struct kam_ctx *ctx, int64_t id, const struct bundle_in *in,
                           struct bundle *out)
{
    return record_update(ctx, &bundle_spec, id, in, out);
}

enum kam_err bundle_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct bundle before;
    if ((rc = not_in_use(ctx, "bundles", "SELECT COUNT(*) FROM offer_lines WHERE bundle_id = ?",
                         id)) ||
        (rc = bundle_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM bundle_items WHERE bundle_id = ?", id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM bundles WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    bundle_diff(ctx, &d, &before, NULL);
    rc = audit_write(ctx, "bundle", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const char *cursor_of(struct kam_ctx *ctx, const struct page_req *pg, const char *code,
                             const char *name, int64_t id)
{
    const char *k = pg->sort->key;
    return page_cursor(ctx, pg, !strcmp(k, "code") ? code : name, id, id);
}

enum kam_err bundle_list(struct kam_ctx *ctx, const struct catalog_query *q,
                         struct bundle **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " BCOLS " FROM bundles WHERE 1 = 1");
    if ((rc = list_filters(ctx, q, &b))) {
        sqlb_release(&b);
        return rc;
    }
    struct bundle *items;
    const struct bundle *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "id", bundle_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    if ((rc = load_items_of(ctx, items, n)))
        return rc;
    *next_out =
        last ? cursor_of(ctx, &pg, items[n - 1].code, items[n - 1].name, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err bundle_count(struct kam_ctx *ctx, const struct catalog_query *q, int64_t *n_out)
{
    return count_rows(ctx, "bundles", q, n_out);
}

enum kam_err bundle_quote(struct kam_ctx *ctx, int64_t id, int64_t account_id, const char *date,
                          int64_t quantity, const char *currency, struct bundle_quote *out)
{
    memset(out, 0, sizeof *out);
    enum kam_err rc;
    if ((rc = check_range(ctx, "quantity", quantity, 1, CAT_QTY_MAX)))
        return rc;
    if (date && (rc = check_date(ctx, "date", date)))
        return rc;
    struct bundle x;
    if ((rc = bundle_get(ctx, id, &x)))
        return rc;
    const char *cur = currency && *currency ? currency : x.currency;
    if ((rc = cat_currency(ctx, "currency", cur)))
        return rc;
    out->bundle_id = x.id;
    out->code = x.code;
    out->name = x.name;
    out->account_id = account_id;
    out->quantity = quantity;
    out->currency = cur;
    if ((rc = price_convert(ctx, "currency", x.price, x.currency, cur, &out->unit_price)))
        return rc;
    int ovf = 0;
    out->amount = price_muldiv(out->unit_price, quantity, 1000, &ovf);
    if (ovf)
        return kam_fail(ctx->err, KAM_EINVAL, "quantity", "quantity is too large");
    out->lines = arena_alloc(ctx->a, (size_t)(x.nitems ? x.nitems : 1) * sizeof *out->lines);
    out->nlines = x.nitems;
    out->has_total = 1;
    for (int i = 0; i < x.nitems; i++) {
        struct bundle_quote_line *l = &out->lines[i];
        l->product_id = x.items[i].product_id;
        l->sku = x.items[i].sku;
        l->name = x.items[i].name;
        l->quantity = price_muldiv(x.items[i].quantity, quantity, 1000, &ovf);
        if (ovf || l->quantity < 1)
            return kam_fail(ctx->err, KAM_EINVAL, "quantity",
                            "quantity gives a component quantity out of range");
        struct price_query pq = {.account_id = account_id,
                                 .product_id = l->product_id,
                                 .date = date,
                                 .quantity = l->quantity,
                                 .currency = cur,
                                 .skip_rebate = 1};
        struct price_result r;
        if ((rc = price_quote_checked(ctx, &pq, NULL, &r)))
            return rc;
        out->date = pq.date;
        date = pq.date;
        l->found = r.found;
        if (!r.found) {
            out->has_total = 0;
            continue;
        }
        l->engine_price = r.unit_price;
        l->amount = r.amount;
        out->components_total += r.amount;
    }
    if (!out->date) /* a bundle has at least one component: not reached */
        out->date = date ? date : "";
    if (out->has_total)
        out->saving = out->components_total - out->amount;
    else
        out->components_total = 0;
    return KAM_OK;
}

/* ---- service items ---- */

#define SCOLS                                                                                      \
    "id, code, kind, name, unit, price, currency, unit_cost, sla, active, version, created_at, "   \
    "updated_at"

static void service_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct service_item *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->code = arena_strdup(ctx->a, db_col_text(st, 1));
    x->kind = arena_strdup(ctx->a, db_col_text(st, 2));
    x->name = arena_strdup(ctx->a, db_col_text(st, 3));
    x->unit = arena_strdup(ctx->a, db_col_text(st, 4));
    x->price = db_col_i64(st, 5);
    x->currency = arena_strdup(ctx->a, db_col_text(st, 6));
    x->has_unit_cost = !db_col_is_null(st, 7);
    x->unit_cost = x->has_unit_cost ? db_col_i64(st, 7) : 0;
    x->sla = arena_strdup(ctx->a, db_col_text(st, 8));
    x->active = db_col_i64(st, 9) != 0;
    x->version = db_col_i64(st, 10);
    x->created_at = db_col_i64(st, 11);
    x->updated_at = db_col_i64(st, 12);
}

enum kam_err service_item_get(struct kam_ctx *ctx, int64_t id, struct service_item *out)
{
    return row_get(ctx, "SELECT " SCOLS " FROM service_items WHERE id = ?", id, service_row, out,
                   "service item");
}

static void merge_service(struct kam_ctx *ctx, struct service_item *x,
                          const struct service_item_in *in)
{
    const struct service_item *v = &in->v;
    if (in->set & SI_CODE)
        x->code = trim_code(ctx, v->code);
    if (in->set & SI_KIND)
        x->kind = v->kind;
    if (in->set & SI_NAME)
        x->name = v->name;
    if (in->set & SI_UNIT)
        x->unit = v->unit;
    if (in->set & SI_PRICE)
        x->price = v->price;
    if (in->set & SI_CURRENCY)
        x->currency = v->currency;
    if (in->set & SI_COST) {
        x->has_unit_cost = v->has_unit_cost;
        x->unit_cost = v->unit_cost;
    }
    if (in->set & SI_SLA)
        x->sla = v->sla ? v->sla : "";
    if (in->set & SI_ACTIVE)
        x->active = v->active;
}

static enum kam_err validate_service(struct kam_ctx *ctx, const struct service_item *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "code", x->code, CAT_CODE_MAX)) ||
        (rc = check_enum(ctx, "kind", x->kind, service_kinds)) ||
        (rc = check_line(ctx, "name", x->name, CAT_NAME_MAX)) ||
        (rc = check_enum(ctx, "unit", x->unit, service_units)) ||
        (rc = check_range(ctx, "price", x->price, 0, CAT_PRICE_MAX)) ||
        (rc = cat_currency(ctx, "currency", x->currency)) ||
        (x->has_unit_cost &&
         (rc = check_range(ctx, "unit_cost", x->unit_cost, 0, CAT_PRICE_MAX))) ||
        (rc = check_text(ctx, "sla", x->sla, 0, CAT_SLA_MAX, CHECK_MULTILINE)))
        return rc;
    return code_free(ctx, "service_items", x->code, x->id);
}

static void service_diff(struct audit_diff *d, const struct service_item *b,
                         const struct service_item *a)
{
    audit_diff_str(d, "code", b ? b->code : NULL, a ? a->code : NULL);
    audit_diff_str(d, "kind", b ? b->kind : NULL, a ? a->kind : NULL);
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "unit", b ? b->unit : NULL, a ? a->unit : NULL);
    audit_diff_i64(d, "price", b ? b->price : 0, !b, a ? a->price : 0, !a);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_i64(d, "unit_cost", b ? b->unit_cost : 0, !b || !b->has_unit_cost,
                   a ? a->unit_cost : 0, !a || !a->has_unit_cost);
    audit_diff_str(d, "sla", b ? b->sla : NULL, a ? a->sla : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
}

static void bind_service(struct db_stmt *st, const struct service_item *x, int64_t now)
{
    db_bind_text(st, 1, x->code);
    db_bind_text(st, 2, x->kind);
    db_bind_text(st, 3, x->name);
    db_bind_text(st, 4, x->unit);
    db_bind_i64(st, 5, x->price);
    db_bind_text(st, 6, x->currency);
    db_bind_i64n(st, 7, x->unit_cost, !x->has_unit_cost);
    db_bind_text(st, 8, x->sla);
    db_bind_i64(st, 9, x->active);
    db_bind_i64(st, 10, now);
}

enum kam_err service_item_create(struct kam_ctx *ctx, const struct service_item_in *in,
                                 struct service_item *out)
{
    struct service_item x = {.active = 1, .sla = ""};
    merge_service(ctx, &x, in);
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, SI_CODE, "code")) ||
        (rc = check_given(ctx, in->set, SI_KIND, "kind")) ||
        (rc = check_given(ctx, in->set, SI_NAME, "name")) ||
        (rc = check_given(ctx, in->set, SI_UNIT, "unit")) ||
        (rc = check_given(ctx, in->set, SI_PRICE, "price")) ||
        (rc = check_given(ctx, in->set, SI_CURRENCY, "currency")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = validate_service(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO service_items (code, kind, name, unit, price, currency, "
                         "unit_cost, sla, active, updated_at, created_at, version) VALUES "
                         "(?,?,?,?,?,?,?,?,?,?,?,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    bind_service(st, &x, ctx->now);
    db_bind_i64(st, 11, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    service_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "service_item", x.id, 0, "create", &d)))
        rc = service_item_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err si_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return service_item_get(ctx, id, rec);
}

static enum kam_err si_merge(const struct update_op *op, void *rec)
{
    merge_service(op->ctx, rec, op->in);
    return validate_service(op->ctx, rec);
}

static void si_diff(const struct update_op *op)
{
    service_diff(op->diff, op->before, op->after);
}

static enum kam_err si_write(const struct update_op *op)
{
    const struct service_item *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE service_items SET code = ?, kind = ?, name = ?, unit = "
                                 "?, price = ?, currency = ?, unit_cost = ?, sla = ?, active = ?, "
                                 "updated_at = ?, version = version + 1 WHERE id = ? AND version "
                                 "= ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    bind_service(st, x, op->ctx->now);
    db_bind_i64(st, 11, x->id);
    db_bind_i64(st, 12, b->version);
    return db_run(st, op->ctx->err);
}

static const struct update_spec service_spec = {
    .entity = "service_item",
    .noun = "service item",
    .size = sizeof(struct service_item),
    .versioned = 1,
    .version_at = offsetof(struct service_item, version),
    .in_set_at = offsetof(struct service_item_in, set),
    .in_version_at = offsetof(struct service_item_in, v.version),
    .in_version_bit = SI_VERSION,
    .get = si_get,
    .merge = si_merge,
    .diff = si_diff,
    .write = si_write,
};

enum kam_err service_item_update(struct kam_ctx *ctx, int64_t id, const struct service_item_in *in,
                                 struct service_item *out)
{
    return record_update(ctx, &service_spec, id, in, out);
}

enum kam_err service_item_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct service_item before;
    if ((rc = not_in_use(ctx, "service_items",
                         "SELECT COUNT(*) FROM offer_lines WHERE service_item_id = ?", id)) ||
        (rc = service_item_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM service_items WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    service_diff(&d, &before, NULL);
    rc = audit_write(ctx, "service_item", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err service_item_list(struct kam_ctx *ctx, const struct catalog_query *q,
                               struct service_item **items_out, size_t *n_out,
                               const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0],
                                 q->sort ? q->sort : "id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " SCOLS " FROM service_items WHERE 1 = 1");
    if ((rc = list_filters(ctx, q, &b))) {
        sqlb_release(&b);
        return rc;
    }
    struct service_item *items;
    const struct service_item *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "id", service_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out =
        last ? cursor_of(ctx, &pg, items[n - 1].code, items[n - 1].name, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err service_item_count(struct kam_ctx *ctx, const struct catalog_query *q, int64_t *n_out)
{
    return count_rows(ctx, "service_items", q, n_out);
}
