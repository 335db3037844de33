/* outlook.c -- forecasting every series, reconciling the hierarchy, storing the result. */
#include "outlook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"
#include "base/strmap.h"
#include "store/db.h"
#include "svc/core/settings.h"
#include "volume.h"

#define HIST 36

struct node {
    char level[8];
    const char *key;
    int64_t y[HIST];
    struct fc_result fc;
    double buf[5 * OUTLOOK_HORIZON];
};

struct set {
    struct node *v;
    size_t n, cap;
};

static struct node *add(struct set *s, const char *level, const char *key)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct node *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            abort();
        s->v = v;
        s->cap = cap;
    }
    struct node *x = &s->v[s->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->level, sizeof x->level, "%s", level);
    x->key = key;
    return x;
}

/* Base forecast of one node: zeros with method "none" when the series is too short or cannot
 * be forecast (fc_forecast's -1); out of memory fails (base/err.h). */
static enum kam_err forecast(struct kam_ctx *ctx, struct node *x)
{
    double *b = x->buf;
    x->fc = (struct fc_result){b,
                               b + OUTLOOK_HORIZON,
                               b + 2 * OUTLOOK_HORIZON,
                               b + 3 * OUTLOOK_HORIZON,
                               b + 4 * OUTLOOK_HORIZON,
                               {0}};
    int skip = 0;
    while (skip < HIST && x->y[skip] == 0)
        skip++;
    double y[HIST];
    for (int i = skip; i < HIST; i++)
        y[i - skip] = (double)x->y[i];
    char why[96];
    int rc = HIST - skip < FC_MIN_N
                 ? -1
                 : fc_forecast(y, HIST - skip, 12, OUTLOOK_HORIZON, NULL, &x->fc, why, sizeof why);
    if (rc == FC_ENOMEM)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    if (rc) {
        memset(b, 0, sizeof x->buf);
        snprintf(x->fc.method, sizeof x->fc.method, "none");
    }
    for (int i = 0; i < 5 * OUTLOOK_HORIZON; i++)
        if (b[i] < 0)
            b[i] = 0;
    return KAM_OK;
}

/* Reconciles nodes idx[0] (the root) .. idx[n-1] with parent[] given as positions in idx. */
static enum kam_err reconcile(struct kam_ctx *ctx, struct set *s, const size_t *idx,
                              const int *parent, int n)
{
    struct fc_result *fc = malloc((size_t)n * sizeof *fc);
    if (!fc)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    for (int i = 0; i < n; i++)
        fc[i] = s->v[idx[i]].fc;
    char why[96];
    int rc = fc_reconcile(parent, n, OUTLOOK_HORIZON, FC_TOP_DOWN_FP, fc, why, sizeof why);
    free(fc); /* the arrays are the nodes' own: reconciled in place */
    if (rc == FC_ENOMEM)
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    if (rc) /* the tree is built here: a bad one is a bug */
        return kam_fail(ctx->err, KAM_EINTERNAL, "", "reconciliation: %s", why);
    return KAM_OK;
}

static enum kam_err load(struct kam_ctx *ctx, const char *sql, int from, int to, struct set *s,
                         const char *level, struct strmap *keys, struct arena *a, int with_parent,
                         struct strmap *parents, struct set *ps, const char *plevel)
{
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db, sql, &st, ctx->err);
    if (rc)
        return rc;
    db_bind_i64(st, 1, from);
    db_bind_i64(st, 2, to);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row) {
        size_t kl;
        const char *k = db_col_textn(st, 0, &kl);
        intptr_t at = (intptr_t)strmap_get(keys, k, kl);
        if (!at) {
            add(s, level, arena_strndup(a, k, kl));
            at = (intptr_t)s->n;
            strmap_put(keys, k, kl, (void *)at);
            if (with_parent) {
                size_t pl;
                const char *p = db_col_textn(st, 3, &pl);
                if (!strmap_get(parents, p, pl)) {
                    add(ps, plevel, arena_strndup(a, p, pl));
                    strmap_put(parents, p, pl, (void *)(intptr_t)ps->n);
                }
            }
        }
        int i = volume_months_between(from, (int)db_col_i64(st, 1)) - 1;
        if (i >= 0 && i < HIST)
            s->v[at - 1].y[i] += db_col_i64(st, 2);
    }
    db_done(st);
    return rc;
}

/* Upserts every series, then drops the series this refresh did not write (older ones). Two
 * refreshes running at once (forced passes on several instances) each keep what the newer one
 * wrote: rows are only ever replaced, and only rows older than this refresh are deleted. */
static enum kam_err store(struct kam_ctx *ctx, const struct set *s, int first)
{
    enum kam_err rc = KAM_OK;
    for (size_t i = 0; i < s->n && !rc; i++) {
        const struct node *x = &s->v[i];
        for (int h = 0; h < OUTLOOK_HORIZON && !rc; h++) {
            struct db_stmt *st;
            if ((rc = db_prepare(ctx->db,
                                 "INSERT INTO forecasts (level, key, measure, month, mean, lo80, "
                                 "hi80, lo95, hi95, method, computed_at) VALUES (?, ?, 'amount', "
                                 "?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (level, key, measure, month) "
                                 "DO UPDATE SET mean = excluded.mean, lo80 = excluded.lo80, hi80 = "
                                 "excluded.hi80, lo95 = excluded.lo95, hi95 = excluded.hi95, "
                                 "method = excluded.method, computed_at = excluded.computed_at",
                                 &st, ctx->err)))
                break;
            db_bind_text(st, 1, x->level);
            db_bind_text(st, 2, x->key);
            db_bind_i64(st, 3, volume_month_add(first, h));
            const double *b[5] = {x->fc.mean, x->fc.lo80, x->fc.hi80, x->fc.lo95, x->fc.hi95};
            for (int k = 0; k < 5; k++)
                db_bind_i64(st, 4 + k, (int64_t)(b[k][h] + 0.5));
            db_bind_text(st, 9, x->fc.method);
            db_bind_i64(st, 10, ctx->now);
            rc = db_run(st, ctx->err);
        }
    }
    if (!rc)
        rc = db_exec_i64(ctx->db,
                         "DELETE FROM forecasts WHERE measure = 'amount' AND computed_at < ?",
                         ctx->now, ctx->err);
    return rc;
}

enum kam_err outlook_refresh(struct kam_ctx *ctx, int *series_out)
{
    *series_out = 0;
    int now = volume_this_month(ctx), to = volume_month_add(now, -1),
        from = volume_month_add(now, -HIST);
    struct arena a;
    arena_init(&a);
    struct set total = {0}, regions = {0}, accounts = {0}, families = {0}, channels = {0};
    struct strmap ka, kr, kf, kc;
    strmap_init(&ka);
    strmap_init(&kr);
    strmap_init(&kf);
    strmap_init(&kc);
    add(&total, "total", "");
    enum kam_err rc = load(ctx,
                           "SELECT CAST(s.account_id AS TEXT), s.month, s.amount, a.region FROM "
                           "sales_monthly_account s JOIN accounts a ON a.id = s.account_id WHERE "
                           "s.month >= ? AND s.month <= ? ORDER BY s.account_id, s.month",
                           from, to, &accounts, "account", &ka, &a, 1, &kr, &regions, "region");
    if (!rc)
        rc = load(ctx,
                  "SELECT family, month, SUM(amount) FROM sales_monthly_dim WHERE month >= ? AND "
                  "month <= ? GROUP BY family, month",
                  from, to, &families, "family", &kf, &a, 0, NULL, NULL, NULL);
    if (!rc)
        rc = load(ctx,
                  "SELECT channel, month, SUM(amount) FROM sales_monthly_dim WHERE month >= ? AND "
                  "month <= ? GROUP BY channel, month",
                  from, to, &channels, "channel", &kc, &a, 0, NULL, NULL, NULL);
    /* Accounts' regions (by the account, so the tree is exact), regions and the total. */
    int *acct_region = calloc(accounts.n + 1, sizeof *acct_region);
    if (!rc && !acct_region) /* the out-of-memory policy (base/err.h) */
        rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
    if (!rc) {
        struct db_stmt *st;
        for (size_t i = 0; i < accounts.n && !rc; i++) {
            if ((rc = db_prepare(ctx->db, "SELECT region FROM accounts WHERE id = ?", &st,
                                 ctx->err)))
                break;
            db_bind_i64(st, 1, strtoll(accounts.v[i].key, NULL, 10));
            int row = 0;
            rc = db_step(st, &row, ctx->err);
            size_t rl = 0;
            const char *r = row ? db_col_textn(st, 0, &rl) : "";
            acct_region[i] = (int)(intptr_t)strmap_get(&kr, r, rl) - 1;
            db_done(st);
            for (int k = 0; k < HIST && acct_region[i] >= 0; k++)
                regions.v[acct_region[i]].y[k] += accounts.v[i].y[k];
        }
        for (size_t i = 0; i < regions.n; i++)
            for (int k = 0; k < HIST; k++)
                total.v[0].y[k] += regions.v[i].y[k];
    }
    struct set *all[] = {&total, &regions, &accounts, &families, &channels};
    for (size_t k = 0; k < 5 && !rc; k++)
        for (size_t i = 0; i < all[k]->n && !rc; i++)
            rc = forecast(ctx, &all[k]->v[i]);
    if (!rc) {
        /* One set with every node, then the three trees over it. */
        struct set every = {0};
        for (size_t k = 0; k < 5; k++)
            for (size_t i = 0; i < all[k]->n; i++)
                *add(&every, all[k]->v[i].level, all[k]->v[i].key) = all[k]->v[i];
        for (size_t i = 0; i < every.n; i++) {
            double *b = every.v[i].buf;
            every.v[i].fc.mean = b;
            every.v[i].fc.lo80 = b + OUTLOOK_HORIZON;
            every.v[i].fc.hi80 = b + 2 * OUTLOOK_HORIZON;
            every.v[i].fc.lo95 = b + 3 * OUTLOOK_HORIZON;
            every.v[i].fc.hi95 = b + 4 * OUTLOOK_HORIZON;
        }
        size_t r0 = 1, a0 = r0 + regions.n, f0 = a0 + accounts.n, c0 = f0 + families.n;
        size_t nt = 1 + regions.n + accounts.n;
        size_t *idx = calloc(nt + families.n + channels.n + 1, sizeof *idx);
        int *parent = calloc(nt + families.n + channels.n + 1, sizeof *parent);
        if (!idx || !parent) {
            rc = kam_fail(ctx->err, KAM_EINTERNAL, "", "out of memory");
        } else {
            idx[0] = 0;
            parent[0] = -1;
            for (size_t i = 0; i < regions.n; i++) {
                idx[1 + i] = r0 + i;
                parent[1 + i] = 0;
            }
            for (size_t i = 0; i < accounts.n; i++) {
                idx[1 + regions.n + i] = a0 + i;
                parent[1 + regions.n + i] = acct_region[i] >= 0 ? 1 + acct_region[i] : 0;
            }
            rc = reconcile(ctx, &every, idx, parent, (int)nt);
            for (size_t i = 0; i < families.n; i++) {
                idx[1 + i] = f0 + i;
                parent[1 + i] = 0;
            }
            if (!rc)
                rc = reconcile(ctx, &every, idx, parent, (int)(1 + families.n));
            for (size_t i = 0; i < channels.n; i++) {
                idx[1 + i] = c0 + i;
                parent[1 + i] = 0;
            }
            if (!rc)
                rc = reconcile(ctx, &every, idx, parent, (int)(1 + channels.n));
            /* Forecasting reads and computes; here only the store holds the write lock (but
             * outlook_refresh_due runs all of it inside its claim's transaction). */
            if (!rc && !(rc = db_begin(ctx->db, ctx->err)))
                rc = db_end(ctx->db, store(ctx, &every, now), ctx->err);
            if (!rc)
                *series_out = (int)every.n;
        }
        free(idx);
        free(parent);
        free(every.v);
    }
    free(acct_region);
    free(total.v);
    free(regions.v);
    free(accounts.v);
    free(families.v);
    free(channels.v);
    strmap_release(&ka);
    strmap_release(&kr);
    strmap_release(&kf);
    strmap_release(&kc);
    arena_release(&a);
    return rc;
}

enum kam_err outlook_refresh_due(struct kam_ctx *ctx, int force, int *series_out)
{
    *series_out = 0;
    const char *last_s;
    enum kam_err rc = settings_get(ctx, "jobs.forecast_at", "0", &last_s);
    if (rc)
        return rc;
    int64_t last = strtoll(last_s, NULL, 10);
    if (!force && ctx->now - last < OUTLOOK_EVERY && ctx->now >= last)
        return KAM_OK;
    /* Claim the refresh: the row changes only if nobody changed it since we read it, so of
     * several instances (or passes) one refreshes and the others skip. The claim and the
     * refresh are one transaction: a failed refresh rolls the claim back with it, so the next
     * pass tries again (a claim committed first would skip the day's refresh). Until the commit
     * the claim's row stays locked (PostgreSQL: the upsert's row lock; SQLite: the write lock of
     * BEGIN IMMEDIATE), so another instance's claim waits for it, then finds the value changed
     * and skips: two instances never refresh at once. The price: the lock is held while
     * forecasting (about 1 s for 2,000 accounts), on SQLite for every writer. A claim given back
     * on failure instead would be lost to a crash or to a failed give-back. */
    if ((rc = db_begin(ctx->db, ctx->err)))
        return rc;
    char val[24];
    snprintf(val, sizeof val, "%lld", (long long)ctx->now);
    struct db_stmt *st;
    int claimed = 0;
    if (!(rc = db_prepare(ctx->db,
                          "INSERT INTO settings (key, value) VALUES ('jobs.forecast_at', ?) ON "
                          "CONFLICT (key) DO UPDATE SET value = excluded.value WHERE "
                          "settings.value = ?",
                          &st, ctx->err))) {
        db_bind_text(st, 1, val);
        db_bind_text(st, 2, last_s);
        rc = db_run(st, ctx->err);
        claimed = !rc && db_changes(ctx->db) == 1;
    }
    if (!rc && claimed)
        rc = outlook_refresh(ctx, series_out);
    return db_end(ctx->db, rc, ctx->err);
}

enum kam_err outlook_get(struct kam_ctx *ctx, const char *level, const char *key,
                         struct outlook *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st;
    enum kam_err rc = db_prepare(ctx->db,
                                 "SELECT month, mean, lo80, hi80, lo95, hi95, method, computed_at "
                                 "FROM forecasts WHERE level = ? AND key = ? AND measure = "
                                 "'amount' ORDER BY month LIMIT 12",
                                 &st, ctx->err);
    if (rc)
        return rc;
    db_bind_text(st, 1, level);
    db_bind_text(st, 2, key);
    int row = 0;
    while (!(rc = db_step(st, &row, ctx->err)) && row && out->n < OUTLOOK_HORIZON) {
        int i = out->n++;
        if (!i) {
            out->first_month = (int)db_col_i64(st, 0);
            out->method = arena_strdup(ctx->a, db_col_text(st, 6));
            out->computed_at = db_col_i64(st, 7);
        }
        out->mean[i] = db_col_i64(st, 1);
        out->lo80[i] = db_col_i64(st, 2);
        out->hi80[i] = db_col_i64(st, 3);
        out->lo95[i] = db_col_i64(st, 4);
        out->hi95[i] = db_col_i64(st, 5);
    }
    db_done(st);
    out->level = level;
    out->key = key;
    if (!rc && !out->n)
        rc = kam_fail(ctx->err, KAM_ENOTFOUND, "key", "no stored forecast for that series");
    return rc;
}
