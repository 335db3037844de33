/* export_stream.c -- CSV and constant-memory .xlsx files written row by row. */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp */
#include "export_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/jw.h"

static const char *tmp_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

unsigned export_xlsx_max_rows(void)
{
    static unsigned cap;
    if (!cap) {
        /* KAM_EXPORT_XLSX_ROWS: a smaller cap, for tests only */
        const char *e = getenv("KAM_EXPORT_XLSX_ROWS");
        long v = e ? strtol(e, NULL, 10) : 0;
        cap = v > 0 && v < (long)EXPORT_XLSX_MAX_ROWS ? (unsigned)v : EXPORT_XLSX_MAX_ROWS;
    }
    return cap;
}

/* A file without a name, closed on exec: O_TMPFILE where the file system has it, else a
 * mkostemp file unlinked at once. -1 on failure (errno set). */
static int nameless_file(void)
{
    int fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    char path[512];
    snprintf(path, sizeof path, "%s/kam-export-XXXXXX", tmp_dir());
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static enum kam_err lxw_failed(struct kam_ctx *ctx, const char *what, lxw_error err)
{
    if (err == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
        return kam_fail(ctx->err, KAM_ETOOBIG, "format",
                        "a cell is longer than the 32767 characters of an .xlsx cell; ask for "
                        "format=csv");
    return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be written (%s): %s", what,
                    lxw_strerror(err));
}

enum kam_err export_stream_open(struct export_stream *s, struct kam_ctx *ctx, const char *format,
                                const char *title, const char **content_type)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->ctx = ctx;
    if (format && strcmp(format, "csv") && strcmp(format, "xlsx"))
        return kam_fail(ctx->err, KAM_EINVAL, "format", "format must be csv or xlsx");
    s->xlsx = format && !strcmp(format, "xlsx");
    if (content_type)
        *content_type = s->xlsx
                            ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            : "text/csv; charset=utf-8";
    int fd = nameless_file();
    if (fd < 0)
        return kam_fail(ctx->err, KAM_EIO, "", "cannot create a temporary file: %s",
                        strerror(errno));
    if (!s->xlsx) {
        s->f = fdopen(fd, "w+b");
        if (!s->f) {
            close(fd);
            return kam_fail(ctx->err, KAM_EIO, "", "cannot open the temporary file");
        }
        buf_init(&s->line, 16u << 20);
        fputs("\xEF\xBB\xBF", s->f); /* a BOM: spreadsheets then read the UTF-8 as UTF-8 */
        return KAM_OK;
    }
    /* libxlsxwriter writes the workbook to a path: the nameless file's, through /proc */
    s->fd = fd;
    snprintf(s->path, sizeof s->path, "/proc/self/fd/%d", fd);
    lxw_workbook_options opt = {
        .constant_memory = LXW_TRUE, .tmpdir = (char *)tmp_dir(), .use_zip64 = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(s->path, &opt);
    if (!wb) {
        export_stream_abort(s);
        return kam_fail(ctx->err, KAM_EIO, "", "cannot start the workbook");
    }
    s->wb = wb;
    char name[EXPORT_SHEET_BYTES];
    export_sheet_name(title, name);
    s->ws = workbook_add_worksheet(wb, name);
    lxw_format *bold = workbook_add_format(wb);
    if (!s->ws || !bold) {
        export_stream_abort(s);
        return kam_fail(ctx->err, KAM_EIO, "", "cannot start the worksheet");
    }
    format_set_bold(bold);
    s->bold = bold;
    static const char *const num_fmt[4] = {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000"};
    for (int i = 0; i < 4; i++) {
        lxw_format *f = workbook_add_format(wb);
        if (!f) {
            export_stream_abort(s);
            return kam_fail(ctx->err, KAM_EIO, "", "cannot start the worksheet");
        }
        format_set_num_format(f, num_fmt[i]);
        s->fmt[i] = f;
    }
    return KAM_OK;
}

static enum kam_err csv_flush_line(struct export_stream *s)
{
    if (!buf_ok(&s->line))
        return kam_fail(s->ctx->err, KAM_ETOOBIG, "", "a row of the export is too large");
    if (fwrite(s->line.data, 1, s->line.len, s->f) != s->line.len)
        return kam_fail(s->ctx->err, KAM_EIO, "", "the export could not be written: %s",
                        strerror(errno));
    buf_reset(&s->line);
    return KAM_OK;
}

enum kam_err export_stream_header(struct export_stream *s, const char *const *labels, size_t ncols)
{
    if (ncols < 1 || ncols > EXPORT_MAX_COLS)
        return kam_fail(s->ctx->err, KAM_EINVAL, "columns", "an export has 1 to %d columns",
                        EXPORT_MAX_COLS);
    s->ncols = ncols;
    if (!s->xlsx) {
        for (size_t c = 0; c < ncols; c++) {
            if (c)
                buf_putc(&s->line, ',');
            export_csv_field(&s->line, labels[c]);
        }
        buf_puts(&s->line, "\r\n");
        return csv_flush_line(s);
    }
    lxw_error err;
    for (size_t c = 0; c < ncols; c++)
        if ((err = worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, c ? 14 : 24, NULL)))
            return lxw_failed(s->ctx, "the header", err);
    for (size_t c = 0; c < ncols; c++)
        if ((err = worksheet_write_string(s->ws, 0, (lxw_col_t)c, labels[c], s->bold)))
            return lxw_failed(s->ctx, "the header", err);
    return KAM_OK;
}

enum kam_err export_stream_row(struct export_stream *s, const struct export_cell *cells)
{
    if (!s->xlsx) {
        for (size_t c = 0; c < s->ncols; c++) {
            const struct export_cell *x = &cells[c];
            if (c)
                buf_putc(&s->line, ',');
            if (x->text) {
                export_csv_field(&s->line, x->text);
            } else {
                char num[JW_FIXED_MAX];
                buf_append(&s->line, num, jw_format_fixed(num, x->num, x->decimals, 0));
            }
        }
        buf_puts(&s->line, "\r\n");
        s->rows++;
        return csv_flush_line(s);
    }
    if (s->rows >= export_xlsx_max_rows()) {
        char max[24], n[24];
        snprintf(max, sizeof max, "%u", export_xlsx_max_rows());
        snprintf(n, sizeof n, "%u+", export_xlsx_max_rows());
        return kam_fail_key(s->ctx->err, KAM_ETOOBIG, "format", "export.too_many_rows",
                            (const struct kam_param[]){{"n", n}, {"max", max}, {0, 0}},
                            "more than %s rows do not fit an .xlsx worksheet; ask for format=csv "
                            "or narrow the filters",
                            max);
    }
    lxw_row_t r = (lxw_row_t)(s->rows + 1);
    for (size_t c = 0; c < s->ncols; c++) {
        const struct export_cell *x = &cells[c];
        lxw_error err;
        if (x->text) {
            /* A string cell is text to every spreadsheet, never a formula: written as it is. */
            err = *x->text ? worksheet_write_string(s->ws, r, (lxw_col_t)c, x->text, NULL)
                           : LXW_NO_ERROR;
        } else {
            double v = (double)x->num;
            for (int i = 0; i < x->decimals; i++)
                v /= 10;
            int d = x->decimals < 0 ? 0 : x->decimals > 3 ? 3 : x->decimals;
            err = worksheet_write_number(s->ws, r, (lxw_col_t)c, v, s->fmt[d]);
        }
        if (err)
            return lxw_failed(s->ctx, "a cell", err);
    }
    s->rows++;
    return KAM_OK;
}

static void release(struct export_stream *s)
{
    if (s->f)
        fclose(s->f);
    s->f = NULL;
    if (s->wb)
        lxw_workbook_free(s->wb); /* frees without writing */
    s->wb = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->path[0] = 0;
    buf_release(&s->line);
}

void export_stream_abort(struct export_stream *s)
{
    release(s);
}

enum kam_err export_stream_finish(struct export_stream *s, int *fd, uint64_t *size)
{
    struct kam_ctx *ctx = s->ctx;
    *fd = -1;
    int out = -1;
    if (!s->xlsx) {
        if (fflush(s->f) != 0) {
            release(s);
            return kam_fail(ctx->err, KAM_EIO, "", "the export could not be written");
        }
        out = fcntl(fileno(s->f), F_DUPFD_CLOEXEC, 0);
    } else {
        lxw_error err = workbook_close(s->wb); /* writes the file and frees, also on failure */
        s->wb = NULL;
        if (err) {
            release(s);
            return lxw_failed(ctx, "closing", err);
        }
        out = s->fd; /* the nameless file, written through its /proc path */
        s->fd = -1;
    }
    release(s);
    struct stat st;
    if (out < 0 || fstat(out, &st) != 0 || lseek(out, 0, SEEK_SET) != 0) {
        if (out >= 0)
            close(out);
        return kam_fail(ctx->err, KAM_EIO, "", "the export could not be read back");
    }
    *fd = out;
    *size = (uint64_t)st.st_size;
    return KAM_OK;
}
