/* price.h -- the price engine (issue 15 item 1; the whole rule is docs/PRICING.md).
 *
 * price_quote() answers "the price of product P for account A on date D for quantity Q (in
 * currency C)" with its explanation. Precedence, in this order:
 *  1. The base price: the most specific ACTIVE price list VALID ON D (valid_from <= D <=
 *     valid_to, either end open) that HAS AN ITEM for P. Specific: account > group > tier >
 *     all. A group list (account_id = a parent) applies to that account and to every account
 *     under it at any depth (up to PRICE_GROUP_DEPTH levels up, cycle-safe); the nearer
 *     ancestor wins inside the group level. Ties: the later valid_from (open = earliest), then
 *     the higher id. No such list: the product's list_price ("list_price" step). None: no
 *     price (found = 0; not an error).
 *  2. Volume breaks of the winning item: each measures quantity or amount over this order or
 *     the period (month | quarter | year of D: the account's order lines of P from the period's
 *     first day up to and including D, plus this order). Of the breaks reached (measure >=
 *     threshold) the one giving the lowest price applies (ties: the higher threshold, then the
 *     lower id): in one monotonic series (writes refuse others) that is the highest threshold
 *     reached. Breaks apply to list items only, not to a product's list_price.
 *  3. Promotions (active, valid on D, for P by id or family or all products, for all accounts,
 *     A's tier or A), applied after breaks; they do not stack: the one giving the lowest price
 *     wins (ties: the lower id); one that would not lower the price is not applied.
 *  4. Currency: the price so far is in the list's (or product's) currency; when C differs it is
 *     converted through fx_rates (base currency per unit x 1e6, the base currency itself 1e6):
 *     round(p x rate(from) / rate(to)) in one step, exact integer arithmetic, half away from
 *     zero. An unknown currency fails KAM_EINVAL naming "currency".
 *  5. Annual rebate (reported, never changes the price): the account's own active rebate, else
 *     its tier's (ties: the higher id); the year's cumulative amount (base currency, Jan 1 .. D:
 *     the monthly rollup sales_monthly_account for the months before D's, the order lines of
 *     D's month from its 1st to D) against the rebate's tiers: the tier reached and the next one
 *     with the amount to go. The cost of a quote does not grow with the year's history beyond
 *     one month of the account's lines; period breaks scan the account's lines of the period
 *     (order_lines(account_id, day)), once per product and period in a batch (the cache).
 * Every money value is integer minor units; a discount is basis points (1 % = 100) and its
 * result is rounded half away from zero; a quantity is thousandths of the product's unit. */
#ifndef KAM_SVC_PRICE_H
#define KAM_SVC_PRICE_H

#include <stdint.h>

#include "svc/core/ctx.h"

#define PRICE_CHINA_OFFSET (8 * 3600) /* "today" is China's day */
#define PRICE_GROUP_DEPTH 16          /* ancestors looked at for group lists */
#define PRICE_STEPS_MAX 8
#define PRICE_SKIPS_MAX 32 /* what did not apply: the first ones (skips_more counts the rest) */

struct price_query {
    int64_t account_id;
    int64_t product_id;
    const char *date;     /* YYYY-MM-DD */
    int64_t quantity;     /* thousandths, > 0 */
    const char *currency; /* NULL or "": the currency of the price found */
    int64_t order_amount; /* the order's amount in C (or the price's currency when no C), for */
    int has_order_amount; /* amount breaks per order; else quantity x base price */
    int skip_rebate;      /* 1: leave the rebate out (an import's lines do not need it) */
};

/* One step of the explanation: kind list | list_price | break | promotion | fx. */
struct price_step {
    const char *kind;
    int64_t id;         /* the list, break, promotion (0 for list_price, fx) */
    const char *name;   /* a break's: its description ("quantity/order >= 10000") */
    const char *effect; /* unit_price | discount | convert */
    int64_t value;      /* the unit price set (a fixed-price promotion's converted into `currency`),
                         * the discount bp, the fx rate used (units of C per unit of the price's
                         * currency x 1e6, rounded half away from zero) */
    int64_t before, after;
    int has_before;
    const char *currency; /* of after */
};

/* What did not apply, and why: reason not_valid (outside its dates), inactive, outranked (a
 * more specific list has the product), not_reached (a break; need = what is missing),
 * not_lower (a promotion that would not lower the price), not_best (another promotion wins). */
struct price_skip {
    const char *kind; /* list | break | promotion */
    int64_t id;
    const char *name;
    const char *reason;
    int64_t need;
};

struct price_rebate {
    int found;
    int64_t id;
    const char *name;
    const char *currency; /* the base currency */
    int year;
    int64_t year_amount;
    int has_reached;
    int64_t reached_threshold, reached_bp;
    int has_next;
    int64_t next_threshold, next_bp, to_go;
};

struct price_result {
    int found;
    int64_t unit_price;
    const char *currency;
    int64_t amount; /* unit_price x quantity / 1000, rounded half away from zero */
    int64_t quantity;
    const char *date;
    const char *source;                               /* list | list_price | none */
    int64_t list_id, item_id, break_id, promotion_id; /* 0: none */
    const char *list_name, *list_scope;
    int64_t base_price; /* from the list or list_price, in base_currency */
    const char *base_currency;
    struct price_step steps[PRICE_STEPS_MAX];
    int nsteps;
    struct price_skip skips[PRICE_SKIPS_MAX];
    int nskips, skips_more;
    struct price_rebate rebate;
};

/* The batch cache of one account: per period (month, quarter or year) the account's order
 * lines of the whole period, read in one scan for every product (grouped by product and day)
 * and kept per product as cumulative sums by day, so the sum "period start .. D" of any product
 * and any D in the period is two binary searches; and the rebate's year amount per (year start,
 * day). The cache lives in the arena that was ctx->a when price_account_load ran (an import's
 * chunk arena), so a quote may run in a shorter-lived one. */
#define PRICE_CACHE_PERIODS 64
struct price_series {
    int64_t product_id;
    int n;
    int64_t *day, *quantity, *amount_base; /* ascending days; cumulative sums up to that day */
};
struct price_period {
    int64_t from, to; /* the period's first and last day */
    int64_t only;     /* the one product read (0: every product of the account) */
    int n;
    struct price_series *s; /* by product id, ascending; a product without lines has none */
};
struct price_plan; /* price.c: a product's price lists, breaks and promotions, as read */
struct price_cache {
    struct arena *a;
    /* the products' plans (read once per product; the dates and the account's scopes are
     * applied per quote); shared: the cache whose plans are used (NULL: these), so the many
     * accounts of an import read each product once */
    struct price_cache *shared;
    struct price_plan **plans;
    int nplans, capplans;
    const char *base_currency; /* setting base_currency, read once */
    struct price_period p[PRICE_CACHE_PERIODS];
    int np, next; /* next: the slot reused when full (round robin) */
    int wide;     /* 1: a period is read for every product at once (an import's many lines) */
    /* price_preload's: every product, each over its days from .. to (an import's years) */
    struct price_period *spans;
    int nspans, capspans;
    /* an import's id: its own lines are left out of the periods read (they are counted by
     * price_account_adjust instead, written or not); 0: every line counts */
    int64_t skip_import;
    int64_t scans; /* periods read (a figure for the tests and the bench) */
    int have_year;
    int64_t year_from, year_day, year_amount;
    /* lines the database does not show as the next quote must see them (price_account_adjust) */
    struct price_adj *adj;
    int nadj, capadj;
    int *adj_head; /* PRICE_ADJ_HEADS chains by product id (-1: empty) */
};
#define PRICE_ADJ_HEADS 256
struct price_adj {
    int64_t product_id, day, quantity, amount_base;
    int next; /* the chain of the same head (-1: the end) */
};

/* The account's part of a quote, read once and reused for many lines (an import): its tier and
 * parents, and the batch cache. */
struct price_account {
    int64_t id;
    const char *tier;
    int64_t chain[PRICE_GROUP_DEPTH + 1]; /* chain[0] = the account, then its parents */
    int nchain;
    struct price_cache *cache; /* in the arena of price_account_load; NULL: no cache */
};

/* Counts a line of the account that the database does not hold as the next quotes must see it
 * in their period sums (breaks; not the rebate): sign +1 a line priced before and not written
 * yet (an import's earlier rows), -1 the old version of a line being rewritten (a PATCH, an
 * import row with an existing external id: a line never counts against itself). A quote of day
 * D then sees the adjustments of its product with a day in its period up to D. */
void price_account_adjust(struct price_account *acc, int64_t product_id, int64_t day,
                          int64_t quantity, int64_t amount_base, int sign);

/* For a load whose order_lines indexes are dropped (sales_bulk.h), where a period scan per
 * account would read the whole table: the lines of days from .. to of the n accounts accs, in
 * one scan, as a span of each one's cache (an account without lines there gets an empty one);
 * the lines of import skip_import (0: none) are left out. A period inside a span is then
 * answered from it. */
enum kam_err price_preload(struct kam_ctx *ctx, int64_t from, int64_t to, int64_t skip_import,
                           struct price_account *const *accs, size_t n);

/* Reads account_id's tier and parents; KAM_EINVAL naming "account_id" when there is none. */
enum kam_err price_account_load(struct kam_ctx *ctx, int64_t account_id, struct price_account *out);

/* The quote for q with its explanation. KAM_EINVAL naming the field for a bad query (no such
 * product: product_id; a bad date, quantity or currency). No price is found = 0, KAM_OK. */
enum kam_err price_quote(struct kam_ctx *ctx, const struct price_query *q, struct price_result *r);
/* The same with the account already read (acc->id must equal q->account_id). */
enum kam_err price_quote_for(struct kam_ctx *ctx, const struct price_account *acc,
                             const struct price_query *q, struct price_result *r);

/* price_quote for the API: the caller must be able to read the account (else KAM_ENOTFOUND
 * naming "account_id", as a record out of scope elsewhere); sku (when not NULL) names the
 * product instead of q->product_id (unknown: KAM_EINVAL naming "sku"); no date: today in China
 * (UTC+8, as everywhere in KAM). */
enum kam_err price_quote_checked(struct kam_ctx *ctx, struct price_query *q, const char *sku,
                                 struct price_result *r);

/* round(v x num / den), half away from zero; den > 0. 0 with *overflow = 1 past int64. */
int64_t price_muldiv(int64_t v, int64_t num, int64_t den, int *overflow);
/* price less bp basis points, rounded half away from zero. */
int64_t price_discount(int64_t price, int64_t bp);
/* amount (minor units of from) in to, through fx_rates; KAM_EINVAL naming field when either
 * currency has no rate. */
enum kam_err price_convert(struct kam_ctx *ctx, const char *field, int64_t amount, const char *from,
                           const char *to, int64_t *out);

#endif
