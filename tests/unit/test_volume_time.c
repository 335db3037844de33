/* test_volume_time.c -- the rules of time and percentage the volume screens share
 * (svc/volume/volume.c): this month, the default window, history months, the year-ago window,
 * volume_pct. */
#include <math.h>

#include "base/timeutil.h"
#include "svc/volume/volume.h"
#include "test.h"

/* A context at noon UTC of the given day. */
static struct kam_ctx at(int y, int m, int d)
{
    struct kam_ctx c = {0};
    c.now = date_to_days(y, m, d) * 86400 + 12 * 3600;
    return c;
}

TEST(volume_this_month_and_default_window)
{
    struct kam_ctx c = at(2026, 1, 31);
    CHECK_EQ_INT(volume_this_month(&c), 202601);
    int from, to;
    volume_default_window(&c, &from, &to);
    CHECK_EQ_INT(to, 202601);
    CHECK_EQ_INT(from, 202402); /* 24 months, this one included */
    CHECK_EQ_INT(volume_months_between(from, to), 24);
}

TEST(volume_history_leaves_out_the_month_in_progress)
{
    struct kam_ctx c = at(2026, 5, 16);
    CHECK_EQ_INT(volume_history_months(&c, 202601, 202605), 4);  /* May is in progress */
    CHECK_EQ_INT(volume_history_months(&c, 202601, 202612), 11); /* ahead counts as not history */
    CHECK_EQ_INT(volume_history_months(&c, 202501, 202512), 12); /* a past year is all history */
}

TEST(volume_compare_to_is_year_to_date)
{
    struct kam_ctx c = at(2026, 5, 16);
    CHECK_EQ_INT(volume_compare_to(&c, 202601, 202612), 202605); /* only as far as this year */
    CHECK_EQ_INT(volume_compare_to(&c, 202501, 202512), 202512); /* a past window: all of it */
    CHECK_EQ_INT(volume_compare_to(&c, 202607, 202612), 202612); /* wholly ahead: all of it */
    CHECK_EQ_INT(volume_compare_to(&c, 202605, 202605), 202605);
}

TEST(volume_pct_rounds_half_away_from_zero)
{
    CHECK(fabs(volume_pct(1, 3) - 33.3) < 1e-9);
    CHECK(fabs(volume_pct(2, 3) - 66.7) < 1e-9);
    CHECK(fabs(volume_pct(-1, 3) + 33.3) < 1e-9);
    CHECK(fabs(volume_pct(1, 8) - 12.5) < 1e-9);  /* 12.5 exactly */
    CHECK(fabs(volume_pct(1, 16) - 6.3) < 1e-9);  /* 6.25 -> 6.3 */
    CHECK(fabs(volume_pct(-1, 16) + 6.3) < 1e-9); /* -6.25 -> -6.3 */
    CHECK(volume_pct(5, 0) == 0);
    /* Growth as every screen computes it: 120 after 100 is +20.0 %, 80 after 100 is -20.0 %. */
    CHECK(fabs(volume_pct(120 - 100, 100) - 20.0) < 1e-9);
    CHECK(fabs(volume_pct(80 - 100, 100) + 20.0) < 1e-9);
}
