/* price_check.h -- an order line's price against the engine (issue 15 item 1, docs/PRICING.md
 * "Prices on order lines").
 *
 * Every order line written through the API (order_create, order_update) or an import is priced
 * by price_quote (the account, the product, the line's day, its quantity, in the line's
 * currency; no rebate) and compared with the line's amount: `ok` (amount >= the engine's
 * amount, unit price x quantity rounded half away from zero), `below`, or `unpriced` (the
 * engine has no price: not an error). A line with a quantity or an amount <= 0 (a return, a
 * correction) is not checked (NULL). */
#ifndef KAM_SVC_PRICE_CHECK_H
#define KAM_SVC_PRICE_CHECK_H

#include <stdint.h>

#include "price.h"
#include "svc/core/ctx.h"

#define PRICE_REASON_MAX 500 /* characters of price_reason */

struct price_line {
    int64_t account_id, product_id, day, quantity, amount;
    const char *currency;
};

struct price_verdict {
    const char *check;     /* NULL (not checked) | ok | below | unpriced */
    int64_t engine_amount; /* the engine's price x quantity in the line's currency */
    int has_engine;
    int64_t discount_bp;  /* below: how far, (engine - amount) / engine in bp rounded up */
    const char *currency; /* the line's */
};

/* Prices l. acc: the account read once for many lines (an import), or NULL (read here). */
enum kam_err price_check_line(struct kam_ctx *ctx, const struct price_account *acc,
                              const struct price_line *l, struct price_verdict *v);

/* The rule of the API for a line priced v (setting prices.below_price, docs/PRICING.md):
 * not below, or `approved` (the caller vouches: a line converted from an approved offer): OK.
 * Below: over the caller's role limit (approval_role_limit; admin and finance, who record what
 * was booked: none on order lines)
 * 409 price.over_limit; with `refuse` 400 naming "amount" (price.below, with the engine's
 * amount); with `accept_with_reason` a reason is required (400 naming "price_reason",
 * price.reason_required). *reason_out: the reason to store (NULL unless below). */
enum kam_err price_check_apply(struct kam_ctx *ctx, const struct price_verdict *v,
                               const char *reason, int approved, const char **reason_out);

/* The setting prices.below_price: 1 when it is `refuse`. */
enum kam_err price_below_refuses(struct kam_ctx *ctx, int *refuse);

/* minor units as a decimal "1234.50" into out (>= 24 bytes). */
const char *price_fmt_minor(int64_t v, char *out, size_t cap);

#endif
