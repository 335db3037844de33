/* survey_link.c -- sending a survey: one link per contact with a token given out once (only its
 * sha256 is stored in survey_links), e-mail through the outbox in the link's language, reissue,
 * revoke, the reminder job and response rates.
 *
 * An e-mail's body holds the link (the token) while it waits in the outbox: the row is deleted
 * when the link is answered, revoked or reissued or its survey deleted before it is sent; once
 * sent, the outbox keeps it (as the mail server does).
 *
 * An e-mailed link's base is only a configured public address (the setting public_url, else
 * KAM_PUBLIC_URL), never the request's Host: a copy or phone link, shown to the sender only,
 * may use the address the sender reached KAM at.
 *
 * Key contacts (sending to a tier): a contact whose decision_role is decision_maker,
 * influencer or champion, or whose influence is 4 or more (of 1-5). */
#include "survey.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/b64.h"
#include "base/log.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/msg.h"
#include "svc/core/outbox.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/settings.h"

#define KEY_CONTACT                                                                                \
    "(contacts.decision_role IN ('decision_maker', 'influencer', 'champion') OR "                  \
    "contacts.influence >= 4)"

void survey_token_hash(const char *token, char hash_hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash_hex, 65, h, sizeof h);
}

void survey_token_new(struct kam_ctx *ctx, const char **token, char hash_hex[65])
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char *t = arena_alloc(ctx->a, 32);
    b64url_encode(raw, sizeof raw, t);
    sodium_memzero(raw, sizeof raw);
    *token = t;
    survey_token_hash(t, hash_hex);
}

enum kam_err survey_public_base(struct kam_ctx *ctx, const char **base)
{
    *base = NULL;
    const char *b = NULL;
    enum kam_err rc = settings_get(ctx, SURVEY_PUBLIC_URL_KEY, NULL, &b);
    if (rc)
        return rc;
    if (!b || !*b)
        b = getenv("KAM_PUBLIC_URL");
    if (b && *b)
        *base = b;
    return KAM_OK;
}

enum kam_err survey_check_public_url(struct kam_ctx *ctx, const char *field, const char *url)
{
    enum kam_err rc = check_text(ctx, field, url, 0, SURVEY_PUBLIC_URL_MAX, CHECK_LINE);
    if (rc || !*url)
        return rc;
    const char *host = !strncmp(url, "https://", 8)  ? url + 8
                       : !strncmp(url, "http://", 7) ? url + 7
                                                     : NULL;
    int ok = host && *host && *host != '/' && *host != ':';
    for (const char *p = url; ok && *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("\"<>#?\\{}|^`'", *p))
            ok = 0;
    if (!ok)
        return kam_fail(ctx->err, KAM_EINVAL, field,
                        "%s must be an absolute http:// or https:// address without ? or #", field);
    return KAM_OK;
}

enum kam_err survey_settings_get(struct kam_ctx *ctx, const char **public_url, const char **env)
{
    const char *e = getenv("KAM_PUBLIC_URL");
    *env = e && *e ? e : NULL;
    return settings_get(ctx, SURVEY_PUBLIC_URL_KEY, "", public_url);
}

enum kam_err survey_settings_set(struct kam_ctx *ctx, const char *public_url)
{
    const char *before, *env;
    enum kam_err rc = survey_check_public_url(ctx, "public_url", public_url);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = survey_settings_get(ctx, &before, &env)))
        goto out;
    if (!strcmp(before, public_url))
        goto out; /* nothing changed: nothing written */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                         "UPDATE SET value = excluded.value",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, SURVEY_PUBLIC_URL_KEY);
    db_bind_text(st, 2, public_url);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, SURVEY_PUBLIC_URL_KEY, before, public_url);
    rc = audit_write(ctx, "settings", 1, 0, "update", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err survey_link_url(struct kam_ctx *ctx, const char *fallback_base, const char *token,
                             const char **url)
{
    const char *base = NULL;
    enum kam_err rc = survey_public_base(ctx, &base);
    if (rc)
        return rc;
    if (!base)
        base = fallback_base ? fallback_base : "";
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    *url = arena_printf(ctx->a, "%.*s/s#%s", (int)n, base, token);
    return KAM_OK;
}

/* ---- reading ---- */

#define LINK_COLS                                                                                  \
    "survey_links.id, survey_links.survey_id, survey_links.contact_id, survey_links.account_id, "  \
    "survey_links.lang, survey_links.channel, survey_links.expires_at, survey_links.sent_at, "     \
    "survey_links.reminded_at, survey_links.reminders, survey_links.answered_at, "                 \
    "survey_links.created_by, survey_links.created_at, COALESCE(contacts.name, ''), "              \
    "accounts.name, accounts.tier, COALESCE(survey_responses.id, 0)"
#define LINK_FROM                                                                                  \
    " FROM survey_links JOIN accounts ON accounts.id = survey_links.account_id LEFT JOIN "         \
    "contacts ON contacts.id = survey_links.contact_id LEFT JOIN survey_responses ON "             \
    "survey_responses.link_id = survey_links.id"

static int64_t opt(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static const char *state_of(const struct survey_link *l, int64_t now)
{
    return l->has_answered ? "answered" : l->expires_at <= now ? "expired" : "pending";
}

static void read_link(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct survey_link *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->survey_id = db_col_i64(st, 1);
    x->contact_id = opt(st, 2, &x->has_contact);
    x->account_id = db_col_i64(st, 3);
    x->lang = arena_strdup(ctx->a, db_col_text(st, 4));
    x->channel = arena_strdup(ctx->a, db_col_text(st, 5));
    x->expires_at = db_col_i64(st, 6);
    x->sent_at = db_col_i64(st, 7);
    x->reminded_at = opt(st, 8, &x->has_reminded);
    x->reminders = db_col_i64(st, 9);
    x->answered_at = opt(st, 10, &x->has_answered);
    x->created_by = opt(st, 11, &x->has_created_by);
    x->created_at = db_col_i64(st, 12);
    x->contact_name = arena_strdup(ctx->a, db_col_text(st, 13));
    x->account_name = arena_strdup(ctx->a, db_col_text(st, 14));
    x->account_tier = arena_strdup(ctx->a, db_col_text(st, 15));
    x->response_id = db_col_i64(st, 16);
    x->state = state_of(x, ctx->now);
}

enum kam_err survey_link_get(struct kam_ctx *ctx, int64_t id, struct survey_link *out)
{
    return row_get(ctx, "SELECT " LINK_COLS LINK_FROM " WHERE survey_links.id = ?", id, read_link,
                   out, "survey link");
}

static void diff_link(struct audit_diff *d, const struct survey_link *b,
                      const struct survey_link *a)
{
    audit_diff_i64(d, "survey_id", b ? b->survey_id : 0, !b, a ? a->survey_id : 0, !a);
    audit_diff_i64(d, "contact_id", b ? b->contact_id : 0, !b || !b->has_contact,
                   a ? a->contact_id : 0, !a || !a->has_contact);
    audit_diff_str(d, "channel", b ? b->channel : NULL, a ? a->channel : NULL);
    audit_diff_str(d, "lang", b ? b->lang : NULL, a ? a->lang : NULL);
    audit_diff_time(d, "expires_at", b ? b->expires_at : 0, !b, a ? a->expires_at : 0, !a);
    audit_diff_i64(d, "reminders", b ? b->reminders : 0, !b, a ? a->reminders : 0, !a);
}

/* ---- e-mail ---- */

static enum msg_lang mlang(const char *lang)
{
    int i = survey_lang_index(lang);
    return i == 1 ? MSG_ZH_TW : i == 2 ? MSG_EN : MSG_ZH_CN;
}

static enum kam_err queue_mail(struct kam_ctx *ctx, const struct survey *s, int64_t link_id,
                               const char *to, const char *name, const char *lang, const char *url,
                               int64_t expires_at, int reminder, const char *key_tail)
{
    int li = survey_lang_index(lang);
    enum msg_lang ml = mlang(lang);
    const char *title = survey_text_in(s->titles, li);
    const char *intro = survey_text_in(s->intros, li);
    char subject[600], hello[400], until[300], day[16];
    struct tm tm;
    time_t t = (time_t)expires_at;
    gmtime_r(&t, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    msg_render(ml, reminder ? "survey.mail_reminder_subject" : "survey.mail_subject",
               (struct kam_param[]){{"title", title}}, 1, subject, sizeof subject);
    msg_render(ml, "survey.mail_hello", (struct kam_param[]){{"name", name}}, 1, hello,
               sizeof hello);
    msg_render(ml, "survey.mail_until", (struct kam_param[]){{"day", day}}, 1, until, sizeof until);
    const char *body = arena_printf(ctx->a, "%s\n\n%s%s%s\n\n%s\n\n%s\n", hello, title,
                                    *intro ? "\n\n" : "", intro, url, until);
    const char *key = arena_printf(ctx->a, "survey_link:%lld:%s", (long long)link_id, key_tail);
    int64_t id = 0;
    return outbox_queue(ctx, to, subject, body, key, &id, NULL);
}

enum kam_err survey_link_mail_drop(struct kam_ctx *ctx, int64_t link_id)
{
    /* keys "survey_link:<id>:..." (':' + 1 is ';'): a range the dedup_key index answers */
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "DELETE FROM outbox WHERE status = 'queued' AND dedup_key >= ? "
                                 "AND dedup_key < ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, arena_printf(ctx->a, "survey_link:%lld:", (long long)link_id));
    db_bind_text(st, 2, arena_printf(ctx->a, "survey_link:%lld;", (long long)link_id));
    return db_run(st, ctx->err);
}

/* ---- sending ---- */

/* 409 survey.no_public_url (field channel) when no public address is configured. */
static enum kam_err need_public_base(struct kam_ctx *ctx)
{
    const char *base;
    enum kam_err rc = survey_public_base(ctx, &base);
    if (rc || base)
        return rc;
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "channel", "survey.no_public_url", NULL,
                        "e-mailed links need KAM's public address: set it under surveys' settings "
                        "(or KAM_PUBLIC_URL)");
}

struct cand {
    int64_t contact_id, account_id;
    const char *email, *name;
    int found;
};

static void read_cand(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct cand *c = row;
    c->contact_id = db_col_i64(st, 0);
    c->account_id = db_col_i64(st, 1);
    c->email = arena_strdup(ctx->a, db_col_text(st, 2));
    c->name = arena_strdup(ctx->a, db_col_text(st, 3));
    c->found = 1;
}

static enum kam_err tier_contacts(struct kam_ctx *ctx, const char *tier, struct cand **out,
                                  size_t *n)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    /* active accounts only: a prospect, dormant or lost account's contacts are sent one by
     * one (contact_ids) when meant */
    sqlb_sql(&b, "SELECT contacts.id, contacts.account_id, contacts.email, contacts.name FROM "
                 "contacts JOIN accounts ON accounts.id = contacts.account_id WHERE "
                 "accounts.tier = ? AND accounts.status = 'active' AND " KEY_CONTACT);
    sqlb_text(&b, tier);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, " ORDER BY accounts.id, contacts.id LIMIT ?");
    sqlb_i64(&b, SURVEY_LINKS_MAX + 1);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    if ((rc =
             rows_collect(ctx, st, SURVEY_LINKS_MAX + 1, read_cand, sizeof **out, (void **)out, n)))
        return rc;
    if (*n > SURVEY_LINKS_MAX)
        return kam_fail_key(ctx->err, KAM_EINVAL, "tier", "survey.too_many_links",
                            (struct kam_param[]){{"max", "500"}, {0}},
                            "one sending makes at most 500 links");
    return KAM_OK;
}

/* Why the caller may not send to an account's contact: "" when they may. A contact whose
 * account the caller may not even read is "not_found", like one that does not exist. */
static enum kam_err may_send(struct kam_ctx *ctx, int64_t account_id, const char **why)
{
    *why = "";
    enum grant g = policy_grant(ctx->who.role, OBJ_SURVEY_LINK, ACT_CREATE);
    if (g == GRANT_ALL)
        return KAM_OK;
    int in = 0;
    enum kam_err rc = policy_account_in_scope(ctx, account_id, &in);
    if (rc)
        return rc;
    if (!in)
        *why = policy_grant(ctx->who.role, OBJ_CONTACT, ACT_READ) == GRANT_ALL ? "not_in_scope"
                                                                               : "not_found";
    return KAM_OK;
}

static enum kam_err make_link(struct kam_ctx *ctx, const struct survey *s, const struct cand *c,
                              const char *channel, const char *lang, const char *base,
                              struct survey_link *out)
{
    const char *token;
    char hash[65];
    survey_token_new(ctx, &token, hash);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO survey_links (survey_id, contact_id, account_id, token_hash, lang, channel, "
        "expires_at, sent_at, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
        "RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    int64_t expires = ctx->now + s->link_days * 86400;
    db_bind_i64(st, 1, s->id);
    db_bind_i64(st, 2, c->contact_id);
    db_bind_i64(st, 3, c->account_id);
    db_bind_text(st, 4, hash);
    db_bind_text(st, 5, lang);
    db_bind_text(st, 6, channel);
    db_bind_i64(st, 7, expires);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64n(st, 9, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 10, ctx->now);
    int row = 0;
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = survey_link_get(ctx, id, out)))
        return rc;
    out->token = token;
    if ((rc = survey_link_url(ctx, base, token, &out->url)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_link(&d, NULL, out);
    if ((rc = audit_write(ctx, "survey_link", id, c->account_id, "create", &d)))
        return rc;
    if (!strcmp(channel, "email"))
        rc = queue_mail(ctx, s, id, c->email, c->name, lang, out->url, expires, 0, "0");
    return rc;
}

enum kam_err survey_send(struct kam_ctx *ctx, int64_t survey_id, const struct survey_send_in *in,
                         struct survey_link **items, size_t *n, struct survey_skip **skipped,
                         size_t *n_skipped)
{
    static const char *const tiers[] = {"strategic", "key", "growth", "maintain", NULL};
    enum kam_err rc;
    const char *channel = in->channel ? in->channel : "copy";
    const char *lang = in->lang ? in->lang : "zh-CN";
    if ((rc = check_enum(ctx, "channel", channel, survey_channels)) ||
        (rc = check_enum(ctx, "lang", lang, survey_langs)))
        return rc;
    if (!!in->tier == (in->n_contacts > 0))
        return kam_fail_key(ctx->err, KAM_EINVAL, in->tier ? "tier" : "contact_ids",
                            "survey.send_to", NULL,
                            "send to contact_ids or to the key contacts of a tier (one of them)");
    if (in->tier && ((rc = check_enum(ctx, "tier", in->tier, tiers))))
        return rc;
    if (in->tier && !in->key_only)
        return kam_fail(ctx->err, KAM_EINVAL, "key_only",
                        "a tier is sent to its key contacts: key_only must be true");
    if (in->n_contacts > SURVEY_LINKS_MAX)
        return kam_fail_key(ctx->err, KAM_EINVAL, "contact_ids", "survey.too_many_links",
                            (struct kam_param[]){{"max", "500"}, {0}},
                            "one sending makes at most 500 links");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct survey s;
    if ((rc = survey_get(ctx, survey_id, &s)))
        goto out;
    if (strcmp(s.status, "open") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.not_open", NULL,
                          "only an open survey is sent");
        goto out;
    }
    if (!strcmp(channel, "email") && (rc = need_public_base(ctx)))
        goto out;
    struct cand *cs = NULL;
    size_t nc = 0;
    if (in->tier) {
        if ((rc = tier_contacts(ctx, in->tier, &cs, &nc)))
            goto out;
    } else {
        nc = in->n_contacts;
        cs = arena_calloc(ctx->a, nc ? nc : 1, sizeof *cs);
        for (size_t i = 0; i < nc; i++) {
            cs[i].contact_id = in->contact_ids[i];
            struct db_stmt *st;
            if ((rc = db_prepare(ctx->db,
                                 "SELECT id, account_id, email, name FROM contacts WHERE id = ?",
                                 &st, ctx->err)))
                goto out;
            db_bind_i64(st, 1, in->contact_ids[i]);
            int row = 0;
            rc = db_step(st, &row, ctx->err);
            if (!rc && row)
                read_cand(ctx, st, &cs[i]);
            db_done(st);
            if (rc)
                goto out;
        }
    }
    *items = arena_calloc(ctx->a, nc ? nc : 1, sizeof **items);
    *skipped = arena_calloc(ctx->a, nc ? nc : 1, sizeof **skipped);
    *n = *n_skipped = 0;
    for (size_t i = 0; i < nc; i++) {
        const struct cand *c = &cs[i];
        const char *why = "";
        if (!c->found)
            why = "not_found";
        else if ((rc = may_send(ctx, c->account_id, &why)))
            goto out;
        if (!*why) {
            int64_t dup = 0;
            struct db_stmt *st;
            if ((rc = db_prepare(ctx->db,
                                 "SELECT COUNT(*) FROM survey_links WHERE survey_id = ? AND "
                                 "contact_id = ?",
                                 &st, ctx->err)))
                goto out;
            db_bind_i64(st, 1, survey_id);
            db_bind_i64(st, 2, c->contact_id);
            int row = 0;
            rc = db_step(st, &row, ctx->err);
            if (!rc && row)
                dup = db_col_i64(st, 0);
            db_done(st);
            if (rc)
                goto out;
            if (dup)
                why = "already_sent";
            else if (!strcmp(channel, "email") && !*c->email)
                why = "no_email";
        }
        if (*why) {
            (*skipped)[*n_skipped].contact_id = c->contact_id;
            (*skipped)[(*n_skipped)++].reason = why;
            continue;
        }
        if ((rc = make_link(ctx, &s, c, channel, lang, in->base_url, &(*items)[*n])))
            goto out;
        (*n)++;
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

static const char *const link_states[] = {"pending", "answered", "expired", NULL};

enum kam_err survey_link_list(struct kam_ctx *ctx, const struct survey_link_query *q,
                              struct survey_link **items, size_t *n, const char **next_out)
{
    static const struct page_sort sorts[] = {{"sent_at", "survey_links.id", 0}};
    enum kam_err rc;
    if (q->state && (rc = check_enum(ctx, "state", q->state, link_states)))
        return rc;
    struct page_req pg;
    if ((rc = page_parse(ctx, sorts, 1, "-sent_at", q->limit, q->cursor, &pg)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT " LINK_COLS LINK_FROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (q->survey_id) {
        sqlb_sql(&b, " AND survey_links.survey_id = ?");
        sqlb_i64(&b, q->survey_id);
    }
    if (q->account_id) {
        sqlb_sql(&b, " AND survey_links.account_id = ?");
        sqlb_i64(&b, q->account_id);
    }
    if (q->state && !strcmp(q->state, "answered"))
        sqlb_sql(&b, " AND survey_links.answered_at IS NOT NULL");
    else if (q->state) {
        sqlb_sql(&b,
                 !strcmp(q->state, "pending")
                     ? " AND survey_links.answered_at IS NULL AND survey_links.expires_at > ?"
                     : " AND survey_links.answered_at IS NULL AND survey_links.expires_at <= ?");
        sqlb_i64(&b, ctx->now);
    }
    const struct survey_link *l;
    if ((rc = page_fetch(ctx, &b, &pg, "survey_links.id", read_link, sizeof **items, (void **)items,
                         n, (const void **)&l)))
        return rc;
    *next_out = l ? page_cursor(ctx, &pg, NULL, l->id, l->id) : NULL;
    return KAM_OK;
}

/* ---- reissue, revoke ---- */

static enum kam_err link_used(struct kam_ctx *ctx)
{
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.link_answered", NULL,
                        "the link has been answered: it cannot change");
}

struct held {
    const char *token_hash, *email, *name;
    int answered, found;
};

static void read_held(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct held *h = row;
    h->token_hash = arena_strdup(ctx->a, db_col_text(st, 0));
    h->answered = !db_col_is_null(st, 1);
    h->email = arena_strdup(ctx->a, db_col_text(st, 2));
    h->name = arena_strdup(ctx->a, db_col_text(st, 3));
    h->found = 1;
}

/* Locks link id (PostgreSQL) and reads its token hash, whether answered, its contact's e-mail
 * and name; 404 when gone. */
static enum kam_err hold_link(struct kam_ctx *ctx, int64_t id, struct held *h)
{
    memset(h, 0, sizeof *h);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        arena_printf(ctx->a,
                     "SELECT l.token_hash, l.answered_at, COALESCE(c.email, ''), "
                     "COALESCE(c.name, '') FROM survey_links l LEFT JOIN contacts c ON c.id = "
                     "l.contact_id WHERE l.id = ?%s",
                     *db_update_lock(ctx->db) ? " FOR UPDATE OF l" : ""),
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        read_held(ctx, st, h);
    db_done(st);
    if (!rc && !h->found)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such survey link");
    return rc;
}

enum kam_err survey_link_reissue(struct kam_ctx *ctx, int64_t id, const char *base_url,
                                 struct survey_link *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct survey_link before;
    struct survey s;
    struct held h;
    const char *token;
    char hash[65];
    if ((rc = hold_link(ctx, id, &h)) || (rc = survey_link_get(ctx, id, &before)) ||
        (rc = survey_get(ctx, before.survey_id, &s)))
        goto out;
    if (h.answered) {
        rc = link_used(ctx);
        goto out;
    }
    if (strcmp(s.status, "open") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.not_open", NULL,
                          "only an open survey is sent");
        goto out;
    }
    int mail = !strcmp(before.channel, "email") && *h.email;
    if (mail && (rc = need_public_base(ctx)))
        goto out;
    /* the old token dies, and the one before a reminder with it (a lost or leaked link) */
    survey_token_new(ctx, &token, hash);
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE survey_links SET token_hash = ?, prev_token_hash = NULL, "
                         "expires_at = ?, sent_at = ? WHERE id = ? AND token_hash = ? AND "
                         "answered_at IS NULL",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, hash);
    db_bind_i64(st, 2, ctx->now + s.link_days * 86400);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, id);
    db_bind_text(st, 5, h.token_hash);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    if (db_changes(ctx->db) != 1) {
        rc = link_used(ctx);
        goto out;
    }
    if ((rc = survey_link_mail_drop(ctx, id)) || (rc = survey_link_get(ctx, id, out)))
        goto out;
    out->token = token;
    if ((rc = survey_link_url(ctx, base_url, token, &out->url)))
        goto out;
    if (mail && (rc = queue_mail(ctx, &s, id, h.email, h.name, out->lang, out->url, out->expires_at,
                                 0, arena_printf(ctx->a, "reissue:%.16s", hash))))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_link(&d, &before, out);
    audit_diff_str(&d, "token", "old", "new"); /* never the token itself */
    rc = audit_write(ctx, "survey_link", id, before.account_id, "reissue", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* Deletes link l (read, unanswered) with its waiting e-mails and audits it; 409 when it was
 * answered meanwhile. */
static enum kam_err drop_link(struct kam_ctx *ctx, const struct survey_link *l)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "DELETE FROM survey_links WHERE id = ? AND answered_at IS NULL", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, l->id);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    if (db_changes(ctx->db) != 1)
        return link_used(ctx);
    if ((rc = survey_link_mail_drop(ctx, l->id)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_link(&d, l, NULL);
    return audit_write(ctx, "survey_link", l->id, l->account_id, "delete", &d);
}

enum kam_err survey_link_revoke(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct survey_link before;
    struct held h;
    if ((rc = hold_link(ctx, id, &h)) || (rc = survey_link_get(ctx, id, &before)))
        goto out;
    rc = h.answered ? link_used(ctx) : drop_link(ctx, &before);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err survey_links_drop_all(struct kam_ctx *ctx, int64_t survey_id, int64_t *n_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        arena_printf(ctx->a, "SELECT " LINK_COLS LINK_FROM " WHERE survey_links.survey_id = ?%s",
                     *db_update_lock(ctx->db) ? " FOR UPDATE OF survey_links" : ""),
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, survey_id);
    struct survey_link *ls;
    size_t n;
    if ((rc = rows_collect(ctx, st, 10000000, read_link, sizeof *ls, (void **)&ls, &n)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        if (ls[i].has_answered || (rc = drop_link(ctx, &ls[i])) == KAM_ECONFLICT)
            rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.has_responses", NULL,
                              "a survey with responses cannot be deleted; close it instead");
    *n_out = (int64_t)n;
    return rc;
}

/* ---- reminders (the scheduler) ---- */

struct due {
    int64_t id, survey_id, reminders;
    const char *email, *name, *token_hash;
};

static void read_due(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct due *x = row;
    x->id = db_col_i64(st, 0);
    x->survey_id = db_col_i64(st, 1);
    x->reminders = db_col_i64(st, 2);
    x->email = arena_strdup(ctx->a, db_col_text(st, 3));
    x->name = arena_strdup(ctx->a, db_col_text(st, 4));
    x->token_hash = arena_strdup(ctx->a, db_col_text(st, 5));
}

/* E-mail links unanswered and unexpired, of open surveys, sent or last reminded remind_days ago
 * or more, with fewer than max_reminders reminders: a new token and a reminder e-mail with the
 * new link, in the link's language. The link the contact already has keeps working (its hash
 * moves to prev_token_hash; the one before it dies); the expiry stays. At most 500 per pass, in
 * one transaction. Each link's UPDATE is guarded by what was read (reminders, token), so
 * passes running at once (PostgreSQL) remind a link once: the later one changes no row and
 * skips it; the outbox key is the reminder's number as read. Without a public address
 * configured nothing is sent (logged). */
enum kam_err survey_reminders_run(struct kam_ctx *ctx, int *sent)
{
    *sent = 0;
    const char *base = NULL;
    enum kam_err rc = survey_public_base(ctx, &base);
    if (rc)
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT l.id, l.survey_id, l.reminders, c.email, c.name, l.token_hash "
                         "FROM survey_links l JOIN surveys s ON s.id = l.survey_id JOIN contacts "
                         "c ON c.id = l.contact_id WHERE l.channel = 'email' AND l.answered_at IS "
                         "NULL AND l.expires_at > ? AND s.status = 'open' AND l.reminders < "
                         "s.max_reminders AND COALESCE(l.reminded_at, l.sent_at) + "
                         "s.remind_days * 86400 <= ? AND c.email <> '' ORDER BY l.id LIMIT 500",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, ctx->now);
    struct due *due;
    size_t n;
    if ((rc = rows_collect(ctx, st, 500, read_due, sizeof *due, (void **)&due, &n)))
        goto out;
    if (n && !base) {
        log_warn("survey reminders: %zu due, none sent: no public address (the setting "
                 "public_url or KAM_PUBLIC_URL)",
                 n);
        goto out;
    }
    struct survey s = {0};
    for (size_t i = 0; i < n; i++) {
        if (s.id != due[i].survey_id && (rc = survey_get(ctx, due[i].survey_id, &s)))
            goto out;
        struct survey_link before, after;
        const char *token;
        char hash[65];
        if ((rc = survey_link_get(ctx, due[i].id, &before)))
            goto out;
        survey_token_new(ctx, &token, hash);
        if ((rc = db_prepare(ctx->db,
                             "UPDATE survey_links SET prev_token_hash = token_hash, token_hash = "
                             "?, reminded_at = ?, reminders = reminders + 1 WHERE id = ? AND "
                             "reminders = ? AND token_hash = ? AND answered_at IS NULL",
                             &st, ctx->err)))
            goto out;
        db_bind_text(st, 1, hash);
        db_bind_i64(st, 2, ctx->now);
        db_bind_i64(st, 3, due[i].id);
        db_bind_i64(st, 4, due[i].reminders);
        db_bind_text(st, 5, due[i].token_hash);
        if ((rc = db_run(st, ctx->err)))
            goto out;
        if (db_changes(ctx->db) != 1)
            continue; /* answered, reminded or reissued meanwhile */
        if ((rc = survey_link_get(ctx, due[i].id, &after)))
            goto out;
        const char *url;
        if ((rc = survey_link_url(ctx, NULL, token, &url)) ||
            (rc = queue_mail(ctx, &s, after.id, due[i].email, due[i].name, after.lang, url,
                             after.expires_at, 1,
                             arena_printf(ctx->a, "r%lld", (long long)due[i].reminders + 1))))
            goto out;
        struct audit_diff d;
        audit_diff_init(&d);
        diff_link(&d, &before, &after);
        if ((rc = audit_write(ctx, "survey_link", after.id, after.account_id, "remind", &d)))
            goto out;
        (*sent)++;
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- response rates ---- */

static void read_rate(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct survey_rate *r = row;
    memset(r, 0, sizeof *r);
    r->key = arena_strdup(ctx->a, db_col_text(st, 0));
    r->name = db_col_is_null(st, 1) ? NULL : arena_strdup(ctx->a, db_col_text(st, 1));
    r->sent = db_col_i64(st, 2);
    r->answered = db_col_i64(st, 3);
    r->expired = db_col_i64(st, 4);
    r->rate = r->sent ? (double)r->answered / (double)r->sent : 0;
}

static enum kam_err rates_by(struct kam_ctx *ctx, int64_t survey_id, const char *key,
                             const char *name, const char *group, struct survey_rate **out,
                             size_t *n)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT ");
    sqlb_sql(&b, key);
    sqlb_sql(&b, ", ");
    sqlb_sql(&b, name);
    sqlb_sql(&b, ", COUNT(*), SUM(CASE WHEN survey_links.answered_at IS NOT NULL THEN 1 ELSE 0 "
                 "END), SUM(CASE WHEN survey_links.answered_at IS NULL AND "
                 "survey_links.expires_at <= ? THEN 1 ELSE 0 END) FROM survey_links JOIN "
                 "accounts ON accounts.id = survey_links.account_id WHERE "
                 "survey_links.survey_id = ?");
    sqlb_i64(&b, ctx->now);
    sqlb_i64(&b, survey_id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (group) {
        sqlb_sql(&b, " GROUP BY ");
        sqlb_sql(&b, group);
        sqlb_sql(&b, " ORDER BY 1");
    }
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 100000, read_rate, sizeof **out, (void **)out, n);
}

enum kam_err survey_rates_get(struct kam_ctx *ctx, int64_t survey_id, struct survey_rates *out)
{
    memset(out, 0, sizeof *out);
    int64_t exists = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM surveys WHERE id = ?", 1,
                                   survey_id, &exists, ctx->err);
    if (rc)
        return rc;
    if (!exists)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such survey");
    struct survey_rate *tot;
    size_t nt;
    if ((rc = rates_by(ctx, survey_id, "'all'", "NULL", NULL, &tot, &nt)) ||
        (rc = rates_by(ctx, survey_id, "CAST(accounts.id AS TEXT)", "accounts.name",
                       "accounts.id, accounts.name", &out->by_account, &out->n_account)) ||
        (rc = rates_by(ctx, survey_id, "accounts.tier", "NULL", "accounts.tier", &out->by_tier,
                       &out->n_tier)) ||
        (rc = rates_by(ctx, survey_id, "survey_links.channel", "NULL", "survey_links.channel",
                       &out->by_channel, &out->n_channel)))
        return rc;
    if (nt)
        out->total = tot[0];
    out->total.key = "all";
    out->total.name = NULL;
    return KAM_OK;
}
