/* audit.c -- writing and reading the audit log. */
#include "audit.h"

#include <string.h>

void audit_diff_init(struct audit_diff *d)
{
    buf_init(&d->b, 1 << 20);
    jw_init(&d->w, &d->b);
    jw_obj_begin(&d->w);
    d->n = 0;
}

void audit_diff_release(struct audit_diff *d)
{
    buf_release(&d->b);
}

void audit_diff_str(struct audit_diff *d, const char *field, const char *before, const char *after)
{
    if (!before && !after)
        return;
    if (before && after && strcmp(before, after) == 0)
        return;
    jw_key(&d->w, field);
    jw_arr_begin(&d->w);
    jw_str(&d->w, before);
    jw_str(&d->w, after);
    jw_arr_end(&d->w);
    d->n++;
}

void audit_diff_i64(struct audit_diff *d, const char *field, int64_t before, int before_null,
                    int64_t after, int after_null)
{
    if (before_null && after_null)
        return;
    if (!before_null && !after_null && before == after)
        return;
    jw_key(&d->w, field);
    jw_arr_begin(&d->w);
    if (before_null)
        jw_null(&d->w);
    else
        jw_i64(&d->w, before);
    if (after_null)
        jw_null(&d->w);
    else
        jw_i64(&d->w, after);
    jw_arr_end(&d->w);
    d->n++;
}

void audit_diff_time(struct audit_diff *d, const char *field, int64_t before, int before_null,
                     int64_t after, int after_null)
{
    if (before_null && after_null)
        return;
    if (!before_null && !after_null && before == after)
        return;
    jw_key(&d->w, field);
    jw_arr_begin(&d->w);
    jw_time(&d->w, before_null ? -1 : before);
    jw_time(&d->w, after_null ? -1 : after);
    jw_arr_end(&d->w);
    d->n++;
}

enum kam_err audit_write(struct kam_ctx *ctx, const char *entity, int64_t entity_id,
                         int64_t account_id, const char *action, struct audit_diff *d)
{
    enum kam_err rc = KAM_OK;
    if (d->n == 0 && strcmp(action, "update") == 0)
        goto out;
    jw_obj_end(&d->w);
    if (!buf_ok(&d->b)) {
        rc = kam_fail(ctx->err, KAM_ETOOBIG, "", "audit record too large");
        goto out;
    }
    struct db_stmt *st;
    rc = db_prepare(ctx->db,
                    "INSERT INTO audit (at, user_id, entity, entity_id, account_id, action, "
                    "changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    &st, ctx->err);
    if (rc)
        goto out;
    db_bind_i64(st, 1, ctx->now);
    db_bind_i64n(st, 2, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_text(st, 3, entity);
    db_bind_i64(st, 4, entity_id);
    db_bind_i64n(st, 5, account_id, account_id == 0);
    db_bind_text(st, 6, action);
    db_bind_textn(st, 7, d->b.data, d->b.len);
    int row;
    rc = db_step(st, &row, ctx->err);
    db_done(st);
out:
    audit_diff_release(d);
    return rc;
}

enum kam_err audit_list(struct kam_ctx *ctx, const struct audit_query *q,
                        struct audit_row **items_out, size_t *n_out, int *more_out)
{
    int by_account = strcmp(q->entity, "account") == 0;
    const char *sql =
        by_account ? "SELECT audit.id, at, user_id, COALESCE(users.login, ''), entity, entity_id, "
                     "account_id, action, changes FROM audit LEFT JOIN users ON users.id = "
                     "audit.user_id WHERE account_id = ? AND audit.id < ? ORDER BY audit.id DESC "
                     "LIMIT ?"
                   : "SELECT audit.id, at, user_id, COALESCE(users.login, ''), entity, entity_id, "
                     "account_id, action, changes FROM audit LEFT JOIN users ON users.id = "
                     "audit.user_id WHERE entity = ? AND entity_id = ? AND audit.id < ? ORDER BY "
                     "audit.id DESC LIMIT ?";
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    int i = 1;
    if (!by_account)
        db_bind_text(st, i++, q->entity);
    db_bind_i64(st, i++, q->entity_id);
    db_bind_i64(st, i++, q->before_id > 0 ? q->before_id : INT64_MAX);
    db_bind_i64(st, i++, q->limit + 1);
    struct audit_row *items = arena_calloc(ctx->a, (size_t)q->limit + 1, sizeof *items);
    size_t n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        struct audit_row *r = &items[n++];
        r->id = db_col_i64(st, 0);
        r->at = db_col_i64(st, 1);
        r->user_id = db_col_is_null(st, 2) ? 0 : db_col_i64(st, 2);
        r->user_login = arena_strdup(ctx->a, db_col_text(st, 3));
        r->entity = arena_strdup(ctx->a, db_col_text(st, 4));
        r->entity_id = db_col_i64(st, 5);
        r->account_id = db_col_is_null(st, 6) ? 0 : db_col_i64(st, 6);
        r->action = arena_strdup(ctx->a, db_col_text(st, 7));
        r->changes = arena_strdup(ctx->a, db_col_text(st, 8));
    }
    db_done(st);
    if (rc)
        return rc;
    *more_out = n > (size_t)q->limit;
    if (*more_out)
        n = (size_t)q->limit;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

enum kam_err audit_account_of(struct kam_ctx *ctx, const char *entity, int64_t entity_id,
                              int64_t *account_id_out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT account_id FROM audit WHERE entity = ? AND entity_id = ? "
                                 "ORDER BY id DESC LIMIT 1",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, entity);
    db_bind_i64(st, 2, entity_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        *account_id_out = db_col_is_null(st, 0) ? 0 : db_col_i64(st, 0);
    db_done(st);
    if (!rc && !row)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no audit history for this record");
    return rc;
}
