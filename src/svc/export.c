/* export.c -- CSV (RFC 4180, formula-neutralised) and XLSX (libxlsxwriter) rendering. */
#include "export.h"

#include "base/jw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

void export_init(struct export_table *t, struct kam_ctx *ctx, const char *title,
                 const char **header, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->title = title;
    t->header = header;
    t->ncols = ncols;
    t->cap = 64;
    t->cells = arena_calloc(ctx->a, t->cap * ncols, sizeof *t->cells);
}

struct export_cell *export_row(struct export_table *t, struct kam_ctx *ctx)
{
    if (t->nrows == t->cap) {
        struct export_cell *c = arena_calloc(ctx->a, t->cap * 2 * t->ncols, sizeof *c);
        memcpy(c, t->cells, t->nrows * t->ncols * sizeof *c);
        t->cells = c;
        t->cap *= 2;
    }
    return &t->cells[t->nrows++ * t->ncols];
}

void export_csv_field(struct buf *b, const char *s)
{
    int formula = *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
    buf_putc(b, '"');
    if (formula)
        buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static void render_csv(const struct export_table *t, struct buf *out)
{
    buf_puts(out, "\xEF\xBB\xBF"); /* a BOM: spreadsheets then read the UTF-8 as UTF-8 */
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            buf_putc(out, ',');
        export_csv_field(out, t->header[c]);
    }
    buf_puts(out, "\r\n");
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const struct export_cell *x = &t->cells[r * t->ncols + c];
            if (c)
                buf_putc(out, ',');
            if (x->text) {
                export_csv_field(out, x->text);
            } else {
                char num[JW_FIXED_MAX];
                buf_append(out, num, jw_format_fixed(num, x->num, x->decimals, 0));
            }
        }
        buf_puts(out, "\r\n");
    }
}

static enum kam_err render_xlsx(struct kam_ctx *ctx, const struct export_table *t, struct buf *out)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/kam-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return kam_fail(ctx->err, KAM_EIO, "", "cannot create a temporary file");
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        return kam_fail(ctx->err, KAM_EIO, "", "cannot start the workbook");
    }
    char sheet[32];
    snprintf(sheet, sizeof sheet, "%.31s", t->title ? t->title : "KAM");
    for (char *p = sheet; *p; p++)
        if (strchr("[]:*?/\\", *p))
            *p = '_';
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *fmt[4];
    static const char *const num_fmt[4] = {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000"};
    for (int i = 0; i < 4; i++) {
        fmt[i] = workbook_add_format(wb);
        format_set_num_format(fmt[i], num_fmt[i]);
    }
    for (size_t c = 0; c < t->ncols; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, t->header[c], bold);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c ? 14 : 24, NULL);
    }
    for (size_t r = 0; r < t->nrows && r < 1048575; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const struct export_cell *x = &t->cells[r * t->ncols + c];
            if (x->text) {
                /* Strings, never formulas: worksheet_write_string stores text as text. */
                worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, x->text, NULL);
            } else {
                double v = (double)x->num;
                for (int i = 0; i < x->decimals; i++)
                    v /= 10;
                int d = x->decimals < 0 ? 0 : x->decimals > 3 ? 3 : x->decimals;
                worksheet_write_number(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, v, fmt[d]);
            }
        }
    lxw_error err = workbook_close(wb);
    enum kam_err rc = KAM_OK;
    if (err != LXW_NO_ERROR) {
        rc = kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be written: %s",
                      lxw_strerror(err));
    } else {
        FILE *f = fopen(path, "rb");
        char chunk[65536];
        size_t n;
        while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_append(out, chunk, n);
        if (!f || ferror(f) || !buf_ok(out))
            rc = kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
        if (f)
            fclose(f);
    }
    unlink(path);
    return rc;
}

enum kam_err export_render(struct kam_ctx *ctx, const struct export_table *t, const char *format,
                           struct buf *out, const char **content_type)
{
    if (format && !strcmp(format, "xlsx")) {
        *content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        return render_xlsx(ctx, t, out);
    }
    if (format && strcmp(format, "csv"))
        return kam_fail(ctx->err, KAM_EINVAL, "format", "format must be csv or xlsx");
    *content_type = "text/csv; charset=utf-8";
    render_csv(t, out);
    if (!buf_ok(out))
        return kam_fail(ctx->err, KAM_ETOOBIG, "", "the export is too large");
    return KAM_OK;
}
