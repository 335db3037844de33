/* jw.h -- a streaming JSON writer over struct buf.
 *
 * Responses are written straight into the output buffer: no tree, no second pass. Commas and
 * nesting are tracked here; the caller only says what comes next. Strings are escaped per
 * RFC 8259 and must be valid UTF-8 (everything stored was validated on the way in; invalid
 * bytes are replaced by U+FFFD so the output is always valid JSON). */
#ifndef KAM_JW_H
#define KAM_JW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JW_MAX_DEPTH 32

struct jw {
    struct buf *b;
    int depth;
    unsigned char first[JW_MAX_DEPTH]; /* 1 until the first member at that depth */
    int after_key;
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/* Object key; the next value call writes its value. */
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v); /* non-finite writes null */
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Already-serialised JSON text, inserted as one value (trusted input only). */
void jw_raw(struct jw *w, const char *json, size_t n);
/* ISO 8601 UTC time from unix seconds ("YYYY-MM-DDTHH:MM:SSZ"); v < 0 writes null. */
void jw_time(struct jw *w, int64_t unix_s);

/* Shorthands: key + value. */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_ki64(struct jw *w, const char *k, int64_t v);
/* key + integer, or null when is_null. */
void jw_ki64n(struct jw *w, const char *k, int64_t v, int is_null);
void jw_kbool(struct jw *w, const char *k, int v);
void jw_ktime(struct jw *w, const char *k, int64_t unix_s);
/* v / 10^decimals as an exact JSON number: jw_kfixed(w, "quantity", 12500, 3) writes 12.5. */
void jw_kfixed(struct jw *w, const char *k, int64_t v, int decimals);
void jw_fixed(struct jw *w, int64_t v, int decimals);
/* v / 10^decimals as text (decimals 0..18): with trim as jw_fixed writes it ("12.5", "-0.01",
 * "3"), without it every decimal ("12.500"). Returns the length. */
#define JW_FIXED_MAX 48
size_t jw_format_fixed(char out[JW_FIXED_MAX], int64_t v, int decimals, int trim);

/* Appends the escaped JSON string literal (with quotes) of s[0..n) to b. */
void jw_escape(struct buf *b, const char *s, size_t n);

#endif
