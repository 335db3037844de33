/* auth.c -- login, sessions, tokens, failed-login limits. */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "base/b64.h"
#include "check.h"

/* A hash to verify against when the login is unknown, so both paths cost one argon2 run and
 * response time does not tell which logins exist. Computed once, lazily. */
static char dummy_hash[128];
static int dummy_ready;

static const char *dummy(struct kam_ctx *ctx)
{
    if (!__atomic_load_n(&dummy_ready, __ATOMIC_ACQUIRE)) {
        char h[128];
        if (user_hash_password(ctx, "not-a-password-0123456789", h) == KAM_OK) {
            memcpy(dummy_hash, h, sizeof h);
            __atomic_store_n(&dummy_ready, 1, __ATOMIC_RELEASE);
        }
    }
    return dummy_hash;
}

/* "kam_" + base64url(32 random bytes) */
char *auth_new_secret(struct kam_ctx *ctx, const char *prefix)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char enc[48];
    b64url_encode(raw, sizeof raw, enc);
    return arena_printf(ctx->a, "%s%s", prefix, enc);
}

/* Hex BLAKE2b-256 of a secret: what the database keeps. */
char *auth_secret_hash(struct kam_ctx *ctx, const char *secret)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
    char *hex = arena_alloc(ctx->a, 65);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return hex;
}

static enum kam_err fails_get(struct kam_ctx *ctx, const char *key, int64_t *count)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT count FROM login_failures WHERE key = ? AND window_start > ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    db_bind_i64(st, 2, ctx->now - AUTH_FAIL_WINDOW);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *count = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

static enum kam_err fails_add(struct kam_ctx *ctx, const char *key)
{
    struct db_stmt *st;
    /* A window older than AUTH_FAIL_WINDOW restarts at 1. */
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO login_failures (key, window_start, count) VALUES (?, ?, 1) "
        "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN login_failures.window_start > ? THEN "
        "login_failures.count + 1 ELSE 1 END, window_start = CASE WHEN "
        "login_failures.window_start > ? THEN login_failures.window_start ELSE ? END",
        &st, ctx->err);
    if (rc)
        return rc;
    int64_t cutoff = ctx->now - AUTH_FAIL_WINDOW;
    db_bind_text(st, 1, key);
    db_bind_i64(st, 2, ctx->now);
    db_bind_i64(st, 3, cutoff);
    db_bind_i64(st, 4, cutoff);
    db_bind_i64(st, 5, ctx->now);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    return rc;
}

static enum kam_err fails_clear(struct kam_ctx *ctx, const char *key)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "DELETE FROM login_failures WHERE key = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    return rc;
}

static enum kam_err record_failure(struct kam_ctx *ctx, const char *lkey, const char *akey)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    rc = fails_add(ctx, lkey);
    if (!rc && akey)
        rc = fails_add(ctx, akey);
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err auth_login(struct kam_ctx *ctx, const char *login, const char *password,
                        const char *addr, int64_t ttl, struct session *out)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "login", login, 1, 64, 0)) ||
        (rc = check_text(ctx, "password", password, 1, 200, 0)))
        return rc;
    const char *lkey = arena_printf(ctx->a, "login:%s", login);
    const char *akey = addr && *addr ? arena_printf(ctx->a, "addr:%s", addr) : NULL;
    int64_t lfails = 0, afails = 0;
    if ((rc = fails_get(ctx, lkey, &lfails)) || (akey && (rc = fails_get(ctx, akey, &afails))))
        return rc;
    if (lfails >= AUTH_LOGIN_MAX_FAILS || afails >= AUTH_ADDR_MAX_FAILS)
        return kam_fail(ctx->err, KAM_ELIMIT, "login",
                        "too many failed logins; try again in 15 minutes");

    struct user u;
    char hash[128] = "";
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT id, password_hash, disabled FROM users WHERE login = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, login);
    int row = 0, disabled = 0;
    int64_t uid = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        uid = db_col_i64(st, 0);
        snprintf(hash, sizeof hash, "%s", db_col_text(st, 1));
        disabled = (int)db_col_i64(st, 2);
    }
    db_done(st);
    if (rc)
        return rc;
    int ok = user_password_ok(row ? hash : dummy(ctx), password) && row && !disabled;
    if (!ok) {
        if ((rc = record_failure(ctx, lkey, akey)))
            return rc;
        return kam_fail(ctx->err, KAM_EAUTH, "login", "wrong login or password");
    }
    if ((rc = user_get(ctx, uid, &u)))
        return rc;

    const char *token = auth_new_secret(ctx, "s_");
    const char *csrf = auth_new_secret(ctx, "c_");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    rc = fails_clear(ctx, lkey);
    if (!rc) {
        /* Expired sessions go when anyone logs in: the table stays small without a cron. */
        rc = db_prepare(ctx->db, "DELETE FROM sessions WHERE expires_at <= ?", &st, ctx->err);
        if (!rc) {
            db_bind_i64(st, 1, ctx->now);
            rc = db_step(st, &row, ctx->err);
            db_done(st);
        }
    }
    if (!rc)
        rc = db_prepare(ctx->db,
                        "INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES "
                        "(?, ?, ?, ?, ?)",
                        &st, ctx->err);
    if (!rc) {
        db_bind_text(st, 1, auth_secret_hash(ctx, token));
        db_bind_i64(st, 2, uid);
        db_bind_text(st, 3, csrf);
        db_bind_i64(st, 4, ctx->now);
        db_bind_i64(st, 5, ctx->now + ttl);
        rc = db_step(st, &row, ctx->err);
        db_done(st);
    }
    if ((rc = db_end(ctx->db, rc, ctx->err)))
        return rc;
    out->token = token;
    out->csrf = csrf;
    out->expires_at = ctx->now + ttl;
    out->user = u;
    return KAM_OK;
}

enum kam_err auth_session(struct kam_ctx *ctx, const char *token, struct session *out)
{
    if (!token || strlen(token) > 100)
        return kam_fail(ctx->err, KAM_EAUTH, "", "not logged in");
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT s.user_id, s.csrf, s.expires_at, u.login, u.role, "
                                 "u.disabled FROM sessions s JOIN users u ON u.id = s.user_id "
                                 "WHERE s.id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, auth_secret_hash(ctx, token));
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int valid = 0;
    if (!rc && row) {
        memset(out, 0, sizeof *out);
        out->user.id = db_col_i64(st, 0);
        out->csrf = arena_strdup(ctx->a, db_col_text(st, 1));
        out->expires_at = db_col_i64(st, 2);
        out->user.login = arena_strdup(ctx->a, db_col_text(st, 3));
        out->user.role = arena_strdup(ctx->a, db_col_text(st, 4));
        valid = out->expires_at > ctx->now && !db_col_i64(st, 5);
    }
    db_done(st);
    if (rc)
        return rc;
    if (!valid)
        return kam_fail(ctx->err, KAM_EAUTH, "", "session expired or unknown; log in again");
    return KAM_OK;
}

enum kam_err auth_logout(struct kam_ctx *ctx, const char *token)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "DELETE FROM sessions WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, auth_secret_hash(ctx, token));
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    return rc;
}

enum kam_err auth_bearer(struct kam_ctx *ctx, const char *token, struct user *out)
{
    if (!token || strlen(token) > 100)
        return kam_fail(ctx->err, KAM_EAUTH, "Authorization", "invalid API token");
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT u.id, u.login, u.role, u.disabled FROM api_tokens t "
                                 "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND "
                                 "t.revoked_at IS NULL",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, auth_secret_hash(ctx, token));
    int row = 0, valid = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        memset(out, 0, sizeof *out);
        out->id = db_col_i64(st, 0);
        out->login = arena_strdup(ctx->a, db_col_text(st, 1));
        out->role = arena_strdup(ctx->a, db_col_text(st, 2));
        valid = !db_col_i64(st, 3);
    }
    db_done(st);
    if (rc)
        return rc;
    if (!valid)
        return kam_fail(ctx->err, KAM_EAUTH, "Authorization", "invalid or revoked API token");
    return KAM_OK;
}

enum kam_err auth_change_password(struct kam_ctx *ctx, const char *old_pw, const char *new_pw,
                                  const char *session_token)
{
    enum kam_err rc;
    if ((rc = check_text(ctx, "old_password", old_pw, 1, 200, 0)))
        return rc;
    char hash[128] = "";
    int64_t uid = ctx->who.user_id;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, "SELECT password_hash FROM users WHERE id = ?", &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, uid);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        snprintf(hash, sizeof hash, "%s", db_col_text(st, 0));
    db_done(st);
    if (rc)
        return rc;
    if (!row || !user_password_ok(hash, old_pw))
        return kam_fail(ctx->err, KAM_EINVAL, "old_password", "the current password is wrong");
    struct user_in in = {.set = USR_PASSWORD, .password = new_pw};
    if (session_token)
        in.keep_session = auth_secret_hash(ctx, session_token);
    struct user u;
    rc = user_update(ctx, uid, &in, &u);
    if (rc == KAM_EINVAL && strcmp(ctx->err->field, "password") == 0)
        snprintf(ctx->err->field, sizeof ctx->err->field, "new_password");
    return rc;
}

enum kam_err token_create(struct kam_ctx *ctx, const char *name, struct api_token *out)
{
    enum kam_err rc = check_text(ctx, "name", name, 1, 100, 0);
    if (rc)
        return rc;
    const char *secret = auth_new_secret(ctx, "kam_");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES "
                    "(?, ?, ?, ?) RETURNING id",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, auth_secret_hash(ctx, secret));
    db_bind_i64(st, 4, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    memset(out, 0, sizeof *out);
    if (!rc && row)
        out->id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    out->user_id = ctx->who.user_id;
    out->name = name;
    out->token = secret;
    out->created_at = ctx->now;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "name", NULL, name);
    audit_diff_i64(&d, "user_id", 0, 1, ctx->who.user_id, 0);
    rc = audit_write(ctx, "token", out->id, 0, "create", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err token_list(struct kam_ctx *ctx, struct api_token **items_out, size_t *n_out)
{
    int64_t count = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM api_tokens WHERE user_id = ?", 1,
                                   ctx->who.user_id, &count, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT id, user_id, name, created_at, revoked_at FROM api_tokens "
                         "WHERE user_id = ? ORDER BY id DESC",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    struct api_token *items = arena_calloc(ctx->a, (size_t)count + 1, sizeof *items);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < (size_t)count) {
        struct api_token *t = &items[n++];
        t->id = db_col_i64(st, 0);
        t->user_id = db_col_i64(st, 1);
        t->name = arena_strdup(ctx->a, db_col_text(st, 2));
        t->created_at = db_col_i64(st, 3);
        t->revoked = !db_col_is_null(st, 4);
        t->revoked_at = t->revoked ? db_col_i64(st, 4) : 0;
    }
    db_done(st);
    *items_out = items;
    *n_out = n;
    return rc;
}

enum kam_err token_revoke(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND "
                    "revoked_at IS NULL",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, id);
    db_bind_i64(st, 3, ctx->who.user_id);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (!rc && db_changes(ctx->db) != 1)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such token");
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_time(&d, "revoked_at", 0, 1, ctx->now, 0);
    rc = audit_write(ctx, "token", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}
