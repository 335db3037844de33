/* seasonal.c -- the seasonality test and the classical decomposition that Theta (theta.c), the
 * initial seasonal states of ETS (ets.c) and the default method's ETS member for periods too
 * long for seasonal states (forecast.c) share. Kept apart so that theta.c and ets.c do not call
 * each other both ways.
 *
 * fc_seasonal_test: is the lag-m autocorrelation significant at 90 % (|r_m| > 1.645 se, se from
 * Bartlett's formula over lags 1..m-1)? fc_decompose: the seasonal figures of a classical
 * (centred moving average) decomposition, multiplicative or additive, normalised to mean 1 or 0.
 * fc_adjust: the seasonal adjustment built on them (multiplicative for positive series, additive
 * otherwise: zero-safe), fc_reseason its inverse on forecasts. */
#include <math.h>
#include <stdlib.h>

#include "forecast.h"

static int is_constant(const double *y, int n)
{
    for (int i = 1; i < n; i++)
        if (y[i] != y[0])
            return 0;
    return 1;
}

int fc_seasonal_test(const double *y, int n, int m)
{
    if (m < 2 || n <= 2 * m || is_constant(y, n))
        return 0;
    double mean = 0;
    for (int i = 0; i < n; i++)
        mean += y[i];
    mean /= n;
    double c0 = 0;
    for (int i = 0; i < n; i++)
        c0 += (y[i] - mean) * (y[i] - mean);
    if (!(c0 > 0) || !isfinite(c0))
        return 0;
    double sum = 0, rm = 0;
    for (int k = 1; k <= m; k++) {
        double ck = 0;
        for (int i = 0; i + k < n; i++)
            ck += (y[i] - mean) * (y[i + k] - mean);
        double r = ck / c0;
        if (k < m)
            sum += r * r;
        else
            rm = r;
    }
    double se = sqrt((1 + 2 * sum) / n);
    return fabs(rm) / se > 1.6448536269514722;
}

int fc_decompose(const double *y, int n, int m, int multiplicative, double *fig)
{
    if (m < 2 || n < 2 * m)
        return -1;
    double sum[FC_MAX_PERIOD * 8], *s = sum;
    int cnt[FC_MAX_PERIOD * 8], *c = cnt;
    if (m > FC_MAX_PERIOD * 8) {
        s = fc_malloc(sizeof(double) * (size_t)m);
        c = fc_malloc(sizeof(int) * (size_t)m);
        if (!s || !c) {
            free(s == sum ? NULL : s);
            free(c == cnt ? NULL : c);
            return -1;
        }
    }
    for (int k = 0; k < m; k++) {
        s[k] = 0;
        c[k] = 0;
    }
    int half = m / 2, even = m % 2 == 0;
    /* centred moving average: window sum kept incrementally */
    double win = 0;
    int lo = even ? -half + 1 : -half, hi = even ? half - 1 : half;
    for (int j = lo; j <= hi; j++)
        win += y[half + j];
    int rc = 0;
    for (int t = half; t + half < n; t++) {
        if (t > half)
            win += y[t + hi] - y[t - 1 + lo];
        double tr = even ? (win + 0.5 * (y[t - half] + y[t + half])) / m : win / m;
        double v;
        if (multiplicative) {
            if (!(tr > 0)) {
                rc = -1;
                break;
            }
            v = y[t] / tr;
        } else {
            v = y[t] - tr;
        }
        s[t % m] += v;
        c[t % m]++;
    }
    double tot = 0;
    for (int k = 0; k < m && !rc; k++) {
        if (!c[k]) {
            rc = -1;
            break;
        }
        fig[k] = s[k] / c[k];
        tot += fig[k];
    }
    if (!rc) {
        tot /= m;
        for (int k = 0; k < m; k++)
            fig[k] = multiplicative ? fig[k] / tot : fig[k] - tot;
        if (multiplicative && !(tot > 0))
            rc = -1;
        for (int k = 0; k < m; k++)
            if (!isfinite(fig[k]))
                rc = -1;
    }
    if (s != sum) {
        free(s);
        free(c);
    }
    return rc;
}

int fc_adjust(const double *y, int n, int m, double *x, double *fig)
{
    for (int i = 0; i < n; i++)
        x[i] = y[i];
    if (!fc_seasonal_test(y, n, m))
        return FC_SA_NONE;
    int pos = 1;
    for (int i = 0; i < n && pos; i++)
        pos = y[i] > 0;
    if (pos && !fc_decompose(y, n, m, 1, fig)) {
        int ok = 1;
        for (int k = 0; k < m && ok; k++)
            ok = fabs(fig[k]) >= 1e-4;
        if (ok) {
            for (int i = 0; i < n; i++)
                x[i] = y[i] / fig[i % m];
            return FC_SA_MUL;
        }
    }
    /* Zero, negative or near-zero months: additive figures (a zero month stays a month of the
     * season, instead of the whole series losing its seasonality). */
    if (fc_decompose(y, n, m, 0, fig))
        return FC_SA_NONE;
    for (int i = 0; i < n; i++)
        x[i] = y[i] - fig[i % m];
    return FC_SA_ADD;
}

void fc_reseason(int kind, const double *fig, int n, int m, int horizon, struct fc_result *out)
{
    if (kind == FC_SA_NONE)
        return;
    for (int h = 0; h < horizon; h++) {
        double s = fig[(n + h) % m];
        double *v[5] = {out->mean, out->lo80, out->hi80, out->lo95, out->hi95};
        for (int k = 0; k < 5; k++)
            v[k][h] = kind == FC_SA_MUL ? v[k][h] * s : v[k][h] + s;
    }
}
