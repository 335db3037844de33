/* product.c -- the product catalogue and exchange rates. */
#include "product.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rollup.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/rows.h"
#include "svc/core/search.h"
#include "svc/core/settings.h"
#include "svc/core/update.h"

#define COLS                                                                                       \
    "products.id, products.sku, products.name, products.family, products.unit, "                   \
    "products.list_price, products.currency, products.active, products.version, "                  \
    "products.created_at, products.updated_at, products.unit_cost"

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct product *p = out;
    p->id = db_col_i64(st, 0);
    p->sku = arena_strdup(ctx->a, db_col_text(st, 1));
    p->name = arena_strdup(ctx->a, db_col_text(st, 2));
    p->family = arena_strdup(ctx->a, db_col_text(st, 3));
    p->unit = arena_strdup(ctx->a, db_col_text(st, 4));
    p->has_list_price = !db_col_is_null(st, 5);
    p->list_price = db_col_i64(st, 5);
    p->currency = arena_strdup(ctx->a, db_col_text(st, 6));
    p->active = (int)db_col_i64(st, 7);
    p->version = db_col_i64(st, 8);
    p->created_at = db_col_i64(st, 9);
    p->updated_at = db_col_i64(st, 10);
    p->has_unit_cost = !db_col_is_null(st, 11);
    p->unit_cost = p->has_unit_cost ? db_col_i64(st, 11) : 0;
}

enum kam_err product_get(struct kam_ctx *ctx, int64_t id, struct product *out)
{
    return row_get(ctx, "SELECT " COLS " FROM products WHERE id = ?", id, read_row, out, "product");
}

static void merge(struct product *p, const struct product_in *in)
{
    if (in->set & PROD_SKU)
        p->sku = in->sku;
    if (in->set & PROD_NAME)
        p->name = in->name;
    if (in->set & PROD_FAMILY)
        p->family = in->family;
    if (in->set & PROD_UNIT)
        p->unit = in->unit ? in->unit : "";
    if (in->set & PROD_PRICE) {
        p->has_list_price = in->has_list_price;
        p->list_price = in->list_price;
        if (in->has_list_price && in->currency)
            p->currency = in->currency;
    }
    if (in->set & PROD_ACTIVE)
        p->active = in->active;
    if (in->set & PROD_COST) {
        p->has_unit_cost = in->has_unit_cost;
        p->unit_cost = in->unit_cost;
    }
}

static enum kam_err validate(struct kam_ctx *ctx, const struct product *p)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "sku", p->sku, 1, 64, 0)) ||
        (rc = check_text(ctx, "name", p->name, 1, 200, 0)) ||
        (rc = check_text(ctx, "family", p->family, 1, 64, 0)) ||
        (rc = check_text(ctx, "unit", p->unit, 0, 20, 0)) ||
        (rc = check_currency(ctx, "currency", p->currency)))
        return rc;
    if (p->has_list_price && p->list_price < 0)
        return kam_fail(ctx->err, KAM_EINVAL, "list_price", "list_price must not be negative");
    if (p->has_unit_cost &&
        (rc = check_range(ctx, "unit_cost", p->unit_cost, 0, INT64_C(1000000000000000))))
        return rc;
    return KAM_OK;
}

static void diff_all(struct audit_diff *d, const struct product *b, const struct product *a)
{
    audit_diff_str(d, "sku", b ? b->sku : NULL, a->sku);
    audit_diff_str(d, "name", b ? b->name : NULL, a->name);
    audit_diff_str(d, "family", b ? b->family : NULL, a->family);
    audit_diff_str(d, "unit", b ? b->unit : NULL, a->unit);
    audit_diff_i64(d, "list_price", b ? b->list_price : 0, !b || !b->has_list_price, a->list_price,
                   !a->has_list_price);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a->currency);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a->active, 0);
    audit_diff_i64(d, "unit_cost", b ? b->unit_cost : 0, !b || !b->has_unit_cost, a->unit_cost,
                   !a->has_unit_cost);
}

enum kam_err product_create(struct kam_ctx *ctx, const struct product_in *in, struct product *out)
{
    struct product p = {.sku = "", .name = "", .family = "", .unit = "", .active = 1};
    enum kam_err rc = fx_base(ctx, &p.currency);
    if (rc)
        return rc;
    merge(&p, in);
    if (!(in->set & PROD_SKU))
        return kam_fail(ctx->err, KAM_EINVAL, "sku", "sku is required");
    if (!(in->set & PROD_NAME))
        return kam_fail(ctx->err, KAM_EINVAL, "name", "name is required");
    if (!(in->set & PROD_FAMILY))
        return kam_fail(ctx->err, KAM_EINVAL, "family", "family is required");
    if ((rc = validate(ctx, &p)) || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO products (sku, name, family, unit, list_price, currency, "
                         "active, version, created_at, updated_at, unit_cost) VALUES "
                         "(?,?,?,?,?,?,?,1,?,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, p.sku);
    db_bind_text(st, 2, p.name);
    db_bind_text(st, 3, p.family);
    db_bind_text(st, 4, p.unit);
    db_bind_i64n(st, 5, p.list_price, !p.has_list_price);
    db_bind_text(st, 6, p.currency);
    db_bind_i64(st, 7, p.active);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    db_bind_i64n(st, 10, p.unit_cost, !p.has_unit_cost);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        p.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_all(&d, NULL, &p);
    if (!(rc = audit_write(ctx, "product", p.id, 0, "create", &d)) &&
        !(rc = search_sync(ctx, "product", p.id)))
        rc = product_get(ctx, p.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* Moves the sales history of a product from one family to another in the rollups. Runs after
 * the product's UPDATE: on PostgreSQL that UPDATE waited for every transaction writing lines of
 * the product (they share-lock it first, see "row locks" in sales.c), and this SELECT, a new
 * statement under READ COMMITTED, sees the lines they committed; writers that come later wait
 * for this transaction and file their lines under the new family. */
static enum kam_err move_family(struct kam_ctx *ctx, int64_t product_id, const char *from,
                                const char *to)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT account_id, day, region, channel, quantity, amount_base "
                                 "FROM order_lines WHERE product_id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, product_id);
    struct rollup *r = rollup_new();
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acct = db_col_i64(st, 0), q = db_col_i64(st, 4), a = db_col_i64(st, 5);
        int month = rollup_month_of_day(db_col_i64(st, 1));
        const char *region = db_col_text(st, 2), *channel = db_col_text(st, 3);
        rollup_add(r, acct, month, from, region, channel, q, a, -1);
        rollup_add(r, acct, month, to, region, channel, q, a, +1);
    }
    db_done(st);
    if (!rc)
        rc = rollup_flush(ctx, r);
    rollup_free(r);
    return rc;
}

/* ---- update (svc/core/update.h) ---- */

static enum kam_err up_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return product_get(ctx, id, rec);
}

static enum kam_err up_merge(const struct update_op *op, void *rec)
{
    merge(rec, op->in);
    return validate(op->ctx, rec);
}

static void up_diff(const struct update_op *op)
{
    diff_all(op->diff, op->before, op->after);
}

static enum kam_err up_write(const struct update_op *op)
{
    const struct product *p = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE products SET sku = ?, name = ?, family = ?, unit = ?, "
                                 "list_price = ?, currency = ?, active = ?, version = version + "
                                 "1, updated_at = ?, unit_cost = ? WHERE id = ? AND version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, p->sku);
    db_bind_text(st, 2, p->name);
    db_bind_text(st, 3, p->family);
    db_bind_text(st, 4, p->unit);
    db_bind_i64n(st, 5, p->list_price, !p->has_list_price);
    db_bind_text(st, 6, p->currency);
    db_bind_i64(st, 7, p->active);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64n(st, 9, p->unit_cost, !p->has_unit_cost);
    db_bind_i64(st, 10, p->id);
    db_bind_i64(st, 11, b->version);
    /* No row changed is a lost race: record_save answers 409 from db_changes. */
    if ((rc = db_run(st, ctx->err)) || db_changes(ctx->db) != 1)
        return rc;
    return search_sync(ctx, "product", p->id);
}

/* A new family moves the product's sales history with it in the rollups. */
static enum kam_err up_then(const struct update_op *op)
{
    const struct product *b = op->before, *p = op->after;
    if (strcmp(b->family, p->family) == 0)
        return KAM_OK;
    return move_family(op->ctx, p->id, b->family, p->family);
}

static const struct update_spec product_spec = {
    .entity = "product",
    .size = sizeof(struct product),
    .versioned = 1,
    .version_at = offsetof(struct product, version),
    .get = up_get,
    .in_set_at = offsetof(struct product_in, set),
    .in_version_at = offsetof(struct product_in, version),
    .in_version_bit = PROD_VERSION,
    .merge = up_merge,
    .diff = up_diff,
    .write = up_write,
    .then = up_then,
};

enum kam_err product_update(struct kam_ctx *ctx, int64_t id, const struct product_in *in,
                            struct product *out)
{
    return record_update(ctx, &product_spec, id, in, out);
}

enum kam_err product_upsert(struct kam_ctx *ctx, const struct product_in *in, struct product *out,
                            int *created_out)
{
    int64_t id;
    enum kam_err rc = check_text(ctx, "sku", in->sku, 1, 64, 0);
    if (rc || ((rc = row_i64_text(ctx, "SELECT id FROM products WHERE sku = ?", in->sku, &id)) &&
               rc != KAM_ENOTFOUND))
        return rc;
    *created_out = !id;
    if (!id)
        return product_create(ctx, in, out);
    struct product_in up = *in;
    up.set &= ~(unsigned)(PROD_SKU | PROD_VERSION);
    return product_update(ctx, id, &up, out);
}

static const struct page_sort sorts[] = {
    {"sku", "products.sku", 1},
    {"name", "products.name", 1},
    {"family", "products.family", 1},
};

enum kam_err product_list(struct kam_ctx *ctx, const struct product_query *q,
                          struct product **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, sorts, sizeof sorts / sizeof sorts[0], q->sort, q->limit, q->cursor, &pg);
    if (rc || (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, 0))) ||
        (q->family && (rc = check_text(ctx, "family", q->family, 0, 64, 0))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " COLS " FROM products WHERE 1 = 1");
    if (q->q && *q->q) {
        const char *like = sqlb_like_pattern(ctx->a, q->q);
        sqlb_sql(&b, " AND (lower(products.sku) LIKE lower(?) ESCAPE '\\' OR "
                     "lower(products.name) LIKE lower(?) ESCAPE '\\')");
        sqlb_text(&b, like);
        sqlb_text(&b, like);
    }
    if (q->family) {
        sqlb_sql(&b, " AND products.family = ?");
        sqlb_text(&b, q->family);
    }
    if (q->active >= 0) {
        sqlb_sql(&b, " AND products.active = ?");
        sqlb_i64(&b, q->active);
    }
    struct product *items;
    const struct product *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "products.id", read_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = NULL;
    if (last) {
        const char *k = strcmp(pg.sort->key, "name") == 0     ? last->name
                        : strcmp(pg.sort->key, "family") == 0 ? last->family
                                                              : last->sku;
        *next_out = page_cursor(ctx, &pg, k, 0, last->id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

static void read_text(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    *(const char **)out = arena_strdup(ctx->a, db_col_text(st, 0));
}

enum kam_err product_families(struct kam_ctx *ctx, const char ***items_out, size_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT DISTINCT family FROM products ORDER BY family LIMIT 1000", &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 1000, read_text, sizeof(const char *), (void **)items_out, n_out);
}

/* ---- exchange rates ---- */

enum kam_err fx_base(struct kam_ctx *ctx, const char **out)
{
    return settings_get(ctx, "base_currency", "CNY", out);
}

static void read_fx(struct kam_ctx *ctx, struct db_stmt *st, void *out)
{
    struct fx_rate *r = out;
    r->currency = arena_strdup(ctx->a, db_col_text(st, 0));
    r->rate_micro = db_col_i64(st, 1);
    r->updated_at = db_col_i64(st, 2);
}

enum kam_err fx_list(struct kam_ctx *ctx, const char **base_out, struct fx_rate **items_out,
                     size_t *n_out)
{
    enum kam_err rc = fx_base(ctx, base_out);
    struct db_stmt *st;
    if (rc || (rc = db_prepare(ctx->db,
                               "SELECT currency, rate_micro, updated_at FROM fx_rates ORDER BY "
                               "currency LIMIT 500",
                               &st, ctx->err)))
        return rc;
    return rows_collect(ctx, st, 500, read_fx, sizeof **items_out, (void **)items_out, n_out);
}

enum kam_err fx_set(struct kam_ctx *ctx, const char *currency, int64_t rate_micro)
{
    const char *base;
    enum kam_err rc;
    if ((rc = check_currency(ctx, "currency", currency)) ||
        (rc = check_range(ctx, "rate_micro", rate_micro, 1, INT64_C(1000000000000))) ||
        (rc = fx_base(ctx, &base)))
        return rc;
    if (strcmp(base, currency) == 0)
        return kam_fail(ctx->err, KAM_EINVAL, "currency", "%s is the base currency", currency);
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t before;
    rc = row_i64_text(ctx, "SELECT rate_micro FROM fx_rates WHERE currency = ?", currency, &before);
    if (rc && rc != KAM_ENOTFOUND)
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO fx_rates (currency, rate_micro, updated_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (currency) DO UPDATE SET rate_micro = excluded.rate_micro, "
                         "updated_at = excluded.updated_at",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, currency);
    db_bind_i64(st, 2, rate_micro);
    db_bind_i64(st, 3, ctx->now);
    rc = db_run(st, ctx->err);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "currency", before ? currency : NULL, currency);
    audit_diff_i64(&d, "rate_micro", before, !before, rate_micro, 0);
    rc = audit_write(ctx, "fx_rate", 0, 0, before ? "update" : "create", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err fx_to_base(struct kam_ctx *ctx, const char *currency, int64_t amount, int64_t *out)
{
    const char *base;
    enum kam_err rc = fx_base(ctx, &base);
    if (rc)
        return rc;
    if (strcmp(base, currency) == 0) {
        *out = amount;
        return KAM_OK;
    }
    int64_t rate;
    rc = row_i64_text(ctx, "SELECT rate_micro FROM fx_rates WHERE currency = ?", currency, &rate);
    if (rc == KAM_ENOTFOUND)
        return kam_fail(ctx->err, KAM_EINVAL, "currency", "no exchange rate for %s", currency);
    if (rc)
        return rc;
    __int128 v = (__int128)amount * rate;
    v = v >= 0 ? (v + 500000) / 1000000 : -((-v + 500000) / 1000000);
    if (v > INT64_MAX || v < INT64_MIN)
        return kam_fail(ctx->err, KAM_EINVAL, "amount", "amount is too large");
    *out = (int64_t)v;
    return KAM_OK;
}
