/* demo_prices.c -- the price engine's demo data (docs/PRICING.md). */
#include "demo_prices.h"

#include <string.h>

#include "base/timeutil.h"
#include "pricing.h"
#include "promotion.h"
#include "store/db.h"

#define DEMO_PRODUCTS 12

struct prod {
    int64_t id, list_price;
    const char *family;
};

static enum kam_err products(struct kam_ctx *ctx, struct prod *out, int *n)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT id, list_price, family FROM products WHERE list_price IS "
                   "NOT NULL AND currency = 'CNY' AND active = 1 ORDER BY id LIMIT 12",
                   &st, ctx->err);
    if (rc)
        return rc;
    *n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        out[*n].id = db_col_i64(st, 0);
        out[*n].list_price = db_col_i64(st, 1);
        out[*n].family = arena_strdup(ctx->a, db_col_text(st, 2));
        (*n)++;
    }
    db_done(st);
    return rc;
}

/* The first `max` ids of sql (no binds). */
static enum kam_err ids(struct kam_ctx *ctx, const char *sql, int64_t *out, int max, int *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    *n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row || *n >= max)
            break;
        out[(*n)++] = db_col_i64(st, 0);
    }
    db_done(st);
    return rc;
}

static enum kam_err make_list(struct kam_ctx *ctx, const char *name, const char *scope,
                              const char *tier, int64_t account, const char *from, const char *to,
                              const struct prod *p, int np, int pct, int with_breaks)
{
    struct price_list_in in = {.set = PL_NAME | PL_CURRENCY | PL_SCOPE | PL_FROM | PL_TO |
                                      PL_ITEMS | PL_NOTE};
    in.v.name = name;
    in.v.currency = "CNY";
    in.v.scope = scope;
    in.v.valid_from = from;
    in.v.valid_to = to;
    in.v.note = "演示数据";
    if (tier) {
        in.set |= PL_TIER;
        in.v.tier = tier;
    }
    if (account) {
        in.set |= PL_ACCOUNT;
        in.v.account_id = account;
        in.v.has_account = 1;
    }
    in.items = arena_calloc(ctx->a, (size_t)np + 1, sizeof *in.items);
    in.nitems = np;
    for (int i = 0; i < np; i++) {
        struct price_item_in *it = &in.items[i];
        it->set = 3;
        it->product_id = p[i].id;
        it->unit_price = p[i].list_price * pct / 100;
        if (with_breaks) {
            /* >= 10 units 3 % off, >= 50 units 6 % off (per order); >= 200 units in the
             * quarter 8 % off. */
            static const struct {
                const char *kind, *basis;
                int64_t threshold, bp;
            } br[] = {{"quantity", "order", 10000, 300},
                      {"quantity", "order", 50000, 600},
                      {"quantity", "quarter", 200000, 800}};
            it->set |= 4;
            it->nbreaks = 3;
            it->breaks = arena_calloc(ctx->a, 3, sizeof *it->breaks);
            for (int j = 0; j < 3; j++) {
                it->breaks[j].set = 1 | 2 | 4 | 16;
                it->breaks[j].kind = br[j].kind;
                it->breaks[j].basis = br[j].basis;
                it->breaks[j].threshold = br[j].threshold;
                it->breaks[j].discount_bp = br[j].bp;
                it->breaks[j].has_discount = 1;
            }
        }
    }
    struct price_list out;
    return price_list_create(ctx, &in, &out);
}

enum kam_err prices_demo(struct kam_ctx *ctx)
{
    struct prod p[DEMO_PRODUCTS];
    int np = 0, nk = 0, ng = 0;
    int64_t key[3], grp[1];
    enum kam_err rc;
    if ((rc = products(ctx, p, &np)) || np == 0)
        return rc;
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    const char *from = arena_printf(ctx->a, "%04d-01-01", y);
    const char *to = arena_printf(ctx->a, "%04d-12-31", y);
    if ((rc = ids(ctx,
                  "SELECT id FROM accounts WHERE tier = 'strategic' AND parent_id IS NULL ORDER "
                  "BY id",
                  key, 3, &nk)) ||
        (rc = ids(ctx,
                  "SELECT parent_id FROM accounts WHERE parent_id IS NOT NULL ORDER BY parent_id",
                  grp, 1, &ng)))
        return rc;
    if ((rc = make_list(ctx, arena_printf(ctx->a, "%d 年标准价目表", y), "all", NULL, 0, from, to,
                        p, np, 95, 1)) ||
        (rc = make_list(ctx, "战略客户价", "tier", "strategic", 0, from, NULL, p, np < 6 ? np : 6,
                        90, 0)))
        return rc;
    for (int i = 0; i < nk; i++)
        if ((rc = make_list(ctx, arena_printf(ctx->a, "大客户协议价 %d", i + 1), "account", NULL,
                            key[i], from, to, p + i, np - i < 2 ? np - i : 2, 85, 0)))
            return rc;
    if (ng && (rc = make_list(ctx, "集团统一价", "group", NULL, grp[0], from, to, p,
                              np < 4 ? np : 4, 88, 0)))
        return rc;
    /* A mid-year promotion on the first product's family: 10 % off in June. */
    struct promotion_in pr = {.set = PR_NAME | PR_FROM | PR_TO | PR_FAMILIES | PR_DISCOUNT};
    const char *fams[1] = {p[0].family};
    pr.v.name = "年中促销";
    pr.v.valid_from = arena_printf(ctx->a, "%04d-06-01", y);
    pr.v.valid_to = arena_printf(ctx->a, "%04d-06-30", y);
    pr.v.families = fams;
    pr.v.nfamilies = 1;
    pr.v.discount_bp = 1000;
    pr.v.has_discount = 1;
    struct promotion po;
    if ((rc = promotion_create(ctx, &pr, &po)))
        return rc;
    /* The strategic tier's annual rebate: >= 1,000,000.00 1 %, >= 5,000,000.00 2 %,
     * >= 10,000,000.00 3 %. */
    struct rebate_tier tiers[3] = {{3, 100000000, 100}, {3, 500000000, 200}, {3, 1000000000, 300}};
    struct rebate_in rb = {.set = RB_NAME | RB_SCOPE | RB_TIER | RB_TIERS};
    rb.v.name = "战略客户年度返利";
    rb.v.scope = "tier";
    rb.v.tier = "strategic";
    rb.v.tiers = tiers;
    rb.v.ntiers = 3;
    struct rebate ro;
    return rebate_create(ctx, &rb, &ro);
}
