/* forecast.c -- fc_forecast(): checks the series, screens outliers, picks the methods, combines
 * them, falls back.
 *
 * Before anything is fitted, gross outliers (fc_outliers below) are replaced by their robust
 * local value and reported (fc_forecast_info). FC_AUTO, the default, is the equal-weight mean
 * of two forecasts that treat seasonality differently, which is why their mean beats both:
 *   - Theta (theta.c): fixed classical seasonal figures, when thetaf's 90 % test finds a
 *     season (fc_adjust in seasonal.c: multiplicative for a positive series, additive for one
 *     with zero or negative months);
 *   - ETS fitted to the raw series (ets_default_all): trend none, additive or damped, each
 *     without and with a seasonal component whose states evolve (gamma), multiplicative
 *     errors and season for a positive series (MNN, MAN, MAdN, MNM, MAM, MAdM: noise and
 *     seasonal swings in proportion to the level), additive ones for a series with a zero or
 *     negative month (ANN ... AAdA: zero-safe). Their Akaike-weighted mean (weights
 *     exp(-AICc / 2)): the likelihood, not a test, decides how much season and trend there
 *     is, and weighting instead of keeping the best hedges between near-equal models
 *     (Kolassa 2011). A period over FC_MAX_PERIOD (weekly data) has no seasonal states: the
 *     non-seasonal models then fit the seasonally adjusted series, reseasonalised.
 *     With opts->ets_full, the one model R's ets would choose among all of its models.
 * Intervals: each member's are widened where its own one-step errors are heavier-tailed than
 * normal (ets.c, tails()); the combination's half-widths are those of an equal mixture of the
 * two members, sqrt(mean half-width^2 + (z * difference of the means / 2)^2): when the members
 * disagree, so does the truth more often than either's interval says. Non-negative data (sales)
 * never get a negative point forecast or bound: they are cut at zero.
 * On M3 monthly (bench/forecast_m3; the design chosen on the even-numbered series, checked on
 * the odd ones, no constant fitted to M3): sMAPE 13.57 (even 13.17, odd 13.97; the previous
 * design, the ETS member's non-seasonal models on the Theta-adjusted series: 13.74, 13.37,
 * 14.11), MASE 0.840 (0.849), 80 % intervals cover 81.2 % (79.9), 95 % 94.5 % (93.7), about
 * 0.8 ms a series. Tried without gain on the even half: the optimised (OTM) and dynamic
 * optimised (DOTM, Fiorucci et al. 2016) Theta in place of thetaf or as a third member, a
 * median of three instead of a mean, a theta weight of 0.4 or 0.6, seasonal figures
 * weighting recent years more, the ETS member restricted to additive or to multiplicative
 * errors on the adjusted series.
 * Fallbacks: a constant series gets its value with zero-width intervals; when no ETS model
 * can be fitted (fewer than 8 points) Theta alone; when Theta fails too, the naive forecast
 * with random-walk intervals. Results that overflow are an error, never inf or NaN. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fault.h"
#include "forecast.h"

/* Set when an fc_malloc failed since the outermost fc_forecast of this thread began. */
static _Thread_local int oom;

void *fc_malloc(size_t n)
{
    void *p = FAULT_MALLOC(n);
    if (!p)
        oom = 1;
    return p;
}

static void naive(const double *y, int n, int horizon, struct fc_result *out)
{
    double s2 = 0;
    for (int i = 1; i < n; i++)
        s2 += (y[i] - y[i - 1]) * (y[i] - y[i - 1]);
    s2 /= n - 1;
    for (int h = 0; h < horizon; h++) {
        double sd = sqrt(s2 * (h + 1));
        out->mean[h] = y[n - 1];
        out->lo80[h] = y[n - 1] - FC_Z80 * sd;
        out->hi80[h] = y[n - 1] + FC_Z80 * sd;
        out->lo95[h] = y[n - 1] - FC_Z95 * sd;
        out->hi95[h] = y[n - 1] + FC_Z95 * sd;
    }
    snprintf(out->method, sizeof out->method, "naive");
}

/* The ETS models of the default method, fitted to the raw series (period m): trend none,
 * additive or damped, each without and with a seasonal component whose states are updated
 * (gamma) from the classical figures. A positive series gets multiplicative errors and
 * seasons (MNN, MAN, MAdN, MNM, MAM, MAdM: noise and seasonal swings in proportion to the
 * level, as sales have them); a series with a zero or negative value additive ones (ANN, AAN,
 * AAdN, ANA, AAA, AAdA: zero-safe). The seasonal ones need n >= 2m and n > parameters + 4 (as
 * R's ets); too short a series keeps the non-seasonal three. How many were fitted into md. */
static int ets_default_all(const double *y, int n, int m, struct ets_model *md)
{
    int pos = 1, k = 0;
    for (int i = 0; i < n && pos; i++)
        pos = y[i] > 0;
    int comp = pos ? FC_M : FC_A;
    int seas_ok = m >= 2 && m <= FC_MAX_PERIOD && n >= 2 * m;
    for (int season = 0; season < (seas_ok ? 2 : 1); season++)
        for (int trend = 0; trend < 3; trend++) {
            struct ets_spec sp = {comp, trend ? FC_A : FC_N, season ? comp : FC_N, trend == 2};
            int npars = 2 + (sp.trend ? 2 : 0) + sp.damped + (season ? m : 0);
            if (n <= npars + 4)
                continue;
            if (!ets_fit(y, n, season ? m : 1, &sp, &md[k]) && isfinite(md[k].aicc))
                k++;
        }
    return k;
}

/* The Akaike-weighted mean of the models md[0..k) (weights exp(-AICc/2), normalised;
 * Burnham & Anderson 2002, Kolassa 2011): point forecasts and bounds alike. method: the name
 * of the heaviest. All were fitted to the same series, so their AICc compare. */
static int ets_weighted(const struct ets_model *md, int k, int horizon, struct fc_result *out,
                        char *why, size_t whylen)
{
    double best = md[0].aicc, wsum = 0, w[FC_ETS_MODELS];
    int top = 0;
    for (int i = 1; i < k; i++)
        if (md[i].aicc < best)
            best = md[i].aicc, top = i;
    for (int i = 0; i < k; i++)
        wsum += w[i] = exp(-0.5 * (md[i].aicc - best));
    double *t = fc_malloc(sizeof(double) * 5 * (size_t)horizon);
    if (!t) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    struct fc_result one = {t, t + horizon, t + 2 * horizon, t + 3 * horizon, t + 4 * horizon, ""};
    double *o[5] = {out->mean, out->lo80, out->hi80, out->lo95, out->hi95};
    double *v[5] = {one.mean, one.lo80, one.hi80, one.lo95, one.hi95};
    for (int j = 0; j < 5; j++)
        memset(o[j], 0, sizeof(double) * (size_t)horizon);
    for (int i = 0; i < k; i++) {
        ets_forecast(&md[i], horizon, &one);
        for (int j = 0; j < 5; j++)
            for (int h = 0; h < horizon; h++)
                o[j][h] += w[i] / wsum * v[j][h];
        if (i == top)
            memcpy(out->method, one.method, sizeof out->method);
    }
    free(t);
    return 0;
}

/* The ETS member: the Akaike-weighted mean of ets_default_all's models; with full, the one
 * model R's ets would choose among all (ets_auto). */
static int ets_part(const double *y, int n, int m, int full, int horizon, struct fc_result *out,
                    char *why, size_t whylen)
{
    if (full) {
        struct ets_model md;
        if (ets_auto(y, n, m, 1, &md, why, whylen))
            return -1;
        ets_forecast(&md, horizon, out);
        return 0;
    }
    /* A period too long for seasonal states (weekly data, m = 52): the non-seasonal models on
     * the seasonally adjusted series (fc_adjust), reseasonalised. */
    int kind = FC_SA_NONE;
    double *x = NULL, *fig = NULL;
    if (m > FC_MAX_PERIOD) {
        x = fc_malloc(sizeof(double) * ((size_t)n + (size_t)m));
        if (!x) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        fig = x + n;
        kind = fc_adjust(y, n, m, x, fig);
    }
    struct ets_model md[6];
    int k = ets_default_all(x ? x : y, n, x ? 1 : m, md), rc;
    if (!k) {
        snprintf(why, whylen, "no exponential smoothing model fits %d points", n);
        rc = -1;
    } else {
        rc = ets_weighted(md, k, horizon, out, why, whylen);
    }
    if (!rc && kind != FC_SA_NONE) {
        fc_reseason(kind, fig, n, m, horizon, out);
        size_t len = strlen(out->method);
        if (len + 3 < sizeof out->method)
            memcpy(out->method + len, "/sa", 4);
    }
    free(x);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..k) (reorders v). */
static double median(double *v, int k)
{
    qsort(v, (size_t)k, sizeof *v, cmp_double);
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/* A value this many times the median |y| away from the median is an outlier where the MAD says
 * nothing (a flat series) or the series is too short for a running median. */
#define OUTLIER_LEVELS 30.0

/* Fewer than 8 points (at least 3): the one point farthest from the median, if it is more than
 * OUTLIER_LEVELS median |y| away from it, replaced by the median. */
static int short_outlier(const double *y, int n, double *clean, int *idx, int maxidx)
{
    if (n < 3)
        return 0;
    double v[8], a[8];
    for (int t = 0; t < n; t++) {
        v[t] = y[t];
        a[t] = fabs(y[t]);
    }
    double med = median(v, n), lim = OUTLIER_LEVELS * median(a, n);
    if (!(lim > 0) || !isfinite(lim))
        return 0;
    int worst = -1;
    for (int t = 0; t < n; t++)
        if (fabs(y[t] - med) > lim && (worst < 0 || fabs(y[t] - med) > fabs(y[worst] - med)))
            worst = t;
    if (worst < 0)
        return 0;
    clean[worst] = med;
    if (maxidx > 0)
        idx[0] = worst;
    return 1;
}

int fc_outliers(const double *y, int n, int m, double *clean, int *idx, int maxidx)
{
    memcpy(clean, y, sizeof(double) * (size_t)n);
    if (n < 8)
        return short_outlier(y, n, clean, idx, maxidx);
    int span = (m > 4 ? m : 4) / 2 * 2 + 1, half = span / 2;
    int seasonal = m > 1 && n >= 3 * m; /* a median of 2 is their mean: not robust */
    double *tr = fc_malloc(sizeof(double) * (3 * (size_t)n + (size_t)m + (size_t)span));
    if (!tr)
        return 0; /* fc_forecast answers FC_ENOMEM */
    double *r = tr + n, *tmp = r + n, *sfig = tmp + n, *win = sfig + m;
    /* Near the ends, the nearest whole window (a truncated one would not span a season) and a
     * robust slope from there: the median change over `lag` periods (a season apart: free of
     * seasonality) of the first or last points. */
    int lag = m > 1 ? m : 1;
    double slope[2] = {0, 0};
    if (n >= lag + span)
        for (int end = 0; end < 2; end++) {
            int i0 = end ? n - 1 - lag - span + 1 : 0, k = 0;
            for (int i = i0; i < i0 + span; i++)
                tmp[k++] = (y[i + lag] - y[i]) / lag;
            slope[end] = median(tmp, k);
        }
    for (int t = 0; t < n; t++) {
        int a = t - half, b = t + half, k = 0, end = -1;
        if (a < 0)
            a = 0, b = span - 1, end = 0;
        if (b > n - 1)
            b = n - 1, a = n - span, end = 1;
        if (a < 0)
            a = 0, end = -1;
        for (int i = a; i <= b; i++)
            win[k++] = y[i];
        tr[t] = median(win, k) + (end >= 0 ? slope[end] * (t - (a + b) / 2.0) : 0);
        r[t] = y[t] - tr[t];
    }
    for (int k = 0; k < m; k++)
        sfig[k] = 0;
    if (seasonal)
        for (int k = 0; k < m; k++) {
            int c = 0;
            for (int t = k; t < n; t += m)
                tmp[c++] = r[t];
            sfig[k] = median(tmp, c);
        }
    for (int t = 0; t < n; t++)
        r[t] -= sfig[seasonal ? t % m : 0];
    memcpy(tmp, r, sizeof(double) * (size_t)n);
    double med = median(tmp, n);
    for (int t = 0; t < n; t++)
        tmp[t] = fabs(r[t] - med);
    double mad = median(tmp, n);
    /* A smooth series follows its running median closely (many remainders are exactly 0), so
     * the remainders' MAD alone would call ordinary months outliers: the scale is at least that
     * of the month-to-month changes of the seasonally adjusted series (MAD of the differences
     * / sqrt 2, robust to the two jumps an outlier makes). */
    for (int t = 1; t < n; t++)
        tmp[t - 1] =
            y[t] - sfig[seasonal ? t % m : 0] - (y[t - 1] - sfig[seasonal ? (t - 1) % m : 0]);
    double dmed = median(tmp, n - 1);
    for (int t = 0; t < n - 1; t++)
        tmp[t] = fabs(tmp[t] - dmed);
    double dmad = median(tmp, n - 1) / sqrt(2.0);
    if (dmad > mad)
        mad = dmad;
    int found = 0;
    double lim = 30 * 1.4826 * mad;
    if (!(mad > 0)) {
        /* Most months equal their running median (a flat series): no spread to measure
         * against, so the rule is relative to the level (30 times the median |y|; a series
         * mostly of zeros has none and is not judged). A mean absolute deviation would not do:
         * one huge month inflates it past itself. */
        for (int t = 0; t < n; t++)
            tmp[t] = fabs(y[t]);
        lim = OUTLIER_LEVELS * median(tmp, n);
    }
    if (lim > 0 && isfinite(lim)) {
        int cap = n / 10 > 1 ? n / 10 : 1;
        /* the largest first, so that the cap keeps the worst */
        while (found < cap) {
            int worst = -1;
            for (int t = 0; t < n; t++)
                if (clean[t] == y[t] && fabs(r[t] - med) > lim &&
                    (worst < 0 || fabs(r[t] - med) > fabs(r[worst] - med)))
                    worst = t;
            if (worst < 0)
                break;
            double v = tr[worst] + sfig[seasonal ? worst % m : 0];
            /* a replacement equal to the value would be found again: nudge it */
            clean[worst] = v != y[worst] ? v : nextafter(v, HUGE_VAL);
            found++;
        }
    }
    for (int t = 0, k = 0; t < n && k < maxidx; t++)
        if (clean[t] != y[t])
            idx[k++] = t;
    free(tr);
    return found;
}

static int finite_result(const struct fc_result *r, int horizon)
{
    for (int h = 0; h < horizon; h++)
        if (!isfinite(r->mean[h]) || !isfinite(r->lo80[h]) || !isfinite(r->hi80[h]) ||
            !isfinite(r->lo95[h]) || !isfinite(r->hi95[h]))
            return 0;
    return 1;
}

/* Multiplies everything by sc, keeps the bounds ordered. */
static void rescale(struct fc_result *r, int horizon, double sc)
{
    for (int h = 0; h < horizon; h++) {
        r->mean[h] *= sc;
        r->lo80[h] *= sc;
        r->hi80[h] *= sc;
        r->lo95[h] *= sc;
        r->hi95[h] *= sc;
    }
}

static int run(const double *y, int n, int m, int horizon, const struct fc_opts *o,
               struct fc_result *out, struct fc_result *tmp, char *why, size_t whylen)
{
    if (o->method == FC_NAIVE) {
        naive(y, n, horizon, out);
        return 0;
    }
    if (o->method == FC_THETA)
        return theta_forecast(y, n, m, horizon, out, NULL, why, whylen);

    int rc;
    if (o->method == FC_ETS) {
        rc = ets_part(y, n, m, o->ets_full, horizon, out, why, whylen);
    } else if (ets_part(y, n, m, o->ets_full, horizon, tmp, why, whylen)) {
        rc = theta_forecast(y, n, m, horizon, out, NULL, why, whylen);
    } else if (theta_forecast(y, n, m, horizon, out, NULL, why, whylen)) {
        memcpy(out->mean, tmp->mean, sizeof(double) * horizon);
        memcpy(out->lo80, tmp->lo80, sizeof(double) * horizon);
        memcpy(out->hi80, tmp->hi80, sizeof(double) * horizon);
        memcpy(out->lo95, tmp->lo95, sizeof(double) * horizon);
        memcpy(out->hi95, tmp->hi95, sizeof(double) * horizon);
        memcpy(out->method, tmp->method, sizeof out->method);
        rc = 0;
    } else {
        for (int h = 0; h < horizon; h++) {
            double d = out->mean[h] - tmp->mean[h], mean = (out->mean[h] + tmp->mean[h]) / 2;
            double a8 = (out->mean[h] - out->lo80[h] + tmp->mean[h] - tmp->lo80[h]) / 2;
            double b8 = (out->hi80[h] - out->mean[h] + tmp->hi80[h] - tmp->mean[h]) / 2;
            double a9 = (out->mean[h] - out->lo95[h] + tmp->mean[h] - tmp->lo95[h]) / 2;
            double b9 = (out->hi95[h] - out->mean[h] + tmp->hi95[h] - tmp->mean[h]) / 2;
            /* the two members' disagreement is uncertainty too: the variance of an equal
             * mixture of two forecasts is the mean variance plus (difference / 2)^2 */
            double e8 = FC_Z80 * FC_Z80 * d * d / 4, e9 = FC_Z95 * FC_Z95 * d * d / 4;
            a8 = sqrt(a8 * a8 + e8), b8 = sqrt(b8 * b8 + e8);
            a9 = sqrt(a9 * a9 + e9), b9 = sqrt(b9 * b9 + e9);
            out->mean[h] = mean;
            out->lo80[h] = mean - a8;
            out->hi80[h] = mean + b8;
            out->lo95[h] = mean - a9;
            out->hi95[h] = mean + b9;
        }
        char name[32];
        snprintf(name, sizeof name, "theta+%.20s", tmp->method);
        memcpy(out->method, name, sizeof out->method);
        rc = 0;
    }
    return rc;
}

static int forecast(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                    struct fc_result *out, struct fc_info *info, char *why, size_t whylen);

int fc_forecast(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                struct fc_result *out, char *why, size_t whylen)
{
    return fc_forecast_info(y, n, period, horizon, opt, out, NULL, why, whylen);
}

int fc_forecast_info(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                     struct fc_result *out, struct fc_info *info, char *why, size_t whylen)
{
    struct fc_info dummy;
    if (!info)
        info = &dummy;
    info->n_outliers = 0;
    oom = 0;
    int rc = forecast(y, n, period, horizon, opt, out, info, why, whylen);
    if (oom) {
        /* Whatever a failed step fell back to (another model, the naive forecast, degenerate
         * intervals) is not a forecast: the caller fails (base/err.h). */
        oom = 0;
        snprintf(why, whylen, "out of memory");
        return FC_ENOMEM;
    }
    return rc;
}

static int forecast(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                    struct fc_result *out, struct fc_info *info, char *why, size_t whylen)
{
    static const struct fc_opts defaults = {FC_AUTO, 0};
    const struct fc_opts *o = opt ? opt : &defaults;
    if (whylen)
        why[0] = 0;
    if (horizon < 1 || horizon > FC_MAX_HORIZON) {
        snprintf(why, whylen, "horizon must be from 1 to %d", FC_MAX_HORIZON);
        return -1;
    }
    if (period < 1) {
        snprintf(why, whylen, "the seasonal period must be at least 1");
        return -1;
    }
    if (n < FC_MIN_N) {
        snprintf(why, whylen, "%d point%s: at least %d are needed", n, n == 1 ? "" : "s", FC_MIN_N);
        return -1;
    }
    double sc = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(y[i])) {
            snprintf(why, whylen, "value %d is not a finite number", i + 1);
            return -1;
        }
        if (fabs(y[i]) > sc)
            sc = fabs(y[i]);
    }
    snprintf(out->method, sizeof out->method, "constant");
    int constant = 1, nonneg = 1;
    for (int i = 1; i < n && constant; i++)
        constant = y[i] == y[0];
    for (int i = 0; i < n && nonneg; i++)
        nonneg = y[i] >= 0;
    if (constant) {
        for (int h = 0; h < horizon; h++)
            out->mean[h] = out->lo80[h] = out->hi80[h] = out->lo95[h] = out->hi95[h] = y[0];
        return 0;
    }
    /* Work on y / max|y| so that squares cannot overflow; scale back at the end. */
    double *ys = fc_malloc(sizeof(double) * (2 * (size_t)n + 5 * (size_t)horizon));
    if (!ys) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    double *clean = ys + n, *t = clean + n;
    struct fc_result tmp = {t, t + horizon, t + 2 * horizon, t + 3 * horizon, t + 4 * horizon, ""};
    for (int i = 0; i < n; i++)
        ys[i] = y[i] / sc;
    /* Outliers are replaced before anything is fitted, and reported. */
    int no = fc_outliers(ys, n, period, clean, info->outliers, FC_MAX_OUTLIERS);
    info->n_outliers = no;
    const double *fit = ys;
    if (no) {
        double sc2 = 0;
        for (int i = 0; i < n; i++)
            if (fabs(clean[i]) > sc2)
                sc2 = fabs(clean[i]);
        if (sc2 > 0) {
            for (int i = 0; i < n; i++)
                clean[i] /= sc2;
            sc *= sc2;
        }
        fit = clean;
    }
    int rc, flat = 1;
    for (int i = 1; i < n && flat; i++)
        flat = fit[i] == fit[0];
    if (flat) {
        for (int h = 0; h < horizon; h++)
            out->mean[h] = out->lo80[h] = out->hi80[h] = out->lo95[h] = out->hi95[h] = fit[0];
        rc = 0;
    } else {
        rc = run(fit, n, period, horizon, o, out, &tmp, why, whylen);
    }
    if (rc || !finite_result(out, horizon)) {
        naive(fit, n, horizon, out);
        rc = 0;
        if (whylen)
            why[0] = 0;
    }
    rescale(out, horizon, sc);
    if (!finite_result(out, horizon)) {
        snprintf(why, whylen, "the values are too large to forecast");
        rc = -1;
    }
    /* Data that cannot be negative (sales) get no negative forecasts nor bounds. */
    if (nonneg) {
        double *v[5] = {out->mean, out->lo80, out->hi80, out->lo95, out->hi95};
        for (int k = 0; k < 5; k++)
            for (int h = 0; h < horizon; h++)
                if (v[k][h] < 0)
                    v[k][h] = 0;
    }
    free(ys);
    return rc;
}
