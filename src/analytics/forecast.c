/* forecast.c -- fc_forecast(): checks the series, picks the methods, combines them, falls back.
 *
 * FC_AUTO, the default, is the equal-weight mean of two forecasts (point forecasts and
 * interval bounds alike; averaging the bounds is an approximation that keeps each interval
 * between those of its members):
 *   - Theta (theta.c), and
 *   - ETS chosen by AICc among ANN, AAN, AAdN (+ MNN, MAN, MAdN for positive data) fitted to
 *     the seasonally adjusted series, then reseasonalised, where "seasonally adjusted" means
 *     divided by the classical multiplicative figures when thetaf's 90 % test finds
 *     seasonality (the adjustment of Theta, so both members see the same series).
 *     With opts->ets_full the seasonal ETS models are fitted to the raw series instead, as R's
 *     ets does: on M3 monthly a little more accurate (sMAPE 13.68 against 13.78) but about 2.5
 *     times slower (1.7 ms a series against 0.67 ms), over the 1 ms budget; see
 *     bench/forecast_m3 and KAM_FORECAST_METHOD in cli/cmd_forecast.c.
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

/* ETS on the (seasonally adjusted) series x, reseasonalised by fig when given. */
static int ets_part(const double *y, const double *x, int n, int m, const double *fig, int full,
                    int horizon, struct fc_result *out, char *why, size_t whylen)
{
    struct ets_model md;
    if (full) {
        if (ets_auto(y, n, m, 1, &md, why, whylen))
            return -1;
    } else if (ets_auto(x, n, 1, 0, &md, why, whylen)) {
        return -1;
    }
    ets_forecast(&md, horizon, out);
    if (!full && fig) {
        for (int h = 0; h < horizon; h++) {
            double s = fig[(n + h) % m];
            out->mean[h] *= s;
            out->lo80[h] *= s;
            out->hi80[h] *= s;
            out->lo95[h] *= s;
            out->hi95[h] *= s;
        }
        size_t len = strlen(out->method);
        if (len + 3 < sizeof out->method)
            memcpy(out->method + len, "/sa", 4);
    }
    return 0;
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

    double fig[FC_MAX_PERIOD * 8], *figp = NULL, *x = fc_malloc(sizeof(double) * (size_t)n);
    if (!x) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    memcpy(x, y, sizeof(double) * (size_t)n);
    if (m <= FC_MAX_PERIOD * 8 && fc_seasonal_test(y, n, m)) {
        int pos = 1;
        for (int i = 0; i < n; i++)
            pos &= y[i] > 0;
        if (pos && !fc_decompose(y, n, m, 1, fig)) {
            figp = fig;
            for (int k = 0; k < m; k++)
                if (fabs(fig[k]) < 1e-4)
                    figp = NULL;
        }
        if (figp)
            for (int i = 0; i < n; i++)
                x[i] = y[i] / fig[i % m];
    }
    int rc;
    if (o->method == FC_ETS) {
        rc = ets_part(y, x, n, m, figp, o->ets_full, horizon, out, why, whylen);
    } else if (ets_part(y, x, n, m, figp, o->ets_full, horizon, tmp, why, whylen)) {
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
            out->mean[h] = (out->mean[h] + tmp->mean[h]) / 2;
            out->lo80[h] = (out->lo80[h] + tmp->lo80[h]) / 2;
            out->hi80[h] = (out->hi80[h] + tmp->hi80[h]) / 2;
            out->lo95[h] = (out->lo95[h] + tmp->lo95[h]) / 2;
            out->hi95[h] = (out->hi95[h] + tmp->hi95[h]) / 2;
        }
        char name[32];
        snprintf(name, sizeof name, "theta+%.20s", tmp->method);
        memcpy(out->method, name, sizeof out->method);
        rc = 0;
    }
    free(x);
    return rc;
}

static int forecast(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                    struct fc_result *out, char *why, size_t whylen);

int fc_forecast(const double *y, int n, int period, int horizon, const struct fc_opts *opt,
                struct fc_result *out, char *why, size_t whylen)
{
    oom = 0;
    int rc = forecast(y, n, period, horizon, opt, out, why, whylen);
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
                    struct fc_result *out, char *why, size_t whylen)
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
    int constant = 1;
    for (int i = 1; i < n && constant; i++)
        constant = y[i] == y[0];
    if (constant) {
        for (int h = 0; h < horizon; h++)
            out->mean[h] = out->lo80[h] = out->hi80[h] = out->lo95[h] = out->hi95[h] = y[0];
        return 0;
    }
    /* Work on y / max|y| so that squares cannot overflow; scale back at the end. */
    double *ys = fc_malloc(sizeof(double) * ((size_t)n + 5 * (size_t)horizon));
    if (!ys) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    double *t = ys + n;
    struct fc_result tmp = {t, t + horizon, t + 2 * horizon, t + 3 * horizon, t + 4 * horizon, ""};
    for (int i = 0; i < n; i++)
        ys[i] = y[i] / sc;
    int rc = run(ys, n, period, horizon, o, out, &tmp, why, whylen);
    if (rc || !finite_result(out, horizon)) {
        naive(ys, n, horizon, out);
        rc = 0;
        if (whylen)
            why[0] = 0;
    }
    rescale(out, horizon, sc);
    if (!finite_result(out, horizon)) {
        snprintf(why, whylen, "the values are too large to forecast");
        rc = -1;
    }
    free(ys);
    return rc;
}
