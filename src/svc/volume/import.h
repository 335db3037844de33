/* import.h -- loading CSV files of order lines, products and accounts.
 *
 * One entry point for `kam import` and POST /api/v1/imports/{kind}. The file is UTF-8 CSV
 * (RFC 4180, parsed by libcsv) with a header row; columns are found by their canonical names or
 * through a mapping "field=Header,field=Header". Every row is checked (the report names row,
 * column and reason; the header is row 1). By default the load is all or nothing: one bad row
 * and nothing is written. With skip_bad_rows the good rows load and the bad ones go to the
 * reject file with a trailing "error" column. Loading a row again (same external_id / sku /
 * code) updates it. Every run is recorded in import_runs with its report; order lines carry
 * the run's id, products and accounts are audited row by row.
 *
 * Every row has as many fields as the header (an unquoted "1,234.50" is two fields, so it is
 * refused, never read as 1). Importing takes the import right (admin, director, finance) and
 * the right to write what the kind writes (import_run). Codes resolve only to accounts the
 * caller may read: any other code is "no account" like an unknown one. */
#ifndef KAM_IMPORT_H
#define KAM_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "svc/core/ctx.h"

#define IMPORT_MAX_PROBLEMS 1000 /* kept in the report; all are counted */
/* The rows one file may hold unless the caller is an admin (`kam import` runs as one): a
 * bigger file is refused whole with a problem naming the limit; nothing is loaded. */
#define IMPORT_MAX_ROWS_ROLE 200000

struct import_problem {
    int64_t row;
    const char *column;         /* canonical field name, "" for the row or file */
    const char *reason;         /* English */
    const char *key;            /* message key ("import.bad_date", svc/core/msg.c); "" when none */
    struct kam_param params[3]; /* value, n, max: as the key needs */
    size_t nparams;
};

struct import_opts {
    const char *kind; /* orders | products | accounts */
    const char *filename;
    const char *mapping; /* NULL or "field=Header,..." */
    /* How the file's bytes are read (svc/volume/import_read.h): .xlsx (sheet: NULL = the
     * first), or text in `encoding` (NULL = detected) */
    const char *encoding, *sheet;
    int dry_run, skip_bad_rows;
    int no_price_check; /* orders: leave the price check out (kam import --no-price-check) */
    FILE *reject;       /* bad rows with skip_bad_rows; NULL = not written */
    /* Called every few thousand rows and at the end. */
    void (*progress)(void *arg, size_t bytes_done, size_t bytes_total, int64_t rows);
    void *progress_arg;
};

/* An order row below the engine's price or without one (svc/offers/price_check.h). */
struct import_price_row {
    int64_t row;
    const char *external_id, *check, *currency; /* check: below | unpriced */
    int64_t amount, engine_amount;              /* the line's and the engine's, line currency */
    int has_engine;
};

struct import_report {
    int64_t id; /* the import run, 0 for a dry run */
    const char *kind;
    const char *status; /* loaded | rejected | checked */
    int64_t rows_total, rows_inserted, rows_updated, rows_rejected, problems_total;
    struct import_problem *problems; /* first IMPORT_MAX_PROBLEMS, in ctx->a */
    size_t nproblems;
    int64_t started_at, finished_at;
    const char *report_json; /* import_get / import_list: the stored report (first 200) */
    const char *filename;    /* as the caller named the file ("" when not given) */
    int64_t user_id;         /* who ran it (0: a CLI run without a user) */
    const char *user_name;   /* their display name ("" when none) */
    /* How the file was read (import_read.h; "" for a run from before migration 0018 and for a
     * file that could not be read): csv | tsv | xlsx, the encoding and what detection found,
     * the sheet of an .xlsx */
    const char *format, *encoding, *detected, *sheet;
    /* Where the time went, in microseconds (kam import prints it; not stored): reading and
     * decoding the file, checking and writing the rows (the writer thread overlaps the two),
     * rebuilding dropped indexes, the rollups, the commit. */
    int64_t us_read, us_load, us_indexes, us_rollups, us_commit;
    /* Orders: the price check of every row (docs/PRICING.md "Prices on order lines"): rows
     * below the engine's price and rows it has no price for (the first IMPORT_MAX_PROBLEMS
     * named in prices, all counted); has_prices 0 for a run read back (not stored). us_price:
     * the time the check took (in us_load). */
    int has_prices;
    int64_t price_below, price_unpriced;
    struct import_price_row *prices;
    size_t nprices;
    int64_t us_price;
};

/* Loads data[0..len). KAM_OK when the file loaded (or, for a dry run, would load); KAM_EINVAL
 * (field "file") when it was rejected -- *out holds the report in both cases. Other errors
 * come back as usual with *out partly filled: KAM_EDB, KAM_EINVAL for the options, and
 * KAM_EFORBIDDEN (field "kind") unless the caller holds the import right (OBJ_IMPORT create)
 * and, for orders, the right to create and change every sales line; for products, every
 * product; for accounts, to create and change accounts (each existing account in the file is
 * then changed only where the caller may: a row problem otherwise). */
enum kam_err import_run(struct kam_ctx *ctx, const struct import_opts *o, const char *data,
                        size_t len, struct import_report *out);

/* Reads an import run back. */
enum kam_err import_get(struct kam_ctx *ctx, int64_t id, struct import_report *out);

struct import_query {
    const char *kind, *cursor;
    int64_t limit;
};
enum kam_err import_list(struct kam_ctx *ctx, const struct import_query *q,
                         struct import_report **items_out, size_t *n_out, const char **next_out);

/* The canonical header of a kind ("external_id,date,..."), NULL if the kind is unknown. */
const char *import_header(const char *kind);

#endif
