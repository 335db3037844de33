/* test_forecast_acc.c -- the default method's seasonal ETS member (issue 13, section 1, the
 * accuracy goal): models with a multiplicative season get analytic intervals (exact one step
 * ahead, right in coverage further on), a positive seasonal series is fitted with a
 * multiplicative season, and the combination's intervals cover what they say on series drawn
 * from such a process. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/forecast.h"
#include "test.h"

#define HA 12
#define NA 96

static unsigned long long rnga = 0x2545F4914F6CDD1Dull;

static double unifa(void)
{
    rnga ^= rnga << 13;
    rnga ^= rnga >> 7;
    rnga ^= rnga << 17;
    return ((rnga >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussa(void)
{
    return sqrt(-2 * log(unifa())) * cos(6.283185307179586 * unifa());
}

static const double fig_a[12] = {0.7, 0.75, 0.9, 1.0, 1.1, 1.2, 1.35, 1.3, 1.1, 0.95, 0.85, 0.8};

/* NA + HA points of a growing series with a multiplicative season and 4 % relative noise. */
static void draw(double *y, double level, double growth)
{
    for (int t = 0; t < NA + HA; t++)
        y[t] = level * (1 + growth * t) * fig_a[t % 12] * (1 + 0.04 * gaussa());
}

struct resa {
    double b[5][HA];
    struct fc_result r;
};

static struct fc_result *resa_init(struct resa *x)
{
    memset(x, 0, sizeof *x);
    x->r = (struct fc_result){x->b[0], x->b[1], x->b[2], x->b[3], x->b[4], ""};
    return &x->r;
}

/* One step ahead the MAM interval is exact: mean * (1 +- z sigma), widened by the fit's tails. */
TEST(forecast_acc_mam_one_step_interval_exact)
{
    double y[NA + HA];
    draw(y, 500, 0.01);
    const struct ets_spec mam = {FC_M, FC_A, FC_M, 0};
    struct ets_model md;
    CHECK(ets_fit(y, NA, 12, &mam, &md) == 0);
    struct resa s;
    struct fc_result *r = resa_init(&s);
    ets_forecast(&md, HA, r);
    CHECK_EQ_STR(r->method, "MAM");
    double sd = sqrt(md.sigma2);
    double t95 = md.tail95 > 1 ? md.tail95 : 1, t80 = md.tail80 > 1 ? md.tail80 : 1;
    CHECK(fabs((r->hi95[0] - r->mean[0]) / r->mean[0] - FC_Z95 * sd * t95) < 1e-9);
    CHECK(fabs((r->mean[0] - r->lo80[0]) / r->mean[0] - FC_Z80 * sd * t80) < 1e-9);
    /* widening with the horizon, and in proportion to the season's factor */
    for (int h = 1; h < HA; h++)
        CHECK((r->hi95[h] - r->lo95[h]) / r->mean[h] >
              (r->hi95[h - 1] - r->lo95[h - 1]) / r->mean[h - 1] - 1e-12);
}

/* Over 150 series of that process, the 80 % and 95 % intervals of MAM alone and of the default
 * method cover about what they say at every horizon up to a year; the default's ETS member
 * picks a multiplicative season for most of them. */
TEST(forecast_acc_multiplicative_season_coverage)
{
    int in80[2] = {0, 0}, in95[2] = {0, 0}, tot = 0, mul = 0, series = 150;
    const struct ets_spec mam = {FC_M, FC_A, FC_M, 0};
    for (int k = 0; k < series; k++) {
        double y[NA + HA];
        draw(y, 100 + 10 * k, 0.002 * (k % 7));
        struct resa s[2];
        struct fc_result *r[2] = {resa_init(&s[0]), resa_init(&s[1])};
        struct ets_model md;
        if (ets_fit(y, NA, 12, &mam, &md))
            continue;
        ets_forecast(&md, HA, r[0]);
        char why[100];
        CHECK(fc_forecast(y, NA, 12, HA, NULL, r[1], why, sizeof why) == 0);
        size_t len = strlen(r[1]->method);
        mul += len > 0 && r[1]->method[len - 1] == 'M';
        for (int h = 0; h < HA; h++) {
            double a = y[NA + h];
            for (int j = 0; j < 2; j++) {
                in80[j] += r[j]->lo80[h] <= a && a <= r[j]->hi80[h];
                in95[j] += r[j]->lo95[h] <= a && a <= r[j]->hi95[h];
            }
        }
        tot += HA;
    }
    CHECK(tot >= 140 * HA);
    for (int j = 0; j < 2; j++) {
        double c80 = (double)in80[j] / tot, c95 = (double)in95[j] / tot;
        if (c80 < 0.74 || c80 > 0.88 || c95 < 0.91 || c95 > 0.985)
            fprintf(stderr, "  %s: 80 %% coverage %.3f, 95 %% %.3f\n", j ? "default" : "MAM", c80,
                    c95);
        CHECK(c80 >= 0.74 && c80 <= 0.88);
        CHECK(c95 >= 0.91 && c95 <= 0.985);
    }
    CHECK(mul > series / 2);
}

/* A positive series that is not seasonal at all: the seasonal models are fitted but weigh
 * little; the forecast stays flat around the level rather than inventing a season. */
TEST(forecast_acc_no_season_invented)
{
    double y[NA];
    for (int t = 0; t < NA; t++)
        y[t] = 200 * (1 + 0.05 * gaussa());
    struct resa s;
    struct fc_result *r = resa_init(&s);
    char why[100];
    CHECK(fc_forecast(y, NA, 12, HA, NULL, r, why, sizeof why) == 0);
    double lo = r->mean[0], hi = r->mean[0];
    for (int h = 1; h < HA; h++) {
        if (r->mean[h] < lo)
            lo = r->mean[h];
        if (r->mean[h] > hi)
            hi = r->mean[h];
    }
    CHECK(lo > 180 && hi < 220 && hi - lo < 10);
}

/* Weekly data (m = 52, longer than seasonal states go): the ETS member fits the seasonally
 * adjusted series and puts the season back, so ETS alone still forecasts the peak week. */
TEST(forecast_acc_weekly_season_kept)
{
    double y[156];
    for (int t = 0; t < 156; t++)
        y[t] = 100 + (t % 52 >= 46 ? 120 : 0) + 5 * gaussa();
    double b[5][60];
    struct fc_result r = {b[0], b[1], b[2], b[3], b[4], ""};
    struct fc_opts ets = {FC_ETS, 0};
    char why[100];
    CHECK(fc_forecast(y, 156, 52, 52, &ets, &r, why, sizeof why) == 0);
    CHECK(strstr(r.method, "/sa") != NULL);
    /* step h is week (156 + h) % 52 = h: weeks 46..51 are the peak */
    CHECK(r.mean[48] > 180 && r.mean[10] < 130);
    CHECK(fc_forecast(y, 156, 52, 52, NULL, &r, why, sizeof why) == 0);
    CHECK(r.mean[48] > 180 && r.mean[10] < 130);
}
