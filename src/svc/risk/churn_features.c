/* churn_features.c -- the churn model's features and label (churn_features.h). Each feature
 * group is one query over all accounts, read once into per-account runs; the rows of any cutoff
 * month are then computed from those runs without going back to the database. */
#include "churn_features.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "store/db.h"
#include "svc/core/home.h"

const char *const churn_feature_names[CF_COUNT] = {"vol_3m",
                                                   "vol_6m",
                                                   "vol_12m",
                                                   "chg_3m",
                                                   "chg_yoy",
                                                   "months_since_purchase",
                                                   "active_months_12m",
                                                   "families_12m",
                                                   "tier",
                                                   "visits_6m",
                                                   "visits_overdue",
                                                   "issues_6m",
                                                   "sla_breaches_6m",
                                                   "nps_last",
                                                   "csat_last",
                                                   "ar_days_past_due",
                                                   "dso"};

/* One event of an account: a time (unix seconds or a day or a month number) and values. */
struct ev {
    int64_t t, a, b, c;
    const char *s;
};
/* The events of every account: account i's are e[start[i] .. start[i + 1]). */
struct evs {
    size_t *start;
    struct ev *e;
    size_t n;
};

struct churn_data {
    size_t n;
    int64_t *ids;
    const char **tier;
    int m0, nm;       /* the volume matrix covers months m0 .. m0 + nm - 1 */
    int64_t *vol;     /* n x nm */
    int *first_month; /* first month with a purchase, INT_MAX: none */
    struct evs fam, done, open, issues, surveys, invoices;
    struct evs tiers; /* tier changes: t the time, s "from|to" (from "" when unknown) */
    int have_invoices;
};

int churn_month_of_yyyymm(int yyyymm)
{
    return (yyyymm / 100) * 12 + yyyymm % 100 - 1;
}

int churn_month_of_day(int64_t day)
{
    int y, m, d;
    days_to_date(day, &y, &m, &d);
    return y * 12 + m - 1;
}

int64_t churn_month_first_day(int month)
{
    return date_to_days(month / 12, month % 12 + 1, 1);
}

int churn_month_now(const struct kam_ctx *ctx)
{
    return churn_month_of_day((ctx->now + HOME_TZ_OFFSET) / 86400);
}

/* The unix time of a month's first day, 00:00 China time. */
static int64_t month_start_ts(int month)
{
    return churn_month_first_day(month) * 86400 - HOME_TZ_OFFSET;
}

int churn_label_of(int64_t prev, int64_t next, int drop_bp)
{
    if (next <= 0)
        return 1;
    /* falls by more than drop_bp: (prev - next) / prev > drop / 10000 */
    return (double)next * 10000.0 < (double)prev * (double)(10000 - drop_bp);
}

size_t churn_data_accounts(const struct churn_data *d)
{
    return d->n;
}

int64_t churn_data_account_id(const struct churn_data *d, size_t i)
{
    return d->ids[i];
}

static long find_account(const struct churn_data *d, int64_t id)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->ids[mid] < id)
            lo = mid + 1;
        else if (d->ids[mid] > id)
            hi = mid;
        else
            return (long)mid;
    }
    return -1;
}

/* Reads sql's rows (account_id, then up to four integers or a text in column `text_col`, ordered
 * by account) into out. Columns: 0 account, 1 t, 2 a, 3 b, 4 c (integers; NULL reads -1). */
static enum kam_err load_events(struct kam_ctx *ctx, struct churn_data *d, const char *sql,
                                int ncols, int text_col, struct evs *out)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 256, n = 0;
    struct ev *v = malloc(cap * sizeof *v);
    long *acc = malloc(cap * sizeof *acc);
    if (!v || !acc) {
        free(v), free(acc);
        db_done(st);
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
    }
    for (;;) {
        int row = 0;
        if ((rc = db_step(st, &row, ctx->err)) || !row)
            break;
        long i = find_account(d, db_col_i64(st, 0));
        if (i < 0)
            continue;
        if (n == cap) {
            struct ev *nv = realloc(v, cap * 2 * sizeof *v);
            if (nv)
                v = nv;
            long *na = nv ? realloc(acc, cap * 2 * sizeof *acc) : NULL;
            if (!nv || !na) {
                rc = kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
                break;
            }
            acc = na;
            cap *= 2;
        }
        struct ev *e = &v[n];
        memset(e, 0, sizeof *e);
        int64_t *slot[4] = {&e->t, &e->a, &e->b, &e->c};
        for (int c = 1; c < ncols && c <= 4; c++) {
            if (c == text_col)
                e->s = arena_strdup(ctx->a, db_col_text(st, c));
            else
                *slot[c - 1] = db_col_is_null(st, c) ? -1 : db_col_i64(st, c);
        }
        acc[n++] = i;
    }
    db_done(st);
    if (!rc) {
        out->start = arena_calloc(ctx->a, d->n + 1, sizeof *out->start);
        out->e = arena_calloc(ctx->a, n ? n : 1, sizeof *out->e);
        out->n = n;
        /* rows come ordered by account id, as d->ids: a counting pass keeps that order anyway */
        for (size_t k = 0; k < n; k++)
            out->start[acc[k] + 1]++;
        for (size_t i = 0; i < d->n; i++)
            out->start[i + 1] += out->start[i];
        size_t *fill = arena_calloc(ctx->a, d->n + 1, sizeof *fill);
        memcpy(fill, out->start, (d->n + 1) * sizeof *fill);
        for (size_t k = 0; k < n; k++)
            out->e[fill[acc[k]]++] = v[k];
    }
    free(v);
    free(acc);
    return rc;
}

/* A 'YYYY-MM-DD' text as a day number; -1 when it is not one. */
static int64_t day_of_text(const char *s)
{
    int y, m, dd;
    if (!s || !*s || date_parse(s, &y, &m, &dd) != 0)
        return -1;
    return date_to_days(y, m, dd);
}

enum kam_err churn_data_load(struct kam_ctx *ctx, struct churn_data **out)
{
    struct churn_data *d = arena_calloc(ctx->a, 1, sizeof *d);
    struct db_stmt *st;
    enum kam_err rc;
    /* accounts */
    int64_t nacc = 0;
    if ((rc = db_prepare(ctx->db, "SELECT COUNT(*) FROM accounts", &st, ctx->err)))
        return rc;
    int row = 0;
    rc = db_step(st, &row, ctx->err);
    nacc = !rc && row ? db_col_i64(st, 0) : 0;
    db_done(st);
    if (rc)
        return rc;
    d->ids = arena_calloc(ctx->a, (size_t)nacc + 1, sizeof *d->ids);
    d->tier = arena_calloc(ctx->a, (size_t)nacc + 1, sizeof *d->tier);
    if ((rc = db_prepare(ctx->db, "SELECT id, tier FROM accounts ORDER BY id", &st, ctx->err)))
        return rc;
    while (!(rc = db_step(st, &row, ctx->err)) && row && d->n < (size_t)nacc) {
        d->ids[d->n] = db_col_i64(st, 0);
        d->tier[d->n++] = arena_strdup(ctx->a, db_col_text(st, 1));
    }
    db_done(st);
    if (rc)
        return rc;

    /* volume: the monthly rollup (base currency) */
    struct evs vol = {0};
    if ((rc = load_events(ctx, d,
                          "SELECT account_id, month, amount FROM sales_monthly_account "
                          "ORDER BY account_id, month",
                          3, 0, &vol)))
        return rc;
    int now = churn_month_now(ctx), lo = now, hi = now;
    for (size_t k = 0; k < vol.n; k++) {
        int m = churn_month_of_yyyymm((int)vol.e[k].t);
        vol.e[k].t = m;
        if (m < lo)
            lo = m;
        if (m > hi)
            hi = m;
    }
    /* 24 months of margin before the first so every window reads zeros, not outside */
    d->m0 = lo - 24;
    d->nm = hi - d->m0 + 1;
    d->vol = arena_calloc(ctx->a, d->n * (size_t)d->nm + 1, sizeof *d->vol);
    d->first_month = arena_calloc(ctx->a, d->n + 1, sizeof *d->first_month);
    for (size_t i = 0; i < d->n; i++) {
        d->first_month[i] = INT_MAX;
        for (size_t k = vol.start[i]; k < vol.start[i + 1]; k++) {
            int m = (int)vol.e[k].t;
            d->vol[i * (size_t)d->nm + (size_t)(m - d->m0)] += vol.e[k].a;
            if (vol.e[k].a > 0 && m < d->first_month[i])
                d->first_month[i] = m;
        }
    }
    /* families bought, by family then month */
    if ((rc = load_events(ctx, d,
                          "SELECT account_id, month, family FROM sales_monthly WHERE amount > 0 "
                          "GROUP BY account_id, family, month ORDER BY account_id, family, month",
                          3, 2, &d->fam)))
        return rc;
    for (size_t k = 0; k < d->fam.n; k++)
        d->fam.e[k].t = churn_month_of_yyyymm((int)d->fam.e[k].t);
    /* visits done; visits not cancelled (open at a cutoff when planned before it and not done
     * by then) */
    if ((rc = load_events(ctx, d,
                          "SELECT account_id, completed_at FROM visits WHERE status = 'done' AND "
                          "completed_at IS NOT NULL ORDER BY account_id, completed_at",
                          2, 0, &d->done)) ||
        (rc = load_events(ctx, d,
                          "SELECT account_id, planned_at, completed_at FROM visits WHERE status "
                          "<> 'cancelled' ORDER BY account_id, planned_at",
                          3, 0, &d->open)))
        return rc;
    /* issues: reported, resolution due, resolved */
    if ((rc = load_events(ctx, d,
                          "SELECT account_id, reported_at, resolution_due_at, resolved_at FROM "
                          "issues ORDER BY account_id, reported_at",
                          4, 0, &d->issues)))
        return rc;
    /* survey answers: NPS (a = 1) and CSAT (a = 2), in the order given */
    if ((rc = load_events(ctx, d,
                          "SELECT r.account_id, r.submitted_at, CASE WHEN q.kind = 'nps' THEN 1 "
                          "ELSE 2 END, a.value FROM survey_answers a JOIN survey_questions q ON "
                          "q.id = a.question_id JOIN survey_responses r ON r.id = a.response_id "
                          "WHERE q.kind IN ('nps', 'csat') AND a.value IS NOT NULL ORDER BY "
                          "r.account_id, r.submitted_at, r.id",
                          4, 0, &d->surveys)))
        return rc;
    /* invoices: day, due day, amount_base, open share (amount - paid, amount), paid_on */
    if ((rc = load_events(ctx, d,
                          "SELECT account_id, amount_base, amount - paid, amount, day || '|' || "
                          "due_day || '|' || COALESCE(paid_on, '') FROM invoices ORDER BY "
                          "account_id, day, id",
                          5, 4, &d->invoices)))
        return rc;
    d->have_invoices = d->invoices.n > 0;
    /* tier changes (svc/relationships/valuation.c writes one row per change), in order */
    if ((rc = load_events(ctx, d,
                          "SELECT account_id, at, COALESCE(from_tier, '') || '|' || to_tier FROM "
                          "tier_history ORDER BY account_id, at, id",
                          3, 2, &d->tiers)))
        return rc;
    *out = d;
    return KAM_OK;
}

static int64_t vol_at(const struct churn_data *d, size_t i, int m)
{
    if (m < d->m0 || m >= d->m0 + d->nm)
        return 0;
    return d->vol[i * (size_t)d->nm + (size_t)(m - d->m0)];
}

/* Volume of months from..to (inclusive). */
static int64_t vol_sum(const struct churn_data *d, size_t i, int from, int to)
{
    int64_t s = 0;
    for (int m = from; m <= to; m++)
        s += vol_at(d, i, m);
    return s;
}

static const char *num(struct kam_ctx *ctx, int64_t v)
{
    return arena_printf(ctx->a, "%lld", (long long)v);
}

/* Percent change of cur against base (rounded half away from zero), "" when base is 0. */
static const char *pct(struct kam_ctx *ctx, int64_t cur, int64_t base)
{
    if (base <= 0)
        return "";
    double p = ((double)cur - (double)base) * 100.0 / (double)base;
    return num(ctx, (int64_t)(p < 0 ? p - 0.5 : p + 0.5));
}

void churn_features_row(struct kam_ctx *ctx, const struct churn_data *d, size_t i, int m,
                        const char **cells)
{
    for (int f = 0; f < CF_COUNT; f++)
        cells[f] = "";
    int64_t v3 = vol_sum(d, i, m - 2, m), v6 = vol_sum(d, i, m - 5, m),
            v12 = vol_sum(d, i, m - 11, m), p3 = vol_sum(d, i, m - 5, m - 3),
            y3 = vol_sum(d, i, m - 14, m - 12);
    cells[CF_VOL_3M] = num(ctx, v3);
    cells[CF_VOL_6M] = num(ctx, v6);
    cells[CF_VOL_12M] = num(ctx, v12);
    cells[CF_CHG_3M] = pct(ctx, v3, p3);
    cells[CF_CHG_YOY] = pct(ctx, v3, y3);
    int last = -1, active = 0;
    for (int k = m; k >= d->m0; k--)
        if (vol_at(d, i, k) > 0) {
            last = k;
            break;
        }
    for (int k = m - 11; k <= m; k++)
        active += vol_at(d, i, k) > 0;
    if (last >= 0)
        cells[CF_SINCE_BUY] = num(ctx, m - last);
    cells[CF_ACTIVE_12M] = num(ctx, active);
    int fams = 0;
    const char *prev = NULL;
    for (size_t k = d->fam.start[i]; k < d->fam.start[i + 1]; k++) {
        const struct ev *e = &d->fam.e[k];
        if (e->t < m - 11 || e->t > m)
            continue;
        if (!prev || strcmp(prev, e->s) != 0)
            fams++;
        prev = e->s;
    }
    cells[CF_FAMILIES] = num(ctx, fams);
    int64_t cut = month_start_ts(m + 1), from6 = month_start_ts(m - 5);
    /* the tier at the cutoff, not today's: the last change before it, else the tier the first
     * change after it left ("" when unknown), else (never changed) today's */
    cells[CF_TIER] = d->tier[i];
    for (size_t k = d->tiers.start[i]; k < d->tiers.start[i + 1]; k++) {
        const struct ev *e = &d->tiers.e[k];
        const char *bar = strchr(e->s, '|');
        if (!bar)
            continue;
        if (e->t < cut) {
            cells[CF_TIER] = bar + 1;
            continue;
        }
        if (k == d->tiers.start[i])
            cells[CF_TIER] = arena_strndup(ctx->a, e->s, (size_t)(bar - e->s));
        break;
    }

    int done = 0, overdue = 0, issues = 0, sla = 0;
    for (size_t k = d->done.start[i]; k < d->done.start[i + 1]; k++)
        done += d->done.e[k].t >= from6 && d->done.e[k].t < cut;
    for (size_t k = d->open.start[i]; k < d->open.start[i + 1]; k++) {
        const struct ev *e = &d->open.e[k];
        overdue += e->t < cut && (e->a < 0 || e->a >= cut);
    }
    for (size_t k = d->issues.start[i]; k < d->issues.start[i + 1]; k++) {
        const struct ev *e = &d->issues.e[k];
        issues += e->t >= from6 && e->t < cut;
        /* resolution due in the window and not resolved by then */
        sla += e->a >= from6 && e->a < cut && (e->b < 0 || e->b > e->a);
    }
    cells[CF_VISITS_6M] = num(ctx, done);
    cells[CF_VISITS_OVERDUE] = num(ctx, overdue);
    cells[CF_ISSUES_6M] = num(ctx, issues);
    cells[CF_SLA_6M] = num(ctx, sla);
    for (size_t k = d->surveys.start[i]; k < d->surveys.start[i + 1]; k++) {
        const struct ev *e = &d->surveys.e[k];
        if (e->t >= cut)
            break;
        cells[e->a == 1 ? CF_NPS : CF_CSAT] = num(ctx, e->b);
    }
    if (d->have_invoices) {
        int64_t dcut = churn_month_first_day(m + 1), open = 0, billed = 0, dpd = 0;
        for (size_t k = d->invoices.start[i]; k < d->invoices.start[i + 1]; k++) {
            const struct ev *e = &d->invoices.e[k];
            /* e->s: "day|due_day|paid_on" */
            const char *p1 = strchr(e->s, '|'), *p2 = p1 ? strchr(p1 + 1, '|') : NULL;
            if (!p1 || !p2)
                continue;
            char buf[16];
            size_t l = (size_t)(p1 - e->s) < sizeof buf - 1 ? (size_t)(p1 - e->s) : sizeof buf - 1;
            memcpy(buf, e->s, l), buf[l] = 0;
            int64_t day = day_of_text(buf);
            l = (size_t)(p2 - p1 - 1) < sizeof buf - 1 ? (size_t)(p2 - p1 - 1) : sizeof buf - 1;
            memcpy(buf, p1 + 1, l), buf[l] = 0;
            int64_t due = day_of_text(buf), paid_on = day_of_text(p2 + 1);
            if (day < 0 || day >= dcut)
                continue;
            if (day >= dcut - 91)
                billed += e->t;
            /* open at the cutoff: still open now, or paid (the last of it) on or after it */
            int64_t amt = 0;
            if (paid_on >= dcut)
                amt = e->t;
            else if (e->a > 0 && e->b > 0)
                amt = (int64_t)((double)e->t * (double)e->a / (double)e->b + 0.5);
            if (amt <= 0)
                continue;
            open += amt;
            /* days past due on the cutoff month's last day */
            if (due >= 0 && dcut - 1 - due > dpd)
                dpd = dcut - 1 - due;
        }
        cells[CF_AR_DPD] = num(ctx, dpd);
        int64_t dso = open <= 0 ? 0 : billed <= 0 ? 365 : open * 91 / billed;
        cells[CF_DSO] = num(ctx, dso > 365 ? 365 : dso);
    }
}

int churn_label_at(const struct churn_data *d, size_t i, int m, int horizon, int drop_bp,
                   int last_month)
{
    if (m + horizon > last_month || d->first_month[i] == INT_MAX ||
        d->first_month[i] > m - (CHURN_HISTORY_MONTHS - 1))
        return -1;
    int64_t prev = vol_sum(d, i, m - horizon + 1, m);
    if (prev <= 0)
        return -1;
    return churn_label_of(prev, vol_sum(d, i, m + 1, m + horizon), drop_bp);
}

static enum kam_err table_new(struct kam_ctx *ctx, struct churn_table *t, int target)
{
    const char *names[CF_COUNT + 3];
    int n = 0;
    names[n++] = "account_id";
    names[n++] = CHURN_COL_CUTOFF;
    for (int f = 0; f < CF_COUNT; f++)
        names[n++] = churn_feature_names[f];
    if (target)
        names[n++] = CHURN_COL_TARGET;
    if (churn_table_new(t, n, names))
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
    return KAM_OK;
}

static enum kam_err add_row(struct kam_ctx *ctx, const struct churn_data *d, struct churn_table *t,
                            size_t i, int m, int label)
{
    const char *cells[CF_COUNT + 3];
    cells[0] = num(ctx, d->ids[i]);
    cells[1] = arena_printf(ctx->a, "%04d-%02d", m / 12, m % 12 + 1);
    churn_features_row(ctx, d, i, m, cells + 2);
    if (label >= 0)
        cells[CF_COUNT + 2] = label ? "1" : "0";
    if (churn_table_add(t, cells, t->nrows + 2))
        return kam_fail(ctx->err, KAM_EINTERNAL, NULL, "out of memory");
    return KAM_OK;
}

enum kam_err churn_training_table(struct kam_ctx *ctx, const struct churn_data *d, int horizon,
                                  int drop_bp, int last_month, struct churn_table *t,
                                  int *positives)
{
    enum kam_err rc = table_new(ctx, t, 1);
    *positives = 0;
    for (int m = last_month - horizon; !rc && m >= d->m0 + 24; m -= CHURN_CUTOFF_STEP)
        for (size_t i = 0; !rc && i < d->n; i++) {
            int y = churn_label_at(d, i, m, horizon, drop_bp, last_month);
            if (y < 0)
                continue;
            *positives += y;
            rc = add_row(ctx, d, t, i, m, y);
        }
    return rc;
}

enum kam_err churn_scoring_table(struct kam_ctx *ctx, const struct churn_data *d, int m,
                                 int horizon, struct churn_table *t, int64_t **ids)
{
    enum kam_err rc = table_new(ctx, t, 0);
    *ids = arena_calloc(ctx->a, d->n + 1, sizeof **ids);
    for (size_t i = 0; !rc && i < d->n; i++) {
        if (d->first_month[i] == INT_MAX || d->first_month[i] > m - (CHURN_HISTORY_MONTHS - 1) ||
            vol_sum(d, i, m - horizon + 1, m) <= 0)
            continue;
        (*ids)[t->nrows] = d->ids[i];
        rc = add_row(ctx, d, t, i, m, -1);
    }
    return rc;
}
