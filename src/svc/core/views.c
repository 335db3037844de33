/* views.c -- saved list views.
 *
 * Not audited: a view is one user's display preference (which filters, sort and columns they
 * like), visible to nobody else and changing no business record; the audit log is the history
 * of business data, and filling it with every click on "save view" would bury that history.
 * The caps (name length, state size, views per screen) bound what one user can store. */
#include "views.h"

#include <string.h>

#include "check.h"
#include "rows.h"
#include "store/db.h"

const char *const view_screens[] = {"accounts", "issues", "kpis",         "contacts", "volume",
                                    "targets",  "visits", "interactions", NULL};

#define VCOLS "id, user_id, screen, name, state, created_at, updated_at"

static void read_view(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct saved_view *v = row;
    v->id = db_col_i64(st, 0);
    v->user_id = db_col_i64(st, 1);
    v->screen = arena_strdup(ctx->a, db_col_text(st, 2));
    v->name = arena_strdup(ctx->a, db_col_text(st, 3));
    v->state = arena_strdup(ctx->a, db_col_text(st, 4));
    v->created_at = db_col_i64(st, 5);
    v->updated_at = db_col_i64(st, 6);
}

static enum kam_err check_state(struct kam_ctx *ctx, const char *state)
{
    size_t n = strlen(state);
    if (n > VIEW_STATE_MAX)
        return kam_fail(ctx->err, KAM_ETOOBIG, "state", "state must be at most %d bytes",
                        VIEW_STATE_MAX);
    /* The screen's JSON object, kept as text; the UI reads it back. */
    while (*state == ' ' || *state == '\n' || *state == '\t' || *state == '\r')
        state++;
    if (*state != '{')
        return kam_fail(ctx->err, KAM_EINVAL, "state", "state must be a JSON object");
    return check_text(ctx, "state", state, 2, VIEW_STATE_MAX, CHECK_MULTILINE);
}

/* The caller's view id, or "no such view" (also for another user's: no existence oracle). */
static enum kam_err load_own(struct kam_ctx *ctx, int64_t id, struct saved_view *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " VCOLS " FROM saved_views WHERE id = ?", id, read_view, out, "view");
    if (!rc && out->user_id != ctx->who.user_id)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "id", "no such view");
    return rc;
}

static enum kam_err name_taken(struct kam_ctx *ctx, const char *screen, const char *name,
                               int64_t except_id)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "SELECT id FROM saved_views WHERE user_id = ? AND screen = ? AND name = ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_text(st, 2, screen);
    db_bind_text(st, 3, name);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    int64_t other = row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (!rc && row && other != except_id)
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "name", "views.name_taken", NULL,
                          "you already have a view with this name");
    return rc;
}

enum kam_err view_list(struct kam_ctx *ctx, const char *screen, struct saved_view **items_out,
                       size_t *n_out)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "screen", screen ? screen : "", view_screens)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT " VCOLS " FROM saved_views WHERE user_id = ? AND screen = ? "
                         "ORDER BY name, id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_text(st, 2, screen);
    return rows_collect(ctx, st, VIEWS_PER_SCREEN, read_view, sizeof **items_out,
                        (void **)items_out, n_out);
}

enum kam_err view_create(struct kam_ctx *ctx, const char *screen, const char *name,
                         const char *state, struct saved_view *out)
{
    enum kam_err rc;
    if ((rc = check_enum(ctx, "screen", screen ? screen : "", view_screens)) ||
        (rc = check_text(ctx, "name", name, 1, VIEW_NAME_MAX, CHECK_LINE)) ||
        (rc = check_state(ctx, state ? state : "")))
        return rc;
    if (ctx->who.user_id == 0)
        return kam_fail(ctx->err, KAM_EINVAL, "", "views belong to a signed-in user");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t count = 0;
    struct db_stmt *st;
    if ((rc = name_taken(ctx, screen, name, 0)))
        goto out;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COUNT(*) FROM saved_views WHERE user_id = ? AND screen = ?", &st,
                         ctx->err)))
        goto out;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_text(st, 2, screen);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    count = row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (!rc && count >= VIEWS_PER_SCREEN)
        rc = kam_fail(ctx->err, KAM_ETOOBIG, "name", "at most %d views per screen",
                      VIEWS_PER_SCREEN);
    if (rc)
        goto out;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO saved_views (user_id, screen, name, state, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, ctx->who.user_id);
    db_bind_text(st, 2, screen);
    db_bind_text(st, 3, name);
    db_bind_text(st, 4, state);
    db_bind_i64(st, 5, ctx->now);
    db_bind_i64(st, 6, ctx->now);
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (!rc)
        rc = load_own(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err view_update(struct kam_ctx *ctx, int64_t id, const char *name, const char *state,
                         struct saved_view *out)
{
    enum kam_err rc;
    if ((name && (rc = check_text(ctx, "name", name, 1, VIEW_NAME_MAX, CHECK_LINE))) ||
        (state && (rc = check_state(ctx, state))))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct saved_view before;
    if ((rc = load_own(ctx, id, &before)))
        goto out;
    if (name && strcmp(name, before.name) != 0 && (rc = name_taken(ctx, before.screen, name, id)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE saved_views SET name = ?, state = ?, updated_at = ? WHERE id = ? "
                         "AND user_id = ?",
                         &st, ctx->err)))
        goto out;
    db_bind_text(st, 1, name ? name : before.name);
    db_bind_text(st, 2, state ? state : before.state);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, id);
    db_bind_i64(st, 5, ctx->who.user_id);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    rc = load_own(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err view_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct saved_view before;
    if (!(rc = load_own(ctx, id, &before)))
        rc = db_exec_i64(ctx->db, "DELETE FROM saved_views WHERE id = ?", id, ctx->err);
    return db_end(ctx->db, rc, ctx->err);
}
