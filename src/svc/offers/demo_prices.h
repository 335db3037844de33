/* demo_prices.h -- the price engine's demo data, loaded by demo_load after the sales. */
#ifndef KAM_DEMO_PRICES_H
#define KAM_DEMO_PRICES_H

#include "svc/core/ctx.h"

/* This year's price list for all accounts with volume breaks on the demo products, a list for
 * the strategic tier, account prices for three key accounts, a group list for a parent
 * account, a mid-year promotion and the strategic tier's annual rebate; through the services
 * (checked and audited). */
enum kam_err prices_demo(struct kam_ctx *ctx);

#endif
