/* jw.c -- streaming JSON writer. */
#include "jw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "utf8.h"

void jw_init(struct jw *w, struct buf *b)
{
    w->b = b;
    w->depth = 0;
    w->first[0] = 1;
    w->after_key = 0;
}

/* Writes the comma that separates this value from the previous one, if any. */
static void sep(struct jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (!w->first[w->depth])
        buf_putc(w->b, ',');
    w->first[w->depth] = 0;
}

static void open(struct jw *w, char c)
{
    sep(w);
    buf_putc(w->b, c);
    if (w->depth + 1 < JW_MAX_DEPTH)
        w->depth++;
    else
        w->b->overflow = 1; /* deeper than any response KAM writes: a bug, fail loudly */
    w->first[w->depth] = 1;
}

static void close_(struct jw *w, char c)
{
    buf_putc(w->b, c);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj_begin(struct jw *w)
{
    open(w, '{');
}

void jw_obj_end(struct jw *w)
{
    close_(w, '}');
}

void jw_arr_begin(struct jw *w)
{
    open(w, '[');
}

void jw_arr_end(struct jw *w)
{
    close_(w, ']');
}

void jw_escape(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(b, '"');
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        if (run)
            buf_append(b, s + i - run, run);
        run = 0;
        if (c >= 0x80) {
            size_t len = utf8_seq_len((const unsigned char *)s + i, n - i);
            if (len) {
                buf_append(b, s + i, len);
                i += len;
            } else {
                buf_puts(b, "\xef\xbf\xbd");
                i++;
            }
            continue;
        }
        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_append(b, u, 6);
        }
        }
        i++;
    }
    if (run)
        buf_append(b, s + i - run, run);
    buf_putc(b, '"');
}

void jw_key(struct jw *w, const char *k)
{
    sep(w);
    jw_escape(w->b, k, strlen(k));
    buf_putc(w->b, ':');
    w->after_key = 1;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
    sep(w);
    jw_escape(w->b, s, n);
}

void jw_str(struct jw *w, const char *s)
{
    if (!s) {
        jw_null(w);
        return;
    }
    jw_strn(w, s, strlen(s));
}

void jw_i64(struct jw *w, int64_t v)
{
    /* By hand: snprintf was a tenth of the time of a 50-row page. */
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    sep(w);
    buf_append(w->b, p, (size_t)(tmp + sizeof tmp - p));
}

void jw_double(struct jw *w, double v)
{
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    /* The shortest of %.15g / %.17g that reads back as v: 35.6, not 35.600000000000001. */
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v)
        n = snprintf(tmp, sizeof tmp, "%.17g", v);
    sep(w);
    buf_append(w->b, tmp, (size_t)n);
}

void jw_bool(struct jw *w, int v)
{
    sep(w);
    buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
    sep(w);
    buf_puts(w->b, "null");
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
    sep(w);
    buf_append(w->b, json, n);
}

void jw_time(struct jw *w, int64_t unix_s)
{
    if (unix_s < 0) {
        jw_null(w);
        return;
    }
    char tmp[32];
    time_iso(unix_s, tmp, sizeof tmp);
    sep(w);
    buf_putc(w->b, '"');
    buf_puts(w->b, tmp);
    buf_putc(w->b, '"');
}

void jw_kstr(struct jw *w, const char *k, const char *s)
{
    jw_key(w, k);
    jw_str(w, s);
}

void jw_ki64(struct jw *w, const char *k, int64_t v)
{
    jw_key(w, k);
    jw_i64(w, v);
}

void jw_ki64n(struct jw *w, const char *k, int64_t v, int is_null)
{
    jw_key(w, k);
    if (is_null)
        jw_null(w);
    else
        jw_i64(w, v);
}

void jw_kbool(struct jw *w, const char *k, int v)
{
    jw_key(w, k);
    jw_bool(w, v);
}

void jw_ktime(struct jw *w, const char *k, int64_t unix_s)
{
    jw_key(w, k);
    jw_time(w, unix_s);
}

void jw_kfixed(struct jw *w, const char *k, int64_t v, int decimals)
{
    jw_key(w, k);
    jw_fixed(w, v, decimals);
}

size_t jw_format_fixed(char out[JW_FIXED_MAX], int64_t v, int decimals, int trim)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 18)
        decimals = 18;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char digits[24];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (nd <= decimals)
        digits[nd++] = '0'; /* at least one digit before the point */
    int first = 0;          /* with trim, trailing zeros of the fraction are dropped */
    while (trim && first < decimals && digits[first] == '0')
        first++;
    size_t n = 0;
    if (v < 0)
        out[n++] = '-';
    for (int i = nd - 1; i >= decimals; i--)
        out[n++] = digits[i];
    if (first < decimals) {
        out[n++] = '.';
        for (int i = decimals - 1; i >= first; i--)
            out[n++] = digits[i];
    }
    out[n] = 0;
    return n;
}

void jw_fixed(struct jw *w, int64_t v, int decimals)
{
    char tmp[JW_FIXED_MAX];
    size_t n = jw_format_fixed(tmp, v, decimals, 1);
    jw_raw(w, tmp, n);
}
