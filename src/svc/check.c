/* check.c -- field validation. */
#include "check.h"

#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"

enum kam_err check_text(struct kam_ctx *ctx, const char *field, const char *s, int min_chars,
                        int max_chars, int multiline)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s is not valid UTF-8", field);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* C1 controls U+0080..U+009F are UTF-8 C2 80..C2 9F. */
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9f)
            return kam_fail(ctx->err, KAM_EINVAL, field, "%s contains a control character", field);
        if (c < 0x20 || c == 0x7f) {
            if (multiline && (c == '\n' || c == '\r' || c == '\t'))
                continue;
            return kam_fail(ctx->err, KAM_EINVAL, field, "%s contains a control character", field);
        }
    }
    size_t chars = utf8_chars(s, n);
    if (chars < (size_t)min_chars)
        return kam_fail(ctx->err, KAM_EINVAL, field,
                        min_chars == 1 ? "%s is required" : "%s is too short", field);
    if (chars > (size_t)max_chars)
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s is longer than %d characters", field,
                        max_chars);
    return KAM_OK;
}

int check_in(const char *s, const char *const *vals)
{
    for (; s && *vals; vals++)
        if (strcmp(s, *vals) == 0)
            return 1;
    return 0;
}

enum kam_err check_enum(struct kam_ctx *ctx, const char *field, const char *s,
                        const char *const *vals)
{
    if (check_in(s, vals))
        return KAM_OK;
    char list[160] = "";
    for (; *vals; vals++) {
        if (*list)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, *vals, sizeof list - strlen(list) - 1);
    }
    return kam_fail(ctx->err, KAM_EINVAL, field, "%s must be one of: %s", field, list);
}

enum kam_err check_range(struct kam_ctx *ctx, const char *field, int64_t v, int64_t min,
                         int64_t max)
{
    if (v < min || v > max)
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s must be between %lld and %lld", field,
                        (long long)min, (long long)max);
    return KAM_OK;
}

enum kam_err check_date(struct kam_ctx *ctx, const char *field, const char *s)
{
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d) != 0)
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s must be a date YYYY-MM-DD", field);
    return KAM_OK;
}

enum kam_err check_email(struct kam_ctx *ctx, const char *field, const char *s)
{
    enum kam_err rc = check_text(ctx, field, s, 0, 254, 0);
    if (rc || !s || !*s)
        return rc;
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strchr(s, ' '))
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s is not an e-mail address", field);
    return KAM_OK;
}

enum kam_err check_currency(struct kam_ctx *ctx, const char *field, const char *s)
{
    if (!s || strlen(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
        s[2] < 'A' || s[2] > 'Z')
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s must be a 3-letter ISO 4217 code", field);
    return KAM_OK;
}
