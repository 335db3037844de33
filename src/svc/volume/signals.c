/* signals.c -- the volume signals of the early-warning engine (svc/core/signal.h,
 * docs/SIGNALS.md): volume below forecast, below target, a purchase overdue against the
 * account's own interval, volume decline against last year. Each reads only, with one set-based
 * pass over every account (the volume services' own queries), then keeps the accounts asked
 * for that are not lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/behaviour.h"
#include "base/buf.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "growth.h"
#include "kpi.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/signal.h"
#include "target.h"
#include "volume.h"

#define FC_HIST 36         /* months of history the forecast is fitted on (as outlook.c) */
#define OVERDUE_MIN_DAYS 4 /* distinct purchase days an interval needs */
#define DECLINE_MONTHS 3
#define SIGNAL_IN_MAX 16 /* account ids bound in the SQL; more are filtered in memory */

/* ---- the accounts an evaluation covers ---- */

struct acct_set {
    int64_t *ids; /* sorted */
    size_t n;
};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The accounts not lost, of accounts[0..n) when accounts is not NULL. */
static enum kam_err acct_set_load(struct kam_ctx *ctx, const int64_t *accounts, size_t n,
                                  struct acct_set *s)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT id FROM accounts WHERE status <> 'lost'");
    /* A few ids bound; more are kept in memory below (a statement binds at most
     * SQLB_MAX_BINDS values). */
    int64_t *want = NULL;
    if (accounts && n > SIGNAL_IN_MAX) {
        want = arena_alloc(ctx->a, n * sizeof *want);
        memcpy(want, accounts, n * sizeof *want);
        qsort(want, n, sizeof *want, cmp_i64);
    } else if (accounts) {
        sqlb_sql(&b, " AND id IN (0");
        for (size_t i = 0; i < n; i++) {
            sqlb_sql(&b, ", ?");
            sqlb_i64(&b, accounts[i]);
        }
        sqlb_sql(&b, ")");
    }
    sqlb_sql(&b, " ORDER BY id");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 64;
    s->ids = arena_alloc(ctx->a, cap * sizeof *s->ids);
    s->n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (s->n == cap) {
            int64_t *v = arena_alloc(ctx->a, 2 * cap * sizeof *v);
            memcpy(v, s->ids, cap * sizeof *v);
            s->ids = v;
            cap *= 2;
        }
        int64_t id = db_col_i64(st, 0);
        if (!want || bsearch(&id, want, n, sizeof id, cmp_i64))
            s->ids[s->n++] = id;
    }
    db_done(st);
    return rc;
}

static int acct_in(const struct acct_set *s, int64_t id)
{
    return s->n && bsearch(&id, s->ids, s->n, sizeof id, cmp_i64) != NULL;
}

/* ---- evidence ---- */

static void ev_begin(struct buf *b, struct jw *w)
{
    buf_init(b, 1 << 16);
    jw_init(w, b);
    jw_obj_begin(w);
}

/* Ends the object and moves it into the arena; KAM_EINTERNAL when the buffer could not grow. */
static enum kam_err ev_end(struct kam_ctx *ctx, struct buf *b, struct jw *w, const char **out)
{
    jw_obj_end(w);
    enum kam_err rc = KAM_OK;
    if (!buf_ok(b))
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    else
        *out = arena_strndup(ctx->a, b->data ? b->data : "", b->len);
    buf_release(b);
    return rc;
}

static void ev_month(struct jw *w, const char *k, int yyyymm)
{
    char m[16];
    snprintf(m, sizeof m, "%04d-%02d", yyyymm / 100, yyyymm % 100);
    jw_kstr(w, k, m);
}

/* a * num / den rounded half away from zero (den > 0). */
static int64_t mul_div(int64_t a, int64_t num, int64_t den)
{
    __int128 p = (__int128)a * num;
    __int128 q = (p >= 0 ? p + den / 2 : p - den / 2) / den;
    return (int64_t)q;
}

static enum kam_err emit_hit(signal_emit_fn emit, void *arg, int64_t account, int64_t value,
                             const char *evidence)
{
    struct signal_hit h = {account, value, evidence};
    return emit(arg, &h);
}

static int fires(const struct signal_rule *r, int64_t v)
{
    return r->def->higher_is_worse ? v >= r->threshold_milli : v <= r->threshold_milli;
}

/* ---- volume_below_forecast ---- */

/* The last complete month's actual against the forecast for it, fitted (as outlook.c fits the
 * stored series) on the FC_HIST complete months before it. Accounts the outlook has no stored
 * series for are skipped (too little history). value: the shortfall in percent. */
static enum kam_err eval_below_forecast(struct kam_ctx *ctx, const struct signal_rule *rule,
                                        const int64_t *accounts, size_t n, signal_emit_fn emit,
                                        void *arg)
{
    int last = volume_month_add(volume_this_month(ctx), -1);
    int first = volume_month_add(last, -FC_HIST);
    struct acct_set set;
    enum kam_err rc = acct_set_load(ctx, accounts, n, &set);
    if (rc || !set.n)
        return rc;
    /* Accounts with a stored forecast. */
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT DISTINCT key FROM forecasts WHERE level = 'account' AND measure = "
                 "'amount'");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    int64_t *with = arena_alloc(ctx->a, set.n * sizeof *with);
    size_t nwith = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t id = strtoll(db_col_text(st, 0), NULL, 10);
        if (acct_in(&set, id) && nwith < set.n)
            with[nwith++] = id;
    }
    db_done(st);
    if (rc || !nwith)
        return rc;
    qsort(with, nwith, sizeof *with, cmp_i64);
    struct acct_set fc_set = {with, nwith};
    const char *unit = NULL;
    struct volume_sel sel = {0};
    if ((rc = volume_unit(ctx, &sel, &unit)))
        return rc;
    if ((rc = db_prepare(ctx->db,
                         "SELECT account_id, month, amount FROM sales_monthly_account WHERE month "
                         ">= ? AND month <= ? ORDER BY account_id, month",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, first);
    db_bind_i64(st, 2, last);
    int64_t vals[FC_HIST + 1];
    int64_t cur = 0;
    int have = 0;
    for (;;) {
        if ((rc = db_step(st, &row, ctx->err)))
            break;
        int64_t id = row ? db_col_i64(st, 0) : -1;
        if (have && id != cur) {
            /* vals[0..FC_HIST) the history, vals[FC_HIST] the last complete month */
            struct volume_forecast fc;
            enum kam_err frc = volume_forecast(ctx, vals, FC_HIST, 1, &fc);
            if (frc == KAM_EINVAL) {
                kam_error_clear(ctx->err);
            } else if (frc) {
                rc = frc;
                break;
            } else {
                int64_t f = (int64_t)(fc.mean[0] + 0.5), actual = vals[FC_HIST];
                if (f > 0) {
                    int64_t v = mul_div(f - actual, 100000, f);
                    if (fires(rule, v)) {
                        struct buf eb;
                        struct jw w;
                        ev_begin(&eb, &w);
                        ev_month(&w, "month", last);
                        jw_ki64(&w, "actual", actual);
                        jw_ki64(&w, "forecast", f);
                        jw_ki64(&w, "lo80", (int64_t)(fc.lo80[0] + 0.5));
                        jw_ki64(&w, "hi80", (int64_t)(fc.hi80[0] + 0.5));
                        jw_kstr(&w, "currency", unit);
                        const char *ev = NULL;
                        if ((rc = ev_end(ctx, &eb, &w, &ev)) ||
                            (rc = emit_hit(emit, arg, cur, v, ev)))
                            break;
                    }
                }
            }
            have = 0;
        }
        if (rc || !row)
            break;
        if (!acct_in(&fc_set, id))
            continue;
        if (!have) {
            memset(vals, 0, sizeof vals);
            cur = id;
            have = 1;
        }
        int i = volume_months_between(first, (int)db_col_i64(st, 1)) - 1;
        if (i >= 0 && i <= FC_HIST)
            vals[i] += db_col_i64(st, 2);
    }
    db_done(st);
    return rc;
}

/* ---- volume_below_target ---- */

/* Attainment of the approved plans of this year split by account over the year's complete
 * months (kpi.c's figures for January to the last month closed: the actual of those months
 * against the account's cells of those months, or, for a plan not split by month, its year's
 * cells pro rata to the months). Nothing in January. An account in several plans: its lowest
 * attainment. */
static enum kam_err eval_below_target(struct kam_ctx *ctx, const struct signal_rule *rule,
                                      const int64_t *accounts, size_t n, signal_emit_fn emit,
                                      void *arg)
{
    struct acct_set set;
    enum kam_err rc = acct_set_load(ctx, accounts, n, &set);
    if (rc || !set.n)
        return rc;
    /* The complete months of this year (January to the last month closed): a month under way is
     * not judged, so the signal is quiet in January (nothing of the year is complete yet). */
    int this_m = volume_this_month(ctx), y = this_m / 100, last = this_m % 100 - 1;
    if (last < 1)
        return KAM_OK;
    struct target_plan *plans;
    size_t np;
    if ((rc = target_list(ctx, y, &plans, &np)))
        return rc;
    char period[16];
    snprintf(period, sizeof period, "%04d", y);
    struct kpi_period per;
    kpi_period_parse(period, &per);
    per.to = y * 100 + last;
    per.days = date_to_days(y, last + 1, 1) - date_to_days(y, 1, 1);
    int64_t *best = arena_calloc(ctx->a, set.n, sizeof *best);
    int64_t *bplan = arena_calloc(ctx->a, set.n, sizeof *bplan);
    int64_t *bact = arena_calloc(ctx->a, set.n, sizeof *bact);
    int64_t *btgt = arena_calloc(ctx->a, set.n, sizeof *btgt);
    char *seen = arena_calloc(ctx->a, set.n, 1);
    int64_t days = 0, elapsed = 0;
    for (size_t i = 0; i < np; i++) {
        const struct target_plan *p = &plans[i];
        if (strcmp(p->status, "approved") || !p->cells || !(p->dims & TD_ACCOUNT))
            continue;
        struct volume_sel sel = {0};
        sel.quantity = !strcmp(p->measure, "quantity");
        sel.family = *p->scope_family ? p->scope_family : NULL;
        sel.region = *p->scope_region ? p->scope_region : NULL;
        sel.channel = *p->scope_channel ? p->scope_channel : NULL;
        struct kpi_report r;
        if ((rc = kpi_compute(ctx, p, &sel, VD_ACCOUNT, &per, (size_t)-1, &r)))
            return rc;
        days = r.period.days;
        elapsed = r.period.elapsed;
        if (elapsed <= 0 || days <= 0)
            continue;
        int64_t scale = sel.quantity ? 1000 : 100;
        for (size_t k = 0; k < r.n; k++) {
            const struct kpi_item *it = &r.items[k];
            int64_t id = strtoll(it->key, NULL, 10);
            const int64_t *at = set.n ? bsearch(&id, set.ids, set.n, sizeof id, cmp_i64) : NULL;
            if (!at || !it->has_target || it->target <= 0)
                continue;
            size_t j = (size_t)(at - set.ids);
            /* the target due by today, in measure units */
            int64_t due = mul_div(it->target * scale, elapsed, days);
            if (due <= 0)
                continue;
            int64_t v = mul_div(it->actual, 100000, due);
            if (!seen[j] || v < best[j]) {
                seen[j] = 1;
                best[j] = v;
                bplan[j] = p->id;
                bact[j] = it->actual;
                btgt[j] = it->target;
            }
        }
    }
    for (size_t j = 0; j < set.n && !rc; j++) {
        if (!seen[j] || !fires(rule, best[j]))
            continue;
        struct buf eb;
        struct jw w;
        ev_begin(&eb, &w);
        jw_ki64(&w, "plan_id", bplan[j]);
        jw_ki64(&w, "year", y);
        ev_month(&w, "from", per.from);
        ev_month(&w, "to", per.to);
        jw_ki64(&w, "actual", bact[j]);
        jw_ki64(&w, "target", btgt[j]);
        const char *ev = NULL;
        if (!(rc = ev_end(ctx, &eb, &w, &ev)))
            rc = emit_hit(emit, arg, set.ids[j], best[j], ev);
    }
    return rc;
}

/* ---- purchase_overdue ---- */

/* Days since the last purchase against the account's own median interval between purchase
 * days (analytics/behaviour.c, as the insight profile computes it), from OVERDUE_MIN_DAYS
 * distinct purchase days. value: the ratio (days since / median). */
static enum kam_err eval_purchase_overdue(struct kam_ctx *ctx, const struct signal_rule *rule,
                                          const int64_t *accounts, size_t n, signal_emit_fn emit,
                                          void *arg)
{
    struct acct_set set;
    enum kam_err rc = acct_set_load(ctx, accounts, n, &set);
    if (rc || !set.n)
        return rc;
    int32_t today = (int32_t)(ctx->now / 86400);
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT account_id, day FROM order_lines WHERE day <= ? GROUP BY "
                         "account_id, day ORDER BY account_id, day",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, today);
    size_t cap = 256, nd = 0;
    int32_t *days = malloc(cap * sizeof *days);
    if (!days) {
        db_done(st);
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    }
    int64_t cur = 0;
    int have = 0, row = 0;
    for (;;) {
        if ((rc = db_step(st, &row, ctx->err)))
            break;
        int64_t id = row ? db_col_i64(st, 0) : -1;
        if (have && id != cur) {
            have = 0;
            if (nd >= OVERDUE_MIN_DAYS) {
                struct behaviour_intervals bi;
                if ((rc = behaviour_intervals(days, (int)nd, today, ctx->a, &bi))) {
                    /* analytics reports no detail: out of memory, or days it refused */
                    rc = kam_fail(ctx->err, KAM_EINTERNAL, "",
                                  rc == KAM_EINTERNAL ? "out of memory"
                                                      : "purchase intervals failed");
                    break;
                }
                if (bi.median_days > 0) {
                    int64_t since = today - bi.last_day;
                    int64_t med_milli = (int64_t)(bi.median_days * 1000 + 0.5);
                    int64_t v = med_milli > 0 ? mul_div(since, 1000000, med_milli) : 0;
                    if (fires(rule, v)) {
                        char last[16];
                        int yy, mm, dd;
                        days_to_date(bi.last_day, &yy, &mm, &dd);
                        snprintf(last, sizeof last, "%04d-%02d-%02d", yy, mm, dd);
                        struct buf eb;
                        struct jw w;
                        ev_begin(&eb, &w);
                        jw_kstr(&w, "last_purchase", last);
                        jw_kfixed(&w, "median_interval_days", med_milli, 3);
                        jw_ki64(&w, "days_since", since);
                        jw_ki64(&w, "purchase_days", bi.orders);
                        const char *ev = NULL;
                        if ((rc = ev_end(ctx, &eb, &w, &ev)) ||
                            (rc = emit_hit(emit, arg, cur, v, ev)))
                            break;
                    }
                }
            }
        }
        if (rc || !row)
            break;
        if (!acct_in(&set, id))
            continue;
        if (!have) {
            cur = id;
            have = 1;
            nd = 0;
        }
        if (nd == cap) {
            int32_t *bigger = realloc(days, 2 * cap * sizeof *days);
            if (!bigger) {
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                break;
            }
            days = bigger;
            cap *= 2;
        }
        days[nd++] = (int32_t)db_col_i64(st, 1);
    }
    db_done(st);
    free(days);
    return rc;
}

/* ---- volume_decline ---- */

/* The last DECLINE_MONTHS complete months against the same months a year before (growth.c's
 * like-for-like rule), in percent; accounts without sales a year before are skipped. */
static enum kam_err eval_decline(struct kam_ctx *ctx, const struct signal_rule *rule,
                                 const int64_t *accounts, size_t n, signal_emit_fn emit, void *arg)
{
    struct acct_set set;
    enum kam_err rc = acct_set_load(ctx, accounts, n, &set);
    if (rc || !set.n)
        return rc;
    int to = volume_month_add(volume_this_month(ctx), -1),
        from = volume_month_add(to, -(DECLINE_MONTHS - 1));
    struct volume_sel sel = {0};
    struct volume_total *now, *before;
    size_t nnow, nbefore;
    const char *unit = NULL;
    if ((rc = volume_unit(ctx, &sel, &unit)) ||
        (rc = volume_totals(ctx, &sel, VD_ACCOUNT, from, to, (size_t)-1, &now, &nnow)) ||
        (rc = growth_last_year(ctx, &sel, VD_ACCOUNT, from, to, &before, &nbefore)))
        return rc;
    for (size_t i = 0; i < nbefore && !rc; i++) {
        int64_t id = strtoll(before[i].key, NULL, 10);
        if (before[i].total <= 0 || !acct_in(&set, id))
            continue;
        const struct volume_total *t = volume_total_find(now, nnow, before[i].key);
        int64_t cur = t ? t->total : 0;
        int64_t v = mul_div(cur - before[i].total, 100000, before[i].total);
        if (!fires(rule, v))
            continue;
        struct buf eb;
        struct jw w;
        ev_begin(&eb, &w);
        ev_month(&w, "from", from);
        ev_month(&w, "to", to);
        jw_ki64(&w, "amount", cur);
        jw_ki64(&w, "last_year", before[i].total);
        jw_kstr(&w, "currency", unit);
        const char *ev = NULL;
        if (!(rc = ev_end(ctx, &eb, &w, &ev)))
            rc = emit_hit(emit, arg, id, v, ev);
    }
    return rc;
}

/* key, unit, threshold, severity, dept, params, higher_is_worse, eval, the policy objects read
 * (signal.h: who sees its alerts) */
/* clang-format off */
const struct signal_def signals_volume[] = {
    {"volume_below_forecast", "percent", 25000, SIGNAL_HIGH, "sales", "{}", 1, eval_below_forecast,
     {OBJ_SALES}},
    {"volume_below_target", "percent", 80000, SIGNAL_MEDIUM, "sales", "{}", 0, eval_below_target,
     {OBJ_SALES, OBJ_TARGET}},
    {"purchase_overdue", "ratio", 1500, SIGNAL_MEDIUM, "sales", "{}", 1, eval_purchase_overdue,
     {OBJ_SALES}},
    {"volume_decline", "percent", -20000, SIGNAL_HIGH, "sales", "{}", 0, eval_decline,
     {OBJ_SALES}},
    {0},
};
/* clang-format on */
