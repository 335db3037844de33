/* test_forecast.c -- the forecasting engine (src/analytics): ETS, Theta, fc_forecast and its
 * fallbacks, reconciliation, the long-format CSV reader.
 *
 * Reference figures and where they come from:
 *  - oil: Saudi Arabian oil production 1996-2007 (fpp's `oil`, window(oil, 1996, 2007)) as
 *    printed in statsmodels' tests (tsa/tests/test_holtwinters.py), with the level path of
 *    ses(oildata, alpha = 0.2, initial = "simple") from R's fpp package, final level
 *    484.80246797 (the same file checks it against R to 1e-4).
 *  - air: Australian air passengers 1990-2004 (fpp's `ausair`), same source; the Holt check is
 *    a recomputation of Holt's textbook recursions (fpp 7.2) written out here, which must agree
 *    with the ETS state-space form when beta = alpha * beta*.
 *  - thetaf: its closed form (forecast::thetaf source) recomputed from the SES parameters.
 *  - prediction intervals of ETS(A,N,N): sigma^2 (1 + (h-1) alpha^2) (Hyndman et al. 2008,
 *    table 6.1), computed here by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/forecast.h"
#include "test.h"

#define H 24

static const double oil[] = {446.6565229, 454.4733065, 455.6629740, 423.6322388,
                             456.2713279, 440.5880501, 425.3325201, 485.1494479,
                             506.0481621, 526.7919833, 514.2688890, 494.2110193};
static const double air[] = {17.553400, 21.860100, 23.886600, 26.929300, 26.888500,
                             28.831400, 30.075100, 30.953500, 30.185700, 31.579700,
                             32.577569, 33.477398, 39.021581, 41.386432, 41.596552};

struct res {
    double b[5][H];
    struct fc_result r;
};

static struct fc_result *res_init(struct res *x)
{
    memset(x, 0, sizeof *x);
    x->r = (struct fc_result){x->b[0], x->b[1], x->b[2], x->b[3], x->b[4], ""};
    return &x->r;
}

static int near(double a, double b, double tol)
{
    return fabs(a - b) <= tol * (1 + fabs(b));
}

/* Intervals nested around the mean, finite, and (when widen) not narrowing with h. */
static int well_formed(const struct fc_result *r, int horizon, int widen)
{
    for (int h = 0; h < horizon; h++) {
        if (!isfinite(r->mean[h]) || !isfinite(r->lo95[h]) || !isfinite(r->hi95[h]))
            return 0;
        if (!(r->lo95[h] <= r->lo80[h] && r->lo80[h] <= r->mean[h] && r->mean[h] <= r->hi80[h] &&
              r->hi80[h] <= r->hi95[h]))
            return 0;
        if (widen && h > 0 &&
            r->hi95[h] - r->lo95[h] < (r->hi95[h - 1] - r->lo95[h - 1]) * (1 - 1e-9))
            return 0;
    }
    return 1;
}

static unsigned long long rng = 88172645463325252ull;

static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

TEST(forecast_ses_fixed_oil)
{
    struct ets_model md = {0};
    ets_spec_parse("ANN", &md.spec);
    md.alpha = 0.2;
    md.l = oil[0]; /* initial = "simple": the first level is the first observation */
    md.np = 2;
    CHECK(ets_run(oil, 12, &md) == 0);
    CHECK(near(md.l, 484.80246797, 1e-9));
    /* the same level by the textbook recursion l = a y + (1 - a) l */
    double l = oil[0], sse = 0;
    for (int i = 0; i < 12; i++) {
        sse += (oil[i] - l) * (oil[i] - l);
        l = 0.2 * oil[i] + 0.8 * l;
    }
    CHECK(near(md.l, l, 1e-12));
    CHECK(near(md.sigma2, sse / (12 - 2), 1e-12));
    CHECK(near(md.lik, 12 * log(sse), 1e-12));
    struct res x;
    struct fc_result *r = res_init(&x);
    ets_forecast(&md, 5, r);
    for (int h = 0; h < 5; h++) {
        double sd = sqrt(md.sigma2 * (1 + h * 0.04));
        CHECK(near(r->mean[h], 484.80246797, 1e-9));
        CHECK(near(r->hi95[h], r->mean[h] + 1.959963984540054 * sd, 1e-12));
        CHECK(near(r->lo80[h], r->mean[h] - 1.2815515655446004 * sd, 1e-12));
    }
    CHECK_EQ_STR(r->method, "ANN");
}

TEST(forecast_holt_fixed_air)
{
    const double a = 0.8, bstar = 0.2;
    struct ets_model md = {0};
    ets_spec_parse("AAN", &md.spec);
    md.alpha = a;
    md.beta = a * bstar;
    md.l = air[0];
    md.b = air[1] - air[0];
    md.np = 3;
    CHECK(ets_run(air, 15, &md) == 0);
    double l = air[0], b = air[1] - air[0];
    for (int i = 0; i < 15; i++) {
        double ln = a * air[i] + (1 - a) * (l + b);
        b = bstar * (ln - l) + (1 - bstar) * b;
        l = ln;
    }
    CHECK(near(md.l, l, 1e-10));
    CHECK(near(md.b, b, 1e-10));
    struct res x;
    struct fc_result *r = res_init(&x);
    ets_forecast(&md, 14, r);
    for (int h = 0; h < 14; h++) {
        CHECK(near(r->mean[h], l + (h + 1) * b, 1e-10));
        /* var = sigma2 (1 + sum_{j<h} (alpha + beta j)^2) */
        double v = 1;
        for (int j = 1; j <= h; j++)
            v += (a + a * bstar * j) * (a + a * bstar * j);
        CHECK(near(r->hi80[h] - r->mean[h], 1.2815515655446004 * sqrt(md.sigma2 * v), 1e-10));
    }
}

TEST(forecast_ets_fit_improves_on_start)
{
    /* Maximum likelihood must do at least as well as the fixed-parameter fits above. */
    struct ets_spec sp;
    ets_spec_parse("ANN", &sp);
    struct ets_model md;
    CHECK(ets_fit(oil, 12, 1, &sp, &md) == 0);
    struct ets_model fx = {0};
    fx.spec = sp;
    fx.alpha = 0.2;
    fx.l = oil[0];
    fx.np = 3;
    ets_run(oil, 12, &fx);
    CHECK(md.lik <= fx.lik + 1e-9);
    CHECK(md.alpha > 1e-4 && md.alpha < 0.9999);
    CHECK_EQ_INT(md.np, 3);
    ets_spec_parse("AAdN", &sp);
    CHECK(ets_fit(air, 15, 1, &sp, &md) == 0);
    CHECK(md.phi >= 0.8 && md.phi <= 0.98 && md.beta <= md.alpha);
}

TEST(forecast_theta_closed_form)
{
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = 100 + 0.8 * i + 3 * gauss();
    struct res x;
    struct fc_result *r = res_init(&x);
    struct theta_info ti;
    char why[100];
    CHECK(theta_forecast(y, 40, 1, 10, r, &ti, why, sizeof why) == 0);
    CHECK(!ti.seasonal);
    /* half the least-squares slope, computed the long way */
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < 40; i++) {
        sx += i;
        sy += y[i];
        sxx += (double)i * i;
        sxy += i * y[i];
    }
    double slope = (40 * sxy - sx * sy) / (40 * sxx - sx * sx);
    CHECK(near(ti.drift, slope / 2, 1e-9));
    for (int h = 0; h < 10; h++) {
        double f = ti.level + ti.drift * (h + (1 - pow(1 - ti.alpha, 40)) / ti.alpha);
        CHECK(near(r->mean[h], f, 1e-12));
        double se = sqrt(ti.sigma2 * (h * ti.alpha * ti.alpha + 1));
        CHECK(near(r->hi95[h], f + 1.959963984540054 * se, 1e-12));
    }
    CHECK(well_formed(r, 10, 1));
}

static void seasonal_series(double *y, int n, double noise)
{
    for (int i = 0; i < n; i++)
        y[i] = 200 + i + 60 * sin(6.283185307179586 * i / 12) + noise * gauss();
}

TEST(forecast_selection)
{
    double y[120];
    seasonal_series(y, 120, 4);
    CHECK(fc_seasonal_test(y, 120, 12));
    struct ets_model md;
    char why[100];
    CHECK(ets_auto(y, 120, 12, 1, &md, why, sizeof why) == 0);
    CHECK(md.spec.season != FC_N);
    struct res x;
    struct fc_result *r = res_init(&x);
    ets_forecast(&md, H, r);
    CHECK(well_formed(r, H, 0));
    /* the forecast follows the seasonal shape: the peak month stays above the trough */
    CHECK(r->mean[(123 - 120 + 12) % 12] > r->mean[(129 - 120) % 12]);

    for (int i = 0; i < 120; i++)
        y[i] = 50 + gauss();
    CHECK(!fc_seasonal_test(y, 120, 12));
    CHECK(ets_auto(y, 120, 12, 1, &md, why, sizeof why) == 0);
    CHECK(md.spec.season == FC_N);
    CHECK(md.spec.trend == FC_N);
}

TEST(forecast_decompose)
{
    double y[48], fig[12];
    for (int i = 0; i < 48; i++)
        y[i] = (100 + i) * (1 + 0.2 * ((i % 12) == 3) - 0.2 * ((i % 12) == 9));
    CHECK(fc_decompose(y, 48, 12, 1, fig) == 0);
    double s = 0;
    for (int k = 0; k < 12; k++)
        s += fig[k];
    CHECK(near(s, 12, 1e-12));
    CHECK(fig[3] > 1.15 && fig[9] < 0.85);
    CHECK(fc_decompose(y, 23, 12, 1, fig) == -1);
    CHECK(fc_decompose(y, 48, 12, 0, fig) == 0);
    CHECK(fig[3] > 15 && fig[9] < -15);
}

TEST(forecast_intervals_all_models)
{
    double y[96];
    seasonal_series(y, 96, 5);
    static const char *const models[] = {"ANN", "AAN",  "AAdN", "MNN", "MAN", "MAdN", "ANA",
                                         "AAA", "AAdA", "MNA",  "MAA", "MNM", "MAM",  "MAdM"};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        struct ets_spec sp;
        CHECK(ets_spec_parse(models[i], &sp) == 0);
        char name[8];
        ets_spec_name(&sp, name);
        CHECK_EQ_STR(name, models[i]);
        struct ets_model md;
        if (ets_fit(y, 96, 12, &sp, &md)) {
            fprintf(stderr, "  %s did not fit\n", models[i]);
            CHECK(0);
            continue;
        }
        struct res x;
        struct fc_result *r = res_init(&x);
        ets_forecast(&md, H, r);
        CHECK(well_formed(r, H, 0));
        /* 95 % wider a year later, in the same season */
        if (r->hi95[12] - r->lo95[12] <= r->hi95[0] - r->lo95[0])
            fprintf(stderr, "  %s: %g %g\n", models[i], r->hi95[12] - r->lo95[12],
                    r->hi95[0] - r->lo95[0]);
        CHECK(r->hi95[12] - r->lo95[12] > r->hi95[0] - r->lo95[0]);
    }
    struct ets_spec sp;
    CHECK(ets_spec_parse("ANM", &sp) == 0);
    CHECK(ets_spec_parse("AMN", &sp) == -1);
    CHECK(ets_spec_parse("NAN", &sp) == -1);
    CHECK(ets_spec_parse("ANdN", &sp) == -1);
    CHECK(ets_spec_parse("AAdNx", &sp) == -1);
}

TEST(forecast_auto_shapes)
{
    double y[144];
    char why[100];
    struct res x;
    struct fc_result *r = res_init(&x);
    seasonal_series(y, 144, 5);
    CHECK(fc_forecast(y, 144, 12, 18, NULL, r, why, sizeof why) == 0);
    CHECK(well_formed(r, 18, 0));
    CHECK(strncmp(r->method, "theta+", 6) == 0);
    for (int i = 0; i < 144; i++) /* a random walk */
        y[i] = (i ? y[i - 1] : 0) + gauss();
    static const enum fc_method ms[] = {FC_AUTO, FC_ETS, FC_THETA, FC_NAIVE};
    for (size_t k = 0; k < 4; k++) {
        /* no seasonality: intervals widen with h */
        struct fc_opts o = {ms[k], 0};
        CHECK(fc_forecast(y, 144, 1, H, &o, r, why, sizeof why) == 0);
        CHECK(well_formed(r, H, 1));
        /* period 12: a reseasonalised or multiplicative (simulated) model need not widen at
         * every step, but nests its intervals and ends wider than it starts */
        for (o.ets_full = 0; o.ets_full < 2; o.ets_full++) {
            CHECK(fc_forecast(y, 144, 12, H, &o, r, why, sizeof why) == 0);
            CHECK(well_formed(r, H, 0));
            CHECK(r->hi95[H - 1] - r->lo95[H - 1] > r->hi95[0] - r->lo95[0]);
        }
    }
}

TEST(forecast_short_and_odd_series)
{
    char why[100];
    struct res x;
    struct fc_result *r = res_init(&x);
    double y[64];
    CHECK(fc_forecast((double[]){1, 2}, 2, 1, 5, NULL, r, why, sizeof why) == -1);
    CHECK(strstr(why, "at least 3") != NULL);
    CHECK(fc_forecast(NULL, 0, 1, 5, NULL, r, why, sizeof why) == -1);
    for (int n = 3; n <= 30; n++) {
        for (int i = 0; i < n; i++)
            y[i] = 10 + i % 4 + 0.5 * gauss();
        for (int m = 1; m <= 13; m += 3) {
            CHECK(fc_forecast(y, n, m, H, NULL, r, why, sizeof why) == 0);
            CHECK(well_formed(r, H, 0));
        }
    }
    for (int i = 0; i < 64; i++)
        y[i] = 7.5;
    CHECK(fc_forecast(y, 64, 12, H, NULL, r, why, sizeof why) == 0);
    CHECK_EQ_STR(r->method, "constant");
    CHECK(r->mean[H - 1] == 7.5 && r->lo95[0] == 7.5 && r->hi95[H - 1] == 7.5);
    for (int i = 0; i < 64; i++)
        y[i] = i % 5 == 0 ? 3 : 0; /* zeros: no multiplicative model */
    CHECK(fc_forecast(y, 64, 5, H, NULL, r, why, sizeof why) == 0);
    CHECK(well_formed(r, H, 0));
    for (int i = 0; i < 64; i++)
        y[i] = -1000 - 3 * i + 10 * gauss();
    CHECK(fc_forecast(y, 64, 12, H, NULL, r, why, sizeof why) == 0);
    CHECK(well_formed(r, H, 0) && r->mean[H - 1] < -1100);
    for (int i = 0; i < 64; i++)
        y[i] = 1e300 * (1 + 0.1 * gauss());
    CHECK(fc_forecast(y, 64, 12, 6, NULL, r, why, sizeof why) == 0);
    CHECK(well_formed(r, 6, 0));
    for (int i = 0; i < 64; i++)
        y[i] = 1e-300 * (1 + 0.1 * gauss());
    CHECK(fc_forecast(y, 64, 12, 6, NULL, r, why, sizeof why) == 0);
    CHECK(well_formed(r, 6, 0));
    y[3] = NAN;
    CHECK(fc_forecast(y, 64, 12, 6, NULL, r, why, sizeof why) == -1);
    CHECK(strstr(why, "value 4") != NULL);
    y[3] = INFINITY;
    CHECK(fc_forecast(y, 64, 12, 6, NULL, r, why, sizeof why) == -1);
    y[3] = 1;
    CHECK(fc_forecast(y, 64, 0, 6, NULL, r, why, sizeof why) == -1);
    CHECK(fc_forecast(y, 64, 1, 0, NULL, r, why, sizeof why) == -1);
    CHECK(fc_forecast(y, 64, 500, 6, NULL, r, why, sizeof why) == 0); /* period > n */
    double big[] = {-1.7e308, 1.7e308, -1.7e308, 1.7e308, 0, 1};
    int rc = fc_forecast(big, 6, 1, 6, NULL, r, why, sizeof why);
    CHECK(rc == -1 || well_formed(r, 6, 0));
}

/* ---- reconciliation ---- */

#define NODES 40

static int coherent(const int *parent, int nodes, struct fc_result *fc, int horizon)
{
    for (int i = 0; i < nodes; i++) {
        int kids = 0;
        for (int h = 0; h < horizon; h++) {
            double s = 0;
            kids = 0;
            for (int c = 0; c < nodes; c++)
                if (parent[c] == i) {
                    s += fc[c].mean[h];
                    kids++;
                }
            if (kids && !near(fc[i].mean[h], s, 1e-9))
                return 0;
        }
        if (!well_formed(&fc[i], horizon, 0))
            return 0;
    }
    return 1;
}

TEST(forecast_reconcile_property)
{
    static struct res store[NODES];
    struct fc_result fc[NODES];
    double root_before[8], leaf_before[NODES][8];
    for (int trial = 0; trial < 200; trial++) {
        int nodes = 1 + (int)(unif() * NODES), parent[NODES];
        int root = (int)(unif() * nodes);
        /* a random tree: attach every node to an earlier one in a random permutation */
        int perm[NODES];
        for (int i = 0; i < nodes; i++)
            perm[i] = i;
        perm[0] = root;
        perm[root] = 0;
        for (int i = nodes - 1; i > 1; i--) {
            int j = 1 + (int)(unif() * i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        parent[root] = -1;
        for (int i = 1; i < nodes; i++)
            parent[perm[i]] = perm[(int)(unif() * i)];
        for (int i = 0; i < nodes; i++) {
            fc[i] = *res_init(&store[i]);
            for (int h = 0; h < 8; h++) {
                double m = trial % 5 == 0 ? 10 * gauss() : 1 + 100 * unif(), w = unif() * 10;
                fc[i].mean[h] = m;
                fc[i].lo80[h] = m - w;
                fc[i].hi80[h] = m + 1.3 * w;
                fc[i].lo95[h] = m - 1.6 * w;
                fc[i].hi95[h] = m + 2 * w;
                leaf_before[i][h] = m;
            }
        }
        for (int h = 0; h < 8; h++)
            root_before[h] = fc[root].mean[h];
        enum fc_reconcile_how how = trial % 2 ? FC_TOP_DOWN_FP : FC_BOTTOM_UP;
        char why[100];
        CHECK(fc_reconcile(parent, nodes, 8, how, fc, why, sizeof why) == 0);
        CHECK(coherent(parent, nodes, fc, 8));
        if (how == FC_TOP_DOWN_FP) {
            for (int h = 0; h < 8; h++)
                CHECK(fc[root].mean[h] == root_before[h]);
        } else {
            for (int i = 0; i < nodes; i++) {
                int leaf = 1;
                for (int c = 0; c < nodes; c++)
                    leaf &= parent[c] != i;
                if (leaf)
                    CHECK(fc[i].mean[0] == leaf_before[i][0]);
            }
        }
    }
    char why[100];
    int two_roots[] = {-1, 0, -1};
    int cycle[] = {-1, 2, 1};
    int bad[] = {-1, 7};
    CHECK(fc_reconcile(two_roots, 3, 8, FC_BOTTOM_UP, fc, why, sizeof why) == -1);
    CHECK(fc_reconcile(cycle, 3, 8, FC_BOTTOM_UP, fc, why, sizeof why) == -1);
    CHECK(strstr(why, "cycle") != NULL);
    CHECK(fc_reconcile(bad, 2, 8, FC_TOP_DOWN_FP, fc, why, sizeof why) == -1);
}

TEST(forecast_reconcile_top_down_proportions)
{
    /* root 100; children base 30 and 10 -> 75 and 25; grandchild of the first: 75 */
    static struct res store[4];
    struct fc_result fc[4];
    int parent[] = {-1, 0, 0, 1};
    double base[] = {100, 30, 10, 3};
    for (int i = 0; i < 4; i++) {
        fc[i] = *res_init(&store[i]);
        fc[i].mean[0] = fc[i].lo80[0] = fc[i].hi80[0] = fc[i].lo95[0] = fc[i].hi95[0] = base[i];
        fc[i].lo95[0] -= 10;
    }
    char why[100];
    CHECK(fc_reconcile(parent, 4, 1, FC_TOP_DOWN_FP, fc, why, sizeof why) == 0);
    CHECK(near(fc[1].mean[0], 75, 1e-12) && near(fc[2].mean[0], 25, 1e-12));
    CHECK(near(fc[3].mean[0], 75, 1e-12));
    /* each node keeps its own width (10 below the mean), scaled as its mean (25 / 10), and
     * contains its base interval [0, 10] */
    CHECK(near(fc[2].lo95[0], 25 - 10 * 2.5, 1e-12) && near(fc[2].hi95[0], 25, 1e-12));
    CHECK(near(fc[0].lo95[0], 90, 1e-12));
}

/* ---- CSV ---- */

static struct fc_series *find(struct fc_series_set *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->s[i].id, id) == 0)
            return &s->s[i];
    return NULL;
}

TEST(forecast_csv_reader)
{
    struct fc_series_set set;
    char why[200];
    const char *doc = "\xEF\xBB\xBFvalue,series_id,t,extra\r\n"
                      "1.5,\"a,b\",2,x\r\n"
                      "2.5,\"a,b\",1,y\r\n"
                      "7,\"say \"\"hi\"\"\",1,\r\n"
                      "3,plain,3\r\n"
                      "1,plain,1\r\n"
                      "\r\n"
                      "2,plain,2\r\n"
                      "5,dup,1\r\n"
                      "6,dup,1\r\n"
                      "abc,bad,1\r\n"
                      "inf,nonfinite,1\r\n"
                      "4,short\r\n"
                      "1,\"a,b\",3";
    CHECK(fc_csv_parse(doc, strlen(doc), &set, why, sizeof why) == 0);
    CHECK_EQ_INT(set.n, 7);
    struct fc_series *s = find(&set, "a,b");
    CHECK(s && s->n == 3 && !s->err[0] && s->y[0] == 2.5 && s->y[1] == 1.5 && s->y[2] == 1);
    s = find(&set, "say \"hi\"");
    CHECK(s && s->n == 1 && s->y[0] == 7);
    s = find(&set, "plain");
    CHECK(s && s->n == 3 && s->y[0] == 1 && s->y[1] == 2 && s->y[2] == 3);
    s = find(&set, "dup");
    CHECK(s && strstr(s->err, "duplicated t") != NULL);
    s = find(&set, "bad");
    CHECK(s && strstr(s->err, "not a number") != NULL);
    s = find(&set, "nonfinite");
    CHECK(s && strstr(s->err, "not finite") != NULL);
    s = find(&set, "short");
    CHECK(s && strstr(s->err, "missing column") != NULL);
    CHECK(strcmp(set.s[0].id, "a,b") == 0); /* order of first appearance */
    fc_series_set_release(&set);

    const char *nohdr = "id,t,value\nx,1,2\n";
    CHECK(fc_csv_parse(nohdr, strlen(nohdr), &set, why, sizeof why) == -1);
    CHECK(strstr(why, "series_id") != NULL);
    fc_series_set_release(&set);
    CHECK(fc_csv_parse("", 0, &set, why, sizeof why) == -1);
    fc_series_set_release(&set);
    const char *badq = "series_id,t,value\n\"x\"y,1,2\n";
    CHECK(fc_csv_parse(badq, strlen(badq), &set, why, sizeof why) == -1);
    fc_series_set_release(&set);
    const char *open = "series_id,t,value\n\"x,1,2\n";
    CHECK(fc_csv_parse(open, strlen(open), &set, why, sizeof why) == -1);
    fc_series_set_release(&set);
    const char *lf = "series_id,t,value\nk,10, 4 \nk,2.5,-1e3\n,1,1\n";
    CHECK(fc_csv_parse(lf, strlen(lf), &set, why, sizeof why) == 0);
    s = find(&set, "k");
    CHECK(s && s->n == 2 && s->y[0] == -1000 && s->y[1] == 4);
    s = find(&set, "");
    CHECK(s && strstr(s->err, "empty series_id") != NULL);
    fc_series_set_release(&set);
}
