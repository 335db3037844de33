/* promotion.c -- promotions and annual rebates: create, read, PATCH (record_update), delete,
 * lists (docs/PRICING.md). */
#include "promotion.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "price.h"
#include "pricing.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"
#include "svc/core/update.h"

static const char *const promo_scopes[] = {"all", "tier", "account", NULL};
static const char *const rebate_scopes[] = {"tier", "account", NULL};

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
}

static const char *buf_text(struct kam_ctx *ctx, struct buf *o)
{
    const char *s = arena_strdup(ctx->a, o->len ? o->data : "");
    buf_release(o);
    return s;
}

/* The scope rule both share: tier names a tier, account an account (that exists and the caller
 * may read), all neither. */
static enum kam_err check_scope(struct kam_ctx *ctx, const char *scope, const char *const *scopes,
                                const char *tier, int has_account, int64_t account_id)
{
    enum kam_err rc = check_enum(ctx, "scope", scope, scopes);
    if (rc)
        return rc;
    if (!strcmp(scope, "tier")) {
        if (!tier || !*tier)
            return kam_fail(ctx->err, KAM_EINVAL, "tier", "a tier scope names its tier");
        if ((rc = check_enum(ctx, "tier", tier, price_tiers)))
            return rc;
    } else if (tier) {
        return kam_fail(ctx->err, KAM_EINVAL, "tier", "only a tier scope names a tier");
    }
    if (!strcmp(scope, "account") && !has_account)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id", "an account scope names its account");
    if (strcmp(scope, "account") && has_account)
        return kam_fail(ctx->err, KAM_EINVAL, "account_id",
                        "only an account scope names an account");
    if (has_account &&
        (rc = policy_body_account(ctx, "account_id", account_id, OBJ_PRICING, ACT_CREATE)))
        return rc;
    return KAM_OK;
}

static enum kam_err check_cur(struct kam_ctx *ctx, const char *field, const char *cur)
{
    enum kam_err rc = check_currency(ctx, field, cur);
    const char *base;
    int64_t out = 0;
    if (rc || (rc = settings_get(ctx, "base_currency", "CNY", &base)))
        return rc;
    return price_convert(ctx, field, 0, cur, base, &out);
}

/* ================= promotions ================= */

#define P_COLS                                                                                     \
    "promotions.id, promotions.name, promotions.valid_from, promotions.valid_to, "                 \
    "promotions.active, promotions.all_products, promotions.scope, promotions.tier, "              \
    "promotions.account_id, promotions.discount_bp, promotions.unit_price, promotions.currency, "  \
    "promotions.version, promotions.created_at, promotions.updated_at, accounts.name"
#define P_FROM " FROM promotions LEFT JOIN accounts ON accounts.id = promotions.account_id"

static void p_read(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct promotion *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->name = arena_strdup(ctx->a, db_col_text(st, 1));
    x->valid_from = opt_text(ctx, st, 2);
    x->valid_to = opt_text(ctx, st, 3);
    x->active = db_col_i64(st, 4) != 0;
    x->all_products = db_col_i64(st, 5) != 0;
    x->scope = arena_strdup(ctx->a, db_col_text(st, 6));
    x->tier = opt_text(ctx, st, 7);
    x->has_account = !db_col_is_null(st, 8);
    x->account_id = x->has_account ? db_col_i64(st, 8) : 0;
    x->has_discount = !db_col_is_null(st, 9);
    x->discount_bp = x->has_discount ? db_col_i64(st, 9) : 0;
    x->has_price = !db_col_is_null(st, 10);
    x->unit_price = x->has_price ? db_col_i64(st, 10) : 0;
    x->currency = opt_text(ctx, st, 11);
    x->version = db_col_i64(st, 12);
    x->created_at = db_col_i64(st, 13);
    x->updated_at = db_col_i64(st, 14);
    x->account_name = opt_text(ctx, st, 15);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *targets_text(struct kam_ctx *ctx, const struct promotion *x)
{
    struct buf o;
    buf_init(&o, 1 << 20);
    for (int i = 0; i < x->nproducts; i++)
        buf_printf(&o, "%sp:%lld", o.len ? "," : "", (long long)x->product_ids[i]);
    for (int i = 0; i < x->nfamilies; i++)
        buf_printf(&o, "%sf:%s", o.len ? "," : "", x->families[i]);
    return buf_text(ctx, &o);
}

static enum kam_err p_targets(struct kam_ctx *ctx, struct promotion *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT product_id, family FROM promotion_products WHERE "
                                 "promotion_id = ? ORDER BY product_id, family",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    x->product_ids = arena_alloc(ctx->a, PROMO_TARGETS_MAX * sizeof *x->product_ids);
    x->families = arena_alloc(ctx->a, PROMO_TARGETS_MAX * sizeof *x->families);
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t pid = db_col_i64(st, 0);
        if (pid && x->nproducts < PROMO_TARGETS_MAX)
            x->product_ids[x->nproducts++] = pid;
        else if (!pid && x->nfamilies < PROMO_TARGETS_MAX)
            x->families[x->nfamilies++] = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    if (!rc) {
        qsort(x->families, (size_t)x->nfamilies, sizeof *x->families, cmp_str);
        x->targets_text = targets_text(ctx, x);
    }
    return rc;
}

static enum kam_err p_get_raw(struct kam_ctx *ctx, int64_t id, struct promotion *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " P_COLS P_FROM " WHERE promotions.id = ?", id, p_read,
                              out, "promotion");
    return rc ? rc : p_targets(ctx, out);
}

enum kam_err promotion_get(struct kam_ctx *ctx, int64_t id, struct promotion *out)
{
    enum kam_err rc = p_get_raw(ctx, id, out);
    return rc ? rc : pricing_visible(ctx, out->has_account, out->account_id, "promotion");
}

static void p_merge(struct promotion *x, const struct promotion_in *in)
{
    const struct promotion *v = &in->v;
    if (in->set & PR_NAME)
        x->name = v->name;
    if (in->set & PR_FROM)
        x->valid_from = v->valid_from;
    if (in->set & PR_TO)
        x->valid_to = v->valid_to;
    if (in->set & PR_ACTIVE)
        x->active = v->active;
    if (in->set & PR_ALL)
        x->all_products = v->all_products;
    if (in->set & PR_SCOPE)
        x->scope = v->scope;
    if (in->set & PR_TIER)
        x->tier = v->tier;
    if (in->set & PR_ACCOUNT) {
        x->has_account = v->has_account;
        x->account_id = v->account_id;
    }
    if (in->set & PR_DISCOUNT) {
        x->has_discount = v->has_discount;
        x->discount_bp = v->discount_bp;
    }
    if (in->set & PR_PRICE) {
        x->has_price = v->has_price;
        x->unit_price = v->unit_price;
    }
    if (in->set & PR_CURRENCY)
        x->currency = v->currency;
    if (in->set & PR_PRODUCTS) {
        x->product_ids = v->product_ids;
        x->nproducts = v->nproducts;
    }
    if (in->set & PR_FAMILIES) {
        x->families = v->families;
        x->nfamilies = v->nfamilies;
    }
}

static enum kam_err p_validate(struct kam_ctx *ctx, struct promotion *x)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "name", x->name, 1, PRICE_NAME_MAX, CHECK_LINE)))
        return rc;
    if (x->valid_from && (rc = check_date(ctx, "valid_from", x->valid_from)))
        return rc;
    if (x->valid_to && (rc = check_date(ctx, "valid_to", x->valid_to)))
        return rc;
    if (x->valid_from && x->valid_to && strcmp(x->valid_from, x->valid_to) > 0)
        return kam_fail(ctx->err, KAM_EINVAL, "valid_to", "valid_to must not be before valid_from");
    if ((rc = check_scope(ctx, x->scope, promo_scopes, x->tier, x->has_account, x->account_id)))
        return rc;
    if (x->has_discount == x->has_price)
        return kam_fail(ctx->err, KAM_EINVAL, "discount_bp",
                        "give exactly one of discount_bp and unit_price");
    if (x->has_discount && (rc = check_range(ctx, "discount_bp", x->discount_bp, 1, 10000)))
        return rc;
    if (x->has_price) {
        if ((rc = check_range(ctx, "unit_price", x->unit_price, 0, INT64_C(1000000000000000))))
            return rc;
        if (!x->currency)
            return kam_fail(ctx->err, KAM_EINVAL, "currency", "a fixed price names its currency");
        if ((rc = check_cur(ctx, "currency", x->currency)))
            return rc;
    } else if (x->currency) {
        return kam_fail(ctx->err, KAM_EINVAL, "currency", "only a fixed price names a currency");
    }
    if (x->all_products && (x->nproducts || x->nfamilies))
        return kam_fail(ctx->err, KAM_EINVAL, "product_ids",
                        "a promotion for all products lists no products or families");
    if (!x->all_products && !x->nproducts && !x->nfamilies)
        return kam_fail(ctx->err, KAM_EINVAL, "product_ids",
                        "name the products or families (or all_products)");
    int64_t *ids = arena_alloc(ctx->a, (size_t)(x->nproducts + 1) * sizeof *ids);
    if (x->nproducts)
        memcpy(ids, x->product_ids, (size_t)x->nproducts * sizeof *ids);
    qsort(ids, (size_t)x->nproducts, sizeof *ids, cmp_i64);
    for (int i = 0; i < x->nproducts; i++) {
        if (i && ids[i] == ids[i - 1])
            return kam_fail(ctx->err, KAM_EINVAL, "product_ids", "product %lld is listed twice",
                            (long long)ids[i]);
        int64_t pid = 0;
        rc = db_query_i64(ctx->db, "SELECT id FROM products WHERE id = ?", 1, ids[i], &pid,
                          ctx->err);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, "product_ids", "product_ids: no product %lld",
                            (long long)ids[i]);
        }
        if (rc)
            return rc;
    }
    x->product_ids = ids;
    const char **fams = arena_alloc(ctx->a, (size_t)(x->nfamilies + 1) * sizeof *fams);
    if (x->nfamilies)
        memcpy(fams, x->families, (size_t)x->nfamilies * sizeof *fams);
    qsort(fams, (size_t)x->nfamilies, sizeof *fams, cmp_str);
    for (int i = 0; i < x->nfamilies; i++) {
        if ((rc = check_text(ctx, "families", fams[i], 1, 100, CHECK_LINE)))
            return rc;
        if (i && !strcmp(fams[i], fams[i - 1]))
            return kam_fail(ctx->err, KAM_EINVAL, "families", "family %s is listed twice", fams[i]);
    }
    x->families = fams;
    x->targets_text = targets_text(ctx, x);
    return KAM_OK;
}

static void p_diff(struct audit_diff *d, const struct promotion *b, const struct promotion *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "valid_from", b ? b->valid_from : NULL, a ? a->valid_from : NULL);
    audit_diff_str(d, "valid_to", b ? b->valid_to : NULL, a ? a->valid_to : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_i64(d, "all_products", b ? b->all_products : 0, !b, a ? a->all_products : 0, !a);
    audit_diff_str(d, "scope", b ? b->scope : NULL, a ? a->scope : NULL);
    audit_diff_str(d, "tier", b ? b->tier : NULL, a ? a->tier : NULL);
    audit_diff_i64(d, "account_id", b ? b->account_id : 0, !b || !b->has_account,
                   a ? a->account_id : 0, !a || !a->has_account);
    audit_diff_i64(d, "discount_bp", b ? b->discount_bp : 0, !b || !b->has_discount,
                   a ? a->discount_bp : 0, !a || !a->has_discount);
    audit_diff_i64(d, "unit_price", b ? b->unit_price : 0, !b || !b->has_price,
                   a ? a->unit_price : 0, !a || !a->has_price);
    audit_diff_str(d, "currency", b ? b->currency : NULL, a ? a->currency : NULL);
    audit_diff_str(d, "products", b ? b->targets_text : NULL, a ? a->targets_text : NULL);
}

static enum kam_err p_write_targets(struct kam_ctx *ctx, const struct promotion *x)
{
    enum kam_err rc = db_exec_i64(ctx->db, "DELETE FROM promotion_products WHERE promotion_id = ?",
                                  x->id, ctx->err);
    for (int i = 0; !rc && i < x->nproducts + x->nfamilies; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO promotion_products (promotion_id, product_id, family) "
                             "VALUES (?, ?, ?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, i < x->nproducts ? x->product_ids[i] : 0);
        db_bind_text(st, 3, i < x->nproducts ? "" : x->families[i - x->nproducts]);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

#define P_WRITE                                                                                    \
    "name = ?, valid_from = ?, valid_to = ?, active = ?, all_products = ?, scope = ?, tier = ?, "  \
    "account_id = ?, discount_bp = ?, unit_price = ?, currency = ?, updated_at = ?"

static void p_bind(struct db_stmt *st, const struct promotion *x, int64_t now)
{
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->valid_from);
    db_bind_text(st, 3, x->valid_to);
    db_bind_i64(st, 4, x->active);
    db_bind_i64(st, 5, x->all_products);
    db_bind_text(st, 6, x->scope);
    db_bind_text(st, 7, x->tier);
    db_bind_i64n(st, 8, x->account_id, !x->has_account);
    db_bind_i64n(st, 9, x->discount_bp, !x->has_discount);
    db_bind_i64n(st, 10, x->unit_price, !x->has_price);
    db_bind_text(st, 11, x->currency);
    db_bind_i64(st, 12, now);
}

enum kam_err promotion_create(struct kam_ctx *ctx, const struct promotion_in *in,
                              struct promotion *out)
{
    struct promotion x = {0};
    x.active = 1;
    x.scope = "all";
    p_merge(&x, in);
    if (!(in->set & PR_NAME))
        return kam_fail_key(ctx->err, KAM_EINVAL, "name", "required",
                            (struct kam_param[]){{"field", "name"}, {0}}, "name is required");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if ((rc = p_validate(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO promotions (name, valid_from, valid_to, active, "
                         "all_products, scope, tier, account_id, discount_bp, unit_price, "
                         "currency, updated_at, created_at, version) VALUES "
                         "(?,?,?,?,?,?,?,?,?,?,?,?,?,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    p_bind(st, &x, ctx->now);
    db_bind_i64(st, 13, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = p_write_targets(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    p_diff(&d, NULL, &x);
    rc = audit_write(ctx, "promotion", x.id, x.has_account ? x.account_id : 0, "create", &d);
    if (!rc)
        rc = p_get_raw(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err pu_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return promotion_get(ctx, id, rec);
}

static enum kam_err pu_merge(const struct update_op *op, void *rec)
{
    struct promotion *x = rec;
    const struct promotion_in *in = op->in;
    p_merge(x, in);
    /* switching the effect drops the other one, unless both are given */
    if ((in->set & PR_DISCOUNT) && in->v.has_discount && !(in->set & PR_PRICE))
        x->has_price = 0, x->unit_price = 0,
        x->currency = (in->set & PR_CURRENCY) ? x->currency : NULL;
    if ((in->set & PR_PRICE) && in->v.has_price && !(in->set & PR_DISCOUNT))
        x->has_discount = 0, x->discount_bp = 0;
    if ((in->set & PR_ALL) && x->all_products && !(in->set & (PR_PRODUCTS | PR_FAMILIES)))
        x->nproducts = 0, x->nfamilies = 0;
    /* A promotion moved off tier/account scope drops what it no longer names (as a list). */
    if ((in->set & PR_SCOPE) && strcmp(x->scope ? x->scope : "", "tier") && !(in->set & PR_TIER))
        x->tier = NULL;
    if ((in->set & PR_SCOPE) && strcmp(x->scope ? x->scope : "", "account") &&
        !(in->set & PR_ACCOUNT))
        x->has_account = 0, x->account_id = 0;
    return p_validate(op->ctx, x);
}

static void pu_diff(const struct update_op *op)
{
    p_diff(op->diff, op->before, op->after);
}

static enum kam_err pu_write(const struct update_op *op)
{
    const struct promotion *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    /* The targets first: the versioned UPDATE must be the last statement (record_update reads
     * its row count). */
    enum kam_err rc = p_write_targets(ctx, x);
    struct db_stmt *st;
    if (rc || (rc = db_prepare(ctx->db,
                               "UPDATE promotions SET " P_WRITE
                               ", version = version + 1 WHERE id = ? AND version = ?",
                               &st, ctx->err)))
        return rc;
    p_bind(st, x, ctx->now);
    db_bind_i64(st, 13, x->id);
    db_bind_i64(st, 14, b->version);
    return db_run(st, ctx->err);
}

static int64_t pu_account(const void *rec)
{
    const struct promotion *x = rec;
    return x->has_account ? x->account_id : 0;
}

static const struct update_spec promo_spec = {
    .entity = "promotion",
    .size = sizeof(struct promotion),
    .versioned = 1,
    .version_at = offsetof(struct promotion, version),
    .in_set_at = offsetof(struct promotion_in, set),
    .in_version_at = offsetof(struct promotion_in, v.version),
    .in_version_bit = PR_VERSION,
    .get = pu_get,
    .merge = pu_merge,
    .diff = pu_diff,
    .write = pu_write,
    .account_of = pu_account,
};

enum kam_err promotion_update(struct kam_ctx *ctx, int64_t id, const struct promotion_in *in,
                              struct promotion *out)
{
    return record_update(ctx, &promo_spec, id, in, out);
}

enum kam_err promotion_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct promotion before;
    if ((rc = promotion_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM promotion_products WHERE promotion_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM promotions WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    p_diff(&d, &before, NULL);
    rc =
        audit_write(ctx, "promotion", id, before.has_account ? before.account_id : 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort id_sort[] = {{"id", "promotions.id", 0}};
static const struct page_sort rb_sort[] = {{"id", "rebates.id", 0}};

enum kam_err promotion_list(struct kam_ctx *ctx, const struct offer_rule_query *q,
                            struct promotion **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, id_sort, 1, "id", q->limit, q->cursor, &pg);
    if (rc || (q->valid_on && (rc = check_date(ctx, "valid_on", q->valid_on))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = 0;
    if ((rc = pricing_scope_with(ctx, &b, &scoped)))
        return rc;
    sqlb_sql(&b, "SELECT " P_COLS P_FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND (promotions.account_id IS NULL OR " POLICY_SCOPE_COND ")");
    if (q->account_id) {
        sqlb_sql(&b, " AND promotions.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->active >= 0) {
        sqlb_sql(&b, " AND promotions.active = ?");
        sqlb_i64(&b, q->active);
    }
    if (q->valid_on) {
        sqlb_sql(&b, " AND (promotions.valid_from IS NULL OR promotions.valid_from <= ?) AND "
                     "(promotions.valid_to IS NULL OR promotions.valid_to >= ?)");
        sqlb_text(&b, q->valid_on);
        sqlb_text(&b, q->valid_on);
    }
    struct promotion *items;
    const struct promotion *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "promotions.id", p_read, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->id, last->id) : NULL;
    for (size_t i = 0; i < n; i++)
        if ((rc = p_targets(ctx, &items[i])))
            return rc;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ================= rebates ================= */

#define R_COLS                                                                                     \
    "rebates.id, rebates.name, rebates.scope, rebates.tier, rebates.account_id, rebates.active, "  \
    "rebates.version, rebates.created_at, rebates.updated_at, accounts.name"
#define R_FROM " FROM rebates LEFT JOIN accounts ON accounts.id = rebates.account_id"

static void r_read(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct rebate *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->name = arena_strdup(ctx->a, db_col_text(st, 1));
    x->scope = arena_strdup(ctx->a, db_col_text(st, 2));
    x->tier = opt_text(ctx, st, 3);
    x->has_account = !db_col_is_null(st, 4);
    x->account_id = x->has_account ? db_col_i64(st, 4) : 0;
    x->active = db_col_i64(st, 5) != 0;
    x->version = db_col_i64(st, 6);
    x->created_at = db_col_i64(st, 7);
    x->updated_at = db_col_i64(st, 8);
    x->account_name = opt_text(ctx, st, 9);
}

static const char *tiers_text(struct kam_ctx *ctx, const struct rebate *x)
{
    struct buf o;
    buf_init(&o, 1 << 16);
    for (int i = 0; i < x->ntiers; i++)
        buf_printf(&o, "%s%lld:%lld", o.len ? ";" : "", (long long)x->tiers[i].threshold,
                   (long long)x->tiers[i].rebate_bp);
    return buf_text(ctx, &o);
}

static enum kam_err r_tiers(struct kam_ctx *ctx, struct rebate *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT threshold, rebate_bp FROM rebate_tiers WHERE rebate_id = "
                                 "? ORDER BY threshold",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    x->tiers = arena_alloc(ctx->a, REBATE_TIERS_MAX * sizeof *x->tiers);
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (x->ntiers < REBATE_TIERS_MAX) {
            x->tiers[x->ntiers].set = 3;
            x->tiers[x->ntiers].threshold = db_col_i64(st, 0);
            x->tiers[x->ntiers++].rebate_bp = db_col_i64(st, 1);
        }
    }
    db_done(st);
    if (!rc)
        x->tiers_text = tiers_text(ctx, x);
    return rc;
}

static enum kam_err r_get_raw(struct kam_ctx *ctx, int64_t id, struct rebate *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " R_COLS R_FROM " WHERE rebates.id = ?", id, r_read, out, "rebate");
    return rc ? rc : r_tiers(ctx, out);
}

enum kam_err rebate_get(struct kam_ctx *ctx, int64_t id, struct rebate *out)
{
    enum kam_err rc = r_get_raw(ctx, id, out);
    return rc ? rc : pricing_visible(ctx, out->has_account, out->account_id, "rebate");
}

static void r_merge(struct rebate *x, const struct rebate_in *in)
{
    const struct rebate *v = &in->v;
    if (in->set & RB_NAME)
        x->name = v->name;
    if (in->set & RB_SCOPE)
        x->scope = v->scope;
    if (in->set & RB_TIER)
        x->tier = v->tier;
    if (in->set & RB_ACCOUNT) {
        x->has_account = v->has_account;
        x->account_id = v->account_id;
    }
    if (in->set & RB_ACTIVE)
        x->active = v->active;
    if (in->set & RB_TIERS) {
        x->tiers = v->tiers;
        x->ntiers = v->ntiers;
    }
}

static int cmp_tier(const void *a, const void *b)
{
    const struct rebate_tier *x = a, *y = b;
    return x->threshold < y->threshold ? -1 : x->threshold > y->threshold;
}

static enum kam_err r_validate(struct kam_ctx *ctx, struct rebate *x)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "name", x->name, 1, PRICE_NAME_MAX, CHECK_LINE)) ||
        (rc = check_scope(ctx, x->scope, rebate_scopes, x->tier, x->has_account, x->account_id)))
        return rc;
    if (x->ntiers < 1 || x->ntiers > REBATE_TIERS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "tiers", "a rebate has 1..%d tiers",
                        REBATE_TIERS_MAX);
    struct rebate_tier *t = arena_alloc(ctx->a, (size_t)x->ntiers * sizeof *t);
    memcpy(t, x->tiers, (size_t)x->ntiers * sizeof *t);
    for (int i = 0; i < x->ntiers; i++) {
        const char *f = arena_printf(ctx->a, "tiers[%d]", i);
        if ((t[i].set & 3) != 3)
            return kam_fail(
                ctx->err, KAM_EINVAL,
                arena_printf(ctx->a, "%s.%s", f, (t[i].set & 1) ? "rebate_bp" : "threshold"),
                "%s: threshold and rebate_bp are required", f);
        if ((rc = check_range(ctx, arena_printf(ctx->a, "%s.threshold", f), t[i].threshold, 0,
                              INT64_C(1000000000000000000))) ||
            (rc = check_range(ctx, arena_printf(ctx->a, "%s.rebate_bp", f), t[i].rebate_bp, 0,
                              10000)))
            return rc;
    }
    qsort(t, (size_t)x->ntiers, sizeof *t, cmp_tier);
    for (int i = 1; i < x->ntiers; i++) {
        if (t[i].threshold == t[i - 1].threshold)
            return kam_fail(ctx->err, KAM_EINVAL, "tiers", "two tiers with the threshold %lld",
                            (long long)t[i].threshold);
        if (t[i].rebate_bp < t[i - 1].rebate_bp)
            return kam_fail(ctx->err, KAM_EINVAL, "tiers",
                            "a higher threshold may not give a lower rebate");
    }
    x->tiers = t;
    x->tiers_text = tiers_text(ctx, x);
    return KAM_OK;
}

static void r_diff(struct audit_diff *d, const struct rebate *b, const struct rebate *a)
{
    audit_diff_str(d, "name", b ? b->name : NULL, a ? a->name : NULL);
    audit_diff_str(d, "scope", b ? b->scope : NULL, a ? a->scope : NULL);
    audit_diff_str(d, "tier", b ? b->tier : NULL, a ? a->tier : NULL);
    audit_diff_i64(d, "account_id", b ? b->account_id : 0, !b || !b->has_account,
                   a ? a->account_id : 0, !a || !a->has_account);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "tiers", b ? b->tiers_text : NULL, a ? a->tiers_text : NULL);
}

static enum kam_err r_write_tiers(struct kam_ctx *ctx, const struct rebate *x)
{
    enum kam_err rc =
        db_exec_i64(ctx->db, "DELETE FROM rebate_tiers WHERE rebate_id = ?", x->id, ctx->err);
    for (int i = 0; !rc && i < x->ntiers; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO rebate_tiers (rebate_id, threshold, rebate_bp) VALUES "
                             "(?, ?, ?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, x->tiers[i].threshold);
        db_bind_i64(st, 3, x->tiers[i].rebate_bp);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

static void r_bind(struct db_stmt *st, const struct rebate *x, int64_t now)
{
    db_bind_text(st, 1, x->name);
    db_bind_text(st, 2, x->scope);
    db_bind_text(st, 3, x->tier);
    db_bind_i64n(st, 4, x->account_id, !x->has_account);
    db_bind_i64(st, 5, x->active);
    db_bind_i64(st, 6, now);
}

enum kam_err rebate_create(struct kam_ctx *ctx, const struct rebate_in *in, struct rebate *out)
{
    struct rebate x = {0};
    x.active = 1;
    x.scope = "tier";
    r_merge(&x, in);
    if (!(in->set & RB_NAME))
        return kam_fail_key(ctx->err, KAM_EINVAL, "name", "required",
                            (struct kam_param[]){{"field", "name"}, {0}}, "name is required");
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    if ((rc = r_validate(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO rebates (name, scope, tier, account_id, active, updated_at, "
                         "created_at, version) VALUES (?,?,?,?,?,?,?,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    r_bind(st, &x, ctx->now);
    db_bind_i64(st, 7, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = r_write_tiers(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    r_diff(&d, NULL, &x);
    rc = audit_write(ctx, "rebate", x.id, x.has_account ? x.account_id : 0, "create", &d);
    if (!rc)
        rc = r_get_raw(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err ru_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return rebate_get(ctx, id, rec);
}

static enum kam_err ru_merge(const struct update_op *op, void *rec)
{
    struct rebate *x = rec;
    const struct rebate_in *in = op->in;
    r_merge(x, in);
    /* A rebate moved between tier and account scope drops what it no longer names. */
    if ((in->set & RB_SCOPE) && strcmp(x->scope ? x->scope : "", "tier") && !(in->set & RB_TIER))
        x->tier = NULL;
    if ((in->set & RB_SCOPE) && strcmp(x->scope ? x->scope : "", "account") &&
        !(in->set & RB_ACCOUNT))
        x->has_account = 0, x->account_id = 0;
    return r_validate(op->ctx, x);
}

static void ru_diff(const struct update_op *op)
{
    r_diff(op->diff, op->before, op->after);
}

static enum kam_err ru_write(const struct update_op *op)
{
    const struct rebate *x = op->after, *b = op->before;
    struct kam_ctx *ctx = op->ctx;
    /* The tiers first: the versioned UPDATE must be the last statement. */
    enum kam_err rc = r_write_tiers(ctx, x);
    struct db_stmt *st;
    if (rc || (rc = db_prepare(ctx->db,
                               "UPDATE rebates SET name = ?, scope = ?, tier = ?, account_id = "
                               "?, active = ?, updated_at = ?, version = version + 1 WHERE id = "
                               "? AND version = ?",
                               &st, ctx->err)))
        return rc;
    r_bind(st, x, ctx->now);
    db_bind_i64(st, 7, x->id);
    db_bind_i64(st, 8, b->version);
    return db_run(st, ctx->err);
}

static int64_t ru_account(const void *rec)
{
    const struct rebate *x = rec;
    return x->has_account ? x->account_id : 0;
}

static const struct update_spec rebate_spec = {
    .entity = "rebate",
    .size = sizeof(struct rebate),
    .versioned = 1,
    .version_at = offsetof(struct rebate, version),
    .in_set_at = offsetof(struct rebate_in, set),
    .in_version_at = offsetof(struct rebate_in, v.version),
    .in_version_bit = RB_VERSION,
    .get = ru_get,
    .merge = ru_merge,
    .diff = ru_diff,
    .write = ru_write,
    .account_of = ru_account,
};

enum kam_err rebate_update(struct kam_ctx *ctx, int64_t id, const struct rebate_in *in,
                           struct rebate *out)
{
    return record_update(ctx, &rebate_spec, id, in, out);
}

enum kam_err rebate_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct rebate before;
    if ((rc = rebate_get(ctx, id, &before)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM rebate_tiers WHERE rebate_id = ?", id, ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM rebates WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    r_diff(&d, &before, NULL);
    rc = audit_write(ctx, "rebate", id, before.has_account ? before.account_id : 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err rebate_list(struct kam_ctx *ctx, const struct offer_rule_query *q,
                         struct rebate **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, rb_sort, 1, "id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = 0;
    if ((rc = pricing_scope_with(ctx, &b, &scoped)))
        return rc;
    sqlb_sql(&b, "SELECT " R_COLS R_FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND (rebates.account_id IS NULL OR " POLICY_SCOPE_COND ")");
    if (q->account_id) {
        sqlb_sql(&b, " AND rebates.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->active >= 0) {
        sqlb_sql(&b, " AND rebates.active = ?");
        sqlb_i64(&b, q->active);
    }
    struct rebate *items;
    const struct rebate *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "rebates.id", r_read, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, last->id, last->id) : NULL;
    for (size_t i = 0; i < n; i++)
        if ((rc = r_tiers(ctx, &items[i])))
            return rc;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
