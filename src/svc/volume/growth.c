/* growth.c -- last year's figure, like for like (growth.h). */
#include "growth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/group.h"
#include "svc/core/policy.h"

static int64_t month_days(int y, int m)
{
    return (m == 12 ? date_to_days(y + 1, 1, 1) : date_to_days(y, m + 1, 1)) -
           date_to_days(y, m, 1);
}

int growth_started(const struct kam_ctx *ctx, int from)
{
    return ctx->now / 86400 >= date_to_days(from / 100, from % 100, 1);
}

/* The last day a year before that the rule compares, for a period ending in `to`. */
static int64_t last_day(const struct kam_ctx *ctx, int from, int to)
{
    int now_m = volume_this_month(ctx);
    int ly = to / 100 - 1, lm = to % 100;
    int64_t end = date_to_days(ly, lm, 1) + month_days(ly, lm) - 1;
    if (to < now_m || from > now_m)
        return end; /* wholly past, or not started: the whole months */
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int64_t dd = month_days(y - 1, m);
    return date_to_days(y - 1, m, 1) + (d < dd ? d : dd) - 1;
}

void growth_window(const struct kam_ctx *ctx, int from, int to, int64_t *day_from, int64_t *day_to)
{
    *day_from = date_to_days(from / 100 - 1, from % 100, 1);
    *day_to = last_day(ctx, from, to);
}

/* The order lines of days [d0, d1] per key of `by`, added into the map's totals. */
static enum kam_err partial(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by,
                            int64_t d0, int64_t d1, struct volume_total **v, size_t *n, size_t *cap,
                            struct strmap *map)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    const char *key = by == VD_FAMILY    ? "p.family"
                      : by == VD_REGION  ? "o.region"
                      : by == VD_CHANNEL ? "o.channel"
                      : by == VD_ACCOUNT ? "o.account_id"
                                         : "''";
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT x.k, x.s%s FROM (SELECT %s AS k, SUM(o.%s) AS s FROM order_lines o JOIN "
             "products p ON p.id = o.product_id WHERE o.day >= ? AND o.day <= ?",
             by == VD_ACCOUNT ? ", accounts.name" : "", key,
             sel->quantity ? "quantity" : "amount_base");
    sqlb_sql(&b, sql);
    sqlb_i64(&b, d0);
    sqlb_i64(&b, d1);
    if (scoped)
        sqlb_sql(&b,
                 " AND o.account_id IN (SELECT accounts.id FROM accounts WHERE " POLICY_SCOPE_COND
                 ")");
    const char *const f[][2] = {{" AND p.family = ?", sel->family},
                                {" AND o.region = ?", sel->region},
                                {" AND o.channel = ?", sel->channel}};
    for (int i = 0; i < 3; i++)
        if (f[i][1]) {
            sqlb_sql(&b, f[i][0]);
            sqlb_text(&b, f[i][1]);
        }
    if (sel->account_id) { /* as volume.c's inner_query: with its subsidiaries when asked */
        sqlb_sql(&b, sel->subsidiaries ? " AND o.account_id IN " GROUP_IDS_SQL
                                       : " AND o.account_id = ?");
        sqlb_i64(&b, sel->account_id);
    }
    int keyed = by != VD_NONE && by != VD_MONTH;
    snprintf(sql, sizeof sql, "%s%s) x%s", keyed ? " GROUP BY " : "", keyed ? key : "",
             by == VD_ACCOUNT ? " JOIN accounts ON accounts.id = x.k" : "");
    sqlb_sql(&b, sql);
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (db_col_is_null(st, 1))
            continue; /* SUM over no lines */
        const char *k =
            by == VD_ACCOUNT ? arena_printf(ctx->a, "%lld", (long long)db_col_i64(st, 0))
            : by == VD_NONE || by == VD_MONTH ? ""
                                              : arena_strdup(ctx->a, db_col_text(st, 0));
        intptr_t at = (intptr_t)strmap_get(map, k, strlen(k));
        if (!at) {
            if (*n == *cap) {
                struct volume_total *w = arena_calloc(ctx->a, *cap * 2, sizeof *w);
                memcpy(w, *v, *n * sizeof *w);
                *v = w;
                *cap *= 2;
            }
            (*v)[*n].key = k;
            (*v)[*n].label = by == VD_ACCOUNT ? arena_strdup(ctx->a, db_col_text(st, 2)) : k;
            (*v)[*n].total = 0;
            strmap_put(map, k, strlen(k), (void *)(intptr_t)(*n + 1));
            at = (intptr_t)++ * n;
        }
        (*v)[at - 1].total += db_col_i64(st, 1);
    }
    db_done(st);
    return rc;
}

static int by_total(const void *a, const void *b)
{
    const struct volume_total *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->key, y->key);
}

enum kam_err growth_last_year(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by,
                              int from, int to, struct volume_total **out, size_t *n_out)
{
    if (by == VD_MONTH)
        by = VD_NONE;
    const size_t all = (size_t)-1;
    int now_m = volume_this_month(ctx);
    if (to < now_m || from > now_m)
        return volume_totals(ctx, sel, by, volume_month_add(from, -12), volume_month_add(to, -12),
                             all, out, n_out);
    /* In progress: the complete months whole, then the days of the month in progress. */
    struct volume_total *v = NULL;
    size_t n = 0;
    enum kam_err rc;
    if (from < now_m && (rc = volume_totals(ctx, sel, by, volume_month_add(from, -12),
                                            volume_month_add(now_m, -13), all, &v, &n)))
        return rc;
    size_t cap = n < 16 ? 16 : n;
    struct volume_total *w = arena_calloc(ctx->a, cap, sizeof *w);
    if (n)
        memcpy(w, v, n * sizeof *w);
    struct strmap map;
    strmap_init(&map);
    for (size_t i = 0; i < n; i++)
        strmap_put(&map, w[i].key, strlen(w[i].key), (void *)(intptr_t)(i + 1));
    int64_t d1 = last_day(ctx, from, to);
    int ly = now_m / 100 - 1, lm = now_m % 100;
    rc = partial(ctx, sel, by, date_to_days(ly, lm, 1), d1, &w, &n, &cap, &map);
    strmap_release(&map);
    if (rc)
        return rc;
    qsort(w, n, sizeof *w, by_total);
    *out = w;
    *n_out = n;
    return KAM_OK;
}
