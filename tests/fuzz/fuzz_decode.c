/* fuzz_decode.c -- libFuzzer target: the text side of import files (svc/volume/import_read.c:
 * encoding detection, iconv conversion, tab-separated text as CSV) and the value parsers of
 * svc/volume/import_parse.c.
 *
 * Input: the first byte picks the encoding named (none = detect, utf-8, gbk, gb18030, big5,
 * utf-16, utf-16le, utf-16be) and a file name hint; the rest is the file. Checks besides not
 * crashing: a read either fails with KAM_EINVAL on "encoding" or "file" with a message key, or
 * gives valid UTF-8 (text detected as UTF-8 may keep a few bad bytes: those rows are refused
 * one by one) without a leading byte order mark that libcsv parses whole, in format csv or
 * tsv; detection names a known encoding or none ("": unsure, the caller must name one). Then every
 * line of the input is given to the date, amount, currency and header parsers: a date read is a
 * real day, a currency read is three capital letters. */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "svc/core/ctx.h"
#include "svc/volume/import_parse.h"
#include "svc/volume/import_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_decode: %s\n", what);
    abort();
}

static void nop_field(void *s, size_t n, void *arg)
{
    (void)s, (void)n, (void)arg;
}

static void nop_row(int c, void *arg)
{
    (void)c, (void)arg;
}

static void values(const char *s, size_t n)
{
    int64_t v;
    if (!import_parse_date(s, n, &v)) {
        int y, m, d;
        days_to_date(v, &y, &m, &d);
        if (!date_valid(y, m, d) || y < 1899 || y > 9999)
            bug("a date read is not a real day");
    }
    (void)import_parse_decimal(s, n, 2, 1, &v);
    (void)import_parse_decimal(s, n, 3, 0, &v);
    char b[4];
    const char *c = import_currency(s, n, b);
    if (c && (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' ||
              c[2] < 'A' || c[2] > 'Z'))
        bug("a currency read is not three capital letters");
    (void)import_header_is("orders", "external_id", s, n);
    (void)import_header_is("products", "list_price", s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const encs[] = {NULL,   "utf-8",  "gbk",      "gb18030",
                                       "big5", "utf-16", "utf-16le", "utf-16be"};
    static const char *const names[] = {"x.csv", "x.txt", "x.tsv", NULL};
    if (!size)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    if (len >= 4 && !memcmp(body, "PK\x03\x04", 4))
        return 0; /* fuzz_xlsx's */
    struct arena a;
    arena_init(&a);
    struct kam_error e = {0};
    struct kam_ctx ctx = {.a = &a, .err = &e};
    struct import_read_opts o = {encs[data[0] & 7], NULL, names[(data[0] >> 3) & 3]};
    struct import_text t;
    size_t bom;
    const char *found = import_detect_encoding(body, len, &bom);
    if (strcmp(found, "UTF-8") && strcmp(found, "UTF-16LE") && strcmp(found, "UTF-16BE") &&
        strcmp(found, "GB18030") && strcmp(found, "BIG5") && *found)
        bug("detection named an unknown encoding");
    enum kam_err rc = import_read(&ctx, &o, body, len, &t);
    if (rc) {
        if (rc != KAM_EINVAL || (strcmp(e.field, "encoding") && strcmp(e.field, "file")) || !*e.key)
            bug("a failure that is not KAM_EINVAL on encoding/file with a key");
    } else {
        if (strcmp(t.format, "csv") && strcmp(t.format, "tsv"))
            bug("a text file read as another format");
        /* NULs are the rows' problem, and so are the bad bytes of text read as UTF-8 (detected,
         * or named and detected, by a BOM say): rows refused one by one */
        int raw = !strcmp(t.encoding, "UTF-8");
        for (size_t i = 0, j = 0; j <= t.len && !raw; j++)
            if (j == t.len || !t.data[j]) {
                if (!utf8_valid(t.data + i, j - i))
                    bug("the text is not UTF-8");
                i = j + 1;
            }
        if (t.len >= 3 && !memcmp(t.data, "\xEF\xBB\xBF", 3))
            bug("a byte order mark is left");
        if (!strcmp(t.format, "tsv")) { /* written by us: strict CSV */
            struct csv_parser p;
            csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
            if (csv_parse(&p, t.data, t.len, nop_field, nop_row, NULL) != t.len ||
                csv_fini(&p, nop_field, nop_row, NULL))
                bug("the re-written CSV does not parse");
            csv_free(&p);
        }
        for (size_t i = 0; i < t.len;) {
            const char *nl = memchr(t.data + i, '\n', t.len - i);
            size_t n = nl ? (size_t)(nl - (t.data + i)) : t.len - i;
            values(t.data + i, n);
            for (size_t j = i, k = i; j <= i + n; j++)
                if (j == i + n || t.data[j] == ',') {
                    values(t.data + k, j - k);
                    k = j + 1;
                }
            i += n + 1;
        }
        import_text_free(&t);
    }
    arena_release(&a);
    return 0;
}
