/* insight.c -- reads for the behaviour profile, cross-sell and affinity. */
#include "insight.h"

#include <stdlib.h>
#include <string.h>

#include "sales.h"
#include "store/db.h"
#include "store/sqlb.h"
#include "svc/core/group.h"
#include "svc/core/policy.h"
#include "volume.h"

#define CROSS_SELL_K 10

static int month_index(int yyyymm)
{
    return (yyyymm / 100) * 12 + yyyymm % 100 - 1;
}

/* The exact order days of the account (one "order" per day) with the day's amount; of the
 * account and its subsidiaries the caller may read when subs. */
static enum kam_err order_days(struct kam_ctx *ctx, int64_t account_id, int subs, int32_t **days,
                               int64_t **amounts, int *n)
{
    struct db_stmt *st;
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT day, SUM(amount_base) FROM order_lines WHERE account_id ");
    if (subs) {
        sqlb_sql(&b, "IN ");
        group_sql(ctx, &b, account_id);
    } else {
        sqlb_sql(&b, "= ?");
        sqlb_i64(&b, account_id);
    }
    sqlb_sql(&b, " GROUP BY day ORDER BY day LIMIT 100000");
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 256;
    *days = arena_alloc(ctx->a, cap * sizeof **days);
    *amounts = arena_alloc(ctx->a, cap * sizeof **amounts);
    *n = 0;
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if ((size_t)*n == cap) {
            int32_t *d2 = arena_alloc(ctx->a, cap * 2 * sizeof *d2);
            int64_t *a2 = arena_alloc(ctx->a, cap * 2 * sizeof *a2);
            memcpy(d2, *days, cap * sizeof *d2);
            memcpy(a2, *amounts, cap * sizeof *a2);
            *days = d2;
            *amounts = a2;
            cap *= 2;
        }
        (*days)[*n] = (int32_t)db_col_i64(st, 0);
        (*amounts)[*n] = db_col_i64(st, 1);
        (*n)++;
    }
    db_done(st);
    return rc;
}

/* RFM scores against every account, all from the last twelve months of the account rollup:
 * recency in months since the last month with sales, frequency as order lines, monetary. The
 * scored figures are those of the accounts ids[0..nids) together (a group: the latest month,
 * the sums); the others are scored against every account. */
static enum kam_err rfm_scores(struct kam_ctx *ctx, const int64_t *ids, size_t nids,
                               struct behaviour_rfm_score *out)
{
    int now = volume_this_month(ctx), from = volume_month_add(now, -11);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT account_id, MAX(month), SUM(lines), SUM(amount) FROM "
                                 "sales_monthly_account WHERE month >= ? AND month <= ? AND "
                                 "lines > 0 GROUP BY account_id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, from);
    db_bind_i64(st, 2, now);
    size_t cap = 1024, n = 0;
    int64_t *r = malloc(cap * sizeof *r), *f = malloc(cap * sizeof *f),
            *m = malloc(cap * sizeof *m);
    struct behaviour_rfm mine = {0};
    int row = 0;
    /* The out-of-memory policy (base/err.h): scores from part of the accounts would be wrong
     * without a word, so a failed allocation fails the request. */
    if (!r || !f || !m)
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    while (!rc && !(rc = db_step(st, &row, ctx->err)) && row) {
        if (n == cap) {
            int64_t *r2 = realloc(r, 2 * cap * sizeof *r);
            if (r2)
                r = r2;
            int64_t *f2 = r2 ? realloc(f, 2 * cap * sizeof *f) : NULL;
            if (f2)
                f = f2;
            int64_t *m2 = f2 ? realloc(m, 2 * cap * sizeof *m) : NULL;
            if (m2)
                m = m2;
            if (!m2) {
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                break;
            }
            cap *= 2;
        }
        r[n] = (month_index(now) - month_index((int)db_col_i64(st, 1))) * 30;
        f[n] = db_col_i64(st, 2);
        m[n] = db_col_i64(st, 3);
        if (group_has(ids, nids, db_col_i64(st, 0))) {
            if (!mine.has_orders || r[n] < mine.recency_days)
                mine.recency_days = (int32_t)r[n];
            mine.has_orders = 1;
            mine.frequency += f[n];
            mine.monetary += m[n];
        }
        n++;
    }
    db_done(st);
    if (!rc) {
        behaviour_sort_i64(r, (int)n);
        behaviour_sort_i64(f, (int)n);
        behaviour_sort_i64(m, (int)n);
        if (!mine.has_orders)
            mine.recency_days = 100000;
        behaviour_rfm_score(&mine, r, f, m, (int)n, out);
    }
    free(r);
    free(f);
    free(m);
    return rc;
}

/* The last twelve complete months' amounts, accounts x families (rows in account order). */
struct matrix {
    int64_t *accounts;
    const char **families;
    double *v;
    int na, nf;
};

static enum kam_err load_matrix(struct kam_ctx *ctx, struct matrix *mx)
{
    memset(mx, 0, sizeof *mx);
    int now = volume_this_month(ctx);
    int to = volume_month_add(now, -1), from = volume_month_add(now, -12);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT DISTINCT family FROM sales_monthly WHERE month >= ? AND "
                                 "month <= ? LIMIT 65",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, from);
    db_bind_i64(st, 2, to);
    mx->families = arena_calloc(ctx->a, 65, sizeof *mx->families);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && mx->nf < BEHAVIOUR_MAX_FAMILIES)
        mx->families[mx->nf++] = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    if (rc)
        return rc;
    /* A stable family order on every engine. */
    for (int i = 1; i < mx->nf; i++)
        for (int j = i; j > 0 && strcmp(mx->families[j], mx->families[j - 1]) < 0; j--) {
            const char *t = mx->families[j];
            mx->families[j] = mx->families[j - 1];
            mx->families[j - 1] = t;
        }
    if ((rc = db_prepare(ctx->db,
                         "SELECT account_id, family, SUM(amount) FROM sales_monthly WHERE month >= "
                         "? AND month <= ? GROUP BY account_id, family ORDER BY account_id",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, from);
    db_bind_i64(st, 2, to);
    size_t cap = 256;
    mx->accounts = arena_alloc(ctx->a, cap * sizeof *mx->accounts);
    mx->v = arena_calloc(ctx->a, cap * (size_t)(mx->nf ? mx->nf : 1), sizeof *mx->v);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acct = db_col_i64(st, 0);
        if (!mx->na || mx->accounts[mx->na - 1] != acct) {
            if ((size_t)mx->na == cap) {
                int64_t *a2 = arena_alloc(ctx->a, cap * 2 * sizeof *a2);
                double *v2 = arena_calloc(ctx->a, cap * 2 * (size_t)mx->nf, sizeof *v2);
                memcpy(a2, mx->accounts, cap * sizeof *a2);
                memcpy(v2, mx->v, cap * (size_t)mx->nf * sizeof *v2);
                mx->accounts = a2;
                mx->v = v2;
                cap *= 2;
            }
            mx->accounts[mx->na++] = acct;
        }
        const char *fam = db_col_text(st, 1);
        int64_t amount = db_col_i64(st, 2);
        for (int k = 0; k < mx->nf; k++)
            if (!strcmp(mx->families[k], fam) && amount > 0)
                mx->v[(size_t)(mx->na - 1) * (size_t)mx->nf + (size_t)k] = (double)amount;
    }
    db_done(st);
    return rc;
}

/* The account's name into *out ("" when it is gone). */
static enum kam_err account_name(struct kam_ctx *ctx, int64_t id, const char **out)
{
    struct db_stmt *st;
    *out = "";
    enum kam_err rc = db_prepare(ctx->db, "SELECT name FROM accounts WHERE id = ?", &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, id);
    int row = 0;
    if (!(rc = db_step(st, &row, ctx->err)) && row)
        *out = arena_strdup(ctx->a, db_col_text(st, 0));
    db_done(st);
    return rc;
}

static enum kam_err cross_sell(struct kam_ctx *ctx, struct insight_profile *p, const int64_t *ids,
                               size_t nids)
{
    struct matrix mx;
    enum kam_err rc = load_matrix(ctx, &mx);
    if (rc)
        return rc;
    /* A group is one row: its accounts' rows added into the first, the others emptied (an
     * empty row is nobody's neighbour). */
    int target = -1;
    for (int i = 0; i < mx.na; i++) {
        if (!group_has(ids, nids, mx.accounts[i]))
            continue;
        if (target < 0) {
            target = i;
            continue;
        }
        double *to = mx.v + (size_t)target * (size_t)mx.nf,
               *from = mx.v + (size_t)i * (size_t)mx.nf;
        for (int k = 0; k < mx.nf; k++) {
            to[k] += from[k];
            from[k] = 0;
        }
    }
    /* The mix: the account's row. */
    if (target >= 0) {
        double total = 0;
        for (int k = 0; k < mx.nf; k++)
            total += mx.v[(size_t)target * (size_t)mx.nf + (size_t)k];
        p->mix = arena_calloc(ctx->a, (size_t)mx.nf + 1, sizeof *p->mix);
        for (int k = 0; k < mx.nf; k++) {
            double v = mx.v[(size_t)target * (size_t)mx.nf + (size_t)k];
            if (v <= 0)
                continue;
            struct insight_family *f = &p->mix[p->nmix++];
            f->family = mx.families[k];
            f->amount = (int64_t)v;
            f->share = total > 0 ? v / total : 0;
        }
        for (size_t i = 1; i < p->nmix; i++)
            for (size_t j = i; j > 0 && p->mix[j].amount > p->mix[j - 1].amount; j--) {
                struct insight_family t = p->mix[j];
                p->mix[j] = p->mix[j - 1];
                p->mix[j - 1] = t;
            }
    }
    if (target < 0 || mx.nf == 0)
        return KAM_OK;
    struct behaviour_neighbour *nb;
    struct behaviour_suggestion *sug;
    int nnb, nsug;
    if ((rc = behaviour_whitespace(mx.v, mx.na, mx.nf, target, CROSS_SELL_K, ctx->a, &nb, &nnb,
                                   &sug, &nsug)))
        return rc;
    p->cross_sell = arena_calloc(ctx->a, (size_t)nsug + 1, sizeof *p->cross_sell);
    for (int i = 0; i < nsug; i++) {
        struct insight_suggestion *s = &p->cross_sell[p->ncross++];
        s->family = mx.families[sug[i].family];
        s->score = sug[i].score;
        s->neighbours = sug[i].neighbours;
        s->expected_amount = (int64_t)sug[i].expected_amount;
    }
    p->neighbours = arena_calloc(ctx->a, (size_t)nnb + 1, sizeof *p->neighbours);
    for (int i = 0; i < nnb; i++) {
        struct insight_neighbour *x = &p->neighbours[p->nneighbours++];
        int64_t id = mx.accounts[nb[i].account];
        int in = 1;
        /* A neighbour outside the caller's scope (or gone) is shown without its name. */
        if (policy_list_scoped(&ctx->who) && (rc = policy_account_in_scope(ctx, id, &in))) {
            if (rc != KAM_ENOTFOUND)
                return rc;
            kam_error_clear(ctx->err);
            in = 0;
        }
        x->account_id = in ? id : 0;
        x->name = "";
        if (in && (rc = account_name(ctx, id, &x->name)))
            return rc;
        x->similarity = nb[i].similarity;
    }
    return KAM_OK;
}

enum kam_err insight_profile(struct kam_ctx *ctx, int64_t account_id, int subsidiaries,
                             struct insight_profile *out)
{
    memset(out, 0, sizeof *out);
    out->account_id = account_id;
    out->subsidiaries = subsidiaries;
    int32_t *days;
    int64_t *amounts;
    int n;
    int32_t today = (int32_t)(ctx->now / 86400);
    int64_t one[1] = {account_id}, *ids = one;
    size_t nids = 1;
    enum kam_err rc = KAM_OK;
    if (subsidiaries &&
        ((rc = group_extent(ctx, account_id, &out->group_subsidiaries, &out->group_not_visible)) ||
         (rc = group_ids(ctx, account_id, "subsidiaries", &ids, &nids))))
        return rc;
    out->group_subsidiaries -= out->group_not_visible;
    if ((rc = order_days(ctx, account_id, subsidiaries, &days, &amounts, &n)) ||
        (rc = behaviour_intervals(days, n, today, ctx->a, &out->intervals)) ||
        (rc = behaviour_rfm(days, amounts, n, today, &out->rfm)) ||
        (rc = rfm_scores(ctx, ids, nids, &out->score)))
        return rc;
    /* Trend and seasonality over three years up to the last complete month. */
    struct volume_sel sel = {0};
    sel.account_id = account_id;
    sel.subsidiaries = subsidiaries;
    int to = volume_month_add(volume_this_month(ctx), -1), from = volume_month_add(to, -35);
    struct volume_series *v;
    size_t nv;
    if ((rc = volume_series(ctx, &sel, VD_NONE, from, to, &v, &nv)))
        return rc;
    int months = volume_months_between(from, to), skip = 0;
    while (skip < months && v[0].values[skip] == 0)
        skip++;
    double *y = arena_alloc(ctx->a, (size_t)months * sizeof *y);
    for (int i = skip; i < months; i++)
        y[i - skip] = (double)v[0].values[i];
    out->first_month = volume_month_add(from, skip);
    out->months = months - skip;
    if ((rc = behaviour_trend(y, months - skip, ctx->a, &out->trend)) ||
        (rc = behaviour_season(y, months - skip, out->first_month % 100, &out->season)))
        return rc;
    return cross_sell(ctx, out, ids, nids);
}

enum kam_err insight_group_wallet(struct kam_ctx *ctx, int64_t account_id,
                                  struct wallet_estimate **items_out, size_t *n_out)
{
    struct sqlb b;
    sqlb_init(&b, ctx->a);
    sqlb_sql(&b, "SELECT year, SUM(amount), MAX(updated_at) FROM wallet_estimates WHERE "
                 "account_id IN ");
    group_sql(ctx, &b, account_id);
    sqlb_sql(&b, " GROUP BY year ORDER BY year DESC LIMIT 100");
    struct db_stmt *st;
    enum kam_err rc = sqlb_prepare(&b, ctx->db, &st, ctx->err);
    if (rc)
        return rc;
    struct wallet_estimate *v = arena_calloc(ctx->a, 100, sizeof *v);
    size_t n = 0;
    int row = 0;
    while (n < 100 && !(rc = db_step(st, &row, ctx->err)) && row) {
        v[n].account_id = account_id;
        v[n].year = db_col_i64(st, 0);
        v[n].amount = db_col_i64(st, 1);
        v[n].updated_at = db_col_i64(st, 2);
        v[n].note = "";
        n++;
    }
    db_done(st);
    *items_out = v;
    *n_out = n;
    return rc;
}

enum kam_err insight_affinity(struct kam_ctx *ctx, int64_t min_count, struct insight_pair **out,
                              size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    struct matrix mx;
    enum kam_err rc = load_matrix(ctx, &mx);
    if (rc)
        return rc;
    int now = volume_this_month(ctx);
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db,
                         "SELECT account_id, month, family FROM sales_monthly WHERE month >= ? AND "
                         "month <= ? AND lines > 0 ORDER BY account_id, month",
                         &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, volume_month_add(now, -12));
    db_bind_i64(st, 2, volume_month_add(now, -1));
    size_t cap = 1024, nb = 0;
    uint64_t *baskets = malloc(cap * sizeof *baskets);
    int64_t cur_a = -1, cur_m = -1;
    int row = 0;
    if (!baskets) /* the out-of-memory policy (base/err.h): no affinity from part of the data */
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    while (!rc && !(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t a = db_col_i64(st, 0), m = db_col_i64(st, 1);
        const char *fam = db_col_text(st, 2);
        if (a != cur_a || m != cur_m) {
            if (nb == cap) {
                uint64_t *b2 = realloc(baskets, cap * 2 * sizeof *b2);
                if (!b2) {
                    rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
                    break;
                }
                baskets = b2;
                cap *= 2;
            }
            baskets[nb++] = 0;
            cur_a = a;
            cur_m = m;
        }
        for (int k = 0; k < mx.nf; k++)
            if (!strcmp(mx.families[k], fam))
                baskets[nb - 1] |= (uint64_t)1 << k;
    }
    db_done(st);
    struct behaviour_pair *pairs;
    int np = 0;
    if (!rc)
        rc = behaviour_affinity(baskets, (int)nb, mx.nf, min_count, 0, ctx->a, &pairs, &np);
    free(baskets);
    if (rc)
        return rc;
    struct insight_pair *p = arena_calloc(ctx->a, (size_t)np + 1, sizeof *p);
    for (int i = 0; i < np; i++) {
        p[i].a = mx.families[pairs[i].a];
        p[i].b = mx.families[pairs[i].b];
        p[i].count = pairs[i].count_ab;
        p[i].support = pairs[i].support;
        p[i].confidence = pairs[i].confidence;
        p[i].lift = pairs[i].lift;
    }
    *out = p;
    *n_out = (size_t)np;
    return KAM_OK;
}
