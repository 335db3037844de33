/* rows.c -- reading one record, reading a page. */
#include "rows.h"
#include "store/db.h"

#include <string.h>

enum kam_err row_get(struct kam_ctx *ctx, const char *sql, int64_t id, row_reader read, void *out,
                     const char *what)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        read(ctx, st, out);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such %s", what);
    return rc;
}

enum kam_err rows_collect(struct kam_ctx *ctx, struct db_stmt *st, size_t max, row_reader read,
                          size_t size, void **items_out, size_t *n_out)
{
    /* max is a bound, not a size: the array grows by doubling (old copies stay in the arena,
     * under the final size in all), so a generous bound costs nothing when few rows come. */
    size_t cap = max < 16 ? (max ? max : 1) : 16;
    unsigned char *items = arena_calloc(ctx->a, cap, size);
    size_t n = 0;
    int row = 0;
    enum kam_err rc;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < max) {
        if (n == cap) {
            size_t grown = cap > max / 2 ? max : cap * 2;
            unsigned char *more = arena_calloc(ctx->a, grown, size);
            memcpy(more, items, n * size);
            items = more;
            cap = grown;
        }
        read(ctx, st, items + n++ * size);
    }
    db_done(st);
    *items_out = items;
    *n_out = n;
    return rc;
}

enum kam_err row_i64_text(struct kam_ctx *ctx, const char *sql, const char *text, int64_t *out)
{
    *out = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, text);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *out = db_col_i64(st, 0);
    db_done(st);
    return rc ? rc : row ? KAM_OK : KAM_ENOTFOUND;
}
