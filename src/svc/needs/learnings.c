/* learnings.c -- what a revisit learned (F2.7): how the customer uses our products or service,
 * what works, what does not (visit_learnings, one row per visit), and new needs, each a need
 * with source "visit" and the visit's id. Called inside the visit completion's transaction. */
#include <string.h>

#include "need.h"
#include "store/db.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/relationships/visit.h"

enum kam_err visit_learnings_get(struct kam_ctx *ctx, int64_t visit_id, struct visit_learnings *out,
                                 int *found)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT how_used, works, fails FROM visit_learnings WHERE visit_id = ?",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, visit_id);
    int row = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        *found = 1;
        out->how_used = arena_strdup(ctx->a, db_col_text(st, 0));
        out->works = arena_strdup(ctx->a, db_col_text(st, 1));
        out->fails = arena_strdup(ctx->a, db_col_text(st, 2));
    }
    db_done(st);
    return rc;
}

enum kam_err visit_learnings_save(struct kam_ctx *ctx, int64_t visit_id, int64_t account_id,
                                  const struct visit_learnings *l)
{
    const char *u = l->how_used ? l->how_used : "", *w = l->works ? l->works : "",
               *f = l->fails ? l->fails : "";
    enum kam_err rc;
    if ((rc = check_text(ctx, "learnings.how_used", u, 0, LEARNING_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "learnings.works", w, 0, LEARNING_TEXT_MAX, CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "learnings.fails", f, 0, LEARNING_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (l->n_new_needs > LEARNING_NEW_NEEDS_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "learnings.new_needs", "at most %d new needs",
                        LEARNING_NEW_NEEDS_MAX);
    for (size_t i = 0; i < l->n_new_needs; i++)
        if ((rc = need_check_required(ctx, "learnings.new_needs", l->new_needs[i], NEED_TEXT_MAX)))
            return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct visit_learnings before;
    int found = 0;
    if ((rc = visit_learnings_get(ctx, visit_id, &before, &found)))
        goto out;
    if (*u || *w || *f || found) {
        struct db_stmt *st;
        rc = db_prepare(ctx->db,
                        found ? "UPDATE visit_learnings SET how_used = ?, works = ?, fails = ?, "
                                "created_by = ?, created_at = ? WHERE visit_id = ?"
                              : "INSERT INTO visit_learnings (how_used, works, fails, created_by, "
                                "created_at, visit_id) VALUES (?,?,?,?,?,?)",
                        &st, ctx->err);
        if (rc)
            goto out;
        db_bind_text(st, 1, u);
        db_bind_text(st, 2, w);
        db_bind_text(st, 3, f);
        db_bind_i64n(st, 4, ctx->who.user_id, ctx->who.user_id == 0);
        db_bind_i64(st, 5, ctx->now);
        db_bind_i64(st, 6, visit_id);
        if ((rc = db_run(st, ctx->err)))
            goto out;
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "learnings.how_used", found ? before.how_used : NULL, u);
        audit_diff_str(&d, "learnings.works", found ? before.works : NULL, w);
        audit_diff_str(&d, "learnings.fails", found ? before.fails : NULL, f);
        if ((rc = audit_write(ctx, "visit", visit_id, account_id, "update", &d)))
            goto out;
    }
    for (size_t i = 0; i < l->n_new_needs && !rc; i++) {
        struct need_in in = {.set = NEED_DESCRIPTION | NEED_VISIT | NEED_SOURCE};
        in.v.description = l->new_needs[i];
        in.v.has_visit = 1;
        in.v.visit_id = visit_id;
        in.v.source = "visit";
        struct need out;
        rc = need_create(ctx, account_id, &in, &out);
    }
out:
    return db_end(ctx->db, rc, ctx->err);
}
