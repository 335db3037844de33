/* sales.h -- order lines: what each account bought, when, where and through which channel.
 *
 * Lines are keyed by their external id (the ERP's line id), so loading the same line twice
 * updates it. Every write goes through sales_write_lines(), which keeps the monthly rollups
 * (rollup.h) in step in the same transaction; the API's single-line routes and `kam import
 * orders` share it. Money: `amount` in the line's currency and `amount_base` in the base
 * currency, both minor units; quantity in thousandths of the product's unit. */
#ifndef KAM_SALES_H
#define KAM_SALES_H

#include <stddef.h>
#include <stdint.h>

#include "rollup.h"
#include "svc/core/ctx.h"

/* One line ready to write: every reference resolved, every value checked. */
struct order_row {
    const char *external_id, *family, *region, *channel, *currency;
    int64_t day, account_id, product_id, quantity, amount, amount_base;
    /* The price check (svc/offers/price_check.h): NULL (not checked) | ok | below | unpriced,
     * and the engine's amount (has_engine); row: the file's row (imports, for the report). */
    const char *price_check;
    int64_t engine_amount, row;
    int has_engine;
    const char *raw; /* an import's record for its reject file (NULL: not kept) */
};

/* Inserts the new lines and updates the ones whose external id exists, adding both versions'
 * contributions to r (flush it before the transaction ends). Counts go to *inserted and *updated.
 * Call inside a transaction. Each row's family must have been read under its product's share
 * lock (db_share_lock), and so must the products of existing lines that get rewritten: the
 * rollups file every line under the family read then (see "row locks" in sales.c). An import
 * share-locks every product first; order_create locks its product and refuses an existing
 * external id. */
enum kam_err sales_write_lines(struct kam_ctx *ctx, const struct order_row *rows, size_t n,
                               int64_t import_id, struct rollup *r, int64_t *inserted,
                               int64_t *updated);

struct order_line {
    int64_t id, day, account_id, product_id, quantity, amount, amount_base, import_id, created_at,
        updated_at;
    const char *external_id, *sku, *product_name, *family, *region, *channel, *currency,
        *account_name;
    /* The price check (svc/offers/price_check.h): NULL (not checked) | ok | below | unpriced,
     * the reason a below line was accepted (NULL: none), the engine's amount (line currency). */
    const char *price_check, *price_reason;
    int64_t engine_amount;
    int has_engine_amount;
};

enum {
    ORD_EXTERNAL_ID = 1 << 0,
    ORD_DATE = 1 << 1,
    ORD_ACCOUNT = 1 << 2,
    ORD_SKU = 1 << 3,
    ORD_REGION = 1 << 4,
    ORD_CHANNEL = 1 << 5,
    ORD_QUANTITY = 1 << 6,
    ORD_AMOUNT = 1 << 7, /* amount + currency */
    ORD_PRICE_REASON = 1 << 8,
};

struct order_in {
    unsigned set;
    const char *external_id, *date, *sku, *region, *channel, *currency;
    int64_t account_id, quantity, amount;
    /* Prices (issue 15, docs/PRICING.md): why a line below the engine's price is accepted, and
     * whether the caller vouches for its price (a line converted from an approved offer). */
    const char *price_reason;
    int price_approved;
};

/* Creates a line (or updates the one with the same external id when update_existing). Both
 * price the line (svc/offers/price_check.h: the setting prices.below_price, price_reason,
 * price_approved; an update re-prices when the date, account, product, quantity, amount or
 * reason change). */
enum kam_err order_create(struct kam_ctx *ctx, const struct order_in *in, struct order_line *out);
enum kam_err order_update(struct kam_ctx *ctx, int64_t id, const struct order_in *in,
                          struct order_line *out);
enum kam_err order_delete(struct kam_ctx *ctx, int64_t id);
enum kam_err order_get(struct kam_ctx *ctx, int64_t id, struct order_line *out);

struct order_query {
    int64_t account_id, product_id;        /* 0 = any */
    const char *family, *region, *channel; /* exact, NULL = any */
    const char *from, *to;                 /* YYYY-MM-DD inclusive, NULL = open */
    const char *price_check;               /* ok | below | unpriced, NULL = any */
    const char *sort, *cursor;
    int64_t limit;
};
/* Lines in the caller's scope. */
enum kam_err order_list(struct kam_ctx *ctx, const struct order_query *q,
                        struct order_line **items_out, size_t *n_out, const char **next_out);

/* Share of wallet: the account's estimated total spend in our categories for a year (base
 * currency minor units), entered by its team. */
struct wallet_estimate {
    int64_t account_id, year, amount, updated_by, updated_at;
    int has_updated_by;
    const char *note;
};
enum kam_err wallet_list(struct kam_ctx *ctx, int64_t account_id,
                         struct wallet_estimate **items_out, size_t *n_out);
enum kam_err wallet_set(struct kam_ctx *ctx, int64_t account_id, int64_t year, int64_t amount,
                        const char *note, struct wallet_estimate *out);
enum kam_err wallet_delete(struct kam_ctx *ctx, int64_t account_id, int64_t year);

/* Resolves an account code / a sku. KAM_EINVAL naming field when unknown. */
enum kam_err sales_account_by_code(struct kam_ctx *ctx, const char *code, int64_t *id_out);

/* Parses a decimal number with at most `decimals` places ("-12.5", "1,234.50" is refused) into
 * an integer scaled by 10^decimals. 0 on success, -1 if malformed or out of range. */
int sales_parse_decimal(const char *s, size_t n, int decimals, int64_t *out);

#endif
