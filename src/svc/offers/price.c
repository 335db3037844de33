/* price.c -- the price engine: base price, volume breaks, promotions, currency, annual rebate
 * (the precedence is in price.h and docs/PRICING.md). */
#include "price.h"

#include <stdio.h>
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

static const char *text_or_null(struct kam_ctx *ctx, struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? NULL : arena_strdup(ctx->a, db_col_text(st, col));
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

#define CHAIN_PH "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?" /* PRICE_GROUP_DEPTH + 1 */

static enum kam_err base_price(struct kam_ctx *ctx, const struct price_account *acc,
                               const struct price_query *q, struct price_result *r)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT l.id, l.name, l.currency, l.scope, COALESCE(l.account_id, 0), l.valid_from, "
        "l.valid_to, l.active, i.id, i.unit_price FROM price_list_items i JOIN price_lists l ON "
        "l.id = i.list_id WHERE i.product_id = ? AND (l.scope = 'all' OR (l.scope = 'tier' AND "
        "l.tier = ?) OR (l.scope IN ('group', 'account') AND l.account_id IN (" CHAIN_PH
        "))) ORDER BY l.id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, q->product_id);
    db_bind_text(st, 2, acc->tier ? acc->tier : "");
    for (int i = 0; i <= PRICE_GROUP_DEPTH; i++)
        db_bind_i64(st, 3 + i, i < acc->nchain ? acc->chain[i] : 0);
    struct cand best = {0}, *all = NULL;
    int n = 0, cap = 0, have = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        struct cand c = {
            .list_id = db_col_i64(st, 0),
            .name = arena_strdup(ctx->a, db_col_text(st, 1)),
            .currency = arena_strdup(ctx->a, db_col_text(st, 2)),
            .scope = arena_strdup(ctx->a, db_col_text(st, 3)),
            .account_id = db_col_i64(st, 4),
            .from = text_or_null(ctx, st, 5),
            .item_id = db_col_i64(st, 8),
            .price = db_col_i64(st, 9),
        };
        const char *to = text_or_null(ctx, st, 6);
        int active = (int)db_col_i64(st, 7);
        c.rank = scope_rank(c.scope);
        if (!strcmp(c.scope, "account") && c.account_id != acc->id)
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
        if (!active) {
            skip(r, "list", c.list_id, c.name, "inactive", 0);
            continue;
        }
        if (!date_in(q->date, c.from, to)) {
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
        }
    }
    db_done(st);
    if (rc)
        return rc;
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

/* The first day (days since 1970) of D's month, quarter or year. */
static int64_t period_start(const char *basis, int y, int m)
{
    if (!strcmp(basis, "month"))
        return date_to_days(y, m, 1);
    if (!strcmp(basis, "quarter"))
        return date_to_days(y, (m - 1) / 3 * 3 + 1, 1);
    return date_to_days(y, 1, 1);
}

struct period_sum {
    int done;
    int64_t quantity, amount_base;
};

static enum kam_err bought(struct kam_ctx *ctx, struct price_cache *cache,
                           const struct price_query *q, int64_t from, int64_t to,
                           struct period_sum *out)
{
    if (cache)
        for (int i = 0; i < cache->np; i++)
            if (cache->p[i].product_id == q->product_id && cache->p[i].from == from &&
                cache->p[i].day == to) {
                out->quantity = cache->p[i].quantity;
                out->amount_base = cache->p[i].amount_base;
                out->done = 1;
                return KAM_OK;
            }
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT COALESCE(SUM(quantity), 0), COALESCE(SUM(amount_base), 0) "
                                 "FROM order_lines WHERE account_id = ? AND day >= ? AND day <= ? "
                                 "AND product_id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, q->account_id);
    db_bind_i64(st, 2, from);
    db_bind_i64(st, 3, to);
    db_bind_i64(st, 4, q->product_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        out->quantity = db_col_i64(st, 0);
        out->amount_base = db_col_i64(st, 1);
    }
    db_done(st);
    out->done = 1;
    if (!rc && cache) {
        int k = cache->np < PRICE_CACHE_PERIODS ? cache->np++ : cache->next++ % PRICE_CACHE_PERIODS;
        cache->p[k].product_id = q->product_id;
        cache->p[k].from = from;
        cache->p[k].day = to;
        cache->p[k].quantity = out->quantity;
        cache->p[k].amount_base = out->amount_base;
    }
    return rc;
}

static enum kam_err apply_breaks(struct kam_ctx *ctx, struct price_cache *cache,
                                 const struct price_query *q, int y, int m, int64_t day,
                                 struct price_result *r)
{
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
            return kam_fail(ctx->err, KAM_EINVAL, "quantity", "quantity is too large");
    }
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "SELECT id, kind, basis, threshold, unit_price, discount_bp FROM price_breaks "
                    "WHERE item_id = ? ORDER BY threshold, id",
                    &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, r->item_id);
    struct period_sum sums[3] = {{0}}; /* month, quarter, year */
    int64_t best_price = 0, best_id = 0, best_thr = 0, best_val = 0;
    const char *best_effect = NULL, *best_name = NULL;
    int have = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t id = db_col_i64(st, 0);
        const char *kind = arena_strdup(ctx->a, db_col_text(st, 1));
        const char *basis = arena_strdup(ctx->a, db_col_text(st, 2));
        int64_t thr = db_col_i64(st, 3);
        int is_price = !db_col_is_null(st, 4);
        int64_t val = is_price ? db_col_i64(st, 4) : db_col_i64(st, 5);
        int amount = !strcmp(kind, "amount");
        int64_t measure = amount ? order_amount : q->quantity;
        if (strcmp(basis, "order")) {
            int k = !strcmp(basis, "month") ? 0 : !strcmp(basis, "quarter") ? 1 : 2;
            if (!sums[k].done) {
                /* A nested prepare would reset st (one cached statement per text) only when the
                 * texts were equal; they are not. */
                if ((rc = bought(ctx, cache, q, period_start(basis, y, m), day, &sums[k])))
                    break;
            }
            if (amount) {
                int64_t past;
                const char *base;
                if ((rc = settings_get(ctx, "base_currency", "CNY", &base)) ||
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
    db_done(st);
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
                                     const struct price_query *q, const char *family,
                                     struct price_result *r)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT p.id, p.name, p.valid_from, p.valid_to, p.active, p.discount_bp, p.unit_price, "
        "p.currency FROM promotions p WHERE (p.scope = 'all' OR (p.scope = 'tier' AND p.tier = ?) "
        "OR (p.scope = 'account' AND p.account_id = ?)) AND p.active = 1 AND (p.valid_from IS NULL "
        "OR p.valid_from <= ?) AND (p.valid_to IS NULL OR p.valid_to >= ?) AND (p.all_products = "
        "1 OR EXISTS (SELECT "
        "1 FROM promotion_products pp WHERE pp.promotion_id = p.id AND (pp.product_id = ? OR "
        "(pp.product_id = 0 AND pp.family = ?)))) ORDER BY p.id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, acc->tier ? acc->tier : "");
    db_bind_i64(st, 2, acc->id);
    db_bind_text(st, 3, q->date);
    db_bind_text(st, 4, q->date);
    db_bind_i64(st, 5, q->product_id);
    db_bind_text(st, 6, family);
    struct promo {
        int64_t id, discount_bp, unit_price;
        const char *name, *currency;
        int is_price;
    } *ps = NULL;
    int n = 0, cap = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        struct promo p = {.id = db_col_i64(st, 0),
                          .name = arena_strdup(ctx->a, db_col_text(st, 1))};
        const char *from = text_or_null(ctx, st, 2), *to = text_or_null(ctx, st, 3);
        if (!db_col_i64(st, 4)) {
            skip(r, "promotion", p.id, p.name, "inactive", 0);
            continue;
        }
        if (!date_in(q->date, from, to)) {
            skip(r, "promotion", p.id, p.name, "not_valid", 0);
            continue;
        }
        p.is_price = !db_col_is_null(st, 6);
        p.discount_bp = p.is_price ? 0 : db_col_i64(st, 5);
        p.unit_price = p.is_price ? db_col_i64(st, 6) : 0;
        p.currency = text_or_null(ctx, st, 7);
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            struct promo *g = arena_alloc(ctx->a, (size_t)cap * sizeof *g);
            if (n)
                memcpy(g, ps, (size_t)n * sizeof *g);
            ps = g;
        }
        ps[n++] = p;
    }
    db_done(st);
    if (rc)
        return rc;
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
        if ((rc = settings_get(ctx, "base_currency", "CNY", &base)) ||
            (rc = rate_of(ctx, "currency", want, base, &rate)))
            return rc;
    }
    /* The product. */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT family, list_price, currency FROM products WHERE id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, q->product_id);
    int row = 0, has_lp = 0;
    const char *family = NULL, *pcur = NULL;
    int64_t lp = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        family = arena_strdup(ctx->a, db_col_text(st, 0));
        has_lp = !db_col_is_null(st, 1);
        lp = has_lp ? db_col_i64(st, 1) : 0;
        pcur = arena_strdup(ctx->a, db_col_text(st, 2));
    }
    db_done(st);
    if (rc)
        return rc;
    if (!row)
        return kam_fail(ctx->err, KAM_EINVAL, "product_id", "product_id: no such product");
    if ((rc = base_price(ctx, acc, q, r)))
        return rc;
    if (r->found) {
        if ((rc = apply_breaks(ctx, acc->cache, q, y, m, day, r)))
            return rc;
    } else if (has_lp) {
        r->found = 1;
        r->source = "list_price";
        r->base_price = r->unit_price = lp;
        r->base_currency = r->currency = pcur;
        step(r, "list_price", 0, NULL, "unit_price", lp, 0, 0, lp, pcur);
    }
    if (r->found) {
        if ((rc = apply_promotions(ctx, acc, q, family, r)))
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
            return kam_fail(ctx->err, KAM_EINVAL, "quantity", "quantity is too large");
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
