/* catalog.h -- the catalogue beside the products (issue 15 item 4): bundles (products sold
 * together at one price, with their components) and service items (pre-sales, after-sales,
 * support and training, with their SLA terms), both company-wide records (no account).
 *
 * Every write is audited in its transaction (entities "bundle", "service_item"); a bundle's
 * audit row carries its components as text ("product_id x quantity;..." by product id). A
 * record an offer line references cannot be deleted (409 catalog.in_use): deactivate it.
 * Money is integer minor units of the record's currency (a known one: fx_rates); a quantity is
 * thousandths of the product's unit. */
#ifndef KAM_SVC_CATALOG_H
#define KAM_SVC_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define CAT_CODE_MAX 64
#define CAT_NAME_MAX 200
#define CAT_DESC_MAX 2000
#define CAT_SLA_MAX 500
#define CAT_PRICE_MAX INT64_C(1000000000000000)
#define CAT_QTY_MAX INT64_C(1000000000) /* a component's quantity: 1,000,000 units */
#define BUNDLE_ITEMS_MAX 50

extern const char *const service_kinds[]; /* presales aftersales support training */
extern const char *const service_units[]; /* hour day visit month year each */

struct bundle_item_in {
    unsigned set; /* first: the fields present (J_OBJS): 1 product_id, 2 sku, 4 quantity */
    int64_t product_id;
    const char *sku;
    int64_t quantity; /* thousandths */
};

struct bundle_item {
    int64_t product_id, quantity;
    const char *sku, *name, *unit, *currency; /* currency: of list_price */
    int64_t list_price;                       /* one unit, the product's currency */
    int has_list_price;
};

struct bundle {
    int64_t id, price, version, created_at, updated_at;
    const char *code, *name, *description, *currency;
    int active;
    struct bundle_item *items; /* by product id */
    int nitems;
    /* the components at their list prices x quantity, converted into the bundle's currency;
     * has_list_total 0 when a component has no list price or its currency no exchange rate */
    int64_t components_list_total;
    int has_list_total;
    /* merge only: the items to write (NULL: keep) */
    const struct bundle_item_in *new_items;
    int n_new_items;
};

enum {
    BU_CODE = 1u << 0,
    BU_NAME = 1u << 1,
    BU_DESC = 1u << 2,
    BU_CURRENCY = 1u << 3,
    BU_PRICE = 1u << 4,
    BU_ACTIVE = 1u << 5,
    BU_ITEMS = 1u << 6,
    BU_VERSION = 1u << 7,
};

struct bundle_in {
    unsigned set;
    struct bundle v;
    struct bundle_item_in *items;
    int nitems;
};

struct catalog_query {
    const char *q, *kind, *sort, *cursor;
    int active; /* -1 any */
    int64_t limit;
};

enum kam_err bundle_get(struct kam_ctx *ctx, int64_t id, struct bundle *out);
enum kam_err bundle_create(struct kam_ctx *ctx, const struct bundle_in *in, struct bundle *out);
enum kam_err bundle_update(struct kam_ctx *ctx, int64_t id, const struct bundle_in *in,
                           struct bundle *out);
enum kam_err bundle_delete(struct kam_ctx *ctx, int64_t id);
/* q: code or name; active; sort id | code | name. Items are loaded for every row. */
enum kam_err bundle_list(struct kam_ctx *ctx, const struct catalog_query *q,
                         struct bundle **items_out, size_t *n_out, const char **next_out);
enum kam_err bundle_count(struct kam_ctx *ctx, const struct catalog_query *q, int64_t *n_out);

/* A bundle priced for an account: the bundle's price converted into currency (default the
 * bundle's), and its components at the price engine's price for that account, date and
 * quantity (component quantity x bundle quantity) -- price_quote_checked, so an account the
 * caller may not read answers 404 naming account_id. A component without a price has
 * found 0 and leaves components_total and saving null. */
struct bundle_quote_line {
    int64_t product_id, quantity, engine_price, amount;
    const char *sku, *name;
    int found;
};
struct bundle_quote {
    int64_t bundle_id, account_id, quantity, unit_price, amount;
    const char *code, *name, *date, *currency;
    struct bundle_quote_line *lines;
    int nlines;
    int64_t components_total, saving;
    int has_total;
};
enum kam_err bundle_quote(struct kam_ctx *ctx, int64_t id, int64_t account_id, const char *date,
                          int64_t quantity, const char *currency, struct bundle_quote *out);

/* ---- service items ---- */

struct service_item {
    int64_t id, price, unit_cost, version, created_at, updated_at;
    int has_unit_cost, active;
    const char *code, *kind, *name, *unit, *currency, *sla;
};

enum {
    SI_CODE = 1u << 0,
    SI_KIND = 1u << 1,
    SI_NAME = 1u << 2,
    SI_UNIT = 1u << 3,
    SI_PRICE = 1u << 4,
    SI_CURRENCY = 1u << 5,
    SI_COST = 1u << 6,
    SI_SLA = 1u << 7,
    SI_ACTIVE = 1u << 8,
    SI_VERSION = 1u << 9,
};

struct service_item_in {
    unsigned set;
    struct service_item v;
};

enum kam_err service_item_get(struct kam_ctx *ctx, int64_t id, struct service_item *out);
enum kam_err service_item_create(struct kam_ctx *ctx, const struct service_item_in *in,
                                 struct service_item *out);
enum kam_err service_item_update(struct kam_ctx *ctx, int64_t id, const struct service_item_in *in,
                                 struct service_item *out);
enum kam_err service_item_delete(struct kam_ctx *ctx, int64_t id);
/* q: code or name; kind; active; sort id | code | name. */
enum kam_err service_item_list(struct kam_ctx *ctx, const struct catalog_query *q,
                               struct service_item **items_out, size_t *n_out,
                               const char **next_out);
enum kam_err service_item_count(struct kam_ctx *ctx, const struct catalog_query *q, int64_t *n_out);

#endif
