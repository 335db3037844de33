/* pricing.h -- price lists with their items and volume breaks (the records price.c reads);
 * docs/PRICING.md.
 *
 * A list's items travel with it: create and PATCH take `items` (PATCH: replaced whole when
 * given), each with its breaks. Every write checks the whole list (a product once, breaks
 * monotonic within each kind x basis series: a higher threshold never gives a higher price,
 * and no break raises the item's price) and is audited in its transaction. The audit row does
 * not copy the items whole (a large list would not fit a row): `items` is the count and a digest
 * ("N items #fnv64") before and after, and `items_changed` the per-product diff ("+product:price
 * [kind/basis>=threshold=price|-bp]" added, "-product:price[...]" removed, "~product:old->new"
 * changed, ";"-separated, by product id); past PRICE_AUDIT_DIFF_MAX bytes the diff is only its
 * counts ("12000 changes: 5000 added, 4000 removed, 3000 changed"). */
#ifndef KAM_SVC_PRICING_H
#define KAM_SVC_PRICING_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define PRICE_NAME_MAX 200
#define PRICE_NOTE_MAX 2000
#define PRICE_ITEMS_MAX 10000
#define PRICE_BREAKS_MAX 20
#define PRICE_AUDIT_DIFF_MAX (64 * 1024) /* the per-product diff in an audit row */

extern const char *const price_scopes[]; /* all, tier, group, account */
/* The account tiers (svc/relationships/account.c account_tiers; the chapters do not include each
 * other): a tier list, promotion or rebate names one of them. */
extern const char *const price_tiers[];
extern const char *const break_kinds[]; /* quantity, amount */
extern const char *const break_bases[]; /* order, month, quarter, year */

struct price_break_in {
    unsigned set; /* first: the fields present (J_OBJS) */
    const char *kind, *basis;
    int64_t threshold, unit_price, discount_bp;
    int has_price, has_discount;
};

struct price_item_in {
    unsigned set; /* first: the fields present (J_OBJS) */
    int64_t product_id, unit_price;
    struct price_break_in *breaks;
    int nbreaks;
};

struct price_list {
    int64_t id;
    const char *name, *currency, *valid_from, *valid_to, *scope, *tier, *note;
    int active;
    int64_t account_id;
    int has_account;
    const char *account_name; /* NULL without an account */
    int64_t nitems, version, created_at, updated_at;
    /* write paths only (loaded for the audit diff; NULL on reads): the items, by product id */
    const struct price_item_in *cur_items;
    int n_cur_items, items_loaded;
    /* merge only: the input's items to write (NULL: keep) */
    const struct price_item_in *new_items;
    int n_new_items;
};

enum {
    PL_NAME = 1u << 0,
    PL_CURRENCY = 1u << 1,
    PL_FROM = 1u << 2,
    PL_TO = 1u << 3,
    PL_ACTIVE = 1u << 4,
    PL_SCOPE = 1u << 5,
    PL_TIER = 1u << 6,
    PL_ACCOUNT = 1u << 7,
    PL_NOTE = 1u << 8,
    PL_ITEMS = 1u << 9,
    PL_VERSION = 1u << 10,
};

struct price_list_in {
    unsigned set;
    struct price_list v;
    struct price_item_in *items;
    int nitems;
};

struct price_list_query {
    const char *scope, *valid_on, *sort, *cursor;
    int64_t account_id, limit;
    int active; /* -1 any */
};

/* One item of a list with its breaks (GET /price-lists/:id/items). */
struct price_break {
    int64_t id;
    const char *kind, *basis;
    int64_t threshold, unit_price, discount_bp;
    int has_price, has_discount;
};
struct price_item {
    int64_t id, list_id, product_id, unit_price;
    const char *sku, *product_name;
    struct price_break *breaks;
    size_t nbreaks;
};

/* The setting prices.hide_other_accounts (default on) for a record of an account: a scoped
 * reader who may not read the account gets KAM_ENOTFOUND ("no such <what>"). */
enum kam_err pricing_visible(struct kam_ctx *ctx, int has_account, int64_t account_id,
                             const char *what);
struct sqlb;
/* For lists under the same setting: when the caller's reads are to be filtered, starts b with
 * POLICY_SCOPE_WITH and sets *scoped (the query then adds "account_id IS NULL OR"
 * POLICY_SCOPE_COND over a join with accounts). */
enum kam_err pricing_scope_with(struct kam_ctx *ctx, struct sqlb *b, int *scoped);

/* The pricing settings (GET|PATCH /api/v1/settings/prices): prices.hide_other_accounts and
 * prices.below_price (refuse | accept_with_reason, default accept_with_reason: what an order
 * line below the engine's price gets, price_check.h). A change is audited as `settings` (id 1)
 * in its transaction; set says which fields to change. */
enum { PRS_HIDE = 1, PRS_BELOW = 2 };
struct pricing_settings {
    unsigned set;
    int hide;
    const char *below_price;
};
enum kam_err pricing_settings_get(struct kam_ctx *ctx, struct pricing_settings *out);
enum kam_err pricing_settings_set(struct kam_ctx *ctx, const struct pricing_settings *in);

enum kam_err price_list_get(struct kam_ctx *ctx, int64_t id, struct price_list *out);
enum kam_err price_list_create(struct kam_ctx *ctx, const struct price_list_in *in,
                               struct price_list *out);
enum kam_err price_list_update(struct kam_ctx *ctx, int64_t id, const struct price_list_in *in,
                               struct price_list *out);
enum kam_err price_list_delete(struct kam_ctx *ctx, int64_t id);
enum kam_err price_list_list(struct kam_ctx *ctx, const struct price_list_query *q,
                             struct price_list **items_out, size_t *n_out, const char **next_out);
enum kam_err price_list_count(struct kam_ctx *ctx, const struct price_list_query *q,
                              int64_t *n_out);
/* The list's items by product id after `after_product` (0: from the start), at most limit. */
enum kam_err price_list_items(struct kam_ctx *ctx, int64_t list_id, int64_t after_product,
                              int64_t limit, struct price_item **items_out, size_t *n_out,
                              int *more_out);

#endif
