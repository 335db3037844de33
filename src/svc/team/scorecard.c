/* scorecard.c -- scorecards: compute, lines, records, the workflow, calibration (scorecard.h). */
#include "scorecard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "scheme.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/audit.h"
#include "svc/core/check.h"
#include "svc/core/notify.h"
#include "svc/core/page.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"

const char *const scorecard_statuses[] = {"draft",      "review", "acknowledged",
                                          "calibrated", "final",  NULL};
const char *const scorecard_bands[] = {"below", "partly", "meets", "exceeds", "outstanding", NULL};
const int64_t scorecard_band_from[] = {0, 7000, 9000, 11000, 13000};

static int64_t opt_i64(struct db_stmt *st, int i, int *has)
{
    *has = !db_col_is_null(st, i);
    return *has ? db_col_i64(st, i) : 0;
}

/* "2026Q3" or "2026" from the stored days. */
static const char *period_key(struct kam_ctx *ctx, const char *start, const char *end)
{
    int y = 0, m0 = 0, d = 0, y1 = 0, m1 = 0;
    if (date_parse(start, &y, &m0, &d) || date_parse(end, &y1, &m1, &d))
        return arena_strdup(ctx->a, start);
    if (m0 == 1 && m1 == 12)
        return arena_printf(ctx->a, "%04d", y);
    return arena_printf(ctx->a, "%04dQ%d", y, (m0 + 2) / 3);
}

#define CCOLS                                                                                      \
    "c.id, c.scheme_id, s.name, c.user_id, u.name, c.period_start, c.period_end, c.status, "       \
    "c.score, c.computed_score, c.scheme_version, c.computed_at, c.comment, c.acknowledged_at, "   \
    "c.finalised_by, c.finalised_at, c.version, c.created_at, c.updated_at"
#define CFROM                                                                                      \
    " FROM scorecards c JOIN appraisal_schemes s ON s.id = c.scheme_id JOIN users u ON u.id = "    \
    "c.user_id"

static void card_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct scorecard *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->scheme_id = db_col_i64(st, 1);
    x->scheme_name = arena_strdup(ctx->a, db_col_text(st, 2));
    x->user_id = db_col_i64(st, 3);
    x->user_name = arena_strdup(ctx->a, db_col_text(st, 4));
    x->period_start = arena_strdup(ctx->a, db_col_text(st, 5));
    x->period_end = arena_strdup(ctx->a, db_col_text(st, 6));
    x->period = period_key(ctx, x->period_start, x->period_end);
    x->status = arena_strdup(ctx->a, db_col_text(st, 7));
    x->score = opt_i64(st, 8, &x->has_score);
    x->computed_score = opt_i64(st, 9, &x->has_computed_score);
    x->scheme_version = db_col_i64(st, 10);
    x->computed_at = opt_i64(st, 11, &x->has_computed_at);
    x->comment = arena_strdup(ctx->a, db_col_text(st, 12));
    x->acknowledged_at = opt_i64(st, 13, &x->has_acknowledged);
    int has_by = 0;
    x->finalised_by = opt_i64(st, 14, &has_by);
    x->finalised_at = opt_i64(st, 15, &x->has_finalised);
    x->version = db_col_i64(st, 16);
    x->created_at = db_col_i64(st, 17);
    x->updated_at = db_col_i64(st, 18);
}

#define LCOLS                                                                                      \
    "indicator_id, position, kind, label, weight_bp, threshold, target, stretch, cap_score, "      \
    "lower_better, measured, basis, actual, attainment_bp, score, weighted, why, explanation, "    \
    "facts"

static void line_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct appr_line *l = row;
    memset(l, 0, sizeof *l);
    l->indicator_id = db_col_i64(st, 0);
    l->position = db_col_i64(st, 1);
    l->kind = arena_strdup(ctx->a, db_col_text(st, 2));
    l->label = arena_strdup(ctx->a, db_col_text(st, 3));
    l->weight_bp = db_col_i64(st, 4);
    l->curve.threshold = db_col_i64(st, 5);
    l->curve.target = db_col_i64(st, 6);
    l->curve.stretch = db_col_i64(st, 7);
    l->curve.cap_score = db_col_i64(st, 8);
    l->curve.lower_better = (int)db_col_i64(st, 9);
    l->measured = opt_i64(st, 10, &l->has_measured);
    l->basis = opt_i64(st, 11, &l->has_basis);
    l->actual = opt_i64(st, 12, &l->has_actual);
    l->attainment_bp = opt_i64(st, 13, &l->has_attainment);
    l->score = opt_i64(st, 14, &l->has_score);
    l->weighted = opt_i64(st, 15, &l->has_weighted);
    l->why = db_col_is_null(st, 16) ? NULL : arena_strdup(ctx->a, db_col_text(st, 16));
    l->explanation = arena_strdup(ctx->a, db_col_text(st, 17));
    l->facts = arena_strdup(ctx->a, db_col_text(st, 18));
}

static void adj_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct scorecard_adj *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->old_score = opt_i64(st, 1, &x->has_old);
    x->new_score = db_col_i64(st, 2);
    x->reason = arena_strdup(ctx->a, db_col_text(st, 3));
    x->adjusted_by = opt_i64(st, 4, &x->has_by);
    x->by_name = db_col_is_null(st, 5) ? "" : arena_strdup(ctx->a, db_col_text(st, 5));
    x->created_at = db_col_i64(st, 6);
}

static enum kam_err load_lines(struct kam_ctx *ctx, int64_t id, struct appr_line **out, size_t *n)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT " LCOLS " FROM scorecard_lines WHERE scorecard_id = ? "
                                 "ORDER BY position",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, SCHEME_INDICATORS_MAX, line_row, sizeof **out, (void **)out, n);
}

enum kam_err scorecard_get(struct kam_ctx *ctx, int64_t id, struct scorecard *out)
{
    enum kam_err rc =
        row_get(ctx, "SELECT " CCOLS CFROM " WHERE c.id = ?", id, card_row, out, "scorecard");
    if (rc || (rc = load_lines(ctx, id, &out->lines, &out->n_lines)))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT j.id, j.old_score, j.new_score, j.reason, j.adjusted_by, u.name, "
                         "j.created_at FROM scorecard_adjustments j LEFT JOIN users u ON u.id = "
                         "j.adjusted_by WHERE j.scorecard_id = ? ORDER BY j.id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, id);
    return rows_collect(ctx, st, 1000, adj_row, sizeof *out->adj, (void **)&out->adj, &out->n_adj);
}

/* ---- compute ---- */

static enum kam_err write_lines(struct kam_ctx *ctx, int64_t sc, const struct appr_line *l,
                                size_t n)
{
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO scorecard_lines (scorecard_id, " LCOLS
                             ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, sc);
        db_bind_i64(st, 2, l[i].indicator_id);
        db_bind_i64(st, 3, l[i].position);
        db_bind_text(st, 4, l[i].kind);
        db_bind_text(st, 5, l[i].label);
        db_bind_i64(st, 6, l[i].weight_bp);
        db_bind_i64(st, 7, l[i].curve.threshold);
        db_bind_i64(st, 8, l[i].curve.target);
        db_bind_i64(st, 9, l[i].curve.stretch);
        db_bind_i64(st, 10, l[i].curve.cap_score);
        db_bind_i64(st, 11, l[i].curve.lower_better);
        db_bind_i64n(st, 12, l[i].measured, !l[i].has_measured);
        db_bind_i64n(st, 13, l[i].basis, !l[i].has_basis);
        db_bind_i64n(st, 14, l[i].actual, !l[i].has_actual);
        db_bind_i64n(st, 15, l[i].attainment_bp, !l[i].has_attainment);
        db_bind_i64n(st, 16, l[i].score, !l[i].has_score);
        db_bind_i64n(st, 17, l[i].weighted, !l[i].has_weighted);
        if (l[i].why)
            db_bind_text(st, 18, l[i].why);
        else
            db_bind_null(st, 18);
        db_bind_text(st, 19, l[i].explanation ? l[i].explanation : "");
        db_bind_text(st, 20, l[i].facts && *l[i].facts ? l[i].facts : "{}");
        rc = db_run(st, ctx->err);
    }
    return rc;
}

static enum kam_err compute_one(struct kam_ctx *ctx, const struct scheme *s,
                                const struct appr_period *p, int64_t user, int *what)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT id, status, score FROM scorecards WHERE scheme_id = ? "
                                 "AND user_id = ? AND period_start = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, s->id);
    db_bind_i64(st, 2, user);
    db_bind_text(st, 3, p->start);
    int row = 0, has_old = 0;
    int64_t sc = 0, old_score = 0;
    const char *status = NULL;
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        sc = db_col_i64(st, 0);
        status = arena_strdup(ctx->a, db_col_text(st, 1));
        old_score = opt_i64(st, 2, &has_old);
    }
    db_done(st);
    if (rc)
        return rc;
    if (sc && strcmp(status, "draft")) {
        *what = 0; /* skipped */
        return KAM_OK;
    }
    size_t n = s->n_indicators;
    struct appr_line *l = arena_calloc(ctx->a, n ? n : 1, sizeof *l);
    for (size_t i = 0; i < n; i++) {
        const struct scheme_indicator *x = &s->indicators[i];
        l[i].indicator_id = x->id;
        l[i].position = x->position;
        l[i].kind = x->kind;
        l[i].label = x->label;
        l[i].weight_bp = x->weight_bp;
        l[i].curve =
            (struct appr_curve){x->threshold, x->target, x->stretch, x->cap_score, x->lower_better};
    }
    if (!sc) {
        if ((rc = db_prepare(ctx->db,
                             "INSERT INTO scorecards (scheme_id, user_id, period_start, "
                             "period_end, status, version, created_at, updated_at, "
                             "scheme_version) VALUES (?,?,?,?,'draft',1,?,?,?) RETURNING id",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, s->id);
        db_bind_i64(st, 2, user);
        db_bind_text(st, 3, p->start);
        db_bind_text(st, 4, p->end);
        db_bind_i64(st, 5, ctx->now);
        db_bind_i64(st, 6, ctx->now);
        db_bind_i64(st, 7, s->indicators_version);
        if (!(rc = db_step(st, &row, ctx->err)) && row)
            sc = db_col_i64(st, 0);
        db_done(st);
        if (rc)
            return rc;
        *what = 1;
    } else {
        /* keep the manual values of the same indicators */
        struct appr_line *old;
        size_t nold;
        if ((rc = load_lines(ctx, sc, &old, &nold)))
            return rc;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < nold; j++)
                if (!strcmp(l[i].kind, "manual") && old[j].indicator_id == l[i].indicator_id &&
                    old[j].has_actual) {
                    l[i].has_actual = 1;
                    l[i].actual = old[j].actual;
                }
        if ((rc = db_exec_i64(ctx->db, "DELETE FROM scorecard_records WHERE scorecard_id = ?", sc,
                              ctx->err)) ||
            (rc = db_exec_i64(ctx->db, "DELETE FROM scorecard_lines WHERE scorecard_id = ?", sc,
                              ctx->err)))
            return rc;
        *what = 2;
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = appr_indicator_compute(ctx, sc, user, p, &l[i]);
    int64_t total = 0;
    int has_total = 0;
    if (!rc) {
        appr_score_lines(l, n, &total, &has_total);
        rc = write_lines(ctx, sc, l, n);
    }
    if (rc)
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "UPDATE scorecards SET score = ?, computed_score = ?, computed_at = ?, "
                         "scheme_version = ?, updated_at = ?, version = version + ? WHERE id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64n(st, 1, total, !has_total);
    db_bind_i64n(st, 2, total, !has_total);
    db_bind_i64(st, 3, ctx->now);
    db_bind_i64(st, 4, s->indicators_version);
    db_bind_i64(st, 5, ctx->now);
    db_bind_i64(st, 6, *what == 2 ? 1 : 0);
    db_bind_i64(st, 7, sc);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    struct audit_diff d;
    audit_diff_init(&d);
    if (*what == 1) {
        audit_diff_i64(&d, "scheme_id", 0, 1, s->id, 0);
        audit_diff_i64(&d, "user_id", 0, 1, user, 0);
        audit_diff_str(&d, "period_start", NULL, p->start);
        audit_diff_str(&d, "status", NULL, "draft");
    }
    audit_diff_i64(&d, "score", old_score, !has_old || *what == 1, total, !has_total);
    audit_diff_i64(&d, "computed_at", 0, 1, ctx->now, 0);
    return audit_write(ctx, "scorecard", sc, 0, *what == 1 ? "create" : "compute", &d);
}

enum kam_err scorecard_compute(struct kam_ctx *ctx, const struct scorecard_compute_in *in,
                               struct scorecard_compute_out *out)
{
    memset(out, 0, sizeof *out);
    if (!(in->set & SCC_SCHEME))
        return kam_fail_key(ctx->err, KAM_EINVAL, "scheme_id", "required",
                            (struct kam_param[]){{"field", "scheme_id"}, {0}},
                            "scheme_id is required");
    if (!(in->set & SCC_PERIOD))
        return kam_fail_key(ctx->err, KAM_EINVAL, "period", "required",
                            (struct kam_param[]){{"field", "period"}, {0}}, "period is required");
    struct scheme s;
    enum kam_err rc = scheme_get(ctx, in->scheme_id, &s);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, "scheme_id", "no such scheme");
    }
    if (rc)
        return rc;
    struct appr_period p;
    if (appr_period_parse(in->period, s.period_kind, &p))
        return kam_fail_key(ctx->err, KAM_EINVAL, "period", "appraisal.bad_period",
                            (struct kam_param[]){{"kind", s.period_kind}, {0}},
                            "period: 2026Q3 for a quarterly scheme, 2026 for a yearly one");
    if (!s.active)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "scheme_id", "scheme.inactive", NULL,
                            "the scheme is inactive");
    int64_t *users = NULL;
    size_t nu = 0;
    if (in->users_given) {
        if (in->n_users < 1)
            return kam_fail(ctx->err, KAM_EINVAL, "user_ids", "name at least one person");
        users = arena_calloc(ctx->a, (size_t)in->n_users, sizeof *users);
        for (int i = 0; i < in->n_users; i++) {
            const char *f = arena_printf(ctx->a, "user_ids[%d]", i);
            if ((rc = policy_body_person(ctx, f, in->user_ids[i], OBJ_SCORECARD, ACT_CREATE)))
                return rc;
            int dup = 0;
            for (size_t j = 0; j < nu; j++)
                dup |= users[j] == in->user_ids[i];
            if (!dup)
                users[nu++] = in->user_ids[i];
        }
    } else {
        struct sqlb b;
        sqlb_init(&b, ctx->a);
        int scoped = 0;
        if (policy_grant(ctx->who.role, OBJ_SCORECARD, ACT_CREATE) != GRANT_ALL) {
            sqlb_sql(&b, POLICY_SCOPE_WITH);
            sqlb_i64(&b, ctx->who.user_id);
            sqlb_i64(&b, ctx->who.user_id);
            scoped = 1;
        }
        sqlb_sql(&b, "SELECT u.id FROM users u WHERE u.role = ? AND u.disabled = 0");
        sqlb_text(&b, s.role);
        if (scoped)
            sqlb_sql(&b, " AND " POLICY_PERSON_COND("u.id"));
        sqlb_sql(&b, " ORDER BY u.id");
        struct db_stmt *st;
        if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
            return rc;
        users = arena_calloc(ctx->a, SCORECARD_COMPUTE_MAX + 1, sizeof *users);
        int row = 0;
        while (!(rc = db_step(st, &row, ctx->err)) && row && nu <= SCORECARD_COMPUTE_MAX)
            users[nu++] = db_col_i64(st, 0);
        db_done(st);
        if (rc)
            return rc;
        if (nu > SCORECARD_COMPUTE_MAX)
            return kam_fail(ctx->err, KAM_ETOOBIG, "user_ids",
                            "more than %d people: name them in user_ids", SCORECARD_COMPUTE_MAX);
    }
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    /* two computes of one scheme take turns (PostgreSQL): the second finds the first's
     * scorecards and recomputes them instead of running into the unique key */
    if ((rc = db_lock_row(ctx->db, "appraisal_schemes", s.id, ctx->err)))
        return db_end(ctx->db, rc, ctx->err);
    out->items = arena_calloc(ctx->a, nu ? nu : 1, sizeof *out->items);
    for (size_t i = 0; i < nu && !rc; i++) {
        int what = 0;
        if ((rc = compute_one(ctx, &s, &p, users[i], &what)))
            break;
        if (!what) {
            out->skipped++;
            continue;
        }
        if (what == 1)
            out->created++;
        else
            out->refreshed++;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT " CCOLS CFROM " WHERE c.scheme_id = ? AND c.user_id = ? AND "
                             "c.period_start = ?",
                             &st, ctx->err)))
            break;
        db_bind_i64(st, 1, s.id);
        db_bind_i64(st, 2, users[i]);
        db_bind_text(st, 3, p.start);
        int row = 0;
        if (!(rc = db_step(st, &row, ctx->err)) && row)
            card_row(ctx, st, &out->items[out->n++]);
        db_done(st);
    }
    return db_end(ctx->db, rc, ctx->err);
}

/* ---- the workflow ---- */

static enum kam_err not_own(struct kam_ctx *ctx, const struct scorecard *x)
{
    if (ctx->who.user_id != x->user_id)
        return KAM_OK;
    return kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "scorecard.own", NULL,
                        "a manager's step is not taken on one's own scorecard");
}

static enum kam_err conflict(struct kam_ctx *ctx, const char *key, const struct scorecard *x,
                             const char *msg)
{
    return kam_fail_key(ctx->err, KAM_ECONFLICT, "status", key,
                        (struct kam_param[]){{"status", x->status}, {0}}, "%s (it is %s)", msg,
                        x->status);
}

/* Writes b -> a (status, score, comment, acknowledged_at, finalised_*), version-guarded, and
 * its audit row with action. */
static enum kam_err save(struct kam_ctx *ctx, const struct scorecard *b, const struct scorecard *a,
                         const char *action, const char *reason)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "UPDATE scorecards SET status = ?, score = ?, computed_score = ?, "
                                 "comment = ?, acknowledged_at = ?, finalised_by = ?, "
                                 "finalised_at = ?, updated_at = ?, version = version + 1 WHERE "
                                 "id = ? AND version = ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, a->status);
    db_bind_i64n(st, 2, a->score, !a->has_score);
    db_bind_i64n(st, 3, a->computed_score, !a->has_computed_score);
    db_bind_text(st, 4, a->comment);
    db_bind_i64n(st, 5, a->acknowledged_at, !a->has_acknowledged);
    db_bind_i64n(st, 6, a->finalised_by, !a->has_finalised);
    db_bind_i64n(st, 7, a->finalised_at, !a->has_finalised);
    db_bind_i64(st, 8, ctx->now);
    db_bind_i64(st, 9, a->id);
    db_bind_i64(st, 10, b->version);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    if (db_changes(ctx->db) != 1)
        return kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                            "the scorecard was changed by someone else: reload it");
    struct audit_diff d;
    audit_diff_init(&d);
    audit_diff_str(&d, "status", b->status, a->status);
    audit_diff_i64(&d, "score", b->score, !b->has_score, a->score, !a->has_score);
    audit_diff_str(&d, "comment", b->comment, a->comment);
    if (reason)
        audit_diff_str(&d, "reason", NULL, reason);
    return audit_write(ctx, "scorecard", a->id, 0, action, &d);
}

static enum kam_err begin_get(struct kam_ctx *ctx, int64_t id, struct scorecard *b)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    return scorecard_get(ctx, id, b);
}

static enum kam_err finish(struct kam_ctx *ctx, enum kam_err rc, int64_t id, struct scorecard *out)
{
    if (!rc)
        rc = scorecard_get(ctx, id, out);
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err scorecard_update(struct kam_ctx *ctx, int64_t id, const struct scorecard_in *in,
                              struct scorecard *out)
{
    struct scorecard b;
    enum kam_err rc = begin_get(ctx, id, &b);
    if (rc || (rc = not_own(ctx, &b)))
        goto out;
    if ((in->set & SCI_VERSION) && in->version != b.version) {
        rc = kam_fail_key(ctx->err, KAM_ECONFLICT, "version", "stale_version", NULL,
                          "the scorecard was changed by someone else: reload it");
        goto out;
    }
    struct scorecard a = b;
    if (in->set & SCI_COMMENT) {
        a.comment = in->comment ? in->comment : "";
        if ((rc = check_text(ctx, "comment", a.comment, 0, SCORECARD_COMMENT_MAX, CHECK_MULTILINE)))
            goto out;
        if (!strcmp(b.status, "final") && strcmp(a.comment, b.comment)) {
            rc = conflict(ctx, "scorecard.final", &b, "a final scorecard does not change");
            goto out;
        }
    }
    int manual_changed = 0;
    if ((in->set & SCI_MANUAL) && in->n_manual > 0) {
        if (strcmp(b.status, "draft")) {
            rc = conflict(ctx, "scorecard.not_draft", &b,
                          "manual values are set while the scorecard is a draft");
            goto out;
        }
        a.lines = arena_calloc(ctx->a, b.n_lines ? b.n_lines : 1, sizeof *a.lines);
        if (b.n_lines)
            memcpy(a.lines, b.lines, b.n_lines * sizeof *a.lines);
        for (int i = 0; i < in->n_manual; i++) {
            const struct scorecard_manual *m = &in->manual[i];
            const char *f = arena_printf(ctx->a, "manual[%d]", i);
            if (!(m->set & SCM_INDICATOR) || !(m->set & SCM_VALUE)) {
                rc = kam_fail(ctx->err, KAM_EINVAL, f, "%s needs indicator_id and value", f);
                goto out;
            }
            if (m->has_value && (m->value < -APPR_VALUE_MAX || m->value > APPR_VALUE_MAX)) {
                rc = kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.value", f),
                              "%s.value must be within +-10^12", f);
                goto out;
            }
            struct appr_line *l = NULL;
            for (size_t j = 0; j < a.n_lines; j++)
                if (a.lines[j].indicator_id == m->indicator_id)
                    l = &a.lines[j];
            if (!l || strcmp(l->kind, "manual")) {
                rc = kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.indicator_id", f),
                                  "appraisal.not_manual", NULL,
                                  "%s.indicator_id: no manual line of this scorecard", f);
                goto out;
            }
            if (l->has_actual != m->has_value || l->actual != m->value)
                manual_changed = 1;
            l->has_actual = m->has_value;
            l->actual = m->has_value ? m->value : 0;
            l->has_measured = m->has_value;
            l->measured = l->actual;
            l->has_attainment = m->has_value && l->curve.target != 0;
            l->attainment_bp =
                l->has_attainment ? appr_div_round(l->actual * 10000, l->curve.target) : 0;
            l->why = m->has_value ? NULL : "not_assessed";
            l->explanation = m->has_value ? arena_printf(ctx->a, "assessed by the manager: %lld",
                                                         (long long)l->actual)
                                          : "not assessed yet by the manager";
        }
        if (manual_changed) {
            int64_t total = 0;
            int has_total = 0;
            appr_score_lines(a.lines, a.n_lines, &total, &has_total);
            a.score = a.computed_score = total;
            a.has_score = a.has_computed_score = has_total;
            if ((rc = db_exec_i64(ctx->db, "DELETE FROM scorecard_lines WHERE scorecard_id = ?", id,
                                  ctx->err)) ||
                (rc = write_lines(ctx, id, a.lines, a.n_lines)))
                goto out;
        }
    }
    if (!manual_changed && !strcmp(a.comment, b.comment)) {
        *out = b; /* nothing changed */
        rc = KAM_OK;
        return db_end(ctx->db, rc, ctx->err);
    }
    rc = save(ctx, &b, &a, "update", NULL);
out:
    return finish(ctx, rc, id, out);
}

enum kam_err scorecard_submit(struct kam_ctx *ctx, int64_t id, struct scorecard *out)
{
    struct scorecard b;
    enum kam_err rc = begin_get(ctx, id, &b);
    if (rc || (rc = not_own(ctx, &b)))
        goto out;
    if (strcmp(b.status, "draft")) {
        rc = conflict(ctx, "scorecard.not_draft", &b, "only a draft is submitted");
        goto out;
    }
    struct scorecard a = b;
    a.status = "review";
    if ((rc = save(ctx, &b, &a, "submit", NULL)))
        goto out;
    rc = notify_add_msg(
        ctx, b.user_id, "scorecard_review", "notify.scorecard_review",
        (struct kam_param[]){{"period", b.period}, {"scheme", b.scheme_name}, {0}}, "",
        arena_printf(ctx->a, "/scorecards/%lld", (long long)id),
        arena_printf(ctx->a, "scorecard_review:%lld:%lld", (long long)id, (long long)b.version + 1),
        NULL);
out:
    return finish(ctx, rc, id, out);
}

enum kam_err scorecard_acknowledge(struct kam_ctx *ctx, int64_t id, struct scorecard *out)
{
    struct scorecard b;
    enum kam_err rc = begin_get(ctx, id, &b);
    if (rc)
        goto out;
    if (ctx->who.user_id != b.user_id) {
        rc = kam_fail_key(ctx->err, KAM_EFORBIDDEN, "id", "scorecard.not_yours", NULL,
                          "only the person acknowledges their scorecard");
        goto out;
    }
    if (strcmp(b.status, "review")) {
        rc = conflict(ctx, "scorecard.not_in_review", &b,
                      "a scorecard is acknowledged while in review");
        goto out;
    }
    struct scorecard a = b;
    a.status = "acknowledged";
    a.has_acknowledged = 1;
    a.acknowledged_at = ctx->now;
    rc = save(ctx, &b, &a, "acknowledge", NULL);
out:
    return finish(ctx, rc, id, out);
}

static int past_review(const char *s)
{
    return !strcmp(s, "review") || !strcmp(s, "acknowledged") || !strcmp(s, "calibrated");
}

enum kam_err scorecard_calibrate(struct kam_ctx *ctx, int64_t id, int64_t score, int has_score,
                                 const char *reason, struct scorecard *out)
{
    if (!has_score)
        return kam_fail_key(ctx->err, KAM_EINVAL, "score", "required",
                            (struct kam_param[]){{"field", "score"}, {0}}, "score is required");
    enum kam_err rc;
    if ((rc = check_range(ctx, "score", score, 0, APPR_CAP_MAX)))
        return rc;
    if (!reason || utf8_blank(reason))
        return kam_fail_key(ctx->err, KAM_EINVAL, "reason", "required",
                            (struct kam_param[]){{"field", "reason"}, {0}},
                            "a calibration needs its reason");
    if ((rc = check_text(ctx, "reason", reason, 1, SCORECARD_REASON_MAX, CHECK_MULTILINE)))
        return rc;
    struct scorecard b;
    if ((rc = begin_get(ctx, id, &b)) || (rc = not_own(ctx, &b)))
        goto out;
    if (!past_review(b.status)) {
        rc = conflict(ctx, "scorecard.not_calibratable", &b,
                      "a scorecard is calibrated after it was submitted and before it is final");
        goto out;
    }
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "INSERT INTO scorecard_adjustments (scorecard_id, old_score, new_score, "
                         "reason, adjusted_by, created_at) VALUES (?,?,?,?,?,?)",
                         &st, ctx->err)))
        goto out;
    db_bind_i64(st, 1, id);
    db_bind_i64n(st, 2, b.score, !b.has_score);
    db_bind_i64(st, 3, score);
    db_bind_text(st, 4, reason);
    db_bind_i64n(st, 5, ctx->who.user_id, ctx->who.user_id <= 0);
    db_bind_i64(st, 6, ctx->now);
    if ((rc = db_run(st, ctx->err)))
        goto out;
    struct scorecard a = b;
    a.status = "calibrated";
    a.score = score;
    a.has_score = 1;
    rc = save(ctx, &b, &a, "calibrate", reason);
out:
    return finish(ctx, rc, id, out);
}

enum kam_err scorecard_finalise(struct kam_ctx *ctx, int64_t id, struct scorecard *out)
{
    struct scorecard b;
    enum kam_err rc = begin_get(ctx, id, &b);
    if (rc || (rc = not_own(ctx, &b)))
        goto out;
    if (!past_review(b.status)) {
        rc = conflict(ctx, "scorecard.not_finalisable", &b,
                      "a scorecard is made final after it was submitted, once");
        goto out;
    }
    struct scorecard a = b;
    a.status = "final";
    a.has_finalised = 1;
    a.finalised_at = ctx->now;
    a.finalised_by = ctx->who.user_id;
    rc = save(ctx, &b, &a, "finalise", NULL);
out:
    return finish(ctx, rc, id, out);
}

/* ---- lists ---- */

static const struct page_sort sorts[] = {{"id", "c.id", 0}, {"period_start", "c.period_start", 1}};

enum kam_err scorecard_list(struct kam_ctx *ctx, const struct scorecard_query *q,
                            struct scorecard **items_out, size_t *n_out, const char **next_out)
{
    struct page_req pg;
    enum kam_err rc =
        page_parse(ctx, sorts, 2, q->sort ? q->sort : "-id", q->limit, q->cursor, &pg);
    if (rc)
        return rc;
    if (q->status && (rc = check_enum(ctx, "status", q->status, scorecard_statuses)))
        return rc;
    struct appr_period p;
    if (q->period && appr_period_parse(q->period, strlen(q->period) == 4 ? "year" : "quarter", &p))
        return kam_fail_key(ctx->err, KAM_EINVAL, "period", "appraisal.bad_period",
                            (struct kam_param[]){{"kind", "quarter"}, {0}},
                            "period: 2026Q3 or 2026");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_person_scope_with(ctx, OBJ_SCORECARD, &b);
    sqlb_sql(&b, "SELECT " CCOLS CFROM " WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_PERSON_COND("c.user_id"));
    if (q->scheme_id) {
        sqlb_sql(&b, " AND c.scheme_id = ?");
        sqlb_i64(&b, q->scheme_id);
    }
    if (q->user_id) {
        sqlb_sql(&b, " AND c.user_id = ?");
        sqlb_i64(&b, q->user_id);
    }
    if (q->period) {
        sqlb_sql(&b, " AND c.period_start = ? AND c.period_end = ?");
        sqlb_text(&b, p.start);
        sqlb_text(&b, p.end);
    }
    if (q->status) {
        sqlb_sql(&b, " AND c.status = ?");
        sqlb_text(&b, q->status);
    }
    struct scorecard *items;
    const struct scorecard *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "c.id", card_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out =
        last ? page_cursor(ctx, &pg, items[n - 1].period_start, items[n - 1].id, items[n - 1].id)
             : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

static void rec_row(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct scorecard_record *x = row;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(st, 0);
    x->side = arena_strdup(ctx->a, db_col_text(st, 1));
    x->ref_kind = arena_strdup(ctx->a, db_col_text(st, 2));
    x->ref_id = db_col_i64(st, 3);
    x->day = opt_i64(st, 4, &x->has_day);
    x->account_id = opt_i64(st, 5, &x->has_account);
    x->value = db_col_i64(st, 6);
    x->note = arena_strdup(ctx->a, db_col_text(st, 7));
    x->account_name = db_col_is_null(st, 8) ? NULL : arena_strdup(ctx->a, db_col_text(st, 8));
}

static const char *const sides[] = {"actual", "basis", "wallet", "info", NULL};

enum kam_err scorecard_records(struct kam_ctx *ctx, int64_t id, int64_t indicator_id,
                               const struct scorecard_record_query *q,
                               struct scorecard_record **items_out, size_t *n_out,
                               const char **next_out)
{
    static const struct page_sort rs[] = {{"id", "r.id", 0}};
    struct page_req pg;
    enum kam_err rc = page_parse(ctx, rs, 1, "id", q->limit, q->cursor, &pg);
    if (rc || (q->side && (rc = check_enum(ctx, "side", q->side, sides))))
        return rc;
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT COUNT(*) FROM scorecard_lines WHERE scorecard_id = ? AND "
                         "indicator_id = ?",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, indicator_id);
    int row = 0;
    int64_t found = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        found = db_col_i64(st, 0);
    db_done(st);
    if (rc)
        return rc;
    if (!found)
        return kam_fail(ctx->err, KAM_ENOTFOUND, "indicator", "no such line of the scorecard");
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT r.id, r.side, r.ref_kind, r.ref_id, r.day, r.account_id, r.value, "
                 "r.note, a.name FROM scorecard_records r LEFT JOIN accounts a ON a.id = "
                 "r.account_id WHERE r.scorecard_id = ? AND r.indicator_id = ?");
    sqlb_i64(&b, id);
    sqlb_i64(&b, indicator_id);
    if (q->side) {
        sqlb_sql(&b, " AND r.side = ?");
        sqlb_text(&b, q->side);
    }
    struct scorecard_record *items;
    const struct scorecard_record *last;
    size_t n;
    if ((rc = page_fetch(ctx, &b, &pg, "r.id", rec_row, sizeof *items, (void **)&items, &n,
                         (const void **)&last)))
        return rc;
    *next_out = last ? page_cursor(ctx, &pg, NULL, items[n - 1].id, items[n - 1].id) : NULL;
    *items_out = items;
    *n_out = n;
    return KAM_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int64_t scorecard_quantile(const int64_t *v, size_t n, int p)
{
    int64_t h = (int64_t)(n - 1) * p; /* hundredths of a position */
    int64_t lo = h / 100, frac = h % 100;
    if ((size_t)lo + 1 >= n)
        return v[n - 1];
    return v[lo] + appr_div_round((v[lo + 1] - v[lo]) * frac, 100);
}

enum kam_err scorecard_calibration(struct kam_ctx *ctx, int64_t scheme_id, const char *period,
                                   int64_t team_id, struct scorecard_calibration *out)
{
    memset(out, 0, sizeof *out);
    if (!scheme_id)
        return kam_fail_key(ctx->err, KAM_EINVAL, "scheme_id", "required",
                            (struct kam_param[]){{"field", "scheme_id"}, {0}},
                            "scheme_id is required");
    int64_t found = 0;
    struct scheme s;
    enum kam_err rc = scheme_get(ctx, scheme_id, &s);
    if (rc == KAM_ENOTFOUND) {
        kam_error_clear(ctx->err);
        return kam_fail(ctx->err, KAM_EINVAL, "scheme_id", "no such scheme");
    }
    if (rc)
        return rc;
    struct appr_period p;
    if (!period || appr_period_parse(period, s.period_kind, &p))
        return kam_fail_key(ctx->err, KAM_EINVAL, "period", "appraisal.bad_period",
                            (struct kam_param[]){{"kind", s.period_kind}, {0}},
                            "period: 2026Q3 for a quarterly scheme, 2026 for a yearly one");
    if (team_id) {
        rc = db_query_i64(ctx->db, "SELECT id FROM teams WHERE id = ?", 1, team_id, &found,
                          ctx->err);
        if (rc == KAM_ENOTFOUND) {
            kam_error_clear(ctx->err);
            return kam_fail(ctx->err, KAM_EINVAL, "team_id", "no such team");
        }
        if (rc)
            return rc;
    }
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_person_scope_with(ctx, OBJ_SCORECARD, &b);
    if (team_id) {
        sqlb_sql(&b, scoped ? ", " : "WITH RECURSIVE ");
        sqlb_sql(&b, POLICY_TEAM_TT "tq(uid) AS (SELECT uid FROM tp) ");
        sqlb_i64(&b, team_id);
    }
    sqlb_sql(&b, "SELECT " CCOLS CFROM " WHERE c.scheme_id = ? AND c.period_start = ? AND "
                 "c.period_end = ? AND c.score IS NOT NULL");
    sqlb_i64(&b, scheme_id);
    sqlb_text(&b, p.start);
    sqlb_text(&b, p.end);
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_PERSON_COND("c.user_id"));
    if (team_id)
        sqlb_sql(&b, " AND c.user_id IN (SELECT uid FROM tq)");
    sqlb_sql(&b, " ORDER BY c.score, c.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)) ||
        (rc = rows_collect(ctx, st, 5000, card_row, sizeof *out->items, (void **)&out->items,
                           &out->n_items)))
        return rc;
    out->scheme_id = scheme_id;
    out->team_id = team_id;
    out->period = p.key;
    out->n = (int64_t)out->n_items;
    if (!out->n_items)
        return KAM_OK;
    int64_t *v = arena_calloc(ctx->a, out->n_items, sizeof *v);
    int64_t sum = 0;
    for (size_t i = 0; i < out->n_items; i++) {
        v[i] = out->items[i].score;
        sum += v[i];
        int band = 0;
        for (int k = 0; k < SCORECARD_BANDS; k++)
            if (v[i] >= scorecard_band_from[k])
                band = k;
        out->band_n[band]++;
    }
    qsort(v, out->n_items, sizeof *v, cmp_i64);
    out->mean = appr_div_round(sum, out->n);
    out->min = v[0];
    out->max = v[out->n_items - 1];
    out->p10 = scorecard_quantile(v, out->n_items, 10);
    out->p25 = scorecard_quantile(v, out->n_items, 25);
    out->p50 = scorecard_quantile(v, out->n_items, 50);
    out->p75 = scorecard_quantile(v, out->n_items, 75);
    out->p90 = scorecard_quantile(v, out->n_items, 90);
    return KAM_OK;
}
