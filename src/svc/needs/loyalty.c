/* loyalty.c -- loyalty by group and period beside NPS (see loyalty.h). One set-based query over
 * sales_monthly_account counts the accounts per group and period; the satisfaction trend gives
 * the NPS of the same cells. */
#include "loyalty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/timeutil.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/policy.h"

int64_t loyalty_period_index(int yyyymm, const char *period)
{
    int64_t y = yyyymm / 100, m = yyyymm % 100;
    if (!strcmp(period, "year"))
        return y;
    if (!strcmp(period, "quarter"))
        return y * 4 + (m - 1) / 3;
    return y * 12 + m - 1;
}

void loyalty_period_key(int64_t idx, const char *period, char *out, size_t n)
{
    if (!strcmp(period, "year"))
        snprintf(out, n, "%04lld", (long long)idx);
    else if (!strcmp(period, "quarter"))
        snprintf(out, n, "%04lld-Q%lld", (long long)(idx / 4), (long long)(idx % 4 + 1));
    else
        snprintf(out, n, "%04lld-%02lld", (long long)(idx / 12), (long long)(idx % 12 + 1));
}

/* The first (last = 0) or last (last = 1) month (YYYYMM) of period index idx. */
static int64_t period_month(int64_t idx, const char *period, int last)
{
    if (!strcmp(period, "year"))
        return idx * 100 + (last ? 12 : 1);
    int64_t m0 = !strcmp(period, "quarter") ? idx * 3 + (last ? 2 : 0) : idx;
    return (m0 / 12) * 100 + m0 % 12 + 1;
}

/* The YYYYMM of a YYYY-MM-DD date (checked by sat_filter_check before). */
static int date_month(const char *s)
{
    int y = 0, m = 0, d = 0;
    date_parse(s, &y, &m, &d);
    return y * 100 + m;
}

/* The first (last = 0) or last (last = 1) day (YYYY-MM-DD) of month yyyymm. */
static const char *month_day(struct kam_ctx *ctx, int64_t yyyymm, int last)
{
    int y = (int)(yyyymm / 100), m = (int)(yyyymm % 100), d = 1;
    if (last) {
        int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
        days_to_date(date_to_days(ny, nm, 1) - 1, &y, &m, &d);
    }
    return arena_printf(ctx->a, "%04d-%02d-%02d", y, m, d);
}

/* The key of a cell in the maps below: group, then the period index or key (no length limit: a
 * region may be 60 Chinese characters). */
static const char *cell_key(struct kam_ctx *ctx, const char *group, int64_t idx, const char *key)
{
    return key ? arena_printf(ctx->a, "%s\x1f%s", group, key)
               : arena_printf(ctx->a, "%s\x1f%lld", group, (long long)idx);
}

static int cell_cmp(const void *a, const void *b)
{
    const struct loyalty_cell *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    return c ? c : strcmp(x->period, y->period);
}

static const char *dup_or(struct kam_ctx *ctx, struct db_stmt *st, int col, const char *dflt)
{
    return db_col_is_null(st, col) ? dflt : arena_strdup(ctx->a, db_col_text(st, col));
}

/* The rules (docs/API.md, GET /api/v1/satisfaction/loyalty):
 * - Sales months are the months (China time, UTC+8, as every sales figure) of the order lines,
 *   from the monthly rollup sales_monthly_account; an account bought in a month when its rollup
 *   row of that month has a net amount > 0 (the lines' amounts less returns and credit notes: a
 *   month of only returns, or whose returns cancel its orders, is not a purchase). A period is a
 *   month, a quarter or a year of such months.
 * - An account counts in the group of its current tier, region, owner or owner's team (as the
 *   satisfaction trend), within the caller's record scope (policy_scope_with, the trend's path)
 *   and the filters account_id, owner_id, team_id, tier, region.
 * - buyers: the accounts that bought in the period. retained_from: the accounts that bought in
 *   the previous period of the same length (the month, quarter or year before). retained: of
 *   those, the ones that bought in this period too. retention_rate = 100 * retained /
 *   retained_from (null when retained_from = 0).
 * - repeat_buyers: for a quarter or a year, the accounts that bought in at least 2 distinct
 *   months of the period; for a month, the accounts that bought in this month and in the month
 *   before (a month has one month: the rule of the month period equals retained). repeat_rate =
 *   100 * repeat_buyers / buyers (null when buyers = 0).
 * - Periods: from the one containing `from` (none: the first with sales) to the one containing
 *   `to` (none, or later than now: the current one); whole periods are counted (from/to choose
 *   periods, they do not cut them) up to the current month (China time) included: a line dated
 *   in a later month is not counted, one dated later this month is. A cell is listed when
 *   buyers > 0, retained_from > 0 or the satisfaction trend has the cell. The current period is
 *   partial (still running).
 * - Beside each cell, the trend's cell over the same group and filters, its dates widened to the
 *   chosen periods' edges (the first day of from's period, the last day of to's), so NPS covers
 *   the same whole periods as the sales: responses, hidden and NPS under the trend's minimum-n
 *   rules (a figure whose filter complement is too small is hidden rather than refused: soft). */
enum kam_err loyalty_trend(struct kam_ctx *ctx, const char *group, const char *period,
                           const struct sat_filter *f, struct loyalty_trend *out)
{
    memset(out, 0, sizeof *out);
    if (!group)
        group = "all";
    if (!period)
        period = "month";
    /* the filters (400 naming the field) before their dates are read */
    enum kam_err rc = sat_filter_check(ctx, f);
    if (rc)
        return rc;
    char pk[16];
    sat_period_key(ctx->now, "month", pk, sizeof pk);
    int now_month = atoi(pk) * 100 + atoi(pk + 5);
    int64_t cur = loyalty_period_index(now_month, period);
    int64_t hi = f->to ? loyalty_period_index(date_month(f->to), period) : cur;
    if (hi > cur)
        hi = cur;
    int64_t lo = f->from ? loyalty_period_index(date_month(f->from), period) : 0;
    char cur_key[16];
    loyalty_period_key(cur, period, cur_key, sizeof cur_key);

    /* the trend over the same whole periods: from/to widened to the periods' edges (checks group
     * and period: 400 naming the field) */
    struct sat_filter sf = *f;
    sf.soft = 1;
    if (f->from)
        sf.from = month_day(ctx, period_month(lo, period, 0), 0);
    if (f->to) /* to's own period (not cut at now: never before from's) */
        sf.to = month_day(
            ctx, period_month(loyalty_period_index(date_month(f->to), period), period, 1), 1);
    struct sat_trend tr;
    if ((rc = sat_trend(ctx, group, period, &sf, &tr)))
        return rc;
    out->may_read = tr.may_read;

    const char *pexpr = !strcmp(period, "year") ? "s.month / 100"
                        : !strcmp(period, "quarter")
                            ? "(s.month / 100) * 4 + (s.month % 100 - 1) / 3"
                            : "(s.month / 100) * 12 + s.month % 100 - 1";
    const char *gcols = !strcmp(group, "account")  ? "accounts.id, NULL, accounts.name"
                        : !strcmp(group, "tier")   ? "NULL, accounts.tier, accounts.tier"
                        : !strcmp(group, "region") ? "NULL, accounts.region, accounts.region"
                        : !strcmp(group, "owner")  ? "accounts.owner_id, NULL, ou.name"
                        : !strcmp(group, "team")   ? "ou.team_id, NULL, teams.name"
                                                   : "NULL, 'all', 'all'";
    const char *gby = !strcmp(group, "account")  ? "accounts.id, accounts.name, "
                      : !strcmp(group, "tier")   ? "accounts.tier, "
                      : !strcmp(group, "region") ? "accounts.region, "
                      : !strcmp(group, "owner")  ? "accounts.owner_id, ou.name, "
                      : !strcmp(group, "team")   ? "ou.team_id, teams.name, "
                                                 : "";
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    int scoped = policy_scope_with(ctx, &b);
    sqlb_sql(&b, scoped ? ", " : "WITH ");
    /* ap: per account and period, the months it bought in (nm); al: with the account's period
     * before that one (pp). Per group and period: buyers, retained (pp = p - 1: bought in the
     * period before too), repeat (nm >= 2). retained_from(p) is buyers(p - 1) of the same group
     * (an account's group does not depend on the period): added below. */
    sqlb_sql(&b, "ap AS (SELECT s.account_id, ");
    sqlb_sql(&b, pexpr);
    sqlb_sql(&b, " AS p, COUNT(*) AS nm FROM sales_monthly_account s WHERE s.amount > 0 AND "
                 "s.month >= ? AND s.month <= ? GROUP BY s.account_id, ");
    sqlb_sql(&b, pexpr);
    sqlb_sql(&b, "), al AS (SELECT account_id, p, nm, LAG(p) OVER (PARTITION BY account_id ORDER "
                 "BY p) AS pp FROM ap) SELECT ");
    sqlb_i64(&b, lo > 0 ? period_month(lo - 1, period, 0) : 0);
    /* no month after now's: a line dated later has not happened yet */
    int64_t last = period_month(hi, period, 1);
    sqlb_i64(&b, last < now_month ? last : now_month);
    sqlb_sql(&b, gcols);
    sqlb_sql(&b, ", al.p, COUNT(*), SUM(CASE WHEN al.pp = al.p - 1 THEN 1 ELSE 0 END), SUM(CASE "
                 "WHEN al.nm >= 2 THEN 1 ELSE 0 END) FROM al JOIN accounts ON accounts.id = "
                 "al.account_id LEFT JOIN users ou ON ou.id = accounts.owner_id LEFT JOIN teams ON "
                 "teams.id = ou.team_id WHERE 1 = 1");
    if (scoped)
        sqlb_sql(&b, " AND " POLICY_SCOPE_COND);
    if (f->account_id) {
        sqlb_sql(&b, " AND accounts.id = ?");
        sqlb_i64(&b, f->account_id);
    }
    if (f->owner_id) {
        sqlb_sql(&b, " AND accounts.owner_id = ?");
        sqlb_i64(&b, f->owner_id);
    }
    if (f->team_id) {
        /* policy.h's one team rule, as the trend's filter */
        sqlb_sql(&b, " AND accounts.owner_id IN (WITH RECURSIVE " POLICY_TEAM_TT
                     "tq(uid) AS (SELECT uid FROM tp) SELECT uid FROM tq)");
        sqlb_i64(&b, f->team_id);
    }
    if (f->tier) {
        sqlb_sql(&b, " AND accounts.tier = ?");
        sqlb_text(&b, f->tier);
    }
    if (f->region) {
        sqlb_sql(&b, " AND accounts.region = ?");
        sqlb_text(&b, f->region);
    }
    sqlb_sql(&b, " GROUP BY ");
    sqlb_sql(&b, gby);
    sqlb_sql(&b, "al.p");
    struct db_stmt *st;
    if ((rc = sqlb_prepare(&b, ctx->db, &st, ctx->err)))
        return rc;
    /* cells of the sales (periods lo - 1 .. hi), each possibly followed by one with no buyers
     * (retained_from only): 2 per row at most */
    size_t cap = 64, n = 0;
    struct loyalty_cell *c = arena_calloc(ctx->a, cap, sizeof *c);
    int row = 0, month = !strcmp(period, "month");
    char gk[24], key[16];
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (n >= 2 * (size_t)SAT_MAX_GROUPS) {
            rc = kam_fail(ctx->err, KAM_ETOOBIG, "group",
                          "more than %d groups and periods: narrow the dates or the group",
                          SAT_MAX_GROUPS);
            break;
        }
        if (n == cap) {
            struct loyalty_cell *g = arena_calloc(ctx->a, cap * 2, sizeof *g);
            memcpy(g, c, cap * sizeof *g);
            c = g;
            cap *= 2;
        }
        struct loyalty_cell *x = &c[n++];
        if (!db_col_is_null(st, 0)) {
            snprintf(gk, sizeof gk, "%lld", (long long)db_col_i64(st, 0));
            x->group = arena_strdup(ctx->a, gk);
        } else {
            x->group = dup_or(ctx, st, 1, "");
        }
        x->name = dup_or(ctx, st, 2, "");
        x->index = db_col_i64(st, 3);
        x->buyers = db_col_i64(st, 4);
        x->retained = db_col_i64(st, 5);
        x->repeat_buyers = month ? x->retained : db_col_i64(st, 6);
    }
    db_done(st);
    if (rc)
        return rc;

    /* retained_from: the same group's buyers of the period before; a group's period after its
     * last buyers (up to hi) gets a cell of its own (no buyers, all lost) */
    struct strmap m;
    strmap_init(&m);
    for (size_t i = 0; i < n; i++) {
        const char *k = cell_key(ctx, c[i].group, c[i].index, NULL);
        strmap_put(&m, k, strlen(k), &c[i]);
    }
    size_t nsales = n;
    struct loyalty_cell *all = arena_calloc(ctx->a, 2 * nsales + tr.n + 1, sizeof *all);
    size_t na = 0;
    for (size_t i = 0; i < nsales; i++) {
        struct loyalty_cell *x = &c[i];
        const char *k = cell_key(ctx, x->group, x->index - 1, NULL);
        const struct loyalty_cell *before = strmap_get(&m, k, strlen(k));
        x->retained_from = before ? before->buyers : 0;
        if (x->index >= lo)
            all[na++] = *x;
        k = cell_key(ctx, x->group, x->index + 1, NULL);
        if (x->index + 1 <= hi && x->index + 1 >= lo && !strmap_get(&m, k, strlen(k))) {
            struct loyalty_cell *y = &all[na++];
            y->group = x->group;
            y->name = x->name;
            y->index = x->index + 1;
            y->retained_from = x->buyers;
        }
    }
    strmap_release(&m);
    c = all;
    n = na;
    if (n > SAT_MAX_GROUPS)
        return kam_fail(ctx->err, KAM_ETOOBIG, "group",
                        "more than %d groups and periods: narrow the dates or the group",
                        SAT_MAX_GROUPS);
    for (size_t i = 0; i < n; i++) {
        loyalty_period_key(c[i].index, period, key, sizeof key);
        c[i].period = arena_strdup(ctx->a, key);
        c[i].partial = c[i].index == cur;
    }

    /* the trend's cells beside: matched by group and period; cells with NPS but no sales (room
     * made above: the map points into c) */
    strmap_init(&m);
    nsales = n;
    for (size_t i = 0; i < nsales; i++) {
        const char *k = cell_key(ctx, c[i].group, 0, c[i].period);
        strmap_put(&m, k, strlen(k), &c[i]);
    }
    for (size_t i = 0; i < tr.n && !rc; i++) {
        const struct sat_point *p = &tr.p[i];
        const char *k = cell_key(ctx, p->group, 0, p->period);
        struct loyalty_cell *x = strmap_get(&m, k, strlen(k));
        if (x) {
            x->sat = p;
            continue;
        }
        if (n == SAT_MAX_GROUPS) {
            rc = kam_fail(ctx->err, KAM_ETOOBIG, "group",
                          "more than %d groups and periods: narrow the dates or the group",
                          SAT_MAX_GROUPS);
            break;
        }
        struct loyalty_cell *y = &c[n++];
        y->group = p->group;
        y->name = p->name;
        y->period = p->period;
        y->partial = !strcmp(p->period, cur_key);
        y->sat = p;
    }
    strmap_release(&m);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct loyalty_cell *x = &c[i];
        if ((x->has_retention = x->retained_from > 0))
            x->retention_rate = 100.0 * (double)x->retained / (double)x->retained_from;
        if ((x->has_repeat = x->buyers > 0))
            x->repeat_rate = 100.0 * (double)x->repeat_buyers / (double)x->buyers;
    }
    if (n)
        qsort(c, n, sizeof *c, cell_cmp);
    out->n = n;
    out->c = c;
    return KAM_OK;
}
