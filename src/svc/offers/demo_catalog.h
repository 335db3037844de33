/* demo_catalog.h -- the catalogue's demo data, loaded by demo_load after the prices. */
#ifndef KAM_DEMO_CATALOG_H
#define KAM_DEMO_CATALOG_H

#include "svc/core/ctx.h"

/* Unit costs on the demo products (margins of 20-45 %), three bundles of them and service items
 * of every kind with their SLA terms in Chinese; through the services (checked and audited). */
enum kam_err catalog_demo(struct kam_ctx *ctx);

#endif
