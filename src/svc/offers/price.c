/* price.c -- the price engine: base price, volume breaks, promotions, currency, annual rebate
 * (the precedence is in price.h and docs/PRICING.md). */
#include "price.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "svc/core/check.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"

int64_t price_muldiv(int64_t v, int64_t num, int64_t den, int *overflow)
{
    __int128 x = (__int128)v * num;
    int neg = x < 0;
    if (neg)
        x = -x;
    x = (x + den / 2) / den; /* half away from zero: den/2 on the magnitude */
    if (neg)
        x = -x;
    if (x > INT64_MAX || x < INT64_MIN) {
        if (overflow)
            *overflow = 1;
        return 0;
    }
    return (int64_t)x;
}

int64_t price_discount(int64_t price, int64_t bp)
{
    return price_muldiv(price, 10000 - bp, 10000, NULL);
}

static enum kam_err rate_of(struct kam_ctx *ctx, const char *field, const char *cur,
                            const char *base, int64_t *out)
{
    if (!strcmp(cur, base)) {
        *out = 1000000;
        return KAM_OK;
    }
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT rate_micro FROM fx_rates WHERE currency = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, cur);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *out = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    if (!row || *out <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s: no exchange rate for %s", field, cur);
    return KAM_OK;
}

enum kam_err price_convert(struct kam_ctx *ctx, const char *field, int64_t amount, const char *from,
                           const char *to, int64_t *out)
{
    if (!strcmp(from, to)) {
        *out = amount;
        return KAM_OK;
    }
    const char *base;
    int64_t rf, rt;
    enum kam_err rc;
    if ((rc = settings_get(ctx, "base_currency", "CNY", &base)) ||
        (rc = rate_of(ctx, field, from, base, &rf)) || (rc = rate_of(ctx, field, to, base, &rt)))
        return rc;
    int of = 0;
    *out = price_muldiv(amount, rf, rt, &of);
    if (of)
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s: the amount is too large", field);
    return KAM_OK;
}

/* The rate used converting from -> to, x 1e6 (units of to per unit of from), rounded half away
 * from zero: the fx step's value. */
static enum kam_err fx_rate(struct kam_ctx *ctx, const char *from, const char *to, int64_t *out)
{
    const char *base;
    int64_t rf, rt;
    enum kam_err rc;
    if ((rc = settings_get(ctx, "base_currency", "CNY", &base)) ||
        (rc = rate_of(ctx, "currency", from, base, &rf)) ||
        (rc = rate_of(ctx, "currency", to, base, &rt)))
        return rc;
    int of = 0;
    *out = price_muldiv(rf, 1000000, rt, &of);
    return of ? kam_fail(ctx->err, KAM_EINVAL, "currency", "currency: the rate is out of range")
              : KAM_OK;
}

enum kam_err price_account_load(struct kam_ctx *ctx, int64_t account_id, struct price_account *out)
{
    memset(out, 0, sizeof *out);
    out->id = account_id;
    out->cache = arena_calloc(ctx->a, 1, sizeof *out->cache);
    out->cache->a = ctx->a;
    int64_t cur = account_id;
    while (cur && out->nchain <= PRICE_GROUP_DEPTH) {
        for (int i = 0; i < out->nchain; i++)
            if (out->chain[i] == cur)
                return KAM_OK; /* a cycle: stop */
        struct db_stmt *st;
        enum kam_err rc =
            db_prepare(ctx->db, "SELECT tier, COALESCE(parent_id, 0) FROM accounts WHERE id = ?",
                       &st, ctx->err);
        if (rc)
            return rc;
        db_bind_i64(st, 1, cur);
        int row = 0;
        int64_t parent = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row) {
            if (out->nchain == 0)
                out->tier = arena_strdup(ctx->a, db_col_text(st, 0));
            parent = db_col_i64(st, 1);
        }
        db_done(st);
        if (rc)
            return rc;
        if (!row) {
            if (out->nchain == 0)
                return kam_fail(ctx->err, KAM_EINVAL, "account_id", "account_id: no such account");
            return KAM_OK;
        }
        out->chain[out->nchain++] = cur;
        cur = parent;
    }
    return KAM_OK;
}

static void step(struct price_result *r, const char *kind, int64_t id, const char *name,
                 const char *effect, int64_t value, int has_before, int64_t before, int64_t after,
                 const char *currency)
{
    if (r->nsteps >= PRICE_STEPS_MAX)
        return;
    r->steps[r->nsteps++] = (struct price_step){
        .kind = kind,
        .id = id,
        .name = name,
        .effect = effect,
        .value = value,
        .before = before,
        .after = after,
        .has_before = has_before,
        .currency = currency,
    };
}

static void skip(struct price_result *r, const char *kind, int64_t id, const char *name,
                 const char *reason, int64_t need)
{
    if (r->nskips >= PRICE_SKIPS_MAX) {
        r->skips_more++;
        return;
    }
    r->skips[r->nskips++] =
        (struct price_skip){.kind = kind, .id = id, .name = name, .reason = reason, .need = need};
}

static int date_in(const char *d, const char *from, const char *to)
{
    return (!from || strcmp(from, d) <= 0) && (!to || strcmp(d, to) <= 0);
}

/* The setting base_currency, read once per batch (the cache). */
static enum kam_err base_currency(struct kam_ctx *ctx, const struct price_account *acc,
                                  const char **out)
{
    struct price_cache *c = acc->cache;
    if (c && c->base_currency) {
        *out = c->base_currency;
        return KAM_OK;
    }
    enum kam_err rc = settings_get(ctx, "base_currency", "CNY", out);
    if (!rc && c)
        c->base_currency = arena_strdup(c->a, *out);
    return rc;
}

/* ---- the plan of a product: what the database holds for it, read once per batch ---- */

struct plan_break {
    int64_t id, thr, val;
    const char *kind, *basis;
    int is_price;
};

struct plan_list { /* a list with an item for the product (any scope: filtered per account) */
    int64_t list_id, item_id, price, account_id;
    const char *name, *currency, *scope, *tier, *from, *to;
    int active;
    int breaks_read, nbreaks;
    struct plan_break *breaks;
};

struct plan_promo { /* an active promotion for the product (scope and dates: per quote) */
    int64_t id, discount_bp, unit_price, account_id;
    const char *name, *currency, *from, *to, *scope, *tier;
    int is_price;
};

struct price_plan {
    int64_t product_id;
    int found; /* the product exists */
    const char *family, *currency;
    int has_lp;
    int64_t lp;
    struct plan_list *lists;
    int nlists;
    struct plan_promo *promos;
    int npromos;
};

static const char *plan_text(struct arena *a, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(a, db_col_text(st, col));
}

static enum kam_err read_plan(struct kam_ctx *ctx, struct arena *a, int64_t product_id,
                              struct price_plan *p)
{
    memset(p, 0, sizeof *p);
    p->product_id = product_id;
    struct db_stmt *st;
    enum kam_err rc;
    if ((rc = db_prepare(ctx->db, "SELECT family, list_price, currency FROM products WHERE id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, product_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        p->found = 1;
        p->family = arena_strdup(a, db_col_text(st, 0));
        p->has_lp = !db_col_is_null(st, 1);
        p->lp = p->has_lp ? db_col_i64(st, 1) : 0;
        p->currency = arena_strdup(a, db_col_text(st, 2));
    }
    db_done(st);
    if (rc || !p->found)
        return rc;
    if ((rc = db_prepare(
             ctx->db,
             "SELECT l.id, l.name, l.currency, l.scope, COALESCE(l.account_id, 0), l.valid_from, "
             "l.valid_to, l.active, i.id, i.unit_price, l.tier FROM price_list_items i JOIN "
             "price_lists l ON l.id = i.list_id WHERE i.product_id = ? ORDER BY l.id",
             &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, product_id);
    int cap = 0;
    for (;;) {
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (p->nlists == cap) {
            cap = cap ? cap * 2 : 4;
            struct plan_list *g = arena_alloc(a, (size_t)cap * sizeof *g);
            if (p->nlists)
                memcpy(g, p->lists, (size_t)p->nlists * sizeof *g);
            p->lists = g;
        }
        p->lists[p->nlists++] = (struct plan_list){
            .list_id = db_col_i64(st, 0),
            .name = arena_strdup(a, db_col_text(st, 1)),
            .currency = arena_strdup(a, db_col_text(st, 2)),
            .scope = arena_strdup(a, db_col_text(st, 3)),
            .account_id = db_col_i64(st, 4),
            .from = plan_text(a, st, 5),
            .to = plan_text(a, st, 6),
            .active = (int)db_col_i64(st, 7),
            .item_id = db_col_i64(st, 8),
            .price = db_col_i64(st, 9),
            .tier = plan_text(a, st, 10),
        };
    }
    db_done(st);
    if (rc)
        return rc;
    /* Promotions: active ones for the product by id or family or all products, for all
     * accounts, the account's tier or the account; their dates are applied per quote (one
     * outside its dates is not listed in skipped, as when SQL filtered it). */
    if ((rc = db_prepare(
             ctx->db,
             "SELECT p.id, p.name, p.valid_from, p.valid_to, p.discount_bp, p.unit_price, "
             "p.currency, p.scope, p.tier, COALESCE(p.account_id, 0) FROM promotions p WHERE "
             "p.active = 1 AND (p.all_products = 1 OR EXISTS (SELECT 1 FROM promotion_products pp "
             "WHERE pp.promotion_id = p.id AND (pp.product_id = ? OR (pp.product_id = 0 AND "
             "pp.family = ?)))) ORDER BY p.id",
             &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, product_id);
    db_bind_text(st, 2, p->family);
    cap = 0;
    for (;;) {
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (p->npromos == cap) {
            cap = cap ? cap * 2 : 4;
            struct plan_promo *g = arena_alloc(a, (size_t)cap * sizeof *g);
            if (p->npromos)
                memcpy(g, p->promos, (size_t)p->npromos * sizeof *g);
            p->promos = g;
        }
        struct plan_promo *o = &p->promos[p->npromos++];
        o->id = db_col_i64(st, 0);
        o->name = arena_strdup(a, db_col_text(st, 1));
        o->from = plan_text(a, st, 2);
        o->to = plan_text(a, st, 3);
        o->is_price = !db_col_is_null(st, 5);
        o->discount_bp = o->is_price ? 0 : db_col_i64(st, 4);
        o->unit_price = o->is_price ? db_col_i64(st, 5) : 0;
        o->currency = plan_text(a, st, 6);
        o->scope = arena_strdup(a, db_col_text(st, 7));
        o->tier = plan_text(a, st, 8);
        o->account_id = db_col_i64(st, 9);
    }
    db_done(st);
    return rc;
}

/* The plan of the product: from the batch cache, else read (and kept there). */
static enum kam_err plan_for(struct kam_ctx *ctx, const struct price_account *acc,
                             int64_t product_id, struct price_plan **out)
{
    struct price_cache *c = acc->cache && acc->cache->shared ? acc->cache->shared : acc->cache;
    if (c)
        for (int i = c->nplans - 1; i >= 0; i--)
            if (c->plans[i]->product_id == product_id) {
                *out = c->plans[i];
                return KAM_OK;
            }
    struct arena *a = c ? c->a : ctx->a;
    struct price_plan *p = arena_alloc(a, sizeof *p);
    enum kam_err rc = read_plan(ctx, a, product_id, p);
    if (rc)
        return rc;
    if (c) {
        if (c->nplans == c->capplans) {
            c->capplans = c->capplans ? c->capplans * 2 : 16;
            struct price_plan **g = arena_alloc(a, (size_t)c->capplans * sizeof *g);
            if (c->nplans)
                memcpy(g, c->plans, (size_t)c->nplans * sizeof *g);
            c->plans = g;
        }
        c->plans[c->nplans++] = p;
    }
    *out = p;
    return KAM_OK;
}

/* The breaks of a list's item, read once. */
static enum kam_err plan_breaks(struct kam_ctx *ctx, const struct price_account *acc,
                                struct plan_list *l)
{
    if (l->breaks_read)
        return KAM_OK;
    struct arena *a = acc->cache ? acc->cache->a : ctx->a;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, kind, basis, threshold, unit_price, discount_bp FROM "
                                 "price_breaks WHERE item_id = ? ORDER BY threshold, id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, l->item_id);
    int cap = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (l->nbreaks == cap) {
            cap = cap ? cap * 2 : 4;
            struct plan_break *g = arena_alloc(a, (size_t)cap * sizeof *g);
            if (l->nbreaks)
                memcpy(g, l->breaks, (size_t)l->nbreaks * sizeof *g);
            l->breaks = g;
        }
        struct plan_break *b = &l->breaks[l->nbreaks++];
        b->id = db_col_i64(st, 0);
        b->kind = arena_strdup(a, db_col_text(st, 1));
        b->basis = arena_strdup(a, db_col_text(st, 2));
        b->thr = db_col_i64(st, 3);
        b->is_price = !db_col_is_null(st, 4);
        b->val = b->is_price ? db_col_i64(st, 4) : db_col_i64(st, 5);
    }
    db_done(st);
    if (!rc)
        l->breaks_read = 1;
    return rc;
}

/* ---- 1. the base price ---- */

struct cand {
    int64_t list_id, item_id, price, account_id;
    const char *name, *currency, *scope, *from;
    int rank, depth;
};

static int scope_rank(const char *scope)
{
    return !strcmp(scope, "account") ? 4
           : !strcmp(scope, "group") ? 3
           : !strcmp(scope, "tier")  ? 2
                                     : 1;
}

/* Does a beat b? Rank, then (group) the nearer ancestor, then the later valid_from, then id. */
static int beats(const struct cand *a, const struct cand *b)
{
    if (a->rank != b->rank)
        return a->rank > b->rank;
    if (a->depth != b->depth)
        return a->depth < b->depth;
    int c = strcmp(a->from ? a->from : "", b->from ? b->from : "");
    if (c)
        return c > 0;
    return a->list_id > b->list_id;
}

static enum kam_err base_price(struct kam_ctx *ctx, const struct price_account *acc,
                               struct price_plan *plan, const struct price_query *q,
                               struct price_result *r, struct plan_list **won)
{
    struct cand best = {0}, *all = NULL;
    int n = 0, cap = 0, have = 0;
    *won = NULL;
    for (int k = 0; k < plan->nlists; k++) {
        struct plan_list *l = &plan->lists[k];
        struct cand c = {
            .list_id = l->list_id,
            .name = l->name,
            .currency = l->currency,
            .scope = l->scope,
            .account_id = l->account_id,
            .from = l->from,
            .item_id = l->item_id,
            .price = l->price,
        };
        c.rank = scope_rank(c.scope);
        if (!strcmp(c.scope, "account") && c.account_id != acc->id)
            continue;
        if (!strcmp(c.scope, "tier") && (!l->tier || !acc->tier || strcmp(l->tier, acc->tier)))
            continue;
        if (!strcmp(c.scope, "group")) {
            c.depth = -1;
            for (int i = 0; i < acc->nchain; i++)
                if (acc->chain[i] == c.account_id) {
                    c.depth = i;
                    break;
                }
            if (c.depth < 0)
                continue;
        }
        if (!l->active) {
            skip(r, "list", c.list_id, c.name, "inactive", 0);
            continue;
        }
        if (!date_in(q->date, c.from, l->to)) {
            skip(r, "list", c.list_id, c.name, "not_valid", 0);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            struct cand *g = arena_alloc(ctx->a, (size_t)cap * sizeof *g);
            if (n)
                memcpy(g, all, (size_t)n * sizeof *g);
            all = g;
        }
        all[n++] = c;
        if (!have || beats(&c, &best)) {
            best = c;
            have = 1;
            *won = l;
        }
    }
    for (int i = 0; i < n; i++)
        if (all[i].list_id != best.list_id)
            skip(r, "list", all[i].list_id, all[i].name, "outranked", 0);
    if (have) {
        r->found = 1;
        r->source = "list";
        r->list_id = best.list_id;
        r->item_id = best.item_id;
        r->list_name = best.name;
        r->list_scope = best.scope;
        r->base_price = best.price;
        r->base_currency = best.currency;
        r->unit_price = best.price;
        r->currency = best.currency;
        step(r, "list", best.list_id, best.name, "unit_price", best.price, 0, 0, best.price,
             best.currency);
    }
    return KAM_OK;
}

/* ---- 2. breaks ---- */

/* The first and last day (days since 1970) of D's month, quarter or year. */
static int64_t period_start(const char *basis, int y, int m)
{
    if (!strcmp(basis, "month"))
        return date_to_days(y, m, 1);
    if (!strcmp(basis, "quarter"))
        return date_to_days(y, (m - 1) / 3 * 3 + 1, 1);
    return date_to_days(y, 1, 1);
}

static int64_t period_end(const char *basis, int y, int m)
{
    int nm = !strcmp(basis, "month") ? m + 1 : !strcmp(basis, "quarter") ? (m - 1) / 3 * 3 + 4 : 13;
    return nm > 12 ? date_to_days(y + 1, 1, 1) - 1 : date_to_days(y, nm, 1) - 1;
}

struct period_sum {
    int done;
    int64_t quantity, amount_base;
};

static void build_period(struct arena *a, const int64_t *rows, size_t n, int nprod,
                         struct price_period *out);

/* One scan of the account's lines in [from, to] (of the product `only`, or of every product),
 * grouped by product and day, into per-product cumulative sums (the order_lines(account_id,
 * day) index, filtered by product). */
static enum kam_err read_period(struct kam_ctx *ctx, struct arena *a, int64_t account_id,
                                int64_t only, int64_t skip_import, int64_t from, int64_t to,
                                struct price_period *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT product_id, day, SUM(quantity), SUM(amount_base) FROM order_lines WHERE "
        "account_id = ? AND day >= ? AND day <= ? AND (? = 0 OR product_id = ?) AND (? = 0 OR "
        "import_id IS NULL OR import_id <> ?) GROUP BY product_id, day ORDER BY product_id, day",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, account_id);
    db_bind_i64(st, 2, from);
    db_bind_i64(st, 3, to);
    db_bind_i64(st, 4, only);
    db_bind_i64(st, 5, only);
    db_bind_i64(st, 6, skip_import);
    db_bind_i64(st, 7, skip_import);
    *out = (struct price_period){.from = from, .to = to, .only = only};
    /* the rows first (4 numbers each), then the series over them */
    size_t n = 0, cap = 0;
    int64_t *rows = NULL;
    int nprod = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *g = arena_alloc(a, cap * 4 * sizeof *g);
            if (n)
                memcpy(g, rows, n * 4 * sizeof *g);
            rows = g;
        }
        int64_t *r = rows + n * 4;
        r[0] = db_col_i64(st, 0);
        r[1] = db_col_i64(st, 1);
        r[2] = db_col_i64(st, 2);
        r[3] = db_col_i64(st, 3);
        if (!n || r[0] != rows[(n - 1) * 4])
            nprod++;
        n++;
    }
    db_done(st);
    if (rc || !n)
        return rc;
    build_period(a, rows, n, nprod, out);
    return KAM_OK;
}

/* The per-product cumulative sums of rows[0..n) (product, day, quantity, amount_base; by
 * product and day) into out (whose from, to are set). */
static void build_period(struct arena *a, const int64_t *rows, size_t n, int nprod,
                         struct price_period *out)
{
    out->s = arena_calloc(a, (size_t)nprod, sizeof *out->s);
    int64_t *cum = arena_alloc(a, n * 3 * sizeof *cum);
    for (size_t i = 0; i < n; i++) {
        const int64_t *r = rows + i * 4;
        struct price_series *s = out->n ? &out->s[out->n - 1] : NULL;
        if (!s || s->product_id != r[0]) {
            s = &out->s[out->n++];
            s->product_id = r[0];
            s->day = cum + i;
            s->quantity = cum + n + i;
            s->amount_base = cum + 2 * n + i;
        }
        s->day[s->n] = r[1];
        s->quantity[s->n] = r[2] + (s->n ? s->quantity[s->n - 1] : 0);
        s->amount_base[s->n] = r[3] + (s->n ? s->amount_base[s->n - 1] : 0);
        s->n++;
    }
}

/* The cumulative sums of the product in period p up to and including day (binary searches). */
static void period_at(const struct price_period *p, int64_t product_id, int64_t day,
                      struct period_sum *out)
{
    out->quantity = out->amount_base = 0;
    out->done = 1;
    int lo = 0, hi = p->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (p->s[mid].product_id < product_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == p->n || p->s[lo].product_id != product_id)
        return;
    const struct price_series *s = &p->s[lo];
    lo = 0; /* the first index with s->day > day */
    hi = s->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (s->day[mid] <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    out->quantity = lo ? s->quantity[lo - 1] : 0;
    out->amount_base = lo ? s->amount_base[lo - 1] : 0;
}

/* The account's lines of q's product from `from` up to and including `day` (the period ending
 * on `to`): from the batch cache, read in one scan of the period when it is not there yet. */
static enum kam_err bought_db(struct kam_ctx *ctx, struct price_cache *cache,
                              const struct price_query *q, int64_t from, int64_t to, int64_t day,
                              struct period_sum *out);

void price_account_adjust(struct price_account *acc, int64_t product_id, int64_t day,
                          int64_t quantity, int64_t amount_base, int sign)
{
    struct price_cache *c = acc->cache;
    if (!c)
        return;
    if (c->nadj == c->capadj) {
        int cap = c->capadj ? c->capadj * 2 : 16;
        struct price_adj *g = arena_alloc(c->a, (size_t)cap * sizeof *g);
        if (c->nadj)
            memcpy(g, c->adj, (size_t)c->nadj * sizeof *g);
        c->adj = g;
        c->capadj = cap;
    }
    if (!c->adj_head) {
        c->adj_head = arena_alloc(c->a, PRICE_ADJ_HEADS * sizeof *c->adj_head);
        for (int i = 0; i < PRICE_ADJ_HEADS; i++)
            c->adj_head[i] = -1;
    }
    int h = (int)((uint64_t)product_id % PRICE_ADJ_HEADS);
    c->adj[c->nadj] = (struct price_adj){product_id, day, sign < 0 ? -quantity : quantity,
                                         sign < 0 ? -amount_base : amount_base, c->adj_head[h]};
    c->adj_head[h] = c->nadj++;
}

/* The database's sums (bought_db) with the cache's adjustments (price_account_adjust). */
static enum kam_err bought(struct kam_ctx *ctx, struct price_cache *cache,
                           const struct price_query *q, int64_t from, int64_t to, int64_t day,
                           struct period_sum *out)
{
    enum kam_err rc = bought_db(ctx, cache, q, from, to, day, out);
    if (rc || !cache)
        return rc;
    if (!cache->nadj)
        return KAM_OK;
    int h = (int)((uint64_t)q->product_id % PRICE_ADJ_HEADS);
    for (int i = cache->adj_head[h]; i >= 0; i = cache->adj[i].next) {
        const struct price_adj *j = &cache->adj[i];
        if (j->product_id == q->product_id && j->day >= from && j->day <= day) {
            out->quantity += j->quantity;
            out->amount_base += j->amount_base;
        }
    }
    return KAM_OK;
}

static enum kam_err bought_db(struct kam_ctx *ctx, struct price_cache *cache,
                              const struct price_query *q, int64_t from, int64_t to, int64_t day,
                              struct period_sum *out)
{
    for (int i = 0; cache && i < cache->nspans; i++) {
        const struct price_period *sp = &cache->spans[i];
        if (sp->from <= from && to <= sp->to) {
            struct period_sum before;
            period_at(sp, q->product_id, day, out);
            period_at(sp, q->product_id, from - 1, &before);
            out->quantity -= before.quantity;
            out->amount_base -= before.amount_base;
            return KAM_OK;
        }
    }
    if (cache)
        for (int i = 0; i < cache->np; i++)
            if (cache->p[i].from == from && cache->p[i].to == to &&
                (!cache->p[i].only || cache->p[i].only == q->product_id)) {
                period_at(&cache->p[i], q->product_id, day, out);
                return KAM_OK;
            }
    struct price_period p;
    enum kam_err rc = read_period(ctx, cache ? cache->a : ctx->a, q->account_id,
                                  cache && cache->wide ? 0 : q->product_id,
                                  cache ? cache->skip_import : 0, from, to, &p);
    if (rc)
        return rc;
    period_at(&p, q->product_id, day, out);
    if (cache) {
        int k = cache->np < PRICE_CACHE_PERIODS ? cache->np++ : cache->next++ % PRICE_CACHE_PERIODS;
        cache->p[k] = p;
        cache->scans++;
    }
    return KAM_OK;
}

static int cmp_acc_id(const void *a, const void *b)
{
    int64_t x = (*(struct price_account *const *)a)->id,
            y = (*(struct price_account *const *)b)->id;
    return x < y ? -1 : x > y;
}

/* A new empty span from .. to at the end of the cache's. */
static void span_add(struct price_cache *c, int64_t from, int64_t to)
{
    if (c->nspans == c->capspans) {
        int cap = c->capspans ? c->capspans * 2 : 4;
        struct price_period *g = arena_alloc(c->a, (size_t)cap * sizeof *g);
        if (c->nspans)
            memcpy(g, c->spans, (size_t)c->nspans * sizeof *g);
        c->spans = g;
        c->capspans = cap;
    }
    c->spans[c->nspans++] = (struct price_period){.from = from, .to = to};
}

enum kam_err price_preload(struct kam_ctx *ctx, int64_t from, int64_t to, int64_t skip_import,
                           struct price_account *const *accs, size_t n_accs)
{
    if (!n_accs)
        return KAM_OK;
    /* the accounts by id, walked beside the scan's rows (in account order) */
    struct price_account **by = malloc(n_accs * sizeof *by);
    if (!by)
        abort();
    size_t nby = 0;
    for (size_t i = 0; i < n_accs; i++)
        if (accs[i]->cache) {
            span_add(accs[i]->cache, from, to); /* empty until its lines are read */
            by[nby++] = accs[i];
        }
    qsort(by, nby, sizeof *by, cmp_acc_id);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT account_id, product_id, day, SUM(quantity), SUM(amount_base) FROM order_lines "
        "WHERE day >= ? AND day <= ? AND (? = 0 OR import_id IS NULL OR import_id <> ?) GROUP "
        "BY account_id, product_id, day ORDER BY account_id, product_id, day",
        &st, ctx->err);
    if (rc) {
        free(by);
        return rc;
    }
    db_bind_i64(st, 1, from);
    db_bind_i64(st, 2, to);
    db_bind_i64(st, 3, skip_import);
    db_bind_i64(st, 4, skip_import);
    struct price_account *acc = NULL; /* the current account, NULL: not one of accs */
    size_t at = 0;
    int64_t cur = 0, *rows = NULL;
    size_t n = 0, cap = 0;
    int nprod = 0, started = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)))
            break;
        int64_t id = row ? db_col_i64(st, 0) : 0;
        if (!row || !started || id != cur) {
            if (acc && n) /* the previous account's lines: its new span */
                build_period(acc->cache->a, rows, n, nprod,
                             &acc->cache->spans[acc->cache->nspans - 1]);
            if (!row)
                break;
            started = 1;
            cur = id;
            while (at < nby && by[at]->id < id)
                at++;
            acc = at < nby && by[at]->id == id ? by[at] : NULL;
            n = cap = 0;
            nprod = 0;
            rows = NULL;
        }
        if (!acc)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *g = arena_alloc(acc->cache->a, cap * 4 * sizeof *g);
            if (n)
                memcpy(g, rows, n * 4 * sizeof *g);
            rows = g;
        }
        int64_t *r = rows + n * 4;
        r[0] = db_col_i64(st, 1);
        r[1] = db_col_i64(st, 2);
        r[2] = db_col_i64(st, 3);
        r[3] = db_col_i64(st, 4);
        if (!n || r[0] != rows[(n - 1) * 4])
            nprod++;
        n++;
    }
    db_done(st);
    free(by);
    return rc;
}

static enum kam_err apply_breaks(struct kam_ctx *ctx, const struct price_account *acc,
                                 struct plan_list *l, const struct price_query *q, int y, int m,
                                 int64_t day, struct price_result *r)
{
    struct price_cache *cache = acc->cache;
    const char *cur = r->currency;
    int64_t price = r->unit_price;
    /* This order's amount in the list's currency. */
    int64_t order_amount;
    enum kam_err rc;
    if (q->has_order_amount) {
        const char *from = q->currency && *q->currency ? q->currency : cur;
        if ((rc = price_convert(ctx, "currency", q->order_amount, from, cur, &order_amount)))
            return rc;
    } else {
        int of = 0;
        order_amount = price_muldiv(price, q->quantity, 1000, &of);
        if (of)
            return kam_fail_key(ctx->err, KAM_EINVAL, "quantity", "price.too_large", NULL,
                                "quantity: the price of this quantity is too large");
    }
    if ((rc = plan_breaks(ctx, acc, l)))
        return rc;
    struct period_sum sums[3] = {{0}}; /* month, quarter, year */
    int64_t best_price = 0, best_id = 0, best_thr = 0, best_val = 0;
    const char *best_effect = NULL, *best_name = NULL;
    int have = 0;
    for (int bi = 0; bi < l->nbreaks; bi++) {
        const struct plan_break *pb = &l->breaks[bi];
        int64_t id = pb->id;
        const char *kind = pb->kind, *basis = pb->basis;
        int64_t thr = pb->thr;
        int is_price = pb->is_price;
        int64_t val = pb->val;
        int amount = !strcmp(kind, "amount");
        int64_t measure = amount ? order_amount : q->quantity;
        if (strcmp(basis, "order")) {
            int k = !strcmp(basis, "month") ? 0 : !strcmp(basis, "quarter") ? 1 : 2;
            if (!sums[k].done) {
                if ((rc = bought(ctx, cache, q, period_start(basis, y, m), period_end(basis, y, m),
                                 day, &sums[k])))
                    break;
            }
            if (amount) {
                int64_t past;
                const char *base;
                if ((rc = base_currency(ctx, acc, &base)) ||
                    (rc = price_convert(ctx, "currency", sums[k].amount_base, base, cur, &past)))
                    break;
                measure += past;
            } else {
                measure += sums[k].quantity;
            }
        }
        const char *name = arena_printf(ctx->a, "%s/%s >= %lld", kind, basis, (long long)thr);
        if (measure < thr) {
            skip(r, "break", id, name, "not_reached", thr - measure);
            continue;
        }
        int64_t p = is_price ? val : price_discount(price, val);
        if (!have || p < best_price || (p == best_price && thr > best_thr)) {
            have = 1;
            best_price = p;
            best_id = id;
            best_thr = thr;
            best_val = val;
            best_effect = is_price ? "unit_price" : "discount";
            best_name = name;
        }
    }
    if (rc)
        return rc;
    if (have) {
        r->break_id = best_id;
        step(r, "break", best_id, best_name, best_effect, best_val, 1, price, best_price, cur);
        r->unit_price = best_price;
    }
    return KAM_OK;
}

/* ---- 3. promotions ---- */

static enum kam_err apply_promotions(struct kam_ctx *ctx, const struct price_account *acc,
                                     const struct price_plan *plan, const struct price_query *q,
                                     struct price_result *r)
{
    enum kam_err rc;
    struct promo {
        int64_t id, discount_bp, unit_price;
        const char *name, *currency;
        int is_price;
    } *ps = plan->npromos ? arena_alloc(ctx->a, (size_t)plan->npromos * sizeof *ps) : NULL;
    int n = 0;
    for (int i = 0; i < plan->npromos; i++) {
        const struct plan_promo *o = &plan->promos[i];
        int mine =
            !strcmp(o->scope, "all") ||
            (!strcmp(o->scope, "tier") && o->tier && acc->tier && !strcmp(o->tier, acc->tier)) ||
            (!strcmp(o->scope, "account") && o->account_id == acc->id);
        if (!mine)
            continue; /* for other accounts */
        if (!date_in(q->date, o->from, o->to))
            continue; /* outside its dates: not read (as SQL filtered it), not listed */
        ps[n++] = (struct promo){.id = o->id,
                                 .discount_bp = o->discount_bp,
                                 .unit_price = o->unit_price,
                                 .name = o->name,
                                 .currency = o->currency,
                                 .is_price = o->is_price};
    }
    int64_t price = r->unit_price, best_price = price;
    int best = -1;
    int64_t *cand = n ? arena_alloc(ctx->a, (size_t)n * sizeof *cand) : NULL;
    for (int i = 0; i < n; i++) {
        int64_t p;
        if (ps[i].is_price) {
            if ((rc =
                     price_convert(ctx, "currency", ps[i].unit_price,
                                   ps[i].currency ? ps[i].currency : r->currency, r->currency, &p)))
                return rc;
        } else {
            p = price_discount(price, ps[i].discount_bp);
        }
        cand[i] = p;
        if (p < best_price) { /* strictly lower: ties keep the lower id */
            best_price = p;
            best = i;
        }
    }
    for (int i = 0; i < n; i++)
        if (i != best)
            skip(r, "promotion", ps[i].id, ps[i].name, cand[i] >= price ? "not_lower" : "not_best",
                 0);
    if (best >= 0) {
        r->promotion_id = ps[best].id;
        step(r, "promotion", ps[best].id, ps[best].name,
             ps[best].is_price ? "unit_price" : "discount",
             ps[best].is_price ? best_price : ps[best].discount_bp, 1, price, best_price,
             r->currency);
        r->unit_price = best_price;
    }
    return KAM_OK;
}

/* ---- 5. the annual rebate ---- */

static enum kam_err rebate(struct kam_ctx *ctx, const struct price_account *acc, int y, int m,
                           int64_t day, struct price_result *r)
{
    struct price_rebate *b = &r->rebate;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT id, name FROM rebates WHERE active = 1 AND ((scope = 'account' AND account_id = ?) "
        "OR (scope = 'tier' AND tier = ?)) ORDER BY CASE scope WHEN 'account' THEN 0 ELSE 1 END, "
        "id DESC LIMIT 1",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, acc->id);
    db_bind_text(st, 2, acc->tier ? acc->tier : "");
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        b->found = 1;
        b->id = db_col_i64(st, 0);
        b->name = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    if (rc || !b->found)
        return rc;
    b->year = y;
    if ((rc = settings_get(ctx, "base_currency", "CNY", &b->currency)))
        return rc;
    struct price_cache *cache = acc->cache;
    int64_t from = date_to_days(y, 1, 1);
    struct db_stmt *s2;
    if (cache && cache->have_year && cache->year_from == from && cache->year_day == day) {
        b->year_amount = cache->year_amount;
    } else {
        /* The complete months from the rollup, D's month from its lines (order_lines_account). */
        if ((rc = db_prepare(ctx->db,
                             "SELECT COALESCE((SELECT SUM(amount) FROM sales_monthly_account "
                             "WHERE account_id = ? AND month >= ? AND month < ?), 0) + "
                             "COALESCE((SELECT SUM(amount_base) FROM order_lines WHERE "
                             "account_id = ? AND day >= ? AND day <= ?), 0)",
                             &s2, ctx->err)))
            return rc;
        db_bind_i64(s2, 1, acc->id);
        db_bind_i64(s2, 2, (int64_t)y * 100 + 1);
        db_bind_i64(s2, 3, (int64_t)y * 100 + m);
        db_bind_i64(s2, 4, acc->id);
        db_bind_i64(s2, 5, date_to_days(y, m, 1));
        db_bind_i64(s2, 6, day);
        rc = db_step(s2, &row, ctx->err);
        if (!rc && row)
            b->year_amount = db_col_i64(s2, 0);
        db_done(s2);
        if (rc)
            return rc;
        if (cache) {
            cache->have_year = 1;
            cache->year_from = from;
            cache->year_day = day;
            cache->year_amount = b->year_amount;
        }
    }
    if ((rc = db_prepare(ctx->db,
                         "SELECT threshold, rebate_bp FROM rebate_tiers WHERE rebate_id = ? "
                         "ORDER BY threshold",
                         &s2, ctx->err)))
        return rc;
    db_bind_i64(s2, 1, b->id);
    for (;;) {
        if ((rc = db_step(s2, &row, ctx->err)) || !row)
            break;
        int64_t thr = db_col_i64(s2, 0), bp = db_col_i64(s2, 1);
        if (thr <= b->year_amount) {
            b->has_reached = 1;
            b->reached_threshold = thr;
            b->reached_bp = bp;
        } else if (!b->has_next) {
            b->has_next = 1;
            b->next_threshold = thr;
            b->next_bp = bp;
            b->to_go = thr - b->year_amount;
        }
    }
    db_done(s2);
    return rc;
}

/* ---- the quote ---- */

enum kam_err price_quote_for(struct kam_ctx *ctx, const struct price_account *acc,
                             const struct price_query *q, struct price_result *r)
{
    memset(r, 0, sizeof *r);
    r->source = "none";
    r->date = q->date;
    r->quantity = q->quantity;
    int y, m, d;
    enum kam_err rc;
    if (!q->date)
        return kam_fail(ctx->err, KAM_EINVAL, "date", "date is required");
    if ((rc = check_date(ctx, "date", q->date)))
        return rc;
    if (date_parse(q->date, &y, &m, &d))
        return kam_fail(ctx->err, KAM_EINVAL, "date", "date must be YYYY-MM-DD");
    if (q->quantity <= 0)
        return kam_fail(ctx->err, KAM_EINVAL, "quantity", "quantity must be more than 0");
    int64_t day = date_to_days(y, m, d);
    const char *want = q->currency && *q->currency ? q->currency : NULL;
    if (want) {
        const char *base;
        int64_t rate;
        if ((rc = base_currency(ctx, acc, &base)) ||
            (rc = rate_of(ctx, "currency", want, base, &rate)))
            return rc;
    }
    /* The product and what the database holds for it (once per batch). */
    struct price_plan *plan;
    if ((rc = plan_for(ctx, acc, q->product_id, &plan)))
        return rc;
    if (!plan->found)
        return kam_fail(ctx->err, KAM_EINVAL, "product_id", "product_id: no such product");
    struct plan_list *won;
    if ((rc = base_price(ctx, acc, plan, q, r, &won)))
        return rc;
    if (r->found) {
        if ((rc = apply_breaks(ctx, acc, won, q, y, m, day, r)))
            return rc;
    } else if (plan->has_lp) {
        r->found = 1;
        r->source = "list_price";
        r->base_price = r->unit_price = plan->lp;
        r->base_currency = r->currency = plan->currency;
        step(r, "list_price", 0, NULL, "unit_price", plan->lp, 0, 0, plan->lp, plan->currency);
    }
    if (r->found) {
        if ((rc = apply_promotions(ctx, acc, plan, q, r)))
            return rc;
        if (want && strcmp(want, r->currency)) {
            int64_t out;
            if ((rc = price_convert(ctx, "currency", r->unit_price, r->currency, want, &out)))
                return rc;
            int64_t rate = 0;
            if ((rc = fx_rate(ctx, r->currency, want, &rate)))
                return rc;
            step(r, "fx", 0, NULL, "convert", rate, 1, r->unit_price, out, want);
            r->unit_price = out;
            r->currency = want;
        }
        int of = 0;
        r->amount = price_muldiv(r->unit_price, q->quantity, 1000, &of);
        if (of)
            return kam_fail_key(ctx->err, KAM_EINVAL, "quantity", "price.too_large", NULL,
                                "quantity: the price of this quantity is too large");
    } else {
        r->currency = want;
    }
    return q->skip_rebate ? KAM_OK : rebate(ctx, acc, y, m, day, r);
}

enum kam_err price_quote(struct kam_ctx *ctx, const struct price_query *q, struct price_result *r)
{
    struct price_account acc;
    enum kam_err rc = price_account_load(ctx, q->account_id, &acc);
    if (rc)
        return rc;
    return price_quote_for(ctx, &acc, q, r);
}

enum kam_err price_quote_checked(struct kam_ctx *ctx, struct price_query *q, const char *sku,
                                 struct price_result *r)
{
    int in = 0;
    enum kam_err rc = policy_account_in_scope(ctx, q->account_id, &in);
    if (rc && rc != KAM_ENOTFOUND)
        return rc;
    if (rc || !in) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_ENOTFOUND, "account_id", "no such account");
    }
    if (!q->date) { /* today in China (UTC+8), as the rest of KAM */
        int64_t t = ctx->now + PRICE_CHINA_OFFSET;
        int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
        int y, m, d;
        days_to_date(days, &y, &m, &d);
        q->date = arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
    }
    if (sku) {
        rc = row_i64_text(ctx, "SELECT id FROM products WHERE sku = ?", sku, &q->product_id);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, "sku", "sku: no such product");
        }
        if (rc)
            return rc;
    }
    return price_quote(ctx, q, r);
}
