/* digest.c -- one digest per opted-in user and day. */
#include "digest.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
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
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, email, name FROM users WHERE digest = 1 AND disabled "
                                 "= 0 AND email <> '' ORDER BY id LIMIT 10000",
                                 &st, ctx->err);
    if (rc)
        return rc;
    struct who {
        int64_t id;
        const char *email, *name;
    } *users = arena_calloc(ctx->a, 10000, sizeof *users);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < 10000) {
        users[n].id = db_col_i64(st, 0);
        users[n].email = arena_strdup(ctx->a, db_col_text(st, 1));
        users[n].name = arena_strdup(ctx->a, db_col_text(st, 2));
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
        buf_printf(&body, "%s，您好 / Hello %s,\n\n", users[i].name, users[i].name);
        int lines = 0;
        if ((rc = db_prepare(ctx->db,
                             "SELECT title, link FROM notifications WHERE user_id = ? AND read_at "
                             "IS NULL AND created_at > ? ORDER BY id DESC LIMIT 50",
                             &st, ctx->err))) {
            buf_release(&body);
            break;
        }
        db_bind_i64(st, 1, users[i].id);
        db_bind_i64(st, 2, ctx->now - 86400);
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            buf_printf(&body, "- %s\n", db_col_text(st, 0));
            lines++;
        }
        db_done(st);
        if (overdue)
            buf_printf(&body, "\n逾期拜访 Overdue visits: %lld\n", (long long)overdue);
        if (care)
            buf_printf(&body, "待办关怀 Care to give: %lld\n", (long long)care);
        if (!rc && (lines || overdue || care)) {
            char key[64];
            snprintf(key, sizeof key, "digest:%lld:%s", (long long)users[i].id, day);
            int64_t id;
            char subject[96];
            snprintf(subject, sizeof subject, "KAM 每日摘要 Daily digest %s", day);
            /* The dedup key makes a second pass (or instance) today a no-op. */
            int made = 0;
            rc = outbox_queue(ctx, users[i].email, subject, body.data, key, &id, &made);
            *queued_out += made;
        }
        buf_release(&body);
    }
    return rc;
}
