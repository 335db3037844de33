/* growth.h -- the year-before figure every volume screen compares with (issue 13, KPI
 * arithmetic): one rule, like for like.
 *
 * The rule: a period [from, to] is compared with the same calendar days a year earlier, as far
 * as this year has come. A period wholly past compares its whole months; a period in progress
 * compares its complete months whole and the month in progress day by day (1st .. today's day
 * of the month a year ago, the month's last day when that month was shorter: 29 February ->
 * 28); a period not started yet compares its whole months (there is no growth to show: the
 * KPIs say why). So on 5 December, "2026-12" compares 1-5 December 2026 with 1-5 December 2025,
 * and "2026-Q4" compares October, November and 1-5 December with the same days of 2025.
 *
 * The complete months come from the rollups; the partial month from the order lines of those
 * few days (order_lines_day index), filed under their product's family as it is now (the
 * rollups keep the family a line was written with: the two differ only after a product moved
 * family within those days). */
#ifndef KAM_GROWTH_H
#define KAM_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"
#include "volume.h"

/* The days (since 1970-01-01, inclusive) a year before [from, to] that the rule compares. */
void growth_window(const struct kam_ctx *ctx, int from, int to, int64_t *day_from, int64_t *day_to);

/* Whether [from, to] has begun (today is on or after its first day). */
int growth_started(const struct kam_ctx *ctx, int from);

/* The year-before totals per key of `by` (VD_MONTH: the total), largest first (ties by key), in
 * the caller's scope and selection, as volume_totals returns them. */
enum kam_err growth_last_year(struct kam_ctx *ctx, const struct volume_sel *sel, enum volume_dim by,
                              int from, int to, struct volume_total **out, size_t *n_out);

#endif
