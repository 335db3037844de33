/* sales_bulk.c -- the bulk write of an import's order lines (sales_bulk.h).
 *
 * Why it is fast: one COPY per chunk on PostgreSQL (instead of a round trip per 500 rows, each
 * row's foreign keys checked by a trigger); rows sorted by external id so the unique index is
 * filled in order whatever order the file came in; and, for a load that is large next to the
 * table, the (account_id, day) and (day, id) indexes built once at the end by sorting instead of
 * a million inserts at random places (on PostgreSQL the foreign keys too: one anti-join each). What
 * stays exactly as sales_write_lines does it: an existing external id rewrites its line (the
 * savepoint rolls the bulk load back and the slow path runs), the rollups get every line's
 * contribution, the counts. */
#include "sales_bulk.h"

#include <stdlib.h>
#include <string.h>

static int cmp_ext(const void *a, const void *b)
{
    const struct order_row *x = a, *y = b;
    return strcmp(x->external_id, y->external_id);
}

enum kam_err sales_bulk_start(struct kam_ctx *ctx, int64_t rows_expected, struct sales_bulk *b)
{
    memset(b, 0, sizeof *b);
    b->started = 1;
    if (rows_expected < SALES_BULK_MIN_ROWS)
        return KAM_OK;
    int64_t have = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT COALESCE(MAX(id), 0) FROM order_lines", 0, 0,
                                   &have, ctx->err);
    if (rc || rows_expected * 3 < have)
        return rc;
    return db_bulk_indexes_off(ctx->db, "order_lines", ctx->a, &b->idx, ctx->err);
}

enum kam_err sales_bulk_finish(struct kam_ctx *ctx, struct sales_bulk *b)
{
    if (!b->started)
        return KAM_OK;
    b->started = 0;
    return db_bulk_indexes_on(ctx->db, &b->idx, ctx->err);
}

static enum kam_err copy_rows(struct kam_ctx *ctx, const struct order_row *rows, size_t n,
                              int64_t import_id)
{
    struct db_bulk *b;
    enum kam_err rc = db_bulk_begin(ctx->db, "order_lines",
                                    "external_id, day, account_id, product_id, region, channel, "
                                    "quantity, amount, currency, amount_base, import_id, "
                                    "created_at, updated_at",
                                    &b, ctx->err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct order_row *r = &rows[i];
        db_bulk_text(b, r->external_id);
        db_bulk_i64(b, r->day);
        db_bulk_i64(b, r->account_id);
        db_bulk_i64(b, r->product_id);
        db_bulk_text(b, r->region);
        db_bulk_text(b, r->channel);
        db_bulk_i64(b, r->quantity);
        db_bulk_i64(b, r->amount);
        db_bulk_text(b, r->currency);
        db_bulk_i64(b, r->amount_base);
        db_bulk_i64n(b, import_id, !import_id);
        db_bulk_i64(b, ctx->now);
        db_bulk_i64(b, ctx->now);
        rc = db_bulk_row(b, ctx->err);
    }
    return db_bulk_end(b, rc, ctx->err);
}

enum kam_err sales_bulk_lines(struct kam_ctx *ctx, struct order_row *rows, size_t n,
                              int64_t import_id, struct rollup *r, int64_t *inserted,
                              int64_t *updated)
{
    if (!n)
        return KAM_OK;
    size_t k = 1;
    while (k < n && cmp_ext(&rows[k - 1], &rows[k]) < 0)
        k++;
    if (k < n) /* an export in external id order is left as it is */
        qsort(rows, n, sizeof *rows, cmp_ext);
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (!rc)
        rc = db_end(ctx->db, copy_rows(ctx, rows, n, import_id), ctx->err);
    if (rc == KAM_ECONFLICT) {
        /* A line exists already (or appeared meanwhile): the load is undone, the rows go the
         * way that rewrites existing lines. */
        kam_error_clear(ctx->err);
        return sales_write_lines(ctx, rows, n, import_id, r, inserted, updated);
    }
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        rollup_add(r, rows[i].account_id, rollup_month_of_day(rows[i].day), rows[i].family,
                   rows[i].region, rows[i].channel, rows[i].quantity, rows[i].amount_base, +1);
    *inserted += (int64_t)n;
    return KAM_OK;
}
