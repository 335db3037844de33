/* export.c -- CSV (RFC 4180, formula-neutralised) and XLSX (libxlsxwriter) rendering. */
#include "export.h"

#include "base/jw.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

enum kam_err export_pick(struct kam_ctx *ctx, struct export_table *t, const char *spec)
{
    if (!spec || !*spec)
        return KAM_OK;
    enum { MAX_PICK = 200 };
    size_t idx[MAX_PICK], n = 0;
    const char **header = arena_calloc(ctx->a, MAX_PICK, sizeof *header);
    char *s = arena_strdup(ctx->a, spec);
    for (char *item = s; item;) {
        char *next = strchr(item, ',');
        if (next)
            *next++ = 0;
        char *label = strchr(item, ':');
        if (label)
            *label++ = 0;
        while (*item == ' ')
            item++;
        if (*item) {
            size_t c = 0;
            while (c < t->ncols && strcmp(t->header[c], item) != 0)
                c++;
            if (c == t->ncols)
                return kam_fail(ctx->err, KAM_EINVAL, "columns", "unknown column %.60s", item);
            if (n == MAX_PICK)
                return kam_fail(ctx->err, KAM_EINVAL, "columns", "at most %d columns", MAX_PICK);
            idx[n] = c;
            header[n++] = label && *label ? label : t->header[c];
        }
        item = next;
    }
    if (!n)
        return kam_fail(ctx->err, KAM_EINVAL, "columns", "columns names no column");
    struct export_cell *cells = arena_calloc(ctx->a, (t->nrows ? t->nrows : 1) * n, sizeof *cells);
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t k = 0; k < n; k++)
            cells[r * n + k] = t->cells[r * t->ncols + idx[k]];
    t->header = header;
    t->ncols = n;
    t->cells = cells;
    t->cap = t->nrows ? t->nrows : 1;
    return KAM_OK;
}

/* OWASP's list (= + - @ tab CR first) and what spreadsheets also take for a formula: the same
 * signs after leading white space (Excel and LibreOffice skip it), a leading LF, and the
 * full-width signs that CJK input methods type. */
int export_formula_like(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (*p == '\t' || *p == '\r' || *p == '\n')
        return 1;
    for (;;) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')
            p++;
        else if (p[0] == 0xc2 && p[1] == 0xa0) /* U+00A0 no-break space */
            p += 2;
        else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) /* U+3000 ideographic space */
            p += 3;
        else
            break;
    }
    if (*p == '=' || *p == '+' || *p == '-' || *p == '@')
        return 1;
    /* U+FF1D = U+FF0B + U+FF0D - U+FF20 @ */
    return p[0] == 0xef && p[1] == 0xbc &&
           (p[2] == 0x9d || p[2] == 0x8b || p[2] == 0x8d || p[2] == 0xa0);
}

void export_csv_field(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    if (export_formula_like(s))
        buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

/* The code point of the valid UTF-8 sequence s[0..len). */
static uint32_t decode(const unsigned char *s, size_t len)
{
    if (len == 1)
        return s[0];
    uint32_t cp = s[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    return cp;
}

/* Excel's rules: no [ ] : * ? / \, no apostrophe first or last, 1 to 31 UTF-16 units, not
 * "History". Controls and U+FFFE/U+FFFF cannot be written in XML at all. */
void export_sheet_name(const char *title, char out[EXPORT_SHEET_BYTES])
{
    const unsigned char *s = (const unsigned char *)(title ? title : "");
    size_t n = strlen((const char *)s), i = 0, o = 0, units = 0;
    while (i < n && s[i] == '\'')
        i++;
    while (i < n) {
        size_t len = utf8_seq_len(s + i, n - i);
        uint32_t cp = len ? decode(s + i, len) : 0xfffd;
        size_t u = cp > 0xffff ? 2 : 1;
        if (units + u > EXPORT_SHEET_UNITS)
            break; /* the cut falls on a character boundary: a pair is never split */
        if (!len || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff ||
            (cp < 0x80 && strchr("[]:*?/\\", (int)cp))) {
            out[o++] = '_';
        } else {
            memcpy(out + o, s + i, len);
            o += len;
        }
        units += u;
        i += len ? len : 1;
    }
    while (o > 0 && out[o - 1] == '\'')
        o--;
    out[o] = 0;
    if (!o)
        strcpy(out, "KAM");
    else if (strcasecmp(out, "History") == 0)
        strcpy(out + o, "_");
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

/* A libxlsxwriter failure as a KAM error: a cell too long for Excel is the data's fault (413,
 * the CSV has no such limit); anything else is the server's (5xx, the reason in the log). */
static enum kam_err xlsx_failed(struct kam_ctx *ctx, const char *what, lxw_error err)
{
    if (err == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
        return kam_fail(ctx->err, KAM_ETOOBIG, "format",
                        "a cell is longer than the 32767 characters of an .xlsx cell; ask for "
                        "format=csv");
    return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be written (%s): %s", what,
                    lxw_strerror(err));
}

/* A format, or NULL with the error set. */
static lxw_format *new_format(struct kam_ctx *ctx, lxw_workbook *wb)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        xlsx_failed(ctx, "a format", LXW_ERROR_MEMORY_MALLOC_FAILED);
    return f;
}

/* The sheet of t in wb; every call of the library is checked. */
static enum kam_err fill_sheet(struct kam_ctx *ctx, const struct export_table *t, lxw_workbook *wb)
{
    char name[EXPORT_SHEET_BYTES];
    export_sheet_name(t->title, name);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "libxlsxwriter refused the sheet name \"%s\"",
                        name);
    lxw_format *bold = new_format(ctx, wb), *fmt[4];
    if (!bold)
        return ctx->err->code;
    format_set_bold(bold);
    static const char *const num_fmt[4] = {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000"};
    for (int i = 0; i < 4; i++) {
        if (!(fmt[i] = new_format(ctx, wb)))
            return ctx->err->code;
        format_set_num_format(fmt[i], num_fmt[i]);
    }
    lxw_error err;
    for (size_t c = 0; c < t->ncols; c++)
        if ((err = worksheet_write_string(ws, 0, (lxw_col_t)c, t->header[c], bold)) ||
            (err = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c ? 14 : 24, NULL)))
            return xlsx_failed(ctx, "the header", err);
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const struct export_cell *x = &t->cells[r * t->ncols + c];
            if (x->text) {
                /* Strings, never formulas: a string cell is text to every spreadsheet, so it
                 * is written as it is (no apostrophe, unlike the CSV). */
                err = worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, x->text, NULL);
            } else {
                double v = (double)x->num;
                for (int i = 0; i < x->decimals; i++)
                    v /= 10;
                int d = x->decimals < 0 ? 0 : x->decimals > 3 ? 3 : x->decimals;
                err = worksheet_write_number(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, v, fmt[d]);
            }
            if (err)
                return xlsx_failed(ctx, "a cell", err);
        }
    return KAM_OK;
}

/* Appends the file at path to out. */
static enum kam_err read_back(struct kam_ctx *ctx, const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return kam_fail(ctx->err, KAM_EIO, "", "the workbook could not be read back");
    if (!buf_ok(out))
        return kam_fail(ctx->err, KAM_ETOOBIG, "format", "the export is too large");
    return KAM_OK;
}

static enum kam_err render_xlsx(struct kam_ctx *ctx, const struct export_table *t, struct buf *out)
{
    /* The header takes the first of a worksheet's rows. */
    if (t->nrows >= LXW_ROW_MAX || t->ncols > LXW_COL_MAX)
        return kam_fail(ctx->err, KAM_ETOOBIG, "format",
                        "%zu rows of %zu columns do not fit a worksheet (%d rows with the header, "
                        "%d columns); ask for format=csv",
                        t->nrows, t->ncols, LXW_ROW_MAX, LXW_COL_MAX);
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
    enum kam_err rc = fill_sheet(ctx, t, wb);
    if (rc) {
        lxw_workbook_free(wb); /* frees without writing */
    } else {
        lxw_error err = workbook_close(wb); /* writes the file and frees, also on failure */
        rc = err ? xlsx_failed(ctx, "closing", err) : read_back(ctx, path, out);
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
