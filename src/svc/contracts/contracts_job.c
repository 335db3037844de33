/* contracts_job.c -- the contracts chapter's part of a scheduler pass (contracts_job.h). */
#include "contracts_job.h"

#include <string.h>

#include "breach.h"
#include "contract.h"
#include "dispute.h"

enum kam_err contracts_job_run(struct kam_ctx *ctx, struct contracts_job_report *r)
{
    memset(r, 0, sizeof *r);
    enum kam_err rc = contract_job(ctx, &r->contracts_changed);
    if (rc)
        return rc;
    struct breach_scan_report s;
    rc = breach_scan(ctx, 0, &s);
    r->breaches_detected = s.detected;
    r->breaches_found = s.found;
    if (!rc)
        rc = dispute_job(ctx, &r->disputes_reminded);
    return rc;
}
