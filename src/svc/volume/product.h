/* product.h -- the product catalogue (SKU, family, unit, list price) and exchange rates.
 *
 * Order lines name a product; its family is the product dimension of the rollups, targets and
 * forecasts. Changing a product's family moves its sales history to the new family in the
 * rollups in the same transaction. Exchange rates turn a line's amount into the base currency
 * (setting base_currency) at write time. */
#ifndef KAM_PRODUCT_H
#define KAM_PRODUCT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

struct product {
    int64_t id, list_price, version, created_at, updated_at;
    int has_list_price, active;
    const char *sku, *name, *family, *unit, *currency;
    int64_t unit_cost; /* our cost of one unit, minor units of currency (margins; issue 15) */
    int has_unit_cost;
};

enum {
    PROD_SKU = 1 << 0,
    PROD_NAME = 1 << 1,
    PROD_FAMILY = 1 << 2,
    PROD_UNIT = 1 << 3,
    PROD_PRICE = 1 << 4, /* list_price + currency */
    PROD_ACTIVE = 1 << 5,
    PROD_VERSION = 1 << 6,
    PROD_COST = 1 << 7, /* unit_cost (in the product's currency) */
};

struct product_in {
    unsigned set;
    const char *sku, *name, *family, *unit, *currency;
    int64_t list_price, version, unit_cost;
    int has_list_price, active, has_unit_cost;
};

enum kam_err product_create(struct kam_ctx *ctx, const struct product_in *in, struct product *out);
enum kam_err product_update(struct kam_ctx *ctx, int64_t id, const struct product_in *in,
                            struct product *out);
enum kam_err product_get(struct kam_ctx *ctx, int64_t id, struct product *out);
/* Creates the product or updates the one with the same sku; *created_out says which. */
enum kam_err product_upsert(struct kam_ctx *ctx, const struct product_in *in, struct product *out,
                            int *created_out);

struct product_query {
    const char *q;      /* substring of sku or name */
    const char *family; /* exact */
    int active;         /* -1 any, 0, 1 */
    const char *sort, *cursor;
    int64_t limit;
};
enum kam_err product_list(struct kam_ctx *ctx, const struct product_query *q,
                          struct product **items_out, size_t *n_out, const char **next_out);

/* The families in use, sorted. */
enum kam_err product_families(struct kam_ctx *ctx, const char ***items_out, size_t *n_out);

/* Exchange rates: base currency per unit of `currency`, times 1,000,000. */
struct fx_rate {
    const char *currency;
    int64_t rate_micro, updated_at;
};
enum kam_err fx_list(struct kam_ctx *ctx, const char **base_out, struct fx_rate **items_out,
                     size_t *n_out);
enum kam_err fx_set(struct kam_ctx *ctx, const char *currency, int64_t rate_micro);
/* The base currency (setting base_currency). */
enum kam_err fx_base(struct kam_ctx *ctx, const char **out);
/* amount (minor units of currency) in base minor units, rounded half away from zero;
 * KAM_EINVAL field "currency" when no rate is known. */
enum kam_err fx_to_base(struct kam_ctx *ctx, const char *currency, int64_t amount, int64_t *out);

#endif
