/* test_kda.c -- unit tests of src/analytics/kda: the Shapley / LMG decomposition of R^2, its
 * bootstrap intervals and the importance x performance quadrants.
 *
 * The exact cases use full factorial designs (every combination of rating levels once): there
 * the attributes are exactly uncorrelated in the sample, so R^2(S) is the sum of the squared
 * correlations of the attributes in S and every importance is known in closed form. The
 * brute-force comparison over all k! orderings on random data is tests/kda/check_kda.py. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/kda.h"
#include "base/arena.h"
#include "test.h"

#define NEAR(a, b, eps) (fabs((double)(a) - (double)(b)) <= (eps))

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* Rating 1..5. */
static double rng_rating(uint64_t *s)
{
    return (double)(1 + (int)(rng_unit(s) * 5));
}

/* Full factorial of k attributes at `levels` levels 1..levels: levels^k rows into x (row-major
 * n x k); returns n. */
static int factorial(int k, int levels, double *x)
{
    int n = 1;
    for (int j = 0; j < k; j++)
        n *= levels;
    for (int r = 0; r < n; r++) {
        int v = r;
        for (int j = 0; j < k; j++) {
            x[r * k + j] = 1 + v % levels;
            v /= levels;
        }
    }
    return n;
}

/* Survey-like data: k ratings 1..5 and an overall 0..10 driven by weights beta plus noise. */
static void survey(uint64_t *s, int n, int k, const double *beta, double *x, double *y)
{
    for (int i = 0; i < n; i++) {
        double common = rng_unit(s) * 2 - 1; /* a halo: ratings correlate, as in real surveys */
        double t = 0;
        for (int j = 0; j < k; j++) {
            double v = round(3 + 1.2 * common + (rng_unit(s) * 4 - 2));
            x[i * k + j] = v < 1 ? 1 : v > 5 ? 5 : v;
            t += beta[j] * (x[i * k + j] - 3);
        }
        double o = round(7 + t + (rng_unit(s) * 3 - 1.5));
        y[i] = o < 0 ? 0 : o > 10 ? 10 : o;
    }
}

/* kda_run with a cleared error (kam_fail keeps the first error of a request). */
static enum kam_err kda(const double *y, const double *x, int n, int k, const struct kda_opts *o,
                        struct arena *a, struct kda_result *r, struct kam_error *e)
{
    kam_error_clear(e);
    return kda_run(y, x, n, k, o, a, r, e);
}

TEST(kda_one_driver_explains_everything)
{
    struct arena a;
    arena_init(&a);
    double x[125 * 3], y[125];
    int n = factorial(3, 5, x);
    for (int i = 0; i < n; i++)
        y[i] = 2 * x[i * 3 + 1] + 1; /* overall = 2 * attribute 2 + 1 */
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 50;
    struct kda_result r;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, n, 3, &o, &a, &r, &e), KAM_OK);
    CHECK_EQ_INT(r.n_used, 125);
    CHECK(NEAR(r.r2, 1, 1e-12));
    CHECK(NEAR(r.attr[1].share, 100, 1e-9));
    CHECK(NEAR(r.attr[0].share, 0, 1e-9));
    CHECK(NEAR(r.attr[2].share, 0, 1e-9));
    CHECK(NEAR(r.attr[1].r, 1, 1e-12));
    /* every resample still fits exactly; there attributes 1 and 3 correlate a little with 2
     * by chance and take a little of its share */
    CHECK(NEAR(r.r2_lo, 1, 1e-9) && NEAR(r.r2_hi, 1, 1e-9));
    CHECK(r.attr[1].share_hi <= 100 + 1e-9 && r.attr[1].share_lo > 90);
    CHECK(r.attr[0].share_lo >= 0 && r.attr[0].share_hi < 10);
    arena_release(&a);
}

TEST(kda_perfectly_correlated_drivers_split_equally)
{
    struct arena a;
    arena_init(&a);
    /* attributes 1 and 2 identical (both the first factor), attribute 3 the second factor */
    double f[25 * 2], x[25 * 3], y[25];
    int n = factorial(2, 5, f);
    for (int i = 0; i < n; i++) {
        x[i * 3 + 0] = x[i * 3 + 1] = f[i * 2];
        x[i * 3 + 2] = f[i * 2 + 1];
        y[i] = 2 * f[i * 2] + f[i * 2 + 1];
    }
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 0;
    struct kda_result r;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, n, 3, &o, &a, &r, &e), KAM_OK);
    CHECK(NEAR(r.r2, 1, 1e-12));
    /* factor 1 explains 4/5 of the variance, split in two; factor 2 the other 1/5 */
    CHECK(NEAR(r.attr[0].importance, r.attr[1].importance, 1e-12));
    CHECK(NEAR(r.attr[0].importance, 0.4, 1e-12));
    CHECK(NEAR(r.attr[2].importance, 0.2, 1e-12));
    CHECK(NEAR(r.attr[0].share, 40, 1e-9));

    /* a linear combination too: attribute 3 = attribute 1 + attribute 2 on random ratings */
    uint64_t s = 7;
    double x2[200 * 3], y2[200];
    for (int i = 0; i < 200; i++) {
        x2[i * 3] = rng_rating(&s);
        x2[i * 3 + 1] = rng_rating(&s);
        x2[i * 3 + 2] = x2[i * 3] + x2[i * 3 + 1];
        y2[i] = x2[i * 3] + rng_unit(&s) * 4;
    }
    CHECK_EQ_INT(kda(y2, x2, 200, 3, &o, &a, &r, &e), KAM_OK);
    double sum = 0;
    for (int j = 0; j < 3; j++) {
        CHECK(isfinite(r.attr[j].importance));
        CHECK(r.attr[j].importance >= -1e-12);
        sum += r.attr[j].importance;
    }
    CHECK(NEAR(sum, r.r2, 1e-12));
    CHECK(r.r2 > 0 && r.r2 < 1);
    arena_release(&a);
}

TEST(kda_independent_drivers_shares_are_squared_correlations)
{
    struct arena a;
    arena_init(&a);
    double x[256 * 4], y[256];
    int n = factorial(4, 4, x); /* 4^4 rows, uncorrelated attributes */
    uint64_t s = 11;
    for (int i = 0; i < n; i++)
        y[i] = 3 * x[i * 4] + 2 * x[i * 4 + 1] + x[i * 4 + 2] + (rng_unit(&s) * 6 - 3);
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 0;
    struct kda_result r;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, n, 4, &o, &a, &r, &e), KAM_OK);
    double sum = 0;
    for (int j = 0; j < 4; j++) {
        CHECK(NEAR(r.attr[j].importance, r.attr[j].r * r.attr[j].r, 1e-12));
        sum += r.attr[j].r * r.attr[j].r;
    }
    CHECK(NEAR(r.r2, sum, 1e-12));
    CHECK(r.attr[0].importance > r.attr[1].importance);
    CHECK(r.attr[1].importance > r.attr[2].importance);
    CHECK(r.attr[2].importance > r.attr[3].importance);
    arena_release(&a);
}

/* Listwise deletion: the result is the one on the complete rows alone, bit for bit. */
TEST(kda_missing_ratings_listwise)
{
    struct arena a;
    arena_init(&a);
    enum { N = 300, K = 4 };
    static double x[N * K], y[N], xc[N * K], yc[N];
    const double beta[K] = {1.0, 0.6, 0.3, 0.1};
    uint64_t s = 3;
    survey(&s, N, K, beta, x, y);
    int nc = 0, dropped = 0;
    for (int i = 0; i < N; i++) {
        if (i % 7 == 3) {
            x[i * K + (i % K)] = NAN;
            dropped++;
        } else if (i % 11 == 5) {
            y[i] = NAN;
            dropped++;
        } else {
            memcpy(xc + nc * K, x + i * K, sizeof(double) * K);
            yc[nc++] = y[i];
        }
    }
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 40;
    struct kda_result r1, r2;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, N, K, &o, &a, &r1, &e), KAM_OK);
    CHECK_EQ_INT(kda(yc, xc, nc, K, &o, &a, &r2, &e), KAM_OK);
    CHECK_EQ_INT(r1.n_total, N);
    CHECK_EQ_INT(r1.n_used, N - dropped);
    CHECK_EQ_INT(r2.n_used, nc);
    CHECK(r1.r2 == r2.r2);
    CHECK(memcmp(r1.attr, r2.attr, sizeof(struct kda_attr) * K) == 0);
    arena_release(&a);
}

TEST(kda_refusals)
{
    struct arena a;
    arena_init(&a);
    struct kda_result r;
    struct kam_error e;
    double x[20 * 13], y[20];
    uint64_t s = 5;
    for (int i = 0; i < 20 * 13; i++)
        x[i] = rng_rating(&s);
    for (int i = 0; i < 20; i++)
        y[i] = rng_rating(&s);
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 0;

    /* more than KDA_MAX_K attributes, or none */
    CHECK_EQ_INT(kda(y, x, 20, 13, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "attributes");
    CHECK_EQ_STR(e.key, "out_of_range");
    CHECK_EQ_INT(kda(y, x, 20, 0, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_INT(kda(y, x, KDA_MAX_N + 1, 2, &o, &a, &r, &e), KAM_ETOOBIG);
    CHECK_EQ_STR(e.field, "responses");

    /* n_used < k + 2: 5 attributes need 7 complete responses; 8 given, 2 incomplete */
    double xs[8 * 5], ys[8];
    memcpy(xs, x, sizeof xs);
    memcpy(ys, y, sizeof ys);
    xs[0 * 5 + 4] = NAN;
    ys[3] = NAN;
    CHECK_EQ_INT(kda(ys, xs, 8, 5, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "responses");
    CHECK_EQ_STR(e.key, "kda.too_few_responses");
    CHECK_EQ_INT(r.n_used, 6);
    CHECK(strstr(e.msg, "6 complete responses") != NULL);
    ys[3] = 5; /* now 7: enough */
    CHECK_EQ_INT(kda(ys, xs, 8, 5, &o, &a, &r, &e), KAM_OK);

    /* a constant rating over the complete responses (the one different value is in an
     * incomplete response): refused, naming the column */
    double xk[20 * 3], yk[20];
    for (int i = 0; i < 20; i++) {
        xk[i * 3] = rng_rating(&s);
        xk[i * 3 + 1] = 4;
        xk[i * 3 + 2] = rng_rating(&s);
        yk[i] = rng_rating(&s) * 2;
    }
    xk[5 * 3 + 1] = 2;
    xk[5 * 3 + 0] = NAN;
    CHECK_EQ_INT(kda(yk, xk, 20, 3, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "ratings");
    CHECK_EQ_STR(e.key, "kda.constant_rating");
    CHECK_EQ_INT(r.bad_column, 1);
    CHECK(strstr(e.msg, "attribute 2") != NULL);
    /* a constant overall score */
    xk[5 * 3 + 0] = 3;
    for (int i = 0; i < 20; i++)
        yk[i] = 9;
    CHECK_EQ_INT(kda(yk, xk, 20, 3, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "overall");
    CHECK_EQ_INT(r.bad_column, -1);

    /* infinities are not "missing" */
    double xi[10 * 2], yi[10];
    memcpy(xi, x, sizeof xi);
    memcpy(yi, y, sizeof yi);
    xi[7] = INFINITY;
    CHECK_EQ_INT(kda(yi, xi, 10, 2, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "ratings");
    xi[7] = 3;
    yi[2] = -INFINITY;
    CHECK_EQ_INT(kda(yi, xi, 10, 2, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "overall");
    yi[2] = 3;

    /* options */
    o.boot = KDA_MAX_BOOT + 1;
    CHECK_EQ_INT(kda(yi, xi, 10, 2, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "boot");
    o.boot = -1;
    CHECK_EQ_INT(kda(yi, xi, 10, 2, &o, &a, &r, &e), KAM_EINVAL);
    o.boot = 10;
    o.level = 1;
    CHECK_EQ_INT(kda(yi, xi, 10, 2, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.field, "level");
    o.level = NAN;
    CHECK_EQ_INT(kda(yi, xi, 10, 2, &o, &a, &r, &e), KAM_EINVAL);
    o.level = 0.9;
    CHECK_EQ_INT(kda(yi, xi, 10, 2, &o, &a, &r, &e), KAM_OK);
    /* no responses at all */
    CHECK_EQ_INT(kda(NULL, NULL, 0, 2, &o, &a, &r, &e), KAM_EINVAL);
    CHECK_EQ_STR(e.key, "kda.too_few_responses");
    arena_release(&a);
}

TEST(kda_bootstrap_deterministic_and_covers_estimate)
{
    struct arena a;
    arena_init(&a);
    enum { N = 400, K = 5 };
    static double x[N * K], y[N];
    const double beta[K] = {1.2, 0.8, 0.4, 0.2, 0.0};
    uint64_t s = 99;
    survey(&s, N, K, beta, x, y);
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 300;
    struct kda_result r1, r2, r3;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, N, K, &o, &a, &r1, &e), KAM_OK);
    CHECK_EQ_INT(kda(y, x, N, K, &o, &a, &r2, &e), KAM_OK);
    CHECK(memcmp(r1.attr, r2.attr, sizeof(struct kda_attr) * K) == 0);
    CHECK(r1.r2_lo == r2.r2_lo && r1.r2_hi == r2.r2_hi);
    o.seed = 12345;
    CHECK_EQ_INT(kda(y, x, N, K, &o, &a, &r3, &e), KAM_OK);
    CHECK(r3.attr[0].imp_lo != r1.attr[0].imp_lo); /* another seed, other resamples */
    CHECK(r3.attr[0].importance == r1.attr[0].importance);
    CHECK_EQ_INT(r1.boot, 300);
    CHECK_EQ_INT(r1.boot_degenerate, 0);
    double sum = 0;
    for (int j = 0; j < K; j++) {
        const struct kda_attr *t = &r1.attr[j];
        CHECK(t->imp_lo <= t->importance && t->importance <= t->imp_hi);
        CHECK(t->share_lo <= t->share && t->share <= t->share_hi);
        CHECK(t->imp_lo < t->imp_hi);
        CHECK(t->imp_lo >= -1e-12);
        sum += t->importance;
    }
    CHECK(NEAR(sum, r1.r2, 1e-12));
    CHECK(r1.r2_lo <= r1.r2 && r1.r2 <= r1.r2_hi);
    /* the strongest driver is clearly first: its interval lies above the weakest one's */
    CHECK(r1.attr[0].imp_lo > r1.attr[4].imp_hi);
    /* a wider level gives a wider interval */
    o.seed = KDA_DEFAULT_SEED;
    o.level = 0.5;
    CHECK_EQ_INT(kda(y, x, N, K, &o, &a, &r3, &e), KAM_OK);
    CHECK(r3.attr[0].imp_lo > r1.attr[0].imp_lo && r3.attr[0].imp_hi < r1.attr[0].imp_hi);
    arena_release(&a);
}

/* A tiny sample: some resamples repeat one rating value only; they are counted, kept, and the
 * constant attribute gets 0 in them. */
TEST(kda_bootstrap_degenerate_resamples)
{
    struct arena a;
    arena_init(&a);
    double x[6 * 2] = {1, 1, 2, 1, 1, 3, 1, 2, 5, 4, 1, 5};
    double y[6] = {2, 3, 5, 4, 9, 7};
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 200;
    struct kda_result r;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, 6, 2, &o, &a, &r, &e), KAM_OK);
    CHECK(r.boot_degenerate > 0);
    CHECK(r.attr[0].imp_lo >= 0 && r.attr[1].imp_lo >= 0);
    CHECK(r.r2_hi <= 1);
    arena_release(&a);
}

TEST(kda_quadrants)
{
    struct arena a;
    arena_init(&a);
    double x[81 * 4], y[81];
    int n = factorial(4, 3, x);
    /* importances from the weights 4 > 3 > 1 > 0.5 (uncorrelated attributes: r_j^2);
     * performances from the offsets: attribute 1 low, 2 high, 3 low, 4 high */
    const double off[4] = {-1, 1.5, -0.5, 1};
    for (int i = 0; i < n; i++) {
        y[i] = 4 * x[i * 4] + 3 * x[i * 4 + 1] + x[i * 4 + 2] + 0.5 * x[i * 4 + 3];
        for (int j = 0; j < 4; j++)
            x[i * 4 + j] += off[j];
    }
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 0;
    struct kda_result r;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, n, 4, &o, &a, &r, &e), KAM_OK);
    CHECK_EQ_INT(r.attr[0].quadrant, KDA_FIX_FIRST);
    CHECK_EQ_INT(r.attr[1].quadrant, KDA_KEEP_UP);
    CHECK_EQ_INT(r.attr[2].quadrant, KDA_LOW_PRIORITY);
    CHECK_EQ_INT(r.attr[3].quadrant, KDA_MAINTAIN);
    CHECK(NEAR(r.attr[0].performance, 1, 1e-12));
    CHECK(NEAR(r.attr[1].performance, 3.5, 1e-12));
    CHECK(NEAR(r.med_performance, (1.5 + 3) / 2, 1e-12));
    CHECK(NEAR(r.med_importance, (r.attr[1].importance + r.attr[2].importance) / 2, 1e-15));
    CHECK(NEAR(r.attr[0].share + r.attr[1].share + r.attr[2].share + r.attr[3].share, 100, 1e-9));
    CHECK(r.attr[0].share > r.attr[1].share);
    CHECK_EQ_STR(kda_quadrant_name(r.attr[0].quadrant), "fix_first");
    CHECK_EQ_STR(kda_quadrant_name(KDA_MAINTAIN), "maintain");
    /* one attribute: nothing is above the median */
    double x1[5] = {1, 2, 3, 4, 5}, y1[5] = {2, 1, 4, 3, 5};
    CHECK_EQ_INT(kda(y1, x1, 5, 1, &o, &a, &r, &e), KAM_OK);
    CHECK_EQ_INT(r.attr[0].quadrant, KDA_MAINTAIN);
    CHECK(NEAR(r.attr[0].share, 100, 1e-9));
    CHECK(NEAR(r.r2, 0.64, 1e-12)); /* r = 0.8 */
    arena_release(&a);
}

/* k = KDA_MAX_K works; and the cost of the brief's case, printed (not asserted). */
TEST(kda_max_k_and_timing)
{
    struct arena a;
    arena_init(&a);
    enum { N = 2000 };
    static double x[N * KDA_MAX_K], y[N];
    double beta[KDA_MAX_K];
    for (int j = 0; j < KDA_MAX_K; j++)
        beta[j] = 1.0 / (j + 1);
    uint64_t s = 2026;
    survey(&s, N, KDA_MAX_K, beta, x, y);
    struct kda_opts o = KDA_OPTS_DEFAULT;
    o.boot = 20;
    struct kda_result r;
    struct kam_error e;
    CHECK_EQ_INT(kda(y, x, N, KDA_MAX_K, &o, &a, &r, &e), KAM_OK);
    double sum = 0;
    for (int j = 0; j < KDA_MAX_K; j++)
        sum += r.attr[j].importance;
    CHECK(NEAR(sum, r.r2, 1e-12));
    CHECK(r.attr[0].importance > r.attr[KDA_MAX_K - 1].importance);

    /* k = 8, n = 2000, B = 500 (the brief's figure); x as 8 columns of the same data */
    static double x8[N * 8];
    for (int i = 0; i < N; i++)
        memcpy(x8 + i * 8, x + i * KDA_MAX_K, sizeof(double) * 8);
    o.boot = 500;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ_INT(kda(y, x8, N, 8, &o, &a, &r, &e), KAM_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr, "  kda: k=8 n=2000 B=500 in %.1f ms\n", ms);
    arena_release(&a);
}
