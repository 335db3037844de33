/* demo.h -- the contracts chapter's demo data (issue 17 item 7), loaded by demo_load after the
 * risk chapter's receivables and before the early-warning engine's pass: contracts, their
 * breaches (one scan), then disputes and lessons linked to them. Written through the services
 * (checked and audited). */
#ifndef KAM_CONTRACTS_DEMO_H
#define KAM_CONTRACTS_DEMO_H

#include "svc/core/ctx.h"

enum kam_err contracts_demo(struct kam_ctx *ctx); /* demo_contracts.c */
enum kam_err disputes_demo(struct kam_ctx *ctx);  /* demo_disputes.c: disputes, lessons */

#endif
