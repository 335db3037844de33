/* theta.c -- the Theta method as R's forecast::thetaf (Hyndman & Billah 2003); the
 * seasonality test and the decomposition it relies on are in seasonal.c.
 *
 * thetaf: when the lag-m autocorrelation is significant at 90 % (|r_m| > 1.645 se, se from
 * Bartlett's formula over lags 1..m-1), the series is divided by the seasonal figures of a
 * classical multiplicative decomposition; simple exponential smoothing (ETS ANN by maximum
 * likelihood) is applied, plus half the slope b of a linear trend fitted to the adjusted data:
 *   yhat(h) = l_n + b/2 (h - 1 + (1 - (1 - alpha)^n) / alpha),
 * then reseasonalised. Intervals are SES's: yhat(h) +- z sigma sqrt((h - 1) alpha^2 + 1),
 * widened as ETS's where the SES errors are heavier-tailed than normal (ets.c, tails()).
 * One difference from R: a series with a zero or negative value is deseasonalised with additive
 * figures (fc_adjust in seasonal.c; R would divide by figures computed from a trend that may
 * cross zero), so that it keeps its seasonality. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"

int theta_forecast(const double *y, int n, int m, int horizon, struct fc_result *out,
                   struct theta_info *info_out, char *why, size_t whylen)
{
    if (n < FC_MIN_N) {
        snprintf(why, whylen, "%d points: Theta needs at least %d", n, FC_MIN_N);
        return -1;
    }
    double *x = fc_malloc(sizeof(double) * (size_t)n);
    double *fig = m > 1 ? fc_malloc(sizeof(double) * (size_t)m) : NULL;
    if (!x || (m > 1 && !fig)) {
        free(x);
        free(fig);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    int kind = fc_adjust(y, n, m, x, fig); /* m == 1: x = y, fig untouched */
    int seasonal = kind != FC_SA_NONE;

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
        double se = sd * sqrt(h * alpha * alpha + 1);
        out->mean[h] = f;
        out->lo80[h] = f - FC_Z80 * se * ses.tail80;
        out->hi80[h] = f + FC_Z80 * se * ses.tail80;
        out->lo95[h] = f - FC_Z95 * se * ses.tail95;
        out->hi95[h] = f + FC_Z95 * se * ses.tail95;
    }
    fc_reseason(kind, fig, n, m, horizon, out);
    snprintf(out->method, sizeof out->method, "theta");
    if (info_out)
        *info_out = (struct theta_info){seasonal, ses.alpha, ses.l, drift, ses.sigma2};
    free(x);
    free(fig);
    return 0;
}
