/* fuzz_xlsx.c -- libFuzzer target: the .xlsx reader of imports (svc/volume/import_read.c:
 * libzip + expat; shared and inline strings, styles, sheets, the caps).
 *
 * Input: the first byte picks a sheet by name ("" = the first, "Sheet2", "订单") and a mode.
 * Mode 0: the rest is read as the workbook's bytes (made to start with the zip signature).
 * Mode 1: the rest is split at "\n--\n" into xl/worksheets/sheet1.xml, xl/sharedStrings.xml,
 * xl/styles.xml and xl/workbook.xml (a default names two sheets), zipped here with libzip, so
 * the XML readers are fuzzed past the zip's checksums. Checks besides not
 * crashing: a read either fails with KAM_EINVAL naming "file" or "sheet" and a message key, or
 * gives UTF-8 CSV text that libcsv parses whole (every record no wider than the column cap +1),
 * with format "xlsx" and the sheet read among the sheets listed. */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"
#include "svc/core/ctx.h"
#include "svc/volume/import_read.h"

#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_xlsx: %s\n", what);
    abort();
}

struct count {
    int fields, max;
};

static void on_field(void *s, size_t n, void *arg)
{
    (void)s, (void)n;
    ((struct count *)arg)->fields++;
}

static void on_row(int c, void *arg)
{
    (void)c;
    struct count *k = arg;
    if (k->fields > k->max)
        k->max = k->fields;
    k->fields = 0;
}

/* A zip of the parts of data[0..n) (mode 1) in a malloc'd buffer; NULL if libzip fails. */
static uint8_t *zip_parts(const uint8_t *data, size_t n, size_t *len)
{
    static const char *const names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                        "xl/styles.xml", "xl/workbook.xml"};
    static const char wb[] =
        "<workbook xmlns:r=\"r\"><sheets><sheet name=\"Sheet1\" r:id=\"rId1\"/><sheet "
        "name=\"Sheet2\" r:id=\"rId2\"/></sheets></workbook>";
    static const char rels[] = "<Relationships><Relationship Id=\"rId1\" "
                               "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
                               "Target=\"/xl/sharedStrings.xml\"/></Relationships>";
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!z) {
        if (src)
            zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src);
    const uint8_t *p = data, *end = data + n;
    int have_wb = 0;
    for (int i = 0; i < 4 && p <= end; i++) {
        const uint8_t *q = p;
        while (q + 4 <= end && memcmp(q, "\n--\n", 4))
            q++;
        if (q + 4 > end)
            q = end;
        zip_source_t *part = zip_source_buffer(z, p, (zip_uint64_t)(q - p), 0);
        if (part && zip_file_add(z, names[i], part, ZIP_FL_OVERWRITE) < 0)
            zip_source_free(part);
        have_wb |= i == 3;
        p = q + 4;
    }
    zip_source_t *w = have_wb ? NULL : zip_source_buffer(z, wb, sizeof wb - 1, 0);
    if (w && zip_file_add(z, "xl/workbook.xml", w, 0) < 0)
        zip_source_free(w);
    zip_source_t *r = zip_source_buffer(z, rels, sizeof rels - 1, 0);
    if (r && zip_file_add(z, "xl/_rels/workbook.xml.rels", r, 0) < 0)
        zip_source_free(r);
    if (zip_close(z) < 0) {
        zip_discard(z);
        zip_source_free(src);
        return NULL;
    }
    uint8_t *out = NULL;
    zip_stat_t st;
    if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
        out = malloc(st.size ? st.size : 1);
        zip_int64_t got = out ? zip_source_read(src, out, st.size) : -1;
        zip_source_close(src);
        if (got < 0 || (zip_uint64_t)got != st.size) {
            free(out);
            out = NULL;
        }
        *len = (size_t)st.size;
    }
    zip_source_free(src);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const sheets[] = {"", "Sheet2", "\xE8\xAE\xA2\xE5\x8D\x95"};
    uint8_t *buf;
    size_t len = 0;
    if (size && data[0] & 0x80) {
        buf = zip_parts(data + 1, size - 1, &len);
        if (!buf)
            return 0;
    } else {
        buf = malloc(size + 4);
        if (!buf)
            return 0;
        memcpy(buf, "PK\x03\x04", 4);
        if (size > 1)
            memcpy(buf + 4, data + 1, size - 1);
        len = size > 1 ? size + 3 : 4;
    }
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e};
    struct import_read_opts o = {NULL, sheets[size ? (data[0] & 0x7f) % 3 : 0], "x.xlsx"};
    struct import_text t;
    enum kam_err rc = import_read(&ctx, &o, (const char *)buf, len, &t);
    if (getenv("FUZZ_XLSX_SHOW")) /* what an input reads as, for writing seeds */
        fprintf(stderr, "rc %d %s: %.*s\n", (int)rc, rc ? e.key : "", rc ? 0 : (int)t.len,
                rc ? "" : t.data);
    if (rc) {
        if (rc != KAM_EINVAL || (strcmp(e.field, "file") && strcmp(e.field, "sheet")) || !*e.key)
            bug("a failure that is not KAM_EINVAL on file/sheet with a key");
    } else {
        if (strcmp(t.format, "xlsx") || !t.sheet)
            bug("not read as xlsx");
        int listed = 0;
        for (size_t i = 0; i < t.nsheets; i++)
            listed |= !strcmp(t.sheets[i], t.sheet);
        if (!listed)
            bug("the sheet read is not listed");
        if (!utf8_valid(t.data, t.len))
            bug("the CSV is not UTF-8");
        struct csv_parser p;
        struct count k = {0, 0};
        csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
        if (csv_parse(&p, t.data, t.len, on_field, on_row, &k) != t.len ||
            csv_fini(&p, on_field, on_row, &k))
            bug("the CSV does not parse");
        csv_free(&p);
        if (k.max > IMPORT_XLSX_MAX_COLS + 1)
            bug("a record wider than the column cap");
        import_text_free(&t);
    }
    arena_release(&a);
    free(buf);
    return 0;
}
