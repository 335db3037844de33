/* test_opportunity.c -- the pipeline arithmetic (svc/offers/opportunity.c): weighted amounts
 * rounded half away from zero, months, and a pipeline over hand-computed opportunities in two
 * currencies (each currency's sums converted once), open vs closed, the stage move rules. */
#include <string.h>

#include "fixture.h"
#include "store/db.h"
#include "svc/offers/opportunity.h"
#include "svc/relationships/account.h"
#include "test.h"

#define NOW 1780000000 /* 2026-05-28 */

TEST(opportunity_weighted_rounding)
{
    CHECK_EQ_INT(opp_weighted(0, 5000), 0);
    CHECK_EQ_INT(opp_weighted(1, 5000), 1);      /* 0.5 -> 1 */
    CHECK_EQ_INT(opp_weighted(3, 5000), 2);      /* 1.5 -> 2 */
    CHECK_EQ_INT(opp_weighted(333, 5000), 167);  /* 166.5 -> 167 */
    CHECK_EQ_INT(opp_weighted(1000, 3333), 333); /* 333.3 -> 333 */
    CHECK_EQ_INT(opp_weighted(1234567, 2500), 308642);
    CHECK_EQ_INT(opp_weighted(100000000000000LL, 10000), 100000000000000LL);
    CHECK_EQ_INT(opp_weighted(100000000000000LL, 0), 0);
    /* Monotonic in amount and in probability. */
    for (int64_t a = 0; a < 2000; a += 7)
        for (int64_t bp = 0; bp <= 10000; bp += 250) {
            CHECK(opp_weighted(a, bp) <= opp_weighted(a + 7, bp));
            CHECK(bp == 10000 || opp_weighted(a, bp) <= opp_weighted(a, bp + 250));
            CHECK(opp_weighted(a, bp) <= a);
        }
}

TEST(opportunity_months)
{
    CHECK(opp_month_ok("2026-01"));
    CHECK(opp_month_ok("2026-12"));
    CHECK(!opp_month_ok("2026-13"));
    CHECK(!opp_month_ok("2026-00"));
    CHECK(!opp_month_ok("2026-1"));
    CHECK(!opp_month_ok("2026/01"));
    CHECK(!opp_month_ok("26-01-01"));
    CHECK(!opp_month_ok(NULL));
    char m[8];
    opp_month_next("2026-12", m);
    CHECK_EQ_STR(m, "2027-01");
    opp_month_next("2026-09", m);
    CHECK_EQ_STR(m, "2026-10");
}

static int64_t mk_opp(struct fixture *f, int64_t acc, const char *stage, int64_t amount,
                      const char *cur, const char *month, int64_t bp, const char *reason)
{
    struct opportunity_in in = {0};
    in.v.name = "O";
    in.v.stage = stage;
    in.v.amount = amount;
    in.v.currency = cur;
    in.v.close_month = month;
    in.v.outcome_reason = reason;
    in.set =
        OPP_NAME | OPP_STAGE | OPP_AMOUNT | OPP_CURRENCY | OPP_CLOSE | (reason ? OPP_REASON : 0);
    if (bp >= 0) {
        in.v.has_probability = 1;
        in.v.probability_bp = bp;
        in.set |= OPP_PROB;
    }
    struct opportunity out;
    return opportunity_create(fixture_ctx(f), acc, &in, &out) ? 0 : out.id;
}

TEST(opportunity_pipeline_worked)
{
    struct fixture f;
    if (!fixture_open(&f, FIXTURE_MEMORY, NOW))
        return;
    int64_t owner = fixture_add_user(&f, "am", "account_manager", 0);
    struct account_in ai = {.set = ACC_CODE | ACC_NAME | ACC_TIER | ACC_OWNER};
    ai.v.owner_id = owner;
    ai.v.code = "A";
    ai.v.name = "A";
    ai.v.tier = "key";
    struct account acc;
    int ok = owner && !account_create(fixture_ctx(&f), &ai, &acc) &&
             !db_exec(f.db,
                      "INSERT INTO fx_rates (currency, rate_micro, updated_at) VALUES ('USD', "
                      "7100000, 1)",
                      &f.e);
    if (!fixture_setup_end(&f, ok))
        return;
    /* CNY: initial 10% of 100001 -> 10000; proposal 50% of 333 -> 167 (166.5).
     * USD: negotiation 75% of 101 -> 75.75 -> 76 USD; the USD sums (101, 76) convert once at
     * 7.1: 717.1 -> 717, 539.6 -> 540. Won 5000 CNY only with include_closed; lost never. */
    CHECK(mk_opp(&f, acc.id, "initial", 100001, "CNY", "2026-06", -1, NULL));
    CHECK(mk_opp(&f, acc.id, "proposal", 333, "CNY", "2026-07", -1, NULL));
    CHECK(mk_opp(&f, acc.id, "negotiation", 101, "USD", "2026-07", -1, NULL));
    CHECK(mk_opp(&f, acc.id, "won", 5000, "CNY", "2026-05", -1, "ok"));
    CHECK(mk_opp(&f, acc.id, "lost", 7000, "CNY", "2026-05", -1, "no"));
    CHECK(!mk_opp(&f, acc.id, "won", 5000, "CNY", "2026-05", -1, NULL)); /* no reason */

    struct pipeline p;
    struct pipeline_query q = {.group = "stage"};
    CHECK(!pipeline_compute(fixture_ctx(&f), &q, &p));
    CHECK_EQ_STR(p.currency, "CNY");
    CHECK_EQ_INT(p.n, 3);
    CHECK_EQ_INT(p.total.count, 3);
    CHECK_EQ_INT(p.total.amount, 100001 + 333 + 717);
    CHECK_EQ_INT(p.total.weighted, 10000 + 167 + 540);
    if (p.n == 3) {
        CHECK_EQ_STR(p.rows[0].key, "initial");
        CHECK_EQ_STR(p.rows[2].key, "negotiation");
        CHECK_EQ_INT(p.rows[2].weighted, 540);
    }
    q.include_closed = 1;
    CHECK(!pipeline_compute(fixture_ctx(&f), &q, &p));
    CHECK_EQ_INT(p.total.count, 4);
    CHECK_EQ_INT(p.total.amount, 100001 + 333 + 717 + 5000);

    q = (struct pipeline_query){.group = "month", .currency = "USD"};
    CHECK(!pipeline_compute(fixture_ctx(&f), &q, &p));
    /* 2026-06: 100001 CNY / 7.1 = 14084.647 -> 14085; 2026-07: 333 CNY -> 46.9 -> 47, + 101 USD */
    CHECK_EQ_INT(p.n, 2);
    if (p.n == 2) {
        CHECK_EQ_STR(p.rows[0].key, "2026-06");
        CHECK_EQ_INT(p.rows[0].amount, 14085);
        CHECK_EQ_INT(p.rows[1].amount, 47 + 101);
    }
    q = (struct pipeline_query){.group = "colour"};
    fixture_check_err(&f, pipeline_compute(fixture_ctx(&f), &q, &p), KAM_EINVAL, "group");
    q = (struct pipeline_query){.group = "stage", .currency = "QQQ"};
    fixture_check_err(&f, pipeline_compute(fixture_ctx(&f), &q, &p), KAM_EINVAL, "currency");

    const char *cur;
    struct pipeline_month *ms;
    size_t n;
    CHECK(!pipeline_months(fixture_ctx(&f), "2026-05", "2026-08", &cur, &ms, &n));
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_EQ_STR(ms[0].month, "2026-05");
        CHECK_EQ_INT(ms[0].count, 0); /* won and lost are not pipeline */
        CHECK_EQ_INT(ms[1].weighted, 10000);
        CHECK_EQ_INT(ms[2].weighted, 167 + 540);
        CHECK_EQ_INT(ms[3].count, 0);
    }
    fixture_check_err(&f, pipeline_months(fixture_ctx(&f), "2026-08", "2026-05", &cur, &ms, &n),
                      KAM_EINVAL, "to");
    /* Defaults: the month in progress (NOW is 2026-05-28, China time) and the eleven after. */
    CHECK(!pipeline_months(fixture_ctx(&f), NULL, NULL, &cur, &ms, &n));
    CHECK_EQ_INT(n, 12);
    if (n == 12) {
        CHECK_EQ_STR(ms[0].month, "2026-05");
        CHECK_EQ_STR(ms[11].month, "2027-04");
    }
    fixture_close(&f);
}
