/* promotion.h -- promotions and annual rebates (the records price.c reads after the list and
 * its breaks); docs/PRICING.md. Create, read, PATCH (record_update, versioned), delete, lists;
 * every write audited in its transaction. */
#ifndef KAM_SVC_PROMOTION_H
#define KAM_SVC_PROMOTION_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define PROMO_TARGETS_MAX 50 /* product ids, and families, per promotion */
#define REBATE_TIERS_MAX 20

struct promotion {
    int64_t id;
    const char *name, *valid_from, *valid_to, *scope, *tier, *currency;
    int active, all_products;
    int64_t account_id;
    int has_account;
    const char *account_name;
    int64_t discount_bp, unit_price;
    int has_discount, has_price;
    int64_t *product_ids;
    int nproducts;
    const char **families;
    int nfamilies;
    const char *targets_text; /* audit: "p:1,p:2,f:A" */
    int64_t version, created_at, updated_at;
};

enum {
    PR_NAME = 1u << 0,
    PR_FROM = 1u << 1,
    PR_TO = 1u << 2,
    PR_ACTIVE = 1u << 3,
    PR_ALL = 1u << 4,
    PR_SCOPE = 1u << 5,
    PR_TIER = 1u << 6,
    PR_ACCOUNT = 1u << 7,
    PR_DISCOUNT = 1u << 8,
    PR_PRICE = 1u << 9,
    PR_CURRENCY = 1u << 10,
    PR_PRODUCTS = 1u << 11,
    PR_FAMILIES = 1u << 12,
    PR_VERSION = 1u << 13,
};

struct promotion_in {
    unsigned set;
    struct promotion v;
};

struct rebate_tier {
    unsigned set; /* first: the fields present (J_OBJS) */
    int64_t threshold, rebate_bp;
};

struct rebate {
    int64_t id;
    const char *name, *scope, *tier;
    int active;
    int64_t account_id;
    int has_account;
    const char *account_name;
    struct rebate_tier *tiers;
    int ntiers;
    const char *tiers_text; /* audit: "threshold:bp;..." */
    int64_t version, created_at, updated_at;
};

enum {
    RB_NAME = 1u << 0,
    RB_SCOPE = 1u << 1,
    RB_TIER = 1u << 2,
    RB_ACCOUNT = 1u << 3,
    RB_ACTIVE = 1u << 4,
    RB_TIERS = 1u << 5,
    RB_VERSION = 1u << 6,
};

struct rebate_in {
    unsigned set;
    struct rebate v;
};

/* Lists: keyset by id; account_id 0 = any; active -1 = any; valid_on (promotions) NULL = any. */
struct offer_rule_query {
    int64_t account_id, limit;
    int active;
    const char *valid_on, *cursor;
};

enum kam_err promotion_get(struct kam_ctx *ctx, int64_t id, struct promotion *out);
enum kam_err promotion_create(struct kam_ctx *ctx, const struct promotion_in *in,
                              struct promotion *out);
enum kam_err promotion_update(struct kam_ctx *ctx, int64_t id, const struct promotion_in *in,
                              struct promotion *out);
enum kam_err promotion_delete(struct kam_ctx *ctx, int64_t id);
enum kam_err promotion_list(struct kam_ctx *ctx, const struct offer_rule_query *q,
                            struct promotion **items_out, size_t *n_out, const char **next_out);

enum kam_err rebate_get(struct kam_ctx *ctx, int64_t id, struct rebate *out);
enum kam_err rebate_create(struct kam_ctx *ctx, const struct rebate_in *in, struct rebate *out);
enum kam_err rebate_update(struct kam_ctx *ctx, int64_t id, const struct rebate_in *in,
                           struct rebate *out);
enum kam_err rebate_delete(struct kam_ctx *ctx, int64_t id);
enum kam_err rebate_list(struct kam_ctx *ctx, const struct offer_rule_query *q,
                         struct rebate **items_out, size_t *n_out, const char **next_out);

#endif
