/* password.c -- the password rules: length, the common-password list, not the login. */
#include "password.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int cmp_entry(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int password_is_common(const char *pw)
{
    /* Every entry is shorter than this: a longer password cannot be on the list. */
    char low[64];
    size_t n = strlen(pw);
    if (n >= sizeof low)
        return 0;
    for (size_t i = 0; i <= n; i++)
        low[i] = lower(pw[i]);
    return bsearch(low, password_common, password_common_count, sizeof password_common[0],
                   cmp_entry) != NULL;
}

/* 1 if needle occurs in hay, ignoring ASCII case (logins are ASCII; other bytes must match). */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);
    for (size_t i = 0; n && i + n <= h; i++) {
        size_t j = 0;
        while (j < n && lower(hay[i + j]) == lower(needle[j]))
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

enum kam_err password_check(struct kam_ctx *ctx, const char *field, const char *login,
                            const char *pw)
{
    enum kam_err rc =
        check_text(ctx, field, pw, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, CHECK_SECRET);
    if (rc)
        return rc;
    if (password_is_common(pw))
        return kam_fail(ctx->err, KAM_EINVAL, field,
                        "%s is one of the most commonly used passwords; choose another", field);
    if (login && strlen(login) >= PASSWORD_LOGIN_MIN && contains_nocase(pw, login))
        return kam_fail(ctx->err, KAM_EINVAL, field, "%s must not contain the login", field);
    return KAM_OK;
}
