/* test_loyalty.c -- the pure parts of svc/needs/loyalty.c: period indexes of a sales month and
 * their keys (the same keys as the satisfaction trend's). The counts are tested end to end by
 * tests/http/t_loyalty.py on both engines. */
#include <string.h>

#include "svc/needs/loyalty.h"
#include "test.h"

TEST(loyalty_period_index_and_key)
{
    char k[16];
    CHECK_EQ_INT(loyalty_period_index(202601, "month"), 2026 * 12);
    CHECK_EQ_INT(loyalty_period_index(202512, "month") + 1, loyalty_period_index(202601, "month"));
    CHECK_EQ_INT(loyalty_period_index(202603, "quarter"), 2026 * 4);
    CHECK_EQ_INT(loyalty_period_index(202604, "quarter"), 2026 * 4 + 1);
    CHECK_EQ_INT(loyalty_period_index(202512, "quarter") + 1,
                 loyalty_period_index(202601, "quarter"));
    CHECK_EQ_INT(loyalty_period_index(202612, "year"), 2026);
    loyalty_period_key(loyalty_period_index(202603, "month"), "month", k, sizeof k);
    CHECK(!strcmp(k, "2026-03"));
    loyalty_period_key(loyalty_period_index(202611, "quarter"), "quarter", k, sizeof k);
    CHECK(!strcmp(k, "2026-Q4"));
    loyalty_period_key(loyalty_period_index(202611, "year"), "year", k, sizeof k);
    CHECK(!strcmp(k, "2026"));
    /* the keys are the trend's (sat_period_key of a time in that month, China time) */
    char s[16];
    sat_period_key(1767196800 /* 2026-01-01 00:00 China time = 2025-12-31 16:00 UTC */, "quarter",
                   s, sizeof s);
    loyalty_period_key(loyalty_period_index(202601, "quarter"), "quarter", k, sizeof k);
    CHECK(!strcmp(k, s));
}
