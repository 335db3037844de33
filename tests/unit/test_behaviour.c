/* test_behaviour.c -- unit tests of src/analytics/behaviour: purchase intervals, RFM, trend,
 * seasonality, family mix, co-purchase affinity and cross-sell.
 *
 * Expected values are worked out by hand in the comments; property checks run on series and
 * baskets from a fixed-seed PRNG so every run tests the same cases. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "analytics/behaviour.h"
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

/* Uniform double in [0, 1). */
static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* ---- intervals ---- */

TEST(behaviour_intervals_regular)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_intervals iv;
    /* Gaps 10,10,10: mean = median = 10, cv 0 -> regular; next 30 + 10 = 40, today 45 -> 5 late. */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){0, 10, 20, 30}, 4, 45, &a, &iv), KAM_OK);
    CHECK_EQ_INT(iv.orders, 4);
    CHECK_EQ_INT(iv.intervals, 3);
    CHECK(iv.mean_days == 10 && iv.median_days == 10 && iv.cv == 0);
    CHECK_EQ_INT(iv.regularity, BEHAVIOUR_REGULAR);
    CHECK(iv.has_next && iv.next_day == 40 && iv.overdue && iv.days_overdue == 5);
    /* Gaps 10, 20: mean = median = 15; population sd 5, cv 1/3 < 0.5 -> regular (3 orders).
     * Next 30 + 15 = 45; today 45 is not overdue (only after). */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){0, 10, 30}, 3, 45, &a, &iv), KAM_OK);
    CHECK(iv.mean_days == 15 && iv.median_days == 15 && NEAR(iv.cv, 1.0 / 3, 1e-12));
    CHECK_EQ_INT(iv.regularity, BEHAVIOUR_REGULAR);
    CHECK(iv.next_day == 45 && !iv.overdue && iv.days_overdue == 0);
    /* Gaps 1, 2: median 1.5 rounds half up -> next 3 + 2 = 5. */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){0, 1, 3}, 3, 0, &a, &iv), KAM_OK);
    CHECK(iv.median_days == 1.5 && iv.next_day == 5);
    arena_release(&a);
}

TEST(behaviour_intervals_irregular_and_duplicates)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_intervals iv;
    /* 115 twice counts once: days 100,101,105,115, gaps 1,4,10. mean 5, median 4,
     * var = (16 + 1 + 25) / 3 = 14, cv = sqrt(14) / 5 = 0.7483 -> irregular. Next 115+4 = 119. */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){100, 101, 105, 115, 115}, 5, 119, &a, &iv),
                 KAM_OK);
    CHECK_EQ_INT(iv.orders, 4);
    CHECK(iv.mean_days == 5 && iv.median_days == 4);
    CHECK(NEAR(iv.cv, 0.7483314773547882, 1e-12));
    CHECK_EQ_INT(iv.regularity, BEHAVIOUR_IRREGULAR);
    CHECK(iv.last_day == 115 && iv.next_day == 119 && !iv.overdue);
    arena_release(&a);
}

TEST(behaviour_intervals_edge_cases)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_intervals iv;
    /* Empty. */
    CHECK_EQ_INT(behaviour_intervals(NULL, 0, 100, &a, &iv), KAM_OK);
    CHECK(iv.orders == 0 && !iv.has_next && iv.regularity == BEHAVIOUR_INSUFFICIENT);
    /* One order. */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){50}, 1, 100, &a, &iv), KAM_OK);
    CHECK(iv.orders == 1 && iv.last_day == 50 && !iv.has_next && !iv.overdue);
    /* All on the same day: one order day. */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){7, 7, 7}, 3, 100, &a, &iv), KAM_OK);
    CHECK(iv.orders == 1 && iv.intervals == 0 && iv.mean_days == 0 && !iv.has_next);
    CHECK_EQ_INT(iv.regularity, BEHAVIOUR_INSUFFICIENT);
    /* Two orders: a next day, but too few for a regularity label. 0,30 -> next 60. */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){0, 30}, 2, 61, &a, &iv), KAM_OK);
    CHECK(iv.has_next && iv.next_day == 60 && iv.overdue && iv.days_overdue == 1);
    CHECK_EQ_INT(iv.regularity, BEHAVIOUR_INSUFFICIENT);
    /* Unsorted, negative n. */
    CHECK_EQ_INT(behaviour_intervals((int32_t[]){5, 3}, 2, 0, &a, &iv), KAM_EINVAL);
    CHECK_EQ_INT(behaviour_intervals(NULL, -1, 0, &a, &iv), KAM_EINVAL);
    arena_release(&a);
}

/* ---- RFM ---- */

TEST(behaviour_rfm_values)
{
    struct behaviour_rfm r;
    /* today 1000: window is 635 < day <= 1000. 990 (100), 900 (50), 636 (3) count; 635 is
     * exactly 365 days ago and falls out; 1005 is in the future and is ignored.
     * recency 1000 - 990 = 10, frequency 3, monetary 153. */
    int32_t d[] = {900, 635, 990, 1005, 636};
    int64_t m[] = {50, 7, 100, 999, 3};
    CHECK_EQ_INT(behaviour_rfm(d, m, 5, 1000, &r), KAM_OK);
    CHECK(r.has_orders && r.recency_days == 10 && r.frequency == 3 && r.monetary == 153);
    /* Only old orders: recency counts, frequency and monetary are 0. */
    CHECK_EQ_INT(behaviour_rfm((int32_t[]){1}, (int64_t[]){5}, 1, 1000, &r), KAM_OK);
    CHECK(r.recency_days == 999 && r.frequency == 0 && r.monetary == 0);
    /* None. */
    CHECK_EQ_INT(behaviour_rfm(NULL, NULL, 0, 1000, &r), KAM_OK);
    CHECK(!r.has_orders && r.recency_days == -1 && r.frequency == 0);
    /* A return (negative amount) is netted; an overflowing sum is rejected. */
    CHECK_EQ_INT(behaviour_rfm((int32_t[]){999, 998}, (int64_t[]){100, -30}, 2, 1000, &r), KAM_OK);
    CHECK(r.monetary == 70);
    CHECK_EQ_INT(behaviour_rfm((int32_t[]){999, 998}, (int64_t[]){INT64_MAX, 1}, 2, 1000, &r),
                 KAM_EINVAL);
}

TEST(behaviour_quintile_scores)
{
    /* 1..5, higher better: score = 1 + floor(5 (2L + E) / 10): 0.5 -> 1, 1.5 -> 2, ... 4.5 -> 5. */
    int64_t p[] = {1, 2, 3, 4, 5};
    for (int v = 1; v <= 5; v++)
        CHECK_EQ_INT(behaviour_quintile(v, p, 5, 1), v);
    /* Lower better (recency): 1 is best. Worse = values > 1 = 4: 5 * 9 / 10 = 4 -> 5. */
    CHECK_EQ_INT(behaviour_quintile(1, p, 5, 0), 5);
    CHECK_EQ_INT(behaviour_quintile(5, p, 5, 0), 1);
    /* Outside the population: clamped. */
    CHECK_EQ_INT(behaviour_quintile(100, p, 5, 1), 5);
    CHECK_EQ_INT(behaviour_quintile(-100, p, 5, 1), 1);
    /* All equal: mid-rank 5 * 4 / 8 = 2 -> 3. */
    int64_t same[] = {7, 7, 7, 7};
    CHECK_EQ_INT(behaviour_quintile(7, same, 4, 1), 3);
    CHECK_EQ_INT(behaviour_quintile(7, same, 4, 0), 3);
    /* Empty population. */
    CHECK_EQ_INT(behaviour_quintile(7, NULL, 0, 1), 0);
    /* 0,0,0,0,0,0,5,10,20,100 (ten): 0 -> L 0, E 6: 5 * 6 / 20 = 1 -> 2; 100 -> 5 * 19 / 20 = 4
     * -> 5; 10 -> L 7, E 1: 5 * 15 / 20 = 3 -> 4. */
    int64_t skew[] = {100, 0, 0, 20, 0, 5, 0, 10, 0, 0};
    behaviour_sort_i64(skew, 10);
    CHECK(skew[0] == 0 && skew[9] == 100);
    CHECK_EQ_INT(behaviour_quintile(0, skew, 10, 1), 2);
    CHECK_EQ_INT(behaviour_quintile(100, skew, 10, 1), 5);
    CHECK_EQ_INT(behaviour_quintile(10, skew, 10, 1), 4);

    /* RFM score: recency 10 in {5, 10, 50, 200, 400} (lower better): worse = 3, equal 1:
     * 5 * 7 / 10 = 3 -> 4. frequency 3 in {0,1,3,8,12}: L 2 E 1: 25/10 = 2 -> 3.
     * monetary 153 in {0, 10, 153, 153, 9000}: L 2 E 2: 30/10 = 3 -> 4. */
    struct behaviour_rfm v = {1, 10, 3, 153};
    struct behaviour_rfm_score sc;
    behaviour_rfm_score(&v, (int64_t[]){5, 10, 50, 200, 400}, (int64_t[]){0, 1, 3, 8, 12},
                        (int64_t[]){0, 10, 153, 153, 9000}, 5, &sc);
    CHECK(sc.r == 4 && sc.f == 3 && sc.m == 4);
    struct behaviour_rfm none = {0, -1, 0, 0};
    behaviour_rfm_score(&none, (int64_t[]){5, 10, 50, 200, 400}, (int64_t[]){0, 1, 3, 8, 12},
                        (int64_t[]){0, 10, 153, 153, 9000}, 5, &sc);
    CHECK(sc.r == 1 && sc.f == 1 && sc.m == 1);
}

TEST(behaviour_quintile_properties)
{
    uint64_t seed = 99;
    for (int c = 0; c < 300; c++) {
        int m = 1 + (int)(rng_next(&seed) % 60);
        int64_t pop[64];
        for (int i = 0; i < m; i++)
            pop[i] = (int64_t)(rng_next(&seed) % 20);
        behaviour_sort_i64(pop, m);
        int prev_hi = 0, prev_lo = 6;
        for (int64_t v = -1; v <= 21; v++) {
            int hi = behaviour_quintile(v, pop, m, 1), lo = behaviour_quintile(v, pop, m, 0);
            CHECK(hi >= 1 && hi <= 5 && lo >= 1 && lo <= 5);
            CHECK(hi >= prev_hi); /* monotone */
            CHECK(lo <= prev_lo);
            prev_hi = hi;
            prev_lo = lo;
        }
    }
}

/* ---- trend ---- */

TEST(behaviour_trend_linear)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_trend t;
    /* y = 100 + 10 i, 24 months: both slopes 10; mean 100 + 10 * 11.5 = 215;
     * 1200 * 10 / 215 = 55.81 %/year -> growing. Last 12: 1200 + 10 * (12+..+23) = 3300;
     * previous: 1200 + 10 * (0+..+11) = 1860; 3300/1860 - 1 = 77.42 %. */
    double y[24];
    for (int i = 0; i < 24; i++)
        y[i] = 100 + 10 * i;
    CHECK_EQ_INT(behaviour_trend(y, 24, &a, &t), KAM_OK);
    CHECK(t.ols_slope == 10 && t.theil_sen_slope == 10);
    CHECK(t.mean == 215);
    CHECK(NEAR(t.theil_sen_pct_year, 55.81395348837209, 1e-9));
    CHECK(NEAR(t.ols_pct_year, t.theil_sen_pct_year, 1e-12));
    CHECK_EQ_INT(t.label, BEHAVIOUR_GROWING);
    CHECK(t.has_yoy && NEAR(t.yoy_pct, 77.41935483870967, 1e-9));
    /* y = 200 - 5 i, 12 months: mean 172.5, -6000 / 172.5 = -34.78 %/year -> declining. */
    for (int i = 0; i < 12; i++)
        y[i] = 200 - 5 * i;
    CHECK_EQ_INT(behaviour_trend(y, 12, &a, &t), KAM_OK);
    CHECK(t.theil_sen_slope == -5 && NEAR(t.theil_sen_pct_year, -34.78260869565217, 1e-9));
    CHECK_EQ_INT(t.label, BEHAVIOUR_DECLINING);
    CHECK(!t.has_yoy);
    /* y = 1000 + i: 1200 / 1005.5 = 1.19 %/year -> stable. */
    for (int i = 0; i < 12; i++)
        y[i] = 1000 + i;
    CHECK_EQ_INT(behaviour_trend(y, 12, &a, &t), KAM_OK);
    CHECK(NEAR(t.theil_sen_pct_year, 1.1934361014420687, 1e-9));
    CHECK_EQ_INT(t.label, BEHAVIOUR_STABLE);
    arena_release(&a);
}

TEST(behaviour_trend_robust_to_outlier)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_trend t;
    /* 10 everywhere but 1000 in month 5. Theil-Sen: 36 of the 45 pairwise slopes are 0 ->
     * median 0 -> stable. OLS: xbar 4.5, sxx 82.5, sxy = 990 * (5 - 4.5) = 495 -> slope 6;
     * mean 109, 1200 * 6 / 109 = 66.06 %/year. */
    double y[10] = {10, 10, 10, 10, 10, 1000, 10, 10, 10, 10};
    CHECK_EQ_INT(behaviour_trend(y, 10, &a, &t), KAM_OK);
    CHECK(t.theil_sen_slope == 0);
    CHECK(NEAR(t.ols_slope, 6, 1e-12));
    CHECK(NEAR(t.ols_pct_year, 66.05504587155963, 1e-9));
    CHECK_EQ_INT(t.label, BEHAVIOUR_STABLE);
    arena_release(&a);
}

TEST(behaviour_trend_edge_cases)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_trend t;
    CHECK_EQ_INT(behaviour_trend(NULL, 0, &a, &t), KAM_OK);
    CHECK_EQ_INT(t.label, BEHAVIOUR_TREND_NONE);
    CHECK_EQ_INT(behaviour_trend((double[]){5}, 1, &a, &t), KAM_OK);
    CHECK(t.label == BEHAVIOUR_TREND_NONE && t.mean == 5 && t.ols_slope == 0);
    /* Zero amounts: no level to compare against. */
    double z[24] = {0};
    CHECK_EQ_INT(behaviour_trend(z, 24, &a, &t), KAM_OK);
    CHECK(t.label == BEHAVIOUR_TREND_NONE && t.ols_slope == 0 && t.theil_sen_slope == 0);
    CHECK(!t.has_yoy);
    CHECK_EQ_INT(behaviour_trend((double[]){1, NAN}, 2, &a, &t), KAM_EINVAL);
    CHECK_EQ_INT(behaviour_trend((double[]){1, INFINITY}, 2, &a, &t), KAM_EINVAL);
    double *big = calloc(BEHAVIOUR_MAX_MONTHS + 1, sizeof(double));
    CHECK_EQ_INT(behaviour_trend(big, BEHAVIOUR_MAX_MONTHS + 1, &a, &t), KAM_ETOOBIG);
    CHECK_EQ_INT(behaviour_trend(big, BEHAVIOUR_MAX_MONTHS, &a, &t), KAM_OK);
    free(big);
    arena_release(&a);
}

TEST(behaviour_trend_linear_property)
{
    /* Any exactly linear series: OLS and Theil-Sen agree (to rounding). */
    struct arena a;
    arena_init(&a);
    uint64_t seed = 5;
    for (int c = 0; c < 200; c++) {
        int n = 2 + (int)(rng_next(&seed) % 60);
        double y[64], b = (rng_unit(&seed) - 0.5) * 1000, a0 = rng_unit(&seed) * 1e6;
        for (int i = 0; i < n; i++)
            y[i] = a0 + b * i;
        struct behaviour_trend t;
        CHECK_EQ_INT(behaviour_trend(y, n, &a, &t), KAM_OK);
        CHECK(NEAR(t.ols_slope, t.theil_sen_slope, 1e-6 * (1 + fabs(b))));
        CHECK(NEAR(t.ols_slope, b, 1e-6 * (1 + fabs(b))));
    }
    arena_release(&a);
}

/* ---- seasonality ---- */

static const double pattern[12] = {0.8, 0.9, 1.0, 1.1, 1.2, 1.0, 1.0, 1.0, 0.9, 0.8, 1.1, 1.2};

TEST(behaviour_season_month_means)
{
    struct behaviour_season s;
    /* 12 months from January, 10 each but 22 in December: level = (110 + 22) / 12 = 11;
     * indices 10/11 and 22/11 = 2; d = y / 11 equals the index -> remainder 0, strength 1. */
    double y[12];
    for (int i = 0; i < 12; i++)
        y[i] = i == 11 ? 22 : 10;
    CHECK_EQ_INT(behaviour_season(y, 12, 1, &s), KAM_OK);
    CHECK_EQ_INT(s.method, BEHAVIOUR_SEASON_MONTH_MEANS);
    CHECK(NEAR(s.index[11], 2, 1e-12) && NEAR(s.index[0], 10.0 / 11, 1e-12));
    CHECK(s.peak_month == 12 && s.trough_month == 1); /* ties: earliest month */
    CHECK(NEAR(s.strength, 1, 1e-12));
    /* The same profile starting in July: December is point 5. */
    for (int i = 0; i < 12; i++)
        y[i] = i == 5 ? 22 : 10;
    CHECK_EQ_INT(behaviour_season(y, 12, 7, &s), KAM_OK);
    CHECK(NEAR(s.index[11], 2, 1e-12) && s.peak_month == 12);
}

TEST(behaviour_season_ratio_to_moving_average)
{
    struct behaviour_season s;
    /* A flat level of 100 times the pattern: the 2x12 centred average of a 12-periodic series
     * is its mean (100), so the ratios are the pattern itself; strength 1. Peak 1.2 in May and
     * December -> May (5); trough 0.8 in January and October -> January (1). */
    double y[48];
    for (int i = 0; i < 36; i++)
        y[i] = 100 * pattern[i % 12];
    CHECK_EQ_INT(behaviour_season(y, 36, 1, &s), KAM_OK);
    CHECK_EQ_INT(s.method, BEHAVIOUR_SEASON_RATIO_MA);
    for (int m = 0; m < 12; m++)
        CHECK(NEAR(s.index[m], pattern[m], 1e-9));
    CHECK(NEAR(s.strength, 1, 1e-9));
    CHECK(s.peak_month == 5 && s.trough_month == 1);
    /* With a growing trend the indices are still close to the pattern. */
    for (int i = 0; i < 48; i++)
        y[i] = (100 + 3 * i) * pattern[(i + 3) % 12]; /* first point is April */
    CHECK_EQ_INT(behaviour_season(y, 48, 4, &s), KAM_OK);
    for (int m = 0; m < 12; m++)
        CHECK(NEAR(s.index[m], pattern[m], 0.03));
    CHECK(s.strength > 0.9);
}

TEST(behaviour_season_edge_cases)
{
    struct behaviour_season s;
    double y[24] = {0};
    /* Fewer than 12 months: none, indices 1. */
    CHECK_EQ_INT(behaviour_season((double[]){1, 2, 3}, 3, 1, &s), KAM_OK);
    CHECK(s.method == BEHAVIOUR_SEASON_NONE && s.index[3] == 1 && s.peak_month == 0);
    /* All zero: no level. */
    CHECK_EQ_INT(behaviour_season(y, 24, 1, &s), KAM_OK);
    CHECK(s.method == BEHAVIOUR_SEASON_NONE && s.strength == 0);
    CHECK_EQ_INT(behaviour_season(y, 12, 1, &s), KAM_OK);
    CHECK(s.method == BEHAVIOUR_SEASON_NONE);
    /* Flat non-zero: indices 1, nothing to explain -> strength 0. */
    for (int i = 0; i < 24; i++)
        y[i] = 5;
    CHECK_EQ_INT(behaviour_season(y, 24, 3, &s), KAM_OK);
    CHECK(s.method == BEHAVIOUR_SEASON_RATIO_MA && NEAR(s.index[6], 1, 1e-12) && s.strength == 0);
    CHECK_EQ_INT(behaviour_season(y, 24, 0, &s), KAM_EINVAL);
    CHECK_EQ_INT(behaviour_season(y, 24, 13, &s), KAM_EINVAL);
}

TEST(behaviour_season_indices_average_one)
{
    uint64_t seed = 12;
    for (int c = 0; c < 300; c++) {
        int n = 12 + (int)(rng_next(&seed) % 60), first = 1 + (int)(rng_next(&seed) % 12);
        double y[80];
        for (int i = 0; i < n; i++)
            y[i] = 50 + 100 * rng_unit(&seed) * pattern[i % 12];
        struct behaviour_season s;
        CHECK_EQ_INT(behaviour_season(y, n, first, &s), KAM_OK);
        CHECK(s.method != BEHAVIOUR_SEASON_NONE);
        double sum = 0;
        for (int m = 0; m < 12; m++)
            sum += s.index[m];
        CHECK(NEAR(sum / 12, 1, 1e-12));
        CHECK(s.strength >= 0 && s.strength <= 1);
        CHECK(s.index[s.peak_month - 1] >= s.index[s.trough_month - 1]);
    }
}

/* ---- mix ---- */

TEST(behaviour_mix_order)
{
    struct behaviour_share sh[4];
    /* Total 250: 150 -> 0.6, 50 -> 0.2 twice (family 1 before 3), 0 last. */
    CHECK_EQ_INT(behaviour_mix((int64_t[]){0, 50, 150, 50}, 4, sh), KAM_OK);
    CHECK(sh[0].family == 2 && sh[0].amount == 150 && NEAR(sh[0].share, 0.6, 1e-15));
    CHECK(sh[1].family == 1 && sh[2].family == 3 && NEAR(sh[1].share, 0.2, 1e-15));
    CHECK(sh[3].family == 0 && sh[3].share == 0);
    /* All zero: index order, shares 0. */
    CHECK_EQ_INT(behaviour_mix((int64_t[]){0, 0, 0}, 3, sh), KAM_OK);
    CHECK(sh[0].family == 0 && sh[1].family == 1 && sh[2].family == 2 && sh[2].share == 0);
    CHECK_EQ_INT(behaviour_mix(NULL, 0, NULL), KAM_OK);
    CHECK_EQ_INT(behaviour_mix((int64_t[]){1, -1}, 2, sh), KAM_EINVAL);
    /* Huge amounts do not overflow the total. */
    CHECK_EQ_INT(behaviour_mix((int64_t[]){INT64_MAX, INT64_MAX}, 2, sh), KAM_OK);
    CHECK(NEAR(sh[0].share, 0.5, 1e-15));
}

/* ---- affinity ---- */

static const struct behaviour_pair *find_pair(const struct behaviour_pair *p, int n, int a, int b)
{
    for (int i = 0; i < n; i++)
        if (p[i].a == a && p[i].b == b)
            return &p[i];
    return NULL;
}

TEST(behaviour_affinity_example)
{
    struct arena a;
    arena_init(&a);
    /* A = bit 0, B = bit 1, C = bit 2. Baskets AB, AB, A, BC, ABC (5).
     * A 4, B 4, C 2; AB 3, AC 1, BC 2.
     * A->B: support 0.6, conf 3/4, lift 3*5/(4*4) = 0.9375 (B->A the same);
     * A->C: support 0.2, conf 1/4, lift 5/8 = 0.625; C->A conf 1/2;
     * B->C: support 0.4, conf 2/4, lift 2*5/(4*2) = 1.25; C->B conf 1.
     * Order: lift 1.25 (B,C), (C,B); 0.9375 (A,B), (B,A); 0.625 (A,C), (C,A). */
    uint64_t bk[] = {3, 3, 1, 6, 7};
    struct behaviour_pair *p;
    int np;
    CHECK_EQ_INT(behaviour_affinity(bk, 5, 3, 1, 0, &a, &p, &np), KAM_OK);
    CHECK_EQ_INT(np, 6);
    int want[6][2] = {{1, 2}, {2, 1}, {0, 1}, {1, 0}, {0, 2}, {2, 0}};
    for (int i = 0; i < 6 && i < np; i++)
        CHECK(p[i].a == want[i][0] && p[i].b == want[i][1]);
    const struct behaviour_pair *ab = find_pair(p, np, 0, 1), *cb = find_pair(p, np, 2, 1);
    CHECK(ab && NEAR(ab->support, 0.6, 1e-15) && NEAR(ab->confidence, 0.75, 1e-15) &&
          NEAR(ab->lift, 0.9375, 1e-15));
    CHECK(cb && cb->confidence == 1 && NEAR(cb->lift, 1.25, 1e-15) && cb->count_ab == 2);
    const struct behaviour_pair *ca = find_pair(p, np, 2, 0);
    CHECK(ca && ca->confidence == 0.5 && NEAR(ca->lift, 0.625, 1e-15));
    /* min_count 2 drops the A-C pairs; min_support 0.5 keeps only A-B. */
    CHECK_EQ_INT(behaviour_affinity(bk, 5, 3, 2, 0, &a, &p, &np), KAM_OK);
    CHECK_EQ_INT(np, 4);
    CHECK_EQ_INT(behaviour_affinity(bk, 5, 3, 0, 0.5, &a, &p, &np), KAM_OK);
    CHECK_EQ_INT(np, 2);
    CHECK(np == 2 && p[0].a == 0 && p[0].b == 1);
    arena_release(&a);
}

TEST(behaviour_affinity_edge_cases)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_pair *p;
    int np;
    CHECK_EQ_INT(behaviour_affinity(NULL, 0, 5, 1, 0, &a, &p, &np), KAM_OK);
    CHECK(np == 0);
    /* Single-family baskets: no pairs. */
    CHECK_EQ_INT(behaviour_affinity((uint64_t[]){1, 2, 4}, 3, 3, 1, 0, &a, &p, &np), KAM_OK);
    CHECK(np == 0);
    /* 64 families: bit 63 works. f63 in 2 baskets, f0 in 1, both in 1:
     * 0 -> 63 conf 1, 63 -> 0 conf 1/2, lift 1 * 2 / (1 * 2) = 1. */
    uint64_t hi = (uint64_t)1 << 63;
    CHECK_EQ_INT(behaviour_affinity((uint64_t[]){hi | 1, hi}, 2, 64, 1, 0, &a, &p, &np), KAM_OK);
    CHECK_EQ_INT(np, 2);
    const struct behaviour_pair *x = find_pair(p, np, 0, 63), *y = find_pair(p, np, 63, 0);
    CHECK(x && y && x->confidence == 1 && y->confidence == 0.5 && x->lift == 1 && y->lift == 1);
    /* A bit beyond nfam, too many families. */
    CHECK_EQ_INT(behaviour_affinity((uint64_t[]){hi}, 1, 63, 1, 0, &a, &p, &np), KAM_EINVAL);
    CHECK_EQ_INT(behaviour_affinity((uint64_t[]){1}, 1, 65, 1, 0, &a, &p, &np), KAM_EINVAL);
    arena_release(&a);
}

TEST(behaviour_affinity_properties)
{
    struct arena a;
    arena_init(&a);
    uint64_t seed = 31337;
    for (int c = 0; c < 50; c++) {
        int nfam = 2 + (int)(rng_next(&seed) % 63), nb = 1 + (int)(rng_next(&seed) % 300);
        uint64_t bk[300], mask = nfam == 64 ? ~(uint64_t)0 : (((uint64_t)1 << nfam) - 1);
        for (int i = 0; i < nb; i++)
            bk[i] = rng_next(&seed) & rng_next(&seed) & mask; /* about a quarter of the bits */
        struct behaviour_pair *p;
        int np;
        CHECK_EQ_INT(behaviour_affinity(bk, nb, nfam, 1, 0, &a, &p, &np), KAM_OK);
        for (int i = 0; i < np; i++) {
            CHECK(p[i].confidence <= 1 && p[i].support <= 1 && p[i].count_ab > 0);
            const struct behaviour_pair *r = find_pair(p, np, p[i].b, p[i].a);
            CHECK(r && r->lift == p[i].lift && r->support == p[i].support); /* symmetric */
            if (i > 0) {
                /* Lift non-increasing, compared exactly on the counts. */
                unsigned __int128 l0 = (unsigned __int128)p[i - 1].count_ab * p[i].count_a *
                                       p[i].count_b,
                                  l1 = (unsigned __int128)p[i].count_ab * p[i - 1].count_a *
                                       p[i - 1].count_b;
                CHECK(l0 >= l1);
            }
        }
    }
    arena_release(&a);
}

/* ---- whitespace ---- */

TEST(behaviour_cosine_properties)
{
    /* Orthogonal 0; parallel 1; (1,1) vs (1,0) = 1/sqrt 2. */
    CHECK(behaviour_cosine((double[]){1, 0}, (double[]){0, 3}, 2) == 0);
    CHECK(behaviour_cosine((double[]){1, 2}, (double[]){2, 4}, 2) == 1);
    CHECK(NEAR(behaviour_cosine((double[]){1, 1}, (double[]){1, 0}, 2), sqrt(0.5), 1e-15));
    CHECK(behaviour_cosine((double[]){0, 0}, (double[]){1, 0}, 2) == 0);
    uint64_t seed = 8;
    for (int c = 0; c < 500; c++) {
        double x[16], y[16];
        int n = 1 + (int)(rng_next(&seed) % 16);
        for (int i = 0; i < n; i++) {
            x[i] = rng_unit(&seed) < 0.3 ? 0 : rng_unit(&seed) * 1e9;
            y[i] = rng_unit(&seed) * 1e6;
        }
        double self = behaviour_cosine(x, x, n);
        double xx = 0;
        for (int i = 0; i < n; i++)
            xx += x[i];
        CHECK(xx == 0 ? self == 0 : self == 1); /* exactly 1 with itself */
        double s = behaviour_cosine(x, y, n);
        CHECK(s >= 0 && s <= 1 && s == behaviour_cosine(y, x, n));
    }
}

TEST(behaviour_whitespace_example)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_neighbour *nb;
    struct behaviour_suggestion *sg;
    int nn, ns;
    /* Target 0 = (100,100,0,0). Cosines: 1 = (100,100,100,0): 20000 / sqrt(20000 * 30000) =
     * sqrt(2/3) = 0.8165; 2 = (0,0,50,50): 0, never a neighbour; 3 = (200,200,0,300):
     * 40000 / sqrt(20000 * 170000) = 0.6860; 4 = (100,0,0,0): 10000 / sqrt(20000 * 10000) =
     * 0.7071. k = 3 -> 1, 4, 3; similarity sum 2.209598.
     * f2: bought by 1 only: score 0.816497 / 2.209598 = 0.369523; expected 200 * 100/300 = 66.67.
     * f3: bought by 3 only: score 0.685994 / 2.209598 = 0.310461; expected 200 * 300/700 = 85.71.
     */
    double m[] = {100, 100, 0, 0, 100, 100, 100, 0, 0, 0, 50, 50, 200, 200, 0, 300, 100, 0, 0, 0};
    CHECK_EQ_INT(behaviour_whitespace(m, 5, 4, 0, 3, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK_EQ_INT(nn, 3);
    CHECK(nn == 3 && nb[0].account == 1 && nb[1].account == 4 && nb[2].account == 3);
    CHECK(NEAR(nb[0].similarity, 0.816496580927726, 1e-12));
    CHECK_EQ_INT(ns, 2);
    CHECK(ns == 2 && sg[0].family == 2 && sg[1].family == 3);
    CHECK(NEAR(sg[0].score, 0.3695227325480167, 1e-12) && sg[0].neighbours == 1);
    CHECK(NEAR(sg[0].expected_amount, 200.0 / 3, 1e-9));
    CHECK(NEAR(sg[1].score, 0.310461193789558, 1e-12));
    CHECK(NEAR(sg[1].expected_amount, 85.71428571428571, 1e-9));
    /* k larger than the candidates: still 3 (account 2 has similarity 0). k = 2 -> 1, 4:
     * f2 score 0.816497 / (0.816497 + 0.707107) = 0.535898; f3 bought by neither. */
    CHECK_EQ_INT(behaviour_whitespace(m, 5, 4, 0, 10, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK_EQ_INT(nn, 3);
    CHECK_EQ_INT(behaviour_whitespace(m, 5, 4, 0, 2, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK(nn == 2 && ns == 1 && sg[0].family == 2);
    CHECK(NEAR(sg[0].score, 0.816496580927726 / (0.816496580927726 + 0.7071067811865476), 1e-12));
    arena_release(&a);
}

TEST(behaviour_whitespace_ties_and_weights)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_neighbour *nb;
    struct behaviour_suggestion *sg;
    int nn, ns;
    /* Accounts 1 = (100,100,100,0) and 3 = (200,200,0,200) both have cosine sqrt(2/3) with
     * target (100,100,0,0) (sqrt(4x) = 2 sqrt(x) exactly): the lower index comes first. f2 and
     * f3 then tie on score (s / 2s = 0.5) and on expected (200/3): family order. */
    double m[] = {100, 100, 0, 0, 100, 100, 100, 0, 0, 0, 50, 50, 200, 200, 0, 200};
    CHECK_EQ_INT(behaviour_whitespace(m, 4, 4, 0, 2, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK(nn == 2 && nb[0].account == 1 && nb[1].account == 3);
    CHECK(nb[0].similarity == nb[1].similarity);
    CHECK(ns == 2 && sg[0].family == 2 && sg[1].family == 3 && sg[0].score == 0.5);
    /* Two neighbours buying the same family: target (100,0); 1 = (100,100): cos 0.707107, f1
     * share 0.5; 2 = (300,100): cos 300 / sqrt(100000) = 0.948683, share 0.25.
     * score 1 (both buy it), expected 100 * (0.948683 * 0.25 + 0.707107 * 0.5) / 1.655790
     * = 35.676. */
    double m2[] = {100, 0, 100, 100, 300, 100};
    CHECK_EQ_INT(behaviour_whitespace(m2, 3, 2, 0, 5, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK(nn == 2 && nb[0].account == 2 && nb[1].account == 1);
    CHECK(ns == 1 && sg[0].family == 1 && sg[0].neighbours == 2 && NEAR(sg[0].score, 1, 1e-15));
    CHECK(NEAR(sg[0].expected_amount, 35.67627457812106, 1e-9));
    arena_release(&a);
}

TEST(behaviour_whitespace_edge_cases)
{
    struct arena a;
    arena_init(&a);
    struct behaviour_neighbour *nb;
    struct behaviour_suggestion *sg;
    int nn, ns;
    double m[] = {0, 0, 1, 1, 2, 0};
    /* A target that buys nothing has no neighbours. */
    CHECK_EQ_INT(behaviour_whitespace(m, 3, 2, 0, 5, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK(nn == 0 && ns == 0);
    /* k = 0. */
    CHECK_EQ_INT(behaviour_whitespace(m, 3, 2, 1, 0, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK(nn == 0 && ns == 0);
    /* One account: nobody to compare with. */
    CHECK_EQ_INT(behaviour_whitespace(m + 2, 1, 2, 0, 5, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK(nn == 0 && ns == 0);
    /* Target buying everything: neighbours, but no whitespace. */
    CHECK_EQ_INT(behaviour_whitespace(m, 3, 2, 1, 5, &a, &nb, &nn, &sg, &ns), KAM_OK);
    CHECK(nn == 1 && ns == 0);
    CHECK_EQ_INT(behaviour_whitespace(m, 3, 2, 3, 5, &a, &nb, &nn, &sg, &ns), KAM_EINVAL);
    CHECK_EQ_INT(behaviour_whitespace(m, 3, 2, 0, -1, &a, &nb, &nn, &sg, &ns), KAM_EINVAL);
    double bad[] = {1, -1};
    CHECK_EQ_INT(behaviour_whitespace(bad, 1, 2, 0, 1, &a, &nb, &nn, &sg, &ns), KAM_EINVAL);
    arena_release(&a);
}

TEST(behaviour_whitespace_properties)
{
    struct arena a;
    arena_init(&a);
    uint64_t seed = 2718;
    for (int c = 0; c < 100; c++) {
        int acc = 2 + (int)(rng_next(&seed) % 30), fam = 1 + (int)(rng_next(&seed) % 12);
        int target = (int)(rng_next(&seed) % (uint64_t)acc), k = (int)(rng_next(&seed) % 8);
        double m[32 * 12];
        for (int i = 0; i < acc * fam; i++)
            m[i] = rng_unit(&seed) < 0.5 ? 0 : floor(rng_unit(&seed) * 1000);
        struct behaviour_neighbour *nb;
        struct behaviour_suggestion *sg;
        int nn, ns;
        CHECK_EQ_INT(behaviour_whitespace(m, acc, fam, target, k, &a, &nb, &nn, &sg, &ns), KAM_OK);
        CHECK(nn <= k);
        for (int i = 0; i < nn; i++) {
            CHECK(nb[i].account != target && nb[i].similarity > 0 && nb[i].similarity <= 1);
            if (i > 0)
                CHECK(nb[i - 1].similarity > nb[i].similarity ||
                      (nb[i - 1].similarity == nb[i].similarity &&
                       nb[i - 1].account < nb[i].account));
        }
        for (int i = 0; i < ns; i++) {
            CHECK(m[target * fam + sg[i].family] == 0);
            CHECK(sg[i].score > 0 && sg[i].score <= 1 + 1e-12);
            CHECK(sg[i].neighbours >= 1 && sg[i].neighbours <= nn);
            CHECK(sg[i].expected_amount > 0);
            if (i > 0)
                CHECK(sg[i - 1].score >= sg[i].score);
        }
    }
    arena_release(&a);
}
