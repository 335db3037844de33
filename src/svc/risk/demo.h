/* demo.h -- the risk chapter's demo data (issue 16 item 7), loaded by demo_load after the
 * offers, in this order: competitors, receivables, the register and gifts, the churn model,
 * then one pass of the early-warning engine (so the demo opens with alerts and health scores).
 * Each writes through the services (checked and audited). */
#ifndef KAM_RISK_DEMO_H
#define KAM_RISK_DEMO_H

#include "svc/core/ctx.h"

enum kam_err competitors_demo(struct kam_ctx *ctx); /* demo_competitors.c */
enum kam_err receivables_demo(struct kam_ctx *ctx); /* demo_receivables.c */
enum kam_err risks_demo(struct kam_ctx *ctx);       /* demo_risks.c: risks, gifts */
enum kam_err churn_demo(struct kam_ctx *ctx);       /* demo_churn.c */
enum kam_err alerts_demo(struct kam_ctx *ctx);      /* demo_alerts.c */

#endif
