/* export.h -- tables as CSV or Excel (.xlsx) files for download.
 *
 * A service fills a struct export_table (a header row, then rows of text or number cells) and
 * export_render() turns it into the bytes of a file. CSV cells that start with = + - @ (or a
 * tab or carriage return) get a leading apostrophe so a spreadsheet does not run them as
 * formulas; numbers are written as numbers. XLSX is written by libxlsxwriter (through a
 * temporary file, which is how the library works), numbers as numbers with their decimals. */
#ifndef KAM_EXPORT_H
#define KAM_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ctx.h"

struct export_cell {
    const char *text; /* NULL: a number */
    int64_t num;      /* scaled by 10^decimals */
    int decimals;
};

struct export_table {
    const char *title; /* the sheet name */
    const char **header;
    size_t ncols;
    struct export_cell *cells; /* nrows * ncols, row-major */
    size_t nrows, cap;
};

void export_init(struct export_table *t, struct kam_ctx *ctx, const char *title,
                 const char **header, size_t ncols);
/* Appends a row; returns its cells (ncols, zeroed) to fill. */
struct export_cell *export_row(struct export_table *t, struct kam_ctx *ctx);

/* "csv" or "xlsx" into out (the caller releases it); *content_type the MIME type. */
enum kam_err export_render(struct kam_ctx *ctx, const struct export_table *t, const char *format,
                           struct buf *out, const char **content_type);

/* The CSV text of one cell value as export_render writes it (neutralised, quoted). */
void export_csv_field(struct buf *b, const char *s);

#endif
