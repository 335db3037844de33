/* export_stream.h -- a table written row by row into a temporary file without a name (issue 12).
 *
 * export_render (export.h) builds a whole table in memory; an export of a list of any length
 * streams instead: open, header, row after row, finish. The memory used does not grow with
 * the rows: CSV goes through a stdio buffer into the file; .xlsx through libxlsxwriter's
 * constant_memory mode (each row is flushed to its temporary file when the next begins), the
 * workbook being zipped into the file at finish. Cells are written exactly as export_render
 * writes them: CSV text cells that a spreadsheet could take for a formula
 * (export_formula_like) get a leading apostrophe, .xlsx text is typed string cells, numbers
 * are numbers with their decimals. finish hands over the file's descriptor (positioned at 0)
 * and size; the file never has a name (O_TMPFILE, else a temporary file unlinked at once; the
 * .xlsx is written by libxlsxwriter through /proc/self/fd/N), so nothing in TMPDIR shows it, and
 * it disappears when the descriptor (closed on exec) is closed. */
#ifndef KAM_EXPORT_STREAM_H
#define KAM_EXPORT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctx.h"
#include "export.h"

/* Data rows an .xlsx sheet holds below its header row. */
#define EXPORT_XLSX_MAX_ROWS 1048575u
#define EXPORT_MAX_COLS 200

struct export_stream {
    struct kam_ctx *ctx;
    int xlsx;
    size_t ncols;
    uint64_t rows; /* data rows written */
    FILE *f;       /* CSV: the nameless file */
    int fd;        /* .xlsx: the nameless file (-1 when none) */
    char path[64]; /* .xlsx: its /proc/self/fd path, which libxlsxwriter opens */
    void *wb, *ws, *bold, *fmt[4];
    struct buf line; /* CSV: one row */
};

/* The data rows an .xlsx export may hold: EXPORT_XLSX_MAX_ROWS, or a smaller
 * KAM_EXPORT_XLSX_ROWS from the environment (tests). */
unsigned export_xlsx_max_rows(void);

/* format "csv" (also NULL) or "xlsx" (else KAM_EINVAL on "format"); *content_type its MIME type
 * (may be NULL). title names the sheet (export_sheet_name). KAM_EIO when no temporary file. */
enum kam_err export_stream_open(struct export_stream *s, struct kam_ctx *ctx, const char *format,
                                const char *title, const char **content_type);
/* The header row: ncols (1..EXPORT_MAX_COLS) labels. Call once, before the rows. */
enum kam_err export_stream_header(struct export_stream *s, const char *const *labels, size_t ncols);
/* One data row of ncols cells. KAM_ETOOBIG (field "format") past EXPORT_XLSX_MAX_ROWS rows of
 * an .xlsx, or a cell longer than an .xlsx cell holds. */
enum kam_err export_stream_row(struct export_stream *s, const struct export_cell *cells);
/* Completes the file: *fd (the caller closes it) at offset 0, *size its bytes. Frees s's
 * resources whatever the outcome. */
enum kam_err export_stream_finish(struct export_stream *s, int *fd, uint64_t *size);
/* Drops an unfinished stream (any state after open, also after a failed call). */
void export_stream_abort(struct export_stream *s);

#endif
