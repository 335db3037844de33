/* auth.h -- logging in, sessions, API tokens and the failed-login limits.
 *
 * Everything lives in the database so several kam serve instances share it. Secrets (session
 * cookies, API tokens) are 256-bit random values; only their BLAKE2b hashes are stored. */
#ifndef KAM_AUTH_H
#define KAM_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "user.h"

#define AUTH_LOGIN_MAX_FAILS 5 /* per login ... */
#define AUTH_ADDR_MAX_FAILS 20 /* ... and per address ... */
#define AUTH_FAIL_WINDOW 900   /* ... within 15 minutes */
#define AUTH_DEFAULT_TTL 28800 /* session lifetime, seconds */

struct session {
    const char *token; /* the cookie value: only known at login */
    const char *csrf;
    int64_t expires_at;
    struct user user;
};

/* Checks login+password (rate limited per login and per addr) and opens a session of ttl
 * seconds. KAM_EAUTH on a wrong login or password, KAM_ELIMIT when limited. */
enum kam_err auth_login(struct kam_ctx *ctx, const char *login, const char *password,
                        const char *addr, int64_t ttl, struct session *out);
/* Resolves a session cookie into the caller; KAM_EAUTH if unknown, expired or disabled. */
enum kam_err auth_session(struct kam_ctx *ctx, const char *token, struct session *out);
enum kam_err auth_logout(struct kam_ctx *ctx, const char *token);
/* Resolves an API token (Authorization: Bearer); KAM_EAUTH if unknown or revoked. */
enum kam_err auth_bearer(struct kam_ctx *ctx, const char *token, struct user *out);
/* Changes the caller's password after checking the old one; the caller's other sessions end,
 * the one with cookie value `session_token` (may be NULL) stays. */
enum kam_err auth_change_password(struct kam_ctx *ctx, const char *old_pw, const char *new_pw,
                                  const char *session_token);

/* A new random secret "<prefix><43 base64url chars>" (256 bits), in ctx->a. */
char *auth_new_secret(struct kam_ctx *ctx, const char *prefix);
/* Hex BLAKE2b-256 of a secret: what the database keeps instead of it. In ctx->a. */
char *auth_secret_hash(struct kam_ctx *ctx, const char *secret);

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
