/* rows.h -- the two loops every service repeats: read one record by id, and read a page of
 * records into an array. A row_reader turns the current row of a statement into a struct. */
#ifndef KAM_ROWS_H
#define KAM_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

typedef void (*row_reader)(struct kam_ctx *ctx, struct db_stmt *st, void *out);

/* Runs sql (one `?`: id) and reads its first row into out; KAM_ENOTFOUND (field "id",
 * "no such <what>") when there is none. */
enum kam_err row_get(struct kam_ctx *ctx, const char *sql, int64_t id, row_reader read, void *out,
                     const char *what);

/* db_query_i64 for a text key: runs sql (one `?`: text) and reads column 0 of its first row
 * into *out; KAM_ENOTFOUND without a message when there is none (callers say what a missing
 * row means). *out is 0 after any error. */
enum kam_err row_i64_text(struct kam_ctx *ctx, const char *sql, const char *text, int64_t *out);

/* Steps st to its end (at most max rows) reading each row into a new array of elements of
 * `size` bytes in ctx->a; finishes st (db_done) in every case. The array grows with the rows
 * read: max bounds it, it is not allocated up front. */
enum kam_err rows_collect(struct kam_ctx *ctx, struct db_stmt *st, size_t max, row_reader read,
                          size_t size, void **items_out, size_t *n_out);

#endif
