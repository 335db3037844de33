/* indicator.c -- appraisal indicators computed from the records, the scoring curve, the
 * weights (indicator.h). */
#include "indicator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/home.h"

const char *const appr_indicator_kinds[] = {"volume_attainment",
                                            "growth",
                                            "share_of_wallet",
                                            "satisfaction",
                                            "visits_vs_cadence",
                                            "interactions",
                                            "issue_sla",
                                            "follow_ups_closed",
                                            "breaches_disputes",
                                            "training_completed",
                                            "manual",
                                            NULL};

int64_t appr_div_round(int64_t num, int64_t den)
{
    if (den < 0) {
        num = -num;
        den = -den;
    }
    if (num >= 0)
        return (num + den / 2) / den;
    return -((-num + den / 2) / den);
}

static int64_t curve_up(int64_t a, int64_t thr, int64_t tgt, int64_t str, int64_t cap)
{
    if (a < thr)
        return 0;
    if (a >= tgt) {
        if (str <= tgt)
            return 10000;
        if (a >= str)
            return cap;
        return 10000 + appr_div_round((cap - 10000) * (a - tgt), str - tgt);
    }
    return 5000 + appr_div_round(5000 * (a - thr), tgt - thr);
}

int64_t appr_curve_score(const struct appr_curve *c, int64_t actual)
{
    if (c->lower_better)
        return curve_up(-actual, -c->threshold, -c->target, -c->stretch, c->cap_score);
    return curve_up(actual, c->threshold, c->target, c->stretch, c->cap_score);
}

enum kam_err appr_curve_check(struct kam_ctx *ctx, const char *field, const struct appr_curve *c)
{
    const struct {
        const char *name;
        int64_t v;
    } vals[] = {{"threshold", c->threshold}, {"target", c->target}, {"stretch", c->stretch}};
    for (size_t i = 0; i < 3; i++)
        if (vals[i].v < -APPR_VALUE_MAX || vals[i].v > APPR_VALUE_MAX)
            return kam_fail(ctx->err, KAM_EINVAL,
                            arena_printf(ctx->a, "%s.%s", field, vals[i].name),
                            "%s.%s must be within +-10^12", field, vals[i].name);
    if (c->cap_score < APPR_CAP_MIN || c->cap_score > APPR_CAP_MAX)
        return kam_fail(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.cap_score", field),
                        "%s.cap_score must be 10000..30000 (hundredths)", field);
    int ok = c->lower_better ? c->threshold >= c->target && c->target >= c->stretch
                             : c->threshold <= c->target && c->target <= c->stretch;
    if (!ok)
        return kam_fail_key(ctx->err, KAM_EINVAL, arena_printf(ctx->a, "%s.target", field),
                            "appraisal.curve_order", NULL,
                            "%s: threshold, target and stretch must be in order (%s is better)",
                            field, c->lower_better ? "lower" : "higher");
    return KAM_OK;
}

static int64_t month_end_day(int y, int m)
{
    int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
    return date_to_days(ny, nm, 1) - 1;
}

int appr_period_parse(const char *s, const char *kind, struct appr_period *out)
{
    memset(out, 0, sizeof *out);
    if (!s || strlen(s) < 4 || strlen(s) > 6)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int y = atoi((char[5]){s[0], s[1], s[2], s[3], 0});
    if (y < 1970 || y > 9998)
        return -1;
    if (!strcmp(kind, "year")) {
        if (s[4])
            return -1;
        out->m0 = 1;
        out->m1 = 12;
    } else {
        if (s[4] != 'Q' || s[5] < '1' || s[5] > '4' || s[6])
            return -1;
        out->m0 = (s[5] - '0') * 3 - 2;
        out->m1 = out->m0 + 2;
    }
    out->key = s;
    out->year = y;
    out->d0 = date_to_days(y, out->m0, 1);
    out->d1 = month_end_day(y, out->m1);
    out->ly0 = date_to_days(y - 1, out->m0, 1);
    out->ly1 = month_end_day(y - 1, out->m1);
    snprintf(out->start, sizeof out->start, "%04d-%02d-01", y, out->m0);
    int ey, em, ed;
    days_to_date(out->d1, &ey, &em, &ed);
    snprintf(out->end, sizeof out->end, "%04d-%02d-%02d", ey, em, ed);
    return 0;
}

/* ---- records ---- */

struct side_sum {
    int64_t n, sum;
};

/* Runs "INSERT INTO scorecard_records ... SELECT" over the select in b (its columns: ref_kind,
 * ref_id, day, account_id, value, note), whose binds b already holds after the three of the
 * head (scorecard, indicator, side) -- so the caller starts b with head_sql() first. */
static void head_sql(struct sqlb *b, int64_t sc, int64_t ind, const char *side)
{
    sqlb_sql(b, "INSERT INTO scorecard_records (scorecard_id, indicator_id, side, ref_kind, "
                "ref_id, day, account_id, value, note) SELECT CAST(? AS BIGINT), CAST(? AS "
                "BIGINT), CAST(? AS TEXT), x.k, x.rid, x.d, x.acc, x.v, x.note FROM (");
    sqlb_i64(b, sc);
    sqlb_i64(b, ind);
    sqlb_text(b, side);
}

static enum kam_err run_insert(struct kam_ctx *ctx, struct sqlb *b)
{
    sqlb_sql(b, ") x");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(b, ctx->db, &st, ctx->err);
    if (!rc) {
        rc = db_run(st, ctx->err);
    }
    return rc;
}

static enum kam_err side_total(struct kam_ctx *ctx, int64_t sc, int64_t ind, const char *side,
                               const char *extra, struct side_sum *out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT COUNT(*), COALESCE(SUM(value), 0) FROM scorecard_records WHERE "
                 "scorecard_id = ? AND indicator_id = ? AND side = ?");
    sqlb_i64(&b, sc);
    sqlb_i64(&b, ind);
    sqlb_text(&b, side);
    if (extra)
        sqlb_sql(&b, extra);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    memset(out, 0, sizeof *out);
    if (!(rc = db_step(st, &row, ctx->err)) && row) {
        out->n = db_col_i64(st, 0);
        out->sum = db_col_i64(st, 1);
    }
    db_done(st);
    return rc;
}

/* The SELECT of one kind of records. */
enum src {
    SRC_ORDERS,      /* order lines of the accounts the person owns, days d0..d1 */
    SRC_ORDERS_W,    /* the same, of the accounts with a wallet estimate of the year */
    SRC_TARGETS,     /* the target cells of the person in the plan (bind: plan) */
    SRC_WALLET,      /* wallet estimates of the year of the accounts they own */
    SRC_NPS,         /* NPS answers of responses of their accounts */
    SRC_VISITS_DUE,  /* their visits planned in the period and not cancelled */
    SRC_VISITS_DONE, /* of them the done ones */
    SRC_INTERACTIONS,
    SRC_ISSUES,
    SRC_ISSUES_SLA,
    SRC_FOLLOW_UPS,
    SRC_FOLLOW_UPS_CLOSED,
    SRC_BREACHES_BAD,
    SRC_DISPUTES_LOST,
    SRC_BREACHES_CURED,
    SRC_DISPUTES_WON,
    SRC_TRAINING,
};

struct range {
    int64_t d0, d1;      /* days, inclusive */
    const char *s0, *s1; /* the same as dates (disputes' closed_on) */
};

/* A target cell of the person (binds: user twice): the plan's cell of them as owner (a plan
 * split by owner), or of an account they own (a plan split by account, not by owner) -- the
 * rule of the KPIs by account manager (svc/volume/kpi.c). */
#define PERSON_CELL                                                                                \
    "(c.owner_id = ? OR (c.owner_id = 0 AND c.account_id > 0 AND c.account_id IN (SELECT "         \
    "pa.id FROM accounts pa WHERE pa.owner_id = ?)))"

static enum kam_err records(struct kam_ctx *ctx, int64_t sc, int64_t ind, const char *side,
                            enum src s, int64_t user, const struct range *r, int64_t extra,
                            const struct appr_period *p)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    head_sql(&b, sc, ind, side);
    /* days are China's (UTC+8, HOME_TZ_OFFSET), like every day of the product */
    int64_t t0 = r->d0 * 86400 - HOME_TZ_OFFSET, t1 = (r->d1 + 1) * 86400 - HOME_TZ_OFFSET;
    switch (s) {
    case SRC_ORDERS:
    case SRC_ORDERS_W:
        sqlb_sql(&b, "SELECT 'order_line' AS k, o.id AS rid, o.day AS d, o.account_id AS acc, "
                     "o.amount_base AS v, '' AS note FROM order_lines o JOIN accounts a ON a.id "
                     "= o.account_id WHERE a.owner_id = ? AND o.day >= ? AND o.day <= ?");
        sqlb_i64(&b, user);
        sqlb_i64(&b, r->d0);
        sqlb_i64(&b, r->d1);
        if (s == SRC_ORDERS_W) {
            sqlb_sql(&b, " AND o.account_id IN (SELECT account_id FROM wallet_estimates WHERE "
                         "year = ? AND amount > 0)");
            sqlb_i64(&b, p->year);
        }
        break;
    case SRC_TARGETS:
        /* A plan not split by month has one cell of the year (month 0): a quarter takes the
         * months' share of it, rounded half up. Targets are whole units: x 100 minor units. */
        sqlb_sql(&b, "SELECT 'target_cell' AS k, c.id AS rid, CAST(NULL AS BIGINT) AS d, "
                     "NULLIF(c.account_id, 0) AS acc, CASE WHEN c.month = 0 THEN (c.value * 100 "
                     "* ? + 6) / 12 ELSE c.value * 100 END AS v, '' AS note FROM target_cells c "
                     "WHERE c.plan_id = ? AND " PERSON_CELL " AND (c.month = 0 OR (c.month >= ? "
                     "AND c.month <= ?))");
        sqlb_i64(&b, p->m1 - p->m0 + 1);
        sqlb_i64(&b, extra);
        sqlb_i64(&b, user);
        sqlb_i64(&b, user);
        sqlb_i64(&b, p->m0);
        sqlb_i64(&b, p->m1);
        break;
    case SRC_WALLET:
        sqlb_sql(&b, "SELECT 'wallet_estimate' AS k, w.account_id AS rid, CAST(NULL AS BIGINT) "
                     "AS d, w.account_id AS acc, w.amount AS v, '' AS note FROM wallet_estimates "
                     "w JOIN accounts a ON a.id = w.account_id WHERE a.owner_id = ? AND w.year = "
                     "? AND w.amount > 0");
        sqlb_i64(&b, user);
        sqlb_i64(&b, p->year);
        break;
    case SRC_NPS:
        sqlb_sql(
            &b,
            "SELECT 'survey_response' AS k, r.id AS rid, (r.submitted_at + 28800) / 86400 AS d, "
            "r.account_id AS acc, MIN(an.value) AS v, '' AS note FROM survey_responses "
            "r JOIN survey_answers an ON an.response_id = r.id JOIN survey_questions q "
            "ON q.id = an.question_id JOIN accounts a ON a.id = r.account_id WHERE "
            "q.kind = 'nps' AND an.value IS NOT NULL AND a.owner_id = ? AND "
            "r.submitted_at >= ? AND r.submitted_at < ? GROUP BY r.id, r.submitted_at, "
            "r.account_id");
        sqlb_i64(&b, user);
        sqlb_i64(&b, t0);
        sqlb_i64(&b, t1);
        break;
    case SRC_VISITS_DUE:
    case SRC_VISITS_DONE:
        sqlb_sql(
            &b,
            "SELECT 'visit' AS k, v.id AS rid, (v.planned_at + 28800) / 86400 AS d, v.account_id "
            "AS acc, 1 AS v, v.status AS note FROM visits v WHERE v.owner_id = ? AND "
            "v.status <> 'cancelled' AND v.planned_at >= ? AND v.planned_at < ?");
        if (s == SRC_VISITS_DONE)
            sqlb_sql(&b, " AND v.status = 'done'");
        sqlb_i64(&b, user);
        sqlb_i64(&b, t0);
        sqlb_i64(&b, t1);
        break;
    case SRC_INTERACTIONS:
        sqlb_sql(&b,
                 "SELECT 'interaction' AS k, i.id AS rid, (i.occurred_at + 28800) / 86400 AS d, "
                 "i.account_id AS acc, 1 AS v, i.kind AS note FROM interactions i WHERE "
                 "i.user_id = ? AND i.occurred_at >= ? AND i.occurred_at < ?");
        sqlb_i64(&b, user);
        sqlb_i64(&b, t0);
        sqlb_i64(&b, t1);
        break;
    case SRC_ISSUES:
    case SRC_ISSUES_SLA:
        sqlb_sql(
            &b,
            "SELECT 'issue' AS k, i.id AS rid, (i.reported_at + 28800) / 86400 AS d, i.account_id "
            "AS acc, 1 AS v, i.status AS note FROM issues i JOIN accounts a ON a.id = "
            "i.account_id WHERE a.owner_id = ? AND i.reported_at >= ? AND i.reported_at "
            "< ?");
        if (s == SRC_ISSUES_SLA)
            sqlb_sql(&b, " AND i.first_response_at IS NOT NULL AND i.first_response_at <= "
                         "i.response_due_at");
        sqlb_i64(&b, user);
        sqlb_i64(&b, t0);
        sqlb_i64(&b, t1);
        break;
    case SRC_FOLLOW_UPS:
    case SRC_FOLLOW_UPS_CLOSED:
        sqlb_sql(&b, "SELECT 'follow_up' AS k, f.id AS rid, (f.created_at + 28800) / 86400 AS d, "
                     "f.account_id AS acc, 1 AS v, f.status AS note FROM follow_ups f WHERE "
                     "f.owner_id = ? AND f.status <> 'dropped' AND f.created_at >= ? AND "
                     "f.created_at < ?");
        if (s == SRC_FOLLOW_UPS_CLOSED)
            sqlb_sql(&b, " AND f.status IN ('resolved', 'confirmed')");
        sqlb_i64(&b, user);
        sqlb_i64(&b, t0);
        sqlb_i64(&b, t1);
        break;
    case SRC_BREACHES_BAD:
    case SRC_BREACHES_CURED:
        sqlb_sql(&b, "SELECT 'breach' AS k, x.id AS rid, (x.detected_at + 28800) / 86400 AS d, "
                     "x.account_id AS acc, 1 AS v, x.status AS note FROM contract_breaches x "
                     "JOIN accounts a ON a.id = x.account_id WHERE a.owner_id = ? AND x.side = "
                     "'ours' AND x.detected_at >= ? AND x.detected_at < ?");
        sqlb_sql(&b, s == SRC_BREACHES_BAD ? " AND x.status IN ('confirmed', 'action')"
                                           : " AND x.status = 'cured'");
        sqlb_i64(&b, user);
        sqlb_i64(&b, t0);
        sqlb_i64(&b, t1);
        break;
    case SRC_DISPUTES_LOST:
    case SRC_DISPUTES_WON:
        sqlb_sql(&b, "SELECT 'dispute' AS k, x.id AS rid, CAST(NULL AS BIGINT) AS d, "
                     "x.account_id AS acc, 1 AS v, x.closed_on AS note FROM disputes x JOIN "
                     "accounts a ON a.id = x.account_id WHERE a.owner_id = ? AND x.closed_on >= ? "
                     "AND x.closed_on <= ?");
        sqlb_sql(&b, s == SRC_DISPUTES_LOST ? " AND x.outcome = 'lost'" : " AND x.outcome = 'won'");
        sqlb_i64(&b, user);
        sqlb_text(&b, r->s0);
        sqlb_text(&b, r->s1);
        break;
    case SRC_TRAINING:
        sqlb_sql(&b, "SELECT 'enrolment' AS k, e.id AS rid, (e.completed_at + 28800) / 86400 AS d, "
                     "CAST(NULL AS BIGINT) AS acc, 1 AS v, '' AS note FROM training_enrolments e "
                     "WHERE e.user_id = ? AND e.status = 'completed' AND e.completed_at >= ? AND "
                     "e.completed_at < ?");
        sqlb_i64(&b, user);
        sqlb_i64(&b, t0);
        sqlb_i64(&b, t1);
        break;
    }
    return run_insert(ctx, &b);
}

static const char *money(struct kam_ctx *ctx, int64_t v)
{
    int64_t a = v < 0 ? -v : v;
    return arena_printf(ctx->a, "%s%lld.%02lld", v < 0 ? "-" : "", (long long)(a / 100),
                        (long long)(a % 100));
}

static const char *pct(struct kam_ctx *ctx, int64_t bp)
{
    return money(ctx, bp); /* basis points as a percentage with two decimals */
}

static void set_actual(struct appr_line *l, int64_t v)
{
    l->has_actual = 1;
    l->actual = v;
}

static void set_mb(struct appr_line *l, int64_t m, int has_b, int64_t b)
{
    l->has_measured = 1;
    l->measured = m;
    l->has_basis = has_b;
    l->basis = has_b ? b : 0;
}

/* The latest approved amount plan of the year with cells of the person (0: none). */
static enum kam_err person_plan(struct kam_ctx *ctx, int64_t user, int year, int64_t *plan)
{
    struct db_stmt *st;
    enum kam_err rc =
        db_prepare(ctx->db,
                   "SELECT MAX(p.id) FROM target_plans p WHERE p.year = ? AND "
                   "p.status = 'approved' AND p.measure = 'amount' AND EXISTS "
                   "(SELECT 1 FROM target_cells c WHERE c.plan_id = p.id AND " PERSON_CELL ")",
                   &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, year);
    db_bind_i64(st, 2, user);
    db_bind_i64(st, 3, user);
    int row = 0;
    *plan = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row && !db_col_is_null(st, 0))
        *plan = db_col_i64(st, 0);
    db_done(st);
    return rc;
}

enum kam_err appr_indicator_compute(struct kam_ctx *ctx, int64_t sc, int64_t user,
                                    const struct appr_period *p, struct appr_line *l)
{
    int64_t ind = l->indicator_id;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db, "DELETE FROM scorecard_records WHERE scorecard_id = ? AND indicator_id = ?", &st,
        ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, sc);
    db_bind_i64(st, 2, ind);
    if ((rc = db_run(st, ctx->err)))
        return rc;
    struct range cur = {p->d0, p->d1, p->start, p->end};
    char ls0[32], ls1[32];
    snprintf(ls0, sizeof ls0, "%04d%s", p->year - 1, p->start + 4);
    int ly, lm, ld;
    days_to_date(p->ly1, &ly, &lm, &ld);
    snprintf(ls1, sizeof ls1, "%04d-%02d-%02d", ly, lm, ld);
    struct range last = {p->ly0, p->ly1, ls0, ls1};
    struct side_sum a = {0}, b = {0}, w = {0};
    l->has_measured = l->has_basis = l->has_attainment = 0;
    l->why = NULL;
    l->explanation = "";
    l->facts = "{}";
    const char *k = l->kind;
    if (!strcmp(k, "manual")) {
        if (!l->has_actual) {
            l->why = "not_assessed";
            l->explanation = "not assessed yet by the manager";
        } else {
            set_mb(l, l->actual, 0, 0);
            l->explanation =
                arena_printf(ctx->a, "assessed by the manager: %lld", (long long)l->actual);
        }
    } else if (!strcmp(k, "volume_attainment")) {
        int64_t plan = 0;
        l->has_actual = 0;
        if ((rc = records(ctx, sc, ind, "actual", SRC_ORDERS, user, &cur, 0, p)) ||
            (rc = side_total(ctx, sc, ind, "actual", NULL, &a)) ||
            (rc = person_plan(ctx, user, p->year, &plan)))
            return rc;
        if (plan && ((rc = records(ctx, sc, ind, "basis", SRC_TARGETS, user, &cur, plan, p)) ||
                     (rc = side_total(ctx, sc, ind, "basis", NULL, &b))))
            return rc;
        set_mb(l, a.sum, plan != 0, b.sum);
        l->facts = plan ? arena_printf(ctx->a, "{\"order_lines\":%lld,\"plan_id\":%lld}",
                                       (long long)a.n, (long long)plan)
                        : arena_printf(ctx->a, "{\"order_lines\":%lld}", (long long)a.n);
        if (b.sum > 0) {
            set_actual(l, appr_div_round(a.sum * 10000, b.sum));
            l->explanation = arena_printf(
                ctx->a, "sales %s on %lld order lines against the target %s of plan %lld: %s %%",
                money(ctx, a.sum), (long long)a.n, money(ctx, b.sum), (long long)plan,
                pct(ctx, l->actual));
        } else {
            l->why = "no_target";
            l->explanation = arena_printf(ctx->a,
                                          "sales %s on %lld order lines; no approved target of "
                                          "the person for the period",
                                          money(ctx, a.sum), (long long)a.n);
        }
    } else if (!strcmp(k, "growth") || !strcmp(k, "share_of_wallet")) {
        int sow = !strcmp(k, "share_of_wallet");
        l->has_actual = 0;
        enum src s = sow ? SRC_ORDERS_W : SRC_ORDERS;
        if ((rc = records(ctx, sc, ind, "actual", s, user, &cur, 0, p)) ||
            (rc = records(ctx, sc, ind, "basis", s, user, &last, 0, p)) ||
            (rc = side_total(ctx, sc, ind, "actual", NULL, &a)) ||
            (rc = side_total(ctx, sc, ind, "basis", NULL, &b)))
            return rc;
        if (sow && ((rc = records(ctx, sc, ind, "wallet", SRC_WALLET, user, &cur, 0, p)) ||
                    (rc = side_total(ctx, sc, ind, "wallet", NULL, &w))))
            return rc;
        set_mb(l, a.sum, 1, b.sum);
        int64_t months = p->m1 - p->m0 + 1;
        if (!sow && b.sum > 0) {
            set_actual(l, appr_div_round((a.sum - b.sum) * 10000, b.sum));
            l->explanation =
                arena_printf(ctx->a, "sales %s against %s in the same months a year before: %s %%",
                             money(ctx, a.sum), money(ctx, b.sum), pct(ctx, l->actual));
        } else if (sow && w.sum > 0) {
            /* the change in share of wallet, in basis points of the period's wallet (the
             * year's estimate x months / 12) */
            set_actual(l, appr_div_round((a.sum - b.sum) * 10000 * 12, w.sum * months));
            l->facts = arena_printf(ctx->a, "{\"accounts\":%lld}", (long long)w.n);
            l->explanation = arena_printf(
                ctx->a,
                "sales %s against %s a year before on %lld accounts with a wallet of %s for the "
                "year: share of wallet changed by %s points",
                money(ctx, a.sum), money(ctx, b.sum), (long long)w.n, money(ctx, w.sum),
                pct(ctx, l->actual));
        } else {
            l->why = sow ? "no_wallet_estimate" : "no_sales_last_year";
            l->explanation = sow ? "no data: no wallet estimate of the year for the accounts "
                                   "the person owns"
                                 : "no data: no sales in the same months a year before";
        }
    } else if (!strcmp(k, "satisfaction")) {
        struct side_sum pro, det;
        l->has_actual = 0;
        if ((rc = records(ctx, sc, ind, "actual", SRC_NPS, user, &cur, 0, p)) ||
            (rc = side_total(ctx, sc, ind, "actual", NULL, &a)) ||
            (rc = side_total(ctx, sc, ind, "actual", " AND value >= 9", &pro)) ||
            (rc = side_total(ctx, sc, ind, "actual", " AND value <= 6", &det)))
            return rc;
        set_mb(l, pro.n - det.n, 1, a.n);
        l->facts = arena_printf(ctx->a, "{\"promoters\":%lld,\"detractors\":%lld}",
                                (long long)pro.n, (long long)det.n);
        if (a.n > 0) {
            set_actual(l, appr_div_round((pro.n - det.n) * 10000, a.n));
            l->explanation = arena_printf(ctx->a,
                                          "NPS %s of %lld responses: %lld promoters, %lld "
                                          "detractors",
                                          money(ctx, l->actual), (long long)a.n, (long long)pro.n,
                                          (long long)det.n);
        } else {
            l->why = "no_responses";
            l->explanation = "no data: no NPS answer of the accounts the person owns";
        }
    } else if (!strcmp(k, "visits_vs_cadence") || !strcmp(k, "issue_sla") ||
               !strcmp(k, "follow_ups_closed")) {
        enum src sb, sa;
        const char *what, *why;
        if (k[0] == 'v') {
            sb = SRC_VISITS_DUE, sa = SRC_VISITS_DONE, what = "visits due were done";
            why = "nothing_due";
        } else if (k[0] == 'i') {
            sb = SRC_ISSUES, sa = SRC_ISSUES_SLA, what = "issues were answered within the SLA";
            why = "no_issues";
        } else {
            sb = SRC_FOLLOW_UPS, sa = SRC_FOLLOW_UPS_CLOSED, what = "follow-ups were closed";
            why = "no_follow_ups";
        }
        l->has_actual = 0;
        if ((rc = records(ctx, sc, ind, "basis", sb, user, &cur, 0, p)) ||
            (rc = records(ctx, sc, ind, "actual", sa, user, &cur, 0, p)) ||
            (rc = side_total(ctx, sc, ind, "actual", NULL, &a)) ||
            (rc = side_total(ctx, sc, ind, "basis", NULL, &b)))
            return rc;
        set_mb(l, a.n, 1, b.n);
        if (b.n > 0) {
            set_actual(l, appr_div_round(a.n * 10000, b.n));
            l->explanation = arena_printf(ctx->a, "%lld of %lld %s: %s %%", (long long)a.n,
                                          (long long)b.n, what, pct(ctx, l->actual));
        } else {
            l->why = why;
            l->explanation = "no data: nothing to count in the period";
        }
    } else if (!strcmp(k, "interactions") || !strcmp(k, "training_completed")) {
        int tr = k[0] == 't';
        if ((rc = records(ctx, sc, ind, "actual", tr ? SRC_TRAINING : SRC_INTERACTIONS, user, &cur,
                          0, p)) ||
            (rc = side_total(ctx, sc, ind, "actual", NULL, &a)))
            return rc;
        set_mb(l, a.n, 0, 0);
        set_actual(l, a.n);
        l->explanation = arena_printf(
            ctx->a, tr ? "%lld trainings completed" : "%lld interactions recorded", (long long)a.n);
    } else if (!strcmp(k, "breaches_disputes")) {
        struct side_sum info;
        if ((rc = records(ctx, sc, ind, "actual", SRC_BREACHES_BAD, user, &cur, 0, p)) ||
            (rc = records(ctx, sc, ind, "actual", SRC_DISPUTES_LOST, user, &cur, 0, p)) ||
            (rc = records(ctx, sc, ind, "info", SRC_BREACHES_CURED, user, &cur, 0, p)) ||
            (rc = records(ctx, sc, ind, "info", SRC_DISPUTES_WON, user, &cur, 0, p)) ||
            (rc = side_total(ctx, sc, ind, "actual", NULL, &a)) ||
            (rc = side_total(ctx, sc, ind, "info", NULL, &info)))
            return rc;
        set_mb(l, a.n, 0, 0);
        set_actual(l, a.n);
        l->facts = arena_printf(ctx->a, "{\"cured_or_won\":%lld}", (long long)info.n);
        l->explanation = arena_printf(ctx->a,
                                      "%lld breaches confirmed or disputes lost on the accounts "
                                      "the person owns (%lld cured or won, not counted)",
                                      (long long)a.n, (long long)info.n);
    } else {
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "unknown indicator kind %s", k);
    }
    if (l->has_actual && l->curve.target != 0) {
        l->has_attainment = 1;
        l->attainment_bp = appr_div_round(l->actual * 10000, l->curve.target);
    }
    return KAM_OK;
}

void appr_score_lines(struct appr_line *l, size_t n, int64_t *total, int *has_total)
{
    int64_t wsum = 0, acc = 0;
    for (size_t i = 0; i < n; i++) {
        l[i].has_score = l[i].has_actual;
        l[i].score = l[i].has_actual ? appr_curve_score(&l[i].curve, l[i].actual) : 0;
        if (l[i].has_score) {
            wsum += l[i].weight_bp;
            acc += l[i].weight_bp * l[i].score;
        }
    }
    for (size_t i = 0; i < n; i++) {
        l[i].has_weighted = l[i].has_score && wsum > 0;
        l[i].weighted = l[i].has_weighted ? appr_div_round(l[i].weight_bp * l[i].score, wsum) : 0;
    }
    *has_total = wsum > 0;
    *total = wsum > 0 ? appr_div_round(acc, wsum) : 0;
}
