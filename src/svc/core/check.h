/* check.h -- field validation shared by every service. Each check names the field on failure. */
#ifndef KAM_CHECK_H
#define KAM_CHECK_H

#include <stdint.h>

#include "ctx.h"

/* What a text field holds (check_text's last argument). */
enum {
    CHECK_LINE = 0,      /* one line that names or shows something: a name, title, code */
    CHECK_MULTILINE = 1, /* free text: \n \r \t and U+2028/U+2029 allowed */
    CHECK_SECRET = 2,    /* a password: one line, never displayed, so bidi controls and
                          * U+2028/U+2029 do no harm and a stored one keeps working */
};
/* s must be valid UTF-8 without control characters other than \n \r \t (CHECK_MULTILINE),
 * without the bidirectional embedding, override and isolate controls U+202A-U+202E and
 * U+2066-U+2069 (except CHECK_SECRET), without U+2028/U+2029 (CHECK_LINE), with
 * min_chars..max_chars code points. NULL counts as "". KAM_EINVAL naming field. */
enum kam_err check_text(struct kam_ctx *ctx, const char *field, const char *s, int min_chars,
                        int max_chars, int multiline);
/* A required text of one line: check_text(1..max_chars, CHECK_LINE) and not blank; a blank one
 * is KAM_EINVAL "required" naming field. */
enum kam_err check_line(struct kam_ctx *ctx, const char *field, const char *s, int max_chars);
/* KAM_OK when bit is in set (the body gave the field), else KAM_EINVAL "required" naming it. */
enum kam_err check_given(struct kam_ctx *ctx, unsigned set, unsigned bit, const char *field);
/* s must be one of vals (NULL-terminated). */
enum kam_err check_enum(struct kam_ctx *ctx, const char *field, const char *s,
                        const char *const *vals);
enum kam_err check_range(struct kam_ctx *ctx, const char *field, int64_t v, int64_t min,
                         int64_t max);
/* "YYYY-MM-DD", a real date. */
enum kam_err check_date(struct kam_ctx *ctx, const char *field, const char *s);
/* "" or one plain address of a host with two or more labels (check_addr_spec(s, 2)). */
enum kam_err check_email(struct kam_ctx *ctx, const char *field, const char *s);
/* 1 if s is one plain RFC 5321 addr-spec and nothing else: a dot-atom local part of <= 64
 * characters, '@', a host name of min_labels or more letter/digit/hyphen labels (the last not
 * all digits), <= 254 in all; no display name, angle brackets, quotes, comments, spaces,
 * commas or semicolons; ASCII only (no SMTPUTF8). */
int check_addr_spec(const char *s, int min_labels);
/* Three upper-case ASCII letters (ISO 4217 shape). */
enum kam_err check_currency(struct kam_ctx *ctx, const char *field, const char *s);
/* 1 if s is in vals. */
int check_in(const char *s, const char *const *vals);

#endif
