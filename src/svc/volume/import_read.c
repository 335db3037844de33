/* import_read.c -- an import file's bytes as UTF-8 CSV (see import_read.h): BOM, UTF-8
 * validity and uchardet find the encoding, iconv converts it, libcsv re-writes tab-separated
 * text as CSV, libzip and expat read .xlsx. */
#include "import_read.h"

#include <errno.h>
#include <expat.h>
#include <iconv.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uchardet.h>
#include <zip.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/utf8.h"

/* ---- text encodings ---- */

static const struct enc {
    const char *name;  /* as the caller may name it */
    const char *iconv; /* what iconv opens */
    const char *shown; /* what the report says */
} encs[] = {
    {"utf-8", "UTF-8", "UTF-8"},
    {"utf8", "UTF-8", "UTF-8"},
    {"gbk", "GB18030", "GBK"},
    {"cp936", "GB18030", "GBK"},
    {"gb18030", "GB18030", "GB18030"},
    {"gb2312", "GB18030", "GB2312"},
    {"big5", "BIG5-HKSCS", "BIG5"},
    {"utf-16", "UTF-16", "UTF-16"},
    {"utf-16le", "UTF-16LE", "UTF-16LE"},
    {"utf-16be", "UTF-16BE", "UTF-16BE"},
    {"windows-1252", "WINDOWS-1252", "WINDOWS-1252"},
};

static const struct enc *enc_find(const char *name)
{
    for (size_t i = 0; i < sizeof encs / sizeof encs[0]; i++)
        if (name && !strcasecmp(encs[i].name, name))
            return &encs[i];
    return NULL;
}

/* How many bytes of data[0..len) are UTF-8. A NUL is UTF-8 here: it is no sign of another
 * encoding, and the rows that hold one are refused one by one (import.bad_utf8). */
static size_t utf8_prefix(const char *data, size_t len)
{
    size_t ok = 0;
    while (ok < len) {
        size_t k = utf8_seq_len((const unsigned char *)data + ok, len - ok);
        if (!k)
            break;
        ok += k;
    }
    return ok;
}

/* What a decoding of the first MiB as a double-byte Chinese encoding looks like: whether iconv
 * reads it whole and without a private-use character (a wrong guess maps real text there), and
 * the share of its double-byte characters that are common ones (GB2312's punctuation and
 * level-1 hanzi; Big5's symbols and frequent characters, A140-A3BF and A440-C67E). */
struct cand {
    int ok;
    size_t mb, common;
};

static int pua_in(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i + 2 < n; i++)
        if (u[i] == 0xEE || (u[i] == 0xEF && u[i + 1] >= 0x80 && u[i + 1] <= 0xA3))
            return 1; /* U+E000..U+F8FF */
    return 0;
}

static void try_cand(const char *enc, int big5, const char *data, size_t len, struct cand *c)
{
    memset(c, 0, sizeof *c);
    size_t n = len < (1u << 20) ? len : (1u << 20);
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1)
        return;
    size_t cap = n * 2 + 16;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    char *in = (char *)data, *o = buf;
    size_t left = n, ol = cap;
    size_t r = iconv(cd, &in, &left, &o, &ol);
    iconv_close(cd);
    /* a character cut by the 1 MiB sample is no sign of another encoding */
    c->ok = r != (size_t)-1 || (errno == EINVAL && n < len);
    if (c->ok && pua_in(buf, (size_t)(o - buf)))
        c->ok = 0;
    free(buf);
    const unsigned char *u = (const unsigned char *)data;
    for (size_t i = 0; i + 1 < n;) {
        unsigned b = u[i], t = u[i + 1];
        if (b < 0x80) {
            i++;
            continue;
        }
        c->mb++;
        if (!big5 && i + 3 < n && t >= 0x30 && t <= 0x39) {
            i += 4;
            continue;
        }
        unsigned code = b << 8 | t;
        if (big5 ? (code >= 0xA140 && code <= 0xA3BF) || (code >= 0xA440 && code <= 0xC67E)
                 : ((b >= 0xA1 && b <= 0xA3) || (b >= 0xB0 && b <= 0xD7)) && t >= 0xA1 && t <= 0xFE)
            c->common++;
        i += 2;
    }
}

/* c is a clear winner over d: read whole, 60 % common characters or more, 20 points ahead. */
static int wins(const struct cand *c, const struct cand *d)
{
    if (!c->ok || !c->mb || c->common * 10 < c->mb * 6)
        return 0;
    if (!d->ok || !d->mb)
        return 1;
    return c->common * d->mb * 10 >= d->common * c->mb * 10 + c->mb * d->mb * 2;
}

static const char *detect(const char *data, size_t len, size_t *bom, char *choices, size_t cap)
{
    const unsigned char *u = (const unsigned char *)data;
    *bom = 0;
    if (cap)
        choices[0] = 0;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        *bom = 3;
        return "UTF-8";
    }
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        *bom = 2;
        return "UTF-16LE";
    }
    if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        *bom = 2;
        return "UTF-16BE";
    }
    /* UTF-16 without a byte order mark: ASCII letters leave every other byte zero */
    size_t pairs = len / 2 < 4096 ? len / 2 : 4096, zlo = 0, zhi = 0;
    for (size_t i = 0; i < pairs; i++) {
        zhi += u[2 * i] == 0;
        zlo += u[2 * i + 1] == 0;
    }
    if (pairs >= 2 && zlo * 10 >= pairs * 3 && zhi * 20 < pairs)
        return "UTF-16LE";
    if (pairs >= 2 && zhi * 10 >= pairs * 3 && zlo * 20 < pairs)
        return "UTF-16BE";
    /* UTF-8: valid multibyte sequences, and runs of invalid bytes (a GBK word in UTF-8 text
     * is one run; GBK text read as UTF-8 is mostly runs, split by the odd valid pair) */
    size_t mb8 = 0, bad = 0;
    for (size_t i = 0, in_bad = 0; i < len;) {
        size_t k = utf8_seq_len(u + i, len - i);
        if (!k) {
            bad += !in_bad;
            in_bad = 1;
            i++;
        } else {
            mb8 += k > 1;
            in_bad = 0;
            i += k;
        }
    }
    if (!bad)
        return "UTF-8";
    char cs[32] = "";
    uchardet_t ud = uchardet_new();
    if (ud) {
        uchardet_handle_data(ud, data, len < (1u << 20) ? len : (1u << 20));
        uchardet_data_end(ud);
        snprintf(cs, sizeof cs, "%s", uchardet_get_charset(ud));
        uchardet_delete(ud);
    }
    /* a few bad sequences in UTF-8 text: UTF-8, and the rows that hold them are refused one
     * by one (import.bad_utf8). uchardet's own "UTF-8" is not trusted here: it says so for
     * many short GBK/Big5 texts, which are mostly bad sequences. */
    if (mb8 && mb8 >= 4 * bad)
        return "UTF-8";
    struct cand gb, b5;
    try_cand("GB18030", 0, data, len, &gb);
    try_cand("BIG5-HKSCS", 1, data, len, &b5);
    int said_gb = !strncasecmp(cs, "GB", 2) || !strcasecmp(cs, "HZ-GB-2312");
    int said_b5 =
        !strcasecmp(cs, "BIG5") || !strcasecmp(cs, "EUC-TW") || !strcasecmp(cs, "BIG5-HKSCS");
    if (said_gb && gb.ok && !wins(&b5, &gb))
        return "GB18030";
    if (said_b5 && b5.ok && !wins(&gb, &b5))
        return "BIG5";
    if (wins(&gb, &b5))
        return "GB18030";
    if (wins(&b5, &gb))
        return "BIG5";
    /* both readings mostly common characters (short GBK text in GB2312's B0-C5 rows is common
     * Big5 too): GB18030, the mainland's, unless uchardet said Big5 -- a Big5 file rarely gets
     * here, as its frequent A4xx characters read as GB18030 are private-use ones */
    if (gb.ok && b5.ok && gb.mb && gb.common * 10 >= gb.mb * 9 && b5.common * 10 >= b5.mb * 6)
        return "GB18030";
    /* what uchardet calls a single-byte Western text (Latin-1 `M\xFCller`) */
    int western = !strncasecmp(cs, "ISO-8859", 8) || !strncasecmp(cs, "WINDOWS-125", 11) ||
                  !strncasecmp(cs, "IBM", 3) || !strncasecmp(cs, "MAC", 3);
    if (!gb.ok && !b5.ok && !western)
        return "UTF-8"; /* no other reading: bad bytes, refused row by row */
    snprintf(choices, cap, "%s%s%s%s", gb.ok ? "gb18030, " : "", b5.ok ? "big5, " : "",
             "windows-1252", mb8 ? ", utf-8" : "");
    return "";
}

const char *import_detect_encoding(const char *data, size_t len, size_t *bom)
{
    char choices[64];
    return detect(data, len, bom, choices, sizeof choices);
}

static const char *enc_names(void);

/* The 1-based line of the converted text at its end. */
static int64_t line_at(const char *s, size_t n)
{
    int64_t line = 1;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++)
        line++;
    return line;
}

static enum kam_err convert(struct kam_ctx *ctx, const struct enc *e, const char *data, size_t len,
                            char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", e->iconv);
    if (cd == (iconv_t)-1)
        return kam_fail_key(
            ctx->err, KAM_EINVAL, "encoding", "import.unknown_encoding",
            (struct kam_param[]){{"value", e->shown}, {"names", enc_names()}, {NULL, NULL}},
            "encoding must be one of %s", enc_names());
    size_t cap = len + len / 2 + 64, used = 0;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    }
    char *in = (char *)data;
    size_t left = len;
    enum kam_err rc = KAM_OK;
    while (left) {
        char *o = buf + used;
        size_t ol = cap - used - 1;
        size_t r = iconv(cd, &in, &left, &o, &ol);
        used = (size_t)(o - buf);
        if (r != (size_t)-1)
            continue;
        if (errno == E2BIG) {
            if (cap >= IMPORT_READ_MAX_OUT) {
                rc = kam_fail_key(ctx->err, KAM_EINVAL, "file", "import.file_too_big", NULL,
                                  "the file is too big once converted to UTF-8");
                break;
            }
            size_t ncap = cap * 2 > IMPORT_READ_MAX_OUT ? IMPORT_READ_MAX_OUT : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
            continue;
        }
        char line[24];
        snprintf(line, sizeof line, "%lld", (long long)line_at(buf, used));
        rc = kam_fail_key(ctx->err, KAM_EINVAL, "encoding", "import.bad_encoding",
                          (struct kam_param[]){{"value", e->shown}, {"n", line}, {NULL, NULL}},
                          "line %s is not %s text (choose the file's encoding)", line, e->shown);
        break;
    }
    iconv_close(cd);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[used] = 0;
    *out = buf;
    *out_len = used;
    return KAM_OK;
}

/* ---- tab-separated text as CSV ---- */

static void put_field(struct buf *b, const char *s, size_t n)
{
    int quote = n && (memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) ||
                      memchr(s, '\r', n) || s[0] == ' ' || s[n - 1] == ' ');
    if (!quote) {
        buf_append(b, s, n);
        return;
    }
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_putc(b, '"');
        buf_putc(b, s[i]);
    }
    buf_putc(b, '"');
}

/* How the first line separates its fields: tabs (more tabs than commas outside quotes). */
static int tab_separated(const char *s, size_t n, const char *filename)
{
    size_t tabs = 0, commas = 0;
    int q = 0;
    for (size_t i = 0; i < n && i < (1u << 16) && (q || (s[i] != '\n' && s[i] != '\r')); i++) {
        if (s[i] == '"')
            q = !q;
        else if (!q && s[i] == '\t')
            tabs++;
        else if (!q && s[i] == ',')
            commas++;
    }
    const char *dot = filename ? strrchr(filename, '.') : NULL;
    int hint =
        dot && (!strcasecmp(dot, ".tsv") || !strcasecmp(dot, ".txt") || !strcasecmp(dot, ".tab"));
    return tabs > commas || (hint && tabs > 0);
}

/* Where the quoted field opening at s[i] == '"' closes: the index of a quote (not doubled)
 * followed by a tab, a line end or the end of the text; 0 when the field is not quoted so (a
 * stray quote: `"Best" item`), and then it is read literally. Each call stops at the next
 * lone quote, so the text is scanned a bounded number of times. */
static size_t quoted_end(const char *s, size_t n, size_t i)
{
    for (size_t k = i + 1; k < n; k++) {
        if (s[k] != '"')
            continue;
        if (k + 1 < n && s[k + 1] == '"') {
            k++;
            continue;
        }
        return k + 1 == n || s[k + 1] == '\t' || s[k + 1] == '\n' || s[k + 1] == '\r' ? k : 0;
    }
    return 0;
}

/* Tab-separated text as CSV: fields are literal unless properly quoted (a quote first, its
 * closing quote followed by a tab or a line end; "" inside is a quote), so a value that merely
 * starts with a quote does not swallow the lines after it. Blank lines are skipped. */
static enum kam_err tsv_to_csv(struct kam_ctx *ctx, const char *s, size_t n, char **out,
                               size_t *out_len)
{
    struct buf o, f;
    buf_init(&o, IMPORT_READ_MAX_OUT);
    buf_init(&f, IMPORT_READ_MAX_OUT);
    size_t i = 0;
    while (i < n && buf_ok(&o)) {
        if (s[i] == '\n' || s[i] == '\r') {
            i++;
            continue;
        }
        for (int nf = 0;; nf++) {
            if (nf)
                buf_putc(&o, ',');
            size_t close = i < n && s[i] == '"' ? quoted_end(s, n, i) : 0;
            if (close) {
                buf_reset(&f);
                for (size_t k = i + 1; k < close; k++) {
                    buf_putc(&f, s[k]);
                    if (s[k] == '"')
                        k++;
                }
                put_field(&o, f.data ? f.data : "", f.len);
                i = close + 1;
            } else {
                size_t j = i;
                while (j < n && s[j] != '\t' && s[j] != '\n' && s[j] != '\r')
                    j++;
                put_field(&o, s + i, j - i);
                i = j;
            }
            if (i < n && s[i] == '\t') {
                i++;
                continue;
            }
            break;
        }
        buf_putc(&o, '\n');
        if (i < n && s[i] == '\r')
            i++;
        if (i < n && s[i] == '\n')
            i++;
    }
    buf_release(&f);
    if (!buf_ok(&o)) {
        buf_release(&o);
        return kam_fail_key(ctx->err, KAM_EINVAL, "file", "import.file_too_big", NULL,
                            "the file is too big once converted to UTF-8");
    }
    *out = buf_steal(&o, out_len);
    return KAM_OK;
}

/* ---- .xlsx ---- */

enum mode { M_SS, M_STYLES, M_WB, M_RELS, M_SHEET };

struct xl {
    struct kam_ctx *ctx;
    zip_t *z;
    XML_Parser p;
    enum mode mode;
    size_t xml_total;
    enum kam_err rc; /* the first failure, its error filled */
    /* text being collected (<t>, <v>) */
    struct buf text;
    int in_text, in_rph, in_si;
    /* shared strings */
    struct buf ss;
    size_t *ss_off, *ss_len, nss, ss_cap;
    /* styles */
    int in_numfmts, in_cellxfs;
    int custom_id[512];
    unsigned char custom_date[512];
    size_t ncustom;
    unsigned char *xf_date;
    size_t nxf, xf_cap;
    /* workbook and its relationships */
    const char **sheet_name, **sheet_rid;
    unsigned char *sheet_hidden; /* state="hidden" or "veryHidden" */
    size_t nsheets;
    const char **rel_id, **rel_target;
    size_t nrels, rels_cap;
    /* the sheet */
    struct buf out, row;
    int64_t row_no, pending_empty, header_row;
    int col, last_col, width, header_done, row_has;
    int cell_style, date1904;
    char cell_type[12];
    int in_v, in_is;
};

static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (!strcmp(local(atts[i]), name))
            return atts[i + 1];
    return NULL;
}

static void xl_fail(struct xl *x, const char *key, const char *fmt)
{
    if (!x->rc)
        x->rc = kam_fail_key(x->ctx->err, KAM_EINVAL, "file", key, NULL, "%s", fmt);
    if (x->p)
        XML_StopParser(x->p, XML_FALSE);
}

static void bad_xlsx(struct xl *x)
{
    xl_fail(x, "import.bad_xlsx", "the .xlsx file is damaged or not an Excel workbook");
}

/* Excel's built-in date formats (and the Chinese locale's). */
static int builtin_date(int id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

/* A custom number format shows a date when it has y, d (or 年, 日) outside quotes and
 * brackets. */
static int format_is_date(const char *f)
{
    int q = 0, br = 0;
    for (const char *p = f; *p; p++) {
        if (*p == '"')
            q = !q;
        else if (q)
            continue;
        else if (*p == '[')
            br = 1;
        else if (*p == ']')
            br = 0;
        else if (br)
            continue;
        else if (*p == '\\' && p[1])
            p++;
        else if (strchr("yYdD", *p))
            return 1;
        else if (!strncmp(p, "\xE5\xB9\xB4", 3) || !strncmp(p, "\xE6\x97\xA5", 3))
            return 1;
    }
    return 0;
}

/* "BC12" -> 54 (0-based column), -1 when malformed. */
static int ref_col(const char *r)
{
    int c = 0, k = 0;
    for (; *r >= 'A' && *r <= 'Z'; r++, k++) {
        c = c * 26 + (*r - 'A' + 1);
        if (c > 16384)
            return -1;
    }
    return k ? c - 1 : -1;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * size);
    if (!q)
        abort(); /* long-lived bulk structure: out of memory aborts (base/err.h) */
    *cap = n;
    return q;
}

static void flush_empty(struct xl *x)
{
    for (; x->pending_empty > 0; x->pending_empty--)
        buf_puts(&x->out, "\"\"\n");
}

static void put_cell(struct xl *x, const char *s, size_t n)
{
    if (!n)
        return;
    if (x->col >= IMPORT_XLSX_MAX_COLS) {
        xl_fail(x, "import.xlsx_too_many_columns", "the sheet has values past its 256th column");
        return;
    }
    if (x->col <= x->last_col) {
        bad_xlsx(x);
        return;
    }
    for (int k = x->last_col + 1; k <= x->col; k++)
        if (k > 0)
            buf_putc(&x->row, ',');
    put_field(&x->row, s, n);
    x->last_col = x->col;
    x->row_has = 1;
}

/* A number cell's <v> as text: a plain decimal literal as written (1234567890123456 stays
 * whole), except a long binary fraction Excel writes with 17 digits ("1234.5599999999999")
 * read as its 15 significant digits; a whole number in exponent form up to 2^53 in full;
 * another exponent form whose 15 digits need no exponent (1.5E-3: 0.0015); else the text as
 * written ("1E+20", as Excel shows it), which the number fields refuse in its row. */
static const char *xlsx_number(const char *v, size_t n, double d, char *num, size_t cap)
{
    size_t k = n && v[0] == '-', intd = 0, fracd = 0, sig = 0;
    int lead = 1;
    for (; k < n && v[k] >= '0' && v[k] <= '9'; k++, intd++)
        if (v[k] != '0' || !lead)
            lead = 0, sig++;
    if (intd && k < n && v[k] == '.')
        for (k++; k < n && v[k] >= '0' && v[k] <= '9'; k++, fracd++)
            if (v[k] != '0' || !lead)
                lead = 0, sig++;
    int plain = intd && k == n && (fracd || v[n - 1] != '.');
    if (plain && (!fracd || sig <= 15) && n < cap) {
        snprintf(num, cap, "%.*s", (int)n, v);
        return num;
    }
    if (!plain && d == floor(d) && fabs(d) <= 9007199254740992.0) {
        snprintf(num, cap, "%.0f", d);
        return num;
    }
    snprintf(num, cap, "%.15g", d);
    if (!strchr(num, 'e'))
        return num;
    snprintf(num, cap, "%.*s", (int)(n < cap ? n : cap - 1), v);
    return num;
}

/* Excel's escapes in strings, _xHHHH_ for U+HHHH (_x000D_ a carriage return, _x005F_ an
 * underscore), decoded in place. */
static void unescape_x(struct buf *b)
{
    if (!b->data || !memchr(b->data, '_', b->len))
        return;
    size_t o = 0;
    for (size_t i = 0; i < b->len;) {
        unsigned v = 0;
        int ok =
            i + 7 <= b->len && b->data[i] == '_' && b->data[i + 1] == 'x' && b->data[i + 6] == '_';
        for (int k = 2; ok && k < 6; k++) {
            char c = b->data[i + k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                           : -1;
            ok = d >= 0;
            v = v * 16 + (unsigned)(d >= 0 ? d : 0);
        }
        if (!ok || (v >= 0xD800 && v <= 0xDFFF)) {
            b->data[o++] = b->data[i++];
            continue;
        }
        if (v < 0x80) {
            b->data[o++] = (char)v;
        } else if (v < 0x800) {
            b->data[o++] = (char)(0xC0 | v >> 6);
            b->data[o++] = (char)(0x80 | (v & 0x3F));
        } else {
            b->data[o++] = (char)(0xE0 | v >> 12);
            b->data[o++] = (char)(0x80 | (v >> 6 & 0x3F));
            b->data[o++] = (char)(0x80 | (v & 0x3F));
        }
        i += 7;
    }
    b->len = o;
    b->data[o] = 0;
}

static void end_cell(struct xl *x)
{
    const char *v = x->text.data ? x->text.data : "";
    size_t n = x->text.len;
    const char *t = x->cell_type;
    char num[48];
    if (!strcmp(t, "s")) {
        char *end;
        unsigned long i = strtoul(v, &end, 10);
        if (!n || *end || i >= x->nss) {
            bad_xlsx(x);
            return;
        }
        put_cell(x, x->ss.data + x->ss_off[i], x->ss_len[i]);
    } else if (!strcmp(t, "b")) {
        put_cell(x, n && v[0] == '1' ? "TRUE" : "FALSE", n && v[0] == '1' ? 4 : 5);
    } else if (!strcmp(t, "d")) {
        put_cell(x, v, n > 10 && v[10] == 'T' ? 10 : n);
    } else if (!*t || !strcmp(t, "n")) {
        char *end;
        double d = n ? strtod(v, &end) : 0;
        if (!n) {
            return;
        } else if (*end || !isfinite(d)) {
            put_cell(x, v, n);
        } else if (x->cell_style >= 0 && (size_t)x->cell_style < x->nxf &&
                   x->xf_date[x->cell_style] && d >= (x->date1904 ? 0 : 1) && d < 2958466) {
            long serial = (long)floor(d);
            /* 1900 system: serial 1 is 1900-01-01 and Excel counts a 1900-02-29; the 1904
             * system (workbookPr date1904, old Mac workbooks): serial 0 is 1904-01-01, 1462
             * days later */
            int64_t days = x->date1904   ? serial - 24107
                           : serial < 60 ? serial - 25568
                                         : serial - 25569;
            int y, m, dd;
            days_to_date(days, &y, &m, &dd);
            snprintf(num, sizeof num, "%04d-%02d-%02d", y, m, dd);
            put_cell(x, num, strlen(num));
        } else {
            const char *shown = xlsx_number(v, n, d, num, sizeof num);
            put_cell(x, shown, strlen(shown));
        }
    } else { /* str, inlineStr, e */
        unescape_x(&x->text);
        put_cell(x, x->text.data ? x->text.data : "", x->text.len);
    }
}

static void end_row(struct xl *x)
{
    if (!x->row_has) {
        if (x->header_done)
            x->pending_empty++;
        return;
    }
    flush_empty(x);
    if (!x->header_done) {
        x->width = x->last_col + 1;
        x->header_done = 1;
        x->header_row = x->row_no;
    }
    for (int k = x->last_col + 1; k < x->width; k++)
        buf_putc(&x->row, ',');
    buf_append(&x->out, x->row.data, x->row.len);
    buf_putc(&x->out, '\n');
    if (!buf_ok(&x->out))
        xl_fail(x, "import.file_too_big", "the file is too big once converted to UTF-8");
}

static void XMLCALL on_start(void *ud, const char *name, const char **atts)
{
    struct xl *x = ud;
    const char *el = local(name);
    const char *a;
    switch (x->mode) {
    case M_SS:
        if (!strcmp(el, "si")) {
            x->in_si = 1;
            buf_reset(&x->text);
        } else if (!strcmp(el, "rPh")) {
            x->in_rph = 1;
        } else if (!strcmp(el, "t") && x->in_si && !x->in_rph) {
            x->in_text = 1;
        }
        break;
    case M_STYLES:
        if (!strcmp(el, "numFmts")) {
            x->in_numfmts = 1;
        } else if (!strcmp(el, "cellXfs")) {
            x->in_cellxfs = 1;
        } else if (x->in_numfmts && !strcmp(el, "numFmt") && x->ncustom < 512) {
            const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
            x->custom_id[x->ncustom] = id ? atoi(id) : -1;
            x->custom_date[x->ncustom++] = code && format_is_date(code);
        } else if (x->in_cellxfs && !strcmp(el, "xf")) {
            int id = (a = attr(atts, "numFmtId")) ? atoi(a) : 0, date = builtin_date(id);
            for (size_t i = 0; i < x->ncustom; i++)
                if (x->custom_id[i] == id)
                    date = x->custom_date[i];
            if (x->nxf >= 65536)
                break;
            x->xf_date = grow(x->xf_date, &x->xf_cap, x->nxf + 1, 1);
            x->xf_date[x->nxf++] = (unsigned char)date;
        }
        break;
    case M_WB:
        if (!strcmp(el, "workbookPr")) {
            a = attr(atts, "date1904");
            x->date1904 = a && (!strcmp(a, "1") || !strcasecmp(a, "true"));
        } else if (!strcmp(el, "sheet") && x->nsheets < IMPORT_XLSX_MAX_SHEETS) {
            const char *nm = attr(atts, "name"), *rid = NULL;
            for (int i = 0; atts[i]; i += 2)
                if (!strcmp(local(atts[i]), "id") && strchr(atts[i], ':'))
                    rid = atts[i + 1];
            const char *state = attr(atts, "state");
            x->sheet_hidden[x->nsheets] = state && strcmp(state, "visible") != 0;
            x->sheet_name[x->nsheets] = arena_strdup(x->ctx->a, nm ? nm : "");
            x->sheet_rid[x->nsheets++] = arena_strdup(x->ctx->a, rid ? rid : "");
        }
        break;
    case M_RELS:
        if (!strcmp(el, "Relationship") && x->nrels < 4096) {
            const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
            if (!id || !target)
                break;
            x->rel_id = grow(x->rel_id, &x->rels_cap, x->nrels + 1, sizeof *x->rel_id);
            x->rel_target =
                realloc(x->rel_target, x->rels_cap * sizeof *x->rel_target); /* same cap */
            if (!x->rel_target)
                abort();
            x->rel_id[x->nrels] = arena_strdup(x->ctx->a, id);
            x->rel_target[x->nrels++] = arena_strdup(x->ctx->a, target);
        }
        break;
    case M_SHEET:
        if (!strcmp(el, "row")) {
            int64_t r = (a = attr(atts, "r")) ? atoll(a) : x->row_no + 1;
            if (r <= x->row_no) {
                bad_xlsx(x);
                break;
            }
            if (r > IMPORT_XLSX_MAX_ROWS) {
                xl_fail(x, "import.xlsx_too_many_rows", "the sheet has more than 1048576 rows");
                break;
            }
            if (x->header_done)
                x->pending_empty += r - x->row_no - 1;
            x->row_no = r;
            buf_reset(&x->row);
            x->last_col = -1;
            x->col = -1;
            x->row_has = 0;
        } else if (!strcmp(el, "c")) {
            x->col = (a = attr(atts, "r")) ? ref_col(a) : x->col + 1;
            if (x->col < 0) {
                bad_xlsx(x);
                break;
            }
            x->cell_style = (a = attr(atts, "s")) ? atoi(a) : -1;
            a = attr(atts, "t");
            snprintf(x->cell_type, sizeof x->cell_type, "%s", a ? a : "");
            buf_reset(&x->text);
        } else if (!strcmp(el, "v")) {
            x->in_v = x->in_text = 1;
        } else if (!strcmp(el, "is")) {
            x->in_is = 1;
        } else if (!strcmp(el, "rPh")) {
            x->in_rph = 1;
        } else if (!strcmp(el, "t") && x->in_is && !x->in_rph) {
            x->in_text = 1;
        }
        break;
    }
}

static void XMLCALL on_end(void *ud, const char *name)
{
    struct xl *x = ud;
    const char *el = local(name);
    if (!strcmp(el, "t") || !strcmp(el, "v"))
        x->in_text = 0;
    if (!strcmp(el, "rPh"))
        x->in_rph = 0;
    switch (x->mode) {
    case M_SS:
        if (!strcmp(el, "si")) {
            x->in_si = 0;
            if (x->nss >= (1u << 22) ||
                x->ss.len + x->text.len + 2 * sizeof(size_t) * (x->nss + 1) > IMPORT_XLSX_MAX_SS) {
                xl_fail(x, "import.xlsx_too_big", "the .xlsx file is too big when unpacked");
                break;
            }
            size_t cap0 = x->ss_cap;
            x->ss_off = grow(x->ss_off, &x->ss_cap, x->nss + 1, sizeof *x->ss_off);
            if (x->ss_cap != cap0 || !x->ss_len) {
                x->ss_len = realloc(x->ss_len, x->ss_cap * sizeof *x->ss_len);
                if (!x->ss_len)
                    abort();
            }
            unescape_x(&x->text);
            x->ss_off[x->nss] = x->ss.len;
            x->ss_len[x->nss++] = x->text.len;
            buf_append(&x->ss, x->text.data ? x->text.data : "", x->text.len);
            if (!buf_ok(&x->ss))
                xl_fail(x, "import.xlsx_too_big", "the .xlsx file is too big when unpacked");
        }
        break;
    case M_STYLES:
        if (!strcmp(el, "numFmts"))
            x->in_numfmts = 0;
        else if (!strcmp(el, "cellXfs"))
            x->in_cellxfs = 0;
        break;
    case M_SHEET:
        if (!strcmp(el, "c"))
            end_cell(x);
        else if (!strcmp(el, "row"))
            end_row(x);
        else if (!strcmp(el, "v"))
            x->in_v = 0;
        else if (!strcmp(el, "is"))
            x->in_is = 0;
        break;
    default:
        break;
    }
}

static void XMLCALL on_text(void *ud, const char *s, int n)
{
    struct xl *x = ud;
    if (x->in_text) {
        buf_append(&x->text, s, (size_t)n);
        if (!buf_ok(&x->text))
            xl_fail(x, "import.xlsx_too_big", "the .xlsx file is too big when unpacked");
    }
}

static void XMLCALL on_doctype(void *ud, const char *name, const char *sysid, const char *pubid,
                               int internal)
{
    (void)name, (void)sysid, (void)pubid, (void)internal;
    bad_xlsx(ud); /* no part of a workbook declares a DTD: entities are refused outright */
}

/* Streams the zip entry `name` through expat in mode m. A missing entry: 0 when optional. */
static int xml_entry(struct xl *x, const char *name, enum mode m, int required)
{
    zip_int64_t idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE);
    if (idx < 0) {
        if (required)
            bad_xlsx(x);
        return !required ? 0 : -1;
    }
    zip_file_t *f = zip_fopen_index(x->z, (zip_uint64_t)idx, 0);
    if (!f) {
        bad_xlsx(x);
        return -1;
    }
    x->mode = m;
    x->p = XML_ParserCreate(NULL);
    if (!x->p)
        abort();
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    char chunk[1 << 16];
    for (;;) {
        zip_int64_t got = zip_fread(f, chunk, sizeof chunk);
        if (got < 0) {
            bad_xlsx(x);
            break;
        }
        x->xml_total += (size_t)got;
        if (x->xml_total > IMPORT_XLSX_MAX_XML) {
            xl_fail(x, "import.xlsx_too_big", "the .xlsx file is too big when unpacked");
            break;
        }
        if (XML_Parse(x->p, chunk, (int)got, got == 0) != XML_STATUS_OK) {
            bad_xlsx(x);
            break;
        }
        if (got == 0 || x->rc)
            break;
    }
    XML_ParserFree(x->p);
    x->p = NULL;
    zip_fclose(f);
    return x->rc ? -1 : 0;
}

/* The zip path of a relationship's target, relative to xl/. */
static const char *part_path(struct xl *x, const char *target)
{
    if (target[0] == '/')
        return arena_strdup(x->ctx->a, target + 1);
    return arena_printf(x->ctx->a, "xl/%s", target);
}

static void xl_release(struct xl *x)
{
    if (x->z)
        zip_discard(x->z);
    buf_release(&x->text);
    buf_release(&x->ss);
    buf_release(&x->out);
    buf_release(&x->row);
    free(x->ss_off);
    free(x->ss_len);
    free(x->xf_date);
    free(x->rel_id);
    free(x->rel_target);
}

static enum kam_err read_xlsx(struct kam_ctx *ctx, const struct import_read_opts *o,
                              const char *data, size_t len, struct import_text *out)
{
    struct xl x = {0};
    x.ctx = ctx;
    buf_init(&x.text, 1 << 20);
    buf_init(&x.ss, IMPORT_XLSX_MAX_SS);
    buf_init(&x.out, IMPORT_XLSX_MAX_OUT);
    buf_init(&x.row, 1 << 24);
    x.sheet_name = arena_calloc(ctx->a, IMPORT_XLSX_MAX_SHEETS, sizeof *x.sheet_name);
    x.sheet_rid = arena_calloc(ctx->a, IMPORT_XLSX_MAX_SHEETS, sizeof *x.sheet_rid);
    x.sheet_hidden = arena_calloc(ctx->a, IMPORT_XLSX_MAX_SHEETS, sizeof *x.sheet_hidden);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (src && !(x.z = zip_open_from_source(src, ZIP_RDONLY, &ze)))
        zip_source_free(src);
    zip_error_fini(&ze);
    if (!x.z) {
        bad_xlsx(&x);
        goto done;
    }
    if (xml_entry(&x, "xl/workbook.xml", M_WB, 1) ||
        xml_entry(&x, "xl/_rels/workbook.xml.rels", M_RELS, 0) ||
        xml_entry(&x, "xl/styles.xml", M_STYLES, 0))
        goto done;
    if (!x.nsheets) {
        bad_xlsx(&x);
        goto done;
    }
    size_t pick = 0; /* the first sheet that is not hidden, unless one is named */
    while (pick + 1 < x.nsheets && x.sheet_hidden[pick])
        pick++;
    if (x.sheet_hidden[pick])
        pick = 0;
    if (o->sheet && *o->sheet) {
        for (pick = 0; pick < x.nsheets && strcmp(x.sheet_name[pick], o->sheet); pick++)
            ;
        if (pick == x.nsheets) {
            x.rc = kam_fail_key(ctx->err, KAM_EINVAL, "sheet", "import.no_sheet",
                                (struct kam_param[]){{"value", o->sheet}, {NULL, NULL}},
                                "the workbook has no sheet named \"%s\"", o->sheet);
            goto done;
        }
    }
    const char *path = NULL;
    for (size_t i = 0; i < x.nrels; i++)
        if (!strcmp(x.rel_id[i], x.sheet_rid[pick]))
            path = part_path(&x, x.rel_target[i]);
    if (!path)
        path = arena_printf(ctx->a, "xl/worksheets/sheet%zu.xml", pick + 1);
    if (xml_entry(&x, "xl/sharedStrings.xml", M_SS, 0) || xml_entry(&x, path, M_SHEET, 1))
        goto done;
    out->owned = buf_steal(&x.out, &out->len);
    out->data = out->owned;
    out->format = "xlsx";
    out->encoding = "UTF-8";
    out->detected = "";
    out->sheets = x.sheet_name;
    out->nsheets = x.nsheets;
    out->sheet = x.sheet_name[pick];
    out->row_base = x.header_row > 0 ? x.header_row - 1 : 0;
done:
    xl_release(&x);
    return x.rc;
}

/* ---- the entry point ---- */

static atomic_int xlsx_readers; /* workbooks being read now (IMPORT_XLSX_READERS at most) */

/* Every name encoding= accepts, for the message that refuses another one. */
static const char *enc_names(void)
{
    static char all[256];
    if (!all[0]) {
        size_t o = 0;
        for (size_t i = 0; i < sizeof encs / sizeof encs[0]; i++)
            o += (size_t)snprintf(all + o, sizeof all - o, "%s%s", i ? ", " : "", encs[i].name);
    }
    return all;
}

enum kam_err import_read(struct kam_ctx *ctx, const struct import_read_opts *o, const char *data,
                         size_t len, struct import_text *out)
{
    memset(out, 0, sizeof *out);
    out->detected = "";
    const struct enc *named = NULL;
    if (o->encoding && *o->encoding && !(named = enc_find(o->encoding)))
        return kam_fail_key(
            ctx->err, KAM_EINVAL, "encoding", "import.unknown_encoding",
            (struct kam_param[]){{"value", o->encoding}, {"names", enc_names()}, {NULL, NULL}},
            "encoding must be one of %s", enc_names());
    /* legacy .xls and password-protected .xlsx are OLE compound files */
    if (len >= 8 && !memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return kam_fail_key(ctx->err, KAM_EINVAL, "file", "import.xls_unsupported", NULL,
                            "a .xls (or password-protected) workbook cannot be read: save it as "
                            ".xlsx without a password, or as CSV");
    int zip = len >= 4 && !memcmp(data, "PK\x03\x04", 4);
    if (zip && named)
        return kam_fail_key(ctx->err, KAM_EINVAL, "encoding", "import.encoding_not_text", NULL,
                            "encoding applies to text files only, not to .xlsx");
    if (!zip && o->sheet && *o->sheet)
        return kam_fail_key(ctx->err, KAM_EINVAL, "sheet", "import.sheet_not_xlsx", NULL,
                            "sheet applies to .xlsx files only, not to text");
    if (zip) {
        if (atomic_fetch_add(&xlsx_readers, 1) >= IMPORT_XLSX_READERS) {
            atomic_fetch_sub(&xlsx_readers, 1);
            return kam_fail_key(ctx->err, KAM_EBUSY, "", "import.xlsx_busy", NULL,
                                "other .xlsx files are being read: try again in a moment");
        }
        enum kam_err rc = read_xlsx(ctx, o, data, len, out);
        atomic_fetch_sub(&xlsx_readers, 1);
        return rc;
    }
    size_t bom;
    char choices[64];
    const char *found = detect(data, len, &bom, choices, sizeof choices);
    out->detected = found;
    if (!*found && !named)
        return kam_fail_key(ctx->err, KAM_EINVAL, "encoding", "import.encoding_uncertain",
                            (struct kam_param[]){{"value", choices}, {NULL, NULL}},
                            "the file's encoding is unclear: choose one of %s", choices);
    const struct enc *e = named ? named : enc_find(found);
    if (!e)
        e = enc_find("gb18030");
    out->encoding = e->shown;
    const char *text = data;
    size_t tlen = len;
    char *conv = NULL;
    if (strcmp(e->iconv, "UTF-8") != 0) {
        /* the BOM of the detected encoding is not text (iconv's UTF-16 consumes its own) */
        size_t skip = !named || !strcmp(found, e->shown) ? bom : 0;
        enum kam_err rc = convert(ctx, e, data + skip, len - skip, &conv, &tlen);
        if (rc)
            return rc;
        text = conv;
    } else if (strcmp(found, "UTF-8") && utf8_prefix(data, len) < len) {
        /* named UTF-8 that detection does not see as UTF-8: the wrong name, refused; UTF-8
         * detected with a few bad bytes is read, and those rows are refused one by one */
        size_t ok = utf8_prefix(data, len);
        char line[24];
        snprintf(line, sizeof line, "%lld", (long long)line_at(data, ok));
        return kam_fail_key(ctx->err, KAM_EINVAL, "encoding", "import.bad_encoding",
                            (struct kam_param[]){{"value", "UTF-8"}, {"n", line}, {NULL, NULL}},
                            "line %s is not UTF-8 text (choose the file's encoding)", line);
    }
    while (tlen >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) /* some tools write two */
        text += 3, tlen -= 3;
    out->format = "csv";
    if (tab_separated(text, tlen, o->filename)) {
        char *csv = NULL;
        size_t clen = 0;
        enum kam_err rc = tsv_to_csv(ctx, text, tlen, &csv, &clen);
        free(conv);
        if (rc)
            return rc;
        conv = csv;
        text = csv;
        tlen = clen;
        out->format = "tsv";
    }
    out->owned = conv;
    out->data = text;
    out->len = tlen;
    return KAM_OK;
}

void import_text_free(struct import_text *t)
{
    free(t->owned);
    t->owned = NULL;
    t->data = NULL;
}
