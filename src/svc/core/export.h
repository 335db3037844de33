/* export.h -- tables as CSV or Excel (.xlsx) files for download.
 *
 * A service fills a struct export_table (a header row, then rows of text or number cells) and
 * export_render() turns it into the bytes of a file. CSV text cells that a spreadsheet could
 * run as a formula (export_formula_like) get a leading apostrophe; numbers are written as
 * numbers. XLSX is written by libxlsxwriter (through a temporary file, which is how the library
 * works): text as typed string cells, which no spreadsheet evaluates, so they are kept exact;
 * numbers as numbers with their decimals; the sheet is named after the title, made into a name
 * Excel accepts (export_sheet_name). A failure of the library is an error, never a crash. */
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

/* "csv" (also for NULL) or "xlsx" into out (the caller releases it); *content_type the MIME
 * type. KAM_EINVAL (field "format") for another format; KAM_ETOOBIG (field "format") when the
 * file outgrows out, or an .xlsx would need more rows or columns than a worksheet has or a cell
 * longer than 32767 characters; KAM_EIO when the temporary file or libxlsxwriter fails. */
enum kam_err export_render(struct kam_ctx *ctx, const struct export_table *t, const char *format,
                           struct buf *out, const char **content_type);

/* Keeps the columns spec names, in its order: "key[:label],..." over the table's header keys
 * (a label replaces the header text). NULL or "" keeps all. An unknown key or more than
 * 200 columns: KAM_EINVAL on "columns". */
enum kam_err export_pick(struct kam_ctx *ctx, struct export_table *t, const char *spec);

/* The CSV text of one cell value as export_render writes it (neutralised, quoted). */
void export_csv_field(struct buf *b, const char *s);

/* 1 if a spreadsheet opening a CSV could take the text s for a formula: it starts with a tab,
 * CR or LF, or with = + - @ (or their full-width forms) after any leading white space. */
int export_formula_like(const char *s);

#define EXPORT_SHEET_UNITS 31  /* Excel's limit, in UTF-16 code units */
#define EXPORT_SHEET_BYTES 128 /* 31 units are at most 93 bytes of UTF-8, + a suffix and NUL */

/* A worksheet name Excel accepts, made from title (NULL or any bytes) into out: the characters
 * [ ] : * ? / \ and controls (and bytes that are not UTF-8) become '_', apostrophes at either
 * end are dropped, the name is cut to 31 UTF-16 units on a character boundary, an empty name
 * becomes "KAM" and the reserved "History" (any case) "History_". Never fails. (A workbook of
 * one sheet cannot hold a duplicate name.) */
void export_sheet_name(const char *title, char out[EXPORT_SHEET_BYTES]);

#endif
