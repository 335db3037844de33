/* auth.c -- login, sessions, tokens, failed-login limits. */
#include "auth.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "base/b64.h"
#include "base/log.h"
#include "check.h"
#include "password.h"
#include "store/db.h"

/* A hash to verify against when the login is unknown, so both paths cost one argon2 run and
 * response time does not tell which logins exist. Computed once, lazily. */
static char dummy_hash[128];
static int dummy_ready;
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;

/* The first callers wait for the one computation (a mutex, so no thread reads a hash another is
 * still writing); afterwards the flag is read without the lock. */
static const char *dummy(struct kam_ctx *ctx)
{
    if (!__atomic_load_n(&dummy_ready, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&dummy_lock);
        char h[128];
        if (!__atomic_load_n(&dummy_ready, __ATOMIC_ACQUIRE) &&
            user_hash_password(ctx, "not-a-password-0123456789", h) == KAM_OK) {
            memcpy(dummy_hash, h, sizeof h);
            __atomic_store_n(&dummy_ready, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&dummy_lock);
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

/* ---- the failed-attempt throttle ----
 *
 * Rows of login_failures (migrations 0001, 0007), by key:
 *   "pair:LOGIN ADDR"  one login from one address: back-off (count, last_at, next_at)
 *   "addr:ADDR"        one address across logins: count in the window from window_start
 *   "login:LOGIN"      one login from addresses it has not logged in from: the same
 *   "ok:LOGIN ADDR"    last_at: the last successful login of LOGIN from ADDR
 * Logins are at most 64 characters and addresses hold no space, so a key names one pair.
 *
 * The race: an attempt is counted BEFORE its password is verified, by an upsert whose WHERE is
 * the limit (INSERT ... ON CONFLICT DO UPDATE ... WHERE count < limit ... RETURNING). It takes
 * the row lock on PostgreSQL and the write lock on SQLite, so parallel attempts, on several
 * instances too, are counted one after another and no more than the limit get through to
 * argon2. The keys of one attempt are reserved in one transaction, always in the order pair,
 * addr, login; when one refuses, the transaction rolls back and the attempt counts nothing. */

struct throttle {
    const char *pair, *addr, *login, *ok; /* addr NULL when there is no client address */
    int known;                            /* ADDR logged in as LOGIN lately: no per-login limit */
};

/* The address a throttle key names: an IPv4 address as it is, an IPv6 one by its /64 (one
 * host usually holds a whole /64, so per-/128 limits would be no limit at all). */
const char *auth_throttle_addr(struct kam_ctx *ctx, const char *addr)
{
    unsigned char a[16];
    char buf[INET6_ADDRSTRLEN];
    if (!addr || !strchr(addr, ':') || inet_pton(AF_INET6, addr, a) != 1)
        return addr ? addr : "";
    memset(a + 8, 0, 8);
    if (!inet_ntop(AF_INET6, a, buf, sizeof buf))
        return addr;
    return arena_printf(ctx->a, "%s/64", buf);
}

static void throttle_keys(struct kam_ctx *ctx, const char *login, const char *addr,
                          struct throttle *t)
{
    addr = auth_throttle_addr(ctx, addr);
    t->pair = arena_printf(ctx->a, "pair:%s %s", login, addr);
    t->addr = *addr ? arena_printf(ctx->a, "addr:%s", addr) : NULL;
    t->login = arena_printf(ctx->a, "login:%s", login);
    t->ok = arena_printf(ctx->a, "ok:%s %s", login, addr);
    t->known = 0;
}

/* Seconds to wait after the n-th attempt of a pair (n >= AUTH_PAIR_FREE): 60, 120, 240, ... */
static int64_t backoff_delay(int64_t n)
{
    int64_t d = AUTH_BACKOFF_FIRST;
    for (int64_t i = AUTH_PAIR_FREE; i < n && d < AUTH_BACKOFF_MAX; i++)
        d *= 2;
    return d < AUTH_BACKOFF_MAX ? d : AUTH_BACKOFF_MAX;
}

/* Runs sql binding key, then n (0..2) integers. */
static enum kam_err key_stmt(struct kam_ctx *ctx, const char *sql, const char *key, int n,
                             int64_t a, int64_t b)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, key);
    if (n > 0)
        db_bind_i64(st, 2, a);
    if (n > 1)
        db_bind_i64(st, 3, b);
    return db_run(st, ctx->err);
}

/* Counts one attempt on key if its limit allows: *granted 1 and the count updated, or 0 and
 * nothing changed (*retry_out: seconds until it allows one). backoff: a pair key (limit
 * AUTH_PAIR_FREE, then delays); otherwise a window key with `limit` attempts per window. */
static enum kam_err reserve(struct kam_ctx *ctx, const char *key, int backoff, int64_t limit,
                            int *granted, int64_t *retry_out)
{
    /* A pair idle for AUTH_PAIR_FORGET, a window past its end: start afresh. */
    enum kam_err rc =
        backoff ? key_stmt(ctx, "DELETE FROM login_failures WHERE key = ? AND last_at <= ?", key, 1,
                           ctx->now - AUTH_PAIR_FORGET, 0)
                : key_stmt(ctx, "DELETE FROM login_failures WHERE key = ? AND window_start <= ?",
                           key, 1, ctx->now - AUTH_FAIL_WINDOW, 0);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO login_failures (key, window_start, count, last_at, next_at) "
                         "VALUES (?, ?, 1, ?, 0) ON CONFLICT (key) DO UPDATE SET count = "
                         "login_failures.count + 1, last_at = excluded.last_at WHERE "
                         "login_failures.count < ? OR login_failures.next_at <= excluded.last_at "
                         "RETURNING count, window_start, next_at",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, key);
    db_bind_i64(st, 2, ctx->now);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, limit);
    int row = 0;
    int64_t count = 0, start = 0, next = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        count = db_col_i64(st, 0);
        start = db_col_i64(st, 1);
    }
    db_done(st);
    if (rc)
        return rc;
    *granted = row;
    if (!row) {
        /* Refused: the row is as it was; its next_at says when it opens again. */
        if ((rc = db_prepare(ctx->db, "SELECT next_at FROM login_failures WHERE key = ?", &st,
                             ctx->err)))
            return rc;
        db_bind_text(st, 1, key);
        rc = db_step(st, &row, ctx->err);
        next = !rc && row ? db_col_i64(st, 0) : ctx->now + 1;
        db_done(st);
        int64_t wait = next - ctx->now;
        if (wait > *retry_out)
            *retry_out = wait;
        return rc;
    }
    if (count < limit)
        return KAM_OK;
    /* This attempt used the last one allowed: close the key until the delay or the window
     * has passed. The row is ours (locked) until the transaction ends. */
    next = backoff ? ctx->now + backoff_delay(count) : start + AUTH_FAIL_WINDOW;
    if ((rc = db_prepare(ctx->db, "UPDATE login_failures SET next_at = ? WHERE key = ?", &st,
                         ctx->err)))
        return rc;
    db_bind_i64(st, 1, next);
    db_bind_text(st, 2, key);
    return db_run(st, ctx->err);
}

/* Counts one attempt on every key of t, or on none: KAM_ELIMIT naming field (retry seconds in
 * *retry_out) when one of them is closed. Its own transaction, committed before the caller
 * verifies the password. */
static enum kam_err throttle_reserve(struct kam_ctx *ctx, struct throttle *t, const char *field,
                                     int64_t *retry_out)
{
    *retry_out = 0;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT last_at FROM login_failures WHERE key = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, t->ok);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    t->known = !rc && row && db_col_i64(st, 0) > ctx->now - AUTH_KNOWN_TTL;
    db_done(st);
    if (rc)
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int granted = 0;
    rc = reserve(ctx, t->pair, 1, AUTH_PAIR_FREE, &granted, retry_out);
    if (!rc && granted && t->addr)
        rc = reserve(ctx, t->addr, 0, AUTH_ADDR_MAX_FAILS, &granted, retry_out);
    if (!rc && granted && !t->known)
        rc = reserve(ctx, t->login, 0, AUTH_LOGIN_MAX_FAILS_ALL, &granted, retry_out);
    if (!rc && !granted) {
        if (*retry_out < 1)
            *retry_out = 1;
        rc = kam_fail(ctx->err, KAM_ELIMIT, field,
                      "too many failed attempts; try again in %lld seconds", (long long)*retry_out);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* An attempt that came to nothing -- the database failed, or the request was refused for
 * another reason, after the reservation and before the password was judged -- is given back,
 * so that an outage cannot lock users out. Best effort, in its own transaction and with its own
 * error: the caller's error is the answer. */
static void throttle_give_back(struct kam_ctx *ctx, const struct throttle *t)
{
    struct kam_error e = {0};
    struct kam_ctx c = *ctx;
    c.err = &e;
    const char *give_back =
        "UPDATE login_failures SET count = count - 1 WHERE key = ? AND count > 0";
    enum kam_err rc = db_begin(c.db, c.err);
    if (rc == KAM_OK) {
        rc = key_stmt(&c, give_back, t->pair, 0, 0, 0);
        if (!rc && t->addr)
            rc = key_stmt(&c, give_back, t->addr, 0, 0, 0);
        if (!rc && !t->known)
            rc = key_stmt(&c, give_back, t->login, 0, 0, 0);
        rc = db_end(c.db, rc, c.err);
    }
    if (rc)
        log_warn("login throttle: an attempt could not be given back: %s", e.msg);
}

/* A right password: its attempt is given back and the pair's back-off ends; a login also marks
 * the address as known. Inside the caller's transaction. */
static enum kam_err throttle_success(struct kam_ctx *ctx, const struct throttle *t, int login)
{
    enum kam_err rc = key_stmt(ctx, "DELETE FROM login_failures WHERE key = ?", t->pair, 0, 0, 0);
    const char *give_back =
        "UPDATE login_failures SET count = count - 1 WHERE key = ? AND count > 0";
    if (!rc && t->addr)
        rc = key_stmt(ctx, give_back, t->addr, 0, 0, 0);
    if (!rc && !t->known)
        rc = key_stmt(ctx, give_back, t->login, 0, 0, 0);
    if (!rc && login)
        rc = key_stmt(ctx,
                      "INSERT INTO login_failures (key, window_start, count, last_at, next_at) "
                      "VALUES (?, ?, 0, ?, 0) ON CONFLICT (key) DO UPDATE SET last_at = "
                      "excluded.last_at",
                      t->ok, 2, ctx->now, ctx->now);
    return rc;
}

/* Rows nobody has touched for a day (a month for known addresses) are of no more use: spraying
 * many logins must not grow the table for ever. */
static enum kam_err throttle_forget(struct kam_ctx *ctx)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "DELETE FROM login_failures WHERE last_at < ? AND (last_at < ? "
                                 "OR key NOT LIKE 'ok:%')",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now - 86400);
    db_bind_i64(st, 2, ctx->now - AUTH_KNOWN_TTL);
    return db_run(st, ctx->err);
}

/* The user's id, stored hash and disabled flag for a login (row 0: no such login). */
static enum kam_err login_row(struct kam_ctx *ctx, const char *login, int *row, int64_t *uid,
                              char hash[128], int *disabled)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT id, password_hash, disabled FROM users WHERE login = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, login);
    rc = db_step(st, row, ctx->err);
    if (!rc && *row) {
        *uid = db_col_i64(st, 0);
        snprintf(hash, 128, "%s", db_col_text(st, 1));
        *disabled = (int)db_col_i64(st, 2);
    }
    db_done(st);
    return rc;
}

/* The new session's row, the throttle's success and the clean-ups, in one transaction. */
static enum kam_err open_session(struct kam_ctx *ctx, const struct throttle *t, int64_t uid,
                                 int64_t ttl, const char *token, const char *csrf)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    rc = throttle_success(ctx, t, 1);
    /* Expired sessions and stale throttle rows go when anyone logs in: the tables stay small
     * without a cron. */
    if (!rc)
        rc = db_exec_i64(ctx->db, "DELETE FROM sessions WHERE expires_at <= ?", ctx->now, ctx->err);
    if (!rc)
        rc = throttle_forget(ctx);
    struct db_stmt *st;
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
        rc = db_run(st, ctx->err);
    }
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err auth_login(struct kam_ctx *ctx, const char *login, const char *password,
                        const char *addr, int64_t ttl, struct session *out)
{
    enum kam_err rc;
    out->retry_after = 0;
    if ((rc = check_text(ctx, "login", login, 1, 64, 0)) ||
        (rc = check_text(ctx, "password", password, 1, PASSWORD_MAX_CHARS, CHECK_SECRET)))
        return rc;
    struct throttle t;
    throttle_keys(ctx, login, addr, &t);
    /* Counted first: a refused attempt stops here, before argon2. */
    if ((rc = throttle_reserve(ctx, &t, "login", &out->retry_after)))
        return rc;
    char hash[128] = "";
    int row = 0, disabled = 0;
    int64_t uid = 0;
    if ((rc = login_row(ctx, login, &row, &uid, hash, &disabled)))
        goto give_back;
    /* Unknown logins verify against a dummy hash: both paths cost one argon2 run. */
    int ok = user_password_ok(row ? hash : dummy(ctx), password) && row && !disabled;
    if (!ok)
        return kam_fail(ctx->err, KAM_EAUTH, "login", "wrong login or password");
    struct user u;
    if ((rc = user_get(ctx, uid, &u)))
        goto give_back;
    const char *token = auth_new_secret(ctx, "s_");
    const char *csrf = auth_new_secret(ctx, "c_");
    /* On failure the attempt is given back, also after a COMMIT whose outcome is unknown
     * (which may have given it back already): one extra guess in that rare moment is a smaller
     * harm than users locked out by database errors. */
    if ((rc = open_session(ctx, &t, uid, ttl, token, csrf)))
        goto give_back;
    out->token = token;
    out->csrf = csrf;
    out->expires_at = ctx->now + ttl;
    out->user = u;
    return KAM_OK;
give_back:
    throttle_give_back(ctx, &t);
    return rc;
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

enum kam_err auth_change_password_from(struct kam_ctx *ctx, const char *old_pw, const char *new_pw,
                                       const char *session_token, const char *addr,
                                       int64_t *retry_after_out)
{
    int64_t retry = 0;
    if (retry_after_out)
        *retry_after_out = 0;
    enum kam_err rc;
    if ((rc = check_text(ctx, "old_password", old_pw, 1, PASSWORD_MAX_CHARS, CHECK_SECRET)))
        return rc;
    struct user me;
    if ((rc = user_get(ctx, ctx->who.user_id, &me)))
        return rc;
    /* The new password's rules first: a refused new password costs no attempt. */
    if ((rc = password_check(ctx, "new_password", me.login, new_pw)))
        return rc;
    struct throttle t;
    throttle_keys(ctx, me.login, addr, &t);
    rc = throttle_reserve(ctx, &t, "old_password", &retry);
    if (retry_after_out)
        *retry_after_out = retry;
    if (rc)
        return rc;
    char hash[128] = "";
    int row = 0, disabled = 0;
    int64_t uid = 0;
    if ((rc = login_row(ctx, me.login, &row, &uid, hash, &disabled))) {
        throttle_give_back(ctx, &t);
        return rc;
    }
    if (!row || uid != me.id || !user_password_ok(hash, old_pw))
        return kam_fail(ctx->err, KAM_EINVAL, "old_password", "the current password is wrong");
    struct user_in in = {.set = USR_PASSWORD, .password = new_pw, .old_verified = 1};
    if (session_token)
        in.keep_session = auth_secret_hash(ctx, session_token);
    struct user u;
    /* The change and the attempt given back (the right old password gives it back; the new one
     * passed the rules above, so this is the common path, not a way to reset the count) commit
     * together. The new password is hashed inside the transaction: a rare request, and
     * otherwise a failure after the change would answer 500 for a password that did change. */
    if ((rc = db_begin(ctx->db, ctx->err)) == KAM_OK) {
        rc = user_update(ctx, me.id, &in, &u);
        if (rc == KAM_EINVAL && strcmp(ctx->err->field, "password") == 0)
            snprintf(ctx->err->field, sizeof ctx->err->field, "new_password");
        if (!rc)
            rc = throttle_success(ctx, &t, 0);
        rc = db_end(ctx->db, rc, ctx->err);
    }
    if (rc) /* also after a COMMIT of unknown outcome: see auth_login */
        throttle_give_back(ctx, &t);
    return rc;
}

enum kam_err auth_change_password(struct kam_ctx *ctx, const char *old_pw, const char *new_pw,
                                  const char *session_token)
{
    return auth_change_password_from(ctx, old_pw, new_pw, session_token, NULL, NULL);
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
