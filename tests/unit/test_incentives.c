/* test_incentives.c -- the commission arithmetic (svc/team/commission.c) and the simulator's
 * spread (svc/team/payout.c) on worked examples computed by hand: marginal tiers across line
 * boundaries, the threshold, returns clawed back at the base rate, the cap, margin slices,
 * split credit, bad debt, largest-remainder bonus shares, quartiles, CV and Gini. Every test
 * name starts with "incentives_". */
#include <math.h>
#include <string.h>

#include "base/arena.h"
#include "svc/team/commission.h"
#include "svc/team/payout.h"
#include "test.h"

static const struct comm_rate rates[] = {{CR_FAMILY | CR_RATE, "A", 500},
                                         {CR_FAMILY | CR_RATE, "B", 300}};
static const struct comm_tier tiers[] = {{CT_FROM | CT_MULT, 10000, 15000},
                                         {CT_FROM | CT_MULT, 12000, 20000}};

static struct comm_rules rules(void)
{
    struct comm_rules r = {.default_rate_bp = 200,
                           .threshold_bp = 5000,
                           .rates = rates,
                           .n_rates = 2,
                           .tiers = tiers,
                           .n_tiers = 2};
    return r;
}

static struct comm_sale sale(int64_t id, int64_t day, const char *fam, int64_t credited)
{
    struct comm_sale s = {.order_line_id = id,
                          .account_id = 7,
                          .day = day,
                          .line_amount = credited,
                          .share_bp = 10000,
                          .credited = credited,
                          .basis = credited,
                          .family = fam};
    return s;
}

/* target 1,000,000; lines A 600,000, B 500,000, A 200,000, A -50,000 (a return):
 *   A 600k: tier 0 (0..1M)          600,000 x 5 %          = 30,000
 *   B 500k: tier 0 slice 400,000 x 3 %                       = 12,000
 *           tier 1 (1M..1.2M) 100,000 x 3 % x 1.5           =  4,500
 *   A 200k: tier 1 slice 100,000 x 5 % x 1.5                 =  7,500
 *           tier 2 (1.2M..) 100,000 x 5 % x 2               = 10,000
 *   return: -50,000 x 5 % (base rate)                        = -2,500
 * total 61,500; net credited 1,250,000: attainment 12,500 bp. */
TEST(incentives_tiers_and_clawback)
{
    struct arena a;
    arena_init(&a);
    struct comm_rules r = rules();
    struct comm_sale s[] = {sale(1, 100, "A", 600000), sale(2, 101, "B", 500000),
                            sale(3, 102, "A", 200000), sale(4, 103, "A", -50000)};
    struct comm_result o;
    comm_compute(&a, &r, 1000000, 1, s, 4, NULL, 0, &o);
    CHECK_EQ_INT(o.credited, 1250000);
    CHECK_EQ_INT(o.has_attainment, 1);
    CHECK_EQ_INT(o.attainment_bp, 12500);
    CHECK_EQ_INT(o.n, 6);
    static const struct {
        const char *kind;
        int64_t ol, tier, basis, rate, mult, amount;
    } want[] = {
        {"commission", 1, 0, 600000, 500, 10000, 30000},
        {"commission", 2, 0, 400000, 300, 10000, 12000},
        {"commission", 2, 1, 100000, 300, 15000, 4500},
        {"commission", 3, 1, 100000, 500, 15000, 7500},
        {"commission", 3, 2, 100000, 500, 20000, 10000},
        {"clawback", 4, 0, -50000, 500, 10000, -2500},
    };
    for (size_t i = 0; i < o.n && i < 6; i++) {
        CHECK_EQ_STR(o.lines[i].kind, want[i].kind);
        CHECK_EQ_INT(o.lines[i].seq, (int64_t)i + 1);
        CHECK_EQ_INT(o.lines[i].order_line_id, want[i].ol);
        CHECK_EQ_INT(o.lines[i].tier, want[i].tier);
        CHECK_EQ_INT(o.lines[i].basis, want[i].basis);
        CHECK_EQ_INT(o.lines[i].rate_bp, want[i].rate);
        CHECK_EQ_INT(o.lines[i].multiplier_bp, want[i].mult);
        CHECK_EQ_INT(o.lines[i].amount, want[i].amount);
    }
    CHECK_EQ_STR(o.lines[5].reason, "return");
    CHECK_EQ_STR(o.lines[0].day, "1970-04-11"); /* day 100 */
    CHECK_EQ_INT(o.total, 61500);

    /* a cap of 50,000 takes 11,500 off */
    r.has_cap = 1;
    r.cap = 50000;
    comm_compute(&a, &r, 1000000, 1, s, 4, NULL, 0, &o);
    CHECK_EQ_INT(o.n, 7);
    CHECK_EQ_STR(o.lines[6].kind, "cap");
    CHECK_EQ_INT(o.lines[6].basis, 61500);
    CHECK_EQ_INT(o.lines[6].amount, -11500);
    CHECK_EQ_INT(o.total, 50000);

    /* below the threshold (1.25M of 3M = 4166 bp < 5000): no commission, the return still
     * clawed back */
    r.has_cap = 0;
    comm_compute(&a, &r, 3000000, 1, s, 4, NULL, 0, &o);
    CHECK_EQ_INT(o.attainment_bp, 4166);
    CHECK_EQ_INT(o.n, 2);
    CHECK_EQ_STR(o.lines[0].kind, "threshold");
    CHECK_EQ_INT(o.lines[0].amount, 0);
    CHECK_EQ_STR(o.lines[1].kind, "clawback");
    CHECK_EQ_INT(o.total, -2500);

    /* exactly at the threshold: commission */
    comm_compute(&a, &r, 2500000, 1, s, 4, NULL, 0, &o);
    CHECK_EQ_INT(o.attainment_bp, 5000);
    CHECK(strcmp(o.lines[0].kind, "threshold") != 0);

    /* no target: base rates, no tiers, no threshold */
    comm_compute(&a, &r, 0, 0, s, 4, NULL, 0, &o);
    CHECK_EQ_INT(o.has_attainment, 0);
    CHECK_EQ_INT(o.n, 4);
    CHECK_EQ_INT(o.total, 30000 + 15000 + 10000 - 2500);
    arena_release(&a);
}

/* margin, target 150,000 (tiers from 150,000 and 180,000): a 100,000 line with a 40,000
 * margin, all in tier 0 at 5 % = 2,000; line 2 of 100,000 with margin 30,000 (30 %): 50,000 in
 * tier 0 earns on 15,000 (750), 30,000 in tier 1 on 9,000 x 1.5 (675), 20,000 in tier 2 on
 * 6,000 x 2 (600). */
TEST(incentives_margin_slices)
{
    struct arena a;
    arena_init(&a);
    struct comm_rules r = rules();
    r.threshold_bp = 0;
    struct comm_sale s[] = {sale(1, 1, "A", 100000), sale(2, 2, "A", 100000)};
    s[0].basis = 40000;
    s[1].basis = 30000;
    struct comm_result o;
    comm_compute(&a, &r, 150000, 1, s, 2, NULL, 0, &o);
    CHECK_EQ_INT(o.n, 4);
    CHECK_EQ_INT(o.lines[0].amount, 2000);
    CHECK_EQ_INT(o.lines[1].basis, 15000);
    CHECK_EQ_INT(o.lines[1].amount, 750);
    CHECK_EQ_INT(o.lines[2].basis, 9000);
    CHECK_EQ_INT(o.lines[2].amount, 675);
    CHECK_EQ_INT(o.lines[3].basis, 6000);
    CHECK_EQ_INT(o.lines[3].amount, 600);
    CHECK_EQ_INT(o.total, 4025);
    arena_release(&a);
}

/* split credit 70/10 of 80 present: 1,000 -> 875 and 125 (toward zero), returns too; bad debt
 * of 10,000 unpaid at a 7/8 share -> 8,750 credited x 2 % default = -175. */
TEST(incentives_splits_and_bad_debt)
{
    CHECK_EQ_INT(comm_credit(1000, 7000, 8000), 875);
    CHECK_EQ_INT(comm_credit(1000, 1000, 8000), 125);
    CHECK_EQ_INT(comm_credit(-1000, 1000, 8000), -125);
    CHECK_EQ_INT(comm_credit(1001, 1, 3), 333);
    CHECK_EQ_INT(comm_credit(1000, 0, 8000), 0);
    CHECK_EQ_INT(comm_credit(1000, 10, 0), 0);
    struct arena a;
    arena_init(&a);
    struct comm_rules r = rules();
    struct comm_debt d = {.invoice_id = 9,
                          .account_id = 7,
                          .unpaid = 10000,
                          .share_bp = 8750,
                          .credited = comm_credit(10000, 7000, 8000),
                          .day = "2026-03-31"};
    struct comm_result o;
    comm_compute(&a, &r, 0, 0, NULL, 0, &d, 1, &o);
    CHECK_EQ_INT(o.n, 1);
    CHECK_EQ_STR(o.lines[0].kind, "clawback");
    CHECK_EQ_STR(o.lines[0].reason, "bad_debt");
    CHECK_EQ_INT(o.lines[0].invoice_id, 9);
    CHECK_EQ_INT(o.lines[0].basis, -8750);
    CHECK_EQ_INT(o.lines[0].amount, -175);
    CHECK_EQ_INT(o.total, -175);
    arena_release(&a);
}

TEST(incentives_bonus_shares)
{
    int64_t out[3];
    comm_shares(100, (int64_t[]){1, 1, 1}, 3, out);
    CHECK_EQ_INT(out[0], 34);
    CHECK_EQ_INT(out[1], 33);
    CHECK_EQ_INT(out[2], 33);
    /* 1000 x 8000/17000 = 470.59, x 9000/17000 = 529.41: the left unit to the first */
    comm_shares(1000, (int64_t[]){8000, 9000, 0}, 3, out);
    CHECK_EQ_INT(out[0], 471);
    CHECK_EQ_INT(out[1], 529);
    CHECK_EQ_INT(out[2], 0);
    comm_shares(1000, (int64_t[]){0, 0}, 2, out);
    CHECK_EQ_INT(out[0], 0);
    CHECK_EQ_INT(out[1], 0);
    /* 10 among 3 equal: 4, 3, 3 (ties to the lower index) */
    comm_shares(10, (int64_t[]){5, 5, 5}, 3, out);
    CHECK_EQ_INT(out[0], 4);
    CHECK_EQ_INT(out[1], 3);
    CHECK_EQ_INT(out[2], 3);
}

/* 0 10 20 30 40: quartiles 10 20 30 (positions 1, 2, 3), mean 20, population sd sqrt(200):
 * CV 0.70711; sum over ordered pairs |xi - xj| = 400: Gini 400 / (2 x 25 x 20) = 0.4.
 * 1 2 3 4: q1 at 0.75 -> 1.75, median 2.5, q3 3.25. */
TEST(incentives_spread)
{
    struct sim_spread s;
    payout_spread((int64_t[]){0, 10, 20, 30, 40}, 5, &s);
    CHECK_EQ_INT(s.min, 0);
    CHECK_EQ_INT(s.max, 40);
    CHECK(fabs(s.q1 - 10) < 1e-9);
    CHECK(fabs(s.median - 20) < 1e-9);
    CHECK(fabs(s.q3 - 30) < 1e-9);
    CHECK(fabs(s.mean - 20) < 1e-9);
    CHECK(fabs(s.cv - 0.7071067811865476) < 1e-9);
    CHECK(fabs(s.gini - 0.4) < 1e-9);
    payout_spread((int64_t[]){1, 2, 3, 4}, 4, &s);
    CHECK(fabs(s.q1 - 1.75) < 1e-9);
    CHECK(fabs(s.median - 2.5) < 1e-9);
    CHECK(fabs(s.q3 - 3.25) < 1e-9);
    payout_spread((int64_t[]){0, 0}, 2, &s);
    CHECK(s.cv == 0 && s.gini == 0);
}
