/* effect.c -- the training-effect report on Kirkpatrick's four levels and its statistics
 * (effect.h). */
#include "effect.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "course.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/check.h"
#include "svc/core/policy.h"
#include "svc/core/rows.h"

/* ---- statistics ---- */

/* The continued fraction of the incomplete beta function (modified Lentz). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15)
            break;
    }
    return h;
}

/* The regularized incomplete beta function I_x(a, b). */
static double betai(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
    if (x < (a + 1) / (a + b + 2))
        return bt * betacf(a, b, x) / a;
    return 1 - bt * betacf(b, a, 1 - x) / b;
}

double stat_t_cdf(double t, double df)
{
    double p = 0.5 * betai(df / 2, 0.5, df / (df + t * t));
    return t > 0 ? 1 - p : p;
}

double stat_t975(double df)
{
    if (!(df > 0))
        return NAN;
    if (df > 1e7)
        return 1.959963984540054;
    double lo = 0, hi = 16;
    while (stat_t_cdf(hi, df) < 0.975 && hi < 1e12)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
        double mid = (lo + hi) / 2;
        if (stat_t_cdf(mid, df) < 0.975)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

void stat_mean_ci(const double *x, int n, struct stat_mean *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n <= 0)
        return;
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    out->mean = s / n;
    if (n < 2)
        return;
    double ss = 0;
    for (int i = 0; i < n; i++)
        ss += (x[i] - out->mean) * (x[i] - out->mean);
    out->sd = sqrt(ss / (n - 1));
    double half = stat_t975(n - 1) * out->sd / sqrt((double)n);
    out->has_ci = 1;
    out->lo = out->mean - half;
    out->hi = out->mean + half;
}

static void mean_var(const double *x, int n, double *mean, double *var)
{
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    *mean = n > 0 ? s / n : 0;
    for (int i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *var = n > 1 ? ss / (n - 1) : 0;
}

void stat_did_welch(const double *dt, int nt, const double *dc, int nc, struct stat_did *out)
{
    memset(out, 0, sizeof *out);
    out->n_t = nt;
    out->n_c = nc;
    mean_var(dt, nt, &out->mean_t, &out->var_t);
    mean_var(dc, nc, &out->mean_c, &out->var_c);
    out->did = out->mean_t - out->mean_c;
    if (nt < 2 || nc < 2)
        return;
    double a = out->var_t / nt, b = out->var_c / nc;
    out->se = sqrt(a + b);
    out->has_ci = 1;
    if (out->se == 0) {
        out->df = nt + nc - 2;
        out->lo = out->hi = out->did;
        return;
    }
    out->df = (a + b) * (a + b) / (a * a / (nt - 1) + b * b / (nc - 1));
    double half = stat_t975(out->df) * out->se;
    out->lo = out->did - half;
    out->hi = out->did + half;
}

/* ---- the current level (competency.h's rule) ---- */

enum kam_err effect_level_of(struct kam_ctx *ctx, int64_t user_id, int64_t competency_id,
                             const char *on_day, double *level, int *has, int *n_scores)
{
    *level = 0;
    *has = 0;
    *n_scores = 0;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT s.level, a.kind, a.assessor_id FROM assessment_scores s JOIN "
        "competency_assessments a ON a.id = s.assessment_id WHERE a.user_id = ? AND "
        "s.competency_id = ? AND a.assessed_on <= ? ORDER BY CASE a.kind WHEN 'manager' THEN 0 "
        "ELSE 1 END, a.assessed_on DESC, a.id DESC",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_i64(st, 2, competency_id);
    db_bind_text(st, 3, on_day);
    int64_t seen[64];
    int nseen = 0, self_seen = 0, null_peer_seen = 0;
    double sum = 0;
    int n = 0;
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        int64_t lv = db_col_i64(st, 0);
        const char *kind = db_col_text(st, 1);
        if (!strcmp(kind, "manager")) {
            *level = (double)lv;
            *has = 1;
            *n_scores = 1;
            break;
        }
        if (!strcmp(kind, "self")) {
            if (self_seen)
                continue;
            self_seen = 1;
        } else if (db_col_is_null(st, 2)) {
            if (null_peer_seen)
                continue;
            null_peer_seen = 1;
        } else {
            int64_t who = db_col_i64(st, 2);
            int dup = 0;
            for (int i = 0; i < nseen; i++)
                dup |= seen[i] == who;
            if (dup || nseen == 64)
                continue;
            seen[nseen++] = who;
        }
        sum += (double)lv;
        n++;
    }
    db_done(st);
    if (!rc && !*has && n) {
        *level = sum / n;
        *has = 1;
        *n_scores = n;
    }
    return rc;
}

/* ---- the report ---- */

#define CHINA_OFFSET (8 * 3600)
#define EFFECT_ROWS_MAX 5000

static int month_index(const char *ymd)
{
    int y = 0, m = 0, d = 0;
    if (sscanf(ymd, "%d-%d-%d", &y, &m, &d) != 3)
        return 0;
    return y * 12 + (m - 1);
}

static int64_t month_first(int mi)
{
    return date_to_days(mi / 12, mi % 12 + 1, 1);
}

static const char *day_text(struct kam_ctx *ctx, int64_t days)
{
    int y, m, d;
    days_to_date(days, &y, &m, &d);
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

static int64_t day_of(const char *ymd)
{
    int y = 0, m = 0, d = 0;
    if (sscanf(ymd, "%d-%d-%d", &y, &m, &d) != 3)
        return 0;
    return date_to_days(y, m, d);
}

struct eff_row {
    int64_t user_id, session_id;
    const char *status, *starts_on, *ends_on, *role;
    int64_t pre, post, rating;
    int has_pre, has_post, has_rating;
};

static void eff_row_read(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct eff_row *r = row;
    memset(r, 0, sizeof *r);
    r->user_id = db_col_i64(st, 0);
    r->session_id = db_col_i64(st, 1);
    r->status = arena_strdup(ctx->a, db_col_text(st, 2));
    r->starts_on = arena_strdup(ctx->a, db_col_text(st, 3));
    r->ends_on = arena_strdup(ctx->a, db_col_text(st, 4));
    r->role = arena_strdup(ctx->a, db_col_text(st, 5));
    if ((r->has_pre = !db_col_is_null(st, 6)))
        r->pre = db_col_i64(st, 6);
    if ((r->has_post = !db_col_is_null(st, 7)))
        r->post = db_col_i64(st, 7);
    if ((r->has_rating = !db_col_is_null(st, 8)))
        r->rating = db_col_i64(st, 8);
}

static void id_read(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    (void)ctx;
    *(int64_t *)row = db_col_i64(st, 0);
}

/* The KPI (or behaviour count) of one person over days [d1, d2]. */
enum measure { M_REVENUE, M_VISITS, M_INTERACTIONS };

static enum kam_err measure(struct kam_ctx *ctx, enum measure m, int64_t user_id, int64_t d1,
                            int64_t d2, double *out)
{
    static const char *const sql[] = {
        [M_REVENUE] = "SELECT COALESCE(SUM(ol.amount_base), 0) FROM order_lines ol JOIN accounts "
                      "a ON a.id = ol.account_id WHERE a.owner_id = ? AND ol.day >= ? AND ol.day "
                      "<= ?",
        [M_VISITS] = "SELECT COUNT(*) FROM visits WHERE owner_id = ? AND status = 'done' AND "
                     "completed_at >= ? AND completed_at < ?",
        [M_INTERACTIONS] = "SELECT COUNT(*) FROM interactions WHERE user_id = ? AND occurred_at "
                           ">= ? AND occurred_at < ?",
    };
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql[m], &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    if (m == M_REVENUE) {
        db_bind_i64(st, 2, d1);
        db_bind_i64(st, 3, d2);
    } else {
        db_bind_i64(st, 2, d1 * 86400 - CHINA_OFFSET);
        db_bind_i64(st, 3, (d2 + 1) * 86400 - CHINA_OFFSET);
    }
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    *out = !rc && row ? (double)db_col_i64(st, 0) : 0;
    db_done(st);
    return rc;
}

/* The per-month change of one person over a session's windows: mean over the N months after
 * the month of ends_on minus the mean over the N months before the month of starts_on. */
static enum kam_err change_of(struct kam_ctx *ctx, enum measure m, int64_t user_id,
                              const char *starts_on, const char *ends_on, int months,
                              double *pre_out, double *post_out)
{
    int ms = month_index(starts_on), me = month_index(ends_on);
    double pre = 0, post = 0;
    enum kam_err rc = measure(ctx, m, user_id, month_first(ms - months), month_first(ms) - 1, &pre);
    if (!rc)
        rc = measure(ctx, m, user_id, month_first(me + 1), month_first(me + 1 + months) - 1, &post);
    *pre_out = pre / months;
    *post_out = post / months;
    return rc;
}

/* Whether the post window of a session ending on ends_on is over on day `today`. */
static int post_closed(const char *ends_on, int months, int64_t today)
{
    return today >= month_first(month_index(ends_on) + 1 + months);
}

struct window {
    int64_t session_id;
    const char *starts_on, *ends_on;
    int weight;
};

static void comp_read(struct kam_ctx *ctx, struct db_stmt *st, void *row)
{
    struct effect_competency *c = row;
    memset(c, 0, sizeof *c);
    c->competency_id = db_col_i64(st, 0);
    c->code = arena_strdup(ctx->a, db_col_text(st, 1));
}

static enum kam_err first_assessment_after(struct kam_ctx *ctx, int64_t user_id, int64_t comp,
                                           const char *day, const char **out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT MIN(a.assessed_on) FROM competency_assessments a JOIN "
                                 "assessment_scores s ON s.assessment_id = a.id WHERE a.user_id = "
                                 "? AND s.competency_id = ? AND a.assessed_on > ?",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, user_id);
    db_bind_i64(st, 2, comp);
    db_bind_text(st, 3, day);
    int row = 0;
    *out = NULL;
    rc = db_step(st, &row, ctx->err);
    if (!rc && row && !db_col_is_null(st, 0))
        *out = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    return rc;
}

static enum kam_err behaviour(struct kam_ctx *ctx, const struct eff_row *rows, size_t n, int months,
                              int64_t today, struct effect_report *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT cc.competency_id, k.code FROM course_competencies cc JOIN "
                                 "competencies k ON k.id = cc.competency_id WHERE cc.course_id = ? "
                                 "ORDER BY k.code",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, out->course_id);
    if ((rc = rows_collect(ctx, st, COURSE_COMPETENCIES_MAX, comp_read, sizeof *out->competencies,
                           (void **)&out->competencies, &out->n_competencies)))
        return rc;
    for (size_t c = 0; c < out->n_competencies; c++) {
        struct effect_competency *ec = &out->competencies[c];
        double sb = 0, sa = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(rows[i].status, "completed"))
                continue;
            const char *before_day = day_text(ctx, day_of(rows[i].starts_on) - 1), *after_day;
            double lb, la;
            int hb, ha, nb;
            if ((rc = effect_level_of(ctx, rows[i].user_id, ec->competency_id, before_day, &lb, &hb,
                                      &nb)))
                return rc;
            if (!hb)
                continue;
            if ((rc = first_assessment_after(ctx, rows[i].user_id, ec->competency_id,
                                             rows[i].ends_on, &after_day)))
                return rc;
            if (!after_day)
                continue;
            if ((rc = effect_level_of(ctx, rows[i].user_id, ec->competency_id, after_day, &la, &ha,
                                      &nb)))
                return rc;
            if (!ha)
                continue;
            ec->n++;
            sb += lb;
            sa += la;
        }
        if (ec->n) {
            ec->before = sb / ec->n;
            ec->after = sa / ec->n;
            ec->change = ec->after - ec->before;
        }
    }
    struct effect_rate *rates[2] = {&out->visits, &out->interactions};
    enum measure ms[2] = {M_VISITS, M_INTERACTIONS};
    for (int k = 0; k < 2; k++) {
        struct effect_rate *r = rates[k];
        double sb = 0, sa = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(rows[i].status, "completed") || !post_closed(rows[i].ends_on, months, today))
                continue;
            double pre, post;
            if ((rc = change_of(ctx, ms[k], rows[i].user_id, rows[i].starts_on, rows[i].ends_on,
                                months, &pre, &post)))
                return rc;
            r->n++;
            sb += pre;
            sa += post;
        }
        if (r->n) {
            r->before = sb / r->n;
            r->after = sa / r->n;
            r->change = r->after - r->before;
        }
    }
    return KAM_OK;
}

static enum kam_err results(struct kam_ctx *ctx, const struct eff_row *rows, size_t n, int months,
                            int64_t today, enum measure m, int scoped, struct effect_report *out)
{
    enum kam_err rc = KAM_OK;
    double *dt = arena_calloc(ctx->a, n + 1, sizeof *dt);
    int nt = 0;
    struct window *win = arena_calloc(ctx->a, n + 1, sizeof *win);
    int nw = 0;
    const char *roles[ROLE_COUNT + 1];
    int nroles = 0;
    double spre = 0, spost = 0;
    const char *span_from = NULL, *span_to = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].status, "completed"))
            continue;
        if (!post_closed(rows[i].ends_on, months, today)) {
            out->pending++;
            continue;
        }
        double pre, post;
        if ((rc = change_of(ctx, m, rows[i].user_id, rows[i].starts_on, rows[i].ends_on, months,
                            &pre, &post)))
            return rc;
        dt[nt++] = post - pre;
        spre += pre;
        spost += post;
        int w = 0;
        while (w < nw && win[w].session_id != rows[i].session_id)
            w++;
        if (w == nw)
            win[nw++] = (struct window){rows[i].session_id, rows[i].starts_on, rows[i].ends_on, 0};
        win[w].weight++;
        int r = 0;
        while (r < nroles && strcmp(roles[r], rows[i].role))
            r++;
        if (r == nroles && nroles < ROLE_COUNT)
            roles[nroles++] = rows[i].role;
        /* the span of all the windows compared */
        int64_t f0 = month_first(month_index(rows[i].starts_on) - months);
        int64_t f1 = month_first(month_index(rows[i].ends_on) + 1 + months) - 1;
        if (!span_from || day_of(span_from) > f0)
            span_from = day_text(ctx, f0);
        if (!span_to || day_of(span_to) < f1)
            span_to = day_text(ctx, f1);
    }
    if (nt) {
        out->pre_t = spre / nt;
        out->post_t = spost / nt;
    }
    /* comparable colleagues: same role as a trained person, active, never enrolled in the course */
    double *dc = NULL;
    int nc = 0;
    if (nroles) {
        struct sqlb b;
        sqlb_init(&b, ctx->a);
        int sc = scoped ? policy_person_scope_with(ctx, OBJ_TRAINING, &b) : 0;
        sqlb_sql(&b, "SELECT u.id FROM users u WHERE u.disabled = 0 AND u.role IN (");
        for (int r = 0; r < nroles; r++) {
            sqlb_sql(&b, r ? ", ?" : "?");
            sqlb_text(&b, roles[r]);
        }
        sqlb_sql(&b, ") AND u.id NOT IN (SELECT e.user_id FROM training_enrolments e JOIN "
                     "training_sessions s ON s.id = e.session_id WHERE s.course_id = ? OR "
                     "(e.status = 'completed' AND s.starts_on >= ? AND s.starts_on <= ?))");
        sqlb_i64(&b, out->course_id);
        sqlb_text(&b, span_from);
        sqlb_text(&b, span_to);
        if (sc)
            sqlb_sql(&b, " AND " POLICY_PERSON_COND("u.id"));
        sqlb_sql(&b, " ORDER BY u.id");
        struct db_stmt *st;
        int64_t *ids;
        size_t ni;
        if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)) ||
            (rc = rows_collect(ctx, st, EFFECT_ROWS_MAX, id_read, sizeof *ids, (void **)&ids, &ni)))
            return rc;
        dc = arena_calloc(ctx->a, ni + 1, sizeof *dc);
        double cpre = 0, cpost = 0;
        for (size_t j = 0; j < ni; j++) {
            double wsum = 0, ch = 0, p0 = 0, p1 = 0;
            for (int w = 0; w < nw; w++) {
                double pre, post;
                if ((rc = change_of(ctx, m, ids[j], win[w].starts_on, win[w].ends_on, months, &pre,
                                    &post)))
                    return rc;
                ch += win[w].weight * (post - pre);
                p0 += win[w].weight * pre;
                p1 += win[w].weight * post;
                wsum += win[w].weight;
            }
            dc[nc++] = ch / wsum;
            cpre += p0 / wsum;
            cpost += p1 / wsum;
        }
        if (nc) {
            out->pre_c = cpre / nc;
            out->post_c = cpost / nc;
        }
    }
    stat_did_welch(dt, nt, dc, nc, &out->did);
    out->status = "ok";
    if (nt < 2) {
        out->status = "not_enough_data";
        out->reason =
            out->pending && nt + out->pending >= 2 ? "post_window_open" : "too_few_trained";
    } else if (nc < 2) {
        out->status = "not_enough_data";
        out->reason = "too_few_control";
    }
    return KAM_OK;
}

enum kam_err effect_report(struct kam_ctx *ctx, int64_t course_id, const char *kpi, int64_t months,
                           struct effect_report *out)
{
    static const char *const kpis[] = {"revenue", "visits", NULL};
    memset(out, 0, sizeof *out);
    enum kam_err rc;
    if (kpi && (rc = check_enum(ctx, "kpi", kpi, kpis)))
        return rc;
    if (months && (rc = check_range(ctx, "months", months, 1, 12)))
        return rc;
    out->course_id = course_id;
    out->months = months ? (int)months : 3;
    out->kpi = kpi ? kpi : "revenue";
    struct course c;
    if ((rc = course_get(ctx, course_id, &c)))
        return rc;
    int scoped = policy_grant(ctx->who.role, OBJ_TRAINING, ACT_READ) != GRANT_ALL;
    out->scope = scoped ? "team" : "all";
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int sc = scoped ? policy_person_scope_with(ctx, OBJ_TRAINING, &b) : 0;
    sqlb_sql(&b, "SELECT e.user_id, e.session_id, e.status, s.starts_on, s.ends_on, u.role, "
                 "e.pre_score, e.post_score, e.feedback_rating FROM training_enrolments e JOIN "
                 "training_sessions s ON s.id = e.session_id JOIN users u ON u.id = e.user_id "
                 "WHERE s.course_id = ?");
    sqlb_i64(&b, course_id);
    if (sc)
        sqlb_sql(&b, " AND " POLICY_PERSON_COND("e.user_id"));
    sqlb_sql(&b, " ORDER BY e.id");
    struct db_stmt *st;
    struct eff_row *rows;
    size_t n;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)) ||
        (rc = rows_collect(ctx, st, EFFECT_ROWS_MAX, eff_row_read, sizeof *rows, (void **)&rows,
                           &n)))
        return rc;
    double *gains = arena_calloc(ctx->a, n + 1, sizeof *gains);
    int ng = 0;
    double spre = 0, spost = 0, srate = 0;
    for (size_t i = 0; i < n; i++) {
        const struct eff_row *r = &rows[i];
        if (!strcmp(r->status, "cancelled"))
            continue;
        out->enrolled++;
        if (!strcmp(r->status, "attended") || !strcmp(r->status, "completed"))
            out->attended++;
        if (!strcmp(r->status, "completed"))
            out->completed++;
        if (r->has_rating && r->rating >= 1 && r->rating <= 5) {
            out->reaction_n++;
            out->reaction_dist[r->rating - 1]++;
            srate += (double)r->rating;
        }
        if (r->has_pre && r->has_post) {
            gains[ng++] = (double)(r->post - r->pre);
            spre += (double)r->pre;
            spost += (double)r->post;
        }
    }
    if (out->reaction_n)
        out->reaction_mean = srate / out->reaction_n;
    stat_mean_ci(gains, ng, &out->learning);
    if (ng) {
        out->mean_pre = spre / ng;
        out->mean_post = spost / ng;
    }
    int64_t today = (ctx->now + CHINA_OFFSET) / 86400;
    if ((rc = behaviour(ctx, rows, n, out->months, today, out)))
        return rc;
    return results(ctx, rows, n, out->months, today,
                   !strcmp(out->kpi, "visits") ? M_VISITS : M_REVENUE, scoped, out);
}
