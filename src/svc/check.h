/* check.h -- field validation shared by every service. Each check names the field on failure. */
#ifndef KAM_CHECK_H
#define KAM_CHECK_H

#include <stdint.h>

#include "ctx.h"

/* s must be valid UTF-8 without control characters other than \n \r \t (only when multiline),
 * with min_chars..max_chars code points. NULL counts as "". */
enum kam_err check_text(struct kam_ctx *ctx, const char *field, const char *s, int min_chars,
                        int max_chars, int multiline);
/* s must be one of vals (NULL-terminated). */
enum kam_err check_enum(struct kam_ctx *ctx, const char *field, const char *s,
                        const char *const *vals);
enum kam_err check_range(struct kam_ctx *ctx, const char *field, int64_t v, int64_t min,
                         int64_t max);
/* "YYYY-MM-DD", a real date. */
enum kam_err check_date(struct kam_ctx *ctx, const char *field, const char *s);
/* "" or local@domain with one '@', no spaces, <= 254 chars. */
enum kam_err check_email(struct kam_ctx *ctx, const char *field, const char *s);
/* Three upper-case ASCII letters (ISO 4217 shape). */
enum kam_err check_currency(struct kam_ctx *ctx, const char *field, const char *s);
/* 1 if s is in vals. */
int check_in(const char *s, const char *const *vals);

#endif
