/* utf8.h -- UTF-8 validation and character counting (RFC 3629: no overlongs, no surrogates). */
#ifndef KAM_UTF8_H
#define KAM_UTF8_H

#include <stddef.h>

/* Length (1..4) of the valid UTF-8 sequence at s (n bytes available), or 0 if invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t n);
/* 1 if s[0..n) is valid UTF-8 with no NUL byte. */
int utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n). */
size_t utf8_chars(const char *s, size_t n);
/* 1 if s (NUL-terminated; NULL counts as empty) holds nothing but white space: ASCII space, tab,
 * CR, LF, FF, VT, U+00A0 NO-BREAK SPACE and U+3000 IDEOGRAPHIC SPACE (what a Chinese keyboard
 * types). */
int utf8_blank(const char *s);

#endif
