/* demo_offers.h -- the offers' demo data, loaded by demo_load after the opportunities. */
#ifndef KAM_DEMO_OFFERS_H
#define KAM_DEMO_OFFERS_H

#include "svc/core/ctx.h"

/* Offers in every status on the demo's key accounts (linked to their open opportunities where
 * there are some), with product, bundle and service lines when the catalogue has rows, and one
 * approval waiting for the director; through the services (checked and audited). */
enum kam_err offers_demo(struct kam_ctx *ctx);

#endif
