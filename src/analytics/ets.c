/* ets.c -- exponential smoothing state-space models (ETS), after R's forecast::ets.
 *
 * The taxonomy of Hyndman, Koehler, Ord & Snyder (2008): error A/M, trend N/A/Ad, season
 * N/A/M. The recursions, the likelihood ("lik" = n log SSE, + 2 sum log|yhat| for
 * multiplicative errors), the parameter bounds ("usual": 1e-4 < alpha < 0.9999,
 * 1e-4 < beta < alpha, 1e-4 < gamma < 1 - alpha, 0.8 <= phi <= 0.98), the starting values, the
 * initial states heuristic and the AICc are those of forecast 8.x (etscalc.c, initstate()).
 * Differences from R, for speed: the seasonal initial states come from a classical
 * decomposition and are not optimised (they still count as m - 1 parameters in the AICc); the
 * eigenvalue admissibility check is not made (the usual bounds keep the non-seasonal models
 * forecastable); Nelder-Mead stops after 150 evaluations (R: 2000 iterations).
 *
 * Intervals: class 1 (additive error, no multiplicative season) and class 2 (multiplicative
 * error, no season) use the exact variances of Hyndman et al. (2008, ch. 6); class 3 models
 * with multiplicative error and season (MNM, MAM, MAdM, members of the default method) the
 * class 2 variance of the deseasonalised level times the squared seasonal factor, their
 * approximation for small gamma (exact one step ahead; simulating cost more than the fit);
 * every other model (ANM, AAM, AAdM, MNA, MAA, MAdA) uses the quantiles of 500 simulated
 * sample paths with a fixed seed, so results are reproducible. Both are then
 * widened where the fit's own one-step errors have heavier tails than normal (tails()).
 *
 * All fitting is done on y / max|y| so that huge and tiny series behave alike; states, sigma2
 * and lik are scaled back before a model is returned. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"

#define LO 1e-4
#define HI 0.9999
#define PHI_LO 0.8
#define PHI_HI 0.98
#define TOL 1e-10
#define NM_MAXEVAL 150 /* M3 monthly accuracy is flat from 100 to 400 evaluations */
#define NSIM 500

int ets_spec_parse(const char *s, struct ets_spec *out)
{
    static const char comp[] = "NAM";
    memset(out, 0, sizeof *out);
    if (!s || strlen(s) < 3)
        return -1;
    const char *e = strchr(comp, s[0]), *t = strchr(comp, s[1]);
    if (!e || !t || s[0] == 'N' || s[1] == 'M')
        return -1;
    out->error = (int)(e - comp);
    out->trend = (int)(t - comp);
    s += 2;
    if (*s == 'd') {
        if (out->trend != FC_A)
            return -1;
        out->damped = 1;
        s++;
    }
    const char *se = *s ? strchr(comp, *s) : NULL;
    if (!se || s[1])
        return -1;
    out->season = (int)(se - comp);
    return 0;
}

void ets_spec_name(const struct ets_spec *s, char *out)
{
    static const char comp[] = "NAM";
    int i = 0;
    out[i++] = comp[s->error];
    out[i++] = comp[s->trend];
    if (s->damped)
        out[i++] = 'd';
    out[i++] = comp[s->season];
    out[i] = 0;
}

/* One step of the recursions (etscalc.c: forecast() then update()): the one-step forecast of
 * the next observation into *f, then the states updated with y. -1 when a division would blow
 * up (multiplicative season with a level or seasonal state near zero). */
static inline int step(struct ets_model *md, double y, double *f)
{
    const struct ets_spec *sp = &md->spec;
    int k = md->m > 1 ? md->n % md->m : 0;
    double phib = sp->trend ? md->phi * md->b : 0;
    double q = md->l + phib;
    double so = sp->season ? md->s[k] : 0;
    double p;
    if (sp->season == FC_A) {
        *f = q + so;
        p = y - so;
    } else if (sp->season == FC_M) {
        if (fabs(so) < TOL || fabs(q) < TOL)
            return -1;
        *f = q * so;
        p = y / so;
    } else {
        *f = q;
        p = y;
    }
    double l = q + md->alpha * (p - q);
    if (sp->trend)
        md->b = phib + (md->beta / md->alpha) * (l - md->l - phib);
    if (sp->season == FC_A)
        md->s[k] = so + md->gamma * (y - q - so);
    else if (sp->season == FC_M)
        md->s[k] = so + md->gamma * (y / q - so);
    md->l = l;
    md->n++;
    return 0;
}

/* The one-step forecast from the current states (NAN when it cannot be made). */
static double one_step(const struct ets_model *md)
{
    const struct ets_spec *sp = &md->spec;
    double q = md->l + (sp->trend ? md->phi * md->b : 0);
    int k = md->m > 1 ? md->n % md->m : 0;
    if (sp->season == FC_A)
        return q + md->s[k];
    if (sp->season == FC_M)
        return q * md->s[k];
    return q;
}

/* Runs y through the model from its current states; lik and the sum of squared errors. */
static double filter(const double *y, int n, struct ets_model *md, double *sse_out, double *res)
{
    double sse = 0, slog = 0, prod = 1;
    for (int t = 0; t < n; t++) {
        double f;
        if (step(md, y[t], &f))
            return HUGE_VAL;
        double e;
        if (md->spec.error == FC_M) {
            if (fabs(f) < TOL)
                return HUGE_VAL;
            e = (y[t] - f) / f;
            /* sum log|f| as the log of products of 8 (|f| > 1e-10: no underflow; a product
             * that overflows shows up as a non-finite lik) */
            prod *= fabs(f);
            if ((t & 7) == 7) {
                slog += log(prod);
                prod = 1;
            }
        } else {
            e = y[t] - f;
        }
        if (res)
            res[t] = e;
        sse += e * e;
    }
    slog += log(prod);
    if (!isfinite(sse))
        return HUGE_VAL;
    if (sse_out)
        *sse_out = sse;
    /* A perfect fit would give log(0): floor the error so constant data stay finite. */
    double lik = n * log(sse > 1e-300 ? sse : 1e-300);
    if (md->spec.error == FC_M)
        lik += 2 * slog;
    return isfinite(lik) ? lik : HUGE_VAL;
}

static void finish_stats(struct ets_model *md, int n, double sse)
{
    int np = md->np;
    md->sigma2 = sse / (n > np ? n - np : n);
    md->aicc = n - np - 1 > 0 ? md->lik + 2.0 * np + 2.0 * np * (np + 1) / (n - np - 1) : HUGE_VAL;
}

int ets_run(const double *y, int n, struct ets_model *mod)
{
    if (!mod->spec.damped)
        mod->phi = 1;
    if (mod->spec.season == FC_N || mod->m < 1)
        mod->m = 1;
    if (mod->m > FC_MAX_PERIOD)
        return -1;
    mod->n = 0;
    double sse = 0;
    mod->lik = filter(y, n, mod, &sse, NULL);
    if (!isfinite(mod->lik))
        return -1;
    finish_stats(mod, n, sse);
    return 0;
}

/* ---- Nelder-Mead ---- */

typedef double (*nm_fn)(const double *x, void *ctx);

#define NM_MAXD 8

/* Minimises f from x (in/out) with initial steps `step`; returns the best value. */
static double nelder_mead(nm_fn f, void *ctx, double *x, const double *step, int d, int maxeval)
{
    double v[NM_MAXD + 1][NM_MAXD], fv[NM_MAXD + 1];
    double c[NM_MAXD], xr[NM_MAXD], xe[NM_MAXD];
    int evals = 0;
    for (int i = 0; i <= d; i++) {
        memcpy(v[i], x, sizeof(double) * d);
        if (i > 0)
            v[i][i - 1] += step[i - 1];
        fv[i] = f(v[i], ctx);
        evals++;
    }
    for (;;) {
        /* order: best first */
        for (int i = 1; i <= d; i++)
            for (int j = i; j > 0 && fv[j] < fv[j - 1]; j--) {
                double t = fv[j];
                fv[j] = fv[j - 1];
                fv[j - 1] = t;
                for (int k = 0; k < d; k++) {
                    t = v[j][k];
                    v[j][k] = v[j - 1][k];
                    v[j - 1][k] = t;
                }
            }
        if (evals >= maxeval || !isfinite(fv[0]))
            break;
        if (fabs(fv[d] - fv[0]) <= 1.5e-8 * (fabs(fv[0]) + 1.5e-8))
            break;
        for (int k = 0; k < d; k++) {
            c[k] = 0;
            for (int i = 0; i < d; i++)
                c[k] += v[i][k];
            c[k] /= d;
        }
        for (int k = 0; k < d; k++)
            xr[k] = c[k] + (c[k] - v[d][k]);
        double fr = f(xr, ctx);
        evals++;
        if (fr < fv[0]) {
            for (int k = 0; k < d; k++)
                xe[k] = c[k] + 2 * (c[k] - v[d][k]);
            double fe = f(xe, ctx);
            evals++;
            if (fe < fr) {
                memcpy(v[d], xe, sizeof(double) * d);
                fv[d] = fe;
            } else {
                memcpy(v[d], xr, sizeof(double) * d);
                fv[d] = fr;
            }
        } else if (fr < fv[d - 1]) {
            memcpy(v[d], xr, sizeof(double) * d);
            fv[d] = fr;
        } else {
            int outside = fr < fv[d];
            for (int k = 0; k < d; k++)
                xe[k] = outside ? c[k] + 0.5 * (xr[k] - c[k]) : c[k] + 0.5 * (v[d][k] - c[k]);
            double fc = f(xe, ctx);
            evals++;
            if (fc < (outside ? fr : fv[d])) {
                memcpy(v[d], xe, sizeof(double) * d);
                fv[d] = fc;
            } else {
                for (int i = 1; i <= d; i++) {
                    for (int k = 0; k < d; k++)
                        v[i][k] = v[0][k] + 0.5 * (v[i][k] - v[0][k]);
                    fv[i] = f(v[i], ctx);
                    evals++;
                }
            }
        }
    }
    memcpy(x, v[0], sizeof(double) * d);
    return fv[0];
}

/* ---- fitting ---- */

struct fitctx {
    const double *y;
    int n;
    struct ets_model base; /* spec, m, initial seasonal states */
};

/* x = alpha [beta] [gamma] [phi] l0 [b0] into a model; 0 inside the usual bounds. */
static int unpack(const double *x, struct ets_model *md)
{
    const struct ets_spec *sp = &md->spec;
    int i = 0;
    md->alpha = x[i++];
    if (md->alpha < LO || md->alpha > HI)
        return -1;
    if (sp->trend) {
        md->beta = x[i++];
        if (md->beta < LO || md->beta > md->alpha)
            return -1;
    }
    if (sp->season) {
        md->gamma = x[i++];
        if (md->gamma < LO || md->gamma > 1 - md->alpha)
            return -1;
    }
    md->phi = 1;
    if (sp->damped) {
        md->phi = x[i++];
        if (md->phi < PHI_LO || md->phi > PHI_HI)
            return -1;
    }
    md->l = x[i++];
    md->b = sp->trend ? x[i++] : 0;
    return 0;
}

static double objective(const double *x, void *ctx)
{
    struct fitctx *fc = ctx;
    struct ets_model md = fc->base;
    if (unpack(x, &md))
        return HUGE_VAL;
    md.n = 0;
    return filter(fc->y, fc->n, &md, NULL, NULL);
}

/* Initial level and slope (initstate()): regression on the first max(10, 2m) points of the
 * seasonally adjusted data. */
static void init_level(const double *ysa, int n, int m, int trend, double *l0, double *b0)
{
    int k = 2 * m > 10 ? 2 * m : 10;
    if (k > n)
        k = n;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < k; i++) {
        double t = i + 1;
        sx += t;
        sy += ysa[i];
        sxx += t * t;
        sxy += t * ysa[i];
    }
    if (!trend || k < 2) {
        *l0 = sy / k;
        *b0 = 0;
        return;
    }
    double den = k * sxx - sx * sx;
    *b0 = den != 0 ? (k * sxy - sx * sy) / den : 0;
    *l0 = (sy - *b0 * sx) / k;
    if (fabs(*l0 + *b0) < 1e-8) {
        *l0 *= 1 + 1e-3;
        *b0 *= 1 - 1e-3;
    }
}

static int all_positive(const double *y, int n)
{
    for (int i = 0; i < n; i++)
        if (!(y[i] > 0))
            return 0;
    return 1;
}

/* A step for one coordinate of the first simplex that stays inside the bounds. */
static void feasible_step(const double *x, double *step, int d, int i, const struct ets_model *md)
{
    double xt[NM_MAXD];
    struct ets_model t = *md;
    for (int tries = 0; tries < 12; tries++) {
        for (int sgn = 1; sgn >= -1; sgn -= 2) {
            memcpy(xt, x, sizeof(double) * d);
            xt[i] += sgn * step[i];
            if (!unpack(xt, &t)) {
                step[i] *= sgn;
                return;
            }
        }
        step[i] *= 0.5;
    }
}

static int cmp_abs(const void *a, const void *b)
{
    double x = fabs(*(const double *)a), y = fabs(*(const double *)b);
    return (x > y) - (x < y);
}

/* The widening of the intervals (tail80, tail95 of struct ets_model): the normal intervals
 * assume the model, its parameters and normal errors are right. Where the fit's own one-step
 * errors (res, reordered here) are heavier-tailed than normal, the empirical quantiles of
 * |error| / sigma exceed the normal ones, and the interval widens by their ratio (never
 * narrows: a lighter-tailed sample of ~100 errors is more likely chance than lighter tails).
 * Too few errors (< 20) to judge: no widening. */
static void tails(double *res, int n, double sigma2, struct ets_model *md)
{
    md->tail80 = md->tail95 = 1;
    if (n < 20 || !(sigma2 > 0))
        return;
    qsort(res, (size_t)n, sizeof *res, cmp_abs);
    double sd = sqrt(sigma2);
    double q80 = fabs(res[(int)(0.8 * (n - 1) + 0.5)]) / sd;
    double q95 = fabs(res[(int)(0.95 * (n - 1) + 0.5)]) / sd;
    if (q80 / FC_Z80 > 1)
        md->tail80 = q80 / FC_Z80;
    if (q95 / FC_Z95 > 1)
        md->tail95 = q95 / FC_Z95;
}

int ets_fit(const double *y, int n, int m, const struct ets_spec *spec, struct ets_model *out)
{
    memset(out, 0, sizeof *out);
    if (n < FC_MIN_N || spec->error < FC_A || spec->error > FC_M || spec->trend > FC_A ||
        spec->season > FC_M || (spec->damped && spec->trend != FC_A))
        return -1;
    if (spec->season && (m < 2 || m > FC_MAX_PERIOD || n < 2 * m))
        return -1;
    if ((spec->error == FC_M || spec->season == FC_M) && !all_positive(y, n))
        return -1;
    if (!spec->season)
        m = 1;
    double sc = 0;
    for (int i = 0; i < n; i++)
        if (fabs(y[i]) > sc)
            sc = fabs(y[i]);
    if (!isfinite(sc))
        return -1;
    if (sc == 0)
        sc = 1;
    double *ys = fc_malloc(sizeof(double) * 2 * (size_t)n);
    if (!ys)
        return -1;
    double *ysa = ys + n;
    for (int i = 0; i < n; i++)
        ys[i] = y[i] / sc;

    struct fitctx fc = {.y = ys, .n = n};
    struct ets_model *md = &fc.base;
    md->spec = *spec;
    md->m = m;
    memcpy(ysa, ys, sizeof(double) * n);
    if (spec->season) {
        double fig[FC_MAX_PERIOD];
        if (fc_decompose(ys, n, m, spec->season == FC_M, fig)) {
            free(ys);
            return -1;
        }
        if (spec->season == FC_M) {
            double sum = 0;
            for (int k = 0; k < m; k++) {
                if (fig[k] < 1e-2)
                    fig[k] = 1e-2;
                sum += fig[k];
            }
            if (sum > m)
                for (int k = 0; k < m; k++)
                    fig[k] /= sum / m;
        }
        for (int k = 0; k < m; k++)
            md->s[k] = fig[k];
        for (int i = 0; i < n; i++)
            ysa[i] = spec->season == FC_A ? ys[i] - fig[i % m] : ys[i] / fig[i % m];
    }
    double l0, b0;
    init_level(ysa, n, m, spec->trend, &l0, &b0);

    double alpha = LO + 0.2 * (HI - LO) / m;
    double beta = LO + 0.1 * (HI - LO);
    if (beta > alpha)
        beta = alpha - 1e-3;
    if (beta < LO)
        beta = alpha / 2;
    double gamma = LO + 0.05 * (HI - LO);
    if (gamma > 1 - alpha)
        gamma = 1 - alpha - 1e-3;
    double phi = PHI_LO + 0.99 * (PHI_HI - PHI_LO);

    double x[NM_MAXD], st[NM_MAXD];
    int d = 0;
    x[d] = alpha, st[d++] = 0.1;
    if (spec->trend)
        x[d] = beta, st[d++] = 0.05;
    if (spec->season)
        x[d] = gamma, st[d++] = 0.05;
    if (spec->damped)
        x[d] = phi, st[d++] = 0.05;
    x[d] = l0, st[d++] = 0.1 * fabs(l0) + 0.01;
    if (spec->trend)
        x[d] = b0, st[d++] = 0.1 * fabs(b0) + 0.005;
    for (int i = 0; i < d; i++)
        feasible_step(x, st, d, i, md);

    double best = nelder_mead(objective, &fc, x, st, d, NM_MAXEVAL);
    int rc = -1;
    if (isfinite(best)) {
        *out = *md;
        unpack(x, out);
        out->np = d + (spec->season ? m - 1 : 0) + 1;
        out->n = 0;
        double sse = 0;
        out->lik = filter(ys, n, out, &sse, ysa);
        if (isfinite(out->lik)) {
            tails(ysa, n, sse / (n > out->np ? n - out->np : n), out);
            /* back to the data's scale */
            out->l *= sc;
            out->b *= sc;
            if (spec->season == FC_A)
                for (int k = 0; k < m; k++)
                    out->s[k] *= sc;
            if (spec->error == FC_A)
                sse *= sc * sc;
            out->lik += 2.0 * n * log(sc);
            finish_stats(out, n, sse);
            rc = 0;
        }
    }
    free(ys);
    return rc;
}

int ets_auto_all(const double *y, int n, int m, int full, struct ets_model *out, int max)
{
    int pos = all_positive(y, n);
    int seas_ok = full && m >= 2 && m <= FC_MAX_PERIOD && n >= 2 * m;
    int found = 0;
    for (int season = FC_N; season <= (seas_ok ? FC_M : FC_N); season++)
        for (int error = FC_A; error <= FC_M; error++)
            for (int trend = 0; trend < 3; trend++) {
                struct ets_spec sp = {error, trend ? FC_A : FC_N, season, trend == 2};
                if ((error == FC_M || season == FC_M) && !pos)
                    continue;
                if (error == FC_A && season == FC_M) /* R's restrict = TRUE */
                    continue;
                int npars = 2 + (sp.trend ? 2 : 0) + (sp.damped ? 1 : 0) + (season ? m : 0);
                if (n <= npars + 4 || found >= max)
                    continue;
                if (!ets_fit(y, n, m, &sp, &out[found]) && isfinite(out[found].aicc))
                    found++;
            }
    return found;
}

int ets_auto(const double *y, int n, int m, int full, struct ets_model *out, char *why,
             size_t whylen)
{
    struct ets_model all[FC_ETS_MODELS];
    int k = ets_auto_all(y, n, m, full, all, FC_ETS_MODELS);
    if (!k) {
        snprintf(why, whylen, "no exponential smoothing model fits %d points", n);
        return -1;
    }
    int best = 0;
    for (int i = 1; i < k; i++)
        if (all[i].aicc < all[best].aicc)
            best = i;
    *out = all[best];
    return 0;
}

/* ---- forecasts ---- */

/* Acklam's rational approximation of the normal quantile (relative error < 1.2e-9). */
static double qnorm(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425)
        return -qnorm(1 - p);
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/* k-th smallest of v[0..n) (partially reorders v). */
static double select_kth(double *v, int n, int k)
{
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        double piv = v[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* Quantile of type 7 (R's default) of v[0..n). */
static double quantile(double *v, int n, double p)
{
    double h = (n - 1) * p;
    int lo = (int)floor(h);
    double a = select_kth(v, n, lo);
    if (lo + 1 >= n)
        return a;
    double b = select_kth(v, n, lo + 1);
    return a + (h - lo) * (b - a);
}

/* Stratified normal deviates; sample paths draw them with xorshift64. */
enum { TAB = 1024 };
static double z[TAB];
static pthread_once_t ztab_once = PTHREAD_ONCE_INIT;

static void ztab_init(void)
{
    for (int i = 0; i < TAB; i++)
        z[i] = qnorm((i + 0.5) / TAB);
}

/* Simulated intervals: NSIM paths with normal errors drawn from a fixed stratified table. */
static void simulate(const struct ets_model *mod, int horizon, struct fc_result *out)
{
    pthread_once(&ztab_once, ztab_init);
    double *paths = fc_malloc(sizeof(double) * NSIM * (size_t)horizon);
    if (!paths) { /* no memory: well-formed, and fc_forecast answers FC_ENOMEM */
        for (int h = 0; h < horizon; h++)
            out->lo80[h] = out->hi80[h] = out->lo95[h] = out->hi95[h] = out->mean[h];
        return;
    }
    double sd = sqrt(mod->sigma2);
    unsigned long long rng = 0x9E3779B97F4A7C15ull;
    for (int p = 0; p < NSIM; p++) {
        struct ets_model md = *mod;
        for (int h = 0; h < horizon; h++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            double e = sd * z[rng % TAB], f = one_step(&md);
            double yv = mod->spec.error == FC_M ? f * (1 + e) : f + e;
            if (!isfinite(f) || step(&md, yv, &f))
                yv = NAN;
            paths[(size_t)h * NSIM + p] = yv;
        }
    }
    for (int h = 0; h < horizon; h++) {
        double *v = paths + (size_t)h * NSIM;
        int k = 0;
        for (int p = 0; p < NSIM; p++)
            if (isfinite(v[p]))
                v[k++] = v[p];
        if (k < 10) {
            out->lo80[h] = out->hi80[h] = out->lo95[h] = out->hi95[h] = out->mean[h];
            continue;
        }
        out->lo95[h] = quantile(v, k, 0.025);
        out->lo80[h] = quantile(v, k, 0.10);
        out->hi80[h] = quantile(v, k, 0.90);
        out->hi95[h] = quantile(v, k, 0.975);
        /* keep the point forecast inside its intervals */
        if (out->lo80[h] > out->mean[h])
            out->lo80[h] = out->mean[h];
        if (out->lo95[h] > out->lo80[h])
            out->lo95[h] = out->lo80[h];
        if (out->hi80[h] < out->mean[h])
            out->hi80[h] = out->mean[h];
        if (out->hi95[h] < out->hi80[h])
            out->hi95[h] = out->hi80[h];
    }
    free(paths);
}

void ets_forecast(const struct ets_model *mod, int horizon, struct fc_result *out)
{
    const struct ets_spec *sp = &mod->spec;
    double phi = sp->damped ? mod->phi : 1;
    double phih = 0, ph = 1;
    for (int h = 0; h < horizon; h++) {
        ph *= phi;
        phih += ph; /* sum_{i=1}^{h+1} phi^i */
        double f = mod->l + (sp->trend ? phih * mod->b : 0);
        int k = (mod->n + h) % (mod->m > 0 ? mod->m : 1);
        if (sp->season == FC_A)
            f += mod->s[k];
        else if (sp->season == FC_M)
            f *= mod->s[k];
        out->mean[h] = f;
    }
    ets_spec_name(sp, out->method);
    int class1 = sp->error == FC_A && sp->season != FC_M;
    int class2 = sp->error == FC_M && sp->season == FC_N;
    /* Multiplicative error and season (MNM, MAM, MAdM): the class 2 variance of the
     * deseasonalised level and trend, times the square of the season's factor -- the
     * approximation of Hyndman et al. (2008, section 6.4) when gamma is small; simulating
     * 500 paths cost more than the fit. */
    int class3 = sp->error == FC_M && sp->season == FC_M;
    double *seas = NULL;
    if (class3) {
        seas = fc_malloc(sizeof(double) * (size_t)horizon);
        if (!seas)
            class3 = 0;
        else
            for (int h = 0; h < horizon; h++) {
                seas[h] = mod->s[(mod->n + h) % mod->m];
                out->mean[h] = seas[h] != 0 ? out->mean[h] / seas[h] : 0;
            }
        class2 = class3;
    }
    double w80 = mod->tail80 > 1 ? mod->tail80 : 1, w95 = mod->tail95 > 1 ? mod->tail95 : 1;
    if (!class1 && !class2) {
        free(seas);
        simulate(mod, horizon, out);
        for (int h = 0; h < horizon; h++) {
            double m = out->mean[h];
            out->lo80[h] = m - (m - out->lo80[h]) * w80;
            out->hi80[h] = m + (out->hi80[h] - m) * w80;
            out->lo95[h] = m - (m - out->lo95[h]) * w95;
            out->hi95[h] = m + (out->hi95[h] - m) * w95;
        }
        return;
    }
    /* c_j = alpha + beta (phi + ... + phi^j) + gamma [j % m == 0] */
    double sumc2 = 0, cj_phi = 0, pj = 1;
    double *theta = class2 ? fc_malloc(sizeof(double) * (size_t)horizon) : NULL;
    double *c2 = class2 ? fc_malloc(sizeof(double) * (size_t)horizon) : NULL;
    if (class2 && (!theta || !c2)) {
        free(theta);
        free(c2);
        if (seas)
            for (int h = 0; h < horizon; h++)
                out->mean[h] *= seas[h];
        free(seas);
        simulate(mod, horizon, out); /* no memory: fc_forecast answers FC_ENOMEM */
        return;
    }
    for (int h = 0; h < horizon; h++) {
        double var;
        if (class1) {
            var = mod->sigma2 * (1 + sumc2);
        } else {
            double mu2 = out->mean[h] * out->mean[h], acc = 0;
            for (int j = 1; j <= h; j++)
                acc += c2[j - 1] * theta[h - j];
            theta[h] = mu2 + mod->sigma2 * acc;
            var = (1 + mod->sigma2) * theta[h] - mu2;
        }
        /* c_{h+1} for the next step */
        pj *= phi;
        cj_phi += pj;
        double c = mod->alpha + (sp->trend ? mod->beta * cj_phi : 0) +
                   (sp->season && !class3 && (h + 1) % mod->m == 0 ? mod->gamma : 0);
        sumc2 += c * c;
        if (c2)
            c2[h] = c * c;
        double sd = var > 0 ? sqrt(var) : 0;
        out->lo80[h] = out->mean[h] - FC_Z80 * sd * w80;
        out->hi80[h] = out->mean[h] + FC_Z80 * sd * w80;
        out->lo95[h] = out->mean[h] - FC_Z95 * sd * w95;
        out->hi95[h] = out->mean[h] + FC_Z95 * sd * w95;
        if (class3) {
            double *v[5] = {out->mean, out->lo80, out->hi80, out->lo95, out->hi95};
            for (int k = 0; k < 5; k++)
                v[k][h] *= seas[h];
        }
    }
    free(theta);
    free(c2);
    free(seas);
}
