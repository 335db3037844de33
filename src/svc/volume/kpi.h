/* kpi.h -- actual against target for any dimension and period (F4.5).
 *
 * For each key of a dimension (or the total): the actual of the period, last year's (the same
 * months, up to this month when the period is in progress), the
 * target from the plan's cells, attainment, a run-rate projection (actual per elapsed day times
 * the period's days) and a forecast-based projection (the complete months' actual plus the
 * forecast of the months left), share of wallet for accounts (the last twelve months against
 * the account's wallet estimate) and a status: on track (projection >= target), at risk
 * (>= kpi_offtrack_pct % of it, default 90) or off track. Satisfaction stays empty until
 * surveys exist. kpi_alerts() turns off-track keys of approved plans into notifications. */
#ifndef KAM_KPI_H
#define KAM_KPI_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"
#include "target.h"
#include "volume.h"

struct kpi_period {
    int from, to;          /* yyyymm, inclusive */
    int64_t days, elapsed; /* calendar days in the period, of them passed by today */
};

/* "2026", "2026-Q3", "2026-03". -1 when malformed. */
int kpi_period_parse(const char *s, struct kpi_period *out);

struct kpi_item {
    const char *key, *label;
    int64_t actual, last_year; /* measure units (minor units / thousandths) */
    int64_t target;            /* whole units */
    int has_target, has_last_year, has_projection, has_wallet;
    int64_t run_rate, projection; /* measure units */
    double attainment_pct, projection_pct, growth_pct, wallet_pct;
    const char *status; /* on_track | at_risk | off_track | no_target */
};

struct kpi_report {
    struct kpi_period period;
    int quantity;
    enum volume_dim by;
    struct kpi_item total;
    struct kpi_item *items;
    size_t n;
};

/* plan may be NULL (no targets). sel narrows the accounts/families/... as for volume. */
enum kam_err kpi_compute(struct kam_ctx *ctx, const struct target_plan *plan,
                         const struct volume_sel *sel, enum volume_dim by,
                         const struct kpi_period *period, size_t limit, struct kpi_report *out);

/* For every approved plan of this year: notifies account owners of their off-track accounts
 * and the plan's owner when the plan's total is off track, once a month each. */
enum kam_err kpi_alerts(struct kam_ctx *ctx, int *sent_out);

#endif
