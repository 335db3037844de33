/* theta.c -- the Theta method as R's forecast::thetaf (Hyndman & Billah 2003), plus the
 * classical decomposition and the seasonality test it relies on.
 *
 * thetaf: when the lag-m autocorrelation is significant at 90 % (|r_m| > 1.645 se, se from
 * Bartlett's formula over lags 1..m-1), the series is divided by the seasonal figures of a
 * classical multiplicative decomposition; simple exponential smoothing (ETS ANN by maximum
 * likelihood) is applied, plus half the slope b of a linear trend fitted to the adjusted data:
 *   yhat(h) = l_n + b/2 (h - 1 + (1 - (1 - alpha)^n) / alpha),
 * then reseasonalised. Intervals are SES's: yhat(h) +- z sigma sqrt((h - 1) alpha^2 + 1).
 * One difference from R: the series is deseasonalised only when it is strictly positive (R
 * would divide by seasonal figures computed from a trend that may cross zero). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        s = malloc(sizeof(double) * (size_t)m);
        c = malloc(sizeof(int) * (size_t)m);
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

int theta_forecast(const double *y, int n, int m, int horizon, struct fc_result *out,
                   struct theta_info *info_out, char *why, size_t whylen)
{
    if (n < FC_MIN_N) {
        snprintf(why, whylen, "%d points: Theta needs at least %d", n, FC_MIN_N);
        return -1;
    }
    double *x = malloc(sizeof(double) * (size_t)n);
    double *fig = m > 1 ? malloc(sizeof(double) * (size_t)m) : NULL;
    if (!x || (m > 1 && !fig)) {
        free(x);
        free(fig);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    int seasonal = fc_seasonal_test(y, n, m);
    if (seasonal) {
        for (int i = 0; i < n && seasonal; i++)
            if (!(y[i] > 0))
                seasonal = 0;
        if (seasonal && fc_decompose(y, n, m, 1, fig))
            seasonal = 0;
        for (int k = 0; k < m && seasonal; k++)
            if (fabs(fig[k]) < 1e-4)
                seasonal = 0;
    }
    for (int i = 0; i < n; i++)
        x[i] = seasonal ? y[i] / fig[i % m] : y[i];

    struct ets_model ses;
    const struct ets_spec ann = {FC_A, FC_N, FC_N, 0};
    if (ets_fit(x, n, 1, &ann, &ses)) {
        free(x);
        free(fig);
        snprintf(why, whylen, "simple exponential smoothing failed");
        return -1;
    }
    /* slope of the least-squares line through (t, x_t), t = 0..n-1 */
    double tm = (n - 1) / 2.0, xm = 0, sxy = 0, sxx = 0;
    for (int i = 0; i < n; i++)
        xm += x[i];
    xm /= n;
    for (int i = 0; i < n; i++) {
        sxy += (i - tm) * (x[i] - xm);
        sxx += (i - tm) * (i - tm);
    }
    double drift = sxx > 0 ? sxy / sxx / 2 : 0;
    double alpha = ses.alpha > 1e-10 ? ses.alpha : 1e-10;
    double w = (1 - pow(1 - alpha, n)) / alpha;
    double sd = sqrt(ses.sigma2);
    for (int h = 0; h < horizon; h++) {
        double f = ses.l + drift * (h + w);
        if (seasonal)
            f *= fig[(n + h) % m];
        double se = sd * sqrt(h * alpha * alpha + 1);
        out->mean[h] = f;
        out->lo80[h] = f - FC_Z80 * se;
        out->hi80[h] = f + FC_Z80 * se;
        out->lo95[h] = f - FC_Z95 * se;
        out->hi95[h] = f + FC_Z95 * se;
    }
    snprintf(out->method, sizeof out->method, "theta");
    if (info_out)
        *info_out = (struct theta_info){seasonal, ses.alpha, ses.l, drift, ses.sigma2};
    free(x);
    free(fig);
    return 0;
}
