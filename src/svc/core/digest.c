/* digest.c -- one digest per opted-in user and day, written in the user's language (users.lang,
 * migration 0016; NULL: zh-CN): its words from the message catalogue (digest.*), each
 * notification's title rendered from its key and parameters (older rows: their stored title). */
#include "digest.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "msg.h"
#include "notify.h"
#include "outbox.h"
#include "store/db.h"

#define CHINA_OFFSET (8 * 3600)

static enum kam_err count(struct kam_ctx *ctx, const char *sql, int64_t user_id, int64_t now,
                          int64_t *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_i64(st, 2, now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *out = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

enum kam_err digest_run(struct kam_ctx *ctx, int *queued_out)
{
    *queued_out = 0;
    int64_t local = ctx->now + CHINA_OFFSET;
    if (local % 86400 < 8 * 3600)
        return KAM_OK; /* before 08:00: today's digest waits */
    char day[32];
    time_iso(local, day, sizeof day);
    day[10] = 0;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT id, email, name, lang FROM users WHERE digest = 1 AND disabled "
                   "= 0 AND email <> '' ORDER BY id LIMIT 10000",
                   &st, ctx->err);
    if (rc)
        return rc;
    struct who {
        int64_t id;
        const char *email, *name;
        enum msg_lang lang;
    } *users = arena_calloc(ctx->a, 10000, sizeof *users);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 10000) {
        users[n].id = db_col_i64(st, 0);
        users[n].email = arena_strdup(ctx->a, db_col_text(st, 1));
        users[n].name = arena_strdup(ctx->a, db_col_text(st, 2));
        users[n].lang = msg_lang_stored(db_col_is_null(st, 3) ? NULL : db_col_text(st, 3));
        n++;
    }
    db_done(st);
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t overdue = 0, care = 0;
        if ((rc = count(ctx,
                        "SELECT COUNT(*) FROM visits WHERE owner_id = ? AND status = 'planned' "
                        "AND planned_at < ?",
                        users[i].id, ctx->now, &overdue)) ||
            (rc = count(ctx,
                        "SELECT COUNT(*) FROM care_reminders WHERE owner_id = ? AND status = "
                        "'pending' AND created_at <= ?",
                        users[i].id, ctx->now, &care)))
            break;
        struct buf body;
        buf_init(&body, 1 << 18);
        enum msg_lang lang = users[i].lang;
        char line[512];
        msg_render(lang, "digest.hello", (struct kam_param[]){{"name", users[i].name}}, 1, line,
                   sizeof line);
        buf_printf(&body, "%s\n\n", line);
        int lines = 0;
        if ((rc = db_prepare(ctx->db,
                             "SELECT title, link, msg_key, params FROM notifications WHERE "
                             "user_id = ? AND read_at "
                             "IS NULL AND created_at > ? ORDER BY id DESC LIMIT 50",
                             &st, ctx->err))) {
            buf_release(&body);
            break;
        }
        db_bind_i64(st, 1, users[i].id);
        db_bind_i64(st, 2, ctx->now - 86400);
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            struct kam_param params[NOTIFY_PARAMS];
            char *packed = arena_strdup(ctx->a, db_col_text(st, 3));
            size_t np = msg_params_unpack(packed, params, NOTIFY_PARAMS);
            const char *key = db_col_text(st, 2);
            if (!*key || msg_render(lang, key, params, np, line, sizeof line) <= 0)
                snprintf(line, sizeof line, "%s", db_col_text(st, 0));
            buf_printf(&body, "- %s\n", line);
            lines++;
        }
        db_done(st);
        char num[24];
        if (overdue) {
            snprintf(num, sizeof num, "%lld", (long long)overdue);
            msg_render(lang, "digest.overdue", (struct kam_param[]){{"n", num}}, 1, line,
                       sizeof line);
            buf_printf(&body, "\n%s\n", line);
        }
        if (care) {
            snprintf(num, sizeof num, "%lld", (long long)care);
            msg_render(lang, "digest.care", (struct kam_param[]){{"n", num}}, 1, line, sizeof line);
            buf_printf(&body, "%s\n", line);
        }
        /* Issue 16: the user's unresolved early-warning alerts, newest first, a line each. */
        int alerts = 0;
        if (!rc && !(rc = db_prepare(ctx->db,
                                     "SELECT accounts.name, alerts.severity, alerts.created_at, "
                                     "alerts.signal FROM "
                                     "alerts JOIN accounts ON accounts.id = alerts.account_id "
                                     "WHERE alerts.owner_id = ? AND alerts.status <> 'resolved' "
                                     "ORDER BY alerts.created_at DESC, alerts.id DESC LIMIT 20",
                                     &st, ctx->err))) {
            db_bind_i64(st, 1, users[i].id);
            while (!(rc = db_step(st, &row, ctx->err)) && row) {
                char sev[64], key[48];
                snprintf(key, sizeof key, "enum.severity.%s", db_col_text(st, 1));
                if (msg_render(lang, key, NULL, 0, sev, sizeof sev) <= 0)
                    snprintf(sev, sizeof sev, "%s", db_col_text(st, 1));
                msg_render(lang,
                           db_col_i64(st, 2) > ctx->now - 86400 ? "digest.alert_new"
                                                                : "digest.alert_open",
                           (struct kam_param[]){{"name", db_col_text(st, 0)},
                                                {"severity", sev},
                                                {"signal", db_col_text(st, 3)}},
                           3, line, sizeof line);
                if (!alerts++)
                    buf_puts(&body, "\n");
                buf_printf(&body, "- %s\n", line);
            }
            db_done(st);
        }
        if (!rc && (lines || overdue || care || alerts)) {
            char key[64];
            snprintf(key, sizeof key, "digest:%lld:%s", (long long)users[i].id, day);
            int64_t id;
            char subject[96];
            msg_render(lang, "digest.subject", (struct kam_param[]){{"day", day}}, 1, subject,
                       sizeof subject);
            /* The dedup key makes a second pass (or instance) today a no-op. */
            int made = 0;
            rc = outbox_queue(ctx, users[i].email, subject, body.data, key, &id, &made);
            *queued_out += made;
        }
        buf_release(&body);
    }
    return rc;
}
