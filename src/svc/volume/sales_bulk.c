/* sales_bulk.c -- the bulk write of an import's order lines (sales_bulk.h).
 *
 * Why it is fast: bulk loads (binary COPY on PostgreSQL, INSERTs of 100 rows on SQLite) instead
 * of a statement per row; rows sorted by external id so the unique index is filled in order
 * whatever order the file came in; for a load that is large next to the table, the
 * (account_id, day) and (day, id) indexes built once at the end by sorting instead of a million
 * inserts at random places, and then on PostgreSQL the ids from one block per part instead of
 * the sequence row by row; on SQLite no savepoint and no foreign-key lookups (the import checked
 * the references). What stays exactly as sales_write_lines does it: an existing external id
 * rewrites its line (PostgreSQL: the part's savepoint rolls back and the slow path runs; SQLite:
 * the row is skipped by the INSERT and rewritten after), the rollups get every line's
 * contribution, the counts. */
#include "sales_bulk.h"

#include <stdlib.h>
#include <string.h>

static int cmp_ext(const void *a, const void *b)
{
    const struct order_row *x = a, *y = b;
    return strcmp(x->external_id, y->external_id);
}

void sales_bulk_count(struct rollup *r, const struct order_row *rows, size_t n, int sign)
{
    for (size_t i = 0; i < n; i++)
        rollup_add(r, rows[i].account_id, rollup_month_of_day(rows[i].day), rows[i].family,
                   rows[i].region, rows[i].channel, rows[i].quantity, rows[i].amount_base, sign);
}

void sales_bulk_sort(struct order_row *rows, size_t n)
{
    size_t k = 1;
    while (k < n && cmp_ext(&rows[k - 1], &rows[k]) < 0)
        k++;
    if (k < n) /* an export in external id order is left as it is */
        qsort(rows, n, sizeof *rows, cmp_ext);
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

#define LINE_COLS                                                                                  \
    "external_id, day, account_id, product_id, region, channel, quantity, amount, currency, "      \
    "amount_base, import_id, price_check, engine_amount, created_at, updated_at"

/* One bulk load of the rows. skip_existing (engines without COPY): a row whose external id
 * exists is skipped, not an error; *written says how many went in. reserve: the ids come from
 * one block reserved for the rows where the engine has that (db_reserve_ids; the table is the
 * load's alone: its indexes are dropped), not from the sequence row by row. */
static enum kam_err copy_rows(struct kam_ctx *ctx, const struct order_row *rows, size_t n,
                              int64_t import_id, int skip_existing, int reserve, int64_t *written)
{
    struct db_bulk *b;
    int64_t id = 0;
    enum kam_err rc =
        reserve ? db_reserve_ids(ctx->db, "order_lines", (int64_t)n, &id, ctx->err) : KAM_OK;
    if (rc)
        return rc;
    rc = skip_existing ? db_bulk_begin_upsert(ctx->db, "order_lines", LINE_COLS,
                                              "ON CONFLICT (external_id) DO NOTHING", &b, ctx->err)
                       : db_bulk_begin(ctx->db, "order_lines", id ? "id, " LINE_COLS : LINE_COLS,
                                       &b, ctx->err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct order_row *r = &rows[i];
        if (id && !skip_existing)
            db_bulk_i64(b, id++);
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
        if (r->price_check)
            db_bulk_text(b, r->price_check);
        else
            db_bulk_null(b);
        db_bulk_i64n(b, r->engine_amount, !r->has_engine);
        db_bulk_i64(b, ctx->now);
        db_bulk_i64(b, ctx->now);
        rc = db_bulk_row(b, ctx->err);
    }
    return db_bulk_end_written(b, rc, written, ctx->err);
}

/* Rows go the way that rewrites existing lines, which counts them itself: their counts come
 * back out of r first. */
static enum kam_err rewrite(struct kam_ctx *ctx, const struct order_row *rows, size_t n,
                            int64_t import_id, struct rollup *r, int64_t *inserted,
                            int64_t *updated)
{
    sales_bulk_count(r, rows, n, -1);
    return sales_write_lines(ctx, rows, n, import_id, r, inserted, updated);
}

/* PostgreSQL: a COPY fails on an existing external id (at its end), so each part of a chunk
 * is loaded inside a savepoint and, on a unique violation, rolled back and rewritten. */
#define SAVEPOINT_ROWS 32768

static enum kam_err copy_part(struct kam_ctx *ctx, struct order_row *rows, size_t n,
                              int64_t import_id, int reserve, struct rollup *r, int64_t *inserted,
                              int64_t *updated)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (!rc)
        rc = db_end(ctx->db, copy_rows(ctx, rows, n, import_id, 0, reserve, NULL), ctx->err);
    if (rc == KAM_ECONFLICT) {
        /* A line exists already (or appeared meanwhile): the load is undone. */
        kam_error_clear(ctx->err);
        return rewrite(ctx, rows, n, import_id, r, inserted, updated);
    }
    if (rc)
        return rc;
    *inserted += (int64_t)n;
    return KAM_OK;
}

/* SQLite: the INSERTs skip existing external ids (ON CONFLICT DO NOTHING: no savepoint, whose
 * bookkeeping grows with every page a big load touches) and the skipped rows, found by their
 * lines not being this import's, are rewritten after. */
static enum kam_err insert_chunk(struct kam_ctx *ctx, struct order_row *rows, size_t n,
                                 int64_t import_id, struct rollup *r, int64_t *inserted,
                                 int64_t *updated)
{
    int64_t written = 0;
    enum kam_err rc = copy_rows(ctx, rows, n, import_id, 1, 0, &written);
    if (rc)
        return rc;
    *inserted += written;
    size_t skipped = n - (size_t)written, m = 0;
    if (!skipped)
        return KAM_OK;
    struct order_row *old = arena_alloc(ctx->a, skipped * sizeof *old);
    for (size_t i = 0; i < n && !rc; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT COUNT(*) FROM order_lines WHERE external_id = ? AND "
                             "(import_id IS NULL OR import_id <> ?)",
                             &st, ctx->err)))
            break;
        db_bind_text(st, 1, rows[i].external_id);
        db_bind_i64(st, 2, import_id);
        int row = 0;
        if (!(rc = db_step(st, &row, ctx->err)) && row && db_col_i64(st, 0) && m < skipped)
            old[m++] = rows[i];
        db_done(st);
    }
    if (rc)
        return rc;
    if (m != skipped)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "import: %zu of %zu skipped lines found", m,
                        skipped);
    return rewrite(ctx, old, m, import_id, r, inserted, updated);
}

enum kam_err sales_bulk_lines(struct kam_ctx *ctx, const struct sales_bulk *bulk,
                              struct order_row *rows, size_t n, int64_t import_id, struct rollup *r,
                              int64_t *inserted, int64_t *updated)
{
    sales_bulk_sort(rows, n);
    if (!db_bulk_copies(ctx->db) && import_id > 0)
        return insert_chunk(ctx, rows, n, import_id, r, inserted, updated);
    enum kam_err rc = KAM_OK;
    for (size_t at = 0; at < n && !rc; at += SAVEPOINT_ROWS)
        rc = copy_part(ctx, rows + at, n - at < SAVEPOINT_ROWS ? n - at : SAVEPOINT_ROWS, import_id,
                       bulk && bulk->idx.n > 0, r, inserted, updated);
    return rc;
}
