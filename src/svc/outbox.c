/* outbox.c -- queue, claim, send (SMTP through libcurl), mark. */
#include "outbox.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "store/sqlb.h"

#define LOCK_SECONDS 300
#define MAX_ATTEMPTS 8

enum kam_err outbox_queue(struct kam_ctx *ctx, const char *to, const char *subject,
                          const char *body, const char *dedup_key, int64_t *id_out,
                          int *created_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO outbox (to_addr, subject, body, status, attempts, "
                                 "next_attempt_at, dedup_key, created_at) VALUES (?, ?, ?, "
                                 "'queued', 0, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, to);
    db_bind_text(st, 2, subject);
    db_bind_text(st, 3, body);
    db_bind_i64(st, 4, ctx->now);
    db_bind_text(st, 5, dedup_key);
    db_bind_i64(st, 6, ctx->now);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (rc)
        return rc;
    if (created_out)
        *created_out = db_changes(ctx->db) == 1;
    if ((rc = db_prepare(ctx->db, "SELECT id FROM outbox WHERE dedup_key = ?", &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, dedup_key);
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *id_out = db_col_i64(st, 0);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "outbox row vanished");
    return rc;
}

enum kam_err outbox_status(struct kam_ctx *ctx, int64_t id, const char **status_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, "SELECT status FROM outbox WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *status_out = !rc && row ? arena_strdup(ctx->a, db_col_text(st, 0)) : NULL;
    db_done(st);
    return rc;
}

void outbox_mail_cfg(struct mail_cfg *out)
{
    const char *url = getenv("KAM_SMTP_URL");
    out->url = url && *url ? url : NULL;
    const char *from = getenv("KAM_SMTP_FROM");
    out->from = from && *from ? from : "KAM <kam@localhost>";
    out->user = getenv("KAM_SMTP_USER");
    out->password = getenv("KAM_SMTP_PASSWORD");
}

/* The address part of "Name <addr>" (or the whole string). */
static const char *addr_of(struct arena *a, const char *s)
{
    const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    return lt && gt ? arena_strndup(a, lt + 1, (size_t)(gt - lt - 1)) : s;
}

/* RFC 2047 encoded-word for a UTF-8 header value. */
static void header_utf8(struct buf *b, const char *name, const char *value)
{
    buf_puts(b, name);
    buf_puts(b, ": ");
    int ascii = 1;
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p >= 0x80 || *p == '\r' || *p == '\n')
            ascii = 0;
    if (ascii) {
        buf_puts(b, value);
    } else {
        size_t n = strlen(value);
        char *enc = malloc(4 * (n / 3 + 2));
        if (enc) {
            b64url_encode((const unsigned char *)value, n, enc);
            /* base64url -> base64 with padding, as RFC 2047 wants */
            size_t m = strlen(enc);
            for (size_t i = 0; i < m; i++)
                enc[i] = enc[i] == '-' ? '+' : enc[i] == '_' ? '/' : enc[i];
            buf_puts(b, "=?UTF-8?B?");
            buf_puts(b, enc);
            for (size_t pad = (4 - m % 4) % 4; pad; pad--)
                buf_putc(b, '=');
            buf_puts(b, "?=");
            free(enc);
        }
    }
    buf_puts(b, "\r\n");
}

struct payload {
    const char *data;
    size_t len, pos;
};

static size_t read_payload(char *ptr, size_t size, size_t nmemb, void *user)
{
    struct payload *p = user;
    size_t room = size * nmemb, left = p->len - p->pos;
    size_t n = left < room ? left : room;
    memcpy(ptr, p->data + p->pos, n);
    p->pos += n;
    return n;
}

/* Sends one message; 0 on success, else fills err (libcurl's text). */
static int send_mail(const struct mail_cfg *cfg, int64_t id, const char *to, const char *subject,
                     const char *body, int64_t now, struct arena *a, char *err, size_t errn)
{
    struct buf msg;
    buf_init(&msg, 4 << 20);
    char date[64];
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm); /* RFC 5322, C locale */
    header_utf8(&msg, "From", cfg->from);
    header_utf8(&msg, "To", to);
    header_utf8(&msg, "Subject", subject);
    buf_printf(&msg, "Date: %s\r\n", date);
    /* A stable Message-ID: a retried message is recognisably the same one. */
    buf_printf(&msg, "Message-ID: <outbox-%lld@kam>\r\n", (long long)id);
    buf_puts(&msg, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n\r\n");
    for (const char *p = body; *p; p++) {
        if (*p == '\n' && (p == body || p[-1] != '\r'))
            buf_putc(&msg, '\r');
        buf_putc(&msg, *p);
    }
    buf_puts(&msg, "\r\n");
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, errn, "curl_easy_init failed");
        buf_release(&msg);
        return -1;
    }
    struct payload p = {msg.data, msg.len, 0};
    struct curl_slist *rcpt = curl_slist_append(NULL, addr_of(a, to));
    char from_addr[320];
    snprintf(from_addr, sizeof from_addr, "<%s>", addr_of(a, cfg->from));
    curl_easy_setopt(curl, CURLOPT_URL, cfg->url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_addr);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_payload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &p);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (cfg->user && *cfg->user) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    }
    CURLcode cc = curl_easy_perform(curl);
    if (cc != CURLE_OK)
        snprintf(err, errn, "%s", curl_easy_strerror(cc));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    buf_release(&msg);
    return cc == CURLE_OK ? 0 : -1;
}

static int64_t backoff(int64_t attempts)
{
    static const int64_t delays[] = {60, 300, 1800, 7200, 21600, 43200, 86400};
    int64_t i = attempts - 1;
    if (i < 0)
        i = 0;
    if (i >= (int64_t)(sizeof delays / sizeof delays[0]))
        i = (int64_t)(sizeof delays / sizeof delays[0]) - 1;
    return delays[i];
}

/* Claims the next due row: queued and due, or stuck in sending past its lock. */
static enum kam_err claim(struct kam_ctx *ctx, int64_t *id, char **to, char **subject, char **body,
                          int64_t *attempts, int *found)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "UPDATE outbox SET status = 'sending', locked_until = ?, attempts = attempts + "
                 "1 WHERE id = (SELECT id FROM outbox WHERE (status = 'queued' AND "
                 "next_attempt_at <= ?) OR (status = 'sending' AND locked_until < ?) ORDER BY id "
                 "LIMIT 1");
    sqlb_i64(&b, ctx->now + LOCK_SECONDS);
    sqlb_i64(&b, ctx->now);
    sqlb_i64(&b, ctx->now);
    sqlb_sql(&b, db_skip_locked(ctx->db));
    sqlb_sql(&b, ") RETURNING id, to_addr, subject, body, attempts");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *found = !rc && row;
    if (*found) {
        *id = db_col_i64(st, 0);
        *to = arena_strdup(ctx->a, db_col_text(st, 1));
        *subject = arena_strdup(ctx->a, db_col_text(st, 2));
        *body = arena_strdup(ctx->a, db_col_text(st, 3));
        *attempts = db_col_i64(st, 4);
    }
    db_done(st);
    return rc;
}

enum kam_err outbox_send_due(struct kam_ctx *ctx, const struct mail_cfg *cfg, int *sent_out,
                             int *retried_out)
{
    *sent_out = *retried_out = 0;
    if (!cfg->url)
        return KAM_OK; /* sending is off: messages wait in the outbox */
    enum kam_err rc = KAM_OK;
    for (int n = 0; n < 500 && !rc; n++) {
        int64_t id = 0, attempts = 0;
        char *to, *subject, *body;
        int found = 0;
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        rc = claim(ctx, &id, &to, &subject, &body, &attempts, &found);
        if ((rc = db_end(ctx->db, rc, ctx->err)) || !found)
            break;
        char err[256] = "";
        int ok = send_mail(cfg, id, to, subject, body, ctx->now, ctx->a, err, sizeof err) == 0;
        struct db_stmt *st;
        if (ok) {
            rc = db_prepare(ctx->db,
                            "UPDATE outbox SET status = 'sent', sent_at = ?, locked_until = NULL, "
                            "last_error = '' WHERE id = ?",
                            &st, ctx->err);
            if (!rc) {
                db_bind_i64(st, 1, ctx->now);
                db_bind_i64(st, 2, id);
            }
            (*sent_out)++;
        } else {
            log_warn("outbox %lld: %s (attempt %lld)", (long long)id, err, (long long)attempts);
            rc = db_prepare(ctx->db,
                            "UPDATE outbox SET status = ?, next_attempt_at = ?, locked_until = "
                            "NULL, last_error = ? WHERE id = ?",
                            &st, ctx->err);
            if (!rc) {
                db_bind_text(st, 1, attempts >= MAX_ATTEMPTS ? "failed" : "queued");
                db_bind_i64(st, 2, ctx->now + backoff(attempts));
                db_bind_text(st, 3, err);
                db_bind_i64(st, 4, id);
            }
            (*retried_out)++;
        }
        if (!rc) {
            int row;
            rc = db_step(st, &row, ctx->err);
            db_done(st);
        }
        if (!ok)
            break; /* the server refused: try the rest next pass */
    }
    return rc;
}
