/* auth.h -- logging in, sessions, API tokens and the failed-attempt throttle.
 *
 * Everything lives in the database so several kam serve instances share it. Secrets (session
 * cookies, API tokens) are 256-bit random values; only their BLAKE2b hashes are stored. */
#ifndef KAM_AUTH_H
#define KAM_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "user.h"

/* Failed-attempt throttling (logins and the old password of a password change), per client
 * address, so that an attacker elsewhere cannot lock a user out:
 *   - one login from one address: AUTH_PAIR_FREE attempts, then one attempt after each growing
 *     delay (AUTH_BACKOFF_FIRST seconds, doubling, at most AUTH_BACKOFF_MAX); forgotten after
 *     AUTH_PAIR_FORGET seconds without an attempt, cleared by a right password;
 *   - one address across logins (password spraying): AUTH_ADDR_MAX_FAILS per AUTH_FAIL_WINDOW;
 *   - one login across addresses it has not logged in from within AUTH_KNOWN_TTL (a
 *     distributed attack): AUTH_LOGIN_MAX_FAILS_ALL per AUTH_FAIL_WINDOW. Addresses the user
 *     logged in from keep working.
 * Every attempt is counted before its password is verified; a refused one runs no argon2 and
 * counts nothing; a right password gives its attempt back. */
#define AUTH_PAIR_FREE 5
#define AUTH_BACKOFF_FIRST 60
#define AUTH_BACKOFF_MAX 900
#define AUTH_PAIR_FORGET 3600
#define AUTH_ADDR_MAX_FAILS 20
#define AUTH_LOGIN_MAX_FAILS_ALL 50
#define AUTH_FAIL_WINDOW 900
#define AUTH_KNOWN_TTL (30 * 86400)
#define AUTH_DEFAULT_TTL 28800 /* session lifetime, seconds */

struct session {
    const char *token; /* the cookie value: only known at login */
    const char *csrf;
    int64_t expires_at;
    struct user user;
    int64_t retry_after; /* after KAM_ELIMIT: seconds until one more attempt is allowed */
};

/* Checks login+password and opens a session of ttl seconds. addr: the client address (NULL or ""
 * when there is none). KAM_EAUTH on a wrong login or password, or a disabled user; KAM_ELIMIT
 * (field "login", out->retry_after set) when throttled: the password is then not checked. */
enum kam_err auth_login(struct kam_ctx *ctx, const char *login, const char *password,
                        const char *addr, int64_t ttl, struct session *out);
/* Resolves a session cookie into the caller; KAM_EAUTH if unknown, expired or disabled. */
enum kam_err auth_session(struct kam_ctx *ctx, const char *token, struct session *out);
enum kam_err auth_logout(struct kam_ctx *ctx, const char *token);
/* Resolves an API token (Authorization: Bearer); KAM_EAUTH if unknown or revoked. */
enum kam_err auth_bearer(struct kam_ctx *ctx, const char *token, struct user *out);
/* Changes the caller's password after checking the old one (throttled like a login of the caller
 * from addr, which may be NULL). The new one must pass password_check (field "new_password").
 * In the same transaction the caller's API tokens are revoked and their other sessions end; the
 * one with cookie value `session_token` (may be NULL) stays. KAM_EINVAL "old_password" when the
 * old one is wrong; KAM_ELIMIT "old_password" when throttled (*retry_after_out, may be NULL). */
enum kam_err auth_change_password_from(struct kam_ctx *ctx, const char *old_pw, const char *new_pw,
                                       const char *session_token, const char *addr,
                                       int64_t *retry_after_out);
/* auth_change_password_from without a client address. */
enum kam_err auth_change_password(struct kam_ctx *ctx, const char *old_pw, const char *new_pw,
                                  const char *session_token);

/* A new random secret "<prefix><43 base64url chars>" (256 bits), in ctx->a. */
char *auth_new_secret(struct kam_ctx *ctx, const char *prefix);
/* Hex BLAKE2b-256 of a secret: what the database keeps instead of it. In ctx->a. */
char *auth_secret_hash(struct kam_ctx *ctx, const char *secret);
/* The address a throttle key names: IPv4 as it is, IPv6 by its /64 ("2001:db8::/64"); "" for
 * NULL. In ctx->a. Also the public survey routes' key (svc/needs/survey_answer.c). */
const char *auth_throttle_addr(struct kam_ctx *ctx, const char *addr);

struct api_token {
    int64_t id, user_id, created_at, revoked_at;
    int revoked;
    const char *name;
    const char *token; /* the secret, only from token_create */
};

enum kam_err token_create(struct kam_ctx *ctx, const char *name, struct api_token *out);
/* The caller's tokens, newest first. */
enum kam_err token_list(struct kam_ctx *ctx, struct api_token **items_out, size_t *n_out);
/* Revokes one of the caller's tokens; KAM_ENOTFOUND for anyone else's. */
enum kam_err token_revoke(struct kam_ctx *ctx, int64_t id);

#endif
