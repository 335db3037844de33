/* demo.h -- the account team chapter's demo data (issue 18 item 7), loaded by demo_load after
 * the contracts chapter and before the early-warning engine's pass, in this order (each part
 * may use what the ones before it made). Written through the services (checked and audited). */
#ifndef KAM_TEAM_DEMO_H
#define KAM_TEAM_DEMO_H

#include "svc/core/ctx.h"

enum kam_err competencies_demo(struct kam_ctx *ctx); /* demo_competencies.c */
enum kam_err training_demo(struct kam_ctx *ctx);     /* demo_training.c */
enum kam_err appraisal_demo(struct kam_ctx *ctx);    /* demo_appraisal.c */
enum kam_err incentives_demo(struct kam_ctx *ctx);   /* demo_incentives.c */

#endif
