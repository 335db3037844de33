/* contracts_job.h -- the contracts chapter's part of a scheduler pass (svc/core/jobs.c). */
#ifndef KAM_SVC_CONTRACTS_JOB_H
#define KAM_SVC_CONTRACTS_JOB_H

#include "svc/core/ctx.h"

struct contracts_job_report {
    int contracts_changed; /* status moves, renewals, reminders (contract.c: contract_job) */
    int breaches_detected; /* new breaches (svc/contracts/breach_scan.c) */
    int breaches_found;    /* breaches seen, new and known */
    int disputes_reminded; /* deadline reminders (dispute.c: dispute_job) */
};

/* As of ctx->now: the contracts' statuses and renewal reminders, then the breach scan over
 * every active, expiring and recently expired contract (one transaction per contract), then the
 * disputes' deadline reminders. The first failure stops the pass (the next pass tries again). */
enum kam_err contracts_job_run(struct kam_ctx *ctx, struct contracts_job_report *r);

#endif
