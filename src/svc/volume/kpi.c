/* kpi.c -- KPIs: actual, target, attainment, projections, share of wallet, alerts. */
#include "kpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/timeutil.h"
#include "growth.h"
#include "outlook.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/group.h"
#include "svc/core/notify.h"
#include "svc/core/policy.h"
#include "svc/core/settings.h"

int kpi_period_parse(const char *s, struct kpi_period *out)
{
    memset(out, 0, sizeof *out);
    if (!s || strlen(s) < 4)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int y = atoi(s), mf, mt;
    if (y < 2000 || y > 2100)
        return -1;
    if (!s[4]) {
        mf = 1, mt = 12;
    } else if (s[4] == '-' && s[5] == 'Q' && s[6] >= '1' && s[6] <= '4' && !s[7]) {
        mf = (s[6] - '1') * 3 + 1;
        mt = mf + 2;
    } else if (s[4] == '-' && strlen(s) == 7 && s[5] >= '0' && s[5] <= '1' && s[6] >= '0' &&
               s[6] <= '9') {
        mf = mt = atoi(s + 5);
        if (mf < 1 || mf > 12)
            return -1;
    } else {
        return -1;
    }
    out->from = y * 100 + mf;
    out->to = y * 100 + mt;
    int64_t start = date_to_days(y, mf, 1);
    int64_t end = mt == 12 ? date_to_days(y + 1, 1, 1) : date_to_days(y, mt + 1, 1);
    out->days = end - start;
    return 0;
}

static const char *target_col(enum volume_dim by)
{
    switch (by) {
    case VD_FAMILY:
        return "c.family";
    case VD_REGION:
        return "c.region";
    case VD_CHANNEL:
        return "c.channel";
    case VD_ACCOUNT:
        return "CAST(c.account_id AS TEXT)";
    case VD_MONTH:
        return "CAST(c.month AS TEXT)";
    default:
        return "''";
    }
}

static unsigned target_bit(enum volume_dim by)
{
    switch (by) {
    case VD_FAMILY:
        return TD_FAMILY;
    case VD_REGION:
        return TD_REGION;
    case VD_CHANNEL:
        return TD_CHANNEL;
    case VD_ACCOUNT:
        return TD_ACCOUNT;
    case VD_MONTH:
        return TD_MONTH;
    default:
        return 0;
    }
}

/* Targets per key for the period's months (whole units). Keys the plan does not split by get
 * none; a plan not split by month is prorated by months. */
struct tkey {
    const char *key;
    int64_t v;
};

/* col: the cells' key column ("''": the total); bit: the plan dim(s) it needs (0: none). */
static enum kam_err targets_of(struct kam_ctx *ctx, const struct target_plan *p,
                               const struct volume_sel *sel, const char *col, unsigned bit,
                               const struct kpi_period *per, struct tkey **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    int keyed = strcmp(col, "''") != 0;
    if (bit && !(p->dims & bit))
        return KAM_OK;
    int mf = per->from % 100, mt = per->to % 100;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT %s, SUM(c.value) FROM target_cells c WHERE c.plan_id = ?",
             col);
    sqlb_sql(&b, sql);
    sqlb_i64(&b, p->id);
    if (p->dims & TD_MONTH) {
        sqlb_sql(&b, " AND c.month >= ? AND c.month <= ?");
        sqlb_i64(&b, mf);
        sqlb_i64(&b, mt);
    }
    const char *const f[][2] = {{" AND c.family = ?", sel->family},
                                {" AND c.region = ?", sel->region},
                                {" AND c.channel = ?", sel->channel}};
    const unsigned fb[] = {TD_FAMILY, TD_REGION, TD_CHANNEL};
    const char *const scope[] = {p->scope_family, p->scope_region, p->scope_channel};
    for (int i = 0; i < 3; i++)
        if (f[i][1]) {
            if (!(p->dims & fb[i])) {
                if (!strcmp(f[i][1], scope[i]))
                    continue;  /* the plan's own scope: all of its cells */
                return KAM_OK; /* the plan has no target for that selection */
            }
            sqlb_sql(&b, f[i][0]);
            sqlb_text(&b, f[i][1]);
        }
    if (sel->account_id) {
        if (!(p->dims & TD_ACCOUNT))
            return KAM_OK;
        /* With subsidiaries: the group's accounts' cells (those the caller may not read are
         * left out below, as their sales are). */
        sqlb_sql(&b, sel->subsidiaries ? " AND c.account_id IN " GROUP_IDS_SQL
                                       : " AND c.account_id = ?");
        sqlb_i64(&b, sel->account_id);
    }
    /* Company-level cells (no account dim) are for everyone who reads the plan; of a plan by
     * owner or team, a scoped caller's targets are the cells of their people and teams (as the
     * grid's), not the company's. */
    if (scoped && (p->dims & TD_ACCOUNT))
        sqlb_sql(&b,
                 " AND c.account_id IN (SELECT accounts.id FROM accounts WHERE " POLICY_SCOPE_COND
                 ")");
    if (scoped && (p->dims & (TD_OWNER | TD_TEAM)))
        sqlb_sql(&b, " AND " TARGET_CELL_PEOPLE_COND);
    if (keyed) {
        snprintf(sql, sizeof sql, " GROUP BY %s", col);
        sqlb_sql(&b, sql);
    }
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 64, n = 0;
    struct tkey *t = arena_calloc(ctx->a, cap, sizeof *t);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (db_col_is_null(st, 1))
            continue; /* the total over no cell: no target (not 0) */
        if (n == cap) {
            struct tkey *u = arena_calloc(ctx->a, cap * 2, sizeof *t);
            memcpy(u, t, n * sizeof *t);
            t = u;
            cap *= 2;
        }
        t[n].key = arena_strdup(ctx->a, db_col_text(st, 0));
        int64_t v = db_col_i64(st, 1);
        t[n].v = p->dims & TD_MONTH ? v : v * (mt - mf + 1) / 12;
        n++;
    }
    db_done(st);
    *out = t;
    *n_out = n;
    return rc;
}

static enum kam_err targets_by(struct kam_ctx *ctx, const struct target_plan *p,
                               const struct volume_sel *sel, enum volume_dim by,
                               const struct kpi_period *per, struct tkey **out, size_t *n_out)
{
    return targets_of(ctx, p, sel, target_col(by), by == VD_NONE ? 0 : target_bit(by), per, out,
                      n_out);
}

/* The stored (reconciled) forecasts' sums over months [first, to] per key, when they answer the
 * question: amounts, no slice filter, a stored level for `by`, refreshed this month. *out NULL
 * when they do not (the caller forecasts itself). */
static enum kam_err stored_sums(struct kam_ctx *ctx, const struct volume_sel *sel,
                                enum volume_dim by, int now_m, int first, int to,
                                struct volume_total **out, size_t *n_out)
{
    static const char *const levels[] = {
        [VD_NONE] = "total",      [VD_FAMILY] = "family",   [VD_REGION] = "region",
        [VD_CHANNEL] = "channel", [VD_ACCOUNT] = "account", [VD_MONTH] = NULL};
    *out = NULL;
    *n_out = 0;
    if (sel->quantity || sel->family || sel->region || sel->channel || !levels[by])
        return KAM_OK;
    if (by != VD_ACCOUNT && (sel->account_id || policy_list_scoped(&ctx->who)))
        return KAM_OK;
    int64_t fresh = 0;
    enum kam_err rc = db_query_i64(ctx->db,
                                   "SELECT MIN(month) FROM forecasts WHERE level = 'total' AND "
                                   "measure = 'amount' AND key = ''",
                                   0, 0, &fresh, ctx->err);
    if (rc || fresh != now_m || volume_months_between(now_m, to) > OUTLOOK_HORIZON)
        return rc; /* MIN() always answers a row: any rc is a failure */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT key, SUM(mean) FROM forecasts WHERE level = ? AND measure = "
                         "'amount' AND month >= ? AND month <= ? GROUP BY key",
                         &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, levels[by]);
    db_bind_i64(st, 2, first);
    db_bind_i64(st, 3, to);
    size_t cap = 64, n = 0;
    struct volume_total *v = arena_calloc(ctx->a, cap, sizeof *v);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            struct volume_total *w = arena_calloc(ctx->a, cap * 2, sizeof *v);
            memcpy(w, v, n * sizeof *v);
            v = w;
            cap *= 2;
        }
        v[n].key = arena_strdup(ctx->a, db_col_text(st, 0));
        v[n].total = db_col_i64(st, 1);
        n++;
    }
    db_done(st);
    if (rc)
        return rc;
    *out = v;
    *n_out = n;
    return KAM_OK;
}

/* volume_forecast, where a series that cannot be forecast (too short, a horizon past what is
 * forecast, values out of range: its KAM_EINVAL) is no projection (*ok 0), not an error;
 * anything else (out of memory) fails. */
static enum kam_err forecast_or_none(struct kam_ctx *ctx, const int64_t *values, int n, int horizon,
                                     struct volume_forecast *f, int *ok)
{
    enum kam_err rc = volume_forecast(ctx, values, n, horizon, f);
    *ok = rc == KAM_OK;
    if (rc == KAM_EINVAL) {
        kam_error_clear(ctx->err);
        rc = KAM_OK;
    }
    return rc;
}

static const struct volume_series *find_series(const struct volume_series *v, size_t n,
                                               const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].key, key))
            return &v[i];
    return NULL;
}

/* Why a key has no target: no plan, a plan of another year, a plan not split by the
 * dimension (or the selection), or a key the plan has no cell for. */
static const char *target_why(const struct target_plan *p, const struct kpi_period *per,
                              const struct volume_sel *sel, enum volume_dim by)
{
    if (!p)
        return "no_plan";
    if (p->year != per->from / 100)
        return "plan_other_year";
    unsigned need = target_bit(by) |
                    (sel->family && strcmp(sel->family, p->scope_family) ? TD_FAMILY : 0) |
                    (sel->region && strcmp(sel->region, p->scope_region) ? TD_REGION : 0) |
                    (sel->channel && strcmp(sel->channel, p->scope_channel) ? TD_CHANNEL : 0) |
                    (sel->account_id ? TD_ACCOUNT : 0);
    if ((p->dims & need) != need)
        return "plan_not_split";
    return "not_in_plan";
}

/* Fills the derived fields of one item. scale: measure units per whole unit of target;
 * started: the period has begun (growth is shown from then on); why_target: the reason of a
 * missing target. */
static void finish(struct kpi_item *it, int64_t scale, int64_t offtrack_pct, int started,
                   const char *why_target)
{
    it->has_growth = started && it->has_last_year && it->last_year > 0;
    if (it->has_growth)
        it->growth_pct = volume_pct(it->actual - it->last_year, it->last_year);
    else
        it->why_growth = started ? "no_sales_last_year" : "not_started";
    if (!it->has_projection)
        it->why_projection = "no_forecast";
    if (!it->has_target) {
        it->why_target = why_target;
        it->status = "no_target";
        return;
    }
    int64_t t = it->target * scale;
    if (!t)
        it->why_attainment = "target_zero"; /* no percentage of nothing */
    it->attainment_pct = volume_pct(it->actual, t);
    int64_t proj = it->has_projection ? it->projection : it->run_rate;
    it->projection_pct = volume_pct(proj, t);
    it->status = proj >= t ? "on_track" : proj * 100 >= t * offtrack_pct ? "at_risk" : "off_track";
}

/* By month: the period's total, then one item per month, from per-month series (a handful of
 * queries whatever the number of months). */
static enum kam_err by_month(struct kam_ctx *ctx, const struct target_plan *plan,
                             const struct volume_sel *sel, const struct kpi_period *per,
                             struct kpi_report *out)
{
    enum kam_err rc = kpi_compute(ctx, plan, sel, VD_NONE, per, 1, out);
    if (rc)
        return rc;
    out->by = VD_MONTH;
    int n = volume_months_between(per->from, per->to), now_m = volume_this_month(ctx);
    struct volume_series *act, *ly;
    size_t na, nl;
    if ((rc = volume_series(ctx, sel, VD_NONE, per->from, per->to, &act, &na)) ||
        (rc = volume_series(ctx, sel, VD_NONE, volume_month_add(per->from, -12),
                            volume_month_add(per->to, -12), &ly, &nl)))
        return rc;
    struct tkey *tk = NULL;
    size_t ntk = 0;
    if (plan && plan->year == per->from / 100 &&
        (rc = targets_by(ctx, plan, sel, VD_MONTH, per, &tk, &ntk)))
        return rc;
    /* The months ahead: the stored total forecast when it answers, else one forecast. */
    double ahead[OUTLOOK_HORIZON + 1] = {0};
    int have_ahead = 0;
    if (per->to >= now_m) {
        struct outlook o;
        int plain = !sel->quantity && !sel->family && !sel->region && !sel->channel &&
                    !sel->account_id && !policy_list_scoped(&ctx->who);
        if (plain && !(rc = outlook_get(ctx, "total", "", &o)) && o.first_month == now_m) {
            for (int k = 0; k < o.n; k++)
                ahead[k] = (double)o.mean[k];
            have_ahead = o.n;
        } else {
            if (rc && rc != KAM_ENOTFOUND)
                return rc;
            kam_error_clear(ctx->err); /* no stored forecast (or an old one): forecast here */
            rc = KAM_OK;
            struct volume_series *h;
            size_t nh;
            int hn = 36, horizon = volume_months_between(now_m, per->to), ok = 0;
            struct volume_forecast f;
            if (horizon <= OUTLOOK_HORIZON &&
                ((rc = volume_series(ctx, sel, VD_NONE, volume_month_add(now_m, -hn),
                                     volume_month_add(now_m, -1), &h, &nh)) ||
                 (nh && (rc = forecast_or_none(ctx, h[0].values, hn, horizon, &f, &ok)))))
                return rc;
            if (ok) {
                for (int k = 0; k < horizon; k++)
                    ahead[k] = f.mean[k] > 0 ? f.mean[k] : 0;
                have_ahead = horizon;
            }
        }
    }
    int64_t offtrack;
    if ((rc = settings_get_i64(ctx, "kpi_offtrack_pct", 90, &offtrack)))
        return rc;
    int64_t today = ctx->now / 86400;
    out->items = arena_calloc(ctx->a, (size_t)n, sizeof *out->items);
    for (int i = 0; i < n; i++) {
        int mo = volume_month_add(per->from, i);
        struct kpi_item *it = &out->items[out->n++];
        it->key = it->label = arena_printf(ctx->a, "%04d-%02d", mo / 100 % 10000, mo % 100);
        it->actual = na ? act[0].values[i] : 0;
        it->last_year = nl ? ly[0].values[i] : 0;
        it->has_last_year = nl > 0;
        if (mo == now_m) { /* the month in progress: the same days a year before */
            struct volume_total *g;
            size_t ng;
            if ((rc = growth_last_year(ctx, sel, VD_NONE, mo, mo, &g, &ng)))
                return rc;
            it->last_year = ng ? g[0].total : 0;
        }
        char k[8];
        snprintf(k, sizeof k, "%d", mo % 100);
        for (size_t t = 0; t < ntk; t++)
            if (!strcmp(tk[t].key, k)) {
                it->target = tk[t].v;
                it->has_target = 1;
            }
        if (plan && plan->year == per->from / 100 && !(plan->dims & TD_MONTH) && !ntk) {
            /* A plan not split by month: a twelfth of the period's target each month. */
            it->target = out->total.target / n;
            it->has_target = out->total.has_target;
        }
        int y = mo / 100, m = mo % 100;
        int64_t start = date_to_days(y, m, 1);
        int64_t days = (m == 12 ? date_to_days(y + 1, 1, 1) : date_to_days(y, m + 1, 1)) - start;
        int64_t el = today - start + 1;
        el = el < 0 ? 0 : el > days ? days : el;
        it->run_rate = el >= days ? it->actual : el > 0 ? it->actual * days / el : 0;
        if (mo < now_m) {
            it->projection = it->actual;
            it->has_projection = 1;
        } else {
            int k2 = volume_months_between(now_m, mo) - 1;
            if (k2 >= 0 && k2 < have_ahead) {
                it->projection = (int64_t)(ahead[k2] + 0.5);
                it->has_projection = 1;
            }
        }
        finish(it, sel->quantity ? 1000 : 100, offtrack, mo <= now_m,
               target_why(plan, per, sel, VD_NONE));
        it->why_wallet = "accounts_only";
    }
    return KAM_OK;
}

/* Satisfaction of the account rows (issue 14): the NPS (-100..100) of the account's answers to
 * nps questions of the last 365 days, the definition of svc/needs/satisfaction.h (promoters
 * 9-10, detractors 0-6); a chapter does not include another, so it is computed here. A reader
 * who may not read survey responses sees no NPS of fewer than 3 responses (the minimum-n rule:
 * why too_few_responses); no answers: why no_surveys. */
static enum kam_err kpi_satisfaction(struct kam_ctx *ctx, struct kpi_report *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(
        ctx->db,
        "SELECT r.account_id, COUNT(*), SUM(CASE WHEN a.value >= 9 THEN 1 WHEN a.value <= 6 THEN "
        "-1 ELSE 0 END), COUNT(DISTINCT r.id) FROM survey_responses r JOIN survey_answers a ON "
        "a.response_id = r.id JOIN survey_questions q ON q.id = a.question_id WHERE q.kind = 'nps' "
        "AND a.value IS NOT NULL AND r.submitted_at >= ? GROUP BY r.account_id",
        &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, ctx->now - 365 * 86400);
    int64_t *n = arena_calloc(ctx->a, out->n, sizeof *n);
    int64_t *net = arena_calloc(ctx->a, out->n, sizeof *net);
    int64_t *resp = arena_calloc(ctx->a, out->n, sizeof *resp); /* distinct responses */
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)db_col_i64(st, 0));
        for (size_t i = 0; i < out->n; i++)
            if (!strcmp(out->items[i].key, key)) {
                n[i] = db_col_i64(st, 1);
                net[i] = db_col_i64(st, 2);
                resp[i] = db_col_i64(st, 3);
            }
    }
    db_done(st);
    if (rc)
        return rc;
    int may_read = policy_grant(ctx->who.role, OBJ_SURVEY_RESPONSE, ACT_READ) != GRANT_NONE;
    for (size_t i = 0; i < out->n; i++) {
        struct kpi_item *it = &out->items[i];
        if (!n[i])
            continue;
        if (!may_read && resp[i] < 3) {
            it->why_sat = "too_few_responses";
            continue;
        }
        it->has_sat = 1;
        it->sat_nps = 100.0 * (double)net[i] / (double)n[i];
    }
    return KAM_OK;
}

enum kam_err kpi_compute(struct kam_ctx *ctx, const struct target_plan *plan,
                         const struct volume_sel *sel, enum volume_dim by,
                         const struct kpi_period *per, size_t limit, struct kpi_report *out)
{
    if (by == VD_MONTH)
        return by_month(ctx, plan, sel, per, out);
    memset(out, 0, sizeof *out);
    out->period = *per;
    out->quantity = sel->quantity;
    out->by = by;
    int y = per->from / 100, now_m = volume_this_month(ctx);
    int64_t today = ctx->now / 86400, start = date_to_days(y, per->from % 100, 1);
    int64_t el = today - start + 1;
    out->period.elapsed = el < 0 ? 0 : el > per->days ? per->days : el;
    int64_t offtrack;
    enum kam_err rc = settings_get_i64(ctx, "kpi_offtrack_pct", 90, &offtrack);
    if (rc)
        return rc;
    int last_complete = volume_month_add(now_m, -1);
    int projecting = per->to >= now_m;
    int first = per->from > now_m ? per->from : now_m; /* the first month forecast */
    struct volume_total *act, *ly, *done = NULL, *stored = NULL;
    size_t nact, nly, ndone = 0, nstored = 0;
    const size_t all = (size_t)-1;
    if ((rc = volume_totals(ctx, sel, by, per->from, per->to, all, &act, &nact)) ||
        (rc = growth_last_year(ctx, sel, by, per->from, per->to, &ly, &nly)))
        return rc;
    /* The complete months' actual, to which the forecast of the rest is added. */
    if (projecting && per->from <= last_complete &&
        (rc = volume_totals(ctx, sel, by, per->from, last_complete, all, &done, &ndone)))
        return rc;
    struct volume_series *hist = NULL;
    size_t nhist = 0;
    int hn = volume_months_between(volume_month_add(now_m, -36), last_complete);
    if (projecting) {
        size_t nstored_total = 0;
        struct volume_total *st_total = NULL;
        if ((rc = stored_sums(ctx, sel, by, now_m, first, per->to, &stored, &nstored)))
            return rc;
        if (by == VD_NONE)
            st_total = stored;
        else if ((rc = stored_sums(ctx, sel, VD_NONE, now_m, first, per->to, &st_total,
                                   &nstored_total)))
            return rc;
        if ((!stored || !st_total) &&
            (rc = volume_series(ctx, sel, by, volume_month_add(now_m, -36), last_complete, &hist,
                                &nhist)))
            return rc;
        if (by != VD_NONE && st_total && stored) {
            /* The total's projection comes from the stored total (coherent with the keys). */
            out->total.has_projection = 2;
            out->total.projection = st_total[0].total;
        }
    }
    struct tkey *tk = NULL;
    size_t ntk = 0;
    if (plan && plan->year == y && (rc = targets_by(ctx, plan, sel, by, per, &tk, &ntk)))
        return rc;
    int64_t scale = (sel->quantity ? 1000 : 100);
    const char *why_target = target_why(plan, per, sel, by);
    /* Keys: the ones with sales (largest first), then ones with only a target. */
    size_t n = nact < limit ? nact : limit;
    out->items = arena_calloc(ctx->a, n + ntk + 1, sizeof *out->items);
    for (size_t i = 0; i < n; i++) {
        out->items[i].key = act[i].key;
        out->items[i].label = act[i].label;
    }
    size_t m = n;
    for (size_t k = 0; k < ntk && by != VD_NONE; k++) {
        int found = 0;
        for (size_t i = 0; i < m && !found; i++)
            found = !strcmp(out->items[i].key, tk[k].key);
        if (!found && m < limit) {
            out->items[m].key = tk[k].key;
            out->items[m].label = tk[k].key;
            m++;
        }
    }
    out->n = by == VD_NONE ? 0 : m;
    struct kpi_item *tot = &out->total;
    tot->key = tot->label = "";
    for (size_t k = 0; k < ntk; k++) {
        tot->target += tk[k].v;
        tot->has_target = 1;
    }
    int64_t *tot_hist = NULL;
    for (size_t i = 0; i <= out->n; i++) {
        int is_total = i == out->n;
        struct kpi_item *it = is_total ? tot : &out->items[i];
        const struct volume_total *a, *l, *c, *s;
        int64_t complete = 0;
        const int64_t *hv = NULL;
        if (!is_total) {
            a = volume_total_find(act, nact, it->key);
            l = volume_total_find(ly, nly, it->key);
            c = done ? volume_total_find(done, ndone, it->key) : NULL;
            s = stored ? volume_total_find(stored, nstored, it->key) : NULL;
            for (size_t k = 0; k < ntk; k++)
                if (!strcmp(tk[k].key, it->key)) {
                    it->target = tk[k].v;
                    it->has_target = 1;
                }
            it->actual = a ? a->total : 0;
            it->last_year = l ? l->total : 0;
            it->has_last_year = l != NULL;
            complete = c ? c->total : 0;
            const struct volume_series *h = hist ? find_series(hist, nhist, it->key) : NULL;
            hv = h ? h->values : NULL;
            if (s) {
                it->projection = complete + s->total;
                it->has_projection = 1;
            } else if (stored && !hist) {
                it->projection = complete; /* no forecast stored: no sales to project */
                it->has_projection = 1;
            }
        } else {
            for (size_t k = 0; k < nact; k++)
                it->actual += act[k].total;
            for (size_t k = 0; k < nly; k++)
                it->last_year += ly[k].total;
            for (size_t k = 0; k < ndone; k++)
                complete += done[k].total;
            it->has_last_year = 1;
            if (it->has_projection == 2) {
                it->projection += complete;
                it->has_projection = 1;
            } else if (by == VD_NONE && stored && nstored) {
                it->projection = complete + stored[0].total;
                it->has_projection = 1;
            } else if (hist) {
                tot_hist = arena_calloc(ctx->a, (size_t)hn, sizeof *tot_hist);
                for (size_t k = 0; k < nhist; k++)
                    for (int j = 0; j < hn; j++)
                        tot_hist[j] += hist[k].values[j];
                hv = tot_hist;
            }
        }
        /* Run rate: the actual per elapsed day over the whole period. */
        if (out->period.elapsed >= out->period.days)
            it->run_rate = it->actual;
        else if (out->period.elapsed > 0)
            it->run_rate = it->actual * out->period.days / out->period.elapsed;
        if (!projecting) {
            it->projection = it->actual;
            it->has_projection = 1;
        } else if (!it->has_projection && hv) {
            int horizon = volume_months_between(now_m, per->to), ok = 0;
            struct volume_forecast f;
            if ((rc = forecast_or_none(ctx, hv, hn, horizon, &f, &ok)))
                return rc;
            if (ok) {
                double sum = (double)complete;
                for (int k = 0; k < horizon; k++)
                    if (volume_month_add(now_m, k) >= first)
                        sum += f.mean[k] > 0 ? f.mean[k] : 0;
                it->projection = (int64_t)(sum + 0.5);
                it->has_projection = 1;
            }
        }
        finish(it, scale, offtrack, growth_started(ctx, per->from), why_target);
    }
    /* Share of wallet for accounts: the last twelve months against the latest estimate. */
    if (by == VD_ACCOUNT && !sel->quantity && out->n) {
        struct volume_total *w12;
        size_t nw;
        if ((rc = volume_totals(ctx, sel, VD_ACCOUNT, volume_month_add(now_m, -12), last_complete,
                                all, &w12, &nw)))
            return rc;
        struct db_stmt *st;
        if ((rc = db_prepare(ctx->db,
                             "SELECT w.account_id, w.amount FROM wallet_estimates w WHERE w.year = "
                             "(SELECT MAX(year) FROM wallet_estimates x WHERE x.account_id = "
                             "w.account_id AND x.year <= ?)",
                             &st, ctx->err)))
            return rc;
        db_bind_i64(st, 1, y);
        int row = 0;
        while (!(rc = db_step(st, &row, ctx->err)) && row) {
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)db_col_i64(st, 0));
            int64_t wallet = db_col_i64(st, 1);
            for (size_t i = 0; i < out->n && wallet > 0; i++)
                if (!strcmp(out->items[i].key, key)) {
                    const struct volume_total *s = volume_total_find(w12, nw, key);
                    out->items[i].has_wallet = 1;
                    out->items[i].wallet_pct = volume_pct(s ? s->total : 0, wallet);
                }
        }
        db_done(st);
    }
    /* The total of one account (or group: its readable accounts): its last twelve months
     * against the sum of its accounts' latest estimates, as the account rows. */
    int one = sel->account_id && !sel->quantity && !sel->family && !sel->region && !sel->channel;
    if (!rc && one) {
        struct volume_total *w12;
        size_t nw;
        if ((rc = volume_totals(ctx, sel, VD_NONE, volume_month_add(now_m, -12), last_complete, all,
                                &w12, &nw)))
            return rc;
        struct sqlb b;
        sqlb_init(&b, ctx->a);
        sqlb_sql(&b, "SELECT SUM(w.amount) FROM wallet_estimates w WHERE w.account_id IN ");
        if (sel->subsidiaries) {
            group_sql(ctx, &b, sel->account_id);
        } else {
            sqlb_sql(&b, "(?)");
            sqlb_i64(&b, sel->account_id);
        }
        sqlb_sql(&b, " AND w.year = (SELECT MAX(year) FROM wallet_estimates x WHERE x.account_id "
                     "= w.account_id AND x.year <= ?)");
        sqlb_i64(&b, y);
        struct db_stmt *st;
        if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
            return rc;
        int row = 0;
        rc = db_step(st, &row, ctx->err);
        int64_t wallet = !rc && row && !db_col_is_null(st, 0) ? db_col_i64(st, 0) : 0;
        db_done(st);
        if (rc)
            return rc;
        if (wallet > 0) {
            out->total.has_wallet = 1;
            out->total.wallet_pct = volume_pct(nw ? w12[0].total : 0, wallet);
        }
    }
    if (!rc && by == VD_ACCOUNT && out->n)
        rc = kpi_satisfaction(ctx, out);
    for (size_t i = 0; i <= out->n; i++) {
        struct kpi_item *it = i < out->n ? &out->items[i] : &out->total;
        if (!it->has_wallet)
            it->why_wallet =
                (by == VD_ACCOUNT && !sel->quantity && i < out->n) || (i == out->n && one)
                    ? "no_wallet_estimate"
                    : "accounts_only";
    }
    return rc;
}

/* ---- by account manager and by team ---- */

static int by_attainment(const void *a, const void *b)
{
    const struct kpi_item *x = a, *y = b;
    int rx = x->has_target && !x->why_attainment, ry = y->has_target && !y->why_attainment;
    if (rx != ry)
        return rx ? -1 : 1;
    if (rx && x->attainment_pct != y->attainment_pct)
        return x->attainment_pct > y->attainment_pct ? -1 : 1;
    if (x->actual != y->actual)
        return x->actual > y->actual ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Adds an account's (or a line's) figures into a line (or the total). A line starts with
 * has_projection 1 and keeps a projection only while every part has one: a sum that left out
 * an account without a forecast would be wrong, not missing. */
static void add_into(struct kpi_item *t, const struct kpi_item *a)
{
    t->actual += a->actual;
    t->last_year += a->last_year;
    t->has_last_year |= a->has_last_year;
    t->run_rate += a->run_rate;
    t->projection += a->projection;
    if (!a->has_projection)
        t->has_projection = 0;
    if (a->has_target) {
        t->target += a->target;
        t->has_target = 1;
    }
}

enum kam_err kpi_compute_people(struct kam_ctx *ctx, const struct target_plan *plan,
                                const struct volume_sel *sel, enum kpi_group g,
                                const struct kpi_period *per, struct kpi_report *out)
{
    struct volume_sel s = *sel;
    struct kpi_report acc;
    enum kam_err rc = kpi_compute(ctx, plan, &s, VD_ACCOUNT, per, (size_t)-1, &acc);
    if (rc)
        return rc;
    struct policy_lines vis;
    int64_t offtrack;
    if ((rc = policy_kpi_lines(ctx, &vis)) ||
        (rc = settings_get_i64(ctx, "kpi_offtrack_pct", 90, &offtrack)))
        return rc;
    /* Each account's line: its owner, or its owner's team (0: the owner has none). */
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         g == KPI_BY_OWNER
                             ? "SELECT a.id, u.id, u.name FROM accounts a JOIN users u ON u.id = "
                               "a.owner_id"
                             : "SELECT a.id, COALESCE(t.id, 0), COALESCE(t.name, '') FROM accounts "
                               "a JOIN users u ON u.id = a.owner_id LEFT JOIN teams t ON t.id = "
                               "u.team_id",
                         &st, ctx->err)))
        return rc;
    struct strmap acct, lines;
    strmap_init(&acct);
    strmap_init(&lines);
    for (size_t i = 0; i < acc.n; i++)
        strmap_put(&acct, acc.items[i].key, strlen(acc.items[i].key), (void *)(intptr_t)(i + 1));
    size_t cap = 16, n = 0;
    struct kpi_item *v = arena_calloc(ctx->a, cap, sizeof *v);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)db_col_i64(st, 0));
        intptr_t ai = (intptr_t)strmap_get(&acct, k, strlen(k));
        int64_t line_id = db_col_i64(st, 1);
        if (!ai)
            continue; /* no figures of this account in the caller's view */
        if (!vis.all && !(g == KPI_BY_OWNER ? policy_lines_has(vis.users, vis.n_users, line_id)
                                            : policy_lines_has(vis.teams, vis.n_teams, line_id)))
            continue;
        snprintf(k, sizeof k, "%lld", (long long)line_id);
        intptr_t li = (intptr_t)strmap_get(&lines, k, strlen(k));
        if (!li) {
            if (n == cap) {
                struct kpi_item *w = arena_calloc(ctx->a, cap * 2, sizeof *w);
                memcpy(w, v, n * sizeof *w);
                v = w;
                cap *= 2;
            }
            v[n].key = arena_strdup(ctx->a, k);
            v[n].label = arena_strdup(ctx->a, db_col_text(st, 2));
            if (!line_id) /* by team: the owners without a team */
                v[n].label_key = "kpi_no_team";
            v[n].has_projection = 1;
            strmap_put(&lines, v[n].key, strlen(v[n].key), (void *)(intptr_t)(n + 1));
            li = (intptr_t)++n;
        }
        add_into(&v[li - 1], &acc.items[ai - 1]);
    }
    db_done(st);
    strmap_release(&acct);
    strmap_release(&lines);
    if (rc)
        return rc;
    /* A plan split by owner (or team) but not by account: its cells are the lines' targets. */
    unsigned need = g == KPI_BY_OWNER ? TD_OWNER : TD_OWNER | TD_TEAM;
    if (plan && plan->year == per->from / 100 && !(plan->dims & TD_ACCOUNT) &&
        (plan->dims & need)) {
        struct tkey *tk;
        size_t ntk;
        if ((rc = targets_of(ctx, plan, &s,
                             g == KPI_BY_OWNER ? "CAST(c.owner_id AS TEXT)"
                                               : "CAST(c.team_id AS TEXT)",
                             0, per, &tk, &ntk)))
            return rc;
        for (size_t k = 0; k < ntk; k++) {
            int64_t line_id = strtoll(tk[k].key, NULL, 10);
            if (!line_id ||
                (!vis.all &&
                 !(g == KPI_BY_OWNER ? policy_lines_has(vis.users, vis.n_users, line_id)
                                     : policy_lines_has(vis.teams, vis.n_teams, line_id))))
                continue;
            struct kpi_item *it = NULL;
            for (size_t i = 0; i < n && !it; i++)
                if (!strcmp(v[i].key, tk[k].key))
                    it = &v[i];
            if (!it) { /* a person or team with a target and no sales yet */
                if (n == cap) {
                    struct kpi_item *w = arena_calloc(ctx->a, cap * 2, sizeof *w);
                    memcpy(w, v, n * sizeof *w);
                    v = w;
                    cap *= 2;
                }
                it = &v[n++];
                it->key = tk[k].key;
                it->label = tk[k].key;
                it->has_projection = 1; /* no accounts with sales: nothing to project */
                if ((rc = db_prepare(ctx->db,
                                     g == KPI_BY_OWNER ? "SELECT name FROM users WHERE id = ?"
                                                       : "SELECT name FROM teams WHERE id = ?",
                                     &st, ctx->err)))
                    return rc;
                db_bind_i64(st, 1, line_id);
                if (!(rc = db_step(st, &row, ctx->err)) && row)
                    it->label = arena_strdup(ctx->a, db_col_text(st, 0));
                db_done(st);
                if (rc)
                    return rc;
            }
            it->target = tk[k].v;
            it->has_target = 1;
        }
    }
    memset(out, 0, sizeof *out);
    out->period = acc.period;
    out->quantity = sel->quantity;
    out->by = VD_ACCOUNT;
    out->group = g;
    out->total.key = out->total.label = "";
    out->total.has_projection = n > 0;
    int started = growth_started(ctx, per->from);
    const char *why = !plan                                 ? "no_plan"
                      : plan->year != per->from / 100       ? "plan_other_year"
                      : !(plan->dims & (TD_ACCOUNT | need)) ? "plan_not_split"
                                                            : "not_in_plan";
    int64_t scale = sel->quantity ? 1000 : 100;
    for (size_t i = 0; i < n; i++) {
        add_into(&out->total, &v[i]);
        finish(&v[i], scale, offtrack, started, why);
        v[i].why_wallet = "accounts_only";
    }
    finish(&out->total, scale, offtrack, started, why);
    out->total.why_wallet = "accounts_only";
    qsort(v, n, sizeof *v, by_attainment);
    for (size_t i = 0; i < n; i++)
        v[i].rank = (int)i + 1; /* the lines without an attainment after, by actual */
    out->items = v;
    out->n = n;
    return KAM_OK;
}

/* ---- by account, groups rolled up ---- */

static int by_actual(const void *a, const void *b)
{
    const struct kpi_item *x = a, *y = b;
    if (x->actual != y->actual)
        return x->actual > y->actual ? -1 : 1;
    return strcmp(x->key, y->key);
}

enum kam_err kpi_compute_groups(struct kam_ctx *ctx, const struct target_plan *plan,
                                const struct volume_sel *sel, const struct kpi_period *per,
                                struct kpi_report *out)
{
    struct volume_sel s = *sel;
    s.subsidiaries = 0;
    s.account_id = 0;
    enum kam_err rc = kpi_compute(ctx, plan, &s, VD_ACCOUNT, per, VOLUME_MAX_KEYS, out);
    if (rc)
        return rc;
    /* The groups the caller reads: their accounts with at least one subsidiary. */
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, "SELECT accounts.id, accounts.name FROM accounts WHERE EXISTS (SELECT 1 FROM "
                 "accounts ch WHERE ch.parent_id = accounts.id)");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    sqlb_sql(&b, " ORDER BY accounts.id");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    size_t cap = 16, ng = 0;
    int64_t *gid = arena_alloc(ctx->a, cap * sizeof *gid);
    const char **gname = arena_alloc(ctx->a, cap * sizeof *gname);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (ng == VOLUME_MAX_KEYS) {
            rc = kam_fail(ctx->err, KAM_EINVAL, "subsidiaries",
                          "more than %d groups: choose an account", VOLUME_MAX_KEYS);
            break;
        }
        if (ng == cap) {
            int64_t *g2 = arena_alloc(ctx->a, cap * 2 * sizeof *g2);
            const char **n2 = arena_alloc(ctx->a, cap * 2 * sizeof *n2);
            memcpy(g2, gid, ng * sizeof *g2);
            memcpy(n2, gname, ng * sizeof *n2);
            gid = g2, gname = n2, cap *= 2;
        }
        gid[ng] = db_col_i64(st, 0);
        gname[ng++] = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    if (rc)
        return rc;
    struct kpi_item *v = arena_calloc(ctx->a, out->n + ng + 1, sizeof *v);
    memcpy(v, out->items, out->n * sizeof *v);
    size_t n = out->n;
    for (size_t g = 0; g < ng; g++) {
        struct volume_sel gs = s;
        gs.account_id = gid[g];
        gs.subsidiaries = 1;
        struct kpi_report r;
        int64_t subs, hidden;
        if ((rc = kpi_compute(ctx, plan, &gs, VD_NONE, per, 0, &r)) ||
            (rc = group_extent(ctx, gid[g], &subs, &hidden)))
            return rc;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)gid[g]);
        struct kpi_item *it = NULL;
        for (size_t i = 0; i < n && !it; i++)
            if (!strcmp(v[i].key, key))
                it = &v[i];
        if (!it) { /* a group with nothing of its own: shown when its group has figures */
            if (!r.total.actual && !r.total.has_target && !r.total.last_year)
                continue;
            it = &v[n++];
            it->key = arena_strdup(ctx->a, key);
            it->label = gname[g];
        }
        const char *k = it->key, *l = it->label;
        *it = r.total;
        it->key = k;
        it->label = l;
        it->is_group = 1;
        it->group_subs = subs - hidden;
        it->group_hidden = hidden;
    }
    qsort(v, n, sizeof *v, by_actual);
    out->items = v;
    out->n = n;
    return KAM_OK;
}

/* ---- alerts ---- */

enum kam_err kpi_alerts(struct kam_ctx *ctx, int *sent_out)
{
    *sent_out = 0;
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    struct target_plan *plans;
    size_t np;
    enum kam_err rc = target_list(ctx, y, &plans, &np);
    char period[8];
    snprintf(period, sizeof period, "%04d", y);
    struct kpi_period per;
    kpi_period_parse(period, &per);
    for (size_t i = 0; i < np && !rc; i++) {
        const struct target_plan *p = &plans[i];
        if (strcmp(p->status, "approved") || !p->cells)
            continue;
        struct volume_sel sel = {0};
        sel.quantity = !strcmp(p->measure, "quantity");
        sel.family = *p->scope_family ? p->scope_family : NULL;
        sel.region = *p->scope_region ? p->scope_region : NULL;
        sel.channel = *p->scope_channel ? p->scope_channel : NULL;
        struct kpi_report r;
        enum volume_dim by = p->dims & TD_ACCOUNT ? VD_ACCOUNT : VD_NONE;
        if ((rc = kpi_compute(ctx, p, &sel, by, &per, 500, &r)))
            break;
        char key[160], title[300], link[80];
        snprintf(link, sizeof link, "/targets/%lld", (long long)p->id);
        if (!strcmp(r.total.status, "off_track")) {
            snprintf(key, sizeof key, "kpi:%lld:total:%04d%02d", (long long)p->id, y, m);
            snprintf(title, sizeof title, "%.1f", r.total.projection_pct);
            int created = 0;
            if ((rc = notify_add_msg(ctx, p->owner_id, "kpi_off_track", "notify.plan_off_track",
                                     (struct kam_param[]){{"name", p->name}, {"pct", title}, {0}},
                                     "", link, key, &created)))
                break;
            *sent_out += created;
        }
        for (size_t k = 0; k < r.n && !rc; k++) {
            const struct kpi_item *it = &r.items[k];
            if (strcmp(it->status, "off_track"))
                continue;
            int64_t acct = strtoll(it->key, NULL, 10), owner = 0;
            rc = db_query_i64(ctx->db, "SELECT owner_id FROM accounts WHERE id = ?", 1, acct,
                              &owner, ctx->err);
            if (rc == KAM_ENOTFOUND) { /* the account is gone (no message to clear) */
                rc = KAM_OK;
                continue;
            }
            if (rc)
                break;
            snprintf(key, sizeof key, "kpi:%lld:%lld:%04d%02d", (long long)p->id, (long long)acct,
                     y, m);
            snprintf(title, sizeof title, "%.1f", it->projection_pct);
            snprintf(link, sizeof link, "/accounts/%lld", (long long)acct);
            int created = 0;
            rc = notify_add_msg(ctx, owner, "kpi_off_track", "notify.account_off_track",
                                (struct kam_param[]){{"name", it->label}, {"pct", title}, {0}},
                                p->name, link, key, &created);
            *sent_out += created;
        }
    }
    return rc;
}
