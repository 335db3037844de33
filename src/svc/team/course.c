/* course.c -- the training catalogue: courses and sessions (course.h). */
#include "course.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/rows.h"
#include "svc/core/update.h"

const char *const course_topics[] = {
    "communication", "product", "dispute_handling", "legal", "negotiation", "other", NULL};
const char *const course_formats[] = {"classroom", "online", "workshop", "coaching", NULL};

static int64_t opt_i64(struct db_stmt *st, int i, int *has)
{
    *has = !db_col_is_null(st, i);
    return *has ? db_col_i64(st, i) : 0;
}

/* ---- courses ---- */

#define CCOLS                                                                                      \
    "c.id, c.code, c.title, c.topic, c.format, c.description, c.active, c.version, "               \
    "c.created_at, c.updated_at, (SELECT COUNT(*) FROM training_sessions s WHERE s.course_id = "   \
    "c.id)"

static void course_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct course *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->code = arena_strdup(ctx->a, db_col_text(st, 1));
    x->title = arena_strdup(ctx->a, db_col_text(st, 2));
    x->topic = arena_strdup(ctx->a, db_col_text(st, 3));
    x->format = arena_strdup(ctx->a, db_col_text(st, 4));
    x->description = arena_strdup(ctx->a, db_col_text(st, 5));
    x->active = db_col_i64(st, 6) != 0;
    x->version = db_col_i64(st, 7);
    x->created_at = db_col_i64(st, 8);
    x->updated_at = db_col_i64(st, 9);
    x->sessions = db_col_i64(st, 10);
}

static enum kam_err load_competencies(struct kam_ctx *ctx, struct course *x)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT competency_id FROM course_competencies WHERE course_id = "
                                 "? ORDER BY competency_id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, x->id);
    x->n_competencies = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        if (x->n_competencies < COURSE_COMPETENCIES_MAX)
            x->competency_ids[x->n_competencies++] = db_col_i64(st, 0);
    }
    db_done(st);
    return rc;
}

enum kam_err course_get(struct kam_ctx *ctx, int64_t id, struct course *out)
{
    enum kam_err rc = row_get(ctx, "SELECT " CCOLS " FROM courses c WHERE c.id = ?", id, course_row,
                              out, "course");
    if (!rc)
        rc = load_competencies(ctx, out);
    return rc;
}

static void merge_course(struct course *x, const struct course_in *in)
{
    const struct course *v = &in->v;
    if (in->set & CRS_CODE)
        x->code = v->code;
    if (in->set & CRS_TITLE)
        x->title = v->title;
    if (in->set & CRS_TOPIC)
        x->topic = v->topic;
    if (in->set & CRS_FORMAT)
        x->format = v->format;
    if (in->set & CRS_DESCRIPTION)
        x->description = v->description ? v->description : "";
    if (in->set & CRS_ACTIVE)
        x->active = v->active;
    if (in->set & CRS_COMPETENCIES) {
        int n = in->n_competency_ids;
        x->n_competencies = n; /* validate_course refuses more than COURSE_COMPETENCIES_MAX */
        if (n > COURSE_COMPETENCIES_MAX)
            n = COURSE_COMPETENCIES_MAX;
        for (int i = 0; i < n; i++)
            x->competency_ids[i] = in->competency_ids[i];
    }
}

static enum kam_err validate_course(struct kam_ctx *ctx, const struct course *x)
{
    enum kam_err rc;
    if ((rc = check_line(ctx, "code", x->code, COURSE_CODE_MAX)) ||
        (rc = check_line(ctx, "title", x->title, COURSE_TITLE_MAX)) ||
        (rc = check_line(ctx, "topic", x->topic, COURSE_TOPIC_MAX)) ||
        (rc = check_enum(ctx, "format", x->format, course_formats)) ||
        (rc = check_text(ctx, "description", x->description, 0, COURSE_TEXT_MAX, CHECK_MULTILINE)))
        return rc;
    if (x->n_competencies > COURSE_COMPETENCIES_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, "competency_ids", "at most %d competencies",
                        COURSE_COMPETENCIES_MAX);
    for (int i = 0; i < x->n_competencies; i++) {
        for (int j = 0; j < i; j++)
            if (x->competency_ids[j] == x->competency_ids[i])
                return kam_fail(ctx->err, KAM_EINVAL, "competency_ids",
                                "competency %lld is named twice", (long long)x->competency_ids[i]);
        int64_t n = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM competencies WHERE id = ?", 1,
                               x->competency_ids[i], &n, ctx->err)))
            return rc;
        if (!n)
            return kam_fail(ctx->err, KAM_EINVAL, "competency_ids", "no such competency: %lld",
                            (long long)x->competency_ids[i]);
    }
    int64_t n = 0;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COUNT(*) FROM courses WHERE lower(code) = lower(?) AND id <> ?",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, x->code);
    db_bind_i64(st, 2, x->id);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    n = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        return rc;
    if (n)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "code", "duplicate", NULL,
                            "course %s already exists", x->code);
    return KAM_OK;
}

static const char *ids_text(struct kam_ctx *ctx, const struct course *x)
{
    if (!x)
        return NULL;
    char *s = arena_printf(ctx->a, "%s", "");
    for (int i = 0; i < x->n_competencies; i++)
        s = arena_printf(ctx->a, "%s%s%lld", s, i ? "," : "", (long long)x->competency_ids[i]);
    return s;
}

static void course_diff(struct kam_ctx *ctx, struct audit_diff *d, const struct course *b,
                        const struct course *a)
{
    audit_diff_str(d, "code", b ? b->code : NULL, a ? a->code : NULL);
    audit_diff_str(d, "title", b ? b->title : NULL, a ? a->title : NULL);
    audit_diff_str(d, "topic", b ? b->topic : NULL, a ? a->topic : NULL);
    audit_diff_str(d, "format", b ? b->format : NULL, a ? a->format : NULL);
    audit_diff_str(d, "description", b ? b->description : NULL, a ? a->description : NULL);
    audit_diff_i64(d, "active", b ? b->active : 0, !b, a ? a->active : 0, !a);
    audit_diff_str(d, "competency_ids", ids_text(ctx, b), ids_text(ctx, a));
}

static enum kam_err write_competencies(struct kam_ctx *ctx, const struct course *x)
{
    enum kam_err rc = db_exec_i64(ctx->db, "DELETE FROM course_competencies WHERE course_id = ?",
                                  x->id, ctx->err);
    for (int i = 0; !rc && i < x->n_competencies; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO course_competencies (course_id, competency_id) VALUES "
                             "(?, ?)",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, x->id);
        db_bind_i64(st, 2, x->competency_ids[i]);
        rc = db_run(st, ctx->err);
    }
    return rc;
}

static void bind_course(struct db_stmt *st, const struct course *x, int64_t now)
{
    db_bind_text(st, 1, x->code);
    db_bind_text(st, 2, x->title);
    db_bind_text(st, 3, x->topic);
    db_bind_text(st, 4, x->format);
    db_bind_text(st, 5, x->description);
    db_bind_i64(st, 6, x->active);
    db_bind_i64(st, 7, now);
}

enum kam_err course_create(struct kam_ctx *ctx, const struct course_in *in, struct course *out)
{
    struct course x = {.active = 1, .description = "", .format = "classroom"};
    merge_course(&x, in);
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, CRS_CODE, "code")) ||
        (rc = check_given(ctx, in->set, CRS_TITLE, "title")) ||
        (rc = check_given(ctx, in->set, CRS_TOPIC, "topic")))
        return rc;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if ((rc = validate_course(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO courses (code, title, topic, format, description, active, "
                         "updated_at, created_at, version) VALUES (?,?,?,?,?,?,?,?,1) RETURNING id",
                         &st, ctx->err)))
        goto out;
    bind_course(st, &x, ctx->now);
    db_bind_i64(st, 8, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = write_competencies(ctx, &x)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    course_diff(ctx, &d, NULL, &x);
    if (!(rc = audit_write(ctx, "course", x.id, 0, "create", &d)))
        rc = course_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err crs_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return course_get(ctx, id, rec);
}

static enum kam_err crs_merge(const struct update_op *op, void *rec)
{
    merge_course(rec, op->in);
    return validate_course(op->ctx, rec);
}

static void crs_diff(const struct update_op *op)
{
    course_diff(op->ctx, op->diff, op->before, op->after);
}

static enum kam_err crs_write(const struct update_op *op)
{
    const struct course *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE courses SET code = ?, title = ?, topic = ?, format = ?, "
                                 "description = ?, active = ?, updated_at = ?, version = version + "
                                 "1 WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    bind_course(st, x, op->ctx->now);
    db_bind_i64(st, 8, x->id);
    db_bind_i64(st, 9, b->version);
    return db_run(st, op->ctx->err);
}

static enum kam_err crs_then(const struct update_op *op)
{
    return write_competencies(op->ctx, op->after);
}

static const struct update_spec course_spec = {
    .entity = "course",
    .size = sizeof(struct course),
    .versioned = 1,
    .version_at = offsetof(struct course, version),
    .in_set_at = offsetof(struct course_in, set),
    .in_version_at = offsetof(struct course_in, v.version),
    .in_version_bit = CRS_VERSION,
    .get = crs_get,
    .merge = crs_merge,
    .diff = crs_diff,
    .write = crs_write,
    .then = crs_then,
};

enum kam_err course_update(struct kam_ctx *ctx, int64_t id, const struct course_in *in,
                           struct course *out)
{
    return record_update(ctx, &course_spec, id, in, out);
}

enum kam_err course_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct course before;
    if ((rc = course_get(ctx, id, &before)))
        goto out;
    if (before.sessions) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "course.in_use", NULL,
                          "the course has sessions; deactivate it instead");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM course_competencies WHERE course_id = ?", id,
                          ctx->err)) ||
        (rc = db_exec_i64(ctx->db, "DELETE FROM courses WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    course_diff(ctx, &d, &before, NULL);
    rc = audit_write(ctx, "course", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort course_sorts[] = {
    {"code", "c.code", 1},
    {"title", "c.title", 1},
    {"id", "c.id", 0},
};

enum kam_err course_list(struct kam_ctx *ctx, const struct course_query *q,
                         struct course **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, course_sorts, sizeof course_sorts / sizeof course_sorts[0],
                                 q->sort ? q->sort : "code", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))) ||
        (q->topic && (rc = check_text(ctx, "topic", q->topic, 0, COURSE_TOPIC_MAX, CHECK_LINE))) ||
        (q->format && (rc = check_enum(ctx, "format", q->format, course_formats))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " CCOLS " FROM courses c WHERE 1 = 1");
    if (q->q && *q->q) {
        const char *like = sqlb_like_pattern(ctx->a, q->q);
        sqlb_sql(&b, " AND (lower(c.code) LIKE lower(?) ESCAPE '\\' OR lower(c.title) LIKE "
                     "lower(?) ESCAPE '\\')");
        sqlb_text(&b, like);
        sqlb_text(&b, like);
    }
    if (q->topic && *q->topic) {
        sqlb_sql(&b, " AND c.topic = ?");
        sqlb_text(&b, q->topic);
    }
    if (q->format) {
        sqlb_sql(&b, " AND c.format = ?");
        sqlb_text(&b, q->format);
    }
    if (q->active >= 0) {
        sqlb_sql(&b, " AND c.active = ?");
        sqlb_i64(&b, q->active);
    }
    if (q->competency_id) {
        sqlb_sql(&b, " AND c.id IN (SELECT course_id FROM course_competencies WHERE "
                     "competency_id = ?)");
        sqlb_i64(&b, q->competency_id);
    }
    struct course *items;
    const struct course *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "c.id", course_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = load_competencies(ctx, &items[i])))
            return rc;
    const char *key = NULL;
    if (last)
        key = !strcmp(pg.sort->key, "title") ? items[n - 1].title : items[n - 1].code;
    *next_out = last ? page_cursor(ctx, &pg, key, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

/* ---- sessions ---- */

#define SCOLS                                                                                      \
    "s.id, s.course_id, c.title, s.starts_on, s.ends_on, s.trainer_id, s.trainer_name, s.place, "  \
    "s.version, s.created_at, s.updated_at, (SELECT COUNT(*) FROM training_enrolments e WHERE "    \
    "e.session_id = s.id AND e.status <> 'cancelled')"
#define SFROM " FROM training_sessions s JOIN courses c ON c.id = s.course_id"

static void session_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct training_session *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->course_id = db_col_i64(st, 1);
    x->course_title = arena_strdup(ctx->a, db_col_text(st, 2));
    x->starts_on = arena_strdup(ctx->a, db_col_text(st, 3));
    x->ends_on = arena_strdup(ctx->a, db_col_text(st, 4));
    x->trainer_id = opt_i64(st, 5, &x->has_trainer);
    x->trainer_name = arena_strdup(ctx->a, db_col_text(st, 6));
    x->place = arena_strdup(ctx->a, db_col_text(st, 7));
    x->version = db_col_i64(st, 8);
    x->created_at = db_col_i64(st, 9);
    x->updated_at = db_col_i64(st, 10);
    x->enrolled = db_col_i64(st, 11);
}

enum kam_err session_get(struct kam_ctx *ctx, int64_t id, struct training_session *out)
{
    return row_get(ctx, "SELECT " SCOLS SFROM " WHERE s.id = ?", id, session_row, out,
                   "training session");
}

static void merge_session(struct training_session *x, const struct session_in *in)
{
    const struct training_session *v = &in->v;
    if (in->set & SES_STARTS)
        x->starts_on = v->starts_on;
    if (in->set & SES_ENDS)
        x->ends_on = v->ends_on;
    if (in->set & SES_TRAINER) {
        x->trainer_id = v->trainer_id;
        x->has_trainer = v->has_trainer;
    }
    if (in->set & SES_TRAINER_NAME)
        x->trainer_name = v->trainer_name ? v->trainer_name : "";
    if (in->set & SES_PLACE)
        x->place = v->place ? v->place : "";
}

static enum kam_err validate_session(struct kam_ctx *ctx, const struct training_session *x)
{
    enum kam_err rc;
    if ((rc = check_date(ctx, "starts_on", x->starts_on)) ||
        (rc = check_date(ctx, "ends_on", x->ends_on)) ||
        (rc = check_text(ctx, "trainer_name", x->trainer_name, 0, SESSION_NAME_MAX, CHECK_LINE)) ||
        (rc = check_text(ctx, "place", x->place, 0, SESSION_PLACE_MAX, CHECK_LINE)))
        return rc;
    if (strcmp(x->ends_on, x->starts_on) < 0)
        return kam_fail_key(ctx->err, KAM_EINVAL, "ends_on", "session.ends_before", NULL,
                            "the session ends before it starts");
    if (x->has_trainer) {
        int64_t n = 0;
        if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM users WHERE id = ?", 1, x->trainer_id,
                               &n, ctx->err)))
            return rc;
        if (!n)
            return kam_fail(ctx->err, KAM_EINVAL, "trainer_id", "no such user");
    } else if (utf8_blank(x->trainer_name)) {
        return kam_fail_key(ctx->err, KAM_EINVAL, "trainer_name", "session.trainer", NULL,
                            "name the trainer: trainer_id (a user) or trainer_name");
    }
    return KAM_OK;
}

static void session_diff(struct audit_diff *d, const struct training_session *b,
                         const struct training_session *a)
{
    audit_diff_i64(d, "course_id", b ? b->course_id : 0, !b, a ? a->course_id : 0, !a);
    audit_diff_str(d, "starts_on", b ? b->starts_on : NULL, a ? a->starts_on : NULL);
    audit_diff_str(d, "ends_on", b ? b->ends_on : NULL, a ? a->ends_on : NULL);
    audit_diff_i64(d, "trainer_id", b ? b->trainer_id : 0, !b || !b->has_trainer,
                   a ? a->trainer_id : 0, !a || !a->has_trainer);
    audit_diff_str(d, "trainer_name", b ? b->trainer_name : NULL, a ? a->trainer_name : NULL);
    audit_diff_str(d, "place", b ? b->place : NULL, a ? a->place : NULL);
}

enum kam_err session_create(struct kam_ctx *ctx, const struct session_in *in,
                            struct training_session *out)
{
    struct training_session x = {.trainer_name = "", .place = ""};
    merge_session(&x, in);
    enum kam_err rc;
    if ((rc = check_given(ctx, in->set, SES_COURSE, "course_id")) ||
        (rc = check_given(ctx, in->set, SES_STARTS, "starts_on")))
        return rc;
    if (!(in->set & SES_ENDS) || !x.ends_on)
        x.ends_on = x.starts_on;
    x.course_id = in->v.course_id;
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    int64_t n = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM courses WHERE id = ?", 1, x.course_id, &n,
                           ctx->err)))
        goto out;
    if (!n) {
        rc = kam_fail(ctx->err, KAM_EINVAL, "course_id", "no such course");
        goto out;
    }
    if ((rc = validate_session(ctx, &x)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO training_sessions (course_id, starts_on, ends_on, "
                         "trainer_id, trainer_name, place, version, created_at, updated_at) "
                         "VALUES (?,?,?,?,?,?,1,?,?) RETURNING id",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, x.course_id);
    db_bind_text(st, 2, x.starts_on);
    db_bind_text(st, 3, x.ends_on);
    db_bind_i64n(st, 4, x.trainer_id, !x.has_trainer);
    db_bind_text(st, 5, x.trainer_name);
    db_bind_text(st, 6, x.place);
    db_bind_i64(st, 7, ctx->now);
    db_bind_i64(st, 8, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x.id = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    session_diff(&d, NULL, &x);
    if (!(rc = audit_write(ctx, "training_session", x.id, 0, "create", &d)))
        rc = session_get(ctx, x.id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err ses_get(struct kam_ctx *ctx, int64_t id, void *rec)
{
    return session_get(ctx, id, rec);
}

static enum kam_err ses_merge(const struct update_op *op, void *rec)
{
    const struct session_in *in = op->in;
    if ((in->set & SES_COURSE) &&
        in->v.course_id != ((const struct training_session *)rec)->course_id)
        return kam_fail(op->ctx->err, KAM_EINVAL, "course_id", "a session cannot change course");
    merge_session(rec, in);
    return validate_session(op->ctx, rec);
}

static void ses_diff(const struct update_op *op)
{
    session_diff(op->diff, op->before, op->after);
}

static enum kam_err ses_write(const struct update_op *op)
{
    const struct training_session *x = op->after, *b = op->before;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(op->ctx->db,
                                 "UPDATE training_sessions SET starts_on = ?, ends_on = ?, "
                                 "trainer_id = ?, trainer_name = ?, place = ?, updated_at = ?, "
                                 "version = version + 1 WHERE id = ? AND version = ?",
                                 &st, op->ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, x->starts_on);
    db_bind_text(st, 2, x->ends_on);
    db_bind_i64n(st, 3, x->trainer_id, !x->has_trainer);
    db_bind_text(st, 4, x->trainer_name);
    db_bind_text(st, 5, x->place);
    db_bind_i64(st, 6, op->ctx->now);
    db_bind_i64(st, 7, x->id);
    db_bind_i64(st, 8, b->version);
    return db_run(st, op->ctx->err);
}

static const struct update_spec session_spec = {
    .entity = "training_session",
    .noun = "session",
    .size = sizeof(struct training_session),
    .versioned = 1,
    .version_at = offsetof(struct training_session, version),
    .in_set_at = offsetof(struct session_in, set),
    .in_version_at = offsetof(struct session_in, v.version),
    .in_version_bit = SES_VERSION,
    .get = ses_get,
    .merge = ses_merge,
    .diff = ses_diff,
    .write = ses_write,
};

enum kam_err session_update(struct kam_ctx *ctx, int64_t id, const struct session_in *in,
                            struct training_session *out)
{
    return record_update(ctx, &session_spec, id, in, out);
}

enum kam_err session_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct training_session before;
    int64_t n = 0;
    if ((rc = session_get(ctx, id, &before)) ||
        (rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM training_enrolments WHERE session_id = ?",
                           1, id, &n, ctx->err)))
        goto out;
    if (n) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "session.in_use", NULL,
                          "the session has enrolments");
        goto out;
    }
    if ((rc = db_exec_i64(ctx->db, "DELETE FROM training_sessions WHERE id = ?", id, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    session_diff(&d, &before, NULL);
    rc = audit_write(ctx, "training_session", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

static const struct page_sort session_sorts[] = {
    {"starts_on", "s.starts_on", 1},
};

enum kam_err session_list(struct kam_ctx *ctx, const struct session_query *q,
                          struct training_session **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, session_sorts, 1, "-starts_on", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if ((q->from && (rc = check_date(ctx, "from", q->from))) ||
        (q->to && (rc = check_date(ctx, "to", q->to))))
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT " SCOLS SFROM " WHERE 1 = 1");
    if (q->course_id) {
        sqlb_sql(&b, " AND s.course_id = ?");
        sqlb_i64(&b, q->course_id);
    }
    if (q->from) {
        sqlb_sql(&b, " AND s.starts_on >= ?");
        sqlb_text(&b, q->from);
    }
    if (q->to) {
        sqlb_sql(&b, " AND s.starts_on <= ?");
        sqlb_text(&b, q->to);
    }
    struct training_session *items;
    const struct training_session *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "s.id", session_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out =
        last ? page_cursor(ctx, &pg, items[n - 1].starts_on, items[n - 1].id, items[n - 1].id)
             : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}
