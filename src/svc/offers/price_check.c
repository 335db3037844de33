/* price_check.c -- an order line's price against the engine (price_check.h). */
#include "price_check.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "svc/core/check.h"
#include "svc/core/settings.h"
#include "svc/offers/approval.h"

const char *price_fmt_minor(int64_t v, char *out, size_t cap)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, cap, "%s%llu.%02llu", v < 0 ? "-" : "", (unsigned long long)(a / 100),
             (unsigned long long)(a % 100));
    return out;
}

enum kam_err price_check_line(struct kam_ctx *ctx, const struct price_account *acc,
                              const struct price_line *l, struct price_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->currency = l->currency;
    if (l->quantity <= 0 || l->amount <= 0)
        return KAM_OK; /* a return or a correction: not checked */
    int y, m, d;
    days_to_date(l->day, &y, &m, &d);
    char date[16];
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    struct price_query q = {.account_id = l->account_id,
                            .product_id = l->product_id,
                            .date = date,
                            .quantity = l->quantity,
                            .currency = l->currency,
                            .skip_rebate = 1};
    struct price_result r;
    struct price_account own;
    enum kam_err rc = KAM_OK;
    if (!acc) {
        if ((rc = price_account_load(ctx, l->account_id, &own)))
            return rc;
        acc = &own;
    }
    if ((rc = price_quote_for(ctx, acc, &q, &r)))
        return rc;
    if (!r.found) {
        v->check = "unpriced";
        return KAM_OK;
    }
    v->has_engine = 1;
    v->engine_amount = r.amount;
    if (l->amount >= r.amount) {
        v->check = "ok";
        return KAM_OK;
    }
    v->check = "below";
    /* ceil((engine - amount) x 10000 / engine) */
    __int128 num = (__int128)(r.amount - l->amount) * 10000;
    v->discount_bp = r.amount > 0 ? (int64_t)((num + r.amount - 1) / r.amount) : 10000;
    return KAM_OK;
}

enum kam_err price_below_refuses(struct kam_ctx *ctx, int *refuse)
{
    const char *rule;
    enum kam_err rc = settings_get(ctx, "prices.below_price", "accept_with_reason", &rule);
    *refuse = !rc && !strcmp(rule, "refuse");
    return rc;
}

/* How far below the engine's price the caller may go on an order line on their own (basis
 * points): THE role limit (approval_role_limit, approval.h: the sellers' discount_limits),
 * except for admin and finance, who record on order lines what was booked: no limit here (the
 * one place that says so; on offers their limit stays approval_role_limit's). */
static enum kam_err role_limit(struct kam_ctx *ctx, int64_t *max_bp)
{
    if (ctx->who.role == ROLE_ADMIN || ctx->who.role == ROLE_FINANCE) {
        *max_bp = 10000;
        return KAM_OK;
    }
    return approval_role_limit(ctx, ctx->who.role, max_bp);
}

enum kam_err price_check_apply(struct kam_ctx *ctx, const struct price_verdict *v,
                               const char *reason, int approved, const char **reason_out)
{
    *reason_out = NULL;
    if (!v->check || strcmp(v->check, "below"))
        return KAM_OK;
    enum kam_err rc;
    if (reason && *reason) {
        if ((rc = check_text(ctx, "price_reason", reason, 1, PRICE_REASON_MAX, CHECK_MULTILINE)))
            return rc;
        *reason_out = reason;
    }
    if (approved)
        return KAM_OK;
    char price[32], bp[24], max[24];
    int64_t limit;
    int refuse;
    if ((rc = role_limit(ctx, &limit)) || (rc = price_below_refuses(ctx, &refuse)))
        return rc;
    price_fmt_minor(v->engine_amount, price, sizeof price);
    if (refuse)
        return kam_fail_key(ctx->err, KAM_EINVAL, "amount", "price.below",
                            (struct kam_param[]){{"price", price}, {"currency", v->currency}, {0}},
                            "amount is below the price: the price is %s %s for this quantity",
                            price, v->currency);
    if (v->discount_bp > limit) {
        snprintf(bp, sizeof bp, "%lld", (long long)v->discount_bp);
        snprintf(max, sizeof max, "%lld", (long long)limit);
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "amount", "price.over_limit",
                            (struct kam_param[]){{"bp", bp}, {"max", max}, {0}},
                            "the discount (%s bp) is over your limit (%s bp): make an offer for "
                            "approval",
                            bp, max);
    }
    if (!*reason_out)
        return kam_fail_key(ctx->err, KAM_EINVAL, "price_reason", "price.reason_required",
                            (struct kam_param[]){{"price", price}, {"currency", v->currency}, {0}},
                            "the amount is below the price (%s %s): give price_reason", price,
                            v->currency);
    return KAM_OK;
}
