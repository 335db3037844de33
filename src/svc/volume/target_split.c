/* target_split.c -- decomposing a plan's total over its cells by a basis (last year,
 * forecast, potential, equal, blend), exactly, in the same order on every engine. */
#include "target.h"
#include "target_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/alloc.h"
#include "analytics/forecast.h"
#include "base/strmap.h"
#include "base/timeutil.h"
#include "store/db.h"

/* ---- decomposition ---- */

/* One leaf: a combination of the plan's dims, with its weights per basis. */
struct leaf {
    struct tcell c;
    int64_t w[4]; /* last_year, forecast, potential, equal */
};

/* An account's owner and the owner's team, for the owner and team dims. */
struct person {
    int64_t account_id, owner_id, team_id;
};

struct decomp {
    struct kam_ctx *ctx;
    const struct target_plan *p;
    struct strmap map; /* leaf key -> index + 1 */
    struct leaf *leaves;
    size_t n, cap;
    struct person *people; /* by account id */
    size_t npeople;
};

static const struct person *person_of(const struct decomp *d, int64_t account_id)
{
    size_t lo = 0, hi = d->npeople;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d->people[mid].account_id < account_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->npeople && d->people[lo].account_id == account_id ? &d->people[lo] : NULL;
}

/* Every account's owner and team (for a plan split by owner or team). */
static enum kam_err load_people(struct decomp *d)
{
    if (!(d->p->dims & (TD_OWNER | TD_TEAM)))
        return KAM_OK;
    struct kam_ctx *ctx = d->ctx;
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT a.id, a.owner_id, COALESCE(u.team_id, 0) FROM accounts a "
                                 "LEFT JOIN users u ON u.id = a.owner_id ORDER BY a.id",
                                 &st, ctx->err);
    if (rc)
        return rc;
    size_t cap = 256;
    d->people = arena_calloc(ctx->a, cap, sizeof *d->people);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        if (d->npeople == cap) {
            struct person *w = arena_calloc(ctx->a, cap * 2, sizeof *w);
            memcpy(w, d->people, d->npeople * sizeof *w);
            d->people = w;
            cap *= 2;
        }
        struct person *x = &d->people[d->npeople++];
        x->account_id = db_col_i64(st, 0);
        x->owner_id = db_col_i64(st, 1);
        x->team_id = db_col_i64(st, 2);
    }
    db_done(st);
    return rc;
}

static struct leaf *leaf_of(struct decomp *d, int64_t account_id, const char *family,
                            const char *region, const char *channel, int64_t month)
{
    unsigned dims = d->p->dims;
    struct tcell k = {0};
    k.account_id = dims & TD_ACCOUNT ? account_id : 0;
    if (dims & (TD_OWNER | TD_TEAM)) {
        const struct person *who = person_of(d, account_id);
        k.owner_id = who && (dims & TD_OWNER) ? who->owner_id : 0;
        k.team_id = who ? who->team_id : 0;
    }
    k.family = dims & TD_FAMILY ? family : "";
    k.region = dims & TD_REGION ? region : "";
    k.channel = dims & TD_CHANNEL ? channel : "";
    k.month = dims & TD_MONTH ? month : 0;
    char key[512];
    int n = snprintf(key, sizeof key, "%lld\x1f%lld\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%lld",
                     (long long)k.account_id, (long long)k.owner_id, (long long)k.team_id, k.family,
                     k.region, k.channel, (long long)k.month);
    if (n < 0 || (size_t)n >= sizeof key)
        n = (int)sizeof key - 1;
    intptr_t at = (intptr_t)strmap_get(&d->map, key, (size_t)n);
    if (at)
        return &d->leaves[at - 1];
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        struct leaf *l = arena_calloc(d->ctx->a, cap, sizeof *l);
        if (d->n)
            memcpy(l, d->leaves, d->n * sizeof *l);
        d->leaves = l;
        d->cap = cap;
    }
    struct leaf *l = &d->leaves[d->n++];
    l->c = k;
    l->c.family = arena_strdup(d->ctx->a, k.family);
    l->c.region = arena_strdup(d->ctx->a, k.region);
    l->c.channel = arena_strdup(d->ctx->a, k.channel);
    strmap_put(&d->map, key, (size_t)n, (void *)(intptr_t)d->n);
    return l;
}

/* The basis year: the twelve months before the plan year, or the last twelve complete months
 * when the year before is not over yet (planning next year in November). yyyymm bounds. */
static void basis_window(const struct kam_ctx *ctx, const struct target_plan *p, int *from, int *to)
{
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int last_complete = y * 12 + (m - 1) - 1; /* month index */
    int end = (int)p->year * 12 - 1;          /* December before the plan year */
    if (last_complete < end)
        end = last_complete;
    int start = end - 11;
    *from = (start / 12) * 100 + start % 12 + 1;
    *to = (end / 12) * 100 + end % 12 + 1;
}

/* Per-account factors for the forecast and potential bases: the account's expected volume in
 * the plan year over its last-year volume. */
struct factor {
    int64_t account_id;
    double fc, pot;
};

/* The account's forecast volume for the plan year: actual months of the year so far plus the
 * forecast of the rest, from its monthly history. -1: too little history (or a series that
 * cannot be forecast); -2: out of memory, here or inside fc_forecast (FC_ENOMEM). */
static double forecast_year(const int64_t *hist, int nhist, int first_of_year, int last_actual)
{
    /* hist[i] is month first + i; the plan year starts at index first_of_year. */
    int skip = 0;
    while (skip < last_actual && hist[skip] == 0)
        skip++;
    int n = last_actual - skip + 1;
    double sum = 0;
    for (int i = first_of_year; i <= last_actual && i < nhist; i++)
        if (i >= 0)
            sum += (double)hist[i];
    int horizon = first_of_year + 12 - (last_actual + 1);
    if (horizon <= 0)
        return sum;
    if (n < FC_MIN_N)
        return -1;
    double *y = malloc((size_t)n * sizeof *y), *buf = malloc((size_t)horizon * 5 * sizeof *buf);
    if (!y || !buf) {
        free(y);
        free(buf);
        return -2; /* out of memory: the caller fails (base/err.h), no silent "no forecast" */
    }
    for (int i = 0; i < n; i++)
        y[i] = (double)hist[skip + i];
    struct fc_result r = {.mean = buf,
                          .lo80 = buf + horizon,
                          .hi80 = buf + 2 * horizon,
                          .lo95 = buf + 3 * horizon,
                          .hi95 = buf + 4 * horizon};
    char why[96];
    double out = -1;
    int frc = fc_forecast(y, n, 12, horizon, NULL, &r, why, sizeof why);
    if (frc == FC_ENOMEM) {
        out = -2; /* no forecast is made of a failed allocation (base/err.h) */
    } else if (!frc) {
        out = sum;
        for (int h = 0; h < horizon; h++) {
            int idx = last_actual + 1 + h;
            if (idx >= first_of_year)
                out += r.mean[h] > 0 ? r.mean[h] : 0;
        }
    }
    free(y);
    free(buf);
    return out;
}

static enum kam_err account_factors(struct kam_ctx *ctx, const struct target_plan *p,
                                    struct factor **out, size_t *n_out)
{
    /* History: three years before the plan year up to the last complete month before today. */
    int y, m, d;
    days_to_date(ctx->now / 86400, &y, &m, &d);
    int first = ((int)p->year - 3) * 12; /* month index of Jan, year - 3 */
    int now_idx = y * 12 + (m - 1) - 1;  /* last complete month */
    int plan_idx = (int)p->year * 12;    /* Jan of the plan year */
    int last = now_idx < plan_idx + 11 ? now_idx : plan_idx + 11;
    int nhist = last - first + 1;
    if (nhist < 1)
        nhist = 1;
    int ly_from, ly_to;
    basis_window(ctx, p, &ly_from, &ly_to);
    struct db_stmt *st;
    const char *col = !strcmp(p->measure, "quantity") ? "quantity" : "amount";
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT account_id, month, SUM(%s) FROM sales_monthly WHERE month >= ? AND month <= ? "
             "AND (? = '' OR region = ?) AND (? = '' OR channel = ?) AND (? = '' OR family = ?) "
             "GROUP BY account_id, month ORDER BY account_id, month",
             col);
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, (first / 12) * 100 + 1);
    db_bind_i64(st, 2, (last / 12) * 100 + last % 12 + 1);
    db_bind_text(st, 3, p->scope_region);
    db_bind_text(st, 4, p->scope_region);
    db_bind_text(st, 5, p->scope_channel);
    db_bind_text(st, 6, p->scope_channel);
    db_bind_text(st, 7, p->scope_family);
    db_bind_text(st, 8, p->scope_family);
    size_t cap = 64, n = 0;
    struct factor *f = arena_calloc(ctx->a, cap, sizeof *f);
    int64_t *hist = calloc((size_t)nhist, sizeof *hist);
    if (!hist) {
        db_done(st);
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    }
    int64_t cur = 0;
    int row = 0;
    int64_t ly = 0;
    for (;;) {
        rc = db_step(st, &row, ctx->err);
        int64_t acct = row && !rc ? db_col_i64(st, 0) : -1;
        if (cur && acct != cur) {
            if (n == cap) {
                struct factor *g = arena_calloc(ctx->a, cap * 2, sizeof *f);
                memcpy(g, f, n * sizeof *f);
                f = g;
                cap *= 2;
            }
            double fy = forecast_year(hist, nhist, plan_idx - first, last - first);
            if (fy < -1.5 && !rc)
                rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
            f[n].account_id = cur;
            f[n].fc = ly > 0 && fy >= 0 ? fy / (double)ly : 1;
            f[n].pot = 1;
            n++;
            memset(hist, 0, (size_t)nhist * sizeof *hist);
            ly = 0;
        }
        if (rc || !row)
            break;
        cur = acct;
        int mo = (int)db_col_i64(st, 1);
        int idx = (mo / 100) * 12 + mo % 100 - 1 - first;
        if (idx >= 0 && idx < nhist)
            hist[idx] = db_col_i64(st, 2);
        if (mo >= ly_from && mo <= ly_to)
            ly += db_col_i64(st, 2);
    }
    db_done(st);
    free(hist);
    if (rc)
        return rc;
    /* Potential: the wallet estimate of the plan year (or the latest before) over last year's
     * actual of the account. */
    snprintf(sql, sizeof sql,
             "SELECT w.account_id, w.amount, (SELECT SUM(amount) FROM sales_monthly_account s "
             "WHERE s.account_id = w.account_id AND s.month >= ? AND s.month <= ?) FROM "
             "wallet_estimates w WHERE w.year = (SELECT MAX(year) FROM wallet_estimates x WHERE "
             "x.account_id = w.account_id AND x.year <= ?) ORDER BY w.account_id");
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    db_bind_i64(st, 1, ly_from);
    db_bind_i64(st, 2, ly_to);
    db_bind_i64(st, 3, p->year);
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acct = db_col_i64(st, 0), wallet = db_col_i64(st, 1), lyv = db_col_i64(st, 2);
        for (size_t i = 0; i < n; i++)
            if (f[i].account_id == acct && lyv > 0)
                f[i].pot = (double)wallet / (double)lyv;
    }
    db_done(st);
    *out = f;
    *n_out = n;
    return rc;
}

static double factor_of(const struct factor *f, size_t n, int64_t acct, int pot)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f[mid].account_id < acct)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && f[lo].account_id == acct)
        return pot ? f[lo].pot : f[lo].fc;
    return 1;
}

/* Leaves from last year's sales (weights per basis); none -> the accounts and families. */
static enum kam_err build_leaves(struct decomp *d)
{
    struct kam_ctx *ctx = d->ctx;
    const struct target_plan *p = d->p;
    struct factor *f = NULL;
    size_t nf = 0;
    enum kam_err rc;
    int need_factors = !strcmp(p->basis, "forecast") || !strcmp(p->basis, "potential") ||
                       !strcmp(p->basis, "blend");
    if (need_factors && (rc = account_factors(ctx, p, &f, &nf)))
        return rc;
    const char *col = !strcmp(p->measure, "quantity") ? "quantity" : "amount";
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT account_id, family, region, channel, month, %s FROM sales_monthly WHERE month "
             ">= ? AND month <= ? AND (? = '' OR region = ?) AND (? = '' OR channel = ?) AND (? = "
             "'' OR family = ?)",
             col);
    struct db_stmt *st;
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    int ly_from, ly_to;
    basis_window(ctx, p, &ly_from, &ly_to);
    db_bind_i64(st, 1, ly_from);
    db_bind_i64(st, 2, ly_to);
    db_bind_text(st, 3, p->scope_region);
    db_bind_text(st, 4, p->scope_region);
    db_bind_text(st, 5, p->scope_channel);
    db_bind_text(st, 6, p->scope_channel);
    db_bind_text(st, 7, p->scope_family);
    db_bind_text(st, 8, p->scope_family);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        int64_t acct = db_col_i64(st, 0), v = db_col_i64(st, 5);
        struct leaf *l = leaf_of(d, acct, db_col_text(st, 1), db_col_text(st, 2),
                                 db_col_text(st, 3), db_col_i64(st, 4) % 100);
        if (v <= 0)
            continue;
        l->w[0] += v;
        if (need_factors) {
            l->w[1] += llround((double)v * factor_of(f, nf, acct, 0));
            l->w[2] += llround((double)v * factor_of(f, nf, acct, 1));
        }
        l->w[3] = 1;
    }
    db_done(st);
    if (rc || d->n)
        return rc;
    /* No sales last year: the active accounts of the scope, every family, every month. */
    snprintf(sql, sizeof sql,
             "SELECT a.id, a.region, a.channel, f.family FROM accounts a CROSS JOIN (SELECT "
             "DISTINCT family FROM products WHERE active = 1 AND (? = '' OR family = ?)) f WHERE "
             "a.status = 'active' AND (? = '' OR a.region = ?) AND (? = '' OR a.channel = ?) "
             "LIMIT 100000");
    if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
        return rc;
    db_bind_text(st, 1, p->scope_family);
    db_bind_text(st, 2, p->scope_family);
    db_bind_text(st, 3, p->scope_region);
    db_bind_text(st, 4, p->scope_region);
    db_bind_text(st, 5, p->scope_channel);
    db_bind_text(st, 6, p->scope_channel);
    while (!(rc = db_step(st, &row, ctx->err)) && row)
        for (int mo = 1; mo <= 12; mo++)
            leaf_of(d, db_col_i64(st, 0), db_col_text(st, 3), db_col_text(st, 1),
                    db_col_text(st, 2), mo)
                ->w[3] = 1;
    db_done(st);
    for (int mo = 1; !rc && !d->n && mo <= 12; mo++)
        leaf_of(d, 0, p->scope_family, p->scope_region, p->scope_channel, mo)->w[3] = 1;
    return rc;
}

static int cmp_leaf(const void *a, const void *b)
{
    return tcell_cmp(&((const struct leaf *)a)->c, &((const struct leaf *)b)->c);
}

enum kam_err target_decompose(struct kam_ctx *ctx, int64_t id, const char *reason,
                              struct target_plan *out)
{
    enum kam_err rc = db_begin(ctx->db, ctx->err);
    if (rc)
        return rc;
    struct target_plan p;
    struct decomp d = {ctx, &p, {0}, NULL, 0, 0, NULL, 0};
    strmap_init(&d.map);
    if ((rc = target_get(ctx, id, &p)) || (rc = target_need_reason(ctx, &p, reason)) ||
        (rc = load_people(&d)))
        goto out;
    if ((rc = build_leaves(&d)))
        goto out;
    if (d.n > TARGET_MAX_CELLS) {
        rc = kam_fail(ctx->err, KAM_ETOOBIG, "dims",
                      "that split makes %zu cells (at most %d): split by fewer dims", d.n,
                      TARGET_MAX_CELLS);
        goto out;
    }
    qsort(d.leaves, d.n, sizeof *d.leaves, cmp_leaf);
    int n = (int)d.n;
    int64_t *w = arena_alloc(ctx->a, (size_t)n * sizeof *w);
    int64_t *vals = arena_alloc(ctx->a, (size_t)n * sizeof *vals);
    int b = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(p.basis, target_bases[i]))
            b = i;
    if (b >= 0) {
        for (int i = 0; i < n; i++)
            w[i] = d.leaves[i].w[b];
    } else {
        int pct[5], k = 0;
        if ((rc = target_parse_blend(ctx, p.blend, pct)))
            goto out;
        int use[4], upct[4];
        for (int j = 0; j < 4; j++)
            if (pct[j]) {
                use[k] = j;
                upct[k++] = pct[j];
            }
        int64_t *m = arena_alloc(ctx->a, (size_t)(k * n) * sizeof *m);
        for (int j = 0; j < k; j++)
            for (int i = 0; i < n; i++)
                m[j * n + i] = d.leaves[i].w[use[j]];
        if (alloc_blend(n, k, m, upct, w)) {
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "blend", "the blend could not be computed");
            goto out;
        }
    }
    if (alloc_split(p.total, n, w, NULL, NULL, vals)) {
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "total", "the split failed");
        goto out;
    }
    struct db_stmt *st;
    rc = db_exec_i64(ctx->db, "DELETE FROM target_cells WHERE plan_id = ?", id, ctx->err);
    for (int i = 0; i < n && !rc; i += 50) {
        int k = n - i < 50 ? n - i : 50;
        char sql[4096];
        size_t len = (size_t)snprintf(sql, sizeof sql,
                                      "INSERT INTO target_cells (plan_id, account_id, family, "
                                      "region, channel, month, value, basis, owner_id, team_id, "
                                      "locked) VALUES ");
        for (int j = 0; j < k; j++)
            len += (size_t)snprintf(sql + len, sizeof sql - len,
                                    j ? ",(?,?,?,?,?,?,?,?,?,?,0)" : "(?,?,?,?,?,?,?,?,?,?,0)");
        if ((rc = db_prepare(ctx->db, sql, &st, ctx->err)))
            break;
        for (int j = 0; j < k; j++) {
            const struct leaf *l = &d.leaves[i + j];
            int at = j * 10;
            db_bind_i64(st, at + 1, id);
            db_bind_i64(st, at + 2, l->c.account_id);
            db_bind_text(st, at + 3, l->c.family);
            db_bind_text(st, at + 4, l->c.region);
            db_bind_text(st, at + 5, l->c.channel);
            db_bind_i64(st, at + 6, l->c.month);
            db_bind_i64(st, at + 7, vals[i + j]);
            db_bind_i64(st, at + 8, w[i + j]);
            db_bind_i64(st, at + 9, l->c.owner_id);
            db_bind_i64(st, at + 10, l->c.team_id);
        }
        rc = db_run(st, ctx->err);
    }
    if (!rc && !(rc = db_prepare(ctx->db,
                                 "UPDATE target_plans SET decomposed_at = ?, updated_at = ?, "
                                 "version = version + 1 WHERE id = ?",
                                 &st, ctx->err))) {
        db_bind_i64(st, 1, ctx->now);
        db_bind_i64(st, 2, ctx->now);
        db_bind_i64(st, 3, id);
        rc = db_run(st, ctx->err);
    }
    if (!rc)
        rc = target_adjust(ctx, id, NULL, "", "decompose", 0, 0, 1, p.total, reason);
    if (!rc)
        rc = target_reopen(ctx, &p);
    if (!rc)
        rc = target_get(ctx, id, out);
out:
    strmap_release(&d.map);
    return db_end(ctx->db, rc, ctx->err);
}
