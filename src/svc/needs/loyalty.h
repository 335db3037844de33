/* loyalty.h -- loyalty across groups beside NPS (issue 14 item 3, FEATURES F1.4): buyers,
 * retention and repeat purchases per group (account, tier, region, owner, team, all) and period
 * (month, quarter, year) from the monthly sales rollup (sales_monthly_account), each cell beside
 * the same cell's NPS of the satisfaction trend (svc/needs/satisfaction.h, its scope and its
 * minimum-n rule). The rules are written at the top of loyalty_trend in loyalty.c. */
#ifndef KAM_SVC_NEEDS_LOYALTY_H
#define KAM_SVC_NEEDS_LOYALTY_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"
#include "svc/needs/satisfaction.h"

struct loyalty_cell {
    const char *group, *name, *period; /* as the satisfaction trend's */
    int64_t index;                     /* the period's index (loyalty_period_index) */
    int partial;                       /* the current period, still running */
    int64_t buyers, retained_from, retained, repeat_buyers;
    int has_retention, has_repeat;      /* retained_from > 0, buyers > 0 */
    double retention_rate, repeat_rate; /* percent, 0..100 */
    const struct sat_point *sat;        /* the trend's cell (NULL: no scored answers) */
};

struct loyalty_trend {
    int may_read;
    size_t n;
    struct loyalty_cell *c; /* sorted by group, then period */
};

/* Period index helpers (tests/unit): the index of month yyyymm in period ("month": y*12+m-1,
 * "quarter": y*4+q-1, "year": y) and the key of an index ("2026-03", "2026-Q1", "2026"). */
int64_t loyalty_period_index(int yyyymm, const char *period);
void loyalty_period_key(int64_t idx, const char *period, char *out, size_t n);

/* Loyalty by group and period over the accounts of the caller's scope matching f (its account,
 * owner, team, tier and region filters; from/to choose the periods). KAM_EINVAL naming a bad
 * group, period or filter (the satisfaction trend's checks). */
enum kam_err loyalty_trend(struct kam_ctx *ctx, const char *group, const char *period,
                           const struct sat_filter *f, struct loyalty_trend *out);

#endif
