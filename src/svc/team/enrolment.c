/* enrolment.c -- enrolments in training sessions and the team chapter's training needs
 * (enrolment.h). */
#include "enrolment.h"

#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "effect.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const enrolment_statuses[] = {"enrolled",  "attended",  "absent",
                                          "completed", "cancelled", NULL};

#define CHINA_OFFSET (8 * 3600)

static const char *today(struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date((ctx->now + CHINA_OFFSET) / 86400, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static int64_t opt_i64(struct db_stmt *st, int i, int *has)
{
    *has = !db_col_is_null(st, i);
    return *has ? db_col_i64(st, i) : 0;
}

static const char *opt_text(struct kam_ctx *ctx, struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? NULL : arena_strdup(ctx->a, db_col_text(st, i));
}

/* ---- enrolments ---- */

#define ECOLS                                                                                      \
    "e.id, e.session_id, s.course_id, c.title, c.topic, s.starts_on, s.ends_on, e.user_id, "       \
    "u.name, e.status, e.completed_at, e.pre_score, e.post_score, e.feedback_rating, "             \
    "e.feedback_comment, e.feedback_at, e.practice_account_id, e.practice_task, "                  \
    "e.practice_due_on, e.practice_done_on, e.practice_result, e.version, e.created_at, "          \
    "e.updated_at"
#define EFROM                                                                                      \
    " FROM training_enrolments e JOIN training_sessions s ON s.id = e.session_id JOIN courses c "  \
    "ON c.id = s.course_id JOIN users u ON u.id = e.user_id"

static void enrolment_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct enrolment *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->session_id = db_col_i64(st, 1);
    x->course_id = db_col_i64(st, 2);
    x->course_title = arena_strdup(ctx->a, db_col_text(st, 3));
    x->course_topic = arena_strdup(ctx->a, db_col_text(st, 4));
    x->starts_on = arena_strdup(ctx->a, db_col_text(st, 5));
    x->ends_on = arena_strdup(ctx->a, db_col_text(st, 6));
    x->user_id = db_col_i64(st, 7);
    x->user_name = arena_strdup(ctx->a, db_col_text(st, 8));
    x->status = arena_strdup(ctx->a, db_col_text(st, 9));
    x->completed_at = opt_i64(st, 10, &x->has_completed);
    x->pre_score = opt_i64(st, 11, &x->has_pre);
    x->post_score = opt_i64(st, 12, &x->has_post);
    x->feedback_rating = opt_i64(st, 13, &x->has_rating);
    x->feedback_comment = arena_strdup(ctx->a, db_col_text(st, 14));
    x->feedback_at = opt_i64(st, 15, &x->has_feedback_at);
    x->practice_account_id = opt_i64(st, 16, &x->has_practice_account);
    x->practice_task = arena_strdup(ctx->a, db_col_text(st, 17));
    x->practice_due_on = opt_text(ctx, st, 18);
    x->practice_done_on = opt_text(ctx, st, 19);
    x->practice_result = arena_strdup(ctx->a, db_col_text(st, 20));
    x->version = db_col_i64(st, 21);
    x->created_at = db_col_i64(st, 22);
    x->updated_at = db_col_i64(st, 23);
}

enum kam_err enrolment_get(struct kam_ctx *ctx, int64_t id, struct enrolment *out)
{
    return row_get(ctx, "SELECT " ECOLS EFROM " WHERE e.id = ?", id, enrolment_row, out,
                   "enrolment");
}

static void enrolment_diff(struct audit_diff *d, const struct enrolment *b,
                           const struct enrolment *a)
{
    audit_diff_i64(d, "session_id", b ? b->session_id : 0, !b, a ? a->session_id : 0, !a);
    audit_diff_i64(d, "user_id", b ? b->user_id : 0, !b, a ? a->user_id : 0, !a);
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_time(d, "completed_at", b ? b->completed_at : 0, !b || !b->has_completed,
                    a ? a->completed_at : 0, !a || !a->has_completed);
    audit_diff_i64(d, "pre_score", b ? b->pre_score : 0, !b || !b->has_pre, a ? a->pre_score : 0,
                   !a || !a->has_pre);
    audit_diff_i64(d, "post_score", b ? b->post_score : 0, !b || !b->has_post,
                   a ? a->post_score : 0, !a || !a->has_post);
    audit_diff_i64(d, "feedback_rating", b ? b->feedback_rating : 0, !b || !b->has_rating,
                   a ? a->feedback_rating : 0, !a || !a->has_rating);
    audit_diff_str(d, "feedback_comment", b ? b->feedback_comment : NULL,
                   a ? a->feedback_comment : NULL);
    audit_diff_i64(d, "practice_account_id", b ? b->practice_account_id : 0,
                   !b || !b->has_practice_account, a ? a->practice_account_id : 0,
                   !a || !a->has_practice_account);
    audit_diff_str(d, "practice_task", b ? b->practice_task : NULL, a ? a->practice_task : NULL);
    audit_diff_str(d, "practice_due_on", b ? b->practice_due_on : NULL,
                   a ? a->practice_due_on : NULL);
    audit_diff_str(d, "practice_done_on", b ? b->practice_done_on : NULL,
                   a ? a->practice_done_on : NULL);
    audit_diff_str(d, "practice_result", b ? b->practice_result : NULL,
                   a ? a->practice_result : NULL);
}

enum kam_err enrolment_create(struct kam_ctx *ctx, const struct enrolment_in *in,
                              struct enrolment *out)
{
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, EN_SESSION, "session_id")) ||
        (rc = check_given(ctx, in->set, EN_USER, "user_id")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t n = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM training_sessions WHERE id = ?", 1,
                           in->v.session_id, &n, ctx->err)))
        goto out;
    if (!n) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "session_id", "no such training session");
        goto out;
    }
    if ((rc = policy_body_person(ctx, "user_id", in->v.user_id, OBJ_ENROLMENT, ACT_CREATE)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COUNT(*) FROM training_enrolments WHERE session_id = ? AND "
                         "user_id = ?",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, in->v.session_id);
    db_bind_i64(st, 2, in->v.user_id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        goto out;
    if (n) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "user_id", "enrolment.duplicate", NULL,
                          "the person is already enrolled in this session");
        goto out;
    }
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO training_enrolments (session_id, user_id, status, version, "
                         "created_at, updated_at) VALUES (?, ?, 'enrolled', 1, ?, ?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, in->v.session_id);
    db_bind_i64(st, 2, in->v.user_id);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, ctx->now);
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = enrolment_get(ctx, id, out)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    enrolment_diff(&d, NULL, out);
    rc = audit_write(ctx, "enrolment", id, 0, "create", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static int attended(const struct enrolment *x)
{
    return !strcmp(x->status, "attended") || !strcmp(x->status, "completed");
}

static enum kam_err en_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return enrolment_get(ctx, id, rec);
}

static enum kam_err check_practice_account(struct kam_ctx *ctx, const struct enrolment *x)
{
    if (!x->has_practice_account)
        return KAM_OK;
    int64_t n = 0;
    enum kam_err rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM accounts WHERE id = ?", 1,
                                   x->practice_account_id, &n, ctx->err);
    if (rc)
        return rc;
    int yes = 0;
    if (n && (rc = policy_user_may(ctx, x->user_id, OBJ_ACCOUNT, ACT_READ, x->practice_account_id,
                                   &yes)))
        return rc;
    if (!n || !yes)
        return kam_fail_key(ctx->err, KAM_EINVAL, "practice_account_id",
                            "enrolment.practice_account", NULL,
                            "the practice account must be an account the person may read");
    return KAM_OK;
}

static enum kam_err en_merge(const struct update_op *op, void *rec)
{
    struct kam_ctx *ctx = op->ctx;
    struct enrolment *x = rec;
    const struct enrolment_in *in = op->in;
    const struct enrolment *v = &in->v;
    enum kam_err rc;
    if (in->set & (EN_SESSION | EN_USER))
        return kam_fail(ctx->err, KAM_EINVAL, (in->set & EN_SESSION) ? "session_id" : "user_id",
                        "an enrolment's session and person cannot change");
    if (!strcmp(x->status, "cancelled"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "enrolment.cancelled", NULL,
                            "the enrolment was cancelled");
    if (in->set & EN_PRE) {
        x->pre_score = v->pre_score;
        x->has_pre = v->has_pre;
    }
    if (in->set & EN_POST) {
        x->post_score = v->post_score;
        x->has_post = v->has_post;
    }
    if (in->set & EN_PACCOUNT) {
        x->practice_account_id = v->practice_account_id;
        x->has_practice_account = v->has_practice_account;
    }
    if (in->set & EN_PTASK)
        x->practice_task = v->practice_task ? v->practice_task : "";
    if (in->set & EN_PDUE)
        x->practice_due_on = v->practice_due_on;
    if (in->set & EN_PDONE)
        x->practice_done_on = v->practice_done_on;
    if (in->set & EN_PRESULT)
        x->practice_result = v->practice_result ? v->practice_result : "";
    if ((x->has_pre && (rc = check_range(ctx, "pre_score", x->pre_score, 0, 100))) ||
        (x->has_post && (rc = check_range(ctx, "post_score", x->post_score, 0, 100))) ||
        (rc = check_text(ctx, "practice_task", x->practice_task, 0, ENROL_TASK_MAX,
                         CHECK_MULTILINE)) ||
        (rc = check_text(ctx, "practice_result", x->practice_result, 0, ENROL_RESULT_MAX,
                         CHECK_MULTILINE)) ||
        (x->practice_due_on && (rc = check_date(ctx, "practice_due_on", x->practice_due_on))) ||
        (x->practice_done_on && (rc = check_date(ctx, "practice_done_on", x->practice_done_on))))
        return rc;
    if ((in->set & EN_POST) && x->has_post && !attended(x))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "post_score", "enrolment.not_attended", NULL,
                            "the person has not attended the session");
    if (x->practice_done_on && strcmp(x->practice_done_on, today(ctx)) > 0)
        return kam_fail(ctx->err, KAM_EINVAL, "practice_done_on", "a day not after today");
    if (!x->has_practice_account && (*x->practice_task || x->practice_due_on))
        return kam_fail_key(ctx->err, KAM_EINVAL, "practice_account_id", "required",
                            (struct kam_param[]){{"field", "practice_account_id"}, {0}},
                            "practice_account_id is required");
    if (in->set & EN_PACCOUNT)
        return check_practice_account(ctx, x);
    return KAM_OK;
}

static void en_diff(const struct update_op *op)
{
    enrolment_diff(op->diff, op->before, op->after);
}

static enum kam_err en_write(const struct update_op *op)
{
    const struct enrolment *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        op->ctx->db,
        "UPDATE training_enrolments SET status = ?, completed_at = ?, pre_score = ?, "
        "post_score = ?, feedback_rating = ?, feedback_comment = ?, feedback_at = ?, "
        "practice_account_id = ?, practice_task = ?, practice_due_on = ?, practice_done_on = ?, "
        "practice_result = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->status);
    db_bind_i64n(st, 2, x->completed_at, !x->has_completed);
    db_bind_i64n(st, 3, x->pre_score, !x->has_pre);
    db_bind_i64n(st, 4, x->post_score, !x->has_post);
    db_bind_i64n(st, 5, x->feedback_rating, !x->has_rating);
    db_bind_text(st, 6, x->feedback_comment);
    db_bind_i64n(st, 7, x->feedback_at, !x->has_feedback_at);
    db_bind_i64n(st, 8, x->practice_account_id, !x->has_practice_account);
    db_bind_text(st, 9, x->practice_task);
    if (x->practice_due_on)
        db_bind_text(st, 10, x->practice_due_on);
    else
        db_bind_null(st, 10);
    if (x->practice_done_on)
        db_bind_text(st, 11, x->practice_done_on);
    else
        db_bind_null(st, 11);
    db_bind_text(st, 12, x->practice_result);
    db_bind_i64(st, 13, op->ctx->now);
    db_bind_i64(st, 14, x->id);
    db_bind_i64(st, 15, b->version);
    return db_run(st, op->ctx->err);
}

static const struct update_spec enrolment_spec = {
    .entity = "enrolment",
    .size = sizeof(struct enrolment),
    .versioned = 1,
    .version_at = offsetof(struct enrolment, version),
    .in_set_at = offsetof(struct enrolment_in, set),
    .in_version_at = offsetof(struct enrolment_in, v.version),
    .in_version_bit = EN_VERSION,
    .get = en_get,
    .merge = en_merge,
    .diff = en_diff,
    .write = en_write,
};

enum kam_err enrolment_update(struct kam_ctx *ctx, int64_t id, const struct enrolment_in *in,
                              struct enrolment *out)
{
    return record_update(ctx, &enrolment_spec, id, in, out);
}

/* A workflow move: load, check, change, save (version-guarded, audited), reload. */
static enum kam_err move_begin(struct kam_ctx *ctx, int64_t id, struct enrolment *before)
{
    enum kam_err rc = enrolment_get(ctx, id, before);
    if (rc)
        return rc;
    if (!strcmp(before->status, "cancelled"))
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "enrolment.cancelled", NULL,
                            "the enrolment was cancelled");
    return KAM_OK;
}

static enum kam_err move_save(struct kam_ctx *ctx, int64_t id, const struct enrolment *before,
                              const struct enrolment *after, const char *action,
                              struct enrolment *out)
{
    enum kam_err rc = record_save(ctx, &enrolment_spec, id, before, after, NULL, action, NULL);
    if (!rc)
        rc = enrolment_get(ctx, id, out);
    return rc;
}

enum kam_err enrolment_attendance(struct kam_ctx *ctx, int64_t id, int was_there,
                                  struct enrolment *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct enrolment b, a;
    if ((rc = move_begin(ctx, id, &b)))
        goto out;
    if (!strcmp(b.status, "completed")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "enrolment.completed", NULL,
                          "the training is completed");
        goto out;
    }
    if (strcmp(today(ctx), b.starts_on) < 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "attended", "enrolment.not_started", NULL,
                          "the session has not started yet");
        goto out;
    }
    a = b;
    a.status = was_there ? "attended" : "absent";
    if (!was_there && b.has_post) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "attended", "enrolment.has_post_score", NULL,
                          "the person has a post-test score: they attended");
        goto out;
    }
    rc = move_save(ctx, id, &b, &a, "attendance", out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err enrolment_feedback(struct kam_ctx *ctx, int64_t id, int64_t rating,
                                const char *comment, struct enrolment *out)
{
    enum kam_err rc;
    if ((rc = check_range(ctx, "rating", rating, 1, 5)) ||
        (rc = check_text(ctx, "comment", comment ? comment : "", 0, ENROL_COMMENT_MAX,
                         CHECK_MULTILINE)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct enrolment b, a;
    if ((rc = move_begin(ctx, id, &b)))
        goto out;
    if (b.user_id != ctx->who.user_id) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "enrolment.feedback_own", NULL,
                          "only the person trained gives their feedback");
        goto out;
    }
    if (!attended(&b)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "enrolment.not_attended", NULL,
                          "the person has not attended the session");
        goto out;
    }
    a = b;
    a.feedback_rating = rating;
    a.has_rating = 1;
    a.feedback_comment = comment ? comment : "";
    if (a.feedback_rating != b.feedback_rating || !b.has_rating ||
        strcmp(a.feedback_comment, b.feedback_comment)) {
        a.feedback_at = ctx->now;
        a.has_feedback_at = 1;
    }
    rc = move_save(ctx, id, &b, &a, "feedback", out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

/* The person's open or planned needs whose topic is the course's topic or the code of a
 * competency it builds become done, each audited. */
static enum kam_err close_needs(struct kam_ctx *ctx, const struct enrolment *x, int *closed)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT n.id, n.status FROM training_needs n WHERE n.user_id = ? AND n.status IN ('open', "
        "'planned') AND (n.topic = ? OR n.topic IN (SELECT k.code FROM course_competencies cc "
        "JOIN competencies k ON k.id = cc.competency_id WHERE cc.course_id = ?)) ORDER BY n.id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->user_id);
    db_bind_text(st, 2, x->course_topic);
    db_bind_i64(st, 3, x->course_id);
    int64_t ids[200];
    const char *sts[200];
    int n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row || n == 200)
            break;
        ids[n] = db_col_i64(st, 0);
        sts[n++] = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    for (int i = 0; !rc && i < n; i++) {
        if ((rc = db_prepare(ctx->db,
                             "UPDATE training_needs SET status = 'done', updated_at = ? WHERE id "
                             "= ?",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, ids[i]);
        if ((rc = db_run(st, ctx->err)))
            break;
        struct audit_diff d;
        audit_diff_init(&d);
        audit_diff_str(&d, "status", sts[i], "done");
        audit_diff_i64(&d, "enrolment_id", 0, 1, x->id, 0);
        rc = audit_write(ctx, "training_need", ids[i], 0, "update", &d);
    }
    if (closed)
        *closed = n;
    return rc;
}

enum kam_err enrolment_complete(struct kam_ctx *ctx, int64_t id, struct enrolment *out,
                                int *closed_out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct enrolment b, a;
    if ((rc = move_begin(ctx, id, &b)))
        goto out;
    if (!strcmp(b.status, "completed")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "enrolment.completed", NULL,
                          "the training is completed");
        goto out;
    }
    if (strcmp(b.status, "attended")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "enrolment.not_attended", NULL,
                          "the person has not attended the session");
        goto out;
    }
    a = b;
    a.status = "completed";
    a.completed_at = ctx->now;
    a.has_completed = 1;
    if ((rc = record_save(ctx, &enrolment_spec, id, &b, &a, NULL, "complete", NULL)) ||
        (rc = close_needs(ctx, &a, closed_out)))
        goto out;
    rc = enrolment_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err enrolment_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct enrolment b;
    if ((rc = enrolment_get(ctx, id, &b)))
        goto out;
    if (!strcmp(b.status, "completed")) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "status", "enrolment.completed", NULL,
                          "the training is completed");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM training_enrolments WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    enrolment_diff(&d, &b, NULL);
    rc = audit_write(ctx, "enrolment", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort en_sorts[] = {
    {"id", "e.id", 0},
};

enum kam_err enrolment_list(struct kam_ctx *ctx, const struct enrolment_query *q,
                            struct enrolment **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, en_sorts, 1, "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, enrolment_statuses)))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_person_scope_with(ctx, OBJ_ENROLMENT, &b);
    sqlb_sql(&b, "SELECT " ECOLS EFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_PERSON_COND("e.user_id"));
    if (q->session_id) {
        sqlb_sql(&b, " AND e.session_id = ?");
        sqlb_i64(&b, q->session_id);
    }
    if (q->course_id) {
        sqlb_sql(&b, " AND s.course_id = ?");
        sqlb_i64(&b, q->course_id);
    }
    if (q->user_id) {
        sqlb_sql(&b, " AND e.user_id = ?");
        sqlb_i64(&b, q->user_id);
    }
    if (q->status) {
        sqlb_sql(&b, " AND e.status = ?");
        sqlb_text(&b, q->status);
    }
    struct enrolment *items;
    const struct enrolment *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "e.id", enrolment_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- training needs ---- */

#define TCOLS                                                                                      \
    "x.id, x.source, x.source_id, x.topic, x.detail, x.user_id, x.audience_role, x.status, "       \
    "x.created_by, x.created_at, x.updated_at"

static void need_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct training_need *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->source = arena_strdup(ctx->a, db_col_text(st, 1));
    x->source_id = opt_i64(st, 2, &x->has_source);
    x->topic = arena_strdup(ctx->a, db_col_text(st, 3));
    x->detail = arena_strdup(ctx->a, db_col_text(st, 4));
    x->user_id = opt_i64(st, 5, &x->has_user);
    x->audience_role = arena_strdup(ctx->a, db_col_text(st, 6));
    x->status = arena_strdup(ctx->a, db_col_text(st, 7));
    x->created_by = opt_i64(st, 8, &x->has_created_by);
    x->created_at = db_col_i64(st, 9);
    x->updated_at = db_col_i64(st, 10);
}

/* Inserts one need and its audit row; *out read back. */
static enum kam_err need_insert(struct kam_ctx *ctx, const char *source, int64_t source_id,
                                int has_source, const char *topic, const char *detail,
                                int64_t user_id, int has_user, const char *role,
                                struct training_need *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "INSERT INTO training_needs (source, source_id, topic, detail, "
                                 "user_id, audience_role, status, created_by, created_at, "
                                 "updated_at) VALUES (?,?,?,?,?,?,'open',?,?,?) RETURNING id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, source);
    db_bind_i64n(st, 2, source_id, !has_source);
    db_bind_text(st, 3, topic);
    db_bind_text(st, 4, detail);
    db_bind_i64n(st, 5, user_id, !has_user);
    db_bind_text(st, 6, role);
    db_bind_i64n(st, 7, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, ctx->now);
    int row = 0;
    int64_t id = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "source", NULL, source);
    audit_diff_i64(&d, "source_id", 0, 1, source_id, !has_source);
    audit_diff_str(&d, "topic", NULL, topic);
    audit_diff_str(&d, "detail", NULL, detail);
    audit_diff_i64(&d, "user_id", 0, 1, user_id, !has_user);
    audit_diff_str(&d, "audience_role", NULL, role);
    if ((rc = audit_write(ctx, "training_need", id, 0, "create", &d)))
        return rc;
    return row_get(ctx, "SELECT " TCOLS " FROM training_needs x WHERE x.id = ?", id, need_row, out,
                   "training need");
}

enum kam_err training_need_manual(struct kam_ctx *ctx, const struct training_in *in,
                                  struct training_need *out)
{
    const struct training_need *v = &in->v;
    const char *detail = (in->set & TN_DETAIL) && v->detail ? v->detail : "";
    const char *role = (in->set & TN_ROLE) && v->audience_role ? v->audience_role : "";
    int has_user = (in->set & TN_USER) && v->has_user;
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, TN_TOPIC, "topic")) ||
        (rc = check_text(ctx, "topic", v->topic, 1, TRAINING_TOPIC_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "detail", detail, 0, LESSON_NOTE_MAX, CHECK_MULTILINE)))
        return rc;
    if (utf8_blank(v->topic))
        return kam_fail_key(ctx->err, KAM_EINVAL, "topic", "required",
                            (struct kam_param[]){{"field", "topic"}, {0}}, "topic is required");
    if (*role && role_parse(role) == ROLE_NONE)
        return kam_fail(ctx->err, KAM_EINVAL, "audience_role", "no such role");
    if (*role && has_user)
        return kam_fail_key(ctx->err, KAM_EINVAL, "audience_role", "training.user_or_role", NULL,
                            "name a person (user_id) or a role (audience_role), not both");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (has_user)
        rc = policy_body_person(ctx, "user_id", v->user_id, OBJ_TRAINING, ACT_CREATE);
    else if (policy_grant(ctx->who.role, OBJ_TRAINING, ACT_CREATE) != GRANT_ALL)
        rc = kam_fail(ctx->err, KAM_EFORBIDDEN, "user_id",
                      "name a person you lead: a need for a role or everyone is hr's");
    if (!rc)
        rc = need_insert(ctx, "manual", 0, 0, v->topic, detail, v->user_id, has_user, role, out);
    return db_end(ctx->db, rc, ctx->err);
}

/* Whether an open or planned need exists for the person, topic and source. */
static enum kam_err need_open(struct kam_ctx *ctx, int64_t user_id, const char *topic,
                              const char *source, int *yes)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT COUNT(*) FROM training_needs WHERE user_id = ? AND topic "
                                 "= ? AND source = ? AND status IN ('open', 'planned')",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_text(st, 2, topic);
    db_bind_text(st, 3, source);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *yes = !rc && row && db_col_i64(st, 0) > 0;
    db_done(st);
    return rc;
}

struct person {
    int64_t id;
    const char *role;
};

static void person_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct person *p = row;
    p->id = db_col_i64(st, 0);
    p->role = arena_strdup(ctx->a, db_col_text(st, 1));
}

struct gap {
    int64_t competency_id, required;
    const char *code;
};

static void gap_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct gap *g = row;
    g->competency_id = db_col_i64(st, 0);
    g->required = db_col_i64(st, 1);
    g->code = arena_strdup(ctx->a, db_col_text(st, 2));
}

struct low_line {
    int64_t scorecard_id;
    const char *kind, *label, *period_start;
    int64_t actual, threshold;
};

static void low_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct low_line *l = row;
    l->scorecard_id = db_col_i64(st, 0);
    l->kind = arena_strdup(ctx->a, db_col_text(st, 1));
    l->label = arena_strdup(ctx->a, db_col_text(st, 2));
    l->period_start = arena_strdup(ctx->a, db_col_text(st, 3));
    l->actual = db_col_i64(st, 4);
    l->threshold = db_col_i64(st, 5);
}

#define DERIVE_PEOPLE_MAX 2000
#define DERIVE_CREATED_MAX 500

static enum kam_err add_created(struct kam_ctx *ctx, struct needs_derive_out *out,
                                const struct training_need *n)
{
    if (out->n_created >= DERIVE_CREATED_MAX)
        return kam_fail(ctx->err, KAM_ETOOBIG, "user_id",
                        "more than %d needs at once: derive them person by person",
                        DERIVE_CREATED_MAX);
    if (!out->created)
        out->created = arena_alloc(ctx->a, sizeof *out->created * DERIVE_CREATED_MAX);
    out->created[out->n_created++] = *n;
    return KAM_OK;
}

static enum kam_err derive_person(struct kam_ctx *ctx, const struct person *p, const char *day,
                                  struct needs_derive_out *out)
{
    /* competency gaps against the role profile whose code is the person's role */
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT l.competency_id, l.level, k.code FROM role_profile_levels l JOIN role_profiles r "
        "ON r.id = l.profile_id JOIN competencies k ON k.id = l.competency_id WHERE r.code = ? AND "
        "r.active = 1 AND k.active = 1 ORDER BY k.code",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, p->role);
    struct gap *gaps;
    size_t ng;
    if ((rc = rows_collect(ctx, st, 100, gap_row, sizeof *gaps, (void **)&gaps, &ng)))
        return rc;
    for (size_t i = 0; i < ng; i++) {
        double level = 0;
        int has = 0, n_scores = 0;
        if ((rc = effect_level_of(ctx, p->id, gaps[i].competency_id, day, &level, &has, &n_scores)))
            return rc;
        if (!has || level >= (double)gaps[i].required)
            continue;
        out->gaps++;
        int yes = 0;
        if ((rc = need_open(ctx, p->id, gaps[i].code, "competency", &yes)))
            return rc;
        if (yes) {
            out->already_open++;
            continue;
        }
        const char *detail = arena_printf(
            ctx->a, "level %.2f on %s (%d score%s), the role %s needs %lld", level, day, n_scores,
            n_scores == 1 ? "" : "s", p->role, (long long)gaps[i].required);
        struct training_need nd;
        if ((rc = need_insert(ctx, "competency", gaps[i].competency_id, 1, gaps[i].code, detail,
                              p->id, 1, "", &nd)) ||
            (rc = add_created(ctx, out, &nd)))
            return rc;
    }
    /* appraisal lines below their threshold (final or calibrated scorecards) */
    if ((rc = db_prepare(ctx->db,
                         "SELECT s.id, l.kind, l.label, s.period_start, l.actual, l.threshold "
                         "FROM scorecard_lines l JOIN scorecards s ON s.id = l.scorecard_id WHERE "
                         "s.user_id = ? AND s.status IN ('final', 'calibrated') AND l.actual IS "
                         "NOT NULL AND ((l.lower_better = 0 AND l.actual < l.threshold) OR "
                         "(l.lower_better <> 0 AND l.actual > l.threshold)) ORDER BY "
                         "s.period_start DESC, l.position",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, p->id);
    struct low_line *lows;
    size_t nl;
    if ((rc = rows_collect(ctx, st, 200, low_row, sizeof *lows, (void **)&lows, &nl)))
        return rc;
    for (size_t i = 0; i < nl; i++) {
        out->low_lines++;
        int yes = 0;
        if ((rc = need_open(ctx, p->id, lows[i].kind, "appraisal", &yes)))
            return rc;
        if (yes) {
            out->already_open++;
            continue;
        }
        const char *detail =
            arena_printf(ctx->a, "%s: %lld below the threshold %lld in the scorecard of %s",
                         *lows[i].label ? lows[i].label : lows[i].kind, (long long)lows[i].actual,
                         (long long)lows[i].threshold, lows[i].period_start);
        struct training_need nd;
        if ((rc = need_insert(ctx, "appraisal", lows[i].scorecard_id, 1, lows[i].kind, detail,
                              p->id, 1, "", &nd)) ||
            (rc = add_created(ctx, out, &nd)))
            return rc;
    }
    return KAM_OK;
}

enum kam_err training_needs_derive(struct kam_ctx *ctx, const struct needs_derive_in *in,
                                   struct needs_derive_out *out)
{
    memset(out, 0, sizeof *out);
    const char *day = in->on_day ? in->on_day : today(ctx);
    enum kam_err rc;
    if (in->on_day && (rc = check_date(ctx, "on_day", in->on_day)))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (in->user_id &&
        (rc = policy_body_person(ctx, "user_id", in->user_id, OBJ_TRAINING, ACT_CREATE)))
        goto out;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = 0;
    if (policy_grant(ctx->who.role, OBJ_TRAINING, ACT_CREATE) != GRANT_ALL)
        scoped = policy_person_scope_with(ctx, OBJ_TRAINING, &b);
    sqlb_sql(&b, "SELECT u.id, u.role FROM users u WHERE u.disabled = 0");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_PERSON_COND("u.id"));
    if (in->user_id) {
        sqlb_sql(&b, " AND u.id = ?");
        sqlb_i64(&b, in->user_id);
    }
    sqlb_sql(&b, " ORDER BY u.id");
    struct db_stmt *st;
    struct person *people;
    size_t np;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)) ||
        (rc = rows_collect(ctx, st, DERIVE_PEOPLE_MAX, person_row, sizeof *people, (void **)&people,
                           &np)))
        goto out;
    out->people = (int64_t)np;
    for (size_t i = 0; !rc && i < np; i++)
        rc = derive_person(ctx, &people[i], day, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}
