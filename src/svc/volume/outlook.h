/* outlook.h -- the stored, coherent sales forecasts (F4.2).
 *
 * A refresh forecasts every monthly amount series the product has -- each account, each
 * region, each family, each channel and the total -- twelve months from this month, with
 * analytics/forecast.c, then reconciles them top-down by forecast proportions: accounts add up
 * to their region, regions, families and channels each add up to the total (the total's own
 * forecast is kept). The result is stored in `forecasts` for the target basis, KPIs and the
 * screens. The background jobs refresh it once a day; POST /api/v1/sales/forecasts/refresh
 * does it on demand. */
#ifndef KAM_OUTLOOK_H
#define KAM_OUTLOOK_H

#include <stddef.h>
#include <stdint.h>

#include "svc/core/ctx.h"

#define OUTLOOK_HORIZON 12
#define OUTLOOK_EVERY 86400 /* seconds between refreshes by the jobs */

/* Recomputes and stores every forecast; *series_out counts them. */
enum kam_err outlook_refresh(struct kam_ctx *ctx, int *series_out);

/* Refreshes when the last refresh is older than OUTLOOK_EVERY (or force). */
enum kam_err outlook_refresh_due(struct kam_ctx *ctx, int force, int *series_out);

struct outlook {
    const char *level, *key, *method;
    int first_month; /* yyyymm of mean[0] */
    int n;
    int64_t mean[OUTLOOK_HORIZON], lo80[OUTLOOK_HORIZON], hi80[OUTLOOK_HORIZON],
        lo95[OUTLOOK_HORIZON], hi95[OUTLOOK_HORIZON]; /* base minor units */
    int64_t computed_at;
};

/* One stored series; KAM_ENOTFOUND when there is none (not refreshed yet, or no such key). */
enum kam_err outlook_get(struct kam_ctx *ctx, const char *level, const char *key,
                         struct outlook *out);

#endif
