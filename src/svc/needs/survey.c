/* survey.c -- survey definitions: create, read, PATCH (questions replaced whole while draft),
 * the status workflow, copy, delete, lists; the drivers a rating question measures. */
#include "survey.h"

#include <stddef.h>
#include <string.h>

#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"

const char *const survey_langs[] = {"zh-CN", "zh-TW", "en", NULL};
const char *const survey_kinds[] = {"nps", "csat", "rating", "single", "multi", "text", NULL};
const char *const survey_statuses[] = {"draft", "open", "closed", NULL};
const char *const survey_channels[] = {"email", "copy", "phone", NULL};
/* account_members.dept_role (svc/relationships/account.c member_dept_roles; a chapter does not
 * include another's headers, so the list is repeated here). */
static const char *const dept_roles[] = {"sales",      "marketing", "technical",
                                         "production", "service",   NULL};

int survey_lang_index(const char *lang)
{
    for (int i = 0; lang && i < SURVEY_LANGS; i++)
        if (!strcmp(lang, survey_langs[i]))
            return i;
    return -1;
}

const char *survey_text_in(const char *const texts[SURVEY_LANGS], int lang)
{
    static const int order[SURVEY_LANGS][SURVEY_LANGS] = {{0, 1, 2}, {1, 0, 2}, {2, 0, 1}};
    if (lang < 0 || lang >= SURVEY_LANGS)
        lang = 0;
    for (int i = 0; i < SURVEY_LANGS; i++) {
        const char *t = texts[order[lang][i]];
        if (t && *t)
            return t;
    }
    return "";
}

static int any_text(const char *const t[SURVEY_LANGS])
{
    for (int i = 0; i < SURVEY_LANGS; i++)
        if (t[i] && *t[i])
            return 1;
    return 0;
}

int survey_openable(const struct survey *s)
{
    if (!any_text(s->titles) || s->nquestions == 0)
        return 0;
    for (size_t i = 0; i < s->nquestions; i++) {
        const struct survey_question *q = &s->questions[i];
        if (!any_text(q->texts))
            return 0;
        for (size_t k = 0; k < q->noptions; k++)
            if (!any_text(q->options[k].labels))
                return 0;
    }
    return 1;
}

static enum kam_err check_texts(struct kam_ctx *ctx, const char *field,
                                const char *const t[SURVEY_LANGS], int max, int multiline)
{
    for (int i = 0; i < SURVEY_LANGS; i++) {
        const char *f = arena_printf(ctx->a, "%s.%s", field, survey_langs[i]);
        enum kam_err rc =
            check_text(ctx, f, t[i] ? t[i] : "", 0, max, multiline ? CHECK_MULTILINE : CHECK_LINE);
        if (rc)
            return rc;
    }
    return KAM_OK;
}

static int has_options(const char *kind)
{
    return !strcmp(kind, "single") || !strcmp(kind, "multi");
}

enum kam_err survey_check_questions(struct kam_ctx *ctx, const struct survey_question *qs, size_t n)
{
    enum kam_err rc;
    if (n > SURVEY_QUESTIONS_MAX)
        return kam_fail_key(ctx->err, KAM_EINVAL, "questions", "survey.too_many_questions",
                            (struct kam_param[]){{"max", "50"}, {0}},
                            "a survey has at most 50 questions");
    int overall = 0;
    for (size_t i = 0; i < n; i++) {
        const struct survey_question *q = &qs[i];
        const char *f = arena_printf(ctx->a, "questions[%zu]", i);
        if ((rc = check_enum(ctx, arena_printf(ctx->a, "%s.kind", f), q->kind, survey_kinds)) ||
            (rc = check_texts(ctx, arena_printf(ctx->a, "%s.text", f), q->texts, SURVEY_TEXT_MAX,
                              1)))
            return rc;
        int rating = !strcmp(q->kind, "rating");
        if (rating && !q->driver)
            return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.driver", f),
                                "survey.driver_required", NULL,
                                "a rating question names the driver it measures");
        if (!rating && q->driver)
            return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.driver", f),
                                "survey.driver_only_rating", NULL,
                                "only a rating question names a driver");
        if (q->overall) {
            if (strcmp(q->kind, "nps") != 0 && strcmp(q->kind, "csat") != 0)
                return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.overall", f),
                                    "survey.overall_kind", NULL,
                                    "only an nps or csat question is the overall score");
            if (overall++)
                return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.overall", f),
                                    "survey.overall_once", NULL,
                                    "at most one question is the overall score");
        }
        if (has_options(q->kind)) {
            if (q->noptions < 2 || q->noptions > SURVEY_OPTIONS_MAX)
                return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.options", f),
                                    "survey.options_count", NULL,
                                    "a choice question has 2 to 20 options");
            for (size_t k = 0; k < q->noptions; k++)
                if ((rc = check_texts(ctx, arena_printf(ctx->a, "%s.options[%zu].label", f, k),
                                      q->options[k].labels, SURVEY_TEXT_MAX, 0)))
                    return rc;
        } else if (q->noptions) {
            return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.options", f),
                                "survey.options_only_choice", NULL,
                                "only a single or multi choice question has options");
        }
    }
    return KAM_OK;
}

/* Every rating question's driver exists and is active (checked when questions are written: a
 * driver made inactive later stays on the surveys that already name it). */
static enum kam_err check_drivers(struct kam_ctx *ctx, const struct survey_question *qs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!qs[i].driver)
            continue;
        int64_t active = 0;
        enum kam_err rc = row_i64_text(ctx, "SELECT active FROM survey_drivers WHERE key = ?",
                                       qs[i].driver, &active);
        if (rc && rc != KAM_ENOTFOUND)
            return rc;
        if (rc || !active) {
            kam_error_clear(ctx->err);
            return kam_fail_key(ctx->err, KAM_EINVAL,
                                arena_printf(ctx->a, "questions[%zu].driver", i),
                                "survey.unknown_driver", NULL,
                                "driver must be an active driver of the driver list");
        }
    }
    return KAM_OK;
}

/* ---- reading ---- */

#define COLS                                                                                       \
    "surveys.id, surveys.status, surveys.title_zh_cn, surveys.title_zh_tw, surveys.title_en, "     \
    "surveys.intro_zh_cn, surveys.intro_zh_tw, surveys.intro_en, surveys.link_days, "              \
    "surveys.remind_days, surveys.max_reminders, surveys.created_by, surveys.opened_at, "          \
    "surveys.closed_at, surveys.version, surveys.created_at, surveys.updated_at"

static int64_t opt(struct db_stmt *st, int col, int *has)
{
    *has = !db_col_is_null(st, col);
    return *has ? db_col_i64(st, col) : 0;
}

static void read_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct survey *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->status = arena_strdup(ctx->a, db_col_text(st, 1));
    for (int i = 0; i < SURVEY_LANGS; i++) {
        x->titles[i] = arena_strdup(ctx->a, db_col_text(st, 2 + i));
        x->intros[i] = arena_strdup(ctx->a, db_col_text(st, 5 + i));
    }
    x->link_days = db_col_i64(st, 8);
    x->remind_days = db_col_i64(st, 9);
    x->max_reminders = db_col_i64(st, 10);
    x->created_by = opt(st, 11, &x->has_created_by);
    x->opened_at = opt(st, 12, &x->has_opened);
    x->closed_at = opt(st, 13, &x->has_closed);
    x->version = db_col_i64(st, 14);
    x->created_at = db_col_i64(st, 15);
    x->updated_at = db_col_i64(st, 16);
    /* list rows carry the three counts after the columns */
}

static void read_list_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct survey *x = row;
    read_row(ctx, st, row);
    x->nquestions = (size_t)db_col_i64(st, 17);
    x->n_links = db_col_i64(st, 18);
    x->n_responses = db_col_i64(st, 19);
}

static enum kam_err load_questions(struct kam_ctx *ctx, struct survey *s)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, position, kind, driver, text_zh_cn, text_zh_tw, "
                                 "text_en, required, overall FROM survey_questions WHERE "
                                 "survey_id = ? ORDER BY position",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, s->id);
    size_t cap = 8, n = 0;
    struct survey_question *qs = arena_calloc(ctx->a, cap, sizeof *qs);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            struct survey_question *g = arena_calloc(ctx->a, cap * 2, sizeof *g);
            memcpy(g, qs, n * sizeof *g);
            qs = g;
            cap *= 2;
        }
        struct survey_question *q = &qs[n++];
        q->id = db_col_i64(st, 0);
        q->position = (int)db_col_i64(st, 1);
        q->kind = arena_strdup(ctx->a, db_col_text(st, 2));
        q->driver = db_col_is_null(st, 3) ? NULL : arena_strdup(ctx->a, db_col_text(st, 3));
        for (int i = 0; i < SURVEY_LANGS; i++)
            q->texts[i] = arena_strdup(ctx->a, db_col_text(st, 4 + i));
        q->required = (int)db_col_i64(st, 7);
        q->overall = (int)db_col_i64(st, 8);
    }
    db_done(st);
    if (rc)
        return rc;
    s->questions = qs;
    s->nquestions = n;
    if ((rc = db_prepare(ctx->db,
                         "SELECT o.question_id, o.position, o.label_zh_cn, o.label_zh_tw, "
                         "o.label_en FROM survey_options o JOIN survey_questions q ON q.id = "
                         "o.question_id WHERE q.survey_id = ? ORDER BY q.position, o.position",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, s->id);
    size_t qi = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t qid = db_col_i64(st, 0);
        while (qi < n && qs[qi].id != qid)
            qi++;
        if (qi == n)
            break;
        struct survey_question *q = &qs[qi];
        if (!q->options)
            q->options = arena_calloc(ctx->a, SURVEY_OPTIONS_MAX, sizeof *q->options);
        if (q->noptions == SURVEY_OPTIONS_MAX)
            continue;
        struct survey_option *o = &q->options[q->noptions++];
        o->position = (int)db_col_i64(st, 1);
        for (int i = 0; i < SURVEY_LANGS; i++)
            o->labels[i] = arena_strdup(ctx->a, db_col_text(st, 2 + i));
    }
    db_done(st);
    return rc;
}

/* The survey's links and responses on accounts in the caller's scope (all for org-wide readers
 * and the system). */
static enum kam_err scoped_counts(struct kam_ctx *ctx, int64_t id, int64_t *links,
                                  int64_t *responses)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT (SELECT COUNT(*) FROM survey_links JOIN accounts ON accounts.id = "
                 "survey_links.account_id WHERE survey_links.survey_id = ?");
    sqlb_i64(&b, id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, "), (SELECT COUNT(*) FROM survey_responses JOIN accounts ON accounts.id = "
                 "survey_responses.account_id WHERE survey_responses.survey_id = ?");
    sqlb_i64(&b, id);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, ")");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *links = !rc && row ? db_col_i64(st, 0) : 0;
    *responses = !rc && row ? db_col_i64(st, 1) : 0;
    db_done(st);
    return rc;
}

enum kam_err survey_get(struct kam_ctx *ctx, int64_t id, struct survey *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " COLS " FROM surveys WHERE id = ?", id, read_row, out, "survey");
    if (!rc)
        rc = load_questions(ctx, out);
    if (!rc)
        rc = scoped_counts(ctx, id, &out->n_links, &out->n_responses);
    return rc;
}

/* ---- writes ---- */

/* The audited field names of the language columns. */
static const char *const title_f[SURVEY_LANGS] = {"title_zh_cn", "title_zh_tw", "title_en"};
static const char *const intro_f[SURVEY_LANGS] = {"intro_zh_cn", "intro_zh_tw", "intro_en"};

static void diff_survey(struct audit_diff *d, const struct survey *b, const struct survey *a)
{
    for (int i = 0; i < SURVEY_LANGS; i++) {
        audit_diff_str(d, title_f[i], b ? b->titles[i] : NULL, a ? a->titles[i] : NULL);
        audit_diff_str(d, intro_f[i], b ? b->intros[i] : NULL, a ? a->intros[i] : NULL);
    }
    audit_diff_str(d, "status", b ? b->status : NULL, a ? a->status : NULL);
    audit_diff_i64(d, "link_days", b ? b->link_days : 0, !b, a ? a->link_days : 0, !a);
    audit_diff_i64(d, "remind_days", b ? b->remind_days : 0, !b, a ? a->remind_days : 0, !a);
    audit_diff_i64(d, "max_reminders", b ? b->max_reminders : 0, !b, a ? a->max_reminders : 0, !a);
    audit_diff_i64(d, "questions", b ? (int64_t)b->nquestions : 0, !b,
                   a ? (int64_t)a->nquestions : 0, !a);
}

static int same_str(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static int same_questions(const struct survey *a, const struct survey *b)
{
    if (a->nquestions != b->nquestions)
        return 0;
    for (size_t i = 0; i < a->nquestions; i++) {
        const struct survey_question *x = &a->questions[i], *y = &b->questions[i];
        if (strcmp(x->kind, y->kind) || !same_str(x->driver, y->driver) ||
            !x->required != !y->required || !x->overall != !y->overall ||
            x->noptions != y->noptions)
            return 0;
        for (int l = 0; l < SURVEY_LANGS; l++)
            if (!same_str(x->texts[l], y->texts[l]))
                return 0;
        for (size_t k = 0; k < x->noptions; k++)
            for (int l = 0; l < SURVEY_LANGS; l++)
                if (!same_str(x->options[k].labels[l], y->options[k].labels[l]))
                    return 0;
    }
    return 1;
}

static enum kam_err validate(struct kam_ctx *ctx, const struct survey *x)
{
    enum kam_err rc;
    if ((rc = check_texts(ctx, "title", x->titles, SURVEY_TITLE_MAX, 0)) ||
        (rc = check_texts(ctx, "intro", x->intros, SURVEY_INTRO_MAX, 1)) ||
        (rc = check_range(ctx, "link_days", x->link_days, 1, 365)) ||
        (rc = check_range(ctx, "remind_days", x->remind_days, 1, 90)) ||
        (rc = check_range(ctx, "max_reminders", x->max_reminders, 0, 5)))
        return rc;
    if (!any_text(x->titles))
        return kam_fail_key(ctx->err, KAM_EINVAL, "title", "survey.title_required", NULL,
                            "a survey has a title in at least one language");
    return survey_check_questions(ctx, x->questions, x->nquestions);
}

static void merge(struct survey *x, const struct survey_in *in)
{
    const struct survey *v = &in->v;
    for (int i = 0; i < SURVEY_LANGS; i++) {
        if ((in->set & SURVEY_TITLE) && v->titles[i])
            x->titles[i] = v->titles[i];
        if ((in->set & SURVEY_INTRO) && v->intros[i])
            x->intros[i] = v->intros[i];
    }
    if (in->set & SURVEY_LINK_DAYS)
        x->link_days = v->link_days;
    if (in->set & SURVEY_REMIND_DAYS)
        x->remind_days = v->remind_days;
    if (in->set & SURVEY_MAX_REMINDERS)
        x->max_reminders = v->max_reminders;
    if (in->set & SURVEY_QUESTIONS) {
        x->questions = v->questions;
        x->nquestions = v->nquestions;
    }
}

static enum kam_err write_questions(struct kam_ctx *ctx, int64_t survey_id,
                                    const struct survey_question *qs, size_t n)
{
    enum kam_err rc = db_exec_i64(ctx->db, "DELETE FROM survey_questions WHERE survey_id = ?",
                                  survey_id, ctx->err);
    for (size_t i = 0; !rc && i < n; i++) {
        const struct survey_question *q = &qs[i];
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO survey_questions (survey_id, position, kind, driver, "
                             "text_zh_cn, text_zh_tw, text_en, required, overall, created_at) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, survey_id);
        db_bind_i64(st, 2, (int64_t)i + 1);
        db_bind_text(st, 3, q->kind);
        db_bind_text(st, 4, q->driver);
        for (int l = 0; l < SURVEY_LANGS; l++)
            db_bind_text(st, 5 + l, q->texts[l] ? q->texts[l] : "");
        db_bind_i64(st, 8, q->required ? 1 : 0);
        db_bind_i64(st, 9, q->overall ? 1 : 0);
        db_bind_i64(st, 10, ctx->now);
        int row = 0;
        int64_t qid = 0;
        rc = db_step(st, &row, ctx->err);
        if (!rc && row)
            qid = db_col_i64(st, 0);
        db_done(st);
        for (size_t k = 0; !rc && k < q->noptions; k++) {
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO survey_options (question_id, position, label_zh_cn, "
                                 "label_zh_tw, label_en) VALUES (?,?,?,?,?)",
                                 &st, ctx->err)))
                return rc;
            db_bind_i64(st, 1, qid);
            db_bind_i64(st, 2, (int64_t)k);
            for (int l = 0; l < SURVEY_LANGS; l++)
                db_bind_text(st, 3 + l, q->options[k].labels[l] ? q->options[k].labels[l] : "");
            rc = db_run(st, ctx->err);
        }
    }
    return rc;
}

static void bind_cols(struct db_stmt *st, const struct survey *x)
{
    for (int i = 0; i < SURVEY_LANGS; i++) {
        db_bind_text(st, 1 + i, x->titles[i] ? x->titles[i] : "");
        db_bind_text(st, 4 + i, x->intros[i] ? x->intros[i] : "");
    }
    db_bind_i64(st, 7, x->link_days);
    db_bind_i64(st, 8, x->remind_days);
    db_bind_i64(st, 9, x->max_reminders);
}

static enum kam_err insert_survey(struct kam_ctx *ctx, struct survey *x, const char *action,
                                  struct survey *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "INSERT INTO surveys (title_zh_cn, title_zh_tw, title_en, intro_zh_cn, intro_zh_tw, "
        "intro_en, link_days, remind_days, max_reminders, status, created_by, version, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,'draft',?,1,?,?) RETURNING id",
        &st, ctx->err);
    if (rc)
        return rc;
    bind_cols(st, x);
    db_bind_i64n(st, 10, ctx->who.user_id, ctx->who.user_id == 0);
    db_bind_i64(st, 11, ctx->now);
    db_bind_i64(st, 12, ctx->now);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        x->id = db_col_i64(st, 0);
    db_done(st);
    if (rc || (rc = write_questions(ctx, x->id, x->questions, x->nquestions)))
        return rc;
    x->status = "draft";
    struct audit_diff d;
    audit_diff_init(&d);
    diff_survey(&d, NULL, x);
    if ((rc = audit_write(ctx, "survey", x->id, 0, action, &d)))
        return rc;
    return survey_get(ctx, x->id, out);
}

enum kam_err survey_create(struct kam_ctx *ctx, const struct survey_in *in, struct survey *out)
{
    struct survey x = {0};
    for (int i = 0; i < SURVEY_LANGS; i++)
        x.titles[i] = x.intros[i] = "";
    x.link_days = 30;
    x.remind_days = 7;
    x.max_reminders = 2;
    merge(&x, in);
    enum kam_err rc = validate(ctx, &x);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    if (!(rc = check_drivers(ctx, x.questions, x.nquestions)))
        rc = insert_survey(ctx, &x, "create", out);
    return db_end(ctx->db, rc, ctx->err);
}

static enum kam_err stale(struct kam_ctx *ctx)
{
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                        "the survey was changed by someone else; reload it");
}

/* The version-guarded UPDATE of the survey row's own columns (and status, times). */
static enum kam_err write_row(struct kam_ctx *ctx, const struct survey *x, int64_t version)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "UPDATE surveys SET title_zh_cn = ?, title_zh_tw = ?, title_en = ?, intro_zh_cn = ?, "
        "intro_zh_tw = ?, intro_en = ?, link_days = ?, remind_days = ?, max_reminders = ?, "
        "status = ?, opened_at = ?, closed_at = ?, updated_at = ?, version = version + 1 WHERE "
        "id = ? AND version = ?",
        &st, ctx->err);
    if (rc)
        return rc;
    bind_cols(st, x);
    db_bind_text(st, 10, x->status);
    db_bind_i64n(st, 11, x->opened_at, !x->has_opened);
    db_bind_i64n(st, 12, x->closed_at, !x->has_closed);
    db_bind_i64(st, 13, ctx->now);
    db_bind_i64(st, 14, x->id);
    db_bind_i64(st, 15, version);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    int64_t v = 0;
    if ((rc = db_query_i64(ctx->db, "SELECT version FROM surveys WHERE id = ?", 1, x->id, &v,
                           ctx->err)))
        return rc;
    return v == version + 1 ? KAM_OK : stale(ctx);
}

enum kam_err survey_update(struct kam_ctx *ctx, int64_t id, const struct survey_in *in,
                           struct survey *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct survey before, x;
    if ((rc = survey_get(ctx, id, &before)))
        goto out;
    if ((in->set & SURVEY_VERSION) && in->v.version != before.version) {
        rc = stale(ctx);
        goto out;
    }
    x = before;
    merge(&x, in);
    if ((rc = validate(ctx, &x)))
        goto out;
    int q_changed = (in->set & SURVEY_QUESTIONS) && !same_questions(&before, &x);
    if (q_changed && strcmp(before.status, "draft") != 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "questions", "survey.frozen", NULL,
                          "the questions of a survey that has been opened cannot change");
        goto out;
    }
    struct audit_diff d;
    audit_diff_init(&d);
    diff_survey(&d, &before, &x);
    if (q_changed && d.n == 0)
        audit_diff_str(&d, "questions_text", "", "changed");
    if (d.n == 0) { /* nothing changed: nothing written */
        audit_diff_release(&d);
        *out = before;
        goto out;
    }
    if ((q_changed && ((rc = check_drivers(ctx, x.questions, x.nquestions)) ||
                       (rc = write_questions(ctx, id, x.questions, x.nquestions)))) ||
        (rc = write_row(ctx, &x, before.version))) {
        audit_diff_release(&d);
        goto out;
    }
    if ((rc = audit_write(ctx, "survey", id, 0, "update", &d)))
        goto out;
    rc = survey_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err survey_delete(struct kam_ctx *ctx, int64_t id)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    /* the survey row first (PostgreSQL: FOR UPDATE, which holds off a response being stored
     * meanwhile: its insert key-share locks the survey); then what was read stays */
    int64_t found = 0;
    if ((rc = db_query_i64(ctx->db,
                           arena_printf(ctx->a,
                                        "SELECT COUNT(*) FROM (SELECT id FROM surveys "
                                        "WHERE id = ?%s) x",
                                        *db_update_lock(ctx->db) ? " FOR UPDATE" : ""),
                           1, id, &found, ctx->err)))
        goto out;
    struct survey before;
    if ((rc = survey_get(ctx, id, &before)))
        goto out;
    int64_t responses = 0; /* all of them, whoever asks */
    if ((rc = db_query_i64(ctx->db, "SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?", 1,
                           id, &responses, ctx->err)))
        goto out;
    if (responses > 0) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.has_responses", NULL,
                          "a survey with responses cannot be deleted; close it instead");
        goto out;
    }
    int64_t links = 0;
    if ((rc = survey_links_drop_all(ctx, id, &links)))
        goto out;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "DELETE FROM surveys WHERE id = ? AND NOT EXISTS (SELECT 1 FROM "
                         "survey_responses WHERE survey_id = ?)",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, id);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    if (db_changes(ctx->db) != 1) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "id", "survey.has_responses", NULL,
                          "a survey with responses cannot be deleted; close it instead");
        goto out;
    }
    struct audit_diff d;
    audit_diff_init(&d);
    diff_survey(&d, &before, NULL);
    audit_diff_i64(&d, "links", links, 0, 0, 1);
    rc = audit_write(ctx, "survey", id, 0, "delete", &d);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err survey_set_status(struct kam_ctx *ctx, int64_t id, const char *to, int64_t version,
                               struct survey *out)
{
    enum kam_err rc = check_enum(ctx, "to", to, survey_statuses);
    if (rc || (rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct survey before, x;
    if ((rc = survey_get(ctx, id, &before)))
        goto out;
    if (version && version != before.version) {
        rc = stale(ctx);
        goto out;
    }
    const char *from = before.status;
    int ok = (!strcmp(from, "draft") && !strcmp(to, "open")) ||
             (!strcmp(from, "open") && !strcmp(to, "closed")) ||
             (!strcmp(from, "closed") && !strcmp(to, "open"));
    if (!ok) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "to", "survey.bad_transition",
                          (struct kam_param[]){{"from", from}, {"to", to}, {0}},
                          "a survey that is %s cannot become %s", from, to);
        goto out;
    }
    if (!strcmp(to, "open") && !survey_openable(&before)) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "to", "survey.not_openable", NULL,
                          "a survey opens with a title and at least one question, every "
                          "question and option worded in at least one language");
        goto out;
    }
    x = before;
    x.status = to;
    if (!strcmp(to, "open")) {
        if (!x.has_opened) {
            x.has_opened = 1;
            x.opened_at = ctx->now;
        }
        x.has_closed = 0;
        x.closed_at = 0;
    } else {
        x.has_closed = 1;
        x.closed_at = ctx->now;
    }
    if ((rc = write_row(ctx, &x, before.version)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    diff_survey(&d, &before, &x);
    if ((rc = audit_write(ctx, "survey", id, 0, "update", &d)))
        goto out;
    rc = survey_get(ctx, id, out);
out:
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err survey_copy(struct kam_ctx *ctx, int64_t id, struct survey *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct survey x;
    if (!(rc = survey_get(ctx, id, &x)))
        rc = insert_survey(ctx, &x, "create", out);
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- lists ---- */

static enum kam_err where(struct kam_ctx *ctx, const struct survey_query *q, struct sqlb *b,
                          const char *select, int counts)
{
    enum kam_err rc;
    if ((q->status && (rc = check_enum(ctx, "status", q->status, survey_statuses))) ||
        (q->q && (rc = check_text(ctx, "q", q->q, 0, 100, CHECK_LINE))))
        return rc;
    int scoped = counts ? policy_scope_with(ctx, b) : 0;
    sqlb_sql(b, select);
    if (counts) {
        /* the links and responses of the accounts in the caller's scope */
        sqlb_sql(b, ", (SELECT COUNT(*) FROM survey_questions WHERE survey_questions.survey_id = "
                    "surveys.id), (SELECT COUNT(*) FROM survey_links JOIN accounts ON "
                    "accounts.id = survey_links.account_id WHERE survey_links.survey_id = "
                    "surveys.id");
        if (scoped)
            sqlb_sql(b, " AND " POLICY_SCOPE_COND);
        sqlb_sql(b, "), (SELECT COUNT(*) FROM survey_responses JOIN accounts ON accounts.id = "
                    "survey_responses.account_id WHERE survey_responses.survey_id = surveys.id");
        if (scoped)
            sqlb_sql(b, " AND " POLICY_SCOPE_COND);
        sqlb_sql(b, ")");
    }
    sqlb_sql(b, " FROM surveys WHERE 1 = 1");
    if (q->status) {
        sqlb_sql(b, " AND surveys.status = ?");
        sqlb_text(b, q->status);
    }
    if (q->q && *q->q) {
        size_t n = strlen(q->q);
        char *pat = arena_alloc(ctx->a, 2 * n + 3), *o = pat;
        *o++ = '%';
        for (const char *c = q->q; *c; c++) {
            if (*c == '%' || *c == '_' || *c == '\\')
                *o++ = '\\';
            *o++ = *c;
        }
        *o++ = '%';
        *o = 0;
        sqlb_sql(b, " AND (LOWER(surveys.title_zh_cn) LIKE LOWER(?) ESCAPE '\\' OR "
                    "LOWER(surveys.title_zh_tw) LIKE LOWER(?) ESCAPE '\\' OR "
                    "LOWER(surveys.title_en) LIKE LOWER(?) ESCAPE '\\')");
        sqlb_text(b, pat);
        sqlb_text(b, pat);
        sqlb_text(b, pat);
    }
    return KAM_OK;
}

static const struct page_sort sorts[] = {{"created_at", "surveys.created_at", 0}};

enum kam_err survey_list(struct kam_ctx *ctx, const struct survey_query *q, struct survey **items,
                         size_t *n, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, sorts, 1, "-created_at", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    if ((rc = where(ctx, q, &b, "SELECT " COLS, 1)))
        return rc;
    const struct survey *l;
    if ((rc = page_fetch(ctx, &b, &pg, "surveys.id", read_list_row, sizeof **items, (void **)items,
                         n, (const void **)&l)))
        return rc;
    *next_out = l ? page_cursor(ctx, &pg, NULL, l->created_at, l->id) : NULL;
    return KAM_OK;
}

enum kam_err survey_count(struct kam_ctx *ctx, const struct survey_query *q, int64_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    enum kam_err rc = where(ctx, q, &b, "SELECT COUNT(*)", 0);
    if (rc)
        return rc;
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *n_out = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

/* ---- drivers ---- */

static void read_driver(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct survey_driver *x = row;
    memset(x, 0, sizeof *x);
    x->key = arena_strdup(ctx->a, db_col_text(st, 0));
    for (int i = 0; i < SURVEY_LANGS; i++)
        x->labels[i] = arena_strdup(ctx->a, db_col_text(st, 1 + i));
    x->dept_role = arena_strdup(ctx->a, db_col_text(st, 4));
    x->position = db_col_i64(st, 5);
    x->active = (int)db_col_i64(st, 6);
    x->updated_at = db_col_i64(st, 7);
}

#define DRIVER_COLS                                                                                \
    "key, label_zh_cn, label_zh_tw, label_en, dept_role, position, active, updated_at"

enum kam_err survey_driver_list(struct kam_ctx *ctx, struct survey_driver **items, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db, "SELECT " DRIVER_COLS " FROM survey_drivers ORDER BY position, key",
                   &st, ctx->err);
    if (rc)
        return rc;
    return rows_collect(ctx, st, 1000, read_driver, sizeof **items, (void **)items, n);
}

static int key_ok(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n < 1 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return 0;
    return 1;
}

enum kam_err survey_driver_put(struct kam_ctx *ctx, const struct survey_driver *in,
                               struct survey_driver *out, int *created)
{
    if (!key_ok(in->key))
        return kam_fail(ctx->err, KAM_EINVAL, "key",
                        "key must be 1-40 characters of a-z, 0-9 and _");
    enum kam_err rc;
    if ((rc = check_texts(ctx, "label", in->labels, SURVEY_TEXT_MAX, 0)) ||
        (rc = check_enum(ctx, "dept_role", in->dept_role, dept_roles)) ||
        (rc = check_range(ctx, "position", in->position, 0, 10000)))
        return rc;
    if (!any_text(in->labels))
        return kam_fail_key(ctx->err, KAM_EINVAL, "label", "required",
                            (struct kam_param[]){{"field", "label"}, {0}}, "label is required");
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    struct db_stmt *st;
    struct survey_driver before = {0}, *b = NULL;
    if ((rc = db_prepare(ctx->db, "SELECT " DRIVER_COLS " FROM survey_drivers WHERE key = ?", &st,
                         ctx->err)))
        goto out;
    db_bind_text(st, 1, in->key);
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row) {
        read_driver(ctx, st, &before);
        b = &before;
    }
    db_done(st);
    if (rc)
        goto out;
    *created = b == NULL;
    if ((rc = db_prepare(ctx->db,
                         b ? "UPDATE survey_drivers SET label_zh_cn = ?, label_zh_tw = ?, "
                             "label_en = ?, dept_role = ?, position = ?, active = ?, updated_at = "
                             "? WHERE key = ?"
                           : "INSERT INTO survey_drivers (label_zh_cn, label_zh_tw, label_en, "
                             "dept_role, position, active, updated_at, key, created_at) VALUES "
                             "(?,?,?,?,?,?,?,?,?)",
                         &st, ctx->err)))
        goto out;
    for (int i = 0; i < SURVEY_LANGS; i++)
        db_bind_text(st, 1 + i, in->labels[i] ? in->labels[i] : "");
    db_bind_text(st, 4, in->dept_role);
    db_bind_i64(st, 5, in->position);
    db_bind_i64(st, 6, in->active ? 1 : 0);
    db_bind_i64(st, 7, ctx->now);
    db_bind_text(st, 8, in->key);
    if (!b)
        db_bind_i64(st, 9, ctx->now);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct audit_diff d;
    audit_diff_init(&d);
    static const char *const lf[SURVEY_LANGS] = {"label_zh_cn", "label_zh_tw", "label_en"};
    for (int i = 0; i < SURVEY_LANGS; i++)
        audit_diff_str(&d, lf[i], b ? b->labels[i] : NULL, in->labels[i] ? in->labels[i] : "");
    audit_diff_str(&d, "key", b ? b->key : NULL, in->key);
    audit_diff_str(&d, "dept_role", b ? b->dept_role : NULL, in->dept_role);
    audit_diff_i64(&d, "position", b ? b->position : 0, !b, in->position, 0);
    audit_diff_i64(&d, "active", b ? b->active : 0, !b, in->active ? 1 : 0, 0);
    /* the driver's key is text: the audit row's entity id is 0, the key is in the diff */
    if ((rc = audit_write(ctx, "survey_driver", 0, 0, b ? "update" : "create", &d)))
        goto out;
    if ((rc = db_prepare(ctx->db, "SELECT " DRIVER_COLS " FROM survey_drivers WHERE key = ?", &st,
                         ctx->err)))
        goto out;
    db_bind_text(st, 1, in->key);
    rc = db_step(st, &row, ctx->err);
    if (!rc && row)
        read_driver(ctx, st, out);
    db_done(st);
out:
    return db_end(ctx->db, rc, ctx->err);
}
