/* password.h -- the rules every new password meets, wherever it is set (API, CLI, demo).
 *
 * One function decides, so `kam user add`, `kam user passwd`, POST/PATCH /users and
 * POST /me/password cannot drift apart. */
#ifndef KAM_PASSWORD_H
#define KAM_PASSWORD_H

#include <stddef.h>

#include "ctx.h"

#define PASSWORD_MIN_CHARS 10  /* code points */
#define PASSWORD_MAX_CHARS 200 /* argon2 takes anything; this caps the work per request */
#define PASSWORD_LOGIN_MIN 3   /* logins this long or longer may not appear in the password */

/* KAM_OK if pw may become the password of `login` (may be NULL or "" when not known yet);
 * otherwise KAM_EINVAL naming `field`:
 *   - fewer than PASSWORD_MIN_CHARS or more than PASSWORD_MAX_CHARS code points, invalid UTF-8
 *     or control characters;
 *   - on the list of commonly used passwords (password_is_common);
 *   - containing the login, ignoring ASCII case, when the login has PASSWORD_LOGIN_MIN or more
 *     characters. */
enum kam_err password_check(struct kam_ctx *ctx, const char *field, const char *login,
                            const char *pw);

/* 1 if pw, ignoring ASCII case, is one of the commonly used passwords of password_list.c. */
int password_is_common(const char *pw);

/* The list itself (password_list.c): lower case, sorted by bytes (strcmp), no duplicates,
 * every entry at least PASSWORD_MIN_CHARS characters long (shorter ones are refused by length
 * already). */
extern const char *const password_common[];
extern const size_t password_common_count;

#endif
