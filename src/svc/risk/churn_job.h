/* churn_job.h -- the churn / decline model inside KAM (issue 16 item 5): trained on the
 * company's own history by the scheduler, scoring every account with its top factors.
 * docs/CHURN.md. */
#ifndef KAM_RISK_CHURN_JOB_H
#define KAM_RISK_CHURN_JOB_H

#include "svc/core/ctx.h"

/* One scheduler pass: retrains the model when it is due (or force), then scores every
 * account once a day. */
enum kam_err churn_job_run(struct kam_ctx *ctx, int force, int *trained, int *scored);

#endif
