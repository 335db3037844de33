/* outbox.c -- queue, claim, compose (RFC 5322 + RFC 2047 headers), send (SMTP through
 * libcurl), mark. */
#include "outbox.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/utf8.h"
#include "check.h"
#include "store/db.h"
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

/* ---- header fields (RFC 5322, RFC 2047) ---- */

#define LINE_SOFT 78   /* RFC 5322 2.1.1: lines SHOULD be at most 78 characters */
#define LINE_EW 76     /* RFC 2047 2: a line holding an encoded-word at most 76 */
#define EW_MAX 75      /* RFC 2047 2: an encoded-word at most 75 */
#define EW_OVERHEAD 12 /* "=?UTF-8?B?" + "?=" */

/* A header field being written: its buffer and the length of its current line. */
struct hdr {
    struct buf *b;
    size_t col;
    int tokens;
};

static void hdr_begin(struct hdr *h, struct buf *b, const char *name)
{
    h->b = b;
    buf_puts(b, name);
    buf_putc(b, ':');
    h->col = strlen(name) + 1;
    h->tokens = 0;
}

static void hdr_end(struct hdr *h)
{
    buf_puts(h->b, "\r\n");
}

/* Appends " " + s[0..n); folds first (CRLF before that space, RFC 5322 3.2.2) when the line
 * would pass limit. Never folds before the first token, nor before an empty one (a line of
 * white space only is obsolete syntax). */
static void hdr_token(struct hdr *h, const char *s, size_t n, size_t limit)
{
    if (h->tokens && n && h->col + 1 + n > limit) {
        buf_puts(h->b, "\r\n");
        h->col = 0;
    }
    buf_putc(h->b, ' ');
    buf_append(h->b, s, n);
    h->col += 1 + n;
    h->tokens++;
}

/* s[0..n) as RFC 2047 "B" encoded-words: each at most 75 characters and its line at most 76,
 * each holding whole UTF-8 characters (a decoder must not see half a character), separated
 * by folding white space, which decoders drop between adjacent encoded-words. */
static void hdr_encoded(struct hdr *h, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t room = h->col + 1 < LINE_EW ? LINE_EW - h->col - 1 : 0;
        size_t width = room < EW_MAX ? room : EW_MAX;
        size_t max_bytes = width > EW_OVERHEAD ? (width - EW_OVERHEAD) / 4 * 3 : 0;
        size_t take = 0;
        while (i + take < n) {
            size_t l = utf8_seq_len((const unsigned char *)s + i + take, n - i - take);
            if (!l)
                l = 1;
            if (take + l > max_bytes)
                break;
            take += l;
        }
        if (!take) {
            /* Not even one character fits here: go on on a fresh line (room for 45 bytes). */
            buf_puts(h->b, "\r\n");
            h->col = 0;
            h->tokens = 0;
            continue;
        }
        char word[EW_MAX + 1];
        memcpy(word, "=?UTF-8?B?", 10);
        sodium_bin2base64(word + 10, sizeof word - 10, (const unsigned char *)s + i, take,
                          sodium_base64_VARIANT_ORIGINAL);
        size_t len = strlen(word);
        memcpy(word + len, "?=", 3);
        hdr_token(h, word, len + 2, LINE_EW);
        i += take;
    }
}

/* A copy of s fit for a header: controls (CR and LF above all: no header injection) become
 * spaces, bytes that are not UTF-8 '?', leading and trailing white space dropped. */
static char *header_clean(struct arena *a, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *out = arena_strndup(a, s, n);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)out[i];
        size_t l = utf8_seq_len((const unsigned char *)out + i, n - i);
        if (!l) {
            out[i++] = '?';
        } else if (l == 2 && c == 0xc2 && (unsigned char)out[i + 1] <= 0x9f) {
            out[i] = out[i + 1] = ' '; /* C1 controls (NEL is a line break to some) */
            i += 2;
        } else {
            if (c < 0x20 || c == 0x7f)
                out[i] = ' ';
            i += l;
        }
    }
    char *p = out;
    while (*p == ' ')
        p++;
    size_t m = strlen(p);
    while (m && p[m - 1] == ' ')
        p[--m] = 0;
    return p;
}

/* Printable ASCII that a reader shows as it is: no "=?" (it would be taken for an
 * encoded-word) and no word too long to fold. */
static int plain_ascii(const char *s)
{
    size_t word = 0;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || (p[0] == '=' && p[1] == '?'))
            return 0;
        word = *p == ' ' ? 0 : word + 1;
        if (word > 900)
            return 0;
    }
    return 1;
}

/* Appends the words of s (split at single spaces) as folding tokens. */
static void hdr_words(struct hdr *h, const char *s, size_t limit)
{
    for (const char *p = s;;) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        hdr_token(h, p, n, limit);
        if (!sp)
            break;
        p = sp + 1;
    }
}

void outbox_header_text(struct buf *b, struct arena *a, const char *name, const char *value)
{
    struct hdr h;
    const char *v = header_clean(a, value);
    hdr_begin(&h, b, name);
    if (plain_ascii(v))
        hdr_words(&h, v, LINE_SOFT);
    else
        hdr_encoded(&h, v, strlen(v));
    hdr_end(&h);
}

/* RFC 5322 atext. */
static int atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

void outbox_header_mailbox(struct buf *b, struct arena *a, const char *name, const char *display,
                           const char *addr)
{
    struct hdr h;
    const char *d = header_clean(a, display);
    size_t limit = LINE_SOFT;
    hdr_begin(&h, b, name);
    if (!*d) {
        hdr_token(&h, addr, strlen(addr), limit);
        hdr_end(&h);
        return;
    }
    int atoms = plain_ascii(d);
    for (const char *p = d; atoms && *p; p++)
        atoms = *p == ' ' || atext((unsigned char)*p);
    if (atoms) {
        hdr_words(&h, d, limit); /* KAM Mail */
    } else if (plain_ascii(d)) {
        /* Specials (, " < @ ...): one quoted-string, '"' and '\' escaped. */
        struct buf q;
        buf_init(&q, 4096);
        buf_putc(&q, '"');
        for (const char *p = d; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(&q, '\\');
            buf_putc(&q, *p);
        }
        buf_putc(&q, '"');
        hdr_token(&h, q.data, q.len, limit);
        buf_release(&q);
    } else {
        /* Only the display name is encoded: an encoded-word is a word of the phrase, never
         * the address (RFC 2047 5(3)), or readers lose the address. */
        hdr_encoded(&h, d, strlen(d));
        limit = LINE_EW;
    }
    const char *angled = arena_printf(a, "<%s>", addr);
    hdr_token(&h, angled, strlen(angled), limit);
    hdr_end(&h);
}

int outbox_parse_mailbox(struct arena *a, const char *s, const char **display_out,
                         const char **addr_out)
{
    const char *t = header_clean(a, s);
    size_t n = strlen(t);
    const char *lt = strrchr(t, '<');
    if (!lt) {
        *display_out = "";
        *addr_out = t;
        return check_addr_spec(t, 1);
    }
    if (n < 2 || t[n - 1] != '>')
        return 0;
    *addr_out = arena_strndup(a, lt + 1, (size_t)(t + n - 1 - lt - 1));
    char *d = arena_strndup(a, t, (size_t)(lt - t));
    size_t m = strlen(d);
    while (m && d[m - 1] == ' ')
        d[--m] = 0;
    if (m >= 2 && d[0] == '"' && d[m - 1] == '"') {
        /* A quoted-string: drop the quotes and the backslashes of quoted pairs. */
        char *w = d;
        for (size_t i = 1; i + 1 < m; i++) {
            if (d[i] == '\\' && i + 2 < m)
                i++;
            *w++ = d[i];
        }
        *w = 0;
    }
    *display_out = d;
    return check_addr_spec(*addr_out, 1);
}

void outbox_message_id(const unsigned char key[OUTBOX_MID_KEY], int64_t id, const char *host,
                       char *out, size_t outn)
{
    unsigned char msg[8], h[16];
    for (int i = 0; i < 8; i++)
        msg[i] = (unsigned char)((uint64_t)id >> (8 * i));
    crypto_generichash(h, sizeof h, msg, sizeof msg, key, OUTBOX_MID_KEY);
    char hex[2 * sizeof h + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, outn, "<%s@%s>", hex, host);
}

/* The host part of Message-IDs: the From address's domain when it is a real one (has a dot),
 * else this machine's name when that is one, else the From domain after all. */
static const char *mail_host(struct arena *a, const char *from_addr)
{
    const char *at = strrchr(from_addr, '@');
    const char *domain = at ? at + 1 : "localhost";
    if (strchr(domain, '.'))
        return domain;
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) == 0 && strchr(name, '.') &&
        check_addr_spec(arena_printf(a, "x@%s", name), 2))
        return arena_strdup(a, name);
    return domain;
}

/* The installation's key for Message-IDs: 32 random bytes made on first use and kept in the
 * settings, so every instance on one database names a message alike and a message that is
 * sent again (a crash between the server's "250" and the row being marked) keeps its
 * Message-ID, while two installations never collide. */
static enum kam_err message_id_key(struct kam_ctx *ctx, unsigned char key[OUTBOX_MID_KEY])
{
    static const char *const sel = "SELECT value FROM settings WHERE key = 'outbox.message_id_key'";
    struct db_stmt *st;
    enum kam_err rc;
    for (int pass = 0; pass < 2; pass++) {
        if ((rc = db_prepare(ctx->db, sel, &st, ctx->err)))
            return rc;
        int row = 0;
        char hex[2 * OUTBOX_MID_KEY + 1] = "";
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            snprintf(hex, sizeof hex, "%s", db_col_text(st, 0));
        db_done(st);
        if (rc)
            return rc;
        size_t got = 0;
        if (row && sodium_hex2bin(key, OUTBOX_MID_KEY, hex, strlen(hex), NULL, &got, NULL) == 0 &&
            got == OUTBOX_MID_KEY)
            return KAM_OK;
        if (pass)
            break;
        unsigned char fresh[OUTBOX_MID_KEY];
        randombytes_buf(fresh, sizeof fresh);
        sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
        /* Another instance may make it at the same time: the first one stays. */
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO settings (key, value) VALUES ('outbox.message_id_key', "
                             "?) ON CONFLICT (key) DO NOTHING",
                             &st, ctx->err)))
            return rc;
        db_bind_text(st, 1, hex);
        rc = db_step(st, &row, ctx->err);
        db_done(st);
        if (rc)
            return rc;
    }
    return kam_fail(ctx->err, KAM_EINTERNAL, "", "the Message-ID key in settings is not valid");
}

int outbox_compose(struct arena *a, const struct mail_cfg *cfg, const char *message_id,
                   const char *to, const char *subject, const char *body, int64_t now,
                   struct buf *msg, const char **why_out)
{
    const char *from_name, *from_addr;
    if (!outbox_parse_mailbox(a, cfg->from, &from_name, &from_addr)) {
        *why_out = "KAM_SMTP_FROM is not one mailbox (Name <name@example.com>)";
        return OUTBOX_RETRY;
    }
    /* The recipient is the stored address itself, never the inside of brackets in it: rows
     * queued before addresses were checked may hold "x<evil@example>". */
    if (!to || !check_addr_spec(to, 1)) {
        *why_out = "the recipient is not one plain e-mail address";
        return OUTBOX_REFUSED;
    }
    char date[64];
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm); /* RFC 5322, C locale */
    outbox_header_mailbox(msg, a, "From", from_name, from_addr);
    outbox_header_mailbox(msg, a, "To", "", to);
    outbox_header_text(msg, a, "Subject", subject);
    buf_printf(msg, "Date: %s\r\n", date);
    buf_printf(msg, "Message-ID: %s\r\n", message_id);
    buf_puts(msg, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\n\r\n");
    /* Every line ends in CRLF: a bare LF or CR becomes one. */
    for (const char *p = body ? body : ""; *p; p++) {
        if (*p == '\r') {
            buf_puts(msg, "\r\n");
            if (p[1] == '\n')
                p++;
        } else if (*p == '\n') {
            buf_puts(msg, "\r\n");
        } else {
            buf_putc(msg, *p);
        }
    }
    buf_puts(msg, "\r\n");
    *why_out = "";
    return OUTBOX_OK;
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

/* Sends one message: OUTBOX_OK, OUTBOX_RETRY (err: libcurl's text) or OUTBOX_REFUSED (it
 * can never be sent as it is). */
static int send_mail(const struct mail_cfg *cfg, const char *message_id, const char *to,
                     const char *subject, const char *body, int64_t now, struct arena *a, char *err,
                     size_t errn)
{
    struct buf msg;
    buf_init(&msg, 4 << 20);
    const char *why;
    int st = outbox_compose(a, cfg, message_id, to, subject, body, now, &msg, &why);
    if (st == OUTBOX_OK && !buf_ok(&msg)) {
        why = "the message is larger than 4 MiB";
        st = OUTBOX_REFUSED;
    }
    if (st != OUTBOX_OK) {
        snprintf(err, errn, "%s", why);
        buf_release(&msg);
        return st;
    }
    const char *from_name, *from_addr;
    outbox_parse_mailbox(a, cfg->from, &from_name, &from_addr);
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, errn, "curl_easy_init failed");
        buf_release(&msg);
        return OUTBOX_RETRY;
    }
    struct payload p = {msg.data, msg.len, 0};
    struct curl_slist *rcpt = curl_slist_append(NULL, arena_printf(a, "<%s>", to));
    curl_easy_setopt(curl, CURLOPT_URL, cfg->url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, arena_printf(a, "<%s>", from_addr));
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
    return cc == CURLE_OK ? OUTBOX_OK : OUTBOX_RETRY;
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
    unsigned char key[OUTBOX_MID_KEY];
    enum kam_err rc = message_id_key(ctx, key);
    if (rc)
        return rc;
    const char *from_name, *from_addr;
    if (!outbox_parse_mailbox(ctx->a, cfg->from, &from_name, &from_addr))
        from_addr = "kam@localhost"; /* only names the host; compose refuses the From */
    const char *host = mail_host(ctx->a, from_addr);
    for (int n = 0; n < 500 && !rc; n++) {
        int64_t id = 0, attempts = 0;
        char *to, *subject, *body;
        int found = 0;
        if ((rc = db_begin(ctx->db, ctx->err)))
            break;
        rc = claim(ctx, &id, &to, &subject, &body, &attempts, &found);
        if ((rc = db_end(ctx->db, rc, ctx->err)) || !found)
            break;
        char err[256] = "", mid[160];
        outbox_message_id(key, id, host, mid, sizeof mid);
        int sent = send_mail(cfg, mid, to, subject, body, ctx->now, ctx->a, err, sizeof err);
        int ok = sent == OUTBOX_OK;
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
                db_bind_text(st, 1,
                             attempts >= MAX_ATTEMPTS || sent == OUTBOX_REFUSED ? "failed"
                                                                                : "queued");
                db_bind_i64(st, 2, ctx->now + backoff(attempts));
                db_bind_text(st, 3, err);
                db_bind_i64(st, 4, id);
            }
            *retried_out += sent == OUTBOX_RETRY;
        }
        if (!rc) {
            int row;
            rc = db_step(st, &row, ctx->err);
            db_done(st);
        }
        if (sent == OUTBOX_RETRY)
            break; /* the server refused: try the rest next pass */
    }
    return rc;
}
