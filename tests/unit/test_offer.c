/* test_offer.c -- an offer's line arithmetic (svc/offers/offer_line.c): discounts in basis
 * points against the engine's price (rounded up: any cut past a limit counts; a price above it
 * is a negative discount), the bundle split over its components (rounded down, then the
 * largest remainders), and
 * what a discount needs (approval_needed, the default limits 5 % / 10 % / 20 %). */
#include <string.h>

#include "fixture.h"
#include "svc/offers/approval.h"
#include "svc/offers/offer.h"
#include "test.h"

TEST(offer_discount_bp_worked)
{
    CHECK_EQ_INT(offer_discount_bp(10000, 9700), 300);
    CHECK_EQ_INT(offer_discount_bp(10000, 10000), 0);
    CHECK_EQ_INT(offer_discount_bp(10000, 11000), -1000); /* above the engine's price */
    CHECK_EQ_INT(offer_discount_bp(3, 2), 3334);          /* 33.333 %: rounded up */
    CHECK_EQ_INT(offer_discount_bp(3, 1), 6667);          /* 66.667 % */
    CHECK_EQ_INT(offer_discount_bp(3, 4), -3333);         /* -33.333 %: towards zero (up) */
    CHECK_EQ_INT(offer_discount_bp(20000, 19999), 1);     /* 0.5 bp rounds up */
    CHECK_EQ_INT(offer_discount_bp(100000, 94996), 501);  /* 5.004 % is over a 5 % limit */
    CHECK_EQ_INT(offer_discount_bp(0, 100), 0);           /* no engine price: no discount */
    CHECK_EQ_INT(offer_discount_bp(10000, 0), 10000);
    /* a discount asked in bp never comes back deeper than asked */
    for (int64_t e = 1; e < 3000; e += 7)
        for (int64_t bp = 0; bp <= 10000; bp += 499)
            CHECK(offer_discount_bp(e, offer_apply_discount(e, bp)) <= bp);
}

TEST(offer_split_largest_remainder)
{
    int64_t w[3] = {1, 1, 1}, out[3];
    offer_split(100, w, 3, out);
    CHECK_EQ_INT(out[0], 34); /* equal remainders: the earlier part takes the cent */
    CHECK_EQ_INT(out[1], 33);
    CHECK_EQ_INT(out[2], 33);
    int64_t w2[2] = {3000, 7000}, out2[2];
    offer_split(9999, w2, 2, out2);
    CHECK_EQ_INT(out2[0], 3000); /* 2999.7 -> 3000 */
    CHECK_EQ_INT(out2[1], 6999); /* 6999.3 -> 6999 */
    int64_t w3[2] = {0, 0}, out3[2];
    offer_split(500, w3, 2, out3); /* no weights: all on the last */
    CHECK_EQ_INT(out3[0], 0);
    CHECK_EQ_INT(out3[1], 500);
    /* the review's cases: an unpriced (weight 0) component last never goes negative */
    int64_t w4[3] = {1, 1, 0}, out4[3];
    offer_split(5, w4, 3, out4);
    CHECK_EQ_INT(out4[0], 3);
    CHECK_EQ_INT(out4[1], 2);
    CHECK_EQ_INT(out4[2], 0);
    int64_t w5[3] = {45000, 45000, 0}, out5[3];
    offer_split(90001, w5, 3, out5);
    CHECK_EQ_INT(out5[0], 45001);
    CHECK_EQ_INT(out5[1], 45000);
    CHECK_EQ_INT(out5[2], 0);
    /* every split adds up, no part below 0, each within a cent of its exact share */
    for (int64_t t = 0; t < 2000; t += 37) {
        int64_t ww[4] = {t % 7 + 1, 13, t % 5, 0}, o[4], sum = 0;
        for (int k = 0; k < 4; k++)
            sum += ww[k];
        offer_split(t * 101, ww, 4, o);
        CHECK_EQ_INT(o[0] + o[1] + o[2] + o[3], t * 101);
        for (int k = 0; k < 4; k++) {
            CHECK(o[k] >= 0);
            CHECK(o[k] * sum <= t * 101 * ww[k] + sum && o[k] * sum >= t * 101 * ww[k] - sum);
        }
        CHECK_EQ_INT(o[3], 0);
    }
}

TEST(offer_totals_margin)
{
    struct offer x;
    memset(&x, 0, sizeof x);
    struct offer_line l[2];
    memset(l, 0, sizeof l);
    l[0].has_engine = 1;
    l[0].engine_price = 10000;
    l[0].unit_price = 9700;
    l[0].quantity = 10000;
    l[0].amount = 97000;
    l[0].discount_bp = 300;
    l[0].has_cost = 1;
    l[0].unit_cost = 6000;
    l[1].has_engine = 1;
    l[1].engine_price = 333;
    l[1].unit_price = 333;
    l[1].quantity = 1500; /* 1.5 x 3.33 = 4.995 -> 5.00 */
    l[1].amount = 500;
    l[1].has_cost = 1;
    l[1].unit_cost = 100;
    x.lines = l;
    x.nlines = 2;
    offer_totals(&x);
    CHECK_EQ_INT(x.subtotal, 100500);
    CHECK_EQ_INT(x.total, 97500);
    CHECK_EQ_INT(x.cost, 60150);
    CHECK(x.has_margin);
    CHECK_EQ_INT(x.margin_bp, 3831); /* 37350 / 97500 = 38.308 % */
    CHECK_EQ_INT(x.max_discount_bp, 300);
    l[1].has_cost = 0; /* a line without a cost: no cost, no margin */
    offer_totals(&x);
    CHECK(!x.has_cost);
    CHECK(!x.has_margin);
}

TEST(offer_approval_needed_defaults)
{
    struct fixture f;
    CHECK(fixture_open(&f, FIXTURE_MEMORY, 1780000000));
    CHECK(fixture_setup_end(&f, 1));
    struct kam_ctx *ctx = fixture_ctx(&f);
    CHECK(approval_needed(ctx, ROLE_ACCOUNT_MANAGER, 500) == NULL);
    CHECK(!strcmp(approval_needed(ctx, ROLE_ACCOUNT_MANAGER, 501), "team_lead"));
    CHECK(!strcmp(approval_needed(ctx, ROLE_ACCOUNT_MANAGER, 1001), "director"));
    CHECK(!strcmp(approval_needed(ctx, ROLE_ACCOUNT_MANAGER, 2001), "finance+director"));
    CHECK(approval_needed(ctx, ROLE_TEAM_LEAD, 1000) == NULL);
    CHECK(!strcmp(approval_needed(ctx, ROLE_TEAM_LEAD, 1001), "director"));
    CHECK(approval_needed(ctx, ROLE_DIRECTOR, 2000) == NULL);
    CHECK(!strcmp(approval_needed(ctx, ROLE_DIRECTOR, 2001), "finance+director"));
    CHECK(!strcmp(approval_needed(ctx, ROLE_FINANCE, 1), "team_lead")); /* no limit of its own */
    CHECK(approval_needed(ctx, ROLE_ACCOUNT_MANAGER, -500) == NULL);    /* above the price */
    /* THE role limit, the one the order-line check uses too */
    int64_t lim = -1;
    CHECK(approval_role_limit(ctx, ROLE_ACCOUNT_MANAGER, &lim) == KAM_OK && lim == 500);
    CHECK(approval_role_limit(ctx, ROLE_TEAM_LEAD, &lim) == KAM_OK && lim == 1000);
    CHECK(approval_role_limit(ctx, ROLE_DIRECTOR, &lim) == KAM_OK && lim == 2000);
    CHECK(approval_role_limit(ctx, ROLE_SERVICE, &lim) == KAM_OK && lim == 0);
    fixture_close(&f);
}

TEST(offer_apply_discount_never_over)
{
    CHECK_EQ_INT(offer_apply_discount(10000, 300), 9700);
    CHECK_EQ_INT(offer_apply_discount(333, 500), 317); /* 16.65 off -> 16: 4.80 %, not 5.11 % */
    CHECK_EQ_INT(offer_apply_discount(10000, -1000), 11000);
    CHECK_EQ_INT(offer_apply_discount(0, 500), 0);
    /* whatever the price, the discount asked is never exceeded, and is met within one unit */
    for (int64_t e = 1; e < 5000; e += 7)
        for (int64_t bp = 0; bp <= 10000; bp += 173) {
            int64_t u = offer_apply_discount(e, bp);
            CHECK(offer_discount_bp(e, u) <= bp);
            CHECK(u >= 0 && u <= e);
            CHECK(e - u >= e * bp / 10000 && e - u <= e * bp / 10000 + 1);
        }
}
