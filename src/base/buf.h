/* buf.h -- a growable byte buffer with a hard cap.
 *
 * Output that is built piece by piece (JSON responses, SQL fragments, CSV) goes into a buf.
 * Appends past the cap set the overflow flag and are dropped, so a caller checks once at the
 * end (buf_ok) instead of after every append. */
#ifndef KAM_BUF_H
#define KAM_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
    char *data; /* NUL-terminated when non-NULL; owned, malloc'd */
    size_t len, cap, max;
    int overflow;
};

/* Empty buffer that will never grow past max bytes; never allocates. */
void buf_init(struct buf *b, size_t max);
/* Frees the contents, not b. */
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_append_slow(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);

/* Appends are on every response's hot path: the common case (room left) is inline. */
static inline void buf_append(struct buf *b, const void *p, size_t n)
{
    if (b->len + n < b->cap && !b->overflow && b->len + n <= b->max) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = 0;
        return;
    }
    buf_append_slow(b, p, n);
}

static inline void buf_putc(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when nothing was dropped. */
int buf_ok(const struct buf *b);
/* Hands the malloc'd data to the caller (free() it) and leaves b empty; "" if nothing. */
char *buf_steal(struct buf *b, size_t *len_out);

#endif
