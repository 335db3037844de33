/* test_results.c -- the pure parts of svc/needs/satisfaction.c: NPS, CSAT, period keys (China
 * time) and the minimum-n rule. The database parts are tested end to end by
 * tests/http/t_results.py on both engines. */
#include <math.h>

#include "svc/needs/satisfaction.h"
#include "test.h"

TEST(results_nps_counts_and_score)
{
    int64_t c[11] = {0};
    c[0] = 1; /* detractor */
    c[6] = 2; /* detractors */
    c[7] = 1; /* passive */
    c[8] = 1; /* passive */
    c[9] = 3; /* promoters */
    c[10] = 2;
    struct sat_nps n;
    sat_nps_of(c, &n);
    CHECK_EQ_INT(n.n, 10);
    CHECK_EQ_INT(n.promoters, 5);
    CHECK_EQ_INT(n.passives, 2);
    CHECK_EQ_INT(n.detractors, 3);
    CHECK(fabs(n.score - 20.0) < 1e-12);

    int64_t all_detr[11] = {4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    sat_nps_of(all_detr, &n);
    CHECK(n.score == -100.0);
    int64_t none[11] = {0};
    sat_nps_of(none, &n);
    CHECK_EQ_INT(n.n, 0);
    CHECK(n.score == 0.0); /* no answers: 0, never NaN (the API shows null on n == 0) */
}

TEST(results_csat_mean_and_top2)
{
    int64_t c[6] = {99, 1, 1, 0, 2, 4}; /* c[0] is not a CSAT value: ignored */
    struct sat_csat s;
    sat_csat_of(c, &s);
    CHECK_EQ_INT(s.n, 8);
    CHECK_EQ_INT(s.top2, 6);
    CHECK(fabs(s.mean - (1 + 2 + 8 + 20) / 8.0) < 1e-12);
    CHECK(fabs(s.top2_share - 75.0) < 1e-12);
    int64_t none[6] = {0};
    sat_csat_of(none, &s);
    CHECK(s.n == 0 && s.mean == 0.0 && s.top2_share == 0.0);
}

TEST(results_period_keys_in_china_time)
{
    char k[16];
    /* 2025-03-31T16:00:00Z is 2025-04-01 00:00 in China: April, Q2. */
    int64_t t = 1743436800;
    CHECK_EQ_INT(sat_period_key(t, "month", k, sizeof k), 0);
    CHECK_EQ_STR(k, "2025-04");
    sat_period_key(t, "quarter", k, sizeof k);
    CHECK_EQ_STR(k, "2025-Q2");
    sat_period_key(t - 1, "quarter", k, sizeof k);
    CHECK_EQ_STR(k, "2025-Q1");
    sat_period_key(t - 1, "month", k, sizeof k);
    CHECK_EQ_STR(k, "2025-03");
    /* New Year in China comes 8 hours before UTC's. */
    sat_period_key(1767225600 - 8 * 3600, "year", k, sizeof k);
    CHECK_EQ_STR(k, "2026");
    sat_period_key(1767225600 - 8 * 3600 - 1, "year", k, sizeof k);
    CHECK_EQ_STR(k, "2025");
    CHECK_EQ_INT(sat_period_key(t, "week", k, sizeof k), -1);
}

TEST(results_minimum_n)
{
    CHECK(sat_hidden(0, 0));
    CHECK(sat_hidden(0, SAT_MIN_N - 1));
    CHECK(!sat_hidden(0, SAT_MIN_N));
    CHECK(!sat_hidden(1, 1)); /* readers of responses see every figure */
    CHECK(!sat_hidden(1, 0));
}
