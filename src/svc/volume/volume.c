/* volume.c -- monthly actuals from the rollups, split by one dimension, plus a forecast. */
#include "volume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"
#include "base/strmap.h"
#include "base/timeutil.h"
#include "product.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/group.h"
#include "svc/core/policy.h"

static const char *const dim_names[] = {"", "family", "region", "channel", "account", "month"};

int volume_dim_parse(const char *s, enum volume_dim *out)
{
    if (!s || !*s || !strcmp(s, "none")) {
        *out = VD_NONE;
        return 0;
    }
    for (int i = 1; i < (int)(sizeof dim_names / sizeof dim_names[0]); i++)
        if (!strcmp(s, dim_names[i])) {
            *out = (enum volume_dim)i;
            return 0;
        }
    return -1;
}

const char *volume_dim_name(enum volume_dim d)
{
    return dim_names[d];
}

int volume_month_parse(const char *s)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = atoi(s), m = atoi(s + 5);
    if (y < 1970 || y > 9999 || m < 1 || m > 12)
        return -1;
    return y * 100 + m;
}

int volume_month_add(int yyyymm, int months)
{
    int k = (yyyymm / 100) * 12 + (yyyymm % 100 - 1) + months;
    return (k / 12) * 100 + k % 12 + 1;
}

int volume_months_between(int from, int to)
{
    return ((to / 100) * 12 + to % 100) - ((from / 100) * 12 + from % 100) + 1;
}

int volume_this_month(const struct kam_ctx *ctx)
{
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    return y * 100 + m;
}

void volume_default_window(const struct kam_ctx *ctx, int *from_out, int *to_out)
{
    *to_out = volume_this_month(ctx);
    *from_out = volume_month_add(*to_out, -23);
}

int volume_history_months(const struct kam_ctx *ctx, int from, int to)
{
    return volume_months_between(from, to) - (to >= volume_this_month(ctx) ? 1 : 0);
}

int volume_compare_to(const struct kam_ctx *ctx, int from, int to)
{
    int now = volume_this_month(ctx), last = to < now ? to : now;
    return last < from ? to : last; /* a window wholly ahead compares all of it */
}

double volume_pct(int64_t a, int64_t b)
{
    double x = b ? (double)a * 100.0 / (double)b : 0;
    return (double)(int64_t)(x * 10 + (x < 0 ? -0.5 : 0.5)) / 10;
}

enum kam_err volume_unit(struct kam_ctx *ctx, const struct volume_sel *sel, const char **out)
{
    if (sel->quantity) {
        *out = "";
        return KAM_OK;
    }
    return fx_base(ctx, out);
}

/* The smallest rollup that answers a question (see volume.h) and its key column for `by`. */
struct source {
    const char *table, *key; /* key NULL: no split */
    int dims, accounts;      /* the table has family/region/channel, account_id */
};

static struct source pick(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by)
{
    struct source s;
    s.dims = sel->family || sel->region || sel->channel || by == VD_FAMILY || by == VD_REGION ||
             by == VD_CHANNEL;
    s.accounts = sel->account_id || by == VD_ACCOUNT || policy_list_scoped(&ctx->who);
    s.table = !s.accounts ? "sales_monthly_dim"
              : !s.dims   ? "sales_monthly_account"
                          : "sales_monthly";
    s.key = by == VD_FAMILY    ? "t.family"
            : by == VD_REGION  ? "t.region"
            : by == VD_CHANNEL ? "t.channel"
            : by == VD_ACCOUNT ? "t.account_id"
                               : NULL;
    return s;
}

/* Starts "... FROM <rollup> t WHERE" the months [from, to], the caller's scope (an IN over
 * their few accounts) and the selection, after the caller's select list `head` (which names
 * the key as %s and the summed column as %s). The caller appends GROUP BY and the rest. */
static void inner_query(struct kam_ctx *ctx, struct sqlb *b, const struct source *s,
                        const struct volume_sel *sel, const char *head, int from, int to)
{
    int scoped = policy_scope_with(ctx, b);
    char sql[512];
    snprintf(sql, sizeof sql, head, s->key ? s->key : "''",
             sel->quantity ? "t.quantity" : "t.amount");
    sqlb_sql(b, sql);
    snprintf(sql, sizeof sql, " FROM %s t WHERE t.month >= ? AND t.month <= ?", s->table);
    sqlb_sql(b, sql);
    sqlb_i64(b, from);
    sqlb_i64(b, to);
    if (scoped)
        sqlb_sql(b,
                 " AND t.account_id IN (SELECT accounts.id FROM accounts WHERE " POLICY_SCOPE_COND
                 ")");
    if (s->dims) {
        const char *const f[][2] = {{" AND t.family = ?", sel->family},
                                    {" AND t.region = ?", sel->region},
                                    {" AND t.channel = ?", sel->channel}};
        for (int i = 0; i < 3; i++)
            if (f[i][1]) {
                sqlb_sql(b, f[i][0]);
                sqlb_text(b, f[i][1]);
            }
    }
    if (s->accounts && sel->account_id) {
        sqlb_sql(b, sel->subsidiaries ? " AND t.account_id IN " GROUP_IDS_SQL
                                      : " AND t.account_id = ?");
        sqlb_i64(b, sel->account_id);
    }
}

enum kam_err volume_series(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by,
                           int from, int to, struct volume_series **out, size_t *n_out)
{
    int months = volume_months_between(from, to);
    if (from < 0 || to < 0 || months < 1)
        return kam_fail(ctx->err, KAM_EINVAL, "to", "to must not be before from");
    if (months > VOLUME_MAX_MONTHS)
        return kam_fail(ctx->err, KAM_EINVAL, "from", "at most %d months at once",
                        VOLUME_MAX_MONTHS);
    if (by == VD_MONTH)
        by = VD_NONE;
    struct source src = pick(ctx, sel, by);
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    /* Sum first, then name the accounts of the (few) result keys. */
    inner_query(ctx, &b, &src, sel,
                by == VD_ACCOUNT
                    ? "SELECT x.k, x.month, x.s, accounts.name FROM (SELECT %s AS k, "
                      "t.month AS month, SUM(%s) AS s"
                    : "SELECT x.k, x.month, x.s FROM (SELECT %s AS k, t.month AS month, "
                      "SUM(%s) AS s",
                from, to);
    char sql[128];
    if (src.key)
        snprintf(sql, sizeof sql, " GROUP BY %s, t.month) x", src.key);
    else
        snprintf(sql, sizeof sql, " GROUP BY t.month) x");
    sqlb_sql(&b, sql);
    sqlb_sql(&b, by == VD_ACCOUNT ? " JOIN accounts ON accounts.id = x.k ORDER BY 1, 2"
                                  : " ORDER BY 1, 2");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    /* Rows arrive grouped by key: one series per run of equal keys. */
    size_t cap = 16, n = 0;
    struct volume_series *v = arena_calloc(ctx->a, cap, sizeof *v);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        char kbuf[24];
        const char *k = db_col_text(st, 0);
        if (by == VD_ACCOUNT) {
            snprintf(kbuf, sizeof kbuf, "%lld", (long long)db_col_i64(st, 0));
            k = kbuf;
        }
        if (!n || strcmp(v[n - 1].key, k) != 0) {
            if (n == cap) {
                struct volume_series *bigger = arena_calloc(ctx->a, cap * 2, sizeof *v);
                memcpy(bigger, v, n * sizeof *v);
                v = bigger;
                cap *= 2;
            }
            v[n].key = arena_strdup(ctx->a, k);
            v[n].label = by == VD_ACCOUNT ? arena_strdup(ctx->a, db_col_text(st, 3)) : v[n].key;
            v[n].values = arena_calloc(ctx->a, (size_t)months, sizeof(int64_t));
            n++;
        }
        int i = volume_months_between(from, (int)db_col_i64(st, 1)) - 1;
        if (i >= 0 && i < months) {
            v[n - 1].values[i] = db_col_i64(st, 2);
            v[n - 1].total += v[n - 1].values[i];
        }
    }
    db_done(st);
    if (rc)
        return rc;
    if (by == VD_NONE && n == 0) {
        v[0].key = v[0].label = "";
        v[0].values = arena_calloc(ctx->a, (size_t)months, sizeof(int64_t));
        n = 1;
    }
    /* Largest first; equal totals by key. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i;
             j > 0 && (v[j].total > v[j - 1].total ||
                       (v[j].total == v[j - 1].total && strcmp(v[j].key, v[j - 1].key) < 0));
             j--) {
            struct volume_series t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *out = v;
    *n_out = n < VOLUME_MAX_KEYS ? n : VOLUME_MAX_KEYS;
    return KAM_OK;
}

enum kam_err volume_totals(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by,
                           int from, int to, size_t limit, struct volume_total **out, size_t *n_out)
{
    if (from < 0 || to < 0 || to < from)
        return kam_fail(ctx->err, KAM_EINVAL, "to", "to must not be before from");
    if (by == VD_MONTH)
        by = VD_NONE;
    struct source src = pick(ctx, sel, by);
    const char *key = src.key;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    /* Sum first, then join the few result rows to accounts for names. */
    inner_query(ctx, &b, &src, sel,
                by == VD_ACCOUNT
                    ? "SELECT x.k, x.s, accounts.name FROM (SELECT %s AS k, SUM(%s) AS s"
                    : "SELECT x.k, x.s FROM (SELECT %s AS k, SUM(%s) AS s",
                from, to);
    if (key) {
        char sql[128];
        snprintf(sql, sizeof sql, " GROUP BY %s", key);
        sqlb_sql(&b, sql);
    }
    sqlb_sql(&b, by == VD_ACCOUNT ? ") x JOIN accounts ON accounts.id = x.k ORDER BY 2 DESC, 1"
                                  : ") x ORDER BY 2 DESC, 1");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 64, n = 0;
    struct volume_total *v = arena_calloc(ctx->a, cap, sizeof *v);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && n < limit) {
        if (!key && db_col_is_null(st, 1))
            break;
        if (n == cap) {
            struct volume_total *w = arena_calloc(ctx->a, cap * 2, sizeof *v);
            memcpy(w, v, n * sizeof *v);
            v = w;
            cap *= 2;
        }
        v[n].key = by == VD_ACCOUNT ? arena_printf(ctx->a, "%lld", (long long)db_col_i64(st, 0))
                   : key            ? arena_strdup(ctx->a, db_col_text(st, 0))
                                    : "";
        v[n].label = by == VD_ACCOUNT ? arena_strdup(ctx->a, db_col_text(st, 2)) : v[n].key;
        v[n].total = db_col_i64(st, 1);
        n++;
    }
    db_done(st);
    *out = v;
    *n_out = n;
    return rc;
}

const struct volume_total *volume_total_find(const struct volume_total *t, size_t n,
                                             const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].key, key))
            return &t[i];
    return NULL;
}

static enum kam_err forecast_values(struct kam_ctx *ctx, const int64_t *values, int n, int horizon,
                                    struct volume_forecast *out);

enum kam_err volume_forecast(struct kam_ctx *ctx, const int64_t *values, int n, int horizon,
                             struct volume_forecast *out)
{
    memset(out, 0, sizeof *out);
    if (horizon < 1 || horizon > 36)
        return kam_fail(ctx->err, KAM_EINVAL, "horizon", "horizon must be 1..36 months");
    return forecast_values(ctx, values, n, horizon, out);
}

enum kam_err volume_forecast_sel(struct kam_ctx *ctx, const struct volume_sel *sel, int start,
                                 int horizon, struct volume_forecast *out)
{
    memset(out, 0, sizeof *out);
    if (horizon < 1 || horizon > 36)
        return kam_fail(ctx->err, KAM_EINVAL, "horizon", "horizon must be 1..36 months");
    /* History: every complete month before start (the month in progress is not history), as
     * far back as VOLUME_MAX_MONTHS; months past it up to start are forecast and dropped. */
    int now = volume_this_month(ctx), last = volume_month_add(start, -1), ahead = 0;
    if (last >= now) {
        ahead = volume_months_between(now, last);
        last = volume_month_add(now, -1);
    }
    if (ahead + horizon > VOLUME_MAX_MONTHS)
        return kam_fail(ctx->err, KAM_EINVAL, "from", "the window is too far ahead to forecast");
    int first = volume_month_add(last, -(VOLUME_MAX_MONTHS - 1));
    struct volume_series *v;
    size_t n;
    enum kam_err rc = volume_series(ctx, sel, VD_NONE, first, last, &v, &n);
    if (rc)
        return rc;
    if ((rc = forecast_values(ctx, v[0].values, VOLUME_MAX_MONTHS, ahead + horizon, out)))
        return rc;
    double *b[5] = {out->mean, out->lo80, out->hi80, out->lo95, out->hi95};
    for (int k = 0; k < 5; k++)
        memmove(b[k], b[k] + ahead, (size_t)horizon * sizeof(double));
    out->horizon = horizon;
    for (int i = 0; i < out->n_outliers; i++)
        out->outliers[i] = volume_month_add(first, out->outliers[i]);
    return KAM_OK;
}

static enum kam_err forecast_values(struct kam_ctx *ctx, const int64_t *values, int n, int horizon,
                                    struct volume_forecast *out)
{
    /* Leading months without sales are before the data began, not zero sales. */
    int skip = 0;
    while (skip < n && values[skip] == 0)
        skip++;
    double *y = arena_alloc(ctx->a, (size_t)(n > 0 ? n : 1) * sizeof *y);
    for (int i = skip; i < n; i++)
        y[i - skip] = (double)values[i];
    out->horizon = horizon;
    out->mean = arena_calloc(ctx->a, (size_t)horizon, sizeof(double));
    out->lo80 = arena_calloc(ctx->a, (size_t)horizon, sizeof(double));
    out->hi80 = arena_calloc(ctx->a, (size_t)horizon, sizeof(double));
    out->lo95 = arena_calloc(ctx->a, (size_t)horizon, sizeof(double));
    out->hi95 = arena_calloc(ctx->a, (size_t)horizon, sizeof(double));
    struct fc_result r = {out->mean, out->lo80, out->hi80, out->lo95, out->hi95, {0}};
    char why[128];
    if (n - skip < FC_MIN_N)
        return kam_fail(ctx->err, KAM_EINVAL, "from",
                        "a forecast needs at least %d months of sales", FC_MIN_N);
    struct fc_info info;
    int frc = fc_forecast_info(y, n - skip, 12, horizon, NULL, &r, &info, why, sizeof why);
    if (frc == FC_ENOMEM) /* not the series' fault: no forecast is made of it (base/err.h) */
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    if (frc)
        return kam_fail(ctx->err, KAM_EINVAL, "from", "no forecast: %s", why);
    snprintf(out->method, sizeof out->method, "%s", r.method);
    int cap = (int)(sizeof out->outliers / sizeof *out->outliers);
    out->n_outliers = info.n_outliers < cap ? info.n_outliers : cap;
    if (out->n_outliers > FC_MAX_OUTLIERS)
        out->n_outliers = FC_MAX_OUTLIERS;
    for (int i = 0; i < out->n_outliers; i++)
        out->outliers[i] = skip + info.outliers[i];
    return KAM_OK;
}
