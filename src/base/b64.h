/* b64.h -- base64url without padding (RFC 4648 §5), for opaque cursors and tokens. */
#ifndef KAM_B64_H
#define KAM_B64_H

#include <stddef.h>

/* Encodes src[0..n) into out (needs 4*ceil(n/3)+1 bytes); returns the length written. */
size_t b64url_encode(const unsigned char *src, size_t n, char *out);
/* Decodes s[0..n) into out (needs 3*n/4+1 bytes); returns the length or -1 if s is not
 * canonical base64url. */
long b64url_decode(const char *s, size_t n, unsigned char *out);

#endif
