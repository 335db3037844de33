/* buf.c -- growable byte buffer with a cap. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->overflow = 0;
}

void buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->overflow = 0;
    if (b->data)
        b->data[0] = 0;
}

static int grow(struct buf *b, size_t n)
{
    if (b->overflow)
        return 0;
    if (n > b->max || b->len > b->max - n) {
        b->overflow = 1;
        return 0;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        fputs("kam: out of memory\n", stderr);
        abort();
    }
    b->data = d;
    b->cap = cap;
    return 1;
}

void buf_append_slow(struct buf *b, const void *p, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        buf_append(b, tmp, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int buf_ok(const struct buf *b)
{
    return !b->overflow;
}

char *buf_steal(struct buf *b, size_t *len_out)
{
    if (!b->data || b->overflow) {
        /* Nothing usable: hand out an empty string rather than NULL or a partial text. */
        free(b->data);
        b->data = malloc(1);
        if (!b->data) {
            fputs("kam: out of memory\n", stderr);
            abort();
        }
        b->data[0] = 0;
        b->len = 0;
    }
    char *d = b->data;
    if (len_out)
        *len_out = b->len;
    buf_init(b, b->max);
    return d;
}
