/* sales_bulk.h -- the bulk write of an import's order lines: COPY where the engine has it (the
 * storage layer's db_bulk_*), rows sorted by external id, secondary indexes dropped and built
 * again when the load is large next to the table (SQLite). */
#ifndef KAM_SALES_BULK_H
#define KAM_SALES_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "rollup.h"
#include "sales.h"
#include "store/db.h"
#include "svc/core/ctx.h"

/* A load's state between sales_bulk_start and sales_bulk_finish. */
struct sales_bulk {
    struct db_saved_indexes idx; /* the indexes dropped for the load */
    int started;
};

/* Big loads: the secondary indexes of order_lines are dropped when about rows_expected lines
 * are coming and they are many next to the lines there are (at least SALES_BULK_MIN_ROWS and a
 * third of the table); sales_bulk_finish builds them again. Inside the import's transaction, so
 * a failed import rolls the drop back with everything else. */
#define SALES_BULK_MIN_ROWS 50000
enum kam_err sales_bulk_start(struct kam_ctx *ctx, int64_t rows_expected, struct sales_bulk *b);
enum kam_err sales_bulk_finish(struct kam_ctx *ctx, struct sales_bulk *b);

/* Sorts rows by external id (the unique index is then filled in order), unless they are. */
void sales_bulk_sort(struct order_row *rows, size_t n);

/* Adds (sign +1) or takes back (-1) the rows' contributions to the rollup r. */
void sales_bulk_count(struct rollup *r, const struct order_row *rows, size_t n, int sign);

/* sales_write_lines for an import (import_id > 0), for rows the caller has counted in r first
 * (sales_bulk_count, +1: it can do that away from the connection, e.g. in another thread). The
 * rows (reordered: sorted by external id unless sales_bulk_sort was called) go in with bulk
 * loads, each inside a savepoint; if one of them exists already (a unique violation) that
 * savepoint is rolled back, its rows' counts are taken back out of r and they go through
 * sales_write_lines, which updates the existing ones and counts both versions. Same results
 * and counts as sales_write_lines; rows must not repeat an external id (the import refuses
 * repeats). bulk (may be NULL): the load's state; while it holds dropped indexes (the table is
 * the load's alone) the ids are given by the load from reserved blocks (db_reserve_ids). */
enum kam_err sales_bulk_lines(struct kam_ctx *ctx, const struct sales_bulk *bulk,
                              struct order_row *rows, size_t n, int64_t import_id, struct rollup *r,
                              int64_t *inserted, int64_t *updated);

#endif
