/* demo_sales.h -- the volume chapter's demo data, loaded by demo_load after the accounts. */
#ifndef KAM_DEMO_SALES_H
#define KAM_DEMO_SALES_H

#include "svc/core/ctx.h"

/* Products, exchange rates and three years of order lines for the first max_accounts
 * accounts, rollups included. */
enum kam_err demo_sales(struct kam_ctx *ctx, int max_accounts, int64_t *lines_out);
/* Wallet estimates, this year's approved target plan and next year's draft, measures and the
 * stored forecasts, from the sales above. */
enum kam_err demo_plans(struct kam_ctx *ctx);

#endif
