/* notify.c -- notifications. Not business data: not audited. */
#include "notify.h"

#include <string.h>

#include "page.h"
#include "store/db.h"
#include "store/sqlb.h"

static enum kam_err add(struct kam_ctx *ctx, int64_t user_id, const char *kind, const char *title,
                        const char *msg_key, const char *params, const char *body, const char *link,
                        const char *dedup_key, int *created_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO notifications (user_id, kind, title, body, link, "
                                 "dedup_key, created_at, msg_key, params) VALUES "
                                 "(?,?,?,?,?,?,?,?,?) ON CONFLICT (dedup_key) DO NOTHING",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_text(st, 2, kind);
    db_bind_text(st, 3, title);
    db_bind_text(st, 4, body ? body : "");
    db_bind_text(st, 5, link ? link : "");
    db_bind_text(st, 6, dedup_key);
    db_bind_i64(st, 7, ctx->now);
    db_bind_text(st, 8, msg_key);
    db_bind_text(st, 9, params);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (!rc && created_out)
        *created_out = db_changes(ctx->db) == 1;
    return rc;
}

enum kam_err notify_add(struct kam_ctx *ctx, int64_t user_id, const char *kind, const char *title,
                        const char *body, const char *link, const char *dedup_key, int *created_out)
{
    return add(ctx, user_id, kind, title, "", "", body, link, dedup_key, created_out);
}

enum kam_err notify_add_msg(struct kam_ctx *ctx, int64_t user_id, const char *kind,
                            const char *msg_key, const struct kam_param *params, const char *body,
                            const char *link, const char *dedup_key, int *created_out)
{
    size_t np = 0;
    while (params && params[np].name && np < NOTIFY_PARAMS)
        np++;
    char packed[1024], zh[400], en[400];
    msg_params_pack(params, np, packed, sizeof packed);
    msg_render(MSG_ZH_CN, msg_key, params, np, zh, sizeof zh);
    msg_render(MSG_EN, msg_key, params, np, en, sizeof en);
    const char *title = arena_printf(ctx->a, "%s %s", zh, en);
    return add(ctx, user_id, kind, title, msg_key, packed, body, link, dedup_key, created_out);
}

static const struct page_sort sorts[] = {{"id", "notifications.id", 0}};

enum kam_err notify_list(struct kam_ctx *ctx, const struct notification_query *q,
                         struct notification **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT id, user_id, kind, title, body, link, created_at, read_at, msg_key, "
                 "params FROM notifications WHERE user_id = ?");
    sqlb_i64(&b, ctx->who.user_id);
    if (q->unread)
        sqlb_sql(&b, " AND read_at IS NULL");
    if (q->kind && *q->kind) {
        sqlb_sql(&b, " AND kind = ?");
        sqlb_text(&b, q->kind);
    }
    if (pg.has_after) {
        sqlb_sql(&b, " AND id < ?");
        sqlb_i64(&b, pg.after_id);
    }
    sqlb_sql(&b, " ORDER BY id DESC LIMIT ?");
    sqlb_i64(&b, pg.limit + 1);
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    struct notification *items = arena_calloc(ctx->a, (size_t)pg.limit + 1, sizeof *items);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct notification *x = &items[n++];
        x->id = db_col_i64(st, 0);
        x->user_id = db_col_i64(st, 1);
        x->kind = arena_strdup(ctx->a, db_col_text(st, 2));
        x->title = arena_strdup(ctx->a, db_col_text(st, 3));
        x->body = arena_strdup(ctx->a, db_col_text(st, 4));
        x->link = arena_strdup(ctx->a, db_col_text(st, 5));
        x->created_at = db_col_i64(st, 6);
        x->read = !db_col_is_null(st, 7);
        x->read_at = x->read ? db_col_i64(st, 7) : 0;
        x->msg_key = arena_strdup(ctx->a, db_col_text(st, 8));
        x->nparams =
            msg_params_unpack(arena_strdup(ctx->a, db_col_text(st, 9)), x->params, NOTIFY_PARAMS);
    }
    db_done(st);
    if (rc)
        return rc;
    *next_out = NULL;
    if (n > (size_t)pg.limit) {
        n = (size_t)pg.limit;
        *next_out = page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id);
    }
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err notify_read(struct kam_ctx *ctx, int64_t id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE "
                                 "id = ? AND user_id = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, id);
    db_bind_i64(st, 3, ctx->who.user_id);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    if (!rc && db_changes(ctx->db) != 1)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such notification");
    return rc;
}

enum kam_err notify_read_all(struct kam_ctx *ctx)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64(st, 2, ctx->who.user_id);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
    return rc;
}

enum kam_err notify_unread(struct kam_ctx *ctx, int64_t *count_out)
{
    return db_query_i64(ctx->db,
                        "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
                        1, ctx->who.user_id, count_out, ctx->err);
}
